// At the size people run: an officer opens five case pages from the queue
// of a 100,000-child database (tests/cli/test_browser_scale.sh) and each
// shows its summary, timeline and event form. No timing is asserted here
// (bench/journey.sh measures); a page that never answers fails on the
// browser's default timeout, as the case page did before record_link.
import { test } from 'node:test';
import { assert, login, queueRows, withBrowser } from '../lib.mjs';

test('an officer opens five case pages from the queue at 100,000 children', { timeout: 180000 },
  async (t) => {
    await withBrowser(t, async (page) => {
      await login(page, 'ui-off', 'case work');
      const rows = await queueRows(page);
      const links = rows.filter({ hasText: /A\d{3}-\d{3}-\d{3}/ }).locator('a');
      const hrefs = [];
      for (const h of await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
        if (h && !hrefs.includes(h)) hrefs.push(h);
        if (hrefs.length === 5) break;
      }
      assert.equal(hrefs.length, 5, 'five distinct cases in the queue');
      for (const h of hrefs) {
        await page.goto('/' + h);
        const id = h.replace(/^#\/case\//, '');
        await page.locator('#case-h').filter({ hasText: `Case C${id}` }).waitFor();
        await page.locator('#sec-summary').waitFor();
        await page.locator('#event-form').waitFor();
        assert.ok((await page.locator('#sec-timeline tbody tr').count()) > 0, `timeline of C${id}`);
      }
    });
  });
