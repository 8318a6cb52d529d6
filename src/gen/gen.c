/*
 * gen.c - calibrated synthetic feeds with ground truth (see gen.h and
 * docs/generator.md).
 *
 * Each child is generated from its own PRNG stream (seeded from the run's
 * seed and the child's index), so a child's story does not depend on the
 * others; global sequence numbers (IDNCASE, event ids, ...) are handed out
 * in child order. Rows are formatted by hand into one buffer per file and
 * written in large blocks.
 */
#include "gen/gen.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/progress.h"
#include "gen/gen_names.h"

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64 for seeding, xoshiro256** for streams.            */

struct rng {
	uint64_t s[4]; /* xoshiro256** state, never all zero */
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1). */
static inline double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1p-53;
}

static inline int rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

/* Uniform in [lo, hi]; lo <= hi. */
static inline int32_t rng_range(struct rng *r, int32_t lo, int32_t hi)
{
	return lo + (int32_t)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* Index drawn with the given (non-negative) weights. */
static int rng_weighted(struct rng *r, const double *w, int n)
{
	double tot = 0, x;

	for (int i = 0; i < n; i++)
		tot += w[i];
	x = rng_unit(r) * tot;
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

static const char *pool_pick(struct rng *r, const struct gen_pool *p)
{
	return p->v[rng_below(r, (uint32_t)p->n)];
}

/* Like pool_pick(), from the first `share` of the pool (at least 2). */
static const char *pool_pick_share(struct rng *r, const struct gen_pool *p, double share)
{
	size_t n = (size_t)((double)p->n * share + 0.5);

	if (n < 2)
		n = p->n < 2 ? p->n : 2;
	if (n > p->n)
		n = p->n;
	return p->v[rng_below(r, (uint32_t)n)];
}

/* ------------------------------------------------------------------ */
/* Calibration tables (../shared/data/calibration.md).                */

#define NFY 6 /* FY2019..FY2024 */

static const double fy_releases[NFY] = {72837, 16837, 107646, 127447, 113495, 99381};
static const int fy_avg_care_days[NFY] = {61, 69, 33, 29, 27, 30};
static const double fy_male[NFY] = {0.66, 0.68, 0.66, 0.64, 0.61, 0.61};
/* Age bands at referral: 0-12, 13-14, 15-16, 17. */
static const double fy_age[NFY][4] = {
    {16, 12, 37, 35}, {16, 12, 37, 35}, {16, 13, 39, 33},
    {15, 13, 36, 36}, {19, 12, 34, 35}, {24, 12, 31, 33},
};
/* Country shares HN, GT, SV, MX, other. */
static const double fy_country[NFY][5] = {
    {30, 45, 18, 2, 5}, {25, 48, 14, 6, 8}, {32, 47, 13, 1, 7},
    {29, 47, 13, 3, 8}, {28, 42, 9, 8, 13}, {20, 32, 8, 20, 19},
};
/* Sponsor categories 1, 2A, 2B, 3 among releases. */
static const double fy_cat[NFY][4] = {
    {44, 16.5, 30.5, 9}, {39, 16, 30, 16},    {43, 16.5, 30.5, 10},
    {44, 16.5, 30.5, 9}, {44, 16.5, 30.5, 9}, {44, 16.5, 30.5, 9},
};

enum country {
	C_HN,
	C_GT,
	C_SV,
	C_MX,
	C_EC,
	C_NI,
	C_CO,
	C_VE,
	C_HT,
	C_PE,
	C_BR,
	C_IN,
	C_CN,
	C_RO,
	C_SN,
	C_GN,
	C_NCOUNTRY
};

struct country_info {
	const char *iso; /* ISO 3166-1 alpha-2 */
	const char *nat; /* EOIR tblLookupAlienNat code */
	double other_w;	 /* weight within "other countries" */
};

static const struct country_info countries[C_NCOUNTRY] = {
    [C_HN] = {"HN", "HO", 0},  [C_GT] = {"GT", "GT", 0},  [C_SV] = {"SV", "ES", 0},
    [C_MX] = {"MX", "MX", 0},  [C_EC] = {"EC", "EC", 26}, [C_NI] = {"NI", "NU", 10},
    [C_CO] = {"CO", "CO", 11}, [C_VE] = {"VE", "VE", 9},  [C_HT] = {"HT", "HA", 18},
    [C_PE] = {"PE", "PE", 6},  [C_BR] = {"BR", "BR", 5},  [C_IN] = {"IN", "IN", 5},
    [C_CN] = {"CN", "CH", 3},  [C_RO] = {"RO", "RO", 3},  [C_SN] = {"SN", "SG", 2},
    [C_GN] = {"GN", "GV", 2},
};

enum lang {
	L_SPA,
	L_HAT,
	L_KEK,
	L_MAM,
	L_FRA,
	L_QUC,
	L_KNJ,
	L_IXL,
	L_QUE,
	L_POR,
	L_PAN,
	L_HIN,
	L_GUJ,
	L_CMN,
	L_RON,
	L_ENG,
	L_NLANG
};

/* ISO 639-3 code and EOIR tblLanguage code of each language. */
static const char *const lang_iso[L_NLANG] = {
    "spa", "hat", "kek", "mam", "fra", "quc", "knj", "ixl",
    "que", "por", "pan", "hin", "guj", "cmn", "ron", "eng",
};
static const char *const lang_eoir[L_NLANG] = {
    "SP",  "CRE", "KEK", "MAM", "FR",  "QUI", "KNJ", "IXL",
    "QCH", "POR", "PUN", "HIN", "GUJ", "MAN", "ROM", "ENG",
};

/* Sponsor categories. */
enum cat { CAT_1, CAT_2A, CAT_2B, CAT_3, CAT_4 };
static const char *const cat_name[] = {"1", "2A", "2B", "3", "4"};

enum addr_problem { AP_NONE, AP_BLANK, AP_UNDELIVERABLE, AP_MISSING_UNIT };
static const char *const ap_name[] = {"none", "blank", "undeliverable", "missing_unit"};

enum tvpra { TV_NONE, TV_PENDING, TV_MAY_RETURN, TV_REFERRED };
static const char *const tvpra_name[] = {"", "pending", "may_return", "referred_orr"};

enum claim { CL_NONE = -1, CL_ASYLUM, CL_SIJS, CL_T, CL_U };
static const char *const claim_name[] = {"asylum", "sijs", "t_visa", "u_visa"};

/* ------------------------------------------------------------------ */
/* Output files.                                                      */

enum file_id {
	F_ACASE,
	F_BPROC,
	F_SCHED,
	F_JUV,
	F_COUNT_TXT,
	F_CBP,
	F_PLACE,
	F_POST,
	F_NTA,
	F_REM,
	F_IND,
	F_EVENTS,
	F_TRUTH_REC,
	F_TRUTH_CHILD,
	F_NFILES
};

struct file_info {
	const char *dir;   /* subdirectory of the output directory */
	const char *name;  /* file name */
	const char *feed;  /* truth/records.csv feed column */
	const char *table; /* truth/records.csv table column */
};

static const struct file_info file_info[F_NFILES] = {
    [F_ACASE] = {"eoir", "A_TblCase.csv", "eoir", "A_TblCase"},
    [F_BPROC] = {"eoir", "B_TblProceeding.csv", "eoir", "B_TblProceeding"},
    [F_SCHED] = {"eoir", "tbl_schedule.csv", "eoir", "tbl_schedule"},
    [F_JUV] = {"eoir", "tbl_JuvenileHistory.csv", "eoir", "tbl_JuvenileHistory"},
    [F_COUNT_TXT] = {"eoir", "Count.txt", NULL, NULL},
    [F_CBP] = {"cbp", "encounters.csv", "cbp", "encounters"},
    [F_PLACE] = {"orr", "placements.csv", "orr", "placements"},
    [F_POST] = {"orr", "post_release.csv", "orr", "post_release"},
    [F_NTA] = {"ice", "nta.csv", "ice", "nta"},
    [F_REM] = {"ice", "removals.csv", "ice", "removals"},
    [F_IND] = {"ice", "indicators.csv", "ice", "indicators"},
    [F_EVENTS] = {"events", "events.jsonl", "events", "events"},
    [F_TRUTH_REC] = {"truth", "records.csv", NULL, NULL},
    [F_TRUTH_CHILD] = {"truth", "children.csv", NULL, NULL},
};

#define OUT_FLUSH_AT (256u << 10)
#define OUT_CAP (4u << 20)

struct out {
	FILE *f;       /* the temporary file, owned */
	char *tmp;     /* temporary path, owned */
	char *path;    /* final path, owned */
	struct buf b;  /* pending bytes */
	uint64_t rows; /* data rows written (header excluded) */
};

struct gen {
	const struct gen_opts *o;     /* borrowed */
	int32_t as_of;		      /* nothing happens after this date */
	struct out out[F_NFILES];     /* every output file */
	int io_errno;		      /* sticky: first write error's errno */
	int io_file;		      /* file of that error */
	uint64_t anum_off;	      /* A-number permutation offset */
	const struct gen_rates *hard; /* profile hard's rates, NULL default */
	uint32_t nhub_sponsor;	      /* sponsors receiving several children */
	uint32_t nhub_addr;	      /* addresses receiving many children */
	/* sequence numbers, handed out in child order */
	uint64_t seq_case, seq_proc, seq_sched, seq_juv, seq_cbp, seq_place, seq_post, seq_nta,
	    seq_rem, seq_ind, seq_ev;
};

static void out_flush(struct gen *g, struct out *o)
{
	if (o->b.len && !g->io_errno) {
		if (fwrite(o->b.ptr, 1, o->b.len, o->f) != o->b.len) {
			g->io_errno = errno ? errno : EIO;
			g->io_file = (int)(o - g->out);
		}
	}
	buf_reset(&o->b);
}

static inline void o_mem(struct out *o, const char *s, size_t n)
{
	buf_add(&o->b, s, n);
}

static inline void o_str(struct out *o, const char *s)
{
	if (s)
		buf_add(&o->b, s, strlen(s));
}

static inline void o_c(struct out *o, char c)
{
	buf_addc(&o->b, c);
}

static size_t fmt_u64(char *dst, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	dst[n] = '\0';
	return n;
}

static inline void o_u64(struct out *o, uint64_t v)
{
	char tmp[24];

	o_mem(o, tmp, fmt_u64(tmp, v));
}

/* A date, or nothing when UC_DATE_NONE. */
static inline void o_date(struct out *o, int32_t d)
{
	char s[11];

	if (d == UC_DATE_NONE)
		return;
	date_format(d, s);
	o_mem(o, s, 10);
}

/* A CSV field, quoted when it holds a comma, quote or line break. */
static void o_csv(struct out *o, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		o_str(o, s);
		return;
	}
	o_c(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			o_c(o, '"');
		o_c(o, *s);
	}
	o_c(o, '"');
}

/* A JSON string value (our strings are UTF-8 without control bytes). */
static void o_json(struct out *o, const char *s)
{
	o_c(o, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			o_c(o, '\\');
			o_c(o, (char)c);
		} else if (c < 0x20) {
			o_c(o, ' ');
		} else {
			o_c(o, (char)c);
		}
	}
	o_c(o, '"');
}

/* End a data row. */
static inline void o_row(struct gen *g, struct out *o)
{
	o_c(o, '\n');
	o->rows++;
	if (o->b.len >= OUT_FLUSH_AT)
		out_flush(g, o);
}

/* "PREFIX" followed by n zero-padded to width digits. */
static void fmt_key(char *dst, size_t cap, const char *prefix, uint64_t n, int width)
{
	char num[24];
	size_t pl = strlen(prefix), nl = fmt_u64(num, n), i = 0;

	if (pl + ((size_t)width > nl ? (size_t)width : nl) + 1 > cap)
		BUG("key buffer too small");
	memcpy(dst, prefix, pl);
	i = pl;
	for (int k = (int)nl; k < width; k++)
		dst[i++] = '0';
	memcpy(dst + i, num, nl);
	dst[i + nl] = '\0';
}

static void truth_rec(struct gen *g, enum file_id f, const char *key, const char *child_id,
		      const char *sponsor_id)
{
	struct out *o = &g->out[F_TRUTH_REC];

	o_str(o, file_info[f].feed);
	o_c(o, ',');
	o_str(o, file_info[f].table);
	o_c(o, ',');
	o_str(o, key);
	o_c(o, ',');
	o_str(o, child_id);
	o_c(o, ',');
	o_str(o, sponsor_id);
	o_row(g, o);
}

/* ------------------------------------------------------------------ */
/* EOIR table layouts: the columns of variable_types.csv, in order.   */

/* Kept as written: one line per group of columns, as in variable_types.csv. */
/* clang-format off */
#define A_COLS(X)                                                              \
	X(IDNCASE)                                                             \
	X(ALIEN_CITY) X(ALIEN_STATE) X(ALIEN_ZIPCODE) X(UPDATED_ZIPCODE) X(    \
	    UPDATED_CITY) X(NAT) X(LANG) X(CUSTODY) X(SITE_TYPE) X(E_28_DATE)  \
	    X(ATTY_NBR) X(CASE_TYPE) X(UPDATE_SITE) X(LATEST_HEARING) X(       \
		LATEST_TIME) X(LATEST_CAL_TYPE) X(UP_BOND_DATE) X(UP_BOND_RSN) \
		X(CORRECTIONAL_FAC) X(RELEASE_MONTH) X(RELEASE_YEAR)           \
		    X(INMATE_HOUSING) X(DATE_OF_ENTRY) X(C_ASY_TYPE)           \
			X(C_BIRTHDATE) X(C_RELEASE_DATE) X(UPDATED_STATE)      \
			    X(ADDRESS_CHANGEDON) X(ZBOND_MRG_FLAG) X(Sex)      \
				X(DATE_DETAINED) X(DATE_RELEASED) X(LPR)       \
				    X(DETENTION_DATE) X(DETENTION_LOCATION)    \
					X(DCO_LOCATION)                        \
					    X(DETENTION_FACILITY_TYPE)         \
						X(CASEPRIORITY_CODE)           \
						    X(ALIEN_NBR) X(LAST_NAME)  \
							X(FIRST_NAME)

