import { expect, test } from 'vitest';
import { alertView } from '../../src/notify/alertView';
import { buildEmail, buildMime } from '../../src/notify/emailMessage';
import { buildTeamsPayload } from '../../src/notify/teamsCard';
import { renderInboxPage, type InboxItem } from '../doubles/inboxPage';
import { hostileEvent } from '../support/sampleEvents';

// The demo inbox shows what a channel received; what it received is data, never markup for the page.

const event = hostileEvent();
const view = alertView(event, { cloud: 'global', timeZone: null });
const at = (s: number) => new Date(Date.UTC(2027, 2, 5, 8, 0, s));

test('hostile text in a card, a mail and an event stays text; only web links become links', () => {
  const card = buildTeamsPayload(view) as { attachments: Array<{ content: { actions: Array<{ url: string }> } }> };
  card.attachments[0]!.content.actions[0]!.url = 'javascript:alert(1)';
  const items: InboxItem[] = [
    { channel: 'teams', at: at(1), target: 'POST /teams', body: JSON.stringify(card) },
    { channel: 'email', at: at(2), target: 'sendMail', body: buildMime(buildEmail(view), { from: 'a@contoso.com', to: ['b@contoso.com'], alertId: event.id, date: at(2) }) },
    { channel: 'webhook', at: at(3), target: 'POST /webhook', body: JSON.stringify(event) },
    { channel: 'webhook', at: at(0), target: 'POST /webhook', body: '<script>not json</script>' },
  ];
  const page = renderInboxPage(items);
  expect(page).not.toMatch(/<script|<img|javascript:alert\(1\)"|href="javascript/i);
  expect(page).toContain('&#60;script&#62;');
  // The mail's own HTML is in a sandboxed frame: escaped once more for the attribute.
  expect(page).toMatch(/<iframe class="mail" sandbox="" [^>]*srcdoc="&#60;!DOCTYPE html&#62;/);
  // Newest first.
  expect([...page.matchAll(/data-channel="(\w+)"/g)].map((m) => m[1])).toEqual(['webhook', 'email', 'teams', 'webhook']);
});

test('a long card folds its steps and facts into <details>, keeping the title, the days and the buttons in view', () => {
  const expiring = alertView({ ...event, tenant: 'Contoso', appleIdentifier: 'intune-apns@contoso.com', topicIdentifier: 'com.apple.mgmt.External.x' }, { cloud: 'global', timeZone: null });
  const page = renderInboxPage([{ channel: 'teams', at: at(0), target: 'POST /teams', body: JSON.stringify(buildTeamsPayload(expiring)) }]);
  const [before, after] = page.split('<details>');
  expect(before).toContain('Contoso: APNs certificate expires in 9 days');
  expect(before).toContain('size-extralarge');
  expect(before).not.toContain('How to renew');
  expect(after).toContain('How to renew');
  expect(after).toMatch(/<\/details><p class="ac-actions"><a class="button" href="https:\/\/intune\.microsoft\.com/);
});

test('the count reads in proper plurals: "1 message", "0 messages"', () => {
  const one = renderInboxPage([{ channel: 'teams', at: at(0), target: 'POST /teams', body: JSON.stringify(buildTeamsPayload(view)) }]);
  expect(one).toContain('<title>Inbox: 1 message</title>');
  expect(one).toContain('<p class="summary">1 message, newest first');
  expect(renderInboxPage([])).toContain('<title>Inbox: 0 messages</title>');
});
