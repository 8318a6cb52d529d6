/*
 * api_rules.c - the active rule set's vocabulary over HTTP: its groups,
 * rules, holds, phases and tasks with the labels the rule set declares
 * (docs/rules.md, "Labels"), so that clients show plain words, in the
 * user's language, from the one file that defines them.
 */
#include <stdio.h>
#include <string.h>

#include "http/api.h"
#include "http/hjson.h"
#include "rules/rules.h"
#include "triage/facts.h"
#include "triage/triage.h"

const char *api_lang(struct http_req *r)
{
	const char *h = http_header(r, "Accept-Language");

	if (!h)
		return "";
	while (*h == ' ' || *h == '\t')
		h++;
	/* The first language listed is the one the user chose (the UI sends
	 * exactly one); "es", "es-MX", "es_ES" all mean Spanish. */
	if ((h[0] == 'e' || h[0] == 'E') && (h[1] == 's' || h[1] == 'S') &&
	    (h[2] == '\0' || h[2] == '-' || h[2] == '_' || h[2] == ',' || h[2] == ';' ||
	     h[2] == ' '))
		return "es";
	return "";
}

const char *api_item_label(const struct rules *rs, const char *kind, const char *name,
			   const char *lang)
{
	if (!rs || !kind || !name)
		return NULL;
	if (strcmp(kind, "hold") == 0) {
		int h = rules_hold_find(rs, name);

		return h >= 0 ? rules_item_label(rs, RULES_ITEM_HOLD, h, lang) : NULL;
	}
	if (strcmp(kind, "rule") == 0) {
		for (int i = 0; i < rules_rule_count(rs); i++)
			if (strcmp(rules_rule_name(rs, i), name) == 0)
				return rules_item_label(rs, RULES_ITEM_RULE, i, lang);
	}
	return NULL;
}

/* {"es": "..."}: the labels other than the default one. */
static json_t *other_labels(const struct rules *rs, enum rules_item kind, int i)
{
	json_t *o = json_object();

	for (int j = 0; j < rules_item_label_count(rs, kind, i); j++) {
		const char *lang = NULL;
		const char *text = rules_item_label_at(rs, kind, i, j, &lang);

		if (lang[0])
			json_object_set_new(o, lang, json_string(text));
	}
	return o;
}

/* The default label (or null) and the others. */
static void labels_into(json_t *obj, const struct rules *rs, enum rules_item kind, int i)
{
	const char *dflt = NULL;

	for (int j = 0; j < rules_item_label_count(rs, kind, i); j++) {
		const char *lang = NULL;
		const char *text = rules_item_label_at(rs, kind, i, j, &lang);

		if (!lang[0])
			dflt = text;
	}
	json_object_set_new(obj, "label", dflt ? json_string(dflt) : json_null());
	json_object_set_new(obj, "labels", other_labels(rs, kind, i));
}

static json_t *action_names(uint32_t bits)
{
	const char *const *actions = facts_schema()->actions;
	json_t *a = json_array();

	for (int i = 0; actions[i]; i++)
		if (bits & (1u << i))
			json_array_append_new(a, json_string(actions[i]));
	return a;
}

static json_t *phase_numbers(uint32_t mask)
{
	json_t *a = json_array();

	for (int n = 1; n <= 4; n++)
		if (mask & (1u << n))
			json_array_append_new(a, json_integer(n));
	return a;
}

int api_rules_get(struct http_req *r, struct uc_err *err)
{
	struct triage *t = NULL;
	const struct rules *rs;
	const char *const *actions = facts_schema()->actions;
	json_t *groups, *rules, *holds, *phases, *tasks;
	struct hj_out o;
	int rc;

	rc = http_triage(r, &t, err);
	if (rc)
		return rc;
	if (!t)
		return uc_error(
		    err, UC_ENOTFOUND,
		    "no active rule set yet: run a triage first (POST /api/v1/triage/runs)");
	rs = triage_rules(t);
	hj_out_init(&o);
	groups = json_array();
	for (int g = 0; g < rules_group_count(rs); g++) {
		json_t *x = json_pack("{s:s,s:s}", "name", rules_group_name(rs, g), "label",
				      rules_group_label(rs, g));
		json_t *tr = json_object();

		for (int j = 0; j < rules_group_label_count(rs, g); j++) {
			const char *lang = NULL;
			const char *text = rules_group_label_at(rs, g, j, &lang);

			json_object_set_new(tr, lang, json_string(text));
		}
		json_object_set_new(x, "labels", tr);
		hj_append_new(&o, groups, x);
	}
	rules = json_array();
	for (int i = 0; i < rules_rule_count(rs); i++) {
		json_t *x = json_pack("{s:s,s:s}", "name", rules_rule_name(rs, i), "group",
				      rules_group_name(rs, rules_rule_group(rs, i)));

		labels_into(x, rs, RULES_ITEM_RULE, i);
		hj_append_new(&o, rules, x);
	}
	holds = json_array();
	for (int h = 0; h < rules_hold_count(rs); h++) {
		json_t *x = json_pack("{s:s,s:b,s:o}", "name", rules_hold_name(rs, h), "statutory",
				      rules_hold_statutory(rs, h), "blocks",
				      action_names(rules_hold_blocks(rs, h)));

		labels_into(x, rs, RULES_ITEM_HOLD, h);
		hj_append_new(&o, holds, x);
	}
	phases = json_array();
	for (int p = 0; p < rules_phase_count(rs); p++) {
		json_t *x = json_pack("{s:i,s:s}", "number", rules_phase_number(rs, p), "name",
				      rules_phase_name(rs, p));

		labels_into(x, rs, RULES_ITEM_PHASE, p);
		hj_append_new(&o, phases, x);
	}
	tasks = json_array();
	for (int i = 0; i < rules_task_count(rs); i++) {
		json_t *x = json_pack("{s:s,s:o}", "action", actions[rules_task_action(rs, i)],
				      "phases", phase_numbers(rules_task_phases(rs, i)));

		labels_into(x, rs, RULES_ITEM_TASK, i);
		hj_append_new(&o, tasks, x);
	}
	hj_set_str(&o, o.root, "rule_set", rules_hash(rs));
	hj_set_str(&o, o.root, "name", rules_name(rs));
	hj_set_new(&o, o.root, "groups", groups);
	hj_set_new(&o, o.root, "rules", rules);
	hj_set_new(&o, o.root, "holds", holds);
	hj_set_new(&o, o.root, "phases", phases);
	hj_set_new(&o, o.root, "tasks", tasks);
	return http_reply_json(r, &o, UC_OK, err);
}