#define B_COLS(X)                                                              \
	X(IDNPROCEEDING)                                                       \
	X(IDNCASE) X(OSC_DATE) X(INPUT_DATE) X(BASE_CITY_CODE) X(              \
	    HEARING_LOC_CODE) X(IJ_CODE) X(TRANS_IN_DATE) X(PREV_HEARING_LOC)  \
	    X(PREV_HEARING_BASE) X(PREV_IJ_CODE) X(TRANS_NBR) X(HEARING_DATE)  \
		X(HEARING_TIME) X(DEC_TYPE) X(DEC_CODE) X(DEPORTED_1)          \
		    X(DEPORTED_2) X(OTHER_COMP) X(APPEAL_RSVD)                 \
			X(APPEAL_NOT_FILED) X(COMP_DATE) X(ABSENTIA)           \
			    X(VENUE_CHG_GRANTED) X(TRANSFER_TO)                \
				X(DATE_APPEAL_DUE_STATUS) X(TRANSFER_STATUS)   \
				    X(CUSTODY) X(CASE_TYPE) X(NAT) X(LANG)     \
					X(SCHEDULED_HEAR_LOC)                  \
					    X(CORRECTIONAL_FAC) X(CRIM_IND)    \
						X(IHP) X(AGGRAVATE_FELON)      \
						    X(DATE_DETAINED)           \
							X(DATE_RELEASED)

#define S_COLS(X)                                                              \
	X(IDNSCHEDULE)                                                         \
	X(IDNPROCEEDING) X(IDNCASE) X(OSC_DATE) X(GENERATION)                  \
	    X(SUB_GENERATION) X(REC_TYPE) X(LANG) X(HEARING_LOC_CODE)          \
		X(BASE_CITY_CODE) X(IJ_CODE) X(INTERPRETER_CODE) X(INPUT_DATE) \
		    X(INPUT_TIME) X(UPDATE_DATE) X(UPDATE_TIME)                \
			X(ASSIGNMENT_PATH) X(CAL_TYPE) X(ADJ_DATE)             \
			    X(ADJ_TIME_START) X(ADJ_TIME_STOP) X(ADJ_RSN)      \
				X(ADJ_MEDIUM) X(ADJ_MSG) X(ADJ_ELAP_DAYS)      \
				    X(LNGSESSNID) X(SCHEDULE_TYPE)             \
					X(NOTICE_CODE) X(BLNCLOCKOVERRIDE)     \
					    X(EOIRAttorneyID)

#define J_COLS(X)                                                              \
	X(idnJuvenileHistory)                                                  \
	X(idnCase) X(idnProceeding) X(idnJuvenile) X(DATCREATEDON)             \
	    X(DATMODIFIEDON)
/* clang-format on */

#define X_ENUM_A(n) A_##n,
#define X_ENUM_B(n) B_##n,
#define X_ENUM_S(n) S_##n,
#define X_ENUM_J(n) J_##n,
#define X_NAME(n) #n,
enum { A_COLS(X_ENUM_A) A_NCOL };
enum { B_COLS(X_ENUM_B) B_NCOL };
enum { S_COLS(X_ENUM_S) S_NCOL };
enum { J_COLS(X_ENUM_J) J_NCOL };
static const char *const a_cols[] = {A_COLS(X_NAME)};
static const char *const b_cols[] = {B_COLS(X_NAME)};
static const char *const s_cols[] = {S_COLS(X_NAME)};
static const char *const j_cols[] = {J_COLS(X_NAME)};

#define ROW_MAXCOL 48
#define ROW_STORE 2048

/* One EOIR row being assembled: column values point into store. */
struct trow {
	const char *v[ROW_MAXCOL]; /* values, NULL = blank */
	char store[ROW_STORE];	   /* backing bytes for formatted values */
	size_t used;		   /* bytes of store used */
};

static void trow_clear(struct trow *r, int ncol)
{
	memset(r->v, 0, sizeof(r->v[0]) * (size_t)ncol);
	r->used = 0;
}

static char *trow_room(struct trow *r, size_t n)
{
	char *p;

	if (r->used + n > ROW_STORE)
		BUG("EOIR row store too small");
	p = r->store + r->used;
	r->used += n;
	return p;
}

static void trow_set(struct trow *r, int col, const char *s)
{
	r->v[col] = s;
}

static void trow_copy(struct trow *r, int col, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = trow_room(r, n);

	memcpy(p, s, n);
	r->v[col] = p;
}

static void trow_u64(struct trow *r, int col, uint64_t v)
{
	char *p = trow_room(r, 24);

	fmt_u64(p, v);
	r->v[col] = p;
}

static void trow_date(struct trow *r, int col, int32_t d)
{
	char *p;

	if (d == UC_DATE_NONE)
		return;
	p = trow_room(r, 11);
	date_format(d, p);
	r->v[col] = p;
}

/* Write a tab-separated row; null_blank writes NULL for blank values. */
static void trow_emit(struct gen *g, struct out *o, const struct trow *r, int ncol, int null_blank)
{
	for (int i = 0; i < ncol; i++) {
		if (i)
			o_c(o, '\t');
		if (r->v[i])
			o_str(o, r->v[i]);
		else if (null_blank)
			o_mem(o, "NULL", 4);
	}
	o_row(g, o);
}

static void header_tsv(struct out *o, const char *const *cols, int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			o_c(o, '\t');
		o_str(o, cols[i]);
	}
	o_c(o, '\n');
}

/* ------------------------------------------------------------------ */
/* Text: case, accents, typos.                                        */

/* ASCII letter for a two-byte UTF-8 Latin letter, or 0. */
static char fold2(unsigned char a, unsigned char b)
{
	static const char c3[65] = "AAAAAAACEEEEIIII"
				   "DNOOOOO*OUUUUYTs"
				   "aaaaaaaceeeeiiii"
				   "dnooooo/ouuuuyty";

	if (a == 0xC3 && b >= 0x80 && b <= 0xBF)
		return c3[b - 0x80];
	if (a == 0xC4 && (b == 0x82 || b == 0x83))
		return b == 0x82 ? 'A' : 'a';
	if (a == 0xC8 && b >= 0x98 && b <= 0x9B)
		return "SsTt"[b - 0x98];
	return 0;
}

enum tcase { TC_ASIS, TC_UPPER };

/*
 * Copy src into dst (cap bytes, NUL-terminated) in the given case,
 * dropping accents when strip is set. Returns the length.
 */
