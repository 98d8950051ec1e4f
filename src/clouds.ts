/**
 * National clouds. Intune's Graph endpoint and the Entra authority differ per cloud; the token scope is
 * always `<graph root>/.default`, so a GCC High token is never requested from the commercial cloud.
 */
export type CloudName = 'global' | 'usgov' | 'usgovdod' | 'china';

export interface CloudEndpoints {
  graphEndpoint: string;
  authorityHost: string;
  /** DNS suffix of Azure Storage in that cloud, for identity-based `AzureWebJobsStorage__accountName`. */
  storageSuffix: string;
  /** Where admins manage the Apple MDM push certificate (Intune admin center). */
  intuneAdminCenter: string;
}

export const CLOUDS: Readonly<Record<CloudName, CloudEndpoints>> = {
  global: {
    graphEndpoint: 'https://graph.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    storageSuffix: 'core.windows.net',
    intuneAdminCenter: 'https://intune.microsoft.com',
  },
  usgov: {
    graphEndpoint: 'https://graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    storageSuffix: 'core.usgovcloudapi.net',
    intuneAdminCenter: 'https://intune.microsoft.us',
  },
  usgovdod: {
    graphEndpoint: 'https://dod-graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    storageSuffix: 'core.usgovcloudapi.net',
    intuneAdminCenter: 'https://intune.microsoft.us',
  },
  china: {
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    storageSuffix: 'core.chinacloudapi.cn',
    intuneAdminCenter: 'https://intune.microsoftonline.cn',
  },
};

export const CLOUD_NAMES = Object.keys(CLOUDS) as CloudName[];

/**
 * Intune's Devices › Enrollment › Apple page, where the MDM Push certificate is renewed; and Apple's
 * portal where the renewal itself is made.
 */
export function intuneApplePushPage(cloud: CloudName): string {
  return `${CLOUDS[cloud].intuneAdminCenter}/#view/Microsoft_Intune_DeviceSettings/DevicesEnrollmentMenu/~/appleEnrollment`;
}
export const APPLE_PUSH_PORTAL = 'https://identity.apple.com/pushcert';
