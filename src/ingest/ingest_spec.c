/*
 * ingest_spec.c - the feed tables of docs/formats.md as data.
 */
#include "ingest/ingest_spec.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const SEX[] = {"M", "F", "U", NULL};
static const char *const YN[] = {"Y", "N", NULL};
/* EOIR Sex: M, F, and rarely N and U in the real files. */
static const char *const EOIR_SEX[] = {"M", "F", "N", "U", NULL};
static const char *const TVPRA[] = {"pending", "may_return", "referred_orr", NULL};
static const char *const DISCHARGE[] = {"sponsor", "aged_out", "repatriated",
					"runaway", "in_care",  NULL};
static const char *const RELATIONSHIP[] = {
    "parent", "legal_guardian", "sibling",	 "aunt_uncle", "grandparent",
    "cousin", "other_relative", "family_friend", "unrelated",  NULL};
static const char *const CATEGORY[] = {"1", "2A", "2B", "3", "4", NULL};
static const char *const METHOD_ORR[] = {"phone", "home_visit", NULL};
static const char *const RESULT_ORR[] = {
    "reached_safe",   "reached_concern", "no_answer", "wrong_number",
    "not_at_address", "sponsor_refused", NULL};
static const char *const SERVICE[] = {"personal", "mail", "certified_mail", "custody", NULL};
static const char *const ACTION[] = {"order_received", "stay_granted", "removal_executed",
				     "order_rescinded", NULL};
static const char *const IND_CAT[] = {"public_safety", "border_security", "trafficking", NULL};
static const char *const IND_CODE[] = {
    "criminal_charge",	  "criminal_conviction", "gang_affiliation",
    "repeat_encounter",	  "document_fraud",	 "smuggling",
    "trafficking_victim", "exploitation",	 NULL};
static const char *const IND_SRC[] = {"NCIC", "EOIR", "CBP",	 "ICE_ERO",
				      "HSI",  "ORR",  "TIPLINE", NULL};

static const struct col_spec cbp_cols[] = {
    {"encounter_id", NULL, T_KEY, NULL, NULL, 0, 0},
    {"a_number", NULL, T_ANUM, NULL, NULL, 0, 0},
    {"family_name", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"given_name", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"birth_date", NULL, T_DATE, NULL, NULL, 0, 0},
    {"sex", NULL, T_ENUM_REQ, SEX, NULL, 0, 0},
    {"country", NULL, T_COUNTRY, NULL, NULL, 0, 0},
    {"language", NULL, T_LANG, NULL, NULL, 0, 0},
    {"encounter_date", NULL, T_DATE_REQ, NULL, NULL, 0, 0},
    {"sector", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"place", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"uac", NULL, T_ENUM_REQ, YN, NULL, 0, 0},
    {"tvpra_screening", NULL, T_ENUM, TVPRA, NULL, 0, 0},
};

static const struct col_spec orr_pl_cols[] = {
    {"placement_id", NULL, T_KEY, NULL, NULL, 0, 0},
    {"a_number", NULL, T_ANUM, NULL, NULL, 0, 0},
    {"family_name", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"given_name", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"birth_date", NULL, T_DATE, NULL, NULL, 0, 0},
    {"sex", NULL, T_ENUM_REQ, SEX, NULL, 0, 0},
    {"country", NULL, T_COUNTRY, NULL, NULL, 0, 0},
    {"facility", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"admitted_date", NULL, T_DATE, NULL, NULL, 0, 0},
    {"released_date", NULL, T_DATE, NULL, NULL, 0, 0},
    {"discharge", NULL, T_ENUM_REQ, DISCHARGE, NULL, 0, 0},
    {"sponsor_id", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"sponsor_family_name", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"sponsor_given_name", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"sponsor_relationship", NULL, T_ENUM, RELATIONSHIP, NULL, 0, 0},
    {"sponsor_category", NULL, T_ENUM_REQ, CATEGORY, NULL, 0, 0},
    {"address_street", "street", T_TEXT, NULL, NULL, 0, 0},
    {"address_unit", "unit", T_TEXT, NULL, NULL, 0, 0},
    {"address_city", "city", T_TEXT, NULL, NULL, 0, 0},
    {"address_state", "state", T_TEXT, NULL, NULL, 0, 0},
    {"address_zip", "zip", T_TEXT, NULL, NULL, 0, 0},
    {"sponsor_phone", NULL, T_TEXT, NULL, NULL, 0, 0},
};

static const struct col_spec orr_pr_cols[] = {
    {"contact_id", NULL, T_KEY, NULL, NULL, 0, 0},
    {"placement_id", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"a_number", NULL, T_ANUM, NULL, NULL, 0, 0},
    {"contact_date", NULL, T_DATE_REQ, NULL, NULL, 0, 0},
    {"method", NULL, T_ENUM_REQ, METHOD_ORR, NULL, 0, 0},
    {"result", NULL, T_ENUM_REQ, RESULT_ORR, NULL, 0, 0},
};

