/*
 * api_admin.c - users, API tokens and the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "http/api.h"
#include "http/hjson.h"
#include "triage/triage.h"

/* Run q and put every row, as an object, into a new array at o.root[key]. */
static int rows_to(struct hj_out *o, const char *key, struct store_stmt *q, int64_t *last_id,
		   int *n, struct uc_err *err)
{
	json_t *arr = json_array();
	int rc;

	*n = 0;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		if (last_id)
			*last_id = store_col_int(q, 0);
		hj_append_new(o, arr, hj_row_object(q));
		(*n)++;
	}
	hj_set_new(o, o->root, key, arr);
	if (rc < 0)
		return -rc;
	if (o->failed)
		return uc_error(err, UC_ENOMEM, "response too large");
	return UC_OK;
}

/* Parse a decimal in [min,max] from a query/path string; UC_EINPUT naming it. */
static int parse_num(const char *what, const char *s, long long min, long long max, long long *out,
		     struct uc_err *err)
{
	char *end = NULL;
	long long v;

	if (!s || !*s || strlen(s) > 18 || *s == '-' || *s == '+' || *s == ' ')
		return uc_error(err, UC_EINPUT, "%s: expected an integer in %lld..%lld", what, min,
				max);
	v = strtoll(s, &end, 10);
	if (*end || v < min || v > max)
		return uc_error(err, UC_EINPUT, "%s: expected an integer in %lld..%lld", what, min,
				max);
	*out = v;
	return UC_OK;
}

/* Stored text as hj_row_object() renders it: invalid UTF-8 (written by a
 * CLI argument, say) shows as U+FFFD rather than failing the page. */
static void set_text(struct hj_out *o, json_t *j, const char *key, const char *s)
{
	json_t *v = s ? json_string(s) : json_null();

	hj_set_new(o, j, key, v ? v : json_string("\xEF\xBF\xBD"));
}

/* A user as the admin's list shows it. */
static json_t *user_admin_json(struct hj_out *o, const struct auth_user *u)
{
	json_t *j = json_object();

	hj_set_int(o, j, "id", u->id);
	set_text(o, j, "name", u->name);
	hj_set_str(o, j, "role", auth_role_name(u->role));
	set_text(o, j, "office", u->office[0] ? u->office : NULL);
	set_text(o, j, "provider", u->provider[0] ? u->provider : NULL);
	hj_set_str(o, j, "status", u->disabled ? "disabled" : "active");
	return j;
}

static int user_into(void *arg, const struct auth_user *u, struct uc_err *err)
{
	struct hj_rows *rows = arg;

	hj_append_new(rows->o, rows->arr, user_admin_json(rows->o, u));
	rows->n++;
	return UC_OK;
}

int api_users_list(struct http_req *r, struct uc_err *err)
{
	struct hj_out o;
	struct hj_rows rows;
	int rc;

	hj_out_init(&o);
	rows.o = &o;
	rows.arr = json_array();
	rows.n = 0;
	rows.last_id = 0;
	rc = auth_user_list(r->st, user_into, &rows, err);
	hj_set_new(&o, o.root, "items", rows.arr);
	return http_reply_json(r, &o, rc, err);
}

static const struct hj_field user_spec[] = {
    {"name", HJ_STRING, 1},	{"role", HJ_STRING, 1},	    {"office", HJ_STRING, 0},
    {"provider", HJ_STRING, 0}, {"password", HJ_STRING, 1}, {NULL, 0, 0},
};

