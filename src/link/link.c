/*
 * link.c - store-backed linkage of children's records (see link.h).
 */
#include "link/link.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/anum.h"
#include "core/date.h"
#include "core/progress.h"
#include "link/block.h"
#include "link/cluster.h"
#include "link/cmp.h"
#include "link/fs.h"
#include "link/link_int.h"
#include "link/sponsor.h"

#define NF 7
#define DEFAULT_CAP 30
#define CODE_SHIFT 36
#define RID_MASK ((1ULL << CODE_SHIFT) - 1)

enum { F_ANUM, F_FAM, F_GIV, F_DOB, F_SEX, F_CTRY, F_LANG };

static const char *const field_names[NF] = {"anum", "fam", "giv", "dob", "sex", "ctry", "lang"};
static const int field_levels[NF] = {CMP_ANUM_NLEVELS, CMP_NAME_NLEVELS, CMP_NAME_NLEVELS,
				     CMP_DATE_NLEVELS, CMP_EQ_NLEVELS,	 CMP_EQ_NLEVELS,
				     CMP_EQ_NLEVELS};
static const char *const anum_lv[] = {"-", "exact", "typo", "transpose", "diff"};
static const char *const name_lv[] = {"-", "exact", "subset", "high", "mid", "diff"};
static const char *const date_lv[] = {"-",     "exact", "swap", "fom", "jan1",
				      "year1", "near",	"diff", "far"};
static const char *const eq_lv[] = {"-", "agree", "diff"};

/* The identity-bearing source tables, by code (1..4). */
struct src {
	const char *tbl; /* table name */
	const char *sel; /* columns: rid skey a_number family given birth sex
			  * country language idncase */
};

static const struct src srcs[] = {
    {NULL, NULL},
    {"cbp_encounter", "SELECT rid, skey, a_number, family_name, given_name, birth_date, "
		      "sex, country, language, NULL FROM cbp_encounter"},
    {"orr_placement", "SELECT rid, skey, a_number, family_name, given_name, birth_date, "
		      "sex, country, NULL, NULL FROM orr_placement"},
    {"eoir_case", "SELECT rid, skey, a_number, family_name, given_name, birth_date, "
		  "sex, country, language, idncase FROM eoir_case"},
    {"ice_nta", "SELECT rid, skey, a_number, family_name, given_name, birth_date, "
		"NULL, NULL, NULL, NULL FROM ice_nta"},
};
#define NSRC 4

/* One identity record, compact. The fields compare() reads come first:
 * a pair's second record is read at random, and they share a cache line. */
struct lrec {
	uint32_t anum;	 /* A-number as a number when valid, else 0 */
	uint32_t fam;	 /* arena offset: normalised family name */
	uint32_t giv;	 /* arena offset: normalised given name */
	int32_t dob;	 /* birth date, UC_DATE_NONE when unknown */
	uint32_t famn;	 /* full runs: records with this family name as
			  * normalised (term frequency), 0 unknown */
	uint32_t givn;	 /* the same for the given name */
	uint8_t famlen;	 /* its length (< NORM_MAX_LEN) */
	uint8_t givlen;	 /* its length */
	char sex;	 /* 'M', 'F', or 0 unknown */
	char ctry[3];	 /* ISO alpha-2 or "" */
	char lang[4];	 /* ISO 639-3 or "" */
	uint64_t rkey;	 /* table code << 36 | rid */
	uint64_t skh;	 /* hash of (table, skey): versions share it */
	int64_t person;	 /* person before this run, 0 none */
	int64_t idncase; /* eoir_case.idncase, 0 otherwise */
	uint8_t is_new;	 /* not linked before this run */
	uint8_t suspect; /* A-number taken as mistyped */
};

/* The records of a run. */
struct lset {
	struct lrec *r;		 /* records */
	size_t n;		 /* count */
	size_t alloc;		 /* allocated */
	struct larena a;	 /* names, each distinct name once (interned) */
	struct u64map names;	 /* hash of a name -> its offset in a */
	struct u64map idx;	 /* rkey -> index */
	struct spellcache spell; /* source name -> offset of its normalised
				  * form in a */
};

/* A scored candidate pair. */
struct cand {
	double post;  /* posterior */
	double w;     /* match weight */
	uint64_t pat; /* comparison vector */
	uint32_t a;   /* record index */
	uint32_t b;   /* record index */
};

/* A compared pair before scoring: every candidate of a run (tens of
 * millions at 600,000 children), so half the size of struct cand; only
 * the pairs worth a decision become cands. */
struct cpair {
	uint32_t a;   /* record index */
	uint32_t b;   /* record index */
	uint32_t pat; /* comparison vector (fs_pack: 4 bits a field) */
	uint32_t fn;  /* full runs: the larger famn of the two records */
	uint32_t gn;  /* full runs: the larger givn of the two records */
};
_Static_assert(NF * 4 <= 32, "a comparison vector fits struct cpair.pat");

static const char *tbl_of(uint64_t rkey)
{
	unsigned c = (unsigned)(rkey >> CODE_SHIFT);

	return c >= 1 && c <= NSRC ? srcs[c].tbl : "?";
}

static int code_of(const char *tbl)
{
	for (int c = 1; c <= NSRC; c++) {
		if (strcmp(srcs[c].tbl, tbl) == 0)
			return c;
	}
	return 0;
}

static void lset_init(struct lset *s)
{
	memset(s, 0, sizeof(*s));
	larena_init(&s->a);
	u64map_init(&s->names);
	u64map_init(&s->idx);
	spellcache_init(&s->spell);
}

static void lset_release(struct lset *s)
{
	free(s->r);
	larena_release(&s->a);
	u64map_release(&s->names);
	u64map_release(&s->idx);
	spellcache_release(&s->spell);
	memset(s, 0, sizeof(*s));
}

/* A stored A-number that links (cmp_anum_valid) as a number, else 0. */
static uint32_t parse_anum(const char *s)
{
	return cmp_anum_valid(s) ? (uint32_t)anum_value(s) : 0;
}

/* Offset of name[0..len) in the arena, added if new. Equal names get
 * equal offsets (barring a 64-bit hash collision, which only costs the
 * sharing), so comparisons can start from the offsets. */
static uint32_t lset_name(struct lset *s, const char *name, size_t len)
{
	uint64_t h = block_hash(name, len, 99);
	uint64_t *o;
	uint32_t off;

	if (len == 0)
		return 0; /* offset 0 is the empty string */
	if (h == UINT64_MAX)
		h = 0;
	o = u64map_get(&s->names, h);
	if (o && strncmp(s->a.p + *o, name, len) == 0 && s->a.p[*o + len] == '\0')
		return (uint32_t)*o;
	off = larena_add(&s->a, name, len);
	if (!o)
		u64map_put(&s->names, h, off);
	return off;
}

/* Offset (and length, in *len) of the normalised, interned form of the
 * source name raw (may be NULL); each distinct spelling is normalised once. */
static uint32_t lset_norm(struct lset *s, const char *raw, uint8_t *len)
{
	struct norm_name nn;
	uint32_t off;

	if (spellcache_get(&s->spell, raw, &off)) {
		*len = (uint8_t)strlen(s->a.p + off);
		return off;
	}
	norm_name(raw, (size_t)-1, &nn);
	*len = (uint8_t)strlen(nn.s);
	off = lset_name(s, nn.s, *len);
	spellcache_put(&s->spell, raw, off);
	return off;
}

/* Add the current row of q (columns as in srcs[].sel) as a record. */
static void add_row(struct lset *s, struct store_stmt *q, int code, int is_new)
{
	struct lrec *r;
	const char *t;
	int32_t d;
	uint64_t rid = (uint64_t)store_col_int(q, 0);

	if (u64map_get(&s->idx, (uint64_t)code << CODE_SHIFT | rid))
		return;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 65536;
		s->r = uc_xrealloc(s->r, s->alloc * sizeof(*s->r));
	}
	r = &s->r[s->n];
	memset(r, 0, sizeof(*r));
	r->rkey = (uint64_t)code << CODE_SHIFT | rid;
	t = store_col_text(q, 1);
	r->skh = block_hash(t ? t : "", t ? strlen(t) : 0, (uint64_t)code);
	r->anum = parse_anum(store_col_text(q, 2));
	r->fam = lset_norm(s, store_col_text(q, 3), &r->famlen);
	r->giv = lset_norm(s, store_col_text(q, 4), &r->givlen);
	t = store_col_text(q, 5);
	r->dob = t && date_parse(t, strlen(t), &d) == 0 ? d : UC_DATE_NONE;
	t = store_col_text(q, 6);
	r->sex = t && (t[0] == 'M' || t[0] == 'F') && !t[1] ? t[0] : 0;
	t = store_col_text(q, 7);
	if (t && strlen(t) == 2 && t[0] >= 'A' && t[0] <= 'Z' && t[1] >= 'A' && t[1] <= 'Z')
		memcpy(r->ctry, t, 3);
	t = store_col_text(q, 8);
	if (t && strlen(t) == 3 && t[0] >= 'a' && t[0] <= 'z')
		memcpy(r->lang, t, 4);
	r->idncase = store_col_is_null(q, 9) ? 0 : store_col_int(q, 9);
	r->is_new = (uint8_t)is_new;
	u64map_put(&s->idx, r->rkey, s->n);
	s->n++;
}

/* Load the rows of table code with rid > after (new records). */
static int load_new(struct store *st, struct lset *s, int code, int64_t after, int64_t *max_rid,
		    struct uc_err *err)
{
	char sql[512];
	struct store_stmt *q = NULL;
	int rc;

	snprintf(sql, sizeof(sql), "%s WHERE rid > ? ORDER BY rid", srcs[code].sel);
	rc = store_prepare(st, sql, &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, after);
	*max_rid = after;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		int64_t rid = store_col_int(q, 0);

