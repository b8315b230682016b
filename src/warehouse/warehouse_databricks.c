/*
 * warehouse_databricks.c — Databricks SQL through the Statement Execution
 * API 2.0 (docs/warehouses.md "Databricks").  Each statement is one
 * asynchronous submission (wait_timeout 0s) polled to a final state; a
 * result set comes as EXTERNAL_LINKS + JSON_ARRAY chunks fetched one at a
 * time (without the Authorization header, before they expire), so memory
 * does not grow with the result.  Databricks has no transactions and no
 * idempotency key: a batch is its statements one after another (each one
 * lac sends is idempotent) and a submission that may have reached the server
 * is never sent again; only a 429 or 503 answer, which created no
 * statement, is retried.  The timeout is a client-side cancel.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/time.h"
#include "net/databricks_m2m.h"
#include "net/http.h"
#include "warehouse/error_position.h"
#include "warehouse/warehouse_databricks.h"

#define API_STATEMENTS "/api/2.0/sql/statements"
#define CONNECT_TIMEOUT_MS 10000L
#define API_TIMEOUT_MS 60000L       /* one API call (statements run asynchronously) */
#define LINK_TIMEOUT_MS 600000L     /* one chunk download */
#define API_BODY_MAX (32L << 20)    /* an INLINE answer is at most 25 MiB of data */
#define LINK_BODY_MAX (1024L << 20) /* one chunk; Databricks cuts results far smaller */
#define MAX_RETRIES 5
#define POLL_FIRST_MS 5L            /* the first poll; grows by half up to POLL_MAX_MS */
#define POLL_MAX_MS 1000L
#define SIGNAL_SLICE_MS 100L        /* warehouse.h: a pending signal is seen this soon */
#define LINK_MARGIN_S 10            /* a link this close to its expiration is renewed first */
#define REASON_LEN 512

struct databricks {
	char *base;                 /* the endpoint without a trailing '/' */
	char *warehouse_id, *catalog;
	char *token;                /* token: (PAT), or NULL with m2m */
	struct databricks_m2m *m2m; /* client_id + client_secret */
	char *auth;                 /* "Bearer <token>" of the request being sent */
	struct http_client_config transport; /* timeouts, TLS, secrets: m2m's token requests */
	struct http_client *api;    /* the workspace's REST API */
	struct http_client *links;  /* external links: never an Authorization header */
	struct http_secrets secrets; /* for the vendor's messages lac quotes */
	int64_t timeout_ms;         /* 0: none */
	char tag[3][DATABRICKS_TAG_MAX + 1]; /* lac_command, lac_audience, lac_run ("": unset) */
	char *audience;             /* from set_context, for the statement size error */
	char *stmt_id;              /* the statement running now (for a signal's cancel) */
	volatile sig_atomic_t busy; /* inside a statement: a signal's cancel is ours to finish */
	bool cancelling;            /* sending the cancel: a pending signal waits for it */
	unsigned seed;
};

static const char *const tag_keys[3] = { "lac_command", "lac_audience", "lac_run" };

/* ---- time and signals ------------------------------------------------------------------- */

static void send_cancel(struct databricks *db, const char *id);

/* A SIGINT/SIGTERM the handler left to us (cancel returned true): cancel the
 * running statement, then end the process by the signal. */
static void check_signal(struct databricks *db)
{
	int sig = warehouse_pending_signal();
	if (!sig || db->cancelling)
		return;
	if (db->stmt_id)
		send_cancel(db, db->stmt_id);
	warehouse_exit_by_signal(sig);
}

