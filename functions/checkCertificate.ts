import { app } from '@azure/functions';
import { timerFunction } from '../src/app/functionRegistry';

// Every CHECK_SCHEDULE (default "0 0 */6 * * *"): the same check as `apns-monitor check`.
const check = timerFunction('checkCertificate');
app.timer(check.name, { schedule: check.schedule, runOnStartup: false, handler: check.handler });

// An ES module to esbuild, which otherwise wraps a file without exports as CommonJS and keeps all it imports.
export {};
