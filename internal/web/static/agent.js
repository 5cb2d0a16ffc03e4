// hushpay agent desktop: starts payments, follows their masked progress over Server-Sent Events,
// and sends the secure link. It talks only to /agent/api with the session cookie and the page's
// CSRF token; it never receives more than the last four digits of anything.
(function () {
  'use strict';
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  var $ = function (id) { return document.getElementById(id); };
  var current = null, stream = null;

  function call(method, path, body, background) {
    var headers = { 'X-CSRF-Token': csrf };
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
    if (background) { headers['X-Hushpay-Background'] = '1'; }
    return fetch('/agent/api' + path, { method: method, headers: headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body) }).then(function (r) {
      if (r.status === 401) { $('session-banner').hidden = false; }
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error((data.error && data.error.message) || ('request failed: ' + r.status)); }
        return data;
      });
    });
  }

  // Live calls, refreshed every 5 s without keeping an idle session alive.
  function refreshCalls() {
    call('GET', '/calls', undefined, true).then(function (res) {
      var ul = $('calls'), sel = $('call'), keep = sel.value;
      ul.textContent = '';
      while (sel.options.length > 1) { sel.remove(1); }
      if (res.data.length === 0) {
        var li = document.createElement('li'); li.className = 'empty'; li.textContent = 'No live calls'; ul.appendChild(li);
      }
      res.data.forEach(function (c) {
        var li = document.createElement('li'), secs = Math.max(0, Math.round((Date.now() - Date.parse(c.started_at)) / 1000));
        li.textContent = (c.caller || 'unknown caller') + ' · ' + Math.floor(secs / 60) + ':' + String(secs % 60).padStart(2, '0') +
          (c.secure ? ' · secure' : '') + (c.payment_id ? ' · payment in progress' : '');
        ul.appendChild(li);
        var o = document.createElement('option'); o.value = c.id; o.textContent = c.caller || c.id; sel.appendChild(o);
      });
      sel.value = keep;
    }).catch(function () {});
  }
  refreshCalls();
  setInterval(refreshCalls, 5000);

  // Method switch shows the card or the bank fields.
  Array.prototype.forEach.call(document.querySelectorAll('input[name=method]'), function (r) {
    r.addEventListener('change', function () {
      var ach = document.querySelector('input[name=method]:checked').value === 'ach';
      $('fields-card').hidden = ach; $('fields-ach').hidden = !ach;
    });
  });

  $('start-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = ev.target, method = f.querySelector('input[name=method]:checked').value;
    var boxes = f.querySelectorAll(method === 'ach' ? 'input[name=capture-ach]:checked' : 'input[name=capture]:checked');
    var capture = Array.prototype.map.call(boxes, function (b) { return b.value; });
    $('start-error').textContent = '';
    call('POST', '/payments', { amount: f.amount.value.trim(), currency: f.currency.value.trim(), reference: f.reference.value.trim(),
      method: method, capture: capture, call_id: f.call_id.value }).then(function (p) {
      show(p); follow(p.id);
      $('start').hidden = true; $('payment').hidden = false; $('link-email').focus();
    }).catch(function (e) { $('start-error').textContent = e.message; });
  });

  function follow(id) {
    if (stream) { stream.close(); }
    stream = new EventSource('/agent/api/payments/' + encodeURIComponent(id) + '/events');
    stream.addEventListener('payment', function (ev) {
      var p = JSON.parse(ev.data);
      show(p);
      if (p.final) { stream.close(); stream = null; }
    });
  }

  function button(label, action, field, disabled) {
    var b = document.createElement('button');
    b.type = 'button'; b.textContent = label; b.dataset.action = action; b.dataset.field = field; b.disabled = disabled;
    b.setAttribute('aria-label', label + ': ' + field.replace('_', ' '));
    return b;
  }

  // isOlder reports whether p is an older view of the payment on screen: the answer to an action
  // can arrive after the event stream has shown later changes.
  function isOlder(p) {
    return current && current.id === p.id && (p.version < current.version ||
      (p.version === current.version && p.hinted < current.hinted));
  }

  function show(p) {
    if (isOlder(p)) { return; }
    current = p;
    $('pay-amount').textContent = p.amount;
    $('pay-ref').textContent = p.reference;
    var st = $('pay-state'); st.textContent = p.state; st.className = 'state ' + p.state;
    var rows = $('field-rows'); rows.textContent = '';
    p.fields.forEach(function (f) {
      var tr = document.createElement('tr'); tr.dataset.field = f.name; tr.className = 'f-' + f.state;
      if (p.current_field === f.name) { tr.classList.add('current'); }
      var th = document.createElement('th'); th.scope = 'row'; th.textContent = f.label; tr.appendChild(th);
      var td = document.createElement('td'); td.className = 'progress'; td.textContent = f.words; tr.appendChild(td);
      var acts = document.createElement('td');
      acts.appendChild(button('Reset', 'reset', f.name, p.final));
      acts.appendChild(button('Capture here', 'capture', f.name, p.final || p.current_field === f.name));
      tr.appendChild(acts);
      rows.appendChild(tr);
    });
    $('submit').disabled = p.final || p.state !== 'ready';
    $('cancel').disabled = p.final;
    ['send-email', 'send-sms', 'link-chat'].forEach(function (id) { $(id).disabled = p.final; });
    $('result').textContent = p.final ? p.outcome : '';
    $('result').className = 'result ' + p.state;
    $('new-payment').hidden = !p.final;
  }

  $('field-rows').addEventListener('click', function (ev) {
    var b = ev.target.closest('button');
    if (!b || !current) { return; }
    var path = '/payments/' + encodeURIComponent(current.id);
    var req = b.dataset.action === 'reset' ? call('POST', path + '/fields/' + encodeURIComponent(b.dataset.field) + '/reset', {})
      : call('POST', path + '/capture', { field: b.dataset.field });
    req.then(show).catch(function (e) { $('link-status').textContent = e.message; });
  });

  function act(name) {
    return function () {
      if (!current) { return; }
      call('POST', '/payments/' + encodeURIComponent(current.id) + '/' + name, {}).then(show)
        .catch(function (e) { $('link-status').textContent = e.message; });
    };
  }
  $('submit').addEventListener('click', act('submit'));
  $('cancel').addEventListener('click', act('cancel'));

  function sendLink(channel, to) {
    $('link-status').textContent = 'Sending…';
    return call('POST', '/payments/' + encodeURIComponent(current.id) + '/link', { channel: channel, to: to }).then(function (res) {
      var until = new Date(res.expires_at).toLocaleTimeString();
      $('link-status').textContent = channel === 'chat' ? 'Link ready: paste it into the chat (valid until ' + until + ').'
        : 'Link sent by ' + (channel === 'sms' ? 'SMS' : 'email') + ' (valid until ' + until + ').';
      return res;
    }).catch(function (e) { $('link-status').textContent = e.message; });
  }
  $('send-email').addEventListener('click', function () { sendLink('email', $('link-email').value.trim()); });
  $('send-sms').addEventListener('click', function () { sendLink('sms', $('link-phone').value.trim()); });
  $('link-chat').addEventListener('click', function () {
    sendLink('chat', '').then(function (res) {
      if (!res) { return; }
      $('chat-url').value = res.url; $('chat-url').hidden = false; $('copy-url').hidden = false; $('chat-url').select();
    });
  });
  $('copy-url').addEventListener('click', function () {
    var url = $('chat-url').value;
    (navigator.clipboard ? navigator.clipboard.writeText(url) : Promise.reject(new Error('no clipboard')))
      .then(function () { $('link-status').textContent = 'Link copied.'; })
      .catch(function () { $('chat-url').select(); $('link-status').textContent = 'Press Ctrl+C to copy the selected link.'; });
  });
  $('new-payment').addEventListener('click', function () {
    if (stream) { stream.close(); stream = null; }
    current = null; $('payment').hidden = true; $('start').hidden = false;
    $('chat-url').hidden = true; $('copy-url').hidden = true; $('link-status').textContent = '';
    $('link-email').value = ''; $('link-phone').value = ''; $('chat-url').value = '';
    $('start-form').reset(); $('amount').focus();
  });
}());
