#ifndef UC_REPORT_H
#define UC_REPORT_H
/*
 * report.h - oversight reports: accounting for every child.
 *
 * Two reports, computed from the stored source records (never from derived
 * state that later data could rewrite):
 *
 *   oversight  counts of released children by what happened to them (NTA
 *              served/filed, court date, failure to appear, in absentia
 *              orders and rescissions, whereabouts unknown and why,
 *              contacts, welfare concerns, referrals, appearance rates of
 *              represented and unrepresented children, time from release to
 *              NTA service and to first contact), optionally by a grouping;
 *   fta        every child who missed a hearing, with what HHS needs to
 *              find them (OIG-24-46 rec. 2). Contains personal data.
 *
 * As of a date (docs/reports.md says it precisely): a record counts when
 * the file it came from was imported on or before `known_at` (default: the
 * as-of date) and its own date is on or before `as_of`; of each source
 * record (table, source key) the latest version imported by `known_at` is
 * used. A report with known_at <= today is therefore byte-for-byte the same
 * whatever is imported later. API field events (no import file) count by
 * their occurred_at date alone.
 *
 * Publishable mode (`public`): counts 1..threshold-1 are suppressed, then
 * complementary suppression (report/suppress.h) until no suppressed cell
 * can be derived from the published cells, totals included. Statistics
 * (rates, medians) whose base is suppressed are suppressed too. The fta
 * report refuses public mode (UC_EDENIED).
 *
 * Usage (the HTTP layer does the same with its own buffer):
 *
 *   struct report_opts o = REPORT_OPTS_INIT;
 *   struct buf out;
 *   struct uc_err err = UC_ERR_INIT;
 *   o.by = REPORT_BY_STATE;
 *   o.format = REPORT_FMT_JSON;
 *   o.public_mode = 1;
 *   buf_init(&out, REPORT_OUT_CAP);
 *   if (report_oversight(st, &o, &out, &err)) ... err.msg
 *   else send(out.ptr, out.len);
 *   buf_release(&out);
 *
 * The store is only read (one read transaction per report, so concurrent
 * imports cannot tear it). Output is deterministic: no clock, no
 * randomness, rows in a fixed order.
 */
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "report/suppress.h"
#include "store/store.h"

/* Suggested cap for an output buffer (oversight and fta on 600,000
 * children fit well within it). */
#define REPORT_OUT_CAP ((size_t)1 << 30)

enum report_by {
	REPORT_BY_NONE = 0, /* one row: all released children */
	REPORT_BY_FY,	    /* US fiscal year of the first release */
	REPORT_BY_OFFICE,   /* ICE field office of the case, as triage assigned it
			     * (rules/field_offices.csv); needs a triage run */
	REPORT_BY_STATE,    /* sponsor's state (latest release address) */
	REPORT_BY_COUNTRY,  /* country of citizenship (ORR record) */
	REPORT_BY_GROUP,    /* triage group (needs a triage run) */
	REPORT_BY_PHASE,    /* initiative phase (needs a triage run) */
};

enum report_format {
	REPORT_FMT_TABLE = 0, /* aligned text for a terminal */
	REPORT_FMT_CSV,	      /* RFC 4180, formula-safe */
	REPORT_FMT_JSON,      /* one JSON object */
	REPORT_FMT_HTML,      /* self-contained page with inline SVG charts */
	REPORT_FMT_SVG,	      /* one chart (report_opts.chart) as an SVG image */
};

/* The charts of the oversight report (format svg). */
enum report_chart {
	REPORT_CHART_FUNNEL = 0,  /* released, NTA served and filed, court date,
				   * failed to appear, in absentia, whereabouts
				   * unknown: the totals */
	REPORT_CHART_WHEREABOUTS, /* whereabouts unknown, by reason */
	REPORT_CHART_RATES,	  /* appearance rate, represented or not */
	REPORT_CHART_RELEASED_BY, /* children released per row of `by` (fiscal
				   * years: the trend; states: counts by state) */
	REPORT_CHART_UNKNOWN_BY,  /* whereabouts unknown per row of `by` */
};

enum report_identity {
	REPORT_ID_AUTO = 0, /* person when linkage has run, else A-number */
	REPORT_ID_PERSON,   /* linked person (person_record); error if none */
	REPORT_ID_ANUMBER,  /* A-number; records without one are not counted */
};