static size_t text_render(char *dst, size_t cap, const char *src, int tcase, int strip)
{
	size_t n = 0;
	const unsigned char *s = (const unsigned char *)src;

	while (*s && n + 3 < cap) {
		unsigned char c = *s;

		if (c < 0x80) {
			if (tcase == TC_UPPER && c >= 'a' && c <= 'z')
				c = (unsigned char)(c - 32);
			dst[n++] = (char)c;
			s++;
			continue;
		}
		if ((c & 0xE0) == 0xC0 && s[1]) {
			unsigned char b = s[1];
			char f = fold2(c, b);

			if (strip && f) {
				if (tcase == TC_UPPER && f >= 'a' && f <= 'z')
					f = (char)(f - 32);
				dst[n++] = f;
			} else {
				if (tcase == TC_UPPER) {
					if (c == 0xC3 && b >= 0xA0 && b <= 0xBE && b != 0xB7)
						b = (unsigned char)(b - 0x20);
					else if ((c == 0xC4 || c == 0xC5 || c == 0xC8) && (b & 1))
						b = (unsigned char)(b - 1);
				}
				dst[n++] = (char)c;
				dst[n++] = (char)b;
			}
			s += 2;
			continue;
		}
		dst[n++] = (char)c; /* other bytes copied as they are */
		s++;
	}
	dst[n] = '\0';
	return n;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One keying error: substitution, deletion, transposition or doubling,
 * on ASCII letters only (so UTF-8 stays valid). */
static void typo(struct rng *r, char *s)
{
	size_t n = strlen(s), i;
	int kind = (int)rng_below(r, 4);
	char c;

	if (n < 3)
		return;
	i = 1 + rng_below(r, (uint32_t)(n - 1));
	if (!is_alpha(s[i]))
		return;
	switch (kind) {
	case 0:
		c = (char)('a' + rng_below(r, 26));
		if (s[i] >= 'A' && s[i] <= 'Z')
			c = (char)(c - 32);
		s[i] = c;
		break;
	case 1:
		memmove(s + i, s + i + 1, n - i);
		break;
	case 2:
		if (i + 1 < n && is_alpha(s[i + 1])) {
			c = s[i];
			s[i] = s[i + 1];
			s[i + 1] = c;
		}
		break;
	default:
		/* doubling needs one more byte; names are far below the cap */
		memmove(s + i + 1, s + i, n - i + 1);
		break;
	}
}

/* Copy the k-th '|'-separated variant of entry into dst. */
static void variant(char *dst, size_t cap, const char *entry, int k)
{
	const char *p = entry, *e;
	size_t n;

	while (k > 0) {
		const char *bar = strchr(p, '|');

		if (!bar)
			break;
		p = bar + 1;
		k--;
	}
	e = strchr(p, '|');
	n = e ? (size_t)(e - p) : strlen(p);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static int nvariants(const char *entry)
{
	int n = 1;

	for (; *entry; entry++)
		n += *entry == '|';
	return n;
}

/* ------------------------------------------------------------------ */
/* A child's true story.                                              */

struct addr {
	int state;	    /* index into gen_states */
	int city;	    /* index into the state's cities */
	int num;	    /* house number */
	const char *street; /* street name, static */
	const char *suffix; /* street suffix, static */
	char unit[8];	    /* unit ("4B"), empty when none */
	int zip2;	    /* last two ZIP digits */
	int problem;	    /* enum addr_problem */
	int apt_in_street;  /* missing unit shown as a trailing "APT" */
	int unit_style;	    /* 0 "Apt 4B", 1 "#4B", 2 "4B" */
};

#define MAX_HEAR 12
#define MAX_EV 40

/* One scheduled hearing. */
struct hearing {
	int32_t date;	    /* ADJ_DATE */
	char cal;	    /* 'M' master, 'I' individual */
	int proc;	    /* 0 first proceeding, 1 reopened one */
	const char *notice; /* NOTICE_CODE */
	int missed;	    /* child failed to appear */
};

enum ev_type {
	EV_CONTACT,
	EV_WELFARE,
	EV_TRAFFICKING,
	EV_REFERRAL,
	EV_ADDRESS,
	EV_REPRESENTATION,
	EV_ORIENTATION,
	EV_CLAIM,
	EV_MTR
};

/* One field event, formatted when written. */
struct ev {
	int32_t date;	/* occurred_at */
	int type;	/* enum ev_type */
	const char *a;	/* first type-specific value (method, outcome, ...) */
	const char *b;	/* second value */
	const char *by; /* recorded_by */
	int addr;	/* EV_ADDRESS: 0 release address, 1 new address */
};

/* One indicator. */
struct ind {
	const char *category, *code, *source, *note; /* static strings */
	int authorised;				     /* source authorised */
	int32_t date;				     /* observed_date */
};

struct child {
	uint32_t idx;  /* 0-based index */
	char id[12];   /* C0000001 */
	uint32_t anum; /* true A-number, 9 digits */
	int fyi;       /* fiscal year - 2019 */
	int country, lang, origin;
	char sex;		     /* 'M' or 'F' */
	int age;		     /* age at referral */
	const char *given1, *given2; /* given names; given2 may be NULL */
	const char *sur1, *sur2;     /* surnames (Mayan: variant lists); sur2 may be NULL */
	int32_t birth;
	uint32_t family; /* profile hard: index of the family's first child */
	int twin;	 /* profile hard: born the same day as a sibling */

	int repeat;		    /* encountered twice */
	int32_t enc0, enc;	    /* first encounter (repeat only), main encounter */
	int sector0, sector;	    /* gen_sectors index of each encounter */
	int tvpra, tvpra0;	    /* enum tvpra at main / first encounter */
	int first_placed;	    /* repeat child placed in ORR the first time */
	int32_t adm0, rel0;	    /* first placement admitted / repatriated */
	int32_t admitted, released; /* main placement; released NONE = in care */
	const char *discharge;	    /* placements.csv discharge */
	const char *facility, *facility0;

	int cat;			  /* enum cat */
	uint32_t sponsor;		  /* sponsor number (S%07d), 0 = none */
	int sponsor_hub;		  /* sponsor receives several children */
	int address_hub;		  /* address receives many children */
	const char *rel;		  /* sponsor_relationship */
	char sp_family[96], sp_given[64]; /* sponsor names, canonical */
	char sp_phone[16];
	struct addr addr;  /* release address */
	int moved;	   /* a later verified address */
	struct addr addr2; /* the new address */
	int32_t moved_on;

	int nta; /* 0 none, 1 issued not served, 2 served */
	int32_t nta_issued, nta_served, nta_filed;
	const char *nta_method;
	int court_state, court_city; /* where the court is (release address) */

	int has_case; /* EOIR case exists (NTA filed by as-of) */
	int represented;
	int32_t e28; /* representation start */
	const char *provider;
	int nhear;
	struct hearing hear[MAX_HEAR];
	int has_hearing, fta, absentia, rescinded, mtr_denied;
	int32_t order_date, mtr_filed, mtr_decided;
	char dec_code; /* 0 pending, else DEC_CODE of proceeding 1 */
	int32_t dec_date;
	int reopened; /* second proceeding exists */
	int32_t reopen_input;
	int removed; /* removal executed */
	int32_t removed_on;
	int claim;	  /* enum claim, CL_NONE */
	int claim_status; /* 0 pending, 1 granted, 2 denied */
	int32_t claim_filed;

	int public_safety, border_security, trafficking; /* authorised indicator */
	int nind;
	struct ind ind[6];
	int nev;
	struct ev ev[MAX_EV];
};

static const char *const fta_notice = "7C";		      /* FAILURE TO APPEAR- REMOVAL */
static const char *const fta_notice2 = "7T";		      /* FAILURE TO APPEAR ORDER */
static const char *const notice_first[] = {"U3", "NH", "V3"}; /* hearing notices */
static const char *const notice_adj = "V6";		      /* adjourned hearing notice */

static int32_t clampd(int32_t d, int32_t hi)
{
	return d > hi ? hi : d;
}

static int origin_for(struct rng *r, int country, int lang)
{
	switch (country) {
	case C_GT:
		if (lang != L_SPA || rng_chance(r, 0.2))
			return GEN_OR_MAYA;
		return GEN_OR_ES;
	case C_HT:
		return GEN_OR_HT;
	case C_BR:
		return GEN_OR_PT;
	case C_IN:
		return GEN_OR_IN;
	case C_CN:
		return GEN_OR_CN;
	case C_RO:
		return GEN_OR_RO;
	case C_SN:
	case C_GN:
		return GEN_OR_WA;
	default:
		return GEN_OR_ES;
	}
}

static int lang_for(struct rng *r, int country)
{
	static const double gt[] = {86.2, 4.7, 3.1, 3.0, 2.0, 1.0};
	static const int gt_lang[] = {L_SPA, L_KEK, L_MAM, L_QUC, L_KNJ, L_IXL};
	double u = rng_unit(r);

	switch (country) {
	case C_GT:
		return gt_lang[rng_weighted(r, gt, 6)];
	case C_HT:
		return u < 0.95 ? L_HAT : L_FRA;
	case C_EC:
		return u < 0.97 ? L_SPA : L_QUE;
	case C_PE:
		return u < 0.95 ? L_SPA : L_QUE;
	case C_BR:
		return L_POR;
	case C_IN:
		return u < 0.6 ? L_PAN : (u < 0.9 ? L_HIN : L_GUJ);
	case C_CN:
		return L_CMN;
	case C_RO:
		return u < 0.9 ? L_RON : L_ENG;
	case C_SN:
	case C_GN:
		return L_FRA;
	default:
		return L_SPA;
	}
}

static const char *given_pick(struct rng *r, const struct gen_names *nm, char sex,
			      const struct gen_rates *hard)
{
	const struct gen_pool *p = sex == 'M' ? &nm->male : &nm->female;

	return hard ? pool_pick_share(r, p, hard->name_pool) : pool_pick(r, p);
}

static void addr_make(struct rng *r, struct addr *a, int state, int problem_ok)
{
	const struct gen_state *st = &gen_states[state];
	double u;

	memset(a, 0, sizeof(*a));
	a->state = state;
	a->city = (int)rng_below(r, (uint32_t)st->ncity);
	a->num = rng_range(r, 100, 19999);
	a->street = pool_pick(r, &gen_streets);
	a->suffix = pool_pick(r, &gen_street_suffixes);
	a->zip2 = (int)rng_below(r, 100);
	a->unit_style = (int)rng_below(r, 3);
	if (rng_chance(r, 0.35)) {
		a->unit[0] = (char)('1' + rng_below(r, 9));
		a->unit[1] = (char)('A' + rng_below(r, 6));
		a->unit[2] = '\0';
	}
	a->problem = AP_NONE;
	if (!problem_ok)
		return;
	u = rng_unit(r);
	if (u < 0.015) {
		a->problem = AP_BLANK;
	} else if (u < 0.035) {
		a->problem = AP_UNDELIVERABLE;
	} else if (u < 0.070) {
		a->problem = AP_MISSING_UNIT;
		a->unit[0] = '\0';
		a->apt_in_street = rng_chance(r, 0.4);
	}
}

static int state_pick(struct rng *r, int fyi)
{
	double tot = 0, x;

	for (size_t i = 0; i < gen_nstates; i++)
		tot += gen_states[i].weight[fyi];
	x = rng_unit(r) * tot;
	for (size_t i = 0; i < gen_nstates; i++) {
		if (x < gen_states[i].weight[fyi])
			return (int)i;
		x -= gen_states[i].weight[fyi];
	}
	return (int)gen_nstates - 1;
}

static void phone_make(struct rng *r, char *dst, const char *area)
{
	char *p = dst;

	memcpy(p, area, 3);
	p += 3;
	memcpy(p, "-555-", 5);
	p += 5;
	for (int i = 0; i < 4; i++)
		*p++ = (char)('0' + rng_below(r, 10));
	*p = '\0';
}

/* "Family Given" canonical names of an adult of the origin. */
static void adult_names(struct rng *r, int origin, const char *share_sur, char *fam, size_t fcap,
			char *giv, size_t gcap)
{
	const struct gen_names *nm = &gen_names_by_origin[origin];
	char s1[48], s2[48];
	const char *g = given_pick(r, nm, rng_chance(r, 0.55) ? 'F' : 'M', NULL);

	if (share_sur)
		variant(s1, sizeof(s1), share_sur, 0);
	else
		variant(s1, sizeof(s1), pool_pick(r, &nm->surname), 0);
	if (nm->two_surnames) {
		variant(s2, sizeof(s2), pool_pick(r, &nm->surname), 0);
		snprintf(fam, fcap, "%s %s", s1, s2);
	} else {
		snprintf(fam, fcap, "%s", s1);
	}
	snprintf(giv, gcap, "%s", g);
}

static void ev_add(struct child *c, int32_t date, int type, const char *a, const char *b,
		   const char *by)
{
	struct ev *e;

	if (c->nev >= MAX_EV)
		return;
	e = &c->ev[c->nev++];
	e->date = date;
	e->type = type;
	e->a = a;
	e->b = b;
	e->by = by;
	e->addr = 0;
}

static void ind_add(struct child *c, const char *category, const char *code, const char *source,
		    int authorised, int32_t date, const char *note)
{
	struct ind *in;

	if (c->nind >= 6)
		return;
	in = &c->ind[c->nind++];
	in->category = category;
	in->code = code;
	in->source = source;
	in->authorised = authorised;
	in->date = date;
	in->note = note;
}

/* Sponsor hub h: its names, phone and address, from its own stream. */
static void hub_sponsor(const struct gen *g, uint32_t h, struct child *c)
{
	struct rng r;
	int st;

	rng_seed(&r, g->o->seed, 0x5000000000ULL + h);
	st = state_pick(&r, 5);
	adult_names(&r, GEN_OR_ES, NULL, c->sp_family, sizeof(c->sp_family), c->sp_given,
		    sizeof(c->sp_given));
	phone_make(&r, c->sp_phone, gen_states[st].area);
	addr_make(&r, &c->addr, st, 0);
}

/* Shared address h. */
static void hub_address(const struct gen *g, uint32_t h, struct addr *a)
{
	struct rng r;
	int st;

	rng_seed(&r, g->o->seed, 0x6000000000ULL + h);
	st = state_pick(&r, 5);
	addr_make(&r, a, st, 0);
	a->unit[0] = '\0';
}

static const char *aor_of(const struct child *c)
{
	return gen_states[c->addr.state].aor;
}

/* The EOIR court serving the child's (current) address. */
static const char *court_of(const struct child *c)
{
	return gen_states[c->court_state].court[c->court_city];
}

static const char *sur_pick(struct rng *r, const struct gen_pool *p, const struct gen_rates *hard)
{
	return hard ? pool_pick_share(r, p, hard->name_pool) : pool_pick(r, p);
}

static void make_identity(const struct gen *g, struct rng *r, struct child *c)
{
	const struct gen_names *nm;
	double w[5];
	int band, y, m, d;
	int32_t lo, hi;

	c->fyi = rng_weighted(r, fy_releases, NFY);
	for (int i = 0; i < 5; i++)
		w[i] = fy_country[c->fyi][i];
	switch (rng_weighted(r, w, 5)) {
	case 0:
		c->country = C_HN;
		break;
	case 1:
		c->country = C_GT;
		break;
	case 2:
		c->country = C_SV;
		break;
	case 3:
		c->country = C_MX;
		break;
	default: {
		double ow[C_NCOUNTRY];

		for (int i = 0; i < C_NCOUNTRY; i++)
			ow[i] = countries[i].other_w;
		c->country = rng_weighted(r, ow, C_NCOUNTRY);
	}
	}
	c->lang = lang_for(r, c->country);
	c->origin = origin_for(r, c->country, c->lang);
	c->sex = rng_chance(r, fy_male[c->fyi]) ? 'M' : 'F';

	nm = &gen_names_by_origin[c->origin];
	c->given1 = given_pick(r, nm, c->sex, g->hard);
	c->given2 = NULL;
	if ((c->origin == GEN_OR_ES || c->origin == GEN_OR_MAYA || c->origin == GEN_OR_PT) &&
	    rng_chance(r, 0.35)) {
		const char *g2 = given_pick(r, nm, c->sex, g->hard);

		if (strcmp(g2, c->given1) != 0)
			c->given2 = g2;
	}
	c->sur1 = sur_pick(r, &nm->surname, g->hard);
	c->sur2 = NULL;
	if (nm->two_surnames) {
		if (c->origin == GEN_OR_MAYA && rng_chance(r, 0.4))
			c->sur2 = sur_pick(r, &gen_names_by_origin[GEN_OR_ES].surname, g->hard);
		else
			c->sur2 = sur_pick(r, &nm->surname, g->hard);
		if (strcmp(c->sur2, c->sur1) == 0 && rng_chance(r, 0.8))
			c->sur2 = sur_pick(r, &nm->surname, g->hard);
	}

	/* main encounter within the fiscal year, admission 1-3 days later */
	lo = date_from_ymd(2018 + c->fyi, 10, 1);
	hi = date_from_ymd(2019 + c->fyi, 9, 30);
	c->enc = rng_range(r, lo, hi);
	c->admitted = c->enc + rng_range(r, 1, 3);
	c->sector = rng_weighted(r, (const double[]){40, 12, 12, 10, 8, 6, 6, 3, 3}, 9);

	/* age at referral by band, then a birth date giving that age */
	band = rng_weighted(r, fy_age[c->fyi], 4);
	if (band == 0) {
		static const double w12[] = {1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10, 12};

		c->age = 1 + rng_weighted(r, w12, 12);
	} else if (band == 1) {
		c->age = 13 + (int)rng_below(r, 2);
	} else if (band == 2) {
		c->age = 15 + (int)rng_below(r, 2);
	} else {
		c->age = 17;
	}
	date_to_ymd(c->admitted, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	lo = date_from_ymd(y - c->age - 1, m, d) + 1;
	hi = date_from_ymd(y - c->age, m, d);
	c->birth = rng_range(r, lo, hi);
}

static void make_custody(struct gen *g, struct rng *r, struct child *c)
{
	double mean = fy_avg_care_days[c->fyi];
	int32_t los = 3 + (int32_t)(-log(1.0 - rng_unit(r)) * (mean - 3));

	if (los > 600)
		los = 600;
	c->facility = pool_pick(r, &gen_facilities);

	/* repeat encounters: an earlier crossing, returned home */
	c->repeat = rng_chance(r, 0.03);
	c->tvpra = TV_NONE;
	c->tvpra0 = TV_NONE;
	if (c->repeat) {
		c->enc0 = c->enc - rng_range(r, 60, 600);
		c->sector0 = rng_weighted(r, (const double[]){40, 12, 12, 10, 8, 6, 6, 3, 3}, 9);
		if (c->country == C_MX) {
			c->tvpra0 = TV_MAY_RETURN;
		} else {
			c->first_placed = 1;
			c->adm0 = c->enc0 + rng_range(r, 1, 3);
			c->rel0 = c->adm0 + rng_range(r, 10, 60);
			c->facility0 = pool_pick(r, &gen_facilities);
		}
	}
	if (c->country == C_MX) {
		double u = rng_unit(r);

		c->tvpra = u < 0.07 ? TV_PENDING : (u < 0.12 ? TV_MAY_RETURN : TV_REFERRED);
	}

	/* sponsor category; category 4 = no sponsor */
	if (rng_chance(r, 0.015)) {
		double u = rng_unit(r);

		c->cat = CAT_4;
		c->released = c->admitted + los + rng_range(r, 60, 400);
		if (c->age >= 17 && u < 0.6) {
			c->discharge = "aged_out";
		} else if (u < 0.75) {
			c->discharge = "repatriated";
		} else if (u < 0.82) {
			c->discharge = "runaway";
		} else {
			c->discharge = "in_care";
			c->released = UC_DATE_NONE;
		}
		if (c->released != UC_DATE_NONE && c->released > g->as_of) {
			c->discharge = "in_care";
			c->released = UC_DATE_NONE;
		}
		return;
	}
	c->cat = rng_weighted(r, fy_cat[c->fyi], 4);
	c->released = clampd(c->admitted + los, g->as_of);
	c->discharge = "sponsor";
}

static void make_sponsor(struct gen *g, struct rng *r, struct child *c)
{
	static const char *const rel1[] = {"parent", "parent",	      "parent", "parent",
					   "parent", "parent",	      "parent", "parent",
					   "parent", "legal_guardian"};
	static const char *const rel2a[] = {"sibling", "aunt_uncle", "grandparent"};
	static const char *const rel2b[] = {"sibling",	   "aunt_uncle", "aunt_uncle",
					    "grandparent", "cousin",	 "other_relative"};
	static const char *const rel3[] = {"other_relative", "cousin", "family_friend",
					   "family_friend", "unrelated"};
	const char *share = NULL;
	int st;

	c->rel = NULL;
	if (c->cat == CAT_4)
		return;
	switch (c->cat) {
	case CAT_1:
		c->rel = rel1[rng_below(r, 10)];
		break;
	case CAT_2A:
		c->rel = rel2a[rng_below(r, 3)];
		break;
	case CAT_2B:
		c->rel = rel2b[rng_below(r, 6)];
		break;
	default:
		c->rel = rel3[rng_below(r, 5)];
		break;
	}

	/* a few sponsors receive several unrelated children */
	if (g->nhub_sponsor && rng_chance(r, 0.015)) {
		uint32_t h = rng_below(r, g->nhub_sponsor);

		c->sponsor_hub = 1;
		c->sponsor = h + 1;
		c->cat = CAT_3;
		c->rel = rng_chance(r, 0.5) ? "family_friend" : "unrelated";
		hub_sponsor(g, h, c);
		return;
	}
	c->sponsor = g->nhub_sponsor + c->idx + 1;
	if (strcmp(c->rel, "parent") == 0 || strcmp(c->rel, "sibling") == 0)
		share = rng_chance(r, 0.85) ? c->sur1 : NULL;
	else if (strcmp(c->rel, "unrelated") != 0 && strcmp(c->rel, "family_friend") != 0)
		share = rng_chance(r, 0.5) ? (c->sur2 ? c->sur2 : c->sur1) : NULL;
	adult_names(r, c->origin == GEN_OR_MAYA ? GEN_OR_MAYA : c->origin, share, c->sp_family,
		    sizeof(c->sp_family), c->sp_given, sizeof(c->sp_given));
	st = state_pick(r, c->fyi);
	phone_make(r, c->sp_phone, gen_states[st].area);
	addr_make(r, &c->addr, st, 1);

	/* a few addresses receive many children */
	if (g->nhub_addr && rng_chance(r, 0.01)) {
		c->address_hub = 1;
		hub_address(g, rng_below(r, g->nhub_addr), &c->addr);
	}
}

static void make_nta(struct gen *g, struct rng *r, struct child *c)
{
	double u = rng_unit(r);
	int32_t rel = c->released;

	c->nta = 0;
	c->nta_issued = c->nta_served = c->nta_filed = UC_DATE_NONE;
	c->nta_method = NULL;
	c->court_state = c->addr.state;
	c->court_city = c->addr.city;
	if (c->cat == CAT_4 || rel == UC_DATE_NONE || rel >= g->as_of - 20)
		return;
	if (u < 0.35) {
		double m = rng_unit(r);

		c->nta = 2;
		if (m < 0.12) {
			c->nta_method = "custody";
			c->nta_served = c->admitted + rng_range(r, 2, 2 + (rel - c->admitted) / 2);
		} else {
			int32_t span = g->as_of - rel;

			c->nta_method =
			    m < 0.40 ? "personal" : (m < 0.65 ? "mail" : "certified_mail");
			if (span > 900)
				span = 900;
			c->nta_served = rel + rng_range(r, 15, span > 15 ? span : 15);
			c->nta_served = clampd(c->nta_served, g->as_of);
		}
		c->nta_issued = c->nta_served - rng_range(r, 0, 20);
		if (c->nta_issued < c->admitted)
			c->nta_issued = c->admitted;
		if (rng_chance(r, 0.92)) {
			int32_t f = c->nta_served + rng_range(r, 7, 420);

			if (f <= g->as_of)
				c->nta_filed = f;
		}
	} else if (u < 0.50) {
		c->nta = 1;
		c->nta_issued = rel + rng_range(r, 10, g->as_of - rel > 10 ? g->as_of - rel : 10);
		c->nta_issued = clampd(c->nta_issued, g->as_of);
	}
}

static void hear_add(struct child *c, int32_t d, char cal, int proc, const char *notice)
{
	struct hearing *h;

	if (c->nhear >= MAX_HEAR)
		return;
	h = &c->hear[c->nhear++];
	h->date = d;
	h->cal = cal;
	h->proc = proc;
	h->notice = notice;
	h->missed = 0;
}

static void make_eoir(struct gen *g, struct rng *r, struct child *c)
{
	int32_t d;
	int nmaster, fta_at, plan_fta, k, stopped = 0;

	c->dec_code = 0;
	c->dec_date = c->order_date = c->mtr_filed = c->mtr_decided = UC_DATE_NONE;
	c->e28 = UC_DATE_NONE;
	if (c->nta_filed == UC_DATE_NONE)
		return;
	c->has_case = 1;
	c->represented = rng_chance(r, 0.34);
	if (c->represented) {
		c->provider = pool_pick(r, &gen_providers);
		c->e28 = clampd(c->nta_filed + rng_range(r, 5, 200), g->as_of);
	}
	plan_fta = rng_chance(r, c->represented ? 0.04 : 0.30);
	nmaster = 1 + (int)rng_below(r, 3) + rng_chance(r, 0.3);
	fta_at = (int)rng_below(r, (uint32_t)(nmaster < 2 ? nmaster : 2));

	d = c->nta_filed + rng_range(r, 20, 300);
	for (k = 0; k < nmaster; k++) {
		hear_add(c, d, 'M', 0, k == 0 ? notice_first[rng_below(r, 3)] : notice_adj);
		if (d > g->as_of) {
			stopped = 1;
			break;
		}
		c->has_hearing = 1;
		if (plan_fta && k == fta_at) {
			struct hearing *h = &c->hear[c->nhear - 1];

			h->missed = 1;
			c->fta = 1;
			if (rng_chance(r, 0.9)) {
				h->notice = fta_notice;
				c->absentia = 1;
				c->dec_code = 'X';
				c->dec_date = d;
				c->order_date = d;
			} else {
				h->notice = fta_notice2;
			}
			stopped = 1;
			break;
		}
		d += rng_range(r, 60, 240);
	}
	if (!stopped) {
		int resets = rng_chance(r, 0.05) ? 2 : 1;

		for (k = 0; k < resets; k++) {
			hear_add(c, d, 'I', 0, notice_adj);
			if (d > g->as_of) {
				stopped = 1;
				break;
			}
			if (k + 1 < resets)
				d += rng_range(r, 90, 300);
		}
	}
	if (!stopped) {
		/* the individual hearing took place: a decision, or not yet */
		static const double w[] = {4.5, 15, 25, 18, 2, 4, 3, 28.5};
		static const char codes[] = {'X', 'V', 'T', 'G', 'C', 'W', 'O', 0};

		c->dec_code = codes[rng_weighted(r, w, 8)];
		if (c->dec_code)
			c->dec_date = d;
	}

	/* in absentia orders: some are rescinded on a motion to reopen */
	if (c->absentia) {
		double u = rng_unit(r);

		if (u < 0.19) {
			c->mtr_filed = c->order_date + rng_range(r, 20, 170);
			c->mtr_decided = c->mtr_filed + rng_range(r, 20, 120);
			if (c->mtr_filed > g->as_of) {
				c->mtr_filed = c->mtr_decided = UC_DATE_NONE;
			} else if (c->mtr_decided > g->as_of) {
				c->mtr_decided = UC_DATE_NONE;
			} else if (u < 0.15) {
				c->rescinded = 1;
				c->reopened = 1;
				c->reopen_input = c->mtr_decided;
				d = c->mtr_decided + rng_range(r, 45, 200);
				hear_add(c, d, 'M', 1, notice_first[0]);
			} else {
				c->mtr_denied = 1;
			}
		}
		if (!c->rescinded && c->mtr_filed == UC_DATE_NONE && rng_chance(r, 0.10)) {
			c->removed_on = c->order_date + rng_range(r, 60, 500);
			if (c->removed_on <= g->as_of)
				c->removed = 1;
		}
	} else if (c->dec_code == 'X' && rng_chance(r, 0.25)) {
		c->removed_on = c->dec_date + rng_range(r, 30, 300);
		if (c->removed_on <= g->as_of)
			c->removed = 1;
	}
}

static void make_claims(struct gen *g, struct rng *r, struct child *c)
{
	static const double w[] = {55, 38, 4, 3};
	double p;
	int32_t lo;

	c->claim = CL_NONE;
	if (c->released == UC_DATE_NONE || c->cat == CAT_4 || c->removed)
		return;
	if (c->has_case) {
		if (c->dec_code == 'G' || c->dec_code == 'C') {
			c->claim = rng_weighted(r, w, 4);
			c->claim_status = 1;
		} else if (c->dec_code == 0 && !c->absentia) {
			p = c->represented ? 0.68 : 0.15;
			if (rng_chance(r, p))
				c->claim = rng_weighted(r, w, 4);
		} else if (c->rescinded) {
			if (rng_chance(r, 0.5))
				c->claim = rng_weighted(r, w, 4);
		}
	} else if (rng_chance(r, 0.06)) {
		c->claim = rng_weighted(r, w, 4);
	}
	if (c->claim == CL_NONE)
		return;
	lo = c->e28 != UC_DATE_NONE ? c->e28 : c->released + 30;
	if (lo > g->as_of)
		lo = g->as_of;
	c->claim_filed = rng_range(r, lo, lo + (g->as_of - lo) / 2);
	if (c->claim_status == 1 && c->dec_date != UC_DATE_NONE && c->claim_filed > c->dec_date)
		c->claim_filed = c->dec_date - rng_range(r, 30, 200);
}

static void make_indicators(struct gen *g, struct rng *r, struct child *c)
{
	int32_t base = c->released != UC_DATE_NONE ? c->released : c->admitted;
	int32_t span = g->as_of - base;
	double ptraf = (c->sponsor_hub || c->address_hub) ? 0.08 : 0.011;

	if (span < 1)
		span = 1;
	if (c->repeat) {
		ind_add(c, "border_security", "repeat_encounter", "CBP", 1, c->enc,
			"prior UAC encounter");
		c->border_security = 1;
	}
	if (rng_chance(r, 0.011)) {
		static const char *const codes[] = {"criminal_charge", "criminal_charge",
						    "criminal_conviction", "gang_affiliation"};
		static const char *const notes[] = {"charged, shoplifting", "charged, assault",
						    "adjudicated delinquent",
						    "gang database entry"};
		int k = (int)rng_below(r, 4);
		double u = rng_unit(r);
		const char *src =
		    u < 0.4 ? "NCIC"
			    : (u < 0.65 ? "ICE_ERO"
					: (u < 0.75 ? "EOIR" : (u < 0.9 ? "TIPLINE" : "ORR")));
		int auth = u < 0.75;

		ind_add(c, "public_safety", codes[k], src, auth,
			base + (int32_t)rng_below(r, (uint32_t)span), notes[k]);
		c->public_safety |= auth;
	}
	if (rng_chance(r, 0.005)) {
		double u = rng_unit(r);
		int fraud = u < 0.5;
		const char *src = fraud ? "CBP" : (u < 0.85 ? "HSI" : "TIPLINE");
		int auth = u < 0.85;

		ind_add(c, "border_security", fraud ? "document_fraud" : "smuggling", src, auth,
			fraud ? c->enc : base + (int32_t)rng_below(r, (uint32_t)span),
			fraud ? "false birth certificate presented"
			      : "smuggling organisation contact");
		c->border_security |= auth;
	}
	if (rng_chance(r, ptraf)) {
		double u = rng_unit(r);
		const char *src =
		    u < 0.45 ? "HSI" : (u < 0.8 ? "ORR" : (u < 0.93 ? "TIPLINE" : "NCIC"));
		int auth = u < 0.8;

		ind_add(c, "trafficking",
			rng_chance(r, 0.5) ? "trafficking_victim" : "exploitation", src, auth,
			base + (int32_t)rng_below(r, (uint32_t)span),
			"labor exploitation reported, minor working night shifts");
		c->trafficking |= auth;
	}
}

/* A recorded_by value for a legal service provider: "legal:NAME". */
static const char *legal_by(const char *provider)
{
	static const char *const by[] = {
	    "legal:KIND",
	    "legal:Catholic Charities",
	    "legal:RAICES",
	    "legal:Florence Project",
	    "legal:Vera UCP",
	    "legal:Safe Passage Project",
	    "legal:Americans for Immigrant Justice",
	    "legal:Ayuda",
	    "legal:Capital Area Immigrants' Rights",
	    "legal:ProBAR",
	    "legal:Kids in Need",
	    "legal:Esperanza Immigrant Rights Project",
	};

	for (size_t i = 0; i < gen_providers.n && i < sizeof(by) / sizeof(by[0]); i++)
		if (strcmp(gen_providers.v[i], provider) == 0)
			return by[i];
	return by[0];
}

static void make_events(struct gen *g, struct rng *r, struct child *c)
{
	int32_t rel = c->released, win;
	double p;
	const char *aor;

	if (c->cat == CAT_4 || rel == UC_DATE_NONE || rel >= g->as_of)
		return;
	aor = aor_of(c);
	if (rng_chance(r, 0.35)) {
		const char *prov = c->provider ? c->provider : pool_pick(r, &gen_providers);
		int32_t d = rel + rng_range(r, 10, 120);

		if (d <= g->as_of)
			ev_add(c, d, EV_ORIENTATION, prov, NULL, legal_by(prov));
	}
	if (c->represented && c->e28 != UC_DATE_NONE) {
		ev_add(c, c->e28, EV_REPRESENTATION, c->provider, "started", legal_by(c->provider));
		if (rng_chance(r, 0.05)) {
			int32_t d = c->e28 + rng_range(r, 100, 600);

			if (d <= g->as_of)
				ev_add(c, d, EV_REPRESENTATION, c->provider, "ended",
				       legal_by(c->provider));
		}
	}
	if (c->claim != CL_NONE) {
		const char *prov = c->provider ? c->provider : pool_pick(r, &gen_providers);

		ev_add(c, c->claim_filed, EV_CLAIM, claim_name[c->claim], "filed", legal_by(prov));
		if (c->claim_status == 1 && c->dec_date != UC_DATE_NONE)
			ev_add(c, c->dec_date, EV_CLAIM, claim_name[c->claim], "granted",
			       legal_by(prov));
	}
	if (c->mtr_filed != UC_DATE_NONE) {
		const char *ground = c->addr.problem != AP_NONE || rng_chance(r, 0.5)
					 ? "lack_of_notice"
					 : "exceptional_circumstances";
		const char *prov = c->provider ? c->provider : pool_pick(r, &gen_providers);

		ev_add(c, c->mtr_filed, EV_MTR, "filed", ground, legal_by(prov));
		if (c->rescinded)
			ev_add(c, c->mtr_decided, EV_MTR, "granted", ground, "EOIR");
		else if (c->mtr_denied)
			ev_add(c, c->mtr_decided, EV_MTR, "denied", ground, "EOIR");
	}
	if (c->addr.problem == AP_UNDELIVERABLE) {
		int32_t d = clampd(rel + rng_range(r, 30, 400), g->as_of);

		ev_add(c, d, EV_ADDRESS, "undeliverable", NULL, aor);
	}
	if (c->moved) {
		ev_add(c, c->moved_on, EV_ADDRESS, "verified", NULL, aor);
		c->ev[c->nev - 1].addr = 1;
	}

	/* the field initiative's recent work */
	if (c->removed)
		return;
	p = 0.05;
	if (c->nta == 0)
		p = 0.12;
	if (c->fta)
		p = 0.6;
	if (c->sponsor_hub || c->address_hub)
		p = 0.5;
	if (c->trafficking)
		p = 0.7;
	if (!rng_chance(r, p))
		return;
	win = g->as_of - 150;
	if (win <= rel)
		win = rel + 1;
	if (win > g->as_of)
		return;
	{
		int tries = 1 + (int)rng_below(r, 3), reached = 0;
		int32_t d = rng_range(r, win, win + (g->as_of - win) / 2);

		for (int k = 0; k < tries && !reached && d <= g->as_of; k++) {
			static const char *const meth[] = {"phone", "home_visit", "mail"};
			static const double mw[] = {50, 40, 10};
			static const char *const outc[] = {"reached", "no_answer", "not_at_address",
							   "moved",   "refused",   "wrong_number"};
			static const double ok_w[] = {58, 18, 8, 7, 4, 5};
			static const double bad_w[] = {8, 25, 40, 20, 2, 5};
			int o = rng_weighted(r, c->addr.problem == AP_NONE ? ok_w : bad_w, 6);

			ev_add(c, d, EV_CONTACT, meth[rng_weighted(r, mw, 3)], outc[o], aor);
			if (o == 0) {
				double u = rng_unit(r);
				const char *w =
				    u < 0.88 ? "safe" : (u < 0.97 ? "concern" : "not_seen");

				reached = 1;
				ev_add(c, d, EV_WELFARE, w, NULL, aor);
				if (c->trafficking)
					ev_add(c, d, EV_TRAFFICKING, "indicators_found", NULL, aor);
				else
					ev_add(c, d, EV_TRAFFICKING,
					       rng_chance(r, 0.93) ? "no_indicators" : "declined",
					       NULL, aor);
				if (c->trafficking)
					ev_add(c, d, EV_REFERRAL,
					       rng_chance(r, 0.6) ? "hsi" : "hhs",
					       "trafficking indicators", aor);
				else if (u >= 0.88 && u < 0.97 && rng_chance(r, 0.5))
					ev_add(c, d, EV_REFERRAL, "cps", "welfare concern", aor);
				else if (c->has_case && !c->represented && rng_chance(r, 0.4))
					ev_add(c, d, EV_REFERRAL, "legal_provider",
					       "no counsel of record", aor);
			}
			d += rng_range(r, 3, 30);
		}
	}
}

static void ev_sort(struct child *c)
{
	/* field events happen after release (an NTA served in custody can
	 * put counsel's appearance earlier; the event is recorded later) */
	if (c->released != UC_DATE_NONE)
		for (int i = 0; i < c->nev; i++)
			if (c->ev[i].date < c->released)
				c->ev[i].date = c->released;

	for (int i = 1; i < c->nev; i++) {
		struct ev e = c->ev[i];
		int j = i - 1;

		while (j >= 0 && c->ev[j].date > e.date) {
			c->ev[j + 1] = c->ev[j];
			j--;
		}
		c->ev[j + 1] = e;
	}
}

/*
 * Profile hard: perhaps make c a sibling (or twin) of prev, the child
 * before it: same surnames, origin, fiscal year and crossing, a birth date
 * 1-4 years apart (twins: the same), a different given name. Drawn from a
 * stream of its own, so the child's other draws do not move.
 */
static void make_sibling(const struct gen *g, struct child *c, const struct child *prev)
{
	const struct gen_rates *h = g->hard;
	struct rng rs;
	int y, m, d;
	int32_t birth;

	rng_seed(&rs, g->o->seed ^ 0x5b1b5b1b5b1b5b1bULL, c->idx);
	if (!rng_chance(&rs, h->sibling))
		return;
	if (rng_chance(&rs, h->twin)) {
		birth = prev->birth;
	} else {
		int32_t gap = rng_range(&rs, 365, 4 * 365 + 300);

		birth = prev->birth + (rng_chance(&rs, 0.5) ? gap : -gap);
	}
	date_to_ymd(prev->admitted, &y, &m, &d);
	if (birth > prev->admitted - 365 || birth <= date_from_ymd(y - 18, m, d))
		return; /* no such sibling among UAC (under 18, over 1) */
	c->family = prev->family;
	c->twin = birth == prev->birth;
	c->birth = birth;
	c->fyi = prev->fyi;
	c->country = prev->country;
	c->lang = prev->lang;
	c->origin = prev->origin;
	c->sur1 = prev->sur1;
	c->sur2 = prev->sur2;
	c->enc = prev->enc;
	c->admitted = prev->admitted;
	c->sector = prev->sector;
	{
		int by, bm, bd;

		date_to_ymd(birth, &by, &bm, &bd);
		c->age = y - by - ((m < bm || (m == bm && d < bd)) ? 1 : 0);
	}
	for (int i = 0; i < 8 && (strcmp(c->given1, prev->given1) == 0 ||
				  (prev->given2 && strcmp(c->given1, prev->given2) == 0));
	     i++)
		c->given1 = given_pick(&rs, &gen_names_by_origin[c->origin], c->sex, h);
	if (c->given2 && strcmp(c->given2, c->given1) == 0)
		c->given2 = NULL;
}

/* Profile hard: siblings are released to the same sponsor when both are. */
static void share_sponsor(struct child *c, const struct child *prev)
{
	if (c->cat == CAT_4 || prev->cat == CAT_4)
		return;
	c->cat = prev->cat;
	c->sponsor = prev->sponsor;
	c->sponsor_hub = prev->sponsor_hub;
	c->address_hub = prev->address_hub;
	c->rel = prev->rel;
	memcpy(c->sp_family, prev->sp_family, sizeof(c->sp_family));
	memcpy(c->sp_given, prev->sp_given, sizeof(c->sp_given));
	memcpy(c->sp_phone, prev->sp_phone, sizeof(c->sp_phone));
	c->addr = prev->addr;
}

/* Make child idx; prev is the child before it (NULL for the first). */
static void child_make(struct gen *g, struct child *c, uint32_t idx, const struct child *prev)
{
	struct rng r;

	memset(c, 0, sizeof(*c));
	c->idx = idx;
	fmt_key(c->id, sizeof(c->id), "C", idx + 1ULL, 7);
	c->anum =
	    200000000u + (uint32_t)(((uint64_t)idx * 36912479ULL + g->anum_off) % 100000000ULL);
	rng_seed(&r, g->o->seed, idx);
	make_identity(g, &r, c);
	c->family = idx;
	if (g->hard && prev)
		make_sibling(g, c, prev);
	make_custody(g, &r, c);
	make_sponsor(g, &r, c);
	if (g->hard && c->family != idx)
		share_sponsor(c, prev);
	if (c->cat != CAT_4 && c->released != UC_DATE_NONE && !c->address_hub &&
	    rng_chance(&r, 0.06)) {
		int32_t d = c->released + rng_range(&r, 60, 700);

		if (d < g->as_of) {
			c->moved = 1;
			c->moved_on = d;
			addr_make(&r, &c->addr2, c->addr.state, 0);
		}
	}
	make_nta(g, &r, c);
	if (c->moved && c->nta_filed != UC_DATE_NONE && c->moved_on < c->nta_filed) {
		c->court_state = c->addr2.state;
		c->court_city = c->addr2.city;
	}
	make_eoir(g, &r, c);
	make_claims(g, &r, c);
	make_indicators(g, &r, c);
	make_events(g, &r, c);
	ev_sort(c);
}

/* ------------------------------------------------------------------ */
/* Identity as each agency records it.                                */

/* How one feed records names. */
struct nstyle {
	int tcase;     /* enum tcase */
	double strip;  /* chance accents are dropped */
	double typo;   /* chance of a keying error in each name */
	double bnoise; /* chance the birth date is off */
};

static const struct nstyle st_cbp = {TC_UPPER, 0.95, 0.03, 0.20};
static const struct nstyle st_orr = {TC_ASIS, 0.40, 0.02, 0.10};
static const struct nstyle st_eoir = {TC_UPPER, 0.98, 0.02, 0.10};
static const struct nstyle st_nta = {TC_UPPER, 0.70, 0.02, 0.10};

#define NAME_MAX_LEN 128

/* The surname as it is in truth: first transliteration of each part. */
static void true_family(const struct child *c, char *dst, size_t cap)
{
	char s1[48], s2[48];

	variant(s1, sizeof(s1), c->sur1, 0);
	if (c->sur2) {
		variant(s2, sizeof(s2), c->sur2, 0);
		snprintf(dst, cap, "%s %s", s1, s2);
	} else {
		snprintf(dst, cap, "%s", s1);
	}
}

static void true_given(const struct child *c, char *dst, size_t cap)
{
	if (c->given2)
		snprintf(dst, cap, "%s %s", c->given1, c->given2);
	else
		snprintf(dst, cap, "%s", c->given1);
}

static void surname_variant(struct rng *r, const char *entry, char *dst, size_t cap)
{
	int n = nvariants(entry);
	int k = (n > 1 && rng_chance(r, 0.35)) ? 1 + (int)rng_below(r, (uint32_t)(n - 1)) : 0;

	variant(dst, cap, entry, k);
}

static void name_render(const struct gen_rates *h, struct rng *r, const struct child *c,
			const struct nstyle *st, char fam[NAME_MAX_LEN], char giv[NAME_MAX_LEN])
{
	char s1[48], s2[48], raw[NAME_MAX_LEN];
	int strip = rng_chance(r, st->strip);

	surname_variant(r, c->sur1, s1, sizeof(s1));
	if (c->sur2) {
		double u = rng_unit(r);

		surname_variant(r, c->sur2, s2, sizeof(s2));
		if (h) {
			/* hard: dropped, reversed, joined, else both */
			double a = h->sur_drop, b = a + h->sur_swap;
			double j = b + h->sur_join;

			if (u < a)
				snprintf(raw, sizeof(raw), "%s", s1);
			else if (u < b)
				snprintf(raw, sizeof(raw), "%s %s", s2, s1);
			else if (u < j)
				snprintf(raw, sizeof(raw), "%s%s", s1, s2);
			else
				snprintf(raw, sizeof(raw), "%s %s", s1, s2);
		} else if (u < 0.66)
			snprintf(raw, sizeof(raw), "%s %s", s1, s2);
		else if (u < 0.80)
			snprintf(raw, sizeof(raw), "%s", s1);
		else if (u < 0.86)
			snprintf(raw, sizeof(raw), "%s %s", s2, s1);
		else if (u < 0.93)
			snprintf(raw, sizeof(raw), "%s-%s", s1, s2);
		else
			snprintf(raw, sizeof(raw), "%s%s", s1, s2);
	} else {
		snprintf(raw, sizeof(raw), "%s", s1);
	}
	text_render(fam, NAME_MAX_LEN - 2, raw, st->tcase, strip);

	if (c->given2) {
		double u = rng_unit(r);

		if (u < 0.74)
			snprintf(raw, sizeof(raw), "%s %s", c->given1, c->given2);
		else if (u < 0.92)
			snprintf(raw, sizeof(raw), "%s", c->given1);
		else if (u < 0.97)
			snprintf(raw, sizeof(raw), "%s %.*s", c->given1,
				 (unsigned char)c->given2[0] >= 0xC0 ? 2 : 1, c->given2);
		else
			snprintf(raw, sizeof(raw), "%s", c->given2);
	} else {
		snprintf(raw, sizeof(raw), "%s", c->given1);
	}
	text_render(giv, NAME_MAX_LEN - 2, raw, st->tcase, strip);

	if (rng_chance(r, h ? h->fam_typo : st->typo))
		typo(r, fam);
	if (rng_chance(r, h ? h->giv_typo : st->typo))
		typo(r, giv);
}

/* A recorded birth date: estimated, swapped, a year off, or exact. */
static int32_t birth_render(const struct gen_rates *h, struct rng *r, int32_t b, double p)
{
	/* default: 35% Jan 1, 25% swapped, 25% a year off, 15% days off */
	double jan1 = h ? h->jan1 : 0.35;
	double swap = h ? jan1 + h->dob_swap : 0.60;
	double year = h ? swap + (1 - swap) * 0.625 : 0.85;
	int y, m, d;
	double u;

	if (!rng_chance(r, h ? h->dob_noise : p))
		return b;
	date_to_ymd(b, &y, &m, &d);
	u = rng_unit(r);
	if (u < jan1)
		return date_from_ymd(y, 1, 1);
	if (u < swap && d <= 12 && d != m)
		return date_from_ymd(y, d, m);
	if (u < year) {
		if (m == 2 && d == 29)
			d = 28;
		return date_from_ymd(y + (rng_chance(r, 0.5) ? 1 : -1), m, d);
	}
	return b + (rng_chance(r, 0.5) ? 1 : -1) * rng_range(r, 1, 3);
}

static int32_t first_of_month(int32_t d)
{
	int y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	return date_from_ymd(y, m, 1);
}

/*
 * The A-number as recorded into dst (16 bytes): "" when missing, a digit
 * mistyped or two transposed, and for dashes=1 in the "A-012-345-678" form.
 */
static void anum_render(struct rng *r, uint32_t anum, double p_missing, double p_typo, int dashes,
			char dst[16])
{
	char d[10];
	uint32_t v = anum;

	dst[0] = '\0';
	if (p_missing > 0 && rng_chance(r, p_missing))
		return;
	for (int i = 8; i >= 0; i--) {
		d[i] = (char)('0' + v % 10);
		v /= 10;
	}
	d[9] = '\0';
	if (p_typo > 0 && rng_chance(r, p_typo)) {
		int i = 1 + (int)rng_below(r, 8);

		if (rng_chance(r, 0.7)) {
			char c = (char)('0' + rng_below(r, 10));

			d[i] = c == d[i] ? (char)('0' + (c - '0' + 1) % 10) : c;
		} else if (d[i] != d[i + 1]) {
			char t = d[i];

			d[i] = d[i + 1];
			d[i + 1] = t;
		} else {
			d[i] = (char)('0' + (d[i] - '0' + 5) % 10);
		}
	}
	if (dashes) {
		dst[0] = 'A';
		dst[1] = '-';
		memcpy(dst + 2, d, 3);
		dst[5] = '-';
		memcpy(dst + 6, d + 3, 3);
		dst[9] = '-';
		memcpy(dst + 10, d + 6, 3);
		dst[13] = '\0';
	} else {
		memcpy(dst, d, 10);
	}
}

/* Address parts as recorded. */
struct addr_txt {
	char street[96]; /* "1234 Maple St" */
	char unit[16];	 /* "Apt 4B", "?" or empty */
	char city[48];
	char state[4];
	char zip[8];
};

static void addr_render(const struct addr *a, int tcase, struct addr_txt *t)
{
	const struct gen_state *st = &gen_states[a->state];
	char raw[96];

	memset(t, 0, sizeof(*t));
	memcpy(t->state, st->code, 3);
	if (a->problem == AP_BLANK)
		return;
	snprintf(raw, sizeof(raw), "%d %s %s%s", a->num, a->street, a->suffix,
		 a->apt_in_street ? " Apt" : "");
	text_render(t->street, sizeof(t->street), raw, tcase, 1);
	text_render(t->city, sizeof(t->city), st->city[a->city], tcase, 1);
	memcpy(t->zip, st->zip3[a->city], 3);
	t->zip[3] = (char)('0' + a->zip2 / 10);
	t->zip[4] = (char)('0' + a->zip2 % 10);
	t->zip[5] = '\0';
	if (a->problem == AP_MISSING_UNIT) {
		if (!a->apt_in_street)
			t->unit[0] = '?';
	} else if (a->unit[0]) {
		static const char *const pre[] = {"Apt ", "#", ""};

		snprintf(raw, sizeof(raw), "%s%s", pre[a->unit_style], a->unit);
		text_render(t->unit, sizeof(t->unit), raw, tcase, 1);
	}
}

/* ------------------------------------------------------------------ */
/* Writing one child's records.                                       */

static void sponsor_key(const struct child *c, char dst[12])
{
	dst[0] = '\0';
	if (c->sponsor)
		fmt_key(dst, 12, "S", c->sponsor, 7);
}

static void emit_cbp_one(struct gen *g, struct rng *r, const struct child *c, int32_t enc,
			 int sector, int tvpra)
{
	struct out *o = &g->out[F_CBP];
	const struct gen_sector *s = &gen_sectors[sector];
	char key[32], an[16], fam[NAME_MAX_LEN], giv[NAME_MAX_LEN], yy[3];
	int fy = date_fiscal_year(enc) % 100;

	yy[0] = (char)('0' + fy / 10);
	yy[1] = (char)('0' + fy % 10);
	yy[2] = '\0';
	{
		char pre[8] = "CBP-";

		memcpy(pre + 4, yy, 2);
		pre[6] = '-';
		pre[7] = '\0';
		fmt_key(key, sizeof(key), pre, ++g->seq_cbp, 7);
	}
	anum_render(r, c->anum, g->hard ? g->hard->anum_missing : 0, 0, 0, an);
	name_render(g->hard, r, c, &st_cbp, fam, giv);
	o_str(o, key);
	o_c(o, ',');
	o_str(o, an);
	o_c(o, ',');
	o_csv(o, fam);
	o_c(o, ',');
	o_csv(o, giv);
	o_c(o, ',');
	o_date(o, birth_render(g->hard, r, c->birth, st_cbp.bnoise));
	o_c(o, ',');
	o_c(o, rng_chance(r, 0.003) ? 'U' : c->sex);
	o_c(o, ',');
	o_str(o, countries[c->country].iso);
	o_c(o, ',');
	o_str(o, lang_iso[c->lang]);
	o_c(o, ',');
	o_date(o, enc);
	o_c(o, ',');
	o_str(o, s->code);
	o_c(o, ',');
	o_str(o, s->place[rng_below(r, (uint32_t)s->nplace)]);
	o_mem(o, ",Y,", 3);
	o_str(o, tvpra_name[tvpra]);
	o_row(g, o);
	truth_rec(g, F_CBP, key, c->id, NULL);
}

static void emit_placement(struct gen *g, struct rng *r, const struct child *c, int first,
			   char placement_key[24])
{
	struct out *o = &g->out[F_PLACE];
	char an[16], fam[NAME_MAX_LEN], giv[NAME_MAX_LEN], sp[12];
	struct addr_txt at;
	int with_sponsor = !first && c->cat != CAT_4;

	fmt_key(placement_key, 24, "P", ++g->seq_place, 8);
	anum_render(r, c->anum, g->hard ? g->hard->anum_missing : 0.06,
		    g->hard ? g->hard->anum_typo : 0.015, rng_chance(r, 0.15), an);
	name_render(g->hard, r, c, &st_orr, fam, giv);
	o_str(o, placement_key);
	o_c(o, ',');
	o_str(o, an);
	o_c(o, ',');
	o_csv(o, fam);
	o_c(o, ',');
	o_csv(o, giv);
	o_c(o, ',');
	o_date(o, birth_render(g->hard, r, c->birth, st_orr.bnoise));
	o_c(o, ',');
	o_c(o, c->sex);
	o_c(o, ',');
	o_str(o, countries[c->country].iso);
	o_c(o, ',');
	o_str(o, first ? c->facility0 : c->facility);
	o_c(o, ',');
	o_date(o, first ? c->adm0 : c->admitted);
	o_c(o, ',');
	o_date(o, first ? c->rel0 : c->released);
	o_c(o, ',');
	o_str(o, first ? "repatriated" : c->discharge);
	o_c(o, ',');
	sp[0] = '\0';
	if (with_sponsor) {
		sponsor_key(c, sp);
		o_str(o, sp);
		o_c(o, ',');
		if (c->sponsor_hub) {
			o_csv(o, c->sp_family);
			o_c(o, ',');
			o_csv(o, c->sp_given);
		} else {
			char f2[NAME_MAX_LEN], g2[NAME_MAX_LEN];
			int strip = rng_chance(r, st_orr.strip);

			text_render(f2, sizeof(f2), c->sp_family, TC_ASIS, strip);
			text_render(g2, sizeof(g2), c->sp_given, TC_ASIS, strip);
			o_csv(o, f2);
			o_c(o, ',');
			o_csv(o, g2);
		}
		o_c(o, ',');
		o_str(o, c->rel);
		o_c(o, ',');
		o_str(o, cat_name[c->cat]);
		o_c(o, ',');
		addr_render(&c->addr, TC_ASIS, &at);
		o_csv(o, at.street);
		o_c(o, ',');
		o_csv(o, at.unit);
		o_c(o, ',');
		o_csv(o, at.city);
		o_c(o, ',');
		o_str(o, at.state);
		o_c(o, ',');
		o_str(o, at.zip);
		o_c(o, ',');
		o_str(o, c->sp_phone);
	} else {
		o_mem(o, ",,,,4,,,,,,", 11);
	}
	o_row(g, o);
	truth_rec(g, F_PLACE, placement_key, c->id, sp);
}

static void emit_post_release(struct gen *g, struct rng *r, const struct child *c,
			      const char *placement_key)
{
	static const char *const res[] = {"reached_safe", "reached_concern", "no_answer",
					  "wrong_number", "not_at_address",  "sponsor_refused"};
	static const double ok_w[] = {79, 3, 10, 4, 2, 2};
	static const double bad_w[] = {25, 2, 25, 18, 28, 2};
	int32_t d;
	int n;

	if (c->cat == CAT_4 || c->released == UC_DATE_NONE)
		return;
	d = c->released + rng_range(r, 25, 40);
	n = rng_chance(r, 0.9) ? 1 : 0;
	if (n && rng_chance(r, 0.2))
		n = 2 + (int)rng_below(r, 2);
	for (int k = 0; k < n && d <= g->as_of; k++) {
		struct out *o = &g->out[F_POST];
		char key[24], an[16];
		int res_i = rng_weighted(r, c->addr.problem == AP_NONE ? ok_w : bad_w, 6);

		fmt_key(key, sizeof(key), "PR", ++g->seq_post, 8);
		anum_render(r, c->anum, 0.06, 0.015, 0, an);
		o_str(o, key);
		o_c(o, ',');
		o_str(o, placement_key);
		o_c(o, ',');
		o_str(o, an);
		o_c(o, ',');
		o_date(o, d);
		o_c(o, ',');
		o_str(o, k == 0 || rng_chance(r, 0.7) ? "phone" : "home_visit");
		o_c(o, ',');
		o_str(o, res[res_i]);
		o_row(g, o);
		truth_rec(g, F_POST, key, c->id, NULL);
		d += rng_range(r, 7, 120);
	}
}

static void emit_nta(struct gen *g, struct rng *r, const struct child *c)
{
	struct out *o = &g->out[F_NTA];
	char key[24], an[16], fam[NAME_MAX_LEN], giv[NAME_MAX_LEN];
	struct addr_txt at;

	if (!c->nta)
		return;
	fmt_key(key, sizeof(key), "NTA", ++g->seq_nta, 8);
	anum_render(r, c->anum, 0, g->hard ? g->hard->anum_typo : 0.01, 0, an);
	name_render(g->hard, r, c, &st_nta, fam, giv);
	o_str(o, key);
	o_c(o, ',');
	o_str(o, an);
	o_c(o, ',');
	o_csv(o, fam);
	o_c(o, ',');
	o_csv(o, giv);
	o_c(o, ',');
	o_date(o, birth_render(g->hard, r, c->birth, st_nta.bnoise));
	o_c(o, ',');
	o_date(o, c->nta_issued);
	o_c(o, ',');
	o_date(o, c->nta_served);
	o_c(o, ',');
	o_str(o, c->nta_method);
	o_c(o, ',');
	if (c->nta == 2) {
		addr_render(c->moved && c->moved_on < c->nta_served ? &c->addr2 : &c->addr,
			    TC_UPPER, &at);
		o_csv(o, at.street);
		o_c(o, ',');
		o_csv(o, at.unit);
		o_c(o, ',');
		o_csv(o, at.city);
		o_c(o, ',');
		o_str(o, at.state);
		o_c(o, ',');
		o_str(o, at.zip);
	} else {
		o_mem(o, ",,,,", 4);
	}
	o_c(o, ',');
	o_date(o, c->nta_filed);
	o_c(o, ',');
	if (c->nta_filed != UC_DATE_NONE)
		o_str(o, court_of(c));
	o_row(g, o);
	truth_rec(g, F_NTA, key, c->id, NULL);
}

static void emit_eoir_sched(struct gen *g, struct rng *r, const struct child *c, struct trow *t,
			    const struct hearing *h, uint64_t idncase, uint64_t idnproc,
			    int32_t input)
{
	static const char *const med[] = {"P", "H", "V", "A", "C", "T"};
	static const double medw[] = {60, 17, 12, 5, 4, 1};
	static const char *const times[] = {"0830", "0900", "0930", "1000", "1030",
					    "1100", "1300", "1330", "1400", "1430"};
	char key[24];
	uint64_t ids = ++g->seq_sched;

	trow_clear(t, S_NCOL);
	trow_u64(t, S_IDNSCHEDULE, ids);
	trow_u64(t, S_IDNPROCEEDING, idnproc);
	trow_u64(t, S_IDNCASE, idncase);
	trow_date(t, S_OSC_DATE, c->nta_issued);
	trow_set(t, S_LANG, lang_eoir[c->lang]);
	trow_set(t, S_HEARING_LOC_CODE, court_of(c));
	trow_set(t, S_BASE_CITY_CODE, court_of(c));
	trow_date(t, S_INPUT_DATE, input);
	trow_set(t, S_CAL_TYPE, h->cal == 'M' ? "M" : "I");
	trow_date(t, S_ADJ_DATE, h->date);
	trow_set(t, S_ADJ_TIME_START, times[rng_below(r, 10)]);
	trow_set(t, S_ADJ_MEDIUM, med[rng_weighted(r, medw, 6)]);
	trow_set(t, S_SCHEDULE_TYPE, h->cal == 'M' ? (h == &c->hear[0] ? "MM" : "MR") : "II");
	trow_set(t, S_NOTICE_CODE, h->notice);
	trow_emit(g, &g->out[F_SCHED], t, S_NCOL, 0);
	fmt_u64(key, ids);
	truth_rec(g, F_SCHED, key, c->id, NULL);
}

static void emit_eoir_proc(struct gen *g, struct rng *r, const struct child *c, struct trow *t,
			   uint64_t idncase, int proc)
{
	char key[24];
	uint64_t idp = ++g->seq_proc;
	int32_t input = proc == 0 ? c->nta_filed : c->reopen_input;
	int32_t latest = UC_DATE_NONE;

	for (int i = 0; i < c->nhear; i++)
		if (c->hear[i].proc == proc)
			latest = c->hear[i].date;
	trow_clear(t, B_NCOL);
	trow_u64(t, B_IDNPROCEEDING, idp);
	trow_u64(t, B_IDNCASE, idncase);
	trow_date(t, B_OSC_DATE, c->nta_issued);
	trow_date(t, B_INPUT_DATE, input);
	trow_set(t, B_BASE_CITY_CODE, court_of(c));
	trow_set(t, B_HEARING_LOC_CODE, court_of(c));
	trow_date(t, B_HEARING_DATE, latest);
	if (proc == 0 && c->dec_code) {
		char *dc = trow_room(t, 2);

		dc[0] = c->dec_code;
		dc[1] = '\0';
		trow_set(t, B_DEC_CODE, dc);
		trow_set(t, B_DEC_TYPE, c->absentia || rng_chance(r, 0.5) ? "O" : "W");
		trow_date(t, B_COMP_DATE, c->dec_date);
		trow_set(t, B_ABSENTIA, c->absentia ? "Y" : "N");
	}
	trow_set(t, B_CUSTODY, "R");
	trow_set(t, B_CASE_TYPE, "RMV");
	trow_set(t, B_NAT, countries[c->country].nat);
	trow_set(t, B_LANG, lang_eoir[c->lang]);
	trow_set(t, B_CRIM_IND, c->public_safety && rng_chance(r, 0.5) ? "Y" : "N");
	trow_emit(g, &g->out[F_BPROC], t, B_NCOL, 0);
	fmt_u64(key, idp);
	truth_rec(g, F_BPROC, key, c->id, NULL);

	for (int i = 0; i < c->nhear; i++)
		if (c->hear[i].proc == proc)
			emit_eoir_sched(g, r, c, t, &c->hear[i], idncase, idp, input);

	if (proc == 0) {
		uint64_t idj = ++g->seq_juv;
		double u = rng_unit(r);

		trow_clear(t, J_NCOL);
		trow_u64(t, J_idnJuvenileHistory, idj);
		trow_u64(t, J_idnCase, idncase);
		trow_u64(t, J_idnProceeding, idp);
		/* position in tblLookup_Juvenile: 1 J, 2 J1, 3 J2, 4 UJ */
		trow_set(t, J_idnJuvenile,
			 u < 0.78 ? "4" : (u < 0.93 ? "2" : (u < 0.97 ? "1" : "3")));
		trow_date(t, J_DATCREATEDON, input);
		trow_date(t, J_DATMODIFIEDON, clampd(input + rng_range(r, 0, 400), g->as_of));
		trow_emit(g, &g->out[F_JUV], t, J_NCOL, 0);
		fmt_u64(key, idj);
		truth_rec(g, F_JUV, key, c->id, NULL);
	}
}

/* Returns the IDNCASE, 0 when the child has no case. */
static uint64_t emit_eoir(struct gen *g, struct rng *r, const struct child *c, struct trow *t)
{
	char key[24], an[16], fam[NAME_MAX_LEN], giv[NAME_MAX_LEN], city[64];
	struct addr_txt at;
	uint64_t idc;
	int32_t latest = UC_DATE_NONE;
	char latest_cal = 0;
	int null_blank = 0;

	if (!c->has_case)
		return 0;
	idc = ++g->seq_case;
	for (int i = 0; i < c->nhear; i++) {
		latest = c->hear[i].date;
		latest_cal = c->hear[i].cal;
	}
	trow_clear(t, A_NCOL);
	trow_u64(t, A_IDNCASE, idc);
	addr_render(c->moved && c->moved_on < c->nta_filed ? &c->addr2 : &c->addr, TC_UPPER, &at);
	if (g->o->defects && rng_chance(r, 0.0008) && at.city[0]) {
		/* a stray tab inside the free-text city, as in the real files
		 */
		size_t n = strlen(at.city), cut = n / 2;

		memcpy(city, at.city, cut);
		city[cut] = '\t';
		memcpy(city + cut + 1, at.city + cut, n - cut + 1);
		trow_copy(t, A_ALIEN_CITY, city);
	} else if (at.city[0]) {
		trow_copy(t, A_ALIEN_CITY, at.city);
	}
	trow_copy(t, A_ALIEN_STATE, at.state);
	if (at.zip[0])
		trow_copy(t, A_ALIEN_ZIPCODE, at.zip);
	if (c->moved && c->moved_on >= c->nta_filed && c->moved_on <= g->as_of) {
		struct addr_txt at2;

		addr_render(&c->addr2, TC_UPPER, &at2);
		trow_copy(t, A_UPDATED_CITY, at2.city);
		trow_copy(t, A_UPDATED_STATE, at2.state);
		trow_copy(t, A_UPDATED_ZIPCODE, at2.zip);
		trow_date(t, A_ADDRESS_CHANGEDON, c->moved_on);
	}
	if (g->o->defects && rng_chance(r, 0.0003))
		trow_set(t, A_NAT, "ZZ");
	else
		trow_set(t, A_NAT, countries[c->country].nat);
	trow_set(t, A_LANG, lang_eoir[c->lang]);
	trow_set(t, A_CUSTODY, rng_chance(r, 0.8) ? "R" : "N");
	if (c->represented) {
		trow_date(t, A_E_28_DATE, c->e28);
		trow_u64(t, A_ATTY_NBR, 100000 + (c->anum % 900000));
	}
	trow_set(t, A_CASE_TYPE, "RMV");
	trow_date(t, A_LATEST_HEARING, latest);
	if (latest_cal)
		trow_set(t, A_LATEST_CAL_TYPE, latest_cal == 'M' ? "M" : "I");
	trow_date(t, A_DATE_OF_ENTRY, c->enc);
	if (c->claim == CL_ASYLUM)
		trow_set(t, A_C_ASY_TYPE, c->has_case ? "E" : "I");
	trow_date(t, A_C_BIRTHDATE,
		  first_of_month(birth_render(g->hard, r, c->birth, st_eoir.bnoise)));
	trow_date(t, A_C_RELEASE_DATE, c->released);
	trow_set(t, A_Sex, c->sex == 'M' ? "M" : "F");
	{
		double u = rng_unit(r);

		trow_set(t, A_CASEPRIORITY_CODE, u < 0.85 ? "UC" : (u < 0.95 ? NULL : "N/A"));
	}
	anum_render(r, c->anum, g->hard ? g->hard->anum_missing : 0.07,
		    g->hard ? g->hard->anum_typo : 0.015, 0, an);
	if (an[0])
		trow_copy(t, A_ALIEN_NBR, an);
	name_render(g->hard, r, c, &st_eoir, fam, giv);
	trow_copy(t, A_LAST_NAME, fam);
	trow_copy(t, A_FIRST_NAME, giv);
	if (g->o->defects && rng_chance(r, 0.0008))
		null_blank = 1;
	trow_emit(g, &g->out[F_ACASE], t, A_NCOL, null_blank);
	fmt_u64(key, idc);
	truth_rec(g, F_ACASE, key, c->id, NULL);

	emit_eoir_proc(g, r, c, t, idc, 0);
	if (c->reopened)
		emit_eoir_proc(g, r, c, t, idc, 1);
	return idc;
}

static void emit_removal(struct gen *g, struct rng *r, const struct child *c, const char *action,
			 int32_t date, uint64_t idncase)
{
	struct out *o = &g->out[F_REM];
	char key[24], an[16];

	if (date == UC_DATE_NONE || date > g->as_of)
		return;
	fmt_key(key, sizeof(key), "RA", ++g->seq_rem, 8);
	anum_render(r, c->anum, 0, 0.01, 0, an);
	o_str(o, key);
	o_c(o, ',');
	o_str(o, an);
	o_c(o, ',');
	o_str(o, action);
	o_c(o, ',');
	o_date(o, date);
	o_c(o, ',');
	if (idncase)
		o_u64(o, idncase);
	o_row(g, o);
	truth_rec(g, F_REM, key, c->id, NULL);
}

static void emit_ice(struct gen *g, struct rng *r, const struct child *c, uint64_t idncase)
{
	if (c->dec_code == 'X') {
		int32_t got = clampd(c->dec_date + rng_range(r, 1, 45), g->as_of);

		emit_removal(g, r, c, "order_received", got, idncase);
		if (c->mtr_filed != UC_DATE_NONE && rng_chance(r, 0.5))
			emit_removal(g, r, c, "stay_granted",
				     clampd(c->mtr_filed + rng_range(r, 1, 20), g->as_of), idncase);
		if (c->rescinded)
			emit_removal(g, r, c, "order_rescinded", c->mtr_decided, idncase);
		if (c->removed)
			emit_removal(g, r, c, "removal_executed", c->removed_on, idncase);
	}
	for (int i = 0; i < c->nind; i++) {
		const struct ind *in = &c->ind[i];
		struct out *o = &g->out[F_IND];
		char key[24], an[16];

		if (in->date > g->as_of)
			continue;
		fmt_key(key, sizeof(key), "IND", ++g->seq_ind, 7);
		anum_render(r, c->anum, 0, 0.01, 0, an);
		o_str(o, key);
		o_c(o, ',');
		o_str(o, an);
		o_c(o, ',');
		o_str(o, in->category);
		o_c(o, ',');
		o_str(o, in->code);
		o_c(o, ',');
		o_str(o, in->source);
		o_c(o, ',');
		o_c(o, in->authorised ? 'Y' : 'N');
		o_c(o, ',');
		o_date(o, in->date);
		o_c(o, ',');
		o_csv(o, in->note);
		o_row(g, o);
		truth_rec(g, F_IND, key, c->id, NULL);
	}
}

static void json_kv(struct out *o, const char *k, const char *v)
{
	o_c(o, ',');
	o_json(o, k);
	o_c(o, ':');
	o_json(o, v);
}

static void emit_events(struct gen *g, const struct child *c)
{
	char an[16], key[24], date[11];

	if (!c->nev)
		return;
	anum_render(NULL, c->anum, 0, 0, 0, an);
	for (int i = 0; i < c->nev; i++) {
		const struct ev *e = &c->ev[i];
		struct out *o = &g->out[F_EVENTS];

		if (e->date > g->as_of)
			continue;
		fmt_key(key, sizeof(key), "EV-", ++g->seq_ev, 8);
		date_format(e->date, date);
		o_mem(o, "{\"event_id\":", 12);
		o_json(o, key);
		switch (e->type) {
		case EV_CONTACT:
			json_kv(o, "type", "contact_attempt");
			break;
		case EV_WELFARE:
			json_kv(o, "type", "welfare_check");
			break;
		case EV_TRAFFICKING:
			json_kv(o, "type", "trafficking_screening");
			break;
		case EV_REFERRAL:
			json_kv(o, "type", "referral");
			break;
		case EV_ADDRESS:
			json_kv(o, "type", "address_update");
			break;
		case EV_REPRESENTATION:
			json_kv(o, "type", "representation");
			break;
		case EV_ORIENTATION:
			json_kv(o, "type", "orientation");
			break;
		case EV_CLAIM:
			json_kv(o, "type", "claim");
			break;
		default:
			json_kv(o, "type", "motion_to_reopen");
			break;
		}
		json_kv(o, "a_number", an);
		json_kv(o, "occurred_at", date);
		json_kv(o, "recorded_by", e->by);
		switch (e->type) {
		case EV_CONTACT:
			json_kv(o, "method", e->a);
			json_kv(o, "outcome", e->b);
			break;
		case EV_WELFARE:
			json_kv(o, "outcome", e->a);
			break;
		case EV_TRAFFICKING:
			json_kv(o, "result", e->a);
			break;
		case EV_REFERRAL:
			json_kv(o, "to", e->a);
			if (e->b)
				json_kv(o, "reason", e->b);
			break;
		case EV_ADDRESS: {
			struct addr_txt at;

			addr_render(e->addr ? &c->addr2 : &c->addr, TC_UPPER, &at);
			json_kv(o, "street", at.street);
			json_kv(o, "unit", at.unit[0] == '?' ? "" : at.unit);
			json_kv(o, "city", at.city);
			json_kv(o, "state", at.state);
			json_kv(o, "zip", at.zip);
			json_kv(o, "status", e->a);
			break;
		}
		case EV_REPRESENTATION:
			json_kv(o, "provider", e->a);
			json_kv(o, "status", e->b);
			break;
		case EV_ORIENTATION:
			json_kv(o, "provider", e->a);
			break;
		case EV_CLAIM:
			json_kv(o, "claim_type", e->a);
			json_kv(o, "status", e->b);
			break;
		default:
			json_kv(o, "status", e->a);
			json_kv(o, "ground", e->b);
			break;
		}
		o_c(o, '}');
		o_row(g, o);
		truth_rec(g, F_EVENTS, key, c->id, NULL);
	}
}

static const char *yesno(int v)
{
	return v ? "Y" : "N";
}

static void emit_truth_child(struct gen *g, const struct child *c, uint64_t idncase)
{
	struct out *o = &g->out[F_TRUTH_CHILD];
	char buf[NAME_MAX_LEN], an[16], sp[12];

	o_str(o, c->id);
	o_c(o, ',');
	anum_render(NULL, c->anum, 0, 0, 0, an);
	o_str(o, an);
	o_c(o, ',');
	true_family(c, buf, sizeof(buf));
	o_csv(o, buf);
	o_c(o, ',');
	true_given(c, buf, sizeof(buf));
	o_csv(o, buf);
	o_c(o, ',');
	o_date(o, c->birth);
	o_c(o, ',');
	o_c(o, c->sex);
	o_c(o, ',');
	o_str(o, countries[c->country].iso);
	o_c(o, ',');
	o_str(o, lang_iso[c->lang]);
	o_c(o, ',');
	o_u64(o, 2019 + (uint64_t)c->fyi);
	o_c(o, ',');
	o_date(o, c->enc);
	o_c(o, ',');
	o_date(o, c->released);
	o_c(o, ',');
	sponsor_key(c, sp);
	o_str(o, sp);
	o_c(o, ',');
	o_str(o, cat_name[c->cat]);
	o_c(o, ',');
	if (c->cat != CAT_4)
		o_str(o, gen_states[c->addr.state].code);
	o_c(o, ',');
	if (c->cat != CAT_4)
		o_str(o, ap_name[c->addr.problem]);
	o_c(o, ',');
	o_str(o, yesno(c->nta == 2));
	o_c(o, ',');
	o_str(o, yesno(c->nta_filed != UC_DATE_NONE));
	o_c(o, ',');
	o_str(o, yesno(c->has_hearing));
	o_c(o, ',');
	o_str(o, yesno(c->fta));
	o_c(o, ',');
	o_str(o, yesno(c->absentia));
	o_c(o, ',');
	o_str(o, yesno(c->rescinded));
	o_c(o, ',');
	o_str(o, yesno(c->represented));
	o_c(o, ',');
	if (c->claim != CL_NONE && c->claim_status == 0)
		o_str(o, claim_name[c->claim]);
	o_c(o, ',');
	o_str(o, yesno(c->public_safety));
	o_c(o, ',');
	o_str(o, yesno(c->border_security));
	o_c(o, ',');
	o_str(o, yesno(c->trafficking));
	o_c(o, ',');
	o_str(o, yesno(c->repeat));
	o_c(o, ',');
	o_str(o, tvpra_name[c->tvpra]);
	o_c(o, ',');
	o_u64(o, (uint64_t)c->age);
	o_c(o, ',');
	if (idncase)
		o_u64(o, idncase);
	o_c(o, ',');
	if (c->dec_code)
		o_c(o, c->dec_code);
	o_c(o, ',');
	o_str(o, yesno(c->removed));
	o_c(o, ',');
	o_str(o, yesno(c->sponsor_hub));
	o_c(o, ',');
	o_str(o, yesno(c->address_hub));
	o_c(o, ',');
	o_str(o, yesno(c->moved));
	if (g->hard) {
		char fam[12];

		fmt_key(fam, sizeof(fam), "C", c->family + 1ULL, 7);
		o_c(o, ',');
		o_str(o, fam);
		o_c(o, ',');
		o_str(o, yesno(c->twin));
	}
	o_row(g, o);
}

static void emit_child(struct gen *g, const struct child *c, struct trow *t)
{
	struct rng r;
	char pkey[24];
	uint64_t idncase;

	rng_seed(&r, g->o->seed ^ 0xa5a5a5a5a5a5a5a5ULL, c->idx);
	if (c->repeat)
		emit_cbp_one(g, &r, c, c->enc0, c->sector0, c->tvpra0);
	emit_cbp_one(g, &r, c, c->enc, c->sector, c->tvpra);
	if (c->first_placed)
		emit_placement(g, &r, c, 1, pkey);
	emit_placement(g, &r, c, 0, pkey);
	emit_post_release(g, &r, c, pkey);
	emit_nta(g, &r, c);
	idncase = emit_eoir(g, &r, c, t);
	emit_ice(g, &r, c, idncase);
	emit_events(g, c);
	emit_truth_child(g, c, idncase);
}

/* ------------------------------------------------------------------ */
/* Files.                                                             */

static const char *const csv_headers[F_NFILES] = {
    [F_CBP] = "encounter_id,a_number,family_name,given_name,birth_date,sex,"
	      "country,language,encounter_date,sector,place,uac,tvpra_screening",
    [F_PLACE] = "placement_id,a_number,family_name,given_name,birth_date,sex,"
		"country,facility,admitted_date,released_date,discharge,sponsor_id,"
		"sponsor_family_name,sponsor_given_name,sponsor_relationship,"
		"sponsor_category,address_street,address_unit,address_city,"
		"address_state,address_zip,sponsor_phone",
    [F_POST] = "contact_id,placement_id,a_number,contact_date,method,result",
    [F_NTA] = "nta_id,a_number,family_name,given_name,birth_date,issued_date,"
	      "served_date,service_method,served_street,served_unit,served_city,"
	      "served_state,served_zip,filed_date,base_city_code",
    [F_REM] = "action_id,a_number,action,action_date,idncase",
    [F_IND] = "indicator_id,a_number,category,code,source,authorised,"
	      "observed_date,note",
    [F_TRUTH_REC] = "feed,table,source_key,child_id,sponsor_id",
    [F_TRUTH_CHILD] = "child_id,a_number,family_name,given_name,birth_date,sex,"
		      "country,language,fiscal_year,encounter_date,released_date,"
		      "sponsor_id,sponsor_category,sponsor_state,address_problem,"
		      "nta_served,nta_filed,has_hearing,failed_to_appear,in_absentia,"
		      "in_absentia_rescinded,represented,pending_claim,public_safety,"
		      "border_security,trafficking,repeat_encounter,tvpra,"
		      "age_at_referral,idncase,decision,removal_executed,sponsor_hub,"
		      "address_hub,moved",
};

static char *path_join3(const char *a, const char *b, const char *c)
{
	struct buf p;

	buf_init(&p, 8192);
	buf_adds(&p, a);
	if (b) {
		buf_addc(&p, '/');
		buf_adds(&p, b);
	}
	if (c) {
		buf_addc(&p, '/');
		buf_adds(&p, c);
	}
	if (buf_failed(&p)) {
		buf_release(&p);
		return NULL;
	}
	return buf_detach(&p, NULL);
}

static int mkdir_p(const char *path, struct uc_err *err)
{
	char *p = uc_xstrdup(path);
	int rc = UC_OK;

	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char save = *s;

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST) {
				rc = uc_error(err, UC_EIO, "cannot create directory %s: %s", p,
					      strerror(errno));
				goto out;
			}
			*s = save;
			if (!save)
				break;
		}
	}
out:
	free(p);
	return rc;
}

