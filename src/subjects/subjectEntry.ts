import type { SubjectKind } from '../domain/alertEvent';
import type { CertificateStatus } from '../domain/status';
import type { TokenPolicy } from '../rules/policy';
import type { TokenFacts, TokenReadOutcome, TokenSubjectKind, TokenSubjectState } from './token';
import { evaluateToken } from './tokenStatus';

/**
 * One watched credential as status, CLI, dashboard, badge and metrics show it: the `subjects` entries
 * of issue 11. Built once per check from what was read and what the rules remember; stored with the
 * check, so pages and metrics never call Graph.
 */
export interface SubjectEntry {
  subject: SubjectKind;
  /** The Graph id; null for the push certificate, and for a token subject that could not be read at all. */
  id: string | null;
  name: string | null;
  status: CertificateStatus;
  daysRemaining: number | null;
  expirationDateTime: string | null;
  appleIdentifier: string | null;
  state: string | null;
  lastSyncDateTime: string | null;
  error: string | null;
}

type Policy = Pick<TokenPolicy, 'warningDays' | 'criticalDays' | 'syncStaleHours'>;

/**
 * The entries of one token subject. A failed read leaves every remembered token unknown, with the
 * reason; a subject never read has one unknown entry, so a failure is never an empty (healthy) list.
 */
export function tokenEntries(subject: TokenSubjectKind, read: TokenReadOutcome<TokenFacts>, state: TokenSubjectState, now: Date, policy: Policy): SubjectEntry[] {
  if (read.kind === 'failed') {
    const known = Object.entries(state.tokens).filter(([, t]) => t.removedAt === null);
    if (known.length === 0) {
      return [{ subject, id: null, name: null, status: 'unknown', daysRemaining: null, expirationDateTime: null, appleIdentifier: null, state: null, lastSyncDateTime: null, error: read.error }];
    }
    return known.map(([id, t]) => ({
      subject,
      id,
      name: t.name,
      status: 'unknown',
      daysRemaining: null,
      expirationDateTime: t.expirationDateTime,
      appleIdentifier: t.appleIdentifier,
      state: null,
      lastSyncDateTime: null,
      error: read.error,
    }));
  }
  return read.tokens.map((facts) => {
    const evaluation = evaluateToken(facts, now, policy, state.tokens[facts.id]?.firstSeenAt ?? null);
    return {
      subject,
      id: facts.id,
      name: facts.name,
      status: evaluation.status,
      daysRemaining: evaluation.daysRemaining,
      expirationDateTime: facts.expirationDateTime,
      appleIdentifier: facts.appleIdentifier,
      state: facts.state,
      lastSyncDateTime: facts.lastSyncDateTime,
      error: evaluation.error,
    };
  });
}

const RANK: Record<CertificateStatus, number> = { ok: 0, not_configured: 0, warning: 1, unknown: 2, critical: 3, expired: 4 };

/**
 * The worst status of the entries: the top-level status. Unknown ranks above warning (it is not known
 * to be fine) and below critical (what is known to be broken comes first). `not_configured` (no push
 * certificate) is as quiet as ok but says more, so it wins over ok.
 */
export function worstStatus(statuses: readonly CertificateStatus[]): CertificateStatus {
  let worst: CertificateStatus = 'ok';
  for (const s of statuses) if (RANK[s] > RANK[worst] || (worst === 'ok' && s === 'not_configured')) worst = s;
  return worst;
}
