/*
 * api_session.c - health, log in, log out, who am I.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "http/api.h"
#include "http/hjson.h"

int api_health(struct http_req *r, struct uc_err *err)
{
	struct hj_out o;
	int64_t v = 0;
	int rc;

	rc = store_db_version(r->st, &v, err);
	if (rc)
		return rc;
	hj_out_init(&o);
	hj_set_str(&o, o.root, "status", "ok");
	hj_set_str(&o, o.root, "version", UCTRACK_VERSION);
	hj_set_int(&o, o.root, "schema", v);
	if (o.failed) {
		hj_out_release(&o);
		return uc_error(err, UC_ENOMEM, "out of memory");
	}
	r->out = o.root;
	return UC_OK;
}

static json_t *user_json(struct hj_out *o, const struct auth_user *u)
{
	json_t *j = json_object();

	hj_set_str(o, j, "name", u->name);
	hj_set_str(o, j, "role", auth_role_name(u->role));
	hj_set_str(o, j, "office", u->office[0] ? u->office : NULL);
	hj_set_str(o, j, "provider", u->provider[0] ? u->provider : NULL);
	return j;
}

static const struct hj_field login_spec[] = {
    {"username", HJ_STRING, 1},
    {"password", HJ_STRING, 1},
    {NULL, 0, 0},
};

int api_login(struct http_req *r, struct uc_err *err)
{
	const struct http_config *cfg = http_config_of(r->srv);
	struct auth_login_result lr;
	const char *name, *pw;
	struct hj_out o;
	struct buf c;
	int rc;

	rc = hj_check_fields(r->json, login_spec, "body", err);
	if (rc)
		return rc;
	name = hj_str(r->json, "username");
	pw = hj_str(r->json, "password");
	if (auth_name_check(name, NULL))
		name = "(invalid name)";
	snprintf(r->target, sizeof(r->target), "user:%.64s", name);
	rc = auth_login(r->st, &cfg->auth, name, pw, r->addr, time(NULL), &lr, err);
	if (rc) {
		struct auth_user who;

		/* A name that is no user is often a password typed into the
		 * wrong field: it never reaches the audit log. */
		if (auth_user_get(r->st, name, &who, NULL) == UC_ENOTFOUND)
			snprintf(r->target, sizeof(r->target), "user:(unknown)");
		if (lr.fail == AUTH_FAIL_THROTTLED) {
			r->hint = HTTP_HINT_THROTTLED;
			r->retry_after = lr.retry_after;
		} else if (lr.fail == AUTH_FAIL_CREDENTIALS) {
			r->hint = HTTP_HINT_UNAUTHENTICATED;
		}
		return rc;
	}
	r->user = lr.user;
	r->authed = 1;
	/* Logging in again ends the session the browser still held. */
	if (r->session[0] && auth_session_end(r->st, r->session, NULL) == UC_OK)
		http_auth_changed(r->srv);
	buf_init(&c, 512);
	buf_addf(&c, "uc_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", lr.token,
		 cfg->auth.absolute_s, cfg->secure_cookies ? "; Secure" : "");
	r->set_cookie = buf_detach(&c, NULL);
	hj_out_init(&o);
	hj_set_str(&o, o.root, "csrf", lr.csrf);
	hj_set_new(&o, o.root, "user", user_json(&o, &lr.user));
	hj_set_int(&o, o.root, "idle_timeout", cfg->auth.idle_s);
	hj_set_int(&o, o.root, "absolute_timeout", cfg->auth.absolute_s);
	memset(lr.token, 0, sizeof(lr.token));
	if (o.failed) {
		hj_out_release(&o);
		return uc_error(err, UC_ENOMEM, "out of memory");
	}
	r->out = o.root;
	r->status = 201;
	return UC_OK;
}

int api_logout(struct http_req *r, struct uc_err *err)
{
	int rc;

	if (!r->via_cookie)
		return uc_error(err, UC_EINPUT,
				"API tokens have no session; revoke a token with "
				"DELETE /api/v1/tokens/{id}");
	snprintf(r->target, sizeof(r->target), "user:%s", r->user.name);
	rc = auth_session_end(r->st, r->session, err);
	http_auth_changed(r->srv);
	if (rc)
		return rc;
	r->set_cookie = uc_xstrdup("uc_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	r->status = 204;
	return UC_OK;
}

int api_whoami(struct http_req *r, struct uc_err *err)
{
	struct hj_out o;

	hj_out_init(&o);
	hj_set_new(&o, o.root, "user", user_json(&o, &r->user));
	hj_set_str(&o, o.root, "csrf", r->via_cookie ? r->csrf : NULL);
	hj_set_str(&o, o.root, "auth", r->via_cookie ? "session" : "token");
	if (o.failed) {
		hj_out_release(&o);
		return uc_error(err, UC_ENOMEM, "out of memory");
	}
	r->out = o.root;
	return UC_OK;
}
