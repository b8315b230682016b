/*
 * state.c — the local state database: opening (0600, WAL, busy timeout),
 * ordered schema migrations, applied definitions, runs, delivery counters
 * and the per-audience lock.  See docs/delivery.md for the schema.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "project/project.h"
#include "state/state.h"

struct state {
	sqlite3 *db;
	char *path;
	bool readonly;
	int txn_depth;
};

/*
 * Migrations, in order; migration i brings the schema to version i + 1.
 * Never edit one that has shipped: append a new one.
 */
static const char *const migrations[] = {
	/* 1: the tables */
	"CREATE TABLE audiences ("
	"  name TEXT PRIMARY KEY,"
	"  hash TEXT NOT NULL,"
	"  enabled INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  generation INTEGER NOT NULL DEFAULT 0,"
	"  next_run_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE activations ("
	"  audience TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  destination TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  enabled INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  baseline_generation INTEGER," /* NULL until the first run recorded its baseline */
	"  PRIMARY KEY (audience, name));"
	"CREATE TABLE runs ("
	"  id TEXT PRIMARY KEY,"
	"  audience TEXT NOT NULL,"
	"  generation INTEGER NOT NULL DEFAULT 0,"
	"  started_at INTEGER NOT NULL,"
	"  duration_ms INTEGER NOT NULL DEFAULT 0,"
	"  result TEXT NOT NULL DEFAULT 'Running'"
	"    CHECK (result IN ('Running','Live','Failed','Disabled','Paused')),"
	"  error TEXT,"
	"  summary TEXT,"
	"  queueing_ms INTEGER NOT NULL DEFAULT 0,"
	"  extracting_ms INTEGER NOT NULL DEFAULT 0,"
	"  preparing_ms INTEGER NOT NULL DEFAULT 0,"
	"  delivering_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX runs_by_audience ON runs (audience, started_at);"
	"CREATE TABLE outbox ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  destination TEXT NOT NULL,"
	"  audience TEXT NOT NULL,"
	"  activation TEXT NOT NULL,"
	"  run_id TEXT NOT NULL,"
	"  payload TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('pending','delivered','failed','invalid')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX outbox_queue ON outbox (destination, status, attempts, seq);"
	"CREATE INDEX outbox_by_run ON outbox (run_id, activation);"
	"CREATE TABLE delivery_stats ("
	"  run_id TEXT NOT NULL,"
	"  audience TEXT NOT NULL,"
	"  activation TEXT NOT NULL,"
	"  from_audience INTEGER NOT NULL DEFAULT 0,"
	"  filtered INTEGER NOT NULL DEFAULT 0,"
	"  pending INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  delivered INTEGER NOT NULL DEFAULT 0,"
	"  invalid INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (run_id, audience, activation));"
	"CREATE TABLE audience_locks ("
	"  audience TEXT PRIMARY KEY,"
	"  pid INTEGER NOT NULL,"
	"  host TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL);",

	/* 2: the outbox keeps the delivery counters: every status a row enters
	 * or leaves moves one count, in the same transaction as the change. */
	"CREATE TRIGGER outbox_counts_insert AFTER INSERT ON outbox BEGIN"
	"  INSERT INTO delivery_stats (run_id, audience, activation)"
	"    VALUES (NEW.run_id, NEW.audience, NEW.activation) ON CONFLICT DO NOTHING;"
	"  UPDATE delivery_stats SET from_audience = from_audience + 1,"
	"    pending = pending + (NEW.status = 'pending'),"
	"    failed = failed + (NEW.status = 'failed'),"
	"    delivered = delivered + (NEW.status = 'delivered'),"
	"    invalid = invalid + (NEW.status = 'invalid')"
	"  WHERE run_id = NEW.run_id AND audience = NEW.audience AND activation = NEW.activation;"
	"END;"
	"CREATE TRIGGER outbox_counts_update AFTER UPDATE OF status ON outbox"
	"  WHEN OLD.status <> NEW.status BEGIN"
	"  UPDATE delivery_stats SET"
	"    pending = pending + (NEW.status = 'pending') - (OLD.status = 'pending'),"
	"    failed = failed + (NEW.status = 'failed') - (OLD.status = 'failed'),"
	"    delivered = delivered + (NEW.status = 'delivered') - (OLD.status = 'delivered'),"
	"    invalid = invalid + (NEW.status = 'invalid') - (OLD.status = 'invalid')"
	"  WHERE run_id = NEW.run_id AND audience = NEW.audience AND activation = NEW.activation;"
	"END;",

	/* 3: the counters are kept by outbox.c instead, once per enqueue chunk
	 * and delivery page (still in the same transaction as the rows); the
	 * per-row triggers cost a quarter of a run's CPU.  Only discard_events
	 * (run.c: run_id = ? AND status IN (...)) looks rows up by run, so the
	 * by-run index keeps just run_id. */
	"DROP TRIGGER IF EXISTS outbox_counts_insert;"
	"DROP TRIGGER IF EXISTS outbox_counts_update;"
	"DROP INDEX IF EXISTS outbox_by_run;"
	"CREATE INDEX outbox_run ON outbox (run_id);",

	/* 4: a run queues its events in chunks, one row per chunk of up to
	 * OUTBOX_CHUNK_EVENTS events with a delivery cursor `next` (and the
	 * events' JSON and messageIds, one per line, in outbox_chunk_events): a durable row per event
	 * capped runs at about 25k events/s.  The outbox table keeps the events
	 * that need a row of their own: invalid ones and those a destination
	 * refused or could not take yet (failed, retried first next time). */
	"CREATE TABLE outbox_chunks ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  destination TEXT NOT NULL,"
	"  audience TEXT NOT NULL,"
	"  activation TEXT NOT NULL,"
	"  run_id TEXT NOT NULL,"
	"  events INTEGER NOT NULL CHECK (events > 0),"
	"  next INTEGER NOT NULL DEFAULT 0 CHECK (next >= 0 AND next < events),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	/* the events apart, so that moving the cursor does not rewrite them */
	"CREATE TABLE outbox_chunk_events ("
	"  chunk_id INTEGER PRIMARY KEY,"
	"  payload BLOB NOT NULL,"
	"  message_ids BLOB NOT NULL);"
	"CREATE INDEX outbox_chunks_queue ON outbox_chunks (destination, id);"
	"CREATE INDEX outbox_chunks_run ON outbox_chunks (run_id);"
	"CREATE INDEX outbox_chunks_audience ON outbox_chunks (audience);",
};

