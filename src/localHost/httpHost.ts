import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import type { HttpFunctionDefinition } from '../app/functionDefinitions';

/**
 * Serves HTTP function definitions the way the Functions host does, for machines without Core
 * Tools: `/api/<route>`, function-level keys (`x-functions-key` or `?code=`), and the same
 * HttpRequest/InvocationContext objects, so a handler cannot tell the difference.
 */

export interface LocalHttpHostOptions {
  functions: readonly HttpFunctionDefinition[];
  /** When set, function-level routes require it, like Azure; when null they are open (local use). */
  key: string | null;
  /** The most a request body may have; MAX_REQUEST_BYTES unless set. */
  maxRequestBytes?: number;
  log: (line: string) => void;
}

/**
 * What the host reads of a request body, on every route: the notify function's event is capped at
 * 64 KiB and no other route takes a body, so nothing is buffered beyond that.
 */
export const MAX_REQUEST_BYTES = 64 * 1024;

function keyMatches(given: string | null, key: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Answers and drops the connection once the answer is out: the rest of the request is never read. */
function sendJsonAndClose(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify(body), () => req.socket.destroy());
}

type BodyRead = { kind: 'body'; bytes: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/** Reads the body up to `limit` bytes and stops there (the declared length is checked first). */
function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  if (Number(req.headers['content-length'] ?? '0') > limit) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      finish({ kind: 'too-large' });
    };
    const onEnd = () => finish({ kind: 'body', bytes: Buffer.concat(chunks) });
    const onClose = () => finish({ kind: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}

/** The request target as a URL on this host; null when it is not one (origin form or absolute form). */
function requestUrl(target: string, origin: string): URL | null {
  try {
    if (target.startsWith('/')) return new URL(origin + target);
    const absolute = new URL(target);
    return new URL(origin + absolute.pathname + absolute.search);
  } catch {
    return null;
  }
}

function toHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function handle(options: LocalHttpHostOptions, req: IncomingMessage, res: ServerResponse, origin: string): Promise<number> {
  const read = await readBody(req, options.maxRequestBytes ?? MAX_REQUEST_BYTES);
  if (read.kind === 'aborted') return 499;
  if (read.kind === 'too-large') {
    sendJsonAndClose(req, res, 413, { error: `the request body is larger than ${options.maxRequestBytes ?? MAX_REQUEST_BYTES} bytes` });
    return 413;
  }
  const url = requestUrl(req.url ?? '/', origin);
  if (url === null) {
    sendJson(res, 400, { error: 'the request target is not a valid URL' });
    return 400;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const route = url.pathname.startsWith('/api/') ? url.pathname.slice(5).replace(/\/+$/, '') : null;
  let definition: HttpFunctionDefinition | undefined;
  let params: Record<string, string> = {};
  for (const f of route === null ? [] : options.functions) {
    const matched = matchRoute(f.route, route!);
    if (matched === null) continue;
    definition = f;
    params = matched;
    break;
  }
  if (definition === undefined) {
    sendJson(res, 404, { error: `no function at ${url.pathname}` });
    return 404;
  }
  if (!definition.methods.includes(method as HttpFunctionDefinition['methods'][number])) {
    sendJson(res, 405, { error: `method ${method} is not allowed` }, { allow: definition.methods.join(', ') });
    return 405;
  }
  if (definition.authLevel === 'function' && options.key !== null) {
    const given = req.headers['x-functions-key'];
    if (!keyMatches(typeof given === 'string' ? given : url.searchParams.get('code'), options.key)) {
      sendJson(res, 401, { error: 'a function key is required (x-functions-key header or ?code=)' });
      return 401;
    }
  }
  // GET and HEAD carry no body to a handler (fetch's Request refuses one).
  const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : read.bytes;
  const request = new HttpRequest({
    method,
    url: url.toString(),
    headers: toHeaders(req),
    query: firstValues(url.searchParams),
    params,
    ...(body.length > 0 ? { body: { bytes: body } } : {}),
  });
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: definition.name,
    logHandler: (level, ...args) => options.log(`[${definition.name}] ${level}: ${args.map(String).join(' ')}`),
  });
  const result = await definition.handler(request, context);
  const { status, headers, bytes } = plainResponse(result) ?? (await fetchResponse(result));
  res.writeHead(status, headers);
  res.end(method === 'HEAD' ? undefined : bytes);
  return status;
}

interface WireResponse {
  status: number;
  headers: Record<string, string>;
  bytes: Buffer | undefined;
}

