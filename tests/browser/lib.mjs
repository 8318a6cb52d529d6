// Shared helpers for the browser tests: launch Debian's chromium through
// playwright-core (never a downloaded browser), one fresh profile per
// test, log in through the UI, and catch page errors, alerts and CSP
// violations. Environment (set by tests/cli/test_browser.sh):
//   UC_BASE      http://127.0.0.1:PORT of a running `uctrack serve`
//   UC_CHROMIUM  the browser binary (default /usr/bin/chromium)
//   UC_OFFICE, UC_CASE_A, UC_ANUM_A, UC_CASE_B, UC_ANUM_B, UC_CASE_H,
//   UC_ANUM_C (a child nobody represents), UC_HOSTILE
//   UC_ARTIFACTS where screenshots of failures go
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const env = {
  base: must('UC_BASE'),
  office: must('UC_OFFICE'),
  caseA: must('UC_CASE_A'),
  anumA: must('UC_ANUM_A'),
  caseB: must('UC_CASE_B'),
  anumB: must('UC_ANUM_B'),
  caseH: must('UC_CASE_H'),
  anumC: process.env.UC_ANUM_C || '',
  hostile: process.env.UC_HOSTILE || '<img src=x onerror=alert(1)>',
  chromium: process.env.UC_CHROMIUM || '/usr/bin/chromium',
  artifacts: process.env.UC_ARTIFACTS || join(tmpdir(), 'uctrack-browser-artifacts'),
};

function must(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the browser tests through tests/cli/test_browser.sh`);
  return v;
}

export const password = (user) => `pw-${user}-0123`;

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// A browser with a fresh profile directory; returns {context, page, done}.
// done() asserts that no page error, alert or CSP violation happened, and
// closes everything.
export async function open(t, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'uctrack-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: env.chromium,
    headless: true,
    args: ARGS,
    viewport: opts.viewport || { width: 1280, height: 900 },
    // the browser's language: navigator.languages and Accept-Language
    locale: opts.locale || 'en-US',
    timezoneId: opts.timezoneId,
    baseURL: env.base,
  });
  context.setDefaultTimeout(15000);
  const page = context.pages()[0] || (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => {
    problems.push(`dialog ${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    // CSP violations and script errors are console errors; failed API
    // calls (4xx) are expected in some tests and are logged as
    // "Failed to load resource", which is not a problem of the page.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) {
      problems.push(`console error: ${m.text()}`);
    }
  });
  let closed = false;
  const done = async (ok = true) => {
    if (closed) return;
    closed = true;
    try {
      if (!ok) {
        mkdirSync(env.artifacts, { recursive: true });
        const name = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
        await page.screenshot({ path: join(env.artifacts, `${name}.png`), fullPage: true }).catch(() => {});
      }
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
    if (ok) assert.deepEqual(problems, [], 'no page errors, alerts or CSP violations');
  };
  return { context, page, problems, done };
}

// Run body(page, ctx) in a fresh browser; screenshot on failure.
export async function withBrowser(t, opts, body) {
  if (typeof opts === 'function') {
    body = opts;
    opts = {};
  }
  const ctx = await open(t, opts);
  let ok = false;
  try {
    await body(ctx.page, ctx);
    ok = true;
  } finally {
    await ctx.done(ok);
  }
}

// Log in through the form and choose a purpose; ends on the start page.
export async function login(page, user, purpose) {
  await page.goto('/');
  await page.getByLabel('User name', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password(user));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Why do you need this data?' }).waitFor();
  if (purpose) await page.getByLabel('Purpose').selectOption(purpose);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('#who-name').filter({ hasText: user }).waitFor();
}

// Wait for the queue of children to have rows (or the empty-row message):
// the note then says how many children ("52 children · office NOL").
export async function queueRows(page) {
  await page.locator('#queue-note').filter({ hasText: /child/ }).waitFor();
  return page.locator('#queue-table tbody tr[data-case]');
}

// The text of one column (data-col) of every row of the queue of children.
export async function queueCol(page, col) {
  return page.locator(`#queue-table tbody tr[data-case] td[data-col="${col}"]`).allInnerTexts();
}

// Sign out through the header.
export async function logout(page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

export { assert };
