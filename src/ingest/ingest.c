/*
 * ingest.c - the import driver and the per-feed adapters.
 *
 * One file = one transaction. Rows flow: reader (csvr for CSV, a tab
 * splitter for EOIR, jansson for JSONL) -> per-column checks and
 * normalisation into a reusable scratch buffer -> rhash -> duplicate-key
 * check -> "stored already?" check -> INSERT -> derived rows when the row is
 * new. Nothing is allocated per row except by libraries (utf8proc for
 * non-ASCII text, jansson for events).
 *
 * "Stored already?": the feed tables have no UNIQUE index on rhash (a
 * random-order index made bulk loads several times slower). The import
 * holds the write lock (BEGIN IMMEDIATE), so nobody else can add rows while
 * a file is read: for a file that is big next to its table the table's
 * rhash values are loaded into an in-memory set (struct rset) once, and the
 * rows go in as plain appends in rowid order; for a small file (and for
 * ingest_event() from the API) each row is looked up on the (skey, rid)
 * index: SELECT ... WHERE skey=? AND rhash=?.
 *
 * Writes (feed rows, derived rows) go through a write pipe (wpipe.h). For
 * a big file checked against the set, the pipe is threaded: everything
 * above (reading, checks, messages, hashes, duplicate checks, counters)
 * stays on this thread, so errors come out in the same order with the same
 * text, and a writer thread runs the INSERTs. The rows then get their rids
 * here, not from SQLite (same values: max(rid)+1, ...), since derived rows
 * name them. While the writer may run, nothing here touches the store:
 * every direct store call during a file (index DDL, end_file's
 * bookkeeping, the EOIR update, commit, rollback) comes after wpipe_sync.
 * Otherwise (small files, per-row lookups, ingest_event()) the pipe runs
 * each INSERT at once on this thread, through the same code.
 *
 * An events file on a threaded pipe is also parsed on two threads
 * (evpar.h): what depends on a line alone (jansson, the checks, the
 * canonical form, hashes, the text of its error) is worked out ahead, by
 * this thread and a parse thread; the rest (messages, duplicates,
 * counters, storing) runs here in file order, as above.
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

#define MAX_COLS 32          /* most spec columns in a table */
#define EOIR_MAX_FIELDS 4096 /* most tab-separated fields in an EOIR row */
#define EOIR_MAX_LINE (1024 * 1024)
#define MAX_EVENT_LINE (1024 * 1024)
#define EVENT_MAX_BODY (8 * MAX_EVENT_LINE) /* canonical JSON of one event */
#define EVENT_JSON_FLAGS (JSON_SORT_KEYS | JSON_COMPACT)

/* Key of the rhash siphash: fixed, so hashes are stable across runs. */
static const unsigned char RHASH_KEY[crypto_shorthash_KEYBYTES] = "uctrack-rhash-01";

/* ---- small hash maps ------------------------------------------------- */

/* skey hash -> (content hash, first line): duplicate keys within a file. */
struct dup_ent {
	uint64_t key;   /* siphash of the skey; 0 = empty slot */
	uint64_t rhash; /* content hash of the first row with this key */
	long line;      /* its line */
};

struct dupmap {
	struct dup_ent *e; /* slots, owned */
	size_t n;          /* used */
	size_t cap;        /* power of two (or 0) */
};

/* Returns the existing entry for key, or inserts (rhash, line) and
 * returns NULL. */
static struct dup_ent *dup_check(struct dupmap *m, uint64_t key, uint64_t rhash,
				 long line)
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

/* Start loading the slot dup_check(m, key, ...) probes first: the map is
 * far bigger than the caches, so each check is a cache miss; issued before
 * the row's content hash is computed, the two overlap. */
static void dup_prefetch(const struct dupmap *m, uint64_t key)
{
	if (key == 0)
		key = 1;
	if (m->cap)
		__builtin_prefetch(&m->e[key & (m->cap - 1)], 1);
}

/* Size m for about n keys up front (no rehash while it holds them). */
static void dup_reserve(struct dupmap *m, size_t n)
{
	size_t cap = 4096;

	if (m->cap || n > ((size_t)1 << 28))
		return;
	while (cap < n * 2)
		cap *= 2;
	m->e = uc_xcalloc(cap, sizeof(*m->e));
	m->cap = cap;
}

static void dup_release(struct dupmap *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* A set of 64-bit hashes (open addressing, linear probing): the rhash
 * values stored in a table before the current file. */
struct rset {
	uint64_t *e;  /* slots, owned; 0 = empty */
	size_t n;     /* used */
	size_t cap;   /* power of two (or 0) */
	int has_zero; /* the value 0 is in the set */
};

static size_t rset_slot(uint64_t v, size_t cap)
{
	/* rhash is a SipHash: its low bits are already uniform. */
	return (size_t)v & (cap - 1);
}

static void rset_add(struct rset *s, uint64_t v)
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

static void rset_release(struct rset *s)
{
	free(s->e);
	memset(s, 0, sizeof(*s));
}

/* Unknown EOIR codes of one file: (field, code) -> count, first line. */
struct unk_ent {
	int field;       /* spec column index; -1 = empty slot */
	char code[48];   /* the code (truncated if longer) */
	long n;          /* occurrences */
	long first_line; /* first line seen */
};

struct unkmap {
	struct unk_ent e[1024]; /* fixed: more distinct codes are counted only */
	int used;               /* slots used */
	long overflow;          /* occurrences not tracked individually */
};

/* ---- context ------------------------------------------------------- */

/* Columns the derived rows and extras read, by name: resolved to spec
 * column indexes once per table (prepare_insert), not per row. */
enum vcol_id {
	VC_A_NUMBER,
	VC_STREET,
	VC_UNIT,
	VC_CITY,
	VC_STATE,
	VC_ZIP,
	VC_RELEASED_DATE,
	VC_SERVED_DATE,
	VC_ISSUED_DATE,
	VC_UPD_CITY,
	VC_UPD_STATE,
	VC_UPD_ZIP,
	VC_ADDRESS_CHANGED_ON,
	VC_ATTY_NBR,
	VC_NAT_CODE,
	VC_LANG_CODE,
	VC_NOTICE_CODE,
	VC_N /* count */
};

static const char *const vcol_names[VC_N] = {
	"a_number", "street", "unit", "city", "state", "zip",
	"released_date", "served_date", "issued_date", "upd_city",
	"upd_state", "upd_zip", "address_changed_on", "atty_nbr",
	"nat_code", "lang_code", "notice_code",
};

struct ingest_ctx {
	struct store *st;           /* borrowed */
	struct ingest_opts o;       /* options (paths borrowed) */
	FILE *out;                  /* summaries */
	FILE *diag;                 /* errors and warnings */
	const struct lookup *lk;    /* EOIR lookup tables: lk_owned or opts.lk */
	struct lookup *lk_owned;    /* the tables loaded on demand, owned */
	const char *juv[10];        /* tblLookup_Juvenile codes by position */
	struct store_stmt *ins[16]; /* per table spec: INSERT statement */
	struct store_stmt *has[16]; /* per table spec: row with (skey, rhash)? */
	signed char vix[16][VC_N];  /* per table spec: column of each vcol_id or -1 */
	struct store_stmt *q_event; /* INSERT field_event */
	struct store_stmt *q_ehas;  /* field_event row with (skey, rhash)? */
	struct store_stmt *q_addr;  /* INSERT address */
	struct store_stmt *q_claim; /* INSERT claim */
	struct store_stmt *q_repr;  /* INSERT representation */
	struct store_stmt *q_file;  /* INSERT import_file */
	struct store_stmt *q_unk;   /* INSERT unknown_code */
	struct wpipe *wsync;        /* non-threaded write pipe (API, small files), owned */
	struct wpipe *wp;           /* pipe rows are written through: wsync or the file's */
	long long pipe_min;         /* pipeline files of at least this many bytes; < 0 never */
	FILE *rej;                  /* rejects temp file, or NULL */
	char *rej_tmp;              /* its path, owned */
	struct buf vb;              /* row scratch: normalised values */
	struct buf hb;              /* row scratch: bytes to hash */
	struct buf mb;              /* message scratch */
	struct buf jb;              /* event scratch: its strings and canonical body (API) */
	struct frun *cur;           /* file being imported, or NULL (API) */
};

/* One value of a row after normalisation. */
struct val {
	size_t off;      /* start in ctx->vb */
	size_t n;        /* length */
	int null;        /* SQL NULL */
	int is_int;      /* bind as integer */
	long long i;     /* the integer */
	const char *p;   /* resolved pointer (after the row is complete) */
};

/* State of one file's import. */
struct frun {
	struct ingest_ctx *c;         /* owner */
	const struct table_spec *ts;  /* its table (NULL for events) */
	int tidx;                     /* index in ingest_tables, or -1 */
	const char *feed;             /* feed name */
	const char *path;             /* as given */
	int64_t file_id;              /* import_file id (0 before the header) */
	long line;                    /* line of the current row */
	int row_bad;                  /* the current row has errors */
	long nerr;                    /* errors in the file */
	long nwarn;                   /* warnings in the file */
	long rows_read;               /* data rows read */
	long rows_new;                /* rows stored */
	long rows_same;               /* rows already stored or repeated */
	long rows_rejected;           /* bad rows */
	long unknown;                 /* unknown EOIR code occurrences */
	long repaired;                /* EOIR rows repaired (stray tab rejoined) */
	struct dupmap dup;            /* keys seen in this file */
	struct rset seen;             /* rhash values stored before this file */
	int use_set;                  /* check rows against seen (else: look up) */
	struct unkmap *unk;           /* unknown codes (EOIR) */
	/* position lookup for the current row */
	int kind;                     /* 0 CSV, 1 EOIR, 2 JSONL */
	struct csvr_row *crow;        /* CSV: the row */
	int fidx[MAX_COLS];           /* source field index of each spec column */
	char *eline;                  /* EOIR/JSONL: the line */
	char **ef;                    /* EOIR: field pointers */
	const char *raw;              /* raw text of the row (rejects) */
	size_t raw_len;               /* its length */
	uint64_t file_size;           /* bytes in the file (bulk-load decision) */
	const char *drop[4];          /* tables whose indexes go at the first new row */
	int ndrop;                    /* entries in drop (0 once dropped) */
	char *saved_idx[4];           /* dropped index definitions, owned */
	int nsaved;                   /* entries in saved_idx */
	struct wpipe *wp;             /* threaded write pipe of this file, owned, or NULL */
	int64_t last_rid;             /* rid of the last row: max(rid) of the table before
				       * the file, then one more for each new row (set in
				       * bulk_prepare; used when wp assigns rids) */
};

/* ---- diagnostics ---------------------------------------------------- */

static void reject_write(struct ingest_ctx *c, const char *file, long line,
			 long col, const char *field, const char *problem,
			 const char *raw, size_t raw_len)
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
static void field_pos(struct frun *fr, int k, int f, long *line, long *col)
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
static void row_error_at(struct frun *fr, long line, long col, const char *field,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void row_error_at(struct frun *fr, long line, long col, const char *field,
			 const char *fmt, ...)
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
	reject_write(c, fr->path, line, col, field, c->mb.ptr ? c->mb.ptr : "",
		     fr->raw, fr->raw_len);
}

#define row_error(fr, k, field, ...)                                     \
	do {                                                             \
		long l_, c_;                                             \
		field_pos((fr), (k), -1, &l_, &c_);                      \
		row_error_at((fr), l_, c_, (field), __VA_ARGS__);        \
	} while (0)

static void warn_at(struct frun *fr, long line, long col, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void warn_at(struct frun *fr, long line, long col, const char *field,
		    const char *fmt, ...)
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
static int bom_check_file(struct frun *fr, int bom)
{
	const char *field = fr->kind == 2 ? "file" : "header";

	if (bom == LREAD_BOM_UTF8) {
		warn_at(fr, 1, 1, field,
			"UTF-8 byte-order mark (EF BB BF) at the start of the file "
			"skipped");
		return 0;
	}
	if (bom != LREAD_BOM_UTF16LE && bom != LREAD_BOM_UTF16BE)
		return 0;
	fr->raw = "";
	fr->raw_len = 0;
	row_error_at(fr, 1, 1, field,
		     "the file starts with a UTF-16 %s byte-order mark (%s): it is "
		     "UTF-16 text, and feed files must be UTF-8; save it as UTF-8 "
		     "(e.g. \"CSV UTF-8\", or iconv -f UTF-16 -t UTF-8) and import it "
		     "again",
		     bom == LREAD_BOM_UTF16LE ? "little-endian" : "big-endian",
		     bom == LREAD_BOM_UTF16LE ? "FF FE" : "FE FF");
	return -1;
}

/* ---- context lifecycle ----------------------------------------------- */

/* The write pipe's file-size threshold (ingest.h): opts, else the
 * environment, else the default on two or more CPUs. -1: never. */
static int pipe_min_resolve(const struct ingest_opts *o, long long *out,
			    struct uc_err *err)
{
	const char *env = getenv("UCTRACK_PIPE_MIN_BYTES");
	long long x;

	if (o->pipe_min_bytes) {
		*out = o->pipe_min_bytes < 0 ? -1 : o->pipe_min_bytes;
		return UC_OK;
	}
	if (env && *env) {
		if (fnorm_int(env, strlen(env), &x) != FNORM_OK)
			return uc_error(err, UC_EUSAGE,
					"UCTRACK_PIPE_MIN_BYTES: '%.40s' is not a whole number "
					"of bytes (0: every file on two threads, -1: none)",
					env);
		*out = x < 0 ? -1 : x;
		return UC_OK;
	}
	*out = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? INGEST_PIPE_MIN_DEFAULT : -1;
	return UC_OK;
}

int ingest_open(struct ingest_ctx **out, struct store *st,
		const struct ingest_opts *opts, struct uc_err *err)
{
	struct ingest_ctx *c = uc_xcalloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (sodium_init() < 0) {
		free(c);
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	}
	c->st = st;
	c->o = *opts;
	c->out = opts->out ? opts->out : stdout;
	c->diag = opts->diag ? opts->diag : stderr;
	rc = pipe_min_resolve(opts, &c->pipe_min, err);
	if (!rc)
		rc = wpipe_open(&c->wsync, st, 0, err);
	if (rc) {
		free(c);
		return rc;
	}
	c->wp = c->wsync;
	buf_init(&c->vb, 64u << 20);
	buf_init(&c->hb, 64u << 20);
	buf_init(&c->mb, 4096);
	/* the strings of an event, its id and its body (event_encode) */
	buf_init(&c->jb, 3 * (size_t)EVENT_MAX_BODY + 8192);
	if (opts->rejects) {
		struct buf b;

		buf_init(&b, 8192);
		buf_addf(&b, "%s.tmp.%ld", opts->rejects, (long)getpid());
		c->rej_tmp = buf_detach(&b, NULL);
		c->rej = fopen(c->rej_tmp, "w");
		if (!c->rej) {
			rc = uc_error(err, UC_EIO, "cannot create %s: %s", c->rej_tmp,
				      strerror(errno));
			ingest_free(c);
			return rc;
		}
		fputs("file,line,column,field,problem,raw\n", c->rej);
	}
	*out = c;
	return UC_OK;
}

int ingest_finish(struct ingest_ctx *c, struct uc_err *err)
{
	int bad;

	if (!c->rej)
		return UC_OK;
	bad = fflush(c->rej) != 0 || ferror(c->rej) || fsync(fileno(c->rej)) != 0;
	bad |= fclose(c->rej) != 0;
	c->rej = NULL;
	if (bad || rename(c->rej_tmp, c->o.rejects) != 0) {
		int rc = uc_error(err, UC_EIO, "cannot write %s: %s", c->o.rejects,
				  strerror(errno));

		unlink(c->rej_tmp);
		return rc;
	}
	free(c->rej_tmp);
	c->rej_tmp = NULL;
	return UC_OK;
}

void ingest_free(struct ingest_ctx *c)
{
	if (!c)
		return;
	for (int i = 0; i < 16; i++) {
		store_finalize(c->ins[i]);
		store_finalize(c->has[i]);
	}
	store_finalize(c->q_event);
	store_finalize(c->q_ehas);
	store_finalize(c->q_addr);
	store_finalize(c->q_claim);
	store_finalize(c->q_repr);
	store_finalize(c->q_file);
	store_finalize(c->q_unk);
	wpipe_close(c->wsync);
	if (c->rej) {
		fclose(c->rej);
		unlink(c->rej_tmp);
	}
	free(c->rej_tmp);
	lookup_free(c->lk_owned);
	buf_release(&c->vb);
	buf_release(&c->hb);
	buf_release(&c->mb);
	buf_release(&c->jb);
	free(c);
}

static int prep(struct ingest_ctx *c, struct store_stmt **q, const char *sql,
		struct uc_err *err)
{
	if (*q)
		return UC_OK;
	return store_prepare(c->st, sql, q, err);
}

static int load_lookup(struct ingest_ctx *c, struct uc_err *err)
{
	int rc;

	if (c->lk)
		return UC_OK;
	if (c->o.lk) {
		c->lk = c->o.lk;
	} else {
		if (!c->o.eoir_lookup)
			return uc_error(err, UC_EUSAGE,
					"no EOIR lookup tables: pass --eoir-lookup PATH, set "
					"$UCTRACK_EOIR_LOOKUP or [eoir] lookup in the config");
		rc = lookup_load(&c->lk_owned, c->o.eoir_lookup, err);
		if (rc)
			return rc;
		c->lk = c->lk_owned;
	}
	for (int i = 1; i < 10; i++)
		c->juv[i] = lookup_nth(c->lk, "tblLookup_Juvenile", i);
	return UC_OK;
}

/* ---- derived rows ---------------------------------------------------- */

static int contains_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = 0; i + wl <= n; i++) {
		if (strncasecmp(s + i, w, wl) != 0)
			continue;
		if (i > 0 && ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
			      (s[i - 1] >= 'a' && s[i - 1] <= 'z')))
			continue;
		if (i + wl < n && ((s[i + wl] >= 'A' && s[i + wl] <= 'Z') ||
				   (s[i + wl] >= 'a' && s[i + wl] <= 'z')))
			continue;
		return 1;
	}
	return 0;
}

