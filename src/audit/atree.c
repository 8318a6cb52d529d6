/*
 * atree.c - the audit log's stored Merkle tree, its verification against
 * the entries and a witness's checkpoint, and checkpoint signing.
 */
#include "audit/atree.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"

#define INTERVAL_MAX (7 * 86400)

void atree_config_init(struct atree_config *c)
{
	memset(c, 0, sizeof(*c));
	c->interval_s = ATREE_INTERVAL_DEFAULT;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = *v ? uc_xstrdup(v) : NULL;
}

int atree_config_set(struct atree_config *c, const char *name, const char *value,
		     struct uc_err *err)
{
	if (strcmp(name, "signing_key") == 0) {
		set_str(&c->signing_key, value);
	} else if (strcmp(name, "verifier_key") == 0) {
		set_str(&c->verifier_key, value);
	} else if (strcmp(name, "checkpoint_dir") == 0) {
		set_str(&c->checkpoint_dir, value);
	} else if (strcmp(name, "origin") == 0) {
		set_str(&c->origin, value);
	} else if (strcmp(name, "checkpoint_interval") == 0) {
		char *end = NULL;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < 1 || v > INTERVAL_MAX)
			return uc_error(err, UC_EINPUT,
					"[audit] checkpoint_interval: "
					"expected 1..%d seconds, got '%s'",
					INTERVAL_MAX, value);
		c->interval_s = (int)v;
	} else {
		return uc_error(err, UC_EINPUT,
				"[audit] unknown key '%s' (see "
				"docs/configuration.md)",
				name);
	}
	return UC_OK;
}

void atree_config_release(struct atree_config *c)
{
	free(c->signing_key);
	free(c->verifier_key);
	free(c->checkpoint_dir);
	free(c->origin);
	atree_config_init(c);
}

static void put_sha256(void *ctx, const unsigned char *p, size_t n)
{
	crypto_hash_sha256_update(ctx, p, n);
}

void atree_leaf(int64_t seq, const char *at, const struct audit_entry *e,
		unsigned char out[MERKLE_HASH])
{
	crypto_hash_sha256_state h;
	unsigned char pre = 0x00;

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, &pre, 1);
	audit_encode(seq, at, e, put_sha256, &h);
	crypto_hash_sha256_final(&h, out);
}

/* ---- reading stored nodes ---- */

struct getter {
	struct store *st;     /* borrowed */
	struct store_stmt *q; /* SELECT of one node; owned */
};

static int get_node(void *ctx, int level, uint64_t index, unsigned char out[MERKLE_HASH],
		    struct uc_err *err)
{
	struct getter *g = ctx;
	int rc;

	if (!g->q) {
		rc = store_prepare(g->st,
				   "SELECT hash FROM audit_tree WHERE last = ?"
				   " AND level = ?",
				   &g->q, err);
		if (rc)
			return rc;
	}
	store_bind_int(g->q, 1, (int64_t)(((index + 1) << level) - 1));
	store_bind_int(g->q, 2, level);
	rc = store_step(g->q, err);
	if (rc == STORE_ROW && store_col_bytes(g->q, 0) == MERKLE_HASH) {
		memcpy(out, store_col_blob(g->q, 0), MERKLE_HASH);
		rc = UC_OK;
	} else if (rc >= 0) {
		rc = uc_error(err, UC_EINPUT,
			      "audit tree node (level %d, index %llu, covering entries "
			      "%llu..%llu) is missing or damaged: the table audit_tree "
			      "was altered; run `uctrack audit verify`",
			      level, (unsigned long long)index,
			      (unsigned long long)(index << level) + 1,
			      (unsigned long long)((index + 1) << level));
	} else {
		rc = -rc;
	}
	store_reset(g->q);
	return rc;
}

int atree_size(struct store *st, int64_t *size, struct uc_err *err)
{
	*size = 0;
	/* the newest leaf has the largest last (primary key: one lookup) */
	return store_query_int(st, "SELECT coalesce(max(last) + 1, 0) FROM audit_tree", size, err);
}

int atree_root(struct store *st, int64_t size, unsigned char out[MERKLE_HASH], struct uc_err *err)
{
	struct getter g = {st, NULL};
	int rc = merkle_root(get_node, &g, (uint64_t)size, out, err);

	store_finalize(g.q);
	return rc;
}

