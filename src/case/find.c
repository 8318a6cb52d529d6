/*
 * find.c - the active cases a search finds (case.h, struct case_finder):
 * by A-number, by person, by birth date, and the summary row a search
 * shows. The statements are prepared once per finder, not per candidate.
 */
#include <stdlib.h>

#include "case/case.h"
#include "core/err.h"

struct case_finder {
	struct store_stmt *own;		 /* the active case carrying an A-number */
	struct store_stmt *anum;	 /* the active case of its person */
	struct store_stmt *person;	 /* case of a person: id, office */
	struct store_stmt *birth;	 /* active cases born on a date */
	struct store_stmt *birth_office; /* ... of one office */
	struct store_stmt *sum;		 /* the summary row of a case */
};

int case_finder_open(struct case_finder **out, struct store *st, struct uc_err *err)
{
	struct case_finder *f = uc_xcalloc(1, sizeof(*f));
	int rc;

	rc = store_prepare(st,
			   "SELECT id, office FROM tcase WHERE a_number = ?1"
			   " AND active = 1 LIMIT 1",
			   &f->own, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT c.id, c.office FROM tcase c WHERE c.person_id ="
				   " (SELECT person_id FROM person_anumber WHERE a_number = ?1)"
				   " AND c.active = 1 LIMIT 1",
				   &f->anum, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT c.id, c.office FROM tcase c"
				   " WHERE c.active = 1 AND c.person_id = ?1 LIMIT 1",
				   &f->person, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT id, office FROM tcase WHERE birth_date = ?1"
				   " AND active = 1 LIMIT ?2",
				   &f->birth, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT id, office FROM tcase WHERE birth_date = ?1"
				   " AND office = ?3 AND active = 1 LIMIT ?2",
				   &f->birth_office, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "SELECT c.id, c.person_id, c.a_number, c.office,"
		    " c.grp AS \"group\", c.phase, c.score,"
		    " (SELECT e.family_name || ', ' || e.given_name FROM cbp_encounter e"
		    "   WHERE e.a_number = c.a_number ORDER BY e.rid DESC LIMIT 1) AS name,"
		    " coalesce(c.birth_date, (SELECT e.birth_date FROM cbp_encounter e"
		    "   WHERE e.a_number = c.a_number ORDER BY e.rid DESC LIMIT 1))"
		    "   AS birth_date"
		    " FROM tcase c WHERE c.id = ?1",
		    &f->sum, err);
	if (rc) {
		case_finder_close(f);
		f = NULL;
	}
	*out = f;
	return rc;
}

void case_finder_close(struct case_finder *f)
{
	if (!f)
		return;
	store_finalize(f->anum);
	store_finalize(f->own);
	store_finalize(f->person);
	store_finalize(f->birth);
	store_finalize(f->birth_office);
	store_finalize(f->sum);
	free(f);
}

/* The case q (bound) finds, if any, to fn; *found says whether it found
 * one (may be NULL). */
static int one_case(struct store_stmt *q, case_hit_fn fn, void *arg, int *stop, int *found,
		    struct uc_err *err)
{
	int rc = store_step(q, err);

	if (found)
		*found = rc == STORE_ROW;
	if (rc == STORE_ROW) {
		const char *office = store_col_text(q, 1);

		rc = fn(arg, store_col_int(q, 0), office && *office ? office : NULL, stop, err);
		store_reset(q);
		return rc;
	}
	store_reset(q);
	return rc < 0 ? -rc : UC_OK;
}

/* The case of an A-number: the active case that carries it (one index
 * lookup, most children), else its person's. Two statements rather than
 * one "a_number = ? OR person_id = ?" (a planner without statistics
 * walked every active case for that form). */
static int anumber_case(struct case_finder *f, const char *a_number, case_hit_fn fn, void *arg,
			int *stop, struct uc_err *err)
{
	int found = 0, rc;

	store_bind_text(f->own, 1, a_number, -1);
	rc = one_case(f->own, fn, arg, stop, &found, err);
	if (rc || found)
		return rc;
	store_bind_text(f->anum, 1, a_number, -1);
	return one_case(f->anum, fn, arg, stop, NULL, err);
}

int case_find_anumber(struct case_finder *f, const char *a_number, case_hit_fn fn, void *arg,
		      struct uc_err *err)
{
	int stop = 0;

	return anumber_case(f, a_number, fn, arg, &stop, err);
}

int case_find_person(struct case_finder *f, int64_t person_id, case_hit_fn fn, void *arg, int *stop,
		     struct uc_err *err)
{
	store_bind_int(f->person, 1, person_id);
	return one_case(f->person, fn, arg, stop, NULL, err);
}

int case_find_birth(struct case_finder *f, const char *date, const char *office, int max,
		    case_hit_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = office ? f->birth_office : f->birth;
	int stop = 0, rc = STORE_DONE, hit = UC_OK;

	store_bind_text(q, 1, date, -1);
	store_bind_int(q, 2, max);
	if (office)
		store_bind_text(q, 3, office, -1);
	while (!hit && !stop && (rc = store_step(q, err)) == STORE_ROW) {
		const char *o = store_col_text(q, 1);

		hit = fn(arg, store_col_int(q, 0), o && *o ? o : NULL, &stop, err);
	}
	store_reset(q);
	/* an error of fn is a UC_ code, one of the step negative */
	return hit ? hit : rc < 0 ? -rc : UC_OK;
}

int case_find_summary(struct case_finder *f, int64_t id, case_row_fn fn, void *arg,
		      struct uc_err *err)
{
	int rc;

	store_bind_int(f->sum, 1, id);
	rc = store_step(f->sum, err);
	if (rc == STORE_ROW)
		rc = fn(arg, NULL, f->sum, err);
	else
		rc = rc < 0 ? -rc : UC_ENOTFOUND;
	store_reset(f->sum);
	return rc;
}
