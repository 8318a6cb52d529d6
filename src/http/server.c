/*
 * server.c - libmicrohttpd server, router and the request pipeline:
 *
 *   match route -> size limits -> authenticate -> CSRF -> capability ->
 *   query/purpose/body checks -> case scope -> handler -> mask -> audit ->
 *   respond (problem+json on any failure).
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/atree.h"
#include "auth/seal.h"
#include "core/date.h"
#include "core/progress.h"
#include "http/api.h"
#include "http/hjson.h"
#include "http/msgcat.h"
#include "ingest/lookup.h"
#include "link/link.h"
#include "triage/triage.h"
#include "web/web.h"

#define COOKIE_NAME "uc_session"
#define PURPOSE_MAX 200

/* A job of the background thread (http_background, http_wait_background). */
#define BG_MAX 64
struct bg_job {
	char key[256];		  /* what it computes (dedupe, log) */
	http_bg_fn fn;		  /* the work */
	void *arg;		  /* its argument, owned */
	void (*free_arg)(void *); /* frees arg */
	struct http_req *waiter;  /* a suspended request to resume after
				     it, or NULL */
	int ready;		  /* filled (a reserved slot is not yet) */
};

struct http_server {
	struct http_config cfg;			/* copy of the configuration */
	char *db_path;				/* owned copy of cfg.db_path */
	char *host;				/* owned copy of cfg.listen_host */
	char *proxy;				/* owned copy of cfg.trusted_proxy */
	char *proxy_secret;			/* owned copy of cfg.proxy_secret */
	struct MHD_Daemon *d;			/* the daemon */
	pthread_key_t store_key;		/* per-thread struct tctx */
	struct audit_writer *audit;		/* group-commit audit writer */
	pthread_mutex_t mu;			/* guards inflight */
	pthread_cond_t idle;			/* signalled when inflight drops to 0 */
	int inflight;				/* requests being processed */
	int port;				/* bound port */
	int have_key;				/* note_key is loaded */
	pthread_t ckpt;				/* checkpointer thread */
	int ckpt_started;			/* ckpt is running */
	int ckpt_stop;				/* set (under mu) to stop it */
	pthread_cond_t ckpt_wake;		/* wakes it early to stop */
	pthread_mutex_t wlock;			/* in-process write lock: the audit
						   writer's batches, event and override
						   writes, session refreshes */
	int write_gen;				/* bumped (atomically) by every write
						   request: page caches built before
						   it are stale (see http_page_get) */
	int auth_gen;				/* bumped (atomically) by every session,
						   user or token revocation made here:
						   per-thread session caches drop all
						   entries when it changes */
	unsigned char note_key[SEAL_KEY_BYTES]; /* secretbox key for notes */
	struct lookup *lk;			/* EOIR lookup tables, or NULL */
	char lk_why[1100];			/* when lk is NULL: why */
	volatile int stopping;			/* set by http_stop: every statement
						   still running is interrupted */
	pthread_t bg;				/* background thread (http_background) */
	int bg_started;				/* bg is running */
	int bg_stop;				/* set (under mu) to stop it */
	pthread_cond_t bg_wake;			/* a job arrived, or stop */
	struct bg_job bgq[BG_MAX];		/* queued jobs, a ring (under mu) */
	int bg_head;				/* first queued job */
	int bg_n;				/* queued jobs, reserved slots included */
	char bg_running[256];			/* key of the running job, "" none */
};

/* Per worker thread: its connection (with its statement cache,
 * store_prepare_cached) and the caches below. */
/* Session cache: a validated session is trusted for at most this long
 * (seconds) before the database is asked again. Revocations made by this
 * server take effect at once (auth_gen); those made by another process
 * (`uctrack user disable`) within SESS_TTL_S. Never past idle/absolute
 * expiry: those are checked against the cached times on every hit. */
#define SESS_TTL_S 1.0
#define SESS_CACHE 16

/* Page cache entries per thread (see http_page_get). */
#define PAGE_CACHE 8
#define PAGE_KEY_MAX 256
#define PAGE_TEXT_MAX (1024 * 1024) /* larger pages are not cached */

/* One cached page: a response body with its audit target and detail. */
struct page_ent {
	char key[PAGE_KEY_MAX]; /* request key, "" when free */
	uint64_t agen;		/* audit_writer_gen() when built */
	int gen;		/* server write_gen when built */
	struct buf text;	/* response body */
	struct buf detail;	/* audit detail */
	char target[96];	/* audit target */
	const char *ctype;	/* Content-Type (static), or NULL */
};

/* One cached session validation. */
struct sess_ent {
	char thash[65];			 /* BLAKE2b hex of the cookie, "" free */
	struct auth_user user;		 /* its user */
	char csrf[AUTH_TOKEN_CHARS + 1]; /* its CSRF token */
	time_t checked;			 /* wall time of the database check */
	time_t valid_until;		 /* session expiry as of that check
					    (idle or absolute, the earlier) */
	double until;			 /* monotonic time the entry expires */
	int gen;			 /* server auth_gen when cached */
};
struct tctx {
	struct store *st;		  /* this thread's connection */
	struct triage *tri;		  /* triage handle on st, or NULL */
	struct sess_ent sess[SESS_CACHE]; /* session cache (see SESS_TTL_S) */
	int sess_next;			  /* next slot to replace */
	struct page_ent page[PAGE_CACHE]; /* page cache */
	int page_next;			  /* next slot to replace */
	uint64_t page_agen;		  /* audit_writer_gen() read by the
					     last http_page_get (for its put) */
	int page_gen;			  /* write_gen read by it */
	int page_ok;			  /* the two above are valid */
	long long page_hits;		  /* counters, for the log at exit */
	long long page_misses;
};

static void tctx_destroy(void *p)
{
	struct tctx *t = p;

	if (!t)
		return;
	triage_close(t->tri);
	for (int i = 0; i < PAGE_CACHE; i++) {
		buf_release(&t->page[i].text);
		buf_release(&t->page[i].detail);
	}
	if (getenv("UCTRACK_PAGE_STATS"))
		fprintf(stderr, "uctrack serve: page cache: %lld hits, %lld misses\n", t->page_hits,
			t->page_misses);
	store_close(t->st);
	free(t);
}

const struct http_config *http_config_of(const struct http_server *s)
{
	return &s->cfg;
}

const unsigned char *http_note_key(const struct http_server *s)
{
	return s->have_key ? s->note_key : NULL;
}

const struct lookup *http_eoir_lookup(const struct http_server *s, const char **why)
{
	if (why)
		*why = s->lk ? NULL : s->lk_why;
	return s->lk;
}

int http_port(const struct http_server *s)
{
	return s->port;
}

/* This thread's context (store), opened on first use. */
static int thread_store(struct http_req *r, struct uc_err *err)
{
	struct http_server *s = r->srv;
	struct tctx *t = pthread_getspecific(s->store_key);
	int rc;

	if (!t) {
		t = uc_xcalloc(1, sizeof(*t));
		rc = store_open(&t->st, s->db_path, 0, err);
		/* WAL checkpoints run on the checkpointer thread, never inside
		 * a request's commit (they were the p99). */
		if (!rc)
			rc = store_checkpoint_manual(t->st, err);
		if (rc) {
			store_close(t->st);
			free(t);
			return rc;
		}
		pthread_setspecific(s->store_key, t);
	}
	r->tctx = t;
	r->st = t->st;
	return UC_OK;
}

