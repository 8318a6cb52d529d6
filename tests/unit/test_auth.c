/* Unit tests for src/auth: policy matrix, users, login, sessions with
 * idle and absolute expiry, throttling, tokens, sealed notes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdb.h"

#include "auth/auth.h"
#include "auth/seal.h"

static char path[256];

static int setup(void **state)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;

	testdb_path(path, sizeof(path), "auth");
	testdb_remove(path);
	assert_int_equal(store_open(&st, path, 0, &err), 0);
	assert_int_equal(
	    auth_user_add(st, "ana", AUTH_ROLE_OFFICER, "HOU", NULL, "correct horse battery", &err),
	    0);
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	testdb_remove(path);
	return 0;
}

static struct auth_user mk(enum auth_role r, const char *office, const char *prov)
{
	struct auth_user u;

	memset(&u, 0, sizeof(u));
	u.id = 1;
	u.role = r;
	snprintf(u.office, sizeof(u.office), "%s", office ? office : "");
	snprintf(u.provider, sizeof(u.provider), "%s", prov ? prov : "");
	return u;
}

static void test_policy(void **state)
{
	struct auth_user admin = mk(AUTH_ROLE_ADMIN, NULL, NULL);
	struct auth_user off = mk(AUTH_ROLE_OFFICER, "HOU", NULL);
	struct auth_user sup = mk(AUTH_ROLE_SUPERVISOR, "HOU", NULL);
	struct auth_user lp = mk(AUTH_ROLE_LEGAL_PROVIDER, NULL, "KIND");
	struct auth_user aud = mk(AUTH_ROLE_AUDITOR, NULL, NULL);
	struct auth_user ana = mk(AUTH_ROLE_ANALYST, NULL, NULL);
	const char *kind[] = {"KIND"}, *other[] = {"ACME"};

	(void)state;
	assert_true(auth_allows(&admin, AUTH_CAP_USER_ADMIN));
	assert_false(auth_allows(&off, AUTH_CAP_OVERRIDE));
	assert_true(auth_allows(&sup, AUTH_CAP_OVERRIDE));
	assert_false(auth_allows(&aud, AUTH_CAP_CASE_SEARCH));
	assert_true(auth_allows(&aud, AUTH_CAP_AUDIT_READ));
	assert_false(auth_allows(&off, AUTH_CAP_AUDIT_READ));
	assert_false(auth_sees_pii(&aud));
	assert_true(auth_sees_pii(&ana));
	assert_true(auth_case_in_scope(&off, "HOU", NULL, 0));
	assert_false(auth_case_in_scope(&off, "NYC", NULL, 0));
	assert_false(auth_case_in_scope(&off, NULL, NULL, 0));
	assert_true(auth_case_in_scope(&lp, "HOU", kind, 1));
	assert_false(auth_case_in_scope(&lp, "HOU", other, 1));
	assert_false(auth_case_in_scope(&lp, "HOU", NULL, 0));
	assert_true(auth_case_in_scope(&ana, "NYC", NULL, 0));
	assert_true(auth_office_allowed(&off, "HOU"));
	assert_false(auth_office_allowed(&off, "NYC"));
	assert_true(auth_office_allowed(&ana, NULL));
	assert_false(auth_office_allowed(&lp, NULL));
	assert_true(auth_may_record_event(&off, "welfare_check"));
	assert_false(auth_may_record_event(&off, "representation"));
	assert_true(auth_may_record_event(&lp, "representation"));
	assert_false(auth_may_record_event(&lp, "contact_attempt"));
	assert_false(auth_may_record_event(&aud, "contact_attempt"));
	off.disabled = 1;
	assert_false(auth_allows(&off, AUTH_CAP_QUEUE_READ));
}

static void test_user_rules(void **state)
{
	struct uc_err err = UC_ERR_INIT;

	assert_int_equal(
	    auth_user_add(*state, "ana", AUTH_ROLE_ANALYST, NULL, NULL, "long enough pw", &err),
	    UC_ECONFLICT);
	assert_int_equal(
	    auth_user_add(*state, "bo", AUTH_ROLE_OFFICER, NULL, NULL, "long enough pw", &err),
	    UC_EINPUT);
	assert_int_equal(auth_user_add(*state, "bo", AUTH_ROLE_ANALYST, NULL, NULL, "short", &err),
			 UC_EINPUT);
	assert_int_equal(auth_user_add(*state, "bo'; DROP TABLE app_user;--", AUTH_ROLE_ANALYST,
				       NULL, NULL, "long enough pw", &err),
			 UC_EINPUT);
	assert_int_equal(auth_user_add(*state, "lp", AUTH_ROLE_LEGAL_PROVIDER, NULL, "KIND",
				       "long enough pw", &err),
			 0);
}

static void test_login_session(void **state)
{
	struct auth_config cfg = {10, 20, 60, 3, 100, 60};
	struct auth_login_result lr;
	struct auth_user u;
	struct uc_err err = UC_ERR_INIT;
	enum auth_fail f;
	char csrf[AUTH_TOKEN_CHARS + 1];
	time_t t0 = 1000000;

	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "correct horse battery", "10.0.0.1", t0, &lr, &err), 0);
	assert_int_equal(lr.user.role, AUTH_ROLE_OFFICER);
	assert_int_equal(strlen(lr.token), AUTH_TOKEN_CHARS);
	assert_int_equal(auth_session_check(*state, &cfg, lr.token, t0 + 5, &u, csrf, &f, &err), 0);
	assert_string_equal(csrf, lr.csrf);
	/* used at t0+5, so still alive at t0+14 (idle 10) */
	assert_int_equal(auth_session_check(*state, &cfg, lr.token, t0 + 14, &u, csrf, &f, &err),
			 0);
	/* absolute limit 20 */
	assert_int_equal(auth_session_check(*state, &cfg, lr.token, t0 + 21, &u, csrf, &f, &err),
			 UC_EDENIED);
	assert_int_equal(f, AUTH_FAIL_EXPIRED);
	/* and it is gone now */
	assert_int_equal(auth_session_check(*state, &cfg, lr.token, t0 + 5, &u, csrf, &f, &err),
			 UC_EDENIED);
	/* idle expiry */
	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "correct horse battery", "10.0.0.1", t0, &lr, &err), 0);
	assert_int_equal(auth_session_check(*state, &cfg, lr.token, t0 + 11, &u, csrf, &f, &err),
			 UC_EDENIED);
	assert_int_equal(f, AUTH_FAIL_EXPIRED);
	/* logout */
	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "correct horse battery", NULL, t0, &lr, &err), 0);
	assert_int_equal(auth_session_end(*state, lr.token, &err), 0);
	assert_int_equal(auth_session_check(*state, &cfg, lr.token, t0, &u, csrf, &f, &err),
			 UC_EDENIED);
}

