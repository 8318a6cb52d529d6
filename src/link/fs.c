/*
 * fs.c - Fellegi-Sunter model and its EM fit.
 */
#include "link/fs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "link/link_int.h"

#define FLOOR 1e-6

void fs_init(struct fs_model *m, int nfield, const int *levels, const char *const *names)
{
	if (nfield < 1 || nfield > FS_MAX_FIELDS)
		BUG("fs_init: %d fields", nfield);
	memset(m, 0, sizeof(*m));
	m->nfield = nfield;
	m->p = 0.1;
	m->match_at = 0.5;
	m->review_at = 0.05;
	for (int f = 0; f < nfield; f++) {
		int L = levels[f];
		double tot = 0;

		if (L < 2 || L > FS_MAX_LEVELS)
			BUG("fs_init: field %d has %d levels", f, L);
		m->nlevel[f] = L;
		m->name[f] = names ? names[f] : NULL;
		/* m prior: agreement likely, decreasing with each level. */
		for (int l = 1; l < L; l++) {
			m->m[f][l] = pow(0.15, l - 1);
			tot += m->m[f][l];
		}
		for (int l = 1; l < L; l++) {
			m->m[f][l] /= tot;
			m->u[f][l] = 1.0 / (L - 1);
		}
	}
}

uint64_t fs_pack(const struct fs_model *m, const uint8_t *vec)
{
	uint64_t p = 0;

	for (int f = 0; f < m->nfield; f++)
		p |= (uint64_t)(vec[f] & 0xf) << (4 * f);
	return p;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

void fs_counts_init(struct fs_counts *c)
{
	memset(c, 0, sizeof(*c));
}

static void counts_grow(struct fs_counts *c)
{
	struct fs_counts o = *c;
	size_t cap = o.cap ? o.cap * 2 : 1024;

	c->key = uc_xcalloc(cap, sizeof(*c->key));
	c->n = uc_xcalloc(cap, sizeof(*c->n));
	c->used = uc_xcalloc(cap, 1);
	c->cap = cap;
	c->len = 0;
	c->total = 0;
	for (size_t i = 0; i < o.cap; i++) {
		if (o.used[i])
			fs_counts_add(c, o.key[i], o.n[i]);
	}
	free(o.key);
	free(o.n);
	free(o.used);
}

void fs_counts_add(struct fs_counts *c, uint64_t pat, double n)
{
	size_t i;

	if ((c->len + 1) * 2 > c->cap)
		counts_grow(c);
	i = (size_t)mix(pat) & (c->cap - 1);
	while (c->used[i] && c->key[i] != pat)
		i = (i + 1) & (c->cap - 1);
	if (!c->used[i]) {
		c->used[i] = 1;
		c->key[i] = pat;
		c->len++;
	}
	c->n[i] += n;
	c->total += n;
}

void fs_counts_release(struct fs_counts *c)
{
	free(c->key);
	free(c->n);
	free(c->used);
	memset(c, 0, sizeof(*c));
}

/* Likelihoods of a pattern under match and non-match. */
static void lik(const struct fs_model *m, uint64_t pat, double *pm, double *pu)
{
	double a = 1, b = 1;

	for (int f = 0; f < m->nfield; f++) {
		int l = fs_level(pat, f);

		if (l == 0 || l >= m->nlevel[f])
			continue;
		a *= m->m[f][l];
		b *= m->u[f][l];
	}
	*pm = a;
	*pu = b;
}

void fs_em(struct fs_model *m, const struct fs_counts *c, int max_iter)
{
	double sm[FS_MAX_FIELDS][FS_MAX_LEVELS], su[FS_MAX_FIELDS][FS_MAX_LEVELS];

	if (c->total <= 0)
		return;
	if (m->fix_u || m->u_set)
		goto em;
	/* u starts at the observed level frequencies: most candidates are
	 * non-matches. */
	memset(su, 0, sizeof(su));
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->used[i])
			continue;
		for (int f = 0; f < m->nfield; f++)
			su[f][fs_level(c->key[i], f)] += c->n[i];
	}
	for (int f = 0; f < m->nfield; f++) {
		double tot = 0;

		for (int l = 1; l < m->nlevel[f]; l++)
			tot += su[f][l] + 1;
		for (int l = 1; l < m->nlevel[f]; l++)
			m->u[f][l] = (su[f][l] + 1) / tot;
	}
