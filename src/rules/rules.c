/*
 * rules.c - lexer, parser, type checker, compiler and evaluator of the
 * triage rules language (docs/rules.md).
 *
 * Compilation builds a small AST (freed at the end of rules_compile), checks
 * types while parsing, then emits one flat array of fixed-size instructions
 * for a stack machine. Evaluation walks that array with a fixed-size stack
 * on the C stack: no allocation per case.
 */
#include "rules/rules.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

#define MAX_DEPTH 64   /* expression nesting and evaluator stack */
#define MAX_SET 64     /* names in one set literal */
#define MAX_LETS 128   /* let definitions */
#define MAX_ACTIONS 32 /* schema actions (bit mask of 32) */

/* ---------------------------------------------------------------- lexer */

enum tok_kind {
	T_EOF,
	T_IDENT,
	T_INT,
	T_DATE,
	T_STRING,
	T_PUNCT, /* operator or punctuation; text in tok.s, tok.len */
};

struct tok {
	enum tok_kind kind; /* what it is */
	const char *s;	    /* first byte in the source */
	int len;	    /* bytes */
	int line, col;	    /* 1-based position of the first byte */
	int32_t ival;	    /* T_INT value (days for 'd'/'w' suffix), T_DATE day */
};

struct lexer {
	const char *file; /* name for messages */
	const char *p;	  /* next byte */
	const char *end;  /* one past the last byte */
	int line, col;	  /* position of p */
};

/* ------------------------------------------------------------------ AST */

enum node_kind {
	N_FACT,	 /* fact reference: fact */
	N_CONST, /* constant: val */
	N_TODAY, /* the evaluation day */
	N_NAME,	 /* bare identifier not (yet) resolved: a vocabulary value */
	N_SET,	 /* set literal {a, b}: names */
	N_UN,	 /* unary: op, a */
	N_BIN,	 /* binary: op, a, b */
	N_IN,	 /* a in set (b is N_SET, resolved) : mask or list */
	N_HAS,	 /* a has any/all set: op = OP_HASANY/OP_HASALL, mask */
	N_CALL,	 /* op with a (and b) */
};

struct node {
	enum node_kind kind;	 /* shape */
	int op;			 /* opcode for UN/BIN/HAS/CALL/IN */
	enum rules_type type;	 /* type after checking (0 = untyped name/set) */
	int vfact;		 /* SYM/SET/CODE2: fact whose vocabulary applies, -1 */
	int32_t val;		 /* N_CONST value; N_FACT index */
	int line, col;		 /* source position for messages */
	struct node *a, *b;	 /* operands */
	const struct tok *names; /* N_SET: names (copied tokens) */
	int nnames;		 /* N_SET: count */
	int32_t *list;		 /* N_IN over CODE2: resolved values (owned) */
	struct node *next_alloc; /* every node, for freeing */
};

/* ------------------------------------------------------------ bytecode */

enum opcode {
	OP_FACT = 1,
	OP_CONST,
	OP_TODAY,
	OP_NOT,
	OP_NEG,
	OP_AND,
	OP_OR,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_INMASK, /* sym in mask(arg) */
	OP_INLIST, /* value in consts[arg .. arg+n) */
	OP_HASANY, /* set & arg != 0 */
	OP_HASALL, /* set & arg == arg */
	OP_ISMISSING,
	OP_ISPRESENT,
	OP_COALESCE,
	OP_MIN,
	OP_MAX,
	OP_COUNT,
	OP_FCMPK,    /* fact n cmp(x) const arg: fused compare */
	OP_FMISSING, /* fact n is missing: fused */
	OP_JF,	     /* top is (known) false: jump arg instructions ahead */
	OP_JT,	     /* top is (known) true: jump arg instructions ahead */
	OP_FINMASK,  /* fact n in mask(arg): fused */
	OP_FHASANY,  /* fact n & arg != 0: fused */
};

struct insn {
	uint8_t op;  /* enum opcode */
	uint8_t x;   /* OP_FCMPK: comparison opcode */
	uint16_t n;  /* fact index, or list length */
	int32_t arg; /* constant, mask, or list start */
};

/* A compiled expression: a slice of the code array. */
struct prog {
	int start; /* first instruction */
	int len;   /* instructions; 0 = absent (constant true / none) */
};

/* Labels of a declaration in plain words: `label "Text"` (the default
 * language, English) and `label es "Texto"` (one per language). */
struct labelset {
	char lang[RULES_MAX_LANGS][8]; /* language tag; "" = the default */
	char *text[RULES_MAX_LANGS];   /* the label, owned */
	int n;			       /* labels declared */
};

struct item {
	char *name;		  /* identifier (rules, holds) */
	int line;		  /* declaration line */
	struct prog cond;	  /* condition; len 0 = always */
	struct prog score;	  /* rules: score expression */
	int32_t score_const;	  /* rules: score when constant */
	int group;		  /* rules: group index */
	uint32_t blocks;	  /* holds: action bits */
	int statutory;		  /* holds: lifting it takes two people */
	int action;		  /* tasks: action index */
	int phase;		  /* phases: the phase number */
	uint32_t phase_mask;	  /* rules, tasks: bit n = applies in phase n; 0 any */
	struct prog due;	  /* tasks: due expression */
	enum rules_type due_type; /* tasks: INT (days from today) or DATE */
	char *reason;		  /* reason template, owned, may be "" */
	uint64_t reads[2];	  /* facts read (condition, score, reason) */
	struct labelset labels;	  /* label clauses */
};

struct rules {
	const struct rules_schema *schema;	    /* borrowed */
	int32_t remind[RULES_REMIND_COUNT];	    /* reminder days (remind ...) */
	char hash[17];				    /* hex FNV-1a 64 of the source */
	char *name;				    /* ruleset "NAME" or "" */
	struct insn *code;			    /* all programs, owned */
	int ncode, acode;			    /* used / allocated */
	int32_t *consts;			    /* OP_INLIST values, owned */
	int nconsts, aconsts;			    /* used / allocated */
	char *group_name[RULES_MAX_GROUPS];	    /* identifiers, owned */
	char *group_label[RULES_MAX_GROUPS];	    /* labels, owned */
	struct labelset group_tr[RULES_MAX_GROUPS]; /* `label LANG "..."` of a group */
	int ngroups;				    /* declared groups */
	struct item rules[RULES_MAX_RULES];	    /* rule declarations */
	int nrules;				    /* count */
	struct item holds[RULES_MAX_HOLDS];	    /* hold declarations */
	int nholds;				    /* count */
	struct item phases[RULES_MAX_PHASES];	    /* phases, in declared order */
	int nphases;				    /* count */
	struct item tasks[RULES_MAX_TASKS];	    /* task declarations */
	int ntasks;				    /* count */
	struct prog order[RULES_MAX_ORDER];	    /* tie-break expressions */
	int order_desc[RULES_MAX_ORDER];	    /* 1 when descending */
	int norder;				    /* count */
};

struct let {
	char name[64];	   /* identifier */
	struct node *expr; /* its expression (shared subtree) */
};

struct parser {
	struct lexer lx;		   /* tokens come from here */
	struct tok tok;			   /* current token */
	struct rules *rs;		   /* being built */
	const struct rules_schema *schema; /* facts and actions */
	struct uc_err *err;		   /* first error */
	int failed;			   /* sticky: an error was recorded */
	int depth;			   /* current expression nesting */
	struct node *nodes;		   /* every node allocated, for freeing */
	struct let lets[MAX_LETS];	   /* let definitions */
	int nlets;			   /* count */
	int nactions;			   /* schema actions */
};

/* ---------------------------------------------------------- errors */

