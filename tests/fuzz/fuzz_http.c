// fuzz-objs: src/http/*.c src/work/*.c src/auth/*.c src/audit/*.c src/case/*.c src/core/*.c
// src/store/store.c src/triage/*.c src/rules/*.c src/report/*.c src/ingest/*.c src/link/*.c
// src/gen/*.c src/web/*.c
/*
 * Fuzz the HTTP request path end to end: the real server (http_start, as
 * `uctrack serve` starts it, one worker thread) on a loopback port and a
 * temporary database; each input is written as raw bytes to a new
 * connection and the answer read until the server closes the connection
 * or has been quiet for QUIET_MS (a keep-alive connection stays open after
 * its answer, even after our shutdown(SHUT_WR)). Then a health probe on a
 * fresh connection must be answered 200 within HANG_S seconds. The server
 * must never crash (ASan, UBSan: the whole process is the fuzzer), leak
 * (LeakSanitizer, per input) or hang (the probe: with one worker thread, a
 * handler that never returns or a deadlock leaves it unanswered; trapped).
 *
 * The database, made once in LLVMFuzzerInitialize, has one officer
 * (fuzz-officer, office HOU) with a session whose cookie and CSRF token
 * are fixed (FUZZ_SESSION, FUZZ_CSRF below), so that seeds sending
 * "Cookie: uc_session=FUZZ_SESSION" reach the authenticated handlers. An
 * input that logs it out (DELETE /api/v1/session with the cookie and the
 * CSRF token) would shut every later input out of them: the session row is
 * put back before each input (INSERT OR IGNORE: no write when present).
 * tests/fuzz/run.sh seeds the corpus (GET /health, a login, requests with
 * the cookie, a chunked body, duplicate Content-Length, ...).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "core/err.h"
#include "core/progress.h"
#include "http/server.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fixed session of fuzz-officer (43 characters each, like real ones). */
#define FUZZ_SESSION "fuzzSessionCookie0123456789abcdefghijklmnop"
#define FUZZ_CSRF "fuzzCsrfToken0123456789abcdefghijklmnopqrst"
_Static_assert(sizeof(FUZZ_SESSION) == AUTH_TOKEN_CHARS + 1, "session length");
_Static_assert(sizeof(FUZZ_CSRF) == AUTH_TOKEN_CHARS + 1, "csrf length");

/* Milliseconds of silence after which an answer is taken as complete. */
#define QUIET_MS 50
/* Seconds within which the health probe after each input must be answered
 * (the libFuzzer -timeout in run.sh is 10). */
#define HANG_S 8

static struct http_server *srv;	  /* the server, for the whole run */
static int srv_port;		  /* its loopback port */
static char dir[64];		  /* temporary directory of its database */
static struct store *keep;	  /* our own connection, for keep_q */
static struct store_stmt *keep_q; /* puts the fixed session back */

static void die(const char *what, const struct uc_err *err)
{
	fprintf(stderr, "fuzz_http: %s: %s\n", what, err ? err->msg : strerror(errno));
	abort();
}