int http_triage(struct http_req *r, struct triage **out, struct uc_err *err)
{
	struct tctx *t = r->tctx;
	struct triage_opts o = {NULL, NULL, date_today()};
	int stale = 1, rc;

	*out = NULL;
	if (t->tri) {
		rc = triage_refresh(t->tri, o.today, &stale, err);
		if (rc)
			return rc;
		if (stale) {
			triage_close(t->tri);
			t->tri = NULL;
		}
	}
	if (!t->tri) {
		rc = triage_open(&t->tri, r->st, &o, err);
		if (rc)
			return rc;
	}
	*out = t->tri;
	return UC_OK;
}

int http_page_get(struct http_req *r, const char *key, int *hit, struct uc_err *err)
{
	struct tctx *t = r->tctx;
	uint64_t agen;

	(void)err;
	*hit = 0;
	t->page_ok = 0;
	if (r->page_bypass || strlen(key) >= PAGE_KEY_MAX)
		return UC_OK;
	/* Both generations before the caller's query: a commit racing with
	 * the build then only ever makes the entry look older than it is (a
	 * miss later), never newer. */
	t->page_gen = __atomic_load_n(&r->srv->write_gen, __ATOMIC_SEQ_CST);
	agen = audit_writer_gen(r->srv->audit);
	t->page_agen = agen;
	t->page_ok = 1;
	for (int i = 0; i < PAGE_CACHE; i++) {
		struct page_ent *e = &t->page[i];

		if (!e->key[0] || strcmp(e->key, key) != 0)
			continue;
		if (e->agen != agen || e->gen != t->page_gen) {
			e->key[0] = '\0';
			break;
		}
		buf_reset(&r->text);
		buf_add(&r->text, e->text.ptr, e->text.len);
		buf_reset(&r->detail);
		buf_add(&r->detail, e->detail.ptr, e->detail.len);
		snprintf(r->target, sizeof(r->target), "%s", e->target);
		r->ctype = e->ctype;
		if (buf_failed(&r->text) || buf_failed(&r->detail))
			return uc_error(err, UC_ENOMEM, "out of memory");
		/* Its audit entry is conditional on this generation (handle()):
		 * if the writer finds a commit since, the page is read again. */
		r->page_hit = 1;
		r->page_gen = e->agen;
		t->page_hits++;
		*hit = 1;
		return UC_OK;
	}
	t->page_misses++;
	return UC_OK;
}

void http_page_put(struct http_req *r, const char *key)
{
	struct tctx *t = r->tctx;
	struct page_ent *e;

	if (!t->page_ok || strlen(key) >= PAGE_KEY_MAX || buf_failed(&r->text) ||
	    buf_failed(&r->detail) || r->text.len > PAGE_TEXT_MAX)
		return;
	e = NULL;
	for (int i = 0; i < PAGE_CACHE && !e; i++)
		if (strcmp(t->page[i].key, key) == 0 || !t->page[i].key[0])
			e = &t->page[i];
	if (!e) {
		e = &t->page[t->page_next];
		t->page_next = (t->page_next + 1) % PAGE_CACHE;
	}
	if (!e->text.cap) {
		buf_init(&e->text, PAGE_TEXT_MAX);
		buf_init(&e->detail, 64 * 1024);
	}
	buf_reset(&e->text);
	buf_reset(&e->detail);
	buf_add(&e->text, r->text.ptr, r->text.len);
	buf_add(&e->detail, r->detail.ptr, r->detail.len);
	if (buf_failed(&e->text) || buf_failed(&e->detail)) {
		e->key[0] = '\0';
		return;
	}
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->target, sizeof(e->target), "%s", r->target);
	e->ctype = r->ctype;
	e->agen = t->page_agen;
	e->gen = t->page_gen;
}

int http_reply_json(struct http_req *r, struct hj_out *o, int rc, struct uc_err *err)
{
	if (!rc && o->failed)
		rc = uc_error(err, UC_ENOMEM, "response too large");
	if (rc) {
		hj_out_release(o);
		return rc;
	}
	r->out = o->root;
	return UC_OK;
}

