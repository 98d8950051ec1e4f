import type { TeamsConfig } from '../config';
import type { AlertEvent } from '../domain/alertEvent';
import { alertView, type ViewOptions } from './alertView';
import { DEFAULT_HTTP_TIMEOUT_MS, fingerprint, postForDelivery } from './httpDelivery';
import type { DeliveryOutcome, Notifier } from './notifier';
import { fitTeamsPayload, TEAMS_MAX_BYTES } from './teamsCard';

/** A Teams Workflows webhook ("When a Teams webhook request is received"). */
export class TeamsNotifier implements Notifier {
  readonly name = 'teams';
  readonly target: string;

  constructor(
    private readonly config: TeamsConfig,
    private readonly view: ViewOptions,
    private readonly timeoutMs = DEFAULT_HTTP_TIMEOUT_MS,
  ) {
    this.target = fingerprint(config.url);
  }

  async notify(event: AlertEvent): Promise<DeliveryOutcome> {
    const body = fitTeamsPayload(alertView(event, this.view));
    if (body === null) return { result: 'failed-for-good', reason: `teams card is over the ${TEAMS_MAX_BYTES}-byte limit of Workflows webhooks, even shortened` };
    return postForDelivery(this.name, this.config.url, body, {}, this.timeoutMs);
  }
}
