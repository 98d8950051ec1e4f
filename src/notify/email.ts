import { type Client, GraphError, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import type { EmailConfig } from '../config';
import type { AlertEvent } from '../domain/alertEvent';
import { OutboundCallError } from '../net/deadline';
import { alertView, type ViewOptions } from './alertView';
import { buildEmail, buildMime } from './emailMessage';
import { fingerprint, parseRetryAfter } from './httpDelivery';
import type { DeliveryOutcome, Notifier } from './notifier';

export const MAIL_PERMISSION = 'Mail.Send';

/** A Retry-After up to this long is waited out in the run (as in notify/deliver); a longer one is not. */
const MAX_INLINE_WAIT_SECONDS = 10;
const RETRY_DELAY_SECONDS = 1;

/**
 * sendMail retries 429/503/504 in the Graph client only while the wait is short: a longer Retry-After
 * comes back as the answer, and the delivery leaves the channel pending until then instead of holding
 * the run (and its delivery claim) for minutes.
 */
const shortRetriesOnly = new RetryHandlerOptions(RETRY_DELAY_SECONDS, 3, (_delay, attempt, _request, _options, response) => {
  const asked = parseRetryAfter(response.headers.get('retry-after'));
  return (asked ?? RETRY_DELAY_SECONDS * 2 ** attempt) <= MAX_INLINE_WAIT_SECONDS;
});

function retryAfterOf(error: GraphError): number | null {
  const headers = error.headers as { get?: (name: string) => string | null } | undefined;
  return parseRetryAfter(typeof headers?.get === 'function' ? headers.get('retry-after') : null);
}

/** Email through Graph `POST /users/{EMAIL_FROM}/sendMail`, with the app's own identity. */
export class EmailNotifier implements Notifier {
  readonly name = 'email';
  readonly target: string;

  constructor(
    private readonly config: EmailConfig,
    private readonly graph: Client,
    private readonly view: ViewOptions,
    /** When each message is written (its Date header). */
    private readonly now: () => Date = () => new Date(),
  ) {
    this.target = fingerprint(config.from, ...config.to);
  }

  async notify(event: AlertEvent): Promise<DeliveryOutcome> {
    const mime = buildMime(buildEmail(alertView(event, this.view)), { from: this.config.from, to: this.config.to, alertId: event.id, date: this.now() });
    try {
      await this.graph.api(`/users/${encodeURIComponent(this.config.from)}/sendMail`).middlewareOptions([shortRetriesOnly]).header('Content-Type', 'text/plain').post(Buffer.from(mime, 'utf8').toString('base64'));
      return { result: 'delivered' };
    } catch (error) {
      return classifyMailError(error);
    }
  }
}

export function classifyMailError(error: unknown): DeliveryOutcome {
  // The HTTP deadline or body cap (see graph/deadlineHandler.ts) names the call and the limit itself.
  if (error instanceof OutboundCallError || (error instanceof GraphError && error.code === 'OutboundCallError')) {
    return { result: 'retry-later', reason: `email: ${error.message}`, retryAfterSeconds: null };
  }
  if (!(error instanceof GraphError) || error.statusCode <= 0) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { result: 'retry-later', reason: `email: could not reach Graph or get a token: ${message}`, retryAfterSeconds: null };
  }
  const status = error.statusCode;
  // A 2xx whose (empty) body the client could not parse: the mail was accepted.
  if (status >= 200 && status < 300) return { result: 'delivered' };
  if (status === 429 || status >= 500) return { result: 'retry-later', reason: `email: Graph answered ${status}`, retryAfterSeconds: retryAfterOf(error) };
  if (status === 403) {
    return { result: 'failed-for-good', reason: `email: Graph answered 403: the app lacks the Graph application permission ${MAIL_PERMISSION}, or an Exchange application access policy does not cover EMAIL_FROM` };
  }
  if (status === 404) return { result: 'failed-for-good', reason: 'email: Graph answered 404: EMAIL_FROM is not a mailbox in this tenant' };
  return { result: 'failed-for-good', reason: `email: Graph answered ${status}${error.code ? ` ${error.code}` : ''}` };
}
