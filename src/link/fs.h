#ifndef UC_LINK_FS_H
#define UC_LINK_FS_H
/*
 * fs.h - the Fellegi-Sunter match model, fitted by EM without labels.
 *
 * A candidate pair is described by a comparison vector: one level per
 * field (cmp.h; level 0 = missing on either side, which carries no
 * evidence). The model holds, per field and level, m = P(level | match)
 * and u = P(level | non-match), and p = the share of matches among
 * candidate pairs. fs_em() estimates all three from the unlabelled
 * vectors by expectation-maximisation under conditional independence.
 * Vectors are packed into a 64-bit pattern (4 bits per field) and counted
 * first (struct fs_counts), so EM costs O(distinct patterns), not O(pairs).
 *
 * Decision: the posterior P(match | vector) is compared with two
 * thresholds: >= match_at is a link, >= review_at goes to review, below is
 * a non-match.
 *
 * Usage:
 *
 *   struct fs_model m;
 *   fs_init(&m, nfields, levels_per_field, names);
 *   struct fs_counts c; fs_counts_init(&c);
 *   for each pair: fs_counts_add(&c, fs_pack(&m, vec), 1);
 *   fs_em(&m, &c, 100);
 *   double post = fs_posterior(&m, fs_pack(&m, vec));
 *   fs_counts_release(&c);
 *
 * fs_model holds no pointers it owns (names are borrowed); fs_counts owns
 * its table.
 */
#include <stddef.h>
#include <stdint.h>

#define FS_MAX_FIELDS 16
#define FS_MAX_LEVELS 16

struct fs_model {
	int nfield;				/* fields in a vector */
	int nlevel[FS_MAX_FIELDS];		/* levels per field, incl. 0 */
	const char *name[FS_MAX_FIELDS];	/* field names, borrowed */
	double m[FS_MAX_FIELDS][FS_MAX_LEVELS]; /* P(level | match) */
	double u[FS_MAX_FIELDS][FS_MAX_LEVELS]; /* P(level | non-match) */
	double p;				/* P(match) among candidates */
	double match_at;			/* posterior for a link */
	double review_at;			/* posterior for review */
	int iterations;				/* EM iterations run */
	int converged;				/* EM met its tolerance */
	int fix_u;				/* EM keeps u as set */
	int u_set;				/* u was set (random pairs):
						 * EM starts from it */
};

/* Distinct patterns and their counts (open addressing). */
struct fs_counts {
	uint64_t *key; /* patterns; slot empty when used[i] == 0 */
	double *n;     /* count per slot */
	uint8_t *used; /* slot occupied */
	size_t cap;    /* slots (power of two) */
	size_t len;    /* occupied slots */
	double total;  /* sum of counts */
};

/* Set up a model with default priors: levels[f] levels for field f (at
 * most FS_MAX_LEVELS, nfield at most FS_MAX_FIELDS; BUG otherwise). */
void fs_init(struct fs_model *m, int nfield, const int *levels, const char *const *names);
/* Pack a vector of levels into a pattern. */
uint64_t fs_pack(const struct fs_model *m, const uint8_t *vec);
/* Level of field f in pattern. */
static inline int fs_level(uint64_t pat, int f)
{
	return (int)((pat >> (4 * f)) & 0xf);
}

void fs_counts_init(struct fs_counts *c);
void fs_counts_add(struct fs_counts *c, uint64_t pat, double n);
void fs_counts_release(struct fs_counts *c);

/* Fit m, u and p by EM, at most max_iter iterations; u is initialised
 * from the level frequencies over all candidates (unless fix_u: then u
 * stays as the caller set it, typically from random pairs, and only m and
 * p are fitted) and m from a prior that favours agreement. Probabilities
 * are floored at 1e-6 so no level is impossible. */
void fs_em(struct fs_model *m, const struct fs_counts *c, int max_iter);
/* Compare records a and b of the caller's data into vec (one level per
 * field). */
typedef void (*fs_compare_fn)(void *ctx, uint32_t a, uint32_t b, uint8_t *vec);

/* Set u from `samples` random pairs of n records (pairs with side[a] !=
 * side[b] when side is given), which are nearly all non-matches; fs_em()
 * then starts from this u instead of the candidates' level frequencies
 * (with fix_u also set, it keeps it). Starting from it keeps EM from
 * swapping the two classes when the candidate pairs are mostly matches
 * (tight blocking on small data). Deterministic (fixed seed), whatever
 * the cores: fn is called from several threads at once, so it must only
 * read ctx and write vec. */
void fs_random_u(struct fs_model *m, size_t n, const uint8_t *side, fs_compare_fn fn, void *ctx,
		 size_t samples);

/* Set m of field f from the level frequencies of field f among the
 * patterns counted in c (pairs that are matches beyond doubt, e.g. the
 * same valid A-number for the other fields), smoothed by half a pair per
 * level. Returns the pairs counted (with the field present); m is left
 * as it was when there are none. */
double fs_m_from(struct fs_model *m, const struct fs_counts *c, int f);

/* Fit p alone (m and u as set) by EM over the candidate patterns in c, as
 * the share of matches among all npairs record pairs: pairs that are not
 * candidates count as non-matches. With u from random pairs this is the
 * prior that makes posteriors calibrated over all pairs, not over the
 * candidates that blocking chose. wfn(ctx, pattern) gives a pattern's
 * match weight when the caller adjusts fs_weight() (NULL: fs_weight).
 * Returns the iterations run. */
int fs_fit_prior(struct fs_model *m, const struct fs_counts *c, double npairs, int max_iter,
		 double (*wfn)(const void *ctx, uint64_t pat), const void *ctx);

/* Match weight sum of log2(m/u) over non-missing fields. */
double fs_weight(const struct fs_model *m, uint64_t pat);
/* Posterior probability of a match for a pattern. */
double fs_posterior(const struct fs_model *m, uint64_t pat);

enum fs_decision { FS_NONMATCH = 0, FS_REVIEW = 1, FS_MATCH = 2 };
int fs_decide(const struct fs_model *m, double posterior);

#endif