/* Address status (docs/formats.md §3) from the address parts. */
static const char *address_status(const char *street, const char *unit,
				  const char *city)
{
	int multi, has_unit;

	if ((!street || !*street) && (!city || !*city))
		return "blank";
	has_unit = unit && *unit && strcmp(unit, "?") != 0;
	multi = (unit && strcmp(unit, "?") == 0);
	if (street) {
		size_t n = strlen(street);

		multi |= contains_word(street, n, "APT") ||
			 contains_word(street, n, "UNIT") || memchr(street, '#', n) != NULL;
	}
	if (multi && !has_unit)
		return "missing_unit";
	return "unverified";
}

/*
 * The statements rows are written with besides the tables' INSERTs (those
 * are prepare_insert's): prepared before a file's rows are written, since
 * a threaded write pipe owns the connection until it is synced.
 */
static int prepare_writes(struct ingest_ctx *c, struct uc_err *err)
{
	int rc = prep(c, &c->q_addr,
		      "INSERT INTO address(src_tbl,src_rid,a_number,street,unit,city,"
		      "state,zip,status,as_of) VALUES(?,?,?,?,?,?,?,?,?,?)",
		      err);

	if (!rc)
		rc = prep(c, &c->q_repr,
			  "INSERT INTO representation(src_tbl,src_rid,a_number,provider,"
			  "kind,status,on_date) VALUES(?,?,?,?,?,?,?)",
			  err);
	if (!rc)
		rc = prep(c, &c->q_claim,
			  "INSERT INTO claim(src_tbl,src_rid,a_number,claim_type,status,"
			  "on_date) VALUES('field_event',?,?,?,?,?)",
			  err);
	if (!rc)
		rc = prep(c, &c->q_event,
			  "INSERT INTO field_event(rid,file_id,line,skey,rhash,a_number,"
			  "type,occurred_at,recorded_by,body) VALUES(?,?,?,?,?,?,?,?,?,?)",
			  err);
	if (!rc)
		rc = prep(c, &c->q_ehas,
			  "SELECT 1 FROM field_event WHERE skey=? AND rhash=? LIMIT 1", err);
	return rc;
}

/*
 * Derived rows, written through c->wp (prepare_writes first). The text
 * arguments are borrowed: the pipe copies them.
 */
static int add_address(struct ingest_ctx *c, const char *tbl, int64_t rid,
		       const char *anum, const char *street, const char *unit,
		       const char *city, const char *state, const char *zip,
		       const char *status, const char *as_of, struct uc_err *err)
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

static int add_repr(struct ingest_ctx *c, const char *tbl, int64_t rid,
		    const char *anum, const char *provider, const char *kind,
		    const char *status, const char *on_date, struct uc_err *err)
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

static int add_claim(struct ingest_ctx *c, int64_t rid, const char *anum,
		     const char *type, const char *status, const char *on_date,
		     struct uc_err *err)
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
 * no such column). c->vix[table] is filled by prepare_insert(). */
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
static int derive_street_address(struct ingest_ctx *c, const struct table_spec *ts,
				 int64_t rid, const char *anum, struct val *v,
				 const char *as_of, int keep_blank,
				 struct uc_err *err)
{
	const char *street = vcol(c, ts, v, VC_STREET);
	const char *unit = vcol(c, ts, v, VC_UNIT);
	const char *city = vcol(c, ts, v, VC_CITY);
	const char *state = vcol(c, ts, v, VC_STATE);
	const char *zip = vcol(c, ts, v, VC_ZIP);

	if (!keep_blank && !street && !unit && !city && !state && !zip)
		return UC_OK;
	return add_address(c, ts->tbl, rid, anum, street, unit, city, state, zip,
			   address_status(street, unit, city), as_of, err);
}

static int derive_table_row(struct ingest_ctx *c, const struct table_spec *ts,
			    int64_t rid, struct val *v, struct uc_err *err)
{
	const char *anum = vcol(c, ts, v, VC_A_NUMBER);

	if (strcmp(ts->tbl, "orr_placement") == 0) {
		const char *rel = vcol(c, ts, v, VC_RELEASED_DATE);

		/* a placement still in care without an address says nothing */
		return derive_street_address(c, ts, rid, anum, v, rel, rel != NULL,
					     err);
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
			rc = add_address(c, ts->tbl, rid, anum, NULL, NULL, city, state, zip,
					 city ? "unverified" : "blank", as_of, err);
			if (rc)
				return rc;
		}
		if (atty) {
			/* The counsel's start is the case's input date, which lives
			 * in B_TblProceeding: filled when proceedings are imported. */
			return add_repr(c, ts->tbl, rid, anum, atty, "counsel", "started",
					NULL, err);
		}
	}
	return UC_OK;
}

/* ---- rows ------------------------------------------------------------ */

static uint64_t siphash(const void *p, size_t n)
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
static int hash_input(struct ingest_ctx *c, const struct table_spec *ts,
		      const struct val *v)
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

