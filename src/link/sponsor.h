#ifndef UC_LINK_SPONSOR_H
#define UC_LINK_SPONSOR_H
/*
 * sponsor.h - sponsor identities and sponsor/address flags (part of
 * `uctrack link`; called by link_run() inside its transaction).
 *
 * Sponsor records are the ORR placements that name a sponsor. Full runs
 * block them on the ORR sponsor id, the phone number, phonetic family +
 * given name, and the release address with the phonetic family name;
 * compare ORR sponsor id, family name, given name, phone, address; fit a
 * Fellegi-Sunter model by EM ("sponsor" in link_model); link and cluster
 * into sponsor / sponsor_record. Incremental runs attach new placements
 * to the sponsor with the same ORR sponsor id, or to a new sponsor.
 *
 * Flags (link_flag, link_flag_child): a sponsor, or a normalised release
 * address, to which children of at least min_families unrelated families
 * were released (children are related when their family names share a
 * token). Full runs recompute all flags; incremental runs those of the
 * sponsors and addresses they touched.
 *
 * Usage: sponsor_link(st, run_id, full, 0, 0, &stats, &err);
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "link/link.h"
#include "store/store.h"

/* min_families 0: 3; cap 0: 60. Fills sponsor_records, sponsors, flags. */
int sponsor_link(struct store *st, int64_t run_id, int full, int min_families, size_t cap,
		 struct link_stats *s, struct uc_err *err);

/* Normalised address key "STREET TOKENS|UNIT|ZIP5" into out (cap bytes);
 * returns 0 and writes "" when street or zip is blank. */
size_t sponsor_address_key(const char *street, const char *unit, const char *zip, char *out,
			   size_t cap);

#endif
