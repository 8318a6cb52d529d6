/*
 * cmd_gen.c - `uctrack gen`: write calibrated synthetic feeds with ground
 * truth (see src/gen/gen.h and docs/generator.md).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/date.h"
#include "gen/gen.h"

static void gen_usage(FILE *f)
{
	fputs("usage: uctrack gen --children N --seed S --out DIR [--as-of "
	      "YYYY-MM-DD]\n"
	      "                   [--defects] [--profile default|hard] "
	      "[--rate NAME=VALUE]...\n\n"
	      "Write calibrated synthetic feeds for N unaccompanied children "
	      "(FY2019-FY2024),\n"
	      "in the formats of docs/formats.md, with ground truth:\n"
	      "  "
	      "DIR/eoir/"
	      "{A_TblCase,B_TblProceeding,tbl_schedule,tbl_JuvenileHistory}.csv,"
	      "\n"
	      "  DIR/eoir/Count.txt, DIR/cbp/encounters.csv, "
	      "DIR/orr/{placements,post_release}.csv,\n"
	      "  DIR/ice/{nta,removals,indicators}.csv, "
	      "DIR/events/events.jsonl,\n"
	      "  DIR/truth/{records,children}.csv\n"
	      "The same N, seed and as-of date always give byte-identical "
	      "files.\n\n"
	      "options:\n"
	      "  --children N        number of children, 1..10000000 (required)\n"
	      "  --seed S            PRNG seed, a non-negative integer (default "
	      "1)\n"
	      "  --out DIR           output directory, created if missing "
	      "(required)\n"
	      "  --as-of YYYY-MM-DD  nothing happens after this date (default "
	      "2025-06-30)\n"
	      "  --defects           inject the real EOIR files' defects at a "
	      "tiny rate\n"
	      "                      (stray tab in ALIEN_CITY, NULL for blank, "
	      "unknown NAT)\n"
	      "  --profile P         default (the calibrated data) or hard "
	      "(independent\n"
	      "                      agencies' noise: missing A-numbers, "
	      "typos, imprecise\n"
	      "                      dates, siblings and twins; truth adds "
	      "family_id, twin)\n"
	      "  --rate NAME=VALUE   change one rate of profile hard "
	      "(docs/generator.md):\n"
	      "                      anum_missing anum_typo dob_noise jan1 "
	      "dob_swap giv_typo\n"
	      "                      fam_typo sur_drop sur_swap sur_join "
	      "sibling twin name_pool\n"
	      "  -h, --help          this help\n",
	      f);
}

/* The value of option `name` at argv[*i] ("--name V" or "--name=V"), or NULL.
 */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	*missing = 0;
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

int cmd_gen(int argc, char **argv)
{
	struct gen_opts o = GEN_OPTS_INIT;
	struct uc_err err = UC_ERR_INIT;
	int have_children = 0, rc, missing, nrate = 0;

	gen_rates_hard(&o.rates);

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		long n;

		if (cli_is_help(a)) {
			gen_usage(stdout);
			return 0;
		}
		if ((v = opt_value(argc, argv, &i, "--children", &missing)) || missing) {
			if (missing)
				return cli_usage_error("gen: --children needs a value");
			if (cli_parse_long(v, 1, GEN_MAX_CHILDREN, &n))
				return cli_usage_error("gen: --children must be an integer "
						       "1..%ld, not '%s'",
						       GEN_MAX_CHILDREN, v);
			o.children = n;
			have_children = 1;
		} else if ((v = opt_value(argc, argv, &i, "--seed", &missing)) || missing) {
			if (missing)
				return cli_usage_error("gen: --seed needs a value");
			if (cli_parse_long(v, 0, LONG_MAX, &n))
				return cli_usage_error("gen: --seed must be a non-negative "
						       "integer, not '%s'",
						       v);
			o.seed = (uint64_t)n;
		} else if ((v = opt_value(argc, argv, &i, "--out", &missing)) || missing) {
			if (missing || !*v)
				return cli_usage_error("gen: --out needs a directory");
			o.out_dir = v;
		} else if ((v = opt_value(argc, argv, &i, "--as-of", &missing)) || missing) {
			int32_t d;

			if (missing)
				return cli_usage_error("gen: --as-of needs a date");
			if (strlen(v) != 10 || date_parse(v, 10, &d))
				return cli_usage_error("gen: --as-of must be a date YYYY-MM-DD, "
						       "not '%s'",
						       v);
			o.as_of = d;
		} else if (strcmp(a, "--defects") == 0) {
			o.defects = 1;
		} else if ((v = opt_value(argc, argv, &i, "--profile", &missing)) || missing) {
			if (missing)
				return cli_usage_error("gen: --profile needs a name (default or "
						       "hard)");
			if (strcmp(v, "hard") == 0)
				o.hard = 1;
			else if (strcmp(v, "default") == 0)
				o.hard = 0;
			else
				return cli_usage_error("gen: unknown profile '%s' (default or "
						       "hard)",
						       v);
		} else if ((v = opt_value(argc, argv, &i, "--rate", &missing)) || missing) {
			if (missing)
				return cli_usage_error("gen: --rate needs NAME=VALUE");
			if (gen_rate_set(&o.rates, v, &err))
				return cli_usage_error("%s", err.msg);
			nrate++;
		} else {
			return cli_usage_error("gen: unknown argument '%s'", a);
		}
	}
	if (!have_children)
		return cli_usage_error("gen: --children N is required");
	if (!o.out_dir)
		return cli_usage_error("gen: --out DIR is required");
	if (nrate && !o.hard)
		return cli_usage_error("gen: --rate applies to --profile hard only");
	o.progress = 1;
	rc = gen_run(&o, &err);
	if (rc)
		return cli_fail(&err);
	if (!cli_global.quiet)
		printf("gen: %ld children written to %s\n", o.children, o.out_dir);
	return 0;
}
