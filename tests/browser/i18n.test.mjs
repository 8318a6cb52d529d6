// The UI in Spanish (docs/ui.md, "Languages"): a browser whose language is
// Spanish gets the Spanish UI (lang="es", dates day/month/year, numbers
// with Spanish grouping) and an officer works a whole flow in it: sign in,
// purpose, the queue, a case, recording a contact attempt, search by a
// birth date typed the Spanish way. The header's switch changes the
// language at once and the choice survives a reload.
import { test } from 'node:test';
import { env, assert, withBrowser, password } from './lib.mjs';

const T = { timeout: 120000 };

// English words that must not be left on a Spanish screen.
const ENGLISH = /\b(Loading|Record event|Summary|Timeline|Overdue|Due soon|Children to work on|Sign in|Next page|nobody|Identity|Where the child is)\b/;

async function loginEs(page, user, purpose) {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
  await page.getByLabel('Usuario', { exact: true }).fill(user);
  await page.getByLabel('Contraseña', { exact: true }).fill(password(user));
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  await page.getByRole('heading', { name: '¿Para qué necesita estos datos?' }).waitFor();
  await page.getByLabel('Propósito').selectOption(purpose);
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.locator('#who-name').filter({ hasText: user }).waitFor();
}

async function noEnglish(page, where) {
  const text = await page.locator('main').innerText();
  const m = ENGLISH.exec(text);
  assert.equal(m, null, `${where}: English left on a Spanish screen: ${m && m[0]}`);
}

test('a whole flow in Spanish: sign in, queue, case, contact attempt, search', T, async (t) => {
  await withBrowser(t, { locale: 'es-ES' }, async (page) => {
    await loginEs(page, 'ui-off', 'case work');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
    assert.equal(await page.locator('#lang-select').inputValue(), 'es');
    assert.equal(await page.locator('#who-purpose').innerText(), 'trabajo de caso');
    assert.equal(await page.locator('#who-role').innerText(), `Agente · ${env.office}`);
    // The queue: heading, note and flags in Spanish, dates day/month/year.
    await page.getByRole('heading', { name: 'Niños por atender' }).waitFor();
    await page.locator('#queue-note').filter({ hasText: /niños? · oficina/ }).waitFor();
    const dues = await page.locator('#queue-table tbody td[data-col="due"]').allInnerTexts();
    assert.ok(dues.length > 0);
    assert.ok(dues.every((d) => /^\d\d\/\d\d\/\d{4}$/.test(d) || d === '—'), `dates: ${dues.slice(0, 3)}`);
    // The <time> keeps the ISO date.
    const iso = await page.locator('#queue-table tbody td[data-col="due"] time').first().getAttribute('datetime');
    assert.match(iso, /^\d{4}-\d\d-\d\d$/);
    const [y, m, d] = iso.split('-');
    assert.equal(await page.locator('#queue-table tbody td[data-col="due"] time').first().innerText(), `${d}/${m}/${y}`);
    const flags = await page.locator('#queue-table tbody td[data-col="flags"] .tag').allInnerTexts();
    assert.ok(flags.every((f) => f === 'Vencida' || f === 'Vence pronto'), `flags: ${flags}`);
    await noEnglish(page, 'queue');

    // A case (B: case A's timeline is counted by ui.test.mjs): the
    // essentials first, in Spanish.
    await page.goto(`/#/case/${env.caseB}`);
    await page.locator('#event-form').waitFor();
    assert.match(await page.locator('#case-h').innerText(), /^Caso C\d+/);
    for (const h of ['Resumen', 'Tareas', 'Registrar un evento de campo', 'Por qué este caso está aquí',
      'Identidad', 'Cronología', 'Registros de origen']) {
      assert.equal(await page.getByRole('heading', { name: h, exact: true }).isVisible(), true, h);
    }
    for (const k of ['Dónde está el niño', 'Patrocinador', 'Abogado', 'Próxima audiencia', 'Edad', 'Último contacto', 'Bloqueos']) {
      await page.locator('#sec-summary dt').filter({ hasText: k }).first().waitFor();
    }
    assert.match(await page.locator('#sec-summary [data-fact="age"] dd').innerText(), /años/);
    await noEnglish(page, 'case');

    // Record a contact attempt with the Spanish form.
    await page.getByLabel('Evento', { exact: true }).selectOption('contact_attempt');
    await page.getByLabel('Método', { exact: true }).selectOption({ label: 'visita a domicilio' });
    await page.getByLabel('Resultado', { exact: true }).selectOption({ label: 'no está en la dirección' });
    await page.getByRole('button', { name: 'Registrar evento' }).click();
    const notice = page.getByTestId('retriage');
    await notice.filter({ hasText: 'Intento de contacto registrado' }).waitFor();
    assert.match(await notice.innerText(), /Resultado de la reclasificación/);
    const entry = page.locator('#sec-timeline tbody tr[data-what="contact_attempt"]')
      .filter({ hasText: 'registrado por: ui-off' }).filter({ hasText: 'no está en la dirección' });
    assert.ok((await entry.count()) >= 1, 'the timeline shows the attempt in Spanish');

    // Search by a birth date typed day/month/year.
    const bd = await page.locator('#sec-identity tbody tr').first().locator('time').first().getAttribute('datetime');
    const [by, bm, bdd] = bd.split('-');
    await page.getByRole('link', { name: 'Buscar' }).click();
    await page.getByRole('heading', { name: 'Buscar un caso' }).waitFor();
    await page.getByLabel(/Nombre, número A o fecha de nacimiento/).fill(`${bdd}/${bm}/${by}`);
    await page.getByRole('button', { name: 'Buscar', exact: true }).click();
    await page.locator('#search-note').filter({ hasText: /encontrados? \(búsqueda por fecha de nacimiento\)/ }).waitFor();
    await page.locator("#search-table tbody tr").first().waitFor();
    await noEnglish(page, 'search');
  });
});

