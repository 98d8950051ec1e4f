import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { acknowledgeIncidents, cleanText, MAX_ACK_BY, MAX_ACK_NOTE } from '../incidents/acknowledge';
import { sharedRuntime, type Runtime } from './runtime';

const MAX_ACK_BODY_BYTES = 8 * 1024;

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } };
}

type Parsed = { ok: true; ids: string[] | 'all'; by: string | null; note: string | null } | { ok: false; field: string; problem: string };

function optionalText(body: Record<string, unknown>, field: 'by' | 'note', max: number): string | null | { problem: string } {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') return { problem: 'must be a string' };
  const clean = cleanText(v, max);
  return clean === '' ? null : clean;
}

function parse(body: unknown): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, field: '(body)', problem: 'must be a JSON object like {"id": "...", "by": "...", "note": "..."}' };
  const b = body as Record<string, unknown>;
  let ids: string[] | 'all';
  if (b['all'] === true && b['id'] === undefined) ids = 'all';
  else if (typeof b['id'] === 'string' && /^[\x21-\x7e]{1,200}$/.test(b['id'])) ids = [b['id']];
  else return { ok: false, field: 'id', problem: 'is required: the id of an open incident (or {"all": true})' };
  const by = optionalText(b, 'by', MAX_ACK_BY);
  if (by !== null && typeof by === 'object') return { ok: false, field: 'by', ...by };
  const note = optionalText(b, 'note', MAX_ACK_NOTE);
  if (note !== null && typeof note === 'object') return { ok: false, field: 'note', ...note };
  return { ok: true, ids, by, note };
}

/** POST /api/ack: a person acknowledges an open incident, so the monitor may show OK again. */
export function makeAckHandler(runtime: () => Runtime = sharedRuntime, now: () => Date = () => new Date()) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    if (request.method !== 'POST') return json(405, { error: `method ${request.method} is not allowed: POST {"id": "<incident id>", "by": "...", "note": "..."}` }, { allow: 'POST' });
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > MAX_ACK_BODY_BYTES) return json(413, { error: `the body is larger than ${MAX_ACK_BODY_BYTES} bytes` });
    let text: string;
    try {
      text = await request.text();
    } catch {
      return json(400, { error: 'the body could not be read' });
    }
    if (Buffer.byteLength(text) > MAX_ACK_BODY_BYTES) return json(413, { error: `the body is larger than ${MAX_ACK_BODY_BYTES} bytes` });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return json(400, { error: 'the body is not valid JSON' });
    }
    const parsed = parse(body);
    if (!parsed.ok) return json(400, { error: `${parsed.field} ${parsed.problem}`, field: parsed.field });
    const rt = runtime();
    const outcome = await acknowledgeIncidents(rt.store, { ids: parsed.ids, by: parsed.by, note: parsed.note, at: now() }, rt.tokenSubjects.map((t) => t.subject), rt.deviceCertificates?.store ?? null);
    if (!outcome.ok) return json(404, { error: `no open incident with id ${outcome.unknown.join(', ')}`, field: 'id' });
    return json(200, { acknowledged: outcome.closed.map((i) => ({ id: i.id, kind: i.kind, severity: i.severity, openedAt: i.openedAt })), by: parsed.by, note: parsed.note });
  };
}
