/*
 * ingest_eoir.c - EOIR tab-separated tables: the table of a file, stray
 * tabs repaired, unknown codes counted. Internal to the ingest module
 * (ingest_int.h).
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
#include "core/anum.h"
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

/* ---- EOIR ------------------------------------------------------------- */

/*
 * Does s read as a value of column cs? Shift detection (eoir_repair) asks
 * this of every field: blank and NULL always do; numbers, dates,
 * A-numbers, enumerations (Sex), state and ZIP codes, and codes of the
 * lookup tables (NAT, LANG, CASEPRIORITY_CODE, ...) are checked. Free
 * text reads as anything. 1: it does.
 */
static int eoir_plausible(const struct ingest_ctx *c, const struct col_spec *cs, const char *s)
{
	size_t n = strlen(s);
	int32_t d;
	long long x;
	char tmp[10];

	fnorm_trim(&s, &n);
	if (n == 0 || (n == 4 && memcmp(s, "NULL", 4) == 0))
		return 1;
	switch (cs->type) {
	case T_DATE:
	case T_DATE_REQ:
		return date_parse(s, n, &d) == 0;
	case T_IKEY:
	case T_INT:
	case T_INT_REQ:
	case T_JUV:
		return fnorm_int(s, n, &x) == FNORM_OK;
	case T_ANUM:
	case T_ANUM_REQ:
		return anum_parse(s, n, tmp) == ANUM_OK;
	case T_ENUM:
	case T_ENUM_REQ:
		return fnorm_enum(s, n, cs->allowed) >= 0;
	case T_STATE:
		return ingest_state_code(s, n, tmp);
	case T_ZIP:
		return ingest_zip_shape(s, n);
	case T_CODE:
		return !c->lk || lookup_get(c->lk, cs->lk, s, n) != NULL;
	default:
		return 1;
	}
}

/* What a column must read as, for messages. */
static void eoir_expect(const struct col_spec *cs, struct buf *b)
{
	switch (cs->type) {
	case T_DATE:
	case T_DATE_REQ:
		buf_adds(b, "a date");
		break;
	case T_IKEY:
	case T_INT:
	case T_INT_REQ:
	case T_JUV:
		buf_adds(b, "a whole number");
		break;
	case T_ANUM:
	case T_ANUM_REQ:
		buf_adds(b, "an A-number");
		break;
	case T_ENUM:
	case T_ENUM_REQ:
		buf_adds(b, "one of ");
		fnorm_enum_list(cs->allowed, b);
		break;
	case T_STATE:
		buf_adds(b, "a US state code");
		break;
	case T_ZIP:
		buf_adds(b, "a ZIP code");
		break;
	case T_CODE:
		buf_addf(b, "a code of %s", cs->lk);
		break;
	default:
		buf_adds(b, "text");
		break;
	}
}

/*
 * Read the row f as if header field c held `extra` more fields (c < 0: as
 * it is). Returns the spec column of the first field, in file order, that
 * does not read as its type, or -1 when every field does; *at gets that
 * field's index in f.
 */
static int eoir_first_bad(struct frun *fr, char **f, int c, int extra, int *at)
{
	const struct table_spec *ts = fr->ts;
	int bad = -1;

	*at = -1;
	for (int k = 0; k < ts->ncols; k++) {
		int h = fr->fidx[k];

		if (h < 0)
			continue;
		if (c >= 0 && h > c)
			h += extra;
		if (c >= 0 && h == c)
			continue; /* the rejoined free text */
		if (bad >= 0 && h >= *at)
			continue;
		if (!eoir_plausible(fr->c, &ts->cols[k], f[h])) {
			bad = k;
			*at = h;
		}
	}
	return bad;
}

static const char *const EOIR_FREE_TEXT[] = {"ALIEN_CITY",
					     "UPDATED_CITY",
					     "LAST_NAME",
					     "FIRST_NAME",
					     "DETENTION_LOCATION",
					     "CORRECTIONAL_FAC",
					     "ADJ_MSG",
					     "ADJ_RSN",
					     "UP_BOND_RSN",
					     "INMATE_HOUSING",
					     "DCO_LOCATION",
					     "SCHEDULED_HEAR_LOC",
					     "TRANSFER_TO",
					     NULL};

