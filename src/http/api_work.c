/*
 * api_work.c - field work over HTTP: the queue of children, assignment,
 * task completion, the inbox, counsel requests and a provider's clients.
 * The SQL is src/work's (work.h); events go through api_record_event().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "http/api.h"
#include "http/hjson.h"
#include "rules/rules.h"
#include "triage/triage.h"
#include "work/work.h"

/* The reminder periods of the active rule set (7 and 60 days without one). */
static void remind_days(struct http_req *r, int *due_soon, int *no_contact)
{
	struct triage *t = NULL;
	struct uc_err e = UC_ERR_INIT;

	*due_soon = 7;
	*no_contact = 60;
	if (http_triage(r, &t, &e) == UC_OK && t) {
		*due_soon = rules_remind_days(triage_rules(t), RULES_REMIND_DUE_SOON);
		*no_contact = rules_remind_days(triage_rules(t), RULES_REMIND_NO_CONTACT);
	}
}

static int flag_param(struct http_req *r, const char *name, int *out, struct uc_err *err)
{
	const char *v = http_query(r, name);

	if (!v)
		return UC_OK;
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
		*out = 1;
	else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
		*out = 0;
	else
		return uc_error(err, UC_EINPUT, "%s: 1 or 0, not '%.20s'", name, v);
	return UC_OK;
}

/*
 * One write: under the server's write lock, in one transaction, fn's
 * writes and the request's audit entry (with the children it named)
 * commit together or not at all.
 */
typedef int (*write_fn)(struct http_req *r, void *arg, struct uc_err *err);
static int write_tx(struct http_req *r, write_fn fn, void *arg, struct uc_err *err)
{
	int rc;

	http_write_lock(r);
	rc = store_begin(r->st, err);
	if (!rc) {
		rc = fn(r, arg, err);
		if (!rc)
			rc = http_audit_tx(r, "ok", err);
		if (!rc)
			rc = store_commit(r->st, err);
		if (rc)
			store_rollback(r->st);
	}
	http_write_unlock(r);
	return rc;
}

/* ---- the queue of children ---- */

struct qctx {
	struct http_req *r;
	int csv;
	int mask;
	int n;
};

static int on_queue_row(void *arg, const struct work_row *w, struct uc_err *err)
{
	struct qctx *c = arg;
	struct buf *b = &c->r->text;
	const char *name = c->mask && w->name[0] ? "***" : w->name;
	const char *anum = c->mask && w->a_number[0] ? "***" : w->a_number;

	buf_addf(&c->r->subjects, "%sC%lld", c->r->subjects.len ? "," : "", (long long)w->case_id);
	if (c->csv) {
		struct work_row m = *w;

		if (c->mask) {
			snprintf(m.name, sizeof(m.name), "%s", name);
			snprintf(m.a_number, sizeof(m.a_number), "%s", anum);
		}
		work_row_csv(b, &m);
	} else {
		json_t *o = json_pack(
		    "{s:I,s:s?,s:s?,s:s,s:s?,s:i,s:i,s:I,s:s?,s:s?,s:i,s:i,s:b,s:b,s:s,s:s?}",
		    "case_id", (json_int_t)w->case_id, "a_number", w->a_number[0] ? anum : NULL,
		    "name", w->name[0] ? name : NULL, "office", w->office, "group",
		    w->group[0] ? w->group : NULL, "phase", w->phase, "score", w->score, "priority",
		    (json_int_t)w->prio, "next_action", w->next_action[0] ? w->next_action : NULL,
		    "next_due", w->next_due[0] ? w->next_due : NULL, "open_tasks", w->n_open,
		    "held_tasks", w->n_held, "overdue", w->overdue, "due_soon", w->due_soon,
		    "holds", w->holds, "assignee", w->assignee[0] ? w->assignee : NULL);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		json_decref(o);
		if (!s)
			return uc_error(err, UC_ENOMEM, "out of memory");
		if (c->n)
			buf_addc(b, ',');
		buf_adds(b, s);
		free(s);
	}
	c->n++;
	return buf_failed(b) ? uc_error(err, UC_ENOMEM, "response too large") : UC_OK;
}

