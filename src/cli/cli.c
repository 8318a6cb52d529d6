#include "cli/cli.h"

#include <errno.h>
#include <pwd.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/buf.h"

struct cli_global cli_global;

#define LOOKUP_REL "shared/data/eoir/lookup_tables_combined.csv"

static int readable(const char *p)
{
	return p && access(p, R_OK) == 0;
}

char *cli_eoir_lookup_path(const char *opt)
{
	const char *env = getenv("UCTRACK_EOIR_LOOKUP");
	char exe[4096];
	ssize_t n;
	struct buf b;

	if (opt)
		return uc_xstrdup(opt);
	if (env && *env)
		return uc_xstrdup(env);
	if (cli_global.eoir_lookup && *cli_global.eoir_lookup)
		return uc_xstrdup(cli_global.eoir_lookup);
	if (readable("../" LOOKUP_REL))
		return uc_xstrdup("../" LOOKUP_REL);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		buf_init(&b, 8192);
		buf_addf(&b, "%s/../../" LOOKUP_REL, dirname(exe));
		if (readable(b.ptr))
			return buf_detach(&b, NULL);
		buf_release(&b);
	}
	return uc_xstrdup("../" LOOKUP_REL);
}

int cli_fail(const struct uc_err *err)
{
	fprintf(stderr, "uctrack: %s\n", err->msg[0] ? err->msg : "failed");
	return uc_err_exit_code(err->code ? err->code : UC_EINTERNAL);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("uctrack: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	return 2;
}

int cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static const char *cli_actor(char actor[96])
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (!u || !*u) {
		pw = getpwuid(getuid());
		u = pw ? pw->pw_name : "unknown";
	}
	snprintf(actor, 96, "cli:%.80s", u);
	return actor;
}

int cli_audit(struct store *st, const char *action, const char *target, const char *purpose,
	      const char *detail, struct uc_err *err)
{
	char actor[96];
	struct audit_entry e = {
	    .actor = cli_actor(actor),
	    .role = "cli",
	    .action = action,
	    .target = target,
	    .purpose = purpose,
	    .outcome = "ok",
	    .detail = detail,
	};

	return audit_append(st, &e, NULL, err);
}

static int append_piece(void *arg, const struct audit_entry *piece, struct uc_err *err)
{
	return audit_append_tx(arg, piece, NULL, err);
}

int cli_audit_read(struct store *st, const char *action, const char *target, const char *detail,
		   const char *subjects, size_t len, struct uc_err *err)
{
	struct store *own = NULL;
	char actor[96];
	struct buf d;
	size_t parts = 0;
	int rc;
	struct audit_entry e = {
	    .actor = cli_actor(actor),
	    .role = "cli",
	    .action = action,
	    .target = target,
	    .outcome = "ok",
	};

	/* a read on a read-only connection: a writer of its own */
	if (!st) {
		rc = store_open(&own, cli_global.db_path, 0, err);
		if (rc)
			return rc;
		st = own;
	}
	rc = store_begin(st, err);
	if (rc) {
		store_close(own);
		return rc;
	}
	rc = audit_children(&e, subjects, len, append_piece, st, &parts, err);
	buf_init(&d, 8192);
	buf_addf(&d, "%s%sparts=%zu", detail ? detail : "", detail ? " " : "", parts);
	e.detail = d.ptr;
	/* the read's own entry after its pieces, as the server writes them */
	if (!rc)
		rc = audit_append_tx(st, &e, NULL, err);
	if (!rc)
		rc = store_commit(st, err);
	else
		store_rollback(st);
	buf_release(&d);
	store_close(own);
	return rc;
}
