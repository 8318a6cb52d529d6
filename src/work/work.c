/*
 * work.c - assignment, the queue of children, task outcomes, the inbox,
 * counsel requests and a provider's clients (see work.h, docs/work.md).
 */
#include "work/work.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "report/format.h"
#include "triage/facts.h"
#include "triage/triage.h"

/* ---------------------------------------------------------------- helpers */

static void copy_col(char *dst, size_t n, struct store_stmt *q, int i)
{
	const char *s = store_col_text(q, i);

	snprintf(dst, n, "%s", s ? s : "");
}

/* The result of one store_step(): a row or done is fine. */
static int done(int rc)
{
	return rc < 0 ? -rc : UC_OK;
}

/* The result of a loop of steps that breaks on a callback's error: rc is
 * STORE_DONE, a step's error (< 0) or the callback's code. */
static int loop_rc(int rc)
{
	return rc < 0 ? -rc : rc;
}

static int text_check(const char *what, const char *s, int required, struct uc_err *err)
{
	if (required && (!s || !*s))
		return uc_error(err, UC_EINPUT, "%s: required (say why, in words)", what);
	if (s && strlen(s) > WORK_TEXT_MAX)
		return uc_error(err, UC_EINPUT, "%s: %zu bytes, at most %d", what, strlen(s),
				WORK_TEXT_MAX);
	return UC_OK;
}

/* The text column that sql (one parameter: id) reads, into out[cap] (""
 * when there is no row or it is NULL). */
static int text_by_id(struct store *st, const char *sql, int64_t id, char *out, size_t cap,
		      struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st, sql, &q, err);

	out[0] = '\0';
	if (rc)
		return rc;
	store_bind_int(q, 1, id);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		copy_col(out, cap, q, 0);
	store_finalize(q);
	return done(rc);
}

/* The field office of case id into out ("" when it has none or is gone). */
static int case_office(struct store *st, int64_t id, char out[AUTH_SCOPE_MAX + 1],
		       struct uc_err *err)
{
	return text_by_id(st, "SELECT office FROM tcase WHERE id = ?", id, out, AUTH_SCOPE_MAX + 1,
			  err);
}

/* ------------------------------------------------------------------ queue */

/* The columns of a queue row (work_row order). */
#define QUEUE_COLS                                                                                 \
	"c.id, coalesce(c.a_number, (SELECT p.a_number FROM person p"                              \
	" WHERE p.id = c.person_id)) AS anum, c.office, c.grp, c.phase, c.score, c.prio,"          \
	" c.next_action, c.next_due, c.n_open, c.n_held, c.hold_names,"                            \
	" (SELECT a.assignee FROM assignment a WHERE a.case_id = c.id)"

/* The due-date key of the indexes tcase_work_due(_all): a case with no
 * open task sorts after every date. */
#define DUE_KEY "coalesce(c.next_due, '9999-12-31')"

/* The WHERE clause of f (the same for the page and the count) and its
 * bindings, in order. */
static void queue_where(const struct work_filter *f, struct buf *sql)
{
	buf_adds(sql, " FROM tcase c WHERE c.queued = 1");
	if (f->office)
		buf_adds(sql, " AND c.office = ?");
	if (f->assignee && *f->assignee)
		buf_adds(sql, " AND c.id IN (SELECT case_id FROM assignment WHERE assignee = ?)");
	else if (f->assignee)
		buf_adds(sql,
			 " AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.case_id = c.id)");
	if (f->group && strcmp(f->group, "none") == 0)
		buf_adds(sql, " AND c.grp IS NULL");
	else if (f->group)
		buf_adds(sql, " AND c.grp = ?");
	if (f->phase)
		buf_adds(sql, " AND c.phase = ?");
	/* coalesce(...) as the due-date indexes hold it (no open task: last) */
	if (f->overdue)
		buf_adds(sql, " AND " DUE_KEY " < ?");
	if (f->due_soon)
		buf_adds(sql, " AND " DUE_KEY " >= ? AND " DUE_KEY " <= ?");
	if (f->hold == 1)
		buf_adds(sql, " AND c.holds <> 0");
	else if (f->hold == 0)
		buf_adds(sql, " AND c.holds = 0");
}

static int queue_bind(const struct work_filter *f, struct store_stmt *q)
{
	int k = 0;
	char d[11];

	if (f->office)
		store_bind_text(q, ++k, f->office, -1);
	if (f->assignee && *f->assignee)
		store_bind_text(q, ++k, f->assignee, -1);
	if (f->group && strcmp(f->group, "none") != 0)
		store_bind_text(q, ++k, f->group, -1);
	if (f->phase)
		store_bind_int(q, ++k, f->phase);
	if (f->overdue) {
		date_format(f->today, d);
		store_bind_text(q, ++k, d, -1);
	}
	if (f->due_soon) {
		date_format(f->today, d);
		store_bind_text(q, ++k, d, -1);
		date_format(f->today + f->due_soon_days, d);
		store_bind_text(q, ++k, d, -1);
	}
	return k;
}

/* "FAMILY, GIVEN" of A-number a, from its latest CBP encounter. */
static int row_name(struct store_stmt *nq, const char *a, char *out, size_t n, struct uc_err *err)
{
	int rc;

	*out = '\0';
	if (!*a)
		return UC_OK;
	store_bind_text(nq, 1, a, -1);
	rc = store_step(nq, err);
	if (rc == STORE_ROW)
		copy_col(out, n, nq, 0);
	store_reset(nq);
	return done(rc);
}

