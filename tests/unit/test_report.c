/*
 * Unit tests for src/report: suppression that subtraction cannot undo,
 * formula-safe CSV, metric definitions on a hand-made fixture, as-of
 * semantics (import cutoff, record dates, latest version), fta refusal in
 * public mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdb.h"

#include "core/date.h"
#include "report/format.h"
#include "report/report.h"
#include "report/suppress.h"
#include "store/store.h"

/* ------------------------------------------------------- suppression */

/* Deterministic PRNG for the random tables (xorshift64*). */
static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/*
 * The attacker: knows every published cell and every relation; repeatedly
 * solves any relation with exactly one unknown cell. Returns how many
 * suppressed cells it recovered.
 */
static int attack_by_subtraction(const int64_t *val, const unsigned char *mark, int ncells,
				 const struct supp_rels *r)
{
	unsigned char *known = malloc((size_t)ncells);
	int64_t *got = malloc(sizeof(int64_t) * (size_t)ncells);
	int recovered = 0, changed = 1;

	for (int c = 0; c < ncells; c++) {
		known[c] = !mark[c];
		got[c] = known[c] ? val[c] : -1;
	}
	while (changed) {
		changed = 0;
		for (int k = 0; k < r->nrel; k++) {
			int unknown = -1, nu = 0, ucoef = 0;
			int64_t sum = 0;

			for (int t = r->start[k]; t < r->start[k + 1]; t++) {
				int c = r->cell[t];

				if (known[c]) {
					sum += r->coef[t] * got[c];
				} else {
					nu++;
					unknown = c;
					ucoef = r->coef[t];
				}
			}
			if (nu != 1)
				continue;
			got[unknown] = -sum / ucoef;
			known[unknown] = 1;
			/* sanity: the attack is right when it succeeds */
			assert_int_equal(got[unknown], val[unknown]);
			recovered++;
			changed = 1;
		}
	}
	free(known);
	free(got);
	return recovered;
}

/* Fill a table of nrows x RM_COUNT_METRICS consistent with its relations. */
static void random_table(int nrows, int64_t *val, int small_pct)
{
	const int M = RM_COUNT_METRICS;

	memset(val, 0, sizeof(int64_t) * (size_t)(nrows * M));
	for (int g = 1; g < nrows; g++) {
		int64_t *v = val + g * M;

		for (int m = 0; m < M; m++) {
			int small = (int)(rnd() % 100) < small_pct;

			v[m] = small ? (int64_t)(rnd() % 11) : 11 + (int64_t)(rnd() % 500);
		}
		v[RM_RELEASED] = v[RM_NTA_SERVED] + v[RM_NTA_NOT_SERVED];
		v[RM_NTA_NOT_FILED] =
		    v[RM_RELEASED] > v[RM_NTA_FILED] ? v[RM_RELEASED] - v[RM_NTA_FILED] : 0;
		v[RM_NTA_FILED] = v[RM_RELEASED] - v[RM_NTA_NOT_FILED];
		v[RM_WU] = v[RM_WU_BLANK] + v[RM_WU_UNDELIVERABLE] + v[RM_WU_MISSING_UNIT] +
			   v[RM_WU_MOVED] + v[RM_WU_NO_CONTACT];
		if (v[RM_REP_APPEARED] > v[RM_REP_HEARD])
			v[RM_REP_APPEARED] = v[RM_REP_HEARD];
		if (v[RM_UNREP_APPEARED] > v[RM_UNREP_HEARD])
			v[RM_UNREP_APPEARED] = v[RM_UNREP_HEARD];
		v[RM_FTA] =
		    v[RM_REP_HEARD] - v[RM_REP_APPEARED] + v[RM_UNREP_HEARD] - v[RM_UNREP_APPEARED];
		for (int m = 0; m < M; m++)
			val[m] += v[m];
	}
}