/** Any response, through @azure/functions' HttpResponse (a fetch Response), as the Functions host converts it. */
export async function fetchResponse(result: HttpResponseInit | HttpResponse | undefined | void): Promise<WireResponse> {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => void (headers[name] = value));
  return { status: response.status, headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** What a fetch Response adds when a string body comes without a content type. */
const TEXT_CONTENT_TYPE = 'text/plain;charset=UTF-8';
/** Statuses whose responses carry no body (HttpResponse drops one). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);
/** A header value a fetch Headers object keeps as given (it trims the rest; anything else the slow path handles). */
const PLAIN_VALUE = /^[^\s](?:[^\r\n\0]*[^\s])?$/;
/** A header name as HTTP allows it (a token), in lower case as Headers gives it. */
const PLAIN_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * The same answer as fetchResponse for the shapes every handler here returns (a plain init with a
 * string body or a JSON body and lower-case string headers), without building a fetch Response: under
 * load that conversion was a large part of a status request. Null for anything else, which takes the
 * general path; test/unit/localHostResponse.test.ts holds the two to the same bytes.
 */
export function plainResponse(result: HttpResponseInit | HttpResponse | undefined | void): WireResponse | null {
  if (result === undefined || result === null || result instanceof HttpResponse) return null;
  const { status = 200, headers: given, body, jsonBody, cookies, enableContentNegotiation, ...rest } = result;
  if (Object.keys(rest).length > 0 || (cookies !== undefined && cookies.length > 0) || enableContentNegotiation === true) return null;
  if (!Number.isInteger(status) || status < 200 || status > 599 || NULL_BODY_STATUSES.has(status)) return null;
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given) || given instanceof Headers)) return null;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((given ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string' || !PLAIN_NAME.test(name) || !PLAIN_VALUE.test(value)) return null;
    headers[name] = value;
  }
  let text: string | undefined;
  if (jsonBody !== undefined && jsonBody !== null) {
    text = JSON.stringify(jsonBody);
    if (text === undefined) return null;
    headers['content-type'] ??= 'application/json';
  } else if (typeof body === 'string') {
    text = body;
    headers['content-type'] ??= TEXT_CONTENT_TYPE;
  } else if (body !== undefined && body !== null) {
    return null;
  }
  return { status, headers, bytes: text === undefined ? Buffer.alloc(0) : Buffer.from(text, 'utf8') };
}

/** A one-line description of anything thrown; never throws itself. */
function describeError(error: unknown): string {
  try {
    return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  } catch {
    return 'an error that cannot be described';
  }
}

/**
 * Matches a route template of the Functions host (`silences/{id?}`: literal segments, `{name}` and an
 * optional `{name?}`) against a request's route; the parameters, decoded, or null when it does not match.
 */
export function matchRoute(template: string, route: string): Record<string, string> | null {
  const wanted = template.split('/');
  const given = route === '' ? [] : route.split('/');
  if (given.length > wanted.length) return null;
  const params = Object.create(null) as Record<string, string>;
  for (const [i, segment] of wanted.entries()) {
    const part = given[i];
    const param = /^\{(\w+)(\?)?\}$/.exec(segment);
    if (param === null) {
      if (part !== segment) return null;
      continue;
    }
    if (part === undefined && param[2] === '?') continue;
    if (part === undefined || part === '') return null;
    try {
      params[param[1]!] = decodeURIComponent(part);
    } catch {
      return null;
    }
  }
  return params;
}

/** A repeated query parameter keeps its first value, as `URLSearchParams.get` reads it in Azure. */
function firstValues(params: URLSearchParams): Record<string, string> {
  // No prototype: a parameter named __proto__ is a parameter like any other.
  const query = Object.create(null) as Record<string, string>;
  for (const [name, value] of params) if (!Object.hasOwn(query, name)) query[name] = value;
  return query;
}

function originOf(server: Server): string {
  const address = server.address();
  return typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : 'http://127.0.0.1';
}

export function createLocalHttpHost(options: LocalHttpHostOptions): Server {
  let origin: string | null = null;
  const server = createServer((req, res) => {
    const started = Date.now();
    // A client that goes away mid-request is not the host's failure.
    req.on('error', () => undefined);
    // Asked once per listen, not per request (server.address() showed in serve's profile under load).
    origin ??= originOf(server);
    // The query string is never logged: `?code=` carries the function key.
    const path = (req.url ?? '/').split('?')[0];
    handle(options, req, res, origin)
      .then(
        (status) => options.log(`${req.method} ${path} ${status} ${Date.now() - started} ms`),
        (error: unknown) => {
          // Whatever a handler throws, this request gets a 500 and the host goes on serving.
          options.log(`${req.method} ${path} 500 ${Date.now() - started} ms: ${describeError(error)}`);
          if (!res.headersSent) sendJson(res, 500, { error: 'the function failed; see the host log' });
          else res.end();
        },
      )
      .catch(() => res.destroy());
  });
  server.on('listening', () => void (origin = null));
  // CONNECT asks for a proxy tunnel, never a function: answer it rather than drop the connection.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  return server;
}
