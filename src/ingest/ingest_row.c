/*
 * ingest_row.c - one row of a feed file: the duplicate and stored-already
 * checks, the per-column checks and normalisation, diagnostics and
 * rejects, the INSERT and the derived rows (addresses, claims,
 * representation). Internal to the ingest module (ingest_int.h).
 */
#include "ingest/ingest.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/seal.h"
#include "core/anum.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/progress.h"
#include "ingest/csvr.h"
#include "ingest/evpar.h"
#include "ingest/ingest_spec.h"
#include "ingest/iso.h"
#include "ingest/lookup.h"
#include "ingest/lread.h"
#include "ingest/fnorm.h"
#include "ingest/wpipe.h"
#include "ingest/ingest_int.h"

/* Key of the rhash ingest_siphash: fixed, so hashes are stable across runs. */
static const unsigned char RHASH_KEY[crypto_shorthash_KEYBYTES] = "uctrack-rhash-01";

/* Returns the existing entry for key, or inserts (rhash, line) and
 * returns NULL. */
struct dup_ent *ingest_dup_check(struct dupmap *m, uint64_t key, uint64_t rhash, long line)
{
	size_t i;

	if (key == 0)
		key = 1;
	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 4096;
		struct dup_ent *ne = uc_xcalloc(ncap, sizeof(*ne));

		for (size_t k = 0; k < m->cap; k++) {
			if (!m->e[k].key)
				continue;
			i = m->e[k].key & (ncap - 1);
			while (ne[i].key)
				i = (i + 1) & (ncap - 1);
			ne[i] = m->e[k];
		}
		free(m->e);
		m->e = ne;
		m->cap = ncap;
	}
	for (i = key & (m->cap - 1); m->e[i].key; i = (i + 1) & (m->cap - 1))
		if (m->e[i].key == key)
			return &m->e[i];
	m->e[i].key = key;
	m->e[i].rhash = rhash;
	m->e[i].line = line;
	m->n++;
	return NULL;
}

/* Start loading the slot ingest_dup_check(m, key, ...) probes first: the map is
 * far bigger than the caches, so each check is a cache miss; issued before
 * the row's content hash is computed, the two overlap. */
void ingest_dup_prefetch(const struct dupmap *m, uint64_t key)
{
	if (key == 0)
		key = 1;
	if (m->cap)
		__builtin_prefetch(&m->e[key & (m->cap - 1)], 1);
}

/* Size m for about n keys up front (no rehash while it holds them). */
void ingest_dup_reserve(struct dupmap *m, size_t n)
{
	size_t cap = 4096;

	if (m->cap || n > ((size_t)1 << 28))
		return;
	while (cap < n * 2)
		cap *= 2;
	m->e = uc_xcalloc(cap, sizeof(*m->e));
	m->cap = cap;
}

void ingest_dup_release(struct dupmap *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

static size_t rset_slot(uint64_t v, size_t cap)
{
	/* rhash is a SipHash: its low bits are already uniform. */
	return (size_t)v & (cap - 1);
}

void ingest_rset_add(struct rset *s, uint64_t v)
{
	size_t i;

	if (v == 0) {
		s->has_zero = 1;
		return;
	}
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4096;
		uint64_t *ne = uc_xcalloc(ncap, sizeof(*ne));

		for (size_t k = 0; k < s->cap; k++) {
			if (!s->e[k])
				continue;
			for (i = rset_slot(s->e[k], ncap); ne[i]; i = (i + 1) & (ncap - 1))
				;
			ne[i] = s->e[k];
		}
		free(s->e);
		s->e = ne;
		s->cap = ncap;
	}
	for (i = rset_slot(v, s->cap); s->e[i]; i = (i + 1) & (s->cap - 1))
		if (s->e[i] == v)
			return;
	s->e[i] = v;
	s->n++;
}

static int rset_has(const struct rset *s, uint64_t v)
{
	if (v == 0)
		return s->has_zero;
	if (!s->cap)
		return 0;
	for (size_t i = rset_slot(v, s->cap); s->e[i]; i = (i + 1) & (s->cap - 1))
		if (s->e[i] == v)
			return 1;
	return 0;
}

void ingest_rset_release(struct rset *s)
{
	free(s->e);
	memset(s, 0, sizeof(*s));
}

static const char *const vcol_names[VC_N] = {
    "a_number",		  "street",	 "unit",	"city",	     "state",	    "zip",
    "released_date",	  "served_date", "issued_date", "upd_city",  "upd_state",   "upd_zip",
    "address_changed_on", "atty_nbr",	 "nat_code",	"lang_code", "notice_code",
};
/* ---- diagnostics ---------------------------------------------------- */

