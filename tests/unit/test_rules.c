/*
 * test_rules.c - the rules language: errors with positions, types,
 * three-valued logic, arithmetic on dates, sets, scores, tie-breaks,
 * phases, tasks, holds, templates, labels, and the fact encoding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "rules/rules.h"
#include "triage/facts.h"

static const char *const v_color[] = {"red", "green", "blue", NULL};

static const struct rules_fact_def defs[] = {
    {"n", RULES_INT, NULL, "a number"},	   {"m", RULES_INT, NULL, "another number"},
    {"d", RULES_DATE, NULL, "a date"},	   {"b", RULES_BOOL, NULL, "a flag"},
    {"c", RULES_SYM, v_color, "a colour"}, {"s", RULES_SET, v_color, "colours"},
    {"k", RULES_CODE2, NULL, "a country"},
};
static const char *const actions[] = {"act", "other", NULL};
static const struct rules_schema schema = {defs, 7, actions};

enum { N, M, D, B, C, S, K };

static struct rules *ok(const char *text)
{
	struct rules *rs = NULL;
	struct uc_err err = UC_ERR_INIT;

	if (rules_compile(&rs, "t.rules", text, strlen(text), &schema, &err))
		fail_msg("unexpected compile error: %s", err.msg);
	return rs;
}

static void bad(const char *text, const char *want)
{
	struct rules *rs = NULL;
	struct uc_err err = UC_ERR_INIT;

	if (rules_compile(&rs, "t.rules", text, strlen(text), &schema, &err) == 0) {
		rules_free(rs);
		fail_msg("expected an error containing '%s' for: %s", want, text);
	}
	assert_null(rs);
	assert_int_equal(err.code, UC_EINPUT);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' does not contain '%s'", err.msg, want);
}

/* Compile "group g rule r group g when COND" and evaluate on f. */
static int fires(const char *cond, const struct rules_facts *f)
{
	char text[1024];
	struct rules *rs;
	struct rules_outcome o;

	snprintf(text, sizeof(text), "group g\nrule r group g score 1 when %s\n", cond);
	rs = ok(text);
	rules_eval(rs, f, &o);
	rules_free(rs);
	return (int)(o.fired & 1);
}

static void facts(struct rules_facts *f)
{
	rules_facts_init(f, date_from_ymd(2025, 6, 1));
	rules_fact_set(f, N, 5);
	rules_fact_set(f, D, date_from_ymd(2025, 1, 1));
	rules_fact_set(f, B, 1);
	rules_fact_set(f, C, 1);     /* green */
	rules_fact_set(f, S, 1 | 4); /* red, blue */
	rules_fact_set(f, K, ('M' << 8) | 'X');
	/* m stays missing */
}

static void test_errors(void **state)
{
	(void)state;
	bad("group g\nrule r group g when n >", "t.rules:2:24: expected a fact");
	bad("group g\nrule r group g when n > 1 reason 5", "2:34: expected a reason string");
	bad("group g\nrule r group h when b", "2:14: unknown group 'h'");
	bad("group g\nrule r group g when nn > 1", "unknown fact 'nn' (did you mean 'n'?)");
	bad("group g\nrule r group g when c == purple",
	    "unknown value 'purple' for c; expected one of: red, green, blue");
	bad("group g\nrule r group g when n == d", "cannot compare a number with a date");
	bad("group g\nrule r group g when n", "must be true or false");
	bad("group g\nrule r group g when d + d > d", "cannot add a date and a date");
	bad("group g\nrule r when b", "needs 'group NAME'");
	bad("group g\nrule r group g", "needs 'when CONDITION'");
	bad("group g\nhold h when b", "needs 'blocks ACTION");
	bad("group g\nhold h blocks nothing when b", "unknown action 'nothing'");
	bad("group g\nrule r group g when s == red", "has any");
	bad("group g\nrule r group g when b reason \"{zz}\"", "unknown fact '{zz}'");
	bad("group g\nrule r group g when b reason \"open", "unterminated string");
	bad("group g\nrule r group g when n > 1 $", "unexpected character '$'");
	bad("", "expected at least one 'group'");
	bad("group g\ngroup g", "already declared");
	bad("group g\nrule r group g when b\nrule r group g when b", "already declared");
	bad("group g\nphase 5 x", "expected a phase number 1 to 4");
	bad("group g\nrule r group g when k in {mx}", "two-letter upper-case code");
	bad("group g\nrule r group g when (((n > 1)", "expected ')'");
	bad("group g\nrule r group g when n > 99999999999", "number too large");
	bad("group g\nfoo", "expected a declaration");
	bad("group g\nrule r group g when c < red", "only be compared with == or !=");
	bad("group g\nrule r group g when unknown_fn(n)", "unknown function");
	bad("group g\norder by b", "tie-break key must be a number or a date");
	bad("group g\nremind later 7d", "unknown reminder 'later'");
	bad("group g\nremind due_soon 0", "a number of days from 1 to 3660");
	bad("group g\nremind due_soon soon", "a number of days from 1 to 3660");
}

