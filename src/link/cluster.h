#ifndef UC_LINK_CLUSTER_H
#define UC_LINK_CLUSTER_H
/*
 * cluster.h - transitive clustering of linked records with the A-number
 * constraint.
 *
 * A union-find over record indexes. Each record may carry an A-number id
 * (an integer > 0 standing for one distinct valid A-number; 0 = none).
 * Each cluster keeps the set of A-number ids of its records. cluster_join()
 * refuses to join two clusters unless one's set contains the other's (so
 * automatic links never put two different valid A-numbers in one person);
 * cluster_force() joins regardless (a reviewer's accept or a merge), and
 * afterwards records carrying either A-number may join that cluster.
 *
 * Traits (optional, cluster_set_traits()): a record's sex and the span of
 * days its birth date may stand for (cmp_date_span()). A record joins a
 * cluster only when it is compatible with every record already there: no
 * sex conflict and birth-date spans at most CMP_DATE_SLACK days apart.
 * Each root keeps what that needs (the sexes seen, the latest start and
 * the earliest end of the spans), so a chain A-x, x-B cannot end in one
 * person when A and B conflict, whatever x lacks. cluster_force() joins
 * anyway, and then the joined cluster's dates and sex stop constraining
 * (a reviewer vouched for it).
 *
 * Usage:
 *
 *   struct cluster c;
 *   cluster_init(&c, n);
 *   cluster_set_anum(&c, i, id);            // before any join
 *   if (cluster_join(&c, i, j) < 0) ... conflicting A-numbers: review
 *   uint32_t root = cluster_find(&c, i);
 *   cluster_release(&c);
 *
 * The struct owns its arrays.
 */
#include <stddef.h>
#include <stdint.h>

struct cluster {
	uint32_t *parent; /* union-find parent per record */
	uint32_t *size;	  /* records in the tree, valid at roots */
	uint32_t *anum;	  /* A-number id per root; ANUM_SET bit: index into sets */
	uint32_t **sets;  /* A-number sets of clusters made by cluster_force:
			   * sets[k][0] = count, then ids */
	size_t nsets;	  /* entries used in sets */
	uint8_t *sex;	  /* per root: bit 1 M seen, bit 2 F seen */
	int32_t *dlo;	  /* per root: latest start of the birth-date spans */
	int32_t *dhi;	  /* per root: earliest end of the birth-date spans */
	size_t n;	  /* records */
};

void cluster_init(struct cluster *c, size_t n);
void cluster_release(struct cluster *c);
void cluster_set_anum(struct cluster *c, uint32_t i, uint32_t anum_id);
/* Record i's sex ('M', 'F', anything else unknown) and birth date
 * (UC_DATE_NONE unknown); before any join. */
void cluster_set_traits(struct cluster *c, uint32_t i, char sex, int32_t dob);
uint32_t cluster_find(struct cluster *c, uint32_t i);
/* 1 joined, 0 already together, -1 refused (different A-numbers), -2
 * refused (a birth date or sex incompatible with a record already there). */
int cluster_join(struct cluster *c, uint32_t i, uint32_t j);
/* cluster_join() of i and j that carry the same valid A-number
 * (same_anum nonzero): the A-number outweighs birth dates and sex, so
 * only the A-number sets are checked; the joined cluster's traits become
 * the envelope of both. same_anum 0 is cluster_join(). */
int cluster_join_anum(struct cluster *c, uint32_t i, uint32_t j, int same_anum);
/* Join regardless of A-numbers; 1 joined, 0 already together. */
int cluster_force(struct cluster *c, uint32_t i, uint32_t j);
/* 1 if i and j could be joined without conflict (A-numbers and traits). */
int cluster_compatible(struct cluster *c, uint32_t i, uint32_t j);

#endif
