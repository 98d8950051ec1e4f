/**
 * Deadlines for outbound calls. A monitor that waits forever records nothing, so every call is cut
 * off and says which call it was and how long it waited.
 */

/** An outbound call that gave up: it took too long or answered too much. Its message is the whole story. */
export class OutboundCallError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'too-large',
  ) {
    super(message);
    this.name = 'OutboundCallError';
  }
}

/** `30 s`, `1.5 s`. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

const monotonicMs = () => performance.now();

/** A point in time a piece of work must finish by; its signal aborts at that point. */
export class Deadline {
  private constructor(
    private readonly endsAt: number,
    readonly budgetMs: number,
    private readonly clock: () => number,
    readonly signal: AbortSignal,
  ) {}

  /** Starts now and ends after `budgetMs`; `clock` is injectable for tests (milliseconds, monotonic). */
  static start(budgetMs: number, clock: () => number = monotonicMs): Deadline {
    return new Deadline(clock() + budgetMs, budgetMs, clock, AbortSignal.timeout(budgetMs));
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock());
  }

  expired(): boolean {
    return this.remainingMs() === 0 || this.signal.aborted;
  }
}

/**
 * Runs `work` with a signal that aborts after `timeoutMs` (or when `outer` aborts), and rejects with
 * an OutboundCallError naming `what` at that moment even when the work ignores its signal.
 */
export async function withTimeout<T>(what: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal | null): Promise<T> {
  const controller = new AbortController();
  const timedOut = new OutboundCallError(`${what} timed out after ${seconds(timeoutMs)}`, 'timeout');
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(timedOut);
      reject(timedOut);
    }, timeoutMs);
  });
  const signal = outer ? AbortSignal.any([controller.signal, outer]) : controller.signal;
  try {
    return await Promise.race([work(signal), expiry]);
  } catch (error) {
    // The work may notice its aborted signal first and throw its own (less telling) error.
    if (controller.signal.aborted) throw timedOut;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
