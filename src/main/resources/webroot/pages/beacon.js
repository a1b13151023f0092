// Beacon page script: reports visible time on page and button actions to POST /t/b with navigator.sendBeacon.
// The page works without it; the view itself is recorded by the server. No inline script: the CSP forbids it,
// so the token, the page view id and the page type come from data- attributes on <body>.
(function () {
  'use strict';
  var body = document.body;
  var token = body.getAttribute('data-token');
  var pageViewId = body.getAttribute('data-page-view-id');
  var pageType = body.getAttribute('data-page-type');
  if (!token || !pageViewId || !pageType || !navigator.sendBeacon) {
    return;
  }

  var visibleMs = 0;
  var visibleSince = document.visibilityState === 'visible' ? performance.now() : null;
  var pending = [];
  var sentSeconds = -1;

  function pause() {
    if (visibleSince !== null) {
      visibleMs += performance.now() - visibleSince;
      visibleSince = null;
    }
  }

  function record(action, target) {
    pending.push({ action: action, target: target, at: new Date().toISOString() });
  }

  // timeOnPage is the total visible time so far (not an increment); actions are those not sent yet.
  function send() {
    var seconds = Math.floor(visibleMs / 1000);
    if (seconds === sentSeconds && pending.length === 0) {
      return;
    }
    var payload = { token: token, pageViewId: pageViewId, pageType: pageType, timeOnPage: seconds };
    if (pending.length > 0) {
      payload.actions = pending;
    }
    // A string body goes as text/plain, which needs no CORS preflight.
    if (navigator.sendBeacon('/t/b', JSON.stringify(payload))) {
      pending = [];
      sentSeconds = seconds;
    }
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') {
      pause();
      send();
    } else if (visibleSince === null) {
      visibleSince = performance.now();
    }
  });

  window.addEventListener('pagehide', function () {
    pause();
    send();
  });

  window.addEventListener('pageshow', function (e) {
    if (e.persisted && document.visibilityState === 'visible' && visibleSince === null) {
      visibleSince = performance.now();
    }
  });

  document.addEventListener('click', function (e) {
    var el = e.target && e.target.closest ? e.target.closest('[data-action]') : null;
    if (el) {
      record('click', el.getAttribute('data-action'));
    }
  }, true);

  var info = document.getElementById('info');
  if (info) {
    info.addEventListener('toggle', function () {
      record(info.open ? 'open' : 'close', 'info');
    });
  }
})();
