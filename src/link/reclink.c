/*
 * reclink.c - record_link: the child of every record that carries no
 * identity of its own (link.h, "Record links"; migration 007).
 *
 * Each table has one rule, written once below as the person expression of
 * a row `t`; the same expression serves the bulk pass (rows above the
 * table's mark) and the one-row redo after a split.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "link/link.h"

/* The person of the lowest-rid version of the placement a contact names
 * (orr_placement_skey index), else of its A-number. */
#define CONTACT_PERSON                                                                             \
	"coalesce((SELECT pr.person_id FROM orr_placement p JOIN person_record pr"                 \
	" ON pr.src_tbl = 'orr_placement' AND pr.src_rid = p.rid"                                  \
	" WHERE p.skey = t.placement_id ORDER BY p.rid LIMIT 1),"                                  \
	" (SELECT person_id FROM person_anumber WHERE a_number = t.a_number))"
#define ANUM_PERSON "(SELECT person_id FROM person_anumber WHERE a_number = t.a_number)"
#define IDN_PERSON "(SELECT person_id FROM person_idncase WHERE idncase = t.idncase)"

/* What a rule's person expression reads (link_records_refresh()). */
#define BY_ANUM 1  /* t.a_number */
#define BY_IDN 2   /* t.idncase */
#define BY_PLACE 4 /* t.placement_id */

/* The tables record_link covers; only these names reach SQL text. */
static const struct {
	const char *tbl;    /* source table */
	const char *person; /* person expression of row t */
	const char *method; /* how, as the old view named it */
	unsigned by;	    /* the columns the expression reads (BY_*) */
} rules[] = {
    {"orr_contact", CONTACT_PERSON, "placement", BY_ANUM | BY_PLACE},
    {"ice_removal", "coalesce(" ANUM_PERSON ", " IDN_PERSON ")", "a_number", BY_ANUM | BY_IDN},
    {"indicator", ANUM_PERSON, "a_number", BY_ANUM},
    {"field_event", ANUM_PERSON, "a_number", BY_ANUM},
    {"eoir_proceeding", IDN_PERSON, "idncase", BY_IDN},
    {"eoir_hearing", IDN_PERSON, "idncase", BY_IDN},
    {"eoir_juvenile", IDN_PERSON, "idncase", BY_IDN},
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

static int run1(struct store *st, const char *sql, int64_t a, int64_t *changed, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st, sql, &q, err);

	if (rc)
		return rc;
	store_bind_int(q, 1, a);
	rc = store_step(q, err);
	store_finalize(q);
	if (rc < 0)
		return -rc;
	if (changed)
		*changed += store_changes(st);
	return UC_OK;
}

/*
 * A rebuild writes every row again: the secondary indexes of record_link
 * (whoever's migration made them) are dropped first and created again
 * from their stored definitions after the inserts -- one sort instead of
 * two million scattered index updates (at 600,000 children the rebuild
 * went from about 10.7 s to 7.3 s). Inside the caller's transaction, so a
 * failure rolls the drop back too. The statements are kept in *saved
 * (NUL-separated, owned by the caller).
 */
static int indexes_set_aside(struct store *st, struct buf *saved, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct buf drop;
	int rc;

	buf_init(&drop, 1u << 16);
	rc = store_prepare(st,
			   "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
			   " AND tbl_name = 'record_link' AND sql IS NOT NULL ORDER BY name",
			   &q, err);
	if (rc)
		goto out;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		const char *name = store_col_text(q, 0), *def = store_col_text(q, 1);

		if (!name || !def || strchr(name, '"'))
			continue;
		buf_addf(&drop, "DROP INDEX \"%s\";", name);
		buf_add(saved, def, strlen(def) + 1);
	}
	store_finalize(q);
	q = NULL;
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	rc = buf_failed(&drop) || buf_failed(saved)
		 ? uc_error(err, UC_ENOMEM, "index list too long")
		 : UC_OK;
	if (!rc && drop.len)
		rc = store_exec(st, drop.ptr, err);
out:
	store_finalize(q);
	buf_release(&drop);
	return rc;
}

static int indexes_restore(struct store *st, const struct buf *saved, struct uc_err *err)
{
	int rc = UC_OK;

	for (size_t i = 0; i < saved->len && !rc; i += strlen(saved->ptr + i) + 1)
		rc = store_exec(st, saved->ptr + i, err);
	return rc;
}

int link_records_sync(struct store *st, int full, const char *only, int64_t *added,
		      struct uc_err *err)
{
	struct buf sql, saved;
	int64_t n = 0, linked = 0;
	int rc;