int work_queue(struct store *st, const struct work_filter *f, work_row_fn fn, void *arg,
	       int64_t *total, struct uc_err *err)
{
	struct store_stmt *q = NULL, *nq = NULL;
	struct buf sql;
	char today[11], soon[11];
	int rc, k;

	if (f->limit < 1 || f->limit > WORK_PAGE_MAX)
		return uc_error(err, UC_EINPUT, "limit: %d is outside 1..%d", f->limit,
				WORK_PAGE_MAX);
	if (f->offset < 0 || f->offset > WORK_OFFSET_MAX)
		return uc_error(err, UC_EINPUT, "offset: %d is outside 0..%d; narrow the filter",
				f->offset, WORK_OFFSET_MAX);
	if (f->phase < 0 || f->phase > 4)
		return uc_error(err, UC_EINPUT, "phase: %d is outside 1..4", f->phase);
	date_format(f->today, today);
	date_format(f->today + f->due_soon_days, soon);
	buf_init(&sql, 1024);
	if (total) {
		buf_adds(&sql, "SELECT count(*) FROM (SELECT 1");
		queue_where(f, &sql);
		buf_adds(&sql, " LIMIT ?)");
		rc = buf_failed(&sql) ? uc_error(err, UC_ENOMEM, "query too long")
				      : store_prepare(st, sql.ptr, &q, err);
		if (rc)
			goto out;
		k = queue_bind(f, q);
		store_bind_int(q, k + 1, f->count_max > 0 ? f->count_max : WORK_COUNT_MAX);
		rc = store_step(q, err);
		*total = rc == STORE_ROW ? store_col_int(q, 0) : 0;
		store_finalize(q);
		q = NULL;
		rc = done(rc);
		if (rc)
			goto out;
		buf_reset(&sql);
	}
	buf_adds(&sql, "SELECT " QUEUE_COLS);
	queue_where(f, &sql);
	if (f->sort == WORK_SORT_DUE)
		buf_adds(&sql, " ORDER BY " DUE_KEY ", c.prio DESC, c.id DESC");
	else
		buf_adds(&sql, " ORDER BY c.prio DESC, c.id DESC");
	buf_adds(&sql, " LIMIT ? OFFSET ?");
	rc = buf_failed(&sql) ? uc_error(err, UC_ENOMEM, "query too long")
			      : store_prepare(st, sql.ptr, &q, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "SELECT e.family_name || ', ' || e.given_name FROM cbp_encounter e"
		    " WHERE e.a_number = ? ORDER BY e.rid DESC LIMIT 1",
		    &nq, err);
	if (rc)
		goto out;
	k = queue_bind(f, q);
	store_bind_int(q, ++k, f->limit);
	store_bind_int(q, ++k, f->offset);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct work_row r;

		memset(&r, 0, sizeof(r));
		r.case_id = store_col_int(q, 0);
		copy_col(r.a_number, sizeof(r.a_number), q, 1);
		copy_col(r.office, sizeof(r.office), q, 2);
		copy_col(r.group, sizeof(r.group), q, 3);
		r.phase = (int)store_col_int(q, 4);
		r.score = (int32_t)store_col_int(q, 5);
		r.prio = store_col_int(q, 6);
		copy_col(r.next_action, sizeof(r.next_action), q, 7);
		copy_col(r.next_due, sizeof(r.next_due), q, 8);
		r.n_open = (int)store_col_int(q, 9);
		r.n_held = (int)store_col_int(q, 10);
		copy_col(r.holds, sizeof(r.holds), q, 11);
		copy_col(r.assignee, sizeof(r.assignee), q, 12);
		r.overdue = r.next_due[0] && strcmp(r.next_due, today) < 0;
		r.due_soon = r.next_due[0] && !r.overdue && strcmp(r.next_due, soon) <= 0;
		rc = row_name(nq, r.a_number, r.name, sizeof(r.name), err);
		if (!rc)
			rc = fn(arg, &r, err);
		if (rc)
			goto out;
	}
	rc = done(rc);
out:
	store_finalize(q);
	store_finalize(nq);
	buf_release(&sql);
	return rc;
}

void work_row_csv(struct buf *b, const struct work_row *w)
{
	buf_addf(b, "%lld,", (long long)w->case_id);
	fmt_csv_cell(b, w->a_number);
	buf_addc(b, ',');
	fmt_csv_cell(b, w->name);
	buf_addc(b, ',');
	fmt_csv_cell(b, w->office);
	buf_addc(b, ',');
	fmt_csv_cell(b, w->group);
	buf_addf(b, ",%d,%d,%lld,%s,%s,%d,%d,%s,%s,", w->phase, w->score, (long long)w->prio,
		 w->next_action, w->next_due, w->n_open, w->n_held, w->overdue ? "yes" : "no",
		 w->due_soon ? "yes" : "no");
	fmt_csv_cell(b, w->holds);
	buf_addc(b, ',');
	fmt_csv_cell(b, w->assignee);
	buf_adds(b, "\r\n");
}

/* ------------------------------------------------------------- assignment */

/* May `who` (an officer or supervisor) work a case of office `office`? */
static int may_work(const struct auth_user *who, const char *office)
{
	if (who->disabled)
		return 0;
	if (who->role != AUTH_ROLE_OFFICER && who->role != AUTH_ROLE_SUPERVISOR)
		return 0;
	return auth_case_in_scope(who, office && *office ? office : NULL, NULL, 0);
}

int work_assign(struct store *st, const struct auth_user *by, const int64_t *case_ids, size_t n,
		const char *assignee, const char *note, struct work_assign_result *res,
		struct uc_err *err)
{
	struct store_stmt *get = NULL, *put = NULL, *del = NULL, *log = NULL;
	struct auth_user to;
	char now[21];
	int rc;

