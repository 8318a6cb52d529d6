/*
 * test_triage_project.c - projection of hand-written records into facts,
 * full and one-case paths agreeing, person linking, record versions, and a
 * triage run with overrides on a small store.
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
#include "store/store.h"
#include "triage/facts.h"
#include "triage/project.h"
#include "triage/triage.h"

#define D(y, m, d) date_from_ymd(y, m, d)

static char path[64];

static struct store *fixture(void)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	int fd;

	snprintf(path, sizeof(path), "/tmp/uctrack-tproj-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	if (store_open(&st, path, 0, &err))
		fail_msg("%s", err.msg);
	/* child A 208000001: released 2024-01-10, reached once, an in absentia
	 * order later rescinded by ICE; an old and a new version of the
	 * placement (the new one changes the release date). */
	if (store_exec(
		st,
		"INSERT INTO import_file(id, feed, tbl, name, sha256, imported_at) "
		"VALUES(1, 'x', 'x', 'x', 'x', '2025-01-01');"
		"INSERT INTO cbp_encounter(file_id, line, skey, rhash, a_number, birth_date, "
		" country, encounter_date, tvpra_screening) VALUES"
		" (1, 1, 'E1', 1, '208000001', '2009-05-01', 'MX', '2023-12-01', 'pending'),"
		" (1, 2, 'E2', 2, '208000001', '2009-05-01', 'MX', '2024-03-01', ''),"
		" (1, 3, 'E3', 3, NULL, '2010-01-01', 'GT', '2024-03-01', '');"
		"INSERT INTO orr_placement(file_id, line, skey, rhash, a_number, birth_date, "
		" country, admitted_date, released_date, discharge, sponsor_id, sponsor_category, "
		" street, unit, city, state, zip, address_status) VALUES"
		" (1, 4, 'P1', 4, '208000001', '2009-04-30', 'MX', '2023-12-03', '2023-12-20', "
		"  'sponsor', 'S9', '1', '1 MAIN ST', '', 'HOUSTON', 'TX', '77036', 'unverified'),"
		" (1, 5, 'P1', 5, '208000001', '2009-04-30', 'MX', '2023-12-03', '2024-01-10', "
		"  'sponsor', 'S9', '1', '1 MAIN ST', '', 'HOUSTON', 'TX', '77036', 'unverified'),"
		" (1, 6, 'P2', 6, '208000002', '2008-01-01', 'HN', '2023-12-03', '2024-01-11', "
		"  'sponsor', 'S9', '3', '1 Main St.', '', 'HOUSTON', 'TX', '77036', 'unverified');"
		"INSERT INTO address(src_tbl, src_rid, a_number, street, city, state, zip, status, "
		"as_of)"
		" VALUES ('orr_placement', 2, '208000001', '1 MAIN ST', 'HOUSTON', 'TX', '77036', "
		"  'unverified', '2024-01-10'),"
		" ('field_event', 9, '208000001', '5 ELM', 'DALLAS', 'TX', '75201', 'verified', "
		"  '2024-06-01');"
		"INSERT INTO orr_contact(file_id, line, skey, rhash, a_number, contact_date, "
		"result)"
		" VALUES (1, 7, 'K1', 7, '208000001', '2024-02-09', 'reached_safe'),"
		" (1, 8, 'K2', 8, '208000001', '2024-05-01', 'no_answer'),"
		" (1, 9, 'K3', 9, '208000001', '2024-06-01', 'wrong_number');"
		"INSERT INTO ice_nta(file_id, line, skey, rhash, a_number, issued_date, "
		"served_date, "
		" street, city, zip, filed_date) VALUES"
		" (1, 10, 'N1', 10, '208000001', '2024-02-01', '2024-02-05', '1 MAIN ST', "
		"  'HOUSTON', '77036', '2024-02-20');"
		"INSERT INTO eoir_case(file_id, line, skey, rhash, idncase, a_number, birth_date, "
		" atty_nbr) VALUES (1, 11, 'C1', 11, 501, '208000001', '2009-05-01', '');"
		"INSERT INTO eoir_proceeding(file_id, line, skey, rhash, idnproceeding, idncase, "
		" osc_date, input_date, dec_code, comp_date, absentia) VALUES"
		" (1, 12, 'R1', 12, 601, 501, '2024-02-01', '2024-02-20', 'X', '2024-09-10', 'Y');"
		"INSERT INTO eoir_hearing(file_id, line, skey, rhash, idnschedule, idncase, "
		"adj_date, "
		" fta_notice) VALUES (1, 13, 'H1', 13, 701, 501, '2024-05-01', 0),"
		" (1, 14, 'H2', 14, 702, 501, '2024-09-10', 0),"
		" (1, 15, 'H3', 15, 703, 501, '2025-08-01', 0);"
		"INSERT INTO ice_removal(file_id, line, skey, rhash, a_number, action, "
		"action_date) "
		" VALUES (1, 16, 'X1', 16, '208000001', 'order_rescinded', '2024-10-01');"
		"INSERT INTO indicator(file_id, line, skey, rhash, a_number, category, code, "
		"source, "
		" authorised, observed_date) VALUES"
		" (1, 17, 'I1', 17, '208000001', 'trafficking', 'exploitation', 'TIPLINE', 0, "
		"  '2024-07-01'),"
		" (1, 18, 'I2', 18, '208000001', 'public_safety', 'gang_affiliation', 'NCIC', 1, "
		"  '2024-07-02');"
		"INSERT INTO field_event(skey, rhash, a_number, type, occurred_at, body) VALUES"
		" ('V1', 19, '208000001', 'welfare_check', '2024-06-15', "
		"  '{\"event_id\":\"V1\",\"note\":\"said "
		"\\\"outcome\\\":\\\"safe\\\"\",\"outcome\":\"concern\"}'),"
		" ('V2', 20, '208000001', 'referral', '2024-06-16', '{\"to\":\"hsi\"}'),"
		" ('V3', 21, '208000001', 'motion_to_reopen', '2024-09-20', "
		"  '{\"ground\":\"lack_of_notice\",\"status\":\"filed\"}');"
		"INSERT INTO claim(src_tbl, src_rid, a_number, claim_type, status, on_date) VALUES"
		" ('field_event', 30, '208000001', 'sijs', 'filed', '2024-03-01'),"
		" ('field_event', 31, '208000001', 'asylum', 'filed', '2024-03-01'),"
		" ('field_event', 32, '208000001', 'asylum', 'denied', '2024-08-01');"
		"INSERT INTO representation(src_tbl, src_rid, a_number, kind, status, on_date) "
		"VALUES"
		" ('field_event', 40, '208000001', 'counsel', 'started', '2024-03-01'),"
		" ('field_event', 41, '208000001', 'counsel', 'ended', '2024-04-01');",
		&err))
		fail_msg("%s", err.msg);
	return st;
}