static void unknown_code(struct frun *fr, int k, const char *code, size_t n)
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
			field_pos(fr, k, -1, &line, &col);
			warn_at(fr, line, col, fr->ts->cols[k].name,
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
	"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI",
	"ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN",
	"MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
	"OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
	"WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP", "UM", "AA", "AE", "AP",
	"FM", "MH", "PW", NULL};

/* 1 when s[0..n) is a USPS state code (any case); out gets it in upper
 * case. */
static int state_code(const char *s, size_t n, char out[3])
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
static int zip_shape(const char *s, size_t n)
{
	if (n < 3 || n > 10)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* Check and normalise the value of spec column k from s[0..n). */
static void check_value(struct frun *fr, int k, const char *s, size_t n,
			struct val *v)
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

		field_pos(fr, k, -1, &line, &col);
		/* the offset is within the trimmed value: good enough for one-line fields */
		row_error_at(fr, line, col + bad_utf8, cs->name,
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

		r = fnorm_anumber(s, n, a);
		if (r == FNORM_BLANK) {
			if (cs->type == T_ANUM_REQ)
				row_error(fr, k, cs->name, "A-number is required");
			return;
		}
		if (r == FNORM_BAD) {
			row_error(fr, k, cs->name,
				  "'%.*s' is not an A-number (8 or 9 digits, optional A prefix and dashes)",
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
			row_error(fr, k, cs->name,
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
		if (n != 3 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z' ||
		    s[2] < 'a' || s[2] > 'z') {
			row_error(fr, k, cs->name,
				  "'%.*s' is not an ISO 639-3 language code (e.g. spa, kek, mam)",
				  (int)(n > 40 ? 40 : n), s);
			return;
		}
		buf_add(&c->vb, s, n);
		break;
	case T_YN_INT:
		if (n != 1 || (s[0] != 'Y' && s[0] != 'N')) {
			row_error(fr, k, cs->name, "'%.*s': allowed: Y, N",
				  (int)(n > 40 ? 40 : n), s);
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
		if (c->lk && !lookup_get(c->lk, cs->lk, c->vb.ptr + v->off,
					 c->vb.len - v->off))
			unknown_code(fr, k, c->vb.ptr + v->off, c->vb.len - v->off);
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
			unknown_code(fr, k, c->vb.ptr + v->off, c->vb.len - v->off);
		}
		break;
	}
	case T_STATE: {
		char st[3];

		if (n == 0)
			return;
		if (!state_code(s, n, st)) {
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

			field_pos(fr, k, -1, &line, &col);
			warn_at(fr, line, col, cs->name, "'%.*s' is neither Y nor N (kept)",
				(int)(n > 40 ? 40 : n), s);
		}
		break;
	}
	v->null = 0;
	v->n = c->vb.len - v->off;
	buf_addc(&c->vb, '\0');
}

static int prepare_insert(struct ingest_ctx *c, const struct table_spec *ts,
			  struct uc_err *err)
{
	int ti = table_index_of(ts);
	struct buf b;
	int nx = 0, rc;

	if (c->ins[ti])
		return UC_OK;
	vcol_resolve(c, ts, ti);
	buf_init(&b, 8192);
	buf_addf(&b, "SELECT 1 FROM %s WHERE skey=? AND rhash=? LIMIT 1", ts->tbl);
	rc = prep(c, &c->has[ti], b.ptr, err);
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
static const char *extra_value(struct frun *fr, enum extra_kind x, struct val *v,
			       int64_t *ival, int *is_int)
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
		const char *d = nat && c->lk ? lookup_get(c->lk, "tblLookupAlienNat", nat,
							   strlen(nat))
					     : NULL;

		return d ? iso_country_code(d) : NULL;
	}
	case X_EOIR_LANGUAGE: {
		const char *lang = vcol(c, ts, v, VC_LANG_CODE);
		const char *d = lang && c->lk ? lookup_get(c->lk, "tblLanguage", lang,
							    strlen(lang))
					      : NULL;
		const char *iso = d ? iso_language_code(d) : NULL;

		return iso ? iso : lang;
	}
	case X_FTA_NOTICE: {
		const char *nc = vcol(c, ts, v, VC_NOTICE_CODE);
		const char *d = nc && c->lk ? lookup_get(c->lk, "tblLookupNOTICE", nc,
							  strlen(nc))
					    : NULL;

		*is_int = 1;
		*ival = d && (strstr(d, "FAILED TO APPEAR") || strstr(d, "FAILURE TO APPEAR"));
		return NULL;
	}
	case X_NONE:
		break;
	}
	return NULL;
}

static int bulk_drop(struct frun *fr, struct uc_err *err);

/*
 * Is a row (skey, rhash) stored already? With a set (seen, when use_set),
 * from memory; else by a lookup with has (SELECT ... WHERE skey=? AND
 * rhash=?). Returns 1, 0, or a negative uc_rc with err filled.
 */
static int stored_already(const struct rset *seen, int use_set,
			  struct store_stmt *has, const char *skey, size_t skey_len,
			  uint64_t rhash, struct uc_err *err)
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
static int64_t rid_param(struct frun *fr, struct wpipe *p)
{
	if (fr && fr->wp) {
		wpipe_int(p, 1, ++fr->last_rid);
		return fr->last_rid;
	}
	wpipe_null(p, 1);
	return 0;
}

/* The rid of the row just inserted: rid_param()'s, or the one SQLite
 * assigned (the non-threaded pipe ran the insert in wpipe_end()). */
static int64_t row_rid(struct ingest_ctx *c, int64_t rid)
{
	return rid ? rid : store_last_id(c->st);
}

/*
 * Store the current row: values v[0..ncols) are checked (fr->row_bad says
 * whether any failed). Handles duplicates, idempotency and derived rows.
 */
static int store_row(struct frun *fr, struct val *v, struct uc_err *err)
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
	keyh = siphash(v[0].p, v[0].n);
	dup_prefetch(&fr->dup, keyh);
	if (hash_input(c, ts, v)) {
		row_error(fr, 0, "row", "row too large");
		fr->rows_rejected++;
		return UC_OK;
	}
	rhash = siphash(c->hb.ptr, c->hb.len);
	d = dup_check(&fr->dup, keyh, rhash, fr->line);
	if (d) {
		if (d->rhash == rhash) {
			fr->rows_same++;
			return UC_OK;
		}
		row_error(fr, 0, ts->cols[0].name, "duplicate key %s, first at line %ld",
			  v[0].p, d->line);
		fr->rows_rejected++;
		return UC_OK;
	}
	rc = stored_already(&fr->seen, fr->use_set, c->has[table_index_of(ts)], v[0].p,
			    v[0].n, rhash, err);
	if (rc < 0)
		return -rc;
	if (rc) {
		fr->rows_same++;
		return UC_OK;
	}
	if (fr->ndrop) {
		rc = bulk_drop(fr, err);
		if (rc)
			return rc;
	}
	wpipe_stmt(p, q);
	rid = rid_param(fr, p);
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
	return derive_table_row(c, ts, row_rid(c, rid), v, err);
}

/* ---- files ----------------------------------------------------------- */

/* Load the rhash values of tbl into fr->seen (inside the file's
 * transaction, so no other writer can add any until the commit). */
static int load_seen(struct frun *fr, const char *tbl, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct buf b;
	int rc;

	buf_init(&b, 256);
	buf_addf(&b, "SELECT rhash FROM %s", tbl);
	rc = store_prepare(fr->c->st, b.ptr, &q, err);
	buf_release(&b);
	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW)
		rset_add(&fr->seen, (uint64_t)store_col_int(q, 0));
	store_finalize(q);
	if (rc < 0)
		return -rc;
	fr->use_set = 1;
	return UC_OK;
}

/*
 * Decide how this file's rows are checked and loaded. The row estimate
 * errs low (256 bytes a row); have = rows already in the table.
 *  - "Stored already?" by an in-memory set of the table's rhash values
 *    when loading it (a scan of have rows) costs less than est lookups on
 *    the skey index: est * 16 >= have. Otherwise per-row lookups.
 *  - A big file into a table that is small next to it (est >= 5000 and
 *    est * 2 >= have) loads faster without the secondary indexes of the
 *    table and of its derived tables: drop them now, rebuild them before
 *    the commit (same transaction, so a crash changes nothing). The set
 *    is then always used (the skey index is gone). They are dropped at
 *    the first new row (bulk_drop), so re-importing known rows rebuilds
 *    nothing.
 */
static int bulk_prepare(struct frun *fr, const char *tbl, struct uc_err *err)
{
	/* Derived tables that get about one row per source row. Events derive
	 * rows for a minority of types only: updating the indexes of address,
	 * claim and representation costs less than rebuilding them. */
	static const char *const derived[][4] = {
		{"orr_placement", "address", NULL, NULL},
		{"ice_nta", "address", NULL, NULL},
		{"eoir_case", "address", "representation", NULL},
	};
	const char *tables[4] = {tbl, NULL, NULL, NULL};
	int64_t est = (int64_t)(fr->file_size / 256), have = 0;
	struct buf q;
	int rc;

	/* est errs low: rows are usually 100-200 bytes */
	dup_reserve(&fr->dup, (size_t)est * 2);
	buf_init(&q, 256);
	buf_addf(&q, "SELECT max(rowid) FROM %s", tbl);
	rc = store_query_int(fr->c->st, q.ptr, &have, err);
	buf_release(&q);
	if (rc)
		return rc;
	fr->last_rid = have;
	if (est * 16 >= have || (est >= 5000 && est * 2 >= have)) {
		rc = load_seen(fr, tbl, err);
		if (rc)
			return rc;
	} else if (have >= 4096) {
		/* Per-row lookups need the (skey, rid) index. It is one of the
		 * read indexes (store_read_indexes), absent after a bulk load
		 * until a reader opens the database: build it now, once (a
		 * smaller table is scanned, at most 4,095 rows a lookup). */
		buf_init(&q, 256);
		buf_addf(&q, "CREATE INDEX IF NOT EXISTS %s_skey ON %s(skey, rid)", tbl, tbl);
		rc = store_exec(fr->c->st, q.ptr, err);
		buf_release(&q);
		if (rc)
			return rc;
	}
	if (est < 5000)
		return UC_OK;
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
		if (strcmp(derived[i][0], tbl) == 0)
			for (int k = 1; k < 4; k++)
				tables[k] = derived[i][k];
	for (int k = 0; k < 4 && tables[k]; k++) {
		buf_init(&q, 256);
		buf_addf(&q, "SELECT max(rowid) FROM %s", tables[k]);
		rc = store_query_int(fr->c->st, q.ptr, &have, err);
		buf_release(&q);
		if (rc)
			return rc;
		if (est * 2 < have)
			continue;
		fr->drop[fr->ndrop++] = tables[k];
	}
	return UC_OK;
}

/* Drop the indexes bulk_prepare chose, once, before the first new row. */
static int bulk_drop(struct frun *fr, struct uc_err *err)
{
	/* DDL on the connection: the writer must be idle (it is: nothing was
	 * written before the first new row, but say so). */
	int rc = wpipe_sync(fr->c->wp, err);

	for (int k = 0; k < fr->ndrop && !rc; k++) {
		rc = store_indexes_drop(fr->c->st, fr->drop[k], &fr->saved_idx[fr->nsaved], err);
		if (!rc)
			fr->nsaved++;
	}
	fr->ndrop = 0;
	return rc;
}

static int bulk_finish(struct frun *fr, struct uc_err *err)
{
	int rc = UC_OK;

	for (int i = 0; i < fr->nsaved && !rc; i++)
		rc = store_indexes_restore(fr->c->st, fr->saved_idx[i], err);
	return rc;
}

