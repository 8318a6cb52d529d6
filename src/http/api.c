/*
 * api.c - the route table: every endpoint with what it needs. server.c
 * enforces it; handlers live in api_session.c, api_admin.c, api_cases.c.
 */
#include "http/api.h"

const struct http_route api_routes[] = {
	/* method, pattern, capability, flags, query, audit action, handler */
	{"GET", "/health", AUTH_CAP_PUBLIC, 0, "", "health", api_health},
	{"POST", "/session", AUTH_CAP_PUBLIC, RT_WRITE | RT_BODY, "",
	 "session.create", api_login},
	{"GET", "/session", AUTH_CAP_SELF, 0, "", "session.read", api_whoami},
	{"DELETE", "/session", AUTH_CAP_SELF, RT_WRITE, "", "session.delete",
	 api_logout},
	{"GET", "/queue", AUTH_CAP_QUEUE_READ, RT_PII,
	 "office,group,phase,limit,cursor", "queue.read", api_queue},
	{"GET", "/cases", AUTH_CAP_CASE_SEARCH, RT_PII, "q,limit", "case.search",
	 api_cases_search},
	{"GET", "/cases/{id}", AUTH_CAP_CASE_READ, RT_PII | RT_CASE, "",
	 "case.read", api_case_get},
	{"POST", "/cases/{id}/events", AUTH_CAP_EVENT_WRITE,
	 RT_WRITE | RT_CASE | RT_BODY, "", "event.create", api_case_events},
	{"POST", "/cases/{id}/overrides", AUTH_CAP_OVERRIDE,
	 RT_WRITE | RT_CASE | RT_BODY, "", "override.create", api_case_override},
	{"GET", "/audit", AUTH_CAP_AUDIT_READ, 0,
	 "after,limit,actor,action,target", "audit.read", api_audit_list},
	{"GET", "/users", AUTH_CAP_USER_ADMIN, 0, "", "user.list", api_users_list},
	{"POST", "/users", AUTH_CAP_USER_ADMIN, RT_WRITE | RT_BODY, "", "user.create",
	 api_users_add},
	{"POST", "/users/{name}/disable", AUTH_CAP_USER_ADMIN, RT_WRITE, "",
	 "user.disable", api_users_disable},
	{"GET", "/tokens", AUTH_CAP_SELF, 0, "", "token.list", api_tokens_list},
	{"POST", "/tokens", AUTH_CAP_SELF, RT_WRITE | RT_BODY, "", "token.create",
	 api_tokens_create},
	{"DELETE", "/tokens/{id}", AUTH_CAP_SELF, RT_WRITE, "", "token.revoke",
	 api_tokens_revoke},
	{"GET", "/link/review", AUTH_CAP_LINK_REVIEW, RT_PII, "limit",
	 "link.review.read", api_link_review},
	{"POST", "/link/review/{id}", AUTH_CAP_LINK_REVIEW, RT_WRITE | RT_BODY, "",
	 "link.decide", api_link_decide},
	{"GET", "/triage/runs", AUTH_CAP_TRIAGE_RUN, 0, "limit", "triage.runs.read",
	 api_triage_runs},
	{"POST", "/triage/runs", AUTH_CAP_TRIAGE_RUN, RT_WRITE | RT_BODY | RT_BATCH, "",
	 "triage.run", api_triage_start},
	{"POST", "/triage/diff", AUTH_CAP_TRIAGE_RUN, RT_BODY | RT_BATCH, "", "triage.diff",
	 api_triage_diff},
	{"POST", "/feeds/{feed}", AUTH_CAP_FEED_IMPORT, RT_WRITE | RT_UPLOAD | RT_BATCH, "name",
	 "feed.import", api_feed_upload},
	{"GET", "/reports/oversight", AUTH_CAP_REPORT_OVERSIGHT, 0,
	 "as_of,by,format,public", "report.oversight", api_report_oversight},
	{"GET", "/reports/fta", AUTH_CAP_REPORT_FTA, RT_PII, "as_of,format,limit,cursor",
	 "report.fta", api_report_fta},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
