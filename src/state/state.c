/*
 * state.c — the state database on either engine (sdb.h): opening the
 * project's, ordered schema migrations, applied definitions, runs and
 * delivery counters (the locks are state_lock.c's).  See docs/delivery.md
 * for the schema.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "project/project.h"
#include "state/state_move.h"
#include "state/state_owner.h"
#include "state/state_private.h"

/* A limit that is none: SQLite's LIMIT -1 is an error to PostgreSQL. */
#define NO_LIMIT INT64_MAX

/*
 * Migrations, in order; migration i brings the schema to version i + 1 on
 * either engine.  sql runs on both (on PostgreSQL with pg_types' column
 * types), then what only one engine needs.  Never edit one that has
 * shipped: append a new one.
 */
struct migration {
	const char *sqlite_only, *postgres_only, *sql;
};

static const struct migration migrations[] = {
	/* 1: the tables; PostgreSQL has no rowid, which keeps runs started in
	 * the same second in order, so it gets a column of that name */
	{ .sql =
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
	  .postgres_only = "ALTER TABLE runs ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY" },

	/* 2: the outbox keeps the delivery counters: every status a row enters
	 * or leaves moves one count, in the same transaction as the change.
	 * (Migration 3 drops them again: PostgreSQL never has them.) */
	{ .sqlite_only =
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
	"END;" },

	/* 3: the counters are kept by outbox.c instead, once per enqueue chunk
	 * and delivery page (still in the same transaction as the rows); the
	 * per-row triggers cost a quarter of a run's CPU.  Only discard_events
	 * (run.c: run_id = ? AND status IN (...)) looks rows up by run, so the
	 * by-run index keeps just run_id. */
	{ .sqlite_only =
	"DROP TRIGGER IF EXISTS outbox_counts_insert;"
	"DROP TRIGGER IF EXISTS outbox_counts_update;",
	  .sql =
	"DROP INDEX IF EXISTS outbox_by_run;"
	"CREATE INDEX outbox_run ON outbox (run_id);" },

	/* 4: a run queues its events in chunks, one row per chunk of up to
	 * OUTBOX_CHUNK_EVENTS events with a delivery cursor `next` (and the
	 * events' JSON and messageIds, one per line, in outbox_chunk_events): a durable row per event
	 * capped runs at about 25k events/s.  The outbox table keeps the events
	 * that need a row of their own: invalid ones and those a destination
	 * refused or could not take yet (failed, retried first next time). */
	{ .sql =
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
	"CREATE INDEX outbox_chunks_audience ON outbox_chunks (audience);" },

	/* 5: the applied definitions themselves (SPEC §5): each audience's
	 * canonical source and the part of the data graph it uses, which
	 * `lac run` and `lac daemon` compile from (NULL: applied by an older
	 * lac, which kept only the hash); per activation, the fingerprint of
	 * the enrich its stored values hashes were made with (NULL: none yet). */
	{ .sql =
	"ALTER TABLE audiences ADD COLUMN source TEXT;"
	"ALTER TABLE audiences ADD COLUMN graph TEXT;"
	"ALTER TABLE activations ADD COLUMN values_enrich TEXT;" },

	/* 6: a state whose contents `lac state import` copied elsewhere is
	 * marked moved (state_moved.c): one row saying where to and when, and
	 * lac refuses to write to it from then on */
	{ .sql =
	"CREATE TABLE state_moved ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  moved_to TEXT NOT NULL,"
	"  moved_at INTEGER NOT NULL);" },

	/* 7: runs are locked with state_lock (state_lock.c: OS locks that die
	 * with their process, the holders of PostgreSQL's in lock_holders,
	 * created before any migration), not by pid@host rows */
	{ .sql = "DROP TABLE IF EXISTS audience_locks;" },

	/* 8: the project a state belongs to (state_owner.c): lac refuses to
	 * use one state for two projects (SPEC §1.2) */
	{ .sql =
	"CREATE TABLE state_project ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  name TEXT NOT NULL,"
	"  recorded_at INTEGER NOT NULL);" },

	/* 9: alerts (SPEC §5; alert_state.c).  Days are UTC day numbers (Unix
	 * seconds / 86400).  Per audience and day, the members after its last
	 * run and the events delivered per destination (runs and delivery
	 * counters are pruned sooner than alerts look back); the days already
	 * evaluated; whether each alert is outside its threshold (it fires
	 * again only after a day back inside); and the fired alerts with the
	 * outcome per channel (JSON). */
	{ .sql =
	"CREATE TABLE alert_members ("
	"  audience TEXT NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  members INTEGER NOT NULL,"
	"  PRIMARY KEY (audience, day));"
	"CREATE TABLE alert_delivered ("
	"  audience TEXT NOT NULL,"
	"  destination TEXT NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  delivered INTEGER NOT NULL,"
	"  PRIMARY KEY (audience, destination, day));"
	"CREATE TABLE alert_evaluations ("
	"  day INTEGER PRIMARY KEY,"
	"  evaluated_at INTEGER NOT NULL);"
	"CREATE TABLE alert_status ("
	"  audience TEXT NOT NULL,"
	"  alert TEXT NOT NULL,"
	"  outside INTEGER NOT NULL,"
	"  PRIMARY KEY (audience, alert));"
	"CREATE TABLE alerts_fired ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  fired_at INTEGER NOT NULL,"
	"  audience TEXT NOT NULL,"
	"  alert TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  previous INTEGER NOT NULL,"
	"  current INTEGER NOT NULL,"
	"  channels TEXT NOT NULL);" },
	/* 10: events an operator gave up (`lac delivery A --discard`,
	 * outbox_admin.c): out of the outbox, so that no run sends them, and
	 * kept here with the reason; their counts move to failed (given up) */
	{ .sql =
	"CREATE TABLE outbox_discarded ("
	"  message_id TEXT PRIMARY KEY,"
	"  destination TEXT NOT NULL,"
	"  audience TEXT NOT NULL,"
	"  activation TEXT NOT NULL,"
	"  run_id TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  discarded_at INTEGER NOT NULL);"
	"CREATE INDEX outbox_discarded_audience ON outbox_discarded (audience, activation);" },
};