		add_row(s, q, code, 1);
		if (rid > *max_rid)
			*max_rid = rid;
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

/* Load one existing record by key (incremental candidates). */
static int load_one(struct store_stmt *q, struct lset *s, int code, int64_t rid, struct uc_err *err)
{
	int rc;

	store_reset(q);
	store_bind_int(q, 1, rid);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		add_row(s, q, code, 0);
	return rc < 0 ? -rc : UC_OK;
}

/*
 * Blocking keys of a record (hashes; the seed separates key kinds). Each
 * key pairs a name part with a date part, so that a block stays small at
 * 600,000 children with small name pools, and each key survives a
 * different kind of noise (docs/linkage.md, "Blocking"):
 *
 *   1. the valid A-number;
 *   2. surname token + given initial + birth year + month and day in
 *      either order (exact dates, day and month swapped);
 *   3. surname token + given initial + birth year-month (day errors,
 *      EOIR's first of the month);
 *   4. surname token + given initial + month-day (a year off; not for the
 *      1st of a month, which is often a stand-in);
 *   5. given name's first three letters + birth date (surname changed,
 *      dropped, joined or mistyped);
 *   6. both surname tokens sorted + given initial + birth year (stand-in,
 *      swapped and other wrong dates of the right year; without the
 *      year the blocks grow past the cap at 600,000 children);
 *   7. first surname token + phonetic given name + birth year (stand-in
 *      dates when the second surname is dropped).
 *
 * A surname token is the first four characters of its phonetic key
 * (`norm_phon`), for the first two tokens: the prefix survives a joined
 * second surname (MEJIAMURILLO), a dropped one and most typos, and the
 * phonetic key the Mayan transliterations (CAAL, KAAL). The given initial
 * is the first letter as written (keying errors rarely touch it).
 */
#define REC_KEYS_MAX 24
#define KEY_PFX 3

static int rec_keys(const struct lset *s, const struct lrec *r, uint64_t out[REC_KEYS_MAX])
{
	struct norm_name fam, giv;
	char gph[NORM_PHON_MAX], pfx[2][KEY_PFX + 1], b[80];
	size_t gl = 0, n;
	int k = 0, y = 0, m = 0, d = 0, nt = 0, has_dob = r->dob != UC_DATE_NONE;
	char gi[2] = {0, 0}; /* initials of the first two given names */
	int ng = 0;

	norm_split(s->a.p + r->fam, r->famlen, &fam);
	norm_split(s->a.p + r->giv, r->givlen, &giv);
	if (r->anum)
		out[k++] = block_hash(&r->anum, sizeof(r->anum), 1);
	if (giv.ntok) {
		gl = norm_phon(giv.s + giv.off[0], giv.len[0], gph);
		for (int t = 0; t < giv.ntok && ng < 2; t++) {
			if (!ng || gi[0] != giv.s[giv.off[t]])
				gi[ng++] = giv.s[giv.off[t]];
		}
	}
	if (has_dob)
		date_to_ymd(r->dob, &y, &m, &d);
	for (int t = 0; t < fam.ntok && nt < 2; t++) {
		char ph[NORM_PHON_MAX];
		size_t pl = norm_phon(fam.s + fam.off[t], fam.len[t], ph);

		if (!pl)
			continue;
		if (pl > KEY_PFX)
			pl = KEY_PFX;
		memcpy(pfx[nt], ph, pl);
		pfx[nt][pl] = '\0';
		if (nt == 1 && strcmp(pfx[0], pfx[1]) == 0)
			continue; /* the same key twice */
		nt++;
	}
	for (int t = 0; t < nt && has_dob; t++) {
		for (int g = 0; g < ng; g++) {
			int lo = m, hi = d;

			if (d <= 12 && d < m) {
				lo = d;
				hi = m;
			}
			n = (size_t)snprintf(b, sizeof(b), "%s|%c|%d|%d|%d", pfx[t], gi[g], y, lo,
					     hi);
			out[k++] = block_hash(b, n, 2);
			n = (size_t)snprintf(b, sizeof(b), "%s|%c|%d|%d", pfx[t], gi[g], y, m);
			out[k++] = block_hash(b, n, 3);
			if (d != 1) {
				n = (size_t)snprintf(b, sizeof(b), "%s|%c|%d|%d", pfx[t], gi[g], m,
						     d);
				out[k++] = block_hash(b, n, 4);
			}
		}
	}
	if (giv.ntok && has_dob) {
		size_t l3 = giv.len[0] < 3 ? giv.len[0] : 3;

		n = (size_t)snprintf(b, sizeof(b), "%.*s|%d", (int)l3, giv.s + giv.off[0],
				     (int)r->dob);
		out[k++] = block_hash(b, n, 5);
	}
	for (int g = 0; g < ng && nt == 2 && has_dob; g++) {
		int lo = strcmp(pfx[0], pfx[1]) > 0;

		n = (size_t)snprintf(b, sizeof(b), "%s|%s|%c|%d", pfx[lo], pfx[!lo], gi[g], y);
		out[k++] = block_hash(b, n, 6);
	}
	if (nt && gl && has_dob) {
		n = (size_t)snprintf(b, sizeof(b), "%s|%s|%d", pfx[0], gph, y);
		out[k++] = block_hash(b, n, 7);
	}
	return k;
}

/* Slots of one thread's name-comparison memo: at most 1 << NAME_MEMO_BITS
 * (a power of two), fewer for fewer pairs (an incremental run compares a
 * few thousand: allocating and faulting in the whole table cost more than
 * its comparisons); it starts over when half full. */
#define NAME_MEMO_BITS 24

/* Name offsets below this leave the top bits of a memo entry for the
 * level (a run with more names than that compares without the memo). */
#define NAME_MEMO_OFF_MAX ((uint32_t)1 << 28)

/* One thread's memo of name comparisons: open addressing, one 64-bit word
 * per slot, (level + 1) << 60 | lo << 32 | hi for the names at offsets lo
 * < hi, either order of a pair being one entry, so a lookup is one cache
 * miss (most miss the cache: the table is large and the keys random). */
struct namememo {
	uint64_t *e;   /* 1 << bits slots, 0 = empty, allocated at first use */
	size_t len;    /* used slots */
	unsigned bits; /* log2 of the slots, at most NAME_MEMO_BITS */
};

/* A memo sized for about n pairs (two name comparisons each). */
static void namememo_init(struct namememo *m, size_t n)
{
	m->e = NULL;
	m->len = 0;
	m->bits = 10;
	while (m->bits < NAME_MEMO_BITS && ((size_t)1 << m->bits) < 4 * n)
		m->bits++;
}

#define NAME_MEMO_KEY ((((uint64_t)1) << 60) - 1)

static uint64_t *namememo_slot(struct namememo *m, uint64_t k)
{
	size_t mask = ((size_t)1 << m->bits) - 1;
	size_t i = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> (64 - m->bits));

	if (!m->e)
		m->e = uc_xcalloc((size_t)1 << m->bits, sizeof(*m->e));
	while (m->e[i] && (m->e[i] & NAME_MEMO_KEY) != k)
		i = (i + 1) & mask;
	return &m->e[i];
}

/* Start loading the memo slot of names ao and bo into the cache: the
 * lookups miss it, and a few pairs ahead they no longer wait for it. */
static void namememo_prefetch(const struct namememo *m, uint32_t ao, uint32_t bo)
{
	uint64_t k = ao < bo ? (uint64_t)ao << 32 | bo : (uint64_t)bo << 32 | ao;

	if (m->e && ao != bo)
		__builtin_prefetch(&m->e[(k * 0x9e3779b97f4a7c15ULL) >> (64 - m->bits)]);
}

/* cmp_name() of the interned names at offsets ao and bo (lengths al, bl),
 * remembered in memo (may be NULL): names come from small pools, and the
 * same two names meet again and again. The lower offset is always the
 * first name, so the result does not depend on the order of the pair
 * (cmp_name_sim()'s token-to-token part is weighted by the first name's
 * tokens: about 0.2% of random pairs of family names are mid one way and
 * diff the other). */
static int name_level(const struct lset *s, uint32_t ao, size_t al, uint32_t bo, size_t bl,
		      struct namememo *memo)
{
	struct norm_name x, y;
	uint64_t key;
	uint64_t *m = NULL;
	int l;

	if (!al || !bl)
		return CMP_NAME_MISSING;
	if (ao == bo)
		return CMP_NAME_EXACT;
	if (ao > bo) {
		uint32_t t = ao;
		size_t tl = al;

		ao = bo;
		al = bl;
		bo = t;
		bl = tl;
	}
	key = (uint64_t)ao << 32 | bo;
	if (memo && bo >= NAME_MEMO_OFF_MAX)
		memo = NULL;
	if (memo) {
		m = namememo_slot(memo, key);
		if (*m)
			return (int)(*m >> 60) - 1;
	}
	norm_split(s->a.p + ao, al, &x);
	norm_split(s->a.p + bo, bl, &y);
	l = cmp_name(&x, &y);
	if (memo) {
		if (memo->len >= (size_t)1 << (memo->bits - 1)) {
			memset(memo->e, 0, ((size_t)1 << memo->bits) * sizeof(*memo->e));
			memo->len = 0;
			m = namememo_slot(memo, key);
		}
		*m = (uint64_t)(l + 1) << 60 | key;
		memo->len++;
	}
	return l;
}

static void compare(const struct lset *s, uint32_t ia, uint32_t ib, uint8_t vec[NF],
		    struct namememo *memo)
{
	const struct lrec *a = &s->r[ia], *b = &s->r[ib];
	char as[10], bs[10];
	char sa[2] = {a->sex, 0}, sb[2] = {b->sex, 0};

	if (a->anum && b->anum) {
		anum_format(a->anum, as);
		anum_format(b->anum, bs);
		vec[F_ANUM] = (uint8_t)cmp_anum(as, bs);
	} else {
		vec[F_ANUM] = CMP_ANUM_MISSING;
	}
	vec[F_FAM] = (uint8_t)name_level(s, a->fam, a->famlen, b->fam, b->famlen, memo);
	vec[F_GIV] = (uint8_t)name_level(s, a->giv, a->givlen, b->giv, b->givlen, memo);
	vec[F_DOB] = (uint8_t)cmp_date(a->dob, b->dob);
	vec[F_SEX] = (uint8_t)cmp_eq(sa, sb, NULL);
	vec[F_CTRY] = (uint8_t)cmp_eq(a->ctry, b->ctry, NULL);
	vec[F_LANG] = (uint8_t)cmp_eq(a->lang, b->lang, NULL);
}

static void compare_fn(void *ctx, uint32_t a, uint32_t b, uint8_t *vec)
{
	compare(ctx, a, b, vec, NULL);
}

/* Blocking keys of every record, for link_parallel(). */
struct keys_job {
	const struct lset *set; /* records, read only */
	uint64_t *v;		/* out: REC_KEYS_MAX slots per record */
	uint8_t *n;		/* out: keys per record */
};

static void keys_range(void *arg, size_t lo, size_t hi)
{
	struct keys_job *j = arg;

	for (size_t i = lo; i < hi; i++)
		j->n[i] = (uint8_t)rec_keys(j->set, &j->set->r[i], j->v + i * REC_KEYS_MAX);
}

/* The candidate pairs to compare, for link_parallel(). */
struct cmp_job {
	const struct lset *set;	      /* records, read only */
	const struct fs_model *model; /* for fs_pack (reads nfield only) */
	struct cpair *c;	      /* pairs: a, b in; pat out */
};

static void cmp_range(void *arg, size_t lo, size_t hi)
{
	struct cmp_job *j = arg;
	struct namememo memo; /* this thread's name comparisons */

	namememo_init(&memo, hi - lo);
	for (size_t i = lo; i < hi; i++) {
		uint8_t vec[NF];

		/* memory-bound: the second record of a pair and the memo
		 * slots are read at random; ask for them ahead */
		if (i + 16 < hi)
			__builtin_prefetch(&j->set->r[j->c[i + 16].b]);
		if (i + 8 < hi) {
			const struct lrec *pa = &j->set->r[j->c[i + 8].a];
			const struct lrec *pb = &j->set->r[j->c[i + 8].b];

			namememo_prefetch(&memo, pa->fam, pb->fam);
			namememo_prefetch(&memo, pa->giv, pb->giv);
		}

		const struct lrec *a = &j->set->r[j->c[i].a], *b = &j->set->r[j->c[i].b];

		compare(j->set, j->c[i].a, j->c[i].b, vec, &memo);
		j->c[i].pat = (uint32_t)fs_pack(j->model, vec);
		/* read here, where the records are in the cache: scoring then
		 * reads the pairs alone */
		j->c[i].fn = a->famn > b->famn ? a->famn : b->famn;
		j->c[i].gn = a->givn > b->givn ? a->givn : b->givn;
	}
	free(memo.e);
}

/* Fill c[i].pat for n pairs on all cores; compare() is pure and each
 * pair has its own slot, so the result does not depend on the cores. */
static void compare_all(const struct lset *set, struct cpair *c, size_t n,
			const struct fs_model *model)
{
	struct cmp_job job = {set, model, c};

	link_parallel(n, 20000, cmp_range, &job);
}

static void vector_text(uint64_t pat, char *out, size_t cap)
{
	int l[NF];

	for (int f = 0; f < NF; f++)
		l[f] = fs_level(pat, f);
	snprintf(out, cap, "anum=%s fam=%s giv=%s dob=%s sex=%s ctry=%s lang=%s",
		 anum_lv[l[F_ANUM] % CMP_ANUM_NLEVELS], name_lv[l[F_FAM] % CMP_NAME_NLEVELS],
		 name_lv[l[F_GIV] % CMP_NAME_NLEVELS], date_lv[l[F_DOB] % CMP_DATE_NLEVELS],
		 eq_lv[l[F_SEX] % CMP_EQ_NLEVELS], eq_lv[l[F_CTRY] % CMP_EQ_NLEVELS],
		 eq_lv[l[F_LANG] % CMP_EQ_NLEVELS]);
}

static int by_post_desc(const void *x, const void *y)
{
	const struct cand *p = x, *q = y;

	if (p->post != q->post)
		return p->post < q->post ? 1 : -1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : (p->b > q->b);
}

/* ---- model persistence ---- */

static int save_model(struct store *st, int64_t run, const char *name, const struct fs_model *m,
		      struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st,
			       "INSERT INTO link_model(run_id, model, field, level, m, u) "
			       "VALUES(?,?,?,?,?,?)",
			       &q, err);

	if (rc)
		return rc;
	for (int f = 0; f < m->nfield && !rc; f++) {
		for (int l = 1; l < m->nlevel[f] && !rc; l++) {
			store_reset(q);
			store_bind_int(q, 1, run);
			store_bind_text(q, 2, name, -1);
			store_bind_text(q, 3, m->name[f], -1);
			store_bind_int(q, 4, l);
			store_bind_double(q, 5, m->m[f][l]);
			store_bind_double(q, 6, m->u[f][l]);
			if (store_step(q, err) < 0)
				rc = err->code ? err->code : UC_EIO;
		}
	}
	store_finalize(q);
	return rc;
}

int link_load_model(struct store *st, const char *name, struct fs_model *m, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc, found = 0;

	rc = store_prepare(st,
			   "SELECT k.field, k.level, k.m, k.u, r.p FROM link_model k "
			   "JOIN link_run r ON r.id = k.run_id WHERE k.model = ? AND k.run_id = "
			   "(SELECT MAX(run_id) FROM link_model WHERE model = ?)",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, name, -1);
	store_bind_text(q, 2, name, -1);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		const char *fn = store_col_text(q, 0);
		int l = (int)store_col_int(q, 1);

		for (int f = 0; f < m->nfield; f++) {
			if (fn && m->name[f] && strcmp(fn, m->name[f]) == 0 && l > 0 &&
			    l < m->nlevel[f]) {
				m->m[f][l] = store_col_double(q, 2);
				m->u[f][l] = store_col_double(q, 3);
				found = 1;
			}
		}
		if (!store_col_is_null(q, 4))
			m->p = store_col_double(q, 4);
	}
	store_finalize(q);
	if (rc < 0)
		return -rc;
	if (!found)
		return uc_error(err, UC_ENOTFOUND, "no stored %s model; run `uctrack link --full`",
				name);
	return UC_OK;
}

