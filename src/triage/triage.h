#ifndef UC_TRIAGE_H
#define UC_TRIAGE_H
/*
 * triage.h - triage runs, one-child re-triage, explanations and overrides.
 *
 * A triage run projects case facts (project.h) when the records or the
 * as-of day changed, evaluates the compiled rule set (rules.h) on every
 * case, and stores per case: group, priority score and queue sort key,
 * phase, fired rules (with the facts they read: the facts blob the result
 * was computed from is stored beside it), holds, rule-set hash and time;
 * then regenerates the case's tasks (queue.h) when its result changed.
 * Details and the stored tables: docs/triage.md; schema 003_triage.sql.
 *
 * Usage (CLI, HTTP server, importer):
 *
 *   struct triage *t = NULL;
 *   struct triage_opts o = {.rules_path = NULL, .offices_path = NULL,
 *                           .today = date_today()};
 *   if (triage_open(&t, st, &o, &err)) ...   // NULL paths: the rule set and
 *                                            // offices of the last full run
 *   triage_run(t, 0, &stats, &err);          // everything
 *   triage_person(t, case_id, &err);         // one child, after an event
 *   triage_explain(t, "208123456", ex, &err);
 *   triage_close(t);
 *
 * Case identity: a case has a stable id (printed "C<id>"). triage_find()
 * accepts "C<id>", a person id (1-7 digits, or "P<id>") or an A-number
 * (8-9 digits, optional "A" and dashes).
 *
 * Ownership: the store is borrowed and must outlive the struct triage. All
 * result structs are plain data owned by the caller (no pointers inside),
 * ready to be rendered as JSON.
 *
 * Threads: one struct triage per thread (it owns prepared statements).
 */
#include <stdint.h>

#include "core/err.h"
#include "rules/rules.h"
#include "store/store.h"
#include "triage/facts.h"

struct triage;

struct triage_opts {
	const char *rules_path;	  /* rule set file; NULL: the active one in the DB */
	const char *offices_path; /* field-office CSV; NULL: the one stored by the
				     last run, else none (office UNASSIGNED) */
	int32_t today;		  /* as-of day (date_today()) */
};

int triage_open(struct triage **out, struct store *st, const struct triage_opts *o,
		struct uc_err *err);
void triage_close(struct triage *t);
/*
 * Reuse a handle for another call instead of opening a new one (the HTTP
 * server keeps one per worker thread: opening compiles the rule set,
 * parses the offices and prepares statements). Sets the as-of day to
 * today and the result time stamp to now. *stale = 1 when t cannot be
 * reused: it was opened with a rules or offices path, or the active rule
 * set or the stored field-office table changed since triage_open()
 * (e.g. a triage run with a new rule set); the caller then closes it and
 * opens a new one. Costs two small reads. Call outside a transaction or
 * inside the caller's; it does not write.
 */
int triage_refresh(struct triage *t, int32_t today, int *stale, struct uc_err *err);
/* Full runs from stored facts: read and evaluate on 1 (the library's
 * default) or 2 connections in parallel. `uctrack triage` asks for 2 when
 * the machine has 2 or more cores: it halves the run on an idle machine
 * (0.18 s vs 0.35 s for 617k cases) and costs nothing measurable under load. */
void triage_set_threads(struct triage *t, int threads);
/* The compiled rule set in use (owned by t). */
const struct rules *triage_rules(const struct triage *t);

struct triage_stats {
	int64_t cases;			      /* cases evaluated */
	int64_t changed;		      /* results written (new or different) */
	int64_t tasks;			      /* task rows written */
	int64_t records;		      /* records folded (when projected) */
	int64_t unplaced;		      /* records with no person link and no A-number */
	int64_t inactive;		      /* cases left without records (marked inactive) */
	int64_t lapsed;			      /* overrides lapsed because facts changed */
	int projected;			      /* 1 when facts were re-projected */
	double s_project;		      /* seconds reading records and folding facts */
	double s_load;			      /* seconds reading stored facts (no projection) */
	double s_eval;			      /* seconds evaluating rules */
	double s_store;			      /* seconds writing results and tasks */
	int threads;			      /* connections that loaded and evaluated facts;
						 with 2, s_load is their wall time and s_eval
						 only the main connection's follow-up */
	int64_t groups[RULES_MAX_GROUPS + 1]; /* cases per group; last: none */
	int64_t phases[5];		      /* cases per phase number 0..4 */
	char rs_hash[17];		      /* rule set used */
};

