#ifndef UC_HTTP_SERVER_H
#define UC_HTTP_SERVER_H
/*
 * server.h - the HTTP server: libmicrohttpd thread pool, router, and the
 * one place where authentication, CSRF, authorisation, purpose headers,
 * PII masking, error mapping (RFC 9457 problem+json) and auditing happen.
 *
 * Handlers (src/http/api_*.c, table in api.c) are plain functions
 *
 *   int handler(struct http_req *r, struct uc_err *err);
 *
 * that read r (user, path parameters, query, parsed body, this thread's
 * store) and either set r->out (a JSON value, owned by r) and maybe
 * r->status, or return a uc_rc with err filled. They never write HTTP
 * themselves. Each route declares the capability it needs, whether it
 * touches a child's personal data (RT_PII: purpose header required, read
 * audited, masked for roles without PII access), whether it writes
 * (RT_WRITE: CSRF checked, audited) and whether it names a case (RT_CASE:
 * the case's scope is checked before the handler runs).
 *
 * Usage:
 *
 *   struct http_config cfg = HTTP_CONFIG_DEFAULT;
 *   cfg.db_path = "uctrack.db";
 *   struct http_server *s;
 *   if (http_start(&s, &cfg, &err)) ...
 *   printf("listening on %d\n", http_port(s));
 *   ... wait for SIGTERM ...
 *   http_stop(s);   // stops accepting, finishes requests in flight
 */
#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

struct atree_signer;

struct http_config {
	const char *db_path;		 /* database, one connection per thread */
	const char *listen_host;	 /* address to bind, e.g. "127.0.0.1" */
	int port;			 /* port; 0 picks a free one */
	int threads;			 /* thread pool size */
	int timeout_s;			 /* idle connection timeout */
	size_t max_body;		 /* largest request body accepted (bytes) */
	size_t max_upload;		 /* largest feed upload accepted (bytes) */
	int max_connections;		 /* concurrent connections */
	int secure_cookies;		 /* 1: add Secure (behind a TLS proxy) */
	const char *trusted_proxy;	 /* take client address from X-Forwarded-For
					    when the peer is this address; NULL: never */
	const char *key_file;		 /* secretbox key for sensitive notes */
	const char *eoir_lookup;	 /* EOIR lookup tables (CSV) loaded at start
					    for EOIR feed uploads; NULL: none */
	struct auth_config auth;	 /* session expiry and throttling */
	int shutdown_grace_s;		 /* longest wait for in-flight requests */
	int request_ms;			 /* deadline of a request's database work */
	int batch_ms;			 /* the same for RT_BATCH routes (imports,
					    triage runs) */
	int max_per_ip;			 /* concurrent connections from one address */
	int report_refresh_s;		 /* a stale report snapshot is recomputed at
					    most this often (seconds) */
	const char *proxy_secret;	 /* trusted_proxy must send it in
					    X-Uctrack-Proxy-Secret for its
					    X-Forwarded-For to count; required
					    with trusted_proxy */
	struct atree_signer *audit_ckpt; /* signs audit checkpoints on the
				      checkpointer thread; borrowed, NULL: none */
};

#define HTTP_CONFIG_DEFAULT                                                                        \
	{                                                                                          \
		NULL, "127.0.0.1", 8080, 4, 30, 64 * 1024, 64 * 1024 * 1024, 512, 0, NULL, NULL,   \
		    NULL, AUTH_CONFIG_DEFAULT, 5, 10000, 600000, 128, 300, NULL, NULL              \
	}

/* Route flags. */
#define RT_PII 0x1     /* reads or returns a child's personal data */
#define RT_WRITE 0x2   /* changes state: CSRF checked, always audited */
#define RT_CASE 0x4    /* path parameter 1 is a case id: scope checked */
#define RT_BODY 0x8    /* expects a JSON object body */
#define RT_UPLOAD 0x10 /* raw body up to max_upload (feed files) */
#define RT_BATCH                                                                                   \
	0x20 /* a batch job (import, triage run): batch_ms deadline                                \
		instead of request_ms, and outside the plan guard */

struct http_req;
struct tctx;
typedef int (*http_handler)(struct http_req *r, struct uc_err *err);

/* One route of the API (table in api.c). */
struct http_route {
	const char *method;  /* "GET", "POST", "DELETE" */
	const char *pattern; /* path under /api/v1, "{x}" matches a segment */
	enum auth_cap cap;   /* capability needed */
	int flags;	     /* RT_* */
	const char *query;   /* allowed query parameters, comma-separated */
	const char *action;  /* audit action name, e.g. "case.read" */
	http_handler fn;     /* the handler */
};

#define HTTP_MAX_PARAMS 4