/* remind: the inbox's periods, with defaults when the rule set is silent */
static void test_remind(void **state)
{
	struct rules *rs;

	(void)state;
	rs = ok("group g\nrule r group g when b\n");
	assert_int_equal(rules_remind_days(rs, RULES_REMIND_DUE_SOON), 7);
	assert_int_equal(rules_remind_days(rs, RULES_REMIND_NO_CONTACT), 60);
	rules_free(rs);
	rs = ok("group g\nremind due_soon 3d\nrule r group g when b\nremind no_contact 2w\n");
	assert_int_equal(rules_remind_days(rs, RULES_REMIND_DUE_SOON), 3);
	assert_int_equal(rules_remind_days(rs, RULES_REMIND_NO_CONTACT), 14);
	rules_free(rs);
}

static void test_deep_nesting(void **state)
{
	char text[4096];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(text, sizeof(text), "group g\nrule r group g when ");
	for (int i = 0; i < 200; i++)
		text[n++] = '(';
	text[n] = '\0';
	bad(text, "nested too deeply");
}

static void test_three_valued(void **state)
{
	struct rules_facts f;

	(void)state;
	facts(&f);
	assert_true(fires("n > 1", &f));
	assert_false(fires("m > 1", &f));		 /* unknown */
	assert_false(fires("not (m > 1)", &f));		 /* not unknown = unknown */
	assert_true(fires("m > 1 or n > 1", &f));	 /* unknown or true = true */
	assert_false(fires("m > 1 and n > 1", &f));	 /* unknown and true = unknown */
	assert_false(fires("m > 1 and n > 9", &f));	 /* unknown and false = false, */
	assert_true(fires("not (m > 1 and n > 9)", &f)); /* so its negation fires */
	assert_false(fires("m > 1 or n > 9", &f));	 /* unknown or false = unknown, */
	assert_false(fires("not (m > 1 or n > 9)", &f)); /* and so is its negation */
	assert_true(fires("m is missing", &f));
	assert_true(fires("n is present", &f));
	assert_true(fires("m is not present", &f));
	assert_true(fires("coalesce(m, 7) == 7", &f));
	assert_true(fires("coalesce(n, 7) == 5", &f));
	assert_false(fires("m + 1 > 0", &f));
	assert_false(fires("min(m, n) < 100", &f));
}

static void test_values(void **state)
{
	struct rules_facts f;

	(void)state;
	facts(&f);
	assert_true(fires("c == green", &f));
	assert_true(fires("green == c", &f));
	assert_true(fires("c != red", &f));
	assert_true(fires("c in {green, blue}", &f));
	assert_true(fires("c not in {red}", &f));
	assert_true(fires("s has any {blue}", &f));
	assert_true(fires("s has {red}", &f));
	assert_false(fires("s has all {red, green}", &f));
	assert_true(fires("s has all {red, blue}", &f));
	assert_true(fires("count(s) == 2", &f));
	assert_true(fires("k in {MX, CA}", &f));
	assert_true(fires("k == MX", &f));
	assert_false(fires("k == CA", &f));
	assert_true(fires("b", &f));
	assert_true(fires("b == true", &f));
	assert_true(fires("not not b", &f));
}