/* Triage every case. force_project: re-project even when nothing changed.
 * One transaction. */
int triage_run(struct triage *t, int force_project, struct triage_stats *s, struct uc_err *err);

/* Resolve who (see "Case identity") to a case id. UC_ENOTFOUND if none. */
int triage_find(struct triage *t, const char *who, int64_t *case_id, struct uc_err *err);

/*
 * Re-project and re-triage one case (its own transaction unless one is
 * open: pass in_tx = 1 from inside the caller's transaction). About 0.1 ms.
 * This is what the importer and the HTTP server call after an event.
 */
int triage_person(struct triage *t, int64_t case_id, int in_tx, struct uc_err *err);
/* Same, keyed by what an event carries: a person id (> 0) or an A-number.
 * Creates the case when it is new; *case_id (may be NULL) receives it. */
int triage_key(struct triage *t, int64_t person_id, const char *a_number, int in_tx,
	       int64_t *case_id, struct uc_err *err);

/* One fired rule or hold in an explanation. */
struct triage_fired {
	char kind[8];	  /* "rule" or "hold" */
	char name[64];	  /* rule/hold name */
	char group[64];	  /* rule's group ("" for holds) */
	int32_t score;	  /* rule's score (0 for holds) */
	char blocks[160]; /* hold: blocked actions, comma-separated */
	char lifted[8];	  /* hold: "yes" when an override lifted it */
	char reason[512]; /* rendered reason template */
	char facts[768];  /* facts it read: "name=value, ..." */
};

/* One task of a case. */
struct triage_task {
	char action[24];   /* locate, contact, ..., close */
	int phase;	   /* phase number */
	char due[11];	   /* YYYY-MM-DD */
	char status[8];	   /* open, held */
	char held_by[160]; /* holds blocking it, comma-separated */
	char office[16];   /* field office */
};

/* One override of a case. */
struct triage_ovr {
	char kind[16];	  /* group, lift_hold */
	char value[64];	  /* group or hold name */
	char reason[256]; /* supervisor's reason */
	char by[64];	  /* supervisor */
	char at[32];	  /* when (UTC) */
	char status[8];	  /* active, lapsed */
};

/* Why a case landed where it did. */
/* Ranks are exact up to this position (the count is bounded). */
#define TRIAGE_RANK_MAX 1000

struct triage_explain {
	int64_t case_id;      /* case id */
	int64_t person_id;    /* 0 when not linked */
	char a_number[10];    /* "" when unknown */
	char group[64];	      /* group name, "none" */
	char group_label[64]; /* "Flight risk" */
	int overridden;	      /* group set by an override */
	int32_t score;	      /* priority score */
	int64_t prio;	      /* queue sort key */
	int64_t rank;	      /* 1-based position among all cases;
				 0 when beyond TRIAGE_RANK_MAX */
	int phase;	      /* phase number */
	char phase_name[64];  /* phase name */
	char office[16];      /* field office */
	char rs_hash[17];     /* rule set */
	char as_of[11];	      /* facts as of */
	char triaged_at[32];  /* result time */
	int nfired;	      /* entries in fired */
	struct triage_fired fired[RULES_MAX_RULES + RULES_MAX_HOLDS]; /* rules, then holds */
	int ntasks;						      /* entries in tasks */
	struct triage_task tasks[RULES_MAX_TASKS];		      /* tasks */
	int novr;						      /* entries in ovr */
	struct triage_ovr ovr[8];				      /* latest overrides */
	char facts[FACT_COUNT][48]; /* every fact's value as text */
};

/* Fill ex (a large struct: allocate it) for who. Evaluates with the rule
 * set that produced the stored result. */
int triage_explain(struct triage *t, const char *who, struct triage_explain *ex,
		   struct uc_err *err);

