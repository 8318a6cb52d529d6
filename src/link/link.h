#ifndef UC_LINK_LINK_H
#define UC_LINK_LINK_H
/*
 * link.h - store-backed linkage: one child, one person; sponsor
 * identities; review, merge and split; the name normaliser for search.
 *
 * link_run() resolves every identity-bearing source record (cbp_encounter,
 * orr_placement, eoir_case, ice_nta; every version) to a person:
 *
 *   1. load records (full: all; incremental: rid above the last run's
 *      watermark, plus the existing records that share a blocking key with
 *      them, found through link_bucket);
 *   2. block (A-number; phonetic surname + given initial + birth date;
 *      phonetic surname + phonetic given name + birth month; phonetic
 *      given name + birth date; both surnames + given name; blocks over
 *      block_cap skipped), compare (cmp.h: A-number, family and given
 *      names, birth date, sex, country, language);
 *   3. full runs fit the Fellegi-Sunter model by EM (fs.h; u starts from
 *      random pairs) and store it; incremental runs score with the stored
 *      model;
 *   4. cluster: decisions first (merge/accept force a link, reject/split
 *      forbid one; newest decision wins per pair), then links by
 *      decreasing posterior; a link that would put two different valid
 *      A-numbers in one person goes to review instead (an A-number seen on
 *      one record only, one digit or a transposition away from the
 *      A-number of a matching record seen on several, is taken as
 *      mistyped, not as another valid A-number); an incremental link that
 *      would join two existing persons goes to review too;
 *   5. write person, person_record, link_pair (the link that attached
 *      each record, review pairs, conflicts), person_anumber,
 *      person_idncase, person_key, link_bucket, link_watermark;
 *   6. sponsors (orr_placement sponsor fields): blocked on ORR sponsor id,
 *      phone, phonetic names and release address, scored the same way,
 *      clustered into sponsor/sponsor_record; flags for sponsors and
 *      addresses with children of several unrelated families (link_flag,
 *      link_flag_child).
 *
 * All writes of a run happen in one transaction. Person ids are kept
 * across full runs where the records allow (a cluster takes the old id of
 * its first record that had one).
 *
 * Usage:
 *
 *   struct link_opts o = LINK_OPTS_INIT;
 *   struct link_stats s;
 *   if (link_run(st, &o, &s, &err)) ...
 *   link_review(st, 20, print_item, NULL, &err);
 *   link_decide(st, pair_id, 1, "same child", "analyst", &err);
 *   link_merge(st, 12, 40, "same child per school records", "analyst", &err);
 *   const char *recs[] = {"cbp_encounter:17"};
 *   link_split(st, 12, recs, 1, "twin", "analyst", &newp, &err);
 *
 * The store is borrowed; no function keeps pointers after it returns.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "link/norm.h"
#include "store/store.h"

struct link_opts {
	int full;	       /* 1: relink everything; 0: new records only
				* (a first run is always full) */
	size_t block_cap;      /* largest block compared (0: 60) */
	double match_at;       /* posterior for a link (0: LINK_MATCH_AT) */
	double review_at;      /* posterior for review (0: 0.05) */
	int min_families;      /* unrelated families that raise a flag (0: 3) */
	const char *by;	       /* who runs it, for the record (NULL: "uctrack") */
	const char *pairs_out; /* benchmarks: write every candidate pair as
				* CSV "a_tbl,a_rid,b_tbl,b_rid" here (NULL: no) */
};

#define LINK_OPTS_INIT                                                                             \
	{                                                                                          \
		0, 0, 0, 0, 0, NULL, NULL                                                          \
	}

/* Default posterior for an automatic link. Posteriors are calibrated
 * (docs/linkage.md); below this, pairs may go to review. */
#define LINK_MATCH_AT 0.9

