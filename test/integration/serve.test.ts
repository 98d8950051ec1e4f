import { afterAll, beforeAll, expect, test } from 'vitest';
import { startLocalHost, type RunningHost } from '../../src/localHost/serve';
import { apnsCertificate } from '../doubles/graphDouble';
import { storageEnv, testRuntime, useDoubles } from '../support/harness';

const { graph } = useDoubles();
const KEY = 'local-function-key-0123456789';
const lines: string[] = [];
let host: RunningHost;

beforeAll(async () => {
  graph.certificate = apnsCertificate(new Date(Date.now() + 45 * 86_400_000).toISOString());
  // Every second, so the test sees the timer fire.
  const runtime = testRuntime({ ...graph.env(), ...storageEnv(), CHECK_SCHEDULE: '* * * * * *' });
  host = await startLocalHost({ runtime, port: 0, key: KEY, log: (l) => void lines.push(l) });
});
afterAll(() => host.close());

const get = (path: string, init: RequestInit = {}) => fetch(`${host.url}${path}`, init);

test('function routes require the key (header or ?code=), like Azure; the badge is anonymous', async () => {
  expect((await get('/api/status')).status).toBe(401);
  expect((await get('/api/status', { headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
  expect([200, 503]).toContain((await get('/api/status', { headers: { 'x-functions-key': KEY } })).status);
  expect([200, 503]).toContain((await get(`/api/history?code=${KEY}`)).status);
  expect((await get('/api/badge.svg')).status).toBe(200);
  expect((await get('/api/notify', { method: 'POST', body: '{}' })).status).toBe(401);
});

test('unknown routes 404, wrong methods 405 with Allow', async () => {
  expect((await get('/api/nope', { headers: { 'x-functions-key': KEY } })).status).toBe(404);
  expect((await get('/', { headers: { 'x-functions-key': KEY } })).status).toBe(404);
  const del = await get('/api/status', { method: 'DELETE', headers: { 'x-functions-key': KEY } });
  expect(del.status).toBe(405);
  expect(del.headers.get('allow')).toBe('GET, HEAD');
});

test('the timer runs the check on its schedule; status then answers from storage', async () => {
  let status = 0;
  let body: Record<string, unknown> = {};
  // The state is readable before the timer's invocation has finished and logged: wait for both.
  const logged = () => lines.some((l) => /^\[checkCertificate\] information: check: status=ok/.test(l));
  for (let i = 0; i < 50 && (status !== 200 || !logged()); i++) {
    await new Promise((r) => setTimeout(r, 200));
    const res = await get('/api/status', { headers: { 'x-functions-key': KEY } });
    status = res.status;
    body = (await res.json()) as Record<string, unknown>;
  }
  expect(status).toBe(200);
  expect(body).toMatchObject({ status: 'ok', stale: false });
  expect([44, 45]).toContain(body['daysRemaining']);
  expect(logged()).toBe(true);
});

test('one log line per request, without the key', async () => {
  const before = lines.length;
  await get(`/api/dashboard?code=${KEY}`);
  const requestLines = lines.slice(before).filter((l) => l.startsWith('GET /api/dashboard'));
  expect(requestLines).toHaveLength(1);
  expect(requestLines[0]).toMatch(/^GET \/api\/dashboard (200|503) \d+ ms$/);
  expect(lines.join('\n')).not.toContain(KEY);
});
