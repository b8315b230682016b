/*
 * warehouse_snowflake.c — Snowflake through its SQL API v2 over HTTPS
 * (docs/warehouses.md "Snowflake"; SPEC §1.1).  A statement is submitted
 * asynchronously with a requestId (a resubmission keeps it and adds
 * retry=true, so Snowflake never runs it twice), polled while the API
 * answers 202, and its rows read partition by partition (gzip decoded by
 * libcurl), so memory follows one partition.  Every request carries the
 * session: role, warehouse, database, schema, TIMEZONE=UTC, QUERY_TAG and
 * the statement timeout.  A transactional batch is one multi-statement
 * request in BEGIN … COMMIT.  Auth: a key-pair JWT (net/snowflake_jwt.h)
 * or an OAuth token.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "base/time.h"
#include "net/http.h"
#include "net/rsa_key.h"
#include "net/snowflake_jwt.h"
#include "warehouse/error_position.h"
#include "warehouse/snowflake_result.h"
#include "warehouse/warehouse.h"

#define SF_BODY_MAX (512u << 20)  /* the largest partition body kept (decoded) */
#define SF_POLL_FIRST_MS 25       /* the shortest wait for a running statement, */
#define SF_POLL_MAX_MS 1000       /* the longest */
#define SF_SLICE_MS 50            /* a wait checks for SIGINT/SIGTERM this often */
#define SF_REQUEST_TIMEOUT_MS 120000L
#define SF_CONNECT_TIMEOUT_MS 15000L

struct snowflake {
	struct http_client *http;
	char *base;                 /* the endpoint, without a trailing '/' */
	struct snowflake_jwt *jwt;  /* key-pair auth, or NULL */
	const char *oauth;          /* the token setting's value, or NULL */
	const char *role, *warehouse, *database, *schema; /* the project's arena */
	char *tag;                  /* QUERY_TAG */
	int64_t timeout_ms;
	struct http_retry_policy retry;
	unsigned seed;
	struct http_secrets secrets; /* for messages built here from a server's body */
	volatile sig_atomic_t busy;  /* a statement is submitted or running */
};

/* ---- one request ----------------------------------------------------------------- */

/* A message built from what the server said, with every secret lac knows
 * taken out (the server may echo a token). */
static void redact(struct snowflake *sf, struct strbuf *err, size_t from)
{
	struct strbuf part = STRBUF_INIT;
	sb_addstr(&part, err->buf + from);
	http_redact(&sf->secrets, &part, false);
	sb_setlen(err, from);
	sb_addstr(err, part.buf);
	sb_release(&part);
}

/* The two auth headers of a request: the JWT (signed anew when the last
 * one is about to expire) or the OAuth token, and its type; release with
 * drop_auth.  0, or -1 with the reason in err. */
static int auth_headers(struct snowflake *sf, struct http_header h[2], struct strbuf *err)
{
	const char *token = sf->oauth, *kind = SNOWFLAKE_TOKEN_TYPE_OAUTH;
	if (sf->jwt) {
		struct strbuf jerr = STRBUF_INIT;
		token = snowflake_jwt_token(sf->jwt, time(NULL), &jerr);
		if (!token)
			sb_addf(err, "cannot sign the Snowflake key-pair token: %s", jerr.buf);
		sb_release(&jerr);
		if (!token)
			return -1;
		kind = SNOWFLAKE_TOKEN_TYPE_KEYPAIR;
	}
	char *v = xasprintf("Bearer %s", token);
	http_secrets_add_header_value(&sf->secrets, v);
	h[0] = (struct http_header){ "Authorization", v };
	h[1] = (struct http_header){ SNOWFLAKE_TOKEN_TYPE_HEADER, kind };
	return 0;
}

static void drop_auth(struct http_header h[2])
{
	char *v = (char *)h[0].value;
	memset(v, 0, strlen(v));
	free(v);
}

