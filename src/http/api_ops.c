/*
 * api_ops.c - the analysts' and overseers' endpoints: linkage review,
 * triage runs and rule-set diffs, feed upload, and the oversight and
 * failure-to-appear reports. Each calls the module that owns the work
 * (link_review/link_decide, triage_run, rules_eval, ingest_feed,
 * report_oversight/report_fta); none holds domain logic of its own.
 *
 * These operations commit in their module's own transaction; their audit
 * entry is written by the server right after (server.c), and a request
 * whose entry cannot be written is answered 503.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/date.h"
#include "http/api.h"
#include "http/hjson.h"
#include "ingest/ingest.h"
#include "link/link.h"
#include "report/report.h"
#include "rules/rules.h"
#include "triage/facts.h"
#include "triage/queue.h"
#include "triage/rdiff.h"
#include "triage/triage.h"

#define REVIEW_MAX 200
#define RUNS_MAX 200
#define FEED_NAME_MAX 100

/* ---- linkage review ---- */

struct review_ctx {
	struct hj_out *o;   /* builder */
	json_t *items;	    /* array being filled */
	struct http_req *r; /* for the audit detail */
	int n;		    /* items so far */
};

static json_t *side_json(const struct link_side *s)
{
	return json_pack("{s:s,s:I,s:I,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "table", s->tbl, "rid",
			 (json_int_t)s->rid, "person_id", (json_int_t)s->person, "a_number",
			 s->a_number, "family_name", s->family, "given_name", s->given,
			 "birth_date", s->birth_date, "sex", s->sex, "country", s->country);
}

static int review_item(const struct link_review_item *it, void *arg)
{
	struct review_ctx *c = arg;

	json_t *prio =
	    it->stake.prio == INT64_MIN ? json_null() : json_integer((json_int_t)it->stake.prio);

	hj_append_new(c->o, c->items,
		      json_pack("{s:I,s:f,s:f,s:s?,s:s?,s:o,s:o,s:s,s:o}", "pair_id",
				(json_int_t)it->pair_id, "posterior", it->posterior, "score",
				it->score, "vector", it->vector, "reason", it->reason, "a",
				side_json(&it->a), "b", side_json(&it->b), "enforcement",
				it->stake.enforcement == 2   ? "open"
				: it->stake.enforcement == 1 ? "held"
							     : "none",
				"priority", prio));
	http_detail(c->r, "%s%lld", c->n ? "," : "pairs=", (long long)it->pair_id);
	c->n++;
	return c->o->failed;
}

int api_link_review(struct http_req *r, struct uc_err *err)
{
	long long limit = 50;
	struct queue_stakes *qs = NULL;
	struct review_ctx c;
	struct hj_out o;
	int rc = UC_OK;

	if (http_query(r, "limit"))
		rc = http_param_int("limit", http_query(r, "limit"), 1, REVIEW_MAX, &limit, err);
	if (rc)
		return rc;
	hj_out_init(&o);
	c.o = &o;
	c.items = json_array();
	c.r = r;
	c.n = 0;
	snprintf(r->target, sizeof(r->target), "link:review");
	/* what a decision puts at stake first (enforcement tasks, triage
	 * priority), then the most likely */
	rc = queue_stakes_open(r->st, &qs, err);
	if (!rc)
		rc = link_review_ranked(r->st, (long)limit, queue_review_stake, qs, review_item, &c,
					err);
	queue_stakes_close(qs);
	hj_set_new(&o, o.root, "items", c.items);
	return http_reply_json(r, &o, rc, err);
}

static const struct hj_field decide_spec[] = {
    {"decision", HJ_STRING, 1},
    {"reason", HJ_STRING, 1},
    {NULL, 0, 0},
};

/* A reviewer's reason (link decisions, merges, splits). */
static int reason_check(const char *reason, struct uc_err *err)
{
	if (strlen(reason) < 3 || strlen(reason) > 2000)
		return uc_error(err, UC_EINPUT, "body.reason: say why in 3 to 2000 characters");
	return UC_OK;
}

