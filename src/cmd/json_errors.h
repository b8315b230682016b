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

#endif
