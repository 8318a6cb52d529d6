/*
 * facts.c - the fact catalog, the action vocabulary and the compact fact
 * encoding (see facts.h; every fact is documented in docs/rules.md).
 */
#include "triage/facts.h"

#include <string.h>

#include "core/date.h"

static const char *const v_nta[] = {"none", "issued", "served", "filed", NULL};
static const char *const v_addr[] = {"none",  "verified",     "unverified", "undeliverable",
				     "blank", "missing_unit", NULL};
static const char *const v_tvpra[] = {"none", "pending", "may_return", "referred_orr", NULL};
static const char *const v_discharge[] = {"in_care",	 "sponsor", "aged_out",
					  "repatriated", "runaway", NULL};
static const char *const v_cat[] = {"cat1", "cat2a", "cat2b", "cat3", "cat4", NULL};
static const char *const v_claim[] = {"asylum", "sijs", "t_visa", "u_visa", NULL};
static const char *const v_ind[] = {"criminal_charge",	  "criminal_conviction", "gang_affiliation",
				    "repeat_encounter",	  "document_fraud",	 "smuggling",
				    "trafficking_victim", "exploitation",	 NULL};
static const char *const v_screen[] = {"none", "no_indicators", "indicators_found", "declined",
				       NULL};
static const char *const v_ref[] = {"legal_provider", "hsi", "cps", "hhs", NULL};
static const char *const v_welfare[] = {"none", "safe", "concern", "not_seen", NULL};
static const char *const v_mtr[] = {"none", "filed", "granted", "denied", NULL};
static const char *const v_ground[] = {"none", "exceptional_circumstances", "lack_of_notice", NULL};
static const char *const v_dec[] = {"none",	  "removal",	  "relief", "voluntary_departure",
				    "terminated", "admin_closed", "other",  NULL};

static const char *const actions[ACTION_COUNT + 1] = {
    "locate",	 "contact",   "welfare_check", "legal_referral", "serve_nta", "file_nta",
    "refer_hsi", "refer_cps", "refer_hhs",     "removal",	 "close",     NULL,
};

#define B RULES_BOOL
#define I RULES_INT
#define D RULES_DATE
#define S RULES_SYM
#define SET RULES_SET
#define C2 RULES_CODE2

