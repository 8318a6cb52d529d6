#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

void buf_init(struct buf *b, size_t cap)
{
	b->ptr = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
	b->failed = 0;
}

void buf_release(struct buf *b)
{
	free(b->ptr);
	buf_init(b, b->cap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

int buf_grow(struct buf *b, size_t n)
{
	size_t want;

	if (b->failed)
		return -1;
	if (n > b->cap || b->len > b->cap - n) {
		b->failed = 1;
		return -1;
	}
	want = b->len + n + 1;
	if (want <= b->alloc)
		return 0;
	if (want < b->alloc * 2)
		want = b->alloc * 2;
	if (want < 64)
		want = 64;
	b->ptr = uc_xrealloc(b->ptr, want);
	b->alloc = want;
	return 0;
}

int buf_add(struct buf *b, const void *data, size_t n)
{
	if (buf_grow(b, n))
		return -1;
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->failed)
		return -1;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->failed = 1;
		return -1;
	}
	if (buf_grow(b, (size_t)n))
		return -1;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = b->ptr;

	if (!p)
		p = uc_xstrdup("");
	if (len)
		*len = b->len;
	buf_init(b, b->cap);
	return p;
}