int http_param_int(const char *what, const char *s, long long min, long long max, long long *out,
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

const char *http_query(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void http_detail(struct http_req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&r->detail, fmt, ap);
	va_end(ap);
}

/* ---- the one uc_rc -> HTTP status mapping ---- */

static int status_of(int rc, enum http_hint hint)
{
	switch (hint) {
	case HTTP_HINT_UNAUTHENTICATED:
		return 401;
	case HTTP_HINT_THROTTLED:
		return 429;
	case HTTP_HINT_METHOD:
		return 405;
	case HTTP_HINT_MEDIA:
		return 415;
	case HTTP_HINT_UNAVAILABLE:
		return 503;
	default:
		break;
	}
	switch (rc) {
	case UC_EINPUT:
	case UC_EUSAGE:
		return 400;
	case UC_ENOTFOUND:
		return 404;
	case UC_ECONFLICT:
		return 409;
	case UC_ENOMEM:
		return 413;
	case UC_EDENIED:
		return 403;
	case UC_EIO:
	case UC_ETIMEOUT:
		return 503;
	default:
		return 500;
	}
}

static const char *title_of(int status, const char **slug)
{
	switch (status) {
	case 400:
		*slug = "invalid-request";
		return "Invalid request";
	case 401:
		*slug = "unauthenticated";
		return "Authentication required";
	case 403:
		*slug = "forbidden";
		return "Forbidden";
	case 404:
		*slug = "not-found";
		return "Not found";
	case 405:
		*slug = "method-not-allowed";
		return "Method not allowed";
	case 409:
		*slug = "conflict";
		return "Conflict";
	case 413:
		*slug = "too-large";
		return "Request too large";
	case 415:
		*slug = "unsupported-media-type";
		return "Unsupported media type";
	case 429:
		*slug = "too-many-requests";
		return "Too many requests";
	case 503:
		*slug = "unavailable";
		return "Service unavailable";
	default:
		*slug = "internal";
		return "Internal error";
	}
}

static const char *outcome_of(int rc)
{
	switch (rc) {
	case UC_OK:
		return "ok";
	case UC_EDENIED:
		return "denied";
	case UC_EINPUT:
	case UC_EUSAGE:
	case UC_ENOMEM:
		return "invalid";
	case UC_ENOTFOUND:
		return "notfound";
	case UC_ECONFLICT:
		return "conflict";
	default:
		return "error";
	}
}

/* Set key of o's root to the text s in lang (msgcat: the user's language
 * when the catalogue has it, else English as written). */
static void set_text(struct hj_out *o, const char *key, const char *s, const char *lang)
{
	char tr[MSGCAT_MAX];

	hj_set_str(o, o->root, key, msgcat_translate(lang, s, tr, sizeof(tr)));
}

/* Replace r->out with an RFC 9457 problem for rc/err. Its title and
 * detail are in the language the request asks for (Accept-Language) when
 * the message catalogue has them (http/msgcat.h); the type never changes. */
static void set_problem(struct http_req *r, int rc, const struct uc_err *err)
{
	const char *slug, *title;
	const char *lang = r->conn ? api_lang(r) : "";
	char type[96];
	int status = status_of(rc, r->hint);
	struct hj_out o;

	title = title_of(status, &slug);
	snprintf(type, sizeof(type), "urn:uctrack:problem:%s", slug);
	json_decref(r->out);
	hj_out_init(&o);
	hj_set_str(&o, o.root, "type", type);
	set_text(&o, "title", title, lang);
	hj_set_int(&o, o.root, "status", status);
	if (rc == UC_ETIMEOUT) {
		char d[320];
		int batch = r->route && (r->route->flags & RT_BATCH);

		fprintf(stderr, "uctrack serve: %s %s: %s\n", r->method, r->url, err->msg);
		if (r->srv->stopping)
			snprintf(d, sizeof(d),
				 "the server is shutting down; nothing of this "
				 "request was stored; retry shortly");
		else
			snprintf(d, sizeof(d),
				 "this request ran past its time limit (%d ms) "
				 "and was stopped; nothing of it was stored. Narrow it (a "
				 "smaller page or limit, a more specific search, an earlier "
				 "as_of) or retry later",
				 batch ? r->srv->cfg.batch_ms : r->srv->cfg.request_ms);
		set_text(&o, "detail", d, lang);
		r->retry_after = 5;
	} else if (status >= 500) {
		/* Internal details (paths, SQL) go to the log, not the client. */
		fprintf(stderr, "uctrack serve: %s %s: %s\n", r->method, r->url,
			err->msg[0] ? err->msg : "failed");
		set_text(&o, "detail",
			 status == 503 ? "the database is busy or unavailable; retry shortly"
				       : "internal error; the server log has details",
			 lang);
	} else {
		set_text(&o, "detail", err->msg[0] ? err->msg : title, lang);
	}
	hj_set_str(&o, o.root, "instance", r->url);
	if (r->problem_ext && status < 500 && !o.failed)
		json_object_update(o.root, r->problem_ext);
	r->out = o.failed ? NULL : o.root;
	if (o.failed)
		hj_out_release(&o);
	r->status = status;
}

/* ---- request pipeline ---- */

/* Split url into segments and match; sets r->route and params. */
static int route_or_reply(struct http_req *r, struct uc_err *err)
{
	const char *prefix = "/api/v1";
	const char *path = r->url;
	char *segs[8];
	int nsegs = 0, path_matched = 0;
	char *copy = NULL;
	int rc = UC_OK;

	if (strncmp(path, prefix, strlen(prefix)) != 0)
		return uc_error(err, UC_ENOTFOUND,
				"no such path %.200s; the API lives under /api/v1", path);
	path += strlen(prefix);
	if (*path && *path != '/')
		return uc_error(err, UC_ENOTFOUND, "no such path %.200s", r->url);
	copy = uc_xstrdup(path);
	for (char *p = copy + (*copy == '/'); *copy;) {
		char *e = strchr(p, '/');

		if (e)
			*e = '\0';
		if (!*p || nsegs == 8) {
			rc = uc_error(err, UC_ENOTFOUND,
				      "no such path %.200s (empty segment or trailing slash)",
				      r->url);
			goto out;
		}
		segs[nsegs++] = p;
		if (!e)
			break;
		p = e + 1;
	}
	rc = UC_ENOTFOUND;
	for (size_t i = 0; i < api_nroutes; i++) {
		const struct http_route *rt = &api_routes[i];
		const char *pat = rt->pattern;
		int k = 0, np = 0, ok = 1;
		char *params[HTTP_MAX_PARAMS];

		while (*pat && ok) {
			const char *e;
			size_t n;

			if (*pat != '/' || k >= nsegs) {
				ok = 0;
				break;
			}
			pat++;
			e = strchr(pat, '/');
			n = e ? (size_t)(e - pat) : strlen(pat);
			if (n >= 2 && pat[0] == '{') {
				if (!segs[k][0] || np == HTTP_MAX_PARAMS)
					ok = 0;
				else
					params[np++] = segs[k];
			} else if (strlen(segs[k]) != n || strncmp(segs[k], pat, n) != 0) {
				ok = 0;
			}
			k++;
			pat += n;
		}
		if (!ok || k != nsegs)
			continue;
		path_matched = 1;
		if (strcmp(rt->method, r->method) != 0) {
			size_t have = strlen(r->allow);

			if (!strstr(r->allow, rt->method))
				snprintf(r->allow + have, sizeof(r->allow) - have, "%s%s",
					 have ? ", " : "", rt->method);
			continue;
		}
		r->route = rt;
		for (int j = 0; j < np; j++)
			r->params[j] = uc_xstrdup(params[j]);
		r->nparams = np;
		rc = UC_OK;
		break;
	}
	if (rc && path_matched) {
		r->hint = HTTP_HINT_METHOD;
		rc = uc_error(err, UC_EINPUT, "method %s is not allowed on %.200s; use %s",
			      r->method, r->url, r->allow);
	} else if (rc) {
		rc = uc_error(err, UC_ENOTFOUND, "no such path %.200s", r->url);
	}
out:
	free(copy);
	return rc;
}

void http_write_lock(struct http_req *r)
{
	pthread_mutex_lock(&r->srv->wlock);
}

void http_write_unlock(struct http_req *r)
{
	pthread_mutex_unlock(&r->srv->wlock);
}

void http_auth_changed(struct http_server *s)
{
	__atomic_add_fetch(&s->auth_gen, 1, __ATOMIC_SEQ_CST);
}

/*
 * auth_session_check() with this thread's cache in front (SESS_TTL_S).
 * A hit still honours idle and absolute expiry: the database check says
 * until when the session is valid (auth_session_check_until), and a hit
 * past that second goes back to the database.
 */
static int session_check_cached(struct http_req *r, const char *cookie, enum auth_fail *fail,
				struct uc_err *err)
{
	const struct http_config *cfg = &r->srv->cfg;
	struct tctx *t = r->tctx;
	int gen = __atomic_load_n(&r->srv->auth_gen, __ATOMIC_SEQ_CST);
	double mono = progress_now();
	time_t now = time(NULL);
	struct sess_ent *e;
	time_t until = 0;
	char thash[65];
	int rc;

	if (strlen(cookie) != AUTH_TOKEN_CHARS)
		return auth_session_check(r->st, &cfg->auth, cookie, now, &r->user, r->csrf, fail,
					  err);
	auth_hash_hex(cookie, thash);
	for (int i = 0; i < SESS_CACHE; i++) {
		e = &t->sess[i];
		if (!e->thash[0] || strcmp(e->thash, thash) != 0)
			continue;
		if (e->gen == gen && mono < e->until && now >= e->checked && now < e->valid_until) {
			r->user = e->user;
			memcpy(r->csrf, e->csrf, sizeof(r->csrf));
			*fail = AUTH_FAIL_NONE;
			return UC_OK;
		}
		e->thash[0] = '\0';
	}
	/* may write (last_seen): queue behind in-process writers */
	http_write_lock(r);
	rc = auth_session_check_until(r->st, &cfg->auth, cookie, now, &r->user, r->csrf, fail,
				      &until, err);
	http_write_unlock(r);
	if (rc)
		return rc;
	e = &t->sess[t->sess_next];
	t->sess_next = (t->sess_next + 1) % SESS_CACHE;
	memcpy(e->thash, thash, sizeof(e->thash));
	e->user = r->user;
	memcpy(e->csrf, r->csrf, sizeof(e->csrf));
	e->checked = now;
	e->valid_until = until;
	e->until = mono + SESS_TTL_S;
	e->gen = gen;
	return UC_OK;
}

static int authenticate_or_reply(struct http_req *r, struct uc_err *err)
{
	const char *authz = http_header(r, "Authorization");
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE_NAME);
	enum auth_fail fail = AUTH_FAIL_NONE;
	int rc;

	/* A public route (log in, health) ignores credentials: a stale or
	 * expired cookie must not stop anyone from logging in again. The
	 * login ends the session the cookie names, if any. */
	if (r->route->cap == AUTH_CAP_PUBLIC) {
		if (cookie && strlen(cookie) < sizeof(r->session))
			snprintf(r->session, sizeof(r->session), "%s", cookie);
		return UC_OK;
	}
	if (authz) {
		if (strncmp(authz, "Bearer ", 7) != 0) {
			r->hint = HTTP_HINT_UNAUTHENTICATED;
			return uc_error(err, UC_EDENIED, "Authorization: use 'Bearer <API token>'");
		}
		rc = auth_token_check(r->st, authz + 7, time(NULL), &r->user, err);
		if (rc == UC_EDENIED)
			r->hint = HTTP_HINT_UNAUTHENTICATED;
		if (!rc)
			r->authed = 1;
		return rc;
	}
	if (cookie) {
		snprintf(r->session, sizeof(r->session), "%s", cookie);
		rc = session_check_cached(r, cookie, &fail, err);
		if (rc == UC_EDENIED)
			r->hint = HTTP_HINT_UNAUTHENTICATED;
		if (!rc) {
			r->authed = 1;
			r->via_cookie = 1;
		}
		return rc;
	}
	r->hint = HTTP_HINT_UNAUTHENTICATED;
	return uc_error(err, UC_EDENIED,
			"authentication required: log in with POST /api/v1/session "
			"or send 'Authorization: Bearer <API token>'");
}

