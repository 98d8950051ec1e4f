/**
 * The page's one inline script (allowed by its hash in the Content-Security-Policy). Everything it
 * does is an improvement on a page that already works without it:
 * - every `<time data-t>` is rewritten into the viewer's own time zone (the server wrote
 *   DISPLAY_TIMEZONE and UTC, or UTC), the server's text kept as the tooltip;
 * - the test-alert form is sent with fetch() and each channel's outcome is shown in place, instead
 *   of navigating to the route's HTML answer.
 * It builds nodes with textContent only: nothing a channel answers is ever parsed as HTML.
 */
export const SCRIPT = `(function () {
  'use strict';
  var fmt;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
  } catch (e) { fmt = null; }
  function local(d) {
    var p = {};
    fmt.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + ' ' + p.timeZoneName;
  }
  if (fmt) {
    var times = document.querySelectorAll('time[data-t]');
    for (var i = 0; i < times.length; i++) {
      var t = times[i], d = new Date(t.getAttribute('datetime'));
      if (isNaN(d.getTime())) continue;
      t.title = t.textContent;
      t.textContent = local(d);
    }
    var zone = document.getElementById('zone');
    var name = fmt.resolvedOptions().timeZone;
    if (zone && name) zone.textContent = 'Times are in your time zone (' + name + ').';
  }
  var form = document.getElementById('test-alert');
  var out = document.getElementById('test-alert-result');
  if (!form || !out || !window.fetch) return;
  var LABEL = { delivered: ['\\u2713', 'Delivered'], failed: ['\\u2715', 'Failed'], skipped: ['\\u2013', 'Skipped'] };
  function say(text) { out.textContent = ''; var p = document.createElement('p'); p.textContent = text; out.appendChild(p); }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    say('Sending a test alert\\u2026');
    fetch(form.action, { method: 'POST', headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }, function () { return { ok: false, status: r.status, body: null }; }); })
      .then(function (r) {
        var list = r.body && r.body.channels;
        if (!r.ok || !Array.isArray(list)) {
          say('The test alert was not sent: ' + ((r.body && typeof r.body.error === 'string') ? r.body.error : 'HTTP ' + r.status) + '.');
          return;
        }
        if (list.length === 0) { say('No channel is configured: nothing was sent.'); return; }
        out.textContent = '';
        var ul = document.createElement('ul');
        list.forEach(function (c) {
          var li = document.createElement('li');
          li.setAttribute('data-outcome', String(c.outcome));
          var l = LABEL[c.outcome] || ['?', String(c.outcome)];
          var pill = document.createElement('span');
          pill.className = 'pill tone-' + (c.outcome === 'delivered' ? 'ok' : c.outcome === 'failed' ? 'critical' : 'neutral');
          pill.textContent = l[0] + ' ' + l[1];
          var name = document.createElement('strong');
          name.textContent = ' ' + String(c.channel);
          li.appendChild(pill);
          li.appendChild(name);
          if (c.detail) li.appendChild(document.createTextNode(': ' + String(c.detail)));
          ul.appendChild(li);
        });
        out.appendChild(ul);
      }, function () { say('The test alert could not be sent: the monitor did not answer.'); })
      .then(function () { if (button) button.disabled = false; });
  });
})();`;
