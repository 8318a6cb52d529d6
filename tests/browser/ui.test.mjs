// Browser tests of the uctrack web UI against a real server (run by
// tests/cli/test_browser.sh, which sets up the data and the users):
// login success and failure, the queue and its filters and paging,
// opening a case, recording a contact attempt and seeing it in the
// timeline, supervisor override with a mandatory reason, legal providers'
// scope, auditors' masking, a hostile name rendered as text, the audit log,
// the report page, a narrow screen, and logout.
import { test } from 'node:test';
import { env, assert, withBrowser, login, queueRows, queueCol } from './lib.mjs';

const T = { timeout: 90000 };

test('login fails with a wrong password and shows the problem (keyboard only)', T, async (t) => {
  await withBrowser(t, async (page) => {
    await page.goto('/');
    // Keyboard only: the user name field has focus, Tab to the password,
    // Enter submits.
    await page.locator('#login-user:focus').waitFor();
    await page.keyboard.type('ui-off');
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    const alert = page.locator('#error');
    await alert.waitFor({ state: 'visible' });
    assert.match(await alert.innerText(), /Sign-in failed/);
    assert.match(await alert.innerText(), /401/);
    assert.equal(await page.locator('#view-login').isVisible(), true);
    assert.equal(await page.locator('#nav').isVisible(), false);
    // No session cookie was set.
    const cookies = await page.context().cookies();
    assert.equal(cookies.filter((c) => c.name === 'uc_session' && c.value).length, 0);
  });
});

test('officer logs in, chooses a purpose, sees the office queue', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-off', 'case work');
    assert.match(page.url(), /#\/queue/);
    const rows = await queueRows(page);
    assert.ok((await rows.count()) > 0, 'queue has rows');
    assert.equal(await page.locator('#qf-office').inputValue(), env.office);
    assert.equal(await page.locator('#who-purpose').innerText(), 'case work');
    // Every row belongs to the officer's office and has the columns.
    const offices = await queueCol(page, 'office');
    assert.ok(offices.every((o) => o === env.office), `all rows in ${env.office}: ${offices}`);
    const first = rows.first();
    assert.match(await first.locator('td[data-col="priority"]').innerText(), /^\d+$/);
    assert.match(await first.locator('td[data-col="next"]').innerText(), /\S/);
    assert.match(await first.locator('td[data-col="due"]').innerText(), /^\d{4}-\d\d-\d\d$/);
    // Officers do not assign: no checkboxes, no assignment bar.
    assert.equal(await page.locator('#assign-bar').isVisible(), false);
    assert.equal(await page.locator('#queue-table tbody input.pick').count(), 0);
    // The session cookie is HttpOnly: the page cannot read it.
    assert.equal(await page.evaluate(() => document.cookie.includes('uc_session')), false);
  });
});

test('queue filters by phase and group, and pages by offset', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-sup', 'supervision review');
    let rows = await queueRows(page);
    const phase = (await rows.first().locator('td[data-col="phase"]').innerText()).trim();
    const group = (await rows.first().locator('td[data-col="group"]').innerText()).trim();
    const filters = page.locator('#queue-filter');
    // the phase is shown in words with its number ("2 Immigration process")
    await filters.getByLabel('Phase').selectOption({ label: phase });
    await filters.getByLabel('Group').selectOption({ label: group });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(new RegExp(`phase=${phase.split(' ')[0]}`));
    // Wait for the filtered page (not the one before the filter).
    await page.waitForFunction(([ph, gr]) => {
      const trs = [...document.querySelectorAll('#queue-table tbody tr[data-case]')];
      const cell = (tr, c) => tr.querySelector(`td[data-col="${c}"]`).textContent;
      return trs.length > 0 && trs.every((tr) => cell(tr, 'phase') === ph && cell(tr, 'group') === gr);
    }, [phase, group]);
    const phases = await queueCol(page, 'phase');
    const groups = await queueCol(page, 'group');
    assert.ok(phases.length > 0);
    assert.ok(phases.every((p) => p === phase), `phases ${phases}`);
    assert.ok(groups.every((g) => g === group), `groups ${groups}`);
    // Paging: an unfiltered admin queue over all offices has more than 50.
    await page.getByRole('button', { name: 'Log out' }).click();
    await login(page, 'ui-admin', 'supervision review');
    rows = await queueRows(page);
    assert.equal(await rows.count(), 50);
    const firstPage = await page.locator('#queue-table tbody tr[data-case]').evaluateAll(
      (trs) => trs.map((tr) => tr.innerText));
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/offset=50/);
    await page.locator('#queue-page').filter({ hasText: /^Showing 51–/ }).waitFor();
    const second = await page.locator('#queue-table tbody tr[data-case]').evaluateAll(
      (trs) => trs.map((tr) => tr.innerText));
    assert.ok(second.length > 0);
    assert.notDeepEqual(second, firstPage);
    await page.getByRole('button', { name: 'First page' }).click();
    await page.locator('#queue-page').filter({ hasText: /^Showing 1–50 of / }).waitFor();
    // The old list of tasks (one row per task) is still there.
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.locator('#tasks-note').filter({ hasText: /tasks? on this page/ }).waitFor();
    assert.ok((await page.locator('#tasks-table tbody tr[data-case]').count()) > 0);
  });
});

