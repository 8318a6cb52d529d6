/*
 * cmd_user.c - `uctrack user add|set|passwd|disable|list` and
 * `uctrack token create|list|revoke`. Passwords are read from stdin
 * (first line), never from the command line.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "store/store.h"
#include "triage/triage.h"

/* Read the password from stdin's first line into out (cap bytes). */
static int read_password(char *out, size_t cap, struct uc_err *err)
{
	size_t n;

	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password (at least %d characters): ", AUTH_PASSWORD_MIN);
	if (!fgets(out, (int)cap, stdin))
		return uc_error(err, UC_EINPUT,
				"no password on stdin: pipe it in, "
				"e.g. `printf '%%s\\n' \"$PW\" | uctrack user add ...`");
	n = strlen(out);
	if (n && out[n - 1] != '\n' && !feof(stdin))
		return uc_error(err, UC_EINPUT, "password too long: at most %d characters",
				AUTH_PASSWORD_MAX);
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return UC_OK;
}

static int user_usage(FILE *f)
{
	fputs("usage: uctrack user add NAME --role ROLE [--office OFFICE] [--provider ORG]\n"
	      "       uctrack user set NAME [--role ROLE] [--office OFFICE] [--provider ORG]\n"
	      "       uctrack user passwd NAME\n"
	      "       uctrack user disable NAME\n"
	      "       uctrack user list\n\n"
	      "Roles: admin, supervisor (needs --office), officer (needs --office),\n"
	      "analyst, legal_provider (needs --provider), auditor. add and passwd read\n"
	      "the password from the first line of stdin. set changes a user's role,\n"
	      "office or provider; what it leaves out is kept while the role takes it,\n"
	      "and dropped when the new role does not.\n",
	      f);
	return f == stdout ? 0 : 2;
}

static int user_line(void *arg, const struct auth_user *u, struct uc_err *err)
{
	printf("%s\t%s\t%s\t%s\t%s\n", u->name, auth_role_name(u->role), u->office, u->provider,
	       u->disabled ? "disabled" : "active");
	return UC_OK;
}

static int user_list(struct store *st, struct uc_err *err)
{
	return auth_user_list(st, user_line, NULL, err);
}

int cmd_user(int argc, char **argv)
{
	struct uc_err err = UC_ERR_INIT;
	struct store *st = NULL;
	const char *sub, *name = NULL, *office = NULL, *provider = NULL, *role_s = NULL;
	char pw[AUTH_PASSWORD_MAX + 2] = "", target[96];
	enum auth_role role = AUTH_ROLE_NONE;
	int rc;

	if (argc < 2 || cli_is_help(argv[1]))
		return user_usage(argc < 2 ? stderr : stdout);
	sub = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--role") == 0 && v)
			role_s = argv[++i];
		else if (strcmp(argv[i], "--office") == 0 && v)
			office = argv[++i];
		else if (strcmp(argv[i], "--provider") == 0 && v)
			provider = argv[++i];
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return cli_usage_error("user: bad argument '%s'", argv[i]);
	}
	if (strcmp(sub, "list") != 0 && !name)
		return cli_usage_error("user %s: NAME required", sub);
	if (strcmp(sub, "add") == 0) {
		if (!role_s || auth_role_parse(role_s, &role))
			return cli_usage_error(
			    "user add: --role must be one of admin, "
			    "supervisor, officer, analyst, legal_provider, auditor");
	} else if (strcmp(sub, "set") == 0) {
		if (role_s && auth_role_parse(role_s, &role))
			return cli_usage_error(
			    "user set: --role must be one of admin, "
			    "supervisor, officer, analyst, legal_provider, auditor");
		if (!role_s && !office && !provider)
			return cli_usage_error("user set: give --role, --office or --provider");
	} else if (strcmp(sub, "passwd") && strcmp(sub, "disable") && strcmp(sub, "list")) {
		return cli_usage_error("user: unknown subcommand '%s'", sub);
	}
	if (name)
		snprintf(target, sizeof(target), "user:%.64s", name);
	if ((strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) &&
	    read_password(pw, sizeof(pw), &err))
		return cli_fail(&err);
	rc = store_open(&st, cli_global.db_path, 0, &err);
	if (rc)
		goto out;
	if (strcmp(sub, "add") == 0) {
		char detail[128];

		snprintf(detail, sizeof(detail), "role=%s", auth_role_name(role));
		rc = office ? triage_office_check(st, office, &err) : UC_OK;
		if (!rc)
			rc = auth_user_add(st, name, role, office, provider, pw, &err);
		if (!rc)
			rc = cli_audit(st, "user.create", target, NULL, detail, &err);
		if (!rc && !cli_global.quiet)
			printf("added user %s (%s)\n", name, auth_role_name(role));
	} else if (strcmp(sub, "set") == 0) {
		struct auth_user_change c = {role, office, 0, provider};
		struct auth_user was, now;
		char detail[256];

		rc = office ? triage_office_check(st, office, &err) : UC_OK;
		if (!rc)
			rc = auth_user_set(st, name, &c, &was, &now, &err);
		if (!rc) {
			/* the same detail as PATCH /api/v1/users/{name} */
			int n = snprintf(detail, sizeof(detail), "role=%s->%s office=%.64s->%.64s",
					 auth_role_name(was.role), auth_role_name(now.role),
					 was.office[0] ? was.office : "-",
					 now.office[0] ? now.office : "-");

			if (n > 0 && (size_t)n < sizeof(detail) &&
			    strcmp(was.provider, now.provider) != 0)
				snprintf(detail + n, sizeof(detail) - (size_t)n,
					 " provider=%.64s->%.64s",
					 was.provider[0] ? was.provider : "-",
					 now.provider[0] ? now.provider : "-");
			rc = cli_audit(st, "user.update", target, NULL, detail, &err);
		}
		if (!rc && !cli_global.quiet)
			printf("%s is now %s%s%s%s%s\n", name, auth_role_name(now.role),
			       now.office[0] ? " of office " : "", now.office,
			       now.provider[0] ? " of provider " : "", now.provider);
	} else if (strcmp(sub, "passwd") == 0) {
		rc = auth_user_passwd(st, name, pw, &err);
		if (!rc)
			rc = cli_audit(st, "user.passwd", target, NULL, NULL, &err);
		if (!rc && !cli_global.quiet)
			printf("changed the password of %s (its sessions ended)\n", name);
	} else if (strcmp(sub, "disable") == 0) {
		rc = auth_user_disable(st, name, &err);
		if (!rc)
			rc = cli_audit(st, "user.disable", target, NULL, NULL, &err);
		if (!rc && !cli_global.quiet)
			printf("disabled %s (sessions ended, tokens revoked)\n", name);
	} else {
		rc = user_list(st, &err);
	}