static void test_dates(void **state)
{
	struct rules_facts f;

	(void)state;
	facts(&f);
	assert_true(fires("d == 2025-01-01", &f));
	assert_true(fires("today - d == 151", &f));
	assert_true(fires("days_since(d) == 151", &f));
	assert_true(fires("days_until(d) == -151", &f));
	assert_true(fires("d + 30d == 2025-01-31", &f));
	assert_true(fires("d + 2w == 2025-01-15", &f));
	assert_true(fires("d - 1 == 2024-12-31", &f));
	assert_true(fires("d < today", &f));
	assert_true(fires("max(d, today) == today", &f));
	assert_true(fires("n * 2 - -1 == 11", &f));
	assert_true(fires("n * 100000000 * 100000000 > 0", &f)); /* saturates */
}

static void test_outcome(void **state)
{
	struct rules *rs;
	struct rules_facts f;
	struct rules_outcome o;
	struct buf b;

	(void)state;
	facts(&f);
	rs = ok("ruleset \"demo\"\n"
		"group a \"Group A\"\ngroup z\n"
		"let big = n > 3\n"
		"rule r1 group a score 10 when big reason \"n is {n}, m is {m}, {{lit}}\"\n"
		"rule r2 group z score 5 + n when b\n"
		"rule r3 group z score 100 when m > 0\n"
		"rule r4 group a score 1 phases 2 when b\n"
		"hold h1 blocks act when c == green reason \"c={c}\"\n"
		"hold h2 blocks other when false\n"
		"phase 4 done when false\n"
		"phase 2 mid when b\n"
		"phase 1 start\n"
		"task act phases 2 when true due 7d\n"
		"task other when b due d + 10\n"
		"task act phases 1 when true due 1\n"
		"order by n desc, d asc\n");
	rules_eval(rs, &f, &o);
	assert_string_equal(rules_name(rs), "demo");
	assert_int_equal(o.fired, 1 | 2 | 8);
	assert_int_equal(o.group, 0); /* a: 11 vs z: 10 */
	assert_int_equal(o.group_score[0], 11);
	assert_int_equal(o.group_score[1], 10);
	assert_int_equal(o.score, 21);
	assert_int_equal(o.holds, 1);
	assert_int_equal(o.blocked, 1);
	assert_int_equal(rules_phase_number(rs, o.phase), 2);
	assert_string_equal(rules_phase_name(rs, o.phase), "mid");
	assert_int_equal(o.tasks, 1 | 2);
	assert_int_equal(o.due[0], f.today + 7);
	assert_int_equal(o.due[1], date_from_ymd(2025, 1, 11));
	assert_int_equal(o.order[0], -5);
	assert_int_equal(o.order[1], date_from_ymd(2025, 1, 1));
	assert_int_equal(rules_rule_score_of(rs, 1, &f), 10);
	buf_init(&b, 1024);
	rules_item_reason(rs, RULES_ITEM_RULE, 0, &f, &b);
	assert_string_equal(b.ptr, "n is 5, m is missing, {lit}");
	buf_reset(&b);
	rules_item_reason(rs, RULES_ITEM_HOLD, 0, &f, &b);
	assert_string_equal(b.ptr, "c=green");
	buf_release(&b);
	{
		uint64_t m[2];

		rules_item_reads(rs, RULES_ITEM_RULE, 0, m);
		assert_int_equal(m[0], (1u << N) | (1u << M)); /* condition via let, template */
	}
	o.holds = 0;
	rules_recompute_blocked(rs, &o);
	assert_int_equal(o.blocked, 0);
	rules_free(rs);
}

static void test_no_group_fired(void **state)
{
	struct rules *rs = ok("group a\nrule r group a when false\n");
	struct rules_facts f;
	struct rules_outcome o;

	(void)state;
	facts(&f);
	rules_eval(rs, &f, &o);
	assert_int_equal(o.group, -1);
	assert_int_equal(o.phase, -1);
	assert_int_equal(o.order[0], INT32_MAX);
	assert_string_equal(rules_group_name(rs, -1), "none");
	rules_free(rs);
}

static void test_default_rules_compile(void **state)
{
	FILE *fp = fopen("rules/default.rules", "rb");
	static char text[1 << 17];
	size_t n;
	struct rules *rs = NULL;
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	if (rules_compile(&rs, "rules/default.rules", text, n, facts_schema(), &err))
		fail_msg("%s", err.msg);
	assert_int_equal(rules_group_count(rs), 3);
	assert_true(rules_hold_find(rs, "claim_pending") >= 0);
	assert_true(rules_hold_find(rs, "motion_to_reopen") >= 0);
	assert_true(rules_hold_find(rs, "trafficking_protection") >= 0);
	assert_true(rules_hold_find(rs, "tvpra_screening") >= 0);
	assert_true(rules_hold_find(rs, "legal_referral_first") >= 0);
	assert_int_equal(rules_remind_days(rs, RULES_REMIND_DUE_SOON), 7);
	assert_int_equal(rules_remind_days(rs, RULES_REMIND_NO_CONTACT), 60);
	assert_int_equal(strlen(rules_hash(rs)), 16);
	rules_free(rs);
}