static void test_suppression_resists_subtraction(void **state)
{
	const int M = RM_COUNT_METRICS;

	(void)state;
	for (int trial = 0; trial < 60; trial++) {
		int nrows = 2 + (int)(rnd() % 12);
		int ncells = nrows * M;
		int64_t *val = malloc(sizeof(int64_t) * (size_t)ncells);
		unsigned char *mark = calloc((size_t)ncells, 1);
		unsigned char *det = calloc((size_t)ncells, 1);
		struct supp_rels r;

		random_table(nrows, val, 5 + (int)(rnd() % 40));
		if (nrows == 2) /* one group: it is the total */
			memcpy(val + M, val, sizeof(int64_t) * (size_t)M);
		report_relations(nrows, &r);
		supp_apply(val, mark, ncells, &r, 11);
		for (int c = 0; c < ncells; c++) {
			if (val[c] >= 1 && val[c] <= 10)
				assert_int_not_equal(mark[c], SUPP_NONE);
			if (mark[c] == SUPP_PRIMARY)
				assert_true(val[c] >= 1 && val[c] <= 10);
		}
		assert_int_equal(attack_by_subtraction(val, mark, ncells, &r), 0);
		assert_int_equal(supp_derivable(mark, ncells, &r, det), 0);
		supp_rels_release(&r);
		free(val);
		free(mark);
		free(det);
	}
}

/*
 * A pattern the classic rule ("never exactly one suppressed cell in a
 * relation") misses: a + b = t, a + c = u, b + c = w with a, b, c hidden
 * has two hidden cells in every relation, yet a = (t + u - w) / 2.
 */
static void test_suppression_exact_check(void **state)
{
	int64_t val[6] = {3, 17, 12, 20, 15, 29}; /* a b c t u w */
	unsigned char mark[6] = {0}, det[6];
	struct supp_rels r;

	(void)state;
	supp_rels_init(&r);
	supp_rels_begin(&r); /* a + b = t */
	supp_rels_term(&r, 0, 1);
	supp_rels_term(&r, 1, 1);
	supp_rels_term(&r, 3, -1);
	supp_rels_begin(&r); /* a + c = u */
	supp_rels_term(&r, 0, 1);
	supp_rels_term(&r, 2, 1);
	supp_rels_term(&r, 4, -1);
	mark[0] = SUPP_PRIMARY;
	mark[1] = mark[2] = SUPP_COMPLEMENT;
	assert_int_equal(supp_derivable(mark, 6, &r, det), 0);
	supp_rels_begin(&r); /* b + c = w */
	supp_rels_term(&r, 1, 1);
	supp_rels_term(&r, 2, 1);
	supp_rels_term(&r, 5, -1);
	assert_int_equal(supp_derivable(mark, 6, &r, det), 3);
	assert_int_equal(attack_by_subtraction(val, mark, 6, &r), 0);
	/* supp_apply widens until nothing is derivable. */
	memset(mark, 0, sizeof(mark));
	supp_apply(val, mark, 6, &r, 11);
	assert_int_equal(mark[0], SUPP_PRIMARY);
	assert_int_equal(supp_derivable(mark, 6, &r, det), 0);
	assert_int_equal(attack_by_subtraction(val, mark, 6, &r), 0);
	supp_rels_release(&r);
}

/* ------------------------------------------------------------- format */

static void test_csv_formula_safe(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"=1+1", "'=1+1"},
	    {"+SUM(A1)", "'+SUM(A1)"},
	    {"-3", "'-3"},
	    {"@cmd", "'@cmd"},
	    {"\tx", "'\tx"},
	    {"\rx", "\"'\rx\""},
	    {"a,b", "\"a,b\""},
	    {"say \"hi\"", "\"say \"\"hi\"\"\""},
	    {"=a,b", "\"'=a,b\""},
	    {"plain", "plain"},
	    {"", ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;

		buf_init(&b, 1024);
		fmt_csv_cell(&b, cases[i].in);
		assert_string_equal(b.ptr ? b.ptr : "", cases[i].out);
		buf_release(&b);
	}
}

