/*
 * sdb_sqlite.c — sdb.h on a SQLite file: the state's default engine.
 * Opening is where the file's promises are kept: born 0600 in a 0700
 * directory, WAL with synchronous FULL (every commit durable, readers never
 * blocked by a run), and a read-only open that leaves no trace on disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "state/sdb_engine.h"

struct sqlite_db {
	struct sdb base;
	sqlite3 *db;
	char *path;                  /* as opened, for sdb_location */
};

struct sqlite_stmt {
	struct sdb_stmt base;
	sqlite3_stmt *s;
};

static sqlite3 *handle(struct sdb *db) { return ((struct sqlite_db *)db)->db; }
static sqlite3_stmt *stmt_of(struct sdb_stmt *s) { return ((struct sqlite_stmt *)s)->s; }

/* How long a statement waits for another process's write transaction. */
#define BUSY_TIMEOUT_MS 5000

/* SQLite's message, and for the faults an operator must fix outside lac,
 * what to look at (SQLite's own words name neither the other process nor
 * the directory). */
static void set_error(struct sdb *db, const char *msg)
{
	int code = sqlite3_errcode(handle(db)) & 0xff;
	if (code == SQLITE_BUSY)
		sdb_set_error(db, "%s: another process holds a write transaction on it "
			      "(waited %d s)", msg, BUSY_TIMEOUT_MS / 1000);
	else if (code == SQLITE_READONLY)
		sdb_set_error(db, "%s: lac must be able to write the file and its directory", msg);
	else
		sdb_set_error(db, "%s", msg);
}

static int fail(struct sdb *db)
{
	set_error(db, sqlite3_errmsg(handle(db)));
	return -1;
}

static void sq_close(struct sdb *db)
{
	sdb_release_common(db);
	sqlite3_close_v2(handle(db));
	free(((struct sqlite_db *)db)->path);
	free(db);
}

static int sq_exec(struct sdb *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(handle(db), sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_error(db, msg ? msg : sqlite3_errmsg(handle(db)));
		sqlite3_free(msg);
		return -1;
	}
	db->changes = sqlite3_changes64(handle(db));
	return 0;
}

static struct sdb_stmt *sq_prepare(struct sdb *db, const char *sql)
{
	sqlite3_stmt *s;
	/* persistent: kept statements run once per chunk, page or row */
	if (sqlite3_prepare_v3(handle(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		fail(db);
		return NULL;
	}
	struct sqlite_stmt *st = xcalloc(1, sizeof(*st));
	st->s = s;
	return &st->base;
}

static int bound(struct sdb_stmt *s, int rc)
{
	return rc == SQLITE_OK ? 0 : fail(s->db);
}

static int sq_bind_text(struct sdb_stmt *s, int i, const char *v, size_t len)
{
	return bound(s, sqlite3_bind_text64(stmt_of(s), i, v, len, SQLITE_STATIC, SQLITE_UTF8));
}

static int sq_bind_int64(struct sdb_stmt *s, int i, int64_t v)
{
	return bound(s, sqlite3_bind_int64(stmt_of(s), i, v));
}

static int sq_bind_blob(struct sdb_stmt *s, int i, const void *p, size_t len)
{
	return bound(s, sqlite3_bind_blob64(stmt_of(s), i, p, len, SQLITE_STATIC));
}

static int sq_bind_null(struct sdb_stmt *s, int i)
{
	return bound(s, sqlite3_bind_null(stmt_of(s), i));
}

static int sq_step(struct sdb_stmt *s)
{
	int rc = sqlite3_step(stmt_of(s));
	if (rc == SQLITE_ROW)
		return SDB_ROW;
	if (rc == SQLITE_DONE) {
		s->db->changes = sqlite3_changes64(handle(s->db));
		return SDB_DONE;
	}
	return fail(s->db);
}

static const char *sq_column_text(struct sdb_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(stmt_of(s), i);
}

static int64_t sq_column_int64(struct sdb_stmt *s, int i)
{
	return sqlite3_column_int64(stmt_of(s), i);
}

static const void *sq_column_blob(struct sdb_stmt *s, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(stmt_of(s), i);
	*len = (size_t)sqlite3_column_bytes(stmt_of(s), i);
	return p;
}

static bool sq_column_is_null(struct sdb_stmt *s, int i)
{
	return sqlite3_column_type(stmt_of(s), i) == SQLITE_NULL;
}

static int sq_column_count(struct sdb_stmt *s)
{
	return sqlite3_column_count(stmt_of(s));
}

static const char *sq_column_name(struct sdb_stmt *s, int i)
{
	return sqlite3_column_name(stmt_of(s), i);
}

static enum sdb_type sq_column_type(struct sdb_stmt *s, int i)
{
	switch (sqlite3_column_type(stmt_of(s), i)) {
	case SQLITE_NULL: return SDB_NULL;
	case SQLITE_INTEGER: return SDB_INTEGER;
	case SQLITE_BLOB: return SDB_BLOB;
	default: return SDB_TEXT;
	}
}

static void sq_location(const struct sdb *db, struct sdb_location *out)
{
	out->file = ((const struct sqlite_db *)db)->path;
}

static void sq_reset(struct sdb_stmt *s)
{
	sqlite3_reset(stmt_of(s));
	sqlite3_clear_bindings(stmt_of(s));
}

static void sq_finalize(struct sdb_stmt *s)
{
	sqlite3_finalize(stmt_of(s));
	free(s);
}

static int sq_table_exists(struct sdb *db, const char *table)
{
	struct sdb_stmt *s = sdb_prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
	if (!s || sdb_bind_text(s, 1, table, SIZE_MAX) < 0) {
		sdb_reset(s);
		return -1;
	}
	int rc = sdb_step(s);
	sdb_reset(s);
	return rc < 0 ? -1 : rc == SDB_ROW;
}

static int sq_begin(struct sdb *db)
{
	return sq_exec(db, "BEGIN IMMEDIATE");
}

static const struct sdb_ops sqlite_ops = {
	.close = sq_close,
	.exec = sq_exec,
	.table_exists = sq_table_exists,
	.begin = sq_begin,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int64 = sq_bind_int64,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.column_text = sq_column_text,
	.column_int64 = sq_column_int64,
	.column_blob = sq_column_blob,
	.column_is_null = sq_column_is_null,
	.column_count = sq_column_count,
	.column_name = sq_column_name,
	.column_type = sq_column_type,
	.location = sq_location,
	.reset = sq_reset,
	.finalize = sq_finalize,
};

/* "file:" URI for path (percent-escaping what URIs reserve) plus a query. */
static char *sqlite_uri(const char *path, const char *query)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 32 || *p >= 127)
			sb_addf(&sb, "%%%02X", *p);
		else
			sb_addch(&sb, (char)*p);
	}
	sb_addstr(&sb, query);
	return sb_detach(&sb);
}

