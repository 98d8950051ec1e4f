// Channel secrets live here, never in app settings. RBAC authorization: the app's identity gets
// Key Vault Secrets User only (functionapp.bicep).
param name string
param location string
param tags object

@secure()
@description('Secret name → value; empty values are not written.')
param secrets object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    // Soft delete keeps a deleted secret recoverable; without purge protection `azd down --purge`
    // can remove the vault and a redeployment can reuse its name.
    enableSoftDelete: true
    softDeleteRetentionInDays: 30
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for item in items(secrets): if (!empty(item.value)) {
    parent: vault
    name: item.key
    properties: {
      value: item.value
    }
  }
]

output name string = vault.name