int api_work_queue(struct http_req *r, struct uc_err *err)
{
	struct work_filter f = WORK_FILTER_INIT;
	struct qctx c = {r, 0, !auth_sees_pii(&r->user), 0};
	const char *assignee = http_query(r, "assignee");
	const char *sort = http_query(r, "sort");
	const char *format = http_query(r, "format");
	long long v = 0;
	int64_t total = 0;
	int no_contact, rc = UC_OK;

	f.office = http_query(r, "office");
	f.group = http_query(r, "group");
	f.today = date_today();
	remind_days(r, &f.due_soon_days, &no_contact);
	if (http_query(r, "limit")) {
		rc = http_param_int("limit", http_query(r, "limit"), 1, WORK_PAGE_MAX, &v, err);
		f.limit = (int)v;
	}
	if (!rc && http_query(r, "offset")) {
		rc = http_param_int("offset", http_query(r, "offset"), 0, WORK_OFFSET_MAX, &v, err);
		f.offset = (int)v;
	}
	if (!rc && http_query(r, "phase")) {
		rc = http_param_int("phase", http_query(r, "phase"), 1, 4, &v, err);
		f.phase = (int)v;
	}
	if (!rc)
		rc = flag_param(r, "overdue", &f.overdue, err);
	if (!rc)
		rc = flag_param(r, "due_soon", &f.due_soon, err);
	if (!rc)
		rc = flag_param(r, "hold", &f.hold, err);
	if (!rc && sort) {
		if (!strcmp(sort, "due"))
			f.sort = WORK_SORT_DUE;
		else if (strcmp(sort, "priority"))
			rc = uc_error(err, UC_EINPUT, "sort: 'priority' or 'due', not '%.20s'",
				      sort);
	}
	if (!rc && format) {
		if (!strcmp(format, "csv"))
			c.csv = 1;
		else if (strcmp(format, "json"))
			rc = uc_error(err, UC_EINPUT, "format: 'json' or 'csv', not '%.20s'",
				      format);
	}
	if (rc)
		return rc;
	if (assignee)
		f.assignee = !strcmp(assignee, "me")	 ? r->user.name
			     : !strcmp(assignee, "none") ? ""
							 : assignee;
	/* Officers and supervisors: their office by default, no other; their
	 * own cases ("My cases") are of their office too. */
	if (!f.office &&
	    (r->user.role == AUTH_ROLE_OFFICER || r->user.role == AUTH_ROLE_SUPERVISOR))
		f.office = r->user.office;
	if (!auth_office_allowed(&r->user, f.office))
		return uc_error(err, UC_EDENIED, "role %s sees only the queue of office %s",
				auth_role_name(r->user.role), r->user.office);
	snprintf(r->target, sizeof(r->target), "work:%.60s", f.office ? f.office : "*");
	http_detail(r, "assignee=%.64s overdue=%d due_soon=%d hold=%d offset=%d",
		    f.assignee ? (*f.assignee ? f.assignee : "none") : "*", f.overdue, f.due_soon,
		    f.hold, f.offset);
	buf_reset(&r->text);
	if (c.csv)
		buf_adds(&r->text, WORK_CSV_HEADER);
	else
		buf_adds(&r->text, "{\"items\":[");
	rc = work_queue(r->st, &f, on_queue_row, &c, &total, err);
	if (rc) {
		buf_reset(&r->text);
		return rc;
	}
	if (c.csv) {
		r->ctype = "text/csv; charset=utf-8";
	} else {
		buf_addf(&r->text,
			 "],\"total\":%lld,\"total_exact\":%s,\"offset\":%d,\"limit\":%d,"
			 "\"due_soon_days\":%d}",
			 (long long)total, total < WORK_COUNT_MAX ? "true" : "false", f.offset,
			 f.limit, f.due_soon_days);
	}
	return buf_failed(&r->text) ? uc_error(err, UC_ENOMEM, "response too large") : UC_OK;
}

