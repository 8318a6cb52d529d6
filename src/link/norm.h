#ifndef UC_LINK_NORM_H
#define UC_LINK_NORM_H
/*
 * norm.h - name normalisation and a Spanish-suited phonetic key.
 *
 * Contract. norm_name() turns a name as an agency recorded it (any case,
 * accents or not, punctuation, particles) into a sequence of tokens:
 *
 *   - Unicode case folding and compatibility decomposition (utf8proc), then
 *     combining marks stripped: "Peña" -> PENA, "MEJÍA" -> MEJIA;
 *   - ASCII letters upper-cased; letters outside ASCII are kept case-folded;
 *   - apostrophes join ("O'Brien" -> OBRIEN); every other non-letter,
 *     non-digit (space, hyphen, dot, comma, ...) separates tokens, so a
 *     hyphen-joined double surname "Mejía-López" gives MEJIA LOPEZ;
 *   - particles DE, DEL, LA, LAS, LOS, Y, E, DA, DAS, DO, DOS, DI, DU, VAN,
 *     VON are dropped ("de la Cruz" -> CRUZ) unless nothing else remains.
 *
 * The result never exceeds NORM_MAX_LEN - 1 bytes nor NORM_MAX_TOK tokens
 * (excess is dropped silently: names are never that long). Invalid UTF-8
 * bytes act as separators: normalisation is total and never fails.
 *
 * norm_phon() gives a phonetic key for one token, built for Spanish
 * spelling variation: H silent (not in CH), V=B, Z=S, C before E/I = S,
 * C/Q/K = K, G before E/I = J, X = J, LL = Y, GU/QU before E/I drop U,
 * Y as a vowel = I, a leading vowel = A, doubled letters collapsed, at
 * most NORM_PHON_MAX - 1 characters. Inner vowels are kept: with them
 * short given names stay apart (JOSE, JESUS).
 * "GONZALEZ" and "GONSALES" -> GONSALES; "JIMENEZ", "XIMENES", "GIMENEZ"
 * -> JIMENES; "HERNANDEZ", "ERNANDES" -> ARNANDES.
 *
 * Usage:
 *
 *   struct norm_name n;
 *   norm_name("María de la Luz", (size_t)-1, &n);   // n.s = "MARIA LUZ"
 *   for (int i = 0; i < n.ntok; i++) use(n.s + n.off[i], n.len[i]);
 *   char k[NORM_PHON_MAX];
 *   norm_phon(n.s + n.off[0], n.len[0], k);
 *
 * All functions are pure and thread-safe; no allocation.
 */
#include <stddef.h>
#include <stdint.h>

#define NORM_MAX_LEN 128
#define NORM_MAX_TOK 8
#define NORM_PHON_MAX 12

struct norm_name {
	char s[NORM_MAX_LEN];	   /* tokens joined by single spaces, NUL-terminated */
	uint8_t ntok;		   /* number of tokens (0 for a blank name) */
	uint8_t off[NORM_MAX_TOK]; /* byte offset of each token in s */
	uint8_t len[NORM_MAX_TOK]; /* byte length of each token */
};

/* Normalise in[0..len) (len (size_t)-1: NUL-terminated; in may be NULL
 * for a blank name) into *out. Never fails. */
void norm_name(const char *in, size_t len, struct norm_name *out);

/* Phonetic key of tok[0..len) (an already normalised token) into out,
 * NUL-terminated; returns its length (0 for an empty token). */
size_t norm_phon(const char *tok, size_t len, char out[NORM_PHON_MAX]);

/* The tokens of n joined without spaces into out (cap bytes incl. NUL);
 * returns the length. "MEJIA LOPEZ" -> "MEJIALOPEZ". */
size_t norm_joined(const struct norm_name *n, char *out, size_t cap);

/* Rebuild *out from s[0..len), a string norm_name() produced (tokens
 * separated by single spaces): no folding, no particle removal. */
void norm_split(const char *s, size_t len, struct norm_name *out);

/* 1 if tok[0..len) is a particle that norm_name() drops. */
int norm_is_particle(const char *tok, size_t len);

#endif
