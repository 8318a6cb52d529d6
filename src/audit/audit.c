/*
 * audit.c - the hash-chained audit log and its group-commit writer.
 */
#include "audit/audit.h"

#include "audit/atree.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static void now_rfc3339(char out[32])
{
	struct timespec ts;
	struct tm tm;
	char day[24];
	int ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	ms = (int)((ts.tv_nsec / 1000000) % 1000);
	snprintf(out, 32, "%.20s.%03dZ", day, ms);
}

/* Length of s cut to AUDIT_FIELD_MAX bytes without splitting UTF-8. */
static size_t cut_len(const char *s)
{
	size_t n = strlen(s);

	if (n <= AUDIT_FIELD_MAX)
		return n;
	n = AUDIT_FIELD_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* encode(): one field as a 4-byte big-endian length (0xffffffff for
 * NULL) and its bytes. */
static void encode_field(audit_put_fn put, void *ctx, const char *s)
{
	unsigned char len[4];
	uint32_t n = s ? (uint32_t)strlen(s) : 0xffffffffu;

	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	put(ctx, len, 4);
	if (s)
		put(ctx, (const unsigned char *)s, n);
}

void audit_encode(int64_t seq, const char *at, const struct audit_entry *e, audit_put_fn put,
		  void *ctx)
{
	unsigned char sq[8];
	uint64_t u = (uint64_t)seq;

	for (int i = 7; i >= 0; i--) {
		sq[i] = (unsigned char)u;
		u >>= 8;
	}
	put(ctx, sq, sizeof(sq));
	encode_field(put, ctx, at);
	encode_field(put, ctx, e->actor);
	encode_field(put, ctx, e->role);
	encode_field(put, ctx, e->action);
	encode_field(put, ctx, e->target);
	encode_field(put, ctx, e->purpose);
	encode_field(put, ctx, e->outcome);
	encode_field(put, ctx, e->detail);
	encode_field(put, ctx, e->addr);
}

static void put_blake2b(void *ctx, const unsigned char *p, size_t n)
{
	crypto_generichash_update(ctx, p, n);
}

void audit_hash(const char *prev_hex, int64_t seq, const char *at, const struct audit_entry *e,
		char out[65])
{
	crypto_generichash_state h;
	unsigned char prev[32] = {0}, md[32];

	/* A malformed stored prev hash hashes as zeros plus its text, so it
	 * can never verify as something else. */
	if (sodium_hex2bin(prev, sizeof(prev), prev_hex, strlen(prev_hex), NULL, NULL, NULL) != 0)
		memset(prev, 0xff, sizeof(prev));
	crypto_generichash_init(&h, NULL, 0, sizeof(md));
	crypto_generichash_update(&h, prev, sizeof(prev));
	audit_encode(seq, at, e, put_blake2b, &h);
	crypto_generichash_final(&h, md, sizeof(md));
	sodium_bin2hex(out, 65, md, sizeof(md));
}

int audit_head(struct store *st, int64_t *seq, char hash[65], struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	*seq = 0;
	snprintf(hash, 65, "%s", ZERO_HASH);
	rc =
	    store_prepare(st, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", &q, err);
	if (rc)
		return rc;
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		const char *h = store_col_text(q, 1);

		*seq = store_col_int(q, 0);
		snprintf(hash, 65, "%s", h ? h : "");
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

/* Copy of e with every string cut to AUDIT_FIELD_MAX; storage in bufs. */
struct cut_entry {
	struct audit_entry e; /* the cut entry */
	char *owned[8];	      /* strings allocated for cutting */
};

static const char *cut(struct cut_entry *c, int i, const char *s)
{
	size_t n;

	if (!s)
		return NULL;
	n = cut_len(s);
	if (s[n] == '\0')
		return s;
	c->owned[i] = uc_xmalloc(n + 1);
	memcpy(c->owned[i], s, n);
	c->owned[i][n] = '\0';
	return c->owned[i];
}

static void cut_entry_init(struct cut_entry *c, const struct audit_entry *e)
{
	memset(c, 0, sizeof(*c));
	c->e.actor = cut(c, 0, e->actor);
	c->e.role = cut(c, 1, e->role);
	c->e.action = cut(c, 2, e->action);
	c->e.target = cut(c, 3, e->target);
	c->e.purpose = cut(c, 4, e->purpose);
	c->e.outcome = cut(c, 5, e->outcome);
	c->e.detail = cut(c, 6, e->detail);
	c->e.addr = cut(c, 7, e->addr);
}

static void cut_entry_release(struct cut_entry *c)
{
	for (int i = 0; i < 8; i++)
		free(c->owned[i]);
}

#define INSERT_SQL                                                                                 \
	"INSERT INTO audit_log(seq, at, actor, role, action, target, purpose,"                     \
	" outcome, detail, addr, prev_hash, hash) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"

/*
 * Append one entry after (seq, prev) with the prepared INSERT_SQL q (reset
 * afterwards); on success seq and prev become the new head. The caller
 * holds the write transaction.
 */
static int append_one(struct store_stmt *q, struct atree_app *tree, const struct audit_entry *in,
		      int64_t *seq, char prev[65], struct uc_err *err)
{
	struct cut_entry c;
	char hash[65], at[32];
	int rc;

	if (!in->actor || !in->action || !in->outcome)
		return uc_error(err, UC_EINTERNAL, "audit entry without actor, action or outcome");
	cut_entry_init(&c, in);
	now_rfc3339(at);
	audit_hash(prev, *seq + 1, at, &c.e, hash);
	store_bind_int(q, 1, *seq + 1);
	store_bind_text(q, 2, at, -1);
	store_bind_text(q, 3, c.e.actor, -1);
	store_bind_text(q, 4, c.e.role, -1);
	store_bind_text(q, 5, c.e.action, -1);
	store_bind_text(q, 6, c.e.target, -1);
	store_bind_text(q, 7, c.e.purpose, -1);
	store_bind_text(q, 8, c.e.outcome, -1);
	store_bind_text(q, 9, c.e.detail, -1);
	store_bind_text(q, 10, c.e.addr, -1);
	store_bind_text(q, 11, prev, -1);
	store_bind_text(q, 12, hash, -1);
	rc = store_step(q, err);
	rc = rc < 0 ? -rc : UC_OK;
	store_reset(q);
	/* The Merkle tree grows in the same transaction (atree.h). */
	if (!rc)
		rc = atree_app_add(tree, *seq + 1, at, &c.e, err);
	if (!rc) {
		(*seq)++;
		memcpy(prev, hash, 65);
	}
	cut_entry_release(&c);
	return rc;
}

int audit_append_tx(struct store *st, const struct audit_entry *in, int64_t *seq_out,
		    struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct atree_app tree;
	char prev[65];
	int64_t seq;
	int rc;

	memset(&tree, 0, sizeof(tree));
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	rc = audit_head(st, &seq, prev, err);
	if (!rc)
		rc = atree_app_begin(&tree, st, seq, err);
	if (!rc)
		rc = store_prepare(st, INSERT_SQL, &q, err);
	if (!rc)
		rc = append_one(q, &tree, in, &seq, prev, err);
	if (!rc && seq_out)
		*seq_out = seq;
	store_finalize(q);
	atree_app_release(&tree);
	return rc;
}

int audit_append(struct store *st, const struct audit_entry *e, int64_t *seq, struct uc_err *err)
{
	int rc = store_begin(st, err);

	if (rc)
		return rc;
	rc = audit_append_tx(st, e, seq, err);
	if (!rc)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	return rc;
}

static const char *col(struct store_stmt *q, int i)
{
	return store_col_text(q, i);
}

int audit_verify(struct store *st, int64_t expect_seq, const char *expect_hash,
		 struct audit_report *rep, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char prev[65] = ZERO_HASH, hash[65];
	int64_t want = 1;
	int rc, seen_expect = 0;

	memset(rep, 0, sizeof(*rep));
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	rc = store_prepare(st,
			   "SELECT seq, at, actor, role, action, target, purpose,"
			   " outcome, detail, addr, prev_hash, hash FROM audit_log"
			   " ORDER BY seq",
			   &q, err);
	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct audit_entry e = {
		    .actor = col(q, 2),
		    .role = col(q, 3),
		    .action = col(q, 4),
		    .target = col(q, 5),
		    .purpose = col(q, 6),
		    .outcome = col(q, 7),
		    .detail = col(q, 8),
		    .addr = col(q, 9),
		};
		int64_t seq = store_col_int(q, 0);
		const char *at = col(q, 1);
		const char *sprev = col(q, 10), *shash = col(q, 11);

		rep->entries++;
		if (seq != want) {
			rep->first_bad = seq;
			rc = uc_error(err, UC_EINPUT,
				      "audit entry %lld: expected entry %lld here; "
				      "entries %lld..%lld were deleted or renumbered",
				      (long long)seq, (long long)want, (long long)want,
				      (long long)(seq - 1));
			goto out;
		}
		if (!sprev || strcmp(sprev, prev) != 0) {
			rep->first_bad = seq;
			rc = uc_error(err, UC_EINPUT,
				      "audit entry %lld: its previous-hash does not match "
				      "entry %lld: an entry was edited, deleted or reordered",
				      (long long)seq, (long long)(seq - 1));
			goto out;
		}
		audit_hash(prev, seq, at ? at : "", &e, hash);
		if (!at || !shash || strcmp(shash, hash) != 0) {
			rep->first_bad = seq;
			rc = uc_error(err, UC_EINPUT,
				      "audit entry %lld (%s %s by %s): content does not "
				      "match its hash: the entry was edited or moved",
				      (long long)seq, at ? at : "?", e.action ? e.action : "?",
				      e.actor ? e.actor : "?");
			goto out;
		}
		if (expect_seq > 0 && seq == expect_seq) {
			if (!expect_hash || strcmp(expect_hash, hash) != 0) {
				rep->first_bad = seq;
				rc = uc_error(err, UC_EINPUT,
					      "audit entry %lld: hash differs from the "
					      "recorded head %s",
					      (long long)seq, expect_hash ? expect_hash : "");
				goto out;
			}
			seen_expect = 1;
		}
		memcpy(prev, hash, sizeof(prev));
		rep->head_seq = seq;
		want = seq + 1;
	}
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	rc = UC_OK;
	if (expect_seq > 0 && !seen_expect) {
		rep->first_bad = want;
		rc = uc_error(err, UC_EINPUT,
			      "audit log ends at entry %lld but the recorded head is "
			      "entry %lld: entries %lld..%lld were deleted",
			      (long long)(want - 1), (long long)expect_seq, (long long)want,
			      (long long)expect_seq);
		goto out;
	}
	if (rep->head_seq)
		memcpy(rep->head_hash, prev, sizeof(prev));
out:
	store_finalize(q);
	return rc;
}

/* ---- group-commit writer ---- */

/* Most entries committed in one transaction. */
#define WRITER_BATCH_MAX 4096

struct pending {
	struct audit_entry e;  /* entry; strings point into strs */
	char *strs[8];	       /* owned copies of the entry's strings */
	audit_done_fn fn;      /* async: called once committed (or failed) */
	int conditional;       /* commit only if the generation is still gen */
	uint64_t gen;	       /* audit_writer_gen() the caller read */
	int stale;	       /* conditional and gen had moved: not written */
	void *arg;	       /* its argument */
	int done;	       /* sync: set by the writer once handled */
	int rc;		       /* result of the commit */
	struct uc_err err;     /* its error */
	struct pending *next;  /* queue link */
	struct pending *anext; /* writer's list of answered async entries */
};

struct audit_writer {
	struct store *st;	  /* the writer's own connection */
	struct store_stmt *ins;	  /* cached INSERT_SQL on st */
	pthread_t thread;	  /* the writer thread */
	pthread_mutex_t mu;	  /* guards the fields below */
	pthread_cond_t wake;	  /* writer waits here for work */
	pthread_cond_t committed; /* sync submitters wait here */
	struct pending *head;	  /* queued entries, oldest first */
	struct pending *tail;	  /* last queued entry */
	int stopping;		  /* set by audit_writer_stop */
	int idle;		  /* writer waits for work: enqueue must
				     wake it (while it commits, entries
				     just queue up for the next batch) */
	struct store_stmt *dvq;	  /* PRAGMA data_version on st */
	int64_t dv;		  /* its value at the previous batch */
	int have_dv;		  /* dv is set */
	pthread_mutex_t *wlock;	  /* held around each batch, or NULL
				     (audit_writer_share_lock) */
	uint64_t foreign;	  /* audit_writer_gen(): batches that saw
				     another connection's commit (atomic) */
	struct atree_app tree;	  /* the tree's right edge, kept between
				     batches while nobody else writes */
	int tree_ok;		  /* tree matches the database */
};

static char *dup_or_null(const char *s)
{
	return s ? uc_xstrdup(s) : NULL;
}

static void pending_fill(struct pending *p, const struct audit_entry *e)
{
	memset(p, 0, sizeof(*p));
	p->strs[0] = dup_or_null(e->actor);
	p->strs[1] = dup_or_null(e->role);
	p->strs[2] = dup_or_null(e->action);
	p->strs[3] = dup_or_null(e->target);
	p->strs[4] = dup_or_null(e->purpose);
	p->strs[5] = dup_or_null(e->outcome);
	p->strs[6] = dup_or_null(e->detail);
	p->strs[7] = dup_or_null(e->addr);
	p->e = (struct audit_entry){p->strs[0], p->strs[1], p->strs[2], p->strs[3],
				    p->strs[4], p->strs[5], p->strs[6], p->strs[7]};
}

static void pending_release(struct pending *p)
{
	for (int i = 0; i < 8; i++)
		free(p->strs[i]);
}

/* Commit up to WRITER_BATCH_MAX entries of the list at batch in one
 * transaction: the head is read once (inside the write lock, so other
 * writers such as the CLI stay in the chain), the chain is computed in
 * order in memory. Returns the first entry not handled (NULL: all). */
static struct pending *commit_batch(struct audit_writer *w, struct pending *batch, int *rc_out,
				    struct uc_err *err)
{
	struct pending *end = batch, *p;
	char prev[65];
	int64_t seq = 0;
	int rc, other = 1;

	for (int n = 0; end && n < WRITER_BATCH_MAX; n++)
		end = end->next;
	rc = store_begin(w->st, err);
	/* Inside the write lock nobody else commits: data_version (which
	 * our own commits leave alone) tells whether anyone else committed
	 * since the previous batch began. */
	if (!rc && !w->dvq)
		rc = store_prepare(w->st, "PRAGMA data_version", &w->dvq, err);
	if (!rc) {
		int64_t dv = 0;

		rc = store_step(w->dvq, err);
		if (rc == STORE_ROW)
			dv = store_col_int(w->dvq, 0);
		store_reset(w->dvq);
		rc = rc == STORE_ROW ? UC_OK : rc < 0 ? -rc : UC_EINTERNAL;
		other = !w->have_dv || dv != w->dv;
		if (!rc && other)
			__atomic_add_fetch(&w->foreign, 1, __ATOMIC_SEQ_CST);
		w->dv = dv;
		w->have_dv = !rc;
	}
	if (!rc)
		rc = audit_head(w->st, &seq, prev, err);
	/* The tree's right edge is read again only when another connection
	 * committed or a batch failed; otherwise our own commits kept it
	 * (saves a query per level and two prepares, every batch). */
	if (!rc && (!w->tree_ok || other || w->tree.f.size != (uint64_t)seq)) {
		atree_app_release(&w->tree);
		rc = atree_app_begin(&w->tree, w->st, seq, err);
		w->tree_ok = !rc;
	}
	if (!rc && !w->ins)
		rc = store_prepare(w->st, INSERT_SQL, &w->ins, err);
	for (p = batch; !rc && p != end; p = p->next) {
		p->stale =
		    p->conditional && p->gen != __atomic_load_n(&w->foreign, __ATOMIC_SEQ_CST);
		if (!p->stale)
			rc = append_one(w->ins, &w->tree, &p->e, &seq, prev, err);
	}
	if (!rc)
		rc = store_commit(w->st, err);
	if (rc) { /* the whole batch failed: every entry in it reports rc */
		store_rollback(w->st);
		w->tree_ok = 0;
	}
	*rc_out = rc;
	return end;
}

static void *writer_main(void *arg)
{
	struct audit_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct pending *batch, *rest, *p, *next;
		struct uc_err err = UC_ERR_INIT;
		int rc;

		w->idle = 1;
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->wake, &w->mu);
		w->idle = 0;
		if (!w->head && w->stopping)
			break;
		batch = w->head;
		w->head = w->tail = NULL;
		pthread_mutex_unlock(&w->mu);

		while (batch) {
			struct pending *async = NULL, **atail = &async;

			if (w->wlock)
				pthread_mutex_lock(w->wlock);
			rest = commit_batch(w, batch, &rc, &err);
			if (w->wlock)
				pthread_mutex_unlock(w->wlock);
			/* Sync entries live on their submitters' stacks: once
			 * done is set they may vanish, so read next first and
			 * set the async ones aside, answered outside the lock. */
			pthread_mutex_lock(&w->mu);
			for (p = batch; p != rest; p = next) {
				next = p->next;
				if (p->fn) {
					*atail = p;
					atail = &p->anext;
					continue;
				}
				p->rc = rc;
				p->err = err;
				p->done = 1;
			}
			*atail = NULL;
			pthread_cond_broadcast(&w->committed);
			pthread_mutex_unlock(&w->mu);
			for (p = async; p; p = next) {
				next = p->anext;
				if (!rc && p->stale) {
					struct uc_err se = UC_ERR_INIT;

					uc_error(&se, UC_ECONFLICT,
						 "the database changed: entry not written");
					p->fn(p->arg, UC_ECONFLICT, &se);
				} else {
					p->fn(p->arg, rc, &err);
				}
				pending_release(p);
				free(p);
			}
			batch = rest;
		}
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int audit_writer_start(struct audit_writer **out, const char *db_path, struct uc_err *err)
{
	struct audit_writer *w = uc_xcalloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (sodium_init() < 0) {
		free(w);
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	}
	rc = store_open(&w->st, db_path, 0, err);
	/* No checkpoint inside a batch's commit: every request waiting on
	 * the batch would wait for it too. The server checkpoints on its own
	 * thread (server.c, ckpt_main). */
	if (!rc)
		rc = store_exec(w->st, "PRAGMA wal_autocheckpoint=0", err);
	if (rc) {
		store_close(w->st);
		free(w);
		return rc;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->committed, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		store_close(w->st);
		free(w);
		return uc_error(err, UC_EIO, "cannot start the audit writer thread");
	}
	*out = w;
	return UC_OK;
}

static void enqueue(struct audit_writer *w, struct pending *p)
{
	if (w->tail)
		w->tail->next = p;
	else
		w->head = p;
	w->tail = p;
	if (w->idle)
		pthread_cond_signal(&w->wake);
}

int audit_writer_submit(struct audit_writer *w, const struct audit_entry *e, struct uc_err *err)
{
	struct pending p;
	int rc;

	pending_fill(&p, e);
	pthread_mutex_lock(&w->mu);
	enqueue(w, &p);
	while (!p.done)
		pthread_cond_wait(&w->committed, &w->mu);
	pthread_mutex_unlock(&w->mu);
	rc = p.rc;
	if (rc && err)
		*err = p.err;
	pending_release(&p);
	return rc;
}

void audit_writer_submit_async(struct audit_writer *w, const struct audit_entry *e,
			       audit_done_fn fn, void *arg)
{
	struct pending *p = uc_xmalloc(sizeof(*p));

	pending_fill(p, e);
	p->fn = fn;
	p->arg = arg;
	pthread_mutex_lock(&w->mu);
	enqueue(w, p);
	pthread_mutex_unlock(&w->mu);
}

void audit_writer_share_lock(struct audit_writer *w, pthread_mutex_t *mu)
{
	pthread_mutex_lock(&w->mu);
	w->wlock = mu;
	pthread_mutex_unlock(&w->mu);
}

uint64_t audit_writer_gen(struct audit_writer *w)
{
	return __atomic_load_n(&w->foreign, __ATOMIC_SEQ_CST);
}

void audit_writer_submit_async_if(struct audit_writer *w, const struct audit_entry *e, uint64_t gen,
				  audit_done_fn fn, void *arg)
{
	struct pending *p = uc_xmalloc(sizeof(*p));

	pending_fill(p, e);
	p->fn = fn;
	p->arg = arg;
	p->conditional = 1;
	p->gen = gen;
	pthread_mutex_lock(&w->mu);
	enqueue(w, p);
	pthread_mutex_unlock(&w->mu);
}

void audit_writer_stop(struct audit_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->committed);
	atree_app_release(&w->tree);
	store_finalize(w->ins);
	store_finalize(w->dvq);
	store_close(w->st);
	free(w);
}

/* The next piece of list (at most max bytes, cut at a comma) from *off:
 * its start in *start, its length returned (0 at the end). */
static size_t list_piece(const char *list, size_t len, size_t max, size_t *off, size_t *start)
{
	size_t b = *off, n;

	while (b < len && list[b] == ',')
		b++;
	*start = b;
	if (b >= len) {
		*off = len;
		return 0;
	}
	n = len - b;
	if (n > max) {
		n = max;
		while (n > 0 && list[b + n] != ',')
			n--;
		if (n == 0) /* one name longer than max: cut it */
			n = max;
	}
	*off = b + n;
	return n;
}

int audit_children(const struct audit_entry *e, const char *list, size_t len, audit_piece_fn fn,
		   void *arg, size_t *parts, struct uc_err *err)
{
	struct audit_entry p = *e;
	char action[96], *d;
	size_t off = 0, at, n, k = 0, i = 0;
	int rc = UC_OK;

	while (list_piece(list, len, AUDIT_PIECE, &off, &at) > 0)
		k++;
	if (parts)
		*parts = k;
	snprintf(action, sizeof(action), "%.80s.children", e->action);
	p.action = action;
	d = uc_xmalloc(AUDIT_PIECE + 64);
	off = 0;
	while (!rc && (n = list_piece(list, len, AUDIT_PIECE, &off, &at)) > 0) {
		snprintf(d, AUDIT_PIECE + 64, "part=%zu/%zu children=%.*s", ++i, k, (int)n,
			 list + at);
		p.detail = d;
		rc = fn(arg, &p, err);
	}
	free(d);
	return rc;
}

static int day_ok(const char *d)
{
	int i;

	if (!d)
		return 1;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (d[i] != '-')
				return 0;
		} else if (d[i] < '0' || d[i] > '9') {
			return 0;
		}
	}
	return d[10] == '\0';
}

