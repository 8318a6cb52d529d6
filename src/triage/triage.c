/*
 * triage.c - triage runs, one-case re-triage, explanations, overrides
 * (triage.h).
 */
#include "triage/triage.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/anum.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/progress.h"
#include "triage/office.h"
#include "triage/project.h"

#define FILE_CAP (4u << 20)
#define MAX_OVR 8

struct ovr {
	int64_t id;	 /* triage_override.id */
	int64_t case_id; /* case */
	int kind;	 /* 0 group, 1 lift_hold */
	int index;	 /* group or hold index in the rule set, -1 unknown */
	int64_t fhash;	 /* facts hash when made */
};

struct triage {
	struct store *st;		  /* borrowed */
	struct rules *rs;		  /* compiled rule set, owned */
	char *rs_source;		  /* its text, owned */
	char *rs_file;			  /* its file name, owned */
	int rs_new;			  /* loaded from a file: store it on run */
	struct office_table *ot;	  /* field offices, owned, may be NULL */
	char *ot_text;			  /* their CSV text, owned, may be NULL */
	int ot_new;			  /* loaded from a file: store it on run */
	struct proj *pj;		  /* projector, owned */
	int32_t today;			  /* as-of day */
	uint64_t rs_key;		  /* seed of result hashes */
	uint64_t rule_h[RULES_MAX_RULES]; /* hash of each rule's name and group */
	uint64_t hold_h[RULES_MAX_HOLDS]; /* hash of each hold's name */
	int ntasks;			  /* rules_task_count() */
	int threads;			  /* triage_opts.threads */
	char today_s[11];		  /* same, as text */
	char now_s[32];			  /* run time, UTC */
	struct store_stmt *upd;		  /* UPDATE tcase */
	struct store_stmt *fact_up;	  /* upsert case_fact */
	struct store_stmt *fact_only;	  /* facts changed, result did not */
	int bulk;			  /* full rewrite: tasks deleted up front */
	struct old_tasks *before;	  /* bulk: each case's task actions before */
	size_t nbefore;			  /* entries in before */
	struct store_stmt *ins;		  /* INSERT tcase */
	struct store_stmt *del_tasks;	  /* DELETE tasks of a case */
	struct store_stmt *ins_task;	  /* INSERT task */
	struct store_stmt *sum_case;	  /* UPDATE tcase queue columns */
	struct store_stmt *old_tasks;	  /* actions of a case's tasks */
	struct store_stmt *log_close;	  /* INSERT task_log closure */
	struct store_stmt *last_log;	  /* latest task_log row of an action */
	struct store_stmt *get_case;	  /* case by id */
	struct store_stmt *get_ovr;	  /* active overrides of a case */
	struct store_stmt *lapse;	  /* mark an override lapsed */
	char *active;			  /* active rule set hash at open (NULL:
					     rules_path given), owned */
	int from_db;			  /* opened with NULL rules and offices
					     paths: triage_refresh() may reuse it */
	struct ovr *ovrs;		  /* full run: active overrides by case, owned */
	int novrs;			  /* count */
	int64_t lapsed;			  /* overrides lapsed in this call */
};

/* ------------------------------------------------------------ helpers */

static int read_file(const char *path, char **out, size_t *len, struct uc_err *err)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;
	int rc = UC_OK;

	*out = NULL;
	*len = 0;
	if (!f)
		return uc_error(err, UC_ENOTFOUND, "cannot open %s: %m; check the path", path);
	buf_init(&b, FILE_CAP);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f))
		rc = uc_error(err, UC_EIO, "cannot read %s: %m", path);
	else if (buf_failed(&b))
		rc = uc_error(err, UC_EINPUT, "%s: larger than %u bytes; is it the right file?",
			      path, FILE_CAP);
	fclose(f);
	if (rc) {
		buf_release(&b);
		return rc;
	}
	*out = buf_detach(&b, len);
	return UC_OK;
}

