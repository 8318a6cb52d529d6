/*
 * cmd_import.c - `uctrack import`: the command-line face of src/ingest.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/seal.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "link/link.h"
#include "store/store.h"

#define LOOKUP_REL "shared/data/eoir/lookup_tables_combined.csv" /* for usage */

static void usage(FILE *f)
{
	fputs("usage: uctrack [--db PATH] import --feed eoir|cbp|orr|ice|events\n"
	      "                [--skip-bad REJECTS] [--eoir-lookup PATH] [--key-file FILE]\n"
	      "                [--threads 1|2] [--quiet] PATH...\n\n"
	      "Import agency feed files (docs/formats.md) into the store. PATH is a file\n"
	      "or a folder (all the feed's files in it, or in its FEED/ subfolder).\n"
	      "Each file is one transaction: a file with any bad row imports nothing,\n"
	      "and each error is shown as file:line:column: field: problem.\n"
	      "Importing the same rows again adds nothing; a changed row with the same\n"
	      "key is stored as a new version. The import does not build the read\n"
	      "indexes of the tables it fills (`uctrack index`; the next read-write\n"
	      "command builds them otherwise).\n\n"
	      "options:\n"
	      "  --feed F              eoir, cbp, orr, ice or events (required)\n"
	      "  --skip-bad REJECTS    import the good rows; write the bad ones, with\n"
	      "                        their reasons, to the CSV file REJECTS\n"
	      "  --eoir-lookup PATH    EOIR code tables (default $UCTRACK_EOIR_LOOKUP,\n"
	      "                        [eoir] lookup in the config, else ../" LOOKUP_REL ")\n"
	      "  --key-file FILE       key sealing the notes of trafficking_screening and\n"
	      "                        welfare_check events (default [server] key_file in\n"
	      "                        the config); without one such notes are refused\n"
	      "  --threads 1|2         2: files of 1 MiB or more are loaded on two threads\n"
	      "                        (one checks rows, one writes them); 1: one thread.\n"
	      "                        Default: 2 on a machine with 2 or more CPUs\n"
	      "                        ($UCTRACK_PIPE_MIN_BYTES sets the size: 0 every file,\n"
	      "                        -1 none)\n"
	      "  --quiet               no summary on stdout\n\n"
	      "exit codes: 0 ok, 1 bad input (some file not imported), 2 usage, 3 I/O\n",
	      f);
}