/* Hints that refine the uc_rc -> HTTP status mapping (server.c). */
enum http_hint {
	HTTP_HINT_NONE = 0,
	HTTP_HINT_UNAUTHENTICATED, /* 401 */
	HTTP_HINT_THROTTLED,	   /* 429 (retry_after) */
	HTTP_HINT_METHOD,	   /* 405 */
	HTTP_HINT_MEDIA,	   /* 415 */
	HTTP_HINT_UNAVAILABLE,	   /* 503 */
};

struct http_server;

/* One request, owned by the server; handlers read and fill it. */
struct http_req {
	struct http_server *srv;	    /* the server */
	void *conn;			    /* struct MHD_Connection * */
	const char *method;		    /* request method, borrowed */
	const char *url;		    /* path as requested, borrowed */
	const struct http_route *route;	    /* matched route, or NULL */
	char *params[HTTP_MAX_PARAMS];	    /* decoded path parameters, owned */
	int nparams;			    /* number of path parameters */
	struct buf body;		    /* raw request body */
	int too_large;			    /* body exceeded its cap */
	json_t *json;			    /* parsed body (RT_BODY), owned */
	struct store *st;		    /* this thread's store, borrowed */
	struct tctx *tctx;		    /* this thread's context, borrowed */
	struct auth_user user;		    /* authenticated user */
	int authed;			    /* user is set */
	int via_cookie;			    /* authenticated by session cookie */
	char session[AUTH_TOKEN_CHARS + 1]; /* session cookie value, if any */
	char csrf[AUTH_TOKEN_CHARS + 1];    /* the session's CSRF token */
	const char *purpose;		    /* X-Purpose header, borrowed */
	char addr[64];			    /* client address */
	int64_t case_id;		    /* RT_CASE: the case id */
	/* response */
	int status;	     /* 0: 200, or as set by the handler */
	json_t *out;	     /* response body, owned */
	struct buf text;     /* or: response body already as JSON
				text (fast paths; masked by the
				handler itself), used when out is
				NULL and text.len > 0 */
	const char *ctype;   /* Content-Type of text (NULL: JSON) */
	char allow[48];	     /* 405: the methods the path allows */
	json_t *problem_ext; /* extra members of an error's
				problem+json (e.g. "errors"), owned */
	char *set_cookie;    /* Set-Cookie value, owned */
	enum http_hint hint; /* status refinement for errors */
	int retry_after;     /* seconds, for 429 */
	/* audit */
	char target[96];	     /* audit target, e.g. "case:42" */
	char snapshot[96];	     /* X-Report-Snapshot header, "" none */
	struct buf detail;	     /* audit detail (no PII) */
	int audited;		     /* handler already wrote the entry */
	int audit_read;		     /* audit this read although the route
					is not RT_PII (the audit log, an
					unsuppressed report) */
	struct buf subjects;	     /* the children the response names,
					comma-separated (a handler appends
					them): written as entries
					ACTION.children before the
					request's own (audit_children) */
	const char *action_override; /* audit action, when not the route's */
	double started;		     /* monotonic start time */
	/* asynchronous audit (reads): the connection is suspended until the
	 * writer thread has committed the entry */
	int audit_state;	   /* 0 none, 1 waiting, 2 committed,
				      3 refused (stale cached page) */
	int audit_rc;		   /* the commit's result */
	struct uc_err audit_err;   /* its error */
	int page_hit;		   /* body came from the page cache: its
				      entry is conditional on page_gen
				      (audit_writer_submit_async_if) */
	uint64_t page_gen;	   /* audit_writer_gen() of that page */
	int page_bypass;	   /* re-run after a refused entry: do not
				      use the page cache */
	int bg_wait;		   /* 0 none; 1 suspended until a
				      background job is done
				      (http_wait_background); 2 resumed;
				      3 handler running again */
	int handler_rc;		   /* pipeline result kept across it */
	struct uc_err handler_err; /* its error */
};

int http_start(struct http_server **out, const struct http_config *cfg, struct uc_err *err);
/* The bound port (useful with port 0). */
int http_port(const struct http_server *s);
/* Graceful stop: stop accepting, wait (up to shutdown_grace_s) for
 * requests in flight, then free. Accepts NULL. */
void http_stop(struct http_server *s);
/* The server's configuration (borrowed, read-only). */
const struct http_config *http_config_of(const struct http_server *s);

/* Query parameter name (already checked against the route), or NULL. */
const char *http_query(struct http_req *r, const char *name);
/*
 * Parse a request parameter s (query or path; may be NULL) as a decimal
 * integer in [min, max]. On failure fills err with "WHAT: expected an
 * integer in MIN..MAX" (UC_EINPUT, a 400) and returns its code.
 */
int http_param_int(const char *what, const char *s, long long min, long long max, long long *out,
		   struct uc_err *err);
struct hj_out;
/*
 * End a handler that built its response with an hj_out builder: on success
 * (rc == 0 and the builder did not fail) the root object becomes r->out
 * (the request takes ownership); otherwise the builder is released and the
 * error returned (a failed builder is UC_ENOMEM "response too large").
 */
