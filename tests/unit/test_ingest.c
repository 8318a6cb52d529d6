/*
 * test_ingest.c - unit tests of src/ingest: fnorm, csvr, lookup, iso and
 * the event entry point ingest_event().
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

#include "auth/seal.h"
#include "core/anum.h"
#include "ingest/csvr.h"
#include "ingest/fnorm.h"
#include "ingest/ingest.h"
#include "ingest/iso.h"
#include "ingest/lookup.h"
#include "store/store.h"

#define LOOKUP "../shared/data/eoir/lookup_tables_combined.csv"

static void test_anumber(void **state)
{
	char a[10];

	assert_int_equal(anum_parse("208123456", 9, a), ANUM_OK);
	assert_string_equal(a, "208123456");
	assert_int_equal(anum_parse("A-012-345-678", 13, a), ANUM_OK);
	assert_string_equal(a, "012345678");
	assert_int_equal(anum_parse("a12345678", 9, a), ANUM_OK);
	assert_string_equal(a, "012345678");
	assert_int_equal(anum_parse(" 12345678 ", 10, a), ANUM_OK);
	assert_string_equal(a, "012345678");
	assert_int_equal(anum_parse("", 0, a), ANUM_BLANK);
	assert_int_equal(anum_parse("1234567", 7, a), ANUM_BAD);
	assert_int_equal(anum_parse("1234567890", 10, a), ANUM_BAD);
	assert_int_equal(anum_parse("12345678X", 9, a), ANUM_BAD);
	assert_int_equal(anum_parse("12--345678", 10, a), ANUM_BAD);
	assert_int_equal(anum_parse("B12345678", 9, a), ANUM_BAD);
	assert_int_equal(anum_parse("A 12345678", 10, a), ANUM_OK);
	assert_string_equal(a, "012345678");
	assert_int_equal(anum_parse("-12345678", 9, a), ANUM_BAD);
	assert_int_equal(anum_parse("12345678-", 9, a), ANUM_BAD);
	/* the value and the stored form */
	assert_int_equal(anum_value("A-012-345-678"), 12345678);
	assert_int_equal(anum_value("999999999"), 999999999);
	assert_int_equal(anum_value("12"), -1);
	assert_int_equal(anum_value(NULL), -1);
	anum_format(12345678, a);
	assert_string_equal(a, "012345678");
	anum_format(0, a);
	assert_string_equal(a, "000000000");
}

static void test_dates(void **state)
{
	char d[11];

	assert_int_equal(fnorm_date_strict("2021-04-02", 10, d), FNORM_OK);
	assert_string_equal(d, "2021-04-02");
	assert_int_equal(fnorm_date_strict("2021-02-29", 10, d), FNORM_BAD);
	assert_int_equal(fnorm_date_strict("2020-02-29", 10, d), FNORM_OK);
	assert_int_equal(fnorm_date_strict("2021-04-02 10:00:00", 19, d), FNORM_BAD);
	assert_int_equal(fnorm_date("2021-04-02 10:00:00.000", 23, d), FNORM_OK);
	assert_string_equal(d, "2021-04-02");
	assert_int_equal(fnorm_date("  ", 2, d), FNORM_BLANK);
	assert_int_equal(fnorm_date("MARCH 2007", 10, d), FNORM_BAD);
}

static void test_text(void **state)
{
	struct buf b;
	/* "e" + combining acute (NFD) -> "é" (NFC) */
	const char nfd[] = "Jose\xcc\x81 ";

	buf_init(&b, 1024);
	assert_int_equal(fnorm_text(nfd, strlen(nfd), &b), FNORM_OK);
	assert_string_equal(b.ptr, "Jos\xc3\xa9");
	buf_reset(&b);
	assert_int_equal(fnorm_text("a\tb\x01", 4, &b), FNORM_OK);
	assert_string_equal(b.ptr, "a b ");
	buf_reset(&b);
	assert_int_equal(fnorm_text("   ", 3, &b), FNORM_BLANK);
	buf_release(&b);
	assert_int_equal(fnorm_utf8_invalid("abc", 3), -1);
	assert_int_equal(fnorm_utf8_invalid("Mar\xc3\xad"
					    "a",
					    6),
			 -1);
	assert_int_equal(fnorm_utf8_invalid("ab\xff", 3), 2);
	assert_int_equal(fnorm_utf8_invalid("ab\xc3", 3), 2);
	assert_int_equal(fnorm_utf8_invalid("\xed\xa0\x80", 3), 0); /* surrogate */
}

