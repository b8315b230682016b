/*
 * sdb.c — the engine-independent half of sdb.h: statements kept by their
 * SQL text, the last error, transactions and the calls handed on to the
 * engine.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/sdb_engine.h"

void sdb_init(struct sdb *db, const struct sdb_ops *ops, enum sdb_engine engine)
{
	db->ops = ops;
	db->engine = engine;
	sb_init(&db->err);
}

void sdb_release_common(struct sdb *db)
{
	for (size_t i = 0; i < db->nstmts; i++) {
		char *sql = db->stmts[i]->sql;
		db->ops->finalize(db->stmts[i]);
		free(sql);
	}
	free(db->stmts);
	db->stmts = NULL;
	db->nstmts = 0;
	sb_release(&db->err);
}

void sdb_set_error(struct sdb *db, const char *fmt, ...)
{
	/* the message may be built from the old one (libpq's, say): format first */
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	sb_reset(&db->err);
	sb_addstr(&db->err, msg);
	free(msg);
	db->failed = true;
	/* libpq ends its messages with a newline */
	while (db->err.len && (db->err.buf[db->err.len - 1] == '\n' || db->err.buf[db->err.len - 1] == ' '))
		db->err.buf[--db->err.len] = '\0';
}

void sdb_close(struct sdb *db)
{
	if (db)
		db->ops->close(db);
}

enum sdb_engine sdb_engine(const struct sdb *db) { return db->engine; }
bool sdb_failed(const struct sdb *db) { return db->failed; }
bool sdb_lost(const struct sdb *db) { return db->lost; }
const char *sdb_errmsg(const struct sdb *db) { return db->err.len ? db->err.buf : "unknown error"; }
int64_t sdb_changes(const struct sdb *db) { return db->changes; }

int sdb_exec(struct sdb *db, const char *sql) { return db->ops->exec(db, sql); }
int sdb_table_exists(struct sdb *db, const char *table) { return db->ops->table_exists(db, table); }

int sdb_begin(struct sdb *db) { return db->ops->begin(db); }

int sdb_commit(struct sdb *db)
{
	if (db->ops->exec(db, "COMMIT") == 0)
		return 0;
	sdb_rollback(db);
	return -1;
}

void sdb_rollback(struct sdb *db)
{
	/* keep the error that made the caller roll back, not ROLLBACK's own */
	char *why = sb_detach(&db->err);
	db->ops->exec(db, "ROLLBACK");
	sb_reset(&db->err);
	sb_addstr(&db->err, why);
	free(why);
}

struct sdb_stmt *sdb_prepare(struct sdb *db, const char *sql)
{
	for (size_t i = 0; i < db->nstmts; i++) {
		struct sdb_stmt *s = db->stmts[i];
		if (!s->busy && (s->sql == sql || strcmp(s->sql, sql) == 0)) {
			s->busy = true;
			return s;
		}
	}
	struct sdb_stmt *s = db->ops->prepare(db, sql);
	if (!s)
		return NULL;
	s->db = db;
	s->sql = xstrdup(sql);
	s->busy = true;
	VEC_PUSH(db->stmts, db->nstmts, db->cstmts, s);
	return s;
}

int sdb_bind_text(struct sdb_stmt *s, int i, const char *v, size_t len)
{
	if (!v)
		return s->db->ops->bind_null(s, i);
	return s->db->ops->bind_text(s, i, v, len == SIZE_MAX ? strlen(v) : len);
}

int sdb_bind_int64(struct sdb_stmt *s, int i, int64_t v) { return s->db->ops->bind_int64(s, i, v); }
int sdb_bind_blob(struct sdb_stmt *s, int i, const void *p, size_t len) { return s->db->ops->bind_blob(s, i, p, len); }
int sdb_bind_null(struct sdb_stmt *s, int i) { return s->db->ops->bind_null(s, i); }
int sdb_step(struct sdb_stmt *s) { return s->db->ops->step(s); }
const char *sdb_column_text(struct sdb_stmt *s, int i) { return s->db->ops->column_text(s, i); }
int64_t sdb_column_int64(struct sdb_stmt *s, int i) { return s->db->ops->column_int64(s, i); }
bool sdb_column_is_null(struct sdb_stmt *s, int i) { return s->db->ops->column_is_null(s, i); }
int sdb_column_count(struct sdb_stmt *s) { return s->db->ops->column_count(s); }
const char *sdb_column_name(struct sdb_stmt *s, int i) { return s->db->ops->column_name(s, i); }
enum sdb_type sdb_column_type(struct sdb_stmt *s, int i) { return s->db->ops->column_type(s, i); }

void sdb_location(const struct sdb *db, struct sdb_location *out)
{
	memset(out, 0, sizeof(*out));
	db->ops->location(db, out);
}

const void *sdb_column_blob(struct sdb_stmt *s, int i, size_t *len)
{
	return s->db->ops->column_blob(s, i, len);
}

void sdb_reset(struct sdb_stmt *s)
{
	if (!s)
		return;
	s->db->ops->reset(s);
	s->busy = false;
}

void sdb_finalize(struct sdb_stmt *s)
{
	if (!s)
		return;
	struct sdb *db = s->db;
	for (size_t i = 0; i < db->nstmts; i++) {
		if (db->stmts[i] != s)
			continue;
		memmove(&db->stmts[i], &db->stmts[i + 1], (db->nstmts - i - 1) * sizeof(*db->stmts));
		db->nstmts--;
		break;
	}
	char *sql = s->sql;
	db->ops->finalize(s);
	free(sql);
}

int sdb_run(struct sdb_stmt *s)
{
	if (!s)
		return -1;
	int rc;
	while ((rc = sdb_step(s)) == SDB_ROW)
		;
	sdb_reset(s);
	return rc == SDB_DONE ? 0 : -1;
}
