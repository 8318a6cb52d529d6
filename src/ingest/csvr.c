/*
 * csvr.c - CSV rows with positions, on top of libcsv.
 *
 * libcsv is fed one physical line at a time, with only '\n' as a row
 * terminator, so a row ends exactly at the end of a line and the reader
 * knows every row's first and last line. Strict mode reports bad quoting;
 * csv_parse() returns how far it got, which gives the column.
 */
#include "ingest/csvr.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

struct csvr {
	struct lread lr;     /* the line source */
	struct csv_parser p; /* libcsv state */
	unsigned char opts;  /* libcsv options */
	char delim;	     /* field separator */
	struct buf fields;   /* field bytes, each NUL-terminated */
	size_t *offs;	     /* start of each field in fields */
	size_t *lens;	     /* length of each field */
	char **ptrs;	     /* field pointers handed out */
	int nf;		     /* fields in the current row */
	int too_many;	     /* the row passed CSVR_MAX_FIELDS */
	int too_long;	     /* a field passed CSVR_MAX_FIELD */
	int long_field;	     /* index of the first overlong field */
	int row_done;	     /* libcsv ended the row */
	struct buf raw;	     /* raw text of the current row */
	struct csvr_row row; /* what csvr_next hands out */
	struct uc_err err;   /* I/O error */
	int done;	     /* EOF reached and reported */
};

static void on_field(void *s, size_t n, void *ud)
{
	struct csvr *r = ud;

	if (r->nf >= CSVR_MAX_FIELDS) {
		r->too_many = 1;
		return;
	}
	if (n > CSVR_MAX_FIELD) {
		if (!r->too_long)
			r->long_field = r->nf;
		r->too_long = 1;
		n = 0;
	}
	r->offs[r->nf] = r->fields.len;
	r->lens[r->nf] = n;
	buf_add(&r->fields, s ? s : "", n);
	buf_addc(&r->fields, '\0');
	r->nf++;
}

static void on_row(int c, void *ud)
{
	struct csvr *r = ud;

	r->row_done = 1;
}

static int is_term(unsigned char c)
{
	return c == '\n';
}

static void reset_parser(struct csvr *r)
{
	csv_free(&r->p);
	csv_init(&r->p, r->opts);
	csv_set_delim(&r->p, (unsigned char)r->delim);
	csv_set_term_func(&r->p, is_term);
}

static struct csvr *alloc_reader(char delim)
{
	struct csvr *r = uc_xcalloc(1, sizeof(*r));

	r->delim = delim;
	r->opts = CSV_STRICT | CSV_STRICT_FINI;
	csv_init(&r->p, r->opts);
	csv_set_delim(&r->p, (unsigned char)delim);
	csv_set_term_func(&r->p, is_term);
	/* Field bytes of one row: at most the row cap plus NULs. */
	buf_init(&r->fields, CSVR_MAX_ROW + CSVR_MAX_FIELDS + 16);
	buf_init(&r->raw, CSVR_MAX_ROW + CSVR_MAX_LINE + 16);
	r->offs = uc_xcalloc(CSVR_MAX_FIELDS, sizeof(size_t));
	r->lens = uc_xcalloc(CSVR_MAX_FIELDS, sizeof(size_t));
	r->ptrs = uc_xcalloc(CSVR_MAX_FIELDS, sizeof(char *));
	return r;
}

int csvr_open(struct csvr **out, const char *path, char delim, struct uc_err *err)
{
	struct csvr *r = alloc_reader(delim);
	int rc = lread_open(&r->lr, path, CSVR_MAX_LINE, err);

	*out = NULL;
	if (rc) {
		csvr_close(r);
		return rc;
	}
	*out = r;
	return UC_OK;
}

struct csvr *csvr_open_mem(const char *name, const void *data, size_t len, char delim)
{
	struct csvr *r = alloc_reader(delim);

	lread_open_mem(&r->lr, name, data, len, CSVR_MAX_LINE);
	return r;
}

const struct uc_err *csvr_error(const struct csvr *r)
{
	return &r->err;
}

static void start_row(struct csvr *r)
{
	r->nf = 0;
	r->too_many = 0;
	r->too_long = 0;
	r->row_done = 0;
	buf_reset(&r->fields);
	buf_reset(&r->raw);
	memset(&r->row, 0, sizeof(r->row));
	r->row.delim = r->delim;
}

static int finish_row(struct csvr *r)
{
	struct csvr_row *row = &r->row;

	for (int i = 0; i < r->nf; i++)
		r->ptrs[i] = r->fields.ptr + r->offs[i];
	row->nf = r->nf;
	row->f = r->ptrs;
	row->len = r->lens;
	row->raw = r->raw.ptr ? r->raw.ptr : "";
	row->raw_len = r->raw.len;
	if (r->too_many || r->too_long || buf_failed(&r->fields)) {
		long line, col;

		row->problem =
		    r->too_many ? "too many fields in the row" : "field longer than 65536 bytes";
		csvr_field_pos(row, r->too_many ? CSVR_MAX_FIELDS : 0, &line, &col);
		row->bad_line = r->too_many ? line : row->line;
		row->col = r->too_many ? col : 1;
		if (r->too_long)
			csvr_field_pos(row, r->long_field, &row->bad_line, &row->col);
		return CSVR_BAD;
	}
	return CSVR_ROW;
}

