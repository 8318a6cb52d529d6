/*
 * review.c - the review queue, accept/reject, merge and split (link.h).
 *
 * Every decision is stored in link_decision with the record pairs it
 * forces together or apart (link_decision_pair), then applied to person
 * and person_record at once; link_run() replays the pairs on every later
 * run, so decisions survive re-runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "link/link_int.h"

static int done(struct store_stmt *q, struct uc_err *err)
{
	return store_step(q, err) < 0 ? (err->code ? err->code : UC_EIO) : UC_OK;
}

static const char *const side_sql[] = {
    "cbp_encounter",
    "SELECT a_number, family_name, given_name, birth_date, sex, country "
    "FROM cbp_encounter WHERE rid = ?",
    "orr_placement",
    "SELECT a_number, family_name, given_name, birth_date, sex, country "
    "FROM orr_placement WHERE rid = ?",
    "eoir_case",
    "SELECT a_number, family_name, given_name, birth_date, sex, country "
    "FROM eoir_case WHERE rid = ?",
    "ice_nta",
    "SELECT a_number, family_name, given_name, birth_date, NULL, NULL "
    "FROM ice_nta WHERE rid = ?",
};

static int tbl_index(const char *t)
{
	for (int i = 0; i < 4; i++) {
		if (t && strcmp(side_sql[2 * i], t) == 0)
			return i;
	}
	return -1;
}

/* Copies of one side's strings (store text dies at the next step). */
struct side_copy {
	char tbl[32];	/* table */
	char v[6][128]; /* a_number, family, given, birth, sex, country */
	int isnull[6];	/* column was NULL */
};

static int read_side(struct store *st, const char *tbl, int64_t rid, struct side_copy *c,
		     int64_t *person, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int ti = tbl_index(tbl), rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->tbl, sizeof(c->tbl), "%s", tbl ? tbl : "");
	for (int i = 0; i < 6; i++)
		c->isnull[i] = 1;
	*person = 0;
	if (ti < 0)
		return UC_OK;
	rc = store_prepare(st, side_sql[2 * ti + 1], &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, rid);
	if (store_step(q, err) == STORE_ROW) {
		for (int i = 0; i < 6; i++) {
			const char *t = store_col_text(q, i);

			c->isnull[i] = t == NULL;
			snprintf(c->v[i], sizeof(c->v[i]), "%s", t ? t : "");
		}
	}
	store_finalize(q);
	rc = store_prepare(
	    st, "SELECT person_id FROM person_record WHERE src_tbl = ? AND src_rid = ?", &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, tbl, -1);
	store_bind_int(q, 2, rid);
	if (store_step(q, err) == STORE_ROW)
		*person = store_col_int(q, 0);
	store_finalize(q);
	return UC_OK;
}

static void fill_side(struct link_side *s, const struct side_copy *c, int64_t rid, int64_t person)
{
	const char **f[6] = {&s->a_number,   &s->family, &s->given,
			     &s->birth_date, &s->sex,	 &s->country};

	s->tbl = c->tbl;
	s->rid = rid;
	s->person = person;
	for (int i = 0; i < 6; i++)
		*f[i] = c->isnull[i] ? NULL : c->v[i];
}

/* Emit the pair at the current row of q (columns: id, posterior, score,
 * vector, reason, a_tbl, a_rid, b_tbl, b_rid) with its stake; *stop is
 * set when fn asks to stop. */
static int emit_pair(struct store *st, struct store_stmt *q, const struct link_stake *stake,
		     link_review_fn fn, void *arg, int *stop, struct uc_err *err)
{
	struct link_review_item it;
	struct side_copy ca, cb;
	char vec[256], reason[32], at[32], bt[32];
	int64_t pa, pb;
	int rc;

	memset(&it, 0, sizeof(it));
	it.pair_id = store_col_int(q, 0);
	it.posterior = store_col_double(q, 1);
	it.score = store_col_double(q, 2);
	snprintf(vec, sizeof(vec), "%s", store_col_text(q, 3) ? store_col_text(q, 3) : "");
	snprintf(reason, sizeof(reason), "%s", store_col_text(q, 4) ? store_col_text(q, 4) : "");
	snprintf(at, sizeof(at), "%s", store_col_text(q, 5) ? store_col_text(q, 5) : "");
	snprintf(bt, sizeof(bt), "%s", store_col_text(q, 7) ? store_col_text(q, 7) : "");
	rc = read_side(st, at, store_col_int(q, 6), &ca, &pa, err);
	if (!rc)
		rc = read_side(st, bt, store_col_int(q, 8), &cb, &pb, err);
	if (rc)
		return rc;
	fill_side(&it.a, &ca, store_col_int(q, 6), pa);
	fill_side(&it.b, &cb, store_col_int(q, 8), pb);
	it.vector = vec;
	it.reason = reason;
	it.ranked = stake != NULL;
	it.stake.prio = INT64_MIN;
	if (stake)
		it.stake = *stake;
	*stop = fn(&it, arg) != 0;
	return UC_OK;
}

