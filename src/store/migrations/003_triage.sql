-- 003: triage. Cases (a person, or an A-number group before linkage), their
-- projected facts, triage results, tasks, overrides, rule sets and runs.
-- Owned by src/triage (see docs/triage.md). IF NOT EXISTS everywhere so
-- that this file can be re-applied safely whatever order migrations land in.

-- One row per case: identity and the latest triage result.
CREATE TABLE IF NOT EXISTS tcase (
  id          INTEGER PRIMARY KEY,  -- stable case id (shown as C<id>)
  person_id   INTEGER UNIQUE,       -- person.id when linked, else NULL
  a_number    TEXT,                 -- 9 digits: the case key when not linked
  active      INTEGER NOT NULL DEFAULT 1, -- 0: no records left (relinked)
  office      TEXT,                 -- field office code (rules/field_offices.csv)
  grp         TEXT,                 -- group name, NULL when no rule fired
  score       INTEGER,              -- priority score
  prio        INTEGER,              -- queue sort key: higher first (score, tie-breaks)
  phase       INTEGER,              -- 1..4
  fired       INTEGER,              -- bit mask of fired rules (rule index order)
  holds       INTEGER,              -- bit mask of firing holds (after overrides)
  hold_names  TEXT,                 -- comma-separated firing holds, '' when none
  rs_hash     TEXT,                 -- rule set that produced the result
  triaged_at  TEXT                  -- time of the result (UTC)
);

-- The projected facts of each case, kept narrow so that a full triage run
-- reads 600,000 cases quickly. The result in tcase was computed from
-- exactly these facts (same transaction), so fired rules and the facts
-- they read can always be shown.
CREATE TABLE IF NOT EXISTS case_fact (
  case_id INTEGER PRIMARY KEY REFERENCES tcase(id),
  fhash   INTEGER NOT NULL,         -- hash of the facts; overrides lapse when it changes
  rhash   INTEGER NOT NULL,         -- hash of the result, to skip unchanged writes
  as_of   TEXT NOT NULL,            -- day the facts were projected for
  facts   BLOB NOT NULL             -- packed facts (src/triage/facts.h)
);
CREATE INDEX IF NOT EXISTS tcase_anum ON tcase(a_number);
CREATE INDEX IF NOT EXISTS tcase_grp ON tcase(grp, prio);

-- Work items derived from the latest result: regenerated when it changes.
-- status: open (workable now) or held (blocked by the holds in held_by).
CREATE TABLE IF NOT EXISTS task (
  id        INTEGER PRIMARY KEY,
  case_id   INTEGER NOT NULL REFERENCES tcase(id),
  action    TEXT NOT NULL,          -- locate, contact, welfare_check, ...
  phase     INTEGER NOT NULL,       -- phase of the case when generated
  office    TEXT,                   -- field office
  grp       TEXT,                   -- case group (copied for queue filters)
  due       TEXT NOT NULL,          -- YYYY-MM-DD
  status    TEXT NOT NULL,          -- open, held
  held_by   TEXT,                   -- holds blocking it
  prio      INTEGER NOT NULL,       -- case sort key (copied)
  created_at TEXT NOT NULL,
  UNIQUE (case_id, action)
);
CREATE INDEX IF NOT EXISTS task_queue ON task(status, prio DESC);
CREATE INDEX IF NOT EXISTS task_office ON task(office, status, prio DESC);

-- Supervisor overrides: honoured while the case's facts hash is unchanged.
CREATE TABLE IF NOT EXISTS triage_override (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES tcase(id),
  kind       TEXT NOT NULL,         -- group, lift_hold
  value      TEXT NOT NULL,         -- group name or hold name
  reason     TEXT NOT NULL,
  by_user    TEXT NOT NULL,
  created_at TEXT NOT NULL,
  fhash      INTEGER NOT NULL,      -- facts hash when made
  status     TEXT NOT NULL DEFAULT 'active'  -- active, lapsed (facts changed)
);
CREATE INDEX IF NOT EXISTS triage_override_case ON triage_override(case_id, status);

