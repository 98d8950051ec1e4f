import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { InvocationContext } from '@azure/functions';
import { defineFunctions } from '../app/functionDefinitions';
import type { Runtime } from '../app/runtime';
import { nextOccurrence, parseSchedule } from '../schedule/ncrontab';
import { createLocalHttpHost } from './httpHost';

export interface ServeOptions {
  runtime: Runtime;
  port: number;
  /** Function-level routes require it when set, like Azure. */
  key: string | null;
  log: (line: string) => void;
}

export interface RunningHost {
  url: string;
  /** When the timer runs next. */
  nextRun: () => Date | null;
  close(): Promise<void>;
}

// setTimeout cannot wait longer than this; longer waits are taken in steps.
const MAX_TIMEOUT_MS = 2_147_000_000;

/**
 * Serves every HTTP function at http://127.0.0.1:<port>/api/<route> and runs every timer on its
 * schedule (CHECK_SCHEDULE for the check), from the same definitions `functions/` registers.
 */
export async function startLocalHost(options: ServeOptions): Promise<RunningHost> {
  const definitions = defineFunctions(() => options.runtime);
  const server = createLocalHttpHost({ functions: definitions.http, key: options.key, log: options.log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const schedule = parseSchedule(options.runtime.config.checkSchedule);
  const timers = definitions.timers;
  let handle: NodeJS.Timeout | null = null;
  let next: Date | null = null;
  let last: Date | null = null;
  let stopped = false;

  const arm = () => {
    if (stopped) return;
    next = nextOccurrence(schedule, new Date());
    if (next === null) return;
    const wait = Math.min(next.getTime() - Date.now(), MAX_TIMEOUT_MS);
    handle = setTimeout(() => void fire(), Math.max(0, wait));
  };
  const fire = async () => {
    if (stopped) return;
    if (next !== null && next.getTime() > Date.now() + 1000) return arm();
    const due = next ?? new Date();
    for (const timer of timers) {
      const context = new InvocationContext({ invocationId: randomUUID(), functionName: timer.name, logHandler: (level, ...args) => options.log(`[${timer.name}] ${level}: ${args.map(String).join(' ')}`) });
      const upcoming = nextOccurrence(schedule, due);
      try {
        await timer.handler(
          {
            isPastDue: Date.now() - due.getTime() > 60_000,
            schedule: { adjustForDST: false },
            scheduleStatus: { last: (last ?? due).toISOString(), next: (upcoming ?? due).toISOString(), lastUpdated: new Date().toISOString() },
          },
          context,
        );
      } catch (error) {
        options.log(`[${timer.name}] error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
    last = due;
    arm();
  };
  arm();

  return {
    url,
    nextRun: () => next,
    close: async () => {
      stopped = true;
      if (handle !== null) clearTimeout(handle);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
