/*
 * dest_warehouse.c — the `warehouse` destination: every event becomes one row
 * of a table in the project's own warehouse (any of the six types), the whole
 * Segment event kept as one JSON column, as Segment's warehouse writeback
 * does.
 *
 *   CREATE TABLE IF NOT EXISTS <schema.>table (
 *     message_id  VARCHAR(255) PRIMARY KEY | STRING NOT NULL,
 *     received_at TEXT | TIMESTAMP WITH TIME ZONE | STRING,   -- when lac wrote it
 *     event       TEXT | JSONB | STRING)          -- SQLite | PostgreSQL | Databricks
 *
 * The column types and transaction statements are the dialect's
 * (sql/dialect.h: key_column, json_type, log_time_type, begin_write,
 * merge_events, delete_events, ...).  Where the dialect has merge_events
 * (Databricks: no transactions; Snowflake: no savepoints; BigQuery:
 * transactions only in scripts) a page goes in without a transaction: each
 * statement is a MERGE on message_id, which a retry may repeat without
 * duplicates, and an event the warehouse refuses is its own statement.
 * Where it has delete_events (Redshift: no ON CONFLICT, no enforced keys)
 * each INSERT is preceded by a DELETE of the same message_ids in the same
 * transaction, and without savepoints a failed page is written again one
 * transaction per event.
 *
 * A page of events is written in one transaction with multi-row
 * INSERT ... ON CONFLICT (message_id) DO NOTHING, so a resent event (same
 * messageId) is not a duplicate and counts as delivered.  If the page's insert
 * fails, it is rolled back and written again one event per savepoint, so only
 * the events the warehouse refuses are rejected; when none gets in, the
 * warehouse itself is the problem and the page stays pending.
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
	struct strbuf rows;        /* "(message_id, received_at, event), ..." of the next statement */
	struct strbuf ids;         /* "message_id, ..." of those rows (for delete_events) */
	struct strbuf sql, err;
};

/* Does the warehouse have transactions (else each statement stands alone)? */
static bool transactional(const struct wh_priv *wp)
{
	return wp->w.d->begin != NULL && wp->w.d->merge_events == NULL;
}

