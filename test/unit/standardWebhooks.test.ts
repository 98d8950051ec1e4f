import { describe, expect, test } from 'vitest';
import { signature, signedHeaders, TOLERANCE_SECONDS, verify } from '../../src/notify/standardWebhooks';

const headers = (h: Record<string, string>) => new Headers(h);

describe('Standard Webhooks signatures', () => {
  test('the specification\'s published test vector', () => {
    // From the Standard Webhooks specification's reference tests.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const sig = signature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    const at = new Date(1614265330 * 1000);
    const ok = verify(secret, headers({ 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': sig }), '{"test": 2432232314}', at);
    expect(ok).toEqual({ ok: true, id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330 });
  });

  const secret = '6f1c2d3e-4a5b-4c6d-8e9f-a0b1c2d3e4f5'; // a newGuid() as the deployment generates
  const body = '{"id":"apns-expiring-1","kind":"expiring"}';
  const now = new Date('2026-12-26T10:00:00Z');
  const signed = signedHeaders(secret, body, now, 'msg_1');

  test('round trip, and a rotated secret list: any one valid v1 signature is enough', () => {
    expect(verify(secret, headers(signed), body, now)).toMatchObject({ ok: true, id: 'msg_1' });
    const both = { ...signed, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${signed['webhook-signature']}` };
    expect(verify(secret, headers(both), body, now).ok).toBe(true);
  });

  test('a tampered body is refused', () => {
    expect(verify(secret, headers(signed), body.replace('expiring', 'renewed'), now)).toEqual({ ok: false, reason: 'no valid v1 signature' });
  });

  test('the wrong secret is refused', () => {
    expect(verify('another-secret-of-some-length', headers(signed), body, now)).toEqual({ ok: false, reason: 'no valid v1 signature' });
  });

  test('an old (or future) timestamp is refused, even with a valid signature', () => {
    const late = new Date(now.getTime() + (TOLERANCE_SECONDS + 1) * 1000);
    const early = new Date(now.getTime() - (TOLERANCE_SECONDS + 1) * 1000);
    expect(verify(secret, headers(signed), body, late)).toMatchObject({ ok: false, reason: expect.stringContaining('webhook-timestamp is more than 300 seconds') as unknown });
    expect(verify(secret, headers(signed), body, early).ok).toBe(false);
    expect(verify(secret, headers(signed), body, new Date(now.getTime() + TOLERANCE_SECONDS * 1000)).ok).toBe(true);
  });

  test('missing or malformed headers are refused, naming the header, never the secret', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ...signed, 'webhook-id': '' }, /webhook-id/],
      [{ 'webhook-timestamp': signed['webhook-timestamp'], 'webhook-signature': signed['webhook-signature'] }, /webhook-id/],
      [{ ...signed, 'webhook-timestamp': '12.5' }, /webhook-timestamp/],
      [{ ...signed, 'webhook-signature': '' }, /webhook-signature/],
      [{ ...signed, 'webhook-signature': signed['webhook-signature'].replace('v1,', 'v2,') }, /no valid v1 signature/],
      [{ ...signed, 'webhook-signature': 'v1,not base64 at all!' }, /no valid v1 signature/],
    ];
    for (const [h, reason] of cases) {
      const result = verify(secret, headers(h), body, now);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason).toMatch(reason);
        expect(result.reason).not.toContain(secret);
      }
    }
  });

  test('the id is bound into the signature: the same signature under another id fails', () => {
    expect(verify(secret, headers({ ...signed, 'webhook-id': 'msg_2' }), body, now).ok).toBe(false);
  });
});
