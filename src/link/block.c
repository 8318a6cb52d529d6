/*
 * block.c - blocking keys, radix sort, pair generation.
 */
#include "link/block.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

uint64_t block_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ (seed * 0x9e3779b97f4a7c15ULL);

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void block_keys_init(struct block_keys *k)
{
	memset(k, 0, sizeof(*k));
}

void block_keys_add(struct block_keys *k, uint64_t hash, uint32_t rec)
{
	if (rec >= BLOCK_MAX_RECS)
		BUG("block_keys_add: record index %u too large", rec);
	if (k->n == k->alloc) {
		k->alloc = k->alloc ? k->alloc * 2 : 4096;
		k->v = uc_xrealloc(k->v, k->alloc * sizeof(*k->v));
	}
	k->v[k->n++] = (hash & 0xffffffffffULL) << 24 | rec;
}

void block_keys_release(struct block_keys *k)
{
	free(k->v);
	memset(k, 0, sizeof(*k));
}

void block_sort_u64(uint64_t *v, size_t n)
{
	uint64_t *tmp;
	size_t *cnt;

	if (n < 2)
		return;
	if (n < 512) {
		/* Small arrays (buckets): insertion sort beats the 4 radix
		 * passes over 65536 counters. */
		for (size_t i = 1; i < n; i++) {
			uint64_t x = v[i];
			size_t j = i;

			while (j > 0 && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	tmp = uc_xmalloc(n * sizeof(*tmp));
	cnt = uc_xmalloc(65536 * sizeof(*cnt));
	for (int pass = 0; pass < 4; pass++) {
		int sh = pass * 16;
		size_t sum = 0;
		uint64_t *src = pass % 2 ? tmp : v, *dst = pass % 2 ? v : tmp;
		int same = 1;

		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[(src[i] >> sh) & 0xffff]++;
		if (cnt[(src[0] >> sh) & 0xffff] != n)
			same = 0;
		if (same) {
			/* Every entry has the same digit: copy through so the
			 * pass parity still ends in v. */
			memcpy(dst, src, n * sizeof(*src));
			continue;
		}
		for (size_t d = 0; d < 65536; d++) {
			size_t c = cnt[d];

			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i] >> sh) & 0xffff]++] = src[i];
	}
	free(tmp);
	free(cnt);
}

void block_pairs_build(struct block_keys *k, size_t cap, const uint8_t *side,
		       struct block_pairs *out)
{
	size_t i = 0, alloc = 0;

	memset(out, 0, sizeof(*out));
	block_sort_u64(k->v, k->n);
	while (i < k->n) {
		size_t j = i + 1;
		uint64_t h = k->v[i] >> 24;

		while (j < k->n && k->v[j] >> 24 == h)
			j++;
		if (j - i > cap) {
			out->skipped++;
			out->skipped_recs += j - i;
		} else if (j - i >= 2) {
			out->blocks++;
			for (size_t a = i; a < j; a++) {
				uint32_t ra = (uint32_t)(k->v[a] & 0xffffff);

				for (size_t b = a + 1; b < j; b++) {
					uint32_t rb = (uint32_t)(k->v[b] & 0xffffff);

					if (ra == rb)
						continue;
					if (side && side[ra] == side[rb])
						continue;
					if (out->n == alloc) {
						alloc = alloc ? alloc * 2 : 65536;
						out->v =
						    uc_xrealloc(out->v, alloc * sizeof(*out->v));
					}
					out->v[out->n++] = ra < rb ? (uint64_t)ra << 32 | rb
								   : (uint64_t)rb << 32 | ra;
				}
			}
		}
		i = j;
	}
	block_sort_u64(out->v, out->n);
	if (out->n) {
		size_t w = 1;

		for (size_t r = 1; r < out->n; r++) {
			if (out->v[r] != out->v[w - 1])
				out->v[w++] = out->v[r];
		}
		out->n = w;
	}
}

void block_pairs_release(struct block_pairs *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}
