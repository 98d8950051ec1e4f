import type { Client } from '@microsoft/microsoft-graph-client';
import { parseGraphDateTime } from '../../domain/graphDate';
import { readCollection, type CollectionReaderOptions, type GraphVersion } from '../graphCollection';
import { bound, int32, quote, text, type Json } from '../parse';
import type { TokenReadOutcome } from '../token';

/**
 * Automated Device Enrollment (ADE, formerly DEP) tokens: GET /deviceManagement/depOnboardingSettings,
 * which exists on beta only (the v1.0 path answers 400), whatever GRAPH_API_VERSION says.
 */

export const ADE_TOKENS_PATH = '/deviceManagement/depOnboardingSettings';
export const ADE_API_VERSION: GraphVersion = 'beta';
export const ADE_TOKEN_FIELDS = [
  'id',
  'appleIdentifier',
  'tokenName',
  'tokenType',
  'tokenExpirationDateTime',
  'lastSuccessfulSyncDateTime',
  'lastSyncTriggeredDateTime',
  'lastSyncErrorCode',
  'syncedDeviceCount',
  'lastModifiedDateTime',
] as const;

export interface AdeToken {
  id: string;
  appleIdentifier: string | null;
  tokenName: string | null;
  tokenType: string | null;
  /** ISO, UTC; null when Graph gave no usable date (see expiryError). */
  tokenExpirationDateTime: string | null;
  expiryError: string | null;
  lastSuccessfulSyncDateTime: string | null;
  lastSyncTriggeredDateTime: string | null;
  /** 0 is no error; other values are undocumented. Null when absent or not an Int32. */
  lastSyncErrorCode: number | null;
  syncedDeviceCount: number | null;
  lastModifiedDateTime: string | null;
}

export type AdeReadOutcome = TokenReadOutcome<AdeToken>;

export function parseAdeToken(raw: Json): AdeToken | { error: string } {
  const id = text(raw['id']);
  if (id === null) return { error: `an ADE token without an id (id: ${quote(raw['id'])})` };
  const expiry = parseGraphDateTime(raw['tokenExpirationDateTime']);
  const devices = int32(raw['syncedDeviceCount']);
  return {
    id,
    appleIdentifier: text(raw['appleIdentifier']),
    tokenName: text(raw['tokenName']),
    tokenType: text(raw['tokenType']),
    tokenExpirationDateTime: expiry,
    expiryError: expiry === null ? bound(`the ADE token ${bound(id, 200)} has no usable tokenExpirationDateTime (${quote(raw['tokenExpirationDateTime'])})`) : null,
    lastSuccessfulSyncDateTime: parseGraphDateTime(raw['lastSuccessfulSyncDateTime']),
    lastSyncTriggeredDateTime: parseGraphDateTime(raw['lastSyncTriggeredDateTime']),
    lastSyncErrorCode: int32(raw['lastSyncErrorCode']),
    syncedDeviceCount: devices !== null && devices >= 0 ? devices : null,
    lastModifiedDateTime: parseGraphDateTime(raw['lastModifiedDateTime']),
  };
}

export function parseAdeTokens(items: readonly Json[]): AdeReadOutcome {
  const tokens: AdeToken[] = [];
  for (const [index, raw] of items.entries()) {
    const parsed = parseAdeToken(raw);
    if ('error' in parsed) return { kind: 'failed', error: `GET /${ADE_API_VERSION}${ADE_TOKENS_PATH}: item ${index + 1} is ${parsed.error}`, httpStatus: 200 };
    tokens.push(parsed);
  }
  return { kind: 'found', tokens };
}

export function createAdeTokenReader(client: Client, options: CollectionReaderOptions): () => Promise<AdeReadOutcome> {
  return async () => {
    const read = await readCollection(client, { version: ADE_API_VERSION, path: ADE_TOKENS_PATH, select: ADE_TOKEN_FIELDS }, options);
    return read.kind === 'failed' ? read : parseAdeTokens(read.items);
  };
}
