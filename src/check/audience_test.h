/*
 * audience_test.h — audience tests (`lac test`, SPEC §5): the *.test.yaml
 * files anywhere under the audience directories, each giving an audience, a reference time,
 * fixture rows for the data graph's tables (inline maps or CSV files with a
 * header) and the members expected; optionally (then:) a change to those
 * rows and the events a run after it must produce.  Loading checks every name against the
 * graph and the audiences; problems are diagnostics with file:line:col.
 */
#ifndef LAC_AUDIENCE_TEST_H
#define LAC_AUDIENCE_TEST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/time.h"
#include "graph/graph_tables.h"
#include "project/project.h"

/* One value of a fixture row, already in the form the SQLite warehouse
 * stores for the column's type (SPEC §1.1: BOOLEAN 0/1, OBJECT JSON text). */
struct fixture_cell {
	const char *column;
	const char *value;         /* NULL: SQL null */
};

struct fixture_row {
	struct fixture_cell *cells;
	size_t ncells;
};

struct fixture_table {
	const struct graph_table *table;
	struct fixture_row *rows;
	size_t nrows;
};

struct audience_test {
	const char *path;          /* the file, as shown to users */
	const char *name;          /* test: */
	const struct ast_audience *audience;
	struct lac_now now;
	struct fixture_table *tables;
	size_t ntables;
	const char **members;      /* expect: members:, sorted in byte order */
	size_t nmembers;
	/* then: a data change after a first run, and the events the run after
	 * it must produce (each a JSON object that an event must contain) */
	bool has_then;
	struct lac_now then_now;   /* then: now:, else now */
	struct fixture_table *then_tables;
	size_t nthen_tables;
	const char **events;       /* JSON text, in the order written */
	size_t nevents;
};

/* The *.test.yaml files under the project's audience directories (paths
 * relative to the project dir), sorted; in the arena. */
const char **audience_test_files(struct project *p, size_t *n);

/* Load the test file rel against the checked project p and its tables
 * (graph_tables).  0, or -1 after reporting to p->diags.  Everything lives
 * in p's arena. */
int audience_test_load(struct project *p, const struct graph_table *tables, size_t ntables,
		       const char *rel, struct audience_test *t);

#endif
