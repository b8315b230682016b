/*
 * line_diff.c — an edit script of whole lines and its unified-diff form.
 *
 * The texts lac diffs are small (a definition, one statement, one audience
 * file) and usually differ in a few places, so the classic longest common
 * subsequence table is enough once the lines shared at both ends are set
 * aside; only the part between them pays the quadratic table, and a part too
 * large for it is shown whole as deleted then added.
 */
#include "base/line_diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void split_lines(const char *text, size_t len, struct text_line **out, size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < len;) {
		const char *e = memchr(text + i, '\n', len - i);
		size_t l = e ? (size_t)(e - (text + i)) : len - i;
		struct text_line line = { text + i, l, e != NULL };
		VEC_PUSH(*out, *n, cap, line);
		i += l + (e ? 1 : 0);
	}
}

static bool same_line(const struct line_diff *d, size_t i, size_t j, bool eol_matters)
{
	const struct text_line *x = &d->a[i], *y = &d->b[j];
	return x->len == y->len && memcmp(x->s, y->s, x->len) == 0 &&
	       (!eol_matters || x->newline == y->newline);
}

static void push(struct line_diff *d, size_t *cap, enum line_op_kind kind, size_t a, size_t b)
{
	struct line_op o = { kind, a, b };
	VEC_PUSH(d->ops, d->nops, *cap, o);
	if (kind != LINE_SAME)
		d->changed = true;
}

/* The script for lines [a0, a1) of the old text and [b0, b1) of the new,
 * which share neither their first nor their last line. */
static void diff_middle(struct line_diff *d, size_t *cap, size_t a0, size_t a1, size_t b0, size_t b1,
			bool eol_matters)
{
	size_t na = a1 - a0, nb = b1 - b0, w = nb + 1;
	if (na && nb && (na + 1) > LINE_DIFF_MAX_CELLS / w) {
		for (size_t i = a0; i < a1; i++)
			push(d, cap, LINE_DEL, i, b0);
		for (size_t j = b0; j < b1; j++)
			push(d, cap, LINE_ADD, a1, j);
		return;
	}
	/* lcs[i][j]: the longest common subsequence of the lines from i and j on */
	uint32_t *lcs = xcalloc((na + 1) * w, sizeof(*lcs));
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			lcs[i * w + j] = same_line(d, a0 + i, b0 + j, eol_matters)
				? lcs[(i + 1) * w + j + 1] + 1
				: lcs[(i + 1) * w + j] > lcs[i * w + j + 1]
				? lcs[(i + 1) * w + j] : lcs[i * w + j + 1];
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && same_line(d, a0 + i, b0 + j, eol_matters)) {
			push(d, cap, LINE_SAME, a0 + i, b0 + j);
			i++, j++;
		} else if (j < nb && (i == na || lcs[i * w + j + 1] > lcs[(i + 1) * w + j])) {
			push(d, cap, LINE_ADD, a0 + i, b0 + j);
			j++;
		} else {
			push(d, cap, LINE_DEL, a0 + i, b0 + j);
			i++;
		}
	}
	free(lcs);
}

void line_diff_compute(struct line_diff *d, const char *old_text, size_t old_len,
		       const char *new_text, size_t new_len, bool eol_matters)
{
	memset(d, 0, sizeof(*d));
	split_lines(old_text, old_len, &d->a, &d->na);
	split_lines(new_text, new_len, &d->b, &d->nb);
	size_t head = 0, tail = 0, cap = 0;
	while (head < d->na && head < d->nb && same_line(d, head, head, eol_matters))
		head++;
	while (tail < d->na - head && tail < d->nb - head &&
	       same_line(d, d->na - 1 - tail, d->nb - 1 - tail, eol_matters))
		tail++;
	for (size_t k = 0; k < head; k++)
		push(d, &cap, LINE_SAME, k, k);
	diff_middle(d, &cap, head, d->na - tail, head, d->nb - tail, eol_matters);
	for (size_t k = tail; k > 0; k--)
		push(d, &cap, LINE_SAME, d->na - k, d->nb - k);
}

void line_diff_release(struct line_diff *d)
{
	free(d->a);
	free(d->b);
	free(d->ops);
	memset(d, 0, sizeof(*d));
}

/* A hunk header's range as GNU diff writes it: "start,count", the count
 * left out when it is 1, and an empty range named by the line before it. */
static void add_range(struct strbuf *out, size_t first, size_t count)
{
	if (count == 1)
		sb_addf(out, "%zu", first + 1);
	else
		sb_addf(out, "%zu,%zu", count ? first + 1 : first, count);
}

static void add_line(struct strbuf *out, char mark, const struct text_line *l)
{
	sb_addch(out, mark);
	sb_addmem(out, l->s, l->len);
	sb_addch(out, '\n');
	if (!l->newline)
		sb_addstr(out, "\\ No newline at end of file\n");
}

void line_diff_unified(const struct line_diff *d, const char *old_label, const char *new_label,
		       size_t context, struct strbuf *out)
{
	if (!d->changed)
		return;
	sb_addf(out, "--- %s\n+++ %s\n", old_label, new_label);
	size_t k = 0;
	while (k < d->nops) {
		/* the next change, and the hunk around it: on while the next change
		 * is close enough for the context lines of both to touch */
		while (k < d->nops && d->ops[k].kind == LINE_SAME)
			k++;
		if (k == d->nops)
			break;
		size_t start = k > context ? k - context : 0, end = k;
		for (;;) {
			while (end < d->nops && d->ops[end].kind != LINE_SAME)
				end++;
			size_t next = end;
			while (next < d->nops && d->ops[next].kind == LINE_SAME)
				next++;
			if (next < d->nops && next - end <= 2 * context) {
				end = next;
				continue;
			}
			end = end + context < d->nops ? end + context : d->nops;
			break;
		}
		size_t na = 0, nb = 0;
		for (size_t q = start; q < end; q++) {
			na += d->ops[q].kind != LINE_ADD;
			nb += d->ops[q].kind != LINE_DEL;
		}
		sb_addstr(out, "@@ -");
		add_range(out, d->ops[start].a, na);
		sb_addstr(out, " +");
		add_range(out, d->ops[start].b, nb);
		sb_addstr(out, " @@\n");
		for (size_t q = start; q < end; q++) {
			const struct line_op *o = &d->ops[q];
			if (o->kind == LINE_SAME)
				add_line(out, ' ', &d->a[o->a]);
			else if (o->kind == LINE_DEL)
				add_line(out, '-', &d->a[o->a]);
			else
				add_line(out, '+', &d->b[o->b]);
		}
		k = end;
	}
}
