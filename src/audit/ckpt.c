/*
 * ckpt.c - C2SP signed notes, Ed25519 note keys and tlog checkpoints.
 */
#include "audit/ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALG_ED25519 0x01
#define EM_DASH "\xe2\x80\x94 " /* U+2014 and a space: a signature line */
#define SIGS_MAX 100		/* signature lines looked at */
#define PRIV_PREFIX "PRIVATE+KEY+"

/* Bytes that may appear in a key name: printable, no space, no '+'. */
static int name_ok(const char *s, size_t n)
{
	if (n == 0 || n > CKPT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || c == '+')
			return 0;
	}
	return 1;
}

static void key_id(const char *name, const unsigned char pub[32], unsigned char id[4])
{
	crypto_hash_sha256_state h;
	unsigned char md[32], sep[2] = {'\n', ALG_ED25519};

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)name, strlen(name));
	crypto_hash_sha256_update(&h, sep, 2);
	crypto_hash_sha256_update(&h, pub, 32);
	crypto_hash_sha256_final(&h, md);
	memcpy(id, md, 4);
}

/* Decode exactly the base64 text s[0..n) into at most max bytes. */
static int b64dec(const char *s, size_t n, unsigned char *out, size_t max, size_t *outlen)
{
	const char *end = NULL;

	*outlen = 0;
	if (n == 0)
		return -1;
	if (sodium_base642bin(out, max, s, n, NULL, outlen, &end, sodium_base64_VARIANT_ORIGINAL) !=
	    0)
		return -1;
	return end == s + n ? 0 : -1;
}

static void b64add(struct buf *b, const unsigned char *bin, size_t n)
{
	char tmp[256];

	if (sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) > sizeof(tmp))
		BUG("base64 of %zu bytes", n);
	sodium_bin2base64(tmp, sizeof(tmp), bin, n, sodium_base64_VARIANT_ORIGINAL);
	buf_adds(b, tmp);
}

static void hexid(const unsigned char id[4], char out[9])
{
	sodium_bin2hex(out, 9, id, 4);
}

int ckpt_key_generate(struct ckpt_key *k, const char *name, struct uc_err *err)
{
	memset(k, 0, sizeof(*k));
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	if (!name_ok(name, strlen(name)))
		return uc_error(err, UC_EINPUT,
				"key name '%s': want 1..%d printable characters "
				"without spaces or '+'",
				name, CKPT_NAME_MAX);
	memcpy(k->name, name, strlen(name) + 1);
	crypto_sign_keypair(k->pub, k->sk);
	key_id(k->name, k->pub, k->id);
	k->has_secret = 1;
	return UC_OK;
}

void ckpt_key_release(struct ckpt_key *k)
{
	sodium_memzero(k->sk, sizeof(k->sk));
	k->has_secret = 0;
}

