import { app } from '@azure/functions';
import { makeCheckTimerHandler } from '../src/app/checkHandler';

// Every CHECK_SCHEDULE (default "0 0 */6 * * *"): the same check as `apns-monitor check`.
app.timer('checkCertificate', {
  schedule: '%CHECK_SCHEDULE%',
  runOnStartup: false,
  handler: makeCheckTimerHandler(),
});