int api_link_decide(struct http_req *r, struct uc_err *err)
{
	const char *decision, *reason;
	long long id = 0;
	int accept, rc;

	rc = http_param_int("pair id", r->params[0], 1, INT64_MAX, &id, err);
	if (rc)
		return uc_error(err, UC_ENOTFOUND, "no review pair '%.40s'", r->params[0]);
	snprintf(r->target, sizeof(r->target), "link_pair:%lld", id);
	rc = hj_check_fields(r->json, decide_spec, "body", err);
	if (rc)
		return rc;
	decision = hj_str(r->json, "decision");
	reason = hj_str(r->json, "reason");
	if (strcmp(decision, "accept") != 0 && strcmp(decision, "reject") != 0)
		return uc_error(err, UC_EINPUT, "body.decision: 'accept' or 'reject'");
	rc = reason_check(reason, err);
	if (rc)
		return rc;
	accept = decision[0] == 'a';
	http_detail(r, "decision=%s", decision);
	rc = link_decide(r->st, id, accept, reason, r->user.name, err);
	if (rc)
		return rc;
	r->out = json_pack("{s:I,s:s}", "pair_id", (json_int_t)id, "decision", decision);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

#define SPLIT_MAX 100 /* records one split may move */

static const struct hj_field merge_spec[] = {
    {"keep", HJ_INT, 1},
    {"other", HJ_INT, 1},
    {"reason", HJ_STRING, 1},
    {NULL, 0, 0},
};

/* POST /link/merge: person other joins person keep (link_merge). */
int api_link_merge(struct http_req *r, struct uc_err *err)
{
	json_int_t keep, other;
	int rc;

	rc = hj_check_fields(r->json, merge_spec, "body", err);
	if (rc)
		return rc;
	keep = json_integer_value(json_object_get(r->json, "keep"));
	other = json_integer_value(json_object_get(r->json, "other"));
	if (keep < 1 || other < 1 || keep == other)
		return uc_error(err, UC_EINPUT, "body.keep, body.other: two different person ids");
	rc = reason_check(hj_str(r->json, "reason"), err);
	if (rc)
		return rc;
	snprintf(r->target, sizeof(r->target), "person:%lld", (long long)keep);
	http_detail(r, "merged=%lld", (long long)other);
	rc = link_merge(r->st, keep, other, hj_str(r->json, "reason"), r->user.name, err);
	if (rc)
		return rc;
	r->out = json_pack("{s:I,s:I}", "person", keep, "merged", other);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

static const struct hj_field split_spec[] = {
    {"person", HJ_INT, 1},
    {"records", HJ_ARRAY, 1},
    {"reason", HJ_STRING, 1},
    {NULL, 0, 0},
};

/* POST /link/split: records ("TABLE:RID") leave person for a new person
 * (link_split). */
int api_link_split(struct http_req *r, struct uc_err *err)
{
	const char *recs[SPLIT_MAX];
	json_t *arr, *v;
	json_int_t person;
	int64_t newp = 0;
	size_t i, n;
	int rc;

	rc = hj_check_fields(r->json, split_spec, "body", err);
	if (rc)
		return rc;
	person = json_integer_value(json_object_get(r->json, "person"));
	arr = json_object_get(r->json, "records");
	n = json_array_size(arr);
	if (person < 1)
		return uc_error(err, UC_EINPUT, "body.person: a person id");
	if (n < 1 || n > SPLIT_MAX)
		return uc_error(err, UC_EINPUT, "body.records: 1 to %d records, each \"TABLE:RID\"",
				SPLIT_MAX);
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v) || !strchr(json_string_value(v), ':'))
			return uc_error(
			    err, UC_EINPUT,
			    "body.records[%zu]: \"TABLE:RID\", e.g. \"cbp_encounter:17\"", i);
		recs[i] = json_string_value(v);
	}
	rc = reason_check(hj_str(r->json, "reason"), err);
	if (rc)
		return rc;
	snprintf(r->target, sizeof(r->target), "person:%lld", (long long)person);
	http_detail(r, "records=%zu", n);
	rc = link_split(r->st, person, recs, (int)n, hj_str(r->json, "reason"), r->user.name, &newp,
			err);
	if (rc)
		return rc;
	http_detail(r, " new_person=%lld", (long long)newp);
	r->out = json_pack("{s:I,s:I}", "person", person, "new_person", (json_int_t)newp);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

