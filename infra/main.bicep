// apns-expiry-monitor: one deployment per Intune tenant.
// A Flex Consumption Function App (Node 22, Linux) with a system-assigned managed identity, storage
// used through that identity only, Application Insights without local auth, and channel secrets in a
// Key Vault (RBAC) read through Key Vault references. No secret value is written in this file.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; also names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Region for all resources (one that offers Flex Consumption).')
param location string

@description('Resource group to create or reuse. Default: rg-<environmentName>.')
param resourceGroupName string = ''

// ---- Graph and the tenant -------------------------------------------------------------------
@description('National cloud of the Intune tenant: picks the Graph endpoint and the Entra authority.')
@allowed(['global', 'usgov', 'usgovdod', 'china'])
param graphCloud string = 'global'

@allowed(['v1.0', 'beta'])
param graphApiVersion string = 'v1.0'

@description('Override of the Graph root (a sovereign endpoint); empty uses the cloud default.')
param graphEndpoint string = ''

@description('Override of the Entra authority host; empty uses the cloud default.')
param authorityHost string = ''

@description('Shown in alerts, e.g. the customer name for an MSP.')
param tenantName string = ''

@description('Grant the Graph application permissions to the managed identity with the Microsoft Graph Bicep extension. Needs a deployer who may grant app roles (Privileged Role Administrator or Global Administrator); otherwise set false and run infra/grant-graph-permissions.sh.')
param grantGraphPermissions bool = true
@description('Also grant DeviceManagementConfiguration.Read.All, which the device_certificate subject (WATCH) reads with. Off by default: only needed when WATCH includes device_certificate. Without grantGraphPermissions run infra/grant-graph-permissions.sh --device-certificates.')
param grantDeviceCertificateRead bool = false

@description('Read Intune in another tenant than this subscription: the app registration there (client secret in Key Vault). Empty uses the managed identity.')
param intuneTenantId string = ''
param intuneClientId string = ''
@secure()
@description('Client secret of that app registration; stored only in Key Vault.')
param intuneClientSecret string = ''

// ---- Schedule and thresholds (the code's defaults) -------------------------------------------
param checkSchedule string = '0 0 */6 * * *'
param thresholdDays string = '60,30,14,7,3,1'
param warningDays string = '30'
param criticalDays string = '7'
param expiredRepeatHours string = '24'

@description('What is watched: apns, vpp_token, ade_token, device_certificate (comma-separated; device_certificate needs grantDeviceCertificateRead).')
param watch string = 'apns,vpp_token,ade_token'

@description('Hours without a successful VPP/ADE token sync before sync_stale is raised.')
param syncStaleHours string = '72'

@description('Alert thresholds (days) for VPP tokens; empty: THRESHOLD_DAYS.')
param vppTokenThresholdDays string = ''

@description('Alert thresholds (days) for ADE tokens; empty: THRESHOLD_DAYS.')
param adeTokenThresholdDays string = ''

@description('Alert thresholds (days) for device certificates (WATCH names device_certificate).')
param deviceCertThresholdDays string = '30,14,7,1'

@description('The app\'s public address for links in alerts (e.g. to the device-certificate list); empty: https://WEBSITE_HOSTNAME.')
param publicBaseUrl string = ''
@description('Deadline of every outbound call (Entra, Graph, Teams, webhook), 1-120 seconds.')
param httpTimeoutSeconds string = '30'
@description('Budget of one read of the certificate, retries included; below host.json functionTimeout (10 min).')
param checkBudgetSeconds string = '240'
@description('Days of history kept; older rows are deleted once a day by the check (30-36500).')
param historyRetentionDays string = '730'
param tablePrefix string = 'ApnsMonitor'

// ---- Channels ---------------------------------------------------------------------------------
@secure()
@description('Teams Workflows webhook URL ("When a Teams webhook request is received"); stored only in Key Vault.')
param teamsWebhookUrl string = ''

@description('Mailbox that sends alert mail through Graph (needs Mail.Send).')
param emailFrom string = ''

@description('How Mail.Send is scoped to EMAIL_FROM: "entra" grants it here (restrict it with an Exchange application access policy, docs/deploy.md); "exchangeRbac" grants nothing here, for Exchange RBAC for Applications.')
@allowed(['entra', 'exchangeRbac'])
param mailSendScope string = 'exchangeRbac'

@description('Comma-separated recipients of alert mail.')
param emailTo string = ''

@description('IANA time zone in which alerts also show the expiry, e.g. Europe/Berlin.')
param displayTimeZone string = ''

@secure()
@description('Generic webhook URL; stored only in Key Vault.')
param webhookUrl string = ''

@secure()
@description('Secret that signs webhook posts (at least 16 characters); stored only in Key Vault.')
param webhookSecret string = ''

@secure()
@description('Secret the timer signs its posts to its own notify function with (Standard Webhooks, /api/notify/signed). Generated per deployment unless given; only Key Vault holds it. No function key is read or set during deployment.')
param notifySigningSecret string = newGuid()

@description('Longest gap between two runs of checkSchedule, in hours (6 for the default schedule). The watchdog alert fires after 2 × this + 1 h without a successful check.')
@minValue(1)
param checkMaxGapHours int = 6

@description('Who is emailed when no successful check has been recorded for too long (the watcher of the watcher). Empty: no alert rule (see the output WATCHDOG_WARNING).')
param alertEmail string = ''

