/*
 * sponsor.c - sponsor identities and flags (see sponsor.h).
 */
#include "link/sponsor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/block.h"
#include "link/cluster.h"
#include "link/cmp.h"
#include "link/fs.h"
#include "link/link_int.h"
#include "link/norm.h"

#define SF 5
enum { S_SID, S_FAM, S_GIV, S_PHONE, S_ADDR };

static const char *const sfield_names[SF] = {"sid", "fam", "giv", "phone", "addr"};
static const int sfield_levels[SF] = {CMP_EQ_NLEVELS, CMP_NAME_NLEVELS, CMP_NAME_NLEVELS,
				      CMP_EQ_NLEVELS, CMP_EQ_NLEVELS};

/* One sponsor record (an ORR placement naming a sponsor). */
struct srec {
	int64_t rid;	/* orr_placement.rid */
	int64_t old;	/* sponsor before this run, 0 none */
	uint32_t sid;	/* arena: ORR sponsor id */
	uint32_t fam;	/* arena: normalised family name */
	uint32_t giv;	/* arena: normalised given name */
	uint32_t phone; /* arena: last 10 digits of the phone */
	uint32_t addr;	/* arena: address key */
};

static const char *SEL =
    "SELECT rid, sponsor_id, sponsor_family_name, sponsor_given_name, sponsor_phone, "
    "street, unit, zip FROM orr_placement WHERE rid > ? AND "
    "(COALESCE(sponsor_id, '') <> '' OR COALESCE(sponsor_family_name, '') <> '') ORDER BY rid";

