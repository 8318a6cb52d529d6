// uctrack web UI: plain JavaScript, no framework, no build step.
//
// Rules this file keeps (docs/ui.md):
//  - Untrusted strings (everything that comes from the API) are put into
//    the page as text only: el() creates text nodes; nothing here parses
//    HTML (no assignment to an element's HTML properties) or builds HTML
//    strings; tests/cli/test_browser.sh greps for the dangerous APIs.
//  - The session is an HttpOnly cookie the page never sees; the CSRF token
//    from POST /api/v1/session is kept in memory (state.csrf) and sent as
//    X-CSRF-Token on every unsafe request.
//  - Reads of a child's personal data send X-Purpose: the purpose the user
//    chose once for the session.
//  - API errors (RFC 9457 problem+json) are shown as they are: title,
//    status and the detail that says what to fix.
//  - Every message shown is English text passed through t()/tp()/N_()
//    (web/i18n.js) and translated by web/lang-*.js; tests/browser/
//    i18n-lint.test.mjs fails on text that is not.
'use strict';

(function () {
  const API = '/api/v1';
  const { t, tp, N_, fmtInt, fmtDate } = window.UC_I18N;

  const state = {
    user: null,      // {name, role, office, provider}
    csrf: null,      // CSRF token, memory only
    purpose: null,   // X-Purpose for reads of personal data
    after: null,     // route to open once the purpose is chosen
    pending: null,   // route asked for before signing in
    queue: { filters: {}, offset: 0, total: 0, mine: false },
    tasks: { next: null },
    audit: { after: 0, next: null },
    names: new Set(), // user names seen as assignees (the assign datalist)
  };

  // What each role may use (mirrors src/auth; the server enforces it).
  // The first view is the start page.
  const ROLE_VIEWS = {
    admin: ['queue', 'tasks', 'inbox', 'counsel', 'search', 'audit', 'reports', 'linkage', 'feeds', 'triage', 'users'],
    supervisor: ['queue', 'mine', 'tasks', 'inbox', 'counsel', 'search', 'reports'], // reports: the FTA list
    officer: ['queue', 'mine', 'tasks', 'inbox', 'search'],
    analyst: ['queue', 'tasks', 'inbox', 'counsel', 'search', 'reports', 'linkage', 'feeds', 'triage'],
    legal_provider: ['clients', 'search', 'inbox'],
    auditor: ['queue', 'tasks', 'inbox', 'audit', 'reports'],
  };
  // Who assigns cases (POST /work/assign), completes tasks, decides
  // counsel requests (mirrors src/auth; the server enforces it).
  const CAN_ASSIGN = { admin: true, supervisor: true };
  const CAN_COMPLETE = { admin: true, supervisor: true, officer: true };
  const ROLE_EVENTS = {
    admin: ['contact_attempt', 'welfare_check', 'trafficking_screening', 'address_update',
      'referral', 'representation', 'orientation'],
    supervisor: ['contact_attempt', 'welfare_check', 'trafficking_screening', 'address_update', 'referral'],
    officer: ['contact_attempt', 'welfare_check', 'trafficking_screening', 'address_update', 'referral'],
    legal_provider: ['representation', 'orientation'],
  };
  const CAN_OVERRIDE = { admin: true, supervisor: true };
  // The purposes are the API's words (sent as X-Purpose, kept in the
  // audit log); PURPOSE_LABELS shows them in the user's language.
  const DEFAULT_PURPOSE = {
    officer: 'case work', supervisor: 'supervision review', // i18n: code
    legal_provider: 'legal representation', auditor: 'oversight', // i18n: code
    analyst: 'data quality', admin: 'supervision review', // i18n: code
  };

  // ---- labels: codes in plain words (translated with t()) ----

  const GROUP_LABELS = {
    flight_risk: N_('Flight risk'), public_safety: N_('Public safety'),
    border_security: N_('Border security'), none: N_('None'),
  };
  const PHASE_LABELS = {
    0: N_('0 Not started'), 1: N_('1 Identify and assess'), 2: N_('2 Immigration process'),
    3: N_('3 Referral'), 4: N_('4 Resolved / reporting'),
  };
  const ROLE_LABELS = {
    admin: N_('Administrator'), supervisor: N_('Supervisor'), officer: N_('Officer'), analyst: N_('Analyst'),
    legal_provider: N_('Legal provider'), auditor: N_('Auditor'),
  };
  const PURPOSE_LABELS = {
    'case work': N_('case work'), 'supervision review': N_('supervision review'),
    'legal representation': N_('legal representation'), oversight: N_('oversight'), 'data quality': N_('data quality'),
  };
  // The holds of rules/default.rules: a name, and what each protects.
  const HOLD_LABELS = {
    claim_pending: N_('Protection claim pending'), motion_to_reopen: N_('Motion to reopen'),
    trafficking_protection: N_('Trafficking protection'), tvpra_screening: N_('TVPRA screening'),
    legal_referral_first: N_('Legal referral first'),
  };
  const HOLD_HELP = {
    claim_pending: N_('The child has an asylum, SIJS, T or U visa claim pending: no removal and no notice to appear while it is decided.'),
    motion_to_reopen: N_('A removal order made in absentia may still be reopened: no removal while a motion is pending or may be filed.'),
    trafficking_protection: N_('Signs of trafficking: a welfare check and referrals to HSI and HHS come before any enforcement step.'),
    tvpra_screening: N_('A child from Mexico or Canada may be returned only after TVPRA screening.'),
    legal_referral_first: N_('No counsel and no legal-service referral yet: refer the child to legal services before serving a notice to appear.'),
  };
  const RULE_LABELS = {
    in_absentia_order: N_('Ordered removed in absentia'), missed_hearings: N_('Missed hearings'),
    nta_served_address_unverified: N_('Notice served at an unverified address'),
    no_contact_since_release: N_('No contact since release'), age_out_approaching: N_('Turns 18 soon'),
    public_safety_indicator: N_('Public safety indicator'), repeat_encounters: N_('Repeated border encounters'),
    document_fraud: N_('Document fraud'), smuggling: N_('Smuggling indicator'),
  };
  // Task actions in plain words ("welfare_check" -> "Welfare check").
  const TASK_LABELS = {
    locate: N_('Locate'), contact: N_('Contact'), welfare_check: N_('Welfare check'),
    legal_referral: N_('Legal referral'), serve_nta: N_('Serve the NTA'), file_nta: N_('File the NTA'),
    refer_hsi: N_('Refer to HSI'), refer_hhs: N_('Refer to HHS'), refer_cps: N_('Refer to CPS'),
    removal: N_('Removal'), close: N_('Close the case'),
  };
  // Values of field events, addresses, statuses: one table of words.
  const VALUE_LABELS = {
    phone: N_('phone'), home_visit: N_('home visit'), mail: N_('mail'), reached: N_('reached'),
    no_answer: N_('no answer'), not_at_address: N_('not at the address'), moved: N_('moved'), refused: N_('refused'),
    wrong_number: N_('wrong number'), safe: N_('safe'), concern: N_('concern'), not_seen: N_('not seen'),
    no_indicators: N_('no indicators'), indicators_found: N_('indicators found'), declined: N_('declined'),
    verified: N_('verified'), unverified: N_('unverified'), undeliverable: N_('undeliverable'), blank: N_('blank'),
    missing_unit: N_('apartment number missing'), none: N_('none'),
    legal_provider: N_('legal service provider'), hsi: N_('HSI'), cps: N_('child protective services'), hhs: N_('HHS'),
    started: N_('started'), ended: N_('ended'), open: N_('open'), held: N_('held'), done: N_('done'),
    not_possible: N_('not possible'), closed: N_('closed'), pending: N_('pending'), approved: N_('approved'),
    rejected: N_('rejected'), withdrawn: N_('withdrawn'), confirmed: N_('confirmed'), active: N_('active'),
    lifted: N_('lifted'), group: N_('group'), lift_hold: N_('lift a hold'), assignment: N_('assignment'),
    assigned: N_('assigned'), unassigned: N_('unassigned'), ok: N_('ok'), denied: N_('denied'), error: N_('error'),
    removed: N_('removed'), relief: N_('relief'), in_absentia: N_('in absentia'),
    flight_risk: N_('Flight risk'), public_safety: N_('Public safety'), border_security: N_('Border security'),
    fy: N_('fiscal year'), office: N_('field office'), state: N_('state'), country: N_('country'), phase: N_('phase'),
    total: N_('total'), name: N_('name'), a_number: N_('A-number'), birth_date: N_('birth date'),
  };
  // What the timeline says happened (the server's words and event types).
  const WHAT_LABELS = {
    'CBP encounter': N_('CBP encounter'), 'EOIR case opened': N_('EOIR case opened'), 'ORR release': N_('ORR release'),
    'ORR admission': N_('ORR admission'), 'ICE NTA issued': N_('ICE NTA issued'), 'ICE NTA served': N_('ICE NTA served'),
    'ICE NTA filed': N_('ICE NTA filed'), 'ICE removal action': N_('ICE removal action'),
    'EOIR juvenile history': N_('EOIR juvenile history'), 'EOIR decision': N_('EOIR decision'),
    'EOIR hearing': N_('EOIR hearing'), contact_attempt: N_('Contact attempt'), welfare_check: N_('Welfare check'),
    trafficking_screening: N_('Trafficking screening'), address_update: N_('Address update'), referral: N_('Referral'),
    representation: N_('Representation'), orientation: N_('Legal orientation'),
  };
  const TABLE_LABELS = {
    cbp_encounter: N_('CBP encounter'), orr_placement: N_('ORR placement'), eoir_case: N_('EOIR case'),
    eoir_proceeding: N_('EOIR proceeding'), eoir_hearing: N_('EOIR hearing'), eoir_juvenile: N_('EOIR juvenile history'),
    ice_nta: N_('ICE notice to appear'), ice_removal: N_('ICE removal'), field_event: N_('Field event'),
  };
  // ---- DOM helpers (text only) ----

  const $ = (id) => document.getElementById(id);

  // el('td', {className: 'x'}, 'text', otherNode): children that are not
  // nodes become text nodes; attributes are set as properties, except
  // data-*/aria-*, which use setAttribute. No HTML parsing anywhere.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'for' || k === 'list') {
          e.setAttribute(k, String(v));
        } else if (k === 'href') {
          e.setAttribute('href', safeHref(v));
        } else {
          e[k] = v;
        }
      }
    }
    for (const k of kids) append(e, k);
    return e;
  }
  function append(parent, k) {
    if (k === undefined || k === null || k === false) return;
    if (Array.isArray(k)) { for (const x of k) append(parent, x); return; }
    parent.appendChild(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  // Only in-app hash routes are ever linked.
  function safeHref(v) {
    const s = String(v);
    return s.startsWith('#/') ? s : '#/';
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }
  function txt(v) {
    if (v === undefined || v === null || v === '') return '—';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  // A code without a label: its words ("not_at_address" -> "not at address").
  function human(s) {
    if (s === undefined || s === null || s === '') return '—';
    return String(s).replace(/_/g, ' ');
  }
  function cap(s) {
    return s.charAt(0).toUpperCase() + s.slice(1);
  }
  function labelOf(table, code) {
    if (code === undefined || code === null || code === '') return '—';
    return Object.prototype.hasOwnProperty.call(table, code) ? t(table[code]) : human(code);
  }
  // The labels the active rule set declares (GET /rules, docs/rules.md
  // "Labels"), by kind (group, rule, hold, phase, task) and code; the
  // tables above are the fallback for a rule set that declares none.
  let vocab = null;
  async function loadVocab() {
    try {
      const r = await api('GET', '/rules');
      const by = (list, key) => Object.fromEntries((list || []).map((x) => [String(x[key]), x]));
      vocab = { group: by(r.groups, 'name'), rule: by(r.rules, 'name'), hold: by(r.holds, 'name'),
        phase: by(r.phases, 'number'), task: by(r.tasks, 'action') };
    } catch (_) {
      vocab = null; // no rule set yet, or an older server: the UI's own labels
    }
  }
  // The declared label in the UI's language: the rule set's own label for
  // that language, else its default (English) label through the catalogue;
  // null when it declares none.
  function declared(kind, code) {
    const x = vocab && vocab[kind] && Object.prototype.hasOwnProperty.call(vocab[kind], String(code)) ? vocab[kind][String(code)] : null;
    if (!x) return null;
    const mine = x.labels && x.labels[window.UC_I18N.lang()];
    if (mine) return mine;
    return x.label ? t(x.label) : null;
  }
  function taskName(a) {
    return cap(declared('task', a) || labelOf(TASK_LABELS, a));
  }
  function groupLabel(g) {
    return declared('group', g) || labelOf(GROUP_LABELS, g);
  }
  function phaseLabel(p) {
    const d = declared('phase', p);
    return d ? `${p} ${d}` : labelOf(PHASE_LABELS, p);
  }
  function holdLabel(h) {
    return declared('hold', h) || labelOf(HOLD_LABELS, h);
  }
  function ruleLabel(r) {
    return cap(declared('rule', r) || labelOf(RULE_LABELS, r));
  }
  function valueLabel(v) {
    return labelOf(VALUE_LABELS, v);
  }
  function roleLabel(r) {
    return labelOf(ROLE_LABELS, r);
  }
  function whatLabel(w) {
    return cap(labelOf(WHAT_LABELS, w));
  }
  function tableLabel(tb) {
    return labelOf(TABLE_LABELS, tb);
  }
  function purposeLabel(p) {
    return labelOf(PURPOSE_LABELS, p);
  }
  // Dates as <time>: the text in the language's format, the ISO date kept.
  function dateCell(v) {
    if (v === undefined || v === null || v === '') return '—';
    return el('time', { dateTime: String(v) }, fmtDate(v));
  }
  function today() {
    const d = new Date();
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  }
  // The field offices' time zones: an event's date defaults to the day
  // at the case's office, not the browser's (rules/field_offices.csv).
  const OFFICE_ZONES = {
    ATL: 'America/New_York', BAL: 'America/New_York', BOS: 'America/New_York', BUF: 'America/New_York',
    CHI: 'America/Chicago', DAL: 'America/Chicago', DEN: 'America/Denver', DET: 'America/Detroit',
    ELP: 'America/Denver', HOU: 'America/Chicago', LOS: 'America/Los_Angeles', MIA: 'America/New_York',
    NEW: 'America/New_York', NOL: 'America/Chicago', NYC: 'America/New_York', PHI: 'America/New_York',
    PHO: 'America/Phoenix', SEA: 'America/Los_Angeles', SFR: 'America/Los_Angeles', SLC: 'America/Denver',
    SNA: 'America/Chicago', SND: 'America/Los_Angeles', SPM: 'America/Chicago', WAS: 'America/New_York',
  };
  // YYYY-MM-DD today at the office (the browser's day for an unknown one).
  function officeToday(office) {
    const zone = OFFICE_ZONES[String(office || '').toUpperCase()];
    if (!zone) return today();
    const parts = {};
    for (const p of new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date())) parts[p.type] = p.value;
    return `${parts.year}-${parts.month}-${parts.day}`;
  }
  function caseToday() {
    return officeToday(caseState && caseState.data && caseState.data.case ? caseState.data.case.office : null);
  }
  function isMasked(v) {
    return v === '***';
  }
  function anumFmt(a) {
    if (typeof a === 'string' && /^\d{9}$/.test(a)) {
      return `A${a.slice(0, 3)}-${a.slice(3, 6)}-${a.slice(6)}`;
    }
    return txt(a);
  }

  // ---- status and problems ----

  function say(msg) {
    $('status').textContent = msg || '';
  }
  function hideProblem() {
    const box = $('error');
    box.hidden = true;
    clear(box);
  }
  // Show an error: an ApiError (problem+json) or any other failure.
  function showProblem(e, where) {
    const box = clear($('error'));
    const p = e && e.problem;
    const title = p && p.title ? p.title : (e && e.message) || t('Something went wrong');
    append(box, el('strong', null, (where ? where + ': ' : '') + title));
    if (p && p.status) append(box, el('span', { className: 'code' }, ` (HTTP ${p.status})`));
    if (p && p.detail) append(box, el('p', { className: 'detail' }, p.detail));
    if (p && p.type) append(box, el('p', { className: 'muted small' }, p.type));
    box.hidden = false;
  }
  // A problem shown inside a form or panel (next to what failed).
  function problemBox(e) {
    const p = e && e.problem;
    const box = el('div', { className: 'problem', role: 'alert' },
      el('strong', null, p && p.title ? p.title : (e && e.message) || t('Failed')),
      p && p.status ? ` (HTTP ${p.status})` : '',
      p && p.detail ? el('p', { className: 'detail' }, p.detail) : null);
    return box;
  }

  class ApiError extends Error {
    constructor(problem) {
      super(problem.detail || problem.title || t('Request failed'));
      this.problem = problem;
    }
  }

  // Screens load asynchronously: when the user moves on (or a second load
  // of the same screen starts) before an answer arrives, the older answer
  // must not overwrite the newer screen. begin('queue') returns a check
  // that is true only while that load is the latest of its screen.
  const loads = {};
  function begin(screen) {
    const n = (loads[screen] || 0) + 1;
    loads[screen] = n;
    return () => loads[screen] === n;
  }

  // ---- the API client ----

  // api('GET', '/queue', {query: {...}, pii: true, signal}) -> parsed JSON or
  // null; an aborted signal rejects with the AbortError (loading cancelled).
  async function api(method, path, opts) {
    const o = opts || {};
    let url = API + path;
    if (o.query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(o.query)) {
        if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
      }
      const s = q.toString();
      if (s) url += '?' + s;
    }
    const headers = { Accept: 'application/json, application/problem+json', 'Accept-Language': window.UC_I18N.lang() }; // i18n: code
    if (o.pii) {
      if (!state.purpose) throw new ApiError({ title: t('Purpose needed'), detail: t('Choose a purpose first.') });
      headers['X-Purpose'] = state.purpose;
    }
    if (method !== 'GET' && method !== 'HEAD' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
    let body;
    if (o.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
    let res;
    try {
      res = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store', signal: o.signal });
    } catch (err) {
      if (err && err.name === 'AbortError') throw err;
      throw new ApiError({ title: t('Network error'), detail: t('The server could not be reached: {why}', { why: err.message }) });
    }
    if (o.raw) {
      if (!res.ok) throw new ApiError(await problemOf(res));
      return res;
    }
    if (res.status === 204) return null;
    if (!res.ok) {
      const p = await problemOf(res);
      if (res.status === 401 && !o.login && state.user) sessionEnded(p);
      throw new ApiError(p);
    }
    const ct = res.headers.get('Content-Type') || '';
    if (!ct.includes('json')) return { text: await res.text() };
    return res.json();
  }
  async function problemOf(res) {
    let p = null;
    try {
      p = await res.json();
    } catch (_) {
      p = null;
    }
    if (!p || typeof p !== 'object') p = {};
    if (!p.status) p.status = res.status;
    if (!p.title) p.title = res.statusText || t('Request failed');
    return p;
  }

  // ---- session ----

  // Drop every child's data from the page (sign-out, session end): the
  // next user of this browser must not find it in hidden views.
  function clearData() {
    for (const id of ['queue-table', 'tasks-table', 'search-table', 'audit-table', 'inbox-table', 'clients-table']) {
      clear($(id).tBodies[0]);
    }
    for (const id of ['case-body', 'report-body', 'fta-body', 'search-ask', 'assign-result', 'ask-body', 'myreq-body',
      'counsel-body', 'inbox-counts', 'assignee-names', 'linkage-body', 'linkage-result', 'feed-body', 'triage-runs',
      'diff-body', 'users-body', 'tokens-body', 'user-result', 'token-result', 'merge-result', 'split-result',
      'passwd-result']) clear($(id));
    for (const id of ['queue-note', 'tasks-note', 'search-note', 'queue-page', 'tasks-page', 'inbox-note', 'clients-note',
      'inbox-count']) $(id).textContent = '';
    $('audit-chain').textContent = '';
    for (const id of ['search-q', 'qf-office', 'tf-office', 'af-actor', 'af-action', 'af-target', 'af-from', 'af-to', 'assign-to',
      'assign-note']) $(id).value = '';
    $('inbox-count').hidden = true;
    state.names.clear();
    state.assigneesLoaded = false;
    $('case-h').textContent = t('Case');
    $('search-table').hidden = true;
    caseState = null;
    document.title = 'uctrack';
  }

  function sessionEnded(problem) {
    clearData();
    state.user = null;
    state.csrf = null;
    state.purpose = null;
    savePurpose();
    renderChrome();
    go('login');
    showProblem(new ApiError(problem || { title: t('Signed out') }), t('Your session ended; sign in again'));
  }

  async function restoreSession() {
    try {
      const r = await api('GET', '/session', { login: true });
      state.user = r.user;
      state.csrf = r.csrf || null;
      return true;
    } catch (_) {
      return false;
    }
  }

  async function login(ev) {
    ev.preventDefault();
    hideProblem();
    const username = $('login-user').value.trim();
    const password = $('login-pass').value;
    if (!username || !password) {
      showProblem(new ApiError({ title: t('Enter your user name and password') }));
      return;
    }
    try {
      const r = await api('POST', '/session', { body: { username, password }, login: true });
      state.user = r.user;
      state.csrf = r.csrf;
      $('login-pass').value = '';
      say(t('Signed in as {name}.', { name: r.user.name }));
      await loadVocab();
      renderChrome();
      refreshInbox();
      const next = state.pending || startRoute();
      state.pending = null;
      askPurpose(next);
    } catch (e) {
      $('login-pass').value = '';
      showProblem(e, t('Sign-in failed'));
      $('login-pass').focus();
    }
  }

  async function logout() {
    hideProblem();
    try {
      await api('DELETE', '/session');
    } catch (e) {
      if (!(e.problem && e.problem.status === 401)) showProblem(e, t('Sign-out'));
    }
    state.user = null;
    state.csrf = null;
    state.purpose = null;
    savePurpose();
    clearData();
    state.queue = { filters: {}, offset: 0, total: 0, mine: false };
    state.tasks = { next: null };
    renderChrome();
    say(t('Signed out.'));
    if (location.hash === '#/login') route();
    else location.hash = '#/login';
  }

  function views() {
    return (state.user && ROLE_VIEWS[state.user.role]) || [];
  }
  const VIEW_ROUTES = { counsel: 'counsel-requests' };
  function startRoute() {
    const v = views();
    return v.length ? '#/' + (VIEW_ROUTES[v[0]] || v[0]) : '#/search';
  }

  // The purpose survives a reload of this tab (sessionStorage, per tab,
  // gone when the tab closes or the user signs out); it is not a secret.
  function savePurpose() {
    try {
      if (state.user && state.purpose) {
        sessionStorage.setItem('uctrack.purpose', JSON.stringify({ user: state.user.name, purpose: state.purpose }));
      } else {
        sessionStorage.removeItem('uctrack.purpose');
      }
    } catch (_) { /* storage disabled: ask again after a reload */ }
  }
  function loadPurpose() {
    try {
      const p = JSON.parse(sessionStorage.getItem('uctrack.purpose') || 'null');
      if (p && state.user && p.user === state.user.name && typeof p.purpose === 'string') state.purpose = p.purpose;
    } catch (_) { /* ignore */ }
  }

  function askPurpose(next) {
    state.after = next || startRoute();
    const sel = $('purpose-select');
    if (!sel.value && state.user) sel.value = DEFAULT_PURPOSE[state.user.role] || '';
    if (location.hash !== '#/purpose') location.hash = '#/purpose';
    else route();
  }

  function choosePurpose(ev) {
    ev.preventDefault();
    const v = $('purpose-select').value;
    if (!v) {
      showProblem(new ApiError({ title: t('Choose a purpose'), detail: t('The purpose is recorded with every read of a child\'s data.') }));
      return;
    }
    hideProblem();
    state.purpose = v;
    savePurpose();
    renderChrome();
    const next = state.after && state.after !== '#/purpose' ? state.after : startRoute();
    state.after = null;
    location.hash = next;
  }

  function renderChrome() {
    const u = state.user;
    $('nav').hidden = !u;
    $('who').hidden = !u;
    if (!u) return;
    $('who-name').textContent = u.name;
    $('who-role').textContent = roleLabel(u.role) + (u.office ? ' · ' + u.office : '') +
      (u.provider ? ' · ' + u.provider : '');
    $('who-purpose').textContent = state.purpose ? purposeLabel(state.purpose) : t('not set');
    const v = views();
    for (const li of document.querySelectorAll('#nav li')) {
      li.hidden = !v.includes(li.getAttribute('data-need'));
    }
  }

  // ---- routing (hash based: #/queue, #/case/12, ...) ----

  const VIEWS = ['login', 'purpose', 'queue', 'tasks', 'search', 'case', 'audit', 'reports',
    'inbox', 'clients', 'counsel', 'linkage', 'feeds', 'triage', 'users', 'notfound'];

  // show('queue', 'mine'): the view, and the nav entry marked current.
  function show(name, navName) {
    const current = navName || name;
    for (const v of VIEWS) $('view-' + v).hidden = v !== name;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.getAttribute('data-route') === current) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }
  function go(name) {
    show(name);
  }
  function parseHash() {
    const h = location.hash.replace(/^#\/?/, '');
    const qi = h.indexOf('?');
    const path = qi >= 0 ? h.slice(0, qi) : h;
    const query = new URLSearchParams(qi >= 0 ? h.slice(qi + 1) : '');
    return { parts: path.split('/').filter(Boolean), query };
  }

  // The heading each view starts with (focused after a navigation, so that
  // screen-reader and keyboard users start reading the new page).
  const VIEW_HEADINGS = {
    login: 'login-h', purpose: 'purpose-h', queue: 'queue-h', tasks: 'tasks-h', search: 'search-h', case: 'case-h',
    audit: 'audit-h', reports: 'reports-h', inbox: 'inbox-h', clients: 'clients-h', counsel: 'counsel-h',
    linkage: 'linkage-h', feeds: 'feeds-h', triage: 'triage-h', users: 'users-h', notfound: 'notfound-h',
  };

  // ev: the hashchange that caused this (focus moves to the new page's
  // heading); none on the first load (focus stays at the page's start, so
  // the skip link is the first tab stop) and after a language change.
  async function route(ev) {
    hideProblem();
    const moved = !!(ev && ev.type === 'hashchange');
    const shown = (view, navName) => {
      show(view, navName);
      if (moved) focusHeading(VIEW_HEADINGS[view]);
    };
    const { parts, query } = parseHash();
    const name = parts[0] || '';
    if (!state.user) {
      if (name && name !== 'login' && name !== 'purpose') state.pending = location.hash;
      show('login');
      if (moved) focusHeading('login-h');
      else $('login-user').focus();
      return;
    }
    if (name === 'login') {
      location.hash = startRoute();
      return;
    }
    if (name === 'purpose') {
      show('purpose');
      $('purpose-select').focus();
      return;
    }
    if (!state.purpose) {
      askPurpose('#/' + parts.join('/') + (query.toString() ? '?' + query : ''));
      return;
    }
    document.title = 'uctrack'; // i18n: code
    switch (name) {
      case '':
        location.hash = startRoute();
        return;
      case 'queue': shown('queue'); clear($('assign-result')); return loadQueue(query, false);
      case 'mine': shown('queue', 'mine'); clear($('assign-result')); return loadQueue(query, true);
      case 'tasks': shown('tasks'); return loadTasks(query);
      case 'inbox': shown('inbox'); return loadInbox();
      case 'clients': shown('clients'); return loadClients();
      case 'counsel-requests': shown('counsel'); return loadCounsel(query);
      case 'search': shown('search'); return loadSearch(query);
      case 'case': {
        shown('case');
        await loadCase(parts[1]);
        // #/case/12?see=hold-lifts (from the inbox): go to that section.
        const see = query.get('see');
        if (see && /^[a-z-]{1,30}$/.test(see) && $('h-' + see)) focusHeading('h-' + see);
        return;
      }
      case 'audit': shown('audit'); return loadAudit(query);
      case 'reports': shown('reports'); return loadReports(query);
      case 'linkage': shown('linkage'); clear($('linkage-result')); return loadLinkage();
      case 'feeds': shown('feeds'); return null;
      case 'triage': shown('triage'); return loadTriage();
      case 'users': shown('users'); clear($('user-result')); clear($('role-result')); clear($('token-result')); return loadUsers();
      default: shown('notfound');
    }
  }

  function focusHeading(id) {
    const h = $(id);
    if (h) {
      h.tabIndex = -1;
      h.focus({ preventScroll: false });
    }
  }

  // ---- the queue of children (GET /work/cases): one row per case ----

  const QUEUE_PAGE = 50;


  // The filters as the URL and the API take them (empty: not set).
  function queueFilters() {
    return {
      office: $('qf-office').value.trim().toUpperCase(),
      assignee: $('qf-assignee').value,
      group: $('qf-group').value,
      phase: $('qf-phase').value,
      hold: $('qf-hold').value,
      overdue: $('qf-overdue').checked ? '1' : '',
      due_soon: $('qf-due-soon').checked ? '1' : '',
      sort: $('qf-sort').value === 'due' ? 'due' : '',
    };
  }

  function queueRoute(mine) {
    return mine ? '#/mine' : '#/queue';
  }

  function rememberName(n) {
    if (!n || state.names.has(n)) return;
    state.names.add(n);
    const list = clear($('assignee-names'));
    for (const x of [...state.names].sort()) list.appendChild(el('option', { value: x }));
  }

  // The people a supervisor may give cases to (GET /work/assignees), once
  // per sign-in, into the assign box's suggestions.
  async function loadAssignees() {
    if (state.assigneesLoaded) return;
    state.assigneesLoaded = true;
    try {
      const r = await api('GET', '/work/assignees');
      for (const it of (r && r.items) || []) rememberName(it.name);
    } catch (e) {
      state.assigneesLoaded = false; // names can still be typed
    }
  }

  async function loadQueue(query, mine) {
    const u = state.user;
    const one = (k, ok) => {
      const v = query.get(k) || '';
      return ok ? (ok.includes(v) ? v : '') : v;
    };
    const f = {
      office: one('office'),
      assignee: mine ? 'me' : one('assignee', ['me', 'none']),
      group: one('group'),
      phase: one('phase'),
      hold: one('hold', ['1', '0']),
      overdue: one('overdue', ['1']),
      due_soon: one('due_soon', ['1']),
      sort: one('sort', ['due']),
    };
    const fixedOffice = (u.role === 'officer' || u.role === 'supervisor') && u.office;
    if (fixedOffice && !f.office) f.office = u.office;
    const offText = query.get('offset') || '0';
    const offset = /^\d{1,7}$/.test(offText) ? Number(offText) : 0;
    $('queue-h').textContent = mine ? t('My cases') : t('Children to work on');
    $('qf-office').value = f.office;
    $('qf-office').readOnly = !!fixedOffice;
    $('qf-assignee').value = f.assignee;
    $('qf-assignee').disabled = mine;
    $('qf-group').value = f.group;
    $('qf-phase').value = f.phase;
    $('qf-hold').value = f.hold;
    $('qf-overdue').checked = f.overdue === '1';
    $('qf-due-soon').checked = f.due_soon === '1';
    $('qf-sort').value = f.sort || 'priority';
    const canAssign = !!CAN_ASSIGN[u.role];
    $('assign-bar').hidden = !canAssign;
    $('queue-table').classList.toggle('no-select', !canAssign);
    $('queue-all').checked = false;
    if (u.role === 'officer' || u.role === 'supervisor') rememberName(u.name);
    if (canAssign) loadAssignees();
    state.queue = { filters: f, offset, total: 0, mine };
    const tbody = clear($('queue-table').tBodies[0]);
    $('queue-note').textContent = t('Loading…');
    updateSelection();
    const latest = begin('queue');
    try {
      const r = await api('GET', '/work/cases', { pii: true, query: { ...f, limit: QUEUE_PAGE, offset } });
      if (!latest()) return;
      const items = (r && r.items) || [];
      const total = Number(r.total) || 0;
      // the server counts up to 10,000: beyond, the total means "at least"
      const exact = r.total_exact !== false;
      const more = exact ? '' : '+';
      state.queue.total = total;
      for (const it of items) {
        tbody.appendChild(queueRow(it, canAssign));
        rememberName(it.assignee);
      }
      if (!items.length) {
        tbody.appendChild(el('tr', null, el('td', { colSpan: 12, className: 'muted' },
          mine ? t('No case is assigned to you with these filters.') : t('No child matches these filters.'))));
      }
      labelCells($('queue-table'));
      const masked = items.some((it) => isMasked(it.name) || isMasked(it.a_number));
      const count = exact ? tp('{n} child', '{n} children', total) : t('{n}+ children', { n: fmtInt(total) });
      $('queue-note').textContent = [count + (mine ? ' ' + t('assigned to you') : ''),
        f.office ? t('office {office}', { office: f.office }) : t('all offices'),
        masked ? t('personal data masked for your role') : null].filter(Boolean).join(' · ');
      $('queue-page').textContent = items.length
        ? t('Showing {from}–{to} of {total}', { from: fmtInt(offset + 1), to: fmtInt(offset + items.length),
          total: fmtInt(total) + more }) : '';
      $('queue-next').disabled = exact ? offset + items.length >= total : items.length < Number(r.limit || 50);
      $('queue-prev').disabled = offset === 0;
      $('queue-first').disabled = offset === 0;
      $('queue-csv').disabled = !items.length;
      updateSelection();
    } catch (e) {
      if (!latest()) return;
      $('queue-note').textContent = '';
      showProblem(e, mine ? t('My cases') : t('Queue'));
    }
  }

  // Copy each column's header into its cells (data-label), so the narrow
  // layout can show "Due 2026-12-05" when rows become stacked cards.
  function labelCells(tableEl) {
    const heads = [...tableEl.tHead.rows[0].cells].map((th) => th.textContent);
    for (const tr of tableEl.tBodies[0].rows) {
      [...tr.cells].forEach((td, i) => {
        if (heads[i] && td.colSpan === 1) td.setAttribute('data-label', heads[i]);
      });
    }
  }

  function caseLink(id, label) {
    return el('a', { href: '#/case/' + encodeURIComponent(String(id)) }, label);
  }

  // Overdue and due soon as words, not only as colour.
  function dueFlags(overdue, dueSoon) {
    const out = [];
    if (overdue) out.push(el('span', { className: 'tag overdue', 'data-flag': 'overdue' }, t('Overdue')));
    if (dueSoon) out.push(el('span', { className: 'tag soon', 'data-flag': 'due_soon' }, t('Due soon')));
    return out.length ? out : '—';
  }

  function queueRow(it, canAssign) {
    const name = it.name;
    const label = name ? txt(name) : t('Case C{id}', { id: it.case_id });
    const who = el('div', { className: 'who-cell' },
      caseLink(it.case_id, label),
      el('div', { className: 'muted small' }, anumFmt(it.a_number)));
    const holds = it.holds ? String(it.holds).split(',').filter(Boolean) : [];
    const pick = canAssign ? el('input', { type: 'checkbox', className: 'pick', value: String(it.case_id),
      'aria-label': t('Select C{id} {name}', { id: it.case_id, name: label }) }) : null;
    const c = (col, attrs, ...kids) => el('td', { 'data-col': col, ...(attrs || {}) }, ...kids);
    return el('tr', { 'data-case': it.case_id, 'data-overdue': it.overdue ? '1' : '0' },
      c('select', { className: 'sel' }, pick),
      c('priority', { className: 'num' }, txt(it.score)),
      c('group', null, groupTag(it.group)),
      c('child', null, who),
      c('next', null, it.next_action ? taskName(it.next_action) : t('none open')),
      c('due', { className: 'date' }, dateCell(it.next_due)),
      c('flags', null, dueFlags(it.overdue, it.due_soon)),
      c('tasks', { className: 'nowrap' }, t('{n} open', { n: fmtInt(it.open_tasks || 0) }) +
        (it.held_tasks ? ' · ' + t('{n} held', { n: fmtInt(it.held_tasks) }) : '')),
      c('holds', null, holdTags(holds)),
      c('assignee', null, it.assignee ? it.assignee : el('span', { className: 'muted' }, t('nobody'))),
      c('office', null, txt(it.office)),
      c('phase', null, phaseLabel(it.phase)));
  }

  function groupTag(g) {
    return el('span', { className: 'tag g-' + String(g || 'none').replace(/[^a-z_]/g, '') }, groupLabel(g || 'none'));
  }
  function holdTags(holds) {
    if (!holds.length) return '—';
    return holds.map((h) => el('span', { className: 'tag hold', 'data-hold-tag': h }, holdLabel(h)));
  }

  function queueHash(f, offset) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) {
      if (v && !(state.queue.mine && k === 'assignee')) q.set(k, v);
    }
    if (offset) q.set('offset', String(offset));
    return queueRoute(state.queue.mine) + (q.toString() ? '?' + q : '');
  }
  function queueSubmit(ev) {
    ev.preventDefault();
    location.hash = queueHash(queueFilters(), 0);
  }
  function queuePage(where) {
    const { offset, total, filters } = state.queue;
    let o = 0;
    if (where === 'next') o = offset + QUEUE_PAGE;
    else if (where === 'prev') o = Math.max(0, offset - QUEUE_PAGE);
    if (o >= total && where === 'next') return;
    location.hash = queueHash(filters, o);
  }

  // CSV of the page shown (same filters, sort, offset and limit).
  async function queueCsv() {
    hideProblem();
    const { filters, offset, mine } = state.queue;
    try {
      const res = await api('GET', '/work/cases', { pii: true, raw: true,
        query: { ...filters, limit: QUEUE_PAGE, offset, format: 'csv' } });
      const blob = await res.blob();
      download(new Blob([blob], { type: 'text/csv' }), mine ? 'my-cases.csv' : 'children-queue.csv');
    } catch (e) {
      showProblem(e, t('CSV'));
    }
  }

  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = el('a', null);
    a.setAttribute('href', url);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---- assignment (supervisors, admins) ----

  function selectedIds() {
    return [...document.querySelectorAll('#queue-table tbody input.pick:checked') /* i18n: code */].map((x) => Number(x.value));
  }
  function updateSelection() {
    const boxes = document.querySelectorAll('#queue-table tbody input.pick') /* i18n: code */;
    const n = selectedIds().length;
    $('assign-count').textContent = t('{n} selected', { n: fmtInt(n) });
    $('assign-go').disabled = n === 0;
    $('unassign-go').disabled = n === 0;
    $('queue-all').checked = boxes.length > 0 && n === boxes.length;
    $('queue-all').indeterminate = n > 0 && n < boxes.length;
  }
  function selectAll() {
    const on = $('queue-all').checked;
    for (const b of document.querySelectorAll('#queue-table tbody input.pick') /* i18n: code */) b.checked = on;
    updateSelection();
  }

  // POST /work/assign; assignee null unassigns.
  function assignCases(ids, assignee, note) {
    const body = { case_ids: ids, assignee };
    if (note) body.note = note;
    return api('POST', '/work/assign', { body });
  }

  function assignedText(r, who, n) {
    const done = r && typeof r.assigned === 'number' ? r.assigned : n;
    const same = r && r.unchanged ? ' ' + tp('({n} was already)', '({n} were already)', r.unchanged) : '';
    return (who ? tp('{n} child assigned to {who}.', '{n} children assigned to {who}.', done, { who })
      : tp('{n} child unassigned.', '{n} children unassigned.', done)) + same;
  }

  async function assignSelected(ev, unassign) {
    if (ev) ev.preventDefault();
    const out = clear($('assign-result'));
    const ids = selectedIds();
    const who = unassign ? null : $('assign-to').value.trim();
    if (!ids.length) {
      append(out, problemBox(new ApiError({ title: t('Select children first'), detail: t('Tick the box of each child to assign.') })));
      return;
    }
    if (!unassign && !who) {
      append(out, problemBox(new ApiError({ title: t('Whom to assign to?'), detail: t('Type the user name of an officer or supervisor of the office.') })));
      $('assign-to').focus();
      return;
    }
    const btn = unassign ? $('unassign-go') : $('assign-go');
    const label = btn.textContent;
    btn.disabled = true;
    btn.textContent = t('Saving…');
    try {
      const r = await assignCases(ids, who, $('assign-note').value.trim());
      rememberName(who);
      $('assign-note').value = '';
      await loadQueue(parseHash().query, state.queue.mine);
      append(clear($('assign-result')), el('div', { className: 'notice ok', role: 'status', id: 'assign-done',
        tabIndex: -1 }, assignedText(r, who, ids.length)));
      $('assign-done').focus();
      refreshInbox();
    } catch (e) {
      append(out, problemBox(e));
    } finally {
      btn.textContent = label;
      updateSelection();
    }
  }

  // ---- the task list (GET /queue): one row per open task ----

  function taskFilters() {
    return {
      office: $('tf-office').value.trim().toUpperCase(),
      group: $('tf-group').value,
      phase: $('tf-phase').value,
    };
  }

  async function loadTasks(query) {
    const u = state.user;
    const f = {
      office: query.get('office') || '',
      group: query.get('group') || '',
      phase: query.get('phase') || '',
    };
    const fixedOffice = (u.role === 'officer' || u.role === 'supervisor') && u.office;
    if (fixedOffice && !f.office) f.office = u.office;
    $('tf-office').value = f.office;
    $('tf-office').readOnly = !!fixedOffice;
    $('tf-group').value = f.group;
    $('tf-phase').value = f.phase;
    const cursor = query.get('cursor') || null;
    const tbody = clear($('tasks-table').tBodies[0]);
    $('tasks-note').textContent = t('Loading…');
    const latest = begin('tasks');
    try {
      const r = await api('GET', '/queue', { pii: true, query: { ...f, limit: 50, cursor } });
      if (!latest()) return;
      const items = (r && r.items) || [];
      state.tasks.next = r.next_cursor || null;
      for (const it of items) tbody.appendChild(taskRow(it));
      if (!items.length) {
        tbody.appendChild(el('tr', null, el('td', { colSpan: 8, className: 'muted' }, t('No open tasks match these filters.'))));
      }
      labelCells($('tasks-table'));
      const masked = items.some((it) => isMasked(it.name) || isMasked(it.a_number));
      $('tasks-note').textContent = [tp('{n} task on this page', '{n} tasks on this page', items.length),
        f.office ? t('office {office}', { office: f.office }) : t('all offices'),
        masked ? t('personal data masked for your role') : null].filter(Boolean).join(' · ');
      $('tasks-next').disabled = !state.tasks.next;
      $('tasks-first').disabled = !cursor;
      $('tasks-page').textContent = cursor ? t('Later page') : t('First page');
    } catch (e) {
      if (!latest()) return;
      $('tasks-note').textContent = '';
      showProblem(e, t('Tasks'));
    }
  }

  function taskRow(it) {
    const name = it.name;
    const who = el('div', { className: 'who-cell' },
      caseLink(it.case_id, name ? txt(name) : t('Case C{id}', { id: it.case_id })),
      el('div', { className: 'muted small' }, anumFmt(it.a_number)));
    const holds = it.holds ? String(it.holds).split(',').filter(Boolean) : [];
    return el('tr', { 'data-case': it.case_id },
      el('td', { className: 'num' }, txt(it.score !== undefined ? it.score : it.priority)),
      el('td', null, groupTag(it.group)),
      el('td', null, who),
      el('td', null, holdTags(holds)),
      el('td', null, taskName(it.action)),
      el('td', { className: 'date' }, dateCell(it.due)),
      el('td', null, txt(it.office)),
      el('td', null, phaseLabel(it.phase)));
  }

  function tasksSubmit(ev) {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(taskFilters())) if (v) q.set(k, v);
    location.hash = '#/tasks' + (q.toString() ? '?' + q : '');
  }
  function tasksNext() {
    if (!state.tasks.next) return;
    const { query } = parseHash();
    query.set('cursor', state.tasks.next);
    location.hash = '#/tasks?' + query;
  }
  function tasksFirst() {
    const { query } = parseHash();
    query.delete('cursor');
    location.hash = '#/tasks' + (query.toString() ? '?' + query : '');
  }

  // ---- search ----

  async function loadSearch(query) {
    const q = query.get('q') || '';
    $('search-q').value = q;
    const ask = clear($('search-ask'));
    const table = $('search-table');
    const tbody = clear(table.tBodies[0]);
    if (!q) {
      table.hidden = true;
      $('search-note').textContent = state.user.role === 'legal_provider'
        ? t('You can open only the cases of your own clients.') : '';
      // after a navigation the heading has the focus (screen readers read
      // the page from there); otherwise start in the search box
      if (document.activeElement !== $('search-h')) $('search-q').focus();
      return;
    }
    $('search-note').textContent = t('Searching…');
    try {
      const latest = begin('search');
      const r = await api('GET', '/cases', { pii: true, query: { q } });
      if (!latest()) return;
      const items = (r && r.items) || [];
      for (const c of items) {
        tbody.appendChild(el('tr', { 'data-case': c.id },
          el('td', null, caseLink(c.id, 'C' + c.id)),
          el('td', null, caseLink(c.id, txt(c.name))),
          el('td', null, anumFmt(c.a_number)),
          el('td', { className: 'date' }, dateCell(c.birth_date)),
          el('td', null, txt(c.office)),
          el('td', null, groupTag(c.group)),
          el('td', null, phaseLabel(c.phase))));
      }
      labelCells(table);
      table.hidden = items.length === 0;
      $('search-note').textContent = items.length
        ? tp('{n} case found (searched by {kind}).', '{n} cases found (searched by {kind}).', items.length,
          { kind: valueLabel(r.query_kind) })
        : t('No cases found that you may see.');
      // A provider who finds no client by A-number may ask to be counsel.
      const digits = anumDigits(q);
      if (!items.length && digits && state.user.role === 'legal_provider') {
        append(ask, section(t('Is this child your client?'), 'ask', el('p', null,
          t('No client of yours has A-number {anum}. If you represent this child, ask to be recorded as counsel; an analyst or supervisor confirms it.',
            { anum: anumFmt(digits) })), counselAskForm(digits, 'sask')));
      }
    } catch (e) {
      table.hidden = true;
      $('search-note').textContent = '';
      showProblem(e, t('Search'));
    }
  }

  function searchSubmit(ev) {
    ev.preventDefault();
    // A birth date typed the language's way (31/12/2010) is sent as ISO.
    const typed = $('search-q').value.trim();
    const q = window.UC_I18N.parseDate(typed) || typed;
    if (q.length < 2) {
      showProblem(new ApiError({ title: t('Type at least 2 characters') }));
      return;
    }
    location.hash = '#/search?q=' + encodeURIComponent(q);
  }

  // ---- one case ----

  let caseState = null; // {id, data}

  // A loading line with a Cancel button that aborts the request (ctrl: an
  // AbortController whose signal the request carries).
  function loadingNote(ctrl) {
    const b = el('button', { type: 'button', className: 'small', 'data-testid': 'cancel-loading' }, t('Cancel'));
    b.addEventListener('click', () => ctrl.abort());
    return el('p', { className: 'muted loading', role: 'status' },
      el('span', { className: 'spinner', 'aria-hidden': 'true' }), t('Loading…'), ' ', b);
  }
  function isAbort(e) {
    return !!(e && e.name === 'AbortError');
  }
  function cancelledNote() {
    return el('p', { className: 'notice', 'data-testid': 'cancelled' }, t('Loading cancelled. Reload the page to try again.'));
  }

  // notice: an element to show above the case, or a function of the
  // case's data returning one (after a write: the one read shows both).
  async function loadCase(idText, notice) {
    const body = clear($('case-body'));
    const id = /^[1-9]\d{0,14}$/.test(idText || '') ? idText : null;
    $('case-h').textContent = id ? t('Case C{id}', { id }) : t('Case');
    if (!id) {
      showProblem(new ApiError({ title: t('Not a case id'), detail: t('Case ids are positive numbers, e.g. #/case/42.') }));
      return;
    }
    const ctrl = new AbortController();
    append(body, loadingNote(ctrl));
    const latest = begin('case');
    let data;
    try {
      data = await api('GET', '/cases/' + id, { pii: true, signal: ctrl.signal });
    } catch (e) {
      if (!latest()) return;
      clear(body);
      if (isAbort(e)) append(body, cancelledNote());
      else showProblem(e, t('Case C{id}', { id }));
      return;
    }
    if (!latest()) return;
    const prev = caseState && caseState.id === id ? caseState.data : null;
    caseState = { id, data };
    renderCase(body, id, data, typeof notice === 'function' ? notice(data) : notice, prev);
  }

  function section(title, id, ...kids) {
    const hid = 'h-' + id;
    return el('section', { className: 'card', id: 'sec-' + id, 'aria-labelledby': hid },
      el('h2', { id: hid }, title), ...kids);
  }

  // A wide table scrolls inside a region that keyboard users can reach
  // (tabindex 0) and screen readers can name (the caption).
  function scroller(tableEl, caption) {
    return el('div', { className: 'table-wrap', tabIndex: 0, role: 'region', 'aria-label': caption || t('Table') }, tableEl);
  }

  // A table from rows and [key, label] columns; values as text.
  function table(rows, cols, opts) {
    const o = opts || {};
    if (!rows || !rows.length) return el('p', { className: 'muted' }, o.empty || t('None.'));
    const tbl = el('table', { className: 'grid' + (o.compact ? ' compact' : '') + (o.cards ? ' cards' : '') });
    if (o.caption) tbl.appendChild(el('caption', { className: 'sr-only' }, o.caption));
    tbl.appendChild(el('thead', null, el('tr', null, cols.map(([, label]) => el('th', { scope: 'col' }, label)))));
    const tb = el('tbody');
    for (const r of rows) {
      tb.appendChild(el('tr', o.rowAttrs ? o.rowAttrs(r) : null, cols.map(([k, , fmt]) => {
        const v = typeof k === 'function' ? k(r) : r[k];
        return el('td', null, fmt ? fmt(v, r) : txt(v));
      })));
    }
    tbl.appendChild(tb);
    if (o.cards) labelCells(tbl);
    return scroller(tbl, o.caption);
  }

  function dl(pairs, attrs) {
    const d = el('dl', { className: 'facts', ...(attrs || {}) });
    for (const [k, v, key] of pairs) {
      const shown = v instanceof Node || Array.isArray(v) ? v : txt(v);
      d.appendChild(el('div', key ? { 'data-fact': key } : null, el('dt', null, k), el('dd', null, shown)));
    }
    return d;
  }

  // Hold names are not personal data: when the list of holds comes masked
  // (auditors), the case's own hold_names still name them.
  function holdNames(data) {
    const h = (data.holds || []).map((x) => (typeof x === 'string' ? x : x.name)).filter(Boolean);
    if (h.length && !h.some(isMasked)) return h;
    const c = data.case || {};
    return c.hold_names ? String(c.hold_names).split(',').filter(Boolean) : h;
  }

  // The explanation may come as data.explanation (triage_explain) with
  // fired rules and holds; older servers only give holds and tasks.
  function explanation(data) {
    return data.explanation || data.triage || data.explain || null;
  }

  const SPONSOR_CATEGORIES = {
    1: N_('parent or legal guardian'), '2A': N_('close relative, primary caregiver'), '2B': N_('other close relative'),
    3: N_('distant relative or unrelated adult'), 4: N_('no sponsor'),
  };

  // Whole years between two ISO dates.
  function yearsBetween(from, to) {
    const [y1, m1, d1] = from.split('-').map(Number);
    const [y2, m2, d2] = to.split('-').map(Number);
    return y2 - y1 - (m2 < m1 || (m2 === m1 && d2 < d1) ? 1 : 0);
  }
  function daysBetween(from, to) {
    return Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / 86400000);
  }
  const ISO_DAY = /^\d{4}-\d\d-\d\d$/;

  // What a case worker needs first, from the case's records.
  function essentials(data, ex, holds) {
    const recs = data.records || [];
    const now = officeToday((data.case || {}).office);
    const byTable = (tb) => recs.filter((r) => r.table === tb);
    const latestBy = (rows, key) => rows.filter((r) => r[key]).sort((a, b) => String(a[key]).localeCompare(String(b[key]))).pop();
    // where the child is: the latest address on file
    const addrs = data.addresses || [];
    const addr = addrs.length ? addrs[addrs.length - 1] : null;
    const where = addr ? el('span', null,
      [addr.street, addr.unit, addr.city, [addr.state, addr.zip].filter(Boolean).join(' ')].filter(Boolean).join(', ') || '—',
      ' ', el('span', { className: 'tag addr-' + String(addr.status || 'none').replace(/[^a-z_]/g, '') }, valueLabel(addr.status)),
      addr.as_of ? el('span', { className: 'muted small' }, ' ', t('as of {date}', { date: fmtDate(addr.as_of) })) : null)
      : t('No address on file.');
    // the sponsor of the latest release
    const rel = latestBy(byTable('orr_placement'), 'released_date') || byTable('orr_placement').pop();
    let sponsor = t('No sponsor on file.');
    if (rel && (rel.sponsor_family_name || rel.sponsor_given_name)) {
      const cat = rel.sponsor_category;
      sponsor = [rel.sponsor_given_name, rel.sponsor_family_name].filter(Boolean).join(' ') +
        (rel.sponsor_relationship ? ` (${valueLabel(rel.sponsor_relationship)})` : '') +
        (cat ? ' · ' + t('category {cat}: {what}', { cat, what: labelOf(SPONSOR_CATEGORIES, cat) }) : '') +
        (rel.released_date ? ' · ' + t('released {date}', { date: fmtDate(rel.released_date) }) : '');
    }
    // counsel: the latest representation event
    const reps = byTable('field_event').filter((r) => r.type === 'representation')
      .sort((a, b) => String(a.occurred_at).localeCompare(String(b.occurred_at)));
    const rep = reps.length ? reps[reps.length - 1] : null;
    const repBody = rep && rep.body && typeof rep.body === 'object' ? rep.body : {};
    const counsel = rep && repBody.status !== 'ended'
      ? t('{provider}, since {date}', { provider: txt(repBody.provider), date: fmtDate(rep.occurred_at) })
      : t('No counsel of record.');
    // the next hearing (court and date), else the last one
    const hearings = byTable('eoir_hearing').filter((h) => h.adj_date)
      .sort((a, b) => String(a.adj_date).localeCompare(String(b.adj_date)));
    const next = hearings.find((h) => h.adj_date >= now);
    const last = hearings.filter((h) => h.adj_date < now).pop();
    let hearing = t('No hearing scheduled.');
    if (next) hearing = t('{date} at court {court}', { date: fmtDate(next.adj_date), court: txt(next.hearing_loc_code || next.base_city_code) });
    else if (last) hearing = t('None scheduled; the last was {date} at court {court}.', { date: fmtDate(last.adj_date), court: txt(last.hearing_loc_code || last.base_city_code) });
    // age and days to 18, from the first source that gives a birth date
    const born = (data.identity || []).find((i) => ISO_DAY.test(String(i.birth_date || '')));
    let age = '—';
    if (born) {
      const bd = born.birth_date;
      const eighteen = `${Number(bd.slice(0, 4)) + 18}${bd.slice(4)}`;
      const years = yearsBetween(bd, now);
      const left = daysBetween(now, eighteen);
      age = left > 0
        ? tp('{age} years; turns 18 on {date}, in {n} day', '{age} years; turns 18 on {date}, in {n} days', left,
          { age: fmtInt(years), date: fmtDate(eighteen) })
        : t('{age} years; turned 18 on {date}', { age: fmtInt(years), date: fmtDate(eighteen) });
      const others = new Set((data.identity || []).map((i) => i.birth_date).filter((b) => ISO_DAY.test(String(b || ''))));
      if (others.size > 1) age += ' · ' + t('the sources disagree on the birth date (see Identity)');
    } else if ((data.identity || []).some((i) => isMasked(i.birth_date))) {
      age = '***';
    }
    // the last contact attempt or welfare check
    const contacts = byTable('field_event').filter((r) => r.type === 'contact_attempt' || r.type === 'welfare_check')
      .sort((a, b) => String(a.occurred_at).localeCompare(String(b.occurred_at)));
    const lc = contacts.length ? contacts[contacts.length - 1] : null;
    const lcBody = lc && lc.body && typeof lc.body === 'object' ? lc.body : {};
    const lastContact = lc ? `${fmtDate(lc.occurred_at)} · ${whatLabel(lc.type)}` +
      (lcBody.outcome ? ': ' + valueLabel(lcBody.outcome) : '') +
      (lcBody.method ? ` (${valueLabel(lcBody.method)})` : '') : t('No contact recorded.');
    // the holds: what each protects and what it blocks
    const fired = ex && Array.isArray(ex.fired) ? ex.fired.filter((f) => f.kind === 'hold') : [];
    const holdList = holds.length ? el('ul', { className: 'holds-plain' }, holds.map((h) => {
      const f = fired.find((x) => x.name === h);
      const blocks = f && f.blocks ? String(f.blocks).split(/,\s*/).filter(Boolean).map(taskName).join(', ') : '';
      return el('li', { 'data-hold-plain': h }, el('strong', null, holdLabel(h)),
        HOLD_HELP[h] ? ' — ' + t(HOLD_HELP[h]) : '',
        blocks ? el('div', { className: 'small' }, t('Blocks: {what}', { what: blocks })) : null);
    })) : t('No hold.');
    return [
      [t('Where the child is'), where, 'address'],
      [t('Sponsor'), sponsor, 'sponsor'],
      [t('Counsel'), counsel, 'counsel'],
      [t('Next hearing'), hearing, 'hearing'],
      [t('Age'), age, 'age'],
      [t('Last contact'), lastContact, 'contact'],
      [t('Holds'), holdList, 'holds'],
    ];
  }

  function renderCase(body, id, data, notice, prev) {
    clear(body);
    const c = data.case || {};
    const ident = data.identity || [];
    const first = ident[0] || {};
    const masked = isMasked(first.family_name) || isMasked(c.a_number);
    const name = first.family_name || first.given_name
      ? [first.family_name, first.given_name].filter((x) => x !== undefined && x !== null).join(', ')
      : null;
    $('case-h').textContent = t('Case C{id}', { id }) + (name ? ` — ${name}` : '');
    document.title = t('Case C{id}', { id }) + ' · uctrack';
    if (masked) {
      append(body, el('p', { className: 'notice', 'data-testid': 'masked-note' },
        t('Personal data is masked for your role (shown as ***).')));
    }
    if (notice) append(body, notice);

    const ex = explanation(data);
    const holds = holdNames(data);
    append(body, section(t('Summary'), 'summary', dl([
      [t('Group'), groupTag(c.group || (ex && ex.group)), 'group'],
      [t('Priority score'), c.score !== undefined ? fmtInt(c.score) : '—', 'score'],
      [t('Phase'), phaseLabel(c.phase), 'phase'],
      [t('Field office'), c.office, 'office'],
      [t('Assigned to'), data.assignee ? data.assignee : t('nobody'), 'assignee'],
      [t('A-number'), anumFmt(c.a_number), 'a_number'],
      ...essentials(data, ex, holds),
    ])));

    append(body, tasksSection(id, data));
    append(body, assignSection(id, data));

    // Actions come before the long history: field staff record, then read.
    const types = ROLE_EVENTS[state.user.role] || [];
    if (types.length) append(body, eventForm(id, types));

    append(body, renderExplanation(ex, data, holds));

    const statutory = statutoryHolds(ex);
    if (CAN_OVERRIDE[state.user.role]) {
      append(body, overrideForm(id, holds.filter((h) => !statutory.has(h))));
      const pend = new Set((data.hold_lifts || []).filter((l) => l.status === 'pending').map((l) => l.hold));
      const liftable = holds.filter((h) => statutory.has(h) && !pend.has(h));
      if (liftable.length) append(body, liftRequestForm(id, liftable));
    }
    append(body, renderLifts(id, data.hold_lifts || []));

    append(body, section(t('Identity'), 'identity', table(ident, [
      ['source', t('Source'), tableLabel], ['family_name', t('Family name')], ['given_name', t('Given name')],
      ['birth_date', t('Birth date'), dateCell], ['sex', t('Sex')], ['country', t('Country')], ['a_number', t('A-number'), anumFmt],
    ], { caption: t('Identity as stated in each source'), empty: t('No identity records.') })));

    append(body, section(t('Address history'), 'addresses', table(data.addresses || [], [
      ['as_of', t('As of'), dateCell], ['street', t('Street')], ['unit', t('Unit')], ['city', t('City')], ['state', t('State')],
      ['zip', t('ZIP')], ['status', t('Status'), valueLabel], ['src_tbl', t('Source'), tableLabel],
    ], { caption: t('Addresses, oldest first'), empty: t('No address on file.'), cards: true })));

    append(body, historySection(data));
    append(body, renderTimeline(data));
    append(body, renderRecords(data.records || []));
    append(body, section(t('Overrides'), 'overrides', table(data.overrides || [], [
      ['created_at', t('When'), dateCell], ['kind', t('Kind'), valueLabel],
      ['value', t('Value'), (v, o) => (o.kind === 'lift_hold' ? holdLabel(v) : valueLabel(v))], ['reason', t('Reason')],
      ['by_user', t('By')], ['status', t('Status'), valueLabel],
    ], { caption: t('Supervisor overrides'), empty: t('No overrides.'), cards: true })));
    // Internal fields, for analysts and support: out of the way.
    append(body, section(t('Case details'), 'details', el('details', null,
      el('summary', null, t('Internal fields of this case')),
      dl([
        [t('Case'), 'C' + id], [t('Person'), c.person_id], [t('Rule set'), c.rs_hash],
        [t('Facts as of'), fmtDate(c.as_of)], [t('Triaged at'), fmtDate(c.triaged_at)],
      ]))));
  }
  // ---- tasks, assignment and work history on the case page ----

  // Per task and outcome: the fields the API needs in "details"
  // ([field, label, kind, options or attributes], as EVENT_FIELDS).
  const METHODS = ['phone', 'home_visit', 'mail'];
  function taskFields(action, done) {
    switch (action) {
      case 'contact':
        return done ? [['method', N_('How was the child reached'), 'select', METHODS]]
          : [['method', N_('How it was tried'), 'select', METHODS],
            ['outcome', N_('What happened'), 'select', ['no_answer', 'not_at_address', 'moved', 'refused', 'wrong_number']]];
      case 'welfare_check':
        return done ? [['outcome', N_('How the child is'), 'select', ['safe', 'concern']],
          ['note', N_('Note (optional, encrypted at rest)'), 'textarea']]
          : [['note', N_('Note (optional, encrypted at rest)'), 'textarea']];
      case 'locate':
        return done ? [
          ['street', N_('Street'), 'text', { required: true }], ['unit', N_('Unit / apartment'), 'text'],
          ['city', N_('City'), 'text', { required: true }], ['state', N_('State'), 'text', { required: true, maxLength: 2, size: 3 }],
          ['zip', N_('ZIP'), 'text', { required: true, maxLength: 10, size: 10 }],
          ['status', N_('Address status'), 'select', ['verified', 'unverified']],
        ] : [];
      default:
        return [];
    }
  }
  const OUTCOME_LABELS = { done: N_('done'), not_possible: N_('not possible') };
  const outcomeLabel = (o) => labelOf(OUTCOME_LABELS, o);

  function tasksSection(id, data) {
    // Open work first, soonest due first; then held and closed tasks.
    const rank = (tk) => (tk.status === 'open' ? 0 : tk.status === 'held' ? 1 : 2);
    const tasks = (data.tasks || []).slice().sort((a, b) => rank(a) - rank(b) ||
      String(a.due || '9999').localeCompare(String(b.due || '9999')));
    const canDo = !!CAN_COMPLETE[state.user.role];
    const now = officeToday((data.case || {}).office);
    const slot = el('div', { id: 'task-form-slot' });
    const heldBy = (tk) => t('Held by {holds}', { holds: String(tk.held_by || '').split(',').filter(Boolean).map(holdLabel).join(', ') });
    const complete = (tk) => {
      if (tk.status === 'held') return el('span', { className: 'muted small' }, heldBy(tk));
      if (tk.status !== 'open' || !canDo) return '—';
      const mk = (outcome, label) => {
        const b = el('button', { type: 'button', className: 'small', 'data-outcome': outcome },
          label, el('span', { className: 'sr-only' }, ` (${taskName(tk.action)})`));
        b.addEventListener('click', () => openTaskForm(id, tk, outcome, b, slot));
        return b;
      };
      return el('span', { className: 'btns' }, mk('done', t('Done…')), ' ', mk('not_possible', t('Not possible…')));
    };
    const status = (v, tk) => {
      if (tk.status === 'held') return el('span', { className: 'tag hold' }, heldBy(tk));
      if (tk.status !== 'open') return valueLabel(v);
      return [valueLabel(v), ' ', tk.due && tk.due < now ? el('span', { className: 'tag overdue' }, t('Overdue')) : null];
    };
    return section(t('Tasks'), 'tasks', table(tasks, [
      ['action', t('Task'), taskName], ['due', t('Due'), dateCell], ['status', t('Status'), status], ['phase', t('Phase'), phaseLabel],
      ['office', t('Office')], ['id', t('Complete'), (v, tk) => complete(tk)],
    ], { caption: t('Tasks of this case, soonest due first'), empty: t('No tasks.'), cards: true,
      rowAttrs: (tk) => ({ 'data-action': tk.action, 'data-status': tk.status }) }), slot);
  }

  // The small form that completes one task (POST /cases/{id}/tasks/{action}).
  function openTaskForm(caseId, task, outcome, opener, slot) {
    clear(slot);
    const done = outcome === 'done';
    const specs = taskFields(task.action, done);
    const fields = el('div', { className: 'ev-fields' }, specs.map((f) => {
      const w = fieldFor('tk', f);
      const input = w.querySelector('input, select, textarea'); // i18n: code
      if (f[3] && f[3].required) input.required = true;
      return w;
    }));
    const day = caseToday();
    const date = el('input', { id: 'tk-date', name: 'occurred_at', type: 'date', value: day, max: day });
    const reason = el('textarea', { id: 'tk-reason', name: 'reason', rows: 2, maxLength: 2000, required: !done });
    const result = el('div', { id: 'tk-result', 'aria-live': 'polite' });
    const submitLabel = done ? t('Record as done') : t('Record as not possible');
    const submit = el('button', { type: 'submit', className: 'primary' }, submitLabel);
    const cancel = el('button', { type: 'button' }, t('Cancel'));
    const title = `${taskName(task.action)}: ${outcomeLabel(outcome)}`;
    const form = el('form', { id: 'task-form', className: 'stack card inset', 'data-action': task.action,
      'data-outcome': outcome, 'aria-labelledby': 'tk-h' },
    el('h3', { id: 'tk-h' }, title),
    fields,
    el('div', { className: 'row' },
      el('div', { className: 'field' }, el('label', { for: 'tk-date' }, t('Date')), date)),
    el('div', { className: 'field' },
      el('label', { for: 'tk-reason' }, done ? t('Remark for the work history (optional)') : t('Why it was not possible (required)')),
      reason),
    el('div', { className: 'btns' }, submit, ' ', cancel), result);
    const close = () => {
      clear(slot);
      opener.focus();
    };
    cancel.addEventListener('click', close);
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') close(); // i18n: code
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(result);
      if (!form.reportValidity()) return;
      const why = reason.value.trim();
      if (!done && !why) {
        append(result, problemBox(new ApiError({ title: t('A reason is required'), detail: t('Say why the task could not be done.') })));
        reason.focus();
        return;
      }
      const payload = { outcome };
      if (why) payload.reason = why;
      if (date.value) payload.occurred_at = date.value;
      const details = {};
      for (const [name] of specs) {
        const v = form.elements[name] ? form.elements[name].value.trim() : '';
        if (v !== '') details[name] = v;
      }
      if (Object.keys(details).length) payload.details = details;
      submit.disabled = true;
      submit.textContent = t('Recording…');
      try {
        const r = await api('POST', `/cases/${caseId}/tasks/${encodeURIComponent(task.action)}`, { body: payload });
        submit.textContent = t('Recorded; re-reading the case…');
        refreshInbox();
        await loadCase(caseId, () => taskNotice(r, task, outcome));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        append(result, problemBox(e));
        submit.disabled = false;
        submit.textContent = submitLabel;
      }
    });
    append(slot, form);
    const first = form.querySelector('input, select, textarea'); // i18n: code
    if (first) first.focus();
  }

  // After a task is completed: what was recorded and the re-triaged tasks
  // as the POST answered them (the next task first).
  function taskNotice(r, task, outcome) {
    const tasks = (r && r.tasks) || [];
    const open = tasks.filter((tk) => tk.status === 'open').sort((a, b) => String(a.due).localeCompare(String(b.due)));
    const held = tasks.filter((tk) => tk.status === 'held');
    const lines = [el('strong', null, t('{task}: {outcome} — recorded as {event}', { task: taskName(task.action),
      outcome: outcomeLabel(outcome), event: whatLabel(r && r.event_type) }) + (r && r.event_id ? ` (${r.event_id})` : '') + '.')];
    if (open.length) {
      lines.push(el('p', { 'data-testid': 'next-task' }, t('Next task: {task}, due {date}.',
        { task: taskName(open[0].action), date: fmtDate(open[0].due) })));
      if (open.length > 1) {
        lines.push(el('p', null, t('Then: {tasks}.', { tasks: open.slice(1).map((tk) => `${taskName(tk.action)} (${fmtDate(tk.due)})`).join(', ') })));
      }
    } else {
      lines.push(el('p', { 'data-testid': 'next-task' }, t('No open task left on this case.')));
    }
    if (held.length) {
      lines.push(el('p', null, t('Held: {tasks}.', { tasks: held.map((tk) => `${taskName(tk.action)} (${String(tk.held_by || '').split(',').filter(Boolean).map(holdLabel).join(', ')})`).join(', ') })));
    }
    if (r && r.retriaged === false) {
      lines.push(el('p', { className: 'muted small', 'data-testid': 'retriage-pending' },
        t('Not re-triaged yet: the next triage run on the server picks this up.')));
    }
    return el('div', { id: 'retriage', className: 'notice ok', tabIndex: -1, role: 'status', 'data-testid': 'task-done' }, lines);
  }

  function assignSection(id, data) {
    const cur = data.assignee || null;
    const who = el('p', { id: 'case-assignee' }, cur ? [t('Assigned to'), ' ', el('strong', null, cur)]
      : t('Nobody is assigned; the case stays visible to the whole office.'));
    if (cur) rememberName(cur);
    if (!CAN_ASSIGN[state.user.role]) return section(t('Assignment'), 'assign', who);
    const to = el('input', { id: 'ca-to', name: 'assignee', list: 'assignee-names', autocomplete: 'off', size: 14,
      'aria-describedby': 'ca-help' });
    const note = el('input', { id: 'ca-note', name: 'note', maxLength: 500 });
    const result = el('div', { id: 'ca-result', 'aria-live': 'polite' });
    const submit = el('button', { type: 'submit' }, cur ? t('Reassign') : t('Assign'));
    const unassign = cur ? el('button', { type: 'button', id: 'ca-unassign' }, t('Unassign')) : null;
    const form = el('form', { id: 'assign-form', className: 'stack', noValidate: true },
      el('div', { className: 'row' },
        el('div', { className: 'field' }, el('label', { for: 'ca-to' }, cur ? t('Reassign to') : t('Assign to')), to,
          el('span', { id: 'ca-help', className: 'muted small' }, t('an officer\'s or supervisor\'s sign-in name'))),
        el('div', { className: 'field' }, el('label', { for: 'ca-note' }, t('Assignment note (optional)')), note)),
      el('div', { className: 'btns' }, submit, ' ', unassign), result);
    const send = async (assignee, btn) => {
      clear(result);
      if (assignee === '') {
        append(result, problemBox(new ApiError({ title: t('Whom to assign to?'), detail: t('Type the user name of an officer or supervisor of the office.') })));
        to.focus();
        return;
      }
      const label = btn.textContent;
      btn.disabled = true;
      btn.textContent = t('Saving…');
      try {
        const r = await assignCases([Number(id)], assignee, note.value.trim());
        rememberName(assignee);
        refreshInbox();
        await loadCase(id, el('div', { id: 'retriage', className: 'notice ok', tabIndex: -1, role: 'status' },
          assignee ? (r && r.unchanged ? t('Already assigned to {who}.', { who: assignee }) : t('Assigned to {who}.', { who: assignee })) : t('Unassigned.')));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        append(result, problemBox(e));
        btn.disabled = false;
        btn.textContent = label;
      }
    };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      send(to.value.trim(), submit);
    });
    if (unassign) unassign.addEventListener('click', () => send(null, unassign));
    return section(t('Assignment'), 'assign', who, form);
  }

  function historySection(data) {
    const rows = data.work_history || [];
    const what = (h) => {
      if (h.kind === 'assignment') {
        return h.how === 'unassigned' || !h.assignee ? t('Unassigned') : t('Assigned to {who}', { who: h.assignee });
      }
      return `${taskName(h.action)}: ${outcomeLabel(h.how)}`;
    };
    for (const h of rows) {
      if (h.kind === 'assignment') rememberName(h.assignee);
    }
    return section(t('Work history'), 'work-history', table(rows, [
      ['at', t('When'), dateCell], [what, t('What')], ['by', t('By'), (v) => (v ? v : t('triage (automatic)'))],
      ['reason', t('Reason or note')], ['event_id', t('Event')],
    ], { caption: t('Assignments and task outcomes, newest first'), empty: t('No assignment or task outcome yet.'), cards: true,
      rowAttrs: (h) => ({ 'data-kind': h.kind, 'data-how': h.how, 'data-action': h.action }) }));
  }

  function blocksText(blocks) {
    return String(blocks || '').split(/,\s*/).filter(Boolean).map(taskName).join(', ');
  }

  function renderExplanation(ex, data, holds) {
    const kids = [];
    if (ex && Array.isArray(ex.fired)) {
      const rules = ex.fired.filter((f) => f.kind !== 'hold');
      const hs = ex.fired.filter((f) => f.kind === 'hold');
      if (ex.group_label || ex.rank) {
        const bits = [t('Group {group}', { group: groupLabel(ex.group) }) + (ex.overridden ? ' ' + t('(set by an override)') : '')];
        if (ex.score !== undefined) bits.push(t('score {n}', { n: fmtInt(ex.score) }));
        if (ex.rank) bits.push(t('rank {n}', { n: fmtInt(ex.rank) }));
        if (ex.phase !== undefined) bits.push(t('phase {phase}', { phase: phaseLabel(ex.phase) }));
        kids.push(el('p', null, bits.join(', ') + '.'));
      }
      kids.push(el('h3', null, t('Rules that fired')));
      kids.push(rules.length ? el('ul', { className: 'fired' }, rules.map((f) => el('li', { 'data-rule': f.name },
        el('div', null, el('strong', null, ruleLabel(f.name)),
          f.group ? ` → ${groupLabel(f.group)}` : '', f.score ? ` (+${f.score})` : ''),
        f.reason ? el('div', null, f.reason) : null,
        f.facts ? el('div', { className: 'muted small' }, t('Facts read:'), ' ', factsText(f.facts)) : null,
        el('div', { className: 'muted small code-name' }, t('Rule name: {name}', { name: f.name })))))
        : el('p', { className: 'muted' }, t('No rule fired.')));
      kids.push(el('h3', null, t('Holds and what they block')));
      kids.push(hs.length ? el('ul', { className: 'fired' }, hs.map((f) => el('li', { 'data-hold': f.name },
        el('div', null, el('strong', null, holdLabel(f.name)),
          f.blocks ? ' ' + t('blocks {what}', { what: blocksText(f.blocks) }) : '',
          f.lifted === 'yes' || f.lifted === true ? ' ' + t('(lifted by an override)') : '',
          f.statutory ? el('span', { className: 'tag hold', 'data-statutory': f.name }, t('statutory: lifting takes two people')) : null),
        HOLD_HELP[f.name] ? el('div', null, t(HOLD_HELP[f.name])) : null,
        f.reason ? el('div', null, f.reason) : null,
        f.facts ? el('div', { className: 'muted small' }, t('Facts read:'), ' ', factsText(f.facts)) : null)))
        : el('p', { className: 'muted' }, t('No hold.')));
    } else {
      kids.push(el('p', { className: 'muted' },
        t('The server did not send a rule-by-rule explanation for this case; holds and the tasks they block are shown below.')));
      const blocked = {};
      for (const tk of data.tasks || []) {
        for (const h of String(tk.held_by || '').split(',').filter(Boolean)) {
          (blocked[h] = blocked[h] || []).push(tk.action);
        }
      }
      kids.push(holds.length ? el('ul', { className: 'fired' }, holds.map((h) => el('li', { 'data-hold': h },
        el('strong', null, holdLabel(h)), blocked[h] ? ' ' + t('blocks {what}', { what: blocked[h].map(taskName).join(', ') }) : '')))
        : el('p', { className: 'muted' }, t('No hold.')));
    }
    return section(t('Why this case is here'), 'explain', ...kids);
  }

  function factsText(f) {
    if (typeof f === 'string') return f;
    if (Array.isArray(f)) return f.map((x) => (typeof x === 'object' ? `${x.name}=${txt(x.value)}` : String(x))).join(', ');
    if (f && typeof f === 'object') return Object.entries(f).map(([k, v]) => `${k}=${txt(v)}`).join(', ');
    return txt(f);
  }

  // Field names of events and source records in plain words.
  const FIELD_LABELS = {
    recorded_by: N_('recorded by'), method: N_('method'), outcome: N_('outcome'), note: N_('note'), result: N_('result'),
    provider: N_('provider'), status: N_('status'), to: N_('referred to'), reason: N_('reason'), street: N_('street'),
    unit: N_('unit'), city: N_('city'), state: N_('state'), zip: N_('ZIP'), family_name: N_('family name'),
    given_name: N_('given name'), birth_date: N_('birth date'), sex: N_('sex'), country: N_('country'),
    a_number: N_('A-number'), language: N_('language'), encounter_date: N_('encounter date'), sector: N_('sector'),
    place: N_('place'), facility: N_('facility'), admitted_date: N_('admitted'), released_date: N_('released'),
    discharge: N_('discharge'), sponsor_family_name: N_('sponsor family name'), sponsor_given_name: N_('sponsor given name'),
    sponsor_relationship: N_('sponsor relationship'), sponsor_category: N_('sponsor category'), address_status: N_('address status'),
    sponsor_phone: N_('sponsor phone'), issued_date: N_('issued'), served_date: N_('served'), service_method: N_('service method'),
    filed_date: N_('filed'), adj_date: N_('hearing date'), hearing_loc_code: N_('court'), base_city_code: N_('base city'),
    cal_type: N_('calendar'), dec_code: N_('decision'), absentia: N_('in absentia'), comp_date: N_('completed'),
    hearing_date: N_('hearing date'), action: N_('action'), action_date: N_('action date'), occurred_at: N_('date'),
    type: N_('type'), body: N_('details'),
  };
  const fieldLabel = (k) => labelOf(FIELD_LABELS, k);

  // Field-event details for the timeline, from its record's body.
  const EVENT_SKIP = new Set(['event_id', 'a_number', 'type', 'occurred_at']);
  function eventSummary(body) {
    if (!body || typeof body !== 'object') return body ? String(body) : '';
    return Object.entries(body).filter(([k]) => !EVENT_SKIP.has(k))
      .map(([k, v]) => `${fieldLabel(k)}: ${valueText(v)}`).join(' · ');
  }
  // Codes (no_answer) read better as words; free text stays as it is.
  function valueText(v) {
    if (v && typeof v === 'object') return JSON.stringify(v);
    const s = String(v);
    if (Object.prototype.hasOwnProperty.call(VALUE_LABELS, s)) return valueLabel(s);
    return /^[a-z]+(_[a-z]+)+$/.test(s) ? human(s) : s;
  }
  const CALENDARS = { M: N_('master calendar'), I: N_('individual calendar') };

  // Court events say where and what came of them.
  function courtSummary(r) {
    const bits = [];
    const court = r.hearing_loc_code || r.base_city_code;
    if (court) bits.push(t('court {court}', { court }));
    if (r.cal_type) bits.push(labelOf(CALENDARS, r.cal_type));
    if (r.dec_code) bits.push(t('decision {code}', { code: r.dec_code }));
    if (r.absentia === 'Y' || r.absentia === '1') bits.push(t('in absentia'));
    if (r.action) bits.push(valueText(r.action));
    return bits.join(' · ');
  }

  function renderTimeline(data) {
    const recs = new Map();
    for (const r of data.records || []) recs.set(`${r.table}:${r.rid}`, r);
    const tl = (data.timeline || []).slice().reverse(); // newest first
    const rows = tl.map((ev) => {
      const r = recs.get(`${ev.table}:${ev.rid}`);
      let detail = '';
      if (r && ev.table === 'field_event') detail = eventSummary(r.body);
      else if (r && /^(eoir|ice)_/.test(ev.table)) detail = courtSummary(r);
      else if (r && r.outcome) detail = valueText(r.outcome);
      return { ...ev, detail };
    });
    return section(t('Timeline'), 'timeline', table(rows, [
      ['date', t('Date'), dateCell], ['what', t('What'), whatLabel], ['table', t('Source'), tableLabel], ['detail', t('Details')],
    ], { caption: t('Timeline, newest first'), empty: t('Nothing recorded yet.'), cards: true,
      rowAttrs: (r) => ({ 'data-what': r.what, 'data-table': r.table }) }));
  }

  function renderRecords(records) {
    const byTable = new Map();
    for (const r of records) {
      if (!byTable.has(r.table)) byTable.set(r.table, []);
      byTable.get(r.table).push(r);
    }
    const kids = [];
    if (!records.length) kids.push(el('p', { className: 'muted' }, t('No source records.')));
    for (const [tbl, rows] of byTable) {
      const keys = [];
      for (const r of rows) for (const k of Object.keys(r)) if (k !== 'table' && !keys.includes(k)) keys.push(k);
      kids.push(el('details', null,
        el('summary', null, `${tableLabel(tbl)} (${fmtInt(rows.length)})`),
        table(rows, keys.map((k) => [k, fieldLabel(k), (v) => (v && typeof v === 'object' ? eventSummary(v) : valueText(v === null || v === undefined ? '—' : v))]),
          { compact: true, caption: t('{source} records', { source: tableLabel(tbl) }) })));
    }
    return section(t('Source records'), 'records', ...kids);
  }

  // ---- forms: field events and overrides ----

  const EVENT_LABELS = {
    contact_attempt: N_('Contact attempt'), welfare_check: N_('Welfare check'),
    trafficking_screening: N_('Trafficking screening'), address_update: N_('Address update'),
    referral: N_('Referral'), representation: N_('Representation'), orientation: N_('Legal orientation'),
  };
  // Per type: [field, label, kind, options or attributes]
  const EVENT_FIELDS = {
    contact_attempt: [
      ['method', N_('Method'), 'select', ['phone', 'home_visit', 'mail']],
      ['outcome', N_('Outcome'), 'select', ['reached', 'no_answer', 'not_at_address', 'moved', 'refused', 'wrong_number']],
    ],
    welfare_check: [
      ['outcome', N_('Outcome'), 'select', ['safe', 'concern', 'not_seen']],
      ['note', N_('Note (optional, encrypted at rest)'), 'textarea'],
    ],
    trafficking_screening: [
      ['result', N_('Result'), 'select', ['no_indicators', 'indicators_found', 'declined']],
      ['note', N_('Note (optional, sensitive, encrypted at rest)'), 'textarea'],
    ],
    address_update: [
      ['street', N_('Street'), 'text', { required: true }], ['unit', N_('Unit / apartment'), 'text'],
      ['city', N_('City'), 'text', { required: true }], ['state', N_('State'), 'text', { required: true, maxLength: 2, size: 3 }],
      ['zip', N_('ZIP'), 'text', { required: true, maxLength: 10, size: 10 }],
      ['status', N_('Status'), 'select', ['verified', 'unverified', 'undeliverable']],
    ],
    referral: [
      ['to', N_('Referred to'), 'select', ['legal_provider', 'hsi', 'cps', 'hhs']],
      ['reason', N_('Reason (optional)'), 'text'],
    ],
    representation: [
      ['provider', N_('Provider'), 'provider'],
      ['status', N_('Status'), 'select', ['started', 'ended']],
    ],
    orientation: [['provider', N_('Provider'), 'provider']],
  };

  function fieldFor(prefix, [name, label, kind, extra]) {
    const id = `${prefix}-${name}`;
    let input;
    if (kind === 'select') {
      input = el('select', { id, name }, extra.map((v) => el('option', { value: v }, valueLabel(v))));
    } else if (kind === 'textarea') {
      input = el('textarea', { id, name, rows: 3, maxLength: 4000 });
    } else if (kind === 'provider') {
      const p = state.user.provider || '';
      input = el('input', { id, name, value: p, readOnly: !!p, required: true });
    } else {
      input = el('input', { id, name, ...(extra || {}) });
    }
    return el('div', { className: 'field' }, el('label', { for: id }, t(label)), input);
  }

  function eventForm(caseId, types) {
    const typeSel = el('select', { id: 'ev-type', name: 'type' },
      types.map((ty) => el('option', { value: ty }, labelOf(EVENT_LABELS, ty))));
    const fields = el('div', { className: 'ev-fields', id: 'ev-fields' });
    const day = caseToday();
    const date = el('input', { id: 'ev-date', name: 'occurred_at', type: 'date', value: day, max: day, required: true });
    const result = el('div', { id: 'ev-result', 'aria-live': 'polite' });
    const submit = el('button', { type: 'submit', className: 'primary' }, t('Record event'));
    const form = el('form', { id: 'event-form', className: 'stack', noValidate: false },
      el('div', { className: 'row' },
        el('div', { className: 'field' }, el('label', { for: 'ev-type' }, t('Event')), typeSel),
        el('div', { className: 'field' }, el('label', { for: 'ev-date' }, t('Date')), date)),
      fields, el('div', null, submit), result);
    const fill = () => {
      clear(fields);
      for (const f of EVENT_FIELDS[typeSel.value] || []) fields.appendChild(fieldFor('ev', f));
    };
    typeSel.addEventListener('change', fill);
    fill();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(result);
      if (!form.reportValidity()) return;
      const type = typeSel.value;
      const payload = { type, occurred_at: date.value };
      for (const [name] of EVENT_FIELDS[type] || []) {
        const v = form.elements[name] ? form.elements[name].value.trim() : '';
        if (v !== '') payload[name] = v;
      }
      submit.disabled = true;
      submit.textContent = t('Recording…');
      const before = caseState && caseState.data ? caseState.data.case || {} : {};
      const beforeHolds = caseState && caseState.data ? holdNames(caseState.data) : [];
      try {
        const r = await api('POST', `/cases/${caseId}/events`, { body: payload });
        refreshInbox();
        submit.textContent = t('Recorded; re-reading the case…');
        await loadCase(caseId, (d) => retriageNotice(r, before, beforeHolds, labelOf(EVENT_LABELS, type), d));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        append(result, problemBox(e));
      } finally {
        submit.disabled = false;
        submit.textContent = t('Record event');
      }
    });
    return section(t('Record a field event'), 'event', form);
  }

  // After a write: what triage made of the case now (d: the case as read
  // once after the write).
  function retriageNotice(r, before, beforeHolds, what, d) {
    const after = d ? d.case || {} : null;
    const afterHolds = d ? holdNames(d) : [];
    const lines = [];
    const stored = r && r.new === false ? t('{what} was already recorded', { what }) : t('{what} recorded', { what });
    lines.push(el('strong', null, stored + (r && r.event_id ? ` (${r.event_id})` : '') + '.'));
    if (after) {
      const ch = [];
      const cmp = (label, a, b, fmt) => {
        const f = fmt || txt;
        ch.push(el('li', null, a === b ? `${label}: ${f(b)} ` + t('(unchanged)') : `${label}: ${f(a)} → ${f(b)}`));
      };
      const holdsText = (hs) => hs.map(holdLabel).join(', ') || t('none');
      cmp(t('Group'), before.group, after.group, groupLabel);
      cmp(t('Priority score'), before.score, after.score);
      cmp(t('Phase'), before.phase, after.phase, phaseLabel);
      cmp(t('Holds'), holdsText(beforeHolds), holdsText(afterHolds));
      lines.push(el('p', null, t('Re-triaged result:')));
      lines.push(el('ul', null, ch));
      // Servers say whether they re-triaged ("retriaged"); without that
      // field an unchanged triage time means it has not happened yet.
      const pending = r && typeof r.retriaged === 'boolean' ? !r.retriaged
        : Boolean(before.triaged_at && before.triaged_at === after.triaged_at);
      if (pending) {
        lines.push(el('p', { className: 'muted small', 'data-testid': 'retriage-pending' },
          t('Not re-triaged yet (last triage {when}): the next triage run on the server picks this up.', { when: fmtDate(after.triaged_at) })));
      } else if (after.triaged_at) {
        lines.push(el('p', { className: 'muted small' }, t('Triaged at {when}.', { when: fmtDate(after.triaged_at) })));
      }
    }
    return el('div', { id: 'retriage', className: 'notice ok', tabIndex: -1, role: 'status', 'data-testid': 'retriage' }, lines);
  }

  function statutoryHolds(ex) {
    const out = new Set();
    if (ex && Array.isArray(ex.fired)) {
      for (const f of ex.fired) if (f.kind === 'hold' && f.statutory) out.add(f.name);
    }
    return out;
  }

  // Lifting a statutory hold: one supervisor asks, a second approves.
  function liftRequestForm(caseId, holds) {
    const hold = el('select', { id: 'lift-hold', name: 'hold' },
      holds.map((h) => el('option', { value: h }, holdLabel(h))));
    const reason = el('textarea', { id: 'lift-reason', name: 'reason', rows: 3, minLength: 10, maxLength: 2000,
      required: true, 'aria-describedby': 'lift-help' });
    const result = el('div', { id: 'lift-result', 'aria-live': 'polite' });
    const submit = el('button', { type: 'submit' }, t('Request the lift'));
    const form = el('form', { id: 'lift-form', className: 'stack', noValidate: true },
      el('div', { className: 'field' }, el('label', { for: 'lift-hold' }, t('Statutory hold')), hold),
      el('div', { className: 'field' }, el('label', { for: 'lift-reason' }, t('Why lift it (required)')), reason,
        el('div', { id: 'lift-help', className: 'muted small' },
          t('This hold protects a right the law gives the child. The lift takes effect only when a second supervisor or an admin approves it. At least 10 characters; audited and shown on the case.'))),
      el('div', null, submit), result);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(result);
      const why = reason.value.trim();
      if (why.length < 10) {
        append(result, problemBox(new ApiError({ title: t('A reason is required'), detail: t('Explain the lift in at least 10 characters.') })));
        reason.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = t('Saving…');
      try {
        await api('POST', `/cases/${caseId}/hold-lifts`, { body: { hold: hold.value, reason: why } });
        refreshInbox();
        await loadCase(caseId, () => el('div', { id: 'retriage', className: 'notice ok', tabIndex: -1, role: 'status' },
          t('Lift of {hold} requested; it waits for a second person\'s approval.', { hold: holdLabel(hold.value) })));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        append(result, problemBox(e));
        submit.disabled = false;
        submit.textContent = t('Request the lift');
      }
    });
    return section(t('Request a hold lift'), 'lift-request', form);
  }

  function renderLifts(caseId, lifts) {
    const me = state.user.name;
    const decide = async (l, decision, btn) => {
      const label = btn.textContent;
      btn.disabled = true;
      btn.textContent = t('Saving…');
      try {
        await api('POST', `/cases/${caseId}/hold-lifts/${l.id}`, { body: { decision } });
        refreshInbox();
        await loadCase(caseId, () => el('div', { id: 'retriage', className: 'notice ok', tabIndex: -1, role: 'status' },
          decision === 'approve' ? t('Lift of {hold} approved: the hold is lifted.', { hold: holdLabel(l.hold) })
            : decision === 'reject' ? t('Lift of {hold} rejected.', { hold: holdLabel(l.hold) })
              : t('Lift of {hold} withdrawn.', { hold: holdLabel(l.hold) })));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        btn.disabled = false;
        btn.textContent = label;
        btn.after(problemBox(e));
      }
    };
    const actions = (v, l) => {
      if (l.status !== 'pending' || !CAN_OVERRIDE[state.user.role]) return '—';
      const mk = (decision, label) => {
        const b = el('button', { type: 'button', className: 'small', 'data-decision': decision }, label);
        b.addEventListener('click', () => decide(l, decision, b));
        return b;
      };
      if (l.requested_by === me) return el('span', null, mk('withdraw', t('Withdraw')), ' ',
        el('span', { className: 'muted small' }, t('waiting for a second person')));
      return el('span', null, mk('approve', t('Approve')), ' ', mk('reject', t('Reject')));
    };
    return section(t('Hold lifts'), 'hold-lifts', table(lifts, [
      ['hold', t('Hold'), holdLabel], ['status', t('Status'), valueLabel], ['reason', t('Reason')],
      [(l) => `${l.requested_by} ${fmtDate(l.requested_at)}`, t('Requested')],
      [(l) => (l.decided_by ? `${l.decided_by} ${fmtDate(l.decided_at)}` : '—'), t('Decided')],
      ['note', t('Note'), (v) => txt(v || '—')], ['id', t('Action'), actions],
    ], { caption: t('Requests to lift a statutory hold'), empty: t('No hold lift requests.'), cards: true,
      rowAttrs: (l) => ({ 'data-lift': l.id, 'data-status': l.status }) }));
  }

  function overrideForm(caseId, holds) {
    const kind = el('select', { id: 'ov-kind', name: 'kind' },
      el('option', { value: 'group' }, t('Set the group')),
      holds.length ? el('option', { value: 'lift_hold' }, t('Lift a hold')) : null);
    const valueWrap = el('div', { className: 'field' });
    const reason = el('textarea', { id: 'ov-reason', name: 'reason', rows: 3, minLength: 10, maxLength: 2000, required: true,
      'aria-describedby': 'ov-reason-help' });
    const result = el('div', { id: 'ov-result', 'aria-live': 'polite' });
    const fillValue = () => {
      clear(valueWrap);
      const opts = kind.value === 'group' ? Object.keys(GROUP_LABELS) : holds;
      append(valueWrap, [el('label', { for: 'ov-value' }, kind.value === 'group' ? t('New group') : t('Hold to lift')),
        el('select', { id: 'ov-value', name: 'value' },
          opts.map((v) => el('option', { value: v }, kind.value === 'group' ? groupLabel(v) : holdLabel(v))))]);
    };
    kind.addEventListener('change', fillValue);
    fillValue();
    const submit = el('button', { type: 'submit' }, t('Record override'));
    const form = el('form', { id: 'override-form', className: 'stack', noValidate: true },
      el('div', { className: 'row' },
        el('div', { className: 'field' }, el('label', { for: 'ov-kind' }, t('Override')), kind), valueWrap),
      el('div', { className: 'field' }, el('label', { for: 'ov-reason' }, t('Reason (required)')), reason,
        el('div', { id: 'ov-reason-help', className: 'muted small' }, t('At least 10 characters. The reason is audited and shown on the case.'))),
      el('div', null, submit), result);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(result);
      const why = reason.value.trim();
      if (why.length < 10) {
        append(result, problemBox(new ApiError({ title: t('A reason is required'), detail: t('Explain the override in at least 10 characters.') })));
        reason.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = t('Recording…');
      const before = caseState && caseState.data ? caseState.data.case || {} : {};
      const beforeHolds = caseState && caseState.data ? holdNames(caseState.data) : [];
      try {
        const r = await api('POST', `/cases/${caseId}/overrides`,
          { body: { kind: kind.value, value: form.elements.value.value, reason: why } });
        refreshInbox();
        submit.textContent = t('Recorded; re-reading the case…');
        await loadCase(caseId, (d) => retriageNotice(r, before, beforeHolds, t('Override'), d));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        append(result, problemBox(e));
      } finally {
        submit.disabled = false;
        submit.textContent = t('Record override');
      }
    });
    return section(t('Supervisor override'), 'override', form);
  }

  // ---- inbox: reminders for the signed-in user ----

  const INBOX_KINDS = {
    overdue: N_('Overdue'), due_soon: N_('Due soon'), no_contact: N_('No contact'),
    hold_lift: N_('Hold lift to decide'), counsel_request: N_('Counsel request to decide'),
  };

  // A reminder in plain words; the case is in its own column.
  function inboxText(it) {
    const d = Number(it.days) || 0;
    if (it.kind === 'overdue' && it.action) {
      return tp('{task} was due {date}: {n} day overdue', '{task} was due {date}: {n} days overdue', d,
        { task: taskName(it.action), date: fmtDate(it.date) });
    }
    if (it.kind === 'due_soon' && it.action) {
      return d === 0 ? t('{task} due {date} (today)', { task: taskName(it.action), date: fmtDate(it.date) })
        : tp('{task} due {date} (in {n} day)', '{task} due {date} (in {n} days)', d, { task: taskName(it.action), date: fmtDate(it.date) });
    }
    // Other reminders: the server's words in English, ours otherwise.
    const own = { no_contact: N_('No successful contact on record'), hold_lift: N_('A hold lift waits for your decision'),
      counsel_request: N_('A counsel request waits for your decision') };
    if (window.UC_I18N.lang() !== 'en' && own[it.kind]) return t(own[it.kind]);
    const s = String(it.text || '').replace(/^C\d+: /, '') || labelOf(INBOX_KINDS, it.kind);
    return cap(s);
  }

  function setInboxCount(n) {
    const b = $('inbox-count');
    b.textContent = fmtInt(n);
    b.classList.toggle('zero', !n);
    b.hidden = false;
  }

  // The header badge: GET /inbox?count_only=1 (after sign-in and writes).
  async function refreshInbox() {
    if (!state.user) return;
    try {
      const r = await api('GET', '/inbox', { query: { count_only: 1 } });
      if (state.user) setInboxCount(Number(r.total) || 0);
    } catch (_) { /* the badge is a convenience; the inbox screen shows problems */ }
  }

  async function loadInbox() {
    const tbody = clear($('inbox-table').tBodies[0]);
    const counts = clear($('inbox-counts'));
    $('inbox-note').textContent = t('Loading…');
    const latest = begin('inbox');
    try {
      const r = await api('GET', '/inbox');
      if (!latest()) return;
      const items = (r && r.items) || [];
      const total = Number(r.total) || 0;
      setInboxCount(total);
      $('inbox-note').textContent = [tp('{n} reminder', '{n} reminders', total),
        items.length < total ? t('the first {n} are listed', { n: fmtInt(items.length) }) : null,
        t('due soon: within {n} days', { n: txt(r.due_soon_days) }),
        t('no contact: none for {n} days', { n: txt(r.no_contact_days) })].filter(Boolean).join(' · ');
      for (const [k, label] of Object.entries(INBOX_KINDS)) {
        const n = r.counts ? Number(r.counts[k]) || 0 : 0;
        counts.appendChild(el('li', { 'data-kind': k }, `${t(label)}: `, el('strong', null, fmtInt(n))));
      }
      for (const it of items) {
        let go;
        if (it.kind === 'hold_lift') go = el('a', { href: `#/case/${it.case_id}?see=hold-lifts` }, t('Decide the hold lift'));
        else if (it.kind === 'counsel_request') go = el('a', { href: '#/counsel-requests' }, t('Decide the request'));
        else go = caseLink(it.case_id, t('Open the case'));
        const kindClass = it.kind === 'overdue' ? ' overdue' : it.kind === 'due_soon' ? ' soon' : '';
        tbody.appendChild(el('tr', { 'data-kind': it.kind, 'data-case': it.case_id },
          el('td', null, el('span', { className: 'tag' + kindClass }, labelOf(INBOX_KINDS, it.kind))),
          el('td', null, it.case_id ? caseLink(it.case_id, `C${it.case_id}`) : '—'),
          el('td', null, inboxText(it)),
          el('td', { className: 'date' }, dateCell(it.date)),
          el('td', { className: 'num' }, it.days === undefined || it.days === null ? '—' : fmtInt(it.days)),
          el('td', null, go)));
      }
      if (!items.length) tbody.appendChild(el('tr', null, el('td', { colSpan: 6, className: 'muted' }, t('Nothing needs you now.'))));
      labelCells($('inbox-table'));
    } catch (e) {
      if (!latest()) return;
      $('inbox-note').textContent = '';
      showProblem(e, t('Inbox'));
    }
  }

  // ---- legal providers: clients and counsel requests ----

  // "A-012-345-678", "012345678" -> "012345678"; null when not 9 digits.
  function anumDigits(q) {
    const d = String(q || '').replace(/^\s*A/i, '').replace(/[\s-]/g, '');
    return /^\d{9}$/.test(d) ? d : null;
  }

  async function loadClients() {
    const tbody = clear($('clients-table').tBodies[0]);
    $('clients-note').textContent = t('Loading…');
    clear($('ask-body'));
    append($('ask-body'), counselAskForm('', 'ask'));
    loadMyRequests();
    const latest = begin('clients');
    try {
      const r = await api('GET', '/clients', { pii: true });
      if (!latest()) return;
      const items = (r && r.items) || [];
      for (const c of items) {
        tbody.appendChild(el('tr', { 'data-case': c.case_id },
          el('td', null, el('div', { className: 'who-cell' }, caseLink(c.case_id, c.name ? txt(c.name) : t('Case C{id}', { id: c.case_id })))),
          el('td', null, anumFmt(c.a_number)),
          el('td', { className: 'date' }, dateCell(c.next_hearing)),
          el('td', null, txt(c.court)),
          el('td', { className: 'date' }, dateCell(c.counsel_since)),
          el('td', null, groupTag(c.group)),
          el('td', null, phaseLabel(c.phase))));
      }
      if (!items.length) tbody.appendChild(el('tr', null, el('td', { colSpan: 7, className: 'muted' }, t('No client recorded yet.'))));
      labelCells($('clients-table'));
      $('clients-note').textContent = tp('{n} client of {provider}.', '{n} clients of {provider}.', items.length, { provider: txt(r.provider) });
    } catch (e) {
      if (!latest()) return;
      $('clients-note').textContent = '';
      showProblem(e, t('My clients'));
    }
  }

  // POST /counsel-requests: a provider asks to be recorded as counsel.
  function counselAskForm(anum, prefix) {
    const a = el('input', { id: `${prefix}-anum`, name: 'a_number', value: anum ? anumFmt(anum) : '', size: 14,
      required: true, autocomplete: 'off' });
    const reason = el('textarea', { id: `${prefix}-reason`, name: 'reason', rows: 2, maxLength: 2000, required: true,
      'aria-describedby': `${prefix}-help` });
    const result = el('div', { id: `${prefix}-result`, 'aria-live': 'polite' });
    const submit = el('button', { type: 'submit', className: 'primary' }, t('Ask to be recorded as counsel'));
    const form = el('form', { id: `${prefix}-form`, className: 'stack', noValidate: true },
      el('div', { className: 'row' },
        el('div', { className: 'field' }, el('label', { for: `${prefix}-anum` }, t('A-number of the child')), a)),
      el('div', { className: 'field' }, el('label', { for: `${prefix}-reason` }, t('Why you are the child\'s counsel (required)')), reason,
        el('div', { id: `${prefix}-help`, className: 'muted small' }, t('For example: retained by the family on a date, G-28 filed. The reason is audited.'))),
      el('div', null, submit), result);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(result);
      const digits = anumDigits(a.value);
      if (!digits) {
        append(result, problemBox(new ApiError({ title: t('Not an A-number'), detail: t('Type the 9 digits, e.g. A012-345-678.') })));
        a.focus();
        return;
      }
      const why = reason.value.trim();
      if (!why) {
        append(result, problemBox(new ApiError({ title: t('A reason is required'), detail: t('Say why you represent this child.') })));
        reason.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = t('Sending…');
      try {
        const r = await api('POST', '/counsel-requests', { body: { a_number: digits, reason: why } });
        reason.value = '';
        append(result, el('div', { className: 'notice ok', role: 'status', 'data-testid': 'counsel-asked' },
          t('Request {id} for {anum} sent: {status}. An analyst or supervisor confirms it; the child then appears under My clients.',
            { id: txt(r && r.id), anum: anumFmt(digits), status: valueLabel(r && r.status) }), ' ',
          el('a', { href: '#/clients' }, t('My clients'))));
        refreshInbox();
        if (!$('view-clients').hidden) loadMyRequests();
      } catch (e) {
        append(result, problemBox(e));
      } finally {
        submit.disabled = false;
        submit.textContent = t('Ask to be recorded as counsel');
      }
    });
    return form;
  }

  // A provider's own requests (GET /counsel-requests), withdraw if pending.
  async function loadMyRequests() {
    const out = clear($('myreq-body'));
    const latest = begin('myreq');
    try {
      const r = await api('GET', '/counsel-requests');
      if (!latest()) return;
      const rows = (r && r.items) || [];
      const action = (v, k) => {
        if (k.status !== 'pending') return '—';
        const b = el('button', { type: 'button', className: 'small', 'data-decision': 'withdraw' }, t('Withdraw'));
        b.addEventListener('click', () => decideCounsel(k, 'withdraw', '', b, loadMyRequests));
        return b;
      };
      append(out, table(rows, [
        ['id', t('Request')], ['a_number', t('A-number'), anumFmt], ['requested_at', t('Asked'), dateCell], ['reason', t('Reason')],
        ['status', t('Status'), valueLabel],
        [(k) => (k.decided_by ? `${k.decided_by} ${fmtDate(k.decided_at)}` : '—'), t('Decided')],
        ['note', t('Note')], ['id', t('Action'), action],
      ], { caption: t('My counsel requests'), empty: t('No request yet.'), cards: true,
        rowAttrs: (k) => ({ 'data-request': k.id, 'data-status': k.status }) }));
    } catch (e) {
      if (!latest()) return;
      append(out, problemBox(e));
    }
  }

  async function decideCounsel(k, decision, note, btn, reload) {
    const label = btn.textContent;
    btn.disabled = true;
    btn.textContent = t('Saving…');
    try {
      const body = { decision };
      if (note) body.note = note;
      const r = await api('POST', `/counsel-requests/${encodeURIComponent(String(k.id))}`, { body });
      say(t('Counsel request {id}: {status}.', { id: k.id, status: valueLabel(r && r.status ? r.status : decision) }));
      refreshInbox();
      await reload();
    } catch (e) {
      btn.disabled = false;
      btn.textContent = label;
      btn.after(problemBox(e));
    }
  }

  // ---- counsel requests to decide (analysts, supervisors, admins) ----

  async function loadCounsel(query) {
    const status = query.has('status') ? query.get('status') : 'pending';
    $('cf-status').value = status;
    const out = clear($('counsel-body'));
    append(out, el('p', { className: 'muted' }, t('Loading…')));
    const latest = begin('counsel');
    try {
      const r = await api('GET', '/counsel-requests', { query: { status } });
      if (!latest()) return;
      const rows = (r && r.items) || [];
      clear(out);
      const reload = () => loadCounsel(parseHash().query);
      const action = (v, k) => {
        if (k.status !== 'pending') return '—';
        const nid = `cn-${k.id}`;
        const note = el('input', { id: nid, name: 'note', maxLength: 500, size: 14 });
        const mk = (decision, label) => {
          const b = el('button', { type: 'button', className: 'small', 'data-decision': decision }, label);
          b.addEventListener('click', () => decideCounsel(k, decision, note.value.trim(), b, reload));
          return b;
        };
        return el('div', { className: 'decide' },
          el('label', { for: nid, className: 'small' }, t('Note for request {id} (optional)', { id: k.id })), note,
          el('span', { className: 'btns' }, mk('confirm', t('Confirm')), ' ', mk('reject', t('Reject'))));
      };
      append(out, el('p', { className: 'muted', id: 'counsel-note' }, tp('{n} request', '{n} requests', rows.length) +
        (status ? ` · ${valueLabel(status)}` : '')));
      append(out, table(rows, [
        ['id', t('Request')], ['case_id', t('Case'), (v) => (v ? caseLink(v, `C${v}`) : '—')], ['a_number', t('A-number'), anumFmt],
        ['provider', t('Provider')],
        [(k) => `${k.requested_by} ${fmtDate(k.requested_at)}`, t('Asked by')], ['reason', t('Reason')], ['status', t('Status'), valueLabel],
        [(k) => (k.decided_by ? `${k.decided_by} ${fmtDate(k.decided_at)}` : '—'), t('Decided')], ['note', t('Note')],
        ['id', t('Decision'), action],
      ], { caption: t('Counsel requests'), empty: status === 'pending' ? t('No request waits for a decision.') : t('No request.'), cards: true,
        rowAttrs: (k) => ({ 'data-request': k.id, 'data-status': k.status }) }));
    } catch (e) {
      if (!latest()) return;
      clear(out);
      showProblem(e, t('Counsel requests'));
    }
  }

  function counselSubmit(ev) {
    ev.preventDefault();
    location.hash = '#/counsel-requests?status=' + encodeURIComponent($('cf-status').value);
  }

  // ---- audit log ----

  // The audit log (GET /audit): newest first by default, a range of days,
  // pages by the API's cursor (next_before / next_after).
  async function loadAudit(query) {
    const f = { actor: query.get('actor') || '', action: query.get('action') || '', target: query.get('target') || '' };
    const day = (k) => (/^\d{4}-\d\d-\d\d$/.test(query.get(k) || '') ? query.get(k) : '');
    const order = query.get('order') === 'asc' ? 'asc' : 'desc';
    $('af-actor').value = f.actor;
    $('af-action').value = f.action;
    $('af-target').value = f.target;
    $('af-from').value = day('from');
    $('af-to').value = day('to');
    $('af-order').value = order;
    const cursor = order === 'asc' ? { after: query.get('after') || '' } : { before: query.get('before') || '' };
    const tbody = clear($('audit-table').tBodies[0]);
    state.audit.rows = [];
    const latest = begin('audit');
    try {
      const r = await api('GET', '/audit', { query: { ...f, from: day('from'), to: day('to'), order, ...cursor, limit: 100 } });
      if (!latest()) return;
      const items = (r && r.items) || [];
      state.audit.rows = items;
      for (const a of items) {
        tbody.appendChild(el('tr', { 'data-seq': a.seq },
          el('td', { className: 'num' }, txt(a.seq)), el('td', { className: 'date' }, dateCell(a.at)),
          el('td', null, txt(a.actor)), el('td', null, a.role ? roleLabel(a.role) : '—'), el('td', null, txt(a.action)),
          el('td', null, txt(a.target)), el('td', null, txt(a.purpose)), el('td', null, a.outcome ? valueLabel(a.outcome) : '—'),
          el('td', { className: 'small' }, txt(a.detail))));
      }
      if (!items.length) tbody.appendChild(el('tr', null, el('td', { colSpan: 9, className: 'muted' }, t('No entries.'))));
      labelCells($('audit-table'));
      state.audit.next = order === 'asc' ? (r && r.next_after) || null : (r && r.next_before) || null;
      state.audit.order = order;
      $('audit-next').disabled = !state.audit.next;
      $('audit-first').disabled = !(cursor.after || cursor.before);
      $('audit-csv').disabled = !items.length;
    } catch (e) {
      if (!latest()) return;
      showProblem(e, t('Audit log'));
    }
  }
  function auditSubmit(ev) {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of ['actor', 'action', 'target', 'from', 'to']) {
      const v = $('af-' + k).value.trim();
      if (v) q.set(k, v);
    }
    if ($('af-order').value === 'asc') q.set('order', 'asc');
    location.hash = '#/audit' + (q.toString() ? '?' + q : '');
  }
  function auditPage(first) {
    const { query } = parseHash();
    const key = state.audit.order === 'asc' ? 'after' : 'before';
    query.delete('after');
    query.delete('before');
    if (!first && state.audit.next) query.set(key, state.audit.next);
    location.hash = '#/audit' + (query.toString() ? '?' + query : '');
  }
  // GET /audit/verify: the chain's status, in words.
  async function auditVerify() {
    const out = $('audit-chain');
    const btn = $('audit-verify');
    const label = btn.textContent;
    btn.disabled = true;
    btn.textContent = t('Checking…');
    out.textContent = '';
    try {
      const r = await api('GET', '/audit/verify');
      out.setAttribute('data-intact', r && r.intact ? '1' : '0');
      out.textContent = r && r.intact
        ? tp('The chain is intact: {n} entry checked, the last #{seq}.', 'The chain is intact: {n} entries checked, the last #{seq}.',
          Number(r.entries) || 0, { seq: txt(r.head_seq) })
        : t('The chain is broken at entry #{seq}: {problem}', { seq: txt(r && r.first_bad), problem: txt(r && r.problem) });
    } catch (e) {
      showProblem(e, t('Audit log'));
    } finally {
      btn.disabled = false;
      btn.textContent = label;
    }
  }
  // A spreadsheet cell that starts like a formula is made text (an
  // apostrophe first), as the server's exports do.
  function csvCell(v) {
    let s = v === undefined || v === null ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function auditCsv() {
    const cols = ['seq', 'at', 'actor', 'role', 'action', 'target', 'purpose', 'outcome', 'detail', 'hash'];
    const lines = [cols.join(',')].concat((state.audit.rows || []).map((a) => cols.map((c) => csvCell(a[c])).join(',')));
    download(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' }), 'audit-log.csv');
  }

  // ---- oversight report ----

  function reportQuery(format) {
    const q = { format };
    const by = $('rf-by').value;
    const asOf = $('rf-asof').value;
    if (by) q.by = by;
    if (asOf) q.as_of = asOf;
    if ($('rf-public').checked) q.public = 'true';
    return q;
  }

  async function loadReports(query) {
    if (query.has('by')) $('rf-by').value = query.get('by');
    if (query.has('as_of')) $('rf-asof').value = query.get('as_of');
    // Auditors always get the publishable form (the server enforces it).
    const auditor = state.user.role === 'auditor';
    $('rf-public').checked = auditor || query.get('public') === 'true';
    $('rf-public').disabled = auditor;
    $('fta-part').hidden = !FTA_ROLES[state.user.role];
    $('oversight-part').hidden = !OVERSIGHT_ROLES[state.user.role];
    clear($('fta-body'));
    const out = clear($('report-body'));
    if (!OVERSIGHT_ROLES[state.user.role]) return;
    const ctrl = new AbortController();
    append(out, loadingNote(ctrl));
    const latest = begin('report');
    try {
      const r = await api('GET', '/reports/oversight', { query: reportQuery('json'), signal: ctrl.signal });
      if (!latest()) return;
      clear(out);
      append(out, renderReport(r));
    } catch (e) {
      if (!latest()) return;
      clear(out);
      if (isAbort(e)) append(out, cancelledNote());
      else if (e.problem && e.problem.status === 404 && /no such path/.test(e.problem.detail || '')) {
        append(out, el('p', { className: 'notice' }, t('This server does not offer the oversight report over the API yet. Run `uctrack report oversight` on the server.')));
      } else {
        append(out, problemBox(e));
      }
    }
  }

  function reportSubmit(ev) {
    ev.preventDefault();
    const q = new URLSearchParams();
    const r = reportQuery('json');
    for (const k of ['by', 'as_of']) if (r[k]) q.set(k, r[k]);
    q.set('public', r.public ? 'true' : 'false');
    location.hash = '#/reports?' + q;
  }

  // The report as a file: html (with the server's SVG charts) or csv.
  async function reportFile(format, btn) {
    hideProblem();
    const label = btn.textContent;
    btn.disabled = true;
    btn.textContent = t('Preparing…');
    try {
      const res = await api('GET', '/reports/oversight', { query: reportQuery(format), raw: true });
      const blob = await res.blob();
      download(new Blob([blob], { type: format === 'csv' ? 'text/csv' : 'text/html' }), `oversight-report.${format}`);
    } catch (e) {
      showProblem(e, t('Report'));
    } finally {
      btn.disabled = false;
      btn.textContent = label;
    }
  }

  // Who may read which report (mirrors src/auth; the server enforces it):
  // the oversight report is aggregates (auditors: suppressed form); the
  // failure-to-appear list is personal data.
  const OVERSIGHT_ROLES = { admin: true, auditor: true };
  const FTA_ROLES = { admin: true, supervisor: true, analyst: true };

  async function loadFta() {
    const out = clear($('fta-body'));
    const ctrl = new AbortController();
    append(out, loadingNote(ctrl));
    const q = { format: 'json' };
    if ($('rf-asof').value) q.as_of = $('rf-asof').value;
    try {
      const r = await api('GET', '/reports/fta', { pii: true, query: q, signal: ctrl.signal });
      clear(out);
      const rows = (r && r.children) || [];
      append(out, el('p', { className: 'muted' }, tp('{n} child as of {date}.', '{n} children as of {date}.', rows.length, { date: fmtDate(r && r.as_of) })));
      append(out, table(rows, [
        ['a_number', t('A-number'), (v) => (v && !isMasked(v)
          ? el('a', { href: '#/search?q=' + encodeURIComponent(v) }, anumFmt(v)) : txt(v))],
        [(x) => [x.family_name, x.given_name].filter((n) => n).join(', '), t('Name')],
        ['birth_date', t('Birth date'), dateCell], ['missed_hearing_date', t('Missed hearing'), dateCell], ['court', t('Court')],
        ['order_status', t('Order'), valueText], ['order_date', t('Order date'), dateCell],
        [(x) => [x.release_city, x.release_state].filter((n) => n).join(', '), t('Release city')],
        ['address_status', t('Address'), valueLabel], ['last_contact_date', t('Last contact'), dateCell],
        ['last_contact_result', t('Result'), valueText],
      ], { caption: t('Failure-to-appear list'), empty: t('No child missed a hearing.'), cards: true }));
    } catch (e) {
      clear(out);
      append(out, isAbort(e) ? cancelledNote() : problemBox(e));
    }
  }

  // The oversight report's metric labels (the server's words, src/report),
  // translated row by row; a label not listed here is shown as it comes.
  const REPORT_LABELS = [
    N_('Children released to sponsors'),
    N_('NTA served'),
    N_('NTA not served'),
    N_('NTA filed with the court'),
    N_('NTA not filed'),
    N_('With a court date'),
    N_('Failed to appear at a hearing'),
    N_('Ordered removed in absentia'),
    N_('of which order rescinded'),
    N_('Whereabouts unknown'),
    N_('blank address'),
    N_('undeliverable address'),
    N_('address missing unit'),
    N_('moved'),
    N_('no contact'),
    N_('Contacts attempted'),
    N_('Contacts that succeeded'),
    N_('Children contacted'),
    N_('Children with a welfare concern'),
    N_('Referred to a legal provider'),
    N_('Referred to HSI'),
    N_('Referred to child protective services'),
    N_('Referred to HHS'),
    N_('Represented, hearing date passed'),
    N_('appeared at every hearing'),
    N_('Unrepresented, hearing date passed'),
    N_('Served after release (n)'),
    N_('Contacted after release (n)'),
    N_('Appearance rate, represented'),
    N_('Appearance rate, unrepresented'),
    N_('Days release to NTA service, median'),
    N_('Days release to NTA service, p90'),
    N_('Days release to first contact, median'),
    N_('Days release to first contact, p90'),
  ];
  void REPORT_LABELS;

  // The failure-to-appear list as CSV (personal data: sent with the
  // purpose, audited like the list).
  async function ftaCsv() {
    hideProblem();
    const btn = $('fta-csv');
    const label = btn.textContent;
    btn.disabled = true;
    btn.textContent = t('Preparing…');
    const q = { format: 'csv' };
    if ($('rf-asof').value) q.as_of = $('rf-asof').value;
    try {
      const res = await api('GET', '/reports/fta', { pii: true, raw: true, query: q });
      download(new Blob([await res.blob()], { type: 'text/csv' }), 'failure-to-appear.csv');
    } catch (e) {
      showProblem(e, t('Report'));
    } finally {
      btn.disabled = false;
      btn.textContent = label;
    }
  }

  function fmtMetric(v, key) {
    if (v === null || v === undefined) return t('suppressed');
    if (typeof v === 'number' && key && key.startsWith('appearance_rate')) {
      return new Intl.NumberFormat(window.UC_I18N.lang(), { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);
    }
    if (typeof v === 'number') return fmtInt(v);
    return String(v);
  }

  // The report's charts, drawn by the server as SVG images
  // (GET /reports/oversight?format=svg&chart=…, docs/api.md): the funnel,
  // whereabouts unknown by reason, and with a breakdown (fiscal years: the
  // trend; states: counts by state) the children released and the
  // whereabouts unknown per row, in the UI's language. An <img> runs no
  // script and inserts no markup into the page; its text alternative is
  // the chart's figures, from the report's JSON.
  function chartImg(chart, title, bars) {
    const q = new URLSearchParams(reportQuery('svg'));
    q.set('chart', chart);
    if (window.UC_I18N.lang() === 'es') q.set('lang', 'es');
    const alt = bars.length <= 12
      ? `${title}: ${bars.map((x) => `${x.label} ${x.note}`).join('; ')}`
      : `${title}. ${t('The figures are in the table below.')}`;
    // The image draws its title; the alt text says it with the figures.
    return el('div', { className: 'chart-box' },
      el('img', { className: 'chart', src: '/api/v1/reports/oversight?' + q, alt, 'data-chart': chart }));
  }
  function reportCharts(r) {
    const total = r.rows[0] || {};
    const label = (key) => {
      const m = r.metrics.find((x) => x.key === key);
      return m ? t(String(m.label || key).trim()) : key;
    };
    const bar = (row, key, name) => {
      const sup = (row.suppressed || []).includes(key);
      const v = row.values ? row.values[key] : undefined;
      const value = sup || v === null || v === undefined ? null : Number(v);
      return { label: name || label(key), value, note: value === null ? t('suppressed') : fmtMetric(v, key) };
    };
    const out = [
      chartImg('funnel', t('Accounting for every released child'), ['released', 'nta_served', 'nta_filed', 'court_date',
        'failed_to_appear', 'in_absentia', 'whereabouts_unknown'].map((k) => bar(total, k))),
      chartImg('whereabouts', t('Whereabouts unknown, by reason'), ['wu_blank_address', 'wu_undeliverable', 'wu_missing_unit',
        'wu_moved', 'wu_no_contact'].map((k) => bar(total, k))),
    ];
    if (r.rows.length > 1) {
      const groups = r.rows.slice(1, 65);
      const name = (g) => (r.by === 'phase' ? phaseLabel(g) : r.by === 'group' ? groupLabel(g) : human(g));
      out.push(chartImg('released_by', t('Children released, by {what}', { what: valueLabel(r.by) }),
        groups.map((row) => bar(row, 'released', name(row.group)))));
      out.push(chartImg('unknown_by', t('Whereabouts unknown, by {what}', { what: valueLabel(r.by) }),
        groups.map((row) => bar(row, 'whereabouts_unknown', name(row.group)))));
    }
    return el('div', { className: 'charts' }, out);
  }

  function renderReport(r) {
    if (!r || !Array.isArray(r.metrics) || !Array.isArray(r.rows)) {
      return el('pre', { className: 'small' }, JSON.stringify(r, null, 2));
    }
    const meta = el('p', { className: 'muted' }, [
      t('As of {date}', { date: fmtDate(r.as_of) }), t('data known at {when}', { when: fmtDate(r.known_at) }),
      t('by {what}', { what: valueLabel(r.by) }),
      r.public ? t('publishable: small counts suppressed') : t('internal: not for publication')].join(' · '));
    const tbl = el('table', { className: 'grid report', id: 'report-table' });
    tbl.appendChild(el('caption', null, t('Oversight report')));
    tbl.appendChild(el('thead', null, el('tr', null, el('th', { scope: 'col' }, t('Metric')),
      r.rows.map((row) => el('th', { scope: 'col' }, r.by === 'group' || r.by === 'phase' || row.group === 'total'
        ? (r.by === 'phase' ? phaseLabel(row.group) : valueLabel(row.group)) : human(row.group))))));
    const tb = el('tbody');
    for (const m of r.metrics) {
      const label = String(m.label || m.key);
      const indent = /^\s+/.test(label);
      tb.appendChild(el('tr', null,
        el('th', { scope: 'row', className: indent ? 'indent' : '' }, t(label.trim())),
        r.rows.map((row) => {
          const v = row.values ? row.values[m.key] : undefined;
          const sup = (row.suppressed || []).includes(m.key);
          return el('td', { className: 'num' + (sup || v === null ? ' suppressed' : '') }, sup ? t('suppressed') : fmtMetric(v, m.key));
        })));
    }
    tbl.appendChild(tb);
    return el('div', null, meta, reportCharts(r), scroller(tbl, t('The report\'s figures')));
  }

  // ---- linkage review (analysts, admins): GET /link/review ----

  const LINK_REASONS = {
    anumber: N_('the records carry two different A-numbers'),
    incompatible: N_('the records contradict each other on some field'),
    threshold: N_('the match score lies between the two thresholds'),
  };
  // Comparison outcomes of the match model's vector ("fam=exact").
  const COMPARE_LABELS = {
    exact: N_('same'), diff: N_('different'), subset: N_('one within the other'), swap: N_('day and month swapped'),
    year1: N_('a year apart'), near: N_('close'), far: N_('far apart'), similar: N_('similar'), '-': N_('missing'),
  };
  const COMPARE_FIELDS = {
    anum: N_('A-number'), fam: N_('family name'), giv: N_('given name'), dob: N_('birth date'), sex: N_('sex'),
    cty: N_('country'), country: N_('country'),
  };
  const PAIR_FIELDS = ['table', 'rid', 'person_id', 'a_number', 'family_name', 'given_name', 'birth_date', 'sex', 'country'];

  function pairCard(p, onDone) {
    const a = p.a || {};
    const b = p.b || {};
    const pct = new Intl.NumberFormat(window.UC_I18N.lang(), { style: 'percent', maximumFractionDigits: 1 })
      .format(Number(p.posterior) || 0);
    const rows = PAIR_FIELDS.map((k) => {
      const same = String(a[k] ?? '') === String(b[k] ?? '');
      const show = (v) => (k === 'table' ? tableLabel(v) : k === 'birth_date' ? dateCell(v) : k === 'a_number' ? anumFmt(v) : txt(v));
      const compared = !['table', 'rid', 'person_id'].includes(k);
      return el('tr', { className: compared ? (same ? 'agree' : 'differ') : '', 'data-field': k },
        el('th', { scope: 'row' }, fieldLabel(k)),
        el('td', null, show(a[k])), el('td', null, show(b[k])),
        el('td', null, compared ? el('span', { className: 'tag ' + (same ? 'agree' : 'differ') }, same ? t('same') : t('differs')) : ''));
    });
    const cmp = String(p.vector || '').split(/\s+/).filter((x) => x.includes('=')).map((x) => {
      const [f, v] = x.split('=');
      return `${labelOf(COMPARE_FIELDS, f)}: ${labelOf(COMPARE_LABELS, v)}`;
    });
    const rid = `lr-${p.pair_id}`;
    const reason = el('textarea', { id: rid, name: 'reason', rows: 2, maxLength: 2000, required: true });
    const result = el('div', { 'aria-live': 'polite' });
    const mk = (decision, label) => {
      const btn = el('button', { type: 'button', className: decision === 'accept' ? 'primary' : '', 'data-decision': decision }, label);
      btn.addEventListener('click', async () => {
        clear(result);
        const why = reason.value.trim();
        if (why.length < 3) {
          append(result, problemBox(new ApiError({ title: t('A reason is required'), detail: t('Say in a few words why (at least 3 characters).') })));
          reason.focus();
          return;
        }
        const old = btn.textContent;
        btn.disabled = true;
        btn.textContent = t('Saving…');
        try {
          await api('POST', `/link/review/${encodeURIComponent(String(p.pair_id))}`, { body: { decision, reason: why } });
          onDone(p, decision);
        } catch (e) {
          append(result, problemBox(e));
          btn.disabled = false;
          btn.textContent = old;
        }
      });
      return btn;
    };
    const tbl = el('table', { className: 'grid pair' },
      el('caption', { className: 'sr-only' }, t('Pair {id}: the two records side by side', { id: p.pair_id })),
      el('thead', null, el('tr', null, el('th', { scope: 'col' }, t('Field')), el('th', { scope: 'col' }, t('Record A')),
        el('th', { scope: 'col' }, t('Record B')), el('th', { scope: 'col' }, t('Compared')))),
      el('tbody', null, rows));
    return el('section', { className: 'card pair-card', 'data-pair': p.pair_id, 'aria-labelledby': `pair-h-${p.pair_id}` },
      el('h2', { id: `pair-h-${p.pair_id}` }, t('Pair {id}', { id: p.pair_id })),
      el('p', null, el('strong', null, t('Probability that they are the same child: {p}', { p: pct })),
        ' · ', t('score {n}', { n: txt(p.score) })),
      el('p', null, t('Why it needs a person: {why}', { why: labelOf(LINK_REASONS, p.reason) })),
      cmp.length ? el('p', { className: 'small muted' }, t('What the model compared:'), ' ', cmp.join(' · ')) : null,
      scroller(tbl, t('Pair {id}: the two records side by side', { id: p.pair_id })),
      el('div', { className: 'field' }, el('label', { for: rid }, t('Reason for the decision (required, audited)')), reason),
      el('div', { className: 'btns' }, mk('accept', t('Accept: the same child')), ' ', mk('reject', t('Reject: different children'))),
      result);
  }

  async function loadLinkage() {
    const out = clear($('linkage-body'));
    const ctrl = new AbortController();
    append(out, loadingNote(ctrl));
    const latest = begin('linkage');
    try {
      const r = await api('GET', '/link/review', { pii: true, query: { limit: 50 }, signal: ctrl.signal });
      if (!latest()) return;
      clear(out);
      const items = (r && r.items) || [];
      append(out, el('p', { className: 'muted', id: 'linkage-note' },
        items.length ? tp('{n} pair waits for review.', '{n} pairs wait for review.', items.length) : t('No pair waits for review.')));
      const done = (p, decision) => {
        const card = out.querySelector(`[data-pair="${Number(p.pair_id)}"]`);
        if (card) card.remove();
        const msg = decision === 'accept' ? t('Pair {id} accepted: the records are one child.', { id: p.pair_id })
          : t('Pair {id} rejected: the records stay apart.', { id: p.pair_id });
        append(clear($('linkage-result')), el('div', { className: 'notice ok', role: 'status', tabIndex: -1, id: 'linkage-done' }, msg));
        $('linkage-done').focus();
      };
      for (const p of items) append(out, pairCard(p, done));
    } catch (e) {
      if (!latest()) return;
      clear(out);
      append(out, isAbort(e) ? cancelledNote() : problemBox(e));
    }
  }

  // POST /link/merge and /link/split from the forms under the queue.
  async function personsForm(ev, kind) {
    ev.preventDefault();
    const out = clear($(kind + '-result'));
    const num = (id) => Number($(id).value);
    let body;
    if (kind === 'merge') {
      body = { keep: num('mg-keep'), other: num('mg-other'), reason: $('mg-reason').value.trim() };
      if (!(body.keep > 0 && body.other > 0 && body.keep !== body.other)) {
        append(out, problemBox(new ApiError({ title: t('Two different persons'), detail: t('Give the ids of two different persons.') })));
        return;
      }
    } else {
      const records = $('sp-records').value.split(/[\s,]+/).filter(Boolean);
      body = { person: num('sp-person'), records, reason: $('sp-reason').value.trim() };
      if (!(body.person > 0) || !records.length || records.some((x) => !/^[a-z_]+:\d+$/.test(x))) {
        append(out, problemBox(new ApiError({ title: t('Person and records needed'), detail: t('Give the person id and its records as TABLE:RID, e.g. cbp_encounter:17.') })));
        return;
      }
    }
    if (body.reason.length < 3) {
      append(out, problemBox(new ApiError({ title: t('A reason is required'), detail: t('Say in a few words why (at least 3 characters).') })));
      return;
    }
    const go = $(kind === 'merge' ? 'mg-go' : 'sp-go');
    const label = go.textContent;
    go.disabled = true;
    go.textContent = t('Saving…');
    try {
      const r = await api('POST', '/link/' + kind, { body });
      append(out, el('div', { className: 'notice ok', role: 'status', 'data-testid': kind + '-done' }, kind === 'merge'
        ? t('Person {other} merged into person {keep}.', { other: txt(r && r.merged), keep: txt(r && r.person) })
        : t('The records moved to the new person {id}.', { id: txt(r && r.new_person) })));
      $(kind === 'merge' ? 'mg-reason' : 'sp-reason').value = '';
    } catch (e) {
      append(out, problemBox(e));
    } finally {
      go.disabled = false;
      go.textContent = label;
    }
  }

  async function setPassword(ev) {
    ev.preventDefault();
    const out = clear($('passwd-result'));
    const name = $('pw-name').value.trim();
    const password = $('pw-new').value;
    if (!name || password.length < 10) {
      append(out, problemBox(new ApiError({ title: t('Name and password needed'), detail: t('Give a user name and a password of at least 10 characters.') })));
      return;
    }
    const go = $('pw-go');
    const label = go.textContent;
    go.disabled = true;
    go.textContent = t('Saving…');
    try {
      await api('POST', `/users/${encodeURIComponent(name)}/password`, { body: { password } });
      $('pw-new').value = '';
      append(out, el('div', { className: 'notice ok', role: 'status', 'data-testid': 'passwd-done' },
        t('New password set for {name}; their sessions ended and their tokens were revoked.', { name })));
      await loadUsers();
    } catch (e) {
      append(out, problemBox(e));
    } finally {
      go.disabled = false;
      go.textContent = label;
    }
  }

  // PATCH /users/{name}: the role, office and provider of the form. An
  // empty office is none (the server says when the role needs one); an
  // empty provider is left out (kept only by a legal provider).
  async function setRole(ev) {
    ev.preventDefault();
    const out = clear($('role-result'));
    const name = $('cr-name').value.trim();
    if (!name) {
      append(out, problemBox(new ApiError({ title: t('Name needed'), detail: t('Give the user name whose role changes.') })));
      return;
    }
    const office = $('cr-office').value.trim().toUpperCase();
    const body = { role: $('cr-role').value, office: office || null };
    if ($('cr-provider').value.trim()) body.provider = $('cr-provider').value.trim();
    const go = $('cr-go');
    const label = go.textContent;
    go.disabled = true;
    go.textContent = t('Saving…');
    try {
      const r = await api('PATCH', `/users/${encodeURIComponent(name)}`, { body });
      append(out, el('div', { className: 'notice ok', role: 'status', 'data-testid': 'role-done' }, r && r.office
        ? t('{name} is now {role} of office {office}.', { name, role: roleLabel(r.role), office: r.office })
        : t('{name} is now {role}.', { name, role: roleLabel(r && r.role) })));
      await loadUsers();
    } catch (e) {
      append(out, problemBox(e));
    } finally {
      go.disabled = false;
      go.textContent = label;
    }
  }

  // ---- feed upload (analysts, admins): POST /feeds/{feed}?name= ----

  const FEED_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

  // One file up with progress (fetch has no upload progress): resolves
  // {status, body}; cancel() aborts it.
  function uploadFile(feed, file, progress) {
    const xhr = new XMLHttpRequest();
    const done = new Promise((resolve, reject) => {
      xhr.open('POST', `${API}/feeds/${encodeURIComponent(feed)}?name=${encodeURIComponent(file.name)}`);
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      xhr.setRequestHeader('Accept', 'application/json, application/problem+json'); // i18n: code
      if (state.csrf) xhr.setRequestHeader('X-CSRF-Token', state.csrf);
      xhr.upload.addEventListener('progress', (ev) => {
        if (ev.lengthComputable) progress(ev.loaded / ev.total);
      });
      xhr.addEventListener('load', () => {
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch (_) {
          body = null;
        }
        resolve({ status: xhr.status, body });
      });
      xhr.addEventListener('error', () => reject(new ApiError({ title: t('Network error'), detail: t('The upload did not reach the server.') })));
      xhr.addEventListener('abort', () => reject(new DOMException('cancelled', 'AbortError')));
      xhr.send(file);
    });
    return { done, cancel: () => xhr.abort() };
  }

  function feedResult(file, res) {
    const b = res.body || {};
    if (res.status === 201) {
      const counts = [['rows_read', t('rows read')], ['rows_new', t('new')], ['rows_same', t('unchanged')],
        ['rows_repaired', t('repaired')], ['warnings', t('warnings')]];
      return el('div', { className: 'notice ok', 'data-file': file.name, 'data-status': 'imported' },
        el('strong', null, t('{file}: imported.', { file: file.name })), ' ',
        counts.filter(([k]) => b[k] !== undefined).map(([k, l]) => `${l}: ${fmtInt(b[k])}`).join(' · '),
        Array.isArray(b.messages) && b.messages.length ? el('ul', { className: 'small' }, b.messages.map((m) => el('li', null, String(m)))) : null);
    }
    const errors = Array.isArray(b.errors) ? b.errors : [];
    const box = el('div', { className: 'problem', role: 'alert', 'data-file': file.name, 'data-status': 'rejected' },
      el('strong', null, t('{file}: not imported', { file: file.name })), ` (HTTP ${res.status})`,
      b.detail ? el('p', { className: 'detail' }, String(b.detail)) : null);
    if (errors.length) {
      const dl = el('button', { type: 'button', className: 'small', 'data-testid': 'rejects-download' },
        tp('Download the {n} problem', 'Download the {n} problems', errors.length));
      dl.addEventListener('click', () => download(new Blob([errors.join('\n') + '\n'], { type: 'text/plain' }),
        `${file.name}.rejects.txt`));
      append(box, [el('p', null, tp('{n} problem, with file:line:column:', '{n} problems, with file:line:column:', errors.length)),
        el('ul', { className: 'rejects' }, errors.slice(0, 50).map((x) => el('li', null, el('code', null, String(x))))),
        errors.length > 50 ? el('p', { className: 'small' }, t('The first 50 are listed; the download has them all.')) : null, dl]);
    }
    return box;
  }

  async function uploadFeeds(ev) {
    ev.preventDefault();
    const out = clear($('feed-body'));
    const feed = $('feed-kind').value;
    const files = [...$('feed-files').files];
    if (!files.length) {
      append(out, problemBox(new ApiError({ title: t('Choose files first'), detail: t('Pick one or more files of the feed.') })));
      $('feed-files').focus();
      return;
    }
    const bad = files.filter((f) => !FEED_NAME.test(f.name));
    if (bad.length) {
      append(out, problemBox(new ApiError({ title: t('File names the importer does not accept'),
        detail: t('Use only letters, digits, dot, dash and underscore: {files}', { files: bad.map((f) => f.name).join(', ') }) })));
      return;
    }
    const go = $('feed-go');
    const label = go.textContent;
    go.disabled = true;
    go.textContent = t('Importing…');
    let cancelled = false;
    try {
      for (const file of files) {
        const bar = el('progress', { max: 1, value: 0, id: 'feed-progress' });
        const cancel = el('button', { type: 'button', className: 'small' }, t('Cancel'));
        const line = el('div', { className: 'loading', role: 'status' },
          el('label', { for: 'feed-progress' }, t('Uploading {file} ({size})', { file: file.name, size: fmtSize(file.size) })), bar, cancel);
        append(out, line);
        const up = uploadFile(feed, file, (f) => { bar.value = f; });
        cancel.addEventListener('click', () => up.cancel());
        let res;
        try {
          res = await up.done;
        } catch (e) {
          line.remove();
          if (isAbort(e)) {
            cancelled = true;
            append(out, el('p', { className: 'notice', 'data-testid': 'cancelled' }, t('{file}: upload cancelled; nothing imported.', { file: file.name })));
            break;
          }
          append(out, problemBox(e));
          continue;
        }
        line.remove();
        if (res.status === 401) sessionEnded(res.body);
        append(out, feedResult(file, res));
      }
    } finally {
      go.disabled = false;
      go.textContent = label;
      if (!cancelled) $('feed-files').value = '';
    }
  }

  function fmtSize(n) {
    const u = ['B', 'KB', 'MB', 'GB'];
    let v = Number(n) || 0;
    let i = 0;
    while (v >= 1024 && i < u.length - 1) {
      v /= 1024;
      i++;
    }
    return `${new Intl.NumberFormat(window.UC_I18N.lang(), { maximumFractionDigits: 1 }).format(v)} ${u[i]}`;
  }

  // ---- triage runs and rule-set diffs (analysts, admins) ----

  async function loadTriage() {
    const out = clear($('triage-runs'));
    clear($('diff-body'));
    const ctrl = new AbortController();
    append(out, loadingNote(ctrl));
    const latest = begin('triage');
    try {
      const r = await api('GET', '/triage/runs', { query: { limit: 50 }, signal: ctrl.signal });
      if (!latest()) return;
      clear(out);
      const runs = (r && r.items) || [];
      append(out, table(runs, [
        ['id', t('Run')], ['started_at', t('Started'), dateCell], ['rule_set', t('Rule set')], ['as_of', t('Facts as of'), dateCell],
        ['n_cases', t('Cases'), (v) => fmtInt(v)], ['n_changed', t('Changed'), (v) => fmtInt(v)],
        ['n_projected', t('Facts re-read'), (v) => fmtInt(v)], ['n_unplaced', t('Without an office'), (v) => fmtInt(v)],
      ], { caption: t('Triage runs, newest first'), empty: t('No triage run yet.'), cards: true,
        rowAttrs: (x) => ({ 'data-run': x.id }) }));
      const sets = [...new Set(runs.map((x) => x.rule_set).filter(Boolean))];
      for (const id of ['diff-from', 'diff-to']) {
        const sel = clear($(id));
        if (id === 'diff-to') sel.appendChild(el('option', { value: '' }, t('(the rule file below)')));
        for (const h of sets) sel.appendChild(el('option', { value: h }, h));
      }
      if (sets.length) $('diff-to').value = sets[0];
    } catch (e) {
      if (!latest()) return;
      clear(out);
      append(out, isAbort(e) ? cancelledNote() : problemBox(e));
    }
  }

  async function diffRules(ev) {
    ev.preventDefault();
    const out = clear($('diff-body'));
    const body = {};
    if ($('diff-from').value) body.from = $('diff-from').value;
    const file = $('diff-file').files[0];
    if (file) body.to_source = await file.text();
    else if ($('diff-to').value) body.to = $('diff-to').value;
    else {
      append(out, problemBox(new ApiError({ title: t('What to compare with?'), detail: t('Choose a stored rule set or a rule file.') })));
      return;
    }
    const go = $('diff-go');
    const label = go.textContent;
    go.disabled = true;
    go.textContent = t('Comparing…');
    try {
      const r = await api('POST', '/triage/diff', { body });
      const moves = (r && r.moves) || [];
      append(out, el('p', { id: 'diff-note' }, el('strong', null,
        tp('{n} case would move between groups', '{n} cases would move between groups', Number(r.moved) || 0)),
        ' ', t('of {total} ({from} → {to}).', { total: fmtInt(r.cases), from: txt(r.from), to: txt(r.to) })));
      append(out, table(moves, [
        ['from', t('From group'), groupLabel], ['to', t('To group'), groupLabel], ['n_cases', t('Cases'), (v) => fmtInt(v)],
        ['example_case_id', t('For example'), (v) => (v ? caseLink(v, `C${v}`) : '—')],
      ], { caption: t('Cases moving between groups'), empty: t('No case changes group.'), cards: true }));
    } catch (e) {
      append(out, problemBox(e));
    } finally {
      go.disabled = false;
      go.textContent = label;
    }
  }

  // ---- users and tokens (admins) ----

  async function loadUsers() {
    const out = clear($('users-body'));
    const ctrl = new AbortController();
    append(out, loadingNote(ctrl));
    const latest = begin('users');
    try {
      const [u, tk] = await Promise.all([api('GET', '/users', { signal: ctrl.signal }), api('GET', '/tokens', { signal: ctrl.signal })]);
      if (!latest()) return;
      clear(out);
      const disable = (v, x) => {
        if (x.status !== 'active' || x.name === state.user.name) return '—';
        const b = el('button', { type: 'button', className: 'small', 'data-action': 'disable' },
          t('Disable'), el('span', { className: 'sr-only' }, ` ${x.name}`));
        b.addEventListener('click', async () => {
          if (b.getAttribute('data-confirm') !== '1') {
            b.setAttribute('data-confirm', '1');
            b.textContent = t('Really disable {name}?', { name: x.name });
            return;
          }
          b.disabled = true;
          b.textContent = t('Saving…');
          try {
            await api('POST', `/users/${encodeURIComponent(x.name)}/disable`);
            say(t('{name} is disabled: sessions ended, tokens revoked.', { name: x.name }));
            await loadUsers();
          } catch (e) {
            b.after(problemBox(e));
          }
        });
        return b;
      };
      append(out, el('h2', null, t('Users')));
      const actions = (v, x) => {
        const pw = el('button', { type: 'button', className: 'small', 'data-action': 'password' },
          t('Set password…'), el('span', { className: 'sr-only' }, ` ${x.name}`));
        pw.addEventListener('click', () => {
          $('pw-name').value = x.name;
          $('pw-new').focus();
        });
        // The role form, filled with the user as it is now.
        const role = el('button', { type: 'button', className: 'small', 'data-action': 'role' },
          t('Change role…'), el('span', { className: 'sr-only' }, ` ${x.name}`));
        role.addEventListener('click', () => {
          $('cr-name').value = x.name;
          $('cr-role').value = x.role;
          $('cr-office').value = x.office || '';
          $('cr-provider').value = x.provider || '';
          $('cr-role').focus();
        });
        return el('span', { className: 'btns' }, x.status === 'active' ? pw : null, ' ', role, ' ', disable(v, x));
      };
      append(out, table((u && u.items) || [], [
        ['name', t('User name')], ['role', t('Role'), roleLabel], ['office', t('Office')], ['provider', t('Provider')],
        ['status', t('Status'), valueLabel], ['id', t('Action'), actions],
      ], { caption: t('Users'), cards: true, rowAttrs: (x) => ({ 'data-user': x.name, 'data-status': x.status }) }));
      renderTokens((tk && tk.items) || []);
    } catch (e) {
      if (!latest()) return;
      clear(out);
      append(out, isAbort(e) ? cancelledNote() : problemBox(e));
    }
  }

  function renderTokens(items) {
    const out = clear($('tokens-body'));
    const revoke = (v, x) => {
      if (x.status !== 'active') return '—';
      const b = el('button', { type: 'button', className: 'small', 'data-action': 'revoke' },
        t('Revoke'), el('span', { className: 'sr-only' }, ` ${txt(x.label || x.id)}`));
      b.addEventListener('click', async () => {
        b.disabled = true;
        b.textContent = t('Saving…');
        try {
          await api('DELETE', `/tokens/${encodeURIComponent(String(x.id))}`);
          say(t('Token {id} revoked.', { id: x.id }));
          const r = await api('GET', '/tokens');
          renderTokens((r && r.items) || []);
        } catch (e) {
          b.after(problemBox(e));
        }
      });
      return b;
    };
    append(out, table(items, [
      ['id', t('Token')], ['user', t('User')], ['label', t('Label')], ['created_at', t('Created'), dateCell],
      ['expires_at', t('Expires'), dateCell], ['read_only', t('Read only'), (v) => (v === true || v === 1 || v === 'yes' ? t('yes') : t('no'))],
      ['status', t('Status'), valueLabel], ['id', t('Action'), revoke],
    ], { caption: t('API tokens'), empty: t('No token yet.'), cards: true,
      rowAttrs: (x) => ({ 'data-token': x.id, 'data-status': x.status }) }));
  }

  async function addUser(ev) {
    ev.preventDefault();
    const out = clear($('user-result'));
    const body = { name: $('nu-name').value.trim(), role: $('nu-role').value, password: $('nu-pass').value };
    if ($('nu-office').value.trim()) body.office = $('nu-office').value.trim().toUpperCase();
    if ($('nu-provider').value.trim()) body.provider = $('nu-provider').value.trim();
    if (!body.name || body.password.length < 10) {
      append(out, problemBox(new ApiError({ title: t('Name and password needed'), detail: t('Give a user name and a password of at least 10 characters.') })));
      return;
    }
    const go = $('nu-go');
    const label = go.textContent;
    go.disabled = true;
    go.textContent = t('Saving…');
    try {
      await api('POST', '/users', { body });
      $('nu-pass').value = '';
      $('nu-name').value = '';
      append(out, el('div', { className: 'notice ok', role: 'status' }, t('{name} added as {role}.', { name: body.name, role: roleLabel(body.role) })));
      await loadUsers();
    } catch (e) {
      append(out, problemBox(e));
    } finally {
      go.disabled = false;
      go.textContent = label;
    }
  }

  async function createToken(ev) {
    ev.preventDefault();
    const out = clear($('token-result'));
    const body = { days: Number($('nt-days').value) || 90, read_only: $('nt-ro').checked };
    if ($('nt-label').value.trim()) body.label = $('nt-label').value.trim();
    if ($('nt-user').value.trim()) body.user = $('nt-user').value.trim();
    const go = $('nt-go');
    const label = go.textContent;
    go.disabled = true;
    go.textContent = t('Saving…');
    try {
      const r = await api('POST', '/tokens', { body });
      append(out, el('div', { className: 'notice ok', role: 'status', 'data-testid': 'token-shown' },
        el('p', null, el('strong', null, t('Copy the token now: it is shown only once.'))),
        el('p', null, el('code', { className: 'secret' }, txt(r && r.token)))));
      const l = await api('GET', '/tokens');
      renderTokens((l && l.items) || []);
    } catch (e) {
      append(out, problemBox(e));
    } finally {
      go.disabled = false;
      go.textContent = label;
    }
  }

  // ---- start ----

  // The header's language switch: translate the page, remember the choice
  // (localStorage) and draw the current screen again in the new language.
  function changeLang(l) {
    window.UC_I18N.setLang(l, true);
    window.UC_I18N.applyDom();
    $('lang-select').value = window.UC_I18N.lang();
    renderChrome();
    if (state.user) refreshInbox();
    say(t('Language: English'));
    route();
  }

  async function start() {
    window.UC_I18N.applyDom();
    $('lang-select').value = window.UC_I18N.lang();
    $('login-form').addEventListener('submit', login);
    $('purpose-form').addEventListener('submit', choosePurpose);
    $('purpose-change').addEventListener('click', () => askPurpose(location.hash));
    $('logout').addEventListener('click', logout);
    $('queue-filter').addEventListener('submit', queueSubmit);
    $('queue-next').addEventListener('click', () => queuePage('next'));
    $('queue-prev').addEventListener('click', () => queuePage('prev'));
    $('queue-first').addEventListener('click', () => queuePage('first'));
    $('queue-csv').addEventListener('click', queueCsv);
    $('queue-all').addEventListener('change', selectAll);
    $('queue-table').tBodies[0].addEventListener('change', updateSelection);
    $('assign-bar').addEventListener('submit', (ev) => assignSelected(ev, false));
    $('unassign-go').addEventListener('click', () => assignSelected(null, true));
    $('tasks-filter').addEventListener('submit', tasksSubmit);
    $('tasks-next').addEventListener('click', tasksNext);
    $('tasks-first').addEventListener('click', tasksFirst);
    $('counsel-filter').addEventListener('submit', counselSubmit);
    $('search-form').addEventListener('submit', searchSubmit);
    $('audit-filter').addEventListener('submit', auditSubmit);
    $('audit-next').addEventListener('click', () => auditPage(false));
    $('audit-first').addEventListener('click', () => auditPage(true));
    $('audit-verify').addEventListener('click', auditVerify);
    $('audit-csv').addEventListener('click', auditCsv);
    $('report-form').addEventListener('submit', reportSubmit);
    $('report-html').addEventListener('click', (ev) => reportFile('html', ev.currentTarget));
    $('report-csv').addEventListener('click', (ev) => reportFile('csv', ev.currentTarget));
    $('lang-select').addEventListener('change', (ev) => changeLang(ev.target.value));
    $('feed-form').addEventListener('submit', uploadFeeds);
    $('diff-form').addEventListener('submit', diffRules);
    $('user-form').addEventListener('submit', addUser);
    $('token-form').addEventListener('submit', createToken);
    $('merge-form').addEventListener('submit', (ev) => personsForm(ev, 'merge'));
    $('split-form').addEventListener('submit', (ev) => personsForm(ev, 'split'));
    $('passwd-form').addEventListener('submit', setPassword);
    $('role-form').addEventListener('submit', setRole);
    $('fta-show').addEventListener('click', loadFta);
    $('fta-csv').addEventListener('click', ftaCsv);
    window.addEventListener('hashchange', route);
    // A page reload keeps the cookie; ask the server who we are (and for
    // the CSRF token) instead of storing anything in the browser.
    if (await restoreSession()) {
      await loadVocab();
      loadPurpose();
      renderChrome();
      refreshInbox();
    }
    document.body.setAttribute('data-ready', '1');
    route();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
