/*
 * sdb_pg.c — sdb.h over libpq: the state in a schema of a PostgreSQL
 * database, shared by every machine that has the DSN (CI jobs, a daemon).
 *
 * One connection per process does all of its state reads and writes (the
 * locks are session advisory locks on it: state_lock.c).  Statements are prepared
 * once on the server (PQprepare, ?N turned into $N); parameters go as text,
 * blobs as binary bytea.  Results come back as text, except those of a
 * statement that returns bytea and otherwise only integers and text: they
 * come in binary, so that the outbox's megabyte chunks are neither hex
 * encoded by the server, sent twice their size, nor decoded here.  A lost
 * connection fails the statement: nothing reconnects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "state/sdb_engine.h"

struct pg_db {
	struct sdb base;
	PGconn *conn;
	char *schema;
	unsigned next_name;          /* prepared statements are lac_s1, lac_s2, ... */
	bool closing;
};

struct pg_param {
	struct strbuf text;          /* text and integers, NUL-terminated */
	const void *blob;
	size_t blob_len;
	enum { P_NULL, P_TEXT, P_BLOB } kind;
};

struct pg_stmt {
	struct sdb_stmt base;
	char name[24];
	int nparams;
	struct pg_param *params;
	bool binary;                 /* results in binary (binary_results) */
	PGresult *res;               /* NULL until the first step after a reset */
	int row, nrows;
	struct strbuf *cols;         /* per column: a decoded bytea, or an integer's text */
	int ncols;
};

static PGconn *conn_of(struct sdb *db) { return ((struct pg_db *)db)->conn; }
static struct pg_stmt *pg_stmt(struct sdb_stmt *s) { return (struct pg_stmt *)s; }

static int conn_error(struct sdb *db, const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	if (!msg || !*msg)
		msg = PQerrorMessage(conn_of(db));
	if (PQstatus(conn_of(db)) == CONNECTION_BAD) {
		/* libpq adds lines of guesses ("This probably means ..."): the first says it */
		sdb_set_error(db, "lost the connection to the PostgreSQL state: %.*s", (int)strcspn(msg, "\n"),
			      msg);
		db->lost = true;
	} else {
		sdb_set_error(db, "%s", msg);
	}
	return -1;
}

static void pg_release_stmt(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	for (int i = 0; i < s->nparams; i++) {
		s->params[i].kind = P_NULL;
		s->params[i].blob = NULL;
	}
}

static void pg_finalize(struct sdb_stmt *base)
{
	struct pg_stmt *s = pg_stmt(base);
	struct pg_db *db = (struct pg_db *)base->db;
	pg_release_stmt(s);
	if (!db->closing && PQstatus(db->conn) == CONNECTION_OK) {
		char *sql = xasprintf("DEALLOCATE %s", s->name);
		PQclear(PQexec(db->conn, sql));
		free(sql);
	}
	for (int i = 0; i < s->nparams; i++)
		sb_release(&s->params[i].text);
	free(s->params);
	for (int i = 0; i < s->ncols; i++)
		sb_release(&s->cols[i]);
	free(s->cols);
	free(s);
}

static void pg_close(struct sdb *base)
{
	struct pg_db *db = (struct pg_db *)base;
	db->closing = true;
	sdb_release_common(base);
	PQfinish(db->conn);
	free(db->schema);
	free(db);
}

