/*
 * test_gen.c - unit tests for the synthetic data generator (src/gen).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "gen/gen.h"

static const char *const feed_files[] = {
    "eoir/A_TblCase.csv",    "eoir/B_TblProceeding.csv",
    "eoir/tbl_schedule.csv", "eoir/tbl_JuvenileHistory.csv",
    "eoir/Count.txt",	     "cbp/encounters.csv",
    "orr/placements.csv",    "orr/post_release.csv",
    "ice/nta.csv",	     "ice/removals.csv",
    "ice/indicators.csv",    "events/events.jsonl",
    "truth/records.csv",     "truth/children.csv",
};
#define NFEED (sizeof(feed_files) / sizeof(feed_files[0]))

/* Whole file, NUL-terminated; *len its size. Caller frees. NULL if unreadable.
 */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *p = NULL;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)n + 1);
		if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		}
		if (p) {
			p[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static void make_tmp(char *dir, size_t cap)
{
	snprintf(dir, cap, "/tmp/uctrack-test-gen.XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void rm_tree(const char *dir)
{
	static const char *const subs[] = {"eoir", "cbp", "orr", "ice", "events", "truth"};
	char path[512];

	for (size_t i = 0; i < NFEED; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, feed_files[i]);
		unlink(path);
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
		rmdir(path);
	}
	rmdir(dir);
}

static void run_gen(const char *dir, long n, uint64_t seed)
{
	struct gen_opts o = GEN_OPTS_INIT;
	struct uc_err err = UC_ERR_INIT;
	int rc;

	o.children = n;
	o.seed = seed;
	o.out_dir = dir;
	rc = gen_run(&o, &err);
	if (rc)
		fail_msg("gen_run: %s", err.msg);
}

static void test_deterministic(void **state)
{
	char a[64], b[64], c[64];

	(void)state;
	make_tmp(a, sizeof(a));
	make_tmp(b, sizeof(b));
	make_tmp(c, sizeof(c));
	run_gen(a, 500, 7);
	run_gen(b, 500, 7);
	run_gen(c, 500, 8);
	for (size_t i = 0; i < NFEED; i++) {
		size_t la = 0, lb = 0;
		char *pa = slurp(a, feed_files[i], &la);
		char *pb = slurp(b, feed_files[i], &lb);

		assert_non_null(pa);
		assert_non_null(pb);
		assert_int_equal(la, lb);
		assert_memory_equal(pa, pb, la);
		free(pa);
		free(pb);
	}
	{
		size_t la = 0, lc = 0;
		char *pa = slurp(a, "cbp/encounters.csv", &la);
		char *pc = slurp(c, "cbp/encounters.csv", &lc);

		assert_true(la != lc || memcmp(pa, pc, la) != 0);
		free(pa);
		free(pc);
	}
	rm_tree(a);
	rm_tree(b);
	rm_tree(c);
}

/* Rows of truth/records.csv whose "feed,table," prefix matches. */
static size_t truth_rows(const char *rec, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix);
	const char *p = strchr(rec, '\n');

	while (p && p[1]) {
		p++;
		if (strncmp(p, prefix, pl) == 0)
			n++;
		p = strchr(p, '\n');
	}
	return n;
}

static void test_counts_match_truth(void **state)
{
	static const struct {
		const char *file, *prefix;
	} map[] = {
	    {"eoir/A_TblCase.csv", "eoir,A_TblCase,"},
	    {"eoir/B_TblProceeding.csv", "eoir,B_TblProceeding,"},
	    {"eoir/tbl_schedule.csv", "eoir,tbl_schedule,"},
	    {"eoir/tbl_JuvenileHistory.csv", "eoir,tbl_JuvenileHistory,"},
	    {"cbp/encounters.csv", "cbp,encounters,"},
	    {"orr/placements.csv", "orr,placements,"},
	    {"orr/post_release.csv", "orr,post_release,"},
	    {"ice/nta.csv", "ice,nta,"},
	    {"ice/removals.csv", "ice,removals,"},
	    {"ice/indicators.csv", "ice,indicators,"},
	};
	char dir[64];
	size_t rl = 0, cl = 0, el = 0, total = 0;
	char *rec, *children, *ev, *count;

	(void)state;
	make_tmp(dir, sizeof(dir));
	run_gen(dir, 3000, 3);
	rec = slurp(dir, "truth/records.csv", &rl);
	assert_non_null(rec);
	assert_true(strncmp(rec, "feed,table,source_key,child_id,sponsor_id\n", 42) == 0);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t len = 0;
		char *s = slurp(dir, map[i].file, &len);
		size_t rows;

		assert_non_null(s);
		rows = count_lines(s, len) - 1;
		assert_int_equal(rows, truth_rows(rec, map[i].prefix));
		total += rows;
		free(s);
	}
	ev = slurp(dir, "events/events.jsonl", &el);
	assert_non_null(ev);
	assert_int_equal(count_lines(ev, el), truth_rows(rec, "events,events,"));
	total += count_lines(ev, el);
	assert_int_equal(total, count_lines(rec, rl) - 1);
	children = slurp(dir, "truth/children.csv", &cl);
	assert_non_null(children);
	assert_int_equal(count_lines(children, cl), 3001);
	count = slurp(dir, "eoir/Count.txt", &cl);
	assert_non_null(count);
	assert_non_null(strstr(count, "A_TblCase\t"));
	free(rec);
	free(ev);
	free(children);
	free(count);
	rm_tree(dir);
}

/* Column index of name in a CSV header line, or -1. */
static int col_index(const char *hdr, const char *name)
{
	size_t nl = strlen(name);
	int i = 0;
	const char *p = hdr;

	for (;;) {
		const char *e = p + strcspn(p, ",\n");

		if ((size_t)(e - p) == nl && strncmp(p, name, nl) == 0)
			return i;
		if (*e != ',')
			return -1;
		p = e + 1;
		i++;
	}
}

/* 1 if field col of the line starting at p equals v. */
static int field_is(const char *p, int col, const char *v)
{
	size_t vl = strlen(v);

	for (int i = 0; i < col; i++) {
		p += strcspn(p, ",\n");
		if (*p != ',')
			return 0;
		p++;
	}
	return strncmp(p, v, vl) == 0 && (p[vl] == ',' || p[vl] == '\n');
}

static void test_calibration(void **state)
{
	char dir[64];
	size_t len = 0;
	char *s;
	const char *p;
	int c_served, c_hear, c_fta, c_cat, c_ap, c_sex, c_lang;
	long n = 0, not_served = 0, hear = 0, fta = 0, released = 0, ap = 0, male = 0, spa = 0;

	(void)state;
	make_tmp(dir, sizeof(dir));
	run_gen(dir, 20000, 11);
	s = slurp(dir, "truth/children.csv", &len);
	assert_non_null(s);
	c_served = col_index(s, "nta_served");
	c_hear = col_index(s, "has_hearing");
	c_fta = col_index(s, "failed_to_appear");
	c_cat = col_index(s, "sponsor_category");
	c_ap = col_index(s, "address_problem");
	c_sex = col_index(s, "sex");
	c_lang = col_index(s, "language");
	assert_true(c_served >= 0 && c_hear >= 0 && c_fta >= 0 && c_cat >= 0 && c_ap >= 0 &&
		    c_sex >= 0 && c_lang >= 0);
	for (p = strchr(s, '\n') + 1; *p; p = strchr(p, '\n') + 1) {
		n++;
		not_served += field_is(p, c_served, "N");
		male += field_is(p, c_sex, "M");
		spa += field_is(p, c_lang, "spa");
		if (field_is(p, c_hear, "Y")) {
			hear++;
			fta += field_is(p, c_fta, "Y");
		}
		if (!field_is(p, c_cat, "4")) {
			released++;
			ap += !field_is(p, c_ap, "none");
		}
	}
	assert_int_equal(n, 20000);
	assert_in_range(not_served * 100 / n, 60, 70);
	assert_in_range(fta * 1000 / hear, 160, 240);
	assert_in_range(ap * 1000 / released, 55, 85);
	assert_in_range(male * 100 / n, 60, 67);
	assert_in_range(spa * 100 / n, 85, 95);
	free(s);
	rm_tree(dir);
}

static void test_bad_options(void **state)
{
	struct gen_opts o = GEN_OPTS_INIT;
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	o.children = 0;
	o.out_dir = "/tmp/never-written";
	assert_int_equal(gen_run(&o, &err), UC_EUSAGE);
	o.children = 10;
	o.out_dir = NULL;
	assert_int_equal(gen_run(&o, &err), UC_EUSAGE);
	o.out_dir = "/proc/uctrack-cannot-create/x";
	assert_int_equal(gen_run(&o, &err), UC_EIO);
	assert_non_null(strstr(err.msg, "/proc/uctrack-cannot-create"));
	o.out_dir = "/tmp/never-written";
	o.as_of = date_from_ymd(2010, 1, 1);
	assert_int_equal(gen_run(&o, &err), UC_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_counts_match_truth),
	    cmocka_unit_test(test_calibration),
	    cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
