/*
 * ingest_events.c - field events (JSON lines and ingest_event() for the
 * API): the checks per type, the canonical form, sealed notes, and the
 * events file parsed ahead on a second thread (evpar.h). Internal to the
 * ingest module (ingest_int.h).
 */
#include "ingest/ingest.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/seal.h"
#include "core/anum.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/progress.h"
#include "ingest/csvr.h"
#include "ingest/evpar.h"
#include "ingest/ingest_spec.h"
#include "ingest/iso.h"
#include "ingest/lookup.h"
#include "ingest/lread.h"
#include "ingest/fnorm.h"
#include "ingest/wpipe.h"
#include "ingest/ingest_int.h"

/* ---- events ----------------------------------------------------------- */

/* Column of "name": in a JSON line (first occurrence as a key), or 1. */
static long json_key_col(const char *line, const char *name)
{
	size_t nl = strlen(name);

	if (!line || !name)
		return 1;
	for (const char *p = strchr(line, '"'); p; p = strchr(p + 1, '"')) {
		const char *q = p + 1 + nl;

		if (strncmp(p + 1, name, nl) != 0 || *q != '"')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == ':')
			return (long)(p - line) + 1;
	}
	return 1;
}

static const struct event_field *event_find(const struct event_type *et, const char *key)
{
	for (int i = 0; et->f[i].name; i++)
		if (strcmp(et->f[i].name, key) == 0)
			return &et->f[i];
	return NULL;
}

static const char *const EV_COMMON[] = {"event_id",    "type",	      "a_number",
					"occurred_at", "recorded_by", NULL};

/*
 * Check one event. On a problem: *field names the member, msg says what.
 * Returns the event type or NULL.
 */
static const struct event_type *event_check(json_t *obj, const char **field, struct buf *msg,
					    char anum[10])
{
	const struct event_type *et = NULL;
	const char *type, *key;
	json_t *val;

	*field = "event";
	if (!json_is_object(obj)) {
		buf_adds(msg, "each line must be a JSON object");
		return NULL;
	}
	for (int i = 0; EV_COMMON[i]; i++) {
		val = json_object_get(obj, EV_COMMON[i]);
		*field = EV_COMMON[i];
		if (!val) {
			buf_addf(msg, "required field '%s' is missing", EV_COMMON[i]);
			return NULL;
		}
		if (!json_is_string(val)) {
			buf_adds(msg, "must be a string");
			return NULL;
		}
		if (json_string_length(val) == 0) {
			buf_adds(msg, "must not be empty");
			return NULL;
		}
	}
	type = json_string_value(json_object_get(obj, "type"));
	for (int i = 0; i < ingest_nevent_types; i++)
		if (strcmp(ingest_event_types[i].type, type) == 0)
			et = &ingest_event_types[i];
	if (!et) {
		*field = "type";
		buf_addf(msg, "unknown event type '%.40s'; allowed: ", type);
		for (int i = 0; i < ingest_nevent_types; i++)
			buf_addf(msg, "%s%s", i ? ", " : "", ingest_event_types[i].type);
		return NULL;
	}
	{
		const char *s = json_string_value(json_object_get(obj, "a_number"));
		int32_t day;

		*field = "a_number";
		if (anum_parse(s, strlen(s), anum) != ANUM_OK) {
			buf_addf(msg, "'%.40s' is not an A-number (9 digits)", s);
			return NULL;
		}
		s = json_string_value(json_object_get(obj, "occurred_at"));
		*field = "occurred_at";
		if (date_parse(s, strlen(s), &day) != 0 || (strlen(s) > 10 && s[10] == ' ')) {
			buf_addf(msg, "'%.40s' is not a date (YYYY-MM-DD) or RFC 3339 time", s);
			return NULL;
		}
	}
	json_object_foreach(obj, key, val)
	{
		const struct event_field *ef;

		*field = key;
		if (fnorm_enum(key, strlen(key), EV_COMMON) >= 0)
			continue;
		ef = event_find(et, key);
		if (!ef) {
			buf_addf(msg, "unknown field for a %s event; allowed: ", et->type);
			for (int i = 0; et->f[i].name; i++)
				buf_addf(msg, "%s%s", i ? ", " : "", et->f[i].name);
			return NULL;
		}
		if (json_is_null(val) && !ef->required)
			continue;
		if (!json_is_string(val)) {
			buf_adds(msg, "must be a string");
			return NULL;
		}
		if (ef->allowed && !(json_string_length(val) == 0 && !ef->required) &&
		    fnorm_enum(json_string_value(val), json_string_length(val), ef->allowed) < 0) {
			buf_addf(msg, "unknown value '%.40s'; allowed: ", json_string_value(val));
			fnorm_enum_list(ef->allowed, msg);
			return NULL;
		}
	}
	for (int i = 0; et->f[i].name; i++) {
		if (!et->f[i].required)
			continue;
		val = json_object_get(obj, et->f[i].name);
		*field = et->f[i].name;
		if (!val || !json_is_string(val) || json_string_length(val) == 0) {
			buf_addf(msg, "required field '%s' is missing for a %s event",
				 et->f[i].name, et->type);
			return NULL;
		}
	}
	return et;
}

