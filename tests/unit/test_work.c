/*
 * test_work.c - src/work on a small database written by hand: the queue
 * of children (one row per case, filters, totals, both sorts), assignment
 * (scope, all or nothing, history), task outcomes and the event each
 * action calls for, the inbox, counsel requests and a provider's clients.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "core/date.h"
#include "store/store.h"
#include "testdb.h"
#include "work/work.h"

static char path[256];

/* Three cases of HOU (one overdue, one held only, one due later) and one
 * of DAL; the users of both offices. Today is 2025-06-10. */
static const char seed[] =
    "INSERT INTO tcase(id, a_number, active, office, grp, score, prio, phase, holds,"
    " hold_names, next_action, next_due, n_open, n_held, queued) VALUES"
    " (1, '200000001', 1, 'HOU', 'flight_risk', 100, 900, 2, 0, '', 'contact', '2025-06-01', 2, 0, "
    "1),"
    " (2, '200000002', 1, 'HOU', NULL, 0, 100, 1, 1, 'claim_pending', NULL, NULL, 0, 1, 1),"
    " (3, '200000003', 1, 'HOU', 'public_safety', 60, 500, 3, 0, '', 'welfare_check', "
    "'2025-06-14', 1, 0, 1),"
    " (4, '200000004', 1, 'DAL', NULL, 0, 50, 1, 0, '', 'contact', '2025-07-01', 1, 0, 1),"
    " (5, '200000005', 0, 'HOU', NULL, 0, 10, 4, 0, '', NULL, NULL, 0, 0, 0);"
    "INSERT INTO task(case_id, action, phase, office, grp, due, status, held_by, prio, created_at) "
    "VALUES"
    " (1, 'contact', 2, 'HOU', 'flight_risk', '2025-06-01', 'open', NULL, 900, 'x'),"
    " (1, 'legal_referral', 2, 'HOU', 'flight_risk', '2025-06-12', 'open', NULL, 900, 'x'),"
    " (2, 'serve_nta', 1, 'HOU', NULL, '2025-06-20', 'held', 'claim_pending', 100, 'x'),"
    " (3, 'welfare_check', 3, 'HOU', 'public_safety', '2025-06-14', 'open', NULL, 500, 'x'),"
    " (4, 'contact', 1, 'DAL', NULL, '2025-07-01', 'open', NULL, 50, 'x');"
    "INSERT INTO cbp_encounter(rid, file_id, line, skey, rhash, a_number, family_name, given_name)"
    " VALUES (1, 0, 1, 'E1', 1, '200000001', 'TESTA', 'ANA');"
    "INSERT INTO representation(src_tbl, src_rid, a_number, provider, kind, status, on_date) VALUES"
    " ('field_event', 1, '200000003', 'KIND', 'counsel', 'started', '2025-01-01'),"
    " ('field_event', 2, '200000004', 'KIND', 'counsel', 'started', '2025-01-01'),"
    " ('field_event', 3, '200000004', 'KIND', 'counsel', 'ended', '2025-03-01');";

static struct auth_user user(const char *name, enum auth_role role, const char *office,
			     const char *provider)
{
	struct auth_user u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.role = role;
	snprintf(u.office, sizeof(u.office), "%s", office ? office : "");
	snprintf(u.provider, sizeof(u.provider), "%s", provider ? provider : "");
	return u;
}

