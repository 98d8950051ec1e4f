/**
 * Strict reading of an Azure Storage connection string (`Name=value;Name=value;…`). The storage SDK
 * reads leniently (an unknown or misspelt part is ignored, a bad key fails on the first request), so
 * the monitor checks it at start instead. Problems are described without any value: the string
 * carries the account key or a SAS token.
 */

const KNOWN_NAMES = [
  'DefaultEndpointsProtocol',
  'AccountName',
  'AccountKey',
  'EndpointSuffix',
  'SharedAccessSignature',
  'BlobEndpoint',
  'QueueEndpoint',
  'TableEndpoint',
  'FileEndpoint',
  'BlobSecondaryEndpoint',
  'QueueSecondaryEndpoint',
  'TableSecondaryEndpoint',
  'FileSecondaryEndpoint',
] as const;

type PartName = (typeof KNOWN_NAMES)[number];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DNS_NAME = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Why the string is not a usable connection string for Table Storage, or null when it is. */
export function connectionStringProblem(connectionString: string): string | null {
  const parts = new Map<PartName, string>();
  const pieces = connectionString.split(';');
  for (const [index, piece] of pieces.entries()) {
    const part = piece.trim();
    // An empty part is a trailing or doubled `;`, which Azure's own strings have.
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq).trim() : '';
    // A part that is not Name=value may be a fragment of the key: say where it is, never what.
    if (!/^[A-Za-z]{1,40}$/.test(name)) return `part ${index + 1} is not Name=value`;
    const known = KNOWN_NAMES.find((k) => k.toLowerCase() === name.toLowerCase());
    if (known === undefined) return `unknown part "${name}" (known: ${KNOWN_NAMES.join(', ')})`;
    if (parts.has(known)) return `${known} is given twice`;
    const value = part.slice(eq + 1).trim();
    if (value === '') return `${known} is empty`;
    parts.set(known, value);
  }
  if (parts.size === 0) return 'it is empty';

  const protocol = parts.get('DefaultEndpointsProtocol');
  if (protocol !== undefined && protocol !== 'https' && protocol !== 'http') return 'DefaultEndpointsProtocol must be https or http';
  const key = parts.get('AccountKey');
  if (key !== undefined && !BASE64.test(key)) return 'AccountKey is not base64';
  const suffix = parts.get('EndpointSuffix');
  if (suffix !== undefined && !DNS_NAME.test(suffix)) return 'EndpointSuffix must be a domain name such as core.windows.net';
  const name = parts.get('AccountName');
  if (name !== undefined && !/^[a-z0-9]{3,24}$/.test(name)) return 'AccountName must be a storage account name (3-24 lowercase letters and digits)';
  for (const endpoint of KNOWN_NAMES.filter((n) => n.endsWith('Endpoint'))) {
    const url = parts.get(endpoint);
    if (url !== undefined && !isHttpUrl(url)) return `${endpoint} must be an http(s) URL`;
  }

  if (key !== undefined) {
    if (name === undefined) return 'AccountKey needs AccountName';
    // The Table SDK reads a key-based string only together with the protocol.
    if (protocol === undefined) return 'AccountKey needs DefaultEndpointsProtocol=https';
    return null;
  }
  if (parts.has('SharedAccessSignature')) {
    return parts.has('TableEndpoint') ? null : 'SharedAccessSignature needs TableEndpoint (the monitor uses Table Storage)';
  }
  return 'it needs AccountName and AccountKey, or TableEndpoint and SharedAccessSignature';
}