/* `label "..."` and `label LANG "..."` on rules, holds, phases, tasks and
 * groups; the language falls back to the default label, no label to NULL. */
static void test_labels(void **state)
{
	struct rules *rs;
	const char *lang = NULL;

	(void)state;
	rs = ok("group g \"Gee\" label es \"Ge\"\n"
		"group h\n"
		"rule r label \"Arr\" label es \"Erre \\\"x\\\"\" group g score 1 when b\n"
		"rule q group g when b\n"
		"hold k blocks act label es \"Solo\" when b\n"
		"phase 2 two label \"Two\" when b\n"
		"phase 1 one\n"
		"task act label \"Do it\" label fr \"Fais-le\" when b due 3d\n");
	assert_string_equal(rules_item_label(rs, RULES_ITEM_RULE, 0, NULL), "Arr");
	assert_string_equal(rules_item_label(rs, RULES_ITEM_RULE, 0, ""), "Arr");
	assert_string_equal(rules_item_label(rs, RULES_ITEM_RULE, 0, "es"), "Erre \"x\"");
	assert_string_equal(rules_item_label(rs, RULES_ITEM_RULE, 0, "de"), "Arr");
	assert_null(rules_item_label(rs, RULES_ITEM_RULE, 1, NULL));
	assert_null(rules_item_label(rs, RULES_ITEM_RULE, 1, "es"));
	/* only a Spanish label: none in the default language */
	assert_null(rules_item_label(rs, RULES_ITEM_HOLD, 0, NULL));
	assert_string_equal(rules_item_label(rs, RULES_ITEM_HOLD, 0, "es"), "Solo");
	assert_string_equal(rules_item_label(rs, RULES_ITEM_PHASE, 0, "es"), "Two");
	assert_null(rules_item_label(rs, RULES_ITEM_PHASE, 1, NULL));
	assert_string_equal(rules_item_label(rs, RULES_ITEM_TASK, 0, "fr"), "Fais-le");
	assert_int_equal(rules_item_label_count(rs, RULES_ITEM_TASK, 0), 2);
	assert_string_equal(rules_item_label_at(rs, RULES_ITEM_TASK, 0, 0, &lang), "Do it");
	assert_string_equal(lang, "");
	assert_string_equal(rules_item_label_at(rs, RULES_ITEM_TASK, 0, 1, &lang), "Fais-le");
	assert_string_equal(lang, "fr");
	assert_string_equal(rules_group_label_in(rs, 0, "es"), "Ge");
	assert_string_equal(rules_group_label_in(rs, 0, NULL), "Gee");
	assert_string_equal(rules_group_label_in(rs, 1, "es"), "h");
	assert_int_equal(rules_group_label_count(rs, 0), 1);
	assert_string_equal(rules_group_label_at(rs, 0, 0, &lang), "Ge");
	assert_string_equal(lang, "es");
	assert_string_equal(rules_group_label_in(rs, -1, "es"), "No group");
	rules_free(rs);

	bad("group g\nrule r group g when b label\n",
	    "t.rules:3:1: expected a label string after 'label'");
	bad("group g\nrule r group g when b label es\n",
	    "expected a label string after the language tag");
	bad("group g\nrule r group g when b label ES \"x\"\n",
	    "expected a language tag of two or three lowercase letters");
	bad("group g\nrule r group g when b label spanish \"x\"\n", "language tag");
	bad("group g\nrule r group g when b label \"x\" label \"y\"\n",
	    "t.rules:2:39: a label in the default language is already declared here");
	bad("group g\nrule r group g when b label es \"x\" label es \"y\"\n",
	    "a label in es is already declared here");
	bad("group g\nrule r group g when b label \"a\" label es \"b\" label fr \"c\" label de "
	    "\"d\" label it \"e\"\n",
	    "too many labels (the limit is 4 languages)");
	bad("group g \"G\" label \"again\"\n", "expected a language tag before the label");
	bad("group g\nphase 1 one label 3\n", "expected a label string after 'label'");
	/* `label` is a keyword now: not a let name */
	bad("let label = 1\ngroup g\n", "t.rules:1:5");
}