/* ---- waiting -------------------------------------------------------------------- */

/* End the process for a deferred SIGINT/SIGTERM, cancelling handle first
 * (warehouse.h: the connector finishes the cancel). */
static void cancel_if_signalled(struct snowflake *sf, const char *handle)
{
	int sig = warehouse_pending_signal();
	if (!sig)
		return;
	if (handle) {
		char *url = xasprintf("%s/api/v2/statements/%s/cancel", sf->base, handle);
		struct http_header h[2];
		struct strbuf ignored = STRBUF_INIT;
		if (auth_headers(sf, h, &ignored) == 0) {
			/* one try: lac is ending, and a statement it cannot cancel ends at its timeout */
			struct http_request req = { .method = "POST", .url = url, .headers = h,
						    .nheaders = 2, .body = "{}", .len = 2 };
			struct http_response resp;
			char why[64];
			http_response_init(&resp);
			http_client_send(sf->http, &req, &resp, why, sizeof(why));
			http_response_release(&resp);
			drop_auth(h);
		}
		sb_release(&ignored);
		free(url);
	}
	warehouse_exit_by_signal(sig);
}

/* Sleep ms in slices, ending the process (after the cancel) on a signal. */
static void wait_ms(struct snowflake *sf, long ms, const char *handle)
{
	while (ms > 0) {
		cancel_if_signalled(sf, handle);
		long step = ms < SF_SLICE_MS ? ms : SF_SLICE_MS;
		struct timespec ts = { 0, step * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
	cancel_if_signalled(sf, handle);
}

/* The wait before the next poll of a statement submitted ran_ms ago: a
 * quarter of that, so a statement that has finished is seen at most a
 * quarter of its time late (doubling waits could make a short statement
 * take nearly twice as long), within SF_POLL_FIRST_MS..SF_POLL_MAX_MS. */
static long poll_wait_ms(int64_t ran_ms)
{
	int64_t ms = ran_ms / 4;
	return ms < SF_POLL_FIRST_MS ? SF_POLL_FIRST_MS : ms > SF_POLL_MAX_MS ? SF_POLL_MAX_MS : (long)ms;
}

/* Send a request with the auth headers, retrying transport failures, 429
 * and 5xx (but not 408: Snowflake cancelled the statement) by the retry
 * policy.  retry_url (may be NULL) replaces url after the first try.
 * Returns the last response's status (0: none) with why filled, or -1
 * with the reason in err when no request could be made. */
static long send_request(struct snowflake *sf, const char *method, const char *url,
			 const char *retry_url, const char *body, const char *handle,
			 struct http_response *resp, char *why, size_t whylen, struct strbuf *err)
{
	struct http_header h[2];
	if (auth_headers(sf, h, err) < 0)
		return -1;
	struct http_request req = { .method = method, .url = url, .headers = h, .nheaders = 2,
				    .body = body, .len = body ? strlen(body) : 0 };
	for (int attempt = 0;; attempt++) {
		enum http_class cls = http_client_send(sf->http, &req, resp, why, whylen);
		if (cls != HTTP_RETRY || resp->status == 408 || attempt >= sf->retry.max_retries)
			break;
		wait_ms(sf, http_retry_wait_ms(&sf->retry, attempt, resp->retry_after_ms, &sf->seed),
			handle);
		if (retry_url)
			req.url = retry_url;
	}
	drop_auth(h);
	return resp->status;
}

/* The message of a failed request: Snowflake's own words when its body has
 * them, else the HTTP client's reason. */
static void request_error(struct snowflake *sf, const struct http_response *resp,
			  const char *why, struct strbuf *err)
{
	size_t from = err->len;
	if (resp->status == 0) {
		sb_addf(err, "cannot reach Snowflake at %s: %s", sf->base, why);
	} else if (resp->status == 401 || resp->status == 403) {
		sb_addf(err, "Snowflake refused lac's credentials (HTTP %ld): ", resp->status);
		if (!sf_error_text(resp->body.buf, resp->body.len, err))
			sb_addstr(err, why);
	} else if (resp->status == 408) {
		sb_addf(err, "the statement ran past the warehouse timeout (%lld ms) and Snowflake "
			"cancelled it", (long long)sf->timeout_ms);
	} else if (sf_error_text(resp->body.buf, resp->body.len, err)) {
		if (resp->status != 422) {
			/* the status says what kind of refusal it was */
			struct strbuf lead = STRBUF_INIT;
			sb_addf(&lead, "Snowflake answered HTTP %ld: ", resp->status);
			sb_addstr(&lead, err->buf + from);
			sb_setlen(err, from);
			sb_addstr(err, lead.buf);
			sb_release(&lead);
		}
	} else {
		sb_addf(err, "Snowflake request failed: %s", why);
	}
	redact(sf, err, from);
}

/* ---- statements ------------------------------------------------------------------- */

static char *request_id(void)
{
	unsigned char b[16];
	if (RAND_bytes(b, (int)sizeof(b)) != 1) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 1 */
	return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
			 b[12], b[13], b[14], b[15]);
}

static void set_if(json_t *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(o, key, json_string(v));
}

/* The request body: the statement (nstmts of them when > 1) and the session. */
static char *statement_body(const struct snowflake *sf, const char *sql, size_t nstmts)
{
	json_t *b = json_object();
	json_object_set_new(b, "statement", json_string(sql));
	if (sf->timeout_ms > 0)
		json_object_set_new(b, "timeout", json_integer((json_int_t)((sf->timeout_ms + 999) / 1000)));
	set_if(b, "role", sf->role);
	set_if(b, "warehouse", sf->warehouse);
	set_if(b, "database", sf->database);
	set_if(b, "schema", sf->schema);
	json_t *params = json_object();
	/* read-back formats render TIMESTAMP_LTZ in the session zone */
	json_object_set_new(params, "TIMEZONE", json_string("UTC"));
	set_if(params, "QUERY_TAG", sf->tag);
	if (nstmts > 1) {
		char n[32];
		snprintf(n, sizeof(n), "%zu", nstmts);
		json_object_set_new(params, "MULTI_STATEMENT_COUNT", json_string(n));
	}
	json_object_set_new(b, "parameters", params);
	json_object_set_new(b, "resultSetMetaData", json_pack("{s:s}", "format", "jsonv2"));
	char *text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return text;
}

/* The rows of partitions 1.. of handle's result (partition 0 came with the status). */
static int later_partitions(struct snowflake *sf, const char *handle, size_t n, wh_row_fn row,
			    void *arg, struct strbuf *err)
{
	int rc = 0;
	for (size_t i = 1; i < n && rc == 0; i++) {
		char *url = xasprintf("%s/api/v2/statements/%s?partition=%zu", sf->base, handle, i);
		struct http_response resp;
		char why[512];
		http_response_init(&resp);
		long status = send_request(sf, "GET", url, NULL, NULL, handle, &resp, why, sizeof(why), err);
		if (status < 0) {
			rc = -1;
		} else if (status != 200) {
			request_error(sf, &resp, why, err);
			rc = -1;
		} else if (resp.body_cut) {
			sb_addf(err, "a Snowflake result partition is larger than lac reads (%u bytes)",
				SF_BODY_MAX);
			rc = -1;
		} else {
			rc = sf_decode_rows(resp.body.buf, resp.body.len, row, arg, NULL, err);
		}
		http_response_release(&resp);
		free(url);
	}
	return rc < 0 ? -1 : 0;
}

/* Submit sql (nstmts statements), wait for it, hand its rows to row (may
 * be NULL).  0, or -1 with the message in err. */
static int run_statement(struct snowflake *sf, const char *sql, size_t nstmts, wh_row_fn row,
			 void *arg, struct strbuf *err)
{
	char *id = request_id();
	char *url = xasprintf("%s/api/v2/statements?requestId=%s&async=true", sf->base, id);
	char *retry_url = xasprintf("%s&retry=true", url);
	char *body = statement_body(sf, sql, nstmts);
	struct http_response resp;
	struct sf_body_info info = { 0 };
	char why[512];
	int rc = -1;
	http_response_init(&resp);
	sf->busy = 1;
	int64_t submitted = time_mono_ms();
	long status = send_request(sf, "POST", url, retry_url, body, NULL, &resp, why, sizeof(why), err);
	while (status == 202) {
		/* running: poll its status URL until it answers otherwise */
		struct strbuf ignored = STRBUF_INIT;
		sf_decode_rows(resp.body.buf, resp.body.len, NULL, NULL, &info, &ignored);
		sb_release(&ignored);
		cancel_if_signalled(sf, info.handle);
		if (!info.handle) {
			sb_addstr(err, "Snowflake answered 202 without a statement handle");
			goto out;
		}
		wait_ms(sf, poll_wait_ms(time_mono_ms() - submitted), info.handle);
		free(url);
		url = xasprintf("%s/api/v2/statements/%s", sf->base, info.handle);
		status = send_request(sf, "GET", url, NULL, NULL, info.handle, &resp, why, sizeof(why), err);
	}
	cancel_if_signalled(sf, NULL); /* what ran has finished: nothing left to cancel */
	if (status < 0)
		goto out;
	if (status != 200) {
		request_error(sf, &resp, why, err);
		goto out;
	}
	if (resp.body_cut) {
		sb_addf(err, "a Snowflake result partition is larger than lac reads (%u bytes)", SF_BODY_MAX);
		goto out;
	}
	rc = sf_decode_rows(resp.body.buf, resp.body.len, row, arg, &info, err);
	if (rc == 0 && row && info.handle)
		rc = later_partitions(sf, info.handle, info.partitions, row, arg, err);
	rc = rc < 0 ? -1 : 0;
out:
	sf->busy = 0;
	sf_body_info_release(&info);
	http_response_release(&resp);
	free(body);
	free(retry_url);
	free(url);
	free(id);
	return rc;
}

static int sf_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		    struct strbuf *err)
{
	size_t from = err->len;
	int rc = run_statement(w->impl, sql, 1, row, arg, err);
	long line, col;
	bool at = rc != 0 && wh_snowflake_error_at(err->buf + from, &line, &col);
	warehouse_note_error_position(w, sql, at ? wh_line_col_position(sql, line, col) : 0);
	return rc;
}