em:
	m->iterations = 0;
	m->converged = 0;
	for (int it = 0; it < max_iter; it++) {
		double gsum = 0, delta = 0, p_old = m->p;

		memset(sm, 0, sizeof(sm));
		memset(su, 0, sizeof(su));
		for (size_t i = 0; i < c->cap; i++) {
			double pm, pu, g;

			if (!c->used[i])
				continue;
			lik(m, c->key[i], &pm, &pu);
			g = m->p * pm / (m->p * pm + (1 - m->p) * pu);
			gsum += g * c->n[i];
			for (int f = 0; f < m->nfield; f++) {
				int l = fs_level(c->key[i], f);

				sm[f][l] += g * c->n[i];
				su[f][l] += (1 - g) * c->n[i];
			}
		}
		for (int f = 0; f < m->nfield; f++) {
			double tm = 0, tu = 0;

			for (int l = 1; l < m->nlevel[f]; l++) {
				tm += sm[f][l];
				tu += su[f][l];
			}
			for (int l = 1; l < m->nlevel[f]; l++) {
				double nm = tm > 0 ? sm[f][l] / tm : m->m[f][l];
				double nu = tu > 0 ? su[f][l] / tu : m->u[f][l];

				nm = nm < FLOOR ? FLOOR : nm;
				nu = nu < FLOOR ? FLOOR : nu;
				delta = fmax(delta, fabs(nm - m->m[f][l]));
				m->m[f][l] = nm;
				if (m->fix_u)
					continue;
				delta = fmax(delta, fabs(nu - m->u[f][l]));
				m->u[f][l] = nu;
			}
		}
		m->p = gsum / c->total;
		if (m->p < FLOOR)
			m->p = FLOOR;
		if (m->p > 1 - FLOOR)
			m->p = 1 - FLOOR;
		m->iterations = it + 1;
		if (delta < 1e-7 && fabs(m->p - p_old) < 1e-9) {
			m->converged = 1;
			break;
		}
	}
}

double fs_m_from(struct fs_model *m, const struct fs_counts *c, int f)
{
	double cnt[FS_MAX_LEVELS] = {0}, tot = 0;

	if (f < 0 || f >= m->nfield)
		BUG("fs_m_from: field %d", f);
	for (size_t i = 0; i < c->cap; i++) {
		int l;

		if (!c->used[i])
			continue;
		l = fs_level(c->key[i], f);
		if (l == 0 || l >= m->nlevel[f])
			continue;
		cnt[l] += c->n[i];
		tot += c->n[i];
	}
	if (tot <= 0)
		return 0;
	for (int l = 1; l < m->nlevel[f]; l++) {
		double v = (cnt[l] + 0.5) / (tot + 0.5 * (m->nlevel[f] - 1));

		m->m[f][l] = v < FLOOR ? FLOOR : v;
	}
	return tot;
}

int fs_fit_prior(struct fs_model *m, const struct fs_counts *c, double npairs, int max_iter,
		 double (*wfn)(const void *ctx, uint64_t pat), const void *ctx)
{
	int it;

	if (npairs < 1 || c->total <= 0)
		return 0;
	if (m->p <= 0 || m->p >= 1)
		m->p = c->total / npairs * 0.5;
	for (it = 0; it < max_iter; it++) {
		double sum = 0, np;

		double lp = log2(m->p / (1 - m->p));

		for (size_t i = 0; i < c->cap; i++) {
			double w;

			if (!c->used[i])
				continue;
			w = (wfn ? wfn(ctx, c->key[i]) : fs_weight(m, c->key[i])) + lp;
			sum += (w > 60 ? 1.0 : w < -60 ? 0.0 : 1.0 / (1.0 + exp2(-w))) * c->n[i];
		}
		np = sum / npairs;
		if (np < 1e-12)
			np = 1e-12;
		if (np > 1 - FLOOR)
			np = 1 - FLOOR;
		if (fabs(np - m->p) <= 1e-6 * m->p) {
			m->p = np;
			return it + 1;
		}
		m->p = np;
	}
	return it;
}

