// npm run build: bundles the TypeScript sources with esbuild into dist/ (types are checked apart,
// by `npm run typecheck`, which is tsc --noEmit).
//
//   dist/functions.js  the function app: one file that registers every function in functions/
//                      (package.json `main`). One bundle, not one per function: the Functions host
//                      loads every file `main` names when the worker starts, so per-function bundles
//                      would parse and run the shared code and the SDKs once per function (and load
//                      @azure/functions several times).
//   dist/app.js        the function app's handlers and SDKs, which dist/functions.js requires on the
//                      first invocation (see lazyApp below)
//   dist/cli.js        the command line (bin/apns-monitor.js)
//   dist/demo.js       npm run demo
//   dist/bench/*.js    npm run bench
//   dist/meta.json     esbuild's metafile of all of these: which modules went in, and their bytes
//
// Each with a source map beside it. Run: node scripts/build.cjs [--quiet]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const outdir = path.join(root, 'dist');
const quiet = process.argv.includes('--quiet');

let esbuild;
try {
  esbuild = require('esbuild');
} catch {
  console.error('build: esbuild is not installed: run npm ci first');
  process.exit(1);
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * The Functions host's Node worker provides @azure/functions-core at run time (it is on no
 * registry): @azure/functions requires it, and treats its absence as "not on the host" (test mode).
 * Everything else, @azure/functions included, goes into the bundle, so the deployed app needs no
 * node_modules.
 */
const HOST_PROVIDED = ['@azure/functions-core'];

/** The function app's entry: every functions/*.ts file, each of which registers one function. */
function functionsEntry() {
  const files = fs
    .readdirSync(path.join(root, 'functions'))
    .filter((f) => f.endsWith('.ts'))
    .sort();
  return files.map((f) => `import './functions/${f.slice(0, -3)}';`).join('\n');
}

/**
 * The function app loads in two parts: dist/functions.js registers every function (@azure/functions
 * and the catalog, src/app/functionCatalog.ts) and dist/app.js holds the handlers and the SDKs. The
 * registry's `import('./functionDefinitions')` becomes a require of ./app.js on the first invocation,
 * so a worker's cold start does not parse and run what no request has needed yet.
 */
const lazyApp = {
  name: 'lazy-app',
  setup(build) {
    build.onResolve({ filter: /^\.\/functionDefinitions$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.endsWith(path.join('src', 'app', 'functionRegistry.ts')) ? { path: './app.js', external: true } : undefined,
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'cjs',
  sourcemap: true,
  // Source paths in the maps relative to the map, readable in a stack trace.
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  // Minified: V8 compiling the bundle is most of a cold start, and it goes with the bytes (1.4 MB
  // whitespace-minified, 0.9 MB minified). Function and class names are kept (error names, stack
  // traces); the source map gives the TypeScript lines.
  minify: true,
  keepNames: true,
  // Bundled third-party licence comments go to one file beside each bundle.
  legalComments: 'linked',
  absWorkingDir: root,
};

/**
 * The licences of the packages bundled into the app and the CLI (their MIT/BSD/ISC notices must
 * travel with the code), one after another in dist/THIRD_PARTY_NOTICES.txt.
 */
function writeNotices(outputs) {
  const packages = new Map();
  for (const file of ['dist/functions.js', 'dist/app.js', 'dist/cli.js']) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[file].inputs)) {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match === null || bytesInOutput === 0) continue;
      const dir = path.resolve(root, match[1]);
      if (packages.has(dir)) continue;
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      const licence = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying|notice)/i.test(f));
      packages.set(dir, `${meta.name} ${meta.version} (${meta.license ?? 'see below'})\n${licence === undefined ? '(no licence file in the package)' : fs.readFileSync(path.join(dir, licence), 'utf8').trim()}`);
    }
  }
  const text = [...packages.values()].sort().join(`\n\n${'-'.repeat(72)}\n\n`);
  fs.writeFileSync(path.join(outdir, 'THIRD_PARTY_NOTICES.txt'), `Packages bundled into dist/functions.js, dist/app.js and dist/cli.js, with their licences.\n\n${text}\n`);
}

async function main() {
  fs.rmSync(outdir, { recursive: true, force: true });
  const started = Date.now();
  const results = await Promise.all([
    esbuild.build({
      ...common,
      stdin: { contents: functionsEntry(), resolveDir: root, sourcefile: 'functions/index.ts', loader: 'ts' },
      outfile: path.join(outdir, 'functions.js'),
      external: HOST_PROVIDED,
      plugins: [lazyApp],
    }),
    // The handlers and everything they use, required by dist/functions.js on the first invocation.
    esbuild.build({
      ...common,
      entryPoints: { app: 'src/app/functionDefinitions.ts' },
      outdir,
      external: HOST_PROVIDED,
    }),
    esbuild.build({
      ...common,
      entryPoints: { cli: 'src/cli/main.ts' },
      outdir,
      external: HOST_PROVIDED,
    }),
    // The demo and the benchmarks use the test doubles; Azurite and other dev tools stay in
    // node_modules (Azurite runs as its own process).
    esbuild.build({
      ...common,
      entryPoints: {
        demo: 'demo/run.ts',
        ...Object.fromEntries(
          fs
            .readdirSync(path.join(root, 'bench'))
            .filter((f) => f.endsWith('.ts'))
            .map((f) => [`bench/${f.slice(0, -3)}`, `bench/${f}`]),
        ),
      },
      outdir,
      external: [...HOST_PROVIDED, ...Object.keys(pkg.devDependencies ?? {})],
    }),
  ]);
  const inputs = {};
  const outputs = {};
  for (const r of results) {
    Object.assign(inputs, r.metafile.inputs);
    Object.assign(outputs, r.metafile.outputs);
  }
  fs.writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify({ inputs, outputs }));
  // A module of ours that esbuild takes for CommonJS is wrapped whole, and what it imports is no
  // longer tree-shaken (all of date-fns came back that way): entries aside, every one must be ESM.
  const entries = new Set(['functions/index.ts', 'src/cli/main.ts', 'demo/run.ts', 'src/app/functionDefinitions.ts']);
  const commonJs = Object.entries(inputs)
    .filter(([file, input]) => /\.ts$/.test(file) && !file.includes('node_modules') && !entries.has(file) && !file.startsWith('bench/') && input.format === 'cjs')
    .map(([file]) => file);
  writeNotices(outputs);
  if (commonJs.length > 0) throw new Error(`these modules bundle as CommonJS (add an export, even \`export {};\`): ${commonJs.join(', ')}`);
  if (!quiet) {
    for (const [file, out] of Object.entries(outputs)) {
      if (!file.endsWith('.js')) continue;
      const modules = Object.keys(out.inputs);
      const dateFns = modules.filter((m) => m.includes('node_modules/date-fns/')).length;
      console.log(`build: ${file} ${(out.bytes / 1024).toFixed(0)} KB, ${modules.length} modules (date-fns ${dateFns})`);
    }
    console.log(`build: done in ${Date.now() - started} ms`);
  }
}

main().catch((error) => {
  // esbuild has printed the errors with their locations.
  if (!(error && Array.isArray(error.errors))) console.error(error);
  process.exit(1);
});
