#ifndef UC_HJSON_H
#define UC_HJSON_H
/*
 * hjson.h - JSON helpers for the HTTP layer, on jansson.
 *
 * Parsing request bodies strictly (one object, no duplicate keys, bounded
 * size and depth, every key known, every type right) and building
 * responses with a sticky error (struct hj_out: the first failed set is
 * remembered, later ones are ignored, the caller checks once).
 *
 * Usage:
 *
 *   static const struct hj_field spec[] = {
 *           {"username", HJ_STRING, 1}, {"password", HJ_STRING, 1}, {0}};
 *   json_t *body = NULL;
 *   if (hj_parse_object(text, len, &body, &err)) ...        // 400
 *   if (hj_check_fields(body, spec, "body", &err)) ...      // 400
 *
 *   struct hj_out o; hj_out_init(&o);
 *   hj_set_str(&o, o.root, "name", s);                     // NULL -> null
 *   hj_set_int(&o, o.root, "n", 3);
 *   if (o.failed) ...
 *
 * Ownership: hj_parse_object() gives the caller a new reference; the
 * hj_set_* functions never steal the caller's references except
 * hj_set_new(), which steals v (as json_object_set_new does).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#define HJ_MAX_DEPTH 16 /* deepest nesting accepted in a request body */

enum hj_type {
	HJ_ANY = 0, /* any JSON value */
	HJ_STRING,  /* a string (NUL bytes refused) */
	HJ_INT,	    /* an integer */
	HJ_BOOL,    /* true/false */
	HJ_OBJECT,  /* an object */
	HJ_ARRAY,   /* an array */
};

/* One known key of an object. A spec array ends with {NULL}. */
struct hj_field {
	const char *name;  /* key */
	enum hj_type type; /* expected type (null is refused) */
	int required;	   /* 1 when the key must be present */
};

/*
 * Parse text[0..len) as one JSON object (duplicate keys refused, depth at
 * most HJ_MAX_DEPTH). *out gets a new reference. Errors are UC_EINPUT with
 * "body: line L, column C: what".
 */
int hj_parse_object(const char *text, size_t len, json_t **out, struct uc_err *err);
/* Check obj against spec: unknown keys, missing required keys, wrong
 * types are UC_EINPUT naming the key ("where.key"). */
int hj_check_fields(json_t *obj, const struct hj_field *spec, const char *where,
		    struct uc_err *err);
/* String value of key, or NULL when absent or not a string. */
const char *hj_str(json_t *obj, const char *key);

/* A response builder with a sticky error. */
struct hj_out {
	json_t *root; /* the object being built (owned until taken) */
	int failed;   /* nonzero once any set failed */
};

void hj_out_init(struct hj_out *o);
void hj_out_release(struct hj_out *o);
/* Set key on obj (an object inside o). NULL s sets JSON null. */
void hj_set_str(struct hj_out *o, json_t *obj, const char *key, const char *s);
void hj_set_int(struct hj_out *o, json_t *obj, const char *key, int64_t v);
void hj_set_bool(struct hj_out *o, json_t *obj, const char *key, int v);
/* Steals v (may be NULL: then the builder fails). */
void hj_set_new(struct hj_out *o, json_t *obj, const char *key, json_t *v);
/* Append v to array arr, stealing it. */
void hj_append_new(struct hj_out *o, json_t *arr, json_t *v);

/* The current row of q as an object: column names as keys; NULL -> null;
 * columns named id, seq, rid, line, priority, phase, score, n_* or *_id
 * holding an integer -> integer (a text id such as "S0000064" stays a
 * string); others -> string. New reference or NULL on failure. */
json_t *hj_row_object(struct store_stmt *q);

/*
 * Rows a module hands to a row callback (queue_page, triage_runs,
 * auth_user_rows, ...) collected into a JSON array: hj_rows_add() is such
 * a callback, appending hj_row_object() of each row to rows->arr and
 * keeping the first column of the last row (an id, for paging).
 *
 *   struct hj_rows rows = {&o, json_array(), 0, 0};
 *   rc = triage_runs(st, 20, hj_rows_add, &rows, &err);
 *   hj_set_new(&o, o.root, "items", rows.arr);
 */
struct hj_rows {
	struct hj_out *o; /* the response (sticky failure), borrowed */
	json_t *arr;	  /* the array rows go into, borrowed */
	int n;		  /* rows added */
	int64_t last_id;  /* first column of the last row */
};
int hj_rows_add(void *rows, struct store_stmt *row, struct uc_err *err);

/*
 * Fast paths that write JSON text straight into a buffer (sticky error in
 * b): hj_text_str() appends s as a JSON string (invalid UTF-8 turns the
 * value into U+FFFD, as hj_row_object() does); hj_text_row() appends the
 * current row of q as hj_row_object() would render it, with personal-data
 * keys (hj_is_pii_key) replaced by "***" when mask_pii is set.
 */
void hj_text_str(struct buf *b, const char *s);
void hj_text_row(struct buf *b, struct store_stmt *q, int mask_pii);
/* The same in two steps for many rows of one statement: the column kinds
 * (at most max columns; returns how many) once, then each row. */
int hj_text_kinds(struct store_stmt *q, int mask_pii, char *kinds, int max);
void hj_text_row_k(struct buf *b, struct store_stmt *q, const char *kinds, int n);

/* Replace, in place and recursively, the values of keys that carry a
 * child's personal data (names, A-numbers, birth dates, addresses, phone
 * numbers, notes) with "***" (null stays null). For roles that see no
 * personal data (auditor). */
void hj_mask_pii(json_t *v);
/* 1 when key names personal data masked by hj_mask_pii(). */
int hj_is_pii_key(const char *key);

#endif
