import type { SubjectEntry } from '../subjects/subjectEntry';
import type { CredentialMetric } from './prometheus';

/**
 * Credential series from the stored subject entries. The push certificate (and a token subject that
 * could not be read at all) has no Graph id: its subject stands in, so every series keeps a label set.
 */
export function credentialMetrics(entries: readonly SubjectEntry[], tenant: string | null): CredentialMetric[] {
  return entries.map((e) => ({
    tenant,
    subject: e.subject,
    id: e.id ?? e.subject,
    name: e.name ?? '',
    status: e.status,
    expirationDateTime: e.expirationDateTime,
    lastSyncDateTime: e.lastSyncDateTime,
  }));
}
