/* test_link_search.c - link_name_candidates(): every token must match, a
 * person comes once, two names are read from their pair key (one record
 * bearing both), the rarest drive, the scan cap and stop hold. */
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
	 * name, so it has two rows of the token); 103: LOPEZ ANA; 104: one
	 * record GARCIA ANA, another PEREZ MARIA (no GARCIA MARIA pair); 4..43:
	 * GARCIA JOSE, ahead of 101 and 102 in GARCIA's rows. Pairs as a link
	 * run writes them (link_pair_key). */
	assert_int_equal(
	    store_exec(
		st,
		"INSERT INTO person_key(key, kind, person_id) VALUES"
		" ('GARCIA','family',101),('LOPEZ','family',101),('MARIA','given',101),"
		" ('GARCIA LOPEZ','pair',101),('GARCIA MARIA','pair',101),"
		" ('LOPEZ MARIA','pair',101),"
		" ('GARCIA','family',102),('GARCIA','given',102),('MARIA','given',102),"
		" ('GARCIA MARIA','pair',102),"
		" ('LOPEZ','family',103),('ANA','given',103),('LOPEZ','phon',103),"
		" ('ANA LOPEZ','pair',103),"
		" ('GARCIA','family',104),('PEREZ','family',104),('ANA','given',104),"
		" ('MARIA','given',104),('ANA GARCIA','pair',104),('MARIA PEREZ','pair',104)",
		&err),
	    0);
	for (int i = 4; i < 44; i++) {
		char sql[200];

		snprintf(sql, sizeof(sql),
			 "INSERT INTO person_key(key, kind, person_id) VALUES"
			 " ('GARCIA','family',%d),('JOSE','given',%d),('GARCIA JOSE','pair',%d)",
			 i, i, i);
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
	search(st, "Maria Maria", 1000, &g); /* the same name twice: one token */
	assert_int_equal(g.n, 3);
	assert_true(has(&g, 101) && has(&g, 102) && has(&g, 104));
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

/* Two names match a person one of whose records bears both: 104 has
 * GARCIA and MARIA only on different records. Three names: a record
 * bearing the rarest two, the third in any of the person's names. */
static void test_pairs(void **state)
{
	struct store *st = fixture();
	struct got g = {.n = 0};
	char k[2 * NORM_MAX_LEN];

	(void)state;
	search(st, "Garcia Maria", 1000, &g);
	assert_int_equal(g.n, 2);
	assert_false(has(&g, 104));
	memset(&g, 0, sizeof(g));
	search(st, "Ana Garcia", 1000, &g);
	assert_int_equal(g.n, 1);
	assert_true(has(&g, 104));
	memset(&g, 0, sizeof(g));
	search(st, "Ana Garcia Perez", 1000, &g); /* no record bears ANA and PEREZ */
	assert_int_equal(g.n, 0);
	memset(&g, 0, sizeof(g));
	search(st, "Maria Garcia Perez", 1000, &g); /* MARIA PEREZ, GARCIA elsewhere */
	assert_int_equal(g.n, 1);
	assert_true(has(&g, 104));
	assert_int_equal(link_pair_key("MARIA", 5, "ANA", 3, k), 9);
	assert_string_equal(k, "ANA MARIA");
	assert_int_equal(link_pair_key("ANA", 3, "ANAS", 4, k), 8);
	assert_string_equal(k, "ANA ANAS");
	assert_int_equal(link_pair_key("ANAS", 4, "ANA", 3, k), 8);
	assert_string_equal(k, "ANA ANAS");
	assert_int_equal(link_pair_key("ANA", 3, "ANA", 3, k), 0);
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
	    cmocka_unit_test(test_pairs),
	    cmocka_unit_test(test_no_tokens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
