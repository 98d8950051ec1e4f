import type { InvocationContext, Timer } from '@azure/functions';
import { runCheck } from '../check/runCheck';
import type { Logger } from '../log';
import { checkRecordLine } from './checkRecord';
import { checkDeps, sharedRuntime, type Runtime } from './runtime';

export function contextLogger(context: InvocationContext): Logger {
  return { info: (m) => context.log(m), warn: (m) => context.warn(m), error: (m) => context.error(m) };
}

/**
 * The timer: the same check as `apns-monitor check`. A failed read is a result (status unknown), not
 * a throw. Every run ends with one structured record line for the watchdog alert.
 */
export function makeCheckTimerHandler(runtime: () => Runtime = sharedRuntime) {
  return async (timer: Timer, context: InvocationContext): Promise<void> => {
    const rt = runtime();
    if (timer.isPastDue) context.warn('check: the timer is past due; checking now');
    const result = await runCheck(checkDeps(rt, contextLogger(context)));
    const line = `check: status=${result.status} daysRemaining=${result.daysRemaining ?? 'n/a'} alerts=${result.alerts.length}`;
    if (result.status === 'unknown') context.error(`${line} error=${result.error ?? ''}`);
    else context.log(line);
    // The record Azure Monitor's "no successful check" rule queries (infra/modules/watchdog.bicep).
    // Information level: host.json keeps Trace out of sampling, so it is never dropped.
    context.info(checkRecordLine(result));
  };
}