/* Record a supervisor override and re-triage the case. kind: "group"
 * (value = group name) or "lift_hold" (value = hold name). reason and by
 * must be non-empty. Honoured until the case's facts change. *id (may be
 * NULL) gets the override's id (triage_override.id). */
int triage_override(struct triage *t, const char *who, const char *kind, const char *value,
		    const char *reason, const char *by, int64_t *id, struct uc_err *err);

/*
 * Two-person hold lifts. A hold the rule set marks 'statutory' cannot be
 * lifted by triage_override(): one supervisor requests the lift, and a
 * second person (another supervisor or an admin; never the requester)
 * approves it, which records the override and re-triages the case; or
 * rejects it; the requester may withdraw it. Table hold_lift.
 */
struct triage_lift {
	int64_t id;	       /* hold_lift.id */
	int64_t case_id;       /* tcase.id */
	char hold[64];	       /* hold name */
	char reason[2001];     /* why, from the requester */
	char requested_by[65]; /* user name */
	char requested_at[32]; /* UTC */
	char status[12];       /* pending, approved, rejected, withdrawn */
	char decided_by[65];   /* "" while pending */
	char decided_at[32];   /* "" while pending */
	char note[2001];       /* the decider's note, "" when none */
	int64_t override_id;   /* the override an approval made, 0 none */
};
/* Request a lift of statutory hold on case who; *id gets the request. */
int triage_lift_request(struct triage *t, const char *who, const char *hold, const char *reason,
			const char *by, int64_t *id, struct uc_err *err);
/* decision: "approve", "reject" (not by the requester) or "withdraw" (by
 * the requester only). case_id > 0: the request must be of that case.
 * *out (may be NULL) gets the request as decided. */
int triage_lift_decide(struct triage *t, int64_t id, int64_t case_id, const char *decision,
		       const char *by, const char *note, struct triage_lift *out,
		       struct uc_err *err);
/* Request id into *l; UC_ENOTFOUND when there is none. */
int triage_lift_get(struct store *st, int64_t id, struct triage_lift *l, struct uc_err *err);
/* The lift requests of case_id (newest first, at most 100), or with
 * case_id 0 every pending one (oldest first, at most 1000). */
typedef int (*triage_lift_fn)(void *arg, const struct triage_lift *l, struct uc_err *err);
int triage_lift_list(struct store *st, int64_t case_id, int pending_only, triage_lift_fn fn,
		     void *arg, struct uc_err *err);

/* UC_EINPUT (listing the offices) when code is not an office of the
 * field-office table of the last triage run; 0 when it is, or when no
 * run has stored a table yet. For user administration. */
int triage_office_check(struct store *st, const char *code, struct uc_err *err);

/* One row of a stored table, valid until fn returns; fn's non-zero
 * return stops the read and is returned. */
typedef int (*triage_row_fn)(void *arg, struct store_stmt *row, struct uc_err *err);

/* The last limit triage runs, newest first: rows of id, started_at,
 * rule_set (hash), as_of, n_cases, n_projected, n_changed, n_unplaced. */
int triage_runs(struct store *st, int64_t limit, triage_row_fn fn, void *arg, struct uc_err *err);

/* Compile the stored rule set with hash (NULL: the active one, that of
 * the last full run) into *out (the caller frees it with rules_free).
 * UC_ENOTFOUND when there is no such rule set. */
int triage_ruleset_compile(struct store *st, const char *hash, struct rules **out,
			   struct uc_err *err);

/* Whether a full run has stored an active rule set (*rules) and a
 * field-office table (*offices): 1 or 0 each. */
int triage_stored(struct store *st, int *rules, int *offices, struct uc_err *err);

/* Every case's stored facts (the projection of its last triage), by case
 * id: fn(arg, case_id, facts as of the day they were projected). A blob
 * that cannot be read (written by another version) is skipped. */
typedef int (*triage_facts_fn)(void *arg, int64_t case_id, const struct rules_facts *fa,
			       struct uc_err *err);
int triage_facts_each(struct store *st, triage_facts_fn fn, void *arg, struct uc_err *err);

/* Queue sort key from a score and tie-break keys (higher sorts first). */
int64_t triage_prio_key(int32_t score, const int32_t order[RULES_MAX_ORDER]);

#endif
