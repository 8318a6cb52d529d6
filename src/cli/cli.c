#include "cli/cli.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
