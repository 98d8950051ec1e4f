import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HttpFunctionDefinition } from '../../src/app/functionDefinitions';
import { createLocalHttpHost } from '../../src/localHost/httpHost';
import { rawRequest } from '../support/rawHttp';

// The host on its own, with handlers made for the test: what it reads, what it answers when a
// request is malformed, and that nothing a handler does stops it serving.

const bodies: number[] = [];
const echo: HttpHandler = async (request) => {
  const text = await request.text();
  bodies.push(text.length);
  return { status: 200, jsonBody: { bytes: text.length } };
};
const functions: HttpFunctionDefinition[] = [
  { name: 'echo', route: 'echo', methods: ['GET', 'POST'], authLevel: 'function', handler: echo },
  // Throws something that cannot even be turned into a string.
  { name: 'throws', route: 'throws', methods: ['GET'], authLevel: 'anonymous', handler: () => Promise.reject(Object.create(null) as unknown) },
];
const KEY = 'host-test-key-0123456789';
const lines: string[] = [];
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createLocalHttpHost({ functions, key: KEY, log: (l) => void lines.push(l) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const head = (target: string, extra = '') => `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-functions-key: ${KEY}\r\n${extra}`;

async function stillServes(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/api/echo`, { method: 'POST', headers: { 'x-functions-key': KEY }, body: 'ok' });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ bytes: 2 });
}

describe('request bodies stop at 64 KiB', () => {
  test('a declared length over the cap: 413 and the connection closed, without waiting for the body; 64 KiB itself is served', async () => {
    const answer = await rawRequest(port, head('/api/echo', 'Content-Length: 104857600\r\n\r\n{"a":'));
    expect(answer.status).toBe(413);
    expect(answer.text).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer.closed).toBe(true);
    const full = await fetch(`http://127.0.0.1:${port}/api/echo`, { method: 'POST', headers: { 'x-functions-key': KEY }, body: 'y'.repeat(64 * 1024) });
    expect(full.status).toBe(200);
    expect(full.headers.get('connection')).not.toBe('close');
    expect(await full.json()).toEqual({ bytes: 64 * 1024 });
  });

  test('a chunked body that keeps coming: 413 once 64 KiB are read, and the connection closed', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    const chunks = Array.from({ length: 5 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    // The request is never finished: only a host that stops reading can answer it.
    const answer = await rawRequest(port, head('/api/echo', 'Transfer-Encoding: chunked\r\n\r\n') + chunks);
    expect(answer.status).toBe(413);
    expect(answer.closed).toBe(true);
    expect(bodies.every((b) => b <= 64 * 1024)).toBe(true);
    await stillServes();
  });
});

test('malformed requests get a 4xx from the host, never a 5xx; odd but valid ones are served', async () => {
  const malformed: Array<[string, string]> = [
    ['an empty authority', 'GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a bare percent', 'GET /% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a percent in the route', `GET /api/echo%?code=${KEY} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
    ['an absolute target that is no URL', 'GET http://[::1/api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['an asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a method no route takes', `PROPFIND /api/echo HTTP/1.1\r\nHost: x\r\nx-functions-key: ${KEY}\r\nConnection: close\r\n\r\n`],
    ['an unknown method', 'BREW /api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a length that is no number', head('/api/echo', 'Content-Length: ten\r\nConnection: close\r\n\r\n0123456789')],
    ['two lengths', head('/api/echo', 'Content-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc')],
    ['broken chunks', head('/api/echo', 'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n')],
    ['headers over 16 KiB', head('/api/echo', `X-Big: ${'b'.repeat(20_000)}\r\nConnection: close\r\n\r\n`)],
  ];
  const answers: Array<[string, number | null]> = [];
  for (const [name, request] of malformed) answers.push([name, (await rawRequest(port, request)).status]);
  expect(answers.filter(([, status]) => status === null || status < 400 || status >= 500)).toEqual([]);

  const utf8 = Buffer.concat([Buffer.from(head('/api/echo', 'X-Name: ')), Buffer.from('Zürich ☃ 😀', 'utf8'), Buffer.from('\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi')]);
  expect((await rawRequest(port, utf8)).status).toBe(200);
  const get = await rawRequest(port, `GET /api/echo HTTP/1.1\r\nHost: x\r\nx-functions-key: ${KEY}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`);
  expect(get.status).toBe(200);
  expect(get.text).toContain('{"bytes":0}');
  await stillServes();
});

test('a handler that throws something unprintable gets a 500, and the host goes on serving', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/api/throws`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ error: 'the function failed; see the host log' });
  expect(lines.some((l) => /^GET \/api\/throws 500 \d+ ms: an error that cannot be described$/.test(l))).toBe(true);
  await stillServes();
});
