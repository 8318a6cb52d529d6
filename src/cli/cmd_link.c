/*
 * cmd_link.c - `uctrack link`: record linkage, review, merge and split,
 * and the generic CSV mode for public benchmarks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/progress.h"
#include "link/csvlink.h"
#include "link/link.h"
#include "store/store.h"
#include "triage/queue.h"

static void usage(FILE *f)
{
	fputs("usage: uctrack link [--full]\n"
	      "       uctrack link review [--limit N]\n"
	      "       uctrack link accept|reject PAIR\n"
	      "       uctrack link merge PERSON PERSON --reason TEXT\n"
	      "       uctrack link split PERSON RECORD... --reason TEXT\n"
	      "       uctrack link --csv A.csv [B.csv] --id COLUMN --fields COL,COL,... --out "
	      "CLUSTERS.csv\n"
	      "\n"
	      "Resolve every source record to one child (person) and every sponsor\n"
	      "record to one sponsor. The first run links everything; later runs link\n"
	      "new records only; --full starts again (merges and splits are kept).\n"
	      "RECORD is TABLE:RID, e.g. cbp_encounter:42. See docs/linkage.md.\n"
	      "\n"
	      "generic mode options:\n"
	      "  --block-cap N    largest block compared (default 100)\n"
	      "  --match-at P     posterior probability for a link (default 0.5)\n"
	      "  --many           two files: allow several links per record\n"
	      "\n"
	      "store mode options:\n"
	      "  --match-at P     posterior for an automatic link (default: see docs/linkage.md)\n"
	      "  --review-at P    posterior from which a pair may go to review\n"
	      "  --pairs-out FILE write every candidate pair and its posterior (benchmarks)\n",
	      f);
}

static int cmd_link_csv(int argc, char **argv)
{
	struct csvlink_opts o = CSVLINK_OPTS_INIT;
	struct csvlink_stats s;
	struct uc_err err = UC_ERR_INIT;
	double t0 = progress_now();
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--csv") == 0) {
			while (i + 1 < argc && argv[i + 1][0] != '-') {
				if (o.nfiles == 2)
					return cli_usage_error("link --csv: at most two files");
				o.files[o.nfiles++] = argv[++i];
			}
		} else if (strcmp(a, "--id") == 0 && i + 1 < argc) {
			o.id = argv[++i];
		} else if (strcmp(a, "--fields") == 0 && i + 1 < argc) {
			o.fields = argv[++i];
		} else if (strcmp(a, "--out") == 0 && i + 1 < argc) {
			o.out = argv[++i];
		} else if (strcmp(a, "--block-cap") == 0 && i + 1 < argc) {
			long v;

			if (cli_parse_long(argv[++i], 2, 100000, &v))
				return cli_usage_error("--block-cap: expected 2..100000, got '%s'",
						       argv[i]);
			o.block_cap = (size_t)v;
		} else if (strcmp(a, "--match-at") == 0 && i + 1 < argc) {
			char *end = NULL;
			double v = strtod(argv[++i], &end);

			if (!end || *end || v <= 0 || v >= 1)
				return cli_usage_error(
				    "--match-at: expected a probability in (0,1), got '%s'",
				    argv[i]);
			o.match_at = v;
		} else if (strcmp(a, "--many") == 0) {
			o.one_to_one = 0;
		} else {
			return cli_usage_error("link --csv: unknown or incomplete option '%s'", a);
		}
	}
	if (o.nfiles == 0)
		return cli_usage_error("link --csv: name one or two CSV files");
	if (!o.id)
		return cli_usage_error("link --csv: --id COLUMN is required");
	if (!o.fields)
		return cli_usage_error("link --csv: --fields COL,COL,... is required");
	if (!o.out)
		return cli_usage_error("link --csv: --out FILE is required");
	if (csvlink_run(&o, &s, &err))
		return cli_fail(&err);
	if (!cli_global.quiet) {
		printf("records %zu, pairs compared %zu, links %zu, review %zu, clusters %zu, "
		       "EM iterations %d, p %.4f, %.2f s\n",
		       s.records, s.pairs, s.links, s.review, s.clusters, s.model.iterations,
		       s.model.p, progress_now() - t0);
	}
	return 0;
}

static int open_store(struct store **st, struct uc_err *err)
{
	return store_open(st, cli_global.db_path, STORE_BULK, err);
}

static int print_item(const struct link_review_item *it, void *arg)
{
	const struct link_side *s[2] = {&it->a, &it->b};
	struct buf *seen = arg;

	/* the children this listing shows: audited by their records */
	for (int i = 0; i < 2; i++)
		buf_addf(seen, "%s%s:%lld", seen->len ? "," : "", s[i]->tbl, (long long)s[i]->rid);
	printf("pair %lld  posterior %.3f  weight %.1f  reason %s", (long long)it->pair_id,
	       it->posterior, it->score, it->reason);
	if (it->ranked && it->stake.enforcement)
		printf("  enforcement %s", it->stake.enforcement == 2 ? "open" : "held");
	if (it->ranked && it->stake.prio != INT64_MIN)
		printf("  priority %lld", (long long)it->stake.prio);
	printf("\n  %s\n", it->vector);
	for (int i = 0; i < 2; i++) {
		printf("  %s:%lld person %lld  A %s  %s, %s  born %s  sex %s  country %s\n",
		       s[i]->tbl, (long long)s[i]->rid, (long long)s[i]->person,
		       s[i]->a_number ? s[i]->a_number : "-", s[i]->family ? s[i]->family : "-",
		       s[i]->given ? s[i]->given : "-", s[i]->birth_date ? s[i]->birth_date : "-",
		       s[i]->sex ? s[i]->sex : "-", s[i]->country ? s[i]->country : "-");
	}
	return 0;
}

