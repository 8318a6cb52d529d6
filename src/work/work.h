#ifndef UC_WORK_H
#define UC_WORK_H
/*
 * work.h - field work as an office does it (docs/work.md): who works a
 * case (assignment), the queue of children (one row per case, from the
 * queue columns triage keeps on tcase), what happened to tasks (task_log),
 * each user's inbox of reminders, and legal providers' requests to be
 * recorded as counsel. Owns the tables assignment, assignment_log,
 * task_log (with triage, which logs the tasks it closes) and
 * counsel_request (migration 010); reads tcase, task, case_fact and
 * representation, which triage and the importer write.
 *
 * Recording a field event is not done here: the caller records the event
 * a task completion or a counsel confirmation calls for (the importer's
 * ingest_event_new, as every event is recorded), in the same transaction
 * as the work_* call that logs it, and re-triages the case afterwards.
 *
 * Usage (the HTTP server and the CLI):
 *
 *   struct work_filter f = WORK_FILTER_INIT;
 *   f.office = "HOU"; f.overdue = 1; f.today = date_today();
 *   int64_t total;
 *   if (work_queue(st, &f, on_row, arg, &total, &err)) ...
 *
 *   struct work_assign_result res;
 *   if (work_assign(st, &sup, ids, n, "officer1", "caseload", &res, &err)) ...
 *
 * The store is borrowed; nothing is kept between calls.
 */
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#define WORK_PAGE_MAX 500      /* rows in one page of the queue */
#define WORK_OFFSET_MAX 100000 /* deepest offset of the queue */
#define WORK_ASSIGN_MAX 1000   /* cases in one bulk assignment */
#define WORK_COUNT_MAX 10000   /* a queue's total is counted up to this */
#define WORK_TEXT_MAX 2000     /* reasons and notes, bytes */

/* ---------------------------------------------------------------- queue */

enum work_sort { WORK_SORT_PRIORITY, WORK_SORT_DUE };

struct work_filter {
	const char *office;   /* field office, NULL = every office */
	const char *assignee; /* user name; "" = unassigned only; NULL = any */
	const char *group;    /* group name; "none" = no group; NULL = any */
	int phase;	      /* 1..4, 0 = any */
	int overdue;	      /* 1: next task due before today */
	int due_soon;	      /* 1: next task due today .. today + due_soon_days */
	int hold;	      /* -1 any, 0 without holds, 1 with holds */
	enum work_sort sort;  /* priority (default) or due date */
	int limit;	      /* 1..WORK_PAGE_MAX */
	int offset;	      /* 0..WORK_OFFSET_MAX */
	int32_t today;	      /* day number (core/date.h) */
	int due_soon_days;    /* the rule set's `remind due_soon` */
	int count_max;	      /* count the total up to this (0: WORK_COUNT_MAX) */
};
#define WORK_FILTER_INIT                                                                           \
	{                                                                                          \
		NULL, NULL, NULL, 0, 0, 0, -1, WORK_SORT_PRIORITY, 50, 0, 0, 7, 0                  \
	}

/* One child in the queue. */
struct work_row {
	int64_t case_id;		  /* tcase.id (C<id>) */
	char a_number[10];		  /* "" when unknown */
	char name[128];			  /* "FAMILY, GIVEN" from CBP, "" when none */
	char office[16];		  /* field office */
	char group[64];			  /* group name, "" when none */
	int phase;			  /* 1..4 */
	int32_t score;			  /* priority score */
	int64_t prio;			  /* queue sort key */
	char next_action[24];		  /* open task due first, "" when none open */
	char next_due[11];		  /* its due date */
	int n_open;			  /* open tasks */
	int n_held;			  /* held tasks */
	int overdue;			  /* next_due < today */
	int due_soon;			  /* today <= next_due <= today + due_soon_days */
	char holds[256];		  /* firing holds, comma-separated */
	char assignee[AUTH_NAME_MAX + 1]; /* "" when unassigned */
};

typedef int (*work_row_fn)(void *arg, const struct work_row *row, struct uc_err *err);

/* Children matching f, one call of fn per row in the page's order; *total
 * (may be NULL) gets the number of children matching f, counted up to
 * f->count_max (WORK_COUNT_MAX): a total equal to it means "at least", so
 * that a request costs the same in an office of 100,000 children as in
 * one of 10,000. */
int work_queue(struct store *st, const struct work_filter *f, work_row_fn fn, void *arg,
	       int64_t *total, struct uc_err *err);