static void test_enum(void **state)
{
	static const char *const yn[] = {"Y", "N", NULL};
	struct buf b;
	long long x;

	assert_int_equal(fnorm_enum("N", 1, yn), 1);
	assert_int_equal(fnorm_enum("YES", 3, yn), -1);
	buf_init(&b, 100);
	fnorm_enum_list(yn, &b);
	assert_string_equal(b.ptr, "Y, N");
	buf_release(&b);
	assert_int_equal(fnorm_int("4000123", 7, &x), FNORM_OK);
	assert_true(x == 4000123);
	assert_int_equal(fnorm_int("40a", 3, &x), FNORM_BAD);
	assert_int_equal(fnorm_int("99999999999999999999", 20, &x), FNORM_BAD);
}

static void test_csvr_rows(void **state)
{
	const char data[] = "a,b,c\r\n"
			    "1,\"x, y\",\"he said \"\"hi\"\"\"\n"
			    "\n"
			    "2,\"multi\nline\",z\n"
			    "3,4,5";
	struct csvr *r = csvr_open_mem("t.csv", data, sizeof(data) - 1, ',');
	struct csvr_row *row;
	long line, col;

	assert_int_equal(csvr_next(r, &row), CSVR_ROW);
	assert_int_equal(row->nf, 3);
	assert_string_equal(row->f[2], "c");
	assert_int_equal(csvr_next(r, &row), CSVR_ROW);
	assert_int_equal(row->line, 2);
	assert_string_equal(row->f[1], "x, y");
	assert_string_equal(row->f[2], "he said \"hi\"");
	csvr_field_pos(row, 2, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 10);
	assert_int_equal(csvr_next(r, &row), CSVR_ROW);
	assert_int_equal(row->line, 4);
	assert_int_equal(row->last_line, 5);
	assert_string_equal(row->f[1], "multi\nline");
	csvr_field_pos(row, 2, &line, &col);
	assert_int_equal(line, 5);
	assert_int_equal(col, 7);
	assert_int_equal(csvr_next(r, &row), CSVR_ROW);
	assert_int_equal(row->line, 6);
	assert_int_equal(row->ended_nl, 0);
	assert_string_equal(row->f[2], "5");
	assert_int_equal(csvr_next(r, &row), CSVR_EOF);
	csvr_close(r);
}

static void test_csvr_bad(void **state)
{
	const char data[] = "a,b\n1,\"x\"y\n2,3\n4,\"open\n";
	struct csvr *r = csvr_open_mem("t.csv", data, sizeof(data) - 1, ',');
	struct csvr_row *row;

	assert_int_equal(csvr_next(r, &row), CSVR_ROW);
	assert_int_equal(csvr_next(r, &row), CSVR_BAD);
	assert_int_equal(row->bad_line, 2);
	assert_int_equal(row->col, 6);
	/* resynchronised at the next line */
	assert_int_equal(csvr_next(r, &row), CSVR_ROW);
	assert_string_equal(row->f[0], "2");
	assert_int_equal(csvr_next(r, &row), CSVR_BAD);
	assert_int_equal(row->bad_line, 4);
	assert_int_equal(row->col, 3);
	assert_non_null(strstr(row->problem, "unterminated"));
	assert_int_equal(csvr_next(r, &row), CSVR_EOF);
	csvr_close(r);
}

