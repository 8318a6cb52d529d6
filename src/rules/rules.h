#ifndef UC_RULES_H
#define UC_RULES_H
/*
 * rules.h - the triage rules language: lexer, parser, type checker,
 * compiler to a compact bytecode, and an evaluator that does not allocate.
 *
 * The language is documented in docs/rules.md (grammar, semantics,
 * examples). This module knows nothing about children or feeds: the caller
 * describes the facts a rule set may read (a struct rules_schema: names,
 * types, value vocabularies) and the actions holds may block and tasks may
 * create; src/triage/facts.h provides the schema uctrack uses.
 *
 * Usage:
 *
 *   struct rules *rs = NULL;
 *   struct uc_err err = UC_ERR_INIT;
 *   if (rules_compile(&rs, "rules/default.rules", text, len, &schema, &err))
 *           fprintf(stderr, "%s\n", err.msg);  // "file:line:col: expected ..."
 *   struct rules_outcome out;
 *   rules_eval(rs, &facts, &out);               // no allocation, no failure
 *   ... out.group, out.score, out.fired, out.holds, out.tasks ...
 *   rules_free(rs);
 *
 * Values: every fact is an int32 (bool 0/1, integer, day number of a date,
 * vocabulary index of a symbol, bit set of vocabulary indexes, or a
 * two-letter code packed as (c0 << 8 | c1)) plus a "missing" bit. Missing
 * values follow SQL's three-valued logic: a comparison with a missing value
 * is unknown, `not unknown` is unknown, `false and unknown` is false,
 * `true or unknown` is true; a rule fires only when its condition is true.
 * `x is missing`, `x is present` and `coalesce(x, y)` handle them
 * explicitly.
 *
 * Limits (checked at compile time, reported as errors): 64 rules, 64 holds,
 * 32 tasks, 16 groups, 8 phases, RULES_MAX_FACTS facts, 32 vocabulary
 * values per set-typed fact, expression nesting 64.
 *
 * Thread safety: a compiled struct rules is immutable; rules_eval() may run
 * on it from several threads at once.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define RULES_MAX_FACTS 128
#define RULES_MAX_RULES 64
#define RULES_MAX_HOLDS 64
#define RULES_MAX_TASKS 32
#define RULES_MAX_GROUPS 16
#define RULES_MAX_PHASES 8
#define RULES_MAX_ORDER 2
#define RULES_MAX_LANGS 4 /* labels per declaration: the default + 3 */

/* Types of facts and expressions. */
enum rules_type {
	RULES_BOOL = 1, /* 0 or 1 */
	RULES_INT,	/* integer (counts, days, years) */
	RULES_DATE,	/* day number since 1970-01-01 */
	RULES_SYM,	/* one value of the fact's vocabulary (its index) */
	RULES_SET,	/* bit set over the fact's vocabulary (bit = index) */
	RULES_CODE2,	/* two-letter code (country, state): c0 << 8 | c1 */
};

/* One fact the rules may read. */
struct rules_fact_def {
	const char *name;	  /* identifier used in rules, e.g. "nta_state" */
	enum rules_type type;	  /* value type */
	const char *const *vocab; /* SYM/SET: NULL-terminated value names */
	const char *doc;	  /* one-line meaning (docs, --explain) */
};

/* What a rule set is compiled against. Borrowed; must outlive the rules. */
struct rules_schema {
	const struct rules_fact_def *facts; /* fact i is facts[i] */
	int nfacts;			    /* <= RULES_MAX_FACTS */
	const char *const *actions;	    /* NULL-terminated action names
					       (holds block them, tasks are
					       named after them); <= 32 */
};

/* The facts of one case, as the evaluator reads them. */
struct rules_facts {
	int32_t v[RULES_MAX_FACTS]; /* value of fact i (see "Values" above) */
	uint64_t missing[2];	    /* bit i set: fact i is missing */
	int32_t today;		    /* the day `today` means in rules */
};

static inline int rules_fact_missing(const struct rules_facts *f, int i)
{
	return (int)((f->missing[i >> 6] >> (i & 63)) & 1);
}
static inline void rules_fact_set(struct rules_facts *f, int i, int32_t v)
{
	f->v[i] = v;
	f->missing[i >> 6] &= ~((uint64_t)1 << (i & 63));
}
static inline void rules_fact_clear(struct rules_facts *f, int i)
{
	f->v[i] = 0;
	f->missing[i >> 6] |= (uint64_t)1 << (i & 63);
}
/* All facts missing, today = today. */
void rules_facts_init(struct rules_facts *f, int32_t today);

/* The result of evaluating a rule set on one case. Plain data. */
struct rules_outcome {
	int group;			       /* winning group index, -1 when no
						  rule fired */
	int32_t score;			       /* priority score: sum of the scores
						  of every fired rule */
	int32_t group_score[RULES_MAX_GROUPS]; /* summed score per group */
	int32_t order[RULES_MAX_ORDER];	       /* tie-break keys (already negated for
						  `desc`), compare ascending;
						  INT32_MAX when missing */
	uint64_t fired;			       /* bit r: rule r fired */
	uint64_t holds;			       /* bit h: hold h fired */
	uint32_t blocked;		       /* bit a: action a blocked by a
						  firing hold */
	int phase;			       /* phase index (see rules_phase) */
	uint32_t tasks;			       /* bit t: task t's condition held
						  (blocked ones included) */
	int32_t due[RULES_MAX_TASKS];	       /* task t's due date (day number) */
};