static int setup(void **state)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;

	testdb_path(path, sizeof(path), "work");
	testdb_remove(path);
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	if (store_exec(st, seed, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(
	    auth_user_add(st, "off1", AUTH_ROLE_OFFICER, "HOU", NULL, "pw-off1-0123", &err), 0);
	assert_int_equal(
	    auth_user_add(st, "off2", AUTH_ROLE_OFFICER, "DAL", NULL, "pw-off2-0123", &err), 0);
	assert_int_equal(
	    auth_user_add(st, "ana1", AUTH_ROLE_ANALYST, NULL, NULL, "pw-ana1-0123", &err), 0);
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	testdb_remove(path);
	return 0;
}

struct rows {
	int n;
	int64_t id[16];
	struct work_row last;
};

static int on_row(void *arg, const struct work_row *r, struct uc_err *err)
{
	struct rows *x = arg;

	(void)err;
	if (x->n < 16)
		x->id[x->n] = r->case_id;
	x->n++;
	x->last = *r;
	return UC_OK;
}

static struct rows run(struct store *st, struct work_filter *f, int64_t *total)
{
	struct rows x;
	struct uc_err err = UC_ERR_INIT;

	memset(&x, 0, sizeof(x));
	f->today = date_from_ymd(2025, 6, 10);
	if (work_queue(st, f, on_row, &x, total, &err))
		fail_msg("%s", err.msg);
	return x;
}

static void test_queue(void **state)
{
	struct store *st = *state;
	struct work_filter f = WORK_FILTER_INIT;
	int64_t total = 0;
	struct rows x;

	f.office = "HOU";
	x = run(st, &f, &total);
	assert_int_equal(total, 3); /* the inactive case 5 is not queued */
	assert_int_equal(x.n, 3);
	assert_int_equal(x.id[0], 1); /* priority order */
	assert_int_equal(x.id[1], 3);
	assert_int_equal(x.id[2], 2);
	f.sort = WORK_SORT_DUE;
	x = run(st, &f, &total);
	assert_int_equal(x.id[0], 1); /* due 06-01, then 06-14, then none */
	assert_int_equal(x.id[1], 3);
	assert_int_equal(x.id[2], 2);
	f.sort = WORK_SORT_PRIORITY;
	f.overdue = 1;
	x = run(st, &f, &total);
	assert_int_equal(total, 1);
	assert_int_equal(x.id[0], 1);
	assert_true(x.last.overdue);
	assert_string_equal(x.last.name, "TESTA, ANA");
	assert_string_equal(x.last.next_action, "contact");
	assert_int_equal(x.last.n_open, 2);
	f.overdue = 0;
	f.due_soon = 1; /* within 7 days of 06-10: 06-14 */
	x = run(st, &f, &total);
	assert_int_equal(total, 1);
	assert_int_equal(x.id[0], 3);
	f.due_soon = 0;
	f.hold = 1;
	x = run(st, &f, &total);
	assert_int_equal(total, 1);
	assert_int_equal(x.id[0], 2);
	f.hold = -1;
	f.group = "none";
	x = run(st, &f, &total);
	assert_int_equal(total, 1);
	f.group = "public_safety";
	f.phase = 3;
	x = run(st, &f, &total);
	assert_int_equal(total, 1);
	assert_int_equal(x.id[0], 3);
	/* every office; paging by offset */
	memset(&f, 0, sizeof(f));
	f.hold = -1;
	f.limit = 2;
	f.offset = 2;
	f.due_soon_days = 7;
	x = run(st, &f, &total);
	assert_int_equal(total, 4);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.id[0], 2);
	assert_int_equal(x.id[1], 4);
	/* the total is counted up to count_max: then it means "at least" */
	f.count_max = 3;
	x = run(st, &f, &total);
	assert_int_equal(total, 3);
	assert_int_equal(x.n, 2);
}

static void test_queue_bad(void **state)
{
	struct work_filter f = WORK_FILTER_INIT;
	struct uc_err err = UC_ERR_INIT;
	struct rows x;

	f.limit = WORK_PAGE_MAX + 1;
	assert_int_equal(work_queue(*state, &f, on_row, &x, NULL, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "limit"));
	f.limit = 10;
	f.offset = -1;
	assert_int_equal(work_queue(*state, &f, on_row, &x, NULL, &err), UC_EINPUT);
}

