import type { TokenPolicy } from '../../rules/policy';
import { tokenEntries, type SubjectEntry } from '../subjectEntry';
import type { TokenFacts, TokenSubjectState } from '../token';
import { decideTokenSubject, type TokenDecision, type TokenDecisionContext } from '../tokenRules';
import { evaluateToken, type TokenEvaluation } from '../tokenStatus';
import type { VppReadOutcome, VppToken } from './reader';

/** VPP tokens judged by the shared token rules: what Graph's fields mean for a VPP token. */

/** Names need not be unique: the organization with the Apple ID tells two locations of one organization apart. */
export function vppTokenName(t: VppToken): string {
  const named = t.displayName ?? t.locationName;
  if (named !== null) return named;
  const org = t.organizationName ?? 'VPP token';
  return t.appleId === null ? org : `${org} (${t.appleId})`;
}

/**
 * Any state but `valid` makes the token unusable and is named in the alert, `unknown` included. An
 * `expired` state on a token whose expiry has passed is the `expired` alert's business, not a second
 * alert; an `expired` state on a token that should still be valid is reported.
 */
export function vppInvalidState(t: VppToken, now: Date): string | null {
  if (t.state === null || t.state === 'valid') return null;
  if (t.state === 'expired' && t.expirationDateTime !== null && new Date(t.expirationDateTime).getTime() <= now.getTime()) return null;
  return t.state;
}

export function vppFacts(t: VppToken, now: Date): TokenFacts {
  return {
    id: t.id,
    name: vppTokenName(t),
    appleIdentifier: t.appleId,
    expirationDateTime: t.expirationDateTime,
    expiryError: t.expiryError,
    state: t.state,
    invalidState: vppInvalidState(t, now),
    // v1.0 has no separate last-success time: the last sync is the best there is.
    lastSyncDateTime: t.lastSyncDateTime,
    syncFailure: t.lastSyncStatus === 'failed' ? { key: 'failed', description: 'lastSyncStatus failed', code: null } : null,
  };
}

export function decideVppTokens(prev: TokenSubjectState, read: VppReadOutcome, ctx: TokenDecisionContext): TokenDecision {
  const facts = read.kind === 'found' ? { kind: 'found' as const, tokens: read.tokens.map((t) => vppFacts(t, ctx.now)) } : read;
  return decideTokenSubject('vpp_token', prev, facts, ctx);
}

export function evaluateVppToken(t: VppToken, now: Date, policy: Pick<TokenPolicy, 'warningDays' | 'criticalDays' | 'syncStaleHours'>, firstSeenAt: string | null = null): TokenEvaluation {
  return evaluateToken(vppFacts(t, now), now, policy, firstSeenAt);
}

/** The status entries of the VPP tokens after a check (see SubjectEntry). */
export function vppEntries(read: VppReadOutcome, state: TokenSubjectState, now: Date, policy: Pick<TokenPolicy, 'warningDays' | 'criticalDays' | 'syncStaleHours'>): SubjectEntry[] {
  const facts = read.kind === 'found' ? { kind: 'found' as const, tokens: read.tokens.map((t) => vppFacts(t, now)) } : read;
  return tokenEntries('vpp_token', facts, state, now, policy);
}