static void rm_dir(void)
{
	char path[128];
	static const char *const names[] = {"f.db", "f.db-wal", "f.db-shm", "f.db-journal"};

	if (srv) {
		http_stop(srv);
		srv = NULL;
	}
	store_finalize(keep_q);
	keep_q = NULL;
	store_close(keep);
	keep = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* The database: migrated, one officer, an admin, the officer's fixed
 * session; keep and keep_q stay open to put the session back. */
static void make_db(const char *db)
{
	struct uc_err err = UC_ERR_INIT;
	struct auth_user u;
	char thash[65];
	int64_t now = (int64_t)time(NULL);

	if (store_open(&keep, db, 0, &err))
		die("store_open", &err);
	if (auth_user_add(keep, "fuzz-officer", AUTH_ROLE_OFFICER, "HOU", NULL,
			  "fuzz-password-0123", &err))
		die("auth_user_add", &err);
	if (auth_user_add(keep, "fuzz-admin", AUTH_ROLE_ADMIN, NULL, NULL, "fuzz-password-0123",
			  &err))
		die("auth_user_add", &err);
	if (auth_user_get(keep, "fuzz-officer", &u, &err))
		die("auth_user_get", &err);
	auth_hash_hex(FUZZ_SESSION, thash);
	if (store_prepare(keep,
			  "INSERT OR IGNORE INTO app_session(token_hash, user_id,"
			  " csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
			  &keep_q, &err))
		die("store_prepare", &err);
	store_bind_text(keep_q, 1, thash, -1);
	store_bind_int(keep_q, 2, u.id);
	store_bind_text(keep_q, 3, FUZZ_CSRF, -1);
	store_bind_int(keep_q, 4, now);
	store_bind_int(keep_q, 5, now);
}

/* Put the fixed session back if an input ended it. */
static void keep_session(void)
{
	struct uc_err err = UC_ERR_INIT;

	if (store_step(keep_q, &err) < 0)
		die("insert the fixed session", &err);
	store_reset_keep(keep_q);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct http_config cfg = HTTP_CONFIG_DEFAULT;
	struct uc_err err = UC_ERR_INIT;
	static char db[96];

	(void)argc;
	(void)argv;
	/* a peer that closed early must not kill the server (as cmd_serve) */
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/uctrack-fuzz-http.XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp", NULL);
	snprintf(db, sizeof(db), "%s/f.db", dir);
	make_db(db);
	keep_session();
	cfg.db_path = db;
	cfg.listen_host = "127.0.0.1";
	cfg.port = 0;
	cfg.threads = 1;
	cfg.timeout_s = 2;
	cfg.auth.idle_s = 604800;
	cfg.auth.absolute_s = 2592000;
	cfg.shutdown_grace_s = 1;
	if (http_start(&srv, &cfg, &err))
		die("http_start", &err);
	srv_port = http_port(srv);
	atexit(rm_dir);
	return 0;
}

/* Write all of data (the server may close early: errors end the write). */
static void send_all(int fd, const uint8_t *data, size_t size)
{
	while (size > 0) {
		ssize_t n = send(fd, data, size, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		data += n;
		size -= (size_t)n;
	}
}

/* A new connection to the server (aborts when it cannot connect: the
 * server is gone). */
static int dial(void)
{
	struct sockaddr_in sa;
	struct timeval tv = {HANG_S, 0};
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket", NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)srv_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die("connect to the server", NULL);
	return fd;
}

/*
 * Read from fd until the server closes it, or for quiet_ms > 0 until
 * nothing came for that long; never past total_s seconds. The first
 * bytes (up to cap - 1) are kept in out, NUL-terminated. Returns 1 when
 * the server closed the connection (or reset it), 0 otherwise.
 */
static int drain(int fd, int quiet_ms, int total_s, char *out, size_t cap)
{
	double deadline = progress_now() + total_s;
	size_t have = 0;
	char buf[16384];

	out[0] = '\0';
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		double left = deadline - progress_now();
		int wait_ms = (int)(left * 1000) + 1;
		ssize_t n;
		int rc;

		if (left <= 0)
			return 0;
		if (quiet_ms > 0 && quiet_ms < wait_ms)
			wait_ms = quiet_ms;
		rc = poll(&p, 1, wait_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			die("poll", NULL);
		if (rc == 0) {
			if (quiet_ms > 0)
				return 0;
			continue;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 1;
		if (have + 1 < cap) {
			size_t k = (size_t)n < cap - 1 - have ? (size_t)n : cap - 1 - have;

			memcpy(out + have, buf, k);
			have += k;
			out[have] = '\0';
		}
	}
}

/* The server still answers: GET /api/v1/health within HANG_S seconds. */
static void probe(void)
{
	static const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: fuzz\r\n"
				  "Connection: close\r\n\r\n";
	char head[64];
	int fd = dial();

	send_all(fd, (const uint8_t *)req, sizeof(req) - 1);
	if (!drain(fd, 0, HANG_S, head, sizeof(head)) || strncmp(head, "HTTP/1.1 200 ", 13) != 0) {
		fprintf(stderr,
			"fuzz_http: the server did not answer the health probe "
			"within %d s after this input (got \"%.40s\")\n",
			HANG_S, head);
		__builtin_trap();
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char head[64];
	int fd;

	keep_session();
	fd = dial();
	send_all(fd, data, size);
	/* no more bytes: the server sees the end of the request stream */
	shutdown(fd, SHUT_WR);
	(void)drain(fd, QUIET_MS, HANG_S, head, sizeof(head));
	close(fd);
	probe();
	return 0;
}
