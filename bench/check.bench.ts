/**
 * Measures the monitor's costs: the pure decision code, the schedule arithmetic behind staleness, and a whole check (token cached, Graph read
 * over loopback TLS, state transaction and history in Azurite, no channels). Prints numbers; asserts
 * nothing. Run with `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { checkDeps, createRuntime } from '../src/app/runtime';
import { runCheck } from '../src/check/runCheck';
import { decideAlerts, INITIAL_STATE, type AlertState } from '../src/domain/decide';
import type { ReadOutcome } from '../src/domain/certificate';
import { staleAfterMs } from '../src/status/statusDocument';
import { startAzurite } from '../test/doubles/azurite';
import { apnsCertificate, GraphDouble } from '../test/doubles/graphDouble';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const policy = { thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function benchDecisions(): void {
  const read: ReadOutcome = { kind: 'found', certificate: { id: 'x', appleIdentifier: 'a@b.c', topicIdentifier: 't', expirationDateTime: '2027-03-01T00:00:00Z', lastModifiedDateTime: null, certificateSerialNumber: null, certificateUploadStatus: null, certificateUploadFailureReason: null } };
  const n = 200_000;
  let state: AlertState = INITIAL_STATE;
  const start = performance.now();
  for (let i = 0; i < n; i++) state = decideAlerts(state, read, { now: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000), policy, tenant: null }).next;
  const ms = performance.now() - start;
  console.log(`decideAlerts: ${n} decisions in ${ms.toFixed(0)} ms = ${((n / ms) * 1000).toFixed(0)} /s`);
}

/** Every status, badge and dashboard request derives staleness from the schedule. */
function benchSchedule(): void {
  for (const schedule of ['0 0 */6 * * *', '* * * * * *', '0 0 8 * * Mon-Fri']) {
    const n = 200;
    const start = performance.now();
    for (let i = 0; i < n; i++) staleAfterMs(schedule, new Date(Date.parse('2026-11-24T23:59:58Z') + i * 1000));
    console.log(`staleAfterMs("${schedule}"): ${((performance.now() - start) / n).toFixed(2)} ms per call`);
  }
}

async function benchChecks(): Promise<void> {
  const azurite = await startAzurite();
  const graph = await new GraphDouble().start();
  try {
    graph.certificate = apnsCertificate('2027-06-01T00:00:00Z');
    const runtime = createRuntime({ ...graph.env(), AzureWebJobsStorage: azurite.connectionString, TABLE_PREFIX: 'Bench' });
    const deps = checkDeps(runtime, quiet);
    await runCheck(deps); // token, table creation
    const n = 300;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await runCheck(deps);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const total = times.reduce((a, b) => a + b, 0);
    console.log(`runCheck end to end: ${n} checks, mean ${(total / n).toFixed(1)} ms, p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${times[n - 1]!.toFixed(1)} ms`);
    console.log(`Graph requests per check after the first: ${((graph.requests.length - 3) / n).toFixed(2)} (token cached)`);
  } finally {
    await graph.close();
    await azurite.stop();
  }
}

benchDecisions();
benchSchedule();
void benchChecks().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
