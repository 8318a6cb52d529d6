// Browser tests of field work (issue 14, docs/ui.md): the queue of
// children (one row per child, total, overdue filter, due-date sort, CSV),
// bulk assignment by a supervisor and "My cases" of the officer,
// completing a task and seeing the next one, the inbox badge and screen,
// and a legal provider asking to be recorded as counsel, confirmed by an
// analyst. Run by tests/cli/test_browser.sh (data, users, server).
import { test } from 'node:test';
import { env, assert, withBrowser, login, logout, queueRows, queueCol } from './lib.mjs';

const T = { timeout: 120000 };

// The number in the header's inbox badge, once it is shown.
async function badge(page) {
  const b = page.getByTestId('inbox-count');
  await b.waitFor();
  return Number((await b.innerText()).replace(/,/g, ''));
}

test('the queue shows one row per child with a total; overdue filter, due-date sort, CSV', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-sup', 'supervision review');
    let rows = await queueRows(page);
    const note = await page.locator('#queue-note').innerText();
    const m = note.match(/^([\d,]+) children/);
    assert.ok(m, `the total is shown: ${note}`);
    const total = Number(m[1].replace(/,/g, ''));
    // The server's total, read the same way the page did.
    const api = await page.evaluate(async () => {
      const r = await fetch('/api/v1/work/cases?limit=1', { headers: { 'X-Purpose': 'supervision review' } });
      return r.json();
    });
    assert.equal(total, api.total);
    // One row per child.
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-case')));
    assert.ok(ids.length > 0);
    assert.equal(new Set(ids).size, ids.length, 'no child twice');
    assert.equal(ids.length, Math.min(50, total));
    // Each row: priority, next task, open count, flags as words.
    const first = rows.first();
    assert.match(await first.locator('td[data-col="tasks"]').innerText(), /^\d+ open/);
    assert.match(await first.locator('td[data-col="assignee"]').innerText(), /\S/);

    // Overdue only: every row says "Overdue" in words, and there are fewer.
    await page.getByLabel('Overdue only').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/overdue=1/);
    await page.locator('#queue-note').filter({ hasText: /^[\d,]+ child/ }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('#queue-table tbody tr[data-case]')]
      .every((tr) => tr.getAttribute('data-overdue') === '1'));
    rows = page.locator('#queue-table tbody tr[data-case]');
    const n = await rows.count();
    assert.ok(n > 0, 'some children are overdue (the data was triaged two weeks ago)');
    const overdueTotal = Number((await page.locator('#queue-note').innerText()).match(/^([\d,]+)/)[1].replace(/,/g, ''));
    assert.ok(overdueTotal < total, `overdue ${overdueTotal} of ${total}`);
    const flags = await queueCol(page, 'flags');
    assert.ok(flags.every((f) => /Overdue/.test(f)), `flags: ${flags}`);
    const today = new Date().toISOString().slice(0, 10);
    const dues = await queueCol(page, 'due');
    assert.ok(dues.every((d) => d < today), `overdue rows are due before ${today}: ${dues}`);

    // Sort by due date (filter off): due dates never go down.
    await page.getByLabel('Overdue only').uncheck();
    await page.getByLabel('Sort by').selectOption('due');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((u) => /sort=due/.test(u.hash) && !/overdue/.test(u.hash));
    await page.locator('#queue-note').filter({ hasText: `${total.toLocaleString('en-US')} children` }).waitFor();
    const sorted = (await queueCol(page, 'due')).map((d) => (d === '—' ? '9999' : d));
    assert.ok(sorted.length > 0);
    assert.deepEqual(sorted, [...sorted].sort(), 'sorted by due date');

    // CSV of what is shown: a header and one line per row on the page.
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    assert.equal(dl.suggestedFilename(), 'children-queue.csv');
    let csv = '';
    for await (const chunk of await dl.createReadStream()) csv += chunk;
    const lines = csv.trim().split('\n');
    assert.match(lines[0], /^case_id,a_number,name,office,group,phase/);
    assert.equal(lines.length - 1, await page.locator('#queue-table tbody tr[data-case]').count());
    const shown = await page.locator('#queue-table tbody tr[data-case]').first().getAttribute('data-case');
    assert.ok(lines[1].startsWith(shown + ','), `CSV starts with the first row shown (${shown})`);
  });
});