/* ---- triage runs and rule-set diffs ---- */

int api_triage_runs(struct http_req *r, struct uc_err *err)
{
	long long limit = 20;
	struct hj_out o;
	struct hj_rows rows;
	int rc = UC_OK;

	hj_out_init(&o);
	rows.o = &o;
	rows.arr = json_array();
	rows.n = 0;
	rows.last_id = 0;
	if (http_query(r, "limit"))
		rc = http_param_int("limit", http_query(r, "limit"), 1, RUNS_MAX, &limit, err);
	if (!rc)
		rc = triage_runs(r->st, limit, hj_rows_add, &rows, err);
	hj_set_new(&o, o.root, "items", rows.arr);
	return http_reply_json(r, &o, rc, err);
}

static const struct hj_field run_spec[] = {
    {"force_project", HJ_BOOL, 0},
    {NULL, 0, 0},
};

int api_triage_start(struct http_req *r, struct uc_err *err)
{
	struct triage_opts opts = {NULL, NULL, date_today()};
	struct triage_stats s;
	struct triage *t = NULL;
	struct hj_out o;
	int rc, force;

	rc = hj_check_fields(r->json, run_spec, "body", err);
	if (rc)
		return rc;
	force = json_is_true(json_object_get(r->json, "force_project"));
	snprintf(r->target, sizeof(r->target), "triage:run");
	memset(&s, 0, sizeof(s));
	rc = triage_open(&t, r->st, &opts, err);
	if (rc == UC_ENOTFOUND || rc == UC_EUSAGE)
		rc = uc_error(err, UC_ECONFLICT,
			      "no active rule set yet: run `uctrack triage --rules FILE` "
			      "once from the command line (%s)",
			      err->msg);
	if (!rc)
		rc = triage_run(t, force, &s, err);
	triage_close(t);
	if (rc)
		return rc;
	http_detail(r, "rule_set=%s cases=%lld changed=%lld", s.rs_hash, (long long)s.cases,
		    (long long)s.changed);
	hj_out_init(&o);
	hj_set_str(&o, o.root, "rule_set", s.rs_hash);
	hj_set_int(&o, o.root, "cases", s.cases);
	hj_set_int(&o, o.root, "changed", s.changed);
	hj_set_int(&o, o.root, "tasks", s.tasks);
	hj_set_int(&o, o.root, "inactive", s.inactive);
	hj_set_int(&o, o.root, "lapsed", s.lapsed);
	hj_set_bool(&o, o.root, "projected", s.projected);
	r->status = 201;
	return http_reply_json(r, &o, UC_OK, err);
}

/* Compile the stored rule set with hash (NULL: the active one); a
 * missing one is named with where to find the others. */
static int stored_rules(struct store *st, const char *hash, struct rules **out, struct uc_err *err)
{
	int rc = triage_ruleset_compile(st, hash, out, err);

	if (rc == UC_ENOTFOUND)
		rc = hash ? uc_error(err, UC_ENOTFOUND,
				     "no stored rule set %.20s; GET /api/v1/triage/runs "
				     "lists the ones used",
				     hash)
			  : uc_error(err, UC_ENOTFOUND,
				     "no active rule set yet: start a triage run first");
	return rc;
}

