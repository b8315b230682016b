/*
 * sdb.h — run SQL on the state database, whichever engine holds it: the
 * SQLite file (sdb_sqlite.c) or a PostgreSQL schema over libpq (sdb_pg.c).
 *
 * SQL is written once with SQLite's numbered parameters ?1, ?2, ... (the
 * PostgreSQL side turns them into $1, $2, ... when it prepares).  Statements
 * are kept for reuse: sdb_prepare hands back the statement it prepared
 * before for the same SQL text, reset and without bindings, unless that one
 * is still being stepped.  Every statement ends with the connection.
 *
 * Errors: a function that fails returns -1 (or NULL) and leaves the reason
 * in sdb_errmsg until the next failure.  A lost PostgreSQL connection is an
 * error like any other: nothing reconnects behind the caller's back.
 */
#ifndef LAC_SDB_H
#define LAC_SDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

enum sdb_engine { SDB_SQLITE, SDB_POSTGRES };

/* What sdb_step returns besides -1. */
enum { SDB_DONE = 0, SDB_ROW = 1 };

/* The kind of a value in a row (sdb_column_type). */
enum sdb_type { SDB_NULL, SDB_INTEGER, SDB_TEXT, SDB_BLOB };

/* Where a connection is, for messages and for finding the state again:
 * nothing secret (no password).  Unknown parts are NULL. */
struct sdb_location {
	const char *file;        /* SQLite: the path it was opened with */
	const char *host, *port, *database, *user, *schema; /* PostgreSQL */
};

struct sdb;
struct sdb_stmt;

/* The SQLite file at path.  read-write: the directories (0700) and the file
 * (0600) are created when missing, WAL and synchronous FULL set.  read-only:
 * nothing is ever created (immutable when no writer left a -wal file);
 * returns 1 with *out NULL when the file does not exist.  0, or -1 with a
 * message naming the file in err. */
int sdb_open_sqlite(struct sdb **out, const char *path, bool readonly, struct strbuf *err);
/* A PostgreSQL connection for the state in schema (search_path, TimeZone
 * UTC; a read-only one refuses writes).  The schema is created by the
 * caller's migration.  0, or -1 with libpq's message in err (which may
 * quote the dsn: the caller redacts). */
int sdb_open_pg(struct sdb **out, const char *dsn, const char *schema, bool readonly,
		struct strbuf *err);
void sdb_close(struct sdb *db);

enum sdb_engine sdb_engine(const struct sdb *db);
/* The strings live as long as the connection. */
void sdb_location(const struct sdb *db, struct sdb_location *out);
const char *sdb_errmsg(const struct sdb *db);
/* Whether anything failed since the open (a damaged file fails some reads
 * only: readers that go on past one ask this at the end). */
bool sdb_failed(const struct sdb *db);
/* The PostgreSQL connection is gone (and with it the session's advisory
 * locks): nothing on it can succeed again.  Never for SQLite. */
bool sdb_lost(const struct sdb *db);

/* SQL without parameters, possibly several statements: 0 or -1. */
int sdb_exec(struct sdb *db, const char *sql);
/* 1 when the table exists in the state's schema, 0 when not, -1 on error. */
int sdb_table_exists(struct sdb *db, const char *table);

/* A write transaction: writers of the same state take turns (SQLite's
 * BEGIN IMMEDIATE; on PostgreSQL a transaction advisory lock on the schema). */
int sdb_begin(struct sdb *db);
int sdb_commit(struct sdb *db);
void sdb_rollback(struct sdb *db);
/* Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t sdb_changes(const struct sdb *db);

struct sdb_stmt *sdb_prepare(struct sdb *db, const char *sql);
/* Parameters count from 1.  What is bound must stay valid until the first
 * sdb_step after binding.  len SIZE_MAX: up to the NUL. */
int sdb_bind_text(struct sdb_stmt *s, int i, const char *v, size_t len);
int sdb_bind_int64(struct sdb_stmt *s, int i, int64_t v);
int sdb_bind_blob(struct sdb_stmt *s, int i, const void *p, size_t len);
int sdb_bind_null(struct sdb_stmt *s, int i);
/* SDB_ROW, SDB_DONE or -1. */
int sdb_step(struct sdb_stmt *s);
/* Columns count from 0; what they return lives until the next step or reset. */
const char *sdb_column_text(struct sdb_stmt *s, int i);   /* NULL for NULL */
int64_t sdb_column_int64(struct sdb_stmt *s, int i);      /* 0 for NULL */
const void *sdb_column_blob(struct sdb_stmt *s, int i, size_t *len);
bool sdb_column_is_null(struct sdb_stmt *s, int i);
/* The row's shape, for code that reads tables it does not know (lac state
 * export): the number of columns, a column's name, and the kind of its
 * value in the current row (SQLite's REAL and PostgreSQL's other types
 * read as SDB_TEXT). */
int sdb_column_count(struct sdb_stmt *s);
const char *sdb_column_name(struct sdb_stmt *s, int i);
enum sdb_type sdb_column_type(struct sdb_stmt *s, int i);
/* Done with it for now: reset, bindings cleared, ready for the next prepare. */
void sdb_reset(struct sdb_stmt *s);
/* Done with it for good (SQL built at run time, which would pile up). */
void sdb_finalize(struct sdb_stmt *s);

/* Step a statement to its end and reset it: 0, or -1 (NULL s is an error,
 * so a failed prepare can be passed straight in). */
int sdb_run(struct sdb_stmt *s);

#endif
