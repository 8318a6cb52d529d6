#ifndef UC_MERKLE_H
#define UC_MERKLE_H
/*
 * merkle.h - RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their
 * verification. No database: the tree's nodes come from a callback, so
 * the same code serves the stored tree (atree.c), in-memory trees (tests)
 * and verifiers that hold only a checkpoint and a proof.
 *
 *   leaf hash = SHA-256(0x00 || leaf bytes)
 *   node hash = SHA-256(0x01 || left || right)
 *   MTH({})   = SHA-256("")
 *
 * A tree of n leaves splits at k, the largest power of two below n; so
 * every left subtree is complete. A complete subtree is named by (level,
 * index): it covers leaves [index << level, (index + 1) << level).
 *
 * Usage:
 *
 *   unsigned char root[MERKLE_HASH], proof[MERKLE_PROOF_MAX][MERKLE_HASH];
 *   size_t np;
 *   merkle_root(get, ctx, size, root, &err);
 *   merkle_inclusion_proof(get, ctx, index, size, proof, &np, &err);
 *   if (merkle_verify_inclusion(index, size, leaf, proof, np, root)) bad;
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define MERKLE_HASH 32	     /* SHA-256 output bytes */
#define MERKLE_PROOF_MAX 128 /* longest proof for trees below 2^63 leaves */
#define MERKLE_LEVELS 64     /* levels of complete subtrees (0 = leaves) */

/*
 * Node source: put the hash of the complete subtree (level, index) in out.
 * Returns 0 or an error (e.g. a missing stored node).
 */
typedef int (*merkle_get_fn)(void *ctx, int level, uint64_t index, unsigned char out[MERKLE_HASH],
			     struct uc_err *err);

/* SHA-256(0x00 || data). */
void merkle_leaf_hash(const void *data, size_t n, unsigned char out[MERKLE_HASH]);
/* SHA-256(0x01 || l || r); out may alias l or r. */
void merkle_node_hash(const unsigned char l[MERKLE_HASH], const unsigned char r[MERKLE_HASH],
		      unsigned char out[MERKLE_HASH]);

/* MTH of leaves [start, start + n) (n > 0; start a multiple of the
 * largest power of two <= n, as in every subtree of the RFC's recursion).
 * O(log n) calls of get. */
int merkle_subtree(merkle_get_fn get, void *ctx, uint64_t start, uint64_t n,
		   unsigned char out[MERKLE_HASH], struct uc_err *err);
/* Root of the first size leaves (size 0: SHA-256 of nothing). */
int merkle_root(merkle_get_fn get, void *ctx, uint64_t size, unsigned char out[MERKLE_HASH],
		struct uc_err *err);
/* RFC 9162 2.1.3.1 PATH(index, D[size]) into proof (room for
 * MERKLE_PROOF_MAX), *np hashes, leaf side first. UC_EINPUT when index >=
 * size. */
int merkle_inclusion_proof(merkle_get_fn get, void *ctx, uint64_t index, uint64_t size,
			   unsigned char proof[][MERKLE_HASH], size_t *np, struct uc_err *err);
/* RFC 9162 2.1.4.1 PROOF(m, D[n]); empty when m == 0 or m == n.
 * UC_EINPUT when m > n. */
int merkle_consistency_proof(merkle_get_fn get, void *ctx, uint64_t m, uint64_t n,
			     unsigned char proof[][MERKLE_HASH], size_t *np, struct uc_err *err);

/* RFC 9162 2.1.3.2: 0 when proof shows leaf at index in the tree of size
 * with root; -1 otherwise (any input, including np > MERKLE_PROOF_MAX). */
int merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf[MERKLE_HASH],
			    const unsigned char proof[][MERKLE_HASH], size_t np,
			    const unsigned char root[MERKLE_HASH]);
/* RFC 9162 2.1.4.2: 0 when proof shows the tree (m, root_m) is a prefix
 * of (n, root_n); -1 otherwise. m == n needs an empty proof and equal
 * roots; m == 0 an empty proof. */
int merkle_verify_consistency(uint64_t m, uint64_t n, const unsigned char proof[][MERKLE_HASH],
			      size_t np, const unsigned char root_m[MERKLE_HASH],
			      const unsigned char root_n[MERKLE_HASH]);

/*
 * Streaming builder: push leaf hashes in order; the frontier keeps the
 * roots of the complete subtrees along the right edge (one per set bit of
 * size), so the root of the leaves pushed so far costs O(log n).
 */
struct merkle_frontier {
	uint64_t size;					/* leaves pushed */
	unsigned char node[MERKLE_LEVELS][MERKLE_HASH]; /* node[l] valid when
							   bit l of size is set */
};

void merkle_frontier_init(struct merkle_frontier *f);
/* Push one leaf hash. When emit is not NULL, it is called for every
 * complete subtree the push completes (the leaf itself at level 0, then
 * each parent), lowest first; a non-zero return stops and is returned. */
typedef int (*merkle_emit_fn)(void *ctx, int level, uint64_t index,
			      const unsigned char hash[MERKLE_HASH], struct uc_err *err);
int merkle_frontier_push(struct merkle_frontier *f, const unsigned char leaf[MERKLE_HASH],
			 merkle_emit_fn emit, void *ctx, struct uc_err *err);
/* Root of the leaves pushed so far. */
void merkle_frontier_root(const struct merkle_frontier *f, unsigned char out[MERKLE_HASH]);

#endif
