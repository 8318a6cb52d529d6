/*
 * lookup.c - EOIR code tables in an open-addressing hash.
 */
#include "ingest/lookup.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/csvr.h"

struct lk_entry {
	char *table; /* table name, owned */
	char *value; /* code, owned */
	char *desc;  /* description(s), owned */
	int pos;     /* 1-based position within its table */
	size_t vlen; /* strlen(value) */
	uint64_t h;  /* hash2(table, value): compared before the strings */
};

struct lookup {
	struct lk_entry *e; /* entries in file order, owned */
	size_t n;	    /* entries used */
	size_t alloc;	    /* entries allocated */
	size_t *slot;	    /* hash slots: entry index + 1, 0 = empty */
	size_t nslot;	    /* power of two */
};

static uint64_t hash2(const char *t, const char *v, size_t vlen)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = t; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (size_t i = 0; i < vlen; i++)
		h = (h ^ (unsigned char)v[i]) * 1099511628211ull;
	return h;
}

static struct lk_entry *find(const struct lookup *lk, const char *table, const char *value,
			     size_t vlen)
{
	size_t mask = lk->nslot - 1;
	uint64_t h;

	if (!lk->nslot)
		return NULL;
	h = hash2(table, value, vlen);
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct lk_entry *e;

		if (!lk->slot[i])
			return NULL;
		e = &lk->e[lk->slot[i] - 1];
		if (e->h == h && e->vlen == vlen && memcmp(e->value, value, vlen) == 0 &&
		    strcmp(e->table, table) == 0)
			return e;
	}
}

static void rehash(struct lookup *lk)
{
	size_t n = lk->nslot ? lk->nslot * 2 : 1024;

	free(lk->slot);
	lk->slot = uc_xcalloc(n, sizeof(size_t));
	lk->nslot = n;
	for (size_t k = 0; k < lk->n; k++) {
		struct lk_entry *e = &lk->e[k];
		size_t i = e->h & (n - 1);

		while (lk->slot[i])
			i = (i + 1) & (n - 1);
		lk->slot[i] = k + 1;
	}
}

static void add(struct lookup *lk, const char *table, const char *value, const char *desc, int pos)
{
	struct lk_entry *e = find(lk, table, value, strlen(value));

	if (e) {
		struct buf b;

		buf_init(&b, 1 << 20);
		buf_adds(&b, e->desc);
		buf_adds(&b, " / ");
		buf_adds(&b, desc);
		free(e->desc);
		e->desc = buf_detach(&b, NULL);
		return;
	}
	if (lk->n == lk->alloc) {
		lk->alloc = lk->alloc ? lk->alloc * 2 : 1024;
		lk->e = uc_xrealloc(lk->e, lk->alloc * sizeof(*lk->e));
	}
	e = &lk->e[lk->n++];
	e->table = uc_xstrdup(table);
	e->value = uc_xstrdup(value);
	e->desc = uc_xstrdup(desc);
	e->pos = pos;
	e->vlen = strlen(value);
	e->h = hash2(table, value, e->vlen);
	if (lk->n * 2 > lk->nslot) {
		rehash(lk);
	} else {
		size_t i = e->h & (lk->nslot - 1);

		while (lk->slot[i])
			i = (i + 1) & (lk->nslot - 1);
		lk->slot[i] = lk->n;
	}
}

int lookup_load(struct lookup **out, const char *path, struct uc_err *err)
{
	struct lookup *lk = uc_xcalloc(1, sizeof(*lk));
	struct csvr *r = NULL;
	struct csvr_row *row;
	int rc, first = 1, ci[3] = {-1, -1, -1};
	char last_table[256] = "";
	int pos = 0;

	*out = NULL;
	rc = csvr_open(&r, path, ',', err);
	if (rc) {
		uc_error(err, UC_EIO,
			 "cannot read the EOIR lookup tables %s (set --eoir-lookup PATH, "
			 "$UCTRACK_EOIR_LOOKUP or [eoir] lookup in the config)",
			 path);
		goto fail;
	}
	while ((rc = csvr_next(r, &row)) != CSVR_EOF) {
		if (rc == CSVR_IOERR) {
			rc = uc_error(err, UC_EIO, "%s", csvr_error(r)->msg);
			goto fail;
		}
		if (rc == CSVR_BAD) {
			rc = uc_error(err, UC_EINPUT, "%s:%ld:%ld: %s", path, row->bad_line,
				      row->col, row->problem);
			goto fail;
		}
		if (first) {
			static const char *const want[3] = {"table", "value", "description"};

			for (int i = 0; i < row->nf; i++)
				for (int k = 0; k < 3; k++)
					if (strcmp(row->f[i], want[k]) == 0)
						ci[k] = i;
			if (ci[0] < 0 || ci[1] < 0 || ci[2] < 0) {
				rc = uc_error(err, UC_EINPUT,
					      "%s:1: not an EOIR lookup file: the header needs "
					      "table, value and description columns",
					      path);
				goto fail;
			}
			first = 0;
			continue;
		}
		if (row->nf <= ci[0] || row->nf <= ci[1] || row->nf <= ci[2])
			continue;
		if (strcmp(last_table, row->f[ci[0]]) != 0) {
			snprintf(last_table, sizeof(last_table), "%s", row->f[ci[0]]);
			pos = 0;
		}
		pos++;
		add(lk, row->f[ci[0]], row->f[ci[1]], row->f[ci[2]], pos);
	}
	if (first) {
		rc = uc_error(err, UC_EINPUT, "%s: empty EOIR lookup file", path);
		goto fail;
	}
	csvr_close(r);
	*out = lk;
	return UC_OK;
fail:
	csvr_close(r);
	lookup_free(lk);
	return rc;
}

const char *lookup_get(const struct lookup *lk, const char *table, const char *value, size_t vlen)
{
	const struct lk_entry *e = find(lk, table, value, vlen);

	return e ? e->desc : NULL;
}

const char *lookup_nth(const struct lookup *lk, const char *table, int n)
{
	for (size_t k = 0; k < lk->n; k++)
		if (lk->e[k].pos == n && strcmp(lk->e[k].table, table) == 0)
			return lk->e[k].value;
	return NULL;
}

size_t lookup_count(const struct lookup *lk)
{
	return lk->n;
}

void lookup_free(struct lookup *lk)
{
	if (!lk)
		return;
	for (size_t k = 0; k < lk->n; k++) {
		free(lk->e[k].table);
		free(lk->e[k].value);
		free(lk->e[k].desc);
	}
	free(lk->e);
	free(lk->slot);
	free(lk);
}