int ckpt_key_write(const struct ckpt_key *k, const char *path, struct uc_err *err)
{
	unsigned char raw[33];
	struct buf b;
	char id[9];
	int fd, rc = UC_OK;

	if (!k->has_secret)
		BUG("ckpt_key_write without a secret key");
	buf_init(&b, 1024);
	raw[0] = ALG_ED25519;
	crypto_sign_ed25519_sk_to_seed(raw + 1, k->sk);
	hexid(k->id, id);
	buf_addf(&b, PRIV_PREFIX "%s+%s+", k->name, id);
	b64add(&b, raw, sizeof(raw));
	buf_addc(&b, '\n');
	sodium_memzero(raw, sizeof(raw));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		rc = uc_error(err, UC_EIO, "%s: %s%s", path, strerror(errno),
			      errno == EEXIST ? " (an existing key is never overwritten)" : "");
		goto out;
	}
	if (buf_failed(&b) || write(fd, b.ptr, b.len) != (ssize_t)b.len || fsync(fd) != 0) {
		rc = uc_error(err, UC_EIO, "%s: cannot write the key: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	if (close(fd) != 0)
		rc = uc_error(err, UC_EIO, "%s: %s", path, strerror(errno));
out:
	if (b.ptr)
		sodium_memzero(b.ptr, b.len);
	buf_release(&b);
	return rc;
}

/* Read at most max bytes of path into b; *mode gets its permission bits. */
static int read_small(const char *path, size_t max, struct buf *b, unsigned *mode,
		      struct uc_err *err)
{
	char chunk[4096];
	struct stat sb;
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = UC_OK;

	if (!f)
		return uc_error(err, UC_EIO, "%s: %s", path, strerror(errno));
	if (mode)
		*mode = fstat(fileno(f), &sb) == 0 ? (unsigned)(sb.st_mode & 0777) : 0777;
	while (!buf_failed(b) && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	if (ferror(f))
		rc = uc_error(err, UC_EIO, "%s: %s", path, strerror(errno));
	else if (buf_failed(b) || b->len > max)
		rc = uc_error(err, UC_EINPUT,
			      "%s: larger than %zu bytes: not a "
			      "key or checkpoint",
			      path, max);
	fclose(f);
	return rc;
}

int ckpt_read_file(const char *path, struct buf *out, struct uc_err *err)
{
	buf_init(out, CKPT_NOTE_MAX + 1);
	return read_small(path, CKPT_NOTE_MAX, out, NULL, err);
}

/*
 * Split "NAME+ID+BASE64" (s[0..n), the shape of both key files): the name
 * into name (CKPT_NAME_MAX + 1), the 8 hex digits of the key id into idhex
 * (borrowed from s), the decoded Ed25519 key material (33 bytes, the
 * algorithm byte first) into raw. 0, or -1 when it has another shape.
 */
static int split_key(const char *s, size_t n, char *name, const char **idhex, unsigned char raw[64])
{
	const char *p1, *p2, *end = s + n;
	size_t rawlen = 0;

	p1 = memchr(s, '+', n);
	if (!p1 || !name_ok(s, (size_t)(p1 - s)))
		return -1;
	p2 = memchr(p1 + 1, '+', (size_t)(end - p1 - 1));
	if (!p2 || p2 - p1 - 1 != 8)
		return -1;
	if (b64dec(p2 + 1, (size_t)(end - p2 - 1), raw, 64, &rawlen) || rawlen != 33 ||
	    raw[0] != ALG_ED25519)
		return -1;
	memcpy(name, s, (size_t)(p1 - s));
	name[p1 - s] = '\0';
	*idhex = p1 + 1;
	return 0;
}

/* Parse "PRIVATE+KEY+name+id+b64" (s[0..n), no newline). */
static int parse_private(const char *s, size_t n, const char *path, struct ckpt_key *k,
			 struct uc_err *err)
{
	const char *idhex = NULL;
	unsigned char raw[64];
	size_t plen = strlen(PRIV_PREFIX);
	char want[9];
	int rc = UC_OK;

	memset(k, 0, sizeof(*k));
	if (n < plen || memcmp(s, PRIV_PREFIX, plen) != 0 ||
	    split_key(s + plen, n - plen, k->name, &idhex, raw))
		goto bad;
	crypto_sign_seed_keypair(k->pub, k->sk, raw + 1);
	key_id(k->name, k->pub, k->id);
	hexid(k->id, want);
	if (memcmp(want, idhex, 8) != 0) {
		rc = uc_error(err, UC_EINPUT,
			      "%s: the key id does not match the "
			      "key: the file is damaged",
			      path);
		goto out;
	}
	k->has_secret = 1;
	goto out;
bad:
	rc = uc_error(err, UC_EINPUT,
		      "%s: not an audit signing key (want PRIVATE+KEY+NAME+ID+KEY; "
		      "create one with `uctrack audit keygen --out FILE`)",
		      path);
out:
	sodium_memzero(raw, sizeof(raw));
	if (rc)
		ckpt_key_release(k);
	return rc;
}

static size_t trim_nl(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n;
}

int ckpt_key_load(const char *path, struct ckpt_key *k, struct uc_err *err)
{
	struct buf b;
	unsigned mode = 0;
	int rc;

	memset(k, 0, sizeof(*k));
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	buf_init(&b, 4096);
	rc = read_small(path, 1024, &b, &mode, err);
	if (!rc && (mode & 077))
		rc = uc_error(err, UC_EINPUT,
			      "signing key %s: readable by group or "
			      "others; chmod 600 it",
			      path);
	if (!rc)
		rc = parse_private(b.ptr ? b.ptr : "", trim_nl(b.ptr, b.len), path, k, err);
	if (b.ptr)
		sodium_memzero(b.ptr, b.len);
	buf_release(&b);
	return rc;
}

void ckpt_vkey_format(const struct ckpt_key *k, struct buf *out)
{
	unsigned char raw[33];
	char id[9];

	raw[0] = ALG_ED25519;
	memcpy(raw + 1, k->pub, 32);
	hexid(k->id, id);
	buf_addf(out, "%s+%s+", k->name, id);
	b64add(out, raw, sizeof(raw));
}

int ckpt_vkey_parse(const char *s, size_t len, struct ckpt_key *k, struct uc_err *err)
{
	const char *idhex = NULL;
	unsigned char raw[64];
	char want[9];

	memset(k, 0, sizeof(*k));
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	len = trim_nl(s, len);
	if (split_key(s, len, k->name, &idhex, raw))
		goto bad;
	memcpy(k->pub, raw + 1, 32);
	key_id(k->name, k->pub, k->id);
	hexid(k->id, want);
	if (memcmp(want, idhex, 8) != 0)
		return uc_error(err, UC_EINPUT,
				"verifier key %s: its key id does "
				"not match the key: the key was altered",
				k->name);
	return UC_OK;
bad:
	return uc_error(err, UC_EINPUT,
			"not a verifier key (want NAME+ID+BASE64 as printed by "
			"`uctrack audit keygen`)");
}

int ckpt_vkey_load(const char *path, struct ckpt_key *k, struct uc_err *err)
{
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	rc = read_small(path, 1024, &b, NULL, err);
	if (!rc && b.len >= strlen(PRIV_PREFIX) &&
	    memcmp(b.ptr, PRIV_PREFIX, strlen(PRIV_PREFIX)) == 0) {
		rc = ckpt_key_load(path, k, err);
		ckpt_key_release(k);
	} else if (!rc) {
		rc = ckpt_vkey_parse(b.ptr ? b.ptr : "", b.len, k, err);
		if (rc)
			rc = uc_error(err, UC_EINPUT, "%s: %s", path, err->msg);
	}
	if (b.ptr)
		sodium_memzero(b.ptr, b.len);
	buf_release(&b);
	return rc;
}

int ckpt_sign(const struct ckpt_key *k, const char *origin, uint64_t size,
	      const unsigned char root[MERKLE_HASH], struct buf *out, struct uc_err *err)
{
	unsigned char sig[4 + crypto_sign_BYTES];
	size_t start = out->len;

	if (!k->has_secret)
		BUG("ckpt_sign without a secret key");
	if (strlen(origin) > CKPT_NAME_MAX)
		return uc_error(err, UC_EINPUT, "checkpoint origin too long");
	for (const char *p = origin; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return uc_error(err, UC_EINPUT,
					"checkpoint origin has a "
					"control character");
	if (!*origin)
		return uc_error(err, UC_EINPUT, "checkpoint origin is empty");
	buf_addf(out, "%s\n%" PRIu64 "\n", origin, size);
	b64add(out, root, MERKLE_HASH);
	buf_addc(out, '\n');
	if (buf_failed(out))
		return uc_error(err, UC_ENOMEM, "checkpoint too large");
	memcpy(sig, k->id, 4);
	crypto_sign_detached(sig + 4, NULL, (const unsigned char *)out->ptr + start,
			     out->len - start, k->sk);
	buf_addf(out, "\n" EM_DASH "%s ", k->name);
	b64add(out, sig, sizeof(sig));
	buf_addc(out, '\n');
	if (buf_failed(out))
		return uc_error(err, UC_ENOMEM, "checkpoint too large");
	return UC_OK;
}

/* Parse a decimal uint64 without sign or leading zeros. */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int ckpt_parse_body(const char *text, size_t len, struct ckpt *out, struct uc_err *err)
{
	const char *p = text, *end = text + len, *nl;
	size_t n, rl = 0;
	int line = 0;

	memset(out, 0, sizeof(*out));
	if (len == 0 || text[len - 1] != '\n')
		return uc_error(err, UC_EINPUT,
				"checkpoint: the text must end "
				"with a newline");
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)(nl - p);
		line++;
		if (n == 0)
			return uc_error(err, UC_EINPUT,
					"checkpoint line %d: empty "
					"line inside the checkpoint text",
					line);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return uc_error(err, UC_EINPUT,
						"checkpoint line %d: "
						"control character",
						line);
		if (line == 1) {
			if (n > CKPT_NAME_MAX)
				return uc_error(err, UC_EINPUT,
						"checkpoint line 1: "
						"origin longer than %d bytes",
						CKPT_NAME_MAX);
			memcpy(out->origin, p, n);
			out->origin[n] = '\0';
		} else if (line == 2) {
			if (parse_u64(p, n, &out->size) || out->size > INT64_MAX)
				return uc_error(err, UC_EINPUT,
						"checkpoint line 2: "
						"tree size must be a decimal number");
		} else if (line == 3) {
			if (b64dec(p, n, out->root, sizeof(out->root), &rl) || rl != MERKLE_HASH)
				return uc_error(err, UC_EINPUT,
						"checkpoint line 3: "
						"root hash must be 32 bytes in base64");
		}
	}
	if (line < 3)
		return uc_error(err, UC_EINPUT,
				"checkpoint: want origin, tree size "
				"and root hash lines, got %d line(s)",
				line);
	return UC_OK;
}

int ckpt_open(const char *text, size_t len, const struct ckpt_key *vk, struct ckpt *out,
	      struct uc_err *err)
{
	const char *sigs, *p, *end = text + len, *nl;
	size_t tlen, dl = strlen(EM_DASH);
	int found = 0, bad = 0, nsig = 0, rc;
	char vid[9];

	memset(out, 0, sizeof(*out));
	if (len > CKPT_NOTE_MAX)
		return uc_error(err, UC_EINPUT, "checkpoint larger than %d bytes", CKPT_NOTE_MAX);
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	/* The signatures follow the last blank line. */
	tlen = 0;
	for (size_t i = len; i >= 2; i--) {
		if (text[i - 1] == '\n' && text[i - 2] == '\n') {
			tlen = i - 1;
			break;
		}
	}
	if (tlen == 0)
		return uc_error(err, UC_EINPUT,
				"checkpoint: no signature block (a "
				"blank line and signature lines must follow the text)");
	rc = ckpt_parse_body(text, tlen, out, err);
	if (rc)
		return rc;
	sigs = text + tlen + 1;
	if (sigs == end || end[-1] != '\n')
		return uc_error(err, UC_EINPUT,
				"checkpoint: the signature block is "
				"empty or does not end with a newline");
	for (p = sigs; p < end; p = nl + 1) {
		const char *name, *sp;
		unsigned char raw[256];
		size_t rl = 0;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (++nsig > SIGS_MAX)
			return uc_error(err, UC_EINPUT,
					"checkpoint: more than %d "
					"signatures",
					SIGS_MAX);
		if ((size_t)(nl - p) < dl || memcmp(p, EM_DASH, dl) != 0)
			return uc_error(err, UC_EINPUT,
					"checkpoint signature line %d: "
					"must start with an em dash and a space",
					nsig);
		name = p + dl;
		sp = memchr(name, ' ', (size_t)(nl - name));
		if (!sp || !name_ok(name, (size_t)(sp - name)) ||
		    b64dec(sp + 1, (size_t)(nl - sp - 1), raw, sizeof(raw), &rl) || rl < 5)
			return uc_error(err, UC_EINPUT,
					"checkpoint signature line %d: "
					"want NAME BASE64",
					nsig);
		if ((size_t)(sp - name) != strlen(vk->name) ||
		    memcmp(name, vk->name, (size_t)(sp - name)) != 0 || memcmp(raw, vk->id, 4) != 0)
			continue;
		if (rl == 4 + crypto_sign_BYTES &&
		    crypto_sign_verify_detached(raw + 4, (const unsigned char *)text, tlen,
						vk->pub) == 0)
			found = 1;
		else
			bad = 1;
	}
	hexid(vk->id, vid);
	if (found)
		return UC_OK;
	memset(out, 0, sizeof(*out));
	if (bad)
		return uc_error(err, UC_EINPUT,
				"checkpoint: the signature by key "
				"%s+%s does not verify: the checkpoint's text or "
				"signature was altered; do not trust it",
				vk->name, vid);
	return uc_error(err, UC_EINPUT,
			"checkpoint: not signed by key %s+%s "
			"(wrong verifier key, or a checkpoint of another log)",
			vk->name, vid);
}

int ckpt_verify_extends(const char *note, size_t len, const struct ckpt_key *vk,
			const struct ckpt *old, const unsigned char proof[][MERKLE_HASH], size_t np,
			struct ckpt *out, struct uc_err *err)
{
	int rc = ckpt_open(note, len, vk, out, err);

	if (rc || !old)
		return rc;
	if (out->size < old->size)
		return uc_error(err, UC_EINPUT,
				"checkpoint of size %" PRIu64 " is "
				"older than the one already seen (size %" PRIu64
				"): the log was truncated or forked",
				out->size, old->size);
	if (merkle_verify_consistency(old->size, out->size, proof, np, old->root, out->root) != 0)
		return uc_error(err, UC_EINPUT,
				"checkpoint of size %" PRIu64 " does "
				"not extend the one of size %" PRIu64 ": the log was "
				"rewritten (a fork)",
				out->size, old->size);
	return UC_OK;
}

int ckpt_verify_inclusion(const struct ckpt *c, uint64_t index,
			  const unsigned char leaf[MERKLE_HASH],
			  const unsigned char proof[][MERKLE_HASH], size_t np, struct uc_err *err)
{
	if (merkle_verify_inclusion(index, c->size, leaf, proof, np, c->root) != 0)
		return uc_error(err, UC_EINPUT,
				"leaf %" PRIu64 " is not in the "
				"checkpointed tree of size %" PRIu64 " by this proof",
				index, c->size);
	return UC_OK;
}