/* ---- buckets (incremental blocking index) ---- */

/* Bucket contents being read or changed in this run. */
struct bucket {
	uint64_t *v; /* sorted entries */
	size_t n;    /* entries */
	int dirty;   /* changed: write back */
};

static int bucket_get(struct store_stmt *q, struct u64map *bm, struct bucket **all, size_t *nall,
		      uint32_t b, struct bucket **out, struct uc_err *err)
{
	uint64_t *pos = u64map_get(bm, b);
	struct bucket *bk;
	int rc;

	if (pos) {
		*out = &(*all)[*pos];
		return UC_OK;
	}
	/* Grown to the next power of two (the array only grows one by one,
	 * so its capacity is implied by *nall): a run reads thousands. */
	if (*nall == 0 || (*nall >= 16 && (*nall & (*nall - 1)) == 0))
		*all = uc_xrealloc(*all, (*nall ? *nall * 2 : 16) * sizeof(**all));
	bk = &(*all)[*nall];
	memset(bk, 0, sizeof(*bk));
	u64map_put(bm, b, *nall);
	(*nall)++;
	store_reset(q);
	store_bind_int(q, 1, b);
	rc = store_step(q, err);
	if (rc < 0)
		return -rc;
	if (rc == STORE_ROW) {
		int bytes = store_col_bytes(q, 0);

		bk->n = (size_t)bytes / sizeof(uint64_t);
		bk->v = uc_xmalloc((bk->n ? bk->n : 1) * sizeof(uint64_t));
		if (bk->n)
			memcpy(bk->v, store_col_blob(q, 0), bk->n * sizeof(uint64_t));
	}
	*out = bk;
	return UC_OK;
}

static int bucket_put(struct store_stmt *q, uint32_t b, const struct bucket *bk, struct uc_err *err)
{
	store_reset(q);
	store_bind_int(q, 1, b);
	store_bind_blob(q, 2, bk->v, (int)(bk->n * sizeof(uint64_t)));
	return store_step(q, err) < 0 ? (err->code ? err->code : UC_EIO) : UC_OK;
}

static uint64_t bucket_entry(uint64_t h40, uint64_t rkey)
{
	return (h40 & 0xffffff) << 40 | (rkey & 0xffffffffffULL);
}

/* ---- decisions ---- */

/* Load decision pairs among loaded records into dec: (i << 32 | j), i < j
 * -> 1 link, 2 nolink; newest decision wins. */
static int load_decisions(struct store *st, const struct lset *s, struct u64map *dec,
			  struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st,
			       "SELECT a_tbl, a_rid, b_tbl, b_rid, effect FROM "
			       "link_decision_pair ORDER BY decision_id",
			       &q, err);

	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		int ca = code_of(store_col_text(q, 0)), cb = code_of(store_col_text(q, 2));
		uint64_t *ia, *ib, i, j;
		const char *e = store_col_text(q, 4);

		if (!ca || !cb)
			continue;
		ia =
		    u64map_get(&s->idx, (uint64_t)ca << CODE_SHIFT | (uint64_t)store_col_int(q, 1));
		ib =
		    u64map_get(&s->idx, (uint64_t)cb << CODE_SHIFT | (uint64_t)store_col_int(q, 3));
		if (!ia || !ib || *ia == *ib)
			continue;
		i = *ia < *ib ? *ia : *ib;
		j = *ia < *ib ? *ib : *ia;
		u64map_put(dec, i << 32 | j, e && strcmp(e, "link") == 0 ? 1 : 2);
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

/* ---- the run ---- */

/* Secondary indexes set aside during a full run's bulk writes. */
struct idxsave {
	struct larena sql; /* CREATE INDEX statements, back to back */
	uint32_t *off;	   /* offset of each statement in sql */
	size_t n;	   /* statements */
};

/* Tables a full run rewrites. Their secondary indexes (whoever's
 * migration made them) are dropped before the writes and created again
 * from their stored definitions after: building an index once over sorted
 * data is much cheaper than keeping it up to date row by row. All inside
 * the run's transaction, so a failed run rolls the drops back too. */
#define BULK_TABLES                                                                                \
	"'person', 'person_record', 'person_anumber', 'person_idncase', "                          \
	"'link_pair', 'sponsor', 'sponsor_record', 'link_flag', 'link_flag_child'"

static int indexes_drop(struct store *st, struct idxsave *sv, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct larena names;
	uint32_t *noff = NULL;
	int rc;

	larena_init(&names);
	rc = store_prepare(st,
			   "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
			   "AND sql IS NOT NULL AND tbl_name IN (" BULK_TABLES ") ORDER BY name",
			   &q, err);
	if (rc)
		goto out;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		const char *name = store_col_text(q, 0), *sql = store_col_text(q, 1);

		if (!name || !sql)
			continue;
		if (sv->n % 16 == 0) {
			sv->off = uc_xrealloc(sv->off, (sv->n + 16) * sizeof(*sv->off));
			noff = uc_xrealloc(noff, (sv->n + 16) * sizeof(*noff));
		}
		sv->off[sv->n] = larena_add(&sv->sql, sql, strlen(sql));
		noff[sv->n] = larena_add(&names, name, strlen(name));
		sv->n++;
	}
	store_finalize(q);
	q = NULL;
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	rc = UC_OK;
	for (size_t i = 0; i < sv->n && !rc; i++) {
		char sql[256];
		int n = snprintf(sql, sizeof(sql), "DROP INDEX \"%s\"", names.p + noff[i]);

		if (n < 0 || (size_t)n >= sizeof(sql))
			BUG("index name too long: %s", names.p + noff[i]);
		rc = store_exec(st, sql, err);
	}
out:
	store_finalize(q);
	free(noff);
	larena_release(&names);
	return rc;
}

/* Create the indexes indexes_drop() set aside (none if it did not run). */
static int indexes_restore(struct store *st, struct idxsave *sv, struct uc_err *err)
{
	int rc = UC_OK;

	for (size_t i = 0; i < sv->n && !rc; i++)
		rc = store_exec(st, sv->sql.p + sv->off[i], err);
	sv->n = 0;
	return rc;
}

static void idxsave_release(struct idxsave *sv)
{
	larena_release(&sv->sql);
	free(sv->off);
	memset(sv, 0, sizeof(*sv));
}

/* Per-record outcome of clustering. */
struct recout {
	double post;	    /* best link posterior, -1 none */
	const char *method; /* how it joined: fs, fs+anum_typo, same_key, decision, single */
};

/* State of one run. */
struct run {
	struct store *st;	     /* borrowed */
	const struct link_opts *o;   /* borrowed */
	struct link_stats *s;	     /* borrowed */
	int full;		     /* full run */
	int64_t run_id;		     /* link_run.id */
	char now[21];		     /* timestamp */
	struct lset set;	     /* records */
	struct fs_model model;	     /* match model */
	struct cand *c;		     /* scored candidate pairs */
	size_t nc;		     /* candidates */
	struct cluster cl;	     /* clusters */
	struct recout *out;	     /* per record */
	int64_t *pers;		     /* per root: existing person (incremental) */
	int64_t watermark[NSRC + 1]; /* max rid per table after the run */
	struct store_stmt *ins_pair; /* INSERT INTO link_pair */
	struct block_keys keys;	     /* full runs: sorted keys for buckets */
	int tf;			     /* famn/givn are set: term-frequency weights */
	struct fs_model cond;	     /* u of sex, country, language among pairs
				      * whose names agree (pat_weight) */
	int has_cond;		     /* cond is set */
	struct u64map vtext;	     /* comparison vector -> its text in vtext_a */
	struct larena vtext_a;	     /* vector texts */
	/* Incremental runs: the keys of the new records, whose dependent
	 * records link_records_refresh() links again. */
	char (*tanum)[10]; /* A-numbers, distinct */
	const char **tanp; /* pointers into tanum */
	size_t ntanum;	   /* how many */
	int64_t *tidn;	   /* IDNCASEs, distinct */
	size_t ntidn;	   /* how many */
	int64_t *tplace;   /* orr_placement rids */
	size_t ntplace;	   /* how many */
};

/* Incremental runs: remember the distinct A-numbers (av: anum << 33 | ...,
 * sorted), IDNCASEs (iv: idncase << 32 | ..., sorted) and placements of
 * the new records for link_records_refresh(). */
static void run_touched(struct run *R, const uint64_t *av, size_t na, const uint64_t *iv, size_t ni)
{
	R->tanum = uc_xmalloc((na ? na : 1) * sizeof(*R->tanum));
	R->tanp = uc_xmalloc((na ? na : 1) * sizeof(*R->tanp));
	for (size_t i = 0; i < na; i++) {
		if (i && av[i] >> 33 == av[i - 1] >> 33)
			continue;
		anum_format((uint32_t)(av[i] >> 33), R->tanum[R->ntanum]);
		R->tanp[R->ntanum] = R->tanum[R->ntanum];
		R->ntanum++;
	}
	R->tidn = uc_xmalloc((ni ? ni : 1) * sizeof(*R->tidn));
	for (size_t i = 0; i < ni; i++) {
		if (i && iv[i] >> 32 == iv[i - 1] >> 32)
			continue;
		R->tidn[R->ntidn++] = (int64_t)(iv[i] >> 32);
	}
	R->tplace = uc_xmalloc((R->set.n ? R->set.n : 1) * sizeof(*R->tplace));
	for (size_t i = 0; i < R->set.n; i++) {
		const struct lrec *r = &R->set.r[i];

		if (r->is_new && (int)(r->rkey >> CODE_SHIFT) == code_of("orr_placement"))
			R->tplace[R->ntplace++] = (int64_t)(r->rkey & RID_MASK);
	}
}

static int add_pair(struct run *R, const struct cand *c, const char *method, const char *status,
		    const char *reason, struct uc_err *err)
{
	struct store_stmt *q = R->ins_pair;
	const struct lrec *a = &R->set.r[c->a], *b = &R->set.r[c->b];
	uint64_t *voff = u64map_get(&R->vtext, c->pat);
	const char *vec;

	/* Few distinct vectors, many pairs: render each vector once. */
	if (!voff) {
		char buf[160];

		vector_text(c->pat, buf, sizeof(buf));
		u64map_put(&R->vtext, c->pat, larena_add(&R->vtext_a, buf, strlen(buf)));
		voff = u64map_get(&R->vtext, c->pat);
	}
	vec = R->vtext_a.p + *voff;
	store_reset(q);
	store_bind_int(q, 1, R->run_id);
	store_bind_text(q, 2, tbl_of(a->rkey), -1);
	store_bind_int(q, 3, (int64_t)(a->rkey & RID_MASK));
	store_bind_text(q, 4, tbl_of(b->rkey), -1);
	store_bind_int(q, 5, (int64_t)(b->rkey & RID_MASK));
	store_bind_text(q, 6, method, -1);
	store_bind_double(q, 7, c->w);
	store_bind_double(q, 8, c->post);
	store_bind_text(q, 9, vec, -1);
	store_bind_text(q, 10, status, -1);
	store_bind_text(q, 11, reason, -1);
	return store_step(q, err) < 0 ? (err->code ? err->code : UC_EIO) : UC_OK;
}

/* Load records: full = everything, else new ones plus their candidates. */
static int run_load(struct run *R, struct uc_err *err)
{
	struct store *st = R->st;
	struct store_stmt *q = NULL;
	int rc = UC_OK;

	for (int c = 1; c <= NSRC; c++) {
		int64_t after = 0;

		if (!R->full) {
			rc = store_prepare(st, "SELECT max_rid FROM link_watermark WHERE tbl = ?",
					   &q, err);
			if (rc)
				goto out;
			store_bind_text(q, 1, srcs[c].tbl, -1);
			if (store_step(q, err) == STORE_ROW)
				after = store_col_int(q, 0);
			store_finalize(q);
			q = NULL;
		}
		rc = load_new(st, &R->set, c, after, &R->watermark[c], err);
		if (rc)
			goto out;
	}
	R->s->new_records = R->set.n;
	if (R->full) {
		/* Old person of each record, to keep person ids. */
		rc = store_prepare(st, "SELECT src_tbl, src_rid, person_id FROM person_record", &q,
				   err);
		if (rc)
			goto out;
		while ((rc = store_step(q, err)) == STORE_ROW) {
			int c = code_of(store_col_text(q, 0));
			uint64_t *i = c ? u64map_get(&R->set.idx, (uint64_t)c << CODE_SHIFT |
								      (uint64_t)store_col_int(q, 1))
					: NULL;

			if (i) {
				R->set.r[*i].person = store_col_int(q, 2);
				R->set.r[*i].is_new = 0;
			}
		}
		store_finalize(q);
		q = NULL;
		if (rc < 0) {
			rc = -rc;
			goto out;
		}
		rc = UC_OK;
		R->s->new_records = 0;
		for (size_t i = 0; i < R->set.n; i++)
			R->s->new_records += R->set.r[i].is_new;
	}
out:
	store_finalize(q);
	return rc;
}

