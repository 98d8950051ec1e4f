import type { CheckResult } from '../check/runCheck';

/**
 * The one log line each timer run writes for the watcher of the watcher: in Application Insights it
 * is a `traces` row whose message starts with the marker and carries a JSON object. The scheduled
 * query in infra/modules/watchdog.bicep alerts when no row with `success: true` arrived for longer
 * than twice the schedule's longest gap plus an hour. test/unit/infraTemplates.test.ts holds the
 * query to these names.
 */
export const CHECK_RECORD_MARKER = 'APNS_MONITOR_CHECK';

export interface CheckRecord {
  /** Graph was read (404 included): the monitor is doing its job, whatever the certificate's status. */
  success: boolean;
  status: CheckResult['status'];
  daysRemaining: number | null;
  alerts: number;
  /** Alerts a channel still owes after this run (retried next run). */
  undelivered: number;
  checkedAt: string;
}

export function checkRecord(result: CheckResult): CheckRecord {
  return {
    // Not the status: an open incident can make a failed read CRITICAL rather than UNKNOWN.
    success: result.error === null,
    status: result.status,
    daysRemaining: result.daysRemaining,
    alerts: result.alerts.length,
    undelivered: result.deliveries.filter((d) => d.pending).length,
    checkedAt: result.checkedAt,
  };
}

/** `APNS_MONITOR_CHECK {"success":true,…}`: no secret and no free text (errors are logged apart). */
export function checkRecordLine(result: CheckResult): string {
  return `${CHECK_RECORD_MARKER} ${JSON.stringify(checkRecord(result))}`;
}
