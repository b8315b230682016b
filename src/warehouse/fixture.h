/*
 * fixture.h — an audience test's warehouse (`lac test`): every table of the
 * data graph created empty in a fresh SQLite warehouse, then the test's
 * fixture rows inserted; later, some tables' rows replaced.
 */
#ifndef LAC_FIXTURE_H
#define LAC_FIXTURE_H

#include "check/audience_test.h"
#include "warehouse/warehouse.h"

/* Create tables[0..ntables) in w (a new, empty SQLite warehouse) and insert
 * rows[0..nrows), in one transaction.  0, or -1 with the warehouse's
 * message in err. */
int fixture_write(struct warehouse *w, const struct graph_table *tables, size_t ntables,
		  const struct fixture_table *rows, size_t nrows, struct strbuf *err);
/* Replace the rows of each table of rows[0..nrows) by the ones given (an
 * audience test's `then: tables:`), in one transaction.  0, or -1 with the
 * warehouse's message in err. */
int fixture_replace(struct warehouse *w, const struct fixture_table *rows, size_t nrows,
		    struct strbuf *err);

#endif
