/*
 * project.c - projection of source records into case facts (project.h).
 *
 * Both the full run and the one-case path read the same columns of the
 * same tables and fold rows with the same functions into a struct acc, so
 * they produce identical facts; only the WHERE clauses differ.
 */
#include "triage/project.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/anum.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/hash.h"
#include "triage/facts.h"

#define NFAILS 8
#define NONE UC_DATE_NONE

/* Per-case accumulator while records are folded. */
struct acc {
	int64_t key;		/* person id (> 0) or -(A-number + 1) */
	int64_t anum;		/* A-number as an integer, -1 unknown */
	int32_t nrec;		/* records folded */
	int32_t birth;		/* birth date */
	int8_t birth_rank;	/* source rank of birth (lower wins), 99 none */
	int8_t country_rank;	/* source rank of country */
	int16_t country;	/* code2 */
	int32_t encounters;	/* CBP encounters */
	int32_t first_enc;	/* first encounter date */
	int32_t last_enc;	/* latest encounter date */
	int32_t tvpra_date;	/* encounter date of the tvpra value */
	int8_t tvpra;		/* TVPRA_* of the latest screened encounter, -1 */
	int8_t discharge;	/* DIS_* of the latest placement, -1 */
	int8_t sp_cat;		/* CAT_* of the latest placement, -1 */
	int8_t addr_status;	/* ADDR_* of the current address, -1 */
	int32_t plc_admit;	/* admitted date of the latest placement */
	int32_t release;	/* released date of the latest placement */
	uint64_t sponsor;	/* hash of the latest placement's sponsor id, 0 */
	uint64_t raddr;		/* hash of its normalised release address, 0 */
	int32_t addr_date;	/* as_of of the current address */
	int64_t addr_id;	/* id of the current address row (ties) */
	int32_t loc_date;	/* as_of of the latest row giving a state or
				   ZIP: a partial update (unit and status only)
				   keeps the location, and so the office */
	int64_t loc_id;		/* its id (ties), -1 none */
	int16_t addr_state;	/* code2 of that row's state */
	int32_t zip5;		/* ZIP of that row, -1 */
	int32_t last_ok;	/* last successful contact */
	int32_t fails[NFAILS];	/* latest failed attempt dates (ring) */
	int32_t nfails;		/* entries used in fails */
	int32_t welfare_date;	/* latest welfare check */
	int8_t welfare;		/* WEL_* */
	int8_t screening;	/* SCR_* */
	int8_t mtr;		/* MTR_* of the latest motion */
	int8_t mtr_ground;	/* GROUND_* */
	int32_t screening_date; /* latest screening */
	int32_t mtr_date;	/* latest motion */
	int32_t nta_issued;	/* earliest issue date */
	int32_t nta_served;	/* latest service date */
	int32_t nta_filed;	/* latest filing date (ICE or EOIR) */
	int8_t nta_addr_bad;	/* served at a defective address */
	int8_t dec;		/* DEC_* of the latest decided proceeding */
	int8_t stay;		/* ICE stay_granted */
	int8_t executed;	/* ICE removal_executed */
	int32_t dec_date;	/* its completion date */
	int32_t ia_date;	/* latest in absentia order */
	int32_t max_proc;	/* latest proceeding start (OSC/input date) */
	int32_t ice_rescind;	/* latest ICE order_rescinded */
	int32_t next_hearing;	/* earliest hearing >= today */
	int32_t last_fta;	/* latest missed hearing date */
	int16_t missed;		/* FTA hearings */
	int16_t attended;	/* other past hearings */
	int32_t claim_date[4];	/* latest claim event date per type */
	int8_t claim_st[4];	/* 0 none, 1 pending, 2 granted */
	int8_t counsel;		/* -1 unknown, 0 no, 1 yes (representation) */
	int8_t atty;		/* EOIR ATTY_NBR present */
	int8_t orientation;	/* orientation given */
	int8_t referrals;	/* REF_* bits */
	uint16_t done;		/* action bits: task_outcome done */
	int32_t counsel_date;	/* date of the latest counsel row */
	uint32_t ind_auth;	/* IND_* bits, authorised */
	uint32_t ind_unauth;	/* IND_* bits, not authorised */
	int32_t ind_date;	/* latest indicator */
	int32_t sponsor_n;	/* filled at finalise: children of the sponsor */
	int32_t raddr_n;	/* children at the release address */
};

/* Open-addressing map from int64 to int32 index. */
struct imap {
	int64_t *keys; /* slot keys, owned */
	int32_t *vals; /* slot values, owned */
	size_t cap;    /* slots, a power of two */
	size_t n;      /* used */
};

/* Folding context. */
struct fold {
	int32_t today;	    /* as-of day */
	struct acc *accs;   /* cases, owned */
	size_t n, cap;	    /* used / allocated */
	struct imap bykey;  /* case key -> index */
	struct imap byidn;  /* EOIR IDNCASE -> index */
	struct imap pairs;  /* (sponsor|address hash, case) seen */
	struct imap counts; /* sponsor/address hash -> distinct children */
	struct imap anum2p; /* A-number -> person id (person.a_number) */
	int persons;	    /* anum2p is filled */
	int64_t unplaced;   /* records without a case */
	int64_t records;    /* records folded */
	int single;	    /* one-case mode: every row belongs to accs[0] */
	char sponsor[128];  /* one-case mode: latest placement's sponsor id */
	char zip[16];	    /* one-case mode: latest placement's ZIP */
};

struct table;
typedef void (*fold_fn)(struct fold *fo, struct acc *a, struct store_stmt *q);

struct table {
	const char *name; /* table */
	const char *cols; /* columns from index 3 on */
	int kind;	  /* 0 feed (rid, a_number), 1 derived (src_tbl, src_rid),
			     2 EOIR child (idncase) */
	int versioned;	  /* has skey/rid versions */
	fold_fn fold;	  /* folder */
};

struct proj {
	struct store *st;		   /* borrowed */
	struct store_stmt *by_person[16];  /* one-case statements per table */
	struct store_stmt *by_anum[16];	   /* same, by A-number (unlinked rows) */
	struct store_stmt *by_anum_nl[16]; /* same when nothing is linked at all */
	struct store_stmt *any_link;	   /* is person_record empty? */
	struct store_stmt *by_idn[16];	   /* EOIR child tables by IDNCASE */
	struct store_stmt *sponsor_q;	   /* children per sponsor id */
	struct store_stmt *zip_q;	   /* placements per ZIP */
	struct store_stmt *zip_child_q;	   /* the child of one placement */
	struct store_stmt *person_anum;	   /* person.a_number by id */
};

/* ------------------------------------------------------------ helpers */

static void imap_init(struct imap *m, size_t cap)
{
	m->cap = 16;
	while (m->cap < cap * 2)
		m->cap <<= 1;
	m->n = 0;
	m->keys = uc_xmalloc(m->cap * sizeof(*m->keys));
	m->vals = uc_xmalloc(m->cap * sizeof(*m->vals));
	for (size_t i = 0; i < m->cap; i++)
		m->keys[i] = INT64_MIN;
}

static void imap_free(struct imap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
}

