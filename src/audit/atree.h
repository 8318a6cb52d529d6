#ifndef UC_ATREE_H
#define UC_ATREE_H
/*
 * atree.h - the audit log's Merkle tree in the database (table audit_tree,
 * migration 008) and its signed checkpoints. docs/audit.md is the guide.
 *
 * Leaf n (0-based) is entry seq n + 1; its leaf bytes are encode(entry),
 * the canonical encoding of audit.h without the previous hash: seq as 8
 * bytes big-endian, then at, actor, role, action, target, purpose,
 * outcome, detail, addr each as a 4-byte big-endian length and its bytes
 * (0xffffffff for NULL). Hashing per RFC 6962 (merkle.h). Every complete
 * subtree is stored, so roots and proofs of any size read O(log^2 n) rows
 * and an append writes 2 rows on average, in the appending transaction
 * (audit.c calls atree_app_*).
 *
 * A database whose entries predate the tree gets the missing leaves on its
 * next append, or from atree_sync() (called by `uctrack serve` at start
 * and by `uctrack audit checkpoint|prove`).
 *
 * Usage (verify against a witness's checkpoint):
 *
 *   struct ckpt c;  // from ckpt_open()
 *   struct atree_report rep;
 *   if (atree_verify(st, &c, "ckpt.txt", &rep, &err)) ... err.msg says
 *
 * Usage (server: sign a checkpoint every interval, on one thread):
 *
 *   struct atree_signer *sg;
 *   atree_signer_open(&sg, &cfg, &err);     // NULL sg: no signing_key
 *   ... atree_checkpoint_tick(st, sg, &err) every second ...
 *   atree_signer_free(sg);
 */
#include <stdint.h>

#include "audit/audit.h"
#include "audit/ckpt.h"
#include "audit/merkle.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#define ATREE_INTERVAL_DEFAULT 300 /* [audit] checkpoint_interval default */

/* The [audit] section of the config (docs/configuration.md). */
struct atree_config {
	char *signing_key;    /* private key file (0600); owned; NULL: none */
	char *verifier_key;   /* vkey file for `audit verify`; owned; NULL */
	char *checkpoint_dir; /* where checkpoints are kept; owned; NULL */
	char *origin;	      /* checkpoint origin; owned; NULL: key name */
	int interval_s;	      /* seconds between the server's checkpoints */
};

void atree_config_init(struct atree_config *c);
/* Set [audit] name = value. UC_EINPUT for an unknown key or bad value. */
int atree_config_set(struct atree_config *c, const char *name, const char *value,
		     struct uc_err *err);
void atree_config_release(struct atree_config *c);

/* Leaf hash of the entry (seq, at, e) (e's strings as stored). */
void atree_leaf(int64_t seq, const char *at, const struct audit_entry *e,
		unsigned char out[MERKLE_HASH]);

/* Appender used inside a write transaction (audit.c). */
struct atree_app {
	struct store *st;	  /* borrowed */
	struct store_stmt *ins;	  /* INSERT INTO audit_tree; owned */
	struct merkle_frontier f; /* right edge of the stored tree */
};
/*
 * Load the tree's right edge; head_seq is the log's last seq. Leaves of
 * entries that have none yet (written before migration 008) are added
 * first. UC_EINPUT when the tree is longer than the log (entries were
 * deleted from its end) or the log has a gap: nothing more may be
 * appended until `uctrack audit verify` has been looked at.
 */
int atree_app_begin(struct atree_app *a, struct store *st, int64_t head_seq, struct uc_err *err);
/* Add entry seq (must be the next one). */
int atree_app_add(struct atree_app *a, int64_t seq, const char *at, const struct audit_entry *e,
		  struct uc_err *err);
/* Free; accepts a zeroed or released a. */
void atree_app_release(struct atree_app *a);

/* Leaves in the stored tree. */
int atree_size(struct store *st, int64_t *size, struct uc_err *err);
/* Build missing leaves in a transaction of its own; *size (may be NULL)
 * gets the tree size. */