/*
 * Handle a row with more fields than the header (docs/formats.md §1):
 * trailing empty fields are dropped; otherwise a stray tab inside one
 * free-text field (ALIEN_CITY, ...) is assumed. Each free-text column of
 * the header is tried as the one holding it; when exactly one makes every
 * typed field of the row read correctly, the split field is rejoined with
 * a space (a warning, counted as repaired). Otherwise the row is an error
 * that names the probable field and the field that does not read. Returns
 * 0 when the row now has nh fields, -1 after reporting an error.
 */
static int eoir_repair(struct frun *fr, char **f, int *nfp, int nh, char **hnames)
{
	int nf = *nfp, extra, nfound = 0, pick = -1, best = -1, best_k = -1;
	int best_at = -1, at;
	long col;
	struct buf cand, what;

	while (nf > nh && f[nf - 1][0] == '\0')
		nf--;
	extra = nf - nh;
	if (extra <= 0) {
		*nfp = nh;
		return 0;
	}
	buf_init(&cand, 4096);
	buf_init(&what, 4096);
	for (int c = 0; c < nh; c++) {
		int k;

		if (fnorm_enum(hnames[c], strlen(hnames[c]), EOIR_FREE_TEXT) < 0)
			continue;
		k = eoir_first_bad(fr, f, c, extra, &at);
		if (k < 0) {
			nfound++;
			if (pick < 0)
				pick = c;
			buf_addf(&cand, "%s%s", cand.len ? " or " : "", hnames[c]);
		} else if (at > best_at) {
			best = c;
			best_k = k;
			best_at = at;
		}
	}
	if (nfound == 1) {
		/* Rejoin f[pick..pick+extra] (split at tabs, now NULs) with spaces. */
		for (int j = pick; j < pick + extra; j++)
			f[j][strlen(f[j])] = ' ';
		for (int j = pick + 1; j + extra < nf; j++)
			f[j] = f[j + extra];
		ingest_warn_at(fr, fr->line, (long)(f[pick] - fr->eline) + 1, hnames[pick],
			       "stray tab inside the field shifted the row by %d field(s); "
			       "rejoined with a space (repaired)",
			       extra);
		fr->repaired++;
		*nfp = nh;
		buf_release(&cand);
		buf_release(&what);
		return 0;
	}
	if (nfound > 1) {
		col = (long)(f[pick] - fr->eline) + 1;
		ingest_row_error_at(fr, fr->line, col, "row",
				    "too many fields (%d, the header has %d): a tab inside %s "
				    "would each explain it, so the row cannot be repaired; "
				    "replace the stray tab by a space",
				    nf, nh, cand.ptr);
	} else if (best >= 0) {
		const struct col_spec *cs = &fr->ts->cols[best_k];

		eoir_expect(cs, &what);
		col = (long)(f[best] - fr->eline) + 1;
		ingest_row_error_at(fr, fr->line, col, hnames[best],
				    "too many fields (%d, the header has %d): probably a tab "
				    "inside %s, but with it rejoined %s '%.40s' (column %ld) is "
				    "not %s; fix the row (a stray tab?)",
				    nf, nh, hnames[best], cs->name, f[best_at],
				    (long)(f[best_at] - fr->eline) + 1, what.ptr);
	} else {
		col = (long)(f[nh] - fr->eline) + 1;
		ingest_row_error_at(fr, fr->line, col, "row",
				    "too many fields (%d, the header has %d) and the header has "
				    "no free-text field (ALIEN_CITY, LAST_NAME, ...) that a stray "
				    "tab could be in; fix the row",
				    nf, nh);
	}
	buf_release(&cand);
	buf_release(&what);
	return -1;
}

