/*
 * api_cases.c - the queue, case search, one case, field events and
 * overrides. One case is read through src/case (case.h), which owns its
 * SQL; the queue through triage/queue.h; search through case.h's finder:
 * no SQL here (scripts/sql-owner.py checks). Writes go through the
 * importer (ingest_event_new) and are followed by per-child re-triage
 * when the triage module provides it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "auth/seal.h"
#include "case/case.h"
#include "core/anum.h"
#include "core/date.h"
#include "http/api.h"
#include "http/hjson.h"
#include "ingest/fnorm.h"
#include "ingest/ingest.h"
#include "link/link.h"
#include "triage/queue.h"
#include "triage/triage.h"

#define QUEUE_MAX 200
#define SEARCH_MAX 50
#define SEARCH_CANDIDATES 5000 /* cases born on a searched date read */
#define SEARCH_NAME_SCAN 20000 /* rows of a searched name's rarest token read */

int api_case_visible(struct store *st, const struct auth_user *u, int64_t id, int *visible,
		     struct uc_err *err)
{
	struct case_scope sc;
	const char *counsel[CASE_MAX_COUNSEL];
	int rc = case_scope(st, id, auth_scope_reads_counsel(u), &sc, err);

	*visible = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < sc.ncounsel; i++)
		counsel[i] = sc.counsel[i];
	*visible = auth_case_in_scope(u, sc.office[0] ? sc.office : NULL, counsel, sc.ncounsel);
	return UC_OK;
}

/* ---- queue ---- */

/* Where a queue page's rows go. */
struct queue_out {
	struct http_req *r;
	int n;		/* rows so far */
	int ncol;	/* columns (from the first row) */
	char kinds[16]; /* column kinds (hj_text_kinds) */
	int64_t lprio;	/* the last row's priority and task id: */
	int64_t lid;	/* the next page's cursor */
};

static int queue_row(void *arg, struct store_stmt *q, struct uc_err *err)
{
	struct queue_out *qo = arg;
	struct http_req *r = qo->r;
	char num[24];

	if (!qo->n)
		qo->ncol =
		    hj_text_kinds(q, !auth_sees_pii(&r->user), qo->kinds, (int)sizeof(qo->kinds));
	qo->lid = store_col_int(q, 0);
	qo->lprio = store_col_int(q, 7);
	if (qo->n)
		buf_addc(&r->text, ',');
	hj_text_row_k(&r->text, q, qo->kinds, qo->ncol);
	/* The audit detail names every case returned. */
	snprintf(num, sizeof(num), "%s%lld", qo->n ? "," : "", (long long)store_col_int(q, 1));
	buf_adds(&r->detail, num);
	qo->n++;
	return UC_OK;
}