struct link_stats {
	int full;		 /* the run was full */
	int64_t run_id;		 /* link_run.id */
	size_t records;		 /* identity records considered */
	size_t new_records;	 /* of which new */
	size_t pairs;		 /* candidate pairs compared */
	size_t links;		 /* pairs linked */
	size_t review;		 /* pairs queued for review */
	size_t conflicts;	 /* links refused by the A-number rule */
	size_t conflicts_queued; /* of which queued for review (the rest of
				  * the identity agrees); the others are kept
				  * as link_pair status 'conflict' */
	size_t review_skipped;	 /* pairs between the thresholds not queued:
				  * names and birth date agree too little
				  * (non-matches) */
	size_t anum_typos;	 /* A-numbers taken as mistyped */
	size_t persons;		 /* persons after the run */
	size_t skipped_blocks;	 /* blocks over the cap */
	size_t sponsor_records;	 /* placements with a sponsor */
	size_t sponsors;	 /* sponsors after the run */
	size_t flags;		 /* sponsor and address flags */
	int em_iter;		 /* EM iterations (full runs) */
	double sec[7];		 /* seconds in: load, score (block, compare,
				  * EM), cluster, write persons, write
				  * buckets, sponsors, indexes (full runs
				  * create the dropped indexes again) */
	double p;		 /* EM share of matches */
};

int link_run(struct store *st, const struct link_opts *o, struct link_stats *s, struct uc_err *err);

/* One side of a review pair, as read for display (strings borrowed, valid
 * during the callback only). */
struct link_side {
	const char *tbl;	/* source table */
	int64_t rid;		/* source row */
	int64_t person;		/* its person, 0 if none */
	const char *a_number;	/* as stored, NULL if blank */
	const char *family;	/* family name as recorded */
	const char *given;	/* given name as recorded */
	const char *birth_date; /* YYYY-MM-DD or NULL */
	const char *sex;	/* M/F/U or NULL */
	const char *country;	/* or NULL */
};

/* What a decision on a review pair puts at stake: the larger of what is
 * at stake for the persons of its two records (enforcement first, then
 * triage priority). Filled by the caller (link knows nothing of triage:
 * the CLI and the API pass queue_stakes_get(), triage/queue.h). */
struct link_stake {
	int enforcement; /* 2: an open enforcement task; 1: a held one; 0 none */
	int64_t prio;	 /* the case's queue sort key; INT64_MIN: not triaged */
};

struct link_review_item {
	int64_t pair_id;	 /* link_pair.id: accept/reject take it */
	double posterior;	 /* P(match) */
	double score;		 /* match weight */
	const char *vector;	 /* comparison vector */
	const char *reason;	 /* threshold, anumber, bridge */
	struct link_side a;	 /* first record */
	struct link_side b;	 /* second record */
	int ranked;		 /* stake is set (link_review_ranked()) */
	struct link_stake stake; /* what a decision puts at stake */
};

/* Called per item; a nonzero return stops the listing. */
typedef int (*link_review_fn)(const struct link_review_item *it, void *arg);

/* Pending review pairs, most likely matches first, at most limit (0: all). */
int link_review(struct store *st, long limit, link_review_fn fn, void *arg, struct uc_err *err);
/* What is at stake for person (0 when the record has none); nonzero
 * return (an error code, err set) stops the listing. */
typedef int (*link_stake_fn)(void *arg, int64_t person, struct link_stake *out, struct uc_err *err);
/* Pending review pairs ordered by how much a decision matters: the pairs
 * whose children have an open enforcement task first, then a held one,
 * then by the higher triage priority of the two children, then most
 * likely first; at most limit (0: all). Reads every pending pair and
 * its two persons' stakes (tens of thousands: a fraction of a second),
 * then the listed pairs. stake NULL: link_review(). */
int link_review_ranked(struct store *st, long limit, link_stake_fn stake, void *sarg,
		       link_review_fn fn, void *arg, struct uc_err *err);
/* Accept (link: the two persons are merged now) or reject (keep apart) a
 * pending review pair. UC_ENOTFOUND for an unknown pair, UC_ECONFLICT if
 * it was decided already. */
int link_decide(struct store *st, int64_t pair_id, int accept, const char *reason, const char *by,
		struct uc_err *err);
/* Merge person other into keep: its records move to keep, person_merged
 * remembers it; the decision is replayed by later runs. */
int link_merge(struct store *st, int64_t keep, int64_t other, const char *reason, const char *by,
	       struct uc_err *err);
/* Move the records named "TABLE:RID" out of person into a new person
 * (*new_person); they are kept apart from the person's other records in
 * later runs. Every record must belong to person and at least one record
 * must stay. */