/* Slot of key: its slot if present, else the empty slot where it goes. */
static size_t imap_slot(const struct imap *m, int64_t key)
{
	size_t i = (size_t)uc_mix64((uint64_t)key) & (m->cap - 1);

	while (m->keys[i] != INT64_MIN && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int32_t *imap_get(struct imap *m, int64_t key)
{
	size_t i = imap_slot(m, key);

	return m->keys[i] == key ? &m->vals[i] : NULL;
}

static void imap_put(struct imap *m, int64_t key, int32_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct imap big;

		imap_init(&big, m->cap);
		for (size_t k = 0; k < m->cap; k++)
			if (m->keys[k] != INT64_MIN) {
				size_t s = imap_slot(&big, m->keys[k]);

				big.keys[s] = m->keys[k];
				big.vals[s] = m->vals[k];
				big.n++;
			}
		imap_free(m);
		*m = big;
	}
	i = imap_slot(m, key);
	if (m->keys[i] != key) {
		m->keys[i] = key;
		m->n++;
	}
	m->vals[i] = val;
}

static int32_t col_date(struct store_stmt *q, int i)
{
	const char *s = store_col_text(q, i);
	int32_t d;

	if (!s || date_parse(s, (size_t)store_col_bytes(q, i), &d))
		return NONE;
	return d;
}

/* Column text equals s. */
static int col_is(struct store_stmt *q, int i, const char *s)
{
	const char *t = store_col_text(q, i);

	return t && strcmp(t, s) == 0;
}

static int col_blank(struct store_stmt *q, int i)
{
	const char *t = store_col_text(q, i);

	if (!t)
		return 1;
	while (*t == ' ')
		t++;
	return *t == '\0';
}

static int16_t code2(const char *s)
{
	if (!s || !(s[0] >= 'A' && s[0] <= 'Z') || !(s[1] >= 'A' && s[1] <= 'Z') || s[2])
		return 0;
	return (int16_t)((s[0] << 8) | s[1]);
}

static uint64_t hash_norm(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 32);
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			continue;
		h ^= c;
		h *= 0x100000001b3ULL;
	}
	h ^= '|';
	h *= 0x100000001b3ULL;
	return h;
}

/* Normalised address key of street, unit, zip (5 digits); 0 when the
 * street or ZIP is blank. */
static uint64_t addr_key(const char *street, const char *unit, const char *zip)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char z[6] = {0};
	int n = 0;

	for (const char *p = zip; p && *p && n < 5; p++)
		if (*p >= '0' && *p <= '9')
			z[n++] = *p;
	if (n < 5 || !street || !*street)
		return 0;
	h = hash_norm(h, street);
	h = hash_norm(h, unit);
	h = hash_norm(h, z);
	return h | 1;
}

static int32_t zip5_of(const char *zip)
{
	int32_t v = 0;
	int n = 0;

	for (const char *p = zip; p && *p && n < 5; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		n++;
	}
	return n == 5 ? v : -1;
}

static void acc_init(struct acc *a, int64_t key, int64_t anum)
{
	memset(a, 0, sizeof(*a));
	a->key = key;
	a->anum = anum;
	a->birth = a->first_enc = a->last_enc = a->tvpra_date = NONE;
	a->birth_rank = a->country_rank = 99;
	a->tvpra = a->discharge = a->sp_cat = a->addr_status = -1;
	a->plc_admit = a->release = a->addr_date = NONE;
	a->addr_id = a->loc_id = -1;
	a->loc_date = NONE;
	a->zip5 = -1;
	a->last_ok = a->welfare_date = a->screening_date = a->mtr_date = NONE;
	a->nta_issued = a->nta_served = a->nta_filed = NONE;
	a->dec_date = a->ia_date = a->max_proc = a->ice_rescind = NONE;
	a->next_hearing = a->last_fta = NONE;
	for (int i = 0; i < 4; i++)
		a->claim_date[i] = NONE;
	a->counsel = -1;
	a->counsel_date = NONE;
	a->ind_date = NONE;
}

/* The case a row belongs to (column 0 person_id, 1 a_number), creating it
 * in full mode; NULL when the row cannot be placed. */
static struct acc *acc_for(struct fold *fo, struct store_stmt *q)
{
	int64_t key, anum = -1;
	int32_t *ix;

	if (fo->single)
		return &fo->accs[0];
	if (!store_col_is_null(q, 0)) {
		key = store_col_int(q, 0);
		if (key <= 0)
			return NULL;
	} else {
		anum = anum_value(store_col_text(q, 1));
		if (anum < 0) {
			fo->unplaced++;
			return NULL;
		}
		key = -(anum + 1);
		/* an unlinked record joins the person who has its A-number */
		if (fo->persons) {
			int32_t *pi = imap_get(&fo->anum2p, anum);

			if (pi) {
				key = *pi;
				anum = -1;
			}
		}
	}
	ix = imap_get(&fo->bykey, key);
	if (ix)
		return &fo->accs[*ix];
	if (fo->n == fo->cap) {
		fo->cap = fo->cap ? fo->cap * 2 : 1024;
		fo->accs = uc_xrealloc(fo->accs, fo->cap * sizeof(*fo->accs));
	}
	acc_init(&fo->accs[fo->n], key, anum);
	imap_put(&fo->bykey, key, (int32_t)fo->n);
	return &fo->accs[fo->n++];
}

static void take_birth(struct acc *a, struct store_stmt *q, int col, int rank)
{
	int32_t d = col_date(q, col);

	if (d != NONE && rank < a->birth_rank) {
		a->birth = d;
		a->birth_rank = (int8_t)rank;
	}
}

static void take_anum(struct acc *a, struct store_stmt *q)
{
	if (a->anum < 0)
		a->anum = anum_value(store_col_text(q, 1));
}

/* Count (hash, case) once in fo->counts. */
static void count_pair(struct fold *fo, uint64_t h, int64_t key)
{
	int64_t pk = (int64_t)(uc_mix64(h ^ uc_mix64((uint64_t)key)) >> 1);
	int64_t hk = (int64_t)(h >> 1);
	int32_t *c;

	if (fo->single || !h)
		return;
	if (imap_get(&fo->pairs, pk))
		return;
	imap_put(&fo->pairs, pk, 1);
	c = imap_get(&fo->counts, hk);
	if (c)
		(*c)++;
	else
		imap_put(&fo->counts, hk, 1);
}

/* ------------------------------------------------------------- folders */

/* cbp_encounter: 3 birth_date, 4 country, 5 encounter_date, 6 tvpra */
static void fold_cbp(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t d = col_date(q, 5);
	const char *tv = store_col_text(q, 6);

	take_anum(a, q);
	take_birth(a, q, 3, 1);
	if (a->country_rank > 0 && code2(store_col_text(q, 4))) {
		a->country = code2(store_col_text(q, 4));
		a->country_rank = 0;
	}
	a->encounters++;
	if (d != NONE && (a->first_enc == NONE || d < a->first_enc))
		a->first_enc = d;
	if (d != NONE && (a->last_enc == NONE || d > a->last_enc))
		a->last_enc = d;
	if (tv && *tv) {
		int v = facts_vocab_index(F_TVPRA, tv, strlen(tv));

		if (v >= 0 &&
		    (a->tvpra < 0 || d == NONE || a->tvpra_date == NONE || d >= a->tvpra_date)) {
			a->tvpra = (int8_t)v;
			a->tvpra_date = d;
		}
	}
}

/* orr_placement: 3 birth_date, 4 country, 5 admitted, 6 released,
 * 7 discharge, 8 sponsor_id, 9 sponsor_category, 10 street, 11 unit,
 * 12 zip */