#define PAIR_COLS "id, posterior, score, vector, reason, a_tbl, a_rid, b_tbl, b_rid"

int link_review(struct store *st, long limit, link_review_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc, stop = 0;

	rc = store_prepare(st,
			   "SELECT " PAIR_COLS " FROM link_pair WHERE status = 'review' "
			   "ORDER BY posterior DESC, id LIMIT ?",
			   &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, limit > 0 ? limit : -1);
	while (!stop && (rc = store_step(q, err)) == STORE_ROW) {
		rc = emit_pair(st, q, NULL, fn, arg, &stop, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return rc < 0 ? -rc : (rc == STORE_ROW ? UC_OK : rc);
}

/* A pending pair and what a decision on it puts at stake. */
struct ranked {
	int64_t id;		 /* link_pair.id */
	double post;		 /* posterior */
	struct link_stake stake; /* the larger of its two persons' */
};

static int stake_cmp(const struct link_stake *x, const struct link_stake *y)
{
	if (x->enforcement != y->enforcement)
		return x->enforcement > y->enforcement ? 1 : -1;
	if (x->prio != y->prio)
		return x->prio > y->prio ? 1 : -1;
	return 0;
}

/* Most at stake first, then most likely, then oldest. */
static int by_stake(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = stake_cmp(&x->stake, &y->stake);

	if (c)
		return -c;
	if (x->post != y->post)
		return x->post > y->post ? -1 : 1;
	return x->id < y->id ? -1 : (x->id > y->id);
}

int link_review_ranked(struct store *st, long limit, link_stake_fn stake, void *sarg,
		       link_review_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct ranked *v = NULL;
	size_t n = 0, alloc = 0;
	int rc, stop = 0;

	if (!stake)
		return link_review(st, limit, fn, arg, err);
	rc = store_prepare(
	    st,
	    "SELECT p.id, p.posterior, pa.person_id, pb.person_id FROM link_pair p"
	    " LEFT JOIN person_record pa ON pa.src_tbl = p.a_tbl AND pa.src_rid = p.a_rid"
	    " LEFT JOIN person_record pb ON pb.src_tbl = p.b_tbl AND pb.src_rid = p.b_rid"
	    " WHERE p.status = 'review'",
	    &q, err);
	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct link_stake sa, sb;
		struct ranked *r;

		rc = stake(sarg, store_col_int(q, 2), &sa, err);
		if (!rc)
			rc = stake(sarg, store_col_int(q, 3), &sb, err);
		if (rc)
			goto out;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			v = uc_xrealloc(v, alloc * sizeof(*v));
		}
		r = &v[n++];
		r->id = store_col_int(q, 0);
		r->post = store_col_double(q, 1);
		r->stake = stake_cmp(&sa, &sb) >= 0 ? sa : sb;
	}
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	store_finalize(q);
	q = NULL;
	if (n)
		qsort(v, n, sizeof(*v), by_stake);
	rc = store_prepare(st, "SELECT " PAIR_COLS " FROM link_pair WHERE id = ?", &q, err);
	for (size_t i = 0; i < n && !rc && !stop && (limit <= 0 || (long)i < limit); i++) {
		store_reset(q);
		store_bind_int(q, 1, v[i].id);
		rc = store_step(q, err);
		if (rc < 0) {
			rc = -rc;
			break;
		}
		rc = rc == STORE_ROW ? emit_pair(st, q, &v[i].stake, fn, arg, &stop, err) : UC_OK;
	}
out:
	store_finalize(q);
	free(v);
	return rc;
}

