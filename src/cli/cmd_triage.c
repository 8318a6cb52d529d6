/*
 * cmd_triage.c - `uctrack triage`, `uctrack rules`, `uctrack queue`.
 * Usage text in each command's --help; docs/triage.md and docs/rules.md.
 */
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/progress.h"
#include "rules/rules.h"
#include "store/store.h"
#include "triage/facts.h"
#include "triage/queue.h"
#include "triage/rdiff.h"
#include "triage/triage.h"

#define DEFAULT_RULES "rules/default.rules"
#define DEFAULT_OFFICES "rules/field_offices.csv"

/* [triage] rules / offices from the config file, copied. */
struct tconf {
	char *rules;   /* [triage] rules, owned */
	char *offices; /* [triage] offices, owned */
};

static int conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct tconf *c = user;

	if (strcmp(section, "triage") != 0)
		return 1;
	if (strcmp(name, "rules") == 0) {
		free(c->rules);
		c->rules = uc_xstrdup(value);
	} else if (strcmp(name, "offices") == 0) {
		free(c->offices);
		c->offices = uc_xstrdup(value);
	} else {
		fprintf(stderr,
			"uctrack: %s: [triage] unknown key '%s' (expected rules or offices)\n",
			cli_global.config_path, name);
		return 0;
	}
	return 1;
}

static int load_conf(struct tconf *c)
{
	memset(c, 0, sizeof(*c));
	if (!cli_global.config_path)
		return 0;
	if (ini_parse(cli_global.config_path, conf_handler, c) != 0) {
		fprintf(stderr, "uctrack: cannot use [triage] from %s\n", cli_global.config_path);
		return 2;
	}
	return 0;
}

static void free_conf(struct tconf *c)
{
	free(c->rules);
	free(c->offices);
}

static int file_exists(const char *p)
{
	FILE *f = fopen(p, "r");

	if (f)
		fclose(f);
	return f != NULL;
}

static int read_all(const char *path, char **out, size_t *len, struct uc_err *err)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;

	*out = NULL;
	if (!f)
		return uc_error(err, UC_ENOTFOUND, "cannot open %s: %m", path);
	buf_init(&b, 4u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (buf_failed(&b)) {
		buf_release(&b);
		return uc_error(err, UC_EINPUT, "%s: larger than 4 MiB; is it a rule set?", path);
	}
	*out = buf_detach(&b, len);
	return UC_OK;
}

/* ---------------------------------------------------------------- triage */

static void triage_usage(FILE *f)
{
	fputs(
	    "usage: uctrack triage [--rules FILE] [--offices FILE] [--reproject] [--threads 1|2]\n"
	    "       uctrack triage --explain WHO\n"
	    "       uctrack triage person WHO... [--timing]\n"
	    "       uctrack triage --export-facts FILE.csv\n"
	    "       uctrack triage override WHO (--group G | --lift-hold NAME) --reason TEXT --by "
	    "USER\n"
	    "       uctrack triage lift request WHO --hold NAME --reason TEXT --by USER\n"
	    "       uctrack triage lift (approve|reject|withdraw) ID --by USER [--note TEXT]\n"
	    "       uctrack triage lift list [WHO]\n\n"
	    "A statutory hold (rule set: 'statutory') is lifted by two people: one\n"
	    "requests, another (not the requester) approves; every step is audited.\n"
	    "Project case facts (when records changed), evaluate the rule set on every\n"
	    "case, store group, priority, fired rules, holds and tasks.\n"
	    "WHO: case id (C12), person id (12 or P12) or A-number (208123456).\n"
	    "Rules default to [triage] rules in the config, else the rule set of the\n"
	    "last run, else rules/default.rules; offices likewise ([triage] offices,\n"
	    "rules/field_offices.csv). --threads: connections that read and\n"
	    "evaluate stored facts (default 2 when there are 2 or more cores).\n",
	    f);
}

