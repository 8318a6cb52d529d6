#ifndef UC_DATE_H
#define UC_DATE_H
/*
 * date.h - calendar dates as day numbers, bounded parsing and formatting.
 *
 * A date is an int32 count of days since 1970-01-01 (proleptic Gregorian);
 * UC_DATE_NONE marks an unknown date. Parsing never reads past `len` and
 * never needs a NUL terminator.
 *
 *   int32_t d;
 *   if (date_parse("2021-04-02", 10, &d)) ... not a date
 *   char s[11]; date_format(d, s);   // "2021-04-02"
 */
#include <stddef.h>
#include <stdint.h>

#define UC_DATE_NONE INT32_MIN

/* Days since the epoch for y-m-d; no validation. */
int32_t date_from_ymd(int y, int m, int d);
/* Split a day number into y-m-d. */
void date_to_ymd(int32_t days, int *y, int *m, int *d);
/* 1 if y-m-d is a real calendar date with 1900 <= y <= 2100. */
int date_valid_ymd(int y, int m, int d);
/*
 * Parse "YYYY-MM-DD", optionally followed by " HH:MM:SS[.fff]" or
 * "THH:MM:SS[.fff][Z|+hh:mm]" (the time part is checked for shape and
 * ignored). Returns 0 and sets *out, or -1 when s is not such a date.
 */
int date_parse(const char *s, size_t len, int32_t *out);
/* Write "YYYY-MM-DD" and a NUL into out (11 bytes). */
void date_format(int32_t days, char out[11]);
/* Today in UTC, or $UCTRACK_TODAY (YYYY-MM-DD) when set, for reproducible
 * tests and reports. */
int32_t date_today(void);
/* "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL): the date of date_today()
 * (so $UCTRACK_TODAY moves it) and the current UTC time of day. Used for
 * import times, which as-of reports compare against. */
void date_now_iso(char out[21]);
/* US federal fiscal year of a date (FY starts 1 October). */
int date_fiscal_year(int32_t days);
/* Whole years between birth and on (age on that day). */
int date_age_years(int32_t birth, int32_t on);

#endif