static void reject_write(struct ingest_ctx *c, const char *file, long line, long col,
			 const char *field, const char *problem, const char *raw, size_t raw_len)
{
	char num[64];

	if (!c->rej)
		return;
	csv_fwrite(c->rej, file, strlen(file));
	snprintf(num, sizeof(num), ",%ld,%ld,", line, col);
	fputs(num, c->rej);
	csv_fwrite(c->rej, field, strlen(field));
	fputc(',', c->rej);
	csv_fwrite(c->rej, problem, strlen(problem));
	fputc(',', c->rej);
	csv_fwrite(c->rej, raw ? raw : "", raw ? raw_len : 0);
	fputc('\n', c->rej);
}

/* Where spec column k (or source field index f when k < 0) is. */
void ingest_field_pos(struct frun *fr, int k, int f, long *line, long *col)
{
	int src = k >= 0 ? fr->fidx[k] : f;

	*line = fr->line;
	*col = 1;
	if (fr->kind == 0 && fr->crow) {
		csvr_field_pos(fr->crow, src, line, col);
	} else if (fr->kind == 1 && fr->ef && src >= 0) {
		*col = (long)(fr->ef[src] - fr->eline) + 1;
	}
}

/* Record an error of the current row at (line, col). */
void ingest_row_error_at(struct frun *fr, long line, long col, const char *field, const char *fmt,
			 ...) __attribute__((format(printf, 5, 6)));
void ingest_row_error_at(struct frun *fr, long line, long col, const char *field, const char *fmt,
			 ...)
{
	struct ingest_ctx *c = fr->c;
	va_list ap;

	buf_reset(&c->mb);
	va_start(ap, fmt);
	buf_vaddf(&c->mb, fmt, ap);
	va_end(ap);
	fr->nerr++;
	fr->row_bad = 1;
	if (fr->nerr <= INGEST_MAX_SHOWN)
		fprintf(c->diag, "%s:%ld:%ld: %s: %s\n", fr->path, line, col, field,
			c->mb.ptr ? c->mb.ptr : "");
	reject_write(c, fr->path, line, col, field, c->mb.ptr ? c->mb.ptr : "", fr->raw,
		     fr->raw_len);
}

void ingest_warn_at(struct frun *fr, long line, long col, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void ingest_warn_at(struct frun *fr, long line, long col, const char *field, const char *fmt, ...)
{
	va_list ap;

	fr->nwarn++;
	if (fr->nwarn > INGEST_MAX_SHOWN)
		return;
	fprintf(fr->c->diag, "%s:%ld:%ld: %s: warning: ", fr->path, line, col, field);
	va_start(ap, fmt);
	vfprintf(fr->c->diag, fmt, ap);
	va_end(ap);
	fputc('\n', fr->c->diag);
}

/*
 * The file's byte-order mark, seen at line 1 (lread.h): a UTF-8 one was
 * skipped, which is noted; a UTF-16 one is an error at 1:1 saying what to
 * do (the file is not read further). Returns -1 after that error, else 0.
 */
int ingest_bom_check_file(struct frun *fr, int bom)
{
	const char *field = fr->kind == 2 ? "file" : "header";

	if (bom == LREAD_BOM_UTF8) {
		ingest_warn_at(fr, 1, 1, field,
			       "UTF-8 byte-order mark (EF BB BF) at the start of the file "
			       "skipped");
		return 0;
	}
	if (bom != LREAD_BOM_UTF16LE && bom != LREAD_BOM_UTF16BE)
		return 0;
	fr->raw = "";
	fr->raw_len = 0;
	ingest_row_error_at(fr, 1, 1, field,
			    "the file starts with a UTF-16 %s byte-order mark (%s): it is "
			    "UTF-16 text, and feed files must be UTF-8; save it as UTF-8 "
			    "(e.g. \"CSV UTF-8\", or iconv -f UTF-16 -t UTF-8) and import it "
			    "again",
			    bom == LREAD_BOM_UTF16LE ? "little-endian" : "big-endian",
			    bom == LREAD_BOM_UTF16LE ? "FF FE" : "FE FF");
	return -1;
}

/* ---- derived rows ---------------------------------------------------- */

static int contains_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = 0; i + wl <= n; i++) {
		if (strncasecmp(s + i, w, wl) != 0)
			continue;
		if (i > 0 &&
		    ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') || (s[i - 1] >= 'a' && s[i - 1] <= 'z')))
			continue;
		if (i + wl < n && ((s[i + wl] >= 'A' && s[i + wl] <= 'Z') ||
				   (s[i + wl] >= 'a' && s[i + wl] <= 'z')))
			continue;
		return 1;
	}
	return 0;
}

