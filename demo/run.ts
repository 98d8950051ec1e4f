/**
 * `npm run demo`: the whole monitor on this machine, with no Azure account. Azurite (from
 * node_modules, in memory), a simulated tenant behind a loopback Graph/Entra double, and a local inbox
 * that receives what the signed webhook would send. Runs the real check across a compressed year.
 * `--once` exits afterwards (for CI); otherwise the inbox keeps serving until Ctrl+C.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { checkDeps, createRuntime } from '../src/app/runtime';
import { runCheck } from '../src/check/runCheck';
import { statusLine } from '../src/cli/format';
import type { AlertEvent } from '../src/domain/alertEvent';
import { startAzurite } from '../test/doubles/azurite';
import { GraphDouble } from '../test/doubles/graphDouble';
import { compressedYear } from '../test/doubles/simulatedTenant';
import { WebhookReceiver } from '../test/doubles/webhookReceiver';

const once = process.argv.includes('--once');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function main(): Promise<number> {
  console.log('Starting Azurite (in memory), the simulated tenant and a local inbox…');
  const azurite = await startAzurite();
  const graph = await new GraphDouble().start();
  const inbox = await new WebhookReceiver().start();
  const secret = randomBytes(24).toString('hex');
  const stop = async () => {
    await inbox.close();
    await graph.close();
    await azurite.stop();
  };
  try {
    const runtime = createRuntime(
      { ...graph.env(), AzureWebJobsStorage: azurite.connectionString, TENANT_NAME: 'Contoso (demo)', WEBHOOK_URL: inbox.url('/inbox'), WEBHOOK_SECRET: secret },
      { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } },
    );
    const expiry = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 2, 1, 9, 0, 0));
    let seen = 0;
    for (const step of compressedYear(expiry)) {
      step.apply(graph);
      if (step.event !== null) console.log(`\n  ── ${step.at.toISOString().slice(0, 10)}: ${step.event}`);
      const result = await runCheck(checkDeps(runtime, quiet, () => step.at));
      console.log(`  check ${step.at.toISOString().slice(0, 16)}Z  ${statusLine({ ...result, tenant: null, ...runtime.config.policy })}`);
      for (const r of inbox.received.slice(seen)) {
        const event = JSON.parse(r.body) as AlertEvent;
        const signed = r.headers['x-signature-256'] === `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
        console.log(`    📨 inbox: [${event.severity}] ${event.kind}${event.thresholdDays === null ? '' : ` (${event.thresholdDays}-day threshold)`} ${signed ? '(signature ok)' : '(BAD SIGNATURE)'}`);
        console.log(`       ${event.summary}`);
      }
      seen = inbox.received.length;
    }
    const kinds = new Set(inbox.events<AlertEvent>().map((e) => e.kind));
    console.log(`\nThe inbox received ${inbox.received.length} alerts, each once; kinds: ${[...kinds].join(', ')}.`);
    const history = await runtime.store.listHistory(500);
    console.log(`Table Storage recorded ${history.filter((h) => h.type === 'check').length} checks and ${history.filter((h) => h.type === 'alert').length} alerts.`);
    if (once) return 0;
    console.log(`\nThe inbox is still listening at ${inbox.url('/inbox')} (POST signed events to it). Press Ctrl+C to stop.`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    return 0;
  } finally {
    await stop();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
