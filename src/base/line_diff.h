/*
 * line_diff.h — which lines two texts share and where they differ: an edit
 * script of whole lines (longest common subsequence), and its rendering as a
 * unified diff (`diff -u`).  For plan's diffs of definitions and SQL, and
 * for `lac fmt --diff`.
 */
#ifndef LAC_LINE_DIFF_H
#define LAC_LINE_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

struct text_line {
	const char *s;
	size_t len;               /* without its '\n' */
	bool newline;             /* false only for a last line the text does not end */
};

enum line_op_kind { LINE_SAME, LINE_DEL, LINE_ADD };

/* One step of the script: a line of both texts, one only the old text has
 * (DEL) or one only the new has (ADD).  a and b are where the step stands
 * in each text (0-based line indexes; for an ADD, a is the old line that
 * comes next, and for a DEL, b the new one). */
struct line_op {
	enum line_op_kind kind;
	size_t a, b;
};

struct line_diff {
	struct text_line *a, *b;  /* the lines of the old and the new text */
	size_t na, nb;
	struct line_op *ops;
	size_t nops;
	bool changed;
};

/* The script from old to new.  With eol_matters a last line without its
 * '\n' differs from the same line with one (as diff says "No newline at end
 * of file"); without it, only the lines' text counts.  The texts must
 * outlive d.  Lines the texts share at their start and end are matched
 * first; between them, a part too large for the quadratic table
 * (LINE_DIFF_MAX_CELLS) is shown as deleted then added, which is still a
 * correct script, only not the shortest. */
void line_diff_compute(struct line_diff *d, const char *old_text, size_t old_len,
		       const char *new_text, size_t new_len, bool eol_matters);
void line_diff_release(struct line_diff *d);

#define LINE_DIFF_MAX_CELLS ((size_t)16 * 1024 * 1024)

/* The script as a unified diff: "--- OLD_LABEL", "+++ NEW_LABEL", then the
 * hunks ("@@ -l,n +l,n @@", as GNU diff numbers them) with context lines of
 * both texts around each change.  Nothing when the texts are the same. */
void line_diff_unified(const struct line_diff *d, const char *old_label, const char *new_label,
		       size_t context, struct strbuf *out);

#endif
