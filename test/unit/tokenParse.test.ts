import { describe, expect, test } from 'vitest';
import { parseAdeTokens } from '../../src/subjects/ade_token/reader';
import type { Json } from '../../src/subjects/parse';
import { parseVppTokens } from '../../src/subjects/vpp_token/reader';

/** A small deterministic generator of hostile JSON values. */
function* values(seed: number): Generator<unknown> {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pool: unknown[] = [null, undefined, '', ' ', 0, -1, 2 ** 31, 1.5, NaN, true, [], {}, 'x'.repeat(10_000), '0001-01-01T00:00:00Z', '2027-02-30T00:00:00Z', '2027-03-01T00:00:00Z', '\u0000\n"\\', { nested: 'object' }, ['2027-03-01T00:00:00Z']];
  for (;;) yield pool[Math.floor(rnd() * pool.length)];
}

const VPP_KEYS = ['id', 'organizationName', 'appleId', 'vppTokenAccountType', 'expirationDateTime', 'lastSyncDateTime', 'lastSyncStatus', 'state', 'countryOrRegion', 'lastModifiedDateTime', 'displayName', 'locationName', 'token'];
const ADE_KEYS = ['id', 'appleIdentifier', 'tokenName', 'tokenType', 'tokenExpirationDateTime', 'lastSuccessfulSyncDateTime', 'lastSyncTriggeredDateTime', 'lastSyncErrorCode', 'syncedDeviceCount', 'lastModifiedDateTime'];

function entity(keys: string[], gen: Generator<unknown>): Json {
  const e: Json = {};
  for (const k of keys) {
    const v = gen.next().value;
    if (v !== undefined) e[k] = v;
  }
  e['token'] = 'SECRET-VPP-TOKEN-VALUE';
  return e;
}

describe('token parsing never throws, bounds every string and drops the secret', () => {
  test.each([1, 2, 3, 4, 5])('seed %i: 300 hostile entities', (seed) => {
    const gen = values(seed);
    for (let i = 0; i < 300; i++) {
      for (const [parse, keys] of [
        [parseVppTokens, VPP_KEYS],
        [parseAdeTokens, ADE_KEYS],
      ] as const) {
        const out = parse([entity(keys, gen)]);
        const json = JSON.stringify(out);
        expect(json).not.toContain('SECRET-VPP-TOKEN-VALUE');
        if (out.kind === 'failed') {
          expect(out.error).toMatch(/without an id/);
          expect(out.error.length).toBeLessThan(400);
          continue;
        }
        for (const t of out.tokens) {
          for (const v of Object.values(t)) if (typeof v === 'string') expect(v.length).toBeLessThanOrEqual(1024);
          const expiry = 'expirationDateTime' in t ? t.expirationDateTime : t.tokenExpirationDateTime;
          expect(expiry === null ? t.expiryError : expiry).toMatch(expiry === null ? /no usable/ : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        }
      }
    }
  });
});
