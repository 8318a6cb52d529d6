#ifndef UC_ANUM_H
#define UC_ANUM_H
/*
 * anum.h - A-numbers (alien registration numbers): the one parser every
 * module uses, for feeds, searches, command lines and stored values.
 *
 * Stored form: 9 digits ("012345678"). Accepted on input: 8 or 9 digits,
 * an optional leading 'A' or 'a' (itself optionally followed by '-' or a
 * space), and single dashes or spaces between digits; 8 digits get a
 * leading 0. Surrounding ASCII white space is ignored.
 *
 *   char a[10];
 *   if (anum_parse("A-012-345-678", 13, a) == ANUM_OK) ...   // "012345678"
 *   int64_t v = anum_value("012345678");                      // 12345678
 *   anum_format(v, a);                                        // "012345678"
 */
#include <stddef.h>
#include <stdint.h>

enum { ANUM_OK = 0, ANUM_BLANK = 1, ANUM_BAD = -1 };

/* Parse exactly n bytes of s (no NUL needed): ANUM_OK and out gets the 9
 * digits and a NUL; ANUM_BLANK when s is empty after trimming; ANUM_BAD
 * otherwise (out then undefined). */
int anum_parse(const char *s, size_t n, char out[10]);
/* The number of an A-number in any accepted form (NUL-terminated; NULL
 * allowed): 0..999999999, or -1 when s is not one. */
int64_t anum_value(const char *s);
/* The stored form of v (0..999999999): 9 digits and a NUL. */
void anum_format(int64_t v, char out[10]);

#endif