static const struct hj_field diff_spec[] = {
    {"from", HJ_STRING, 0},
    {"to", HJ_STRING, 0},
    {"to_source", HJ_STRING, 0},
    {NULL, 0, 0},
};

int api_triage_diff(struct http_req *r, struct uc_err *err)
{
	const char *from, *to, *src;
	struct rules *ra = NULL, *rb = NULL;
	struct rdiff d = {0};
	json_t *moves;
	struct hj_out o;
	int rc;

	hj_out_init(&o);
	rc = hj_check_fields(r->json, diff_spec, "body", err);
	if (rc)
		goto out;
	from = hj_str(r->json, "from");
	to = hj_str(r->json, "to");
	src = hj_str(r->json, "to_source");
	if ((to != NULL) == (src != NULL)) {
		rc = uc_error(err, UC_EINPUT,
			      "body: give either 'to' (a stored rule set hash) or "
			      "'to_source' (rule set text), not both");
		goto out;
	}
	if (src && strlen(src) > 1024 * 1024) {
		rc = uc_error(err, UC_EINPUT, "body.to_source: larger than 1 MiB");
		goto out;
	}
	rc = stored_rules(r->st, from, &ra, err);
	if (!rc)
		rc = src ? rules_compile(&rb, "to_source", src, strlen(src), facts_schema(), err)
			 : stored_rules(r->st, to, &rb, err);
	if (!rc)
		rc = rdiff_run(r->st, ra, rb, 1, &d, err);
	if (rc)
		goto out;
	moves = json_array();
	for (int i = 0; i < d.nmoves; i++)
		hj_append_new(&o, moves,
			      json_pack("{s:s,s:s,s:I,s:I}", "from", d.moves[i].from, "to",
					d.moves[i].to, "n_cases", (json_int_t)d.moves[i].n,
					"example_case_id", (json_int_t)d.moves[i].sample[0]));
	hj_set_str(&o, o.root, "from", rules_hash(ra));
	hj_set_str(&o, o.root, "to", rules_hash(rb));
	hj_set_int(&o, o.root, "cases", d.total);
	hj_set_int(&o, o.root, "moved", d.moved);
	hj_set_new(&o, o.root, "moves", moves);
out:
	rdiff_release(&d);
	rules_free(ra);
	rules_free(rb);
	return http_reply_json(r, &o, rc, err);
}

/* ---- feed upload ---- */

static int feed_known(const char *f)
{
	static const char *const feeds[] = {"cbp", "orr", "eoir", "ice", "events", NULL};

	for (const char *const *p = feeds; *p; p++)
		if (strcmp(*p, f) == 0)
			return 1;
	return 0;
}

static int name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > FEED_NAME_MAX || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* The importer's messages, one per line, with the temporary directory
 * taken out of the file names, as a JSON array of strings. */
static json_t *diag_lines(const char *text, const char *dir)
{
	json_t *a = json_array();
	size_t dl = strlen(dir);

	for (const char *p = text; p && *p && json_array_size(a) < 100;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char line[600];
		const char *at;

		snprintf(line, sizeof(line), "%.*s", (int)(n < 599 ? n : 599), p);
		at = strstr(line, dir);
		if (at && at[dl] == '/')
			memmove((char *)at, at + dl + 1, strlen(at + dl + 1) + 1);
		if (line[0])
			json_array_append_new(a, json_string(line));
		p = e ? e + 1 : NULL;
	}
	return a;
}

