import { request as httpRequest, Agent } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startLocalHost, type RunningHost } from '../../src/localHost/serve';
import { apnsCertificate } from '../doubles/graphDouble';
import { storageEnv, testRuntime, useDoubles } from '../support/harness';

/**
 * Every HTTP entry point but notify (which has its own, larger fuzz test), fuzzed through the local
 * host: random methods, routes, query strings, headers and bodies. Never a 5xx, and the host still
 * answers afterwards.
 */

const { graph } = useDoubles();
let host: RunningHost;
const lines: string[] = [];

beforeAll(async () => {
  graph.certificate = apnsCertificate(new Date(Date.now() + 45 * 86_400_000).toISOString(), { certificateUploadStatus: 'failed' });
  const runtime = testRuntime({ ...graph.env(), ...storageEnv(), CHECK_SCHEDULE: '0 0 0 1 1 *' });
  host = await startLocalHost({ runtime, port: 0, key: null, log: (l) => void lines.push(l) });
  // A check first, so there is state, history and an open incident to act on.
  await fetch(`${host.url}/api/status?refresh=true`);
});
afterAll(() => host.close());

/** Mulberry32: a small seeded PRNG, so a failure is reproducible. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES = ['status', 'history', 'dashboard', 'badge.svg', 'ack', 'status/', 'history/x', 'ack/../status', 'silences', 'silences/', 'silences/x', 'silences/00000000-0000-4000-8000-000000000000', 'silences/%E0%A4%A', 'silences/a/b', 'silences/%00'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const QUERY_VALUES = ['true', 'false', '1', '-1', '0', '500', '501', '1e3', '', 'x'.repeat(3000), '%ZZ', '%00', '\u{1F600}', '\uD800', 'null', '[]'];
const BODIES = [
  '',
  '{}',
  'null',
  '[]',
  '{"id":',
  '{"id":"apns-topic_changed-00000000-000001"}',
  '{"id":123}',
  '{"all":true,"by":"fuzz"}',
  '{"id":"x","by":{"a":1},"note":[1]}',
  '{"__proto__":{"polluted":true},"id":"y"}',
  `{"id":"${'a'.repeat(300)}"}`,
  `{"id":"z","note":"${'n'.repeat(20000)}"}`,
  '\uD800',
  '{"id":"\\ud800"}',
  '{"subject":"apns","until":"2099-01-01","reason":"fuzz"}',
  '{"subject":"apns","until":"2030-02-30","reason":"fuzz"}',
  '{"subject":"vpp_token","subjectId":"a b","until":"2030-01-01","reason":"x"}',
  '{"subject":"ade_token","kind":"test","until":"2030-01-01","reason":"x"}',
  '{"subject":"apns","until":"+275760-09-13","reason":"x"}',
  '{"subject":"apns","until":"2030-01-01T00:00:00+99:99","reason":"x"}',
  '{"subject":["apns"],"until":{},"reason":1,"by":[]}',
  `{"subject":"apns","until":"2030-01-01","reason":"${'r'.repeat(600)}"}`,
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
];

/** Percent-encodes, but lets broken escapes and a lone surrogate's bytes through, as an attacker would send them. */
function encodeQuery(value: string): string {
  if (value === '%ZZ' || value === '%00') return value;
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

let lastError = '';
function send(agent: Agent, method: string, path: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(`${host.url}${path}`, { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e) => { lastError = e.message; resolve(-1); });
    req.end(body === '' ? undefined : body);
  });
}

