// The time-zone picker: a combobox whose list is searched as you type and which saves only when
// a zone is chosen (Enter or a click), never on a keystroke. The zones come from the server once
// (cached); the page itself only carries the chosen one. Without JavaScript the field links to
// a page that searches on the server. Listens on the document, so blocks swapped in by htmx work too.
(function () {
  'use strict';

  var lists = new Map();
  var announceTimer = 0;

  function pickerOf(element) { return element && element.closest ? element.closest('[data-timezone-picker]') : null; }
  function parts(picker) {
    return {
      input: picker.querySelector('[role="combobox"]'),
      list: picker.querySelector('[role="listbox"]'),
      value: picker.querySelector('[data-timezone-value]'),
      detail: picker.querySelector('[data-timezone-detail]'),
    };
  }

  function zonesOf(picker) {
    var url = picker.getAttribute('data-source');
    if (!lists.has(url)) {
      var loading = fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(function (response) {
        if (!response.ok) throw new Error('time zones: ' + response.status);
        return response.json();
      });
      // A failed load is tried again at the next keystroke.
      loading.catch(function () { lists.delete(url); });
      lists.set(url, loading);
    }
    return lists.get(url);
  }

  function searchable(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[_/]/g, ' ');
  }

  // The same ranking as searchTimeZones() in src/lib/timezones.ts.
  function search(zones, query) {
    var words = searchable(query).split(/\s+/).filter(Boolean);
    if (words.length === 0) return zones.slice();
    var phrase = ' ' + words.join(' ');
    var ranked = [[], [], [], []];
    zones.forEach(function (zone) {
      var text = ' ' + zone.search;
      if (!words.every(function (word) { return text.indexOf(word) >= 0; })) return;
      var rank = (' ' + searchable(zone.label)).indexOf(phrase) >= 0 ? 0
        : (' ' + searchable(zone.detail)).replace(/[·:,]/g, ' ').indexOf(phrase) >= 0 ? 1
          : text.indexOf(phrase) >= 0 ? 2 : 3;
      ranked[rank].push(zone);
    });
    return ranked[0].concat(ranked[1], ranked[2], ranked[3]);
  }

  function shownText(zone) { return zone.label + ' (' + zone.offset + ')'; }

  function announce(text) {
    var region = document.getElementById('live-status');
    if (!region) return;
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(function () { region.textContent = text; }, 600);
  }

  function setActive(picker, index) {
    var p = parts(picker);
    var options = p.list.querySelectorAll('[role="option"]');
    picker._active = options.length === 0 ? -1 : Math.max(0, Math.min(index, options.length - 1));
    Array.prototype.forEach.call(options, function (option, at) {
      var on = at === picker._active;
      option.setAttribute('aria-selected', on ? 'true' : 'false');
      if (on) option.scrollIntoView({ block: 'nearest' });
    });
    if (picker._active >= 0) p.input.setAttribute('aria-activedescendant', options[picker._active].id);
    else p.input.removeAttribute('aria-activedescendant');
  }

  /** Shows a message in the field's help line, or its own help again (null). */
  function showHelp(picker, message) {
    var help = picker.querySelector('#' + parts(picker).input.id + '-help');
    if (!help) return;
    if (!help.hasAttribute('data-help')) help.setAttribute('data-help', help.textContent);
    help.textContent = message || help.getAttribute('data-help');
  }

  function close(picker) {
    var p = parts(picker);
    showHelp(picker, null);
    p.list.hidden = true;
    p.input.setAttribute('aria-expanded', 'false');
    p.input.removeAttribute('aria-activedescendant');
    picker._active = -1;
  }

  function open(picker, query) {
    return zonesOf(picker).then(function (zones) {
      var p = parts(picker);
      if (document.activeElement !== p.input) return;
      var matches = search(zones, query);
      picker._matches = matches;
      p.list.textContent = '';
      matches.forEach(function (zone, index) {
        var option = document.createElement('li');
        option.id = p.list.id + '-' + index;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        var name = document.createElement('span');
        name.className = 'zone-name';
        name.textContent = shownText(zone);
        var detail = document.createElement('span');
        detail.className = 'zone-detail';
        detail.textContent = zone.detail;
        option.appendChild(name);
        option.appendChild(detail);
        p.list.appendChild(option);
      });
      // With no match the list stays shut and the help line says so.
      p.list.hidden = matches.length === 0;
      p.input.setAttribute('aria-expanded', matches.length === 0 ? 'false' : 'true');
      picker._active = -1;
      showHelp(picker, matches.length === 0 ? picker.getAttribute('data-no-matches') : null);
      var template = matches.length === 0 ? picker.getAttribute('data-no-matches') : picker.getAttribute('data-matches');
      announce(template.replace('{n}', String(matches.length)));
      return matches;
    }).catch(function () { return null; });
  }

  /** Puts the chosen zone's name back in the field (after Escape, or when leaving it without choosing). */
  function restore(picker) {
    var p = parts(picker);
    p.input.value = picker.getAttribute('data-shown') || p.input.defaultValue;
  }

  function choose(picker, zone) {
    var p = parts(picker);
    close(picker);
    p.input.value = shownText(zone);
    picker.setAttribute('data-shown', p.input.value);
    // Typing on at once starts a new search rather than adding to the zone's name.
    if (document.activeElement === p.input) p.input.select();
    if (p.detail) p.detail.textContent = zone.detail;
    if (p.value.value === zone.name) return;
    p.value.value = zone.name;
    // The one change the form block hears: htmx saves it.
    p.value.dispatchEvent(new Event('change', { bubbles: true }));
  }

  document.addEventListener('focusin', function (event) {
    var picker = pickerOf(event.target);
    if (!picker || event.target.getAttribute('role') !== 'combobox') return;
    zonesOf(picker);
    event.target.select();
  });

  // A click into the field showing the chosen zone selects it all, so typing starts a new search.
  document.addEventListener('click', function (event) {
    var picker = pickerOf(event.target);
    if (!picker || event.target.getAttribute('role') !== 'combobox') return;
    var input = event.target;
    // After the browser has placed the caret for the click.
    if (input.value === (picker.getAttribute('data-shown') || input.defaultValue)) window.setTimeout(function () { input.select(); }, 0);
  });

  document.addEventListener('input', function (event) {
    var picker = pickerOf(event.target);
    if (!picker || event.target.getAttribute('role') !== 'combobox') return;
    open(picker, event.target.value);
  });

  // The text typed is only a search: it never reaches the form block's auto-save.
  document.addEventListener('change', function (event) {
    if (pickerOf(event.target) && event.target.getAttribute('role') === 'combobox') event.stopPropagation();
  }, true);

  document.addEventListener('keydown', function (event) {
    var picker = pickerOf(event.target);
    if (!picker || event.target.getAttribute('role') !== 'combobox') return;
    var p = parts(picker);
    var isOpen = !p.list.hidden;
    var active = typeof picker._active === 'number' ? picker._active : -1;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        var down = event.key === 'ArrowDown';
        if (!isOpen) {
          var typed = p.input.value === (picker.getAttribute('data-shown') || p.input.defaultValue) ? '' : p.input.value;
          open(picker, typed).then(function (matches) {
            if (event.altKey || !matches) return;
            var current = matches.findIndex(function (zone) { return zone.name === p.value.value; });
            setActive(picker, current >= 0 ? current : down ? 0 : matches.length - 1);
          });
        } else {
          var count = p.list.querySelectorAll('[role="option"]').length;
          setActive(picker, down ? (active + 1) % count : active <= 0 ? count - 1 : active - 1);
        }
        break;
      }
      case 'Enter': {
        // Enter never sends the whole form from here; it chooses the zone in view.
        event.preventDefault();
        if (!isOpen || !picker._matches || picker._matches.length === 0) return;
        choose(picker, picker._matches[active >= 0 ? active : 0]);
        break;
      }
      case 'Escape': {
        if (isOpen) { event.preventDefault(); close(picker); } else restore(picker);
        break;
      }
      case 'Tab': {
        if (isOpen) close(picker);
        restore(picker);
        break;
      }
    }
  });

  // A press on an option must not take focus from the field first.
  document.addEventListener('mousedown', function (event) {
    if (event.target.closest && event.target.closest('[data-timezone-picker] [role="option"]')) event.preventDefault();
  });

  document.addEventListener('click', function (event) {
    var option = event.target.closest && event.target.closest('[data-timezone-picker] [role="option"]');
    if (!option) return;
    var picker = pickerOf(option);
    var index = Array.prototype.indexOf.call(option.parentNode.children, option);
    if (picker._matches && picker._matches[index]) choose(picker, picker._matches[index]);
  });

  document.addEventListener('focusout', function (event) {
    var picker = pickerOf(event.target);
    if (!picker || event.target.getAttribute('role') !== 'combobox') return;
    if (event.relatedTarget && picker.contains(event.relatedTarget)) return;
    close(picker);
    restore(picker);
  });

  // A block reset after a refused save (signed out) shows the saved zone again.
  document.addEventListener('reset', function (event) {
    var form = event.target;
    if (!form.querySelectorAll) return;
    window.setTimeout(function () {
      form.querySelectorAll('[data-timezone-picker]').forEach(function (picker) {
        var p = parts(picker);
        p.value.value = p.value.getAttribute('data-saved');
        if (p.detail) p.detail.textContent = p.detail.getAttribute('data-saved');
        picker.removeAttribute('data-shown');
        close(picker);
      });
    }, 0);
  });
})();
