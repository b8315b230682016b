/*
 * parse.h — turn one .lac source text into an ast_file.
 *
 * The flex scanner and bison parser live in grammar/; this is their only
 * entry point.  Syntax errors go to the sink (the parser recovers at the next
 * audience item, so several are reported); the returned file holds whatever
 * parsed cleanly and is never NULL.
 */
#ifndef LAC_PARSE_H
#define LAC_PARSE_H

#include "lang/ast.h"

struct ast_file *parse_source(struct arena *a, struct diag_sink *d, uint32_t file_id,
			      const char *path, const char *text, size_t len);

#endif
