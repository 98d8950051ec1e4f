/** The fields of Graph's applePushNotificationCertificate that the monitor reads (never the blob). */
export interface ApnsCertificate {
  id: string | null;
  appleIdentifier: string | null;
  topicIdentifier: string | null;
  /** ISO 8601, normalised to UTC. */
  expirationDateTime: string;
  lastModifiedDateTime: string | null;
  certificateSerialNumber: string | null;
  certificateUploadStatus: string | null;
  certificateUploadFailureReason: string | null;
}

export const CERTIFICATE_FIELDS = [
  'id',
  'appleIdentifier',
  'topicIdentifier',
  'expirationDateTime',
  'lastModifiedDateTime',
  'certificateSerialNumber',
  'certificateUploadStatus',
  'certificateUploadFailureReason',
] as const;

/** What one read of Graph produced. `failed` covers auth, permission, network and malformed answers. */
export type ReadOutcome =
  | { kind: 'found'; certificate: ApnsCertificate }
  | { kind: 'not_configured' }
  | { kind: 'failed'; error: string; httpStatus: number | null };
