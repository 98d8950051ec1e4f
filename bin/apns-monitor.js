#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (npm ci builds it through the prepare script).
const { main } = require('../dist/src/cli/main.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`APNS UNKNOWN - ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  },
);
