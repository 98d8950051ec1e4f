import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { defineFunctions } from '../../src/app/functionDefinitions';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { MAX_EVENT_JSON_CHARS, validateAlertEvent } from '../../src/domain/validateEvent';
import { createLocalHttpHost } from '../../src/localHost/httpHost';
import { alertView } from '../../src/notify/alertView';
import { buildEmail, buildMime } from '../../src/notify/emailMessage';
import { fitTeamsPayload } from '../../src/notify/teamsCard';
import { SIGNATURE_HEADER, signBody } from '../../src/notify/webhook';
import { WebhookReceiver } from '../doubles/webhookReceiver';
import { rawRequest } from '../support/rawHttp';
import { storageEnv, testRuntime } from '../support/harness';
import { sampleEvents } from '../support/sampleEvents';

// Generated requests to POST /api/notify (2,000 from a fixed seed; the long run: FUZZ_TOTAL=10000, and
// FUZZ_SEED=<n> for another sequence) through the local host, over real sockets, with the
// real runtime (Azurite) and loopback channels: not one may get a 5xx, every body the validator
// accepts must be renderable by every channel, and every event accepted is delivered exactly once.

const TOTAL = Number(process.env['FUZZ_TOTAL'] ?? 2_000);
const CONCURRENCY = 8;
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x9e3779b9);
const KEY = 'fuzz-function-key-0123456789';
const CAP = 64 * 1024;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(private readonly random: () => number) {}
  float = () => this.random();
  int = (n: number) => Math.floor(this.random() * n);
  chance = (p: number) => this.random() < p;
  pick = <T>(items: readonly T[]): T => items[this.int(items.length)]!;

  char(): string {
    switch (this.int(10)) {
      case 0:
        return String.fromCharCode(this.int(32)); // controls
      case 1:
        return String.fromCharCode(0x80 + this.int(0x80)); // Latin-1 supplement and C1
      case 2:
        return String.fromCharCode(0x100 + this.int(0xd700)); // BMP below the surrogates
      case 3:
        return String.fromCodePoint(0x1f300 + this.int(0x300)); // emoji (a surrogate pair)
      case 4:
        return this.chance(0.3) ? String.fromCharCode(0xd800 + this.int(0x800)) : 'x'; // now and then a lone surrogate
      case 5:
        return this.pick(['"', '\\', '/', '#', '?', '%', "'", ' ', '*', '_', '[', ']', '{{', '<', '&', '\u2028', '\ufeff', '\u0000']);
      default:
        return String.fromCharCode(0x21 + this.int(0x5e)); // printable ASCII
    }
  }

  text(): string {
    const roll = this.float();
    const length = roll < 0.7 ? this.int(40) : roll < 0.9 ? 40 + this.int(400) : roll < 0.98 ? 3000 + this.int(2000) : 20_000 + this.int(50_000);
    if (length > 1000 && this.chance(0.7)) return this.char().repeat(length);
    let s = '';
    while (s.length < length) s += this.char();
    return s;
  }

  date(): string {
    const two = (n: number) => String(n).padStart(2, '0');
    if (this.chance(0.7)) return new Date(Date.UTC(2000 + this.int(60), this.int(12), 1 + this.int(28), this.int(24), this.int(60))).toISOString();
    return `${String(this.int(10_000)).padStart(4, '0')}-${two(this.int(14))}-${two(this.int(33))}T${two(this.int(26))}:${two(this.int(62))}${this.pick(['Z', '+05:30', '-99:00', '', ':60Z', '.123456789Z'])}`;
  }

  value(depth = 0): unknown {
    switch (this.int(depth > 3 ? 8 : 11)) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.int(200) - 100;
      case 3:
        return this.pick([1.5, -0, 1e21, -1e300, Number.MAX_SAFE_INTEGER + 2, 100_001, 0.1]);
      case 4:
      case 5:
        return this.text();
      case 6:
        return this.date();
      case 7:
        return this.pick(['', 'apns', 'expiring', 'removed', 'critical', 'info', '2027-03-01T09:00:00Z']);
      case 8:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      case 9:
        return nested(1 + this.int(this.chance(0.5) ? 40 : 3000));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(4); i > 0; i--) setOwn(o, this.key(), this.value(depth + 1));
        return o;
      }
    }
  }

  key(): string {
    return this.chance(0.6) ? this.pick(FIELDS) : this.chance(0.5) ? this.pick(DANGEROUS_KEYS) : this.text().slice(0, 30);
  }
}