static int bad(struct csvr *r, long line, long col, const char *problem)
{
	struct csvr_row *row = &r->row;

	row->raw = r->raw.ptr ? r->raw.ptr : "";
	row->raw_len = r->raw.len;
	row->nf = 0;
	row->f = r->ptrs;
	row->len = r->lens;
	row->bad_line = line;
	row->col = col;
	row->problem = problem;
	reset_parser(r);
	return CSVR_BAD;
}

/*
 * A whole row on one line without any quote: split it here (most rows of
 * the feeds), exactly as libcsv would: fields between delimiters, with
 * leading and trailing spaces and tabs trimmed (libcsv's default for
 * unquoted fields), through on_field so the limits are the same.
 */
static void split_plain(struct csvr *r, const char *line, size_t n)
{
	const char *p = line, *end = line + n;

	for (;;) {
		const char *d = memchr(p, r->delim, (size_t)(end - p));
		const char *fe = d ? d : end, *fs = p;

		while (fs < fe && (*fs == ' ' || *fs == '\t'))
			fs++;
		while (fe > fs && (fe[-1] == ' ' || fe[-1] == '\t'))
			fe--;
		on_field((void *)fs, (size_t)(fe - fs), r);
		if (!d)
			break;
		p = d + 1;
	}
	r->row_done = 1;
}

int csvr_next(struct csvr *r, struct csvr_row **out)
{
	struct csvr_row *row = &r->row;
	int in_row = 0;

	*out = row;
	start_row(r);
	for (;;) {
		char *line;
		size_t n, got;
		int nl, rc;

		if (r->done)
			return CSVR_EOF;
		rc = lread_next(&r->lr, &line, &n, &nl, &r->err);
		if (rc == LREAD_IOERR)
			return CSVR_IOERR;
		if (rc == LREAD_LONG) {
			if (!in_row)
				row->line = r->lr.lineno;
			row->last_line = r->lr.lineno;
			return bad(r, r->lr.lineno, CSVR_MAX_LINE + 1, "line longer than 1 MiB");
		}
		if (rc == LREAD_EOF) {
			r->done = 1;
			if (!in_row)
				return CSVR_EOF;
			/* A quoted field still open at end of file. */
			if (csv_fini(&r->p, on_field, on_row, r) != 0 || !r->row_done) {
				long l, c;

				row->nf = r->nf;
				row->raw = r->raw.ptr ? r->raw.ptr : "";
				row->raw_len = r->raw.len;
				csvr_field_pos(row, r->nf, &l, &c);
				return bad(
				    r, l, c,
				    "unterminated quoted field at end of file (file truncated?)");
			}
			return finish_row(r);
		}
		/* "\r\n" endings: drop the CR (inside quotes too: it normalises). */
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!in_row) {
			if (n == 0)
				continue; /* blank line between rows */
			in_row = 1;
			row->line = r->lr.lineno;
		} else {
			buf_addc(&r->raw, '\n');
		}
		row->last_line = r->lr.lineno;
		row->ended_nl = nl;
		buf_add(&r->raw, line, n);
		if (buf_failed(&r->raw))
			return bad(r, row->line, 1, "row longer than 4 MiB");
		if (r->raw.len == n && r->delim == ',' && !memchr(line, '"', n) &&
		    strspn(line, " \t") < n) {
			/* (a line of blanks only: libcsv's own handling below) */
			split_plain(r, line, n);
			return finish_row(r);
		}
		got = csv_parse(&r->p, line, n, on_field, on_row, r);
		if (got != n)
			return bad(r, r->lr.lineno, (long)got + 1,
				   csv_error(&r->p) == CSV_EPARSE
				       ? "bad quoting: a quote must start and end a quoted field "
					 "(use \"\" for a quote inside one)"
				       : "CSV parser out of memory");
		if (nl) {
			got = csv_parse(&r->p, "\n", 1, on_field, on_row, r);
			if (got != 1)
				return bad(r, r->lr.lineno, (long)n + 1,
					   "bad quoting at end of line");
		}
		if (r->row_done)
			return finish_row(r);
		if (!nl) {
			/* Last line without a newline: end the row if it can be. */
			continue;
		}
	}
}

void csvr_field_pos(const struct csvr_row *row, int k, long *line, long *col)
{
	long l = row->line, c = 1;
	int field = 0, quoted = 0, at_start = 1;

	for (size_t i = 0; i < row->raw_len && field < k; i++) {
		char ch = row->raw[i];

		if (ch == '\n') {
			l++;
			c = 1;
			continue;
		}
		c++;
		if (at_start && ch == '"') {
			quoted = 1;
			at_start = 0;
			continue;
		}
		at_start = 0;
		if (quoted) {
			if (ch == '"') {
				if (i + 1 < row->raw_len && row->raw[i + 1] == '"') {
					i++;
					c++;
				} else {
					quoted = 0;
				}
			}
			continue;
		}
		if (ch == row->delim) {
			field++;
			at_start = 1;
		}
	}
	*line = l;
	*col = c;
}

void csvr_sha256_hex(struct csvr *r, char hex[65])
{
	lread_sha256_hex(&r->lr, hex);
}

uint64_t csvr_bytes(const struct csvr *r, uint64_t *size)
{
	if (size)
		*size = r->lr.file_size;
	return r->lr.bytes;
}

void csvr_close(struct csvr *r)
{
	if (!r)
		return;
	csv_free(&r->p);
	lread_close(&r->lr);
	buf_release(&r->fields);
	buf_release(&r->raw);
	free(r->offs);
	free(r->lens);
	free(r->ptrs);
	free(r);
}

int csvr_bom(const struct csvr *r)
{
	return r->lr.bom;
}