int api_users_add(struct http_req *r, struct uc_err *err)
{
	enum auth_role role;
	const char *name;
	int rc;

	rc = hj_check_fields(r->json, user_spec, "body", err);
	if (rc)
		return rc;
	name = hj_str(r->json, "name");
	rc = auth_name_check(name, err);
	if (rc)
		return rc;
	snprintf(r->target, sizeof(r->target), "user:%s", name);
	if (auth_role_parse(hj_str(r->json, "role"), &role))
		return uc_error(err, UC_EINPUT,
				"body.role: one of admin, supervisor, officer, analyst, "
				"legal_provider, auditor");
	http_detail(r, "role=%s", auth_role_name(role));
	if (hj_str(r->json, "office")) {
		rc = triage_office_check(r->st, hj_str(r->json, "office"), err);
		if (rc)
			return rc;
	}
	rc = auth_user_add(r->st, name, role, hj_str(r->json, "office"),
			   hj_str(r->json, "provider"), hj_str(r->json, "password"), err);
	if (rc)
		return rc;
	r->out = json_pack("{s:s,s:s}", "name", name, "role", auth_role_name(role));
	r->status = 201;
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

int api_users_disable(struct http_req *r, struct uc_err *err)
{
	int rc = auth_name_check(r->params[0], err);

	if (rc)
		return rc;
	snprintf(r->target, sizeof(r->target), "user:%s", r->params[0]);
	rc = auth_user_disable(r->st, r->params[0], err);
	http_auth_changed(r->srv);
	if (rc)
		return rc;
	r->out = json_pack("{s:s,s:s}", "name", r->params[0], "status", "disabled");
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

static const struct hj_field user_set_spec[] = {
    {"role", HJ_STRING, 0},
    {"office", HJ_ANY, 0},
    {"provider", HJ_ANY, 0},
    {NULL, 0, 0},
};

/* Name the field of the body err is about: "body.FIELD: " before err's
 * message, or "body." alone when the message names it first. */
static int body_field(int rc, const char *field, struct uc_err *err)
{
	char msg[UC_ERR_MSG_MAX];

	snprintf(msg, sizeof(msg), "%s", err->msg);
	return field ? uc_error(err, rc, "body.%s: %s", field, msg)
		     : uc_error(err, rc, "body.%s", msg);
}

/* PATCH /users/{name}: an admin changes a user's role and scopes (office,
 * provider): auth_user_set() keeps what the body leaves out and drops a
 * scope the new role does not take. */
int api_users_set(struct http_req *r, struct uc_err *err)
{
	struct auth_user_change c;
	struct auth_user was, now;
	json_t *office, *provider;
	struct hj_out o;
	int rc = auth_name_check(r->params[0], err);

	if (rc)
		return rc;
	snprintf(r->target, sizeof(r->target), "user:%s", r->params[0]);
	rc = hj_check_fields(r->json, user_set_spec, "body", err);
	if (rc)
		return rc;
	memset(&c, 0, sizeof(c));
	office = json_object_get(r->json, "office");
	provider = json_object_get(r->json, "provider");
	if (!json_object_get(r->json, "role") && !office && !provider)
		return uc_error(err, UC_EINPUT,
				"body: give the role, office or provider to change");
	if (hj_str(r->json, "role") && auth_role_parse(hj_str(r->json, "role"), &c.role))
		return uc_error(err, UC_EINPUT,
				"body.role: one of admin, supervisor, officer, analyst, "
				"legal_provider, auditor");
	if (office && !json_is_string(office) && !json_is_null(office))
		return uc_error(err, UC_EINPUT,
				"body.office: a field office code, or null for none");
	if (provider && !json_is_string(provider) && !json_is_null(provider))
		return uc_error(err, UC_EINPUT,
				"body.provider: a provider organisation, or null for none");
	c.office = json_string_value(office);
	c.clear_office = json_is_null(office);
	c.provider = json_string_value(provider);
	if (c.office) {
		rc = triage_office_check(r->st, c.office, err);
		if (rc)
			return body_field(rc, "office", err);
	}
	rc = auth_user_set(r->st, r->params[0], &c, &was, &now, err);
	http_auth_changed(r->srv);
	if (rc == UC_EINPUT || rc == UC_ECONFLICT)
		return body_field(rc, NULL, err);
	if (rc)
		return rc;
	http_detail(r, "role=%s->%s office=%.64s->%.64s", auth_role_name(was.role),
		    auth_role_name(now.role), was.office[0] ? was.office : "-",
		    now.office[0] ? now.office : "-");
	if (strcmp(was.provider, now.provider) != 0)
		http_detail(r, " provider=%.64s->%.64s", was.provider[0] ? was.provider : "-",
			    now.provider[0] ? now.provider : "-");
	hj_out_init(&o);
	set_text(&o, o.root, "name", now.name);
	hj_set_str(&o, o.root, "role", auth_role_name(now.role));
	set_text(&o, o.root, "office", now.office[0] ? now.office : NULL);
	set_text(&o, o.root, "provider", now.provider[0] ? now.provider : NULL);
	hj_set_str(&o, o.root, "status", now.disabled ? "disabled" : "active");
	return http_reply_json(r, &o, UC_OK, err);
}

static const struct hj_field passwd_spec[] = {
    {"password", HJ_STRING, 1},
    {NULL, 0, 0},
};

/* An admin sets a user's password (the user forgot it): as `uctrack user
 * passwd`, the user's sessions end and its tokens are revoked. */
int api_users_passwd(struct http_req *r, struct uc_err *err)
{
	struct auth_user u;
	int rc = auth_name_check(r->params[0], err);

	if (rc)
		return rc;
	snprintf(r->target, sizeof(r->target), "user:%s", r->params[0]);
	rc = hj_check_fields(r->json, passwd_spec, "body", err);
	if (!rc)
		rc = auth_user_get(r->st, r->params[0], &u, err);
	if (!rc)
		rc = auth_user_passwd(r->st, r->params[0], hj_str(r->json, "password"), err);
	http_auth_changed(r->srv);
	if (rc)
		return rc;
	r->out = json_pack("{s:s,s:s}", "name", r->params[0], "password", "set");
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

/* Unix time t as UTC "YYYY-MM-DD HH:MM:SS" into out (20 bytes). */
static void utc_text(int64_t t, char out[20])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		out[0] = '\0';
}

/* Where a token list goes: the rows and the time it is read at. */
struct token_rows {
	struct hj_rows rows; /* the array */
	int64_t now;	     /* Unix time: expired tokens say so */
};

static int token_into(void *arg, const struct auth_token_info *t, struct uc_err *err)
{
	struct token_rows *tr = arg;
	struct hj_out *o = tr->rows.o;
	json_t *j = json_object();
	char when[20];

	hj_set_int(o, j, "id", t->id);
	set_text(o, j, "user", t->user);
	set_text(o, j, "label", t->label);
	utc_text(t->created_at, when);
	hj_set_str(o, j, "created_at", when);
	utc_text(t->expires_at, when);
	hj_set_str(o, j, "expires_at", t->has_expiry ? when : NULL);
	hj_set_str(o, j, "read_only", t->read_only ? "yes" : "no");
	hj_set_str(o, j, "status",
		   t->revoked				       ? "revoked"
		   : t->has_expiry && t->expires_at <= tr->now ? "expired"
							       : "active");
	hj_append_new(o, tr->rows.arr, j);
	tr->rows.n++;
	return UC_OK;
}

int api_tokens_list(struct http_req *r, struct uc_err *err)
{
	struct token_rows tr;
	struct hj_out o;
	int rc;

	hj_out_init(&o);
	tr.rows.o = &o;
	tr.rows.arr = json_array();
	tr.rows.n = 0;
	tr.rows.last_id = 0;
	tr.now = (int64_t)time(NULL);
	/* Admins see every token; others their own. Never the hashes. */
	rc = auth_token_list(r->st, auth_allows(&r->user, AUTH_CAP_USER_ADMIN) ? 0 : r->user.id,
			     token_into, &tr, err);
	hj_set_new(&o, o.root, "items", tr.rows.arr);
	return http_reply_json(r, &o, rc, err);
}

static const struct hj_field token_spec[] = {
    {"label", HJ_STRING, 0},   {"user", HJ_STRING, 0}, {"days", HJ_INT, 0},
    {"read_only", HJ_BOOL, 0}, {NULL, 0, 0},
};

int api_tokens_create(struct http_req *r, struct uc_err *err)
{
	char tok[AUTH_APITOKEN_CHARS + 1];
	const char *user, *label;
	struct auth_token_opts topt = {0, 0};
	json_t *days = NULL;
	int64_t id = 0;
	int rc;

	rc = hj_check_fields(r->json, token_spec, "body", err);
	if (rc)
		return rc;
	days = json_object_get(r->json, "days");
	if (days) {
		json_int_t d = json_integer_value(days);

		if (d < 1 || d > AUTH_TOKEN_DAYS_MAX)
			return uc_error(err, UC_EINPUT, "body.days: 1 to %d", AUTH_TOKEN_DAYS_MAX);
		topt.days = (int)d;
	}
	topt.read_only = json_is_true(json_object_get(r->json, "read_only"));
	/* a read-only token cannot mint a token that writes */
	if (r->user.read_only)
		topt.read_only = 1;
	user = hj_str(r->json, "user");
	label = hj_str(r->json, "label");
	if (label && strlen(label) > 200)
		return uc_error(err, UC_EINPUT, "body.label: at most 200 characters");
	if (user && strcmp(user, r->user.name) != 0 && !auth_allows(&r->user, AUTH_CAP_USER_ADMIN))
		return uc_error(err, UC_EDENIED,
				"only an admin may create tokens for another user");
	if (!user)
		user = r->user.name;
	snprintf(r->target, sizeof(r->target), "user:%.64s", user);
	rc = auth_token_create(r->st, user, label, &topt, tok, &id, err);
	if (rc)
		return rc;
	http_detail(r, "token_id=%lld read_only=%d", (long long)id, topt.read_only);
	r->out =
	    json_pack("{s:I,s:s,s:s,s:s?,s:i,s:b}", "id", (json_int_t)id, "token", tok, "user",
		      user, "label", label, "days", topt.days ? topt.days : AUTH_TOKEN_DAYS_DEFAULT,
		      "read_only", topt.read_only);
	memset(tok, 0, sizeof(tok));
	r->status = 201;
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

int api_tokens_revoke(struct http_req *r, struct uc_err *err)
{
	long long id;
	int rc = parse_num("token id", r->params[0], 1, INT64_MAX, &id, err);

	if (rc)
		return rc;
	snprintf(r->target, sizeof(r->target), "token:%lld", id);
	rc = auth_token_revoke(r->st, id,
			       auth_allows(&r->user, AUTH_CAP_USER_ADMIN) ? 0 : r->user.id, err);
	http_auth_changed(r->srv);
	if (rc)
		return rc;
	r->status = 204;
	return UC_OK;
}

int api_audit_list(struct http_req *r, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	struct audit_query aq;
	const char *s;
	long long after = 0, before = 0, limit = 100;
	int64_t last = 0;
	struct hj_out o;
	int n = 0, rc = UC_OK;

	/* who read the log of who read what is itself an entry */
	r->audit_read = 1;
	snprintf(r->target, sizeof(r->target), "audit");
	s = http_query(r, "after");
	if (s)
		rc = parse_num("after", s, 0, INT64_MAX, &after, err);
	s = http_query(r, "before");
	if (!rc && s)
		rc = parse_num("before", s, 0, INT64_MAX, &before, err);
	s = http_query(r, "limit");
	if (!rc && s)
		rc = parse_num("limit", s, 1, 1000, &limit, err);
	s = http_query(r, "order");
	if (!rc && s && strcmp(s, "asc") != 0 && strcmp(s, "desc") != 0)
		rc = uc_error(err, UC_EINPUT, "order: 'asc' (oldest first, the default) or 'desc'");
	if (rc)
		return rc;
	memset(&aq, 0, sizeof(aq));
	aq.newest_first = s && strcmp(s, "desc") == 0;
	aq.after = after;
	aq.before = before;
	aq.actor = http_query(r, "actor");
	aq.action = http_query(r, "action");
	aq.target = http_query(r, "target");
	aq.from = http_query(r, "from");
	aq.to = http_query(r, "to");
	aq.limit = limit;
	hj_out_init(&o);
	rc = audit_list_prepare(r->st, &aq, &q, err);
	if (!rc)
		rc = rows_to(&o, "items", q, &last, &n, err);
	/* the next page: after the last entry (oldest first) or before it */
	if (!rc && n == limit)
		hj_set_int(&o, o.root, aq.newest_first ? "next_before" : "next_after", last);
	store_finalize(q);
	return http_reply_json(r, &o, rc, err);
}

/* GET /audit/verify: the whole chain checked (audit_verify), as `uctrack
 * audit verify` without a checkpoint. */
int api_audit_verify(struct http_req *r, struct uc_err *err)
{
	struct audit_report rep;
	struct uc_err verr = {0};
	int rc;

	r->audit_read = 1;
	snprintf(r->target, sizeof(r->target), "audit");
	memset(&rep, 0, sizeof(rep));
	rc = audit_verify(r->st, 0, NULL, &rep, &verr);
	if (rc && rc != UC_EINPUT) {
		*err = verr;
		return rc;
	}
	http_detail(r, "intact=%d entries=%lld", rc == UC_OK, (long long)rep.entries);
	r->out = json_pack("{s:b,s:I,s:I,s:s,s:I,s:s?}", "intact", rc == UC_OK, "entries",
			   (json_int_t)rep.entries, "head_seq", (json_int_t)rep.head_seq,
			   "head_hash", rep.head_hash, "first_bad", (json_int_t)rep.first_bad,
			   "problem", rc ? verr.msg : NULL);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}