/* Incremental: load existing records that share a key with a new one (via
 * link_bucket) or a source key (older versions). */
static int run_expand(struct run *R, struct bucket **bks, size_t *nbk, struct u64map *bm,
		      struct uc_err *err)
{
	struct store_stmt *qb = NULL, *one[NSRC + 1] = {NULL}, *qp = NULL, *qv[NSRC + 1] = {NULL};
	size_t nnew = R->set.n;
	size_t cap = R->o->block_cap ? R->o->block_cap : DEFAULT_CAP;
	int rc;

	rc = store_prepare(R->st, "SELECT v FROM link_bucket WHERE b = ?", &qb, err);
	for (int c = 1; c <= NSRC && !rc; c++) {
		char sql[512];

		snprintf(sql, sizeof(sql), "%s WHERE rid = ?", srcs[c].sel);
		rc = store_prepare(R->st, sql, &one[c], err);
		if (!rc) {
			snprintf(sql, sizeof(sql),
				 "SELECT rid FROM %s WHERE skey = "
				 "(SELECT skey FROM %s WHERE rid = ?) AND rid <> ?",
				 srcs[c].tbl, srcs[c].tbl);
			rc = store_prepare(R->st, sql, &qv[c], err);
		}
	}
	if (!rc)
		rc = store_prepare(R->st,
				   "SELECT person_id FROM person_record WHERE src_tbl = ? "
				   "AND src_rid = ?",
				   &qp, err);
	for (size_t i = 0; i < nnew && !rc; i++) {
		uint64_t keys[REC_KEYS_MAX];
		int nk = rec_keys(&R->set, &R->set.r[i], keys);
		uint64_t rkey = R->set.r[i].rkey;
		int code = (int)(rkey >> CODE_SHIFT);

		for (int k = 0; k < nk && !rc; k++) {
			uint64_t h40 = keys[k] & 0xffffffffffULL;
			struct bucket *bk;
			uint64_t lo = (h40 & 0xffffff) << 40, hi = lo | 0xffffffffffULL;
			size_t a = 0, b;

			rc = bucket_get(qb, bm, bks, nbk, (uint32_t)(h40 >> 24), &bk, err);
			if (rc)
				break;
			b = bk->n;
			while (a < b) {
				size_t mid = (a + b) / 2;

				if (bk->v[mid] < lo)
					a = mid + 1;
				else
					b = mid;
			}
			for (b = a; b < bk->n && bk->v[b] <= hi; b++)
				;
			if (b - a > cap)
				continue;
			for (size_t e = a; e < b && !rc; e++) {
				uint64_t rk = bk->v[e] & 0xffffffffffULL;
				int c = (int)(rk >> CODE_SHIFT);

				if (c >= 1 && c <= NSRC)
					rc = load_one(one[c], &R->set, c, (int64_t)(rk & RID_MASK),
						      err);
			}
		}
		/* Older versions of the same source record. */
		store_reset(qv[code]);
		store_bind_int(qv[code], 1, (int64_t)(rkey & RID_MASK));
		store_bind_int(qv[code], 2, (int64_t)(rkey & RID_MASK));
		while (!rc && (rc = store_step(qv[code], err)) == STORE_ROW) {
			int64_t rid = store_col_int(qv[code], 0);

			if (!u64map_get(&R->set.idx,
					(uint64_t)code << CODE_SHIFT | (uint64_t)rid)) {
				struct uc_err e2 = UC_ERR_INIT;
				/* A separate statement: qv[code] is mid-iteration. */
				rc = load_one(one[code], &R->set, code, rid, &e2);
				if (rc)
					*err = e2;
			}
		}
		if (rc < 0)
			rc = -rc;
		else if (rc == STORE_DONE)
			rc = UC_OK;
	}
	/* Persons of the existing records. */
	for (size_t i = nnew; i < R->set.n && !rc; i++) {
		struct lrec *r = &R->set.r[i];

		store_reset(qp);
		store_bind_text(qp, 1, tbl_of(r->rkey), -1);
		store_bind_int(qp, 2, (int64_t)(r->rkey & RID_MASK));
		rc = store_step(qp, err);
		if (rc == STORE_ROW)
			r->person = store_col_int(qp, 0);
		rc = rc < 0 ? -rc : UC_OK;
		if (!r->person)
			r->is_new = 1; /* never linked (e.g. rid under a stale watermark) */
	}
	store_finalize(qb);
	store_finalize(qp);
	for (int c = 1; c <= NSRC; c++) {
		store_finalize(one[c]);
		store_finalize(qv[c]);
	}
	return rc;
}

static void group_u(struct run *R, struct fs_model *to, int giv, unsigned fields, size_t samples);

/*
 * Match weight of a pattern: fs_weight(), except that sex is weighed with
 * its u among pairs of one given name when the given names agree, and
 * country and language with theirs among pairs of one family name when
 * the family names agree (group_u()).
 */
static double pat_weight(const void *ctx, uint64_t pat)
{
	const struct run *R = ctx;
	double w = fs_weight(&R->model, pat);
	int f = fs_level(pat, F_FAM), g = fs_level(pat, F_GIV);

	if (!R->has_cond)
		return w;
	if (f == CMP_NAME_EXACT) {
		int l = fs_level(pat, F_CTRY);

		if (l)
			w += log2(R->model.u[F_CTRY][l] / R->cond.u[F_CTRY][l]);
		l = fs_level(pat, F_LANG);
		if (l)
			w += log2(R->model.u[F_LANG][l] / R->cond.u[F_LANG][l]);
	}
	if (g == CMP_NAME_EXACT) {
		int l = fs_level(pat, F_SEX);

		if (l)
			w += log2(R->model.u[F_SEX][l] / R->cond.u[F_SEX][l]);
	}
	return w;
}

/*
 * Fit the child model (docs/linkage.md, "The match model"): u from random
 * pairs (set by the caller), m from pairs that are the same child beyond
 * doubt, p as the share of matches among all pairs. Pairs with the same
 * valid A-number give m of every other field (they were found by the
 * A-number key, so their names and dates were not chosen by blocking);
 * pairs whose names and birth date agree exactly give m of the A-number.
 * Data too small for that (fewer than 100 pairs with one A-number) fall
 * back to EM on the candidates.
 */
static void fit_child(struct run *R, const struct fs_counts *cnt, const struct cpair *cp,
		      size_t ncp)
{
	struct fs_counts sure, sure_an;
	double n = (double)R->set.n;

	fs_counts_init(&sure);
	fs_counts_init(&sure_an);
	for (size_t i = 0; i < ncp; i++) {
		uint64_t pat = cp[i].pat;
		int a = fs_level(pat, F_ANUM);

		if (a == CMP_ANUM_EXACT)
			fs_counts_add(&sure, pat, 1);
		if (a != CMP_ANUM_MISSING && fs_level(pat, F_FAM) == CMP_NAME_EXACT &&
		    fs_level(pat, F_GIV) == CMP_NAME_EXACT &&
		    fs_level(pat, F_DOB) == CMP_DATE_EXACT)
			fs_counts_add(&sure_an, pat, 1);
	}
	if (sure.total < 100 || sure_an.total < 100) {
		fs_em(&R->model, cnt, 300);
		R->s->em_iter = R->model.iterations;
		goto out;
	}
	R->model.fix_u = 1;
	R->cond = R->model;
	group_u(R, &R->cond, 0, 1u << F_CTRY | 1u << F_LANG, 50000);
	group_u(R, &R->cond, 1, 1u << F_SEX, 50000);
	R->has_cond = 1;
	for (int f = 0; f < NF; f++) {
		if (f != F_ANUM)
			fs_m_from(&R->model, &sure, f);
	}
	fs_m_from(&R->model, &sure_an, F_ANUM);
	/* Different children share a valid A-number only when a typo hits
	 * another child's number; random pairs cannot measure a rate that
	 * small. */
	R->model.u[F_ANUM][CMP_ANUM_EXACT] = 1e-10;
	R->model.p = 0;
	R->s->em_iter = fs_fit_prior(&R->model, cnt, n * (n - 1) / 2, 200, pat_weight, R);
	R->model.iterations = R->s->em_iter;
out:
	fs_counts_release(&sure);
	fs_counts_release(&sure_an);
}

/* Records ordered by one of their name offsets, for group_u(). */
static int by_fam(const void *x, const void *y, void *arg)
{
	const struct lset *S = arg;
	uint32_t a = S->r[*(const uint32_t *)x].fam, b = S->r[*(const uint32_t *)y].fam;

	return a < b ? -1 : a > b;
}

static int by_giv(const void *x, const void *y, void *arg)
{
	const struct lset *S = arg;
	uint32_t a = S->r[*(const uint32_t *)x].giv, b = S->r[*(const uint32_t *)y].giv;

	return a < b ? -1 : a > b;
}

/*
 * u of the fields in `fields` (a bit per field) among random pairs of
 * records that share the same family name (giv 0) or given name (giv 1),
 * exactly as written after normalisation. Sex, country and language go
 * with names (given names are male or female, surnames Hispanic, Mayan or
 * Haitian): two children called PEREZ LOPEZ agree on the country far more
 * often than two random children, so agreement there must not count again
 * as evidence once the names agree. Deterministic: one xorshift sequence,
 * one thread.
 */
static void group_u(struct run *R, struct fs_model *to, int giv, unsigned fields, size_t samples)
{
	const struct lset *S = &R->set;
	double cnt[NF][FS_MAX_LEVELS];
	uint32_t *idx, *start;
	uint64_t x = 0x2545f4914f6cdd1dULL;
	size_t done = 0;

	if (S->n < 100)
		return;
	memset(cnt, 0, sizeof(cnt));
	idx = uc_xmalloc(S->n * sizeof(*idx));
	start = uc_xmalloc(S->n * sizeof(*start));
	for (size_t i = 0; i < S->n; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, S->n, sizeof(*idx), giv ? by_giv : by_fam, (void *)S);
	for (size_t i = 0; i < S->n; i++) {
		uint32_t a = giv ? S->r[idx[i]].giv : S->r[idx[i]].fam;
		uint32_t b = i ? (giv ? S->r[idx[i - 1]].giv : S->r[idx[i - 1]].fam) : a + 1;

		start[i] = a == b ? start[i - 1] : (uint32_t)i;
	}
	for (size_t t = 0; t < samples * 20 && done < samples; t++) {
		size_t i, lo, hi, j;
		uint8_t vec[NF];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (size_t)((x & 0xffffffffULL) % S->n);
		lo = start[i];
		for (hi = i + 1; hi < S->n && start[hi] == lo; hi++)
			;
		if (hi - lo < 2 || (giv ? S->r[idx[i]].givlen : S->r[idx[i]].famlen) == 0)
			continue;
		j = lo + (size_t)((x >> 32) % (hi - lo));
		if (j == i)
			continue;
		compare(S, idx[i], idx[j], vec, NULL);
		for (int f = 0; f < NF; f++) {
			if (fields & (1u << f))
				cnt[f][vec[f]]++;
		}
		done++;
	}
	free(idx);
	free(start);
	if (done < 1000)
		return;
	for (int f = 0; f < NF; f++) {
		double tot = 0;

		if (!(fields & (1u << f)))
			continue;
		for (int l = 1; l < to->nlevel[f]; l++)
			tot += cnt[f][l] + 1;
		for (int l = 1; l < to->nlevel[f]; l++)
			to->u[f][l] = (cnt[f][l] + 1) / tot;
	}
}

