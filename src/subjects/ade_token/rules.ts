import type { TokenPolicy } from '../../rules/policy';
import { tokenEntries, type SubjectEntry } from '../subjectEntry';
import type { TokenFacts, TokenSubjectState } from '../token';
import { decideTokenSubject, type TokenDecision, type TokenDecisionContext } from '../tokenRules';
import { evaluateToken, type TokenEvaluation } from '../tokenStatus';
import type { AdeReadOutcome, AdeToken } from './reader';

/** ADE tokens judged by the shared token rules: what Graph's fields mean for an enrollment token. */

export function adeTokenName(t: AdeToken): string {
  return t.tokenName ?? t.appleIdentifier ?? t.id;
}

export function adeFacts(t: AdeToken): TokenFacts {
  const code = t.lastSyncErrorCode;
  return {
    id: t.id,
    name: adeTokenName(t),
    appleIdentifier: t.appleIdentifier,
    expirationDateTime: t.tokenExpirationDateTime,
    expiryError: t.expiryError,
    // depOnboardingSetting has no state: a token is judged by its expiry and its syncs.
    state: null,
    invalidState: null,
    lastSyncDateTime: t.lastSuccessfulSyncDateTime,
    // Each code is its own occurrence: a different error while failing is a new alert.
    syncFailure: code !== null && code !== 0 ? { key: String(code), description: `lastSyncErrorCode ${code}`, code } : null,
  };
}

export function decideAdeTokens(prev: TokenSubjectState, read: AdeReadOutcome, ctx: TokenDecisionContext): TokenDecision {
  const facts = read.kind === 'found' ? { kind: 'found' as const, tokens: read.tokens.map(adeFacts) } : read;
  return decideTokenSubject('ade_token', prev, facts, ctx);
}

export function evaluateAdeToken(t: AdeToken, now: Date, policy: Pick<TokenPolicy, 'warningDays' | 'criticalDays' | 'syncStaleHours'>, firstSeenAt: string | null = null): TokenEvaluation {
  return evaluateToken(adeFacts(t), now, policy, firstSeenAt);
}

/** The status entries of the ADE tokens after a check (see SubjectEntry). */
export function adeEntries(read: AdeReadOutcome, state: TokenSubjectState, now: Date, policy: Pick<TokenPolicy, 'warningDays' | 'criticalDays' | 'syncStaleHours'>): SubjectEntry[] {
  const facts = read.kind === 'found' ? { kind: 'found' as const, tokens: read.tokens.map(adeFacts) } : read;
  return tokenEntries('ade_token', facts, state, now, policy);
}