size_t sponsor_address_key(const char *street, const char *unit, const char *zip, char *out,
			   size_t cap)
{
	struct norm_name s, u;
	char z[6];
	size_t zl = 0;
	int n;

	out[0] = '\0';
	for (const char *p = zip; p && *p && zl < 5; p++) {
		if (*p >= '0' && *p <= '9')
			z[zl++] = *p;
	}
	z[zl] = '\0';
	norm_name(street, (size_t)-1, &s);
	if (!s.ntok || zl < 5)
		return 0;
	norm_name(unit, (size_t)-1, &u);
	n = snprintf(out, cap, "%s|%s|%s", s.s, u.s, z);
	if (n < 0 || (size_t)n >= cap) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

static uint32_t add_phone(struct larena *a, const char *p)
{
	char d[32];
	size_t n = 0;

	for (; p && *p && n < sizeof(d) - 1; p++) {
		if (*p >= '0' && *p <= '9')
			d[n++] = *p;
	}
	if (n < 7)
		return 0;
	if (n > 10)
		return larena_add(a, d + n - 10, 10);
	return larena_add(a, d, n);
}

/* Offset in a of the normalised form of s (may be NULL), 0 if it has no
 * token. Sponsors' names repeat (one sponsor, many placements; common
 * names), so each distinct spelling is normalised once. */
static uint32_t add_norm(struct larena *a, struct spellcache *c, const char *s)
{
	struct norm_name nn;
	uint32_t off;

	if (spellcache_get(c, s, &off))
		return off;
	norm_name(s, (size_t)-1, &nn);
	off = nn.ntok ? larena_add(a, nn.s, strlen(nn.s)) : 0;
	spellcache_put(c, s, off);
	return off;
}

static void srec_from_row(struct store_stmt *q, struct larena *a, struct spellcache *nc,
			  struct srec *r)
{
	const char *sid = store_col_text(q, 1);
	char key[256];
	size_t kl;

	memset(r, 0, sizeof(*r));
	r->rid = store_col_int(q, 0);
	r->sid = sid && *sid ? larena_add(a, sid, strlen(sid)) : 0;
	r->fam = add_norm(a, nc, store_col_text(q, 2));
	r->giv = add_norm(a, nc, store_col_text(q, 3));
	r->phone = add_phone(a, store_col_text(q, 4));
	kl = sponsor_address_key(store_col_text(q, 5), store_col_text(q, 6), store_col_text(q, 7),
				 key, sizeof(key));
	r->addr = kl ? larena_add(a, key, kl) : 0;
}

static int skeys(const struct larena *a, const struct srec *r, uint64_t out[4])
{
	struct norm_name f, g;
	char pf[NORM_PHON_MAX], pg[NORM_PHON_MAX], b[64];
	int k = 0;

	if (r->sid)
		out[k++] = block_hash(a->p + r->sid, strlen(a->p + r->sid), 11);
	if (r->phone)
		out[k++] = block_hash(a->p + r->phone, strlen(a->p + r->phone), 12);
	norm_split(a->p + r->fam, strlen(a->p + r->fam), &f);
	norm_split(a->p + r->giv, strlen(a->p + r->giv), &g);
	if (f.ntok && g.ntok) {
		int n;

		norm_phon(f.s + f.off[0], f.len[0], pf);
		norm_phon(g.s + g.off[0], g.len[0], pg);
		/* Names within a ZIP code (the address key ends with it). */
		if (r->addr) {
			const char *z = strrchr(a->p + r->addr, '|');

			n = snprintf(b, sizeof(b), "%s|%s|%s", pf, pg, z ? z + 1 : "");
			out[k++] = block_hash(b, (size_t)n, 13);
		}
		if (r->addr) {
			uint64_t h = block_hash(a->p + r->addr, strlen(a->p + r->addr), 14);

			out[k++] = block_hash(pf, strlen(pf), h);
		}
	}
	return k;
}

static void scompare(const struct larena *a, const struct srec *x, const struct srec *y,
		     uint8_t v[SF])
{
	struct norm_name p, q;

	v[S_SID] = (uint8_t)cmp_eq(a->p + x->sid, a->p + y->sid, NULL);
	norm_split(a->p + x->fam, strlen(a->p + x->fam), &p);
	norm_split(a->p + y->fam, strlen(a->p + y->fam), &q);
	v[S_FAM] = (uint8_t)cmp_name(&p, &q);
	norm_split(a->p + x->giv, strlen(a->p + x->giv), &p);
	norm_split(a->p + y->giv, strlen(a->p + y->giv), &q);
	v[S_GIV] = (uint8_t)cmp_name(&p, &q);
	v[S_PHONE] = (uint8_t)cmp_eq(a->p + x->phone, a->p + y->phone, NULL);
	v[S_ADDR] = (uint8_t)cmp_eq(a->p + x->addr, a->p + y->addr, NULL);
}

/* Data for the random-pair comparator. */
struct sctx {
	const struct larena *a; /* names */
	const struct srec *r;	/* records */
};

static void scompare_fn(void *ctx, uint32_t i, uint32_t j, uint8_t *v)
{
	const struct sctx *c = ctx;

	scompare(c->a, &c->r[i], &c->r[j], v);
}

/* Candidate pairs to compare, for link_parallel(). */
struct sjob {
	const struct larena *a;	  /* names */
	const struct srec *r;	  /* records */
	const struct fs_model *m; /* for fs_pack */
	const uint64_t *pairs;	  /* (i << 32 | j) */
	uint64_t *pat;		  /* out: pattern per pair */
};

static void scompare_range(void *arg, size_t lo, size_t hi)
{
	struct sjob *j = arg;

	for (size_t i = lo; i < hi; i++) {
		uint8_t v[SF];

		scompare(j->a, &j->r[j->pairs[i] >> 32], &j->r[(uint32_t)j->pairs[i]], v);
		j->pat[i] = fs_pack(j->m, v);
	}
}

/* ---- flags ---- */

/* A child released to a sponsor or address. */
struct fchild {
	int64_t person;		/* child */
	char date[11];		/* release date or "" */
	char fam[NORM_MAX_LEN]; /* family name of the child: as recorded
				 * (truncated), normalised by flag_group */
};

/* Count families: children related when family names share a token. */
static int count_families(struct fchild *c, size_t n)
{
	struct cluster cl;
	int fam = 0;

	cluster_init(&cl, n);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			struct norm_name a, b;
			int shared = c[i].person == c[j].person;

			norm_split(c[i].fam, strlen(c[i].fam), &a);
			norm_split(c[j].fam, strlen(c[j].fam), &b);
			for (int x = 0; x < a.ntok && !shared; x++) {
				for (int y = 0; y < b.ntok && !shared; y++) {
					shared =
					    a.len[x] == b.len[y] &&
					    memcmp(a.s + a.off[x], b.s + b.off[y], a.len[x]) == 0;
				}
			}
			if (shared)
				cluster_join(&cl, (uint32_t)i, (uint32_t)j);
		}
	}
	for (size_t i = 0; i < n; i++)
		fam += cluster_find(&cl, (uint32_t)i) == i;
	cluster_release(&cl);
	return fam;
}

