/*
 * cluster.c - union-find with A-number sets.
 */
#include "link/cluster.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "link/cmp.h"

#define ANUM_SET 0x80000000u

void cluster_init(struct cluster *c, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->n = n;
	c->parent = uc_xmalloc((n ? n : 1) * sizeof(*c->parent));
	c->size = uc_xmalloc((n ? n : 1) * sizeof(*c->size));
	c->anum = uc_xcalloc(n ? n : 1, sizeof(*c->anum));
	c->sex = uc_xcalloc(n ? n : 1, sizeof(*c->sex));
	c->dlo = uc_xmalloc((n ? n : 1) * sizeof(*c->dlo));
	c->dhi = uc_xmalloc((n ? n : 1) * sizeof(*c->dhi));
	for (size_t i = 0; i < n; i++) {
		c->parent[i] = (uint32_t)i;
		c->size[i] = 1;
		c->dlo[i] = INT32_MIN;
		c->dhi[i] = INT32_MAX;
	}
}

void cluster_release(struct cluster *c)
{
	for (size_t k = 0; k < c->nsets; k++)
		free(c->sets[k]);
	free(c->sets);
	free(c->parent);
	free(c->size);
	free(c->anum);
	free(c->sex);
	free(c->dlo);
	free(c->dhi);
	memset(c, 0, sizeof(*c));
}

void cluster_set_anum(struct cluster *c, uint32_t i, uint32_t anum_id)
{
	if (anum_id & ANUM_SET)
		BUG("cluster_set_anum: id %u too large", anum_id);
	c->anum[i] = anum_id;
}

void cluster_set_traits(struct cluster *c, uint32_t i, char sex, int32_t dob)
{
	c->sex[i] = sex == 'M' ? 1 : sex == 'F' ? 2 : 0;
	c->dlo[i] = INT32_MIN;
	c->dhi[i] = INT32_MAX;
	if (dob != UC_DATE_NONE)
		cmp_date_span(dob, &c->dlo[i], &c->dhi[i]);
}

/* Whether the records under roots ra and rb can be one child. */
static int traits_compatible(const struct cluster *c, uint32_t ra, uint32_t rb)
{
	int32_t lo = c->dlo[ra] > c->dlo[rb] ? c->dlo[ra] : c->dlo[rb];
	int32_t hi = c->dhi[ra] < c->dhi[rb] ? c->dhi[ra] : c->dhi[rb];

	if ((c->sex[ra] | c->sex[rb]) == 3)
		return 0;
	/* spans known on both sides and too far apart */
	return lo == INT32_MIN || hi == INT32_MAX || lo <= hi || (int64_t)lo - hi <= CMP_DATE_SLACK;
}

uint32_t cluster_find(struct cluster *c, uint32_t i)
{
	uint32_t r = i;

	while (c->parent[r] != r)
		r = c->parent[r];
	while (c->parent[i] != r) {
		uint32_t nx = c->parent[i];

		c->parent[i] = r;
		i = nx;
	}
	return r;
}

/* The A-number set of root r as (count, ids). */
static const uint32_t *set_of(const struct cluster *c, uint32_t r, uint32_t *n, uint32_t *one)
{
	uint32_t a = c->anum[r];

	if (a & ANUM_SET) {
		const uint32_t *s = c->sets[a & ~ANUM_SET];

		*n = s[0];
		return s + 1;
	}
	*one = a;
	*n = a ? 1 : 0;
	return one;
}

static int contains(const uint32_t *s, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++) {
		if (s[i] == id)
			return 1;
	}
	return 0;
}

static int subset(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
	for (uint32_t i = 0; i < na; i++) {
		if (!contains(b, nb, a[i]))
			return 0;
	}
	return 1;
}

static int roots_compatible(const struct cluster *c, uint32_t ra, uint32_t rb)
{
	uint32_t na, nb, oa, ob;
	const uint32_t *sa = set_of(c, ra, &na, &oa);
	const uint32_t *sb = set_of(c, rb, &nb, &ob);

	return subset(sa, na, sb, nb) || subset(sb, nb, sa, na);
}