_Static_assert(ARRAY_LEN(migrations) == STATE_SCHEMA_VERSION, "one migration per schema version");

struct sdb *state_sdb(struct state *st) { return st->db; }
const char *state_path(const struct state *st) { return st->path; }
bool state_readonly(const struct state *st) { return st->readonly; }
const char *state_errmsg(struct state *st) { return sdb_errmsg(st->db); }
bool state_failed(struct state *st) { return sdb_failed(st->db); }

/* A migration's text for PostgreSQL: SQLite's INTEGER is 32 bits there, its
 * AUTOINCREMENT an identity column and its BLOB a BYTEA. */
static char *pg_types(const char *sql)
{
	static const struct { const char *from, *to; } subst[] = {
		{ "INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" },
		{ "INTEGER", "BIGINT" },
		{ "BLOB", "BYTEA" },
	};
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = sql; *p;) {
		bool word_start = p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		size_t i;
		for (i = 0; word_start && i < ARRAY_LEN(subst); i++) {
			size_t n = strlen(subst[i].from);
			if (strncmp(p, subst[i].from, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_') {
				sb_addstr(&sb, subst[i].to);
				p += n;
				break;
			}
		}
		if (!word_start || i == ARRAY_LEN(subst))
			sb_addch(&sb, *p++);
	}
	return sb_detach(&sb);
}

/* SQL written with SQLite's column types, on the state's engine. */
static int exec_portable(struct state *st, const char *sql)
{
	if (sdb_engine(st->db) == SDB_SQLITE)
		return sdb_exec(st->db, sql);
	char *pg = pg_types(sql);
	int rc = sdb_exec(st->db, pg);
	free(pg);
	return rc;
}

/* Run migration i on the state's engine. */
static int run_migration(struct state *st, size_t i)
{
	const struct migration *m = &migrations[i];
	const char *own = sdb_engine(st->db) == SDB_POSTGRES ? m->postgres_only : m->sqlite_only;
	if (m->sql && exec_portable(st, m->sql) < 0)
		return -1;
	return own ? sdb_exec(st->db, own) : 0;
}

