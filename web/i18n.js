// uctrack web UI: languages (docs/ui.md, "Languages").
//
// Messages are written in English in the code (the English text is the
// key, gettext style) and translated by the catalogues in web/lang-*.js:
//   t('Case C{id}', {id: 12})          a message with placeholders
//   tp('{n} child', '{n} children', n)  singular and plural (Intl.PluralRules)
//   N_('Flight risk')                   marks a message kept in a table and
//                                       translated later with t()
// index.html marks its text with data-i18n (the element's text is the
// key) and data-i18n-attr="placeholder aria-label" (those attributes' values
// are keys). tests/browser/i18n-lint.mjs fails when a message has no
// translation or when app.js or index.html shows text that is not marked.
//
// The language is the one chosen with the header's switch (kept in
// localStorage), else the first of navigator.languages (the browser's
// Accept-Language) that the UI speaks, else English.
'use strict';

(function () {
  const LANGS = { en: 'English', es: 'Español' };
  const STORE = 'uctrack.lang';
  const catalogues = window.UC_MESSAGES || {};
  let lang = 'en';
  let plurals = new Intl.PluralRules('en');
  let numbers = new Intl.NumberFormat('en-US');
  let dates = null;

  function pick() {
    try {
      const saved = localStorage.getItem(STORE);
      if (saved && LANGS[saved]) return saved;
    } catch (_) { /* storage disabled */ }
    const wanted = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en']);
    for (const l of wanted) {
      const primary = String(l || '').toLowerCase().split('-')[0];
      if (LANGS[primary]) return primary;
    }
    return 'en';
  }

  function setLang(l, persist) {
    lang = LANGS[l] ? l : 'en';
    plurals = new Intl.PluralRules(lang);
    numbers = new Intl.NumberFormat(lang === 'en' ? 'en-US' : lang);
    // English keeps ISO dates (YYYY-MM-DD: the feeds', the exports' and the
    // search box's format); Spanish reads day/month/year.
    dates = lang === 'en' ? null
      : new Intl.DateTimeFormat(lang, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
    document.documentElement.lang = lang;
    if (persist) {
      try {
        localStorage.setItem(STORE, lang);
      } catch (_) { /* the choice lasts for this page */ }
    }
  }

  function fill(s, params) {
    if (!params) return s;
    return s.replace(/\{([a-z_]+)\}/g, (m, k) => (Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : m));
  }

  // The message in the current language (English when untranslated).
  function t(msg, params) {
    const cat = catalogues[lang];
    const s = lang !== 'en' && cat && typeof cat[msg] === 'string' ? cat[msg] : msg;
    return fill(s, params);
  }
  function N_(msg) {
    return msg;
  }
  function fmtInt(n) {
    return numbers.format(Number(n || 0));
  }
  function tp(one, other, n, params) {
    const p = { ...(params || {}), n: fmtInt(n) };
    return t(plurals.select(Number(n)) === 'one' ? one : other, p);
  }
  // "2026-12-04" or "2026-12-04T10:20:30Z" in the language's one format.
  function fmtDate(v) {
    if (v === undefined || v === null || v === '') return '—';
    const s = String(v);
    const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.exec(s);
    if (!m) return s;
    let day = `${m[1]}-${m[2]}-${m[3]}`;
    if (dates) day = dates.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
    return m[4] ? `${day} ${m[4]}${m[5] === 'Z' ? ' UTC' : ''}` : day;
  }
  // A date the user typed in the language's format, as YYYY-MM-DD (or
  // null when it is not one).
  function parseDate(s) {
    const v = String(s || '').trim();
    if (/^\d{4}-\d\d-\d\d$/.test(v)) return v;
    const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
    if (!m || lang === 'en') return null;
    const p = (x) => String(x).padStart(2, '0');
    return `${m[3]}-${p(m[2])}-${p(m[1])}`;
  }

  // Translate index.html's marked text and attributes (again after every
  // change of language: the English text is kept in data-msgid).
  function applyDom(root) {
    for (const e of (root || document).querySelectorAll('[data-i18n]')) {
      if (!e.hasAttribute('data-msgid')) e.setAttribute('data-msgid', e.textContent.replace(/\s+/g, ' ').trim());
      e.textContent = t(e.getAttribute('data-msgid'));
    }
    for (const e of (root || document).querySelectorAll('[data-i18n-attr]')) {
      for (const a of e.getAttribute('data-i18n-attr').split(/\s+/).filter(Boolean)) {
        const keep = 'data-msgid-' + a;
        if (!e.hasAttribute(keep)) e.setAttribute(keep, e.getAttribute(a) || '');
        e.setAttribute(a, t(e.getAttribute(keep)));
      }
    }
  }

  setLang(pick(), false);
  window.UC_I18N = {
    LANGS, t, tp, N_, fmtInt, fmtDate, parseDate, applyDom,
    lang: () => lang,
    setLang,
  };
})();
