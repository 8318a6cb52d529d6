/*
 * merkle.c - RFC 6962 / RFC 9162 Merkle tree hashing and proofs.
 */
#include "audit/merkle.h"

#include <sodium.h>
#include <string.h>

void merkle_leaf_hash(const void *data, size_t n, unsigned char out[MERKLE_HASH])
{
	crypto_hash_sha256_state h;
	unsigned char zero = 0x00;

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, &zero, 1);
	crypto_hash_sha256_update(&h, data, n);
	crypto_hash_sha256_final(&h, out);
}

void merkle_node_hash(const unsigned char l[MERKLE_HASH], const unsigned char r[MERKLE_HASH],
		      unsigned char out[MERKLE_HASH])
{
	crypto_hash_sha256_state h;
	unsigned char one = 0x01;

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, &one, 1);
	crypto_hash_sha256_update(&h, l, MERKLE_HASH);
	crypto_hash_sha256_update(&h, r, MERKLE_HASH);
	crypto_hash_sha256_final(&h, out);
}

/* log2 of n, a power of two. */
static int level_of(uint64_t n)
{
	return 63 - __builtin_clzll(n);
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t split_of(uint64_t n)
{
	return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

int merkle_subtree(merkle_get_fn get, void *ctx, uint64_t start, uint64_t n,
		   unsigned char out[MERKLE_HASH], struct uc_err *err)
{
	unsigned char left[MERKLE_HASH];
	uint64_t k;
	int rc;

	if (n == 0)
		BUG("merkle_subtree of no leaves");
	if ((n & (n - 1)) == 0)
		return get(ctx, level_of(n), start >> level_of(n), out, err);
	k = split_of(n);
	rc = get(ctx, level_of(k), start >> level_of(k), left, err);
	if (!rc)
		rc = merkle_subtree(get, ctx, start + k, n - k, out, err);
	if (!rc)
		merkle_node_hash(left, out, out);
	return rc;
}

int merkle_root(merkle_get_fn get, void *ctx, uint64_t size, unsigned char out[MERKLE_HASH],
		struct uc_err *err)
{
	if (size == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return UC_OK;
	}
	return merkle_subtree(get, ctx, 0, size, out, err);
}

static int add(unsigned char proof[][MERKLE_HASH], size_t *np)
{
	if (*np >= MERKLE_PROOF_MAX)
		BUG("merkle proof longer than %d", MERKLE_PROOF_MAX);
	return (int)(*np)++;
}

/* PATH(m, D[start:start+n]). */
static int path(merkle_get_fn get, void *ctx, uint64_t m, uint64_t start, uint64_t n,
		unsigned char proof[][MERKLE_HASH], size_t *np, struct uc_err *err)
{
	uint64_t k;
	int rc;

	if (n == 1)
		return UC_OK;
	k = split_of(n);
	if (m < k) {
		rc = path(get, ctx, m, start, k, proof, np, err);
		if (!rc)
			rc = merkle_subtree(get, ctx, start + k, n - k, proof[add(proof, np)], err);
	} else {
		rc = path(get, ctx, m - k, start + k, n - k, proof, np, err);
		if (!rc)
			rc = merkle_subtree(get, ctx, start, k, proof[add(proof, np)], err);
	}
	return rc;
}

int merkle_inclusion_proof(merkle_get_fn get, void *ctx, uint64_t index, uint64_t size,
			   unsigned char proof[][MERKLE_HASH], size_t *np, struct uc_err *err)
{
	*np = 0;
	if (index >= size)
		return uc_error(err, UC_EINPUT, "leaf index %llu is not in a tree of %llu leaves",
				(unsigned long long)index, (unsigned long long)size);
	return path(get, ctx, index, 0, size, proof, np, err);
}

/* SUBPROOF(m, D[start:start+n], b). */
static int subproof(merkle_get_fn get, void *ctx, uint64_t m, uint64_t start, uint64_t n, int b,
		    unsigned char proof[][MERKLE_HASH], size_t *np, struct uc_err *err)
{
	uint64_t k;
	int rc;

	if (m == n) {
		if (b)
			return UC_OK;
		return merkle_subtree(get, ctx, start, m, proof[add(proof, np)], err);
	}
	k = split_of(n);
	if (m <= k) {
		rc = subproof(get, ctx, m, start, k, b, proof, np, err);
		if (!rc)
			rc = merkle_subtree(get, ctx, start + k, n - k, proof[add(proof, np)], err);
	} else {
		rc = subproof(get, ctx, m - k, start + k, n - k, 0, proof, np, err);
		if (!rc)
			rc = merkle_subtree(get, ctx, start, k, proof[add(proof, np)], err);
	}
	return rc;
}

int merkle_consistency_proof(merkle_get_fn get, void *ctx, uint64_t m, uint64_t n,
			     unsigned char proof[][MERKLE_HASH], size_t *np, struct uc_err *err)
{
	*np = 0;
	if (m > n)
		return uc_error(err, UC_EINPUT,
				"a tree of %llu leaves cannot be a prefix of one of %llu",
				(unsigned long long)m, (unsigned long long)n);
	if (m == 0 || m == n)
		return UC_OK;
	return subproof(get, ctx, m, 0, n, 1, proof, np, err);
}

int merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf[MERKLE_HASH],
			    const unsigned char proof[][MERKLE_HASH], size_t np,
			    const unsigned char root[MERKLE_HASH])
{
	unsigned char r[MERKLE_HASH];
	uint64_t fn, sn;

	if (index >= size || np > MERKLE_PROOF_MAX)
		return -1;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, MERKLE_HASH);
	for (size_t i = 0; i < np; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || sodium_memcmp(r, root, MERKLE_HASH) != 0)
		return -1;
	return 0;
}