int state_schema_version(struct state *st)
{
	int exists = sdb_table_exists(st->db, "schema_version");
	if (exists <= 0)
		return exists;
	struct sdb_stmt *s = sdb_prepare(st->db, "SELECT max(version) FROM schema_version");
	if (!s)
		return -1;
	int v = sdb_step(s) == SDB_ROW ? (int)sdb_column_int64(s, 0) : -1;
	sdb_reset(s);
	return v;
}

static int fail_with(struct state *st, struct strbuf *err)
{
	sb_addf(err, "%s: %s", st->path, sdb_errmsg(st->db));
	return -1;
}

/* The tables every version has, created on the first read-write open:
 * the schema's version, and on PostgreSQL the lock holders (state_lock.c),
 * which the apply lock of a migration needs. */
static int bootstrap(struct state *st)
{
	if (sdb_begin(st->db) < 0)
		return -1;
	if (st->schema) {
		/* only when missing: CREATE SCHEMA IF NOT EXISTS needs the CREATE
		 * privilege on the database even when the schema exists, and a
		 * DBA may well have created it for a role without that privilege
		 * (docs/gitops.md).  The name is a plain identifier (project.c). */
		struct sdb_stmt *q = sdb_prepare(st->db, "SELECT 1 FROM pg_namespace WHERE nspname = ?1");
		int found = q && sdb_bind_text(q, 1, st->schema, strlen(st->schema)) == 0 ? sdb_step(q) : -1;
		sdb_reset(q);
		if (found < 0)
			goto fail;
		if (found == SDB_DONE) {
			char *sql = xasprintf("CREATE SCHEMA \"%s\"", st->schema);
			int rc = sdb_exec(st->db, sql);
			free(sql);
			if (rc < 0)
				goto fail;
		}
		if (sdb_exec(st->db, "CREATE TABLE IF NOT EXISTS lock_holders ("
			     " id TEXT PRIMARY KEY, command TEXT NOT NULL, pid BIGINT NOT NULL,"
			     " host TEXT NOT NULL, since BIGINT NOT NULL, backend_pid BIGINT NOT NULL)") < 0)
			goto fail;
	}
	if (exec_portable(st, "CREATE TABLE IF NOT EXISTS schema_version ("
			  " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)") < 0)
		goto fail;
	return sdb_commit(st->db);
fail:
	sdb_rollback(st->db);
	return -1;
}

static int newer_schema(struct state *st, int v, struct strbuf *err)
{
	sb_addf(err, "%s: state schema version %d is newer than this lac supports (%d)",
		st->path, v, STATE_SCHEMA_VERSION);
	return -1;
}

/* Run the migrations from version v on, in one write transaction. */
static int run_migrations(struct state *st, struct strbuf *err)
{
	if (sdb_begin(st->db) < 0)
		return fail_with(st, err);
	/* another process may have migrated while this one waited */
	int v = state_schema_version(st);
	if (v < 0)
		goto fail;
	if (v > STATE_SCHEMA_VERSION) {
		sdb_rollback(st->db);
		return newer_schema(st, v, err);
	}
	for (int i = v; i < STATE_SCHEMA_VERSION; i++) {
		if (run_migration(st, (size_t)i) < 0)
			goto fail;
		struct sdb_stmt *s = sdb_prepare(st->db, "INSERT INTO schema_version (version, applied_at)"
						 " VALUES (?1, ?2)");
		if (!s || sdb_bind_int64(s, 1, i + 1) < 0 || sdb_bind_int64(s, 2, (int64_t)time(NULL)) < 0 ||
		    sdb_run(s) < 0) {
			sdb_reset(s);
			goto fail;
		}
	}
	if (sdb_commit(st->db) < 0)
		return fail_with(st, err);
	return 0;
fail:
	fail_with(st, err);
	sdb_rollback(st->db);
	return -1;
}

/* How long a process that must migrate waits for the apply lock: another
 * process is most likely migrating the same state (a matter of
 * milliseconds), or an older lac is applying. */
#define MIGRATE_WAIT_MS 10000

