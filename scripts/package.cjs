// npm run package: builds the deployment package that `azd deploy` (azure.yaml `dist`) and
// `az functionapp deployment source config-zip` upload, and prints its size.
//
//   build/package/  compiled functions and src (no tests, demo, bench, source maps), host.json,
//                   package.json, package-lock.json and production dependencies only (npm ci
//                   --omit=dev, without their type declarations, source maps and docs)
//   build/app.zip   the same, zipped
//
// Prebuilt rather than remote build: the package that runs is the one tested here, a deployment
// does not depend on the build service reaching npm, and TypeScript is not needed in Azure.
// Fails (exit 1) when the zip is 15 MB or larger, or when the packaged app does not register every
// function it should.
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
  // npm is npm.cmd on Windows, which needs a shell.
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function copyTree(from, to, keep) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target, keep);
    else if (keep(entry.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
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

// 1. Compile (the same tsc as `npm run build`).
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  fail('TypeScript is not installed: run npm ci first');
}
run(process.execPath, [tsc, '-p', 'tsconfig.json'], root);

// 2. Stage production code only.
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
const js = (name) => name.endsWith('.js') || name.endsWith('.json');
copyTree(path.join(root, 'dist', 'src'), path.join(stage, 'dist', 'src'), js);
copyTree(path.join(root, 'dist', 'functions'), path.join(stage, 'dist', 'functions'), js);
for (const file of ['host.json', 'package.json', 'package-lock.json']) fs.copyFileSync(path.join(root, file), path.join(stage, file));

// 3. Production dependencies only, exactly as locked.
run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], stage);

// Type declarations, source maps and docs of dependencies are never loaded at run time (licences stay).
const unused = /\.(map|d\.ts|d\.cts|d\.mts|md|markdown)$/i;
for (const file of listFiles(path.join(stage, 'node_modules'))) {
  if (unused.test(file)) fs.rmSync(path.join(stage, 'node_modules', file));
}

// 4. The packaged app must load on its own and register every function.
const functionFiles = fs.readdirSync(path.join(stage, 'dist', 'functions')).filter((f) => f.endsWith('.js'));
const probe = spawnSync(
  process.execPath,
  [
    '-e',
    `const { app } = require('@azure/functions'); const seen = [];
     app.http = (name) => void seen.push(name); app.timer = (name) => void seen.push(name);
     for (const f of process.argv.slice(1)) require(require('node:path').resolve('dist/functions', f));
     console.log(JSON.stringify(seen));`,
    ...functionFiles,
  ],
  { cwd: stage, encoding: 'utf8' },
);
if (probe.status !== 0) fail(`the packaged app does not load:\n${probe.stderr}`);
const registered = JSON.parse(probe.stdout.trim().split('\n').pop());
if (registered.length !== functionFiles.length) fail(`the packaged app registered ${registered.length} functions, expected ${functionFiles.length}`);

// 5. Zip and measure.
const files = writeZip(stage, zipPath);
const bytes = fs.statSync(zipPath).size;
const mb = (bytes / 1024 / 1024).toFixed(1);
console.log(`package: ${path.relative(root, zipPath)} ${mb} MB (${bytes} bytes, ${files} files; functions: ${registered.sort().join(', ')})`);
if (bytes >= MAX_BYTES) fail(`the package is ${mb} MB, over the 15 MB budget`);
