-- 009: what an outside probe found (issue 13).

-- Addresses a user has logged in from successfully. Failures from an
-- unknown address count against the user name and the address; a login
-- from a known address is slowed only by failures at that address for that
-- user, so nobody can lock a user (or an office behind one proxy) out from
-- elsewhere. Rows older than 90 days are forgotten at the next login.
CREATE TABLE login_known (
  user_id INTEGER NOT NULL,
  addr    TEXT NOT NULL,
  last_ok INTEGER NOT NULL,
  PRIMARY KEY (user_id, addr)
) WITHOUT ROWID;

-- API tokens expire (tokens made before this migration: 90 days after
-- they were created) and may be read-only.
ALTER TABLE api_token ADD COLUMN expires_at INTEGER;
ALTER TABLE api_token ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
UPDATE api_token SET expires_at = created_at + 90 * 86400;

-- Lifting a statutory hold (one the rule set marks 'statutory': a pending
-- claim, a reopening window, trafficking, TVPRA screening) takes two
-- people: a supervisor requests, another supervisor or an admin approves
-- (src/triage, triage_lift_*). The approval records the override.
CREATE TABLE hold_lift (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL,
  hold         TEXT NOT NULL,
  reason       TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending', -- pending, approved, rejected, withdrawn
  decided_by   TEXT,
  decided_at   TEXT,
  note         TEXT,
  override_id  INTEGER
);
CREATE INDEX hold_lift_case ON hold_lift(case_id, status);
CREATE INDEX hold_lift_status ON hold_lift(status, id);