int http_reply_json(struct http_req *r, struct hj_out *o, int rc, struct uc_err *err);
/* Request header, or NULL. */
const char *http_header(struct http_req *r, const char *name);
/* Append printf-style text to the audit detail. */
void http_detail(struct http_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write r's audit entry now inside the caller's transaction on r->st
 * (writes: the change and its entry commit together). */
int http_audit_tx(struct http_req *r, const char *outcome, struct uc_err *err);

/*
 * This thread's triage handle (triage.h) with the active rule set and
 * offices, kept across requests (opening one compiles the rule set and
 * prepares ~30 statements: far too slow per write) and refreshed per call
 * with triage_refresh(): reopened when a triage run changed the rule set
 * or offices. *out is borrowed (do not close it). Fails (e.g. no triage
 * run yet) with err set.
 */
struct triage;
int http_triage(struct http_req *r, struct triage **out, struct uc_err *err);

/*
 * Per-thread page cache for hot reads (the queue page). A cached page is
 * never served stale: it is built after reading audit_writer_gen() and
 * the server's write generation, and (1) dropped when either moved, and
 * (2) the entry of a request it serves is submitted conditionally
 * (audit_writer_submit_async_if): the audit writer, holding the write
 * lock when its batch begins, refuses it if any other connection (another
 * process, another worker's write) committed since that generation; the
 * request is then run again without the cache and its fresh page audited.
 * The audit writer's own commits do not invalidate (they touch only
 * audit_log). Key: everything the page depends on (route, filters,
 * cursor, limit, scope, masking), built by the caller.
 *
 * http_page_get(): on a hit fills r->text, r->detail, r->target as the
 * handler had and sets *hit (the caller returns normally, so the read is
 * audited like any other). On a miss, call it before running the query,
 * then http_page_put() with the same key once r->text and r->detail are
 * complete. Keys of 256 bytes or more are never cached.
 */
int http_page_get(struct http_req *r, const char *key, int *hit, struct uc_err *err);
void http_page_put(struct http_req *r, const char *key);

/*
 * The server's in-process write lock, shared with the audit writer
 * (audit_writer_share_lock): take it around a write transaction on r->st
 * so that in-process writers wait for each other on a mutex rather than
 * in SQLite's busy handler (which sleeps up to 100 ms per try). Never
 * hold it across slow work outside the database (password hashing) or
 * while waiting for an audit entry. Not recursive.
 */
/*
 * Background work (report snapshots): fn(st, arg, err) runs on the
 * server's background thread with its own connection, the batch deadline
 * and the stop flag, in the order queued (at most 64); errors go to the
 * log. While a job with the same key is queued or running, or the queue
 * is full, the call returns 0 and frees arg (free_arg); 1 when queued (the
 * thread then owns arg and frees it after fn).
 */
typedef int (*http_bg_fn)(struct store *st, void *arg, struct uc_err *err);
int http_background(struct http_server *s, const char *key, http_bg_fn fn, void *arg,
		    void (*free_arg)(void *));
/*
 * The handler needs batch work done before it can answer (a report with
 * no snapshot yet): the job is queued and the request suspended, so that
 * its worker thread serves other connections meanwhile; when the job is
 * done the handler runs again from the start (idempotent handlers only)
 * and its deadline counts from then. Returns 1 when queued (the handler
 * returns UC_OK at once, rendering nothing; the thread owns arg); 0 when
 * not (the queue is full, the server is stopping, or this request waited
 * once already): the caller does the work itself and arg is still its own.
 */
int http_wait_background(struct http_req *r, const char *key, http_bg_fn fn, void *arg,
			 void (*free_arg)(void *));

/* [server] report_refresh of the request's server. */
int http_report_refresh_s(const struct http_req *r);
/* The request does batch work (a report computed for its snapshot): its
 * statements get batch_ms from its start instead of request_ms. */
void http_batch_deadline(struct http_req *r);
/* The server's write lock outside a request (the background thread):
 * lock 1 takes it, 0 gives it back. */
void http_server_write_lock(struct http_server *s, int lock);
void http_write_lock(struct http_req *r);
void http_write_unlock(struct http_req *r);

/* Call after revoking sessions, users or tokens (logout, disable, token
 * revoke): every thread's session cache is dropped before the next
 * request is authenticated. */
void http_auth_changed(struct http_server *s);

/* Sensitive notes: the server's secretbox key, or NULL when none is set. */
const unsigned char *http_note_key(const struct http_server *s);
struct lookup;
/*
 * The EOIR lookup tables loaded at start (cfg.eoir_lookup; read-only,
 * shared by every thread, owned by the server), or NULL with *why (may be
 * NULL) saying what is missing: not configured, or why loading failed.
 */
const struct lookup *http_eoir_lookup(const struct http_server *s, const char **why);

#endif