/*
 * Write this file's rows through a threaded pipe (wpipe.h) when it is big
 * enough (c->pipe_min) and checked against the in-memory set: per-row
 * lookups read the table, which the producer may not touch while the
 * writer runs. The rows get their rids here (fr->last_rid + 1, ...), the
 * values SQLite would give them: the file holds the write lock, so nobody
 * else inserts, and rids are max+1 (no AUTOINCREMENT). Without a thread
 * (it cannot be started) the file is simply written on this one.
 */
static void pipe_start(struct frun *fr)
{
	struct ingest_ctx *c = fr->c;
	struct uc_err e = UC_ERR_INIT;

	if (!fr->use_set || c->pipe_min < 0 || fr->file_size < (uint64_t)c->pipe_min)
		return;
	if (fr->last_rid < 0 || fr->last_rid > INT64_MAX / 2)
		return; /* SQLite would pick rids at random near the top */
	if (wpipe_open(&fr->wp, c->st, 1, &e))
		return;
	c->wp = fr->wp;
}

/* Wait for the file's pipe (unless rc already says it failed), stop it
 * and write through the context's non-threaded pipe again. Returns rc or
 * the writer's error. */
static int pipe_finish(struct frun *fr, int rc, struct uc_err *err)
{
	if (!fr->wp)
		return rc;
	if (!rc)
		rc = wpipe_sync(fr->wp, err);
	wpipe_close(fr->wp);
	fr->wp = NULL;
	fr->c->wp = fr->c->wsync;
	return rc;
}

static int begin_file(struct frun *fr, const char *tbl, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	char now[21];
	int rc;

	date_now_iso(now);
	rc = prep(c, &c->q_file,
		  "INSERT INTO import_file(feed,tbl,name,sha256,imported_at) "
		  "VALUES(?,?,?,'',?) RETURNING id",
		  err);
	if (rc)
		return rc;
	store_bind_text(c->q_file, 1, fr->feed, -1);
	store_bind_text(c->q_file, 2, tbl, -1);
	store_bind_text(c->q_file, 3, fr->path, -1);
	store_bind_text(c->q_file, 4, now, -1);
	rc = store_step(c->q_file, err);
	fr->file_id = rc == STORE_ROW ? store_col_int(c->q_file, 0) : 0;
	store_reset(c->q_file);
	if (rc < 0)
		return -rc;
	rc = bulk_prepare(fr, tbl, err);
	if (!rc)
		rc = prepare_writes(c, err);
	if (!rc)
		pipe_start(fr);
	return rc;
}

/* Counts, hash, unknown codes; drop the import_file row when the same
 * bytes were imported before and nothing changed. */
static int end_file(struct frun *fr, const char *sha, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	struct store_stmt *q = NULL;
	int64_t prev = 0;
	int rc;

	/* Everything below reads or writes the connection: the writer must be
	 * done, and its error, if any, wins. */
	rc = wpipe_sync(c->wp, err);
	if (rc)
		return rc;
	if (!fr->file_id)
		return UC_OK;
	rc = store_prepare(c->st,
			   "SELECT id FROM import_file WHERE sha256=? AND tbl=? AND id<>? "
			   "LIMIT 1",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, sha, -1);
	store_bind_text(q, 2, fr->ts ? fr->ts->tbl : "field_event", -1);
	store_bind_int(q, 3, fr->file_id);
	rc = store_step(q, err);
	if (rc == STORE_ROW)
		prev = store_col_int(q, 0);
	store_finalize(q);
	q = NULL;
	if (rc < 0)
		return -rc;
	if (prev && fr->rows_new == 0 && fr->rows_rejected == 0) {
		rc = store_prepare(c->st, "DELETE FROM import_file WHERE id=?", &q, err);
		if (rc)
			return rc;
		store_bind_int(q, 1, fr->file_id);
		rc = store_step(q, err);
		store_finalize(q);
		return rc < 0 ? -rc : UC_OK;
	}
	rc = store_prepare(c->st,
			   "UPDATE import_file SET sha256=?,rows_read=?,rows_new=?,"
			   "rows_same=?,rows_rejected=?,unknown_codes=? WHERE id=?",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, sha, -1);
	store_bind_int(q, 2, fr->rows_read);
	store_bind_int(q, 3, fr->rows_new);
	store_bind_int(q, 4, fr->rows_same);
	store_bind_int(q, 5, fr->rows_rejected);
	store_bind_int(q, 6, fr->unknown);
	store_bind_int(q, 7, fr->file_id);
	rc = store_step(q, err);
	store_finalize(q);
	if (rc < 0)
		return -rc;
	if (fr->unk && fr->unk->used) {
		rc = prep(c, &c->q_unk,
			  "INSERT INTO unknown_code(file_id,field,code,n,first_line) "
			  "VALUES(?,?,?,?,?) ON CONFLICT DO UPDATE SET n=n+excluded.n",
			  err);
		if (rc)
			return rc;
		for (int i = 0; i < 1024; i++) {
			struct unk_ent *e = &fr->unk->e[i];

			if (e->field < 0 || e->n == 0)
				continue;
			store_bind_int(c->q_unk, 1, fr->file_id);
			store_bind_text(c->q_unk, 2, fr->ts->cols[e->field].name, -1);
			store_bind_text(c->q_unk, 3, e->code, -1);
			store_bind_int(c->q_unk, 4, e->n);
			store_bind_int(c->q_unk, 5, e->first_line);
			rc = store_step(c->q_unk, err);
			store_reset(c->q_unk);
			if (rc < 0)
				return -rc;
		}
	}
	return UC_OK;
}

/* Header columns -> spec columns. Returns 0, or -1 after reporting. */
static int map_header(struct frun *fr, char **names, int nf, int ci)
{
	const struct table_spec *ts = fr->ts;
	struct buf miss, unk;
	int bad = 0;

	buf_init(&miss, 8192);
	buf_init(&unk, 8192);
	for (int k = 0; k < ts->ncols; k++) {
		fr->fidx[k] = -1;
		for (int i = 0; i < nf; i++) {
			const char *h = names[i];
			int eq = ci ? strcasecmp(h, ts->cols[k].name) == 0
				    : strcmp(h, ts->cols[k].name) == 0;

			if (eq) {
				fr->fidx[k] = i;
				break;
			}
		}
		if (fr->fidx[k] < 0 && !ts->cols[k].optional) {
			buf_addf(&miss, "%s%s", miss.len ? ", " : "", ts->cols[k].name);
			bad = 1;
		}
	}
	if (!ci) {
		for (int i = 0; i < nf; i++) {
			int known = 0;

			for (int k = 0; k < ts->ncols && !known; k++)
				known = strcmp(names[i], ts->cols[k].name) == 0;
			if (!known) {
				buf_addf(&unk, "%s'%s'", unk.len ? ", " : "", names[i]);
				bad = 1;
			}
		}
	}
	if (bad) {
		struct buf b;

		buf_init(&b, 16384);
		if (miss.len)
			buf_addf(&b, "missing column(s) %s", miss.ptr);
		if (unk.len)
			buf_addf(&b, "%sunknown column(s) %s", miss.len ? "; " : "", unk.ptr);
		buf_addf(&b, "; expected header: ");
		for (int k = 0; k < ts->ncols; k++)
			buf_addf(&b, "%s%s", k ? (ci ? "\t" : ",") : "", ts->cols[k].name);
		row_error_at(fr, 1, 1, "header", "%s", b.ptr);
		buf_release(&b);
	}
	buf_release(&miss);
	buf_release(&unk);
	return bad ? -1 : 0;
}

static const struct table_spec *spec_by_key(const char *feed, const char *first)
{
	for (int i = 0; i < ingest_ntables; i++)
		if (strcmp(ingest_tables[i].feed, feed) == 0 &&
		    strcmp(ingest_tables[i].cols[0].name, first) == 0)
			return &ingest_tables[i];
	return NULL;
}

static void progress_bytes(struct progress *p, uint64_t done)
{
	progress_tick(p, done);
}

/* One CSV file of feed (cbp, orr, ice). */
static int import_csv(struct frun *fr, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	struct csvr *r = NULL;
	struct csvr_row *row;
	struct val v[MAX_COLS];
	struct progress pg;
	char sha[65] = "";
	int rc, header = 1, nh = 0;
	uint64_t size = 0;

	rc = csvr_open(&r, fr->path, ',', err);
	if (rc)
		return rc;
	csvr_bytes(r, &size);
	fr->file_size = size;
	progress_start(&pg, fr->path, size);
	fr->kind = 0;
	while ((rc = csvr_next(r, &row)) != CSVR_EOF) {
		if (rc == CSVR_IOERR) {
			rc = uc_error(err, UC_EIO, "%s", csvr_error(r)->msg);
			goto out;
		}
		fr->crow = row;
		fr->line = row->line;
		fr->raw = row->raw;
		fr->raw_len = row->raw_len;
		fr->row_bad = 0;
		if (header && bom_check_file(fr, csvr_bom(r))) {
			rc = UC_OK;
			goto out;
		}
		if (rc == CSVR_BAD) {
			if (header) {
				row_error_at(fr, row->bad_line, row->col, "header", "%s",
					     row->problem);
				rc = UC_OK;
				goto out;
			}
			fr->rows_read++;
			row_error_at(fr, row->bad_line, row->col, "row", "%s", row->problem);
			fr->rows_rejected++;
			continue;
		}
		if (header) {
			const struct table_spec *ts;

			header = 0;
			nh = row->nf;
			ts = spec_by_key(fr->feed, row->nf ? row->f[0] : "");
			if (!ts) {
				struct buf b;

				buf_init(&b, 4096);
				for (int i = 0; i < ingest_ntables; i++)
					if (strcmp(ingest_tables[i].feed, fr->feed) == 0)
						buf_addf(&b, "%s%s (%s)", b.len ? ", " : "",
							 ingest_tables[i].cols[0].name,
							 ingest_tables[i].label);
				row_error_at(fr, 1, 1, "header",
					     "not a %s file: the first column must be one of %s",
					     fr->feed, b.ptr);
				buf_release(&b);
				rc = UC_OK;
				goto out;
			}
			fr->ts = ts;
			if (map_header(fr, row->f, row->nf, 0)) {
				rc = UC_OK;
				goto out;
			}
			rc = prepare_insert(c, ts, err);
			if (!rc)
				rc = begin_file(fr, ts->tbl, err);
			if (rc)
				goto out;
			continue;
		}
		fr->rows_read++;
		if ((fr->rows_read & 8191) == 0)
			progress_bytes(&pg, csvr_bytes(r, NULL));
		if (row->nf != nh) {
			long line, col;

			if (row->nf > nh) {
				csvr_field_pos(row, nh, &line, &col);
				row_error_at(fr, line, col, "row",
					     "%d fields, the header has %d", row->nf, nh);
			} else {
				line = row->last_line;
				col = (long)row->raw_len + 1;
				if (row->line == row->last_line)
					csvr_field_pos(row, row->nf + 1, &line, &col);
				row_error_at(fr, line, col, "row", "%d fields, the header has %d%s",
					     row->nf, nh,
					     row->ended_nl ? "" : " (last line cut short: file truncated?)");
			}
			fr->rows_rejected++;
			continue;
		}
		buf_reset(&c->vb);
		for (int k = 0; k < fr->ts->ncols; k++)
			check_value(fr, k, row->f[fr->fidx[k]], row->len[fr->fidx[k]], &v[k]);
		rc = store_row(fr, v, err);
		if (rc)
			goto out;
	}
	rc = UC_OK;
	if (header) {
		row_error_at(fr, 1, 1, "header", "empty file: expected a header row");
		goto out;
	}
	csvr_sha256_hex(r, sha);
	rc = end_file(fr, sha, err);
out:
	progress_end(&pg);
	csvr_close(r);
	return rc;
}

