// npm runs this after every install. A development install builds dist/ with TypeScript; a
// production install (no devDependencies: packaging, remote build) has no TypeScript and ships the
// dist/ it was packaged with, so there is nothing to build.
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  process.exit(0);
}
const result = require('node:child_process').spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
