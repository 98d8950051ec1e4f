import { expect, test } from 'vitest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { acknowledgeIncidents } from '../../src/incidents/acknowledge';
import { partOf, readMail } from '../doubles/mimeReader';
import { compressedYear, demoDeviceCertificates, demoTokens, YEAR_SPAN_AFTER_EXPIRY } from '../doubles/simulatedTenant';
import { certificateFleetTruth } from '../doubles/deviceCertificates';
import { checkAt, storageEnv, testRuntime, useDoubles } from '../support/harness';

const { graph, hook } = useDoubles();
const DAY = 86_400_000;

test("the demo's compressed year fires every alert kind of every credential, each event once", async () => {
  // The demo's channels: Teams and the webhook post to the receiver, email goes through the Graph double's sendMail.
  const runtime = testRuntime({
    ...graph.env(),
    ...storageEnv(),
    TENANT_NAME: 'Contoso (demo)',
    WEBHOOK_URL: hook.url('/demo'),
    WEBHOOK_SECRET: 'demo-year-webhook-secret',
    TEAMS_WEBHOOK_URL: hook.url('/teams'),
    EMAIL_FROM: 'apns-alerts@contoso.com',
    EMAIL_TO: 'intune-admins@contoso.com',
    WATCH: 'apns,vpp_token,ade_token,device_certificate',
  });
  hook.mailbox = () => graph.sentMail;
  const expiry = new Date(Date.now() - YEAR_SPAN_AFTER_EXPIRY * DAY - 5 * 60_000);
  for (const step of compressedYear(expiry)) {
    step.apply(graph);
    const tokens = demoTokens(step.at, expiry);
    graph.vppTokens = tokens.vppTokens;
    graph.depOnboardingSettings = tokens.depOnboardingSettings;
    graph.deviceCertificateStates = demoDeviceCertificates(step.at);
    await checkAt(runtime, step.at);
    if (step.acknowledge !== undefined) await acknowledgeIncidents(runtime.store, { ids: 'all', by: 'demo', note: step.acknowledge, at: step.at }, runtime.tokenSubjects.map((t) => t.subject), runtime.deviceCertificates?.store ?? null);
  }
  const events = hook.received.filter((r) => r.path === '/demo').map((r) => JSON.parse(r.body) as AlertEvent);
  const kinds = new Set(events.map((e) => `${e.subject}:${e.kind}`));
  for (const k of ['expiring', 'expired', 'renewed', 'topic_changed', 'apple_id_changed', 'upload_failed', 'removed', 'monitor_failing', 'monitor_recovered']) expect(kinds, k).toContain(`apns:${k}`);
  for (const k of ['vpp_token:expiring', 'vpp_token:renewed', 'vpp_token:token_invalid', 'ade_token:sync_failed', 'ade_token:sync_stale', 'ade_token:sync_recovered']) expect(kinds, k).toContain(k);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  // Device certificates: one alert per threshold and the failed revocation, once in the whole year
  // (the fleet keeps renewing, so it looks the same to every check).
  const devices = events.filter((e) => e.subject === 'device_certificate');
  expect(devices.map((e) => `${e.kind}:${e.thresholdDays}`)).toEqual(['expiring:30', 'expiring:14', 'expiring:7', 'expiring:1', 'revocation_failed:null']);
  // The year ends healthy: every incident was resolved or acknowledged. Only the device certificates
  // about to expire keep their own entry at warning (a few devices never make the tenant critical).
  const end = await checkAt(runtime, new Date());
  expect(end.subjects.filter((e) => e.subject !== 'device_certificate').map((e) => e.status)).toEqual(end.subjects.filter((e) => e.subject !== 'device_certificate').map(() => 'ok'));
  expect(end.openIncidents).toEqual([]);
  const truth = certificateFleetTruth({ count: 2400, now: new Date(), supersededShare: 0.08, expiringShare: 0.03, expiredShare: 0, revokeFailed: 1, seed: 2027 });
  expect(end.subjects.find((e) => e.subject === 'device_certificate')).toMatchObject({ status: truth.expiring > 0 ? 'warning' : 'ok' });

  // Every alert reached every channel once: a card and a mail per webhook event.
  expect(hook.received.filter((r) => r.path.startsWith('/teams'))).toHaveLength(events.length);
  expect(graph.sentMail).toHaveLength(events.length);
  const mails = graph.sentMail.map((m) => readMail(m.mime!));
  expect(mails.map((m) => m.headers.get('x-apns-monitor-alert-id')).sort()).toEqual(events.map((e) => e.id).sort());
  for (const m of mails) {
    expect(m.headers.get('subject')).toMatch(/^\[(INFO|WARNING|CRITICAL)\] Contoso \(demo\): /);
    expect(partOf(m, 'text/html')).not.toBeNull();
  }

  // The inbox page shows each channel as a person would see it, newest first, self-contained.
  const page = await (await fetch(hook.url('/'))).text();
  const count = (pattern: RegExp) => page.match(pattern)?.length ?? 0;
  expect(count(/<article class="message channel-teams"/g)).toBe(events.length);
  expect(count(/<article class="message channel-email"/g)).toBe(events.length);
  expect(count(/<article class="message channel-webhook"/g)).toBe(events.length);
  // Teams: the card approximated, with its large days and its buttons as links.
  expect(page).toContain('<span class="run size-extralarge weight-bolder color-warning">');
  expect(page).toContain('<a class="button" href="https://identity.apple.com/pushcert"');
  // Email: its HTML part in a sandboxed frame (escaped into srcdoc), with the subject as heading.
  expect(page).toMatch(/<iframe class="mail" sandbox="" loading="lazy" title="\[CRITICAL\] Contoso \(demo\): APNs certificate expires in 7 days" srcdoc="&#60;!DOCTYPE html&#62;/);
  // Webhook: the event's JSON, formatted and escaped.
  expect(page).toContain('  &#34;kind&#34;: &#34;expiring&#34;,');
  const times = [...page.matchAll(/<time datetime="([^"]+)"/g)].map((m) => Date.parse(m[1]!));
  expect(times).toEqual([...times].sort((a, b) => b - a));
  expect(page).not.toMatch(/<script|<link|src="http/);
  expect(page).toContain('@media (prefers-color-scheme:dark)');
});
