#ifndef UC_CASE_H
#define UC_CASE_H
/*
 * case.h - one child's case as the people working it read it: the triage
 * result, who may see it, the identity the agencies hold, every source
 * record (with the date and label that put it on the timeline), the
 * address history, tasks, overrides and holds.
 *
 * The SQL that answers "what do the records say about this child" for one
 * case lives here, not in the HTTP layer: every statement is an index
 * lookup by case id, person or A-number (record_link, migration 007; the
 * plan guard in tests/cli/test_plans.sh checks them). Rows are handed to a
 * callback as they are read; the caller renders them (the API as JSON).
 *
 *   static int on_row(void *arg, const struct case_source *src,
 *                     struct store_stmt *row, struct uc_err *err) { ... }
 *   struct case_key k;
 *   if (case_summary(st, 42, &k, on_row, arg, &err)) ...   // UC_ENOTFOUND
 *   case_records(st, &k, on_row, arg, &err);
 *
 * Not yet here: the triage projection (triage/project.c) and the report
 * metrics (report/report.c) still fold a child's records with their own
 * bulk readers; see docs/triage.md.
 *
 * The store is borrowed; nothing is kept after a call returns.
 */
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/err.h"
#include "store/store.h"

/* The keys of a case: its records are those of the person, plus records
 * not linked to anyone that carry the case's A-number. */
struct case_key {
	int64_t id;	   /* tcase.id */
	int64_t person_id; /* person.id, 0 when not linked */
	char a_number[10]; /* 9 digits, "" when none */
};

/* A source table as the case view shows it. */
struct case_source {
	const char *tbl;  /* source table, e.g. "eoir_hearing" */
	const char *date; /* the column that dates a row on the timeline */
	const char *what; /* timeline label (field events: their type) */
};

/* One row of a result: src is the record's table for case_records(), NULL
 * for the others. The row is valid until the callback returns; a non-zero
 * return stops the read and is returned. */
typedef int (*case_row_fn)(void *arg, const struct case_source *src, struct store_stmt *row,
			   struct uc_err *err);

/* The triage result of case id (id, person_id, a_number, office, group,
 * score, priority, phase, hold_names, rs_hash, triaged_at, as_of): one row
 * to fn, and its keys in *key. UC_ENOTFOUND when there is no such case. */
int case_summary(struct store *st, int64_t id, struct case_key *key, case_row_fn fn, void *arg,
		 struct uc_err *err);

/* Names, birth date, sex and country as CBP, ORR and EOIR hold them. */
int case_identity(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
		  struct uc_err *err);

/* Every source record of the case, table by table (at most 500 a table),
 * each row with all its columns. */
int case_records(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
		 struct uc_err *err);

/* Address history (oldest first), tasks (most urgent first), overrides
 * (oldest first) and the names of the holds that fire now. */
int case_addresses(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
		   struct uc_err *err);
int case_tasks(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
	       struct uc_err *err);
int case_overrides(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
		   struct uc_err *err);
int case_holds(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
	       struct uc_err *err);

/*
 * Search (GET /cases?q=): the active cases an A-number, a person or a birth
 * date finds. A finder holds the prepared statements of one search, so a
 * search over many candidates prepares each statement once:
 *
 *   struct case_finder *f;
 *   case_finder_open(&f, st, &err);
 *   case_find_birth(f, "2010-05-01", "HOU", 5000, on_hit, arg, &err);
 *   ... on_hit(): case_find_summary(f, id, on_row, arg, &err) for those shown
 *   case_finder_close(f);
 *
 * fn gets each case's id and office (NULL when unknown), so that the
 * caller decides the scope before reading the rest; setting *stop ends
 * the search.
 */
struct case_finder;
typedef int (*case_hit_fn)(void *arg, int64_t id, const char *office, int *stop,
			   struct uc_err *err);
int case_finder_open(struct case_finder **out, struct store *st, struct uc_err *err);
void case_finder_close(struct case_finder *f);
/* The case of A-number a_number (9 digits): the active case carrying it,
 * else its person's. */
int case_find_anumber(struct case_finder *f, const char *a_number, case_hit_fn fn, void *arg,
		      struct uc_err *err);
/* The case of a person (link_name_candidates() gives persons by name). */
int case_find_person(struct case_finder *f, int64_t person_id, case_hit_fn fn, void *arg, int *stop,
		     struct uc_err *err);
/* The active cases whose birth date (the one triage holds: ORR's, else
 * CBP's, ICE's, EOIR's) is date (YYYY-MM-DD), of office only unless it is
 * NULL, at most max read; from the index tcase(birth_date, office), so
 * an office's search reads that office's children born that day. */
int case_find_birth(struct case_finder *f, const char *date, const char *office, int max,
		    case_hit_fn fn, void *arg, struct uc_err *err);
/* The row a search shows (id, person_id, a_number, office, group, phase,
 * score, name, birth_date: the case's, else the latest CBP record's) to
 * fn; UC_ENOTFOUND when the case is gone. */
int case_find_summary(struct case_finder *f, int64_t id, case_row_fn fn, void *arg,
		      struct uc_err *err);

/* What decides whether a user may see a case (auth_case_in_scope). */
#define CASE_MAX_COUNSEL 8
struct case_scope {
	char office[AUTH_SCOPE_MAX + 1];		    /* field office, "" unknown */
	char counsel[CASE_MAX_COUNSEL][AUTH_SCOPE_MAX + 1]; /* counsel of record */
	size_t ncounsel;				    /* entries in counsel */
};

/* The scope facts of active case id; UC_ENOTFOUND when there is none.
 * Counsel of record is read only when with_counsel is set (it decides
 * only for legal providers, auth_scope_reads_counsel(), and costs a
 * query over the child's A-numbers). */
int case_scope(struct store *st, int64_t id, int with_counsel, struct case_scope *out,
	       struct uc_err *err);

/* The A-number events of case id are keyed by (the case's, else its
 * person's best) into out; UC_ECONFLICT when it has none. */
int case_anumber(struct store *st, int64_t id, char out[10], struct uc_err *err);

/* An event id already stored, as a new version of it would change it. */
struct case_event_owner {
	int found;	      /* 1 when a field event has this id */
	int same_case;	      /* 1 when its latest version is one of case id's
			       * records (its A-number or its linked person) */
	char type[40];	      /* the latest version's type */
	char recorded_by[65]; /* who recorded the latest version, "" unknown */
};

/* Look up event_id for case id (the event endpoint refuses a new version
 * of another child's event, or one that changes its type). */
int case_event_owner(struct store *st, int64_t id, const char *event_id,
		     struct case_event_owner *out, struct uc_err *err);

#endif
