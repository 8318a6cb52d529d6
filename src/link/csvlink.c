/*
 * csvlink.c - generic CSV linkage (see csvlink.h).
 */
#include "link/csvlink.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "link/block.h"
#include "link/cluster.h"
#include "link/cmp.h"
#include "link/link_int.h"
#include "link/norm.h"

#define MAX_FIELDS FS_MAX_FIELDS
#define FILE_CAP ((size_t)1 << 30)
#define KIND_NAME 0
#define KIND_CODE 1
#define CODE_NLEVELS 4

/* Strings stored back to back, addressed by offset. */
struct arena {
	char *p;      /* bytes, each string NUL-terminated */
	size_t len;   /* bytes used */
	size_t alloc; /* bytes allocated */
};

static size_t arena_add(struct arena *a, const char *s, size_t n)
{
	size_t at = a->len;

	if (a->len + n + 1 > a->alloc) {
		size_t na = a->alloc ? a->alloc : 65536;

		while (a->len + n + 1 > na)
			na *= 2;
		a->p = uc_xrealloc(a->p, na);
		a->alloc = na;
	}
	memcpy(a->p + a->len, s, n);
	a->p[a->len + n] = '\0';
	a->len += n + 1;
	return at;
}

/* One CSV file parsed into cells. */
struct table {
	const char *path;   /* file name, borrowed */
	struct arena cells; /* cell text */
	size_t *cell;	    /* offset of each cell in cells */
	size_t ncell;	    /* cells */
	size_t acell;	    /* allocated entries in cell */
	size_t ncol;	    /* header width */
	size_t nrow;	    /* rows including the header */
	size_t row_cells;   /* cells in the row being read */
	size_t bad_row;	    /* first row (1-based) with a wrong width, 0 none */
	size_t bad_width;   /* its width */
};

static void on_cell(void *s, size_t len, void *data)
{
	struct table *t = data;

	if (t->ncell == t->acell) {
		t->acell = t->acell ? t->acell * 2 : 1024;
		t->cell = uc_xrealloc(t->cell, t->acell * sizeof(*t->cell));
	}
	t->cell[t->ncell++] = arena_add(&t->cells, s ? s : "", s ? len : 0);
	t->row_cells++;
}

static void on_row(int c, void *data)
{
	struct table *t = data;

	(void)c;
	if (t->nrow == 0)
		t->ncol = t->row_cells;
	else if (t->row_cells != t->ncol) {
		if (t->row_cells == 1 && t->cells.p[t->cell[t->ncell - 1]] == '\0') {
			t->ncell--; /* a blank line */
			t->row_cells = 0;
			return;
		}
		if (!t->bad_row) {
			t->bad_row = t->nrow + 1;
			t->bad_width = t->row_cells;
		}
		/* Keep the table rectangular: pad or drop cells. */
		while (t->row_cells < t->ncol)
			on_cell(NULL, 0, t);
		if (t->row_cells > t->ncol)
			t->ncell -= t->row_cells - t->ncol;
	}
	t->nrow++;
	t->row_cells = 0;
}

static void table_release(struct table *t)
{
	free(t->cells.p);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}