struct rules;

/*
 * Compile `len` bytes of rules text. `file` names the source in error
 * messages ("file:line:col: expected ..."). On success *out is set and
 * owned by the caller (rules_free). The schema is borrowed and must outlive
 * the compiled rules.
 */
int rules_compile(struct rules **out, const char *file, const char *text, size_t len,
		  const struct rules_schema *schema, struct uc_err *err);
void rules_free(struct rules *rs);

/* Evaluate all rules, holds, phases, tasks and tie-breaks on one case.
 * Never allocates, never fails. */
void rules_eval(const struct rules *rs, const struct rules_facts *f, struct rules_outcome *out);

/* Recompute out->blocked from out->holds (after an override lifts holds). */
void rules_recompute_blocked(const struct rules *rs, struct rules_outcome *out);

/* Hex SHA-256-like identity of the rule set: 16 hex digits of a 64-bit
 * FNV-1a hash over the source text. Owned by rs. */
const char *rules_hash(const struct rules *rs);
/* Name from the `ruleset "NAME"` header, or "" when absent. Owned by rs. */
const char *rules_name(const struct rules *rs);

/* Introspection. Indexes run from 0 to count-1; strings are owned by rs. */
int rules_group_count(const struct rules *rs);
const char *rules_group_name(const struct rules *rs, int g);	/* identifier */
const char *rules_group_label(const struct rules *rs, int g);	/* "Flight risk" */
int rules_group_find(const struct rules *rs, const char *name); /* -1 */

int rules_rule_count(const struct rules *rs);
const char *rules_rule_name(const struct rules *rs, int r);
int rules_rule_group(const struct rules *rs, int r);
/* The score rule r contributes for facts f (score expressions evaluated). */
int32_t rules_rule_score_of(const struct rules *rs, int r, const struct rules_facts *f);

int rules_hold_count(const struct rules *rs);
const char *rules_hold_name(const struct rules *rs, int h);
uint32_t rules_hold_blocks(const struct rules *rs, int h); /* action bits */
/* 1 when the hold is marked 'statutory' (a protection the law gives):
 * lifting it takes a request and a second person's approval. */
int rules_hold_statutory(const struct rules *rs, int h);
int rules_hold_find(const struct rules *rs, const char *name); /* -1 */

int rules_phase_count(const struct rules *rs);
const char *rules_phase_name(const struct rules *rs, int p);
int rules_phase_number(const struct rules *rs, int p); /* 1..4 as declared */

int rules_task_count(const struct rules *rs);
int rules_task_action(const struct rules *rs, int t);	   /* action index */
uint32_t rules_task_phases(const struct rules *rs, int t); /* bit n: phase n; 0 any */

/* Reminder periods (`remind due_soon 7d`, `remind no_contact 60d`): the
 * inbox's "due soon" window and its "no successful contact for" period,
 * in days; 7 and 60 when the rule set does not say. */
enum rules_remind { RULES_REMIND_DUE_SOON, RULES_REMIND_NO_CONTACT, RULES_REMIND_COUNT };
int32_t rules_remind_days(const struct rules *rs, enum rules_remind r);

/* Facts read by a rule / hold / task / phase (condition and reason): bit
 * i of mask[i >> 6] for fact i. */
enum rules_item { RULES_ITEM_RULE, RULES_ITEM_HOLD, RULES_ITEM_TASK, RULES_ITEM_PHASE };
void rules_item_reads(const struct rules *rs, enum rules_item kind, int i, uint64_t mask[2]);
/* Render the reason template of a rule / hold / task for facts f into b
 * (appends). {fact} placeholders become the fact's value, "missing" when
 * missing. */
void rules_item_reason(const struct rules *rs, enum rules_item kind, int i,
		       const struct rules_facts *f, struct buf *b);
/*
 * Labels in plain words (docs/rules.md, "Labels"): a rule, hold, task or
 * phase declares `label "Text"` (the default language, English) and
 * `label LANG "Texto"` per other language; a group's string is its default
 * label and `label LANG "..."` follows it.
 *
 * rules_item_label(): the label of item i in lang ("es"; NULL or "" for
 * the default), else its default label; NULL when it declares none (the
 * caller shows the name). rules_item_label_count()/_at(): every label
 * declared, *lang set to its tag ("" for the default). Strings owned by rs.
 */
const char *rules_item_label(const struct rules *rs, enum rules_item kind, int i, const char *lang);
int rules_item_label_count(const struct rules *rs, enum rules_item kind, int i);
const char *rules_item_label_at(const struct rules *rs, enum rules_item kind, int i, int j,
				const char **lang);
/* A group's label in lang, else its default label (rules_group_label());
 * its other languages' labels by index. */
const char *rules_group_label_in(const struct rules *rs, int g, const char *lang);
int rules_group_label_count(const struct rules *rs, int g);
const char *rules_group_label_at(const struct rules *rs, int g, int j, const char **lang);

/* Append fact i's value of f as text ("2024-01-31", "served",
 * "{asylum,sijs}", "HN", "yes"/"no", "missing"). */
void rules_fact_format(const struct rules_schema *schema, const struct rules_facts *f, int i,
		       struct buf *b);

#endif
