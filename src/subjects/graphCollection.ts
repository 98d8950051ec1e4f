import type { Client } from '@microsoft/microsoft-graph-client';
import { describeGraphFailure } from '../graph/certificateReader';
import { bound, isObject, type Json } from './parse';

/**
 * Reads a whole Graph collection: the first page with `$select`, then every `@odata.nextLink`. Each
 * endpoint names its own API version, whatever GRAPH_API_VERSION says for the push certificate. A
 * collection is all or nothing: a half-read list would make the missing tokens look removed.
 */

export type GraphVersion = 'v1.0' | 'beta';

export interface CollectionRequest {
  version: GraphVersion;
  /** From the version on, e.g. /deviceAppManagement/vppTokens. */
  path: string;
  select: readonly string[];
}

export interface CollectionReaderOptions {
  /** The Graph endpoint the client talks to: next links must stay on its origin. */
  graphEndpoint: string;
  maxPages?: number;
  /** Extra attempts after a network failure (429/503/504 are retried by the Graph RetryHandler). */
  networkRetries?: number;
  networkRetryDelayMs?: number;
  /** Deadline for one page, retries by the RetryHandler included. */
  pageTimeoutMs?: number;
}

export type CollectionOutcome = { kind: 'items'; items: Json[] } | { kind: 'failed'; error: string; httpStatus: number | null };

export const DEFAULT_MAX_PAGES = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How the call is named in errors: method, version and path, never a query string or a skip token. */
export function callName(request: Pick<CollectionRequest, 'version' | 'path'>): string {
  return `GET /${request.version}${request.path}`;
}

/** A next link the monitor follows: an absolute URL on the Graph origin, for the same collection. */
export function checkNextLink(link: unknown, request: Pick<CollectionRequest, 'path'>, origin: string): { url: string } | { error: string } {
  if (typeof link !== 'string') return { error: 'an @odata.nextLink that is not a string' };
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return { error: 'an @odata.nextLink that is not a URL' };
  }
  if (url.origin !== origin) return { error: `an @odata.nextLink to another origin (${bound(url.origin, 200)}); only ${origin} is followed` };
  if (!url.pathname.endsWith(request.path)) return { error: `an @odata.nextLink to another resource (${bound(url.pathname, 200)})` };
  return { url: url.href };
}

export async function readCollection(client: Client, request: CollectionRequest, options: CollectionReaderOptions): Promise<CollectionOutcome> {
  const call = callName(request);
  const origin = new URL(options.graphEndpoint).origin;
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const retries = options.networkRetries ?? 2;
  const delayMs = options.networkRetryDelayMs ?? 2000;
  const timeoutMs = options.pageTimeoutMs ?? 60_000;
  const items: Json[] = [];
  let next: string | null = null;
  for (let page = 1; ; page++) {
    let body: unknown;
    for (let attempt = 0; ; attempt++) {
      try {
        const api = next === null ? client.api(request.path).version(request.version).select([...request.select]) : client.api(next);
        body = await api.option('signal', AbortSignal.timeout(timeoutMs)).get();
        break;
      } catch (error) {
        const failure = describeGraphFailure(error, options.graphEndpoint);
        if (failure.network && attempt < retries) {
          await sleep(delayMs * (attempt + 1));
          continue;
        }
        return { kind: 'failed', error: bound(`${call}: ${failure.message}`), httpStatus: failure.httpStatus };
      }
    }
    if (!isObject(body) || !Array.isArray(body['value'])) {
      return { kind: 'failed', error: `${call}: Graph answered page ${page} without a value array`, httpStatus: 200 };
    }
    for (const [index, item] of body['value'].entries()) {
      if (!isObject(item)) return { kind: 'failed', error: `${call}: item ${index + 1} of page ${page} is not an object`, httpStatus: 200 };
      items.push(item);
    }
    const link = body['@odata.nextLink'];
    if (link === undefined || link === null) return { kind: 'items', items };
    const checked = checkNextLink(link, request, origin);
    if ('error' in checked) return { kind: 'failed', error: `${call}: Graph answered page ${page} with ${checked.error}`, httpStatus: 200 };
    if (page >= maxPages) {
      return { kind: 'failed', error: `${call}: Graph kept paging past ${maxPages} pages; the monitor stops there rather than read without end`, httpStatus: 200 };
    }
    next = checked.url;
  }
}