static void test_lookup(void **state)
{
	struct lookup *lk = NULL;
	struct uc_err err = UC_ERR_INIT;
	const char *d, *path = getenv("UCTRACK_EOIR_LOOKUP"); /* set by make */

	if (!path || !*path)
		path = LOOKUP;
	/* Missing tables fail the test: a skip let `make unit` pass without
	 * ever loading them (issue 13). */
	if (access(path, R_OK) != 0)
		fail_msg("EOIR lookup tables not found at %s: set UCTRACK_EOIR_LOOKUP "
			 "to lookup_tables_combined.csv (the Makefile exports it from "
			 "../shared)",
			 path);
	assert_int_equal(lookup_load(&lk, path, &err), 0);
	assert_true(lookup_count(lk) > 1000);
	d = lookup_get(lk, "tblLookupAlienNat", "HO", 2);
	assert_non_null(d);
	assert_string_equal(iso_country_code(d), "HN");
	d = lookup_get(lk, "tblLanguage", "SP", 2);
	assert_string_equal(iso_language_code(d), "spa");
	assert_null(lookup_get(lk, "tblLookupAlienNat", "ZZZ", 3));
	assert_string_equal(lookup_nth(lk, "tblLookup_Juvenile", 4), "UJ");
	d = lookup_get(lk, "tblLookupNOTICE", "7C", 2);
	assert_non_null(strstr(d, "FAILURE TO APPEAR"));
	lookup_free(lk);
	assert_int_equal(lookup_load(&lk, "/nonexistent/lookup.csv", &err), UC_EIO);
	assert_null(lk);
}

static void test_iso(void **state)
{
	assert_string_equal(iso_country_code("GUATEMALA"), "GT");
	assert_string_equal(iso_country_code("EL SALVADOR"), "SV");
	assert_string_equal(iso_country_code("BURMA (MYANMAR)"), "MM");
	assert_null(iso_country_code("ATLANTIS"));
	assert_string_equal(iso_language_code("QUICHE"), "quc");
	assert_string_equal(iso_language_code("KEKCHI"), "kek");
	assert_true(iso_is_country("HN"));
	assert_false(iso_is_country("ZZ"));
}