int api_feed_upload(struct http_req *r, struct uc_err *err)
{
	const char *feed = r->params[0], *name = http_query(r, "name");
	char dir[] = "/tmp/uctrack-upload.XXXXXX";
	char path[sizeof(dir) + FEED_NAME_MAX + 8];
	struct ingest_opts opts;
	struct ingest_ctx *ic = NULL;
	struct ingest_stats s;
	char *diag = NULL, *paths[1];
	size_t dlen = 0;
	FILE *df = NULL, *f = NULL;
	struct hj_out o;
	int rc, made = 0;

	hj_out_init(&o);
	if (!feed_known(feed)) {
		rc = uc_error(err, UC_ENOTFOUND,
			      "no feed '%.40s'; feeds are cbp, orr, eoir, ice, events", feed);
		goto out;
	}
	if (!name_ok(name)) {
		rc = uc_error(err, UC_EINPUT,
			      "name: the file's name, 1 to %d of A-Z a-z 0-9 . _ - (not "
			      "starting with '.'), e.g. ?name=encounters.csv",
			      FEED_NAME_MAX);
		goto out;
	}
	if (r->body.len == 0) {
		rc = uc_error(err, UC_EINPUT, "empty body: send the feed file's bytes");
		goto out;
	}
	memset(&opts, 0, sizeof(opts));
	if (strcmp(feed, "eoir") == 0) {
		const char *why = NULL;

		opts.lk = http_eoir_lookup(r->srv, &why);
		if (!opts.lk) {
			rc = uc_error(err, UC_ECONFLICT,
				      "this server has no EOIR lookup tables (%s), so it "
				      "cannot import EOIR files; nothing was stored. Ask an "
				      "admin to set [eoir] lookup in the config or "
				      "$UCTRACK_EOIR_LOOKUP to lookup_tables_combined.csv "
				      "and restart the server",
				      why);
			goto out;
		}
	}
	/* the notes of screening and welfare events are sealed with it */
	opts.note_key = http_note_key(r->srv);
	snprintf(r->target, sizeof(r->target), "feed:%s", feed);
	http_detail(r, "name=%s bytes=%zu", name, r->body.len);
	if (!mkdtemp(dir)) {
		rc = uc_error(err, UC_EIO, "cannot create a temporary directory: %s",
			      strerror(errno));
		goto out;
	}
	made = 1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wbx");
	if (!f || fwrite(r->body.ptr, 1, r->body.len, f) != r->body.len || fclose(f) != 0) {
		f = NULL;
		rc = uc_error(err, UC_EIO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	f = NULL;
	df = open_memstream(&diag, &dlen);
	opts.quiet = 1;
	opts.diag = df;
	opts.out = df;
	memset(&s, 0, sizeof(s));
	paths[0] = path;
	rc = ingest_open(&ic, r->st, &opts, err);
	if (!rc)
		rc = ingest_feed(ic, feed, paths, 1, &s, err);
	ingest_free(ic);
	fclose(df);
	df = NULL;
	http_detail(r, " rows_new=%ld rejected=%ld", s.rows_new, s.rows_rejected);
	if (rc) {
		/* Nothing of the file was stored: say where and what to fix. */
		r->problem_ext = json_pack("{s:o}", "errors", diag_lines(diag, dir));
		if (rc != UC_EIO && rc != UC_ENOMEM)
			rc = uc_error(err, UC_EINPUT,
				      "%s was not imported (nothing stored); fix the errors "
				      "listed and send it again",
				      name);
		goto out;
	}
	hj_set_str(&o, o.root, "feed", feed);
	hj_set_str(&o, o.root, "name", name);
	hj_set_int(&o, o.root, "rows_read", s.rows_read);
	hj_set_int(&o, o.root, "rows_new", s.rows_new);
	hj_set_int(&o, o.root, "rows_same", s.rows_same);
	hj_set_int(&o, o.root, "rows_repaired", s.rows_repaired);
	hj_set_int(&o, o.root, "warnings", s.warnings);
	hj_set_new(&o, o.root, "messages", diag_lines(diag, dir));
	r->status = 201;
out:
	if (df)
		fclose(df);
	free(diag);
	if (made) {
		unlink(path);
		rmdir(dir);
	}
	return http_reply_json(r, &o, rc, err);
}

/* ---- reports ---- */

/* Report options from the query: as_of, by, format. */
static int report_query(struct http_req *r, struct report_opts *o, int allow_by, struct uc_err *err)
{
	const char *as_of = http_query(r, "as_of");
	const char *by = http_query(r, "by");
	const char *fmt = http_query(r, "format");

	if (as_of && (strlen(as_of) != 10 || date_parse(as_of, 10, &o->as_of) != 0))
		return uc_error(err, UC_EINPUT, "as_of: a date YYYY-MM-DD");
	if (allow_by && by && report_by_parse(by, &o->by) != 0)
		return uc_error(err, UC_EINPUT,
				"by: one of fy, office, state, country, group, phase");
	const char *chart = http_query(r, "chart");
	const char *lang = http_query(r, "lang");

	o->format = REPORT_FMT_JSON;
	if (fmt && (report_format_parse(fmt, &o->format) != 0 || o->format == REPORT_FMT_TABLE ||
		    (!allow_by && (o->format == REPORT_FMT_HTML || o->format == REPORT_FMT_SVG))))
		return uc_error(err, UC_EINPUT,
				allow_by ? "format: json, csv, html or svg"
					 : "format: json or csv");
	/* format=svg: one chart, its words in lang (docs/api.md) */
	if ((chart || lang) && o->format != REPORT_FMT_SVG)
		return uc_error(err, UC_EINPUT, "chart, lang: only with format=svg");
	if (chart && report_chart_parse(chart, &o->chart) != 0)
		return uc_error(
		    err, UC_EINPUT,
		    "chart: one of funnel, whereabouts, rates, released_by, unknown_by");
	if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "es") != 0)
		return uc_error(err, UC_EINPUT, "lang: en or es");
	o->lang = lang && strcmp(lang, "es") == 0 ? "es" : NULL;
	if (o->format == REPORT_FMT_CSV)
		r->ctype = "text/csv; charset=utf-8";
	else if (o->format == REPORT_FMT_HTML)
		r->ctype = "text/html; charset=utf-8";
	else if (o->format == REPORT_FMT_SVG)
		r->ctype = "image/svg+xml; charset=utf-8";
	return UC_OK;
}

