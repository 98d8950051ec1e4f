import type { Client } from '@microsoft/microsoft-graph-client';
import { describeGraphFailure } from '../../graph/certificateReader';
import { BodyCapOption } from '../../graph/deadlineHandler';
import { retryWithin, type GraphClientOptions } from '../../graph/graphClient';
import type { Deadline } from '../../net/deadline';
import { checkNextLink } from '../graphCollection';
import { bound, isObject } from '../parse';
import { DEVICE_CERTIFICATE_FIELDS, DEVICE_CERTIFICATE_PERMISSION, DEVICE_CERTIFICATES_PATH, DEVICE_CERTIFICATES_VERSION } from './parse';
import type { DeviceCertScanOutcome } from './rules';
import { DeviceCertificateScan } from './scan';

/**
 * The streaming read of every device certificate: each page is handed to the scan as it arrives and
 * then let go, so memory holds the compact scan, never the pages. All or nothing: a page that fails
 * fails the scan (its partial counts are dropped, never compared with the last snapshot).
 */

export interface DeviceCertificateReaderOptions extends GraphClientOptions {
  /** The Graph endpoint the client talks to: next links must stay on its origin. */
  graphEndpoint: string;
  /** Asked for with $top; Graph may serve fewer (or more) per page, and the reader follows whatever comes. */
  pageSize?: number;
  /** 200,000 certificates at 1,000 a page are 200 pages; a server that pages at 100 still fits. */
  maxPages?: number;
  networkRetries?: number;
  networkRetryDelayMs?: number;
}

export const DEFAULT_PAGE_SIZE = 1000;
export const DEFAULT_MAX_PAGES = 5000;
/**
 * A page's body cap. The 1 MiB of other Graph calls does not fit $top=1000 here: eight fields with X.500
 * subject and issuer names of a few hundred characters each come to 1-2 MiB. 16 MiB holds 1,000 items of
 * 16 KiB each and is still a bound (a page is parsed and let go before the next one is read).
 */
export const MAX_PAGE_BYTES = 16 * 1024 * 1024;

const CALL = `GET /${DEVICE_CERTIFICATES_VERSION}${DEVICE_CERTIFICATES_PATH}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Graph's 403 does not say which permission is missing: on this endpoint it is always this one. */
function forbidden(): string {
  return `${CALL}: Graph answered 403 Forbidden: the app lacks the Graph application permission ${DEVICE_CERTIFICATE_PERMISSION} (grant it with admin consent; the Bicep parameter grantDeviceCertificateRead does)`;
}

export type DeviceCertificateReader = (deadline: Deadline, now: Date, windowDays: number) => Promise<DeviceCertScanOutcome>;

export function createDeviceCertificateReader(client: Client, options: DeviceCertificateReaderOptions): DeviceCertificateReader {
  const origin = new URL(options.graphEndpoint).origin;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const retries = options.networkRetries ?? 2;
  const delayMs = options.networkRetryDelayMs ?? 2000;
  return async (deadline, now, windowDays) => {
    const scan = new DeviceCertificateScan(now, windowDays);
    let next: string | null = null;
    for (let page = 1; ; page++) {
      let body: unknown;
      for (let attempt = 0; ; attempt++) {
        try {
          const api =
            next === null
              ? client.api(DEVICE_CERTIFICATES_PATH).version(DEVICE_CERTIFICATES_VERSION).select([...DEVICE_CERTIFICATE_FIELDS]).top(pageSize)
              : client.api(next);
          // The check's deadline cuts the whole scan; a 429's Retry-After is waited for only while it ends within it.
          body = await api.option('signal', deadline.signal).middlewareOptions([retryWithin(deadline, options), new BodyCapOption(MAX_PAGE_BYTES)]).get();
          break;
        } catch (error) {
          const failure = describeGraphFailure(error, options.graphEndpoint);
          const wait = delayMs * (attempt + 1);
          if (failure.network && attempt < retries && wait < deadline.remainingMs()) {
            await sleep(wait);
            continue;
          }
          const message = failure.httpStatus === 403 ? forbidden() : bound(`${CALL}: page ${page}: ${failure.message}`);
          return { kind: 'failed', error: message, httpStatus: failure.httpStatus };
        }
      }
      if (!isObject(body) || !Array.isArray(body['value'])) {
        return { kind: 'failed', error: `${CALL}: Graph answered page ${page} without a value array`, httpStatus: 200 };
      }
      scan.addPage(body['value']);
      const link = body['@odata.nextLink'];
      if (link === undefined || link === null) return { kind: 'complete', result: scan.finish() };
      const checked = checkNextLink(link, { path: DEVICE_CERTIFICATES_PATH }, origin);
      if ('error' in checked) return { kind: 'failed', error: `${CALL}: Graph answered page ${page} with ${checked.error}`, httpStatus: 200 };
      if (page >= maxPages) {
        return { kind: 'failed', error: `${CALL}: Graph kept paging past ${maxPages} pages; the monitor stops there rather than read without end`, httpStatus: 200 };
      }
      next = checked.url;
    }
  };
}
