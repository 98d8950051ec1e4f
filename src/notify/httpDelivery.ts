import { createHash } from 'node:crypto';
import type { DeliveryOutcome } from './notifier';

export const DELIVERY_TIMEOUT_MS = 15_000;

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

function causeCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (error instanceof Error && error.name === 'TimeoutError') return `timed out after ${DELIVERY_TIMEOUT_MS / 1000} s`;
  return typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : 'unknown error';
}

/**
 * POSTs one body and classifies the answer. The URL is never part of the reason: for webhooks it is
 * the secret.
 */
export async function postForDelivery(channel: string, url: string, body: string, headers: Record<string, string>): Promise<DeliveryOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'apns-expiry-monitor', ...headers },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    return classifyResponse(channel, response.status, response.statusText, response.headers.get('retry-after'));
  } catch (error) {
    return { result: 'retry-later', reason: `${channel} unreachable: ${causeCode(error)}`, retryAfterSeconds: null };
  }
}
