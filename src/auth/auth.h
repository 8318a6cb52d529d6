#ifndef UC_AUTH_H
#define UC_AUTH_H
/*
 * auth.h - users, passwords, sessions, API tokens, login throttling, and
 * the authorisation policy (role x scope) in one place.
 *
 * Passwords are argon2id strings (libsodium crypto_pwhash_str). Session
 * cookies and API tokens are 256-bit random values; only their BLAKE2b-256
 * hashes are stored. A session expires after `idle_s` without use and
 * `absolute_s` after login, whichever comes first. Failed logins are
 * counted over `fail_window_s` per user name and address, per user name
 * and per address; past a limit, each further try waits twice as long as
 * the previous one (1, 2, 4 ... at most `max_delay_s` seconds), and tries
 * made while waiting are refused without counting. Failures made from
 * elsewhere never slow a user at an address it has logged in from before
 * (table login_known), so nobody can lock a user or a shared proxy out.
 *
 * Usage:
 *
 *   struct auth_config cfg = AUTH_CONFIG_DEFAULT;
 *   struct auth_login_result lr;
 *   if (auth_login(st, &cfg, "ana", "pw", "127.0.0.1", time(NULL), &lr, &err))
 *           ... lr.fail says why (AUTH_FAIL_CREDENTIALS, _THROTTLED, ...)
 *   ... Set-Cookie: uc_session=lr.token; body: lr.csrf
 *   struct auth_user u; char csrf[AUTH_TOKEN_CHARS + 1];
 *   if (auth_session_check(st, &cfg, cookie, time(NULL), &u, csrf, &err)) 401
 *   if (!auth_allows(&u, AUTH_CAP_CASE_READ)) 403
 *
 * Authorisation: every HTTP route names one capability (enum auth_cap);
 * auth_allows() is the only place that maps roles to capabilities, and
 * auth_case_in_scope() / auth_office_allowed() the only places that decide
 * scope (DESIGN.md section 2). Threads: functions take the caller's store.
 */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/err.h"
#include "store/store.h"

enum auth_role {
	AUTH_ROLE_NONE = 0,
	AUTH_ROLE_ADMIN,
	AUTH_ROLE_SUPERVISOR,
	AUTH_ROLE_OFFICER,
	AUTH_ROLE_ANALYST,
	AUTH_ROLE_LEGAL_PROVIDER,
	AUTH_ROLE_AUDITOR,
};

#define AUTH_NAME_MAX 64    /* user names: 1..64 of [A-Za-z0-9._@-] */
#define AUTH_SCOPE_MAX 64   /* office and provider codes */
#define AUTH_TOKEN_CHARS 43 /* base64url of 32 random bytes */
#define AUTH_APITOKEN_PREFIX "uct_"
#define AUTH_PASSWORD_MIN 10   /* shortest accepted password */
#define AUTH_PASSWORD_MAX 1024 /* longest accepted password */

struct auth_user {
	int64_t id;			   /* app_user.id */
	char name[AUTH_NAME_MAX + 1];	   /* login name */
	enum auth_role role;		   /* the one role */
	char office[AUTH_SCOPE_MAX + 1];   /* field office scope, "" when none */
	char provider[AUTH_SCOPE_MAX + 1]; /* provider org scope, "" when none */
	int disabled;			   /* 1 when the account is disabled */
	int read_only;			   /* 1 when authenticated by a
					    * read-only API token */
};

struct auth_config {
	int idle_s;	   /* session idle expiry, seconds */
	int absolute_s;	   /* session absolute expiry, seconds */
	int fail_window_s; /* failed-login counting window, seconds */
	int max_fail_user; /* failures per user name within the window */
	int max_fail_addr; /* failures per client address within the window */
	int max_delay_s;   /* longest wait between tries past a limit */
};

#define AUTH_CONFIG_DEFAULT                                                                        \
	{                                                                                          \
		1800, 43200, 900, 5, 20, 60                                                        \
	}
#define AUTH_KNOWN_ADDR_DAYS 90 /* an address stays known this long */

/* Why a login or credential check failed (beyond err). */
enum auth_fail {
	AUTH_FAIL_NONE = 0,
	AUTH_FAIL_CREDENTIALS, /* unknown user, wrong password, disabled */
	AUTH_FAIL_THROTTLED,   /* too many failures: retry_after seconds */
	AUTH_FAIL_EXPIRED,     /* session idle or absolute expiry passed */
};

struct auth_login_result {
	enum auth_fail fail;		  /* why it failed, or NONE */
	int retry_after;		  /* seconds, when THROTTLED */
	struct auth_user user;		  /* the user, on success */
	char token[AUTH_TOKEN_CHARS + 1]; /* session cookie value */
	char csrf[AUTH_TOKEN_CHARS + 1];  /* CSRF token for unsafe methods */
};