static void perr_at(struct parser *ps, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void perr_at(struct parser *ps, int line, int col, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uc_error(ps->err, UC_EINPUT, "%s:%d:%d: %s", ps->lx.file, line, col, msg);
}

/* A printable description of the current token for "found ..." parts. */
static void tok_describe(const struct tok *t, char *out, size_t n)
{
	switch (t->kind) {
	case T_EOF:
		snprintf(out, n, "end of file");
		return;
	case T_STRING:
		snprintf(out, n, "a string");
		return;
	default:
		snprintf(out, n, "'%.*s'", t->len > 40 ? 40 : t->len, t->s);
	}
}

static void expected(struct parser *ps, const char *what)
{
	char found[64];

	tok_describe(&ps->tok, found, sizeof(found));
	perr_at(ps, ps->tok.line, ps->tok.col, "expected %s, found %s", what, found);
}

/* ------------------------------------------------------------ lexing */

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void lx_adv(struct lexer *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

static void next(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct tok *t = &ps->tok;

	if (ps->failed) {
		t->kind = T_EOF;
		return;
	}
	for (;;) {
		while (lx->p < lx->end &&
		       (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' || *lx->p == '\r'))
			lx_adv(lx);
		if (lx->p < lx->end && *lx->p == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx_adv(lx);
			continue;
		}
		break;
	}
	t->s = lx->p;
	t->line = lx->line;
	t->col = lx->col;
	t->len = 0;
	t->ival = 0;
	if (lx->p >= lx->end) {
		t->kind = T_EOF;
		return;
	}
	unsigned char c = (unsigned char)*lx->p;
	if (is_alpha(c)) {
		while (lx->p < lx->end &&
		       (is_alpha((unsigned char)*lx->p) || is_digit((unsigned char)*lx->p)))
			lx_adv(lx);
		t->kind = T_IDENT;
		t->len = (int)(lx->p - t->s);
		if (t->len > 63)
			perr_at(ps, t->line, t->col, "identifier longer than 63 characters");
		return;
	}
	if (is_digit(c)) {
		size_t avail = (size_t)(lx->end - lx->p);
		int32_t day;

		/* YYYY-MM-DD date literal */
		if (avail >= 10 && lx->p[4] == '-' && lx->p[7] == '-' &&
		    (avail == 10 ||
		     !(is_alpha((unsigned char)lx->p[10]) || is_digit((unsigned char)lx->p[10])))) {
			if (date_parse(lx->p, 10, &day) == 0) {
				for (int i = 0; i < 10; i++)
					lx_adv(lx);
				t->kind = T_DATE;
				t->len = 10;
				t->ival = day;
				return;
			}
		}
		int64_t v = 0;
		while (lx->p < lx->end && is_digit((unsigned char)*lx->p)) {
			v = v * 10 + (*lx->p - '0');
			if (v > 100000000) {
				perr_at(ps, t->line, t->col,
					"number too large (the limit is 100000000)");
				t->kind = T_EOF;
				return;
			}
			lx_adv(lx);
		}
		/* duration suffix: d (days), w (weeks) */
		if (lx->p < lx->end && (*lx->p == 'd' || *lx->p == 'w') &&
		    (lx->p + 1 >= lx->end ||
		     !(is_alpha((unsigned char)lx->p[1]) || is_digit((unsigned char)lx->p[1])))) {
			if (*lx->p == 'w')
				v *= 7;
			lx_adv(lx);
		}
		if (lx->p < lx->end && (is_alpha((unsigned char)*lx->p))) {
			perr_at(ps, lx->line, lx->col,
				"expected a number, or a duration such as 30d or 2w");
			t->kind = T_EOF;
			return;
		}
		t->kind = T_INT;
		t->ival = (int32_t)v;
		t->len = (int)(lx->p - t->s);
		return;
	}
	if (c == '"') {
		lx_adv(lx);
		while (lx->p < lx->end && *lx->p != '"' && *lx->p != '\n') {
			if (*lx->p == '\\' && lx->p + 1 < lx->end && lx->p[1] != '\n')
				lx_adv(lx);
			lx_adv(lx);
		}
		if (lx->p >= lx->end || *lx->p != '"') {
			perr_at(ps, t->line, t->col,
				"unterminated string: expected '\"' before the end of the line");
			t->kind = T_EOF;
			return;
		}
		lx_adv(lx);
		t->kind = T_STRING;
		t->len = (int)(lx->p - t->s);
		return;
	}
	static const char *const two[] = {"==", "!=", "<=", ">=", NULL};
	for (int i = 0; two[i]; i++) {
		if (lx->end - lx->p >= 2 && lx->p[0] == two[i][0] && lx->p[1] == two[i][1]) {
			lx_adv(lx);
			lx_adv(lx);
			t->kind = T_PUNCT;
			t->len = 2;
			return;
		}
	}
	if (strchr("()<>{},=+-*", c) && c) {
		lx_adv(lx);
		t->kind = T_PUNCT;
		t->len = 1;
		return;
	}
	if (c >= 0x20 && c < 0x7f)
		perr_at(ps, t->line, t->col, "unexpected character '%c'", c);
	else
		perr_at(ps, t->line, t->col, "unexpected byte 0x%02x", c);
	t->kind = T_EOF;
}

static int tok_is(const struct tok *t, const char *s)
{
	size_t n = strlen(s);

	return (t->kind == T_IDENT || t->kind == T_PUNCT) && (size_t)t->len == n &&
	       memcmp(t->s, s, n) == 0;
}

static int accept(struct parser *ps, const char *s)
{
	if (!ps->failed && tok_is(&ps->tok, s)) {
		next(ps);
		return 1;
	}
	return 0;
}

static int expect(struct parser *ps, const char *s, const char *what)
{
	if (accept(ps, s))
		return 0;
	expected(ps, what);
	return -1;
}

static const char *const keywords[] = {
    "and",     "or",	 "not",	   "in",	"has",	  "any",   "all",   "is",    "missing",
    "present", "true",	 "false",  "today",	"rule",	  "hold",  "group", "score", "when",
    "reason",  "blocks", "phase",  "task",	"due",	  "order", "by",    "let",   "ruleset",
    "asc",     "desc",	 "phases", "statutory", "remind", "label", NULL,
};

static int is_keyword(const struct tok *t)
{
	for (int i = 0; keywords[i]; i++)
		if (tok_is(t, keywords[i]))
			return 1;
	return 0;
}

/* Copy an identifier token into out (64 bytes). */
static void tok_copy(const struct tok *t, char out[64])
{
	int n = t->len < 63 ? t->len : 63;

	memcpy(out, t->s, (size_t)n);
	out[n] = '\0';
}

static int expect_ident(struct parser *ps, const char *what, char out[64], struct tok *at)
{
	if (ps->failed)
		return -1;
	if (ps->tok.kind != T_IDENT || is_keyword(&ps->tok)) {
		expected(ps, what);
		return -1;
	}
	tok_copy(&ps->tok, out);
	if (at)
		*at = ps->tok;
	next(ps);
	return 0;
}

/* Decode a string token's contents (without quotes, with escapes). */
static char *string_value(const struct tok *t)
{
	char *out = uc_xmalloc((size_t)t->len);
	int n = 0;

	for (int i = 1; i < t->len - 1; i++) {
		if (t->s[i] == '\\' && i + 1 < t->len - 1)
			i++;
		out[n++] = t->s[i];
	}
	out[n] = '\0';
	return out;
}

/* ------------------------------------------------------------- nodes */

static struct node *mknode(struct parser *ps, enum node_kind k, const struct tok *at)
{
	struct node *n = uc_xcalloc(1, sizeof(*n));

	n->kind = k;
	n->vfact = -1;
	n->line = at->line;
	n->col = at->col;
	n->next_alloc = ps->nodes;
	ps->nodes = n;
	return n;
}

static void free_nodes(struct parser *ps)
{
	struct node *n = ps->nodes;

	while (n) {
		struct node *nx = n->next_alloc;

		free(n->list);
		free((void *)n->names);
		free(n);
		n = nx;
	}
	ps->nodes = NULL;
}

static const char *type_name(enum rules_type t)
{
	switch (t) {
	case RULES_BOOL:
		return "a boolean";
	case RULES_INT:
		return "a number";
	case RULES_DATE:
		return "a date";
	case RULES_SYM:
		return "a value";
	case RULES_SET:
		return "a set";
	case RULES_CODE2:
		return "a code";
	}
	return "a name";
}

static int find_fact(const struct rules_schema *sc, const char *s, int len)
{
	for (int i = 0; i < sc->nfacts; i++)
		if ((int)strlen(sc->facts[i].name) == len &&
		    memcmp(sc->facts[i].name, s, (size_t)len) == 0)
			return i;
	return -1;
}

static int find_vocab(const char *const *vocab, const char *s, int len)
{
	for (int i = 0; vocab && vocab[i]; i++)
		if ((int)strlen(vocab[i]) == len && memcmp(vocab[i], s, (size_t)len) == 0)
			return i;
	return -1;
}

static int find_action(const struct parser *ps, const char *s)
{
	for (int i = 0; i < ps->nactions; i++)
		if (strcmp(ps->schema->actions[i], s) == 0)
			return i;
	return -1;
}

/* Edit distance (bounded) for "did you mean" hints. */
static int edit_distance(const char *a, int la, const char *b)
{
	int lb = (int)strlen(b);
	int row[64];

	if (la > 63 || lb > 63)
		return 99;
	for (int j = 0; j <= lb; j++)
		row[j] = j;
	for (int i = 1; i <= la; i++) {
		int prev = row[0];

		row[0] = i;
		for (int j = 1; j <= lb; j++) {
			int cur = row[j];
			int best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

static const char *closest_fact(const struct rules_schema *sc, const char *s, int len)
{
	const char *best = NULL;
	int bd = 3;

	for (int i = 0; i < sc->nfacts; i++) {
		int d = edit_distance(s, len, sc->facts[i].name);

		if (d < bd) {
			bd = d;
			best = sc->facts[i].name;
		}
	}
	return best;
}

static void vocab_list(const char *const *vocab, char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; vocab && vocab[i] && used + 1 < n; i++) {
		int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", vocab[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Resolve an unresolved name against the vocabulary of fact vf. */
static int resolve_name(struct parser *ps, struct node *n, int vf)
{
	const struct rules_fact_def *fd = &ps->schema->facts[vf];
	char list[400];

	if (fd->type == RULES_CODE2) {
		const char *s = n->names->s;

		if (n->names->len == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
		    s[1] <= 'Z') {
			n->kind = N_CONST;
			n->val = (s[0] << 8) | s[1];
			n->type = RULES_CODE2;
			n->vfact = vf;
			return 0;
		}
		perr_at(ps, n->line, n->col,
			"expected a two-letter upper-case code for %s, found '%.*s'", fd->name,
			n->names->len, s);
		return -1;
	}
	int v = find_vocab(fd->vocab, n->names->s, n->names->len);
	if (v < 0) {
		vocab_list(fd->vocab, list, sizeof(list));
		perr_at(ps, n->line, n->col, "unknown value '%.*s' for %s; expected one of: %s",
			n->names->len, n->names->s, fd->name, list);
		return -1;
	}
	n->kind = N_CONST;
	n->val = v;
	n->type = RULES_SYM;
	n->vfact = vf;
	return 0;
}

/* A node must have a real type by now (not a bare name or set literal). */
static int need_typed(struct parser *ps, struct node *n)
{
	if (!n)
		return -1;
	if (n->kind == N_NAME) {
		const char *hint = closest_fact(ps->schema, n->names->s, n->names->len);

		if (hint)
			perr_at(ps, n->line, n->col,
				"unknown fact '%.*s' (did you mean '%s'?); the facts are listed in "
				"docs/rules.md",
				n->names->len, n->names->s, hint);
		else
			perr_at(ps, n->line, n->col,
				"unknown fact '%.*s'; the facts are listed in docs/rules.md",
				n->names->len, n->names->s);
		return -1;
	}
	if (n->kind == N_SET) {
		perr_at(ps, n->line, n->col, "a set literal {...} may only follow 'in' or 'has'");
		return -1;
	}
	return 0;
}

static int need_type(struct parser *ps, struct node *n, enum rules_type t, const char *ctx)
{
	if (need_typed(ps, n))
		return -1;
	if (n->type != t) {
		perr_at(ps, n->line, n->col, "%s needs %s, found %s", ctx, type_name(t),
			type_name(n->type));
		return -1;
	}
	return 0;
}

/* --------------------------------------------------------- expressions */

static struct node *parse_expr(struct parser *ps);

static struct node *parse_set(struct parser *ps)
{
	struct tok at = ps->tok;
	struct tok *names = uc_xcalloc(MAX_SET, sizeof(*names));
	int n = 0;
	struct node *nd = mknode(ps, N_SET, &at);

	nd->names = names;
	if (expect(ps, "{", "'{' starting a set"))
		return NULL;
	for (;;) {
		if (ps->failed)
			return NULL;
		if (ps->tok.kind != T_IDENT || is_keyword(&ps->tok)) {
			expected(ps, "a value name inside {...}");
			return NULL;
		}
		if (n >= MAX_SET) {
			perr_at(ps, ps->tok.line, ps->tok.col,
				"too many values in one set (the limit is %d)", MAX_SET);
			return NULL;
		}
		names[n++] = ps->tok;
		next(ps);
		if (accept(ps, ","))
			continue;
		if (expect(ps, "}", "',' or '}'"))
			return NULL;
		break;
	}
	nd->nnames = n;
	return nd;
}

/* Turn a set literal into a mask over fact vf's vocabulary. */
static int set_mask(struct parser *ps, struct node *set, int vf, int32_t *mask)
{
	const struct rules_fact_def *fd = &ps->schema->facts[vf];
	uint32_t m = 0;
	char list[400];

	for (int i = 0; i < set->nnames; i++) {
		int v = find_vocab(fd->vocab, set->names[i].s, set->names[i].len);

		if (v < 0) {
			vocab_list(fd->vocab, list, sizeof(list));
			perr_at(ps, set->names[i].line, set->names[i].col,
				"unknown value '%.*s' for %s; expected one of: %s",
				set->names[i].len, set->names[i].s, fd->name, list);
			return -1;
		}
		m |= (uint32_t)1 << v;
	}
	*mask = (int32_t)m;
	return 0;
}

static struct node *parse_primary(struct parser *ps)
{
	struct tok at = ps->tok;
	struct node *n;

	if (ps->failed)
		return NULL;
	if (ps->depth > MAX_DEPTH) {
		perr_at(ps, at.line, at.col, "expression nested too deeply (the limit is %d)",
			MAX_DEPTH);
		return NULL;
	}
	if (at.kind == T_INT || at.kind == T_DATE) {
		n = mknode(ps, N_CONST, &at);
		n->val = at.ival;
		n->type = at.kind == T_INT ? RULES_INT : RULES_DATE;
		next(ps);
		return n;
	}
	if (accept(ps, "(")) {
		ps->depth++;
		n = parse_expr(ps);
		ps->depth--;
		if (!n || expect(ps, ")", "')'"))
			return NULL;
		return n;
	}
	if (tok_is(&at, "{"))
		return parse_set(ps);
	if (accept(ps, "true") || accept(ps, "false")) {
		n = mknode(ps, N_CONST, &at);
		n->val = tok_is(&at, "true");
		n->type = RULES_BOOL;
		return n;
	}
	if (accept(ps, "today")) {
		n = mknode(ps, N_TODAY, &at);
		n->type = RULES_DATE;
		return n;
	}
	if (at.kind != T_IDENT || is_keyword(&at)) {
		expected(ps, "a fact, a number, a date, '(' or 'not'");
		return NULL;
	}
	next(ps);
	/* function call */
	if (tok_is(&ps->tok, "(")) {
		static const struct {
			const char *name; /* function */
			int op;		  /* opcode, or -1 for derived forms */
			int nargs;	  /* argument count */
		} fns[] = {
		    {"coalesce", OP_COALESCE, 2}, {"min", OP_MIN, 2},	 {"max", OP_MAX, 2},
		    {"count", OP_COUNT, 1},	  {"days_since", -1, 1}, {"days_until", -2, 1},
		};
		int f = -1;
		struct node *args[2] = {NULL, NULL};

		for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
			if (tok_is(&at, fns[i].name))
				f = (int)i;
		if (f < 0) {
			perr_at(ps, at.line, at.col,
				"unknown function '%.*s'; expected coalesce, min, max, count, "
				"days_since or days_until",
				at.len, at.s);
			return NULL;
		}
		next(ps);
		ps->depth++;
		for (int i = 0; i < fns[f].nargs; i++) {
			if (i && expect(ps, ",", "','"))
				return NULL;
			args[i] = parse_expr(ps);
			if (need_typed(ps, args[i]))
				return NULL;
		}
		ps->depth--;
		if (expect(ps, ")", "')' closing the arguments"))
			return NULL;
		n = mknode(ps, N_CALL, &at);
		n->a = args[0];
		n->b = args[1];
		switch (fns[f].op) {
		case OP_COUNT:
			if (need_type(ps, args[0], RULES_SET, "count()"))
				return NULL;
			n->op = OP_COUNT;
			n->type = RULES_INT;
			return n;
		case -1: /* days_since(d) = today - d */
		case -2: /* days_until(d) = d - today */
			if (need_type(ps, args[0], RULES_DATE, fns[f].name))
				return NULL;
			n->kind = N_BIN;
			n->op = OP_SUB;
			n->type = RULES_INT;
			struct node *t = mknode(ps, N_TODAY, &at);
			t->type = RULES_DATE;
			n->a = fns[f].op == -1 ? t : args[0];
			n->b = fns[f].op == -1 ? args[0] : t;
			return n;
		default:
			if (args[0]->type != args[1]->type || args[0]->type == RULES_SET ||
			    (fns[f].op != OP_COALESCE && args[0]->type != RULES_INT &&
			     args[0]->type != RULES_DATE)) {
				perr_at(
				    ps, at.line, at.col,
				    "%s() needs two arguments of the same type (%s and %s given)",
				    fns[f].name, type_name(args[0]->type),
				    type_name(args[1]->type));
				return NULL;
			}
			if (args[0]->type == RULES_SYM && args[0]->vfact != args[1]->vfact) {
				perr_at(ps, at.line, at.col,
					"%s() arguments come from different vocabularies",
					fns[f].name);
				return NULL;
			}
			n->op = fns[f].op;
			n->type = args[0]->type;
			n->vfact = args[0]->vfact;
			return n;
		}
	}
	/* let, fact, or an unresolved vocabulary value */
	for (int i = 0; i < ps->nlets; i++)
		if ((int)strlen(ps->lets[i].name) == at.len &&
		    memcmp(ps->lets[i].name, at.s, (size_t)at.len) == 0)
			return ps->lets[i].expr;
	int fi = find_fact(ps->schema, at.s, at.len);
	if (fi >= 0) {
		n = mknode(ps, N_FACT, &at);
		n->val = fi;
		n->type = ps->schema->facts[fi].type;
		n->vfact = fi;
		return n;
	}
	n = mknode(ps, N_NAME, &at);
	struct tok *copy = uc_xmalloc(sizeof(*copy));
	*copy = at;
	n->names = copy;
	n->nnames = 1;
	return n;
}

static struct node *parse_unary(struct parser *ps)
{
	struct tok at = ps->tok;

	if (accept(ps, "-")) {
		struct node *a;

		ps->depth++;
		a = parse_unary(ps);
		ps->depth--;
		if (need_type(ps, a, RULES_INT, "'-'"))
			return NULL;
		struct node *n = mknode(ps, N_UN, &at);
		n->op = OP_NEG;
		n->a = a;
		n->type = RULES_INT;
		return n;
	}
	return parse_primary(ps);
}

static struct node *parse_term(struct parser *ps)
{
	struct node *a = parse_unary(ps);

	while (!ps->failed && tok_is(&ps->tok, "*")) {
		struct tok at = ps->tok;
		struct node *b, *n;

		next(ps);
		b = parse_unary(ps);
		if (need_type(ps, a, RULES_INT, "'*'") || need_type(ps, b, RULES_INT, "'*'"))
			return NULL;
		n = mknode(ps, N_BIN, &at);
		n->op = OP_MUL;
		n->a = a;
		n->b = b;
		n->type = RULES_INT;
		a = n;
	}
	return a;
}

static struct node *parse_sum(struct parser *ps)
{
	struct node *a = parse_term(ps);

	while (!ps->failed && (tok_is(&ps->tok, "+") || tok_is(&ps->tok, "-"))) {
		struct tok at = ps->tok;
		int plus = tok_is(&at, "+");
		struct node *b, *n;
		enum rules_type t;

		next(ps);
		b = parse_term(ps);
		if (need_typed(ps, a) || need_typed(ps, b))
			return NULL;
		/* int+int, date+int, int+date, date-int -> date; date-date -> int */
		if (a->type == RULES_INT && b->type == RULES_INT)
			t = RULES_INT;
		else if (a->type == RULES_DATE && b->type == RULES_INT)
			t = RULES_DATE;
		else if (plus && a->type == RULES_INT && b->type == RULES_DATE)
			t = RULES_DATE;
		else if (!plus && a->type == RULES_DATE && b->type == RULES_DATE)
			t = RULES_INT;
		else {
			perr_at(ps, at.line, at.col,
				"cannot %s %s and %s (dates and numbers of days only)",
				plus ? "add" : "subtract", type_name(a->type), type_name(b->type));
			return NULL;
		}
		n = mknode(ps, N_BIN, &at);
		n->op = plus ? OP_ADD : OP_SUB;
		n->a = a;
		n->b = b;
		n->type = t;
		a = n;
	}
	return a;
}

static int cmp_opcode(const struct tok *t)
{
	static const struct {
		const char *s; /* operator text */
		int op;	       /* opcode */
	} ops[] = {{"==", OP_EQ}, {"=", OP_EQ}, {"!=", OP_NE}, {"<", OP_LT},
		   {"<=", OP_LE}, {">", OP_GT}, {">=", OP_GE}};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (t->kind == T_PUNCT && tok_is(t, ops[i].s))
			return ops[i].op;
	return 0;
}

static struct node *parse_cmp(struct parser *ps)
{
	struct node *a = parse_sum(ps);
	struct tok at = ps->tok;
	int op;

	if (!a || ps->failed)
		return NULL;
	op = cmp_opcode(&at);
	if (op) {
		struct node *b, *n;

		next(ps);
		b = parse_sum(ps);
		if (!b)
			return NULL;
		/* resolve a bare name against the other side's vocabulary */
		if (a->kind == N_NAME && b->kind != N_NAME && b->vfact >= 0 &&
		    (b->type == RULES_SYM || b->type == RULES_CODE2) &&
		    resolve_name(ps, a, b->vfact))
			return NULL;
		if (b->kind == N_NAME && a->vfact >= 0 &&
		    (a->type == RULES_SYM || a->type == RULES_CODE2) &&
		    resolve_name(ps, b, a->vfact))
			return NULL;
		if ((a->kind != N_NAME && a->type == RULES_SET) ||
		    (b->kind != N_NAME && b->type == RULES_SET)) {
			perr_at(ps, at.line, at.col,
				"sets are compared with 'has any {...}' or 'has all {...}'");
			return NULL;
		}
		if (need_typed(ps, a) || need_typed(ps, b))
			return NULL;
		if (a->type != b->type) {
			perr_at(ps, at.line, at.col, "cannot compare %s with %s",
				type_name(a->type), type_name(b->type));
			return NULL;
		}
		if (a->type == RULES_SET) {
			perr_at(ps, at.line, at.col,
				"sets are compared with 'has any {...}' or 'has all {...}'");
			return NULL;
		}
		if ((a->type == RULES_SYM || a->type == RULES_BOOL) && op != OP_EQ && op != OP_NE) {
			perr_at(ps, at.line, at.col,
				"%s can only be compared with == or !=", type_name(a->type));
			return NULL;
		}
		if (a->type == RULES_SYM && a->vfact >= 0 && b->vfact >= 0 &&
		    ps->schema->facts[a->vfact].vocab != ps->schema->facts[b->vfact].vocab) {
			perr_at(ps, at.line, at.col,
				"cannot compare values of %s with values of %s",
				ps->schema->facts[a->vfact].name, ps->schema->facts[b->vfact].name);
			return NULL;
		}
		n = mknode(ps, N_BIN, &at);
		n->op = op;
		n->a = a;
		n->b = b;
		n->type = RULES_BOOL;
		return n;
	}
	if (accept(ps, "is")) {
		int neg = accept(ps, "not");
		int present;
		struct node *n;

		if (accept(ps, "missing"))
			present = 0;
		else if (accept(ps, "present"))
			present = 1;
		else {
			expected(ps, "'missing' or 'present' after 'is'");
			return NULL;
		}
		if (need_typed(ps, a))
			return NULL;
		n = mknode(ps, N_UN, &at);
		n->op = (present ^ neg) ? OP_ISPRESENT : OP_ISMISSING;
		n->a = a;
		n->type = RULES_BOOL;
		return n;
	}
	int negin = 0;
	if (tok_is(&at, "not")) {
		/* "x not in {...}" */
		struct lexer save = ps->lx;
		struct tok savet = ps->tok;

		next(ps);
		if (tok_is(&ps->tok, "in")) {
			negin = 1;
		} else {
			ps->lx = save;
			ps->tok = savet;
			return a;
		}
	}
	if (accept(ps, "in")) {
		struct node *set, *n;

		if (need_typed(ps, a))
			return NULL;
		if (a->type != RULES_SYM && a->type != RULES_CODE2) {
			perr_at(ps, at.line, at.col,
				"'in' needs a value or a code on its left, found %s (for sets use "
				"'has any')",
				type_name(a->type));
			return NULL;
		}
		if (!tok_is(&ps->tok, "{")) {
			expected(ps, "'{' after 'in'");
			return NULL;
		}
		set = parse_set(ps);
		if (!set)
			return NULL;
		n = mknode(ps, N_IN, &at);
		n->a = a;
		n->type = RULES_BOOL;
		if (a->type == RULES_SYM) {
			n->op = OP_INMASK;
			if (set_mask(ps, set, a->vfact, &n->val))
				return NULL;
		} else {
			n->op = OP_INLIST;
			n->list = uc_xcalloc((size_t)set->nnames, sizeof(int32_t));
			n->nnames = set->nnames;
			for (int i = 0; i < set->nnames; i++) {
				struct node tmp = *set;
				tmp.names = &set->names[i];
				tmp.line = set->names[i].line;
				tmp.col = set->names[i].col;
				tmp.kind = N_NAME;
				tmp.list = NULL;
				if (resolve_name(ps, &tmp, a->vfact))
					return NULL;
				n->list[i] = tmp.val;
			}
		}
		if (negin) {
			struct node *nn = mknode(ps, N_UN, &at);
			nn->op = OP_NOT;
			nn->a = n;
			nn->type = RULES_BOOL;
			n = nn;
		}
		return n;
	}
	if (accept(ps, "has")) {
		struct node *set, *n;
		int all = 0;

		if (accept(ps, "all"))
			all = 1;
		else
			accept(ps, "any");
		if (need_type(ps, a, RULES_SET, "'has'"))
			return NULL;
		if (!tok_is(&ps->tok, "{")) {
			expected(ps, "'{' after 'has any' or 'has all'");
			return NULL;
		}
		set = parse_set(ps);
		if (!set)
			return NULL;
		n = mknode(ps, N_HAS, &at);
		n->op = all ? OP_HASALL : OP_HASANY;
		n->a = a;
		n->type = RULES_BOOL;
		if (set_mask(ps, set, a->vfact, &n->val))
			return NULL;
		return n;
	}
	return a;
}

static struct node *parse_not(struct parser *ps)
{
	struct tok at = ps->tok;

	if (accept(ps, "not")) {
		struct node *a, *n;

		ps->depth++;
		a = parse_not(ps);
		ps->depth--;
		if (need_type(ps, a, RULES_BOOL, "'not'"))
			return NULL;
		n = mknode(ps, N_UN, &at);
		n->op = OP_NOT;
		n->a = a;
		n->type = RULES_BOOL;
		return n;
	}
	return parse_cmp(ps);
}

static struct node *parse_and(struct parser *ps)
{
	struct node *a = parse_not(ps);

	while (!ps->failed && tok_is(&ps->tok, "and")) {
		struct tok at = ps->tok;
		struct node *b, *n;

		next(ps);
		b = parse_not(ps);
		if (need_type(ps, a, RULES_BOOL, "'and'") || need_type(ps, b, RULES_BOOL, "'and'"))
			return NULL;
		n = mknode(ps, N_BIN, &at);
		n->op = OP_AND;
		n->a = a;
		n->b = b;
		n->type = RULES_BOOL;
		a = n;
	}
	return a;
}

static struct node *parse_expr(struct parser *ps)
{
	struct node *a;

	if (++ps->depth > MAX_DEPTH) {
		perr_at(ps, ps->tok.line, ps->tok.col,
			"expression nested too deeply (the limit is %d)", MAX_DEPTH);
		return NULL;
	}
	a = parse_and(ps);
	while (!ps->failed && tok_is(&ps->tok, "or")) {
		struct tok at = ps->tok;
		struct node *b, *n;

		next(ps);
		b = parse_and(ps);
		if (need_type(ps, a, RULES_BOOL, "'or'") || need_type(ps, b, RULES_BOOL, "'or'"))
			return NULL;
		n = mknode(ps, N_BIN, &at);
		n->op = OP_OR;
		n->a = a;
		n->b = b;
		n->type = RULES_BOOL;
		a = n;
	}
	ps->depth--;
	return ps->failed ? NULL : a;
}

/* ------------------------------------------------------------- codegen */

static void emit(struct rules *rs, uint8_t op, uint8_t x, uint16_t n, int32_t arg)
{
	if (rs->ncode == rs->acode) {
		rs->acode = rs->acode ? rs->acode * 2 : 256;
		rs->code = uc_xrealloc(rs->code, (size_t)rs->acode * sizeof(*rs->code));
	}
	rs->code[rs->ncode].op = op;
	rs->code[rs->ncode].x = x;
	rs->code[rs->ncode].n = n;
	rs->code[rs->ncode].arg = arg;
	rs->ncode++;
}

static int is_cmp(int op)
{
	return op >= OP_EQ && op <= OP_GE;
}

/* Emit code for n; returns the stack depth it needs. */
static int gen(struct rules *rs, const struct node *n)
{
	int da, db;

	switch (n->kind) {
	case N_FACT:
		emit(rs, OP_FACT, 0, (uint16_t)n->val, 0);
		return 1;
	case N_CONST:
		emit(rs, OP_CONST, 0, 0, n->val);
		return 1;
	case N_TODAY:
		emit(rs, OP_TODAY, 0, 0, 0);
		return 1;
	case N_UN:
		if (n->op == OP_ISMISSING && n->a->kind == N_FACT) {
			emit(rs, OP_FMISSING, 0, (uint16_t)n->a->val, 0);
			return 1;
		}
		da = gen(rs, n->a);
		emit(rs, (uint8_t)n->op, 0, 0, 0);
		return da;
	case N_BIN:
		if (is_cmp(n->op) && n->a->kind == N_FACT && n->b->kind == N_CONST) {
			emit(rs, OP_FCMPK, (uint8_t)n->op, (uint16_t)n->a->val, n->b->val);
			return 1;
		}
		if (n->op == OP_AND || n->op == OP_OR) {
			/* short-circuit: a known false (and) / true (or) decides */
			int jump;

			da = gen(rs, n->a);
			jump = rs->ncode;
			emit(rs, n->op == OP_AND ? OP_JF : OP_JT, 0, 0, 0);
			db = gen(rs, n->b) + 1;
			emit(rs, (uint8_t)n->op, 0, 0, 0);
			rs->code[jump].arg = rs->ncode - jump - 1;
			return db > da ? db : da;
		}
		/* fall through */
	case N_CALL:
		da = gen(rs, n->a);
		if (n->b) {
			db = gen(rs, n->b) + 1;
			if (db > da)
				da = db;
		}
		emit(rs, (uint8_t)n->op, 0, 0, 0);
		return da;
	case N_IN:
		if (n->op == OP_INMASK && n->a->kind == N_FACT) {
			emit(rs, OP_FINMASK, 0, (uint16_t)n->a->val, n->val);
			return 1;
		}
		da = gen(rs, n->a);
		if (n->op == OP_INLIST) {
			int k = rs->nconsts;

			for (int i = 0; i < n->nnames; i++) {
				if (rs->nconsts == rs->aconsts) {
					rs->aconsts = rs->aconsts ? rs->aconsts * 2 : 32;
					rs->consts = uc_xrealloc(rs->consts, (size_t)rs->aconsts *
										 sizeof(int32_t));
				}
				rs->consts[rs->nconsts++] = n->list[i];
			}
			emit(rs, OP_INLIST, 0, (uint16_t)n->nnames, k);
		} else {
			emit(rs, OP_INMASK, 0, 0, n->val);
		}
		return da;
	case N_HAS:
		if (n->op == OP_HASANY && n->a->kind == N_FACT) {
			emit(rs, OP_FHASANY, 0, (uint16_t)n->a->val, n->val);
			return 1;
		}
		da = gen(rs, n->a);
		emit(rs, (uint8_t)n->op, 0, 0, n->val);
		return da;
	case N_NAME:
	case N_SET:
		break;
	}
	BUG("untyped node reached code generation");
}

static void reads_of(const struct node *n, uint64_t m[2])
{
	if (!n)
		return;
	if (n->kind == N_FACT)
		m[n->val >> 6] |= (uint64_t)1 << (n->val & 63);
	reads_of(n->a, m);
	reads_of(n->b, m);
}

static struct prog compile_expr(struct rules *rs, const struct node *n)
{
	struct prog p = {rs->ncode, 0};

	if (n)
		gen(rs, n);
	p.len = rs->ncode - p.start;
	return p;
}

/* ------------------------------------------------------------ evaluator */

struct val {
	int32_t v; /* value */
	int32_t n; /* nonzero: missing */
};

static int32_t clamp64(int64_t v)
{
	if (v > INT32_MAX / 2)
		return INT32_MAX / 2;
	if (v < -(INT32_MAX / 2))
		return -(INT32_MAX / 2);
	return (int32_t)v;
}

static int cmp_apply(int op, int32_t a, int32_t b)
{
	switch (op) {
	case OP_EQ:
		return a == b;
	case OP_NE:
		return a != b;
	case OP_LT:
		return a < b;
	case OP_LE:
		return a <= b;
	case OP_GT:
		return a > b;
	default:
		return a >= b;
	}
}

/* Run prog; the result is the top of the stack. */
static struct val run(const struct rules *rs, struct prog p, const struct rules_facts *f)
{
	struct val st[MAX_DEPTH + 4];
	int sp = 0;
	const struct insn *c = rs->code + p.start;
	const struct insn *end = c + p.len;

	/* fast path: one-instruction programs (a fused comparison, a fact, a
	 * constant) are common in rule sets and need no stack */
	if (p.len == 1) {
		struct val v;

		switch (c->op) {
		case OP_FCMPK:
			v.n = rules_fact_missing(f, c->n);
			v.v = cmp_apply(c->x, f->v[c->n], c->arg);
			return v;
		case OP_FHASANY:
			v.n = rules_fact_missing(f, c->n);
			v.v = ((uint32_t)f->v[c->n] & (uint32_t)c->arg) != 0;
			return v;
		case OP_FACT:
			v.n = rules_fact_missing(f, c->n);
			v.v = f->v[c->n];
			return v;
		case OP_CONST:
			v.n = 0;
			v.v = c->arg;
			return v;
		default:
			break;
		}
	}

	for (; c < end; c++) {
		struct val *a, *b;

		switch (c->op) {
		case OP_FACT:
			st[sp].v = f->v[c->n];
			st[sp].n = rules_fact_missing(f, c->n);
			sp++;
			break;
		case OP_CONST:
			st[sp].v = c->arg;
			st[sp].n = 0;
			sp++;
			break;
		case OP_TODAY:
			st[sp].v = f->today;
			st[sp].n = 0;
			sp++;
			break;
		case OP_FCMPK:
			st[sp].n = rules_fact_missing(f, c->n);
			st[sp].v = cmp_apply(c->x, f->v[c->n], c->arg);
			sp++;
			break;
		case OP_FMISSING:
			st[sp].v = rules_fact_missing(f, c->n);
			st[sp].n = 0;
			sp++;
			break;
		case OP_FINMASK: {
			int32_t v = f->v[c->n];

			st[sp].n = rules_fact_missing(f, c->n);
			st[sp].v = v >= 0 && v < 32 && (((uint32_t)c->arg >> v) & 1);
			sp++;
			break;
		}
		case OP_FHASANY:
			st[sp].n = rules_fact_missing(f, c->n);
			st[sp].v = ((uint32_t)f->v[c->n] & (uint32_t)c->arg) != 0;
			sp++;
			break;
		case OP_JF:
			if (!st[sp - 1].n && !st[sp - 1].v)
				c += c->arg;
			break;
		case OP_JT:
			if (!st[sp - 1].n && st[sp - 1].v)
				c += c->arg;
			break;
		case OP_NOT:
			st[sp - 1].v = !st[sp - 1].v;
			break;
		case OP_NEG:
			st[sp - 1].v = clamp64(-(int64_t)st[sp - 1].v);
			break;
		case OP_ISMISSING:
			st[sp - 1].v = st[sp - 1].n != 0;
			st[sp - 1].n = 0;
			break;
		case OP_ISPRESENT:
			st[sp - 1].v = st[sp - 1].n == 0;
			st[sp - 1].n = 0;
			break;
		case OP_COUNT:
			st[sp - 1].v = __builtin_popcount((uint32_t)st[sp - 1].v);
			break;
		case OP_INMASK:
			st[sp - 1].v = st[sp - 1].v >= 0 && st[sp - 1].v < 32 &&
				       (((uint32_t)c->arg >> st[sp - 1].v) & 1);
			break;
		case OP_INLIST: {
			int hit = 0;

			for (int i = 0; i < c->n; i++)
				hit |= rs->consts[c->arg + i] == st[sp - 1].v;
			st[sp - 1].v = hit;
			break;
		}
		case OP_HASANY:
			st[sp - 1].v = ((uint32_t)st[sp - 1].v & (uint32_t)c->arg) != 0;
			break;
		case OP_HASALL:
			st[sp - 1].v =
			    ((uint32_t)st[sp - 1].v & (uint32_t)c->arg) == (uint32_t)c->arg;
			break;
		default:
			sp--;
			a = &st[sp - 1];
			b = &st[sp];
			switch (c->op) {
			case OP_AND:
				if ((!a->n && !a->v) || (!b->n && !b->v)) {
					a->v = 0;
					a->n = 0;
				} else {
					a->v = 1;
					a->n = a->n | b->n;
				}
				break;
			case OP_OR:
				if ((!a->n && a->v) || (!b->n && b->v)) {
					a->v = 1;
					a->n = 0;
				} else {
					a->v = 0;
					a->n = a->n | b->n;
				}
				break;
			case OP_ADD:
				a->v = clamp64((int64_t)a->v + b->v);
				a->n |= b->n;
				break;
			case OP_SUB:
				a->v = clamp64((int64_t)a->v - b->v);
				a->n |= b->n;
				break;
			case OP_MUL:
				a->v = clamp64((int64_t)a->v * b->v);
				a->n |= b->n;
				break;
			case OP_COALESCE:
				if (a->n)
					*a = *b;
				break;
			case OP_MIN:
				a->v = a->v < b->v ? a->v : b->v;
				a->n |= b->n;
				break;
			case OP_MAX:
				a->v = a->v > b->v ? a->v : b->v;
				a->n |= b->n;
				break;
			default: /* comparisons */
				a->v = cmp_apply(c->op, a->v, b->v);
				a->n |= b->n;
				break;
			}
		}
	}
	if (sp == 0) {
		struct val t = {1, 0};
		return t;
	}
	return st[sp - 1];
}

static int holds_true(const struct rules *rs, struct prog p, const struct rules_facts *f)
{
	struct val v;

	if (p.len == 0)
		return 1;
	v = run(rs, p, f);
	return !v.n && v.v;
}

void rules_facts_init(struct rules_facts *f, int32_t today)
{
	memset(f->v, 0, sizeof(f->v));
	f->missing[0] = ~(uint64_t)0;
	f->missing[1] = ~(uint64_t)0;
	f->today = today;
}

void rules_eval(const struct rules *rs, const struct rules_facts *f, struct rules_outcome *out)
{
	int64_t total = 0;
	int64_t gs[RULES_MAX_GROUPS] = {0};
	uint32_t gfired = 0;

	out->group = -1;
	out->fired = 0;
	out->holds = 0;
	out->blocked = 0;
	out->tasks = 0;
	out->phase = -1;
	for (int p = 0; p < rs->nphases; p++) {
		if (holds_true(rs, rs->phases[p].cond, f)) {
			out->phase = p;
			break;
		}
	}
	uint32_t phase_bit = out->phase >= 0 ? 1u << rs->phases[out->phase].phase : 1u;
	for (int r = 0; r < rs->nrules; r++) {
		const struct item *it = &rs->rules[r];
		int32_t s;

		if (it->phase_mask && !(it->phase_mask & phase_bit))
			continue;
		if (!holds_true(rs, it->cond, f))
			continue;
		out->fired |= (uint64_t)1 << r;
		s = it->score_const;
		if (it->score.len) {
			struct val v = run(rs, it->score, f);

			s = v.n ? 0 : v.v;
		}
		total += s;
		gs[it->group] += s;
		gfired |= 1u << it->group;
	}
	for (int g = 0; g < rs->ngroups; g++) {
		out->group_score[g] = clamp64(gs[g]);
		if ((gfired >> g) & 1) {
			if (out->group < 0 || gs[g] > gs[out->group])
				out->group = g;
		}
	}
	out->score = clamp64(total);
	for (int h = 0; h < rs->nholds; h++) {
		if (holds_true(rs, rs->holds[h].cond, f)) {
			out->holds |= (uint64_t)1 << h;
			out->blocked |= rs->holds[h].blocks;
		}
	}
	for (int t = 0; t < rs->ntasks; t++) {
		const struct item *it = &rs->tasks[t];
		struct val v;

		if (it->phase_mask && !(it->phase_mask & phase_bit))
			continue;
		if (!holds_true(rs, it->cond, f))
			continue;
		out->tasks |= 1u << t;
		out->due[t] = f->today;
		if (it->due.len) {
			v = run(rs, it->due, f);
			if (!v.n)
				out->due[t] = it->due_type == RULES_DATE
						  ? v.v
						  : clamp64((int64_t)f->today + v.v);
		}
	}
	for (int k = 0; k < RULES_MAX_ORDER; k++) {
		out->order[k] = INT32_MAX;
		if (k < rs->norder) {
			struct val v = run(rs, rs->order[k], f);

			if (!v.n)
				out->order[k] = rs->order_desc[k] ? -v.v : v.v;
		}
	}
}

void rules_recompute_blocked(const struct rules *rs, struct rules_outcome *out)
{
	out->blocked = 0;
	for (int h = 0; h < rs->nholds; h++)
		if ((out->holds >> h) & 1)
			out->blocked |= rs->holds[h].blocks;
}

/* ------------------------------------------------------- declarations */

/* Check a reason template's {fact} placeholders; add them to reads. */
static int check_template(struct parser *ps, const struct tok *at, const char *s, uint64_t reads[2])
{
	for (const char *p = s; *p; p++) {
		if (*p == '{' && p[1] == '{') {
			p++;
			continue;
		}
		if (*p != '{')
			continue;
		const char *e = strchr(p, '}');
		if (!e) {
			perr_at(ps, at->line, at->col,
				"reason template: expected '}' closing '{' (write '{{' for a "
				"literal brace)");
			return -1;
		}
		int fi = find_fact(ps->schema, p + 1, (int)(e - p - 1));
		if (fi < 0 && !((e - p - 1) == 5 && memcmp(p + 1, "today", 5) == 0)) {
			perr_at(ps, at->line, at->col,
				"reason template: unknown fact '{%.*s}'; expected a fact name",
				(int)(e - p - 1), p + 1);
			return -1;
		}
		if (fi >= 0)
			reads[fi >> 6] |= (uint64_t)1 << (fi & 63);
		p = e;
	}
	return 0;
}

/* After `label`: `"Text"` (the default language) or `LANG "Text"` (LANG
 * two or three lowercase letters, e.g. es). One label per language. */
static int parse_label(struct parser *ps, struct labelset *ls, int allow_default)
{
	char lang[8] = "";
	struct tok at = ps->tok;

	if (ps->tok.kind == T_IDENT && !is_keyword(&ps->tok)) {
		int ok = ps->tok.len >= 2 && ps->tok.len <= 3;

		for (int i = 0; ok && i < ps->tok.len; i++)
			ok = ps->tok.s[i] >= 'a' && ps->tok.s[i] <= 'z';
		if (!ok) {
			expected(ps, "a language tag of two or three lowercase letters (es) or a "
				     "label string after 'label'");
			return -1;
		}
		memcpy(lang, ps->tok.s, (size_t)ps->tok.len);
		lang[ps->tok.len] = '\0';
		next(ps);
	} else if (!allow_default && ps->tok.kind == T_STRING) {
		expected(ps, "a language tag before the label (the group's own label is its "
			     "default): label es \"...\"");
		return -1;
	}
	if (ps->tok.kind != T_STRING) {
		expected(ps, lang[0] ? "a label string after the language tag"
				     : "a label string after 'label'");
		return -1;
	}
	for (int i = 0; i < ls->n; i++) {
		if (strcmp(ls->lang[i], lang) == 0) {
			perr_at(ps, at.line, at.col, "a label %s%s is already declared here",
				lang[0] ? "in " : "", lang[0] ? lang : "in the default language");
			return -1;
		}
	}
	if (ls->n >= RULES_MAX_LANGS) {
		perr_at(ps, at.line, at.col, "too many labels (the limit is %d languages)",
			RULES_MAX_LANGS);
		return -1;
	}
	memcpy(ls->lang[ls->n], lang, sizeof(lang));
	ls->text[ls->n] = string_value(&ps->tok);
	ls->n++;
	next(ps);
	return 0;
}

static int parse_reason(struct parser *ps, struct item *it)
{
	if (ps->tok.kind != T_STRING) {
		expected(ps, "a reason string after 'reason'");
		return -1;
	}
	free(it->reason);
	it->reason = string_value(&ps->tok);
	if (check_template(ps, &ps->tok, it->reason, it->reads))
		return -1;
	next(ps);
	return 0;
}

static int parse_cond(struct parser *ps, struct item *it, const char *what)
{
	struct node *n;

	n = parse_expr(ps);
	if (!n)
		return -1;
	if (n->kind == N_NAME || n->kind == N_SET) {
		need_typed(ps, n);
		return -1;
	}
	if (n->type != RULES_BOOL) {
		perr_at(ps, n->line, n->col, "the condition of %s must be true or false, found %s",
			what, type_name(n->type));
		return -1;
	}
	reads_of(n, it->reads);
	it->cond = compile_expr(ps->rs, n);
	return 0;
}

/* The current token starts a new declaration. `except` is a declaration
 * keyword that is a clause of the declaration being parsed (a rule's
 * `group`, a task's `phase`) and so does not end it. */
static int at_decl_start(struct parser *ps, const char *except)
{
	static const char *const starts[] = {"rule",  "hold", "group",	 "phase",  "task",
					     "order", "let",  "ruleset", "remind", NULL};

	if (ps->tok.kind == T_EOF)
		return 1;
	for (int i = 0; starts[i]; i++)
		if (tok_is(&ps->tok, starts[i]) && !(except && strcmp(except, starts[i]) == 0))
			return 1;
	return 0;
}

static int name_taken(struct parser *ps, const char *name)
{
	const struct rules *rs = ps->rs;

	for (int i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].name, name) == 0)
			return 1;
	for (int i = 0; i < rs->nholds; i++)
		if (strcmp(rs->holds[i].name, name) == 0)
			return 1;
	return 0;
}

static int parse_phase_list(struct parser *ps, uint32_t *mask);

static int parse_rule(struct parser *ps)
{
	struct rules *rs = ps->rs;
	struct tok at = ps->tok;
	char name[64];
	struct item *it;
	int have_group = 0, have_when = 0;

	next(ps);
	if (expect_ident(ps, "a rule name after 'rule'", name, &at))
		return -1;
	if (rs->nrules >= RULES_MAX_RULES) {
		perr_at(ps, at.line, at.col, "too many rules (the limit is %d)", RULES_MAX_RULES);
		return -1;
	}
	if (name_taken(ps, name)) {
		perr_at(ps, at.line, at.col, "'%s' is already declared", name);
		return -1;
	}
	it = &rs->rules[rs->nrules++];
	it->name = uc_xstrdup(name);
	it->line = at.line;
	while (!ps->failed && !at_decl_start(ps, have_group ? NULL : "group")) {
		if (accept(ps, "group")) {
			char g[64];
			struct tok gt;

			if (expect_ident(ps, "a group name after 'group'", g, &gt))
				return -1;
			it->group = rules_group_find(rs, g);
			if (it->group < 0) {
				perr_at(
				    ps, gt.line, gt.col,
				    "unknown group '%s'; declare it first with: group %s \"Label\"",
				    g, g);
				return -1;
			}
			have_group = 1;
		} else if (accept(ps, "phases")) {
			if (parse_phase_list(ps, &it->phase_mask))
				return -1;
		} else if (accept(ps, "score")) {
			struct node *n = parse_expr(ps);

			if (need_type(ps, n, RULES_INT, "'score'"))
				return -1;
			if (n->kind == N_CONST) {
				it->score_const = n->val;
			} else {
				reads_of(n, it->reads);
				it->score = compile_expr(rs, n);
			}
		} else if (accept(ps, "when")) {
			if (parse_cond(ps, it, "a rule"))
				return -1;
			have_when = 1;
		} else if (accept(ps, "reason")) {
			if (parse_reason(ps, it))
				return -1;
		} else if (accept(ps, "label")) {
			if (parse_label(ps, &it->labels, 1))
				return -1;
		} else {
			expected(
			    ps,
			    "'group', 'score', 'phases', 'when', 'reason' or 'label' in a rule");
			return -1;
		}
	}
	if (!ps->failed && !have_group)
		perr_at(ps, at.line, at.col, "rule '%s' needs 'group NAME'", name);
	if (!ps->failed && !have_when)
		perr_at(ps, at.line, at.col, "rule '%s' needs 'when CONDITION'", name);
	return ps->failed ? -1 : 0;
}

static int parse_action_list(struct parser *ps, uint32_t *mask)
{
	do {
		char a[64];
		struct tok at;
		int ai;

		if (expect_ident(ps, "an action name", a, &at))
			return -1;
		ai = find_action(ps, a);
		if (ai < 0) {
			char list[400];

			vocab_list(ps->schema->actions, list, sizeof(list));
			perr_at(ps, at.line, at.col, "unknown action '%s'; expected one of: %s", a,
				list);
			return -1;
		}
		*mask |= 1u << ai;
	} while (accept(ps, ","));
	return 0;
}

static int parse_hold(struct parser *ps)
{
	struct rules *rs = ps->rs;
	struct tok at = ps->tok;
	char name[64];
	struct item *it;
	int have_when = 0;

	next(ps);
	if (expect_ident(ps, "a hold name after 'hold'", name, &at))
		return -1;
	if (rs->nholds >= RULES_MAX_HOLDS) {
		perr_at(ps, at.line, at.col, "too many holds (the limit is %d)", RULES_MAX_HOLDS);
		return -1;
	}
	if (name_taken(ps, name)) {
		perr_at(ps, at.line, at.col, "'%s' is already declared", name);
		return -1;
	}
	it = &rs->holds[rs->nholds++];
	it->name = uc_xstrdup(name);
	it->line = at.line;
	while (!ps->failed && !at_decl_start(ps, NULL)) {
		if (accept(ps, "blocks")) {
			if (parse_action_list(ps, &it->blocks))
				return -1;
		} else if (accept(ps, "when")) {
			if (parse_cond(ps, it, "a hold"))
				return -1;
			have_when = 1;
		} else if (accept(ps, "reason")) {
			if (parse_reason(ps, it))
				return -1;
		} else if (accept(ps, "statutory")) {
			it->statutory = 1;
		} else if (accept(ps, "label")) {
			if (parse_label(ps, &it->labels, 1))
				return -1;
		} else {
			expected(ps,
				 "'blocks', 'when', 'reason', 'statutory' or 'label' in a hold");
			return -1;
		}
	}
	if (!ps->failed && !have_when)
		perr_at(ps, at.line, at.col, "hold '%s' needs 'when CONDITION'", name);
	if (!ps->failed && !it->blocks)
		perr_at(ps, at.line, at.col, "hold '%s' needs 'blocks ACTION, ...'", name);
	return ps->failed ? -1 : 0;
}

static int parse_phase_number(struct parser *ps, int *out)
{
	if (ps->tok.kind != T_INT || ps->tok.ival < 1 || ps->tok.ival > 4) {
		expected(ps, "a phase number 1 to 4");
		return -1;
	}
	*out = ps->tok.ival;
	next(ps);
	return 0;
}

/* `phases N, M, ...` clause of a rule or task. */
static int parse_phase_list(struct parser *ps, uint32_t *mask)
{
	do {
		int n;

		if (parse_phase_number(ps, &n))
			return -1;
		*mask |= 1u << n;
	} while (accept(ps, ","));
	return 0;
}

static int parse_phase(struct parser *ps)
{
	struct rules *rs = ps->rs;
	struct tok at = ps->tok;
	char name[64];
	struct item *it;

	next(ps);
	if (rs->nphases >= RULES_MAX_PHASES) {
		perr_at(ps, at.line, at.col, "too many phases (the limit is %d)", RULES_MAX_PHASES);
		return -1;
	}
	it = &rs->phases[rs->nphases];
	if (parse_phase_number(ps, &it->phase))
		return -1;
	if (expect_ident(ps, "a phase name after the phase number", name, NULL))
		return -1;
	rs->nphases++;
	it->name = uc_xstrdup(name);
	it->line = at.line;
	while (!ps->failed && !at_decl_start(ps, NULL)) {
		if (accept(ps, "when")) {
			if (parse_cond(ps, it, "a phase"))
				return -1;
		} else if (accept(ps, "reason")) {
			if (parse_reason(ps, it))
				return -1;
		} else if (accept(ps, "label")) {
			if (parse_label(ps, &it->labels, 1))
				return -1;
		} else {
			expected(ps, "'when', 'reason' or 'label' in a phase");
			return -1;
		}
	}
	return ps->failed ? -1 : 0;
}

static int parse_task(struct parser *ps)
{
	struct rules *rs = ps->rs;
	struct tok at = ps->tok;
	char name[64];
	struct item *it;

	next(ps);
	if (rs->ntasks >= RULES_MAX_TASKS) {
		perr_at(ps, at.line, at.col, "too many tasks (the limit is %d)", RULES_MAX_TASKS);
		return -1;
	}
	if (expect_ident(ps, "an action name after 'task'", name, &at))
		return -1;
	it = &rs->tasks[rs->ntasks];
	it->action = find_action(ps, name);
	if (it->action < 0) {
		char list[400];

		vocab_list(ps->schema->actions, list, sizeof(list));
		perr_at(ps, at.line, at.col, "unknown action '%s'; expected one of: %s", name,
			list);
		return -1;
	}
	rs->ntasks++;
	it->name = uc_xstrdup(name);
	it->line = at.line;
	it->due_type = RULES_INT;
	while (!ps->failed && !at_decl_start(ps, NULL)) {
		if (accept(ps, "phases")) {
			if (parse_phase_list(ps, &it->phase_mask))
				return -1;
		} else if (accept(ps, "when")) {
			if (parse_cond(ps, it, "a task"))
				return -1;
		} else if (accept(ps, "due")) {
			struct node *n = parse_expr(ps);

			if (need_typed(ps, n))
				return -1;
			if (n->type != RULES_INT && n->type != RULES_DATE) {
				perr_at(ps, n->line, n->col,
					"'due' needs a number of days or a date, found %s",
					type_name(n->type));
				return -1;
			}
			it->due_type = n->type;
			reads_of(n, it->reads);
			it->due = compile_expr(rs, n);
		} else if (accept(ps, "reason")) {
			if (parse_reason(ps, it))
				return -1;
		} else if (accept(ps, "label")) {
			if (parse_label(ps, &it->labels, 1))
				return -1;
		} else {
			expected(ps, "'phases', 'when', 'due', 'reason' or 'label' in a task");
			return -1;
		}
	}
	return ps->failed ? -1 : 0;
}

static int parse_group(struct parser *ps)
{
	struct rules *rs = ps->rs;
	struct tok at = ps->tok;
	char name[64];

	next(ps);
	if (expect_ident(ps, "a group name after 'group'", name, &at))
		return -1;
	if (rules_group_find(rs, name) >= 0) {
		perr_at(ps, at.line, at.col, "group '%s' is already declared", name);
		return -1;
	}
	if (rs->ngroups >= RULES_MAX_GROUPS) {
		perr_at(ps, at.line, at.col, "too many groups (the limit is %d)", RULES_MAX_GROUPS);
		return -1;
	}
	rs->group_name[rs->ngroups] = uc_xstrdup(name);
	if (ps->tok.kind == T_STRING) {
		rs->group_label[rs->ngroups] = string_value(&ps->tok);
		next(ps);
	} else {
		rs->group_label[rs->ngroups] = uc_xstrdup(name);
	}
	rs->ngroups++;
	while (!ps->failed && accept(ps, "label")) {
		if (parse_label(ps, &rs->group_tr[rs->ngroups - 1], 0))
			return -1;
	}
	return ps->failed ? -1 : 0;
}

static int parse_let(struct parser *ps)
{
	struct tok at;
	char name[64];
	struct node *n;

	next(ps);
	if (expect_ident(ps, "a name after 'let'", name, &at))
		return -1;
	if (find_fact(ps->schema, name, (int)strlen(name)) >= 0) {
		perr_at(ps, at.line, at.col, "'%s' is a fact; choose another name", name);
		return -1;
	}
	for (int i = 0; i < ps->nlets; i++)
		if (strcmp(ps->lets[i].name, name) == 0) {
			perr_at(ps, at.line, at.col, "'%s' is already defined", name);
			return -1;
		}
	if (ps->nlets >= MAX_LETS) {
		perr_at(ps, at.line, at.col, "too many lets (the limit is %d)", MAX_LETS);
		return -1;
	}
	if (expect(ps, "=", "'=' after the name"))
		return -1;
	n = parse_expr(ps);
	if (need_typed(ps, n))
		return -1;
	memcpy(ps->lets[ps->nlets].name, name, sizeof(name));
	ps->lets[ps->nlets].expr = n;
	ps->nlets++;
	return 0;
}

static const char *const remind_names[RULES_REMIND_COUNT] = {"due_soon", "no_contact"};
static const int32_t remind_default[RULES_REMIND_COUNT] = {7, 60};

/* remind due_soon 7d | remind no_contact 60d */
static int parse_remind(struct parser *ps)
{
	struct tok at;
	char name[64];
	int k;

	next(ps);
	if (expect_ident(ps, "a reminder name (due_soon or no_contact) after 'remind'", name, &at))
		return -1;
	for (k = 0; k < RULES_REMIND_COUNT; k++)
		if (strcmp(remind_names[k], name) == 0)
			break;
	if (k == RULES_REMIND_COUNT) {
		perr_at(ps, at.line, at.col, "unknown reminder '%s' (known: due_soon, no_contact)",
			name);
		return -1;
	}
	if (ps->tok.kind != T_INT || ps->tok.ival < 1 || ps->tok.ival > 3660) {
		expected(ps, "a number of days from 1 to 3660 (e.g. 7d) after the reminder name");
		return -1;
	}
	ps->rs->remind[k] = ps->tok.ival;
	next(ps);
	return 0;
}

int32_t rules_remind_days(const struct rules *rs, enum rules_remind r)
{
	return (int)r >= 0 && r < RULES_REMIND_COUNT ? rs->remind[r] : 0;
}

static int parse_order(struct parser *ps)
{
	struct rules *rs = ps->rs;
	struct tok at = ps->tok;

	next(ps);
	if (expect(ps, "by", "'by' after 'order'"))
		return -1;
	if (rs->norder) {
		perr_at(ps, at.line, at.col, "'order by' may appear only once");
		return -1;
	}
	do {
		struct node *n;

		if (rs->norder >= RULES_MAX_ORDER) {
			perr_at(ps, ps->tok.line, ps->tok.col,
				"at most %d tie-break keys (score always comes first)",
				RULES_MAX_ORDER);
			return -1;
		}
		n = parse_expr(ps);
		if (need_typed(ps, n))
			return -1;
		if (n->type != RULES_INT && n->type != RULES_DATE) {
			perr_at(ps, n->line, n->col,
				"a tie-break key must be a number or a date, found %s",
				type_name(n->type));
			return -1;
		}
		rs->order[rs->norder] = compile_expr(rs, n);
		if (accept(ps, "desc"))
			rs->order_desc[rs->norder] = 1;
		else
			accept(ps, "asc");
		rs->norder++;
	} while (accept(ps, ","));
	return ps->failed ? -1 : 0;
}

static void hash_text(const char *text, size_t len, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	for (int i = 15; i >= 0; i--) {
		out[i] = hex[h & 15];
		h >>= 4;
	}
	out[16] = '\0';
}

int rules_compile(struct rules **out, const char *file, const char *text, size_t len,
		  const struct rules_schema *schema, struct uc_err *err)
{
	struct parser *ps = uc_xcalloc(1, sizeof(*ps));
	struct rules *rs = uc_xcalloc(1, sizeof(*rs));
	int rc = UC_OK;

	memcpy(rs->remind, remind_default, sizeof(rs->remind));
	*out = NULL;
	if (schema->nfacts > RULES_MAX_FACTS)
		BUG("schema has %d facts, limit %d", schema->nfacts, RULES_MAX_FACTS);
	rs->schema = schema;
	rs->name = uc_xstrdup("");
	hash_text(text, len, rs->hash);
	ps->rs = rs;
	ps->schema = schema;
	ps->err = err;
	ps->lx.file = file;
	ps->lx.p = text;
	ps->lx.end = text + len;
	ps->lx.line = 1;
	ps->lx.col = 1;
	while (schema->actions && schema->actions[ps->nactions])
		ps->nactions++;
	if (ps->nactions > MAX_ACTIONS)
		BUG("schema has %d actions, limit %d", ps->nactions, MAX_ACTIONS);
	next(ps);
	while (!ps->failed && ps->tok.kind != T_EOF) {
		if (tok_is(&ps->tok, "rule"))
			parse_rule(ps);
		else if (tok_is(&ps->tok, "hold"))
			parse_hold(ps);
		else if (tok_is(&ps->tok, "group"))
			parse_group(ps);
		else if (tok_is(&ps->tok, "phase"))
			parse_phase(ps);
		else if (tok_is(&ps->tok, "task"))
			parse_task(ps);
		else if (tok_is(&ps->tok, "let"))
			parse_let(ps);
		else if (tok_is(&ps->tok, "order"))
			parse_order(ps);
		else if (tok_is(&ps->tok, "remind"))
			parse_remind(ps);
		else if (tok_is(&ps->tok, "ruleset")) {
			next(ps);
			if (ps->tok.kind != T_STRING) {
				expected(ps, "a name string after 'ruleset'");
				break;
			}
			free(rs->name);
			rs->name = string_value(&ps->tok);
			next(ps);
		} else
			expected(ps, "a declaration (rule, hold, group, let, phase, task, order, "
				     "remind or ruleset)");
	}
	if (!ps->failed && rs->ngroups == 0)
		perr_at(ps, ps->lx.line, ps->lx.col, "expected at least one 'group' declaration");
	if (ps->failed) {
		rc = err && err->code ? err->code : UC_EINPUT;
		rules_free(rs);
		rs = NULL;
	}
	free_nodes(ps);
	free(ps);
	*out = rs;
	return rc;
}

static void free_labels(struct labelset *ls)
{
	for (int i = 0; i < ls->n; i++)
		free(ls->text[i]);
}

static void free_item(struct item *it)
{
	free(it->name);
	free(it->reason);
	free_labels(&it->labels);
}

void rules_free(struct rules *rs)
{
	if (!rs)
		return;
	for (int i = 0; i < rs->ngroups; i++) {
		free(rs->group_name[i]);
		free(rs->group_label[i]);
		free_labels(&rs->group_tr[i]);
	}
	for (int i = 0; i < rs->nrules; i++)
		free_item(&rs->rules[i]);
	for (int i = 0; i < rs->nholds; i++)
		free_item(&rs->holds[i]);
	for (int i = 0; i < rs->nphases; i++)
		free_item(&rs->phases[i]);
	for (int i = 0; i < rs->ntasks; i++)
		free_item(&rs->tasks[i]);
	free(rs->code);
	free(rs->consts);
	free(rs->name);
	free(rs);
}

/* ------------------------------------------------------- introspection */

const char *rules_hash(const struct rules *rs)
{
	return rs->hash;
}
const char *rules_name(const struct rules *rs)
{
	return rs->name;
}
int rules_group_count(const struct rules *rs)
{
	return rs->ngroups;
}
const char *rules_group_name(const struct rules *rs, int g)
{
	return g >= 0 && g < rs->ngroups ? rs->group_name[g] : "none";
}
const char *rules_group_label(const struct rules *rs, int g)
{
	return g >= 0 && g < rs->ngroups ? rs->group_label[g] : "No group";
}
int rules_group_find(const struct rules *rs, const char *name)
{
	for (int i = 0; i < rs->ngroups; i++)
		if (strcmp(rs->group_name[i], name) == 0)
			return i;
	return -1;
}
int rules_rule_count(const struct rules *rs)
{
	return rs->nrules;
}
const char *rules_rule_name(const struct rules *rs, int r)
{
	return rs->rules[r].name;
}
int rules_rule_group(const struct rules *rs, int r)
{
	return rs->rules[r].group;
}
int32_t rules_rule_score_of(const struct rules *rs, int r, const struct rules_facts *f)
{
	const struct item *it = &rs->rules[r];
	struct val v;

	if (!it->score.len)
		return it->score_const;
	v = run(rs, it->score, f);
	return v.n ? 0 : v.v;
}

int rules_hold_count(const struct rules *rs)
{
	return rs->nholds;
}
const char *rules_hold_name(const struct rules *rs, int h)
{
	return rs->holds[h].name;
}
uint32_t rules_hold_blocks(const struct rules *rs, int h)
{
	return rs->holds[h].blocks;
}
int rules_hold_statutory(const struct rules *rs, int h)
{
	return rs->holds[h].statutory;
}
int rules_hold_find(const struct rules *rs, const char *name)
{
	for (int i = 0; i < rs->nholds; i++)
		if (strcmp(rs->holds[i].name, name) == 0)
			return i;
	return -1;
}
int rules_phase_count(const struct rules *rs)
{
	return rs->nphases;
}
const char *rules_phase_name(const struct rules *rs, int p)
{
	return p >= 0 && p < rs->nphases ? rs->phases[p].name : "none";
}
int rules_phase_number(const struct rules *rs, int p)
{
	return p >= 0 && p < rs->nphases ? rs->phases[p].phase : 0;
}
int rules_task_count(const struct rules *rs)
{
	return rs->ntasks;
}
int rules_task_action(const struct rules *rs, int t)
{
	return rs->tasks[t].action;
}
uint32_t rules_task_phases(const struct rules *rs, int t)
{
	return rs->tasks[t].phase_mask;
}

static const struct item *item_of(const struct rules *rs, enum rules_item kind, int i)
{
	switch (kind) {
	case RULES_ITEM_RULE:
		return &rs->rules[i];
	case RULES_ITEM_HOLD:
		return &rs->holds[i];
	case RULES_ITEM_PHASE:
		return &rs->phases[i];
	default:
		return &rs->tasks[i];
	}
}

/* ls's label in lang, else its default; NULL when neither. */
static const char *label_in(const struct labelset *ls, const char *lang)
{
	const char *dflt = NULL;

	for (int j = 0; j < ls->n; j++) {
		if (lang && lang[0] && strcmp(ls->lang[j], lang) == 0)
			return ls->text[j];
		if (!ls->lang[j][0])
			dflt = ls->text[j];
	}
	return dflt;
}

const char *rules_item_label(const struct rules *rs, enum rules_item kind, int i, const char *lang)
{
	return label_in(&item_of(rs, kind, i)->labels, lang);
}

int rules_item_label_count(const struct rules *rs, enum rules_item kind, int i)
{
	return item_of(rs, kind, i)->labels.n;
}

const char *rules_item_label_at(const struct rules *rs, enum rules_item kind, int i, int j,
				const char **lang)
{
	const struct labelset *ls = &item_of(rs, kind, i)->labels;

	if (j < 0 || j >= ls->n)
		BUG("label %d of %d", j, ls->n);
	*lang = ls->lang[j];
	return ls->text[j];
}

const char *rules_group_label_in(const struct rules *rs, int g, const char *lang)
{
	const char *l;

	if (g < 0 || g >= rs->ngroups)
		return rules_group_label(rs, g);
	l = label_in(&rs->group_tr[g], lang);
	return l ? l : rs->group_label[g];
}

int rules_group_label_count(const struct rules *rs, int g)
{
	return g >= 0 && g < rs->ngroups ? rs->group_tr[g].n : 0;
}

const char *rules_group_label_at(const struct rules *rs, int g, int j, const char **lang)
{
	if (g < 0 || g >= rs->ngroups || j < 0 || j >= rs->group_tr[g].n)
		BUG("group %d label %d", g, j);
	*lang = rs->group_tr[g].lang[j];
	return rs->group_tr[g].text[j];
}

void rules_item_reads(const struct rules *rs, enum rules_item kind, int i, uint64_t mask[2])
{
	const struct item *it = item_of(rs, kind, i);

	mask[0] = it->reads[0];
	mask[1] = it->reads[1];
}

void rules_fact_format(const struct rules_schema *schema, const struct rules_facts *f, int i,
		       struct buf *b)
{
	const struct rules_fact_def *fd = &schema->facts[i];
	int32_t v = f->v[i];
	char d[11];

	if (rules_fact_missing(f, i)) {
		buf_adds(b, "missing");
		return;
	}
	switch (fd->type) {
	case RULES_BOOL:
		buf_adds(b, v ? "yes" : "no");
		break;
	case RULES_INT:
		buf_addf(b, "%d", (int)v);
		break;
	case RULES_DATE:
		date_format(v, d);
		buf_adds(b, d);
		break;
	case RULES_SYM: {
		int n = 0;

		while (fd->vocab && fd->vocab[n])
			n++;
		buf_adds(b, v >= 0 && v < n ? fd->vocab[v] : "?");
		break;
	}
	case RULES_SET: {
		int first = 1;

		buf_addc(b, '{');
		for (int k = 0; fd->vocab && fd->vocab[k] && k < 32; k++) {
			if (((uint32_t)v >> k) & 1) {
				if (!first)
					buf_addc(b, ',');
				buf_adds(b, fd->vocab[k]);
				first = 0;
			}
		}
		buf_addc(b, '}');
		break;
	}
	case RULES_CODE2:
		buf_addc(b, (char)((v >> 8) & 0x7f));
		buf_addc(b, (char)(v & 0x7f));
		break;
	}
}

void rules_item_reason(const struct rules *rs, enum rules_item kind, int i,
		       const struct rules_facts *f, struct buf *b)
{
	const struct item *it = item_of(rs, kind, i);
	const char *p = it->reason ? it->reason : "";

	for (; *p; p++) {
		if (*p == '{' && p[1] == '{') {
			buf_addc(b, '{');
			p++;
			continue;
		}
		if (*p == '}' && p[1] == '}') {
			buf_addc(b, '}');
			p++;
			continue;
		}
		if (*p != '{') {
			buf_addc(b, *p);
			continue;
		}
		const char *e = strchr(p, '}');
		if (!e)
			break;
		int fi = find_fact(rs->schema, p + 1, (int)(e - p - 1));
		if (fi >= 0) {
			rules_fact_format(rs->schema, f, fi, b);
		} else {
			char d[11];

			date_format(f->today, d);
			buf_adds(b, d);
		}
		p = e;
	}
}
