/*
 * cmd_work.c - `uctrack work`: the queue of children, assignment, a
 * user's inbox and the daily digest of reminders (docs/work.md). The SQL
 * is src/work's.
 */
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/file.h"
#include "rules/rules.h"
#include "triage/triage.h"
#include "work/work.h"

static const char usage[] =
    "usage: uctrack work queue [--office X] [--assignee NAME|none] [--group G]\n"
    "                          [--phase P] [--overdue] [--due-soon] [--hold|--no-hold]\n"
    "                          [--sort priority|due] [--limit N] [--offset N] [--csv]\n"
    "       uctrack work assign --by SUPERVISOR (--to USER | --unassign) [--note TEXT] CASE...\n"
    "       uctrack work inbox USER\n"
    "       uctrack work digest (--out DIR | --sendmail)\n\n"
    "The queue of children (one row per case: next task, due date, open and held\n"
    "tasks, overdue and due-soon flags, assignee), assignment of cases to officers\n"
    "as a supervisor or admin would (the same scope checks as the API), a user's\n"
    "inbox of reminders, and the daily digest of every user's inbox: written as\n"
    "DIR/USER.txt, or mailed through [notify] sendmail to USER@[notify] mail_domain.\n"
    "Reminder periods come from the active rule set (remind due_soon / no_contact).\n";

/* Reminder periods of the active rule set (defaults without one). */
static void remind(struct store *st, int *due_soon, int *no_contact)
{
	struct triage_opts o;
	struct triage *t = NULL;
	struct uc_err e = UC_ERR_INIT;

	*due_soon = 7;
	*no_contact = 60;
	memset(&o, 0, sizeof(o));
	if (triage_open(&t, st, &o, &e) == UC_OK) {
		*due_soon = rules_remind_days(triage_rules(t), RULES_REMIND_DUE_SOON);
		*no_contact = rules_remind_days(triage_rules(t), RULES_REMIND_NO_CONTACT);
		triage_close(t);
	}
}

/* ---- queue ---- */

struct qout {
	int csv;
	struct buf seen;
};

static int on_row(void *arg, const struct work_row *w, struct uc_err *err)
{
	struct qout *q = arg;

	(void)err;
	buf_addf(&q->seen, "%sC%lld", q->seen.len ? "," : "", (long long)w->case_id);
	if (q->csv) {
		struct buf b;

		buf_init(&b, 1u << 16);
		work_row_csv(&b, w);
		fwrite(b.ptr, 1, b.len, stdout);
		buf_release(&b);
		return UC_OK;
	}
	printf("C%-7lld %-10s %-24.24s %-6s %-16s %d %5d  %-14s %-10s %2d/%-2d %-8s %-20.20s %s\n",
	       (long long)w->case_id, w->a_number[0] ? w->a_number : "-",
	       w->name[0] ? w->name : "-", w->office, w->group[0] ? w->group : "-", w->phase,
	       w->score, w->next_action[0] ? w->next_action : "(held)",
	       w->next_due[0] ? w->next_due : "-", w->n_open, w->n_held,
	       w->overdue    ? "OVERDUE"
	       : w->due_soon ? "soon"
			     : "",
	       w->holds[0] ? w->holds : "-", w->assignee[0] ? w->assignee : "-");
	return UC_OK;
}

