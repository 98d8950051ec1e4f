import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../doubles/azurite';

/** The esbuild bundles, fresh from the sources: the tests that spawn the CLI run dist/cli.js. */
function buildBundles(): Promise<void> {
  const script = join(__dirname, '..', '..', 'scripts', 'build.cjs');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, '--quiet'], { timeout: 120_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`the bundle did not build (scripts/build.cjs): ${stderr.trim() || error.message}`));
    });
  });
}

/** One Azurite for the whole run; each test isolates itself with its own TABLE_PREFIX. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [azurite] = await Promise.all([startAzurite(), buildBundles()]);
  project.provide('azuriteConnectionString', azurite.connectionString);
  return () => azurite.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}