/* Flags state. */
struct flagger {
	struct store *st;	 /* borrowed */
	int64_t run_id;		 /* current run */
	int min_families;	 /* threshold */
	struct store_stmt *ins;	 /* INSERT link_flag */
	struct store_stmt *insc; /* INSERT link_flag_child */
	size_t flags;		 /* flags written */
};

static int flag_group(struct flagger *F, const char *kind, int64_t sponsor, const char *addr,
		      struct fchild *c, size_t n, struct uc_err *err)
{
	size_t distinct = 0;
	int fam;
	const char *first = NULL, *last = NULL;
	int64_t fid;

	if (n < (size_t)F->min_families)
		return UC_OK;
	for (size_t i = 0; i < n; i++) {
		int dup = 0;

		for (size_t j = 0; j < i && !dup; j++)
			dup = c[j].person == c[i].person;
		distinct += !dup;
		if (c[i].date[0] && (!first || strcmp(c[i].date, first) < 0))
			first = c[i].date;
		if (c[i].date[0] && (!last || strcmp(c[i].date, last) > 0))
			last = c[i].date;
	}
	if (distinct < (size_t)F->min_families)
		return UC_OK;
	for (size_t i = 0; i < n; i++) {
		struct norm_name nn;

		norm_name(c[i].fam, (size_t)-1, &nn);
		snprintf(c[i].fam, sizeof(c[i].fam), "%s", nn.s);
	}
	fam = count_families(c, n);
	if (fam < F->min_families)
		return UC_OK;
	store_reset(F->ins);
	store_bind_text(F->ins, 1, kind, -1);
	if (sponsor)
		store_bind_int(F->ins, 2, sponsor);
	else
		store_bind_null(F->ins, 2);
	store_bind_text(F->ins, 3, addr, -1);
	store_bind_int(F->ins, 4, (int64_t)distinct);
	store_bind_int(F->ins, 5, fam);
	store_bind_text(F->ins, 6, first, -1);
	store_bind_text(F->ins, 7, last, -1);
	store_bind_int(F->ins, 8, F->run_id);
	if (store_step(F->ins, err) < 0)
		return err->code ? err->code : UC_EIO;
	fid = store_last_id(F->st);
	for (size_t i = 0; i < n; i++) {
		store_reset(F->insc);
		store_bind_int(F->insc, 1, fid);
		store_bind_int(F->insc, 2, c[i].person);
		store_bind_text(F->insc, 3, c[i].date[0] ? c[i].date : NULL, -1);
		if (store_step(F->insc, err) < 0)
			return err->code ? err->code : UC_EIO;
	}
	F->flags++;
	return UC_OK;
}

/* Run a grouped query (group column 0: sponsor id or address key; then
 * person, release date, child family name) and flag each group. */
static int flag_query(struct flagger *F, const char *kind, const char *sql, const char *bind_text,
		      int64_t bind_int, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct fchild *c = NULL;
	size_t n = 0, alloc = 0;
	char gkey[256] = "";
	int64_t gid = 0;
	int rc = store_prepare(F->st, sql, &q, err), have = 0;

	if (rc)
		return rc;
	if (bind_text)
		store_bind_text(q, 1, bind_text, -1);
	else if (bind_int)
		store_bind_int(q, 1, bind_int);
	for (;;) {
		int s = store_step(q, err);
		const char *k = NULL;
		int64_t id = 0;
		int newgroup;

		if (s < 0) {
			rc = -s;
			break;
		}
		if (s == STORE_ROW) {
			k = store_col_text(q, 0);
			id = store_col_int(q, 0);
		}
		newgroup = s != STORE_ROW || !have ||
			   (bind_text || !strcmp(kind, "address_many_children")
				? strcmp(k ? k : "", gkey) != 0
				: id != gid);
		if (newgroup && have && n) {
			rc = flag_group(
			    F, kind, strcmp(kind, "sponsor_many_children") == 0 ? gid : 0,
			    strcmp(kind, "sponsor_many_children") == 0 ? NULL : gkey, c, n, err);
			if (rc)
				break;
			n = 0;
		}
		if (s != STORE_ROW)
			break;
		if (newgroup) {
			snprintf(gkey, sizeof(gkey), "%s", k ? k : "");
			gid = id;
			have = 1;
		}
		if (store_col_is_null(q, 1))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			c = uc_xrealloc(c, alloc * sizeof(*c));
		}
		c[n].person = store_col_int(q, 1);
		snprintf(c[n].date, sizeof(c[n].date), "%s",
			 store_col_text(q, 2) ? store_col_text(q, 2) : "");
		/* As recorded: normalised only for groups big enough to
		 * flag (count_families), most are not. */
		snprintf(c[n].fam, sizeof(c[n].fam), "%s",
			 store_col_text(q, 3) ? store_col_text(q, 3) : "");
		n++;
	}
	free(c);
	store_finalize(q);
	return rc;
}