test('opening a case from the queue shows identity, explanation, timeline, tasks', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-off', 'case work');
    const rows = await queueRows(page);
    // The first row of a child with an A-number (so identity records exist).
    await rows.filter({ hasText: /A\d{3}-\d{3}-\d{3}/ }).first().locator('a').first().click();
    await page.waitForURL(/#\/case\/\d+/);
    await page.locator('#sec-summary').waitFor();
    assert.match(await page.locator('#case-h').innerText(), /^Case C\d+/);
    for (const h of ['Summary', 'Identity', 'Why this case is here', 'Tasks', 'Address history',
      'Timeline', 'Source records', 'Overrides', 'Record a field event']) {
      assert.equal(await page.getByRole('heading', { name: h, exact: true }).isVisible(), true, h);
    }
    assert.ok((await page.locator('#sec-identity tbody tr').count()) > 0, 'identity rows');
    assert.ok((await page.locator('#sec-timeline tbody tr').count()) > 0, 'timeline rows');
    // Officers may not override.
    assert.equal(await page.locator('#override-form').count(), 0);
  });
});

// The labels of rules, holds and tasks come from the rule set
// (GET /api/v1/rules, docs/rules.md "Labels"), in the UI's language; the
// UI's own table is only the fallback. The answer is rewritten in the
// browser so that each label shows where it came from.
test('the case page shows the labels the rule set declares, in the UI\'s language', T, async (t) => {
  for (const [locale, tag, lang] of [['en-US', 'RS-EN ', null], ['es-ES', 'RS-ES ', 'es']]) {
    await withBrowser(t, { locale }, async (page) => {
      let served = null;
      await page.route('**/api/v1/rules', async (route) => {
        const res = await route.fetch();
        const r = await res.json();
        served = r;
        for (const kind of ['rules', 'holds', 'tasks']) {
          for (const x of r[kind]) {
            assert.ok(x.label && x.labels.es, `${kind} ${x.name || x.action} has labels`);
            if (lang) x.labels[lang] = tag + x.labels[lang];
            else x.label = tag + x.label;
          }
        }
        await route.fulfill({ response: res, json: r });
      });
      await page.goto('/');
      await page.locator('#login-user').fill('ui-sup');
      await page.locator('#login-pass').fill('pw-ui-sup-0123');
      await page.locator('#login-form button[type="submit"]').click();
      await page.locator('#purpose-select').selectOption('supervision review');
      await page.locator('#purpose-form button[type="submit"]').click();
      await page.locator('#who-name').filter({ hasText: 'ui-sup' }).waitFor();
      assert.ok(served, 'GET /api/v1/rules was read after sign-in');
      await page.goto(`/#/case/${env.caseH}`);
      await page.locator('#sec-explain').waitFor();
      const rules = await page.locator('#sec-explain li[data-rule] strong').allInnerTexts();
      const holds = await page.locator('#sec-explain li[data-hold] > div > strong').allInnerTexts();
      assert.ok(holds.length > 0, 'case H has a hold');
      for (const x of rules.concat(holds)) assert.ok(x.startsWith(tag), `"${x}" is the rule set's label`);
      const tasks = await page.locator('#sec-tasks tbody tr td:first-child').allInnerTexts();
      assert.ok(tasks.length > 0 && tasks.every((x) => x.startsWith(tag)), `tasks: ${tasks}`);
    });
  }
});

