-- 006: indexes for the HTTP API (owned by src/http, docs/api.md).
-- The queue page (GET /api/v1/queue) reads open tasks newest-priority
-- first with keyset pagination on (prio, id): these covering indexes give
-- that order exactly (no sort step, however many tasks an office has) and
-- hold every task column the page shows, so a page is one index range
-- scan plus one tcase lookup per row. IF NOT EXISTS: safe to re-apply.
CREATE INDEX IF NOT EXISTS task_page_office
  ON task(office, status, prio DESC, id DESC, case_id, grp, phase, action, due);
CREATE INDEX IF NOT EXISTS task_page
  ON task(status, prio DESC, id DESC, case_id, office, grp, phase, action, due);
