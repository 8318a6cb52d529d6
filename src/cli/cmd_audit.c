/*
 * cmd_audit.c - `uctrack audit verify|list|head`.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "store/store.h"

static int usage(FILE *f)
{
	fputs("usage: uctrack audit verify [--head SEQ:HASH]\n"
	      "       uctrack audit list [--after SEQ] [--limit N]\n"
	      "       uctrack audit head\n\n"
	      "verify walks the hash chain and names the first edited, deleted or\n"
	      "reordered entry (exit 1). Record `audit head` somewhere outside the\n"
	      "database and pass it to --head to detect removal of the newest entries.\n",
	      f);
	return f == stdout ? 0 : 2;
}

static int list(struct store *st, long after, long limit, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(st, "SELECT seq, at, actor, coalesce(role,''), action,"
				   " coalesce(target,''), coalesce(purpose,''), outcome,"
				   " coalesce(detail,'') FROM audit_log WHERE seq > ?"
				   " ORDER BY seq LIMIT ?", &q, err);

	if (rc)
		return rc;
	store_bind_int(q, 1, after);
	store_bind_int(q, 2, limit);
	while ((rc = store_step(q, err)) == STORE_ROW) {
		printf("%lld\t%s", (long long)store_col_int(q, 0), store_col_text(q, 1));
		for (int i = 2; i < 9; i++)
			printf("\t%s", store_col_text(q, i));
		putchar('\n');
	}
	store_finalize(q);
	return rc < 0 ? -rc : UC_OK;
}

int cmd_audit(int argc, char **argv)
{
	struct uc_err err = UC_ERR_INIT;
	struct audit_report rep;
	struct store *st = NULL;
	long after = 0, limit = 1000, hseq = 0;
	const char *head = NULL;
	char hhash[65] = "";
	int64_t seq;
	int rc;

	if (argc < 2 || cli_is_help(argv[1]))
		return usage(argc < 2 ? stderr : stdout);
	for (int i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--after") == 0 && v && !cli_parse_long(v, 0, 0x7fffffffL, &after))
			i++;
		else if (strcmp(argv[i], "--limit") == 0 && v && !cli_parse_long(v, 1, 10000000, &limit))
			i++;
		else if (strcmp(argv[i], "--head") == 0 && v)
			head = argv[++i];
		else
			return cli_usage_error("audit: bad argument '%s'", argv[i]);
	}
	if (head) {
		const char *colon = strchr(head, ':');
		char num[24];

		if (!colon || colon - head >= (long)sizeof(num) || strlen(colon + 1) != 64)
			return cli_usage_error("audit verify --head wants SEQ:HASH (from `audit head`)");
		memcpy(num, head, (size_t)(colon - head));
		num[colon - head] = '\0';
		if (cli_parse_long(num, 1, 0x7fffffffL, &hseq))
			return cli_usage_error("audit verify --head: bad sequence number");
		snprintf(hhash, sizeof(hhash), "%s", colon + 1);
	}
	rc = store_open(&st, cli_global.db_path, 0, &err);
	if (rc)
		goto out;
	if (strcmp(argv[1], "verify") == 0) {
		rc = audit_verify(st, hseq, hseq ? hhash : NULL, &rep, &err);
		if (!rc && !cli_global.quiet)
			printf("audit log intact: %lld entries, head %lld:%s\n",
			       (long long)rep.entries, (long long)rep.head_seq,
			       rep.head_seq ? rep.head_hash : "-");
	} else if (strcmp(argv[1], "list") == 0) {
		rc = list(st, after, limit, &err);
	} else if (strcmp(argv[1], "head") == 0) {
		rc = audit_head(st, &seq, hhash, &err);
		if (!rc)
			printf("%lld:%s\n", (long long)seq, hhash);
	} else {
		store_close(st);
		return cli_usage_error("audit: unknown subcommand '%s'", argv[1]);
	}
out:
	store_close(st);
	return rc ? cli_fail(&err) : 0;
}