/* ---- report snapshots (report.h "Snapshots") ---- */

/* What a snapshot is computed from: the report and its options. */
struct snap_job {
	char key[256];		 /* report_snapshot.key */
	int fta;		 /* 1 report_fta, 0 report_oversight */
	struct report_opts o;	 /* options; o.office points into office */
	char office[64];	 /* FTA office scope, "" all */
	struct http_server *srv; /* its server: the write lock */
};

/* Compute the report into out and keep it, under the watermark read
 * before computing (data arriving meanwhile makes it stale, not wrong). */
static int snap_compute(struct store *st, struct snap_job *j, struct buf *out, struct uc_err *err)
{
	char wm[REPORT_WM_LEN];
	struct report_opts o = j->o;
	int rc = report_watermark(st, wm, err);

	o.office = j->office[0] ? j->office : NULL;
	if (!rc)
		rc = j->fta ? report_fta(st, &o, out, err) : report_oversight(st, &o, out, err);
	if (rc)
		return rc;
	http_server_write_lock(j->srv, 1);
	rc = store_begin(st, err);
	if (!rc)
		rc = report_snapshot_put(st, j->key, wm, out, err);
	/* the FTA list child by child too, for pages (?limit=&cursor=) */
	if (!rc && j->fta && j->o.format == REPORT_FMT_JSON)
		rc = report_snapshot_put_rows(st, j->key, out, "children", err);
	if (!rc)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	http_server_write_lock(j->srv, 0);
	return rc;
}

/* Background job: the snapshot of j, unless a current one exists (jobs
 * of requests waiting for the same report are queued one each). */
