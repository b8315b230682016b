/*
 * test_then.c — the events of an audience test's `then:` (test_then.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/test_then.h"
#include "plan/plan.h"
#include "run/run.h"
#include "state/outbox.h"
#include "warehouse/fixture.h"

/* Mark every event queued for the audience's destinations delivered,
 * keeping their JSON in events when it is not NULL.  0 or -1. */
static int take_queued(struct state *st, const struct ast_audience *a, char ***events,
		       size_t *n, size_t *cap, int64_t now)
{
	for (size_t i = 0; i < a->nactivations; i++) {
		const char *dest = a->activations[i]->destination;
		bool seen = false; /* two activations may share a destination */
		for (size_t k = 0; k < i; k++)
			seen |= strcmp(a->activations[k]->destination, dest) == 0;
		if (seen)
			continue;
		struct outbox_reader *r = outbox_reader_open(st, dest);
		const struct outbox_item *items;
		size_t nitems;
		int rc;
		while ((rc = outbox_reader_next(r, 10000, 64u << 20, &items, &nitems)) == 1) {
			enum outbox_status *done = xcalloc(nitems, sizeof(*done));
			for (size_t k = 0; k < nitems; k++) {
				done[k] = OUTBOX_DELIVERED;
				if (events)
					VEC_PUSH(*events, *n, *cap, xstrdup(items[k].json));
			}
			rc = outbox_reader_done(r, done, NULL, now);
			free(done);
			if (rc != 0)
				break;
		}
		outbox_reader_close(r);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Remove the temporary state's directory and what SQLite and the state's
 * locks (a directory of lock files) left in it. */
static void remove_tree(const char *dir, int depth)
{
	DIR *d = depth < 4 ? opendir(dir) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		if (unlink(path) != 0)
			remove_tree(path, depth + 1);
		free(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int run_once(struct project *p, struct warehouse *w, struct state *st,
		    const struct audience_test *t, const struct lac_now *now, const char *which,
		    struct strbuf *err)
{
	struct run_options ro = { .now = now->iso, .deliver = false, .quiet = true,
				  .lock_command = "test" };
	struct run_report rep;
	memset(&rep, 0, sizeof(rep));
	int rc = run_audience(p, w, st, t->audience, &ro, &rep);
	if (rc != 0)
		sb_addf(err, "the %s run failed: %s", which, rep.error ? rep.error : "(no reason given)");
	run_report_release(&rep);
	return rc;
}

int test_then_events(struct project *p, struct warehouse *w, const struct audience_test *t,
		     char ***events, size_t *nevents, struct strbuf *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/lac-audience-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	size_t cap = 0;
	*events = NULL;
	*nevents = 0;
	if (!mkdtemp(dir)) {
		sb_addf(err, "cannot create a temporary directory '%s'", dir);
		free(dir);
		return -1;
	}
	char *path = xasprintf("%s/state.db", dir);
	struct state *st = NULL;
	struct plan pl;
	bool planned = false;
	int rc = -1;
	if (state_open(&st, path, STATE_RW, err) != 0)
		goto out;
	if (plan_compute(&pl, p, st, err) != 0)
		goto out;
	planned = true;
	if (plan_record(st, &pl, t->now.secs, err) != 0 ||
	    run_once(p, w, st, t, &t->now, "first", err) != 0)
		goto out;
	if (take_queued(st, t->audience, NULL, NULL, NULL, t->now.secs) != 0) {
		sb_addf(err, "temporary state: %s", state_errmsg(st));
		goto out;
	}
	if (fixture_replace(w, t->then_tables, t->nthen_tables, err) != 0)
		goto out;
	if (run_once(p, w, st, t, &t->then_now, "second", err) != 0)
		goto out;
	if (take_queued(st, t->audience, events, nevents, &cap, t->then_now.secs) != 0) {
		sb_addf(err, "temporary state: %s", state_errmsg(st));
		goto out;
	}
	rc = 0;
out:
	if (planned)
		plan_release(&pl);
	state_close(st);
	remove_tree(dir, 0);
	free(path);
	free(dir);
	return rc;
}
