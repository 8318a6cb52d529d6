/*
 * link_int.c - hash map, arena and clock for the link module.
 */
#include "link/link_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "link/block.h"

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	x ^= x >> 33;
	return x;
}

void u64map_init(struct u64map *m)
{
	memset(m, 0, sizeof(*m));
}

void u64map_release(struct u64map *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static void u64map_grow(struct u64map *m)
{
	struct u64map o = *m;
	size_t cap = o.cap ? o.cap * 2 : 1024;

	m->k = uc_xmalloc(cap * sizeof(*m->k));
	m->v = uc_xmalloc(cap * sizeof(*m->v));
	memset(m->k, 0xff, cap * sizeof(*m->k));
	m->cap = cap;
	m->len = 0;
	for (size_t i = 0; i < o.cap; i++) {
		if (o.k[i] != UINT64_MAX)
			u64map_put(m, o.k[i], o.v[i]);
	}
	free(o.k);
	free(o.v);
}

void u64map_put(struct u64map *m, uint64_t k, uint64_t v)
{
	size_t i;

	if (k == UINT64_MAX)
		BUG("u64map_put: reserved key");
	if ((m->len + 1) * 2 > m->cap)
		u64map_grow(m);
	i = (size_t)mix64(k) & (m->cap - 1);
	while (m->k[i] != UINT64_MAX && m->k[i] != k)
		i = (i + 1) & (m->cap - 1);
	if (m->k[i] == UINT64_MAX) {
		m->k[i] = k;
		m->len++;
	}
	m->v[i] = v;
}

uint64_t *u64map_get(const struct u64map *m, uint64_t k)
{
	size_t i;

	if (!m->cap || k == UINT64_MAX)
		return NULL;
	i = (size_t)mix64(k) & (m->cap - 1);
	while (m->k[i] != UINT64_MAX) {
		if (m->k[i] == k)
			return &m->v[i];
		i = (i + 1) & (m->cap - 1);
	}
	return NULL;
}

void larena_init(struct larena *a)
{
	memset(a, 0, sizeof(*a));
	larena_add(a, "", 0);
}

void larena_release(struct larena *a)
{
	free(a->p);
	memset(a, 0, sizeof(*a));
}

uint32_t larena_add(struct larena *a, const char *s, size_t n)
{
	size_t at = a->len;

	if (at + n + 1 > UINT32_MAX)
		BUG("larena_add: arena over 4 GiB");
	if (a->len + n + 1 > a->alloc) {
		size_t na = a->alloc ? a->alloc : 1 << 16;

		while (a->len + n + 1 > na)
			na *= 2;
		a->p = uc_xrealloc(a->p, na);
		a->alloc = na;
	}
	if (n)
		memcpy(a->p + a->len, s, n);
	a->p[a->len + n] = '\0';
	a->len += n + 1;
	return (uint32_t)at;
}

static uint64_t spell_hash(const char *raw)
{
	uint64_t h = block_hash(raw, strlen(raw), 97);

	return h == UINT64_MAX ? 0 : h; /* UINT64_MAX marks an empty slot */
}

void spellcache_init(struct spellcache *c)
{
	larena_init(&c->raw);
	u64map_init(&c->map);
}

void spellcache_release(struct spellcache *c)
{
	larena_release(&c->raw);
	u64map_release(&c->map);
}

int spellcache_get(const struct spellcache *c, const char *raw, uint32_t *off)
{
	const uint64_t *hit;

	if (!raw)
		return 0;
	hit = u64map_get(&c->map, spell_hash(raw));
	if (!hit || strcmp(c->raw.p + (uint32_t)(*hit >> 32), raw) != 0)
		return 0;
	*off = (uint32_t)*hit;
	return 1;
}

void spellcache_put(struct spellcache *c, const char *raw, uint32_t off)
{
	uint64_t h;

	if (!raw)
		return;
	h = spell_hash(raw);
	if (u64map_get(&c->map, h))
		return;
	u64map_put(&c->map, h, (uint64_t)larena_add(&c->raw, raw, strlen(raw)) << 32 | off);
}

void link_now(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One slice of link_parallel(). */
struct par_job {
	void (*fn)(void *arg, size_t lo, size_t hi); /* the work */
	void *arg;				     /* its data */
	size_t lo;				     /* first item */
	size_t hi;				     /* one past the last */
};

static void *par_run(void *p)
{
	struct par_job *j = p;

	j->fn(j->arg, j->lo, j->hi);
	return NULL;
}

void link_parallel(size_t n, size_t min_n, void (*fn)(void *arg, size_t lo, size_t hi), void *arg)
{
	struct par_job job[LINK_MAX_THREADS];
	pthread_t tid[LINK_MAX_THREADS];
	int started[LINK_MAX_THREADS] = {0};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt = cores > 1 ? (size_t)cores : 1, per;

	if (nt > LINK_MAX_THREADS)
		nt = LINK_MAX_THREADS;
	if (n < min_n || n < nt)
		nt = 1;
	per = (n + nt - 1) / nt;
	for (size_t t = 0; t < nt; t++) {
		job[t].fn = fn;
		job[t].arg = arg;
		job[t].lo = t * per < n ? t * per : n;
		job[t].hi = job[t].lo + per < n ? job[t].lo + per : n;
		/* Slice 0 runs here; a thread that fails to start has its
		 * slice run here too, after. */
		if (t > 0 && pthread_create(&tid[t], NULL, par_run, &job[t]) == 0)
			started[t] = 1;
	}
	par_run(&job[0]);
	for (size_t t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			par_run(&job[t]);
	}
}