static void print_explain(const struct triage_explain *ex, const struct rules *rs)
{
	const struct rules_schema *sc = facts_schema();

	printf("case C%lld", (long long)ex->case_id);
	if (ex->person_id)
		printf("  person %lld", (long long)ex->person_id);
	if (ex->a_number[0])
		printf("  A-number %s", ex->a_number);
	printf("\n");
	printf("group:    %s (%s)%s\n", ex->group, ex->group_label,
	       ex->overridden ? "  [set by a supervisor override]" : "");
	if (ex->rank)
		printf("priority: score %d, rank %lld\n", ex->score, (long long)ex->rank);
	else
		printf("priority: score %d, rank beyond %d\n", ex->score, TRIAGE_RANK_MAX);
	printf("phase:    %d %s\n", ex->phase, ex->phase_name);
	printf("office:   %s\n", ex->office);
	printf("rule set: %s; facts as of %s; triaged %s\n", ex->rs_hash, ex->as_of,
	       ex->triaged_at);
	printf("\nfired:\n");
	for (int i = 0; i < ex->nfired; i++) {
		const struct triage_fired *f = &ex->fired[i];

		if (strcmp(f->kind, "rule") == 0)
			printf("  rule %s -> %s +%d: %s\n", f->name, f->group, f->score, f->reason);
		else
			printf("  hold %s blocks %s%s: %s\n", f->name, f->blocks,
			       strcmp(f->lifted, "yes") == 0 ? " [LIFTED by override]" : "",
			       f->reason);
		printf("      read: %s\n", f->facts);
	}
	if (!ex->nfired)
		printf("  (none)\n");
	printf("\ntasks:\n");
	for (int i = 0; i < ex->ntasks; i++) {
		const struct triage_task *t = &ex->tasks[i];

		printf("  %-15s due %s  %s%s%s  office %s\n", t->action, t->due, t->status,
		       t->held_by[0] ? " by " : "", t->held_by, t->office);
	}
	if (!ex->ntasks)
		printf("  (none)\n");
	if (ex->novr) {
		printf("\noverrides:\n");
		for (int i = 0; i < ex->novr; i++)
			printf("  %s %s by %s at %s (%s): %s\n", ex->ovr[i].kind, ex->ovr[i].value,
			       ex->ovr[i].by, ex->ovr[i].at, ex->ovr[i].status, ex->ovr[i].reason);
	}
	printf("\nfacts:\n");
	for (int k = 0; k < sc->nfacts; k++)
		printf("  %-24s %s\n", sc->facts[k].name, ex->facts[k]);
	(void)rs;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int print_lift(void *arg, const struct triage_lift *l, struct uc_err *err)
{
	(void)arg;
	(void)err;
	printf("%lld\tC%lld\t%s\t%s\t%s %s\t%s%s%s\t%s\n", (long long)l->id, (long long)l->case_id,
	       l->hold, l->status, l->requested_by, l->requested_at, l->decided_by,
	       l->decided_by[0] ? " " : "", l->decided_at, l->reason);
	return 0;
}

/* triage lift request|approve|reject|withdraw|list ... */
static int lift_sub(struct triage *t, struct store *st, int argc, char **argv, struct uc_err *err)
{
	const char *hold = NULL, *reason = NULL, *by = NULL, *note = NULL;
	char target[96], detail[200];
	struct triage_lift l;
	int64_t id = 0, case_id = 0;
	long lid = 0;

	if (argc < 1)
		return cli_usage_error("triage lift: request, approve, reject, withdraw or list");
	if (strcmp(argv[0], "list") == 0) {
		if (argc > 2)
			return cli_usage_error("triage lift list: at most one WHO");
		if (argc == 2 && triage_find(t, argv[1], &case_id, err))
			return cli_fail(err);
		printf("id\tcase\thold\tstatus\trequested\tdecided\treason\n");
		snprintf(target, sizeof(target), argc == 2 ? "case:C%lld" : "hold_lifts:pending",
			 (long long)case_id);
		if (triage_lift_list(st, case_id, 0, print_lift, NULL, err) ||
		    cli_audit(st, "hold_lift.read", target, NULL, NULL, err))
			return cli_fail(err);
		return 0;
	}
	if (argc < 2)
		return cli_usage_error("triage lift %s: expected %s", argv[0],
				       strcmp(argv[0], "request") == 0 ? "WHO" : "ID");
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--hold") == 0 && v)
			hold = argv[++i];
		else if (strcmp(a, "--reason") == 0 && v)
			reason = argv[++i];
		else if (strcmp(a, "--by") == 0 && v)
			by = argv[++i];
		else if (strcmp(a, "--note") == 0 && v)
			note = argv[++i];
		else
			return cli_usage_error("triage lift: unknown or incomplete option '%s'", a);
	}
	if (!by || !*by)
		return cli_usage_error("triage lift %s: say who you are (--by USER)", argv[0]);
	if (strcmp(argv[0], "request") == 0) {
		if (!hold || !reason)
			return cli_usage_error(
			    "triage lift request: --hold NAME and --reason TEXT");
		if (triage_lift_request(t, argv[1], hold, reason, by, &id, err))
			return cli_fail(err);
		snprintf(target, sizeof(target), "case:%.80s", argv[1]);
		snprintf(detail, sizeof(detail), "lift_id=%lld hold=%.64s by=%.64s", (long long)id,
			 hold, by);
		if (cli_audit(st, "hold_lift.request", target, NULL, detail, err))
			return cli_fail(err);
		if (!cli_global.quiet)
			printf("lift of hold %s requested for %s (request %lld); it takes effect "
			       "when a second person approves it\n",
			       hold, argv[1], (long long)id);
		return 0;
	}
	if (cli_parse_long(argv[1], 1, 0x7fffffffL, &lid))
		return cli_usage_error("triage lift %s: ID is a request number, not '%s'", argv[0],
				       argv[1]);
	if (triage_lift_decide(t, lid, 0, argv[0], by, note, &l, err))
		return cli_fail(err);
	snprintf(target, sizeof(target), "case:C%lld", (long long)l.case_id);
	snprintf(detail, sizeof(detail), "lift_id=%ld hold=%.64s status=%s by=%.64s", lid, l.hold,
		 l.status, by);
	if (cli_audit(st,
		      strcmp(argv[0], "approve") == 0  ? "hold_lift.approve"
		      : strcmp(argv[0], "reject") == 0 ? "hold_lift.reject"
						       : "hold_lift.withdraw",
		      target, NULL, detail, err))
		return cli_fail(err);
	if (!cli_global.quiet)
		printf("request %ld %s by %s%s\n", lid, l.status, by,
		       l.override_id ? "; the hold is lifted until the case's facts change" : "");
	return 0;
}

