#ifndef UC_INGEST_H
#define UC_INGEST_H
/*
 * ingest.h - the import driver: feed files in, validated source records out.
 *
 * One adapter per feed (EOIR tab-separated tables, CBP/ORR/ICE CSV, field
 * events JSONL), described by tables of columns in ingest.c and the
 * contract in docs/formats.md. Every file is read once, streamed through
 * prepared statements, inside one transaction: by default a file with any
 * bad row imports nothing; with a rejects path the good rows are imported
 * and the bad ones written to the rejects CSV. Rows are idempotent by
 * rhash (see src/store/migrations/001_feeds.sql and docs/import.md): the
 * importer is the only writer of the feed tables and keeps rhash unique
 * per table itself.
 *
 * Usage:
 *
 *   struct ingest_opts o = {.rejects = NULL, .eoir_lookup = path};
 *   struct ingest_ctx *c = NULL;
 *   if (ingest_open(&c, st, &o, &err)) ...
 *   rc = ingest_feed(c, "cbp", paths, npaths, &err);  // prints diagnostics
 *   rc2 = ingest_finish(c, &err);                     // rejects file rename
 *   ingest_free(c);
 *
 * Diagnostics go to opts.diag (stderr): each error as
 * "file:line:column: field: problem", the first INGEST_MAX_SHOWN per file.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "store/store.h"

struct lookup;

#define INGEST_MAX_SHOWN 20 /* errors (and warnings) printed per file */

struct ingest_opts {
	const char *rejects;	       /* --skip-bad: rejects CSV path, or NULL (atomic files) */
	const char *eoir_lookup;       /* EOIR lookup CSV path (loaded on first EOIR file) */
	const struct lookup *lk;       /* EOIR lookup tables already loaded (the
					* server's), borrowed; used instead of
					* eoir_lookup when set */
	const unsigned char *note_key; /* SEAL_KEY_BYTES key sealing the notes of
					* trafficking_screening and welfare_check
					* events (auth/seal.h), borrowed; NULL: no
					* key, and such notes are refused */
	int quiet;		       /* no summary on stdout */
	FILE *out;		       /* summaries (NULL: stdout) */
	FILE *diag;		       /* errors and warnings (NULL: stderr) */
	long long pipe_min_bytes;      /* write pipe (below): files of at least this
					* many bytes; 0: default, < 0: never */
};

/*
 * Write pipe. A big file (rows checked against the in-memory set, see
 * docs/import.md) is loaded on two threads: this one reads, checks,
 * normalises and hashes rows, a writer thread runs the inserts
 * (src/ingest/wpipe.h). Results are the same as on one thread (same rids,
 * same rows, same messages). opts.pipe_min_bytes picks the files: > 0,
 * files of at least that many bytes (1: every such file); < 0, none; 0,
 * the environment variable UCTRACK_PIPE_MIN_BYTES (a whole number: 0
 * every file, -1 none), else INGEST_PIPE_MIN_DEFAULT when the machine has
 * two or more online CPUs, else none. ingest_event() never uses it.
 */
#define INGEST_PIPE_MIN_DEFAULT (1LL << 20)

/* Totals of one ingest_feed() call (also printed as its summary). */
struct ingest_stats {
	long files;	    /* files read */
	long files_failed;  /* files not imported (bad input, rolled back) */
	long rows_read;	    /* data rows read */
	long rows_new;	    /* rows stored (new records or versions) */
	long rows_same;	    /* rows already stored, or repeated lines */
	long rows_rejected; /* bad rows */
	long unknown_codes; /* EOIR values unknown to the lookup tables */
	long rows_repaired; /* EOIR rows whose stray tab was rejoined (also a
			     * warning each) */
	long warnings;	    /* repaired rows, count mismatches, unknown codes */
	double seconds;	    /* wall time */
};

struct ingest_ctx;

/* Create a context over an open store (borrowed; open it with STORE_BULK).
 * The rejects file, if any, is created now as a temporary file. A bad
 * UCTRACK_PIPE_MIN_BYTES is UC_EUSAGE. */
int ingest_open(struct ingest_ctx **out, struct store *st, const struct ingest_opts *opts,
		struct uc_err *err);
/*
 * Import paths (files or folders) of feed ("eoir", "cbp", "orr", "ice",
 * "events"). Returns UC_OK when every file was imported, UC_EINPUT when some
 * file had errors (already-imported files stay committed), UC_EUSAGE for an
 * unknown feed or a file of another feed, UC_EIO for I/O or database
 * failures. stats (may be NULL) receives the totals.
 */
int ingest_feed(struct ingest_ctx *c, const char *feed, char **paths, int npaths,
		struct ingest_stats *stats, struct uc_err *err);
/*
 * Validate one field event and store it (the shape of docs/formats.md §5),
 * with its derived rows (address, claim, representation). The caller holds
 * a write transaction (store_begin: BEGIN IMMEDIATE), which makes the
 * "stored already?" lookup on (skey, rhash) and the insert atomic: no
 * UNIQUE index backs them. origin names the source for messages (e.g.
 * "api"); the event gets no file provenance unless ingest is reading a
 * file. obj is borrowed; the "note" of a trafficking_screening or
 * welfare_check event is replaced in obj by its sealed form (opts.note_key;
 * a note already sealed is kept; without a key such a note is UC_EINPUT). Returns UC_OK (stored or
 * already stored), UC_EINPUT with "origin: field: problem" in err, or UC_EIO. *is_new (may be NULL)
 * is set to 1 when a row was added.
 */
int ingest_event(struct ingest_ctx *c, json_t *obj, const char *origin, struct uc_err *err);
int ingest_event_new(struct ingest_ctx *c, json_t *obj, const char *origin, int *is_new,
		     struct uc_err *err);
/* Write and rename the rejects file (when --skip-bad). */
int ingest_finish(struct ingest_ctx *c, struct uc_err *err);
/* Free; removes an unfinished rejects temp file. Accepts NULL. */
void ingest_free(struct ingest_ctx *c);

#endif
