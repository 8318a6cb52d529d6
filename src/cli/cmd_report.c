/*
 * cmd_report.c - `uctrack report oversight|fta`: the command-line face of
 * report.h. Parses options, runs the report into a buffer, writes it to
 * stdout or atomically to --out FILE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/date.h"
#include "core/file.h"
#include "report/report.h"
#include "store/store.h"

static void usage(FILE *f)
{
	fputs("usage: uctrack report oversight [--as-of DATE] [--known-at DATE]\n"
	      "           [--by fy|office|state|country|group|phase]\n"
	      "           [--format table|csv|json|html] [--public [--threshold N]]\n"
	      "           [--unknown-days N] [--identity auto|person|anumber]\n"
	      "           [--out FILE]\n"
	      "       uctrack report fta [--as-of DATE] [--known-at DATE]\n"
	      "           [--format csv|json|table] [--identity ...] [--office CODE]\n"
	      "           [--out FILE]\n\n"
	      "oversight  counts accounting for every released child (docs/reports.md)\n"
	      "fta        every child who missed a hearing, with what HHS needs\n"
	      "           (personal data: refused with --public)\n\n"
	      "  --as-of DATE      report date (default today, $UCTRACK_TODAY)\n"
	      "  --known-at DATE   count files imported up to DATE (default: the\n"
	      "                    as-of date, so later imports never change it);\n"
	      "                    or an import time YYYY-MM-DDTHH:MM:SSZ\n"
	      "  --public          suppress counts below --threshold (default 11)\n"
	      "  --unknown-days N  whereabouts unknown after N days without a\n"
	      "                    verified address or contact (default 90)\n"
	      "  --office CODE     fta: only children whose case triage assigned to\n"
	      "                    field office CODE (needs a triage run)\n"
	      "  --out FILE        write FILE atomically instead of stdout\n",
	      f);
}

static int parse_date_arg(const char *opt, const char *s, int32_t *out)
{
	if (!s || date_parse(s, strlen(s), out))
		return cli_usage_error("%s: '%s' is not a date (YYYY-MM-DD)", opt, s ? s : "");
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = REPORT_OPTS_INIT;
	struct uc_err err = UC_ERR_INIT;
	struct store *st = NULL;
	struct buf out;
	const char *what, *outpath = NULL, *fmt_name = NULL;
	int fta, rc = 0, threshold_set = 0;
	long n;

	buf_init(&out, REPORT_OUT_CAP);
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	what = argv[1];
	if (strcmp(what, "oversight") != 0 && strcmp(what, "fta") != 0)
		return cli_usage_error("report: unknown report '%s' (oversight, fta)", what);
	fta = strcmp(what, "fta") == 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (cli_is_help(a)) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--public") == 0) {
			o.public_mode = 1;
			continue;
		}
		if (!v)
			return cli_usage_error("report: %s needs a value", a);
		i++;
		if (strcmp(a, "--as-of") == 0) {
			if (parse_date_arg(a, v, &o.as_of))
				return 2;
		} else if (strcmp(a, "--known-at") == 0) {
			/* A date, or an import time as import_file records it. */
			if (strlen(v) > 10)
				o.known_at_time = v;
			else if (parse_date_arg(a, v, &o.known_at))
				return 2;
		} else if (strcmp(a, "--by") == 0) {
			if (fta || report_by_parse(v, &o.by))
				return cli_usage_error("report: --by: '%s' is not one of "
						       "fy, office, state, country, group, phase%s",
						       v, fta ? " (oversight only)" : "");
		} else if (strcmp(a, "--format") == 0) {
			fmt_name = v;
			if (report_format_parse(v, &o.format) ||
			    (fta && o.format == REPORT_FMT_HTML))
				return cli_usage_error("report: --format: '%s' is not one of "
						       "table, csv, json%s",
						       v, fta ? "" : ", html");
		} else if (strcmp(a, "--identity") == 0) {
			if (report_identity_parse(v, &o.identity))
				return cli_usage_error("report: --identity: '%s' is not one "
						       "of auto, person, anumber",
						       v);
		} else if (strcmp(a, "--threshold") == 0) {
			if (cli_parse_long(v, 1, 1000000, &n))
				return cli_usage_error("report: --threshold: '%s' is not a "
						       "number from 1 to 1000000",
						       v);
			o.threshold = (int)n;
			threshold_set = 1;
		} else if (strcmp(a, "--unknown-days") == 0) {
			if (cli_parse_long(v, 1, 36500, &n))
				return cli_usage_error("report: --unknown-days: '%s' is not "
						       "a number of days from 1 to 36500",
						       v);
			o.unknown_days = (int)n;
		} else if (strcmp(a, "--office") == 0) {
			if (!fta)
				return cli_usage_error(
				    "report: --office applies to fta "
				    "(use --by office for the oversight report)");
			o.office = v;
		} else if (strcmp(a, "--out") == 0) {
			outpath = v;
		} else {
			return cli_usage_error("report: unknown option '%s'", a);
		}
	}
	if (threshold_set && !o.public_mode)
		return cli_usage_error("report: --threshold only applies with --public");
	rc = store_open(&st, cli_global.db_path, STORE_READONLY, &err);
	if (rc)
		goto fail;
	rc = fta ? report_fta(st, &o, &out, &err) : report_oversight(st, &o, &out, &err);
	if (rc)
		goto fail;
	/* Who read the list of named children, or the unsuppressed counts. */
	if (fta || !o.public_mode) {
		struct buf seen, d;
		size_t nkids = 0;

		buf_init(&seen, 64u << 20);
		buf_init(&d, 4096);
		if (fta)
			rc = report_fta_subjects(out.ptr, out.len, &seen, &nkids)
				 ? uc_error(&err, UC_ENOMEM,
					    "report fta: list of children too large to audit")
				 : UC_OK;
		buf_addf(&d, "format=%s%s%s", fmt_name ? fmt_name : "table", outpath ? " out=" : "",
			 outpath ? outpath : "");
		if (fta)
			buf_addf(&d, " children=%zu", nkids);
		else
			buf_adds(&d, " public=0");
		if (!rc)
			rc = cli_audit_read(NULL, fta ? "report.fta" : "report.oversight",
					    fta ? "report:fta" : "report:oversight", d.ptr,
					    seen.ptr, seen.len, &err);
		buf_release(&seen);
		buf_release(&d);
		if (rc)
			goto fail;
	}
	if (outpath) {
		rc = uc_write_atomic(outpath, out.ptr ? out.ptr : "", out.len, 0666, &err);
		if (rc)
			goto fail;
	} else if (out.len && fwrite(out.ptr, 1, out.len, stdout) != out.len) {
		rc = uc_error(&err, UC_EIO, "cannot write to stdout");
		goto fail;
	}
	store_close(st);
	buf_release(&out);
	return 0;
fail:
	store_close(st);
	buf_release(&out);
	return cli_fail(&err);
}