static void test_throttle(void **state)
{
	struct auth_config cfg = {10, 20, 60, 3, 5, 60};
	struct auth_login_result lr;
	struct uc_err err = UC_ERR_INIT;
	time_t t0 = 2000000, t;
	int throttled = 0;

	/* ana works from 10.0.0.3 */
	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "correct horse battery", "10.0.0.3", t0, &lr, &err), 0);
	/* someone elsewhere guesses ana's password, once a second */
	for (t = t0 + 1; t < t0 + 40; t++) {
		int rc =
		    auth_login(*state, &cfg, "ana", "wrong password!", "10.6.6.6", t, &lr, &err);

		assert_int_equal(rc, UC_EDENIED);
		if (lr.fail == AUTH_FAIL_THROTTLED) {
			throttled++;
			assert_true(lr.retry_after >= 1 && lr.retry_after <= 60);
		}
	}
	/* slowed down: from the 3rd failure on each try waits 1, 2, 4 ... s */
	assert_true(throttled > 20);
	/* ... but that never locks ana out where she works */
	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "correct horse battery", "10.0.0.3", t, &lr, &err), 0);
	/* from an address she has not used, the guesses slow her too, for
	 * at most max_delay seconds */
	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "wrong password!", "10.6.6.6", t, &lr, &err),
	    UC_EDENIED);
	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "correct horse battery", "10.0.0.4", t, &lr, &err),
	    UC_EDENIED);
	assert_int_equal(lr.fail, AUTH_FAIL_THROTTLED);
	assert_true(lr.retry_after <= 60);
	/* tries while throttled are not counted: hammering does not extend it */
	for (int i = 0; i < 50; i++)
		auth_login(*state, &cfg, "ana", "wrong password!", "10.6.6.6", t + 1, &lr, &err);
	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "correct horse battery", "10.0.0.4", t + 61, &lr, &err),
	    0);
	assert_int_equal(auth_user_add(*state, "bob", AUTH_ROLE_OFFICER, "HOU", NULL,
				       "staple battery horse", &err),
			 0);
	assert_int_equal(
	    auth_login(*state, &cfg, "bob", "staple battery horse", "10.9.9.9", t + 99, &lr, &err),
	    0);
	/* one address guessing many names is slowed (5 failures) ... */
	for (int i = 0; i < 5; i++) {
		char nm[24];

		snprintf(nm, sizeof(nm), "nobody%d", i % 10);
		auth_login(*state, &cfg, nm, "whatever12345", "10.9.9.9", t + 100 + i, &lr, &err);
	}
	assert_int_equal(auth_login(*state, &cfg, "ana", "correct horse battery", "10.9.9.9",
				    t + 104, &lr, &err),
			 UC_EDENIED);
	assert_int_equal(lr.fail, AUTH_FAIL_THROTTLED);
	/* ... but a user who logs in from there (an office behind one proxy)
	 * is not locked out by it */
	assert_int_equal(
	    auth_login(*state, &cfg, "bob", "staple battery horse", "10.9.9.9", t + 106, &lr, &err),
	    0);
	/* ana's own failures where she works slow her there: 1 s, 2 s ... */
	t += 200;
	for (int i = 0; i < 3; i++)
		assert_int_equal(
		    auth_login(*state, &cfg, "ana", "wrong password!", "10.0.0.3", t, &lr, &err),
		    UC_EDENIED);
	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "correct horse battery", "10.0.0.3", t, &lr, &err),
	    UC_EDENIED);
	assert_int_equal(lr.fail, AUTH_FAIL_THROTTLED);
	assert_int_equal(lr.retry_after, 1);
	assert_int_equal(
	    auth_login(*state, &cfg, "ana", "correct horse battery", "10.0.0.3", t + 1, &lr, &err),
	    0);
}

