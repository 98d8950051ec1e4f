// npm runs this after every install. A development install bundles the sources into dist/ with
// esbuild (scripts/build.cjs); a production install (no devDependencies: packaging, remote build)
// has no esbuild and ships the dist/ it was packaged with, so there is nothing to build.
try {
  require.resolve('esbuild');
} catch {
  process.exit(0);
}
const result = require('node:child_process').spawnSync(process.execPath, [require('node:path').join(__dirname, 'build.cjs'), '--quiet'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