/* ---- EOIR ------------------------------------------------------------- */

/*
 * Does s read as a value of column cs? Shift detection (eoir_repair) asks
 * this of every field: blank and NULL always do; numbers, dates,
 * A-numbers, enumerations (Sex), state and ZIP codes, and codes of the
 * lookup tables (NAT, LANG, CASEPRIORITY_CODE, ...) are checked. Free
 * text reads as anything. 1: it does.
 */
static int eoir_plausible(const struct ingest_ctx *c, const struct col_spec *cs,
			  const char *s)
{
	size_t n = strlen(s);
	int32_t d;
	long long x;
	char tmp[10];

	fnorm_trim(&s, &n);
	if (n == 0 || (n == 4 && memcmp(s, "NULL", 4) == 0))
		return 1;
	switch (cs->type) {
	case T_DATE:
	case T_DATE_REQ:
		return date_parse(s, n, &d) == 0;
	case T_IKEY:
	case T_INT:
	case T_INT_REQ:
	case T_JUV:
		return fnorm_int(s, n, &x) == FNORM_OK;
	case T_ANUM:
	case T_ANUM_REQ:
		return fnorm_anumber(s, n, tmp) == FNORM_OK;
	case T_ENUM:
	case T_ENUM_REQ:
		return fnorm_enum(s, n, cs->allowed) >= 0;
	case T_STATE:
		return state_code(s, n, tmp);
	case T_ZIP:
		return zip_shape(s, n);
	case T_CODE:
		return !c->lk || lookup_get(c->lk, cs->lk, s, n) != NULL;
	default:
		return 1;
	}
}

/* What a column must read as, for messages. */
static void eoir_expect(const struct col_spec *cs, struct buf *b)
{
	switch (cs->type) {
	case T_DATE:
	case T_DATE_REQ:
		buf_adds(b, "a date");
		break;
	case T_IKEY:
	case T_INT:
	case T_INT_REQ:
	case T_JUV:
		buf_adds(b, "a whole number");
		break;
	case T_ANUM:
	case T_ANUM_REQ:
		buf_adds(b, "an A-number");
		break;
	case T_ENUM:
	case T_ENUM_REQ:
		buf_adds(b, "one of ");
		fnorm_enum_list(cs->allowed, b);
		break;
	case T_STATE:
		buf_adds(b, "a US state code");
		break;
	case T_ZIP:
		buf_adds(b, "a ZIP code");
		break;
	case T_CODE:
		buf_addf(b, "a code of %s", cs->lk);
		break;
	default:
		buf_adds(b, "text");
		break;
	}
}

/*
 * Read the row f as if header field c held `extra` more fields (c < 0: as
 * it is). Returns the spec column of the first field, in file order, that
 * does not read as its type, or -1 when every field does; *at gets that
 * field's index in f.
 */
static int eoir_first_bad(struct frun *fr, char **f, int c, int extra, int *at)
{
	const struct table_spec *ts = fr->ts;
	int bad = -1;

	*at = -1;
	for (int k = 0; k < ts->ncols; k++) {
		int h = fr->fidx[k];

		if (h < 0)
			continue;
		if (c >= 0 && h > c)
			h += extra;
		if (c >= 0 && h == c)
			continue;  /* the rejoined free text */
		if (bad >= 0 && h >= *at)
			continue;
		if (!eoir_plausible(fr->c, &ts->cols[k], f[h])) {
			bad = k;
			*at = h;
		}
	}
	return bad;
}

static const char *const EOIR_FREE_TEXT[] = {
	"ALIEN_CITY", "UPDATED_CITY", "LAST_NAME", "FIRST_NAME", "DETENTION_LOCATION",
	"CORRECTIONAL_FAC", "ADJ_MSG", "ADJ_RSN", "UP_BOND_RSN", "INMATE_HOUSING",
	"DCO_LOCATION", "SCHEDULED_HEAR_LOC", "TRANSFER_TO", NULL};

/*
 * Handle a row with more fields than the header (docs/formats.md §1):
 * trailing empty fields are dropped; otherwise a stray tab inside one
 * free-text field (ALIEN_CITY, ...) is assumed. Each free-text column of
 * the header is tried as the one holding it; when exactly one makes every
 * typed field of the row read correctly, the split field is rejoined with
 * a space (a warning, counted as repaired). Otherwise the row is an error
 * that names the probable field and the field that does not read. Returns
 * 0 when the row now has nh fields, -1 after reporting an error.
 */
static int eoir_repair(struct frun *fr, char **f, int *nfp, int nh,
		       char **hnames)
{
	int nf = *nfp, extra, nfound = 0, pick = -1, best = -1, best_k = -1;
	int best_at = -1, at;
	long col;
	struct buf cand, what;

	while (nf > nh && f[nf - 1][0] == '\0')
		nf--;
	extra = nf - nh;
	if (extra <= 0) {
		*nfp = nh;
		return 0;
	}
	buf_init(&cand, 4096);
	buf_init(&what, 4096);
	for (int c = 0; c < nh; c++) {
		int k;

		if (fnorm_enum(hnames[c], strlen(hnames[c]), EOIR_FREE_TEXT) < 0)
			continue;
		k = eoir_first_bad(fr, f, c, extra, &at);
		if (k < 0) {
			nfound++;
			if (pick < 0)
				pick = c;
			buf_addf(&cand, "%s%s", cand.len ? " or " : "", hnames[c]);
		} else if (at > best_at) {
			best = c;
			best_k = k;
			best_at = at;
		}
	}
	if (nfound == 1) {
		/* Rejoin f[pick..pick+extra] (split at tabs, now NULs) with spaces. */
		for (int j = pick; j < pick + extra; j++)
			f[j][strlen(f[j])] = ' ';
		for (int j = pick + 1; j + extra < nf; j++)
			f[j] = f[j + extra];
		warn_at(fr, fr->line, (long)(f[pick] - fr->eline) + 1, hnames[pick],
			"stray tab inside the field shifted the row by %d field(s); "
			"rejoined with a space (repaired)",
			extra);
		fr->repaired++;
		*nfp = nh;
		buf_release(&cand);
		buf_release(&what);
		return 0;
	}
	if (nfound > 1) {
		col = (long)(f[pick] - fr->eline) + 1;
		row_error_at(fr, fr->line, col, "row",
			     "too many fields (%d, the header has %d): a tab inside %s "
			     "would each explain it, so the row cannot be repaired; "
			     "replace the stray tab by a space",
			     nf, nh, cand.ptr);
	} else if (best >= 0) {
		const struct col_spec *cs = &fr->ts->cols[best_k];

		eoir_expect(cs, &what);
		col = (long)(f[best] - fr->eline) + 1;
		row_error_at(fr, fr->line, col, hnames[best],
			     "too many fields (%d, the header has %d): probably a tab "
			     "inside %s, but with it rejoined %s '%.40s' (column %ld) is "
			     "not %s; fix the row (a stray tab?)",
			     nf, nh, hnames[best], cs->name, f[best_at],
			     (long)(f[best_at] - fr->eline) + 1, what.ptr);
	} else {
		col = (long)(f[nh] - fr->eline) + 1;
		row_error_at(fr, fr->line, col, "row",
			     "too many fields (%d, the header has %d) and the header has "
			     "no free-text field (ALIEN_CITY, LAST_NAME, ...) that a stray "
			     "tab could be in; fix the row",
			     nf, nh);
	}
	buf_release(&cand);
	buf_release(&what);
	return -1;
}

/* Rows listed for base in DIR/Count.txt, or -1. */
static long eoir_count(const char *path, const char *base)
{
	char *dup = uc_xstrdup(path);
	struct buf p;
	FILE *f;
	char line[512];
	long want = -1;
	size_t bl = strlen(base);
	const char *dot = strchr(base, '.');

	if (dot)
		bl = (size_t)(dot - base);
	buf_init(&p, 8192);
	buf_addf(&p, "%s/Count.txt", dirname(dup));
	free(dup);
	f = fopen(p.ptr, "r");
	buf_release(&p);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		size_t nl;
		long long x;
		char *end;

		if (!tab)
			continue;
		nl = (size_t)(tab - line);
		if (nl > 4 && strncasecmp(tab - 4, ".csv", 4) == 0)
			nl -= 4;
		if (nl != bl || strncasecmp(line, base, bl) != 0)
			continue;
		end = tab + 1 + strcspn(tab + 1, "\r\n");
		if (fnorm_int(tab + 1, (size_t)(end - (tab + 1)), &x) == FNORM_OK)
			want = (long)x;
	}
	fclose(f);
	return want;
}

static int import_eoir(struct frun *fr, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	struct lread lr;
	char **f = NULL, **hnames = NULL, *hcopy = NULL;
	struct val v[MAX_COLS];
	struct progress pg;
	char sha[65] = "";
	int rc, nh = 0, header = 1;
	long want;

	rc = load_lookup(c, err);
	if (rc)
		return rc;
	rc = lread_open(&lr, fr->path, EOIR_MAX_LINE, err);
	if (rc)
		return rc;
	fr->file_size = lr.file_size;
	progress_start(&pg, fr->path, lr.file_size);
	f = uc_xcalloc(EOIR_MAX_FIELDS + 1, sizeof(char *));
	fr->kind = 1;
	fr->ef = f;
	fr->unk = uc_xmalloc(sizeof(*fr->unk));
	for (int i = 0; i < 1024; i++)
		fr->unk->e[i].field = -1;
	fr->unk->used = 0;
	fr->unk->overflow = 0;
	for (;;) {
		char *line, *p;
		size_t n;
		int nl, nf = 0;

		rc = lread_next(&lr, &line, &n, &nl, err);
		if (rc == LREAD_EOF)
			break;
		if (rc == LREAD_IOERR) {
			rc = UC_EIO;
			goto out;
		}
		fr->line = lr.lineno;
		fr->row_bad = 0;
		fr->raw = "";
		fr->raw_len = 0;
		if (rc == LREAD_LONG && header)
			break;  /* reported below as a missing header */
		if (rc == LREAD_LONG) {
			fr->rows_read++;
			fr->rows_rejected++;
			row_error_at(fr, fr->line, EOIR_MAX_LINE + 1, "row",
				     "line longer than 1 MiB");
			continue;
		}
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0)
			continue;
		fr->eline = line;
		fr->raw = line;
		fr->raw_len = n;
		if (header && bom_check_file(fr, lr.bom)) {
			rc = UC_OK;
			goto out;
		}
		if (header) {
			/* Keep a copy: the line buffer is reused. */
			hcopy = uc_xstrdup(line);
			hnames = uc_xcalloc(EOIR_MAX_FIELDS + 1, sizeof(char *));
			for (p = hcopy; nh < EOIR_MAX_FIELDS;) {
				char *t = strchr(p, '\t');

				hnames[nh++] = p;
				if (!t)
					break;
				*t = '\0';
				p = t + 1;
			}
			for (int i = 0; i < nh; i++) {
				size_t hl = strlen(hnames[i]);

				while (hl > 0 && (hnames[i][hl - 1] == ' '))
					hnames[i][--hl] = '\0';
			}
			header = 0;
			if (map_header(fr, hnames, nh, 1)) {
				rc = UC_OK;
				goto out;
			}
			rc = prepare_insert(c, fr->ts, err);
			if (!rc)
				rc = begin_file(fr, fr->ts->tbl, err);
			if (rc)
				goto out;
			continue;
		}
		fr->rows_read++;
		if ((fr->rows_read & 8191) == 0)
			progress_tick(&pg, lr.bytes);
		/* Split at tabs, in place. */
		for (p = line;;) {
			char *t = memchr(p, '\t', n - (size_t)(p - line));

			if (nf == EOIR_MAX_FIELDS) {
				nf++;
				break;
			}
			f[nf++] = p;
			if (!t)
				break;
			*t = '\0';
			p = t + 1;
		}
		if (nf > EOIR_MAX_FIELDS) {
			row_error_at(fr, fr->line, 1, "row", "more than %d fields",
				     EOIR_MAX_FIELDS);
			fr->rows_rejected++;
			continue;
		}
		if (nf < nh) {
			row_error_at(fr, fr->line, (long)n + 1, "row",
				     "%d fields, the header has %d%s", nf, nh,
				     nl ? "" : " (last line cut short: file truncated?)");
			fr->rows_rejected++;
			continue;
		}
		if (nf > nh && eoir_repair(fr, f, &nf, nh, hnames)) {
			fr->rows_rejected++;
			continue;
		}
		buf_reset(&c->vb);
		for (int k = 0; k < fr->ts->ncols; k++) {
			if (fr->fidx[k] < 0) {
				v[k].null = 1;
				v[k].is_int = 0;
				v[k].n = 0;
				v[k].off = 0;
				continue;
			}
			check_value(fr, k, f[fr->fidx[k]], strlen(f[fr->fidx[k]]), &v[k]);
		}
		rc = store_row(fr, v, err);
		if (rc)
			goto out;
	}
	rc = UC_OK;
	if (header) {
		row_error_at(fr, 1, 1, "header", "missing or overlong header row");
		goto out;
	}
	want = eoir_count(fr->path, fr->ts->file);
	if (want >= 0 && want != fr->rows_read)
		warn_at(fr, fr->line, 1, "Count.txt",
			"Count.txt lists %ld rows for %s, the file has %ld", want,
			fr->ts->file, fr->rows_read);
	lread_sha256_hex(&lr, sha);
	rc = end_file(fr, sha, err);
	if (!rc && fr->nerr == 0 && strcmp(fr->ts->tbl, "eoir_proceeding") == 0) {
		/* The update below needs the proceedings' indexes back. */
		rc = bulk_finish(fr, err);
		for (int i = 0; i < fr->nsaved; i++)
			free(fr->saved_idx[i]);
		fr->nsaved = 0;
	}
	if (!rc && fr->nerr == 0 && strcmp(fr->ts->tbl, "eoir_proceeding") == 0) {
		/* Counsel from ATTY_NBR starts on the case's input date. */
		rc = store_exec(c->st,
				"UPDATE representation SET on_date=(SELECT min(p.input_date) "
				"FROM eoir_case k JOIN eoir_proceeding p ON p.idncase=k.idncase "
				"WHERE k.rid=representation.src_rid) "
				"WHERE src_tbl='eoir_case' AND on_date IS NULL",
				err);
	}
