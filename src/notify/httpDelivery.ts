import { createHash } from 'node:crypto';
import { readCappedBody } from '../net/cappedBody';
import { seconds } from '../net/deadline';
import type { DeliveryOutcome } from './notifier';

/** HTTP_TIMEOUT_SECONDS' default; the configured value is passed in by the runtime. */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
/** A channel's answer is only classified by its status; its body is read (to reuse the connection) up to this. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A target fingerprint that reveals nothing of a secret URL. */
export function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - now) / 1000));
}

/** 2xx taken; 408/429/5xx retried (honouring Retry-After); any other answer will not get better. */
export function classifyResponse(channel: string, status: number, statusText: string, retryAfter: string | null): DeliveryOutcome {
  if (status >= 200 && status < 300) return { result: 'delivered' };
  const what = `${channel} answered ${status}${statusText ? ` ${statusText}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) {
    return { result: 'retry-later', reason: what, retryAfterSeconds: parseRetryAfter(retryAfter) };
  }
  return { result: 'failed-for-good', reason: what };
}

function causeCode(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `timed out after ${seconds(timeoutMs)}`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : 'unknown error';
}

/**
 * POSTs one body and classifies the answer. The URL is never part of the reason: for webhooks it is
 * the secret.
 */
export async function postForDelivery(channel: string, url: string, body: string, headers: Record<string, string>, timeoutMs = DEFAULT_HTTP_TIMEOUT_MS): Promise<DeliveryOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'apns-expiry-monitor', ...headers },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await readCappedBody(response.body, MAX_ANSWER_BYTES, (limit) => `over ${limit}`).catch(() => undefined);
    return classifyResponse(channel, response.status, response.statusText, response.headers.get('retry-after'));
  } catch (error) {
    return { result: 'retry-later', reason: `${channel} unreachable: ${causeCode(error, timeoutMs)}`, retryAfterSeconds: null };
  }
}
