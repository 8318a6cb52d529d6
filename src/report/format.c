/*
 * format.c - CSV, HTML and SVG output helpers (see format.h).
 */
#include "report/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void fmt_csv_cell(struct buf *b, const char *s)
{
	int quote = 0;

	if (!s)
		return;
	for (const char *p = s; *p; p++) {
		if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
			quote = 1;
	}
	if (quote)
		buf_addc(b, '"');
	if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
	    s[0] == '\r')
		buf_addc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_addc(b, '"');
		buf_addc(b, *p);
	}
	if (quote)
		buf_addc(b, '"');
}

void fmt_html_text(struct buf *b, const char *s)
{
	if (!s)
		return;
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			buf_addc(b, *p);
			break;
		}
	}
}

void fmt_thousands(struct buf *b, int64_t v)
{
	fmt_thousands_sep(b, v, ',');
}

void fmt_thousands_sep(struct buf *b, int64_t v, char sep)
{
	char digits[32];
	uint64_t u;
	int n;

	if (v < 0) {
		buf_addc(b, '-');
		u = (uint64_t)0 - (uint64_t)v;
	} else {
		u = (uint64_t)v;
	}
	n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf_addc(b, sep);
		buf_addc(b, digits[i]);
	}
}

void fmt_svg_bars(struct buf *b, const char *title, const struct fmt_bar *bars, int n,
		  const char *lang)
{
	const int label_w = 270, bar_w = 300, note_w = 110, row_h = 22, top = 28;
	double max = 0;
	int h = top + n * row_h + 8;

	for (int i = 0; i < n; i++) {
		if (!isnan(bars[i].value) && bars[i].value > max)
			max = bars[i].value;
	}
	buf_addf(b,
		 "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
		 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		 "font-family=\"sans-serif\" font-size=\"13\"",
		 label_w + bar_w + note_w, h, label_w + bar_w + note_w, h);
	if (lang && lang[0]) {
		buf_adds(b, " lang=\"");
		fmt_html_text(b, lang);
		buf_adds(b, "\"");
	}
	buf_adds(b, ">\n<title>");
	fmt_html_text(b, title);
	buf_adds(b, "</title>\n<desc>");
	for (int i = 0; i < n; i++) {
		const char *l = bars[i].label ? bars[i].label : "";

		while (*l == ' ')
			l++;
		if (i)
			buf_adds(b, "; ");
		fmt_html_text(b, l);
		buf_adds(b, ": ");
		fmt_html_text(b, bars[i].note);
	}
	buf_adds(b, "</desc>\n<text x=\"0\" y=\"16\" font-weight=\"bold\" "
		    "font-size=\"14\">");
	fmt_html_text(b, title);
	buf_adds(b, "</text>\n");
	for (int i = 0; i < n; i++) {
		int y = top + i * row_h;
		double v = bars[i].value;
		int w = 0;

		if (!isnan(v) && v > 0 && max > 0) {
			w = (int)lround(v / max * bar_w);
			if (w < 1)
				w = 1;
		}
		buf_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 6, y + 15);
		fmt_html_text(b, bars[i].label);
		buf_adds(b, "</text>");
		if (w > 0)
			buf_addf(b,
				 "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				 "fill=\"#3b6ea5\"/>",
				 label_w, y + 3, w, row_h - 6);
		else if (isnan(v))
			buf_addf(b,
				 "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				 "fill=\"none\" stroke=\"#999\" stroke-dasharray=\"3,3\"/>",
				 label_w, y + 3, 40, row_h - 6);
		buf_addf(b, "<text x=\"%d\" y=\"%d\">", label_w + w + 6, y + 15);
		fmt_html_text(b, bars[i].note);
		buf_adds(b, "</text>\n");
	}
	buf_adds(b, "</svg>\n");
}
