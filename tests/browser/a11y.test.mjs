// Accessibility of every screen, at 1280 px and at 390 px, in English and
// in Spanish (docs/ui.md, "Accessibility and layout"). axe-core (a dev
// dependency, node_modules/axe-core) runs on every screen: 0 violations of
// any impact. The checks below add what axe does not check (tap target
// size, focus after navigation, reflow) and stay as a second opinion on the
// rules that matter most here:
//  - scrollable regions are focusable and named (axe scrollable-region-focusable);
//  - every form control has a label; every button and link has a name;
//  - ids are unique; aria-labelledby/describedby point at elements;
//  - one visible h1; headings do not skip levels; <html lang> is set;
//  - at 390 px: nothing wider than the screen, tables reflow (stacked
//    cards, or a scrolling region that keyboards reach), tap targets of
//    at least 44 x 44 px;
//  - after a navigation the focus is on the new page's heading.
// axe is evaluated through the DevTools protocol (page.evaluate), not with
// addScriptTag: the page's Content-Security-Policy refuses inline scripts,
// and the test must not weaken it (it fails on any CSP violation).
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { env, assert, withBrowser, login, password } from './lib.mjs';

const T = { timeout: 240000 };

// A missing axe-core is a failure: scripts/deps.sh installs it (npm ci).
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// The screens of each role: [route, what to wait for].
const SCREENS = {
  'ui-off': ['case work', [['#/queue', '#queue-table tbody tr'], ['#/mine', '#queue-table tbody tr'],
    ['#/tasks', '#tasks-table tbody tr'], ['#/inbox', '#inbox-table tbody tr'], [`#/search?q=${env.anumA}`, '#search-table tbody tr'],
    [`#/case/${env.caseA}`, '#event-form']]],
  'ui-sup': ['supervision review', [['#/queue', '#queue-table tbody tr'], ['#/counsel-requests?status=', '#counsel-body p, #counsel-body table'],
    ['#/reports', '#fta-show'], [`#/case/${env.caseH}`, '#override-form']]],
  'ui-admin': ['supervision review', [['#/audit', '#audit-table tbody tr'], ['#/reports', '#report-table'],
    ['#/reports?by=fy', '#report-table'], ['#/reports?by=state&public=true', '#report-table'],
    ['#/users', '#users-body tr[data-user]'], ['#/nowhere', '#notfound-h']]],
  'ui-ana': ['data quality', [['#/linkage', '#linkage-note'], ['#/feeds', '#feed-form'], ['#/triage', '#triage-runs tbody tr']]],
  'ui-lp1': ['legal representation', [['#/clients', '#clients-table tbody tr'], ['#/search', '#search-form'],
    [`#/case/${env.caseA}`, '#event-form']]],
  'ui-aud': ['oversight', [['#/queue', '#queue-table tbody tr'], [`#/case/${env.caseA}`, '#sec-identity'],
    ['#/audit', '#audit-table tbody tr'], ['#/reports?by=fy', '#report-table']]],
};