static int meta_get(struct store *st, const char *key, char **out, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	*out = NULL;
	rc = store_prepare(st, "SELECT value FROM triage_meta WHERE key = ?", &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, key, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		*out = uc_xstrdup(store_col_text(q, 0) ? store_col_text(q, 0) : "");
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

static int meta_set(struct store *st, const char *key, const char *value, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_prepare(st,
			   "INSERT INTO triage_meta(key, value) VALUES(?, ?) "
			   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, key, -1);
	store_bind_text(q, 2, value, -1);
	rc = store_step(q, err);
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int64_t triage_prio_key(int32_t score, const int32_t order[RULES_MAX_ORDER])
{
	int64_t s = score < 0 ? 0 : score > 0x3fffff ? 0x3fffff : score;
	int64_t key = s << 40;

	for (int k = 0; k < RULES_MAX_ORDER; k++) {
		int64_t v = order[k];

		if (v > 0x7ffff)
			v = 0x7ffff;
		if (v < -0x80000)
			v = -0x80000;
		/* smaller tie-break values sort first: invert into the key */
		key |= (0xfffff - (v + 0x80000)) << (20 * (1 - k));
	}
	return key;
}

/* ------------------------------------------------------------ open */

int triage_open(struct triage **out, struct store *st, const struct triage_opts *o,
		struct uc_err *err)
{
	struct triage *t = uc_xcalloc(1, sizeof(*t));
	char *hash = NULL;
	size_t len = 0;
	int rc;
	time_t now = time(NULL);
	struct tm tm;

	*out = NULL;
	t->st = st;
	t->today = o->today;
	date_format(t->today, t->today_s);
	gmtime_r(&now, &tm);
	strftime(t->now_s, sizeof(t->now_s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	{
		struct store_stmt *probe = NULL;

		rc = store_prepare(st, "SELECT case_id FROM case_fact LIMIT 1", &probe, err);
		store_finalize(probe);
		if (rc)
			rc = uc_error(
			    err, UC_ECONFLICT,
			    "%s: the triage tables come from a draft of 003_triage.sql (no table "
			    "case_fact); triage data is derived: drop tables task, "
			    "triage_override, "
			    "tcase, ruleset, triage_meta, triage_run and apply "
			    "src/store/migrations/003_triage.sql (bench/triage.sh does this)",
			    store_path(st));
		if (rc)
			goto fail;
	}
	if (o->rules_path) {
		rc = read_file(o->rules_path, &t->rs_source, &len, err);
		if (rc)
			goto fail;
		t->rs_file = uc_xstrdup(o->rules_path);
		t->rs_new = 1;
	} else {
		struct store_stmt *q = NULL;

		rc = meta_get(st, "active_ruleset", &hash, err);
		if (rc)
			goto fail;
		if (!hash) {
			rc = uc_error(err, UC_ENOTFOUND,
				      "%s: no rule set has been used yet; run `uctrack triage "
				      "--rules FILE` first",
				      store_path(st));
			goto fail;
		}
		rc = store_prepare(st, "SELECT source, file FROM ruleset WHERE hash = ?", &q, err);
		if (rc)
			goto fail;
		store_bind_text(q, 1, hash, -1);
		rc = store_step(q, err);
		if (rc == STORE_ROW) {
			t->rs_source = uc_xstrdup(store_col_text(q, 0));
			t->rs_file = uc_xstrdup(store_col_text(q, 1));
			len = strlen(t->rs_source);
			rc = UC_OK;
		} else if (rc == STORE_DONE) {
			rc = uc_error(err, UC_ECONFLICT,
				      "%s: active rule set %s is missing from table ruleset; run "
				      "`uctrack triage --rules FILE`",
				      store_path(st), hash);
		} else {
			rc = -rc;
		}
		store_finalize(q);
		if (rc)
			goto fail;
	}
	rc = rules_compile(&t->rs, t->rs_file, t->rs_source, len, facts_schema(), err);
	if (rc)
		goto fail;
	if (o->offices_path) {
		rc = read_file(o->offices_path, &t->ot_text, &len, err);
		if (rc)
			goto fail;
		t->ot_new = 1;
		rc = office_parse(&t->ot, o->offices_path, t->ot_text, len, err);
	} else {
		rc = meta_get(st, "offices", &t->ot_text, err);
		if (!rc && t->ot_text)
			rc = office_parse(&t->ot, "stored field-office table", t->ot_text,
					  strlen(t->ot_text), err);
	}
	if (rc)
		goto fail;
	rc = proj_open(&t->pj, st, err);
	if (rc)
		goto fail;
	t->ntasks = rules_task_count(t->rs);
	/* Result hashes name what fired rather than rule indexes, so that a
	 * new rule set that leaves a case's result as it was does not rewrite
	 * it (docs/triage.md, "Rule set changes"). */
	t->rs_key = 0x5eed;
	for (int r = 0; r < rules_rule_count(t->rs); r++) {
		const char *nm = rules_rule_name(t->rs, r);
		const char *g = rules_group_name(t->rs, rules_rule_group(t->rs, r));

		t->rule_h[r] = fnv(fnv(0xcbf29ce484222325ULL, nm, strlen(nm)), g, strlen(g));
	}
	for (int h = 0; h < rules_hold_count(t->rs); h++) {
		const char *nm = rules_hold_name(t->rs, h);
		uint64_t b = rules_hold_blocks(t->rs, h);

		t->hold_h[h] = fnv(fnv(0xcbf29ce484222325ULL, nm, strlen(nm)), &b, sizeof(b));
	}
	rc = store_prepare(
	    st,
	    "UPDATE tcase SET office = ?5, grp = ?6, score = ?7, prio = ?8, phase = ?9, "
	    "fired = ?10, holds = ?11, hold_names = ?12, rs_hash = ?13, triaged_at = ?15, "
	    "active = 1, next_action = ?18, next_due = ?19, n_open = ?20, n_held = ?21, "
	    "queued = ?22, birth_date = ?23 WHERE id = ?1",
	    &t->upd, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "INSERT INTO tcase(person_id, a_number, office, grp, score, prio, phase, "
		    "fired, holds, hold_names, rs_hash, triaged_at, next_action, next_due, "
		    "n_open, n_held, queued, birth_date) VALUES(?16, ?17, ?5, ?6, ?7, ?8, "
		    "?9, ?10, ?11, ?12, ?13, ?15, ?18, ?19, ?20, ?21, ?22, ?23)",
		    &t->ins, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "INSERT INTO case_fact(case_id, fhash, rhash, as_of, facts) "
		    "VALUES(?, ?, ?, ?, ?) ON CONFLICT(case_id) DO UPDATE SET "
		    "fhash = excluded.fhash, rhash = excluded.rhash, as_of = excluded.as_of, "
		    "facts = excluded.facts",
		    &t->fact_up, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "UPDATE case_fact SET fhash = ?2, as_of = ?3, facts = ?4 WHERE case_id = ?1",
		    &t->fact_only, err);
	if (!rc)
		rc = store_prepare(st, "DELETE FROM task WHERE case_id = ?", &t->del_tasks, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "INSERT INTO task(case_id, action, phase, office, grp, due, status, "
		    "held_by, prio, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    &t->ins_task, err);
	if (!rc)
		rc = store_prepare(st,
				   "UPDATE tcase SET next_action = ?2, next_due = ?3, n_open = ?4, "
				   "n_held = ?5, queued = ?6 WHERE id = ?1",
				   &t->sum_case, err);
	if (!rc)
		rc = store_prepare(st, "SELECT action FROM task WHERE case_id = ?", &t->old_tasks,
				   err);
	if (!rc)
		rc = store_prepare(st,
				   "INSERT INTO task_log(case_id, action, how, reason, at) "
				   "VALUES(?, ?, 'closed', ?, ?)",
				   &t->log_close, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT how FROM task_log WHERE case_id = ? AND action = ? "
				   "ORDER BY id DESC LIMIT 1",
				   &t->last_log, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "SELECT c.id, c.person_id, c.a_number, f.fhash, f.rhash, f.facts, f.as_of, "
		    "c.office, c.grp, c.score, c.prio, c.phase, c.fired, c.holds, c.rs_hash, "
		    "c.triaged_at FROM tcase c LEFT JOIN case_fact f ON f.case_id = c.id "
		    "WHERE c.id = ?",
		    &t->get_case, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT id, case_id, kind, value, fhash FROM triage_override "
				   "WHERE case_id = ? AND status = 'active' ORDER BY id",
				   &t->get_ovr, err);
	if (!rc)
		rc = store_prepare(st, "UPDATE triage_override SET status = 'lapsed' WHERE id = ?",
				   &t->lapse, err);
	if (rc)
		goto fail;
	t->active = hash;
	t->from_db = !o->rules_path && !o->offices_path;
	*out = t;
	return UC_OK;
fail:
	free(hash);
	triage_close(t);
	return rc;
}

static void set_now(struct triage *t, int32_t today)
{
	time_t now = time(NULL);
	struct tm tm;

	t->today = today;
	date_format(t->today, t->today_s);
	gmtime_r(&now, &tm);
	strftime(t->now_s, sizeof(t->now_s), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int triage_refresh(struct triage *t, int32_t today, int *stale, struct uc_err *err)
{
	char *hash = NULL, *offices = NULL;
	int rc;

	*stale = 1;
	if (!t->from_db)
		return UC_OK;
	rc = meta_get(t->st, "active_ruleset", &hash, err);
	if (!rc)
		rc = meta_get(t->st, "offices", &offices, err);
	if (!rc && same_str(hash, t->active) && same_str(offices, t->ot_text)) {
		*stale = 0;
		t->lapsed = 0;
		set_now(t, today);
	}
	free(hash);
	free(offices);
	return rc;
}

void triage_close(struct triage *t)
{
	if (!t)
		return;
	store_finalize(t->upd);
	store_finalize(t->fact_up);
	store_finalize(t->fact_only);
	store_finalize(t->ins);
	store_finalize(t->del_tasks);
	store_finalize(t->ins_task);
	store_finalize(t->sum_case);
	store_finalize(t->old_tasks);
	store_finalize(t->log_close);
	store_finalize(t->last_log);
	store_finalize(t->get_case);
	store_finalize(t->get_ovr);
	store_finalize(t->lapse);
	proj_close(t->pj);
	rules_free(t->rs);
	office_free(t->ot);
	free(t->ot_text);
	free(t->rs_source);
	free(t->rs_file);
	free(t->ovrs);
	free(t->active);
	free(t);
}

void triage_set_threads(struct triage *t, int threads)
{
	t->threads = threads;
}

const struct rules *triage_rules(const struct triage *t)
{
	return t->rs;
}

/* ------------------------------------------------------ evaluate one */

/* Everything stored about one case's result. */
struct result {
	struct rules_outcome o; /* raw outcome (holds after overrides) */
	int group;		/* after a group override */
	int overridden;		/* a group override applied */
	uint64_t lifted;	/* holds lifted by overrides */
	int64_t prio;		/* sort key */
	const char *office;	/* field office code (static or table-owned) */
	int32_t birth;		/* the birth_date fact, 0 when missing */
	uint64_t rhash;		/* hash of all of the above */
};

static int ovr_apply(struct triage *t, int64_t case_id, uint64_t fhash, const struct ovr *list,
		     int n, struct result *r, struct uc_err *err)
{
	for (int i = 0; i < n; i++) {
		const struct ovr *v = &list[i];
		int rc;

		if (v->case_id != case_id)
			continue;
		if ((uint64_t)v->fhash != fhash) {
			/* the facts changed since the supervisor decided: lapse */
			store_bind_int(t->lapse, 1, v->id);
			rc = store_step(t->lapse, err);
			store_reset(t->lapse);
			if (rc < 0)
				return -rc;
			t->lapsed++;
			continue;
		}
		if (v->index < 0)
			continue;
		if (v->kind == 0) {
			r->group = v->index;
			r->overridden = 1;
		} else if ((r->o.holds >> v->index) & 1) {
			r->o.holds &= ~((uint64_t)1 << v->index);
			r->lifted |= (uint64_t)1 << v->index;
		}
	}
	if (r->lifted)
		rules_recompute_blocked(t->rs, &r->o);
	return UC_OK;
}

static void evaluate(struct triage *t, const struct rules_facts *f, struct result *r)
{
	rules_eval(t->rs, f, &r->o);
	r->group = r->o.group;
	r->overridden = 0;
	r->lifted = 0;
	r->prio = triage_prio_key(r->o.score, r->o.order);
	r->office =
	    office_lookup(t->ot, rules_fact_missing(f, F_ADDRESS_STATE) ? 0 : f->v[F_ADDRESS_STATE],
			  rules_fact_missing(f, F_ADDRESS_ZIP3) ? -1 : f->v[F_ADDRESS_ZIP3]);
	r->birth = rules_fact_missing(f, F_BIRTH_DATE) ? 0 : f->v[F_BIRTH_DATE];
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h;
}

static uint64_t result_hash(const struct triage *t, const struct result *r)
{
	const struct rules *rs = t->rs;
	uint64_t h = t->rs_key, fired = 0, holds = 0;
	const char *g = rules_group_name(rs, r->group);
	int ph = rules_phase_number(rs, r->o.phase);

	for (int k = 0; k < rules_rule_count(rs); k++)
		if ((r->o.fired >> k) & 1)
			fired += t->rule_h[k];
	for (int k = 0; k < rules_hold_count(rs); k++)
		if ((r->o.holds >> k) & 1)
			holds += t->hold_h[k];
	h = mix(h, fnv(0, g, strlen(g)));
	h = mix(h, (uint64_t)(uint32_t)r->o.score << 8 | (uint64_t)ph);
	h = mix(h, (uint64_t)r->prio);
	h = mix(h, fired);
	h = mix(h, holds);
	for (int k = 0; k < t->ntasks; k++)
		if ((r->o.tasks >> k) & 1)
			h = mix(h,
				(uint64_t)rules_task_action(rs, k) << 32 | (uint32_t)r->o.due[k]);
	h = mix(h, fnv(0, r->office, strlen(r->office)));
	h = mix(h, (uint64_t)(uint32_t)r->birth);
	return h & 0x7fffffffffffffffULL;
}

static void hold_names(const struct rules *rs, uint64_t holds, uint32_t action_mask, char *out,
		       size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (int h = 0; h < rules_hold_count(rs); h++) {
		int w;

		if (!((holds >> h) & 1))
			continue;
		if (action_mask && !(rules_hold_blocks(rs, h) & action_mask))
			continue;
		w = snprintf(out + used, n - used, "%s%s", used ? "," : "", rules_hold_name(rs, h));
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

/* The bit of a task's action (enum action), 0 for none. */
static uint32_t action_bit(const char *a)
{
	for (int k = 0; a && k < ACTION_COUNT; k++)
		if (strcmp(a, facts_action_name(k)) == 0)
			return 1u << k;
	return 0;
}

/* A case's task actions before a bulk rewrite (sorted by case_id). */
struct old_tasks {
	int64_t case_id;
	uint32_t actions; /* bits of enum action */
};

/* Every case's task actions, read before a bulk run deletes the tasks,
 * so that the tasks its facts no longer call for are logged closed
 * (task_log) as a case's own re-triage logs them. */
static int load_before(struct triage *t, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	size_t cap = 0;
	int rc = store_prepare(t->st, "SELECT case_id, action FROM task ORDER BY case_id", &q, err);

	t->nbefore = 0;
	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		int64_t id = store_col_int(q, 0);

		if (!t->nbefore || t->before[t->nbefore - 1].case_id != id) {
			if (t->nbefore == cap) {
				cap = cap ? cap * 2 : 4096;
				t->before = uc_xrealloc(t->before, cap * sizeof(*t->before));
			}
			t->before[t->nbefore].case_id = id;
			t->before[t->nbefore++].actions = 0;
		}
		t->before[t->nbefore - 1].actions |= action_bit(store_col_text(q, 1));
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

static uint32_t actions_before(const struct triage *t, int64_t case_id)
{
	size_t lo = 0, hi = t->nbefore;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->before[mid].case_id < case_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nbefore && t->before[lo].case_id == case_id ? t->before[lo].actions : 0;
}

/* The actions of the tasks case_id has now, as bits. */
static int old_actions(struct triage *t, int64_t case_id, uint32_t *out, struct uc_err *err)
{
	int rc;

	*out = 0;
	store_bind_int(t->old_tasks, 1, case_id);
	while ((rc = store_step(t->old_tasks, err)) == STORE_ROW)
		*out |= action_bit(store_col_text(t->old_tasks, 0));
	store_reset(t->old_tasks);
	return rc < 0 ? -rc : UC_OK;
}

/* The queue-of-children columns of a case (migration 010): the open task
 * due first, the open and held counts, and whether it is queued at all. */
static int store_summary(struct triage *t, int64_t case_id, int next, int32_t next_due, int n_open,
			 int n_held, struct uc_err *err)
{
	char d[11];
	int rc;

	store_bind_int(t->sum_case, 1, case_id);
	if (next >= 0) {
		date_format(next_due, d);
		store_bind_text(t->sum_case, 2, facts_action_name(next), -1);
		store_bind_text(t->sum_case, 3, d, -1);
	} else {
		store_bind_null(t->sum_case, 2);
		store_bind_null(t->sum_case, 3);
	}
	store_bind_int(t->sum_case, 4, n_open);
	store_bind_int(t->sum_case, 5, n_held);
	store_bind_int(t->sum_case, 6, n_open + n_held > 0);
	rc = store_step(t->sum_case, err);
	store_reset(t->sum_case);
	return rc < 0 ? -rc : UC_OK;
}

/* Tasks of the actions in gone were regenerated away: the facts no longer
 * call for them. Say so in task_log, with the reason a person can check. */
static int log_closures(struct triage *t, int64_t case_id, uint32_t gone, const struct result *r,
			struct uc_err *err)
{
	const struct rules *rs = t->rs;
	int phase = rules_phase_number(rs, r->o.phase);
	int rc = UC_OK;

	for (int a = 0; !rc && a < ACTION_COUNT; a++) {
		char why[160];
		int in_phase = 0, just_done;

		if (!((gone >> a) & 1))
			continue;
		/* a person just recorded it done: that row says why it went */
		store_bind_int(t->last_log, 1, case_id);
		store_bind_text(t->last_log, 2, facts_action_name(a), -1);
		rc = store_step(t->last_log, err);
		just_done = rc == STORE_ROW && !strcmp(store_col_text(t->last_log, 0), "done");
		store_reset(t->last_log);
		if (rc < 0)
			return -rc;
		rc = UC_OK;
		if (just_done)
			continue;
		for (int k = 0; k < t->ntasks; k++)
			if (rules_task_action(rs, k) == a &&
			    (!rules_task_phases(rs, k) ||
			     ((rules_task_phases(rs, k) >> phase) & 1)))
				in_phase = 1;
		if (in_phase)
			snprintf(why, sizeof(why),
				 "no longer called for: the task's condition does not hold "
				 "with the case's facts as of %s",
				 t->today_s);
		else
			snprintf(why, sizeof(why),
				 "no longer called for: the case is now in phase %d (%s)", phase,
				 rules_phase_name(rs, r->o.phase));
		store_bind_int(t->log_close, 1, case_id);
		store_bind_text(t->log_close, 2, facts_action_name(a), -1);
		store_bind_text(t->log_close, 3, why, -1);
		store_bind_text(t->log_close, 4, t->now_s, -1);
		rc = store_step(t->log_close, err);
		store_reset(t->log_close);
		rc = rc < 0 ? -rc : UC_OK;
	}
	return rc;
}

/*
 * Write the result of a case (insert when *case_id is 0) and its facts
 * when write_case, and its tasks when write_case or in bulk mode (where
 * every task was deleted up front).
 */
static int store_result(struct triage *t, int64_t *case_id, int64_t person_id, const char *a_number,
			const uint8_t *blob, size_t blen, uint64_t fhash, const struct result *r,
			int write_case, int64_t *ntasks, struct uc_err *err)
{
	const struct rules *rs = t->rs;
	struct store_stmt *q = *case_id ? t->upd : t->ins;
	char holds[1024], nd[11];
	int32_t due[ACTION_COUNT];
	int task_of[ACTION_COUNT];
	int rc, phase = rules_phase_number(rs, r->o.phase);
	int n_open = 0, n_held = 0, next = -1;
	uint32_t before = 0, after = 0;

	/* one task per action: the earliest due among the tasks that fired */
	for (int a = 0; a < ACTION_COUNT; a++)
		task_of[a] = -1;
	for (int k = 0; k < t->ntasks; k++) {
		int a = rules_task_action(rs, k);

		if (!((r->o.tasks >> k) & 1) || a < 0 || a >= ACTION_COUNT)
			continue;
		if (task_of[a] < 0 || r->o.due[k] < due[a]) {
			task_of[a] = k;
			due[a] = r->o.due[k];
		}
	}
	/* the queue-of-children columns (migration 010) */
	for (int a = 0; a < ACTION_COUNT; a++) {
		if (task_of[a] < 0)
			continue;
		after |= 1u << a;
		if ((r->o.blocked >> a) & 1) {
			n_held++;
		} else {
			n_open++;
			if (next < 0 || due[a] < due[next])
				next = a;
		}
	}
	if (next >= 0)
		date_format(due[next], nd);
	if (write_case) {
		hold_names(rs, r->o.holds, 0, holds, sizeof(holds));
		if (*case_id)
			store_bind_int(q, 1, *case_id);
		store_bind_text(q, 5, r->office, -1);
		if (r->group >= 0)
			store_bind_text(q, 6, rules_group_name(rs, r->group), -1);
		else
			store_bind_null(q, 6);
		store_bind_int(q, 7, r->o.score);
		store_bind_int(q, 8, r->prio);
		store_bind_int(q, 9, phase);
		store_bind_int(q, 10, (int64_t)r->o.fired);
		store_bind_int(q, 11, (int64_t)r->o.holds);
		store_bind_text(q, 12, holds, -1);
		store_bind_text(q, 13, rules_hash(rs), 16);
		store_bind_text(q, 15, t->now_s, -1);
		if (r->birth) {
			char bd[11];

			date_format(r->birth, bd);
			store_bind_text(q, 23, bd, 10);
		} else {
			store_bind_null(q, 23);
		}
		if (!*case_id) {
			if (person_id > 0)
				store_bind_int(q, 16, person_id);
			else
				store_bind_null(q, 16);
			store_bind_text(q, 17, a_number && *a_number ? a_number : NULL, -1);
		}
		if (next >= 0) {
			store_bind_text(q, 18, facts_action_name(next), -1);
			store_bind_text(q, 19, nd, 10);
		} else {
			store_bind_null(q, 18);
			store_bind_null(q, 19);
		}
		store_bind_int(q, 20, n_open);
		store_bind_int(q, 21, n_held);
		store_bind_int(q, 22, n_open + n_held > 0);
		rc = store_step(q, err);
		store_reset(q);
		if (rc < 0)
			return -rc;
		if (!*case_id)
			*case_id = store_last_id(t->st);
		store_bind_int(t->fact_up, 1, *case_id);
		store_bind_int(t->fact_up, 2, (int64_t)fhash);
		store_bind_int(t->fact_up, 3, (int64_t)r->rhash);
		store_bind_text(t->fact_up, 4, t->today_s, 10);
		store_bind_blob(t->fact_up, 5, blob, (int)blen);
		rc = store_step(t->fact_up, err);
		store_reset(t->fact_up);
		if (rc < 0)
			return -rc;
	}
	if (!write_case && !t->bulk)
		return UC_OK;
	if (t->bulk) {
		before = actions_before(t, *case_id);
	} else {
		rc = old_actions(t, *case_id, &before, err);
		if (rc)
			return rc;
		store_bind_int(t->del_tasks, 1, *case_id);
		rc = store_step(t->del_tasks, err);
		store_reset(t->del_tasks);
		if (rc < 0)
			return -rc;
	}
	for (int a = 0; a < ACTION_COUNT; a++) {
		char d[11], held[512];
		int blocked;

		if (task_of[a] < 0)
			continue;
		blocked = (r->o.blocked >> a) & 1;
		date_format(due[a], d);
		store_bind_int(t->ins_task, 1, *case_id);
		store_bind_text(t->ins_task, 2, facts_action_name(a), -1);
		store_bind_int(t->ins_task, 3, phase);
		store_bind_text(t->ins_task, 4, r->office, -1);
		if (r->group >= 0)
			store_bind_text(t->ins_task, 5, rules_group_name(rs, r->group), -1);
		store_bind_text(t->ins_task, 6, d, -1);
		store_bind_text(t->ins_task, 7, blocked ? "held" : "open", -1);
		if (blocked) {
			hold_names(rs, r->o.holds, 1u << a, held, sizeof(held));
			store_bind_text(t->ins_task, 8, held, -1);
		}
		store_bind_int(t->ins_task, 9, r->prio);
		store_bind_text(t->ins_task, 10, t->now_s, -1);
		rc = store_step(t->ins_task, err);
		store_reset(t->ins_task);
		if (rc < 0)
			return -rc;
		if (ntasks)
			(*ntasks)++;
	}
	/* tasks rewritten without the case row (a bulk run, same result):
	 * their due dates may have moved */
	rc = write_case
		 ? UC_OK
		 : store_summary(t, *case_id, next, next >= 0 ? due[next] : 0, n_open, n_held, err);
	if (!rc && (before & ~after))
		rc = log_closures(t, *case_id, before & ~after, r, err);
	return rc;
}

/* Facts changed but the result did not: store the facts alone (the result
 * row and the tasks stay as they are; they were computed from facts that
 * give the same result). */
static int store_facts_only(struct triage *t, int64_t case_id, const uint8_t *blob, size_t blen,
			    uint64_t fhash, struct uc_err *err)
{
	int rc;

	store_bind_int(t->fact_only, 1, case_id);
	store_bind_int(t->fact_only, 2, (int64_t)fhash);
	store_bind_text(t->fact_only, 3, t->today_s, 10);
	store_bind_blob(t->fact_only, 4, blob, (int)blen);
	rc = store_step(t->fact_only, err);
	store_reset(t->fact_only);
	return rc < 0 ? -rc : UC_OK;
}

/* ------------------------------------------------------------ full run */

struct known {
	int64_t key;   /* person id or -(A-number + 1) */
	int64_t id;    /* case id */
	int64_t fhash; /* stored facts hash */
	int64_t rhash; /* stored result hash */
	int seen;      /* projected in this run */
};

struct run_ctx {
	struct triage *t;	/* the triage */
	struct triage_stats *s; /* stats */
	struct known *known;	/* existing cases sorted by key, owned */
	size_t nknown;		/* count */
};

static int cmp_known(const void *a, const void *b)
{
	const struct known *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static int cmp_ovr(const void *a, const void *b)
{
	const struct ovr *x = a, *y = b;

	return x->case_id < y->case_id ? -1 : x->case_id > y->case_id;
}

static int64_t case_key(int64_t person_id, const char *a_number)
{
	int64_t v = 0;

	if (person_id > 0)
		return person_id;
	if (!a_number || !*a_number)
		return 0;
	for (const char *p = a_number; *p; p++)
		v = v * 10 + (*p - '0');
	return -(v + 1);
}

static const struct ovr *ovrs_of(const struct triage *t, int64_t case_id, int *n)
{
	int lo = 0, hi = t->novrs;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (t->ovrs[mid].case_id < case_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*n = 0;
	while (lo + *n < t->novrs && t->ovrs[lo + *n].case_id == case_id)
		(*n)++;
	return t->ovrs + lo;
}

/* Evaluate and (when changed, or in bulk mode) store one case. */
static int run_one(struct run_ctx *c, int64_t case_id, int64_t person_id, const char *a_number,
		   const struct rules_facts *f, const uint8_t *blob, size_t blen, uint64_t fhash,
		   int64_t old_fhash, int64_t old_rhash, struct uc_err *err)
{
	struct triage *t = c->t;
	struct triage_stats *s = c->s;
	struct result r;
	int n = 0, rc, changed;
	const struct ovr *ov = case_id && t->novrs ? ovrs_of(t, case_id, &n) : NULL;
	double t1;

	evaluate(t, f, &r);
	if (n) {
		rc = ovr_apply(t, case_id, fhash, ov, n, &r, err);
		if (rc)
			return rc;
	}
	r.rhash = result_hash(t, &r);
	s->cases++;
	s->groups[r.group >= 0 ? r.group : RULES_MAX_GROUPS]++;
	s->phases[rules_phase_number(t->rs, r.o.phase)]++;
	changed = !case_id || (uint64_t)old_fhash != fhash || (uint64_t)old_rhash != r.rhash;
	if (!changed && !t->bulk)
		return UC_OK;
	t1 = progress_now();
	if (case_id && !t->bulk && (uint64_t)old_rhash == r.rhash) {
		rc = store_facts_only(t, case_id, blob, blen, fhash, err);
		s->changed++;
		s->s_store += progress_now() - t1;
		return rc;
	}
	rc = store_result(t, &case_id, person_id, a_number, blob, blen, fhash, &r, changed,
			  &s->tasks, err);
	s->changed += changed;
	s->s_store += progress_now() - t1;
	return rc;
}

static int on_projected(void *ctx, const struct proj_case *pc, struct uc_err *err)
{
	struct run_ctx *c = ctx;
	struct known key = {.key = case_key(pc->person_id, pc->a_number)};
	struct known *k =
	    c->nknown ? bsearch(&key, c->known, c->nknown, sizeof(*c->known), cmp_known) : NULL;
	uint8_t blob[FACTS_BLOB_MAX];
	size_t blen = facts_pack(&pc->facts, blob);
	double t0 = progress_now();
	double st0 = c->s->s_store;
	int rc;

	if (k)
		k->seen = 1;
	rc = run_one(c, k ? k->id : 0, pc->person_id, pc->a_number, &pc->facts, blob, blen,
		     facts_hash(&pc->facts), k ? k->fhash : 0, k ? k->rhash : 0, err);
	c->s->s_eval += progress_now() - t0 - (c->s->s_store - st0);
	return rc;
}

static int load_overrides(struct triage *t, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc, cap = 0;

	free(t->ovrs);
	t->ovrs = NULL;
	t->novrs = 0;
	rc = store_prepare(t->st,
			   "SELECT id, case_id, kind, value, fhash FROM triage_override "
			   "WHERE status = 'active' ORDER BY case_id, id",
			   &q, err);
	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct ovr *v;
		const char *val = store_col_text(q, 3);

		if (t->novrs == cap) {
			cap = cap ? cap * 2 : 64;
			t->ovrs = uc_xrealloc(t->ovrs, (size_t)cap * sizeof(*t->ovrs));
		}
		v = &t->ovrs[t->novrs++];
		v->id = store_col_int(q, 0);
		v->case_id = store_col_int(q, 1);
		v->kind = strcmp(store_col_text(q, 2), "group") == 0 ? 0 : 1;
		v->index = v->kind == 0 ? rules_group_find(t->rs, val ? val : "")
					: rules_hold_find(t->rs, val ? val : "");
		v->fhash = store_col_int(q, 4);
	}
	store_finalize(q);
	if (rc < 0)
		return -rc;
	if (t->novrs)
		qsort(t->ovrs, (size_t)t->novrs, sizeof(*t->ovrs), cmp_ovr);
	return UC_OK;
}

static int save_config(struct triage *t, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	if (t->rs_new) {
		rc = store_prepare(t->st,
				   "INSERT INTO ruleset(hash, name, file, source, loaded_at) "
				   "VALUES(?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
				   &q, err);
		if (rc)
			return rc;
		store_bind_text(q, 1, rules_hash(t->rs), -1);
		store_bind_text(q, 2, rules_name(t->rs), -1);
		store_bind_text(q, 3, t->rs_file, -1);
		store_bind_text(q, 4, t->rs_source, -1);
		store_bind_text(q, 5, t->now_s, -1);
		rc = store_step(q, err);
		store_finalize(q);
		if (rc < 0)
			return -rc;
	}
	rc = meta_set(t->st, "active_ruleset", rules_hash(t->rs), err);
	if (!rc && t->ot_new)
		rc = meta_set(t->st, "offices", t->ot_text, err);
	return rc;
}

/* The task indexes of 003_triage.sql: dropped during a bulk rewrite and
 * rebuilt at the end (a sort is much faster than 1M random inserts). */
static const char task_indexes[] =
    "CREATE INDEX IF NOT EXISTS task_queue ON task(status, prio DESC);"
    "CREATE INDEX IF NOT EXISTS task_office ON task(office, status, prio DESC);"
    "CREATE INDEX IF NOT EXISTS tcase_grp ON tcase(grp, prio);"
    "CREATE INDEX IF NOT EXISTS tcase_birth ON tcase(birth_date, office);"
    "CREATE INDEX IF NOT EXISTS tcase_work ON tcase(office, queued, prio DESC, id DESC,"
    " grp, phase, holds, next_due);"
    "CREATE INDEX IF NOT EXISTS tcase_work_due ON tcase(office, queued,"
    " coalesce(next_due, '9999-12-31'), prio DESC, id DESC, grp, phase, holds, next_due);"
    "CREATE INDEX IF NOT EXISTS tcase_work_due_all ON tcase(queued,"
    " coalesce(next_due, '9999-12-31'), prio DESC, id DESC, grp, phase, holds, next_due);"
    "CREATE INDEX IF NOT EXISTS tcase_work_all ON tcase(queued, prio DESC, id DESC, grp,"
    " phase, holds, next_due);";

/* Facts of every case, read before evaluation (pass 1 of a run without
 * projection). */
struct loaded {
	int64_t *id;	  /* case ids, owned */
	int64_t *fh;	  /* facts hashes, owned */
	int64_t *rh;	  /* result hashes, owned */
	uint32_t *off;	  /* blob offsets into data (n + 1 entries), owned */
	uint8_t *data;	  /* blobs back to back, owned */
	size_t n, cap;	  /* rows, allocated rows */
	size_t len, dcap; /* data bytes, allocated bytes */
};

static void loaded_free(struct loaded *l)
{
	free(l->id);
	free(l->fh);
	free(l->rh);
	free(l->off);
	free(l->data);
}

static int load_facts(struct triage *t, struct loaded *l, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_prepare(t->st, "SELECT case_id, fhash, rhash, facts FROM case_fact", &q, err);
	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		size_t bl = (size_t)store_col_bytes(q, 3);

		if (l->n + 1 >= l->cap) {
			l->cap = l->cap ? l->cap * 2 : 65536;
			l->id = uc_xrealloc(l->id, l->cap * sizeof(*l->id));
			l->fh = uc_xrealloc(l->fh, l->cap * sizeof(*l->fh));
			l->rh = uc_xrealloc(l->rh, l->cap * sizeof(*l->rh));
			l->off = uc_xrealloc(l->off, (l->cap + 1) * sizeof(*l->off));
		}
		if (l->len + bl > l->dcap) {
			l->dcap = l->dcap ? l->dcap * 2 : (8u << 20);
			while (l->len + bl > l->dcap)
				l->dcap *= 2;
			l->data = uc_xrealloc(l->data, l->dcap);
		}
		l->id[l->n] = store_col_int(q, 0);
		l->fh[l->n] = store_col_int(q, 1);
		l->rh[l->n] = store_col_int(q, 2);
		l->off[l->n] = (uint32_t)l->len;
		if (bl)
			memcpy(l->data + l->len, store_col_blob(q, 3), bl);
		l->len += bl;
		l->n++;
	}
	store_finalize(q);
	if (l->off)
		l->off[l->n] = (uint32_t)l->len;
	return rc < 0 ? -rc : UC_OK;
}

/*
 * Parallel evaluation of stored facts: each half of the case ids is read
 * and evaluated on its own connection (a compiled rule set is immutable and
 * the office table read-only). Nothing is written there: cases whose result
 * changed, and cases with overrides (which may lapse, a write), are listed
 * for the main connection to process with run_one().
 */
struct half {
	struct triage *t;		      /* shared, read only */
	struct store *st;		      /* this half's connection */
	int own;			      /* st was opened here (closed here) */
	int64_t lo, hi;			      /* case ids [lo, hi) */
	int64_t *todo;			      /* cases for the main connection, owned */
	size_t ntodo, cap;		      /* used / allocated */
	int64_t cases;			      /* cases evaluated here (not in todo) */
	int64_t groups[RULES_MAX_GROUPS + 1]; /* per group, as in triage_stats */
	int64_t phases[5];		      /* per phase number */
	int rc;				      /* result */
	struct uc_err err;		      /* its error */
};

static void half_todo(struct half *h, int64_t id)
{
	if (h->ntodo == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->todo = uc_xrealloc(h->todo, h->cap * sizeof(*h->todo));
	}
	h->todo[h->ntodo++] = id;
}

static void *eval_half(void *arg)
{
	struct half *h = arg;
	struct triage *t = h->t;
	struct store_stmt *q = NULL;
	int rc = UC_OK;

	if (h->own) {
		rc = store_open(&h->st, store_path(t->st), STORE_READONLY, &h->err);
		if (rc)
			goto out;
	}
	rc = store_prepare(h->st,
			   "SELECT case_id, fhash, rhash, facts FROM case_fact "
			   "WHERE case_id >= ? AND case_id < ?",
			   &q, &h->err);
	if (rc)
		goto out;
	store_bind_int(q, 1, h->lo);
	store_bind_int(q, 2, h->hi);
	while ((rc = store_step(q, &h->err)) == STORE_ROW) {
		struct rules_facts f;
		struct result r;
		int64_t id = store_col_int(q, 0);
		int n = 0;

		f.today = t->today;
		if (t->novrs)
			ovrs_of(t, id, &n);
		if (n || facts_unpack(store_col_blob(q, 3), (size_t)store_col_bytes(q, 3), &f)) {
			half_todo(h, id); /* overrides, or an error the main path reports */
			continue;
		}
		evaluate(t, &f, &r);
		r.rhash = result_hash(t, &r);
		if ((int64_t)r.rhash != store_col_int(q, 2)) {
			half_todo(h, id);
			continue;
		}
		h->cases++;
		h->groups[r.group >= 0 ? r.group : RULES_MAX_GROUPS]++;
		h->phases[rules_phase_number(t->rs, r.o.phase)]++;
	}
	rc = rc < 0 ? -rc : UC_OK;
out:
	store_finalize(q);
	if (h->own)
		store_close(h->st);
	h->rc = rc;
	return NULL;
}

/* Evaluate every stored case on two connections; run_one() the rest. */
static int run_parallel(struct triage *t, struct run_ctx *c, struct uc_err *err)
{
	struct triage_stats *s = c->s;
	struct half h[2];
	struct store_stmt *q = NULL;
	pthread_t th;
	int64_t maxid = 0;
	int rc, started;
	double t0 = progress_now(), store0 = s->s_store;

	memset(h, 0, sizeof(h));
	rc = store_query_int(t->st, "SELECT coalesce(max(case_id), 0) FROM case_fact", &maxid, err);
	if (rc)
		return rc;
	for (int k = 0; k < 2; k++) {
		h[k].t = t;
		h[k].lo = k == 0 ? 0 : maxid / 2 + 1;
		h[k].hi = k == 0 ? maxid / 2 + 1 : maxid + 1;
	}
	h[0].st = t->st;
	h[1].own = 1;
	started = pthread_create(&th, NULL, eval_half, &h[1]) == 0;
	eval_half(&h[0]);
	if (started)
		pthread_join(th, NULL);
	else
		eval_half(&h[1]);
	s->threads = 2;
	s->s_load = progress_now() - t0;
	rc = h[0].rc ? h[0].rc : h[1].rc;
	if (rc) {
		*err = h[0].rc ? h[0].err : h[1].err;
		goto out;
	}
	for (int k = 0; k < 2; k++) {
		s->cases += h[k].cases;
		for (int g = 0; g <= RULES_MAX_GROUPS; g++)
			s->groups[g] += h[k].groups[g];
		for (int p = 0; p < 5; p++)
			s->phases[p] += h[k].phases[p];
	}
	/* the main connection handles what changed and what has overrides */
	t0 = progress_now();
	rc = store_prepare(t->st, "SELECT fhash, rhash, facts FROM case_fact WHERE case_id = ?", &q,
			   err);
	for (int k = 0; k < 2 && !rc; k++) {
		for (size_t i = 0; i < h[k].ntodo && !rc; i++) {
			struct rules_facts f;
			int64_t id = h[k].todo[i];

			store_bind_int(q, 1, id);
			rc = store_step(q, err);
			if (rc != STORE_ROW) {
				store_reset(q);
				rc = rc < 0 ? -rc : UC_OK;
				continue;
			}
			f.today = t->today;
			const uint8_t *b = store_col_blob(q, 2);
			size_t bl = (size_t)store_col_bytes(q, 2);
			uint8_t blob[FACTS_BLOB_MAX];

			if (bl > sizeof(blob) || facts_unpack(b, bl, &f)) {
				store_reset(q);
				rc = uc_error(err, UC_ECONFLICT,
					      "%s: case C%lld has corrupt stored facts; run "
					      "`uctrack triage --reproject`",
					      store_path(t->st), (long long)id);
				break;
			}
			memcpy(blob, b, bl);
			int64_t fh = store_col_int(q, 0), rh = store_col_int(q, 1);
			store_reset(q);
			rc = run_one(c, id, 0, NULL, &f, blob, bl, (uint64_t)fh, fh, rh, err);
		}
	}
	s->s_eval = progress_now() - t0 - (s->s_store - store0);
out:
	store_finalize(q);
	for (int k = 0; k < 2; k++)
		free(h[k].todo);
	return rc;
}

int triage_run(struct triage *t, int force_project, struct triage_stats *s, struct uc_err *err)
{
	struct run_ctx c = {t, s, NULL, 0};
	struct loaded l;
	struct store_stmt *q = NULL;
	char wm[32], *old_wm = NULL, *old_asof = NULL, *old_rs = NULL;
	int rc, project;
	int64_t ncases = 0;
	size_t cap = 0;
	double t0;

	memset(s, 0, sizeof(*s));
	memset(&l, 0, sizeof(l));
	memcpy(s->rs_hash, rules_hash(t->rs), 17);
	t->lapsed = 0;
	rc = store_begin(t->st, err);
	if (rc)
		return rc;
	rc = proj_watermark(t->st, wm, sizeof(wm), err);
	if (!rc)
		rc = meta_get(t->st, "watermark", &old_wm, err);
	if (!rc)
		rc = meta_get(t->st, "as_of", &old_asof, err);
	if (!rc)
		rc = meta_get(t->st, "active_ruleset", &old_rs, err);
	if (!rc)
		rc = store_query_int(t->st, "SELECT EXISTS(SELECT 1 FROM case_fact)", &ncases, err);
	if (!rc)
		rc = save_config(t, err);
	if (!rc)
		rc = load_overrides(t, err);
	if (rc)
		goto out;
	project = force_project || !old_wm || strcmp(old_wm, wm) != 0 || !old_asof ||
		  strcmp(old_asof, t->today_s) != 0;
	s->projected = project;
	/* Every case's facts change on the first run and when the day
	 * changes (ages, day counts): rewrite all tasks in bulk then. */
	t->bulk = force_project || ncases == 0 || !old_asof || strcmp(old_asof, t->today_s) != 0;
	if (t->bulk) {
		double tb = progress_now();

		rc = ncases ? load_before(t, err) : UC_OK;
		if (!rc)
			rc = store_exec(
			    t->st,
			    "DROP INDEX IF EXISTS task_queue; "
			    "DROP INDEX IF EXISTS task_office; DROP INDEX IF EXISTS tcase_grp; "
			    "DROP INDEX IF EXISTS tcase_birth; "
			    "DROP INDEX IF EXISTS tcase_work; DROP INDEX IF EXISTS tcase_work_due; "
			    "DROP INDEX IF EXISTS tcase_work_all; "
			    "DROP INDEX IF EXISTS tcase_work_due_all; "
			    "DELETE FROM task;",
			    err);
		s->s_store += progress_now() - tb;
		if (rc)
			goto out;
	}
	t0 = progress_now();
	double store0 = s->s_store;
	if (!project && !t->bulk && t->threads == 2) {
		rc = run_parallel(t, &c, err);
		if (rc)
			goto out;
	} else if (!project) {
		/* pass 1: read every case's facts; pass 2: evaluate and store */
		s->threads = 1;
		rc = load_facts(t, &l, err);
		if (rc)
			goto out;
		s->s_load = progress_now() - t0;
		t0 = progress_now();
		for (size_t i = 0; i < l.n; i++) {
			struct rules_facts f;
			const uint8_t *b = l.data + l.off[i];
			size_t bl = l.off[i + 1] - l.off[i];

			f.today = t->today;
			if (facts_unpack(b, bl, &f)) {
				rc = uc_error(err, UC_ECONFLICT,
					      "%s: case C%lld has corrupt stored facts; run "
					      "`uctrack triage --reproject`",
					      store_path(t->st), (long long)l.id[i]);
				goto out;
			}
			rc = run_one(&c, l.id[i], 0, NULL, &f, b, bl, (uint64_t)l.fh[i], l.fh[i],
				     l.rh[i], err);
			if (rc)
				goto out;
		}
		s->s_eval = progress_now() - t0 - (s->s_store - store0);
	} else {
		struct proj_stats ps;

		rc = store_prepare(
		    t->st,
		    "SELECT c.id, c.person_id, c.a_number, f.fhash, f.rhash FROM tcase c "
		    "LEFT JOIN case_fact f ON f.case_id = c.id",
		    &q, err);
		if (rc)
			goto out;
		while ((rc = store_step(q, err)) == STORE_ROW) {
			if (c.nknown == cap) {
				cap = cap ? cap * 2 : 4096;
				c.known = uc_xrealloc(c.known, cap * sizeof(*c.known));
			}
			c.known[c.nknown].key =
			    case_key(store_col_is_null(q, 1) ? 0 : store_col_int(q, 1),
				     store_col_text(q, 2));
			c.known[c.nknown].id = store_col_int(q, 0);
			c.known[c.nknown].fhash = store_col_int(q, 3);
			c.known[c.nknown].rhash = store_col_int(q, 4);
			c.known[c.nknown].seen = 0;
			c.nknown++;
		}
		store_finalize(q);
		q = NULL;
		if (rc < 0) {
			rc = -rc;
			goto out;
		}
		if (c.nknown)
			qsort(c.known, c.nknown, sizeof(*c.known), cmp_known);
		rc = proj_all(t->pj, t->today, on_projected, &c, &ps, err);
		if (rc)
			goto out;
		s->s_project = progress_now() - t0 - s->s_eval - (s->s_store - store0);
		s->records = ps.records;
		s->unplaced = ps.unplaced;
		/* cases with no records left (e.g. after relinking) */
		rc = store_prepare(t->st,
				   "UPDATE tcase SET active = 0, grp = NULL, queued = 0, "
				   "n_open = 0, n_held = 0, next_action = NULL, next_due = NULL "
				   "WHERE id = ?",
				   &q, err);
		for (size_t i = 0; !rc && i < c.nknown; i++) {
			int64_t id = c.known[i].id;

			if (c.known[i].seen)
				continue;
			store_bind_int(q, 1, id);
			rc = store_step(q, err);
			store_reset(q);
			if (rc >= 0) {
				store_bind_int(t->del_tasks, 1, id);
				rc = store_step(t->del_tasks, err);
				store_reset(t->del_tasks);
			}
			rc = rc < 0 ? -rc : UC_OK;
			s->inactive++;
		}
		store_finalize(q);
		q = NULL;
		if (!rc)
			rc = store_exec(t->st,
					"DELETE FROM case_fact WHERE case_id IN "
					"(SELECT id FROM tcase WHERE active = 0)",
					err);
		if (!rc)
			rc = meta_set(t->st, "watermark", wm, err);
		if (!rc)
			rc = meta_set(t->st, "as_of", t->today_s, err);
		if (rc)
			goto out;
	}
	s->lapsed = t->lapsed;
	{
		struct store_stmt *r = NULL;
		double tc = progress_now();

		if (t->bulk) {
			rc = store_exec(t->st, task_indexes, err);
			if (rc)
				goto out;
		}
		rc = store_prepare(
		    t->st,
		    "INSERT INTO triage_run(started_at, rs_hash, as_of, cases, projected, "
		    "changed, unplaced, ms_project, ms_eval, ms_store) "
		    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    &r, err);
		if (rc)
			goto out;
		store_bind_text(r, 1, t->now_s, -1);
		store_bind_text(r, 2, rules_hash(t->rs), -1);
		store_bind_text(r, 3, t->today_s, -1);
		store_bind_int(r, 4, s->cases);
		store_bind_int(r, 5, s->projected);
		store_bind_int(r, 6, s->changed);
		store_bind_int(r, 7, s->unplaced);
		store_bind_double(r, 8, s->s_project * 1000);
		store_bind_double(r, 9, s->s_eval * 1000);
		store_bind_double(r, 10, s->s_store * 1000);
		rc = store_step(r, err);
		store_finalize(r);
		rc = rc < 0 ? -rc : UC_OK;
		if (!rc)
			rc = store_commit(t->st, err);
		/* statistics for the tables just rewritten */
		if (!rc)
			rc = store_analyze(t->st, err);
		s->s_store += progress_now() - tc;
		if (rc)
			goto out;
	}
out:
	if (rc)
		store_rollback(t->st);
	t->bulk = 0;
	free(t->before);
	t->before = NULL;
	t->nbefore = 0;
	store_finalize(q);
	loaded_free(&l);
	free(c.known);
	free(old_wm);
	free(old_asof);
	free(old_rs);
	return rc;
}

/* ---------------------------------------------------------- one case */

/* Whole-string positive decimal id (at most 15 digits). */
static int parse_id(const char *s, long *out)
{
	long v = 0;
	int n = 0;

	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 15)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (n == 0 || v == 0)
		return -1;
	*out = v;
	return 0;
}

int triage_find(struct triage *t, const char *who, int64_t *case_id, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char anum[10];
	long v = 0;
	int rc;
	const char *sql;
	size_t n = who ? strlen(who) : 0;
	int digits = n > 0;

	*case_id = 0;
	for (size_t i = 0; i < n; i++)
		if (who[i] < '0' || who[i] > '9')
			digits = 0;
	if (n > 1 && (who[0] == 'C' || who[0] == 'c')) {
		if (parse_id(who + 1, &v))
			goto bad;
		sql = "SELECT id FROM tcase WHERE id = ?";
	} else if (n > 1 && (who[0] == 'P' || who[0] == 'p') && who[1] >= '0' && who[1] <= '9') {
		if (parse_id(who + 1, &v))
			goto bad;
		sql = "SELECT id FROM tcase WHERE person_id = ?";
	} else if (digits && n <= 7) {
		if (parse_id(who, &v))
			goto bad;
		sql = "SELECT id FROM tcase WHERE person_id = ?";
	} else if (anum_parse(who, strlen(who), anum) == ANUM_OK) {
		sql = "SELECT id FROM tcase WHERE a_number = ? ORDER BY active DESC, "
		      "person_id IS NULL, id LIMIT 1";
	} else {
		goto bad;
	}
	rc = store_prepare(t->st, sql, &q, err);
	if (rc)
		return rc;
	if (v)
		store_bind_int(q, 1, v);
	else
		store_bind_text(q, 1, anum, 9);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		*case_id = store_col_int(q, 0);
	store_finalize(q);
	if (rc < 0)
		return -rc;
	if (!*case_id)
		return uc_error(
		    err, UC_ENOTFOUND,
		    "no case for '%s' (has `uctrack triage` run since its records were imported?)",
		    who);
	return UC_OK;
bad:
	return uc_error(
	    err, UC_EUSAGE,
	    "'%s' is not a case id (C123), a person id (123 or P123) or an A-number (8-9 digits)",
	    who ? who : "");
}

static int load_case_ovrs(struct triage *t, int64_t case_id, struct ovr *out, int *n,
			  struct uc_err *err)
{
	int rc;

	*n = 0;
	store_bind_int(t->get_ovr, 1, case_id);
	while ((rc = store_step(t->get_ovr, err)) == STORE_ROW && *n < MAX_OVR * 4) {
		struct ovr *v = &out[(*n)++];
		const char *val = store_col_text(t->get_ovr, 3);

		v->id = store_col_int(t->get_ovr, 0);
		v->case_id = case_id;
		v->kind = strcmp(store_col_text(t->get_ovr, 2), "group") == 0 ? 0 : 1;
		v->index = v->kind == 0 ? rules_group_find(t->rs, val ? val : "")
					: rules_hold_find(t->rs, val ? val : "");
		v->fhash = store_col_int(t->get_ovr, 4);
	}
	store_reset(t->get_ovr);
	return rc < 0 ? -rc : UC_OK;
}

/* Re-project case_id (or create the case for person_id/a_number when
 * case_id is 0) and store its result. */
static int retriage(struct triage *t, int64_t case_id, int64_t person_id, const char *a_number,
		    int in_tx, int64_t *out_id, struct uc_err *err)
{
	struct proj_case pc;
	struct result r;
	struct ovr ov[MAX_OVR * 4];
	int nov = 0, rc;
	uint64_t fhash;
	int64_t old_f = 0, old_r = 0;
	char anum[10] = "";

	if (case_id) {
		store_bind_int(t->get_case, 1, case_id);
		rc = store_step(t->get_case, err);
		if (rc == STORE_ROW) {
			person_id =
			    store_col_is_null(t->get_case, 1) ? 0 : store_col_int(t->get_case, 1);
			snprintf(anum, sizeof(anum), "%s",
				 store_col_text(t->get_case, 2) ? store_col_text(t->get_case, 2)
								: "");
			old_f = store_col_int(t->get_case, 3);
			old_r = store_col_int(t->get_case, 4);
		}
		store_reset(t->get_case);
		if (rc < 0)
			return -rc;
		if (rc == STORE_DONE)
			return uc_error(err, UC_ENOTFOUND, "no case C%lld", (long long)case_id);
		a_number = anum;
	}
	if (!in_tx) {
		rc = store_begin(t->st, err);
		if (rc)
			return rc;
	}
	rc = proj_one(t->pj, person_id, a_number, t->today, &pc, err);
	if (rc)
		goto out;
	fhash = facts_hash(&pc.facts);
	evaluate(t, &pc.facts, &r);
	if (case_id) {
		rc = load_case_ovrs(t, case_id, ov, &nov, err);
		if (!rc)
			rc = ovr_apply(t, case_id, fhash, ov, nov, &r, err);
		if (rc)
			goto out;
	}
	r.rhash = result_hash(t, &r);
	if (!case_id || fhash != (uint64_t)old_f || r.rhash != (uint64_t)old_r) {
		uint8_t blob[FACTS_BLOB_MAX];
		size_t blen = facts_pack(&pc.facts, blob);

		if (case_id && r.rhash == (uint64_t)old_r)
			rc = store_facts_only(t, case_id, blob, blen, fhash, err);
		else
			rc = store_result(t, &case_id, person_id, pc.a_number, blob, blen, fhash,
					  &r, 1, NULL, err);
	}
	if (rc)
		goto out;
	if (!in_tx)
		rc = store_commit(t->st, err);
	if (out_id)
		*out_id = case_id;
out:
	if (rc && !in_tx)
		store_rollback(t->st);
	return rc;
}

int triage_person(struct triage *t, int64_t case_id, int in_tx, struct uc_err *err)
{
	return retriage(t, case_id, 0, NULL, in_tx, NULL, err);
}

int triage_key(struct triage *t, int64_t person_id, const char *a_number, int in_tx,
	       int64_t *case_id, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char anum[10] = "";
	int64_t id = 0;
	int rc;

	if (person_id <= 0 &&
	    (!a_number || anum_parse(a_number, strlen(a_number), anum) != ANUM_OK))
		return uc_error(err, UC_EINPUT,
				"triage_key: need a person id or a valid A-number (got '%s')",
				a_number ? a_number : "");
	rc = store_prepare(t->st,
			   person_id > 0
			       ? "SELECT id FROM tcase WHERE person_id = ?"
			       : "SELECT id FROM tcase WHERE a_number = ? AND person_id IS NULL",
			   &q, err);
	if (rc)
		return rc;
	if (person_id > 0)
		store_bind_int(q, 1, person_id);
	else
		store_bind_text(q, 1, anum, 9);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		id = store_col_int(q, 0);
	store_finalize(q);
	if (rc < 0)
		return -rc;
	return retriage(t, id, person_id, anum, in_tx, case_id, err);
}

/* ---------------------------------------------------------- explain */

static void facts_read_text(const struct rules *rs, enum rules_item kind, int i,
			    const struct rules_facts *f, char *out, size_t n)
{
	uint64_t m[2];
	struct buf b;
	const struct rules_schema *sc = facts_schema();

	rules_item_reads(rs, kind, i, m);
	buf_init(&b, n - 1);
	for (int k = 0; k < sc->nfacts; k++) {
		if (!((m[k >> 6] >> (k & 63)) & 1))
			continue;
		if (b.len)
			buf_adds(&b, ", ");
		buf_adds(&b, sc->facts[k].name);
		buf_addc(&b, '=');
		rules_fact_format(sc, f, k, &b);
	}
	snprintf(out, n, "%s", b.ptr ? b.ptr : "");
	buf_release(&b);
}

static void render_reason(const struct rules *rs, enum rules_item kind, int i,
			  const struct rules_facts *f, char *out, size_t n)
{
	struct buf b;

	buf_init(&b, n - 1);
	rules_item_reason(rs, kind, i, f, &b);
	snprintf(out, n, "%s", b.ptr ? b.ptr : "");
	buf_release(&b);
}

int triage_explain(struct triage *t, const char *who, struct triage_explain *ex, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct rules *old = NULL;
	const struct rules *rs = t->rs;
	struct rules_facts f;
	struct rules_outcome o;
	int64_t case_id, holds, fired;
	int rc, grp_over = -1;
	char rsh[17] = "";

	memset(ex, 0, sizeof(*ex));
	rc = triage_find(t, who, &case_id, err);
	if (rc)
		return rc;
	store_bind_int(t->get_case, 1, case_id);
	rc = store_step(t->get_case, err);
	if (rc != STORE_ROW) {
		store_reset(t->get_case);
		return rc < 0 ? -rc
			      : uc_error(err, UC_ENOTFOUND, "no case C%lld", (long long)case_id);
	}
	ex->case_id = case_id;
	ex->person_id = store_col_is_null(t->get_case, 1) ? 0 : store_col_int(t->get_case, 1);
	snprintf(ex->a_number, sizeof(ex->a_number), "%s",
		 store_col_text(t->get_case, 2) ? store_col_text(t->get_case, 2) : "");
	f.today = t->today;
	if (store_col_text(t->get_case, 6))
		date_parse(store_col_text(t->get_case, 6), 10, &f.today);
	rc = facts_unpack(store_col_blob(t->get_case, 5), (size_t)store_col_bytes(t->get_case, 5),
			  &f);
	snprintf(ex->as_of, sizeof(ex->as_of), "%s",
		 store_col_text(t->get_case, 6) ? store_col_text(t->get_case, 6) : "");
	snprintf(ex->office, sizeof(ex->office), "%s",
		 store_col_text(t->get_case, 7) ? store_col_text(t->get_case, 7) : "");
	ex->score = (int32_t)store_col_int(t->get_case, 9);
	ex->prio = store_col_int(t->get_case, 10);
	ex->phase = (int)store_col_int(t->get_case, 11);
	fired = store_col_int(t->get_case, 12);
	holds = store_col_int(t->get_case, 13);
	snprintf(rsh, sizeof(rsh), "%s",
		 store_col_text(t->get_case, 14) ? store_col_text(t->get_case, 14) : "");
	snprintf(ex->triaged_at, sizeof(ex->triaged_at), "%s",
		 store_col_text(t->get_case, 15) ? store_col_text(t->get_case, 15) : "");
	snprintf(ex->group, sizeof(ex->group), "%s",
		 store_col_text(t->get_case, 8) ? store_col_text(t->get_case, 8) : "none");
	store_reset(t->get_case);
	if (rc)
		return uc_error(
		    err, UC_ECONFLICT,
		    "case C%lld: corrupt stored facts; run `uctrack triage --reproject`",
		    (long long)case_id);
	memcpy(ex->rs_hash, rsh, sizeof(rsh));
	/* explain with the rule set that produced the stored result */
	if (rsh[0] && strcmp(rsh, rules_hash(t->rs)) != 0) {
		rc = store_prepare(t->st, "SELECT source, file FROM ruleset WHERE hash = ?", &q,
				   err);
		if (rc)
			return rc;
		store_bind_text(q, 1, rsh, -1);
		if (store_step(q, err) == STORE_ROW) {
			const char *src = store_col_text(q, 0);

			if (rules_compile(&old, store_col_text(q, 1), src, strlen(src),
					  facts_schema(), err) == 0)
				rs = old;
		}
		store_finalize(q);
		q = NULL;
	}
	rules_eval(rs, &f, &o);
	snprintf(ex->group_label, sizeof(ex->group_label), "%s",
		 rules_group_label(rs, rules_group_find(rs, ex->group)));
	ex->overridden = o.group < 0 ? strcmp(ex->group, "none") != 0
				     : strcmp(rules_group_name(rs, o.group), ex->group) != 0;
	(void)grp_over;
	snprintf(ex->phase_name, sizeof(ex->phase_name), "%s", rules_phase_name(rs, o.phase));
	for (int r = 0; r < rules_rule_count(rs); r++) {
		struct triage_fired *fi;

		if (!(((uint64_t)fired >> r) & 1))
			continue;
		fi = &ex->fired[ex->nfired++];
		snprintf(fi->kind, sizeof(fi->kind), "rule");
		snprintf(fi->name, sizeof(fi->name), "%s", rules_rule_name(rs, r));
		snprintf(fi->group, sizeof(fi->group), "%s",
			 rules_group_name(rs, rules_rule_group(rs, r)));
		fi->score = rules_rule_score_of(rs, r, &f);
		render_reason(rs, RULES_ITEM_RULE, r, &f, fi->reason, sizeof(fi->reason));
		facts_read_text(rs, RULES_ITEM_RULE, r, &f, fi->facts, sizeof(fi->facts));
	}
	for (int h = 0; h < rules_hold_count(rs); h++) {
		struct triage_fired *fi;
		struct buf b;

		if (!((o.holds >> h) & 1))
			continue;
		fi = &ex->fired[ex->nfired++];
		snprintf(fi->kind, sizeof(fi->kind), "hold");
		snprintf(fi->name, sizeof(fi->name), "%s", rules_hold_name(rs, h));
		snprintf(fi->lifted, sizeof(fi->lifted), "%s",
			 ((uint64_t)holds >> h) & 1 ? "no" : "yes");
		buf_init(&b, sizeof(fi->blocks) - 1);
		for (int a = 0; a < ACTION_COUNT; a++)
			if ((rules_hold_blocks(rs, h) >> a) & 1) {
				if (b.len)
					buf_addc(&b, ',');
				buf_adds(&b, facts_action_name(a));
			}
		snprintf(fi->blocks, sizeof(fi->blocks), "%s", b.ptr ? b.ptr : "");
		buf_release(&b);
		render_reason(rs, RULES_ITEM_HOLD, h, &f, fi->reason, sizeof(fi->reason));
		facts_read_text(rs, RULES_ITEM_HOLD, h, &f, fi->facts, sizeof(fi->facts));
	}
	for (int k = 0; k < FACT_COUNT; k++) {
		struct buf b;

		buf_init(&b, sizeof(ex->facts[k]) - 1);
		rules_fact_format(facts_schema(), &f, k, &b);
		snprintf(ex->facts[k], sizeof(ex->facts[k]), "%s", b.ptr ? b.ptr : "");
		buf_release(&b);
	}
	rules_free(old);
	/* rank, tasks, overrides */
	/* The position in the queue (cases with tasks). Counting every case
	 * ahead would cost time in proportion to the number of cases, so at
	 * most TRIAGE_RANK_MAX rows of the covering index tcase_work_all
	 * (queued, prio, ...) are counted. "active = 1 AND prio > ?" let the
	 * planner, with the sampled statistics of a 2M-case database, pick a
	 * skip-scan of that index with a row lookup per case: 4.9 ms of a
	 * 9.8 ms case page. */
	rc = store_prepare(t->st,
			   "SELECT count(*) FROM (SELECT 1 FROM tcase WHERE queued = 1"
			   " AND prio > ? LIMIT ?)",
			   &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, ex->prio);
	store_bind_int(q, 2, TRIAGE_RANK_MAX);
	if (store_step(q, err) == STORE_ROW) {
		ex->rank = store_col_int(q, 0) + 1;
		if (ex->rank > TRIAGE_RANK_MAX)
			ex->rank = 0;
	}
	store_finalize(q);
	rc = store_prepare(t->st,
			   "SELECT action, phase, due, status, coalesce(held_by, ''), "
			   "coalesce(office, '') FROM task WHERE case_id = ? ORDER BY due, action",
			   &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, case_id);
	while ((rc = store_step(q, err)) == STORE_ROW && ex->ntasks < RULES_MAX_TASKS) {
		struct triage_task *tk = &ex->tasks[ex->ntasks++];

		snprintf(tk->action, sizeof(tk->action), "%s", store_col_text(q, 0));
		tk->phase = (int)store_col_int(q, 1);
		snprintf(tk->due, sizeof(tk->due), "%s", store_col_text(q, 2));
		snprintf(tk->status, sizeof(tk->status), "%s", store_col_text(q, 3));
		snprintf(tk->held_by, sizeof(tk->held_by), "%s", store_col_text(q, 4));
		snprintf(tk->office, sizeof(tk->office), "%s", store_col_text(q, 5));
	}
	store_finalize(q);
	if (rc < 0)
		return -rc;
	rc = store_prepare(t->st,
			   "SELECT kind, value, reason, by_user, created_at, status "
			   "FROM triage_override WHERE case_id = ? ORDER BY id DESC LIMIT 8",
			   &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, case_id);
	while ((rc = store_step(q, err)) == STORE_ROW && ex->novr < 8) {
		struct triage_ovr *v = &ex->ovr[ex->novr++];

		snprintf(v->kind, sizeof(v->kind), "%s", store_col_text(q, 0));
		snprintf(v->value, sizeof(v->value), "%s", store_col_text(q, 1));
		snprintf(v->reason, sizeof(v->reason), "%s", store_col_text(q, 2));
		snprintf(v->by, sizeof(v->by), "%s", store_col_text(q, 3));
		snprintf(v->at, sizeof(v->at), "%s", store_col_text(q, 4));
		snprintf(v->status, sizeof(v->status), "%s", store_col_text(q, 5));
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

/* ---------------------------------------------------------- override */

/* Record an override of case_id made by `by` and re-triage the case;
 * the caller holds the transaction. *id (may be NULL) gets its id. */
static int override_tx(struct triage *t, int64_t case_id, const char *kind, const char *value,
		       const char *reason, const char *by, int64_t *id, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int64_t fhash = 0;
	int rc;

	/* the override is bound to the facts as they are now */
	rc = triage_person(t, case_id, 1, err);
	if (rc)
		return rc;
	store_bind_int(t->get_case, 1, case_id);
	if (store_step(t->get_case, err) == STORE_ROW)
		fhash = store_col_int(t->get_case, 3);
	store_reset(t->get_case);
	rc = store_prepare(t->st,
			   "INSERT INTO triage_override(case_id, kind, value, reason, by_user, "
			   "created_at, fhash) VALUES(?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, case_id);
	store_bind_text(q, 2, kind, -1);
	store_bind_text(q, 3, value, -1);
	store_bind_text(q, 4, reason, -1);
	store_bind_text(q, 5, by, -1);
	store_bind_text(q, 6, t->now_s, -1);
	store_bind_int(q, 7, fhash);
	rc = store_step(q, err);
	if (rc == STORE_ROW && id)
		*id = store_col_int(q, 0);
	store_finalize(q);
	rc = rc < 0 ? -rc : UC_OK;
	if (!rc)
		rc = triage_person(t, case_id, 1, err);
	return rc;
}

int triage_override(struct triage *t, const char *who, const char *kind, const char *value,
		    const char *reason, const char *by, int64_t *id, struct uc_err *err)
{
	int64_t case_id;
	int rc, h, is_group = kind && strcmp(kind, "group") == 0;

	if (!kind || (!is_group && strcmp(kind, "lift_hold") != 0))
		return uc_error(err, UC_EUSAGE, "override kind must be 'group' or 'lift_hold'");
	if (!reason || !*reason)
		return uc_error(err, UC_EUSAGE, "an override needs a reason (--reason TEXT)");
	if (!by || !*by)
		return uc_error(err, UC_EUSAGE, "an override needs the supervisor (--by USER)");
	if (is_group && rules_group_find(t->rs, value) < 0)
		return uc_error(err, UC_EINPUT, "unknown group '%s' in rule set %s", value,
				rules_hash(t->rs));
	h = is_group ? -1 : rules_hold_find(t->rs, value);
	if (!is_group && h < 0)
		return uc_error(err, UC_EINPUT, "unknown hold '%s' in rule set %s", value,
				rules_hash(t->rs));
	if (h >= 0 && rules_hold_statutory(t->rs, h))
		return uc_error(err, UC_ECONFLICT,
				"hold '%s' protects a right the law gives the child: lifting "
				"it takes two people. Request the lift (POST "
				"/api/v1/cases/{id}/hold-lifts, or uctrack triage lift "
				"request) and have another supervisor or an admin approve it",
				value);
	rc = triage_find(t, who, &case_id, err);
	if (rc)
		return rc;
	rc = store_begin(t->st, err);
	if (rc)
		return rc;
	rc = override_tx(t, case_id, kind, value, reason, by, id, err);
	if (!rc)
		rc = store_commit(t->st, err);
	if (rc)
		store_rollback(t->st);
	return rc;
}

/* ------------------------------------------------- two-person hold lifts */

#define LIFT_COLS                                                                                  \
	"id, case_id, hold, reason, requested_by, requested_at, status,"                           \
	" decided_by, decided_at, note, override_id"

static void lift_from_row(struct store_stmt *q, struct triage_lift *l)
{
	const char *v;

	memset(l, 0, sizeof(*l));
	l->id = store_col_int(q, 0);
	l->case_id = store_col_int(q, 1);
#define LCOPY(field, col)                                                                          \
	v = store_col_text(q, col);                                                                \
	snprintf(l->field, sizeof(l->field), "%s", v ? v : "")
	LCOPY(hold, 2);
	LCOPY(reason, 3);
	LCOPY(requested_by, 4);
	LCOPY(requested_at, 5);
	LCOPY(status, 6);
	LCOPY(decided_by, 7);
	LCOPY(decided_at, 8);
	LCOPY(note, 9);
#undef LCOPY
	l->override_id = store_col_is_null(q, 10) ? 0 : store_col_int(q, 10);
}

int triage_lift_get(struct store *st, int64_t id, struct triage_lift *l, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st, "SELECT " LIFT_COLS " FROM hold_lift WHERE id = ?", &q, err);

	if (rc)
		return rc;
	store_bind_int(q, 1, id);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		lift_from_row(q, l);
	store_finalize(q);
	if (rc < 0)
		return -rc;
	return rc == STORE_ROW
		   ? UC_OK
		   : uc_error(err, UC_ENOTFOUND, "no hold lift request %lld", (long long)id);
}

int triage_lift_request(struct triage *t, const char *who, const char *hold, const char *reason,
			const char *by, int64_t *id, struct uc_err *err)
{
	int64_t case_id, pending = 0;
	struct store_stmt *q = NULL;
	int rc, h;

	if (!reason || strlen(reason) < 10 || strlen(reason) > 2000)
		return uc_error(err, UC_EINPUT,
				"reason: explain the lift in 10 to 2000 characters");
	if (!by || !*by)
		return uc_error(err, UC_EUSAGE, "say who requests the lift (--by USER)");
	h = hold ? rules_hold_find(t->rs, hold) : -1;
	if (h < 0)
		return uc_error(err, UC_EINPUT, "unknown hold '%s' in rule set %s",
				hold ? hold : "", rules_hash(t->rs));
	if (!rules_hold_statutory(t->rs, h))
		return uc_error(err, UC_EINPUT,
				"hold '%s' is not statutory: a supervisor lifts it with an "
				"override (kind lift_hold)",
				hold);
	rc = triage_find(t, who, &case_id, err);
	if (rc)
		return rc;
	rc = store_begin(t->st, err);
	if (rc)
		return rc;
	rc = store_prepare(t->st,
			   "SELECT id FROM hold_lift WHERE case_id = ? AND"
			   " status = 'pending' AND hold = ?",
			   &q, err);
	if (!rc) {
		store_bind_int(q, 1, case_id);
		store_bind_text(q, 2, hold, -1);
		rc = store_step(q, err);
		if (rc == STORE_ROW)
			pending = store_col_int(q, 0);
		rc = rc < 0 ? -rc : UC_OK;
	}
	store_finalize(q);
	q = NULL;
	if (!rc && pending)
		rc = uc_error(err, UC_ECONFLICT,
			      "a lift of hold '%s' is already awaiting approval (request "
			      "%lld): approve, reject or withdraw it first",
			      hold, (long long)pending);
	if (!rc)
		rc = store_prepare(t->st,
				   "INSERT INTO hold_lift(case_id, hold, reason,"
				   " requested_by, requested_at) VALUES(?,?,?,?,?)"
				   " RETURNING id",
				   &q, err);
	if (!rc) {
		store_bind_int(q, 1, case_id);
		store_bind_text(q, 2, hold, -1);
		store_bind_text(q, 3, reason, -1);
		store_bind_text(q, 4, by, -1);
		store_bind_text(q, 5, t->now_s, -1);
		rc = store_step(q, err);
		if (rc == STORE_ROW && id)
			*id = store_col_int(q, 0);
		rc = rc < 0 ? -rc : UC_OK;
	}
	store_finalize(q);
	if (!rc)
		rc = store_commit(t->st, err);
	if (rc)
		store_rollback(t->st);
	return rc;
}

int triage_lift_decide(struct triage *t, int64_t id, int64_t case_id, const char *decision,
		       const char *by, const char *note, struct triage_lift *out,
		       struct uc_err *err)
{
	struct triage_lift l;
	struct store_stmt *q = NULL;
	int64_t ovr = 0;
	int rc, approve = 0, withdraw = 0;
	char reason[2300];

	if (!decision || (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0 &&
			  strcmp(decision, "withdraw") != 0))
		return uc_error(err, UC_EUSAGE, "decision: approve, reject or withdraw");
	approve = strcmp(decision, "approve") == 0;
	withdraw = strcmp(decision, "withdraw") == 0;
	if (!by || !*by)
		return uc_error(err, UC_EUSAGE, "say who decides (--by USER)");
	if (note && strlen(note) > 2000)
		return uc_error(err, UC_EINPUT, "note: at most 2000 characters");
	rc = store_begin(t->st, err);
	if (rc)
		return rc;
	rc = triage_lift_get(t->st, id, &l, err);
	if (!rc && case_id && l.case_id != case_id)
		rc = uc_error(err, UC_ENOTFOUND, "no hold lift request %lld on case %lld",
			      (long long)id, (long long)case_id);
	if (!rc && strcmp(l.status, "pending") != 0)
		rc = uc_error(err, UC_ECONFLICT,
			      "hold lift request %lld is already %s (by %s at %s)", (long long)id,
			      l.status, l.decided_by, l.decided_at);
	if (!rc && withdraw && strcmp(l.requested_by, by) != 0)
		rc = uc_error(err, UC_EDENIED,
			      "only %s, who asked for it, may withdraw request %lld",
			      l.requested_by, (long long)id);
	if (!rc && !withdraw && strcmp(l.requested_by, by) == 0)
		rc = uc_error(err, UC_EDENIED,
			      "%s asked for this lift: a second person (another supervisor "
			      "or an admin) must %s it",
			      by, decision);
	if (!rc && approve) {
		int h = rules_hold_find(t->rs, l.hold);

		if (h < 0)
			rc = uc_error(err, UC_ECONFLICT,
				      "the active rule set %s has no hold '%s' any more; "
				      "reject or withdraw the request",
				      rules_hash(t->rs), l.hold);
		snprintf(reason, sizeof(reason), "%s [requested by %s at %s; approved by %s]",
			 l.reason, l.requested_by, l.requested_at, by);
		if (!rc)
			rc = override_tx(t, l.case_id, "lift_hold", l.hold, reason, by, &ovr, err);
	}
	if (!rc)
		rc = store_prepare(t->st,
				   "UPDATE hold_lift SET status = ?, decided_by = ?,"
				   " decided_at = ?, note = ?, override_id = ?"
				   " WHERE id = ? AND status = 'pending'",
				   &q, err);
	if (!rc) {
		store_bind_text(q, 1,
				approve	   ? "approved"
				: withdraw ? "withdrawn"
					   : "rejected",
				-1);
		store_bind_text(q, 2, by, -1);
		store_bind_text(q, 3, t->now_s, -1);
		if (note && *note)
			store_bind_text(q, 4, note, -1);
		else
			store_bind_null(q, 4);
		if (ovr)
			store_bind_int(q, 5, ovr);
		else
			store_bind_null(q, 5);
		store_bind_int(q, 6, id);
		rc = store_step(q, err);
		rc = rc < 0 ? -rc : UC_OK;
	}
	store_finalize(q);
	if (!rc && out)
		rc = triage_lift_get(t->st, id, out, err);
	if (!rc)
		rc = store_commit(t->st, err);
	if (rc)
		store_rollback(t->st);
	return rc;
}

int triage_lift_list(struct store *st, int64_t case_id, int pending_only, triage_lift_fn fn,
		     void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct triage_lift l;
	int rc;

	/* by case: hold_lift_case; all pending: hold_lift_status */
	rc = store_prepare(st,
			   case_id ? "SELECT " LIFT_COLS " FROM hold_lift WHERE case_id = ?"
				     " AND (? = 0 OR status = 'pending') ORDER BY id DESC LIMIT 100"
				   : "SELECT " LIFT_COLS " FROM hold_lift WHERE status = 'pending'"
				     " ORDER BY id LIMIT 1000",
			   &q, err);
	if (rc)
		return rc;
	if (case_id) {
		store_bind_int(q, 1, case_id);
		store_bind_int(q, 2, pending_only);
	}
	while ((rc = store_step(q, err)) == STORE_ROW) {
		lift_from_row(q, &l);
		rc = fn(arg, &l, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return rc < 0 ? -rc : rc == STORE_DONE ? UC_OK : rc;
}

int triage_office_check(struct store *st, const char *code, struct uc_err *err)
{
	struct office_table *ot = NULL;
	char *text = NULL;
	struct buf codes;
	int rc;

	rc = meta_get(st, "offices", &text, err);
	if (rc || !text) {
		free(text);
		return rc; /* no table yet: nothing to check against */
	}
	rc = office_parse(&ot, "stored field-office table", text, strlen(text), err);
	if (!rc && !office_has(ot, code)) {
		buf_init(&codes, 2048);
		office_codes(ot, &codes);
		rc = uc_error(err, UC_EINPUT,
			      "unknown field office '%.32s'; the office table of the last "
			      "triage run has: %s",
			      code, codes.ptr ? codes.ptr : "");
		buf_release(&codes);
	}
	office_free(ot);
	free(text);
	return rc;
}

/* ------------------------------------------------- stored runs and rule sets */

int triage_runs(struct store *st, int64_t limit, triage_row_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_prepare(st,
			   "SELECT id, started_at, rs_hash AS rule_set, as_of,"
			   " cases AS n_cases, projected AS n_projected,"
			   " changed AS n_changed, unplaced AS n_unplaced"
			   " FROM triage_run ORDER BY id DESC LIMIT ?",
			   &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, limit);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		rc = fn(arg, q, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return rc < 0 ? -rc : rc;
}

int triage_ruleset_compile(struct store *st, const char *hash, struct rules **out,
			   struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	*out = NULL;
	rc = store_prepare(st,
			   hash ? "SELECT file, source, hash FROM ruleset WHERE hash = ?"
				: "SELECT r.file, r.source, r.hash FROM ruleset r JOIN"
				  " triage_meta m ON m.key = 'active_ruleset' AND"
				  " m.value = r.hash",
			   &q, err);
	if (rc)
		return rc;
	if (hash)
		store_bind_text(q, 1, hash, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		const char *src = store_col_text(q, 1);

		rc = rules_compile(out, store_col_text(q, 0), src ? src : "", src ? strlen(src) : 0,
				   facts_schema(), err);
	} else if (rc == STORE_DONE) {
		rc = hash ? uc_error(err, UC_ENOTFOUND, "no stored rule set %.20s", hash)
			  : uc_error(err, UC_ENOTFOUND, "no active rule set yet");
	} else {
		rc = -rc;
	}
	store_finalize(q);
	return rc;
}

int triage_stored(struct store *st, int *rules, int *offices, struct uc_err *err)
{
	char *v = NULL;
	int rc;

	*rules = 0;
	*offices = 0;
	rc = meta_get(st, "active_ruleset", &v, err);
	*rules = v != NULL;
	free(v);
	v = NULL;
	if (!rc)
		rc = meta_get(st, "offices", &v, err);
	*offices = v != NULL;
	free(v);
	return rc;
}

int triage_facts_each(struct store *st, triage_facts_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_prepare(st, "SELECT case_id, as_of, facts FROM case_fact ORDER BY case_id", &q,
			   err);
	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct rules_facts fa;
		const char *asof = store_col_text(q, 1);

		fa.today = date_today();
		if (asof)
			date_parse(asof, strlen(asof), &fa.today);
		if (facts_unpack(store_col_blob(q, 2), (size_t)store_col_bytes(q, 2), &fa))
			continue;
		rc = fn(arg, store_col_int(q, 0), &fa, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return rc < 0 ? -rc : rc;
}
