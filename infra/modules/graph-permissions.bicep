// Grants the app's managed identity the Microsoft Graph application permissions it needs, through
// the Microsoft Graph Bicep extension (bicepconfig.json). The deployer must be allowed to grant
// app roles (Privileged Role Administrator or Global Administrator); otherwise deploy with
// grantGraphPermissions=false and have one run infra/grant-graph-permissions.sh.
extension microsoftGraphV1

@description('Object ID of the Function App\'s system-assigned identity.')
param principalId string

@description('Also grant Mail.Send (only when the email channel is enabled; scope it with Exchange RBAC for Applications).')
param grantMailSend bool = false

@description('Also grant DeviceManagementConfiguration.Read.All (only when WATCH includes device_certificate: Intune\'s deployed device certificates are read with it).')
param grantDeviceCertificateRead bool = false

// Microsoft Graph's well-known application ID, the same in every cloud.
var graphAppId = '00000003-0000-0000-c000-000000000000'

// Application permission (app role) IDs from the Microsoft Graph permissions reference.
var appRoles = {
  deviceManagementServiceConfigReadAll: '06a5fe6d-c49d-46a7-b082-56b1b14103c7'
  mailSend: 'b633e1c5-b582-4048-a93e-9f11b44c7e96'
  deviceManagementConfigurationReadAll: 'dc377aa6-52d8-4e23-b271-2a7ae04cedf3'
}

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource readIntuneConfig 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  principalId: principalId
  resourceId: graph.id
  appRoleId: appRoles.deviceManagementServiceConfigReadAll
}

resource sendMail 'Microsoft.Graph/appRoleAssignedTo@v1.0' = if (grantMailSend) {
  principalId: principalId
  resourceId: graph.id
  appRoleId: appRoles.mailSend
}

// The device certificate subject (WATCH=…,device_certificate) reads
// /deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates, which needs this second read permission.
resource readDeviceCertificates 'Microsoft.Graph/appRoleAssignedTo@v1.0' = if (grantDeviceCertificateRead) {
  principalId: principalId
  resourceId: graph.id
  appRoleId: appRoles.deviceManagementConfigurationReadAll
}
