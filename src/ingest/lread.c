/*
 * lread.c - bounded line reader with a running SHA-256.
 */
#include "ingest/lread.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LREAD_CHUNK (1u << 20)

/* A fresh SHA-256 state; out of memory is fatal, as for uc_xmalloc(). */
static EVP_MD_CTX *sha_new(void)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		BUG("out of memory (SHA-256 state)");
	return c;
}

int lread_open(struct lread *lr, const char *path, size_t max_line, struct uc_err *err)
{
	struct stat sb;

	memset(lr, 0, sizeof(*lr));
	lr->fd = -1;
	lr->path = path;
	lr->max_line = max_line;
	lr->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (lr->fd < 0)
		return uc_error(err, UC_EIO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(lr->fd, &sb) == 0)
		lr->file_size = (uint64_t)sb.st_size;
	/* Room for the longest line, a whole chunk after it, and a NUL. */
	lr->size = max_line + LREAD_CHUNK + 2;
	lr->buf = uc_xmalloc(lr->size);
	lr->sha = sha_new();
	return UC_OK;
}

void lread_open_mem(struct lread *lr, const char *name, const void *data, size_t len,
		    size_t max_line)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = -1;
	lr->path = name;
	lr->max_line = max_line;
	lr->size = len + 2;
	lr->buf = uc_xmalloc(lr->size);
	if (len)
		memcpy(lr->buf, data, len);
	lr->end = len;
	lr->eof = 1;
	lr->file_size = len;
	lr->bytes = len;
	lr->sha = sha_new();
	EVP_DigestUpdate(lr->sha, data, len);
}

/* Move unconsumed bytes to the front and read more; 0 ok, -1 I/O error. */
static int fill(struct lread *lr, struct uc_err *err)
{
	ssize_t got;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	if (lr->eof || lr->fd < 0 || lr->end >= lr->size - 2)
		return 0;
	do {
		got = read(lr->fd, lr->buf + lr->end, lr->size - 2 - lr->end);
	} while (got < 0 && errno == EINTR);
	if (got < 0)
		return uc_error(err, UC_EIO, "%s: read: %s", lr->path, strerror(errno));
	if (got == 0)
		lr->eof = 1;
	EVP_DigestUpdate(lr->sha, lr->buf + lr->end, (size_t)got);
	lr->end += (size_t)got;
	lr->bytes += (uint64_t)got;
	return 0;
}

/* Line 1: note a byte-order mark, and skip a UTF-8 one. */
static void bom_check(struct lread *lr, char **line, size_t *n)
{
	const unsigned char *u = (const unsigned char *)*line;

	if (lr->lineno != 1)
		return;
	if (*n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		lr->bom = LREAD_BOM_UTF8;
		*line += 3;
		*n -= 3;
	} else if (*n >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		lr->bom = LREAD_BOM_UTF16LE;
	} else if (*n >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
		lr->bom = LREAD_BOM_UTF16BE;
	}
}

int lread_next(struct lread *lr, char **line, size_t *n, int *nl, struct uc_err *err)
{
	int skipping = 0;

	for (;;) {
		char *p = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		char *q = memchr(p, '\n', avail);

		if (q) {
			size_t len = (size_t)(q - p);

			lr->start += len + 1;
			if (skipping || len > lr->max_line) {
				/* lineno already counts this line when skipping */
				if (!skipping)
					lr->lineno++;
				return LREAD_LONG;
			}
			lr->lineno++;
			*q = '\0';
			*line = p;
			*n = len;
			*nl = 1;
			bom_check(lr, line, n);
			return LREAD_LINE;
		}
		if (avail > lr->max_line && !skipping) {
			/* Overlong: report once, drop what we have, skip to '\n'. */
			skipping = 1;
			lr->lineno++;
		}
		if (skipping) {
			lr->start = lr->end;
		}
		if (lr->eof || lr->fd < 0) {
			if (skipping)
				return LREAD_LONG;
			if (avail == 0)
				return LREAD_EOF;
			lr->start = lr->end;
			lr->lineno++;
			p[avail] = '\0';
			*line = p;
			*n = avail;
			*nl = 0;
			bom_check(lr, line, n);
			return LREAD_LINE;
		}
		if (fill(lr, err))
			return LREAD_IOERR;
	}
}

void lread_sha256_hex(struct lread *lr, char hex[65])
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(lr->sha, h, &n);
	sodium_bin2hex(hex, 65, h, 32);
}

void lread_close(struct lread *lr)
{
	if (lr->fd >= 0)
		close(lr->fd);
	lr->fd = -1;
	free(lr->buf);
	lr->buf = NULL;
	EVP_MD_CTX_free(lr->sha);
	lr->sha = NULL;
}
