import { certificateStateAt, type CertificateFleetOptions } from './deviceCertificates';
import { adeToken, apnsCertificate, GraphDouble, vppToken, type DeviceCertificatePages } from './graphDouble';

/**
 * A tenant whose push certificate moves through a compressed year, so that every alert kind fires:
 * it approaches expiry, the monitor loses its permission for a while, the certificate expires, an
 * upload of the renewal fails, it is renewed with the same Apple ID, it is deleted from Intune by
 * mistake and uploaded again, and months later someone creates a new certificate under another Apple
 * ID instead of renewing. Test double only: production code
 * never imports this.
 */

const DAY = 86_400_000;
export const DEMO_TOPIC = 'com.apple.mgmt.External.8b9f2a3c-1d2e-4f50-9a6b-7c8d9e0f1a2b';
export const DEMO_NEW_TOPIC = 'com.apple.mgmt.External.0f0e0d0c-0b0a-4908-8706-050403020100';
/** Days from the first expiry to the last step. */
export const YEAR_SPAN_AFTER_EXPIRY = 201;

export interface TenantStep {
  /** Monitor clock for this check. */
  at: Date;
  /** What happens in the tenant just before the check, for the narration. */
  event: string | null;
  apply: (graph: GraphDouble) => void;
  /** After this check an admin acknowledges the open incidents, with this note. */
  acknowledge?: string;
}

export function compressedYear(expiry: Date): TenantStep[] {
  const renewed = new Date(expiry.getTime() + 365 * DAY);
  const before = (days: number) => new Date(expiry.getTime() - days * DAY);
  const original = (g: GraphDouble) => void (g.certificate = apnsCertificate(expiry.toISOString(), { topicIdentifier: DEMO_TOPIC }));
  const uploadFailed = (g: GraphDouble) =>
    void (g.certificate = apnsCertificate(expiry.toISOString(), { topicIdentifier: DEMO_TOPIC, certificateUploadStatus: 'failed', certificateUploadFailureReason: 'The uploaded file is not a renewal of this certificate' }));
  const renewal = (g: GraphDouble) =>
    void (g.certificate = apnsCertificate(renewed.toISOString(), { topicIdentifier: DEMO_TOPIC, lastModifiedDateTime: before(-2).toISOString(), certificateSerialNumber: '6B2C4D8E0F3A5B7C' }));
  const replaced = (g: GraphDouble) =>
    void (g.certificate = apnsCertificate(renewed.toISOString(), { topicIdentifier: DEMO_NEW_TOPIC, appleIdentifier: 'new-admin@contoso.com', certificateSerialNumber: '7C2E9A4B6D8F0A1C' }));
  const keep = () => undefined;
  const steps: TenantStep[] = [{ at: before(90), event: 'the tenant has a push certificate with 90 days left', apply: original }];
  for (const d of [75, 60, 45, 30, 21, 14, 10, 7, 5, 3, 2, 1]) steps.push({ at: before(d), event: null, apply: keep });
  steps.push(
    { at: before(0.9), event: "the monitor's Graph permission is removed by mistake", apply: (g) => void g.certificateScript.push({ status: 403 }) },
    { at: before(0.8), event: null, apply: (g) => void g.certificateScript.push({ status: 403 }) },
    { at: before(0.5), event: 'the permission is granted again', apply: keep },
    { at: before(-0.25), event: 'nobody renewed in time: the certificate expires', apply: keep },
    { at: before(-1), event: 'an admin uploads the wrong file in Intune', apply: uploadFailed },
    { at: before(-2), event: 'the admin renews the existing certificate with the same Apple ID', apply: renewal, acknowledge: 'renewed correctly; the failed upload was the wrong file' },
  );
  for (const d of [-30, -60, -90]) steps.push({ at: before(d), event: null, apply: keep });
  steps.push(
    { at: before(-100), event: 'the push certificate is deleted from Intune by mistake', apply: (g) => void (g.certificate = null) },
    { at: before(-100.5), event: null, apply: keep },
    { at: before(-101), event: 'the same certificate is uploaded again', apply: renewal },
  );
  for (const d of [-120, -150, -180]) steps.push({ at: before(d), event: null, apply: keep });
  steps.push(
    { at: before(-200), event: 'someone creates a NEW certificate under another Apple ID instead of renewing', apply: replaced },
    { at: before(-YEAR_SPAN_AFTER_EXPIRY), event: null, apply: keep, acknowledge: 'devices re-enrolled under the new topic' },
  );
  return steps;
}

