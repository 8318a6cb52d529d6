#ifndef UC_OFFICE_H
#define UC_OFFICE_H
/*
 * office.h - the field-office table: which ICE ERO field office (Area of
 * Responsibility) works a case, from the state and ZIP prefix of the
 * child's current address. It is configuration (rules/field_offices.csv,
 * documented in docs/triage.md), not code.
 *
 * File format: CSV with the header `state,zip3_from,zip3_to,office,name`;
 * `#` lines are comments. zip3_from/zip3_to (inclusive, 3 digits) narrow a
 * row to a ZIP prefix range inside the state; blank = the whole state. The
 * most specific matching row wins (a range beats a whole-state row).
 *
 *   struct office_table *ot = NULL;
 *   if (office_parse(&ot, "rules/field_offices.csv", text, len, &err)) ...
 *   const char *code = office_lookup(ot, ('T' << 8) | 'X', 770);  // "HOU"
 *   office_free(ot);
 *
 * office_lookup() returns OFFICE_NONE when nothing matches; the returned
 * string is owned by the table.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define OFFICE_NONE "UNASSIGNED"

struct office_table;

/* Parse text (a whole file); `file` names it in errors (file:line: ...). */
int office_parse(struct office_table **out, const char *file, const char *text, size_t len,
		 struct uc_err *err);
void office_free(struct office_table *t);
/* state: code2 (c0 << 8 | c1) or 0; zip3: 0..999 or -1 unknown. */
const char *office_lookup(const struct office_table *t, int32_t state, int zip3);
/* Number of rows. */
int office_count(const struct office_table *t);
/* 1 when code is one of the table's offices. */
int office_has(const struct office_table *t, const char *code);
/* The table's office codes, ", "-separated, appended to out. */
void office_codes(const struct office_table *t, struct buf *out);

#endif
