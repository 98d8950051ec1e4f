import { describe, expect, test } from 'vitest';
import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import { fetchResponse, plainResponse } from '../../src/localHost/httpHost';

/**
 * The local host answers a handler's plain response without building a fetch Response (plainResponse);
 * it must put the same status, headers and bytes on the wire as @azure/functions' HttpResponse does,
 * and leave to HttpResponse every shape it does not convert itself.
 */
const converted: Array<[string, HttpResponseInit]> = [
  ['a JSON body with its own content type', { status: 200, jsonBody: { a: 1, b: ['x', null], c: 'é ✓' }, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } }],
  ['a JSON body without a content type', { jsonBody: [1, 2, 3] }],
  ['a JSON body that is a string', { status: 400, jsonBody: 'plain' }],
  ['a JSON body beside a body (the JSON wins)', { jsonBody: { x: 1 }, body: 'ignored' }],
  ['a null JSON body with a string body', { jsonBody: null, body: 'text' }],
  ['a string body with a content type', { status: 503, body: '<p>ü</p>', headers: { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff' } }],
  ['a string body without a content type', { body: 'hello' }],
  ['an empty string body', { body: '' }],
  ['no body at all', { status: 401, headers: { allow: 'GET, HEAD' } }],
  ['an empty init', {}],
];

const general: Array<[string, HttpResponseInit | HttpResponse | undefined]> = [
  ['nothing returned', undefined],
  ['an HttpResponse', new HttpResponse({ status: 201, body: 'made' })],
  ['a mixed-case header name', { body: 'x', headers: { 'Content-Type': 'text/csv' } }],
  ['a header value with surrounding space', { body: 'x', headers: { 'x-a': ' padded ' } }],
  ['a Headers object', { body: 'x', headers: new Headers({ 'x-a': '1' }) }],
  ['a byte body', { body: new Uint8Array([1, 2, 3]) }],
  ['a 204', { status: 204, body: 'dropped' }],
  ['cookies', { body: 'x', cookies: [{ name: 'a', value: 'b' }] }],
];

async function wire(result: HttpResponseInit | HttpResponse | undefined) {
  const r = await fetchResponse(result);
  return { status: r.status, headers: r.headers, bytes: r.bytes?.toString('base64') ?? '' };
}

describe("the local host's response conversion", () => {
  test.each(converted)('%s: the same status, headers and bytes as HttpResponse', async (_name, init) => {
    const plain = plainResponse(init);
    expect(plain).not.toBeNull();
    expect({ status: plain!.status, headers: plain!.headers, bytes: plain!.bytes?.toString('base64') ?? '' }).toEqual(await wire(init));
  });

  test.each(general)('%s: left to HttpResponse', (_name, init) => {
    expect(plainResponse(init)).toBeNull();
  });
});
