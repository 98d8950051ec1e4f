import { expect, test } from 'vitest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { acknowledgeIncidents } from '../../src/incidents/acknowledge';
import { compressedYear, demoTokens, YEAR_SPAN_AFTER_EXPIRY } from '../doubles/simulatedTenant';
import { checkAt, storageEnv, testRuntime, useDoubles } from '../support/harness';

const { graph, hook } = useDoubles();
const DAY = 86_400_000;

test("the demo's compressed year fires every alert kind of every credential, each event once", async () => {
  const runtime = testRuntime({ ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso (demo)', WEBHOOK_URL: hook.url('/demo'), WEBHOOK_SECRET: 'demo-year-webhook-secret' });
  const expiry = new Date(Date.now() - YEAR_SPAN_AFTER_EXPIRY * DAY - 5 * 60_000);
  for (const step of compressedYear(expiry)) {
    step.apply(graph);
    const tokens = demoTokens(step.at, expiry);
    graph.vppTokens = tokens.vppTokens;
    graph.depOnboardingSettings = tokens.depOnboardingSettings;
    await checkAt(runtime, step.at);
    if (step.acknowledge !== undefined) await acknowledgeIncidents(runtime.store, { ids: 'all', by: 'demo', note: step.acknowledge, at: step.at }, runtime.tokenSubjects.map((t) => t.subject));
  }
  const events = hook.events<AlertEvent>();
  const kinds = new Set(events.map((e) => `${e.subject}:${e.kind}`));
  for (const k of ['expiring', 'expired', 'renewed', 'topic_changed', 'apple_id_changed', 'upload_failed', 'removed', 'monitor_failing', 'monitor_recovered']) expect(kinds, k).toContain(`apns:${k}`);
  for (const k of ['vpp_token:expiring', 'vpp_token:renewed', 'vpp_token:token_invalid', 'ade_token:sync_failed', 'ade_token:sync_stale', 'ade_token:sync_recovered']) expect(kinds, k).toContain(k);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  // The year ends healthy: every incident was resolved or acknowledged.
  expect((await checkAt(runtime, new Date())).status).toBe('ok');
});