/* Bring the schema up to date under the apply lock (SPEC §1.2). */
static int migrate(struct state *st, struct strbuf *err)
{
	if (bootstrap(st) < 0)
		return fail_with(st, err);
	int64_t waited = 0;
	for (;;) {
		int v = state_schema_version(st);
		if (v < 0)
			return fail_with(st, err);
		if (v > STATE_SCHEMA_VERSION)
			return newer_schema(st, v, err);
		if (v == STATE_SCHEMA_VERSION)
			return 0;
		struct strbuf held = STRBUF_INIT;
		int lk = state_lock(st, "apply", "migrate", 0, &held);
		if (lk == 0) {
			sb_release(&held);
			int rc = run_migrations(st, err);
			state_unlock(st, "apply");
			return rc;
		}
		if (lk < 0 || waited >= MIGRATE_WAIT_MS) {
			sb_addf(err, "cannot migrate the state %s: %s%s", st->path,
				lk > 0 ? "lock 'apply' is " : "", held.buf);
			sb_release(&held);
			return -1;
		}
		sb_release(&held);
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
		waited += 100;
	}
}

/* The checks of a read-only open: an empty state reads as version 0, a
 * newer one is refused. */
static int check_readonly(struct state *st, struct strbuf *err)
{
	int v = state_schema_version(st);
	if (v < 0) {
		sb_addf(err, "%s: not a lac state database (%s)", st->path, sdb_errmsg(st->db));
		return -1;
	}
	if (v > STATE_SCHEMA_VERSION)
		return newer_schema(st, v, err);
	st->version = v;
	return 0;
}

static struct state *state_new(struct sdb *db, const char *path, const char *schema, enum state_mode mode)
{
	struct state *st = xcalloc(1, sizeof(*st));
	st->db = db;
	st->path = xstrdup(path);
	st->schema = schema ? xstrdup(schema) : NULL;
	st->readonly = mode == STATE_RO;
	st->version = STATE_SCHEMA_VERSION; /* a read-write open migrates */
	return st;
}

