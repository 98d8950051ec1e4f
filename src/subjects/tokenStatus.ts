import { daysRemaining, statusForExpiry, type CertificateStatus } from '../domain/status';
import type { TokenPolicy } from '../rules/policy';
import type { TokenFacts } from './token';
import { syncAgeHours } from './tokenRules';

/**
 * The status of one token, reconciling Intune's own connector rule with the monitor's settings.
 *
 * Intune (Tenant administration › Connector status) calls a token unhealthy when it is expired or its
 * last sync is 3 days old or more, and warns when it expires within 7 days or its last sync is more than
 * a day old. Here:
 * - Expiry uses WARNING_DAYS / CRITICAL_DAYS like every credential (defaults 30 and 7: warning earlier
 *   than Intune, and critical from where Intune starts warning), so the three credentials of a tenant
 *   are judged alike and `expiring` alerts agree with the status.
 * - Sync follows Intune: more than a day without a successful sync is a warning; SYNC_STALE_HOURS
 *   (default 72, Intune's three days) or more is critical, as Intune calls it unhealthy. The
 *   `sync_stale` alert is a warning because the token still works; the status does not stay milder
 *   than the admin center's.
 * - A state other than valid is critical; a failed last sync is a warning.
 * - An expiry that cannot be dated is unknown (never expired), unless something known is worse.
 */

export const SYNC_WARNING_HOURS = 24;

export interface TokenEvaluation {
  status: CertificateStatus;
  daysRemaining: number | null;
  /** Why the status is unknown (field and value), or null. */
  error: string | null;
}

const RANK: Record<CertificateStatus, number> = { ok: 0, not_configured: 0, warning: 1, unknown: 2, critical: 3, expired: 4 };

function worse(a: CertificateStatus, b: CertificateStatus): CertificateStatus {
  return RANK[b] > RANK[a] ? b : a;
}

export function evaluateToken(facts: TokenFacts, now: Date, policy: Pick<TokenPolicy, 'warningDays' | 'criticalDays' | 'syncStaleHours'>, firstSeenAt: string | null = null): TokenEvaluation {
  let status: CertificateStatus = facts.expirationDateTime === null ? 'unknown' : statusForExpiry(facts.expirationDateTime, now, policy);
  if (facts.invalidState !== null) status = worse(status, 'critical');
  if (facts.syncFailure !== null) status = worse(status, 'warning');
  const age = syncAgeHours(facts.lastSyncDateTime, firstSeenAt, now);
  if (age !== null && age >= policy.syncStaleHours) status = worse(status, 'critical');
  else if (age !== null && age > SYNC_WARNING_HOURS) status = worse(status, 'warning');
  return {
    status,
    daysRemaining: facts.expirationDateTime === null ? null : daysRemaining(facts.expirationDateTime, now),
    error: facts.expiryError,
  };
}
