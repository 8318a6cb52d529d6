/*
 * queue.c - the prioritised work list (queue.h).
 */
#include "triage/queue.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* The WHERE clause of f: only the filters given, each value a plain `?`
 * bound by bind() in the same order. */
static void where(struct buf *b, const struct queue_filter *f)
{
	buf_adds(b, " WHERE 1 = 1");
	if (!f->include_held)
		buf_adds(b, " AND t.status = 'open'");
	if (f->office)
		buf_adds(b, " AND t.office = ?");
	if (f->group && strcmp(f->group, "none") == 0)
		buf_adds(b, " AND t.grp IS NULL");
	else if (f->group)
		buf_adds(b, " AND t.grp = ?");
	if (f->phase)
		buf_adds(b, " AND t.phase = ?");
	if (f->action)
		buf_adds(b, " AND t.action = ?");
}

/* Bind where()'s values; returns the number of parameters bound. */
static int bind(struct store_stmt *q, const struct queue_filter *f)
{
	int k = 0;

	if (f->office)
		store_bind_text(q, ++k, f->office, -1);
	if (f->group && strcmp(f->group, "none") != 0)
		store_bind_text(q, ++k, f->group, -1);
	if (f->phase)
		store_bind_int(q, ++k, f->phase);
	if (f->action)
		store_bind_text(q, ++k, f->action, -1);
	return k;
}

static void copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

