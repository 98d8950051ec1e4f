import { ClientCertificateCredential, ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { MonitorConfig } from '../config';

/**
 * Managed identity (DefaultAzureCredential) in Azure; an app registration's client secret or
 * certificate elsewhere, read from the same settings EnvironmentCredential would use. A custom
 * authority host (a sovereign or test endpoint) has no instance metadata to discover, so discovery is
 * turned off for it.
 */
export function createGraphCredential(config: Pick<MonitorConfig, 'authorityHost' | 'customAuthorityHost' | 'credential'>): TokenCredential {
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
