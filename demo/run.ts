/**
 * `npm run demo`: the whole monitor on this machine, with no Azure account. Azurite (from
 * node_modules, in memory), a simulated tenant behind a loopback Graph/Entra double, and a local
 * inbox that receives what Teams and the signed webhook would. The real check runs across a
 * compressed year that ends now, so every alert kind fires; then the function app is served as
 * `apns-monitor serve` would serve it, dashboard included. `--once` exits instead (for CI).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { checkDeps, createRuntime } from '../src/app/runtime';
import { runCheck } from '../src/check/runCheck';
import { acknowledgeIncidents } from '../src/incidents/acknowledge';
import { statusLine } from '../src/cli/format';
import { plural } from '../src/render/words';
import { channelLines } from '../src/cli/channelLines';
import { runTestAlert } from '../src/cli/notifyTest';
import { checkSilenceInput } from '../src/silences/input';
import { loadChannelHealth } from '../src/status/readModel';
import type { Runtime } from '../src/app/runtime';
import type { AlertEvent } from '../src/domain/alertEvent';
import { startLocalHost } from '../src/localHost/serve';
import { startAzurite } from '../test/doubles/azurite';
import { GraphDouble } from '../test/doubles/graphDouble';
import { readMail } from '../test/doubles/mimeReader';
import { compressedYear, demoDeviceCertificates, demoTokens, YEAR_SPAN_AFTER_EXPIRY } from '../test/doubles/simulatedTenant';
import { WebhookReceiver, type ReceivedRequest } from '../test/doubles/webhookReceiver';

const once = process.argv.includes('--once');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const DAY = 86_400_000;

function describeDelivery(r: ReceivedRequest, secret: string): string {
  const body = JSON.parse(r.body) as Record<string, unknown>;
  if (r.path.startsWith('/teams')) {
    // fallbackText is the card's title, as a notification shows it.
    const card = (body['attachments'] as Array<{ content: { fallbackText?: string } }>)[0]!.content;
    return `Teams card: "${card.fallbackText ?? ''}"`;
  }
  const event = body as unknown as AlertEvent;
  const about =
    event.subject === 'apns' ? '' : event.subject === 'device_certificate' ? ` ${event.count ?? ''} device certificates` : ` ${event.subject === 'vpp_token' ? 'VPP' : 'ADE'} "${event.subjectName ?? event.subjectId ?? ''}"`;
  const signed = r.headers['x-signature-256'] === `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
  return `webhook: [${event.severity}]${about} ${event.kind}${event.thresholdDays === null ? '' : ` (${event.thresholdDays}-day threshold)`} ${signed ? '(signature verified)' : '(BAD SIGNATURE)'}`;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A silence added as `apns-monitor silence add` would, printed with that command. */
async function addSilence(runtime: Runtime, at: Date, request: { subject: string; subjectId?: string; kind: string; until: string; reason: string }): Promise<void> {
  const checked = checkSilenceInput({ ...request, by: 'demo admin' }, at, runtime.config.displayTimeZone);
  if (!checked.ok) throw new Error(`the demo's silence was refused: ${checked.field} ${checked.problem}`);
  const silence = await runtime.silences.add(checked.silence, at);
  const subject = request.subjectId === undefined ? request.subject : `${request.subject}:${request.subjectId}`;
  console.log(`  ── the admin silences them: apns-monitor silence add --subject ${subject} --kind ${request.kind} --until ${request.until} --reason "${request.reason}" --by "demo admin"  → ${silence.id}`);
}

