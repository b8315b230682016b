/*
 * dest_warehouse.c — the `warehouse` destination: every event becomes one row
 * of a table in the project's own warehouse (SQLite, PostgreSQL, Snowflake),
 * the whole Segment event kept as one JSON column, as Segment's warehouse
 * writeback does.
 *
 *   CREATE TABLE IF NOT EXISTS <schema.>table (
 *     message_id  VARCHAR(255) PRIMARY KEY,
 *     received_at TEXT | TIMESTAMP WITH TIME ZONE,   -- when lac wrote it
 *     event       TEXT | JSONB)                      -- SQLite | PostgreSQL
 *
 * The column types and transaction statements are the dialect's
 * (sql/dialect.h: json_type, log_time_type, begin_write, ...).
 *
 * A page of events is written in one transaction with multi-row
 * INSERT ... ON CONFLICT (message_id) DO NOTHING, so a resent event (same
 * messageId) is not a duplicate and counts as delivered.  If the page's insert
 * fails, it is rolled back and written again one event per savepoint, so only
 * the events the warehouse refuses are rejected; when none gets in, the
 * warehouse itself is the problem and the page stays pending.
 *
 * A dialect without savepoints (Snowflake: dialect.h event_merge) writes
 * each batch as one MERGE on message_id instead, outside any transaction:
 * a batch repeated after a failure or a crash adds nothing twice.  When a
 * batch fails, the page's events are merged one by one, as above.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "deliver/dest_private.h"
#include "warehouse/warehouse.h"
#include "base/time.h"

#define ROWS_PER_INSERT 250
#define SQL_PER_INSERT (1 << 20)

struct wh_priv {
	struct warehouse w;
	char *table;               /* the table name as SQL (quoted and qualified as needed) */
	struct strbuf sql, err;
};

static int exec(struct dest *d, const char *sql)
{
	struct wh_priv *wp = d->priv;
	sb_reset(&wp->err);
	return wp->w.ops->query(&wp->w, sql, NULL, NULL, &wp->err);
}

static void wh_close(struct dest *d);

static int wh_open(struct dest *d, struct strbuf *err)
{
	const struct dest_config *c = &d->cfg;
	if (!c->table || !*c->table) {
		sb_addf(err, "destination '%s' (warehouse) has no table", c->name);
		return -1;
	}
	struct wh_priv *wp = xcalloc(1, sizeof(*wp));
	sb_init(&wp->sql);
	sb_init(&wp->err);
	int rc;
	if (c->wh_type && strcmp(c->wh_type, "postgres") == 0) {
		rc = warehouse_open_postgres(&wp->w, c->wh_dsn, err);
	} else if (c->wh_project) {
		rc = warehouse_open_project(c->wh_project, WH_READ | WH_WRITE, &wp->w, err);
	} else if (c->wh_path) {
		rc = warehouse_open_sqlite(&wp->w, c->wh_path, false, err);
	} else {
		sb_addf(err, "destination '%s' (warehouse): no warehouse to write to", c->name);
		rc = -1;
	}
	if (rc < 0) {
		sb_release(&wp->sql);
		sb_release(&wp->err);
		free(wp);
		return -1;
	}
	d->priv = wp;
	const struct dialect *dl = wp->w.d;
	if (!dl->json_type) {
		sb_addf(err, "destination '%s' (warehouse): lac cannot write events to a %s warehouse",
			c->name, dl->name);
		wh_close(d);
		d->priv = NULL;
		return -1;
	}
	const char *parts[2] = { c->schema, c->table };
	bool qualified = c->schema && *c->schema;
	struct strbuf sb = STRBUF_INIT;
	dl->table_name(dl, &sb, qualified ? parts : parts + 1, qualified ? 2 : 1);
	wp->table = sb_detach(&sb);

	if (dl->create_schema && qualified) {
		sb_addstr(&sb, "CREATE SCHEMA IF NOT EXISTS ");
		dl->quote_ident(dl, &sb, c->schema);
		rc = exec(d, sb.buf);
		sb_release(&sb);
		if (rc < 0)
			goto fail;
	}
	sb_addf(&sb, "CREATE TABLE IF NOT EXISTS %s (message_id VARCHAR(255) PRIMARY KEY, "
		"received_at %s NOT NULL, event %s NOT NULL)", wp->table,
		dl->log_time_type ? dl->log_time_type : dl->text_type, dl->json_type);
	rc = exec(d, sb.buf);
	sb_release(&sb);
	if (rc == 0)
		return 0;
fail:
	sb_addf(err, "destination '%s' (warehouse): cannot create table %s: %s", c->name, wp->table,
		wp->err.buf);
	wh_close(d);
	d->priv = NULL;
	return -1;
}

static void wh_close(struct dest *d)
{
	struct wh_priv *wp = d->priv;
	if (!wp)
		return;
	warehouse_close(&wp->w);
	free(wp->table);
	sb_release(&wp->sql);
	sb_release(&wp->err);
	free(wp);
}

