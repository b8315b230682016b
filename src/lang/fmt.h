/*
 * fmt.h — canonical formatting of .lac files (`lac fmt`): one layout for
 * every program, comments kept, idempotent, meaning unchanged.
 */
#ifndef LAC_FMT_H
#define LAC_FMT_H

#include "lang/ast.h"

/* Format a parsed (error-free) file; src is its text (for comments). */
void fmt_file(const struct ast_file *f, const char *src, size_t len, struct strbuf *out);
/* Append a dump of f's syntax without locations, parentheses or checker
 * fields: two files mean the same program when their dumps are equal. */
void fmt_ast_dump(const struct ast_file *f, struct strbuf *out);

/* The canonical text of one definition as `lac plan` compares and shows
 * it: no comments, settings in a fixed order, without `enabled` (applied
 * as a flag of its own) and, for an audience, without its activations
 * (its alerts are kept). */
void fmt_audience_definition(const struct ast_audience *a, struct strbuf *out);
void fmt_activation_definition(const struct ast_activation *t, struct strbuf *out);
/* The whole audience as `lac fmt` writes it (activations and `enabled`
 * included) but without comments: the source `lac apply` stores. */
void fmt_audience_source(const struct ast_audience *a, struct strbuf *out);

#endif
