-- 007: record links maintained, not derived.
--
-- The view record_person used to find the child of every contact, hearing,
-- proceeding, removal, indicator and field event through correlated
-- subqueries, so "the records of child X" computed the person of every row
-- of every such table: the case page never answered at 600,000 children.
-- record_link now holds that person, one row per record of those tables
-- whose child is known, indexed by person. It belongs to src/link
-- (link_records_sync, link.h): a link run rebuilds it, merges and splits
-- move its rows, and imports add the rows of records newer than
-- record_link_mark. The rules are those of the old view:
--   orr_contact      the person of its placement (lowest rid version of
--                    orr_placement with skey = placement_id), else the
--                    person holding its A-number;
--   ice_removal      the person holding its A-number, else its IDNCASE;
--   indicator, field_event   the person holding its A-number;
--   eoir_proceeding, eoir_hearing, eoir_juvenile   the person holding
--                    its IDNCASE.
CREATE TABLE record_link (
  src_tbl   TEXT NOT NULL,
  src_rid   INTEGER NOT NULL,
  person_id INTEGER NOT NULL,
  method    TEXT NOT NULL,          -- placement, a_number, idncase (as the view)
  PRIMARY KEY (src_tbl, src_rid)
) WITHOUT ROWID;
CREATE INDEX record_link_person ON record_link(person_id, src_tbl);

-- Highest rid of each table that record_link has considered.
CREATE TABLE record_link_mark (
  tbl     TEXT PRIMARY KEY,
  max_rid INTEGER NOT NULL
);

-- Every record that belongs to a child: identity records (person_record)
-- and the rest (record_link). Both halves are indexed by person, so
-- "WHERE person_id = ?" reads only that child's rows.
DROP VIEW record_person;
CREATE VIEW record_person AS
SELECT src_tbl, src_rid, person_id, method FROM person_record
UNION ALL
SELECT src_tbl, src_rid, person_id, method FROM record_link;

-- A case's rank among active cases (triage_explain) counts at most 1000
-- cases ahead of it through this index, not every case. prio leads: an
-- index led by the two-valued "active" invites a planner without
-- statistics to walk every active case for "active = 1 AND ...".
CREATE INDEX tcase_rank ON tcase(prio, active);

-- Rendered reports kept for the API (src/report, report_snapshot_*): one
-- row per report and options; wm is the data watermark it was computed
-- at. A request whose watermark differs is answered from the row (marked
-- stale) while the server computes a new one in the background.
CREATE TABLE report_snapshot (
  key     TEXT PRIMARY KEY,   -- report name and canonical options
  wm      TEXT NOT NULL,      -- report_watermark() when computed
  made_at TEXT NOT NULL,      -- UTC time it was computed
  body    BLOB NOT NULL       -- the response body
);

-- The children of a list report's snapshot one by one (the FTA list at
-- 2M children is several MB): GET /reports/fta?limit=&cursor= serves a
-- page of them by index. n counts from 1 in the report's order.
CREATE TABLE report_snapshot_row (
  key  TEXT NOT NULL,         -- report_snapshot.key
  n    INTEGER NOT NULL,      -- position in the list
  body TEXT NOT NULL,         -- the child's object, compact JSON
  PRIMARY KEY (key, n)
) WITHOUT ROWID;
