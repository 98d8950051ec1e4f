import type { Runtime } from '../app/runtime';
import type { LoadedState } from '../storage/monitorStore';
import { buildStatusDocument, staleAfterMs, type StatusDocument, type TokenSnapshot } from './statusDocument';

export interface ReadModel {
  loaded: LoadedState;
  tokens: TokenSnapshot[];
  staleAfterMs: number;
  /** Null before the first check. */
  doc: StatusDocument | null;
}

/**
 * What every view shows (status, the CLI's status, dashboard, badge, metrics), from storage alone:
 * the push certificate's state and each watched token subject's, read side by side, with the time
 * left recomputed at `at`. No Graph call.
 */
export async function loadReadModel(rt: Runtime, at: Date): Promise<ReadModel> {
  const [loaded, tokens, silences] = await Promise.all([
    rt.store.loadState(),
    Promise.all(rt.tokenSubjects.map(async (r): Promise<TokenSnapshot> => ({ subject: r.subject, policy: r.policy, loaded: await rt.store.loadSubject(r.subject) }))),
    rt.silences.inForce(at),
  ]);
  const staleAfter = staleAfterMs(rt.config.checkSchedule, at);
  const doc = buildStatusDocument(loaded, at, rt.config.policy, staleAfter, rt.config.tenantName, tokens);
  // The silences in force at `at` (an ended one is never listed, whether or not its row is pruned yet).
  return { loaded, tokens, staleAfterMs: staleAfter, doc: doc === null ? null : { ...doc, silences } };
}
