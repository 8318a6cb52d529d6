/*
 * auth.c - users, passwords, sessions, tokens, throttling and policy.
 */
#include "auth/auth.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {
    "none", "admin", "supervisor", "officer", "analyst", "legal_provider", "auditor",
};

static const char *const cap_names[AUTH_CAP_COUNT] = {
    "public",		"self",	      "queue.read", "case.search",    "case.read",   "event.write",
    "override",		"audit.read", "user.admin", "feed.import",    "link.review", "triage.run",
    "report.oversight", "report.fta", "assign",	    "counsel.decide",
};

/*
 * The policy: one bit per capability for each role (DESIGN.md section 2).
 * Scope (office, counsel of record) is checked separately.
 */
#define CAP(c) (1u << (c))
static const unsigned role_caps[] = {
    [AUTH_ROLE_NONE] = 0,
    [AUTH_ROLE_ADMIN] = ~0u,
    [AUTH_ROLE_SUPERVISOR] =
	CAP(AUTH_CAP_SELF) | CAP(AUTH_CAP_QUEUE_READ) | CAP(AUTH_CAP_CASE_SEARCH) |
	CAP(AUTH_CAP_CASE_READ) | CAP(AUTH_CAP_EVENT_WRITE) | CAP(AUTH_CAP_OVERRIDE) |
	CAP(AUTH_CAP_REPORT_FTA) | CAP(AUTH_CAP_ASSIGN) | CAP(AUTH_CAP_COUNSEL_DECIDE),
    [AUTH_ROLE_OFFICER] = CAP(AUTH_CAP_SELF) | CAP(AUTH_CAP_QUEUE_READ) |
			  CAP(AUTH_CAP_CASE_SEARCH) | CAP(AUTH_CAP_CASE_READ) |
			  CAP(AUTH_CAP_EVENT_WRITE),
    [AUTH_ROLE_ANALYST] =
	CAP(AUTH_CAP_SELF) | CAP(AUTH_CAP_QUEUE_READ) | CAP(AUTH_CAP_CASE_SEARCH) |
	CAP(AUTH_CAP_CASE_READ) | CAP(AUTH_CAP_FEED_IMPORT) | CAP(AUTH_CAP_LINK_REVIEW) |
	CAP(AUTH_CAP_TRIAGE_RUN) | CAP(AUTH_CAP_REPORT_FTA) | CAP(AUTH_CAP_COUNSEL_DECIDE),
    [AUTH_ROLE_LEGAL_PROVIDER] = CAP(AUTH_CAP_SELF) | CAP(AUTH_CAP_CASE_SEARCH) |
				 CAP(AUTH_CAP_CASE_READ) | CAP(AUTH_CAP_EVENT_WRITE),
    [AUTH_ROLE_AUDITOR] = CAP(AUTH_CAP_SELF) | CAP(AUTH_CAP_QUEUE_READ) | CAP(AUTH_CAP_CASE_READ) |
			  CAP(AUTH_CAP_AUDIT_READ) | CAP(AUTH_CAP_REPORT_OVERSIGHT),
};

const char *auth_role_name(enum auth_role r)
{
	if ((int)r < 0 || (size_t)r >= sizeof(role_names) / sizeof(role_names[0]))
		return "none";
	return role_names[r];
}

int auth_role_parse(const char *s, enum auth_role *out)
{
	for (size_t i = 1; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (s && strcmp(s, role_names[i]) == 0) {
			*out = (enum auth_role)i;
			return 0;
		}
	}
	return -1;
}

const char *auth_cap_name(enum auth_cap c)
{
	if ((int)c < 0 || c >= AUTH_CAP_COUNT)
		return "?";
	return cap_names[c];
}

int auth_allows(const struct auth_user *u, enum auth_cap c)
{
	if (c == AUTH_CAP_PUBLIC)
		return 1;
	if (!u || u->disabled || (int)c < 0 || c >= AUTH_CAP_COUNT)
		return 0;
	if ((int)u->role <= 0 || u->role > AUTH_ROLE_AUDITOR)
		return 0;
	return (role_caps[u->role] & CAP(c)) != 0;
}

int auth_sees_pii(const struct auth_user *u)
{
	return u && u->role != AUTH_ROLE_AUDITOR && u->role != AUTH_ROLE_NONE;
}

int auth_office_allowed(const struct auth_user *u, const char *office)
{
	if (!auth_allows(u, AUTH_CAP_QUEUE_READ))
		return 0;
	if (u->role == AUTH_ROLE_SUPERVISOR || u->role == AUTH_ROLE_OFFICER)
		return office && strcmp(office, u->office) == 0;
	return 1;
}