static void gen_close_all(struct gen *g, int remove_tmp)
{
	for (int i = 0; i < F_NFILES; i++) {
		struct out *o = &g->out[i];

		if (o->f)
			fclose(o->f);
		o->f = NULL;
		if (remove_tmp && o->tmp)
			unlink(o->tmp);
		free(o->tmp);
		free(o->path);
		o->tmp = o->path = NULL;
		buf_release(&o->b);
	}
}

static int gen_open_all(struct gen *g, struct uc_err *err)
{
	static const char *const dirs[] = {"eoir", "cbp", "orr", "ice", "events", "truth"};
	int rc;

	rc = mkdir_p(g->o->out_dir, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = path_join3(g->o->out_dir, dirs[i], NULL);

		if (!d)
			return uc_error(err, UC_EUSAGE, "output directory name too long");
		if (mkdir(d, 0777) != 0 && errno != EEXIST) {
			rc = uc_error(err, UC_EIO, "cannot create directory %s: %s", d,
				      strerror(errno));
			free(d);
			return rc;
		}
		free(d);
	}
	for (int i = 0; i < F_NFILES; i++) {
		struct out *o = &g->out[i];
		struct buf tn;

		buf_init(&o->b, OUT_CAP);
		buf_grow(&o->b, OUT_FLUSH_AT + 65536);
		o->path = path_join3(g->o->out_dir, file_info[i].dir, file_info[i].name);
		buf_init(&tn, 8192);
		buf_adds(&tn, g->o->out_dir);
		buf_addc(&tn, '/');
		buf_adds(&tn, file_info[i].dir);
		buf_addf(&tn, "/.%s.tmp%ld", file_info[i].name, (long)getpid());
		if (!o->path || buf_failed(&tn)) {
			buf_release(&tn);
			return uc_error(err, UC_EUSAGE, "output directory name too long");
		}
		o->tmp = buf_detach(&tn, NULL);
		o->f = fopen(o->tmp, "wb");
		if (!o->f)
			return uc_error(err, UC_EIO, "cannot create %s: %s", o->tmp,
					strerror(errno));
		setvbuf(o->f, NULL, _IOFBF, 1 << 20);
	}
	return UC_OK;
}

