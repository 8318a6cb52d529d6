// The screens of analysts and admins that used to exist only in the API
// (docs/ui.md): linkage review, feed upload (progress, result counts,
// rejects with file:line:column, downloadable), triage runs and the
// rule-set diff, users (with password reset) and tokens; the merge and
// split forms.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, assert, withBrowser, login } from './lib.mjs';

const T = { timeout: 120000 };
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('linkage review: the pairs in the API\'s order, side by side, rejected with a reason', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-ana', 'data quality');
    await page.getByRole('link', { name: 'Linkage review' }).click();
    await page.locator('#linkage-h:focus').waitFor();
    await page.locator('#linkage-note').waitFor();
    const api = await page.evaluate(async () => (await (await fetch('/api/v1/link/review?limit=50',
      { headers: { 'X-Purpose': 'data quality' } })).json()).items.map((p) => p.pair_id));
    const shown = await page.locator('[data-pair]').evaluateAll((ps) => ps.map((p) => Number(p.getAttribute('data-pair'))));
    assert.deepEqual(shown, api, 'the pairs in the API\'s order');
    // Merge and split: what the form refuses, and what the server refuses
    // (no data is changed here: ui.test.mjs and work.test.mjs use it).
    const merge = page.locator('#merge-form');
    await merge.getByLabel('Person to keep').fill('7');
    await merge.getByLabel('Person merged into it').fill('7');
    await merge.getByLabel(/Reason/).fill('same child per school records');
    await merge.getByRole('button', { name: 'Merge' }).click();
    await page.locator('#merge-result .problem').filter({ hasText: 'Two different persons' }).waitFor();
    await merge.getByLabel('Person to keep').fill('999998');
    await merge.getByLabel('Person merged into it').fill('999999');
    await merge.getByRole('button', { name: 'Merge' }).click();
    await page.locator('#merge-result .problem').filter({ hasText: /HTTP 404/ }).waitFor();
    const split = page.locator('#split-form');
    await split.getByLabel('Person', { exact: true }).fill('999999');
    await split.getByLabel(/Records to move/).fill('not a record');
    await split.getByLabel(/Why/).fill('a twin, per the shelter');
    await split.getByRole('button', { name: 'Split' }).click();
    await page.locator('#split-result .problem').filter({ hasText: 'Person and records needed' }).waitFor();
    await split.getByLabel(/Records to move/).fill('cbp_encounter:999999');
    await split.getByRole('button', { name: 'Split' }).click();
    await page.locator('#split-result .problem').filter({ hasText: /HTTP 4\d\d/ }).waitFor();
    // tests/cli/test_browser.sh queues pairs (a child's second encounter
    // under another A-number)
    assert.ok(api.length > 0, 'pairs wait for review');
    assert.match(await page.locator('#linkage-note').innerText(), /pairs? waits? for review/);
    // A pair: both records side by side, each compared field says same or differs.
    const card = page.locator(`[data-pair="${api[0]}"]`);
    assert.match(await card.innerText(), /Probability that they are the same child: \d/);
    const words = await card.locator('tbody tr.agree .tag, tbody tr.differ .tag').allInnerTexts();
    assert.ok(words.length > 0 && words.every((w) => w === 'same' || w === 'differs'), `compared: ${words}`);
    // A decision needs a reason.
    await card.getByRole('button', { name: 'Reject: different children' }).click();
    await card.locator('.problem').waitFor();
    await card.getByLabel(/Reason for the decision/).fill('different birth dates and mothers (synthetic)');
    await card.getByRole('button', { name: 'Reject: different children' }).click();
    await page.locator('#linkage-done').filter({ hasText: `Pair ${api[0]} rejected` }).waitFor();
    assert.equal(await page.locator(`[data-pair="${api[0]}"]`).count(), 0);
  });
});

