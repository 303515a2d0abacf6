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

  // "?saved=language" says "Saved." once, after the switch to a new language; a reload should not say it again.
  function forgetSavedLanguageMark() {
    if (!/[?&]saved=language(&|$)/.test(window.location.search) || !window.history.replaceState) return;
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.hash);
  }

  // "?removed=N" says once how many notification settings a reset removed; a reload should not say it again.
  function forgetResetCount() {
    if (!/[?&]removed=\d+(&|$)/.test(window.location.search) || !window.history.replaceState) return;
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.hash);
  }

  document.addEventListener('DOMContentLoaded', forgetSavedLanguageMark);
  document.addEventListener('DOMContentLoaded', forgetResetCount);
  document.addEventListener('DOMContentLoaded', fillBrowserTimeZone);
  document.addEventListener('DOMContentLoaded', enableCopyAndPrint);

  // A page that came back with errors puts the focus on the first field to fix, unless it chose a field itself.
  document.addEventListener('DOMContentLoaded', function () {
    if (document.querySelector('[autofocus]')) return;
    var invalid = document.querySelector('main [aria-invalid="true"]');
    if (invalid) invalid.focus();
  });

  // The status line of the block a form saves: inside the form, or, for one of several forms in one
  // block (a list of places, each with its own form), the block's.
  function statusOf(element) {
    if (!element || !element.querySelector) return null;
    var block = element.closest ? element.closest('.form-block') : null;
    return element.querySelector('[data-save-status]') || (block && block.querySelector('[data-save-status]'));
  }

  document.addEventListener('htmx:beforeRequest', function (event) {
    var status = statusOf(event.target);
    if (status) status.textContent = document.body.dataset.saving || '';
  });

  // htmx gives focus back to an element with an id after a swap; this does the same for the others
  // (a link, a button), by their place among the swapped block's focusable elements.
  var focusable = 'a[href], button, input:not([type="hidden"]), select, textarea, [tabindex]:not([tabindex="-1"])';
  var focusPlace = null;
  document.addEventListener('htmx:beforeSwap', function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    focusPlace = null;
    if (!target || !target.id || !active || active === document.body || active.id || !target.contains(active)) return;
    focusPlace = { block: target.id, index: Array.prototype.indexOf.call(target.querySelectorAll(focusable), active) };
  });

  document.addEventListener('htmx:afterSwap', function () {
    var place = focusPlace;
    focusPlace = null;
    if (!place || place.index < 0 || (document.activeElement && document.activeElement !== document.body)) return;
    var block = document.getElementById(place.block);
    var again = block && block.querySelectorAll(focusable)[place.index];
    if (again) again.focus({ preventScroll: true });
  });

  document.addEventListener('htmx:afterSwap', function (event) {
    var status = event.target.querySelector && event.target.querySelector('[data-save-status]');
    if (status) announce(status.textContent.trim());
    var invalid = event.target.querySelector && event.target.querySelector('[aria-invalid="true"]');
    if (invalid && event.detail.xhr && event.detail.xhr.status === 422) invalid.focus();
  });

  // A block that saves in place (data-saves-in-place: a save with scripts swaps in only the parts
  // that no longer show what was saved) keeps its controls as the person set them. What a save sent
  // becomes the saved state that a reset after a refused save goes back to; a change made after it
  // was sent does not.
  var sentStates = new WeakMap();
  document.addEventListener('htmx:beforeRequest', function (event) {
    var form = event.detail.elt;
    if (!event.detail.xhr || !form || !form.hasAttribute || !form.hasAttribute('data-saves-in-place')) return;
    sentStates.set(event.detail.xhr, Array.prototype.map.call(form.elements, function (control) {
      var options = control.tagName === 'SELECT' ? Array.prototype.map.call(control.options, function (option) { return option.selected; }) : null;
      return { control: control, value: control.value, checked: control.checked, options: options };
    }));
  });

  document.addEventListener('htmx:afterRequest', function (event) {
    var xhr = event.detail.xhr;
    var states = xhr && sentStates.get(xhr);
    if (!states || xhr.status < 200 || xhr.status > 299) return;
    states.forEach(function (state) {
      var control = state.control;
      if (control.type === 'checkbox' || control.type === 'radio') control.defaultChecked = state.checked;
      else if (state.options) Array.prototype.forEach.call(control.options, function (option, index) { option.defaultSelected = state.options[index]; });
      else if (control.tagName === 'INPUT' || control.tagName === 'TEXTAREA') control.defaultValue = state.value;
      if (control.hasAttribute('data-saved')) control.setAttribute('data-saved', state.value);
    });
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

  // Logged out meanwhile (elsewhere, or the session ran out): nothing was saved, so the block
  // shows its saved values again, says why, and offers to log in and come back.
  function showSignedOut(block, html) {
    var status = statusOf(block);
    if (block.tagName === 'FORM') block.reset();
    var template = document.createElement('template');
    template.innerHTML = html;
    var message = template.content.querySelector('[data-logged-out]');
    if (!status || !message) return;
    status.textContent = '';
    status.appendChild(message);
    status.classList.add('save-status-error');
    announce(message.textContent.trim());
  }

  document.addEventListener('htmx:afterRequest', function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 401 || xhr.getResponseHeader('hx-redirect')) return;
    if ((xhr.getResponseHeader('content-type') || '').indexOf('text/html') === 0) showSignedOut(event.target, xhr.responseText);
    else showFailure(event.target, xhr);
  });

  function showFailure(block, xhr) {
    var status = statusOf(block);
    var message = (xhr && xhr.responseText && xhr.getResponseHeader('content-type') || '').indexOf('text/plain') === 0
      ? xhr.responseText
      : document.body.dataset.requestFailed;
    if (status) { status.textContent = message; status.classList.add('save-status-error'); }
    announce(message);
  }

  document.addEventListener('htmx:responseError', function (event) {
    if (isPasswordCheck(event)) return;
    showFailure(event.target, event.detail.xhr);
  });

  document.addEventListener('htmx:sendError', function (event) {
    if (isPasswordCheck(event)) return;
    var status = statusOf(event.target);
    if (status) { status.textContent = document.body.dataset.requestFailed; status.classList.add('save-status-error'); }
    announce(document.body.dataset.requestFailed);
  });

  document.addEventListener('dials:profile', function (event) {
    var detail = event.detail || {};
    document.querySelectorAll('.topbar-name').forEach(function (element) { element.textContent = detail.name || ''; });
    // Every picture of the person on the page: the top bar's and the big preview's.
    document.querySelectorAll('[data-own-avatar]').forEach(function (element) {
      if (element.tagName === 'SPAN') element.textContent = detail.initials || '';
      if (element.getAttribute('aria-label')) element.setAttribute('aria-label', detail.name || '');
      if (element.tagName === 'IMG' && element.getAttribute('alt')) element.setAttribute('alt', detail.name || '');
    });
  });

  document.addEventListener('dials:theme', function (event) {
    var theme = event.detail && event.detail.value;
    if (theme === 'light' || theme === 'dark' || theme === 'system') document.documentElement.dataset.theme = theme;
  });
})();