int api_queue(struct http_req *r, struct uc_err *err)
{
	const char *office = http_query(r, "office");
	const char *group = http_query(r, "group");
	const char *phase_s = http_query(r, "phase");
	const char *cursor = http_query(r, "cursor");
	long long limit = 50, phase = 0, cprio = 0, cid = 0;
	struct queue_out qo;
	struct queue_page pg;
	int rc = UC_OK;
	char pkey[512];
	int hit = 0;

	if (http_query(r, "limit"))
		rc = http_param_int("limit", http_query(r, "limit"), 1, QUEUE_MAX, &limit, err);
	if (!rc && phase_s)
		rc = http_param_int("phase", phase_s, 1, 4, &phase, err);
	if (!rc && cursor) {
		const char *dot = strchr(cursor, '.');
		char a[24];

		if (!dot || (size_t)(dot - cursor) >= sizeof(a))
			rc = uc_error(err, UC_EINPUT,
				      "cursor: pass back the next_cursor of the previous page");
		if (!rc) {
			memcpy(a, cursor, (size_t)(dot - cursor));
			a[dot - cursor] = '\0';
			rc = http_param_int("cursor", a, 0, INT64_MAX, &cprio, err);
		}
		if (!rc)
			rc = http_param_int("cursor", dot + 1, 0, INT64_MAX, &cid, err);
	}
	if (rc)
		goto out;
	/* Officers and supervisors: their office by default, no other. */
	if (!office && (r->user.role == AUTH_ROLE_OFFICER || r->user.role == AUTH_ROLE_SUPERVISOR))
		office = r->user.office;
	if (!auth_office_allowed(&r->user, office)) {
		rc = uc_error(err, UC_EDENIED, "role %s sees only the queue of office %s",
			      auth_role_name(r->user.role), r->user.office);
		goto out;
	}
	snprintf(r->target, sizeof(r->target), "queue:%.60s", office ? office : "*");
	/* Everything the page depends on; values are length-prefixed so
	 * no two different requests share a key. */
	snprintf(pkey, sizeof(pkey), "queue|%zu:%s|%zu:%s|%lld|%lld|%s|%d",
		 office ? strlen(office) : 0, office ? office : "",
		 group ? strlen(group) : (size_t)0, group ? group : "", phase, limit,
		 cursor ? cursor : "", !auth_sees_pii(&r->user));
	if (!office || !group) {
		/* NULL and "" differ: mark absence explicitly */
		size_t klen = strlen(pkey);

		snprintf(pkey + klen, sizeof(pkey) - klen, "|%d%d", !office, !group);
	}
	rc = http_page_get(r, pkey, &hit, err);
	if (rc || hit)
		goto out;
	/* Rendered straight to text: the queue is the hottest read. */
	buf_adds(&r->text, "{\"items\":[");
	buf_adds(&r->detail, "cases=");
	memset(&qo, 0, sizeof(qo));
	qo.r = r;
	pg.office = office;
	pg.group = group;
	pg.phase = (int)phase;
	pg.after = cursor != NULL;
	pg.after_prio = cprio;
	pg.after_id = cid;
	pg.limit = limit;
	rc = queue_page(r->st, &pg, queue_row, &qo, err);
	if (rc)
		goto out;
	if (qo.n == limit)
		buf_addf(&r->text, "],\"next_cursor\":\"%lld.%lld\"}", (long long)qo.lprio,
			 (long long)qo.lid);
	else
		buf_adds(&r->text, "],\"next_cursor\":null}");
	if (buf_failed(&r->text))
		rc = uc_error(err, UC_ENOMEM, "response too large");
	if (!rc)
		http_page_put(r, pkey);
out:
	if (rc)
		buf_reset(&r->text);
	return rc;
}

/* ---- search ---- */

/* Where a search's cases go. */
struct search_out {
	struct http_req *r;
	struct hj_out *o;
	json_t *items;
	struct case_finder *f;
	int n; /* items so far */
	long long limit;
};

static int summary_row(void *arg, const struct case_source *src, struct store_stmt *row,
		       struct uc_err *err)
{
	struct search_out *so = arg;

	(void)src;
	(void)err;
	hj_append_new(so->o, so->items, hj_row_object(row));
	return UC_OK;
}

/* A case found: shown when in scope. The scope is decided from the case's
 * office (counsel looked up only for the roles that need it) before its
 * summary is read: the name and birth date cost two more lookups in
 * cbp_encounter, which an officer's birth-date search would otherwise pay
 * for every child of another office born that day. */
static int search_hit(void *arg, int64_t id, const char *office, int *stop, struct uc_err *err)
{
	struct search_out *so = arg;
	int visible = 0, rc = UC_OK;

	if (auth_scope_reads_counsel(&so->r->user))
		rc = api_case_visible(so->r->st, &so->r->user, id, &visible, err);
	else
		visible = auth_case_in_scope(&so->r->user, office, NULL, 0);
	if (rc || !visible)
		return rc;
	rc = case_find_summary(so->f, id, summary_row, so, err);
	if (rc == UC_ENOTFOUND)
		return UC_OK; /* gone since it was found */
	if (rc)
		return rc;
	http_detail(so->r, "%s%lld", so->n ? "," : "cases=", (long long)id);
	so->n++;
	*stop = so->n >= so->limit;
	return UC_OK;
}

/* A person whose names hold the query's tokens: its case. */
static int name_hit(void *arg, int64_t person_id, int *stop, struct uc_err *err)
{
	struct search_out *so = arg;

	return case_find_person(so->f, person_id, search_hit, so, stop, err);
}

