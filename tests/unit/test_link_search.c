/* test_link_search.c - link_name_candidates(): every token must match, a
 * person comes once, the rarest token drives, the scan cap and stop hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "link/link.h"
#include "testdb.h"

static char path[256];

struct got {
	int64_t ids[64];
	int n;
	int stop_at; /* set stop after this many (0: never) */
};

static int collect(void *arg, int64_t id, int *stop, struct uc_err *err)
{
	struct got *g = arg;

	(void)err;
	if (g->n < 64)
		g->ids[g->n++] = id;
	*stop = g->stop_at && g->n >= g->stop_at;
	return UC_OK;
}

static struct store *fixture(void)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;

	testdb_path(path, sizeof(path), "linksearch");
	testdb_remove(path);
	if (store_open(&st, path, 0, &err))
		fail_msg("%s", err.msg);
	/* 101: GARCIA LOPEZ MARIA; 102: GARCIA MARIA (GARCIA also a given
	 * name, so it has two rows of the token); 103: LOPEZ ANA; 4..43:
	 * GARCIA JOSE, ahead of 101 and 102 in GARCIA's rows */
	assert_int_equal(store_exec(st,
		"INSERT INTO person_key(key, kind, person_id) VALUES"
		" ('GARCIA','family',101),('LOPEZ','family',101),('MARIA','given',101),"
		" ('GARCIA','family',102),('GARCIA','given',102),('MARIA','given',102),"
		" ('LOPEZ','family',103),('ANA','given',103),('LOPEZ','phon',103)", &err), 0);
	for (int i = 4; i < 44; i++) {
		char sql[200];

		snprintf(sql, sizeof(sql), "INSERT INTO person_key(key, kind, person_id) VALUES"
			 " ('GARCIA','family',%d),('JOSE','given',%d)", i, i);
		assert_int_equal(store_exec(st, sql, &err), 0);
	}
	return st;
}

static int has(const struct got *g, int64_t id)
{
	for (int i = 0; i < g->n; i++)
		if (g->ids[i] == id)
			return 1;
	return 0;
}

static void search(struct store *st, const char *q, int max_scan, struct got *g)
{
	struct norm_name nn;
	struct uc_err err = UC_ERR_INIT;

	link_norm_query(q, &nn);
	if (link_name_candidates(st, &nn, max_scan, collect, g, &err))
		fail_msg("%s: %s", q, err.msg);
}

static void test_every_token(void **state)
{
	struct store *st = fixture();
	struct got g = {.n = 0};

	(void)state;
	search(st, "Maria Garcia", 1000, &g);
	assert_int_equal(g.n, 2); /* person 2 once, though GARCIA is both kinds */
	assert_true(has(&g, 101) && has(&g, 102));
	memset(&g, 0, sizeof(g));
	search(st, "garcía lópez maría", 1000, &g);
	assert_int_equal(g.n, 1);
	assert_true(has(&g, 101));
	memset(&g, 0, sizeof(g));
	search(st, "Lopez", 1000, &g); /* one token: its family and given rows */
	assert_int_equal(g.n, 2);
	assert_true(has(&g, 101) && has(&g, 103));
	memset(&g, 0, sizeof(g));
	search(st, "Garcia Nobody", 1000, &g);
	assert_int_equal(g.n, 0);
	store_close(st);
	testdb_remove(path);
}

/* MARIA (2 rows) drives, not GARCIA (43): a scan cap of 2 still finds
 * both; with GARCIA driving it would read persons 4 and 5 only. */
static void test_rarest_drives(void **state)
{
	struct store *st = fixture();
	struct got g = {.n = 0};

	(void)state;
	search(st, "Garcia Maria", 2, &g);
	assert_int_equal(g.n, 2);
	assert_true(has(&g, 101) && has(&g, 102));
	memset(&g, 0, sizeof(g));
	search(st, "Garcia Jose", 5, &g); /* JOSE has 40 rows: capped at 5 */
	assert_int_equal(g.n, 5);
	memset(&g, 0, sizeof(g));
	g.stop_at = 3;
	search(st, "Garcia Jose", 1000, &g);
	assert_int_equal(g.n, 3);
	store_close(st);
	testdb_remove(path);
}

static void test_no_tokens(void **state)
{
	struct store *st = fixture();
	struct norm_name nn;
	struct got g = {.n = 0};
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	link_norm_query("--", &nn);
	assert_int_equal(link_name_candidates(st, &nn, 10, collect, &g, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "no name tokens"));
	store_close(st);
	testdb_remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_token),
		cmocka_unit_test(test_rarest_drives),
		cmocka_unit_test(test_no_tokens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
