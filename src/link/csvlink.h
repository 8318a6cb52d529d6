#ifndef UC_LINK_CSVLINK_H
#define UC_LINK_CSVLINK_H
/*
 * csvlink.h - generic record linkage of CSV files (public benchmarks).
 *
 * `uctrack link --csv A.csv [B.csv] --id COL --fields C1,C2,... --out F`
 * reads one file (deduplication) or two (linkage: only pairs across the
 * files are compared), normalises each named field (norm.h), blocks on
 * each field's exact value and on the phonetic key of each token, compares
 * candidates (text fields: cmp_name levels; fields whose values are
 * almost all digits: exact / within one edit / different), fits the
 * Fellegi-Sunter model by EM with no labels, links pairs whose posterior
 * reaches the match threshold, and clusters transitively. With two files,
 * each record keeps at most its best link to the other file when
 * one_to_one is set.
 *
 * The output CSV has the header `record_id,cluster_id` and one row per
 * input record in input order; cluster_id is the id of the cluster's first
 * record. It is written to a temp file and renamed.
 *
 * Errors (UC_EINPUT): a file that cannot be read, an empty file or one
 * with a header only, a named column missing (the message lists the
 * columns found), a row with a different number of fields than the header
 * (file and row number), duplicate ids.
 *
 * Usage:
 *
 *   struct csvlink_opts o = CSVLINK_OPTS_INIT;
 *   o.files[0] = "a.csv"; o.nfiles = 1; o.id = "rec_id";
 *   o.fields = "given_name,surname"; o.out = "clusters.csv";
 *   struct csvlink_stats s;
 *   if (csvlink_run(&o, &s, &err)) ...
 */
#include <stddef.h>

#include "core/err.h"
#include "link/fs.h"

struct csvlink_opts {
	const char *files[2]; /* input CSVs, borrowed */
	int nfiles;	      /* 1 or 2 */
	const char *id;	      /* id column name */
	const char *fields;   /* comma-separated field column names */
	const char *out;      /* output path */
	size_t block_cap;     /* largest block compared (0: default 100) */
	double match_at;      /* posterior threshold for a link (0: default) */
	int one_to_one;	      /* two files: keep each record's best link only */
};

#define CSVLINK_OPTS_INIT                                                                          \
	{                                                                                          \
		{NULL, NULL}, 0, NULL, NULL, NULL, 0, 0, 1                                         \
	}

struct csvlink_stats {
	size_t records;	       /* records read */
	size_t pairs;	       /* candidate pairs compared */
	size_t links;	       /* pairs linked */
	size_t review;	       /* pairs in the review band */
	size_t clusters;       /* clusters written */
	size_t skipped_blocks; /* blocks over the cap */
	struct fs_model model; /* the fitted model */
};

int csvlink_run(const struct csvlink_opts *o, struct csvlink_stats *st, struct uc_err *err);

#endif
