import type { TokenCredential } from '@azure/identity';
import { AuthenticationHandler, Client, RetryHandler, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { MonitorConfig } from '../config';
import type { Deadline } from '../net/deadline';
import { parseRetryAfter } from '../notify/httpDelivery';
import { DeadlineHttpMessageHandler } from './deadlineHandler';

export interface GraphClientOptions {
  /** Seconds the Graph RetryHandler waits when a 429/503/504 carries no Retry-After. */
  retryDelaySeconds?: number;
  maxRetries?: number;
}

const DEFAULT_RETRY_DELAY_SECONDS = 3;
const DEFAULT_MAX_RETRIES = 3;
/** The Graph RetryHandler waits at most this long on one Retry-After. */
const MAX_RETRY_WAIT_SECONDS = 180;

/**
 * Retry options for one request that must finish by `deadline`: a 429/503/504 is retried only when
 * the wait it asks for (Retry-After, up to the handler's 180 s) ends before the deadline does;
 * otherwise its answer stands and the read fails now rather than after the host gave up on it.
 */
export function retryWithin(deadline: Deadline, options: GraphClientOptions = {}): RetryHandlerOptions {
  const delaySeconds = options.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS;
  return new RetryHandlerOptions(delaySeconds, options.maxRetries ?? DEFAULT_MAX_RETRIES, (_delay, attempt, _request, _options, response) => {
    const asked = parseRetryAfter(response.headers.get('retry-after'));
    const waitSeconds = Math.min(MAX_RETRY_WAIT_SECONDS, asked ?? delaySeconds * 2 ** attempt);
    return waitSeconds * 1000 < deadline.remainingMs();
  });
}

/**
 * A Graph client for the configured cloud. Its RetryHandler retries 429/503/504 and honours
 * Retry-After; every request (each retry too) has the HTTP deadline and a 1 MiB cap on its body. A
 * custom endpoint's host is added to `customHosts`, because the client only attaches the bearer token
 * to hosts it knows are Graph.
 */
export function createGraphClient(
  config: Pick<MonitorConfig, 'graphEndpoint' | 'graphApiVersion' | 'httpTimeoutMs'>,
  credential: TokenCredential,
  options: GraphClientOptions = {},
): Client {
  const endpoint = new URL(config.graphEndpoint);
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [`${endpoint.origin}/.default`] });
  const auth = new AuthenticationHandler(authProvider);
  const retry = new RetryHandler(new RetryHandlerOptions(options.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS, options.maxRetries ?? DEFAULT_MAX_RETRIES));
  auth.setNext(retry);
  retry.setNext(new DeadlineHttpMessageHandler(config.httpTimeoutMs));
  return Client.initWithMiddleware({
    middleware: auth,
    baseUrl: endpoint.origin + endpoint.pathname.replace(/\/$/, ''),
    defaultVersion: config.graphApiVersion,
    customHosts: new Set([endpoint.hostname]),
  });
}
