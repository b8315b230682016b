/*
 * json_print.h — the one way lac prints a jansson value for tools: a
 * document (`--format json`: 2-space indent, keys in insertion order, a
 * final newline) or an NDJSON line (compact).
 */
#ifndef LAC_JSON_PRINT_H
#define LAC_JSON_PRINT_H

#include <stdio.h>

#include <jansson.h>

#include "base/util.h"

/* j as a document, to out or appended to sb. */
void json_print_doc(FILE *out, const json_t *j);
void json_append_doc(struct strbuf *sb, const json_t *j);
/* j as one compact line (NDJSON). */
void json_print_line(FILE *out, const json_t *j);

#endif