static int table_read(struct table *t, const char *path, struct uc_err *err)
{
	FILE *f = NULL;
	struct csv_parser p;
	char chunk[65536];
	size_t n, total = 0;
	int rc = UC_OK, pinit = 0;

	memset(t, 0, sizeof(*t));
	t->path = path;
	f = fopen(path, "rb");
	if (!f) {
		rc = uc_error(err, UC_EINPUT, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (csv_init(&p, CSV_APPEND_NULL) != 0) {
		rc = uc_error(err, UC_ENOMEM, "%s: cannot start CSV parser", path);
		goto out;
	}
	pinit = 1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		total += n;
		if (total > FILE_CAP) {
			rc = uc_error(err, UC_ENOMEM, "%s: larger than %zu bytes; split it", path,
				      FILE_CAP);
			goto out;
		}
		if (csv_parse(&p, chunk, n, on_cell, on_row, t) != n) {
			rc = uc_error(err, UC_EINPUT, "%s: row %zu: %s", path, t->nrow + 1,
				      csv_strerror(csv_error(&p)));
			goto out;
		}
	}
	if (ferror(f)) {
		rc = uc_error(err, UC_EIO, "%s: read error", path);
		goto out;
	}
	csv_fini(&p, on_cell, on_row, t);
	if (t->nrow == 0) {
		rc = uc_error(err, UC_EINPUT, "%s: empty file: expected a header row and records",
			      path);
		goto out;
	}
	if (t->nrow == 1) {
		rc = uc_error(err, UC_EINPUT, "%s: header only, no records", path);
		goto out;
	}
	if (t->bad_row) {
		rc = uc_error(err, UC_EINPUT,
			      "%s: row %zu has %zu fields but the header has %zu; fix the row",
			      path, t->bad_row, t->bad_width, t->ncol);
		goto out;
	}
out:
	if (pinit)
		csv_free(&p);
	if (f)
		fclose(f);
	return rc;
}

static const char *cell(const struct table *t, size_t row, size_t col)
{
	return t->cells.p + t->cell[row * t->ncol + col];
}

static int find_col(const struct table *t, const char *name, size_t *col, struct uc_err *err)
{
	struct buf have;

	for (size_t c = 0; c < t->ncol; c++) {
		if (strcmp(cell(t, 0, c), name) == 0) {
			*col = c;
			return UC_OK;
		}
	}
	buf_init(&have, 4096);
	for (size_t c = 0; c < t->ncol; c++)
		buf_addf(&have, "%s%s", c ? "," : "", cell(t, 0, c));
	uc_error(err, UC_EINPUT, "%s: no column '%s' (columns: %s); check --id/--fields", t->path,
		 name, have.len ? have.ptr : "");
	buf_release(&have);
	return UC_EINPUT;
}

/* The records being linked. */
struct recs {
	size_t n;		 /* records */
	int nf;			 /* fields */
	size_t *id;		 /* id offset in text, per record */
	size_t *val;		 /* value offset per record and field (n * nf) */
	uint8_t *side;		 /* file index per record */
	struct arena text;	 /* ids and normalised values */
	int kind[MAX_FIELDS];	 /* KIND_NAME or KIND_CODE */
	char *fname[MAX_FIELDS]; /* field names, owned */
};

static void recs_release(struct recs *r)
{
	free(r->id);
	free(r->val);
	free(r->side);
	free(r->text.p);
	for (int f = 0; f < r->nf; f++)
		free(r->fname[f]);
	memset(r, 0, sizeof(*r));
}

static int parse_fields(const char *list, struct recs *r, struct uc_err *err)
{
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 0)
			return uc_error(err, UC_EUSAGE, "--fields '%s': empty column name", list);
		if (r->nf >= MAX_FIELDS)
			return uc_error(err, UC_EUSAGE, "--fields: at most %d columns", MAX_FIELDS);
		r->fname[r->nf] = uc_xmalloc(n + 1);
		memcpy(r->fname[r->nf], p, n);
		r->fname[r->nf][n] = '\0';
		r->nf++;
		p += n;
		if (*p == ',')
			p++;
	}
	if (r->nf == 0)
		return uc_error(err, UC_EUSAGE, "--fields: name at least one column");
	return UC_OK;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		if ((*s < '0' || *s > '9') && *s != ' ')
			return 0;
	}
	return 1;
}