static void test_event_api(void **state)
{
	char path[] = "/tmp/uctrack-unit-XXXXXX";
	int fd = mkstemp(path);
	struct store *st = NULL;
	struct ingest_ctx *ic = NULL;
	struct ingest_opts o;
	struct uc_err err = UC_ERR_INIT;
	json_error_t je;
	json_t *ok, *bad, *bad2;
	int is_new = 0;
	int64_t n = 0;
	char wal[64], shm[64];

	assert_true(fd >= 0);
	close(fd);
	memset(&o, 0, sizeof(o));
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	assert_int_equal(ingest_open(&ic, st, &o, &err), 0);
	ok = json_loads("{\"event_id\":\"E1\",\"type\":\"claim\",\"a_number\":\"A-208-123-456\","
			"\"occurred_at\":\"2024-01-02\",\"recorded_by\":\"api\","
			"\"claim_type\":\"asylum\",\"status\":\"filed\"}",
			0, &je);
	bad = json_loads("{\"event_id\":\"E2\",\"type\":\"claim\",\"a_number\":\"208123456\","
			 "\"occurred_at\":\"2024-01-02\",\"recorded_by\":\"api\","
			 "\"claim_type\":\"refugee\",\"status\":\"filed\"}",
			 0, &je);
	bad2 = json_loads("{\"event_id\":\"E3\",\"type\":\"claim\",\"a_number\":\"208123456\","
			  "\"occurred_at\":\"yesterday\",\"recorded_by\":\"api\","
			  "\"claim_type\":\"asylum\",\"status\":\"filed\"}",
			  0, &je);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(ingest_event_new(ic, ok, "api", &is_new, &err), 0);
	assert_int_equal(is_new, 1);
	assert_int_equal(ingest_event_new(ic, ok, "api", &is_new, &err), 0);
	assert_int_equal(is_new, 0);
	/* same event_id, other content: a new version */
	json_object_set_new(ok, "status", json_string("granted"));
	assert_int_equal(ingest_event_new(ic, ok, "api", &is_new, &err), 0);
	assert_int_equal(is_new, 1);
	assert_int_equal(ingest_event_new(ic, ok, "api", &is_new, &err), 0);
	assert_int_equal(is_new, 0);
	assert_int_equal(ingest_event(ic, bad, "api", &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "api: claim_type: unknown value 'refugee'"));
	assert_int_equal(ingest_event(ic, bad2, "api", &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "occurred_at"));
	assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(
	    store_query_int(st, "SELECT count(*) FROM claim WHERE a_number='208123456'", &n, &err),
	    0);
	assert_true(n == 2);
	assert_int_equal(
	    store_query_int(st, "SELECT count(*) FROM field_event WHERE file_id IS NULL", &n, &err),
	    0);
	assert_true(n == 2);
	assert_int_equal(
	    store_query_int(st, "SELECT count(DISTINCT rhash) FROM field_event", &n, &err), 0);
	assert_true(n == 2);
	json_decref(ok);
	json_decref(bad);
	json_decref(bad2);
	ingest_free(ic);
	ic = NULL;
	/* screening notes: refused without a key, sealed with one, a sealed
	 * note kept as it is (issue 13) */
	{
		unsigned char key[SEAL_KEY_BYTES];
		json_t *ts = json_loads("{\"event_id\":\"T1\",\"type\":\"trafficking_screening\","
					"\"a_number\":\"208123456\",\"occurred_at\":\"2024-01-02\","
					"\"recorded_by\":\"api\",\"result\":\"declined\","
					"\"note\":\"said the sponsor keeps her papers\"}",
					0, &je);
		const char *note;
		char *kept = NULL, *plain = NULL;

		memset(key, 7, sizeof(key));
		assert_int_equal(ingest_open(&ic, st, &o, &err), 0);
		assert_int_equal(store_begin(st, &err), 0);
		assert_int_equal(ingest_event(ic, ts, "api", &err), UC_EINPUT);
		assert_non_null(strstr(err.msg, "api: note: a trafficking_screening note is "
						"stored sealed, and no key is configured"));
		assert_string_equal(json_string_value(json_object_get(ts, "note")),
				    "said the sponsor keeps her papers");
		ingest_free(ic);
		o.note_key = key;
		assert_int_equal(ingest_open(&ic, st, &o, &err), 0);
		assert_int_equal(ingest_event_new(ic, ts, "api", &is_new, &err), 0);
		assert_int_equal(is_new, 1);
		note = json_string_value(json_object_get(ts, "note"));
		assert_true(seal_is_sealed(note));
		assert_int_equal(seal_open(key, note, &plain, &err), 0);
		assert_string_equal(plain, "said the sponsor keeps her papers");
		free(plain);
		kept = strdup(note);
		/* sealed already: stored as it is (the same row again) */
		assert_int_equal(ingest_event_new(ic, ts, "api", &is_new, &err), 0);
		assert_int_equal(is_new, 0);
		assert_string_equal(json_string_value(json_object_get(ts, "note")), kept);
		assert_int_equal(store_commit(st, &err), 0);
		assert_int_equal(store_query_int(st,
						 "SELECT count(*) FROM field_event WHERE "
						 "body LIKE '%keeps her papers%'",
						 &n, &err),
				 0);
		assert_true(n == 0);
		free(kept);
		json_decref(ts);
		o.note_key = NULL;
	}
	ingest_free(ic);
	store_close(st);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(path);
	unlink(wal);
	unlink(shm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_anumber),   cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_text),      cmocka_unit_test(test_enum),
	    cmocka_unit_test(test_csvr_rows), cmocka_unit_test(test_csvr_bad),
	    cmocka_unit_test(test_lookup),    cmocka_unit_test(test_iso),
	    cmocka_unit_test(test_event_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
