/*
 * test_triage_scenarios.c - the hand-written legal scenarios in
 * tests/data/scenarios/NAME.scn, evaluated with rules/default.rules.
 *
 * Scenario file format (docs/triage.md, "Scenarios"):
 *
 *   today 2025-06-01            # as-of day (default 2025-06-01)
 *   case NAME                   # a child; starts from the baseline below
 *   FACT VALUE                  # set a fact (value as `rules facts` prints)
 *   FACT missing                # make it missing
 *   expect group G|none
 *   expect phase N
 *   expect holds H, H | none    # exactly these holds fire
 *   expect tasks A:open A:held  # exactly these tasks (or "none")
 *   expect fired R, R           # these rules fire (others may too)
 *   expect not-fired R, R       # these rules do not fire
 *   order A > B > C             # queue order of cases (strictly before)
 *
 * Derived facts (ages, day counts, windows) are computed from the dates
 * the way projection computes them, unless the case sets them itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "rules/rules.h"
#include "triage/facts.h"
#include "triage/triage.h"

#define MAX_CASES 64

struct scase {
	char name[64];		/* case name */
	struct rules_facts f;	/* facts */
	uint64_t set[2];	/* facts set explicitly */
	struct rules_outcome o; /* outcome */
	int64_t prio;		/* queue key */
};

static const char *const baseline[][2] = {
    {"has_a_number", "yes"},
    {"linked", "no"},
    {"records", "6"},
    {"birth_date", "2009-03-01"},
    {"country", "GT"},
    {"encounters", "1"},
    {"first_encounter", "2024-01-10"},
    {"last_encounter", "2024-01-10"},
    {"tvpra", "none"},
    {"discharge", "sponsor"},
    {"release_date", "2024-02-15"},
    {"sponsor_category", "cat1"},
    {"sponsor_children", "1"},
    {"address_children", "1"},
    {"address_status", "verified"},
    {"address_date", "2024-02-15"},
    {"address_state", "TX"},
    {"address_zip3", "770"},
    {"last_contact", "2025-05-01"},
    {"failed_contacts", "0"},
    {"welfare", "safe"},
    {"welfare_date", "2025-05-01"},
    {"nta_state", "none"},
    {"hearings_missed", "0"},
    {"hearings_attended", "0"},
    {"decision", "none"},
    {"in_absentia", "no"},
    {"in_absentia_rescinded", "no"},
    {"mtr", "none"},
    {"mtr_ground", "none"},
    {"notice_defective", "yes"},
    {"removal_order", "no"},
    {"removal_executed", "no"},
    {"stay", "no"},
    {"claims_pending", "{}"},
    {"claims_granted", "{}"},
    {"counsel", "yes"},
    {"orientation", "yes"},
    {"referrals", "{}"},
    {"indicators", "{}"},
    {"indicators_unverified", "{}"},
    {"screening", "none"},
    {"tasks_done", "{}"},
};

static struct rules *load_rules(void)
{
	FILE *f = fopen("rules/default.rules", "rb");
	static char text[1 << 17];
	size_t n;
	struct rules *rs = NULL;
	struct uc_err err = UC_ERR_INIT;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (rules_compile(&rs, "rules/default.rules", text, n, facts_schema(), &err))
		fail_msg("%s", err.msg);
	return rs;
}

static void set_fact(struct scase *c, const char *name, const char *value, const char *where)
{
	int fi = facts_find(name);
	int32_t v;

	if (fi < 0)
		fail_msg("%s: unknown fact '%s'", where, name);
	c->set[fi >> 6] |= (uint64_t)1 << (fi & 63);
	if (strcmp(value, "missing") == 0) {
		rules_fact_clear(&c->f, fi);
		return;
	}
	if (facts_parse_value(fi, value, &v))
		fail_msg("%s: bad value '%s' for %s", where, value, name);
	rules_fact_set(&c->f, fi, v);
}

static int is_set(const struct scase *c, int fi)
{
	return (int)((c->set[fi >> 6] >> (fi & 63)) & 1);
}