// Runs in the page: the problems found on the screen shown.
function pageProblems(narrow) {
  const out = [];
  const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) &&
    getComputedStyle(e).visibility !== 'hidden';
  const name = (e) => (e.getAttribute('aria-label') || '').trim() ||
    (e.getAttribute('aria-labelledby') || '').split(/\s+/).map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim() ||
    (e.textContent || '').trim() || (e.getAttribute('title') || '').trim();
  const desc = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''}`;
  if (!document.documentElement.lang) out.push('html has no lang');
  // ids unique; references resolve
  const ids = new Map();
  for (const e of document.querySelectorAll('[id]')) ids.set(e.id, (ids.get(e.id) || 0) + 1);
  for (const [id, n] of ids) if (n > 1) out.push(`duplicate id ${id}`);
  for (const a of ['aria-labelledby', 'aria-describedby']) {
    for (const e of document.querySelectorAll(`[${a}]`)) {
      for (const id of e.getAttribute(a).split(/\s+/)) if (id && !document.getElementById(id)) out.push(`${desc(e)} ${a} → missing #${id}`);
    }
  }
  const main = document.querySelector('main');
  // controls labelled, buttons and links named
  for (const e of main.querySelectorAll('input, select, textarea')) {
    if (e.type === 'hidden' || !visible(e)) continue;
    if (!e.labels.length && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')) out.push(`unlabelled ${desc(e)}`);
  }
  for (const e of document.querySelectorAll('button, a[href]')) {
    if (visible(e) && !name(e)) out.push(`unnamed ${desc(e)}`);
  }
  // headings
  const hs = [...main.querySelectorAll('h1, h2, h3, h4')].filter(visible);
  if (hs.filter((h) => h.tagName === 'H1').length !== 1) out.push(`${hs.filter((h) => h.tagName === 'H1').length} visible h1`);
  let level = 0;
  for (const h of hs) {
    const l = Number(h.tagName[1]);
    if (l > level + 1) out.push(`heading level skipped before "${h.textContent.trim().slice(0, 40)}"`);
    level = l;
  }
  // scrollable regions: focusable and named
  for (const e of document.querySelectorAll('body *')) {
    if (!visible(e)) continue;
    const s = getComputedStyle(e);
    const scrolls = (/(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1) ||
      (/(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1);
    if (!scrolls || e === document.documentElement || e === document.body) continue;
    const focusable = e.tabIndex >= 0 || e.querySelector('a[href], button, input, select, textarea, [tabindex="0"]');
    if (!focusable) out.push(`scrollable ${desc(e)} cannot be reached by keyboard`);
    else if (e.tabIndex >= 0 && !name(e)) out.push(`scrollable ${desc(e)} has no name`);
  }
  if (narrow) {
    const over = document.documentElement.scrollWidth - window.innerWidth;
    if (over > 1) out.push(`page wider than the screen by ${over}px`);
    // tables reflow: stacked cards, or a named focusable scrolling region
    for (const tb of main.querySelectorAll('table')) {
      if (!visible(tb)) continue;
      const cards = getComputedStyle(tb.tBodies[0] && tb.tBodies[0].rows[0] ? tb.tBodies[0].rows[0] : tb).display === 'block';
      const wrap = tb.closest('.table-wrap');
      if (!cards && !(wrap && wrap.tabIndex === 0)) out.push(`table ${desc(tb)} neither reflows nor scrolls in a focusable region`);
    }
    // tap targets
    for (const e of document.querySelectorAll('button, select, input:not([type="checkbox"]):not([type="radio"]):not([type="hidden"]), #nav a, summary')) {
      if (!visible(e)) continue;
      const r = e.getBoundingClientRect();
      if (r.height < 43.5 || r.width < 43.5) out.push(`tap target ${desc(e)} "${name(e).slice(0, 30)}" is ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    for (const e of document.querySelectorAll('input[type="checkbox"]')) {
      if (!visible(e)) continue;
      const row = (e.closest('.field') || e.closest('td') || e).getBoundingClientRect();
      if (row.height < 43.5) out.push(`checkbox ${desc(e)} row is ${Math.round(row.height)}px high`);
    }
  }
  return out;
}

// The problems of the screen shown, each prefixed with where it was seen.
async function problemsOf(page, where, narrow) {
  const problems = await page.evaluate(pageProblems, narrow);
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const r = await page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] });
    if (!res.passes.length) return ['axe checked nothing'];
    return res.violations.map((v) => `axe ${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}` +
      `${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`);
  });
  problems.push(...r);
  return problems.map((p) => `${where}: ${p}`);
}

async function check(page, where, narrow) {
  assert.deepEqual(await problemsOf(page, where, narrow), []);
}

// Sign in through the form by its ids (the words depend on the language).
async function signIn(page, user, purpose) {
  await page.goto('/');
  await page.locator('#login-user').fill(user);
  await page.locator('#login-pass').fill(password(user));
  await page.locator('#login-form button[type="submit"]').click();
  await page.locator('#purpose-select').waitFor();
  await page.locator('#purpose-select').selectOption(purpose);
  await page.locator('#purpose-form button[type="submit"]').click();
  await page.locator('#who-name').filter({ hasText: user }).waitFor();
}

const VIEWPORTS = [['1280 px', { width: 1280, height: 900 }], ['390 px', { width: 390, height: 844 }]];
const LANGS = [['English', 'en-US', 'en'], ['Spanish', 'es-ES', 'es']];

for (const [lname, locale, lang] of LANGS) {
  for (const [label, viewport] of VIEWPORTS) {
    test(`every screen of every role at ${label} in ${lname}: no accessibility problem, axe-core included`, T, async (t) => {
      // Every screen is checked before the test fails: the message lists
      // all the problems at once.
      const found = [];
      for (const [user, [purpose, screens]] of Object.entries(SCREENS)) {
        await withBrowser(t, { viewport, locale }, async (page) => {
          await signIn(page, user, purpose);
          assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
          for (const [route, ready] of screens) {
            await page.goto('/' + route);
            await page.locator(ready).first().waitFor({ state: 'attached' });
            await page.waitForFunction(() => !document.querySelector('.loading'));
            found.push(...(await problemsOf(page, `${user} ${route}`, viewport.width < 700)));
          }
        });
      }
      assert.deepEqual(found, [], `at ${label} in ${lname}`);
    });
  }

  test(`the sign-in and purpose screens in ${lname}, at 1280 and 390 px`, T, async (t) => {
    for (const [label, viewport] of VIEWPORTS) {
      await withBrowser(t, { viewport, locale }, async (page) => {
        await page.goto('/');
        await page.locator('#login-user:focus').waitFor();
        await check(page, `sign in at ${label} in ${lname}`, viewport.width < 700);
        await page.locator('#login-user').fill('ui-off');
        await page.locator('#login-pass').fill(password('ui-off'));
        await page.locator('#login-form button[type="submit"]').click();
        await page.locator('#purpose-select').waitFor();
        await check(page, `purpose at ${label} in ${lname}`, viewport.width < 700);
      });
    }
  });
}

test('after a navigation the focus is on the new page\'s heading', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-sup', 'supervision review');
    for (const [link, h] of [['My cases', 'queue-h'], ['Tasks', 'tasks-h'], ['Inbox', 'inbox-h'],
      ['Counsel requests', 'counsel-h'], ['Search', 'search-h'], ['Reports', 'reports-h'], ['Queue', 'queue-h']]) {
      await page.getByRole('link', { name: new RegExp(`^${link}`) }).click();
      await page.locator(`#${h}:focus`).waitFor();
    }
    // From a list to a case: the case's heading.
    await page.locator('#queue-table tbody tr[data-case] .who-cell a').first().click();
    await page.locator('#case-h:focus').waitFor();
    // The browser's back button, too.
    await page.goBack();
    await page.locator('#queue-h:focus').waitFor();
    // Keyboard: from the heading, Tab reaches the page's first control.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.closest('main') !== null), true);
  });
});
