/*
 * fnorm.c - values: A-numbers, dates, UTF-8 text, codes.
 */
#include "ingest/fnorm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/date.h"

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

void fnorm_trim(const char **s, size_t *n)
{
	const char *p = *s;
	size_t len = *n;

	while (len > 0 && is_space((unsigned char)p[0])) {
		p++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)p[len - 1]))
		len--;
	*s = p;
	*n = len;
}

int fnorm_date(const char *s, size_t n, char out[11])
{
	int32_t d;

	fnorm_trim(&s, &n);
	if (n == 0)
		return FNORM_BLANK;
	if (date_parse(s, n, &d))
		return FNORM_BAD;
	date_format(d, out);
	return FNORM_OK;
}

int fnorm_date_strict(const char *s, size_t n, char out[11])
{
	fnorm_trim(&s, &n);
	if (n == 0)
		return FNORM_BLANK;
	if (n != 10)
		return FNORM_BAD;
	return fnorm_date(s, n, out);
}

long fnorm_utf8_invalid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;

		/* Fast path: runs of ASCII. */
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i),
				     &cp);
		if (k <= 0)
			return (long)i;
		i += (size_t)k;
	}
	return -1;
}

int fnorm_text(const char *s, size_t n, struct buf *out)
{
	int ascii = 1;
	size_t start = out->len;

	fnorm_trim(&s, &n);
	if (n == 0)
		return FNORM_BLANK;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80) {
			ascii = 0;
			break;
		}
	}
	if (ascii) {
		buf_add(out, s, n);
	} else {
		utf8proc_uint8_t *nfc = NULL;
		utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
						  &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);

		if (k < 0)
			buf_add(out, s, n); /* caller validated; keep as is */
		else
			buf_add(out, nfc, (size_t)k);
		free(nfc);
	}
	if (buf_failed(out))
		return FNORM_OK;
	/* Control characters (tabs, stray CRs) become spaces. */
	for (size_t i = start; i < out->len; i++) {
		unsigned char c = (unsigned char)out->ptr[i];

		if (c < 0x20 || c == 0x7f)
			out->ptr[i] = ' ';
	}
	return FNORM_OK;
}

int fnorm_enum(const char *s, size_t n, const char *const *allowed)
{
	for (int i = 0; allowed[i]; i++) {
		if (strlen(allowed[i]) == n && memcmp(allowed[i], s, n) == 0)
			return i;
	}
	return -1;
}

int fnorm_int(const char *s, size_t n, long long *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0;

	fnorm_trim(&s, &n);
	if (n == 0)
		return FNORM_BLANK;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n || n - i > 18)
		return FNORM_BAD;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return FNORM_BAD;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = neg ? -(long long)v : (long long)v;
	return FNORM_OK;
}

void fnorm_enum_list(const char *const *allowed, struct buf *out)
{
	for (int i = 0; allowed[i]; i++) {
		if (i)
			buf_adds(out, ", ");
		buf_adds(out, allowed[i][0] ? allowed[i] : "(blank)");
	}
}