int api_cases_search(struct http_req *r, struct uc_err *err)
{
	const char *qs = http_query(r, "q");
	struct search_out so = {.r = r, .limit = 20};
	json_t *items = json_array();
	struct hj_out o;
	char anum[10];
	int rc = UC_OK;
	const char *kind = NULL;

	hj_out_init(&o);
	so.o = &o;
	so.items = items;
	if (http_query(r, "limit"))
		rc = http_param_int("limit", http_query(r, "limit"), 1, SEARCH_MAX, &so.limit, err);
	if (!rc && (!qs || strlen(qs) < 2 || strlen(qs) > 200))
		rc = uc_error(err, UC_EINPUT,
			      "q: give a name, an A-number or a birth date (YYYY-MM-DD), "
			      "2 to 200 characters");
	if (!rc)
		rc = case_finder_open(&so.f, r->st, err);
	if (rc)
		goto out;
	if (strlen(qs) == 10 && date_parse(qs, 10, &(int32_t){0}) == 0) {
		kind = "birth_date";
		rc = case_find_birth(so.f, qs, auth_scope_office(&r->user), SEARCH_CANDIDATES,
				     search_hit, &so, err);
	} else if (anum_parse(qs, strlen(qs), anum) == ANUM_OK) {
		kind = "a_number";
		rc = case_find_anumber(so.f, anum, search_hit, &so, err);
	} else {
		struct norm_name nn;

		kind = "name";
		link_norm_query(qs, &nn);
		rc = link_name_candidates(r->st, &nn, SEARCH_NAME_SCAN, name_hit, &so, err);
	}
	if (rc)
		goto out;
	/* No PII in the audit detail: the kind of query, not the query. */
	http_detail(r, "%sq_kind=%s results=%d", so.n ? " " : "", kind, so.n);
	hj_set_str(&o, o.root, "query_kind", kind);
	hj_set_new(&o, o.root, "items", items);
	items = NULL;
out:
	json_decref(items);
	case_finder_close(so.f);
	return http_reply_json(r, &o, rc, err);
}

/* ---- one case ---- */

/* Decrypt (or withhold) a sealed note inside a field event body. */
static json_t *event_body(struct http_req *r, const char *text)
{
	json_t *b = json_loads(text ? text : "{}", 0, NULL);
	const char *note;

	if (!b)
		return json_string(text ? text : "");
	note = hj_str(b, "note");
	if (note && seal_is_sealed(note)) {
		const unsigned char *key = http_note_key(r->srv);
		char *plain = NULL;

		if (key && auth_sees_pii(&r->user) && seal_open(key, note, &plain, NULL) == UC_OK) {
			json_object_set_new(b, "note", json_string(plain));
			free(plain);
		} else {
			json_object_set_new(b, "note", json_string("(sealed)"));
		}
	}
	return b;
}

/* Where the case module's rows go: arrays of the response. */
struct case_out {
	struct http_req *r; /* the request (note keys, scope) */
	struct hj_out *o;   /* the response being built */
	json_t *arr;	    /* rows of the current section, borrowed */
	json_t *timeline;   /* records' timeline entries, borrowed */
	json_t *obj;	    /* case_summary's row, owned until placed */
};

/* A row as an object into c->arr. */
static int row_into(void *arg, const struct case_source *src, struct store_stmt *row,
		    struct uc_err *err)
{
	struct case_out *c = arg;

	(void)src;
	(void)err;
	hj_append_new(c->o, c->arr, hj_row_object(row));
	return UC_OK;
}

/* A source record into c->arr, with its table, its sealed note opened (or
 * withheld) and, when dated, its entry on the timeline. */
static int record_into(void *arg, const struct case_source *src, struct store_stmt *q,
		       struct uc_err *err)
{
	struct case_out *c = arg;
	json_t *row = hj_row_object(q), *dt;