/* Is the event something the table can hold?  NULL, or why not. */
static const char *unfit(const struct wh_priv *wp, const struct dest_event *e)
{
	if (memchr(e->json, '\0', e->len))
		return "event contains a NUL byte";
	if (strlen(e->message_id) > 255)
		return "messageId is longer than 255 bytes";
	json_error_t jerr;
	json_t *j = json_loadb(e->json, e->len, 0, &jerr);
	bool obj = j && json_is_object(j);
	json_decref(j);
	if (!obj)
		return "event is not a JSON object";
	if (wp->w.d->json_rejects_nul && strstr(e->json, "\\u0000"))
		return "event holds \\u0000, which jsonb cannot store";
	return NULL;
}

static void start_insert(struct dest *d)
{
	struct wh_priv *wp = d->priv;
	sb_reset(&wp->sql);
	/* a merge's rows are collected alone, then put in its template */
	if (!wp->w.d->event_merge)
		sb_addf(&wp->sql, "INSERT INTO %s (message_id, received_at, event) VALUES ", wp->table);
}

static void add_row(struct dest *d, const struct dest_event *e, const char *now, bool first)
{
	struct wh_priv *wp = d->priv;
	const struct dialect *dl = wp->w.d;
	char *json = xstrndup(e->json, e->len);
	if (!first)
		sb_addch(&wp->sql, ',');
	sb_addch(&wp->sql, '(');
	dl->string_lit(dl, &wp->sql, e->message_id);
	sb_addch(&wp->sql, ',');
	dl->string_lit(dl, &wp->sql, now);
	sb_addch(&wp->sql, ',');
	dl->string_lit(dl, &wp->sql, json);
	sb_addch(&wp->sql, ')');
	free(json);
}

static const char *begin_write(const struct wh_priv *wp)
{
	return wp->w.d->begin_write ? wp->w.d->begin_write : wp->w.d->begin;
}

static int end_insert(struct dest *d)
{
	struct wh_priv *wp = d->priv;
	if (!wp->w.d->event_merge) {
		sb_addstr(&wp->sql, " ON CONFLICT (message_id) DO NOTHING");
		return exec(d, wp->sql.buf);
	}
	struct strbuf merge = STRBUF_INIT;
	dialect_expand(&merge, wp->w.d->event_merge, wp->table, NULL, wp->sql.buf);
	int rc = exec(d, merge.buf);
	sb_release(&merge);
	return rc;
}

/* The SQL text after which a batch is sent. */
static size_t sql_max(const struct wh_priv *wp)
{
	return wp->w.d->event_sql_max ? wp->w.d->event_sql_max : SQL_PER_INSERT;
}

/* Without savepoints: every fit event merged in batches, no transaction.
 * 0, or -1 when a batch failed (those before it are in, and merging them
 * again adds nothing). */
static int merge_all(struct dest *d, struct dest_event *evs, size_t n, const char *now)
{
	struct wh_priv *wp = d->priv;
	size_t rows = 0;
	for (size_t i = 0; i < n; i++) {
		if (evs[i].outcome == DEST_REJECTED)
			continue;
		if (rows == 0)
			start_insert(d);
		add_row(d, &evs[i], now, rows == 0);
		rows++;
		if (rows == ROWS_PER_INSERT || wp->sql.len >= sql_max(wp)) {
			if (end_insert(d) < 0)
				return -1;
			rows = 0;
		}
	}
	return rows && end_insert(d) < 0 ? -1 : 0;
}

/* A batch's merge failed: each event alone, so that only those the
 * warehouse refuses fail.  0, or -1 when it took none (the warehouse is the
 * problem: all retry). */
static int merge_each(struct dest *d, struct dest_event *evs, size_t n, const char *now)
{
	struct wh_priv *wp = d->priv;
	size_t tried = 0, refused = 0;
	struct strbuf first_why = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (evs[i].outcome == DEST_REJECTED)
			continue;
		start_insert(d);
		add_row(d, &evs[i], now, true);
		tried++;
		if (end_insert(d) == 0) {
			evs[i].outcome = DEST_DELIVERED;
			continue;
		}
		refused++;
		dest_event_set(&evs[i], DEST_REJECTED, "warehouse refused the event: %.180s", wp->err.buf);
		if (!first_why.len)
			sb_addstr(&first_why, wp->err.buf);
	}
	int rc = 0;
	if (tried && refused == tried) {
		sb_reset(&wp->err);
		sb_addstr(&wp->err, first_why.buf);
		for (size_t i = 0; i < n; i++)
			if (evs[i].outcome == DEST_REJECTED && str_starts(evs[i].reason, "warehouse refused"))
				evs[i].outcome = DEST_RETRY;
		rc = -1;
	}
	sb_release(&first_why);
	return rc;
}