-- Every rule set a run used, by hash, so any result can be explained later.
CREATE TABLE IF NOT EXISTS ruleset (
  hash      TEXT PRIMARY KEY,
  name      TEXT NOT NULL,
  file      TEXT NOT NULL,
  source    TEXT NOT NULL,
  loaded_at TEXT NOT NULL
);

-- Key/value state: active_ruleset, watermark, as_of, offices file.
CREATE TABLE IF NOT EXISTS triage_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per `uctrack triage` run.
CREATE TABLE IF NOT EXISTS triage_run (
  id         INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  rs_hash    TEXT NOT NULL,
  as_of      TEXT NOT NULL,
  cases      INTEGER NOT NULL,
  projected  INTEGER NOT NULL,      -- 1 when facts were re-projected
  changed    INTEGER NOT NULL,      -- results written
  unplaced   INTEGER NOT NULL,      -- records with no A-number and no person
  ms_project REAL, ms_eval REAL, ms_store REAL
);

-- Lookups for projecting one case (triage_person) and current versions;
-- the two orr_placement indexes cover the sponsor and address counts.
CREATE INDEX IF NOT EXISTS cbp_encounter_anum ON cbp_encounter(a_number);
CREATE INDEX IF NOT EXISTS cbp_encounter_skey ON cbp_encounter(skey, rid);
CREATE INDEX IF NOT EXISTS orr_placement_anum ON orr_placement(a_number);
CREATE INDEX IF NOT EXISTS orr_placement_skey ON orr_placement(skey, rid);
CREATE INDEX IF NOT EXISTS orr_placement_sponsor_anum ON orr_placement(sponsor_id, a_number);
CREATE INDEX IF NOT EXISTS orr_placement_zip_skey ON orr_placement(zip, skey, street, unit, a_number);
CREATE INDEX IF NOT EXISTS orr_contact_anum ON orr_contact(a_number);
CREATE INDEX IF NOT EXISTS orr_contact_skey ON orr_contact(skey, rid);
CREATE INDEX IF NOT EXISTS ice_nta_anum ON ice_nta(a_number);
CREATE INDEX IF NOT EXISTS ice_nta_skey ON ice_nta(skey, rid);
CREATE INDEX IF NOT EXISTS ice_removal_anum ON ice_removal(a_number);
CREATE INDEX IF NOT EXISTS ice_removal_skey ON ice_removal(skey, rid);
CREATE INDEX IF NOT EXISTS indicator_anum ON indicator(a_number);
CREATE INDEX IF NOT EXISTS indicator_skey ON indicator(skey, rid);
CREATE INDEX IF NOT EXISTS field_event_anum ON field_event(a_number);
CREATE INDEX IF NOT EXISTS field_event_skey ON field_event(skey, rid);
CREATE INDEX IF NOT EXISTS eoir_case_anum ON eoir_case(a_number);
CREATE INDEX IF NOT EXISTS eoir_case_skey ON eoir_case(skey, rid);
CREATE INDEX IF NOT EXISTS eoir_proceeding_case ON eoir_proceeding(idncase);
CREATE INDEX IF NOT EXISTS eoir_proceeding_skey ON eoir_proceeding(skey, rid);
CREATE INDEX IF NOT EXISTS eoir_hearing_case ON eoir_hearing(idncase);
CREATE INDEX IF NOT EXISTS eoir_hearing_skey ON eoir_hearing(skey, rid);
CREATE INDEX IF NOT EXISTS address_anum ON address(a_number);
CREATE INDEX IF NOT EXISTS claim_anum ON claim(a_number);
CREATE INDEX IF NOT EXISTS person_anum_triage ON person(a_number);
CREATE INDEX IF NOT EXISTS representation_anum ON representation(a_number);