	(void)err;
	if (!row) {
		c->o->failed = 1;
		return UC_OK;
	}
	if (strcmp(src->tbl, "field_event") == 0)
		json_object_set_new(
		    row, "body", event_body(c->r, json_string_value(json_object_get(row, "body"))));
	json_object_set_new(row, "table", json_string(src->tbl));
	dt = json_object_get(row, src->date);
	if (json_is_string(dt)) {
		const char *type = hj_str(row, "type");

		hj_append_new(
		    c->o, c->timeline,
		    json_pack("{s:O,s:s,s:s,s:I}", "date", dt, "what", type ? type : src->what,
			      "table", src->tbl, "rid",
			      (json_int_t)json_integer_value(json_object_get(row, "rid"))));
	}
	hj_append_new(c->o, c->arr, row);
	return UC_OK;
}

static int summary_into(void *arg, const struct case_source *src, struct store_stmt *row,
			struct uc_err *err)
{
	struct case_out *c = arg;

	(void)src;
	(void)err;
	c->obj = hj_row_object(row);
	return UC_OK;
}

typedef int (*case_read_fn)(struct store *, const struct case_key *, case_row_fn, void *,
			    struct uc_err *);

/* o.root[name] = the rows of one section of the case. */
static int section(struct case_out *c, const char *name, case_read_fn read,
		   const struct case_key *key, struct uc_err *err)
{
	json_t *arr = json_array();
	int rc;

	c->arr = arr;
	rc = read(c->r->st, key, row_into, c, err);
	hj_set_new(c->o, c->o->root, name, arr);
	return rc;
}

static int cmp_date(const void *a, const void *b)
{
	const char *x = hj_str(*(json_t *const *)a, "date");
	const char *y = hj_str(*(json_t *const *)b, "date");

	return strcmp(x ? x : "", y ? y : "");
}

static void sort_timeline(json_t *tl)
{
	size_t n = json_array_size(tl);
	json_t **v;

	if (n < 2)
		return;
	v = uc_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(tl, i));
	qsort(v, n, sizeof(*v), cmp_date);
	json_array_clear(tl);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(tl, v[i]);
	free(v);
}

static struct triage *triage_for(struct http_req *r);

/* The triage explanation (src/triage) as JSON, or null when the case has
 * not been triaged by a rule set yet. */
static json_t *explanation(struct http_req *r)
{
	struct triage_explain *ex = uc_xcalloc(1, sizeof(*ex));
	struct triage *t = triage_for(r);
	struct uc_err e = UC_ERR_INIT;
	json_t *j = NULL, *fired;
	char who[32];

	snprintf(who, sizeof(who), "C%lld", (long long)r->case_id);
	if (!t || triage_explain(t, who, ex, &e) != UC_OK)
		goto out;
	fired = json_array();
	for (int i = 0; i < ex->nfired; i++) {
		const struct triage_fired *f = &ex->fired[i];
		int h =
		    strcmp(f->kind, "hold") == 0 ? rules_hold_find(triage_rules(t), f->name) : -1;

		json_array_append_new(
		    fired,
		    json_pack("{s:s,s:s,s:s?,s:s,s:i,s:s,s:s,s:s,s:s,s:b}", "kind", f->kind, "name",
			      f->name, "label",
			      api_item_label(triage_rules(t), f->kind, f->name, api_lang(r)),
			      "group", f->group, "score", (int)f->score, "blocks", f->blocks,
			      "lifted", f->lifted, "reason", f->reason, "facts", f->facts,
			      "statutory", h >= 0 && rules_hold_statutory(triage_rules(t), h)));
	}
	j = json_pack("{s:s,s:s,s:b,s:i,s:o,s:i,s:s,s:s,s:s,s:s,s:o}", "group", ex->group,
		      "group_label", ex->group_label, "overridden", ex->overridden, "score",
		      (int)ex->score, "rank", ex->rank ? json_integer(ex->rank) : json_null(),
		      "phase", ex->phase, "phase_name", ex->phase_name, "rule_set", ex->rs_hash,
		      "as_of", ex->as_of, "triaged_at", ex->triaged_at, "fired", fired);
out:
	free(ex);
	return j ? j : json_null();
}