out:
	progress_end(&pg);
	lread_close(&lr);
	free(f);
	free(hnames);
	free(hcopy);
	fr->ef = NULL;
	free(fr->unk);
	fr->unk = NULL;
	return rc;
}

/* ---- events ----------------------------------------------------------- */

/* Column of "name": in a JSON line (first occurrence as a key), or 1. */
static long json_key_col(const char *line, const char *name)
{
	size_t nl = strlen(name);

	if (!line || !name)
		return 1;
	for (const char *p = strchr(line, '"'); p; p = strchr(p + 1, '"')) {
		const char *q = p + 1 + nl;

		if (strncmp(p + 1, name, nl) != 0 || *q != '"')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == ':')
			return (long)(p - line) + 1;
	}
	return 1;
}

static const struct event_field *event_find(const struct event_type *et,
					    const char *key)
{
	for (int i = 0; et->f[i].name; i++)
		if (strcmp(et->f[i].name, key) == 0)
			return &et->f[i];
	return NULL;
}

static const char *const EV_COMMON[] = {"event_id", "type", "a_number",
					"occurred_at", "recorded_by", NULL};

/*
 * Check one event. On a problem: *field names the member, msg says what.
 * Returns the event type or NULL.
 */
static const struct event_type *event_check(json_t *obj, const char **field,
					    struct buf *msg, char anum[10])
{
	const struct event_type *et = NULL;
	const char *type, *key;
	json_t *val;

	*field = "event";
	if (!json_is_object(obj)) {
		buf_adds(msg, "each line must be a JSON object");
		return NULL;
	}
	for (int i = 0; EV_COMMON[i]; i++) {
		val = json_object_get(obj, EV_COMMON[i]);
		*field = EV_COMMON[i];
		if (!val) {
			buf_addf(msg, "required field '%s' is missing", EV_COMMON[i]);
			return NULL;
		}
		if (!json_is_string(val)) {
			buf_adds(msg, "must be a string");
			return NULL;
		}
		if (json_string_length(val) == 0) {
			buf_adds(msg, "must not be empty");
			return NULL;
		}
	}
	type = json_string_value(json_object_get(obj, "type"));
	for (int i = 0; i < ingest_nevent_types; i++)
		if (strcmp(ingest_event_types[i].type, type) == 0)
			et = &ingest_event_types[i];
	if (!et) {
		*field = "type";
		buf_addf(msg, "unknown event type '%.40s'; allowed: ", type);
		for (int i = 0; i < ingest_nevent_types; i++)
			buf_addf(msg, "%s%s", i ? ", " : "", ingest_event_types[i].type);
		return NULL;
	}
	{
		const char *s = json_string_value(json_object_get(obj, "a_number"));
		int32_t day;

		*field = "a_number";
		if (fnorm_anumber(s, strlen(s), anum) != FNORM_OK) {
			buf_addf(msg, "'%.40s' is not an A-number (9 digits)", s);
			return NULL;
		}
		s = json_string_value(json_object_get(obj, "occurred_at"));
		*field = "occurred_at";
		if (date_parse(s, strlen(s), &day) != 0 ||
		    (strlen(s) > 10 && s[10] == ' ')) {
			buf_addf(msg, "'%.40s' is not a date (YYYY-MM-DD) or RFC 3339 time", s);
			return NULL;
		}
	}
	json_object_foreach(obj, key, val) {
		const struct event_field *ef;

		*field = key;
		if (fnorm_enum(key, strlen(key), EV_COMMON) >= 0)
			continue;
		ef = event_find(et, key);
		if (!ef) {
			buf_addf(msg, "unknown field for a %s event; allowed: ", et->type);
			for (int i = 0; et->f[i].name; i++)
				buf_addf(msg, "%s%s", i ? ", " : "", et->f[i].name);
			return NULL;
		}
		if (json_is_null(val) && !ef->required)
			continue;
		if (!json_is_string(val)) {
			buf_adds(msg, "must be a string");
			return NULL;
		}
		if (ef->allowed && !(json_string_length(val) == 0 && !ef->required) &&
		    fnorm_enum(json_string_value(val), json_string_length(val), ef->allowed) < 0) {
			buf_addf(msg, "unknown value '%.40s'; allowed: ", json_string_value(val));
			fnorm_enum_list(ef->allowed, msg);
			return NULL;
		}
	}
	for (int i = 0; et->f[i].name; i++) {
		if (!et->f[i].required)
			continue;
		val = json_object_get(obj, et->f[i].name);
		*field = et->f[i].name;
		if (!val || !json_is_string(val) || json_string_length(val) == 0) {
			buf_addf(msg, "required field '%s' is missing for a %s event",
				 et->f[i].name, et->type);
			return NULL;
		}
	}
	return et;
}

/*
 * The note of a trafficking_screening or welfare_check event (checked) is
 * a sensitive disclosure: replace it in obj by its sealed form
 * (seal_note_det: the same note seals to the same text, so re-importing a
 * file adds nothing). A note already sealed is kept as it is, once it has
 * been seen to open under key (without a key it is kept unverified).
 * Returns 0, or -1 with the problem in msg (no key; sealed under another
 * key).
 */
static int event_seal(const unsigned char *key, const struct event_type *et,
		      json_t *obj, struct buf *msg)
{
	json_t *v = json_object_get(obj, "note");
	const char *note;
	char *out = NULL;
	struct uc_err e = UC_ERR_INIT;

	if (strcmp(et->type, "trafficking_screening") != 0 &&
	    strcmp(et->type, "welfare_check") != 0)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return 0;
	note = json_string_value(v);
	if (seal_is_sealed(note)) {
		if (!key)
			return 0;
		if (seal_open(key, note, &out, &e) != UC_OK) {
			buf_addf(msg, "the note is sealed (%s...) but does not open under "
				 "this key_file: %s; import it where its key is configured",
				 SEAL_PREFIX, e.msg);
			return -1;
		}
		sodium_memzero(out, strlen(out));
		free(out);
		return 0;
	}
	if (!key) {
		buf_addf(msg, "a %s note is stored sealed, and no key is configured: "
			 "set [server] key_file in the config (uctrack serve --new-key "
			 "FILE makes one; docs/configuration.md) or pass --key-file FILE, "
			 "or leave the note out; nothing is stored in plain text",
			 et->type);
		return -1;
	}
	if (seal_note_det(key, note, &out, &e) != UC_OK) {
		buf_addf(msg, "cannot seal the note: %s", e.msg);
		return -1;
	}
	json_object_set_new(obj, "note", json_string(out));
	free(out);
	return 0;
}

static const char *jstr(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	return s && *s ? s : NULL;
}

/* The strings of an event that event_store reads: jstr() of each key. */
enum {
	EVS_ID, EVS_OCC, EVS_BY, EVS_STATUS, EVS_STREET, EVS_UNIT, EVS_CITY,
	EVS_STATE, EVS_ZIP, EVS_CLAIM_TYPE, EVS_PROVIDER, EVS_N
};
static const char *const EVS_KEY[EVS_N] = {
	"event_id", "occurred_at", "recorded_by", "status", "street", "unit",
	"city", "state", "zip", "claim_type", "provider",
};
#define EV_NONE SIZE_MAX /* no such string / no canonical form */

/*
 * A checked event as event_store takes it: offsets into a buffer, so it
 * outlives its JSON object (freed on the thread that parsed it) and the
 * buffer may move while it is written.
 */
struct evenc {
	const struct event_type *et; /* its type (event_check) */
	char anum[10];               /* its A-number, normalised (event_check) */
	size_t s[EVS_N];             /* offset of each EVS_ string, or EV_NONE (jstr NULL) */
	size_t body;                 /* offset of the canonical form, or EV_NONE: too large */
	size_t body_len;             /* its length */
	uint64_t rhash;              /* siphash of "field_event\0<event_id>\0<body>" */
};

/* String i (EVS_*) of e, whose offsets are into base; NULL when none. */
static const char *evs(const struct evenc *e, const char *base, int i)
{
	return e->s[i] == EV_NONE ? NULL : base + e->s[i];
}

/*
 * Append what event_store needs of obj (checked: e->et and e->anum set) to
 * out and fill the rest of e: the EVS_ strings, then the bytes rhash is
 * computed over -- "field_event", NUL, event_id, NUL, and the canonical
 * form (sorted keys, compact: what is stored in field_event.body), written
 * by json_dumpb straight into out, without a malloc per event. The body
 * is EV_NONE when it would exceed EVENT_MAX_BODY (or out's cap). Each
 * string and the body are NUL-terminated in out.
 */