static void fold_orr(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t adm = col_date(q, 5);
	const char *dis = store_col_text(q, 7);
	const char *cat = store_col_text(q, 9);
	const char *sp = store_col_text(q, 8);
	uint64_t sh = 0, ah;

	take_anum(a, q);
	take_birth(a, q, 3, 0);
	if (a->country_rank > 1 && code2(store_col_text(q, 4))) {
		a->country = code2(store_col_text(q, 4));
		a->country_rank = 1;
	}
	if (sp && *sp)
		sh = hash_norm(0xcbf29ce484222325ULL, sp) | 1;
	ah = addr_key(store_col_text(q, 10), store_col_text(q, 11), store_col_text(q, 12));
	count_pair(fo, sh, a->key);
	count_pair(fo, ah ^ 0x5a5a5a5a5a5a5a5aULL, a->key);
	if (a->discharge >= 0 && adm != NONE && a->plc_admit != NONE && adm < a->plc_admit)
		return;
	a->plc_admit = adm;
	a->release = col_date(q, 6);
	a->discharge = (int8_t)(dis ? facts_vocab_index(F_DISCHARGE, dis, strlen(dis)) : -1);
	if (a->discharge < 0)
		a->discharge = DIS_IN_CARE;
	a->sp_cat = -1;
	if (cat) {
		static const char *const cats[] = {"1", "2A", "2B", "3", "4"};

		for (int i = 0; i < 5; i++)
			if (strcmp(cat, cats[i]) == 0)
				a->sp_cat = (int8_t)i;
	}
	a->sponsor = sh;
	a->raddr = ah ? ah ^ 0x5a5a5a5a5a5a5a5aULL : 0;
	if (fo->single) {
		const char *z = store_col_text(q, 12);

		snprintf(fo->sponsor, sizeof(fo->sponsor), "%s", sp ? sp : "");
		snprintf(fo->zip, sizeof(fo->zip), "%s", z ? z : "");
	}
}

/* orr_contact: 3 contact_date, 4 result */
static void fold_contact(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t d = col_date(q, 3);

	take_anum(a, q);
	if (d == NONE)
		return;
	if (col_is(q, 4, "reached_safe") || col_is(q, 4, "reached_concern")) {
		if (a->last_ok == NONE || d > a->last_ok)
			a->last_ok = d;
		if (a->welfare_date == NONE || d >= a->welfare_date) {
			a->welfare_date = d;
			a->welfare = col_is(q, 4, "reached_safe") ? WEL_SAFE : WEL_CONCERN;
		}
	} else {
		a->fails[a->nfails % NFAILS] = d;
		a->nfails++;
	}
}

static const int8_t bad_addr[] = {0, 0, 0, 1, 1, 1}; /* by ADDR_* */

static int addr_status_of(const char *s)
{
	int v = s ? facts_vocab_index(F_ADDRESS_STATUS, s, strlen(s)) : -1;

	return v < 0 ? ADDR_UNVERIFIED : v;
}

/* ice_nta: 3 birth_date, 4 issued, 5 served, 6 filed, 7 street, 8 unit,
 * 9 city, 10 zip */
static void fold_nta(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t is = col_date(q, 4), sv = col_date(q, 5), fi = col_date(q, 6);

	take_anum(a, q);
	take_birth(a, q, 3, 2);
	if (is != NONE && (a->nta_issued == NONE || is < a->nta_issued))
		a->nta_issued = is;
	if (a->nta_issued == NONE && is == NONE)
		a->nta_issued = sv != NONE ? sv : fi; /* an NTA exists */
	if (sv != NONE && (a->nta_served == NONE || sv > a->nta_served)) {
		a->nta_served = sv;
		a->nta_addr_bad = (int8_t)(col_blank(q, 7) || col_blank(q, 9) || col_blank(q, 10));
	}
	if (fi != NONE && (a->nta_filed == NONE || fi > a->nta_filed))
		a->nta_filed = fi;
}

/* ice_removal: 3 action, 4 action_date */
static void fold_removal(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t d = col_date(q, 4);

	take_anum(a, q);
	if (col_is(q, 3, "stay_granted"))
		a->stay = 1;
	else if (col_is(q, 3, "removal_executed"))
		a->executed = 1;
	else if (col_is(q, 3, "order_rescinded") && d != NONE &&
		 (a->ice_rescind == NONE || d > a->ice_rescind))
		a->ice_rescind = d;
}

/* indicator: 3 category, 4 code, 5 authorised, 6 observed_date */
static void fold_indicator(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	const char *code = store_col_text(q, 4);
	int v = code ? facts_vocab_index(F_INDICATORS, code, strlen(code)) : -1;
	int32_t d = col_date(q, 6);

	take_anum(a, q);
	if (v < 0)
		return;
	if (store_col_int(q, 5))
		a->ind_auth |= 1u << v;
	else
		a->ind_unauth |= 1u << v;
	if (d != NONE && (a->ind_date == NONE || d > a->ind_date))
		a->ind_date = d;
}

/*
 * Value of a top-level string member of a JSON object, without a full
 * parse: field bodies are canonical JSON written by the importer, and the
 * byte sequence "KEY" followed by ':' after '{' or ',' cannot occur inside
 * a JSON string (quotes there are escaped). Returns a pointer to the value
 * (not terminated) and its length, or NULL.
 */
static const char *json_str(const char *body, const char *key, int *len)
{
	size_t kl = strlen(key);

	for (const char *p = body; p && (p = strchr(p, '"')); p++) {
		const char *v;

		if (p == body || !(p[-1] == '{' || p[-1] == ',' || p[-1] == ' '))
			continue;
		if (strncmp(p + 1, key, kl) != 0 || p[1 + kl] != '"')
			continue;
		v = p + 2 + kl;
		while (*v == ' ')
			v++;
		if (*v++ != ':')
			continue;
		while (*v == ' ')
			v++;
		if (*v != '"')
			return NULL;
		v++;
		const char *e = strchr(v, '"');
		if (!e)
			return NULL;
		*len = (int)(e - v);
		return v;
	}
	return NULL;
}

static int str_eq(const char *s, int len, const char *lit)
{
	return s && (size_t)len == strlen(lit) && memcmp(s, lit, (size_t)len) == 0;
}

/* field_event: 3 type, 4 occurred_at, 5 body */
static void fold_event(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t d = col_date(q, 4);
	const char *body = store_col_text(q, 5);
	const char *v;
	int n = 0;

	take_anum(a, q);
	if (d == NONE || !body)
		return;
	if (col_is(q, 3, "contact_attempt")) {
		v = json_str(body, "outcome", &n);
		if (str_eq(v, n, "reached")) {
			if (a->last_ok == NONE || d > a->last_ok)
				a->last_ok = d;
		} else {
			a->fails[a->nfails % NFAILS] = d;
			a->nfails++;
		}
	} else if (col_is(q, 3, "welfare_check")) {
		v = json_str(body, "outcome", &n);
		if (a->welfare_date == NONE || d >= a->welfare_date) {
			a->welfare_date = d;
			a->welfare = str_eq(v, n, "safe")      ? WEL_SAFE
				     : str_eq(v, n, "concern") ? WEL_CONCERN
							       : WEL_NOT_SEEN;
		}
		if ((str_eq(v, n, "safe") || str_eq(v, n, "concern")) &&
		    (a->last_ok == NONE || d > a->last_ok))
			a->last_ok = d;
	} else if (col_is(q, 3, "trafficking_screening")) {
		v = json_str(body, "result", &n);
		if (a->screening_date == NONE || d >= a->screening_date) {
			int s = v ? facts_vocab_index(F_SCREENING, v, (size_t)n) : -1;

			a->screening_date = d;
			a->screening = (int8_t)(s < 0 ? SCR_NONE : s);
		}
	} else if (col_is(q, 3, "referral")) {
		v = json_str(body, "to", &n);
		int r = v ? facts_vocab_index(F_REFERRALS, v, (size_t)n) : -1;
		if (r >= 0)
			a->referrals |= (int8_t)(1 << r);
	} else if (col_is(q, 3, "motion_to_reopen")) {
		if (a->mtr_date != NONE && d < a->mtr_date)
			return;
		a->mtr_date = d;
		v = json_str(body, "status", &n);
		int s = v ? facts_vocab_index(F_MTR, v, (size_t)n) : -1;
		a->mtr = (int8_t)(s < 0 ? MTR_FILED : s);
		v = json_str(body, "ground", &n);
		a->mtr_ground = str_eq(v, n, "lack_of_notice")		    ? GROUND_LACK_OF_NOTICE
				: str_eq(v, n, "exceptional_circumstances") ? GROUND_EXCEPTIONAL
									    : GROUND_NONE;
	} else if (col_is(q, 3, "orientation")) {
		a->orientation = 1;
	} else if (col_is(q, 3, "task_outcome")) {
		v = json_str(body, "outcome", &n);
		if (str_eq(v, n, "done")) {
			int k;

			v = json_str(body, "action", &n);
			k = v ? facts_vocab_index(F_TASKS_DONE, v, (size_t)n) : -1;
			if (k >= 0)
				a->done |= (uint16_t)(1u << k);
		}
	}
}

