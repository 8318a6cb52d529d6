#include "cli/cli.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"

struct cli_global cli_global;

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

int cli_audit(struct store *st, const char *action, const char *target,
	      const char *purpose, const char *detail, struct uc_err *err)
{
	const char *u = getenv("USER");
	struct passwd *pw;
	char actor[96];
	struct audit_entry e = {
		.actor = actor, .role = "cli", .action = action, .target = target,
		.purpose = purpose, .outcome = "ok", .detail = detail,
	};

	if (!u || !*u) {
		pw = getpwuid(getuid());
		u = pw ? pw->pw_name : "unknown";
	}
	snprintf(actor, sizeof(actor), "cli:%.80s", u);
	return audit_append(st, &e, NULL, err);
}
