import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { canonicalJson } from '../domain/canonicalJson';
import { validateAlertEvent } from '../domain/validateEvent';
import { deliverOne } from '../notify/deliver';
import { recorderFor } from '../notify/channelAlerts';
import type { NotifyResponse } from '../notify/notifyFunction';
import { contextLogger } from './checkHandler';
import { sharedRuntime, type Runtime } from './runtime';
import { readCappedBody } from '../net/cappedBody';
import { OutboundCallError } from '../net/deadline';
import { mayOpenCriticalIncident, silenceNotes } from '../silences/match';
import { silencesForCheck } from '../silences/store';

export const MAX_NOTIFY_BODY_BYTES = 64 * 1024;

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

/** Reads at most `limit` bytes; null when the body is larger (without reading the rest). */
export async function readLimited(request: HttpRequest, limit: number): Promise<Buffer | null> {
  try {
    // The host's stream (node:stream/web) is the same WHATWG stream the fetch body is; only the typings differ.
    return await readCappedBody(request.body as unknown as ReadableStream<Uint8Array> | null, limit, (max) => `larger than ${max}`);
  } catch (error) {
    if (error instanceof OutboundCallError && error.reason === 'too-large') return null;
    throw error;
  }
}

/**
 * POST /api/notify: one alert event in, delivered once to each configured channel. Targets come only
 * from configuration; nothing in the request can choose where the function posts.
 *
 * A first receipt answers 202; the same id again answers 200 with the delivery report when the event
 * is the same, 409 when it is not (an id names one alert occurrence, so a different event under it
 * is a mistake to show, never one to drop silently). Nothing in the body can cause a 5xx: what could
 * not be stored or delivered is refused with a 400 naming the field.
 */
export function makeNotifyHandler(runtime: () => Runtime = sharedRuntime, now: () => Date = () => new Date()) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    if (request.method !== 'POST') return json(405, { error: `method ${request.method} is not allowed: POST one alert event` }, { allow: 'POST' });
    const tooLarge = json(413, { error: `the body is larger than ${MAX_NOTIFY_BODY_BYTES} bytes` });
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > MAX_NOTIFY_BODY_BYTES) return tooLarge;
    const raw = await readLimited(request, MAX_NOTIFY_BODY_BYTES);
    if (raw === null) return tooLarge;

    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      return json(400, { error: `the body is not valid JSON: ${error instanceof Error ? error.message : 'parse error'}` });
    }
    const validation = validateAlertEvent(parsed);
    if (!validation.ok) return json(400, { error: `invalid alert event: ${validation.field} ${validation.problem}`, field: validation.field });

    const rt = runtime();
    const log = contextLogger(context);
    if (rt.channels.length === 0) {
      log.error('notify: no channel is configured (TEAMS_WEBHOOK_URL, EMAIL_FROM/EMAIL_TO or WEBHOOK_URL)');
      return json(503, { error: 'no alert channel is configured on the notify function' });
    }
    // Silences apply as the event is first recorded, and that decision stays with it: a repeat of an event
    // a silence held back is not delivered after the silence ends. The function cannot see the monitor's
    // state, so every critical event of a kind that opens an incident goes through (the silence noted).
    const receivedAt = now();
    const silences = await silencesForCheck(rt.silences, receivedAt, log, rt.redact, 'notify');
    const note = silenceNotes([validation.event], silences, receivedAt, mayOpenCriticalIncident).get(validation.event.id) ?? null;
    const { entry, added } = await rt.deliveryLog.add(validation.event, note);
    if (!added && canonicalJson(entry.event) !== canonicalJson(validation.event)) {
      const error = `alert id ${entry.event.id} was already received with different content`;
      log.warn(`notify: ${error}; the first one is kept`);
      return json(409, { error, id: entry.event.id });
    }
    if (entry.silence?.held === true) {
      const { id, until, reason } = entry.silence;
      log.info(`notify ${entry.event.id} (${entry.event.kind}): silenced until ${until} by ${id}: recorded, not delivered`);
      const held: NotifyResponse & { duplicate: boolean; silenced: { id: string; until: string; reason: string } } = { id: entry.event.id, duplicate: !added, pending: false, channels: [], silenced: { id, until, reason } };
      return json(added ? 202 : 200, held);
    }
    // A channel that refuses for good is shown in status and history, as for the check's own delivery.
    const channelHealth = recorderFor(rt.store, rt.deliveryLog, rt.channels, { tenant: rt.config.tenantName, now: () => new Date(), redact: rt.redact, log, silences: rt.silences });
    const delivery = await deliverOne(rt.deliveryLog, entry, rt.channels, () => new Date(), rt.redact, {
      onAttempt: channelHealth.onAttempt,
      onFailedForGood: (alert, channel, detail) => rt.store.recordDeliveryFailure({ at: new Date().toISOString(), alertId: alert.id, kind: alert.kind, channel, detail }),
      onRecovered: (alert, channel) => rt.store.clearDeliveryFailure(alert.id, channel),
    });
    await channelHealth.settle();
    const response: NotifyResponse & { duplicate: boolean } = { id: entry.event.id, duplicate: !added, pending: delivery.pending, channels: delivery.channels };
    for (const c of response.channels) {
      const line = `notify ${response.id} (${entry.event.kind}) → ${c.channel}: ${c.outcome}${c.detail === null ? '' : `: ${c.detail}`}`;
      if (c.outcome === 'retry-later' || c.outcome === 'failed-for-good') log.warn(rt.redact(line));
      else log.info(rt.redact(line));
    }
    return json(added ? 202 : 200, response);
  };
}