static int32_t fact(const struct proj_case *c, const char *name)
{
	int f = facts_find(name);

	assert_true(f >= 0);
	if (rules_fact_missing(&c->facts, f))
		fail_msg("fact %s is missing", name);
	return c->facts.v[f];
}

static int missing(const struct proj_case *c, const char *name)
{
	return rules_fact_missing(&c->facts, facts_find(name));
}

struct collect {
	struct proj_case cases[8]; /* projected cases */
	int n;			   /* count */
};

static int on_case(void *ctx, const struct proj_case *c, struct uc_err *err)
{
	struct collect *co = ctx;

	(void)err;
	if (co->n < 8)
		co->cases[co->n++] = *c;
	return 0;
}

static void same_facts(const struct proj_case *a, const struct proj_case *b)
{
	for (int i = 0; i < FACT_COUNT; i++)
		if (rules_fact_missing(&a->facts, i) != rules_fact_missing(&b->facts, i) ||
		    (!rules_fact_missing(&a->facts, i) && a->facts.v[i] != b->facts.v[i]))
			fail_msg("fact %s differs: %d vs %d", facts_schema()->facts[i].name,
				 a->facts.v[i], b->facts.v[i]);
}

static void check_child(const struct proj_case *c)
{
	assert_string_equal(c->a_number, "208000001");
	assert_int_equal(fact(c, "birth_date"), D(2009, 4, 30)); /* ORR ranks first */
	assert_int_equal(fact(c, "age"), 16);
	assert_int_equal(fact(c, "country"), 'M' << 8 | 'X');
	assert_int_equal(fact(c, "encounters"), 2);
	assert_int_equal(fact(c, "tvpra"), TVPRA_PENDING);
	assert_int_equal(fact(c, "release_date"), D(2024, 1, 10)); /* newest version */
	assert_int_equal(fact(c, "sponsor_children"), 2);
	assert_int_equal(fact(c, "address_children"), 2);	    /* "1 Main St." */
	assert_int_equal(fact(c, "address_status"), ADDR_VERIFIED); /* latest address */
	assert_int_equal(fact(c, "address_state"), 'T' << 8 | 'X');
	assert_int_equal(fact(c, "address_zip3"), 752);
	assert_int_equal(fact(c, "last_contact"), D(2024, 6, 15)); /* welfare check seen */
	assert_int_equal(fact(c, "contact_since_release"), 1);
	assert_int_equal(fact(c, "failed_contacts"), 0);
	assert_int_equal(fact(c, "welfare"), WEL_CONCERN); /* not fooled by the note */
	assert_int_equal(fact(c, "nta_state"), NTA_FILED);
	assert_int_equal(fact(c, "next_hearing"), D(2025, 8, 1));
	assert_int_equal(fact(c, "hearings_attended"), 1);
	assert_int_equal(fact(c, "hearings_missed"), 1); /* the in absentia day */
	assert_int_equal(fact(c, "in_absentia"), 1);
	assert_int_equal(fact(c, "in_absentia_date"), D(2024, 9, 10));
	assert_int_equal(fact(c, "in_absentia_rescinded"), 1); /* ICE order_rescinded */
	assert_int_equal(fact(c, "removal_order"), 0);
	assert_int_equal(fact(c, "mtr"), MTR_FILED);
	assert_int_equal(fact(c, "mtr_ground"), GROUND_LACK_OF_NOTICE);
	assert_int_equal(fact(c, "mtr_days_left"), D(2024, 9, 10) + 180 - D(2025, 6, 1));
	assert_int_equal(fact(c, "notice_defective"), 0);
	assert_int_equal(fact(c, "claims_pending"), 1 << CLAIM_SIJS); /* asylum denied later */
	assert_int_equal(fact(c, "counsel"), 0);		      /* ended */
	assert_int_equal(fact(c, "referrals"), 1 << REF_HSI);
	assert_int_equal(fact(c, "indicators"), 1 << IND_GANG_AFFILIATION);
	assert_int_equal(fact(c, "indicators_unverified"), 1 << IND_EXPLOITATION);
	assert_true(missing(c, "screening_date"));
}

