import { ClientCertificateCredential, ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { GetTokenOptions, AccessToken } from '@azure/identity';
import type { MonitorConfig } from '../config';
import { withTimeout } from '../net/deadline';

/**
 * Every token request answers within `timeoutMs`: it gets an abort signal, and is also raced against
 * a timer, because identity's own retries (and MSAL, which ignores the signal) can outlast it.
 */
export function withTokenDeadline(credential: TokenCredential, timeoutMs: number): TokenCredential {
  return {
    getToken: (scopes, options) =>
      withTimeout('Entra token request', timeoutMs, (abortSignal) => credential.getToken(scopes, { ...options, abortSignal })),
  };
}

/** What an error about this credential should call it (never a secret). */
export function graphCredentialLabel(credential: MonitorConfig['credential']): string {
  switch (credential.kind) {
    case 'clientSecret':
      return `Graph token (client secret for tenant ${credential.tenantId}, app ${credential.clientId})`;
    case 'clientCertificate':
      return `Graph token (client certificate for tenant ${credential.tenantId}, app ${credential.clientId})`;
    case 'default':
      return credential.managedIdentityClientId === null ? 'Graph token (managed identity)' : `Graph token (managed identity ${credential.managedIdentityClientId})`;
  }
}

/** A credential whose failures name it, so a storage failure is not mistaken for a Graph one. */
export function labelledCredential(label: string, inner: TokenCredential): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      try {
        return await inner.getToken(scopes, options);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message.startsWith(label)) throw error;
        const labelled = new Error(`${label}: ${message}`, { cause: error });
        labelled.name = error instanceof Error ? error.name : 'CredentialError';
        throw labelled;
      }
    },
  };
}

/**
 * Managed identity (DefaultAzureCredential) in Azure; an app registration's client secret or
 * certificate elsewhere, read from the same settings EnvironmentCredential would use. A custom
 * authority host (a sovereign or test endpoint) has no instance metadata to discover, so discovery is
 * turned off for it. Each HTTP attempt identity makes is cut off at the HTTP deadline too, so no
 * socket outlives the token request that gave up on it.
 */
export function createGraphCredential(config: Pick<MonitorConfig, 'authorityHost' | 'customAuthorityHost' | 'credential' | 'httpTimeoutMs'>): TokenCredential {
  return labelledCredential(graphCredentialLabel(config.credential), withTokenDeadline(chooseGraphCredential(config), config.httpTimeoutMs));
}

/** The credential class for the settings: chosen apart from storage's, which is always the managed identity. */
export function chooseGraphCredential(config: Pick<MonitorConfig, 'authorityHost' | 'customAuthorityHost' | 'credential' | 'httpTimeoutMs'>): TokenCredential {
  const options = {
    authorityHost: config.authorityHost,
    disableInstanceDiscovery: config.customAuthorityHost,
    additionalPolicies: [
      {
        position: 'perRetry' as const,
        policy: {
          name: 'apnsMonitorHttpDeadline',
          sendRequest<R extends { timeout: number }, T>(request: R, next: (request: R) => Promise<T>): Promise<T> {
            request.timeout = config.httpTimeoutMs;
            return next(request);
          },
        },
      },
    ],
  };
  const c = config.credential;
  let credential: TokenCredential;
  switch (c.kind) {
    case 'clientSecret':
      credential = new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, options);
      break;
    case 'clientCertificate':
      credential = new ClientCertificateCredential(c.tenantId, c.clientId, { certificatePath: c.certificatePath }, options);
      break;
    case 'default':
      credential = new DefaultAzureCredential(c.managedIdentityClientId === null ? options : { ...options, managedIdentityClientId: c.managedIdentityClientId });
      break;
  }
  return credential;
}