int queue_list(struct store *st, const struct queue_filter *f, struct queue_item *items, int max,
	       int *n, struct uc_err *err)
{
	struct buf b;
	struct store_stmt *q = NULL;
	int rc, k, limit = f->limit > 0 && f->limit < max ? f->limit : max;

	*n = 0;
	buf_init(&b, 2048);
	buf_adds(&b, "SELECT t.id, t.case_id, c.person_id, c.a_number, t.action, t.phase, "
		     "t.office, t.grp, c.score, t.due, t.status, t.held_by "
		     "FROM task t JOIN tcase c ON c.id = t.case_id");
	where(&b, f);
	buf_adds(&b, " ORDER BY t.prio DESC, t.due, t.case_id, t.action LIMIT ? OFFSET ?");
	rc = store_prepare(st, b.ptr, &q, err);
	buf_release(&b);
	if (rc)
		return rc;
	k = bind(q, f);
	store_bind_int(q, k + 1, limit);
	store_bind_int(q, k + 2, f->offset > 0 ? f->offset : 0);
	while ((rc = store_step(q, err)) == STORE_ROW && *n < limit) {
		struct queue_item *it = &items[(*n)++];

		memset(it, 0, sizeof(*it));
		it->task_id = store_col_int(q, 0);
		it->case_id = store_col_int(q, 1);
		it->person_id = store_col_is_null(q, 2) ? 0 : store_col_int(q, 2);
		copy(it->a_number, sizeof(it->a_number), store_col_text(q, 3));
		copy(it->action, sizeof(it->action), store_col_text(q, 4));
		it->phase = (int)store_col_int(q, 5);
		copy(it->office, sizeof(it->office), store_col_text(q, 6));
		copy(it->group, sizeof(it->group),
		     store_col_text(q, 7) ? store_col_text(q, 7) : "none");
		it->score = (int32_t)store_col_int(q, 8);
		copy(it->due, sizeof(it->due), store_col_text(q, 9));
		copy(it->status, sizeof(it->status), store_col_text(q, 10));
		copy(it->held_by, sizeof(it->held_by), store_col_text(q, 11));
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

int queue_count(struct store *st, const struct queue_filter *f, int64_t *out, struct uc_err *err)
{
	struct buf b;
	struct store_stmt *q = NULL;
	int rc;

	*out = 0;
	buf_init(&b, 2048);
	buf_adds(&b, "SELECT count(*) FROM task t");
	where(&b, f);
	rc = store_prepare(st, b.ptr, &q, err);
	buf_release(&b);
	if (rc)
		return rc;
	bind(q, f);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		*out = store_col_int(q, 0);
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

/* The actions that carry out immigration enforcement (phase 2). */
#define ENFORCEMENT_ACTIONS "('serve_nta', 'file_nta', 'removal')"

struct queue_stakes {
	struct store_stmt *q; /* stake of one person */
};

int queue_stakes_open(struct store *st, struct queue_stakes **out, struct uc_err *err)
{
	struct queue_stakes *qs = uc_xcalloc(1, sizeof(*qs));
	int rc = store_prepare(
	    st,
	    "SELECT c.prio, coalesce((SELECT max(CASE t.status WHEN 'open' THEN 2"
	    " ELSE 1 END) FROM task t WHERE t.case_id = c.id AND t.action IN " ENFORCEMENT_ACTIONS
	    "), 0) FROM tcase c WHERE c.person_id = ? AND c.active = 1",
	    &qs->q, err);

	if (rc) {
		free(qs);
		return rc;
	}
	*out = qs;
	return UC_OK;
}

int queue_stakes_get(struct queue_stakes *qs, int64_t person, struct link_stake *out,
		     struct uc_err *err)
{
	int rc;

	out->enforcement = 0;
	out->prio = INT64_MIN;
	if (person <= 0)
		return UC_OK;
	store_reset(qs->q);
	store_bind_int(qs->q, 1, person);
	rc = store_step(qs->q, err);
	if (rc < 0)
		return -rc;
	if (rc == STORE_ROW) {
		if (!store_col_is_null(qs->q, 0))
			out->prio = store_col_int(qs->q, 0);
		out->enforcement = (int)store_col_int(qs->q, 1);
	}
	return UC_OK;
}

int queue_review_stake(void *qs, int64_t person, struct link_stake *out, struct uc_err *err)
{
	return queue_stakes_get(qs, person, out, err);
}

void queue_stakes_close(struct queue_stakes *qs)
{
	if (!qs)
		return;
	store_finalize(qs->q);
	free(qs);
}

int queue_page(struct store *st, const struct queue_page *p, queue_row_fn fn, void *arg,
	       struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct buf sql;
	int k = 0, rc;

	/* Only the filters given go into the SQL (fixed fragments, values
	 * bound), so the planner can use task_office / task_queue. */
	buf_init(&sql, 4096);
	buf_adds(&sql, "SELECT t.id AS task_id, t.case_id, t.action, t.due, t.grp AS \"group\","
		       " t.phase, t.office, t.prio AS priority, c.score, c.hold_names AS holds,"
		       " c.a_number,"
		       " (SELECT e.family_name || ', ' || e.given_name FROM cbp_encounter e"
		       "   WHERE e.a_number = c.a_number ORDER BY e.rid DESC LIMIT 1) AS name"
		       " FROM task t JOIN tcase c ON c.id = t.case_id WHERE t.status = 'open'");
	if (p->office)
		buf_adds(&sql, " AND t.office = ?");
	if (p->group)
		buf_adds(&sql, " AND t.grp = ?");
	if (p->phase)
		buf_adds(&sql, " AND t.phase = ?");
	if (p->after)
		buf_adds(&sql, " AND (t.prio < ? OR (t.prio = ? AND t.id < ?))");
	buf_adds(&sql, " ORDER BY t.prio DESC, t.id DESC LIMIT ?");
	rc = buf_failed(&sql) ? uc_error(err, UC_ENOMEM, "query too long")
			      : store_prepare_cached(st, sql.ptr, &q, err);
	buf_release(&sql);
	if (rc)
		return rc;
	if (p->office)
		store_bind_text(q, ++k, p->office, -1);
	if (p->group)
		store_bind_text(q, ++k, p->group, -1);
	if (p->phase)
		store_bind_int(q, ++k, p->phase);
	if (p->after) {
		store_bind_int(q, ++k, p->after_prio);
		store_bind_int(q, ++k, p->after_prio);
		store_bind_int(q, ++k, p->after_id);
	}
	store_bind_int(q, ++k, p->limit);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		rc = fn(arg, q, err);
		if (rc)
			break;
	}
	store_done(q);
	return rc < 0 ? -rc : rc;
}
