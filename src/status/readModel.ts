import type { Runtime } from '../app/runtime';
import { newChannelHealth, publicHealth } from '../notify/channelHealth';
import { localWriteCount, type LoadedState } from '../storage/monitorStore';
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

interface Cached {
  stored: Stored;
  readAt: number;
  writes: number;
}

const cache = new WeakMap<Runtime, Cached>();
/** A read in flight, shared by the requests that arrive while it is under way (and no write came since it began). */
const inFlight = new WeakMap<Runtime, { writes: number; read: Promise<Cached> }>();

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

async function stored(rt: Runtime, fresh: boolean): Promise<Stored> {
  const writes = localWriteCount();
  const hit = cache.get(rt);
  // Real time, not the views' clock (which tests move): this is about how often storage is read.
  if (!fresh && hit !== undefined && hit.writes === writes && Date.now() - hit.readAt < READ_MODEL_TTL_MS) return hit.stored;
  const shared = inFlight.get(rt);
  let read: Promise<Cached>;
  if (!fresh && shared !== undefined && shared.writes === writes) {
    read = shared.read;
  } else {
    read = readStored(rt).then((s) => ({ stored: s, readAt: Date.now(), writes }));
    const entry = { writes, read };
    inFlight.set(rt, entry);
    const done = () => void (inFlight.get(rt) === entry && inFlight.delete(rt));
    read.then(done, done);
  }
  const got = await read;
  // Nothing recorded yet is not kept: the first check, perhaps another process's, must show at once.
  if (got.stored.loaded.lastCheck !== null && localWriteCount() === got.writes) cache.set(rt, got);
  else cache.delete(rt);
  return got.stored;
}

/**
 * What every view shows (status, the CLI's status, dashboard, badge, metrics), from storage alone:
 * the push certificate's state and each watched token subject's, read side by side, with the time
 * left recomputed at `at`. No Graph call. What storage holds is reused for READ_MODEL_TTL_MS within
 * a process unless `fresh` (status?refresh=true) or this process wrote since.
 */
export async function loadReadModel(rt: Runtime, at: Date, options: { fresh?: boolean } = {}): Promise<ReadModel> {
  const { loaded, tokens, silences: read, channels, devices } = await stored(rt, options.fresh ?? false);
  const staleAfter = staleAfterMs(rt.config.checkSchedule, at);
  const doc = buildStatusDocument(loaded, at, rt.config.policy, staleAfter, rt.config.tenantName, tokens, devices);
  // The silences in force at `at` (an ended one is never listed, whether or not its row is pruned yet).
  const silences = inForceAt(read, at);
  return { loaded, tokens, devices, staleAfterMs: staleAfter, doc: doc === null ? null : { ...doc, silences, channels } };
}
