/*
 * hjson.c - strict JSON parsing and sticky-error building for the API.
 */
#include "http/hjson.h"

#include <string.h>

/* Depth of v, stopping early past limit. */
static int depth_of(json_t *v, int limit)
{
	int d = 0;

	if (limit < 0)
		return 1;
	if (json_is_object(v)) {
		const char *k;
		json_t *x;

		json_object_foreach(v, k, x)
		{
			int e = depth_of(x, limit - 1);

			if (e > d)
				d = e;
			if (d > limit)
				break;
		}
		return d + 1;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *x;

		json_array_foreach(v, i, x)
		{
			int e = depth_of(x, limit - 1);

			if (e > d)
				d = e;
			if (d > limit)
				break;
		}
		return d + 1;
	}
	return 0;
}

int hj_parse_object(const char *text, size_t len, json_t **out, struct uc_err *err)
{
	json_error_t je;
	json_t *v;

	*out = NULL;
	if (!text || len == 0)
		return uc_error(err, UC_EINPUT,
				"body: empty; send a JSON object (Content-Type: application/json)");
	v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return uc_error(err, UC_EINPUT, "body: line %d, column %d: %s", je.line, je.column,
				je.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return uc_error(err, UC_EINPUT, "body: must be a JSON object");
	}
	if (depth_of(v, HJ_MAX_DEPTH) > HJ_MAX_DEPTH) {
		json_decref(v);
		return uc_error(err, UC_EINPUT, "body: nested deeper than %d levels", HJ_MAX_DEPTH);
	}
	*out = v;
	return UC_OK;
}

static const char *type_name(enum hj_type t)
{
	switch (t) {
	case HJ_STRING:
		return "a string";
	case HJ_INT:
		return "an integer";
	case HJ_BOOL:
		return "true or false";
	case HJ_OBJECT:
		return "an object";
	case HJ_ARRAY:
		return "an array";
	default:
		return "a value";
	}
}

static int type_ok(json_t *v, enum hj_type t)
{
	switch (t) {
	case HJ_STRING:
		/* jansson allows NUL inside strings; names and notes may not. */
		return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
	case HJ_INT:
		return json_is_integer(v);
	case HJ_BOOL:
		return json_is_boolean(v);
	case HJ_OBJECT:
		return json_is_object(v);
	case HJ_ARRAY:
		return json_is_array(v);
	default:
		return !json_is_null(v);
	}
}

int hj_check_fields(json_t *obj, const struct hj_field *spec, const char *where, struct uc_err *err)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return uc_error(err, UC_EINPUT, "%s: must be a JSON object", where);
	json_object_foreach(obj, k, v)
	{
		const struct hj_field *f = spec;

		while (f->name && strcmp(f->name, k) != 0)
			f++;
		if (!f->name) {
			struct buf_names {
				char s[512];
				size_t n;
			} names = {{0}, 0};

			for (f = spec; f->name; f++) {
				int w = snprintf(names.s + names.n, sizeof(names.s) - names.n,
						 "%s%s", f == spec ? "" : ", ", f->name);

				if (w < 0 || (size_t)w >= sizeof(names.s) - names.n)
					break;
				names.n += (size_t)w;
			}
			return uc_error(err, UC_EINPUT,
					"%s: unknown field '%.64s'; known fields: %s", where, k,
					names.s);
		}
		if (!type_ok(v, f->type))
			return uc_error(err, UC_EINPUT, "%s.%s: must be %s", where, f->name,
					type_name(f->type));
	}
	for (const struct hj_field *f = spec; f->name; f++)
		if (f->required && !json_object_get(obj, f->name))
			return uc_error(err, UC_EINPUT, "%s.%s: required", where, f->name);
	return UC_OK;
}

const char *hj_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

void hj_out_init(struct hj_out *o)
{
	o->root = json_object();
	o->failed = o->root == NULL;
}

void hj_out_release(struct hj_out *o)
{
	json_decref(o->root);
	o->root = NULL;
}

void hj_set_new(struct hj_out *o, json_t *obj, const char *key, json_t *v)
{
	if (o->failed || !v || !obj) {
		json_decref(v);
		o->failed = 1;
		return;
	}
	if (json_object_set_new(obj, key, v) != 0)
		o->failed = 1;
}

void hj_append_new(struct hj_out *o, json_t *arr, json_t *v)
{
	if (o->failed || !v || !arr) {
		json_decref(v);
		o->failed = 1;
		return;
	}
	if (json_array_append_new(arr, v) != 0)
		o->failed = 1;
}

void hj_set_str(struct hj_out *o, json_t *obj, const char *key, const char *s)
{
	hj_set_new(o, obj, key, s ? json_string(s) : json_null());
}

void hj_set_int(struct hj_out *o, json_t *obj, const char *key, int64_t v)
{
	hj_set_new(o, obj, key, json_integer((json_int_t)v));
}

void hj_set_bool(struct hj_out *o, json_t *obj, const char *key, int v)
{
	hj_set_new(o, obj, key, json_boolean(v));
}

/* Integer columns by naming convention (see hjson.h). */
static int int_column(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "id") == 0 || strcmp(name, "seq") == 0 || strcmp(name, "rid") == 0 ||
	       strcmp(name, "line") == 0 || strcmp(name, "priority") == 0 ||
	       strcmp(name, "phase") == 0 || strcmp(name, "score") == 0 ||
	       strncmp(name, "n_", 2) == 0 || (n > 3 && strcmp(name + n - 3, "_id") == 0);
}

