#ifndef UC_PROJECT_H
#define UC_PROJECT_H
/*
 * project.h - fold a child's source records into case facts (facts.h).
 *
 * A case is a person (person/person_record, filled by `uctrack link`) when
 * the record is linked, else the group of unlinked records sharing an
 * A-number. Records with neither cannot be placed: they are counted in
 * struct proj_stats and reported. EOIR proceedings and hearings reach a case
 * through their IDNCASE's A_TblCase row. Only the current version of each
 * source record (highest rid per skey) is read. How each fact is computed
 * is documented in docs/rules.md ("Facts").
 *
 * Facts are a snapshot as of a day (`today`): ages, day counts and the next
 * hearing depend on it, so a run on a later day re-projects.
 *
 * Usage:
 *
 *   struct proj *p = NULL;
 *   if (proj_open(&p, st, &err)) ...
 *   proj_all(p, today, on_case, ctx, &stats, &err);   // every case
 *   proj_one(p, person_id, "208123456", today, &c, &err); // one case
 *   proj_close(p);
 *
 * The store is borrowed and must outlive the projector. proj_one() keeps
 * its prepared statements between calls (about 0.1 ms per case).
 */
#include <stdint.h>

#include "core/err.h"
#include "rules/rules.h"
#include "store/store.h"

struct proj;

/* A projected case. */
struct proj_case {
	int64_t person_id;	  /* person.id, 0 when not linked */
	char a_number[10];	  /* 9 digits, "" when unknown */
	int32_t zip5;		  /* ZIP of the current address, -1 unknown */
	struct rules_facts facts; /* the facts, as of `today` */
};

struct proj_stats {
	int64_t cases;	  /* cases projected */
	int64_t records;  /* records folded */
	int64_t unplaced; /* records with no person link and no A-number */
};

/* Called once per case by proj_all(); a nonzero return stops the run and
 * is returned by proj_all(). c is only valid during the call. */
typedef int (*proj_cb)(void *ctx, const struct proj_case *c, struct uc_err *err);

int proj_open(struct proj **out, struct store *st, struct uc_err *err);
void proj_close(struct proj *p);

/* Project every case. */
int proj_all(struct proj *p, int32_t today, proj_cb cb, void *ctx, struct proj_stats *stats,
	     struct uc_err *err);

/* Project one case: by person_id when nonzero, else by A-number (unlinked
 * records only). A case with no records gives facts with records = 0. */
int proj_one(struct proj *p, int64_t person_id, const char *a_number, int32_t today,
	     struct proj_case *out, struct uc_err *err);

/* A cheap fingerprint of the feed tables (max rid per table, person links)
 * to decide whether a full run must re-project. Writes a short string. */
int proj_watermark(struct store *st, char *out, size_t n, struct uc_err *err);

#endif