int auth_scope_reads_counsel(const struct auth_user *u)
{
	return u->role == AUTH_ROLE_LEGAL_PROVIDER;
}

const char *auth_scope_office(const struct auth_user *u)
{
	return u->role == AUTH_ROLE_SUPERVISOR || u->role == AUTH_ROLE_OFFICER ? u->office : NULL;
}

int auth_case_in_scope(const struct auth_user *u, const char *office, const char *const *counsel,
		       size_t n)
{
	if (!auth_allows(u, AUTH_CAP_CASE_READ))
		return 0;
	switch (u->role) {
	case AUTH_ROLE_SUPERVISOR:
	case AUTH_ROLE_OFFICER:
		return office && u->office[0] && strcmp(office, u->office) == 0;
	case AUTH_ROLE_LEGAL_PROVIDER:
		for (size_t i = 0; i < n; i++)
			if (counsel[i] && u->provider[0] && strcmp(counsel[i], u->provider) == 0)
				return 1;
		return 0;
	default:
		return 1;
	}
}

int auth_may_record_event(const struct auth_user *u, const char *type)
{
	static const char *const field[] = {
	    "contact_attempt", "welfare_check", "trafficking_screening",
	    "address_update",  "nta_served",	"nta_filed",
	    "referral",	       "task_outcome",	NULL,
	};
	static const char *const legal[] = {
	    "representation", "orientation", "claim", "motion_to_reopen", NULL,
	};
	const char *const *list = NULL;

	if (!type || !auth_allows(u, AUTH_CAP_EVENT_WRITE))
		return 0;
	if (u->role == AUTH_ROLE_ADMIN)
		return 1;
	if (u->role == AUTH_ROLE_SUPERVISOR || u->role == AUTH_ROLE_OFFICER)
		list = field;
	else if (u->role == AUTH_ROLE_LEGAL_PROVIDER)
		list = legal;
	for (; list && *list; list++)
		if (strcmp(*list, type) == 0)
			return 1;
	return 0;
}

int auth_name_check(const char *name, struct uc_err *err)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > AUTH_NAME_MAX)
		return uc_error(err, UC_EINPUT, "user name must be 1 to %d characters",
				AUTH_NAME_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '@'))
			return uc_error(err, UC_EINPUT,
					"user name '%.64s': use only letters, digits and . _ - @",
					name);
	}
	return UC_OK;
}

/* Passwords of 10+ characters that top the public lists of leaked
 * passwords (compared without case). */
static const char *const common_pw[] = {
    "1234567890",   "12345678910",   "123456789a", "0123456789",    "0987654321",  "1111111111",
    "1q2w3e4r5t",   "1qaz2wsx3edc",  "abcdefghij", "asdfghjkl;",    "iloveyou12",  "password12",
    "password123",  "password1234",  "passw0rd12", "qwertyuiop",    "qwerty1234",  "qwerty12345",
    "qazwsxedcrfv", "zaq12wsxcde",   "contrasena", "contrasena123", "changeme123", "letmein123",
    "welcome123",   "administrator", "admin12345", "uctrack123",    NULL,
};

int auth_password_check(const char *name, const char *password, struct uc_err *err)
{
	size_t n = password ? strlen(password) : 0, blanks = 0, distinct = 0;
	unsigned char seen[256] = {0};

	if (n < AUTH_PASSWORD_MIN)
		return uc_error(err, UC_EINPUT, "password too short: use at least %d characters",
				AUTH_PASSWORD_MIN);
	if (n > AUTH_PASSWORD_MAX)
		return uc_error(err, UC_EINPUT, "password too long: use at most %d characters",
				AUTH_PASSWORD_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)password[i];

		if (c == ' ' || c == '\t')
			blanks++;
		if (!seen[c]++)
			distinct++;
	}
	if (blanks == n)
		return uc_error(err, UC_EINPUT,
				"password is only spaces: use words, letters or digits");
	if (distinct < 5)
		return uc_error(err, UC_EINPUT,
				"password repeats too few characters: use at least 5 "
				"different ones (a few unrelated words work well)");
	if (name && *name && strncasecmp(password, name, strlen(name)) == 0) {
		const char *rest = password + strlen(name);

		while (*rest && !isalpha((unsigned char)*rest))
			rest++;
		if (!*rest)
			return uc_error(err, UC_EINPUT,
					"password is the user name (plus digits or "
					"symbols): choose another");
	}
	for (int i = 0; common_pw[i]; i++)
		if (strcasecmp(password, common_pw[i]) == 0)
			return uc_error(err, UC_EINPUT,
					"password is one of the most common passwords: "
					"choose another");
	return UC_OK;
}

