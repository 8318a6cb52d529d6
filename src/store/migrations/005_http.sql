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
-- A field officer's write (POST /api/v1/cases/{id}/events) re-triages the
-- child (triage_person -> proj_one), which reads the child's addresses,
-- claims and representations through person_record on (src_tbl, src_rid).
-- Without these, each of those is a full table scan (1M addresses on a
-- 600k-child database: ~0.5 s per write); with them, index lookups.
CREATE INDEX IF NOT EXISTS address_src ON address(src_tbl, src_rid);
CREATE INDEX IF NOT EXISTS claim_src ON claim(src_tbl, src_rid);
CREATE INDEX IF NOT EXISTS representation_src ON representation(src_tbl, src_rid);