#define FLAG_COLS                                                                                  \
	"pr.person_id, p.released_date, p.family_name FROM sponsor_record sr "                     \
	"JOIN orr_placement p ON p.rid = sr.src_rid LEFT JOIN person_record pr "                   \
	"ON pr.src_tbl = 'orr_placement' AND pr.src_rid = sr.src_rid "

/* Full runs: every flag again. Only sponsors and addresses with at
 * least min_families records can be flagged (flag_group), and nearly all
 * have one: the joins and the sort run on those few groups only. */
static int flags_all(struct flagger *F, struct uc_err *err)
{
	char sql[768];
	int rc = store_exec(F->st, "DELETE FROM link_flag_child; DELETE FROM link_flag;", err);

	if (!rc) {
		snprintf(sql, sizeof(sql),
			 "SELECT sr.sponsor_id, " FLAG_COLS
			 "WHERE sr.sponsor_id IN (SELECT sponsor_id FROM sponsor_record "
			 "GROUP BY sponsor_id HAVING COUNT(*) >= %d) ORDER BY sr.sponsor_id",
			 F->min_families);
		rc = flag_query(F, "sponsor_many_children", sql, NULL, 0, err);
	}
	if (!rc) {
		snprintf(sql, sizeof(sql),
			 "SELECT sr.address_key, " FLAG_COLS
			 "WHERE sr.address_key IN (SELECT address_key FROM sponsor_record "
			 "WHERE address_key IS NOT NULL GROUP BY address_key "
			 "HAVING COUNT(*) >= %d) ORDER BY sr.address_key",
			 F->min_families);
		rc = flag_query(F, "address_many_children", sql, NULL, 0, err);
	}
	return rc;
}

static int flags_one(struct flagger *F, int64_t sponsor, const char *addr, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_prepare(
	    F->st,
	    sponsor ? "DELETE FROM link_flag_child WHERE flag_id IN (SELECT id FROM link_flag "
		      "WHERE sponsor_id = ?)"
		    : "DELETE FROM link_flag_child WHERE flag_id IN (SELECT id FROM link_flag "
		      "WHERE address_key = ?)",
	    &q, err);
	if (rc)
		return rc;
	if (sponsor)
		store_bind_int(q, 1, sponsor);
	else
		store_bind_text(q, 1, addr, -1);
	rc = store_step(q, err) < 0 ? UC_EIO : UC_OK;
	store_finalize(q);
	q = NULL;
	if (!rc)
		rc = store_prepare(F->st,
				   sponsor ? "DELETE FROM link_flag WHERE sponsor_id = ?"
					   : "DELETE FROM link_flag WHERE address_key = ?",
				   &q, err);
	if (!rc) {
		if (sponsor)
			store_bind_int(q, 1, sponsor);
		else
			store_bind_text(q, 1, addr, -1);
		rc = store_step(q, err) < 0 ? UC_EIO : UC_OK;
	}
	store_finalize(q);
	if (rc)
		return rc;
	if (sponsor)
		return flag_query(F, "sponsor_many_children",
				  "SELECT sr.sponsor_id, " FLAG_COLS "WHERE sr.sponsor_id = ?",
				  NULL, sponsor, err);
	return flag_query(F, "address_many_children",
			  "SELECT sr.address_key, " FLAG_COLS "WHERE sr.address_key = ?", addr, 0,
			  err);
}

/* ---- linking ---- */

static int sponsor_full(struct store *st, int64_t run_id, size_t cap, struct link_stats *s,
			struct uc_err *err)
{
	struct larena a;
	struct spellcache nc;
	struct srec *r = NULL;
	size_t n = 0, alloc = 0;
	struct store_stmt *q = NULL, *qs = NULL, *qr = NULL;
	struct block_keys k;
	struct block_pairs pr;
	struct fs_counts cnt;
	struct fs_model m;
	struct cluster cl;
	struct u64map idx, rootid, claimed;
	uint64_t *pat = NULL;
	int64_t next_id = 0;
	char now[21];
	int rc;