int state_open(struct state **out, const char *path, enum state_mode mode, struct strbuf *err)
{
	*out = NULL;
	struct sdb *db;
	int rc = sdb_open_sqlite(&db, path, mode == STATE_RO, err);
	if (rc != 0)
		return rc;
	struct state *st = state_new(db, path, NULL, mode);
	if (st->readonly ? check_readonly(st, err) < 0
	    : migrate(st, err) < 0 || state_refuse_moved(st, err) < 0) {
		state_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

int state_open_postgres(struct state **out, const char *dsn, const char *schema, enum state_mode mode,
			struct strbuf *err)
{
	*out = NULL;
	struct sdb *db;
	if (sdb_open_pg(&db, dsn, schema, mode == STATE_RO, err) != 0)
		return -1;
	char *label = xasprintf("postgres:%s", schema);
	struct state *st = state_new(db, label, schema, mode);
	free(label);
	int rc = 0;
	if (st->readonly) {
		/* no state there yet reads like a missing file: nothing applied */
		int v = state_schema_version(st);
		if (v == 0)
			rc = 1;
		else if (check_readonly(st, err) < 0)
			rc = -1;
	} else if (migrate(st, err) < 0 || state_refuse_moved(st, err) < 0) {
		rc = -1;
	}
	if (rc != 0) {
		state_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

/* The opened state must be the project's own (state_owner.c); closed when not. */
static int claim(struct state **st, const char *project, struct strbuf *err)
{
	if (state_check_owner(*st, project, err) == 0)
		return 0;
	state_close(*st);
	*st = NULL;
	return -1;
}

int state_open_project(struct state **out, struct project *p, enum state_mode mode,
		       struct strbuf *err)
{
	if (p->state.type == STATE_POSTGRES) {
		*out = NULL;
		const char *dsn = p->state.dsn ? setting_expand(p, p->state.dsn, p->state.dsn_loc) : NULL;
		if (!dsn && p->state.dsn) {
			setting_unset_error(p, "the state's dsn", err);
			return -1;
		}
		if (!dsn) {
			sb_addstr(err, "the postgres state needs a 'dsn' setting in lac.yaml");
			return -1;
		}
		/* an empty DSN would connect to libpq's defaults (PGHOST, the
		 * local socket): a secret missing in CI, never the state meant */
		if (!*dsn) {
			sb_addstr(err, "the state dsn is empty (is its environment variable set in this job?)");
			return -1;
		}
		int rc = state_open_postgres(out, dsn, p->state.schema, mode, err);
		if (rc < 0)
			project_redact(p, err); /* libpq quotes parts of the dsn */
		return rc == 0 ? claim(out, p->name, err) : rc;
	}
	int rc = state_open(out, project_path(p, p->state.path), mode, err);
	return rc == 0 ? claim(out, p->name, err) : rc;
}

void state_close(struct state *st)
{
	if (!st)
		return;
	state_unlock_all(st);
	sdb_close(st->db);
	free(st->path);
	free(st->schema);
	free(st);
}

/* ---- transactions -------------------------------------------------------------- */

int state_begin(struct state *st)
{
	if (st->txn_depth++ > 0)
		return 0;
	if (sdb_begin(st->db) < 0) {
		st->txn_depth = 0;
		return -1;
	}
	return 0;
}

int state_commit(struct state *st)
{
	if (st->txn_depth == 0 || --st->txn_depth > 0)
		return 0;
	return sdb_commit(st->db);
}

void state_rollback(struct state *st)
{
	if (st->txn_depth == 0)
		return;
	st->txn_depth = 0;
	sdb_rollback(st->db);
}

/* ---- small statement helpers ----------------------------------------------------- */

/* Prepare sql and bind the arguments described by fmt: s = const char *
 * (NULL binds NULL), i = int64_t, d = int. */
static struct sdb_stmt *prep(struct state *st, const char *sql, const char *fmt, ...)
{
	struct sdb_stmt *s = sdb_prepare(st->db, sql);
	if (!s)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	for (int i = 0; fmt && fmt[i]; i++) {
		int rc;
		if (fmt[i] == 's')
			rc = sdb_bind_text(s, i + 1, va_arg(ap, const char *), SIZE_MAX);
		else if (fmt[i] == 'i')
			rc = sdb_bind_int64(s, i + 1, va_arg(ap, int64_t));
		else
			rc = sdb_bind_int64(s, i + 1, va_arg(ap, int));
		if (rc < 0) {
			va_end(ap);
			sdb_reset(s);
			return NULL;
		}
	}
	va_end(ap);
	return s;
}

/* Run a statement to completion: 0 or -1. */
static int run(struct sdb_stmt *s)
{
	return sdb_run(s);
}

static char *col_str(struct sdb_stmt *s, int i)
{
	const char *t = sdb_column_text(s, i);
	return t ? xstrdup(t) : NULL;
}

/* ---- the columns read back ------------------------------------------------------- */

/* A column a query reads, and the schema version that has it. */
struct state_column {
	const char *name;
	int since;
};

static const struct state_column audience_cols[] = {
	{ "name", 1 }, { "hash", 1 }, { "enabled", 1 }, { "created_at", 1 }, { "updated_at", 1 },
	{ "generation", 1 }, { "next_run_at", 1 }, { "source", 5 }, { "graph", 5 },
};

static const struct state_column activation_cols[] = {
	{ "audience", 1 }, { "name", 1 }, { "destination", 1 }, { "hash", 1 }, { "enabled", 1 },
	{ "created_at", 1 }, { "updated_at", 1 }, { "baseline_generation", 1 }, { "values_enrich", 5 },
};

/* "SELECT <cols> <rest>" for this state's schema: a column a later
 * migration added reads as NULL, since read-only opens never migrate an
 * older state (SPEC §1.2) yet must read it.  Freed by the caller. */
static char *select_cols(const struct state *st, const struct state_column *cols, size_t n,
			 const char *rest)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "SELECT ");
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", cols[i].since <= st->version ? cols[i].name : "NULL");
	sb_addf(&sb, " %s", rest);
	return sb_detach(&sb);
}

/* prep() of select_cols(). */
static struct sdb_stmt *prep_select(struct state *st, const struct state_column *cols, size_t n,
				    const char *rest, const char *fmt, const char *a, const char *b)
{
	char *sql = select_cols(st, cols, n, rest);
	struct sdb_stmt *s = prep(st, sql, fmt, a, b);
	free(sql);
	return s;
}

/* ---- applied definitions ------------------------------------------------------------ */

int state_put_audience(struct state *st, const char *name, const char *hash, bool enabled, int64_t now)
{
	return run(prep(st,
			"INSERT INTO audiences (name, hash, enabled, created_at, updated_at)"
			" VALUES (?1, ?2, ?3, ?4, ?4)"
			" ON CONFLICT (name) DO UPDATE SET hash = ?2, enabled = ?3,"
			"   updated_at = CASE WHEN audiences.hash <> ?2 OR audiences.enabled <> ?3 THEN ?4"
			"     ELSE audiences.updated_at END",
			"ssdi", name, hash, (int)enabled, now));
}


static void audience_from_row(struct sdb_stmt *s, struct state_audience *a)
{
	a->name = col_str(s, 0);
	a->hash = col_str(s, 1);
	a->enabled = sdb_column_int64(s, 2) != 0;
	a->created = sdb_column_int64(s, 3);
	a->updated = sdb_column_int64(s, 4);
	a->generation = sdb_column_int64(s, 5);
	a->next_run = sdb_column_int64(s, 6);
	a->source = col_str(s, 7);
	a->graph = col_str(s, 8);
}

int state_put_definition(struct state *st, const char *name, const char *source, const char *graph)
{
	return run(prep(st, "UPDATE audiences SET source = ?2, graph = ?3 WHERE name = ?1", "sss", name,
			source, graph));
}

int state_get_audience(struct state *st, const char *name, struct state_audience *out)
{
	memset(out, 0, sizeof(*out));
	struct sdb_stmt *s = prep_select(st, audience_cols, ARRAY_LEN(audience_cols),
					 "FROM audiences WHERE name = ?1", "s", name, NULL);
	if (!s)
		return -1;
	int rc = sdb_step(s);
	if (rc == SDB_ROW)
		audience_from_row(s, out);
	sdb_reset(s);
	return rc == SDB_ROW ? 0 : rc == SDB_DONE ? 1 : -1;
}

void state_audience_release(struct state_audience *a)
{
	free(a->name);
	free(a->hash);
	free(a->source);
	free(a->graph);
	memset(a, 0, sizeof(*a));
}

int state_list_audiences(struct state *st, int (*fn)(const struct state_audience *, void *), void *ctx)
{
	struct sdb_stmt *s = prep_select(st, audience_cols, ARRAY_LEN(audience_cols),
					 "FROM audiences ORDER BY name", NULL, NULL, NULL);
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		struct state_audience a;
		audience_from_row(s, &a);
		ret = fn(&a, ctx);
		state_audience_release(&a);
		if (ret)
			break;
	}
	sdb_reset(s);
	return ret ? ret : rc == SDB_DONE || rc == SDB_ROW ? 0 : -1;
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
		"DELETE FROM outbox_discarded WHERE audience = ?1",
		"DELETE FROM outbox_chunk_events WHERE chunk_id IN"
		" (SELECT id FROM outbox_chunks WHERE audience = ?1)",
		"DELETE FROM outbox_chunks WHERE audience = ?1",
		"DELETE FROM runs WHERE audience = ?1",
		"DELETE FROM alert_members WHERE audience = ?1",
		"DELETE FROM alert_delivered WHERE audience = ?1",
		"DELETE FROM alert_status WHERE audience = ?1",
		"DELETE FROM activations WHERE audience = ?1",
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
			"   updated_at = CASE WHEN activations.hash <> ?4 OR activations.enabled <> ?5"
			"     OR activations.destination <> ?3 THEN ?6 ELSE activations.updated_at END",
			"ssssdi", audience, name, destination, hash, (int)enabled, now));
}


