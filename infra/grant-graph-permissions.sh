#!/usr/bin/env bash
# Grants the monitor's managed identity its Microsoft Graph application permissions, for when the
# person deploying may not grant app roles: a Privileged Role Administrator (or Global
# Administrator) runs this once, signed in with `az login` to the tenant that holds the identity.
#
#   infra/grant-graph-permissions.sh <function-app-name> <resource-group> [--mail-send] [--device-certificates]
#
# --mail-send also grants Mail.Send (only with the email channel); scope it to the sending mailbox
# with Exchange RBAC for Applications (docs/deploy.md) rather than leaving it tenant-wide.
# --device-certificates also grants DeviceManagementConfiguration.Read.All (only when WATCH includes
# device_certificate: Intune's deployed device certificates are read with it).
# Idempotent: a permission that is already granted is reported and left alone.
set -euo pipefail

usage() {
  echo "usage: $0 <function-app-name> <resource-group> [--mail-send] [--device-certificates]" >&2
  exit 2
}
[ $# -ge 2 ] || usage
app="$1"
group="$2"
shift 2
mail_send=false
device_certificates=false
for option in "$@"; do
  case "$option" in
    --mail-send) mail_send=true ;;
    --device-certificates) device_certificates=true ;;
    *) echo "unknown option: $option" >&2; usage ;;
  esac
done

# Microsoft Graph's application ID and the app role IDs of the permissions reference.
graph_app_id="00000003-0000-0000-c000-000000000000"
read_role="06a5fe6d-c49d-46a7-b082-56b1b14103c7"   # DeviceManagementServiceConfig.Read.All
mail_role="b633e1c5-b582-4048-a93e-9f11b44c7e96"   # Mail.Send
config_role="dc377aa6-52d8-4e23-b271-2a7ae04cedf3" # DeviceManagementConfiguration.Read.All

graph_root="$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)"
graph_root="${graph_root%/}"
principal_id="$(az functionapp identity show --name "$app" --resource-group "$group" --query principalId -o tsv)"
[ -n "$principal_id" ] || { echo "no system-assigned identity on $app: deploy infra/main.bicep first" >&2; exit 1; }
graph_sp_id="$(az ad sp show --id "$graph_app_id" --query id -o tsv)"

grant() {
  local role_id="$1" label="$2"
  local existing
  existing="$(az rest --method get --url "$graph_root/v1.0/servicePrincipals/$principal_id/appRoleAssignments" \
    --query "value[?appRoleId=='$role_id' && resourceId=='$graph_sp_id'] | length(@)" -o tsv)"
  if [ "$existing" != "0" ]; then
    echo "$label: already granted"
    return
  fi
  az rest --method post --url "$graph_root/v1.0/servicePrincipals/$principal_id/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"$principal_id\",\"resourceId\":\"$graph_sp_id\",\"appRoleId\":\"$role_id\"}" > /dev/null
  echo "$label: granted"
}

grant "$read_role" "DeviceManagementServiceConfig.Read.All"
if $mail_send; then grant "$mail_role" "Mail.Send"; fi
if $device_certificates; then grant "$config_role" "DeviceManagementConfiguration.Read.All"; fi
echo "Done. Tokens issued before this grant lack the new permission: restart the Function App (az functionapp restart -n $app -g $group)."
