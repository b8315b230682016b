/*
 * sdb_engine.h — what an engine of sdb.h provides (sdb_sqlite.c, sdb_pg.c)
 * and the parts every engine shares (sdb.c): the kept statements and the
 * last error.  Only those three files include it.
 */
#ifndef LAC_SDB_ENGINE_H
#define LAC_SDB_ENGINE_H

#include "state/sdb.h"

struct sdb_ops {
	void (*close)(struct sdb *db);
	int (*exec)(struct sdb *db, const char *sql);
	int (*table_exists)(struct sdb *db, const char *table);
	/* a write transaction, writers taking turns */
	int (*begin)(struct sdb *db);
	/* a new statement (sdb.c keeps it); NULL with the error set */
	struct sdb_stmt *(*prepare)(struct sdb *db, const char *sql);
	int (*bind_text)(struct sdb_stmt *s, int i, const char *v, size_t len);
	int (*bind_int64)(struct sdb_stmt *s, int i, int64_t v);
	int (*bind_blob)(struct sdb_stmt *s, int i, const void *p, size_t len);
	int (*bind_null)(struct sdb_stmt *s, int i);
	int (*step)(struct sdb_stmt *s);
	const char *(*column_text)(struct sdb_stmt *s, int i);
	int64_t (*column_int64)(struct sdb_stmt *s, int i);
	const void *(*column_blob)(struct sdb_stmt *s, int i, size_t *len);
	bool (*column_is_null)(struct sdb_stmt *s, int i);
	int (*column_count)(struct sdb_stmt *s);
	const char *(*column_name)(struct sdb_stmt *s, int i);
	enum sdb_type (*column_type)(struct sdb_stmt *s, int i);
	void (*location)(const struct sdb *db, struct sdb_location *out);
	void (*reset)(struct sdb_stmt *s);
	void (*finalize)(struct sdb_stmt *s);
};

/* The first member of each engine's connection. */
struct sdb {
	const struct sdb_ops *ops;
	enum sdb_engine engine;
	struct sdb_stmt **stmts;     /* kept for reuse, in preparing order */
	size_t nstmts, cstmts;
	struct strbuf err;           /* the last error */
	bool failed;                 /* an error since the open */
	bool lost;                   /* the connection is gone (sdb_lost) */
	int64_t changes;
};

/* The first member of each engine's statement. */
struct sdb_stmt {
	struct sdb *db;
	char *sql;
	bool busy;                   /* bound or stepped since its last reset */
};

/* Set the connection's last error (printf-style). */
void sdb_set_error(struct sdb *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Start and end the shared parts (an engine's open and close call these). */
void sdb_init(struct sdb *db, const struct sdb_ops *ops, enum sdb_engine engine);
void sdb_release_common(struct sdb *db);

#endif
