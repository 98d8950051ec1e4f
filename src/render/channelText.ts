/**
 * The words of the monitor's alerts about its own notification channels. Only the channel's name is
 * ever shown: its address (a webhook URL is a credential) never is.
 */

const NAMES: Record<string, string> = { teams: 'Teams', email: 'email', webhook: 'webhook', notify: 'notify function' };

export function channelLabel(channel: string): string {
  return NAMES[channel] ?? channel;
}

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Any URL left in an error is cut out entirely: the alert names the channel, never where it posts. */
export function withoutUrls(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>]*/gi, '[address]');
}

export function channelFailingHeadline(channel: string): string {
  return `Alerts are not reaching the ${channelLabel(channel)} channel`;
}

export function channelRecoveredHeadline(channel: string): string {
  return `The ${channelLabel(channel)} channel takes alerts again`;
}

export function channelFailingSummary(channel: string, tenant: string | null, failures: number, since: string, lastError: string | null): string {
  const count = failures === 0 ? 'has not delivered' : `refused ${failures} alert${failures === 1 ? '' : 's'} in a row and has not delivered`;
  const error = lastError === null ? '' : ` Last error: ${withoutUrls(lastError)}`;
  return `The ${channelLabel(channel)} channel of the APNs monitor${tenant === null ? '' : ` for ${tenant}`} ${count} since ${when(since)}: alerts sent there are lost until it is fixed; this message comes on the other channels.${error}`;
}

export function channelRecoveredSummary(channel: string, tenant: string | null, since: string): string {
  return `The ${channelLabel(channel)} channel of the APNs monitor${tenant === null ? '' : ` for ${tenant}`} delivered again (it had failed since ${when(since)}).`;
}

export const CHANNEL_FAILING_ADVICE = 'Check the channel\'s setting (the webhook or Workflows URL, the mailbox and its Mail.Send permission), then press "send a test alert" on the dashboard or run `apns-monitor notify-test`.';
