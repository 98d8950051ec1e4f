import type { Runtime } from '../app/runtime';
import { newChannelHealth, publicHealth } from '../notify/channelHealth';
import type { LoadedState } from '../storage/monitorStore';
import type { ChannelHealth } from './operatorModel';
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
 * What every view shows (status, the CLI's status, dashboard, badge, metrics), from storage alone:
 * the push certificate's state and each watched token subject's, read side by side, with the time
 * left recomputed at `at`. No Graph call.
 */
export async function loadReadModel(rt: Runtime, at: Date): Promise<ReadModel> {
  const runner = rt.deviceCertificates;
  const [loaded, tokens, silences, channels, devices] = await Promise.all([
    rt.store.loadState(),
    Promise.all(rt.tokenSubjects.map(async (r): Promise<TokenSnapshot> => ({ subject: r.subject, policy: r.policy, loaded: await rt.store.loadSubject(r.subject) }))),
    rt.silences.inForce(at),
    loadChannelHealth(rt),
    runner === null ? Promise.resolve(null) : runner.store.loadState().then((l): DeviceCertSnapshot => ({ state: l.state, policy: runner.policy })),
  ]);
  const staleAfter = staleAfterMs(rt.config.checkSchedule, at);
  const doc = buildStatusDocument(loaded, at, rt.config.policy, staleAfter, rt.config.tenantName, tokens, devices);
  // The silences in force at `at` (an ended one is never listed, whether or not its row is pruned yet).
  return { loaded, tokens, devices, staleAfterMs: staleAfter, doc: doc === null ? null : { ...doc, silences, channels } };
}