static int check_size(struct store *st, int64_t want, const char *what, struct uc_err *err)
{
	int64_t have;
	int rc = atree_size(st, &have, err);

	if (!rc && want > have)
		rc = uc_error(err, UC_EINPUT,
			      "%s %lld: the audit tree has only "
			      "%lld entries",
			      what, (long long)want, (long long)have);
	return rc;
}

int atree_prove_inclusion(struct store *st, int64_t index, int64_t size,
			  unsigned char leaf[MERKLE_HASH], unsigned char proof[][MERKLE_HASH],
			  size_t *np, struct uc_err *err)
{
	struct getter g = {st, NULL};
	int rc;

	*np = 0;
	if (index < 0 || index >= size)
		return uc_error(err, UC_EINPUT,
				"leaf index %lld is not in a tree of "
				"size %lld (indexes are 0..size-1; entry seq = index + 1)",
				(long long)index, (long long)size);
	rc = check_size(st, size, "tree size", err);
	if (!rc)
		rc = get_node(&g, 0, (uint64_t)index, leaf, err);
	if (!rc)
		rc = merkle_inclusion_proof(get_node, &g, (uint64_t)index, (uint64_t)size, proof,
					    np, err);
	store_finalize(g.q);
	return rc;
}

int atree_prove_consistency(struct store *st, int64_t m, int64_t n,
			    unsigned char proof[][MERKLE_HASH], size_t *np, struct uc_err *err)
{
	struct getter g = {st, NULL};
	int rc;

	*np = 0;
	if (m < 0 || m > n)
		return uc_error(err, UC_EINPUT,
				"consistency proof wants 0 <= OLD <= "
				"NEW, got %lld and %lld",
				(long long)m, (long long)n);
	rc = check_size(st, n, "tree size", err);
	if (!rc)
		rc = merkle_consistency_proof(get_node, &g, (uint64_t)m, (uint64_t)n, proof, np,
					      err);
	store_finalize(g.q);
	return rc;
}

/* ---- appending ---- */

static int emit_node(void *ctx, int level, uint64_t index, const unsigned char hash[MERKLE_HASH],
		     struct uc_err *err)
{
	struct atree_app *a = ctx;
	int rc;

	if (!a->ins) {
		rc = store_prepare(a->st,
				   "INSERT INTO audit_tree(last, level, idx, hash)"
				   " VALUES(?,?,?,?)",
				   &a->ins, err);
		if (rc)
			return rc;
	}
	store_bind_int(a->ins, 1, (int64_t)(((index + 1) << level) - 1));
	store_bind_int(a->ins, 2, level);
	store_bind_int(a->ins, 3, (int64_t)index);
	store_bind_blob(a->ins, 4, hash, MERKLE_HASH);
	rc = store_step(a->ins, err);
	store_reset(a->ins);
	return rc < 0 ? -rc : UC_OK;
}

#define ENTRY_COLS                                                                                 \
	"seq, at, actor, role, action, target, purpose, outcome,"                                  \
	" detail, addr"

/* The entry of the row q whose first columns are ENTRY_COLS. */
static struct audit_entry row_entry(struct store_stmt *q)
{
	struct audit_entry e = {
	    .actor = store_col_text(q, 2),
	    .role = store_col_text(q, 3),
	    .action = store_col_text(q, 4),
	    .target = store_col_text(q, 5),
	    .purpose = store_col_text(q, 6),
	    .outcome = store_col_text(q, 7),
	    .detail = store_col_text(q, 8),
	    .addr = store_col_text(q, 9),
	};
	return e;
}