static const struct col_spec ice_nta_cols[] = {
    {"nta_id", NULL, T_KEY, NULL, NULL, 0, 0},
    {"a_number", NULL, T_ANUM_REQ, NULL, NULL, 0, 0},
    {"family_name", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"given_name", NULL, T_TEXT, NULL, NULL, 0, 0},
    {"birth_date", NULL, T_DATE, NULL, NULL, 0, 0},
    {"issued_date", NULL, T_DATE_REQ, NULL, NULL, 0, 0},
    {"served_date", NULL, T_DATE, NULL, NULL, 0, 0},
    {"service_method", NULL, T_ENUM, SERVICE, NULL, 0, 0},
    {"served_street", "street", T_TEXT, NULL, NULL, 0, 0},
    {"served_unit", "unit", T_TEXT, NULL, NULL, 0, 0},
    {"served_city", "city", T_TEXT, NULL, NULL, 0, 0},
    {"served_state", "state", T_TEXT, NULL, NULL, 0, 0},
    {"served_zip", "zip", T_TEXT, NULL, NULL, 0, 0},
    {"filed_date", NULL, T_DATE, NULL, NULL, 0, 0},
    {"base_city_code", NULL, T_TEXT, NULL, NULL, 0, 0},
};

static const struct col_spec ice_rm_cols[] = {
    {"action_id", NULL, T_KEY, NULL, NULL, 0, 0},
    {"a_number", NULL, T_ANUM_REQ, NULL, NULL, 0, 0},
    {"action", NULL, T_ENUM_REQ, ACTION, NULL, 0, 0},
    {"action_date", NULL, T_DATE_REQ, NULL, NULL, 0, 0},
    {"idncase", NULL, T_INT, NULL, NULL, 0, 0},
};

static const struct col_spec ice_ind_cols[] = {
    {"indicator_id", NULL, T_KEY, NULL, NULL, 0, 0},
    {"a_number", NULL, T_ANUM_REQ, NULL, NULL, 0, 0},
    {"category", NULL, T_ENUM_REQ, IND_CAT, NULL, 0, 0},
    {"code", NULL, T_ENUM_REQ, IND_CODE, NULL, 0, 0},
    {"source", NULL, T_ENUM_REQ, IND_SRC, NULL, 0, 0},
    {"authorised", NULL, T_YN_INT, NULL, NULL, 0, 0},
    {"observed_date", NULL, T_DATE, NULL, NULL, 0, 0},
    {"note", NULL, T_TEXT, NULL, NULL, 0, 0},
};

static const struct col_spec eoir_case_cols[] = {
    {"IDNCASE", "idncase", T_IKEY, NULL, NULL, 0, 0},
    {"ALIEN_NBR", "a_number", T_ANUM, NULL, NULL, 1, 0},
    {"LAST_NAME", "family_name", T_TEXT, NULL, NULL, 1, 1},
    {"FIRST_NAME", "given_name", T_TEXT, NULL, NULL, 1, 1},
    {"C_BIRTHDATE", "birth_date", T_DATE, NULL, NULL, 0, 0},
    {"Sex", "sex", T_ENUM, EOIR_SEX, NULL, 0, 0},
    {"NAT", "nat_code", T_CODE, NULL, "tblLookupAlienNat", 0, 0},
    {"LANG", "lang_code", T_CODE, NULL, "tblLanguage", 0, 0},
    {"ALIEN_CITY", "city", T_TEXT, NULL, NULL, 0, 1},
    {"ALIEN_STATE", "state", T_STATE, NULL, NULL, 0, 0},
    {"ALIEN_ZIPCODE", "zip", T_ZIP, NULL, NULL, 0, 0},
    {"UPDATED_CITY", "upd_city", T_TEXT, NULL, NULL, 0, 1},
    {"UPDATED_STATE", "upd_state", T_STATE, NULL, NULL, 0, 0},
    {"UPDATED_ZIPCODE", "upd_zip", T_ZIP, NULL, NULL, 0, 0},
    {"ADDRESS_CHANGEDON", "address_changed_on", T_DATE, NULL, NULL, 0, 0},
    {"CUSTODY", "custody", T_CODE, NULL, "tblLookupCustodyStatus", 0, 0},
    {"CASE_TYPE", "case_type", T_CODE, NULL, "tblLookupCaseType", 0, 0},
    {"CASEPRIORITY_CODE", "case_priority", T_CODE, NULL, "tblLookup_CasePriority", 0, 0},
    {"DATE_OF_ENTRY", "date_of_entry", T_DATE, NULL, NULL, 0, 0},
    {"ATTY_NBR", "atty_nbr", T_TEXT, NULL, NULL, 0, 0},
    {"LATEST_HEARING", "latest_hearing", T_DATE, NULL, NULL, 0, 0},
    {"C_ASY_TYPE", "asy_type", T_TEXT, NULL, NULL, 0, 0},
};