	larena_init(&a);
	spellcache_init(&nc);
	block_keys_init(&k);
	memset(&pr, 0, sizeof(pr));
	fs_counts_init(&cnt);
	memset(&cl, 0, sizeof(cl));
	u64map_init(&idx);
	u64map_init(&rootid);
	u64map_init(&claimed);
	link_now(now);
	rc = store_prepare(st, SEL, &q, err);
	if (rc)
		goto out;
	store_bind_int(q, 1, 0);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 65536;
			r = uc_xrealloc(r, alloc * sizeof(*r));
		}
		srec_from_row(q, &a, &nc, &r[n]);
		u64map_put(&idx, (uint64_t)r[n].rid, n);
		n++;
	}
	store_finalize(q);
	q = NULL;
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	if (n >= BLOCK_MAX_RECS) {
		rc = uc_error(err, UC_ENOMEM,
			      "%zu sponsor records: more than linkage handles at once", n);
		goto out;
	}
	s->sponsor_records = n;
	/* Old sponsor of each record, to keep ids. */
	rc = store_prepare(st, "SELECT src_rid, sponsor_id FROM sponsor_record", &q, err);
	if (rc)
		goto out;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		uint64_t *i = u64map_get(&idx, (uint64_t)store_col_int(q, 0));

		if (i)
			r[*i].old = store_col_int(q, 1);
	}
	store_finalize(q);
	q = NULL;
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t keys[4];
		int nk = skeys(&a, &r[i], keys);

		for (int j = 0; j < nk; j++)
			block_keys_add(&k, keys[j], (uint32_t)i);
	}
	block_pairs_build(&k, cap, NULL, &pr);
	fs_init(&m, SF, sfield_levels, sfield_names);
	{
		struct sctx sc = {&a, r};

		fs_random_u(&m, n, NULL, scompare_fn, &sc, 50000);
	}
	pat = uc_xmalloc((pr.n ? pr.n : 1) * sizeof(*pat));
	{
		struct sjob sj = {&a, r, &m, pr.v, pat};

		link_parallel(pr.n, 20000, scompare_range, &sj);
	}
	for (size_t i = 0; i < pr.n; i++)
		fs_counts_add(&cnt, pat[i], 1);
	fs_em(&m, &cnt, 300);
	/* Store the sponsor model with the run. */
	rc = store_prepare(st,
			   "INSERT INTO link_model(run_id, model, field, level, m, u) "
			   "VALUES(?,?,?,?,?,?)",
			   &q, err);
	for (int f = 0; f < SF && !rc; f++) {
		for (int l = 1; l < m.nlevel[f] && !rc; l++) {
			store_reset(q);
			store_bind_int(q, 1, run_id);
			store_bind_text(q, 2, "sponsor", -1);
			store_bind_text(q, 3, m.name[f], -1);
			store_bind_int(q, 4, l);
			store_bind_double(q, 5, m.m[f][l]);
			store_bind_double(q, 6, m.u[f][l]);
			if (store_step(q, err) < 0)
				rc = UC_EIO;
		}
	}
	store_finalize(q);
	q = NULL;
	if (rc)
		goto out;
	cluster_init(&cl, n);
	/* One ORR sponsor id is one sponsor: ORR assigned it. */
	{
		struct u64map first;

		u64map_init(&first);
		for (size_t i = 0; i < n; i++) {
			uint64_t h, *f;

			if (!r[i].sid)
				continue;
			h = block_hash(a.p + r[i].sid, strlen(a.p + r[i].sid), 21);
			h = h == UINT64_MAX ? 0 : h;
			f = u64map_get(&first, h);
			if (f)
				cluster_join(&cl, (uint32_t)*f, (uint32_t)i);
			else
				u64map_put(&first, h, i);
		}
		u64map_release(&first);
	}
	for (size_t i = 0; i < pr.n; i++) {
		if (fs_posterior(&m, pat[i]) >= m.match_at)
			cluster_join(&cl, (uint32_t)(pr.v[i] >> 32), (uint32_t)pr.v[i]);
	}
	rc = store_exec(st,
			"DELETE FROM link_flag_child; DELETE FROM link_flag; "
			"DELETE FROM sponsor_record;",
			err);
	if (!rc)
		rc = store_query_int(st, "SELECT COALESCE(MAX(id), 0) FROM sponsor", &next_id, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "INSERT INTO sponsor(id, orr_sponsor_id, created_at) VALUES(?,?,?) "
		    "ON CONFLICT(id) DO UPDATE SET orr_sponsor_id = excluded.orr_sponsor_id",
		    &qs, err);
	if (!rc)
		rc = store_prepare(st,
				   "INSERT INTO sponsor_record(src_rid, sponsor_id, method, score, "
				   "address_key) VALUES(?,?,?,?,?)",
				   &qr, err);
	/* Sponsor id per root: the first record's old id not yet taken. */
	for (size_t i = 0; i < n && !rc; i++) {
		uint32_t root = cluster_find(&cl, (uint32_t)i);

		if (u64map_get(&rootid, root))
			continue;
		if (r[i].old && !u64map_get(&claimed, (uint64_t)r[i].old)) {
			u64map_put(&rootid, root, (uint64_t)r[i].old);
			u64map_put(&claimed, (uint64_t)r[i].old, 1);
		}
	}
	for (size_t i = 0; i < n && !rc; i++) {
		uint32_t root = cluster_find(&cl, (uint32_t)i);
		uint64_t *sp = u64map_get(&rootid, root);
		int64_t sid;
		int fresh = 0;

		if (!sp) {
			sid = ++next_id;
			u64map_put(&rootid, root, (uint64_t)sid);
			fresh = 1;
		} else {
			sid = (int64_t)*sp;
			fresh = u64map_get(&claimed, (uint64_t)sid) &&
				*u64map_get(&claimed, (uint64_t)sid) == 1;
			if (fresh)
				u64map_put(&claimed, (uint64_t)sid, 2);
		}
		if (fresh) {
			store_reset(qs);
			store_bind_int(qs, 1, sid);
			store_bind_text(qs, 2, r[i].sid ? a.p + r[i].sid : NULL, -1);
			store_bind_text(qs, 3, now, -1);
			if (store_step(qs, err) < 0)
				rc = UC_EIO;
		}
		store_reset(qr);
		store_bind_int(qr, 1, r[i].rid);
		store_bind_int(qr, 2, sid);
		store_bind_text(qr, 3, cl.size[root] > 1 ? "fs" : "single", -1);
		store_bind_null(qr, 4);
		store_bind_text(qr, 5, r[i].addr ? a.p + r[i].addr : NULL, -1);
		if (!rc && store_step(qr, err) < 0)
			rc = UC_EIO;
	}
	if (!rc)
		rc = store_exec(st,
				"DELETE FROM sponsor WHERE id NOT IN "
				"(SELECT sponsor_id FROM sponsor_record);",
				err);
