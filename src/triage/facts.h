#ifndef UC_FACTS_H
#define UC_FACTS_H
/*
 * facts.h - the case facts triage rules read: their catalog (names, types,
 * vocabularies, meaning), the action vocabulary holds block and tasks
 * create, and a compact byte encoding for storing a case's facts.
 *
 * Every fact is documented in docs/rules.md ("Facts"); the `doc` strings
 * here are the one-line versions `uctrack rules facts` prints. Projection
 * (how facts are computed from the feed tables) lives in project.h.
 *
 * Usage:
 *
 *   const struct rules_schema *sc = facts_schema();
 *   struct rules_facts f;
 *   rules_facts_init(&f, today);
 *   rules_fact_set(&f, F_AGE, 16);
 *   uint8_t blob[FACTS_BLOB_MAX];
 *   size_t n = facts_pack(&f, blob);
 *   facts_unpack(blob, n, &f);             // 0, or -1 for a corrupt blob
 */
#include <stddef.h>
#include <stdint.h>

#include "rules/rules.h"

/* Fact indexes: the order of the catalog in facts.c. */
enum fact_id {
	F_HAS_A_NUMBER,
	F_LINKED,
	F_RECORDS,
	F_BIRTH_DATE,
	F_AGE,
	F_DAYS_TO_18,
	F_COUNTRY,
	F_ENCOUNTERS,
	F_FIRST_ENCOUNTER,
	F_LAST_ENCOUNTER,
	F_AGE_AT_ENCOUNTER,
	F_TVPRA,
	F_DISCHARGE,
	F_RELEASE_DATE,
	F_DAYS_SINCE_RELEASE,
	F_AGE_AT_RELEASE,
	F_SPONSOR_CATEGORY,
	F_SPONSOR_CHILDREN,
	F_ADDRESS_CHILDREN,
	F_ADDRESS_STATUS,
	F_ADDRESS_DATE,
	F_ADDRESS_AGE,
	F_ADDRESS_STATE,
	F_ADDRESS_ZIP3,
	F_LAST_CONTACT,
	F_DAYS_SINCE_CONTACT,
	F_CONTACT_SINCE_RELEASE,
	F_FAILED_CONTACTS,
	F_WELFARE,
	F_WELFARE_DATE,
	F_NTA_STATE,
	F_NTA_ISSUED,
	F_NTA_SERVED,
	F_NTA_FILED,
	F_NEXT_HEARING,
	F_DAYS_TO_HEARING,
	F_AGE_AT_HEARING,
	F_HEARINGS_MISSED,
	F_HEARINGS_ATTENDED,
	F_DECISION,
	F_DECISION_DATE,
	F_IN_ABSENTIA,
	F_IN_ABSENTIA_DATE,
	F_IN_ABSENTIA_RESCINDED,
	F_MTR,
	F_MTR_GROUND,
	F_MTR_DAYS_LEFT,
	F_NOTICE_DEFECTIVE,
	F_REMOVAL_ORDER,
	F_REMOVAL_EXECUTED,
	F_STAY,
	F_CLAIMS_PENDING,
	F_CLAIMS_GRANTED,
	F_COUNSEL,
	F_ORIENTATION,
	F_REFERRALS,
	F_INDICATORS,
	F_INDICATORS_UNVERIFIED,
	F_INDICATOR_DATE,
	F_SCREENING,
	F_SCREENING_DATE,
	F_TASKS_DONE,
	FACT_COUNT
};

/* Vocabulary indexes used by projection (match the vocab arrays). */
enum { NTA_NONE, NTA_ISSUED, NTA_SERVED, NTA_FILED };
enum {
	ADDR_NONE,
	ADDR_VERIFIED,
	ADDR_UNVERIFIED,
	ADDR_UNDELIVERABLE,
	ADDR_BLANK,
	ADDR_MISSING_UNIT
};
enum { TVPRA_NONE, TVPRA_PENDING, TVPRA_MAY_RETURN, TVPRA_REFERRED_ORR };
enum { DIS_IN_CARE, DIS_SPONSOR, DIS_AGED_OUT, DIS_REPATRIATED, DIS_RUNAWAY };
enum { CAT_1, CAT_2A, CAT_2B, CAT_3, CAT_4 };
enum { CLAIM_ASYLUM, CLAIM_SIJS, CLAIM_T_VISA, CLAIM_U_VISA };
enum {
	IND_CRIMINAL_CHARGE,
	IND_CRIMINAL_CONVICTION,
	IND_GANG_AFFILIATION,
	IND_REPEAT_ENCOUNTER,
	IND_DOCUMENT_FRAUD,
	IND_SMUGGLING,
	IND_TRAFFICKING_VICTIM,
	IND_EXPLOITATION
};
enum { SCR_NONE, SCR_NO_INDICATORS, SCR_INDICATORS_FOUND, SCR_DECLINED };
enum { REF_LEGAL_PROVIDER, REF_HSI, REF_CPS, REF_HHS };
enum { WEL_NONE, WEL_SAFE, WEL_CONCERN, WEL_NOT_SEEN };
enum { MTR_NONE, MTR_FILED, MTR_GRANTED, MTR_DENIED };
enum { GROUND_NONE, GROUND_EXCEPTIONAL, GROUND_LACK_OF_NOTICE };
enum {
	DEC_NONE,
	DEC_REMOVAL,
	DEC_RELIEF,
	DEC_VOLUNTARY_DEPARTURE,
	DEC_TERMINATED,
	DEC_ADMIN_CLOSED,
	DEC_OTHER
};

/* Actions (holds block them, tasks are named after them). */
enum action_id {
	A_LOCATE,
	A_CONTACT,
	A_WELFARE_CHECK,
	A_LEGAL_REFERRAL,
	A_SERVE_NTA,
	A_FILE_NTA,
	A_REFER_HSI,
	A_REFER_CPS,
	A_REFER_HHS,
	A_REMOVAL,
	A_CLOSE,
	ACTION_COUNT
};

/* The schema rules compile against (static storage). */
const struct rules_schema *facts_schema(void);
/* Name of action a ("serve_nta"), or "?" when out of range. */
const char *facts_action_name(int a);
/* Index of a vocabulary value of fact f, or -1. */
int facts_vocab_index(int f, const char *value, size_t len);
/*
 * Parse a fact value as text (the form rules_fact_format() writes and
 * scenario files use): bool yes/no/true/false, integer, YYYY-MM-DD, a
 * vocabulary value, a set "{a,b}" (or "a,b", "{}"), a two-letter code.
 * "missing" is not accepted here (leave the fact unset). Returns 0 or -1.
 */
int facts_parse_value(int f, const char *s, int32_t *out);
/* Index of fact `name`, or -1. */
int facts_find(const char *name);

/*
 * Compact encoding: 16 bytes of missing bits, then each present fact's
 * value as a zigzag varint in fact order. today is not stored.
 * FACTS_BLOB_MAX bounds the size.
 */
#define FACTS_BLOB_MAX (16 + 5 * RULES_MAX_FACTS)
size_t facts_pack(const struct rules_facts *f, uint8_t *out);
/* Decode; f->today is left unchanged. Returns 0, or -1 when the blob is
 * truncated or malformed (f is then all missing). */
int facts_unpack(const uint8_t *in, size_t len, struct rules_facts *f);
/* 64-bit hash of the stored facts (values of present facts and the
 * missing bits): changes exactly when the facts change. */
uint64_t facts_hash(const struct rules_facts *f);

#endif
