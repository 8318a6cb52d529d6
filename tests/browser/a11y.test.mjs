// Accessibility of every screen, at 1280 px and at 390 px (docs/ui.md,
// "Accessibility and layout"). axe-core is used when it is installed
// (node_modules/axe-core: 0 violations); it is not a dependency of the
// project today, so the checks below stand in for the rules it would run
// most often here, and for what axe does not check (tap target size, focus
// after navigation, reflow):
//  - scrollable regions are focusable and named (axe scrollable-region-focusable);
//  - every form control has a label; every button and link has a name;
//  - ids are unique; aria-labelledby/describedby point at elements;
//  - one visible h1; headings do not skip levels; <html lang> is set;
//  - at 390 px: nothing wider than the screen, tables reflow (stacked
//    cards, or a scrolling region that keyboards reach), tap targets of
//    at least 44 x 44 px;
//  - after a navigation the focus is on the new page's heading.
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { env, assert, withBrowser, login } from './lib.mjs';

const T = { timeout: 240000 };

let axeSource = null;
try {
  axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
} catch (_) {
  axeSource = null; // not installed: the checks below only
}

// The screens of each role: [route, what to wait for].
const SCREENS = {
  'ui-off': ['case work', [['#/queue', '#queue-table tbody tr'], ['#/mine', '#queue-table tbody tr'],
    ['#/tasks', '#tasks-table tbody tr'], ['#/inbox', '#inbox-table tbody tr'], [`#/search?q=${env.anumA}`, '#search-table tbody tr'],
    [`#/case/${env.caseA}`, '#event-form']]],
  'ui-sup': ['supervision review', [['#/queue', '#queue-table tbody tr'], ['#/counsel-requests?status=', '#counsel-body p, #counsel-body table'],
    ['#/reports', '#fta-show'], [`#/case/${env.caseH}`, '#override-form']]],
  'ui-admin': ['supervision review', [['#/audit', '#audit-table tbody tr'], ['#/reports', '#report-table'],
    ['#/users', '#users-body tr[data-user]']]],
  'ui-ana': ['data quality', [['#/linkage', '#linkage-note'], ['#/feeds', '#feed-form'], ['#/triage', '#triage-runs tbody tr']]],
  'ui-lp1': ['legal representation', [['#/clients', '#clients-table tbody tr'], ['#/search', '#search-form']]],
  'ui-aud': ['oversight', [['#/queue', '#queue-table tbody tr'], [`#/case/${env.caseA}`, '#sec-identity']]],
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

async function check(page, where, narrow) {
  const problems = await page.evaluate(pageProblems, narrow);
  if (axeSource) {
    if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ content: axeSource });
    const r = await page.evaluate(async () => (await window.axe.run(document)).violations.map((v) => `axe ${v.id}: ${v.nodes.length}`));
    problems.push(...r);
  }
  assert.deepEqual(problems, [], where);
}

for (const [label, viewport] of [['1280 px', { width: 1280, height: 900 }], ['390 px', { width: 390, height: 844 }]]) {
  test(`every screen of every role at ${label}: no accessibility problem${axeSource ? ' (with axe-core)' : ''}`, T, async (t) => {
    for (const [user, [purpose, screens]] of Object.entries(SCREENS)) {
      await withBrowser(t, { viewport }, async (page) => {
        await login(page, user, purpose);
        for (const [route, ready] of screens) {
          await page.goto('/' + route);
          await page.locator(ready).first().waitFor({ state: 'attached' });
          await page.waitForFunction(() => !document.querySelector('.loading'));
          await check(page, `${user} ${route} at ${label}`, viewport.width < 700);
        }
      });
    }
  });
}

test('the sign-in and purpose screens at 390 px', T, async (t) => {
  await withBrowser(t, { viewport: { width: 390, height: 844 } }, async (page) => {
    await page.goto('/');
    await page.locator('#login-user:focus').waitFor();
    await check(page, 'sign in', true);
    await page.getByLabel('User name', { exact: true }).fill('ui-off');
    await page.getByLabel('Password', { exact: true }).fill('pw-ui-off-0123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Why do you need this data?' }).waitFor();
    await check(page, 'purpose', true);
  });
});

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
