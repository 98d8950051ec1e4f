import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { runCheck } from '../check/runCheck';
import { renderBadge } from '../status/badge';
import { DASHBOARD_HISTORY_ROWS, dashboardHeaders, renderDashboard } from '../status/dashboardPage';
import { loadHistoryWindow, loadReadModel } from '../status/readModel';
import { withOwnIncidents, type StatusDocument } from '../status/statusDocument';
import type { HistoryEntry } from '../storage/records';
import { SUBJECT_KINDS, type SubjectKind } from '../domain/alertEvent';
import type { CertificateStatus } from '../domain/status';
import { worstStatus } from '../subjects/subjectEntry';
import { credentialMetrics } from '../metrics/readModel';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../metrics/prometheus';
import { deviceCertificateMetrics } from '../metrics/deviceCertificates';
import { contextLogger } from './checkHandler';
import { checkDeps, sharedRuntime, type Runtime } from './runtime';

export const HISTORY_DEFAULT = 50;
export const HISTORY_MAX = 500;

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } };
}

function onlyGet(request: HttpRequest): HttpResponseInit | null {
  return request.method === 'GET' || request.method === 'HEAD' ? null : json(405, { error: `method ${request.method} is not allowed: use GET` }, { allow: 'GET, HEAD' });
}

const BADGE_LABELS: Record<SubjectKind, string> = { apns: 'APNs', vpp_token: 'VPP', ade_token: 'ADE', device_certificate: 'Device certs' };

/**
 * What a badge shows for one kind of credential: its worst entry (a tenant's VPP tokens are one
 * badge). The push certificate's badge also carries open incidents, as its status does.
 */
function badgeView(doc: StatusDocument | null, subject: SubjectKind): { status: CertificateStatus | null; daysRemaining: number | null } {
  if (doc === null) return { status: null, daysRemaining: null };
  const entries = withOwnIncidents(doc).filter((e) => e.subject === subject);
  if (entries.length === 0) return { status: subject === 'apns' ? null : 'not_configured', daysRemaining: null };
  const days = entries.map((e) => e.daysRemaining).filter((d): d is number => d !== null);
  return { status: worstStatus(entries.map((e) => e.status)), daysRemaining: days.length === 0 ? null : Math.min(...days) };
}

/**
 * The on-demand views: /api/status (one point read, time left recomputed now), /api/history,
 * /api/dashboard and /api/badge.svg. None calls Graph, except /api/status?refresh=true.
 */
export function makeStatusHandlers(runtime: () => Runtime = sharedRuntime, now: () => Date = () => new Date()) {
  /** The page last rendered, and what it was rendered from (one entry: the newest). */
  let lastPage: { rt: Runtime; doc: StatusDocument | null; history: readonly HistoryEntry[]; key: string | null; second: number; body: string } | null = null;

  async function current(rt: Runtime, fresh = false) {
    return (await loadReadModel(rt, now(), { fresh })).doc;
  }

  return {
    async status(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      const refused = onlyGet(request);
      if (refused !== null) return refused;
      const rt = runtime();
      const refresh = request.query.get('refresh');
      if (refresh !== null && refresh !== 'true' && refresh !== 'false') return json(400, { error: 'refresh must be true or false', field: 'refresh' });
      if (refresh === 'true') await runCheck(checkDeps(rt, contextLogger(context), now));
      const doc = await current(rt, refresh === 'true');
      if (doc === null) return json(503, { status: 'unknown', error: 'no check has been recorded yet: the timer has not run (run `apns-monitor check`, or call /api/status?refresh=true)' });
      return json(200, doc);
    },

    async history(request: HttpRequest): Promise<HttpResponseInit> {
      const refused = onlyGet(request);
      if (refused !== null) return refused;
      const raw = request.query.get('limit');
      const limit = raw === null ? HISTORY_DEFAULT : /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!(limit >= 1 && limit <= HISTORY_MAX)) return json(400, { error: `limit must be a whole number from 1 to ${HISTORY_MAX}`, field: 'limit' });
      return json(200, { entries: await runtime().store.listHistory(limit) });
    },

    async dashboard(request: HttpRequest): Promise<HttpResponseInit> {
      const refused = onlyGet(request);
      if (refused !== null) return refused;
      const refresh = request.query.get('refresh');
      if (refresh !== null && refresh !== 'true' && refresh !== 'false') return json(400, { error: 'refresh must be true or false', field: 'refresh' });
      const rt = runtime();
      // ?refresh=true reads storage afresh (no check: the page's button for that is the status route's).
      const fresh = refresh === 'true';
      const [doc, history] = await Promise.all([current(rt, fresh), loadHistoryWindow(rt, DASHBOARD_HISTORY_ROWS, { fresh })]);
      const generatedAt = now();
      // Carried into the page's links and test-alert form, so they reach function-level routes too.
      const key = request.query.get('code');
      const second = Math.floor(generatedAt.getTime() / 1000);
      // The same model, history and key within one second make the same page (it says when it was
      // rendered, to the second): under load it is rendered once, not per request.
      let body: string;
      const last = lastPage;
      if (last !== null && last.rt === rt && last.doc === doc && last.history === history && last.key === key && last.second === second) {
        body = last.body;
      } else {
        body = renderDashboard({ doc, history, thresholds: rt.config.policy.thresholdDays, cloud: rt.config.cloud, generatedAt, timeZone: rt.config.displayTimeZone, key });
        lastPage = { rt, doc, history, key, second, body };
      }
      // The CSP allows only the page's own inline style and script (by hash): nothing loads from elsewhere.
      return { status: doc === null ? 503 : 200, body, headers: dashboardHeaders() };
    },

    /** GET /api/metrics: the stored read model in Prometheus text format (no Graph call). */
    async metrics(request: HttpRequest): Promise<HttpResponseInit> {
      const refused = onlyGet(request);
      if (refused !== null) return refused;
      const rt = runtime();
      const doc = await current(rt);
      const tenant = rt.config.tenantName;
      const body = renderPrometheus({
        credentials: doc === null ? [] : credentialMetrics(withOwnIncidents(doc), tenant),
        monitor: {
          tenant,
          lastCheckAt: doc?.checkedAt ?? null,
          lastCheckSucceeded: doc === null ? null : doc.subjects.every((e) => e.status !== 'unknown'),
          openIncidents: doc?.openIncidents.length ?? 0,
        },
      });
      // Issue 12: the last device-certificate scan, when WATCH names it and one has been recorded.
      const devices = doc?.deviceCertificates ?? null;
      const all = devices === null ? body : `${body}${body.endsWith('\n') || body === '' ? '' : '\n'}${deviceCertificateMetrics(devices, tenant)}`;
      return { status: 200, body: all, headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' } };
    },

    async badge(request: HttpRequest): Promise<HttpResponseInit> {
      const refused = onlyGet(request);
      if (refused !== null) return refused;
      const subject = request.query.get('subject') ?? 'apns';
      if (!(SUBJECT_KINDS as readonly string[]).includes(subject)) return json(400, { error: `subject must be one of ${SUBJECT_KINDS.join(', ')}`, field: 'subject' });
      const doc = await current(runtime());
      const view = badgeView(doc, subject as SubjectKind);
      return {
        status: 200,
        body: renderBadge(view.status, view.daysRemaining, doc?.stale ?? false, BADGE_LABELS[subject as SubjectKind]),
        headers: { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'max-age=300', 'x-content-type-options': 'nosniff' },
      };
    },
  };
}