/* Order must match enum fact_id. */
static const struct rules_fact_def defs[FACT_COUNT] = {
    {"has_a_number", B, NULL, "an A-number is known for the child"},
    {"linked", B, NULL, "the case is a linked person (uctrack link), not an A-number group"},
    {"records", I, NULL, "source records folded into the case"},
    {"birth_date", D, NULL, "date of birth (ORR, else CBP, ICE, EOIR)"},
    {"age", I, NULL, "age in whole years today"},
    {"days_to_18", I, NULL, "days until the 18th birthday (negative once 18)"},
    {"country", C2, NULL, "country of citizenship, ISO alpha-2 (CBP, else ORR)"},
    {"encounters", I, NULL, "CBP encounters on record"},
    {"first_encounter", D, NULL, "date of the first CBP encounter"},
    {"last_encounter", D, NULL, "date of the latest CBP encounter"},
    {"age_at_encounter", I, NULL, "age at the first CBP encounter"},
    {"tvpra", S, v_tvpra,
     "TVPRA screening status of the latest encounter (none when not screened)"},
    {"discharge", S, v_discharge, "ORR discharge of the latest placement"},
    {"release_date", D, NULL, "ORR release date of the latest placement"},
    {"days_since_release", I, NULL, "days from release to today"},
    {"age_at_release", I, NULL, "age at ORR release"},
    {"sponsor_category", S, v_cat, "ORR sponsor category of the latest placement"},
    {"sponsor_children", I, NULL,
     "children released to the same ORR sponsor id (this one included)"},
    {"address_children", I, NULL,
     "children released to the same normalised address (this one included)"},
    {"address_status", S, v_addr, "status of the current address (none when no address)"},
    {"address_date", D, NULL, "date the current address was recorded"},
    {"address_age", I, NULL, "days since the current address was recorded"},
    {"address_state", C2, NULL, "USPS state of the current address"},
    {"address_zip3", I, NULL, "first three digits of the current address's ZIP code"},
    {"last_contact", D, NULL, "date of the last successful contact (ORR call or field contact)"},
    {"days_since_contact", I, NULL, "days since the last successful contact"},
    {"contact_since_release", B, NULL, "a successful contact happened on or after release"},
    {"failed_contacts", I, NULL, "failed contact attempts after the last successful one (max 8)"},
    {"welfare", S, v_welfare, "outcome of the latest welfare check"},
    {"welfare_date", D, NULL, "date of the latest welfare check"},
    {"nta_state", S, v_nta, "Notice to Appear: none, issued, served, or filed with the court"},
    {"nta_issued", D, NULL, "date the NTA was issued"},
    {"nta_served", D, NULL, "date the NTA was served"},
    {"nta_filed", D, NULL, "date the NTA was filed with the court"},
    {"next_hearing", D, NULL, "next scheduled hearing on or after today"},
    {"days_to_hearing", I, NULL, "days until the next hearing"},
    {"age_at_hearing", I, NULL, "age on the day of the next hearing"},
    {"hearings_missed", I, NULL, "past hearings missed (failure-to-appear notice or in absentia)"},
    {"hearings_attended", I, NULL, "past hearings attended"},
    {"decision", S, v_dec, "decision of the latest decided proceeding"},
    {"decision_date", D, NULL, "date of that decision"},
    {"in_absentia", B, NULL, "a removal order was entered in absentia"},
    {"in_absentia_date", D, NULL, "date of the latest in absentia order"},
    {"in_absentia_rescinded", B, NULL,
     "that order was rescinded (motion granted, ICE order_rescinded, or a later proceeding)"},
    {"mtr", S, v_mtr, "status of the latest motion to reopen"},
    {"mtr_ground", S, v_ground, "ground of the latest motion to reopen"},
    {"mtr_days_left", I, NULL,
     "days left of the 180-day window to reopen an in absentia order for exceptional circumstances "
     "(negative once closed)"},
    {"notice_defective", B, NULL,
     "the NTA was never served, or served at a blank, undeliverable or unit-less address (lack of "
     "notice: reopening possible at any time)"},
    {"removal_order", B, NULL, "a removal order is in force (not rescinded, not executed)"},
    {"removal_executed", B, NULL, "ICE executed a removal"},
    {"stay", B, NULL, "a stay of removal was granted"},
    {"claims_pending", SET, v_claim, "protection claims filed and not decided"},
    {"claims_granted", SET, v_claim, "protection claims granted"},
    {"counsel", B, NULL, "counsel of record now (EOIR attorney or a representation event)"},
    {"orientation", B, NULL, "a legal orientation was given"},
    {"referrals", SET, v_ref, "referrals made (field events)"},
    {"indicators", SET, v_ind, "indicator codes from a source authorised for their category"},
    {"indicators_unverified", SET, v_ind,
     "indicator codes from sources not authorised for their category"},
    {"indicator_date", D, NULL, "date of the latest indicator (any source)"},
    {"screening", S, v_screen, "result of the latest trafficking screening"},
    {"screening_date", D, NULL, "date of the latest trafficking screening"},
    {"tasks_done", SET, actions,
     "tasks recorded as done by a task_outcome event (actions with no field event of their own: "
     "serve_nta, file_nta, removal, close)"},
};

static const struct rules_schema schema = {defs, FACT_COUNT, actions};

const struct rules_schema *facts_schema(void)
{
	return &schema;
}

const char *facts_action_name(int a)
{
	return a >= 0 && a < ACTION_COUNT ? actions[a] : "?";
}

int facts_find(const char *name)
{
	for (int i = 0; i < FACT_COUNT; i++)
		if (strcmp(defs[i].name, name) == 0)
			return i;
	return -1;
}

int facts_vocab_index(int f, const char *value, size_t len)
{
	const char *const *v = defs[f].vocab;

	for (int i = 0; v && v[i]; i++)
		if (strlen(v[i]) == len && memcmp(v[i], value, len) == 0)
			return i;
	return -1;
}