static const struct col_spec eoir_proc_cols[] = {
    {"IDNPROCEEDING", "idnproceeding", T_IKEY, NULL, NULL, 0, 0},
    {"IDNCASE", "idncase", T_INT_REQ, NULL, NULL, 0, 0},
    {"OSC_DATE", "osc_date", T_DATE, NULL, NULL, 0, 0},
    {"INPUT_DATE", "input_date", T_DATE, NULL, NULL, 0, 0},
    {"BASE_CITY_CODE", "base_city_code", T_CODE, NULL, "tblLookupBaseCity", 0, 0},
    {"HEARING_LOC_CODE", "hearing_loc_code", T_CODE, NULL, "tblLookupHloc", 0, 0},
    {"HEARING_DATE", "hearing_date", T_DATE, NULL, NULL, 0, 0},
    {"DEC_CODE", "dec_code", T_CODE, NULL, "tblLookupCourtDecision", 0, 0},
    {"DEC_TYPE", "dec_type", T_TEXT, NULL, NULL, 0, 0},
    {"COMP_DATE", "comp_date", T_DATE, NULL, NULL, 0, 0},
    {"ABSENTIA", "absentia", T_ABSENTIA, NULL, NULL, 0, 0},
    {"CASE_TYPE", "case_type", T_CODE, NULL, "tblLookupCaseType", 0, 0},
    {"CRIM_IND", "crim_ind", T_TEXT, NULL, NULL, 0, 0},
};

static const struct col_spec eoir_sched_cols[] = {
    {"IDNSCHEDULE", "idnschedule", T_IKEY, NULL, NULL, 0, 0},
    {"IDNPROCEEDING", "idnproceeding", T_INT, NULL, NULL, 0, 0},
    {"IDNCASE", "idncase", T_INT_REQ, NULL, NULL, 0, 0},
    {"ADJ_DATE", "adj_date", T_DATE, NULL, NULL, 0, 0},
    {"CAL_TYPE", "cal_type", T_CODE, NULL, "tbllookupCal_Type", 0, 0},
    {"ADJ_MEDIUM", "adj_medium", T_TEXT, NULL, NULL, 0, 0},
    {"NOTICE_CODE", "notice_code", T_CODE, NULL, "tblLookupNOTICE", 0, 0},
    {"SCHEDULE_TYPE", "schedule_type", T_CODE, NULL, "tbllookupSchedule_Type", 0, 0},
    {"BASE_CITY_CODE", "base_city_code", T_CODE, NULL, "tblLookupBaseCity", 0, 0},
    {"HEARING_LOC_CODE", "hearing_loc_code", T_CODE, NULL, "tblLookupHloc", 0, 0},
};

static const struct col_spec eoir_juv_cols[] = {
    {"idnJuvenileHistory", "idnjuvenilehistory", T_IKEY, NULL, NULL, 0, 0},
    {"idnCase", "idncase", T_INT, NULL, NULL, 0, 0},
    {"idnProceeding", "idnproceeding", T_INT, NULL, NULL, 0, 0},
    {"idnJuvenile", "juvenile_code", T_JUV, NULL, "tblLookup_Juvenile", 0, 0},
    {"DATCREATEDON", "created_on", T_DATE, NULL, NULL, 0, 0},
    {"DATMODIFIEDON", "modified_on", T_DATE, NULL, NULL, 0, 0},
};

