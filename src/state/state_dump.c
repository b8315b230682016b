/*
 * state_dump.c — a state's rows out as JSON and back in (state_move.h):
 * the tables are found in the database itself, so tables that later
 * migrations add move too without a word here.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "state/sdb.h"
#include "state/state_move.h"

/* Tables that stay behind: the schema's version (the target has its own),
 * the moved mark, and locks (held by processes of the old state). */
/* locks belong to the processes of one state, never to its contents */
static const char *const not_moved[] = { "schema_version", "state_moved", "state_project", "lock_holders",
					  "audience_locks" };

/* PostgreSQL's stand-in for SQLite's rowid (migration 1): the engine's own. */
#define ENGINE_ROWID "rowid"

int state_read_begin(struct state *st)
{
	struct sdb *db = state_sdb(st);
	return sdb_exec(db, sdb_engine(db) == SDB_POSTGRES
			? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
}

void state_read_end(struct state *st)
{
	sdb_exec(state_sdb(st), "COMMIT");
}

/* Table and column names end up in SQL text: letters, digits and '_'. */
static bool plain_name(const char *s)
{
	if (!s || !*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool is_moved(const char *table)
{
	/* the engines' own tables (sqlite_sequence, pg_...) are never the state's */
	if (!plain_name(table) || strncasecmp(table, "sqlite_", 7) == 0 || strncasecmp(table, "pg_", 3) == 0)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(not_moved); i++)
		if (strcmp(table, not_moved[i]) == 0)
			return false;
	return true;
}

/* The moved tables of the state, in name order (NULL-terminated; free
 * each and the array), or NULL on error. */
static char **moved_tables(struct state *st)
{
	struct sdb *db = state_sdb(st);
	struct sdb_stmt *s = sdb_prepare(db, sdb_engine(db) == SDB_POSTGRES
		? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
		  " AND table_type = 'BASE TABLE' ORDER BY table_name COLLATE \"C\""
		: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name");
	if (!s)
		return NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		const char *name = sdb_column_text(s, 0);
		if (is_moved(name))
			VEC_PUSH(v, n, cap, xstrdup(name));
	}
	sdb_reset(s);
	VEC_PUSH(v, n, cap, NULL);
	if (rc != SDB_DONE) {
		for (size_t i = 0; v[i]; i++)
			free(v[i]);
		free(v);
		return NULL;
	}
	return v;
}

static void free_names(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* 1 when the PostgreSQL table has the column, 0 when not, -1 on error. */
static int pg_has_column(struct sdb *db, const char *table, const char *column)
{
	struct sdb_stmt *s = sdb_prepare(db, "SELECT 1 FROM information_schema.columns"
					 " WHERE table_schema = current_schema() AND table_name = ?1 AND column_name = ?2");
	if (!s || sdb_bind_text(s, 1, table, SIZE_MAX) < 0 || sdb_bind_text(s, 2, column, SIZE_MAX) < 0) {
		sdb_reset(s);
		return -1;
	}
	int rc = sdb_step(s);
	sdb_reset(s);
	return rc < 0 ? -1 : rc == SDB_ROW;
}

/* A blob as JSON: {"text": ...} when it is UTF-8 without NUL, else base64. */
static json_t *blob_json(const void *p, size_t len)
{
	if (!memchr(p, '\0', len)) {
		json_t *t = json_stringn(p, len);
		if (t)
			return json_pack("{s:o}", "text", t);
	}
	char *b64 = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, p, (int)len);
	json_t *o = json_pack("{s:s}", "base64", b64);
	free(b64);
	return o;
}

static json_t *row_json(struct sdb_stmt *s)
{
	json_t *row = json_object();
	int n = sdb_column_count(s);
	for (int i = 0; i < n; i++) {
		const char *name = sdb_column_name(s, i);
		if (!name || strcmp(name, ENGINE_ROWID) == 0)
			continue;
		json_t *v;
		switch (sdb_column_type(s, i)) {
		case SDB_NULL:
			v = json_null();
			break;
		case SDB_INTEGER:
			v = json_integer(sdb_column_int64(s, i));
			break;
		case SDB_BLOB: {
			size_t len;
			const void *p = sdb_column_blob(s, i, &len);
			v = blob_json(p ? p : "", len);
			break;
		}
		default: {
			const char *t = sdb_column_text(s, i);
			v = json_string(t ? t : "");
			if (!v) /* not UTF-8: kept byte for byte */
				v = blob_json(t, strlen(t));
		}
		}
		json_object_set_new(row, name, v);
	}
	return row;
}

static int dump_table(struct state *st, const char *table,
		      int (*fn)(const char *table, json_t *row, void *ctx), void *ctx)
{
	struct sdb *db = state_sdb(st);
	/* in the order written: SQLite's rowid, PostgreSQL's stand-in for it */
	int has_rowid = sdb_engine(db) == SDB_SQLITE ? 1 : pg_has_column(db, table, ENGINE_ROWID);
	if (has_rowid < 0)
		return -1;
	char *sql = xasprintf("SELECT * FROM \"%s\" ORDER BY %s", table, has_rowid ? ENGINE_ROWID : "1");
	struct sdb_stmt *s = sdb_prepare(db, sql);
	free(sql);
	if (!s)
		return -1;
	int rc, ret = 0;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		json_t *row = row_json(s);
		ret = fn(table, row, ctx);
		json_decref(row);
		if (ret)
			break;
	}
	sdb_finalize(s);
	return ret ? ret : rc == SDB_DONE || rc == SDB_ROW ? 0 : -1;
}

int state_dump(struct state *st, int (*fn)(const char *table, json_t *row, void *ctx), void *ctx)
{
	char **tables = moved_tables(st);
	if (!tables)
		return -1;
	int rc = 0;
	for (size_t i = 0; tables[i] && rc == 0; i++)
		rc = dump_table(st, tables[i], fn, ctx);
	free_names(tables);
	return rc;
}

/* ---- import ---------------------------------------------------------------------- */

int state_check_empty(struct state *st, struct strbuf *why)
{
	static const struct { const char *sql, *what; } checks[] = {
		{ "SELECT count(*) FROM audiences", "applied audiences" },
		{ "SELECT count(*) FROM runs", "runs" },
		{ "SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM outbox_chunks)", "events in its outbox" },
	};
	for (size_t i = 0; i < ARRAY_LEN(checks); i++) {
		struct sdb_stmt *s = sdb_prepare(state_sdb(st), checks[i].sql);
		if (!s)
			return -1;
		int rc = sdb_step(s);
		int64_t n = rc == SDB_ROW ? sdb_column_int64(s, 0) : 0;
		sdb_reset(s);
		if (rc != SDB_ROW)
			return -1;
		if (n > 0) {
			sb_addf(why, "it has %lld %s", (long long)n, checks[i].what);
			return 1;
		}
	}
	return 0;
}

/* The bytes of {"text": ...} or {"base64": ...} into out: 0 or -1. */
static int blob_bytes(json_t *v, struct strbuf *out)
{
	json_t *t = json_object_get(v, "text"), *b = json_object_get(v, "base64");
	if (json_object_size(v) != 1 || !(json_is_string(t) || json_is_string(b)))
		return -1;
	if (t) {
		sb_addmem(out, json_string_value(t), json_string_length(t));
		return 0;
	}
	size_t n = json_string_length(b);
	const char *in = json_string_value(b);
	if (n % 4)
		return -1;
	sb_grow(out, n / 4 * 3 + 1);
	int got = EVP_DecodeBlock((unsigned char *)out->buf + out->len, (const unsigned char *)in, (int)n);
	if (got < 0)
		return -1;
	/* EVP_DecodeBlock counts the bytes the '=' padding stands for */
	size_t pad = n && in[n - 1] == '=' ? (n > 1 && in[n - 2] == '=' ? 2 : 1) : 0;
	out->len += (size_t)got - pad;
	out->buf[out->len] = '\0';
	return 0;
}

/* Bind one JSON value as parameter i; a blob is decoded into scratch,
 * which must outlive the step.  0, or -1 with the reason in err. */
static int bind_value(struct sdb *db, struct sdb_stmt *s, int i, json_t *v, struct strbuf *scratch,
		      struct strbuf *err)
{
	int rc;
	switch (json_typeof(v)) {
	case JSON_NULL:
		rc = sdb_bind_null(s, i);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		rc = sdb_bind_int64(s, i, json_is_true(v));
		break;
	case JSON_INTEGER:
		rc = sdb_bind_int64(s, i, (int64_t)json_integer_value(v));
		break;
	case JSON_STRING:
		rc = sdb_bind_text(s, i, json_string_value(v), json_string_length(v));
		break;
	case JSON_OBJECT:
		if (blob_bytes(v, scratch) < 0) {
			sb_addstr(err, "a value that is neither {\"text\": ...} nor {\"base64\": ...}");
			return -1;
		}
		rc = sdb_bind_blob(s, i, scratch->buf, scratch->len);
		break;
	default:
		sb_addstr(err, "a value of a kind the state does not hold");
		return -1;
	}
	if (rc < 0)
		sb_addstr(err, sdb_errmsg(db));
	return rc;
}

/* "INSERT INTO "table" ("a", "b") VALUES (?1, ?2)" for the row's columns,
 * or NULL when a name is not a plain one. */
static char *insert_sql(const char *table, json_t *row)
{
	struct strbuf cols = STRBUF_INIT, vals = STRBUF_INIT;
	const char *key;
	json_t *v;
	size_t k = 0;
	json_object_foreach(row, key, v) {
		if (!plain_name(key))
			break;
		sb_addf(&cols, "%s\"%s\"", k ? ", " : "", key);
		sb_addf(&vals, "%s?%zu", k ? ", " : "", k + 1);
		k++;
	}
	char *sql = k == json_object_size(row)
		? xasprintf("INSERT INTO \"%s\" (%s) VALUES (%s)", table, cols.buf, vals.buf) : NULL;
	sb_release(&cols);
	sb_release(&vals);
	return sql;
}

int state_load_row(struct state *st, const char *table, json_t *row, struct strbuf *err)
{
	char *sql = is_moved(table) && json_is_object(row) && json_object_size(row)
		? insert_sql(table, row) : NULL;
	if (!sql) {
		sb_addf(err, "not a row of a state table (table \"%s\")", plain_name(table) ? table : "?");
		return -1;
	}
	struct sdb_stmt *s = sdb_prepare(state_sdb(st), sql);
	free(sql);
	if (!s) {
		sb_addf(err, "table %s: %s", table, state_errmsg(st));
		return -1;
	}
	size_t n = json_object_size(row);
	struct strbuf *blobs = xcalloc(n, sizeof(*blobs));
	for (size_t i = 0; i < n; i++)
		sb_init(&blobs[i]);
	const char *key;
	json_t *v;
	size_t k = 0;
	int rc = 0;
	json_object_foreach(row, key, v) {
		if (bind_value(state_sdb(st), s, (int)k + 1, v, &blobs[k], err) < 0) {
			rc = -1;
			break;
		}
		k++;
	}
	if (rc < 0) {
		sdb_reset(s);
		sb_addf(err, " (table %s, column %s)", table, key);
	} else if (sdb_run(s) < 0) {
		sb_addf(err, "table %s: %s", table, state_errmsg(st));
		rc = -1;
	}
	for (size_t i = 0; i < n; i++)
		sb_release(&blobs[i]);
	free(blobs);
	return rc;
}

int state_load_finish(struct state *st)
{
	/* SQLite's AUTOINCREMENT follows the ids written; PostgreSQL's
	 * identities must be set past them */
	struct sdb *db = state_sdb(st);
	if (sdb_engine(db) != SDB_POSTGRES)
		return 0;
	struct sdb_stmt *s = sdb_prepare(db, "SELECT table_name, column_name FROM information_schema.columns"
					 " WHERE table_schema = current_schema() AND is_identity = 'YES'"
					 " AND identity_generation = 'BY DEFAULT' ORDER BY table_name, column_name");
	if (!s)
		return -1;
	struct strbuf sql = STRBUF_INIT;
	int rc;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		const char *t = sdb_column_text(s, 0), *c = sdb_column_text(s, 1);
		if (!plain_name(t) || !plain_name(c))
			continue;
		sb_addf(&sql, "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'),"
			" COALESCE((SELECT max(\"%s\") FROM \"%s\"), 0) + 1, false);", t, c, c, t);
	}
	sdb_reset(s);
	if (rc == SDB_DONE && sql.len && sdb_exec(db, sql.buf) < 0)
		rc = -1;
	sb_release(&sql);
	return rc == SDB_DONE ? 0 : -1;
}
