/*
 * cmp.c - comparators.
 */
#include "link/cmp.h"

#include <string.h>

#include "core/date.h"

#define JW_MAX 64

/*
 * Jaro-Winkler with bit sets (strings of at most JW_MAX = 64 bytes, longer
 * ones truncated): pos[c] holds the positions of byte c in b, so the
 * first unmatched position of a[i] within the window is the lowest bit of
 * pos[a[i]] & ~matched & window -- the same match the textbook double loop
 * finds, in one step instead of a scan of the window. The linkage compares
 * tens of millions of name pairs.
 */
double cmp_jw(const char *a, size_t al, const char *b, size_t bl)
{
	uint64_t pos[256], am = 0, bm = 0;
	size_t win, m = 0, t = 0, pre = 0;
	double j;

	if (al == 0 && bl == 0)
		return 1.0;
	if (al == 0 || bl == 0)
		return 0.0;
	if (al > JW_MAX)
		al = JW_MAX;
	if (bl > JW_MAX)
		bl = JW_MAX;
	memset(pos, 0, sizeof(pos));
	for (size_t q = 0; q < bl; q++)
		pos[(unsigned char)b[q]] |= (uint64_t)1 << q;
	win = (al > bl ? al : bl) / 2;
	win = win > 0 ? win - 1 : 0;
	for (size_t i = 0; i < al; i++) {
		size_t lo = i > win ? i - win : 0;
		size_t hi = i + win + 1 < bl ? i + win + 1 : bl;
		uint64_t w, c;

		if (lo >= hi)
			continue;
		w = (hi >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << hi) - 1) &
		    ~(((uint64_t)1 << lo) - 1);
		c = pos[(unsigned char)a[i]] & ~bm & w;
		if (!c)
			continue;
		bm |= c & (~c + 1); /* the lowest position */
		am |= (uint64_t)1 << i;
		m++;
	}
	if (m == 0)
		return 0.0;
	/* Matched characters of a and of b, each in order: transpositions. */
	for (uint64_t x = am, y = bm; x; x &= x - 1, y &= y - 1) {
		if (a[__builtin_ctzll(x)] != b[__builtin_ctzll(y)])
			t++;
	}
	j = ((double)m / (double)al + (double)m / (double)bl +
	     ((double)m - (double)t / 2.0) / (double)m) /
	    3.0;
	while (pre < 4 && pre < al && pre < bl && a[pre] == b[pre])
		pre++;
	return j + (double)pre * 0.1 * (1.0 - j);
}

int cmp_within_one(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0;

	if (al == bl) {
		size_t d1 = 0, first = 0;

		for (i = 0; i < al; i++) {
			if (a[i] != b[i]) {
				if (d1 == 0)
					first = i;
				d1++;
			}
		}
		if (d1 <= 1)
			return 1;
		return d1 == 2 && first + 1 < al && a[first] == b[first + 1] &&
		       a[first + 1] == b[first] &&
		       memcmp(a + first + 2, b + first + 2, al - first - 2) == 0;
	}
	if (al + 1 == bl || bl + 1 == al) {
		const char *s = al < bl ? a : b, *l = al < bl ? b : a;
		size_t sl = al < bl ? al : bl;

		while (i < sl && s[i] == l[i])
			i++;
		return memcmp(s + i, l + i + 1, sl - i) == 0;
	}
	return 0;
}

int cmp_anum_valid(const char *s)
{
	int same = 1;

	if (!s || strlen(s) != 9)
		return 0;
	for (int i = 0; i < 9; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (s[i] != s[0])
			same = 0;
	}
	return !same && strcmp(s, "123456789") != 0;
}

int cmp_anum(const char *a, const char *b)
{
	int diff = 0, first = -1;

	if (!a || !b || !*a || !*b)
		return CMP_ANUM_MISSING;
	if (strlen(a) != 9 || strlen(b) != 9)
		return strcmp(a, b) == 0 ? CMP_ANUM_EXACT : CMP_ANUM_DIFF;
	for (int i = 0; i < 9; i++) {
		if (a[i] != b[i]) {
			if (first < 0)
				first = i;
			diff++;
		}
	}
	if (diff == 0)
		return CMP_ANUM_EXACT;
	if (diff == 1)
		return CMP_ANUM_TYPO;
	if (diff == 2 && first < 8 && a[first] == b[first + 1] && a[first + 1] == b[first] &&
	    a[first + 1] != b[first + 1])
		return CMP_ANUM_TRANSPOSE;
	return CMP_ANUM_DIFF;
}