/* Add the leaves of entries after the tree's last one. */
static int catch_up(struct atree_app *a, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(a->st,
			       "SELECT " ENTRY_COLS " FROM audit_log"
			       " WHERE seq > ? ORDER BY seq",
			       &q, err);

	if (rc)
		return rc;
	store_bind_int(q, 1, (int64_t)a->f.size);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct audit_entry e = row_entry(q);

		rc = atree_app_add(a, store_col_int(q, 0), store_col_text(q, 1), &e, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return rc < 0 ? -rc : rc;
}

int atree_app_begin(struct atree_app *a, struct store *st, int64_t head_seq, struct uc_err *err)
{
	struct getter g = {st, NULL};
	int64_t size;
	int rc;

	memset(a, 0, sizeof(*a));
	a->st = st;
	merkle_frontier_init(&a->f);
	rc = atree_size(st, &size, err);
	if (rc)
		return rc;
	if (size > head_seq)
		return uc_error(err, UC_EINPUT,
				"the audit tree records %lld entries but the audit log "
				"ends at entry %lld: entries %lld..%lld were deleted; "
				"nothing more is logged until this is investigated (run "
				"`uctrack audit verify --checkpoint FILE`, restore from a "
				"backup)",
				(long long)size, (long long)head_seq, (long long)head_seq + 1,
				(long long)size);
	for (int l = 0; !rc && l < MERKLE_LEVELS; l++)
		if ((uint64_t)size & ((uint64_t)1 << l))
			rc = get_node(&g, l, ((uint64_t)size >> l) - 1, a->f.node[l], err);
	store_finalize(g.q);
	if (rc)
		return rc;
	a->f.size = (uint64_t)size;
	if (size < head_seq)
		rc = catch_up(a, err);
	return rc;
}

int atree_app_add(struct atree_app *a, int64_t seq, const char *at, const struct audit_entry *e,
		  struct uc_err *err)
{
	unsigned char leaf[MERKLE_HASH];

	if (seq != (int64_t)a->f.size + 1)
		return uc_error(err, UC_EINPUT,
				"audit entry %lld follows entry %lld: entries are "
				"missing or renumbered; run `uctrack audit verify`",
				(long long)seq, (long long)a->f.size);
	atree_leaf(seq, at, e, leaf);
	return merkle_frontier_push(&a->f, leaf, emit_node, a, err);
}

void atree_app_release(struct atree_app *a)
{
	store_finalize(a->ins);
	a->ins = NULL;
}

int atree_sync(struct store *st, int64_t *size, struct uc_err *err)
{
	struct atree_app a;
	char hash[65];
	int64_t head = 0, have = 0;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = atree_size(st, &have, err);
	if (!rc)
		rc = audit_head(st, &head, hash, err);
	if (!rc && have != head) {
		rc = store_begin(st, err);
		if (!rc)
			rc = audit_head(st, &head, hash, err);
		if (!rc)
			rc = atree_app_begin(&a, st, head, err);
		if (!rc)
			rc = store_commit(st, err);
		if (rc)
			store_rollback(st);
		atree_app_release(&a);
		have = (int64_t)a.f.size;
	}
	if (size)
		*size = rc ? 0 : have;
	return rc;
}

/* ---- verification ---- */

static void b64(const unsigned char h[MERKLE_HASH], char out[48])
{
	sodium_bin2base64(out, 48, h, MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL);
}

int atree_verify(struct store *st, const struct ckpt *c, const char *cname,
		 struct atree_report *rep, struct uc_err *err)
{
	struct merkle_frontier f;
	struct store_stmt *q = NULL;
	unsigned char root_c[MERKLE_HASH], root_t[MERKLE_HASH], stored[MERKLE_HASH];
	int64_t leaf_diff = 0, gap = 0;
	char ca[48], cb[48], why[256];
	int rc, have_c = 0, have_t = 0;
	const char *cn = cname ? cname : "the checkpoint";

	memset(rep, 0, sizeof(*rep));
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	merkle_frontier_init(&f);
	rc = atree_size(st, &rep->tree_size, err);
	if (rc) {
		if (c) {
			snprintf(why, sizeof(why), "%.200s", err->msg);
			return uc_error(err, UC_EINPUT,
					"cannot read the audit tree (%s): "
					"the audit tables were dropped, but %s vouches "
					"for %" PRIu64 " entries: the whole log was "
					"deleted; restore the database from a backup "
					"and keep the checkpoint as evidence",
					why, cn, c->size);
		}
		snprintf(why, sizeof(why), "%.200s", err->msg);
		return uc_error(err, UC_EINPUT,
				"cannot read the audit tree (%s): the "
				"table audit_tree was dropped or damaged; without it "
				"nothing more is logged; restore the database from a "
				"backup",
				why);
	}
	rc = store_prepare(st,
			   "SELECT a.seq, a.at, a.actor, a.role, a.action,"
			   " a.target, a.purpose, a.outcome, a.detail, a.addr, t.hash"
			   " FROM audit_log a LEFT JOIN audit_tree t ON t.last = a.seq - 1"
			   " AND t.level = 0 ORDER BY a.seq",
			   &q, err);
	if (rc) {
		if (c) {
			snprintf(why, sizeof(why), "%.200s", err->msg);
			return uc_error(err, UC_EINPUT,
					"cannot read the audit log (%s): "
					"the table audit_log was dropped, but %s vouches "
					"for %" PRIu64 " entries: the whole log was "
					"deleted; restore the database from a backup and "
					"keep the checkpoint as evidence",
					why, cn, c->size);
		}
		return rc;
	}
	if (c && c->size == 0) {
		merkle_frontier_root(&f, root_c);
		have_c = 1;
	}
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct audit_entry e = row_entry(q);
		unsigned char leaf[MERKLE_HASH];
		int64_t seq = store_col_int(q, 0);

		rep->entries++;
		if (!gap && seq != rep->entries)
			gap = rep->entries;
		atree_leaf(seq, store_col_text(q, 1), &e, leaf);
		if (!leaf_diff && !store_col_is_null(q, 10) &&
		    (store_col_bytes(q, 10) != MERKLE_HASH ||
		     memcmp(store_col_blob(q, 10), leaf, MERKLE_HASH) != 0))
			leaf_diff = seq;
		rc = merkle_frontier_push(&f, leaf, NULL, NULL, err);
		if (rc)
			goto out;
		if (c && f.size == c->size) {
			merkle_frontier_root(&f, root_c);
			have_c = 1;
		}
		if ((int64_t)f.size == rep->tree_size) {
			merkle_frontier_root(&f, root_t);
			have_t = 1;
		}
	}
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	rc = UC_OK;
	if (c && rep->entries < (int64_t)c->size) {
		rep->first_bad = rep->entries + 1;
		if (rep->entries == 0)
			rc = uc_error(err, UC_EINPUT,
				      "the audit log is empty, but %s "
				      "(%s, size %" PRIu64 ") vouches for %" PRIu64
				      " entries: the whole log was deleted; restore the "
				      "database from a backup and keep the checkpoint as "
				      "evidence",
				      cn, c->origin, c->size, c->size);
		else
			rc = uc_error(err, UC_EINPUT,
				      "the audit log has %lld entries, "
				      "but %s (%s, size %" PRIu64 ") vouches for %" PRIu64
				      ": entries %lld..%" PRIu64 " were deleted (the log "
				      "was truncated); restore them from a backup and keep "
				      "the checkpoint as evidence",
				      (long long)rep->entries, cn, c->origin, c->size, c->size,
				      (long long)rep->entries + 1, c->size);
		goto out;
	}
	if (c && (!have_c || memcmp(root_c, c->root, MERKLE_HASH) != 0)) {
		unsigned char sroot[MERKLE_HASH];
		int stored_ok = rep->tree_size >= (int64_t)c->size &&
				atree_root(st, (int64_t)c->size, sroot, NULL) == 0 &&
				memcmp(sroot, c->root, MERKLE_HASH) == 0;

		b64(root_c, ca);
		b64(c->root, cb);
		if (gap && gap <= (int64_t)c->size) {
			rep->first_bad = gap;
			rc = uc_error(err, UC_EINPUT,
				      "entries 1..%" PRIu64 " do not match "
				      "%s (%s, size %" PRIu64 "): entry %lld is missing "
				      "(entries were deleted or renumbered); restore from a "
				      "backup",
				      c->size, cn, c->origin, c->size, (long long)gap);
		} else if (leaf_diff && leaf_diff <= (int64_t)c->size) {
			rep->first_bad = leaf_diff;
			rc = uc_error(err, UC_EINPUT,
				      "audit entry %lld was rewritten after "
				      "it was logged: entries 1..%" PRIu64 " no longer hash "
				      "to the root of %s (%s, size %" PRIu64 "), and entry "
				      "%lld no longer matches the leaf hash recorded for it; "
				      "restore it from a backup",
				      (long long)leaf_diff, c->size, cn, c->origin, c->size,
				      (long long)leaf_diff);
		} else {
			rep->hidden = !stored_ok;
			rc = uc_error(err, UC_EINPUT,
				      "entries 1..%" PRIu64 " no longer "
				      "hash to the root of %s (%s, size %" PRIu64 "; root "
				      "%s, recomputed %s): an entry at or before entry %" PRIu64
				      " was rewritten%s; compare with a backup, "
				      "older checkpoints narrow down where",
				      c->size, cn, c->origin, c->size, cb, ca, c->size,
				      stored_ok ? ""
						: " and the hash chain and the stored "
						  "tree were recomputed to hide it");
		}
		goto out;
	}
	if (c)
		rep->ckpt_ok = 1;
	if (rep->tree_size > rep->entries) {
		rep->first_bad = rep->entries + 1;
		rc = uc_error(err, UC_EINPUT,
			      "the audit tree records %lld entries but "
			      "the audit log ends at entry %lld: entries %lld..%lld were "
			      "deleted from the end of the log; restore them from a "
			      "backup",
			      (long long)rep->tree_size, (long long)rep->entries,
			      (long long)rep->entries + 1, (long long)rep->tree_size);
		goto out;
	}
	if (leaf_diff) {
		rep->first_bad = leaf_diff;
		rc = uc_error(err, UC_EINPUT,
			      "audit entry %lld does not match the leaf "
			      "hash recorded for it in the audit tree: the entry was "
			      "edited after it was logged",
			      (long long)leaf_diff);
		goto out;
	}
	if (rep->tree_size > 0) {
		rc = atree_root(st, rep->tree_size, stored, err);
		if (rc)
			goto out;
		if (!have_t || memcmp(stored, root_t, MERKLE_HASH) != 0) {
			rc = uc_error(err, UC_EINPUT,
				      "the audit tree's nodes do not match "
				      "entries 1..%lld although every leaf does: the table "
				      "audit_tree was altered",
				      (long long)rep->tree_size);
			goto out;
		}
	}
out:
	store_finalize(q);
	return rc;
}

