#ifndef UC_CSVR_H
#define UC_CSVR_H
/*
 * csvr.h - RFC 4180 CSV reader over libcsv (strict mode) that knows where
 * every row starts (line) and can say where a field is (line:column).
 *
 * Usage:
 *
 *   struct csvr *r = NULL;
 *   if (csvr_open(&r, path, &err)) ...            // or csvr_open_mem()
 *   struct csvr_row *row;
 *   while ((rc = csvr_next(r, &row)) != CSVR_EOF) {
 *           if (rc == CSVR_BAD) {                    // this row is broken
 *                   report(row->line, row->col, row->problem);
 *                   continue;                        // reader resynchronised
 *           }
 *           if (rc == CSVR_IOERR) ... r->err
 *           use(row->nf, row->f[i], row->len[i]);
 *   }
 *   csvr_close(r);
 *
 * Fields are NUL-terminated copies, valid until the next csvr_next().
 * Line numbers count '\n'; columns are 1-based byte offsets in the line.
 * A broken row (bad quoting, an overlong line or field, an unterminated
 * quote at end of file) is returned as CSVR_BAD with `problem`, `line` and
 * `col` set; the reader then resumes at the next line. Blank lines are
 * skipped. Lines end with "\n" or "\r\n".
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "ingest/lread.h"

#define CSVR_MAX_FIELD (64 * 1024)     /* longest field accepted */
#define CSVR_MAX_LINE (1024 * 1024)    /* longest physical line accepted */
#define CSVR_MAX_ROW (4 * 1024 * 1024) /* longest row (quoted newlines) */
#define CSVR_MAX_FIELDS 1024	       /* most fields in a row */

enum { CSVR_EOF = 0, CSVR_ROW = 1, CSVR_BAD = 2, CSVR_IOERR = -1 };

struct csvr_row {
	int nf;		     /* number of fields */
	char **f;	     /* fields, NUL-terminated, owned by the reader */
	size_t *len;	     /* byte length of each field */
	long line;	     /* line where the row starts */
	long last_line;	     /* line where it ends */
	int ended_nl;	     /* the row's last line ended with '\n' */
	const char *raw;     /* the row's raw text (no final newline) */
	size_t raw_len;	     /* bytes in raw */
	long col;	     /* CSVR_BAD: column of the problem */
	long bad_line;	     /* CSVR_BAD: line of the problem */
	const char *problem; /* CSVR_BAD: what is wrong (static text) */
	char delim;	     /* the field separator (for csvr_field_pos) */
};

struct csvr;

/* Open a file; delim is ',' for the CSV feeds. */
int csvr_open(struct csvr **out, const char *path, char delim, struct uc_err *err);
/* Read from memory (data copied): fuzzing and tests. */
struct csvr *csvr_open_mem(const char *name, const void *data, size_t len, char delim);
/* Next row: CSVR_ROW, CSVR_BAD (see row->problem), CSVR_EOF, CSVR_IOERR. */
int csvr_next(struct csvr *r, struct csvr_row **row);
/* The I/O error after CSVR_IOERR. */
const struct uc_err *csvr_error(const struct csvr *r);
/* Where field k (0-based; k may equal nf for "after the last") of row
 * starts: line and 1-based column, found by rescanning the raw text. */
void csvr_field_pos(const struct csvr_row *row, int k, long *line, long *col);
/* Hex SHA-256 of the file's bytes; valid after CSVR_EOF. */
void csvr_sha256_hex(struct csvr *r, char hex[65]);
/* The file's byte-order mark (LREAD_BOM_*; a UTF-8 one is skipped): known
 * once the first row has been returned. */
int csvr_bom(const struct csvr *r);
/* Bytes read and file size, for progress. */
uint64_t csvr_bytes(const struct csvr *r, uint64_t *size);
void csvr_close(struct csvr *r);

#endif
