// Screenshots of the UI for docs/ui.md (docs/img/*.jpg), in English and
// in Spanish, from a server on the browser tests' data. Not a test: run it
// by hand with the environment tests/cli/test_browser.sh sets (UC_BASE, the
// case ids, ...), e.g. from a shell that kept that server running:
//   UC_SHOTS=reports node tests/browser/screenshots.mjs
// UC_SHOTS names the screens to take (comma-separated; default all):
// queue, case, case-phone, reports. UC_SHOTS_DIR: where (docs/img).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, password } from './lib.mjs';

const dir = process.env.UC_SHOTS_DIR || 'docs/img';
const only = (process.env.UC_SHOTS || 'queue,case,case-phone,reports').split(',');

async function signIn(page, user, purpose) {
  await page.goto('/');
  await page.locator('#login-user').fill(user);
  await page.locator('#login-pass').fill(password(user));
  await page.locator('#login-form button[type="submit"]').click();
  await page.locator('#purpose-select').selectOption(purpose);
  await page.locator('#purpose-form button[type="submit"]').click();
  await page.locator('#who-name').filter({ hasText: user }).waitFor();
}

async function idle(page) {
  await page.waitForFunction(() => !document.querySelector('.loading') &&
    [...document.images].every((i) => i.complete));
}

const SHOTS = {
  queue: [{ width: 1280, height: 800 }, 'ui-sup', 'supervision review', async (page) => {
    await page.goto('/#/queue');
    await page.locator('#queue-table tbody tr[data-case]').first().waitFor();
  }],
  case: [{ width: 1280, height: 800 }, 'ui-off', 'case work', async (page) => {
    await page.goto(`/#/case/${env.caseA}`);
    await page.locator('#event-form').waitFor();
  }],
  'case-phone': [{ width: 390, height: 844 }, 'ui-off', 'case work', async (page) => {
    await page.goto(`/#/case/${env.caseA}`);
    await page.locator('#event-form').waitFor();
  }],
  // The report by fiscal year: the server's charts above the table.
  reports: [{ width: 1280, height: 800 }, 'ui-admin', 'supervision review', async (page) => {
    await page.goto('/#/reports?by=fy&public=false');
    await page.locator('#report-table').waitFor();
    await page.locator('#report-body img[data-chart="released_by"]').waitFor();
    await idle(page);
    await page.locator('#oversight-h').evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 8));
  }],
};

for (const name of only) {
  const [viewport, user, purpose, go] = SHOTS[name];
  for (const [locale, lang] of [['en-US', 'en'], ['es-ES', 'es']]) {
    const profile = mkdtempSync(join(tmpdir(), 'uctrack-shots-'));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: env.chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'],
      viewport, locale, baseURL: env.base,
    });
    try {
      const page = ctx.pages()[0] || (await ctx.newPage());
      await signIn(page, user, purpose);
      await go(page);
      await idle(page);
      await page.screenshot({ path: join(dir, `${name}-${lang}.jpg`), type: 'jpeg', quality: 80 });
      if (process.env.UC_SHOTS_PNG) await page.screenshot({ path: join(process.env.UC_SHOTS_PNG, `${name}-${lang}.png`) });
    } finally {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
}
