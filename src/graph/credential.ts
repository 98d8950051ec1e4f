import { ClientCertificateCredential, ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { GetTokenOptions, AccessToken } from '@azure/identity';
import type { MonitorConfig } from '../config';

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
 * turned off for it.
 */
export function createGraphCredential(config: Pick<MonitorConfig, 'authorityHost' | 'customAuthorityHost' | 'credential'>): TokenCredential {
  return labelledCredential(graphCredentialLabel(config.credential), chooseGraphCredential(config));
}

/** The credential class for the settings: chosen apart from storage's, which is always the managed identity. */
export function chooseGraphCredential(config: Pick<MonitorConfig, 'authorityHost' | 'customAuthorityHost' | 'credential'>): TokenCredential {
  const options = { authorityHost: config.authorityHost, disableInstanceDiscovery: config.customAuthorityHost };
  const c = config.credential;
  switch (c.kind) {
    case 'clientSecret':
      return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, options);
    case 'clientCertificate':
      return new ClientCertificateCredential(c.tenantId, c.clientId, { certificatePath: c.certificatePath }, options);
    case 'default':
      return new DefaultAzureCredential(c.managedIdentityClientId === null ? options : { ...options, managedIdentityClientId: c.managedIdentityClientId });
  }
}
