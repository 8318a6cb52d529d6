-- 002: linkage (src/link, `uctrack link`). See docs/linkage.md.
--
-- A record is named by (table, rid) of its source row. person and
-- person_record (001) hold one row per child and per identity-bearing
-- record (cbp_encounter, orr_placement, eoir_case, ice_nta, every
-- version); records that carry only an A-number or an IDNCASE reach their
-- person through person_anumber / person_idncase (view record_person).

-- One row per `uctrack link` run.
CREATE TABLE link_run (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,             -- full, incremental
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  records     INTEGER NOT NULL DEFAULT 0, -- identity records considered
  new_records INTEGER NOT NULL DEFAULT 0, -- records without a person before
  pairs       INTEGER NOT NULL DEFAULT 0, -- candidate pairs compared
  links       INTEGER NOT NULL DEFAULT 0, -- pairs at or above the match threshold
  review      INTEGER NOT NULL DEFAULT 0, -- pairs queued for review
  conflicts   INTEGER NOT NULL DEFAULT 0, -- links refused: different A-numbers
  persons     INTEGER NOT NULL DEFAULT 0, -- persons after the run
  sponsors    INTEGER NOT NULL DEFAULT 0, -- sponsors after the run
  p           REAL,                        -- EM: share of matches among pairs
  em_iter     INTEGER                      -- EM iterations
);

-- The fitted match model (m and u per field and level) of a full run;
-- incremental runs score with the latest one. model: child or sponsor.
CREATE TABLE link_model (
  run_id INTEGER NOT NULL REFERENCES link_run(id),
  model  TEXT NOT NULL,
  field  TEXT NOT NULL,
  level  INTEGER NOT NULL,
  m      REAL NOT NULL,
  u      REAL NOT NULL,
  PRIMARY KEY (run_id, model, field, level)
);

-- Highest rid linked per source table: incremental runs take rid > max_rid.
CREATE TABLE link_watermark (
  tbl     TEXT PRIMARY KEY,
  max_rid INTEGER NOT NULL
);

-- Blocking index for incremental runs: bucket b (top 16 bits of a 40-bit
-- key hash) holds sorted 64-bit entries (low 24 hash bits << 40 | record
-- key), host byte order. A cache: --full rebuilds it.
CREATE TABLE link_bucket (
  b INTEGER PRIMARY KEY,
  v BLOB NOT NULL
);

-- Pairs: the link that put a record in its person (status link), pairs
-- between the thresholds or refused by the A-number rule (review), and
-- their decisions (accepted, rejected). vector is the comparison vector,
-- e.g. "anum=exact fam=subset giv=exact dob=fom sex=agree ctry=- lang=-".
CREATE TABLE link_pair (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL REFERENCES link_run(id),
  a_tbl     TEXT NOT NULL, a_rid INTEGER NOT NULL,
  b_tbl     TEXT NOT NULL, b_rid INTEGER NOT NULL,
  method    TEXT NOT NULL,  -- fs, fs+anum_typo, same_key, decision
  score     REAL,           -- match weight, log2(m/u) summed
  posterior REAL,           -- P(match | vector)
  vector    TEXT NOT NULL,
  status    TEXT NOT NULL,  -- link, review, conflict (a link refused by the
                            -- A-number rule and not worth review), accepted, rejected
  reason    TEXT            -- why review or conflict: threshold, anumber, bridge
);
CREATE INDEX link_pair_status ON link_pair(status, posterior);

-- Reviewers' and analysts' decisions; replayed by every run, newest last.
CREATE TABLE link_decision (
  id        INTEGER PRIMARY KEY,
  kind      TEXT NOT NULL,     -- accept, reject, merge, split
  pair_id   INTEGER,           -- accept/reject: the link_pair
  person_a  INTEGER,           -- merge: kept person; split: person split
  person_b  INTEGER,           -- merge: merged person; split: new person
  reason    TEXT,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL
);
-- The record pairs a decision forces together (link) or apart (nolink).
CREATE TABLE link_decision_pair (
  decision_id INTEGER NOT NULL REFERENCES link_decision(id),
  a_tbl TEXT NOT NULL, a_rid INTEGER NOT NULL,
  b_tbl TEXT NOT NULL, b_rid INTEGER NOT NULL,
  effect TEXT NOT NULL        -- link, nolink
);

-- A person merged into another keeps pointing at it.
CREATE TABLE person_merged (
  old_id INTEGER PRIMARY KEY,
  new_id INTEGER NOT NULL
);

-- Every valid A-number / EOIR case number on a person's identity records.
CREATE TABLE person_anumber (
  a_number  TEXT PRIMARY KEY,
  person_id INTEGER NOT NULL
);
CREATE INDEX person_anumber_person ON person_anumber(person_id);
CREATE TABLE person_idncase (
  idncase   INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL
);

