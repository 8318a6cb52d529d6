#ifndef UC_BUF_H
#define UC_BUF_H
/*
 * buf.h - the one growable byte buffer, always with a size cap.
 *
 * Usage:
 *
 *   struct buf b;
 *   buf_init(&b, 1 << 20);          // never grows beyond 1 MiB
 *   buf_add(&b, "abc", 3);
 *   buf_addf(&b, "%d rows", n);
 *   if (buf_failed(&b)) ...          // sticky: first failure recorded
 *   use(b.ptr, b.len);               // ptr is NUL-terminated when len > 0
 *   buf_release(&b);
 *
 * Appends after a failure are ignored (sticky error, as in SQLite's
 * StrAccum), so a builder checks once at the end. buf_release() frees the
 * memory and leaves the buffer empty and reusable with the same cap.
 */
#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *ptr;    /* contents, NUL-terminated when alloc > 0; owned */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* maximum len; appends beyond it fail */
	int failed;   /* sticky: nonzero once an append hit the cap */
};

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
/* Empty the buffer (keeps memory) and clear the sticky failure. */
void buf_reset(struct buf *b);
/* Append; return 0, or -1 (and set failed) when the cap would be exceeded. */
int buf_add(struct buf *b, const void *data, size_t n);
int buf_addc(struct buf *b, char c);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Make room for n more bytes; return 0 or -1 at the cap. */
int buf_grow(struct buf *b, size_t n);
static inline int buf_failed(const struct buf *b)
{
	return b->failed;
}
/* Take ownership of the contents (a NUL-terminated string, never NULL);
 * the buffer is left empty. The caller frees the result. */
char *buf_detach(struct buf *b, size_t *len);

#endif