/* ---- checkpoints ---- */

int atree_signer_open(struct atree_signer **out, const struct atree_config *c, struct uc_err *err)
{
	struct atree_signer *s;
	int rc;

	*out = NULL;
	if (!c->signing_key)
		return UC_OK;
	s = uc_xcalloc(1, sizeof(*s));
	rc = ckpt_key_load(c->signing_key, &s->key, err);
	if (rc) {
		free(s);
		return rc;
	}
	s->origin = uc_xstrdup(c->origin ? c->origin : s->key.name);
	s->dir = c->checkpoint_dir ? uc_xstrdup(c->checkpoint_dir) : NULL;
	s->interval_s = c->interval_s;
	s->last_size = -1;
	*out = s;
	return UC_OK;
}

void atree_signer_free(struct atree_signer *s)
{
	if (!s)
		return;
	ckpt_key_release(&s->key);
	free(s->origin);
	free(s->dir);
	free(s);
}

int atree_checkpoint_write(struct store *st, struct atree_signer *s, struct buf *note,
			   int64_t *size_out, struct uc_err *err)
{
	unsigned char root[MERKLE_HASH];
	struct buf b;
	int64_t size = 0;
	int rc;

	buf_init(&b, CKPT_NOTE_MAX);
	rc = atree_size(st, &size, err);
	if (!rc)
		rc = atree_root(st, size, root, err);
	if (!rc)
		rc = ckpt_sign(&s->key, s->origin, (uint64_t)size, root, &b, err);
	if (!rc && s->dir) {
		char path[4096];

		if ((size_t)snprintf(path, sizeof(path), "%s/%020lld.ckpt", s->dir,
				     (long long)size) >= sizeof(path))
			rc = uc_error(err, UC_EINPUT, "checkpoint_dir path too long");
		else
			rc = uc_write_atomic(path, b.ptr, b.len, 0644, err);
		if (rc == UC_EIO) {
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			rc = uc_error(err, UC_EIO,
				      "checkpoint_dir %s: %.400s (create the "
				      "directory, or fix [audit] checkpoint_dir)",
				      s->dir, why);
		}
	}
	if (!rc) {
		s->last_size = size;
		if (note)
			buf_add(note, b.ptr, b.len);
		if (size_out)
			*size_out = size;
	}
	buf_release(&b);
	return rc;
}

