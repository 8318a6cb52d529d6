/*
 * norm.c - name normalisation (utf8proc) and the phonetic key.
 */
#include "link/norm.h"

#include <string.h>
#include <utf8proc.h>

static const char *const particles[] = {
    "DE", "DEL", "LA", "LAS", "LOS", "Y", "E", "DA", "DAS", "DO", "DOS", "DI", "DU", "VAN", "VON",
};

int norm_is_particle(const char *tok, size_t len)
{
	for (size_t i = 0; i < sizeof(particles) / sizeof(particles[0]); i++) {
		if (strlen(particles[i]) == len && memcmp(particles[i], tok, len) == 0)
			return 1;
	}
	return 0;
}

/* Token builder: raw tokens before particle removal. */
struct tokb {
	char s[NORM_MAX_LEN];	    /* bytes of all tokens, space separated */
	size_t len;		    /* bytes used in s */
	int ntok;		    /* tokens started */
	uint8_t off[NORM_MAX_TOK];  /* token offsets */
	uint8_t tlen[NORM_MAX_TOK]; /* token lengths */
	int in_tok;		    /* currently inside a token */
};

static void tok_sep(struct tokb *t)
{
	t->in_tok = 0;
}

/* Append n bytes of a letter or digit to the current token. */
static void tok_add(struct tokb *t, const char *p, size_t n)
{
	if (!t->in_tok) {
		size_t need = (t->ntok ? 1 : 0) + n;

		if (t->ntok >= NORM_MAX_TOK || t->len + need >= NORM_MAX_LEN)
			return;
		if (t->ntok)
			t->s[t->len++] = ' ';
		t->off[t->ntok] = (uint8_t)t->len;
		t->tlen[t->ntok] = 0;
		t->ntok++;
		t->in_tok = 1;
	}
	if (t->len + n >= NORM_MAX_LEN)
		return;
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->tlen[t->ntok - 1] = (uint8_t)(t->tlen[t->ntok - 1] + n);
}

/* One code point (already folded, marks stripped) into the builder. */
static void tok_cp(struct tokb *t, utf8proc_int32_t cp)
{
	if (cp < 0x80) {
		char c = (char)cp;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			tok_add(t, &c, 1);
		else if (c != '\'')
			tok_sep(t);
		return;
	}
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND: {
		utf8proc_uint8_t enc[4];
		utf8proc_ssize_t n = utf8proc_encode_char(cp, enc);

		if (n > 0)
			tok_add(t, (const char *)enc, (size_t)n);
		return;
	}
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return; /* a mark utf8proc left in place: drop it */
	default:
		break;
	}
	/* Right single quotation mark and modifier apostrophes join. */
	if (cp == 0x2019 || cp == 0x02BC || cp == 0x2018 || cp == 0x0060 || cp == 0x00B4)
		return;
	tok_sep(t);
}

void norm_name(const char *in, size_t len, struct norm_name *out)
{
	struct tokb t;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)in;
	size_t i = 0;
	int keep = 0;

	memset(&t, 0, sizeof(t));
	memset(out, 0, sizeof(*out));
	if (!in)
		len = 0;
	else if (len == (size_t)-1)
		len = strlen(in);
	while (i < len) {
		utf8proc_int32_t cp, dec[8];
		utf8proc_ssize_t n, nd;
		int opts =
		    UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE;
		int last = 0;

		if (p[i] < 0x80) {
			tok_cp(&t, p[i]);
			i++;
			continue;
		}
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0) {
			tok_sep(&t); /* invalid byte: a separator */
			i++;
			continue;
		}
		i += (size_t)n;
		nd = utf8proc_decompose_char(cp, dec, 8, (utf8proc_option_t)opts, &last);
		if (nd < 0 || nd > 8) {
			tok_sep(&t);
			continue;
		}
		for (utf8proc_ssize_t k = 0; k < nd; k++)
			tok_cp(&t, dec[k]);
	}
	/* Drop particles unless the name is nothing but particles. */
	for (int k = 0; k < t.ntok; k++) {
		if (!norm_is_particle(t.s + t.off[k], t.tlen[k]))
			keep++;
	}
	for (int k = 0; k < t.ntok; k++) {
		size_t o = strlen(out->s);

		if (t.tlen[k] == 0)
			continue;
		if (keep && norm_is_particle(t.s + t.off[k], t.tlen[k]))
			continue;
		if (out->ntok)
			out->s[o++] = ' ';
		out->off[out->ntok] = (uint8_t)o;
		out->len[out->ntok] = t.tlen[k];
		memcpy(out->s + o, t.s + t.off[k], t.tlen[k]);
		out->s[o + t.tlen[k]] = '\0';
		out->ntok++;
	}
}