const struct table_spec ingest_tables[] = {
    {"eoir",
     "eoir_case",
     "EOIR A_TblCase",
     "A_TblCase",
     0,
     eoir_case_cols,
     N(eoir_case_cols),
     {"country", "language", NULL},
     {X_EOIR_COUNTRY, X_EOIR_LANGUAGE, X_NONE}},
    {"eoir",
     "eoir_proceeding",
     "EOIR B_TblProceeding",
     "B_TblProceeding",
     1,
     eoir_proc_cols,
     N(eoir_proc_cols),
     {NULL},
     {X_NONE}},
    {"eoir",
     "eoir_hearing",
     "EOIR tbl_schedule",
     "tbl_schedule",
     2,
     eoir_sched_cols,
     N(eoir_sched_cols),
     {"fta_notice", NULL},
     {X_FTA_NOTICE, X_NONE}},
    {"eoir",
     "eoir_juvenile",
     "EOIR tbl_JuvenileHistory",
     "tbl_JuvenileHistory",
     3,
     eoir_juv_cols,
     N(eoir_juv_cols),
     {NULL},
     {X_NONE}},
    {"cbp",
     "cbp_encounter",
     "CBP encounters",
     "encounters.csv",
     0,
     cbp_cols,
     N(cbp_cols),
     {NULL},
     {X_NONE}},
    {"orr",
     "orr_placement",
     "ORR placements",
     "placements.csv",
     0,
     orr_pl_cols,
     N(orr_pl_cols),
     {"address_status", NULL},
     {X_ADDRESS_STATUS, X_NONE}},
    {"orr",
     "orr_contact",
     "ORR post-release contacts",
     "post_release.csv",
     1,
     orr_pr_cols,
     N(orr_pr_cols),
     {NULL},
     {X_NONE}},
    {"ice",
     "ice_nta",
     "ICE notices to appear",
     "nta.csv",
     0,
     ice_nta_cols,
     N(ice_nta_cols),
     {NULL},
     {X_NONE}},
    {"ice",
     "ice_removal",
     "ICE removal actions",
     "removals.csv",
     1,
     ice_rm_cols,
     N(ice_rm_cols),
     {NULL},
     {X_NONE}},
    {"ice",
     "indicator",
     "ICE indicators",
     "indicators.csv",
     2,
     ice_ind_cols,
     N(ice_ind_cols),
     {NULL},
     {X_NONE}},
};
const int ingest_ntables = N(ingest_tables);

static const char *const CA_METHOD[] = {"phone", "home_visit", "mail", NULL};
static const char *const CA_OUTCOME[] = {
    "reached", "no_answer", "not_at_address", "moved", "refused", "wrong_number", NULL};
static const char *const WC_OUTCOME[] = {"safe", "concern", "not_seen", NULL};
static const char *const TS_RESULT[] = {"no_indicators", "indicators_found", "declined", NULL};
static const char *const REF_TO[] = {"legal_provider", "hsi", "cps", "hhs", NULL};
static const char *const ADDR_STATUS[] = {"verified", "unverified", "undeliverable", NULL};
static const char *const REP_STATUS[] = {"started", "ended", NULL};
static const char *const CLAIM_TYPE[] = {"asylum", "sijs", "t_visa", "u_visa", NULL};
static const char *const CLAIM_STATUS[] = {"filed", "granted", "denied", "withdrawn", NULL};
/* The task actions of the triage rule set (src/triage/facts.c). */
static const char *const TASK_ACTION[] = {
    "locate",	 "contact",   "welfare_check", "legal_referral", "serve_nta", "file_nta",
    "refer_hsi", "refer_cps", "refer_hhs",     "removal",	 "close",     NULL};
static const char *const TASK_OUTCOME[] = {"done", "not_possible", NULL};
static const char *const MTR_STATUS[] = {"filed", "granted", "denied", NULL};
static const char *const MTR_GROUND[] = {"exceptional_circumstances", "lack_of_notice", NULL};

const struct event_type ingest_event_types[] = {
    {"contact_attempt", {{"method", CA_METHOD, 1}, {"outcome", CA_OUTCOME, 1}, {NULL, NULL, 0}}},
    {"welfare_check", {{"outcome", WC_OUTCOME, 1}, {"note", NULL, 0}, {NULL, NULL, 0}}},
    {"trafficking_screening", {{"result", TS_RESULT, 1}, {"note", NULL, 0}, {NULL, NULL, 0}}},
    {"referral", {{"to", REF_TO, 1}, {"reason", NULL, 0}, {NULL, NULL, 0}}},
    {"address_update",
     {{"street", NULL, 0},
      {"unit", NULL, 0},
      {"city", NULL, 0},
      {"state", NULL, 0},
      {"zip", NULL, 0},
      {"status", ADDR_STATUS, 1},
      {NULL, NULL, 0}}},
    {"representation", {{"provider", NULL, 1}, {"status", REP_STATUS, 1}, {NULL, NULL, 0}}},
    {"orientation", {{"provider", NULL, 1}, {NULL, NULL, 0}}},
    {"claim", {{"claim_type", CLAIM_TYPE, 1}, {"status", CLAIM_STATUS, 1}, {NULL, NULL, 0}}},
    {"motion_to_reopen", {{"status", MTR_STATUS, 1}, {"ground", MTR_GROUND, 0}, {NULL, NULL, 0}}},
    {"task_outcome",
     {{"action", TASK_ACTION, 1},
      {"outcome", TASK_OUTCOME, 1},
      {"reason", NULL, 0},
      {NULL, NULL, 0}}},
};
const int ingest_nevent_types = N(ingest_event_types);
