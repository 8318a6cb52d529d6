#include "date.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's days_from_civil / civil_from_days algorithms. */
int32_t date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void date_to_ymd(int32_t days, int *y, int *m, int *d)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_valid_ymd(int y, int m, int d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int max;

	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
		return 0;
	max = mdays[m - 1] + (m == 2 && is_leap(y));
	return d <= max;
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int time_part_ok(const char *s, size_t len)
{
	int hh, mm, ss;
	size_t i = 8;

	/* "HH:MM:SS" then optional ".fff", "Z" or "+hh:mm"/"-hh:mm" */
	if (len < 8 || s[2] != ':' || s[5] != ':')
		return 0;
	if (digits(s, 2, &hh) || digits(s + 3, 2, &mm) || digits(s + 6, 2, &ss))
		return 0;
	if (hh > 23 || mm > 59 || ss > 60)
		return 0;
	if (i < len && s[i] == '.') {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i == len)
		return 1;
	if (s[i] == 'Z' && i + 1 == len)
		return 1;
	if ((s[i] == '+' || s[i] == '-') && len - i == 6 && s[i + 3] == ':') {
		int oh, om;

		if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om))
			return 0;
		return oh <= 23 && om <= 59;
	}
	return 0;
}

int date_parse(const char *s, size_t len, int32_t *out)
{
	int y, m, d;

	if (len < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
		return -1;
	if (!date_valid_ymd(y, m, d))
		return -1;
	if (len > 10) {
		if (s[10] != ' ' && s[10] != 'T')
			return -1;
		if (!time_part_ok(s + 11, len - 11))
			return -1;
	}
	*out = date_from_ymd(y, m, d);
	return 0;
}

void date_format(int32_t days, char out[11])
{
	int y, m, d;

	if (days == UC_DATE_NONE) {
		out[0] = '\0';
		return;
	}
	date_to_ymd(days, &y, &m, &d);
	out[0] = (char)('0' + (y / 1000) % 10);
	out[1] = (char)('0' + (y / 100) % 10);
	out[2] = (char)('0' + (y / 10) % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

int32_t date_today(void)
{
	const char *env = getenv("UCTRACK_TODAY");
	int32_t d;

	if (env && date_parse(env, strlen(env), &d) == 0)
		return d;
	return (int32_t)(time(NULL) / 86400);
}

int date_fiscal_year(int32_t days)
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	return m >= 10 ? y + 1 : y;
}

int date_age_years(int32_t birth, int32_t on)
{
	int by, bm, bd, y, m, d, age;

	date_to_ymd(birth, &by, &bm, &bd);
	date_to_ymd(on, &y, &m, &d);
	age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

void date_now_iso(char out[21])
{
	time_t t = time(NULL);
	int32_t today = date_today();
	struct tm tm;
	char day[11];

	gmtime_r(&t, &tm);
	date_format(today, day);
	memcpy(out, day, 10);
	out[10] = 'T';
	out[11] = (char)('0' + tm.tm_hour / 10 % 10);
	out[12] = (char)('0' + tm.tm_hour % 10);
	out[13] = ':';
	out[14] = (char)('0' + tm.tm_min / 10 % 10);
	out[15] = (char)('0' + tm.tm_min % 10);
	out[16] = ':';
	out[17] = (char)('0' + tm.tm_sec / 10 % 10);
	out[18] = (char)('0' + tm.tm_sec % 10);
	out[19] = 'Z';
	out[20] = '\0';
}
