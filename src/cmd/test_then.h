/*
 * test_then.h — the `then:` part of an audience test (`lac test`): the
 * events a real run produces after a data change, found by running the
 * audience twice on the test's warehouse with a temporary state.
 */
#ifndef LAC_TEST_THEN_H
#define LAC_TEST_THEN_H

#include "check/audience_test.h"
#include "warehouse/warehouse.h"

/* On w (the test's warehouse, its fixture rows loaded): apply the project
 * to a new temporary state, run t's audience (queueing, never delivering),
 * replace the rows of then: tables:, run it again, and put the events that
 * second run queued (JSON texts, malloc'd, in queue order) in *events.  The
 * temporary state is removed.  0, or -1 with why in err. */
int test_then_events(struct project *p, struct warehouse *w, const struct audience_test *t,
		     char ***events, size_t *nevents, struct strbuf *err);

#endif