static int pg_exec(struct sdb *db, const char *sql)
{
	PGresult *res = PQexec(conn_of(db), sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		db->changes = strtoll(PQcmdTuples(res), NULL, 10);
	else
		rc = conn_error(db, res);
	PQclear(res);
	return rc;
}

static int pg_begin(struct sdb *base)
{
	/* writers of one state take turns, as under SQLite's BEGIN IMMEDIATE
	 * (the migrations count on it) */
	struct pg_db *db = (struct pg_db *)base;
	if (pg_exec(base, "BEGIN") < 0)
		return -1;
	struct sdb_stmt *s = sdb_prepare(base, "SELECT pg_advisory_xact_lock(hashtext('lac_state:' || ?1))");
	if (!s || sdb_bind_text(s, 1, db->schema, SIZE_MAX) < 0 || sdb_run(s) < 0) {
		sdb_reset(s);
		sdb_rollback(base);
		return -1;
	}
	return 0;
}

/* sql with ?N turned into $N (outside quoted literals), and the highest N. */
static char *dollar_params(const char *sql, int *nparams)
{
	struct strbuf sb = STRBUF_INIT;
	bool quoted = false;
	*nparams = 0;
	for (const char *p = sql; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		if (!quoted && *p == '?' && p[1] >= '0' && p[1] <= '9') {
			char *end;
			long n = strtol(p + 1, &end, 10);
			if (n > *nparams)
				*nparams = (int)n;
			sb_addf(&sb, "$%ld", n);
			p = end - 1;
			continue;
		}
		sb_addch(&sb, *p);
	}
	return sb_detach(&sb);
}

/* The result types that binary results are read as (pg_type.h's OIDs). */
enum { BYTEA_OID = 17, INT8_OID = 20, INT2_OID = 21, INT4_OID = 23, TEXT_OID = 25, VARCHAR_OID = 1043 };

/* Whether the prepared statement's results are better taken in binary:
 * it returns bytea, and every other column is one whose binary form this
 * file reads (text as it is, integers in network order).  Anything else
 * (numeric sums, booleans) keeps the whole statement in text. */
static bool binary_results(const PGresult *desc)
{
	bool bytea = false;
	for (int i = 0; i < PQnfields(desc); i++) {
		switch (PQftype(desc, i)) {
		case BYTEA_OID:
			bytea = true;
			break;
		case INT8_OID: case INT2_OID: case INT4_OID: case TEXT_OID: case VARCHAR_OID:
			break;
		default:
			return false;
		}
	}
	return bytea;
}

static struct sdb_stmt *pg_prepare(struct sdb *base, const char *sql)
{
	struct pg_db *db = (struct pg_db *)base;
	struct pg_stmt *s = xcalloc(1, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "lac_s%u", ++db->next_name);
	char *text = dollar_params(sql, &s->nparams);
	PGresult *res = PQprepare(db->conn, s->name, text, s->nparams, NULL);
	free(text);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		conn_error(base, res);
		PQclear(res);
		free(s);
		return NULL;
	}
	PQclear(res);
	res = PQdescribePrepared(db->conn, s->name);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		conn_error(base, res);
		PQclear(res);
		free(s);
		return NULL;
	}
	s->binary = binary_results(res);
	PQclear(res);
	s->params = xcalloc((size_t)s->nparams + 1, sizeof(*s->params));
	for (int i = 0; i < s->nparams; i++)
		sb_init(&s->params[i].text);
	s->row = -1;
	return &s->base;
}

static struct pg_param *param(struct sdb_stmt *base, int i)
{
	struct pg_stmt *s = pg_stmt(base);
	if (i < 1 || i > s->nparams) {
		sdb_set_error(base->db, "parameter %d out of range", i);
		return NULL;
	}
	return &s->params[i - 1];
}

static int pg_bind_text(struct sdb_stmt *s, int i, const char *v, size_t len)
{
	struct pg_param *p = param(s, i);
	if (!p)
		return -1;
	/* text parameters end at a NUL: copy what was given with a length */
	sb_reset(&p->text);
	sb_addmem(&p->text, v, len);
	p->kind = P_TEXT;
	return 0;
}

static int pg_bind_int64(struct sdb_stmt *s, int i, int64_t v)
{
	struct pg_param *p = param(s, i);
	if (!p)
		return -1;
	sb_reset(&p->text);
	sb_addf(&p->text, "%lld", (long long)v);
	p->kind = P_TEXT;
	return 0;
}

static int pg_bind_blob(struct sdb_stmt *s, int i, const void *v, size_t len)
{
	struct pg_param *p = param(s, i);
	if (!p)
		return -1;
	if (len > 0x7fffffff) {
		sdb_set_error(s->db, "a value of %zu bytes is too large", len);
		return -1;
	}
	p->blob = len ? v : "";
	p->blob_len = len;
	p->kind = P_BLOB;
	return 0;
}

static int pg_bind_null(struct sdb_stmt *s, int i)
{
	struct pg_param *p = param(s, i);
	if (!p)
		return -1;
	p->kind = P_NULL;
	return 0;
}

static int execute(struct pg_stmt *s)
{
	struct sdb *db = s->base.db;
	int n = s->nparams;
	const char **values = xcalloc((size_t)n + 1, sizeof(*values));
	int *lengths = xcalloc((size_t)n + 1, sizeof(*lengths));
	int *formats = xcalloc((size_t)n + 1, sizeof(*formats));
	for (int i = 0; i < n; i++) {
		struct pg_param *p = &s->params[i];
		if (p->kind == P_TEXT) {
			values[i] = p->text.buf;
		} else if (p->kind == P_BLOB) {
			values[i] = p->blob;
			lengths[i] = (int)p->blob_len;
			formats[i] = 1;
		}
	}
	s->res = PQexecPrepared(conn_of(db), s->name, n, values, lengths, formats, s->binary);
	free(values);
	free(lengths);
	free(formats);
	ExecStatusType st = PQresultStatus(s->res);
	if (st == PGRES_TUPLES_OK) {
		s->nrows = PQntuples(s->res);
		s->row = -1;
		return 0;
	}
	if (st == PGRES_COMMAND_OK) {
		db->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
		s->nrows = 0;
		return 0;
	}
	conn_error(db, s->res);
	PQclear(s->res);
	s->res = NULL;
	return -1;
}