/* ---- assignment ---- */

static const struct hj_field assign_spec[] = {
    {"case_ids", HJ_ARRAY, 1},
    {"assignee", HJ_STRING, 0}, /* a user name; null (taken out first) unassigns */
    {"note", HJ_STRING, 0},
    {NULL, 0, 0},
};

struct assign_args {
	const int64_t *ids;
	size_t n;
	const char *assignee;
	struct work_assign_result res;
};

static int assign_tx(struct http_req *r, void *arg, struct uc_err *err)
{
	struct assign_args *a = arg;
	int rc = work_assign(r->st, &r->user, a->ids, a->n, a->assignee, hj_str(r->json, "note"),
			     &a->res, err);

	if (!rc)
		http_detail(r, " changed=%d", a->res.assigned);
	return rc;
}

int api_work_assign(struct http_req *r, struct uc_err *err)
{
	struct assign_args a;
	struct work_assign_result res;
	json_t *ids = NULL, *x;
	const char *assignee;
	int64_t *v = NULL;
	size_t n, i;
	int rc, unassign = 0;

	/* null is how a client says "unassign"; the field checks refuse nulls */
	if (json_is_null(json_object_get(r->json, "assignee"))) {
		unassign = 1;
		json_object_del(r->json, "assignee");
	}
	rc = hj_check_fields(r->json, assign_spec, "body", err);
	if (rc)
		return rc;
	ids = json_object_get(r->json, "case_ids");
	assignee = hj_str(r->json, "assignee");
	if (!assignee && !unassign)
		return uc_error(err, UC_EINPUT,
				"body.assignee: required: a user name, or null to unassign");
	n = json_array_size(ids);
	if (n == 0 || n > WORK_ASSIGN_MAX)
		return uc_error(err, UC_EINPUT, "body.case_ids: 1 to %d case ids, not %zu",
				WORK_ASSIGN_MAX, n);
	v = calloc(n, sizeof(*v));
	if (!v)
		return uc_error(err, UC_ENOMEM, "out of memory");
	json_array_foreach(ids, i, x)
	{
		if (!json_is_integer(x) || json_integer_value(x) < 1) {
			free(v);
			return uc_error(err, UC_EINPUT,
					"body.case_ids[%zu]: a case id (a positive integer)", i);
		}
		v[i] = json_integer_value(x);
		buf_addf(&r->subjects, "%sC%lld", i ? "," : "", (long long)v[i]);
	}
	http_detail(r, "assignee=%.64s cases=%zu", assignee ? assignee : "(none)", n);
	snprintf(r->target, sizeof(r->target), "user:%.64s", assignee ? assignee : "(none)");
	a.ids = v;
	a.n = n;
	a.assignee = assignee;
	rc = write_tx(r, assign_tx, &a, err);
	res = a.res;
	free(v);
	if (rc) {
		buf_reset(&r->subjects);
		return rc;
	}
	r->out = json_pack("{s:s?,s:i,s:i}", "assignee", assignee, "assigned", res.assigned,
			   "unchanged", res.unchanged);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

/* ---- who may be given cases ---- */

struct assignee_ctx {
	const char *office; /* NULL: every office (admins) */
	json_t *items;
};

static int on_assignee(void *arg, const struct auth_user *u, struct uc_err *err)
{
	struct assignee_ctx *c = arg;
	json_t *o;

	if (u->role != AUTH_ROLE_OFFICER && u->role != AUTH_ROLE_SUPERVISOR)
		return UC_OK;
	if (c->office && strcmp(u->office, c->office) != 0)
		return UC_OK;
	o = json_pack("{s:s,s:s,s:s}", "name", u->name, "role", auth_role_name(u->role), "office",
		      u->office);
	if (!o || json_array_append_new(c->items, o))
		return uc_error(err, UC_ENOMEM, "out of memory");
	return UC_OK;
}

int api_work_assignees(struct http_req *r, struct uc_err *err)
{
	struct assignee_ctx c = {http_query(r, "office"), json_array()};
	int rc;

	/* a supervisor assigns within the office: its people only */
	if (r->user.role == AUTH_ROLE_SUPERVISOR) {
		if (c.office && strcmp(c.office, r->user.office) != 0) {
			json_decref(c.items);
			return uc_error(err, UC_EDENIED, "supervisors assign within office %s",
					r->user.office);
		}
		c.office = r->user.office;
	}
	rc = auth_user_each(r->st, on_assignee, &c, err);
	if (rc) {
		json_decref(c.items);
		return rc;
	}
	r->out = json_pack("{s:o}", "items", c.items);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

/* ---- completing a task ---- */

static const struct hj_field task_spec[] = {
    {"outcome", HJ_STRING, 1},
    {"reason", HJ_STRING, 0},
    {"occurred_at", HJ_STRING, 0},
    {"details", HJ_OBJECT, 0},
    {NULL, 0, 0},
};

struct task_hook {
	const char *action;
	const char *outcome;
	const char *reason;
};

static int log_task(struct http_req *r, const char *event_id, void *arg, struct uc_err *err)
{
	struct task_hook *h = arg;

	return work_log_outcome(r->st, r->case_id, h->action, h->outcome, h->reason, event_id,
				r->user.name, err);
}

/* The event that records the outcome (work_outcome_type), from the
 * request's details; *ev is new. */
static int task_event(const char *action, const char *outcome, const char *type, json_t *body,
		      json_t **ev, struct uc_err *err)
{
	json_t *d = json_object_get(body, "details");
	const char *reason = hj_str(body, "reason");
	int is_done = !strcmp(outcome, "done");
	json_t *e = d ? json_deep_copy(d) : json_object();
	const char *k;
	json_t *x;

	if (!e)
		return uc_error(err, UC_ENOMEM, "out of memory");
	json_object_foreach(e, k, x)
	{
		if (!json_is_string(x)) {
			json_decref(e);
			return uc_error(err, UC_EINPUT, "body.details.%s: a string", k);
		}
		if (!strcmp(k, "type") || !strcmp(k, "a_number") || !strcmp(k, "event_id") ||
		    !strcmp(k, "recorded_by") || !strcmp(k, "occurred_at")) {
			json_decref(e);
			return uc_error(err, UC_EINPUT, "body.details.%s: set by the server", k);
		}
	}
	/* a task_outcome event carries the task's own fields, not details */
	if (!strcmp(type, "task_outcome"))
		json_object_clear(e);
	json_object_set_new(e, "type", json_string(type));
	if (json_object_get(body, "occurred_at"))
		json_object_set(e, "occurred_at", json_object_get(body, "occurred_at"));
	if (!strcmp(type, "task_outcome")) {
		json_object_set_new(e, "action", json_string(action));
		json_object_set_new(e, "outcome", json_string(outcome));
		if (reason)
			json_object_set_new(e, "reason", json_string(reason));
	} else if (!strcmp(type, "contact_attempt")) {
		const char *o = hj_str(e, "outcome");

		if (!hj_str(e, "method"))
			goto need_method;
		if (is_done && o && strcmp(o, "reached")) {
			json_decref(e);
			return uc_error(err, UC_EINPUT,
					"body.details.outcome: a done contact is "
					"'reached'; for '%s' use outcome not_possible",
					o);
		}
		if (!is_done && o && !strcmp(o, "reached")) {
			json_decref(e);
			return uc_error(err, UC_EINPUT,
					"body.details.outcome: 'reached' is a done "
					"contact, not a not_possible one");
		}
		if (!o)
			json_object_set_new(e, "outcome",
					    json_string(is_done ? "reached" : "no_answer"));
	} else if (!strcmp(type, "welfare_check")) {
		const char *o = hj_str(e, "outcome");

		if (is_done && (!o || (strcmp(o, "safe") && strcmp(o, "concern")))) {
			json_decref(e);
			return uc_error(err, UC_EINPUT,
					"body.details.outcome: a done welfare check "
					"is 'safe' or 'concern'");
		}
		if (!is_done)
			json_object_set_new(e, "outcome", json_string("not_seen"));
	} else if (!strcmp(type, "referral")) {
		const char *to = !strcmp(action, "legal_referral") ? "legal_provider"
				 : !strcmp(action, "refer_hsi")	   ? "hsi"
				 : !strcmp(action, "refer_hhs")	   ? "hhs"
								   : "cps";

		json_object_set_new(e, "to", json_string(to));
		if (reason && !json_object_get(e, "reason"))
			json_object_set_new(e, "reason", json_string(reason));
	} else if (!strcmp(type, "address_update")) {
		if (!json_object_get(e, "status"))
			json_object_set_new(e, "status", json_string("verified"));
	}
	*ev = e;
	return UC_OK;
need_method:
	json_decref(e);
	return uc_error(err, UC_EINPUT,
			"body.details.method: how the contact was tried "
			"(phone, home_visit, mail)");
}

static json_t *tasks_json(struct http_req *r, struct uc_err *err);

int api_case_task(struct http_req *r, struct uc_err *err)
{
	struct task_hook h;
	struct work_task t;
	const char *action = r->params[1], *type = NULL;
	json_t *body = r->json, *ev = NULL, *tasks;
	int rc, is_new = 0, retriaged = 0;

	rc = hj_check_fields(body, task_spec, "body", err);
	if (rc)
		return rc;
	h.action = action;
	h.outcome = hj_str(body, "outcome");
	h.reason = hj_str(body, "reason");
	http_detail(r, "action=%.24s outcome=%.16s", action, h.outcome);
	rc = work_outcome_type(action, h.outcome, &type, err);
	if (!rc && !strcmp(h.outcome, "not_possible") && (!h.reason || !*h.reason))
		rc = uc_error(err, UC_EINPUT, "body.reason: say why the task was not possible");
	if (!rc && h.reason && strlen(h.reason) > WORK_TEXT_MAX)
		rc = uc_error(err, UC_EINPUT, "body.reason: at most %d bytes", WORK_TEXT_MAX);
	if (!rc)
		rc = work_task_get(r->st, r->case_id, action, &t, err);
	if (rc)
		return rc;
	if (!strcmp(t.status, "held")) {
		return uc_error(err, UC_ECONFLICT,
				"the %s task is held by %s: it cannot be completed while the "
				"hold protects the child (a supervisor may request a lift)",
				action, t.held_by);
	}
	rc = task_event(action, h.outcome, type, body, &ev, err);
	if (rc)
		return rc;
	r->json = ev;
	rc = api_record_event(r, 0, log_task, &h, &is_new, &retriaged, err);
	r->json = body;
	if (!rc) {
		tasks = tasks_json(r, err);
		r->out = json_pack("{s:I,s:s,s:s,s:s,s:s,s:b,s:o*}", "case_id",
				   (json_int_t)r->case_id, "action", action, "outcome", h.outcome,
				   "event_type", type, "event_id", hj_str(ev, "event_id"),
				   "retriaged", retriaged, "tasks", tasks);
		if (!r->out)
			rc = uc_error(err, UC_ENOMEM, "out of memory");
		else
			r->status = 201;
	}
	json_decref(ev);
	return rc;
}

/* ---- inbox ---- */

struct ictx {
	json_t *items;
};

static int on_inbox(void *arg, const struct work_inbox_item *it, struct uc_err *err)
{
	struct ictx *c = arg;
	json_t *o =
	    json_pack("{s:s,s:I,s:I,s:s,s:s,s:i,s:s}", "kind", work_inbox_kind_name(it->kind),
		      "case_id", (json_int_t)it->case_id, "ref_id", (json_int_t)it->ref_id,
		      "action", it->action, "date", it->date, "days", it->days, "text", it->text);

	if (!o || json_array_append_new(c->items, o))
		return uc_error(err, UC_ENOMEM, "out of memory");
	return UC_OK;
}

int api_inbox(struct http_req *r, struct uc_err *err)
{
	struct work_inbox_opts o = {date_today(), 7, 60, 100};
	struct ictx c = {json_array()};
	int64_t counts[WORK_IN_KINDS];
	int count_only = 0, rc;
	json_t *cj;
	int64_t total = 0;

	rc = flag_param(r, "count_only", &count_only, err);
	if (rc) {
		json_decref(c.items);
		return rc;
	}
	remind_days(r, &o.due_soon_days, &o.no_contact_days);
	if (count_only)
		o.limit = 0; /* counted, not listed: items stay empty */
	rc = work_inbox(r->st, &r->user, &o, on_inbox, &c, counts, err);
	if (rc) {
		json_decref(c.items);
		return rc;
	}
	if (count_only)
		json_array_clear(c.items);
	cj = json_object();
	for (int k = 0; k < WORK_IN_KINDS; k++) {
		json_object_set_new(cj, work_inbox_kind_name(k), json_integer(counts[k]));
		total += counts[k];
	}
	r->out = json_pack("{s:I,s:o,s:o,s:i,s:i}", "total", (json_int_t)total, "counts", cj,
			   "items", c.items, "due_soon_days", o.due_soon_days, "no_contact_days",
			   o.no_contact_days);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

/* ---- counsel requests ---- */

static json_t *counsel_json(const struct work_counsel *k, int with_case)
{
	json_t *o =
	    json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?}", "id", (json_int_t)k->id,
		      "a_number", k->a_number, "provider", k->provider, "requested_by",
		      k->requested_by, "requested_at", k->requested_at, "reason", k->reason,
		      "status", k->status, "decided_by", k->decided_by[0] ? k->decided_by : NULL,
		      "decided_at", k->decided_at[0] ? k->decided_at : NULL, "note",
		      k->note[0] ? k->note : NULL, "event_id", k->event_id[0] ? k->event_id : NULL);

	if (o && with_case)
		json_object_set_new(o, "case_id", json_integer(k->case_id));
	return o;
}

static const struct hj_field counsel_spec[] = {
    {"a_number", HJ_STRING, 1},
    {"reason", HJ_STRING, 1},
    {NULL, 0, 0},
};

static int counsel_create_tx(struct http_req *r, void *arg, struct uc_err *err)
{
	int64_t case_id = 0, *id = arg;
	int rc = work_case_by_anumber(r->st, hj_str(r->json, "a_number"), &case_id, err);

	if (!rc)
		rc = work_counsel_request(r->st, &r->user, case_id, hj_str(r->json, "a_number"),
					  hj_str(r->json, "reason"), id, err);
	if (!rc) {
		snprintf(r->target, sizeof(r->target), "case:%lld", (long long)case_id);
		http_detail(r, "request=%lld provider=%.64s", (long long)*id, r->user.provider);
	}
	return rc;
}

int api_counsel_create(struct http_req *r, struct uc_err *err)
{
	struct work_counsel k;
	int64_t id = 0;
	int rc;

	if (r->user.role != AUTH_ROLE_LEGAL_PROVIDER)
		return uc_error(err, UC_EDENIED,
				"only legal provider users ask to be recorded as "
				"counsel");
	rc = hj_check_fields(r->json, counsel_spec, "body", err);
	if (rc)
		return rc;
	rc = write_tx(r, counsel_create_tx, &id, err);
	if (!rc)
		rc = work_counsel_get(r->st, id, &k, err);
	if (rc)
		return rc;
	/* the provider does not learn the case id until it is counsel */
	r->out = counsel_json(&k, 0);
	r->status = 201;
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

struct cctx {
	struct http_req *r;
	json_t *items;
};

static int on_counsel_row(void *arg, const struct work_counsel *k, struct uc_err *err)
{
	struct cctx *c = arg;
	int deciding = c->r->user.role != AUTH_ROLE_LEGAL_PROVIDER;

	if (deciding && c->r->user.role == AUTH_ROLE_SUPERVISOR) {
		int visible = 0;
		int rc = api_case_visible(c->r->st, &c->r->user, k->case_id, &visible, err);

		if (rc == UC_ENOTFOUND)
			return UC_OK;
		if (rc)
			return rc;
		if (!visible)
			return UC_OK;
	}
	if (json_array_append_new(c->items, counsel_json(k, deciding)))
		return uc_error(err, UC_ENOMEM, "out of memory");
	return UC_OK;
}

int api_counsel_list(struct http_req *r, struct uc_err *err)
{
	struct cctx c = {r, json_array()};
	const char *status = http_query(r, "status");
	const char *provider = NULL;
	int rc;

	if (r->user.role == AUTH_ROLE_LEGAL_PROVIDER)
		provider = r->user.provider;
	else if (!auth_allows(&r->user, AUTH_CAP_COUNSEL_DECIDE)) {
		json_decref(c.items);
		return uc_error(err, UC_EDENIED, "role %s does not see counsel requests",
				auth_role_name(r->user.role));
	}
	if (status && strcmp(status, "pending") && strcmp(status, "confirmed") &&
	    strcmp(status, "rejected") && strcmp(status, "withdrawn")) {
		json_decref(c.items);
		return uc_error(err, UC_EINPUT,
				"status: pending, confirmed, rejected or withdrawn");
	}
	rc = work_counsel_list(r->st, status, provider, 200, on_counsel_row, &c, err);
	if (rc) {
		json_decref(c.items);
		return rc;
	}
	r->out = json_pack("{s:o}", "items", c.items);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

static const struct hj_field counsel_decide_spec[] = {
    {"decision", HJ_STRING, 1},
    {"note", HJ_STRING, 0},
    {NULL, 0, 0},
};

struct counsel_hook {
	int64_t id;
	const char *decision;
	const char *note;
};

static int decide_counsel(struct http_req *r, const char *event_id, void *arg, struct uc_err *err)
{
	struct counsel_hook *h = arg;

	return work_counsel_decide(r->st, &r->user, h->id, h->decision, h->note, event_id, err);
}

static int counsel_decide_tx(struct http_req *r, void *arg, struct uc_err *err)
{
	return decide_counsel(r, NULL, arg, err);
}

int api_counsel_decide(struct http_req *r, struct uc_err *err)
{
	struct counsel_hook h;
	struct work_counsel k;
	long long id = 0;
	int rc;

	rc = hj_check_fields(r->json, counsel_decide_spec, "body", err);
	if (!rc)
		rc = http_param_int("counsel request id", r->params[0], 1, INT64_MAX, &id, err);
	if (!rc)
		rc = work_counsel_get(r->st, id, &k, err);
	if (rc)
		return rc;
	h.id = id;
	h.decision = hj_str(r->json, "decision");
	h.note = hj_str(r->json, "note");
	r->case_id = k.case_id;
	snprintf(r->target, sizeof(r->target), "case:%lld", (long long)k.case_id);
	http_detail(r, "request=%lld decision=%.16s", id, h.decision);
	if (!strcmp(h.decision, "confirm")) {
		json_t *body = r->json;
		json_t *ev;
		int is_new = 0, retriaged = 0;

		/* the decider's role is checked before anything is recorded */
		if (!auth_allows(&r->user, AUTH_CAP_COUNSEL_DECIDE))
			return uc_error(err, UC_EDENIED, "role %s may not confirm counsel",
					auth_role_name(r->user.role));
		if (strcmp(k.status, "pending"))
			return uc_error(err, UC_ECONFLICT,
					"counsel request %lld is %s, not pending", id, k.status);
		ev = json_pack("{s:s,s:s,s:s}", "type", "representation", "provider", k.provider,
			       "status", "started");
		if (!ev)
			return uc_error(err, UC_ENOMEM, "out of memory");
		r->json = ev;
		rc = api_record_event(r, 1, decide_counsel, &h, &is_new, &retriaged, err);
		r->json = body;
		json_decref(ev);
	} else {
		rc = write_tx(r, counsel_decide_tx, &h, err);
	}
	if (!rc)
		rc = work_counsel_get(r->st, id, &k, err);
	if (rc)
		return rc;
	r->out = counsel_json(&k, r->user.role != AUTH_ROLE_LEGAL_PROVIDER ||
				      !strcmp(k.status, "confirmed"));
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

/* ---- a provider's clients ---- */

static int on_client(void *arg, const struct work_client *c, struct uc_err *err)
{
	struct cctx *x = arg;
	json_t *o =
	    json_pack("{s:I,s:s,s:s?,s:s,s:s?,s:s?,s:s?,s:i}", "case_id", (json_int_t)c->case_id,
		      "a_number", c->a_number, "name", c->name[0] ? c->name : NULL, "counsel_since",
		      c->since, "next_hearing", c->next_hearing[0] ? c->next_hearing : NULL,
		      "court", c->court[0] ? c->court : NULL, "group",
		      c->group[0] ? c->group : NULL, "phase", c->phase);

	buf_addf(&x->r->subjects, "%sC%lld", x->r->subjects.len ? "," : "", (long long)c->case_id);
	if (!o || json_array_append_new(x->items, o))
		return uc_error(err, UC_ENOMEM, "out of memory");
	return UC_OK;
}

int api_clients(struct http_req *r, struct uc_err *err)
{
	struct cctx c = {r, json_array()};
	int rc;

	if (r->user.role != AUTH_ROLE_LEGAL_PROVIDER || !r->user.provider[0]) {
		json_decref(c.items);
		return uc_error(err, UC_EDENIED,
				"'My clients' is the caseload of a legal provider "
				"user");
	}
	snprintf(r->target, sizeof(r->target), "provider:%.60s", r->user.provider);
	rc = work_clients(r->st, r->user.provider, date_today(), 500, on_client, &c, err);
	if (rc) {
		json_decref(c.items);
		buf_reset(&r->subjects);
		return rc;
	}
	r->out = json_pack("{s:s,s:o}", "provider", r->user.provider, "items", c.items);
	return r->out ? UC_OK : uc_error(err, UC_ENOMEM, "out of memory");
}

/* ---- the case page's share ---- */

static int on_task(void *arg, const struct work_task *t, struct uc_err *err)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s?}", "action", t->action, "status", t->status, "due",
			      t->due, "held_by", t->held_by[0] ? t->held_by : NULL);

	if (!o || json_array_append_new(arg, o))
		return uc_error(err, UC_ENOMEM, "out of memory");
	return UC_OK;
}

/* The case's tasks now (after a completion's re-triage); [] when they
 * cannot be read (the completion stands). */
static json_t *tasks_json(struct http_req *r, struct uc_err *err)
{
	json_t *a = json_array();
	struct uc_err e = UC_ERR_INIT;

	(void)err;
	if (a && work_tasks(r->st, r->case_id, on_task, a, &e))
		json_array_clear(a);
	return a;
}

static int on_hist(void *arg, const struct work_hist *h, struct uc_err *err)
{
	json_t *o = json_pack("{s:s,s:s?,s:s,s:s?,s:s?,s:s,s:s?,s:s?}", "kind", h->kind, "action",
			      h->action[0] ? h->action : NULL, "how", h->how, "assignee",
			      h->who[0] ? h->who : NULL, "by", h->by[0] ? h->by : NULL, "at", h->at,
			      "reason", h->reason[0] ? h->reason : NULL, "event_id",
			      h->event_id[0] ? h->event_id : NULL);

	if (!o || json_array_append_new(arg, o))
		return uc_error(err, UC_ENOMEM, "out of memory");
	return UC_OK;
}

int api_case_work(struct http_req *r, json_t *out, struct uc_err *err)
{
	char who[AUTH_NAME_MAX + 1];
	json_t *hist = json_array();
	int rc = work_assignee(r->st, r->case_id, who, err);

	if (!rc)
		rc = work_history(r->st, r->case_id, on_hist, hist, err);
	if (rc) {
		json_decref(hist);
		return rc;
	}
	json_object_set_new(out, "assignee", who[0] ? json_string(who) : json_null());
	json_object_set_new(out, "work_history", hist);
	return UC_OK;
}
