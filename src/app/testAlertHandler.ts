import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { redactingLogger } from '../log';
import { runTestAlert, type ChannelReport } from '../cli/notifyTest';
import { testAlertPage } from '../status/testAlertPage';
import { contextLogger } from './checkHandler';
import { sharedRuntime, type Runtime } from './runtime';

/** One press per this long per process: a stuck button (or a script) cannot spam a Teams channel. */
export const TEST_ALERT_INTERVAL_MS = 10_000;

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } };
}

function wantsHtml(request: HttpRequest): boolean {
  return /\btext\/html\b/i.test(request.headers.get('accept') ?? '');
}

function html(status: number, body: string, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    body,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      // The link back may carry the caller's own function key: never hand it to another site.
      'referrer-policy': 'no-referrer',
      ...headers,
    },
  };
}

/** The dashboard's address relative to /api/test-alert, with the key the caller used in the query, if any. */
function dashboardLink(request: HttpRequest): string {
  const code = request.query.get('code');
  return code === null || code === '' ? 'dashboard' : `dashboard?code=${encodeURIComponent(code)}`;
}

/**
 * POST /api/test-alert: a `test` alert on every configured channel now, answering each channel's
 * outcome: JSON `{channels: [{channel, outcome, detail}]}`, or with `Accept: text/html` (the dashboard's
 * plain form, scripts off) a small page with the outcomes and a link back. The body is ignored.
 */
export function makeTestAlertHandler(runtime: () => Runtime = sharedRuntime, now: () => Date = () => new Date()) {
  let lastPressAt: number | null = null;
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const asHtml = wantsHtml(request);
    const back = dashboardLink(request);
    const answer = (status: number, channels: ChannelReport[], error: string | null, headers: Record<string, string> = {}) =>
      asHtml ? html(status, testAlertPage({ channels, error, dashboardHref: back, at: now() }), headers) : json(status, error === null ? { channels } : { error }, headers);

    if (request.method !== 'POST') return answer(405, [], `method ${request.method} is not allowed: POST to send a test alert`, { allow: 'POST' });
    const at = now().getTime();
    if (lastPressAt !== null && at - lastPressAt < TEST_ALERT_INTERVAL_MS && at >= lastPressAt) {
      const wait = Math.max(1, Math.ceil((lastPressAt + TEST_ALERT_INTERVAL_MS - at) / 1000));
      return answer(429, [], `a test alert was sent less than ${TEST_ALERT_INTERVAL_MS / 1000} seconds ago: try again in ${wait} s`, { 'retry-after': String(wait) });
    }
    const rt = runtime();
    if (rt.config.notify === null && rt.channels.length === 0) {
      return answer(503, [], 'no alert channel is configured: set TEAMS_WEBHOOK_URL, EMAIL_FROM and EMAIL_TO, WEBHOOK_URL and WEBHOOK_SECRET, or NOTIFY_URL');
    }
    lastPressAt = at;
    const log = redactingLogger(contextLogger(context), rt.redact);
    const channels = await runTestAlert(rt, now, log);
    for (const c of channels) log.info(`test alert → ${c.channel}: ${c.outcome}${c.detail === null ? '' : `: ${c.detail}`}`);
    return answer(200, channels, null);
  };
}
