/*
 * suppress.c - small-count suppression (see suppress.h).
 */
#include "report/suppress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

void supp_rels_init(struct supp_rels *r)
{
	memset(r, 0, sizeof(*r));
}

void supp_rels_release(struct supp_rels *r)
{
	free(r->start);
	free(r->cell);
	free(r->coef);
	supp_rels_init(r);
}

void supp_rels_begin(struct supp_rels *r)
{
	if (r->nrel + 2 > r->alloc_rel) {
		r->alloc_rel = r->alloc_rel ? 2 * r->alloc_rel : 64;
		r->start = uc_xrealloc(r->start, sizeof(int) * (size_t)r->alloc_rel);
	}
	if (r->nrel == 0)
		r->start[0] = 0;
	r->nrel++;
	r->start[r->nrel] = r->nterm;
}

void supp_rels_term(struct supp_rels *r, int cell, int coef)
{
	if (r->nrel == 0)
		BUG("supp_rels_term before supp_rels_begin");
	if (r->nterm + 1 > r->alloc_term) {
		r->alloc_term = r->alloc_term ? 2 * r->alloc_term : 256;
		r->cell = uc_xrealloc(r->cell, sizeof(int) * (size_t)r->alloc_term);
		r->coef = uc_xrealloc(r->coef, sizeof(int) * (size_t)r->alloc_term);
	}
	r->cell[r->nterm] = cell;
	r->coef[r->nterm] = coef;
	r->nterm++;
	r->start[r->nrel] = r->nterm;
}

/* The unsuppressed cell of relation k to suppress next: the smallest
 * non-zero one (a zero complement hides nothing), else the smallest zero
 * one; -1 when every cell is already suppressed. */
static int next_smallest(const int64_t *val, const unsigned char *mark, const struct supp_rels *r,
			 int k)
{
	int best = -1;

	for (int t = r->start[k]; t < r->start[k + 1]; t++) {
		int c = r->cell[t];

		if (mark[c])
			continue;
		if (best < 0) {
			best = c;
			continue;
		}
		int bz = val[best] == 0, cz = val[c] == 0;

		if (bz != cz) {
			if (bz)
				best = c;
			continue;
		}
		if (val[c] < val[best] || (val[c] == val[best] && c < best))
			best = c;
	}
	return best;
}

/* Classic rule: no relation may have exactly one suppressed cell. */
static int classic_pass(const int64_t *val, unsigned char *mark, const struct supp_rels *r)
{
	int added = 0, changed = 1;

	while (changed) {
		changed = 0;
		for (int k = 0; k < r->nrel; k++) {
			int ns = 0;

			for (int t = r->start[k]; t < r->start[k + 1]; t++)
				ns += mark[r->cell[t]] != 0;
			if (ns != 1)
				continue;
			int c = next_smallest(val, mark, r, k);

			if (c >= 0) {
				mark[c] = SUPP_COMPLEMENT;
				added++;
				changed = 1;
			}
		}
	}
	return added;
}