	memset(res, 0, sizeof(*res));
	if (by->role != AUTH_ROLE_SUPERVISOR && by->role != AUTH_ROLE_ADMIN)
		return uc_error(err, UC_EDENIED,
				"role %s may not assign cases (supervisors and "
				"admins do)",
				auth_role_name(by->role));
	if (n == 0)
		return uc_error(err, UC_EINPUT, "case_ids: give at least one case");
	if (n > WORK_ASSIGN_MAX)
		return uc_error(err, UC_EINPUT, "case_ids: %zu cases, at most %d in one request", n,
				WORK_ASSIGN_MAX);
	rc = text_check("note", note, 0, err);
	if (rc)
		return rc;
	memset(&to, 0, sizeof(to));
	if (assignee) {
		rc = auth_user_get(st, assignee, &to, err);
		if (rc == UC_ENOTFOUND)
			return uc_error(err, UC_EINPUT, "assignee: no user '%.64s'", assignee);
		if (rc)
			return rc;
		if (to.disabled)
			return uc_error(err, UC_EINPUT, "assignee: user '%.64s' is disabled",
					assignee);
		if (to.role != AUTH_ROLE_OFFICER && to.role != AUTH_ROLE_SUPERVISOR)
			return uc_error(err, UC_EINPUT,
					"assignee: '%.64s' is %s; cases go to officers and "
					"supervisors",
					assignee, auth_role_name(to.role));
	}
	date_now_iso(now);
	rc = store_savepoint(st, "work_assign", err);
	if (rc)
		return rc;
	rc = store_prepare(
	    st,
	    "SELECT c.office, (SELECT assignee FROM assignment a WHERE a.case_id = c.id)"
	    " FROM tcase c WHERE c.id = ? AND c.active = 1",
	    &get, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "INSERT INTO assignment(case_id, assignee, assigned_by, assigned_at)"
		    " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(case_id) DO UPDATE SET"
		    " assignee = excluded.assignee, assigned_by = excluded.assigned_by,"
		    " assigned_at = excluded.assigned_at",
		    &put, err);
	if (!rc)
		rc = store_prepare(st, "DELETE FROM assignment WHERE case_id = ?", &del, err);
	if (!rc)
		rc =
		    store_prepare(st,
				  "INSERT INTO assignment_log(case_id, assignee, by_user, at, note)"
				  " VALUES(?, ?, ?, ?, ?)",
				  &log, err);
	for (size_t i = 0; !rc && i < n; i++) {
		char office[AUTH_SCOPE_MAX + 1], cur[AUTH_NAME_MAX + 1];
		int64_t id = case_ids[i];

		store_bind_int(get, 1, id);
		rc = store_step(get, err);
		if (rc == STORE_ROW) {
			copy_col(office, sizeof(office), get, 0);
			copy_col(cur, sizeof(cur), get, 1);
		}
		store_reset(get);
		if (rc == STORE_DONE) {
			rc = uc_error(err, UC_ENOTFOUND,
				      "case %lld: no such active case; nothing "
				      "was assigned",
				      (long long)id);
			break;
		}
		if ((rc = done(rc)))
			break;
		if (!auth_office_allowed(by, office)) {
			rc = uc_error(err, UC_EDENIED,
				      "case %lld is in office %s; you assign cases of office %s "
				      "only; nothing was assigned",
				      (long long)id, office[0] ? office : "(none)", by->office);
			break;
		}
		if (assignee && !may_work(&to, office)) {
			rc = uc_error(
			    err, UC_EDENIED,
			    "case %lld is in office %s, which %s (office %s) may not read; "
			    "nothing was assigned",
			    (long long)id, office[0] ? office : "(none)", to.name,
			    to.office[0] ? to.office : "none");
			break;
		}
		if (assignee ? strcmp(cur, assignee) == 0 : !cur[0]) {
			res->unchanged++;
			continue;
		}
		if (assignee) {
			store_bind_int(put, 1, id);
			store_bind_text(put, 2, assignee, -1);
			store_bind_text(put, 3, by->name, -1);
			store_bind_text(put, 4, now, -1);
			rc = done(store_step(put, err));
			store_reset(put);
		} else {
			store_bind_int(del, 1, id);
			rc = done(store_step(del, err));
			store_reset(del);
		}
		if (rc)
			break;
		store_bind_int(log, 1, id);
		if (assignee)
			store_bind_text(log, 2, assignee, -1);
		else
			store_bind_null(log, 2);
		store_bind_text(log, 3, by->name, -1);
		store_bind_text(log, 4, now, -1);
		if (note && *note)
			store_bind_text(log, 5, note, -1);
		else
			store_bind_null(log, 5);
		rc = done(store_step(log, err));
		store_reset(log);
		res->assigned++;
	}
	store_finalize(get);
	store_finalize(put);
	store_finalize(del);
	store_finalize(log);
	if (rc) {
		store_rollback_to(st, "work_assign", NULL);
		store_release(st, "work_assign", NULL);
		memset(res, 0, sizeof(*res));
		return rc;
	}
	return store_release(st, "work_assign", err);
}

int work_assignee(struct store *st, int64_t case_id, char out[AUTH_NAME_MAX + 1],
		  struct uc_err *err)
{
	return text_by_id(st, "SELECT assignee FROM assignment WHERE case_id = ?", case_id, out,
			  AUTH_NAME_MAX + 1, err);
}