static int snap_bg(struct store *st, void *arg, struct uc_err *err)
{
	struct snap_job *j = arg;
	char wm[REPORT_WM_LEN], have[REPORT_WM_LEN], made[24];
	struct buf out;
	int found = 0, rc;

	buf_init(&out, (size_t)512 * 1024 * 1024);
	rc = report_watermark(st, wm, err);
	if (!rc)
		rc = report_snapshot_get(st, j->key, &out, have, made, &found, err);
	if (!rc && !(found && strcmp(wm, have) == 0)) {
		buf_reset(&out);
		rc = snap_compute(st, j, &out, err);
	}
	buf_release(&out);
	return rc;
}

/* Seconds since made_at (YYYY-MM-DDTHH:MM:SSZ); large when unreadable. */
static double snap_age(const char *made)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(made, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return 1e9;
	return difftime(time(NULL), timegm(&tm));
}

static void snap_free(void *arg)
{
	free(arg);
}

/* Answer a report from its snapshot: current ones as they are, stale ones
 * too (X-Report-Snapshot says so) while a new one is computed in the
 * background; with none yet, the request waits (suspended, its worker
 * thread free) for the background thread to compute it, or computes it
 * itself under the batch deadline when it cannot wait. */
/* A page of the FTA list from the snapshot's rows: limit children after
 * position after. *served is 0 when the snapshot has no rows (made before
 * they were kept): the caller serves the whole list. */
static int fta_page(struct http_req *r, const char *key, int64_t after, int limit, int *served,
		    struct uc_err *err)
{
	int64_t last = 0;
	int n = 0, rc;

	buf_reset(&r->text);
	buf_adds(&r->text, "{\"report\":\"fta\",\"children\":[");
	rc = report_snapshot_page(r->st, key, after, limit, &r->text, &last, &n, err);
	*served = !rc && (n > 0 || after > 0);
	if (rc || !*served)
		return rc;
	if (n == limit)
		buf_addf(&r->text, "],\"next_cursor\":\"%lld\"}", (long long)last);
	else
		buf_adds(&r->text, "],\"next_cursor\":null}");
	return buf_failed(&r->text) ? uc_error(err, UC_ENOMEM, "response too large") : UC_OK;
}

static int report_served(struct http_req *r, int fta, const struct report_opts *o,
			 int64_t page_after, int page_limit, struct uc_err *err)
{
	struct snap_job *j = uc_xcalloc(1, sizeof(*j));
	char wm[REPORT_WM_LEN], have_wm[REPORT_WM_LEN], made[24], today[11];
	int found = 0, rc;

	j->fta = fta;
	j->o = *o;
	j->srv = r->srv;
	snprintf(j->office, sizeof(j->office), "%s", o->office ? o->office : "");
	j->o.office = NULL;
	/* "today" is part of the key: a report of the default date expires
	 * with the day */
	date_format(date_today(), today);
	snprintf(j->key, sizeof(j->key),
		 "%s|as_of=%ld|known=%ld|by=%d|fmt=%d|id=%d|pub=%d|"
		 "thr=%d|days=%d|office=%s|today=%s|chart=%d|lang=%s",
		 fta ? "fta" : "oversight", (long)o->as_of, (long)o->known_at, (int)o->by,
		 (int)o->format, (int)o->identity, o->public_mode, o->threshold, o->unknown_days,
		 j->office, today, (int)o->chart, o->lang ? o->lang : "");
	rc = report_watermark(r->st, wm, err);
	if (!rc)
		rc = report_snapshot_get(r->st, j->key, page_limit ? NULL : &r->text, have_wm, made,
					 &found, err);
	if (rc)
		goto out;
	if (found && page_limit) {
		int served = 0;

		rc = fta_page(r, j->key, page_after, page_limit, &served, err);
		if (!rc && !served)
			rc = report_snapshot_get(r->st, j->key, &r->text, have_wm, made, &found,
						 err);
		if (rc)
			goto out;
	}
	if (found) {
		int current = strcmp(wm, have_wm) == 0;

		snprintf(r->snapshot, sizeof(r->snapshot), "%s; %s", made,
			 current ? "current" : "stale; a new one is being computed");
		/* Under a steady stream of writes every snapshot is stale: one
		 * recomputation per report every report_refresh seconds at
		 * most, so that the background thread does not take a core
		 * from the requests. */
		if (!current && snap_age(made) >= http_report_refresh_s(r)) {
			http_background(r->srv, j->key, snap_bg, j, snap_free);
			j = NULL;
		}
		goto out;
	}
	if (http_wait_background(r, j->key, snap_bg, j, snap_free)) {
		j = NULL;
		goto out;
	}
	http_batch_deadline(r);
	buf_reset(&r->text);
	rc = snap_compute(r->st, j, &r->text, err);
	if (!rc && page_limit) {
		int served = 0;

		rc = fta_page(r, j->key, page_after, page_limit, &served, err);
		if (!rc && !served)
			rc = snap_compute(r->st, j, &r->text, err);
	}
	if (!rc)
		snprintf(r->snapshot, sizeof(r->snapshot), "now; current");
out:
	free(j);
	if (rc)
		buf_reset(&r->text);
	return rc;
}

