import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { GraphDouble } from '../doubles/graphDouble';
import { WebhookReceiver } from '../doubles/webhookReceiver';
import { checkDeps, createRuntime, type Runtime } from '../../src/app/runtime';
import { runCheck, type CheckResult } from '../../src/check/runCheck';
import type { Logger } from '../../src/log';

/** A unique table prefix per test: one Azurite serves them all. */
export function uniquePrefix(): string {
  return `T${randomBytes(6).toString('hex')}`;
}

export function storageEnv(): Record<string, string> {
  return { AzureWebJobsStorage: inject('azuriteConnectionString'), TABLE_PREFIX: uniquePrefix() };
}

export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info = (m: string) => void this.lines.push(`info ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string) => void this.lines.push(`error ${m}`);
}

/** Fast Graph retries so a scripted 503 costs milliseconds, not seconds. */
export function testRuntime(env: Record<string, string>): Runtime {
  return createRuntime(env, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } });
}

export function checkAt(runtime: Runtime, at: Date, log: Logger = new MemoryLogger()): Promise<CheckResult> {
  return runCheck(checkDeps(runtime, log, () => at));
}

/** A Graph/Entra double and a webhook receiver, started before and closed after the file's tests. */
export function useDoubles(): { graph: GraphDouble; hook: WebhookReceiver } {
  const graph = new GraphDouble();
  const hook = new WebhookReceiver();
  beforeAll(async () => {
    await graph.start();
    await hook.start();
  });
  afterAll(async () => {
    await graph.close();
    await hook.close();
  });
  return { graph, hook };
}