int sdb_open_sqlite(struct sdb **out, const char *path, bool readonly, struct strbuf *err)
{
	*out = NULL;
	struct stat sb;
	if (readonly) {
		if (stat(path, &sb) < 0) {
			if (errno == ENOENT)
				return 1;
			sb_addf(err, "cannot read %s: %s", path, strerror(errno));
			return -1;
		}
	} else {
		if (mkdir_parents(path, false, 0700, err) < 0)
			return -1;
		/* Create the file ourselves so it is born 0600, before SQLite sees it. */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			sb_addf(err, "cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		close(fd);
	}

	struct sqlite_db *db = xcalloc(1, sizeof(*db));
	sdb_init(&db->base, &sqlite_ops, SDB_SQLITE);
	db->path = xstrdup(path);
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	char *name = xstrdup(path);
	if (readonly) {
		/* A read-only open of a WAL database creates -wal and -shm files.
		 * When there is no -wal (no writer active, nothing unmerged), open
		 * it immutable instead, so that `lac plan` leaves no trace at all. */
		char *wal = xasprintf("%s-wal", path);
		if (stat(wal, &sb) < 0 && errno == ENOENT) {
			free(name);
			name = sqlite_uri(path, "?mode=ro&immutable=1");
			flags |= SQLITE_OPEN_URI;
		}
		free(wal);
	}
	int orc = sqlite3_open_v2(name, &db->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	free(name);
	if (orc != SQLITE_OK) {
		sb_addf(err, "cannot open %s: %s", path, db->db ? sqlite3_errmsg(db->db) : "out of memory");
		sq_close(&db->base);
		return -1;
	}
	sqlite3_busy_timeout(db->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->db, 1);
	/* WAL lets readers (lac status) work during a run; FULL makes every
	 * commit durable, which the outbox promises.  The page cache holds an
	 * outbox chunk's transaction (about 4 MB) without spilling it to the
	 * WAL half-way.  A new database gets 64 KB pages: a chunk is then 64
	 * WAL writes, not 1,000 (page_size does nothing to an existing one). */
	const char *pragmas = readonly ? "PRAGMA query_only = ON"
		: "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		  " PRAGMA foreign_keys = ON; PRAGMA cache_size = -10240;";
	if (sq_exec(&db->base, pragmas) < 0 && !readonly) {
		sb_addf(err, "%s: %s", path, sdb_errmsg(&db->base));
		sq_close(&db->base);
		return -1;
	}
	*out = &db->base;
	return 0;
}
