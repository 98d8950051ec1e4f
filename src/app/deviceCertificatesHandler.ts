import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { CSV_CONTENT_TYPE, toCsv } from '../subjects/device_certificate/listFormat';
import { listDocument, loadList, parseWithinDays } from '../subjects/device_certificate/list';
import { sharedRuntime, type Runtime } from './runtime';

function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } };
}

/**
 * GET /api/device-certificates?withinDays=N&format=json|csv (function key): the stored at-risk list,
 * soonest expiry first, without a Graph call. Defaults: the largest threshold, JSON.
 */
export function makeDeviceCertificatesHandler(runtime: () => Runtime = sharedRuntime, now: () => Date = () => new Date()) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return { status: 405, jsonBody: { error: `method ${request.method} is not allowed: use GET` }, headers: { allow: 'GET, HEAD', 'content-type': 'application/json; charset=utf-8' } };
    }
    const rt = runtime();
    const format = request.query.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') return json(400, { error: 'format must be json or csv', field: 'format' });
    const within = parseWithinDays(request.query.get('withinDays'), rt.config.deviceCertPolicy.thresholdDays);
    if (!within.ok) return json(400, { error: within.error, field: within.field });
    const list = await loadList(rt, now(), within.withinDays);
    if (list.kind === 'not_watched') return json(404, { error: list.error });
    if (list.kind === 'no_scan') return json(503, { error: list.error });
    if (format === 'json') return json(200, listDocument(list, within.withinDays));
    return {
      status: 200,
      body: toCsv(list.rows),
      headers: {
        'content-type': CSV_CONTENT_TYPE,
        'content-disposition': `attachment; filename="device-certificates-${list.scannedAt.slice(0, 10)}-within-${within.withinDays}-days.csv"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    };
  };
}
