/**
 * A deterministic fleet of Intune device certificates, shaped like Graph's `managedAllDeviceCertificateState`
 * (beta `/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates`), for the Graph double,
 * the demo tenant, end-to-end tests and the benchmark.
 *
 * Every certificate is computed from (seed, position) alone, so one page of a 200,000-certificate fleet is
 * produced without building the others (`certificateStatePage`), and the whole fleet is the same objects in
 * the same order (`generateCertificateStates`). The fleet's ground truth (what a correct scan must find) comes
 * from `certificateFleetTruth`, computed from the same layout, so tests never restate the generator's rules.
 *
 * Layout. Logical slots [0, count) are, in order: the superseded (old) copy of each renewal pair, the renewed
 * copy of each pair, then single certificates (the expiring ones, the expired ones, the rest far away). Page
 * positions map onto slots through an affine permutation (position * A + B mod count), and renewed copies onto
 * pairs through a second one, so old and renewed copies land on different pages and the renewal comes before
 * the old copy for some pairs and after it for others.
 */

const DAY_MS = 86_400_000;

/** certificateRevocationStatus, as the reference page lists it: none, pending, issued, failed, revoked. */
export const REVOKE_STATUSES = ['none', 'pending', 'issued', 'failed', 'revoked'] as const;
export type RevokeStatus = (typeof REVOKE_STATUSES)[number];

/** The fields the issue lists, with Graph's names and types. */
export interface ManagedAllDeviceCertificateState {
  '@odata.type': '#microsoft.graph.managedAllDeviceCertificateState';
  id: string;
  certificateRevokeStatus: RevokeStatus;
  certificateRevokeStatusLastChangeDateTime: string;
  managedDeviceDisplayName: string;
  userPrincipalName: string;
  certificateExpirationDateTime: string;
  certificateIssuerName: string;
  certificateThumbprint: string;
  certificateSerialNumber: string;
  certificateSubjectName: string;
  certificateKeyUsages: number;
  certificateExtendedKeyUsages: string;
  certificateIssuanceDateTime: string;
}

export interface CertificateFleetOptions {
  count: number;
  /** The fleet's "now": expiries are placed relative to it. */
  now: Date;
  /** Issuer names; three by default. */
  issuers?: readonly string[];
  /** Share of `count` that is an old copy another certificate (same device, user, subject, issuer) supersedes. Default 0.05. */
  supersededShare?: number;
  /** Share of `count` not superseded and expiring within 30 days (not expired), spread evenly over 0-1, 2-7, 8-14, 15-30. Default 0.02. */
  expiringShare?: number;
  /** Share of `count` not superseded and already expired (1 to 60 days ago). Default 0.005. */
  expiredShare?: number;
  /** How many certificates have certificateRevokeStatus `failed` (all far from expiry, not superseded). Default 1. */
  revokeFailed?: number;
  seed?: number;
}

export const DEFAULT_ISSUERS: readonly string[] = [
  'CN=Contoso SCEP Issuing CA, O=Contoso, C=US',
  'CN=Contoso PKCS Issuing CA 2, O=Contoso, C=US',
  'CN=Contoso Cloud PKI Issuing CA, O=Contoso Ltd',
];

/** The buckets of whole days remaining the expiring certificates are spread over (model.ts DEVICE_CERT_BUCKETS). */
const EXPIRING_BUCKETS: ReadonlyArray<{ name: '0-1' | '2-7' | '8-14' | '15-30'; from: number; to: number }> = [
  { name: '0-1', from: 0, to: 1 },
  { name: '2-7', from: 2, to: 7 },
  { name: '8-14', from: 8, to: 14 },
  { name: '15-30', from: 15, to: 30 },
];

// ---- deterministic numbers ----

