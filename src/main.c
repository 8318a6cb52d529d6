/*
 * main.c - command-line entry: global options, config file, dispatch.
 */
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

struct command {
	const char *name;
	cli_cmd_fn fn;
	const char *summary;
};

static const struct command commands[] = {
    {"gen", cmd_gen, "write calibrated synthetic feeds with ground truth"},
    {"import", cmd_import, "import agency feeds into the store"},
    {"index", cmd_index, "build the read indexes now (after a bulk import)"},
    {"link", cmd_link, "link records to children and sponsors; review, merge, split"},
    {"report", cmd_report, "oversight reports"},
    {"serve", cmd_serve, "serve the JSON API (auth, audit)"},
    {"user", cmd_user, "add, change, disable and list users"},
    {"token", cmd_token, "create and revoke API tokens"},
    {"audit", cmd_audit, "verify and list the hash-chained audit log"},
    {"triage", cmd_triage, "triage cases: groups, priority, holds, tasks; explain; override"},
    {"rules", cmd_rules, "check a rule set, diff two rule sets, list facts"},
    {"queue", cmd_queue, "the prioritised work list (by office, group, phase)"},
    {"work", cmd_work, "field work: the queue of children, assignment, inbox, digest"},
};

static void usage(FILE *f)
{
	fputs("usage: uctrack [--db PATH] [--config FILE] [--quiet] COMMAND [ARGS]\n"
	      "       uctrack --version | --help | COMMAND --help\n\n"
	      "Case tracking and triage for unaccompanied children's immigration cases.\n\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nglobal options:\n"
	      "  --db PATH       database (default $UCTRACK_DB, else ./uctrack.db)\n"
	      "  --config FILE   INI config (default $UCTRACK_CONFIG; see docs/configuration.md)\n"
	      "  --quiet         no summaries on stdout\n\n"
	      "exit codes: 0 ok, 1 bad input or failed check, 2 usage error, 3 runtime failure\n",
	      f);
}

/* Config values are copied: the ini parser's buffers are transient. */
static char *cfg_db;
static char *cfg_eoir_lookup;
static char *cfg_key_file;

static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	const char *file = user;

	if (strcmp(section, "store") == 0 && strcmp(name, "db") == 0) {
		free(cfg_db);
		cfg_db = strdup(value);
		return 1;
	}
	if (strcmp(section, "eoir") == 0 && strcmp(name, "lookup") == 0) {
		free(cfg_eoir_lookup);
		cfg_eoir_lookup = strdup(value);
		return 1;
	}
	/* The notes' key: serve reads it itself; import seals with it too. */
	if ((strcmp(section, "server") == 0 || strcmp(section, "crypto") == 0) &&
	    strcmp(name, "key_file") == 0) {
		free(cfg_key_file);
		cfg_key_file = strdup(value);
		return 1;
	}
	/* Sections owned by later modules are accepted as they appear; an
	 * unknown key in a known section is a mistake worth reporting. */
	if (strcmp(section, "store") == 0 || strcmp(section, "eoir") == 0) {
		fprintf(stderr, "uctrack: %s: [%s] unknown key '%s'\n", file, section, name);
		return 0;
	}
	return 1;
}

static int load_config(const char *path)
{
	int rc = ini_parse(path, config_handler, (void *)path);

	if (rc < 0) {
		fprintf(stderr, "uctrack: cannot read config file %s\n", path);
		return 2;
	}
	if (rc > 0) {
		fprintf(stderr, "uctrack: %s:%d: config error (see docs/configuration.md)\n", path,
			rc);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *db = NULL, *config = getenv("UCTRACK_CONFIG");
	int i = 1, rc;

	/* Everything uctrack writes holds or derives from children's data
	 * (the database and its -wal/-shm, exports, rejects, uploads): only
	 * the owner may read it. */
	umask(077);

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (cli_is_help(a)) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("uctrack %s\n", UCTRACK_VERSION);
			return 0;
		} else if (strcmp(a, "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			db = a + 5;
		} else if (strcmp(a, "--config") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			config = a + 9;
		} else if (strcmp(a, "--quiet") == 0) {
			cli_global.quiet = 1;
		} else {
			return cli_usage_error("unknown option '%s'", a);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (config && *config) {
		rc = load_config(config);
		if (rc)
			return rc;
		cli_global.config_path = config;
	}
	if (!db)
		db = getenv("UCTRACK_DB");
	if (!db || !*db)
		db = cfg_db;
	if (!db || !*db)
		db = "uctrack.db";
	cli_global.db_path = db;
	cli_global.eoir_lookup = cfg_eoir_lookup;
	cli_global.key_file = cfg_key_file;

	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		if (strcmp(argv[i], commands[k].name) == 0) {
			rc = commands[k].fn(argc - i, argv + i);
			free(cfg_db);
			free(cfg_eoir_lookup);
			free(cfg_key_file);
			return rc;
		}
	}
	free(cfg_db);
	free(cfg_eoir_lookup);
	free(cfg_key_file);
	return cli_usage_error("unknown command '%s'", argv[i]);
}