/* Capabilities: what a route needs. */
enum auth_cap {
	AUTH_CAP_PUBLIC = 0,	   /* no authentication */
	AUTH_CAP_SELF,		   /* any authenticated user (own session, whoami) */
	AUTH_CAP_QUEUE_READ,	   /* the work queue */
	AUTH_CAP_CASE_SEARCH,	   /* search cases by name, A-number, birth date */
	AUTH_CAP_CASE_READ,	   /* one case, within scope */
	AUTH_CAP_EVENT_WRITE,	   /* record field events (type checked separately) */
	AUTH_CAP_OVERRIDE,	   /* override a group or hold, with a reason */
	AUTH_CAP_AUDIT_READ,	   /* the audit log */
	AUTH_CAP_USER_ADMIN,	   /* users and tokens of others */
	AUTH_CAP_FEED_IMPORT,	   /* upload feeds */
	AUTH_CAP_LINK_REVIEW,	   /* linkage review */
	AUTH_CAP_TRIAGE_RUN,	   /* triage runs and rule diffs */
	AUTH_CAP_REPORT_OVERSIGHT, /* oversight report (aggregates) */
	AUTH_CAP_REPORT_FTA,	   /* failure-to-appear list (personal data) */
	AUTH_CAP_ASSIGN,	   /* assign cases to officers (scope checked) */
	AUTH_CAP_COUNSEL_DECIDE,   /* confirm or reject counsel requests */
	AUTH_CAP_COUNT
};

/* Name of a role ("officer"), or "none". */
const char *auth_role_name(enum auth_role r);
/* Parse a role name; returns 0 or -1. */
int auth_role_parse(const char *s, enum auth_role *out);
/* Name of a capability (for messages and the audit log). */
const char *auth_cap_name(enum auth_cap c);

/* Role x capability: 1 when allowed. The one place roles are mapped. */
int auth_allows(const struct auth_user *u, enum auth_cap c);
/* 1 when the user may see a child's personal data unmasked. */
int auth_sees_pii(const struct auth_user *u);
/* 1 when the user may read the queue of office (NULL = all offices). */
int auth_office_allowed(const struct auth_user *u, const char *office);
/* 1 when auth_case_in_scope() reads counsel for u's role (legal
 * providers); callers may skip looking counsel up otherwise. */
int auth_scope_reads_counsel(const struct auth_user *u);
/* The one office whose cases are u's scope (officers and supervisors:
 * their own, "" when they have none), NULL when the scope is not one
 * office; a search narrows to it before auth_case_in_scope() decides. */
const char *auth_scope_office(const struct auth_user *u);
/*
 * Case scope: office is the case's field office (may be NULL), counsel the
 * providers that are counsel of record (n of them, borrowed). 1 when the
 * user may see the case.
 */
int auth_case_in_scope(const struct auth_user *u, const char *office, const char *const *counsel,
		       size_t n);
/* 1 when the user's role may record a field event of this type. */
int auth_may_record_event(const struct auth_user *u, const char *type);

/* Validate a user name; 0 or UC_EINPUT with a message. */
int auth_name_check(const char *name, struct uc_err *err);

/*
 * Users. auth_user_add() hashes password (argon2id, libsodium's
 * "interactive" limits). office is required for supervisor and officer,
 * provider for legal_provider; both are refused for other roles.
 */
int auth_user_add(struct store *st, const char *name, enum auth_role role, const char *office,
		  const char *provider, const char *password, struct uc_err *err);
int auth_user_passwd(struct store *st, const char *name, const char *password, struct uc_err *err);
/* Disable: ends the user's sessions and revokes its tokens too. */
int auth_user_disable(struct store *st, const char *name, struct uc_err *err);
int auth_user_get(struct store *st, const char *name, struct auth_user *out, struct uc_err *err);
/* Every user not disabled, by name: fn(arg, user, err); non-zero stops. */
typedef int (*auth_user_fn)(void *arg, const struct auth_user *u, struct uc_err *err);
int auth_user_each(struct store *st, auth_user_fn fn, void *arg, struct uc_err *err);
/* Every user, disabled ones too (u->disabled), by name (user admin). */
int auth_user_list(struct store *st, auth_user_fn fn, void *arg, struct uc_err *err);

/* Whether a role and its scopes go together: supervisor and officer need
 * an office, legal_provider a provider, no other role takes either
 * (NULL: none). 0, or UC_EINPUT whose message starts with the field at
 * fault ("role: ", "office: ", "provider: "). */
int auth_scope_fits(enum auth_role role, const char *office, const char *provider,
		    struct uc_err *err);

