#ifndef UC_SEAL_H
#define UC_SEAL_H
/*
 * seal.h - encryption at rest of sensitive notes (trafficking and abuse
 * disclosures) with libsodium secretbox (XSalsa20-Poly1305).
 *
 * The key is 32 bytes read from a file named in the config ([server]
 * key_file), never from the database: raw 32 bytes, or 64 hex characters
 * (a trailing newline is allowed). The file must not be readable by group
 * or others. A sealed note is the text
 *
 *   "sealed:v1:" base64(nonce(24) || box)
 *
 * so a reader can tell sealed from plain notes. Usage:
 *
 *   unsigned char key[SEAL_KEY_BYTES];
 *   if (seal_key_load("/etc/uctrack/notes.key", key, &err)) ...
 *   char *s = NULL;
 *   seal_note(key, "disclosed ...", &s, &err);    // caller frees s
 *   char *p = NULL;
 *   seal_open(key, s, &p, &err);                  // caller frees p
 */
#include <stddef.h>

#include "core/err.h"

#define SEAL_KEY_BYTES 32
#define SEAL_PREFIX "sealed:v1:"

/* Read the key file; 0 or UC_EIO/UC_EINPUT saying what to fix. */
int seal_key_load(const char *path, unsigned char key[SEAL_KEY_BYTES], struct uc_err *err);
/* Write a new random key file (hex, mode 0600); refuses to overwrite. */
int seal_key_create(const char *path, struct uc_err *err);
/* Encrypt plain into *out (malloc'd, caller frees). */
int seal_note(const unsigned char key[SEAL_KEY_BYTES], const char *plain, char **out,
	      struct uc_err *err);
/*
 * Encrypt plain into *out (malloc'd, caller frees) with a nonce derived
 * from key and plain (BLAKE2b under a subkey of key): the same note under
 * the same key always seals to the same text, so a file imported twice
 * stores nothing new (the importer's rhash covers the sealed text). It
 * reveals only that two sealed notes are equal.
 */
int seal_note_det(const unsigned char key[SEAL_KEY_BYTES], const char *plain, char **out,
		  struct uc_err *err);
/* 1 when s looks like a sealed note. */
int seal_is_sealed(const char *s);
/* Decrypt a sealed note into *out (malloc'd). UC_EINPUT when it does not
 * authenticate under key (wrong key or tampered). */
int seal_open(const unsigned char key[SEAL_KEY_BYTES], const char *sealed, char **out,
	      struct uc_err *err);

#endif
