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
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test/artifacts/vitest-results.json' }]],
  },
});
