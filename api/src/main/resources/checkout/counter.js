// Coffer shop counter: pair once, then charge: the request's QR code full screen, green once paid, the day's charges below.
(function () {
  'use strict';
  var main = document.getElementById('counter');
  if (!main) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var msg = function (key) { return main.getAttribute('data-msg-' + key) || ''; };
  var source = null;

  function post(path, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.setRequestHeader('X-Coffer-Counter', '1');
    xhr.onload = function () {
      var data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = {}; }
      done(xhr.status, data);
    };
    xhr.onerror = function () { done(0, {}); };
    xhr.send(JSON.stringify(body));
  }

  if (main.getAttribute('data-paired') !== 'true') {
    $('pair').addEventListener('click', function () {
      post('/counter/pair', { code: $('code').value }, function (status) {
        if (status === 200) { window.location.reload(); } else { $('error').textContent = msg('pairrefused'); }
      });
    });
    return;
  }

  function key() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var a = new Uint8Array(16);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function midnight() {
    var d = new Date();
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  }

  function today() {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', '/counter/charges?since=' + midnight());
    xhr.onload = function () {
      if (xhr.status !== 200) { return; }
      var list = $('today');
      var charges = JSON.parse(xhr.responseText).charges;
      list.textContent = '';
      if (charges.length === 0) {
        var none = document.createElement('li');
        none.className = 'none';
        none.textContent = msg('none');
        list.appendChild(none);
      }
      charges.forEach(function (c) {
        var li = document.createElement('li');
        li.setAttribute('data-status', c.status);
        var t = new Date(c.createdAt);
        li.textContent = t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) + '  ' + c.amount + ' ' + c.symbol + '  ' + c.status;
        list.appendChild(li);
      });
    };
    xhr.send();
  }

  function follow(token) {
    if (source) { source.close(); }
    source = new EventSource('/pay/' + encodeURIComponent(token) + '/events');
    source.onmessage = function (e) {
      var s = JSON.parse(e.data);
      var show = $('show');
      show.setAttribute('data-status', s.status);
      var text = {
        PENDING: msg('waiting'), PAID_UNCONFIRMED: msg('seen'), CONFIRMED: msg('paidbig'),
        UNDERPAID: msg('underpaid').replace('{due}', s.due).replace('{symbol}', s.symbol),
        EXPIRED: msg('expired'), CANCELLED: msg('cancelled')
      }[s.status] || s.status;
      $('show-state').textContent = text;
      if (s.remainder) { $('show-qr').setAttribute('src', '/pay/' + encodeURIComponent(token) + '/qr.svg?for=due'); }
      if (s.status !== 'PENDING') { today(); }
      if (s.status === 'CONFIRMED' || s.status === 'EXPIRED' || s.status === 'CANCELLED') { source.close(); }
    };
  }

  var pending = null; // the key of a charge not yet answered: a retry of the same tap makes no second request
  $('charge').addEventListener('click', function () {
    var amount = $('amount').value.trim().replace(',', '.');
    var asset = $('asset').value;
    if (!pending || pending.amount !== amount || pending.asset !== asset) { pending = { amount: amount, asset: asset, key: key() }; }
    $('error').textContent = '';
    post('/counter/charges', pending, function (status, c) {
      if (status !== 200) {
        $('error').textContent = c.message || c.error || 'error';
        if (status !== 0) { pending = null; }
        return;
      }
      pending = null;
      $('show-amount').textContent = c.amount;
      $('show-symbol').textContent = c.symbol;
      $('show-qr').setAttribute('src', '/pay/' + encodeURIComponent(c.token) + '/qr.svg');
      $('show-state').textContent = msg('waiting');
      $('show').setAttribute('data-status', c.status);
      $('show').hidden = false;
      $('sale').hidden = true;
      follow(c.token);
      today();
    });
  });

  $('new-sale').addEventListener('click', function () {
    if (source) { source.close(); }
    $('show').hidden = true;
    $('sale').hidden = false;
    $('amount').value = '';
    $('amount').focus();
  });

  $('unpair').addEventListener('click', function () {
    post('/counter/unpair', {}, function () { window.location.reload(); });
  });

  today();
  setInterval(today, 30000);
}());