/* Every group, rule, hold, phase and task of the shipped rule set has a
 * label in the default language and in Spanish. */
static void test_default_rules_labelled(void **state)
{
	FILE *fp = fopen("rules/default.rules", "rb");
	static char text[1 << 17];
	size_t n;
	struct rules *rs = NULL;
	struct uc_err err = UC_ERR_INIT;
	static const enum rules_item kinds[] = {RULES_ITEM_RULE, RULES_ITEM_HOLD, RULES_ITEM_PHASE,
						RULES_ITEM_TASK};

	(void)state;
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	if (rules_compile(&rs, "rules/default.rules", text, n, facts_schema(), &err))
		fail_msg("%s", err.msg);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int count = kinds[k] == RULES_ITEM_RULE	   ? rules_rule_count(rs)
			    : kinds[k] == RULES_ITEM_HOLD  ? rules_hold_count(rs)
			    : kinds[k] == RULES_ITEM_PHASE ? rules_phase_count(rs)
							   : rules_task_count(rs);

		assert_true(count > 0);
		for (int i = 0; i < count; i++) {
			const char *en = rules_item_label(rs, kinds[k], i, NULL);
			const char *es = rules_item_label(rs, kinds[k], i, "es");

			if (!en || !es || en == es)
				fail_msg("kind %d item %d has no English and Spanish label",
					 (int)kinds[k], i);
		}
	}
	assert_string_equal(
	    rules_item_label(rs, RULES_ITEM_HOLD, rules_hold_find(rs, "claim_pending"), "es"),
	    "Solicitud de protección pendiente");
	for (int g = 0; g < rules_group_count(rs); g++)
		assert_int_equal(rules_group_label_count(rs, g), 1);
	assert_string_equal(rules_group_label_in(rs, rules_group_find(rs, "flight_risk"), "es"),
			    "Riesgo de fuga");
	rules_free(rs);
}

static void test_facts_blob(void **state)
{
	struct rules_facts f, g;
	uint8_t blob[FACTS_BLOB_MAX];
	size_t n;
	int32_t v;

	(void)state;
	rules_facts_init(&f, 100);
	rules_fact_set(&f, F_AGE, 16);
	rules_fact_set(&f, F_DAYS_TO_18, -40);
	rules_fact_set(&f, F_BIRTH_DATE, date_from_ymd(2009, 3, 1));
	rules_fact_set(&f, F_INDICATORS, 0x7f);
	n = facts_pack(&f, blob);
	assert_true(n < 32);
	g.today = 100;
	assert_int_equal(facts_unpack(blob, n, &g), 0);
	assert_int_equal(g.v[F_DAYS_TO_18], -40);
	assert_int_equal(g.v[F_INDICATORS], 0x7f);
	assert_true(rules_fact_missing(&g, F_COUNTRY));
	assert_int_equal(facts_hash(&f), facts_hash(&g));
	assert_int_equal(facts_unpack(blob, n - 1, &g), -1); /* truncated */
	assert_int_equal(facts_unpack(blob, 3, &g), -1);
	blob[n] = 0;
	assert_int_equal(facts_unpack(blob, n + 1, &g), -1); /* trailing */
	assert_int_equal(facts_parse_value(F_CLAIMS_PENDING, "{asylum,sijs}", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(facts_parse_value(F_NTA_STATE, "served", &v), 0);
	assert_int_equal(v, NTA_SERVED);
	assert_int_equal(facts_parse_value(F_NTA_STATE, "nope", &v), -1);
	assert_int_equal(facts_parse_value(F_COUNTRY, "mx", &v), -1);
	assert_int_equal(facts_parse_value(F_AGE, "-3", &v), 0);
	assert_int_equal(v, -3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_three_valued),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_outcome),
	    cmocka_unit_test(test_no_group_fired),
	    cmocka_unit_test(test_default_rules_compile),
	    cmocka_unit_test(test_remind),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_default_rules_labelled),
	    cmocka_unit_test(test_facts_blob),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