json_t *hj_row_object(struct store_stmt *q)
{
	json_t *o = json_object();
	int n = store_col_count(q);

	for (int i = 0; o && i < n; i++) {
		const char *name = store_col_name(q, i);
		const char *s;
		json_t *v;

		if (store_col_is_null(q, i)) {
			v = json_null();
		} else if (!int_column(name) || !store_col_is_int(q, i)) {
			/* a text id (S0000064) stays text whatever its name */
			s = store_col_text(q, i);
			v = json_string(s ? s : "");
			if (!v) /* invalid UTF-8 in a record: keep it visible */
				v = json_string("\xEF\xBF\xBD");
		} else {
			v = json_integer((json_int_t)store_col_int(q, i));
		}
		if (json_object_set_new(o, name, v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static const char *const pii_keys[] = {
    "family_name",
    "given_name",
    "name",
    "names",
    "a_number",
    "birth_date",
    "street",
    "unit",
    "zip",
    "phone",
    "sponsor_phone",
    "sponsor_family_name",
    "sponsor_given_name",
    "note",
    "address",
    "place",
    NULL,
};

int hj_is_pii_key(const char *key)
{
	for (const char *const *k = pii_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

/* "name" of a rule or hold (an entry of "holds", or one with "kind" rule
 * or hold: the explanation's fired entries) names the rule, not a person:
 * auditors see it (issue 15). Never inside a record's "body" (a field
 * event's free JSON, which a sender could shape as a rule to unmask a
 * name). */
static int rule_name(json_t *obj, const char *key, const char *parent, int in_body)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));

	if (in_body || strcmp(key, "name") != 0)
		return 0;
	if (parent && strcmp(parent, "holds") == 0)
		return 1;
	return kind && (strcmp(kind, "rule") == 0 || strcmp(kind, "hold") == 0);
}

static void mask_in(json_t *v, const char *parent, int in_body)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;

		json_object_foreach(v, k, x)
		{
			if (hj_is_pii_key(k) && !json_is_null(x) &&
			    !rule_name(v, k, parent, in_body))
				json_object_set_new(v, k, json_string("***"));
			else
				mask_in(x, k, in_body || strcmp(k, "body") == 0);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;

		json_array_foreach(v, i, x) mask_in(x, parent, in_body);
	}
}

void hj_mask_pii(json_t *v)
{
	mask_in(v, NULL, 0);
}

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void hj_text_str(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;

	for (size_t j = 0; j < n; j += k) {
		k = p[j] < 0x80 ? 1 : utf8_seq(p + j, n - j);
		if (!k) {
			/* invalid UTF-8 in a record: the value becomes U+FFFD,
			 * as hj_row_object() does */
			buf_adds(b, "\"\\ufffd\"");
			return;
		}
	}
	buf_addc(b, '"');
	while (i < n) {
		size_t run = i;

		/* Copy plain runs at once. */
		while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' &&
		       p[run] != '\\')
			run++;
		if (run > i) {
			buf_add(b, p + i, run - i);
			i = run;
			continue;
		}
		if (p[i] == '"' || p[i] == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)p[i++]);
		} else if (p[i] < 0x20) {
			buf_addf(b, "\\u%04x", p[i++]);
		} else {
			k = utf8_seq(p + i, n - i);
			buf_add(b, p + i, k);
			i += k;
		}
	}
	buf_addc(b, '"');
}

int hj_text_kinds(struct store_stmt *q, int mask_pii, char *kinds, int max)
{
	int n = store_col_count(q);

	if (n > max)
		n = max;
	for (int i = 0; i < n; i++) {
		const char *name = store_col_name(q, i);

		kinds[i] = (mask_pii && hj_is_pii_key(name)) ? 'm' : int_column(name) ? 'i' : 's';
	}
	return n;
}

/* Append v in decimal without printf. */
static void add_int(struct buf *b, int64_t v)
{
	char tmp[24];
	int k = sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--k] = '-';
	buf_add(b, tmp + k, sizeof(tmp) - (size_t)k);
}

void hj_text_row_k(struct buf *b, struct store_stmt *q, const char *kinds, int n)
{
	buf_addc(b, '{');
	for (int i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		hj_text_str(b, store_col_name(q, i));
		buf_addc(b, ':');
		if (store_col_is_null(q, i))
			buf_add(b, "null", 4);
		else if (kinds[i] == 'm')
			buf_add(b, "\"***\"", 5);
		else if (kinds[i] == 'i' && store_col_is_int(q, i))
			add_int(b, store_col_int(q, i));
		else
			hj_text_str(b, store_col_text(q, i) ? store_col_text(q, i) : "");
	}
	buf_addc(b, '}');
}

void hj_text_row(struct buf *b, struct store_stmt *q, int mask_pii)
{
	char kinds[64];
	int n = hj_text_kinds(q, mask_pii, kinds, 64);

	hj_text_row_k(b, q, kinds, n);
}

int hj_rows_add(void *arg, struct store_stmt *row, struct uc_err *err)
{
	struct hj_rows *rows = arg;

	rows->last_id = store_col_int(row, 0);
	hj_append_new(rows->o, rows->arr, hj_row_object(row));
	rows->n++;
	return UC_OK;
}
