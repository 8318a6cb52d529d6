/* Unit tests for src/core: dates, the capped buffer, error results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"

static void test_date_roundtrip(void **state)
{
	int32_t d;
	char s[11];

	(void)state;
	assert_int_equal(date_parse("1970-01-01", 10, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(date_parse("2024-02-29", 10, &d), 0);
	date_format(d, s);
	assert_string_equal(s, "2024-02-29");
	for (int32_t x = -30000; x < 60000; x += 17) {
		int y, m, dd;

		date_to_ymd(x, &y, &m, &dd);
		assert_int_equal(date_from_ymd(y, m, dd), x);
	}
}

static void test_date_rejects(void **state)
{
	int32_t d = 7;

	(void)state;
	assert_int_equal(date_parse("2023-02-29", 10, &d), -1);
	assert_int_equal(date_parse("2023-13-01", 10, &d), -1);
	assert_int_equal(date_parse("2023-1-01", 9, &d), -1);
	assert_int_equal(date_parse("20230101", 8, &d), -1);
	assert_int_equal(date_parse("2023-01-0x", 10, &d), -1);
	assert_int_equal(date_parse("2023-01-01 25:00:00", 19, &d), -1);
	assert_int_equal(date_parse("2023-01-01junk", 14, &d), -1);
	/* bounded: the same prefix with a shorter length is rejected */
	assert_int_equal(date_parse("2023-01-01", 9, &d), -1);
	assert_int_equal(d, 7);
}

static void test_date_time_suffix(void **state)
{
	int32_t a, b;

	(void)state;
	assert_int_equal(date_parse("2021-04-02", 10, &a), 0);
	assert_int_equal(date_parse("2021-04-02 13:45:00.123", 23, &b), 0);
	assert_int_equal(a, b);
	assert_int_equal(date_parse("2021-04-02T13:45:00Z", 20, &b), 0);
	assert_int_equal(date_parse("2021-04-02T13:45:00+02:00", 25, &b), 0);
	assert_int_equal(a, b);
}

static void test_date_fy_age(void **state)
{
	(void)state;
	assert_int_equal(date_fiscal_year(date_from_ymd(2023, 9, 30)), 2023);
	assert_int_equal(date_fiscal_year(date_from_ymd(2023, 10, 1)), 2024);
	assert_int_equal(date_age_years(date_from_ymd(2007, 3, 14), date_from_ymd(2025, 3, 13)),
			 17);
	assert_int_equal(date_age_years(date_from_ymd(2007, 3, 14), date_from_ymd(2025, 3, 14)),
			 18);
}

static void test_date_now_iso(void **state)
{
	char s[21];

	(void)state;
	setenv("UCTRACK_TODAY", "2025-06-30", 1);
	date_now_iso(s);
	unsetenv("UCTRACK_TODAY");
	assert_int_equal(strlen(s), 20);
	assert_memory_equal(s, "2025-06-30T", 11);
	assert_int_equal(s[19], 'Z');
	assert_int_equal(s[13], ':');
}

static void test_buf_cap_sticky(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_adds(&b, "abcd"), 0);
	assert_int_equal(buf_addf(&b, "%d", 123), 0);
	assert_string_equal(b.ptr, "abcd123");
	assert_int_equal(buf_adds(&b, "xy"), -1);
	assert_true(buf_failed(&b));
	/* sticky: even a fitting append is ignored after a failure */
	assert_int_equal(buf_addc(&b, 'z'), -1);
	assert_string_equal(b.ptr, "abcd123");
	buf_reset(&b);
	assert_false(buf_failed(&b));
	assert_int_equal(buf_adds(&b, "12345678"), 0);
	assert_int_equal(b.len, 8);
	buf_release(&b);
}

static void test_err(void **state)
{
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	assert_int_equal(uc_error(&err, UC_EINPUT, "f.csv:%d:%d: x", 3, 4), UC_EINPUT);
	assert_string_equal(err.msg, "f.csv:3:4: x");
	assert_int_equal(uc_err_exit_code(UC_EINPUT), 1);
	assert_int_equal(uc_err_exit_code(UC_EUSAGE), 2);
	assert_int_equal(uc_err_exit_code(UC_EIO), 3);
	uc_err_clear(&err);
	assert_int_equal(err.code, 0);
	assert_int_equal(uc_error(NULL, UC_EIO, "ignored"), UC_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date_roundtrip),
	    cmocka_unit_test(test_date_rejects),
	    cmocka_unit_test(test_date_time_suffix),
	    cmocka_unit_test(test_date_fy_age),
	    cmocka_unit_test(test_date_now_iso),
	    cmocka_unit_test(test_buf_cap_sticky),
	    cmocka_unit_test(test_err),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
