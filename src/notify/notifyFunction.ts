import type { NotifyEndpointConfig } from '../config';
import type { AlertEvent } from '../domain/alertEvent';
import { MAX_RESPONSE_BYTES, readCappedBody } from '../net/cappedBody';
import { seconds } from '../net/deadline';
import { classifyResponse, DEFAULT_HTTP_TIMEOUT_MS, fingerprint } from './httpDelivery';
import { signedHeaders } from './standardWebhooks';
import type { DeliveryOutcome, Notifier } from './notifier';

/** What the notify function answers (see src/app/notifyHandler.ts). */
export interface NotifyResponse {
  id: string;
  pending: boolean;
  channels: Array<{ channel: string; outcome: string; detail: string | null }>;
}

function isNotifyResponse(v: unknown): v is NotifyResponse {
  const r = v as Partial<NotifyResponse> | null;
  return typeof r === 'object' && r !== null && typeof r.pending === 'boolean' && Array.isArray(r.channels);
}

/**
 * How long the check waits for the notify function: it posts to up to three channels in turn, each
 * with HTTP_TIMEOUT_SECONDS, so it gets that four times over before the alert is left for a retry.
 */
export function forwarderTimeoutMs(httpTimeoutMs: number): number {
  return httpTimeoutMs * 4;
}

/** Posts one event to the notify function; the report is its per-channel answer when it gave one. */
export async function sendToNotifyFunction(
  config: NotifyEndpointConfig,
  event: AlertEvent,
  httpTimeoutMs = DEFAULT_HTTP_TIMEOUT_MS,
): Promise<{ outcome: DeliveryOutcome; report: NotifyResponse | null }> {
  const timeoutMs = forwarderTimeoutMs(httpTimeoutMs);
  const signal = AbortSignal.timeout(timeoutMs);
  const unreachable = (error: unknown) => {
    const cause = signal.aborted ? `timed out after ${seconds(timeoutMs)}` : ((error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.name : 'error'));
    return { outcome: { result: 'retry-later' as const, reason: `notify function unreachable: ${cause}`, retryAfterSeconds: null }, report: null };
  };
  let response: Response;
  const payload = JSON.stringify(event);
  try {
    response = await fetch(config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(config.key === null ? {} : { 'x-functions-key': config.key }),
        // A fresh id and timestamp per attempt: the event id already makes delivery idempotent.
        ...(config.signingSecret === null ? {} : signedHeaders(config.signingSecret, payload)),
      },
      body: payload,
      redirect: 'error',
      signal,
    });
  } catch (error) {
    return unreachable(error);
  }
  let text: string;
  try {
    text = (await readCappedBody(response.body, MAX_RESPONSE_BYTES, (limit) => `answered more than ${limit}`)).toString('utf8');
  } catch (error) {
    if (signal.aborted) return unreachable(error);
    text = '';
  }
  if (response.status !== 202 && response.status !== 200) {
    const outcome = classifyResponse('notify function', response.status, response.statusText, response.headers.get('retry-after'));
    const error = /"error"\s*:\s*"([^"]{1,300})"/.exec(text)?.[1];
    return { outcome: error === undefined || outcome.result === 'delivered' ? outcome : { ...outcome, reason: `${outcome.reason}: ${error}` }, report: null };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!isNotifyResponse(body)) return { outcome: { result: 'retry-later', reason: 'notify function answered without a delivery report', retryAfterSeconds: null }, report: null };
  if (!body.pending) return { outcome: { result: 'delivered' }, report: body };
  const owedChannels = body.channels.filter((c) => c.outcome !== 'delivered' && c.outcome !== 'already-delivered');
  const owed = owedChannels.map((c) => `${c.channel}: ${c.outcome}${c.detail === null ? '' : ` (${c.detail})`}`);
  // Every channel still owing it refused for good: posting again changes nothing until a setting does
  // (the notifier's target includes the channels', so a corrected one is forwarded again).
  if (owedChannels.length > 0 && owedChannels.every((c) => c.outcome === 'failed-for-good')) {
    return { outcome: { result: 'failed-for-good', reason: `notify function: ${owed.join('; ')}` }, report: body };
  }
  return { outcome: { result: 'retry-later', reason: `notify function: ${owed.join('; ') || 'delivery in progress'}`, retryAfterSeconds: null }, report: body };
}

/**
 * The check's channel when NOTIFY_URL is set: posts the alert to the notify function, which delivers
 * it to Teams, email and webhook exactly once per channel. The alert stays pending here until the
 * function reports that no channel still owes it.
 */
export class NotifyFunctionNotifier implements Notifier {
  readonly name = 'notify';
  readonly target: string;

  constructor(
    private readonly config: NotifyEndpointConfig,
    private readonly httpTimeoutMs = DEFAULT_HTTP_TIMEOUT_MS,
    /** The targets of the channels the notify function delivers to (the same app's settings), when known. */
    channelTargets: readonly string[] = [],
  ) {
    // The key is part of the target: a corrected NOTIFY_KEY retries alerts refused with 401.
    // So is the signing secret: a rotated one retries alerts refused with 401. And so are the
    // channels': an alert a channel refused for good is forwarded again once that channel is corrected.
    const parts = [config.url, config.key ?? '', ...(config.signingSecret === null ? [] : [config.signingSecret]), ...channelTargets];
    this.target = fingerprint(...parts);
  }

  async notify(event: AlertEvent): Promise<DeliveryOutcome> {
    return (await sendToNotifyFunction(this.config, event, this.httpTimeoutMs)).outcome;
  }
}
