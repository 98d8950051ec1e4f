import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import type { StorageConfig } from '../config';

export type TableRole = 'State' | 'History' | 'Deliveries';

/** Table names share a prefix so that several tenants (an MSP's) can share one storage account. */
export function tableName(prefix: string, role: TableRole): string {
  return `${prefix}${role}`;
}

export function createTableClient(storage: StorageConfig, name: string): TableClient {
  if (storage.kind === 'connectionString') {
    const insecure = /TableEndpoint=http:|DefaultEndpointsProtocol=http;/i.test(storage.connectionString);
    return TableClient.fromConnectionString(storage.connectionString, name, { allowInsecureConnection: insecure });
  }
  const credential = new DefaultAzureCredential(storage.managedIdentityClientId === null ? {} : { managedIdentityClientId: storage.managedIdentityClientId });
  return new TableClient(storage.tableServiceUri, name, credential);
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
