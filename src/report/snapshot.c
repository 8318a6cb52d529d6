/*
 * snapshot.c - rendered reports kept for the API (report.h, "Snapshots";
 * table report_snapshot, migration 007).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

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

int report_snapshot_get(struct store *st, const char *key, struct buf *body,
			char wm[REPORT_WM_LEN], char made_at[24], int *found,
			struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st, "SELECT wm, made_at, body FROM report_snapshot WHERE key = ?",
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
		int len = store_col_bytes(q, 2);

		buf_reset(body);
		if (len > 0)
			buf_add(body, store_col_blob(q, 2), (size_t)len);
		*found = 1;
		rc = buf_failed(body) ? uc_error(err, UC_ENOMEM, "report snapshot too large")
				      : UC_OK;
	}
	store_finalize(q);
	return rc < 0 ? -rc : rc;
}

int report_snapshot_put(struct store *st, const char *key, const char *wm,
			const struct buf *body, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char now[24];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = store_prepare(st, "INSERT INTO report_snapshot(key, wm, made_at, body) VALUES(?,?,?,?)"
			       " ON CONFLICT(key) DO UPDATE SET wm = excluded.wm,"
			       " made_at = excluded.made_at, body = excluded.body", &q, err);
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