out:
	store_finalize(q);
	store_finalize(qs);
	store_finalize(qr);
	free(pat);
	free(r);
	cluster_release(&cl);
	fs_counts_release(&cnt);
	block_pairs_release(&pr);
	block_keys_release(&k);
	u64map_release(&idx);
	u64map_release(&rootid);
	u64map_release(&claimed);
	larena_release(&a);
	spellcache_release(&nc);
	return rc;
}

/* Incremental: attach new placements by ORR sponsor id; flag the touched. */
static int sponsor_incr(struct store *st, struct flagger *F, int64_t after, struct link_stats *s,
			struct uc_err *err)
{
	struct store_stmt *q = NULL, *qf = NULL, *qs = NULL, *qr = NULL;
	struct larena a;
	struct spellcache nc;
	struct srec *r = NULL;
	size_t n = 0, alloc = 0;
	char now[21];
	int rc;

	larena_init(&a);
	spellcache_init(&nc);
	link_now(now);
	rc = store_prepare(st, SEL, &q, err);
	if (rc)
		goto out;
	store_bind_int(q, 1, after);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			r = uc_xrealloc(r, alloc * sizeof(*r));
		}
		srec_from_row(q, &a, &nc, &r[n++]);
	}
	store_finalize(q);
	q = NULL;
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	rc = store_prepare(st, "SELECT id FROM sponsor WHERE orr_sponsor_id = ? LIMIT 1", &qf, err);
	if (!rc)
		rc = store_prepare(
		    st, "INSERT INTO sponsor(orr_sponsor_id, created_at) VALUES(?,?)", &qs, err);
	if (!rc)
		rc = store_prepare(
		    st,
		    "INSERT OR REPLACE INTO sponsor_record(src_rid, sponsor_id, method, "
		    "score, address_key) VALUES(?,?,?,NULL,?)",
		    &qr, err);
	for (size_t i = 0; i < n && !rc; i++) {
		int64_t sid = 0;
		const char *method = "single";

		if (r[i].sid) {
			store_reset(qf);
			store_bind_text(qf, 1, a.p + r[i].sid, -1);
			if (store_step(qf, err) == STORE_ROW) {
				sid = store_col_int(qf, 0);
				method = "sponsor_id";
			}
		}
		if (!sid) {
			store_reset(qs);
			store_bind_text(qs, 1, r[i].sid ? a.p + r[i].sid : NULL, -1);
			store_bind_text(qs, 2, now, -1);
			if (store_step(qs, err) < 0) {
				rc = UC_EIO;
				break;
			}
			sid = store_last_id(st);
		}
		store_reset(qr);
		store_bind_int(qr, 1, r[i].rid);
		store_bind_int(qr, 2, sid);
		store_bind_text(qr, 3, method, -1);
		store_bind_text(qr, 4, r[i].addr ? a.p + r[i].addr : NULL, -1);
		if (store_step(qr, err) < 0) {
			rc = UC_EIO;
			break;
		}
		rc = flags_one(F, sid, NULL, err);
		if (!rc && r[i].addr)
			rc = flags_one(F, 0, a.p + r[i].addr, err);
	}
	s->sponsor_records = n;