static void test_password_policy(void **state)
{
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	assert_int_equal(auth_password_check("ana", "short", &err), UC_EINPUT);
	assert_int_equal(auth_password_check("ana", "          ", &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "spaces"));
	assert_int_equal(auth_password_check("ana", "\t \t \t \t \t ", &err), UC_EINPUT);
	assert_int_equal(auth_password_check("ana", "aaaaaaaaaaaa", &err), UC_EINPUT);
	assert_int_equal(auth_password_check("ana", "abababababab", &err), UC_EINPUT);
	assert_int_equal(auth_password_check("ana", "Password123", &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "common"));
	assert_int_equal(auth_password_check("ana", "QWERTYUIOP", &err), UC_EINPUT);
	assert_int_equal(auth_password_check("anabelle", "Anabelle2024!", &err), UC_EINPUT);
	assert_non_null(strstr(err.msg, "user name"));
	assert_int_equal(auth_password_check("ana", "correct horse battery", &err), 0);
	assert_int_equal(auth_password_check("lp2", "pw-lp2-0123", &err), 0);
	assert_int_equal(auth_password_check(NULL, "river stone lamp", &err), 0);
	/* the same policy on every path that sets a password */
	assert_int_equal(auth_user_passwd(*state, "ana", "          ", &err), UC_EINPUT);
	assert_int_equal(
	    auth_user_add(*state, "cy", AUTH_ROLE_ANALYST, NULL, NULL, "1234567890", &err),
	    UC_EINPUT);
}

static void test_tokens_disable(void **state)
{
	char tok[AUTH_APITOKEN_CHARS + 1], tok2[AUTH_APITOKEN_CHARS + 1];
	struct auth_token_opts ro = {2, 1};
	struct auth_user u;
	struct uc_err err = UC_ERR_INIT;
	time_t now = time(NULL);
	int64_t id = 0;

	assert_int_equal(auth_token_create(*state, "ana", "ci", NULL, tok, &id, &err), 0);
	assert_int_equal(strncmp(tok, "uct_", 4), 0);
	assert_int_equal(auth_token_check(*state, tok, now, &u, &err), 0);
	assert_string_equal(u.name, "ana");
	assert_int_equal(u.read_only, 0);
	/* expires after 90 days by default */
	assert_int_equal(auth_token_check(*state, tok, now + 89 * 86400, &u, &err), 0);
	assert_int_equal(auth_token_check(*state, tok, now + 91 * 86400, &u, &err), UC_EDENIED);
	assert_non_null(strstr(err.msg, "expired"));
	tok[10] ^= 1;
	assert_int_equal(auth_token_check(*state, tok, now, &u, &err), UC_EDENIED);
	tok[10] ^= 1;
	/* read-only, 2 days */
	assert_int_equal(auth_token_create(*state, "ana", "ro", &ro, tok2, &id, &err), 0);
	assert_int_equal(auth_token_check(*state, tok2, now, &u, &err), 0);
	assert_int_equal(u.read_only, 1);
	assert_int_equal(auth_token_check(*state, tok2, now + 3 * 86400, &u, &err), UC_EDENIED);
	ro.days = 400;
	assert_int_equal(auth_token_create(*state, "ana", "x", &ro, tok2, &id, &err), UC_EINPUT);
	/* a new password revokes the tokens made before it */
	assert_int_equal(auth_user_passwd(*state, "ana", "a whole new phrase", &err), 0);
	assert_int_equal(auth_token_check(*state, tok, now, &u, &err), UC_EDENIED);
	assert_int_equal(auth_token_create(*state, "ana", "ci", NULL, tok, &id, &err), 0);
	assert_int_equal(auth_token_check(*state, tok, now, &u, &err), 0);
	assert_int_equal(auth_user_disable(*state, "ana", &err), 0);
	assert_int_equal(auth_token_check(*state, tok, now, &u, &err), UC_EDENIED);
	assert_int_equal(auth_user_disable(*state, "zed", &err), UC_ENOTFOUND);
}