struct report_opts {
	int32_t as_of;		       /* report date; UC_DATE_NONE = date_today() */
	int32_t known_at;	       /* import cutoff; UC_DATE_NONE = as_of */
	const char *known_at_time;     /* finer import cutoff: an import_file
					* imported_at timestamp (YYYY-MM-DDTHH:MM:SSZ);
					* overrides known_at when set; borrowed */
	enum report_by by;	       /* grouping of the oversight report */
	enum report_format format;     /* output format */
	enum report_identity identity; /* how a child is identified */
	int public_mode;	       /* nonzero: publishable (suppressed) output */
	int threshold;		       /* smallest count published in public mode */
	int unknown_days;	       /* N of "no verified address and no
					* successful contact within N days" */
	const char *office;	       /* report_fta only: list only children whose
					* case triage assigned to this field office;
					* NULL = all. Needs a triage run. Borrowed */
	enum report_chart chart;       /* format svg: which chart */
	const char *lang;	       /* format svg: "es" for Spanish words and
					* numbers, NULL or "" for English. Borrowed */
};

#define REPORT_OPTS_INIT                                                                           \
	{                                                                                          \
		INT32_MIN, INT32_MIN, NULL, REPORT_BY_NONE, REPORT_FMT_TABLE, REPORT_ID_AUTO, 0,   \
		    11, 90, NULL, REPORT_CHART_FUNNEL, NULL                                        \
	}

/* Parse names used on the command line and in the API ("state", "csv",
 * "person"); return 0 or -1 for an unknown name. */
int report_by_parse(const char *s, enum report_by *out);
int report_format_parse(const char *s, enum report_format *out);
int report_identity_parse(const char *s, enum report_identity *out);
/* "funnel", "whereabouts", "rates", "released_by", "unknown_by". */
int report_chart_parse(const char *s, enum report_chart *out);
const char *report_chart_name(enum report_chart c);
const char *report_by_name(enum report_by by);

/*
 * Append the oversight report in o->format to out. Format svg is one
 * chart, o->chart, as a standalone SVG image (role img, <title> and a
 * <desc> that lists every bar's label and figure), words and numbers in
 * o->lang; suppressed cells are drawn dashed. Returns 0, or:
 * UC_EINPUT for a chart per row (released_by, unknown_by) without o->by,
 * UC_EUSAGE for bad options (threshold < 1, unknown_days < 1),
 * UC_ENOTFOUND when --by group|phase is asked before any triage run or
 * identity person before any linkage run, UC_ENOMEM when out's cap is hit,
 * UC_EIO for database errors. On failure out may hold a partial report.
 */
int report_oversight(struct store *st, const struct report_opts *o, struct buf *out,
		     struct uc_err *err);

/*
 * Append the failure-to-appear list (csv, json or table) to out. Refuses
 * public mode (UC_EDENIED): the list is personal data. Returns as above.
 */
int report_fta(struct store *st, const struct report_opts *o, struct buf *out, struct uc_err *err);

/*
 * The children a failure-to-appear list names (its "child" column: an
 * A-number or P<person id>), from its text in any format (JSON whole or a
 * page of the API, CSV, table), comma-separated into out; *n gets their
 * number. Every reader of the list is audited by these names. UC_ENOMEM
 * when out's cap is hit.
 */
int report_fta_subjects(const char *text, size_t len, struct buf *out, size_t *n);

/*
 * Lower level, for tests and other modules: the computed oversight table.
 * Cells are counts (int64) or statistics; rows[0] is the total.
 */
