#ifndef UC_RDIFF_H
#define UC_RDIFF_H
/*
 * rdiff.h - what changing the rule set does: evaluate two rule sets on
 * every case's stored facts (case_fact) and count the cases that move
 * between groups, with sample case ids for each move.
 *
 * Groups are matched by name across the two rule sets; a group only in the
 * new set is its own column; "none" is the absence of a group. Used by
 * `uctrack rules diff` and `POST /api/v1/triage/diff`, so both say the same.
 *
 *   struct rdiff d;
 *   if (rdiff_run(st, old_rs, new_rs, 3, &d, &err)) ...
 *   for (int i = 0; i < d.nmoves; i++)
 *           printf("%s -> %s: %lld\n", d.moves[i].from, d.moves[i].to,
 *                  (long long)d.moves[i].n);
 *   rdiff_release(&d);
 */
#include <stdint.h>

#include "core/err.h"
#include "rules/rules.h"
#include "store/store.h"

#define RDIFF_SAMPLES_MAX 5

struct rdiff_move {
	const char *from;		   /* group name under the old set, or "none"; borrowed
					    * from the rule sets, valid while they live */
	const char *to;			   /* group name under the new set, or "none"; borrowed */
	int64_t n;			   /* cases making this move */
	int64_t sample[RDIFF_SAMPLES_MAX]; /* case ids (tcase.id), first seen */
	int ns;				   /* samples kept, <= the samples asked for */
};

struct rdiff {
	int64_t total;		  /* cases evaluated */
	int64_t moved;		  /* cases whose group differs */
	struct rdiff_move *moves; /* one per (from, to) pair with n > 0; owned */
	int nmoves;		  /* entries in moves */
};

/*
 * Evaluate ra (old) and rb (new) on every stored case. samples is how many
 * case ids to keep per move (0..RDIFF_SAMPLES_MAX). On success fills *out,
 * which the caller releases with rdiff_release().
 */
int rdiff_run(struct store *st, const struct rules *ra, const struct rules *rb, int samples,
	      struct rdiff *out, struct uc_err *err);
/* Free the moves; accepts a zeroed struct. */
void rdiff_release(struct rdiff *d);

#endif