async function main(): Promise<number> {
  console.log('Starting Azurite (in memory), the simulated tenant and a local inbox…');
  const azurite = await startAzurite();
  const graph = await new GraphDouble().start();
  const inbox = await new WebhookReceiver().start();
  const secret = randomBytes(24).toString('hex');
  // The inbox page shows the mail the Graph double took beside the Teams and webhook posts.
  inbox.mailbox = () => graph.sentMail;
  const stopAll = async () => {
    await inbox.close();
    await graph.close();
    await azurite.stop();
  };
  try {
    const runtime = createRuntime(
      {
        ...graph.env(),
        AzureWebJobsStorage: azurite.connectionString,
        TENANT_NAME: 'Contoso (demo)',
        TEAMS_WEBHOOK_URL: inbox.url('/teams'),
        // Mail goes through the Graph double's sendMail, as MIME, like Graph's.
        EMAIL_FROM: 'apns-alerts@contoso.com',
        EMAIL_TO: 'intune-admins@contoso.com',
        WEBHOOK_URL: inbox.url('/webhook'),
        WEBHOOK_SECRET: secret,
        NOTIFY_URL: 'inprocess',
        // Device certificates (issue 12) too: the simulated tenant serves a few thousand.
        WATCH: 'apns,vpp_token,ade_token,device_certificate',
      },
      { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } },
    );
    // The year ends a few minutes ago, so the dashboard shows a current, healthy monitor.
    const expiry = new Date(Date.now() - YEAR_SPAN_AFTER_EXPIRY * DAY - 5 * 60_000);
    let seen = 0;
    let mailSeen = 0;
    // Channel health, shown once: the webhook's receiving end is moved and answers 410 Gone for seven
    // weeks of the year (Teams and email keep working), then it is fixed.
    const DEMO_WEBHOOK_BROKEN = { from: expiry.getTime() + 100 * DAY, to: expiry.getTime() + 150 * DAY };
    let webhookBroken = false;
    inbox.refuse = (path) => (webhookBroken && path.startsWith('/webhook') ? 410 : null);
    let silencedVpp = false;
    let held = 0;
    const refusals = new Set<string>();
    for (const step of compressedYear(expiry)) {
      step.apply(graph);
      const tokens = demoTokens(step.at, expiry);
      graph.vppTokens = tokens.vppTokens;
      graph.depOnboardingSettings = tokens.depOnboardingSettings;
      graph.deviceCertificateStates = demoDeviceCertificates(step.at);
      const broken = step.at.getTime() >= DEMO_WEBHOOK_BROKEN.from && step.at.getTime() < DEMO_WEBHOOK_BROKEN.to;
      const happened = [step.event, tokens.event].filter((e): e is string => e !== null);
      if (broken && !webhookBroken) happened.push("the webhook's receiving service is moved: its old address answers 410 Gone");
      if (!broken && webhookBroken) happened.push("the webhook's address is fixed");
      webhookBroken = broken;
      if (happened.length > 0) console.log(`\n  ── ${step.at.toISOString().slice(0, 10)}: ${happened.join('; ')}`);
      const result = await runCheck(checkDeps(runtime, quiet, () => step.at));
      console.log(`  check ${step.at.toISOString().slice(0, 16)}Z  ${statusLine({ ...result, tenant: null, ...runtime.config.policy })}`);
      for (const r of inbox.received.slice(seen)) console.log(`    📨 ${describeDelivery(r, secret)}`);
      seen = inbox.received.length;
      for (const m of graph.sentMail.slice(mailSeen)) console.log(`    📨 email: "${m.mime === null ? '(JSON message)' : (readMail(m.mime).headers.get('subject') ?? '')}"`);
      mailSeen = graph.sentMail.length;
      // A refusal for good stays on record (and in each run's report) until the target changes: told once here.
      for (const d of result.deliveries) {
        for (const c of d.channels) {
          if ((c.outcome !== 'failed-for-good' && c.outcome !== 'retry-later') || refusals.has(`${d.alert.id} ${c.channel}`)) continue;
          refusals.add(`${d.alert.id} ${c.channel}`);
          console.log(`    ✗ ${c.channel} did not take ${d.alert.kind}: ${c.detail ?? c.outcome}`);
        }
      }
      for (const note of result.silenced ?? []) {
        const alert = result.alerts.find((a) => a.id === note.alertId);
        if (!note.held || alert === undefined) continue;
        held += 1;
        console.log(`    🔕 ${alert.subjectName ?? alert.subject} ${alert.kind}${alert.thresholdDays === null ? '' : ` (${alert.thresholdDays}-day threshold)`}: held by the silence until ${note.until.slice(0, 10)} ${note.until.slice(11, 16)} UTC: recorded in history, sent on no channel`);
      }
      if (!silencedVpp && result.alerts.some((a) => a.subject === 'vpp_token' && a.subjectId === 'vpp-contoso-apps' && a.kind === 'expiring')) {
        // "I know, stop repeating until …": the renewal is booked, so the next reminder is held back.
        silencedVpp = true;
        await addSilence(runtime, step.at, { subject: 'vpp_token', subjectId: 'vpp-contoso-apps', kind: 'expiring', until: isoDay(step.at.getTime() + 45 * DAY), reason: 'renewal booked with Apple Business Manager for early July' });
      }
      if (step.acknowledge !== undefined) {
        // Incidents stay open until a person has seen them: the demo's admin acknowledges them.
        const acked = await acknowledgeIncidents(runtime.store, { ids: 'all', by: 'demo admin', note: step.acknowledge, at: step.at }, runtime.tokenSubjects.map((t) => t.subject), runtime.deviceCertificates?.store ?? null);
        if (acked.ok && acked.closed.length > 0) {
          console.log(`  ── the admin acknowledges ${acked.closed.map((i) => `${i.kind.replace(/_/g, ' ')} (${i.id})`).join(', ')}: apns-monitor ack --all --note "${step.acknowledge}"`);
        }
      }
    }
    inbox.refuse = null;

    // Today: the test button (as `apns-monitor notify-test`), each channel's health, and a silence in force.
    console.log('\n  ── today: the admin presses "Send a test alert" on the dashboard (the same as apns-monitor notify-test)');
    for (const r of await runTestAlert(runtime, () => new Date(), quiet)) console.log(`    ${r.channel}: ${r.outcome}${r.detail === null ? '' : ` - ${r.detail}`}`);
    seen = inbox.received.length;
    mailSeen = graph.sentMail.length;
    console.log("  ── each channel's health (apns-monitor status prints these lines; the dashboard has a table):");
    for (const line of channelLines(await loadChannelHealth(runtime))) console.log(`    ${line}`);
    console.log('\n  ── today: Apple Business Manager has maintenance this week, so the ADE token may not sync');
    await addSilence(runtime, new Date(), { subject: 'ade_token', kind: 'sync_stale', until: isoDay(Date.now() + 7 * DAY), reason: 'Apple Business Manager maintenance this week' });
    const history = await runtime.store.listHistory(500);
    const alerts = history.flatMap((h) => (h.type === 'alert' ? [h.alert] : []));
    const kinds = [...new Set(alerts.reverse().map((e) => (e.subject === 'apns' ? e.kind : `${e.subject}:${e.kind}`)))];
    console.log(`\nThe inbox received ${inbox.received.length + graph.sentMail.length} messages: each alert once on every channel that took it (Teams, email, webhook), not the ${plural(held, 'alert')} a silence held back; and the test alert.`);
    console.log(`Table Storage recorded ${history.filter((h) => h.type === 'check').length} checks and ${alerts.length} alerts (held ones included), of these kinds: ${kinds.join(', ')}.`);
    if (once) return 0;

    const host = await startLocalHost({ runtime, port: 7071, key: null, log: () => undefined }).catch(() => startLocalHost({ runtime, port: 0, key: null, log: () => undefined }));
    console.log(`\nDashboard:  ${host.url}/api/dashboard`);
    console.log(`Status:     ${host.url}/api/status   History: ${host.url}/api/history   Badge: ${host.url}/api/badge.svg`);
    console.log(`Device certificates at risk: ${host.url}/api/device-certificates?format=csv   (or: apns-monitor device-certs)`);
    console.log(`Inbox:      ${inbox.url('/')}   (what Teams, email and the webhook received, as a person would see it)`);
    console.log('Press Ctrl+C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await host.close();
    return 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