static void derive(struct scase *c, int32_t today)
{
	struct rules_facts *f = &c->f;
	int32_t b = f->v[F_BIRTH_DATE];
	int hb = !rules_fact_missing(f, F_BIRTH_DATE);

#define DER(fact, cond, value)                                                                     \
	do {                                                                                       \
		if (!is_set(c, fact)) {                                                            \
			if (cond)                                                                  \
				rules_fact_set(f, fact, value);                                    \
			else                                                                       \
				rules_fact_clear(f, fact);                                         \
		}                                                                                  \
	} while (0)
#define HAS(x) (!rules_fact_missing(f, x))
	DER(F_AGE, hb, date_age_years(b, today));
	if (hb) {
		int y, m, d;

		date_to_ymd(b, &y, &m, &d);
		DER(F_DAYS_TO_18, 1, date_from_ymd(y + 18, m, d) - today);
	}
	DER(F_AGE_AT_ENCOUNTER, hb && HAS(F_FIRST_ENCOUNTER),
	    date_age_years(b, f->v[F_FIRST_ENCOUNTER]));
	DER(F_DAYS_SINCE_RELEASE, HAS(F_RELEASE_DATE), today - f->v[F_RELEASE_DATE]);
	DER(F_AGE_AT_RELEASE, hb && HAS(F_RELEASE_DATE), date_age_years(b, f->v[F_RELEASE_DATE]));
	DER(F_ADDRESS_AGE, HAS(F_ADDRESS_DATE), today - f->v[F_ADDRESS_DATE]);
	DER(F_DAYS_SINCE_CONTACT, HAS(F_LAST_CONTACT), today - f->v[F_LAST_CONTACT]);
	DER(F_CONTACT_SINCE_RELEASE, 1,
	    HAS(F_LAST_CONTACT) && HAS(F_RELEASE_DATE) &&
		f->v[F_LAST_CONTACT] >= f->v[F_RELEASE_DATE]);
	DER(F_DAYS_TO_HEARING, HAS(F_NEXT_HEARING), f->v[F_NEXT_HEARING] - today);
	DER(F_AGE_AT_HEARING, hb && HAS(F_NEXT_HEARING), date_age_years(b, f->v[F_NEXT_HEARING]));
	DER(F_MTR_DAYS_LEFT, HAS(F_IN_ABSENTIA_DATE), f->v[F_IN_ABSENTIA_DATE] + 180 - today);
#undef DER
#undef HAS
}

/* Split "a, b c" into names (commas and spaces). */
static int split(char *s, char **out, int max)
{
	int n = 0;

	for (char *p = s; *p && n < max;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		out[n++] = p;
		while (*p && *p != ' ' && *p != ',' && *p != '\t')
			p++;
	}
	return n;
}

static struct scase *find_case(struct scase *cs, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(cs[i].name, name) == 0)
			return &cs[i];
	return NULL;
}

static int has_name(char **names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return 1;
	return 0;
}

static void check_expect(const struct rules *rs, struct scase *c, char *what, char *rest,
			 const char *where)
{
	char *names[64];
	int n = split(rest, names, 64);

	if (strcmp(what, "group") == 0) {
		const char *g = rules_group_name(rs, c->o.group);

		if (n != 1 || strcmp(g, names[0]) != 0)
			fail_msg("%s: case %s: group %s, expected %s", where, c->name, g,
				 n ? names[0] : "?");
	} else if (strcmp(what, "phase") == 0) {
		int p = rules_phase_number(rs, c->o.phase);

		if (n != 1 || p != (int)strtol(names[0], NULL, 10))
			fail_msg("%s: case %s: phase %d, expected %s", where, c->name, p,
				 n ? names[0] : "?");
	} else if (strcmp(what, "holds") == 0) {
		int want_none = n == 1 && strcmp(names[0], "none") == 0;

		for (int h = 0; h < rules_hold_count(rs); h++) {
			int fires = (int)((c->o.holds >> h) & 1);
			int want = !want_none && has_name(names, n, rules_hold_name(rs, h));

			if (fires != want)
				fail_msg("%s: case %s: hold %s %s", where, c->name,
					 rules_hold_name(rs, h),
					 fires ? "fires but was not expected"
					       : "expected but does not fire");
		}
		for (int i = 0; !want_none && i < n; i++)
			if (rules_hold_find(rs, names[i]) < 0)
				fail_msg("%s: unknown hold %s", where, names[i]);
	} else if (strcmp(what, "tasks") == 0) {
		char got[ACTION_COUNT][8];
		int want_none = n == 1 && strcmp(names[0], "none") == 0;

		memset(got, 0, sizeof(got));
		for (int k = 0; k < rules_task_count(rs); k++) {
			int a = rules_task_action(rs, k);

			if ((c->o.tasks >> k) & 1)
				snprintf(got[a], sizeof(got[a]), "%s",
					 (c->o.blocked >> a) & 1 ? "held" : "open");
		}
		for (int a = 0; a < ACTION_COUNT; a++) {
			char want[8] = "";

			for (int i = 0; !want_none && i < n; i++) {
				char *colon = strchr(names[i], ':');
				size_t len = colon ? (size_t)(colon - names[i]) : strlen(names[i]);

				if (strlen(facts_action_name(a)) == len &&
				    strncmp(names[i], facts_action_name(a), len) == 0)
					snprintf(want, sizeof(want), "%s",
						 colon ? colon + 1 : "open");
			}
			if (strcmp(want, got[a]) != 0)
				fail_msg("%s: case %s: task %s is '%s', expected '%s'", where,
					 c->name, facts_action_name(a),
					 got[a][0] ? got[a] : "absent", want[0] ? want : "absent");
		}
	} else if (strcmp(what, "fired") == 0 || strcmp(what, "not-fired") == 0) {
		int want = strcmp(what, "fired") == 0;

		for (int i = 0; i < n; i++) {
			int r, found = -1;

			for (r = 0; r < rules_rule_count(rs); r++)
				if (strcmp(rules_rule_name(rs, r), names[i]) == 0)
					found = r;
			if (found < 0)
				fail_msg("%s: unknown rule %s", where, names[i]);
			if ((int)((c->o.fired >> found) & 1) != want)
				fail_msg("%s: case %s: rule %s %s", where, c->name, names[i],
					 want ? "does not fire" : "fires");
		}
	} else {
		fail_msg("%s: unknown expectation '%s'", where, what);
	}
}