/* The queue as CSV (API format=csv and `uctrack work queue --csv`): the
 * header line, and one row appended to b (cells quoted and defused as
 * report/format.h's fmt_csv_cell does). */
#define WORK_CSV_HEADER                                                                            \
	"case_id,a_number,name,office,group,phase,score,priority,next_action,next_due,"            \
	"open_tasks,held_tasks,overdue,due_soon,holds,assignee\r\n"
void work_row_csv(struct buf *b, const struct work_row *w);

/* ----------------------------------------------------------- assignment */

struct work_assign_result {
	int assigned;  /* cases whose assignee changed */
	int unchanged; /* already assigned so */
};

/*
 * Assign cases (n of them, at most WORK_ASSIGN_MAX) to assignee, or
 * unassign them (assignee NULL), as user by: a supervisor (cases of the
 * office only) or an admin. The assignee must be an active officer or
 * supervisor who may read every one of the cases. All or nothing: the
 * first case that cannot be assigned fails the call (UC_EDENIED,
 * UC_ENOTFOUND, UC_EINPUT) naming it, and nothing is written. Runs in the
 * caller's transaction when one is open, else in its own. Every change is
 * a row of assignment_log.
 */
int work_assign(struct store *st, const struct auth_user *by, const int64_t *case_ids, size_t n,
		const char *assignee, const char *note, struct work_assign_result *res,
		struct uc_err *err);

/* The assignee of case_id into out ("" when unassigned). */
int work_assignee(struct store *st, int64_t case_id, char out[AUTH_NAME_MAX + 1],
		  struct uc_err *err);

/* One assignment change or task outcome of a case, for its history. */
struct work_hist {
	char kind[12];			/* "assignment" or "task" */
	char action[24];		/* task: its action; assignment: "" */
	char how[16];			/* task: done, not_possible, closed;
					   assignment: assigned, unassigned */
	char who[AUTH_NAME_MAX + 1];	/* assignee (assignment), "" */
	char by[AUTH_NAME_MAX + 1];	/* who did it, "" for triage */
	char at[32];			/* UTC */
	char reason[WORK_TEXT_MAX + 1]; /* note or reason, "" when none */
	char event_id[65];		/* the event recorded, "" when none */
};
typedef int (*work_hist_fn)(void *arg, const struct work_hist *h, struct uc_err *err);
/* Assignment changes and task outcomes of case_id, newest first (at most
 * 200). */
int work_history(struct store *st, int64_t case_id, work_hist_fn fn, void *arg, struct uc_err *err);

/* ---------------------------------------------------------------- tasks */

/* A task of a case as it stands. */
struct work_task {
	char action[24];
	char status[8];	   /* open, held */
	char held_by[160]; /* holds blocking it */
	char due[11];
};
/* The task `action` of case_id; UC_ENOTFOUND when the case has none. */
int work_task_get(struct store *st, int64_t case_id, const char *action, struct work_task *out,
		  struct uc_err *err);

/* Every task of case_id: open ones first, soonest due first. */
typedef int (*work_task_fn)(void *arg, const struct work_task *t, struct uc_err *err);
int work_tasks(struct store *st, int64_t case_id, work_task_fn fn, void *arg, struct uc_err *err);

/*
 * The field event that records the outcome of task `action`: its type
 * and the fields it needs, from outcome ("done" or "not_possible") and
 * the caller's fields (a JSON-like list of name=value pairs the caller
 * already holds, e.g. method, contact outcome, address). The mapping
 * (docs/work.md):
 *   contact        → contact_attempt (done: outcome reached; not_possible:
 *                    a failed outcome, default no_answer); method required
 *   welfare_check  → welfare_check (done: safe or concern, required;
 *                    not_possible: not_seen)
 *   locate         → done: address_update (status verified by default);
 *                    not_possible: task_outcome
 *   legal_referral, refer_hsi, refer_hhs, refer_cps → done: referral to
 *                    legal_provider / hsi / hhs / cps; not_possible: task_outcome
 *   serve_nta, file_nta, removal, close → task_outcome
 * *type receives a static string. UC_EINPUT when action or outcome is
 * unknown.
 */
int work_outcome_type(const char *action, const char *outcome, const char **type,
		      struct uc_err *err);

/* Log a person's outcome of a task (done or not_possible) with the event
 * that recorded it, in the caller's transaction. */
int work_log_outcome(struct store *st, int64_t case_id, const char *action, const char *outcome,
		     const char *reason, const char *event_id, const char *by, struct uc_err *err);