/* Term frequencies: each record's famn and givn (full runs). */
static void term_counts(struct lset *s)
{
	struct u64map fc, gc;

	u64map_init(&fc);
	u64map_init(&gc);
	for (size_t i = 0; i < s->n; i++) {
		const struct lrec *r = &s->r[i];
		uint64_t *v;

		if (r->famlen) {
			v = u64map_get(&fc, r->fam);
			u64map_put(&fc, r->fam, v ? *v + 1 : 1);
		}
		if (r->givlen) {
			v = u64map_get(&gc, r->giv);
			u64map_put(&gc, r->giv, v ? *v + 1 : 1);
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		struct lrec *r = &s->r[i];
		uint64_t *v;

		v = r->famlen ? u64map_get(&fc, r->fam) : NULL;
		r->famn = v ? (uint32_t)*v : 0;
		v = r->givlen ? u64map_get(&gc, r->giv) : NULL;
		r->givn = v ? (uint32_t)*v : 0;
	}
	u64map_release(&fc);
	u64map_release(&gc);
}

/*
 * Term-frequency adjustment of a pair's weight (bits): an exact family or
 * given name is worth log2(m / f) rather than log2(m / u), f being the
 * share of records with that name (the commoner of the two spellings):
 * two children called GARCIA LOPEZ agree by chance far more often than two
 * called ICAL MAQUIN.
 */
static double tf_adj(const struct run *R, const struct cpair *c)
{
	double adj = 0, n = (double)R->set.n;

	/* exact names are never missing: fn, gn > 0 */
	if (fs_level(c->pat, F_FAM) == CMP_NAME_EXACT && c->fn) {
		double f = (double)c->fn / n;

		adj += log2(R->model.u[F_FAM][CMP_NAME_EXACT] / f);
	}
	if (fs_level(c->pat, F_GIV) == CMP_NAME_EXACT && c->gn) {
		double f = (double)c->gn / n;

		adj += log2(R->model.u[F_GIV][CMP_NAME_EXACT] / f);
	}
	return adj;
}

/* Posterior of a pair with match weight w under the model's prior. */
static double post_of(const struct fs_model *m, double w)
{
	double x = w + log2(m->p / (1 - m->p));

	if (x > 60)
		return 1.0;
	if (x < -60)
		return 0.0;
	return 1.0 / (1.0 + exp2(-x));
}

/* Candidate pairs, compared and (full) fitted. */
/*
 * Match weight of a compared pair: its pattern's weight (remembered in
 * memo when not NULL: a run has a few hundred distinct patterns) plus the
 * term-frequency adjustment (full runs).
 */
static double pair_weight(const struct run *R, const struct cpair *c, struct u64map *memo)
{
	double w;

	if (memo) {
		uint64_t *m = u64map_get(memo, c->pat);
		union {
			double d;
			uint64_t u;
		} x;

		if (m) {
			x.u = *m;
			w = x.d;
		} else {
			w = pat_weight(R, c->pat);
			x.d = w;
			u64map_put(memo, c->pat, x.u);
		}
	} else {
		w = pat_weight(R, c->pat);
	}
	if (R->tf)
		w += tf_adj(R, c);
	return w;
}

/* Posteriors of the compared pairs, for link_parallel(). */
struct post_job {
	const struct run *R;   /* model, records: read only */
	const struct cpair *c; /* the pairs */
	float *post;	       /* out: posterior per pair (NULL: not wanted) */
	uint8_t *keep;	       /* out: 1 when at or above review_at */
};

static void post_range(void *arg, size_t lo, size_t hi)
{
	struct post_job *j = arg;
	struct u64map memo; /* this thread's pattern weights */

	u64map_init(&memo);
	for (size_t i = lo; i < hi; i++) {
		double p = post_of(&j->R->model, pair_weight(j->R, &j->c[i], &memo));

		if (j->post)
			j->post[i] = (float)p;
		j->keep[i] = p >= j->R->model.review_at;
	}
	u64map_release(&memo);
}

/* Decimal digits of v at the end of buf (returns the first one). */
static char *put_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/*
 * --pairs-out: every compared pair as a_tbl,a_rid,b_tbl,b_rid,posterior
 * (tens of millions of lines: formatted by hand, posterior to six
 * places).
 */
static int pairs_write(const struct run *R, FILE *pf, const struct cpair *c, const float *post,
		       size_t n, struct uc_err *err)
{
	char buf[1 << 16];
	size_t len = 0;
	uint64_t *rk; /* the records' keys, dense: the pairs read them at random */
	int rc = UC_OK;

	rk = uc_xmalloc((R->set.n ? R->set.n : 1) * sizeof(*rk));
	for (size_t i = 0; i < R->set.n; i++)
		rk[i] = R->set.r[i].rkey;
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t k[2] = {rk[c[i].a], rk[c[i].b]};
		char num[24];
		uint64_t micro = (uint64_t)((double)post[i] * 1e6 + 0.5);

		if (len > sizeof(buf) - 128) {
			if (fwrite(buf, 1, len, pf) != len)
				rc = uc_error(err, UC_EIO, "%s: write failed", R->o->pairs_out);
			len = 0;
		}
		for (int s = 0; s < 2; s++) {
			const char *t = tbl_of(k[s]);
			size_t tl = strlen(t);
			char *d = put_u64(num + sizeof(num), k[s] & RID_MASK);
			size_t dl = (size_t)(num + sizeof(num) - d);

			memcpy(buf + len, t, tl);
			len += tl;
			buf[len++] = ',';
			memcpy(buf + len, d, dl);
			len += dl;
			buf[len++] = ',';
		}
		if (micro >= 1000000) {
			memcpy(buf + len, "1.000000\n", 9);
			len += 9;
		} else {
			char *d = put_u64(num + sizeof(num), micro + 1000000);

			/* "1dddddd": the leading 1 becomes "0." */
			buf[len++] = '0';
			buf[len++] = '.';
			memcpy(buf + len, d + 1, 6);
			len += 6;
			buf[len++] = '\n';
		}
	}
	if (!rc && len && fwrite(buf, 1, len, pf) != len)
		rc = uc_error(err, UC_EIO, "%s: write failed", R->o->pairs_out);
	free(rk);
	return rc;
}

/* UCTRACK_LINK_TIMES: the seconds since *t of a step of run_score() on
 * stderr (what NULL: only restart the clock). */
static void sublap(double *t, const char *what)
{
	double now = progress_now();

	if (getenv("UCTRACK_LINK_TIMES") && what)
		fprintf(stderr, "  %s %.2f s\n", what, now - *t);
	*t = now;
}

static int run_score(struct run *R, struct uc_err *err)
{
	struct block_keys k;
	struct block_pairs pr;
	struct fs_counts cnt;
	size_t cap = R->o->block_cap ? R->o->block_cap : DEFAULT_CAP;
	FILE *pf = NULL;	 /* pairs_out */
	struct cpair *cp = NULL; /* every candidate pair */
	size_t ncp = 0;
	double sub_t = 0; /* UCTRACK_LINK_TIMES clock */
	int rc = UC_OK;

	block_keys_init(&k);
	fs_counts_init(&cnt);
	sublap(&sub_t, NULL);
	{
		struct keys_job kj;

		kj.set = &R->set;
		kj.v = uc_xmalloc((R->set.n ? R->set.n : 1) * REC_KEYS_MAX * sizeof(*kj.v));
		kj.n = uc_xmalloc(R->set.n ? R->set.n : 1);
		link_parallel(R->set.n, 50000, keys_range, &kj);
		for (size_t i = 0; i < R->set.n; i++) {
			for (int j = 0; j < kj.n[i]; j++)
				block_keys_add(&k, kj.v[i * REC_KEYS_MAX + j], (uint32_t)i);
		}
		free(kj.v);
		free(kj.n);
	}
	sublap(&sub_t, "keys");
	block_pairs_build(&k, cap, NULL, &pr);
	sublap(&sub_t, "pairs");
	R->s->skipped_blocks = pr.skipped;
	if (R->o->pairs_out) {
		pf = fopen(R->o->pairs_out, "w");
		if (!pf) {
			rc = uc_error(err, UC_EIO, "%s: cannot create: %s", R->o->pairs_out,
				      strerror(errno));
			goto out;
		}
	}
	cp = uc_xmalloc((pr.n ? pr.n : 1) * sizeof(*cp));
	for (size_t i = 0; i < pr.n; i++) {
		uint32_t a = (uint32_t)(pr.v[i] >> 32), b = (uint32_t)pr.v[i];

		if (!R->full && !R->set.r[a].is_new && !R->set.r[b].is_new)
			continue;
		cp[ncp].a = a;
		cp[ncp].b = b;
		ncp++;
	}
	R->s->pairs = ncp;
	block_pairs_release(&pr);
	if (R->full)
		term_counts(&R->set);
	compare_all(&R->set, cp, ncp, &R->model);
	sublap(&sub_t, "compare");
	if (R->full) {
		for (size_t i = 0; i < ncp; i++)
			fs_counts_add(&cnt, cp[i].pat, 1);
		sublap(&sub_t, "counts");
		fs_random_u(&R->model, R->set.n, NULL, compare_fn, &R->set, 200000);
		sublap(&sub_t, "random_u");
		fit_child(R, &cnt, cp, ncp);
		sublap(&sub_t, "fit");
		R->tf = 1;
		rc = save_model(R->st, R->run_id, "child", &R->model, err);
		if (!rc && R->has_cond)
			rc = save_model(R->st, R->run_id, "child_cond", &R->cond, err);
		R->keys = k; /* kept: sorted, becomes link_bucket */
		block_keys_init(&k);
	} else {
		block_keys_release(&k);
	}
	R->s->p = R->model.p;
	/* Keep only pairs worth a decision: links and review. The
	 * posteriors are computed on all cores; the pairs kept, in order. */
	{
		struct post_job pj;
		size_t w = 0, alloc = 0;

		pj.R = R;
		pj.c = cp;
		pj.post = pf ? uc_xmalloc((ncp ? ncp : 1) * sizeof(*pj.post)) : NULL;
		pj.keep = uc_xmalloc(ncp ? ncp : 1);
		link_parallel(ncp, 100000, post_range, &pj);
		for (size_t i = 0; i < ncp; i++) {
			if (!pj.keep[i])
				continue;
			if (w == alloc) {
				alloc = alloc ? 2 * alloc : 65536;
				R->c = uc_xrealloc(R->c, alloc * sizeof(*R->c));
			}
			R->c[w].a = cp[i].a;
			R->c[w].b = cp[i].b;
			R->c[w].pat = cp[i].pat;
			R->c[w].w = pair_weight(R, &cp[i], NULL);
			R->c[w].post = post_of(&R->model, R->c[w].w);
			w++;
		}
		R->nc = w;
		if (!R->c) /* never NULL: qsort and friends take it even empty */
			R->c = uc_xmalloc(sizeof(*R->c));
		if (pf)
			rc = pairs_write(R, pf, cp, pj.post, ncp, err);
		free(pj.post);
		free(pj.keep);
	}
	free(cp);
	cp = NULL;
	sublap(&sub_t, "posteriors");
	if (pf) {
		int bad = ferror(pf);

		bad |= fclose(pf) != 0;
		pf = NULL;
		if (bad && !rc)
			rc = uc_error(err, UC_EIO, "%s: write failed", R->o->pairs_out);
	}
out:
	if (pf)
		fclose(pf);
	free(cp);
	if (rc) {
		block_pairs_release(&pr);
		block_keys_release(&k);
	}
	fs_counts_release(&cnt);
	return rc;
}

/* Join roots of i and j, honouring existing persons (incremental).
 * force: a decision or the same source record; 2: the pair carries the
 * same valid A-number (cluster_join_anum). */
static int try_join(struct run *R, uint32_t i, uint32_t j, int force, const char **why)
{
	uint32_t ri = cluster_find(&R->cl, i), rj = cluster_find(&R->cl, j), r;
	int64_t pi = R->pers[ri], pj = R->pers[rj];
	int rc;

	*why = NULL;
	if (ri == rj)
		return 0;
	if (force != 1 && pi && pj && pi != pj) {
		*why = "bridge";
		return -1;
	}
	rc = force == 1 ? cluster_force(&R->cl, i, j) : cluster_join_anum(&R->cl, i, j, force == 2);
	if (rc < 0) {
		*why = rc == -1 ? "anumber" : "incompatible";
		return -1;
	}
	r = cluster_find(&R->cl, i);
	R->pers[r] = pi ? pi : pj;
	return rc;
}

static void mark(struct run *R, uint32_t i, double post, const char *method)
{
	if (post > R->out[i].post) {
		R->out[i].post = post;
		R->out[i].method = method;
	}
}

/* Dependent records carrying A-number v (0 or more; memoised in dep). */
static uint64_t anum_dep(struct store_stmt *q, struct u64map *dep, uint32_t v)
{
	uint64_t *m = u64map_get(dep, v), n = 0;
	char an[10];
	struct uc_err e = UC_ERR_INIT;

	if (m)
		return *m;
	anum_format(v, an);
	store_reset(q);
	store_bind_text(q, 1, an, 9);
	if (store_step(q, &e) == STORE_ROW)
		n = (uint64_t)store_col_int(q, 0);
	u64map_put(dep, v, n);
	return n;
}

/*
 * Whether a pair is worth a reviewer's time (the queue is for open
 * questions, not for every pair the model cannot place). refused: the
 * pair scored as a link but joining it would put two valid A-numbers in
 * one person.
 *
 *   - Two different valid A-numbers on the pair itself: only when the
 *     family names agree exactly, the given names exactly or one within
 *     the other, and the birth dates exactly, swapped or a year apart (or
 *     one is missing). A same-month birth date (EOIR's first of the month)
 *     or one shared surname is what children with common names share.
 *   - Other refused links (the conflict is with the clusters' A-numbers,
 *     birth dates or sex): family names exact, given names exact or one
 *     within the other, birth dates not near, different or far.
 *   - Pairs between the review and match thresholds: posterior at least
 *     REVIEW_BAND, at least two of family name, given name and birth
 *     date agree exactly, neither name is different and the birth dates
 *     are not far apart.
 *
 * Refused links that fail are kept as link_pair status 'conflict'; pairs
 * between the thresholds that fail are non-matches. On generated data
 * (600,000 children) this keeps about 6,100 of the 6,800 same-child pairs
 * and drops 30,000 of the 32,000 different-child pairs.
 */
