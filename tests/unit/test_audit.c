/* Unit tests for src/audit: chain, verify, tampering (edit, delete,
 * reorder, truncate), group-commit writer; the Merkle tree (RFC 6962
 * vectors, every proof of every size against a naive recomputation), the
 * stored tree (all append paths, lazy build of an older log, checks
 * against a checkpoint) and signed checkpoints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdb.h"

#include "audit/atree.h"
#include "audit/audit.h"
#include "audit/ckpt.h"
#include "audit/merkle.h"
#include <sodium.h>
#include <sys/stat.h>

static char path[256];

static int setup(void **state)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;

	testdb_path(path, sizeof(path), "audit");
	testdb_remove(path);
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	for (int i = 0; i < 5; i++) {
		char target[32];
		struct audit_entry e = {.actor = "ana",
					.role = "officer",
					.action = "case.read",
					.target = target,
					.purpose = "welfare visit",
					.outcome = "ok"};

		snprintf(target, sizeof(target), "case:%d", i + 1);
		assert_int_equal(audit_append(st, &e, NULL, &err), 0);
	}
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	testdb_remove(path);
	return 0;
}

static void test_intact(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	int64_t seq;
	char h[65];

	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), 0);
	assert_int_equal(rep.entries, 5);
	assert_int_equal(audit_head(*state, &seq, h, &err), 0);
	assert_int_equal(seq, 5);
	assert_string_equal(h, rep.head_hash);
	assert_int_equal(audit_verify(*state, 5, h, &rep, &err), 0);
}

static void test_append_only(void **state)
{
	struct uc_err err = UC_ERR_INIT;

	assert_int_not_equal(store_exec(*state, "UPDATE audit_log SET actor='x'", &err), 0);
	assert_int_not_equal(store_exec(*state, "DELETE FROM audit_log", &err), 0);
}

static void tamper(struct store *st, const char *sql)
{
	struct uc_err err = UC_ERR_INIT;

	assert_int_equal(store_exec(st,
				    "DROP TRIGGER audit_log_no_update;"
				    "DROP TRIGGER audit_log_no_delete;",
				    &err),
			 0);
	assert_int_equal(store_exec(st, sql, &err), 0);
}

static void test_edit(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;

	tamper(*state, "UPDATE audit_log SET purpose = 'other' WHERE seq = 3");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 3);
	assert_non_null(strstr(err.msg, "entry 3"));
}

static void test_delete(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;

	tamper(*state, "DELETE FROM audit_log WHERE seq = 2");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 3);
}

static void test_delete_renumbered(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;

	tamper(*state, "DELETE FROM audit_log WHERE seq = 2;"
		       "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 2);
}

static void test_reorder(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;

	/* swap the contents of entries 2 and 4 */
	tamper(*state, "UPDATE audit_log SET seq = 100 WHERE seq = 2;"
		       "UPDATE audit_log SET seq = 2 WHERE seq = 4;"
		       "UPDATE audit_log SET seq = 4 WHERE seq = 100;");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 2);
}

static void test_truncate_with_head(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	int64_t seq;
	char h[65];

	assert_int_equal(audit_head(*state, &seq, h, &err), 0);
	tamper(*state, "DELETE FROM audit_log WHERE seq = 5");
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), 0);
	assert_int_equal(audit_verify(*state, seq, h, &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 5);
}

static void test_long_fields_cut(void **state)
{
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	char *big = malloc(AUDIT_FIELD_MAX * 2);
	struct audit_entry e = {.actor = "ana", .action = "x", .outcome = "ok"};

	memset(big, 'a', AUDIT_FIELD_MAX * 2 - 1);
	big[AUDIT_FIELD_MAX * 2 - 1] = '\0';
	e.detail = big;
	assert_int_equal(audit_append(*state, &e, NULL, &err), 0);
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), 0);
	free(big);
}

