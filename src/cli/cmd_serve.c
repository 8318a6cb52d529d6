/*
 * cmd_serve.c - `uctrack serve`: run the JSON API until SIGTERM/SIGINT.
 */
#include <ini.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/atree.h"
#include "auth/seal.h"
#include "cli/cli.h"
#include "http/server.h"

/* Strings from the config file outlive ini_parse's buffers here. */
struct serve_cfg {
	struct http_config http;   /* the server configuration being built */
	char *listen;		   /* [server] listen, owned */
	char *key_file;		   /* [server]/[crypto] key_file, owned */
	char *proxy;		   /* [server] trusted_proxy, owned */
	char *proxy_secret;	   /* [server] trusted_proxy_secret, owned */
	char *eoir_lookup;	   /* EOIR lookup tables' path, owned */
	const char *file;	   /* config path, for messages */
	int bad;		   /* a value was invalid */
	struct atree_config audit; /* [audit]: checkpoint signing */
};

static int set_int(struct serve_cfg *c, const char *name, const char *v, long min, long max,
		   int *out)
{
	long n;

	if (cli_parse_long(v, min, max, &n)) {
		fprintf(stderr, "uctrack: %s: [server] %s: expected %ld..%ld, got '%s'\n", c->file,
			name, min, max, v);
		c->bad = 1;
		return 0;
	}
	*out = (int)n;
	return 1;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = uc_xstrdup(v);
}

static int on_ini(void *user, const char *section, const char *name, const char *v)
{
	struct serve_cfg *c = user;
	struct http_config *h = &c->http;
	int x;

	if (strcmp(section, "audit") == 0) {
		struct uc_err err = UC_ERR_INIT;

		if (atree_config_set(&c->audit, name, v, &err)) {
			fprintf(stderr, "uctrack: %s: %s\n", c->file, err.msg);
			c->bad = 1;
		}
		return 1;
	}
	if (strcmp(section, "crypto") == 0 && strcmp(name, "key_file") == 0) {
		set_str(&c->key_file, v);
		return 1;
	}
	if (strcmp(section, "server") != 0)
		return 1;
	if (strcmp(name, "listen") == 0)
		set_str(&c->listen, v);
	else if (strcmp(name, "key_file") == 0)
		set_str(&c->key_file, v);
	else if (strcmp(name, "trusted_proxy") == 0)
		set_str(&c->proxy, v);
	else if (strcmp(name, "trusted_proxy_secret") == 0)
		set_str(&c->proxy_secret, v);
	else if (strcmp(name, "threads") == 0)
		return set_int(c, name, v, 1, 256, &h->threads);
	else if (strcmp(name, "timeout") == 0)
		return set_int(c, name, v, 1, 3600, &h->timeout_s);
	else if (strcmp(name, "max_connections") == 0)
		return set_int(c, name, v, 1, 65536, &h->max_connections);
	else if (strcmp(name, "max_body") == 0) {
		if (set_int(c, name, v, 1024, 16 << 20, &x))
			h->max_body = (size_t)x;
	} else if (strcmp(name, "max_upload") == 0) {
		if (set_int(c, name, v, 1024, 1 << 30, &x))
			h->max_upload = (size_t)x;
	} else if (strcmp(name, "session_idle") == 0)
		return set_int(c, name, v, 1, 86400 * 7, &h->auth.idle_s);
	else if (strcmp(name, "session_absolute") == 0)
		return set_int(c, name, v, 1, 86400 * 30, &h->auth.absolute_s);
	else if (strcmp(name, "login_window") == 0)
		return set_int(c, name, v, 1, 86400, &h->auth.fail_window_s);
	else if (strcmp(name, "login_max_user") == 0)
		return set_int(c, name, v, 1, 1000, &h->auth.max_fail_user);
	else if (strcmp(name, "login_max_addr") == 0)
		return set_int(c, name, v, 1, 100000, &h->auth.max_fail_addr);
	else if (strcmp(name, "login_max_delay") == 0)
		return set_int(c, name, v, 1, 3600, &h->auth.max_delay_s);
	else if (strcmp(name, "secure_cookies") == 0)
		return set_int(c, name, v, 0, 1, &h->secure_cookies);
	else if (strcmp(name, "shutdown_grace") == 0)
		return set_int(c, name, v, 0, 3600, &h->shutdown_grace_s);
	else if (strcmp(name, "request_timeout_ms") == 0)
		return set_int(c, name, v, 0, 3600 * 1000, &h->request_ms);
	else if (strcmp(name, "batch_timeout_ms") == 0)
		return set_int(c, name, v, 0, 24 * 3600 * 1000, &h->batch_ms);
	else if (strcmp(name, "max_connections_per_ip") == 0)
		return set_int(c, name, v, 1, 65536, &h->max_per_ip);
	else if (strcmp(name, "report_refresh") == 0)
		return set_int(c, name, v, 0, 86400, &h->report_refresh_s);
	else {
		fprintf(stderr,
			"uctrack: %s: [server] unknown key '%s' "
			"(see docs/configuration.md)\n",
			c->file, name);
		c->bad = 1;
	}
	return 1;
}

