#ifndef UC_HASH_H
#define UC_HASH_H
/*
 * hash.h - the one 64-bit integer mixer the project's hash tables,
 * fingerprints and keys use (the MurmurHash3 finaliser): every input bit
 * affects every output bit, so `uc_mix64(k) & (cap - 1)` spreads
 * sequential ids over a power-of-two table.
 *
 *   size_t slot = (size_t)uc_mix64(key) & (m->cap - 1);
 *
 * Not for anything an adversary chooses the keys of (use libsodium's
 * keyed hashes there). Values are stable across runs and versions: stored
 * keys (triage's pk, store_fingerprint) depend on them.
 */
#include <stdint.h>

uint64_t uc_mix64(uint64_t x);

#endif