int supp_derivable(const unsigned char *mark, int ncells, const struct supp_rels *r,
		   unsigned char *det)
{
	int *col = NULL; /* cell -> column among suppressed cells, or -1 */
	int ns = 0, nr = 0, found = 0;
	double *m = NULL;

	memset(det, 0, (size_t)ncells);
	col = uc_xmalloc(sizeof(int) * (size_t)(ncells > 0 ? ncells : 1));
	for (int c = 0; c < ncells; c++)
		col[c] = mark[c] ? ns++ : -1;
	if (ns == 0)
		goto out;
	m = uc_xcalloc((size_t)r->nrel * (size_t)ns, sizeof(double));
	for (int k = 0; k < r->nrel; k++) {
		int any = 0;

		for (int t = r->start[k]; t < r->start[k + 1]; t++) {
			int c = r->cell[t];

			if (c < 0 || c >= ncells)
				BUG("relation %d names cell %d of %d", k, c, ncells);
			if (col[c] >= 0) {
				m[(size_t)nr * ns + col[c]] += r->coef[t];
				any = 1;
			}
		}
		if (any)
			nr++;
	}
	/* Reduced row echelon form with partial pivoting. Coefficients are
	 * small integers, so a fixed tolerance separates zero from non-zero. */
	int prow = 0;
	int *pivcol = uc_xmalloc(sizeof(int) * (size_t)(nr > 0 ? nr : 1));

	for (int j = 0; j < ns && prow < nr; j++) {
		int best = -1;
		double bv = 1e-9;

		for (int i = prow; i < nr; i++) {
			double a = fabs(m[(size_t)i * ns + j]);

			if (a > bv) {
				bv = a;
				best = i;
			}
		}
		if (best < 0)
			continue;
		if (best != prow) {
			for (int x = 0; x < ns; x++) {
				double tmp = m[(size_t)prow * ns + x];

				m[(size_t)prow * ns + x] = m[(size_t)best * ns + x];
				m[(size_t)best * ns + x] = tmp;
			}
		}
		double p = m[(size_t)prow * ns + j];

		for (int x = 0; x < ns; x++)
			m[(size_t)prow * ns + x] /= p;
		for (int i = 0; i < nr; i++) {
			double f;

			if (i == prow)
				continue;
			f = m[(size_t)i * ns + j];
			if (fabs(f) <= 1e-12)
				continue;
			for (int x = 0; x < ns; x++)
				m[(size_t)i * ns + x] -= f * m[(size_t)prow * ns + x];
		}
		pivcol[prow] = j;
		prow++;
	}
	/* Column j is derivable iff some reduced row is exactly e_j. */
	int *back = uc_xmalloc(sizeof(int) * (size_t)ns);

	for (int c = 0; c < ncells; c++)
		if (col[c] >= 0)
			back[col[c]] = c;
	for (int i = 0; i < prow; i++) {
		int nz = 0;

		for (int x = 0; x < ns; x++)
			nz += fabs(m[(size_t)i * ns + x]) > 1e-9;
		if (nz == 1) {
			det[back[pivcol[i]]] = 1;
			found++;
		}
	}
	free(back);
	free(pivcol);
out:
	free(m);
	free(col);
	return found;
}

/* One more complementary cell for derivable cell c: the smallest candidate
 * over the relations containing c, else over any relation with a
 * suppressed cell. Returns 0 when nothing is left to suppress. */
static int widen(const int64_t *val, unsigned char *mark, const struct supp_rels *r, int c)
{
	int best = -1;

	for (int pass = 0; pass < 2 && best < 0; pass++) {
		for (int k = 0; k < r->nrel; k++) {
			int has = 0;

			for (int t = r->start[k]; t < r->start[k + 1]; t++) {
				int x = r->cell[t];

				if (pass == 0 ? x == c : mark[x] != 0)
					has = 1;
			}
			if (!has)
				continue;
			int cand = next_smallest(val, mark, r, k);

			if (cand < 0)
				continue;
			if (best < 0 || (val[cand] != 0 && val[best] == 0) ||
			    ((val[cand] == 0) == (val[best] == 0) && val[cand] < val[best]))
				best = cand;
		}
	}
	if (best < 0)
		return 0;
	mark[best] = SUPP_COMPLEMENT;
	return 1;
}

int supp_apply(const int64_t *val, unsigned char *mark, int ncells, const struct supp_rels *r,
	       int threshold)
{
	unsigned char *det = NULL;
	int n = 0;

	if (threshold < 1 || ncells <= 0)
		return 0;
	for (int c = 0; c < ncells; c++) {
		if (val[c] >= 1 && val[c] < threshold && !mark[c])
			mark[c] = SUPP_PRIMARY;
	}
	det = uc_xmalloc((size_t)ncells);
	/* Each round suppresses at least one more cell or stops, so this
	 * terminates within ncells rounds. */
	for (int round = 0; round <= ncells; round++) {
		int progress = 0;

		classic_pass(val, mark, r);
		if (supp_derivable(mark, ncells, r, det) == 0)
			break;
		for (int c = 0; c < ncells; c++) {
			if (det[c])
				progress += widen(val, mark, r, c);
		}
		if (!progress)
			break;
	}
	free(det);
	for (int c = 0; c < ncells; c++)
		n += mark[c] != 0;
	return n;
}
