/*
 * search.c - persons whose names hold every token of a query (person_key,
 * a table of this module). See link.h, link_name_candidates().
 */
#include <string.h>

#include "core/buf.h"
#include "link/link.h"

/* Rows of one token counted before it is called common. */
#define TOKEN_COUNT_CAP 5000

/* Rows of the token (family or given name), counted up to cap. */
static int token_rows(struct store *st, const char *tok, size_t len, int64_t *n,
		      struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st, "SELECT count(*) FROM (SELECT 1 FROM person_key"
				   " WHERE key = ?1 AND kind IN ('family','given') LIMIT ?2)",
			       &q, err);

	*n = 0;
	if (rc)
		return rc;
	store_bind_text(q, 1, tok, (int)len);
	store_bind_int(q, 2, TOKEN_COUNT_CAP);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		*n = store_col_int(q, 0);
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

int link_name_candidates(struct store *st, const struct norm_name *nn, int max_scan,
			 link_candidate_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct buf sql;
	int64_t n1 = -1, n2 = -1;
	int a = 0, b = -1, rc = UC_OK, k = 0;

	if (nn->ntok == 0)
		return uc_error(err, UC_EINPUT, "q: no name tokens in the query");
	/* the two rarest tokens (a, b): their rows are read in key order and
	 * intersected (only a's capped: a person past the cap of b would
	 * otherwise be missed), the others probed per person, so that the
	 * rows read are those of the two rarer names, not the commonest */
	for (int i = 0; i < nn->ntok && nn->ntok > 1; i++) {
		int64_t n;

		rc = token_rows(st, nn->s + nn->off[i], nn->len[i], &n, err);
		if (rc)
			return rc;
		if (n == 0)
			return UC_OK; /* a token no one has: no match */
		if (n1 < 0 || n < n1) {
			n2 = n1;
			b = a;
			n1 = n;
			a = i;
		} else if (n2 < 0 || n < n2) {
			n2 = n;
			b = i;
		}
	}
	buf_init(&sql, 4096);
	buf_adds(&sql, "SELECT DISTINCT d.person_id FROM (SELECT person_id FROM (SELECT person_id"
		       " FROM person_key WHERE key = ?1 AND kind IN ('family','given') LIMIT ?2)");
	if (b >= 0)
		buf_adds(&sql, " INTERSECT SELECT person_id FROM person_key"
			       " WHERE key = ?3 AND kind IN ('family','given')");
	buf_adds(&sql, ") d");
	for (int i = 0; i < nn->ntok; i++) {
		if (i == a || i == b)
			continue;
		buf_addf(&sql, "%s EXISTS (SELECT 1 FROM person_key x WHERE x.key = ?%d"
			       " AND x.kind IN ('family','given') AND x.person_id = d.person_id)",
			 k == 0 ? " WHERE" : " AND", k + 4);
		k++;
	}
	rc = buf_failed(&sql) ? uc_error(err, UC_ENOMEM, "query too long")
			      : store_prepare(st, sql.ptr, &q, err);
	buf_release(&sql);
	if (rc)
		return rc;
	store_bind_text(q, 1, nn->s + nn->off[a], nn->len[a]);
	store_bind_int(q, 2, max_scan);
	if (b >= 0)
		store_bind_text(q, 3, nn->s + nn->off[b], nn->len[b]);
	k = 4;
	for (int i = 0; i < nn->ntok; i++)
		if (i != a && i != b)
			store_bind_text(q, k++, nn->s + nn->off[i], nn->len[i]);
	{
		int stop = 0, hit = UC_OK;

		while (!hit && !stop && (rc = store_step(q, err)) == STORE_ROW)
			hit = fn(arg, store_col_int(q, 0), &stop, err);
		store_finalize(q);
		/* fn's error is a UC_ code, the step's negative */
		return hit ? hit : rc < 0 ? -rc : UC_OK;
	}
}