int atree_checkpoint_tick(struct store *st, struct atree_signer *s, struct uc_err *err)
{
	struct timespec ts;
	double now;
	int64_t size;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	if (now < s->next_at)
		return UC_OK;
	s->next_at = now + s->interval_s;
	rc = atree_size(st, &size, err);
	if (rc || size == s->last_size)
		return rc;
	return atree_checkpoint_write(st, s, NULL, NULL, err);
}

/* 1 if name is "<20 digits>.ckpt". */
static int ckpt_name(const char *name)
{
	if (strlen(name) != 25 || strcmp(name + 20, ".ckpt") != 0)
		return 0;
	for (int i = 0; i < 20; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return 1;
}

int atree_checkpoint_latest(const char *dir, char *path, size_t pathlen, struct buf *note,
			    struct uc_err *err)
{
	char best[32] = "";
	struct dirent *de;
	DIR *d = opendir(dir);

	buf_init(note, CKPT_NOTE_MAX + 1);
	if (!d)
		return uc_error(err, UC_EIO, "checkpoint_dir %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (ckpt_name(de->d_name) && strcmp(de->d_name, best) > 0)
			memcpy(best, de->d_name, 26); /* ckpt_name: 25 bytes */
	closedir(d);
	if (!best[0])
		return uc_error(err, UC_ENOTFOUND,
				"checkpoint_dir %s holds no "
				"checkpoint (NNN.ckpt) yet",
				dir);
	if ((size_t)snprintf(path, pathlen, "%s/%s", dir, best) >= pathlen)
		return uc_error(err, UC_EINPUT, "checkpoint_dir path too long");
	buf_release(note);
	return ckpt_read_file(path, note, err);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* 1 when the stored tree has the root of checkpoint dir/<size>.ckpt, 0
 * when not; an error for an unreadable or badly signed checkpoint. */
static int locate_match(struct store *st, const char *dir, const struct ckpt_key *vk, int64_t size,
			int *match, struct uc_err *err)
{
	unsigned char root[MERKLE_HASH];
	struct buf note;
	struct ckpt c;
	char path[4200];
	int rc;

	snprintf(path, sizeof(path), "%s/%020lld.ckpt", dir, (long long)size);
	rc = ckpt_read_file(path, &note, err);
	if (!rc)
		rc = ckpt_open(note.ptr ? note.ptr : "", note.len, vk, &c, err);
	if (!rc && (int64_t)c.size != size)
		rc = uc_error(err, UC_EINPUT, "%s: holds a checkpoint of size %" PRIu64, path,
			      c.size);
	if (!rc)
		rc = atree_root(st, size, root, err);
	if (!rc)
		*match = memcmp(root, c.root, MERKLE_HASH) == 0;
	buf_release(&note);
	return rc;
}

int atree_locate(struct store *st, const char *dir, const struct ckpt_key *vk, int64_t max,
		 int64_t *good, int64_t *bad, struct uc_err *err)
{
	int64_t tree = 0, *sizes;
	struct buf b;
	size_t n, lo, hi;
	struct dirent *de;
	DIR *d;
	int rc, match = 0;

	*good = *bad = 0;
	rc = atree_size(st, &tree, err);
	if (rc)
		return rc;
	d = opendir(dir);
	if (!d)
		return uc_error(err, UC_EIO, "checkpoint_dir %s: %s", dir, strerror(errno));
	buf_init(&b, (size_t)64 << 20);
	while ((de = readdir(d)) != NULL) {
		char *end = NULL;
		int64_t v;

		if (!ckpt_name(de->d_name))
			continue;
		v = (int64_t)strtoll(de->d_name, &end, 10);
		if (v >= 1 && v <= max && v <= tree)
			buf_add(&b, &v, sizeof(v));
	}
	closedir(d);
	if (buf_failed(&b)) {
		buf_release(&b);
		return uc_error(err, UC_ENOMEM, "checkpoint_dir %s: too many checkpoints", dir);
	}
	sizes = (int64_t *)(void *)b.ptr;
	n = b.len / sizeof(int64_t);
	if (n)
		qsort(sizes, n, sizeof(*sizes), cmp_i64);
	/* Prefixes that match come first: find the first that does not. */
	lo = 0;
	hi = n;
	while (!rc && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		rc = locate_match(st, dir, vk, sizes[mid], &match, err);
		if (!rc && match)
			lo = mid + 1;
		else if (!rc)
			hi = mid;
	}
	if (!rc) {
		*good = lo > 0 ? sizes[lo - 1] : 0;
		*bad = lo < n ? sizes[lo] : 0;
	}
	buf_release(&b);
	return rc;
}
