/*
 * state_owner.h — the project a state belongs to (SPEC §1.2: "the state
 * records the project name and refuses another project's").
 */
#ifndef LAC_STATE_OWNER_H
#define LAC_STATE_OWNER_H

#include "base/util.h"
#include "state/state.h"

/* Is st the state of project?  A read-write state that records no project
 * yet (new, or made by an older lac) records this one.  0, or -1 with
 * "<state>: the state belongs to project 'A', not 'B' ..." in err. */
int state_check_owner(struct state *st, const char *project, struct strbuf *err);
/* The recorded project (malloc'd), or NULL when none is. */
char *state_owner(struct state *st);

#endif
