// The watcher of the watcher: an Azure Monitor log alert that emails `alertEmail` when no successful
// check has been recorded for longer than twice the schedule's longest gap plus an hour (app stopped,
// deployment broken, quota, identity removed, Graph unreadable). It queries the record line the timer
// writes after every run (src/app/checkRecord.ts); test/unit/infraTemplates.test.ts holds the two to
// the same marker and fields.
param location string
param tags object
param applicationInsightsName string
param actionGroupName string
param ruleName string

@description('Who is told when the monitor goes silent.')
param alertEmail string

@description('Longest gap between two runs of CHECK_SCHEDULE, in hours (6 for the default "0 0 */6 * * *").')
@minValue(1)
param checkMaxGapHours int

@description('When this deployment ran: the rule stays quiet for one window after it, before the first run is due.')
param deployedAt string = utcNow('u')

// 2 × the longest gap + 1 h, capped at the two days a log alert's query may look back.
var silenceHours = min(2 * checkMaxGapHours + 1, 48)

resource insights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2022-04-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'apnsmonitor'
    enabled: true
    emailReceivers: [
      {
        name: 'monitor-owner'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Rows: one per successful check in the window, plus one while the deployment is younger than the
// window. None → the monitor has been silent too long → alert.
var query = '''
let silence = {SILENCE}h;
let deployedAt = todatetime("{DEPLOYED_AT}");
union
  (traces
    | where timestamp > ago(silence)
    | where message startswith "APNS_MONITOR_CHECK "
    | extend record = parse_json(substring(message, strlen("APNS_MONITOR_CHECK ")))
    | where tobool(record.success) == true
    | project timestamp, status = tostring(record.status), daysRemaining = toint(record.daysRemaining)),
  (print timestamp = now() | where now() < deployedAt + silence | project timestamp, status = "deployed", daysRemaining = int(null))
'''

resource noSuccessfulCheck 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: ruleName
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'APNs monitor: no successful check for ${silenceHours} h'
    description: 'No successful certificate check recorded for longer than 2 × the schedule\'s longest gap + 1 h. Check the Function App (stopped? failed deployment? identity or Graph permission removed?) and its traces in Application Insights.'
    severity: 1
    enabled: true
    scopes: [insights.id]
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    criteria: {
      allOf: [
        {
          query: replace(replace(query, '{SILENCE}', string(silenceHours)), '{DEPLOYED_AT}', deployedAt)
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

output ruleName string = noSuccessfulCheck.name
output silenceHours int = silenceHours