int facts_parse_value(int f, const char *s, int32_t *out)
{
	size_t n = strlen(s);

	if (f < 0 || f >= FACT_COUNT)
		return -1;
	switch (defs[f].type) {
	case RULES_BOOL:
		if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0)
			*out = 1;
		else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0)
			*out = 0;
		else
			return -1;
		return 0;
	case RULES_INT: {
		int64_t v = 0;
		int neg = s[0] == '-';
		const char *p = s + neg;

		if (!*p || strlen(p) > 9)
			return -1;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v = v * 10 + (*p - '0');
		}
		*out = (int32_t)(neg ? -v : v);
		return 0;
	}
	case RULES_DATE:
		return date_parse(s, n, out);
	case RULES_SYM: {
		int v = facts_vocab_index(f, s, n);

		if (v < 0)
			return -1;
		*out = v;
		return 0;
	}
	case RULES_SET: {
		uint32_t m = 0;
		const char *p = s, *e = s + n;

		if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
			p++;
			e--;
		}
		while (p < e) {
			const char *c = memchr(p, ',', (size_t)(e - p));
			const char *end = c ? c : e;
			int v = facts_vocab_index(f, p, (size_t)(end - p));

			if (v < 0)
				return -1;
			m |= 1u << v;
			p = c ? c + 1 : e;
		}
		*out = (int32_t)m;
		return 0;
	}
	case RULES_CODE2:
		if (n != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
			return -1;
		*out = (s[0] << 8) | s[1];
		return 0;
	}
	return -1;
}

size_t facts_pack(const struct rules_facts *f, uint8_t *out)
{
	size_t n = 16;

	for (int k = 0; k < 2; k++)
		for (int b = 0; b < 8; b++)
			out[k * 8 + b] = (uint8_t)(f->missing[k] >> (8 * b));
	for (int i = 0; i < FACT_COUNT; i++) {
		uint32_t z;

		if (rules_fact_missing(f, i))
			continue;
		z = ((uint32_t)f->v[i] << 1) ^ (uint32_t)(f->v[i] >> 31);
		while (z >= 0x80) {
			out[n++] = (uint8_t)(z | 0x80);
			z >>= 7;
		}
		out[n++] = (uint8_t)z;
	}
	return n;
}

int facts_unpack(const uint8_t *in, size_t len, struct rules_facts *f)
{
	const uint8_t *p = in + 16, *end = in + len;
	uint64_t m[2] = {0, 0};

	if (len < 16)
		goto bad;
	for (int k = 0; k < 2; k++)
		for (int b = 0; b < 8; b++)
			m[k] |= (uint64_t)in[k * 8 + b] << (8 * b);
	/* facts beyond the catalog are always missing */
	m[FACT_COUNT >> 6] |= ~(uint64_t)0 << (FACT_COUNT & 63);
	f->missing[0] = m[0];
	f->missing[1] = m[1];
	/* hot loop of a full triage run: one byte per small value */
	for (int i = 0; i < FACT_COUNT; i++) {
		uint32_t z;

		if ((m[i >> 6] >> (i & 63)) & 1) {
			f->v[i] = 0;
			continue;
		}
		if (p >= end)
			goto bad;
		z = *p++;
		if (z & 0x80) {
			int shift = 7;

			z &= 0x7f;
			for (;;) {
				if (p >= end || shift > 28)
					goto bad;
				z |= (uint32_t)(*p & 0x7f) << shift;
				shift += 7;
				if (!(*p++ & 0x80))
					break;
			}
		}
		f->v[i] = (int32_t)((z >> 1) ^ (~(z & 1) + 1));
	}
	if (p != end)
		goto bad;
	return 0;
bad:
	rules_facts_init(f, f->today);
	return -1;
}

uint64_t facts_hash(const struct rules_facts *f)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < FACT_COUNT; i++) {
		uint32_t v = rules_fact_missing(f, i) ? 0x80000000u : (uint32_t)f->v[i];

		for (int b = 0; b < 4; b++) {
			h ^= (v >> (8 * b)) & 0xff;
			h *= 0x100000001b3ULL;
		}
		h ^= (uint64_t)rules_fact_missing(f, i);
		h *= 0x100000001b3ULL;
	}
	/* keep it positive for SQLite INTEGER comparisons in both backends */
	return h & 0x7fffffffffffffffULL;
}