test('case search by A-number and by birth date', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-ana', 'data quality');
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByLabel(/Name, A-number or birth date/).fill(`A${env.anumA}`);
    await page.getByRole('button', { name: 'Search' }).click();
    const anum = `A${env.anumA.slice(0, 3)}-${env.anumA.slice(3, 6)}-${env.anumA.slice(6)}`;
    const row = page.locator('#search-table tbody tr').filter({ hasText: anum });
    await row.first().waitFor();
    const bd = (await row.first().locator('td').nth(3).innerText()).trim();
    assert.match(bd, /^\d{4}-\d\d-\d\d$/);
    await page.getByLabel(/Name, A-number or birth date/).fill(bd);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#search-note').filter({ hasText: /birth date/ }).waitFor();
    await row.first().waitFor();
  });
});

test('recording a contact attempt shows the re-triaged result and the timeline entry', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-off', 'case work');
    await page.goto(`/#/case/${env.caseA}`);
    await page.locator('#event-form').waitFor();
    const before = await page.locator('#sec-timeline tbody tr[data-what="contact_attempt"]').count();
    await page.getByLabel('Event', { exact: true }).selectOption('contact_attempt');
    await page.getByLabel('Method', { exact: true }).selectOption('phone');
    await page.getByLabel('Outcome', { exact: true }).selectOption('no_answer');
    // After the write the UI reads the case once, not twice.
    const reads = [];
    const onReq = (req) => {
      if (req.method() === 'GET' && new URL(req.url()).pathname === `/api/v1/cases/${env.caseA}`) reads.push(req);
    };
    page.on('request', onReq);
    await page.getByRole('button', { name: 'Record event' }).click();
    const notice = page.getByTestId('retriage');
    await notice.waitFor();
    page.off('request', onReq);
    assert.equal(reads.length, 1, 'one read of the case after recording an event');
    const text = await notice.innerText();
    assert.match(text, /Contact attempt recorded/);
    assert.match(text, /Re-triaged result/);
    assert.match(text, /Group:/);
    const entries = page.locator('#sec-timeline tbody tr[data-what="contact_attempt"]');
    assert.equal(await entries.count(), before + 1);
    const mine = entries.filter({ hasText: 'recorded by: ui-off' });
    assert.equal(await mine.count(), 1);
    assert.match(await mine.innerText(), /no answer/);
    // The server re-triaged the case at once (POST .../events says so).
    assert.equal(await page.getByTestId('retriage-pending').count(), 0);
    // A screening that finds trafficking indicators puts the child under
    // the trafficking protection hold; the sensitive note reads back.
    await page.getByLabel('Event', { exact: true }).selectOption('trafficking_screening');
    await page.getByLabel('Result', { exact: true }).selectOption('indicators_found');
    await page.getByLabel(/^Note/).fill('disclosed debt bondage to sponsor (synthetic)');
    await page.getByRole('button', { name: 'Record event' }).click();
    await page.getByTestId('retriage').filter({ hasText: 'Trafficking screening recorded' }).waitFor();
    assert.match(await page.getByTestId('retriage').innerText(), /Holds: .*→ .*Trafficking protection/);
    await page.locator('#sec-explain li[data-hold="trafficking_protection"]').waitFor();
    assert.match(await page.locator('#sec-timeline').innerText(), /debt bondage/);
  });
});

test('supervisor override needs a reason', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-sup', 'supervision review');
    await page.goto(`/#/case/${env.caseB}`);
    await page.locator('#override-form').waitFor();
    await page.getByLabel('Override', { exact: true }).selectOption('group');
    await page.getByLabel('New group').selectOption('public_safety');
    await page.getByLabel('Reason (required)').fill('short');
    await page.getByRole('button', { name: 'Record override' }).click();
    await page.locator('#ov-result .problem').waitFor();
    assert.match(await page.locator('#ov-result').innerText(), /reason/i);
    const reason = 'verified address by home visit; low flight risk';
    await page.getByLabel('Reason (required)').fill(reason);
    await page.getByRole('button', { name: 'Record override' }).click();
    await page.getByTestId('retriage').waitFor();
    await page.locator('#sec-overrides tbody tr').filter({ hasText: reason }).waitFor();
  });
});