static void activation_from_row(struct sdb_stmt *s, struct state_activation *a)
{
	a->audience = col_str(s, 0);
	a->name = col_str(s, 1);
	a->destination = col_str(s, 2);
	a->hash = col_str(s, 3);
	a->enabled = sdb_column_int64(s, 4) != 0;
	a->created = sdb_column_int64(s, 5);
	a->updated = sdb_column_int64(s, 6);
	a->has_baseline = !sdb_column_is_null(s, 7);
	a->baseline_generation = sdb_column_int64(s, 7);
	a->values_enrich = col_str(s, 8);
}

int state_set_values_enrich(struct state *st, const char *audience, const char *name,
			    const char *fingerprint)
{
	return run(prep(st, "UPDATE activations SET values_enrich = ?3 WHERE audience = ?1 AND name = ?2",
			"sss", audience, name, fingerprint));
}

int state_get_activation(struct state *st, const char *audience, const char *name,
			 struct state_activation *out)
{
	memset(out, 0, sizeof(*out));
	struct sdb_stmt *s = prep_select(st, activation_cols, ARRAY_LEN(activation_cols),
					 "FROM activations WHERE audience = ?1 AND name = ?2", "ss",
					 audience, name);
	if (!s)
		return -1;
	int rc = sdb_step(s);
	if (rc == SDB_ROW)
		activation_from_row(s, out);
	sdb_reset(s);
	return rc == SDB_ROW ? 0 : rc == SDB_DONE ? 1 : -1;
}