static int pg_step(struct sdb_stmt *base)
{
	struct pg_stmt *s = pg_stmt(base);
	if (!s->res && execute(s) < 0)
		return -1;
	if (s->row + 1 < s->nrows) {
		s->row++;
		return SDB_ROW;
	}
	s->row = s->nrows;
	if (PQresultStatus(s->res) == PGRES_TUPLES_OK)
		base->db->changes = s->nrows; /* RETURNING rows */
	return SDB_DONE;
}

static bool in_row(struct pg_stmt *s, int i)
{
	return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res);
}

static bool pg_column_is_null(struct sdb_stmt *base, int i)
{
	struct pg_stmt *s = pg_stmt(base);
	return !in_row(s, i) || PQgetisnull(s->res, s->row, i);
}

/* Column i's buffer (cols), empty. */
static struct strbuf *col_buf(struct pg_stmt *s, int i)
{
	if (i >= s->ncols) {
		s->cols = xrealloc(s->cols, (size_t)(i + 1) * sizeof(*s->cols));
		for (int k = s->ncols; k <= i; k++)
			sb_init(&s->cols[k]);
		s->ncols = i + 1;
	}
	sb_reset(&s->cols[i]);
	return &s->cols[i];
}

static bool is_binary_int(struct pg_stmt *s, int i)
{
	Oid t = PQftype(s->res, i);
	return PQfformat(s->res, i) == 1 && (t == INT8_OID || t == INT4_OID || t == INT2_OID);
}

/* A binary integer column of the current row (network order). */
static int64_t binary_int(struct pg_stmt *s, int i)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(s->res, s->row, i);
	int n = PQgetlength(s->res, s->row, i);
	if (n != 2 && n != 4 && n != 8)
		return 0;
	uint64_t v = 0;
	for (int k = 0; k < n; k++)
		v = v << 8 | p[k];
	if (n < 8 && (p[0] & 0x80))
		v |= ~(uint64_t)0 << (8 * n); /* sign-extend int2 and int4 */
	return (int64_t)v;
}

static const char *pg_column_text(struct sdb_stmt *base, int i)
{
	struct pg_stmt *s = pg_stmt(base);
	if (pg_column_is_null(base, i))
		return NULL;
	if (is_binary_int(s, i)) {
		struct strbuf *b = col_buf(s, i);
		sb_addf(b, "%lld", (long long)binary_int(s, i));
		return b->buf;
	}
	/* text, and binary bytea and text: libpq ends every value with a NUL */
	return PQgetvalue(s->res, s->row, i);
}