/* eoir_case: 2 idncase, 3 birth_date, 4 atty_nbr */
static void fold_ecase(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	take_anum(a, q);
	take_birth(a, q, 3, 3);
	if (!col_blank(q, 4))
		a->atty = 1;
	if (!fo->single)
		imap_put(&fo->byidn, store_col_int(q, 2), (int32_t)(a - fo->accs));
}

/* eoir_proceeding: 3 osc_date, 4 input_date, 5 dec_code, 6 comp_date,
 * 7 absentia */
static void fold_proc(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t osc = col_date(q, 3), in = col_date(q, 4), comp = col_date(q, 6);
	int32_t start = in != NONE ? in : osc;
	const char *dc = store_col_text(q, 5);
	int dec = DEC_NONE;

	if (start != NONE && (a->nta_filed == NONE || start > a->nta_filed))
		a->nta_filed = start;
	if (a->nta_issued == NONE && osc != NONE)
		a->nta_issued = osc;
	if (start != NONE && (a->max_proc == NONE || start > a->max_proc))
		a->max_proc = start;
	if (!dc || !*dc || comp == NONE)
		return;
	switch (dc[0]) {
	case 'X':
		dec = DEC_REMOVAL;
		break;
	case 'G':
	case 'C':
	case 'E':
	case 'H':
	case 'Z':
	case 'R':
		dec = DEC_RELIEF;
		break;
	case 'V':
		dec = DEC_VOLUNTARY_DEPARTURE;
		break;
	case 'T':
	case 'U':
	case 'D':
		dec = DEC_TERMINATED;
		break;
	case 'A':
	case 'B':
	case 'K':
	case 'M':
	case 'Y':
		dec = DEC_ADMIN_CLOSED;
		break;
	default:
		dec = DEC_OTHER;
	}
	if (dec == DEC_REMOVAL && col_is(q, 7, "Y") && (a->ia_date == NONE || comp > a->ia_date))
		a->ia_date = comp;
	if (a->dec_date == NONE || comp >= a->dec_date) {
		a->dec_date = comp;
		a->dec = (int8_t)dec;
	}
}

/* eoir_hearing: 3 adj_date, 4 fta_notice */
static void fold_hearing(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t d = col_date(q, 3);

	if (d == NONE)
		return;
	if (d >= fo->today) {
		if (a->next_hearing == NONE || d < a->next_hearing)
			a->next_hearing = d;
		return;
	}
	if (store_col_int(q, 4)) {
		a->missed++;
		if (a->last_fta == NONE || d > a->last_fta)
			a->last_fta = d;
	} else {
		a->attended++;
	}
}

/* Whether address row (d, id) is newer than the one held (cur_d, cur_id;
 * cur_id < 0: none): latest as_of; rows without a date count as oldest;
 * ties go to the later row. Rows are folded in any order. */
static int addr_newer(int32_t d, int64_t id, int32_t cur_d, int64_t cur_id)
{
	if (cur_id < 0)
		return 1;
	if (d == NONE)
		return cur_d == NONE && id > cur_id;
	if (cur_d == NONE)
		return 1;
	return d > cur_d || (d == cur_d && id > cur_id);
}

/* address: 3 status, 4 as_of, 5 state, 6 zip, 7 id */
static void fold_address(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t d = col_date(q, 4);
	int64_t id = store_col_int(q, 7);

	take_anum(a, q);
	/* status from the latest row; the location (state, ZIP: the office)
	 * from the latest row that gives one */
	if (addr_newer(d, id, a->addr_date, a->addr_id)) {
		a->addr_id = id;
		a->addr_date = d;
		a->addr_status = (int8_t)addr_status_of(store_col_text(q, 3));
	}
	if ((!col_blank(q, 5) || !col_blank(q, 6)) && addr_newer(d, id, a->loc_date, a->loc_id)) {
		a->loc_id = id;
		a->loc_date = d;
		a->addr_state = code2(store_col_text(q, 5));
		a->zip5 = zip5_of(store_col_text(q, 6));
	}
}

/* claim: 3 claim_type, 4 status, 5 on_date */
static void fold_claim(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	const char *t = store_col_text(q, 3);
	int k = t ? facts_vocab_index(F_CLAIMS_PENDING, t, strlen(t)) : -1;
	int32_t d = col_date(q, 5);

	take_anum(a, q);
	if (k < 0)
		return;
	if (a->claim_st[k] && d != NONE && a->claim_date[k] != NONE && d < a->claim_date[k])
		return;
	a->claim_date[k] = d;
	if (col_is(q, 4, "filed") || col_is(q, 4, "pending"))
		a->claim_st[k] = 1;
	else if (col_is(q, 4, "granted"))
		a->claim_st[k] = 2;
	else
		a->claim_st[k] = 3; /* denied or withdrawn: neither */
}

/* representation: 3 kind, 4 status, 5 on_date */
static void fold_repr(struct fold *fo, struct acc *a, struct store_stmt *q)
{
	int32_t d = col_date(q, 5);

	take_anum(a, q);
	if (col_is(q, 3, "orientation")) {
		a->orientation = 1;
		return;
	}
	if (a->counsel >= 0 && d != NONE && a->counsel_date != NONE && d < a->counsel_date)
		return;
	a->counsel_date = d;
	a->counsel = (int8_t)!col_is(q, 4, "ended");
}

