#ifndef UC_LOOKUP_H
#define UC_LOOKUP_H
/*
 * lookup.h - EOIR code tables, read at run time from
 * lookup_tables_combined.csv (columns table_filename, value, description,
 * name, table). No EOIR code is compiled into uctrack.
 *
 * Usage:
 *
 *   struct lookup *lk = NULL;
 *   if (lookup_load(&lk, path, &err)) ...
 *   const char *d = lookup_get(lk, "tblLookupAlienNat", "HO", 2);  // "HONDURAS"
 *   const char *j = lookup_nth(lk, "tblLookup_Juvenile", 4);       // "UJ"
 *   lookup_free(lk);
 *
 * When a table lists a value twice, the descriptions are joined with
 * " / " so that a search in the description sees all of them.
 * Returned strings are owned by the lookup and live until lookup_free().
 */
#include <stddef.h>

#include "core/err.h"

struct lookup;

/* Load path. UC_EIO when unreadable, UC_EINPUT when malformed. */
int lookup_load(struct lookup **out, const char *path, struct uc_err *err);
/* Description of value in table, or NULL when the table lacks it. */
const char *lookup_get(const struct lookup *lk, const char *table, const char *value, size_t vlen);
/* Value at 1-based position n in table (file order), or NULL. */
const char *lookup_nth(const struct lookup *lk, const char *table, int n);
/* Number of entries loaded. */
size_t lookup_count(const struct lookup *lk);
void lookup_free(struct lookup *lk);

#endif