test('feed upload: a bad file is refused with file:line:column problems to download; a good one imports', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-ana', 'data quality');
    await page.getByRole('link', { name: 'Feed upload' }).click();
    await page.getByLabel('Feed', { exact: true }).selectOption('cbp');
    await page.getByLabel('Files').setInputFiles({ name: 'encounters.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\nx\n') });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const bad = page.locator('#feed-body [data-file="encounters.csv"][data-status="rejected"]');
    await bad.waitFor();
    assert.match(await bad.innerText(), /encounters\.csv: not imported/);
    assert.match(await bad.locator('ul.rejects').innerText(), /encounters\.csv:1:1: header/);
    const [dl] = await Promise.all([page.waitForEvent('download'), bad.getByTestId('rejects-download').click()]);
    assert.equal(dl.suggestedFilename(), 'encounters.csv.rejects.txt');
    let text = '';
    for await (const chunk of await dl.createReadStream()) text += chunk;
    assert.match(text, /^encounters\.csv:1:1: /m);
    // A good events file: the counts of what was read and stored.
    const ev = JSON.stringify({ event_id: 'UI-FEED-1', type: 'contact_attempt', a_number: env.anumB, occurred_at: '2026-11-02',
      recorded_by: 'ui-ana', method: 'phone', outcome: 'no_answer' }) + '\n';
    await page.getByLabel('Feed', { exact: true }).selectOption('events');
    await page.getByLabel('Files').setInputFiles({ name: 'ui-events.jsonl', mimeType: 'application/json', buffer: Buffer.from(ev) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const good = page.locator('#feed-body [data-file="ui-events.jsonl"][data-status="imported"]');
    await good.waitFor();
    assert.match(await good.innerText(), /rows read: 1/);
    assert.match(await good.innerText(), /new: 1|unchanged: 1/);
    // While it works the button says so and cannot be pressed twice.
    assert.equal(await page.getByRole('button', { name: 'Upload and import' }).isEnabled(), true);
  });
});

test('triage runs and the diff between two rule sets (counts and which cases)', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-ana', 'data quality');
    await page.getByRole('link', { name: 'Triage runs' }).click();
    await page.locator('#triage-runs tbody tr[data-run]').first().waitFor();
    // The active rule set against itself: nothing moves.
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.locator('#diff-note').filter({ hasText: /^0 cases would move between groups/ }).waitFor();
    // A rule file without flight-risk rules moves the flight-risk cases.
    const rules = readFileSync(join(root, 'rules/default.rules'), 'utf8').split('\n')
      .filter((l) => !/^ {2}group flight_risk/.test(l))
      .map((l) => (/^rule (in_absentia_order|missed_hearings|nta_served_address_unverified|no_contact_since_release|age_out_approaching)$/.test(l)
        ? `${l}\n  group border_security score 0` : l)).join('\n');
    await page.getByLabel('Or a rule file (.rules)').setInputFiles({ name: 'nofr.rules', mimeType: 'text/plain', buffer: Buffer.from(rules) });
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.locator('#diff-note').filter({ hasNotText: /^0 cases/ }).waitFor();
    const row = page.locator('#diff-body tbody tr').filter({ hasText: 'Flight risk' }).first();
    await row.waitFor();
    await row.getByRole('link').click();
    await page.waitForURL(/#\/case\/\d+/);
    await page.locator('#sec-summary').waitFor();
  });
});

test('users and tokens: add, change the role, set a password, disable, create a token shown once, revoke it', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-admin', 'supervision review');
    const who = `ui-new${Date.now() % 100000}`; // a name of its own on every run
    await page.getByRole('link', { name: 'Users and tokens' }).click();
    await page.locator('#users-body tr[data-user="ui-off"]').waitFor();
    const form = page.locator('#user-form');
    await form.getByLabel(/sign-in name/).fill(who);
    await form.getByLabel('Role').selectOption('officer');
    await form.getByLabel(/Field office/).fill(env.office);
    await form.getByLabel(/Password/).fill(`pw-${who}-0123`);
    await form.getByRole('button', { name: 'Add user' }).click();
    const row = page.locator(`#users-body tr[data-user="${who}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /Officer/);
    // A new role from the row's button: the form holds the user as it is.
    await row.locator('[data-action="role"]').click();
    assert.equal(await page.locator('#cr-name').inputValue(), who);
    assert.equal(await page.locator('#cr-office').inputValue(), env.office);
    await page.locator('#cr-role').selectOption('supervisor');
    await page.getByRole('button', { name: 'Change role', exact: true }).click();
    await page.getByTestId('role-done').waitFor();
    await page.locator(`#users-body tr[data-user="${who}"]`).filter({ hasText: 'Supervisor' }).waitFor();
    // An analyst takes no office: the server says which field is wrong.
    await page.locator('#cr-role').selectOption('analyst');
    await page.getByRole('button', { name: 'Change role', exact: true }).click();
    await page.locator('#role-result').filter({ hasText: 'body.office' }).waitFor();
    // A new password from the row's button; the user signs in with it.
    await row.locator('[data-action="password"]').click();
    assert.equal(await page.locator('#pw-name').inputValue(), who);
    await page.getByLabel(/New password/).fill('another-secret-77');
    await page.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.getByTestId('passwd-done').waitFor();
    const signin = await fetch(`${env.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: who, password: 'another-secret-77' }) });
    assert.equal(signin.status, 201);
    // Disabling asks once more.
    await row.locator('[data-action="disable"]').click();
    await row.getByRole('button', { name: new RegExp(`Really disable ${who}`) }).click();
    await page.locator(`#users-body tr[data-user="${who}"][data-status="disabled"]`).waitFor();
    // A read-only token for the analyst, shown once, then revoked.
    await page.getByLabel('Label', { exact: true }).fill('nightly export');
    await page.getByLabel(/For user/).fill('ui-ana');
    await page.getByLabel('Read only').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('token-shown');
    await shown.waitFor();
    assert.match(await shown.locator('code').innerText(), /\S{16,}/);
    const tok = page.locator('#tokens-body tr[data-status="active"]').filter({ hasText: 'nightly export' });
    await tok.waitFor();
    await tok.locator('[data-action="revoke"]').click();
    await page.locator('#tokens-body tr[data-status="revoked"]').filter({ hasText: 'nightly export' }).waitFor();
  });
});

