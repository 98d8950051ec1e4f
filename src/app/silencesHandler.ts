import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { checkSilenceInput, type SilenceRequest } from '../silences/input';
import { SilenceStore, TooManySilences } from '../silences/store';
import { contextLogger } from './checkHandler';
import { sharedRuntime, type Runtime } from './runtime';

/** A silence is a few hundred bytes; anything much larger is not one. */
export const MAX_SILENCE_BODY_BYTES = 8 * 1024;

const FIELDS = new Set(['subject', 'subjectId', 'kind', 'until', 'reason', 'by']);

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } };
}

function shown(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\p{Cs}/gu, '\uFFFD');
  return flat.length > 60 ? `${flat.slice(0, 60)}…` : flat;
}

async function readBody(request: HttpRequest): Promise<{ ok: true; body: unknown } | { ok: false; response: HttpResponseInit }> {
  const tooLarge = { ok: false as const, response: json(413, { error: `the body is larger than ${MAX_SILENCE_BODY_BYTES} bytes` }) };
  if (Number(request.headers.get('content-length') ?? '0') > MAX_SILENCE_BODY_BYTES) return tooLarge;
  let text: string;
  try {
    text = await request.text();
  } catch {
    return { ok: false, response: json(400, { error: 'the body could not be read' }) };
  }
  if (Buffer.byteLength(text) > MAX_SILENCE_BODY_BYTES) return tooLarge;
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, response: json(400, { error: 'the body is not valid JSON: send {"subject": "apns", "until": "2027-03-05", "reason": "..."}' }) };
  }
}

/**
 * /api/silences (function key): GET lists the silences in force, POST adds one (201 with it; 400 naming
 * the field that is wrong), DELETE /api/silences/{id} removes one (200 with it; 404 for an unknown id).
 * The same rules as `apns-monitor silence`.
 */
export function makeSilencesHandler(runtime: () => Runtime = sharedRuntime, now: () => Date = () => new Date()) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const id = request.params['id'] ?? '';
    const allow = id === '' ? 'GET, POST' : 'GET, DELETE';
    const rt = runtime();
    const at = now();
    if (request.method === 'GET') {
      const silences = await rt.silences.inForce(at);
      if (id === '') return json(200, { silences });
      const silence = silences.find((s) => s.id === id.toLowerCase());
      return silence === undefined ? json(404, { error: `no silence in force with id ${shown(id)}`, field: 'id' }) : json(200, { silence });
    }
    if (request.method === 'DELETE' && id !== '') {
      const removed = SilenceStore.isId(id) ? await rt.silences.remove(id) : null;
      if (removed === null) return json(404, { error: `no silence with id ${shown(id)}`, field: 'id' });
      contextLogger(context).info(`silences: removed ${removed.id} (${removed.subject}${removed.subjectId === null ? '' : `:${removed.subjectId}`}, ${removed.kind ?? 'every kind'})`);
      await prune(rt, at, context);
      return json(200, { removed });
    }
    if (request.method !== 'POST' || id !== '') {
      const hint = id === '' ? 'GET lists the silences, POST adds one, DELETE /api/silences/{id} removes one' : 'GET or DELETE /api/silences/{id}';
      return json(405, { error: `method ${request.method} is not allowed here: ${hint}` }, { allow });
    }
    const read = await readBody(request);
    if (!read.ok) return read.response;
    const body = read.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return json(400, { error: '(body) must be a JSON object like {"subject": "vpp_token", "subjectId": "…", "kind": "expiring", "until": "2027-03-05", "reason": "…", "by": "…"}', field: '(body)' });
    }
    const unknown = Object.keys(body).find((k) => !FIELDS.has(k));
    if (unknown !== undefined) return json(400, { error: `${shown(unknown)} is not a field of a silence (subject, subjectId, kind, until, reason, by)`, field: shown(unknown) });
    const checked = checkSilenceInput(body as SilenceRequest, at, rt.config.displayTimeZone);
    if (!checked.ok) return json(400, { error: `${checked.field} ${checked.problem}`, field: checked.field });
    try {
      const silence = await rt.silences.add(checked.silence, at);
      contextLogger(context).info(`silences: added ${silence.id} (${silence.subject}${silence.subjectId === null ? '' : `:${silence.subjectId}`}, ${silence.kind ?? 'every kind'}, until ${silence.until})`);
      await prune(rt, at, context);
      return json(201, { silence }, { location: `/api/silences/${silence.id}` });
    } catch (error) {
      if (error instanceof TooManySilences) return json(409, { error: error.message });
      throw error;
    }
  };
}

/** Ended silences' rows go lazily; failing at it changes nothing about the answer. */
async function prune(rt: Runtime, at: Date, context: InvocationContext): Promise<void> {
  try {
    await rt.silences.prune(at);
  } catch (error) {
    contextLogger(context).warn(`silences: could not delete ended silences: ${rt.redact(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error))}`);
  }
}