test('a supervisor assigns 3 children in bulk; the officer finds them under My cases and completes a contact task', T, async (t) => {
  let picked = [];
  await withBrowser(t, async (page) => {
    await login(page, 'ui-sup', 'supervision review');
    await queueRows(page);
    // Unassigned and overdue children: their contact is late.
    await page.getByLabel('Assigned to', { exact: true }).selectOption('none');
    await page.getByLabel('Overdue only').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/assignee=none/);
    await page.locator('#queue-note').filter({ hasText: /child/ }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('#queue-table tbody tr[data-case]')]
      .every((tr) => tr.getAttribute('data-overdue') === '1'));
    const ids = await page.locator('#queue-table tbody tr[data-case]').evaluateAll(
      (trs) => trs.map((tr) => tr.getAttribute('data-case')));
    picked = ids.filter((id) => ![env.caseA, env.caseB, env.caseH].includes(id)).slice(0, 3);
    assert.equal(picked.length, 3, `three unassigned overdue children: ${ids}`);
    assert.equal(await page.getByText('0 selected').isVisible(), true);
    for (const id of picked) {
      await page.locator(`#queue-table tbody tr[data-case="${id}"] input.pick`).check();
    }
    await page.getByText('3 selected').waitFor();
    // A refusal shows the API's reason: an analyst cannot be given cases.
    const bar = page.locator('#assign-bar');
    await bar.getByLabel('Assign selected to').fill('ui-ana');
    await bar.getByRole('button', { name: 'Assign selected', exact: true }).click();
    const refused = page.locator('#assign-result .problem');
    await refused.waitFor();
    assert.match(await refused.innerText(), /HTTP 400/);
    assert.match(await refused.innerText(), /officers and supervisors/);
    // The office's officers are offered (GET /work/assignees); an analyst is not.
    await page.locator('#assignee-names option[value="ui-off"]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#assignee-names option[value="ui-ana"]').count(), 0);
    // Now to the officer.
    await bar.getByLabel('Assign selected to').fill('ui-off');
    await bar.getByLabel('Assignment note (optional)').fill('caseload for this week');
    await bar.getByRole('button', { name: 'Assign selected', exact: true }).click();
    await page.locator('#assign-done').filter({ hasText: '3 children assigned to ui-off' }).waitFor();
    // Assigned children left the "unassigned" list.
    const left = await page.locator('#queue-table tbody tr[data-case]').evaluateAll(
      (trs) => trs.map((tr) => tr.getAttribute('data-case')));
    assert.ok(picked.every((id) => !left.includes(id)), 'assigned children are no longer unassigned');
    await logout(page);

    await login(page, 'ui-off', 'case work');
    await queueRows(page);
    await page.getByRole('link', { name: 'My cases' }).click();
    await page.waitForURL(/#\/mine/);
    await page.getByRole('heading', { name: 'My cases' }).waitFor();
    await page.locator('#queue-note').filter({ hasText: /assigned to you/ }).waitFor();
    const mine = await page.locator('#queue-table tbody tr[data-case]').evaluateAll(
      (trs) => trs.map((tr) => tr.getAttribute('data-case')));
    for (const id of picked) assert.ok(mine.includes(id), `case ${id} under My cases: ${mine}`);
    assert.ok((await queueCol(page, 'assignee')).every((a) => a === 'ui-off'));

    // Open one that has an open contact task besides others; complete it.
    let done = false;
    for (const id of picked) {
      await page.locator(`#queue-table tbody tr[data-case="${id}"] td[data-col="child"] a`).click();
      await page.waitForURL(new RegExp(`#/case/${id}$`));
      await page.locator('#sec-tasks').waitFor();
      const contact = page.locator('#sec-tasks tbody tr[data-action="contact"][data-status="open"]');
      const openCount = await page.locator('#sec-tasks tbody tr[data-status="open"]').count();
      if (!(await contact.count()) || openCount < 2) {
        await page.goBack();
        await page.locator('#queue-note').filter({ hasText: /assigned to you/ }).waitFor();
        continue;
      }
      assert.match(await page.locator('#case-assignee').innerText(), /Assigned to ui-off/);
      // The work history has the assignment with its note.
      const hist = page.locator('#sec-work-history tbody tr[data-kind="assignment"]').first();
      assert.match(await hist.innerText(), /Assigned to ui-off/);
      assert.match(await hist.innerText(), /caseload for this week/);
      // Not possible needs a reason (checked before anything is sent).
      await contact.getByRole('button', { name: /^Not possible/ }).click();
      const form = page.locator('#task-form');
      await form.waitFor();
      assert.equal(await form.getByLabel('How it was tried').evaluate((e) => e === document.activeElement), true,
        'the first field has the focus');
      await form.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await form.count(), 0);
      // Done: the contact was made by phone.
      const reads = [];
      const onReq = (req) => {
        if (req.method() === 'GET' && new URL(req.url()).pathname === `/api/v1/cases/${id}`) reads.push(req);
      };
      page.on('request', onReq);
      await contact.getByRole('button', { name: /^Done/ }).click();
      await form.getByLabel('How was the child reached').selectOption('phone');
      await form.getByRole('button', { name: 'Record as done' }).click();
      const notice = page.getByTestId('task-done');
      await notice.waitFor();
      page.off('request', onReq);
      assert.equal(reads.length, 1, 'one read of the case after completing the task');
      assert.match(await notice.innerText(), /Contact: done — recorded as contact attempt/i);
      assert.match(await page.getByTestId('next-task').innerText(), /^Next task: \S.*, due \d{4}-\d\d-\d\d\.$/);
      // The contact task is gone; the next task is in the table.
      assert.equal(await page.locator('#sec-tasks tbody tr[data-action="contact"][data-status="open"]').count(), 0);
      const next = (await page.getByTestId('next-task').innerText()).match(/^Next task: (.*), due/)[1];
      const actions = await page.locator('#sec-tasks tbody tr[data-status="open"] td:first-child').allInnerTexts();
      assert.ok(actions.includes(next), `next task ${next} among ${actions}`);
      // The work history has the outcome.
      await page.locator('#sec-work-history tbody tr[data-kind="task"][data-how="done"][data-action="contact"]').waitFor();
      done = true;
      break;
    }
    assert.ok(done, `one of ${picked} has an open contact task and another task`);
  });
});

