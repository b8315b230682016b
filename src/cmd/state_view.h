/*
 * state_view.h — what `lac status`, `runs`, `delivery` and `consumers` share:
 * the project and the state read without changing either, times and counts
 * shown the same way in each.  Private to src/cmd/.
 */
#ifndef LAC_CMD_STATE_VIEW_H
#define LAC_CMD_STATE_VIEW_H

#include <jansson.h>
#include <stdint.h>

#include "cmd/cli.h"
#include "state/state.h"

/* Where the state is, as JSON: {"type": "sqlite", "path"} or {"type":
 * "postgres", "host", "port", "database", "user", "schema"}, never a
 * password.  From the connection when st is open (the path made absolute
 * when asked: the export names its source for a later import), else from
 * lac.yaml's settings. */
json_t *view_backend_json(struct project *p, struct state *st, bool absolute);

/* Load the project; on errors print them, release p and return -1. */
int view_load(struct cli *c, struct project *p);
/* view_load, then the state opened read-only (*st stays NULL when there is
 * none yet).  0, or -1 after saying why, with p released. */
int view_open(struct cli *c, struct project *p, struct state **st);
/* Close the state (NULL is fine).  A read that failed on the way (a
 * damaged file) made what was shown incomplete: it is reported and rc
 * becomes EXIT_ERRORS. */
int view_close_state(struct state *st, int rc);
/* The one AUDIENCE argument of the command, or NULL after the usage message. */
const char *view_audience_arg(struct cli *c, const char *what);
/* Is name an audience of the files or of the state?  Says so when not. */
bool view_known(struct project *p, struct state *st, const char *name);

/* A time as ISO-8601 UTC: JSON null / text "-" when it is 0 (never). */
json_t *view_time_json(int64_t t);
const char *view_time_text(int64_t t, char buf[32]);
/* A number of a run's JSON summary (0 when absent). */
int64_t view_summary_int(const char *summary, const char *key);
/* A JSON string of s even when it is not UTF-8 (a reason may quote the
 * bytes that made an event invalid): such bytes become '?'.  NULL: null. */
json_t *view_string_json(const char *s);
/* s on stdout on one line: control characters become '?'. */
void view_put_line(const char *s);
/* An activation's delivery counts as JSON. */
json_t *view_counts_json(const struct delivery_counts *k);

#endif