static void test_assign(void **state)
{
	struct store *st = *state;
	struct auth_user sup = user("sup1", AUTH_ROLE_SUPERVISOR, "HOU", NULL);
	struct auth_user off = user("off1", AUTH_ROLE_OFFICER, "HOU", NULL);
	struct auth_user adm = user("adm", AUTH_ROLE_ADMIN, NULL, NULL);
	struct work_assign_result res;
	struct uc_err err = UC_ERR_INIT;
	struct work_filter f = WORK_FILTER_INIT;
	int64_t ids[] = {1, 3}, bad[] = {3, 4}, total;
	char who[AUTH_NAME_MAX + 1];

	assert_int_equal(work_assign(st, &sup, ids, 2, "off1", "caseload", &res, &err), 0);
	assert_int_equal(res.assigned, 2);
	assert_int_equal(work_assign(st, &sup, ids, 1, "off1", NULL, &res, &err), 0);
	assert_int_equal(res.unchanged, 1);
	/* scope: an officer may not assign; a case of another office; an
	 * assignee who may not read it; not an officer; nothing half-done */
	assert_int_equal(work_assign(st, &off, ids, 1, "off1", NULL, &res, &err), UC_EDENIED);
	assert_int_equal(work_assign(st, &sup, bad, 2, NULL, NULL, &res, &err), UC_EDENIED);
	assert_non_null(strstr(err.msg, "case 4"));
	assert_int_equal(work_assignee(st, 3, who, &err), 0);
	assert_string_equal(who, "off1"); /* case 3 was not unassigned */
	assert_int_equal(work_assign(st, &adm, bad, 2, "off2", NULL, &res, &err), UC_EDENIED);
	assert_non_null(strstr(err.msg, "case 3"));
	assert_int_equal(work_assign(st, &adm, ids, 1, "ana1", NULL, &res, &err), UC_EINPUT);
	assert_int_equal(work_assign(st, &adm, ids, 1, "nobody", NULL, &res, &err), UC_EINPUT);
	/* My cases */
	f.assignee = "off1";
	(void)run(st, &f, &total);
	assert_int_equal(total, 2);
	f.assignee = "";
	(void)run(st, &f, &total);
	assert_int_equal(total, 2); /* 2 and 4 */
	/* unassign */
	assert_int_equal(work_assign(st, &sup, ids, 1, NULL, NULL, &res, &err), 0);
	assert_int_equal(work_assignee(st, 1, who, &err), 0);
	assert_string_equal(who, "");
}

static int count_hist(void *arg, const struct work_hist *h, struct uc_err *err)
{
	(void)err;
	(void)h;
	(*(int *)arg)++;
	return UC_OK;
}

static void test_outcomes(void **state)
{
	struct store *st = *state;
	struct uc_err err = UC_ERR_INIT;
	struct work_task t;
	const char *type;
	int n = 0;

	assert_int_equal(work_outcome_type("contact", "done", &type, &err), 0);
	assert_string_equal(type, "contact_attempt");
	assert_int_equal(work_outcome_type("welfare_check", "not_possible", &type, &err), 0);
	assert_string_equal(type, "welfare_check");
	assert_int_equal(work_outcome_type("locate", "done", &type, &err), 0);
	assert_string_equal(type, "address_update");
	assert_int_equal(work_outcome_type("locate", "not_possible", &type, &err), 0);
	assert_string_equal(type, "task_outcome");
	assert_int_equal(work_outcome_type("refer_hsi", "done", &type, &err), 0);
	assert_string_equal(type, "referral");
	assert_int_equal(work_outcome_type("serve_nta", "done", &type, &err), 0);
	assert_string_equal(type, "task_outcome");
	assert_int_equal(work_outcome_type("fly", "done", &type, &err), UC_EINPUT);
	assert_int_equal(work_outcome_type("contact", "maybe", &type, &err), UC_EINPUT);
	assert_int_equal(work_task_get(st, 2, "serve_nta", &t, &err), 0);
	assert_string_equal(t.status, "held");
	assert_string_equal(t.held_by, "claim_pending");
	assert_int_equal(work_task_get(st, 2, "contact", &t, &err), UC_ENOTFOUND);
	assert_int_equal(
	    work_log_outcome(st, 1, "contact", "not_possible", NULL, NULL, "off1", &err),
	    UC_EINPUT);
	assert_int_equal(
	    work_log_outcome(st, 1, "contact", "not_possible", "nobody home", "EV-1", "off1", &err),
	    0);
	assert_int_equal(work_history(st, 1, count_hist, &n, &err), 0);
	assert_true(n >= 1);
}

struct inbox {
	int n[WORK_IN_KINDS];
};

static int on_item(void *arg, const struct work_inbox_item *it, struct uc_err *err)
{
	(void)err;
	((struct inbox *)arg)->n[it->kind]++;
	return UC_OK;
}

