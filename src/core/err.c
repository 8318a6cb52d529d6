#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int uc_verror(struct uc_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int uc_error(struct uc_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uc_verror(err, code, fmt, ap);
	va_end(ap);
	return code;
}

void uc_err_clear(struct uc_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int uc_err_exit_code(int code)
{
	switch (code) {
	case UC_OK:
		return 0;
	case UC_EINPUT:
	case UC_ENOTFOUND:
	case UC_ECONFLICT:
	case UC_EDENIED:
		return 1;
	case UC_EUSAGE:
		return 2;
	default:
		return 3;
	}
}

void uc_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *uc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		BUG("out of memory allocating %zu bytes", n);
	return p;
}

void *uc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		BUG("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *uc_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		BUG("out of memory reallocating to %zu bytes", n);
	return q;
}

char *uc_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = uc_xmalloc(n);

	memcpy(p, s, n);
	return p;
}