/* Insert a decision row; *id is its id. */
static int add_decision(struct store *st, const char *kind, int64_t pair, int64_t pa, int64_t pb,
			const char *reason, const char *by, int64_t *id, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char now[21];
	int rc;

	link_now(now);
	rc = store_prepare(st,
			   "INSERT INTO link_decision(kind, pair_id, person_a, person_b, reason, "
			   "decided_by, decided_at) VALUES(?,?,?,?,?,?,?)",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, kind, -1);
	if (pair)
		store_bind_int(q, 2, pair);
	if (pa)
		store_bind_int(q, 3, pa);
	if (pb)
		store_bind_int(q, 4, pb);
	store_bind_text(q, 5, reason, -1);
	store_bind_text(q, 6, by ? by : "uctrack", -1);
	store_bind_text(q, 7, now, -1);
	rc = done(q, err);
	store_finalize(q);
	*id = store_last_id(st);
	return rc;
}

static int add_dpair(struct store *st, int64_t dec, const char *at, int64_t ar, const char *bt,
		     int64_t br, const char *effect, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st,
			       "INSERT INTO link_decision_pair(decision_id, a_tbl, a_rid, b_tbl, "
			       "b_rid, effect) VALUES(?,?,?,?,?,?)",
			       &q, err);

	if (rc)
		return rc;
	store_bind_int(q, 1, dec);
	store_bind_text(q, 2, at, -1);
	store_bind_int(q, 3, ar);
	store_bind_text(q, 4, bt, -1);
	store_bind_int(q, 5, br);
	store_bind_text(q, 6, effect, -1);
	rc = done(q, err);
	store_finalize(q);
	return rc;
}

/* Move every record (and A-number, case number, name key) of other into
 * keep; remember the merge. */
static int move_person(struct store *st, int64_t keep, int64_t other, struct uc_err *err)
{
	static const char *const sql[] = {
	    "UPDATE person_record SET person_id = ?1, method = 'decision' WHERE person_id = ?2",
	    "UPDATE person_anumber SET person_id = ?1 WHERE person_id = ?2",
	    "UPDATE person_idncase SET person_id = ?1 WHERE person_id = ?2",
	    "INSERT OR IGNORE INTO person_key(key, kind, person_id) "
	    "SELECT key, kind, ?1 FROM person_key WHERE person_id = ?2",
	    "DELETE FROM person_key WHERE person_id = ?2 AND ?1 IS NOT NULL",
	    "INSERT INTO person_merged(old_id, new_id) VALUES(?2, ?1) "
	    "ON CONFLICT(old_id) DO UPDATE SET new_id = excluded.new_id",
	};
	int rc = UC_OK;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && !rc; i++) {
		struct store_stmt *q = NULL;

		rc = store_prepare(st, sql[i], &q, err);
		if (rc)
			break;
		store_bind_int(q, 1, keep);
		store_bind_int(q, 2, other);
		rc = done(q, err);
		store_finalize(q);
	}
	if (!rc)
		rc = link_records_moved(st, keep, other, err);
	return rc;
}

int link_decide(struct store *st, int64_t pair_id, int accept, const char *reason, const char *by,
		struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char at[32] = "", bt[32] = "", status[16] = "";
	int64_t ar = 0, br = 0, pa = 0, pb = 0, dec = 0;
	struct side_copy c;
	int rc, found = 0;

	rc = store_begin(st, err);
	if (rc)
		return rc;
	rc = store_prepare(
	    st, "SELECT a_tbl, a_rid, b_tbl, b_rid, status FROM link_pair WHERE id = ?", &q, err);
	if (rc)
		goto out;
	store_bind_int(q, 1, pair_id);
	if (store_step(q, err) == STORE_ROW) {
		found = 1;
		snprintf(at, sizeof(at), "%s", store_col_text(q, 0));
		ar = store_col_int(q, 1);
		snprintf(bt, sizeof(bt), "%s", store_col_text(q, 2));
		br = store_col_int(q, 3);
		snprintf(status, sizeof(status), "%s", store_col_text(q, 4));
	}
	store_finalize(q);
	q = NULL;
	if (!found) {
		rc = uc_error(err, UC_ENOTFOUND, "no link pair %lld; see `uctrack link review`",
			      (long long)pair_id);
		goto out;
	}
	if (strcmp(status, "review") != 0) {
		rc = uc_error(err, UC_ECONFLICT, "pair %lld is not waiting for review (status %s)",
			      (long long)pair_id, status);
		goto out;
	}
	rc = read_side(st, at, ar, &c, &pa, err);
	if (!rc)
		rc = read_side(st, bt, br, &c, &pb, err);
	if (!rc)
		rc = add_decision(st, accept ? "accept" : "reject", pair_id, pa, pb, reason, by,
				  &dec, err);
	if (!rc)
		rc = add_dpair(st, dec, at, ar, bt, br, accept ? "link" : "nolink", err);
	if (!rc)
		rc = store_prepare(st, "UPDATE link_pair SET status = ? WHERE id = ?", &q, err);
	if (rc)
		goto out;
	store_bind_text(q, 1, accept ? "accepted" : "rejected", -1);
	store_bind_int(q, 2, pair_id);
	rc = done(q, err);
	if (!rc && accept && pa && pb && pa != pb)
		rc = move_person(st, pa < pb ? pa : pb, pa < pb ? pb : pa, err);
	if (!rc)
		rc = store_commit(st, err);
out:
	store_finalize(q);
	if (rc)
		store_rollback(st);
	return rc;
}