static void event_encode(struct buf *out, json_t *obj, struct evenc *e)
{
	size_t h, n, room;
	const char *id = jstr(obj, "event_id");

	for (int i = 0; i < EVS_N; i++) {
		const char *s = jstr(obj, EVS_KEY[i]);

		e->s[i] = EV_NONE;
		if (s) {
			e->s[i] = out->len;
			buf_add(out, s, strlen(s) + 1);
		}
	}
	e->body = EV_NONE;
	e->body_len = 0;
	e->rhash = 0;
	h = out->len;
	buf_add(out, "field_event", sizeof("field_event"));
	buf_add(out, id, strlen(id) + 1);
	if (buf_grow(out, 4096))
		return;
	room = out->alloc - out->len - 1;
	n = json_dumpb(obj, out->ptr + out->len, room, EVENT_JSON_FLAGS);
	if (n == 0 || n > EVENT_MAX_BODY)
		return;
	if (n > room) {
		if (buf_grow(out, n))
			return;
		room = out->alloc - out->len - 1;
		n = json_dumpb(obj, out->ptr + out->len, room, EVENT_JSON_FLAGS);
		if (n == 0 || n > room)
			return;
	}
	e->body = out->len;
	e->body_len = n;
	out->len += n;
	out->ptr[out->len] = '\0';
	e->rhash = siphash(out->ptr + h, out->len - h);
	buf_addc(out, '\0');
}

/* Store a checked event (e, its strings in base, both borrowed); *is_new
 * set. */
static int event_store(struct ingest_ctx *c, const struct evenc *e, const char *base,
		       int *is_new, struct uc_err *err)
{
	const struct event_type *et = e->et;
	const char *id = evs(e, base, EVS_ID), *occ = evs(e, base, EVS_OCC);
	struct frun *fr = c->cur;
	struct wpipe *p = c->wp;
	int64_t rid = 0;
	int rc;

	*is_new = 0;
	if (e->body == EV_NONE)
		return uc_error(err, UC_EINPUT, "event too large to encode (more than %d MiB)",
				EVENT_MAX_BODY >> 20);
	/* A no-op in a file (begin_file prepared them): the connection may be
	 * the writer's. */
	rc = prepare_writes(c, err);
	if (rc)
		goto out;
	rc = c->cur ? stored_already(&c->cur->seen, c->cur->use_set, c->q_ehas, id,
				     strlen(id), e->rhash, err)
		    : stored_already(NULL, 0, c->q_ehas, id, strlen(id), e->rhash, err);
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	if (rc) {
		rc = UC_OK;
		goto out;
	}
	if (c->cur && c->cur->ndrop) {
		rc = bulk_drop(c->cur, err);
		if (rc)
			goto out;
	}
	wpipe_stmt(p, c->q_event);
	rid = rid_param(fr, p);
	if (fr) {
		wpipe_int(p, 2, fr->file_id);
		wpipe_int(p, 3, fr->line);
	} else {
		/* API events have no file provenance */
		wpipe_null(p, 2);
		wpipe_null(p, 3);
	}
	wpipe_text(p, 4, id, -1);
	wpipe_int(p, 5, (int64_t)e->rhash);
	wpipe_text(p, 6, e->anum, 9);
	wpipe_text(p, 7, et->type, -1);
	wpipe_text(p, 8, occ, -1);
	wpipe_text(p, 9, evs(e, base, EVS_BY), -1);
	wpipe_text(p, 10, base + e->body, (int)e->body_len);
	rc = wpipe_end(p, err);
	if (rc)
		goto out;
	*is_new = 1;
	rid = row_rid(c, rid);
	if (strcmp(et->type, "address_update") == 0) {
		const char *status = evs(e, base, EVS_STATUS);
		const char *street = evs(e, base, EVS_STREET), *city = evs(e, base, EVS_CITY);

		if (strcmp(status, "unverified") == 0 && !street && !city)
			status = "blank";
		rc = add_address(c, "field_event", rid, e->anum, street,
				 evs(e, base, EVS_UNIT), city, evs(e, base, EVS_STATE),
				 evs(e, base, EVS_ZIP), status, occ, err);
	} else if (strcmp(et->type, "claim") == 0) {
		rc = add_claim(c, rid, e->anum, evs(e, base, EVS_CLAIM_TYPE),
			       evs(e, base, EVS_STATUS), occ, err);
	} else if (strcmp(et->type, "representation") == 0) {
		rc = add_repr(c, "field_event", rid, e->anum, evs(e, base, EVS_PROVIDER),
			      "counsel", evs(e, base, EVS_STATUS), occ, err);
	} else if (strcmp(et->type, "orientation") == 0) {
		rc = add_repr(c, "field_event", rid, e->anum, evs(e, base, EVS_PROVIDER),
			      "orientation", "given", occ, err);
	}
out:
	return rc;
}

int ingest_event_new(struct ingest_ctx *c, json_t *obj, const char *origin,
		     int *is_new, struct uc_err *err)
{
	const char *field = NULL;
	struct evenc e;
	int dummy;

	if (!is_new)
		is_new = &dummy;
	*is_new = 0;
	buf_reset(&c->mb);
	e.et = event_check(obj, &field, &c->mb, e.anum);
	if (e.et && event_seal(c->o.note_key, e.et, obj, &c->mb)) {
		field = "note";
		e.et = NULL;
	}
	if (!e.et)
		return uc_error(err, UC_EINPUT, "%s: %s: %s", origin, field,
				c->mb.ptr ? c->mb.ptr : "invalid");
	buf_reset(&c->jb);
	event_encode(&c->jb, obj, &e);
	return event_store(c, &e, c->jb.ptr, is_new, err);
}

int ingest_event(struct ingest_ctx *c, json_t *obj, const char *origin,
		 struct uc_err *err)
{
	return ingest_event_new(c, obj, origin, NULL, err);
}

/* ---- the events file: lines parsed ahead (evpar.h), consumed in order */

/* What the parse of an events line leaves for the import thread. */
enum { EVL_BLANK, EVL_JSON, EVL_BAD, EVL_OK };
struct evline {
	int kind;         /* EVL_BLANK (skipped), EVL_JSON, EVL_BAD (an error), EVL_OK */
	long col;         /* EVL_JSON, EVL_BAD: column of the error */
	size_t msg;       /* EVL_JSON, EVL_BAD: offset of the problem in the batch's out */
	size_t field;     /* EVL_BAD: offset of the field it is about */
	uint64_t kh;      /* EVL_OK: siphash of the event_id (in-file duplicates) */
	struct evenc e;   /* EVL_OK: the event, offsets into out; e.rhash tells
			   * two events with the same id apart */
};

/* Scratch of the two threads that parse events lines (evpar's workers). */
struct evparse {
	struct buf msg[2]; /* per worker: event_check messages, capped as c->mb */
	const unsigned char *key; /* notes' key (opts.note_key), borrowed, or NULL */
};

/*
 * evpar's parse function for the events feed: everything that depends on
 * the line alone -- CR, blank lines, json_loadb, event_check, the
 * canonical form and the hashes -- with the text of any error kept for
 * the import thread, which reports it in order. Runs on either thread;
 * touches nothing shared but read-only tables. The JSON object is freed
 * here, on the thread that made it.
 */
static void event_parse(void *arg, int worker, struct evpar_line *ln, struct buf *out)
{
	struct evparse *ep = arg;
	struct evline *r = ln->res;
	struct buf *msg = &ep->msg[worker];
	const char *field = NULL, *s, *id;
	json_error_t je;
	json_t *obj;
	size_t t;

	if (ln->n > 0 && ln->text[ln->n - 1] == '\r')
		ln->text[--ln->n] = '\0';
	s = ln->text;
	t = ln->n;
	fnorm_trim(&s, &t);
	if (t == 0) {
		r->kind = EVL_BLANK;
		return;
	}
	obj = json_loadb(ln->text, ln->n, JSON_REJECT_DUPLICATES, &je);
	if (!obj) {
		r->kind = EVL_JSON;
		r->col = je.column > 0 ? je.column : 1;
		r->msg = out->len;
		buf_add(out, je.text, strlen(je.text) + 1);
		return;
	}
	buf_reset(msg);
	r->e.et = event_check(obj, &field, msg, r->e.anum);
	if (r->e.et && event_seal(ep->key, r->e.et, obj, msg)) {
		field = "note";
		r->e.et = NULL;
	}
	if (!r->e.et) {
		s = msg->ptr ? msg->ptr : "invalid";
		r->kind = EVL_BAD;
		r->col = json_key_col(ln->text, field);
		r->field = out->len;
		buf_add(out, field, strlen(field) + 1);
		r->msg = out->len;
		buf_add(out, s, strlen(s) + 1);
		json_decref(obj);
		return;
	}
	r->kind = EVL_OK;
	id = jstr(obj, "event_id");
	r->kh = siphash(id, strlen(id));
	event_encode(out, obj, &r->e);
	json_decref(obj);
}

/*
 * Import an events file: evpar reads and parses its lines (on two
 * threads when the file's rows go through a threaded write pipe, i.e. it
 * is big: same rule), this thread reports errors, finds duplicates,
 * counts and stores, line by line in file order, so messages, rejects,
 * counts and rows are those of a one-thread import.
 */
static int import_events(struct frun *fr, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	struct lread lr;
	struct progress pg;
	struct evparse ep;
	struct evpar *par = NULL;
	char sha[65] = "";
	int rc, bom_done = 0;

	buf_init(&ep.msg[0], 4096);
	buf_init(&ep.msg[1], 4096);
	ep.key = c->o.note_key;
	rc = lread_open(&lr, fr->path, MAX_EVENT_LINE, err);
	if (rc)
		return rc;
	fr->file_size = lr.file_size;
	progress_start(&pg, fr->path, lr.file_size);
	fr->kind = 2;
	rc = begin_file(fr, "field_event", err);
	if (rc)
		goto out;
	c->cur = fr;
	if (fr->wp)
		json_object_seed(0); /* jansson's hash seed, set before a second thread parses */
	rc = evpar_open(&par, &lr, sizeof(struct evline), event_parse, &ep, fr->wp != NULL,
			err);
	if (rc == UC_EIO) /* no parse thread: parse on this one */
		rc = evpar_open(&par, &lr, sizeof(struct evline), event_parse, &ep, 0, err);
	if (rc)
		goto out;
	for (;;) {
		struct evpar_line *ln;
		const struct evpar_line *next;
		const struct evline *r;
		struct dup_ent *d;
		int is_new = 0;

		rc = evpar_next(par, &ln, err);
		if (rc == 0)
			break;
		if (rc < 0) {
			rc = UC_EIO;
			goto out;
		}
		r = ln->res;
		fr->line = ln->lineno;
		fr->row_bad = 0;
		fr->raw = "";
		fr->raw_len = 0;
		if (!bom_done) {
			/* line 1 has been read: lr.bom is known */
			bom_done = 1;
			if (bom_check_file(fr, lr.bom)) {
				rc = UC_OK;
				goto out;
			}
		}
		if (ln->is_long) {
			fr->rows_read++;
			fr->rows_rejected++;
			row_error_at(fr, fr->line, MAX_EVENT_LINE + 1, "event",
				     "line longer than 1 MiB");
			continue;
		}
		if (r->kind == EVL_BLANK)
			continue;
		fr->raw = ln->text;
		fr->raw_len = ln->n;
		fr->rows_read++;
		if ((fr->rows_read & 8191) == 0)
			progress_tick(&pg, ln->bytes);
		if (r->kind == EVL_JSON) {
			row_error_at(fr, fr->line, r->col, "json", "%s%s", ln->out + r->msg,
				     ln->nl ? "" : " (last line cut short: file truncated?)");
			fr->rows_rejected++;
			continue;
		}
		if (r->kind == EVL_BAD) {
			row_error_at(fr, fr->line, r->col, ln->out + r->field, "%s",
				     ln->out + r->msg);
			fr->rows_rejected++;
			continue;
		}
		/* Duplicate event ids within the file; the next line's slot is
		 * loaded meanwhile (the map is far bigger than the caches). */
		next = evpar_peek(par);
		if (next && !next->is_long) {
			const struct evline *nr = next->res;

			if (nr->kind == EVL_OK)
				dup_prefetch(&fr->dup, nr->kh);
		}
		d = dup_check(&fr->dup, r->kh, r->e.rhash, fr->line);
		if (d) {
			if (d->rhash == r->e.rhash) {
				fr->rows_same++;
			} else {
				row_error_at(fr, fr->line, json_key_col(ln->text, "event_id"),
					     "event_id", "duplicate key %s, first at line %ld",
					     evs(&r->e, ln->out, EVS_ID), d->line);
				fr->rows_rejected++;
			}
			continue;
		}
		rc = event_store(c, &r->e, ln->out, &is_new, err);
		if (rc)
			goto out;
		if (is_new)
			fr->rows_new++;
		else
			fr->rows_same++;
	}
	lread_sha256_hex(&lr, sha);
	rc = end_file(fr, sha, err);
out:
	evpar_close(par);
	c->cur = NULL;
	progress_end(&pg);
	lread_close(&lr);
	buf_release(&ep.msg[0]);
	buf_release(&ep.msg[1]);
	return rc;
}