out:
	store_finalize(q);
	store_finalize(qf);
	store_finalize(qs);
	store_finalize(qr);
	free(r);
	larena_release(&a);
	spellcache_release(&nc);
	return rc;
}

int sponsor_link(struct store *st, int64_t run_id, int full, int min_families, size_t cap,
		 struct link_stats *s, struct uc_err *err)
{
	struct flagger F;
	struct store_stmt *q = NULL;
	int64_t after = 0, maxrid = 0, ns = 0, nf = 0;
	int rc;

	memset(&F, 0, sizeof(F));
	F.st = st;
	F.run_id = run_id;
	F.min_families = min_families > 0 ? min_families : 3;
	rc = store_prepare(st,
			   "INSERT INTO link_flag(kind, sponsor_id, address_key, children, "
			   "families, first_date, last_date, run_id) VALUES(?,?,?,?,?,?,?,?)",
			   &F.ins, err);
	if (!rc)
		rc = store_prepare(st,
				   "INSERT OR IGNORE INTO link_flag_child(flag_id, person_id, "
				   "released_date) VALUES(?,?,?)",
				   &F.insc, err);
	if (rc)
		goto out;
	if (!full) {
		rc = store_prepare(st, "SELECT max_rid FROM link_watermark WHERE tbl = 'sponsor'",
				   &q, err);
		if (rc)
			goto out;
		if (store_step(q, err) == STORE_ROW)
			after = store_col_int(q, 0);
		store_finalize(q);
		q = NULL;
	}
	rc = store_query_int(st, "SELECT COALESCE(MAX(rid), 0) FROM orr_placement", &maxrid, err);
	if (rc)
		goto out;
	if (full) {
		rc = sponsor_full(st, run_id, cap ? cap : 60, s, err);
		if (!rc)
			rc = flags_all(&F, err);
	} else {
		rc = sponsor_incr(st, &F, after, s, err);
	}
	if (rc)
		goto out;
	rc = store_prepare(st,
			   "INSERT INTO link_watermark(tbl, max_rid) VALUES('sponsor', ?) "
			   "ON CONFLICT(tbl) DO UPDATE SET max_rid = excluded.max_rid",
			   &q, err);
	if (rc)
		goto out;
	store_bind_int(q, 1, maxrid);
	if (store_step(q, err) < 0)
		rc = UC_EIO;
	store_finalize(q);
	q = NULL;
	if (!rc)
		rc = store_query_int(st, "SELECT COUNT(*) FROM sponsor", &ns, err);
	if (!rc)
		rc = store_query_int(st, "SELECT COUNT(*) FROM link_flag", &nf, err);
	s->sponsors = (size_t)ns;
	s->flags = (size_t)nf;
out:
	store_finalize(q);
	store_finalize(F.ins);
	store_finalize(F.insc);
	return rc;
}
