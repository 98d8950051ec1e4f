import { type Client, GraphError } from '@microsoft/microsoft-graph-client';
import { CERTIFICATE_FIELDS, type ApnsCertificate, type ReadOutcome } from '../domain/certificate';

export const CERTIFICATE_PATH = '/deviceManagement/applePushNotificationCertificate';
export const READ_PERMISSION = 'DeviceManagementServiceConfig.Read.All';

const AUTH_ERROR_NAMES = new Set(['AuthenticationError', 'AggregateAuthenticationError', 'CredentialUnavailableError', 'AuthenticationRequiredError']);

export interface CertificateReaderOptions {
  /** Named in network errors: the Graph client drops the underlying cause (ECONNREFUSED, DNS …). */
  graphEndpoint?: string;
  /** Extra attempts after a network failure (429/503/504 are retried by the Graph RetryHandler). */
  networkRetries?: number;
  networkRetryDelayMs?: number;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function isoOrNull(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/**
 * Some reference pages show the entity inside a `value` envelope, the live service answers the bare
 * entity; both are accepted. An empty envelope is a tenant without a certificate.
 */
export function parseCertificateBody(body: unknown): ReadOutcome {
  let entity: unknown = body;
  if (isObject(body) && 'value' in body) {
    const v = body['value'];
    if (Array.isArray(v)) {
      if (v.length === 0) return { kind: 'not_configured' };
      entity = v[0];
    } else {
      entity = v;
    }
  }
  if (!isObject(entity)) {
    return { kind: 'failed', error: 'Graph answered with a body that is not an applePushNotificationCertificate object', httpStatus: 200 };
  }
  const expirationDateTime = isoOrNull(entity['expirationDateTime']);
  if (expirationDateTime === null) {
    return { kind: 'failed', error: 'Graph answered without a parseable expirationDateTime for the push certificate', httpStatus: 200 };
  }
  const certificate: ApnsCertificate = {
    id: stringOrNull(entity['id']),
    appleIdentifier: stringOrNull(entity['appleIdentifier']),
    topicIdentifier: stringOrNull(entity['topicIdentifier']),
    expirationDateTime,
    lastModifiedDateTime: isoOrNull(entity['lastModifiedDateTime']),
    certificateSerialNumber: stringOrNull(entity['certificateSerialNumber']),
    certificateUploadStatus: stringOrNull(entity['certificateUploadStatus']),
    certificateUploadFailureReason: stringOrNull(entity['certificateUploadFailureReason']),
  };
  return { kind: 'found', certificate };
}

function describeCause(error: unknown): string {
  let cause: unknown = error;
  const parts: string[] = [];
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code;
    // Identity joins every credential's failure with newlines; one line per cause is enough here.
    const message = cause.message.split('\n')[0]?.trim() ?? '';
    const piece = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
    if (piece !== '' && !parts.includes(piece)) parts.push(piece);
    cause = cause.cause;
  }
  return parts.join(': ') || 'unknown error';
}

/** Turns a Graph failure into one sentence an admin can act on. */
export function describeGraphFailure(error: unknown, graphEndpoint = 'Graph'): { message: string; httpStatus: number | null; network: boolean } {
  if (error instanceof GraphError && error.statusCode > 0) {
    const status = error.statusCode;
    if (status === 403) {
      return {
        message: `Graph answered 403 Forbidden: the app lacks the Graph application permission ${READ_PERMISSION} (grant it with admin consent)`,
        httpStatus: status,
        network: false,
      };
    }
    if (status === 401) {
      return { message: `Graph answered 401 Unauthorized: the token was rejected (${error.code ?? 'no code'})`, httpStatus: status, network: false };
    }
    return { message: `Graph answered ${status}${error.code ? ` ${error.code}` : ''}: ${error.message || 'no message'}`, httpStatus: status, network: false };
  }
  const name = error instanceof GraphError ? error.code : error instanceof Error ? error.name : null;
  if (name !== null && AUTH_ERROR_NAMES.has(name)) {
    return { message: `could not get a Graph token from Entra ID: ${describeCause(error)}`, httpStatus: null, network: false };
  }
  return { message: `could not reach Graph at ${graphEndpoint}: ${describeCause(error)}`, httpStatus: null, network: true };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createCertificateReader(client: Client, options: CertificateReaderOptions = {}): () => Promise<ReadOutcome> {
  const retries = options.networkRetries ?? 2;
  const delayMs = options.networkRetryDelayMs ?? 2000;
  return async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const body: unknown = await client.api(CERTIFICATE_PATH).select([...CERTIFICATE_FIELDS]).get();
        return parseCertificateBody(body);
      } catch (error) {
        if (error instanceof GraphError && error.statusCode === 404) return { kind: 'not_configured' };
        const failure = describeGraphFailure(error, options.graphEndpoint);
        if (failure.network && attempt < retries) {
          await sleep(delayMs * (attempt + 1));
          continue;
        }
        return { kind: 'failed', error: failure.message, httpStatus: failure.httpStatus };
      }
    }
  };
}