int cmp_date(int32_t a, int32_t b)
{
	int ay, am, ad, by, bm, bd;
	char as[11], bs[11];
	int32_t d;

	if (a == UC_DATE_NONE || b == UC_DATE_NONE)
		return CMP_DATE_MISSING;
	if (a == b)
		return CMP_DATE_EXACT;
	date_to_ymd(a, &ay, &am, &ad);
	date_to_ymd(b, &by, &bm, &bd);
	if (ay == by && am == bd && ad == bm)
		return CMP_DATE_SWAP;
	if (ay == by && ((am == 1 && ad == 1) || (bm == 1 && bd == 1)))
		return CMP_DATE_JAN1;
	if (ay == by && am == bm && (ad == 1 || bd == 1))
		return CMP_DATE_FOM;
	if (am == bm && ad == bd && (ay - by == 1 || by - ay == 1))
		return CMP_DATE_YEAR1;
	d = a > b ? a - b : b - a;
	if (d <= 31)
		return CMP_DATE_NEAR;
	date_format(a, as);
	date_format(b, bs);
	if (cmp_within_one(as, 10, bs, 10))
		return CMP_DATE_NEAR;
	return cmp_date_compatible(a, b) ? CMP_DATE_DIFF : CMP_DATE_FAR;
}

void cmp_date_span(int32_t d, int32_t *lo, int32_t *hi)
{
	int y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	*lo = d;
	*hi = d;
	if (dd != 1)
		return;
	if (m == 1) {
		*hi = date_from_ymd(y, 12, 31);
		return;
	}
	*hi = (m == 12 ? date_from_ymd(y + 1, 1, 1) : date_from_ymd(y, m + 1, 1)) - 1;
}

int cmp_date_compatible(int32_t a, int32_t b)
{
	int32_t alo, ahi, blo, bhi;

	if (a == UC_DATE_NONE || b == UC_DATE_NONE)
		return 1;
	cmp_date_span(a, &alo, &ahi);
	cmp_date_span(b, &blo, &bhi);
	/* the gap between the spans, 0 when they overlap */
	if (blo > ahi)
		return blo - ahi <= CMP_DATE_SLACK;
	if (alo > bhi)
		return alo - bhi <= CMP_DATE_SLACK;
	return 1;
}

/* Tokens of a name sorted bytewise and joined without spaces. */
static size_t sorted_joined(const struct norm_name *n, char *out, size_t cap)
{
	int idx[NORM_MAX_TOK];
	size_t o = 0;

	for (int i = 0; i < n->ntok; i++)
		idx[i] = i;
	for (int i = 1; i < n->ntok; i++) {
		for (int j = i; j > 0; j--) {
			int x = idx[j - 1], y = idx[j];
			size_t lx = n->len[x], ly = n->len[y];
			int c = memcmp(n->s + n->off[x], n->s + n->off[y], lx < ly ? lx : ly);

			if (c < 0 || (c == 0 && lx <= ly))
				break;
			idx[j - 1] = y;
			idx[j] = x;
		}
	}
	for (int i = 0; i < n->ntok; i++) {
		size_t l = n->len[idx[i]];

		if (o + l >= cap)
			break;
		memcpy(out + o, n->s + n->off[idx[i]], l);
		o += l;
	}
	out[o] = '\0';
	return o;
}

static int tok_eq(const struct norm_name *a, int i, const struct norm_name *b, int j)
{
	return a->len[i] == b->len[j] && memcmp(a->s + a->off[i], b->s + b->off[j], a->len[i]) == 0;
}

/* 1 if every token of a appears in b. */
static int tok_subset(const struct norm_name *a, const struct norm_name *b)
{
	for (int i = 0; i < a->ntok; i++) {
		int found = 0;

		for (int j = 0; j < b->ntok && !found; j++)
			found = tok_eq(a, i, b, j);
		if (!found)
			return 0;
	}
	return 1;
}