static void test_inbox_and_counsel(void **state)
{
	struct store *st = *state;
	struct auth_user sup = user("sup1", AUTH_ROLE_SUPERVISOR, "HOU", NULL);
	struct auth_user off = user("off1", AUTH_ROLE_OFFICER, "HOU", NULL);
	struct auth_user kind = user("kind1", AUTH_ROLE_LEGAL_PROVIDER, NULL, "KIND");
	struct auth_user ana = user("ana1", AUTH_ROLE_ANALYST, NULL, NULL);
	struct work_inbox_opts o = {date_from_ymd(2025, 6, 10), 7, 60, 100};
	struct work_assign_result res;
	struct work_counsel c;
	struct uc_err err = UC_ERR_INIT;
	struct inbox in;
	int64_t ids[] = {1, 3}, counts[WORK_IN_KINDS], id = 0, case_id = 0;

	assert_int_equal(work_assign(st, &sup, ids, 2, "off1", NULL, &res, &err), 0);
	memset(&in, 0, sizeof(in));
	assert_int_equal(work_inbox(st, &off, &o, on_item, &in, counts, &err), 0);
	assert_int_equal(counts[WORK_IN_OVERDUE], 1);  /* contact due 06-01 */
	assert_int_equal(counts[WORK_IN_DUE_SOON], 2); /* 06-12 and 06-14 */
	assert_int_equal(in.n[WORK_IN_OVERDUE], 1);
	/* counsel: KIND for case 1 by A-number */
	assert_int_equal(work_case_by_anumber(st, "200000001", &case_id, &err), 0);
	assert_int_equal(case_id, 1);
	assert_int_equal(work_case_by_anumber(st, "12", &case_id, &err), UC_EINPUT);
	assert_int_equal(work_case_by_anumber(st, "299999999", &case_id, &err), UC_ENOTFOUND);
	assert_int_equal(work_counsel_request(st, &off, 1, "200000001", "x", &id, &err),
			 UC_EDENIED);
	assert_int_equal(work_counsel_request(st, &kind, 3, "200000003", "retained", &id, &err),
			 UC_ECONFLICT);
	assert_int_equal(work_counsel_request(st, &kind, 1, "200000001", "", &id, &err), UC_EINPUT);
	assert_int_equal(work_counsel_request(st, &kind, 1, "200000001", "retained", &id, &err), 0);
	assert_int_equal(work_counsel_request(st, &kind, 1, "200000001", "again", &case_id, &err),
			 UC_ECONFLICT);
	memset(&in, 0, sizeof(in));
	assert_int_equal(work_inbox(st, &ana, &o, on_item, &in, counts, &err), 0);
	assert_int_equal(counts[WORK_IN_COUNSEL], 1);
	assert_int_equal(work_counsel_decide(st, &off, id, "confirm", NULL, NULL, &err),
			 UC_EDENIED);
	assert_int_equal(work_counsel_decide(st, &ana, id, "withdraw", NULL, NULL, &err),
			 UC_EDENIED);
	assert_int_equal(work_counsel_decide(st, &ana, id, "maybe", NULL, NULL, &err), UC_EINPUT);
	assert_int_equal(work_counsel_decide(st, &ana, id, "reject", "no G-28", NULL, &err), 0);
	assert_int_equal(work_counsel_get(st, id, &c, &err), 0);
	assert_string_equal(c.status, "rejected");
	assert_string_equal(c.a_number, "200000001");
	assert_int_equal(work_counsel_decide(st, &ana, id, "confirm", NULL, NULL, &err),
			 UC_ECONFLICT);
}

static int on_client(void *arg, const struct work_client *c, struct uc_err *err)
{
	(void)err;
	*(int64_t *)arg = c->case_id;
	return UC_OK;
}

static void test_clients(void **state)
{
	struct uc_err err = UC_ERR_INIT;
	int64_t last = 0;

	/* counsel of 3 (started); of 4 it ended later: not a client */
	assert_int_equal(
	    work_clients(*state, "KIND", date_from_ymd(2025, 6, 10), 50, on_client, &last, &err),
	    0);
	assert_int_equal(last, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_queue_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_assign, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outcomes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inbox_and_counsel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clients, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