int work_history(struct store *st, int64_t case_id, work_hist_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(
	    st,
	    "SELECT * FROM ("
	    " SELECT 'assignment', '', CASE WHEN assignee IS NULL THEN 'unassigned'"
	    "  ELSE 'assigned' END, coalesce(assignee, ''), by_user, at, coalesce(note, ''), '',"
	    "  id FROM assignment_log WHERE case_id = ?1"
	    " UNION ALL SELECT 'task', action, how, '', coalesce(by_user, ''), at,"
	    "  coalesce(reason, ''), coalesce(event_id, ''), id FROM task_log WHERE case_id = ?1)"
	    " ORDER BY 6 DESC, 9 DESC LIMIT 200",
	    &q, err);

	if (rc)
		return rc;
	store_bind_int(q, 1, case_id);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct work_hist *h = calloc(1, sizeof(*h));

		if (!h) {
			rc = uc_error(err, UC_ENOMEM, "out of memory");
			break;
		}
		copy_col(h->kind, sizeof(h->kind), q, 0);
		copy_col(h->action, sizeof(h->action), q, 1);
		copy_col(h->how, sizeof(h->how), q, 2);
		copy_col(h->who, sizeof(h->who), q, 3);
		copy_col(h->by, sizeof(h->by), q, 4);
		copy_col(h->at, sizeof(h->at), q, 5);
		copy_col(h->reason, sizeof(h->reason), q, 6);
		copy_col(h->event_id, sizeof(h->event_id), q, 7);
		rc = fn(arg, h, err);
		free(h);
		if (rc)
			break;
	}
	store_finalize(q);
	return loop_rc(rc);
}

/* ------------------------------------------------------------------ tasks */

int work_task_get(struct store *st, int64_t case_id, const char *action, struct work_task *out,
		  struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st,
			       "SELECT action, status, coalesce(held_by, ''), due FROM task"
			       " WHERE case_id = ? AND action = ?",
			       &q, err);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	store_bind_int(q, 1, case_id);
	store_bind_text(q, 2, action, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		copy_col(out->action, sizeof(out->action), q, 0);
		copy_col(out->status, sizeof(out->status), q, 1);
		copy_col(out->held_by, sizeof(out->held_by), q, 2);
		copy_col(out->due, sizeof(out->due), q, 3);
	}
	store_finalize(q);
	if (rc == STORE_DONE)
		return uc_error(err, UC_ENOTFOUND,
				"case %lld has no '%.24s' task now (it may have been completed "
				"or closed: see the case's task history)",
				(long long)case_id, action);
	return done(rc);
}

int work_tasks(struct store *st, int64_t case_id, work_task_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st,
			       "SELECT action, status, coalesce(held_by, ''), due FROM task"
			       " WHERE case_id = ? ORDER BY status = 'held', due, action",
			       &q, err);

	if (rc)
		return rc;
	store_bind_int(q, 1, case_id);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct work_task t;

		memset(&t, 0, sizeof(t));
		copy_col(t.action, sizeof(t.action), q, 0);
		copy_col(t.status, sizeof(t.status), q, 1);
		copy_col(t.held_by, sizeof(t.held_by), q, 2);
		copy_col(t.due, sizeof(t.due), q, 3);
		rc = fn(arg, &t, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return loop_rc(rc);
}

int work_outcome_type(const char *action, const char *outcome, const char **type,
		      struct uc_err *err)
{
	int is_done, a = -1;

	for (int k = 0; k < ACTION_COUNT; k++)
		if (action && strcmp(action, facts_action_name(k)) == 0)
			a = k;
	if (a < 0)
		return uc_error(err, UC_EINPUT, "action: unknown task '%.24s'",
				action ? action : "");
	if (!outcome || (strcmp(outcome, "done") && strcmp(outcome, "not_possible")))
		return uc_error(err, UC_EINPUT, "outcome: 'done' or 'not_possible', not '%.24s'",
				outcome ? outcome : "");
	is_done = strcmp(outcome, "done") == 0;
	switch (a) {
	case A_CONTACT:
		*type = "contact_attempt";
		break;
	case A_WELFARE_CHECK:
		*type = "welfare_check";
		break;
	case A_LOCATE:
		*type = is_done ? "address_update" : "task_outcome";
		break;
	case A_LEGAL_REFERRAL:
	case A_REFER_HSI:
	case A_REFER_HHS:
	case A_REFER_CPS:
		*type = is_done ? "referral" : "task_outcome";
		break;
	default:
		*type = "task_outcome";
	}
	return UC_OK;
}

int work_log_outcome(struct store *st, int64_t case_id, const char *action, const char *outcome,
		     const char *reason, const char *event_id, const char *by, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char now[21];
	int rc = text_check("reason", reason, strcmp(outcome, "not_possible") == 0, err);

	if (!rc)
		rc = store_prepare(
		    st,
		    "INSERT INTO task_log(case_id, action, how, reason, event_id, by_user,"
		    " at) VALUES(?, ?, ?, ?, ?, ?, ?)",
		    &q, err);
	if (rc)
		return rc;
	date_now_iso(now);
	store_bind_int(q, 1, case_id);
	store_bind_text(q, 2, action, -1);
	store_bind_text(q, 3, outcome, -1);
	if (reason && *reason)
		store_bind_text(q, 4, reason, -1);
	else
		store_bind_null(q, 4);
	if (event_id)
		store_bind_text(q, 5, event_id, -1);
	else
		store_bind_null(q, 5);
	store_bind_text(q, 6, by, -1);
	store_bind_text(q, 7, now, -1);
	rc = done(store_step(q, err));
	store_finalize(q);
	return rc;
}

#define COUNSEL_COLS                                                                               \
	"id, case_id, provider, requested_by, requested_at, reason, status,"                       \
	" coalesce(decided_by, ''), coalesce(decided_at, ''), coalesce(note, ''),"                 \
	" coalesce(event_id, ''), a_number"

static void counsel_row(struct store_stmt *q, struct work_counsel *c)
{
	memset(c, 0, sizeof(*c));
	c->id = store_col_int(q, 0);
	c->case_id = store_col_int(q, 1);
	copy_col(c->provider, sizeof(c->provider), q, 2);
	copy_col(c->requested_by, sizeof(c->requested_by), q, 3);
	copy_col(c->requested_at, sizeof(c->requested_at), q, 4);
	copy_col(c->reason, sizeof(c->reason), q, 5);
	copy_col(c->status, sizeof(c->status), q, 6);
	copy_col(c->decided_by, sizeof(c->decided_by), q, 7);
	copy_col(c->decided_at, sizeof(c->decided_at), q, 8);
	copy_col(c->note, sizeof(c->note), q, 9);
	copy_col(c->event_id, sizeof(c->event_id), q, 10);
	copy_col(c->a_number, sizeof(c->a_number), q, 11);
}