static void write_headers(struct gen *g)
{
	header_tsv(&g->out[F_ACASE], a_cols, A_NCOL);
	header_tsv(&g->out[F_BPROC], b_cols, B_NCOL);
	header_tsv(&g->out[F_SCHED], s_cols, S_NCOL);
	header_tsv(&g->out[F_JUV], j_cols, J_NCOL);
	for (int i = 0; i < F_NFILES; i++) {
		if (csv_headers[i]) {
			o_str(&g->out[i], csv_headers[i]);
			if (i == F_TRUTH_CHILD && g->hard)
				o_str(&g->out[i], ",family_id,twin");
			o_c(&g->out[i], '\n');
		}
	}
}

static void write_count(struct gen *g)
{
	static const int tabs[] = {F_ACASE, F_BPROC, F_SCHED, F_JUV};
	struct out *o = &g->out[F_COUNT_TXT];

	for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		o_str(o, file_info[tabs[i]].table);
		o_c(o, '\t');
		o_u64(o, g->out[tabs[i]].rows);
		o_c(o, '\n');
	}
}

/* The rates, by name, for gen_rate_set() and the checks. */
static const struct {
	const char *name;
	size_t off;
} rate_names[] = {
#define RATE(n)                                                                                    \
	{                                                                                          \
#n, offsetof(struct gen_rates, n)                                                  \
	}
    RATE(anum_missing), RATE(anum_typo), RATE(dob_noise), RATE(jan1),	  RATE(dob_swap),
    RATE(giv_typo),	RATE(fam_typo),	 RATE(sur_drop),  RATE(sur_swap), RATE(sur_join),
    RATE(sibling),	RATE(twin),	 RATE(name_pool),
#undef RATE
};
#define NRATES (sizeof(rate_names) / sizeof(rate_names[0]))

