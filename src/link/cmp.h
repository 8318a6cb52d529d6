#ifndef UC_LINK_CMP_H
#define UC_LINK_CMP_H
/*
 * cmp.h - field comparators for record linkage.
 *
 * Each comparator maps a pair of values to a small discrete level; level 0
 * always means "missing on either side" (no evidence either way) and the
 * other levels go from strongest agreement to disagreement. The match
 * model (fs.h) learns how much each level is worth; comparators only
 * classify.
 *
 * Usage:
 *
 *   double s = cmp_jw("MARTHA", 6, "MARHTA", 6);        // 0.961
 *   int a = cmp_anum("208123456", "208123465");         // CMP_ANUM_TRANSPOSE
 *   int d = cmp_date(b1, b2);                           // CMP_DATE_*
 *   int n = cmp_name(&n1, &n2);                         // CMP_NAME_*
 *
 * Pure functions, no allocation, thread-safe.
 */
#include <stddef.h>
#include <stdint.h>

#include "link/norm.h"

/* Jaro-Winkler similarity in [0,1] of two byte strings (prefix scale 0.1,
 * up to 4 prefix bytes). Two empty strings give 1. */
double cmp_jw(const char *a, size_t al, const char *b, size_t bl);

/* 1 if a and b (lengths al, bl) are within one edit: equal, one
 * substitution, insertion, deletion or adjacent transposition. */
int cmp_within_one(const char *a, size_t al, const char *b, size_t bl);

enum cmp_anum_level {
	CMP_ANUM_MISSING = 0,
	CMP_ANUM_EXACT = 1,
	CMP_ANUM_TYPO = 2,	/* one digit differs */
	CMP_ANUM_TRANSPOSE = 3, /* two adjacent digits swapped */
	CMP_ANUM_DIFF = 4,
	CMP_ANUM_NLEVELS = 5
};
/* A-numbers as 9-digit strings (NULL or "" = missing). */
int cmp_anum(const char *a, const char *b);
/* 1 if s is a usable A-number: 9 digits and not a placeholder (all one
 * digit, or 123456789). */
int cmp_anum_valid(const char *s);

enum cmp_date_level {
	CMP_DATE_MISSING = 0,
	CMP_DATE_EXACT = 1,
	CMP_DATE_SWAP = 2,  /* day and month swapped */
	CMP_DATE_FOM = 3,   /* same year-month, one side the 1st (EOIR stores
			     * first of month) */
	CMP_DATE_JAN1 = 4,  /* same year, one side January 1 (a stand-in for
			     * an unknown date) */
	CMP_DATE_YEAR1 = 5, /* same month-day, year off by one */
	CMP_DATE_NEAR = 6,  /* within 31 days, or one digit off */
	CMP_DATE_DIFF = 7,  /* otherwise, but compatible (cmp_date_compatible) */
	CMP_DATE_FAR = 8,   /* not compatible: more than a year apart even
			     * allowing for imprecise dates */
	CMP_DATE_NLEVELS = 9
};
/* Dates as day numbers (date.h); UC_DATE_NONE = missing. */
int cmp_date(int32_t a, int32_t b);

/*
 * The days a recorded birth date may stand for: January 1 stands for its
 * year, any other first of the month for its month (stand-ins and EOIR's
 * first-of-month dates), any other date for itself. d must not be
 * UC_DATE_NONE.
 */
void cmp_date_span(int32_t d, int32_t *lo, int32_t *hi);

/* Days two birth dates of one child may be apart, beyond their spans: a
 * year (a year-off error) and a few days. */
#define CMP_DATE_SLACK 370

/* 1 when two recorded birth dates can belong to one child: their spans
 * (cmp_date_span) are at most CMP_DATE_SLACK days apart; missing dates are
 * compatible with anything. */
int cmp_date_compatible(int32_t a, int32_t b);

enum cmp_name_level {
	CMP_NAME_MISSING = 0,
	CMP_NAME_EXACT = 1,  /* same tokens in order, in any order, or joined */
	CMP_NAME_SUBSET = 2, /* one side's tokens all appear in the other
			      * (one of two surnames; first of a compound
			      * given name) */
	CMP_NAME_HIGH = 3,   /* similarity >= 0.92 */
	CMP_NAME_MID = 4,    /* similarity >= 0.80 */
	CMP_NAME_DIFF = 5,
	CMP_NAME_NLEVELS = 6
};
/* Compare two normalised names; see cmp_name_sim() for the similarity. */
int cmp_name(const struct norm_name *a, const struct norm_name *b);
/* Best similarity of two names: the max of Jaro-Winkler on the joined
 * tokens, on tokens sorted, and the mean best token-to-token similarity of
 * the shorter name's tokens. */
double cmp_name_sim(const struct norm_name *a, const struct norm_name *b);

enum cmp_eq_level { CMP_EQ_MISSING = 0, CMP_EQ_AGREE = 1, CMP_EQ_DIFF = 2, CMP_EQ_NLEVELS = 3 };
/* Code fields (sex, country, language): equal or not; NULL, "" and the
 * `unknown` code (e.g. sex "U") count as missing. */
int cmp_eq(const char *a, const char *b, const char *unknown);

#endif