/* A statement without the ';' and blanks that may end it. */
static void add_statement(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ';' || s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
		n--;
	sb_addmem(sb, s, n);
	sb_addstr(sb, ";\n");
}

/* Transactional: one multi-statement request BEGIN; …; COMMIT (Snowflake
 * rolls back a transaction its request leaves open after a failure).  Else
 * one request per statement, stopping at the first failure. */
static int sf_exec_batch(struct warehouse *w, const char *const *stmts, size_t n,
			 bool transactional, struct strbuf *err)
{
	if (!transactional || n == 0)
		return warehouse_batch_by_query(w, stmts, n, false, err);
	struct strbuf sb = STRBUF_INIT;
	add_statement(&sb, w->d->begin);
	for (size_t i = 0; i < n; i++)
		add_statement(&sb, stmts[i]);
	add_statement(&sb, w->d->commit);
	int rc = run_statement(w->impl, sb.buf, n + 2, NULL, NULL, err);
	sb_release(&sb);
	return rc;
}

/* How Snowflake stores a name lac writes: a plain one (unquoted, or quoted
 * only because it is reserved) upper-cased, any other as written. */
static void stored_name(struct strbuf *sb, const char *name)
{
	bool plain = dialect_is_plain_ident(name);
	for (const char *s = name; *s; s++)
		sb_addch(sb, plain && *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s);
}

