#include "triage/rdiff.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "triage/facts.h"

/* Slots of the move matrix: a's groups, then groups only in b, then none. */
enum { SLOT_NONE = RULES_MAX_GROUPS * 2, NSLOTS = RULES_MAX_GROUPS * 2 + 1 };

static int slot_of(const struct rules *ra, const struct rules *rb, int g, int in_b)
{
	int k;

	if (g < 0)
		return SLOT_NONE;
	if (!in_b)
		return g;
	k = rules_group_find(ra, rules_group_name(rb, g));
	return k >= 0 ? k : RULES_MAX_GROUPS + g;
}

static const char *slot_name(const struct rules *ra, const struct rules *rb, int s)
{
	if (s == SLOT_NONE)
		return "none";
	if (s >= RULES_MAX_GROUPS)
		return rules_group_name(rb, s - RULES_MAX_GROUPS);
	return rules_group_name(ra, s);
}

int rdiff_run(struct store *st, const struct rules *ra, const struct rules *rb, int samples,
	      struct rdiff *out, struct uc_err *err)
{
	struct rdiff_move *m = NULL;
	struct store_stmt *q = NULL;
	int rc, s;

	memset(out, 0, sizeof(*out));
	if (samples < 0 || samples > RDIFF_SAMPLES_MAX)
		BUG("rdiff_run: samples %d out of range", samples);
	m = uc_xcalloc((size_t)NSLOTS * NSLOTS, sizeof(*m));
	rc = store_prepare(st, "SELECT case_id, facts, as_of FROM case_fact ORDER BY case_id", &q,
			   err);
	if (rc)
		goto out;
	while ((s = store_step(q, err)) == STORE_ROW) {
		struct rules_facts f;
		struct rules_outcome oa, ob;
		const char *asof = store_col_text(q, 2);
		struct rdiff_move *mv;
		int ga, gb;

		f.today = date_today();
		if (asof)
			date_parse(asof, strlen(asof), &f.today);
		if (facts_unpack(store_col_blob(q, 1), (size_t)store_col_bytes(q, 1), &f))
			continue;
		rules_eval(ra, &f, &oa);
		rules_eval(rb, &f, &ob);
		out->total++;
		ga = slot_of(ra, rb, oa.group, 0);
		gb = slot_of(ra, rb, ob.group, 1);
		if (ga == gb)
			continue;
		out->moved++;
		mv = &m[ga * NSLOTS + gb];
		mv->n++;
		if (mv->ns < samples)
			mv->sample[mv->ns++] = store_col_int(q, 0);
	}
	if (s < 0) {
		rc = -s;
		goto out;
	}
	/* Compact the matrix into the list of moves that happened. */
	for (int i = 0; i < NSLOTS; i++)
		for (int j = 0; j < NSLOTS; j++) {
			struct rdiff_move *mv = &m[i * NSLOTS + j];

			if (!mv->n)
				continue;
			mv->from = slot_name(ra, rb, i);
			mv->to = slot_name(ra, rb, j);
			m[out->nmoves++] = *mv;
		}
	out->moves = m;
	m = NULL;
out:
	store_finalize(q);
	free(m);
	if (rc) {
		out->total = out->moved = 0;
		out->nmoves = 0;
	}
	return rc;
}

void rdiff_release(struct rdiff *d)
{
	free(d->moves);
	d->moves = NULL;
	d->nmoves = 0;
}