static const struct table tables[] = {
    {"cbp_encounter", "t.birth_date, t.country, t.encounter_date, t.tvpra_screening", 0, 1,
     fold_cbp},
    {"orr_placement",
     "t.birth_date, t.country, t.admitted_date, t.released_date, t.discharge, "
     "t.sponsor_id, t.sponsor_category, t.street, t.unit, t.zip",
     0, 1, fold_orr},
    {"orr_contact", "t.contact_date, t.result", 0, 1, fold_contact},
    {"ice_nta",
     "t.birth_date, t.issued_date, t.served_date, t.filed_date, t.street, "
     "t.unit, t.city, t.zip",
     0, 1, fold_nta},
    {"ice_removal", "t.action, t.action_date", 0, 1, fold_removal},
    {"indicator", "t.category, t.code, t.authorised, t.observed_date", 0, 1, fold_indicator},
    {"field_event", "t.type, t.occurred_at, t.body", 0, 1, fold_event},
    {"eoir_case", "t.birth_date, t.atty_nbr", 0, 1, fold_ecase},
    {"address", "t.status, t.as_of, t.state, t.zip, t.id", 1, 0, fold_address},
    {"claim", "t.claim_type, t.status, t.on_date", 1, 0, fold_claim},
    {"representation", "t.kind, t.status, t.on_date", 1, 0, fold_repr},
    /* EOIR children last: they need the IDNCASE map from eoir_case */
    {"eoir_proceeding", "t.osc_date, t.input_date, t.dec_code, t.comp_date, t.absentia", 2, 1,
     fold_proc},
    {"eoir_hearing", "t.adj_date, t.fta_notice", 2, 1, fold_hearing},
};
#define NTABLES ((int)(sizeof(tables) / sizeof(tables[0])))

/* ------------------------------------------------------------ finalise */

static void finalise(const struct fold *fo, const struct acc *a, struct proj_case *out)
{
	struct rules_facts *f = &out->facts;
	int32_t today = fo->today;
	int claims_p = 0, claims_g = 0, nf = 0;

	rules_facts_init(f, today);
	out->person_id = a->key > 0 ? a->key : 0;
	out->a_number[0] = '\0';
	if (a->anum >= 0)
		anum_format(a->anum, out->a_number);
	out->zip5 = a->zip5;
	rules_fact_set(f, F_HAS_A_NUMBER, a->anum >= 0);
	rules_fact_set(f, F_LINKED, a->key > 0);
	rules_fact_set(f, F_RECORDS, a->nrec);
	if (a->birth != NONE) {
		int32_t d18;
		int y, m, d;

		rules_fact_set(f, F_BIRTH_DATE, a->birth);
		rules_fact_set(f, F_AGE, date_age_years(a->birth, today));
		date_to_ymd(a->birth, &y, &m, &d);
		if (m == 2 && d == 29)
			d = 28;
		d18 = date_from_ymd(y + 18, m, d);
		rules_fact_set(f, F_DAYS_TO_18, d18 - today);
		if (a->first_enc != NONE)
			rules_fact_set(f, F_AGE_AT_ENCOUNTER,
				       date_age_years(a->birth, a->first_enc));
		if (a->release != NONE)
			rules_fact_set(f, F_AGE_AT_RELEASE, date_age_years(a->birth, a->release));
		if (a->next_hearing != NONE)
			rules_fact_set(f, F_AGE_AT_HEARING,
				       date_age_years(a->birth, a->next_hearing));
	}
	if (a->country)
		rules_fact_set(f, F_COUNTRY, a->country);
	rules_fact_set(f, F_ENCOUNTERS, a->encounters);
	if (a->first_enc != NONE)
		rules_fact_set(f, F_FIRST_ENCOUNTER, a->first_enc);
	if (a->last_enc != NONE)
		rules_fact_set(f, F_LAST_ENCOUNTER, a->last_enc);
	rules_fact_set(f, F_TVPRA, a->tvpra < 0 ? TVPRA_NONE : a->tvpra);
	if (a->discharge >= 0)
		rules_fact_set(f, F_DISCHARGE, a->discharge);
	if (a->release != NONE) {
		rules_fact_set(f, F_RELEASE_DATE, a->release);
		rules_fact_set(f, F_DAYS_SINCE_RELEASE, today - a->release);
	}
	if (a->sp_cat >= 0)
		rules_fact_set(f, F_SPONSOR_CATEGORY, a->sp_cat);
	if (a->sponsor)
		rules_fact_set(f, F_SPONSOR_CHILDREN, a->sponsor_n ? a->sponsor_n : 1);
	if (a->raddr)
		rules_fact_set(f, F_ADDRESS_CHILDREN, a->raddr_n ? a->raddr_n : 1);
	rules_fact_set(f, F_ADDRESS_STATUS, a->addr_status < 0 ? ADDR_NONE : a->addr_status);
	if (a->addr_date != NONE) {
		rules_fact_set(f, F_ADDRESS_DATE, a->addr_date);
		rules_fact_set(f, F_ADDRESS_AGE, today - a->addr_date);
	}
	if (a->addr_state)
		rules_fact_set(f, F_ADDRESS_STATE, a->addr_state);
	if (a->zip5 >= 0)
		rules_fact_set(f, F_ADDRESS_ZIP3, a->zip5 / 100);
	if (a->last_ok != NONE) {
		rules_fact_set(f, F_LAST_CONTACT, a->last_ok);
		rules_fact_set(f, F_DAYS_SINCE_CONTACT, today - a->last_ok);
	}
	rules_fact_set(f, F_CONTACT_SINCE_RELEASE,
		       a->last_ok != NONE && a->release != NONE && a->last_ok >= a->release);
	for (int i = 0; i < a->nfails && i < NFAILS; i++)
		if (a->last_ok == NONE || a->fails[i] > a->last_ok)
			nf++;
	rules_fact_set(f, F_FAILED_CONTACTS, nf);
	rules_fact_set(f, F_WELFARE, a->welfare);
	if (a->welfare_date != NONE)
		rules_fact_set(f, F_WELFARE_DATE, a->welfare_date);
	/* NTA */
	int nta = NTA_NONE;
	if (a->nta_issued != NONE)
		nta = NTA_ISSUED;
	if (a->nta_served != NONE)
		nta = NTA_SERVED;
	if (a->nta_filed != NONE)
		nta = NTA_FILED;
	rules_fact_set(f, F_NTA_STATE, nta);
	if (a->nta_issued != NONE)
		rules_fact_set(f, F_NTA_ISSUED, a->nta_issued);
	if (a->nta_served != NONE)
		rules_fact_set(f, F_NTA_SERVED, a->nta_served);
	if (a->nta_filed != NONE)
		rules_fact_set(f, F_NTA_FILED, a->nta_filed);
	if (a->next_hearing != NONE) {
		rules_fact_set(f, F_NEXT_HEARING, a->next_hearing);
		rules_fact_set(f, F_DAYS_TO_HEARING, a->next_hearing - today);
	}
	/* a hearing on the day of an in absentia order was missed even
	 * without a failure-to-appear notice (docs/formats.md) */
	int missed = a->missed, attended = a->attended;
	if (a->ia_date != NONE && a->ia_date < today && a->last_fta != a->ia_date) {
		missed++;
		if (attended > 0)
			attended--;
	}
	rules_fact_set(f, F_HEARINGS_MISSED, missed);
	rules_fact_set(f, F_HEARINGS_ATTENDED, attended);
	rules_fact_set(f, F_DECISION, a->dec);
	if (a->dec_date != NONE)
		rules_fact_set(f, F_DECISION_DATE, a->dec_date);
	/* in absentia and rescission */
	int ia = a->ia_date != NONE;
	int rescinded = 0;
	rules_fact_set(f, F_IN_ABSENTIA, ia);
	if (ia) {
		rules_fact_set(f, F_IN_ABSENTIA_DATE, a->ia_date);
		rescinded =
		    (a->mtr == MTR_GRANTED && a->mtr_date != NONE && a->mtr_date >= a->ia_date) ||
		    (a->ice_rescind != NONE && a->ice_rescind >= a->ia_date) ||
		    (a->max_proc != NONE && a->max_proc > a->ia_date) ||
		    (a->dec_date != NONE && a->dec_date > a->ia_date && a->dec != DEC_REMOVAL);
		rules_fact_set(f, F_IN_ABSENTIA_RESCINDED, rescinded);
		rules_fact_set(f, F_MTR_DAYS_LEFT, a->ia_date + 180 - today);
	}
	rules_fact_set(f, F_MTR, a->mtr);
	rules_fact_set(f, F_MTR_GROUND, a->mtr_ground);
	rules_fact_set(f, F_NOTICE_DEFECTIVE,
		       a->nta_served == NONE || a->nta_addr_bad ||
			   (a->addr_status >= 0 && bad_addr[a->addr_status] &&
			    a->addr_date != NONE && a->nta_served != NONE &&
			    a->addr_date <= a->nta_served));
	rules_fact_set(f, F_REMOVAL_ORDER, a->dec == DEC_REMOVAL && !rescinded && !a->executed);
	rules_fact_set(f, F_REMOVAL_EXECUTED, a->executed);
	rules_fact_set(f, F_STAY, a->stay);
	for (int k = 0; k < 4; k++) {
		if (a->claim_st[k] == 1)
			claims_p |= 1 << k;
		else if (a->claim_st[k] == 2)
			claims_g |= 1 << k;
	}
	if (a->dec == DEC_RELIEF) {
		claims_g |= claims_p;
		claims_p = 0;
	}
	rules_fact_set(f, F_CLAIMS_PENDING, claims_p);
	rules_fact_set(f, F_CLAIMS_GRANTED, claims_g);
	rules_fact_set(f, F_COUNSEL, a->counsel >= 0 ? a->counsel : a->atty);
	rules_fact_set(f, F_ORIENTATION, a->orientation);
	rules_fact_set(f, F_REFERRALS, a->referrals);
	rules_fact_set(f, F_TASKS_DONE, a->done);
	rules_fact_set(f, F_INDICATORS, (int32_t)a->ind_auth);
	rules_fact_set(f, F_INDICATORS_UNVERIFIED, (int32_t)a->ind_unauth);
	if (a->ind_date != NONE)
		rules_fact_set(f, F_INDICATOR_DATE, a->ind_date);
	rules_fact_set(f, F_SCREENING, a->screening);
	if (a->screening_date != NONE)
		rules_fact_set(f, F_SCREENING_DATE, a->screening_date);
}