int cmd_import(int argc, char **argv)
{
	const char *feed = NULL, *rejects = NULL, *lk_opt = NULL, *key_file = NULL;
	unsigned char key[SEAL_KEY_BYTES];
	int have_key = 0;
	char **paths = NULL;
	int npaths = 0, rc = 0, quiet = cli_global.quiet;
	long threads = 0;
	struct store *st = NULL;
	struct ingest_ctx *ic = NULL;
	struct ingest_opts o;
	struct uc_err err = UC_ERR_INIT;
	char *lk = NULL;

	paths = uc_xcalloc((size_t)argc + 1, sizeof(char *));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (cli_is_help(a)) {
			usage(stdout);
			goto out;
		} else if (strcmp(a, "--feed") == 0 && i + 1 < argc) {
			feed = argv[++i];
		} else if (strncmp(a, "--feed=", 7) == 0) {
			feed = a + 7;
		} else if (strcmp(a, "--skip-bad") == 0 && i + 1 < argc) {
			rejects = argv[++i];
		} else if (strncmp(a, "--skip-bad=", 11) == 0) {
			rejects = a + 11;
		} else if (strcmp(a, "--eoir-lookup") == 0 && i + 1 < argc) {
			lk_opt = argv[++i];
		} else if (strncmp(a, "--eoir-lookup=", 14) == 0) {
			lk_opt = a + 14;
		} else if (strcmp(a, "--key-file") == 0 && i + 1 < argc) {
			key_file = argv[++i];
		} else if (strncmp(a, "--key-file=", 11) == 0) {
			key_file = a + 11;
		} else if (strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
			if (cli_parse_long(argv[++i], 1, 2, &threads)) {
				rc = cli_usage_error("import: --threads takes 1 or 2");
				goto out;
			}
		} else if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				paths[npaths++] = argv[i];
		} else if (a[0] == '-' && a[1]) {
			rc = cli_usage_error("import: unknown option '%s'", a);
			goto out;
		} else {
			paths[npaths++] = argv[i];
		}
	}
	if (!feed) {
		rc = cli_usage_error("import: --feed eoir|cbp|orr|ice|events is required");
		goto out;
	}
	if (npaths == 0) {
		rc = cli_usage_error("import: no PATH given");
		goto out;
	}
	if (rejects && !*rejects) {
		rc = cli_usage_error("import: --skip-bad needs a file name");
		goto out;
	}
	if (strcmp(feed, "eoir") == 0)
		lk = cli_eoir_lookup_path(lk_opt);
	/* Screening and welfare notes of events are sealed with the server's
	 * key (docs/configuration.md); without one such notes are refused. */
	if (!key_file)
		key_file = cli_global.key_file;
	if (strcmp(feed, "events") == 0 && key_file && *key_file) {
		if (seal_key_load(key_file, key, &err)) {
			rc = cli_fail(&err);
			goto out;
		}
		have_key = 1;
	}
	memset(&o, 0, sizeof(o));
	o.note_key = have_key ? key : NULL;
	o.rejects = rejects;
	o.eoir_lookup = lk;
	o.quiet = quiet;
	/* 1: never pipe; 2: big files even on one CPU; unset: ingest's default */
	o.pipe_min_bytes = threads == 1 ? -1 : threads == 2 ? INGEST_PIPE_MIN_DEFAULT : 0;
	if (store_open(&st, cli_global.db_path, STORE_BULK | STORE_LOAD, &err) ||
	    ingest_open(&ic, st, &o, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	rc = ingest_feed(ic, feed, paths, npaths, NULL, &err);
	if (rc == UC_EUSAGE) {
		rc = cli_usage_error("import: %s", err.msg);
		goto out;
	}
	if (rc) {
		struct uc_err fe = UC_ERR_INIT;
		int frc = ingest_finish(ic, &fe);

		rc = cli_fail(&err);
		if (frc)
			cli_fail(&fe);
		goto out;
	}
	if (ingest_finish(ic, &err) || link_records_update(st, NULL, &err) ||
	    store_analyze(st, &err)) {
		rc = cli_fail(&err);
	} else if (!quiet) {
		int missing = 0;

		if (!store_read_indexes_missing(st, &missing, &err) && missing)
			printf("read indexes: %d to build: run `uctrack index` now, or the next "
			       "read-write command builds them\n",
			       missing);
	}
out:
	sodium_memzero(key, sizeof(key));
	ingest_free(ic);
	store_close(st);
	free(lk);
	free(paths);
	fflush(stdout);
	return rc;
}

/* `uctrack index`: build the read indexes now (store_read_indexes). */
int cmd_index(int argc, char **argv)
{
	struct uc_err err = UC_ERR_INIT;
	struct store *st = NULL;
	int built = 0, rc;

	if (argc > 1 && cli_is_help(argv[1])) {
		fputs("usage: uctrack [--db PATH] index\n\n"
		      "Build the read indexes (secondary indexes of the feed tables and of\n"
		      "address, claim and representation) that are missing. `uctrack import`\n"
		      "does not build them, so that bulk loads only append rows; the next\n"
		      "read-write command (link, triage, serve, ...) builds them otherwise.\n"
		      "Run it after a bulk import to pay that cost at a time of your choosing.\n\n"
		      "exit codes: 0 ok, 2 usage, 3 database error\n",
		      stdout);
		return 0;
	}
	if (argc > 1)
		return cli_usage_error("index: unexpected argument '%s'", argv[1]);
	rc = store_open(&st, cli_global.db_path, STORE_BULK | STORE_LOAD, &err);
	if (!rc)
		rc = store_read_indexes(st, &built, &err);
	store_close(st);
	if (rc)
		return cli_fail(&err);
	if (!cli_global.quiet)
		printf("index: %d read index%s built\n", built, built == 1 ? "" : "es");
	return 0;
}