/* Unsafe methods authenticated by cookie must carry the CSRF token. */
static int csrf_or_reply(struct http_req *r, struct uc_err *err)
{
	const char *t;

	if (!r->via_cookie || strcmp(r->method, "GET") == 0)
		return UC_OK;
	t = http_header(r, "X-CSRF-Token");
	if (!t || !auth_token_equal(t, r->csrf))
		return uc_error(err, UC_EDENIED,
				"missing or wrong X-CSRF-Token header: send the csrf "
				"value returned by POST /api/v1/session");
	return UC_OK;
}

struct qcheck {
	const char *allowed;  /* comma-separated names */
	char bad[128];	      /* first unknown or repeated name */
	const char *seen[16]; /* names seen so far */
	int nseen;	      /* entries in seen */
	int too_long;	      /* a value exceeded 512 bytes */
};

static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t m = e ? (size_t)(e - p) : strlen(p);

		if (m == n && strncmp(p, name, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static enum MHD_Result query_iter(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct qcheck *q = cls;

	(void)kind;
	if (q->bad[0])
		return MHD_NO;
	if (!in_list(q->allowed, key)) {
		snprintf(q->bad, sizeof(q->bad), "unknown query parameter '%.60s'", key);
		return MHD_NO;
	}
	for (int i = 0; i < q->nseen; i++) {
		if (strcmp(q->seen[i], key) == 0) {
			snprintf(q->bad, sizeof(q->bad), "query parameter '%.60s' repeated", key);
			return MHD_NO;
		}
	}
	if (q->nseen < 16)
		q->seen[q->nseen++] = key;
	if (value && strlen(value) > 512)
		q->too_long = 1;
	return MHD_YES;
}

static int query_or_reply(struct http_req *r, struct uc_err *err)
{
	struct qcheck q;

	memset(&q, 0, sizeof(q));
	q.allowed = r->route->query ? r->route->query : "";
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_iter, &q);
	if (q.bad[0])
		return uc_error(err, UC_EINPUT, "%s; this endpoint accepts: %s", q.bad,
				q.allowed[0] ? q.allowed : "none");
	if (q.too_long)
		return uc_error(err, UC_EINPUT, "a query parameter is longer than 512 bytes");
	return UC_OK;
}

static int purpose_or_reply(struct http_req *r, struct uc_err *err)
{
	const char *p = http_header(r, "X-Purpose");
	size_t n = p ? strlen(p) : 0;

	if (n < 3 || n > PURPOSE_MAX)
		return uc_error(err, UC_EINPUT,
				"X-Purpose header required (3 to %d characters): say why "
				"you need this child's data, e.g. 'X-Purpose: welfare check visit'",
				PURPOSE_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return uc_error(err, UC_EINPUT, "X-Purpose contains a control character");
	r->purpose = p;
	return UC_OK;
}

/* 1 when a Content-Type names application/json (any case), optionally
 * with parameters ("; charset=utf-8"); "application/jsonx" is not. */
static int media_is_json(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	if (!ct)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static int body_or_reply(struct http_req *r, struct uc_err *err)
{
	const char *ct = http_header(r, "Content-Type");

	if (r->too_large)
		return uc_error(err, UC_ENOMEM, "request body larger than %zu bytes; send less",
				(r->route->flags & RT_UPLOAD) ? r->srv->cfg.max_upload
							      : r->srv->cfg.max_body);
	if (!(r->route->flags & RT_BODY))
		return UC_OK;
	if (!media_is_json(ct)) {
		r->hint = HTTP_HINT_MEDIA;
		return uc_error(err, UC_EINPUT, "send the body as Content-Type: application/json");
	}
	return hj_parse_object(r->body.ptr, r->body.len, &r->json, err);
}

static int scope_or_reply(struct http_req *r, struct uc_err *err)
{
	long long id = 0;
	char *end = NULL;
	int rc, visible = 0;

	if (r->nparams >= 1 && r->params[0][0] >= '1' && r->params[0][0] <= '9' &&
	    strlen(r->params[0]) <= 15)
		id = strtoll(r->params[0], &end, 10);
	if (id <= 0 || !end || *end)
		return uc_error(err, UC_ENOTFOUND,
				"case id must be a positive integer, got '%.40s'",
				r->nparams ? r->params[0] : "");
	r->case_id = id;
	snprintf(r->target, sizeof(r->target), "case:%lld", id);
	rc = api_case_visible(r->st, &r->user, id, &visible, err);
	if (rc)
		return rc;
	if (!visible)
		return uc_error(err, UC_EDENIED, "case %lld is outside your scope (%s %s)", id,
				auth_role_name(r->user.role),
				r->user.role == AUTH_ROLE_LEGAL_PROVIDER
				    ? "sees only its own clients"
				    : "sees only its own field office's cases");
	return UC_OK;
}

/* The request's deadline (request_ms, batch_ms for RT_BATCH routes, from
 * its arrival) and the server's stop flag bound every statement it runs;
 * its route tags the statements for the plan guard (store.h), except
 * batch routes, whose scans are their job. */
static void bound(struct http_req *r, int batch)
{
	int ms = batch ? r->srv->cfg.batch_ms : r->srv->cfg.request_ms;

	store_set_deadline(r->st, ms > 0 ? r->started + ms / 1000.0 : 0, &r->srv->stopping);
	store_sql_log_tag(r->route && !batch ? r->route->pattern : NULL);
}

static void bound_request(struct http_req *r)
{
	bound(r, r->route && (r->route->flags & RT_BATCH));
}

int http_report_refresh_s(const struct http_req *r)
{
	return r->srv->cfg.report_refresh_s;
}

void http_batch_deadline(struct http_req *r)
{
	bound(r, 1);
}

static int pipeline(struct http_req *r, struct uc_err *err)
{
	int rc;

	rc = route_or_reply(r, err);
	if (rc)
		return rc;
	rc = thread_store(r, err);
	if (rc)
		return rc;
	bound_request(r);
	rc = authenticate_or_reply(r, err);
	if (rc)
		return rc;
	rc = csrf_or_reply(r, err);
	if (rc)
		return rc;
	if (r->user.read_only && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		return uc_error(err, UC_EDENIED, "this API token is read-only: it may not %s",
				r->route->action);
	if (r->route->cap != AUTH_CAP_PUBLIC && !auth_allows(&r->user, r->route->cap))
		return uc_error(err, UC_EDENIED, "role %s may not %s (needs %s)",
				auth_role_name(r->user.role), r->route->action,
				auth_cap_name(r->route->cap));
	rc = query_or_reply(r, err);
	if (!rc && (r->route->flags & RT_PII))
		rc = purpose_or_reply(r, err);
	if (!rc)
		rc = body_or_reply(r, err);
	if (!rc && (r->route->flags & RT_CASE))
		rc = scope_or_reply(r, err);
	if (rc)
		return rc;
	if (!(r->route->flags & RT_WRITE))
		return r->route->fn(r, err);
	/* Writes invalidate every thread's page cache at once (before and
	 * after the handler's commit); the audit writer's generation would
	 * catch them too, but only at its next batch. */
	__atomic_add_fetch(&r->srv->write_gen, 1, __ATOMIC_SEQ_CST);
	rc = r->route->fn(r, err);
	__atomic_add_fetch(&r->srv->write_gen, 1, __ATOMIC_SEQ_CST);
	return rc;
}

static void fill_entry(struct http_req *r, const char *outcome, struct audit_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->actor = r->authed ? r->user.name : "anonymous";
	e->role = r->authed ? auth_role_name(r->user.role) : NULL;
	e->action = r->action_override ? r->action_override : r->route->action;
	e->target = r->target[0] ? r->target : NULL;
	e->purpose = r->purpose;
	e->outcome = outcome;
	e->detail = r->detail.len ? r->detail.ptr : NULL;
	e->addr = r->addr;
}

static int append_piece_tx(void *arg, const struct audit_entry *piece, struct uc_err *err)
{
	struct http_req *r = arg;

	return audit_append_tx(r->st, piece, NULL, err);
}

int http_audit_tx(struct http_req *r, const char *outcome, struct uc_err *err)
{
	struct audit_entry e;
	size_t parts = 0;
	int rc = UC_OK;

	fill_entry(r, outcome, &e);
	/* a write that names many children (bulk assignment): their entries
	 * first, in the same transaction */
	if (r->subjects.len) {
		rc = audit_children(&e, r->subjects.ptr, r->subjects.len, append_piece_tx, r,
				    &parts, err);
		if (rc)
			return rc;
		buf_addf(&r->detail, "%sparts=%zu", r->detail.len ? " " : "", parts);
		e.detail = r->detail.ptr;
		buf_reset(&r->subjects);
	}
	rc = audit_append_tx(r->st, &e, NULL, err);
	if (!rc)
		r->audited = 1;
	return rc;
}

/* 1 when the route says this request must be audited and it was not yet
 * (writes audit inside their own transaction with http_audit_tx). */
static int needs_audit(const struct http_req *r)
{
	if (!r->route || r->audited)
		return 0;
	if (!(r->route->flags & (RT_PII | RT_WRITE)) && !r->audit_read)
		return 0;
	/* Unauthenticated probes of protected routes are not entries. */
	if (!r->authed && r->route->cap != AUTH_CAP_PUBLIC)
		return 0;
	return 1;
}

static void client_addr(struct http_req *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *xff, *sec;

	snprintf(r->addr, sizeof(r->addr), "unknown");
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;

		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				  r->addr, sizeof(r->addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
				  r->addr, sizeof(r->addr));
	}
	/* Any local process can reach the proxy's address and send
	 * X-Forwarded-For: only the proxy knows the secret. The address it
	 * forwards must be one (nothing else reaches the audit log). */
	if (r->srv->proxy && strcmp(r->addr, r->srv->proxy) == 0 &&
	    (xff = http_header(r, "X-Forwarded-For")) != NULL &&
	    (sec = http_header(r, "X-Uctrack-Proxy-Secret")) != NULL &&
	    auth_token_equal(sec, r->srv->proxy_secret)) {
		const char *last = strrchr(xff, ',');
		unsigned char ip[sizeof(struct in6_addr)];
		char a[INET6_ADDRSTRLEN];

		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		snprintf(a, sizeof(a), "%s", last);
		a[strcspn(a, " ")] = '\0';
		if (strlen(last) < sizeof(a) &&
		    (inet_pton(AF_INET, a, ip) == 1 || inet_pton(AF_INET6, a, ip) == 1))
			snprintf(r->addr, sizeof(r->addr), "%s", a);
	}
}

static enum MHD_Result respond(struct http_req *r)
{
	struct MHD_Response *resp;
	char *text = NULL;
	enum MHD_Result ret;
	int is_problem = r->status >= 400;

	if (r->out)
		text = json_dumps(r->out, JSON_COMPACT);
	else if (r->text.len && !buf_failed(&r->text))
		text = buf_detach(&r->text, NULL);
	if (!text && r->status != 204)
		text = uc_xstrdup("{\"type\":\"urn:uctrack:problem:internal\","
				  "\"title\":\"Internal error\",\"status\":500}");
	resp =
	    MHD_create_response_from_buffer(text ? strlen(text) : 0, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	if (text)
		MHD_add_response_header(resp, "Content-Type",
					is_problem ? "application/problem+json"
					: r->ctype ? r->ctype
						   : "application/json");
	if (r->status == 405 && r->allow[0])
		MHD_add_response_header(resp, "Allow", r->allow);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; frame-ancestors 'none'");
	if (r->set_cookie)
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (r->snapshot[0])
		MHD_add_response_header(resp, "X-Report-Snapshot", r->snapshot);
	if (r->status == 429 || (r->status == 503 && r->retry_after > 0)) {
		char ra[24];

		snprintf(ra, sizeof(ra), "%d", r->retry_after > 0 ? r->retry_after : 1);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"uctrack\"");
	ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Turn the pipeline's result into r->status/r->out (problem on error). */
static void finish(struct http_req *r, int rc, struct uc_err *err)
{
	if (rc) {
		set_problem(r, rc, err);
	} else if (!r->status) {
		r->status = (r->out || r->text.len) ? 200 : 204;
	}
}

/* Writer thread: the entry of a suspended request is committed (or, for
 * a page served from the cache, refused because the database changed). */
static void on_audited(void *arg, int rc, const struct uc_err *err)
{
	struct http_req *r = arg;

	r->audit_rc = rc;
	if (rc && err)
		r->audit_err = *err;
	/* No lock of ours around MHD calls: libmicrohttpd holds its own
	 * while calling on_completed(), which takes srv->mu. Suspension
	 * happened before submission, so this resume always comes after
	 * it; MHD's resume lock orders these writes before the worker's
	 * next call. */
	r->audit_state = (rc == UC_ECONFLICT && r->page_hit) ? 3 : 2;
	MHD_resume_connection(r->conn);
}

static void audit_piece_done(void *arg, int rc, const struct uc_err *err)
{
	(void)arg;
	if (rc)
		fprintf(stderr, "uctrack serve: audit entry failed: %s\n", err ? err->msg : "");
}

static int submit_piece(void *arg, const struct audit_entry *piece, struct uc_err *err)
{
	struct http_req *r = arg;

	(void)err;
	audit_writer_submit_async(r->srv->audit, piece, audit_piece_done, NULL);
	return UC_OK;
}

/*
 * The children a response names, as entries ACTION.children queued before
 * the request's own entry e (whose detail gets " parts=K"): entries commit
 * in order, so once e is committed, so are they.
 */
static void audit_subject_entries(struct http_req *r, struct audit_entry *e)
{
	size_t parts = 0;

	(void)audit_children(e, r->subjects.ptr, r->subjects.len, submit_piece, r, &parts, NULL);
	buf_addf(&r->detail, "%sparts=%zu", r->detail.len ? " " : "", parts);
	e->detail = r->detail.ptr;
}

/* Audit the request's outcome (rc) or finish it when it needs no entry.
 * Returns 1 when the response is ready, 0 when suspended. */
static int audit_or_finish(struct http_req *r, int rc, struct uc_err *err)
{
	struct audit_entry e;

	if (!rc && r->out && r->route && (r->route->flags & RT_PII) && !auth_sees_pii(&r->user))
		hj_mask_pii(r->out);
	if (!needs_audit(r)) {
		finish(r, rc, err);
		return 1;
	}
	r->handler_rc = rc;
	r->handler_err = *err;
	fill_entry(r, outcome_of(rc), &e);
	if (!rc && r->subjects.len)
		audit_subject_entries(r, &e);
	r->audit_state = 1;
	MHD_suspend_connection(r->conn);
	if (r->page_hit)
		audit_writer_submit_async_if(r->srv->audit, &e, r->page_gen, on_audited, r);
	else
		audit_writer_submit_async(r->srv->audit, &e, on_audited, r);
	return 0;
}

/*
 * Run the request. Returns 1 when the response is ready, 0 when the
 * connection was suspended until its audit entry is committed (group
 * commit by the writer thread; the worker goes on with other connections).
 */
static int handle(struct http_req *r)
{
	struct uc_err err = UC_ERR_INIT;
	int rc;

	client_addr(r);
	rc = pipeline(r, &err);
	store_sql_log_tag(NULL);
	/* suspended until its background job is done (2: done already,
	 * before this returned; libmicrohttpd calls again either way) */
	if ((r->bg_wait == 1 || r->bg_wait == 2) && !rc)
		return 0;
	return audit_or_finish(r, rc, &err);
}

/* Run the handler again and audit what it returns: a page served from
 * the page cache was refused by the audit writer (the database changed
 * after the page was built; nothing was written for it: no cache now), or
 * the background job the handler waited for is done (its deadline counts
 * from now, not from the wait's start). */
static int handle_again(struct http_req *r)
{
	struct uc_err err = UC_ERR_INIT;
	int rc;

	if (r->bg_wait)
		r->started = progress_now();
	json_decref(r->out);
	r->out = NULL;
	buf_reset(&r->text);
	buf_reset(&r->detail);
	r->target[0] = '\0';
	r->ctype = NULL;
	r->status = 0;
	r->page_hit = 0;
	r->page_bypass = 1;
	r->audit_state = 0;
	r->audit_rc = 0;
	bound_request(r);
	rc = r->route->fn(r, &err);
	store_sql_log_tag(NULL);
	if ((r->bg_wait == 1 || r->bg_wait == 2) && !rc)
		return 0; /* waits for a background job */
	return audit_or_finish(r, rc, &err);
}

/* After the audit commit: fail closed (no entry, no data), then finish. */
static void handle_audited(struct http_req *r)
{
	int rc = r->handler_rc;
	struct uc_err err = r->handler_err;

	if (r->audit_rc && !rc) {
		r->hint = HTTP_HINT_UNAVAILABLE;
		rc = UC_EIO;
		err = r->audit_err;
		json_decref(r->out);
		r->out = NULL;
		buf_reset(&r->text);
	}
	finish(r, rc, &err);
}

/* The web UI (src/web, docs/ui.md): GET or HEAD of an embedded file
 * outside /api is answered here, before the API pipeline. Returns 1 when
 * it queued a response (*ret set), 0 when the request is not for one. */
static int web_asset_reply(struct MHD_Connection *c, const char *url, const char *method,
			   enum MHD_Result *ret)
{
	const unsigned char *data;
	const char *ctype;
	struct MHD_Response *resp;
	size_t len;

	if ((strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) ||
	    strncmp(url, "/api/", 5) == 0 || !web_asset_find(url, &data, &len, &ctype))
		return 0;
	resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		*ret = MHD_NO;
		return 1;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; object-src 'none'; base-uri 'none'; "
				"form-action 'self'; frame-ancestors 'none'");
	*ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return 1;
}

/* Message framing the server does not trust (RFC 9112 section 6.3): two
 * Content-Length headers that differ, Content-Length together with
 * Transfer-Encoding, or a transfer coding other than chunked. Such a
 * request is how bodies are smuggled past a proxy. */
struct framing {
	const char *cl; /* first Content-Length */
	int cl_differ;	/* a later one differs */
	const char *te; /* Transfer-Encoding */
	int te_count;	/* how many */
};

static enum MHD_Result framing_iter(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (strcasecmp(key, "Content-Length") == 0) {
		if (!f->cl)
			f->cl = value ? value : "";
		else if (strcmp(f->cl, value ? value : "") != 0)
			f->cl_differ = 1;
	} else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		f->te = value ? value : "";
		f->te_count++;
	}
	return MHD_YES;
}

static const char *framing_problem(struct MHD_Connection *c)
{
	struct framing f = {NULL, 0, NULL, 0};

	MHD_get_connection_values(c, MHD_HEADER_KIND, framing_iter, &f);
	if (f.cl_differ)
		return "two Content-Length headers that differ; send one";
	if (f.te && f.cl)
		return "both Content-Length and Transfer-Encoding; send one of them";
	if (f.te && (f.te_count > 1 || strcasecmp(f.te, "chunked") != 0))
		return "Transfer-Encoding: only 'chunked' is accepted";
	return NULL;
}

static enum MHD_Result refuse_framing(struct http_req *r, const char *why)
{
	struct uc_err err = UC_ERR_INIT;

	uc_error(&err, UC_EINPUT, "request framing refused: %s", why);
	set_problem(r, UC_EINPUT, &err);
	return respond(r);
}

/* A declared Content-Length over the limit: answer 413 at once, before a
 * byte of the body is read (libmicrohttpd then closes the connection). */
static enum MHD_Result refuse_body(struct http_req *r)
{
	struct uc_err err = UC_ERR_INIT;

	uc_error(&err, UC_ENOMEM,
		 "request body declared larger than %zu bytes (Content-Length); "
		 "send less (feed files: split them or raise [server] max_upload)",
		 r->body.cap);
	set_problem(r, UC_ENOMEM, &err);
	return respond(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct http_server *s = cls;
	struct http_req *r = *con_cls;

	(void)version;
	if (!r) {
		const char *cl;
		long long want = -1;

		r = uc_xcalloc(1, sizeof(*r));
		r->srv = s;
		r->conn = c;
		r->url = url;
		r->method = method;
		r->started = progress_now();
		buf_init(&r->body, strncmp(url, "/api/v1/feeds/", 14) == 0 ? s->cfg.max_upload
									   : s->cfg.max_body);
		buf_init(&r->detail, 2048);
		buf_init(&r->subjects, 64u << 20);
		buf_init(&r->text, (size_t)512 * 1024 * 1024);
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (cl) {
			char *end = NULL;

			want = strtoll(cl, &end, 10);
			if (!end || *end || want < 0 || (unsigned long long)want > r->body.cap)
				r->too_large = 1;
		}
		*con_cls = r;
		pthread_mutex_lock(&s->mu);
		s->inflight++;
		pthread_mutex_unlock(&s->mu);
		{
			const char *why = framing_problem(c);

			if (why)
				return refuse_framing(r, why);
		}
		if (r->too_large)
			return refuse_body(r);
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_large && buf_add(&r->body, upload, *upload_size))
			r->too_large = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	{
		/* Answered on this last call, not the first, so that
		 * libmicrohttpd keeps the connection alive. */
		enum MHD_Result wret;

		if (web_asset_reply(c, url, method, &wret))
			return wret;
	}
	if (r->bg_wait == 1)
		return MHD_YES; /* not resumed yet */
	if (r->bg_wait == 2) {
		/* its background job is done: run the handler again */
		r->bg_wait = 3;
		if (!handle_again(r))
			return MHD_YES; /* suspended for the audit */
		return respond(r);
	}
	if (r->audit_state == 0) {
		if (!handle(r))
			return MHD_YES; /* suspended; resumed by on_audited or bg_resume */
	} else if (r->audit_state == 1) {
		return MHD_YES; /* not resumed yet */
	} else if (r->audit_state == 3) {
		if (!handle_again(r))
			return MHD_YES; /* suspended again */
	} else {
		handle_audited(r);
	}
	return respond(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct http_req *r = *con_cls;

	(void)c;
	(void)toe;
	if (!r)
		return;
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	buf_release(&r->body);
	buf_release(&r->detail);
	buf_release(&r->subjects);
	buf_release(&r->text);
	json_decref(r->problem_ext);
	json_decref(r->json);
	json_decref(r->out);
	free(r->set_cookie);
	free(r);
	*con_cls = NULL;
	pthread_mutex_lock(&s->mu);
	if (--s->inflight == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->mu);
}

/* Checkpoint interval (seconds). Server connections do not checkpoint on
 * commit (wal_autocheckpoint=0): this thread does, PASSIVE (never waits
 * for readers or writers), on its own connection, so no request or audit
 * batch pays for copying WAL pages into the database file. Not every
 * second: after a checkpoint has copied the whole WAL, the next writer
 * starts the WAL over and syncs its new header (SQLite does so with
 * synchronous=NORMAL), on a request thread; that fsync took 25 to 130 ms
 * on this machine's shared disk and every request waiting for that
 * writer's commit (an audited read waits for its audit batch) waited
 * too. Every 10 s, one request in ten seconds' worth meets it instead of
 * one in one second's worth; the WAL holds 10 s of writes. */
#define CKPT_INTERVAL_S 10

static void *ckpt_main(void *arg)
{
	struct http_server *s = arg;
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	unsigned tick = 0;

	if (store_open(&st, s->db_path, 0, &err)) {
		fprintf(stderr, "uctrack serve: checkpointer: %s\n", err.msg);
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	while (!s->ckpt_stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&s->ckpt_wake, &s->mu, &until);
		if (s->ckpt_stop)
			break;
		pthread_mutex_unlock(&s->mu);
		if (++tick % CKPT_INTERVAL_S == 0 && store_checkpoint(st, &err))
			fprintf(stderr, "uctrack serve: checkpoint: %s\n", err.msg);
		if (s->cfg.audit_ckpt && atree_checkpoint_tick(st, s->cfg.audit_ckpt, &err))
			fprintf(stderr, "uctrack serve: audit checkpoint: %s\n", err.msg);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	store_close(st);
	return NULL;
}

/* Resume a request that waits for a background job (any thread). */
static void bg_resume(struct http_req *r)
{
	r->bg_wait = 2;
	MHD_resume_connection(r->conn);
}

static void *bg_main(void *arg)
{
	struct http_server *s = arg;
	struct store *st = NULL;
	struct sched_param sp;

	/* Batch work runs only on CPU time requests leave: a report at 2M
	 * children takes a minute of a core, and requests come first. */
	memset(&sp, 0, sizeof(sp));
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) != 0)
		fprintf(stderr, "uctrack serve: background thread keeps normal priority\n");

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct uc_err err = UC_ERR_INIT;
		struct bg_job j;
		int rc;

		while (!s->bg_stop && (!s->bg_n || !s->bgq[s->bg_head].ready))
			pthread_cond_wait(&s->bg_wake, &s->mu);
		if (s->bg_stop)
			break;
		j = s->bgq[s->bg_head];
		s->bgq[s->bg_head].ready = 0;
		s->bg_head = (s->bg_head + 1) % BG_MAX;
		s->bg_n--;
		snprintf(s->bg_running, sizeof(s->bg_running), "%s", j.key);
		pthread_mutex_unlock(&s->mu);
		rc = st ? UC_OK : store_open(&st, s->db_path, 0, &err);
		if (!rc) {
			store_set_deadline(
			    st, s->cfg.batch_ms > 0 ? progress_now() + s->cfg.batch_ms / 1000.0 : 0,
			    &s->stopping);
			rc = j.fn(st, j.arg, &err);
			store_rollback(st);
		}
		if (rc)
			fprintf(stderr, "uctrack serve: background %s: %s\n", j.key, err.msg);
		if (j.free_arg)
			j.free_arg(j.arg);
		if (j.waiter)
			bg_resume(j.waiter);
		pthread_mutex_lock(&s->mu);
		s->bg_running[0] = '\0';
	}
	/* Jobs never run: their waiters go on (and find no result). */
	while (s->bg_n > 0) {
		struct bg_job *j = &s->bgq[s->bg_head];

		if (j->ready) {
			if (j->free_arg)
				j->free_arg(j->arg);
			if (j->waiter)
				bg_resume(j->waiter);
		}
		s->bg_head = (s->bg_head + 1) % BG_MAX;
		s->bg_n--;
	}
	pthread_mutex_unlock(&s->mu);
	store_close(st);
	return NULL;
}

/* Reserve a queue slot (under mu); -1 when full or stopping. */
static int bg_reserve(struct http_server *s)
{
	int slot;

	if (!s->bg_started || s->bg_stop || s->bg_n >= BG_MAX)
		return -1;
	slot = (s->bg_head + s->bg_n) % BG_MAX;
	s->bgq[slot].ready = 0;
	s->bg_n++;
	return slot;
}

/* Fill a reserved slot and wake the thread (under mu). */
static void bg_fill(struct http_server *s, int slot, const char *key, http_bg_fn fn, void *arg,
		    void (*free_arg)(void *), struct http_req *waiter)
{
	struct bg_job *j = &s->bgq[slot];

	snprintf(j->key, sizeof(j->key), "%s", key);
	j->fn = fn;
	j->arg = arg;
	j->free_arg = free_arg;
	j->waiter = waiter;
	j->ready = 1;
	pthread_cond_signal(&s->bg_wake);
}

int http_background(struct http_server *s, const char *key, http_bg_fn fn, void *arg,
		    void (*free_arg)(void *))
{
	int slot = -1;

	pthread_mutex_lock(&s->mu);
	if (strcmp(s->bg_running, key) != 0) {
		int dup = 0;

		for (int i = 0; i < s->bg_n && !dup; i++) {
			const struct bg_job *j = &s->bgq[(s->bg_head + i) % BG_MAX];

			dup = j->ready && strcmp(j->key, key) == 0;
		}
		if (!dup)
			slot = bg_reserve(s);
	}
	if (slot >= 0)
		bg_fill(s, slot, key, fn, arg, free_arg, NULL);
	pthread_mutex_unlock(&s->mu);
	if (slot < 0 && free_arg)
		free_arg(arg);
	return slot >= 0;
}

int http_wait_background(struct http_req *r, const char *key, http_bg_fn fn, void *arg,
			 void (*free_arg)(void *))
{
	struct http_server *s = r->srv;
	int slot;

	if (r->bg_wait)
		return 0; /* waited once already: the caller does the work */
	pthread_mutex_lock(&s->mu);
	slot = bg_reserve(s);
	pthread_mutex_unlock(&s->mu);
	if (slot < 0)
		return 0;
	/* Suspended before the job can finish and resume it; no lock of ours
	 * is held around libmicrohttpd's (see on_audited). */
	r->bg_wait = 1;
	MHD_suspend_connection(r->conn);
	pthread_mutex_lock(&s->mu);
	bg_fill(s, slot, key, fn, arg, free_arg, r);
	pthread_mutex_unlock(&s->mu);
	return 1;
}

void http_server_write_lock(struct http_server *s, int lock)
{
	if (lock)
		pthread_mutex_lock(&s->wlock);
	else
		pthread_mutex_unlock(&s->wlock);
}

static void free_server(struct http_server *s)
{
	if (!s)
		return;
	if (s->bg_started) {
		pthread_mutex_lock(&s->mu);
		s->bg_stop = 1;
		pthread_cond_signal(&s->bg_wake);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->bg, NULL);
	}
	pthread_cond_destroy(&s->bg_wake);
	if (s->ckpt_started) {
		pthread_mutex_lock(&s->mu);
		s->ckpt_stop = 1;
		pthread_cond_signal(&s->ckpt_wake);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->ckpt, NULL);
	}
	pthread_cond_destroy(&s->ckpt_wake);
	audit_writer_stop(s->audit);
	pthread_mutex_destroy(&s->wlock);
	pthread_key_delete(s->store_key);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->idle);
	sodium_memzero(s->note_key, sizeof(s->note_key));
	lookup_free(s->lk);
	free(s->db_path);
	free(s->host);
	free(s->proxy);
	free(s->proxy_secret);
	free(s);
}

