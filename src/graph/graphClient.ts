import type { TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { MonitorConfig } from '../config';

export interface GraphClientOptions {
  /** Seconds the Graph RetryHandler waits when a 429/503/504 carries no Retry-After. */
  retryDelaySeconds?: number;
  maxRetries?: number;
}

/**
 * A Graph client for the configured cloud. Its RetryHandler retries 429/503/504 and honours
 * Retry-After. A custom endpoint's host is added to `customHosts`, because the client only attaches the
 * bearer token to hosts it knows are Graph.
 */
export function createGraphClient(config: Pick<MonitorConfig, 'graphEndpoint' | 'graphApiVersion'>, credential: TokenCredential, options: GraphClientOptions = {}): Client {
  const endpoint = new URL(config.graphEndpoint);
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [`${endpoint.origin}/.default`] });
  const auth = new AuthenticationHandler(authProvider);
  const retry = new RetryHandler(new RetryHandlerOptions(options.retryDelaySeconds ?? 3, options.maxRetries ?? 3));
  auth.setNext(retry);
  retry.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({
    middleware: auth,
    baseUrl: endpoint.origin + endpoint.pathname.replace(/\/$/, ''),
    defaultVersion: config.graphApiVersion,
    customHosts: new Set([endpoint.hostname]),
  });
}