static int64_t pg_column_int64(struct sdb_stmt *base, int i)
{
	struct pg_stmt *s = pg_stmt(base);
	if (!pg_column_is_null(base, i) && is_binary_int(s, i))
		return binary_int(s, i);
	const char *t = pg_column_text(base, i);
	/* sum() of integers is numeric: its text has no fraction here */
	return t ? strtoll(t, NULL, 10) : 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Binary results hold the bytes as they are; in text, bytea comes as "\x"
 * and two hex digits a byte (PostgreSQL 9.0+). */
static const void *pg_column_blob(struct sdb_stmt *base, int i, size_t *len)
{
	struct pg_stmt *s = pg_stmt(base);
	*len = 0;
	const char *t = pg_column_text(base, i);
	if (!t)
		return NULL;
	if (PQfformat(s->res, i) == 1) {
		/* an integer as its text, as SQLite gives it */
		*len = is_binary_int(s, i) ? strlen(t) : (size_t)PQgetlength(s->res, s->row, i);
		return t;
	}
	struct strbuf *b = col_buf(s, i);
	size_t n = (size_t)PQgetlength(s->res, s->row, i);
	if (n >= 2 && t[0] == '\\' && t[1] == 'x') {
		sb_grow(b, (n - 2) / 2 + 1);
		for (size_t k = 2; k + 1 < n; k += 2) {
			int hi = hexval(t[k]), lo = hexval(t[k + 1]);
			if (hi < 0 || lo < 0)
				break;
			b->buf[b->len++] = (char)(hi << 4 | lo);
		}
		b->buf[b->len] = '\0';
	} else {
		sb_addmem(b, t, n); /* text where a blob was asked for: as it is */
	}
	*len = b->len;
	return b->buf;
}

static int pg_column_count(struct sdb_stmt *base)
{
	struct pg_stmt *s = pg_stmt(base);
	return s->res ? PQnfields(s->res) : 0;
}

static const char *pg_column_name(struct sdb_stmt *base, int i)
{
	struct pg_stmt *s = pg_stmt(base);
	return s->res && i >= 0 && i < PQnfields(s->res) ? PQfname(s->res, i) : NULL;
}

static enum sdb_type pg_column_type(struct sdb_stmt *base, int i)
{
	struct pg_stmt *s = pg_stmt(base);
	if (pg_column_is_null(base, i))
		return SDB_NULL;
	switch (PQftype(s->res, i)) {
	case INT2_OID: case INT4_OID: case INT8_OID: return SDB_INTEGER;
	case BYTEA_OID: return SDB_BLOB;
	default: return SDB_TEXT;
	}
}

static void pg_location(const struct sdb *base, struct sdb_location *out)
{
	const struct pg_db *db = (const struct pg_db *)base;
	out->host = PQhost(db->conn);
	out->port = PQport(db->conn);
	out->database = PQdb(db->conn);
	out->user = PQuser(db->conn);
	out->schema = db->schema;
}

static void pg_reset(struct sdb_stmt *base)
{
	pg_release_stmt(pg_stmt(base));
}

static int pg_table_exists(struct sdb *base, const char *table)
{
	struct pg_db *db = (struct pg_db *)base;
	struct sdb_stmt *s = sdb_prepare(base, "SELECT 1 FROM information_schema.tables"
					 " WHERE table_schema = ?1 AND table_name = ?2");
	if (!s || sdb_bind_text(s, 1, db->schema, SIZE_MAX) < 0 || sdb_bind_text(s, 2, table, SIZE_MAX) < 0) {
		sdb_reset(s);
		return -1;
	}
	int rc = sdb_step(s);
	sdb_reset(s);
	return rc < 0 ? -1 : rc == SDB_ROW;
}

static const struct sdb_ops pg_ops = {
	.close = pg_close,
	.exec = pg_exec,
	.table_exists = pg_table_exists,
	.begin = pg_begin,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int64 = pg_bind_int64,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_text = pg_column_text,
	.column_int64 = pg_column_int64,
	.column_blob = pg_column_blob,
	.column_is_null = pg_column_is_null,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_type = pg_column_type,
	.location = pg_location,
	.reset = pg_reset,
	.finalize = pg_finalize,
};

/* The outbox's chunks are megabytes of JSON: TOAST compresses them with
 * pglz by default, which costs the server more than all the rest of a run's
 * state work; lz4 (PostgreSQL 14+, when built with it) is several times
 * faster at a similar ratio.  Older servers keep pglz. */
#define LZ4_IF_AVAILABLE \
	" SELECT set_config('default_toast_compression', 'lz4', false) FROM pg_settings" \
	" WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals);"

/* Server notices ("schema already exists, skipping") are not for users. */
static void quiet_notices(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int sdb_open_pg(struct sdb **out, const char *dsn, const char *schema, bool readonly,
		struct strbuf *err)
{
	*out = NULL;
	struct pg_db *db = xcalloc(1, sizeof(*db));
	sdb_init(&db->base, &pg_ops, SDB_POSTGRES);
	db->schema = xstrdup(schema);
	db->conn = PQconnectdb(dsn);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		struct strbuf msg = STRBUF_INIT;
		sb_addstr(&msg, db->conn ? PQerrorMessage(db->conn) : "out of memory");
		while (msg.len && (msg.buf[msg.len - 1] == '\n' || msg.buf[msg.len - 1] == ' '))
			msg.buf[--msg.len] = '\0';
		sb_addf(err, "cannot connect to the PostgreSQL state: %s", msg.buf);
		sb_release(&msg);
		pg_close(&db->base);
		return -1;
	}
	PQsetNoticeProcessor(db->conn, quiet_notices, NULL);
	char *ident = PQescapeIdentifier(db->conn, schema, strlen(schema));
	char *setup = xasprintf("SET TimeZone = 'UTC'; SET search_path TO %s;%s%s", ident ? ident : "\"\"",
				readonly ? " SET default_transaction_read_only = on;" : "", LZ4_IF_AVAILABLE);
	PQfreemem(ident);
	int rc = pg_exec(&db->base, setup);
	free(setup);
	if (rc < 0) {
		sb_addf(err, "PostgreSQL state: %s", sdb_errmsg(&db->base));
		pg_close(&db->base);
		return -1;
	}
	*out = &db->base;
	return 0;
}