static int parse_id(const char *s, const char *what, int64_t *out)
{
	long v;

	if (cli_parse_long(s, 1, 2147483647L * 1024L, &v))
		return cli_usage_error("link: %s must be a positive integer, got '%s'", what, s);
	*out = v;
	return 0;
}

int cmd_link(int argc, char **argv)
{
	struct uc_err err = UC_ERR_INIT;
	struct store *st = NULL;
	const char *reason = NULL, *sub = NULL, *pairs_out = NULL;
	const char *pos[64];
	int npos = 0, rc = 0, full = 0;
	long limit = 20;
	double t0 = progress_now(), match_at = 0, review_at = 0;

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--csv") == 0)
			return cmd_link_csv(argc, argv);
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--full") == 0) {
			full = 1;
		} else if (strcmp(a, "--pairs-out") == 0 && i + 1 < argc) {
			pairs_out = argv[++i];
		} else if (strcmp(a, "--reason") == 0 && i + 1 < argc) {
			reason = argv[++i];
		} else if ((strcmp(a, "--match-at") == 0 || strcmp(a, "--review-at") == 0) &&
			   i + 1 < argc) {
			char *end = NULL;
			double v;

			errno = 0;
			v = strtod(argv[++i], &end);
			if (errno || !end || *end || !(v > 0 && v < 1))
				return cli_usage_error(
				    "link %s: expected a probability in (0,1), got '%s'", a,
				    argv[i]);
			if (a[2] == 'm')
				match_at = v;
			else
				review_at = v;
		} else if (strcmp(a, "--limit") == 0 && i + 1 < argc) {
			if (cli_parse_long(argv[++i], 1, 1000000, &limit))
				return cli_usage_error(
				    "link review: --limit expects 1..1000000, got '%s'", argv[i]);
		} else if (a[0] == '-') {
			return cli_usage_error("link: unknown or incomplete option '%s'", a);
		} else if (!sub) {
			sub = a;
		} else if (npos < 64) {
			pos[npos++] = a;
		} else {
			return cli_usage_error("link: too many arguments");
		}
	}
	if (sub && strcmp(sub, "review") && strcmp(sub, "accept") && strcmp(sub, "reject") &&
	    strcmp(sub, "merge") && strcmp(sub, "split"))
		return cli_usage_error("link: unknown subcommand '%s'", sub);
	if (!sub && npos)
		return cli_usage_error("link: unexpected argument '%s'", pos[0]);
	if (sub && (!strcmp(sub, "accept") || !strcmp(sub, "reject")) && npos != 1)
		return cli_usage_error("link %s: name one PAIR id (see `uctrack link review`)",
				       sub);
	if (sub && !strcmp(sub, "merge") && npos != 2)
		return cli_usage_error("link merge: name two PERSON ids");
	if (sub && !strcmp(sub, "split") && npos < 2)
		return cli_usage_error(
		    "link split: name a PERSON and at least one RECORD (TABLE:RID)");
	if (sub && (!strcmp(sub, "merge") || !strcmp(sub, "split")) && (!reason || !*reason))
		return cli_usage_error("link %s: --reason TEXT is required", sub);
	if (open_store(&st, &err))
		return cli_fail(&err);
	if (!sub) {
		struct link_opts o = LINK_OPTS_INIT;
		struct link_stats s;

		o.full = full;
		o.pairs_out = pairs_out;
		o.match_at = match_at;
		o.review_at = review_at;
		if (match_at && review_at && review_at > match_at)
			return cli_usage_error("link: --review-at must not exceed --match-at");
		rc = link_run(st, &o, &s, &err);
		if (!rc && !cli_global.quiet)
			printf("%s link run %lld: records %zu (new %zu), pairs compared %zu, links "
			       "%zu, "
			       "review %zu (A-number conflicts %zu, of them queued %zu; %zu pairs "
			       "between the "
			       "thresholds not queued), A-number typos %zu, persons %zu; "
			       "sponsor records %zu, sponsors %zu, flags %zu; EM iterations %d, p "
			       "%.3g; %.2f s\n",
			       s.full ? "full" : "incremental", (long long)s.run_id, s.records,
			       s.new_records, s.pairs, s.links, s.review, s.conflicts,
			       s.conflicts_queued, s.review_skipped, s.anum_typos, s.persons,
			       s.sponsor_records, s.sponsors, s.flags, s.em_iter, s.p,
			       progress_now() - t0);
		if (!rc && getenv("UCTRACK_LINK_TIMES"))
			fprintf(stderr,
				"link times: load %.2f score %.2f cluster %.2f write %.2f "
				"buckets %.2f sponsors %.2f indexes %.2f s\n",
				s.sec[0], s.sec[1], s.sec[2], s.sec[3], s.sec[4], s.sec[5],
				s.sec[6]);
	} else if (!strcmp(sub, "review")) {
		struct buf seen;
		struct queue_stakes *qs = NULL;

		buf_init(&seen, 64u << 20);
		/* what a decision puts at stake first (enforcement tasks,
		 * triage priority), then the most likely */
		rc = queue_stakes_open(st, &qs, &err);
		if (!rc)
			rc = link_review_ranked(st, limit, queue_review_stake, qs, print_item,
						&seen, &err);
		queue_stakes_close(qs);
		if (!rc)
			rc = cli_audit_read(st, "link.review.read", "link:review", NULL, seen.ptr,
					    seen.len, &err);
		buf_release(&seen);
	} else if (!strcmp(sub, "accept") || !strcmp(sub, "reject")) {
		int64_t id = 0;

		if (parse_id(pos[0], "PAIR", &id)) {
			store_close(st);
			return 2;
		}
		rc = link_decide(st, id, sub[0] == 'a', reason, "cli", &err);
		if (!rc) {
			char t[48];

			snprintf(t, sizeof(t), "pair:%lld", (long long)id);
			rc = cli_audit(st, "link.decide", t, NULL,
				       sub[0] == 'a' ? "accept" : "reject", &err);
		}
		if (!rc && !cli_global.quiet)
			printf("pair %lld %s\n", (long long)id,
			       sub[0] == 'a' ? "accepted" : "rejected");
	} else if (!strcmp(sub, "merge")) {
		int64_t a = 0, b = 0;

		if (parse_id(pos[0], "PERSON", &a) || parse_id(pos[1], "PERSON", &b)) {
			store_close(st);
			return 2;
		}
		rc = link_merge(st, a, b, reason, "cli", &err);
		if (!rc) {
			char t[48], d[64];

			snprintf(t, sizeof(t), "person:%lld", (long long)a);
			snprintf(d, sizeof(d), "merged=%lld", (long long)b);
			rc = cli_audit(st, "link.merge", t, NULL, d, &err);
		}
		if (!rc && !cli_global.quiet)
			printf("person %lld merged into %lld\n", (long long)b, (long long)a);
	} else {
		int64_t p = 0, np = 0;

		if (parse_id(pos[0], "PERSON", &p)) {
			store_close(st);
			return 2;
		}
		rc = link_split(st, p, pos + 1, npos - 1, reason, "cli", &np, &err);
		if (!rc) {
			char t[48], d[64];

			snprintf(t, sizeof(t), "person:%lld", (long long)p);
			snprintf(d, sizeof(d), "new_person=%lld", (long long)np);
			rc = cli_audit(st, "link.split", t, NULL, d, &err);
		}
		if (!rc && !cli_global.quiet)
			printf("records moved from person %lld to new person %lld\n", (long long)p,
			       (long long)np);
	}
	store_close(st);
	return rc ? cli_fail(&err) : 0;
}
