#ifndef UC_LINK_INT_H
#define UC_LINK_INT_H
/*
 * link_int.h - internals shared by link.c and sponsor.c (not a public
 * API): a u64 -> u64 hash map, a string arena, timestamps.
 *
 *   struct u64map m; u64map_init(&m);
 *   u64map_put(&m, key, val);  uint64_t *v = u64map_get(&m, key);
 *   u64map_release(&m);
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "link/fs.h"
#include "store/store.h"

/* Open-addressing map; key UINT64_MAX is reserved (never stored). */
struct u64map {
	uint64_t *k; /* keys, UINT64_MAX = empty slot */
	uint64_t *v; /* values */
	size_t cap;  /* slots, power of two */
	size_t len;  /* used slots */
};

void u64map_init(struct u64map *m);
void u64map_release(struct u64map *m);
/* Insert or overwrite. */
void u64map_put(struct u64map *m, uint64_t k, uint64_t v);
/* Pointer to the value for k, or NULL; valid until the next put. */
uint64_t *u64map_get(const struct u64map *m, uint64_t k);

/* Strings back to back; offsets stay valid as it grows. */
struct larena {
	char *p;      /* bytes, each string NUL-terminated */
	size_t len;   /* bytes used (offset 0 is the empty string) */
	size_t alloc; /* bytes allocated */
};
void larena_init(struct larena *a);
void larena_release(struct larena *a);
/* Append s[0..n) and a NUL; returns its offset. */
uint32_t larena_add(struct larena *a, const char *s, size_t n);

/*
 * Spelling cache: source names repeat across many records, so each distinct
 * spelling is normalised once. Maps a spelling to a caller-defined 32-bit
 * offset (where the caller stored its normalised form). A hash shared by
 * two spellings only costs the second its caching: the first keeps the slot.
 */
struct spellcache {
	struct larena raw; /* the spellings, each once */
	struct u64map map; /* hash of a spelling -> its offset in raw << 32 |
			    * the caller's offset */
};
void spellcache_init(struct spellcache *c);
void spellcache_release(struct spellcache *c);
/* 1 and *off when raw (may be NULL: never cached) was put before, else 0. */
int spellcache_get(const struct spellcache *c, const char *raw, uint32_t *off);
/* Remember off for raw, unless raw is NULL or its hash slot is taken. */
void spellcache_put(struct spellcache *c, const char *raw, uint32_t off);

/* Run fn(arg, lo, hi) over slices of [0, n) on the online cores (at most
 * LINK_MAX_THREADS), one slice each, and wait for all; below min_n items,
 * or if no thread can be started, in the calling thread. fn must write
 * only its own slice's results and read shared data only: the outcome
 * is then the same whatever the number of threads. */
#define LINK_MAX_THREADS 8
void link_parallel(size_t n, size_t min_n, void (*fn)(void *arg, size_t lo, size_t hi), void *arg);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void link_now(char out[21]);

/* Load the latest stored model called name into m (fields as set up by
 * fs_init). UC_ENOTFOUND when there is none. (link.c) */
int link_load_model(struct store *st, const char *name, struct fs_model *m, struct uc_err *err);

#endif