/* ------------------------------------------------------------ SQL */

static void table_sql(struct buf *b, const struct table *t, int mode, int current)
{
	/* mode: 0 full scan, 1 by person, 2 by A-number (unlinked rows),
	 * 3 by IDNCASE, 4 by A-number when no record is linked at all */
	const char *link_on =
	    t->kind == 1 ? "pr.src_tbl = t.src_tbl AND pr.src_rid = t.src_rid" : NULL;

	buf_reset(b);
	if (t->kind == 2) {
		buf_addf(b, "SELECT NULL, NULL, t.idncase, %s FROM %s t", t->cols, t->name);
		if (mode == 3)
			buf_adds(b, " WHERE t.idncase = ?1");
	} else if (mode == 1) {
		buf_addf(b,
			 "SELECT pr.person_id, t.a_number, %s, %s FROM person_record pr "
			 "JOIN %s t ON ",
			 t->kind == 0 && strcmp(t->name, "eoir_case") == 0 ? "t.idncase" : "NULL",
			 t->cols, t->name);
		if (link_on)
			buf_adds(b, link_on);
		else
			buf_addf(b, "pr.src_tbl = '%s' AND pr.src_rid = t.rid", t->name);
		buf_adds(b, " WHERE pr.person_id = ?1");
	} else if (mode == 4) {
		buf_addf(b, "SELECT NULL, t.a_number, %s, %s FROM %s t WHERE t.a_number = ?1",
			 strcmp(t->name, "eoir_case") == 0 ? "t.idncase" : "NULL", t->cols,
			 t->name);
	} else {
		buf_addf(b,
			 "SELECT pr.person_id, t.a_number, %s, %s FROM %s t "
			 "LEFT JOIN person_record pr ON ",
			 strcmp(t->name, "eoir_case") == 0 ? "t.idncase" : "NULL", t->cols,
			 t->name);
		if (link_on)
			buf_adds(b, link_on);
		else
			buf_addf(b, "pr.src_tbl = '%s' AND pr.src_rid = t.rid", t->name);
		if (mode == 2)
			buf_adds(b, " WHERE t.a_number = ?1 AND pr.person_id IS NULL");
	}
	if (current && t->versioned) {
		buf_adds(b, strstr(b->ptr, " WHERE ") ? " AND " : " WHERE ");
		buf_addf(b, "t.rid = (SELECT max(t2.rid) FROM %s t2 WHERE t2.skey = t.skey)",
			 t->name);
	}
	if (mode == 0 || mode == 3)
		buf_adds(b, " ORDER BY t.rowid");
}

/* 1 when some skey of the table has more than one version. */
static int has_versions(struct store *st, const char *table, struct uc_err *err, int *out)
{
	struct buf b;
	int64_t v = 0;
	int rc;

	buf_init(&b, 512);
	buf_addf(&b, "SELECT EXISTS(SELECT 1 FROM %s GROUP BY skey HAVING count(*) > 1)", table);
	rc = store_query_int(st, b.ptr, &v, err);
	buf_release(&b);
	*out = v != 0;
	return rc;
}

int proj_open(struct proj **out, struct store *st, struct uc_err *err)
{
	struct proj *p = uc_xcalloc(1, sizeof(*p));

	p->st = st;
	*out = p;
	return UC_OK;
}

void proj_close(struct proj *p)
{
	if (!p)
		return;
	for (int i = 0; i < 16; i++) {
		store_finalize(p->by_person[i]);
		store_finalize(p->by_anum[i]);
		store_finalize(p->by_anum_nl[i]);
		store_finalize(p->by_idn[i]);
	}
	store_finalize(p->sponsor_q);
	store_finalize(p->zip_q);
	store_finalize(p->zip_child_q);
	store_finalize(p->person_anum);
	store_finalize(p->any_link);
	free(p);
}

static int run_rows(struct fold *fo, const struct table *t, struct store_stmt *q,
		    struct uc_err *err)
{
	int rc;

	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct acc *a;

		if (t->kind == 2 && !fo->single) {
			int32_t *ix = imap_get(&fo->byidn, store_col_int(q, 2));

			if (!ix) {
				fo->unplaced++;
				continue;
			}
			a = &fo->accs[*ix];
		} else {
			a = acc_for(fo, q);
			if (!a)
				continue;
		}
		a->nrec++;
		fo->records++;
		t->fold(fo, a, q);
	}
	return rc < 0 ? -rc : UC_OK;
}

static void fold_release(struct fold *fo)
{
	free(fo->accs);
	imap_free(&fo->bykey);
	imap_free(&fo->byidn);
	imap_free(&fo->pairs);
	imap_free(&fo->counts);
	imap_free(&fo->anum2p);
}

int proj_all(struct proj *p, int32_t today, proj_cb cb, void *ctx, struct proj_stats *stats,
	     struct uc_err *err)
{
	struct fold fo;
	struct buf sql;
	struct store_stmt *q = NULL;
	struct proj_case *pc = uc_xmalloc(sizeof(*pc));
	int rc = UC_OK;