static int scope_check(const char *what, const char *v, struct uc_err *err)
{
	if (!v)
		return UC_OK;
	if (!*v || strlen(v) > AUTH_SCOPE_MAX)
		return uc_error(err, UC_EINPUT, "%s must be 1 to %d characters", what,
				AUTH_SCOPE_MAX);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return uc_error(err, UC_EINPUT, "%s contains a control character", what);
	return UC_OK;
}

void auth_hash_hex(const char *s, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int auth_token_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n != strlen(b) || n == 0)
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}

static void random_token(char out[AUTH_TOKEN_CHARS + 1])
{
	unsigned char r[32];

	randombytes_buf(r, sizeof(r));
	sodium_bin2base64(out, AUTH_TOKEN_CHARS + 1, r, sizeof(r),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], struct uc_err *err)
{
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return uc_error(err, UC_ENOMEM,
				"hashing the password ran out of memory (argon2id needs 64 MiB)");
	return UC_OK;
}

/* Run one parameterised statement with text/int arguments; fmt letters:
 * 's' text (NULL binds NULL), 'i' int64. *id (may be NULL) gets the first
 * column of the row it returns (RETURNING id), 0 when none. */
static int vexec(struct store *st, const char *sql, int64_t *id, struct uc_err *err,
		 const char *fmt, va_list ap)
{
	struct store_stmt *q = NULL;
	int rc;

	if (id)
		*id = 0;
	rc = store_prepare(st, sql, &q, err);
	if (rc)
		return rc;
	for (int i = 0; fmt[i]; i++) {
		if (fmt[i] == 's')
			store_bind_text(q, i + 1, va_arg(ap, const char *), -1);
		else
			store_bind_int(q, i + 1, va_arg(ap, int64_t));
	}
	rc = store_step(q, err);
	if (rc == STORE_ROW && id)
		*id = store_col_int(q, 0);
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

static int exec1(struct store *st, const char *sql, struct uc_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vexec(st, sql, NULL, err, fmt, ap);
	va_end(ap);
	return rc;
}

/* exec1() of an INSERT ... RETURNING id: *id gets the new row's id. */
static int exec1_id(struct store *st, const char *sql, int64_t *id, struct uc_err *err,
		    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vexec(st, sql, id, err, fmt, ap);
	va_end(ap);
	return rc;
}

int auth_user_add(struct store *st, const char *name, enum auth_role role, const char *office,
		  const char *provider, const char *password, struct uc_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	int64_t now = (int64_t)time(NULL);
	int rc;

	rc = auth_name_check(name, err);
	if (!rc)
		rc = scope_check("office", office, err);
	if (!rc)
		rc = scope_check("provider", provider, err);
	if (rc)
		return rc;
	if ((role == AUTH_ROLE_SUPERVISOR || role == AUTH_ROLE_OFFICER) && !office)
		return uc_error(err, UC_EINPUT, "role %s needs --office (its field office)",
				auth_role_name(role));
	if (role == AUTH_ROLE_LEGAL_PROVIDER && !provider)
		return uc_error(err, UC_EINPUT,
				"role legal_provider needs --provider (its organisation)");
	if (office && role != AUTH_ROLE_SUPERVISOR && role != AUTH_ROLE_OFFICER)
		return uc_error(err, UC_EINPUT, "--office applies to supervisor and officer only");
	if (provider && role != AUTH_ROLE_LEGAL_PROVIDER)
		return uc_error(err, UC_EINPUT, "--provider applies to legal_provider only");
	if (role == AUTH_ROLE_NONE)
		return uc_error(err, UC_EINPUT, "unknown role");
	rc = auth_password_check(name, password, err);
	if (!rc)
		rc = hash_password(password, hash, err);
	if (rc)
		return rc;
	rc = exec1(st,
		   "INSERT INTO app_user(name, role, office, provider, pwhash,"
		   " created_at, updated_at) VALUES(?,?,?,?,?,?,?)",
		   err, "sssssii", name, auth_role_name(role), office, provider, hash, now, now);
	if (rc == UC_ECONFLICT)
		return uc_error(err, UC_ECONFLICT,
				"user '%s' already exists; use `uctrack user passwd`", name);
	return rc;
}

static int user_changed(struct store *st, const char *name, struct uc_err *err)
{
	if (store_changes(st) == 0)
		return uc_error(err, UC_ENOTFOUND, "no user named '%.64s'", name);
	return UC_OK;
}

int auth_user_passwd(struct store *st, const char *name, const char *password, struct uc_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc;

	rc = auth_password_check(name, password, err);
	if (!rc)
		rc = hash_password(password, hash, err);
	if (!rc)
		rc = exec1(st, "UPDATE app_user SET pwhash = ?, updated_at = ? WHERE name = ?", err,
			   "sis", hash, (int64_t)time(NULL), name);
	if (!rc)
		rc = user_changed(st, name, err);
	if (!rc) /* a new password ends the old sessions */
		rc = exec1(st,
			   "DELETE FROM app_session WHERE user_id = "
			   "(SELECT id FROM app_user WHERE name = ?)",
			   err, "s", name);
	if (!rc) /* ... and revokes the tokens made with the old one */
		rc = exec1(st,
			   "UPDATE api_token SET revoked = 1 WHERE revoked = 0 AND"
			   " user_id = (SELECT id FROM app_user WHERE name = ?)",
			   err, "s", name);
	return rc;
}

int auth_user_disable(struct store *st, const char *name, struct uc_err *err)
{
	int rc;

	rc = store_begin(st, err);
	if (rc)
		return rc;
	rc = exec1(st, "UPDATE app_user SET disabled = 1, updated_at = ? WHERE name = ?", err, "is",
		   (int64_t)time(NULL), name);
	if (!rc)
		rc = user_changed(st, name, err);
	if (!rc)
		rc = exec1(st,
			   "DELETE FROM app_session WHERE user_id = "
			   "(SELECT id FROM app_user WHERE name = ?)",
			   err, "s", name);
	if (!rc)
		rc = exec1(st,
			   "UPDATE api_token SET revoked = 1 WHERE user_id = "
			   "(SELECT id FROM app_user WHERE name = ?)",
			   err, "s", name);
	if (!rc)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	return rc;
}

static void copy_col(char *dst, size_t n, struct store_stmt *q, int i)
{
	const char *s = store_col_text(q, i);

	snprintf(dst, n, "%s", s ? s : "");
}

/* Fill u from a row "id, name, role, office, provider, disabled" at col 0. */
static void user_from_row(struct store_stmt *q, struct auth_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = store_col_int(q, 0);
	copy_col(u->name, sizeof(u->name), q, 1);
	if (auth_role_parse(store_col_text(q, 2), &u->role))
		u->role = AUTH_ROLE_NONE;
	copy_col(u->office, sizeof(u->office), q, 3);
	copy_col(u->provider, sizeof(u->provider), q, 4);
	u->disabled = (int)store_col_int(q, 5);
}

#define USER_COLS "u.id, u.name, u.role, u.office, u.provider, u.disabled"

int auth_user_get(struct store *st, const char *name, struct auth_user *out, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_prepare(st, "SELECT " USER_COLS " FROM app_user u WHERE u.name = ?", &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, name, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		user_from_row(q, out);
		rc = UC_OK;
	} else if (rc == STORE_DONE) {
		rc = uc_error(err, UC_ENOTFOUND, "no user named '%.64s'", name);
	} else {
		rc = -rc;
	}
	store_finalize(q);
	return rc;
}

/* Each user the statement sql (USER_COLS of app_user u) reads, to fn. */
static int users_each(struct store *st, const char *sql, auth_user_fn fn, void *arg,
		      struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_prepare(st, sql, &q, err);
	if (rc)
		return rc;
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct auth_user u;

		user_from_row(q, &u);
		rc = fn(arg, &u, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return rc < 0 ? -rc : rc;
}

int auth_user_each(struct store *st, auth_user_fn fn, void *arg, struct uc_err *err)
{
	return users_each(st,
			  "SELECT " USER_COLS " FROM app_user u WHERE u.disabled = 0"
			  " ORDER BY u.name",
			  fn, arg, err);
}

int auth_user_list(struct store *st, auth_user_fn fn, void *arg, struct uc_err *err)
{
	return users_each(st, "SELECT " USER_COLS " FROM app_user u ORDER BY u.name", fn, arg, err);
}

static int role_takes_office(enum auth_role role)
{
	return role == AUTH_ROLE_SUPERVISOR || role == AUTH_ROLE_OFFICER;
}

int auth_scope_fits(enum auth_role role, const char *office, const char *provider,
		    struct uc_err *err)
{
	if (role == AUTH_ROLE_NONE)
		return uc_error(err, UC_EINPUT,
				"role: one of admin, supervisor, officer, "
				"analyst, legal_provider, auditor");
	if (role_takes_office(role) && !office)
		return uc_error(err, UC_EINPUT, "office: role %s needs a field office",
				auth_role_name(role));
	if (office && !role_takes_office(role))
		return uc_error(err, UC_EINPUT,
				"office: applies to supervisor and officer only, not %s",
				auth_role_name(role));
	if (role == AUTH_ROLE_LEGAL_PROVIDER && !provider)
		return uc_error(err, UC_EINPUT,
				"provider: role legal_provider needs its organisation");
	if (provider && role != AUTH_ROLE_LEGAL_PROVIDER)
		return uc_error(err, UC_EINPUT, "provider: applies to legal_provider only, not %s",
				auth_role_name(role));
	return UC_OK;
}

int auth_user_set(struct store *st, const char *name, const struct auth_user_change *c,
		  struct auth_user *before, struct auth_user *after, struct uc_err *err)
{
	struct auth_user was, now;
	int64_t admins = 0;
	int rc;

	rc = scope_check("office", c->office, err);
	if (!rc)
		rc = scope_check("provider", c->provider, err);
	if (rc)
		return rc;
	rc = store_begin(st, err);
	if (rc)
		return rc;
	rc = auth_user_get(st, name, &was, err);
	if (rc)
		goto out;
	now = was;
	if (c->role != AUTH_ROLE_NONE)
		now.role = c->role;
	/* Kept scopes go with the role: a new role that takes none drops
	 * them, one that takes the old one keeps it. */
	if (c->office)
		snprintf(now.office, sizeof(now.office), "%s", c->office);
	else if (!role_takes_office(now.role) || c->clear_office)
		now.office[0] = '\0';
	if (c->provider)
		snprintf(now.provider, sizeof(now.provider), "%s", c->provider);
	else if (now.role != AUTH_ROLE_LEGAL_PROVIDER)
		now.provider[0] = '\0';
	rc = auth_scope_fits(now.role, now.office[0] ? now.office : NULL,
			     now.provider[0] ? now.provider : NULL, err);
	if (rc)
		goto out;
	if (was.role == AUTH_ROLE_ADMIN && now.role != AUTH_ROLE_ADMIN && !was.disabled) {
		struct store_stmt *q = NULL;

		rc = store_prepare(st,
				   "SELECT count(*) FROM app_user WHERE role = 'admin'"
				   " AND disabled = 0",
				   &q, err);
		if (!rc) {
			rc = store_step(q, err);
			admins = rc == STORE_ROW ? store_col_int(q, 0) : 0;
			rc = rc < 0 ? -rc : UC_OK;
		}
		store_finalize(q);
		if (!rc && admins <= 1)
			rc = uc_error(err, UC_ECONFLICT,
				      "role: '%.64s' is the last active admin; make another "
				      "user admin first",
				      name);
		if (rc)
			goto out;
	}
	rc = exec1(st,
		   "UPDATE app_user SET role = ?, office = ?, provider = ?, updated_at = ?"
		   " WHERE id = ?",
		   err, "sssii", auth_role_name(now.role), now.office[0] ? now.office : NULL,
		   now.provider[0] ? now.provider : NULL, (int64_t)time(NULL), was.id);
	if (!rc)
		rc = store_commit(st, err);
out:
	if (rc) {
		store_rollback(st);
		return rc;
	}
	if (before)
		*before = was;
	if (after)
		*after = now;
	return UC_OK;
}

/* Failures of kind/key after since: how many, and when the last one was. */
static int count_failures(struct store *st, const char *kind, const char *key, int64_t since,
			  int64_t *n, int64_t *last, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	*n = 0;
	*last = since;
	rc = store_prepare(st,
			   "SELECT count(*), max(at) FROM login_failure"
			   " WHERE kind = ? AND key = ? AND at > ?",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, kind, -1);
	store_bind_text(q, 2, key, -1);
	store_bind_int(q, 3, since);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		*n = store_col_int(q, 0);
		if (!store_col_is_null(q, 1))
			*last = store_col_int(q, 1);
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

/* The key of a (user name, address) pair in login_failure. */
static void pair_key(char *out, size_t size, const char *name, const char *addr)
{
	snprintf(out, size, "%s|%s", name, addr ? addr : "");
}

static int record_failure(struct store *st, const char *name, const char *addr, int64_t now,
			  struct uc_err *err)
{
	char pk[AUTH_NAME_MAX + 80];
	int rc = exec1(st, "INSERT INTO login_failure(kind, key, at) VALUES('user', ?, ?)", err,
		       "si", name, now);

	pair_key(pk, sizeof(pk), name, addr);
	if (!rc)
		rc = exec1(st, "INSERT INTO login_failure(kind, key, at) VALUES('pair', ?, ?)", err,
			   "si", pk, now);
	if (!rc && addr)
		rc = exec1(st, "INSERT INTO login_failure(kind, key, at) VALUES('addr', ?, ?)", err,
			   "si", addr, now);
	/* Keep the table small: forget failures older than a day. */
	if (!rc)
		rc = exec1(st, "DELETE FROM login_failure WHERE at < ?", err, "i", now - 86400);
	return rc;
}

/*
 * Seconds to wait before the next try after n failures (the last at
 * last) against a limit of max: none below the limit, then 1, 2, 4 ...
 * up to max_delay seconds after the last failure.
 */
static int64_t backoff(int64_t n, int64_t last, int max, int max_delay, int64_t now)
{
	int64_t d;

	if (n < max)
		return 0;
	d = n - max >= 20 ? max_delay : (int64_t)1 << (n - max);
	if (d > max_delay)
		d = max_delay;
	d = last + d - now;
	return d > 0 ? d : 0;
}

/* How long name at addr must wait (0: may try now). */
static int login_wait(struct store *st, const struct auth_config *cfg, const char *name,
		      int64_t uid, const char *addr, int64_t now, int64_t *wait, struct uc_err *err)
{
	int64_t since = now - cfg->fail_window_s, n, last, known = 0, w;
	int max_delay = cfg->max_delay_s > 0 ? cfg->max_delay_s : 60;
	char pk[AUTH_NAME_MAX + 80];
	int rc;

	*wait = 0;
	pair_key(pk, sizeof(pk), name, addr);
	rc = count_failures(st, "pair", pk, since, &n, &last, err);
	if (rc)
		return rc;
	*wait = backoff(n, last, cfg->max_fail_user, max_delay, now);
	if (uid && addr) {
		struct store_stmt *q = NULL;

		rc = store_prepare(st,
				   "SELECT 1 FROM login_known WHERE user_id = ?"
				   " AND addr = ? AND last_ok > ?",
				   &q, err);
		if (rc)
			return rc;
		store_bind_int(q, 1, uid);
		store_bind_text(q, 2, addr, -1);
		store_bind_int(q, 3, now - (int64_t)AUTH_KNOWN_ADDR_DAYS * 86400);
		rc = store_step(q, err);
		store_finalize(q);
		if (rc < 0)
			return -rc;
		known = rc == STORE_ROW;
	}
	if (known)
		return UC_OK;
	/* From an address this user has not logged in from: failures against
	 * the name from anywhere, and from this address against any name. */
	rc = count_failures(st, "user", name, since, &n, &last, err);
	if (rc)
		return rc;
	w = backoff(n, last, cfg->max_fail_user, max_delay, now);
	if (w > *wait)
		*wait = w;
	if (addr) {
		rc = count_failures(st, "addr", addr, since, &n, &last, err);
		if (rc)
			return rc;
		w = backoff(n, last, cfg->max_fail_addr, max_delay, now);
		if (w > *wait)
			*wait = w;
	}
	return UC_OK;
}

/* A fixed hash to verify against, so unknown users cost as much as known
 * ones (no user enumeration by timing). Computed once, thread-safely. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	if (crypto_pwhash_str(dummy_hash, "not-a-password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy_hash[0] = '\0';
}

static void dummy_verify(const char *password)
{
	int wasted = -1;

	pthread_once(&dummy_once, dummy_init);
	if (dummy_hash[0])
		wasted = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
	(void)wasted;
}

int auth_login(struct store *st, const struct auth_config *cfg, const char *name,
	       const char *password, const char *addr, time_t now, struct auth_login_result *lr,
	       struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char pwhash[crypto_pwhash_STRBYTES] = "", pk[AUTH_NAME_MAX + 80];
	char thash[65];
	int64_t wait = 0;
	int rc, found = 0, ok = 0;

	memset(lr, 0, sizeof(*lr));
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	rc = store_prepare(st,
			   "SELECT " USER_COLS ", u.pwhash FROM app_user u"
			   " WHERE u.name = ?",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, name, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		user_from_row(q, &lr->user);
		copy_col(pwhash, sizeof(pwhash), q, 6);
		found = 1;
	}
	store_finalize(q);
	if (rc < 0)
		return -rc;
	rc = login_wait(st, cfg, name, found ? lr->user.id : 0, addr, (int64_t)now, &wait, err);
	if (rc)
		return rc;
	if (wait > 0) {
		/* Not counted: waiting out the delay is all it takes. */
		memset(&lr->user, 0, sizeof(lr->user));
		lr->fail = AUTH_FAIL_THROTTLED;
		lr->retry_after = (int)wait;
		return uc_error(err, UC_EDENIED, "too many failed logins; try again in %d seconds",
				lr->retry_after);
	}
	if (found && pwhash[0])
		ok = crypto_pwhash_str_verify(pwhash, password, strlen(password)) == 0;
	else
		dummy_verify(password);
	if (!ok || lr->user.disabled || lr->user.role == AUTH_ROLE_NONE) {
		memset(&lr->user, 0, sizeof(lr->user));
		lr->fail = AUTH_FAIL_CREDENTIALS;
		rc = record_failure(st, name, addr, (int64_t)now, err);
		if (rc)
			return rc;
		return uc_error(err, UC_EDENIED,
				"wrong user name or password (or the account is disabled)");
	}
	random_token(lr->token);
	random_token(lr->csrf);
	auth_hash_hex(lr->token, thash);
	pair_key(pk, sizeof(pk), name, addr);
	rc = exec1(st,
		   "INSERT INTO app_session(token_hash, user_id, csrf, created_at,"
		   " last_seen, addr) VALUES(?,?,?,?,?,?)",
		   err, "sisiis", thash, lr->user.id, lr->csrf, (int64_t)now, (int64_t)now, addr);
	if (!rc)
		rc = exec1(st, "DELETE FROM login_failure WHERE kind = 'pair' AND key = ?", err,
			   "s", pk);
	/* This address is now one the user logs in from. */
	if (!rc && addr)
		rc = exec1(st,
			   "INSERT INTO login_known(user_id, addr, last_ok) VALUES(?,?,?)"
			   " ON CONFLICT(user_id, addr) DO UPDATE SET last_ok = excluded.last_ok",
			   err, "isi", lr->user.id, addr, (int64_t)now);
	if (!rc)
		rc = exec1(st, "DELETE FROM login_known WHERE user_id = ? AND last_ok < ?", err,
			   "ii", lr->user.id, (int64_t)now - (int64_t)AUTH_KNOWN_ADDR_DAYS * 86400);
	/* Expired sessions of this user are garbage now. */
	if (!rc)
		rc = exec1(st,
			   "DELETE FROM app_session WHERE user_id = ? AND"
			   " (last_seen < ? OR created_at < ?)",
			   err, "iii", lr->user.id, (int64_t)now - cfg->idle_s,
			   (int64_t)now - cfg->absolute_s);
	return rc;
}

int auth_session_check(struct store *st, const struct auth_config *cfg, const char *token,
		       time_t now, struct auth_user *u, char csrf[AUTH_TOKEN_CHARS + 1],
		       enum auth_fail *fail, struct uc_err *err)
{
	return auth_session_check_until(st, cfg, token, now, u, csrf, fail, NULL, err);
}

int auth_session_check_until(struct store *st, const struct auth_config *cfg, const char *token,
			     time_t now, struct auth_user *u, char csrf[AUTH_TOKEN_CHARS + 1],
			     enum auth_fail *fail, time_t *until, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char thash[65];
	int64_t created = 0, seen = 0;
	int rc, found = 0;

	if (fail)
		*fail = AUTH_FAIL_CREDENTIALS;
	if (!token || strlen(token) != AUTH_TOKEN_CHARS)
		return uc_error(err, UC_EDENIED, "no valid session; log in again");
	auth_hash_hex(token, thash);
	rc = store_prepare(st,
			   "SELECT " USER_COLS ", s.csrf, s.created_at, s.last_seen"
			   " FROM app_session s JOIN app_user u ON u.id = s.user_id"
			   " WHERE s.token_hash = ?",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, thash, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		user_from_row(q, u);
		if (csrf)
			copy_col(csrf, AUTH_TOKEN_CHARS + 1, q, 6);
		created = store_col_int(q, 7);
		seen = store_col_int(q, 8);
		found = 1;
	}
	store_finalize(q);
	if (rc < 0)
		return -rc;
	if (!found || u->disabled)
		return uc_error(err, UC_EDENIED, "no valid session; log in again");
	if ((int64_t)now - seen > cfg->idle_s || (int64_t)now - created > cfg->absolute_s) {
		if (fail)
			*fail = AUTH_FAIL_EXPIRED;
		(void)auth_session_end(st, token, NULL);
		return uc_error(err, UC_EDENIED, "session expired; log in again");
	}
	if ((int64_t)now > seen) {
		rc = exec1(st, "UPDATE app_session SET last_seen = ? WHERE token_hash = ?", err,
			   "is", (int64_t)now, thash);
		if (rc)
			return rc;
	}
	if (until) {
		int64_t idle_end = (int64_t)now + cfg->idle_s;
		int64_t abs_end = created + cfg->absolute_s;

		*until = (time_t)(idle_end < abs_end ? idle_end : abs_end);
	}
	if (fail)
		*fail = AUTH_FAIL_NONE;
	return UC_OK;
}

int auth_session_end(struct store *st, const char *token, struct uc_err *err)
{
	char thash[65];

	if (!token)
		return UC_OK;
	auth_hash_hex(token, thash);
	return exec1(st, "DELETE FROM app_session WHERE token_hash = ?", err, "s", thash);
}

int auth_token_create(struct store *st, const char *name, const char *label,
		      const struct auth_token_opts *opts, char out[AUTH_APITOKEN_CHARS + 1],
		      int64_t *id, struct uc_err *err)
{
	struct auth_user u;
	char raw[AUTH_TOKEN_CHARS + 1], thash[65];
	int days = opts && opts->days ? opts->days : AUTH_TOKEN_DAYS_DEFAULT;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if (days < 1 || days > AUTH_TOKEN_DAYS_MAX)
		return uc_error(err, UC_EINPUT, "a token lives 1 to %d days (asked for %d)",
				AUTH_TOKEN_DAYS_MAX, days);
	if (sodium_init() < 0)
		return uc_error(err, UC_EINTERNAL, "libsodium failed to initialise");
	rc = auth_user_get(st, name, &u, err);
	if (rc)
		return rc;
	if (u.disabled)
		return uc_error(err, UC_ECONFLICT, "user '%s' is disabled", name);
	random_token(raw);
	snprintf(out, AUTH_APITOKEN_CHARS + 1, "%s%s", AUTH_APITOKEN_PREFIX, raw);
	auth_hash_hex(out, thash);
	return exec1_id(st,
			"INSERT INTO api_token(token_hash, user_id, label, created_at,"
			" expires_at, read_only) VALUES(?,?,?,?,?,?) RETURNING id",
			id, err, "sisiii", thash, u.id, label, now, now + (int64_t)days * 86400,
			(int64_t)(opts && opts->read_only));
}

int auth_token_check(struct store *st, const char *token, time_t now, struct auth_user *u,
		     struct uc_err *err)
{
	struct store_stmt *q = NULL;
	char thash[65];
	int64_t expires = 0;
	int rc, found = 0, ro = 0;

	if (!token || strlen(token) != AUTH_APITOKEN_CHARS ||
	    strncmp(token, AUTH_APITOKEN_PREFIX, 4) != 0)
		return uc_error(err, UC_EDENIED, "invalid API token");
	auth_hash_hex(token, thash);
	rc = store_prepare(st,
			   "SELECT " USER_COLS ", t.expires_at, t.read_only"
			   " FROM api_token t JOIN app_user u ON u.id = t.user_id"
			   " WHERE t.token_hash = ? AND t.revoked = 0",
			   &q, err);
	if (rc)
		return rc;
	store_bind_text(q, 1, thash, -1);
	rc = store_step(q, err);
	if (rc == STORE_ROW) {
		user_from_row(q, u);
		expires = store_col_int(q, 6);
		ro = store_col_int(q, 7) != 0;
		found = 1;
	}
	store_finalize(q);
	if (rc < 0)
		return -rc;
	if (!found || u->disabled)
		return uc_error(err, UC_EDENIED, "invalid or revoked API token");
	if (expires <= (int64_t)now) {
		memset(u, 0, sizeof(*u));
		return uc_error(err, UC_EDENIED,
				"API token expired; ask for a new one (uctrack token "
				"create, or POST /api/v1/tokens)");
	}
	u->read_only = ro;
	return UC_OK;
}

int auth_token_revoke(struct store *st, int64_t id, int64_t owner_id, struct uc_err *err)
{
	int rc = exec1(st,
		       "UPDATE api_token SET revoked = 1 WHERE id = ?"
		       " AND (? = 0 OR user_id = ?)",
		       err, "iii", id, owner_id, owner_id);

	if (!rc && store_changes(st) == 0)
		return uc_error(err, UC_ENOTFOUND, "no API token with id %lld", (long long)id);
	return rc;
}

int auth_token_list(struct store *st, int64_t user_id, auth_token_fn fn, void *arg,
		    struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc;

	rc = store_prepare(st,
			   "SELECT t.id, u.name, t.label, t.created_at, t.expires_at,"
			   " t.read_only, t.revoked"
			   " FROM api_token t JOIN app_user u ON u.id = t.user_id"
			   " WHERE ? = 0 OR t.user_id = ? ORDER BY t.id",
			   &q, err);
	if (rc)
		return rc;
	store_bind_int(q, 1, user_id);
	store_bind_int(q, 2, user_id);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		struct auth_token_info ti;

		memset(&ti, 0, sizeof(ti));
		ti.id = store_col_int(q, 0);
		copy_col(ti.user, sizeof(ti.user), q, 1);
		ti.label = store_col_text(q, 2);
		ti.created_at = store_col_int(q, 3);
		ti.has_expiry = !store_col_is_null(q, 4);
		ti.expires_at = store_col_int(q, 4);
		ti.read_only = store_col_int(q, 5) != 0;
		ti.revoked = store_col_int(q, 6) == 1;
		rc = fn(arg, &ti, err);
		if (rc)
			break;
	}
	store_finalize(q);
	return rc < 0 ? -rc : rc;
}