@description('Webhook signature headers: github (X-Signature-256), standard (Standard Webhooks) or both.')
@allowed(['github', 'standard', 'both'])
param webhookSignature string = 'both'

var tags = { 'azd-env-name': environmentName, app: 'apns-expiry-monitor' }
var token = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'stapns${token}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package-${take(token, 12)}'
    tableNames: [for role in ['State', 'History', 'Deliveries']: '${tablePrefix}${role}']
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-apns-${token}'
    applicationInsightsName: 'appi-apns-${token}'
    location: location
    tags: tags
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-apns-${take(token, 14)}'
    location: location
    tags: tags
    secrets: {
      'teams-webhook-url': teamsWebhookUrl
      'webhook-url': webhookUrl
      'webhook-secret': webhookSecret
      'notify-signing-secret': notifySigningSecret
      'intune-client-secret': intuneClientSecret
    }
  }
}

// A Key Vault reference for each secret that was given; an unset channel stays empty.
var kvRef = 'VaultName=${vault.outputs.name}'
var teamsRef = empty(teamsWebhookUrl) ? '' : '@Microsoft.KeyVault(${kvRef};SecretName=teams-webhook-url)'
var webhookUrlRef = empty(webhookUrl) ? '' : '@Microsoft.KeyVault(${kvRef};SecretName=webhook-url)'
var webhookSecretRef = empty(webhookSecret) ? '' : '@Microsoft.KeyVault(${kvRef};SecretName=webhook-secret)'
var clientSecretRef = empty(intuneClientSecret) ? '' : '@Microsoft.KeyVault(${kvRef};SecretName=intune-client-secret)'

// Every setting src/config.ts reads (test/unit/infraTemplates.test.ts holds this list to the code).
var monitorSettings = {
  AZURE_TENANT_ID: intuneTenantId
  AZURE_CLIENT_ID: intuneClientId
  AZURE_CLIENT_SECRET: clientSecretRef
  GRAPH_CLOUD: graphCloud
  GRAPH_API_VERSION: graphApiVersion
  GRAPH_ENDPOINT: graphEndpoint
  AZURE_AUTHORITY_HOST: authorityHost
  TABLE_PREFIX: tablePrefix
  TENANT_NAME: tenantName
  CHECK_SCHEDULE: checkSchedule
  THRESHOLD_DAYS: thresholdDays
  WARNING_DAYS: warningDays
  CRITICAL_DAYS: criticalDays
  EXPIRED_REPEAT_HOURS: expiredRepeatHours
  WATCH: watch
  SYNC_STALE_HOURS: syncStaleHours
  VPP_TOKEN_THRESHOLD_DAYS: vppTokenThresholdDays
  ADE_TOKEN_THRESHOLD_DAYS: adeTokenThresholdDays
  DEVICE_CERT_THRESHOLD_DAYS: deviceCertThresholdDays
  PUBLIC_BASE_URL: publicBaseUrl
  HTTP_TIMEOUT_SECONDS: httpTimeoutSeconds
  CHECK_BUDGET_SECONDS: checkBudgetSeconds
  HISTORY_RETENTION_DAYS: historyRetentionDays
  TEAMS_WEBHOOK_URL: teamsRef
  EMAIL_FROM: emailFrom
  EMAIL_TO: emailTo
  DISPLAY_TIMEZONE: displayTimeZone
  WEBHOOK_URL: webhookUrlRef
  WEBHOOK_SECRET: webhookSecretRef
  WEBHOOK_SIGNATURE: webhookSignature
  // Empty: the check posts to this app's own https://$WEBSITE_HOSTNAME/api/notify/signed, signed with
  // NOTIFY_SIGNING_SECRET. No function key is needed, so nothing reads or sets host keys while the
  // host may not be up yet (azure-functions-host#11379). Other senders use /api/notify with a key.
  NOTIFY_URL: ''
  NOTIFY_SIGNING_SECRET: '@Microsoft.KeyVault(${kvRef};SecretName=notify-signing-secret)'
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: 'func-apns-${token}'
    planName: 'plan-apns-${token}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: vault.outputs.name
    monitorSettings: monitorSettings
  }
}

module watchdog 'modules/watchdog.bicep' = if (!empty(alertEmail)) {
  name: 'watchdog'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    actionGroupName: 'ag-apns-${token}'
    ruleName: 'alert-apns-no-check-${token}'
    alertEmail: alertEmail
    checkMaxGapHours: checkMaxGapHours
  }
  dependsOn: [functionApp]
}

module graphPermissions 'modules/graph-permissions.bicep' = if (grantGraphPermissions && empty(intuneClientId)) {
  name: 'graph-permissions'
  scope: rg
  params: {
    principalId: functionApp.outputs.principalId
    grantMailSend: !empty(emailFrom) && mailSendScope == 'entra'
    grantDeviceCertificateRead: grantDeviceCertificateRead
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = functionApp.outputs.url
output FUNCTION_APP_PRINCIPAL_ID string = functionApp.outputs.principalId
output KEY_VAULT_NAME string = vault.outputs.name
output WATCHDOG_WARNING string = empty(alertEmail) ? 'No alertEmail: nobody is told if the monitor stops running. Set ALERT_EMAIL (azd env set ALERT_EMAIL you@example.com) and provision again.' : ''