int audit_list_prepare(struct store *st, const struct audit_query *aq, struct store_stmt **out,
		       struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	*out = NULL;
	if (!day_ok(aq->from) || !day_ok(aq->to))
		return uc_error(err, UC_EINPUT, "from, to: a day as YYYY-MM-DD");
		/* `at` is an ISO UTC time ("2026-12-04T23:15:54.248Z"): a day range is
		 * a string range; seq (the primary key) orders and bounds the walk. */
		/* Plain `?` only (portable): a value a clause reads twice is bound
		 * twice. */
#define AUDIT_PAGE_SQL(order)                                                                      \
	"SELECT seq, at, actor, role, action, target, purpose, outcome, detail,"                   \
	" addr, hash FROM audit_log WHERE seq > ? AND (? = 0 OR seq < ?)"                          \
	" AND (? IS NULL OR actor = ?) AND (? IS NULL OR action = ?)"                              \
	" AND (? IS NULL OR target = ?) AND (? IS NULL OR at >= ?)"                                \
	" AND (? IS NULL OR at < ? || 'T99') ORDER BY seq " order " LIMIT ?"
	rc = store_prepare(st, aq->newest_first ? AUDIT_PAGE_SQL("DESC") : AUDIT_PAGE_SQL("ASC"),
			   &q, err);
#undef AUDIT_PAGE_SQL
	if (rc)
		return rc;
	{
		const char *const text[5] = {aq->actor, aq->action, aq->target, aq->from, aq->to};
		int64_t before = aq->newest_first ? aq->before : 0;
		int k = 0;

		store_bind_int(q, ++k, aq->newest_first ? 0 : aq->after);
		store_bind_int(q, ++k, before);
		store_bind_int(q, ++k, before);
		for (int i = 0; i < 5; i++) {
			store_bind_text(q, ++k, text[i], -1);
			store_bind_text(q, ++k, text[i], -1);
		}
		store_bind_int(q, ++k, aq->limit);
	}
	*out = q;
	return UC_OK;
}