/* Rows listed for base in DIR/Count.txt, or -1. */
static long eoir_count(const char *path, const char *base)
{
	char *dup = uc_xstrdup(path);
	struct buf p;
	FILE *f;
	char line[512];
	long want = -1;
	size_t bl = strlen(base);
	const char *dot = strchr(base, '.');

	if (dot)
		bl = (size_t)(dot - base);
	buf_init(&p, 8192);
	buf_addf(&p, "%s/Count.txt", dirname(dup));
	free(dup);
	f = fopen(p.ptr, "r");
	buf_release(&p);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		size_t nl;
		long long x;
		char *end;

		if (!tab)
			continue;
		nl = (size_t)(tab - line);
		if (nl > 4 && strncasecmp(tab - 4, ".csv", 4) == 0)
			nl -= 4;
		if (nl != bl || strncasecmp(line, base, bl) != 0)
			continue;
		end = tab + 1 + strcspn(tab + 1, "\r\n");
		if (fnorm_int(tab + 1, (size_t)(end - (tab + 1)), &x) == FNORM_OK)
			want = (long)x;
	}
	fclose(f);
	return want;
}

int ingest_import_eoir(struct frun *fr, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	struct lread lr;
	char **f = NULL, **hnames = NULL, *hcopy = NULL;
	struct val v[MAX_COLS];
	struct progress pg;
	char sha[65] = "";
	int rc, nh = 0, header = 1;
	long want;

	rc = ingest_load_lookup(c, err);
	if (rc)
		return rc;
	rc = lread_open(&lr, fr->path, EOIR_MAX_LINE, err);
	if (rc)
		return rc;
	fr->file_size = lr.file_size;
	progress_start(&pg, fr->path, lr.file_size);
	f = uc_xcalloc(EOIR_MAX_FIELDS + 1, sizeof(char *));
	fr->kind = 1;
	fr->ef = f;
	fr->unk = uc_xmalloc(sizeof(*fr->unk));
	for (int i = 0; i < 1024; i++)
		fr->unk->e[i].field = -1;
	fr->unk->used = 0;
	fr->unk->overflow = 0;
	for (;;) {
		char *line, *p;
		size_t n;
		int nl, nf = 0;

		rc = lread_next(&lr, &line, &n, &nl, err);
		if (rc == LREAD_EOF)
			break;
		if (rc == LREAD_IOERR) {
			rc = UC_EIO;
			goto out;
		}
		fr->line = lr.lineno;
		fr->row_bad = 0;
		fr->raw = "";
		fr->raw_len = 0;
		if (rc == LREAD_LONG && header)
			break; /* reported below as a missing header */
		if (rc == LREAD_LONG) {
			fr->rows_read++;
			fr->rows_rejected++;
			ingest_row_error_at(fr, fr->line, EOIR_MAX_LINE + 1, "row",
					    "line longer than 1 MiB");
			continue;
		}
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0)
			continue;
		fr->eline = line;
		fr->raw = line;
		fr->raw_len = n;
		if (header && ingest_bom_check_file(fr, lr.bom)) {
			rc = UC_OK;
			goto out;
		}
		if (header) {
			/* Keep a copy: the line buffer is reused. */
			hcopy = uc_xstrdup(line);
			hnames = uc_xcalloc(EOIR_MAX_FIELDS + 1, sizeof(char *));
			for (p = hcopy; nh < EOIR_MAX_FIELDS;) {
				char *t = strchr(p, '\t');

				hnames[nh++] = p;
				if (!t)
					break;
				*t = '\0';
				p = t + 1;
			}
			for (int i = 0; i < nh; i++) {
				size_t hl = strlen(hnames[i]);

				while (hl > 0 && (hnames[i][hl - 1] == ' '))
					hnames[i][--hl] = '\0';
			}
			header = 0;
			if (ingest_map_header(fr, hnames, nh, 1)) {
				rc = UC_OK;
				goto out;
			}
			rc = ingest_prepare_insert(c, fr->ts, err);
			if (!rc)
				rc = ingest_begin_file(fr, fr->ts->tbl, err);
			if (rc)
				goto out;
			continue;
		}
		fr->rows_read++;
		if ((fr->rows_read & 8191) == 0)
			progress_tick(&pg, lr.bytes);
		/* Split at tabs, in place. */
		for (p = line;;) {
			char *t = memchr(p, '\t', n - (size_t)(p - line));

			if (nf == EOIR_MAX_FIELDS) {
				nf++;
				break;
			}
			f[nf++] = p;
			if (!t)
				break;
			*t = '\0';
			p = t + 1;
		}
		if (nf > EOIR_MAX_FIELDS) {
			ingest_row_error_at(fr, fr->line, 1, "row", "more than %d fields",
					    EOIR_MAX_FIELDS);
			fr->rows_rejected++;
			continue;
		}
		if (nf < nh) {
			ingest_row_error_at(fr, fr->line, (long)n + 1, "row",
					    "%d fields, the header has %d%s", nf, nh,
					    nl ? "" : " (last line cut short: file truncated?)");
			fr->rows_rejected++;
			continue;
		}
		if (nf > nh && eoir_repair(fr, f, &nf, nh, hnames)) {
			fr->rows_rejected++;
			continue;
		}
		buf_reset(&c->vb);
		for (int k = 0; k < fr->ts->ncols; k++) {
			if (fr->fidx[k] < 0) {
				v[k].null = 1;
				v[k].is_int = 0;
				v[k].n = 0;
				v[k].off = 0;
				continue;
			}
			ingest_check_value(fr, k, f[fr->fidx[k]], strlen(f[fr->fidx[k]]), &v[k]);
		}
		rc = ingest_store_row(fr, v, err);
		if (rc)
			goto out;
	}
	rc = UC_OK;
	if (header) {
		ingest_row_error_at(fr, 1, 1, "header", "missing or overlong header row");
		goto out;
	}
	want = eoir_count(fr->path, fr->ts->file);
	if (want >= 0 && want != fr->rows_read)
		ingest_warn_at(fr, fr->line, 1, "Count.txt",
			       "Count.txt lists %ld rows for %s, the file has %ld", want,
			       fr->ts->file, fr->rows_read);
	lread_sha256_hex(&lr, sha);
	rc = ingest_end_file(fr, sha, err);
	if (!rc && fr->nerr == 0 && strcmp(fr->ts->tbl, "eoir_proceeding") == 0) {
		/* The update below needs the proceedings' indexes back. */
		rc = ingest_bulk_finish(fr, err);
		for (int i = 0; i < fr->nsaved; i++)
			free(fr->saved_idx[i]);
		fr->nsaved = 0;
	}
	if (!rc && fr->nerr == 0 && strcmp(fr->ts->tbl, "eoir_proceeding") == 0) {
		/* Counsel from ATTY_NBR starts on the case's input date. */
		rc = store_exec(c->st,
				"UPDATE representation SET on_date=(SELECT min(p.input_date) "
				"FROM eoir_case k JOIN eoir_proceeding p ON p.idncase=k.idncase "
				"WHERE k.rid=representation.src_rid) "
				"WHERE src_tbl='eoir_case' AND on_date IS NULL",
				err);
	}