/* Collects what auth_user_list / auth_token_list hand over. */
struct seen {
	char names[8][AUTH_NAME_MAX + 2]; /* a name, "-" when disabled */
	int n;
	int64_t ids[8];
	int revoked[8];
};

static int see_user(void *arg, const struct auth_user *u, struct uc_err *err)
{
	struct seen *s = arg;

	(void)err;
	if (s->n < 8)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s%s", u->name,
			 u->disabled ? "-" : "");
	return UC_OK;
}

static int see_token(void *arg, const struct auth_token_info *t, struct uc_err *err)
{
	struct seen *s = arg;

	(void)err;
	if (s->n < 8) {
		s->ids[s->n] = t->id;
		s->revoked[s->n] = t->revoked;
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", t->user);
	}
	return UC_OK;
}

static void test_user_set(void **state)
{
	struct store *st = *state;
	struct uc_err err = UC_ERR_INIT;
	struct auth_user was, now;
	struct auth_user_change c;
	struct seen seen;

	assert_int_equal(
	    auth_user_add(st, "root", AUTH_ROLE_ADMIN, NULL, NULL, "long enough pw", &err), 0);
	/* officer of HOU -> supervisor: the office is kept */
	memset(&c, 0, sizeof(c));
	c.role = AUTH_ROLE_SUPERVISOR;
	assert_int_equal(auth_user_set(st, "ana", &c, &was, &now, &err), 0);
	assert_int_equal(was.role, AUTH_ROLE_OFFICER);
	assert_int_equal(now.role, AUTH_ROLE_SUPERVISOR);
	assert_string_equal(now.office, "HOU");
	/* the office alone */
	memset(&c, 0, sizeof(c));
	c.office = "DAL";
	assert_int_equal(auth_user_set(st, "ana", &c, NULL, &now, &err), 0);
	assert_string_equal(now.office, "DAL");
	assert_int_equal(auth_user_get(st, "ana", &now, &err), 0);
	assert_int_equal(now.role, AUTH_ROLE_SUPERVISOR);
	assert_string_equal(now.office, "DAL");
	/* analyst: the office is dropped; an office given is refused, by name */
	memset(&c, 0, sizeof(c));
	c.role = AUTH_ROLE_ANALYST;
	c.office = "DAL";
	assert_int_equal(auth_user_set(st, "ana", &c, NULL, NULL, &err), UC_EINPUT);
	assert_int_equal(strncmp(err.msg, "office: ", 8), 0);
	c.office = NULL;
	assert_int_equal(auth_user_set(st, "ana", &c, NULL, &now, &err), 0);
	assert_string_equal(now.office, "");
	/* back to officer needs an office; legal_provider a provider */
	c.role = AUTH_ROLE_OFFICER;
	assert_int_equal(auth_user_set(st, "ana", &c, NULL, NULL, &err), UC_EINPUT);
	assert_int_equal(strncmp(err.msg, "office: ", 8), 0);
	c.role = AUTH_ROLE_LEGAL_PROVIDER;
	assert_int_equal(auth_user_set(st, "ana", &c, NULL, NULL, &err), UC_EINPUT);
	assert_int_equal(strncmp(err.msg, "provider: ", 10), 0);
	c.provider = "KIND";
	assert_int_equal(auth_user_set(st, "ana", &c, NULL, &now, &err), 0);
	assert_string_equal(now.provider, "KIND");
	/* the last active admin keeps the role; with a second one it may go */
	memset(&c, 0, sizeof(c));
	c.role = AUTH_ROLE_AUDITOR;
	assert_int_equal(auth_user_set(st, "root", &c, NULL, NULL, &err), UC_ECONFLICT);
	assert_non_null(strstr(err.msg, "last active admin"));
	assert_int_equal(
	    auth_user_add(st, "root2", AUTH_ROLE_ADMIN, NULL, NULL, "long enough pw", &err), 0);
	assert_int_equal(auth_user_set(st, "root", &c, NULL, &now, &err), 0);
	assert_int_equal(now.role, AUTH_ROLE_AUDITOR);
	assert_int_equal(auth_user_set(st, "nobody", &c, NULL, NULL, &err), UC_ENOTFOUND);
	/* the list holds disabled users too, by name */
	assert_int_equal(auth_user_disable(st, "root", &err), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(auth_user_list(st, see_user, &seen, &err), 0);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.names[0], "ana");
	assert_string_equal(seen.names[1], "root-");
	assert_string_equal(seen.names[2], "root2");
}