test('the audit log: newest first, a range of days, pages, the chain checked, CSV', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-admin', 'supervision review');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('#audit-table tbody tr[data-seq]').first().waitFor();
    const seqs = async () => (await page.locator('#audit-table tbody tr[data-seq]').evaluateAll(
      (trs) => trs.map((tr) => Number(tr.getAttribute('data-seq')))));
    const first = await seqs();
    assert.ok(first.length > 1 && first.every((s, i) => i === 0 || s < first[i - 1]), `newest first: ${first.slice(0, 5)}`);
    // The next page goes on below the last entry shown.
    if (first.length === 100) {
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.waitForURL(/before=/);
      await page.waitForFunction((min) => {
        const tr = document.querySelector('#audit-table tbody tr[data-seq]');
        return tr && Number(tr.getAttribute('data-seq')) < min;
      }, Math.min(...first));
      await page.getByRole('button', { name: 'First page' }).click();
      await page.waitForURL((u) => !/before=/.test(u.hash));
    }
    // Today's sign-ins only.
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel('From day').fill(today);
    await page.getByLabel('To day').fill(today);
    await page.getByLabel('Action', { exact: true }).fill('session.create');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/from=/);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#audit-table tbody tr[data-seq]')];
      return rows.length > 0 && rows.every((r) => r.cells[4].textContent === 'session.create');
    });
    // A range in the past holds nothing.
    await page.getByLabel('From day').fill('2001-01-01');
    await page.getByLabel('To day').fill('2001-01-02');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#audit-table tbody').filter({ hasText: 'No entries.' }).waitFor();
    // The chain's status.
    await page.getByRole('button', { name: 'Check the chain' }).click();
    await page.locator('#audit-chain[data-intact="1"]').filter({ hasText: /The chain is intact: [\d,]+ entries checked/ }).waitFor();
    // The page as CSV.
    await page.goto('/#/audit?action=session.create');
    await page.locator('#audit-table tbody tr[data-seq]').first().waitFor();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#audit-csv').click()]);
    assert.equal(dl.suggestedFilename(), 'audit-log.csv');
    let csv = '';
    for await (const chunk of await dl.createReadStream()) csv += chunk;
    assert.match(csv, /^seq,at,actor,role,action,target,purpose,outcome,detail,hash\r\n\d+,/);
    assert.ok(csv.split('\r\n').slice(1).filter(Boolean).every((l) => l.includes(',session.create,')));
  });
});

test("an event's date defaults to the office's day, not the browser's", T, async (t) => {
  // A browser far from the office (UTC+14): its day is often not the office's.
  await withBrowser(t, { timezoneId: 'Pacific/Kiritimati' }, async (page) => {
    await login(page, 'ui-off', 'case work');
    await page.goto(`/#/case/${env.caseA}`);
    await page.locator('#event-form').waitFor();
    const zones = { NOL: 'America/Chicago', HOU: 'America/Chicago', NYC: 'America/New_York', LOS: 'America/Los_Angeles',
      PHO: 'America/Phoenix', SEA: 'America/Los_Angeles', MIA: 'America/New_York', CHI: 'America/Chicago' };
    const zone = zones[env.office];
    if (!zone) return; // the set-up chose an office this test does not know
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .format(new Date());
    const shown = await page.locator('#ev-date').inputValue();
    // at midnight the day may turn between the two reads
    const later = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .format(new Date());
    assert.ok(shown === day || shown === later, `event date ${shown}, the office's day ${day}`);
    assert.equal(await page.locator('#ev-date').getAttribute('max'), shown);
  });
});