test('keyboard only: an officer records a welfare check of concern from My cases', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-off', 'case work');
    await page.goto('/#/mine');
    await page.locator('#queue-note').filter({ hasText: /assigned to you/ }).waitFor();
    const ids = await page.locator('#queue-table tbody tr[data-case]').evaluateAll(
      (trs) => trs.map((tr) => tr.getAttribute('data-case')));
    let found = null;
    for (const id of ids) {
      await page.goto(`/#/case/${id}`);
      await page.locator('#case-h').filter({ hasText: `Case C${id}` }).waitFor();
      await page.locator('#sec-tasks').waitFor();
      if (await page.locator('#sec-tasks tbody tr[data-action="welfare_check"][data-status="open"]').count()) {
        found = id;
        break;
      }
    }
    assert.ok(found, `a case of ui-off with an open welfare check: ${ids}`);
    const row = page.locator('#sec-tasks tbody tr[data-action="welfare_check"][data-status="open"]');
    // The button names its task for screen readers.
    const btn = row.getByRole('button', { name: 'Done… (Welfare check)' });
    await btn.focus();
    await page.keyboard.press('Enter');
    const form = page.locator('#task-form');
    await form.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tk-outcome');
    // Escape closes the form and gives the focus back to the button.
    await page.keyboard.press('Escape');
    assert.equal(await form.count(), 0);
    assert.equal(await btn.evaluate((b) => b === document.activeElement), true);
    await page.keyboard.press('Enter');
    await form.waitFor();
    await page.keyboard.press('ArrowDown'); // safe -> concern
    assert.equal(await form.getByLabel('How the child is').inputValue(), 'concern');
    await page.keyboard.press('Tab');
    await page.keyboard.type('sponsor not at home; child looked tired (synthetic)');
    await page.keyboard.press('Tab'); // the date
    await page.keyboard.press('Tab'); // the note
    await page.keyboard.press('Tab'); // Record as done
    await page.keyboard.press('Enter');
    await page.getByTestId('task-done').filter({ hasText: 'Welfare check: done — recorded as welfare check' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'retriage');
    const ev = page.locator('#sec-timeline tbody tr[data-what="welfare_check"]').filter({ hasText: 'recorded by: ui-off' });
    await ev.first().waitFor();
    assert.match(await ev.first().innerText(), /concern/);
    assert.match(await ev.first().innerText(), /child looked tired/);
  });
});