static void test_html_and_thousands(void **state)
{
	struct buf b;
	struct fmt_bar bar = {"<x>", 5, "5"};

	(void)state;
	buf_init(&b, 1 << 16);
	fmt_thousands(&b, 1234567);
	buf_addc(&b, ' ');
	fmt_thousands(&b, 12);
	buf_addc(&b, ' ');
	fmt_thousands(&b, 1000);
	assert_string_equal(b.ptr, "1,234,567 12 1,000");
	buf_reset(&b);
	fmt_html_text(&b, "<a href='x'>&\"</a>");
	assert_string_equal(b.ptr, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
	buf_reset(&b);
	fmt_svg_bars(&b, "t&t", &bar, 1, NULL);
	assert_non_null(strstr(b.ptr, "&lt;x&gt;"));
	assert_null(strstr(b.ptr, "href"));
	buf_release(&b);
}

/* ------------------------------------------------------------ fixture */

static char path[256];

static int setup(void **state)
{
	(void)state;
	testdb_path(path, sizeof(path), "report");
	unlink(path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testdb_remove(path);
	return 0;
}

/*
 * Two import files: file 1 imported 2024-01-10, file 2 imported
 * 2024-06-10. Children (A-numbers):
 *   200000001 released 2023-01-01 (TX), NTA served 2023-02-01, filed
 *             2023-03-01, hearing 2023-06-01 missed (FTA notice) and an in
 *             absentia order that day, rescinded 2023-09-01 (ICE action).
 *             Represented (ATTY). Contacted 2023-01-31 reached_safe.
 *   200000002 released 2023-02-01 (TX), blank address, never contacted:
 *             whereabouts unknown (blank). Hearing 2023-08-01 attended.
 *   200000003 released 2023-03-01 (CA), contact 2023-04-01 not_at_address
 *             (moved), then in file 2 a contact_attempt reached on
 *             2024-05-01 and a referral to legal provider.
 *   200000004 placement in file 1 released 2024-02-01 (after the first
 *             as-of), version 2 in file 2 says released 2023-12-01.
 *   (blank)   a placement without an A-number: unattributed.
 */
static void make_fixture(void)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	static const char *sql =
	    "INSERT INTO import_file(id,feed,tbl,name,sha256,imported_at) VALUES"
	    " (1,'orr','orr_placement','f1','', '2024-01-10T10:00:00Z'),"
	    " (2,'orr','orr_placement','f2','', '2024-06-10T10:00:00Z');"
	    "INSERT INTO orr_placement(rid,file_id,line,skey,rhash,a_number,"
	    " released_date,discharge,address_status,state,country,family_name,"
	    " given_name,sponsor_family_name,street,city,zip) VALUES"
	    " (1,1,2,'P1',101,'200000001','2023-01-01','sponsor','unverified','TX','HN',"
	    "  'LOPEZ','ANA','=cmd()','1 MAIN ST','HOUSTON','77001'),"
	    " (2,1,3,'P2',102,'200000002','2023-02-01','sponsor','blank','TX','GT',"
	    "  'PEREZ','LUIS',NULL,NULL,NULL,NULL),"
	    " (3,1,4,'P3',103,'200000003','2023-03-01','sponsor','unverified','CA','SV',"
	    "  'DIAZ','EVA',NULL,'2 ELM ST','LA','90001'),"
	    " (4,1,5,'P4',104,'200000004','2024-02-01','sponsor','unverified','NY','MX',"
	    "  'RUIZ','JOSE',NULL,'3 OAK ST','NYC','10001'),"
	    " (5,1,6,'P5',105,NULL,'2023-01-05','sponsor','unverified','TX','HN',"
	    "  'X','Y',NULL,NULL,NULL,NULL),"
	    " (6,2,2,'P4',106,'200000004','2023-12-01','sponsor','unverified','NY','MX',"
	    "  'RUIZ','JOSE',NULL,'3 OAK ST','NYC','10001');"
	    "INSERT INTO ice_nta(rid,file_id,line,skey,rhash,a_number,served_date,"
	    " filed_date) VALUES (1,1,2,'N1',201,'200000001','2023-02-01','2023-03-01'),"
	    " (2,1,3,'N2',202,'200000002',NULL,'2023-04-01');"
	    "INSERT INTO eoir_case(rid,file_id,line,skey,rhash,idncase,a_number,atty_nbr)"
	    " VALUES (1,1,2,'9001',301,9001,'200000001','123'),"
	    " (2,1,3,'9002',302,9002,'200000002',NULL);"
	    "INSERT INTO eoir_proceeding(rid,file_id,line,skey,rhash,idnproceeding,"
	    " idncase,dec_code,absentia,comp_date,hearing_date,base_city_code) VALUES"
	    " (1,1,2,'81',401,81,9001,'X','Y','2023-06-01','2023-06-01','HOU'),"
	    " (2,1,3,'82',402,82,9002,NULL,NULL,NULL,'2023-08-01','HOU');"
	    "INSERT INTO eoir_hearing(rid,file_id,line,skey,rhash,idnschedule,"
	    " idncase,adj_date,fta_notice,base_city_code,hearing_loc_code) VALUES"
	    " (1,1,2,'71',501,71,9001,'2023-06-01',1,'HOU','HOU1'),"
	    " (2,1,3,'72',502,72,9002,'2023-08-01',0,'HOU','HOU1');"
	    "INSERT INTO ice_removal(rid,file_id,line,skey,rhash,a_number,action,"
	    " action_date,idncase) VALUES"
	    " (1,1,2,'R1',601,'200000001','order_rescinded','2023-09-01',9001);"
	    "INSERT INTO orr_contact(rid,file_id,line,skey,rhash,a_number,contact_date,"
	    " method,result) VALUES"
	    " (1,1,2,'C1',701,'200000001','2023-12-20','phone','reached_safe'),"
	    " (2,1,3,'C3',702,'200000003','2023-04-01','home_visit','not_at_address');"
	    "INSERT INTO field_event(rid,file_id,line,skey,rhash,a_number,type,"
	    " occurred_at,body) VALUES"
	    " (1,2,1,'E1',801,'200000003','contact_attempt','2024-05-01',"
	    "  "
	    "'{\"event_id\":\"E1\",\"type\":\"contact_attempt\",\"method\":\"phone\",\"outcome\":"
	    "\"reached\"}'),"
	    " (2,2,2,'E2',802,'200000003','referral','2024-05-01',"
	    "  '{\"event_id\":\"E2\",\"type\":\"referral\",\"to\":\"legal_provider\"}');";

	assert_int_equal(store_open(&st, path, 0, &err), 0);
	if (store_exec(st, sql, &err))
		fail_msg("%s", err.msg);
	store_close(st);
}

static int32_t d(const char *s)
{
	int32_t v;

	assert_int_equal(date_parse(s, strlen(s), &v), 0);
	return v;
}

static void compute(const char *asof, const char *known, enum report_by by, int public_mode,
		    struct report_table *t)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	struct report_opts o = REPORT_OPTS_INIT;

	o.as_of = d(asof);
	o.known_at = known ? d(known) : UC_DATE_NONE;
	o.by = by;
	o.public_mode = public_mode;
	assert_int_equal(store_open(&st, path, STORE_READONLY, &err), 0);
	if (report_table_compute(st, &o, t, &err))
		fail_msg("%s", err.msg);
	store_close(st);
}

