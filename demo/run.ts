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
    for (const step of compressedYear(expiry)) {
      step.apply(graph);
      const tokens = demoTokens(step.at, expiry);
      graph.vppTokens = tokens.vppTokens;
      graph.depOnboardingSettings = tokens.depOnboardingSettings;
      graph.deviceCertificateStates = demoDeviceCertificates(step.at);
      const happened = [step.event, tokens.event].filter((e): e is string => e !== null);
      if (happened.length > 0) console.log(`\n  ── ${step.at.toISOString().slice(0, 10)}: ${happened.join('; ')}`);
      const result = await runCheck(checkDeps(runtime, quiet, () => step.at));
      console.log(`  check ${step.at.toISOString().slice(0, 16)}Z  ${statusLine({ ...result, tenant: null, ...runtime.config.policy })}`);
      for (const r of inbox.received.slice(seen)) console.log(`    📨 ${describeDelivery(r, secret)}`);
      seen = inbox.received.length;
      for (const m of graph.sentMail.slice(mailSeen)) console.log(`    📨 email: "${m.mime === null ? '(JSON message)' : (readMail(m.mime).headers.get('subject') ?? '')}"`);
      mailSeen = graph.sentMail.length;
      if (step.acknowledge !== undefined) {
        // Incidents stay open until a person has seen them: the demo's admin acknowledges them.
        const acked = await acknowledgeIncidents(runtime.store, { ids: 'all', by: 'demo admin', note: step.acknowledge, at: step.at }, runtime.tokenSubjects.map((t) => t.subject), runtime.deviceCertificates?.store ?? null);
        if (acked.ok && acked.closed.length > 0) {
          console.log(`  ── the admin acknowledges ${acked.closed.map((i) => `${i.kind.replace(/_/g, ' ')} (${i.id})`).join(', ')}: apns-monitor ack --all --note "${step.acknowledge}"`);
        }
      }
    }
    const kinds = [...new Set(inbox.received.filter((r) => r.path.startsWith('/webhook')).map((r) => { const e = JSON.parse(r.body) as AlertEvent; return e.subject === 'apns' ? e.kind : `${e.subject}:${e.kind}`; }))];
    console.log(`\nThe inbox received ${inbox.received.length + graph.sentMail.length} messages (each alert once per channel: Teams, email, webhook); alert kinds: ${kinds.join(', ')}.`);
    const history = await runtime.store.listHistory(500);
    console.log(`Table Storage recorded ${history.filter((h) => h.type === 'check').length} checks and ${history.filter((h) => h.type === 'alert').length} alerts.`);
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