double cmp_name_sim(const struct norm_name *a, const struct norm_name *b)
{
	char ja[NORM_MAX_LEN], jb[NORM_MAX_LEN];
	size_t la, lb;
	double best, s, tot = 0;
	const struct norm_name *sh = a->ntok <= b->ntok ? a : b;
	const struct norm_name *lo = sh == a ? b : a;

	if (a->ntok == 0 || b->ntok == 0)
		return 0.0;
	la = norm_joined(a, ja, sizeof(ja));
	lb = norm_joined(b, jb, sizeof(jb));
	best = cmp_jw(ja, la, jb, lb);
	if (a->ntok > 1 || b->ntok > 1) {
		la = sorted_joined(a, ja, sizeof(ja));
		lb = sorted_joined(b, jb, sizeof(jb));
		s = cmp_jw(ja, la, jb, lb);
		if (s > best)
			best = s;
		/* Token alignment: each token of the shorter name against its
		 * best partner, weighted by length. */
		size_t wsum = 0;

		for (int i = 0; i < sh->ntok; i++) {
			double tb = 0;

			for (int j = 0; j < lo->ntok; j++) {
				double x = cmp_jw(sh->s + sh->off[i], sh->len[i],
						  lo->s + lo->off[j], lo->len[j]);
				if (x > tb)
					tb = x;
			}
			tot += tb * sh->len[i];
			wsum += sh->len[i];
		}
		s = wsum ? tot / (double)wsum : 0;
		if (s > best)
			best = s;
	}
	return best;
}

/* One joined name begins with the whole of the other and goes on for at
 * least four more letters: a second surname joined on one side and
 * dropped on the other (HERRERAMENDEZ, HERRERA). */
static int joined_prefix(const char *ja, size_t la, const char *jb, size_t lb)
{
	if (la < lb) {
		const char *t = ja;
		size_t tl = la;

		ja = jb;
		la = lb;
		jb = t;
		lb = tl;
	}
	return lb >= 3 && la >= lb + 4 && memcmp(ja, jb, lb) == 0;
}

/* The phonetic keys of both names' tokens are the same multiset (CAAL,
 * KAAL; CUC, KUK): another transliteration, not another name. */
static int phon_same(const struct norm_name *a, const struct norm_name *b)
{
	char pa[NORM_MAX_TOK][NORM_PHON_MAX], pb[NORM_MAX_TOK][NORM_PHON_MAX];
	int used[NORM_MAX_TOK] = {0};

	if (a->ntok != b->ntok)
		return 0;
	for (int i = 0; i < a->ntok; i++) {
		norm_phon(a->s + a->off[i], a->len[i], pa[i]);
		norm_phon(b->s + b->off[i], b->len[i], pb[i]);
	}
	for (int i = 0; i < a->ntok; i++) {
		int j;

		for (j = 0; j < b->ntok; j++) {
			if (!used[j] && strcmp(pa[i], pb[j]) == 0)
				break;
		}
		if (j == b->ntok)
			return 0;
		used[j] = 1;
	}
	return 1;
}

int cmp_name(const struct norm_name *a, const struct norm_name *b)
{
	char ja[NORM_MAX_LEN], jb[NORM_MAX_LEN];
	size_t la, lb;
	double s;

	if (a->ntok == 0 || b->ntok == 0)
		return CMP_NAME_MISSING;
	if (strcmp(a->s, b->s) == 0)
		return CMP_NAME_EXACT;
	la = norm_joined(a, ja, sizeof(ja));
	lb = norm_joined(b, jb, sizeof(jb));
	if (la == lb && memcmp(ja, jb, la) == 0)
		return CMP_NAME_EXACT;
	if (a->ntok == b->ntok && tok_subset(a, b) && tok_subset(b, a))
		return CMP_NAME_EXACT;
	if (tok_subset(a, b) || tok_subset(b, a))
		return CMP_NAME_SUBSET;
	if (joined_prefix(ja, la, jb, lb))
		return CMP_NAME_SUBSET;
	if (phon_same(a, b))
		return CMP_NAME_HIGH;
	s = cmp_name_sim(a, b);
	if (s >= 0.92)
		return CMP_NAME_HIGH;
	if (s >= 0.80)
		return CMP_NAME_MID;
	return CMP_NAME_DIFF;
}

int cmp_eq(const char *a, const char *b, const char *unknown)
{
	if (!a || !b || !*a || !*b)
		return CMP_EQ_MISSING;
	if (unknown && (strcmp(a, unknown) == 0 || strcmp(b, unknown) == 0))
		return CMP_EQ_MISSING;
	return strcmp(a, b) == 0 ? CMP_EQ_AGREE : CMP_EQ_DIFF;
}
