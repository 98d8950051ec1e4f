import { HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { verify } from '../notify/standardWebhooks';
import { makeNotifyHandler, MAX_NOTIFY_BODY_BYTES, readLimited } from './notifyHandler';
import { sharedRuntime, type Runtime } from './runtime';

function refuse(status: number, error: string): HttpResponseInit {
  return { status, jsonBody: { error }, headers: { 'content-type': 'application/json; charset=utf-8' } };
}

/**
 * POST /api/notify/signed: the same notify function, authenticated by a Standard Webhooks signature
 * with NOTIFY_SIGNING_SECRET instead of a function key. The route is anonymous to the Functions host
 * (a key-level route is refused before any handler runs), so this handler is the authentication:
 * the signature is checked over the raw bytes before anything parses them.
 *
 * Replays: a captured request stops verifying 5 minutes after its timestamp. Inside that window it
 * can only ask again for the same event, and the delivery log (keyed by the event id) sends each
 * channel an event once, so a replay cannot produce a second message; no seen-id table is needed.
 */
export function makeSignedNotifyHandler(runtime: () => Runtime = sharedRuntime, now: () => Date = () => new Date()) {
  const notify = makeNotifyHandler(runtime);
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    if (request.method !== 'POST') return notify(request, context);
    const secret = runtime().config.notifySigningSecret;
    if (secret === null) {
      context.warn('notify/signed: refused: NOTIFY_SIGNING_SECRET is not set, so no signed request is accepted');
      return refuse(401, 'signed requests are not accepted: use /api/notify with a function key');
    }
    const declared = Number(request.headers.get('content-length') ?? '0');
    const raw = declared > MAX_NOTIFY_BODY_BYTES ? null : await readLimited(request, MAX_NOTIFY_BODY_BYTES);
    if (raw === null) return refuse(413, `the body is larger than ${MAX_NOTIFY_BODY_BYTES} bytes`);
    const verdict = verify(secret, request.headers, raw, now());
    if (!verdict.ok) {
      context.warn(`notify/signed: refused: ${verdict.reason}`);
      return refuse(401, `signature refused: ${verdict.reason}`);
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => void (headers[name] = value));
    const verified = new HttpRequest({ method: 'POST', url: request.url, headers, ...(raw.length > 0 ? { body: { bytes: raw } } : {}) });
    return notify(verified, context);
  };
}
