import type { Runtime } from '../app/runtime';
import { newChannelHealth, publicHealth } from '../notify/channelHealth';
import { localWriteCount, type LoadedState } from '../storage/monitorStore';
import type { HistoryEntry } from '../storage/records';
import type { ChannelHealth, Silence } from './operatorModel';
import { inForceAt } from '../silences/store';
import { buildStatusDocument, staleAfterMs, type DeviceCertSnapshot, type StatusDocument, type TokenSnapshot } from './statusDocument';

export interface ReadModel {
  loaded: LoadedState;
  tokens: TokenSnapshot[];
  /** Issue 12: null when WATCH does not name device_certificate. */
  devices: DeviceCertSnapshot | null;
  staleAfterMs: number;
  /** Null before the first check. */
  doc: StatusDocument | null;
}

/**
 * Every configured channel's record, in the order the channels are configured; one that has never been
 * tried is listed with an empty record. The notify forwarder (NOTIFY_URL) is a channel of its own.
 */
export async function loadChannelHealth(rt: Pick<Runtime, 'store' | 'channels' | 'notifiers'>): Promise<ChannelHealth[]> {
  const names = [...new Set([...rt.channels, ...rt.notifiers].map((n) => n.name))];
  if (names.length === 0) return [];
  const stored = await rt.store.channelHealth.list();
  return names.map((name) => publicHealth(stored.get(name)?.health ?? newChannelHealth(name)));
}

/**
 * How long a process reuses what it read from storage for its views. Status, badge and metrics under
 * load then read Azurite (or Table Storage) once per this long instead of once per request; this
 * process's own writes (a check, an ack) make it read again at once.
 */
export const READ_MODEL_TTL_MS = 5_000;

interface Stored {
  loaded: LoadedState;
  tokens: TokenSnapshot[];
  /** Every stored silence; each view keeps those in force at its own time. */
  silences: Silence[];
  channels: ChannelHealth[];
  devices: DeviceCertSnapshot | null;
}

interface Cached<T> {
  value: T;
  readAt: number;
  writes: number;
}

/**
 * One kind of read that views share within a process: what storage answered is reused for
 * READ_MODEL_TTL_MS unless this process wrote since (localWriteCount) or the caller wants it fresh,
 * and requests that arrive while a read is under way share it.
 */
class SharedRead<T> {
  private readonly cache = new WeakMap<Runtime, Cached<T>>();
  /** A read in flight, shared by the requests that arrive while it is under way (and no write came since it began). */
  private readonly inFlight = new WeakMap<Runtime, { writes: number; read: Promise<Cached<T>> }>();

  constructor(
    private readonly read: (rt: Runtime) => Promise<T>,
    /** Whether a value may be kept (one that must show another process's first write at once may not). */
    private readonly keep: (value: T) => boolean = () => true,
  ) {}

  async get(rt: Runtime, fresh: boolean): Promise<T> {
    const writes = localWriteCount();
    const hit = this.cache.get(rt);
    // Real time, not the views' clock (which tests move): this is about how often storage is read.
    if (!fresh && hit !== undefined && hit.writes === writes && Date.now() - hit.readAt < READ_MODEL_TTL_MS) return hit.value;
    const shared = this.inFlight.get(rt);
    let read: Promise<Cached<T>>;
    if (!fresh && shared !== undefined && shared.writes === writes) {
      read = shared.read;
    } else {
      read = this.read(rt).then((value) => ({ value, readAt: Date.now(), writes }));
      const entry = { writes, read };
      this.inFlight.set(rt, entry);
      const done = () => void (this.inFlight.get(rt) === entry && this.inFlight.delete(rt));
      read.then(done, done);
    }
    const got = await read;
    if (this.keep(got.value) && localWriteCount() === got.writes) this.cache.set(rt, got);
    else this.cache.delete(rt);
    return got.value;
  }
}

async function readStored(rt: Runtime): Promise<Stored> {
  const runner = rt.deviceCertificates;
  const [loaded, tokens, silences, channels, devices] = await Promise.all([
    rt.store.loadState(),
    Promise.all(rt.tokenSubjects.map(async (r): Promise<TokenSnapshot> => ({ subject: r.subject, policy: r.policy, loaded: await rt.store.loadSubject(r.subject) }))),
    rt.silences.stored(),
    loadChannelHealth(rt),
    runner === null ? Promise.resolve(null) : runner.store.loadState().then((l): DeviceCertSnapshot => ({ state: l.state, policy: runner.policy })),
  ]);
  return { loaded, tokens, silences, channels, devices };
}

// Nothing recorded yet is not kept: the first check, perhaps another process's, must show at once.
const storedRead = new SharedRead<Stored>(readStored, (s) => s.loaded.lastCheck !== null);

/**
 * History windows (the newest `rows` entries), one shared read per window size, reused like the read
 * model: a dashboard under load costs a render, not a query of the history table. Callers pass a
 * constant (the dashboard's DASHBOARD_HISTORY_ROWS), so this holds one entry per such constant. An
 * empty window is not kept: the first check, perhaps another process's, must show at once.
 */
const historyReads = new Map<number, SharedRead<readonly HistoryEntry[]>>();

/** The newest `rows` history entries, newest first; reused for READ_MODEL_TTL_MS as the read model is. */
export function loadHistoryWindow(rt: Runtime, rows: number, options: { fresh?: boolean } = {}): Promise<readonly HistoryEntry[]> {
  let shared = historyReads.get(rows);
  if (shared === undefined) {
    shared = new SharedRead<readonly HistoryEntry[]>((r) => r.store.listHistory(rows), (entries) => entries.length > 0);
    historyReads.set(rows, shared);
  }
  return shared.get(rt, options.fresh ?? false);
}

/** The model built from one stored read, for one second of the views' clock. */
const built = new WeakMap<Stored, { second: number; model: ReadModel }>();

/**
 * What every view shows (status, the CLI's status, dashboard, badge, metrics), from storage alone:
 * the push certificate's state and each watched token subject's, read side by side, with the time
 * left recomputed at `at`. No Graph call. What storage holds is reused for READ_MODEL_TTL_MS within
 * a process unless `fresh` (status?refresh=true) or this process wrote since.
 *
 * The model built from one read is reused for the rest of the second of `at` (time left is in whole
 * days; staleness and silences move at most a second late), so requests under load share one object
 * and views may keep what they derive from it. Callers must not change it.
 */
export async function loadReadModel(rt: Runtime, at: Date, options: { fresh?: boolean } = {}): Promise<ReadModel> {
  const stored = await storedRead.get(rt, options.fresh ?? false);
  const second = Math.floor(at.getTime() / 1000);
  const memo = built.get(stored);
  if (memo !== undefined && memo.second === second) return memo.model;
  const { loaded, tokens, silences: read, channels, devices } = stored;
  const staleAfter = staleAfterMs(rt.config.checkSchedule, at);
  const doc = buildStatusDocument(loaded, at, rt.config.policy, staleAfter, rt.config.tenantName, tokens, devices);
  // The silences in force at `at` (an ended one is never listed, whether or not its row is pruned yet).
  const silences = inForceAt(read, at);
  const model: ReadModel = { loaded, tokens, devices, staleAfterMs: staleAfter, doc: doc === null ? null : { ...doc, silences, channels } };
  built.set(stored, { second, model });
  return model;
}
