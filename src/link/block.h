#ifndef UC_LINK_BLOCK_H
#define UC_LINK_BLOCK_H
/*
 * block.h - candidate generation by blocking.
 *
 * Each record gets a few blocking keys (e.g. its A-number; phonetic
 * surname + birth year; birth date + country). Two records are a
 * candidate pair when they share a key. Keys are hashed to 40 bits and
 * packed with the record index (24 bits) into one uint64, radix-sorted,
 * and every block of 2..cap records yields its pairs; larger blocks are
 * skipped and counted (they carry too little information to be worth
 * their quadratic cost). Pairs are packed (i << 32 | j), i < j, sorted
 * and unique. Cost is O(keys + pairs).
 *
 * Usage:
 *
 *   struct block_keys k;
 *   block_keys_init(&k);
 *   block_keys_add(&k, block_hash("GNSLS", 5, 2007), rec);
 *   struct block_pairs p;
 *   block_pairs_build(&k, 200, side_or_NULL, &p);   // consumes nothing
 *   for (size_t i = 0; i < p.n; i++) use(p.v[i] >> 32, (uint32_t)p.v[i]);
 *   block_pairs_release(&p);
 *   block_keys_release(&k);
 *
 * Both structs own their arrays. Record indexes must be < BLOCK_MAX_RECS.
 */
#include <stddef.h>
#include <stdint.h>

#define BLOCK_MAX_RECS (1u << 24)

struct block_keys {
	uint64_t *v;  /* (hash40 << 24) | record index */
	size_t n;     /* entries */
	size_t alloc; /* capacity */
};

struct block_pairs {
	uint64_t *v;	     /* (i << 32) | j with i < j, sorted, unique */
	size_t n;	     /* pairs */
	size_t blocks;	     /* blocks of 2+ records used */
	size_t skipped;	     /* blocks larger than the cap, skipped */
	size_t skipped_recs; /* record entries in skipped blocks */
};

/* 64-bit hash of bytes with a seed (use the seed to separate key kinds). */
uint64_t block_hash(const void *p, size_t n, uint64_t seed);

void block_keys_init(struct block_keys *k);
void block_keys_add(struct block_keys *k, uint64_t hash, uint32_t rec);
void block_keys_release(struct block_keys *k);

/* Sort k (in place) and emit the pairs of every block of 2..cap records.
 * side (may be NULL): when given, only pairs with side[i] != side[j] are
 * emitted (linking two files rather than deduplicating one). */
void block_pairs_build(struct block_keys *k, size_t cap, const uint8_t *side,
		       struct block_pairs *out);
void block_pairs_release(struct block_pairs *p);

/* Sort n uint64 ascending (LSD radix, 16 bits a pass). */
void block_sort_u64(uint64_t *v, size_t n);

#endif
