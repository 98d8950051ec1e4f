import type { Client } from '@microsoft/microsoft-graph-client';
import { parseGraphDateTime } from '../../domain/graphDate';
import { readCollection, type CollectionReaderOptions, type GraphVersion } from '../graphCollection';
import { bound, quote, text, type Json } from '../parse';
import type { TokenReadOutcome } from '../token';

/**
 * Apps and Books (VPP) location tokens: GET /deviceAppManagement/vppTokens on v1.0. The resource also
 * carries `token`, the secret itself: it is never selected, and dropped should a server send it anyway
 * (the parser copies only the fields named here).
 */

export const VPP_TOKENS_PATH = '/deviceAppManagement/vppTokens';
export const VPP_API_VERSION: GraphVersion = 'v1.0';
/** v1.0 fields; `displayName` and `locationName` exist on beta only and would make v1.0 answer 400. */
export const VPP_TOKEN_FIELDS = [
  'id',
  'organizationName',
  'appleId',
  'vppTokenAccountType',
  'expirationDateTime',
  'lastSyncDateTime',
  'lastSyncStatus',
  'state',
  'countryOrRegion',
  'lastModifiedDateTime',
] as const;

export interface VppToken {
  id: string;
  organizationName: string | null;
  appleId: string | null;
  vppTokenAccountType: string | null;
  /** ISO, UTC; null when Graph gave no usable date (see expiryError). */
  expirationDateTime: string | null;
  expiryError: string | null;
  lastSyncDateTime: string | null;
  lastSyncStatus: string | null;
  state: string | null;
  countryOrRegion: string | null;
  lastModifiedDateTime: string | null;
  /** Beta only: read when a server sends them. */
  displayName: string | null;
  locationName: string | null;
}

export type VppReadOutcome = TokenReadOutcome<VppToken>;

/** One entity, strictly: an item without an id cannot be followed from check to check. */
export function parseVppToken(raw: Json): VppToken | { error: string } {
  const id = text(raw['id']);
  if (id === null) return { error: `a VPP token without an id (id: ${quote(raw['id'])})` };
  const expirationDateTime = parseGraphDateTime(raw['expirationDateTime']);
  return {
    id,
    organizationName: text(raw['organizationName']),
    appleId: text(raw['appleId']),
    vppTokenAccountType: text(raw['vppTokenAccountType']),
    expirationDateTime,
    expiryError: expirationDateTime === null ? bound(`the VPP token ${bound(id, 200)} has no usable expirationDateTime (${quote(raw['expirationDateTime'])})`) : null,
    lastSyncDateTime: parseGraphDateTime(raw['lastSyncDateTime']),
    lastSyncStatus: text(raw['lastSyncStatus']),
    state: text(raw['state']),
    countryOrRegion: text(raw['countryOrRegion']),
    lastModifiedDateTime: parseGraphDateTime(raw['lastModifiedDateTime']),
    displayName: text(raw['displayName']),
    locationName: text(raw['locationName']),
  };
}

export function parseVppTokens(items: readonly Json[]): VppReadOutcome {
  const tokens: VppToken[] = [];
  for (const [index, raw] of items.entries()) {
    const parsed = parseVppToken(raw);
    if ('error' in parsed) return { kind: 'failed', error: `GET /${VPP_API_VERSION}${VPP_TOKENS_PATH}: item ${index + 1} is ${parsed.error}`, httpStatus: 200 };
    tokens.push(parsed);
  }
  return { kind: 'found', tokens };
}

export function createVppTokenReader(client: Client, options: CollectionReaderOptions): () => Promise<VppReadOutcome> {
  return async () => {
    const read = await readCollection(client, { version: VPP_API_VERSION, path: VPP_TOKENS_PATH, select: VPP_TOKEN_FIELDS }, options);
    return read.kind === 'failed' ? read : parseVppTokens(read.items);
  };
}