double fs_weight(const struct fs_model *m, uint64_t pat)
{
	double w = 0;

	for (int f = 0; f < m->nfield; f++) {
		int l = fs_level(pat, f);

		if (l == 0 || l >= m->nlevel[f])
			continue;
		w += log2(m->m[f][l] / m->u[f][l]);
	}
	return w;
}

double fs_posterior(const struct fs_model *m, uint64_t pat)
{
	double w = fs_weight(m, pat) + log2(m->p / (1 - m->p));

	if (w > 60)
		return 1.0;
	if (w < -60)
		return 0.0;
	return 1.0 / (1.0 + exp2(-w));
}

int fs_decide(const struct fs_model *m, double posterior)
{
	if (posterior >= m->match_at)
		return FS_MATCH;
	if (posterior >= m->review_at)
		return FS_REVIEW;
	return FS_NONMATCH;
}

/* The random pairs' comparisons, for link_parallel(). */
struct rnd_job {
	fs_compare_fn fn;     /* the comparator (pure) */
	void *ctx;	      /* its data */
	const uint64_t *pair; /* i << 32 | j */
	uint8_t *vec;	      /* out: FS_MAX_FIELDS levels per pair */
};

static void rnd_range(void *arg, size_t lo, size_t hi)
{
	struct rnd_job *j = arg;

	for (size_t i = lo; i < hi; i++)
		j->fn(j->ctx, (uint32_t)(j->pair[i] >> 32), (uint32_t)j->pair[i],
		      j->vec + i * FS_MAX_FIELDS);
}

void fs_random_u(struct fs_model *m, size_t n, const uint8_t *side, fs_compare_fn fn, void *ctx,
		 size_t samples)
{
	double cnt[FS_MAX_FIELDS][FS_MAX_LEVELS];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t done = 0, tries = 0;
	struct rnd_job job;
	uint64_t *pair;
	uint8_t *vec;

	if (n < 2)
		return;
	if (samples > n * (n - 1) / 2)
		samples = n * (n - 1) / 2;
	memset(cnt, 0, sizeof(cnt));
	/* Draw the pairs here (one random sequence), compare them on all
	 * cores, count here: the same counts whatever the cores. */
	pair = uc_xmalloc((samples ? samples : 1) * sizeof(*pair));
	while (done < samples && tries < samples * 20) {
		uint32_t i, j;

		tries++;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (uint32_t)((x & 0xffffffffULL) % n);
		j = (uint32_t)((x >> 32) % n);
		if (i == j || (side && side[i] == side[j]))
			continue;
		pair[done++] = (uint64_t)i << 32 | j;
	}
	vec = uc_xcalloc(done ? done : 1, FS_MAX_FIELDS);
	job.fn = fn;
	job.ctx = ctx;
	job.pair = pair;
	job.vec = vec;
	link_parallel(done, 5000, rnd_range, &job);
	for (size_t k = 0; k < done; k++) {
		const uint8_t *v = vec + k * FS_MAX_FIELDS;

		for (int f = 0; f < m->nfield; f++)
			cnt[f][v[f] < FS_MAX_LEVELS ? v[f] : 0]++;
	}
	free(pair);
	free(vec);
	if (done == 0)
		return;
	for (int f = 0; f < m->nfield; f++) {
		double tot = 0;

		for (int l = 1; l < m->nlevel[f]; l++)
			tot += cnt[f][l] + 1;
		for (int l = 1; l < m->nlevel[f]; l++)
			m->u[f][l] = (cnt[f][l] + 1) / tot;
	}
	m->u_set = 1;
}