test('a statutory hold is lifted only after a second supervisor approves', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-sup', 'supervision review');
    await page.goto(`/#/case/${env.caseH}`);
    await page.locator('#lift-form').waitFor();
    // the hold is marked, and the one-person override does not offer it
    const hold = await page.locator('#lift-hold').inputValue();
    await page.locator(`[data-statutory="${hold}"]`).waitFor();
    const kinds = await page.locator('#ov-kind option').evaluateAll((os) => os.map((o) => o.value));
    if (kinds.includes('lift_hold')) {
      await page.locator('#ov-kind').selectOption('lift_hold');
      const opts = await page.locator('#ov-value option').evaluateAll((os) => os.map((o) => o.value));
      assert.ok(!opts.includes(hold), `the override form offers statutory hold ${hold}`);
    }
    await page.getByLabel('Why lift it (required)').fill('claim withdrawn at the hearing');
    await page.getByRole('button', { name: 'Request the lift' }).click();
    const row = page.locator('#sec-hold-lifts tbody tr[data-status="pending"]');
    await row.waitFor();
    // the requester may only withdraw, and the hold still holds
    assert.equal(await row.locator('[data-decision="approve"]').count(), 0);
    await row.locator('[data-decision="withdraw"]').waitFor();
    assert.equal(await page.locator(`li[data-hold="${hold}"]`).filter({ hasText: 'lifted by an override' }).count(), 0);
  });
  await withBrowser(t, async (page) => {
    await login(page, 'ui-sup2', 'supervision review');
    // The request waits in the second supervisor's inbox, linked to the case.
    await page.getByRole('link', { name: /^Inbox/ }).click();
    const item = page.locator(`#inbox-table tbody tr[data-kind="hold_lift"][data-case="${env.caseH}"]`);
    await item.waitFor();
    await item.getByRole('link', { name: 'Decide the hold lift' }).click();
    await page.waitForURL(new RegExp(`#/case/${env.caseH}\\?see=hold-lifts$`));
    await page.locator('#h-hold-lifts:focus').waitFor();
    const row = page.locator('#sec-hold-lifts tbody tr[data-status="pending"]');
    await row.waitFor();
    await row.locator('[data-decision="approve"]').click();
    await page.locator('#sec-hold-lifts tbody tr[data-status="approved"]').waitFor();
    await page.locator('#sec-overrides tbody tr').filter({ hasText: 'requested by ui-sup' }).waitFor();
  });
});

test("a legal provider sees its own client and not another provider's", T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-lp1', 'legal representation');
    assert.match(page.url(), /#\/clients/);
    await page.locator('#clients-table tbody tr[data-case]').first().waitFor();
    assert.equal(await page.getByRole('link', { name: 'Queue' }).isVisible(), false);
    await page.getByRole('link', { name: 'Search' }).click();
    const q = page.getByLabel(/Name, A-number or birth date/);
    await q.fill(env.anumA);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#search-table tbody tr').first().waitFor();
    await q.fill(env.anumB);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#search-note').filter({ hasText: 'No cases found' }).waitFor();
    // Going to the other provider's client directly is refused.
    await page.goto(`/#/case/${env.caseB}`);
    const alert = page.locator('#error');
    await alert.waitFor({ state: 'visible' });
    const msg = await alert.innerText();
    assert.match(msg, /403/);
    assert.match(msg, /outside your scope/);
    assert.equal(await page.locator('#sec-identity').count(), 0);
    assert.equal((await page.content()).includes(env.anumB), false);
    // Its own client opens, with the legal event types only.
    await page.goto(`/#/case/${env.caseA}`);
    await page.locator('#event-form').waitFor();
    const types = await page.locator('#ev-type option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(types, ['representation', 'orientation']);
    assert.equal(await page.getByLabel('Provider', { exact: true }).inputValue(), 'KIND');
  });
});

test('an auditor sees masked data only', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-aud', 'oversight');
    const rows = await queueRows(page);
    assert.ok((await rows.count()) > 0);
    assert.match(await page.locator('#queue-note').innerText(), /masked/);
    const names = await page.locator('#queue-table tbody tr[data-case] .who-cell a').allInnerTexts();
    // Children without a name on file show their case number instead.
    assert.ok(names.some((n) => n === '***'), `names masked: ${names.slice(0, 3)}`);
    assert.ok(names.every((n) => n === '***' || /^Case C\d+$/.test(n)), `names masked: ${names.join('|')}`);
    await page.goto(`/#/case/${env.caseA}`);
    await page.getByTestId('masked-note').waitFor();
    const html = await page.content();
    assert.equal(html.includes(env.anumA), false, 'no A-number on the page');
    assert.equal(html.includes('onerror'), false, 'no name on the page');
    const fam = await page.locator('#sec-identity tbody td:nth-child(2)').allInnerTexts();
    assert.ok(fam.length > 0 && fam.every((v) => v === '***'), `family names masked: ${fam}`);
    assert.equal(await page.locator('#event-form').count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Search' }).isVisible(), false);
  });
});