out:
	progress_end(&pg);
	lread_close(&lr);
	free(f);
	free(hnames);
	free(hcopy);
	fr->ef = NULL;
	free(fr->unk);
	fr->unk = NULL;
	return rc;
}

/* EOIR table of a file, by name, else NULL. */
const struct table_spec *ingest_eoir_by_name(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	for (int i = 0; i < ingest_ntables; i++) {
		const struct table_spec *ts = &ingest_tables[i];
		size_t l = strlen(ts->file);

		if (strcmp(ts->feed, "eoir") == 0 && strncasecmp(b, ts->file, l) == 0)
			return ts;
	}
	return NULL;
}

/* EOIR table by the first column of the header line. */
const struct table_spec *ingest_eoir_by_header(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	const struct table_spec *found = NULL;

	if (!f)
		return NULL;
	if (fgets(line, sizeof(line), f)) {
		char *h = line;

		/* a UTF-8 byte-order mark is skipped, as the reader does */
		if (strncmp(h, "\xEF\xBB\xBF", 3) == 0)
			h += 3;
		h[strcspn(h, "\t\r\n")] = '\0';
		for (int i = 0; i < ingest_ntables; i++)
			if (strcmp(ingest_tables[i].feed, "eoir") == 0 &&
			    strcasecmp(ingest_tables[i].cols[0].name, h) == 0)
				found = &ingest_tables[i];
	}
	fclose(f);
	return found;
}