/* Sleep ms, in slices short enough to answer a signal in time. */
static void nap(struct databricks *db, long ms)
{
	while (ms > 0) {
		check_signal(db);
		long step = ms < SIGNAL_SLICE_MS ? ms : SIGNAL_SLICE_MS;
		struct timespec ts = { step / 1000, (step % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
	check_signal(db);
}

/* ---- requests --------------------------------------------------------------------------- */

/* The vendor's words, redacted (a server may echo what lac sent). */
static void add_redacted(struct databricks *db, struct strbuf *err, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, text);
	http_redact(&db->secrets, &sb, false);
	sb_addstr(err, sb.buf);
	sb_release(&sb);
}

/* "Databricks refused the statement (HTTP 403): PERMISSION_DENIED: ..." */
static void http_error(struct databricks *db, const char *what, const struct http_response *resp,
		       const char *why, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	if (resp->status && databricks_error_text(resp->body.buf, resp->body.len, &text)) {
		sb_addf(err, "Databricks refused %s (HTTP %ld): ", what, resp->status);
		add_redacted(db, err, text.buf);
	} else if (resp->status) {
		sb_addf(err, "Databricks refused %s: %s", what, why);
	} else {
		sb_addf(err, "cannot send %s to Databricks at %s: %s", what, db->base, why);
	}
	sb_release(&text);
}

/* The Authorization header's value for the next API request. */
static int authorize(struct databricks *db, struct strbuf *err)
{
	const char *tok = db->token;
	if (!tok) {
		tok = databricks_m2m_token(db->m2m, &db->transport, time(NULL), err);
		if (!tok)
			return -1;
	}
	if (db->auth) {
		memset(db->auth, 0, strlen(db->auth));
		free(db->auth);
	}
	db->auth = xasprintf("Bearer %s", tok);
	return 0;
}

/* Send req through c; retried with backoff (Retry-After honoured) while the
 * answer is transient — every transient answer when resend, else only a 429
 * or 503, after which the server holds nothing of the request. */
static enum http_class send_req(struct databricks *db, struct http_client *c,
				const struct http_request *req, bool resend,
				struct http_response *resp, char *why)
{
	const struct http_retry_policy *p = &db->transport.retry;
	for (int attempt = 0;; attempt++) {
		check_signal(db);
		enum http_class cls = http_client_send(c, req, resp, why, REASON_LEN);
		bool again = cls == HTTP_RETRY &&
			     (resend || resp->status == 429 || resp->status == 503);
		if (!again || attempt >= p->max_retries)
			return cls;
		nap(db, http_retry_wait_ms(p, attempt, resp->retry_after_ms, &db->seed));
	}
}

/* One API call with the token; its JSON answer in *out. */
static int api_call(struct databricks *db, const char *method, const char *path, const char *body,
		    bool resend, const char *what, json_t **out, struct strbuf *err)
{
	*out = NULL;
	if (authorize(db, err) < 0)
		return -1;
	char *url = xasprintf("%s%s", db->base, path);
	const struct http_header h[] = {
		{ "Authorization", db->auth },
		{ "Content-Type", "application/json" },
	};
	struct http_request req = { method, url, h, body ? 2 : 1, body, body ? strlen(body) : 0 };
	struct http_response resp;
	http_response_init(&resp);
	char why[REASON_LEN];
	enum http_class cls = send_req(db, db->api, &req, resend, &resp, why);
	int rc = -1;
	if (cls != HTTP_OK) {
		http_error(db, what, &resp, why, err);
	} else if (resp.body_cut) {
		sb_addf(err, "Databricks %s: the answer is larger than %ld bytes", what, API_BODY_MAX);
	} else if (!(*out = json_loadb(resp.body.buf, resp.body.len, 0, NULL)) && resp.body.len) {
		sb_addf(err, "Databricks %s: the answer is not JSON", what);
	} else {
		if (!*out)
			*out = json_object(); /* cancel answers with an empty body */
		rc = 0;
	}
	http_response_release(&resp);
	free(url);
	return rc;
}

static void send_cancel(struct databricks *db, const char *id)
{
	/* POST .../cancel (docs: "Cancel statement"): empty answer; the
	 * statement may still finish if it wins the race, which lac's
	 * idempotent statements allow */
	char *path = xasprintf(API_STATEMENTS "/%s/cancel", id);
	json_t *ans;
	struct strbuf ignored = STRBUF_INIT;
	db->cancelling = true;
	if (api_call(db, "POST", path, "{}", true, "the cancel request", &ans, &ignored) == 0)
		json_decref(ans);
	db->cancelling = false;
	sb_release(&ignored);
	free(path);
}

/* ---- a statement ------------------------------------------------------------------------ */

/* The POST body; NULL when sql is not UTF-8 (JSON cannot carry it). */
static char *submission(const struct databricks *db, const char *sql, bool links)
{
	json_t *text_sql = json_string(sql);
	if (!text_sql)
		return NULL;
	json_t *b = json_object();
	json_object_set_new(b, "warehouse_id", json_string(db->warehouse_id));
	json_object_set_new(b, "statement", text_sql);
	/* asynchronous: the POST answers at once, and lac polls, so a signal
	 * or the timeout is acted on within SIGNAL_SLICE_MS */
	json_object_set_new(b, "wait_timeout", json_string("0s"));
	json_object_set_new(b, "on_wait_timeout", json_string("CONTINUE"));
	json_object_set_new(b, "disposition", json_string(links ? "EXTERNAL_LINKS" : "INLINE"));
	json_object_set_new(b, "format", json_string("JSON_ARRAY"));
	if (db->catalog)
		json_object_set_new(b, "catalog", json_string(db->catalog));
	json_t *tags = json_array();
	for (size_t i = 0; i < 3; i++)
		if (db->tag[i][0])
			json_array_append_new(tags, json_pack("{s:s,s:s}", "key", tag_keys[i],
							      "value", db->tag[i]));
	if (json_array_size(tags))
		json_object_set_new(b, "query_tags", tags);
	else
		json_decref(tags);
	char *text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return text;
}

static const char *state_of(json_t *st)
{
	const char *s = json_string_value(json_object_get(json_object_get(st, "status"), "state"));
	return s ? s : "";
}

static bool is_final(const char *state)
{
	return strcmp(state, "PENDING") != 0 && strcmp(state, "RUNNING") != 0;
}

/* Poll the statement until it reaches a final state (*st holds the last
 * answer); the timeout cancels it. */
static int wait_final(struct databricks *db, const char *id, int64_t started, json_t **st,
		      struct strbuf *err)
{
	char *path = xasprintf(API_STATEMENTS "/%s", id);
	long pause = POLL_FIRST_MS;
	int rc = 0;
	while (!is_final(state_of(*st))) {
		int64_t left = db->timeout_ms ? started + db->timeout_ms - time_mono_ms() : POLL_MAX_MS;
		if (left <= 0) {
			send_cancel(db, id);
			sb_addf(err, "the statement did not finish within the warehouse timeout (%lld ms) "
				"and was cancelled", (long long)db->timeout_ms);
			rc = -1;
			break;
		}
		nap(db, pause < left ? pause : (long)left);
		if (pause < POLL_MAX_MS)
			pause += pause / 2 + 1;
		json_t *next;
		if (api_call(db, "GET", path, NULL, true, "the statement status request", &next, err) < 0) {
			rc = -1;
			break;
		}
		json_decref(*st);
		*st = next;
	}
	free(path);
	return rc;
}

/* A final state other than SUCCEEDED as one sentence. */
static int failed(struct databricks *db, json_t *st, struct strbuf *err)
{
	const char *state = state_of(st);
	json_t *e = json_object_get(json_object_get(st, "status"), "error");
	if (strcmp(state, "CANCELED") == 0) {
		sb_addstr(err, "Databricks cancelled the statement");
		return -1;
	}
	struct strbuf msg = STRBUF_INIT;
	if (databricks_error_of(e, &msg))
		add_redacted(db, err, msg.buf);
	else
		sb_addf(err, "the Databricks statement ended in state %s", *state ? state : "(none)");
	sb_release(&msg);
	return -1;
}

/* GET one external link (no Authorization: the URL carries its own
 * credential; the link's http_headers are sent) and decode its rows. */
static int fetch_link(struct databricks *db, json_t *link, int ncol, wh_row_fn row, void *arg,
		      bool *stop, bool *refused, struct strbuf *err)
{
	*refused = false;
	const char *url = json_string_value(json_object_get(link, "external_link"));
	if (!url) {
		sb_addstr(err, "a Databricks result link has no external_link");
		return -1;
	}
	json_t *hh = json_object_get(link, "http_headers");
	size_t nh = json_object_size(hh), k = 0;
	struct http_header *h = xcalloc(nh + 1, sizeof(*h));
	const char *key;
	json_t *v;
	json_object_foreach(hh, key, v)
		if (json_is_string(v))
			h[k++] = (struct http_header){ key, json_string_value(v) };
	struct http_request req = { "GET", url, h, k, NULL, 0 };
	struct http_response resp;
	http_response_init(&resp);
	char why[REASON_LEN];
	enum http_class cls = send_req(db, db->links, &req, true, &resp, why);
	int rc = -1;
	if (cls != HTTP_OK) {
		/* the URL is a credential: only the client's redacted reason */
		sb_addf(err, "cannot download a Databricks result chunk: %s", why);
		*refused = cls == HTTP_FINAL;
	}
	else if (resp.body_cut)
		sb_addf(err, "a Databricks result chunk is larger than %ld bytes", LINK_BODY_MAX);
	else
		rc = databricks_decode_rows(resp.body.buf, resp.body.len, ncol, row, arg, stop, err);
	http_response_release(&resp);
	free(h);
	return rc;
}

/* Has this link expired, or is it about to? */
static bool link_stale(json_t *link)
{
	const char *exp = json_string_value(json_object_get(link, "expiration"));
	struct time_value tv;
	if (!exp || time_parse(exp, TIME_ALLOW_FRACTION | TIME_ALLOW_OFFSET, &tv) < 0)
		return false;
	return (int64_t)time(NULL) + LINK_MARGIN_S >= tv.secs;
}

/* A new link to link's chunk (GET .../result/chunks/{n}; docs: links
 * expire in <= 15 min): *fresh holds the answer it points into, NULL on
 * failure (with why in err). */
static json_t *renew_link(struct databricks *db, const char *id, json_t *link, json_t **fresh,
			  struct strbuf *err)
{
	json_int_t n = json_integer_value(json_object_get(link, "chunk_index"));
	char *path = xasprintf(API_STATEMENTS "/%s/result/chunks/%lld", id, (long long)n);
	int rc = api_call(db, "GET", path, NULL, true, "the result chunk request", fresh, err);
	free(path);
	json_t *renewed = rc == 0 ? json_array_get(json_object_get(*fresh, "external_links"), 0) : NULL;
	if (rc == 0 && !renewed)
		sb_addstr(err, "Databricks answered the result chunk request without a link");
	return renewed;
}

/* The caller's row callback, counting the rows it was handed. */
struct counted {
	wh_row_fn row;
	void *arg;
	json_int_t n;
};

static int count_row(void *arg, int ncol, const char *const *vals)
{
	struct counted *c = arg;
	c->n++;
	return c->row(c->arg, ncol, vals);
}

/* Every row of a SUCCEEDED statement, chunk by chunk: the links of the
 * first chunk come with the status (else GET .../result/chunks/0), each
 * next one by its next_chunk_internal_link (an INLINE result: its
 * data_array); as many rows as the manifest announces. */
static int read_rows(struct databricks *db, const char *id, json_t *st, wh_row_fn user_row,
		     void *user_arg, struct strbuf *err)
{
	json_t *manifest = json_object_get(st, "manifest");
	json_t *cc = json_object_get(json_object_get(manifest, "schema"), "column_count");
	int ncol = json_is_integer(cc) ? (int)json_integer_value(cc) : -1;
	json_t *total = json_object_get(manifest, "total_row_count");
	struct counted counted = { user_row, user_arg, 0 };
	wh_row_fn row = count_row;
	void *arg = &counted;
	json_t *result = json_incref(json_object_get(st, "result"));
	bool stop = false;
	int rc = 0;
	if (!result && json_integer_value(json_object_get(manifest, "total_chunk_count")) > 0) {
		char *path = xasprintf(API_STATEMENTS "/%s/result/chunks/0", id);
		rc = api_call(db, "GET", path, NULL, true, "the result chunk request", &result, err);
		free(path);
	}
	while (result && rc == 0 && !stop) {
		json_t *links = json_object_get(result, "external_links");
		json_t *data = json_object_get(result, "data_array");
		/* INLINE: the result's own; EXTERNAL_LINKS: the last link's */
		const char *next = json_string_value(json_object_get(result, "next_chunk_internal_link"));
		if (data) {
			char *text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
			rc = databricks_decode_rows(text, strlen(text), ncol, row, arg, &stop, err);
			free(text);
		}
		for (size_t i = 0; rc == 0 && !stop && i < json_array_size(links); i++) {
			json_t *link = json_array_get(links, i);
			json_t *fresh = NULL;
			if (link_stale(link) && !(link = renew_link(db, id, link, &fresh, err)))
				rc = -1;
			bool refused = false;
			size_t keep = err->len;
			if (rc == 0)
				rc = fetch_link(db, link, ncol, row, arg, &stop, &refused, err);
			if (rc < 0 && refused && !fresh) {
				/* expired before lac saw it (clocks differ): once more, renewed */
				sb_setlen(err, keep);
				link = renew_link(db, id, link, &fresh, err);
				rc = link ? fetch_link(db, link, ncol, row, arg, &stop, &refused, err) : -1;
			}
			if (rc == 0)
				next = json_string_value(json_object_get(link, "next_chunk_internal_link"));
			if (fresh) {
				/* next may point into fresh: keep it alive with result */
				json_object_set_new(result, "lac_fresh", fresh);
			}
		}
		if (rc < 0 || stop || !next)
			break;
		check_signal(db);
		json_t *nres;
		if (api_call(db, "GET", next, NULL, true, "the result chunk request", &nres, err) < 0) {
			rc = -1;
			break;
		}
		json_decref(result);
		result = nres;
	}
	json_decref(result);
	if (rc == 0 && !stop && json_is_integer(total) && counted.n != json_integer_value(total)) {
		sb_addf(err, "Databricks sent %lld rows of the %lld its result manifest announces",
			(long long)counted.n, (long long)json_integer_value(total));
		rc = -1;
	}
	return rc;
}

/* Run sql to its end; with row, its result set in links (EXTERNAL_LINKS)
 * or inline (small control queries only: INLINE fails above 25 MiB). */
static int run_statement(struct databricks *db, const char *sql, bool links, wh_row_fn row,
			 void *arg, struct strbuf *err)
{
	if (databricks_check_size(strlen(sql), db->audience, err) < 0)
		return -1;
	char *body = submission(db, sql, links);
	if (!body) {
		sb_addstr(err, "a statement lac generated is not valid UTF-8: Databricks takes JSON");
		return -1;
	}
	db->busy = 1;
	json_t *st = NULL;
	int rc = api_call(db, "POST", API_STATEMENTS, body, false, "the statement", &st, err);
	free(body);
	/* the timeout bounds the statement, not the wait for its submission */
	int64_t started = time_mono_ms();
	const char *id = rc == 0 ? json_string_value(json_object_get(st, "statement_id")) : NULL;
	if (rc == 0 && !id) {
		sb_addstr(err, "Databricks answered the statement without a statement_id");
		rc = -1;
	}
	if (rc == 0) {
		db->stmt_id = xstrdup(id);
		check_signal(db);
		rc = wait_final(db, db->stmt_id, started, &st, err);
	}
	if (rc == 0 && strcmp(state_of(st), "SUCCEEDED") != 0)
		rc = failed(db, st, err);
	if (rc == 0 && row)
		rc = read_rows(db, db->stmt_id, st, row, arg, err);
	json_decref(st);
	free(db->stmt_id);
	db->stmt_id = NULL;
	db->busy = 0;
	return rc;
}

/* ---- warehouse_ops ------------------------------------------------------------------------- */

static int dbx_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		     struct strbuf *err)
{
	size_t from = err->len;
	int rc = run_statement(w->impl, sql, row != NULL, row, arg, err);
	long line, col;
	bool at = rc != 0 && wh_databricks_error_at(err->buf + from, &line, &col);
	warehouse_note_error_position(w, sql, at ? wh_line_col_position(sql, line, col) : 0);
	return rc;
}

static int dbx_exec_batch(struct warehouse *w, const char *const *stmts, size_t n,
			  bool transactional, struct strbuf *err)
{
	/* no transactions: one statement after another (the dialect has no begin) */
	return warehouse_batch_by_query(w, stmts, n, transactional, err);
}

/* information_schema is per catalog; lac's names are lower case as
 * Databricks keeps them. */
static int dbx_tables_exist(struct warehouse *w, const char *schema, const char *const *tables,
			    size_t n, bool *found, struct strbuf *err)
{
	struct databricks *db = w->impl;
	struct strbuf sql = STRBUF_INIT;
	sb_addstr(&sql, "SELECT table_name FROM ");
	if (db->catalog) {
		w->d->quote_ident(w->d, &sql, db->catalog);
		sb_addch(&sql, '.');
	}
	sb_addstr(&sql, "information_schema.tables WHERE table_schema = ");
	w->d->string_lit(w->d, &sql, schema);
	sb_addstr(&sql, " AND table_name IN (");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addstr(&sql, ", ");
		w->d->string_lit(w->d, &sql, tables[i]);
	}
	sb_addch(&sql, ')');
	memset(found, 0, n * sizeof(*found));
	struct warehouse_found f = { tables, n, found };
	int rc = run_statement(db, sql.buf, false, warehouse_found_row, &f, err);
	sb_release(&sql);
	return rc < 0 ? -1 : 0;
}

