#ifndef UC_HTTP_API_H
#define UC_HTTP_API_H
/*
 * api.h - the API's route table and handlers (src/http/api*.c), used by
 * server.c. Handlers follow the contract in server.h: read r, set r->out
 * (and r->status), or return a uc_rc with err filled. They hold no policy:
 * the route table says what each needs and server.c enforces it.
 */
#include <stddef.h>

#include "http/server.h"

extern const struct http_route api_routes[];
extern const size_t api_nroutes;

/* Whether the user may see case id (auth_case_in_scope over its office
 * and counsel of record, case_scope); UC_ENOTFOUND when there is none. */
int api_case_visible(struct store *st, const struct auth_user *u, int64_t id, int *visible,
		     struct uc_err *err);

/* api_rules.c: the active rule set's vocabulary and labels */
int api_rules_get(struct http_req *r, struct uc_err *err);
/* The language the request asks for in Accept-Language: "es" for
 * Spanish, "" for the default (English). Static string. */
const char *api_lang(struct http_req *r);
/* The label the rule set declares for a fired rule or hold (kind "rule"
 * or "hold") in lang, else its default label; NULL when none (or rs is
 * NULL). Owned by rs. */
struct rules;
const char *api_item_label(const struct rules *rs, const char *kind, const char *name,
			   const char *lang);

/* api_session.c */
int api_health(struct http_req *r, struct uc_err *err);
int api_login(struct http_req *r, struct uc_err *err);
int api_logout(struct http_req *r, struct uc_err *err);
int api_whoami(struct http_req *r, struct uc_err *err);

/* api_admin.c: users and tokens */
int api_users_list(struct http_req *r, struct uc_err *err);
int api_users_add(struct http_req *r, struct uc_err *err);
int api_users_disable(struct http_req *r, struct uc_err *err);
int api_users_passwd(struct http_req *r, struct uc_err *err);
int api_users_set(struct http_req *r, struct uc_err *err);
int api_tokens_list(struct http_req *r, struct uc_err *err);
int api_tokens_create(struct http_req *r, struct uc_err *err);
int api_tokens_revoke(struct http_req *r, struct uc_err *err);
int api_audit_list(struct http_req *r, struct uc_err *err);
int api_audit_verify(struct http_req *r, struct uc_err *err);

/* api_cases.c */
int api_queue(struct http_req *r, struct uc_err *err);
int api_cases_search(struct http_req *r, struct uc_err *err);
int api_case_get(struct http_req *r, struct uc_err *err);
int api_case_events(struct http_req *r, struct uc_err *err);
/*
 * Record the field event r->json of case r->case_id as POST
 * /cases/{id}/events does (checks, sealing, event id, write lock, one
 * transaction with its audit entry), then re-triage the case. hook (may
 * be NULL) runs inside the transaction after the event is stored, with
 * its event id: what it writes commits or rolls back with the event.
 * trusted: the server built the event for a decision the route's
 * capability covers (a counsel confirmation records a representation
 * event), so the user's own event-type permissions are not checked.
 */
typedef int (*api_event_hook)(struct http_req *r, const char *event_id, void *arg,
			      struct uc_err *err);
int api_record_event(struct http_req *r, int trusted, api_event_hook hook, void *hook_arg,
		     int *is_new, int *retriaged, struct uc_err *err);
int api_case_override(struct http_req *r, struct uc_err *err);
int api_case_lift_request(struct http_req *r, struct uc_err *err);
int api_case_lift_decide(struct http_req *r, struct uc_err *err);
int api_lifts_pending(struct http_req *r, struct uc_err *err);

/* api_ops.c: linkage review, triage runs and diffs, feeds, reports */
/* api_work.c: field work (docs/work.md) */
int api_work_queue(struct http_req *r, struct uc_err *err);
int api_work_assign(struct http_req *r, struct uc_err *err);
int api_work_assignees(struct http_req *r, struct uc_err *err);
int api_case_task(struct http_req *r, struct uc_err *err);
int api_inbox(struct http_req *r, struct uc_err *err);
int api_counsel_create(struct http_req *r, struct uc_err *err);
int api_counsel_list(struct http_req *r, struct uc_err *err);
int api_counsel_decide(struct http_req *r, struct uc_err *err);
int api_clients(struct http_req *r, struct uc_err *err);
/* The case page's work members (assignee, work_history) into out. */
int api_case_work(struct http_req *r, json_t *out, struct uc_err *err);

int api_link_review(struct http_req *r, struct uc_err *err);
int api_link_decide(struct http_req *r, struct uc_err *err);
int api_link_merge(struct http_req *r, struct uc_err *err);
int api_link_split(struct http_req *r, struct uc_err *err);
int api_triage_runs(struct http_req *r, struct uc_err *err);
int api_triage_start(struct http_req *r, struct uc_err *err);
int api_triage_diff(struct http_req *r, struct uc_err *err);
int api_feed_upload(struct http_req *r, struct uc_err *err);
int api_report_oversight(struct http_req *r, struct uc_err *err);
int api_report_fta(struct http_req *r, struct uc_err *err);

#endif
