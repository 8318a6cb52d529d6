#ifndef UC_CKPT_H
#define UC_CKPT_H
/*
 * ckpt.h - signed checkpoints of the audit log's Merkle tree, in the
 * C2SP formats (tlog-checkpoint, signed-note, Ed25519 keys). No database:
 * a witness that holds only a verifier key, checkpoints and proofs can
 * use this module (and merkle.h) alone. docs/audit.md describes formats.
 *
 * A checkpoint is a signed note whose text is
 *
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[extension lines]
 *
 * followed by a blank line and one signature line per signer:
 *
 *   "\u2014 <key name> <base64(key id (4 bytes) || Ed25519 signature)>\n"
 *
 * key id = the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
 * Verifier key ("vkey"): "<name>+<key id, 8 hex>+<base64(0x01 || public key)>".
 * Private key file: "PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>".
 *
 * Usage (signer):
 *
 *   struct ckpt_key k;
 *   ckpt_key_load("/etc/uctrack/audit.key", &k, &err);
 *   ckpt_sign(&k, "uctrack/host", size, root, &note, &err);
 *
 * Usage (witness):
 *
 *   struct ckpt_key vk; struct ckpt c;
 *   ckpt_vkey_parse(vkey_text, len, &vk, &err);
 *   if (ckpt_open(note, note_len, &vk, &c, &err)) reject;
 *   merkle_verify_consistency(old.size, c.size, proof, np, old.root, c.root);
 */
#include <stddef.h>
#include <stdint.h>

#include "audit/merkle.h"
#include "core/buf.h"
#include "core/err.h"

#define CKPT_NAME_MAX 128   /* longest key name / origin accepted */
#define CKPT_NOTE_MAX 65536 /* largest checkpoint note accepted */

/* An Ed25519 key with its note name. */
struct ckpt_key {
	char name[CKPT_NAME_MAX + 1]; /* key name (no spaces, no '+') */
	unsigned char id[4];	      /* key id (see above) */
	unsigned char pub[32];	      /* Ed25519 public key */
	unsigned char sk[64];	      /* secret key (libsodium layout) */
	int has_secret;		      /* sk is set */
};

/* A parsed, signature-checked checkpoint. */
struct ckpt {
	char origin[CKPT_NAME_MAX + 1];	 /* first line */
	uint64_t size;			 /* tree size */
	unsigned char root[MERKLE_HASH]; /* root hash */
};

/* New random key named name. UC_EINPUT for a bad name. */
int ckpt_key_generate(struct ckpt_key *k, const char *name, struct uc_err *err);
/* Write k's private key to path (created 0600; an existing file is never
 * overwritten). */
int ckpt_key_write(const struct ckpt_key *k, const char *path, struct uc_err *err);
/* Load a private key file; refused when readable by group or others. */
int ckpt_key_load(const char *path, struct ckpt_key *k, struct uc_err *err);
/* Wipe the secret. */
void ckpt_key_release(struct ckpt_key *k);
/* k's verifier key text into out (NUL-terminated, sticky buf). */
void ckpt_vkey_format(const struct ckpt_key *k, struct buf *out);
/* Parse a verifier key (trailing newline allowed); k gets no secret. */
int ckpt_vkey_parse(const char *s, size_t len, struct ckpt_key *k, struct uc_err *err);
/* Read a verifier key file, or derive the verifier from a private key
 * file (whichever path holds). */
int ckpt_vkey_load(const char *path, struct ckpt_key *k, struct uc_err *err);

/* Append the signed checkpoint note for (origin, size, root) to out. */
int ckpt_sign(const struct ckpt_key *k, const char *origin, uint64_t size,
	      const unsigned char root[MERKLE_HASH], struct buf *out, struct uc_err *err);
/*
 * Parse the note in text[0..len) and check it carries a valid signature by
 * vk (signatures by other keys are ignored). UC_EINPUT with a message
 * saying what is wrong (syntax with the line, no signature by vk, a bad
 * signature) otherwise; *out is only valid on success.
 */
int ckpt_open(const char *text, size_t len, const struct ckpt_key *vk, struct ckpt *out,
	      struct uc_err *err);
/* Parse the checkpoint body alone (no signature check): for messages about
 * checkpoints whose signature failed, and for the fuzzer. */
int ckpt_parse_body(const char *text, size_t len, struct ckpt *out, struct uc_err *err);
/* Read a file of at most CKPT_NOTE_MAX bytes into out. */
int ckpt_read_file(const char *path, struct buf *out, struct uc_err *err);

/*
 * The witness's checks in one call: note signed by vk; then, when proof
 * is not NULL, the tree it describes is consistent with the older
 * checkpoint old (size, root) by the consistency proof. *out as ckpt_open.
 */
int ckpt_verify_extends(const char *note, size_t len, const struct ckpt_key *vk,
			const struct ckpt *old, const unsigned char proof[][MERKLE_HASH], size_t np,
			struct ckpt *out, struct uc_err *err);
/* Leaf hash at index is in the checkpointed tree c, by proof. */
int ckpt_verify_inclusion(const struct ckpt *c, uint64_t index,
			  const unsigned char leaf[MERKLE_HASH],
			  const unsigned char proof[][MERKLE_HASH], size_t np, struct uc_err *err);

#endif