static void finish_case(struct scase *c, const struct rules *rs, int32_t today)
{
	derive(c, today);
	rules_eval(rs, &c->f, &c->o);
	c->prio = triage_prio_key(c->o.score, c->o.order);
}

static int run_file(const char *path, const struct rules *rs)
{
	FILE *f = fopen(path, "r");
	char line[1024], where[600];
	struct scase *cs = calloc(MAX_CASES, sizeof(*cs));
	struct scase *cur = NULL;
	int n = 0, lineno = 0, checks = 0;
	int32_t today = date_from_ymd(2025, 6, 1);

	assert_non_null(f);
	assert_non_null(cs);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *word, *rest;

		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		line[strcspn(line, "\r\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		word = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		rest = p;
		if (strcmp(word, "today") == 0) {
			if (date_parse(rest, strlen(rest), &today))
				fail_msg("%s: bad date", where);
		} else if (strcmp(word, "case") == 0) {
			if (cur)
				finish_case(cur, rs, today);
			if (n == MAX_CASES)
				fail_msg("%s: too many cases", where);
			cur = &cs[n++];
			size_t nl = strlen(rest) < sizeof(cur->name) - 1 ? strlen(rest)
									 : sizeof(cur->name) - 1;
			memcpy(cur->name, rest, nl);
			cur->name[nl] = '\0';
			rules_facts_init(&cur->f, today);
			for (size_t i = 0; i < sizeof(baseline) / sizeof(baseline[0]); i++)
				set_fact(cur, baseline[i][0], baseline[i][1], "baseline");
			cur->set[0] = cur->set[1] = 0;
		} else if (strcmp(word, "expect") == 0) {
			char *what = rest;

			if (!cur)
				fail_msg("%s: expect outside a case", where);
			finish_case(cur, rs, today);
			while (*rest && *rest != ' ')
				rest++;
			if (*rest)
				*rest++ = '\0';
			check_expect(rs, cur, what, rest, where);
			checks++;
		} else if (strcmp(word, "order") == 0) {
			char *names[MAX_CASES];
			int k = 0;

			if (cur)
				finish_case(cur, rs, today);
			char *parts[MAX_CASES * 2];
			int np = split(rest, parts, MAX_CASES * 2);

			for (int i = 0; i < np; i++)
				if (strcmp(parts[i], ">") != 0 && k < MAX_CASES)
					names[k++] = parts[i];
			for (int i = 0; i + 1 < k; i++) {
				struct scase *a = find_case(cs, n, names[i]);
				struct scase *b = find_case(cs, n, names[i + 1]);

				if (!a || !b)
					fail_msg("%s: unknown case in order", where);
				if (!(a->prio > b->prio))
					fail_msg(
					    "%s: %s (score %d) should come before %s (score %d)",
					    where, a->name, a->o.score, b->name, b->o.score);
			}
			checks++;
		} else {
			if (!cur)
				fail_msg("%s: fact outside a case", where);
			set_fact(cur, word, rest, where);
		}
	}
	fclose(f);
	free(cs);
	return checks;
}

static void test_scenarios(void **state)
{
	struct rules *rs = load_rules();
	DIR *d = opendir("tests/data/scenarios");
	struct dirent *e;
	int files = 0, checks = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512];
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".scn") != 0)
			continue;
		snprintf(path, sizeof(path), "tests/data/scenarios/%s", e->d_name);
		checks += run_file(path, rs);
		files++;
	}
	closedir(d);
	rules_free(rs);
	printf("scenarios: %d files, %d checks\n", files, checks);
	assert_true(files >= 5);
	assert_true(checks >= 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scenarios),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
