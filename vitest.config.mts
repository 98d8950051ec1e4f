import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Node reads NODE_EXTRA_CA_CERTS only at start-up: set here, it is inherited by the forked test
// workers, which then trust the loopback Graph/Entra double's self-signed certificate.
process.env.NODE_EXTRA_CA_CERTS = fileURLToPath(new URL('./test/doubles/loopback-cert.pem', import.meta.url));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    pool: 'forks',
    // Vitest's default (cores - 1) runs one file at a time on a 2-core machine, while most files spend
    // their time waiting on Azurite, the loopback doubles and child processes: four files at once
    // overlap those waits (measured on this 2-core machine: 3 workers 60 s, 4 workers 53 s). Files may
    // run side by side: each test has its own TABLE_PREFIX and ports.
    maxWorkers: Math.max(4, availableParallelism()),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test/artifacts/vitest-results.json' }]],
  },
});