/* Pairs between the thresholds are queued only from this posterior on:
 * posteriors are calibrated, so below it a pair is more likely two
 * children than one. */
#define REVIEW_BAND 0.5

static int worth_review(uint64_t pat, double post, int refused)
{
	int a = fs_level(pat, F_ANUM), f = fs_level(pat, F_FAM), g = fs_level(pat, F_GIV);
	int d = fs_level(pat, F_DOB), exact;

	if (a == CMP_ANUM_DIFF)
		return f == CMP_NAME_EXACT && (g == CMP_NAME_EXACT || g == CMP_NAME_SUBSET) &&
		       (d == CMP_DATE_MISSING || d == CMP_DATE_EXACT || d == CMP_DATE_SWAP ||
			d == CMP_DATE_YEAR1);
	if (refused)
		return f == CMP_NAME_EXACT && (g == CMP_NAME_EXACT || g == CMP_NAME_SUBSET) &&
		       d != CMP_DATE_NEAR && d != CMP_DATE_DIFF && d != CMP_DATE_FAR;
	exact = (f == CMP_NAME_EXACT) + (g == CMP_NAME_EXACT) + (d == CMP_DATE_EXACT);
	return post >= REVIEW_BAND && exact >= 2 && f != CMP_NAME_DIFF && g != CMP_NAME_DIFF &&
	       d != CMP_DATE_FAR;
}

/*
 * Twins and siblings share a family name, a sponsor and (twins) a birth
 * date; what tells them apart is the given name. A pair born the same
 * day whose given names are only similar or different (mid, diff) is
 * therefore never linked automatically unless the A-numbers are the same,
 * however well the rest agrees: it goes to review when worth it (siblings
 * born apart are kept apart by the birth dates, cluster.h). Similar given names of one
 * child (typos, one of two names, another spelling) are exact, subset or
 * high.
 */
static int twin_guard(uint64_t pat)
{
	int g = fs_level(pat, F_GIV);

	return fs_level(pat, F_ANUM) != CMP_ANUM_EXACT && fs_level(pat, F_DOB) == CMP_DATE_EXACT &&
	       (g == CMP_NAME_MID || g == CMP_NAME_DIFF);
}

/*
 * Birth dates that are different but compatible (dob=diff: more than a
 * month apart and not a known error pattern -- swap, first of the month,
 * January 1, a year off, one digit) with no A-number on one side: names
 * agree, and nothing but the names says one child. With small name pools
 * that is a namesake a third of the time (hard profile, 100,000
 * children: 15 of 60 such links joined two children), far below the
 * posterior the model gives it. Never linked automatically; it goes to
 * review when worth it. With the same A-number, or a typo of it, it is
 * one child (no such pair was wrong).
 */
static int dob_guard(uint64_t pat)
{
	return fs_level(pat, F_ANUM) == CMP_ANUM_MISSING && fs_level(pat, F_DOB) == CMP_DATE_DIFF;
}

static int run_cluster(struct run *R, struct uc_err *err)
{
	struct lset *S = &R->set;
	struct store_stmt *qdep = NULL;
	struct u64map cnt, dec, dep;
	uint32_t *ord = NULL;
	const char *why;
	int rc = UC_OK;

	u64map_init(&cnt);
	u64map_init(&dec);
	u64map_init(&dep);
	cluster_init(&R->cl, S->n);
	R->out = uc_xmalloc((S->n ? S->n : 1) * sizeof(*R->out));
	R->pers = uc_xcalloc(S->n ? S->n : 1, sizeof(*R->pers));
	for (size_t i = 0; i < S->n; i++) {
		uint64_t *v;

		R->out[i].post = -1;
		R->out[i].method = "single";
		if (!R->full)
			R->pers[i] = S->r[i].person;
		if (!S->r[i].anum)
			continue;
		v = u64map_get(&cnt, S->r[i].anum);
		u64map_put(&cnt, S->r[i].anum, v ? *v + 1 : 1);
	}
	qsort(R->c, R->nc, sizeof(*R->c), by_post_desc);
	/* Mistyped A-numbers: seen on this record only (no other identity
	 * record, contact, event, removal or indicator carries it), a typo
	 * away from a corroborated one on a matching record. */
	rc = store_prepare(R->st,
			   "SELECT EXISTS(SELECT 1 FROM orr_contact WHERE a_number = ?1) + "
			   "EXISTS(SELECT 1 FROM field_event WHERE a_number = ?1) + "
			   "EXISTS(SELECT 1 FROM ice_removal WHERE a_number = ?1) + "
			   "EXISTS(SELECT 1 FROM indicator WHERE a_number = ?1)",
			   &qdep, err);
	for (size_t k = 0; k < R->nc && !rc; k++) {
		struct cand *c = &R->c[k];
		int l = fs_level(c->pat, F_ANUM);
		struct lrec *a = &S->r[c->a], *b = &S->r[c->b];
		uint64_t na, nb;

		if (c->post < R->model.match_at)
			break;
		if (l != CMP_ANUM_TYPO && l != CMP_ANUM_TRANSPOSE)
			continue;
		/* Incremental: an existing record's A-number counts as
		 * corroborated (its person was established before). */
		na = *u64map_get(&cnt, a->anum) + (R->full || a->is_new ? 0 : 1);
		nb = *u64map_get(&cnt, b->anum) + (R->full || b->is_new ? 0 : 1);
		if (na == 1)
			na += anum_dep(qdep, &dep, a->anum);
		if (nb == 1)
			nb += anum_dep(qdep, &dep, b->anum);
		if (na == 1 && nb >= 2 && !a->suspect) {
			a->suspect = 1;
			R->s->anum_typos++;
		} else if (nb == 1 && na >= 2 && !b->suspect) {
			b->suspect = 1;
			R->s->anum_typos++;
		} else if (na == 1 && nb == 1 && !a->suspect && !b->suspect) {
			/* Each number seen once (many records carry none): the
			 * match decides, and the later record's is the typo. */
			if (a->rkey > b->rkey)
				a->suspect = 1;
			else
				b->suspect = 1;
			R->s->anum_typos++;
		}
	}
	store_finalize(qdep);
	if (rc)
		goto out;
	for (size_t i = 0; i < S->n; i++) {
		cluster_set_anum(&R->cl, (uint32_t)i, S->r[i].suspect ? 0 : S->r[i].anum);
		cluster_set_traits(&R->cl, (uint32_t)i, S->r[i].sex, S->r[i].dob);
	}
	/* Existing persons stay whole (incremental). */
	if (!R->full) {
		struct u64map first;

		u64map_init(&first);
		for (size_t i = 0; i < S->n; i++) {
			uint64_t *f;

			if (!S->r[i].person)
				continue;
			f = u64map_get(&first, (uint64_t)S->r[i].person);
			if (f)
				cluster_force(&R->cl, (uint32_t)*f, (uint32_t)i);
			else
				u64map_put(&first, (uint64_t)S->r[i].person, i);
		}
		for (size_t i = 0; i < S->n; i++) {
			if (S->r[i].person)
				R->pers[cluster_find(&R->cl, (uint32_t)i)] = S->r[i].person;
		}
		u64map_release(&first);
	}
	/* Versions of one source record are one child. */
	ord = uc_xmalloc((S->n ? S->n : 1) * sizeof(*ord));
	{
		struct u64map seen;

		u64map_init(&seen);
		for (size_t i = 0; i < S->n; i++) {
			uint64_t key = S->r[i].skh ^ (S->r[i].rkey >> CODE_SHIFT);
			uint64_t *f = u64map_get(&seen, key);

			if (!f) {
				u64map_put(&seen, key, i);
				continue;
			}
			if (try_join(R, (uint32_t)*f, (uint32_t)i, 1, &why) > 0) {
				struct cand c = {1.0, 0, 0, (uint32_t)*f, (uint32_t)i};

				mark(R, (uint32_t)i, 1.0, "same_key");
				mark(R, (uint32_t)*f, 1.0, "same_key");
				rc = add_pair(R, &c, "same_key", "link", NULL, err);
				if (rc)
					break;
			}
		}
		u64map_release(&seen);
	}
	if (!rc)
		rc = load_decisions(R->st, S, &dec, err);
	/* Decisions that force a link. */
	for (size_t k = 0; k < dec.cap && !rc; k++) {
		uint32_t i, j;

		if (dec.k[k] == UINT64_MAX || dec.v[k] != 1)
			continue;
		i = (uint32_t)(dec.k[k] >> 32);
		j = (uint32_t)dec.k[k];
		if (try_join(R, i, j, 1, &why) > 0) {
			mark(R, i, 1.0, "decision");
			mark(R, j, 1.0, "decision");
		}
	}
	/* Links, strongest first. */
	for (size_t k = 0; k < R->nc && !rc; k++) {
		struct cand *c = &R->c[k];
		uint64_t *d = u64map_get(&dec, (uint64_t)c->a << 32 | c->b);
		int dd = fs_decide(&R->model, c->post), j;
		const char *method;

		if (dd == FS_NONMATCH)
			break;
		if (d)
			continue; /* decided: forced above, or kept apart */
		if (dd == FS_MATCH && (twin_guard(c->pat) || dob_guard(c->pat)))
			dd = FS_REVIEW;
		if (dd == FS_REVIEW) {
			if (cluster_find(&R->cl, c->a) == cluster_find(&R->cl, c->b))
				continue;
			if (!worth_review(c->pat, c->post, 0)) {
				R->s->review_skipped++;
				continue;
			}
			R->s->review++;
			rc = add_pair(R, c, "fs", "review", "threshold", err);
			continue;
		}
		j = try_join(R, c->a, c->b,
			     fs_level(c->pat, F_ANUM) == CMP_ANUM_EXACT && !S->r[c->a].suspect &&
				     !S->r[c->b].suspect
				 ? 2
				 : 0,
			     &why);
		if (j < 0 && strcmp(why, "bridge") != 0) {
			R->s->conflicts++;
			if (!worth_review(c->pat, c->post, 1)) {
				rc = add_pair(R, c, "fs", "conflict", why, err);
				continue;
			}
			R->s->conflicts_queued++;
		}
		if (j < 0) {
			R->s->review++;
			rc = add_pair(R, c, "fs", "review", why, err);
			continue;
		}
		method = S->r[c->a].suspect || S->r[c->b].suspect ? "fs+anum_typo" : "fs";
		mark(R, c->a, c->post, method);
		mark(R, c->b, c->post, method);
		if (j > 0) {
			R->s->links++;
			rc = add_pair(R, c, method, "link", NULL, err);
		}
	}
out:
	free(ord);
	u64map_release(&cnt);
	u64map_release(&dec);
	u64map_release(&dep);
	return rc;
}

static int exec1(struct store *st, const char *sql, struct uc_err *err)
{
	return store_exec(st, sql, err);
}

static int step_done(struct store_stmt *q, struct uc_err *err)
{
	return store_step(q, err) < 0 ? (err->code ? err->code : UC_EIO) : UC_OK;
}

/* A person_key row waiting to be written (sorted first: B-tree appends). */
struct keyrow {
	uint64_t pre;	 /* first 8 key bytes, big-endian: fast ordering */
	uint32_t off;	 /* key text in the arena */
	uint32_t person; /* person id */
	uint8_t kind;	 /* 0 family, 1 given, 2 phon, 3 pair */
};

static const char *const key_kind[] = {"family", "given", "phon", "pair"};

/* Order of key rows; arg is the arena text (qsort_r). */
static int keyrow_cmp(const void *x, const void *y, void *arg)
{
	const struct keyrow *a = x, *b = y;
	const char *keyrow_text = arg;
	int c;

	if (a->pre != b->pre)
		return a->pre < b->pre ? -1 : 1;
	c = strcmp(keyrow_text + a->off, keyrow_text + b->off);
	if (c)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return a->person < b->person ? -1 : (a->person > b->person);
}

/* Add a key row unless rows from..n-1 (the same person's, so far) hold
 * it already: one person's records repeat their names, and removing the
 * repeats here keeps the later sort small. */
static void keyrow_add(struct keyrow **v, size_t *n, size_t *alloc, struct larena *a, size_t from,
		       const char *k, size_t len, int kind, int64_t person)
{
	struct keyrow *r;
	uint64_t pre = 0;

	for (size_t i = 0; i < 8; i++)
		pre = pre << 8 | (i < len ? (unsigned char)k[i] : 0);
	for (size_t i = from; i < *n && *n - from < 256; i++) {
		const struct keyrow *o = &(*v)[i];

		if (o->pre == pre && o->kind == kind && o->person == (uint32_t)person &&
		    strncmp(a->p + o->off, k, len) == 0 && a->p[o->off + len] == '\0')
			return;
	}
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 65536;
		*v = uc_xrealloc(*v, *alloc * sizeof(**v));
	}
	r = &(*v)[(*n)++];
	r->pre = pre;
	r->off = larena_add(a, k, len);
	r->person = (uint32_t)person;
	r->kind = (uint8_t)kind;
}

