import { expect, test } from 'vitest';
import { alertView } from '../../src/notify/alertView';
import { buildEmail } from '../../src/notify/emailMessage';
import { fitTeamsPayload } from '../../src/notify/teamsCard';
import { tokenSampleEvents } from '../support/tokenSampleEvents';

const view = { cloud: 'global' as const, timeZone: 'Europe/Berlin' };

test('token alerts carry their own renewal advice and links in every channel, never the push certificate portal', () => {
  const events = tokenSampleEvents();
  const vpp = events.find((e) => e.subject === 'vpp_token' && e.kind === 'expiring')!;
  const ade = { ...events.find((e) => e.subject === 'ade_token' && e.kind === 'sync_stale')!, kind: 'expiring' as const, summary: 'expiring' };
  for (const [event, advice, link] of [
    [vpp, /content token/i, 'Apple VPP tokens'],
    [ade, /never create a new MDM server/i, 'Enrollment program tokens'],
  ] as const) {
    const v = alertView(event, view);
    const card = fitTeamsPayload(v);
    const mail = buildEmail(v);
    expect(card).not.toBeNull();
    for (const text of [card!, mail.text, mail.html]) {
      expect(text).toMatch(advice);
      expect(text).toContain(link);
      expect(text).toContain('business.apple.com');
      expect(text).not.toContain('identity.apple.com/pushcert');
    }
  }
});
