#ifndef UC_SUPPRESS_H
#define UC_SUPPRESS_H
/*
 * suppress.h - small-count suppression for publishable tables.
 *
 * A table is a vector of non-negative integer cells plus the linear
 * relations that hold between them and that a reader knows (margins:
 * "row cells sum to the row total", "served + not served = released").
 * supp_apply() marks:
 *
 *   primary        every cell with 1 <= value < threshold (zeros identify
 *                  nobody and are published, as in the CMS/CDC convention);
 *   complementary  more cells, until no suppressed cell can be derived from
 *                  the published cells through the relations: first the
 *                  classic rule (a relation with exactly one suppressed cell
 *                  gets its next smallest non-zero cell suppressed too), then
 *                  an exact check by Gaussian elimination over the suppressed
 *                  cells (a cell is derivable iff its unit vector lies in
 *                  the row space of the relations restricted to suppressed
 *                  cells); each derivable cell gets one more complementary
 *                  cell in a relation that contains it, and the check runs
 *                  again until none is derivable.
 *
 * The result: subtraction and any linear combination of published cells
 * and relations yields no suppressed cell exactly. (Bounds can still be
 * inferred, e.g. 0 <= x: that is inherent in publishing margins.)
 *
 * Usage:
 *
 *   struct supp_rels r;
 *   supp_rels_init(&r);
 *   supp_rels_begin(&r); supp_rels_term(&r, total, -1);
 *   supp_rels_term(&r, a, 1); supp_rels_term(&r, b, 1);   // a + b = total
 *   supp_apply(val, mark, ncells, &r, 11);
 *   supp_rels_release(&r);
 */
#include <stdint.h>

/* Marks written into the caller's mark[] array. */
enum { SUPP_NONE = 0, SUPP_PRIMARY = 1, SUPP_COMPLEMENT = 2 };

/* Relations in compressed form: relation k has terms start[k]..start[k+1)-1,
 * each sum(coef * cell) = 0. */
struct supp_rels {
	int nrel;	/* relations */
	int nterm;	/* terms over all relations */
	int *start;	/* nrel + 1 offsets into cell/coef; owned */
	int *cell;	/* cell index of each term; owned */
	int *coef;	/* coefficient of each term (nonzero); owned */
	int alloc_rel;	/* allocated entries of start */
	int alloc_term; /* allocated entries of cell and coef */
};

void supp_rels_init(struct supp_rels *r);
void supp_rels_release(struct supp_rels *r);
/* Start a new relation; then add its terms. */
void supp_rels_begin(struct supp_rels *r);
void supp_rels_term(struct supp_rels *r, int cell, int coef);

/*
 * Suppress: val[ncells] are the cell values (non-negative), mark[ncells]
 * receives SUPP_* (cells already marked by the caller stay marked). Returns
 * the number of cells suppressed. threshold < 1 suppresses nothing.
 */
int supp_apply(const int64_t *val, unsigned char *mark, int ncells, const struct supp_rels *r,
	       int threshold);

/*
 * Which suppressed cells can be derived exactly from the published cells
 * through the relations (an independent re-statement of the check, used by
 * supp_apply and by tests). det[ncells] receives 1 for each derivable
 * suppressed cell; returns how many there are.
 */
int supp_derivable(const unsigned char *mark, int ncells, const struct supp_rels *r,
		   unsigned char *det);

#endif