/* DESCRIBE DETAIL's columns (Delta's documented order): lastModified is the 7th. */
#define DETAIL_LAST_MODIFIED 6

static int last_modified_row(void *arg, int ncol, const char *const *vals)
{
	char **v = arg;
	if (ncol > DETAIL_LAST_MODIFIED && vals[DETAIL_LAST_MODIFIED] && !*v)
		*v = xstrdup(vals[DETAIL_LAST_MODIFIED]);
	return 0;
}

/* Delta's DESCRIBE DETAIL lastModified (the table's last commit): metadata
 * from the transaction log, no data read. */
static int dbx_last_altered_one(struct warehouse *w, const char *table, int64_t *epoch_ms,
				struct strbuf *err)
{
	char *catalog, *schema, *name;
	if (warehouse_table_parts(table, &catalog, &schema, &name) < 0)
		return 1;
	struct strbuf sql = STRBUF_INIT;
	sb_addstr(&sql, "DESCRIBE DETAIL ");
	if (catalog) {
		w->d->quote_ident(w->d, &sql, catalog);
		sb_addch(&sql, '.');
	}
	w->d->quote_ident(w->d, &sql, schema);
	sb_addch(&sql, '.');
	w->d->quote_ident(w->d, &sql, name);
	char *value = NULL;
	int rc = run_statement(w->impl, sql.buf, false, last_modified_row, &value, err);
	struct time_value tv;
	if (rc != 0)
		rc = -1;
	else if (!value || time_parse(value, TIME_USER_TIMESTAMP, &tv) < 0)
		rc = 1; /* not said: cannot tell */
	else {
		int64_t ms = tv.secs * 1000;
		for (size_t i = 0, unit = 100; i < tv.nfrac && i < 3; i++, unit /= 10)
			ms += (tv.frac[i] - '0') * (int64_t)unit;
		*epoch_ms = ms;
	}
	free(value);
	sb_release(&sql);
	free(catalog);
	free(schema);
	free(name);
	return rc;
}