static int load(const struct csvlink_opts *o, struct recs *r, struct uc_err *err)
{
	struct table t[2];
	size_t total = 0, k = 0;
	int rc;

	memset(t, 0, sizeof(t));
	rc = parse_fields(o->fields, r, err);
	if (rc)
		goto out;
	for (int i = 0; i < o->nfiles; i++) {
		rc = table_read(&t[i], o->files[i], err);
		if (rc)
			goto out;
		total += t[i].nrow - 1;
	}
	if (total >= BLOCK_MAX_RECS) {
		rc = uc_error(err, UC_EINPUT, "%zu records: at most %u can be linked at once",
			      total, BLOCK_MAX_RECS - 1);
		goto out;
	}
	r->n = total;
	r->id = uc_xmalloc(total * sizeof(*r->id));
	r->val = uc_xmalloc(total * (size_t)r->nf * sizeof(*r->val));
	r->side = uc_xmalloc(total);
	for (int i = 0; i < o->nfiles; i++) {
		size_t idc, fc[MAX_FIELDS];

		rc = find_col(&t[i], o->id, &idc, err);
		if (rc)
			goto out;
		for (int f = 0; f < r->nf; f++) {
			rc = find_col(&t[i], r->fname[f], &fc[f], err);
			if (rc)
				goto out;
		}
		for (size_t row = 1; row < t[i].nrow; row++, k++) {
			const char *id = cell(&t[i], row, idc);

			if (!*id) {
				rc =
				    uc_error(err, UC_EINPUT, "%s: row %zu: empty id in column '%s'",
					     t[i].path, row + 1, o->id);
				goto out;
			}
			r->id[k] = arena_add(&r->text, id, strlen(id));
			r->side[k] = (uint8_t)i;
			for (int f = 0; f < r->nf; f++) {
				struct norm_name nn;

				norm_name(cell(&t[i], row, fc[f]), (size_t)-1, &nn);
				r->val[k * (size_t)r->nf + (size_t)f] =
				    arena_add(&r->text, nn.s, strlen(nn.s));
			}
		}
	}
	/* A field is a code when nearly all its values are digits. */
	for (int f = 0; f < r->nf; f++) {
		size_t nz = 0, dig = 0;

		for (size_t i = 0; i < r->n; i++) {
			const char *v = r->text.p + r->val[i * (size_t)r->nf + (size_t)f];

			if (!*v)
				continue;
			nz++;
			dig += all_digits(v);
		}
		r->kind[f] = nz && dig * 10 >= nz * 9 ? KIND_CODE : KIND_NAME;
	}
out:
	table_release(&t[0]);
	table_release(&t[1]);
	return rc;
}

static const char *val(const struct recs *r, size_t i, int f)
{
	return r->text.p + r->val[i * (size_t)r->nf + (size_t)f];
}

static void block_all(const struct recs *r, struct block_keys *k)
{
	for (size_t i = 0; i < r->n; i++) {
		for (int f = 0; f < r->nf; f++) {
			const char *v = val(r, i, f);
			struct norm_name nn;
			char ph[NORM_PHON_MAX];

			if (!*v)
				continue;
			block_keys_add(k, block_hash(v, strlen(v), (uint64_t)f * 4 + 1),
				       (uint32_t)i);
			if (r->kind[f] != KIND_NAME)
				continue;
			norm_split(v, strlen(v), &nn);
			for (int t = 0; t < nn.ntok; t++) {
				size_t pl = norm_phon(nn.s + nn.off[t], nn.len[t], ph);

				if (pl)
					block_keys_add(k, block_hash(ph, pl, (uint64_t)f * 4 + 2),
						       (uint32_t)i);
			}
		}
	}
}

static void compare(const struct recs *r, size_t a, size_t b, uint8_t *vec)
{
	for (int f = 0; f < r->nf; f++) {
		const char *x = val(r, a, f), *y = val(r, b, f);

		if (!*x || !*y) {
			vec[f] = 0;
		} else if (r->kind[f] == KIND_CODE) {
			size_t xl = strlen(x), yl = strlen(y);

			if (xl == yl && memcmp(x, y, xl) == 0)
				vec[f] = 1;
			else if (cmp_within_one(x, xl, y, yl))
				vec[f] = 2;
			else
				vec[f] = 3;
		} else {
			struct norm_name nx, ny;

			norm_split(x, strlen(x), &nx);
			norm_split(y, strlen(y), &ny);
			vec[f] = (uint8_t)cmp_name(&nx, &ny);
		}
	}
}

/* Context of the random-pair comparator. */
struct cctx {
	const struct recs *r; /* the records */
};

static void compare_fn(void *ctx, uint32_t a, uint32_t b, uint8_t *vec)
{
	const struct cctx *c = ctx;

	compare(c->r, a, b, vec);
}

/*
 * Term frequencies (as in `uctrack link`, docs/linkage.md): for each
 * record and name field, how many records carry the same value (0 for
 * an empty value or a code field). Returns n * nf counts; the caller
 * frees them.
 */
