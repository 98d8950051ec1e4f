import { boundString } from '../domain/bound';
import { Deadline, seconds } from '../net/deadline';
import type { Redactor } from '../redact';

/** What history keeps of a failed read's error. */
export const MAX_ERROR_CHARS = 2000;

type Failed = { kind: 'failed'; error: string; httpStatus: number | null };

/**
 * A read that ends within the check's budget: past it, the read is a failed one (so it is recorded,
 * and two in a row raise monitor_failing) instead of a check the host kills without a trace. The
 * error is redacted before it is cut, so no half of a secret survives the cut. `what` names what was
 * being read, e.g. "the certificate".
 */
export function readWithinBudget<T extends { kind: string }>(read: (deadline: Deadline) => Promise<T | Failed>, budgetMs: number, redact: Redactor, what = 'the certificate'): (deadline?: Deadline) => Promise<T | Failed> {
  return async (given) => {
    const deadline = given ?? Deadline.start(budgetMs);
    let onAbort: (() => void) | undefined;
    const overBudget = new Promise<Failed>((resolve) => {
      onAbort = () => resolve({ kind: 'failed', error: `reading ${what} from Graph took longer than the check's budget of ${seconds(deadline.budgetMs)} (CHECK_BUDGET_SECONDS)`, httpStatus: null });
      if (deadline.signal.aborted) onAbort();
      else deadline.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([read(deadline), overBudget]);
      return isFailed(outcome) ? { ...outcome, error: boundString(redact(outcome.error), MAX_ERROR_CHARS) } : outcome;
    } finally {
      if (onAbort !== undefined) deadline.signal.removeEventListener('abort', onAbort);
    }
  };
}

function isFailed(outcome: { kind: string }): outcome is Failed {
  return outcome.kind === 'failed';
}
