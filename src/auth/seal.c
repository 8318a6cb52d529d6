/*
 * seal.c - secretbox encryption of sensitive notes.
 */
#include "auth/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int seal_key_load(const char *path, unsigned char key[SEAL_KEY_BYTES], struct uc_err *err)
{
	unsigned char raw[130];
	struct stat sb;
	size_t n = 0, bin = 0;
	FILE *f = NULL;
	int rc = UC_OK;

	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	f = fopen(path, "rb");
	if (!f)
		return uc_error(err, UC_EIO, "key_file %s: %s", path, strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077)) {
		rc = uc_error(err, UC_EINPUT,
			      "key_file %s: readable by group or others; chmod 600 it", path);
		goto out;
	}
	n = fread(raw, 1, sizeof(raw), f);
	while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
		n--;
	if (n == SEAL_KEY_BYTES) {
		memcpy(key, raw, SEAL_KEY_BYTES);
	} else if (n == 2 * SEAL_KEY_BYTES &&
		   sodium_hex2bin(key, SEAL_KEY_BYTES, (const char *)raw, n, NULL, &bin, NULL) ==
		       0 &&
		   bin == SEAL_KEY_BYTES) {
		/* hex key */
	} else {
		rc = uc_error(err, UC_EINPUT,
			      "key_file %s: expected 32 raw bytes or 64 hex characters; "
			      "create one with `uctrack serve --new-key %s`",
			      path, path);
	}
out:
	sodium_memzero(raw, sizeof(raw));
	fclose(f);
	return rc;
}

int seal_key_create(const char *path, struct uc_err *err)
{
	unsigned char key[SEAL_KEY_BYTES];
	char hex[2 * SEAL_KEY_BYTES + 2];
	int fd, rc = UC_OK;

	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return uc_error(err, UC_EIO,
				"key_file %s: %s (an existing key is "
				"never overwritten)",
				path, strerror(errno));
	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	hex[2 * SEAL_KEY_BYTES] = '\n';
	if (write(fd, hex, 2 * SEAL_KEY_BYTES + 1) != 2 * SEAL_KEY_BYTES + 1)
		rc = uc_error(err, UC_EIO, "key_file %s: write failed", path);
	if (close(fd) != 0 && !rc)
		rc = uc_error(err, UC_EIO, "key_file %s: %s", path, strerror(errno));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

int seal_is_sealed(const char *s)
{
	return s && strncmp(s, SEAL_PREFIX, strlen(SEAL_PREFIX)) == 0;
}

int seal_note(const unsigned char key[SEAL_KEY_BYTES], const char *plain, char **out,
	      struct uc_err *err)
{
	size_t n = strlen(plain);
	size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	size_t plen = strlen(SEAL_PREFIX);
	size_t b64 = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	unsigned char *box = uc_xmalloc(blen);
	char *s = uc_xmalloc(plen + b64);

	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n,
			      box, key);
	memcpy(s, SEAL_PREFIX, plen);
	sodium_bin2base64(s + plen, b64, box, blen, sodium_base64_VARIANT_ORIGINAL);
	free(box);
	*out = s;
	(void)err;
	return UC_OK;
}

int seal_note_det(const unsigned char key[SEAL_KEY_BYTES], const char *plain, char **out,
		  struct uc_err *err)
{
	size_t n = strlen(plain);
	size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	size_t plen = strlen(SEAL_PREFIX);
	size_t b64 = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	unsigned char sub[crypto_generichash_KEYBYTES];
	unsigned char *box;
	char *s;

	*out = NULL;
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	/* A subkey for the nonces: the secretbox key itself is used only by
	 * secretbox. */
	if (crypto_kdf_derive_from_key(sub, sizeof(sub), 1, "ucnonce1", key) != 0)
		return uc_error(err, UC_EINTERNAL, "cannot derive the nonce key");
	box = uc_xmalloc(blen);
	s = uc_xmalloc(plen + b64);
	crypto_generichash(box, crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n, sub,
			   sizeof(sub));
	sodium_memzero(sub, sizeof(sub));
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n,
			      box, key);
	memcpy(s, SEAL_PREFIX, plen);
	sodium_bin2base64(s + plen, b64, box, blen, sodium_base64_VARIANT_ORIGINAL);
	free(box);
	*out = s;
	return UC_OK;
}

int seal_open(const unsigned char key[SEAL_KEY_BYTES], const char *sealed, char **out,
	      struct uc_err *err)
{
	size_t plen = strlen(SEAL_PREFIX), slen, blen = 0;
	unsigned char *box = NULL;
	char *plain = NULL;
	int rc = UC_OK;

	*out = NULL;
	if (!seal_is_sealed(sealed))
		return uc_error(err, UC_EINPUT, "note is not sealed");
	slen = strlen(sealed + plen);
	box = uc_xmalloc(slen + 1);
	if (sodium_base642bin(box, slen + 1, sealed + plen, slen, NULL, &blen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		rc = uc_error(err, UC_EINPUT, "sealed note is malformed");
		goto out;
	}
	plain = uc_xmalloc(blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES + 1);
	if (crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
				       blen - crypto_secretbox_NONCEBYTES, box, key) != 0) {
		rc = uc_error(err, UC_EINPUT,
			      "sealed note does not decrypt: wrong key_file or tampered note");
		goto out;
	}
	plain[blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES] = '\0';
	*out = plain;
	plain = NULL;
out:
	free(box);
	free(plain);
	return rc;
}
