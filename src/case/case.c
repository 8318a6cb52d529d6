/*
 * case.c - one child's case as the people working it read it (case.h).
 */
#include "case/case.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"

/* Tables a case's records come from, with the column that dates a row and
 * its timeline label. Only these names are ever put into SQL text. */
static const struct case_source sources[] = {
    {"cbp_encounter", "encounter_date", "CBP encounter"},
    {"orr_placement", "released_date", "ORR release"},
    {"orr_contact", "contact_date", "ORR post-release contact"},
    {"eoir_case", "date_of_entry", "EOIR case opened"},
    {"eoir_proceeding", "comp_date", "EOIR decision"},
    {"eoir_hearing", "adj_date", "EOIR hearing"},
    {"eoir_juvenile", "created_on", "EOIR juvenile history"},
    {"ice_nta", "issued_date", "ICE NTA issued"},
    {"ice_removal", "action_date", "ICE removal action"},
    {"indicator", "observed_date", "Indicator"},
    {"field_event", "occurred_at", "Field event"},
};

/* Run sql with ?1 = the person (records, src set) or the case id (the
 * rest) and ?2 = the A-number (NULL when none); hand every row to fn. */
static int each_row(struct store *st, const char *sql, const struct case_key *key,
		    const struct case_source *src, case_row_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st, sql, &q, err);

	if (rc)
		return rc;
	/* records are the person's (0 when not linked: none); the rest the case's */
	store_bind_int(q, 1, src ? key->person_id : key->id);
	store_bind_text(q, 2, key->a_number[0] ? key->a_number : NULL, -1);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		rc = fn(arg, src, q, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return rc < 0 ? -rc : rc;
}

int case_summary(struct store *st, int64_t id, struct case_key *key, case_row_fn fn, void *arg,
		 struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(
	    st,
	    "SELECT c.id, c.person_id, c.a_number, c.office, c.grp AS \"group\","
	    " c.score, c.prio AS priority, c.phase, c.hold_names, c.rs_hash,"
	    " c.triaged_at, (SELECT f.as_of FROM case_fact f WHERE f.case_id = c.id) AS as_of"
	    " FROM tcase c WHERE c.id = ?",
	    &q, err);

	memset(key, 0, sizeof(*key));
	if (rc)
		return rc;
	store_bind_int(q, 1, id);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		const char *a = store_col_text(q, 2);

		key->id = id;
		key->person_id = store_col_int(q, 1);
		snprintf(key->a_number, sizeof(key->a_number), "%s", a ? a : "");
		rc = fn(arg, NULL, q, err);
	} else if (rc == STORE_DONE) {
		rc = uc_error(err, UC_ENOTFOUND, "no case %lld", (long long)id);
	} else {
		rc = -rc;
	}
	store_finalize(q);
	return rc;
}

int case_identity(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
		  struct uc_err *err)
{
	return each_row(st,
			"SELECT 'cbp_encounter' AS source, family_name, given_name, birth_date,"
			" sex, country, a_number FROM cbp_encounter WHERE a_number = ?2"
			" UNION SELECT 'orr_placement', family_name, given_name, birth_date,"
			" sex, country, a_number FROM orr_placement WHERE a_number = ?2"
			" UNION SELECT 'eoir_case', family_name, given_name, birth_date, sex,"
			" country, a_number FROM eoir_case WHERE a_number = ?2",
			key, NULL, fn, arg, err);
}

int case_records(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
		 struct uc_err *err)
{
	struct buf sql;
	int rc = UC_OK;

	buf_init(&sql, 1024);
	for (size_t t = 0; !rc && t < sizeof(sources) / sizeof(sources[0]); t++) {
		const char *tbl = sources[t].tbl;

		buf_reset(&sql);
		/* Records of the linked person (record_person: person_record and
		 * record_link, both indexed by person), plus unlinked records
		 * carrying the case's A-number. EOIR child tables have none. */
		buf_addf(&sql,
			 "SELECT x.* FROM %s x WHERE x.rid IN (SELECT src_rid FROM"
			 " record_person WHERE src_tbl = '%s' AND person_id = ?1)",
			 tbl, tbl);
		if (strcmp(tbl, "eoir_proceeding") != 0 && strcmp(tbl, "eoir_hearing") != 0 &&
		    strcmp(tbl, "eoir_juvenile") != 0)
			buf_adds(&sql, " OR (?2 IS NOT NULL AND x.a_number = ?2)");
		buf_adds(&sql, " ORDER BY x.rid LIMIT 500");
		rc = buf_failed(&sql) ? uc_error(err, UC_ENOMEM, "query too long")
				      : each_row(st, sql.ptr, key, &sources[t], fn, arg, err);
	}
	buf_release(&sql);
	return rc;
}

int case_addresses(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
		   struct uc_err *err)
{
	return each_row(st,
			"SELECT id, src_tbl, src_rid, street, unit, city, state, zip, status,"
			" as_of FROM address WHERE a_number = ?2 ORDER BY as_of, id",
			key, NULL, fn, arg, err);
}