#define V(t, row, m) ((int64_t)(t).rows[row].v[m])

static void test_metrics_fixture(void **state)
{
	struct report_table t;

	(void)state;
	make_fixture();
	/* As of 2024-01-31: file 2 not yet imported; child 4's only version
	 * says released 2024-02-01, after the as-of date. */
	compute("2024-01-31", NULL, REPORT_BY_NONE, 0, &t);
	assert_int_equal(t.nrows, 1);
	assert_int_equal(V(t, 0, RM_RELEASED), 3);
	assert_int_equal(V(t, 0, RM_NTA_SERVED), 1);
	assert_int_equal(V(t, 0, RM_NTA_NOT_SERVED), 2);
	assert_int_equal(V(t, 0, RM_NTA_FILED), 2);
	assert_int_equal(V(t, 0, RM_COURT_DATE), 2);
	assert_int_equal(V(t, 0, RM_FTA), 1);
	assert_int_equal(V(t, 0, RM_ABSENTIA), 1);
	assert_int_equal(V(t, 0, RM_ABSENTIA_RESCINDED), 1);
	/* child 1 contacted 2023-12-20 (within 90 days): known. child 2
	 * blank, child 3 moved. */
	assert_int_equal(V(t, 0, RM_WU), 2);
	assert_int_equal(V(t, 0, RM_WU_BLANK), 1);
	assert_int_equal(V(t, 0, RM_WU_MOVED), 1);
	assert_int_equal(V(t, 0, RM_CONTACTS_ATTEMPTED), 2);
	assert_int_equal(V(t, 0, RM_CONTACTS_SUCCEEDED), 1);
	assert_int_equal(V(t, 0, RM_REF_LEGAL), 0);
	assert_int_equal(V(t, 0, RM_REP_HEARD), 1);
	assert_int_equal(V(t, 0, RM_REP_APPEARED), 0);
	assert_int_equal(V(t, 0, RM_UNREP_HEARD), 1);
	assert_int_equal(V(t, 0, RM_UNREP_APPEARED), 1);
	assert_true(t.rows[0].v[RM_UNREP_RATE] == 1.0);
	assert_int_equal(V(t, 0, RM_NTA_DAYS_N), 1);
	assert_int_equal(V(t, 0, RM_NTA_DAYS_MEDIAN), 31);
	assert_int_equal(V(t, 0, RM_CONTACT_DAYS_MEDIAN), 353);
	assert_int_equal(t.unattributed, 1);
	report_table_release(&t);

	/* The same as-of date with a later import cutoff sees version 2 of
	 * child 4 (released 2023-12-01) but not events dated later. */
	compute("2024-01-31", "2024-06-30", REPORT_BY_NONE, 0, &t);
	assert_int_equal(V(t, 0, RM_RELEASED), 4);
	assert_int_equal(V(t, 0, RM_REF_LEGAL), 0);
	report_table_release(&t);

	/* As of 2024-06-30: everything. Child 3 reached 2024-05-01. */
	compute("2024-06-30", NULL, REPORT_BY_STATE, 0, &t);
	assert_int_equal(t.nrows, 4); /* total, CA, NY, TX */
	assert_string_equal(t.rows[1].label, "CA");
	assert_string_equal(t.rows[3].label, "TX");
	assert_int_equal(V(t, 0, RM_RELEASED), 4);
	assert_int_equal(V(t, 3, RM_RELEASED), 2);
	assert_int_equal(V(t, 1, RM_REF_LEGAL), 1);
	assert_int_equal(V(t, 1, RM_CONTACTS_SUCCEEDED), 1);
	assert_int_equal(V(t, 1, RM_WU), 0);
	report_table_release(&t);
}