enum report_metric {
	RM_RELEASED,
	RM_NTA_SERVED,
	RM_NTA_NOT_SERVED,
	RM_NTA_FILED,
	RM_NTA_NOT_FILED,
	RM_COURT_DATE,
	RM_FTA,
	RM_ABSENTIA,
	RM_ABSENTIA_RESCINDED,
	RM_WU,
	RM_WU_BLANK,
	RM_WU_UNDELIVERABLE,
	RM_WU_MISSING_UNIT,
	RM_WU_MOVED,
	RM_WU_NO_CONTACT,
	RM_CONTACTS_ATTEMPTED,
	RM_CONTACTS_SUCCEEDED,
	RM_CHILDREN_CONTACTED,
	RM_WELFARE_CONCERN,
	RM_REF_LEGAL,
	RM_REF_HSI,
	RM_REF_CPS,
	RM_REF_HHS,
	RM_REP_HEARD,
	RM_REP_APPEARED,
	RM_UNREP_HEARD,
	RM_UNREP_APPEARED,
	RM_NTA_DAYS_N,
	RM_CONTACT_DAYS_N,
	RM_COUNT_METRICS, /* the counts above; statistics follow */
	RM_REP_RATE = RM_COUNT_METRICS,
	RM_UNREP_RATE,
	RM_NTA_DAYS_MEDIAN,
	RM_NTA_DAYS_P90,
	RM_CONTACT_DAYS_MEDIAN,
	RM_CONTACT_DAYS_P90,
	RM_NMETRICS
};

struct report_row {
	char *label;			 /* group label ("total" for row 0); owned */
	double v[RM_NMETRICS];		 /* values; statistics NaN when undefined */
	unsigned char supp[RM_NMETRICS]; /* 1 primary, 2 complementary
					  * suppression (public mode) */
};

struct report_table {
	struct report_row *rows; /* rows[0] is the total; owned */
	int nrows;		 /* number of rows */
	int32_t as_of;		 /* resolved as-of date */
	char known_at[32];	 /* resolved import cutoff (date or time) */
	enum report_by by;	 /* grouping */
	int identity_person;	 /* 1: children are linked persons */
	int public_mode;	 /* suppression applied */
	int threshold;		 /* suppression threshold */
	int unknown_days;	 /* N for whereabouts unknown */
	int64_t unattributed;	 /* source records that name no child (no
				  * A-number, no link) and were not counted */
	int64_t children_known;	 /* distinct children in any record */
};

/* Compute the table (suppressed when o->public_mode). The caller releases
 * it with report_table_release(). Returns as report_oversight(). */
int report_table_compute(struct store *st, const struct report_opts *o, struct report_table *t,
			 struct uc_err *err);
void report_table_release(struct report_table *t);

/*
 * The linear relations that hold between the published counts of a table
 * with nrows rows (each column sums to the total row; NTA served + not
 * served = released; filed + not filed = released; the five reasons sum to
 * whereabouts unknown; failed to appear = heard - appeared over represented
 * and unrepresented children). Cell c is row c / RM_COUNT_METRICS, metric
 * c % RM_COUNT_METRICS. Used by suppression and by tests that try to undo
 * it. The caller releases r with supp_rels_release().
 */
void report_relations(int nrows, struct supp_rels *r);

/*
 * Snapshots: rendered reports kept in report_snapshot so that the API
 * answers in milliseconds what takes seconds to compute at 600,000
 * children. report_watermark() names the state of the data a report reads
 * (a hash of the ends of the feed, link and triage tables: index lookups
 * only); a snapshot whose wm equals it is current. The caller chooses the
 * key (report name and canonical options) and decides what to do with a
 * stale one (the server serves it and recomputes in the background).
 * report_snapshot_get() fills body (reset first; NULL: wm and made_at only),
 * wm and made_at and sets *found; report_snapshot_put() inserts or
 * replaces.
 */
#define REPORT_WM_LEN 17
int report_watermark(struct store *st, char out[REPORT_WM_LEN], struct uc_err *err);
int report_snapshot_get(struct store *st, const char *key, struct buf *body, char wm[REPORT_WM_LEN],
			char made_at[24], int *found, struct uc_err *err);
int report_snapshot_put(struct store *st, const char *key, const char *wm, const struct buf *body,
			struct uc_err *err);
/* List reports: the elements of body's array member list (a JSON report)
 * kept one by one under key, replacing earlier ones, so that a page is an
 * index lookup. report_snapshot_page() appends to out the compact JSON of
 * at most limit elements after position after, comma-separated; *last is
 * the position of the last one, *found how many (0: none, or no rows
 * kept for key). */
int report_snapshot_put_rows(struct store *st, const char *key, const struct buf *body,
			     const char *list, struct uc_err *err);
int report_snapshot_page(struct store *st, const char *key, int64_t after, int limit,
			 struct buf *out, int64_t *last, int *found, struct uc_err *err);

#endif