void gen_rates_hard(struct gen_rates *r)
{
	r->anum_missing = 0.30;
	r->anum_typo = 0.03;
	r->dob_noise = 0.20;
	r->jan1 = 0.35;
	r->dob_swap = 0.25;
	r->giv_typo = 0.15;
	r->fam_typo = 0.05;
	r->sur_drop = 0.20;
	r->sur_swap = 0.10;
	r->sur_join = 0.10;
	r->sibling = 0.15;
	r->twin = 0.10;
	r->name_pool = 0.5;
}

static double *rate_at(struct gen_rates *r, size_t i)
{
	return (double *)(void *)((char *)r + rate_names[i].off);
}

int gen_rate_set(struct gen_rates *r, const char *assign, struct uc_err *err)
{
	const char *eq = assign ? strchr(assign, '=') : NULL;
	char *end = NULL;
	double v;
	size_t i;

	if (!eq || eq == assign || !eq[1])
		return uc_error(err, UC_EUSAGE, "gen: --rate wants NAME=VALUE, not '%s'",
				assign ? assign : "");
	for (i = 0; i < NRATES; i++) {
		if (strlen(rate_names[i].name) == (size_t)(eq - assign) &&
		    strncmp(rate_names[i].name, assign, (size_t)(eq - assign)) == 0)
			break;
	}
	if (i == NRATES)
		return uc_error(err, UC_EUSAGE,
				"gen: unknown rate '%.*s' (known: anum_missing, anum_typo, "
				"dob_noise, jan1, dob_swap, giv_typo, fam_typo, sur_drop, "
				"sur_swap, sur_join, sibling, twin, name_pool)",
				(int)(eq - assign), assign);
	errno = 0;
	v = strtod(eq + 1, &end);
	if (errno || !end || *end || !(v >= 0 && v <= 1))
		return uc_error(err, UC_EUSAGE,
				"gen: rate %s must be a number in 0..1, not "
				"'%s'",
				rate_names[i].name, eq + 1);
	*rate_at(r, i) = v;
	return UC_OK;
}