size_t norm_joined(const struct norm_name *n, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return 0;
	for (int k = 0; k < n->ntok; k++) {
		size_t l = n->len[k];

		if (o + l >= cap)
			l = cap - 1 - o;
		memcpy(out + o, n->s + n->off[k], l);
		o += l;
	}
	out[o] = '\0';
	return o;
}

static int is_vowel(char c)
{
	return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

size_t norm_phon(const char *tok, size_t len, char out[NORM_PHON_MAX])
{
	char m[NORM_MAX_LEN];
	size_t n = 0, o = 0;

	/* Map each letter to its sound class; vowels stay as 'V' markers. */
	for (size_t i = 0; i < len && n < sizeof(m) - 1; i++) {
		char c = tok[i], nx = i + 1 < len ? tok[i + 1] : 0;
		char nx2 = i + 2 < len ? tok[i + 2] : 0;
		char s;

		if (c < 'A' || c > 'Z')
			continue; /* digits and non-ASCII letters carry no sound here */
		switch (c) {
		case 'H':
			continue;
		case 'V':
		case 'W':
			s = 'B';
			break;
		case 'Z':
			s = 'S';
			break;
		case 'C':
			if (nx == 'H') {
				s = 'C'; /* CH keeps its own class */
				i++;
			} else if (nx == 'E' || nx == 'I') {
				s = 'S';
			} else {
				s = 'K';
			}
			break;
		case 'Q':
			s = 'K';
			if (nx == 'U' && (nx2 == 'E' || nx2 == 'I'))
				i++;
			break;
		case 'G':
			if (nx == 'E' || nx == 'I') {
				s = 'J';
			} else {
				s = 'G';
				if (nx == 'U' && (nx2 == 'E' || nx2 == 'I'))
					i++;
			}
			break;
		case 'X':
			s = 'J';
			break;
		case 'L':
			s = 'L';
			if (nx == 'L') {
				s = 'Y';
				i++;
			}
			break;
		case 'Y':
			/* Y before a consonant or at the end is the vowel I. */
			s = (nx && !is_vowel(nx)) || !nx ? (n == 0 ? 'A' : 'I') : 'Y';
			break;
		default:
			/* A leading vowel is 'A'; inner vowels keep their own
			 * letter (names differ by them), I and Y alike. */
			s = is_vowel(c) && n == 0 ? 'A' : c;
			break;
		}
		m[n++] = s;
	}
	for (size_t i = 0; i < n && o < NORM_PHON_MAX - 1; i++) {
		char s = m[i];

		if (o > 0 && out[o - 1] == s)
			continue;
		out[o++] = s;
	}
	out[o] = '\0';
	return o;
}

void norm_split(const char *s, size_t len, struct norm_name *out)
{
	size_t i = 0;

	out->ntok = 0;
	if (len >= NORM_MAX_LEN)
		len = NORM_MAX_LEN - 1;
	memcpy(out->s, s, len);
	out->s[len] = '\0';
	while (i < len && out->ntok < NORM_MAX_TOK) {
		size_t j = i;

		while (j < len && out->s[j] != ' ')
			j++;
		if (j > i) {
			out->off[out->ntok] = (uint8_t)i;
			out->len[out->ntok] = (uint8_t)(j - i);
			out->ntok++;
		}
		i = j + 1;
	}
}
