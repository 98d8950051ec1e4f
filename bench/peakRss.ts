/**
 * Preloaded (`node --require dist/bench/peakRss.js …`) into a process whose peak RSS the bench wants:
 * at exit, appends the process's maximum resident set size in KB to the file BENCH_PEAK_FILE names.
 */
import { appendFileSync } from 'node:fs';

const file = process.env['BENCH_PEAK_FILE'];
if (file !== undefined) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