int api_report_oversight(struct http_req *r, struct uc_err *err)
{
	struct report_opts o = REPORT_OPTS_INIT;
	const char *pub = http_query(r, "public");
	int rc;

	rc = report_query(r, &o, 1, err);
	if (rc)
		return rc;
	if (pub && strcmp(pub, "true") != 0 && strcmp(pub, "false") != 0)
		return uc_error(err, UC_EINPUT, "public: true or false");
	o.public_mode = pub && strcmp(pub, "true") == 0;
	/* Auditors see aggregates only in publishable (suppressed) form. */
	if (!auth_sees_pii(&r->user))
		o.public_mode = 1;
	snprintf(r->target, sizeof(r->target), "report:oversight");
	/* the unsuppressed counts are audited like personal data */
	r->audit_read = !o.public_mode;
	http_detail(r, "by=%s public=%d%s%s", report_by_name(o.by), o.public_mode,
		    o.format == REPORT_FMT_SVG ? " chart=" : "",
		    o.format == REPORT_FMT_SVG ? report_chart_name(o.chart) : "");
	return report_served(r, 0, &o, 0, 0, err);
}

#define FTA_PAGE_MAX 500

int api_report_fta(struct http_req *r, struct uc_err *err)
{
	struct report_opts o = REPORT_OPTS_INIT;
	long long limit = 0, cursor = 0;
	size_t nkids = 0;
	int rc;

	rc = report_query(r, &o, 0, err);
	if (rc)
		return rc;
	/* A supervisor (or officer) with a field office sees that office's
	 * children only; roles without an office scope see all. */
	if (r->user.office[0])
		o.office = r->user.office;
	if (http_query(r, "limit"))
		rc = http_param_int("limit", http_query(r, "limit"), 1, FTA_PAGE_MAX, &limit, err);
	if (!rc && http_query(r, "cursor"))
		rc = http_param_int("cursor", http_query(r, "cursor"), 0, INT64_MAX, &cursor, err);
	if (!rc && (limit || cursor) && o.format != REPORT_FMT_JSON)
		rc = uc_error(err, UC_EINPUT,
			      "limit, cursor: pages are JSON only; "
			      "format=csv exports the whole list");
	if (rc)
		return rc;
	if (cursor && !limit)
		limit = 50;
	snprintf(r->target, sizeof(r->target), "report:fta");
	rc = report_served(r, 1, &o, cursor, (int)limit, err);
	if (rc)
		return rc;
	/* every child the list names is audited by name */
	buf_reset(&r->subjects);
	if (report_fta_subjects(r->text.ptr, r->text.len, &r->subjects, &nkids))
		return uc_error(err, UC_ENOMEM, "report fta: list too large to audit");
	http_detail(r, "format=%s bytes=%zu children=%zu",
		    http_query(r, "format") ? http_query(r, "format") : "json", r->text.len, nkids);
	return UC_OK;
}