static void test_public_fixture(void **state)
{
	struct report_table t;

	(void)state;
	make_fixture();
	compute("2024-06-30", NULL, REPORT_BY_STATE, 1, &t);
	for (int g = 0; g < t.nrows; g++)
		for (int m = 0; m < RM_COUNT_METRICS; m++)
			if (t.rows[g].v[m] >= 1 && t.rows[g].v[m] < 11)
				assert_int_not_equal(t.rows[g].supp[m], 0);
	assert_int_not_equal(t.rows[0].supp[RM_REP_RATE], 0);
	assert_int_not_equal(t.rows[0].supp[RM_NTA_DAYS_MEDIAN], 0);
	report_table_release(&t);
}

static void test_outputs_and_refusals(void **state)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	struct report_opts o = REPORT_OPTS_INIT;
	struct buf b;

	(void)state;
	make_fixture();
	buf_init(&b, 1 << 22);
	assert_int_equal(store_open(&st, path, STORE_READONLY, &err), 0);
	o.as_of = d("2024-06-30");
	o.public_mode = 1;
	assert_int_equal(report_fta(st, &o, &b, &err), UC_EDENIED);
	o.public_mode = 0;
	o.format = REPORT_FMT_CSV;
	assert_int_equal(report_fta(st, &o, &b, &err), 0);
	/* one child missed a hearing; its sponsor name is formula-escaped */
	assert_non_null(strstr(b.ptr, "200000001"));
	assert_non_null(strstr(b.ptr, "'=cmd()"));
	assert_non_null(strstr(b.ptr, "in_absentia_rescinded"));
	assert_null(strstr(b.ptr, "200000002"));
	buf_reset(&b);
	o.format = REPORT_FMT_HTML;
	o.by = REPORT_BY_FY;
	assert_int_equal(report_oversight(st, &o, &b, &err), 0);
	assert_non_null(strstr(b.ptr, "<svg"));
	assert_null(strstr(b.ptr, "src="));
	assert_null(strstr(b.ptr, "<link"));
	assert_null(strstr(b.ptr, "<script"));
	/* one chart as an SVG image: the funnel, then per fiscal year in
	 * Spanish; a chart per row needs a breakdown */
	buf_reset(&b);
	o.format = REPORT_FMT_SVG;
	assert_int_equal(report_oversight(st, &o, &b, &err), 0);
	assert_true(strncmp(b.ptr, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"", 50) ==
		    0);
	assert_non_null(strstr(b.ptr, "<title>Accounting for every released child</title>"));
	assert_non_null(strstr(b.ptr, "<desc>Children released to sponsors: 4; NTA served: "));
	assert_null(strstr(b.ptr, "<script"));
	buf_reset(&b);
	o.chart = REPORT_CHART_RELEASED_BY;
	o.lang = "es";
	assert_int_equal(report_oversight(st, &o, &b, &err), 0);
	assert_non_null(strstr(b.ptr, " lang=\"es\""));
	assert_non_null(strstr(b.ptr, "<title>Niños liberados, por año fiscal</title>"));
	assert_non_null(strstr(b.ptr, "<desc>FY2023: "));
	buf_reset(&b);
	o.by = REPORT_BY_NONE;
	assert_int_equal(report_oversight(st, &o, &b, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "give by"));
	o.chart = REPORT_CHART_FUNNEL;
	o.lang = NULL;
	{
		enum report_chart c;

		assert_int_equal(report_chart_parse("unknown_by", &c), 0);
		assert_int_equal(c, REPORT_CHART_UNKNOWN_BY);
		assert_string_equal(report_chart_name(c), "unknown_by");
		assert_int_equal(report_chart_parse("pie", &c), -1);
	}
	o.format = REPORT_FMT_SVG;
	assert_int_equal(report_fta(st, &o, &b, &err), UC_EUSAGE);
	o.format = REPORT_FMT_HTML;
	buf_reset(&b);
	o.by = REPORT_BY_GROUP;
	assert_int_equal(report_oversight(st, &o, &b, &err), UC_ENOTFOUND);
	o.by = REPORT_BY_NONE;
	o.identity = REPORT_ID_PERSON;
	assert_int_equal(report_oversight(st, &o, &b, &err), UC_ENOTFOUND);
	store_close(st);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suppression_resists_subtraction),
	    cmocka_unit_test(test_suppression_exact_check),
	    cmocka_unit_test(test_csv_formula_safe),
	    cmocka_unit_test(test_html_and_thousands),
	    cmocka_unit_test_setup_teardown(test_metrics_fixture, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_public_fixture, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outputs_and_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
