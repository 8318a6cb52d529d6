/*
 * ingest_csv.c - CSV feed files (CBP, ORR, ICE): header to spec columns,
 * rows through csvr. Internal to the ingest module (ingest_int.h).
 */
#include "ingest/ingest.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/seal.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/progress.h"
#include "ingest/csvr.h"
#include "ingest/evpar.h"
#include "ingest/ingest_spec.h"
#include "ingest/iso.h"
#include "ingest/lookup.h"
#include "ingest/lread.h"
#include "ingest/fnorm.h"
#include "ingest/wpipe.h"
#include "ingest/ingest_int.h"

/* Header columns -> spec columns. Returns 0, or -1 after reporting. */
int ingest_map_header(struct frun *fr, char **names, int nf, int ci)
{
	const struct table_spec *ts = fr->ts;
	struct buf miss, unk;
	int bad = 0;

	buf_init(&miss, 8192);
	buf_init(&unk, 8192);
	for (int k = 0; k < ts->ncols; k++) {
		fr->fidx[k] = -1;
		for (int i = 0; i < nf; i++) {
			const char *h = names[i];
			int eq = ci ? strcasecmp(h, ts->cols[k].name) == 0
				    : strcmp(h, ts->cols[k].name) == 0;

			if (eq) {
				fr->fidx[k] = i;
				break;
			}
		}
		if (fr->fidx[k] < 0 && !ts->cols[k].optional) {
			buf_addf(&miss, "%s%s", miss.len ? ", " : "", ts->cols[k].name);
			bad = 1;
		}
	}
	if (!ci) {
		for (int i = 0; i < nf; i++) {
			int known = 0;

			for (int k = 0; k < ts->ncols && !known; k++)
				known = strcmp(names[i], ts->cols[k].name) == 0;
			if (!known) {
				buf_addf(&unk, "%s'%s'", unk.len ? ", " : "", names[i]);
				bad = 1;
			}
		}
	}
	if (bad) {
		struct buf b;

		buf_init(&b, 16384);
		if (miss.len)
			buf_addf(&b, "missing column(s) %s", miss.ptr);
		if (unk.len)
			buf_addf(&b, "%sunknown column(s) %s", miss.len ? "; " : "", unk.ptr);
		buf_addf(&b, "; expected header: ");
		for (int k = 0; k < ts->ncols; k++)
			buf_addf(&b, "%s%s", k ? (ci ? "\t" : ",") : "", ts->cols[k].name);
		ingest_row_error_at(fr, 1, 1, "header", "%s", b.ptr);
		buf_release(&b);
	}
	buf_release(&miss);
	buf_release(&unk);
	return bad ? -1 : 0;
}

static const struct table_spec *spec_by_key(const char *feed, const char *first)
{
	for (int i = 0; i < ingest_ntables; i++)
		if (strcmp(ingest_tables[i].feed, feed) == 0 &&
		    strcmp(ingest_tables[i].cols[0].name, first) == 0)
			return &ingest_tables[i];
	return NULL;
}

static void progress_bytes(struct progress *p, uint64_t done)
{
	progress_tick(p, done);
}

/* One CSV file of feed (cbp, orr, ice). */
int ingest_import_csv(struct frun *fr, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	struct csvr *r = NULL;
	struct csvr_row *row;
	struct val v[MAX_COLS];
	struct progress pg;
	char sha[65] = "";
	int rc, header = 1, nh = 0;
	uint64_t size = 0;

	rc = csvr_open(&r, fr->path, ',', err);
	if (rc)
		return rc;
	csvr_bytes(r, &size);
	fr->file_size = size;
	progress_start(&pg, fr->path, size);
	fr->kind = 0;
	while ((rc = csvr_next(r, &row)) != CSVR_EOF) {
		if (rc == CSVR_IOERR) {
			rc = uc_error(err, UC_EIO, "%s", csvr_error(r)->msg);
			goto out;
		}
		fr->crow = row;
		fr->line = row->line;
		fr->raw = row->raw;
		fr->raw_len = row->raw_len;
		fr->row_bad = 0;
		if (header && ingest_bom_check_file(fr, csvr_bom(r))) {
			rc = UC_OK;
			goto out;
		}
		if (rc == CSVR_BAD) {
			if (header) {
				ingest_row_error_at(fr, row->bad_line, row->col, "header", "%s",
						    row->problem);
				rc = UC_OK;
				goto out;
			}
			fr->rows_read++;
			ingest_row_error_at(fr, row->bad_line, row->col, "row", "%s", row->problem);
			fr->rows_rejected++;
			continue;
		}
		if (header) {
			const struct table_spec *ts;

			header = 0;
			nh = row->nf;
			ts = spec_by_key(fr->feed, row->nf ? row->f[0] : "");
			if (!ts) {
				struct buf b;

				buf_init(&b, 4096);
				for (int i = 0; i < ingest_ntables; i++)
					if (strcmp(ingest_tables[i].feed, fr->feed) == 0)
						buf_addf(&b, "%s%s (%s)", b.len ? ", " : "",
							 ingest_tables[i].cols[0].name,
							 ingest_tables[i].label);
				ingest_row_error_at(
				    fr, 1, 1, "header",
				    "not a %s file: the first column must be one of %s", fr->feed,
				    b.ptr);
				buf_release(&b);
				rc = UC_OK;
				goto out;
			}
			fr->ts = ts;
			if (ingest_map_header(fr, row->f, row->nf, 0)) {
				rc = UC_OK;
				goto out;
			}
			rc = ingest_prepare_insert(c, ts, err);
			if (!rc)
				rc = ingest_begin_file(fr, ts->tbl, err);
			if (rc)
				goto out;
			continue;
		}
		fr->rows_read++;
		if ((fr->rows_read & 8191) == 0)
			progress_bytes(&pg, csvr_bytes(r, NULL));
		if (row->nf != nh) {
			long line, col;

			if (row->nf > nh) {
				csvr_field_pos(row, nh, &line, &col);
				ingest_row_error_at(fr, line, col, "row",
						    "%d fields, the header has %d", row->nf, nh);
			} else {
				line = row->last_line;
				col = (long)row->raw_len + 1;
				if (row->line == row->last_line)
					csvr_field_pos(row, row->nf + 1, &line, &col);
				ingest_row_error_at(
				    fr, line, col, "row", "%d fields, the header has %d%s", row->nf,
				    nh,
				    row->ended_nl ? "" : " (last line cut short: file truncated?)");
			}
			fr->rows_rejected++;
			continue;
		}
		buf_reset(&c->vb);
		for (int k = 0; k < fr->ts->ncols; k++)
			ingest_check_value(fr, k, row->f[fr->fidx[k]], row->len[fr->fidx[k]],
					   &v[k]);
		rc = ingest_store_row(fr, v, err);
		if (rc)
			goto out;
	}
	rc = UC_OK;
	if (header) {
		ingest_row_error_at(fr, 1, 1, "header", "empty file: expected a header row");
		goto out;
	}
	csvr_sha256_hex(r, sha);
	rc = ingest_end_file(fr, sha, err);
out:
	progress_end(&pg);
	csvr_close(r);
	return rc;
}
