#ifndef UC_GEN_NAMES_H
#define UC_GEN_NAMES_H
/*
 * gen_names.h - constant tables for the synthetic data generator: name
 * pools by origin, US states with cities, ZIP prefixes, immigration courts
 * and ICE field offices, and border sectors.
 *
 * Every string is static, UTF-8, in title case ("José", "Mejía"); callers
 * borrow them and never free them. A Mayan surname entry lists its
 * transliterations separated by '|', the first one being the "true" form
 * ("Caal|Cal|Kaal").
 */
#include <stddef.h>

/* A list of names. */
struct gen_pool {
	const char *const *v; /* the names, static */
	size_t n;	      /* how many */
};

/* Name origin: which pools a child's names are drawn from. */
enum gen_origin {
	GEN_OR_ES,   /* Hispanic: two surnames, compound given names */
	GEN_OR_MAYA, /* Guatemalan Mayan-language speaker: Hispanic given names,
		      * Mayan surnames with several transliterations */
	GEN_OR_HT,   /* Haitian */
	GEN_OR_PT,   /* Brazilian */
	GEN_OR_IN,   /* Indian */
	GEN_OR_CN,   /* Chinese */
	GEN_OR_RO,   /* Romanian */
	GEN_OR_WA,   /* francophone West Africa */
	GEN_OR_COUNT
};

/* Pools for one origin. */
struct gen_names {
	struct gen_pool male;	 /* given names, male */
	struct gen_pool female;	 /* given names, female */
	struct gen_pool surname; /* family names */
	int two_surnames;	 /* 1 when people carry paternal + maternal */
};

extern const struct gen_names gen_names_by_origin[GEN_OR_COUNT];

/* A US state where sponsors live. */
struct gen_state {
	const char *code;     /* USPS code */
	int weight[6];	      /* ORR releases to sponsors, FY2019..FY2024 */
	int ncity;	      /* entries used in the arrays below */
	const char *city[6];  /* cities receiving children */
	const char *zip3[6];  /* ZIP prefix of each city */
	const char *court[6]; /* EOIR base city code serving each city */
	const char *area;     /* telephone area code */
	const char *aor;      /* ICE ERO area of responsibility */
};

extern const struct gen_state gen_states[];
extern const size_t gen_nstates;

/* Street names (no "Apt", "Unit" or "#" inside, see formats.md). */
extern const struct gen_pool gen_streets;
/* Street suffixes. */
extern const struct gen_pool gen_street_suffixes;

/* A Border Patrol sector and its places. */
struct gen_sector {
	const char *code;     /* sector code (RGV, DRT, ...) */
	int weight;	      /* share of UAC encounters, percent */
	int nplace;	      /* entries used in place[] */
	const char *place[4]; /* places of encounter */
};

extern const struct gen_sector gen_sectors[];
extern const size_t gen_nsectors;

/* ORR care provider facility codes. */
extern const struct gen_pool gen_facilities;
/* Legal service providers (representation, orientation). */
extern const struct gen_pool gen_providers;

#endif
