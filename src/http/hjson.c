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

		json_object_foreach(v, k, x) {
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

		json_array_foreach(v, i, x) {
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

int hj_parse_object(const char *text, size_t len, json_t **out,
		    struct uc_err *err)
{
	json_error_t je;
	json_t *v;

	*out = NULL;
	if (!text || len == 0)
		return uc_error(err, UC_EINPUT,
				"body: empty; send a JSON object (Content-Type: application/json)");
	v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return uc_error(err, UC_EINPUT, "body: line %d, column %d: %s",
				je.line, je.column, je.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return uc_error(err, UC_EINPUT, "body: must be a JSON object");
	}
	if (depth_of(v, HJ_MAX_DEPTH) > HJ_MAX_DEPTH) {
		json_decref(v);
		return uc_error(err, UC_EINPUT,
				"body: nested deeper than %d levels", HJ_MAX_DEPTH);
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
		return json_is_string(v) &&
		       strlen(json_string_value(v)) == json_string_length(v);
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

int hj_check_fields(json_t *obj, const struct hj_field *spec,
		    const char *where, struct uc_err *err)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return uc_error(err, UC_EINPUT, "%s: must be a JSON object", where);
	json_object_foreach(obj, k, v) {
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
					"%s: unknown field '%.64s'; known fields: %s",
					where, k, names.s);
		}
		if (!type_ok(v, f->type))
			return uc_error(err, UC_EINPUT, "%s.%s: must be %s", where,
					f->name, type_name(f->type));
	}
	for (const struct hj_field *f = spec; f->name; f++)
		if (f->required && !json_object_get(obj, f->name))
			return uc_error(err, UC_EINPUT, "%s.%s: required", where,
					f->name);
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

	return strcmp(name, "id") == 0 || strcmp(name, "seq") == 0 ||
	       strcmp(name, "rid") == 0 || strcmp(name, "line") == 0 ||
	       strcmp(name, "priority") == 0 || strcmp(name, "phase") == 0 ||
	       strcmp(name, "score") == 0 || strncmp(name, "n_", 2) == 0 ||
	       (n > 3 && strcmp(name + n - 3, "_id") == 0);
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
		} else if (!int_column(name)) {
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
	"family_name", "given_name", "name", "names", "a_number", "birth_date",
	"street", "unit", "zip", "phone", "sponsor_phone", "sponsor_family_name",
	"sponsor_given_name", "note", "address", "place", NULL,
};

int hj_is_pii_key(const char *key)
{
	for (const char *const *k = pii_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

void hj_mask_pii(json_t *v)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;

		json_object_foreach(v, k, x) {
			if (hj_is_pii_key(k) && !json_is_null(x))
				json_object_set_new(v, k, json_string("***"));
			else
				hj_mask_pii(x);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;

		json_array_foreach(v, i, x)
			hj_mask_pii(x);
	}
}