void state_activation_release(struct state_activation *a)
{
	free(a->audience);
	free(a->name);
	free(a->destination);
	free(a->hash);
	free(a->values_enrich);
	memset(a, 0, sizeof(*a));
}

int state_list_activations(struct state *st, const char *audience,
			   int (*fn)(const struct state_activation *, void *), void *ctx)
{
	struct sdb_stmt *s = prep_select(st, activation_cols, ARRAY_LEN(activation_cols),
					 "FROM activations WHERE audience = ?1 ORDER BY name", "s",
					 audience, NULL);
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		struct state_activation a;
		activation_from_row(s, &a);
		ret = fn(&a, ctx);
		state_activation_release(&a);
		if (ret)
			break;
	}
	sdb_reset(s);
	return ret ? ret : rc == SDB_DONE || rc == SDB_ROW ? 0 : -1;
}

int state_set_baseline(struct state *st, const char *audience, const char *name, int64_t generation)
{
	return run(prep(st, "UPDATE activations SET baseline_generation = ?3"
			" WHERE audience = ?1 AND name = ?2", "ssi", audience, name, generation));
}

int state_clear_baseline(struct state *st, const char *audience, const char *name)
{
	return run(prep(st, "UPDATE activations SET baseline_generation = NULL"
			" WHERE audience = ?1 AND name = ?2", "ss", audience, name));
}

int state_delete_activation(struct state *st, const char *audience, const char *name)
{
	return run(prep(st, "DELETE FROM activations WHERE audience = ?1 AND name = ?2", "ss",
			audience, name));
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
		"  ORDER BY started_at DESC, rowid DESC LIMIT ?3 OFFSET ?2)",
		"DELETE FROM runs WHERE audience = ?1 AND id IN ("
		"  SELECT id FROM runs WHERE audience = ?1"
		"  ORDER BY started_at DESC, rowid DESC LIMIT ?3 OFFSET ?2)",
	};
	for (size_t i = 0; i < ARRAY_LEN(prune); i++)
		if (run(prep(st, prune[i], "sdi", audience, STATE_RUNS_KEPT, NO_LIMIT)) < 0)
			goto fail;
	return state_commit(st);
fail:
	state_rollback(st);
	return -1;
}

int state_run_finish(struct state *st, const struct state_run *r)
{
	struct sdb_stmt *s = prep(st,
			       "UPDATE runs SET duration_ms = ?2, result = ?3, error = ?4, summary = ?5,"
			       " queueing_ms = ?6, extracting_ms = ?7, preparing_ms = ?8, delivering_ms = ?9,"
			       " generation = ?10 WHERE id = ?1",
			       "sisssiiiii", r->id, r->duration_ms, run_result_name(r->result), r->error,
			       r->summary, r->queueing_ms, r->extracting_ms, r->preparing_ms,
			       r->delivering_ms, r->generation);
	if (run(s) < 0)
		return -1;
	return sdb_changes(st->db) == 1 ? 0 : -1;
}

#define RUN_COLS "id, audience, generation, started_at, duration_ms, result, error, summary," \
	" queueing_ms, extracting_ms, preparing_ms, delivering_ms"

static void run_from_row(struct sdb_stmt *s, struct state_run *r)
{
	r->id = col_str(s, 0);
	r->audience = col_str(s, 1);
	r->generation = sdb_column_int64(s, 2);
	r->started = sdb_column_int64(s, 3);
	r->duration_ms = sdb_column_int64(s, 4);
	r->result = result_from_name(sdb_column_text(s, 5));
	r->error = col_str(s, 6);
	r->summary = col_str(s, 7);
	r->queueing_ms = sdb_column_int64(s, 8);
	r->extracting_ms = sdb_column_int64(s, 9);
	r->preparing_ms = sdb_column_int64(s, 10);
	r->delivering_ms = sdb_column_int64(s, 11);
}

