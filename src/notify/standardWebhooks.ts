import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the sender signs
 * `{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256, so a receiver can check both who sent
 * the body and when; a captured request stops verifying once its timestamp leaves the tolerance.
 * The notify function's signed route and the outgoing webhook channel share this one module.
 */

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** How far a timestamp may be from the receiver's clock, either way (the spec's suggestion). */
export const TOLERANCE_SECONDS = 5 * 60;

/**
 * The HMAC key. A `whsec_`-prefixed secret is base64 (the spec's format); any other string (such as
 * the GUID the deployment generates) is used as its UTF-8 bytes.
 */
export function secretKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

export function signature(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secretKey(secret));
  mac.update(`${id}.${timestamp}.`, 'utf8');
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

export type SignedHeaders = Record<typeof WEBHOOK_ID_HEADER | typeof WEBHOOK_TIMESTAMP_HEADER | typeof WEBHOOK_SIGNATURE_HEADER, string>;

/** The three headers for one request; `id` should be stable across retries of the same message. */
export function signedHeaders(secret: string, body: string, now: Date = new Date(), id: string = `msg_${randomUUID()}`): SignedHeaders {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: signature(secret, id, timestamp, body),
  };
}

export type Verification = { ok: true; id: string; timestamp: number } | { ok: false; reason: string };

/**
 * Checks the headers against the raw body bytes, before anything parses them. Fails closed: a
 * missing header, a timestamp outside the tolerance or no matching `v1` signature is refused, and the
 * reason never contains the secret or the expected signature.
 */
export function verify(secret: string, headers: { get(name: string): string | null }, body: string | Buffer, now: Date = new Date()): Verification {
  const id = headers.get(WEBHOOK_ID_HEADER);
  const timestampRaw = headers.get(WEBHOOK_TIMESTAMP_HEADER);
  const signatures = headers.get(WEBHOOK_SIGNATURE_HEADER);
  if (id === null || id === '' || id.length > 256) return { ok: false, reason: `missing or invalid ${WEBHOOK_ID_HEADER} header` };
  if (timestampRaw === null || !/^\d{1,12}$/.test(timestampRaw)) return { ok: false, reason: `missing or invalid ${WEBHOOK_TIMESTAMP_HEADER} header (Unix seconds)` };
  if (signatures === null || signatures === '') return { ok: false, reason: `missing ${WEBHOOK_SIGNATURE_HEADER} header` };
  const timestamp = Number(timestampRaw);
  const skew = Math.abs(now.getTime() / 1000 - timestamp);
  if (skew > TOLERANCE_SECONDS) return { ok: false, reason: `${WEBHOOK_TIMESTAMP_HEADER} is more than ${TOLERANCE_SECONDS} seconds from now` };
  const expected = Buffer.from(signature(secret, id, timestamp, body).slice(3), 'base64');
  // The header may carry several space-separated signatures (secret rotation); one valid v1 is enough.
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || value === undefined) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, id, timestamp };
  }
  return { ok: false, reason: 'no valid v1 signature' };
}