test('the language switch changes the page at once and is remembered', T, async (t) => {
  await withBrowser(t, { locale: 'es-MX' }, async (page) => {
    await loginEs(page, 'ui-sup', 'supervision review');
    await page.getByRole('heading', { name: 'Niños por atender' }).waitFor();
    // Switch to English: the same screen, redrawn, and lang="en".
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { name: 'Children to work on' }).waitFor();
    await page.locator('#queue-note').filter({ hasText: /child/ }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.getByRole('link', { name: 'My cases' }).isVisible(), true);
    // The choice survives a reload although the browser asks for Spanish.
    await page.reload();
    await page.getByRole('heading', { name: 'Children to work on' }).waitFor();
    assert.equal(await page.locator('#lang-select').inputValue(), 'en');
    // And back to Spanish, with numbers in Spanish grouping on the report.
    await page.getByLabel('Language').selectOption('es');
    await page.getByRole('heading', { name: 'Niños por atender' }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('uctrack.lang')), 'es');
    assert.equal(await page.evaluate(() => window.UC_I18N.fmtInt(12345)), new Intl.NumberFormat('es').format(12345));
  });
});

test('an English browser gets English; Spanish messages cover every screen a supervisor opens', T, async (t) => {
  await withBrowser(t, async (page) => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  });
  await withBrowser(t, { locale: 'es' }, async (page) => {
    await loginEs(page, 'ui-sup', 'supervision review');
    for (const [link, heading] of [['Tareas', 'Tareas abiertas'], ['Bandeja de entrada', 'Bandeja de entrada'],
      ['Solicitudes de abogado', 'Solicitudes de abogado'], ['Informes', 'Informes'], ['Mis casos', 'Mis casos']]) {
      await page.getByRole('link', { name: new RegExp(`^${link}`) }).click();
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      await page.waitForFunction(() => !/Cargando…/.test(document.querySelector('main').innerText));
      await noEnglish(page, link);
    }
  });
});

// The server's own words (problem titles and details) come in Spanish too
// when the UI speaks Spanish (it sends its language as Accept-Language).
test('a refused sign-in in Spanish says why in Spanish, from the server', T, async (t) => {
  await withBrowser(t, { locale: 'es-ES' }, async (page) => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
    await page.getByLabel('Usuario', { exact: true }).fill('ui-off');
    await page.getByLabel('Contraseña', { exact: true }).fill('contraseña-equivocada');
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    const alert = page.locator('#error');
    await alert.waitFor({ state: 'visible' });
    const text = await alert.innerText();
    assert.match(text, /Se requiere autenticación/);
    assert.match(text, /usuario o contraseña incorrectos/);
    assert.doesNotMatch(text, /wrong user name|Authentication required/);
  });
});