/*
 * The note of a trafficking_screening or welfare_check event (checked) is
 * a sensitive disclosure: replace it in obj by its sealed form
 * (seal_note_det: the same note seals to the same text, so re-importing a
 * file adds nothing). A note already sealed is kept as it is, once it has
 * been seen to open under key (without a key it is kept unverified).
 * Returns 0, or -1 with the problem in msg (no key; sealed under another
 * key).
 */
static int event_seal(const unsigned char *key, const struct event_type *et, json_t *obj,
		      struct buf *msg)
{
	json_t *v = json_object_get(obj, "note");
	const char *note;
	char *out = NULL;
	struct uc_err e = UC_ERR_INIT;

	if (strcmp(et->type, "trafficking_screening") != 0 &&
	    strcmp(et->type, "welfare_check") != 0)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return 0;
	note = json_string_value(v);
	if (seal_is_sealed(note)) {
		if (!key)
			return 0;
		if (seal_open(key, note, &out, &e) != UC_OK) {
			buf_addf(msg,
				 "the note is sealed (%s...) but does not open under "
				 "this key_file: %s; import it where its key is configured",
				 SEAL_PREFIX, e.msg);
			return -1;
		}
		sodium_memzero(out, strlen(out));
		free(out);
		return 0;
	}
	if (!key) {
		buf_addf(msg,
			 "a %s note is stored sealed, and no key is configured: "
			 "set [server] key_file in the config (uctrack serve --new-key "
			 "FILE makes one; docs/configuration.md) or pass --key-file FILE, "
			 "or leave the note out; nothing is stored in plain text",
			 et->type);
		return -1;
	}
	if (seal_note_det(key, note, &out, &e) != UC_OK) {
		buf_addf(msg, "cannot seal the note: %s", e.msg);
		return -1;
	}
	json_object_set_new(obj, "note", json_string(out));
	free(out);
	return 0;
}

static const char *jstr(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	return s && *s ? s : NULL;
}

/* The strings of an event that event_store reads: jstr() of each key. */
enum {
	EVS_ID,
	EVS_OCC,
	EVS_BY,
	EVS_STATUS,
	EVS_STREET,
	EVS_UNIT,
	EVS_CITY,
	EVS_STATE,
	EVS_ZIP,
	EVS_CLAIM_TYPE,
	EVS_PROVIDER,
	EVS_N
};
static const char *const EVS_KEY[EVS_N] = {
    "event_id", "occurred_at", "recorded_by", "status",	    "street",	"unit",
    "city",	"state",       "zip",	      "claim_type", "provider",
};
#define EV_NONE SIZE_MAX /* no such string / no canonical form */

/*
 * A checked event as event_store takes it: offsets into a buffer, so it
 * outlives its JSON object (freed on the thread that parsed it) and the
 * buffer may move while it is written.
 */
struct evenc {
	const struct event_type *et; /* its type (event_check) */
	char anum[10];		     /* its A-number, normalised (event_check) */
	size_t s[EVS_N];	     /* offset of each EVS_ string, or EV_NONE (jstr NULL) */
	size_t body;		     /* offset of the canonical form, or EV_NONE: too large */
	size_t body_len;	     /* its length */
	uint64_t rhash;		     /* ingest_siphash of "field_event\0<event_id>\0<body>" */
};

/* String i (EVS_*) of e, whose offsets are into base; NULL when none. */
static const char *evs(const struct evenc *e, const char *base, int i)
{
	return e->s[i] == EV_NONE ? NULL : base + e->s[i];
}

/*
 * Append what event_store needs of obj (checked: e->et and e->anum set) to
 * out and fill the rest of e: the EVS_ strings, then the bytes rhash is
 * computed over -- "field_event", NUL, event_id, NUL, and the canonical
 * form (sorted keys, compact: what is stored in field_event.body), written
 * by json_dumpb straight into out, without a malloc per event. The body
 * is EV_NONE when it would exceed EVENT_MAX_BODY (or out's cap). Each
 * string and the body are NUL-terminated in out.
 */