/* ---- driver ----------------------------------------------------------- */

static const char *const FEEDS[] = {"eoir", "cbp", "orr", "ice", "events", NULL};

/* EOIR table of a file, by name, else NULL. */
static const struct table_spec *eoir_by_name(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	for (int i = 0; i < ingest_ntables; i++) {
		const struct table_spec *ts = &ingest_tables[i];
		size_t l = strlen(ts->file);

		if (strcmp(ts->feed, "eoir") == 0 && strncasecmp(b, ts->file, l) == 0)
			return ts;
	}
	return NULL;
}

/* EOIR table by the first column of the header line. */
static const struct table_spec *eoir_by_header(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	const struct table_spec *found = NULL;

	if (!f)
		return NULL;
	if (fgets(line, sizeof(line), f)) {
		char *h = line;

		/* a UTF-8 byte-order mark is skipped, as the reader does */
		if (strncmp(h, "\xEF\xBB\xBF", 3) == 0)
			h += 3;
		h[strcspn(h, "\t\r\n")] = '\0';
		for (int i = 0; i < ingest_ntables; i++)
			if (strcmp(ingest_tables[i].feed, "eoir") == 0 &&
			    strcasecmp(ingest_tables[i].cols[0].name, h) == 0)
				found = &ingest_tables[i];
	}
	fclose(f);
	return found;
}

struct job {
	char *path;                  /* owned */
	const struct table_spec *ts; /* EOIR: its table; else NULL */
	int rank;                    /* sort order */
};

static int job_cmp(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->path, y->path);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Add path (file or folder) to jobs. */
static int collect(const char *feed, const char *path, struct job **jobs,
		   int *njobs, int *alloc, struct uc_err *err)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return uc_error(err, UC_EIO, "cannot read %s: %s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode)) {
		struct dirent **ents = NULL;
		int n = scandir(path, &ents, NULL, alphasort), rc = UC_OK;
		int before = *njobs;

		if (n < 0)
			return uc_error(err, UC_EIO, "cannot list %s: %s", path, strerror(errno));
		/* DIR/feed/ (the generator's layout): descend. */
		for (int i = 0; i < n; i++) {
			if (strcmp(ents[i]->d_name, feed) == 0) {
				struct buf b;

				buf_init(&b, 8192);
				buf_addf(&b, "%s/%s", path, feed);
				if (stat(b.ptr, &sb) == 0 && S_ISDIR(sb.st_mode)) {
					rc = collect(feed, b.ptr, jobs, njobs, alloc, err);
					buf_release(&b);
					goto done;
				}
				buf_release(&b);
			}
		}
		for (int i = 0; i < n && !rc; i++) {
			const char *name = ents[i]->d_name;
			int take;
			struct buf b;

			if (name[0] == '.')
				continue;
			if (strcmp(feed, "events") == 0)
				take = ends_with(name, ".jsonl");
			else if (strcmp(feed, "eoir") == 0)
				take = eoir_by_name(name) != NULL;
			else
				take = ends_with(name, ".csv");
			if (!take)
				continue;
			buf_init(&b, 8192);
			buf_addf(&b, "%s/%s", path, name);
			rc = collect(feed, b.ptr, jobs, njobs, alloc, err);
			buf_release(&b);
		}
		if (!rc && *njobs == before)
			rc = uc_error(err, UC_EINPUT, "%s: no %s files in this folder (see docs/formats.md)",
				      path, feed);
done:
		for (int i = 0; i < n; i++)
			free(ents[i]);
		free(ents);
		return rc;
	}
	if (*njobs == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		*jobs = uc_xrealloc(*jobs, (size_t)*alloc * sizeof(**jobs));
	}
	(*jobs)[*njobs].path = uc_xstrdup(path);
	(*jobs)[*njobs].ts = NULL;
	(*jobs)[*njobs].rank = 0;
	if (strcmp(feed, "eoir") == 0) {
		const struct table_spec *ts = eoir_by_name(path);

		if (!ts)
			ts = eoir_by_header(path);
		if (!ts) {
			free((*jobs)[*njobs].path);
			return uc_error(err, UC_EINPUT,
					"%s: not an EOIR table: expected A_TblCase*, "
					"B_TblProceeding*, tbl_schedule* or tbl_JuvenileHistory* "
					"(by file name or first header column)",
					path);
		}
		(*jobs)[*njobs].ts = ts;
		(*jobs)[*njobs].rank = ts->rank;
	} else if (strcmp(feed, "events") != 0) {
		const char *b = strrchr(path, '/');

		b = b ? b + 1 : path;
		for (int i = 0; i < ingest_ntables; i++)
			if (strcmp(ingest_tables[i].feed, feed) == 0 &&
			    strcmp(ingest_tables[i].file, b) == 0)
				(*jobs)[*njobs].rank = ingest_tables[i].rank;
	}
	(*njobs)++;
	return UC_OK;
}

static int import_one(struct ingest_ctx *c, const char *feed, struct job *j,
		      struct ingest_stats *s, struct uc_err *err)
{
	struct frun fr;
	int rc;

	memset(&fr, 0, sizeof(fr));
	fr.c = c;
	fr.feed = feed;
	fr.path = j->path;
	fr.ts = j->ts;
	fr.tidx = -1;
	rc = store_begin(c->st, err);
	if (rc)
		return rc;
	if (strcmp(feed, "eoir") == 0)
		rc = import_eoir(&fr, err);
	else if (strcmp(feed, "events") == 0)
		rc = import_events(&fr, err);
	else
		rc = import_csv(&fr, err);
	/* Before any store call below (rollback, commit): the writer is done. */
	rc = pipe_finish(&fr, rc, err);
	dup_release(&fr.dup);
	rset_release(&fr.seen);
	s->files++;
	s->rows_read += fr.rows_read;
	s->rows_rejected += fr.rows_rejected;
	s->unknown_codes += fr.unknown;
	s->rows_repaired += fr.repaired;
	s->warnings += fr.nwarn;
	if (fr.nwarn > INGEST_MAX_SHOWN)
		fprintf(c->diag, "%s: … and %ld more warnings\n", fr.path,
			fr.nwarn - INGEST_MAX_SHOWN);
	if (fr.nerr > INGEST_MAX_SHOWN)
		fprintf(c->diag, "%s: … and %ld more errors\n", fr.path,
			fr.nerr - INGEST_MAX_SHOWN);
	if (rc || (fr.nerr && (!c->rej || !fr.file_id))) {
		for (int i = 0; i < fr.nsaved; i++)
			free(fr.saved_idx[i]);
	}
	if (rc) {
		store_rollback(c->st);
		s->files_failed++;
		return rc;
	}
	if (fr.nerr && (!c->rej || !fr.file_id)) {
		store_rollback(c->st);
		s->files_failed++;
		fprintf(c->diag, "%s: %ld error%s: nothing imported from this file "
			"(fix it, or use --skip-bad REJECTS to import the good rows)\n",
			fr.path, fr.nerr, fr.nerr == 1 ? "" : "s");
		return UC_EINPUT;
	}
	rc = bulk_finish(&fr, err);
	if (!rc)
		rc = store_commit(c->st, err);
	for (int i = 0; i < fr.nsaved; i++)
		free(fr.saved_idx[i]);
	if (rc) {
		store_rollback(c->st);
		s->files_failed++;
		return rc;
	}
	s->rows_new += fr.rows_new;
	s->rows_same += fr.rows_same;
	if (fr.nerr)
		fprintf(c->diag, "%s: %ld row%s rejected (written to %s)\n", fr.path,
			fr.rows_rejected, fr.rows_rejected == 1 ? "" : "s", c->o.rejects);
	return UC_OK;
}

int ingest_feed(struct ingest_ctx *c, const char *feed, char **paths,
		int npaths, struct ingest_stats *stats, struct uc_err *err)
{
	struct ingest_stats s;
	struct job *jobs = NULL;
	int njobs = 0, alloc = 0, rc = UC_OK, worst = UC_OK;
	double t0 = progress_now();
	struct buf ok, failed;

	memset(&s, 0, sizeof(s));
	buf_init(&ok, 1 << 20);
	buf_init(&failed, 1 << 20);
	if (fnorm_enum(feed, strlen(feed), FEEDS) < 0) {
		rc = uc_error(err, UC_EUSAGE, "unknown feed '%s'; allowed: eoir, cbp, orr, ice, events",
			      feed);
		goto out;
	}
	for (int i = 0; i < npaths && !rc; i++)
		rc = collect(feed, paths[i], &jobs, &njobs, &alloc, err);
	if (rc)
		goto out;
	qsort(jobs, (size_t)njobs, sizeof(*jobs), job_cmp);
	for (int i = 0; i < njobs; i++) {
		struct uc_err e = UC_ERR_INIT;

		rc = import_one(c, feed, &jobs[i], &s, &e);
		if (rc == UC_OK) {
			buf_addf(&ok, "%s%s", ok.len ? ", " : "", jobs[i].path);
			continue;
		}
		buf_addf(&failed, "%s%s", failed.len ? ", " : "", jobs[i].path);
		if (rc != UC_EINPUT) {
			/* I/O or database failure: stop here. */
			*err = e;
			worst = rc;
			break;
		}
		if (worst == UC_OK)
			worst = UC_EINPUT;
	}
	rc = worst;
	if (rc == UC_EINPUT)
		uc_error(err, UC_EINPUT, "%s: %ld of %ld file%s not imported: %s%s%s",
			 feed, s.files_failed, s.files, s.files == 1 ? "" : "s",
			 failed.ptr ? failed.ptr : "",
			 ok.len ? "; imported: " : "", ok.ptr ? ok.ptr : "");
out:
	s.seconds = progress_now() - t0;
	if (!c->o.quiet && s.files > 0)
		fprintf(c->out,
			"%s: %ld file%s, %ld rows read, %ld new, %ld unchanged, %ld rejected, "
			"%ld unknown codes, %ld repaired, %ld warnings, %.2f s, %.0f rows/s\n",
			feed, s.files, s.files == 1 ? "" : "s", s.rows_read, s.rows_new,
			s.rows_same, s.rows_rejected, s.unknown_codes, s.rows_repaired,
			s.warnings,
			s.seconds, s.seconds > 0 ? (double)s.rows_read / s.seconds : 0.0);
	if (stats)
		*stats = s;
	for (int i = 0; i < njobs; i++)
		free(jobs[i].path);
	free(jobs);
	buf_release(&ok);
	buf_release(&failed);
	return rc;
}