const FIELDS = ['id', 'kind', 'severity', 'subject', 'tenant', 'summary', 'occurredAt', 'thresholdDays', 'daysRemaining', 'expirationDateTime', 'appleIdentifier', 'topicIdentifier', 'certificateSerialNumber', 'graceEndsDateTime', 'graceDaysRemaining', 'previous', 'error'];
const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const PREVIOUS_FIELDS = ['appleIdentifier', 'topicIdentifier', 'expirationDateTime'];

/** Sets a key as an own property, `__proto__` included, so JSON.stringify writes it. */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
}

function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = i % 3 === 0 ? { a: v } : [v];
  return v;
}

interface Case {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Send the body in pieces, without a Content-Length (chunked). */
  chunked: boolean;
  /** Bytes for a raw socket instead of an HTTP client request. */
  raw: string | Buffer | null;
  /** A raw request the client leaves unfinished and hangs up on: no answer is owed. */
  unfinished?: boolean;
}

const bases = sampleEvents().map((e) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>);

function mutatedEvent(g: Gen, n: number): Record<string, unknown> {
  const event: Record<string, unknown> = { ...g.pick(bases), id: `fz${n}-${g.pick(['a', 'b.c', 'd_e', 'f~g', "h'i", 'j"k'])}` };
  for (let m = g.chance(0.35) ? 0 : 1 + g.int(3); m > 0; m--) {
    const field = g.pick(FIELDS);
    switch (g.int(6)) {
      case 0:
        delete event[field];
        break;
      case 1:
        setOwn(event, g.key(), g.value());
        break;
      case 2:
        event['id'] = `fz${n}-${g.text().slice(0, g.chance(0.8) ? 30 : 300)}`;
        break;
      case 3: {
        const previous: Record<string, unknown> = {};
        for (const name of PREVIOUS_FIELDS) if (g.chance(0.6)) setOwn(previous, name, g.chance(0.5) ? g.value() : null);
        if (g.chance(0.2)) setOwn(previous, g.pick(DANGEROUS_KEYS), g.value());
        event['previous'] = previous;
        break;
      }
      case 4:
        event[field] = g.text();
        break;
      default:
        event[field] = g.value();
    }
  }
  return event;
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', 'ä/ö; q="\u00ff"', '*/*'];

function headersFor(g: Gen, body: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!g.chance(0.03)) headers['x-functions-key'] = g.chance(0.98) ? KEY : g.pick(['', 'wrong', KEY + 'x']);
  if (g.chance(0.9)) headers['content-type'] = g.chance(0.8) ? 'application/json' : g.pick(CONTENT_TYPES);
  if (g.chance(0.1)) headers['x-odd'] = Array.from({ length: g.int(50) }, () => String.fromCharCode(0x20 + g.int(0xe0))).join('').replace(/\x7f/g, '').trim();
  if (g.chance(0.03)) headers['content-encoding'] = g.pick(['gzip', 'br', 'identity', 'x-unknown']);
  if (g.chance(0.02)) headers['expect'] = '100-continue';
  if (g.chance(0.02)) headers['x-forwarded-for'] = '\u00e9'.repeat(g.int(300));
  headers['content-length'] = String(body.length);
  return headers;
}

function rawCase(g: Gen, n: number): string | Buffer {
  const keyLine = `x-functions-key: ${KEY}\r\n`;
  const event = JSON.stringify({ ...g.pick(bases), id: `fz${n}-raw` });
  switch (g.int(12)) {
    case 0:
      return `POST /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}Content-Length: ${CAP + 1 + g.int(1e8)}\r\nConnection: close\r\n\r\n{"id":`;
    case 1:
      return `POST /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}Content-Length: ${g.int(event.length)}\r\nConnection: close\r\n\r\n${event}`;
    case 2:
      return `POST /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}Content-Length: ${g.pick(['-1', 'abc', '1e3', '0x10', ' ', '99999999999999999999'])}\r\nConnection: close\r\n\r\n${event}`;
    case 3:
      return `POST /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}Content-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}`;
    case 4:
      return `POST /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${g.pick(['zz', '-1', '3', '0x3', '3;ext=1'])}\r\n${event}\r\n0\r\n\r\n`;
    case 5:
      return `${g.pick(['GET', 'POST', 'OPTIONS', 'DELETE'])} ${g.pick(['//', '/%', '/api/notify%', '/api//notify', '/api/notify/%zz', '*', 'http://[::1/api/notify', 'http://x/api/notify', '/api/notify?code=%', '/api/%6Eotify', '/api/notify#frag', '/' + 'a'.repeat(8000)])} HTTP/1.1\r\nHost: x\r\n${keyLine}Connection: close\r\n\r\n`;
    case 6:
      return Buffer.concat([Buffer.from(`POST /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}X-Name: `), Buffer.from(g.text().slice(0, 200).replace(/[\r\n\0]/g, ''), 'utf8'), Buffer.from(`\r\nContent-Length: ${Buffer.byteLength(event)}\r\nConnection: close\r\n\r\n${event}`)]);
    case 7:
      return `${g.pick(['PROPFIND', 'M-SEARCH', 'BREW', 'post', 'PURGE', 'TRACE', 'LINK', 'CONNECT'])} /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}Connection: close\r\n\r\n`;
    case 8:
      return `POST /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}X-Big: ${'b'.repeat(17_000 + g.int(10_000))}\r\nConnection: close\r\n\r\n`;
    case 9:
      return `POST /api/notify HTTP/1.0\r\n${keyLine}Content-Length: ${Buffer.byteLength(event)}\r\n\r\n${event}`;
    case 10:
      return g.chance(0.5)
        ? `POST /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}Content-Length: 5\r\n Folded: header\r\nConnection: close\r\n\r\nhello`
        : `GET /api/notify HTTP/1.1\r\nHost: x\r\n${keyLine}Connection: Upgrade, close\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
    default:
      return `\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03${g.text().slice(0, 50)}\r\n\r\n`;
  }
}

function generate(g: Gen, n: number): Case {
  const base = { method: 'POST', path: '/api/notify', chunked: false, raw: null };
  const roll = g.float();
  let label: string;
  let text: string | Buffer;
  if (roll < 0.03) return { ...base, label: 'raw', headers: {}, body: Buffer.alloc(0), raw: rawCase(g, n) };
  if (roll < 0.032) {
    // A body declared in a chunk far larger than what follows, then the client hangs up.
    return { ...base, label: 'raw', headers: {}, body: Buffer.alloc(0), unfinished: true, raw: `POST /api/notify HTTP/1.1\r\nHost: x\r\nx-functions-key: ${KEY}\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{"id":` };
  }
  if (roll < 0.5) {
    label = 'event';
    text = JSON.stringify(mutatedEvent(g, n));
  } else if (roll < 0.58) {
    label = 'deep';
    const depth = g.chance(0.5) ? 25 + g.int(20) : 100 + g.int(30_000);
    const inside = g.chance(0.5);
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    text = inside ? JSON.stringify(mutatedEvent(g, n)).replace(/^\{/, `{"${g.pick(['extra', 'previous', 'summary', '__proto__'])}":${deep},`) : deep;
  } else if (roll < 0.66) {
    label = 'surrogate';
    const event = mutatedEvent(g, n);
    const field = g.chance(0.8) ? g.pick(FIELDS) : g.pick(DANGEROUS_KEYS);
    setOwn(event, field, `${g.text().slice(0, 10)}${String.fromCharCode(0xd800 + g.int(0x800))}${g.text().slice(0, 10)}`);
    text = JSON.stringify(event);
  } else if (roll < 0.74) {
    label = 'huge';
    const event = mutatedEvent(g, n);
    event[g.pick(FIELDS)] = g.char().repeat(g.pick([4001, 8000, 33_000, 60_000, 70_000, 200_000]));
    text = JSON.stringify(event);
  } else if (roll < 0.82) {
    label = 'truncated';
    const whole = JSON.stringify(mutatedEvent(g, n));
    text = whole.slice(0, g.int(whole.length));
  } else if (roll < 0.87) {
    label = 'not-an-object';
    text = JSON.stringify(g.pick([null, 0, -1.5, 'text', [], [1, 2], true, g.text(), [JSON.parse(JSON.stringify(g.pick(bases))) as unknown]]));
  } else if (roll < 0.91) {
    label = 'bytes';
    text = Buffer.from(Array.from({ length: g.int(2000) }, () => g.int(256)));
  } else if (roll < 0.95) {
    label = 'unicode';
    text = g.chance(0.5) ? `\ufeff${JSON.stringify(mutatedEvent(g, n))}` : g.text();
  } else {
    label = 'odd-request';
    text = JSON.stringify(mutatedEvent(g, n));
  }
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const headers = headersFor(g, body);
  if (label !== 'odd-request') return { ...base, label, headers, body, chunked: g.chance(0.05) };
  return {
    ...base,
    label,
    method: g.pick(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'POST']),
    path: g.pick(['/api/notify', '/api/notify/', `/api/notify?code=${KEY}`, '/api/notify?x=%', '/api/notify?__proto__=1&constructor=2', '/api/Notify', '/api/notify/extra', '/api/nope']),
    headers,
    body,
    chunked: g.chance(0.3),
  };
}

/** Every channel renders what the validator accepts: the card fits Teams, the id is a header value. */
function assertDeliverable(event: AlertEvent): void {
  const options = { cloud: 'global' as const, timeZone: 'Europe/Berlin' };
  const view = alertView(event, options);
  if (fitTeamsPayload(view) === null) throw new Error(`the Teams card of ${event.id} does not fit`);
  buildMime(buildEmail(view), { from: 'alerts@contoso.com', to: ['admins@contoso.com'], alertId: event.id, date: new Date(event.occurredAt) });
  const body = JSON.stringify(event);
  if (body.length > MAX_EVENT_JSON_CHARS) throw new Error(`${event.id} is ${body.length} characters stored`);
  new Headers({ [SIGNATURE_HEADER]: signBody('secret', body), 'X-Apns-Monitor-Event': event.kind, 'Idempotency-Key': event.id });
}

const hook = new WebhookReceiver();
let server: Server;
let port = 0;
const hostLog: string[] = [];

beforeAll(async () => {
  await hook.start();
  const runtime = testRuntime({ ...storageEnv(), WEBHOOK_URL: hook.url('/hook'), WEBHOOK_SECRET: 'fuzz-webhook-secret', TEAMS_WEBHOOK_URL: hook.url('/teams') });
  server = createLocalHttpHost({ functions: defineFunctions(() => runtime).http, key: KEY, log: (l) => void (/^\S+ \S+ 5\d\d /.test(l) && hostLog.push(l)) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await hook.close();
});

interface Outcome {
  status: number | string;
  body: string;
}

/** Enough of a case to reproduce it by hand. */
function describeCase(c: Case): string {
  if (c.raw !== null) return `raw ${JSON.stringify(c.raw.toString('latin1').slice(0, 160))}`;
  return `${c.label} ${c.method} ${c.path}${c.chunked ? ' chunked' : ''} ${JSON.stringify(c.headers).slice(0, 300)} body ${JSON.stringify(c.body.toString('utf8').slice(0, 120))}`;
}

function send(agent: Agent, c: Case): Promise<Outcome> {
  if (c.raw !== null) {
    return rawRequest(port, c.raw, { end: c.unfinished === true, waitMs: 20_000 }).then((a) => ({ status: a.status ?? (a.closed ? 'closed-without-answer' : 'no-answer'), body: a.text.slice(a.text.indexOf('\r\n\r\n') + 4) }));
  }
  return new Promise((resolve) => {
    const headers = { ...c.headers };
    if (c.chunked) delete headers['content-length'];
    const req = httpRequest({ host: '127.0.0.1', port, method: c.method, path: c.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 'no-status', body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: `response-error ${e.message}`, body: '' }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error('timed out')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: `error ${e.code ?? e.message}`, body: '' }));
    if (c.chunked) {
      for (let i = 0; i < c.body.length; i += 7000) req.write(c.body.subarray(i, i + 7000));
      req.end();
    } else req.end(c.body);
  });
}

test(`${TOTAL} generated requests to /api/notify: no 5xx, everything accepted is deliverable and delivered once`, async () => {
  const g = new Gen(prng(SEED));
  const cases = Array.from({ length: TOTAL }, (_, n) => generate(g, n));
  // A few exact repeats and same-id-other-content pairs, so duplicates race too.
  for (let i = 0; i < 150; i++) {
    const original = cases[g.int(TOTAL)]!;
    const changed = Buffer.from(original.body.toString('utf8').replace('"summary":"', '"summary":"changed '));
    cases.splice(g.int(TOTAL), 1, g.chance(0.5) ? original : { ...original, body: changed, headers: { ...original.headers, 'content-length': String(changed.length) } });
  }

  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const counts: Record<string, number> = {};
  const failures: string[] = [];
  const accepted = new Set<string>();
  let validatorAccepted = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const c = cases[i]!;
      let local: ReturnType<typeof validateAlertEvent> | null = null;
      try {
        local = validateAlertEvent(JSON.parse(c.body.toString('utf8')));
      } catch {
        local = null;
      }
      if (local?.ok === true) {
        validatorAccepted += 1;
        try {
          assertDeliverable(local.event);
        } catch (error) {
          failures.push(`#${i} ${c.label}: accepted but not deliverable: ${(error as Error).message}`);
        }
      }
      const out = await send(agent, c);
      counts[String(out.status)] = (counts[String(out.status)] ?? 0) + 1;
      const unanswered = c.unfinished === true && out.status === 'closed-without-answer';
      if (!unanswered && (typeof out.status !== 'number' || out.status >= 500)) failures.push(`#${i} ${describeCase(c)}: ${out.status} ${out.body.slice(0, 200)}`);
      if (out.status === 202) {
        // A raw answer may be chunked: read the two values from the text.
        const id = /"id":("(?:[^"\\]|\\.)*")/.exec(out.body)?.[1];
        const report = { id: id === undefined ? '(none)' : (JSON.parse(id) as string), pending: !/"pending":false/.test(out.body) };
        accepted.add(report.id);
        if (report.pending) failures.push(`#${i} ${c.label}: accepted but still pending: ${out.body.slice(0, 300)}`);
      }
      // What the validator accepts, the function accepts (a plain, keyed POST under the cap).
      const plain = c.raw === null && c.method === 'POST' && c.path === '/api/notify' && c.headers['x-functions-key'] === KEY && c.body.length <= CAP;
      if (plain && local?.ok === true && ![200, 202, 409].includes(out.status as number)) failures.push(`#${i} ${describeCase(c)}: valid but answered ${out.status} ${out.body.slice(0, 200)}`);
      if (plain && local !== null && !local.ok && out.status !== 400) failures.push(`#${i} ${describeCase(c)}: invalid (${local.field}) but answered ${out.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();

  console.log(`notify fuzz (seed ${SEED}): ${cases.length} requests, ${validatorAccepted} accepted by the validator; answers by status: ${JSON.stringify(Object.fromEntries(Object.entries(counts).sort()))}`);
  expect(failures.slice(0, 20)).toEqual([]);
  expect(hostLog).toEqual([]);

  // Everything accepted was delivered once to each channel, and nothing else was.
  const byPath = (prefix: string) => hook.received.filter((r) => r.path.startsWith(prefix)).map((r) => (JSON.parse(r.body) as { id: string }).id);
  const delivered = byPath('/hook');
  expect({ missing: [...accepted].filter((id) => !delivered.includes(id)), unexpected: delivered.filter((id) => !accepted.has(id)) }).toEqual({ missing: [], unexpected: [] });
  expect(delivered).toHaveLength(accepted.size);
  expect(byPath('/teams')).toHaveLength(accepted.size);
  // A tenth of the requests at least are accepted events (1,000 of the long run's 10,000).
  expect(accepted.size).toBeGreaterThan(TOTAL / 10);

  // And the host still answers.
  const after = await fetch(`http://127.0.0.1:${port}/api/notify`, { method: 'POST', headers: { 'x-functions-key': KEY }, body: JSON.stringify({ ...bases[0], id: 'fz-after' }) });
  expect(after.status).toBe(202);
});