/* One statement for them all (each one a round trip of the SQL API). */
static int sf_tables_exist(struct warehouse *w, const char *schema, const char *const *tables,
			   size_t n, bool *found, struct strbuf *err)
{
	struct strbuf s = STRBUF_INIT, sql = STRBUF_INIT;
	char **stored = xcalloc(n, sizeof(*stored));
	stored_name(&s, schema);
	sb_addstr(&sql, "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ");
	w->d->string_lit(w->d, &sql, s.buf);
	sb_addstr(&sql, " AND TABLE_NAME IN (");
	for (size_t i = 0; i < n; i++) {
		struct strbuf t = STRBUF_INIT;
		stored_name(&t, tables[i]);
		stored[i] = sb_detach(&t);
		if (i)
			sb_addstr(&sql, ", ");
		w->d->string_lit(w->d, &sql, stored[i]);
	}
	sb_addch(&sql, ')');
	memset(found, 0, n * sizeof(*found));
	struct warehouse_found f = { (const char *const *)stored, n, found };
	int rc = run_statement(w->impl, sql.buf, 1, warehouse_found_row, &f, err);
	for (size_t i = 0; i < n; i++)
		free(stored[i]);
	free(stored);
	sb_release(&sql);
	sb_release(&s);
	return rc < 0 ? -1 : 0;
}