static int work_queue_cmd(int argc, char **argv)
{
	struct work_filter f = WORK_FILTER_INIT;
	struct qout q = {0};
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	int64_t total = 0;
	long v;
	int rc = 0, no_contact;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--office") && val)
			f.office = argv[++i];
		else if (!strcmp(a, "--assignee") && val)
			f.assignee = !strcmp(argv[++i], "none") ? "" : argv[i];
		else if (!strcmp(a, "--group") && val)
			f.group = argv[++i];
		else if (!strcmp(a, "--phase") && val) {
			if (cli_parse_long(val, 1, 4, &v))
				return cli_usage_error("work queue: --phase takes 1 to 4");
			f.phase = (int)v;
			i++;
		} else if (!strcmp(a, "--limit") && val) {
			if (cli_parse_long(val, 1, WORK_PAGE_MAX, &v))
				return cli_usage_error("work queue: --limit takes 1 to %d",
						       WORK_PAGE_MAX);
			f.limit = (int)v;
			i++;
		} else if (!strcmp(a, "--offset") && val) {
			if (cli_parse_long(val, 0, WORK_OFFSET_MAX, &v))
				return cli_usage_error("work queue: --offset takes 0 to %d",
						       WORK_OFFSET_MAX);
			f.offset = (int)v;
			i++;
		} else if (!strcmp(a, "--sort") && val) {
			if (!strcmp(val, "due"))
				f.sort = WORK_SORT_DUE;
			else if (strcmp(val, "priority"))
				return cli_usage_error("work queue: --sort priority or due");
			i++;
		} else if (!strcmp(a, "--overdue"))
			f.overdue = 1;
		else if (!strcmp(a, "--due-soon"))
			f.due_soon = 1;
		else if (!strcmp(a, "--hold"))
			f.hold = 1;
		else if (!strcmp(a, "--no-hold"))
			f.hold = 0;
		else if (!strcmp(a, "--csv"))
			q.csv = 1;
		else
			return cli_usage_error("work queue: unknown or incomplete option '%s'", a);
	}
	if (store_open(&st, cli_global.db_path, STORE_READONLY, &err))
		return cli_fail(&err);
	f.today = date_today();
	remind(st, &f.due_soon_days, &no_contact);
	buf_init(&q.seen, 64u << 20);
	if (q.csv)
		fputs(WORK_CSV_HEADER, stdout);
	else
		printf("%-8s %-10s %-24s %-6s %-16s %s %5s  %-14s %-10s %-5s %-8s %-20s %s\n",
		       "case", "a_number", "name", "office", "group", "P", "score", "next task",
		       "due", "op/hd", "", "holds", "assignee");
	rc = work_queue(st, &f, on_row, &q, &total, &err);
	if (!rc && !q.csv && !cli_global.quiet)
		printf("(%lld%s children; this page from %d)\n", (long long)total,
		       total < WORK_COUNT_MAX ? "" : "+", f.offset + 1);
	store_close(st);
	if (!rc) {
		char d[96];

		snprintf(d, sizeof(d), "office=%.16s rows=%lld", f.office ? f.office : "*",
			 (long long)total);
		rc = cli_audit_read(NULL, "work.queue.read", "work", d, q.seen.ptr, q.seen.len,
				    &err);
	}
	buf_release(&q.seen);
	return rc ? cli_fail(&err) : 0;
}

/* ---- assign ---- */

static int work_assign_cmd(int argc, char **argv)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	struct auth_user by;
	struct work_assign_result res;
	const char *by_name = NULL, *to = NULL, *note = NULL;
	int unassign = 0, rc, n = 0;
	int64_t *ids = calloc((size_t)argc + 1, sizeof(*ids));
	struct buf seen;

	if (!ids)
		return 3;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		long id;

		if (!strcmp(a, "--by") && val)
			by_name = argv[++i];
		else if (!strcmp(a, "--to") && val)
			to = argv[++i];
		else if (!strcmp(a, "--note") && val)
			note = argv[++i];
		else if (!strcmp(a, "--unassign"))
			unassign = 1;
		else if (!cli_parse_long(a[0] == 'C' ? a + 1 : a, 1, 0x7fffffffL, &id))
			ids[n++] = id;
		else {
			free(ids);
			return cli_usage_error("work assign: '%s' is not a case id (C123 or 123)",
					       a);
		}
	}
	if (!by_name || (!to && !unassign) || (to && unassign) || !n) {
		free(ids);
		return cli_usage_error(
		    "work assign: --by NAME, --to USER or --unassign, and case ids");
	}
	if (store_open(&st, cli_global.db_path, 0, &err)) {
		free(ids);
		return cli_fail(&err);
	}
	buf_init(&seen, 1u << 20);
	rc = auth_user_get(st, by_name, &by, &err);
	if (!rc)
		rc = store_begin(st, &err);
	if (!rc) {
		rc = work_assign(st, &by, ids, (size_t)n, to, note, &res, &err);
		if (rc)
			store_rollback(st);
		else
			rc = store_commit(st, &err);
	}
	if (!rc) {
		char d[160];

		for (int i = 0; i < n; i++)
			buf_addf(&seen, "%sC%lld", i ? "," : "", (long long)ids[i]);
		snprintf(d, sizeof(d), "by=%.64s assignee=%.64s changed=%d", by_name,
			 to ? to : "(none)", res.assigned);
		rc = cli_audit_read(st, "work.assign", "work", d, seen.ptr, seen.len, &err);
		if (!rc && !cli_global.quiet)
			printf("%d assigned, %d unchanged\n", res.assigned, res.unchanged);
	}
	buf_release(&seen);
	store_close(st);
	free(ids);
	return rc ? cli_fail(&err) : 0;
}