-- Normalised name keys for search (GET /api/v1/cases?q=): one row per
-- distinct token of a person's family names (kind family) and given names
-- (given), and per phonetic key of a family token (phon); queries are
-- normalised with link_norm_query() (link.h).
CREATE TABLE person_key (
  key       TEXT NOT NULL,
  kind      TEXT NOT NULL,
  person_id INTEGER NOT NULL,
  PRIMARY KEY (key, kind, person_id)
) WITHOUT ROWID;

-- Sponsor identities: which ORR placement's sponsor is which sponsor.
CREATE TABLE sponsor_record (
  src_rid    INTEGER PRIMARY KEY,   -- orr_placement.rid
  sponsor_id INTEGER NOT NULL REFERENCES sponsor(id),
  method     TEXT NOT NULL,         -- sponsor_id, fs, single
  score      REAL,
  address_key TEXT                  -- normalised release address, NULL if blank
);
CREATE INDEX sponsor_record_sponsor ON sponsor_record(sponsor_id);
CREATE INDEX sponsor_record_addr ON sponsor_record(address_key);

-- Case facts for triage: a sponsor or an address linked to children of
-- several unrelated families (children whose surnames share no token).
CREATE TABLE link_flag (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,      -- sponsor_many_children, address_many_children
  sponsor_id INTEGER,            -- sponsor flags
  address_key TEXT,              -- address flags
  children   INTEGER NOT NULL,   -- distinct children
  families   INTEGER NOT NULL,   -- unrelated families among them
  first_date TEXT,               -- earliest release to it
  last_date  TEXT,               -- latest release to it
  run_id     INTEGER NOT NULL
);
CREATE TABLE link_flag_child (
  flag_id   INTEGER NOT NULL REFERENCES link_flag(id),
  person_id INTEGER NOT NULL,
  released_date TEXT,
  PRIMARY KEY (flag_id, person_id)
);
CREATE INDEX link_flag_child_person ON link_flag_child(person_id);
CREATE INDEX link_flag_sponsor ON link_flag(sponsor_id);
CREATE INDEX link_flag_address ON link_flag(address_key);

CREATE INDEX link_eoir_case_idncase ON eoir_case(idncase);
-- A-number lookups (the A-number rule asks whether a number also appears
-- on contacts, events, removals, indicators). Same names and definitions
-- as triage's, so whichever migration runs first creates them.
CREATE INDEX IF NOT EXISTS orr_contact_anum ON orr_contact(a_number);
CREATE INDEX IF NOT EXISTS field_event_anum ON field_event(a_number);
CREATE INDEX IF NOT EXISTS ice_removal_anum ON ice_removal(a_number);
CREATE INDEX IF NOT EXISTS indicator_anum ON indicator(a_number);
CREATE INDEX link_sponsor_orr ON sponsor(orr_sponsor_id);

-- Every record that belongs to a child, with how it got there.
CREATE VIEW record_person AS
SELECT src_tbl, src_rid, person_id, method FROM person_record
UNION ALL
SELECT 'orr_contact', c.rid, COALESCE(
  (SELECT pr.person_id FROM orr_placement p JOIN person_record pr
     ON pr.src_tbl = 'orr_placement' AND pr.src_rid = p.rid
   WHERE p.skey = c.placement_id LIMIT 1),
  (SELECT person_id FROM person_anumber WHERE a_number = c.a_number)),
  'placement' FROM orr_contact c
UNION ALL
SELECT 'ice_removal', r.rid, COALESCE(
  (SELECT person_id FROM person_anumber WHERE a_number = r.a_number),
  (SELECT person_id FROM person_idncase WHERE idncase = r.idncase)),
  'a_number' FROM ice_removal r
UNION ALL
SELECT 'indicator', i.rid,
  (SELECT person_id FROM person_anumber WHERE a_number = i.a_number),
  'a_number' FROM indicator i
UNION ALL
SELECT 'field_event', e.rid,
  (SELECT person_id FROM person_anumber WHERE a_number = e.a_number),
  'a_number' FROM field_event e
UNION ALL
SELECT 'eoir_proceeding', x.rid,
  (SELECT person_id FROM person_idncase WHERE idncase = x.idncase),
  'idncase' FROM eoir_proceeding x
UNION ALL
SELECT 'eoir_hearing', x.rid,
  (SELECT person_id FROM person_idncase WHERE idncase = x.idncase),
  'idncase' FROM eoir_hearing x
UNION ALL
SELECT 'eoir_juvenile', x.rid,
  (SELECT person_id FROM person_idncase WHERE idncase = x.idncase),
  'idncase' FROM eoir_juvenile x;