static json_t *lift_json(const struct triage_lift *l)
{
	return json_pack(
	    "{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:o}", "id", (json_int_t)l->id, "case_id",
	    (json_int_t)l->case_id, "hold", l->hold, "reason", l->reason, "requested_by",
	    l->requested_by, "requested_at", l->requested_at, "status", l->status, "decided_by",
	    l->decided_by[0] ? l->decided_by : NULL, "decided_at",
	    l->decided_at[0] ? l->decided_at : NULL, "note", l->note[0] ? l->note : NULL,
	    "override_id", l->override_id ? json_integer(l->override_id) : json_null());
}

static int lift_into(void *arg, const struct triage_lift *l, struct uc_err *err)
{
	if (json_array_append_new(arg, lift_json(l)))
		return uc_error(err, UC_ENOMEM, "out of memory");
	return UC_OK;
}

int api_case_get(struct http_req *r, struct uc_err *err)
{
	struct hj_out o;
	struct case_key key;
	struct case_out c = {.r = r, .o = &o};
	json_t *recs = json_array(), *tl = json_array();
	int rc;

	hj_out_init(&o);
	rc = case_summary(r->st, r->case_id, &key, summary_into, &c, err);
	if (rc)
		goto out;
	hj_set_new(&o, o.root, "case", c.obj);
	c.obj = NULL;
	rc = section(&c, "identity", case_identity, &key, err);
	if (rc)
		goto out;
	c.arr = recs;
	c.timeline = tl;
	rc = case_records(r->st, &key, record_into, &c, err);
	if (rc)
		goto out;
	sort_timeline(tl);
	hj_set_new(&o, o.root, "records", recs);
	hj_set_new(&o, o.root, "timeline", tl);
	recs = tl = NULL;
	rc = section(&c, "addresses", case_addresses, &key, err);
	if (!rc)
		rc = section(&c, "tasks", case_tasks, &key, err);
	if (!rc)
		rc = section(&c, "overrides", case_overrides, &key, err);
	if (!rc)
		rc = section(&c, "holds", case_holds, &key, err);
	if (!rc) {
		json_t *lifts = json_array();

		rc = triage_lift_list(r->st, r->case_id, 0, lift_into, lifts, err);
		hj_set_new(&o, o.root, "hold_lifts", lifts);
	}
	if (!rc)
		rc = api_case_work(r, o.root, err);
	if (!rc)
		hj_set_new(&o, o.root, "explanation", explanation(r));
out:
	json_decref(c.obj);
	json_decref(recs);
	json_decref(tl);
	return http_reply_json(r, &o, rc, err);
}

/* ---- writes ---- */

/* This thread's triage handle (http_triage: kept across requests, not
 * closed here); NULL when there is no rule set yet (no `uctrack triage`
 * run): callers then skip re-triage. */
static struct triage *triage_for(struct http_req *r)
{
	struct uc_err e = UC_ERR_INIT;
	struct triage *t = NULL;

	if (http_triage(r, &t, &e)) {
		fprintf(stderr, "uctrack serve: triage unavailable: %s\n", e.msg);
		return NULL;
	}
	return t;
}

/* This thread's triage handle for a write that needs the rule set
 * (overrides, hold lifts): UC_ECONFLICT before the first triage run. */
static int triage_or_reply(struct http_req *r, struct triage **t, struct uc_err *err)
{
	*t = triage_for(r);
	if (!*t)
		return uc_error(err, UC_ECONFLICT,
				"no active rule set: overrides and hold lifts need a triage "
				"run first (POST /api/v1/triage/runs)");
	return UC_OK;
}

/* Re-triage the case after a committed write (triage_person). The write
 * stands even when this fails: the next `uctrack triage` run catches up.
 * Returns 1 when the case was re-triaged. */
static int api_retriage(struct http_req *r, struct uc_err *err)
{
	struct triage *t = triage_for(r);
	struct uc_err e = UC_ERR_INIT;
	int ok = 0;

	(void)err;
	if (t) {
		ok = triage_person(t, r->case_id, 0, &e) == UC_OK;
		if (!ok)
			fprintf(stderr, "uctrack serve: re-triage of case %lld: %s\n",
				(long long)r->case_id, e.msg);
	}
	return ok;
}