/* ---- inbox and digest ---- */

static int print_item(void *arg, const struct work_inbox_item *it, struct uc_err *err)
{
	(void)err;
	fprintf(arg, "  [%s] %s\n", work_inbox_kind_name(it->kind), it->text);
	return UC_OK;
}

/* u's inbox as text into f; *total gets the item count. */
static int inbox_text(struct store *st, const struct auth_user *u, FILE *f, int64_t *total,
		      struct uc_err *err)
{
	struct work_inbox_opts o = {date_today(), 7, 60, 100};
	int64_t counts[WORK_IN_KINDS];
	char today[11];
	int rc;

	remind(st, &o.due_soon_days, &o.no_contact_days);
	date_format(o.today, today);
	fprintf(f, "uctrack reminders for %s, %s\n\n", u->name, today);
	rc = work_inbox(st, u, &o, print_item, f, counts, err);
	*total = 0;
	for (int k = 0; k < WORK_IN_KINDS; k++)
		*total += counts[k];
	if (!rc)
		fprintf(f,
			"\n%lld overdue, %lld due within %d days, %lld without contact for %d "
			"days, %lld hold lifts and %lld counsel requests awaiting you.\n",
			(long long)counts[WORK_IN_OVERDUE], (long long)counts[WORK_IN_DUE_SOON],
			o.due_soon_days, (long long)counts[WORK_IN_NO_CONTACT], o.no_contact_days,
			(long long)counts[WORK_IN_HOLD_LIFT], (long long)counts[WORK_IN_COUNSEL]);
	return rc;
}

struct notify {
	char sendmail[512];
	char domain[256];
	char from[256];
};

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct notify *n = user;

	if (strcmp(section, "notify") != 0)
		return 1;
	if (!strcmp(name, "sendmail"))
		snprintf(n->sendmail, sizeof(n->sendmail), "%s", value);
	else if (!strcmp(name, "mail_domain"))
		snprintf(n->domain, sizeof(n->domain), "%s", value);
	else if (!strcmp(name, "from"))
		snprintf(n->from, sizeof(n->from), "%s", value);
	return 1;
}

struct digest {
	struct store *st;
	const char *dir;
	struct notify *n;
	int written;
};

/* Pipe text to `sendmail -t -i` (the message carries its recipients). */
static int send_mail(const char *sendmail, const char *msg, size_t len, struct uc_err *err)
{
	int fd[2], status = 0;
	pid_t pid;

	if (pipe(fd))
		return uc_error(err, UC_EIO, "sendmail: pipe failed");
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return uc_error(err, UC_EIO, "sendmail: fork failed");
	}
	if (pid == 0) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		execl(sendmail, sendmail, "-t", "-i", (char *)NULL);
		_exit(127);
	}
	close(fd[0]);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd[1], msg + off, len - off);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd[1]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return uc_error(err, UC_EIO,
				"%s exited with status %d; the digest was not sent "
				"(check [notify] sendmail)",
				sendmail, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return UC_OK;
}

