#ifndef UC_FNORM_H
#define UC_FNORM_H
/*
 * fnorm.h - validation and normalisation of the values feeds carry.
 *
 * Every function reads exactly `n` bytes of `s` (no NUL needed) and either
 * writes the normalised form or says why the value is bad. A return of
 * FNORM_BLANK means "empty after trimming"; callers decide whether blank is
 * allowed for the field.
 *
 *   char d[11];
 *   switch (fnorm_date("2021-04-02 10:00:00", 19, d)) {   // d = "2021-04-02"
 *   case FNORM_OK: ...; case FNORM_BLANK: ...; case FNORM_BAD: ...
 *   }
 *
 * A-numbers are parsed by core/anum.h (anum_parse(), same return codes).
 */
#include <stddef.h>

#include "core/buf.h"

enum { FNORM_OK = 0, FNORM_BLANK = 1, FNORM_BAD = -1 };

/* Trim ASCII white space: adjusts *s and *n. */
void fnorm_trim(const char **s, size_t *n);
/* Date "YYYY-MM-DD" (an optional time part is accepted and dropped):
 * out gets "YYYY-MM-DD" and a NUL. */
int fnorm_date(const char *s, size_t n, char out[11]);
/* Like fnorm_date() but only the exact "YYYY-MM-DD" shape (CSV feeds). */
int fnorm_date_strict(const char *s, size_t n, char out[11]);
/* Byte offset of the first invalid UTF-8 sequence, or -1 if s is valid. */
long fnorm_utf8_invalid(const char *s, size_t n);
/*
 * Text as recorded: trimmed, control characters turned into spaces, NFC
 * (via utf8proc; ASCII is passed through untouched). s must be valid UTF-8.
 * Appends to out (sticky buffer); returns FNORM_OK or FNORM_BLANK.
 */
int fnorm_text(const char *s, size_t n, struct buf *out);
/* Index of s in the NULL-terminated list `allowed`, or -1. */
int fnorm_enum(const char *s, size_t n, const char *const *allowed);
/* Decimal integer (optional leading '-'), fits in int64. */
int fnorm_int(const char *s, size_t n, long long *out);
/* Write "a, b, c" of a NULL-terminated list into out (for messages). */
void fnorm_enum_list(const char *const *allowed, struct buf *out);

#endif
