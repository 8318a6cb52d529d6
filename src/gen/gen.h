#ifndef UC_GEN_H
#define UC_GEN_H
/*
 * gen.h - calibrated synthetic feeds with ground truth.
 *
 * gen_run() writes, for `children` synthetic unaccompanied children, every
 * feed uctrack imports, exactly in the formats of docs/formats.md, plus the
 * ground truth that tests and benchmarks measure linkage and reports
 * against (docs/generator.md lists the files, columns and calibration):
 *
 *   OUT/eoir/{A_TblCase,B_TblProceeding,tbl_schedule,tbl_JuvenileHistory}.csv
 *   OUT/eoir/Count.txt
 *   OUT/cbp/encounters.csv
 *   OUT/orr/{placements,post_release}.csv
 *   OUT/ice/{nta,removals,indicators}.csv
 *   OUT/events/events.jsonl
 *   OUT/truth/{records,children}.csv
 *
 * Output is a pure function of (children, seed, as_of, defects): the same
 * inputs give byte-identical files (own PRNG, no clock, no locale). Each
 * file is written to a temporary name in its directory and renamed into
 * place once complete, so a reader never sees half a file.
 *
 * Usage:
 *
 *   struct gen_opts o = GEN_OPTS_INIT;
 *   struct uc_err err = UC_ERR_INIT;
 *   o.children = 20000;
 *   o.seed = 1;
 *   o.out_dir = "/tmp/g";
 *   if (gen_run(&o, &err))
 *           fprintf(stderr, "%s\n", err.msg);
 *
 * The data are synthetic: names are drawn at random from pools of common
 * names, so no record describes a real person.
 */
#include <stdint.h>

#include "core/err.h"

/*
 * The rates of the `hard` profile (docs/generator.md, "Profile hard"): the
 * identity noise of independent agency data that the default profile does
 * not have. Each is a probability in [0, 1]; gen_rates_hard() fills the
 * documented defaults and gen_rate_set() changes one by name.
 */
struct gen_rates {
	double anum_missing; /* CBP, ORR, EOIR identity record without one */
	double anum_typo;    /* A-number mistyped (ORR, EOIR, ICE NTA) */
	double dob_noise;    /* recorded birth date not exact (every feed) */
	double jan1;	     /* of inexact dates: Jan 1 stand-in */
	double dob_swap;     /* of inexact dates: day and month swapped */
	double giv_typo;     /* keying error in the given name */
	double fam_typo;     /* keying error in the family name */
	double sur_drop;     /* two surnames: the second dropped */
	double sur_swap;     /* two surnames: written in reverse order */
	double sur_join;     /* two surnames: joined (ICLAGARCIA) */
	double sibling;	     /* a child is the sibling of the one before */
	double twin;	     /* of siblings: same birth date */
	double name_pool;    /* share of each name pool used, (0, 1] */
};

struct gen_opts {
	long children;		/* number of children, >= 1 */
	uint64_t seed;		/* PRNG seed; same seed, same bytes */
	const char *out_dir;	/* output directory, created if missing; borrowed */
	int32_t as_of;		/* as-of date (days since epoch): nothing happens
				 * after it; UC_DATE_NONE means 2025-06-30 */
	int defects;		/* nonzero: inject the real EOIR files' defects
				 * (stray tab, NULL, unknown NAT) at a tiny rate */
	int progress;		/* nonzero: progress on stderr when a terminal */
	int hard;		/* nonzero: profile `hard`, rates below */
	struct gen_rates rates; /* used only when hard */
};

#define GEN_OPTS_INIT                                                                              \
	{                                                                                          \
		0, 1, NULL, INT32_MIN, 0, 0, 0,                                                    \
		{                                                                                  \
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0                                      \
		}                                                                                  \
	}

/* Largest accepted `children`. */
#define GEN_MAX_CHILDREN 10000000L

/*
 * Write all feeds and the ground truth under opts->out_dir. Returns 0, or
 * UC_EUSAGE for bad options, UC_EIO when a directory or file cannot be
 * written (err names the path). On failure no complete-looking file is
 * left half-written: temporaries are removed.
 */
int gen_run(const struct gen_opts *opts, struct uc_err *err);

/* Fill r with the documented rates of the `hard` profile. */
void gen_rates_hard(struct gen_rates *r);

/*
 * Set one rate from "NAME=VALUE" (names as the fields above). Returns 0, or
 * UC_EUSAGE with a message naming the rate or listing the known names.
 */
int gen_rate_set(struct gen_rates *r, const char *assign, struct uc_err *err);

/* The default as-of date, 2025-06-30, as days since the epoch. */
int32_t gen_default_as_of(void);

#endif