/* The SQL text after which a statement is sent, under the warehouse's limit. */
static size_t sql_max(const struct wh_priv *wp)
{
	return wp->w.d->event_sql_max ? wp->w.d->event_sql_max : SQL_PER_INSERT;
}

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
	sb_init(&wp->rows);
	sb_init(&wp->ids);
	sb_init(&wp->sql);
	sb_init(&wp->err);
	int rc;
	if (c->wh_type && strcmp(c->wh_type, "postgres") == 0) {
		rc = warehouse_open_postgres(&wp->w, c->wh_dsn, err);
	} else if (c->wh_path) {
		rc = warehouse_open_sqlite(&wp->w, c->wh_path, false, err);
	} else if (c->wh_project) {
		rc = warehouse_open_project(c->wh_project, WH_READ | WH_WRITE, &wp->w, err);
	} else {
		sb_addf(err, "destination '%s' (warehouse): no warehouse to write to", c->name);
		rc = -1;
	}
	if (rc < 0) {
		sb_release(&wp->rows);
		sb_release(&wp->ids);
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
	sb_addf(&sb, "CREATE TABLE IF NOT EXISTS %s (message_id %s, "
		"received_at %s NOT NULL, event %s NOT NULL)", wp->table, dl->key_column,
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
	sb_release(&wp->rows);
	sb_release(&wp->ids);
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
	sb_reset(&wp->rows);
	sb_reset(&wp->ids);
}

static void add_row(struct dest *d, const struct dest_event *e, const char *now, bool first)
{
	struct wh_priv *wp = d->priv;
	const struct dialect *dl = wp->w.d;
	char *json = xstrndup(e->json, e->len);
	if (!first) {
		sb_addch(&wp->rows, ',');
		sb_addch(&wp->ids, ',');
	}
	dl->string_lit(dl, &wp->ids, e->message_id);
	sb_addch(&wp->rows, '(');
	dl->string_lit(dl, &wp->rows, e->message_id);
	sb_addch(&wp->rows, ',');
	dl->string_lit(dl, &wp->rows, now);
	sb_addch(&wp->rows, ',');
	dl->string_lit(dl, &wp->rows, json);
	sb_addch(&wp->rows, ')');
	free(json);
}

static const char *begin_write(const struct wh_priv *wp)
{
	return wp->w.d->begin_write ? wp->w.d->begin_write : wp->w.d->begin;
}

static int end_insert(struct dest *d)
{
	struct wh_priv *wp = d->priv;
	const struct dialect *dl = wp->w.d;
	sb_reset(&wp->sql);
	if (dl->merge_events) {
		dialect_expand(&wp->sql, dl->merge_events, wp->table, NULL, wp->rows.buf);
		return exec(d, wp->sql.buf);
	}
	if (dl->delete_events) {
		/* the rows a resent page wrote go first: no key stops a duplicate */
		dialect_expand(&wp->sql, dl->delete_events, wp->table, NULL, wp->ids.buf);
		if (exec(d, wp->sql.buf) < 0)
			return -1;
		sb_reset(&wp->sql);
	}
	sb_addf(&wp->sql, "INSERT INTO %s (message_id, received_at, event) VALUES %s", wp->table,
		wp->rows.buf);
	if (!dl->delete_events)
		sb_addstr(&wp->sql, " ON CONFLICT (message_id) DO NOTHING");
	return exec(d, wp->sql.buf);
}

/* ROLLBACK after a failed statement, keeping its error (ROLLBACK's would
 * replace it). */
static void rollback_keeping_error(struct dest *d)
{
	struct wh_priv *wp = d->priv;
	char *why = sb_detach(&wp->err);
	sb_init(&wp->err);
	exec(d, wp->w.d->rollback);
	sb_reset(&wp->err);
	sb_addstr(&wp->err, why);
	free(why);
}

/* Every fit event in one transaction (without transactions: statements that
 * may be repeated): 0, -1 (an insert failed; rolled back) or -2 (no
 * transaction could start: the warehouse is busy or gone). */
static int insert_all(struct dest *d, struct dest_event *evs, size_t n, const char *now)
{
	struct wh_priv *wp = d->priv;
	bool tx = transactional(wp);
	if (tx && exec(d, begin_write(wp)) < 0)
		return -2;
	size_t rows = 0;
	for (size_t i = 0; i < n; i++) {
		if (evs[i].outcome == DEST_REJECTED)
			continue;
		if (rows == 0)
			start_insert(d);
		add_row(d, &evs[i], now, rows == 0);
		rows++;
		if (rows == ROWS_PER_INSERT || wp->rows.len >= sql_max(wp)) {
			if (end_insert(d) < 0)
				goto undo;
			rows = 0;
		}
	}
	if (rows && end_insert(d) < 0)
		goto undo;
	if (tx && exec(d, wp->w.d->commit) < 0)
		goto undo;
	return 0;
undo:
	/* without transactions what got in stays: writing it again adds nothing */
	if (tx)
		rollback_keeping_error(d);
	return -1;
}

/* The page's insert failed: one savepoint per event (without savepoints:
 * one transaction per event; without transactions: one statement per
 * event), so that only the events the warehouse refuses fail.  0, or -1
 * when the warehouse took none of them (then it is the warehouse, not the
 * events: all retry). */
static int insert_each(struct dest *d, struct dest_event *evs, size_t n, const char *now)
{
	struct wh_priv *wp = d->priv;
	size_t tried = 0, refused = 0;
	char first_why[200] = "";
	bool page_tx = transactional(wp) && !wp->w.d->no_savepoints;
	bool event_tx = transactional(wp) && wp->w.d->no_savepoints;
	if (page_tx && exec(d, begin_write(wp)) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (evs[i].outcome == DEST_REJECTED)
			continue;
		if (page_tx && exec(d, "SAVEPOINT lac_event") < 0)
			goto broken;
		if (event_tx && exec(d, begin_write(wp)) < 0)
			goto broken;
		start_insert(d);
		add_row(d, &evs[i], now, true);
		tried++;
		if (end_insert(d) < 0) {
			refused++;
			dest_event_set(&evs[i], DEST_REJECTED, "warehouse refused the event: %.180s", wp->err.buf);
			if (!first_why[0])
				snprintf(first_why, sizeof(first_why), "%s", wp->err.buf);
			if (page_tx && exec(d, "ROLLBACK TO SAVEPOINT lac_event") < 0)
				goto broken;
			if (event_tx && exec(d, wp->w.d->rollback) < 0)
				goto broken;
		} else if (event_tx && exec(d, wp->w.d->commit) < 0) {
			goto broken;
		}
		if (page_tx && exec(d, "RELEASE SAVEPOINT lac_event") < 0)
			goto broken;
	}
	if (tried && refused == tried) {
		if (page_tx)
			exec(d, wp->w.d->rollback);
		sb_reset(&wp->err);
		sb_addstr(&wp->err, first_why);
		for (size_t i = 0; i < n; i++)
			if (evs[i].outcome == DEST_REJECTED && str_starts(evs[i].reason, "warehouse refused"))
				evs[i].outcome = DEST_RETRY;
		return -1;
	}
	if (page_tx && exec(d, wp->w.d->commit) < 0)
		goto broken;
	for (size_t i = 0; i < n; i++)
		if (evs[i].outcome != DEST_REJECTED)
			evs[i].outcome = DEST_DELIVERED;
	return 0;
broken:
	/* an event committed on its own before this stays: writing it again
	 * replaces it */
	rollback_keeping_error(d);
	for (size_t i = 0; i < n; i++)
		if (evs[i].outcome == DEST_REJECTED && str_starts(evs[i].reason, "warehouse refused"))
			evs[i].outcome = DEST_RETRY;
	return -1;
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
	int rc = insert_all(d, evs, n, now);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			if (evs[i].outcome != DEST_REJECTED)
				evs[i].outcome = DEST_DELIVERED;
		return 0;
	}
	if (rc == -1) {
		d->requests++;
		if (insert_each(d, evs, n, now) == 0)
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
