-- 004: users, sessions, API tokens, login throttling and the audit log
-- (src/auth, src/audit). Times in sessions/throttling are Unix seconds
-- (integers) because expiry arithmetic is done on them; audit times are
-- RFC 3339 UTC text with milliseconds.

-- Staff accounts. role: admin, supervisor, officer, analyst,
-- legal_provider, auditor. office: ICE field office code (supervisor,
-- officer); provider: legal service provider organisation (legal_provider).
CREATE TABLE app_user (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  role        TEXT NOT NULL CHECK (role IN ('admin','supervisor','officer',
                'analyst','legal_provider','auditor')),
  office      TEXT,
  provider    TEXT,
  pwhash      TEXT,                      -- argon2id string (crypto_pwhash_str)
  disabled    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- Browser sessions. The cookie value is never stored: only its BLAKE2b-256
-- hash (hex), so a copy of the database does not yield live sessions.
CREATE TABLE app_session (
  token_hash  TEXT PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES app_user(id),
  csrf        TEXT NOT NULL,             -- CSRF token handed out at login
  created_at  INTEGER NOT NULL,          -- absolute expiry counts from here
  last_seen   INTEGER NOT NULL,          -- idle expiry counts from here
  addr        TEXT
);
CREATE INDEX app_session_user ON app_session(user_id);

-- API tokens for automation, hashed at rest like sessions.
CREATE TABLE api_token (
  id          INTEGER PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,
  user_id     INTEGER NOT NULL REFERENCES app_user(id),
  label       TEXT,
  created_at  INTEGER NOT NULL,
  last_used   INTEGER,
  revoked     INTEGER NOT NULL DEFAULT 0
);

-- Failed logins, per user name and per client address, for throttling.
CREATE TABLE login_failure (
  kind  TEXT NOT NULL,                   -- 'user' or 'addr'
  key   TEXT NOT NULL,
  at    INTEGER NOT NULL
);
CREATE INDEX login_failure_key ON login_failure(kind, key, at);

-- The audit log: append-only and hash-chained. hash = BLAKE2b-256 over
-- prev_hash and the entry's fields (see src/audit/audit.h). The triggers
-- stop accidental edits; the chain detects deliberate ones.
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,              -- user name, or cli:NAME
  role       TEXT,
  action     TEXT NOT NULL,              -- e.g. case.read, event.create
  target     TEXT,                       -- e.g. case:42
  purpose    TEXT,                       -- X-Purpose of a read
  outcome    TEXT NOT NULL,              -- ok, denied, invalid, error
  detail     TEXT,
  addr       TEXT,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX audit_log_target ON audit_log(target);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