/* Address status (docs/formats.md §3) from the address parts. */
static const char *address_status(const char *street, const char *unit, const char *city)
{
	int multi, has_unit;

	if ((!street || !*street) && (!city || !*city))
		return "blank";
	has_unit = unit && *unit && strcmp(unit, "?") != 0;
	multi = (unit && strcmp(unit, "?") == 0);
	if (street) {
		size_t n = strlen(street);

		multi |= contains_word(street, n, "APT") || contains_word(street, n, "UNIT") ||
			 memchr(street, '#', n) != NULL;
	}
	if (multi && !has_unit)
		return "missing_unit";
	return "unverified";
}

/*
 * The statements rows are written with besides the tables' INSERTs (those
 * are ingest_prepare_insert's): prepared before a file's rows are written, since
 * a threaded write pipe owns the connection until it is synced.
 */
int ingest_prepare_writes(struct ingest_ctx *c, struct uc_err *err)
{
	int rc = ingest_prep(c, &c->q_addr,
			     "INSERT INTO address(src_tbl,src_rid,a_number,street,unit,city,"
			     "state,zip,status,as_of) VALUES(?,?,?,?,?,?,?,?,?,?)",
			     err);

	if (!rc)
		rc = ingest_prep(c, &c->q_repr,
				 "INSERT INTO representation(src_tbl,src_rid,a_number,provider,"
				 "kind,status,on_date) VALUES(?,?,?,?,?,?,?)",
				 err);
	if (!rc)
		rc = ingest_prep(c, &c->q_claim,
				 "INSERT INTO claim(src_tbl,src_rid,a_number,claim_type,status,"
				 "on_date) VALUES('field_event',?,?,?,?,?)",
				 err);
	if (!rc)
		rc = ingest_prep(c, &c->q_event,
				 "INSERT INTO field_event(rid,file_id,line,skey,rhash,a_number,"
				 "type,occurred_at,recorded_by,body) VALUES(?,?,?,?,?,?,?,?,?,?)",
				 err);
	if (!rc)
		rc = ingest_prep(c, &c->q_ehas,
				 "SELECT 1 FROM field_event WHERE skey=? AND rhash=? LIMIT 1", err);
	return rc;
}

/*
 * Derived rows, written through c->wp (ingest_prepare_writes first). The text
 * arguments are borrowed: the pipe copies them.
 */
int ingest_add_address(struct ingest_ctx *c, const char *tbl, int64_t rid, const char *anum,
		       const char *street, const char *unit, const char *city, const char *state,
		       const char *zip, const char *status, const char *as_of, struct uc_err *err)
{
	struct wpipe *p = c->wp;

	wpipe_stmt(p, c->q_addr);
	wpipe_text(p, 1, tbl, -1);
	wpipe_int(p, 2, rid);
	wpipe_text(p, 3, anum, -1);
	wpipe_text(p, 4, street, -1);
	wpipe_text(p, 5, unit, -1);
	wpipe_text(p, 6, city, -1);
	wpipe_text(p, 7, state, -1);
	wpipe_text(p, 8, zip, -1);
	wpipe_text(p, 9, status, -1);
	wpipe_text(p, 10, as_of, as_of ? 10 : -1);
	return wpipe_end(p, err);
}

int ingest_add_repr(struct ingest_ctx *c, const char *tbl, int64_t rid, const char *anum,
		    const char *provider, const char *kind, const char *status, const char *on_date,
		    struct uc_err *err)
{
	struct wpipe *p = c->wp;

	wpipe_stmt(p, c->q_repr);
	wpipe_text(p, 1, tbl, -1);
	wpipe_int(p, 2, rid);
	wpipe_text(p, 3, anum, -1);
	wpipe_text(p, 4, provider, -1);
	wpipe_text(p, 5, kind, -1);
	wpipe_text(p, 6, status, -1);
	wpipe_text(p, 7, on_date, on_date ? 10 : -1);
	return wpipe_end(p, err);
}

int ingest_add_claim(struct ingest_ctx *c, int64_t rid, const char *anum, const char *type,
		     const char *status, const char *on_date, struct uc_err *err)
{
	struct wpipe *p = c->wp;

	wpipe_stmt(p, c->q_claim);
	wpipe_int(p, 1, rid);
	wpipe_text(p, 2, anum, -1);
	wpipe_text(p, 3, type, -1);
	wpipe_text(p, 4, status, -1);
	wpipe_text(p, 5, on_date, on_date ? 10 : -1);
	return wpipe_end(p, err);
}

static int table_index_of(const struct table_spec *ts)
{
	return (int)(ts - ingest_tables);
}

/* Value of the spec column id (enum vcol_id) in vals, or NULL (blank, or
 * no such column). c->vix[table] is filled by ingest_prepare_insert(). */