int http_start(struct http_server **out, const struct http_config *cfg, struct uc_err *err)
{
	struct http_server *s;
	struct sockaddr_in sa;
	struct store *st = NULL;
	const union MHD_DaemonInfo *di;
	int rc;

	*out = NULL;
	if (cfg->trusted_proxy && (!cfg->proxy_secret || strlen(cfg->proxy_secret) < 16))
		return uc_error(err, UC_EUSAGE,
				"[server] trusted_proxy needs trusted_proxy_secret (16 or "
				"more characters) that the proxy sends as "
				"X-Uctrack-Proxy-Secret; see docs/security.md");
	s = uc_xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	s->db_path = uc_xstrdup(cfg->db_path);
	s->host = uc_xstrdup(cfg->listen_host ? cfg->listen_host : "127.0.0.1");
	s->proxy = cfg->trusted_proxy ? uc_xstrdup(cfg->trusted_proxy) : NULL;
	s->proxy_secret = cfg->proxy_secret ? uc_xstrdup(cfg->proxy_secret) : NULL;
	s->cfg.db_path = s->db_path;
	s->cfg.listen_host = s->host;
	s->cfg.trusted_proxy = s->proxy;
	s->cfg.proxy_secret = s->proxy_secret;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->idle, NULL);
	pthread_cond_init(&s->ckpt_wake, NULL);
	pthread_cond_init(&s->bg_wake, NULL);
	pthread_mutex_init(&s->wlock, NULL);
	pthread_key_create(&s->store_key, tctx_destroy);
	/* Open once here so migrations run before any request and errors
	 * surface at start-up, not on the first request. */
	rc = store_open(&st, s->db_path, 0, err);
	/* Record links of records imported by a binary that did not keep
	 * them (migration 007) or left behind by an interrupted import. */
	if (!rc)
		rc = link_records_update(st, NULL, err);
	/* A database that never had statistics (written before uctrack kept
	 * them) gets them now: a planner without them chose index walks over
	 * every case). */
	if (!rc)
		rc = store_analyze_if_missing(st, err);
	store_close(st);
	if (rc)
		goto fail;
	if (cfg->key_file) {
		rc = seal_key_load(cfg->key_file, s->note_key, err);
		if (rc)
			goto fail;
		s->have_key = 1;
	}
	/* EOIR uploads need the code tables; without them the server still
	 * serves, and such an upload says what to configure. */
	if (!cfg->eoir_lookup) {
		snprintf(s->lk_why, sizeof(s->lk_why), "no EOIR lookup tables configured");
	} else {
		struct uc_err le = UC_ERR_INIT;

		if (lookup_load(&s->lk, cfg->eoir_lookup, &le))
			snprintf(s->lk_why, sizeof(s->lk_why), "%s", le.msg);
	}
	rc = audit_writer_start(&s->audit, s->db_path, err);
	if (rc)
		goto fail;
	audit_writer_share_lock(s->audit, &s->wlock);
	if (pthread_create(&s->ckpt, NULL, ckpt_main, s) != 0) {
		rc = uc_error(err, UC_EIO, "cannot start the checkpointer thread");
		goto fail;
	}
	s->ckpt_started = 1;
	if (pthread_create(&s->bg, NULL, bg_main, s) != 0) {
		rc = uc_error(err, UC_EIO, "cannot start the background thread");
		goto fail;
	}
	s->bg_started = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, s->host, &sa.sin_addr) != 1) {
		rc = uc_error(err, UC_EINPUT,
			      "listen address '%s' is not an IPv4 address (e.g. 127.0.0.1)",
			      s->host);
		goto fail;
	}
	s->d = MHD_start_daemon(
	    MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
		MHD_USE_ERROR_LOG,
	    0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->timeout_s, MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
	    /* one address cannot hold every connection
	     * (slow or idle clients starving the rest) */
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_per_ip,
	    /* per-connection pool: request line, headers and
	     * read buffer (bodies go to r->body). libmicrohttpd
	     * clears it for every keep-alive request, so its size
	     * is a per-request cost: 128 KiB cost ~25% of queue
	     * page throughput. Headers past ~16 KiB get 431. */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, s, MHD_OPTION_END);
	if (!s->d) {
		rc = uc_error(err, UC_EIO, "cannot listen on %s:%d (in use, or not permitted)",
			      s->host, cfg->port);
		goto fail;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : cfg->port;
	*out = s;
	return UC_OK;
fail:
	free_server(s);
	return rc;
}

void http_stop(struct http_server *s)
{
	struct timespec until;
	MHD_socket fd;

	if (!s)
		return;
	/* Stop accepting; requests already received run to completion. */
	fd = MHD_quiesce_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	/* Statements still running stop now (UC_ETIMEOUT, rolled back); the
	 * requests answer 503 and finish within the grace period. */
	s->stopping = 1;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += s->cfg.shutdown_grace_s;
	pthread_mutex_lock(&s->mu);
	while (s->inflight > 0) {
		if (pthread_cond_timedwait(&s->idle, &s->mu, &until) != 0)
			break;
	}
	pthread_mutex_unlock(&s->mu);
	MHD_stop_daemon(s->d);
	free_server(s);
}