static int triage_sub(struct triage *t, struct store *st, int argc, char **argv, struct uc_err *err)
{
	const char *who = NULL, *group = NULL, *hold = NULL, *reason = NULL, *by = NULL;

	if (strcmp(argv[0], "lift") == 0)
		return lift_sub(t, st, argc - 1, argv + 1, err);
	if (argc < 2)
		return cli_usage_error("triage %s: expected WHO", argv[0]);
	who = argv[1];
	if (strcmp(argv[0], "person") == 0) {
		/* triage person WHO... [--timing]: re-project and re-triage each
		 * child alone, as after an event; --timing prints the time per
		 * child measured in-process (bench/triage.sh). */
		int timing = strcmp(argv[argc - 1], "--timing") == 0;
		int n = argc - 1 - timing;
		double *us = uc_xcalloc((size_t)(n > 0 ? n : 1), sizeof(double));
		double sum = 0;
		int rc = 0;

		for (int i = 1; i <= n && !rc; i++) {
			int64_t id;
			double t0;

			rc = triage_find(t, argv[i], &id, err);
			if (rc)
				break;
			t0 = progress_now();
			rc = triage_person(t, id, 0, err);
			us[i - 1] = (progress_now() - t0) * 1e6;
			sum += us[i - 1];
			if (!rc && !cli_global.quiet && !timing)
				printf("re-triaged case C%lld\n", (long long)id);
		}
		if (!rc && timing && n > 0) {
			double first = us[0];

			qsort(us, (size_t)n, sizeof(*us), cmp_double);
			printf(
			    "re-triaged %d children one at a time: mean %.1f us, median %.1f us, "
			    "p99 %.1f us, max %.1f us (first call, preparing statements: %.1f "
			    "us)\n",
			    n, sum / n, us[n / 2], us[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
			    us[n - 1], first);
		}
		free(us);
		return rc ? cli_fail(err) : 0;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--group") == 0 && v) {
			group = v;
			i++;
		} else if (strcmp(a, "--lift-hold") == 0 && v) {
			hold = v;
			i++;
		} else if (strcmp(a, "--reason") == 0 && v) {
			reason = v;
			i++;
		} else if (strcmp(a, "--by") == 0 && v) {
			by = v;
			i++;
		} else {
			return cli_usage_error("triage override: unknown or incomplete option '%s'",
					       a);
		}
	}
	if (!!group == !!hold)
		return cli_usage_error(
		    "triage override: give exactly one of --group G or --lift-hold NAME");
	if (!reason || !*reason)
		return cli_usage_error("triage override: a reason is mandatory (--reason TEXT)");
	if (!by || !*by)
		return cli_usage_error("triage override: say who decides (--by USER)");
	if (triage_override(t, who, group ? "group" : "lift_hold", group ? group : hold, reason, by,
			    NULL, err))
		return cli_fail(err);
	{
		char target[96], detail[160];

		snprintf(target, sizeof(target), "case:%s", who);
		snprintf(detail, sizeof(detail), "kind=%s value=%.64s by=%.64s",
			 group ? "group" : "lift_hold", group ? group : hold, by);
		if (cli_audit(st, "override.create", target, NULL, detail, err))
			return cli_fail(err);
	}
	if (!cli_global.quiet)
		printf("override recorded for %s: %s %s (by %s); honoured until the case's facts "
		       "change\n",
		       who, group ? "group" : "lift hold", group ? group : hold, by);
	return 0;
}