test('2,000 fuzzed requests to status, history, dashboard, badge, ack and silences: no 5xx, and the host still answers', async () => {
  const rand = prng(20261125);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const counts = new Map<number, number>();
  const failures: string[] = [];
  const jobs = Array.from({ length: 2000 }, () => {
    const method = pick(rand, METHODS);
    const params = Array.from({ length: Math.floor(rand() * 3) }, () => `${pick(rand, ['limit', 'refresh', 'code', 'subject', 'x'])}=${encodeQuery(pick(rand, QUERY_VALUES))}`);
    const path = `/api/${pick(rand, ROUTES)}${params.length === 0 ? '' : `?${params.join('&')}`}`;
    const body = method === 'GET' || method === 'HEAD' ? '' : pick(rand, BODIES);
    const headers: Record<string, string> = rand() < 0.5 ? { 'content-type': pick(rand, ['application/json', 'text/plain', 'application/x-www-form-urlencoded', '']) } : {};
    // A body always goes with its length: Node sends a DELETE or OPTIONS body unframed otherwise.
    if (body !== '') headers['content-length'] = String(Buffer.byteLength(body));
    return { method, path, body, headers };
  });
  for (let i = 0; i < jobs.length; i += 16) {
    const batch = jobs.slice(i, i + 16);
    const statuses = await Promise.all(batch.map((j) => send(agent, j.method, j.path, j.body, j.headers)));
    statuses.forEach((status, k) => {
      counts.set(status, (counts.get(status) ?? 0) + 1);
      if (status >= 500 || status < 0) failures.push(`${status} ${batch[k]!.method} ${batch[k]!.path.slice(0, 120)} ${batch[k]!.body.slice(0, 60)}`);
    });
  }
  agent.destroy();
  console.log(`route fuzz: ${[...counts].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  expect({ failures: failures.slice(0, 10), lastError }).toEqual({ failures: [], lastError: "" });
  const after = await fetch(`${host.url}/api/status`);
  expect(after.status).toBe(200);
});

test('a repeated query parameter counts with its first value, as URLSearchParams.get reads it in Azure', async () => {
  expect((await fetch(`${host.url}/api/history?limit=9999&limit=1`)).status).toBe(400);
  expect((await fetch(`${host.url}/api/history?limit=1&limit=9999`)).status).toBe(200);
  expect((await fetch(`${host.url}/api/history?__proto__=x&limit=2`)).status).toBe(200);
});

/** Answers with their size, for the silences fuzz. */
function sendSized(agent: Agent, method: string, path: string, body: string): Promise<{ status: number; bytes: number; text: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(body === '' ? {} : { 'content-length': String(Buffer.byteLength(body)) }) };
    const req = httpRequest(`${host.url}${path}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, bytes: all.length, text: all.toString('utf8') });
      });
    });
    req.on('error', () => resolve({ status: -1, bytes: 0, text: '' }));
    req.end(body === '' ? undefined : body);
  });
}

test('600 fuzzed silences (valid, invalid, oversized) and removals: no 5xx, answers bounded, never more than 100 in force', async () => {
  const rand = prng(15_2);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const text = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x20 + Math.floor(rand() * 0x2fe0))).join('');
  const field = () => pick(rand, [undefined, null, 1, true, [], {}, '', 'apns', 'vpp_token', 'ade_token', 'expiring', 'test', day(3), day(400), day(-2), '2027-02-30', text(Math.floor(rand() * 700)), '\uD800']);
  const ids: string[] = [];
  const failures: string[] = [];
  let largestError = 0;
  let largest = 0;
  for (let i = 0; i < 600; i += 12) {
    const batch = Array.from({ length: 12 }, () => {
      const roll = rand();
      if (roll < 0.45) return { method: 'POST', path: '/api/silences', body: JSON.stringify({ subject: pick(rand, ['apns', 'vpp_token', 'ade_token']), until: day(1 + Math.floor(rand() * 30)), reason: text(1 + Math.floor(rand() * 480)), ...(rand() < 0.5 ? { subjectId: `tok-${Math.floor(rand() * 9)}` } : {}), ...(rand() < 0.5 ? { kind: 'expiring' } : {}) }).replace('"subject":"apns","until"', rand() < 0.3 ? '"subject":"apns","subjectId":"x","until"' : '"subject":"apns","until"') };
      if (roll < 0.75) return { method: 'POST', path: '/api/silences', body: rand() < 0.1 ? text(9000) : JSON.stringify({ subject: field(), subjectId: field(), kind: field(), until: field(), reason: field(), by: field() }) };
      if (roll < 0.9 && ids.length > 0) return { method: 'DELETE', path: `/api/silences/${pick(rand, ids)}`, body: '' };
      return { method: pick(rand, ['GET', 'DELETE', 'PATCH']), path: `/api/silences/${encodeQuery(pick(rand, QUERY_VALUES))}`, body: '' };
    });
    const answers = await Promise.all(batch.map((b) => sendSized(agent, b.method, b.path, b.body)));
    answers.forEach((a, k) => {
      if (a.status >= 500 || a.status < 0) failures.push(`${a.status} ${batch[k]!.method} ${batch[k]!.path.slice(0, 80)} ${batch[k]!.body.slice(0, 60)}`);
      if (a.status >= 400) largestError = Math.max(largestError, a.bytes);
      largest = Math.max(largest, a.bytes);
      if (a.status === 201) ids.push((JSON.parse(a.text) as { silence: { id: string } }).silence.id);
    });
  }
  const list = await sendSized(agent, 'GET', '/api/silences', '');
  agent.destroy();
  const inForce = (JSON.parse(list.text) as { silences: unknown[] }).silences.length;
  console.log(`silences fuzz: ${ids.length} added, ${inForce} in force, largest answer ${largest} bytes, largest refusal ${largestError} bytes`);
  expect(failures.slice(0, 10)).toEqual([]);
  expect(ids.length).toBeGreaterThan(50);
  expect(inForce).toBeLessThanOrEqual(100);
  expect(largestError).toBeLessThanOrEqual(1024);
  // A hundred silences of the largest size a field allows.
  expect(largest).toBeLessThanOrEqual(100 * 2500);
});