/* Write the sorted, unique u64 pairs (key << shift | person) with q. */
static int write_sorted(struct store_stmt *q, uint64_t *v, size_t n, int shift, int text_anum,
			struct uc_err *err)
{
	uint64_t last = UINT64_MAX;
	int rc = UC_OK;

	block_sort_u64(v, n);
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t key = v[i] >> shift;
		char an[10];

		if (key == last)
			continue;
		last = key;
		store_reset(q);
		if (text_anum) {
			anum_format((uint32_t)key, an);
			store_bind_text(q, 1, an, 9);
		} else {
			store_bind_int(q, 1, (int64_t)key);
		}
		store_bind_int(q, 2, (int64_t)(v[i] & 0xffffffffULL));
		rc = step_done(q, err);
	}
	return rc;
}

/* The person_key rows of a run, built and sorted on a thread of their
 * own while run_write() writes the other tables (SQLite work, one core):
 * reads the records, the grouping and the person ids only. */
struct keyjob {
	const struct lset *set; /* records, read only */
	const uint64_t *ord;	/* root << 32 | record, grouped by root; read only */
	const int64_t *pidof;	/* person id per record; read only */
	int full;		/* full run: every record, else new ones */
	struct keyrow *kv;	/* out: sorted rows (owned by the job) */
	size_t nk;		/* out: rows in kv */
	size_t ak;		/* rows allocated in kv */
	struct larena ka;	/* out: key texts */
};

/* The name-pair keys of one record: every two distinct tokens of its
 * family and given names, "A B" with A < B, so that a search for two
 * names reads the persons who bear both (link_name_candidates). */
static void keyjob_pairs(struct keyjob *j, size_t from, const struct norm_name both[2], int64_t pid)
{
	const char *tok[2 * NORM_MAX_TOK];
	size_t len[2 * NORM_MAX_TOK];
	int n = 0;

	for (int k = 0; k < 2; k++)
		for (int t = 0; t < both[k].ntok; t++) {
			tok[n] = both[k].s + both[k].off[t];
			len[n++] = both[k].len[t];
		}
	for (int x = 0; x < n; x++)
		for (int y = x + 1; y < n; y++) {
			char pair[2 * NORM_MAX_LEN];
			int c = link_pair_key(tok[x], len[x], tok[y], len[y], pair);

			if (c > 0)
				keyrow_add(&j->kv, &j->nk, &j->ak, &j->ka, from, pair, (size_t)c, 3,
					   pid);
		}
}

/* Search keys of each person's new records (all, in full runs), sorted. */
static void keyjob_build(struct keyjob *j)
{
	const struct lset *S = j->set;

	for (size_t g = 0; g < S->n;) {
		uint32_t root = (uint32_t)(j->ord[g] >> 32);
		int64_t pid = j->pidof[(uint32_t)j->ord[g]];
		size_t e = g, from = j->nk;

		while (e < S->n && (uint32_t)(j->ord[e] >> 32) == root)
			e++;
		for (size_t x = g; x < e; x++) {
			const struct lrec *r = &S->r[(uint32_t)j->ord[x]];
			struct norm_name nn;
			char ph[NORM_PHON_MAX];

			if (!r->is_new && !j->full)
				continue;
			struct norm_name both[2];

			for (int kind = 0; kind < 2; kind++) {
				const char *v = S->a.p + (kind ? r->giv : r->fam);

				norm_split(v, strlen(v), &nn);
				both[kind] = nn;
				for (int t = 0; t < nn.ntok; t++) {
					size_t pl;

					keyrow_add(&j->kv, &j->nk, &j->ak, &j->ka, from,
						   nn.s + nn.off[t], nn.len[t], kind, pid);
					pl = kind ? 0 : norm_phon(nn.s + nn.off[t], nn.len[t], ph);
					if (pl)
						keyrow_add(&j->kv, &j->nk, &j->ak, &j->ka, from, ph,
							   pl, 2, pid);
				}
			}
			keyjob_pairs(j, from, both, pid);
		}
		g = e;
	}
	if (j->nk)
		qsort_r(j->kv, j->nk, sizeof(*j->kv), keyrow_cmp, j->ka.p);
}

static void *keyjob_main(void *arg)
{
	keyjob_build(arg);
	return NULL;
}

/* Write persons, records, A-numbers, case numbers, name keys. */
static int run_write(struct run *R, struct uc_err *err)
{
	static const int code_order[NSRC] = {1, 3, 4, 2}; /* src_tbl name order */
	struct lset *S = &R->set;
	struct store_stmt *qp = NULL, *qr = NULL, *qa = NULL, *qi = NULL, *qk = NULL, *qm = NULL,
			  *qw = NULL;
	uint64_t *ord = NULL, *av = NULL, *iv = NULL;
	int64_t *pidof = NULL;
	struct keyjob kj;
	pthread_t ktid;
	int kstarted = 0;
	size_t na = 0, ni = 0, ngroups = 0;
	int64_t next_id = 0;
	struct u64map claimed, rootp;
	int rc;

	memset(&kj, 0, sizeof(kj));
	u64map_init(&claimed);
	u64map_init(&rootp);
	larena_init(&kj.ka);
	if (R->full) {
		rc = exec1(
		    R->st,
		    "DELETE FROM person_record; DELETE FROM person_anumber; "
		    "DELETE FROM person_idncase; DELETE FROM person_key; DELETE FROM link_bucket; "
		    "DELETE FROM link_pair WHERE status IN ('link','review','conflict') "
		    "AND run_id <> (SELECT MAX(id) FROM link_run);",
		    err);
		if (rc)
			goto out;
	}
	rc = store_query_int(R->st, "SELECT COALESCE(MAX(id), 0) FROM person", &next_id, err);
	if (rc)
		goto out;
	rc = store_prepare(R->st,
			   "INSERT INTO person(id, a_number, created_at) VALUES(?,?,?) "
			   "ON CONFLICT(id) DO UPDATE SET a_number = excluded.a_number",
			   &qp, err);
	if (!rc)
		rc = store_prepare(
		    R->st,
		    R->full
			? "INSERT INTO person_record(src_tbl, src_rid, person_id, method, score) "
			  "VALUES(?,?,?,?,?)"
			: "INSERT INTO person_record(src_tbl, src_rid, person_id, method, score) "
			  "VALUES(?,?,?,?,?) ON CONFLICT(src_tbl, src_rid) DO UPDATE SET "
			  "person_id = excluded.person_id, method = excluded.method, "
			  "score = excluded.score",
		    &qr, err);
	if (!rc)
		rc = store_prepare(R->st,
				   "INSERT OR IGNORE INTO person_anumber(a_number, person_id) "
				   "VALUES(?,?)",
				   &qa, err);
	if (!rc)
		rc = store_prepare(R->st,
				   "INSERT OR IGNORE INTO person_idncase(idncase, person_id) "
				   "VALUES(?,?)",
				   &qi, err);
	if (!rc)
		rc = store_prepare(R->st,
				   "INSERT OR IGNORE INTO person_key(key, kind, person_id) "
				   "VALUES(?,?,?)",
				   &qk, err);
	if (!rc)
		rc = store_prepare(R->st,
				   "INSERT INTO person_merged(old_id, new_id) VALUES(?,?) "
				   "ON CONFLICT(old_id) DO UPDATE SET new_id = excluded.new_id",
				   &qm, err);
	if (!rc)
		rc = store_prepare(
		    R->st,
		    "INSERT INTO link_watermark(tbl, max_rid) VALUES(?,?) "
		    "ON CONFLICT(tbl) DO UPDATE SET max_rid = MAX(max_rid, excluded.max_rid)",
		    &qw, err);
	if (rc)
		goto out;
	/* Group records by cluster root, in record order. */
	ord = uc_xmalloc((S->n ? S->n : 1) * sizeof(*ord));
	pidof = uc_xmalloc((S->n ? S->n : 1) * sizeof(*pidof));
	for (size_t i = 0; i < S->n; i++)
		ord[i] = (uint64_t)cluster_find(&R->cl, (uint32_t)i) << 32 | i;
	block_sort_u64(ord, S->n);
	/* Person id per root: an existing one, else the first old id free. */
	for (size_t i = 0; i < S->n; i++) {
		uint32_t root = (uint32_t)(ord[i] >> 32), ri = (uint32_t)ord[i];
		int64_t p = R->full ? S->r[ri].person : R->pers[root];

		if (u64map_get(&rootp, root))
			continue;
		if (p && (!R->full || !u64map_get(&claimed, (uint64_t)p))) {
			u64map_put(&rootp, root, (uint64_t)p);
			u64map_put(&claimed, (uint64_t)p, 1);
		}
	}
	/* Person id per record: the root's, else a new one. */
	for (size_t g = 0; g < S->n;) {
		uint32_t root = (uint32_t)(ord[g] >> 32);
		size_t e = g;
		uint64_t *pp = u64map_get(&rootp, root);
		int64_t pid = pp ? (int64_t)*pp : ++next_id;

		while (e < S->n && (uint32_t)(ord[e] >> 32) == root)
			e++;
		for (size_t x = g; x < e; x++)
			pidof[(uint32_t)ord[x]] = pid;
		g = e;
	}
	/* The search keys are built and sorted meanwhile (no SQLite there);
	 * if no thread can be started, here and now. */
	kj.set = S;
	kj.ord = ord;
	kj.pidof = pidof;
	kj.full = R->full;
	if (pthread_create(&ktid, NULL, keyjob_main, &kj) == 0)
		kstarted = 1;
	else
		keyjob_build(&kj);
	for (size_t g = 0; g < S->n && !rc;) {
		uint32_t root = (uint32_t)(ord[g] >> 32);
		size_t e = g;
		int64_t pid = pidof[(uint32_t)ord[g]];
		uint32_t best = 0;
		int bestn = 0, any_new = 0;

		while (e < S->n && (uint32_t)(ord[e] >> 32) == root)
			e++;
		ngroups++;
		/* The cluster's A-number: the most frequent valid one. */
		for (size_t x = g; x < e; x++) {
			const struct lrec *r = &S->r[(uint32_t)ord[x]];
			int n = 0;

			any_new |= r->is_new || R->full;
			if (!r->anum || r->suspect)
				continue;
			for (size_t y = g; y < e; y++)
				n += S->r[(uint32_t)ord[y]].anum == r->anum;
			if (n > bestn) {
				bestn = n;
				best = r->anum;
			}
		}
		if (any_new) {
			char an[10];

			anum_format(best, an);
			store_reset(qp);
			store_bind_int(qp, 1, pid);
			if (best)
				store_bind_text(qp, 2, an, 9);
			else
				store_bind_null(qp, 2);
			store_bind_text(qp, 3, R->now, -1);
			rc = step_done(qp, err);
		}
		for (size_t x = g; x < e && !rc && R->full; x++) {
			const struct lrec *r = &S->r[(uint32_t)ord[x]];

			if (!r->person || r->person == pid ||
			    u64map_get(&claimed, (uint64_t)r->person))
				continue;
			store_reset(qm);
			store_bind_int(qm, 1, r->person);
			store_bind_int(qm, 2, pid);
			rc = step_done(qm, err);
			u64map_put(&claimed, (uint64_t)r->person, 2);
		}
		g = e;
	}
	/* Records in primary-key order; collect the other rows to sort. */
	for (int oc = 0; oc < NSRC && !rc; oc++) {
		int code = code_order[oc];

		for (size_t i = 0; i < S->n && !rc; i++) {
			const struct lrec *r = &S->r[i];
			int64_t pid = pidof[i];

			if ((int)(r->rkey >> CODE_SHIFT) != code || (!r->is_new && !R->full))
				continue;
			store_reset(qr);
			store_bind_text(qr, 1, srcs[code].tbl, -1);
			store_bind_int(qr, 2, (int64_t)(r->rkey & RID_MASK));
			store_bind_int(qr, 3, pid);
			store_bind_text(qr, 4, R->out[i].method, -1);
			if (R->out[i].post >= 0)
				store_bind_double(qr, 5, R->out[i].post);
			else
				store_bind_null(qr, 5);
			rc = step_done(qr, err);
			if (r->anum) {
				if (na % 65536 == 0)
					av = uc_xrealloc(av, (na + 65536) * sizeof(*av));
				av[na++] = (uint64_t)r->anum << 33 | (uint64_t)r->suspect << 32 |
					   (uint64_t)pid;
			}
			if (r->idncase > 0) {
				if (ni % 65536 == 0)
					iv = uc_xrealloc(iv, (ni + 65536) * sizeof(*iv));
				iv[ni++] = (uint64_t)r->idncase << 32 | (uint64_t)pid;
			}
		}
	}
	if (!rc)
		rc = write_sorted(qa, av, na, 33, 1, err);
	if (!rc)
		rc = write_sorted(qi, iv, ni, 32, 0, err);
	if (!rc && !R->full)
		run_touched(R, av, na, iv, ni);
	if (kstarted) {
		pthread_join(ktid, NULL);
		kstarted = 0;
	}
	for (size_t i = 0; i < kj.nk && !rc; i++) {
		if (i && keyrow_cmp(&kj.kv[i], &kj.kv[i - 1], kj.ka.p) == 0)
			continue;
		store_reset(qk);
		store_bind_text(qk, 1, kj.ka.p + kj.kv[i].off, -1);
		store_bind_text(qk, 2, key_kind[kj.kv[i].kind], -1);
		store_bind_int(qk, 3, kj.kv[i].person);
		rc = step_done(qk, err);
	}
	for (int c = 1; c <= NSRC && !rc; c++) {
		store_reset(qw);
		store_bind_text(qw, 1, srcs[c].tbl, -1);
		store_bind_int(qw, 2, R->watermark[c]);
		rc = step_done(qw, err);
	}
	if (!rc && R->full) {
		/* Every record was written: one person per cluster. */
		R->s->persons = ngroups;
	} else if (!rc) {
		int64_t np = 0;

		rc = store_query_int(R->st, "SELECT COUNT(DISTINCT person_id) FROM person_record",
				     &np, err);
		R->s->persons = (size_t)np;
	}
out:
	/* The key job reads ord and pidof: wait for it before freeing. */
	if (kstarted)
		pthread_join(ktid, NULL);
	free(ord);
	free(pidof);
	free(av);
	free(iv);
	free(kj.kv);
	larena_release(&kj.ka);
	u64map_release(&claimed);
	u64map_release(&rootp);
	store_finalize(qp);
	store_finalize(qr);
	store_finalize(qa);
	store_finalize(qi);
	store_finalize(qk);
	store_finalize(qm);
	store_finalize(qw);
	return rc;
}