test('a hostile name renders as text, never as HTML', T, async (t) => {
  await withBrowser(t, async (page, ctx) => {
    await login(page, 'ui-off', 'case work');
    await queueRows(page);
    // In the queue, when case A is on its first page.
    const cell = page.locator(`#queue-table tbody tr[data-case="${env.caseA}"] .who-cell a`).first();
    if (await cell.count()) assert.match(await cell.innerText(), /<img src=x onerror=alert\(1\)>/);
    // On the case page, in the identity table and the heading.
    await page.goto(`/#/case/${env.caseA}`);
    await page.locator('#sec-identity').waitFor();
    const given = await page.locator('#sec-identity tbody td:nth-child(3)').allInnerTexts();
    assert.ok(given.includes(env.hostile), `given names: ${given}`);
    assert.ok((await page.locator('#case-h').innerText()).includes(env.hostile));
    // In search results.
    await page.goto(`/#/search?q=${env.anumA}`);
    await page.locator('#search-table tbody tr').first().waitFor();
    assert.ok((await page.locator('#search-table').innerText()).includes(env.hostile));
    // No element was created from it and no script ran.
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => document.querySelectorAll('[onerror]').length), 0);
    assert.deepEqual(ctx.problems, []);
  });
});

test('the audit log shows who read which case, with the purpose', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-admin', 'supervision review');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Actor', { exact: true }).fill('ui-off');
    await page.getByLabel('Action', { exact: true }).fill('case.read');
    await page.getByRole('button', { name: 'Apply' }).click();
    const rows = page.locator('#audit-table tbody tr');
    await rows.filter({ hasText: 'case work' }).first().waitFor();
    const text = await page.locator('#audit-table tbody').innerText();
    assert.match(text, new RegExp(`case:${env.caseA}`));
    assert.equal(text.includes('ui-lp1'), false);
  });
});

// Every chart of the report screen is an <img> that loaded a valid image.
async function chartsLoaded(page, charts) {
  for (const c of charts) await page.locator(`#report-body img[data-chart="${c}"]`).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('#report-body img.chart')]
    .every((i) => i.complete && i.naturalWidth > 0));
}

test('report charts: SVG drawn by the server, by fiscal year and by state, in the UI\'s language', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-admin', 'supervision review');
    await page.goto('/#/reports?by=fy&public=false');
    await page.locator('#report-table').waitFor();
    await chartsLoaded(page, ['funnel', 'whereabouts', 'released_by', 'unknown_by']);
    const svgOf = async (chart) => {
      const src = await page.locator(`#report-body img[data-chart="${chart}"]`).getAttribute('src');
      const res = await page.request.get(src);
      assert.equal(res.status(), 200, src);
      assert.match(res.headers()['content-type'], /^image\/svg\+xml/);
      return res.text();
    };
    let svg = await svgOf('released_by');
    assert.match(svg, /<svg[^>]* role="img"/);
    assert.match(svg, /<title>Children released, by fiscal year<\/title>/);
    assert.match(svg, /<desc>FY20\d\d: [\d,]+;/);
    assert.match(await svgOf('funnel'), /<title>Accounting for every released child<\/title>/);
    // Counts by state.
    await page.getByLabel('Break down by').selectOption('state');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.waitForURL(/by=state/);
    await page.locator('#report-body img[data-chart="unknown_by"][src*="by=state"]').waitFor();
    await chartsLoaded(page, ['unknown_by']);
    assert.match(await svgOf('unknown_by'), /<title>Whereabouts unknown, by state<\/title>/);
    // In Spanish the server draws the words in Spanish.
    await page.locator('#lang-select').selectOption('es');
    await page.locator('#report-body img[data-chart="released_by"][src*="lang=es"]').waitFor();
    await chartsLoaded(page, ['released_by']);
    svg = await svgOf('released_by');
    assert.match(svg, /<title>Niños liberados, por estado<\/title>/);
    assert.match(svg, / lang="es"/);
    assert.match(await page.locator('#report-body img[data-chart="funnel"]').getAttribute('alt'),
      /^Rendición de cuentas de cada niño liberado: Niños entregados a patrocinadores/);
  });
});