static int get_one_run(struct sdb_stmt *s, struct state_run *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	int rc = sdb_step(s);
	if (rc == SDB_ROW)
		run_from_row(s, out);
	sdb_reset(s);
	return rc == SDB_ROW ? 0 : rc == SDB_DONE ? 1 : -1;
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

int state_list_unfinished(struct state *st, int (*fn)(const char *audience, void *), void *ctx)
{
	struct sdb_stmt *s = prep(st, "SELECT DISTINCT audience FROM runs WHERE result = 'Running'", "");
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sdb_step(s)) == SDB_ROW && !(ret = fn(sdb_column_text(s, 0), ctx)))
		;
	sdb_reset(s);
	return ret ? ret : rc == SDB_DONE || rc == SDB_ROW ? 0 : -1;
}

int64_t state_latest_run_start(struct state *st)
{
	struct sdb_stmt *s = prep(st, "SELECT COALESCE(MAX(started_at), 0) FROM runs", "");
	if (!s)
		return -1;
	int64_t v = sdb_step(s) == SDB_ROW ? sdb_column_int64(s, 0) : -1;
	sdb_reset(s);
	return v;
}

int state_last_run(struct state *st, const char *audience, struct state_run *out)
{
	return get_one_run(prep(st, "SELECT " RUN_COLS " FROM runs WHERE audience = ?1"
				" ORDER BY started_at DESC, rowid DESC LIMIT 1", "s", audience), out);
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
	struct sdb_stmt *s = prep(st, "SELECT " RUN_COLS " FROM runs WHERE audience = ?1"
			       " ORDER BY started_at DESC, rowid DESC LIMIT ?2",
			       "si", audience, limit > 0 ? (int64_t)limit : NO_LIMIT);
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		struct state_run r;
		run_from_row(s, &r);
		ret = fn(&r, ctx);
		state_run_release(&r);
		if (ret)
			break;
	}
	sdb_reset(s);
	return ret ? ret : rc == SDB_DONE || rc == SDB_ROW ? 0 : -1;
}

/* ---- delivery counters --------------------------------------------------------------------- */

int state_count_filtered(struct state *st, const char *run_id, const char *audience,
			 const char *activation, int64_t n)
{
	return run(prep(st,
			"INSERT INTO delivery_stats (run_id, audience, activation, from_audience, filtered)"
			" VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (run_id, audience, activation) DO UPDATE SET"
			" from_audience = delivery_stats.from_audience + ?4, filtered = delivery_stats.filtered + ?4",
			"sssi", run_id, audience, activation, n));
}

static int get_counts(struct sdb_stmt *s, struct delivery_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	int rc = sdb_step(s);
	bool any = false;
	if (rc == SDB_ROW && !sdb_column_is_null(s, 0)) {
		any = true;
		out->from_audience = sdb_column_int64(s, 0);
		out->filtered = sdb_column_int64(s, 1);
		out->pending = sdb_column_int64(s, 2);
		out->failed = sdb_column_int64(s, 3);
		out->delivered = sdb_column_int64(s, 4);
		out->invalid = sdb_column_int64(s, 5);
	}
	sdb_reset(s);
	if (rc != SDB_ROW && rc != SDB_DONE)
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
	struct sdb_stmt *s = prep(st, "SELECT message_id, status, last_error, run_id, updated_at FROM outbox"
			       " WHERE audience = ?1 AND activation = ?2 AND status = ?3"
			       " ORDER BY updated_at DESC, seq DESC LIMIT ?4",
			       "sssi", audience, activation, status, limit > 0 ? (int64_t)limit : NO_LIMIT);
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		struct outbox_sample o = {
			.message_id = sdb_column_text(s, 0),
			.status = sdb_column_text(s, 1),
			.reason = sdb_column_text(s, 2),
			.run_id = sdb_column_text(s, 3),
			.at = sdb_column_int64(s, 4),
		};
		if ((ret = fn(&o, ctx)) != 0)
			break;
	}
	sdb_reset(s);
	return ret ? ret : rc == SDB_DONE || rc == SDB_ROW ? 0 : -1;
}
