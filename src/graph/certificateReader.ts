import { type Client, GraphError } from '@microsoft/microsoft-graph-client';
import { boundString, graphText } from '../domain/bound';
import { CERTIFICATE_FIELDS, type ApnsCertificate, type ReadOutcome } from '../domain/certificate';
import { parseGraphDateTime } from '../domain/graphDate';
import { OutboundCallError, type Deadline } from '../net/deadline';
import { retryWithin, type GraphClientOptions } from './graphClient';

export const CERTIFICATE_PATH = '/deviceManagement/applePushNotificationCertificate';
export const READ_PERMISSION = 'DeviceManagementServiceConfig.Read.All';

const AUTH_ERROR_NAMES = new Set(['AuthenticationError', 'AggregateAuthenticationError', 'CredentialUnavailableError', 'AuthenticationRequiredError']);

export interface CertificateReaderOptions extends GraphClientOptions {
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

/** What is kept of a Graph string: identifiers and statuses are short; a failure reason is prose. */
export const MAX_FIELD_CHARS = 1024;
export const MAX_REASON_CHARS = 4000;
/** How much of an unusable value an error quotes. */
const QUOTED_VALUE_CHARS = 64;

function stringOrNull(v: unknown, maxChars = MAX_FIELD_CHARS): string | null {
  return typeof v === 'string' && v.trim() !== '' ? graphText(v, maxChars) : null;
}

function quote(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(boundString(v, QUOTED_VALUE_CHARS));
  return boundString(JSON.stringify(v) ?? String(v), QUOTED_VALUE_CHARS);
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
  const rawExpiry = entity['expirationDateTime'];
  const expirationDateTime = parseGraphDateTime(rawExpiry);
  if (expirationDateTime === null) {
    // Undated is unknown, never expired: a guessed date would tell the admin to rebuild the certificate.
    const error = rawExpiry === undefined ? 'Graph answered without an expirationDateTime for the push certificate' : `Graph answered an expirationDateTime that is not a date: ${quote(rawExpiry)}`;
    return { kind: 'failed', error, httpStatus: 200 };
  }
  const certificate: ApnsCertificate = {
    id: stringOrNull(entity['id']),
    appleIdentifier: stringOrNull(entity['appleIdentifier']),
    topicIdentifier: stringOrNull(entity['topicIdentifier']),
    expirationDateTime,
    lastModifiedDateTime: parseGraphDateTime(entity['lastModifiedDateTime']),
    certificateSerialNumber: stringOrNull(entity['certificateSerialNumber']),
    certificateUploadStatus: stringOrNull(entity['certificateUploadStatus']),
    certificateUploadFailureReason: stringOrNull(entity['certificateUploadFailureReason'], MAX_REASON_CHARS),
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
  // A deadline or size cap already says which call and why; the Graph client keeps only its name and message.
  if (error instanceof OutboundCallError || (error instanceof GraphError && error.code === 'OutboundCallError')) {
    return { message: error.message, httpStatus: null, network: false };
  }
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

/** Reads the certificate once (with retries) within `deadline`; without one, within the client's own retry limits. */
export type CertificateReader = (deadline?: Deadline) => Promise<ReadOutcome>;

export function createCertificateReader(client: Client, options: CertificateReaderOptions = {}): CertificateReader {
  const retries = options.networkRetries ?? 2;
  const delayMs = options.networkRetryDelayMs ?? 2000;
  return async (deadline) => {
    for (let attempt = 0; ; attempt++) {
      try {
        let request = client.api(CERTIFICATE_PATH).select([...CERTIFICATE_FIELDS]);
        if (deadline !== undefined) request = request.option('signal', deadline.signal).middlewareOptions([retryWithin(deadline, options)]);
        const body: unknown = await request.get();
        return parseCertificateBody(body);
      } catch (error) {
        if (error instanceof GraphError && error.statusCode === 404) return { kind: 'not_configured' };
        const failure = describeGraphFailure(error, options.graphEndpoint);
        const wait = delayMs * (attempt + 1);
        if (failure.network && attempt < retries && (deadline === undefined || wait < deadline.remainingMs())) {
          await sleep(wait);
          continue;
        }
        return { kind: 'failed', error: failure.message, httpStatus: failure.httpStatus };
      }
    }
  };
}
