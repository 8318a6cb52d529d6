-- 006: the read indexes leave the schema.
--
-- The secondary indexes on the feed tables and on the tables derived from
-- them (address, claim, representation) serve readers: linkage, triage,
-- the server, reports, and the importer's own per-row duplicate lookups
-- for small files. Maintaining them while a bulk load appends millions of
-- rows cost about a third of the import (docs/import.md). They are now
-- declared in src/store/read_indexes.sql and created by
-- store_read_indexes(), which store_open() runs on every read-write open
-- except the importer's (STORE_LOAD). A database that already has them
-- keeps them up to date as before; a bulk load into an empty database no
-- longer builds them, the next reader does, once.
DROP INDEX IF EXISTS address_anum;
DROP INDEX IF EXISTS address_src;
DROP INDEX IF EXISTS cbp_encounter_anum;
DROP INDEX IF EXISTS cbp_encounter_skey;
DROP INDEX IF EXISTS claim_anum;
DROP INDEX IF EXISTS claim_src;
DROP INDEX IF EXISTS eoir_case_anum;
DROP INDEX IF EXISTS eoir_case_skey;
DROP INDEX IF EXISTS link_eoir_case_idncase;
DROP INDEX IF EXISTS eoir_hearing_case;
DROP INDEX IF EXISTS eoir_hearing_skey;
DROP INDEX IF EXISTS eoir_juvenile_skey;
DROP INDEX IF EXISTS eoir_proceeding_case;
DROP INDEX IF EXISTS eoir_proceeding_skey;
DROP INDEX IF EXISTS field_event_anum;
DROP INDEX IF EXISTS field_event_skey;
DROP INDEX IF EXISTS ice_nta_anum;
DROP INDEX IF EXISTS ice_nta_skey;
DROP INDEX IF EXISTS ice_removal_anum;
DROP INDEX IF EXISTS ice_removal_skey;
DROP INDEX IF EXISTS indicator_anum;
DROP INDEX IF EXISTS indicator_skey;
DROP INDEX IF EXISTS orr_contact_anum;
DROP INDEX IF EXISTS orr_contact_skey;
DROP INDEX IF EXISTS orr_placement_anum;
DROP INDEX IF EXISTS orr_placement_skey;
DROP INDEX IF EXISTS orr_placement_sponsor_anum;
DROP INDEX IF EXISTS orr_placement_zip_skey;
DROP INDEX IF EXISTS representation_anum;
DROP INDEX IF EXISTS representation_src;
