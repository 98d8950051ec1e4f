import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { StorageConfig } from '../config';
import { labelledCredential } from '../graph/credential';

export type TableRole = 'State' | 'History' | 'Deliveries';

/** Table names share a prefix so that several tenants (an MSP's) can share one storage account. */
export function tableName(prefix: string, role: TableRole): string {
  return `${prefix}${role}`;
}

/** How identity-based storage is reached, named the way an error about it should say. */
export function storageCredentialLabel(storage: Extract<StorageConfig, { kind: 'identity' }>): string {
  return storage.managedIdentityClientId === null ? 'storage (system-assigned managed identity)' : `storage (user-assigned managed identity ${storage.managedIdentityClientId})`;
}

/**
 * Exactly the credential the Functions host uses for AzureWebJobsStorage__credential=managedidentity
 * (with __clientId for a user-assigned identity): a managed identity, never DefaultAzureCredential,
 * which would pick up AZURE_CLIENT_SECRET, the app registration meant for Graph in another tenant.
 */
export function chooseStorageCredential(storage: Extract<StorageConfig, { kind: 'identity' }>): ManagedIdentityCredential {
  return storage.managedIdentityClientId === null ? new ManagedIdentityCredential() : new ManagedIdentityCredential({ clientId: storage.managedIdentityClientId });
}

export function createStorageCredential(storage: Extract<StorageConfig, { kind: 'identity' }>): TokenCredential {
  return labelledCredential(storageCredentialLabel(storage), chooseStorageCredential(storage));
}

export function createTableClient(storage: StorageConfig, name: string): TableClient {
  if (storage.kind === 'connectionString') {
    const insecure = /TableEndpoint=http:|DefaultEndpointsProtocol=http;/i.test(storage.connectionString);
    return TableClient.fromConnectionString(storage.connectionString, name, { allowInsecureConnection: insecure });
  }
  return new TableClient(storage.tableServiceUri, name, createStorageCredential(storage));
}

const ensured = new WeakMap<TableClient, Promise<void>>();

/** Creates the table once per client; creating an existing table is not an error. */
export function ensureTable(client: TableClient): Promise<void> {
  let pending = ensured.get(client);
  if (pending === undefined) {
    pending = client.createTable().then(
      () => undefined,
      (error: unknown) => {
        ensured.delete(client);
        throw error;
      },
    );
    ensured.set(client, pending);
  }
  return pending;
}

export function statusCodeOf(error: unknown): number | null {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : null;
}

/**
 * The table itself is missing (not a row in it). The service names it TableNotFound, in the error
 * code or, for point reads, only in the message.
 */
export function isTableNotFound(error: unknown): boolean {
  if (statusCodeOf(error) !== 404) return false;
  if ((error as { code?: unknown }).code === 'TableNotFound') return true;
  return error instanceof Error && /TableNotFound|table specified does not exist/i.test(error.message);
}

/**
 * Runs a write, creating the table only when the service says it is missing, then writing again.
 * Tables exist for the whole life of a deployment, so no process pays an existence round trip up
 * front: only the first write to a new table does.
 */
export async function withTable<T>(client: TableClient, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isTableNotFound(error)) throw error;
    ensured.delete(client);
    await ensureTable(client);
    return write();
  }
}
