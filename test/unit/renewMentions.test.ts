import { expect, test } from 'vitest';
import { renderDashboard } from '../../src/status/dashboardPage';
import { sampleEvents } from '../support/sampleEvents';

test('every expiring and expired alert for the push certificate, and the dashboard, name the renewal assistant', () => {
  const due = sampleEvents().filter((e) => e.subject === 'apns' && (e.kind === 'expiring' || e.kind === 'expired') && (e.graceDaysRemaining ?? 0) >= 0);
  expect(due.length).toBeGreaterThan(1);
  for (const e of due) expect(e.summary).toContain('`apns-monitor renew csr`');
  const page = renderDashboard({ doc: null, history: [], thresholds: [30], cloud: 'global', generatedAt: new Date('2027-01-01T00:00:00Z') });
  expect(page).toContain('<code>apns-monitor renew csr</code>');
});