/*
 * Write every case's stored facts as CSV with one typed column per fact
 * (bool 0/1, integers, dates YYYY-MM-DD, values and codes as text, sets as
 * integer bit masks over their vocabulary; missing = empty). Used by
 * bench/triage.sh to give sqlite3 the same facts. Written atomically.
 */
/* Where export_facts() writes. */
struct facts_out {
	FILE *f;		       /* the temporary file */
	const struct rules_schema *sc; /* the facts */
	struct buf line;	       /* one line */
};

static int fact_line(void *arg, int64_t case_id, const struct rules_facts *fa, struct uc_err *err)
{
	struct facts_out *fo = arg;
	const struct rules_schema *sc = fo->sc;

	buf_reset(&fo->line);
	buf_addf(&fo->line, "%lld", (long long)case_id);
	for (int k = 0; k < sc->nfacts; k++) {
		buf_addc(&fo->line, ',');
		if (rules_fact_missing(fa, k))
			continue;
		if (sc->facts[k].type == RULES_SET)
			buf_addf(&fo->line, "%d", (int)fa->v[k]);
		else if (sc->facts[k].type == RULES_BOOL)
			buf_addf(&fo->line, "%d", fa->v[k] ? 1 : 0);
		else
			rules_fact_format(sc, fa, k, &fo->line);
	}
	buf_addc(&fo->line, '\n');
	fwrite(fo->line.ptr, 1, fo->line.len, fo->f);
	return UC_OK;
}

