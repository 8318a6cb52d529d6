// fuzz-objs: src/rules/rules.c src/triage/facts.c src/triage/office.c src/core/buf.c src/core/err.c
// src/core/date.c
/*
 * fuzz_rules.c - libFuzzer target for the triage parsers: the rules
 * language (lexer, parser, type checker, compiler, then evaluation of what
 * compiled), the packed fact encoding, fact value text and the field-office
 * CSV. Any bytes must give a compiled rule set or an error with a position,
 * never a crash, a leak or undefined behaviour.
 * Seeds: rules/default.rules, rules/field_offices.csv.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/date.h"
#include "rules/rules.h"
#include "triage/facts.h"
#include "triage/office.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void eval_some(const struct rules *rs, const uint8_t *data, size_t size)
{
	struct rules_facts f;
	struct rules_outcome o;
	struct buf b;

	/* all missing, then values taken from the input bytes */
	rules_facts_init(&f, date_from_ymd(2025, 6, 1));
	rules_eval(rs, &f, &o);
	for (int i = 0; i < FACT_COUNT; i++) {
		int32_t v = 0;

		if (size)
			memcpy(&v, data + (size_t)i % size, size - (size_t)i % size >= 4 ? 4 : 1);
		if ((v & 3) != 0)
			rules_fact_set(&f, i, v >> 2);
	}
	rules_eval(rs, &f, &o);
	buf_init(&b, 1 << 16);
	for (int r = 0; r < rules_rule_count(rs); r++) {
		rules_item_reason(rs, RULES_ITEM_RULE, r, &f, &b);
		(void)rules_rule_score_of(rs, r, &f);
	}
	for (int h = 0; h < rules_hold_count(rs); h++)
		rules_item_reason(rs, RULES_ITEM_HOLD, h, &f, &b);
	/* labels: every one declared, by language and by index */
	for (int k = RULES_ITEM_RULE; k <= RULES_ITEM_PHASE; k++) {
		int n = k == RULES_ITEM_RULE   ? rules_rule_count(rs)
			: k == RULES_ITEM_HOLD ? rules_hold_count(rs)
			: k == RULES_ITEM_TASK ? rules_task_count(rs)
					       : rules_phase_count(rs);

		for (int i = 0; i < n; i++) {
			const char *lang = NULL;
			const char *l = rules_item_label(rs, (enum rules_item)k, i, "es");

			if (l)
				buf_add(&b, l, strlen(l));
			for (int j = 0; j < rules_item_label_count(rs, (enum rules_item)k, i); j++)
				(void)rules_item_label_at(rs, (enum rules_item)k, i, j, &lang);
		}
	}
	for (int g = 0; g < rules_group_count(rs); g++)
		(void)rules_group_label_in(rs, g, "es");
	for (int k = 0; k < FACT_COUNT; k++)
		rules_fact_format(facts_schema(), &f, k, &b);
	buf_release(&b);
	rules_recompute_blocked(rs, &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_err err = UC_ERR_INIT;

	if (size == 0)
		return 0;
	switch (data[0] % 4) {
	case 0:
	case 1: {
		struct rules *rs = NULL;

		if (rules_compile(&rs, "fuzz.rules", (const char *)data + 1, size - 1,
				  facts_schema(), &err) == 0) {
			eval_some(rs, data, size);
			rules_free(rs);
		} else if (!err.msg[0]) {
			__builtin_trap(); /* an error must say what and where */
		}
		break;
	}
	case 2: {
		struct rules_facts f;
		uint8_t blob[FACTS_BLOB_MAX];

		f.today = 0;
		if (facts_unpack(data + 1, size - 1, &f) == 0) {
			size_t n = facts_pack(&f, blob);

			/* a blob that decodes re-encodes to the same bytes */
			if (n != size - 1 || memcmp(blob, data + 1, n) != 0) {
				struct rules_facts g;

				g.today = 0;
				if (facts_unpack(blob, n, &g) != 0 ||
				    facts_hash(&f) != facts_hash(&g))
					__builtin_trap();
			}
		}
		break;
	}
	default: {
		struct office_table *ot = NULL;
		char text[256];
		size_t n = size - 1 < sizeof(text) - 1 ? size - 1 : sizeof(text) - 1;
		int32_t v;

		if (office_parse(&ot, "fuzz.csv", (const char *)data + 1, size - 1, &err) == 0) {
			(void)office_lookup(ot, ('T' << 8) | 'X', 770);
			(void)office_lookup(ot, data[0], size > 2 ? data[1] * 4 : -1);
			office_free(ot);
		}
		memcpy(text, data + 1, n);
		text[n] = '\0';
		for (int k = 0; k < FACT_COUNT; k++)
			(void)facts_parse_value(k, text, &v);
		break;
	}
	}
	return 0;
}