/* Fill or check a server-decided field of the event. */
static int own_field(json_t *ev, const char *key, const char *value, struct uc_err *err)
{
	const char *have = hj_str(ev, key);

	if (json_object_get(ev, key) && (!have || strcmp(have, value) != 0))
		return uc_error(err, UC_EINPUT,
				"body.%s: must be '%s' (or left out) for this case and user", key,
				value);
	json_object_set_new(ev, key, json_string(value));
	return UC_OK;
}

/*
 * A client-chosen event_id names one event of one child: a retry or a
 * correction is a new version of it, which only this case may make, and
 * only with the same type. Anything else would move another child's
 * contact, screening or claim (triage reads the newest version).
 */
#define EVENT_ID_MAX 64
static int event_id_check(struct http_req *r, const char *type, int owner, struct uc_err *err)
{
	struct case_event_owner own;
	const char *id = hj_str(r->json, "event_id");
	size_t n = id ? strlen(id) : 0;
	int rc;

	if (!id || n == 0 || n > EVENT_ID_MAX)
		return uc_error(err, UC_EINPUT,
				"body.event_id: a string of 1 to %d characters, or leave "
				"it out and the server makes one",
				EVENT_ID_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)id[i];

		if (!(isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == ':'))
			return uc_error(err, UC_EINPUT,
					"body.event_id: character %zu is not a letter, digit, "
					"'-', '_', '.' or ':'",
					i + 1);
	}
	if (!owner)
		return UC_OK;
	rc = case_event_owner(r->st, r->case_id, id, &own, err);
	if (rc || !own.found)
		return rc;
	if (!own.same_case) {
		http_detail(r, " event_id=%.64s other_child=1", id);
		return uc_error(err, UC_ECONFLICT,
				"body.event_id: '%s' is an event of another child; an "
				"event id names one event of one child. Leave event_id "
				"out and the server makes a new one",
				id);
	}
	if (strcmp(own.type, type) != 0)
		return uc_error(err, UC_ECONFLICT,
				"body.event_id: '%s' is a '%s' event; a new version must "
				"keep its type (leave event_id out to record a new event)",
				id, own.type);
	return UC_OK;
}

