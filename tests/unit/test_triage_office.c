/*
 * test_triage_office.c - the field-office table: parsing, errors with
 * file:line, most-specific match, and the shipped rules/field_offices.csv.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "triage/office.h"

#define ST(a, b) ((a) << 8 | (b))

static void test_parse_lookup(void **state)
{
	const char *csv = "# comment\n"
			  "state,zip3_from,zip3_to,office,name\r\n"
			  "TX,,,HOU,Houston\n"
			  "TX,750,769,DAL,Dallas\n"
			  "TX,770,777,HOUX,Houston city\n"
			  "\n"
			  "NM,,,ELP,El Paso\n";
	struct office_table *t = NULL;
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	assert_int_equal(office_parse(&t, "o.csv", csv, strlen(csv), &err), 0);
	assert_int_equal(office_count(t), 4);
	assert_string_equal(office_lookup(t, ST('T', 'X'), 752), "DAL");
	assert_string_equal(office_lookup(t, ST('T', 'X'), 771), "HOUX");
	assert_string_equal(office_lookup(t, ST('T', 'X'), 790), "HOU");
	assert_string_equal(office_lookup(t, ST('T', 'X'), -1), "HOU");
	assert_string_equal(office_lookup(t, ST('N', 'M'), 870), "ELP");
	assert_string_equal(office_lookup(t, ST('C', 'A'), 900), OFFICE_NONE);
	assert_string_equal(office_lookup(t, 0, 900), OFFICE_NONE);
	assert_string_equal(office_lookup(t, ST('t', 'x'), 900), OFFICE_NONE);
	assert_string_equal(office_lookup(NULL, ST('T', 'X'), 900), OFFICE_NONE);
	office_free(t);
}

static void bad(const char *csv, const char *want)
{
	struct office_table *t = NULL;
	struct uc_err err = UC_ERR_INIT;

	assert_int_equal(office_parse(&t, "o.csv", csv, strlen(csv), &err), UC_EINPUT);
	assert_null(t);
	if (!strstr(err.msg, want))
		fail_msg("'%s' does not contain '%s'", err.msg, want);
}

static void test_errors(void **state)
{
	(void)state;
	bad("", "empty field-office table");
	bad("state,office\n", "o.csv:1: expected the header");
	bad("state,zip3_from,zip3_to,office,name\nTexas,,,HOU,H\n", "o.csv:2: expected STATE");
	bad("state,zip3_from,zip3_to,office,name\nTX,750,,DAL,D\n", "o.csv:2:");
	bad("state,zip3_from,zip3_to,office,name\nTX,769,750,DAL,D\n", "o.csv:2:");
	bad("state,zip3_from,zip3_to,office,name\nTX,75,769,DAL,D\n", "o.csv:2:");
	bad("state,zip3_from,zip3_to,office,name\nTX,,,,D\n", "o.csv:2:");
	bad("state,zip3_from,zip3_to,office,name\nTX,,,\"HOU\",D\n", "o.csv:2:");
}

static void test_shipped_table(void **state)
{
	FILE *f = fopen("rules/field_offices.csv", "rb");
	static char text[1 << 16];
	size_t n;
	struct office_table *t = NULL;
	struct uc_err err = UC_ERR_INIT;
	static const char *const states[] = {
	    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
	    "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
	    "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
	    "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR",
	};

	(void)state;
	assert_non_null(f);
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (office_parse(&t, "rules/field_offices.csv", text, n, &err))
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(office_lookup(t, ST(states[i][0], states[i][1]), -1), OFFICE_NONE) == 0)
			fail_msg("state %s has no field office", states[i]);
	assert_string_equal(office_lookup(t, ST('T', 'X'), 752), "DAL");
	assert_string_equal(office_lookup(t, ST('T', 'X'), 782), "SNA");
	assert_string_equal(office_lookup(t, ST('T', 'X'), 799), "ELP");
	assert_string_equal(office_lookup(t, ST('C', 'A'), 920), "SND");
	assert_string_equal(office_lookup(t, ST('N', 'Y'), 104), "NYC");
	assert_string_equal(office_lookup(t, ST('N', 'Y'), 142), "BUF");
	office_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_lookup),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_shipped_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