/** A 32-bit mix of the inputs (murmur3's finaliser over a running state): the same inputs, the same number. */
function hash(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    h = (h + 0x6b43a9b5) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

function hex32(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}

/** In [0, 1). */
function unit(...parts: number[]): number {
  return hash(...parts) / 2 ** 32;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** An affine permutation of [0, n): i → (i*a + b) mod n with gcd(a, n) = 1, a seeded from `salt`. */
interface Affine {
  n: number;
  a: number;
  b: number;
}

function affine(n: number, seed: number, salt: number): Affine {
  if (n <= 1) return { n, a: 1, b: 0 };
  // Start near the golden-ratio point of n so neighbours scatter, then step to the next unit of Z_n.
  let a = (Math.floor(n * 0.6180339887) + (hash(seed, salt) % Math.max(1, Math.floor(n / 7)))) % n;
  if (a < 1) a = 1;
  while (gcd(a, n) !== 1) a = (a + 1) % n || 1;
  return { n, a, b: hash(seed, salt, 1) % n };
}

function apply(p: Affine, i: number): number {
  // i*a stays below 2^53 for any n this double serves (n^2 < 2^53 up to n ≈ 94 million).
  return (i * p.a + p.b) % p.n;
}

// ---- the layout ----

interface Layout {
  count: number;
  pairs: number;
  singles: number;
  expiring: number;
  expired: number;
  revokeFailed: number;
  issuers: readonly string[];
  seed: number;
  nowMs: number;
  positions: Affine;
  renewals: Affine;
}

function layout(o: CertificateFleetOptions): Layout {
  const count = o.count;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number ≥ 0, got ${count}`);
  const share = (name: string, value: number): number => {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
    return Math.round(count * value);
  };
  const pairs = share('supersededShare', o.supersededShare ?? 0.05);
  const expiring = share('expiringShare', o.expiringShare ?? 0.02);
  const expired = share('expiredShare', o.expiredShare ?? 0.005);
  const revokeFailed = o.revokeFailed ?? Math.min(1, count);
  const singles = count - 2 * pairs;
  if (!Number.isInteger(revokeFailed) || revokeFailed < 0) throw new RangeError(`revokeFailed must be a whole number ≥ 0, got ${revokeFailed}`);
  if (singles < expiring + expired + revokeFailed) {
    throw new RangeError(`${count} certificates cannot hold ${pairs} renewal pairs, ${expiring} expiring, ${expired} expired and ${revokeFailed} failed revocations`);
  }
  const issuers = o.issuers ?? DEFAULT_ISSUERS;
  if (issuers.length === 0) throw new RangeError('issuers must name at least one issuer');
  const seed = o.seed ?? 1;
  const nowMs = o.now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('now is not a date');
  return { count, pairs, singles, expiring, expired, revokeFailed, issuers, seed, nowMs, positions: affine(count, seed, 11), renewals: affine(pairs, seed, 12) };
}

type Role = 'superseded' | 'renewal' | 'expiring' | 'expired' | 'far' | 'revokeFailed';

interface Slot {
  role: Role;
  /** The device (and its one certificate profile): old and renewed copies of a pair share it. */
  device: number;
  /** Index within the role (the pair index for superseded/renewal). */
  index: number;
}

function slotAt(l: Layout, slot: number): Slot {
  if (slot < l.pairs) return { role: 'superseded', device: slot, index: slot };
  if (slot < 2 * l.pairs) {
    const pair = apply(l.renewals, slot - l.pairs);
    return { role: 'renewal', device: pair, index: pair };
  }
  const j = slot - 2 * l.pairs;
  const device = l.pairs + j;
  if (j < l.expiring) return { role: 'expiring', device, index: j };
  if (j < l.expiring + l.expired) return { role: 'expired', device, index: j - l.expiring };
  if (j >= l.singles - l.revokeFailed) return { role: 'revokeFailed', device, index: j - (l.singles - l.revokeFailed) };
  return { role: 'far', device, index: j };
}

/** A version-4-shaped GUID from four numbers, lower case like Graph's ids. */
function guid(a: number, b: number, c: number, d: number): string {
  const x = [a, b, c, d].map(hex32).join('').toLowerCase();
  const variant = ((parseInt(x[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-${variant}${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

/** Graph writes seven fractional digits and Z. */
function graphDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

const KINDS = ['iPhone', 'iPad', 'MacBook', 'Surface', 'Pixel'] as const;
/**
 * Display names (a few from outside ASCII, as real fleets have them) and their sign-in names: Entra allows
 * only ASCII in a UPN, so the device name carries the accents and the UPN does not.
 */
const PEOPLE = [
  ['Ana', 'ana'],
  ['Bo', 'bo'],
  ['Zoë', 'zoe'],
  ['Jürgen', 'juergen'],
  ['Søren', 'soren'],
  ['Chloé', 'chloe'],
  ['Li', 'li'],
  ['Omar', 'omar'],
  ['Priya', 'priya'],
  ['Sam', 'sam'],
  ['Yuki', 'yuki'],
  ['Noa', 'noa'],
] as const;

function person(l: Layout, device: number): { name: string; upn: string } {
  // Two devices per user, as a phone and a tablet.
  const user = Math.floor(device / 2);
  const [name, login] = PEOPLE[hash(l.seed, user, 3) % PEOPLE.length]!;
  return { name, upn: `${login}.${user.toString().padStart(6, '0')}@contoso.com` };
}

/**
 * Whole days remaining d (floored) as an instant: now + d days + a part of a day kept away from both edges,
 * so a scan computing floor((expiry - now) / day) at this `now` gets exactly d.
 */
function expiryAt(l: Layout, days: number, ...salt: number[]): number {
  const within = 0.05 + 0.9 * unit(l.seed, ...salt, 7);
  return l.nowMs + Math.floor((days + within) * DAY_MS);
}

function expiringDays(l: Layout, s: Slot, salt: number): number {
  const bucket = EXPIRING_BUCKETS[s.index % EXPIRING_BUCKETS.length]!;
  return bucket.from + (hash(l.seed, s.device, salt) % (bucket.to - bucket.from + 1));
}

/** Whole days remaining of the certificate in this slot, at the fleet's now. */
function daysOf(l: Layout, s: Slot): number {
  switch (s.role) {
    case 'superseded':
      // Renewal pairs are what makes supersession matter: the old copy is at risk (or just expired) unless dropped.
      return s.index % 5 === 4 ? -1 - (hash(l.seed, s.device, 21) % 20) : expiringDays(l, s, 22);
    case 'renewal':
      return daysOf(l, { ...s, role: 'superseded' }) + 365;
    case 'expiring':
      return expiringDays(l, s, 23);
    case 'expired':
      return -1 - (hash(l.seed, s.device, 24) % 60);
    case 'far':
    case 'revokeFailed':
      return 31 + (hash(l.seed, s.device, 25) % 340);
  }
}

function stateAt(l: Layout, position: number): { slot: Slot; state: ManagedAllDeviceCertificateState } {
  const slot = slotAt(l, apply(l.positions, position));
  const copy = slot.role === 'renewal' ? 1 : 0;
  const { name, upn } = person(l, slot.device);
  const kind = KINDS[hash(l.seed, slot.device, 4) % KINDS.length]!;
  const issuer = l.issuers[hash(l.seed, slot.device, 5) % l.issuers.length]!;
  const h = (k: number): number => hash(l.seed, slot.device, copy, 100 + k);
  const expiresMs = expiryAt(l, daysOf(l, slot), slot.device, copy);
  const issuedMs = expiresMs - 365 * DAY_MS;
  const revoke: RevokeStatus = slot.role === 'revokeFailed' ? 'failed' : slot.role === 'far' && h(9) % 50 === 0 ? (['pending', 'issued', 'revoked'] as const)[h(10) % 3]! : 'none';
  const state: ManagedAllDeviceCertificateState = {
    '@odata.type': '#microsoft.graph.managedAllDeviceCertificateState',
    id: guid(h(0), h(1), h(2), h(3)),
    certificateRevokeStatus: revoke,
    // Graph's empty DateTimeOffset when the status never changed.
    certificateRevokeStatusLastChangeDateTime: revoke === 'none' ? '0001-01-01T00:00:00Z' : graphDate(l.nowMs - (1 + (h(11) % 10)) * DAY_MS),
    managedDeviceDisplayName: `${name}'s ${kind} ${slot.device.toString().padStart(6, '0')}`,
    userPrincipalName: upn,
    certificateExpirationDateTime: graphDate(expiresMs),
    certificateIssuerName: issuer,
    certificateThumbprint: [h(5), h(6), h(7), h(8), hash(l.seed, slot.device, copy, 200)].map(hex32).join(''),
    // Intune CA serials: a fixed prefix, then unique hex.
    certificateSerialNumber: `61${hex32(hash(l.seed, slot.device, copy, 201))}${hex32(hash(l.seed, slot.device, copy, 202))}${(slot.device * 2 + copy).toString(16).toUpperCase().padStart(8, '0')}`,
    // The subject names the user and the profile, so old and renewed copies share it.
    certificateSubjectName: `CN=${upn}, OU=${kind === 'MacBook' ? 'Mac' : 'Mobile'} Wi-Fi`,
    // digitalSignature | keyEncipherment.
    certificateKeyUsages: 160,
    certificateExtendedKeyUsages: 'Client Authentication (1.3.6.1.5.5.7.3.2)',
    certificateIssuanceDateTime: graphDate(issuedMs),
  };
  return { slot, state };
}

// ---- the public face ----

/** The certificate at one page position (0-based, in the order Graph serves them). */
export function certificateStateAt(options: CertificateFleetOptions, position: number): ManagedAllDeviceCertificateState {
  const l = layout(options);
  if (!Number.isInteger(position) || position < 0 || position >= l.count) throw new RangeError(`position ${position} is outside 0..${l.count - 1}`);
  return stateAt(l, position).state;
}

/** Page `index` (0-based) of `pageSize` certificates; the last page may be short, a page past the end is empty. */
export function certificateStatePage(options: CertificateFleetOptions, index: number, pageSize: number): ManagedAllDeviceCertificateState[] {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a whole number ≥ 1, got ${pageSize}`);
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`index must be a whole number ≥ 0, got ${index}`);
  const l = layout(options);
  const page: ManagedAllDeviceCertificateState[] = [];
  for (let p = index * pageSize; p < Math.min(l.count, (index + 1) * pageSize); p++) page.push(stateAt(l, p).state);
  return page;
}

export function certificatePageCount(options: CertificateFleetOptions, pageSize: number): number {
  return Math.ceil(layout(options).count / pageSize);
}

/** The whole fleet as one array (for a few thousand; use certificateStatePage for large fleets). */
export function generateCertificateStates(options: CertificateFleetOptions): ManagedAllDeviceCertificateState[] {
  const l = layout(options);
  const all: ManagedAllDeviceCertificateState[] = [];
  for (let p = 0; p < l.count; p++) all.push(stateAt(l, p).state);
  return all;
}

/** What a correct scan of the fleet at its `now` finds (buckets of whole days remaining, floored). */
export interface CertificateFleetTruth {
  count: number;
  /** Old copies another certificate of the same device, user, subject and issuer outlives. */
  superseded: number;
  /** Not superseded, not expired, at most 30 whole days left. */
  expiring: number;
  /** Not superseded and expired. */
  expired: number;
  revokeFailed: number;
  /** Not superseded, by whole days remaining; `31+` stays 0 (the window is 30 days). */
  buckets: { expired: number; '0-1': number; '2-7': number; '8-14': number; '15-30': number; '31+': number };
  /** Per issuer: not superseded and expiring within 30 days or expired. */
  atRiskByIssuer: Record<string, number>;
  /** Thumbprints of the superseded copies (for tests asserting none of them is reported). */
  supersededThumbprints: string[];
}

/** Iterates the fleet once (no array of it is kept beyond the superseded thumbprints). */
export function certificateFleetTruth(options: CertificateFleetOptions): CertificateFleetTruth {
  const l = layout(options);
  const truth: CertificateFleetTruth = {
    count: l.count,
    superseded: 0,
    expiring: 0,
    expired: 0,
    revokeFailed: 0,
    buckets: { expired: 0, '0-1': 0, '2-7': 0, '8-14': 0, '15-30': 0, '31+': 0 },
    atRiskByIssuer: {},
    supersededThumbprints: [],
  };
  for (let p = 0; p < l.count; p++) {
    const { slot, state } = stateAt(l, p);
    if (state.certificateRevokeStatus === 'failed') truth.revokeFailed++;
    if (slot.role === 'superseded') {
      truth.superseded++;
      truth.supersededThumbprints.push(state.certificateThumbprint);
      continue;
    }
    const days = Math.floor((Date.parse(state.certificateExpirationDateTime) - l.nowMs) / DAY_MS);
    if (days > 30) continue;
    const bucket = days < 0 ? 'expired' : days <= 1 ? '0-1' : days <= 7 ? '2-7' : days <= 14 ? '8-14' : '15-30';
    truth.buckets[bucket]++;
    if (days < 0) truth.expired++;
    else truth.expiring++;
    truth.atRiskByIssuer[state.certificateIssuerName] = (truth.atRiskByIssuer[state.certificateIssuerName] ?? 0) + 1;
  }
  return truth;
}
