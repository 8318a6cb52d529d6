#ifndef UC_ISO_H
#define UC_ISO_H
/*
 * iso.h - ISO reference names to codes (compiled-in, generated: see iso.c).
 *
 * Names are matched exactly after the caller upper-cases them (ASCII);
 * EOIR lookup descriptions are already upper case. Returned codes are
 * static strings; NULL when the name is not known.
 */

/* ISO 3166-1 alpha-2 code for a country name ("HONDURAS" -> "HN"). */
const char *iso_country_code(const char *name);
/* ISO 639-3 code for a language name ("SPANISH" -> "spa"). */
const char *iso_language_code(const char *name);
/* 1 if code is an ISO 3166-1 alpha-2 code in the table (linear scan). */
int iso_is_country(const char *code);

#endif