/* "HOST:PORT" or ":PORT" or "PORT" into cfg. */
static int parse_listen(struct serve_cfg *c, const char *s, char **host_out)
{
	const char *colon = strrchr(s, ':');
	long port;

	if (cli_parse_long(colon ? colon + 1 : s, 0, 65535, &port))
		return -1;
	c->http.port = (int)port;
	free(*host_out);
	if (colon && colon != s) {
		*host_out = uc_xmalloc((size_t)(colon - s) + 1);
		memcpy(*host_out, s, (size_t)(colon - s));
		(*host_out)[colon - s] = '\0';
	} else {
		*host_out = uc_xstrdup("127.0.0.1");
	}
	return 0;
}

/*
 * Build the audit tree of entries logged before it existed (so no request
 * waits for that), then, with an [audit] signing_key, load the key (a bad
 * key stops the start) and sign a first checkpoint; the checkpointer
 * thread signs the next ones every checkpoint_interval seconds.
 */
static int audit_setup(struct serve_cfg *c, struct uc_err *err)
{
	struct store *st = NULL;
	int rc = atree_signer_open(&c->http.audit_ckpt, &c->audit, err);

	if (!rc)
		rc = store_open(&st, cli_global.db_path, 0, err);
	if (!rc)
		rc = atree_sync(st, NULL, err);
	if (!rc && c->http.audit_ckpt)
		rc = atree_checkpoint_tick(st, c->http.audit_ckpt, err);
	store_close(st);
	return rc;
}

static void usage(FILE *f)
{
	fputs("usage: uctrack serve [--listen HOST:PORT] [--threads N]\n"
	      "                     [--session-idle SECONDS] [--session-max SECONDS]\n"
	      "                     [--key-file FILE] [--port-file FILE]\n"
	      "                     [--eoir-lookup PATH]\n"
	      "       uctrack serve --new-key FILE\n\n"
	      "Serve the JSON API (docs/api.md) until SIGTERM or SIGINT, which finish\n"
	      "the requests in flight first. Defaults come from the [server] section of\n"
	      "the config (docs/configuration.md); --listen defaults to 127.0.0.1:8080\n"
	      "(port 0 picks a free port; --port-file writes it). --new-key creates a\n"
	      "key file for sealing sensitive notes and exits. The EOIR lookup tables\n"
	      "for EOIR feed uploads are found as by `uctrack import` (--eoir-lookup,\n"
	      "$UCTRACK_EOIR_LOOKUP, [eoir] lookup) and loaded at start.\n",
	      f);
}

