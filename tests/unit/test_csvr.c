/*
 * test_csvr.c - the CSV reader's own splitter for rows without quotes
 * must give exactly the fields libcsv gives (strict mode, spaces and tabs
 * trimmed from unquoted fields): a differential test over random lines,
 * plus the cases that matter (blank fields, padding, CR, limits).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/csvr.h"

/* Reference: libcsv alone, fields joined as "len:bytes|". */
struct ref {
	struct buf out;
	int nf;
};

static void ref_field(void *s, size_t n, void *ud)
{
	struct ref *r = ud;

	buf_addf(&r->out, "%zu:", n);
	buf_add(&r->out, s ? s : "", n);
	buf_addc(&r->out, '|');
	r->nf++;
}

static void ref_row(int c, void *ud)
{
	(void)c;
	(void)ud;
}

static int ref_term(unsigned char c)
{
	return c == '\n';
}

static void reference(const char *line, size_t n, struct ref *r)
{
	struct csv_parser p;

	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
	csv_set_term_func(&p, ref_term);
	assert_int_equal(csv_parse(&p, line, n, ref_field, ref_row, r), n);
	assert_int_equal(csv_parse(&p, "\n", 1, ref_field, ref_row, r), 1);
	csv_fini(&p, ref_field, ref_row, r);
	csv_free(&p);
}

/* csvr on one line (plus "\n"), fields joined the same way. */
static int ours(const char *line, size_t n, struct buf *out)
{
	struct buf in;
	struct csvr *r;
	struct csvr_row *row;
	int rc, nf;

	buf_init(&in, 1 << 20);
	buf_add(&in, line, n);
	buf_addc(&in, '\n');
	r = csvr_open_mem("t.csv", in.ptr, in.len, ',');
	rc = csvr_next(r, &row);
	assert_int_equal(rc, CSVR_ROW);
	nf = row->nf;
	for (int i = 0; i < row->nf; i++) {
		buf_addf(out, "%zu:", row->len[i]);
		buf_add(out, row->f[i], row->len[i]);
		buf_addc(out, '|');
	}
	assert_int_equal(csvr_next(r, &row), CSVR_EOF);
	csvr_close(r);
	buf_release(&in);
	return nf;
}

static void check_line(const char *line, size_t n)
{
	struct ref ref = {.nf = 0};
	struct buf got;
	int nf;

	buf_init(&ref.out, 1 << 20);
	buf_init(&got, 1 << 20);
	reference(line, n, &ref);
	nf = ours(line, n, &got);
	if (nf != ref.nf || got.len != ref.out.len || memcmp(got.ptr, ref.out.ptr, got.len) != 0)
		fail_msg("line [%.*s]: csvr %d fields [%s], libcsv %d fields [%s]", (int)n, line,
			 nf, got.ptr, ref.nf, ref.out.ptr);
	buf_release(&ref.out);
	buf_release(&got);
}

static void test_cases(void **state)
{
	static const char *const lines[] = {
	    "a,b,c",	  "a",
	    ",",	  ",,",
	    " a , b ,c ", "\ta\t,\t",
	    "  ,  ",	  "a b,c  d",
	    "x\ry,z",	  "K1,208123456,LÓPEZ,ANA MARÍA,2008-03-01",
	    "trailing,",  ",leading",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		check_line(lines[i], strlen(lines[i]));
}

static void test_random(void **state)
{
	static const char alphabet[] = "ab ,\t\r,xyz,\xc3\xa9";
	uint64_t x = 0x9e3779b97f4a7c15u;
	char line[64];

	(void)state;
	for (int t = 0; t < 20000; t++) {
		size_t n;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = 1 + (size_t)(x % 40);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			line[i] = alphabet[x % (sizeof(alphabet) - 1)];
		}
		/* a line ending in CR loses it ("\r\n" endings) in both */
		while (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		/* blanks only: not a row of the fast path (libcsv's own case) */
		if (strspn(line, " \t") >= n)
			continue;
		check_line(line, n);
	}
}

/* Rows with quotes still go through libcsv: positions of errors intact. */
static void test_quoted_still_checked(void **state)
{
	static const char data[] = "a,\"b\"x,c\n";
	struct csvr *r = csvr_open_mem("q.csv", data, sizeof(data) - 1, ',');
	struct csvr_row *row;

	(void)state;
	assert_int_equal(csvr_next(r, &row), CSVR_BAD);
	assert_int_equal(row->bad_line, 1);
	assert_int_equal(row->col, 6);
	csvr_close(r);
}

/* The field limit applies on the fast path too. */
static void test_long_field(void **state)
{
	struct buf b;
	struct csvr *r;
	struct csvr_row *row;

	(void)state;
	buf_init(&b, 1 << 20);
	buf_add(&b, "a,", 2);
	for (int i = 0; i < CSVR_MAX_FIELD + 1; i++)
		buf_addc(&b, 'x');
	buf_addc(&b, '\n');
	r = csvr_open_mem("l.csv", b.ptr, b.len, ',');
	assert_int_equal(csvr_next(r, &row), CSVR_BAD);
	assert_string_equal(row->problem, "field longer than 65536 bytes");
	assert_int_equal(row->col, 3);
	csvr_close(r);
	buf_release(&b);
}

/* Byte-order marks: a UTF-8 one is skipped (columns count after it), a
 * UTF-16 one is reported by csvr_bom and left in the text (issue 13). */
static void test_bom(void **state)
{
	static const char u8[] = "\xEF\xBB\xBF"
				 "a,b\n1,\"x\n";
	static const char u16[] = "\xFF\xFE"
				  "a\0,\0b\0\n";
	static const char none[] = "a,b\n";
	struct csvr *r = csvr_open_mem("b.csv", u8, sizeof(u8) - 1, ',');
	struct csvr_row *row;

	(void)state;
	assert_int_equal(csvr_next(r, &row), CSVR_ROW);
	assert_int_equal(csvr_bom(r), LREAD_BOM_UTF8);
	assert_int_equal(row->nf, 2);
	assert_string_equal(row->f[0], "a");
	assert_int_equal(csvr_next(r, &row), CSVR_BAD);
	assert_int_equal(row->bad_line, 2);
	assert_int_equal(row->col, 3);
	csvr_close(r);
	r = csvr_open_mem("w.csv", u16, sizeof(u16) - 1, ',');
	(void)csvr_next(r, &row);
	assert_int_equal(csvr_bom(r), LREAD_BOM_UTF16LE);
	csvr_close(r);
	r = csvr_open_mem("n.csv", none, sizeof(none) - 1, ',');
	assert_int_equal(csvr_next(r, &row), CSVR_ROW);
	assert_int_equal(csvr_bom(r), LREAD_BOM_NONE);
	csvr_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bom),	       cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_random),     cmocka_unit_test(test_quoted_still_checked),
	    cmocka_unit_test(test_long_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