static void event_encode(struct buf *out, json_t *obj, struct evenc *e)
{
	size_t h, n, room;
	const char *id = jstr(obj, "event_id");

	for (int i = 0; i < EVS_N; i++) {
		const char *s = jstr(obj, EVS_KEY[i]);

		e->s[i] = EV_NONE;
		if (s) {
			e->s[i] = out->len;
			buf_add(out, s, strlen(s) + 1);
		}
	}
	e->body = EV_NONE;
	e->body_len = 0;
	e->rhash = 0;
	h = out->len;
	buf_add(out, "field_event", sizeof("field_event"));
	buf_add(out, id, strlen(id) + 1);
	if (buf_grow(out, 4096))
		return;
	room = out->alloc - out->len - 1;
	n = json_dumpb(obj, out->ptr + out->len, room, EVENT_JSON_FLAGS);
	if (n == 0 || n > EVENT_MAX_BODY)
		return;
	if (n > room) {
		if (buf_grow(out, n))
			return;
		room = out->alloc - out->len - 1;
		n = json_dumpb(obj, out->ptr + out->len, room, EVENT_JSON_FLAGS);
		if (n == 0 || n > room)
			return;
	}
	e->body = out->len;
	e->body_len = n;
	out->len += n;
	out->ptr[out->len] = '\0';
	e->rhash = ingest_siphash(out->ptr + h, out->len - h);
	buf_addc(out, '\0');
}

/* Store a checked event (e, its strings in base, both borrowed); *is_new
 * set. */
static int event_store(struct ingest_ctx *c, const struct evenc *e, const char *base, int *is_new,
		       struct uc_err *err)
{
	const struct event_type *et = e->et;
	const char *id = evs(e, base, EVS_ID), *occ = evs(e, base, EVS_OCC);
	struct frun *fr = c->cur;
	struct wpipe *p = c->wp;
	int64_t rid = 0;
	int rc;

	*is_new = 0;
	if (e->body == EV_NONE)
		return uc_error(err, UC_EINPUT, "event too large to encode (more than %d MiB)",
				EVENT_MAX_BODY >> 20);
	/* A no-op in a file (ingest_begin_file prepared them): the connection may be
	 * the writer's. */
	rc = ingest_prepare_writes(c, err);
	if (rc)
		goto out;
	rc = c->cur ? ingest_stored_already(&c->cur->seen, c->cur->use_set, c->q_ehas, id,
					    strlen(id), e->rhash, err)
		    : ingest_stored_already(NULL, 0, c->q_ehas, id, strlen(id), e->rhash, err);
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	if (rc) {
		rc = UC_OK;
		goto out;
	}
	if (c->cur && c->cur->ndrop) {
		rc = ingest_bulk_drop(c->cur, err);
		if (rc)
			goto out;
	}
	wpipe_stmt(p, c->q_event);
	rid = ingest_rid_param(fr, p);
	if (fr) {
		wpipe_int(p, 2, fr->file_id);
		wpipe_int(p, 3, fr->line);
	} else {
		/* API events have no file provenance */
		wpipe_null(p, 2);
		wpipe_null(p, 3);
	}
	wpipe_text(p, 4, id, -1);
	wpipe_int(p, 5, (int64_t)e->rhash);
	wpipe_text(p, 6, e->anum, 9);
	wpipe_text(p, 7, et->type, -1);
	wpipe_text(p, 8, occ, -1);
	wpipe_text(p, 9, evs(e, base, EVS_BY), -1);
	wpipe_text(p, 10, base + e->body, (int)e->body_len);
	rc = wpipe_end(p, err);
	if (rc)
		goto out;
	*is_new = 1;
	rid = ingest_row_rid(c, rid);
	if (strcmp(et->type, "address_update") == 0) {
		const char *status = evs(e, base, EVS_STATUS);
		const char *street = evs(e, base, EVS_STREET), *city = evs(e, base, EVS_CITY);

		if (strcmp(status, "unverified") == 0 && !street && !city)
			status = "blank";
		rc = ingest_add_address(c, "field_event", rid, e->anum, street,
					evs(e, base, EVS_UNIT), city, evs(e, base, EVS_STATE),
					evs(e, base, EVS_ZIP), status, occ, err);
	} else if (strcmp(et->type, "claim") == 0) {
		rc = ingest_add_claim(c, rid, e->anum, evs(e, base, EVS_CLAIM_TYPE),
				      evs(e, base, EVS_STATUS), occ, err);
	} else if (strcmp(et->type, "representation") == 0) {
		rc = ingest_add_repr(c, "field_event", rid, e->anum, evs(e, base, EVS_PROVIDER),
				     "counsel", evs(e, base, EVS_STATUS), occ, err);
	} else if (strcmp(et->type, "orientation") == 0) {
		rc = ingest_add_repr(c, "field_event", rid, e->anum, evs(e, base, EVS_PROVIDER),
				     "orientation", "given", occ, err);
	}
out:
	return rc;
}