out:
	memset(pw, 0, sizeof(pw));
	store_close(st);
	return rc ? cli_fail(&err) : 0;
}

int cmd_token(int argc, char **argv)
{
	struct uc_err err = UC_ERR_INIT;
	struct store *st = NULL;
	char tok[AUTH_APITOKEN_CHARS + 1], target[96], detail[64];
	const char *label = NULL;
	struct auth_token_opts topt = {0, 0};
	int64_t id = 0;
	long rid;
	int rc;

	if (argc < 3 || cli_is_help(argv[1])) {
		fputs("usage: uctrack token create NAME [--label TEXT] [--days N] [--read-only]\n"
		      "       uctrack token revoke ID\n\n"
		      "create prints a new API token for user NAME (send it as\n"
		      "'Authorization: Bearer TOKEN'); only its hash is stored. It\n"
		      "expires after N days (default 90, at most 366); a read-only\n"
		      "token may only read. A new password revokes the user's tokens.\n",
		      argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (int i = 3; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		long d;

		if (strcmp(argv[1], "create") != 0)
			return cli_usage_error("token %s: unexpected '%s'", argv[1], argv[i]);
		if (strcmp(argv[i], "--label") == 0 && v) {
			label = argv[++i];
		} else if (strcmp(argv[i], "--days") == 0 && v) {
			if (cli_parse_long(argv[++i], 1, AUTH_TOKEN_DAYS_MAX, &d))
				return cli_usage_error("token create: --days takes 1 to %d",
						       AUTH_TOKEN_DAYS_MAX);
			topt.days = (int)d;
		} else if (strcmp(argv[i], "--read-only") == 0) {
			topt.read_only = 1;
		} else {
			return cli_usage_error("token create: bad argument '%s'", argv[i]);
		}
	}
	rc = store_open(&st, cli_global.db_path, 0, &err);
	if (rc)
		goto out;
	if (strcmp(argv[1], "create") == 0) {
		snprintf(target, sizeof(target), "user:%.64s", argv[2]);
		rc = auth_token_create(st, argv[2], label, &topt, tok, &id, &err);
		snprintf(detail, sizeof(detail), "token_id=%lld days=%d%s", (long long)id,
			 topt.days ? topt.days : AUTH_TOKEN_DAYS_DEFAULT,
			 topt.read_only ? " read_only" : "");
		if (!rc)
			rc = cli_audit(st, "token.create", target, NULL, detail, &err);
		if (!rc)
			printf("%s\n", tok);
		memset(tok, 0, sizeof(tok));
	} else if (strcmp(argv[1], "revoke") == 0 &&
		   !cli_parse_long(argv[2], 1, 0x7fffffffL, &rid)) {
		snprintf(target, sizeof(target), "token:%ld", rid);
		rc = auth_token_revoke(st, rid, 0, &err);
		if (!rc)
			rc = cli_audit(st, "token.revoke", target, NULL, NULL, &err);
	} else {
		store_close(st);
		return cli_usage_error("token: unknown subcommand or bad id '%s'", argv[1]);
	}
out:
	store_close(st);
	return rc ? cli_fail(&err) : 0;
}