static void test_token_list(void **state)
{
	struct store *st = *state;
	char tok[AUTH_APITOKEN_CHARS + 1];
	struct uc_err err = UC_ERR_INIT;
	int64_t a = 0, b = 0;
	struct auth_user u;
	struct seen seen;

	assert_int_equal(
	    auth_user_add(st, "bo", AUTH_ROLE_ANALYST, NULL, NULL, "long enough pw", &err), 0);
	assert_int_equal(auth_token_create(st, "ana", "one", NULL, tok, &a, &err), 0);
	assert_int_equal(auth_token_create(st, "bo", NULL, NULL, tok, &b, &err), 0);
	assert_true(a > 0 && b > a); /* RETURNING id */
	assert_int_equal(auth_token_revoke(st, a, 0, &err), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(auth_token_list(st, 0, see_token, &seen, &err), 0);
	assert_int_equal(seen.n, 2);
	assert_true(seen.ids[0] == a && seen.revoked[0] && !seen.revoked[1]);
	assert_int_equal(auth_user_get(st, "bo", &u, &err), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(auth_token_list(st, u.id, see_token, &seen, &err), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.names[0], "bo");
}

static void test_seal(void **state)
{
	unsigned char key[SEAL_KEY_BYTES], key2[SEAL_KEY_BYTES];
	char kp[300], *s = NULL, *p = NULL;
	struct uc_err err = UC_ERR_INIT;

	(void)state;
	snprintf(kp, sizeof(kp), "%s.key", path);
	unlink(kp);
	assert_int_equal(seal_key_create(kp, &err), 0);
	assert_int_not_equal(seal_key_create(kp, &err), 0);
	assert_int_equal(seal_key_load(kp, key, &err), 0);
	assert_int_equal(seal_note(key, "disclosed exploitation", &s, &err), 0);
	assert_true(seal_is_sealed(s));
	assert_null(strstr(s, "exploitation"));
	assert_int_equal(seal_open(key, s, &p, &err), 0);
	assert_string_equal(p, "disclosed exploitation");
	free(p);
	memcpy(key2, key, sizeof(key));
	key2[0] ^= 1;
	assert_int_equal(seal_open(key2, s, &p, &err), UC_EINPUT);
	free(s);
	/* the importer's form: the same note seals to the same text, another
	 * note or key to another, and it opens like seal_note's */
	{
		char *d1 = NULL, *d2 = NULL, *d3 = NULL, *d4 = NULL;

		assert_int_equal(seal_note_det(key, "disclosed exploitation", &d1, &err), 0);
		assert_int_equal(seal_note_det(key, "disclosed exploitation", &d2, &err), 0);
		assert_int_equal(seal_note_det(key, "disclosed exploitation.", &d3, &err), 0);
		assert_int_equal(seal_note_det(key2, "disclosed exploitation", &d4, &err), 0);
		assert_true(seal_is_sealed(d1));
		assert_null(strstr(d1, "exploitation"));
		assert_string_equal(d1, d2);
		assert_string_not_equal(d1, d3);
		assert_string_not_equal(d1, d4);
		assert_int_equal(seal_open(key, d1, &p, &err), 0);
		assert_string_equal(p, "disclosed exploitation");
		free(p);
		assert_int_equal(seal_open(key2, d1, &p, &err), UC_EINPUT);
		free(d1);
		free(d2);
		free(d3);
		free(d4);
	}
	unlink(kp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy),
	    cmocka_unit_test_setup_teardown(test_user_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_login_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_password_policy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tokens_disable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_set, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_token_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seal, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
