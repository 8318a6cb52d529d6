-- Read indexes: secondary indexes on the feed tables (001) and on the
-- tables derived from them (address, claim, representation). Not part of
-- the migrations (006 dropped them from the schema): store_read_indexes()
-- creates those that are missing, on every read-write open except the
-- importer's (STORE_LOAD), so a bulk load into an empty database appends
-- rows without maintaining them and the first reader builds them once.
-- The importer creates a table's (skey, rid) index itself when it needs
-- per-row duplicate lookups (a small file into a big table).
-- Each statement must be CREATE INDEX IF NOT EXISTS, one per line.
--
-- who reads them: *_skey versions of one record (importer, linkage,
-- triage "current version"); *_anum every reader by A-number (triage facts,
-- case view, linkage increments); *_case EOIR rows of a case (and the removals and juvenile history
-- of a case, which an incremental link run links again by IDNCASE); *_src the
-- derived rows of one source row (case view); *_birth search by birth
-- date; orr_placement_sponsor_anum
-- and orr_placement_zip_skey sponsor and shared-address flags.
CREATE INDEX IF NOT EXISTS address_anum ON address(a_number);
CREATE INDEX IF NOT EXISTS address_src ON address(src_tbl, src_rid);
CREATE INDEX IF NOT EXISTS cbp_encounter_anum ON cbp_encounter(a_number);
CREATE INDEX IF NOT EXISTS cbp_encounter_birth ON cbp_encounter(birth_date, a_number);
CREATE INDEX IF NOT EXISTS cbp_encounter_skey ON cbp_encounter(skey, rid);
CREATE INDEX IF NOT EXISTS claim_anum ON claim(a_number);
CREATE INDEX IF NOT EXISTS claim_src ON claim(src_tbl, src_rid);
CREATE INDEX IF NOT EXISTS eoir_case_anum ON eoir_case(a_number);
CREATE INDEX IF NOT EXISTS eoir_case_skey ON eoir_case(skey, rid);
CREATE INDEX IF NOT EXISTS link_eoir_case_idncase ON eoir_case(idncase);
CREATE INDEX IF NOT EXISTS eoir_hearing_case ON eoir_hearing(idncase);
CREATE INDEX IF NOT EXISTS eoir_hearing_skey ON eoir_hearing(skey, rid);
CREATE INDEX IF NOT EXISTS eoir_juvenile_case ON eoir_juvenile(idncase);
CREATE INDEX IF NOT EXISTS eoir_juvenile_skey ON eoir_juvenile(skey, rid);
CREATE INDEX IF NOT EXISTS eoir_proceeding_case ON eoir_proceeding(idncase);
CREATE INDEX IF NOT EXISTS eoir_proceeding_skey ON eoir_proceeding(skey, rid);
CREATE INDEX IF NOT EXISTS field_event_anum ON field_event(a_number);
CREATE INDEX IF NOT EXISTS field_event_skey ON field_event(skey, rid);
CREATE INDEX IF NOT EXISTS ice_nta_anum ON ice_nta(a_number);
CREATE INDEX IF NOT EXISTS ice_nta_skey ON ice_nta(skey, rid);
CREATE INDEX IF NOT EXISTS ice_removal_anum ON ice_removal(a_number);
CREATE INDEX IF NOT EXISTS ice_removal_case ON ice_removal(idncase);
CREATE INDEX IF NOT EXISTS ice_removal_skey ON ice_removal(skey, rid);
CREATE INDEX IF NOT EXISTS indicator_anum ON indicator(a_number);
CREATE INDEX IF NOT EXISTS indicator_skey ON indicator(skey, rid);
CREATE INDEX IF NOT EXISTS orr_contact_anum ON orr_contact(a_number);
CREATE INDEX IF NOT EXISTS orr_contact_placement ON orr_contact(placement_id);
CREATE INDEX IF NOT EXISTS orr_contact_skey ON orr_contact(skey, rid);
CREATE INDEX IF NOT EXISTS orr_placement_anum ON orr_placement(a_number);
CREATE INDEX IF NOT EXISTS orr_placement_birth ON orr_placement(birth_date, a_number);
CREATE INDEX IF NOT EXISTS orr_placement_skey ON orr_placement(skey, rid);
CREATE INDEX IF NOT EXISTS orr_placement_sponsor_anum ON orr_placement(sponsor_id, a_number);
CREATE INDEX IF NOT EXISTS orr_placement_zip_skey ON orr_placement(zip, skey, street, unit, a_number);
CREATE INDEX IF NOT EXISTS representation_anum ON representation(a_number);
CREATE INDEX IF NOT EXISTS representation_src ON representation(src_tbl, src_rid);
CREATE INDEX IF NOT EXISTS representation_provider ON representation(provider, kind, a_number);
