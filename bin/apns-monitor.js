#!/usr/bin/env node
'use strict';
// Node 22: keep V8's compiled code of the bundle between runs (in the OS temp directory, or
// NODE_COMPILE_CACHE), so a CLI that a monitoring system starts every few minutes skips most of
// its parsing and compiling. Node 20 has no compile cache and runs the same code without one.
const nodeModule = require('node:module');
if (typeof nodeModule.enableCompileCache === 'function') nodeModule.enableCompileCache();
// The CLI bundle (npm run build; npm ci builds it through the prepare script).
const { main } = require('../dist/cli.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // stdout: the monitoring system shows only that.
    process.stdout.write(`APNS UNKNOWN - ${(error instanceof Error ? error.message : String(error)).replace(/[\r\n]+/g, ' ').replace(/\|/g, '/')}\n`);
    process.exitCode = 3;
  },
);
