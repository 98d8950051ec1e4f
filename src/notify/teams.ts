import type { TeamsConfig } from '../config';
import type { AlertEvent } from '../domain/alertEvent';
import { alertView, type ViewOptions } from './alertView';
import { DEFAULT_HTTP_TIMEOUT_MS, fingerprint, postForDelivery } from './httpDelivery';
import type { DeliveryOutcome, Notifier } from './notifier';
import { buildTeamsPayload, TEAMS_MAX_BYTES } from './teamsCard';

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
    const body = JSON.stringify(buildTeamsPayload(alertView(event, this.view)));
    if (Buffer.byteLength(body) > TEAMS_MAX_BYTES) {
      return { result: 'failed-for-good', reason: `teams card is ${Buffer.byteLength(body)} bytes, over the ${TEAMS_MAX_BYTES}-byte limit of Workflows webhooks` };
    }
    return postForDelivery(this.name, this.config.url, body, {}, this.timeoutMs);
  }
}