/* ---------------------------------------------------------------- inbox */

enum work_inbox_kind {
	WORK_IN_OVERDUE,    /* own task past its due date */
	WORK_IN_DUE_SOON,   /* own task due within due_soon_days */
	WORK_IN_NO_CONTACT, /* own case, no successful contact for N days */
	WORK_IN_HOLD_LIFT,  /* a hold lift awaiting this user's approval */
	WORK_IN_COUNSEL,    /* a counsel request awaiting confirmation */
	WORK_IN_KINDS
};
const char *work_inbox_kind_name(enum work_inbox_kind k);

struct work_inbox_item {
	enum work_inbox_kind kind;
	int64_t case_id;
	int64_t ref_id;	 /* hold_lift or counsel_request id, else 0 */
	char action[24]; /* task action (tasks), hold (lifts) */
	char date[11];	 /* due date, last contact, request day */
	int days;	 /* days overdue / until due / without contact */
	char text[256];	 /* one line a person reads */
};
typedef int (*work_inbox_fn)(void *arg, const struct work_inbox_item *it, struct uc_err *err);

struct work_inbox_opts {
	int32_t today;	     /* day number */
	int due_soon_days;   /* remind due_soon */
	int no_contact_days; /* remind no_contact */
	int limit;	     /* items per kind (0: 100) */
};

/* u's inbox: items in kind order, most urgent first within a kind;
 * counts[k] (may be NULL) gets how many items of kind k there are (all
 * of them, even beyond limit). */
int work_inbox(struct store *st, const struct auth_user *u, const struct work_inbox_opts *o,
	       work_inbox_fn fn, void *arg, int64_t counts[WORK_IN_KINDS], struct uc_err *err);

/* ------------------------------------------------------ counsel requests */

struct work_counsel {
	int64_t id;
	int64_t case_id;
	char a_number[10]; /* the A-number the provider asked about */
	char provider[AUTH_SCOPE_MAX + 1];
	char requested_by[AUTH_NAME_MAX + 1];
	char requested_at[32];
	char reason[WORK_TEXT_MAX + 1];
	char status[12]; /* pending, confirmed, rejected, withdrawn */
	char decided_by[AUTH_NAME_MAX + 1];
	char decided_at[32];
	char note[WORK_TEXT_MAX + 1];
	char event_id[65];
};

/* The active case of an A-number (its own, or its person's); UC_ENOTFOUND. */
int work_case_by_anumber(struct store *st, const char *a_number, int64_t *case_id,
			 struct uc_err *err);

/* A provider user asks to be recorded as counsel of case_id, which it
 * found by a_number. UC_ECONFLICT when the provider is already counsel or
 * has a pending request. */
int work_counsel_request(struct store *st, const struct auth_user *by, int64_t case_id,
			 const char *a_number, const char *reason, int64_t *id, struct uc_err *err);
int work_counsel_get(struct store *st, int64_t id, struct work_counsel *out, struct uc_err *err);
/* Requests by status ("pending", ...; NULL = all of provider's, or the
 * pending ones when provider is NULL too), of provider (NULL = every
 * provider), newest first, at most limit. */
typedef int (*work_counsel_fn)(void *arg, const struct work_counsel *c, struct uc_err *err);
int work_counsel_list(struct store *st, const char *status, const char *provider, int limit,
		      work_counsel_fn fn, void *arg, struct uc_err *err);
/*
 * Decide a pending request: "confirm" or "reject" (an analyst, supervisor
 * of the case's office, or admin), "withdraw" (the provider's own users).
 * event_id: the representation event a confirmation recorded (the caller
 * records it in the same transaction). UC_ECONFLICT when not pending.
 */
int work_counsel_decide(struct store *st, const struct auth_user *by, int64_t id,
			const char *decision, const char *note, const char *event_id,
			struct uc_err *err);

/* ------------------------------------------------------------- clients */

/* A legal provider's client. */
struct work_client {
	int64_t case_id;
	char a_number[10];
	char name[128];
	char since[11];	       /* representation started */
	char next_hearing[11]; /* "" when none scheduled */
	char court[16];	       /* hearing location code of it, "" */
	char group[64];
	int phase;
};
typedef int (*work_client_fn)(void *arg, const struct work_client *c, struct uc_err *err);
/* Cases provider is counsel of record of, next hearing first. */
int work_clients(struct store *st, const char *provider, int32_t today, int limit,
		 work_client_fn fn, void *arg, struct uc_err *err);

#endif
