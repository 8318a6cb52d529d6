/*
 * ingest_int.h - what the parts of the ingest module share: the context,
 * the state of one file, the row scratch, and the functions one part calls
 * in another (driver ingest.c, rows ingest_row.c, CSV ingest_csv.c, EOIR
 * ingest_eoir.c, events ingest_events.c). Not for other modules: they use
 * ingest.h.
 */
#ifndef UC_INGEST_INT_H
#define UC_INGEST_INT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/buf.h"
#include "ingest/csvr.h"
#include "ingest/ingest.h"
#include "ingest/ingest_spec.h"
#include "ingest/wpipe.h"

#define MAX_COLS 32	     /* most spec columns in a table */
#define EOIR_MAX_FIELDS 4096 /* most tab-separated fields in an EOIR row */
#define EOIR_MAX_LINE (1024 * 1024)
#define MAX_EVENT_LINE (1024 * 1024)
#define EVENT_MAX_BODY (8 * MAX_EVENT_LINE) /* canonical JSON of one event */
#define EVENT_JSON_FLAGS (JSON_SORT_KEYS | JSON_COMPACT)

/* ---- small hash maps ------------------------------------------------- */

/* skey hash -> (content hash, first line): duplicate keys within a file. */
struct dup_ent {
	uint64_t key;	/* ingest_siphash of the skey; 0 = empty slot */
	uint64_t rhash; /* content hash of the first row with this key */
	long line;	/* its line */
};

struct dupmap {
	struct dup_ent *e; /* slots, owned */
	size_t n;	   /* used */
	size_t cap;	   /* power of two (or 0) */
};
/* A set of 64-bit hashes (open addressing, linear probing): the rhash
 * values stored in a table before the current file. */
struct rset {
	uint64_t *e;  /* slots, owned; 0 = empty */
	size_t n;     /* used */
	size_t cap;   /* power of two (or 0) */
	int has_zero; /* the value 0 is in the set */
};
/* Unknown EOIR codes of one file: (field, code) -> count, first line. */
struct unk_ent {
	int field;	 /* spec column index; -1 = empty slot */
	char code[48];	 /* the code (truncated if longer) */
	long n;		 /* occurrences */
	long first_line; /* first line seen */
};

struct unkmap {
	struct unk_ent e[1024]; /* fixed: more distinct codes are counted only */
	int used;		/* slots used */
	long overflow;		/* occurrences not tracked individually */
};
/* ---- context ------------------------------------------------------- */

/* Columns the derived rows and extras read, by name: resolved to spec
 * column indexes once per table (ingest_prepare_insert), not per row. */
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

struct ingest_ctx {
	struct store *st;	    /* borrowed */
	struct ingest_opts o;	    /* options (paths borrowed) */
	FILE *out;		    /* summaries */
	FILE *diag;		    /* errors and warnings */
	const struct lookup *lk;    /* EOIR lookup tables: lk_owned or opts.lk */
	struct lookup *lk_owned;    /* the tables loaded on demand, owned */
	const char *juv[10];	    /* tblLookup_Juvenile codes by position */
	struct store_stmt *ins[16]; /* per table spec: INSERT statement */
	struct store_stmt *has[16]; /* per table spec: row with (skey, rhash)? */
	signed char vix[16][VC_N];  /* per table spec: column of each vcol_id or -1 */
	struct store_stmt *q_event; /* INSERT field_event */
	struct store_stmt *q_ehas;  /* field_event row with (skey, rhash)? */
	struct store_stmt *q_addr;  /* INSERT address */
	struct store_stmt *q_claim; /* INSERT claim */
	struct store_stmt *q_repr;  /* INSERT representation */
	struct store_stmt *q_file;  /* INSERT import_file */
	struct store_stmt *q_unk;   /* INSERT ingest_unknown_code */
	struct wpipe *wsync;	    /* non-threaded write pipe (API, small files), owned */
	struct wpipe *wp;	    /* pipe rows are written through: wsync or the file's */
	long long pipe_min;	    /* pipeline files of at least this many bytes; < 0
				       never */
	FILE *rej;		    /* rejects temp file, or NULL */
	char *rej_tmp;		    /* its path, owned */
	struct buf vb;		    /* row scratch: normalised values */
	struct buf hb;		    /* row scratch: bytes to hash */
	struct buf mb;		    /* message scratch */
	struct buf jb;		    /* event scratch: its strings and canonical body (API) */
	struct frun *cur;	    /* file being imported, or NULL (API) */
};

/* One value of a row after normalisation. */
struct val {
	size_t off;    /* start in ctx->vb */
	size_t n;      /* length */
	int null;      /* SQL NULL */
	int is_int;    /* bind as integer */
	long long i;   /* the integer */
	const char *p; /* resolved pointer (after the row is complete) */
};

