// xabot web simulator. Plain script, no build step: it asks /api/config for
// the panels and the page's texts, streams the conversations from
// /api/events and posts what the user types or presses to /api/send.
(function () {
  'use strict';

  var cfg = null;
  var lang = 'vi';
  var visitor = '';
  var panels = {}; // id → {def, el, log, chips, share, compose, error, seen, keyboard}
  var source = null;

  // ------------------------------------------------------------ texts

  function t(key, args) {
    var labels = cfg.labels || {};
    var s = (labels[lang] && labels[lang][key]) || (labels[cfg.lang] && labels[cfg.lang][key]);
    if (s === undefined) return key;
    args = Object.assign({ commune: cfg.commune }, args || {});
    return s.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : m;
    });
  }

  function has(key) {
    return !!(cfg.labels[lang] && cfg.labels[lang][key]) || !!(cfg.labels[cfg.lang] && cfg.labels[cfg.lang][key]);
  }

  function applyTexts() {
    document.documentElement.lang = lang;
    document.title = t('web.page.title');
    document.querySelectorAll('[data-l]').forEach(function (el) {
      el.textContent = t(el.getAttribute('data-l'));
    });
    document.querySelectorAll('[data-lang]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === lang));
    });
    document.querySelectorAll('[data-ph]').forEach(function (el) {
      el.setAttribute('placeholder', t(el.getAttribute('data-ph')));
    });
    document.querySelectorAll('[data-aria]').forEach(function (el) {
      el.setAttribute('aria-label', t(el.getAttribute('data-aria'), { persona: el.getAttribute('data-persona') ? t(el.getAttribute('data-persona')) : '' }));
    });
    var sel = document.getElementById('job');
    Array.prototype.forEach.call(sel.options, function (o) { o.textContent = jobLabel(o.value); });
  }

  function jobLabel(name) {
    var key = 'web.page.job_' + name.replace(/-/g, '_');
    return has(key) ? t(key) + ' (' + name + ')' : name;
  }

  // ------------------------------------------------------------ identity

  function visitorID() {
    var key = 'xabot.visitor';
    var v = null;
    try { v = localStorage.getItem(key); } catch (e) { /* private mode: a new id per load */ }
    if (!/^[0-9a-f]{20}$/.test(v || '')) {
      v = randomHex(10);
      try { localStorage.setItem(key, v); } catch (e) { /* idem */ }
    }
    return v;
  }

  function randomHex(n) {
    var b = new Uint8Array(n);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  }

  // ------------------------------------------------------------ DOM

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function buildPanel(def, index) {
    var id = def.id;
    var tab = el('button', { type: 'button', role: 'tab', id: 'tab-' + id, 'aria-controls': 'panel-' + id,
      'aria-selected': 'false', 'data-l': def.label });
    tab.addEventListener('click', function () { activate(id); });
    document.getElementById('tabs').appendChild(tab);

    var noteKey = def.label + '_note';
    var log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'data-aria': 'web.page.messages', 'data-persona': def.label },
      [el('p', { class: 'empty', 'data-l': def.label + '_empty' })]);
    var chips = el('div', { class: 'chips', role: 'group', 'data-aria': 'web.page.keyboard', 'data-persona': def.label });
    var phone = el('input', { type: 'tel', name: 'phone', autocomplete: 'tel', inputmode: 'tel', required: 'required' });
    var share = el('form', { class: 'share', hidden: 'hidden' }, [
      el('label', {}, [el('span', { 'data-l': 'web.page.share_title' }), phone]),
      el('button', { type: 'submit', 'data-l': 'web.page.share_send' }),
      el('button', { type: 'button', class: 'cancel', 'data-l': 'web.page.cancel' })
    ]);
    var inputID = 'text-' + id;
    var input = el('input', { id: inputID, name: 'text', autocomplete: 'off', enterkeyhint: 'send', 'data-ph': 'web.page.input' });
    var compose = el('form', { class: 'compose' }, [
      el('label', { class: 'sr', for: inputID, 'data-l': 'web.page.input' }),
      input,
      el('button', { type: 'submit', 'data-l': 'web.page.send' })
    ]);
    var error = el('p', { class: 'error', role: 'alert' });
    var section = el('section', { class: 'panel' + (def.numbered ? ' numbered' : '') + (index === 0 ? ' active' : ''),
      id: 'panel-' + id, 'data-panel': id, role: 'tabpanel', 'aria-labelledby': 'title-' + id }, [
      el('header', { class: 'phone-head' }, [
        el('h2', { id: 'title-' + id, 'data-l': def.label }),
        has(noteKey) ? el('p', { 'data-l': noteKey }) : null
      ]),
      log, error, chips, share, compose
    ]);
    document.getElementById('panels').appendChild(section);

    var p = { def: def, el: section, log: log, chips: chips, share: share, compose: compose, error: error, seen: {} };
    panels[id] = p;

    compose.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      // Cleared at once, as a chat app does, so the next line can be typed
      // while this one is on its way; given back if it could not be sent.
      input.value = '';
      post(p, { kind: 'text', text: text }).then(function (ok) { if (!ok && !input.value) input.value = text; });
    });
    share.addEventListener('submit', function (ev) {
      ev.preventDefault();
      post(p, { kind: 'contact', phone: phone.value.trim() }).then(function (ok) {
        if (ok) { phone.value = ''; share.hidden = true; }
      });
    });
    share.querySelector('.cancel').addEventListener('click', function () { share.hidden = true; input.focus(); });
  }

  function activate(id) {
    Object.keys(panels).forEach(function (k) {
      var on = k === id;
      panels[k].el.classList.toggle('active', on);
      document.getElementById('tab-' + k).setAttribute('aria-selected', String(on));
      // A hidden panel could not scroll: show the end of its conversation.
      if (on) panels[k].log.scrollTop = panels[k].log.scrollHeight;
    });
  }

  // ------------------------------------------------------------ messages

  function render(p, m) {
    if (p.seen[m.seq]) return;
    p.seen[m.seq] = true;
    var empty = p.log.querySelector('.empty');
    if (empty) empty.remove();
    var box = el('div', { class: 'msg ' + (m.from === 'user' ? 'user' : 'bot'), 'data-seq': String(m.seq) });
    if (m.image) {
      var caption = (m.text || '').split('\n')[0].slice(0, 120) || m.image.name || '';
      if (m.image.url) {
        var img = el('img', { src: m.image.url, alt: t('web.page.image_alt', { caption: caption }) });
        // The picture grows the message after it was scrolled to: keep
        // the end of the conversation in view.
        img.addEventListener('load', function () { p.log.scrollTop = p.log.scrollHeight; });
        box.appendChild(img);
      } else {
        box.appendChild(el('div', { class: 'ph', role: 'img', 'aria-label': t('web.page.image_unavailable'),
          text: '🖼 ' + t('web.page.image_unavailable') }));
      }
    }
    var text = m.text || '';
    if (m.from === 'user' && m.kind === 'press') text = '▸ ' + text;
    if (m.from === 'user' && m.kind === 'contact') text = '📱 ' + text;
    if (text) box.appendChild(el('p', { class: 'text', text: text }));
    if (m.buttons && m.buttons.length && !p.def.numbered) {
      var rows = el('div', { class: 'buttons' });
      m.buttons.forEach(function (row) {
        var r = el('div', { class: 'row' });
        row.forEach(function (b) {
          var btn = el('button', { type: 'button', class: 'ib', text: b.label });
          btn.addEventListener('click', function () { post(p, { kind: 'press', data: b.data, label: b.label }); });
          r.appendChild(btn);
        });
        rows.appendChild(r);
      });
      box.appendChild(rows);
    }
    var at = new Date(m.at);
    if (!isNaN(at)) {
      box.appendChild(el('time', { datetime: m.at, text: at.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' }) }));
    }
    p.log.appendChild(box);
    if (m.keyboard && !p.def.numbered) keyboard(p, m.keyboard.remove ? null : m.keyboard.rows);
    p.log.scrollTop = p.log.scrollHeight;
  }

  // keyboard shows the reply keyboard as chips; a tap sends the label, as
  // Telegram does, and the contact key asks for the number first.
  function keyboard(p, rows) {
    p.chips.textContent = '';
    p.share.hidden = true;
    (rows || []).forEach(function (row) {
      row.forEach(function (k) {
        var b = el('button', { type: 'button', class: k.contact ? 'contact' : '', text: k.label });
        b.addEventListener('click', function () {
          if (k.contact) {
            p.share.hidden = false;
            p.share.querySelector('input').focus();
            return;
          }
          post(p, { kind: 'text', text: k.label });
        });
        p.chips.appendChild(b);
      });
    });
  }

  function post(p, body) {
    body.panel = p.def.id;
    body.visitor = visitor;
    body.id = randomHex(8);
    p.error.textContent = '';
    return fetch('api/send', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) {
        if (res.ok) return true;
        return res.json().catch(function () { return {}; }).then(function (j) {
          p.error.textContent = errorText(j.error);
          return false;
        });
      }, function () {
        p.error.textContent = t('web.page.error');
        return false;
      });
  }

  function errorText(code) {
    var key = 'web.page.error_' + (code || '');
    return has(key) ? t(key) : t('web.page.error');
  }

  function stream() {
    source = new EventSource('api/events?visitor=' + visitor + '&after=0');
    source.addEventListener('message', function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      var p = panels[m.panel];
      if (p) render(p, m);
    });
    source.addEventListener('open', function () { document.getElementById('offline').hidden = true; });
    source.addEventListener('error', function () { document.getElementById('offline').hidden = false; });
  }

  // ------------------------------------------------------------ jobs

  function setupJobs() {
    var form = document.getElementById('jobs');
    var sel = document.getElementById('job');
    var out = document.getElementById('job-result');
    if (!cfg.jobs.length) return;
    cfg.jobs.forEach(function (name) { sel.appendChild(el('option', { value: name, text: name })); });
    form.hidden = false;
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var name = sel.value;
      var button = document.getElementById('job-run');
      button.disabled = true;
      out.textContent = '…';
      fetch('api/jobs/' + encodeURIComponent(name), { method: 'POST' })
        .then(function (res) {
          return res.json().catch(function () { return {}; }).then(function (j) {
            if (res.ok) out.textContent = t('web.page.job_done', { job: jobLabel(name), queued: j.queued });
            else if (j.error === 'busy') out.textContent = t('web.page.job_busy', { job: jobLabel(name) });
            else out.textContent = t('web.page.job_failed', { job: jobLabel(name) });
            out.setAttribute('data-state', res.ok ? 'done' : 'failed');
          });
        }, function () { out.textContent = t('web.page.job_failed', { job: jobLabel(name) }); })
        .then(function () { button.disabled = false; });
    });
  }

  // ------------------------------------------------------------ start

  function start() {
    visitor = visitorID();
    fetch('api/config').then(function (res) { return res.json(); }).then(function (c) {
      cfg = c;
      var saved = null;
      try { saved = localStorage.getItem('xabot.lang'); } catch (e) { /* default */ }
      lang = (saved && cfg.labels[saved]) ? saved : cfg.lang;
      cfg.panels.forEach(buildPanel);
      activate(cfg.panels[0].id);
      setupJobs();
      document.querySelectorAll('[data-lang]').forEach(function (b) {
        var l = b.getAttribute('data-lang');
        if (!cfg.labels[l]) { b.hidden = true; return; }
        b.addEventListener('click', function () {
          lang = l;
          try { localStorage.setItem('xabot.lang', l); } catch (e) { /* session only */ }
          applyTexts();
        });
      });
      applyTexts();
      stream();
      document.body.setAttribute('data-ready', 'true');
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