test('reports: auditors get the suppressed oversight report, supervisors the FTA list', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-aud', 'oversight');
    await page.getByRole('link', { name: 'Reports' }).click();
    const tbl = page.locator('#report-table');
    await tbl.waitFor();
    assert.match(await tbl.innerText(), /Children released to sponsors/);
    // Charts of the funnel and of the reasons, drawn by the server as SVG
    // images of the publishable report; their text alternative has the figures.
    await chartsLoaded(page, ['funnel', 'whereabouts']);
    const funnel = page.locator('#report-body img[data-chart="funnel"]');
    assert.match(await funnel.getAttribute('src'), /^\/api\/v1\/reports\/oversight\?.*format=svg.*public=true.*chart=funnel/);
    assert.match(await funnel.getAttribute('alt'), /^Accounting for every released child: Children released to sponsors [\d,]+; NTA served/);
    assert.match(await page.locator('#report-body').innerText(), /publishable/);
    assert.equal(await page.getByLabel(/Publishable/).isChecked(), true);
    assert.equal(await page.getByLabel(/Publishable/).isDisabled(), true);
    assert.equal(await page.locator('#fta-part').isVisible(), false);
    // A breakdown by field office has one column per office plus the total.
    await page.getByLabel('Break down by').selectOption('office');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.waitForURL(/by=office/);
    await page.waitForFunction(() => {
      const t = document.querySelector('#report-table');
      return t && t.tHead.rows[0].cells.length > 2;
    });
    await chartsLoaded(page, ['funnel', 'whereabouts', 'released_by', 'unknown_by']);
    await page.getByRole('button', { name: 'Log out' }).click();

    await login(page, 'ui-sup', 'supervision review');
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.locator('#fta-part').waitFor();
    assert.equal(await page.locator('#oversight-part').isVisible(), false);
    await page.getByRole('button', { name: 'Show the list' }).click();
    const body = page.locator('#fta-body');
    await body.filter({ hasText: /as of|No child|HTTP/ }).waitFor();
    assert.match(await body.innerText(), /child(ren)? as of \d{4}-\d\d-\d\d|No child missed a hearing/);
    assert.equal(await body.locator('.problem').count(), 0);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('#fta-csv').click()]);
    assert.equal(csv.suggestedFilename(), 'failure-to-appear.csv');
  });
});

test('an admin downloads the HTML oversight report', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-admin', 'supervision review');
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.locator('#report-table').waitFor();
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download HTML version' }).click(),
    ]);
    assert.equal(dl.suggestedFilename(), 'oversight-report.html');
    const stream = await dl.createReadStream();
    let html = '';
    for await (const chunk of stream) html += chunk;
    assert.match(html, /<html/i);
    assert.match(html, /<svg/);
  });
});

test('narrow screen: no horizontal overflow, every control labelled', T, async (t) => {
  await withBrowser(t, { viewport: { width: 375, height: 740 } }, async (page) => {
    await login(page, 'ui-off', 'case work');
    await queueRows(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
    await page.goto(`/#/case/${env.caseA}`);
    await page.locator('#event-form').waitFor();
    const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow2 <= 1, `case page wider than the screen by ${overflow2}px`);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((e) => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
      .map((e) => e.id || e.name));
    assert.deepEqual(unlabelled, []);
    // Keyboard: the skip link is the first tab stop of a fresh page.
    await page.reload();
    await page.locator('#event-form').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  });
});

test('logout ends the session', T, async (t) => {
  await withBrowser(t, async (page) => {
    await login(page, 'ui-off', 'case work');
    await queueRows(page);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('#nav').isVisible(), false);
    // No child's data is left in the page for the next user.
    assert.equal(await page.locator('#queue-table tbody tr').count(), 0);
    assert.equal((await page.content()).includes(env.anumA.slice(0, 3) + '-'), false);
    // The server no longer knows the session.
    const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    assert.equal(status, 401);
    // A bookmarked case page asks for a login again.
    await page.goto(`/#/case/${env.caseA}`);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('#sec-identity').count(), 0);
  });
});
