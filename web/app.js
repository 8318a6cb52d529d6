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
'use strict';

(function () {
  const API = '/api/v1';

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
    admin: ['queue', 'tasks', 'inbox', 'counsel', 'search', 'audit', 'reports'],
    supervisor: ['queue', 'mine', 'tasks', 'inbox', 'counsel', 'search', 'reports'], // reports: the FTA list
    officer: ['queue', 'mine', 'tasks', 'inbox', 'search'],
    analyst: ['queue', 'tasks', 'inbox', 'counsel', 'search', 'reports'],
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
  const DEFAULT_PURPOSE = {
    officer: 'case work', supervisor: 'supervision review', legal_provider: 'legal representation',
    auditor: 'oversight', analyst: 'data quality', admin: 'supervision review',
  };

  const GROUP_LABELS = {
    flight_risk: 'Flight risk', public_safety: 'Public safety',
    border_security: 'Border security', none: 'None',
  };
  const PHASE_LABELS = {
    0: '0 Not started', 1: '1 Identify and assess', 2: '2 Immigration process',
    3: '3 Referral', 4: '4 Resolved / reporting',
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
  function human(s) {
    if (s === undefined || s === null || s === '') return '—';
    return String(s).replace(/_/g, ' ');
  }
  // Task actions in plain words ("welfare_check" -> "Welfare check").
  const TASK_LABELS = {
    refer_hsi: 'Refer to HSI', refer_hhs: 'Refer to HHS', refer_cps: 'Refer to CPS',
    serve_nta: 'Serve the NTA', file_nta: 'File the NTA', close: 'Close the case',
  };
  function taskName(a) {
    if (TASK_LABELS[a]) return TASK_LABELS[a];
    const h = human(a);
    return h.charAt(0).toUpperCase() + h.slice(1);
  }
  function groupLabel(g) {
    return GROUP_LABELS[g] || human(g);
  }
  function today() {
    const d = new Date();
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
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
    const title = p && p.title ? p.title : (e && e.message) || 'Something went wrong';
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
      el('strong', null, p && p.title ? p.title : (e && e.message) || 'Failed'),
      p && p.status ? ` (HTTP ${p.status})` : '',
      p && p.detail ? el('p', { className: 'detail' }, p.detail) : null);
    return box;
  }

  class ApiError extends Error {
    constructor(problem) {
      super(problem.detail || problem.title || 'request failed');
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

  // api('GET', '/queue', {query: {...}, pii: true}) -> parsed JSON or null.
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
    const headers = { Accept: 'application/json, application/problem+json' };
    if (o.pii) {
      if (!state.purpose) throw new ApiError({ title: 'Purpose needed', detail: 'Choose a purpose first.' });
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
      res = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
    } catch (err) {
      throw new ApiError({ title: 'Network error', detail: 'The server could not be reached: ' + err.message });
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
    if (!p.title) p.title = res.statusText || 'Request failed';
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
      'counsel-body', 'inbox-counts', 'assignee-names']) clear($(id));
    for (const id of ['queue-note', 'tasks-note', 'search-note', 'queue-page', 'tasks-page', 'inbox-note', 'clients-note',
      'inbox-count']) $(id).textContent = '';
    for (const id of ['search-q', 'qf-office', 'tf-office', 'af-actor', 'af-action', 'af-target', 'assign-to',
      'assign-note']) $(id).value = '';
    $('inbox-count').hidden = true;
    state.names.clear();
    state.assigneesLoaded = false;
    $('case-h').textContent = 'Case';
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
    showProblem(new ApiError(problem || { title: 'Signed out' }), 'Your session ended; sign in again');
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
      showProblem(new ApiError({ title: 'Enter your user name and password' }));
      return;
    }
    try {
      const r = await api('POST', '/session', { body: { username, password }, login: true });
      state.user = r.user;
      state.csrf = r.csrf;
      $('login-pass').value = '';
      say(`Signed in as ${r.user.name}.`);
      renderChrome();
      refreshInbox();
      const next = state.pending || startRoute();
      state.pending = null;
      askPurpose(next);
    } catch (e) {
      $('login-pass').value = '';
      showProblem(e, 'Sign-in failed');
      $('login-pass').focus();
    }
  }

  async function logout() {
    hideProblem();
    try {
      await api('DELETE', '/session');
    } catch (e) {
      if (!(e.problem && e.problem.status === 401)) showProblem(e, 'Sign-out');
    }
    state.user = null;
    state.csrf = null;
    state.purpose = null;
    savePurpose();
    clearData();
    state.queue = { filters: {}, offset: 0, total: 0, mine: false };
    state.tasks = { next: null };
    renderChrome();
    say('Signed out.');
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
      showProblem(new ApiError({ title: 'Choose a purpose', detail: 'The purpose is recorded with every read of a child\'s data.' }));
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
    $('who-role').textContent = human(u.role) + (u.office ? ' · ' + u.office : '') +
      (u.provider ? ' · ' + u.provider : '');
    $('who-purpose').textContent = state.purpose || 'not set';
    const v = views();
    for (const li of document.querySelectorAll('#nav li')) {
      li.hidden = !v.includes(li.getAttribute('data-need'));
    }
  }

  // ---- routing (hash based: #/queue, #/case/12, ...) ----

  const VIEWS = ['login', 'purpose', 'queue', 'tasks', 'search', 'case', 'audit', 'reports',
    'inbox', 'clients', 'counsel', 'notfound'];

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

  async function route() {
    hideProblem();
    const { parts, query } = parseHash();
    const name = parts[0] || '';
    if (!state.user) {
      if (name && name !== 'login' && name !== 'purpose') state.pending = location.hash;
      show('login');
      $('login-user').focus();
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
    document.title = 'uctrack';
    switch (name) {
      case '':
        location.hash = startRoute();
        return;
      case 'queue': show('queue'); clear($('assign-result')); return loadQueue(query, false);
      case 'mine': show('queue', 'mine'); clear($('assign-result')); return loadQueue(query, true);
      case 'tasks': show('tasks'); return loadTasks(query);
      case 'inbox': show('inbox'); return loadInbox();
      case 'clients': show('clients'); return loadClients();
      case 'counsel-requests': show('counsel'); return loadCounsel(query);
      case 'search': show('search'); return loadSearch(query);
      case 'case': {
        show('case');
        await loadCase(parts[1]);
        // #/case/12?see=hold-lifts (from the inbox): go to that section.
        const see = query.get('see');
        if (see && /^[a-z-]{1,30}$/.test(see) && $('h-' + see)) focusHeading('h-' + see);
        return;
      }
      case 'audit': show('audit'); return loadAudit(query);
      case 'reports': show('reports'); return loadReports(query);
      default: show('notfound');
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

  function fmtInt(n) {
    return Number(n || 0).toLocaleString('en-US');
  }
  function plural(n, one, many) {
    return `${fmtInt(n)} ${n === 1 ? one : many}`;
  }

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
    $('queue-h').textContent = mine ? 'My cases' : 'Children to work on';
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
    $('queue-note').textContent = 'Loading…';
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
          mine ? 'No case is assigned to you with these filters.' : 'No child matches these filters.')));
      }
      labelCells($('queue-table'));
      const masked = items.some((it) => isMasked(it.name) || isMasked(it.a_number));
      $('queue-note').textContent = `${fmtInt(total)}${more} ${total === 1 && exact ? 'child' : 'children'}` +
        (mine ? ' assigned to you' : '') +
        (f.office ? ` · office ${f.office}` : ' · all offices') +
        (masked ? ' · personal data masked for your role' : '');
      $('queue-page').textContent = items.length
        ? `Showing ${fmtInt(offset + 1)}–${fmtInt(offset + items.length)} of ${fmtInt(total)}${more}` : '';
      $('queue-next').disabled = exact ? offset + items.length >= total : items.length < Number(r.limit || 50);
      $('queue-prev').disabled = offset === 0;
      $('queue-first').disabled = offset === 0;
      $('queue-csv').disabled = !items.length;
      updateSelection();
    } catch (e) {
      if (!latest()) return;
      $('queue-note').textContent = '';
      showProblem(e, mine ? 'My cases' : 'Queue');
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
    if (overdue) out.push(el('span', { className: 'tag overdue', 'data-flag': 'overdue' }, 'Overdue'));
    if (dueSoon) out.push(el('span', { className: 'tag soon', 'data-flag': 'due_soon' }, 'Due soon'));
    return out.length ? out : '—';
  }

  function queueRow(it, canAssign) {
    const name = it.name;
    const label = name ? txt(name) : `Case C${it.case_id}`;
    const who = el('div', { className: 'who-cell' },
      caseLink(it.case_id, label),
      el('div', { className: 'muted small' }, anumFmt(it.a_number)));
    const holds = it.holds ? String(it.holds).split(',').filter(Boolean) : [];
    const pick = canAssign ? el('input', { type: 'checkbox', className: 'pick', value: String(it.case_id),
      'aria-label': `Select C${it.case_id} ${label}` }) : null;
    const c = (col, attrs, ...kids) => el('td', { 'data-col': col, ...(attrs || {}) }, ...kids);
    return el('tr', { 'data-case': it.case_id, 'data-overdue': it.overdue ? '1' : '0' },
      c('select', { className: 'sel' }, pick),
      c('priority', { className: 'num' }, txt(it.score)),
      c('group', null, groupTag(it.group)),
      c('child', null, who),
      c('next', null, it.next_action ? taskName(it.next_action) : 'none open'),
      c('due', { className: 'date' }, txt(it.next_due)),
      c('flags', null, dueFlags(it.overdue, it.due_soon)),
      c('tasks', { className: 'nowrap' }, `${it.open_tasks || 0} open` + (it.held_tasks ? ` · ${it.held_tasks} held` : '')),
      c('holds', null, holds.length ? holds.map((h) => el('span', { className: 'tag hold' }, human(h))) : '—'),
      c('assignee', null, it.assignee ? it.assignee : el('span', { className: 'muted' }, 'nobody')),
      c('office', null, txt(it.office)),
      c('phase', null, txt(it.phase)));
  }

  function groupTag(g) {
    return el('span', { className: 'tag g-' + String(g || 'none').replace(/[^a-z_]/g, '') }, groupLabel(g || 'none'));
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
      showProblem(e, 'CSV');
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
    return [...document.querySelectorAll('#queue-table tbody input.pick:checked')].map((x) => Number(x.value));
  }
  function updateSelection() {
    const boxes = document.querySelectorAll('#queue-table tbody input.pick');
    const n = selectedIds().length;
    $('assign-count').textContent = `${n} selected`;
    $('assign-go').disabled = n === 0;
    $('unassign-go').disabled = n === 0;
    $('queue-all').checked = boxes.length > 0 && n === boxes.length;
    $('queue-all').indeterminate = n > 0 && n < boxes.length;
  }
  function selectAll() {
    const on = $('queue-all').checked;
    for (const b of document.querySelectorAll('#queue-table tbody input.pick')) b.checked = on;
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
    const same = r && r.unchanged ? ` (${plural(r.unchanged, 'was', 'were')} already)` : '';
    return who ? `${plural(done, 'child', 'children')} assigned to ${who}${same}.`
      : `${plural(done, 'child', 'children')} unassigned${same}.`;
  }

  async function assignSelected(ev, unassign) {
    if (ev) ev.preventDefault();
    const out = clear($('assign-result'));
    const ids = selectedIds();
    const who = unassign ? null : $('assign-to').value.trim();
    if (!ids.length) {
      append(out, problemBox(new ApiError({ title: 'Select children first', detail: 'Tick the box of each child to assign.' })));
      return;
    }
    if (!unassign && !who) {
      append(out, problemBox(new ApiError({ title: 'Whom to assign to?', detail: 'Type the user name of an officer or supervisor of the office.' })));
      $('assign-to').focus();
      return;
    }
    const btn = unassign ? $('unassign-go') : $('assign-go');
    const label = btn.textContent;
    btn.disabled = true;
    btn.textContent = 'Saving…';
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
    $('tasks-note').textContent = 'Loading…';
    const latest = begin('tasks');
    try {
      const r = await api('GET', '/queue', { pii: true, query: { ...f, limit: 50, cursor } });
      if (!latest()) return;
      const items = (r && r.items) || [];
      state.tasks.next = r.next_cursor || null;
      for (const it of items) tbody.appendChild(taskRow(it));
      if (!items.length) {
        tbody.appendChild(el('tr', null, el('td', { colSpan: 8, className: 'muted' }, 'No open tasks match these filters.')));
      }
      labelCells($('tasks-table'));
      const masked = items.some((it) => isMasked(it.name) || isMasked(it.a_number));
      $('tasks-note').textContent = `${items.length} task${items.length === 1 ? '' : 's'} on this page` +
        (f.office ? ` · office ${f.office}` : ' · all offices') +
        (masked ? ' · personal data masked for your role' : '');
      $('tasks-next').disabled = !state.tasks.next;
      $('tasks-first').disabled = !cursor;
      $('tasks-page').textContent = cursor ? 'Later page' : 'First page';
    } catch (e) {
      if (!latest()) return;
      $('tasks-note').textContent = '';
      showProblem(e, 'Tasks');
    }
  }

  function taskRow(it) {
    const name = it.name;
    const who = el('div', { className: 'who-cell' },
      caseLink(it.case_id, name ? txt(name) : `Case C${it.case_id}`),
      el('div', { className: 'muted small' }, anumFmt(it.a_number)));
    const holds = it.holds ? String(it.holds).split(',').filter(Boolean) : [];
    return el('tr', { 'data-case': it.case_id },
      el('td', { className: 'num' }, txt(it.score !== undefined ? it.score : it.priority)),
      el('td', null, groupTag(it.group)),
      el('td', null, who),
      el('td', null, holds.length ? holds.map((h) => el('span', { className: 'tag hold' }, human(h))) : '—'),
      el('td', null, human(it.action)),
      el('td', { className: 'date' }, txt(it.due)),
      el('td', null, txt(it.office)),
      el('td', null, txt(it.phase)));
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
        ? 'You can open only the cases of your own clients.' : '';
      $('search-q').focus();
      return;
    }
    $('search-note').textContent = 'Searching…';
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
          el('td', { className: 'date' }, txt(c.birth_date)),
          el('td', null, txt(c.office)),
          el('td', null, groupTag(c.group)),
          el('td', null, txt(c.phase))));
      }
      labelCells(table);
      table.hidden = items.length === 0;
      $('search-note').textContent = items.length
        ? `${items.length} case${items.length === 1 ? '' : 's'} found (searched by ${human(r.query_kind)}).`
        : 'No cases found that you may see.';
      // A provider who finds no client by A-number may ask to be counsel.
      const digits = anumDigits(q);
      if (!items.length && digits && state.user.role === 'legal_provider') {
        append(ask, section('Is this child your client?', 'ask', el('p', null,
          `No client of yours has A-number ${anumFmt(digits)}. If you represent this child, ask to be recorded as counsel; ` +
          'an analyst or supervisor confirms it.'), counselAskForm(digits, 'sask')));
      }
    } catch (e) {
      table.hidden = true;
      $('search-note').textContent = '';
      showProblem(e, 'Search');
    }
  }

  function searchSubmit(ev) {
    ev.preventDefault();
    const q = $('search-q').value.trim();
    if (q.length < 2) {
      showProblem(new ApiError({ title: 'Type at least 2 characters' }));
      return;
    }
    location.hash = '#/search?q=' + encodeURIComponent(q);
  }

  // ---- one case ----

  let caseState = null; // {id, data}

  // notice: an element to show above the case, or a function of the
  // case's data returning one (after a write: the one read shows both).
  async function loadCase(idText, notice) {
    const body = clear($('case-body'));
    const id = /^[1-9]\d{0,14}$/.test(idText || '') ? idText : null;
    $('case-h').textContent = id ? `Case C${id}` : 'Case';
    if (!id) {
      showProblem(new ApiError({ title: 'Not a case id', detail: 'Case ids are positive numbers, e.g. #/case/42.' }));
      return;
    }
    append(body, el('p', { className: 'muted' }, 'Loading…'));
    const latest = begin('case');
    let data;
    try {
      data = await api('GET', '/cases/' + id, { pii: true });
    } catch (e) {
      if (!latest()) return;
      clear(body);
      showProblem(e, `Case C${id}`);
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

  // A table from rows and [key, label] columns; values as text.
  function table(rows, cols, opts) {
    const o = opts || {};
    if (!rows || !rows.length) return el('p', { className: 'muted' }, o.empty || 'None.');
    const t = el('table', { className: 'grid' + (o.compact ? ' compact' : '') + (o.cards ? ' cards' : '') });
    if (o.caption) t.appendChild(el('caption', { className: 'sr-only' }, o.caption));
    t.appendChild(el('thead', null, el('tr', null, cols.map(([, label]) => el('th', { scope: 'col' }, label)))));
    const tb = el('tbody');
    for (const r of rows) {
      tb.appendChild(el('tr', o.rowAttrs ? o.rowAttrs(r) : null, cols.map(([k, , fmt]) => {
        const v = typeof k === 'function' ? k(r) : r[k];
        return el('td', null, fmt ? fmt(v, r) : txt(v));
      })));
    }
    t.appendChild(tb);
    if (o.cards) labelCells(t);
    return el('div', { className: 'table-wrap' }, t);
  }

  function dl(pairs) {
    const d = el('dl', { className: 'facts' });
    for (const [k, v] of pairs) {
      const shown = v instanceof Node || Array.isArray(v) ? v : txt(v);
      d.appendChild(el('div', null, el('dt', null, k), el('dd', null, shown)));
    }
    return d;
  }

  function holdNames(data) {
    const h = (data.holds || []).map((x) => (typeof x === 'string' ? x : x.name)).filter(Boolean);
    if (h.length) return h;
    const c = data.case || {};
    return c.hold_names ? String(c.hold_names).split(',').filter(Boolean) : [];
  }

  // The explanation may come as data.explanation (triage_explain) with
  // fired rules and holds; older servers only give holds and tasks.
  function explanation(data) {
    return data.explanation || data.triage || data.explain || null;
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
    $('case-h').textContent = `Case C${id}` + (name ? ` — ${name}` : '');
    document.title = `Case C${id} · uctrack`;
    if (masked) {
      append(body, el('p', { className: 'notice', 'data-testid': 'masked-note' },
        'Personal data is masked for your role (shown as ***).'));
    }
    if (notice) append(body, notice);

    const ex = explanation(data);
    const holds = holdNames(data);
    append(body, section('Summary', 'summary', dl([
      ['Group', groupTag(c.group || (ex && ex.group))],
      ['Priority score', c.score],
      ['Phase', PHASE_LABELS[c.phase] || c.phase],
      ['Field office', c.office],
      ['Assigned to', data.assignee ? data.assignee : 'nobody'],
      ['A-number', anumFmt(c.a_number)],
      ['Person', c.person_id],
      ['Holds', holds.length ? holds.map((h) => el('span', { className: 'tag hold' }, human(h))) : 'none'],
      ['Rule set', c.rs_hash],
      ['Facts as of', c.as_of],
      ['Triaged at', c.triaged_at],
    ])));

    append(body, assignSection(id, data));
    append(body, tasksSection(id, data));

    append(body, renderExplanation(ex, data, holds));

    // Actions come before the long history: field staff record, then read.
    const types = ROLE_EVENTS[state.user.role] || [];
    if (types.length) append(body, eventForm(id, types));
    const statutory = statutoryHolds(ex);
    if (CAN_OVERRIDE[state.user.role]) {
      append(body, overrideForm(id, holds.filter((h) => !statutory.has(h))));
      const pend = new Set((data.hold_lifts || []).filter((l) => l.status === 'pending').map((l) => l.hold));
      const liftable = holds.filter((h) => statutory.has(h) && !pend.has(h));
      if (liftable.length) append(body, liftRequestForm(id, liftable));
    }
    append(body, renderLifts(id, data.hold_lifts || []));

    append(body, section('Identity', 'identity', table(ident, [
      ['source', 'Source', human], ['family_name', 'Family name'], ['given_name', 'Given name'],
      ['birth_date', 'Birth date'], ['sex', 'Sex'], ['country', 'Country'], ['a_number', 'A-number', anumFmt],
    ], { caption: 'Identity as stated in each source', empty: 'No identity records.' })));

    append(body, section('Address history', 'addresses', table(data.addresses || [], [
      ['as_of', 'As of'], ['street', 'Street'], ['unit', 'Unit'], ['city', 'City'], ['state', 'State'],
      ['zip', 'ZIP'], ['status', 'Status', human], ['src_tbl', 'Source', human],
    ], { caption: 'Addresses, oldest first', empty: 'No address on file.' })));

    append(body, historySection(data));
    append(body, renderTimeline(data));
    append(body, renderRecords(data.records || []));
    append(body, section('Overrides', 'overrides', table(data.overrides || [], [
      ['created_at', 'When'], ['kind', 'Kind', human], ['value', 'Value', human], ['reason', 'Reason'],
      ['by_user', 'By'], ['status', 'Status'],
    ], { caption: 'Supervisor overrides', empty: 'No overrides.' })));
  }

  // ---- tasks, assignment and work history on the case page ----

  // Per task and outcome: the fields the API needs in "details"
  // ([field, label, kind, options or attributes], as EVENT_FIELDS).
  const METHODS = ['phone', 'home_visit', 'mail'];
  function taskFields(action, done) {
    switch (action) {
      case 'contact':
        return done ? [['method', 'How was the child reached', 'select', METHODS]]
          : [['method', 'How it was tried', 'select', METHODS],
            ['outcome', 'What happened', 'select', ['no_answer', 'not_at_address', 'moved', 'refused', 'wrong_number']]];
      case 'welfare_check':
        return done ? [['outcome', 'How the child is', 'select', ['safe', 'concern']],
          ['note', 'Note (optional, encrypted at rest)', 'textarea']]
          : [['note', 'Note (optional, encrypted at rest)', 'textarea']];
      case 'locate':
        return done ? [
          ['street', 'Street', 'text', { required: true }], ['unit', 'Unit / apartment', 'text'],
          ['city', 'City', 'text', { required: true }], ['state', 'State', 'text', { required: true, maxLength: 2, size: 3 }],
          ['zip', 'ZIP', 'text', { required: true, maxLength: 10, size: 10 }],
          ['status', 'Address status', 'select', ['verified', 'unverified']],
        ] : [];
      default:
        return [];
    }
  }
  const OUTCOME_LABELS = { done: 'done', not_possible: 'not possible' };

  function tasksSection(id, data) {
    const tasks = data.tasks || [];
    const canDo = !!CAN_COMPLETE[state.user.role];
    const now = today();
    const slot = el('div', { id: 'task-form-slot' });
    const complete = (t) => {
      if (t.status === 'held') return el('span', { className: 'muted small' }, `Held by ${human(t.held_by)}`);
      if (t.status !== 'open' || !canDo) return '—';
      const mk = (outcome, label) => {
        const b = el('button', { type: 'button', className: 'small', 'data-outcome': outcome },
          label, el('span', { className: 'sr-only' }, ` (${taskName(t.action)})`));
        b.addEventListener('click', () => openTaskForm(id, t, outcome, b, slot));
        return b;
      };
      return el('span', { className: 'btns' }, mk('done', 'Done…'), ' ', mk('not_possible', 'Not possible…'));
    };
    const status = (v, t) => {
      if (t.status === 'held') return el('span', { className: 'tag hold' }, `Held by ${human(t.held_by)}`);
      if (t.status !== 'open') return human(v);
      return [human(v), ' ', t.due && t.due < now ? el('span', { className: 'tag overdue' }, 'Overdue') : null];
    };
    return section('Tasks', 'tasks', table(tasks, [
      ['action', 'Task', taskName], ['due', 'Due'], ['status', 'Status', status], ['phase', 'Phase'],
      ['office', 'Office'], ['id', 'Complete', (v, t) => complete(t)],
    ], { caption: 'Tasks of this case', empty: 'No tasks.', cards: true,
      rowAttrs: (t) => ({ 'data-action': t.action, 'data-status': t.status }) }), slot);
  }

  // The small form that completes one task (POST /cases/{id}/tasks/{action}).
  function openTaskForm(caseId, task, outcome, opener, slot) {
    clear(slot);
    const done = outcome === 'done';
    const specs = taskFields(task.action, done);
    const fields = el('div', { className: 'ev-fields' }, specs.map((f) => {
      const w = fieldFor('tk', f);
      const input = w.querySelector('input, select, textarea');
      if (f[3] && f[3].required) input.required = true;
      return w;
    }));
    const date = el('input', { id: 'tk-date', name: 'occurred_at', type: 'date', value: today(), max: today() });
    const reason = el('textarea', { id: 'tk-reason', name: 'reason', rows: 2, maxLength: 2000, required: !done });
    const result = el('div', { id: 'tk-result', 'aria-live': 'polite' });
    const submit = el('button', { type: 'submit', className: 'primary' }, done ? 'Record as done' : 'Record as not possible');
    const cancel = el('button', { type: 'button' }, 'Cancel');
    const title = `${taskName(task.action)}: ${OUTCOME_LABELS[outcome]}`;
    const form = el('form', { id: 'task-form', className: 'stack card inset', 'data-action': task.action,
      'data-outcome': outcome, 'aria-labelledby': 'tk-h' },
    el('h3', { id: 'tk-h' }, title),
    fields,
    el('div', { className: 'row' },
      el('div', { className: 'field' }, el('label', { for: 'tk-date' }, 'Date'), date)),
    el('div', { className: 'field' },
      el('label', { for: 'tk-reason' }, done ? 'Remark for the work history (optional)' : 'Why it was not possible (required)'),
      reason),
    el('div', { className: 'btns' }, submit, ' ', cancel), result);
    const close = () => {
      clear(slot);
      opener.focus();
    };
    cancel.addEventListener('click', close);
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') close();
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(result);
      if (!form.reportValidity()) return;
      const why = reason.value.trim();
      if (!done && !why) {
        append(result, problemBox(new ApiError({ title: 'A reason is required', detail: 'Say why the task could not be done.' })));
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
      submit.textContent = 'Recording…';
      try {
        const r = await api('POST', `/cases/${caseId}/tasks/${encodeURIComponent(task.action)}`, { body: payload });
        submit.textContent = 'Recorded; re-reading the case…';
        refreshInbox();
        await loadCase(caseId, () => taskNotice(r, task, outcome));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        append(result, problemBox(e));
        submit.disabled = false;
        submit.textContent = done ? 'Record as done' : 'Record as not possible';
      }
    });
    append(slot, form);
    const first = form.querySelector('input, select, textarea');
    if (first) first.focus();
  }

  // After a task is completed: what was recorded and the re-triaged tasks
  // as the POST answered them (the next task first).
  function taskNotice(r, task, outcome) {
    const tasks = (r && r.tasks) || [];
    const open = tasks.filter((t) => t.status === 'open').sort((a, b) => String(a.due).localeCompare(String(b.due)));
    const held = tasks.filter((t) => t.status === 'held');
    const lines = [el('strong', null, `${taskName(task.action)}: ${OUTCOME_LABELS[outcome]} — recorded as ` +
      `${human(r && r.event_type)}` + (r && r.event_id ? ` (${r.event_id})` : '') + '.')];
    if (open.length) {
      lines.push(el('p', { 'data-testid': 'next-task' }, `Next task: ${taskName(open[0].action)}, due ${txt(open[0].due)}.`));
      if (open.length > 1) {
        lines.push(el('p', null, 'Then: ' + open.slice(1).map((t) => `${taskName(t.action)} (${txt(t.due)})`).join(', ') + '.'));
      }
    } else {
      lines.push(el('p', { 'data-testid': 'next-task' }, 'No open task left on this case.'));
    }
    if (held.length) {
      lines.push(el('p', null, 'Held: ' + held.map((t) => `${taskName(t.action)} (by ${human(t.held_by)})`).join(', ') + '.'));
    }
    if (r && r.retriaged === false) {
      lines.push(el('p', { className: 'muted small', 'data-testid': 'retriage-pending' },
        'Not re-triaged yet: the next triage run on the server picks this up.'));
    }
    return el('div', { id: 'retriage', className: 'notice ok', tabIndex: -1, role: 'status', 'data-testid': 'task-done' }, lines);
  }

  function assignSection(id, data) {
    const cur = data.assignee || null;
    const who = el('p', { id: 'case-assignee' }, cur ? ['Assigned to ', el('strong', null, cur), '.']
      : 'Nobody is assigned; the case stays visible to the whole office.');
    if (cur) rememberName(cur);
    if (!CAN_ASSIGN[state.user.role]) return section('Assignment', 'assign', who);
    const to = el('input', { id: 'ca-to', name: 'assignee', list: 'assignee-names', autocomplete: 'off', size: 14,
      'aria-describedby': 'ca-help' });
    const note = el('input', { id: 'ca-note', name: 'note', maxLength: 500 });
    const result = el('div', { id: 'ca-result', 'aria-live': 'polite' });
    const submit = el('button', { type: 'submit' }, cur ? 'Reassign' : 'Assign');
    const unassign = cur ? el('button', { type: 'button', id: 'ca-unassign' }, 'Unassign') : null;
    const form = el('form', { id: 'assign-form', className: 'stack', noValidate: true },
      el('div', { className: 'row' },
        el('div', { className: 'field' }, el('label', { for: 'ca-to' }, cur ? 'Reassign to' : 'Assign to'), to,
          el('span', { id: 'ca-help', className: 'muted small' }, 'an officer\'s or supervisor\'s sign-in name')),
        el('div', { className: 'field' }, el('label', { for: 'ca-note' }, 'Assignment note (optional)'), note)),
      el('div', { className: 'btns' }, submit, ' ', unassign), result);
    const send = async (assignee, btn) => {
      clear(result);
      if (assignee === '') {
        append(result, problemBox(new ApiError({ title: 'Whom to assign to?', detail: 'Type the user name of an officer or supervisor of the office.' })));
        to.focus();
        return;
      }
      const label = btn.textContent;
      btn.disabled = true;
      btn.textContent = 'Saving…';
      try {
        const r = await assignCases([Number(id)], assignee, note.value.trim());
        rememberName(assignee);
        refreshInbox();
        await loadCase(id, el('div', { id: 'retriage', className: 'notice ok', tabIndex: -1, role: 'status' },
          assignee ? (r && r.unchanged ? `Already assigned to ${assignee}.` : `Assigned to ${assignee}.`) : 'Unassigned.'));
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
    return section('Assignment', 'assign', who, form);
  }

  function historySection(data) {
    const rows = data.work_history || [];
    const what = (h) => {
      if (h.kind === 'assignment') return h.how === 'unassigned' || !h.assignee ? 'Unassigned' : `Assigned to ${h.assignee}`;
      return `${taskName(h.action)}: ${OUTCOME_LABELS[h.how] || human(h.how)}`;
    };
    for (const h of rows) {
      if (h.kind === 'assignment') rememberName(h.assignee);
    }
    return section('Work history', 'work-history', table(rows, [
      ['at', 'When'], [what, 'What'], ['by', 'By', (v) => (v ? v : 'triage (automatic)')],
      ['reason', 'Reason or note'], ['event_id', 'Event'],
    ], { caption: 'Assignments and task outcomes, newest first', empty: 'No assignment or task outcome yet.', cards: true,
      rowAttrs: (h) => ({ 'data-kind': h.kind, 'data-how': h.how, 'data-action': h.action }) }));
  }

  function renderExplanation(ex, data, holds) {
    const kids = [];
    if (ex && Array.isArray(ex.fired)) {
      const rules = ex.fired.filter((f) => f.kind !== 'hold');
      const hs = ex.fired.filter((f) => f.kind === 'hold');
      if (ex.group_label || ex.rank) {
        kids.push(el('p', null,
          `Group ${ex.group_label || groupLabel(ex.group)}` + (ex.overridden ? ' (set by an override)' : '') +
          (ex.score !== undefined ? `, score ${ex.score}` : '') + (ex.rank ? `, rank ${ex.rank}` : '') +
          (ex.phase_name ? `, phase ${ex.phase} ${ex.phase_name}` : '') + '.'));
      }
      kids.push(el('h3', null, 'Rules that fired'));
      kids.push(rules.length ? el('ul', { className: 'fired' }, rules.map((f) => el('li', { 'data-rule': f.name },
        el('div', null, el('strong', null, human(f.name)),
          f.group ? ` → ${groupLabel(f.group)}` : '', f.score ? ` (+${f.score})` : ''),
        f.reason ? el('div', null, f.reason) : null,
        f.facts ? el('div', { className: 'muted small' }, 'Facts read: ', factsText(f.facts)) : null)))
        : el('p', { className: 'muted' }, 'No rule fired.'));
      kids.push(el('h3', null, 'Holds and what they block'));
      kids.push(hs.length ? el('ul', { className: 'fired' }, hs.map((f) => el('li', { 'data-hold': f.name },
        el('div', null, el('strong', null, human(f.name)),
          f.blocks ? ` blocks ${human(f.blocks)}` : '', f.lifted === 'yes' || f.lifted === true ? ' (lifted by an override)' : '',
          f.statutory ? el('span', { className: 'tag hold', 'data-statutory': f.name }, 'statutory: lifting takes two people') : null),
        f.reason ? el('div', null, f.reason) : null,
        f.facts ? el('div', { className: 'muted small' }, 'Facts read: ', factsText(f.facts)) : null)))
        : el('p', { className: 'muted' }, 'No hold.'));
    } else {
      kids.push(el('p', { className: 'muted' },
        'The server did not send a rule-by-rule explanation for this case; holds and the tasks they block are shown below.'));
      const blocked = {};
      for (const t of data.tasks || []) {
        for (const h of String(t.held_by || '').split(',').filter(Boolean)) {
          (blocked[h] = blocked[h] || []).push(t.action);
        }
      }
      kids.push(holds.length ? el('ul', { className: 'fired' }, holds.map((h) => el('li', { 'data-hold': h },
        el('strong', null, human(h)), blocked[h] ? ` blocks ${blocked[h].map(human).join(', ')}` : '')))
        : el('p', { className: 'muted' }, 'No hold.'));
    }
    return section('Why this case is here', 'explain', ...kids);
  }

  function factsText(f) {
    if (typeof f === 'string') return f;
    if (Array.isArray(f)) return f.map((x) => (typeof x === 'object' ? `${x.name}=${txt(x.value)}` : String(x))).join(', ');
    if (f && typeof f === 'object') return Object.entries(f).map(([k, v]) => `${k}=${txt(v)}`).join(', ');
    return txt(f);
  }

  // Field-event details for the timeline, from its record's body.
  const EVENT_SKIP = new Set(['event_id', 'a_number', 'type', 'occurred_at']);
  function eventSummary(body) {
    if (!body || typeof body !== 'object') return body ? String(body) : '';
    return Object.entries(body).filter(([k]) => !EVENT_SKIP.has(k))
      .map(([k, v]) => `${human(k)}: ${valueText(v)}`).join(' · ');
  }
  // Codes (no_answer) read better as words; free text stays as it is.
  function valueText(v) {
    if (v && typeof v === 'object') return JSON.stringify(v);
    const s = String(v);
    return /^[a-z]+(_[a-z]+)+$/.test(s) ? human(s) : s;
  }

  function renderTimeline(data) {
    const recs = new Map();
    for (const r of data.records || []) recs.set(`${r.table}:${r.rid}`, r);
    const tl = (data.timeline || []).slice().reverse(); // newest first
    const rows = tl.map((t) => {
      const r = recs.get(`${t.table}:${t.rid}`);
      let detail = '';
      if (r && t.table === 'field_event') detail = eventSummary(r.body);
      else if (r && r.outcome) detail = human(r.outcome);
      return { ...t, detail };
    });
    return section('Timeline', 'timeline', table(rows, [
      ['date', 'Date'], ['what', 'What', human], ['table', 'Source', human], ['detail', 'Details'],
    ], { caption: 'Timeline, newest first', empty: 'Nothing recorded yet.',
      rowAttrs: (r) => ({ 'data-what': r.what, 'data-table': r.table }) }));
  }

  function renderRecords(records) {
    const byTable = new Map();
    for (const r of records) {
      if (!byTable.has(r.table)) byTable.set(r.table, []);
      byTable.get(r.table).push(r);
    }
    const kids = [];
    if (!records.length) kids.push(el('p', { className: 'muted' }, 'No source records.'));
    for (const [tbl, rows] of byTable) {
      const keys = [];
      for (const r of rows) for (const k of Object.keys(r)) if (k !== 'table' && !keys.includes(k)) keys.push(k);
      kids.push(el('details', null,
        el('summary', null, `${human(tbl)} (${rows.length})`),
        table(rows, keys.map((k) => [k, human(k), (v) => (v && typeof v === 'object' ? eventSummary(v) : txt(v))]),
          { compact: true, caption: human(tbl) + ' records' })));
    }
    return section('Source records', 'records', ...kids);
  }

  // ---- forms: field events and overrides ----

  const EVENT_LABELS = {
    contact_attempt: 'Contact attempt', welfare_check: 'Welfare check',
    trafficking_screening: 'Trafficking screening', address_update: 'Address update',
    referral: 'Referral', representation: 'Representation', orientation: 'Legal orientation',
  };
  // Per type: [field, label, kind, options or attributes]
  const EVENT_FIELDS = {
    contact_attempt: [
      ['method', 'Method', 'select', ['phone', 'home_visit', 'mail']],
      ['outcome', 'Outcome', 'select', ['reached', 'no_answer', 'not_at_address', 'moved', 'refused', 'wrong_number']],
    ],
    welfare_check: [
      ['outcome', 'Outcome', 'select', ['safe', 'concern', 'not_seen']],
      ['note', 'Note (optional, encrypted at rest)', 'textarea'],
    ],
    trafficking_screening: [
      ['result', 'Result', 'select', ['no_indicators', 'indicators_found', 'declined']],
      ['note', 'Note (optional, sensitive, encrypted at rest)', 'textarea'],
    ],
    address_update: [
      ['street', 'Street', 'text', { required: true }], ['unit', 'Unit / apartment', 'text'],
      ['city', 'City', 'text', { required: true }], ['state', 'State', 'text', { required: true, maxLength: 2, size: 3 }],
      ['zip', 'ZIP', 'text', { required: true, maxLength: 10, size: 10 }],
      ['status', 'Status', 'select', ['verified', 'unverified', 'undeliverable']],
    ],
    referral: [
      ['to', 'Referred to', 'select', ['legal_provider', 'hsi', 'cps', 'hhs']],
      ['reason', 'Reason (optional)', 'text'],
    ],
    representation: [
      ['provider', 'Provider', 'provider'],
      ['status', 'Status', 'select', ['started', 'ended']],
    ],
    orientation: [['provider', 'Provider', 'provider']],
  };

  function fieldFor(prefix, [name, label, kind, extra]) {
    const id = `${prefix}-${name}`;
    let input;
    if (kind === 'select') {
      input = el('select', { id, name }, extra.map((v) => el('option', { value: v }, human(v))));
    } else if (kind === 'textarea') {
      input = el('textarea', { id, name, rows: 3, maxLength: 4000 });
    } else if (kind === 'provider') {
      const p = state.user.provider || '';
      input = el('input', { id, name, value: p, readOnly: !!p, required: true });
    } else {
      input = el('input', { id, name, ...(extra || {}) });
    }
    return el('div', { className: 'field' }, el('label', { for: id }, label), input);
  }

  function eventForm(caseId, types) {
    const typeSel = el('select', { id: 'ev-type', name: 'type' },
      types.map((t) => el('option', { value: t }, EVENT_LABELS[t] || human(t))));
    const fields = el('div', { className: 'ev-fields', id: 'ev-fields' });
    const date = el('input', { id: 'ev-date', name: 'occurred_at', type: 'date', value: today(), max: today(), required: true });
    const result = el('div', { id: 'ev-result', 'aria-live': 'polite' });
    const submit = el('button', { type: 'submit', className: 'primary' }, 'Record event');
    const form = el('form', { id: 'event-form', className: 'stack', noValidate: false },
      el('div', { className: 'row' },
        el('div', { className: 'field' }, el('label', { for: 'ev-type' }, 'Event'), typeSel),
        el('div', { className: 'field' }, el('label', { for: 'ev-date' }, 'Date'), date)),
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
      submit.textContent = 'Recording…';
      const before = caseState && caseState.data ? caseState.data.case || {} : {};
      const beforeHolds = caseState && caseState.data ? holdNames(caseState.data) : [];
      try {
        const r = await api('POST', `/cases/${caseId}/events`, { body: payload });
        refreshInbox();
        submit.textContent = 'Recorded; re-reading the case…';
        await loadCase(caseId, (d) => retriageNotice(r, before, beforeHolds, EVENT_LABELS[type] || human(type), d));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        append(result, problemBox(e));
      } finally {
        submit.disabled = false;
        submit.textContent = 'Record event';
      }
    });
    return section('Record a field event', 'event', form);
  }

  // After a write: what triage made of the case now (d: the case as read
  // once after the write).
  function retriageNotice(r, before, beforeHolds, what, d) {
    const after = d ? d.case || {} : null;
    const afterHolds = d ? holdNames(d) : [];
    const lines = [];
    const stored = r && r.new === false ? 'was already recorded' : 'recorded';
    lines.push(el('strong', null, `${what} ${stored}` + (r && r.event_id ? ` (${r.event_id})` : '') + '.'));
    if (after) {
      const ch = [];
      const cmp = (label, a, b, fmt) => {
        const f = fmt || txt;
        ch.push(el('li', null, a === b ? `${label}: ${f(b)} (unchanged)` : `${label}: ${f(a)} → ${f(b)}`));
      };
      cmp('Group', before.group, after.group, groupLabel);
      cmp('Priority score', before.score, after.score);
      cmp('Phase', before.phase, after.phase);
      cmp('Holds', beforeHolds.join(', ') || 'none', afterHolds.join(', ') || 'none');
      lines.push(el('p', null, 'Re-triaged result:'));
      lines.push(el('ul', null, ch));
      // Servers say whether they re-triaged ("retriaged"); without that
      // field an unchanged triage time means it has not happened yet.
      const pending = r && typeof r.retriaged === 'boolean' ? !r.retriaged
        : Boolean(before.triaged_at && before.triaged_at === after.triaged_at);
      if (pending) {
        lines.push(el('p', { className: 'muted small', 'data-testid': 'retriage-pending' },
          `Not re-triaged yet (last triage ${txt(after.triaged_at)}): the next triage run on the server picks this up.`));
      } else if (after.triaged_at) {
        lines.push(el('p', { className: 'muted small' }, `Triaged at ${after.triaged_at}.`));
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
      holds.map((h) => el('option', { value: h }, human(h))));
    const reason = el('textarea', { id: 'lift-reason', name: 'reason', rows: 3, minLength: 10, maxLength: 2000,
      required: true, 'aria-describedby': 'lift-help' });
    const result = el('div', { id: 'lift-result', 'aria-live': 'polite' });
    const submit = el('button', { type: 'submit' }, 'Request the lift');
    const form = el('form', { id: 'lift-form', className: 'stack', noValidate: true },
      el('div', { className: 'field' }, el('label', { for: 'lift-hold' }, 'Statutory hold'), hold),
      el('div', { className: 'field' }, el('label', { for: 'lift-reason' }, 'Why lift it (required)'), reason,
        el('div', { id: 'lift-help', className: 'muted small' },
          'This hold protects a right the law gives the child. The lift takes effect only when a second ' +
          'supervisor or an admin approves it. At least 10 characters; audited and shown on the case.')),
      el('div', null, submit), result);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(result);
      const why = reason.value.trim();
      if (why.length < 10) {
        append(result, problemBox(new ApiError({ title: 'A reason is required', detail: 'Explain the lift in at least 10 characters.' })));
        reason.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = 'Saving…';
      try {
        await api('POST', `/cases/${caseId}/hold-lifts`, { body: { hold: hold.value, reason: why } });
        refreshInbox();
        await loadCase(caseId, () => el('div', { id: 'retriage', className: 'notice ok', tabIndex: -1, role: 'status' },
          `Lift of ${human(hold.value)} requested; it waits for a second person's approval.`));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        append(result, problemBox(e));
        submit.disabled = false;
        submit.textContent = 'Request the lift';
      }
    });
    return section('Request a hold lift', 'lift-request', form);
  }

  function renderLifts(caseId, lifts) {
    const me = state.user.name;
    const decide = async (l, decision, btn) => {
      btn.disabled = true;
      btn.textContent = 'Saving…';
      try {
        await api('POST', `/cases/${caseId}/hold-lifts/${l.id}`, { body: { decision } });
        refreshInbox();
        await loadCase(caseId, () => el('div', { id: 'retriage', className: 'notice ok', tabIndex: -1, role: 'status' },
          `Lift of ${human(l.hold)} ${decision === 'approve' ? 'approved: the hold is lifted' : decision === 'reject' ? 'rejected' : 'withdrawn'}.`));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        btn.disabled = false;
        btn.textContent = decision[0].toUpperCase() + decision.slice(1);
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
      if (l.requested_by === me) return el('span', null, mk('withdraw', 'Withdraw'), ' ',
        el('span', { className: 'muted small' }, 'waiting for a second person'));
      return el('span', null, mk('approve', 'Approve'), ' ', mk('reject', 'Reject'));
    };
    return section('Hold lifts', 'hold-lifts', table(lifts, [
      ['hold', 'Hold', human], ['status', 'Status', human], ['reason', 'Reason'],
      [(l) => `${l.requested_by} ${l.requested_at}`, 'Requested'],
      [(l) => (l.decided_by ? `${l.decided_by} ${l.decided_at}` : '—'), 'Decided'],
      ['note', 'Note', (v) => txt(v || '—')], ['id', 'Action', actions],
    ], { caption: 'Requests to lift a statutory hold', empty: 'No hold lift requests.',
      rowAttrs: (l) => ({ 'data-lift': l.id, 'data-status': l.status }) }));
  }

  function overrideForm(caseId, holds) {
    const kind = el('select', { id: 'ov-kind', name: 'kind' },
      el('option', { value: 'group' }, 'Set the group'),
      holds.length ? el('option', { value: 'lift_hold' }, 'Lift a hold') : null);
    const valueWrap = el('div', { className: 'field' });
    const reason = el('textarea', { id: 'ov-reason', name: 'reason', rows: 3, minLength: 10, maxLength: 2000, required: true,
      'aria-describedby': 'ov-reason-help' });
    const result = el('div', { id: 'ov-result', 'aria-live': 'polite' });
    const fillValue = () => {
      clear(valueWrap);
      const opts = kind.value === 'group' ? Object.keys(GROUP_LABELS) : holds;
      append(valueWrap, [el('label', { for: 'ov-value' }, kind.value === 'group' ? 'New group' : 'Hold to lift'),
        el('select', { id: 'ov-value', name: 'value' },
          opts.map((v) => el('option', { value: v }, kind.value === 'group' ? groupLabel(v) : human(v))))]);
    };
    kind.addEventListener('change', fillValue);
    fillValue();
    const submit = el('button', { type: 'submit' }, 'Record override');
    const form = el('form', { id: 'override-form', className: 'stack', noValidate: true },
      el('div', { className: 'row' },
        el('div', { className: 'field' }, el('label', { for: 'ov-kind' }, 'Override'), kind), valueWrap),
      el('div', { className: 'field' }, el('label', { for: 'ov-reason' }, 'Reason (required)'), reason,
        el('div', { id: 'ov-reason-help', className: 'muted small' }, 'At least 10 characters. The reason is audited and shown on the case.')),
      el('div', null, submit), result);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(result);
      const why = reason.value.trim();
      if (why.length < 10) {
        append(result, problemBox(new ApiError({ title: 'A reason is required', detail: 'Explain the override in at least 10 characters.' })));
        reason.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = 'Recording…';
      const before = caseState && caseState.data ? caseState.data.case || {} : {};
      const beforeHolds = caseState && caseState.data ? holdNames(caseState.data) : [];
      try {
        const r = await api('POST', `/cases/${caseId}/overrides`,
          { body: { kind: kind.value, value: form.elements.value.value, reason: why } });
        refreshInbox();
        submit.textContent = 'Recorded; re-reading the case…';
        await loadCase(caseId, (d) => retriageNotice(r, before, beforeHolds, 'Override', d));
        const n = $('retriage');
        if (n) n.focus();
      } catch (e) {
        append(result, problemBox(e));
      } finally {
        submit.disabled = false;
        submit.textContent = 'Record override';
      }
    });
    return section('Supervisor override', 'override', form);
  }

  // ---- inbox: reminders for the signed-in user ----

  const INBOX_KINDS = {
    overdue: 'Overdue', due_soon: 'Due soon', no_contact: 'No contact',
    hold_lift: 'Hold lift to decide', counsel_request: 'Counsel request to decide',
  };

  // A reminder in plain words; the case is in its own column.
  function inboxText(it) {
    const d = Number(it.days) || 0;
    if (it.kind === 'overdue' && it.action) {
      return `${taskName(it.action)} was due ${txt(it.date)}: ${plural(d, 'day', 'days')} overdue`;
    }
    if (it.kind === 'due_soon' && it.action) {
      return `${taskName(it.action)} due ${txt(it.date)}` + (d === 0 ? ' (today)' : ` (in ${plural(d, 'day', 'days')})`);
    }
    const t = String(it.text || '').replace(/^C\d+: /, '') || human(it.kind);
    return t.charAt(0).toUpperCase() + t.slice(1);
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
    $('inbox-note').textContent = 'Loading…';
    const latest = begin('inbox');
    try {
      const r = await api('GET', '/inbox');
      if (!latest()) return;
      const items = (r && r.items) || [];
      const total = Number(r.total) || 0;
      setInboxCount(total);
      $('inbox-note').textContent = plural(total, 'reminder', 'reminders') +
        (items.length < total ? ` · the first ${fmtInt(items.length)} are listed` : '') +
        ` · due soon: within ${txt(r.due_soon_days)} days · no contact: none for ${txt(r.no_contact_days)} days`;
      for (const [k, label] of Object.entries(INBOX_KINDS)) {
        const n = r.counts ? Number(r.counts[k]) || 0 : 0;
        counts.appendChild(el('li', { 'data-kind': k }, `${label}: `, el('strong', null, fmtInt(n))));
      }
      for (const it of items) {
        let go;
        if (it.kind === 'hold_lift') go = el('a', { href: `#/case/${it.case_id}?see=hold-lifts` }, 'Decide the hold lift');
        else if (it.kind === 'counsel_request') go = el('a', { href: '#/counsel-requests' }, 'Decide the request');
        else go = caseLink(it.case_id, 'Open the case');
        const kindClass = it.kind === 'overdue' ? ' overdue' : it.kind === 'due_soon' ? ' soon' : '';
        tbody.appendChild(el('tr', { 'data-kind': it.kind, 'data-case': it.case_id },
          el('td', null, el('span', { className: 'tag' + kindClass }, INBOX_KINDS[it.kind] || human(it.kind))),
          el('td', null, it.case_id ? caseLink(it.case_id, `C${it.case_id}`) : '—'),
          el('td', null, inboxText(it)),
          el('td', { className: 'date' }, txt(it.date)),
          el('td', { className: 'num' }, txt(it.days)),
          el('td', null, go)));
      }
      if (!items.length) tbody.appendChild(el('tr', null, el('td', { colSpan: 6, className: 'muted' }, 'Nothing needs you now.')));
      labelCells($('inbox-table'));
    } catch (e) {
      if (!latest()) return;
      $('inbox-note').textContent = '';
      showProblem(e, 'Inbox');
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
    $('clients-note').textContent = 'Loading…';
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
          el('td', null, el('div', { className: 'who-cell' }, caseLink(c.case_id, c.name ? txt(c.name) : `Case C${c.case_id}`))),
          el('td', null, anumFmt(c.a_number)),
          el('td', { className: 'date' }, txt(c.next_hearing)),
          el('td', null, txt(c.court)),
          el('td', { className: 'date' }, txt(c.counsel_since)),
          el('td', null, groupTag(c.group)),
          el('td', null, txt(c.phase))));
      }
      if (!items.length) tbody.appendChild(el('tr', null, el('td', { colSpan: 7, className: 'muted' }, 'No client recorded yet.')));
      labelCells($('clients-table'));
      $('clients-note').textContent = `${plural(items.length, 'client', 'clients')} of ${txt(r.provider)}.`;
    } catch (e) {
      if (!latest()) return;
      $('clients-note').textContent = '';
      showProblem(e, 'My clients');
    }
  }

  // POST /counsel-requests: a provider asks to be recorded as counsel.
  function counselAskForm(anum, prefix) {
    const a = el('input', { id: `${prefix}-anum`, name: 'a_number', value: anum ? anumFmt(anum) : '', size: 14,
      required: true, autocomplete: 'off' });
    const reason = el('textarea', { id: `${prefix}-reason`, name: 'reason', rows: 2, maxLength: 2000, required: true,
      'aria-describedby': `${prefix}-help` });
    const result = el('div', { id: `${prefix}-result`, 'aria-live': 'polite' });
    const submit = el('button', { type: 'submit', className: 'primary' }, 'Ask to be recorded as counsel');
    const form = el('form', { id: `${prefix}-form`, className: 'stack', noValidate: true },
      el('div', { className: 'row' },
        el('div', { className: 'field' }, el('label', { for: `${prefix}-anum` }, 'A-number of the child'), a)),
      el('div', { className: 'field' }, el('label', { for: `${prefix}-reason` }, 'Why you are the child\'s counsel (required)'), reason,
        el('div', { id: `${prefix}-help`, className: 'muted small' }, 'For example: retained by the family on a date, G-28 filed. The reason is audited.')),
      el('div', null, submit), result);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(result);
      const digits = anumDigits(a.value);
      if (!digits) {
        append(result, problemBox(new ApiError({ title: 'Not an A-number', detail: 'Type the 9 digits, e.g. A012-345-678.' })));
        a.focus();
        return;
      }
      const why = reason.value.trim();
      if (!why) {
        append(result, problemBox(new ApiError({ title: 'A reason is required', detail: 'Say why you represent this child.' })));
        reason.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = 'Sending…';
      try {
        const r = await api('POST', '/counsel-requests', { body: { a_number: digits, reason: why } });
        reason.value = '';
        append(result, el('div', { className: 'notice ok', role: 'status', 'data-testid': 'counsel-asked' },
          `Request ${txt(r && r.id)} for ${anumFmt(digits)} sent: ${human(r && r.status)}. An analyst or supervisor ` +
          'confirms it; the child then appears under ', el('a', { href: '#/clients' }, 'My clients'), '.'));
        refreshInbox();
        if (!$('view-clients').hidden) loadMyRequests();
      } catch (e) {
        append(result, problemBox(e));
      } finally {
        submit.disabled = false;
        submit.textContent = 'Ask to be recorded as counsel';
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
        const b = el('button', { type: 'button', className: 'small', 'data-decision': 'withdraw' }, 'Withdraw');
        b.addEventListener('click', () => decideCounsel(k, 'withdraw', '', b, loadMyRequests));
        return b;
      };
      append(out, table(rows, [
        ['id', 'Request'], ['a_number', 'A-number'], ['requested_at', 'Asked'], ['reason', 'Reason'],
        ['status', 'Status', human],
        [(k) => (k.decided_by ? `${k.decided_by} ${txt(k.decided_at)}` : '—'), 'Decided'],
        ['note', 'Note'], ['id', 'Action', action],
      ], { caption: 'My counsel requests', empty: 'No request yet.',
        rowAttrs: (k) => ({ 'data-request': k.id, 'data-status': k.status }) }));
    } catch (e) {
      if (!latest()) return;
      append(out, problemBox(e));
    }
  }

  async function decideCounsel(k, decision, note, btn, reload) {
    const label = btn.textContent;
    btn.disabled = true;
    btn.textContent = 'Saving…';
    try {
      const body = { decision };
      if (note) body.note = note;
      const r = await api('POST', `/counsel-requests/${encodeURIComponent(String(k.id))}`, { body });
      say(`Counsel request ${k.id}: ${human(r && r.status ? r.status : decision)}.`);
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
    append(out, el('p', { className: 'muted' }, 'Loading…'));
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
          el('label', { for: nid, className: 'small' }, `Note for request ${k.id} (optional)`), note,
          el('span', { className: 'btns' }, mk('confirm', 'Confirm'), ' ', mk('reject', 'Reject')));
      };
      append(out, el('p', { className: 'muted', id: 'counsel-note' }, plural(rows.length, 'request', 'requests') +
        (status ? ` · ${human(status)}` : '')));
      append(out, table(rows, [
        ['id', 'Request'], ['case_id', 'Case', (v) => (v ? caseLink(v, `C${v}`) : '—')], ['a_number', 'A-number'],
        ['provider', 'Provider'],
        [(k) => `${k.requested_by} ${txt(k.requested_at)}`, 'Asked by'], ['reason', 'Reason'], ['status', 'Status', human],
        [(k) => (k.decided_by ? `${k.decided_by} ${txt(k.decided_at)}` : '—'), 'Decided'], ['note', 'Note'],
        ['id', 'Decision', action],
      ], { caption: 'Counsel requests', empty: status === 'pending' ? 'No request waits for a decision.' : 'No request.',
        rowAttrs: (k) => ({ 'data-request': k.id, 'data-status': k.status }) }));
    } catch (e) {
      if (!latest()) return;
      clear(out);
      showProblem(e, 'Counsel requests');
    }
  }

  function counselSubmit(ev) {
    ev.preventDefault();
    location.hash = '#/counsel-requests?status=' + encodeURIComponent($('cf-status').value);
  }

  // ---- audit log ----

  async function loadAudit(query) {
    const f = { actor: query.get('actor') || '', action: query.get('action') || '', target: query.get('target') || '' };
    $('af-actor').value = f.actor;
    $('af-action').value = f.action;
    $('af-target').value = f.target;
    const after = query.get('after') || '';
    const tbody = clear($('audit-table').tBodies[0]);
    try {
      const r = await api('GET', '/audit', { query: { ...f, after, limit: 100 } });
      const items = (r && r.items) || [];
      for (const a of items) {
        tbody.appendChild(el('tr', null,
          el('td', { className: 'num' }, txt(a.seq)), el('td', { className: 'date' }, txt(a.at)),
          el('td', null, txt(a.actor)), el('td', null, txt(a.role)), el('td', null, txt(a.action)),
          el('td', null, txt(a.target)), el('td', null, txt(a.purpose)), el('td', null, txt(a.outcome)),
          el('td', { className: 'small' }, txt(a.detail))));
      }
      if (!items.length) tbody.appendChild(el('tr', null, el('td', { colSpan: 9, className: 'muted' }, 'No entries.')));
      state.audit.next = r && r.next_after ? r.next_after : null;
      $('audit-next').disabled = !state.audit.next;
      $('audit-first').disabled = !after;
    } catch (e) {
      showProblem(e, 'Audit log');
    }
  }
  function auditSubmit(ev) {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of ['actor', 'action', 'target']) {
      const v = $('af-' + k).value.trim();
      if (v) q.set(k, v);
    }
    location.hash = '#/audit' + (q.toString() ? '?' + q : '');
  }
  function auditPage(first) {
    const { query } = parseHash();
    if (first) query.delete('after');
    else if (state.audit.next) query.set('after', state.audit.next);
    location.hash = '#/audit' + (query.toString() ? '?' + query : '');
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
    append(out, el('p', { className: 'muted' }, 'Loading…'));
    try {
      const r = await api('GET', '/reports/oversight', { query: reportQuery('json') });
      clear(out);
      append(out, renderReport(r));
    } catch (e) {
      clear(out);
      if (e.problem && e.problem.status === 404 && /no such path/.test(e.problem.detail || '')) {
        append(out, el('p', { className: 'notice' }, 'This server does not offer the oversight report over the API yet. Run `uctrack report oversight` on the server.'));
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

  async function reportHtml() {
    hideProblem();
    try {
      const res = await api('GET', '/reports/oversight', { query: reportQuery('html'), raw: true });
      const blob = await res.blob();
      const url = URL.createObjectURL(new Blob([blob], { type: 'text/html' }));
      const a = el('a', null);
      a.setAttribute('href', url);
      a.download = 'oversight-report.html';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      showProblem(e, 'Report');
    }
  }

  // Who may read which report (mirrors src/auth; the server enforces it):
  // the oversight report is aggregates (auditors: suppressed form); the
  // failure-to-appear list is personal data.
  const OVERSIGHT_ROLES = { admin: true, auditor: true };
  const FTA_ROLES = { admin: true, supervisor: true, analyst: true };

  async function loadFta() {
    const out = clear($('fta-body'));
    append(out, el('p', { className: 'muted' }, 'Loading…'));
    const q = { format: 'json' };
    if ($('rf-asof').value) q.as_of = $('rf-asof').value;
    try {
      const r = await api('GET', '/reports/fta', { pii: true, query: q });
      clear(out);
      const rows = (r && r.children) || [];
      append(out, el('p', { className: 'muted' }, `${rows.length} child${rows.length === 1 ? '' : 'ren'} as of ${txt(r && r.as_of)}.`));
      append(out, table(rows, [
        ['a_number', 'A-number', (v) => (v && !isMasked(v)
          ? el('a', { href: '#/search?q=' + encodeURIComponent(v) }, anumFmt(v)) : txt(v))],
        [(x) => [x.family_name, x.given_name].filter((n) => n).join(', '), 'Name'],
        ['birth_date', 'Birth date'], ['missed_hearing_date', 'Missed hearing'], ['court', 'Court'],
        ['order_status', 'Order', human], ['order_date', 'Order date'],
        [(x) => [x.release_city, x.release_state].filter((n) => n).join(', '), 'Release city'],
        ['address_status', 'Address', human], ['last_contact_date', 'Last contact'],
        ['last_contact_result', 'Result', human],
      ], { caption: 'Failure-to-appear list', empty: 'No child missed a hearing.' }));
    } catch (e) {
      clear(out);
      append(out, problemBox(e));
    }
  }

  function fmtMetric(v, key) {
    if (v === null || v === undefined) return 'suppressed';
    if (typeof v === 'number' && key && key.startsWith('appearance_rate')) return (v * 100).toFixed(1) + '%';
    return String(v);
  }

  function renderReport(r) {
    if (!r || !Array.isArray(r.metrics) || !Array.isArray(r.rows)) {
      return el('pre', { className: 'small' }, JSON.stringify(r, null, 2));
    }
    const meta = el('p', { className: 'muted' },
      `As of ${txt(r.as_of)} · data known at ${txt(r.known_at)} · by ${human(r.by)} · ` +
      (r.public ? 'publishable: small counts suppressed' : 'internal: not for publication'));
    const t = el('table', { className: 'grid report', id: 'report-table' });
    t.appendChild(el('caption', null, 'Oversight report'));
    t.appendChild(el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'Metric'),
      r.rows.map((row) => el('th', { scope: 'col' }, human(row.group))))));
    const tb = el('tbody');
    for (const m of r.metrics) {
      const label = String(m.label || m.key);
      const indent = /^\s+/.test(label);
      tb.appendChild(el('tr', null,
        el('th', { scope: 'row', className: indent ? 'indent' : '' }, label.trim()),
        r.rows.map((row) => {
          const v = row.values ? row.values[m.key] : undefined;
          const sup = (row.suppressed || []).includes(m.key);
          return el('td', { className: 'num' + (sup || v === null ? ' suppressed' : '') }, sup ? 'suppressed' : fmtMetric(v, m.key));
        })));
    }
    t.appendChild(tb);
    return el('div', null, meta, el('div', { className: 'table-wrap' }, t));
  }

  // ---- start ----

  async function start() {
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
    $('report-form').addEventListener('submit', reportSubmit);
    $('report-html').addEventListener('click', reportHtml);
    $('fta-show').addEventListener('click', loadFta);
    window.addEventListener('hashchange', route);
    // A page reload keeps the cookie; ask the server who we are (and for
    // the CSRF token) instead of storing anything in the browser.
    if (await restoreSession()) {
      loadPurpose();
      renderChrome();
      refreshInbox();
    }
    document.body.setAttribute('data-ready', '1');
    route();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