static const char *vcol(const struct ingest_ctx *c, const struct table_spec *ts,
			const struct val *v, int id)
{
	int k = c->vix[table_index_of(ts)][id];

	if (k < 0)
		return NULL;
	return v[k].null ? NULL : v[k].p;
}

/* Resolve the vcol_id columns of table spec ti (once). */
static void vcol_resolve(struct ingest_ctx *c, const struct table_spec *ts, int ti)
{
	for (int id = 0; id < VC_N; id++) {
		c->vix[ti][id] = -1;
		for (int k = 0; k < ts->ncols; k++) {
			const char *name = ts->cols[k].db ? ts->cols[k].db : ts->cols[k].name;

			if (strcmp(name, vcol_names[id]) == 0) {
				c->vix[ti][id] = (signed char)k;
				break;
			}
		}
	}
}

/*
 * The address in a row's street/unit/city/state/zip columns, as of as_of,
 * into the address history. A row with no address field is skipped unless
 * keep_blank (an ORR release with a blank address is itself a fact: the
 * child was released to no known address).
 */
static int derive_street_address(struct ingest_ctx *c, const struct table_spec *ts, int64_t rid,
				 const char *anum, struct val *v, const char *as_of, int keep_blank,
				 struct uc_err *err)
{
	const char *street = vcol(c, ts, v, VC_STREET);
	const char *unit = vcol(c, ts, v, VC_UNIT);
	const char *city = vcol(c, ts, v, VC_CITY);
	const char *state = vcol(c, ts, v, VC_STATE);
	const char *zip = vcol(c, ts, v, VC_ZIP);

	if (!keep_blank && !street && !unit && !city && !state && !zip)
		return UC_OK;
	return ingest_add_address(c, ts->tbl, rid, anum, street, unit, city, state, zip,
				  address_status(street, unit, city), as_of, err);
}

static int derive_table_row(struct ingest_ctx *c, const struct table_spec *ts, int64_t rid,
			    struct val *v, struct uc_err *err)
{
	const char *anum = vcol(c, ts, v, VC_A_NUMBER);

	if (strcmp(ts->tbl, "orr_placement") == 0) {
		const char *rel = vcol(c, ts, v, VC_RELEASED_DATE);

		/* a placement still in care without an address says nothing */
		return derive_street_address(c, ts, rid, anum, v, rel, rel != NULL, err);
	}
	if (strcmp(ts->tbl, "ice_nta") == 0) {
		const char *as_of = vcol(c, ts, v, VC_SERVED_DATE);

		if (!as_of)
			as_of = vcol(c, ts, v, VC_ISSUED_DATE);
		return derive_street_address(c, ts, rid, anum, v, as_of, 0, err);
	}
	if (strcmp(ts->tbl, "eoir_case") == 0) {
		const char *city = vcol(c, ts, v, VC_UPD_CITY);
		const char *state = vcol(c, ts, v, VC_UPD_STATE);
		const char *zip = vcol(c, ts, v, VC_UPD_ZIP);
		const char *as_of = vcol(c, ts, v, VC_ADDRESS_CHANGED_ON);
		const char *atty = vcol(c, ts, v, VC_ATTY_NBR);
		int rc;

		if (!city && !state && !zip) {
			city = vcol(c, ts, v, VC_CITY);
			state = vcol(c, ts, v, VC_STATE);
			zip = vcol(c, ts, v, VC_ZIP);
			as_of = NULL;
		}
		if (city || state || zip) {
			rc = ingest_add_address(c, ts->tbl, rid, anum, NULL, NULL, city, state, zip,
						city ? "unverified" : "blank", as_of, err);
			if (rc)
				return rc;
		}
		if (atty) {
			/* The counsel's start is the case's input date, which lives
			 * in B_TblProceeding: filled when proceedings are imported. */
			return ingest_add_repr(c, ts->tbl, rid, anum, atty, "counsel", "started",
					       NULL, err);
		}
	}
	return UC_OK;
}

/* ---- rows ------------------------------------------------------------ */

uint64_t ingest_siphash(const void *p, size_t n)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v = 0;

	crypto_shorthash(h, p, n, RHASH_KEY);
	for (int i = 0; i < 8; i++)
		v = (v << 8) | h[i];
	return v;
}

/*
 * The bytes rhash is computed over, into c->hb: the table name and NUL,
 * then per column NUL (SQL NULL) or 0x01, the value and NUL. Written in
 * one pass after one size check (this runs for every row). Returns 0, or
 * -1 when the row is too large for c->hb.
 */
