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
static int token_rows(struct store *st, const char *tok, size_t len, int64_t *n, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st,
			       "SELECT count(*) FROM (SELECT 1 FROM person_key"
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

int link_pair_key(const char *a, size_t alen, const char *b, size_t blen,
		  char out[2 * NORM_MAX_LEN])
{
	size_t n = alen < blen ? alen : blen;
	int c = memcmp(a, b, n);

	if (c == 0 && alen == blen)
		return 0;
	if (c > 0 || (c == 0 && alen > blen)) {
		const char *t = a;
		size_t tl = alen;

		a = b;
		alen = blen;
		b = t;
		blen = tl;
	}
	if (alen + blen + 2 > 2 * NORM_MAX_LEN)
		return 0;
	memcpy(out, a, alen);
	out[alen] = ' ';
	memcpy(out + alen + 1, b, blen);
	out[alen + 1 + blen] = '\0';
	return (int)(alen + 1 + blen);
}

/* The two rarest tokens of nn (*a, *b; *b is -1 for one token), counted
 * up to TOKEN_COUNT_CAP rows each; *none when a token has no rows. */
static int rarest_two(struct store *st, const struct norm_name *nn, int *a, int *b, int *none,
		      struct uc_err *err)
{
	int64_t n1 = -1, n2 = -1;

	*a = 0;
	*b = -1;
	*none = 0;
	for (int i = 0; i < nn->ntok && nn->ntok > 1; i++) {
		int64_t n;
		int rc = token_rows(st, nn->s + nn->off[i], nn->len[i], &n, err);

		if (rc)
			return rc;
		if (n == 0) {
			*none = 1; /* a token no one has: no match */
			return UC_OK;
		}
		if (n1 < 0 || n < n1) {
			n2 = n1;
			*b = *a;
			n1 = n;
			*a = i;
		} else if (n2 < 0 || n < n2) {
			n2 = n;
			*b = i;
		}
	}
	return UC_OK;
}

int link_name_candidates(struct store *st, const struct norm_name *nn, int max_scan,
			 link_candidate_fn fn, void *arg, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct buf sql;
	char pair[2 * NORM_MAX_LEN];
	int a = 0, b = -1, none = 0, plen = 0, rc = UC_OK, k = 0;

	if (nn->ntok == 0)
		return uc_error(err, UC_EINPUT, "q: no name tokens in the query");
	/* Two names: the persons with a record bearing both are read straight
	 * from their pair key, as many rows as there are such persons (at 2M
	 * children a common full name has ~100, each of its names ~15,000).
	 * More names: the pair of the two rarest, the others probed per
	 * person. One name, or the same twice: that name's rows. */
	if (nn->ntok > 2)
		rc = rarest_two(st, nn, &a, &b, &none, err);
	else if (nn->ntok == 2)
		b = 1;
	if (rc || none)
		return rc;
	if (b >= 0)
		plen = link_pair_key(nn->s + nn->off[a], nn->len[a], nn->s + nn->off[b], nn->len[b],
				     pair);
	buf_init(&sql, 4096);
	if (plen > 0)
		buf_adds(&sql, "SELECT d.person_id FROM (SELECT person_id FROM person_key"
			       " WHERE key = ?1 AND kind = 'pair' LIMIT ?2) d");
	else
		buf_adds(&sql, "SELECT DISTINCT d.person_id FROM (SELECT person_id FROM person_key"
			       " WHERE key = ?1 AND kind IN ('family','given') LIMIT ?2) d");
	for (int i = 0; i < nn->ntok; i++) {
		if (i == a || (plen > 0 && i == b))
			continue;
		buf_addf(&sql,
			 "%s EXISTS (SELECT 1 FROM person_key x WHERE x.key = ?%d"
			 " AND x.kind IN ('family','given') AND x.person_id = d.person_id)",
			 k == 0 ? " WHERE" : " AND", k + 3);
		k++;
	}
	rc = buf_failed(&sql) ? uc_error(err, UC_ENOMEM, "query too long")
			      : store_prepare(st, sql.ptr, &q, err);
	buf_release(&sql);
	if (rc)
		return rc;
	if (plen > 0)
		store_bind_text(q, 1, pair, plen);
	else
		store_bind_text(q, 1, nn->s + nn->off[a], nn->len[a]);
	store_bind_int(q, 2, max_scan);
	k = 3;
	for (int i = 0; i < nn->ntok; i++)
		if (i != a && !(plen > 0 && i == b))
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