/* One request a table: no batch form (tables.get / DESCRIBE DETAIL). */
static int dbx_last_altered(struct warehouse *w, const char *const *tables, size_t n,
			   int64_t *epoch_ms, struct strbuf *err)
{
	return warehouse_last_altered_each(w, tables, n, epoch_ms, err, dbx_last_altered_one);
}

static int dbx_set_timeout(struct warehouse *w, int64_t ms, struct strbuf *err)
{
	(void)err;
	((struct databricks *)w->impl)->timeout_ms = ms;
	return 0;
}

static int dbx_set_context(struct warehouse *w, const char *command, const char *audience,
			   const char *run_id, struct strbuf *err)
{
	(void)err;
	struct databricks *db = w->impl;
	const char *v[3] = { command, audience, run_id };
	for (size_t i = 0; i < 3; i++)
		databricks_tag_value(v[i] ? v[i] : "", db->tag[i]);
	free(db->audience);
	db->audience = audience ? xstrdup(audience) : NULL;
	return 0;
}

/* From a signal handler: a statement in flight is cancelled by run_statement's
 * wait loop (check_signal), which cannot be done from here. */
static bool dbx_cancel(struct warehouse *w)
{
	return ((struct databricks *)w->impl)->busy != 0;
}

static void dbx_close(struct warehouse *w)
{
	struct databricks *db = w->impl;
	http_client_close(db->api);
	http_client_close(db->links);
	http_secrets_release(&db->secrets);
	databricks_m2m_free(db->m2m);
	if (db->auth) {
		memset(db->auth, 0, strlen(db->auth));
		free(db->auth);
	}
	free(db->base);
	free(db->warehouse_id);
	free(db->catalog);
	if (db->token) {
		memset(db->token, 0, strlen(db->token));
		free(db->token);
	}
	free(db->audience);
	free(db);
}

