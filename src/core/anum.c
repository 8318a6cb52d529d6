/*
 * anum.c - A-numbers: parse, value, format (anum.h).
 */
#include "core/anum.h"

#include <string.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

int anum_parse(const char *s, size_t n, char out[10])
{
	char d[9];
	int nd = 0;
	size_t i = 0;

	while (n > 0 && is_space(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n == 0)
		return ANUM_BLANK;
	if (s[0] == 'A' || s[0] == 'a') {
		i = 1;
		if (i < n && (s[i] == '-' || s[i] == ' '))
			i++;
	}
	for (; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			if (nd == 9)
				return ANUM_BAD;
			d[nd++] = c;
		} else if ((c == '-' || c == ' ') && nd > 0 && i + 1 < n && s[i + 1] >= '0' &&
			   s[i + 1] <= '9') {
			continue;
		} else {
			return ANUM_BAD;
		}
	}
	if (nd < 8)
		return ANUM_BAD;
	if (nd == 8) {
		out[0] = '0';
		memcpy(out + 1, d, 8);
	} else {
		memcpy(out, d, 9);
	}
	out[9] = '\0';
	return ANUM_OK;
}

int64_t anum_value(const char *s)
{
	char d[10];
	int64_t v = 0;

	if (!s || anum_parse(s, strlen(s), d) != ANUM_OK)
		return -1;
	for (int i = 0; i < 9; i++)
		v = v * 10 + (d[i] - '0');
	return v;
}

void anum_format(int64_t v, char out[10])
{
	for (int i = 8; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[9] = '\0';
}
