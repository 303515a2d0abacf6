// The few lines of Dials' own JavaScript. Every page works without them.
(function () {
  'use strict';

  function announce(text) {
    var region = document.getElementById('live-status');
    if (!region || !text) return;
    region.textContent = '';
    // A fresh text node after a tick makes screen readers announce a repeated "Saved" too.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function fillBrowserTimeZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch { zone = ''; }
    document.querySelectorAll('input[data-browser-timezone]').forEach(function (input) {
      if (!input.value && zone) input.value = zone;
    });
  }

  // Copy and print need JavaScript, so their buttons stay hidden without it.
  function enableCopyAndPrint() {
    document.querySelectorAll('[data-copy-target]').forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener('click', function () {
        var target = document.getElementById(button.getAttribute('data-copy-target'));
        if (!target) return;
        var text = Array.prototype.map.call(target.querySelectorAll('code'), function (code) { return code.textContent; }).join('\n');
        navigator.clipboard.writeText(text).then(function () { announce(button.getAttribute('data-copied')); });
      });
    });
    document.querySelectorAll('[data-print]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () { window.print(); });
    });
  }

  document.addEventListener('DOMContentLoaded', fillBrowserTimeZone);
  document.addEventListener('DOMContentLoaded', enableCopyAndPrint);

  document.addEventListener('htmx:beforeRequest', function (event) {
    var status = event.target.querySelector && event.target.querySelector('[data-save-status]');
    if (status) status.textContent = document.body.dataset.saving || '';
  });

  document.addEventListener('htmx:afterSwap', function (event) {
    var status = event.target.querySelector && event.target.querySelector('[data-save-status]');
    if (status) announce(status.textContent.trim());
    var invalid = event.target.querySelector && event.target.querySelector('[aria-invalid="true"]');
    if (invalid && event.detail.xhr && event.detail.xhr.status === 422) invalid.focus();
  });

  // The as-you-type password check is advice: if it fails (too many checks, no connection), it says
  // nothing, and the form is still judged when it is sent.
  function isPasswordCheck(event) {
    return event.target && event.target.hasAttribute && event.target.hasAttribute('data-password-check');
  }

  // The same advice again is not swapped in, so screen readers do not repeat it at every pause in typing.
  document.addEventListener('htmx:beforeSwap', function (event) {
    if (!isPasswordCheck(event) || !event.detail.target) return;
    if (event.detail.serverResponse.trim() === event.detail.target.innerHTML.trim()) event.detail.shouldSwap = false;
  });

  document.addEventListener('htmx:responseError', function (event) {
    if (isPasswordCheck(event)) return;
    var status = event.target.querySelector && event.target.querySelector('[data-save-status]');
    var message = (event.detail.xhr && event.detail.xhr.responseText && event.detail.xhr.getResponseHeader('content-type') || '').indexOf('text/plain') === 0
      ? event.detail.xhr.responseText
      : document.body.dataset.requestFailed;
    if (status) { status.textContent = message; status.classList.add('save-status-error'); }
    announce(message);
  });

  document.addEventListener('htmx:sendError', function (event) {
    if (isPasswordCheck(event)) return;
    var status = event.target.querySelector && event.target.querySelector('[data-save-status]');
    if (status) { status.textContent = document.body.dataset.requestFailed; status.classList.add('save-status-error'); }
    announce(document.body.dataset.requestFailed);
  });

  document.addEventListener('dials:profile', function (event) {
    var detail = event.detail || {};
    document.querySelectorAll('.topbar-name').forEach(function (element) { element.textContent = detail.name || ''; });
    document.querySelectorAll('.topbar-user span.avatar').forEach(function (element) { element.textContent = detail.initials || ''; });
  });

  document.addEventListener('dials:theme', function (event) {
    var theme = event.detail && event.detail.value;
    if (theme === 'light' || theme === 'dark' || theme === 'system') document.documentElement.dataset.theme = theme;
  });
})();
