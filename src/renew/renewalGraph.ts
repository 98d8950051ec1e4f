import { type Client, GraphError } from '@microsoft/microsoft-graph-client';
import { CERTIFICATE_FIELDS, type ApnsCertificate } from '../domain/certificate';
import { CERTIFICATE_PATH, describeGraphFailure, parseCertificateBody } from '../graph/certificateReader';
import { WRITE_PERMISSION } from './signIn';

/**
 * The Graph calls of a renewal: the CSR, the current certificate, the upload (PATCH, v1.0) and the
 * directory's display name for the typed confirmation. Every failure becomes a RenewalGraphError with
 * one sentence an admin can act on.
 */

export const CSR_PATH = `${CERTIFICATE_PATH}/downloadApplePushNotificationCertificateSigningRequest`;
/** A CSR is about 1 KB; a larger answer is not one. */
const MAX_CSR_CHARS = 64 * 1024;

export class RenewalGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenewalGraphError';
  }
}

export function renewalFailure(error: unknown, graphEndpoint: string): RenewalGraphError {
  if (error instanceof RenewalGraphError) return error;
  if (error instanceof GraphError && error.statusCode === 403) {
    return new RenewalGraphError(
      `Graph answered 403 Forbidden: renewing the push certificate needs the Graph permission ${WRITE_PERMISSION} ` +
        '(delegated, consented for the sign-in app, with --auth device-code; application, with --auth app), and a signed-in person needs the Intune Administrator role',
    );
  }
  return new RenewalGraphError(describeGraphFailure(error, graphEndpoint).message);
}

export interface RenewalGraph {
  downloadCsr(): Promise<string>;
  /** null: the tenant has no push certificate (404). */
  readCurrent(): Promise<ApnsCertificate | null>;
  upload(appleIdentifier: string, certificatePem: string): Promise<void>;
  organizationName(): Promise<string | null>;
}

export function createRenewalGraph(client: Client, graphEndpoint: string): RenewalGraph {
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw renewalFailure(error, graphEndpoint);
    }
  };
  return {
    downloadCsr: () =>
      call(async () => {
        const body: unknown = await client.api(CSR_PATH).get();
        const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['value'] : undefined;
        if (typeof value !== 'string' || value.trim() === '') throw new RenewalGraphError('Graph answered the CSR download without a certificate signing request in "value"');
        if (value.length > MAX_CSR_CHARS) throw new RenewalGraphError(`Graph answered the CSR download with ${value.length} characters, far more than a certificate signing request`);
        return value;
      }),
    readCurrent: () =>
      call(async () => {
        try {
          const body: unknown = await client.api(CERTIFICATE_PATH).select([...CERTIFICATE_FIELDS]).get();
          const read = parseCertificateBody(body);
          if (read.kind === 'failed') throw new RenewalGraphError(read.error);
          return read.kind === 'found' ? read.certificate : null;
        } catch (error) {
          if (error instanceof GraphError && error.statusCode === 404) return null;
          throw error;
        }
      }),
    upload: (appleIdentifier, certificatePem) =>
      call(async () => {
        await client.api(CERTIFICATE_PATH).patch({
          '@odata.type': '#microsoft.graph.applePushNotificationCertificate',
          appleIdentifier,
          certificate: certificatePem,
        });
      }),
    organizationName: () =>
      call(async () => {
        const body: unknown = await client.api('/organization').select(['displayName']).get();
        const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['value'] : undefined;
        const first: unknown = Array.isArray(list) ? list[0] : undefined;
        const name = typeof first === 'object' && first !== null ? (first as Record<string, unknown>)['displayName'] : undefined;
        return typeof name === 'string' && name.trim() !== '' ? name.trim() : null;
      }),
  };
}