static const struct warehouse_ops databricks_ops = {
	.name = "databricks",
	.query = dbx_query,
	.exec_batch = dbx_exec_batch,
	.tables_exist = dbx_tables_exist,
	.set_timeout = dbx_set_timeout,
	.set_context = dbx_set_context,
	.cancel = dbx_cancel,
	.close = dbx_close,
	.last_altered = dbx_last_altered,
};

/* ---- open -------------------------------------------------------------------------------- */

int warehouse_open_databricks(struct project *p, unsigned access, struct warehouse *w,
			      struct strbuf *err)
{
	(void)access;
	memset(w, 0, sizeof(*w));
	bool unset = false;
	const char *endpoint = warehouse_setting(p, "endpoint", &unset);
	const char *wid = warehouse_setting(p, "warehouse_id", &unset);
	const char *token = warehouse_setting(p, "token", &unset);
	const char *cid = warehouse_setting(p, "client_id", &unset);
	const char *secret = warehouse_setting(p, "client_secret", &unset);
	const char *catalog = warehouse_setting(p, "catalog", &unset);
	if (unset) {
		setting_unset_error(p, "a Databricks setting", err);
		return -1;
	}
	if (!endpoint || !*endpoint || !wid || !*wid) {
		sb_addstr(err, "the databricks warehouse needs 'endpoint' and 'warehouse_id' settings "
			  "in lac.yaml");
		return -1;
	}
	if (token ? !*token : !(cid && *cid && secret && *secret)) {
		sb_addstr(err, "the databricks warehouse needs a token, or a client_id and "
			  "client_secret (is its environment variable set in this job?)");
		return -1;
	}
	struct databricks *db = xcalloc(1, sizeof(*db));
	size_t n = strlen(endpoint);
	while (n > 0 && endpoint[n - 1] == '/')
		n--;
	db->base = xstrndup(endpoint, n);
	db->warehouse_id = xstrdup(wid);
	db->catalog = catalog && *catalog ? xstrdup(catalog) : NULL;
	db->seed = (unsigned)time(NULL);
	db->secrets.more = project_all_secrets;
	if (token) {
		db->token = xstrdup(token);
		http_secrets_add(&db->secrets, token, HTTP_SECRET_MIN);
	} else {
		db->m2m = databricks_m2m_new(db->base, cid, secret);
	}
	db->transport = (struct http_client_config){
		.connect_timeout_ms = CONNECT_TIMEOUT_MS,
		.timeout_ms = API_TIMEOUT_MS,
		.body_max = API_BODY_MAX,
		/* send_req retries; the token endpoint's client uses it as is */
		.retry = { MAX_RETRIES, 200, 5000, 30000 },
		.more_secrets = project_all_secrets,
		/* tls: {ca_file}, the warehouse's or the top one: the API, the
		 * OAuth token endpoint and the result links alike */
		.ca_file = project_ca_file(p, NULL),
	};
	struct http_client_config api = db->transport, links = db->transport;
	api.retry.max_retries = 0;
	links.retry.max_retries = 0;
	links.timeout_ms = LINK_TIMEOUT_MS;
	links.body_max = LINK_BODY_MAX;
	if (http_client_open(&api, &db->api, err) < 0 ||
	    http_client_open(&links, &db->links, err) < 0) {
		w->impl = db;
		dbx_close(w);
		w->impl = NULL;
		return -1;
	}
	w->ops = &databricks_ops;
	w->d = &dialect_databricks;
	w->impl = db;
	return 0;
}
