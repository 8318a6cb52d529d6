#ifndef UC_INGEST_SPEC_H
#define UC_INGEST_SPEC_H
/*
 * ingest_spec.h - the feed tables as data: for every source table, its
 * columns, their types and the database columns they fill. Internal to
 * the ingest module (ingest.c, ingest_spec.c); docs/formats.md is the
 * human-readable form of the same contract.
 */
#include <stddef.h>

/* How a column's value is checked and stored. */
enum col_type {
	T_KEY,	    /* source key, non-blank text */
	T_IKEY,	    /* source key, integer (EOIR IDN...), stored in the idn column too */
	T_TEXT,	    /* text as recorded (trimmed, NFC), may be blank */
	T_ANUM,	    /* A-number or blank -> 9 digits */
	T_ANUM_REQ, /* A-number, required */
	T_DATE,	    /* date or blank */
	T_DATE_REQ, /* date, required */
	T_ENUM,	    /* one of allowed, or blank */
	T_ENUM_REQ, /* one of allowed */
	T_COUNTRY,  /* ISO 3166-1 alpha-2, or blank */
	T_LANG,	    /* ISO 639-3 (three lower-case letters), or blank */
	T_YN_INT,   /* Y or N, stored as 1/0 */
	T_INT,	    /* integer or blank */
	T_INT_REQ,  /* integer, required */
	T_CODE,	    /* EOIR code, checked against lookup table lk (warning) */
	T_JUV,	    /* EOIR idnJuvenile: 1-based position in tblLookup_Juvenile */
	T_ABSENTIA, /* EOIR Y/N; other values kept with a warning */
	T_STATE,    /* USPS state or territory code (TX, PR, AE, ...), or blank */
	T_ZIP,	    /* ZIP code, stored as text; reads as a ZIP (3 to 10 digits
		     * or '-') only for EOIR shift detection */
};

struct col_spec {
	const char *name;	    /* header name (EOIR: case-insensitive) */
	const char *db;		    /* database column; NULL: same as name */
	enum col_type type;	    /* how to check it */
	const char *const *allowed; /* T_ENUM*: allowed values, NULL-terminated */
	const char *lk;		    /* T_CODE: EOIR lookup table name */
	int optional;		    /* EOIR: the header may lack it (stored NULL) */
	int free_text;		    /* EOIR: may hold a stray tab (shift repair) */
};

/* Derived values computed by ingest.c after the columns (extra db columns). */
enum extra_kind {
	X_NONE,
	X_ADDRESS_STATUS, /* orr_placement.address_status */
	X_EOIR_COUNTRY,	  /* eoir_case.country from NAT */
	X_EOIR_LANGUAGE,  /* eoir_case.language from LANG */
	X_FTA_NOTICE,	  /* eoir_hearing.fta_notice from NOTICE_CODE */
};

struct table_spec {
	const char *feed;	     /* eoir, cbp, orr, ice, events */
	const char *tbl;	     /* database table */
	const char *label;	     /* for messages: "ORR placements" */
	const char *file;	     /* canonical file name (EOIR: name prefix) */
	int rank;		     /* import order within the feed */
	const struct col_spec *cols; /* columns; cols[0] is the source key */
	int ncols;		     /* number of columns */
	const char *extra_db[3];     /* db columns of extras, NULL-terminated */
	enum extra_kind extra[3];    /* what fills each extra column */
};

extern const struct table_spec ingest_tables[];
extern const int ingest_ntables;

/* Field-event types (docs/formats.md §5). */
struct event_field {
	const char *name;	    /* JSON member */
	const char *const *allowed; /* allowed string values, or NULL (any) */
	int required;		    /* must be present and non-empty */
};

struct event_type {
	const char *type;	 /* value of "type" */
	struct event_field f[7]; /* its own fields, name NULL-terminated */
};

extern const struct event_type ingest_event_types[];
extern const int ingest_nevent_types;

#endif