/* Full runs: write the sorted keys as buckets. */
static int write_buckets_full(struct run *R, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct block_keys *k = &R->keys;
	struct bucket bk = {NULL, 0, 0};
	size_t alloc = 0, i = 0;
	int rc =
	    store_prepare(R->st, "INSERT OR REPLACE INTO link_bucket(b, v) VALUES(?,?)", &q, err);

	while (!rc && i < k->n) {
		uint64_t b = k->v[i] >> 48;
		size_t j = i;

		bk.n = 0;
		while (j < k->n && k->v[j] >> 48 == b) {
			uint64_t h40 = k->v[j] >> 24;
			uint64_t rkey = R->set.r[k->v[j] & 0xffffff].rkey;

			if (bk.n == alloc) {
				alloc = alloc ? alloc * 2 : 256;
				bk.v = uc_xrealloc(bk.v, alloc * sizeof(*bk.v));
			}
			bk.v[bk.n++] = bucket_entry(h40, rkey);
			j++;
		}
		block_sort_u64(bk.v, bk.n);
		rc = bucket_put(q, (uint32_t)b, &bk, err);
		i = j;
	}
	free(bk.v);
	store_finalize(q);
	return rc;
}

/* Incremental: add the new records' keys to their buckets. */
static int write_buckets_incr(struct run *R, struct bucket *bks, size_t nbk, struct u64map *bm,
			      struct uc_err *err)
{
	struct store_stmt *q = NULL, *qb = NULL;
	int rc =
	    store_prepare(R->st, "INSERT OR REPLACE INTO link_bucket(b, v) VALUES(?,?)", &q, err);

	if (!rc)
		rc = store_prepare(R->st, "SELECT v FROM link_bucket WHERE b = ?", &qb, err);
	for (size_t i = 0; i < R->set.n && !rc; i++) {
		uint64_t keys[REC_KEYS_MAX];
		int nk;

		if (!R->set.r[i].is_new)
			continue;
		nk = rec_keys(&R->set, &R->set.r[i], keys);
		for (int k = 0; k < nk && !rc; k++) {
			uint64_t h40 = keys[k] & 0xffffffffffULL;
			struct bucket *bk;

			rc = bucket_get(qb, bm, &bks, &nbk, (uint32_t)(h40 >> 24), &bk, err);
			if (rc)
				break;
			bk->v = uc_xrealloc(bk->v, (bk->n + 1) * sizeof(uint64_t));
			bk->v[bk->n++] = bucket_entry(h40, R->set.r[i].rkey);
			bk->dirty = 1;
		}
	}
	for (size_t i = 0; i < bm->cap && !rc; i++) {
		struct bucket *bk;

		if (bm->k[i] == UINT64_MAX)
			continue;
		bk = &bks[bm->v[i]];
		if (!bk->dirty)
			continue;
		block_sort_u64(bk->v, bk->n);
		rc = bucket_put(q, (uint32_t)bm->k[i], bk, err);
	}
	for (size_t i = 0; i < nbk; i++)
		free(bks[i].v);
	free(bks);
	store_finalize(q);
	store_finalize(qb);
	return rc;
}

static void lap(struct link_stats *s, int i, double *t)
{
	double now = progress_now();

	s->sec[i] += now - *t;
	*t = now;
}

int link_run(struct store *st, const struct link_opts *o, struct link_stats *s, struct uc_err *err)
{
	struct run R;
	struct store_stmt *q = NULL;
	struct bucket *bks = NULL;
	size_t nbk = 0;
	struct u64map bm;
	struct idxsave isv;
	int64_t nfull = 0, fk_was = 0, mmap_was = 0;
	double t;
	int rc, began = 0, fk_off = 0, mmap_set = 0;

	memset(&R, 0, sizeof(R));
	memset(&isv, 0, sizeof(isv));
	larena_init(&isv.sql);
	memset(s, 0, sizeof(*s));
	u64map_init(&bm);
	lset_init(&R.set);
	block_keys_init(&R.keys);
	u64map_init(&R.vtext);
	larena_init(&R.vtext_a);
	R.st = st;
	R.o = o;
	R.s = s;
	link_now(R.now);
	fs_init(&R.model, NF, field_levels, field_names);
	R.model.match_at = o->match_at > 0 ? o->match_at : LINK_MATCH_AT;
	R.model.review_at = o->review_at > 0 ? o->review_at : 0.05;
	rc = store_query_int(st,
			     "SELECT COUNT(*) FROM link_run WHERE kind = 'full' "
			     "AND finished_at IS NOT NULL",
			     &nfull, err);
	if (!rc)
		rc = store_query_int(st, "PRAGMA foreign_keys", &fk_was, err);
	/* A full run writes every person before the records that name it,
	 * and every sponsor before its records: checking each of a million
	 * rows against its parent buys nothing but time. (The pragma is a
	 * no-op inside a transaction, hence here.) */
	if (!rc && (o->full || nfull == 0) && fk_was) {
		rc = store_exec(st, "PRAGMA foreign_keys=OFF", err);
		fk_off = !rc;
	}
	/* An incremental run reads a few thousand pages scattered over the
	 * whole database (buckets, candidates, their persons): mapped, they
	 * are read in place rather than copied into freshly allocated cache
	 * pages, three times faster at 600,000 children. Full runs scan, and
	 * mapped pages would count in their measured peak memory. */
	if (!rc && !o->full && nfull > 0)
		rc = store_query_int(st, "PRAGMA mmap_size", &mmap_was, err);
	if (!rc && !o->full && nfull > 0) {
		rc = store_exec(st, "PRAGMA mmap_size=2147418112", err);
		mmap_set = !rc;
	}
	if (rc)
		goto out;
	rc = store_begin(st, err);
	if (rc)
		goto out;
	began = 1;
	R.full = o->full || nfull == 0;
	s->full = R.full;
	rc = store_prepare(st, "INSERT INTO link_run(kind, started_at) VALUES(?,?)", &q, err);
	if (rc)
		goto out;
	store_bind_text(q, 1, R.full ? "full" : "incremental", -1);
	store_bind_text(q, 2, R.now, -1);
	rc = step_done(q, err);
	store_finalize(q);
	q = NULL;
	if (rc)
		goto out;
	R.run_id = store_last_id(st);
	s->run_id = R.run_id;
	if (!R.full) {
		rc = link_load_model(st, "child", &R.model, err);
		if (rc)
			goto out;
		/* absent when the full run had too little data (or predates it) */
		R.cond = R.model;
		R.has_cond = link_load_model(st, "child_cond", &R.cond, err) == UC_OK;
		uc_err_clear(err);
	}
	rc =
	    store_prepare(st,
			  "INSERT INTO link_pair(run_id, a_tbl, a_rid, b_tbl, b_rid, method, "
			  "score, posterior, vector, status, reason) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
			  &R.ins_pair, err);
	t = progress_now();
	if (!rc)
		rc = run_load(&R, err);
	if (!rc && !R.full)
		rc = run_expand(&R, &bks, &nbk, &bm, err);
	s->records = R.set.n;
	lap(s, 0, &t);
	if (!rc)
		rc = run_score(&R, err);
	lap(s, 1, &t);
	if (!rc && R.full)
		rc = indexes_drop(st, &isv, err);
	if (!rc)
		rc = run_cluster(&R, err);
	lap(s, 2, &t);
	if (!rc)
		rc = run_write(&R, err);
	lap(s, 3, &t);
	if (!rc && R.full)
		rc = write_buckets_full(&R, err);
	if (!rc && !R.full) {
		rc = write_buckets_incr(&R, bks, nbk, &bm, err);
		bks = NULL;
	}
	lap(s, 4, &t);
	if (!rc)
		rc = sponsor_link(st, R.run_id, R.full, o->min_families, o->block_cap, s, err);
	lap(s, 5, &t);
	if (!rc)
		rc = indexes_restore(st, &isv, err);
	/* Full runs rewrote person_anumber and person_idncase: every record
	 * link may change. Incremental runs only added the new records'
	 * A-numbers, IDNCASEs and placements: the records carrying those
	 * are linked again, then any record newer than the marks. */
	if (!rc && R.full) {
		rc = link_records_sync(st, 1, NULL, NULL, err);
	} else if (!rc) {
		struct link_touch tch = {R.tanp, R.ntanum, R.tidn, R.ntidn, R.tplace, R.ntplace};

		rc = link_records_refresh(st, &tch, NULL, err);
		if (!rc)
			rc = link_records_sync(st, 0, NULL, NULL, err);
	}
	lap(s, 6, &t);
	if (rc)
		goto out;
	rc = store_prepare(
	    st,
	    "UPDATE link_run SET finished_at = ?, records = ?, new_records = ?, "
	    "pairs = ?, links = ?, review = ?, conflicts = ?, persons = ?, sponsors = ?, "
	    "p = ?, em_iter = ? WHERE id = ?",
	    &q, err);
	if (rc)
		goto out;
	link_now(R.now);
	store_bind_text(q, 1, R.now, -1);
	store_bind_int(q, 2, (int64_t)s->records);
	store_bind_int(q, 3, (int64_t)s->new_records);
	store_bind_int(q, 4, (int64_t)s->pairs);
	store_bind_int(q, 5, (int64_t)s->links);
	store_bind_int(q, 6, (int64_t)s->review);
	store_bind_int(q, 7, (int64_t)s->conflicts);
	store_bind_int(q, 8, (int64_t)s->persons);
	store_bind_int(q, 9, (int64_t)s->sponsors);
	store_bind_double(q, 10, R.model.p);
	store_bind_int(q, 11, s->em_iter);
	store_bind_int(q, 12, R.run_id);
	rc = step_done(q, err);
	if (!rc)
		rc = store_commit(st, err);
	if (!rc)
		began = 0;
	/* the planner's statistics for the tables just rewritten (an
	 * incremental run adds a few rows: the statistics stand, and
	 * ANALYZE would be a seventh of its time) */
	if (!rc && R.full)
		rc = store_analyze(st, err);
out:
	if (began)
		store_rollback(st);
	if (fk_off) {
		struct uc_err e2 = UC_ERR_INIT;

		store_exec(st, "PRAGMA foreign_keys=ON", &e2);
	}
	if (mmap_set) {
		struct uc_err e2 = UC_ERR_INIT;
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA mmap_size=%lld", (long long)mmap_was);
		store_exec(st, pragma, &e2);
	}
	if (bks) {
		for (size_t i = 0; i < nbk; i++)
			free(bks[i].v);
		free(bks);
	}
	store_finalize(q);
	store_finalize(R.ins_pair);
	idxsave_release(&isv);
	u64map_release(&R.vtext);
	larena_release(&R.vtext_a);
	u64map_release(&bm);
	free(R.tanum);
	free(R.tanp);
	free(R.tidn);
	free(R.tplace);
	free(R.c);
	free(R.out);
	free(R.pers);
	cluster_release(&R.cl);
	block_keys_release(&R.keys);
	lset_release(&R.set);
	return rc;
}

void link_norm_query(const char *q, struct norm_name *out)
{
	norm_name(q, (size_t)-1, out);
}

size_t link_phon(const char *tok, size_t len, char out[NORM_PHON_MAX])
{
	return norm_phon(tok, len, out);
}