static int on_user(void *arg, const struct auth_user *u, struct uc_err *err)
{
	struct digest *d = arg;
	char *text = NULL;
	size_t len = 0;
	int64_t total = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return uc_error(err, UC_ENOMEM, "out of memory");
	if (!d->dir)
		fprintf(f, "To: %s@%s\nFrom: %s\nSubject: uctrack reminders\n\n", u->name,
			d->n->domain, d->n->from[0] ? d->n->from : "uctrack");
	rc = inbox_text(d->st, u, f, &total, err);
	fclose(f);
	if (!rc && total > 0) {
		if (d->dir) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s.txt", d->dir, u->name);
			rc = uc_write_atomic(path, text, len, 0600, err);
		} else {
			rc = send_mail(d->n->sendmail, text, len, err);
		}
		if (!rc)
			d->written++;
	}
	free(text);
	return rc;
}

static int work_digest_cmd(int argc, char **argv)
{
	struct notify n;
	struct digest d;
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	int mail = 0, rc;

	memset(&n, 0, sizeof(n));
	memset(&d, 0, sizeof(d));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			d.dir = argv[++i];
		else if (!strcmp(argv[i], "--sendmail"))
			mail = 1;
		else
			return cli_usage_error("work digest: unknown or incomplete option '%s'",
					       argv[i]);
	}
	if (!!d.dir == mail)
		return cli_usage_error("work digest: --out DIR or --sendmail");
	if (mail) {
		if (cli_global.config_path && ini_parse(cli_global.config_path, on_ini, &n) != 0)
			return cli_usage_error("work digest: cannot read %s",
					       cli_global.config_path);
		if (!n.sendmail[0] || !n.domain[0]) {
			fprintf(stderr,
				"uctrack: work digest --sendmail needs [notify] sendmail and "
				"mail_domain in the config file (--config)\n");
			return 1;
		}
	} else if (mkdir(d.dir, 0700) && access(d.dir, W_OK)) {
		fprintf(stderr, "uctrack: work digest: cannot write to %s\n", d.dir);
		return 3;
	}
	if (store_open(&st, cli_global.db_path, 0, &err))
		return cli_fail(&err);
	d.st = st;
	d.n = &n;
	rc = auth_user_each(st, on_user, &d, &err);
	if (!rc) {
		char det[64];

		snprintf(det, sizeof(det), "digests=%d via=%s", d.written,
			 mail ? "sendmail" : "file");
		rc = cli_audit(st, "work.digest", "work", NULL, det, &err);
	}
	if (!rc && !cli_global.quiet)
		printf("%d digest%s %s\n", d.written, d.written == 1 ? "" : "s",
		       mail ? "sent" : "written");
	store_close(st);
	return rc ? cli_fail(&err) : 0;
}

static int work_inbox_cmd(int argc, char **argv)
{
	struct store *st = NULL;
	struct uc_err err = UC_ERR_INIT;
	struct auth_user u;
	int64_t total = 0;
	int rc;

	if (argc != 2)
		return cli_usage_error("work inbox: one user name");
	if (store_open(&st, cli_global.db_path, 0, &err))
		return cli_fail(&err);
	rc = auth_user_get(st, argv[1], &u, &err);
	if (!rc)
		rc = inbox_text(st, &u, stdout, &total, &err);
	if (!rc)
		rc = cli_audit(st, "inbox.read", argv[1], NULL, NULL, &err);
	store_close(st);
	return rc ? cli_fail(&err) : 0;
}

int cmd_work(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "queue"))
		return work_queue_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "assign"))
		return work_assign_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inbox"))
		return work_inbox_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "digest"))
		return work_digest_cmd(argc - 1, argv + 1);
	return cli_usage_error("work: unknown subcommand '%s' (queue, assign, inbox, digest)",
			       argv[1]);
}