/* Every fit event in one transaction: 0, -1 (an insert failed; rolled
 * back) or -2 (no transaction could start: the warehouse is busy or gone). */
static int insert_all(struct dest *d, struct dest_event *evs, size_t n, const char *now)
{
	struct wh_priv *wp = d->priv;
	if (exec(d, begin_write(wp)) < 0)
		return -2;
	size_t rows = 0;
	for (size_t i = 0; i < n; i++) {
		if (evs[i].outcome == DEST_REJECTED)
			continue;
		if (rows == 0)
			start_insert(d);
		add_row(d, &evs[i], now, rows == 0);
		rows++;
		if (rows == ROWS_PER_INSERT || wp->sql.len >= SQL_PER_INSERT) {
			if (end_insert(d) < 0)
				goto undo;
			rows = 0;
		}
	}
	if (rows && end_insert(d) < 0)
		goto undo;
	if (exec(d, wp->w.d->commit) < 0)
		goto undo;
	return 0;
undo: {
	/* keep the first error: ROLLBACK would replace it */
	char *why = sb_detach(&wp->err);
	sb_init(&wp->err);
	exec(d, wp->w.d->rollback);
	sb_reset(&wp->err);
	sb_addstr(&wp->err, why);
	free(why);
	return -1;
}
}

/* The page's insert failed: one savepoint per event, so that only the
 * events the warehouse refuses fail.  0, or -1 when the warehouse took
 * none of them (then it is the warehouse, not the events: all retry). */
static int insert_each(struct dest *d, struct dest_event *evs, size_t n, const char *now)
{
	struct wh_priv *wp = d->priv;
	size_t tried = 0, refused = 0;
	char first_why[200] = "";
	if (exec(d, begin_write(wp)) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (evs[i].outcome == DEST_REJECTED)
			continue;
		if (exec(d, "SAVEPOINT lac_event") < 0)
			goto broken;
		start_insert(d);
		add_row(d, &evs[i], now, true);
		tried++;
		if (end_insert(d) < 0) {
			refused++;
			dest_event_set(&evs[i], DEST_REJECTED, "warehouse refused the event: %.180s", wp->err.buf);
			if (!first_why[0])
				snprintf(first_why, sizeof(first_why), "%s", wp->err.buf);
			if (exec(d, "ROLLBACK TO SAVEPOINT lac_event") < 0)
				goto broken;
		}
		if (exec(d, "RELEASE SAVEPOINT lac_event") < 0)
			goto broken;
	}
	if (tried && refused == tried) {
		exec(d, wp->w.d->rollback);
		sb_reset(&wp->err);
		sb_addstr(&wp->err, first_why);
		for (size_t i = 0; i < n; i++)
			if (evs[i].outcome == DEST_REJECTED && str_starts(evs[i].reason, "warehouse refused"))
				evs[i].outcome = DEST_RETRY;
		return -1;
	}
	if (exec(d, wp->w.d->commit) < 0)
		goto broken;
	for (size_t i = 0; i < n; i++)
		if (evs[i].outcome != DEST_REJECTED)
			evs[i].outcome = DEST_DELIVERED;
	return 0;
broken: {
	char *why = sb_detach(&wp->err);
	sb_init(&wp->err);
	exec(d, wp->w.d->rollback);
	sb_reset(&wp->err);
	sb_addstr(&wp->err, why);
	free(why);
	for (size_t i = 0; i < n; i++)
		if (evs[i].outcome == DEST_REJECTED && str_starts(evs[i].reason, "warehouse refused"))
			evs[i].outcome = DEST_RETRY;
	return -1;
}
}

static int wh_send(struct dest *d, struct dest_event *evs, size_t n)
{
	struct wh_priv *wp = d->priv;
	char now[32];
	time_format_iso((int64_t)time(NULL), now);
	for (size_t i = 0; i < n; i++) {
		const char *why = unfit(wp, &evs[i]);
		if (why)
			dest_event_set(&evs[i], DEST_REJECTED, "%s", why);
	}
	d->requests++;
	bool merge = wp->w.d->event_merge != NULL;
	int rc = merge ? merge_all(d, evs, n, now) : insert_all(d, evs, n, now);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			if (evs[i].outcome != DEST_REJECTED)
				evs[i].outcome = DEST_DELIVERED;
		return 0;
	}
	if (rc == -1) {
		d->requests++;
		if ((merge ? merge_each(d, evs, n, now) : insert_each(d, evs, n, now)) == 0)
			return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (evs[i].outcome != DEST_REJECTED)
			dest_event_set(&evs[i], DEST_RETRY, "warehouse: %.200s", wp->err.buf);
	return -1;
}

const struct dest_ops dest_warehouse_ops = {
	.open = wh_open, .send = wh_send, .close = wh_close,
	.page_events = 1000, .page_bytes = 8 << 20,
};