int cmd_serve(int argc, char **argv)
{
	struct serve_cfg c;
	struct http_config def = HTTP_CONFIG_DEFAULT;
	struct http_server *srv = NULL;
	struct uc_err err = UC_ERR_INIT;
	const char *listen_arg = NULL, *port_file = NULL, *lk_opt = NULL;
	char *host = NULL;
	sigset_t set;
	int rc = 0, sig = 0;
	long n;

	memset(&c, 0, sizeof(c));
	c.http = def;
	c.file = cli_global.config_path;
	atree_config_init(&c.audit);
	if (c.file && ini_parse(c.file, on_ini, &c) != 0)
		c.bad = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (cli_is_help(a)) {
			usage(stdout);
			goto out;
		} else if (strcmp(a, "--new-key") == 0 && v) {
			rc = seal_key_create(v, &err) ? cli_fail(&err) : 0;
			if (!rc)
				printf("wrote key file %s (keep it out of the database "
				       "and its backups)\n",
				       v);
			goto out;
		} else if (strcmp(a, "--listen") == 0 && v) {
			listen_arg = v;
		} else if (strcmp(a, "--eoir-lookup") == 0 && v) {
			lk_opt = v;
		} else if (strcmp(a, "--port-file") == 0 && v) {
			port_file = v;
		} else if (strcmp(a, "--key-file") == 0 && v) {
			set_str(&c.key_file, v);
		} else if (strcmp(a, "--threads") == 0 && v && !cli_parse_long(v, 1, 256, &n)) {
			c.http.threads = (int)n;
		} else if (strcmp(a, "--session-idle") == 0 && v &&
			   !cli_parse_long(v, 1, 604800, &n)) {
			c.http.auth.idle_s = (int)n;
		} else if (strcmp(a, "--session-max") == 0 && v &&
			   !cli_parse_long(v, 1, 2592000, &n)) {
			c.http.auth.absolute_s = (int)n;
		} else {
			rc = cli_usage_error("serve: bad argument '%s'", a);
			goto out;
		}
		i++;
	}
	if (c.bad) {
		rc = 2;
		goto out;
	}
	if (!listen_arg)
		listen_arg = c.listen;
	if (listen_arg && parse_listen(&c, listen_arg, &host)) {
		rc = cli_usage_error("serve: --listen wants HOST:PORT, got '%s'", listen_arg);
		goto out;
	}
	if (host)
		c.http.listen_host = host;
	c.http.db_path = cli_global.db_path;
	c.http.key_file = c.key_file;
	c.eoir_lookup = cli_eoir_lookup_path(lk_opt);
	c.http.eoir_lookup = c.eoir_lookup;
	c.http.trusted_proxy = c.proxy;
	c.http.proxy_secret = c.proxy_secret;
	rc = audit_setup(&c, &err);
	if (rc) {
		rc = cli_fail(&err);
		goto out;
	}

	/* Block the stop signals in every thread; this one waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (http_start(&srv, &c.http, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (port_file) {
		FILE *f = fopen(port_file, "w");

		if (f) {
			fprintf(f, "%d\n", http_port(srv));
			fclose(f);
		}
	}
	{
		const char *why = NULL;

		if (!http_eoir_lookup(srv, &why))
			fprintf(stderr,
				"uctrack: warning: %s; EOIR feed uploads will be "
				"refused until the server is restarted with them\n",
				why);
	}
	if (!cli_global.quiet)
		printf("uctrack: serving http://%s:%d/api/v1 (db %s, %d threads)\n",
		       c.http.listen_host, http_port(srv), cli_global.db_path, c.http.threads);
	fflush(stdout);
	sigwait(&set, &sig);
	if (!cli_global.quiet)
		printf("uctrack: %s: finishing requests in flight\n",
		       sig == SIGTERM ? "SIGTERM" : "SIGINT");
	fflush(stdout);
	http_stop(srv);
out:
	free(host);
	free(c.listen);
	free(c.key_file);
	free(c.proxy);
	free(c.proxy_secret);
	free(c.eoir_lookup);
	atree_signer_free(c.http.audit_ckpt);
	atree_config_release(&c.audit);
	return rc;
}