int ingest_event_new(struct ingest_ctx *c, json_t *obj, const char *origin, int *is_new,
		     struct uc_err *err)
{
	const char *field = NULL;
	struct evenc e;
	int dummy;

	if (!is_new)
		is_new = &dummy;
	*is_new = 0;
	buf_reset(&c->mb);
	e.et = event_check(obj, &field, &c->mb, e.anum);
	if (e.et && event_seal(c->o.note_key, e.et, obj, &c->mb)) {
		field = "note";
		e.et = NULL;
	}
	if (!e.et)
		return uc_error(err, UC_EINPUT, "%s: %s: %s", origin, field,
				c->mb.ptr ? c->mb.ptr : "invalid");
	buf_reset(&c->jb);
	event_encode(&c->jb, obj, &e);
	return event_store(c, &e, c->jb.ptr, is_new, err);
}

int ingest_event(struct ingest_ctx *c, json_t *obj, const char *origin, struct uc_err *err)
{
	return ingest_event_new(c, obj, origin, NULL, err);
}

/* ---- the events file: lines parsed ahead (evpar.h), consumed in order */

/* What the parse of an events line leaves for the import thread. */
enum { EVL_BLANK, EVL_JSON, EVL_BAD, EVL_OK };
struct evline {
	int kind;	/* EVL_BLANK (skipped), EVL_JSON, EVL_BAD (an error), EVL_OK */
	long col;	/* EVL_JSON, EVL_BAD: column of the error */
	size_t msg;	/* EVL_JSON, EVL_BAD: offset of the problem in the batch's out */
	size_t field;	/* EVL_BAD: offset of the field it is about */
	uint64_t kh;	/* EVL_OK: ingest_siphash of the event_id (in-file duplicates) */
	struct evenc e; /* EVL_OK: the event, offsets into out; e.rhash tells
			 * two events with the same id apart */
};

/* Scratch of the two threads that parse events lines (evpar's workers). */
struct evparse {
	struct buf msg[2];	  /* per worker: event_check messages, capped as c->mb */
	const unsigned char *key; /* notes' key (opts.note_key), borrowed, or NULL */
};

/*
 * evpar's parse function for the events feed: everything that depends on
 * the line alone -- CR, blank lines, json_loadb, event_check, the
 * canonical form and the hashes -- with the text of any error kept for
 * the import thread, which reports it in order. Runs on either thread;
 * touches nothing shared but read-only tables. The JSON object is freed
 * here, on the thread that made it.
 */
static void event_parse(void *arg, int worker, struct evpar_line *ln, struct buf *out)
{
	struct evparse *ep = arg;
	struct evline *r = ln->res;
	struct buf *msg = &ep->msg[worker];
	const char *field = NULL, *s, *id;
	json_error_t je;
	json_t *obj;
	size_t t;

	if (ln->n > 0 && ln->text[ln->n - 1] == '\r')
		ln->text[--ln->n] = '\0';
	s = ln->text;
	t = ln->n;
	fnorm_trim(&s, &t);
	if (t == 0) {
		r->kind = EVL_BLANK;
		return;
	}
	obj = json_loadb(ln->text, ln->n, JSON_REJECT_DUPLICATES, &je);
	if (!obj) {
		r->kind = EVL_JSON;
		r->col = je.column > 0 ? je.column : 1;
		r->msg = out->len;
		buf_add(out, je.text, strlen(je.text) + 1);
		return;
	}
	buf_reset(msg);
	r->e.et = event_check(obj, &field, msg, r->e.anum);
	if (r->e.et && event_seal(ep->key, r->e.et, obj, msg)) {
		field = "note";
		r->e.et = NULL;
	}
	if (!r->e.et) {
		s = msg->ptr ? msg->ptr : "invalid";
		r->kind = EVL_BAD;
		r->col = json_key_col(ln->text, field);
		r->field = out->len;
		buf_add(out, field, strlen(field) + 1);
		r->msg = out->len;
		buf_add(out, s, strlen(s) + 1);
		json_decref(obj);
		return;
	}
	r->kind = EVL_OK;
	id = jstr(obj, "event_id");
	r->kh = ingest_siphash(id, strlen(id));
	event_encode(out, obj, &r->e);
	json_decref(obj);
}

