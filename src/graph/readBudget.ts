import { boundString } from '../domain/bound';
import type { ReadOutcome } from '../domain/certificate';
import { Deadline, seconds } from '../net/deadline';
import type { Redactor } from '../redact';
import type { CertificateReader } from './certificateReader';

/** What history keeps of a failed read's error. */
export const MAX_ERROR_CHARS = 2000;

/**
 * A read that ends within the check's budget: past it, the read is a failed one (so it is recorded,
 * and two in a row raise monitor_failing) instead of a check the host kills without a trace. The
 * error is redacted before it is cut, so no half of a secret survives the cut.
 */
export function readWithinBudget(read: CertificateReader, budgetMs: number, redact: Redactor): (deadline?: Deadline) => Promise<ReadOutcome> {
  return async (given) => {
    const deadline = given ?? Deadline.start(budgetMs);
    let onAbort: (() => void) | undefined;
    const overBudget = new Promise<ReadOutcome>((resolve) => {
      onAbort = () =>
        resolve({ kind: 'failed', error: `reading the certificate from Graph took longer than the check's budget of ${seconds(deadline.budgetMs)} (CHECK_BUDGET_SECONDS)`, httpStatus: null });
      if (deadline.signal.aborted) onAbort();
      else deadline.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([read(deadline), overBudget]);
      return outcome.kind === 'failed' ? { ...outcome, error: boundString(redact(outcome.error), MAX_ERROR_CHARS) } : outcome;
    } finally {
      if (onAbort !== undefined) deadline.signal.removeEventListener('abort', onAbort);
    }
  };
}
