import { DeviceCodeCredential, type AccessToken, type GetTokenOptions, type TokenCredential } from '@azure/identity';
import type { MonitorConfig } from '../config';
import { createGraphCredential } from '../graph/credential';

export type RenewAuth = 'device-code' | 'app';

/** The delegated permission a person needs to upload, and the least one that reads GET /organization. */
export const WRITE_PERMISSION = 'DeviceManagementServiceConfig.ReadWrite.All';

/**
 * Asks for fixed scopes whatever the Graph client asks for: the client asks `<graph>/.default`, which
 * for a public client means only what was consented before, while a person signing in to renew must
 * be asked for the write permission itself.
 */
function withScopes(credential: TokenCredential, scopes: string[]): TokenCredential {
  return { getToken: (_ignored: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> => credential.getToken(scopes, options) };
}

export interface SignInOptions {
  auth: RenewAuth;
  /** The public client a person signs in with (RENEW_CLIENT_ID or the default). */
  clientId: string;
  /** Where the device-code instructions go: stderr, so stdout stays the result. */
  prompt: (message: string) => void;
}

/**
 * `device-code`: a person (an Intune Administrator) signs in on any browser; MSAL keeps the token in
 * memory only (no persistence option is given), so nothing is written to disk. `app`: the monitor's
 * own credential settings, for automation; that app then needs the application permission.
 */
export function renewalCredential(config: Pick<MonitorConfig, 'authorityHost' | 'customAuthorityHost' | 'credential' | 'graphEndpoint' | 'httpTimeoutMs'>, env: Readonly<Record<string, string | undefined>>, options: SignInOptions): TokenCredential {
  if (options.auth === 'app') return createGraphCredential(config);
  const origin = new URL(config.graphEndpoint).origin;
  const tenantId = env['AZURE_TENANT_ID']?.trim() || 'organizations';
  const credential = new DeviceCodeCredential({
    tenantId,
    clientId: options.clientId,
    authorityHost: config.authorityHost,
    disableInstanceDiscovery: config.customAuthorityHost,
    userPromptCallback: (info) => options.prompt(info.message),
  });
  return withScopes(credential, [`${origin}/${WRITE_PERMISSION}`, `${origin}/User.Read`]);
}