static int export_facts(const char *path)
{
	struct uc_err err = UC_ERR_INIT;
	struct store *st = NULL;
	struct facts_out fo;
	struct buf tmp;
	FILE *f = NULL;
	int rc = 0;

	fo.sc = facts_schema();
	buf_init(&tmp, 4096);
	buf_init(&fo.line, 1 << 16);
	buf_addf(&tmp, "%s.tmp", path);
	if (store_open(&st, cli_global.db_path, STORE_READONLY, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	f = fopen(tmp.ptr, "w");
	if (!f) {
		uc_error(&err, UC_EIO, "cannot write %s: %m", tmp.ptr);
		rc = cli_fail(&err);
		goto out;
	}
	fo.f = f;
	fputs("case_id", f);
	for (int k = 0; k < fo.sc->nfacts; k++)
		fprintf(f, ",%s", fo.sc->facts[k].name);
	fputc('\n', f);
	if (triage_facts_each(st, fact_line, &fo, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp.ptr, path) != 0) {
		f = NULL;
		uc_error(&err, UC_EIO, "cannot write %s: %m", path);
		rc = cli_fail(&err);
		goto out;
	}
	f = NULL;
out:
	if (f) {
		fclose(f);
		remove(tmp.ptr);
	}
	buf_release(&tmp);
	buf_release(&fo.line);
	store_close(st);
	return rc;
}

int cmd_triage(int argc, char **argv)
{
	struct uc_err err = UC_ERR_INIT;
	struct store *st = NULL;
	struct triage *t = NULL;
	struct tconf conf;
	struct triage_opts o = {0};
	const char *explain = NULL, *export = NULL;
	int reproject = 0, rc = 0, sub = 0, threads = 0, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (cli_is_help(a)) {
			triage_usage(stdout);
			return 0;
		} else if (strcmp(a, "--rules") == 0 && v) {
			o.rules_path = v;
			i++;
		} else if (strcmp(a, "--offices") == 0 && v) {
			o.offices_path = v;
			i++;
		} else if (strcmp(a, "--explain") == 0 && v) {
			explain = v;
			i++;
		} else if (strcmp(a, "--reproject") == 0) {
			reproject = 1;
		} else if (strcmp(a, "--threads") == 0 && v) {
			long n = 0;

			if (cli_parse_long(v, 1, 2, &n))
				return cli_usage_error("triage: --threads takes 1 or 2, not '%s'",
						       v);
			threads = (int)n;
			i++;
		} else if (strcmp(a, "--export-facts") == 0 && v) {
			export = v;
			i++;
		} else if (strcmp(a, "override") == 0 || strcmp(a, "person") == 0 ||
			   strcmp(a, "lift") == 0) {
			sub = i;
			break;
		} else {
			return cli_usage_error("triage: unknown or incomplete option '%s'", a);
		}
	}
	if (load_conf(&conf))
		return 2;
	if (export) {
		free_conf(&conf);
		return export_facts(export);
	}
	if (explain || sub) {
		/* one-child work and explanations use the rule set and offices of
		 * the last full run, so their results agree with it */
		if (o.rules_path || o.offices_path) {
			free_conf(&conf);
			return cli_usage_error(
			    "triage: --rules and --offices apply to full runs only");
		}
	} else {
		if (!o.rules_path && conf.rules)
			o.rules_path = conf.rules;
		if (!o.offices_path && conf.offices)
			o.offices_path = conf.offices;
	}
	o.today = date_today();
	/* a per-child command: its statements are the plan guard's business */
	if (explain)
		store_sql_log_tag("triage --explain");
	/* a full run may rewrite every case: bulk mode (bigger cache) */
	if (store_open(&st, cli_global.db_path, explain || sub ? 0 : STORE_BULK, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	/* A full run with no rule set anywhere falls back to the files in the
	 * source tree, so `uctrack triage` works out of the box. */
	if (!explain && !sub) {
		int have_rules = 0, have_offices = 0;

		if (triage_stored(st, &have_rules, &have_offices, &err)) {
			rc = cli_fail(&err);
			goto out;
		}
		if (!o.rules_path && !have_rules && file_exists(DEFAULT_RULES))
			o.rules_path = DEFAULT_RULES;
		if (!o.offices_path && !have_offices && file_exists(DEFAULT_OFFICES))
			o.offices_path = DEFAULT_OFFICES;
	}
	if (triage_open(&t, st, &o, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	/* Default: two connections when there are two cores to run them. */
	if (threads == 0)
		threads = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
	triage_set_threads(t, threads);
	if (sub) {
		rc = triage_sub(t, st, argc - sub, argv + sub, &err);
		goto out;
	}
	if (explain) {
		struct triage_explain *ex = uc_xmalloc(sizeof(*ex));

		if (triage_explain(t, explain, ex, &err)) {
			rc = cli_fail(&err);
		} else {
			char target[48], who[32];

			print_explain(ex, triage_rules(t));
			snprintf(target, sizeof(target), "case:C%lld", (long long)ex->case_id);
			snprintf(who, sizeof(who), "C%lld", (long long)ex->case_id);
			if (cli_audit_read(st, "case.explain", target, NULL, who, strlen(who),
					   &err))
				rc = cli_fail(&err);
		}
		free(ex);
		goto out;
	}
	{
		struct triage_stats s;
		const struct rules *rs = triage_rules(t);

		if (triage_run(t, reproject, &s, &err)) {
			rc = cli_fail(&err);
			goto out;
		}
		if (cli_global.quiet)
			goto out;
		printf("triaged %lld cases with rule set %s (%s)\n", (long long)s.cases, s.rs_hash,
		       rules_name(rs));
		if (s.projected)
			printf("  projected facts from %lld records; %lld records unplaced (no "
			       "A-number, no person link)\n",
			       (long long)s.records, (long long)s.unplaced);
		else
			printf("  facts unchanged since the last run (no re-projection)\n");
		for (int g = 0; g < rules_group_count(rs); g++)
			printf("  %-16s %lld\n", rules_group_name(rs, g), (long long)s.groups[g]);
		printf("  %-16s %lld\n", "none", (long long)s.groups[RULES_MAX_GROUPS]);
		for (int p = 1; p <= 4; p++)
			printf("  phase %d          %lld\n", p, (long long)s.phases[p]);
		printf("  results written %lld, tasks written %lld, cases inactive %lld, overrides "
		       "lapsed %lld\n",
		       (long long)s.changed, (long long)s.tasks, (long long)s.inactive,
		       (long long)s.lapsed);
		if (s.threads == 2)
			printf("  time: project %.3f s, load+evaluate on 2 connections %.3f s, "
			       "follow-up %.3f s, store %.3f s\n",
			       s.s_project, s.s_load, s.s_eval, s.s_store);
		else
			printf(
			    "  time: project %.3f s, load %.3f s, evaluate %.3f s, store %.3f s\n",
			    s.s_project, s.s_load, s.s_eval, s.s_store);
	}
out:
	triage_close(t);
	store_close(st);
	free_conf(&conf);
	return rc;
}

/* ---------------------------------------------------------------- rules */

static int compile_file(const char *path, struct rules **rs, struct uc_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = read_all(path, &text, &len, err);

	if (!rc)
		rc = rules_compile(rs, path, text, len, facts_schema(), err);
	free(text);
	return rc;
}

static int rules_diff(const char *a, const char *b, int samples)
{
	struct uc_err err = UC_ERR_INIT;
	struct rules *ra = NULL, *rb = NULL;
	struct store *st = NULL;
	struct rdiff d = {0};
	int rc = 0;

	if (compile_file(a, &ra, &err) || compile_file(b, &rb, &err) ||
	    store_open(&st, cli_global.db_path, 0, &err) ||
	    rdiff_run(st, ra, rb, samples, &d, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	printf("%lld cases evaluated; %lld move between groups (%s -> %s)\n", (long long)d.total,
	       (long long)d.moved, rules_hash(ra), rules_hash(rb));
	for (int i = 0; i < d.nmoves; i++) {
		const struct rdiff_move *mv = &d.moves[i];

		printf("  %s -> %s: %lld", mv->from, mv->to, (long long)mv->n);
		if (mv->ns)
			printf("  e.g.");
		for (int k = 0; k < mv->ns; k++)
			printf(" C%lld", (long long)mv->sample[k]);
		printf("\n");
	}
out:
	rdiff_release(&d);
	store_close(st);
	rules_free(ra);
	rules_free(rb);
	return rc;
}

int cmd_rules(int argc, char **argv)
{
	struct uc_err err = UC_ERR_INIT;

	if (argc < 2 || cli_is_help(argv[1])) {
		FILE *f = argc < 2 ? stderr : stdout;

		fputs("usage: uctrack rules check FILE...\n"
		      "       uctrack rules diff OLD NEW [--samples N]\n"
		      "       uctrack rules facts\n\n"
		      "check: compile and report errors as file:line:column: expected ...\n"
		      "diff:  evaluate both rule sets on every case's stored facts and count\n"
		      "       the cases that move between groups, with samples\n"
		      "facts: list the facts rules can read (docs/rules.md)\n",
		      f);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check") == 0) {
		int bad = 0;

		if (argc < 3)
			return cli_usage_error("rules check: expected FILE");
		for (int i = 2; i < argc; i++) {
			struct rules *rs = NULL;

			uc_err_clear(&err);
			if (compile_file(argv[i], &rs, &err)) {
				fprintf(stderr, "%s\n", err.msg);
				bad = err.code == UC_ENOTFOUND ? 3 : 1;
				continue;
			}
			if (!cli_global.quiet)
				printf("%s: ok (%d groups, %d rules, %d holds, %d phases, %d "
				       "tasks; hash %s)\n",
				       argv[i], rules_group_count(rs), rules_rule_count(rs),
				       rules_hold_count(rs), rules_phase_count(rs),
				       rules_task_count(rs), rules_hash(rs));
			rules_free(rs);
		}
		return bad;
	}
	if (strcmp(argv[1], "diff") == 0) {
		long samples = 3;

		if (argc != 4 && !(argc == 6 && strcmp(argv[4], "--samples") == 0))
			return cli_usage_error("rules diff: expected OLD NEW [--samples N]");
		if (argc == 6 && cli_parse_long(argv[5], 0, 5, &samples))
			return cli_usage_error("rules diff: --samples takes 0 to 5");
		return rules_diff(argv[2], argv[3], (int)samples);
	}
	if (strcmp(argv[1], "facts") == 0) {
		const struct rules_schema *sc = facts_schema();
		static const char *const tn[] = {"", "bool", "int", "date", "value", "set", "code"};

		for (int i = 0; i < sc->nfacts; i++) {
			printf("%-24s %-6s %s", sc->facts[i].name, tn[sc->facts[i].type],
			       sc->facts[i].doc);
			if (sc->facts[i].vocab) {
				printf(" {");
				for (int k = 0; sc->facts[i].vocab[k]; k++)
					printf("%s%s", k ? ", " : "", sc->facts[i].vocab[k]);
				printf("}");
			}
			printf("\n");
		}
		printf("\nactions:");
		for (int a = 0; a < ACTION_COUNT; a++)
			printf(" %s", facts_action_name(a));
		printf("\n");
		return 0;
	}
	return cli_usage_error("rules: unknown subcommand '%s'", argv[1]);
}

/* ---------------------------------------------------------------- queue */

int cmd_queue(int argc, char **argv)
{
	struct uc_err err = UC_ERR_INIT;
	struct queue_filter f = {0};
	struct store *st = NULL;
	struct queue_item *items = NULL;
	long limit = 20, phase = 0;
	int n = 0, rc = 0;
	int64_t total = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (cli_is_help(a)) {
			fputs("usage: uctrack queue [--office X] [--group G] [--phase P] [--action "
			      "A]\n"
			      "                     [--held] [--limit N]\n\n"
			      "The prioritised work list: open tasks by priority (score, then the "
			      "rule\n"
			      "set's tie-breaks), then due date. --held also lists tasks blocked "
			      "by a\n"
			      "legal hold. Default limit 20 (max 100000).\n",
			      stdout);
			return 0;
		} else if (strcmp(a, "--office") == 0 && v) {
			f.office = v;
			i++;
		} else if (strcmp(a, "--group") == 0 && v) {
			f.group = v;
			i++;
		} else if (strcmp(a, "--action") == 0 && v) {
			f.action = v;
			i++;
		} else if (strcmp(a, "--phase") == 0 && v) {
			if (cli_parse_long(v, 1, 4, &phase))
				return cli_usage_error("queue: --phase takes 1 to 4, not '%s'", v);
			i++;
		} else if (strcmp(a, "--limit") == 0 && v) {
			if (cli_parse_long(v, 1, 100000, &limit))
				return cli_usage_error("queue: --limit takes 1 to 100000, not '%s'",
						       v);
			i++;
		} else if (strcmp(a, "--held") == 0) {
			f.include_held = 1;
		} else {
			return cli_usage_error("queue: unknown or incomplete option '%s'", a);
		}
	}
	f.phase = (int)phase;
	f.limit = (int)limit;
	if (store_open(&st, cli_global.db_path, 0, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	items = uc_xcalloc((size_t)limit, sizeof(*items));
	if (queue_list(st, &f, items, (int)limit, &n, &err) || queue_count(st, &f, &total, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	printf("%-8s %-10s %-9s %-15s %-5s %-6s %-16s %-5s %-10s %s\n", "case", "a_number",
	       "person", "action", "phase", "office", "group", "score", "due", "status");
	for (int i = 0; i < n; i++) {
		const struct queue_item *it = &items[i];
		char cid[24], pid[24];

		snprintf(cid, sizeof(cid), "C%lld", (long long)it->case_id);
		if (it->person_id)
			snprintf(pid, sizeof(pid), "%lld", (long long)it->person_id);
		else
			snprintf(pid, sizeof(pid), "-");
		printf("%-8s %-10s %-9s %-15s %-5d %-6s %-16s %-5d %-10s %s%s%s\n", cid,
		       it->a_number[0] ? it->a_number : "-", pid, it->action, it->phase, it->office,
		       it->group, it->score, it->due, it->status, it->held_by[0] ? " by " : "",
		       it->held_by);
	}
	if (!cli_global.quiet)
		printf("(%d of %lld tasks)\n", n, (long long)total);
	{
		struct buf seen, d;

		buf_init(&seen, 64u << 20);
		buf_init(&d, 4096);
		for (int i = 0; i < n; i++)
			buf_addf(&seen, "%sC%lld", i ? "," : "", (long long)items[i].case_id);
		buf_addf(&d, "office=%s group=%s n=%d", f.office ? f.office : "*",
			 f.group ? f.group : "*", n);
		if (cli_audit_read(st, "queue.read", "queue", d.ptr, seen.ptr, seen.len, &err))
			rc = cli_fail(&err);
		buf_release(&seen);
		buf_release(&d);
	}
out:
	free(items);
	store_close(st);
	return rc;
}