int link_split(struct store *st, int64_t person, const char *const *records, int n,
	       const char *reason, const char *by, int64_t *new_person, struct uc_err *err);

/*
 * Record links (table record_link, migration 007): the child of every
 * record of orr_contact, ice_removal, indicator, field_event and the EOIR
 * child tables, maintained so that "the records of child X" is an index
 * lookup (view record_person = person_record + record_link). Rules per
 * table: reclink.c. All but link_records_update() run inside the caller's
 * transaction.
 *
 * link_records_sync() adds the links of records newer than the table's
 * mark (record_link_mark) and moves the marks; full rebuilds the table
 * (a full link_run() does, since it rewrites person_anumber and
 * person_idncase; an incremental one calls link_records_refresh() for the
 * keys of its new records instead).
 * only (NULL: every table) limits it to one table: the event endpoint
 * adds field_event rows and nothing else.
 * Importers call it after every import; *added (may be NULL) is the
 * number of links written. link_records_moved() follows a merge (other's
 * records move to keep); link_records_placement() gives the contacts of
 * one placement the placement's person again after a split.
 */
int link_records_sync(struct store *st, int full, const char *only, int64_t *added,
		      struct uc_err *err);
int link_records_moved(struct store *st, int64_t keep, int64_t other, struct uc_err *err);
/* The keys whose person an incremental link run may have given or changed
 * (arrays borrowed, each key at most once). */
struct link_touch {
	const char *const *anum;  /* A-numbers newly in person_anumber */
	size_t nanum;		  /* how many */
	const int64_t *idncase;	  /* IDNCASEs newly in person_idncase */
	size_t nidn;		  /* how many */
	const int64_t *placement; /* rids of orr_placement rows newly linked */
	size_t nplace;		  /* how many */
};
/* Link again the records that carry one of t's A-numbers or IDNCASEs or
 * name one of its placements (index lookups: an incremental run touches
 * a few persons, so it redoes their records rather than the table);
 * *changed (may be NULL) counts the rows written. */
int link_records_refresh(struct store *st, const struct link_touch *t, int64_t *changed,
			 struct uc_err *err);
/* link_records_sync(st, 0, NULL, added, err) in a transaction of its own, for
 * callers outside one (the importer's command, the feed upload). */
int link_records_update(struct store *st, int64_t *added, struct uc_err *err);
int link_records_placement(struct store *st, int64_t placement_rid, struct uc_err *err);

/*
 * Search support for GET /api/v1/cases?q=. link_norm_query() normalises a
 * query exactly as stored names are normalised (norm_name()); then look up
 * each token: SELECT person_id FROM person_key WHERE key = ? AND kind IN
 * ('family','given'), or with kind = 'phon' and link_phon() of the token
 * for a sounds-like search (phonetic keys are stored for family names).
 */
void link_norm_query(const char *q, struct norm_name *out);
size_t link_phon(const char *tok, size_t len, char out[NORM_PHON_MAX]);

/*
 * The persons whose family or given names hold every token of nn (a
 * normalised query), each once, to fn(arg, person_id, &stop, err) until
 * fn sets stop or fails. Two tokens: the persons one of whose records
 * bears both, read from their pair key (kind 'pair', link_pair_key()),
 * so the rows read are those of the full name, not of each name (at 2M
 * children ~100 for a common full name, ~15,000 for each of its names).
 * More tokens: the pair of the two rarest (each counted up to 5,000
 * rows), the others probed per person on person_key's primary key. One
 * token: its rows. At most max_scan rows of the pair (or token) are read:
 * a commoner one may miss persons beyond them.
 */
/*
 * The pair key of two name tokens: "A B" with A before B in byte order,
 * into out; returns its length, 0 when the tokens are equal (no pair).
 */
int link_pair_key(const char *a, size_t alen, const char *b, size_t blen,
		  char out[2 * NORM_MAX_LEN]);

typedef int (*link_candidate_fn)(void *arg, int64_t person_id, int *stop, struct uc_err *err);
int link_name_candidates(struct store *st, const struct norm_name *nn, int max_scan,
			 link_candidate_fn fn, void *arg, struct uc_err *err);

#endif
