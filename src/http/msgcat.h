#ifndef UC_HTTP_MSGCAT_H
#define UC_HTTP_MSGCAT_H
/*
 * msgcat.h - the server's words that users read (problem titles and the
 * details of the refusals people meet in the UI) in other languages.
 * English stays the language of the code and the log; a problem is
 * translated just before it is sent, when the request asks for Spanish
 * (Accept-Language: es..., docs/api.md "Languages").
 *
 * The catalogue pairs an English pattern with its translation. In a
 * pattern, "{}" matches any text (shortest first); in the translation
 * "{1}".."{4}" put back what the pattern's first to fourth "{}" matched,
 * itself translated when the catalogue has that text as a word (role
 * names, e.g. "officer" -> "agente"). A message with no entry is sent as
 * it is, in English.
 *
 * Usage:
 *
 *   char out[MSGCAT_MAX];
 *   const char *d = msgcat_translate("es", err->msg, out, sizeof(out));
 *   // d is out (translated) or err->msg (no entry, or lang not served)
 *
 * Thread safety: the catalogue is constant; any thread may call.
 */
#include <stddef.h>

#define MSGCAT_MAX 1024 /* a translated message is cut at this many bytes */

/*
 * msg in lang ("es"; NULL, "" or "en": English, msg itself). Returns out
 * holding the translation (NUL-terminated, cut to cap - 1 bytes on a UTF-8
 * boundary) when the catalogue has an entry for msg, else msg. out is the
 * caller's, cap > 0.
 */
const char *msgcat_translate(const char *lang, const char *msg, char *out, size_t cap);

/* The catalogue's own check (unit tests): every translation names only
 * matches its pattern has, at most MSGCAT_CAPS of them, and is not empty.
 * 0, or -1 with *bad the first wrong entry's pattern. */
int msgcat_check(const char **bad);

#endif