static void test_full_and_one_agree(void **state)
{
	struct store *st = fixture();
	struct proj *p = NULL;
	struct proj_stats ps;
	struct collect co = {.n = 0};
	struct proj_case one;
	struct uc_err err = UC_ERR_INIT;
	int32_t today = D(2025, 6, 1);

	(void)state;
	assert_int_equal(proj_open(&p, st, &err), 0);
	if (proj_all(p, today, on_case, &co, &ps, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(ps.cases, 2);
	assert_int_equal(ps.unplaced, 1); /* the encounter without an A-number */
	assert_int_equal(co.n, 2);
	check_child(&co.cases[0]);
	if (proj_one(p, 0, "A-208-000-001", today, &one, &err))
		fail_msg("%s", err.msg);
	check_child(&one);
	same_facts(&one, &co.cases[0]);
	proj_close(p);
	store_close(st);
	unlink(path);
}

/* An address update that gives only a unit and a status: the status is
 * the update's, the location (state, ZIP: the office) stays the last one
 * given; the full run and the one-case path agree. */
static void test_partial_address_update(void **state)
{
	struct store *st = fixture();
	struct proj *p = NULL;
	struct proj_stats ps;
	struct collect co = {.n = 0};
	struct proj_case one;
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	if (store_exec(
		st,
		"INSERT INTO address(src_tbl, src_rid, a_number, unit, status, as_of)"
		" VALUES ('field_event', 50, '208000001', '4B', 'missing_unit', '2024-07-01');",
		&err))
		fail_msg("%s", err.msg);
	assert_int_equal(proj_open(&p, st, &err), 0);
	if (proj_all(p, D(2025, 6, 1), on_case, &co, &ps, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(fact(&co.cases[0], "address_status"), ADDR_MISSING_UNIT);
	assert_int_equal(fact(&co.cases[0], "address_state"), 'T' << 8 | 'X');
	assert_int_equal(fact(&co.cases[0], "address_zip3"), 752);
	if (proj_one(p, 0, "208000001", D(2025, 6, 1), &one, &err))
		fail_msg("%s", err.msg);
	same_facts(&one, &co.cases[0]);
	proj_close(p);
	store_close(st);
	unlink(path);
}

static void test_linked_person(void **state)
{
	struct store *st = fixture();
	struct proj *p = NULL;
	struct proj_stats ps;
	struct collect co = {.n = 0};
	struct proj_case one;
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	/* linkage put the CBP encounters (also the one without an A-number)
	 * and the first placement under person 7 */
	if (store_exec(st,
		       "INSERT INTO person(id, a_number, created_at) VALUES(7, '208000001', 'x');"
		       "INSERT INTO person_record(src_tbl, src_rid, person_id, method) VALUES"
		       " ('cbp_encounter', 1, 7, 'a'), ('cbp_encounter', 2, 7, 'a'),"
		       " ('cbp_encounter', 3, 7, 'p'), ('orr_placement', 2, 7, 'a');",
		       &err))
		fail_msg("%s", err.msg);
	assert_int_equal(proj_open(&p, st, &err), 0);
	if (proj_all(p, D(2025, 6, 1), on_case, &co, &ps, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(ps.cases, 2);
	assert_int_equal(ps.unplaced, 0);
	assert_int_equal(co.cases[0].person_id, 7);
	assert_int_equal(fact(&co.cases[0], "encounters"), 3);
	assert_int_equal(fact(&co.cases[0], "linked"), 1);
	assert_int_equal(fact(&co.cases[0], "claims_pending"), 1 << CLAIM_SIJS);
	if (proj_one(p, 7, NULL, D(2025, 6, 1), &one, &err))
		fail_msg("%s", err.msg);
	same_facts(&one, &co.cases[0]);
	proj_close(p);
	store_close(st);
	unlink(path);
}

static void test_run_explain_override(void **state)
{
	struct store *st = fixture();
	struct triage *t = NULL;
	struct triage_opts o = {"rules/default.rules", "rules/field_offices.csv", D(2025, 6, 1)};
	struct triage_stats s;
	struct triage_explain *ex = calloc(1, sizeof(*ex));
	struct uc_err err = UC_ERR_INIT;
	int64_t id = 0;

	(void)state;
	assert_non_null(ex);
	if (triage_open(&t, st, &o, &err) || triage_run(t, 0, &s, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(s.cases, 2);
	assert_int_equal(s.projected, 1);
	if (triage_explain(t, "208000001", ex, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(ex->office, "DAL");
	assert_int_equal(ex->phase, 3); /* exploitation indicator */
	assert_string_equal(ex->group, "public_safety");
	assert_int_equal(
	    triage_override(t, "208000001", "group", "flight_risk", "", "sup", NULL, &err),
	    UC_EUSAGE);
	{
		int64_t oid = 0;

		if (triage_override(t, "208000001", "group", "flight_risk", "seen in person", "sup",
				    &oid, &err))
			fail_msg("%s", err.msg);
		assert_true(oid > 0);
	}
	triage_close(t);
	t = NULL;
	/* a later run, without the files: the stored rule set and offices */
	o.rules_path = NULL;
	o.offices_path = NULL;
	if (triage_open(&t, st, &o, &err) || triage_run(t, 1, &s, &err) ||
	    triage_explain(t, "C1", ex, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(ex->group, "flight_risk");
	assert_int_equal(ex->overridden, 1);
	assert_int_equal(ex->novr, 1);
	assert_string_equal(ex->ovr[0].status, "active");
	/* new record: facts change, the override lapses */
	if (store_exec(st,
		       "INSERT INTO orr_contact(file_id, line, skey, rhash, a_number, "
		       "contact_date, result) VALUES(1, 99, 'K9', 99, '208000001', '2025-05-01', "
		       "'reached_safe')",
		       &err) ||
	    triage_key(t, 0, "208000001", 0, &id, &err) || triage_explain(t, "C1", ex, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(id, 1);
	assert_string_equal(ex->group, "public_safety");
	assert_string_equal(ex->ovr[0].status, "lapsed");
	assert_int_equal(triage_find(t, "C99", &id, &err), UC_ENOTFOUND);
	assert_int_equal(triage_find(t, "x y", &id, &err), UC_EUSAGE);
	free(ex);
	triage_close(t);
	store_close(st);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_and_one_agree),
	    cmocka_unit_test(test_partial_address_update),
	    cmocka_unit_test(test_linked_person),
	    cmocka_unit_test(test_run_explain_override),
	};

	setenv("UCTRACK_TODAY", "2025-06-01", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
