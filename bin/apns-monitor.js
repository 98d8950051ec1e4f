#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (npm ci builds it through the prepare script).
const { main } = require('../dist/src/cli/main.js');
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