/* The tables of one last_altered question, as Snowflake stores their names,
 * and which database's INFORMATION_SCHEMA each is asked of. */
struct altered_ask {
	size_t n;
	char **db, **schema, **name; /* NULL db: the connection's database */
	size_t *part;                /* the part of the query (by database); SIZE_MAX: not asked */
	int64_t *epoch_ms;
};

static int altered_row(void *arg, int ncol, const char *const *vals)
{
	struct altered_ask *q = arg;
	if (ncol < 4 || !vals[0] || !vals[1] || !vals[2])
		return 0;
	size_t part = (size_t)strtoull(vals[0], NULL, 10);
	for (size_t i = 0; i < q->n; i++)
		if (q->part[i] == part && strcmp(q->schema[i], vals[1]) == 0 &&
		    strcmp(q->name[i], vals[2]) == 0 && warehouse_parse_ms(vals[3], &q->epoch_ms[i]) < 0)
			q->epoch_ms[i] = -1;
	return 0;
}

static bool same_db(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The one statement: a SELECT of each part's database, tagged with its
 * number, its tables as OR terms; the parts joined by UNION ALL. */
static void altered_sql(struct warehouse *w, const struct altered_ask *q, size_t nparts,
			struct strbuf *sql)
{
	for (size_t k = 0; k < nparts; k++) {
		bool first = true;
		for (size_t i = 0; i < q->n; i++) {
			if (q->part[i] != k)
				continue;
			if (first)
				sb_addf(sql, "%sSELECT %zu, TABLE_SCHEMA, TABLE_NAME, DATE_PART(EPOCH_MILLISECOND, "
					"LAST_ALTERED) FROM %s%sINFORMATION_SCHEMA.TABLES WHERE ", k ? " UNION ALL " : "",
					k, q->db[i] ? q->db[i] : "", q->db[i] ? "." : "");
			else
				sb_addstr(sql, " OR ");
			first = false;
			sb_addstr(sql, "(TABLE_SCHEMA = ");
			w->d->string_lit(w->d, sql, q->schema[i]);
			sb_addstr(sql, " AND TABLE_NAME = ");
			w->d->string_lit(w->d, sql, q->name[i]);
			sb_addch(sql, ')');
		}
	}
}

/* INFORMATION_SCHEMA.TABLES.LAST_ALTERED of every table, in one statement
 * (a UNION ALL over the databases the names give, their own or the
 * connection's): metadata, no warehouse time billed for a scan.  A table
 * with no row (or a name lac cannot look up) cannot be told. */
static int sf_last_altered(struct warehouse *w, const char *const *tables, size_t n,
			   int64_t *epoch_ms, struct strbuf *err)
{
	struct altered_ask q = { .n = n, .epoch_ms = epoch_ms };
	q.db = xcalloc(n, sizeof(*q.db));
	q.schema = xcalloc(n, sizeof(*q.schema));
	q.name = xcalloc(n, sizeof(*q.name));
	q.part = xcalloc(n, sizeof(*q.part));
	size_t nparts = 0;
	for (size_t i = 0; i < n; i++) {
		epoch_ms[i] = -1;
		q.part[i] = SIZE_MAX;
		char *schema, *name;
		if (warehouse_table_parts(tables[i], &q.db[i], &schema, &name) < 0)
			continue;
		struct strbuf sb = STRBUF_INIT;
		stored_name(&sb, schema);
		q.schema[i] = sb_detach(&sb);
		stored_name(&sb, name);
		q.name[i] = sb_detach(&sb);
		free(schema);
		free(name);
		for (size_t j = 0; j < i && q.part[i] == SIZE_MAX; j++)
			if (q.part[j] != SIZE_MAX && same_db(q.db[i], q.db[j]))
				q.part[i] = q.part[j];
		if (q.part[i] == SIZE_MAX)
			q.part[i] = nparts++;
	}
	struct strbuf sql = STRBUF_INIT;
	altered_sql(w, &q, nparts, &sql);
	int rc = nparts ? run_statement(w->impl, sql.buf, 1, altered_row, &q, err) : 0;
	sb_release(&sql);
	for (size_t i = 0; i < n; i++) {
		free(q.db[i]);
		free(q.schema[i]);
		free(q.name[i]);
	}
	free(q.db);
	free(q.schema);
	free(q.name);
	free(q.part);
	return rc < 0 ? -1 : 0;
}

static int sf_set_timeout(struct warehouse *w, int64_t ms, struct strbuf *err)
{
	(void)err;
	((struct snowflake *)w->impl)->timeout_ms = ms;
	return 0;
}

static int sf_set_context(struct warehouse *w, const char *command, const char *audience,
			  const char *run_id, struct strbuf *err)
{
	(void)err;
	struct snowflake *sf = w->impl;
	free(sf->tag);
	sf->tag = warehouse_tag(command, audience, run_id);
	return 0;
}

/* From a signal handler: only say whether a statement may be running; the
 * wait loop sends the cancel request (cancel_if_signalled). */
static bool sf_cancel(struct warehouse *w)
{
	return ((struct snowflake *)w->impl)->busy != 0;
}

static void sf_free(struct snowflake *sf)
{
	http_client_close(sf->http);
	snowflake_jwt_free(sf->jwt);
	http_secrets_release(&sf->secrets);
	free(sf->base);
	free(sf->tag);
	free(sf);
}

static void sf_close(struct warehouse *w)
{
	sf_free(w->impl);
}

static const struct warehouse_ops snowflake_ops = {
	.name = "snowflake",
	.query = sf_query,
	.exec_batch = sf_exec_batch,
	.tables_exist = sf_tables_exist,
	.set_timeout = sf_set_timeout,
	.set_context = sf_set_context,
	.cancel = sf_cancel,
	.close = sf_close,
	.last_altered = sf_last_altered,
};

/* ---- opening ------------------------------------------------------------------------ */

/* The signer for the key of private_key_path or private_key. */
static int load_key(struct snowflake *sf, struct project *p, const char *account, const char *user,
		    bool *bad, struct strbuf *err)
{
	const char *path = warehouse_setting(p, "private_key_path", bad);
	const char *pem = warehouse_setting(p, "private_key", bad);
	const char *pass = warehouse_setting(p, "private_key_passphrase", bad);
	if (*bad)
		return -1;
	struct rsa_key *key = NULL;
	struct strbuf why = STRBUF_INIT;
	int rc = path ? rsa_key_load_file(project_path(p, path), pass, &key, &why)
		      : rsa_key_load_pem(pem, strlen(pem), pass, &key, &why);
	if (rc < 0) {
		sb_addf(err, "cannot use the Snowflake private key: %s", why.buf);
		sb_release(&why);
		return -1;
	}
	sb_release(&why);
	sf->jwt = snowflake_jwt_new(account, user, key);
	return 0;
}

/* The settings (checked by wh_kind.c: account and user given, exactly one
 * way to authenticate) into sf. */
static int read_settings(struct snowflake *sf, struct project *p, struct strbuf *err)
{
	bool bad = false;
	const char *account = warehouse_setting(p, "account", &bad);
	const char *user = warehouse_setting(p, "user", &bad);
	const char *endpoint = warehouse_setting(p, "endpoint", &bad);
	sf->oauth = warehouse_setting(p, "token", &bad);
	sf->role = warehouse_setting(p, "role", &bad);
	sf->warehouse = warehouse_setting(p, "warehouse", &bad);
	sf->database = warehouse_setting(p, "database", &bad);
	sf->schema = p->warehouse.schema;
	if (bad) {
		setting_unset_error(p, "a Snowflake setting", err);
		return -1;
	}
	if (!account || !*account || !user || !*user) {
		sb_addstr(err, "the Snowflake warehouse needs 'account' and 'user' settings in lac.yaml");
		return -1;
	}
	sf->base = endpoint && *endpoint ? xstrdup(endpoint)
					 : xasprintf("https://%s.snowflakecomputing.com", account);
	size_t n = strlen(sf->base);
	while (n && sf->base[n - 1] == '/')
		sf->base[--n] = '\0';
	if (sf->oauth) {
		if (!*sf->oauth) {
			sb_addstr(err, "the Snowflake token is empty (is its environment variable set in this job?)");
			return -1;
		}
		return 0;
	}
	if (load_key(sf, p, account, user, &bad, err) < 0) {
		if (bad)
			setting_unset_error(p, "a Snowflake setting", err);
		return -1;
	}
	return 0;
}

int warehouse_open_snowflake(struct project *p, unsigned access, struct warehouse *w,
			     struct strbuf *err)
{
	(void)access;
	memset(w, 0, sizeof(*w));
	struct snowflake *sf = xcalloc(1, sizeof(*sf));
	sf->secrets.more = project_all_secrets;
	sf->retry = (struct http_retry_policy){ .max_retries = 4, .backoff_ms = 200,
						.backoff_max_ms = 4000, .retry_after_max_ms = 30000 };
	sf->seed = (unsigned)time(NULL) ^ (unsigned)(size_t)sf;
	if (read_settings(sf, p, err) < 0) {
		project_redact(p, err);
		sf_free(sf);
		return -1;
	}
	static const struct http_header json_headers[] = {
		{ "Content-Type", "application/json" },
		{ "Accept", "application/json" },
	};
	struct http_client_config cfg = {
		.connect_timeout_ms = SF_CONNECT_TIMEOUT_MS,
		.timeout_ms = SF_REQUEST_TIMEOUT_MS,
		.headers = json_headers,
		.nheaders = ARRAY_LEN(json_headers),
		.body_max = SF_BODY_MAX,
		.decompress = true,
		.more_secrets = project_all_secrets,
		.ca_file = project_ca_file(p, NULL), /* tls: {ca_file}, the warehouse's or the top one */
		/* retried here: a resubmission must add retry=true, and 408 is final */
		.retry = { .max_retries = 0 },
	};
	if (http_client_open(&cfg, &sf->http, err) < 0) {
		sf_free(sf);
		return -1;
	}
	if (sf->oauth)
		http_secrets_add(&sf->secrets, sf->oauth, HTTP_SECRET_MIN);
	w->ops = &snowflake_ops;
	w->d = &dialect_snowflake;
	w->impl = sf;
	return 0;
}