_Static_assert(ARRAY_LEN(migrations) == STATE_SCHEMA_VERSION, "one migration per schema version");

sqlite3 *state_db(struct state *st) { return st->db; }
const char *state_path(const struct state *st) { return st->path; }
bool state_readonly(const struct state *st) { return st->readonly; }
const char *state_errmsg(struct state *st) { return sqlite3_errmsg(st->db); }

/* mkdir -p for the directories above path (mode 0700: the state is private). */
static int make_parent_dirs(const char *path, struct strbuf *err)
{
	return mkdir_parents(path, false, 0700, err);
}

static int exec_sql(struct state *st, const char *sql, struct strbuf *err)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (err)
			sb_addf(err, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int state_schema_version(struct state *st)
{
	sqlite3_stmt *s;
	int v = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	if (sqlite3_prepare_v2(st->db, "SELECT max(version) FROM schema_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	else
		v = -1;
	sqlite3_finalize(s);
	return v;
}

/* Bring the schema up to date, all in one immediate transaction so that two
 * processes opening a new state file at once do not both migrate. */
static int migrate(struct state *st, struct strbuf *err)
{
	if (exec_sql(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (exec_sql(st, "CREATE TABLE IF NOT EXISTS schema_version ("
			 " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)", err) < 0)
		goto fail;
	int v = state_schema_version(st);
	if (v < 0) {
		sb_addf(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if (v > STATE_SCHEMA_VERSION) {
		sb_addf(err, "%s: state schema version %d is newer than this lac supports (%d)",
			st->path, v, STATE_SCHEMA_VERSION);
		goto fail;
	}
	for (int i = v; i < STATE_SCHEMA_VERSION; i++) {
		if (exec_sql(st, migrations[i], err) < 0)
			goto fail;
		char *ins = xasprintf("INSERT INTO schema_version (version, applied_at) VALUES (%d, %lld)",
				      i + 1, (long long)time(NULL));
		int rc = exec_sql(st, ins, err);
		free(ins);
		if (rc < 0)
			goto fail;
	}
	return exec_sql(st, "COMMIT", err);
fail:
	exec_sql(st, "ROLLBACK", NULL);
	return -1;
}

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

int state_open(struct state **out, const char *path, enum state_mode mode, struct strbuf *err)
{
	*out = NULL;
	struct stat sb;
	if (mode == STATE_RO) {
		if (stat(path, &sb) < 0) {
			if (errno == ENOENT)
				return 1;
			sb_addf(err, "cannot read %s: %s", path, strerror(errno));
			return -1;
		}
	} else {
		if (make_parent_dirs(path, err) < 0)
			return -1;
		/* Create the file ourselves so it is born 0600, before SQLite sees it. */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			sb_addf(err, "cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		close(fd);
	}

	struct state *st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->readonly = mode == STATE_RO;
	int flags = st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	char *name = xstrdup(path);
	if (st->readonly) {
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
	int orc = sqlite3_open_v2(name, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	free(name);
	if (orc != SQLITE_OK) {
		sb_addf(err, "cannot open %s: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		state_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	if (!st->readonly) {
		/* WAL lets readers (lac status) work during a run; FULL makes every
		 * commit durable, which the outbox promises.  The page cache holds
		 * an outbox chunk's transaction (about 4 MB) without spilling it
		 * to the WAL half-way.  A new database gets 64 KB pages: a chunk is
		 * then 64 WAL writes, not 1,000 (page_size does nothing to an
		 * existing one). */
		if (exec_sql(st, "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
				 " PRAGMA foreign_keys = ON; PRAGMA cache_size = -10240;", err) < 0 ||
		    migrate(st, err) < 0) {
			state_close(st);
			return -1;
		}
	} else {
		exec_sql(st, "PRAGMA query_only = ON", NULL);
		int v = state_schema_version(st);
		if (v < 0) {
			sb_addf(err, "%s: not a lac state database (%s)", path, sqlite3_errmsg(st->db));
			state_close(st);
			return -1;
		}
		if (v > STATE_SCHEMA_VERSION) {
			sb_addf(err, "%s: state schema version %d is newer than this lac supports (%d)",
				path, v, STATE_SCHEMA_VERSION);
			state_close(st);
			return -1;
		}
	}
	*out = st;
	return 0;
}

int state_open_project(struct state **out, struct project *p, enum state_mode mode,
		       struct strbuf *err)
{
	const char *rel = p->state_path ? p->state_path : ".lac/state.db";
	return state_open(out, project_path(p, rel), mode, err);
}

void state_close(struct state *st)
{
	if (!st)
		return;
	if (st->db) {
		/* statements kept prepared for reuse (outbox.c) end with the connection */
		sqlite3_stmt *s;
		while ((s = sqlite3_next_stmt(st->db, NULL)) != NULL)
			sqlite3_finalize(s);
		sqlite3_close_v2(st->db);
	}
	free(st->path);
	free(st);
}

/* ---- transactions -------------------------------------------------------------- */

int state_begin(struct state *st)
{
	if (st->txn_depth++ > 0)
		return 0;
	if (exec_sql(st, "BEGIN IMMEDIATE", NULL) < 0) {
		st->txn_depth = 0;
		return -1;
	}
	return 0;
}

int state_commit(struct state *st)
{
	if (st->txn_depth == 0 || --st->txn_depth > 0)
		return 0;
	if (exec_sql(st, "COMMIT", NULL) < 0) {
		exec_sql(st, "ROLLBACK", NULL);
		return -1;
	}
	return 0;
}

void state_rollback(struct state *st)
{
	if (st->txn_depth == 0)
		return;
	st->txn_depth = 0;
	exec_sql(st, "ROLLBACK", NULL);
}

/* ---- small statement helpers ----------------------------------------------------- */

/* Prepare sql and bind the arguments described by fmt: s = const char *
 * (NULL binds NULL), i = int64_t, d = int. */
static sqlite3_stmt *prep(struct state *st, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	for (int i = 0; fmt && fmt[i]; i++) {
		int rc;
		if (fmt[i] == 's') {
			const char *v = va_arg(ap, const char *);
			rc = v ? sqlite3_bind_text(s, i + 1, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i + 1);
		} else if (fmt[i] == 'i') {
			rc = sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
		} else {
			rc = sqlite3_bind_int(s, i + 1, va_arg(ap, int));
		}
		if (rc != SQLITE_OK) {
			va_end(ap);
			sqlite3_finalize(s);
			return NULL;
		}
	}
	va_end(ap);
	return s;
}

/* Run a statement to completion: 0 or -1. */
static int run(sqlite3_stmt *s)
{
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static char *col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* ---- applied definitions ------------------------------------------------------------ */

int state_put_audience(struct state *st, const char *name, const char *hash, bool enabled, int64_t now)
{
	return run(prep(st,
			"INSERT INTO audiences (name, hash, enabled, created_at, updated_at)"
			" VALUES (?1, ?2, ?3, ?4, ?4)"
			" ON CONFLICT (name) DO UPDATE SET hash = ?2, enabled = ?3,"
			"   updated_at = CASE WHEN hash <> ?2 OR enabled <> ?3 THEN ?4 ELSE updated_at END",
			"ssdi", name, hash, (int)enabled, now));
}

#define AUDIENCE_COLS "name, hash, enabled, created_at, updated_at, generation, next_run_at"

static void audience_from_row(sqlite3_stmt *s, struct state_audience *a)
{
	a->name = col_str(s, 0);
	a->hash = col_str(s, 1);
	a->enabled = sqlite3_column_int(s, 2) != 0;
	a->created = sqlite3_column_int64(s, 3);
	a->updated = sqlite3_column_int64(s, 4);
	a->generation = sqlite3_column_int64(s, 5);
	a->next_run = sqlite3_column_int64(s, 6);
}

int state_get_audience(struct state *st, const char *name, struct state_audience *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s = prep(st, "SELECT " AUDIENCE_COLS " FROM audiences WHERE name = ?1", "s", name);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		audience_from_row(s, out);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

void state_audience_release(struct state_audience *a)
{
	free(a->name);
	free(a->hash);
	memset(a, 0, sizeof(*a));
}

int state_list_audiences(struct state *st, int (*fn)(const struct state_audience *, void *), void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT " AUDIENCE_COLS " FROM audiences ORDER BY name", NULL);
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct state_audience a;
		audience_from_row(s, &a);
		ret = fn(&a, ctx);
		state_audience_release(&a);
		if (ret)
			break;
	}
	sqlite3_finalize(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int state_set_generation(struct state *st, const char *audience, int64_t generation)
{
	return run(prep(st, "UPDATE audiences SET generation = ?2 WHERE name = ?1", "si",
			audience, generation));
}

int state_set_next_run(struct state *st, const char *audience, int64_t next_run)
{
	return run(prep(st, "UPDATE audiences SET next_run_at = ?2 WHERE name = ?1", "si",
			audience, next_run));
}

int state_delete_audience(struct state *st, const char *name)
{
	static const char *const sqls[] = {
		"DELETE FROM delivery_stats WHERE audience = ?1",
		"DELETE FROM outbox WHERE audience = ?1 AND status <> 'delivered'",
		"DELETE FROM outbox_chunk_events WHERE chunk_id IN"
		" (SELECT id FROM outbox_chunks WHERE audience = ?1)",
		"DELETE FROM outbox_chunks WHERE audience = ?1",
		"DELETE FROM runs WHERE audience = ?1",
		"DELETE FROM activations WHERE audience = ?1",
		"DELETE FROM audience_locks WHERE audience = ?1",
		"DELETE FROM audiences WHERE name = ?1",
	};
	if (state_begin(st) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(sqls); i++)
		if (run(prep(st, sqls[i], "s", name)) < 0) {
			state_rollback(st);
			return -1;
		}
	return state_commit(st);
}

int state_put_activation(struct state *st, const char *audience, const char *name,
			 const char *destination, const char *hash, bool enabled, int64_t now)
{
	return run(prep(st,
			"INSERT INTO activations (audience, name, destination, hash, enabled, created_at, updated_at)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
			" ON CONFLICT (audience, name) DO UPDATE SET destination = ?3, hash = ?4, enabled = ?5,"
			"   updated_at = CASE WHEN hash <> ?4 OR enabled <> ?5 OR destination <> ?3"
			"     THEN ?6 ELSE updated_at END",
			"ssssdi", audience, name, destination, hash, (int)enabled, now));
}

#define ACTIVATION_COLS \
	"audience, name, destination, hash, enabled, created_at, updated_at, baseline_generation"

static void activation_from_row(sqlite3_stmt *s, struct state_activation *a)
{
	a->audience = col_str(s, 0);
	a->name = col_str(s, 1);
	a->destination = col_str(s, 2);
	a->hash = col_str(s, 3);
	a->enabled = sqlite3_column_int(s, 4) != 0;
	a->created = sqlite3_column_int64(s, 5);
	a->updated = sqlite3_column_int64(s, 6);
	a->has_baseline = sqlite3_column_type(s, 7) != SQLITE_NULL;
	a->baseline_generation = sqlite3_column_int64(s, 7);
}

int state_get_activation(struct state *st, const char *audience, const char *name,
			 struct state_activation *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s = prep(st, "SELECT " ACTIVATION_COLS " FROM activations"
			       " WHERE audience = ?1 AND name = ?2", "ss", audience, name);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		activation_from_row(s, out);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

void state_activation_release(struct state_activation *a)
{
	free(a->audience);
	free(a->name);
	free(a->destination);
	free(a->hash);
	memset(a, 0, sizeof(*a));
}

int state_list_activations(struct state *st, const char *audience,
			   int (*fn)(const struct state_activation *, void *), void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT " ACTIVATION_COLS " FROM activations"
			       " WHERE audience = ?1 ORDER BY name", "s", audience);
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct state_activation a;
		activation_from_row(s, &a);
		ret = fn(&a, ctx);
		state_activation_release(&a);
		if (ret)
			break;
	}
	sqlite3_finalize(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int state_set_baseline(struct state *st, const char *audience, const char *name, int64_t generation)
{
	return run(prep(st, "UPDATE activations SET baseline_generation = ?3"
			" WHERE audience = ?1 AND name = ?2", "ssi", audience, name, generation));
}

int state_delete_activation(struct state *st, const char *audience, const char *name)
{
	return run(prep(st, "DELETE FROM activations WHERE audience = ?1 AND name = ?2", "ss",
			audience, name));
}

/* ---- the audience lock ------------------------------------------------------------------ */

static void host_name(char *buf, size_t n)
{
	if (gethostname(buf, n) < 0)
		snprintf(buf, n, "localhost");
	buf[n - 1] = '\0';
}

int state_lock_audience(struct state *st, const char *audience, int64_t now, struct strbuf *err)
{
	char host[256];
	host_name(host, sizeof(host));
	/* Check and take in one immediate transaction: no other writer can slip in. */
	if (state_begin(st) < 0) {
		sb_addf(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_stmt *s = prep(st, "SELECT pid, host, started_at FROM audience_locks WHERE audience = ?1",
			       "s", audience);
	if (!s)
		goto fail;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		long long pid = sqlite3_column_int64(s, 0);
		const char *h = (const char *)sqlite3_column_text(s, 1);
		long long started = sqlite3_column_int64(s, 2);
		/* A holder on this host that no longer exists crashed: take over. */
		bool stale = h && strcmp(h, host) == 0 && pid > 0 && pid != (long long)getpid() &&
			     kill((pid_t)pid, 0) < 0 && errno == ESRCH;
		if (!stale) {
			sb_addf(err, "audience '%s' is being run by process %lld on %s (since %lld)",
				audience, pid, h ? h : "?", started);
			sqlite3_finalize(s);
			state_rollback(st);
			return 1;
		}
	} else if (rc != SQLITE_DONE) {
		sqlite3_finalize(s);
		goto fail;
	}
	sqlite3_finalize(s);
	if (run(prep(st, "INSERT OR REPLACE INTO audience_locks (audience, pid, host, started_at)"
		     " VALUES (?1, ?2, ?3, ?4)", "sisi", audience, (int64_t)getpid(), host, now)) < 0)
		goto fail;
	if (state_commit(st) < 0)
		goto fail;
	return 0;
fail:
	sb_addf(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
	state_rollback(st);
	return -1;
}

int state_unlock_audience(struct state *st, const char *audience)
{
	char host[256];
	host_name(host, sizeof(host));
	return run(prep(st, "DELETE FROM audience_locks WHERE audience = ?1 AND pid = ?2 AND host = ?3",
			"sis", audience, (int64_t)getpid(), host));
}

/* ---- runs --------------------------------------------------------------------------------- */

static const char *const result_names[] = { "Running", "Live", "Failed", "Disabled", "Paused" };

const char *run_result_name(enum run_result r)
{
	return (size_t)r < ARRAY_LEN(result_names) ? result_names[r] : "?";
}

static enum run_result result_from_name(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(result_names); i++)
		if (s && strcmp(s, result_names[i]) == 0)
			return (enum run_result)i;
	return RUN_FAILED;
}

char *state_new_run_id(int64_t now)
{
	unsigned char rnd[4];
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		/* Fall back on pid and clock: uniqueness is all that matters here. */
		unsigned v = (unsigned)getpid() ^ (unsigned)clock();
		memcpy(rnd, &v, sizeof(rnd));
	}
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	char ts[32];
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	return xasprintf("run_%s_%02x%02x%02x%02x", ts, rnd[0], rnd[1], rnd[2], rnd[3]);
}

int state_run_begin(struct state *st, const char *id, const char *audience, int64_t generation,
		    int64_t started)
{
	if (state_begin(st) < 0)
		return -1;
	if (run(prep(st, "INSERT INTO runs (id, audience, generation, started_at) VALUES (?1, ?2, ?3, ?4)",
		     "ssii", id, audience, generation, started)) < 0)
		goto fail;
	/* Keep the newest STATE_RUNS_KEPT runs of the audience, with their counters. */
	static const char *const prune[] = {
		"DELETE FROM delivery_stats WHERE audience = ?1 AND run_id IN ("
		"  SELECT id FROM runs WHERE audience = ?1"
		"  ORDER BY started_at DESC, rowid DESC LIMIT -1 OFFSET ?2)",
		"DELETE FROM runs WHERE audience = ?1 AND id IN ("
		"  SELECT id FROM runs WHERE audience = ?1"
		"  ORDER BY started_at DESC, rowid DESC LIMIT -1 OFFSET ?2)",
	};
	for (size_t i = 0; i < ARRAY_LEN(prune); i++)
		if (run(prep(st, prune[i], "sd", audience, STATE_RUNS_KEPT)) < 0)
			goto fail;
	return state_commit(st);
fail:
	state_rollback(st);
	return -1;
}

int state_run_finish(struct state *st, const struct state_run *r)
{
	sqlite3_stmt *s = prep(st,
			       "UPDATE runs SET duration_ms = ?2, result = ?3, error = ?4, summary = ?5,"
			       " queueing_ms = ?6, extracting_ms = ?7, preparing_ms = ?8, delivering_ms = ?9,"
			       " generation = ?10 WHERE id = ?1",
			       "sisssiiiii", r->id, r->duration_ms, run_result_name(r->result), r->error,
			       r->summary, r->queueing_ms, r->extracting_ms, r->preparing_ms,
			       r->delivering_ms, r->generation);
	if (run(s) < 0)
		return -1;
	return sqlite3_changes(st->db) == 1 ? 0 : -1;
}

#define RUN_COLS "id, audience, generation, started_at, duration_ms, result, error, summary," \
	" queueing_ms, extracting_ms, preparing_ms, delivering_ms"

static void run_from_row(sqlite3_stmt *s, struct state_run *r)
{
	r->id = col_str(s, 0);
	r->audience = col_str(s, 1);
	r->generation = sqlite3_column_int64(s, 2);
	r->started = sqlite3_column_int64(s, 3);
	r->duration_ms = sqlite3_column_int64(s, 4);
	r->result = result_from_name((const char *)sqlite3_column_text(s, 5));
	r->error = col_str(s, 6);
	r->summary = col_str(s, 7);
	r->queueing_ms = sqlite3_column_int64(s, 8);
	r->extracting_ms = sqlite3_column_int64(s, 9);
	r->preparing_ms = sqlite3_column_int64(s, 10);
	r->delivering_ms = sqlite3_column_int64(s, 11);
}

static int get_one_run(sqlite3_stmt *s, struct state_run *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		run_from_row(s, out);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int state_get_run(struct state *st, const char *id, struct state_run *out)
{
	return get_one_run(prep(st, "SELECT " RUN_COLS " FROM runs WHERE id = ?1", "s", id), out);
}

int state_unfinished_run(struct state *st, const char *audience, struct state_run *out)
{
	return get_one_run(prep(st, "SELECT " RUN_COLS " FROM runs WHERE audience = ?1"
				" AND result = 'Running' ORDER BY started_at DESC, rowid DESC LIMIT 1",
				"s", audience), out);
}

void state_run_release(struct state_run *r)
{
	free(r->id);
	free(r->audience);
	free(r->error);
	free(r->summary);
	memset(r, 0, sizeof(*r));
}

int state_list_runs(struct state *st, const char *audience, int limit,
		    int (*fn)(const struct state_run *, void *), void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT " RUN_COLS " FROM runs WHERE audience = ?1"
			       " ORDER BY started_at DESC, rowid DESC LIMIT ?2",
			       "sd", audience, limit > 0 ? limit : -1);
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct state_run r;
		run_from_row(s, &r);
		ret = fn(&r, ctx);
		state_run_release(&r);
		if (ret)
			break;
	}
	sqlite3_finalize(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* ---- delivery counters --------------------------------------------------------------------- */

int state_count_filtered(struct state *st, const char *run_id, const char *audience,
			 const char *activation, int64_t n)
{
	return run(prep(st,
			"INSERT INTO delivery_stats (run_id, audience, activation, from_audience, filtered)"
			" VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO UPDATE SET"
			" from_audience = from_audience + ?4, filtered = filtered + ?4",
			"sssi", run_id, audience, activation, n));
}

static int get_counts(sqlite3_stmt *s, struct delivery_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	bool any = false;
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		any = true;
		out->from_audience = sqlite3_column_int64(s, 0);
		out->filtered = sqlite3_column_int64(s, 1);
		out->pending = sqlite3_column_int64(s, 2);
		out->failed = sqlite3_column_int64(s, 3);
		out->delivered = sqlite3_column_int64(s, 4);
		out->invalid = sqlite3_column_int64(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return any ? 0 : 1;
}

int state_get_counts(struct state *st, const char *run_id, const char *audience,
		     const char *activation, struct delivery_counts *out)
{
	return get_counts(prep(st, "SELECT from_audience, filtered, pending, failed, delivered, invalid"
			       " FROM delivery_stats WHERE run_id = ?1 AND audience = ?2 AND activation = ?3",
			       "sss", run_id, audience, activation), out);
}

int state_get_counts_total(struct state *st, const char *audience, const char *activation,
			   struct delivery_counts *out)
{
	return get_counts(prep(st, "SELECT sum(from_audience), sum(filtered), sum(pending), sum(failed),"
			       " sum(delivered), sum(invalid) FROM delivery_stats"
			       " WHERE audience = ?1 AND activation = ?2", "ss", audience, activation), out);
}

/* ---- outbox samples ------------------------------------------------------------------------ */

int state_list_outbox_samples(struct state *st, const char *audience, const char *activation,
			      const char *status, int limit,
			      int (*fn)(const struct outbox_sample *, void *), void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT message_id, status, last_error, run_id, updated_at FROM outbox"
			       " WHERE audience = ?1 AND activation = ?2 AND status = ?3"
			       " ORDER BY updated_at DESC, seq DESC LIMIT ?4",
			       "sssd", audience, activation, status, limit > 0 ? limit : -1);
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct outbox_sample o = {
			.message_id = (const char *)sqlite3_column_text(s, 0),
			.status = (const char *)sqlite3_column_text(s, 1),
			.reason = (const char *)sqlite3_column_text(s, 2),
			.run_id = (const char *)sqlite3_column_text(s, 3),
			.at = sqlite3_column_int64(s, 4),
		};
		if ((ret = fn(&o, ctx)) != 0)
			break;
	}
	sqlite3_finalize(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}
