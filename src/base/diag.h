/*
 * diag.h — source files, locations and diagnostics.
 *
 * Every node built from a .lac or YAML file carries a struct loc.  Diagnostics
 * go to one sink, are counted, and are rendered at the end, as text with a
 * caret line or as JSON, so several errors are reported in one run.
 */
#ifndef LAC_DIAG_H
#define LAC_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/line_table.h"
#include "base/util.h"

/* A span in a source file; lines and columns are 1-based, columns count bytes,
 * end is exclusive (end_col is one past the last byte of the span). */
struct loc {
	uint32_t file; /* index into the source set; 0 = no file */
	uint32_t line, col;
	uint32_t end_line, end_col;
};

enum diag_code {
#define DIAG(code, slug, summary) DIAG_##code,
#include "base/diag_codes.def"
#undef DIAG
	DIAG__COUNT
};
const char *diag_code_name(enum diag_code code); /* "E201" */
const char *diag_code_slug(enum diag_code code); /* "graph-missing-column" */

/* The files a run has read, so diagnostics can quote their lines. */
struct source {
	char *path;  /* as shown to the user (relative to the project dir when possible) */
	char *text;  /* whole contents, NUL-terminated; may be NULL (not read) */
	size_t len;
	struct line_table lines; /* built by source_line on first use (one thread) */
};
struct source_set {
	struct source *items; /* items[0] is a placeholder for "no file" */
	size_t n, cap;
};
void source_set_init(struct source_set *ss);
void source_set_release(struct source_set *ss);
/* Takes ownership of text (may be NULL).  Returns the file id. */
uint32_t source_add(struct source_set *ss, const char *path, char *text, size_t len);
const char *source_path(const struct source_set *ss, uint32_t file);
/* Line `line` (1-based) of src without its line end, its length in *len
 * (line_table_line); NULL when the file was not read or has no such line. */
const char *source_line(struct source *src, uint32_t line, size_t *len);

enum diag_severity { SEV_ERROR, SEV_WARNING, SEV_NOTE };

struct diag {
	enum diag_severity severity;
	enum diag_code code;
	struct loc loc;
	char *message;
	char **hints; /* "did you mean 'type'?" */
	size_t nhints;
};

struct diag_sink {
	struct source_set *sources;
	struct diag *items;
	size_t n, cap;
	size_t nerrors, nwarnings;
};

void diag_sink_init(struct diag_sink *d, struct source_set *sources);
void diag_sink_release(struct diag_sink *d);

/* Report; both return -1 so callers can `return diag_error(...)`. */
int diag_error(struct diag_sink *d, struct loc loc, enum diag_code code, const char *fmt, ...)
	LAC_PRINTF(4, 5);
int diag_warning(struct diag_sink *d, struct loc loc, enum diag_code code, const char *fmt, ...)
	LAC_PRINTF(4, 5);
/* Attach a hint line to the most recent diagnostic. */
void diag_hint(struct diag_sink *d, const char *fmt, ...) LAC_PRINTF(2, 3);
/* "did you mean 'x'?" when a candidate is close to name. */
void diag_hint_closest(struct diag_sink *d, const char *name, const char *const *cands, size_t n);

/* Keep only the diagnostics in the files for which keep[file] is true
 * (keep has one entry per source; file 0, no file, is never kept), with
 * the counts updated: `lac check FILE...`. */
void diag_keep_files(struct diag_sink *d, const bool *keep);
/* Order diagnostics by file, line, column (stable), for deterministic output. */
void diag_sort(struct diag_sink *d);
/* Text: "file:line:col: error[E201]: message", source line, caret, "help:" lines. */
void diag_render_text(const struct diag_sink *d, FILE *out, bool color);
/* JSON: an array of {file,line,col,end:{line,col},severity,code,message,hints}. */
void diag_render_json(const struct diag_sink *d, FILE *out);
/* One diagnostic as text, into sb (used by tests and by the runner's error log). */
void diag_format_one(const struct diag_sink *d, const struct diag *g, struct strbuf *sb, bool color);

#endif
