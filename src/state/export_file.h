/*
 * export_file.h — reading a `lac state export` file (JSON Lines: a header
 * line, one {"table": ..., "row": {...}} line per row, an end line with the
 * number of rows; cmd_state_move.c writes it).  The file is untrusted input
 * (fuzz_state_import fuzzes these readers).
 */
#ifndef LAC_STATE_EXPORT_FILE_H
#define LAC_STATE_EXPORT_FILE_H

#include <stdio.h>

#include <jansson.h>

#include "base/util.h"
#include "state/state.h"

#define STATE_EXPORT_FORMAT "lac-state"
#define STATE_EXPORT_FORMAT_VERSION 1

/* The next line of f as a JSON object: 1 and *out, 0 at the end, -1 when
 * the line is not one (err says "FILE:LINE: ...").  *buf, *cap: getline's
 * buffer, the caller's to free; *lineno counts the lines read. */
int export_next_line(FILE *f, const char *file, size_t *lineno, char **buf, size_t *cap, json_t **out,
		     struct strbuf *err);

/* Check the header line h against this lac and the project named project.
 * 0, or -1 with the reason in err. */
int export_check_header(json_t *h, const char *file, const char *project, struct strbuf *err);

/* Every line after the header into st (checked empty, inside the caller's
 * transaction, which the caller rolls back on -1), then the engine's id
 * counters moved past them.  0 with the rows' count in *rows, or -1 with
 * the reason in err. */
int export_import_rows(struct state *st, FILE *f, const char *file, size_t *lineno, json_int_t *rows,
		       struct strbuf *err);

#endif
