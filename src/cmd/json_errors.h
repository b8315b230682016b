/*
 * json_errors.h — `--format json` errors as JSON (SPEC §6: stdout carries
 * exactly one JSON document, errors included).  Every error of lac is a
 * "lac: ..." line on stderr; with --format json, main() keeps the last one,
 * and a command that fails without printing anything on stdout gets
 * {"error": "<that message>"} there instead of nothing.
 */
#ifndef LAC_CMD_JSON_ERRORS_H
#define LAC_CMD_JSON_ERRORS_H

/* Start watching stdout and stderr (they stay the same streams to the
 * user: every byte still goes to file descriptors 1 and 2). */
void json_errors_begin(void);
/* The last error line on stderr, without "lac: " (NULL when none). */
const char *json_errors_last(void);
/* Flush both; when rc is not 0 and stdout got nothing, print the error
 * document there.  0, or the errno of a write to stdout that failed. */
int json_errors_end(int rc);

/* ---- the "errors" list of run and apply (SPEC §6) ------------------------------ */
#include <jansson.h>

#include "base/diag.h"

/* Append {"code", "message", "audience"} (audience null when NULL) to errors.
 * Codes: a diagnostic's (E007, ...), or one of run-failed, not-started,
 * unknown-audience, not-applied, legacy-definition, state, warehouse, error. */
void json_errors_add(json_t *errors, const char *code, const char *message, const char *audience);
/* Each Failed run of reports (run_report_json objects): run-failed, or
 * not-started when it has no run id (its lock was held). */
void json_errors_add_runs(json_t *errors, const json_t *reports);
/* Each error diagnostic of d from index from on: its code, "file:line: message". */
void json_errors_add_diags(json_t *errors, const struct diag_sink *d, size_t from);

#endif
