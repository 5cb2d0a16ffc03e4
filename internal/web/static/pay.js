// hushpay payment page: progressive enhancement of the plain form. It shows the card brand as the
// caller types, checks the check digit and the expiry before submit, and tells the server each
// field's STATE (never its value) so the agent sees progress. Values leave only with the submit.
(function () {
  'use strict';
  var form = document.getElementById('pay-form');
  if (!form) { return; }
  var progressURL = location.pathname.replace(/\/$/, '') + '/progress';

  function digits(s) { return s.replace(/\D/g, ''); }

  function brandOf(d) {
    if (/^4/.test(d)) { return 'visa'; }
    if (/^3[47]/.test(d)) { return 'amex'; }
    if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(d)) { return 'mastercard'; }
    if (/^(6011|65|64[4-9])/.test(d)) { return 'discover'; }
    if (/^(36|30[0-5]|3[89])/.test(d)) { return 'diners'; }
    if (/^35(2[89]|[3-8])/.test(d)) { return 'jcb'; }
    return '';
  }
  var names = { visa: 'Visa', amex: 'American Express', mastercard: 'Mastercard', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB' };
  function lengthsOf(brand) {
    return { visa: [13, 16, 19], amex: [15], mastercard: [16], discover: [16, 17, 18, 19], diners: [14, 15, 16, 17, 18, 19], jcb: [16, 17, 18, 19] }[brand] ||
      [12, 13, 14, 15, 16, 17, 18, 19];
  }
  function luhn(d) {
    var sum = 0;
    for (var i = 0; i < d.length; i++) {
      var n = d.charCodeAt(d.length - 1 - i) - 48;
      if (i % 2 === 1) { n *= 2; if (n > 9) { n -= 9; } }
      sum += n;
    }
    return d.length > 0 && sum % 10 === 0;
  }
  function expiryState(v) {
    var d = digits(v);
    if (d.length === 0) { return ['empty', 0, '']; }
    if (d.length < 4) { return ['partial', d.length, '']; }
    if (d.length > 4) { return ['invalid', d.length, 'Please enter the expiry date as MM/YY.']; }
    var mm = parseInt(d.slice(0, 2), 10), yy = parseInt(d.slice(2), 10);
    if (mm < 1 || mm > 12) { return ['invalid', 4, 'Please enter the expiry date as MM/YY.']; }
    var now = new Date(), y = now.getFullYear() % 100, m = now.getMonth() + 1;
    if (yy < y || (yy === y && mm < m)) { return ['invalid', 4, 'This card has expired.']; }
    return ['complete', 4, ''];
  }
  function cardState(v) {
    var d = digits(v), brand = brandOf(d), lens = lengthsOf(brand), max = lens[lens.length - 1];
    if (d.length === 0) { return ['empty', 0, '', brand]; }
    if (lens.indexOf(d.length) >= 0 && luhn(d)) { return ['complete', d.length, '', brand]; }
    if (d.length >= max) { return ['invalid', d.length, 'This number is not valid. Please check it and try again.', brand]; }
    return ['partial', d.length, '', brand];
  }
  function securityState(v) {
    var d = digits(v), card = form.elements.card_number, want = card && brandOf(digits(card.value)) === 'amex' ? 4 : 3;
    if (d.length === 0) { return ['empty', 0, '']; }
    if (d.length === want) { return ['complete', d.length, '']; }
    return [d.length > want ? 'invalid' : 'partial', d.length, d.length > want ? 'This has the wrong number of digits.' : ''];
  }
  function routingState(v) {
    var d = digits(v);
    if (d.length === 0) { return ['empty', 0, '']; }
    if (d.length < 9) { return ['partial', d.length, '']; }
    var w = [3, 7, 1], sum = 0;
    for (var i = 0; i < 9; i++) { sum += (d.charCodeAt(i) - 48) * w[i % 3]; }
    return d.length === 9 && sum % 10 === 0 ? ['complete', 9, ''] : ['invalid', d.length, 'This number is not valid. Please check it and try again.'];
  }
  function plainState(v) {
    var n = v.trim().length;
    return [n === 0 ? 'empty' : 'complete', n, ''];
  }
  var checks = { card_number: cardState, expiry: expiryState, security_code: securityState, routing_number: routingState };
  function stateOf(el) { return (checks[el.name] || plainState)(el.value); }

  var timers = {}, sent = {};
  function report(el) {
    var s = stateOf(el), body = { field: el.name, state: s[0], length: s[1], brand: el.name === 'card_number' ? s[3] : '' };
    var key = JSON.stringify(body);
    if (sent[el.name] === key) { return; }
    clearTimeout(timers[el.name]);
    timers[el.name] = setTimeout(function () {
      sent[el.name] = key;
      fetch(progressURL, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: key,
        credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store', keepalive: true }).catch(function () {});
    }, 150);
  }
  function showError(el, msg) {
    var p = document.getElementById(el.name + '-error'), box = el.closest('.field');
    if (p) { p.textContent = msg; }
    if (box) { box.classList.toggle('invalid', !!msg); }
    if (msg) { el.setAttribute('aria-invalid', 'true'); el.setAttribute('aria-describedby', el.name + '-error'); } else { el.removeAttribute('aria-invalid'); }
  }
  function showBrand(el) {
    var out = document.getElementById('card_number-brand');
    if (out) { var b = brandOf(digits(el.value)); out.textContent = b ? names[b] : ''; }
  }

  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name) { return; }
    el.addEventListener('input', function () {
      if (el.name === 'card_number') { showBrand(el); }
      var s = stateOf(el);
      if (s[0] !== 'invalid') { showError(el, ''); }
      report(el);
    });
    el.addEventListener('change', function () { report(el); });
    el.addEventListener('blur', function () {
      var s = stateOf(el);
      showError(el, s[0] === 'invalid' ? s[2] : '');
    });
  });

  form.addEventListener('submit', function (ev) {
    var first = null;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !checks[el.name]) { return; }
      var s = stateOf(el), msg = s[0] === 'complete' ? '' : (s[2] || (s[0] === 'empty' ? 'Please fill this in.' : 'This is not complete yet.'));
      showError(el, msg);
      if (msg && !first) { first = el; }
    });
    if (first) { ev.preventDefault(); first.focus(); return; }
    form.querySelector('button[type=submit]').disabled = true;
  });
}());