static uint32_t *term_counts(const struct recs *r)
{
	uint32_t *tf = uc_xcalloc(r->n * (size_t)r->nf + 1, sizeof(*tf));

	for (int f = 0; f < r->nf; f++) {
		struct u64map m;

		if (r->kind[f] != KIND_NAME)
			continue;
		u64map_init(&m);
		for (size_t i = 0; i < r->n; i++) {
			const char *x = val(r, i, f);
			uint64_t h, *v;

			if (!*x)
				continue;
			h = block_hash(x, strlen(x), 0x7466);
			v = u64map_get(&m, h);
			u64map_put(&m, h, v ? *v + 1 : 1);
		}
		for (size_t i = 0; i < r->n; i++) {
			const char *x = val(r, i, f);
			uint64_t *v;

			if (!*x)
				continue;
			v = u64map_get(&m, block_hash(x, strlen(x), 0x7466));
			tf[i * (size_t)r->nf + (size_t)f] = v ? (uint32_t)*v : 0;
		}
		u64map_release(&m);
	}
	return tf;
}

/*
 * Posterior of records a and b (vector pat) with the term-frequency
 * adjustment: an exact name value is worth log2(m / f) instead of
 * log2(m / u), f being the share of records with that value (the commoner
 * of the two).
 */
static double tf_posterior(const struct fs_model *m, const struct recs *r, const uint32_t *tf,
			   size_t a, size_t b, uint64_t pat)
{
	double w = fs_weight(m, pat) + log2(m->p / (1 - m->p));

	for (int f = 0; f < r->nf; f++) {
		uint32_t na = tf[a * (size_t)r->nf + (size_t)f],
			 nb = tf[b * (size_t)r->nf + (size_t)f];
		double fr;

		if (r->kind[f] != KIND_NAME || fs_level(pat, f) != CMP_NAME_EXACT || !na || !nb)
			continue;
		fr = (double)(na > nb ? na : nb) / (double)r->n;
		w += log2(m->u[f][CMP_NAME_EXACT] / fr);
	}
	if (w > 60)
		return 1.0;
	if (w < -60)
		return 0.0;
	return 1.0 / (1.0 + exp2(-w));
}

/* A scored link for one-to-one selection. */
struct scored {
	double post; /* posterior */
	uint32_t a;  /* record */
	uint32_t b;  /* record */
};

static int by_post_desc(const void *x, const void *y)
{
	const struct scored *p = x, *q = y;

	if (p->post != q->post)
		return p->post < q->post ? 1 : -1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : (p->b > q->b);
}

/* Write s as a CSV field: quoted only when it holds a comma, quote or
 * line break (RFC 4180). */
static void put_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_out(const char *path, const struct recs *r, struct cluster *c, size_t *nclusters,
		     struct uc_err *err)
{
	struct buf tmp;
	FILE *f = NULL;
	uint32_t *first = NULL;
	int rc = UC_OK;