int atree_sync(struct store *st, int64_t *size, struct uc_err *err);
/* Root of the stored tree's first size leaves. */
int atree_root(struct store *st, int64_t size, unsigned char out[MERKLE_HASH], struct uc_err *err);
/* Inclusion proof of leaf index (entry index + 1) in the tree of size;
 * leaf gets the stored leaf hash. */
int atree_prove_inclusion(struct store *st, int64_t index, int64_t size,
			  unsigned char leaf[MERKLE_HASH], unsigned char proof[][MERKLE_HASH],
			  size_t *np, struct uc_err *err);
/* Consistency proof from size m to size n. */
int atree_prove_consistency(struct store *st, int64_t m, int64_t n,
			    unsigned char proof[][MERKLE_HASH], size_t *np, struct uc_err *err);

/* What atree_verify() found. */
struct atree_report {
	int64_t entries;   /* entries in audit_log */
	int64_t tree_size; /* leaves in the stored tree */
	int64_t first_bad; /* seq of the first entry found changed or missing */
	int ckpt_ok;	   /* a checkpoint was given and entries 1..size match */
	int hidden;	   /* entries 1..size were rewritten and the chain and
			      tree recomputed: see atree_locate() */
};
/*
 * Recompute the tree from the entries (one pass) and check, in order:
 * with a checkpoint c (NULL: none; cname names it in messages), that the
 * log still holds c->size entries (else: truncated, or wholly deleted)
 * whose root is c->root (else: rewritten; the entry is named when the
 * stored tree still holds its original leaf); then that the stored tree
 * agrees with the entries (no leaf beyond the log's end, every leaf and
 * node matching). UC_EINPUT with what, where and what to do otherwise.
 */
int atree_verify(struct store *st, const struct ckpt *c, const char *cname,
		 struct atree_report *rep, struct uc_err *err);

/*
 * Narrow down a rewrite atree_verify() could not locate (the chain and
 * the tree were recomputed): among the checkpoints in dir of size <= max,
 * each checked against vk, binary-search the largest whose root the
 * stored tree still has (*good; 0: none) and the next, whose root differs
 * (*bad; 0: every one matches). The first rewritten entry is then in
 * good+1..bad. Needs a stored tree that agrees with the entries.
 */
int atree_locate(struct store *st, const char *dir, const struct ckpt_key *vk, int64_t max,
		 int64_t *good, int64_t *bad, struct uc_err *err);

/* A checkpoint signer (server or CLI). */
struct atree_signer {
	struct ckpt_key key; /* signing key (secret) */
	char *origin;	     /* origin line; owned */
	char *dir;	     /* checkpoint_dir; owned; NULL: none */
	int interval_s;	     /* seconds between atree_checkpoint_tick writes */
	double next_at;	     /* tick: when the next is due (tick's thread only) */
	int64_t last_size;   /* size of the last checkpoint written, -1: none */
};
/* *out = NULL (and 0) when c has no signing_key. */
int atree_signer_open(struct atree_signer **out, const struct atree_config *c, struct uc_err *err);
void atree_signer_free(struct atree_signer *s);
/*
 * Sign a checkpoint of the stored tree as it is now; append the note to
 * note (may be NULL) and, when s->dir is set, store it there as
 * <size, 20 digits>.ckpt (temp file + rename). *size may be NULL.
 */
int atree_checkpoint_write(struct store *st, struct atree_signer *s, struct buf *note,
			   int64_t *size, struct uc_err *err);
/* atree_checkpoint_write() when interval_s has passed since the last one
 * and the tree grew. Call from one thread only (the server's checkpointer). */
int atree_checkpoint_tick(struct store *st, struct atree_signer *s, struct uc_err *err);
/* The newest checkpoint file in dir: path into path (size pathlen), text
 * into note (initialised here). UC_ENOTFOUND when there is none. */
int atree_checkpoint_latest(const char *dir, char *path, size_t pathlen, struct buf *note,
			    struct uc_err *err);

#endif