/* Rates that only make sense together. */
static int gen_rates_check(const struct gen_rates *r, struct uc_err *err)
{
	for (size_t i = 0; i < NRATES; i++) {
		double v = *rate_at((struct gen_rates *)r, i);

		if (!(v >= 0 && v <= 1))
			return uc_error(err, UC_EUSAGE, "gen: rate %s must be in 0..1, not %g",
					rate_names[i].name, v);
	}
	if (r->jan1 + r->dob_swap > 1)
		return uc_error(err, UC_EUSAGE,
				"gen: jan1 + dob_swap must be at most 1 (they "
				"share the inexact dates), not %g",
				r->jan1 + r->dob_swap);
	if (r->sur_drop + r->sur_swap + r->sur_join > 1)
		return uc_error(err, UC_EUSAGE,
				"gen: sur_drop + sur_swap + sur_join must be "
				"at most 1, not %g",
				r->sur_drop + r->sur_swap + r->sur_join);
	if (r->name_pool <= 0)
		return uc_error(err, UC_EUSAGE,
				"gen: name_pool must be above 0 (a share of "
				"each name pool)");
	return UC_OK;
}

int32_t gen_default_as_of(void)
{
	return date_from_ymd(2025, 6, 30);
}

int gen_run(const struct gen_opts *opts, struct uc_err *err)
{
	struct gen *g = NULL;
	struct child *c = NULL, *prev = NULL;
	struct trow *t = NULL;
	struct progress prog;
	uint64_t x;
	int rc = UC_OK;

	if (!opts || !opts->out_dir || !*opts->out_dir)
		return uc_error(err, UC_EUSAGE, "gen: no output directory given (--out DIR)");
	if (opts->children < 1 || opts->children > GEN_MAX_CHILDREN)
		return uc_error(err, UC_EUSAGE, "gen: --children must be 1..%ld, not %ld",
				GEN_MAX_CHILDREN, opts->children);
	g = uc_xcalloc(1, sizeof(*g));
	c = uc_xmalloc(sizeof(*c));
	prev = uc_xmalloc(sizeof(*prev));
	t = uc_xmalloc(sizeof(*t));
	g->o = opts;
	if (opts->hard) {
		rc = gen_rates_check(&opts->rates, err);
		if (rc)
			goto out;
		g->hard = &opts->rates;
	}
	g->as_of = opts->as_of == UC_DATE_NONE ? gen_default_as_of() : opts->as_of;
	if (g->as_of < date_from_ymd(2019, 10, 1)) {
		rc = uc_error(err, UC_EUSAGE,
			      "gen: --as-of must be 2019-10-01 or later "
			      "(children are generated for FY2019-FY2024)");
		goto out;
	}
	x = opts->seed;
	g->anum_off = splitmix64(&x) % 100000000ULL;
	/* EOIR-like identifier ranges */
	g->seq_case = 4000000;
	g->seq_proc = 9000000;
	g->seq_sched = 20000000;
	g->seq_juv = 300000;
	g->nhub_sponsor = (uint32_t)(opts->children / 250);
	g->nhub_addr = (uint32_t)(opts->children / 1000);

	rc = gen_open_all(g, err);
	if (rc)
		goto out;
	write_headers(g);
	progress_start(&prog, "gen", (uint64_t)opts->children);
	if (!opts->progress)
		prog.enabled = 0;
	for (long i = 0; i < opts->children; i++) {
		struct child *swap;

		child_make(g, c, (uint32_t)i, i > 0 ? prev : NULL);
		emit_child(g, c, t);
		swap = prev;
		prev = c;
		c = swap;
		progress_tick(&prog, (uint64_t)i + 1);
		if (g->io_errno)
			break;
	}
	progress_end(&prog);
	write_count(g);
	for (int i = 0; i < F_NFILES; i++) {
		struct out *o = &g->out[i];

		if (buf_failed(&o->b)) {
			rc = uc_error(err, UC_EINTERNAL, "gen: row buffer cap reached for %s",
				      o->path);
			goto out;
		}
		out_flush(g, o);
		if (!g->io_errno && fflush(o->f) != 0) {
			g->io_errno = errno ? errno : EIO;
			g->io_file = i;
		}
		if (g->io_errno) {
			rc = uc_error(err, UC_EIO, "cannot write %s: %s", g->out[g->io_file].tmp,
				      strerror(g->io_errno));
			goto out;
		}
	}
	for (int i = 0; i < F_NFILES; i++) {
		struct out *o = &g->out[i];
		int bad = fclose(o->f);

		o->f = NULL;
		if (bad) {
			rc = uc_error(err, UC_EIO, "cannot write %s: %s", o->tmp, strerror(errno));
			goto out;
		}
	}
	for (int i = 0; i < F_NFILES; i++) {
		struct out *o = &g->out[i];

		if (rename(o->tmp, o->path) != 0) {
			rc = uc_error(err, UC_EIO, "cannot rename %s to %s: %s", o->tmp, o->path,
				      strerror(errno));
			goto out;
		}
		free(o->tmp);
		o->tmp = NULL;
	}
out:
	if (g)
		gen_close_all(g, rc != UC_OK);
	free(g);
	free(c);
	free(prev);
	free(t);
	return rc;
}