/* First record of a person (for the decision pair), or UC_ENOTFOUND. */
static int first_record(struct store *st, int64_t person, char tbl[32], int64_t *rid,
			struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st,
			       "SELECT src_tbl, src_rid FROM person_record WHERE person_id = ? "
			       "ORDER BY src_tbl, src_rid LIMIT 1",
			       &q, err),
	    found = 0;

	if (rc)
		return rc;
	store_bind_int(q, 1, person);
	if (store_step(q, err) == STORE_ROW) {
		snprintf(tbl, 32, "%s", store_col_text(q, 0));
		*rid = store_col_int(q, 1);
		found = 1;
	}
	store_finalize(q);
	if (!found)
		return uc_error(err, UC_ENOTFOUND, "person %lld has no records (merged or unknown)",
				(long long)person);
	return UC_OK;
}

int link_merge(struct store *st, int64_t keep, int64_t other, const char *reason, const char *by,
	       struct uc_err *err)
{
	char at[32], bt[32];
	int64_t ar = 0, br = 0, dec = 0;
	int rc;

	if (keep == other)
		return uc_error(err, UC_EINPUT, "merge: person %lld given twice", (long long)keep);
	if (!reason || !*reason)
		return uc_error(err, UC_EUSAGE, "merge: a --reason is required");
	rc = store_begin(st, err);
	if (rc)
		return rc;
	rc = first_record(st, keep, at, &ar, err);
	if (!rc)
		rc = first_record(st, other, bt, &br, err);
	if (!rc)
		rc = add_decision(st, "merge", 0, keep, other, reason, by, &dec, err);
	if (!rc)
		rc = add_dpair(st, dec, at, ar, bt, br, "link", err);
	if (!rc)
		rc = move_person(st, keep, other, err);
	if (!rc)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	return rc;
}

/* Parse "TABLE:RID". */
static int parse_rec(const char *s, char tbl[32], int64_t *rid, struct uc_err *err)
{
	const char *c = strchr(s, ':');
	char *end = NULL;
	long long v;

	if (!c || c == s || (size_t)(c - s) >= 32 || !c[1])
		return uc_error(err, UC_EINPUT,
				"record '%s': expected TABLE:RID, e.g. cbp_encounter:42", s);
	memcpy(tbl, s, (size_t)(c - s));
	tbl[c - s] = '\0';
	v = strtoll(c + 1, &end, 10);
	if (*end || v <= 0)
		return uc_error(err, UC_EINPUT, "record '%s': RID must be a positive integer", s);
	if (tbl_index(tbl) < 0)
		return uc_error(err, UC_EINPUT,
				"record '%s': table must be cbp_encounter, "
				"orr_placement, eoir_case or ice_nta",
				s);
	*rid = v;
	return UC_OK;
}

