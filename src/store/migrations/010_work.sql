-- 010: field work (issue 14): the queue of children, assignment, task
-- outcomes, counsel requests. See docs/work.md.

-- The queue of children reads one row per case. Triage keeps these
-- columns with the tasks it writes (src/triage owns tcase):
--   next_action, next_due: the open task due first (NULL when none open)
--   n_open, n_held: open and held tasks
--   queued: 1 when the case is active and has at least one task
ALTER TABLE tcase ADD COLUMN next_action TEXT;
ALTER TABLE tcase ADD COLUMN next_due TEXT;
ALTER TABLE tcase ADD COLUMN n_open INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tcase ADD COLUMN n_held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tcase ADD COLUMN queued INTEGER NOT NULL DEFAULT 0;
UPDATE tcase SET
  n_open = (SELECT count(*) FROM task t WHERE t.case_id = tcase.id AND t.status = 'open'),
  n_held = (SELECT count(*) FROM task t WHERE t.case_id = tcase.id AND t.status = 'held');
UPDATE tcase SET
  queued = (active = 1 AND n_open + n_held > 0),
  next_action = (SELECT t.action FROM task t WHERE t.case_id = tcase.id AND t.status = 'open'
                 ORDER BY t.due, t.action LIMIT 1),
  next_due = (SELECT t.due FROM task t WHERE t.case_id = tcase.id AND t.status = 'open'
              ORDER BY t.due, t.action LIMIT 1);
-- Pages of the queue of children, by priority and by due date, for an
-- office and for everyone (admins, auditors). Each holds every column a
-- filter reads, so a page and its total are index-only scans whatever the
-- filters (docs/work.md, "Performance").
CREATE INDEX tcase_work ON tcase(office, queued, prio DESC, id DESC, grp, phase, holds, next_due);
CREATE INDEX tcase_work_due ON tcase(office, queued, coalesce(next_due, '9999-12-31'),
  prio DESC, id DESC, grp, phase, holds, next_due);
CREATE INDEX tcase_work_due_all ON tcase(queued, coalesce(next_due, '9999-12-31'),
  prio DESC, id DESC, grp, phase, holds, next_due);
CREATE INDEX tcase_work_all ON tcase(queued, prio DESC, id DESC, grp, phase, holds, next_due);

-- Who works a case now (src/work). One row per assigned case; a case
-- without a row is unassigned and stays in its office's queue.
CREATE TABLE assignment (
  case_id     INTEGER PRIMARY KEY,
  assignee    TEXT NOT NULL,          -- app_user.name
  assigned_by TEXT NOT NULL,
  assigned_at TEXT NOT NULL           -- UTC
);
CREATE INDEX assignment_user ON assignment(assignee, case_id);

-- Every assignment change, for the case page (the audit log has them too).
CREATE TABLE assignment_log (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL,
  assignee    TEXT,                   -- NULL: unassigned
  by_user     TEXT NOT NULL,
  at          TEXT NOT NULL,
  note        TEXT
);
CREATE INDEX assignment_log_case ON assignment_log(case_id, id);

-- What happened to tasks: completed by a person (done, not_possible, with
-- the event that recorded it) or closed by triage when the facts no longer
-- call for them (how = 'closed', reason says why). Written by src/work and
-- src/triage (closures); read by the case page and the inbox.
CREATE TABLE task_log (
  id        INTEGER PRIMARY KEY,
  case_id   INTEGER NOT NULL,
  action    TEXT NOT NULL,
  how       TEXT NOT NULL,            -- done, not_possible, closed
  reason    TEXT,
  event_id  TEXT,                     -- the field event recorded, if any
  by_user   TEXT,                     -- NULL for triage's closures
  at        TEXT NOT NULL             -- UTC
);
CREATE INDEX task_log_case ON task_log(case_id, id);

-- A legal provider asks to be recorded as a child's counsel; an analyst
-- or supervisor confirms (which records a representation event) or rejects.
CREATE TABLE counsel_request (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL,
  a_number     TEXT NOT NULL,         -- as the provider gave it
  provider     TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  reason       TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending', -- pending, confirmed, rejected, withdrawn
  decided_by   TEXT,
  decided_at   TEXT,
  note         TEXT,
  event_id     TEXT                   -- the representation event a confirmation made
);
CREATE INDEX counsel_request_status ON counsel_request(status, id);
CREATE INDEX counsel_request_provider ON counsel_request(provider, id);

-- A provider's clients read representation by provider: that index is a
-- read index (src/store/read_indexes.sql), built after imports, not during.

-- The fact tasks_done was added to the catalog (src/triage/facts.c):
-- stored facts lack it, so the next triage run projects every case again.
DELETE FROM triage_meta WHERE key = 'watermark';
