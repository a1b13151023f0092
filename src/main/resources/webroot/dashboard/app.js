// Beacon web dashboard: asks for an API key once (kept in sessionStorage), then polls the JSON endpoints with
// it, sending If-None-Match so unchanged panels cost a 304. Polls every 15 s while visible, every 2 min while
// hidden, and backs off (doubling up to 5 min) while requests fail. No inline script: the CSP forbids it.
(function () {
  'use strict';
  var KEY = 'beacon.apiKey';
  var POLL_MS = 15000, HIDDEN_MS = 120000, MAX_BACKOFF_MS = 300000, CONTACT_NEXT = 10;
  var SVG = 'http://www.w3.org/2000/svg';
  var STATUSES = ['active', 'payment_plan', 'dispute', 'cease', 'resolved', 'closed'];
  var cache = {};      // url -> {etag, body}
  var timer = null, failures = 0, plot = null, lastActivity = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function pct(x) { return (x * 100).toFixed(1) + '%'; }
  function num(n) { return Number(n).toLocaleString('en-US'); }
  function money(s) { return '$' + Number(s).toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2}); }
  function label(s) { return String(s).replace(/_/g, ' '); }

  // ---- API ----
  function ApiError(status, detail) { this.status = status; this.message = detail || ('HTTP ' + status); }

  function api(url) {
    var key = sessionStorage.getItem(KEY);
    var headers = {'Authorization': 'Bearer ' + key, 'Accept': 'application/json'};
    var hit = cache[url];
    if (hit) headers['If-None-Match'] = hit.etag;
    return fetch(url, {headers: headers, cache: 'no-cache'}).then(function (r) {
      if (r.status === 304 && hit) return hit.body;
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (p) { throw new ApiError(r.status, p.detail); });
      }
      return r.json().then(function (body) {
        var etag = r.headers.get('ETag');
        if (etag) cache[url] = {etag: etag, body: body};
        return body;
      });
    });
  }

  // ---- range ----
  // Whole UTC hours (the rollups' grain) up to the end of the current hour, so repeated polls ask the same URL
  // and can be answered with 304.
  function range() {
    var choice = $('range').value;
    var HOUR = 3600000, from, to;
    if (choice === 'custom' && $('range-from').value && $('range-to').value) {
      from = new Date($('range-from').value + 'T00:00:00Z');
      to = new Date($('range-to').value + 'T00:00:00Z');
      to.setUTCDate(to.getUTCDate() + 1);
    } else {
      var hours = {'24h': 24, '7d': 168, '30d': 720, '90d': 2160}[choice] || 720;
      to = new Date(Math.ceil(Date.now() / HOUR) * HOUR);
      from = new Date(to.getTime() - hours * HOUR);
    }
    var bucket = (to - from) <= 3 * 86400000 ? 'hour' : 'day';
    return {q: 'from=' + from.toISOString().replace('.000Z', 'Z') + '&to=' + to.toISOString().replace('.000Z', 'Z'),
            bucket: bucket};
  }

  // ---- overview ----
  function loadOverview() {
    var r = range();
    return Promise.all([
      api('/api/dashboard/summary?' + r.q),
      api('/api/dashboard/funnel?' + r.q),
      api('/api/dashboard/activity?bucket=' + r.bucket + '&' + r.q),
      api('/api/dashboard/scores'),
      api('/api/dashboard/top-debtors?limit=10'),
      api('/api/worklist?channel=email&limit=' + CONTACT_NEXT),
      api('/api/worklist?channel=phone&limit=' + CONTACT_NEXT),
      api('/api/worklist?channel=sms&limit=' + CONTACT_NEXT)
    ]).then(function (all) {
      renderSummary(all[0]);
      renderFunnel(all[1]);
      renderActivity(all[2]);
      renderScores(all[3]);
      renderTop(all[4]);
      renderContactNext('email', all[5]);
      renderContactNext('phone', all[6]);
      renderContactNext('sms', all[7]);
    });
  }

  function renderSummary(s) {
    $('kpi-debtors').textContent = num(s.debtors.total);
    var ul = $('kpi-status'); clear(ul);
    STATUSES.forEach(function (st) { ul.appendChild(el('li', label(st) + ' ' + num(s.debtors.byStatus[st] || 0))); });
    $('kpi-collected').textContent = money(s.payments.amount);
    $('kpi-payments').textContent = num(s.payments.count) + ' payments';
    $('kpi-rate').textContent = pct(s.collectionRate);
    $('kpi-portfolio').textContent = money(s.portfolio.amountPaid) + ' of ' + money(s.portfolio.totalOwed);
    $('kpi-open-rate').textContent = pct(s.humanEngagement.openRate);
    $('kpi-opens').textContent = num(s.opens.human) + ' human / ' + num(s.opens.machine) + ' machine opens';
    $('kpi-click-rate').textContent = pct(s.humanEngagement.clickRate);
    $('kpi-clicks').textContent = num(s.clicks.human) + ' human / ' + num(s.clicks.machine + s.clicks.scanner) + ' machine clicks';
  }

  function hbars(container, rows, cls) {
    var W = 480, rowH = 30, labelW = 120, H = rows.length * rowH + 6;
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; }).concat([1]));
    var s = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', width: W, height: H});
    rows.forEach(function (r, i) {
      var y = i * rowH + 3, w = Math.max(1, (W - labelW - 90) * r.value / max);
      s.appendChild(svg('text', {x: 0, y: y + 18}, r.label));
      s.appendChild(svg('rect', {x: labelW, y: y + 4, width: w, height: rowH - 10, rx: 3, 'class': r.cls || cls}));
      s.appendChild(svg('text', {x: labelW + w + 6, y: y + 18}, r.text));
    });
    clear(container);
    container.appendChild(s);
  }

  function renderFunnel(f) {
    var names = {contacted: 'Contacted', delivered: 'Delivered', opened: 'Opened', clicked: 'Clicked',
                 visited: 'Payment page', paid: 'Paid'};
    var rows = f.stages.map(function (st) {
      return {label: names[st.stage] || st.stage, value: st.debtors,
              text: num(st.debtors) + (st.stage === 'contacted' ? '' : ' (' + pct(st.rateFromFirst) + ')')};
    });
    rows.push({label: 'Machine opens', value: f.machineOpenedDebtors, text: num(f.machineOpenedDebtors), cls: 'bar-machine'});
    // Beside the funnel: debtors whose message bounced or who complained, as shares of the contacted ones.
    rows.push({label: 'Bounced', value: f.bouncedDebtors,
               text: num(f.bouncedDebtors) + ' (' + pct(f.bounceRate) + ')', cls: 'bar-bad'});
    rows.push({label: 'Complaints', value: f.complainedDebtors,
               text: num(f.complainedDebtors) + ' (' + pct(f.complaintRate) + ')', cls: 'bar-bad'});
    hbars($('funnel'), rows, 'bar-human');
  }

  function sum(series, kind, labels) {
    var out = null;
    series.forEach(function (s) {
      if (s.kind !== kind || (labels && labels.indexOf(s.label) < 0)) return;
      out = out ? out.map(function (v, i) { return v + s.values[i]; }) : s.values.slice();
    });
    return out || [];
  }

  function renderActivity(a) {
    lastActivity = a;
    $('activity-bucket').textContent = '(per ' + a.bucket + ')';
    var xs = a.buckets.map(function (b) { return Date.parse(b) / 1000; });
    var data = [xs, sum(a.series, 'contact'), sum(a.series, 'open', ['human']), sum(a.series, 'open', ['machine', 'scanner']),
                sum(a.series, 'click', ['human']), sum(a.series, 'page_view'), sum(a.series, 'payment')];
    var box = $('activity');
    var width = Math.max(280, box.clientWidth || 480);
    if (plot && plot.width !== width) { plot.destroy(); plot = null; clear(box); }
    if (plot) { plot.setData(data); return; }
    if (typeof uPlot === 'undefined') return;
    plot = new uPlot({
      width: width, height: 240,
      // Buckets are UTC days or hours: label them in UTC, not in the browser's zone (west of UTC the 1 Nov
      // bucket would read 31 Oct).
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      series: [{}, {label: 'Contacts', stroke: '#64748b'}, {label: 'Human opens', stroke: '#2563eb', width: 2},
               {label: 'Machine opens', stroke: '#f59e0b'}, {label: 'Human clicks', stroke: '#16a34a', width: 2},
               {label: 'Page views', stroke: '#7c3aed'}, {label: 'Payments', stroke: '#dc2626', width: 2}],
      axes: [{}, {size: 50}]
    }, data, box);
  }

  function renderScores(s) {
    var W = 480, H = 200, pad = 22, n = s.histogram.length, bw = (W - 10) / n;
    var max = Math.max.apply(null, s.histogram.map(function (b) { return b.debtors; }).concat([1]));
    var g = svg('svg', {viewBox: '0 0 ' + W + ' ' + (H + pad * 2), role: 'img', width: W, height: H + pad * 2});
    s.histogram.forEach(function (b, i) {
      var h = Math.max(1, H * b.debtors / max), x = 5 + i * bw;
      g.appendChild(svg('rect', {x: x + 2, y: pad + H - h, width: bw - 4, height: h, rx: 2, 'class': 'bar-score'}));
      g.appendChild(svg('text', {x: x + 4, y: pad + H - h - 4}, num(b.debtors)));
      g.appendChild(svg('text', {x: x + 4, y: pad * 2 + H - 4}, b.from + '–' + b.to));
    });
    clear($('scores'));
    $('scores').appendChild(g);
    var ul = $('score-averages'); clear(ul);
    STATUSES.forEach(function (st) {
      var a = s.averageByStatus[st];
      if (a && a.debtors > 0) ul.appendChild(el('li', label(st) + ': avg ' + a.averageScore));
    });
  }

  function renderTop(t) {
    var body = $('top-debtors').tBodies[0]; clear(body);
    t.items.forEach(function (d) {
      var tr = el('tr'), td = el('td'), a = el('a', d.firstName + ' ' + d.lastName);
      a.href = '#/debtors/' + d.id;
      td.appendChild(a); tr.appendChild(td);
      tr.appendChild(el('td', label(d.status)));
      tr.appendChild(el('td', d.score, 'num'));
      tr.appendChild(el('td', money(d.balance), 'num'));
      body.appendChild(tr);
    });
    if (!t.items.length) {
      var tr = el('tr'), td = el('td', 'No unresolved debtors', 'na'); td.colSpan = 4; tr.appendChild(td); body.appendChild(tr);
    }
  }

  // The worklist's first page per channel: who the gate allows now, by expected collection, with the debtor's
  // local time and best hour today (docs/worklist.md).
  function hhmm(iso) { return iso ? iso.substring(11, 16) : '–'; }
  function pad(h) { return (h < 10 ? '0' : '') + h; }
  function renderContactNext(channel, w) {
    var body = $('contact-next-' + channel).tBodies[0]; clear(body);
    w.items.forEach(function (d) {
      var tr = el('tr'), td = el('td'), a = el('a', d.firstName + ' ' + d.lastName);
      a.href = '#/debtors/' + d.debtorId;
      td.appendChild(a); tr.appendChild(td);
      var local = el('td', hhmm(d.localTime), 'local-time');
      local.title = d.timeZone;
      tr.appendChild(local);
      var b = d.bestHour;
      var best = el('td', b ? pad(b.localHour) + ':00–' + pad((b.localHour + 1) % 24) + ':00' : 'none left today', b ? 'best-hour' : 'best-hour na');
      if (b) best.title = pct(b.expectedResponseRate) + ' expected response (' + b.debtorEventsAtHour + ' own events at that hour)';
      tr.appendChild(best);
      tr.appendChild(el('td', money(d.expectedCollection), 'num'));
      body.appendChild(tr);
    });
    if (!w.items.length) {
      var tr = el('tr'), td = el('td', 'Nobody may be contacted by ' + channel + ' now', 'na'); td.colSpan = 4; tr.appendChild(td); body.appendChild(tr);
    }
  }

  // ---- debtor page ----
  function loadDebtor(id) {
    var base = '/api/debtors/' + encodeURIComponent(id);
    return Promise.all([
      api(base),
      api(base + '/timeline?limit=50'),
      api(base + '/score').catch(function (e) { if (e instanceof ApiError && e.status !== 401) return null; throw e; })
    ]).then(function (all) {
      var d = all[0];
      $('debtor-name').textContent = d.firstName + ' ' + d.lastName;
      var dl = $('debtor-facts'); clear(dl);
      [['Status', label(d.status)], ['Balance', money(d.balance)], ['Owed', money(d.totalOwed)],
       ['Paid', money(d.amountPaid)], ['Score', d.paymentPropensityScore], ['Contacts', d.totalContacts],
       ['Last contact', d.lastContactDate || '–'], ['Last response', d.lastResponseDate || '–'],
       ['State', d.state || '–']].forEach(function (f) { dl.appendChild(el('dt', f[0])); dl.appendChild(el('dd', f[1])); });
      renderScoreExplanation(all[2]);
      var ol = $('debtor-timeline'); clear(ol);
      all[1].items.forEach(function (e) {
        var li = el('li'); li.appendChild(el('time', new Date(e.at).toLocaleString()));
        var details = Object.keys(e).filter(function (k) { return ['at', 'kind', 'id'].indexOf(k) < 0; })
          .map(function (k) { return k + ': ' + (typeof e[k] === 'object' ? JSON.stringify(e[k]) : e[k]); });
        li.appendChild(el('b', label(e.kind)));
        if (details.length) li.appendChild(el('span', ' — ' + details.join(', ')));
        ol.appendChild(li);
      });
      if (!all[1].items.length) ol.appendChild(el('li', 'Nothing recorded yet', 'na'));
    });
  }

  function renderScoreExplanation(s) {
    var box = $('debtor-score'); clear(box);
    if (!s) { box.appendChild(el('p', 'Score explanation not available.', 'na')); return; }
    box.appendChild(el('p', 'Score ' + s.score + (s.modelVersion ? ' (model ' + s.modelVersion + ')' : '') +
      (s.scoredAt ? ', scored ' + new Date(s.scoredAt).toLocaleString() : '')));
    var t = el('table'), head = el('tr');
    ['Factor', 'Value', 'Contribution'].forEach(function (h) { head.appendChild(el('th', h)); });
    t.appendChild(head);
    (s.factors || []).forEach(function (f) {
      var tr = el('tr');
      tr.appendChild(el('td', label(f.name))); tr.appendChild(el('td', f.value)); tr.appendChild(el('td', f.contribution, 'num'));
      t.appendChild(tr);
    });
    box.appendChild(t);
  }

  // ---- routing, polling, sign-in ----
  function route() {
    var m = /^#\/debtors\/([0-9a-fA-F-]{36})$/.exec(location.hash);
    $('overview').hidden = !!m;
    $('debtor').hidden = !m;
    return m ? function () { return loadDebtor(m[1]); } : loadOverview;
  }

  function refresh() {
    clearTimeout(timer);
    if (!sessionStorage.getItem(KEY)) return showLogin('');
    var load = route();
    load().then(function () {
      failures = 0;
      $('error').textContent = '';
      $('status-dot').className = 'dot ok';
      var now = new Date();
      $('last-updated').textContent = now.toLocaleTimeString();
      $('last-updated').setAttribute('datetime', now.toISOString());
      schedule();
    }, function (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        sessionStorage.removeItem(KEY);
        return showLogin(e.status === 403 ? 'This key may not read the dashboard.' : 'The key was not accepted.');
      }
      failures++;
      $('status-dot').className = 'dot bad';
      $('error').textContent = 'Update failed (' + (e.message || e) + '); retrying.';
      schedule();
    });
  }

  function schedule() {
    var wait = document.hidden ? HIDDEN_MS : POLL_MS;
    if (failures > 0) wait = Math.min(MAX_BACKOFF_MS, POLL_MS * Math.pow(2, failures));
    timer = setTimeout(refresh, wait);
  }

  function showLogin(message) {
    clearTimeout(timer);
    $('login').hidden = false;
    $('controls').hidden = true;
    $('overview').hidden = true;
    $('debtor').hidden = true;
    $('login-error').textContent = message;
    $('login-key').focus();
  }

  function showApp() {
    $('login').hidden = true;
    $('controls').hidden = false;
    refresh();
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var key = $('login-key').value.trim();
      if (!key) return;
      sessionStorage.setItem(KEY, key);
      $('login-key').value = '';
      cache = {};
      showApp();
    });
    $('sign-out').addEventListener('click', function () {
      sessionStorage.removeItem(KEY);
      cache = {};
      showLogin('');
    });
    $('range').addEventListener('change', function () {
      $('custom-range').hidden = $('range').value !== 'custom';
      if ($('range').value !== 'custom') refresh();
    });
    $('range-apply').addEventListener('click', refresh);
    window.addEventListener('hashchange', refresh);
    window.addEventListener('resize', function () { if (lastActivity && plot) { plot.destroy(); plot = null; clear($('activity')); renderActivity(lastActivity); } });
    document.addEventListener('visibilitychange', function () { if (!document.hidden && failures === 0) refresh(); });
    if (sessionStorage.getItem(KEY)) showApp(); else showLogin('');
  });
})();
