/*
 * test_evpar.c - unit tests of src/ingest/evpar: lines come back in file
 * order with their results, exactly as lread gives them (numbers, long
 * lines, the last line without '\n', a line shortened by the parse
 * function), threaded and not, over many batches; results that point
 * into the batch's out buffer after it grew; the look ahead; an empty
 * file; a read error; closing with batches in flight.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "ingest/evpar.h"
#include "ingest/lread.h"

#define MAX_LINE 64

/* What the test parse function leaves for a line. */
struct res {
	uint32_t sum; /* FNV-1a of the line (after a CR is dropped) */
	size_t rev;   /* offset in out of the line reversed, NUL-terminated */
	size_t n;     /* the line's length, as parse saw it */
	int worker;   /* who parsed it */
};

/* Calls per worker (each counter written by its own thread only). */
struct counts {
	long calls[2];
};

static uint32_t fnv(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void parse(void *arg, int worker, struct evpar_line *ln, struct buf *out)
{
	struct counts *c = arg;
	struct res *r = ln->res;

	assert_true(worker == 0 || worker == 1);
	c->calls[worker]++;
	if (ln->n > 0 && ln->text[ln->n - 1] == '\r')
		ln->text[--ln->n] = '\0';
	r->sum = fnv(ln->text, ln->n);
	r->n = ln->n;
	r->worker = worker;
	r->rev = out->len;
	for (size_t i = ln->n; i > 0; i--)
		buf_addc(out, ln->text[i - 1]);
	buf_addc(out, '\0');
}

/* A file of n lines: varied lengths, some over MAX_LINE, some with CR,
 * some blank, the last without '\n'. */
static char *make_input(int n, size_t *len)
{
	struct buf b;

	buf_init(&b, 64u << 20);
	for (int i = 0; i < n; i++) {
		if (i % 97 == 5) {
			for (int k = 0; k < MAX_LINE + 1 + i % 300; k++)
				buf_addc(&b, 'L');
		} else if (i % 31 == 3) {
			/* blank */
		} else {
			buf_addf(&b, "line %d ", i);
			for (int k = 0; k < i % 50; k++)
				buf_addc(&b, (char)('a' + k % 26));
			if (i % 89 == 7)
				buf_addc(&b, '\r');
		}
		if (i < n - 1)
			buf_addc(&b, '\n');
	}
	*len = b.len;
	return buf_detach(&b, NULL);
}

/* Read data through evpar (threaded or not) and check every line against
 * a plain lread pass. */
static void check_all(const char *data, size_t len, size_t max_line, int threaded, int expect_lines)
{
	struct uc_err err = UC_ERR_INIT;
	struct lread ref, lr;
	struct evpar *p = NULL;
	struct evpar_line *ln;
	struct counts c = {{0, 0}};
	int got = 0, rc;

	lread_open_mem(&ref, "ref", data, len, max_line);
	lread_open_mem(&lr, "t", data, len, max_line);
	assert_int_equal(evpar_open(&p, &lr, sizeof(struct res), parse, &c, threaded, &err), 0);
	assert_int_equal(evpar_threaded(p), threaded);
	while ((rc = evpar_next(p, &ln, &err)) > 0) {
		char *line;
		size_t n;
		int nl, rrc = lread_next(&ref, &line, &n, &nl, &err);
		const struct res *r = ln->res;
		const struct evpar_line *nx = evpar_peek(p);

		assert_int_equal(ln->lineno, ref.lineno);
		if (rrc == LREAD_LONG) {
			assert_true(ln->is_long);
			assert_null(ln->text);
		} else {
			assert_int_equal(rrc, LREAD_LINE);
			assert_false(ln->is_long);
			assert_int_equal(ln->nl, nl);
			if (n > 0 && line[n - 1] == '\r')
				n--;
			assert_int_equal(ln->n, n);
			assert_memory_equal(ln->text, line, n);
			assert_int_equal(ln->text[n], '\0');
			assert_int_equal(r->n, n);
			assert_int_equal(r->sum, fnv(line, n));
			assert_int_equal(strlen(ln->out + r->rev), n);
			for (size_t i = 0; i < n; i++)
				assert_int_equal(ln->out[r->rev + i], line[n - 1 - i]);
			if (!threaded)
				assert_int_equal(r->worker, 0);
		}
		assert_true(ln->bytes <= len);
		if (nx)
			assert_int_equal(nx->lineno, ln->lineno + 1);
		got++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(lread_next(&ref, &(char *){NULL}, &(size_t){0}, &(int){0}, &err),
			 LREAD_EOF);
	assert_int_equal(got, expect_lines);
	/* at the end it stays at the end */
	assert_int_equal(evpar_next(p, &ln, &err), 0);
	assert_null(evpar_peek(p));
	evpar_close(p);
	lread_close(&lr);
	lread_close(&ref);
}

static void test_order(void **state)
{
	size_t len;
	int n = 20000;
	char *data = make_input(n, &len);

	(void)state;
	check_all(data, len, MAX_LINE, 1, n);
	check_all(data, len, MAX_LINE, 0, n);
	free(data);
}

static void test_small_and_empty(void **state)
{
	(void)state;
	check_all("", 0, MAX_LINE, 1, 0);
	check_all("", 0, MAX_LINE, 0, 0);
	check_all("one", 3, MAX_LINE, 1, 1);
	check_all("one\n", 4, MAX_LINE, 0, 1);
	check_all("\n\n\r\n", 4, MAX_LINE, 1, 3);
}

/* Lines that fill batches by bytes before EVPAR_LINES: out grows a lot
 * within a batch, and results still point at the right bytes. */
static void test_big_batches(void **state)
{
	struct buf b;
	size_t len;
	int n = 3 * EVPAR_LINES;

	(void)state;
	buf_init(&b, 64u << 20);
	for (int i = 0; i < n; i++) {
		buf_addf(&b, "%d:", i);
		for (int k = 0; k < 1000 + i % 3000; k++)
			buf_addc(&b, (char)('A' + (i + k) % 26));
		buf_addc(&b, '\n');
	}
	len = b.len;
	check_all(b.ptr, len, 8192, 1, n);
	check_all(b.ptr, len, 8192, 0, n);
	buf_release(&b);
}

/* A read error: -1 with lread's message, and again on the next call. */
static void test_read_error(void **state)
{
	struct uc_err err = UC_ERR_INIT;
	struct counts c = {{0, 0}};
	struct lread lr;
	struct evpar *p = NULL;
	struct evpar_line *ln;

	(void)state;
	for (int threaded = 0; threaded < 2; threaded++) {
		/* read() on a directory fails (EISDIR) */
		assert_int_equal(lread_open(&lr, "/", MAX_LINE, &err), 0);
		assert_int_equal(evpar_open(&p, &lr, sizeof(struct res), parse, &c, threaded, &err),
				 0);
		assert_int_equal(evpar_next(p, &ln, &err), -1);
		assert_non_null(strstr(err.msg, "read"));
		assert_int_equal(evpar_next(p, &ln, &err), -1);
		evpar_close(p);
		lread_close(&lr);
	}
}

/* Closing with batches filled, parsing and parsed: nothing leaks (ASan),
 * nothing hangs. */
static void test_close_early(void **state)
{
	struct uc_err err = UC_ERR_INIT;
	struct counts c = {{0, 0}};
	struct lread lr;
	struct evpar *p = NULL;
	struct evpar_line *ln;
	size_t len;
	char *data = make_input(50000, &len);

	(void)state;
	for (int k = 0; k < 20; k++) {
		lread_open_mem(&lr, "t", data, len, MAX_LINE);
		assert_int_equal(evpar_open(&p, &lr, sizeof(struct res), parse, &c, 1, &err), 0);
		for (int i = 0; i < k * 150; i++)
			assert_int_equal(evpar_next(p, &ln, &err), 1);
		evpar_close(p);
		lread_close(&lr);
	}
	evpar_close(NULL);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order),	cmocka_unit_test(test_small_and_empty),
	    cmocka_unit_test(test_big_batches), cmocka_unit_test(test_read_error),
	    cmocka_unit_test(test_close_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