/* State of one file's import. */
struct frun {
	struct ingest_ctx *c;	     /* owner */
	const struct table_spec *ts; /* its table (NULL for events) */
	int tidx;		     /* index in ingest_tables, or -1 */
	const char *feed;	     /* feed name */
	const char *path;	     /* as given */
	int64_t file_id;	     /* import_file id (0 before the header) */
	long line;		     /* line of the current row */
	int row_bad;		     /* the current row has errors */
	long nerr;		     /* errors in the file */
	long nwarn;		     /* warnings in the file */
	long rows_read;		     /* data rows read */
	long rows_new;		     /* rows stored */
	long rows_same;		     /* rows already stored or repeated */
	long rows_rejected;	     /* bad rows */
	long unknown;		     /* unknown EOIR code occurrences */
	long repaired;		     /* EOIR rows repaired (stray tab rejoined) */
	struct dupmap dup;	     /* keys seen in this file */
	struct rset seen;	     /* rhash values stored before this file */
	int use_set;		     /* check rows against seen (else: look up) */
	struct unkmap *unk;	     /* unknown codes (EOIR) */
	/* position lookup for the current row */
	int kind;	       /* 0 CSV, 1 EOIR, 2 JSONL */
	struct csvr_row *crow; /* CSV: the row */
	int fidx[MAX_COLS];    /* source field index of each spec column */
	char *eline;	       /* EOIR/JSONL: the line */
	char **ef;	       /* EOIR: field pointers */
	const char *raw;       /* raw text of the row (rejects) */
	size_t raw_len;	       /* its length */
	uint64_t file_size;    /* bytes in the file (bulk-load decision) */
	const char *drop[4];   /* tables whose indexes go at the first new row */
	int ndrop;	       /* entries in drop (0 once dropped) */
	char *saved_idx[4];    /* dropped index definitions, owned */
	int nsaved;	       /* entries in saved_idx */
	struct wpipe *wp;      /* threaded write pipe of this file, owned, or NULL */
	int64_t last_rid;      /* rid of the last row: max(rid) of the table before
				* the file, then one more for each new row (set in
				* ingest_bulk_prepare; used when wp assigns rids) */
};

#define row_error(fr, k, field, ...)                                                               \
	do {                                                                                       \
		long l_, c_;                                                                       \
		ingest_field_pos((fr), (k), -1, &l_, &c_);                                         \
		ingest_row_error_at((fr), l_, c_, (field), __VA_ARGS__);                           \
	} while (0)

/* ---- functions shared by the parts (see each definition) ---------- */

int ingest_add_address(struct ingest_ctx *c, const char *tbl, int64_t rid, const char *anum,
		       const char *street, const char *unit, const char *city, const char *state,
		       const char *zip, const char *status, const char *as_of, struct uc_err *err);
int ingest_add_claim(struct ingest_ctx *c, int64_t rid, const char *anum, const char *type,
		     const char *status, const char *on_date, struct uc_err *err);
int ingest_add_repr(struct ingest_ctx *c, const char *tbl, int64_t rid, const char *anum,
		    const char *provider, const char *kind, const char *status, const char *on_date,
		    struct uc_err *err);
int ingest_begin_file(struct frun *fr, const char *tbl, struct uc_err *err);
int ingest_bom_check_file(struct frun *fr, int bom);
int ingest_bulk_drop(struct frun *fr, struct uc_err *err);
int ingest_bulk_finish(struct frun *fr, struct uc_err *err);
int ingest_bulk_prepare(struct frun *fr, const char *tbl, struct uc_err *err);
void ingest_check_value(struct frun *fr, int k, const char *s, size_t n, struct val *v);
struct dup_ent *ingest_dup_check(struct dupmap *m, uint64_t key, uint64_t rhash, long line);
void ingest_dup_prefetch(const struct dupmap *m, uint64_t key);
void ingest_dup_release(struct dupmap *m);
void ingest_dup_reserve(struct dupmap *m, size_t n);
int ingest_end_file(struct frun *fr, const char *sha, struct uc_err *err);
const struct table_spec *ingest_eoir_by_header(const char *path);
const struct table_spec *ingest_eoir_by_name(const char *path);
void ingest_field_pos(struct frun *fr, int k, int f, long *line, long *col);
int ingest_import_csv(struct frun *fr, struct uc_err *err);
int ingest_import_eoir(struct frun *fr, struct uc_err *err);
int ingest_import_events(struct frun *fr, struct uc_err *err);
int ingest_load_lookup(struct ingest_ctx *c, struct uc_err *err);
int ingest_map_header(struct frun *fr, char **names, int nf, int ci);
int ingest_prep(struct ingest_ctx *c, struct store_stmt **q, const char *sql, struct uc_err *err);
int ingest_prepare_insert(struct ingest_ctx *c, const struct table_spec *ts, struct uc_err *err);
int ingest_prepare_writes(struct ingest_ctx *c, struct uc_err *err);
int64_t ingest_rid_param(struct frun *fr, struct wpipe *p);
void ingest_row_error_at(struct frun *fr, long line, long col, const char *field, const char *fmt,
			 ...) __attribute__((format(printf, 5, 6)));
int64_t ingest_row_rid(struct ingest_ctx *c, int64_t rid);
void ingest_rset_add(struct rset *s, uint64_t v);
void ingest_rset_release(struct rset *s);
uint64_t ingest_siphash(const void *p, size_t n);
int ingest_state_code(const char *s, size_t n, char out[3]);
int ingest_store_row(struct frun *fr, struct val *v, struct uc_err *err);
int ingest_stored_already(const struct rset *seen, int use_set, struct store_stmt *has,
			  const char *skey, size_t skey_len, uint64_t rhash, struct uc_err *err);
void ingest_unknown_code(struct frun *fr, int k, const char *code, size_t n);
void ingest_warn_at(struct frun *fr, long line, long col, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int ingest_zip_shape(const char *s, size_t n);

#endif
