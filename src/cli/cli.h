#ifndef UC_CLI_H
#define UC_CLI_H
/*
 * cli.h - the command-line layer: one cmd_NAME() per subcommand, plus the
 * global options every command shares. Only this layer (and main.c) prints
 * usage and decides exit codes; modules below return uc_err results.
 *
 * Exit codes (README.md): 0 ok; 1 bad input or a failed check;
 * 2 usage error; 3 runtime failure (I/O, database).
 */
#include "core/err.h"
#include <stddef.h>

#include "store/store.h"

struct cli_global {
	const char *db_path;	 /* --db, else $UCTRACK_DB, else ./uctrack.db */
	const char *config_path; /* --config, else $UCTRACK_CONFIG, else none */
	const char *eoir_lookup; /* EOIR lookup CSV ([eoir] lookup in config) */
	const char *key_file;	 /* notes' key ([server] key_file in config) */
	int quiet;		 /* --quiet: no summaries on stdout */
};

/* Filled by main() before dispatch; read-only for commands. */
extern struct cli_global cli_global;

/* A subcommand: argv[0] is the command name. Returns the exit code. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_gen(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_index(int argc, char **argv);
/* Other modules add their cmd_NAME declarations below, one line each. */
int cmd_report(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_work(int argc, char **argv);

/*
 * The EOIR lookup tables' path: opt (--eoir-lookup) when set, else
 * $UCTRACK_EOIR_LOOKUP, else [eoir] lookup in the config, else
 * ../shared/data/eoir/lookup_tables_combined.csv from the current
 * directory, else the same beside the binary (../../shared/...). Never
 * NULL; the caller frees it.
 */
char *cli_eoir_lookup_path(const char *opt);

/* Print "uctrack: MSG" for err to stderr and return its exit code. */
int cli_fail(const struct uc_err *err);
/* Print a usage error and return 2. printf-style. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 1 if arg is "-h" or "--help". */
int cli_is_help(const char *arg);
/*
 * Parse a non-negative decimal integer in [min, max] from s (whole string).
 * Returns 0 or -1.
 */
int cli_parse_long(const char *s, long min, long max, long *out);

/* Audit what a CLI command did or read: actor "cli:$USER" (the login
 * name), role "cli", outcome "ok". Reads of children's personal data
 * (queue, reports, explanations, link review) are entries as well as
 * writes; purpose and detail may be NULL. In its own transaction. */
int cli_audit(struct store *st, const char *action, const char *target, const char *purpose,
	      const char *detail, struct uc_err *err);
/* Audit a read that named children: K entries ACTION.children listing
 * them (audit_children) and the read's own entry (detail + " parts=K"),
 * in one transaction on st, or when st is NULL (the read used a read-only
 * connection) on a connection of its own. */
int cli_audit_read(struct store *st, const char *action, const char *target, const char *detail,
		   const char *subjects, size_t len, struct uc_err *err);

#endif
