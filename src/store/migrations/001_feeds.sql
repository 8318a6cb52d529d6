-- 001: provenance and the agencies' source records.
--
-- Every feed table holds immutable source facts, one row per version of a
-- source record. Common columns:
--   rid      row id (the record's id)
--   file_id  import_file it came from; line = line number in that file
--   skey     the feed's source key (e.g. encounter_id, IDNCASE)
--   rhash    64-bit hash of (table, skey, normalised content): importing the
--            same row again is a no-op; a changed row with the same skey gets
--            a new rid, i.e. a new version. The current version of a record
--            is the highest rid for its skey. rhash is unique per table, but
--            the importer (the only writer, holding the write lock) enforces
--            it, not an index: a random-order UNIQUE index made bulk loads
--            several times slower (docs/import.md, "Idempotency").
--   <table>_skey  index on (skey, rid): the versions of one record, newest
--            last; the importer's duplicate check for small files.
-- Dates are ISO-8601 text (YYYY-MM-DD); a_number is 9 digits or NULL.

CREATE TABLE import_file (
  id            INTEGER PRIMARY KEY,
  feed          TEXT NOT NULL,          -- eoir, cbp, orr, ice, events
  tbl           TEXT NOT NULL,          -- feed table, e.g. cbp_encounter
  name          TEXT NOT NULL,          -- path as given on the command line
  sha256        TEXT NOT NULL,          -- hex SHA-256 of the file's bytes
  rows_read     INTEGER NOT NULL DEFAULT 0,
  rows_new      INTEGER NOT NULL DEFAULT 0,
  rows_same     INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  unknown_codes INTEGER NOT NULL DEFAULT 0,
  imported_at   TEXT NOT NULL
);
CREATE INDEX import_file_sha ON import_file(sha256);

-- Codes seen in a feed that its lookup tables do not know: kept in the
-- record, counted here per file so they can be reviewed.
CREATE TABLE unknown_code (
  file_id  INTEGER NOT NULL REFERENCES import_file(id),
  field    TEXT NOT NULL,
  code     TEXT NOT NULL,
  n        INTEGER NOT NULL,
  first_line INTEGER NOT NULL,
  PRIMARY KEY (file_id, field, code)
);

-- EOIR A_TblCase
CREATE TABLE eoir_case (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  idncase INTEGER NOT NULL,
  a_number TEXT, family_name TEXT, given_name TEXT,
  birth_date TEXT, sex TEXT,
  nat_code TEXT, country TEXT, lang_code TEXT, language TEXT,
  city TEXT, state TEXT, zip TEXT,
  upd_city TEXT, upd_state TEXT, upd_zip TEXT, address_changed_on TEXT,
  custody TEXT, case_type TEXT, case_priority TEXT,
  date_of_entry TEXT, atty_nbr TEXT, latest_hearing TEXT, asy_type TEXT
);
CREATE INDEX eoir_case_skey ON eoir_case(skey, rid);

-- EOIR B_TblProceeding: a proceeding and its decision (the order).
CREATE TABLE eoir_proceeding (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  idnproceeding INTEGER NOT NULL, idncase INTEGER NOT NULL,
  osc_date TEXT, input_date TEXT, base_city_code TEXT, hearing_loc_code TEXT,
  hearing_date TEXT, dec_code TEXT, dec_type TEXT, comp_date TEXT,
  absentia TEXT, case_type TEXT, crim_ind TEXT
);
CREATE INDEX eoir_proceeding_skey ON eoir_proceeding(skey, rid);

-- EOIR tbl_schedule: hearings. absent: 1 missed, 0 attended, NULL future or
-- unknown (see docs/formats.md for how attendance is derived).
CREATE TABLE eoir_hearing (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  idnschedule INTEGER NOT NULL, idnproceeding INTEGER, idncase INTEGER NOT NULL,
  adj_date TEXT, cal_type TEXT, adj_medium TEXT, notice_code TEXT,
  schedule_type TEXT, base_city_code TEXT, hearing_loc_code TEXT,
  fta_notice INTEGER NOT NULL DEFAULT 0   -- NOTICE_CODE is a failure-to-appear notice
);
CREATE INDEX eoir_hearing_skey ON eoir_hearing(skey, rid);

-- EOIR tbl_JuvenileHistory
CREATE TABLE eoir_juvenile (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  idnjuvenilehistory INTEGER NOT NULL, idncase INTEGER, idnproceeding INTEGER,
  juvenile_code TEXT, created_on TEXT, modified_on TEXT
);
CREATE INDEX eoir_juvenile_skey ON eoir_juvenile(skey, rid);

-- CBP encounters
CREATE TABLE cbp_encounter (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  a_number TEXT, family_name TEXT, given_name TEXT, birth_date TEXT, sex TEXT,
  country TEXT, language TEXT, encounter_date TEXT, sector TEXT, place TEXT,
  uac TEXT, tvpra_screening TEXT
);
CREATE INDEX cbp_encounter_skey ON cbp_encounter(skey, rid);

-- ORR placements, releases, sponsors and release addresses
CREATE TABLE orr_placement (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  a_number TEXT, family_name TEXT, given_name TEXT, birth_date TEXT, sex TEXT,
  country TEXT, facility TEXT, admitted_date TEXT, released_date TEXT,
  discharge TEXT, sponsor_id TEXT, sponsor_family_name TEXT,
  sponsor_given_name TEXT, sponsor_relationship TEXT, sponsor_category TEXT,
  street TEXT, unit TEXT, city TEXT, state TEXT, zip TEXT,
  address_status TEXT NOT NULL, sponsor_phone TEXT
);
CREATE INDEX orr_placement_skey ON orr_placement(skey, rid);

-- ORR post-release contacts
CREATE TABLE orr_contact (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  placement_id TEXT, a_number TEXT, contact_date TEXT, method TEXT, result TEXT
);
CREATE INDEX orr_contact_skey ON orr_contact(skey, rid);

-- ICE notices to appear
CREATE TABLE ice_nta (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  a_number TEXT, family_name TEXT, given_name TEXT, birth_date TEXT,
  issued_date TEXT, served_date TEXT, service_method TEXT,
  street TEXT, unit TEXT, city TEXT, state TEXT, zip TEXT,
  filed_date TEXT, base_city_code TEXT
);
CREATE INDEX ice_nta_skey ON ice_nta(skey, rid);

-- ICE removal-order actions
CREATE TABLE ice_removal (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  a_number TEXT, action TEXT, action_date TEXT, idncase INTEGER
);
CREATE INDEX ice_removal_skey ON ice_removal(skey, rid);

-- Indicators (public safety, border security, trafficking), with source
CREATE TABLE indicator (
  rid INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  a_number TEXT, category TEXT NOT NULL, code TEXT NOT NULL, source TEXT,
  authorised INTEGER NOT NULL, observed_date TEXT, note TEXT
);
CREATE INDEX indicator_skey ON indicator(skey, rid);

-- Field events (JSON Lines feed and, later, the API). body is the event
-- object as received (canonical JSON). file_id is NULL for API events.
CREATE TABLE field_event (
  rid INTEGER PRIMARY KEY, file_id INTEGER, line INTEGER,
  skey TEXT NOT NULL, rhash INTEGER NOT NULL,
  a_number TEXT, type TEXT NOT NULL, occurred_at TEXT NOT NULL,
  recorded_by TEXT, body TEXT NOT NULL
);
CREATE INDEX field_event_skey ON field_event(skey, rid);

-- Derived tables (address, claim, representation): at most one row per
-- (src_tbl, src_rid). The importer adds them only for a source row it has
-- just inserted (a new rid), so no UNIQUE index enforces it; readers select
-- them by a_number (indexes in 002/003).

-- Address history, derived on import from every feed that carries an
-- address (ORR release address, EOIR case address, ICE service address,
-- address_update events). status: verified, unverified, undeliverable,
-- blank, missing_unit.
CREATE TABLE address (
  id INTEGER PRIMARY KEY,
  src_tbl TEXT NOT NULL, src_rid INTEGER NOT NULL,
  a_number TEXT, street TEXT, unit TEXT, city TEXT, state TEXT, zip TEXT,
  status TEXT NOT NULL, as_of TEXT
);

-- Protection claims (asylum, SIJS, T, U): from claim events and EOIR.
CREATE TABLE claim (
  id INTEGER PRIMARY KEY,
  src_tbl TEXT NOT NULL, src_rid INTEGER NOT NULL,
  a_number TEXT, claim_type TEXT NOT NULL, status TEXT NOT NULL,
  on_date TEXT
);

-- Legal representation and orientation: from events and EOIR ATTY_NBR.
CREATE TABLE representation (
  id INTEGER PRIMARY KEY,
  src_tbl TEXT NOT NULL, src_rid INTEGER NOT NULL,
  a_number TEXT, provider TEXT, kind TEXT NOT NULL,  -- counsel, orientation
  status TEXT NOT NULL, on_date TEXT                  -- started, ended, given
);

-- Persons (children) and sponsors: filled by linkage (uctrack link).
CREATE TABLE person (
  id INTEGER PRIMARY KEY,
  a_number TEXT,             -- best A-number of the cluster, if any
  created_at TEXT NOT NULL
);
CREATE TABLE person_record (
  src_tbl TEXT NOT NULL, src_rid INTEGER NOT NULL,
  person_id INTEGER NOT NULL REFERENCES person(id),
  method TEXT NOT NULL, score REAL,
  PRIMARY KEY (src_tbl, src_rid)
);
CREATE INDEX person_record_person ON person_record(person_id);
CREATE TABLE sponsor (
  id INTEGER PRIMARY KEY,
  orr_sponsor_id TEXT,
  created_at TEXT NOT NULL
);
