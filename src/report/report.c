/*
 * report.c - oversight and failure-to-appear reports (see report.h and
 * docs/reports.md).
 *
 * How it works: every source table the report needs is scanned once in
 * rid order. Rows from files imported after the cutoff are skipped; of the
 * rest, the last row seen for a source key is its latest version (rids
 * grow), so rows are staged in a per-table array indexed through a
 * source-key map and applied to the children once the table is read. A
 * child is a slot in an array found through a 64-bit key map (the A-number
 * as a number, or the linked person id). Metrics are then folded per child
 * into the rows of the table. Everything is in memory and linear in the
 * number of records; SQLite only streams rows.
 */
#include "report/report.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/anum.h"
#include "core/date.h"
#include "report/format.h"

#define NONE UC_DATE_NONE

/* ---------------------------------------------------------------- maps */

/* Open-addressing map from a 64-bit key to a 32-bit value. Key and value
 * share a slot so that a probe touches one cache line. */
struct u64slot {
	uint64_t key; /* the key */
	uint32_t val; /* its value, UINT32_MAX marks an empty slot */
};

struct u64map {
	struct u64slot *slot; /* slots; owned */
	size_t cap;	      /* slots, a power of two */
	size_t n;	      /* used slots */
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static void u64map_init(struct u64map *m, size_t hint)
{
	size_t cap = 1024;

	while (cap < hint * 2)
		cap <<= 1;
	m->cap = cap;
	m->n = 0;
	m->slot = uc_xmalloc(cap * sizeof(*m->slot));
	for (size_t i = 0; i < cap; i++)
		m->slot[i].val = UINT32_MAX;
}

static void u64map_release(struct u64map *m)
{
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

static size_t u64map_find(const struct u64map *m, uint64_t key)
{
	size_t i = mix64(key) & (m->cap - 1);

	while (m->slot[i].val != UINT32_MAX && m->slot[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static uint32_t u64map_get(const struct u64map *m, uint64_t key)
{
	if (!m->cap)
		return UINT32_MAX;
	return m->slot[u64map_find(m, key)].val;
}

static void u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct u64map g;

		u64map_init(&g, m->cap);
		for (size_t k = 0; k < m->cap; k++) {
			if (m->slot[k].val != UINT32_MAX) {
				g.slot[u64map_find(&g, m->slot[k].key)] = m->slot[k];
				g.n++;
			}
		}
		u64map_release(m);
		*m = g;
	}
	i = u64map_find(m, key);
	if (m->slot[i].val == UINT32_MAX)
		m->n++;
	m->slot[i].key = key;
	m->slot[i].val = val;
}

/* Source keys of one table: string -> staged row index. Key bytes live in
 * one arena; the map holds a 64-bit hash and the row index. */
struct skeymap {
	struct u64map idx; /* hash -> first row index with that hash */
	uint32_t *next;	   /* per row: next row with the same hash; owned */
	uint32_t *off;	   /* per row: offset of its key in arena; owned */
	uint32_t *len;	   /* per row: key length; owned */
	struct buf arena;  /* key bytes */
	size_t alloc;	   /* entries allocated in next/off/len */
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

static void skeymap_init(struct skeymap *m, size_t hint)
{
	memset(m, 0, sizeof(*m));
	u64map_init(&m->idx, hint);
	buf_init(&m->arena, (size_t)UINT32_MAX);
}

static void skeymap_release(struct skeymap *m)
{
	if (!m->idx.cap)
		return;
	u64map_release(&m->idx);
	free(m->next);
	free(m->off);
	free(m->len);
	buf_release(&m->arena);
	memset(m, 0, sizeof(*m));
}

/*
 * Row index of key s, adding it as row `fresh` when absent. Returns the
 * existing index or `fresh`; -1 when the arena is full.
 */
static int64_t skeymap_find_or_add(struct skeymap *m, const char *s, size_t n, uint32_t fresh)
{
	uint64_t h = hash_bytes(s, n);
	uint32_t r = u64map_get(&m->idx, h);

	for (uint32_t k = r; k != UINT32_MAX; k = m->next[k]) {
		if (m->len[k] == n && (n == 0 || memcmp(m->arena.ptr + m->off[k], s, n) == 0))
			return k;
	}
	if (fresh >= m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 4096;
		while (m->alloc <= fresh)
			m->alloc *= 2;
		m->next = uc_xrealloc(m->next, m->alloc * sizeof(uint32_t));
		m->off = uc_xrealloc(m->off, m->alloc * sizeof(uint32_t));
		m->len = uc_xrealloc(m->len, m->alloc * sizeof(uint32_t));
	}
	m->off[fresh] = (uint32_t)m->arena.len;
	m->len[fresh] = (uint32_t)n;
	if (buf_add(&m->arena, s, n))
		return -1;
	m->next[fresh] = r;
	u64map_put(&m->idx, h, fresh);
	return fresh;
}

/* ------------------------------------------------------------ children */

enum addr_status {
	AS_NONE,
	AS_UNVERIFIED,
	AS_VERIFIED,
	AS_UNDELIVERABLE,
	AS_BLANK,
	AS_MISSING_UNIT
};

enum child_flag {
	CF_RELEASED = 1 << 0,	 /* released to a sponsor by the as-of date */
	CF_COURT = 1 << 1,	 /* has a hearing on the court's calendar */
	CF_HEARD = 1 << 2,	 /* a hearing date has passed */
	CF_MISSED = 1 << 3,	 /* missed a hearing (or ordered in absentia) */
	CF_ABSENTIA = 1 << 4,	 /* ordered removed in absentia */
	CF_RESCINDED = 1 << 5,	 /* an in absentia order was rescinded */
	CF_REPRESENTED = 1 << 6, /* counsel of record at some point */
	CF_CONCERN = 1 << 7,	 /* a welfare concern was found */
	CF_REF_LEGAL = 1 << 8,	 /* referred to a legal service provider */
	CF_REF_HSI = 1 << 9,	 /* referred to HSI */
	CF_REF_CPS = 1 << 10,	 /* referred to child protective services */
	CF_REF_HHS = 1 << 11,	 /* referred to HHS */
	CF_REMOVED = 1 << 12,	 /* removal executed */
};

/* What the records say about one child as of the report date. */
struct child {
	int64_t anum;	       /* A-number as a number, -1 when unknown */
	int64_t person;	       /* linked person id, 0 when not linked */
	uint32_t flags;	       /* enum child_flag */
	int32_t rel_first;     /* first release date, NONE */
	int32_t rel_last;      /* latest release date, NONE */
	int64_t rel_rid;       /* orr_placement rid of the latest release */
	int64_t case_rid;      /* eoir_case rid (for the fta list) */
	int32_t addr_date;     /* date of the latest known address */
	uint8_t addr_status;   /* enum addr_status of that address */
	uint8_t attempt_moved; /* latest contact attempt found the child gone */
	uint8_t attempt_tbl;   /* 1 orr_contact, 2 field_event */
	int32_t verified_last; /* latest verified address date, NONE */
	int32_t seen_last;     /* latest successful contact or sighting */
	int32_t attempt_last;  /* latest contact attempt date, NONE */
	int64_t attempt_rid;   /* rid of that attempt */
	int32_t contact_first; /* first successful contact on/after release */
	int32_t served_first;  /* first NTA service date, NONE */
	int32_t filed_first;   /* first NTA filing date, NONE */
	int32_t absentia_date; /* latest in absentia order date, NONE */
	int32_t missed_last;   /* latest missed hearing date, NONE */
	int64_t missed_rid;    /* eoir_hearing rid of it, 0 if only an order */
	int64_t missed_case;   /* IDNCASE of the missed hearing */
	uint32_t attempts;     /* contact attempts (ORR and field) */
	uint32_t successes;    /* successful contact attempts */
	char state[3];	       /* sponsor's state (latest release) */
	char country[3];       /* country of citizenship */
	uint8_t tri;	       /* triage label index (--by group|phase) */
};

/* Most distinct triage labels (groups or phases) a report shows. */
#define REPORT_MAX_TRI 64

/* Table codes used in person_record keys. */
enum tbl { T_PLACEMENT = 1, T_CONTACT, T_NTA, T_REMOVAL, T_CASE, T_EVENT };

struct ctx {
	struct store *st;		 /* borrowed */
	const struct report_opts *o;	 /* resolved options; borrowed */
	int32_t as_of;			 /* records' own dates <= as_of */
	char known_at[32];		 /* import cutoff: YYYY-MM-DD or a timestamp */
	unsigned char *file_ok;		 /* per import_file id: imported by cutoff */
	int64_t nfiles;			 /* entries in file_ok */
	int person_mode;		 /* children are linked persons */
	struct u64map rec_person;	 /* (tbl << 40 | rid) -> person index */
	int64_t *persons;		 /* person ids, by person index; owned */
	size_t npersons;		 /* used entries of persons */
	struct u64map anum_person;	 /* A-number -> person index */
	struct u64map child_of;		 /* child key -> child index */
	struct child *kids;		 /* children; owned */
	size_t nkids, kalloc;		 /* used and allocated */
	struct u64map case_child;	 /* IDNCASE -> child index */
	struct u64map case_absentia;	 /* IDNCASE -> latest in absentia date */
	int64_t unattributed;		 /* records naming no child */
	struct uc_err *err;		 /* where errors go */
	char *tri_label[REPORT_MAX_TRI]; /* triage labels; owned */
	int ntri;			 /* used entries of tri_label */
	int64_t last_anum;		 /* cache of child_of(): last A-number, */
	uint32_t last_kid;		 /* and its child index */
};

static int32_t col_date(struct store_stmt *q, int i)
{
	const char *s = store_col_text(q, i);
	int32_t d;

	if (!s || date_parse(s, (size_t)store_col_bytes(q, i), &d))
		return NONE;
	return d;
}

static int col_is(struct store_stmt *q, int i, const char *want)
{
	const char *s = store_col_text(q, i);

	return s && strcmp(s, want) == 0;
}

static int32_t dmin(int32_t a, int32_t b)
{
	if (a == NONE)
		return b;
	if (b == NONE)
		return a;
	return a < b ? a : b;
}

static int32_t dmax(int32_t a, int32_t b)
{
	if (a == NONE)
		return b;
	if (b == NONE)
		return a;
	return a > b ? a : b;
}

static uint32_t child_new(struct ctx *x, uint64_t key, int64_t anum, int64_t person)
{
	struct child *c;

	if (x->nkids == x->kalloc) {
		x->kalloc = x->kalloc ? 2 * x->kalloc : 4096;
		x->kids = uc_xrealloc(x->kids, x->kalloc * sizeof(*x->kids));
	}
	c = &x->kids[x->nkids];
	memset(c, 0, sizeof(*c));
	c->anum = anum;
	c->person = person;
	c->rel_first = c->rel_last = NONE;
	c->addr_date = c->verified_last = c->seen_last = NONE;
	c->attempt_last = c->contact_first = NONE;
	c->served_first = c->filed_first = c->absentia_date = NONE;
	c->missed_last = NONE;
	memcpy(c->state, "", 1);
	memcpy(c->country, "", 1);
	u64map_put(&x->child_of, key, (uint32_t)x->nkids);
	return (uint32_t)x->nkids++;
}

/*
 * The child a record names: its linked person (person mode: by the
 * record's own link, else by its A-number through person.a_number), else
 * its A-number. UINT32_MAX when it names none (counted as unattributed).
 */
static uint32_t child_of(struct ctx *x, enum tbl t, int64_t rid, int64_t anum)
{
	uint32_t k;

	if (x->person_mode) {
		uint32_t p = u64map_get(&x->rec_person, ((uint64_t)t << 40) | (uint64_t)rid);

		if (p == UINT32_MAX && anum >= 0)
			p = u64map_get(&x->anum_person, (uint64_t)anum);
		if (p != UINT32_MAX) {
			uint64_t key = (1ULL << 62) | (uint64_t)x->persons[p];

			k = u64map_get(&x->child_of, key);
			if (k == UINT32_MAX)
				k = child_new(x, key, anum, x->persons[p]);
			else if (x->kids[k].anum < 0)
				x->kids[k].anum = anum;
			return k;
		}
	}
	if (anum < 0) {
		x->unattributed++;
		return UINT32_MAX;
	}
	/* Feeds list a child's records together: remember the last one. */
	if (anum == x->last_anum)
		return x->last_kid;
	k = u64map_get(&x->child_of, (uint64_t)anum);
	if (k == UINT32_MAX)
		k = child_new(x, (uint64_t)anum, anum, 0);
	x->last_anum = anum;
	x->last_kid = k;
	return k;
}

/* ------------------------------------------------------------- staging */

/* One staged row of any table (the fields each table needs). */
struct srow {
	int64_t rid;	   /* record id */
	int64_t anum;	   /* A-number, -1 when blank */
	int64_t idncase;   /* EOIR case id (eoir tables, removals), -1 */
	int32_t d1, d2;	   /* dates, meaning per table */
	uint8_t a, b;	   /* codes, meaning per table */
	char s1[3], s2[3]; /* short codes (state, country) */
};

typedef void (*fill_fn)(struct ctx *x, struct store_stmt *q, struct srow *r);

struct stage {
	struct srow *rows; /* latest version per source key; owned */
	size_t n, alloc;   /* used and allocated rows */
};

/*
 * One pass over sql (columns: rid, file_id, skey, then the table's own),
 * staging rows from files imported by the cutoff. With km, the latest
 * version of each source key wins; without it every row is staged, and a
 * row with no import file (an API event) stops the pass with *restart set,
 * since its key may repeat a file's.
 */
static int stage_scan(struct ctx *x, const char *sql, fill_fn fill, struct stage *sg,
		      struct skeymap *km, int *restart)
{
	struct store_stmt *q = NULL;
	int rc;

	*restart = 0;
	rc = store_prepare(x->st, sql, &q, x->err);
	if (rc)
		return rc;
	for (;;) {
		int s = store_step(q, x->err);
		int64_t fid, slot = (int64_t)sg->n;

		if (s < 0) {
			rc = -s;
			break;
		}
		if (s == STORE_DONE)
			break;
		if (!store_col_is_null(q, 1)) {
			fid = store_col_int(q, 1);
			if (fid < 0 || fid >= x->nfiles || !x->file_ok[fid])
				continue;
		} else if (!km) {
			*restart = 1;
			break;
		}
		if (km) {
			slot = skeymap_find_or_add(km, store_col_text(q, 2),
						   (size_t)store_col_bytes(q, 2), (uint32_t)sg->n);
			if (slot < 0) {
				rc = uc_error(x->err, UC_ENOMEM,
					      "report: too many source keys; "
					      "report on a smaller store");
				break;
			}
		}
		if ((size_t)slot == sg->n) {
			if (sg->n == sg->alloc) {
				sg->alloc = sg->alloc ? 2 * sg->alloc : 4096;
				sg->rows = uc_xrealloc(sg->rows, sg->alloc * sizeof(*sg->rows));
			}
			sg->n++;
		}
		struct srow *r = &sg->rows[slot];

		memset(r, 0, sizeof(*r));
		r->rid = store_col_int(q, 0);
		r->anum = -1;
		r->idncase = -1;
		r->d1 = r->d2 = NONE;
		fill(x, q, r);
	}
	store_finalize(q);
	return rc;
}

/*
 * Stage the latest version of each source record of tbl (via sql). The
 * importer rejects a key repeated within one file, so versions only arise
 * across files: when a single admitted file fed the table, every row is
 * its own latest version and the source-key map is skipped (it is the
 * costliest part of a report on a large store).
 */
static int stage_table(struct ctx *x, const char *tbl, const char *sql, fill_fn fill,
		       struct stage *sg)
{
	struct store_stmt *q = NULL;
	struct skeymap km;
	char hsql[96];
	int64_t hint = 0, nfiles = 0;
	int rc, restart = 0, dedup;

	memset(sg, 0, sizeof(*sg));
	memset(&km, 0, sizeof(km));
	/* Size arrays once (max(rid) is an index look-up). tbl is ours. */
	snprintf(hsql, sizeof(hsql), "SELECT coalesce(max(rid), 0) FROM %s", tbl);
	rc = store_query_int(x->st, hsql, &hint, x->err);
	if (rc)
		return rc;
	if (hint < 1024)
		hint = 1024;
	rc = store_prepare(x->st,
			   strlen(x->known_at) == 10
			       ? "SELECT count(*) FROM import_file WHERE tbl = ? "
				 "AND rows_new > 0 AND substr(imported_at, 1, 10) <= ?"
			       : "SELECT count(*) FROM import_file WHERE tbl = ? "
				 "AND rows_new > 0 AND imported_at <= ?",
			   &q, x->err);
	if (rc)
		return rc;
	store_bind_text(q, 1, tbl, -1);
	store_bind_text(q, 2, x->known_at, -1);
	rc = store_step(q, x->err);
	if (rc == STORE_ROW)
		nfiles = store_col_int(q, 0);
	store_finalize(q);
	if (rc < 0)
		return -rc;
	dedup = nfiles > 1;
	sg->alloc = (size_t)hint;
	sg->rows = uc_xmalloc(sg->alloc * sizeof(*sg->rows));
	for (int pass = 0; pass < 2; pass++) {
		if (dedup)
			skeymap_init(&km, (size_t)hint);
		sg->n = 0;
		rc = stage_scan(x, sql, fill, sg, dedup ? &km : NULL, &restart);
		if (rc || !restart)
			break;
		dedup = 1;
	}
	skeymap_release(&km);
	if (rc) {
		free(sg->rows);
		memset(sg, 0, sizeof(*sg));
	}
	return rc;
}

static void copy2(char out[3], const char *s)
{
	out[0] = out[1] = out[2] = 0;
	if (s && s[0] && s[1] && !s[2]) {
		out[0] = s[0];
		out[1] = s[1];
	}
}

/* orr_placement: d1 released, d2 admitted, a 1 = released to sponsor,
 * b = address status, s1 state, s2 country. */
static void fill_placement(struct ctx *x, struct store_stmt *q, struct srow *r)
{
	const char *st = store_col_text(q, 7);

	r->anum = anum_value(store_col_text(q, 3));
	r->d1 = col_date(q, 4);
	r->d2 = col_date(q, 5);
	r->a = col_is(q, 6, "sponsor");
	r->b = AS_UNVERIFIED;
	if (st && strcmp(st, "blank") == 0)
		r->b = AS_BLANK;
	else if (st && strcmp(st, "missing_unit") == 0)
		r->b = AS_MISSING_UNIT;
	else if (st && strcmp(st, "undeliverable") == 0)
		r->b = AS_UNDELIVERABLE;
	else if (st && strcmp(st, "verified") == 0)
		r->b = AS_VERIFIED;
	copy2(r->s1, store_col_text(q, 8));
	copy2(r->s2, store_col_text(q, 9));
}

/* Contact outcomes. */
enum { CO_FAIL, CO_REACHED, CO_CONCERN, CO_MOVED };

/* orr_contact: d1 contact date, a outcome. */
static void fill_contact(struct ctx *x, struct store_stmt *q, struct srow *r)
{
	const char *res = store_col_text(q, 5);

	r->anum = anum_value(store_col_text(q, 3));
	r->d1 = col_date(q, 4);
	r->a = CO_FAIL;
	if (res && strcmp(res, "reached_safe") == 0)
		r->a = CO_REACHED;
	else if (res && strcmp(res, "reached_concern") == 0)
		r->a = CO_CONCERN;
	else if (res && strcmp(res, "not_at_address") == 0)
		r->a = CO_MOVED;
}

/* ice_nta: d1 served, d2 filed. */
static void fill_nta(struct ctx *x, struct store_stmt *q, struct srow *r)
{
	r->anum = anum_value(store_col_text(q, 3));
	r->d1 = col_date(q, 4);
	r->d2 = col_date(q, 5);
}

enum { RA_OTHER, RA_RESCINDED, RA_EXECUTED };

/* ice_removal: d1 action date, a action. */
static void fill_removal(struct ctx *x, struct store_stmt *q, struct srow *r)
{
	r->anum = anum_value(store_col_text(q, 3));
	r->d1 = col_date(q, 5);
	r->a = col_is(q, 4, "order_rescinded")	  ? RA_RESCINDED
	       : col_is(q, 4, "removal_executed") ? RA_EXECUTED
						  : RA_OTHER;
}

/* eoir_case: idncase, a 1 = counsel of record. */
static void fill_case(struct ctx *x, struct store_stmt *q, struct srow *r)
{
	const char *atty = store_col_text(q, 5);

	r->idncase = store_col_int(q, 3);
	r->anum = anum_value(store_col_text(q, 4));
	r->a = atty && atty[0] && strcmp(atty, "NULL") != 0;
}

enum { PD_NONE, PD_ABSENTIA, PD_RESCIND };

/* eoir_proceeding: idncase, d1 decision date, d2 hearing date, a decision. */
static void fill_proceeding(struct ctx *x, struct store_stmt *q, struct srow *r)
{
	r->idncase = store_col_int(q, 3);
	r->d1 = col_date(q, 6);
	r->d2 = col_date(q, 7);
	if (col_is(q, 4, "X") && col_is(q, 5, "Y"))
		r->a = PD_ABSENTIA;
	else if (col_is(q, 4, "R"))
		r->a = PD_RESCIND;
}

/* eoir_hearing: idncase, d1 hearing date, a fta notice. */
static void fill_hearing(struct ctx *x, struct store_stmt *q, struct srow *r)
{
	r->idncase = store_col_int(q, 3);
	r->d1 = col_date(q, 4);
	r->a = store_col_int(q, 5) != 0;
}

/* Field event types and outcomes. */
enum { EV_OTHER, EV_CONTACT, EV_WELFARE, EV_REFERRAL, EV_ADDRESS, EV_REPRESENTATION, EV_MTR };
enum { WF_SAFE = 1, WF_CONCERN, WF_NOT_SEEN };
enum { RF_LEGAL = 1, RF_HSI, RF_CPS, RF_HHS };

/*
 * The string value of "key" in a JSON object's text, into out (cap bytes,
 * NUL-terminated); "" when absent or not a plain string. Events are stored
 * as canonical JSON, so a scan suffices: this never parses nested values.
 */
static void json_field(const char *js, size_t n, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);

	out[0] = 0;
	if (!js)
		return;
	for (size_t i = 0; i + kl + 2 < n; i++) {
		size_t j, o = 0;

		if (js[i] != '"' || memcmp(js + i + 1, key, kl) != 0 || js[i + 1 + kl] != '"')
			continue;
		j = i + kl + 2;
		while (j < n && (js[j] == ' ' || js[j] == ':'))
			j++;
		if (j >= n || js[j] != '"')
			return;
		for (j++; j < n && js[j] != '"' && js[j] != '\\' && o + 1 < cap; j++)
			out[o++] = js[j];
		out[o] = 0;
		return;
	}
}

/* field_event: d1 occurred, a type, b outcome/target/status. */
static void fill_event(struct ctx *x, struct store_stmt *q, struct srow *r)
{
	const char *type = store_col_text(q, 4);
	const char *body = store_col_text(q, 6);
	size_t blen = (size_t)store_col_bytes(q, 6);
	char v[32];

	r->anum = anum_value(store_col_text(q, 3));
	r->d1 = col_date(q, 5);
	if (!type)
		return;
	if (strcmp(type, "contact_attempt") == 0) {
		r->a = EV_CONTACT;
		json_field(body, blen, "outcome", v, sizeof(v));
		r->b = strcmp(v, "reached") == 0				       ? CO_REACHED
		       : (strcmp(v, "moved") == 0 || strcmp(v, "not_at_address") == 0) ? CO_MOVED
										       : CO_FAIL;
	} else if (strcmp(type, "welfare_check") == 0) {
		r->a = EV_WELFARE;
		json_field(body, blen, "outcome", v, sizeof(v));
		r->b = strcmp(v, "safe") == 0	   ? WF_SAFE
		       : strcmp(v, "concern") == 0 ? WF_CONCERN
						   : WF_NOT_SEEN;
	} else if (strcmp(type, "referral") == 0) {
		r->a = EV_REFERRAL;
		json_field(body, blen, "to", v, sizeof(v));
		r->b = strcmp(v, "legal_provider") == 0 ? RF_LEGAL
		       : strcmp(v, "hsi") == 0		? RF_HSI
		       : strcmp(v, "cps") == 0		? RF_CPS
		       : strcmp(v, "hhs") == 0		? RF_HHS
							: 0;
	} else if (strcmp(type, "address_update") == 0) {
		r->a = EV_ADDRESS;
		json_field(body, blen, "status", v, sizeof(v));
		r->b = strcmp(v, "verified") == 0	 ? AS_VERIFIED
		       : strcmp(v, "undeliverable") == 0 ? AS_UNDELIVERABLE
							 : AS_UNVERIFIED;
	} else if (strcmp(type, "representation") == 0) {
		r->a = EV_REPRESENTATION;
		json_field(body, blen, "status", v, sizeof(v));
		r->b = strcmp(v, "started") == 0;
	} else if (strcmp(type, "motion_to_reopen") == 0) {
		r->a = EV_MTR;
		json_field(body, blen, "status", v, sizeof(v));
		r->b = strcmp(v, "granted") == 0;
	}
}

/* ------------------------------------------------------------- loading */

static int load_files(struct ctx *x)
{
	struct store_stmt *q = NULL;
	int64_t maxid = 0;
	int rc;

	rc = store_query_int(x->st, "SELECT coalesce(max(id), 0) FROM import_file", &maxid, x->err);
	if (rc)
		return rc;
	x->nfiles = maxid + 1;
	x->file_ok = uc_xcalloc((size_t)x->nfiles, 1);
	/* A date cutoff includes the whole day; a timestamp is compared as
	 * the ISO-8601 text the importer writes. */
	rc = store_prepare(x->st,
			   strlen(x->known_at) == 10
			       ? "SELECT id FROM import_file "
				 "WHERE substr(imported_at, 1, 10) <= ?"
			       : "SELECT id FROM import_file WHERE imported_at <= ?",
			   &q, x->err);
	if (rc)
		return rc;
	store_bind_text(q, 1, x->known_at, -1);
	for (;;) {
		int s = store_step(q, x->err);

		if (s < 0) {
			rc = -s;
			break;
		}
		if (s == STORE_DONE)
			break;
		int64_t id = store_col_int(q, 0);

		if (id >= 0 && id < x->nfiles)
			x->file_ok[id] = 1;
	}
	store_finalize(q);
	return rc;
}

static int tbl_code(const char *s)
{
	if (!s)
		return 0;
	if (strcmp(s, "orr_placement") == 0)
		return T_PLACEMENT;
	if (strcmp(s, "orr_contact") == 0)
		return T_CONTACT;
	if (strcmp(s, "ice_nta") == 0)
		return T_NTA;
	if (strcmp(s, "ice_removal") == 0)
		return T_REMOVAL;
	if (strcmp(s, "eoir_case") == 0)
		return T_CASE;
	if (strcmp(s, "field_event") == 0)
		return T_EVENT;
	return 0;
}

/* Person mode: record links and the A-numbers of persons. */
static int load_persons(struct ctx *x)
{
	struct store_stmt *q = NULL;
	struct u64map pidx;
	int rc;

	u64map_init(&pidx, 1 << 16);
	u64map_init(&x->rec_person, 1 << 16);
	u64map_init(&x->anum_person, 1 << 16);
	rc = store_prepare(x->st, "SELECT id, a_number FROM person ORDER BY id", &q, x->err);
	if (rc)
		goto out;
	for (;;) {
		int s = store_step(q, x->err);

		if (s < 0) {
			rc = -s;
			goto out;
		}
		if (s == STORE_DONE)
			break;
		int64_t id = store_col_int(q, 0), an = anum_value(store_col_text(q, 1));

		if (x->npersons % 4096 == 0)
			x->persons =
			    uc_xrealloc(x->persons, (x->npersons + 4096) * sizeof(int64_t));
		x->persons[x->npersons] = id;
		u64map_put(&pidx, (uint64_t)id, (uint32_t)x->npersons);
		if (an >= 0 && u64map_get(&x->anum_person, (uint64_t)an) == UINT32_MAX)
			u64map_put(&x->anum_person, (uint64_t)an, (uint32_t)x->npersons);
		x->npersons++;
	}
	store_finalize(q);
	q = NULL;
	rc = store_prepare(x->st, "SELECT src_tbl, src_rid, person_id FROM person_record", &q,
			   x->err);
	if (rc)
		goto out;
	for (;;) {
		int s = store_step(q, x->err);

		if (s < 0) {
			rc = -s;
			goto out;
		}
		if (s == STORE_DONE)
			break;
		int t = tbl_code(store_col_text(q, 0));
		uint32_t p = u64map_get(&pidx, (uint64_t)store_col_int(q, 2));

		if (!t || p == UINT32_MAX)
			continue;
		u64map_put(&x->rec_person, ((uint64_t)t << 40) | (uint64_t)store_col_int(q, 1), p);
	}
out:
	store_finalize(q);
	u64map_release(&pidx);
	return rc;
}

static void apply_placements(struct ctx *x, const struct stage *sg)
{
	for (size_t i = 0; i < sg->n; i++) {
		const struct srow *r = &sg->rows[i];
		uint32_t k;
		struct child *c;

		k = child_of(x, T_PLACEMENT, r->rid, r->anum);
		if (k == UINT32_MAX)
			continue;
		c = &x->kids[k];
		if (r->s2[0] && !c->country[0])
			memcpy(c->country, r->s2, 3);
		if (!r->a || r->d1 == NONE || r->d1 > x->as_of)
			continue;
		c->flags |= CF_RELEASED;
		c->rel_first = dmin(c->rel_first, r->d1);
		if (c->rel_last == NONE || r->d1 >= c->rel_last) {
			c->rel_last = r->d1;
			c->rel_rid = r->rid;
			memcpy(c->state, r->s1, 3);
			if (r->s2[0])
				memcpy(c->country, r->s2, 3);
		}
		if (c->addr_date == NONE || r->d1 >= c->addr_date) {
			c->addr_date = r->d1;
			c->addr_status = r->b;
		}
		if (r->b == AS_VERIFIED)
			c->verified_last = dmax(c->verified_last, r->d1);
	}
}

/* A contact attempt (ORR or field) of outcome co on date d. */
static void contact(struct ctx *x, struct child *c, int32_t d, int co, int tbl, int64_t rid)
{
	c->attempts++;
	if (co == CO_REACHED || co == CO_CONCERN) {
		c->successes++;
		c->seen_last = dmax(c->seen_last, d);
		if (c->rel_first != NONE && d >= c->rel_first)
			c->contact_first = dmin(c->contact_first, d);
	}
	if (co == CO_CONCERN)
		c->flags |= CF_CONCERN;
	if (c->attempt_last == NONE || d >= c->attempt_last) {
		c->attempt_last = d;
		c->attempt_moved = co == CO_MOVED;
		c->attempt_tbl = (uint8_t)tbl;
		c->attempt_rid = rid;
	}
}

static void apply_contacts(struct ctx *x, const struct stage *sg)
{
	for (size_t i = 0; i < sg->n; i++) {
		const struct srow *r = &sg->rows[i];
		uint32_t k;

		if (r->d1 == NONE || r->d1 > x->as_of)
			continue;
		k = child_of(x, T_CONTACT, r->rid, r->anum);
		if (k != UINT32_MAX)
			contact(x, &x->kids[k], r->d1, r->a, 1, r->rid);
	}
}

static void apply_ntas(struct ctx *x, const struct stage *sg)
{
	for (size_t i = 0; i < sg->n; i++) {
		const struct srow *r = &sg->rows[i];
		uint32_t k = child_of(x, T_NTA, r->rid, r->anum);

		if (k == UINT32_MAX)
			continue;
		if (r->d1 != NONE && r->d1 <= x->as_of)
			x->kids[k].served_first = dmin(x->kids[k].served_first, r->d1);
		if (r->d2 != NONE && r->d2 <= x->as_of)
			x->kids[k].filed_first = dmin(x->kids[k].filed_first, r->d2);
	}
}

static void apply_removals(struct ctx *x, const struct stage *sg)
{
	for (size_t i = 0; i < sg->n; i++) {
		const struct srow *r = &sg->rows[i];
		uint32_t k;

		if (r->d1 == NONE || r->d1 > x->as_of || r->a == RA_OTHER)
			continue;
		k = child_of(x, T_REMOVAL, r->rid, r->anum);
		if (k == UINT32_MAX)
			continue;
		x->kids[k].flags |= r->a == RA_RESCINDED ? CF_RESCINDED : CF_REMOVED;
	}
}

static void apply_cases(struct ctx *x, const struct stage *sg)
{
	u64map_init(&x->case_child, sg->n + 1);
	for (size_t i = 0; i < sg->n; i++) {
		const struct srow *r = &sg->rows[i];
		uint32_t k = child_of(x, T_CASE, r->rid, r->anum);

		if (k == UINT32_MAX)
			continue;
		u64map_put(&x->case_child, (uint64_t)r->idncase, k);
		/* An EOIR case exists only once an NTA was filed with the
		 * court; its own dates come with its proceedings. */
		if (r->a)
			x->kids[k].flags |= CF_REPRESENTED;
		if (!x->kids[k].case_rid)
			x->kids[k].case_rid = r->rid;
	}
}

/* EOIR records name a case; the case names the child. */
static struct child *case_kid(struct ctx *x, int64_t idncase)
{
	uint32_t k = u64map_get(&x->case_child, (uint64_t)idncase);

	if (k == UINT32_MAX) {
		x->unattributed++;
		return NULL;
	}
	return &x->kids[k];
}

static void apply_proceedings(struct ctx *x, const struct stage *sg)
{
	u64map_init(&x->case_absentia, 1024);
	for (size_t i = 0; i < sg->n; i++) {
		const struct srow *r = &sg->rows[i];
		struct child *c = case_kid(x, r->idncase);

		if (!c)
			continue;
		/* A proceeding means the NTA was filed with the court. */
		if (r->d2 != NONE)
			c->flags |= CF_COURT;
		if (r->a == PD_ABSENTIA && r->d1 != NONE && r->d1 <= x->as_of) {
			c->flags |= CF_ABSENTIA | CF_MISSED | CF_HEARD;
			c->absentia_date = dmax(c->absentia_date, r->d1);
			if (c->missed_last == NONE || r->d1 > c->missed_last) {
				c->missed_last = r->d1;
				c->missed_case = r->idncase;
				c->missed_rid = 0;
			}
			uint32_t prev = u64map_get(&x->case_absentia, (uint64_t)r->idncase);

			if (prev == UINT32_MAX || (int32_t)prev < r->d1)
				u64map_put(&x->case_absentia, (uint64_t)r->idncase,
					   (uint32_t)r->d1);
		}
		if (r->a == PD_RESCIND && r->d1 != NONE && r->d1 <= x->as_of)
			c->flags |= CF_RESCINDED;
	}
}

static void apply_hearings(struct ctx *x, const struct stage *sg)
{
	for (size_t i = 0; i < sg->n; i++) {
		const struct srow *r = &sg->rows[i];
		struct child *c;
		int missed;

		if (r->d1 == NONE)
			continue;
		c = case_kid(x, r->idncase);
		if (!c)
			continue;
		c->flags |= CF_COURT;
		if (r->d1 > x->as_of)
			continue;
		c->flags |= CF_HEARD;
		missed = r->a;
		if (!missed) {
			uint32_t ad = u64map_get(&x->case_absentia, (uint64_t)r->idncase);

			missed = ad != UINT32_MAX && (int32_t)ad == r->d1;
		}
		if (!missed)
			continue;
		c->flags |= CF_MISSED;
		if (c->missed_last == NONE || r->d1 > c->missed_last ||
		    (r->d1 == c->missed_last && !c->missed_rid)) {
			c->missed_last = r->d1;
			c->missed_rid = r->rid;
			c->missed_case = r->idncase;
		}
	}
}

static void apply_events(struct ctx *x, const struct stage *sg)
{
	for (size_t i = 0; i < sg->n; i++) {
		const struct srow *r = &sg->rows[i];
		struct child *c;
		uint32_t k;

		if (r->a == EV_OTHER || r->d1 == NONE || r->d1 > x->as_of)
			continue;
		k = child_of(x, T_EVENT, r->rid, r->anum);
		if (k == UINT32_MAX)
			continue;
		c = &x->kids[k];
		switch (r->a) {
		case EV_CONTACT:
			contact(x, c, r->d1, r->b, 2, r->rid);
			break;
		case EV_WELFARE:
			if (r->b == WF_SAFE || r->b == WF_CONCERN)
				c->seen_last = dmax(c->seen_last, r->d1);
			if (r->b == WF_CONCERN)
				c->flags |= CF_CONCERN;
			break;
		case EV_REFERRAL:
			c->flags |= r->b == RF_LEGAL ? CF_REF_LEGAL
				    : r->b == RF_HSI ? CF_REF_HSI
				    : r->b == RF_CPS ? CF_REF_CPS
				    : r->b == RF_HHS ? CF_REF_HHS
						     : 0;
			break;
		case EV_ADDRESS:
			if (c->addr_date == NONE || r->d1 >= c->addr_date) {
				c->addr_date = r->d1;
				c->addr_status = r->b;
			}
			if (r->b == AS_VERIFIED)
				c->verified_last = dmax(c->verified_last, r->d1);
			break;
		case EV_REPRESENTATION:
			if (r->b)
				c->flags |= CF_REPRESENTED;
			break;
		case EV_MTR:
			if (r->b)
				c->flags |= CF_RESCINDED;
			break;
		default:
			break;
		}
	}
}

/* One table: stage it and apply it. */
static int load_table(struct ctx *x, const char *tbl, const char *sql, fill_fn fill,
		      void (*apply)(struct ctx *, const struct stage *))
{
	struct stage sg;
	int rc = stage_table(x, tbl, sql, fill, &sg);

	if (rc)
		return rc;
	apply(x, &sg);
	free(sg.rows);
	return UC_OK;
}

static int load_all(struct ctx *x)
{
	int rc;

	rc = load_table(x, "orr_placement",
			"SELECT rid, file_id, skey, a_number, released_date, "
			"admitted_date, discharge, address_status, state, country "
			"FROM orr_placement ORDER BY rid",
			fill_placement, apply_placements);
	if (!rc)
		rc = load_table(x, "eoir_case",
				"SELECT rid, file_id, skey, idncase, a_number, "
				"atty_nbr FROM eoir_case ORDER BY rid",
				fill_case, apply_cases);
	if (!rc)
		rc = load_table(x, "eoir_proceeding",
				"SELECT rid, file_id, skey, idncase, dec_code, "
				"absentia, comp_date, hearing_date "
				"FROM eoir_proceeding ORDER BY rid",
				fill_proceeding, apply_proceedings);
	if (!rc)
		rc = load_table(x, "eoir_hearing",
				"SELECT rid, file_id, skey, idncase, adj_date, "
				"fta_notice FROM eoir_hearing ORDER BY rid",
				fill_hearing, apply_hearings);
	if (!rc)
		rc = load_table(x, "ice_nta",
				"SELECT rid, file_id, skey, a_number, served_date, "
				"filed_date FROM ice_nta ORDER BY rid",
				fill_nta, apply_ntas);
	if (!rc)
		rc = load_table(x, "ice_removal",
				"SELECT rid, file_id, skey, a_number, action, "
				"action_date FROM ice_removal ORDER BY rid",
				fill_removal, apply_removals);
	if (!rc)
		rc = load_table(x, "orr_contact",
				"SELECT rid, file_id, skey, a_number, contact_date, "
				"result FROM orr_contact ORDER BY rid",
				fill_contact, apply_contacts);
	if (!rc)
		rc = load_table(x, "field_event",
				"SELECT rid, file_id, skey, a_number, type, "
				"occurred_at, body FROM field_event ORDER BY rid",
				fill_event, apply_events);
	return rc;
}

static void ctx_release(struct ctx *x)
{
	free(x->file_ok);
	u64map_release(&x->rec_person);
	u64map_release(&x->anum_person);
	u64map_release(&x->child_of);
	u64map_release(&x->case_child);
	u64map_release(&x->case_absentia);
	free(x->persons);
	free(x->kids);
	for (int i = 0; i < x->ntri; i++)
		free(x->tri_label[i]);
	memset(x, 0, sizeof(*x));
}

/* Resolve options, open a read transaction's worth of state, load. */
static int ctx_load(struct ctx *x, struct store *st, const struct report_opts *o,
		    struct uc_err *err)
{
	int32_t known;
	int64_t links = 0;
	int rc;

	memset(x, 0, sizeof(*x));
	x->last_anum = -1;
	x->st = st;
	x->o = o;
	x->err = err;
	if (o->threshold < 1)
		return uc_error(err, UC_EUSAGE, "report: --threshold must be at least 1");
	if (o->unknown_days < 1)
		return uc_error(err, UC_EUSAGE, "report: --unknown-days must be at least 1");
	x->as_of = o->as_of == NONE ? date_today() : o->as_of;
	known = o->known_at == NONE ? x->as_of : o->known_at;
	date_format(known, x->known_at);
	if (o->known_at_time) {
		int32_t kd;
		size_t kl = strlen(o->known_at_time);

		if (kl < 11 || kl >= sizeof(x->known_at) || date_parse(o->known_at_time, kl, &kd))
			return uc_error(err, UC_EUSAGE,
					"report: known-at time '%s' is not "
					"YYYY-MM-DDTHH:MM:SSZ",
					o->known_at_time);
		snprintf(x->known_at, sizeof(x->known_at), "%s", o->known_at_time);
	}
	rc = store_query_int(st, "SELECT count(*) FROM person_record", &links, err);
	if (rc)
		return rc;
	if (o->identity == REPORT_ID_PERSON && links == 0)
		return uc_error(err, UC_ENOTFOUND,
				"report: no linked persons in %s; run `uctrack link` "
				"first or use --identity anumber",
				store_path(st));
	x->person_mode =
	    o->identity == REPORT_ID_PERSON || (o->identity == REPORT_ID_AUTO && links > 0);
	rc = store_query_int(st, "SELECT coalesce(max(rid), 0) FROM orr_placement", &links, err);
	if (rc)
		return rc;
	u64map_init(&x->child_of, (size_t)links + 1024);
	rc = load_files(x);
	if (!rc && x->person_mode)
		rc = load_persons(x);
	if (!rc)
		rc = load_all(x);
	return rc;
}

/* ------------------------------------------------------------ grouping */

/* The group label of a child ("" = unknown). */
static void group_label(const struct ctx *x, const struct child *c, enum report_by by, char *out,
			size_t cap)
{
	const char *s = NULL;

	out[0] = 0;
	switch (by) {
	case REPORT_BY_NONE:
		s = "total";
		break;
	case REPORT_BY_FY:
		if (c->rel_first != NONE)
			snprintf(out, cap, "FY%d", date_fiscal_year(c->rel_first));
		return;
	case REPORT_BY_STATE:
		s = c->state;
		break;
	case REPORT_BY_COUNTRY:
		s = c->country;
		break;
	case REPORT_BY_OFFICE:
	case REPORT_BY_GROUP:
	case REPORT_BY_PHASE:
		s = c->tri < x->ntri ? x->tri_label[c->tri] : NULL;
		break;
	default:
		break;
	}
	if (s)
		snprintf(out, cap, "%s", s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Triage groups, phases and field offices (table tcase of migration 003,
 * written by `uctrack triage`; the office comes from the field-office table
 * triage is configured with, rules/field_offices.csv, so reports and the
 * work queue agree): the latest triage result of each case, keyed by
 * person (person mode) or A-number. These are current results, not as of
 * the report date. Each child's label goes into c->tri (index into
 * x->tri_label); children without a triaged case are "untriaged".
 */
static int load_triage_labels(struct ctx *x, enum report_by by)
{
	struct store_stmt *q = NULL;
	int64_t n = 0;
	int rc;

	rc = store_query_int(x->st, "SELECT count(*) FROM tcase WHERE active = 1", &n, NULL);
	if (rc || n == 0)
		return uc_error(x->err, UC_ENOTFOUND,
				"report: --by %s needs a triage run; run `uctrack "
				"triage` first (no triage results in %s)",
				report_by_name(by), store_path(x->st));
	for (size_t i = 0; i < x->nkids; i++)
		x->kids[i].tri = 0;
	x->tri_label[0] = uc_xstrdup("untriaged");
	x->ntri = 1;
	rc = store_prepare(x->st,
			   "SELECT person_id, a_number, grp, phase, office FROM tcase "
			   "WHERE active = 1",
			   &q, x->err);
	if (rc)
		return rc;
	for (;;) {
		int s = store_step(q, x->err);
		char lab[32];
		uint32_t k;
		int li;

		if (s < 0) {
			rc = -s;
			break;
		}
		if (s == STORE_DONE)
			break;
		if (x->person_mode && !store_col_is_null(q, 0))
			k = u64map_get(&x->child_of, (1ULL << 62) | (uint64_t)store_col_int(q, 0));
		else
			k = u64map_get(&x->child_of, (uint64_t)anum_value(store_col_text(q, 1)));
		if (k == UINT32_MAX)
			continue;
		if (by == REPORT_BY_GROUP)
			snprintf(lab, sizeof(lab), "%s",
				 store_col_text(q, 2) ? store_col_text(q, 2) : "no group");
		else if (by == REPORT_BY_OFFICE)
			snprintf(lab, sizeof(lab), "%s",
				 store_col_text(q, 4) ? store_col_text(q, 4) : "UNASSIGNED");
		else
			snprintf(lab, sizeof(lab), "phase %lld", (long long)store_col_int(q, 3));
		for (li = 0; li < x->ntri; li++)
			if (strcmp(x->tri_label[li], lab) == 0)
				break;
		if (li == x->ntri) {
			if (x->ntri == REPORT_MAX_TRI)
				continue; /* more labels than any rule set has */
			x->tri_label[x->ntri++] = uc_xstrdup(lab);
		}
		x->kids[k].tri = (uint8_t)li;
	}
	store_finalize(q);
	return rc;
}

/* ------------------------------------------------------------- metrics */

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile p (0..100) of sorted v[n]. */
static double pct(const int32_t *v, size_t n, int p)
{
	size_t rank;

	if (n == 0)
		return NAN;
	rank = ((size_t)p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

/* Growable int32 vector per row for the time statistics. */
struct ivec {
	int32_t *v;	 /* values; owned */
	size_t n, alloc; /* used and allocated */
};

static void ivec_push(struct ivec *iv, int32_t x)
{
	if (iv->n == iv->alloc) {
		iv->alloc = iv->alloc ? 2 * iv->alloc : 256;
		iv->v = uc_xrealloc(iv->v, iv->alloc * sizeof(int32_t));
	}
	iv->v[iv->n++] = x;
}

static void add_child(const struct ctx *x, struct report_row *row, const struct child *c,
		      struct ivec *nta_days, struct ivec *contact_days)
{
	double *v = row->v;
	uint32_t f = c->flags;
	int32_t since = x->as_of - x->o->unknown_days;

	v[RM_RELEASED]++;
	v[c->served_first != NONE ? RM_NTA_SERVED : RM_NTA_NOT_SERVED]++;
	v[c->filed_first != NONE ? RM_NTA_FILED : RM_NTA_NOT_FILED]++;
	if (f & CF_COURT)
		v[RM_COURT_DATE]++;
	if (f & CF_MISSED)
		v[RM_FTA]++;
	if (f & CF_ABSENTIA) {
		v[RM_ABSENTIA]++;
		if (f & CF_RESCINDED)
			v[RM_ABSENTIA_RESCINDED]++;
	}
	/* Whereabouts unknown: released at least N days ago, not removed, and
	 * neither a verified address nor a successful contact in the last N
	 * days. The reason is the first that applies, most specific first. */
	if (c->rel_first <= since && !(f & CF_REMOVED) &&
	    !(c->verified_last != NONE && c->verified_last > since) &&
	    !(c->seen_last != NONE && c->seen_last > since)) {
		v[RM_WU]++;
		if (c->addr_status == AS_BLANK)
			v[RM_WU_BLANK]++;
		else if (c->addr_status == AS_UNDELIVERABLE)
			v[RM_WU_UNDELIVERABLE]++;
		else if (c->addr_status == AS_MISSING_UNIT)
			v[RM_WU_MISSING_UNIT]++;
		else if (c->attempt_moved)
			v[RM_WU_MOVED]++;
		else
			v[RM_WU_NO_CONTACT]++;
	}
	v[RM_CONTACTS_ATTEMPTED] += c->attempts;
	v[RM_CONTACTS_SUCCEEDED] += c->successes;
	if (c->successes)
		v[RM_CHILDREN_CONTACTED]++;
	if (f & CF_CONCERN)
		v[RM_WELFARE_CONCERN]++;
	if (f & CF_REF_LEGAL)
		v[RM_REF_LEGAL]++;
	if (f & CF_REF_HSI)
		v[RM_REF_HSI]++;
	if (f & CF_REF_CPS)
		v[RM_REF_CPS]++;
	if (f & CF_REF_HHS)
		v[RM_REF_HHS]++;
	if (f & CF_HEARD) {
		int rep = (f & CF_REPRESENTED) != 0;

		v[rep ? RM_REP_HEARD : RM_UNREP_HEARD]++;
		if (!(f & CF_MISSED))
			v[rep ? RM_REP_APPEARED : RM_UNREP_APPEARED]++;
	}
	if (c->served_first != NONE && c->served_first >= c->rel_first) {
		v[RM_NTA_DAYS_N]++;
		ivec_push(nta_days, c->served_first - c->rel_first);
	}
	if (c->contact_first != NONE) {
		v[RM_CONTACT_DAYS_N]++;
		ivec_push(contact_days, c->contact_first - c->rel_first);
	}
}

static void finish_stats(struct report_row *row, struct ivec *nta, struct ivec *con)
{
	double *v = row->v;

	v[RM_REP_RATE] = v[RM_REP_HEARD] > 0 ? v[RM_REP_APPEARED] / v[RM_REP_HEARD] : NAN;
	v[RM_UNREP_RATE] = v[RM_UNREP_HEARD] > 0 ? v[RM_UNREP_APPEARED] / v[RM_UNREP_HEARD] : NAN;
	if (nta->n)
		qsort(nta->v, nta->n, sizeof(int32_t), cmp_i32);
	if (con->n)
		qsort(con->v, con->n, sizeof(int32_t), cmp_i32);
	v[RM_NTA_DAYS_MEDIAN] = pct(nta->v, nta->n, 50);
	v[RM_NTA_DAYS_P90] = pct(nta->v, nta->n, 90);
	v[RM_CONTACT_DAYS_MEDIAN] = pct(con->v, con->n, 50);
	v[RM_CONTACT_DAYS_P90] = pct(con->v, con->n, 90);
}

void report_relations(int nrows, struct supp_rels *r)
{
	const int M = RM_COUNT_METRICS;

	supp_rels_init(r);
	for (int m = 0; m < M; m++) {
		if (nrows < 3)
			break; /* one group: its row is the total */
		supp_rels_begin(r);
		supp_rels_term(r, m, -1);
		for (int g = 1; g < nrows; g++)
			supp_rels_term(r, g * M + m, 1);
	}
	for (int g = 0; g < nrows; g++) {
		int b = g * M;

		supp_rels_begin(r);
		supp_rels_term(r, b + RM_RELEASED, -1);
		supp_rels_term(r, b + RM_NTA_SERVED, 1);
		supp_rels_term(r, b + RM_NTA_NOT_SERVED, 1);
		supp_rels_begin(r);
		supp_rels_term(r, b + RM_RELEASED, -1);
		supp_rels_term(r, b + RM_NTA_FILED, 1);
		supp_rels_term(r, b + RM_NTA_NOT_FILED, 1);
		supp_rels_begin(r);
		supp_rels_term(r, b + RM_WU, -1);
		supp_rels_term(r, b + RM_WU_BLANK, 1);
		supp_rels_term(r, b + RM_WU_UNDELIVERABLE, 1);
		supp_rels_term(r, b + RM_WU_MISSING_UNIT, 1);
		supp_rels_term(r, b + RM_WU_MOVED, 1);
		supp_rels_term(r, b + RM_WU_NO_CONTACT, 1);
		supp_rels_begin(r);
		supp_rels_term(r, b + RM_FTA, -1);
		supp_rels_term(r, b + RM_REP_HEARD, 1);
		supp_rels_term(r, b + RM_REP_APPEARED, -1);
		supp_rels_term(r, b + RM_UNREP_HEARD, 1);
		supp_rels_term(r, b + RM_UNREP_APPEARED, -1);
	}
}

static void suppress_table(struct report_table *t)
{
	const int M = RM_COUNT_METRICS;
	int ncells = t->nrows * M;
	int64_t *val = uc_xmalloc(sizeof(int64_t) * (size_t)ncells);
	unsigned char *mark = uc_xcalloc((size_t)ncells, 1);
	struct supp_rels r;

	for (int g = 0; g < t->nrows; g++)
		for (int m = 0; m < M; m++)
			val[g * M + m] = (int64_t)t->rows[g].v[m];
	report_relations(t->nrows, &r);
	supp_apply(val, mark, ncells, &r, t->threshold);
	supp_rels_release(&r);
	for (int g = 0; g < t->nrows; g++) {
		struct report_row *row = &t->rows[g];

		for (int m = 0; m < M; m++)
			row->supp[m] = mark[g * M + m];
		/* Statistics: hidden when their base is hidden or small. */
		if (row->supp[RM_REP_HEARD] || row->supp[RM_REP_APPEARED] ||
		    row->v[RM_REP_HEARD] < t->threshold)
			row->supp[RM_REP_RATE] = SUPP_COMPLEMENT;
		if (row->supp[RM_UNREP_HEARD] || row->supp[RM_UNREP_APPEARED] ||
		    row->v[RM_UNREP_HEARD] < t->threshold)
			row->supp[RM_UNREP_RATE] = SUPP_COMPLEMENT;
		if (row->supp[RM_NTA_DAYS_N] || row->v[RM_NTA_DAYS_N] < t->threshold)
			row->supp[RM_NTA_DAYS_MEDIAN] = row->supp[RM_NTA_DAYS_P90] =
			    SUPP_COMPLEMENT;
		if (row->supp[RM_CONTACT_DAYS_N] || row->v[RM_CONTACT_DAYS_N] < t->threshold)
			row->supp[RM_CONTACT_DAYS_MEDIAN] = row->supp[RM_CONTACT_DAYS_P90] =
			    SUPP_COMPLEMENT;
	}
	free(val);
	free(mark);
}

void report_table_release(struct report_table *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nrows; i++)
		free(t->rows[i].label);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

static int build_table(struct ctx *x, struct report_table *t)
{
	const struct report_opts *o = x->o;
	char **labels = NULL, lab[32];
	int nlab = 0, rc = UC_OK;
	struct u64map seen;
	struct ivec *nta = NULL, *con = NULL;

	memset(t, 0, sizeof(*t));
	t->as_of = x->as_of;
	snprintf(t->known_at, sizeof(t->known_at), "%s", x->known_at);
	t->by = o->by;
	t->identity_person = x->person_mode;
	t->public_mode = o->public_mode;
	t->threshold = o->threshold;
	t->unknown_days = o->unknown_days;
	t->unattributed = x->unattributed;
	t->children_known = (int64_t)x->nkids;
	if (o->by == REPORT_BY_GROUP || o->by == REPORT_BY_PHASE || o->by == REPORT_BY_OFFICE) {
		rc = load_triage_labels(x, o->by);
		if (rc)
			return rc;
	}
	/* Distinct labels of released children, sorted; "unknown" last. */
	u64map_init(&seen, 256);
	if (o->by != REPORT_BY_NONE) {
		for (size_t i = 0; i < x->nkids; i++) {
			struct child *c = &x->kids[i];
			uint64_t h;

			if (!(c->flags & CF_RELEASED))
				continue;
			group_label(x, c, o->by, lab, sizeof(lab));
			h = hash_bytes(lab, strlen(lab));
			if (u64map_get(&seen, h) != UINT32_MAX)
				continue;
			u64map_put(&seen, h, 1);
			labels = uc_xrealloc(labels, sizeof(char *) * (size_t)(nlab + 1));
			labels[nlab++] = uc_xstrdup(lab);
		}
		if (nlab > 1)
			qsort(labels, (size_t)nlab, sizeof(char *), cmp_str);
		if (nlab > 0 && labels[0][0] == 0) {
			/* "" sorts first: move it last as "unknown". */
			char *u = labels[0];

			memmove(labels, labels + 1, sizeof(char *) * (size_t)(nlab - 1));
			labels[nlab - 1] = u;
		}
	}
	u64map_release(&seen);
	t->nrows = nlab + 1;
	t->rows = uc_xcalloc((size_t)t->nrows, sizeof(*t->rows));
	t->rows[0].label = uc_xstrdup("total");
	u64map_init(&seen, (size_t)nlab + 1);
	for (int i = 0; i < nlab; i++) {
		u64map_put(&seen, hash_bytes(labels[i], strlen(labels[i])), (uint32_t)(i + 1));
		t->rows[i + 1].label = uc_xstrdup(labels[i][0] ? labels[i] : "unknown");
		free(labels[i]);
	}
	free(labels);
	nta = uc_xcalloc((size_t)t->nrows, sizeof(*nta));
	con = uc_xcalloc((size_t)t->nrows, sizeof(*con));
	for (size_t i = 0; i < x->nkids; i++) {
		struct child *c = &x->kids[i];
		uint32_t g;

		if (!(c->flags & CF_RELEASED))
			continue;
		add_child(x, &t->rows[0], c, &nta[0], &con[0]);
		if (o->by == REPORT_BY_NONE)
			continue;
		group_label(x, c, o->by, lab, sizeof(lab));
		g = u64map_get(&seen, hash_bytes(lab, strlen(lab)));
		if (g == UINT32_MAX)
			BUG("group '%s' not in the label set", lab);
		add_child(x, &t->rows[g], c, &nta[g], &con[g]);
	}
	for (int g = 0; g < t->nrows; g++) {
		finish_stats(&t->rows[g], &nta[g], &con[g]);
		free(nta[g].v);
		free(con[g].v);
	}
	free(nta);
	free(con);
	u64map_release(&seen);
	if (o->public_mode)
		suppress_table(t);
	return rc;
}

int report_table_compute(struct store *st, const struct report_opts *o, struct report_table *t,
			 struct uc_err *err)
{
	struct ctx x;
	int rc;

	memset(t, 0, sizeof(*t));
	/* One read transaction: a consistent snapshot while imports run. A
	 * caller that already holds a transaction keeps its own. */
	int own = store_exec(st, "BEGIN", NULL) == UC_OK;

	rc = ctx_load(&x, st, o, err);
	if (!rc)
		rc = build_table(&x, t);
	if (own)
		store_exec(st, "COMMIT", NULL);
	ctx_release(&x);
	if (rc)
		report_table_release(t);
	return rc;
}

/* ------------------------------------------------------------ rendering */

static const struct {
	const char *key;   /* CSV/JSON name */
	const char *label; /* human label */
} metric_info[RM_NMETRICS] = {
    [RM_RELEASED] = {"released", "Children released to sponsors"},
    [RM_NTA_SERVED] = {"nta_served", "NTA served"},
    [RM_NTA_NOT_SERVED] = {"nta_not_served", "NTA not served"},
    [RM_NTA_FILED] = {"nta_filed", "NTA filed with the court"},
    [RM_NTA_NOT_FILED] = {"nta_not_filed", "NTA not filed"},
    [RM_COURT_DATE] = {"court_date", "With a court date"},
    [RM_FTA] = {"failed_to_appear", "Failed to appear at a hearing"},
    [RM_ABSENTIA] = {"in_absentia", "Ordered removed in absentia"},
    [RM_ABSENTIA_RESCINDED] = {"in_absentia_rescinded", "  of which order rescinded"},
    [RM_WU] = {"whereabouts_unknown", "Whereabouts unknown"},
    [RM_WU_BLANK] = {"wu_blank_address", "  blank address"},
    [RM_WU_UNDELIVERABLE] = {"wu_undeliverable", "  undeliverable address"},
    [RM_WU_MISSING_UNIT] = {"wu_missing_unit", "  address missing unit"},
    [RM_WU_MOVED] = {"wu_moved", "  moved"},
    [RM_WU_NO_CONTACT] = {"wu_no_contact", "  no contact"},
    [RM_CONTACTS_ATTEMPTED] = {"contacts_attempted", "Contacts attempted"},
    [RM_CONTACTS_SUCCEEDED] = {"contacts_succeeded", "Contacts that succeeded"},
    [RM_CHILDREN_CONTACTED] = {"children_contacted", "Children contacted"},
    [RM_WELFARE_CONCERN] = {"welfare_concerns", "Children with a welfare concern"},
    [RM_REF_LEGAL] = {"referred_legal_provider", "Referred to a legal provider"},
    [RM_REF_HSI] = {"referred_hsi", "Referred to HSI"},
    [RM_REF_CPS] = {"referred_cps", "Referred to child protective services"},
    [RM_REF_HHS] = {"referred_hhs", "Referred to HHS"},
    [RM_REP_HEARD] = {"represented_heard", "Represented, hearing date passed"},
    [RM_REP_APPEARED] = {"represented_appeared", "  appeared at every hearing"},
    [RM_UNREP_HEARD] = {"unrepresented_heard", "Unrepresented, hearing date passed"},
    [RM_UNREP_APPEARED] = {"unrepresented_appeared", "  appeared at every hearing"},
    [RM_NTA_DAYS_N] = {"release_to_nta_n", "Served after release (n)"},
    [RM_CONTACT_DAYS_N] = {"release_to_contact_n", "Contacted after release (n)"},
    [RM_REP_RATE] = {"appearance_rate_represented", "Appearance rate, represented"},
    [RM_UNREP_RATE] = {"appearance_rate_unrepresented", "Appearance rate, unrepresented"},
    [RM_NTA_DAYS_MEDIAN] = {"release_to_nta_days_median", "Days release to NTA service, median"},
    [RM_NTA_DAYS_P90] = {"release_to_nta_days_p90", "Days release to NTA service, p90"},
    [RM_CONTACT_DAYS_MEDIAN] = {"release_to_contact_days_median",
				"Days release to first contact, median"},
    [RM_CONTACT_DAYS_P90] = {"release_to_contact_days_p90", "Days release to first contact, p90"},
};

static const char *const by_names[] = {
    [REPORT_BY_NONE] = "none",	 [REPORT_BY_FY] = "fy",		  [REPORT_BY_OFFICE] = "office",
    [REPORT_BY_STATE] = "state", [REPORT_BY_COUNTRY] = "country", [REPORT_BY_GROUP] = "group",
    [REPORT_BY_PHASE] = "phase",
};

const char *report_by_name(enum report_by by)
{
	return (unsigned)by < sizeof(by_names) / sizeof(by_names[0]) ? by_names[by] : "?";
}

int report_by_parse(const char *s, enum report_by *out)
{
	for (size_t i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++) {
		if (strcmp(s, by_names[i]) == 0) {
			*out = (enum report_by)i;
			return 0;
		}
	}
	return -1;
}

int report_format_parse(const char *s, enum report_format *out)
{
	static const char *const names[] = {"table", "csv", "json", "html", "svg"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	}
	return -1;
}

int report_identity_parse(const char *s, enum report_identity *out)
{
	static const char *const names[] = {"auto", "person", "anumber"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum report_identity)i;
			return 0;
		}
	}
	return -1;
}

/* Metric m is a rate (0..1) rather than a count or a number of days. */
static int is_rate(int m)
{
	return m == RM_REP_RATE || m == RM_UNREP_RATE;
}

/* A cell as text: "*" when suppressed, "" when undefined. */
static void cell_text(const struct report_row *row, int m, char *out, size_t cap)
{
	double v = row->v[m];

	if (row->supp[m])
		snprintf(out, cap, "*");
	else if (isnan(v))
		out[0] = 0;
	else if (is_rate(m))
		snprintf(out, cap, "%.3f", v);
	else
		snprintf(out, cap, "%.0f", v);
}

static const char *identity_text(const struct report_table *t)
{
	return t->identity_person ? "person" : "a_number";
}

static void render_header_lines(const struct report_table *t, struct buf *b, const char *prefix)
{
	char asof[11];

	date_format(t->as_of, asof);
	buf_addf(b, "%sOversight report as of %s (records imported by %s)\n", prefix, asof,
		 t->known_at);
	buf_addf(b,
		 "%sChildren counted by %s; %lld source records name no child "
		 "and are not counted\n",
		 prefix,
		 t->identity_person ? "linked person (person_record)" : "A-number (no linkage run)",
		 (long long)t->unattributed);
	buf_addf(b,
		 "%sWhereabouts unknown: no verified address and no successful "
		 "contact within %d days\n",
		 prefix, t->unknown_days);
	if (t->public_mode)
		buf_addf(b,
			 "%sPublic: counts below %d suppressed (*), with "
			 "complementary suppression\n",
			 prefix, t->threshold);
}

static void render_table(const struct report_table *t, struct buf *b)
{
	char cell[64];
	int lw = 40, cw = 10;

	render_header_lines(t, b, "");
	buf_addc(b, '\n');
	buf_addf(b, "%-*s", lw, "");
	for (int g = 0; g < t->nrows; g++) {
		int w = (int)strlen(t->rows[g].label);

		buf_addf(b, " %*s", w > cw ? w : cw, t->rows[g].label);
	}
	buf_addc(b, '\n');
	for (int m = 0; m < RM_NMETRICS; m++) {
		buf_addf(b, "%-*s", lw, metric_info[m].label);
		for (int g = 0; g < t->nrows; g++) {
			int w = (int)strlen(t->rows[g].label);

			cell_text(&t->rows[g], m, cell, sizeof(cell));
			buf_addf(b, " %*s", w > cw ? w : cw, cell);
		}
		buf_addc(b, '\n');
	}
}

static void render_csv(const struct report_table *t, struct buf *b)
{
	char cell[64];

	fmt_csv_cell(b, t->by == REPORT_BY_NONE ? "group" : report_by_name(t->by));
	for (int m = 0; m < RM_NMETRICS; m++) {
		buf_addc(b, ',');
		fmt_csv_cell(b, metric_info[m].key);
	}
	buf_adds(b, "\r\n");
	for (int g = 0; g < t->nrows; g++) {
		fmt_csv_cell(b, t->rows[g].label);
		for (int m = 0; m < RM_NMETRICS; m++) {
			cell_text(&t->rows[g], m, cell, sizeof(cell));
			buf_addc(b, ',');
			fmt_csv_cell(b, cell);
		}
		buf_adds(b, "\r\n");
	}
}

static json_t *json_value(const struct report_row *row, int m)
{
	double v = row->v[m];

	if (row->supp[m] || isnan(v))
		return json_null();
	if (is_rate(m))
		return json_real(round(v * 1000) / 1000);
	return json_integer((json_int_t)v);
}

static int render_json(const struct report_table *t, struct buf *b, struct uc_err *err)
{
	json_t *root = json_object(), *metrics = json_array(), *rows = json_array();
	char d[11];
	char *s;

	json_object_set_new(root, "report", json_string("oversight"));
	date_format(t->as_of, d);
	json_object_set_new(root, "as_of", json_string(d));
	json_object_set_new(root, "known_at", json_string(t->known_at));
	json_object_set_new(root, "by", json_string(report_by_name(t->by)));
	json_object_set_new(root, "identity", json_string(identity_text(t)));
	json_object_set_new(root, "unknown_days", json_integer(t->unknown_days));
	json_object_set_new(root, "public", json_boolean(t->public_mode));
	if (t->public_mode)
		json_object_set_new(root, "threshold", json_integer(t->threshold));
	json_object_set_new(root, "unattributed_records",
			    json_integer((json_int_t)t->unattributed));
	for (int m = 0; m < RM_NMETRICS; m++) {
		json_t *mo = json_object();

		json_object_set_new(mo, "key", json_string(metric_info[m].key));
		json_object_set_new(mo, "label", json_string(metric_info[m].label));
		json_array_append_new(metrics, mo);
	}
	json_object_set_new(root, "metrics", metrics);
	for (int g = 0; g < t->nrows; g++) {
		json_t *ro = json_object(), *vals = json_object(), *sup = json_array();

		json_object_set_new(ro, "group", json_string(t->rows[g].label));
		for (int m = 0; m < RM_NMETRICS; m++) {
			json_object_set_new(vals, metric_info[m].key, json_value(&t->rows[g], m));
			if (t->rows[g].supp[m])
				json_array_append_new(sup, json_string(metric_info[m].key));
		}
		json_object_set_new(ro, "values", vals);
		json_object_set_new(ro, "suppressed", sup);
		json_array_append_new(rows, ro);
	}
	json_object_set_new(root, "rows", rows);
	s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(root);
	if (!s)
		return uc_error(err, UC_ENOMEM, "report: cannot encode JSON");
	buf_adds(b, s);
	buf_addc(b, '\n');
	free(s);
	return UC_OK;
}

/* A count cell formatted for HTML: thousands separators or "*". */
static void html_cell(struct buf *b, const struct report_row *row, int m)
{
	double v = row->v[m];

	if (row->supp[m])
		buf_adds(b, "<span class=\"s\" title=\"suppressed\">*</span>");
	else if (isnan(v))
		buf_adds(b, "&ndash;");
	else if (is_rate(m))
		buf_addf(b, "%.1f%%", v * 100);
	else
		fmt_thousands(b, (int64_t)v);
}

/* ------------------------------------------------------ svg charts */

static const char *const chart_names[] = {
    [REPORT_CHART_FUNNEL] = "funnel",	      [REPORT_CHART_WHEREABOUTS] = "whereabouts",
    [REPORT_CHART_RATES] = "rates",	      [REPORT_CHART_RELEASED_BY] = "released_by",
    [REPORT_CHART_UNKNOWN_BY] = "unknown_by",
};

int report_chart_parse(const char *s, enum report_chart *out)
{
	for (size_t i = 0; i < sizeof(chart_names) / sizeof(chart_names[0]); i++) {
		if (strcmp(s, chart_names[i]) == 0) {
			*out = (enum report_chart)i;
			return 0;
		}
	}
	return -1;
}

const char *report_chart_name(enum report_chart c)
{
	return (unsigned)c < sizeof(chart_names) / sizeof(chart_names[0]) ? chart_names[c] : "?";
}

/* The words of the charts in Spanish (the UI's catalogue, web/lang-es.js,
 * says the same). */
static const struct {
	const char *en, *es;
} chart_words[] = {
    {"Children released to sponsors", "Niños entregados a patrocinadores"},
    {"NTA served", "NTA entregada"},
    {"NTA filed with the court", "NTA presentada ante el tribunal"},
    {"With a court date", "Con fecha de audiencia"},
    {"Failed to appear at a hearing", "No comparecieron a una audiencia"},
    {"Ordered removed in absentia", "Expulsión ordenada en ausencia"},
    {"Whereabouts unknown", "Paradero desconocido"},
    {"blank address", "dirección en blanco"},
    {"undeliverable address", "dirección no entregable"},
    {"address missing unit", "dirección sin número de apartamento"},
    {"moved", "se mudó"},
    {"no contact", "sin contacto"},
    {"Appearance rate, represented", "Tasa de comparecencia, con representación"},
    {"Appearance rate, unrepresented", "Tasa de comparecencia, sin representación"},
    {"Accounting for every released child", "Rendición de cuentas de cada niño liberado"},
    {"Whereabouts unknown, by reason", "Paradero desconocido, por motivo"},
    {"Appearance rate, represented or not", "Tasa de comparecencia, con y sin representación"},
    {"Children released, by", "Niños liberados, por"},
    {"Whereabouts unknown, by", "Paradero desconocido, por"},
    {"suppressed", "suprimido"},
    {"n/a", "n/d"},
    {"fiscal year", "año fiscal"},
    {"field office", "oficina local"},
    {"state", "estado"},
    {"country", "país"},
    {"triage group", "grupo de triaje"},
    {"phase", "fase"},
    {"flight_risk", "Riesgo de fuga"},
    {"public_safety", "Seguridad pública"},
    {"border_security", "Seguridad fronteriza"},
    {"none", "ninguno"},
    {"untriaged", "sin triaje"},
};

static int spanish(const char *lang)
{
	return lang && strcmp(lang, "es") == 0;
}

/* en in lang (leading spaces dropped); en itself when there is no
 * translation. */
static const char *chart_word(const char *lang, const char *en)
{
	while (*en == ' ')
		en++;
	if (!spanish(lang))
		return en;
	for (size_t i = 0; i < sizeof(chart_words) / sizeof(chart_words[0]); i++)
		if (strcmp(chart_words[i].en, en) == 0)
			return chart_words[i].es;
	return en;
}

/* A row's label on a chart: group codes in words, others as they are. */
static const char *row_word(const char *lang, const struct report_table *t, const char *label)
{
	static const struct {
		const char *code, *en;
	} groups[] = {
	    {"flight_risk", "Flight risk"},
	    {"public_safety", "Public safety"},
	    {"border_security", "Border security"},
	};

	if (t->by == REPORT_BY_GROUP) {
		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			if (strcmp(groups[i].code, label) == 0)
				return spanish(lang) ? chart_word(lang, label) : groups[i].en;
	}
	if (t->by == REPORT_BY_GROUP || t->by == REPORT_BY_PHASE)
		return chart_word(lang, label);
	return label;
}

/* Bar m of row with its figure as text in lang. */
static void chart_bar(const struct report_row *row, int m, const char *lang, struct fmt_bar *bar,
		      char *note, size_t cap)
{
	struct buf nb;

	bar->label = chart_word(lang, metric_info[m].label);
	bar->note = note;
	if (row->supp[m] || isnan(row->v[m])) {
		bar->value = NAN;
		snprintf(note, cap, "%s", chart_word(lang, row->supp[m] ? "suppressed" : "n/a"));
		return;
	}
	bar->value = is_rate(m) ? row->v[m] * 100 : row->v[m];
	buf_init(&nb, cap - 1);
	if (is_rate(m) && spanish(lang)) {
		char pct[32];

		snprintf(pct, sizeof(pct), "%.1f", row->v[m] * 100);
		for (char *c = pct; *c; c++)
			if (*c == '.')
				*c = ',';
		buf_addf(&nb, "%s %%", pct);
	} else if (is_rate(m)) {
		buf_addf(&nb, "%.1f%%", row->v[m] * 100);
	} else {
		fmt_thousands_sep(&nb, (int64_t)row->v[m], spanish(lang) ? '.' : ',');
	}
	snprintf(note, cap, "%s", nb.ptr ? nb.ptr : "");
	buf_release(&nb);
}

#define CHART_MAX_BARS 64

static void render_svg(const struct report_table *t, const struct report_opts *o, struct buf *b)
{
	static const int funnel[] = {RM_RELEASED, RM_NTA_SERVED, RM_NTA_FILED, RM_COURT_DATE,
				     RM_FTA,	  RM_ABSENTIA,	 RM_WU};
	static const int reasons[] = {RM_WU_BLANK, RM_WU_UNDELIVERABLE, RM_WU_MISSING_UNIT,
				      RM_WU_MOVED, RM_WU_NO_CONTACT};
	static const int rates[] = {RM_REP_RATE, RM_UNREP_RATE};
	static const char *const by_words[] = {
	    [REPORT_BY_NONE] = "none",		 [REPORT_BY_FY] = "fiscal year",
	    [REPORT_BY_OFFICE] = "field office", [REPORT_BY_STATE] = "state",
	    [REPORT_BY_COUNTRY] = "country",	 [REPORT_BY_GROUP] = "triage group",
	    [REPORT_BY_PHASE] = "phase",
	};
	struct fmt_bar bars[CHART_MAX_BARS];
	char notes[CHART_MAX_BARS][48];
	char title[160];
	const char *lang = spanish(o->lang) ? "es" : "en";
	const int *ms = NULL;
	int n = 0, nms = 0;

	switch (o->chart) {
	case REPORT_CHART_FUNNEL:
		ms = funnel;
		nms = (int)(sizeof(funnel) / sizeof(funnel[0]));
		snprintf(title, sizeof(title), "%s",
			 chart_word(lang, "Accounting for every released child"));
		break;
	case REPORT_CHART_WHEREABOUTS:
		ms = reasons;
		nms = (int)(sizeof(reasons) / sizeof(reasons[0]));
		snprintf(title, sizeof(title), "%s",
			 chart_word(lang, "Whereabouts unknown, by reason"));
		break;
	case REPORT_CHART_RATES:
		ms = rates;
		nms = (int)(sizeof(rates) / sizeof(rates[0]));
		snprintf(title, sizeof(title), "%s",
			 chart_word(lang, "Appearance rate, represented or not"));
		break;
	case REPORT_CHART_RELEASED_BY:
	case REPORT_CHART_UNKNOWN_BY: {
		int m = o->chart == REPORT_CHART_RELEASED_BY ? RM_RELEASED : RM_WU;
		const char *what = (unsigned)t->by < sizeof(by_words) / sizeof(by_words[0])
				       ? by_words[t->by]
				       : "group";

		snprintf(title, sizeof(title), "%s %s",
			 chart_word(lang, m == RM_RELEASED ? "Children released, by"
							   : "Whereabouts unknown, by"),
			 chart_word(lang, what));
		for (int g = 1; g < t->nrows && n < CHART_MAX_BARS; g++, n++) {
			chart_bar(&t->rows[g], m, lang, &bars[n], notes[n], sizeof(notes[n]));
			bars[n].label = row_word(lang, t, t->rows[g].label);
		}
		break;
	}
	}
	for (int i = 0; i < nms; i++, n++)
		chart_bar(&t->rows[0], ms[i], lang, &bars[n], notes[n], sizeof(notes[n]));
	fmt_svg_bars(b, title, bars, n, lang);
}

static void bar_of(const struct report_row *row, int m, struct fmt_bar *bar, char *note, size_t cap)
{
	struct buf nb;

	bar->label = metric_info[m].label;
	if (row->supp[m] || isnan(row->v[m])) {
		bar->value = NAN;
		snprintf(note, cap, "%s", row->supp[m] ? "suppressed" : "n/a");
	} else {
		bar->value = is_rate(m) ? row->v[m] * 100 : row->v[m];
		buf_init(&nb, cap - 1);
		if (is_rate(m))
			buf_addf(&nb, "%.1f%%", row->v[m] * 100);
		else
			fmt_thousands(&nb, (int64_t)row->v[m]);
		snprintf(note, cap, "%s", nb.ptr ? nb.ptr : "");
		buf_release(&nb);
	}
	bar->note = note;
}

static void render_html(const struct report_table *t, struct buf *b)
{
	static const int funnel[] = {RM_RELEASED, RM_NTA_SERVED, RM_NTA_FILED, RM_COURT_DATE,
				     RM_FTA,	  RM_ABSENTIA,	 RM_WU};
	static const int reasons[] = {RM_WU_BLANK, RM_WU_UNDELIVERABLE, RM_WU_MISSING_UNIT,
				      RM_WU_MOVED, RM_WU_NO_CONTACT};
	static const int rates[] = {RM_REP_RATE, RM_UNREP_RATE};
	struct fmt_bar bars[64];
	char notes[64][48];
	char asof[11];
	const struct report_row *tot = &t->rows[0];
	int n;

	date_format(t->as_of, asof);
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	buf_addf(b, "uctrack oversight report as of %s", asof);
	buf_adds(b, "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:80em}"
		    "table{border-collapse:collapse;font-size:13px}"
		    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
		    "th:first-child,td:first-child{text-align:left}"
		    ".s{color:#a00}.meta{color:#444}</style>\n</head><body>\n");
	buf_addf(b, "<h1>Oversight report as of %s</h1>\n<pre class=\"meta\">", asof);
	{
		struct buf hb;

		buf_init(&hb, 1 << 16);
		render_header_lines(t, &hb, "");
		fmt_html_text(b, hb.ptr);
		buf_release(&hb);
	}
	buf_adds(b, "</pre>\n");
	n = 0;
	for (size_t i = 0; i < sizeof(funnel) / sizeof(funnel[0]); i++, n++)
		bar_of(tot, funnel[i], &bars[n], notes[n], sizeof(notes[n]));
	fmt_svg_bars(b, "Accounting for every released child", bars, n, NULL);
	n = 0;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++, n++)
		bar_of(tot, reasons[i], &bars[n], notes[n], sizeof(notes[n]));
	fmt_svg_bars(b, "Whereabouts unknown, by reason", bars, n, NULL);
	n = 0;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++, n++)
		bar_of(tot, rates[i], &bars[n], notes[n], sizeof(notes[n]));
	fmt_svg_bars(b, "Appearance rate (%), represented vs unrepresented", bars, n, NULL);
	if (t->nrows > 1) {
		n = 0;
		for (int g = 1; g < t->nrows && n < 64; g++, n++) {
			bar_of(&t->rows[g], RM_WU, &bars[n], notes[n], sizeof(notes[n]));
			bars[n].label = t->rows[g].label;
		}
		fmt_svg_bars(b, "Whereabouts unknown by group", bars, n, NULL);
	}
	buf_adds(b, "<h2>All metrics</h2>\n<table>\n<tr><th>metric</th>");
	for (int g = 0; g < t->nrows; g++) {
		buf_adds(b, "<th>");
		fmt_html_text(b, t->rows[g].label);
		buf_adds(b, "</th>");
	}
	buf_adds(b, "</tr>\n");
	for (int m = 0; m < RM_NMETRICS; m++) {
		buf_adds(b, "<tr><td>");
		fmt_html_text(b, metric_info[m].label);
		buf_adds(b, "</td>");
		for (int g = 0; g < t->nrows; g++) {
			buf_adds(b, "<td>");
			html_cell(b, &t->rows[g], m);
			buf_adds(b, "</td>");
		}
		buf_adds(b, "</tr>\n");
	}
	buf_adds(b, "</table>\n<p class=\"meta\">Definitions: docs/reports.md. "
		    "Synthetic data only.</p>\n</body></html>\n");
}

int report_oversight(struct store *st, const struct report_opts *o, struct buf *out,
		     struct uc_err *err)
{
	struct report_table t;
	int rc;

	if (o->format == REPORT_FMT_SVG && o->by == REPORT_BY_NONE &&
	    (o->chart == REPORT_CHART_RELEASED_BY || o->chart == REPORT_CHART_UNKNOWN_BY))
		return uc_error(err, UC_EINPUT,
				"chart %s draws one bar per row: give by (fy, office, state, "
				"country, group or phase)",
				report_chart_name(o->chart));
	rc = report_table_compute(st, o, &t, err);
	if (rc)
		return rc;
	switch (o->format) {
	case REPORT_FMT_CSV:
		render_csv(&t, out);
		break;
	case REPORT_FMT_JSON:
		rc = render_json(&t, out, err);
		break;
	case REPORT_FMT_HTML:
		render_html(&t, out);
		break;
	case REPORT_FMT_SVG:
		render_svg(&t, o, out);
		break;
	default:
		render_table(&t, out);
		break;
	}
	report_table_release(&t);
	if (!rc && buf_failed(out))
		rc = uc_error(err, UC_ENOMEM, "report: output larger than %zu bytes", out->cap);
	return rc;
}

/* ------------------------------------------------------------- fta list */

/* Columns of the failure-to-appear list, in order. */
static const char *const fta_cols[] = {
    "child",
    "a_number",
    "family_name",
    "given_name",
    "birth_date",
    "country",
    "release_date",
    "sponsor_id",
    "sponsor_family_name",
    "sponsor_given_name",
    "sponsor_relationship",
    "sponsor_phone",
    "release_street",
    "release_unit",
    "release_city",
    "release_state",
    "release_zip",
    "address_status",
    "missed_hearing_date",
    "court",
    "hearing_location",
    "order_status",
    "order_date",
    "last_contact_date",
    "last_contact_method",
    "last_contact_result",
};
#define FTA_NCOLS ((int)(sizeof(fta_cols) / sizeof(fta_cols[0])))

static int cmp_kid(const void *a, const void *b)
{
	const struct child *x = *(const struct child *const *)a;
	const struct child *y = *(const struct child *const *)b;

	if (x->anum != y->anum)
		return x->anum < y->anum ? -1 : 1;
	return (x->person > y->person) - (x->person < y->person);
}

/* Prepared point look-ups for the list's details. */
struct fta_q {
	struct store_stmt *placement; /* orr_placement by rid */
	struct store_stmt *kase;      /* eoir_case by rid */
	struct store_stmt *hearing;   /* eoir_hearing by rid */
	struct store_stmt *proc;      /* in absentia proceeding by case */
	struct store_stmt *contact;   /* orr_contact by rid */
	struct store_stmt *event;     /* field_event by rid */
};

static int fta_prepare(struct store *st, struct fta_q *fq, struct uc_err *err)
{
	int rc;

	memset(fq, 0, sizeof(*fq));
	rc = store_prepare(st,
			   "SELECT family_name, given_name, birth_date, country, "
			   "released_date, sponsor_id, sponsor_family_name, "
			   "sponsor_given_name, sponsor_relationship, sponsor_phone, "
			   "street, unit, city, state, zip "
			   "FROM orr_placement WHERE rid = ?",
			   &fq->placement, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT family_name, given_name, birth_date, "
				   "country FROM eoir_case WHERE rid = ?",
				   &fq->kase, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT base_city_code, hearing_loc_code "
				   "FROM eoir_hearing WHERE rid = ?",
				   &fq->hearing, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT base_city_code, hearing_loc_code "
				   "FROM eoir_proceeding WHERE idncase = ? "
				   "ORDER BY rid DESC LIMIT 1",
				   &fq->proc, err);
	if (!rc)
		rc = store_prepare(st,
				   "SELECT method, result FROM orr_contact "
				   "WHERE rid = ?",
				   &fq->contact, err);
	if (!rc)
		rc = store_prepare(st, "SELECT body FROM field_event WHERE rid = ?", &fq->event,
				   err);
	return rc;
}

static void fta_finalize(struct fta_q *fq)
{
	store_finalize(fq->placement);
	store_finalize(fq->kase);
	store_finalize(fq->hearing);
	store_finalize(fq->proc);
	store_finalize(fq->contact);
	store_finalize(fq->event);
}

/* Run q (one int parameter); copy column c_i of the row into v[dst[i]]. */
static int fta_fetch(struct store_stmt *q, int64_t id, char **v, const int *dst, int n,
		     struct uc_err *err)
{
	int s;

	store_bind_int(q, 1, id);
	s = store_step(q, err);
	if (s == STORE_ROW) {
		for (int i = 0; i < n; i++) {
			const char *t = store_col_text(q, i);

			if (t && !v[dst[i]])
				v[dst[i]] = uc_xstrdup(t);
		}
	}
	store_reset(q);
	return s < 0 ? -s : UC_OK;
}

static const char *addr_status_name(int s)
{
	static const char *const n[] = {"",	 "unverified",	"verified", "undeliverable",
					"blank", "missing_unit"};

	return s >= 0 && s <= AS_MISSING_UNIT ? n[s] : "";
}

/* Fill v[FTA_NCOLS] (owned strings or NULL) for child c. */
static int fta_row(struct ctx *x, struct fta_q *fq, const struct child *c, char **v)
{
	static const int pl_dst[] = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static const int case_dst[] = {2, 3, 4, 5};
	static const int loc_dst[] = {19, 20};
	static const int con_dst[] = {24, 25};
	char d[11], tmp[64];
	int rc = UC_OK;

	if (c->person)
		snprintf(tmp, sizeof(tmp), "P%lld", (long long)c->person);
	else
		snprintf(tmp, sizeof(tmp), "A%09lld", (long long)c->anum);
	v[0] = uc_xstrdup(tmp);
	if (c->anum >= 0) {
		snprintf(tmp, sizeof(tmp), "%09lld", (long long)c->anum);
		v[1] = uc_xstrdup(tmp);
	}
	if (c->rel_rid)
		rc = fta_fetch(fq->placement, c->rel_rid, v, pl_dst, 15, x->err);
	if (!rc && c->case_rid)
		rc = fta_fetch(fq->kase, c->case_rid, v, case_dst, 4, x->err);
	if (c->rel_rid == 0) {
		/* Not released by the as-of date: no release fields. */
		free(v[6]);
		v[6] = NULL;
	}
	v[17] = uc_xstrdup(addr_status_name(c->addr_status));
	date_format(c->missed_last, d);
	v[18] = uc_xstrdup(d);
	if (!rc && c->missed_rid)
		rc = fta_fetch(fq->hearing, c->missed_rid, v, loc_dst, 2, x->err);
	if (!rc && !v[19] && c->missed_case)
		rc = fta_fetch(fq->proc, c->missed_case, v, loc_dst, 2, x->err);
	if (c->flags & CF_REMOVED)
		v[21] = uc_xstrdup("removal_executed");
	else if ((c->flags & CF_ABSENTIA) && (c->flags & CF_RESCINDED))
		v[21] = uc_xstrdup("in_absentia_rescinded");
	else if (c->flags & CF_ABSENTIA)
		v[21] = uc_xstrdup("in_absentia_removal_order");
	else
		v[21] = uc_xstrdup("no_order");
	if (c->absentia_date != NONE) {
		date_format(c->absentia_date, d);
		v[22] = uc_xstrdup(d);
	}
	if (c->attempt_last != NONE) {
		date_format(c->attempt_last, d);
		v[23] = uc_xstrdup(d);
		if (!rc && c->attempt_tbl == 1)
			rc = fta_fetch(fq->contact, c->attempt_rid, v, con_dst, 2, x->err);
		if (!rc && c->attempt_tbl == 2) {
			static const int body_dst[] = {24};
			char *body[26] = {0};

			rc = fta_fetch(fq->event, c->attempt_rid, body, body_dst, 1, x->err);
			if (!rc && body[24]) {
				size_t bl = strlen(body[24]);

				json_field(body[24], bl, "method", tmp, sizeof(tmp));
				v[24] = uc_xstrdup(tmp);
				json_field(body[24], bl, "outcome", tmp, sizeof(tmp));
				v[25] = uc_xstrdup(tmp);
			}
			free(body[24]);
		}
	}
	return rc;
}

static void fta_render_row(struct buf *b, enum report_format f, char **v, json_t *arr)
{
	if (f == REPORT_FMT_CSV) {
		for (int i = 0; i < FTA_NCOLS; i++) {
			if (i)
				buf_addc(b, ',');
			fmt_csv_cell(b, v[i]);
		}
		buf_adds(b, "\r\n");
	} else if (f == REPORT_FMT_JSON) {
		json_t *o = json_object();

		for (int i = 0; i < FTA_NCOLS; i++)
			json_object_set_new(o, fta_cols[i],
					    v[i] && v[i][0] ? json_string(v[i]) : json_null());
		json_array_append_new(arr, o);
	} else {
		for (int i = 0; i < FTA_NCOLS; i++)
			buf_addf(b, "%s%s", i ? "\t" : "", v[i] ? v[i] : "");
		buf_addc(b, '\n');
	}
}

int report_fta(struct store *st, const struct report_opts *o, struct buf *out, struct uc_err *err)
{
	struct ctx x;
	struct fta_q fq;
	struct child **list = NULL;
	size_t n = 0;
	json_t *root = NULL, *arr = NULL;
	char d[11];
	int rc, own;

	memset(&fq, 0, sizeof(fq));
	if (o->public_mode)
		return uc_error(err, UC_EDENIED,
				"report fta: the failure-to-appear list is personal "
				"data and cannot be published; drop --public (the "
				"oversight report has the public counts)");
	if (o->format == REPORT_FMT_HTML || o->format == REPORT_FMT_SVG)
		return uc_error(err, UC_EUSAGE, "report fta: formats are csv, json and table");
	own = store_exec(st, "BEGIN", NULL) == UC_OK;
	rc = ctx_load(&x, st, o, err);
	if (rc)
		goto out;
	if (o->office) {
		rc = load_triage_labels(&x, REPORT_BY_OFFICE);
		if (rc)
			goto out;
	}
	list = uc_xmalloc(sizeof(*list) * (x.nkids + 1));
	for (size_t i = 0; i < x.nkids; i++) {
		const struct child *c = &x.kids[i];

		if (!(c->flags & CF_MISSED))
			continue;
		if (o->office && (c->tri >= x.ntri || strcmp(x.tri_label[c->tri], o->office) != 0))
			continue;
		list[n++] = &x.kids[i];
	}
	qsort(list, n, sizeof(*list), cmp_kid);
	rc = fta_prepare(st, &fq, err);
	if (rc)
		goto out;
	date_format(x.as_of, d);
	if (o->format == REPORT_FMT_JSON) {
		root = json_object();
		arr = json_array();
		json_object_set_new(root, "report", json_string("fta"));
		json_object_set_new(root, "as_of", json_string(d));
		json_object_set_new(root, "known_at", json_string(x.known_at));
		json_object_set_new(root, "identity",
				    json_string(x.person_mode ? "person" : "a_number"));
		json_object_set_new(root, "count", json_integer((json_int_t)n));
	} else if (o->format == REPORT_FMT_CSV) {
		for (int i = 0; i < FTA_NCOLS; i++) {
			if (i)
				buf_addc(out, ',');
			fmt_csv_cell(out, fta_cols[i]);
		}
		buf_adds(out, "\r\n");
	} else {
		buf_addf(out,
			 "# Children who missed a hearing, as of %s (records "
			 "imported by %s): %zu; children by %s\n",
			 d, x.known_at, n, x.person_mode ? "person" : "A-number");
		for (int i = 0; i < FTA_NCOLS; i++)
			buf_addf(out, "%s%s", i ? "\t" : "", fta_cols[i]);
		buf_addc(out, '\n');
	}
	for (size_t i = 0; i < n && !rc; i++) {
		char *v[FTA_NCOLS] = {0};

		rc = fta_row(&x, &fq, list[i], v);
		if (!rc)
			fta_render_row(out, o->format, v, arr);
		for (int k = 0; k < FTA_NCOLS; k++)
			free(v[k]);
	}
	if (!rc && root) {
		char *s;

		json_object_set_new(root, "children", arr);
		arr = NULL;
		s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		if (!s) {
			rc = uc_error(err, UC_ENOMEM, "report fta: cannot encode JSON");
			goto out;
		}
		buf_adds(out, s);
		buf_addc(out, '\n');
		free(s);
	}
	if (!rc && buf_failed(out))
		rc = uc_error(err, UC_ENOMEM, "report fta: output larger than %zu bytes", out->cap);
out:
	json_decref(arr);
	json_decref(root);
	fta_finalize(&fq);
	free(list);
	if (own)
		store_exec(st, "COMMIT", NULL);
	ctx_release(&x);
	return rc;
}

/* The value of the first column of line [p, e) into out (up to , or TAB). */
static void first_cell(const char *p, const char *e, struct buf *out, size_t *n)
{
	const char *q = p;

	while (q < e && *q != ',' && *q != '\t' && *q != '\r')
		q++;
	if (q == p)
		return;
	if (out->len)
		buf_addc(out, ',');
	buf_add(out, p, (size_t)(q - p));
	(*n)++;
}

int report_fta_subjects(const char *text, size_t len, struct buf *out, size_t *n)
{
	static const char key[] = "\"child\":";
	const char *p = text, *e = text + len;

	*n = 0;
	if (!text || !len)
		return UC_OK;
	if (*p == '{') {
		/* JSON, whole or a page: every "child": "ID" */
		while ((p = memmem(p, (size_t)(e - p), key, sizeof(key) - 1)) != NULL) {
			const char *v = p + sizeof(key) - 1, *q;

			while (v < e && *v == ' ')
				v++;
			p = v;
			if (v >= e || *v != '"')
				continue;
			q = memchr(v + 1, '"', (size_t)(e - v - 1));
			if (!q)
				break;
			if (out->len)
				buf_addc(out, ',');
			buf_add(out, v + 1, (size_t)(q - v - 1));
			(*n)++;
			p = q;
		}
	} else {
		/* CSV or table: the first column of every line after the header
		 * (table: after its # comment lines) */
		int header = 1;

		while (p < e) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			const char *le = nl ? nl : e;

			if (*p != '#' && le > p) {
				if (!header)
					first_cell(p, le, out, n);
				header = 0;
			}
			p = nl ? nl + 1 : e;
		}
	}
	return buf_failed(out) ? UC_ENOMEM : UC_OK;
}