static int hash_input(struct ingest_ctx *c, const struct table_spec *ts, const struct val *v)
{
	size_t tl = strlen(ts->tbl), need = tl + 1;
	char *p;

	for (int k = 0; k < ts->ncols; k++)
		need += v[k].null ? 1 : v[k].n + 2;
	buf_reset(&c->hb);
	if (buf_grow(&c->hb, need))
		return -1;
	p = c->hb.ptr;
	memcpy(p, ts->tbl, tl + 1);
	p += tl + 1;
	for (int k = 0; k < ts->ncols; k++) {
		if (v[k].null) {
			*p++ = '\0';
			continue;
		}
		*p++ = '\1';
		memcpy(p, c->vb.ptr + v[k].off, v[k].n);
		p += v[k].n;
		*p++ = '\0';
	}
	c->hb.len = need;
	c->hb.ptr[need] = '\0';
	return 0;
}

void ingest_unknown_code(struct frun *fr, int k, const char *code, size_t n)
{
	struct unkmap *m = fr->unk;
	uint64_t h = 1469598103934665603ull ^ (uint64_t)k;
	size_t i;

	fr->unknown++;
	if (n >= sizeof(m->e[0].code))
		n = sizeof(m->e[0].code) - 1;
	for (size_t j = 0; j < n; j++)
		h = (h ^ (unsigned char)code[j]) * 1099511628211ull;
	for (i = h & 1023;; i = (i + 1) & 1023) {
		struct unk_ent *e = &m->e[i];

		if (e->field < 0 || e->n == 0) {
			long line, col;

			if (m->used >= 768) {
				m->overflow++;
				return;
			}
			e->field = k;
			memcpy(e->code, code, n);
			e->code[n] = '\0';
			e->n = 1;
			e->first_line = fr->line;
			m->used++;
			ingest_field_pos(fr, k, -1, &line, &col);
			ingest_warn_at(fr, line, col, fr->ts->cols[k].name,
				       "code '%s' is not in %s (kept; counted in unknown_code)",
				       e->code, fr->ts->cols[k].lk);
			return;
		}
		if (e->field == k && strlen(e->code) == n && memcmp(e->code, code, n) == 0) {
			e->n++;
			return;
		}
	}
}

/* USPS codes of the states, DC, the territories and the military
 * "states" (AA, AE, AP), and the freely associated states. */
static const char *const US_STATES[] = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP", "UM", "AA", "AE", "AP", "FM", "MH", "PW", NULL};

/* 1 when s[0..n) is a USPS state code (any case); out gets it in upper
 * case. */