export interface DemoTokens {
  vppTokens: Array<Record<string, unknown>>;
  depOnboardingSettings: Array<Record<string, unknown>>;
  /** What changed for the tokens at this moment, for the narration. */
  event: string | null;
}

/**
 * The tenant's VPP and ADE tokens at `at`, across the same compressed year (days counted from the push
 * certificate's first expiry): a VPP token nears expiry and is renewed, another turns invalid for a
 * while, and the ADE token's sync fails, recovers, goes stale and recovers, so every token alert kind
 * fires once.
 */
export function demoTokens(at: Date, expiry: Date): DemoTokens {
  const after = (days: number) => expiry.getTime() + days * DAY;
  const t = at.getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const fresh = iso(t - 3_600_000);
  const appsRenewed = t >= after(55);
  const schoolInvalid = t >= after(115) && t < after(145);
  const adeFailing = t >= after(29.5) && t < after(55);
  const adeStale = t >= after(175) && t < after(195);
  const vppTokens = [
    vppToken('vpp-contoso-apps', iso(appsRenewed ? after(425) : after(60)), { organizationName: 'Contoso Ltd', displayName: 'Contoso Apps', lastSyncDateTime: fresh }),
    vppToken('vpp-contoso-school', iso(after(300)), {
      organizationName: 'Contoso Academy',
      displayName: 'Contoso School',
      vppTokenAccountType: 'education',
      appleId: 'vpp-school@contoso.com',
      state: schoolInvalid ? 'invalid' : 'valid',
      lastSyncDateTime: fresh,
    }),
  ];
  const depOnboardingSettings = [
    adeToken('ade-contoso', iso(after(330)), {
      tokenName: 'Contoso ADE',
      lastSyncErrorCode: adeFailing ? 4012 : 0,
      lastSuccessfulSyncDateTime: adeStale ? iso(after(150)) : adeFailing ? iso(after(29.5)) : fresh,
    }),
  ];
  const near = (d: number) => Math.abs(t - after(d)) < DAY / 2;
  const event = near(30)
    ? "the ADE token's sync with Apple Business Manager starts failing (error 4012)"
    : near(60)
      ? 'the VPP token of Contoso Ltd is renewed with the same account; the ADE sync works again'
      : near(120)
        ? 'the VPP token of Contoso Academy turns invalid (its content token was replaced elsewhere)'
        : near(150)
          ? 'a fresh content token is uploaded for Contoso Academy'
          : near(180)
            ? 'the ADE token has not synced for a month'
            : near(200)
              ? 'the ADE token syncs again'
              : null;
  return { vppTokens, depOnboardingSettings, event };
}

/** The demo's device certificates: a fleet of this size across three issuers (see demoDeviceCertificates). */
export const DEMO_DEVICE_CERTIFICATES = 2400;

/**
 * The tenant's device certificates at `at` (issue 12): 2,400 SCEP, PKCS and Cloud PKI certificates
 * from three issuers, some renewed (the old copy superseded, before or after its renewal in the
 * pages), about 3% expiring within 30 days and one whose revocation failed. Devices keep renewing, so
 * the fleet looks the same relative to every check: the first check raises one alert per threshold and
 * the revocation warning, later ones nothing new. None is left expired (an expired one would be
 * reported once every day of the compressed year).
 */
export function demoDeviceCertificates(at: Date): DeviceCertificatePages {
  const options: CertificateFleetOptions = { count: DEMO_DEVICE_CERTIFICATES, now: at, supersededShare: 0.08, expiringShare: 0.03, expiredShare: 0, revokeFailed: 1, seed: 2027 };
  return {
    total: DEMO_DEVICE_CERTIFICATES,
    page: (skip, count) => Array.from({ length: count }, (_, i) => certificateStateAt(options, skip + i)),
  };
}