int link_split(struct store *st, int64_t person, const char *const *records, int n,
	       const char *reason, const char *by, int64_t *new_person, struct uc_err *err)
{
	struct store_stmt *q = NULL, *qm = NULL, *qd = NULL;
	char(*tbl)[32] = NULL;
	int64_t *rid = NULL, dec = 0, np = 0, total = 0;
	char now[21];
	int rc;

	if (n < 1)
		return uc_error(err, UC_EUSAGE, "split: name at least one record TABLE:RID");
	if (!reason || !*reason)
		return uc_error(err, UC_EUSAGE, "split: a --reason is required");
	tbl = uc_xcalloc((size_t)n, sizeof(*tbl));
	rid = uc_xcalloc((size_t)n, sizeof(*rid));
	for (int i = 0; i < n; i++) {
		rc = parse_rec(records[i], tbl[i], &rid[i], err);
		if (rc)
			goto done;
	}
	rc = store_begin(st, err);
	if (rc)
		goto done;
	rc = store_prepare(st, "SELECT COUNT(*) FROM person_record WHERE person_id = ?", &q, err);
	if (rc)
		goto out;
	store_bind_int(q, 1, person);
	if (store_step(q, err) == STORE_ROW)
		total = store_col_int(q, 0);
	store_finalize(q);
	q = NULL;
	if (total == 0) {
		rc = uc_error(err, UC_ENOTFOUND, "person %lld has no records", (long long)person);
		goto out;
	}
	rc = store_prepare(
	    st, "SELECT person_id FROM person_record WHERE src_tbl = ? AND src_rid = ?", &q, err);
	for (int i = 0; i < n && !rc; i++) {
		int ok = 0;

		store_reset(q);
		store_bind_text(q, 1, tbl[i], -1);
		store_bind_int(q, 2, rid[i]);
		if (store_step(q, err) == STORE_ROW)
			ok = store_col_int(q, 0) == person;
		if (!ok)
			rc = uc_error(err, UC_EINPUT, "record %s does not belong to person %lld",
				      records[i], (long long)person);
	}
	store_finalize(q);
	q = NULL;
	if (rc)
		goto out;
	if ((int64_t)n >= total) {
		rc = uc_error(err, UC_EINPUT,
			      "split would leave person %lld empty; "
			      "leave at least one record",
			      (long long)person);
		goto out;
	}
	link_now(now);
	rc = store_prepare(st, "INSERT INTO person(a_number, created_at) VALUES(NULL, ?)", &q, err);
	if (rc)
		goto out;
	store_bind_text(q, 1, now, -1);
	rc = done(q, err);
	store_finalize(q);
	q = NULL;
	np = store_last_id(st);
	if (!rc)
		rc = add_decision(st, "split", 0, person, np, reason, by, &dec, err);
	if (!rc)
		rc = store_prepare(st,
				   "UPDATE person_record SET person_id = ?, method = 'decision' "
				   "WHERE src_tbl = ? AND src_rid = ?",
				   &qm, err);
	for (int i = 0; i < n && !rc; i++) {
		store_reset(qm);
		store_bind_int(qm, 1, np);
		store_bind_text(qm, 2, tbl[i], -1);
		store_bind_int(qm, 3, rid[i]);
		rc = done(qm, err);
		if (!rc && strcmp(tbl[i], "orr_placement") == 0)
			rc = link_records_placement(st, rid[i], err);
	}
	/* Keep the split records apart from those that stay. */
	if (!rc)
		rc = store_prepare(
		    st, "SELECT src_tbl, src_rid FROM person_record WHERE person_id = ?", &qd, err);
	if (!rc) {
		store_bind_int(qd, 1, person);
		while (!rc && store_step(qd, err) == STORE_ROW) {
			char st_tbl[32];
			int64_t sr = store_col_int(qd, 1);

			snprintf(st_tbl, sizeof(st_tbl), "%s", store_col_text(qd, 0));
			for (int i = 0; i < n && !rc; i++)
				rc = add_dpair(st, dec, tbl[i], rid[i], st_tbl, sr, "nolink", err);
		}
	}
	/* And keep the split records together. */
	for (int i = 1; i < n && !rc; i++)
		rc = add_dpair(st, dec, tbl[0], rid[0], tbl[i], rid[i], "link", err);
	if (!rc)
		rc = store_commit(st, err);
	if (!rc)
		*new_person = np;
out:
	store_finalize(q);
	store_finalize(qm);
	store_finalize(qd);
	if (rc)
		store_rollback(st);
done:
	free(tbl);
	free(rid);
	return rc;
}
