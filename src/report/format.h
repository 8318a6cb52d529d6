#ifndef UC_REPORT_FORMAT_H
#define UC_REPORT_FORMAT_H
/*
 * format.h - the report module's output helpers: formula-safe CSV cells,
 * HTML escaping and inline SVG bar charts. All append to a struct buf and
 * rely on its sticky error (check buf_failed() once at the end).
 */
#include <stdint.h>

#include "core/buf.h"

/*
 * Append one CSV field (RFC 4180). A field that a spreadsheet would treat
 * as a formula (first character = + - @ TAB or CR) is prefixed with a
 * single quote; a field with a comma, quote, CR or LF is quoted, quotes
 * doubled. s may be NULL (empty field).
 */
void fmt_csv_cell(struct buf *b, const char *s);

/* Append s with & < > " ' escaped for HTML text and attribute values. */
void fmt_html_text(struct buf *b, const char *s);

/* One bar of a chart. */
struct fmt_bar {
	const char *label; /* bar label; borrowed */
	double value;	   /* bar length in data units; NaN or < 0: no bar */
	const char *note;  /* text after the bar (e.g. "1,234" or "suppressed");
			    * borrowed */
};

/*
 * Append an inline <svg> horizontal bar chart with a title, n bars scaled
 * to the largest value. Text is escaped; the SVG references nothing
 * outside itself. For screen readers it is role="img" named by its
 * <title>, and its <desc> lists every bar ("label: note; ..."). lang (NULL:
 * none) becomes the root's lang attribute.
 */
void fmt_svg_bars(struct buf *b, const char *title, const struct fmt_bar *bars, int n,
		  const char *lang);

/* Append an integer with thousands separators ("1,234,567"). */
void fmt_thousands(struct buf *b, int64_t v);
/* The same with sep as the separator ('.' in Spanish: "1.234.567"). */
void fmt_thousands_sep(struct buf *b, int64_t v, char sep);

#endif
