import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { MAX_RESPONSE_BYTES, readCappedBody } from '../net/cappedBody';
import { withTimeout } from '../net/deadline';

/** `GET /deviceManagement/applePushNotificationCertificate`: the call as an admin would name it. */
export function describeGraphCall(request: Context['request'], options: RequestInit | undefined): string {
  const url = typeof request === 'string' ? request : request.url;
  const method = (options?.method ?? (typeof request === 'string' ? 'GET' : request.method)).toUpperCase();
  let path: string;
  try {
    path = new URL(url).pathname.replace(/^.*?\/(v1\.0|beta)(?=\/)/, '');
  } catch {
    path = url;
  }
  return `${method} ${path}`;
}

/**
 * A larger body cap for one request, passed with `.middlewareOptions([new BodyCapOption(bytes)])`:
 * a collection read whose pages are legitimately bigger than 1 MiB (1,000 device certificates with
 * long X.500 names) raises its own cap, still bounded, without raising every other call's.
 */
export class BodyCapOption implements MiddlewareOptions {
  constructor(readonly maxBodyBytes: number) {}
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/**
 * The Graph client's last middleware, in place of its HTTPMessageHandler: one fetch with a deadline
 * (headers and body), whose body is read as a stream and cut off past 1 MiB (or the request's BodyCapOption). The response handed back
 * is the buffered copy, so the client parses it as usual.
 */
export class DeadlineHttpMessageHandler implements Middleware {
  constructor(
    private readonly timeoutMs: number,
    private readonly maxBodyBytes = MAX_RESPONSE_BYTES,
  ) {}

  async execute(context: Context): Promise<void> {
    const call = describeGraphCall(context.request, context.options);
    context.response = await withTimeout(
      `Graph ${call}`,
      this.timeoutMs,
      async (signal) => {
        const response = await fetch(context.request, { ...context.options, signal });
        const cap = context.middlewareControl?.getMiddlewareOptions(BodyCapOption) as BodyCapOption | undefined;
        const body = await readCappedBody(response.body, cap?.maxBodyBytes ?? this.maxBodyBytes, (limit) => `Graph answered a body larger than ${limit} for ${call}`);
        return new Response(body.length === 0 || NULL_BODY_STATUS.has(response.status) ? null : new Uint8Array(body), {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      },
      context.options?.signal,
    );
  }
}