	buf_init(&sql, 4096);
	buf_init(&saved, 1u << 16);
	if (full) {
		rc = indexes_set_aside(st, &saved, err);
		if (!rc)
			rc = store_exec(
			    st, "DELETE FROM record_link; DELETE FROM record_link_mark;", err);
		if (rc)
			goto out;
	}
	/* Nothing is linked yet: no record can have a person. */
	rc = store_query_int(st, "SELECT EXISTS(SELECT 1 FROM person_record)", &linked, err);
	if (rc)
		goto out;
	for (size_t i = 0; i < NRULES; i++) {
		int64_t mark = 0, top = 0;

		if (only && strcmp(only, rules[i].tbl) != 0)
			continue;
		buf_reset(&sql);
		buf_addf(&sql,
			 "SELECT coalesce((SELECT max_rid FROM record_link_mark"
			 " WHERE tbl = '%s'), 0)",
			 rules[i].tbl);
		rc = store_query_int(st, sql.ptr, &mark, err);
		if (!rc) {
			buf_reset(&sql);
			buf_addf(&sql, "SELECT coalesce(max(rid), 0) FROM %s", rules[i].tbl);
			rc = store_query_int(st, sql.ptr, &top, err);
		}
		if (rc)
			goto out;
		if (top <= mark)
			continue;
		if (linked && strcmp(rules[i].tbl, "orr_contact") == 0) {
			/* The placement lookup needs its index even inside a
			 * bulk import that left the read indexes for later. */
			rc = store_exec(st,
					"CREATE INDEX IF NOT EXISTS orr_placement_skey"
					" ON orr_placement(skey, rid)",
					err);
			if (rc)
				goto out;
		}
		if (linked) {
			buf_reset(&sql);
			buf_addf(&sql,
				 "INSERT INTO record_link(src_tbl, src_rid, person_id, method)"
				 " SELECT '%s', t.rid, %s AS pid, '%s' FROM %s t"
				 " WHERE t.rid > ?1 AND pid IS NOT NULL"
				 " ON CONFLICT(src_tbl, src_rid) DO UPDATE SET"
				 " person_id = excluded.person_id, method = excluded.method",
				 rules[i].tbl, rules[i].person, rules[i].method, rules[i].tbl);
			rc = buf_failed(&sql) ? uc_error(err, UC_ENOMEM, "query too long")
					      : run1(st, sql.ptr, mark, &n, err);
			if (rc)
				goto out;
		}
		buf_reset(&sql);
		buf_addf(&sql,
			 "INSERT INTO record_link_mark(tbl, max_rid) VALUES('%s', ?1)"
			 " ON CONFLICT(tbl) DO UPDATE SET max_rid = excluded.max_rid",
			 rules[i].tbl);
		rc = run1(st, sql.ptr, top, NULL, err);
		if (rc)
			goto out;
	}
	if (added)
		*added = n;
	rc = indexes_restore(st, &saved, err);
out:
	buf_release(&sql);
	buf_release(&saved);
	return rc;
}

/* The rows of one rule whose key column equals ?1, linked again. */
static const char *const refresh_where[] = {
    [BY_ANUM] = "t.a_number = ?1",
    [BY_IDN] = "t.idncase = ?1",
    [BY_PLACE] = "t.placement_id = (SELECT skey FROM orr_placement WHERE rid = ?1)",
};

int link_records_refresh(struct store *st, const struct link_touch *t, int64_t *changed,
			 struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct buf sql;
	int64_t n = 0;
	int rc = UC_OK;

	buf_init(&sql, 4096);
	for (size_t i = 0; i < NRULES && !rc; i++) {
		for (unsigned by = BY_ANUM; by <= BY_PLACE && !rc; by <<= 1) {
			size_t nkey = by == BY_ANUM ? t->nanum : by == BY_IDN ? t->nidn : t->nplace;

			if (!(rules[i].by & by) || nkey == 0)
				continue;
			buf_reset(&sql);
			buf_addf(&sql,
				 "INSERT INTO record_link(src_tbl, src_rid, person_id, method)"
				 " SELECT '%s', t.rid, %s AS pid, '%s' FROM %s t"
				 " WHERE %s AND pid IS NOT NULL"
				 " ON CONFLICT(src_tbl, src_rid) DO UPDATE SET"
				 " person_id = excluded.person_id, method = excluded.method",
				 rules[i].tbl, rules[i].person, rules[i].method, rules[i].tbl,
				 refresh_where[by]);
			if (buf_failed(&sql)) {
				rc = uc_error(err, UC_ENOMEM, "query too long");
				break;
			}
			rc = store_prepare(st, sql.ptr, &q, err);
			for (size_t k = 0; k < nkey && !rc; k++) {
				store_reset(q);
				if (by == BY_ANUM)
					store_bind_text(q, 1, t->anum[k], -1);
				else
					store_bind_int(
					    q, 1, by == BY_IDN ? t->idncase[k] : t->placement[k]);
				rc = store_step(q, err);
				rc = rc < 0 ? -rc : UC_OK;
				if (!rc)
					n += store_changes(st);
			}
			store_finalize(q);
			q = NULL;
		}
	}
	if (changed)
		*changed = n;
	buf_release(&sql);
	return rc;
}

int link_records_moved(struct store *st, int64_t keep, int64_t other, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st, "UPDATE record_link SET person_id = ?1 WHERE person_id = ?2", &q,
			       err);

	if (rc)
		return rc;
	store_bind_int(q, 1, keep);
	store_bind_int(q, 2, other);
	rc = store_step(q, err);
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

int link_records_placement(struct store *st, int64_t placement_rid, struct uc_err *err)
{
	/* The contacts naming this placement take their person again. */
	static const char sql[] =
	    "INSERT INTO record_link(src_tbl, src_rid, person_id, method)"
	    " SELECT 'orr_contact', t.rid, " CONTACT_PERSON " AS pid, 'placement'"
	    " FROM orr_contact t WHERE t.placement_id ="
	    " (SELECT skey FROM orr_placement WHERE rid = ?1) AND pid IS NOT NULL"
	    " ON CONFLICT(src_tbl, src_rid) DO UPDATE SET person_id = excluded.person_id";

	return run1(st, sql, placement_rid, NULL, err);
}

int link_records_update(struct store *st, int64_t *added, struct uc_err *err)
{
	int rc = store_begin(st, err);

	if (!rc)
		rc = link_records_sync(st, 0, NULL, added, err);
	if (!rc)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	return rc;
}
