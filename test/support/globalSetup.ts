import type { TestProject } from 'vitest/node';
import { startAzurite } from '../doubles/azurite';

/** One Azurite for the whole run; each test isolates itself with its own TABLE_PREFIX. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
  return () => azurite.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}