/* ------------------------------------------------------------------ inbox */

static const char *const inbox_names[WORK_IN_KINDS] = {
    "overdue", "due_soon", "no_contact", "hold_lift", "counsel_request",
};

const char *work_inbox_kind_name(enum work_inbox_kind k)
{
	return (int)k >= 0 && k < WORK_IN_KINDS ? inbox_names[k] : "?";
}

struct inbox_ctx {
	work_inbox_fn fn;
	void *arg;
	int64_t *counts;
	int limit;
};

static int inbox_emit(struct inbox_ctx *c, struct work_inbox_item *it, struct uc_err *err)
{
	if (c->counts[it->kind]++ >= c->limit)
		return UC_OK;
	return c->fn(c->arg, it, err);
}

/* Own open tasks due by today + due_soon_days (overdue first). */
static int inbox_tasks(struct store *st, const struct auth_user *u, const struct work_inbox_opts *o,
		       struct inbox_ctx *c, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char soon[11];
	int rc = store_prepare(st,
			       "SELECT t.case_id, t.action, t.due FROM assignment a"
			       " JOIN task t ON t.case_id = a.case_id"
			       " WHERE a.assignee = ? AND t.status = 'open' AND t.due <= ?"
			       " ORDER BY t.due, t.case_id, t.action",
			       &q, err);

	if (rc)
		return rc;
	date_format(o->today + o->due_soon_days, soon);
	store_bind_text(q, 1, u->name, -1);
	store_bind_text(q, 2, soon, -1);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct work_inbox_item it;
		int32_t due = 0;

		memset(&it, 0, sizeof(it));
		it.case_id = store_col_int(q, 0);
		copy_col(it.action, sizeof(it.action), q, 1);
		copy_col(it.date, sizeof(it.date), q, 2);
		if (date_parse(it.date, strlen(it.date), &due))
			continue;
		if (due < o->today) {
			it.kind = WORK_IN_OVERDUE;
			it.days = o->today - due;
			snprintf(it.text, sizeof(it.text),
				 "C%lld: %s was due %s (%d day%s overdue)", (long long)it.case_id,
				 it.action, it.date, it.days, it.days == 1 ? "" : "s");
		} else {
			it.kind = WORK_IN_DUE_SOON;
			it.days = due - o->today;
			snprintf(it.text, sizeof(it.text), "C%lld: %s due %s (in %d day%s)",
				 (long long)it.case_id, it.action, it.date, it.days,
				 it.days == 1 ? "" : "s");
		}
		rc = inbox_emit(c, &it, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return loop_rc(rc);
}

/* A case without contact since a day, as inbox_contact() collects them. */
struct silence {
	int64_t id;
	int32_t since; /* last successful contact, or release when never */
	int never;     /* never reached */
};

/* Longest silence first, then case id. */
static int cmp_silence(const void *a, const void *b)
{
	const struct silence *x = a, *y = b;

	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Own cases whose last successful contact (or release, when never
 * reached) is more than no_contact_days ago, longest silence first. */
static int inbox_contact(struct store *st, const struct auth_user *u,
			 const struct work_inbox_opts *o, struct inbox_ctx *c, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct silence *v = NULL;
	size_t nv = 0, cap = 0;
	int rc = store_prepare(st,
			       "SELECT a.case_id, f.facts FROM assignment a"
			       " JOIN tcase t ON t.id = a.case_id AND t.active = 1 AND t.phase < 4"
			       " JOIN case_fact f ON f.case_id = a.case_id WHERE a.assignee = ?",
			       &q, err);

	if (rc)
		return rc;
	store_bind_text(q, 1, u->name, -1);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct rules_facts f;
		int32_t since;
		int never = 0;

		rules_facts_init(&f, o->today);
		if (facts_unpack(store_col_blob(q, 1), (size_t)store_col_bytes(q, 1), &f))
			continue;
		if (!rules_fact_missing(&f, F_LAST_CONTACT)) {
			since = f.v[F_LAST_CONTACT];
		} else if (!rules_fact_missing(&f, F_RELEASE_DATE)) {
			since = f.v[F_RELEASE_DATE];
			never = 1;
		} else {
			continue;
		}
		if (o->today - since <= o->no_contact_days)
			continue;
		if (nv == cap) {
			void *p = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (!p) {
				rc = uc_error(err, UC_ENOMEM, "out of memory");
				break;
			}
			v = p;
		}
		v[nv].id = store_col_int(q, 0);
		v[nv].since = since;
		v[nv].never = never;
		nv++;
	}
	store_finalize(q);
	rc = loop_rc(rc);
	if (nv > 1)
		qsort(v, nv, sizeof(*v), cmp_silence);
	for (size_t i = 0; !rc && i < nv; i++) {
		struct work_inbox_item it;

		memset(&it, 0, sizeof(it));
		it.kind = WORK_IN_NO_CONTACT;
		it.case_id = v[i].id;
		it.days = o->today - v[i].since;
		date_format(v[i].since, it.date);
		snprintf(it.text, sizeof(it.text),
			 "C%lld: no successful contact for %d days (%s %s)", (long long)it.case_id,
			 it.days, v[i].never ? "never reached; released" : "last", it.date);
		rc = inbox_emit(c, &it, err);
	}
	free(v);
	return rc;
}

struct lift_ctx {
	const struct auth_user *u;
	struct store *st;
	struct inbox_ctx *c;
};

static int on_lift(void *arg, const struct triage_lift *l, struct uc_err *err)
{
	struct lift_ctx *lc = arg;
	struct work_inbox_item it;
	char office[AUTH_SCOPE_MAX + 1];
	int rc;

	if (strcmp(l->requested_by, lc->u->name) == 0)
		return UC_OK; /* a second person approves */
	rc = case_office(lc->st, l->case_id, office, err);
	if (rc)
		return rc;
	if (!auth_office_allowed(lc->u, office))
		return UC_OK;
	memset(&it, 0, sizeof(it));
	it.kind = WORK_IN_HOLD_LIFT;
	it.case_id = l->case_id;
	it.ref_id = l->id;
	snprintf(it.action, sizeof(it.action), "%.23s", l->hold);
	snprintf(it.date, sizeof(it.date), "%.10s", l->requested_at);
	snprintf(it.text, sizeof(it.text), "C%lld: %s asks to lift %s (request %lld)",
		 (long long)l->case_id, l->requested_by, l->hold, (long long)l->id);
	return inbox_emit(lc->c, &it, err);
}

static int on_counsel(void *arg, const struct work_counsel *k, struct uc_err *err)
{
	struct lift_ctx *lc = arg;
	struct work_inbox_item it;

	memset(&it, 0, sizeof(it));
	it.kind = WORK_IN_COUNSEL;
	it.case_id = k->case_id;
	it.ref_id = k->id;
	snprintf(it.date, sizeof(it.date), "%.10s", k->requested_at);
	snprintf(it.text, sizeof(it.text),
		 "C%lld: %s asks to be recorded as counsel (request %lld)", (long long)k->case_id,
		 k->provider, (long long)k->id);
	return inbox_emit(lc->c, &it, err);
}

int work_inbox(struct store *st, const struct auth_user *u, const struct work_inbox_opts *o,
	       work_inbox_fn fn, void *arg, int64_t counts[WORK_IN_KINDS], struct uc_err *err)
{
	int64_t local[WORK_IN_KINDS];
	struct inbox_ctx c = {fn, arg, counts ? counts : local, o->limit > 0 ? o->limit : 100};
	struct lift_ctx lc = {u, st, &c};
	int rc = UC_OK;

	memset(c.counts, 0, sizeof(int64_t) * WORK_IN_KINDS);
	if (u->role == AUTH_ROLE_OFFICER || u->role == AUTH_ROLE_SUPERVISOR) {
		rc = inbox_tasks(st, u, o, &c, err);
		if (!rc)
			rc = inbox_contact(st, u, o, &c, err);
	}
	if (!rc && (u->role == AUTH_ROLE_SUPERVISOR || u->role == AUTH_ROLE_ADMIN))
		rc = triage_lift_list(st, 0, 1, on_lift, &lc, err);
	if (!rc && (u->role == AUTH_ROLE_SUPERVISOR || u->role == AUTH_ROLE_ANALYST ||
		    u->role == AUTH_ROLE_ADMIN)) {
		struct work_counsel *k = malloc(sizeof(*k));
		struct store_stmt *q = NULL;

		/* supervisors: their office's requests; analysts, admins: all;
		 * oldest first */
		if (!k)
			return uc_error(err, UC_ENOMEM, "out of memory");
		rc = store_prepare(
		    st,
		    "SELECT " COUNSEL_COLS " FROM counsel_request WHERE status = 'pending'"
		    " AND (?1 IS NULL OR case_id IN (SELECT id FROM tcase WHERE office = ?1))"
		    " ORDER BY id LIMIT 1000",
		    &q, err);
		if (!rc && u->role == AUTH_ROLE_SUPERVISOR)
			store_bind_text(q, 1, u->office, -1);
		while (!rc && (rc = store_step(q, err)) == STORE_ROW) {
			counsel_row(q, k);
			rc = on_counsel(&lc, k, err);
		}
		rc = loop_rc(rc);
		free(k);
		store_finalize(q);
	}
	return rc;
}

/* ------------------------------------------------------- counsel requests */

int work_case_by_anumber(struct store *st, const char *a_number, int64_t *case_id,
			 struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	*case_id = 0;
	if (!a_number || strlen(a_number) != 9 || strspn(a_number, "0123456789") != 9)
		return uc_error(err, UC_EINPUT, "a_number: 9 digits, as on the child's papers");
	rc = store_prepare(st,
			   "SELECT id FROM tcase WHERE a_number = ?1 AND active = 1"
			   " UNION ALL SELECT c.id FROM person_anumber pa JOIN tcase c"
			   " ON c.person_id = pa.person_id WHERE pa.a_number = ?1 AND c.active = 1"
			   " LIMIT 1",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, a_number, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		*case_id = store_col_int(q, 0);
	store_finalize(q);
	if (rc == STORE_DONE)
		return uc_error(err, UC_ENOTFOUND,
				"no case has A-number %s; check the number, or ask the office "
				"that holds the child's file",
				a_number);
	return done(rc);
}

/* Is provider counsel of record of case_id now? */
static int is_counsel(struct store *st, int64_t case_id, const char *provider, int *yes,
		      struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(
	    st,
	    "SELECT r.status FROM representation r"
	    " WHERE r.provider = ?2 AND r.kind = 'counsel' AND r.a_number IN"
	    " (SELECT a_number FROM tcase WHERE id = ?1 UNION SELECT pa.a_number"
	    "  FROM person_anumber pa JOIN tcase c ON c.person_id = pa.person_id WHERE c.id = ?1)"
	    " ORDER BY r.on_date DESC, r.id DESC LIMIT 1",
	    &q, err);

	*yes = 0;
	if (rc)
		return rc;
	store_bind_int(q, 1, case_id);
	store_bind_text(q, 2, provider, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		*yes = strcmp(store_col_text(q, 0), "started") == 0;
	store_finalize(q);
	return done(rc);
}

int work_counsel_request(struct store *st, const struct auth_user *by, int64_t case_id,
			 const char *a_number, const char *reason, int64_t *id, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int64_t pending = 0;
	char now[21];
	int rc, yes = 0;

	*id = 0;
	if (by->role != AUTH_ROLE_LEGAL_PROVIDER || !by->provider[0])
		return uc_error(err, UC_EDENIED,
				"only legal provider users ask to be recorded as "
				"counsel");
	rc = text_check("reason", reason, 1, err);
	if (!rc)
		rc = is_counsel(st, case_id, by->provider, &yes, err);
	if (rc)
		return rc;
	if (yes)
		return uc_error(err, UC_ECONFLICT, "%s is already counsel of record of case %lld",
				by->provider, (long long)case_id);
	rc = store_prepare(st,
			   "SELECT id FROM counsel_request WHERE case_id = ? AND provider = ?"
			   " AND status = 'pending'",
			   &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, case_id);
	store_bind_text(q, 2, by->provider, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		pending = store_col_int(q, 0);
	store_finalize(q);
	q = NULL;
	if ((rc = done(rc)))
		return rc;
	if (pending)
		return uc_error(err, UC_ECONFLICT,
				"request %lld of %s for this child is already pending",
				(long long)pending, by->provider);
	date_now_iso(now);
	rc = store_prepare(
	    st,
	    "INSERT INTO counsel_request(case_id, provider, requested_by, requested_at,"
	    " reason, a_number) VALUES(?, ?, ?, ?, ?, ?) RETURNING id",
	    &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, case_id);
	store_bind_text(q, 2, by->provider, -1);
	store_bind_text(q, 3, by->name, -1);
	store_bind_text(q, 4, now, -1);
	store_bind_text(q, 5, reason, -1);
	store_bind_text(q, 6, a_number, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		*id = store_col_int(q, 0);
	store_finalize(q);
	return done(rc);
}

int work_counsel_get(struct store *st, int64_t id, struct work_counsel *out, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc =
	    store_prepare(st, "SELECT " COUNSEL_COLS " FROM counsel_request WHERE id = ?", &q, err);

	if (rc)
		return rc;
	store_bind_int(q, 1, id);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		counsel_row(q, out);
	store_finalize(q);
	if (rc == STORE_DONE)
		return uc_error(err, UC_ENOTFOUND, "no counsel request %lld", (long long)id);
	return done(rc);
}

int work_counsel_list(struct store *st, const char *status, const char *provider, int limit,
		      work_counsel_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct work_counsel *c;
	int rc;

	/* each filter its own statement, so each reads its index */
	if (!status && !provider)
		status = "pending";
	if (provider)
		rc =
		    store_prepare(st,
				  "SELECT " COUNSEL_COLS " FROM counsel_request WHERE provider = ?2"
				  " AND (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?3",
				  &q, err);
	else
		rc = store_prepare(st,
				   "SELECT " COUNSEL_COLS " FROM counsel_request WHERE status = ?1"
				   " ORDER BY id DESC LIMIT ?3",
				   &q, err);
	if (rc)
		return rc;
	c = malloc(sizeof(*c));
	if (!c) {
		store_finalize(q);
		return uc_error(err, UC_ENOMEM, "out of memory");
	}
	if (status)
		store_bind_text(q, 1, status, -1);
	if (provider)
		store_bind_text(q, 2, provider, -1);
	store_bind_int(q, 3, limit > 0 ? limit : 100);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		counsel_row(q, c);
		rc = fn(arg, c, err);
		if (rc)
			break;
	}
	free(c);
	store_finalize(q);
	return loop_rc(rc);
}

int work_counsel_decide(struct store *st, const struct auth_user *by, int64_t id,
			const char *decision, const char *note, const char *event_id,
			struct uc_err *err)
{
	struct work_counsel *c = malloc(sizeof(*c));
	struct store_stmt *q = NULL;
	const char *status;
	char now[21];
	int rc;

	if (!c)
		return uc_error(err, UC_ENOMEM, "out of memory");
	rc = text_check("note", note, 0, err);
	if (!rc)
		rc = work_counsel_get(st, id, c, err);
	if (rc)
		goto out;
	if (strcmp(c->status, "pending") != 0) {
		rc = uc_error(err, UC_ECONFLICT, "counsel request %lld is %s, not pending",
			      (long long)id, c->status);
		goto out;
	}
	if (decision && strcmp(decision, "withdraw") == 0) {
		if (by->role != AUTH_ROLE_LEGAL_PROVIDER || strcmp(by->provider, c->provider)) {
			rc = uc_error(err, UC_EDENIED, "only %s withdraws its own request",
				      c->provider);
			goto out;
		}
		status = "withdrawn";
	} else if (decision && (!strcmp(decision, "confirm") || !strcmp(decision, "reject"))) {
		if (by->role == AUTH_ROLE_SUPERVISOR) {
			char office[AUTH_SCOPE_MAX + 1];

			rc = case_office(st, c->case_id, office, err);
			if (rc)
				goto out;
			if (!auth_office_allowed(by, office)) {
				rc = uc_error(err, UC_EDENIED,
					      "case %lld is in office %s, not yours",
					      (long long)c->case_id, office);
				goto out;
			}
		} else if (by->role != AUTH_ROLE_ANALYST && by->role != AUTH_ROLE_ADMIN) {
			rc = uc_error(err, UC_EDENIED,
				      "role %s may not decide counsel requests (analysts, "
				      "supervisors and admins do)",
				      auth_role_name(by->role));
			goto out;
		}
		status = decision[0] == 'c' ? "confirmed" : "rejected";
	} else {
		rc = uc_error(err, UC_EINPUT, "decision: 'confirm', 'reject' or 'withdraw'");
		goto out;
	}
	date_now_iso(now);
	rc = store_prepare(
	    st,
	    "UPDATE counsel_request SET status = ?2, decided_by = ?3, decided_at = ?4,"
	    " note = ?5, event_id = ?6 WHERE id = ?1 AND status = 'pending'",
	    &q, err);
	if (rc)
		goto out;
	store_bind_int(q, 1, id);
	store_bind_text(q, 2, status, -1);
	store_bind_text(q, 3, by->name, -1);
	store_bind_text(q, 4, now, -1);
	if (note && *note)
		store_bind_text(q, 5, note, -1);
	else
		store_bind_null(q, 5);
	if (event_id)
		store_bind_text(q, 6, event_id, -1);
	else
		store_bind_null(q, 6);
	rc = done(store_step(q, err));
	store_finalize(q);
out:
	free(c);
	return rc;
}

/* ---------------------------------------------------------------- clients */

/* Next hearing first (those without one last), then case id. */
static int cmp_client(const void *a, const void *b)
{
	const struct work_client *x = a, *y = b;
	int c;

	if (!x->next_hearing[0] != !y->next_hearing[0])
		return x->next_hearing[0] ? -1 : 1;
	c = strcmp(x->next_hearing, y->next_hearing);
	if (c)
		return c;
	return (x->case_id > y->case_id) - (x->case_id < y->case_id);
}

int work_clients(struct store *st, const char *provider, int32_t today, int limit,
		 work_client_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL, *nq = NULL, *hq = NULL;
	struct work_client *v = NULL;
	size_t nv = 0, cap = 0;
	char td[11];
	int rc;

	/* the latest counsel row per A-number of this provider says started */
	rc = store_prepare(
	    st,
	    "SELECT c.id, r.a_number, r.on_date, coalesce(c.grp, ''), c.phase, f.facts"
	    " FROM representation r"
	    " JOIN tcase c ON c.id = coalesce((SELECT t.id FROM tcase t WHERE"
	    "   t.a_number = r.a_number AND t.active = 1), (SELECT t.id FROM person_anumber pa"
	    "   JOIN tcase t ON t.person_id = pa.person_id WHERE pa.a_number = r.a_number"
	    "   AND t.active = 1))"
	    " LEFT JOIN case_fact f ON f.case_id = c.id"
	    " WHERE r.provider = ?1 AND r.kind = 'counsel' AND r.status = 'started'"
	    " AND NOT EXISTS (SELECT 1 FROM representation e WHERE e.provider = ?1"
	    "   AND e.kind = 'counsel' AND e.a_number = r.a_number AND e.id <> r.id"
	    "   AND (e.on_date > r.on_date OR (e.on_date = r.on_date AND e.id > r.id)))"
	    " LIMIT 5000",
	    &q, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "SELECT e.family_name || ', ' || e.given_name FROM cbp_encounter e"
		    " WHERE e.a_number = ? ORDER BY e.rid DESC LIMIT 1",
		    &nq, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "SELECT h.hearing_loc_code FROM eoir_case k JOIN eoir_hearing h"
		    " ON h.idncase = k.idncase WHERE k.a_number = ? AND h.adj_date = ?"
		    " LIMIT 1",
		    &hq, err);
	if (rc)
		goto out;
	date_format(today, td);
	store_bind_text(q, 1, provider, -1);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct work_client *c;
		struct rules_facts f;

		if (nv == cap) {
			void *p = realloc(v, (cap = cap ? 2 * cap : 32) * sizeof(*v));

			if (!p) {
				rc = uc_error(err, UC_ENOMEM, "out of memory");
				goto out;
			}
			v = p;
		}
		c = &v[nv];
		memset(c, 0, sizeof(*c));
		c->case_id = store_col_int(q, 0);
		copy_col(c->a_number, sizeof(c->a_number), q, 1);
		copy_col(c->since, sizeof(c->since), q, 2);
		copy_col(c->group, sizeof(c->group), q, 3);
		c->phase = (int)store_col_int(q, 4);
		rules_facts_init(&f, today);
		if (!store_col_is_null(q, 5) &&
		    !facts_unpack(store_col_blob(q, 5), (size_t)store_col_bytes(q, 5), &f) &&
		    !rules_fact_missing(&f, F_NEXT_HEARING) && f.v[F_NEXT_HEARING] >= today)
			date_format(f.v[F_NEXT_HEARING], c->next_hearing);
		nv++;
	}
	if ((rc = done(rc)))
		goto out;
	if (nv > 1)
		qsort(v, nv, sizeof(*v), cmp_client);
	/* one row per case: a child with two A-numbers has two rows, which
	 * the sort made neighbours (same case, same facts) */
	{
		size_t n = 0;

		for (size_t i = 0; i < nv; i++)
			if (!n || v[n - 1].case_id != v[i].case_id)
				v[n++] = v[i];
		nv = n;
	}
	for (size_t i = 0; i < nv && (int)i < (limit > 0 ? limit : 500); i++) {
		struct work_client *c = &v[i];

		rc = row_name(nq, c->a_number, c->name, sizeof(c->name), err);
		if (!rc && c->next_hearing[0]) {
			store_bind_text(hq, 1, c->a_number, -1);
			store_bind_text(hq, 2, c->next_hearing, -1);
			rc = store_step(hq, err);
			if (rc == STORE_ROW)
				copy_col(c->court, sizeof(c->court), hq, 0);
			store_reset(hq);
			rc = done(rc);
		}
		if (!rc)
			rc = fn(arg, c, err);
		if (rc)
			break;
	}
out:
	free(v);
	store_finalize(q);
	store_finalize(nq);
	store_finalize(hq);
	return rc;
}
