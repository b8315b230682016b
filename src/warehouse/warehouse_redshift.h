/*
 * warehouse_redshift.h — the Redshift connector's session rules, exposed
 * for its unit test (tests/unit/test_warehouse_redshift.c).  The connector
 * itself is warehouse_open_redshift (warehouse.h).
 */
#ifndef LAC_WAREHOUSE_REDSHIFT_H
#define LAC_WAREHOUSE_REDSHIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* Redshift's limit on one SQL statement: 16 MB. */
#define REDSHIFT_MAX_STATEMENT ((size_t)16 * 1024 * 1024)

/* The libpq startup parameters lac forces empty (NULL-terminated lists):
 * Redshift rejects application_name and options, so neither the DSN nor
 * PGAPPNAME/PGOPTIONS may send them. */
extern const char *const redshift_startup_keywords[];
extern const char *const redshift_startup_values[];

/* May a transaction that failed with this error succeed when tried again?
 * Redshift's serializable isolation violation (SQLSTATE XX000, message
 * "1023", detail "Serializable isolation violation on table ...") and
 * PostgreSQL's 40001 / 40P01. */
bool redshift_retryable(const char *sqlstate, const char *primary);
/* "SET query_group TO '<tag>'", the tag quoted as the redshift dialect
 * quotes strings.  Caller frees. */
char *redshift_query_group_sql(const char *tag);
/* 0 when sql fits Redshift's statement limit; else -1 with an error naming
 * audience (NULL: none known) in err. */
int redshift_check_size(size_t len, const char *audience, struct strbuf *err);

#endif
