// fuzz-objs: src/link/norm.c src/link/cmp.c src/core/date.c src/core/err.c
/*
 * Fuzz the name normaliser and the name comparators: any bytes (invalid
 * UTF-8, huge names, only particles, only punctuation) must normalise
 * without a crash, stay within the documented bounds, be idempotent on its
 * own output, and compare with itself as EXACT.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "link/cmp.h"
#include "link/norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct norm_name a, b, c;
	char ph[NORM_PHON_MAX], j[NORM_MAX_LEN];
	size_t half = size / 2;

	norm_name((const char *)data, size, &a);
	if (strlen(a.s) >= NORM_MAX_LEN || a.ntok > NORM_MAX_TOK)
		abort();
	for (int t = 0; t < a.ntok; t++) {
		if (a.len[t] == 0 || (size_t)a.off[t] + a.len[t] > strlen(a.s))
			abort();
		if (norm_phon(a.s + a.off[t], a.len[t], ph) >= NORM_PHON_MAX)
			abort();
	}
	if (norm_joined(&a, j, sizeof(j)) >= sizeof(j))
		abort();
	/* Normalising normalised text changes nothing (particles aside: a
	 * name of particles only keeps them, and keeps them again). */
	norm_name(a.s, strlen(a.s), &b);
	if (strcmp(a.s, b.s) != 0)
		abort();
	norm_split(a.s, strlen(a.s), &c);
	if (c.ntok != a.ntok)
		abort();
	if (a.ntok && cmp_name(&a, &b) != CMP_NAME_EXACT)
		abort();
	/* Two halves against each other: any level, no crash, symmetric
	 * similarity bounds. */
	norm_name((const char *)data, half, &b);
	norm_name((const char *)data + half, size - half, &c);
	{
		double s = cmp_name_sim(&b, &c);
		int l = cmp_name(&b, &c);

		if (s < 0 || s > 1.0000001 || l < 0 || l >= CMP_NAME_NLEVELS)
			abort();
	}
	/* Jaro-Winkler on the raw halves (any bytes, past its 64-byte
	 * bit-set limit): within [0, 1], 1 against itself. */
	{
		double s = cmp_jw((const char *)data, half, (const char *)data + half, size - half);

		if (s < 0 || s > 1.0000001)
			abort();
		if (half && cmp_jw((const char *)data, half, (const char *)data, half) != 1.0)
			abort();
	}
	return 0;
}