	memset(&fo, 0, sizeof(fo));
	memset(stats, 0, sizeof(*stats));
	fo.today = today;
	imap_init(&fo.bykey, 1 << 16);
	imap_init(&fo.byidn, 1 << 16);
	imap_init(&fo.pairs, 1 << 16);
	imap_init(&fo.counts, 1 << 16);
	imap_init(&fo.anum2p, 16);
	buf_init(&sql, 4096);
	rc = store_prepare(p->st,
			   "SELECT id, a_number FROM person WHERE a_number IS NOT NULL "
			   "ORDER BY id",
			   &q, err);
	if (rc)
		goto out;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		int64_t an = anum_value(store_col_text(q, 1));

		/* person ids fit in int32 here; the lowest id wins a shared number */
		if (an >= 0 && !imap_get(&fo.anum2p, an) && store_col_int(q, 0) < INT32_MAX)
			imap_put(&fo.anum2p, an, (int32_t)store_col_int(q, 0));
	}
	store_finalize(q);
	q = NULL;
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	fo.persons = fo.anum2p.n > 0;
	for (int i = 0; i < NTABLES; i++) {
		int versions = 0;

		if (tables[i].versioned) {
			rc = has_versions(p->st, tables[i].name, err, &versions);
			if (rc)
				goto out;
		}
		table_sql(&sql, &tables[i], 0, versions);
		rc = store_prepare(p->st, sql.ptr, &q, err);
		if (rc)
			goto out;
		rc = run_rows(&fo, &tables[i], q, err);
		store_finalize(q);
		q = NULL;
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < fo.n; i++) {
		struct acc *a = &fo.accs[i];
		int32_t *c;

		if (a->sponsor && (c = imap_get(&fo.counts, (int64_t)(a->sponsor >> 1))))
			a->sponsor_n = *c;
		if (a->raddr && (c = imap_get(&fo.counts, (int64_t)(a->raddr >> 1))))
			a->raddr_n = *c;
		finalise(&fo, a, pc);
		rc = cb(ctx, pc, err);
		if (rc)
			goto out;
	}
	stats->cases = (int64_t)fo.n;
	stats->records = fo.records;
	stats->unplaced = fo.unplaced;
out:
	store_finalize(q);
	buf_release(&sql);
	fold_release(&fo);
	free(pc);
	return rc;
}

/*
 * The case key of a placement row in SQL, as acc_for() computes it: the
 * linked person, else the person holding its A-number (lowest id), else
 * -(A-number + 1). Only current versions count, as in the full run.
 */
#define CHILD_KEY                                                                                  \
	"coalesce(pr.person_id, (SELECT min(p.id) FROM person p "                                  \
	"WHERE p.a_number = t.a_number), -1 - t.a_number)"
#define CURRENT_PLACEMENT                                                                          \
	"t.rid = (SELECT max(t2.rid) FROM orr_placement t2 WHERE t2.skey = t.skey)"

/* Distinct children (person, else A-number) with a placement matching. */
static int count_sponsor(struct proj *p, const struct acc *a, const char *sponsor_id, int32_t *out,
			 struct uc_err *err)
{
	int rc;

	*out = 0;
	if (!p->sponsor_q) {
		rc = store_prepare(p->st,
				   "SELECT count(DISTINCT " CHILD_KEY ") "
				   "FROM orr_placement t LEFT JOIN person_record pr ON "
				   "pr.src_tbl = 'orr_placement' AND pr.src_rid = t.rid "
				   "WHERE t.sponsor_id = ?1 AND (pr.person_id IS NOT NULL OR "
				   "t.a_number IS NOT NULL) AND " CURRENT_PLACEMENT,
				   &p->sponsor_q, err);
		if (rc)
			return rc;
	}
	store_bind_text(p->sponsor_q, 1, sponsor_id, -1);
	rc = store_step(p->sponsor_q, err);
	if (rc == STORE_ROW)
		*out = (int32_t)store_col_int(p->sponsor_q, 0);
	store_reset(p->sponsor_q);
	return rc < 0 ? -rc : UC_OK;
}

/* The child of ORR placement rid (its person, else its A-number's). */
static int placement_child(struct proj *p, int64_t rid, const char *anum, int64_t *who,
			   struct uc_err *err)
{
	int rc;

	*who = 0;
	if (!p->zip_child_q) {
		rc = store_prepare(p->st,
				   "SELECT coalesce((SELECT pr.person_id FROM person_record pr"
				   " WHERE pr.src_tbl = 'orr_placement' AND pr.src_rid = ?1),"
				   " (SELECT min(p.id) FROM person p WHERE p.a_number = ?2),"
				   " -1 - ?2)",
				   &p->zip_child_q, err);
		if (rc)
			return rc;
	}
	store_bind_int(p->zip_child_q, 1, rid);
	if (anum)
		store_bind_text(p->zip_child_q, 2, anum, -1);
	else
		store_bind_null(p->zip_child_q, 2);
	rc = store_step(p->zip_child_q, err);
	if (rc == STORE_ROW && !store_col_is_null(p->zip_child_q, 0))
		*who = store_col_int(p->zip_child_q, 0);
	store_reset(p->zip_child_q);
	return rc < 0 ? -rc : UC_OK;
}

/* One version of a placement, as count_address() reads it. */
struct zip_row {
	int64_t rid;
	int match;     /* at the address counted */
	char anum[32]; /* "" when none */
};

