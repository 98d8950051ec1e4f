// npm run package: builds the deployment package that `azd deploy` (azure.yaml `dist`) and
// `az functionapp deployment source config-zip` upload, and prints its size.
//
//   build/package/  the function app's bundle (dist/functions.js from scripts/build.cjs, with the
//                   bundled packages' licences), host.json, and a
//                   package.json whose `main` names the bundle and which declares no dependencies:
//                   the bundle holds them all except @azure/functions-core, which the Functions
//                   host's Node worker provides. No node_modules.
//   build/app.zip   the same, zipped
//
// Prebuilt rather than remote build: the package that runs is the one tested here, a deployment
// does not depend on the build service reaching npm, and TypeScript is not needed in Azure.
// Fails (exit 1) when the zip is 15 MB or larger, or when the packaged app, loaded the way the
// worker loads it, does not register every function in functions/ with its trigger.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const MAX_BYTES = 15 * 1024 * 1024;
const root = path.join(__dirname, '..');
const out = path.join(root, 'build');
const stage = path.join(out, 'package');
const zipPath = path.join(out, 'app.zip');

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function listFiles(dir, prefix = '') {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...listFiles(path.join(dir, entry.name), relative));
    else if (entry.isFile()) files.push(relative);
  }
  return files.sort();
}

/** A plain zip (deflate, no extras): enough for the Functions host, and no zip tool needed. */
function writeZip(dir, target) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const name of listFiles(dir)) {
    const data = fs.readFileSync(path.join(dir, name));
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const stored = deflated.length >= data.length;
    const body = stored ? data : deflated;
    const crc = zlib.crc32(data);
    const nameBytes = Buffer.from(name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x0800, 6); // UTF-8 names
    header.writeUInt16LE(stored ? 0 : 8, 8);
    header.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00: reproducible
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(body.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    parts.push(header, nameBytes, body);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(0x031e, 4); // made by Unix, so the mode below is read
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(stored ? 0 : 8, 10);
    entry.writeUInt32LE(0x00210000, 12);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += header.length + nameBytes.length + body.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const count = central.length / 2;
  if (count > 0xffff || offset > 0xffffffff) fail('the package is too large for a plain zip');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(target, Buffer.concat([...parts, ...central, end]));
  return count;
}

// 1. Bundle (the same esbuild build as `npm run build`).
run(process.execPath, [path.join(__dirname, 'build.cjs'), '--quiet'], root);

// 2. Stage the bundle and a package.json for it.
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(stage, 'dist'), { recursive: true });
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
if (pkg.main !== 'dist/functions.js') fail(`package.json main is ${JSON.stringify(pkg.main)}, expected "dist/functions.js" (the bundle)`);
// No source map: the worker runs without --enable-source-maps, and .funcignore drops *.map anyway;
// the map of the same build stays in dist/ for reading a deployed stack trace.
// app.js: the handlers and SDKs, which functions.js requires on the first invocation.
for (const file of ['functions.js', 'functions.js.LEGAL.txt', 'app.js', 'app.js.LEGAL.txt', 'THIRD_PARTY_NOTICES.txt']) {
  const from = path.join(root, 'dist', file);
  if (!fs.existsSync(from)) fail(`dist/${file} is missing after the build`);
  fs.copyFileSync(from, path.join(stage, 'dist', file));
}
fs.copyFileSync(path.join(root, 'host.json'), path.join(stage, 'host.json'));
const deployed = { name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license, private: true, type: pkg.type, main: pkg.main, engines: pkg.engines };
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(deployed, null, 2)}\n`);

// 3. The packaged app must load on its own, as the worker loads it (package.json `main`, with
// @azure/functions-core supplied by the host), register every function in functions/, and load its
// handlers (dist/app.js) on the first invocation.
const functionFiles = fs.readdirSync(path.join(root, 'functions')).filter((f) => f.endsWith('.ts'));
const probe = spawnSync(
  process.execPath,
  [
    '-e',
    `const Module = require('node:module');
     const path = require('node:path');
     const seen = [];
     const handlers = {};
     let model = null;
     // What the worker's @azure/functions-core offers the library (azure-functions-nodejs-worker).
     const core = {
       setProgrammingModel: (m) => void (model = m),
       getProgrammingModel: () => model,
       registerFunction: (metadata, handler) => { seen.push(metadata); handlers[metadata.name] = handler; return { dispose() {} }; },
       registerHook: () => ({ dispose() {} }),
       log: () => undefined,
     };
     const load = Module._load;
     Module._load = function (request, ...rest) { return request === '@azure/functions-core' ? core : load.call(this, request, ...rest); };
     require(path.resolve(require('./package.json').main));
     if (model === null || model.name !== '@azure/functions') throw new Error('the programming model was not set');
     // The first invocation loads the handlers (dist/app.js): a POST to status is refused by the handler itself.
     handlers.status({ method: 'POST', query: new URLSearchParams() }, { error() {}, log() {} }).then((answer) => {
       if (answer.status !== 405) throw new Error('the status handler answered ' + answer.status + ' to a POST, expected 405');
       console.log(JSON.stringify(seen.map((m) => {
         const trigger = Object.values(m.bindings).find((b) => b.direction === 'in');
         return [m.name, trigger.type, trigger.route ?? trigger.schedule];
       })));
     });`,
  ],
  { cwd: stage, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
);
if (probe.status !== 0) fail(`the packaged app does not load:\n${probe.stderr}`);
const registered = JSON.parse(probe.stdout.trim().split('\n').pop());
if (registered.length !== functionFiles.length) fail(`the packaged app registered ${registered.length} functions, expected ${functionFiles.length}`);
const unbound = registered.filter(([, type, on]) => !['httpTrigger', 'timerTrigger'].includes(type) || typeof on !== 'string');
if (unbound.length > 0) fail(`functions without an HTTP route or timer schedule: ${JSON.stringify(unbound)}`);

// 4. Zip and measure.
const files = writeZip(stage, zipPath);
const bytes = fs.statSync(zipPath).size;
const mb = (bytes / 1024 / 1024).toFixed(1);
console.log(`package: ${path.relative(root, zipPath)} ${mb} MB (${bytes} bytes, ${files} files; functions: ${registered.map(([name]) => name).sort().join(', ')})`);
if (bytes >= MAX_BYTES) fail(`the package is ${mb} MB, over the 15 MB budget`);