/* What auth_user_set() changes; the rest is kept. */
struct auth_user_change {
	enum auth_role role;  /* new role; AUTH_ROLE_NONE keeps it */
	const char *office;   /* new office; NULL keeps it while the role
			       * takes one (borrowed) */
	int clear_office;     /* 1: no office (with office NULL) */
	const char *provider; /* new provider; NULL keeps it while the role
			       * is legal_provider (borrowed) */
};
/*
 * Change a user's role and scopes, in one transaction: a scope the new
 * role does not take is dropped; the result must fit (auth_scope_fits,
 * whose UC_EINPUT names the field). The last active admin keeps the role
 * (UC_ECONFLICT, "role: ..."). UC_ENOTFOUND when there is no such user.
 * Sessions and tokens stay valid: they read the role on every use.
 * *before and *after (each may be NULL) get the user as it was and is.
 * The office is not checked against the field-office table
 * (triage_office_check): callers do that first.
 */
int auth_user_set(struct store *st, const char *name, const struct auth_user_change *c,
		  struct auth_user *before, struct auth_user *after, struct uc_err *err);

/* Password policy: 10 to 1024 bytes, not only blanks, at least 5
 * different characters, not the user name followed by digits or symbols
 * (name may be NULL) and not one of the most common passwords. 0 or
 * UC_EINPUT saying what to fix. */
int auth_password_check(const char *name, const char *password, struct uc_err *err);

/*
 * Log in. On success returns 0 with lr->token/csrf/user set and a session
 * row created. Wrong credentials and throttling return UC_EDENIED with
 * lr->fail set; every failure is counted. addr may be NULL.
 */
int auth_login(struct store *st, const struct auth_config *cfg, const char *name,
	       const char *password, const char *addr, time_t now, struct auth_login_result *lr,
	       struct uc_err *err);
/*
 * Check a session cookie value. On success fills *u and csrf (may be NULL)
 * and refreshes last_seen (at most once a second). Unknown, expired or
 * disabled: UC_EDENIED, with *fail (may be NULL) saying which.
 */
int auth_session_check(struct store *st, const struct auth_config *cfg, const char *token,
		       time_t now, struct auth_user *u, char csrf[AUTH_TOKEN_CHARS + 1],
		       enum auth_fail *fail, struct uc_err *err);
/* The same; *until (may be NULL) gets the last second the session is
 * valid without further use: min(now + idle_s, created + absolute_s).
 * Lets a caller cache the answer without outliving either expiry. */
int auth_session_check_until(struct store *st, const struct auth_config *cfg, const char *token,
			     time_t now, struct auth_user *u, char csrf[AUTH_TOKEN_CHARS + 1],
			     enum auth_fail *fail, time_t *until, struct uc_err *err);
/* Log out: delete the session (no error when it does not exist). */
int auth_session_end(struct store *st, const char *token, struct uc_err *err);

/* How a token is made: it expires after days (1..AUTH_TOKEN_DAYS_MAX);
 * a read-only token may call only routes that change nothing. */
#define AUTH_TOKEN_DAYS_DEFAULT 90
#define AUTH_TOKEN_DAYS_MAX 366
struct auth_token_opts {
	int days;      /* 0: AUTH_TOKEN_DAYS_DEFAULT */
	int read_only; /* 1: reads only */
};
/* Create an API token for user name; out gets "uct_" + 43 chars. A new
 * password or disabling the user revokes its tokens. opts may be NULL. */
#define AUTH_APITOKEN_CHARS (4 + AUTH_TOKEN_CHARS)
int auth_token_create(struct store *st, const char *name, const char *label,
		      const struct auth_token_opts *opts, char out[AUTH_APITOKEN_CHARS + 1],
		      int64_t *id, struct uc_err *err);
/* Check a bearer token; fills *u (u->read_only for a read-only token).
 * UC_EDENIED when unknown, revoked or expired. */
int auth_token_check(struct store *st, const char *token, time_t now, struct auth_user *u,
		     struct uc_err *err);
/* A token as listed (never its hash). */
struct auth_token_info {
	int64_t id;		      /* api_token.id */
	char user[AUTH_NAME_MAX + 1]; /* its user's name */
	const char *label;	      /* NULL when none; valid during fn */
	int64_t created_at;	      /* Unix time */
	int has_expiry;		      /* 0: expires_at unknown (never set) */
	int64_t expires_at;	      /* Unix time */
	int read_only;		      /* 1: a read-only token */
	int revoked;		      /* 1: revoked */
};
typedef int (*auth_token_fn)(void *arg, const struct auth_token_info *t, struct uc_err *err);
/* Every token (user_id 0) or those of user_id, by id: fn(arg, token, err);
 * non-zero stops and is returned. */
int auth_token_list(struct store *st, int64_t user_id, auth_token_fn fn, void *arg,
		    struct uc_err *err);
/* Revoke token id (owner_id > 0 restricts to that user's tokens). */
int auth_token_revoke(struct store *st, int64_t id, int64_t owner_id, struct uc_err *err);

/* Constant-time comparison of two NUL-terminated tokens: 1 when equal. */
int auth_token_equal(const char *a, const char *b);
/* BLAKE2b-256 of s as 64 hex chars + NUL. */
void auth_hash_hex(const char *s, char out[65]);

#endif
