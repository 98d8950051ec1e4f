import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
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
  log: (line: string) => void;
}

/** Like the Functions host's own cap; the handlers apply their own, smaller limits. */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

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

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function handle(options: LocalHttpHostOptions, req: IncomingMessage, res: ServerResponse, origin: string): Promise<number> {
  const url = new URL(req.url ?? '/', origin);
  const method = (req.method ?? 'GET').toUpperCase();
  const route = url.pathname.startsWith('/api/') ? url.pathname.slice(5).replace(/\/+$/, '') : null;
  const definition = options.functions.find((f) => f.route === route);
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
  const body = await readBody(req);
  if (body === null) {
    sendJson(res, 413, { error: 'request body too large' });
    return 413;
  }
  const request = new HttpRequest({
    method,
    url: url.toString(),
    headers: toHeaders(req),
    query: Object.fromEntries(url.searchParams),
    params: {},
    ...(body.length > 0 ? { body: { bytes: body } } : {}),
  });
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: definition.name,
    logHandler: (level, ...args) => options.log(`[${definition.name}] ${level}: ${args.map(String).join(' ')}`),
  });
  const result = await definition.handler(request, context);
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => void (headers[name] = value));
  const bytes = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(method === 'HEAD' ? undefined : bytes);
  return response.status;
}

export function createLocalHttpHost(options: LocalHttpHostOptions): Server {
  const server = createServer((req, res) => {
    const started = Date.now();
    const address = server.address();
    const origin = typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : 'http://127.0.0.1';
    // The query string is never logged: `?code=` carries the function key.
    const path = (req.url ?? '/').split('?')[0];
    handle(options, req, res, origin).then(
      (status) => options.log(`${req.method} ${path} ${status} ${Date.now() - started} ms`),
      (error: unknown) => {
        options.log(`${req.method} ${path} 500 ${Date.now() - started} ms: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { error: 'the function failed; see the host log' });
        else res.end();
      },
    );
  });
  return server;
}