test('a supervisor assigns and unassigns on the case page; a held task cannot be completed', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-sup', 'supervision review');
    await page.goto(`/#/case/${env.caseB}`);
    const form = page.locator('#assign-form');
    await form.waitFor();
    // Refused: the API says why.
    await form.getByLabel(/^(Assign|Reassign) to$/).fill('ui-lp1');
    await form.getByRole('button', { name: /^(Assign|Reassign)$/ }).click();
    await page.locator('#ca-result .problem').waitFor();
    assert.match(await page.locator('#ca-result').innerText(), /HTTP 4\d\d/);
    await form.getByLabel(/^(Assign|Reassign) to$/).fill('ui-sup2');
    await form.getByRole('button', { name: /^(Assign|Reassign)$/ }).click();
    await page.locator('#retriage').filter({ hasText: 'Assigned to ui-sup2' }).waitFor();
    assert.match(await page.locator('#case-assignee').innerText(), /Assigned to ui-sup2/);
    await page.getByRole('button', { name: 'Unassign', exact: true }).click();
    await page.locator('#retriage').filter({ hasText: 'Unassigned.' }).waitFor();
    assert.match(await page.locator('#case-assignee').innerText(), /Nobody is assigned/);
    const kinds = await page.locator('#sec-work-history tbody tr[data-kind="assignment"] td:nth-child(2)').allInnerTexts();
    assert.deepEqual(kinds.slice(0, 2), ['Unassigned', 'Assigned to ui-sup2']);
    // A held task says what holds it and offers no button.
    const held = await page.evaluate(async () => {
      const r = await fetch('/api/v1/work/cases?hold=1&limit=100', { headers: { 'X-Purpose': 'supervision review' } });
      const d = await r.json();
      const c = d.items.find((i) => i.held_tasks > 0);
      return c ? c.case_id : null;
    });
    assert.ok(held, 'a child with a held task');
    await page.goto(`/#/case/${held}`);
    const row = page.locator('#sec-tasks tbody tr[data-status="held"]').first();
    await row.waitFor();
    assert.match(await row.innerText(), /Held by \S/);
    assert.equal(await row.getByRole('button').count(), 0);
  });
});

test('the inbox badge count matches the inbox screen', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-off', 'case work');
    const n = await badge(page);
    assert.ok(n > 0, 'the officer has reminders (assigned overdue children)');
    await page.getByRole('link', { name: /^Inbox/ }).click();
    await page.locator('#inbox-note').filter({ hasText: /reminder/ }).waitFor();
    assert.match(await page.locator('#inbox-note').innerText(), new RegExp(`^${n.toLocaleString('en-US')} reminders?`));
    const rows = page.locator('#inbox-table tbody tr[data-kind]');
    assert.equal(await rows.count(), Math.min(n, 100));
    const counted = await page.locator('#inbox-counts li strong').allInnerTexts();
    assert.equal(counted.reduce((s, x) => s + Number(x.replace(/,/g, '')), 0), n);
    assert.ok((await page.locator('#inbox-table tbody tr[data-kind="overdue"]').count()) > 0, 'overdue tasks listed');
    // Each reminder leads to its case.
    const link = rows.first().locator('td:nth-child(2) a');
    const id = (await link.innerText()).slice(1);
    await link.click();
    await page.waitForURL(new RegExp(`#/case/${id}$`));
    await page.locator('#sec-tasks').waitFor();
    assert.equal(await badge(page), n);
  });
});