	buf_init(&tmp, 4096);
	buf_addf(&tmp, "%s.tmp", path);
	if (buf_failed(&tmp)) {
		rc = uc_error(err, UC_EUSAGE, "--out: path too long");
		goto out;
	}
	f = fopen(tmp.ptr, "wb");
	if (!f) {
		rc = uc_error(err, UC_EIO, "%s: cannot create: %s", tmp.ptr, strerror(errno));
		goto out;
	}
	first = uc_xmalloc((r->n ? r->n : 1) * sizeof(*first));
	for (size_t i = 0; i < r->n; i++)
		first[i] = UINT32_MAX;
	*nclusters = 0;
	fputs("record_id,cluster_id\n", f);
	for (size_t i = 0; i < r->n; i++) {
		uint32_t root = cluster_find(c, (uint32_t)i);
		const char *id = r->text.p + r->id[i];

		if (first[root] == UINT32_MAX) {
			first[root] = (uint32_t)i;
			(*nclusters)++;
		}
		put_field(f, id);
		fputc(',', f);
		put_field(f, r->text.p + r->id[first[root]]);
		fputc('\n', f);
	}
	if (fflush(f) != 0 || ferror(f)) {
		rc = uc_error(err, UC_EIO, "%s: write failed: %s", tmp.ptr, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		rc = uc_error(err, UC_EIO, "%s: write failed: %s", tmp.ptr, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp.ptr, path) != 0) {
		rc = uc_error(err, UC_EIO, "%s: cannot rename to %s: %s", tmp.ptr, path,
			      strerror(errno));
		goto out;
	}
out:
	if (f) {
		fclose(f);
		remove(tmp.ptr);
	}
	free(first);
	buf_release(&tmp);
	return rc;
}

int csvlink_run(const struct csvlink_opts *o, struct csvlink_stats *st, struct uc_err *err)
{
	struct recs r;
	struct block_keys k;
	struct block_pairs pr;
	struct fs_counts cnt;
	struct cluster c;
	struct scored *links = NULL;
	uint64_t *pat = NULL;
	uint32_t *tfn = NULL;
	uint8_t *used = NULL;
	size_t nlinks = 0;
	int levels[MAX_FIELDS];
	const char *names[MAX_FIELDS];
	int rc;

	memset(&r, 0, sizeof(r));
	memset(st, 0, sizeof(*st));
	block_keys_init(&k);
	memset(&pr, 0, sizeof(pr));
	fs_counts_init(&cnt);
	memset(&c, 0, sizeof(c));
	if (o->nfiles < 1 || o->nfiles > 2 || !o->id || !o->fields || !o->out) {
		rc = uc_error(err, UC_EUSAGE,
			      "link --csv needs 1 or 2 files, --id, --fields and --out");
		goto out;
	}
	rc = load(o, &r, err);
	if (rc)
		goto out;
	st->records = r.n;
	block_all(&r, &k);
	block_pairs_build(&k, o->block_cap ? o->block_cap : 100, o->nfiles == 2 ? r.side : NULL,
			  &pr);
	block_keys_release(&k);
	st->pairs = pr.n;
	st->skipped_blocks = pr.skipped;
	for (int f = 0; f < r.nf; f++) {
		levels[f] = r.kind[f] == KIND_CODE ? CODE_NLEVELS : CMP_NAME_NLEVELS;
		names[f] = r.fname[f];
	}
	fs_init(&st->model, r.nf, levels, names);
	if (o->match_at > 0)
		st->model.match_at = o->match_at;
	pat = uc_xmalloc((pr.n ? pr.n : 1) * sizeof(*pat));
	for (size_t i = 0; i < pr.n; i++) {
		uint8_t vec[MAX_FIELDS];

		compare(&r, pr.v[i] >> 32, (uint32_t)pr.v[i], vec);
		pat[i] = fs_pack(&st->model, vec);
		fs_counts_add(&cnt, pat[i], 1);
	}
	{
		struct cctx cc = {&r};

		fs_random_u(&st->model, r.n, o->nfiles == 2 ? r.side : NULL, compare_fn, &cc,
			    200000);
		/* u stays as measured on random pairs (issue 12): EM on
		 * candidates alone learns u from pairs that blocking made
		 * agree; it fits m and p */
		st->model.fix_u = 1;
	}
	fs_em(&st->model, &cnt, 500);
	tfn = term_counts(&r);
	links = uc_xmalloc((pr.n ? pr.n : 1) * sizeof(*links));
	for (size_t i = 0; i < pr.n; i++) {
		double post =
		    tf_posterior(&st->model, &r, tfn, pr.v[i] >> 32, (uint32_t)pr.v[i], pat[i]);
		int d = fs_decide(&st->model, post);

		if (d == FS_REVIEW)
			st->review++;
		if (d != FS_MATCH)
			continue;
		links[nlinks].post = post;
		links[nlinks].a = (uint32_t)(pr.v[i] >> 32);
		links[nlinks].b = (uint32_t)pr.v[i];
		nlinks++;
	}
	cluster_init(&c, r.n);
	if (o->nfiles == 2 && o->one_to_one) {
		qsort(links, nlinks, sizeof(*links), by_post_desc);
		used = uc_xcalloc(r.n ? r.n : 1, 1);
	}
	for (size_t i = 0; i < nlinks; i++) {
		if (used) {
			if (used[links[i].a] || used[links[i].b])
				continue;
			used[links[i].a] = used[links[i].b] = 1;
		}
		cluster_join(&c, links[i].a, links[i].b);
		st->links++;
	}
	rc = write_out(o->out, &r, &c, &st->clusters, err);
out:
	free(used);
	free(tfn);
	free(links);
	free(pat);
	cluster_release(&c);
	fs_counts_release(&cnt);
	block_pairs_release(&pr);
	block_keys_release(&k);
	recs_release(&r);
	return rc;
}