int case_tasks(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
	       struct uc_err *err)
{
	return each_row(st,
			"SELECT id, action, phase, office, due, status, held_by, prio"
			" AS priority FROM task WHERE case_id = ?1 ORDER BY prio DESC, id",
			key, NULL, fn, arg, err);
}

int case_overrides(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
		   struct uc_err *err)
{
	return each_row(st,
			"SELECT id, kind, value, reason, by_user, created_at, status"
			" FROM triage_override WHERE case_id = ?1 ORDER BY id",
			key, NULL, fn, arg, err);
}

int case_holds(struct store *st, const struct case_key *key, case_row_fn fn, void *arg,
	       struct uc_err *err)
{
	return each_row(st,
			"SELECT value AS name FROM json_each('[\"' || replace("
			"coalesce((SELECT hold_names FROM tcase WHERE id = ?1), ''),"
			" ',', '\",\"') || '\"]') WHERE value <> ''",
			key, NULL, fn, arg, err);
}

int case_scope(struct store *st, int64_t id, int with_counsel, struct case_scope *out,
	       struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_prepare(st, "SELECT office FROM tcase WHERE id = ? AND active = 1", &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, id);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		const char *o = store_col_text(q, 0);

		snprintf(out->office, sizeof(out->office), "%s", o ? o : "");
	}
	store_finalize(q);
	q = NULL;
	if (rc < 0)
		return -rc;
	if (rc == STORE_DONE)
		return uc_error(err, UC_ENOTFOUND, "no case %lld", (long long)id);
	if (!with_counsel)
		return UC_OK;
	/* Counsel of record: providers whose latest counsel row says started. */
	rc = store_prepare(
	    st,
	    "SELECT DISTINCT r.provider FROM representation r"
	    " WHERE r.kind = 'counsel' AND r.status = 'started' AND r.provider IS NOT NULL"
	    " AND r.a_number IN (SELECT a_number FROM tcase WHERE id = ?1"
	    "   UNION SELECT pa.a_number FROM person_anumber pa JOIN tcase c"
	    "   ON c.person_id = pa.person_id WHERE c.id = ?1)"
	    " AND NOT EXISTS (SELECT 1 FROM representation e WHERE e.a_number = r.a_number"
	    "   AND e.provider = r.provider AND e.kind = 'counsel' AND e.status = 'ended'"
	    "   AND (e.on_date > r.on_date OR (e.on_date = r.on_date AND e.id > r.id)))"
	    " LIMIT 8",
	    &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, id);
	while ((rc = store_step(q, err)) == STORE_ROW && out->ncounsel < CASE_MAX_COUNSEL) {
		snprintf(out->counsel[out->ncounsel], sizeof(out->counsel[0]), "%s",
			 store_col_text(q, 0));
		out->ncounsel++;
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

int case_anumber(struct store *st, int64_t id, char out[10], struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(
	    st,
	    "SELECT coalesce(c.a_number, (SELECT a_number FROM person WHERE id = c.person_id))"
	    " FROM tcase c WHERE c.id = ?",
	    &q, err);

	out[0] = '\0';
	if (!rc) {
		store_bind_int(q, 1, id);
		rc = store_step(q, err);
		if (rc == STORE_ROW && store_col_text(q, 0))
			snprintf(out, 10, "%s", store_col_text(q, 0));
		rc = rc < 0 ? -rc : UC_OK;
	}
	store_finalize(q);
	if (!rc && !out[0])
		rc = uc_error(err, UC_ECONFLICT,
			      "case %lld has no A-number; events are keyed by A-number",
			      (long long)id);
	return rc;
}

int case_event_owner(struct store *st, int64_t id, const char *event_id,
		     struct case_event_owner *out, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	/* field_event_skey and the record_link primary key: two lookups. */
	rc = store_prepare(
	    st,
	    "SELECT e.type, e.recorded_by,"
	    " e.a_number IS NOT NULL AND e.a_number ="
	    "  coalesce(c.a_number, (SELECT a_number FROM person WHERE id = c.person_id))"
	    " OR (SELECT person_id FROM record_link"
	    "     WHERE src_tbl = 'field_event' AND src_rid = e.rid) = c.person_id"
	    " FROM field_event e, tcase c"
	    " WHERE e.skey = ? AND c.id = ? ORDER BY e.rid DESC LIMIT 1",
	    &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, event_id, -1);
	store_bind_int(q, 2, id);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		out->found = 1;
		snprintf(out->type, sizeof(out->type), "%s",
			 store_col_text(q, 0) ? store_col_text(q, 0) : "");
		snprintf(out->recorded_by, sizeof(out->recorded_by), "%s",
			 store_col_text(q, 1) ? store_col_text(q, 1) : "");
		out->same_case = store_col_int(q, 2) != 0;
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}
