// Every message of the UI has a translation, and no text escapes the
// catalogue (docs/ui.md, "Languages"). Needs no browser and no server:
//  - app.js: every string literal that reads as words ("Record event",
//    "nobody", "{n} open") is the message of t(), tp() or N_(); code strings
//    with spaces (selectors, header values) carry "i18n: code" on their line;
//  - index.html: every text node and every placeholder, aria-label, title
//    and alt value is marked (data-i18n, data-i18n-attr) or is in another
//    language by declaration (lang="es");
//  - every message has a Spanish translation with the same placeholders,
//    and the catalogue has no message that nothing uses.
// Run alone: node --test tests/browser/i18n-lint.test.mjs (I18N_DUMP=FILE:
// the messages still to translate, as JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (f) => readFileSync(join(root, f), 'utf8');

// String literals of a JavaScript source: {text, line, before} where
// before is the source text just before the literal on its line(s).
// Comments and regular expression literals are skipped; a template
// literal's ${…} parts are replaced by {}.
export function literals(src) {
  const out = [];
  let i = 0;
  let line = 1;
  let last = ''; // last significant character, to tell a regex from a division
  const n = src.length;
  const skipString = (q) => {
    const start = i;
    const startLine = line;
    i++;
    let text = '';
    while (i < n && src[i] !== q) {
      if (src[i] === '\\') {
        text += src[i + 1];
        i += 2;
        continue;
      }
      if (q === '`' && src[i] === '$' && src[i + 1] === '{') {
        let depth = 1;
        i += 2;
        while (i < n && depth > 0) {
          if (src[i] === '{') depth++;
          else if (src[i] === '}') depth--;
          else if (src[i] === "'" || src[i] === '"' || src[i] === '`') {
            const inner = src[i];
            skipString(inner);
            continue;
          }
          if (src[i] === '\n') line++;
          i++;
        }
        text += '{}';
        continue;
      }
      if (src[i] === '\n') line++;
      text += src[i];
      i++;
    }
    i++;
    const after = (/\S/.exec(src.slice(i, i + 40)) || [''])[0];
    out.push({ text, line: startLine, before: src.slice(Math.max(0, start - 80), start), after, start });
  };
  while (i < n) {
    const c = src[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      for (let k = i; k < end; k++) if (src[k] === '\n') line++;
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      skipString(c);
      last = 'x';
      continue;
    }
    if (c === '/' && /[(,=:[!&|?{};+\-*%<>~^]|^$/.test(last)) {
      // a regular expression literal
      i++;
      let cls = false;
      while (i < n) {
        if (src[i] === '\\') { i += 2; continue; }
        if (src[i] === '[') cls = true;
        else if (src[i] === ']') cls = false;
        else if (src[i] === '/' && !cls) break;
        i++;
      }
      i++;
      while (/[a-z]/.test(src[i] || '')) i++;
      last = 'x';
      continue;
    }
    if (!/\s/.test(c)) last = c;
    if (/[A-Za-z0-9_$]/.test(c)) {
      while (i < n && /[A-Za-z0-9_$]/.test(src[i])) i++;
      // a keyword that may precede a regex
      const word = src.slice(src.lastIndexOf(' ', i - 1) + 1, i);
      last = /^(return|typeof|case|in|of)$/.test(word) ? '(' : 'x';
      continue;
    }
    i++;
  }
  return out;
}

// The messages of app.js (first argument of t() and N_(), first two of tp())
// and the literals that read as words but are none.
function scanApp(src) {
  const messages = new Set();
  const stray = [];
  const lines = src.split('\n');
  const lits = literals(src);
  for (let k = 0; k < lits.length; k++) {
    const l = lits[k];
    const b = l.before;
    let msg = /\b(t|N_|tp)\(\s*$/.test(b);
    // tp('one', 'other', …): the second argument
    if (!msg && /,\s*$/.test(b) && k > 0 && /\btp\(\s*$/.test(lits[k - 1].before) &&
      /^\s*,\s*$/.test(src.slice(lits[k - 1].start + lits[k - 1].text.length + 2, l.start))) msg = true;
    if (msg) {
      messages.add(l.text);
      continue;
    }
    const words = l.text.replace(/\{[a-z_]*\}/g, ' ');
    const reads = /[A-Za-z]{2,}[,.:;!?…)]* +[A-Za-z(]/.test(words) || /^[A-Z][a-z]+[.…]?$/.test(words.trim()) ||
      /…$/.test(words.trim());
    if (!reads) continue;
    // object keys, class names, selectors and routes are code
    if (l.after === ':' || /className:\s*$/.test(b) || /^[#.]/.test(l.text) || l.text === 'use strict') continue;
    if (/i18n: code/.test(lines[l.line - 1])) continue;
    stray.push(`web/app.js:${l.line}: ${JSON.stringify(l.text)}`);
  }
  return { messages, stray };
}

// index.html: the marked messages and the text that is not marked.
function scanHtml(html) {
  const messages = new Set();
  const stray = [];
  const VOID = new Set(['meta', 'link', 'input', 'br', 'img', 'hr', 'source', 'area', 'col', 'wbr']);
  const stack = []; // {tag, marked}
  const re = /<!doctype[^>]*>|<!--[\s\S]*?-->|<(\/?)([a-zA-Z0-9]+)([^>]*)>|([^<]+)/g;
  let m;
  let skip = null;
  const lineOf = (idx) => html.slice(0, idx).split('\n').length;
  while ((m = re.exec(html))) {
    if (m[0].startsWith('<!')) continue;
    if (skip) {
      if (m[1] === '/' && m[2].toLowerCase() === skip) skip = null;
      continue;
    }
    if (m[2]) {
      const tag = m[2].toLowerCase();
      const attrs = m[3] || '';
      if (m[1] === '/') {
        while (stack.length && stack.pop().tag !== tag);
        continue;
      }
      if (tag === 'script' || tag === 'style') { skip = tag; continue; }
      const marked = /\sdata-i18n(\s|=|>|$)/.test(attrs + '>');
      const foreign = /\slang="/.test(attrs); // in its own language by declaration
      const declared = (/\sdata-i18n-attr="([^"]*)"/.exec(attrs) || [, ''])[1].split(/\s+/);
      for (const a of ['placeholder', 'aria-label', 'title', 'alt']) {
        const v = new RegExp(`\\s${a}="([^"]*)"`).exec(attrs);
        if (!v || !/[A-Za-z]{2,}/.test(v[1])) continue;
        if (declared.includes(a)) messages.add(v[1]);
        else stray.push(`web/index.html:${lineOf(m.index)}: ${a}="${v[1]}" is not in data-i18n-attr`);
      }
      if (!VOID.has(tag) && !attrs.trim().endsWith('/')) stack.push({ tag, marked, foreign });
      continue;
    }
    const text = m[4].replace(/\s+/g, ' ').trim();
    if (!/[A-Za-z]{2,}/.test(text) || text === 'uctrack') continue;
    const top = stack[stack.length - 1];
    if (top && top.marked) {
      messages.add(text);
      continue;
    }
    if (stack.some((s) => s.tag === 'title' || s.foreign)) continue;
    stray.push(`web/index.html:${lineOf(m.index)}: text "${text}" is not marked data-i18n`);
  }
  return { messages, stray };
}

function catalogue(lang) {
  const sandbox = { window: {} };
  vm.runInNewContext(read(`web/lang-${lang}.js`), sandbox);
  return sandbox.window.UC_MESSAGES[lang];
}

const placeholders = (s) => [...s.matchAll(/\{([a-z_]+)\}/g)].map((x) => x[1]).sort().join(',');



test('every UI text goes through the catalogue', () => {
  const app = scanApp(read('web/app.js'));
  const html = scanHtml(read('web/index.html'));
  assert.deepEqual([...app.stray, ...html.stray], [], 'text shown without t()/data-i18n');
  assert.ok(app.messages.size > 300, `app.js messages: ${app.messages.size}`);
  assert.ok(html.messages.size > 100, `index.html messages: ${html.messages.size}`);
});

test('every message has a Spanish translation with the same placeholders', () => {
  const es = catalogue('es');
  const used = new Set([...scanApp(read('web/app.js')).messages, ...scanHtml(read('web/index.html')).messages]);
  const missing = [...used].filter((k) => typeof es[k] !== 'string' || !es[k].trim());
  // I18N_DUMP=FILE writes the messages still to translate (a JSON object).
  if (process.env.I18N_DUMP) {
    writeFileSync(process.env.I18N_DUMP, JSON.stringify(Object.fromEntries(missing.map((k) => [k, ''])), null, 1));
  }
  assert.deepEqual(missing, [], 'messages without a Spanish translation');
  const bad = [...used].filter((k) => placeholders(k) !== placeholders(es[k]));
  assert.deepEqual(bad, [], 'translations whose placeholders differ');
  const unused = Object.keys(es).filter((k) => !used.has(k));
  assert.deepEqual(unused, [], 'Spanish messages nothing uses');
});

test('the lint catches text that is not externalised', () => {
  const app = scanApp("const a = t('Fine {n}'); const b = 'Not fine at all'; const c = `Case ${x} open`;\n" +
    "const d = '#a b'; // i18n: code\nconst e = /a b/.test(s) ? tp('{n} one', '{n} many', 2) : 'Overdue';");
  assert.deepEqual(app.stray.map((s) => s.replace(/^[^ ]+ /, '')),
    ['"Not fine at all"', '"Case {} open"', '"Overdue"']);
  assert.deepEqual([...app.messages].sort(), ['Fine {n}', '{n} many', '{n} one']);
  const html = scanHtml('<p data-i18n>Marked</p><p>Loose words</p><input placeholder="type here">' +
    '<option lang="es">Español</option>');
  assert.equal(html.stray.length, 2);
});
