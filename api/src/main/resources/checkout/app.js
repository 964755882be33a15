// Coffer checkout page: keeps the page live. The server renders the whole page; this script only updates it from the
// status the node pushes (Server-Sent Events), falling back to polling, and runs the countdown and the copy button.
(function () {
  'use strict';
  var main = document.getElementById('checkout');
  if (!main) { return; }
  var token = main.getAttribute('data-token');
  var base = '/pay/' + encodeURIComponent(token);
  var msg = function (key) { return main.getAttribute('data-msg-' + key) || ''; };
  var $ = function (id) { return document.getElementById(id); };
  var expires = parseInt(main.getAttribute('data-expires'), 10);
  var closed = false;
  var redirectTimer = null;
  var lastUri = null;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, k) { return values[k] !== undefined ? String(values[k]) : all; });
  }

  function show(s) {
    main.setAttribute('data-status', s.status);
    var text;
    switch (s.status) {
      case 'PENDING': text = msg('waiting'); break;
      case 'PAID_UNCONFIRMED': text = fill(msg('seen'), { n: s.confirmations, N: s.required }); break;
      case 'UNDERPAID': text = fill(msg('underpaid'), { due: s.due, symbol: s.symbol }); break;
      case 'CONFIRMED': text = msg('confirmed'); break;
      case 'EXPIRED': text = msg('expired'); break;
      case 'CANCELLED': text = msg('cancelled'); break;
      default: text = s.status;
    }
    if (s.late) { text += ' ' + msg('late'); }
    $('state').textContent = text;
    $('due').textContent = s.remainder ? s.due : s.amount;
    var open = s.status === 'PENDING' || s.status === 'UNDERPAID';
    $('pay').hidden = !open;
    if (s.uri !== lastUri) {
      lastUri = s.uri;
      $('open').setAttribute('href', s.uri);
      $('qr').setAttribute('src', base + '/qr.svg' + (s.remainder ? '?for=due' : ''));
    }
    if (s.status === 'CONFIRMED' && s.redirect) {
      var back = $('back');
      back.setAttribute('href', s.redirect);
      back.hidden = false;
      if (!redirectTimer) {
        $('state').textContent = msg('confirmed') + ' ' + msg('redirecting');
        redirectTimer = setTimeout(function () { window.location.assign(s.redirect); }, 3000);
      }
    }
    if (s.final) { closed = true; }
  }

  // How the page learns of changes now, on the page as data-live (support and tests read it): 'stream' or 'poll'.
  function mode(m) { main.setAttribute('data-live', m); }

  // Polling, the fallback; now and then it tries the live stream again (a phone back from a tunnel, a proxy fixed).
  function poll(rounds) {
    if (closed) { return; }
    if (rounds >= 10 && window.EventSource) { live(); return; }
    mode('poll');
    var xhr = new XMLHttpRequest();
    xhr.open('GET', base + '/status');
    xhr.onload = function () {
      if (xhr.status === 200) { show(JSON.parse(xhr.responseText)); }
      setTimeout(function () { poll(rounds + 1); }, 3000);
    };
    xhr.onerror = function () { setTimeout(function () { poll(rounds + 1); }, 5000); };
    xhr.send();
  }

  // The live stream: each message is the whole state, so a reconnect (the browser's own, after the node ends a stream or the
  // network drops it) resumes with nothing missed.
  function live() {
    if (!window.EventSource) { poll(-Infinity); return; }
    var source = new EventSource(base + '/events');
    var failures = 0;
    source.onmessage = function (e) {
      failures = 0;
      mode('stream');
      main.classList.remove('offline');
      show(JSON.parse(e.data));
      if (closed) { source.close(); }
    };
    source.onerror = function () {
      if (closed) { source.close(); return; }
      main.classList.add('offline');
      failures += 1;
      // The browser reconnects by itself; after repeated failures (a proxy that cuts streams) poll instead.
      if (source.readyState === EventSource.CLOSED || failures >= 3) {
        source.close();
        poll(0);
      }
    };
  }

  function tick() {
    var el = $('countdown');
    if (!el || isNaN(expires)) { return; }
    var left = Math.max(0, Math.floor((expires - Date.now()) / 1000));
    var h = Math.floor(left / 3600);
    var m = Math.floor((left % 3600) / 60);
    var s = left % 60;
    el.textContent = (h > 0 ? h + ':' + (m < 10 ? '0' : '') : '') + m + ':' + (s < 10 ? '0' : '') + s;
    if (left > 0) { setTimeout(tick, 1000); }
  }

  $('copy').addEventListener('click', function () {
    var text = $('address').textContent;
    var done = function () {
      $('copy').textContent = msg('copied');
      setTimeout(function () { $('copy').textContent = msg('copy'); }, 2000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { select(); });
    } else {
      select();
    }
    function select() {
      var range = document.createRange();
      range.selectNodeContents($('address'));
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  });

  tick();
  live();
}());
