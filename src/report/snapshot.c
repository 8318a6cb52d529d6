/*
 * snapshot.c - rendered reports kept for the API (report.h, "Snapshots";
 * table report_snapshot, migration 007).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "report/report.h"

int report_watermark(struct store *st, char out[REPORT_WM_LEN], struct uc_err *err)
{
	/* Each is one index or rowid lookup: the end of every table a report
	 * reads grows or moves when data arrives (new rids, links, triage). */
	static const char *const q[] = {
	    "SELECT coalesce(max(rid), 0) FROM cbp_encounter",
	    "SELECT coalesce(max(rid), 0) FROM orr_placement",
	    "SELECT coalesce(max(rid), 0) FROM orr_contact",
	    "SELECT coalesce(max(rid), 0) FROM eoir_case",
	    "SELECT coalesce(max(rid), 0) FROM eoir_proceeding",
	    "SELECT coalesce(max(rid), 0) FROM eoir_hearing",
	    "SELECT coalesce(max(rid), 0) FROM eoir_juvenile",
	    "SELECT coalesce(max(rid), 0) FROM ice_nta",
	    "SELECT coalesce(max(rid), 0) FROM ice_removal",
	    "SELECT coalesce(max(rid), 0) FROM indicator",
	    "SELECT coalesce(max(rid), 0) FROM field_event",
	    "SELECT coalesce(max(id), 0) FROM import_file",
	    "SELECT coalesce(max(id), 0) FROM link_run",
	    "SELECT coalesce(max(id), 0) FROM link_decision",
	    "SELECT coalesce(max(id), 0) FROM person",
	    "SELECT coalesce(max(id), 0) FROM triage_run",
	    "SELECT coalesce(max(id), 0) FROM triage_override",
	};

	return store_fingerprint(st, q, sizeof(q) / sizeof(q[0]), out, REPORT_WM_LEN, err);
}

int report_snapshot_get(struct store *st, const char *key, struct buf *body, char wm[REPORT_WM_LEN],
			char made_at[24], int *found, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st,
			       body ? "SELECT wm, made_at, body FROM report_snapshot"
				      " WHERE key = ?"
				    : "SELECT wm, made_at FROM report_snapshot WHERE key = ?",
			       &q, err);

	*found = 0;
	if (rc)
		return rc;
	store_bind_text(q, 1, key, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		const char *w = store_col_text(q, 0), *m = store_col_text(q, 1);

		snprintf(wm, REPORT_WM_LEN, "%s", w ? w : "");
		snprintf(made_at, 24, "%s", m ? m : "");
		*found = 1;
		rc = UC_OK;
		if (body) {
			int len = store_col_bytes(q, 2);

			buf_reset(body);
			if (len > 0)
				buf_add(body, store_col_blob(q, 2), (size_t)len);
			if (buf_failed(body))
				rc = uc_error(err, UC_ENOMEM, "report snapshot too large");
		}
	}
	store_finalize(q);
	return rc < 0 ? -rc : rc;
}

int report_snapshot_put(struct store *st, const char *key, const char *wm, const struct buf *body,
			struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char now[24];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = store_prepare(st,
			   "INSERT INTO report_snapshot(key, wm, made_at, body) VALUES(?,?,?,?)"
			   " ON CONFLICT(key) DO UPDATE SET wm = excluded.wm,"
			   " made_at = excluded.made_at, body = excluded.body",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, key, -1);
	store_bind_text(q, 2, wm, -1);
	store_bind_text(q, 3, now, -1);
	store_bind_blob(q, 4, body->ptr ? body->ptr : "", (int)body->len);
	rc = store_step(q, err);
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

int report_snapshot_put_rows(struct store *st, const char *key, const struct buf *body,
			     const char *list, struct uc_err *err)
{
	json_t *doc = json_loadb(body->ptr ? body->ptr : "", body->len, 0, NULL);
	json_t *arr = doc ? json_object_get(doc, list) : NULL;
	struct store_stmt *q = NULL;
	int rc;

	if (!json_is_array(arr)) {
		json_decref(doc);
		return uc_error(err, UC_EINTERNAL, "report snapshot %s: no list '%s'", key, list);
	}
	rc = store_prepare(st, "DELETE FROM report_snapshot_row WHERE key = ?", &q, err);
	if (!rc) {
		store_bind_text(q, 1, key, -1);
		rc = store_step(q, err);
		rc = rc < 0 ? -rc : UC_OK;
	}
	store_finalize(q);
	q = NULL;
	if (!rc)
		rc = store_prepare(
		    st, "INSERT INTO report_snapshot_row(key, n, body) VALUES(?,?,?)", &q, err);
	for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
		char *one = json_dumps(json_array_get(arr, i), JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (!one) {
			rc = uc_error(err, UC_ENOMEM, "out of memory");
			break;
		}
		store_reset(q);
		store_bind_text(q, 1, key, -1);
		store_bind_int(q, 2, (int64_t)i + 1);
		store_bind_text(q, 3, one, -1);
		free(one);
		rc = store_step(q, err);
		rc = rc < 0 ? -rc : UC_OK;
	}
	store_finalize(q);
	json_decref(doc);
	return rc;
}

int report_snapshot_page(struct store *st, const char *key, int64_t after, int limit,
			 struct buf *out, int64_t *last, int *found, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st,
			       "SELECT n, body FROM report_snapshot_row WHERE key = ?"
			       " AND n > ? ORDER BY n LIMIT ?",
			       &q, err);
	int k = 0;

	*found = 0;
	*last = 0;
	if (rc)
		return rc;
	store_bind_text(q, 1, key, -1);
	store_bind_int(q, 2, after);
	store_bind_int(q, 3, limit);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		if (k++)
			buf_addc(out, ',');
		buf_adds(out, store_col_text(q, 1));
		*last = store_col_int(q, 0);
	}
	store_finalize(q);
	if (rc < 0)
		return -rc;
	*found = k;
	return buf_failed(out) ? uc_error(err, UC_ENOMEM, "page too large") : UC_OK;
}
