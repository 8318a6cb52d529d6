// fuzz-objs: src/audit/merkle.c src/audit/ckpt.c src/core/buf.c src/core/err.c
/*
 * fuzz_audit.c - libFuzzer target for the witness side of the audit log:
 * the signed-note checkpoint parser and signature check (ckpt_open), the
 * checkpoint body parser, the verifier-key parser, and the RFC 9162
 * inclusion and consistency proof verifiers fed arbitrary sizes, hashes
 * and proofs. Any bytes must give an answer, never a crash, a leak or
 * undefined behaviour. Properties: a checkpoint signed from fuzzed
 * (origin, size, root) opens again with the same values; a proof that
 * verifies must be within MERKLE_PROOF_MAX hashes.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/ckpt.h"
#include "audit/merkle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ckpt_key key; /* fixed signing key (zero seed) */
static int ready;

static void setup(void)
{
	static const char name[] = "fuzz/log";
	unsigned char seed[32] = {0}, md[32], sep[2] = {'\n', 0x01};
	crypto_hash_sha256_state h;

	if (sodium_init() < 0)
		abort();
	memset(&key, 0, sizeof(key));
	memcpy(key.name, name, sizeof(name));
	crypto_sign_seed_keypair(key.pub, key.sk, seed);
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)name, strlen(name));
	crypto_hash_sha256_update(&h, sep, 2);
	crypto_hash_sha256_update(&h, key.pub, 32);
	crypto_hash_sha256_final(&h, md);
	memcpy(key.id, md, 4);
	key.has_secret = 1;
	ready = 1;
}

static uint64_t u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void proofs(const uint8_t *data, size_t size)
{
	const unsigned char(*h)[MERKLE_HASH];
	uint64_t m, n;
	size_t nh;

	if (size < 16 + 3 * MERKLE_HASH)
		return;
	/* small sizes most of the time: they reach the loops' ends */
	m = u64(data);
	n = u64(data + 8);
	if (data[0] & 0x80) {
		m &= 0xff;
		n &= 0xff;
	}
	h = (const unsigned char(*)[MERKLE_HASH])(data + 16);
	nh = (size - 16) / MERKLE_HASH - 3;
	if (merkle_verify_inclusion(m, n, h[0], h + 3, nh, h[1]) == 0 && nh > MERKLE_PROOF_MAX)
		abort();
	if (merkle_verify_consistency(m, n, h + 3, nh, h[0], h[1]) == 0 && nh > MERKLE_PROOF_MAX)
		abort();
}

static void roundtrip(const uint8_t *data, size_t size)
{
	char origin[CKPT_NAME_MAX + 1];
	unsigned char root[MERKLE_HASH];
	struct uc_err err = UC_ERR_INIT;
	struct buf note;
	struct ckpt c;
	uint64_t sz;
	size_t on;

	if (size < 8 + MERKLE_HASH + 1)
		return;
	sz = u64(data) & INT64_MAX;
	memcpy(root, data + 8, MERKLE_HASH);
	on = size - 8 - MERKLE_HASH;
	if (on > CKPT_NAME_MAX)
		on = CKPT_NAME_MAX;
	memcpy(origin, data + 8 + MERKLE_HASH, on);
	origin[on] = '\0';
	buf_init(&note, CKPT_NOTE_MAX);
	if (ckpt_sign(&key, origin, sz, root, &note, &err) == 0) {
		if (ckpt_open(note.ptr, note.len, &key, &c, &err) != 0 ||
		    strcmp(c.origin, origin) != 0 || c.size != sz ||
		    memcmp(c.root, root, MERKLE_HASH) != 0)
			abort();
	}
	buf_release(&note);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_err err = UC_ERR_INIT;
	struct ckpt_key vk;
	struct ckpt c;

	if (!ready)
		setup();
	ckpt_open((const char *)data, size, &key, &c, &err);
	ckpt_parse_body((const char *)data, size, &c, &err);
	ckpt_vkey_parse((const char *)data, size, &vk, &err);
	proofs(data, size);
	roundtrip(data, size);
	return 0;
}