int ingest_state_code(const char *s, size_t n, char out[3])
{
	if (n != 2)
		return 0;
	for (int i = 0; i < 2; i++) {
		char ch = s[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		out[i] = ch;
	}
	out[2] = '\0';
	return fnorm_enum(out, 2, US_STATES) >= 0;
}

/* 1 when s[0..n) reads as a ZIP code: 3 to 10 digits or '-' (ZIP, ZIP+4,
 * a ZIP whose leading zeros were dropped). */
int ingest_zip_shape(const char *s, size_t n)
{
	if (n < 3 || n > 10)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* Check and normalise the value of spec column k from s[0..n). */
void ingest_check_value(struct frun *fr, int k, const char *s, size_t n, struct val *v)
{
	struct ingest_ctx *c = fr->c;
	const struct col_spec *cs = &fr->ts->cols[k];
	long bad_utf8;
	int r;

	v->off = c->vb.len;
	v->n = 0;
	v->null = 1;
	v->is_int = 0;
	fnorm_trim(&s, &n);
	if (fr->kind == 1 && n == 4 && memcmp(s, "NULL", 4) == 0)
		n = 0;
	bad_utf8 = fnorm_utf8_invalid(s, n);
	if (bad_utf8 >= 0) {
		long line, col;

		ingest_field_pos(fr, k, -1, &line, &col);
		/* the offset is within the trimmed value: good enough for one-line fields */
		ingest_row_error_at(fr, line, col + bad_utf8, cs->name,
				    "invalid UTF-8 (byte 0x%02X); save the file as UTF-8",
				    (unsigned char)s[bad_utf8]);
		return;
	}
	switch (cs->type) {
	case T_KEY:
	case T_TEXT:
		if (n == 0) {
			if (cs->type == T_KEY)
				row_error(fr, k, cs->name, "the source key is blank");
			return;
		}
		fnorm_text(s, n, &c->vb);
		break;
	case T_ANUM:
	case T_ANUM_REQ: {
		char a[10];

		r = anum_parse(s, n, a);
		if (r == ANUM_BLANK) {
			if (cs->type == T_ANUM_REQ)
				row_error(fr, k, cs->name, "A-number is required");
			return;
		}
		if (r == ANUM_BAD) {
			row_error(fr, k, cs->name,
				  "'%.*s' is not an A-number (8 or 9 digits, optional A prefix and "
				  "dashes)",
				  (int)(n > 40 ? 40 : n), s);
			return;
		}
		buf_add(&c->vb, a, 9);
		break;
	}
	case T_DATE:
	case T_DATE_REQ: {
		char d[11];

		r = fr->kind == 1 ? fnorm_date(s, n, d) : fnorm_date_strict(s, n, d);
		if (r == FNORM_BLANK) {
			if (cs->type == T_DATE_REQ)
				row_error(fr, k, cs->name, "date is required (YYYY-MM-DD)");
			return;
		}
		if (r == FNORM_BAD) {
			row_error(fr, k, cs->name, "'%.*s' is not a date (YYYY-MM-DD)",
				  (int)(n > 40 ? 40 : n), s);
			return;
		}
		buf_add(&c->vb, d, 10);
		break;
	}
	case T_ENUM:
	case T_ENUM_REQ:
		if (n == 0) {
			if (cs->type == T_ENUM_REQ) {
				buf_reset(&c->mb);
				fnorm_enum_list(cs->allowed, &c->mb);
				row_error(fr, k, cs->name, "value is required; allowed: %s",
					  c->mb.ptr);
			}
			return;
		}
		if (fnorm_enum(s, n, cs->allowed) < 0) {
			struct buf b;

			buf_init(&b, 2048);
			fnorm_enum_list(cs->allowed, &b);
			row_error(fr, k, cs->name, "unknown value '%.*s'; allowed: %s%s",
				  (int)(n > 40 ? 40 : n), s, b.ptr,
				  cs->type == T_ENUM ? ", or blank" : "");
			buf_release(&b);
			return;
		}
		buf_add(&c->vb, s, n);
		break;
	case T_COUNTRY: {
		char cc[3];

		if (n == 0)
			return;
		if (n != 2 || !(cc[0] = s[0], cc[1] = s[1], cc[2] = '\0', iso_is_country(cc))) {
			row_error(
			    fr, k, cs->name,
			    "'%.*s' is not an ISO 3166-1 alpha-2 country code (e.g. HN, GT, SV)",
			    (int)(n > 40 ? 40 : n), s);
			return;
		}
		buf_add(&c->vb, s, n);
		break;
	}
	case T_LANG:
		if (n == 0)
			return;
		if (n != 3 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z' || s[2] < 'a' ||
		    s[2] > 'z') {
			row_error(fr, k, cs->name,
				  "'%.*s' is not an ISO 639-3 language code (e.g. spa, kek, mam)",
				  (int)(n > 40 ? 40 : n), s);
			return;
		}
		buf_add(&c->vb, s, n);
		break;
	case T_YN_INT:
		if (n != 1 || (s[0] != 'Y' && s[0] != 'N')) {
			row_error(fr, k, cs->name, "'%.*s': allowed: Y, N", (int)(n > 40 ? 40 : n),
				  s);
			return;
		}
		v->is_int = 1;
		v->i = s[0] == 'Y';
		buf_add(&c->vb, s, 1);
		break;
	case T_IKEY:
	case T_INT:
	case T_INT_REQ: {
		long long x;

		r = fnorm_int(s, n, &x);
		if (r == FNORM_BLANK) {
			if (cs->type != T_INT)
				row_error(fr, k, cs->name, "%s",
					  cs->type == T_IKEY ? "the source key is blank"
							     : "a number is required");
			return;
		}
		if (r == FNORM_BAD) {
			row_error(fr, k, cs->name, "'%.*s' is not a whole number",
				  (int)(n > 40 ? 40 : n), s);
			return;
		}
		v->is_int = 1;
		v->i = x;
		buf_add(&c->vb, s, n);
		break;
	}
	case T_CODE:
		if (n == 0)
			return;
		fnorm_text(s, n, &c->vb);
		if (c->lk && !lookup_get(c->lk, cs->lk, c->vb.ptr + v->off, c->vb.len - v->off))
			ingest_unknown_code(fr, k, c->vb.ptr + v->off, c->vb.len - v->off);
		break;
	case T_JUV: {
		long long x = 0;

		if (n == 0)
			return;
		r = fnorm_int(s, n, &x);
		if (r == FNORM_OK && x >= 1 && x <= 9 && c->juv[x]) {
			buf_adds(&c->vb, c->juv[x]);
		} else {
			fnorm_text(s, n, &c->vb);
			ingest_unknown_code(fr, k, c->vb.ptr + v->off, c->vb.len - v->off);
		}
		break;
	}
	case T_STATE: {
		char st[3];

		if (n == 0)
			return;
		if (!ingest_state_code(s, n, st)) {
			row_error(fr, k, cs->name,
				  "'%.*s' is not a US state or territory code (USPS, two "
				  "letters, e.g. TX, CA, PR)%s",
				  (int)(n > 40 ? 40 : n), s,
				  fr->kind == 1 ? "; if a city field before it holds a tab, "
						  "the row is shifted: replace the tab by a space"
						: "");
			return;
		}
		buf_add(&c->vb, st, 2);
		break;
	}
	case T_ZIP:
		if (n == 0)
			return;
		fnorm_text(s, n, &c->vb);
		break;
	case T_ABSENTIA:
		if (n == 0)
			return;
		fnorm_text(s, n, &c->vb);
		if (!(n == 1 && (s[0] == 'Y' || s[0] == 'N'))) {
			long line, col;

			ingest_field_pos(fr, k, -1, &line, &col);
			ingest_warn_at(fr, line, col, cs->name, "'%.*s' is neither Y nor N (kept)",
				       (int)(n > 40 ? 40 : n), s);
		}
		break;
	}
	v->null = 0;
	v->n = c->vb.len - v->off;
	buf_addc(&c->vb, '\0');
}

int ingest_prepare_insert(struct ingest_ctx *c, const struct table_spec *ts, struct uc_err *err)
{
	int ti = table_index_of(ts);
	struct buf b;
	int nx = 0, rc;

	if (c->ins[ti])
		return UC_OK;
	vcol_resolve(c, ts, ti);
	buf_init(&b, 8192);
	buf_addf(&b, "SELECT 1 FROM %s WHERE skey=? AND rhash=? LIMIT 1", ts->tbl);
	rc = ingest_prep(c, &c->has[ti], b.ptr, err);
	if (rc)
		goto out;
	buf_reset(&b);
	/* rid: NULL (SQLite assigns max+1) or, when pipelined, given. */
	buf_addf(&b, "INSERT INTO %s(rid,file_id,line,skey,rhash", ts->tbl);
	for (int k = 0; k < ts->ncols; k++) {
		/* A text key lives in skey only. */
		if (ts->cols[k].type == T_KEY)
			continue;
		buf_addf(&b, ",%s", ts->cols[k].db ? ts->cols[k].db : ts->cols[k].name);
		nx++;
	}
	for (int x = 0; ts->extra_db[x]; x++, nx++)
		buf_addf(&b, ",%s", ts->extra_db[x]);
	buf_adds(&b, ") VALUES(?,?,?,?,?");
	for (int k = 0; k < nx; k++)
		buf_adds(&b, ",?");
	buf_adds(&b, ")");
	rc = store_prepare(c->st, b.ptr, &c->ins[ti], err);
out:
	buf_release(&b);
	return rc;
}

/* Extras: values computed from the row's columns. */
static const char *extra_value(struct frun *fr, enum extra_kind x, struct val *v, int64_t *ival,
			       int *is_int)
{
	struct ingest_ctx *c = fr->c;
	const struct table_spec *ts = fr->ts;

	*is_int = 0;
	switch (x) {
	case X_ADDRESS_STATUS:
		return address_status(vcol(c, ts, v, VC_STREET), vcol(c, ts, v, VC_UNIT),
				      vcol(c, ts, v, VC_CITY));
	case X_EOIR_COUNTRY: {
		const char *nat = vcol(c, ts, v, VC_NAT_CODE);
		const char *d =
		    nat && c->lk ? lookup_get(c->lk, "tblLookupAlienNat", nat, strlen(nat)) : NULL;

		return d ? iso_country_code(d) : NULL;
	}
	case X_EOIR_LANGUAGE: {
		const char *lang = vcol(c, ts, v, VC_LANG_CODE);
		const char *d =
		    lang && c->lk ? lookup_get(c->lk, "tblLanguage", lang, strlen(lang)) : NULL;
		const char *iso = d ? iso_language_code(d) : NULL;

		return iso ? iso : lang;
	}
	case X_FTA_NOTICE: {
		const char *nc = vcol(c, ts, v, VC_NOTICE_CODE);
		const char *d =
		    nc && c->lk ? lookup_get(c->lk, "tblLookupNOTICE", nc, strlen(nc)) : NULL;

		*is_int = 1;
		*ival = d && (strstr(d, "FAILED TO APPEAR") || strstr(d, "FAILURE TO APPEAR"));
		return NULL;
	}
	case X_NONE:
		break;
	}
	return NULL;
}

int ingest_bulk_drop(struct frun *fr, struct uc_err *err);

/*
 * Is a row (skey, rhash) stored already? With a set (seen, when use_set),
 * from memory; else by a lookup with has (SELECT ... WHERE skey=? AND
 * rhash=?). Returns 1, 0, or a negative uc_rc with err filled.
 */
int ingest_stored_already(const struct rset *seen, int use_set, struct store_stmt *has,
			  const char *skey, size_t skey_len, uint64_t rhash, struct uc_err *err)
{
	int rc;

	if (use_set)
		return rset_has(seen, rhash);
	store_bind_text_static(has, 1, skey, (int)skey_len);
	store_bind_int(has, 2, (int64_t)rhash);
	rc = store_step(has, err);
	store_reset(has);
	if (rc < 0)
		return rc;
	return rc == STORE_ROW;
}

/*
 * The rid (parameter 1) of a new row's INSERT on pipe p: given when the
 * file's rows go through a threaded pipe (fr->wp: the writer may not have
 * run it yet when derived rows need it), and returned; else NULL, for
 * SQLite to assign, and 0 returned.
 */
int64_t ingest_rid_param(struct frun *fr, struct wpipe *p)
{
	if (fr && fr->wp) {
		wpipe_int(p, 1, ++fr->last_rid);
		return fr->last_rid;
	}
	wpipe_null(p, 1);
	return 0;
}

/* The rid of the row just inserted: ingest_rid_param()'s, or the one SQLite
 * assigned (the non-threaded pipe ran the insert in wpipe_end()). */
int64_t ingest_row_rid(struct ingest_ctx *c, int64_t rid)
{
	return rid ? rid : store_last_id(c->st);
}

/*
 * Store the current row: values v[0..ncols) are checked (fr->row_bad says
 * whether any failed). Handles duplicates, idempotency and derived rows.
 */
int ingest_store_row(struct frun *fr, struct val *v, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	const struct table_spec *ts = fr->ts;
	struct store_stmt *q = c->ins[table_index_of(ts)];
	struct wpipe *p = c->wp;
	uint64_t rhash, keyh;
	struct dup_ent *d;
	int64_t rid = 0;
	int rc, col;

	if (buf_failed(&c->vb)) {
		row_error(fr, 0, "row", "row too large");
		fr->rows_rejected++;
		return UC_OK;
	}
	for (int k = 0; k < ts->ncols; k++)
		v[k].p = v[k].null ? NULL : c->vb.ptr + v[k].off;
	if (fr->row_bad) {
		fr->rows_rejected++;
		return UC_OK;
	}
	keyh = ingest_siphash(v[0].p, v[0].n);
	ingest_dup_prefetch(&fr->dup, keyh);
	if (hash_input(c, ts, v)) {
		row_error(fr, 0, "row", "row too large");
		fr->rows_rejected++;
		return UC_OK;
	}
	rhash = ingest_siphash(c->hb.ptr, c->hb.len);
	d = ingest_dup_check(&fr->dup, keyh, rhash, fr->line);
	if (d) {
		if (d->rhash == rhash) {
			fr->rows_same++;
			return UC_OK;
		}
		row_error(fr, 0, ts->cols[0].name, "duplicate key %s, first at line %ld", v[0].p,
			  d->line);
		fr->rows_rejected++;
		return UC_OK;
	}
	rc = ingest_stored_already(&fr->seen, fr->use_set, c->has[table_index_of(ts)], v[0].p,
				   v[0].n, rhash, err);
	if (rc < 0)
		return -rc;
	if (rc) {
		fr->rows_same++;
		return UC_OK;
	}
	if (fr->ndrop) {
		rc = ingest_bulk_drop(fr, err);
		if (rc)
			return rc;
	}
	wpipe_stmt(p, q);
	rid = ingest_rid_param(fr, p);
	wpipe_int(p, 2, fr->file_id);
	wpipe_int(p, 3, fr->line);
	wpipe_text(p, 4, v[0].p, (int)v[0].n);
	wpipe_int(p, 5, (int64_t)rhash);
	col = 6;
	for (int k = 0; k < ts->ncols; k++) {
		if (ts->cols[k].type == T_KEY)
			continue;
		if (v[k].null)
			wpipe_null(p, col);
		else if (v[k].is_int)
			wpipe_int(p, col, v[k].i);
		else
			wpipe_text(p, col, v[k].p, (int)v[k].n);
		col++;
	}
	for (int x = 0; ts->extra_db[x]; x++, col++) {
		int64_t iv = 0;
		int is_int;
		const char *s = extra_value(fr, ts->extra[x], v, &iv, &is_int);

		if (is_int)
			wpipe_int(p, col, iv);
		else
			wpipe_text(p, col, s, -1);
	}
	rc = wpipe_end(p, err);
	if (rc)
		return rc;
	fr->rows_new++;
	return derive_table_row(c, ts, ingest_row_rid(c, rid), v, err);
}