int cluster_compatible(struct cluster *c, uint32_t i, uint32_t j)
{
	uint32_t ri = cluster_find(c, i), rj = cluster_find(c, j);

	return ri == rj || (roots_compatible(c, ri, rj) && traits_compatible(c, ri, rj));
}

/* Link rb under ra (or the reverse by size) and give the root set s. */
static void link_roots(struct cluster *c, uint32_t ra, uint32_t rb, uint32_t aset)
{
	int ok = traits_compatible(c, ra, rb);

	if (c->size[ra] < c->size[rb]) {
		uint32_t t = ra;

		ra = rb;
		rb = t;
	}
	c->parent[rb] = ra;
	c->size[ra] += c->size[rb];
	c->anum[ra] = aset;
	if (!ok) {
		/* joined anyway (a reviewer, one A-number): later records must
		 * be compatible with the envelope of both sides' spans */
		if ((c->sex[ra] | c->sex[rb]) == 3)
			c->sex[ra] = 0;
		else
			c->sex[ra] |= c->sex[rb];
		if (c->dlo[rb] < c->dlo[ra])
			c->dlo[ra] = c->dlo[rb];
		if (c->dhi[rb] > c->dhi[ra])
			c->dhi[ra] = c->dhi[rb];
		if (c->dlo[ra] > c->dhi[ra]) {
			int32_t t = c->dlo[ra];

			c->dlo[ra] = c->dhi[ra];
			c->dhi[ra] = t;
		}
		return;
	}
	c->sex[ra] |= c->sex[rb];
	if (c->dlo[rb] > c->dlo[ra])
		c->dlo[ra] = c->dlo[rb];
	if (c->dhi[rb] < c->dhi[ra])
		c->dhi[ra] = c->dhi[rb];
}

int cluster_join(struct cluster *c, uint32_t i, uint32_t j)
{
	return cluster_join_anum(c, i, j, 0);
}

int cluster_join_anum(struct cluster *c, uint32_t i, uint32_t j, int same_anum)
{
	uint32_t ri = cluster_find(c, i), rj = cluster_find(c, j);
	uint32_t na, nb, oa, ob;

	if (ri == rj)
		return 0;
	if (!roots_compatible(c, ri, rj))
		return -1;
	if (!same_anum && !traits_compatible(c, ri, rj))
		return -2;
	set_of(c, ri, &na, &oa);
	set_of(c, rj, &nb, &ob);
	link_roots(c, ri, rj, na >= nb ? c->anum[ri] : c->anum[rj]);
	return 1;
}

int cluster_force(struct cluster *c, uint32_t i, uint32_t j)
{
	uint32_t ri = cluster_find(c, i), rj = cluster_find(c, j);
	uint32_t na, nb, oa, ob, *s;
	const uint32_t *sa, *sb;

	if (ri == rj)
		return 0;
	if (roots_compatible(c, ri, rj)) {
		set_of(c, ri, &na, &oa);
		set_of(c, rj, &nb, &ob);
		link_roots(c, ri, rj, na >= nb ? c->anum[ri] : c->anum[rj]);
		return 1;
	}
	sa = set_of(c, ri, &na, &oa);
	sb = set_of(c, rj, &nb, &ob);
	s = uc_xmalloc((1 + na + nb) * sizeof(*s));
	s[0] = 0;
	for (uint32_t k = 0; k < na; k++)
		s[1 + s[0]++] = sa[k];
	for (uint32_t k = 0; k < nb; k++) {
		if (!contains(s + 1, s[0], sb[k]))
			s[1 + s[0]++] = sb[k];
	}
	c->sets = uc_xrealloc(c->sets, (c->nsets + 1) * sizeof(*c->sets));
	c->sets[c->nsets] = s;
	link_roots(c, ri, rj, ANUM_SET | (uint32_t)c->nsets);
	c->nsets++;
	return 1;
}