/*
 * Import an events file: evpar reads and parses its lines (on two
 * threads when the file's rows go through a threaded write pipe, i.e. it
 * is big: same rule), this thread reports errors, finds duplicates,
 * counts and stores, line by line in file order, so messages, rejects,
 * counts and rows are those of a one-thread import.
 */
int ingest_import_events(struct frun *fr, struct uc_err *err)
{
	struct ingest_ctx *c = fr->c;
	struct lread lr;
	struct progress pg;
	struct evparse ep;
	struct evpar *par = NULL;
	char sha[65] = "";
	int rc, bom_done = 0;

	buf_init(&ep.msg[0], 4096);
	buf_init(&ep.msg[1], 4096);
	ep.key = c->o.note_key;
	rc = lread_open(&lr, fr->path, MAX_EVENT_LINE, err);
	if (rc)
		return rc;
	fr->file_size = lr.file_size;
	progress_start(&pg, fr->path, lr.file_size);
	fr->kind = 2;
	rc = ingest_begin_file(fr, "field_event", err);
	if (rc)
		goto out;
	c->cur = fr;
	if (fr->wp)
		json_object_seed(0); /* jansson's hash seed, set before a second thread parses */
	rc = evpar_open(&par, &lr, sizeof(struct evline), event_parse, &ep, fr->wp != NULL, err);
	if (rc == UC_EIO) /* no parse thread: parse on this one */
		rc = evpar_open(&par, &lr, sizeof(struct evline), event_parse, &ep, 0, err);
	if (rc)
		goto out;
	for (;;) {
		struct evpar_line *ln;
		const struct evpar_line *next;
		const struct evline *r;
		struct dup_ent *d;
		int is_new = 0;

		rc = evpar_next(par, &ln, err);
		if (rc == 0)
			break;
		if (rc < 0) {
			rc = UC_EIO;
			goto out;
		}
		r = ln->res;
		fr->line = ln->lineno;
		fr->row_bad = 0;
		fr->raw = "";
		fr->raw_len = 0;
		if (!bom_done) {
			/* line 1 has been read: lr.bom is known */
			bom_done = 1;
			if (ingest_bom_check_file(fr, lr.bom)) {
				rc = UC_OK;
				goto out;
			}
		}
		if (ln->is_long) {
			fr->rows_read++;
			fr->rows_rejected++;
			ingest_row_error_at(fr, fr->line, MAX_EVENT_LINE + 1, "event",
					    "line longer than 1 MiB");
			continue;
		}
		if (r->kind == EVL_BLANK)
			continue;
		fr->raw = ln->text;
		fr->raw_len = ln->n;
		fr->rows_read++;
		if ((fr->rows_read & 8191) == 0)
			progress_tick(&pg, ln->bytes);
		if (r->kind == EVL_JSON) {
			ingest_row_error_at(fr, fr->line, r->col, "json", "%s%s", ln->out + r->msg,
					    ln->nl ? ""
						   : " (last line cut short: file truncated?)");
			fr->rows_rejected++;
			continue;
		}
		if (r->kind == EVL_BAD) {
			ingest_row_error_at(fr, fr->line, r->col, ln->out + r->field, "%s",
					    ln->out + r->msg);
			fr->rows_rejected++;
			continue;
		}
		/* Duplicate event ids within the file; the next line's slot is
		 * loaded meanwhile (the map is far bigger than the caches). */
		next = evpar_peek(par);
		if (next && !next->is_long) {
			const struct evline *nr = next->res;

			if (nr->kind == EVL_OK)
				ingest_dup_prefetch(&fr->dup, nr->kh);
		}
		d = ingest_dup_check(&fr->dup, r->kh, r->e.rhash, fr->line);
		if (d) {
			if (d->rhash == r->e.rhash) {
				fr->rows_same++;
			} else {
				ingest_row_error_at(fr, fr->line,
						    json_key_col(ln->text, "event_id"), "event_id",
						    "duplicate key %s, first at line %ld",
						    evs(&r->e, ln->out, EVS_ID), d->line);
				fr->rows_rejected++;
			}
			continue;
		}
		rc = event_store(c, &r->e, ln->out, &is_new, err);
		if (rc)
			goto out;
		if (is_new)
			fr->rows_new++;
		else
			fr->rows_same++;
	}
	lread_sha256_hex(&lr, sha);
	rc = ingest_end_file(fr, sha, err);
out:
	evpar_close(par);
	c->cur = NULL;
	progress_end(&pg);
	lread_close(&lr);
	buf_release(&ep.msg[0]);
	buf_release(&ep.msg[1]);
	return rc;
}