test('a legal provider asks to be counsel; an analyst confirms; the child is under My clients', T, async (t) => {
  const anum = `A${env.anumC.slice(0, 3)}-${env.anumC.slice(3, 6)}-${env.anumC.slice(6)}`;
  await withBrowser(t, async (page) => {
    await login(page, 'ui-lp1', 'legal representation');
    await page.getByRole('heading', { name: 'My clients' }).waitFor();
    await page.locator('#clients-note').filter({ hasText: /client/ }).waitFor();
    assert.equal(await page.locator('#clients-table tbody tr').filter({ hasText: anum }).count(), 0);
    const before = await page.locator('#clients-table tbody tr[data-case]').count();
    // The search by A-number finds nothing the provider may see: it offers
    // the request instead of a dead end.
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByLabel(/Name, A-number or birth date/).fill(env.anumC);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#search-note').filter({ hasText: 'No cases found' }).waitFor();
    const ask = page.locator('#sec-ask');
    await ask.waitFor();
    assert.equal(await ask.getByLabel('A-number of the child').inputValue(), anum);
    // The reason is required.
    await ask.getByRole('button', { name: 'Ask to be recorded as counsel' }).click();
    await ask.locator('.problem').filter({ hasText: 'A reason is required' }).waitFor();
    await ask.getByLabel(/Why you are the child's counsel/).fill('retained by the sponsor; G-28 filed (synthetic)');
    await ask.getByRole('button', { name: 'Ask to be recorded as counsel' }).click();
    await page.getByTestId('counsel-asked').filter({ hasText: 'pending' }).waitFor();
    // Asking again: the API says it is pending already.
    await ask.getByLabel(/Why you are the child's counsel/).fill('again');
    await ask.getByRole('button', { name: 'Ask to be recorded as counsel' }).click();
    await ask.locator('.problem').filter({ hasText: /409/ }).waitFor();
    assert.match(await ask.locator('.problem').innerText(), /already pending/);
    // My requests lists it as pending.
    await page.getByRole('link', { name: 'My clients' }).click();
    const mine = page.locator('#myreq-body tbody tr[data-status="pending"]').filter({ hasText: 'G-28 filed' });
    await mine.waitFor();
    await logout(page);

    await login(page, 'ui-ana', 'data quality');
    assert.ok((await badge(page)) >= 1, "the request is in the analyst's inbox");
    await page.getByRole('link', { name: /^Inbox/ }).click();
    const item = page.locator('#inbox-table tbody tr[data-kind="counsel_request"]').first();
    await item.waitFor();
    await item.getByRole('link', { name: 'Decide the request' }).click();
    await page.waitForURL(/#\/counsel-requests/);
    const row = page.locator('#counsel-body tbody tr[data-status="pending"]').filter({ hasText: 'G-28 filed' });
    await row.waitFor();
    assert.match(await row.innerText(), /KIND/);
    await row.getByLabel(/Note for request/).fill('G-28 seen');
    await row.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('#counsel-note').filter({ hasText: /pending/ }).waitFor();
    await page.locator('#status').filter({ hasText: /confirmed/ }).waitFor();
    assert.equal(await page.locator('#counsel-body tbody tr').filter({ hasText: 'G-28 filed' }).count(), 0);
    await page.getByLabel('Status', { exact: true }).selectOption('confirmed');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#counsel-body tbody tr[data-status="confirmed"]').filter({ hasText: 'G-28 seen' }).waitFor();
    await logout(page);

    await login(page, 'ui-lp1', 'legal representation');
    const client = page.locator('#clients-table tbody tr[data-case]').filter({ hasText: anum });
    await client.waitFor();
    assert.equal(await page.locator('#clients-table tbody tr[data-case]').count(), before + 1);
    await page.locator('#myreq-body tbody tr[data-status="confirmed"]').filter({ hasText: 'G-28 filed' }).waitFor();
    // The new client's case opens.
    await client.locator('a').first().click();
    await page.locator('#sec-summary').waitFor();
    assert.match(await page.locator('#sec-summary').innerText(), new RegExp(anum));
  });
});

test('390 px: the queue, the case page with a task form, and the inbox fit the screen', T, async (t) => {
  await withBrowser(t, { viewport: { width: 390, height: 800 } }, async (page) => {
    await login(page, 'ui-sup', 'supervision review');
    await queueRows(page);
    const wide = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok((await wide()) <= 1, `queue wider than the screen by ${await wide()}px`);
    // The child whose task is due first has an open task.
    await page.getByLabel('Sort by').selectOption('due');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/sort=due/);
    await page.locator('#queue-note').filter({ hasText: /child/ }).waitFor();
    await page.locator('#queue-table tbody tr[data-case] td[data-col="child"] a').first().click();
    const open = page.locator('#sec-tasks tbody tr[data-status="open"]').first();
    await open.waitFor();
    await open.getByRole('button', { name: /^Done/ }).click();
    await page.locator('#task-form').waitFor();
    assert.ok((await wide()) <= 1, `case page wider than the screen by ${await wide()}px`);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((e) => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
      .map((e) => e.id || e.name));
    assert.deepEqual(unlabelled, []);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#task-form').count(), 0);
    await page.getByRole('link', { name: /^Inbox/ }).click();
    await page.locator('#inbox-note').filter({ hasText: /reminder/ }).waitFor();
    assert.ok((await wide()) <= 1, `inbox wider than the screen by ${await wide()}px`);
  });
});