static void test_writer(void **state)
{
	struct audit_writer *w = NULL;
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	struct audit_entry e = {.actor = "bo", .action = "queue.read", .outcome = "ok"};

	assert_int_equal(audit_writer_start(&w, path, &err), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(audit_writer_submit(w, &e, &err), 0);
	audit_writer_stop(w);
	assert_int_equal(audit_verify(*state, 0, NULL, &rep, &err), 0);
	assert_int_equal(rep.entries, 25);
}

/* Async completion record for test_writer_conditional. */
struct done_rec {
	int fired; /* set (atomically) by the writer thread */
	int rc;	   /* its result */
};

static void on_done(void *arg, int rc, const struct uc_err *err)
{
	struct done_rec *d = arg;

	(void)err;
	d->rc = rc;
	__atomic_store_n(&d->fired, 1, __ATOMIC_SEQ_CST);
}

static void wait_done(struct done_rec *d)
{
	for (int i = 0; i < 5000 && !__atomic_load_n(&d->fired, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	assert_true(d->fired);
}

/* audit_writer_submit_async_if: written while nobody else committed since
 * the generation was read; refused (nothing written) after a commit by
 * another connection; the writer's own commits do not count. */
static void test_writer_conditional(void **state)
{
	struct store *st = *state;
	struct audit_writer *w = NULL;
	struct audit_report rep;
	struct uc_err err = UC_ERR_INIT;
	struct audit_entry e = {.actor = "bo", .action = "queue.read", .outcome = "ok"};
	struct done_rec d1 = {0, -1}, d2 = {0, -1}, d3 = {0, -1};
	uint64_t g;

	assert_int_equal(audit_writer_start(&w, path, &err), 0);
	assert_int_equal(audit_writer_submit(w, &e, &err), 0);
	assert_int_equal(audit_writer_submit(w, &e, &err), 0);
	g = audit_writer_gen(w);
	audit_writer_submit_async_if(w, &e, g, on_done, &d1);
	wait_done(&d1);
	assert_int_equal(d1.rc, 0);
	assert_int_equal(audit_writer_gen(w), g);
	/* another connection commits */
	assert_int_equal(
	    store_exec(st, "CREATE TABLE t_other(x); INSERT INTO t_other VALUES(1)", &err), 0);
	audit_writer_submit_async_if(w, &e, g, on_done, &d2);
	wait_done(&d2);
	assert_int_equal(d2.rc, UC_ECONFLICT);
	assert_true(audit_writer_gen(w) > g);
	g = audit_writer_gen(w);
	audit_writer_submit_async_if(w, &e, g, on_done, &d3);
	wait_done(&d3);
	assert_int_equal(d3.rc, 0);
	audit_writer_stop(w);
	assert_int_equal(audit_verify(st, 0, NULL, &rep, &err), 0);
	assert_int_equal(rep.entries, 5 + 2 + 1 + 1); /* d2 not written */
}

/* ---- Merkle tree ---- */

static void hex32(const char *hex, unsigned char out[MERKLE_HASH])
{
	assert_int_equal(sodium_hex2bin(out, MERKLE_HASH, hex, 64, NULL, NULL, NULL), 0);
}

/* In-memory tree: leaf hashes, subtrees recomputed naively (recursion
 * over the leaves, independent of merkle.c's split logic). */
struct memtree {
	unsigned char (*leaf)[MERKLE_HASH]; /* leaf hashes */
	uint64_t n;			    /* leaves */
	int calls;			    /* get calls */
};

static void naive_mth(const struct memtree *t, uint64_t start, uint64_t n,
		      unsigned char out[MERKLE_HASH])
{
	unsigned char l[MERKLE_HASH], r[MERKLE_HASH];
	uint64_t k = 1;

	if (n == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return;
	}
	if (n == 1) {
		memcpy(out, t->leaf[start], MERKLE_HASH);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	naive_mth(t, start, k, l);
	naive_mth(t, start + k, n - k, r);
	merkle_node_hash(l, r, out);
}

static int mem_get(void *ctx, int level, uint64_t index, unsigned char out[MERKLE_HASH],
		   struct uc_err *err)
{
	struct memtree *t = ctx;
	uint64_t start = index << level, n = (uint64_t)1 << level;

	t->calls++;
	if (start + n > t->n)
		return uc_error(err, UC_EINPUT, "no node (%d, %llu)", level,
				(unsigned long long)index);
	naive_mth(t, start, n, out);
	return 0;
}

/* RFC 6962 test vectors (the certificate-transparency reference tests):
 * roots of the first 1..8 of these leaves, and the empty tree. */
static void test_merkle_vectors(void **state)
{
	static const char *const in[8] = {
	    "",
	    "\x00",
	    "\x10",
	    "\x20\x21",
	    "\x30\x31",
	    "\x40\x41\x42\x43",
	    "\x50\x51\x52\x53\x54\x55\x56\x57",
	    "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
	static const size_t len[8] = {0, 1, 1, 2, 2, 4, 8, 16};
	static const char *const roots[8] = {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
	unsigned char leaves[8][MERKLE_HASH], want[MERKLE_HASH], got[MERKLE_HASH];
	struct memtree t = {leaves, 8, 0};
	struct merkle_frontier f;
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	hex32("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
	assert_int_equal(merkle_root(mem_get, &t, 0, got, &err), 0);
	assert_memory_equal(got, want, MERKLE_HASH);
	merkle_frontier_init(&f);
	merkle_frontier_root(&f, got);
	assert_memory_equal(got, want, MERKLE_HASH);
	for (int i = 0; i < 8; i++)
		merkle_leaf_hash(in[i], len[i], leaves[i]);
	for (int n = 1; n <= 8; n++) {
		hex32(roots[n - 1], want);
		assert_int_equal(merkle_root(mem_get, &t, (uint64_t)n, got, &err), 0);
		assert_memory_equal(got, want, MERKLE_HASH);
		assert_int_equal(merkle_frontier_push(&f, leaves[n - 1], NULL, NULL, &err), 0);
		merkle_frontier_root(&f, got);
		assert_memory_equal(got, want, MERKLE_HASH);
	}
}

/* Every emitted node must be the naive subtree hash. */
static int check_emit(void *ctx, int level, uint64_t index, const unsigned char hash[MERKLE_HASH],
		      struct uc_err *err)
{
	unsigned char want[MERKLE_HASH];

	assert_int_equal(mem_get(ctx, level, index, want, err), 0);
	assert_memory_equal(hash, want, MERKLE_HASH);
	return 0;
}

/* Inclusion and consistency proofs for every index and size pair up to N
 * verify against the naive roots; a flipped bit, a wrong index or size,
 * or a truncated proof does not. */
static void test_merkle_proofs(void **state)
{
	enum { N = 40 };
	unsigned char leaves[N][MERKLE_HASH], roots[N + 1][MERKLE_HASH];
	unsigned char proof[MERKLE_PROOF_MAX][MERKLE_HASH], got[MERKLE_HASH];
	struct memtree t = {leaves, N, 0};
	struct merkle_frontier f;
	struct uc_err err = UC_ERR_INIT;
	size_t np;

	(void)state;
	merkle_frontier_init(&f);
	for (int i = 0; i < N; i++) {
		unsigned char b[2] = {(unsigned char)i, 0x5a};

		merkle_leaf_hash(b, sizeof(b), leaves[i]);
	}
	for (uint64_t n = 0; n <= N; n++) {
		naive_mth(&t, 0, n, roots[n]);
		assert_int_equal(merkle_root(mem_get, &t, n, got, &err), 0);
		assert_memory_equal(got, roots[n], MERKLE_HASH);
		merkle_frontier_root(&f, got);
		assert_memory_equal(got, roots[n], MERKLE_HASH);
		if (n < N)
			assert_int_equal(merkle_frontier_push(&f, leaves[n], check_emit, &t, &err),
					 0);
	}
	for (uint64_t n = 1; n <= N; n++) {
		for (uint64_t i = 0; i < n; i++) {
			assert_int_equal(
			    merkle_inclusion_proof(mem_get, &t, i, n, proof, &np, &err), 0);
			assert_int_equal(
			    merkle_verify_inclusion(i, n, leaves[i],
						    (const unsigned char(*)[MERKLE_HASH])proof, np,
						    roots[n]),
			    0);
			assert_int_not_equal(
			    merkle_verify_inclusion(i, n, leaves[(i + 1) % N],
						    (const unsigned char(*)[MERKLE_HASH])proof, np,
						    roots[n]),
			    0);
			if (n > 1) {
				/* (a proof can also fit another size with the same
				 * root: the root, not the size, is what is checked) */
				assert_int_not_equal(merkle_verify_inclusion(
							 i ^ 1, n, leaves[i],
							 (const unsigned char(*)[MERKLE_HASH])proof,
							 np, roots[n]),
						     0);
				assert_int_not_equal(merkle_verify_inclusion(
							 i, n, leaves[i],
							 (const unsigned char(*)[MERKLE_HASH])proof,
							 np - 1, roots[n]),
						     0);
				proof[np / 2][3] ^= 1;
				assert_int_not_equal(merkle_verify_inclusion(
							 i, n, leaves[i],
							 (const unsigned char(*)[MERKLE_HASH])proof,
							 np, roots[n]),
						     0);
			}
		}
		assert_int_equal(merkle_inclusion_proof(mem_get, &t, n, n, proof, &np, &err),
				 UC_EINPUT);
		for (uint64_t m = 0; m <= n; m++) {
			assert_int_equal(
			    merkle_consistency_proof(mem_get, &t, m, n, proof, &np, &err), 0);
			assert_int_equal(merkle_verify_consistency(
					     m, n, (const unsigned char(*)[MERKLE_HASH])proof, np,
					     roots[m], roots[n]),
					 0);
			if (m == 0 || m == n)
				continue;
			assert_int_not_equal(merkle_verify_consistency(
						 m, n, (const unsigned char(*)[MERKLE_HASH])proof,
						 np, roots[m - 1], roots[n]),
					     0);
			assert_int_not_equal(merkle_verify_consistency(
						 m, n, (const unsigned char(*)[MERKLE_HASH])proof,
						 np, roots[m], roots[n - 1]),
					     0);
			proof[np - 1][0] ^= 0x80;
			assert_int_not_equal(merkle_verify_consistency(
						 m, n, (const unsigned char(*)[MERKLE_HASH])proof,
						 np, roots[m], roots[n]),
					     0);
		}
	}
	assert_int_equal(merkle_consistency_proof(mem_get, &t, 5, 4, proof, &np, &err), UC_EINPUT);
}

/* ---- checkpoints ---- */

static void test_ckpt_roundtrip(void **state)
{
	struct ckpt_key k, vk, other, loaded;
	struct ckpt c;
	struct uc_err err = UC_ERR_INIT;
	unsigned char root[MERKLE_HASH];
	struct buf note, vks;
	char kpath[300];
	struct stat sb;

	(void)state;
	memset(root, 0x42, sizeof(root));
	buf_init(&note, CKPT_NOTE_MAX);
	buf_init(&vks, 1024);
	assert_int_equal(ckpt_key_generate(&k, "example.com/log", &err), 0);
	assert_int_equal(ckpt_key_generate(&other, "example.com/log", &err), 0);
	assert_int_equal(ckpt_key_generate(&vk, "bad name", &err), UC_EINPUT);
	assert_int_equal(ckpt_key_generate(&vk, "a+b", &err), UC_EINPUT);
	ckpt_vkey_format(&k, &vks);
	assert_int_equal(ckpt_vkey_parse(vks.ptr, vks.len, &vk, &err), 0);
	assert_string_equal(vk.name, "example.com/log");
	assert_memory_equal(vk.pub, k.pub, 32);
	assert_false(vk.has_secret);
	/* a vkey whose key id does not match its key is refused */
	vks.ptr[strlen("example.com/log+")] ^= 1;
	assert_int_not_equal(ckpt_vkey_parse(vks.ptr, vks.len, &loaded, &err), 0);

	assert_int_equal(ckpt_sign(&k, "example.com/log", 1234, root, &note, &err), 0);
	assert_non_null(strstr(note.ptr, "example.com/log\n1234\n"));
	assert_non_null(strstr(note.ptr, "\n\n\xe2\x80\x94 example.com/log "));
	assert_int_equal(ckpt_open(note.ptr, note.len, &vk, &c, &err), 0);
	assert_string_equal(c.origin, "example.com/log");
	assert_int_equal(c.size, 1234);
	assert_memory_equal(c.root, root, MERKLE_HASH);
	/* same name, other key: not signed by it */
	assert_int_equal(ckpt_open(note.ptr, note.len, &other, &c, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "not signed by key"));
	/* every single-byte change of the note is rejected */
	for (size_t i = 0; i < note.len; i++) {
		char saved = note.ptr[i];

		note.ptr[i] = (char)(saved ^ 0x01);
		assert_int_not_equal(ckpt_open(note.ptr, note.len, &vk, &c, &err), 0);
		note.ptr[i] = saved;
	}
	assert_int_equal(ckpt_open(note.ptr, note.len - 1, &vk, &c, &err), UC_EINPUT);
	assert_int_equal(ckpt_open(note.ptr, 0, &vk, &c, &err), UC_EINPUT);

	/* key file: written 0600, loaded back, never overwritten, refused
	 * when readable by others */
	snprintf(kpath, sizeof(kpath), "/tmp/uctrack-test-audit-key-%d", (int)getpid());
	unlink(kpath);
	assert_int_equal(ckpt_key_write(&k, kpath, &err), 0);
	assert_int_equal(stat(kpath, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(ckpt_key_write(&k, kpath, &err), UC_EIO);
	assert_int_equal(ckpt_key_load(kpath, &loaded, &err), 0);
	assert_memory_equal(loaded.pub, k.pub, 32);
	assert_memory_equal(loaded.id, k.id, 4);
	assert_int_equal(ckpt_vkey_load(kpath, &vk, &err), 0);
	assert_false(vk.has_secret);
	assert_memory_equal(vk.pub, k.pub, 32);
	chmod(kpath, 0644);
	assert_int_equal(ckpt_key_load(kpath, &loaded, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "chmod 600"));
	unlink(kpath);
	ckpt_key_release(&k);
	ckpt_key_release(&other);
	ckpt_key_release(&loaded);
	buf_release(&note);
	buf_release(&vks);
}

/* The witness's library calls: a new checkpoint extends an old one by a
 * consistency proof; a leaf is in a checkpointed tree by an inclusion
 * proof; forks, rollbacks and wrong proofs are refused. */
static void test_ckpt_witness(void **state)
{
	enum { N = 10 };
	unsigned char leaves[N][MERKLE_HASH], r6[MERKLE_HASH], r10[MERKLE_HASH];
	unsigned char proof[MERKLE_PROOF_MAX][MERKLE_HASH];
	struct memtree t = {leaves, N, 0};
	struct ckpt_key k;
	struct ckpt old, c;
	struct uc_err err = UC_ERR_INIT;
	struct buf n6, n10;
	size_t np;

	(void)state;
	for (int i = 0; i < N; i++)
		merkle_leaf_hash(&i, sizeof(i), leaves[i]);
	assert_int_equal(merkle_root(mem_get, &t, 6, r6, &err), 0);
	assert_int_equal(merkle_root(mem_get, &t, 10, r10, &err), 0);
	assert_int_equal(ckpt_key_generate(&k, "w/log", &err), 0);
	buf_init(&n6, CKPT_NOTE_MAX);
	buf_init(&n10, CKPT_NOTE_MAX);
	assert_int_equal(ckpt_sign(&k, "w/log", 6, r6, &n6, &err), 0);
	assert_int_equal(ckpt_sign(&k, "w/log", 10, r10, &n10, &err), 0);
	assert_int_equal(ckpt_open(n6.ptr, n6.len, &k, &old, &err), 0);
	assert_int_equal(merkle_consistency_proof(mem_get, &t, 6, 10, proof, &np, &err), 0);
	assert_int_equal(ckpt_verify_extends(n10.ptr, n10.len, &k, &old,
					     (const unsigned char(*)[MERKLE_HASH])proof, np, &c,
					     &err),
			 0);
	assert_int_equal(c.size, 10);
	/* a rollback: the older checkpoint presented as the new one */
	assert_int_equal(ckpt_verify_extends(n6.ptr, n6.len, &k, &c, NULL, 0, &old, &err),
			 UC_EINPUT);
	assert_non_null(strstr(err.msg, "older"));
	/* a fork: a checkpoint of size 10 whose tree does not extend size 6 */
	assert_int_equal(ckpt_open(n6.ptr, n6.len, &k, &old, &err), 0);
	buf_reset(&n10);
	r10[0] ^= 1;
	assert_int_equal(ckpt_sign(&k, "w/log", 10, r10, &n10, &err), 0);
	assert_int_equal(ckpt_verify_extends(n10.ptr, n10.len, &k, &old,
					     (const unsigned char(*)[MERKLE_HASH])proof, np, &c,
					     &err),
			 UC_EINPUT);
	assert_non_null(strstr(err.msg, "fork"));
	r10[0] ^= 1;
	/* inclusion */
	buf_reset(&n10);
	assert_int_equal(ckpt_sign(&k, "w/log", 10, r10, &n10, &err), 0);
	assert_int_equal(ckpt_open(n10.ptr, n10.len, &k, &c, &err), 0);
	assert_int_equal(merkle_inclusion_proof(mem_get, &t, 7, 10, proof, &np, &err), 0);
	assert_int_equal(ckpt_verify_inclusion(&c, 7, leaves[7],
					       (const unsigned char(*)[MERKLE_HASH])proof, np,
					       &err),
			 0);
	assert_int_equal(ckpt_verify_inclusion(&c, 7, leaves[6],
					       (const unsigned char(*)[MERKLE_HASH])proof, np,
					       &err),
			 UC_EINPUT);
	ckpt_key_release(&k);
	buf_release(&n6);
	buf_release(&n10);
}

/* ---- the stored tree ---- */

/* The stored root of the whole tree equals a recomputation of the entries
 * and every stored leaf matches. */
static void assert_tree_matches(struct store *st, int64_t want_entries)
{
	struct atree_report rep;
	struct uc_err err = UC_ERR_INIT;
	int64_t size;

	assert_int_equal(atree_size(st, &size, &err), 0);
	assert_int_equal(size, want_entries);
	if (atree_verify(st, NULL, NULL, &rep, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(rep.entries, want_entries);
	assert_int_equal(rep.tree_size, want_entries);
}

static void test_tree_all_paths(void **state)
{
	struct store *st = *state;
	struct audit_writer *w = NULL;
	struct uc_err err = UC_ERR_INIT;
	struct audit_entry e = {.actor = "bo", .action = "queue.read", .outcome = "ok"};
	struct done_rec d = {0, -1};

	assert_tree_matches(st, 5);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(audit_append_tx(st, &e, NULL, &err), 0);
	assert_int_equal(audit_append_tx(st, &e, NULL, &err), 0);
	store_rollback(st); /* the tree rolls back with the entries */
	assert_tree_matches(st, 5);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(audit_append_tx(st, &e, NULL, &err), 0);
	assert_int_equal(audit_append_tx(st, &e, NULL, &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	assert_tree_matches(st, 7);
	assert_int_equal(audit_writer_start(&w, path, &err), 0);
	for (int i = 0; i < 30; i++)
		audit_writer_submit_async(w, &e, on_done, &d);
	assert_int_equal(audit_writer_submit(w, &e, &err), 0);
	audit_writer_stop(w);
	assert_tree_matches(st, 38);
}

/* Undo migrations 010, 009 and 008: back to schema 7. Each new migration
 * adds its undo here. */
#define BACK_TO_7                                                                                  \
	"DELETE FROM person_key WHERE kind = 'pair'; DROP INDEX tcase_birth;"                      \
	"ALTER TABLE tcase DROP COLUMN birth_date;"                                                \
	"CREATE INDEX tcase_rank ON tcase(prio, active);"                                          \
	"DROP TABLE assignment; DROP TABLE assignment_log; DROP TABLE task_log;"                   \
	" DROP TABLE counsel_request; DROP INDEX tcase_work; DROP INDEX tcase_work_due;"           \
	" DROP INDEX tcase_work_all; DROP INDEX tcase_work_due_all;"                               \
	" ALTER TABLE tcase DROP COLUMN next_action;"                                              \
	" ALTER TABLE tcase DROP COLUMN next_due; ALTER TABLE tcase DROP COLUMN n_open;"           \
	" ALTER TABLE tcase DROP COLUMN n_held; ALTER TABLE tcase DROP COLUMN queued;"             \
	" DROP TABLE audit_tree; DROP TABLE login_known; DROP TABLE hold_lift;"                    \
	" ALTER TABLE api_token DROP COLUMN expires_at;"                                           \
	" ALTER TABLE api_token DROP COLUMN read_only; PRAGMA user_version=7"

/* A database whose entries were logged before migration 008 gets its
 * tree on the next append (or atree_sync), with the same root as a log
 * that always had it. */
static void test_tree_lazy_build(void **state)
{
	struct store *st = *state;
	struct uc_err err = UC_ERR_INIT;
	unsigned char before[MERKLE_HASH], after[MERKLE_HASH];
	struct audit_entry e = {.actor = "bo", .action = "x", .outcome = "ok"};
	int64_t size;

	assert_int_equal(atree_root(st, 5, before, &err), 0);
	/* back to schema 7 */
	assert_int_equal(store_exec(st, BACK_TO_7, &err), 0);
	store_close(st);
	assert_int_equal(store_open(&st, path, 0, &err), 0); /* migrates to 008 */
	*state = st;
	assert_int_equal(atree_size(st, &size, &err), 0);
	assert_int_equal(size, 0);
	assert_int_equal(atree_sync(st, &size, &err), 0);
	assert_int_equal(size, 5);
	assert_int_equal(atree_root(st, 5, after, &err), 0);
	assert_memory_equal(before, after, MERKLE_HASH);
	/* again, built by an append this time */
	/* back to schema 7 */
	assert_int_equal(store_exec(st, BACK_TO_7, &err), 0);
	store_close(st);
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	*state = st;
	assert_int_equal(audit_append(st, &e, NULL, &err), 0);
	assert_tree_matches(st, 6);
	assert_int_equal(atree_root(st, 5, after, &err), 0);
	assert_memory_equal(before, after, MERKLE_HASH);
}

/* atree_verify against a checkpoint of size 4: a grown log passes;
 * truncation, deletion of everything, and a rewrite (plain, then with the
 * tree rebuilt from the rewritten entries) fail with the entry named. */
static void test_tree_verify_checkpoint(void **state)
{
	struct store *st = *state;
	struct atree_report rep;
	struct uc_err err = UC_ERR_INIT;
	struct ckpt c;
	int64_t size;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "test");
	c.size = 4;
	assert_int_equal(atree_root(st, 4, c.root, &err), 0);
	assert_int_equal(atree_verify(st, &c, "ck", &rep, &err), 0);
	assert_true(rep.ckpt_ok);

	tamper(st, "DELETE FROM audit_log WHERE seq >= 4");
	assert_int_equal(atree_verify(st, &c, "ck", &rep, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "entries 4..4 were deleted"));
	assert_int_equal(rep.first_bad, 4);
	assert_int_equal(atree_verify(st, NULL, NULL, &rep, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "entries 4..5 were deleted"));

	assert_int_equal(store_exec(st, "DELETE FROM audit_log", &err), 0);
	assert_int_equal(atree_verify(st, &c, "ck", &rep, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "whole log was deleted"));
	assert_int_equal(atree_sync(st, &size, &err), UC_EINPUT);
}

static void test_tree_verify_rewrite(void **state)
{
	struct store *st = *state;
	struct atree_report rep;
	struct uc_err err = UC_ERR_INIT;
	struct ckpt c;
	int64_t size;

	memset(&c, 0, sizeof(c));
	c.size = 5;
	assert_int_equal(atree_root(st, 5, c.root, &err), 0);
	tamper(st, "UPDATE audit_log SET purpose = 'other' WHERE seq = 2");
	assert_int_equal(atree_verify(st, &c, "ck", &rep, &err), UC_EINPUT);
	assert_int_equal(rep.first_bad, 2);
	assert_non_null(strstr(err.msg, "entry 2 was rewritten"));
	assert_int_equal(atree_verify(st, NULL, NULL, &rep, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "entry 2 does not match"));
	/* the attacker rebuilds the tree from the rewritten entries */
	assert_int_equal(store_exec(st,
				    "DROP TRIGGER audit_tree_no_delete;"
				    " DELETE FROM audit_tree",
				    &err),
			 0);
	assert_int_equal(atree_sync(st, &size, &err), 0);
	assert_int_equal(size, 5);
	assert_int_equal(atree_verify(st, NULL, NULL, &rep, &err), 0);
	assert_int_equal(atree_verify(st, &c, "ck", &rep, &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "recomputed to hide it"));
}

/* Signer: checkpoint written to the directory, found as the latest. */
static void test_signer(void **state)
{
	struct store *st = *state;
	struct atree_config cfg;
	struct atree_signer *sg = NULL;
	struct atree_report rep;
	struct ckpt_key k, vk;
	struct ckpt c;
	struct uc_err err = UC_ERR_INIT;
	struct buf note, latest;
	char dir[256], kpath[300], lpath[600], cmd[700];
	int64_t size;

	snprintf(dir, sizeof(dir), "/tmp/uctrack-test-audit-ck-%d", (int)getpid());
	snprintf(kpath, sizeof(kpath), "%s/k", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir %s", dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ckpt_key_generate(&k, "t/log", &err), 0);
	assert_int_equal(ckpt_key_write(&k, kpath, &err), 0);
	atree_config_init(&cfg);
	assert_int_equal(atree_config_set(&cfg, "signing_key", kpath, &err), 0);
	assert_int_equal(atree_config_set(&cfg, "checkpoint_dir", dir, &err), 0);
	assert_int_equal(atree_config_set(&cfg, "checkpoint_interval", "0", &err), UC_EINPUT);
	assert_int_equal(atree_config_set(&cfg, "nope", "1", &err), UC_EINPUT);
	assert_int_equal(atree_signer_open(&sg, &cfg, &err), 0);
	assert_non_null(sg);
	buf_init(&note, CKPT_NOTE_MAX);
	assert_int_equal(atree_checkpoint_write(st, sg, &note, &size, &err), 0);
	assert_int_equal(size, 5);
	assert_int_equal(atree_checkpoint_latest(dir, lpath, sizeof(lpath), &latest, &err), 0);
	assert_non_null(strstr(lpath, "00000000000000000005.ckpt"));
	assert_int_equal(latest.len, note.len);
	assert_memory_equal(latest.ptr, note.ptr, note.len);
	assert_int_equal(ckpt_vkey_load(kpath, &vk, &err), 0);
	assert_int_equal(ckpt_open(note.ptr, note.len, &vk, &c, &err), 0);
	assert_int_equal(atree_verify(st, &c, lpath, &rep, &err), 0);
	assert_true(rep.ckpt_ok);
	buf_release(&note);
	buf_release(&latest);
	atree_signer_free(sg);
	atree_config_release(&cfg);
	ckpt_key_release(&k);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_append_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_edit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_renumbered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncate_with_head, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_fields_cut, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writer_conditional, setup, teardown),
	    cmocka_unit_test(test_merkle_vectors),
	    cmocka_unit_test(test_merkle_proofs),
	    cmocka_unit_test(test_ckpt_roundtrip),
	    cmocka_unit_test(test_ckpt_witness),
	    cmocka_unit_test_setup_teardown(test_tree_all_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tree_lazy_build, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tree_verify_checkpoint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tree_verify_rewrite, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_signer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