int api_case_events(struct http_req *r, struct uc_err *err)
{
	int is_new = 0, retriaged = 0;
	int rc = api_record_event(r, 0, NULL, NULL, &is_new, &retriaged, err);

	if (rc)
		return rc;
	r->out = json_pack("{s:s,s:s,s:b,s:I,s:b}", "event_id", hj_str(r->json, "event_id"), "type",
			   hj_str(r->json, "type"), "new", is_new, "case_id",
			   (json_int_t)r->case_id, "retriaged", retriaged);
	r->status = is_new ? 201 : 200;
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

int api_record_event(struct http_req *r, int trusted, api_event_hook hook, void *hook_arg,
		     int *is_new_out, int *retriaged_out, struct uc_err *err)
{
	struct ingest_opts opts;
	struct ingest_ctx *ic = NULL;
	const char *type = hj_str(r->json, "type");
	const char *note = hj_str(r->json, "note");
	char anum[10], eid[40];
	int rc, is_new = 0, in_tx = 0, retriaged = 0, own_id = 0;

	memset(&opts, 0, sizeof(opts));
	opts.quiet = 1;
	if (!type)
		return uc_error(err, UC_EINPUT,
				"body.type: required (see docs/formats.md section 5)");
	http_detail(r, "type=%.40s", type);
	if (!trusted && !auth_may_record_event(&r->user, type))
		return uc_error(err, UC_EDENIED, "role %s may not record '%.40s' events",
				auth_role_name(r->user.role), type);
	rc = case_anumber(r->st, r->case_id, anum, err);
	if (!rc)
		rc = own_field(r->json, "a_number", anum, err);
	if (!rc)
		rc = own_field(r->json, "recorded_by", r->user.name, err);
	if (!rc && r->user.role == AUTH_ROLE_LEGAL_PROVIDER && json_object_get(r->json, "provider"))
		rc = own_field(r->json, "provider", r->user.provider, err);
	if (rc)
		return rc;
	if (json_object_get(r->json, "event_id")) {
		rc = event_id_check(r, type, 0, err);
		if (rc)
			return rc;
		own_id = 1;
	} else {
		unsigned char rnd[8];
		char hex[17];

		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		snprintf(eid, sizeof(eid), "API-%s", hex);
		json_object_set_new(r->json, "event_id", json_string(eid));
	}
	if (!json_object_get(r->json, "occurred_at")) {
		char today[11];

		date_format(date_today(), today);
		json_object_set_new(r->json, "occurred_at", json_string(today));
	}
	/* Sensitive disclosures are sealed before they reach the database. */
	if (note &&
	    (strcmp(type, "trafficking_screening") == 0 || strcmp(type, "welfare_check") == 0)) {
		const unsigned char *key = http_note_key(r->srv);
		char *sealed = NULL;

		if (!key)
			return uc_error(err, UC_ECONFLICT,
					"this server has no key_file configured, so it cannot "
					"store screening notes; leave out 'note' or ask an "
					"admin to set [server] key_file");
		rc = seal_note(key, note, &sealed, err);
		if (rc)
			return rc;
		json_object_set_new(r->json, "note", json_string(sealed));
		free(sealed);
	}
	rc = ingest_open(&ic, r->st, &opts, err);
	if (rc)
		return rc;
	http_write_lock(r);
	rc = store_begin(r->st, err);
	in_tx = !rc;
	/* under the write lock: no other request stores this id meanwhile */
	if (!rc && own_id)
		rc = event_id_check(r, type, 1, err);
	if (!rc)
		rc = ingest_event_new(ic, r->json, "api", &is_new, err);
	/* the new event reaches its child's records at once (record_link) */
	if (!rc)
		rc = link_records_sync(r->st, 0, "field_event", NULL, err);
	if (!rc && hook)
		rc = hook(r, hj_str(r->json, "event_id"), hook_arg, err);
	if (!rc) {
		http_detail(r, " event_id=%.40s new=%d", hj_str(r->json, "event_id"), is_new);
		rc = http_audit_tx(r, "ok", err);
	}
	if (!rc)
		rc = store_commit(r->st, err);
	if (rc && in_tx)
		store_rollback(r->st);
	ingest_free(ic);
	if (rc) {
		http_write_unlock(r);
		return rc;
	}
	retriaged = api_retriage(r, err);
	http_write_unlock(r);
	*is_new_out = is_new;
	*retriaged_out = retriaged;
	return UC_OK;
}

static const struct hj_field override_spec[] = {
    {"kind", HJ_STRING, 1},
    {"value", HJ_STRING, 1},
    {"reason", HJ_STRING, 1},
    {NULL, 0, 0},
};

int api_case_override(struct http_req *r, struct uc_err *err)
{
	const char *kind, *value, *reason;
	struct triage *t = NULL;
	char who[32];
	int64_t id = 0;
	int rc;

	rc = hj_check_fields(r->json, override_spec, "body", err);
	if (rc)
		return rc;
	kind = hj_str(r->json, "kind");
	value = hj_str(r->json, "value");
	reason = hj_str(r->json, "reason");
	if (strcmp(kind, "group") != 0 && strcmp(kind, "lift_hold") != 0)
		return uc_error(err, UC_EINPUT, "body.kind: 'group' or 'lift_hold'");
	if (!*value || strlen(value) > 64)
		return uc_error(err, UC_EINPUT, "body.value: a group or hold name");
	if (strlen(reason) < 10 || strlen(reason) > 2000)
		return uc_error(err, UC_EINPUT,
				"body.reason: explain the override in 10 to 2000 characters");
	http_detail(r, "kind=%s value=%.64s", kind, value);
	rc = triage_or_reply(r, &t, err);
	if (rc)
		return rc;
	/* triage_override() checks the group/hold name against the rule set,
	 * records the override and re-triages the case, in one transaction;
	 * the server audits it right after. */
	snprintf(who, sizeof(who), "C%lld", (long long)r->case_id);
	http_write_lock(r);
	rc = triage_override(t, who, kind, value, reason, r->user.name, &id, err);
	http_write_unlock(r);
	if (rc == UC_EUSAGE)
		rc = UC_EINPUT;
	if (rc)
		return rc;
	http_detail(r, " override_id=%lld", (long long)id);
	r->out = json_pack("{s:I,s:I,s:s,s:s,s:b}", "id", (json_int_t)id, "case_id",
			   (json_int_t)r->case_id, "kind", kind, "value", value, "retriaged", 1);
	r->status = 201;
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

/* ---- two-person hold lifts (triage_lift_*) ---- */

static const struct hj_field lift_spec[] = {
    {"hold", HJ_STRING, 1},
    {"reason", HJ_STRING, 1},
    {NULL, 0, 0},
};

int api_case_lift_request(struct http_req *r, struct uc_err *err)
{
	struct triage *t;
	struct triage_lift l;
	char who[32];
	int64_t id = 0;
	int rc;

	rc = hj_check_fields(r->json, lift_spec, "body", err);
	if (rc)
		return rc;
	rc = triage_or_reply(r, &t, err);
	if (rc)
		return rc;
	http_detail(r, "hold=%.64s", hj_str(r->json, "hold"));
	snprintf(who, sizeof(who), "C%lld", (long long)r->case_id);
	http_write_lock(r);
	rc = triage_lift_request(t, who, hj_str(r->json, "hold"), hj_str(r->json, "reason"),
				 r->user.name, &id, err);
	http_write_unlock(r);
	if (rc == UC_EUSAGE)
		rc = UC_EINPUT;
	if (rc)
		return rc;
	http_detail(r, " lift_id=%lld", (long long)id);
	rc = triage_lift_get(r->st, id, &l, err);
	if (rc)
		return rc;
	r->out = lift_json(&l);
	r->status = 201;
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

static const struct hj_field decide_spec[] = {
    {"decision", HJ_STRING, 1},
    {"note", HJ_STRING, 0},
    {NULL, 0, 0},
};

int api_case_lift_decide(struct http_req *r, struct uc_err *err)
{
	struct triage *t;
	struct triage_lift l;
	const char *decision;
	long long id = 0;
	int rc;

	rc = hj_check_fields(r->json, decide_spec, "body", err);
	if (rc)
		return rc;
	decision = hj_str(r->json, "decision");
	if (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0 &&
	    strcmp(decision, "withdraw") != 0)
		return uc_error(err, UC_EINPUT, "body.decision: approve, reject or withdraw");
	rc = http_param_int("hold lift id", r->params[1], 1, INT64_MAX, &id, err);
	if (rc)
		return rc;
	rc = triage_or_reply(r, &t, err);
	if (rc)
		return rc;
	http_detail(r, "lift_id=%lld decision=%s", id, decision);
	r->action_override = strcmp(decision, "approve") == 0  ? "hold_lift.approve"
			     : strcmp(decision, "reject") == 0 ? "hold_lift.reject"
							       : "hold_lift.withdraw";
	/* an approval is an override, which only the roles that may override
	 * (supervisor of the office, admin) make: the route's capability */
	http_write_lock(r);
	rc = triage_lift_decide(t, id, r->case_id, decision, r->user.name, hj_str(r->json, "note"),
				&l, err);
	http_write_unlock(r);
	if (rc == UC_EUSAGE)
		rc = UC_EINPUT;
	if (rc)
		return rc;
	http_detail(r, " hold=%.64s", l.hold);
	r->out = lift_json(&l);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

struct lift_scan {
	struct http_req *r;
	json_t *items;
};

static int lift_visible_into(void *arg, const struct triage_lift *l, struct uc_err *err)
{
	struct lift_scan *ls = arg;
	int visible = 0, rc;

	rc = api_case_visible(ls->r->st, &ls->r->user, l->case_id, &visible, err);
	if (rc == UC_ENOTFOUND)
		return UC_OK;
	if (rc || !visible)
		return rc;
	return lift_into(ls->items, l, err);
}

int api_lifts_pending(struct http_req *r, struct uc_err *err)
{
	struct lift_scan ls = {r, json_array()};
	int rc;

	rc = triage_lift_list(r->st, 0, 1, lift_visible_into, &ls, err);
	if (rc) {
		json_decref(ls.items);
		return rc;
	}
	r->out = json_pack("{s:o}", "items", ls.items);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}
