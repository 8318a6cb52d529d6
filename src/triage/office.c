/*
 * office.c - field-office table (office.h).
 */
#include "triage/office.h"
#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

struct office_row {
	int32_t state; /* code2 */
	int from, to;  /* ZIP3 range, -1 = whole state */
	char code[16]; /* office code, e.g. HOU */
};

#define NSTATES (26 * 26)

struct office_table {
	struct office_row *rows; /* owned */
	int n, cap;		 /* used / allocated */
	int16_t *zipmap;	 /* [state][zip3] -> row + 1, 0 none; owned */
	int16_t whole[NSTATES];	 /* state -> whole-state row + 1, 0 none */
};

static int state_ix(int32_t code)
{
	int a = (code >> 8) - 'A', b = (code & 0xff) - 'A';

	if (a < 0 || a >= 26 || b < 0 || b >= 26)
		return -1;
	return a * 26 + b;
}

/* Precompute O(1) lookups; the first matching row wins, as documented. */
static void build_map(struct office_table *t)
{
	t->zipmap = uc_xcalloc((size_t)NSTATES * 1000, sizeof(*t->zipmap));
	for (int i = 0; i < t->n; i++) {
		const struct office_row *r = &t->rows[i];
		int s = state_ix(r->state);

		if (s < 0)
			continue;
		if (r->from < 0) {
			if (!t->whole[s])
				t->whole[s] = (int16_t)(i + 1);
			continue;
		}
		for (int z = r->from; z <= r->to; z++)
			if (!t->zipmap[s * 1000 + z])
				t->zipmap[s * 1000 + z] = (int16_t)(i + 1);
	}
}

static int field(const char **p, const char *end, char *out, size_t n)
{
	size_t k = 0;

	while (*p < end && **p != ',' && **p != '\n' && **p != '\r') {
		if (**p == '"')
			return -1;
		if (k + 1 < n)
			out[k++] = **p;
		else
			return -1;
		(*p)++;
	}
	out[k] = '\0';
	if (*p < end && **p == ',')
		(*p)++;
	return 0;
}

static int zip3(const char *s, int *out)
{
	if (!*s) {
		*out = -1;
		return 0;
	}
	if (strlen(s) != 3 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
	    s[2] > '9')
		return -1;
	*out = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	return 0;
}

int office_parse(struct office_table **out, const char *file, const char *text, size_t len,
		 struct uc_err *err)
{
	struct office_table *t = uc_xcalloc(1, sizeof(*t));
	const char *p = text, *end = text + len;
	int line = 0, rc = UC_OK, header = 0;

	*out = NULL;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		char st[8], f[8], to[8], code[16], name[128];

		line++;
		if (le == p || *p == '#' || (le - p == 1 && *p == '\r')) {
			p = eol ? eol + 1 : end;
			continue;
		}
		if (!header) {
			static const char hdr[] = "state,zip3_from,zip3_to,office,name";
			size_t hl = sizeof(hdr) - 1, ll = (size_t)(le - p);

			if (ll && p[ll - 1] == '\r')
				ll--;
			if (ll != hl || memcmp(p, hdr, hl) != 0) {
				rc = uc_error(err, UC_EINPUT,
					      "%s:%d: expected the header "
					      "'state,zip3_from,zip3_to,office,name'",
					      file, line);
				goto out;
			}
			header = 1;
			p = eol ? eol + 1 : end;
			continue;
		}
		struct office_row r;
		if (field(&p, le, st, sizeof(st)) || field(&p, le, f, sizeof(f)) ||
		    field(&p, le, to, sizeof(to)) || field(&p, le, code, sizeof(code)) ||
		    field(&p, le, name, sizeof(name)) || strlen(st) != 2 || st[0] < 'A' ||
		    st[0] > 'Z' || st[1] < 'A' || st[1] > 'Z' || !code[0] || zip3(f, &r.from) ||
		    zip3(to, &r.to) || ((r.from < 0) != (r.to < 0)) || r.from > r.to) {
			rc = uc_error(err, UC_EINPUT,
				      "%s:%d: expected STATE(2 upper-case "
				      "letters),ZIP3_FROM,ZIP3_TO,OFFICE,NAME "
				      "with both ZIP3 bounds (3 digits) or neither",
				      file, line);
			goto out;
		}
		r.state = (st[0] << 8) | st[1];
		memcpy(r.code, code, sizeof(r.code));
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->rows = uc_xrealloc(t->rows, (size_t)t->cap * sizeof(*t->rows));
		}
		t->rows[t->n++] = r;
		p = eol ? eol + 1 : end;
	}
	if (!header) {
		rc = uc_error(err, UC_EINPUT,
			      "%s: empty field-office table; expected a header "
			      "'state,zip3_from,zip3_to,office,name' and rows",
			      file);
		goto out;
	}
	if (t->n > 30000) {
		rc = uc_error(err, UC_EINPUT, "%s: more than 30000 rows; is it the right file?",
			      file);
		goto out;
	}
	build_map(t);
	*out = t;
	t = NULL;
out:
	office_free(t);
	return rc;
}

void office_free(struct office_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->zipmap);
	free(t);
}

const char *office_lookup(const struct office_table *t, int32_t state, int zip)
{
	int s = state_ix(state), r = 0;

	if (!t || s < 0)
		return OFFICE_NONE;
	if (zip >= 0 && zip < 1000)
		r = t->zipmap[s * 1000 + zip];
	if (!r)
		r = t->whole[s];
	return r ? t->rows[r - 1].code : OFFICE_NONE;
}

int office_count(const struct office_table *t)
{
	return t ? t->n : 0;
}

int office_has(const struct office_table *t, const char *code)
{
	for (int i = 0; t && code && i < t->n; i++)
		if (strcmp(t->rows[i].code, code) == 0)
			return 1;
	return 0;
}

void office_codes(const struct office_table *t, struct buf *out)
{
	for (int i = 0; t && i < t->n; i++) {
		int seen = 0;

		for (int j = 0; j < i && !seen; j++)
			seen = strcmp(t->rows[j].code, t->rows[i].code) == 0;
		if (!seen)
			buf_addf(out, "%s%s", out->len ? ", " : "", t->rows[i].code);
	}
}