static int zip_row_newest(const void *a, const void *b)
{
	int64_t x = ((const struct zip_row *)a)->rid, y = ((const struct zip_row *)b)->rid;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Of one source key's versions, the newest that has an A-number or a
 * person counts its child if it is at the address. */
static int count_group(struct proj *p, struct zip_row *g, int n, struct imap *seen, int32_t *out,
		       struct uc_err *err)
{
	int any = 0;

	for (int i = 0; i < n; i++)
		any |= g[i].match;
	if (!any)
		return UC_OK; /* no version at the address: nothing to look up */
	qsort(g, (size_t)n, sizeof(*g), zip_row_newest);
	for (int i = 0; i < n; i++) {
		int64_t who = 0;
		int rc;

		if (g[i].anum[0] && !g[i].match)
			return UC_OK; /* the newest version is elsewhere */
		rc = placement_child(p, g[i].rid, g[i].anum[0] ? g[i].anum : NULL, &who, err);
		if (rc)
			return rc;
		if (!who)
			continue; /* neither A-number nor person: an older version */
		if (g[i].match && !imap_get(seen, who)) {
			imap_put(seen, who, 1);
			(*out)++;
		}
		return UC_OK;
	}
	return UC_OK;
}

/* Distinct children whose current placement (per source key, the newest
 * version with an A-number or a person) in zip is at the address hashed
 * as key. The address of each placement is hashed from the covering index
 * orr_placement_zip_skey, and only placements that count look up their
 * child (person_record, a random B-tree descent each): at 2M children,
 * joining it for every placement of the ZIP code cost 14 ms per re-triage.
 * At most ZIP_GROUP_MAX versions of one source key are weighed (the
 * newest ones). */
#define ZIP_GROUP_MAX 32
static int count_address(struct proj *p, uint64_t key, const char *zip, int32_t *out,
			 struct uc_err *err)
{
	struct zip_row g[ZIP_GROUP_MAX];
	struct imap seen;
	char prev[256];
	int n = 0, rc, rc2 = UC_OK;

	*out = 0;
	if (!p->zip_q) {
		rc = store_prepare(p->st,
				   "SELECT t.skey, t.rid, t.street, t.unit, t.a_number "
				   "FROM orr_placement t WHERE t.zip = ?1 ORDER BY t.skey",
				   &p->zip_q, err);
		if (rc)
			return rc;
	}
	imap_init(&seen, 16);
	store_bind_text(p->zip_q, 1, zip, -1);
	prev[0] = '\0';
	for (;;) {
		const char *sk = NULL, *an;
		int row = (rc = store_step(p->zip_q, err)) == STORE_ROW;
		struct zip_row *z;

		if (row)
			sk = store_col_text(p->zip_q, 0);
		if (n && (!row || strcmp(sk ? sk : "", prev) != 0)) {
			rc2 = count_group(p, g, n, &seen, out, err);
			n = 0;
			if (rc2)
				break;
		}
		if (!row)
			break;
		snprintf(prev, sizeof(prev), "%s", sk ? sk : "");
		if (n == ZIP_GROUP_MAX) { /* keep the newest */
			qsort(g, (size_t)n, sizeof(*g), zip_row_newest);
			if (store_col_int(p->zip_q, 1) < g[n - 1].rid)
				continue;
			n--;
		}
		z = &g[n++];
		z->rid = store_col_int(p->zip_q, 1);
		z->match =
		    (addr_key(store_col_text(p->zip_q, 2), store_col_text(p->zip_q, 3), zip) ^
		     0x5a5a5a5a5a5a5a5aULL) == key;
		an = store_col_text(p->zip_q, 4);
		snprintf(z->anum, sizeof(z->anum), "%s", an ? an : "");
	}
	store_reset(p->zip_q);
	imap_free(&seen);
	if (rc2)
		return rc2;
	return rc < 0 ? -rc : UC_OK;
}

int proj_one(struct proj *p, int64_t person_id, const char *a_number, int32_t today,
	     struct proj_case *out, struct uc_err *err)
{
	struct fold fo;
	struct buf sql;
	struct acc one;
	int64_t idns[64];
	int nidn = 0;
	int rc = UC_OK;
	int64_t anum = a_number && *a_number ? anum_value(a_number) : -1;
	int linked = 1;

	memset(&fo, 0, sizeof(fo));
	fo.today = today;
	fo.single = 1;
	fo.accs = &one;
	fo.n = 1;
	acc_init(&one, person_id > 0 ? person_id : -(anum + 1), person_id > 0 ? -1 : anum);
	buf_init(&sql, 4096);
	if (person_id <= 0 && anum < 0) {
		rc = uc_error(err, UC_EINPUT, "a case needs a person id or an A-number");
		goto out;
	}
	if (person_id <= 0) {
		/* before linkage, skip probing person_record for every row */
		if (!p->any_link) {
			rc = store_prepare(p->st, "SELECT EXISTS(SELECT 1 FROM person_record)",
					   &p->any_link, err);
			if (rc)
				goto out;
		}
		rc = store_step(p->any_link, err);
		linked = rc == STORE_ROW && store_col_int(p->any_link, 0);
		store_reset(p->any_link);
		if (rc < 0) {
			rc = -rc;
			goto out;
		}
		rc = UC_OK;
	}
	if (person_id > 0) {
		/* unlinked records with the person's A-number belong to it too */
		if (!p->person_anum) {
			rc = store_prepare(p->st,
					   "SELECT p.a_number FROM person p WHERE p.id = ?1 AND "
					   "p.id = (SELECT min(p2.id) FROM person p2 "
					   "WHERE p2.a_number = p.a_number)",
					   &p->person_anum, err);
			if (rc)
				goto out;
		}
		anum = -1;
		store_bind_int(p->person_anum, 1, person_id);
		rc = store_step(p->person_anum, err);
		if (rc == STORE_ROW)
			anum = anum_value(store_col_text(p->person_anum, 0));
		store_reset(p->person_anum);
		if (rc < 0) {
			rc = -rc;
			goto out;
		}
		rc = UC_OK;
	}
	for (int i = 0; i < NTABLES; i++) {
		const struct table *t = &tables[i];
		struct store_stmt **slot;

		if (t->kind == 2) {
			slot = &p->by_idn[i];
			if (!*slot) {
				table_sql(&sql, t, 3, 1);
				rc = store_prepare(p->st, sql.ptr, slot, err);
				if (rc)
					goto out;
			}
			for (int k = 0; k < nidn; k++) {
				store_bind_int(*slot, 1, idns[k]);
				rc = run_rows(&fo, t, *slot, err);
				store_reset(*slot);
				if (rc)
					goto out;
			}
			continue;
		}
		/* pass 0: linked records (person); pass 1: unlinked records with
		 * the A-number */
		for (int pass = person_id > 0 ? 0 : 1; pass < 2; pass++) {
			if (pass == 1 && anum < 0)
				break;
			int mode = pass == 0 ? 1 : linked ? 2 : 4;

			slot = mode == 1   ? &p->by_person[i]
			       : mode == 2 ? &p->by_anum[i]
					   : &p->by_anum_nl[i];
			if (!*slot) {
				table_sql(&sql, t, mode, 1);
				rc = store_prepare(p->st, sql.ptr, slot, err);
				if (rc)
					goto out;
			}
			if (pass == 0) {
				store_bind_int(*slot, 1, person_id);
			} else {
				char d[10];

				anum_format(anum, d);
				store_bind_text(*slot, 1, d, 9);
			}
			if (strcmp(t->name, "eoir_case") == 0) {
				/* collect IDNCASEs for the EOIR child tables */
				while ((rc = store_step(*slot, err)) == STORE_ROW) {
					one.nrec++;
					t->fold(&fo, &one, *slot);
					if (nidn < 64)
						idns[nidn++] = store_col_int(*slot, 2);
				}
				rc = rc < 0 ? -rc : UC_OK;
			} else {
				rc = run_rows(&fo, t, *slot, err);
			}
			store_reset(*slot);
			if (rc)
				goto out;
		}
	}
	if (one.sponsor && fo.sponsor[0])
		rc = count_sponsor(p, &one, fo.sponsor, &one.sponsor_n, err);
	if (!rc && one.raddr && fo.zip[0])
		rc = count_address(p, one.raddr, fo.zip, &one.raddr_n, err);
	if (rc)
		goto out;
	finalise(&fo, &one, out);
out:
	buf_release(&sql);
	return rc;
}

int proj_watermark(struct store *st, char *out, size_t n, struct uc_err *err)
{
	static const char *const q[] = {
	    "SELECT coalesce(max(rid), 0) FROM cbp_encounter",
	    "SELECT coalesce(max(rid), 0) FROM orr_placement",
	    "SELECT coalesce(max(rid), 0) FROM orr_contact",
	    "SELECT coalesce(max(rid), 0) FROM ice_nta",
	    "SELECT coalesce(max(rid), 0) FROM ice_removal",
	    "SELECT coalesce(max(rid), 0) FROM indicator",
	    "SELECT coalesce(max(rid), 0) FROM field_event",
	    "SELECT coalesce(max(rid), 0) FROM eoir_case",
	    "SELECT coalesce(max(rid), 0) FROM eoir_proceeding",
	    "SELECT coalesce(max(rid), 0) FROM eoir_hearing",
	    "SELECT coalesce(max(id), 0) FROM address",
	    "SELECT coalesce(max(id), 0) FROM claim",
	    "SELECT coalesce(max(id), 0) FROM representation",
	    "SELECT coalesce(max(rowid), 0) FROM person_record",
	    "SELECT count(*) FROM person_record",
	    "SELECT coalesce(max(id), 0) FROM person",
	};

	return store_fingerprint(st, q, sizeof(q) / sizeof(q[0]), out, n, err);
}