int merkle_verify_consistency(uint64_t m, uint64_t n, const unsigned char proof[][MERKLE_HASH],
			      size_t np, const unsigned char root_m[MERKLE_HASH],
			      const unsigned char root_n[MERKLE_HASH])
{
	unsigned char fr[MERKLE_HASH], sr[MERKLE_HASH];
	uint64_t fn, sn;
	size_t i = 0;

	if (m > n || np > MERKLE_PROOF_MAX)
		return -1;
	if (m == n)
		return np == 0 && sodium_memcmp(root_m, root_n, MERKLE_HASH) == 0 ? 0 : -1;
	if (m == 0)
		return np == 0 ? 0 : -1;
	if (np == 0)
		return -1;
	/* A complete old tree is its own first proof node. */
	if ((m & (m - 1)) == 0) {
		memcpy(fr, root_m, MERKLE_HASH);
	} else {
		memcpy(fr, proof[0], MERKLE_HASH);
		i = 1;
	}
	memcpy(sr, fr, MERKLE_HASH);
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < np; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], fr, fr);
			merkle_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || sodium_memcmp(fr, root_m, MERKLE_HASH) != 0 ||
	    sodium_memcmp(sr, root_n, MERKLE_HASH) != 0)
		return -1;
	return 0;
}

void merkle_frontier_init(struct merkle_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

int merkle_frontier_push(struct merkle_frontier *f, const unsigned char leaf[MERKLE_HASH],
			 merkle_emit_fn emit, void *ctx, struct uc_err *err)
{
	unsigned char h[MERKLE_HASH];
	uint64_t i = f->size;
	int level = 0, rc = UC_OK;

	if (f->size == UINT64_MAX >> 1)
		return uc_error(err, UC_ENOMEM, "merkle tree full");
	memcpy(h, leaf, MERKLE_HASH);
	if (emit)
		rc = emit(ctx, 0, i, h, err);
	/* A node with an odd index is a right child: its left sibling is the
	 * frontier node of the same level, and their parent is complete. */
	while (!rc && (i & 1)) {
		merkle_node_hash(f->node[level], h, h);
		level++;
		i >>= 1;
		if (emit)
			rc = emit(ctx, level, i, h, err);
	}
	if (rc)
		return rc;
	memcpy(f->node[level], h, MERKLE_HASH);
	f->size++;
	return UC_OK;
}

void merkle_frontier_root(const struct merkle_frontier *f, unsigned char out[MERKLE_HASH])
{
	int have = 0;

	if (f->size == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return;
	}
	/* Fold the right edge from its smallest subtree up. */
	for (int l = 0; l < MERKLE_LEVELS; l++) {
		if (!(f->size & ((uint64_t)1 << l)))
			continue;
		if (!have)
			memcpy(out, f->node[l], MERKLE_HASH);
		else
			merkle_node_hash(f->node[l], out, out);
		have = 1;
	}
}
