/*
 * warehouse_bigquery.c — BigQuery through its REST API v2 (docs/warehouses.md
 * "BigQuery").  A statement is a jobs.query (POST .../queries) with a fresh
 * requestId, polled with getQueryResults (GET .../queries/{jobId}) while
 * jobComplete is false, then read page by page (pageToken), one page in
 * memory at a time.  A unit of commit is one script in BEGIN TRANSACTION …
 * COMMIT TRANSACTION.  The HTTP client resends a request only as it was
 * (so a jobs.query keeps its requestId); a job that failed for a transient
 * reason is run again as a new job.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "base/time.h"
#include "net/google_sa.h"
#include "net/http.h"
#include "warehouse/error_position.h"
#include "warehouse/warehouse_bigquery.h"

#define BQ_DEFAULT_ENDPOINT "https://bigquery.googleapis.com"
/* How long the server may hold a poll: short, because a pending SIGINT must
 * be seen within about 100 ms (warehouse.h, cancel). */
#define BQ_WAIT_MS 100
/* Between polls of an unfinished job, at least this long from the start of
 * one to the next, doubling up to BQ_POLL_MAX_MS: a server may answer
 * jobComplete false at once (timeoutMs is only the longest it may hold). */
#define BQ_POLL_MIN_MS 50
#define BQ_POLL_MAX_MS 1000
#define BQ_PAGE_ROWS 10000           /* rows per page; a page stays a few MB */
#define BQ_BODY_MAX (64L << 20)      /* BigQuery caps a page at 10 MB; JSON escapes grow it */
#define BQ_JOB_RETRIES 3             /* new jobs after a transient job failure, */
#define BQ_JOB_RETRY_MS 1000         /* the first after 1 s, then doubling (Google's SLA) */
#define BQ_CONNECT_TIMEOUT_MS 30000
#define BQ_REQUEST_TIMEOUT_MS 300000 /* a poll returns after BQ_WAIT_MS; a page is bounded */

struct bq {
	struct http_client *http;
	struct http_client_config cfg;   /* kept: the token endpoint uses the same transport */
	struct http_response resp;
	struct http_secrets secrets;     /* for the messages lac builds from bodies */
	char *base;                      /* <endpoint>/bigquery/v2/projects/<project> */
	char *projects;                  /* <endpoint>/bigquery/v2/projects/: another project's tables */
	char *location;                  /* NULL: BigQuery's default */
	struct google_sa *sa;            /* service-account key, or NULL with token */
	char *token;                     /* token: as given */
	struct strbuf auth;              /* "Bearer <token>" of the request being sent */
	int64_t max_bytes;               /* maximumBytesBilled, or -1 */
	int64_t timeout_ms;              /* 0: no bound */
	char *labels[3];                 /* lac_command, lac_audience, lac_run, or NULL */
	char *job_id, *job_location;     /* the job running now */
	volatile sig_atomic_t busy;      /* a job is in flight: a signal's cancel is ours */
};

static const char *const label_keys[3] = { "lac_command", "lac_audience", "lac_run" };

/* ---- requests -------------------------------------------------------------------------- */

/* s %-encoded (RFC 3986 unreserved kept) appended to sb. */
static void add_encoded(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~')
			sb_addch(sb, (char)*p);
		else
			sb_addf(sb, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

/* Every message lac builds from what the server said is redacted. */
static void redact(struct bq *b, struct strbuf *msg, size_t from)
{
	struct strbuf tail = STRBUF_INIT;
	sb_addmem(&tail, msg->buf + from, msg->len - from);
	http_redact(&b->secrets, &tail, false);
	sb_setlen(msg, from);
	sb_addmem(msg, tail.buf, tail.len);
	sb_release(&tail);
}

static int authorize(struct bq *b, struct strbuf *err)
{
	const char *tok = b->token;
	if (b->sa) {
		struct strbuf why = STRBUF_INIT;
		tok = google_sa_token(b->sa, &b->cfg, time(NULL), &why);
		if (!tok) {
			sb_addf(err, "cannot sign in to BigQuery as %s: %s", google_sa_email(b->sa),
				why.buf);
			sb_release(&why);
			return -1;
		}
		sb_release(&why);
	}
	sb_reset(&b->auth);
	sb_addf(&b->auth, "Bearer %s", tok);
	http_secrets_add_header_value(&b->secrets, b->auth.buf);
	return 0;
}

/* One request; its answer is in b->resp.  0, or -1 with one sentence in
 * err; *reason gets the error's reason (malloc'd) or NULL, *status the
 * HTTP status. */
static int bq_send(struct bq *b, const char *method, const char *url, const char *body,
		   struct strbuf *err, char **reason, long *status)
{
	*reason = NULL;
	if (authorize(b, err) < 0)
		return -1;
	struct http_header h[2] = { { "Authorization", b->auth.buf },
				    { "Content-Type", "application/json" } };
	struct http_request req = { method, url, h, body ? 2 : 1, body, body ? strlen(body) : 0 };
	char why[512];
	http_response_release(&b->resp);
	http_response_init(&b->resp);
	enum http_class cls = http_client_send(b->http, &req, &b->resp, why, sizeof(why));
	*status = b->resp.status;
	if (cls == HTTP_OK && !b->resp.body_cut)
		return 0;
	size_t from = err->len;
	if (cls == HTTP_OK)
		sb_addf(err, "BigQuery answered more than %ld bytes at once", BQ_BODY_MAX);
	else if (b->resp.status == 0)
		sb_addf(err, "cannot reach BigQuery at %s: %s", b->base, why);
	else {
		sb_addstr(err, "BigQuery: ");
		bq_describe_error(b->resp.status, b->resp.body.buf, b->resp.body.len, why, err, reason);
	}
	redact(b, err, from);
	return -1;
}

/* ---- jobs ------------------------------------------------------------------------------ */

static char *new_request_id(void)
{
	unsigned char r[16];
	if (RAND_bytes(r, sizeof(r)) != 1)
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)rand();
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40); /* version 4 */
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
			 r[12], r[13], r[14], r[15]);
}

/* The QueryRequest of sql (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query). */
static char *query_request(struct bq *b, const char *sql, bool dry_run)
{
	json_t *q = json_object();
	json_object_set_new(q, "query", json_string(sql));
	json_object_set_new(q, "useLegacySql", json_false());
	char *rid = new_request_id();
	json_object_set_new(q, "requestId", json_string(rid));
	free(rid);
	if (b->location)
		json_object_set_new(q, "location", json_string(b->location));
	json_object_set_new(q, "maxResults", json_integer(BQ_PAGE_ROWS));
	json_object_set_new(q, "timeoutMs", json_integer(BQ_WAIT_MS));
	json_object_set_new(q, "formatOptions", json_pack("{s:b}", "useInt64Timestamp", 1));
	if (b->timeout_ms > 0)
		json_object_set_new(q, "jobTimeoutMs", json_sprintf("%lld", (long long)b->timeout_ms));
	if (b->max_bytes >= 0)
		json_object_set_new(q, "maximumBytesBilled",
				    json_sprintf("%lld", (long long)b->max_bytes));
	if (dry_run)
		json_object_set_new(q, "dryRun", json_true());
	json_t *labels = json_object();
	for (size_t i = 0; i < ARRAY_LEN(label_keys); i++)
		if (b->labels[i])
			json_object_set_new(labels, label_keys[i], json_string(b->labels[i]));
	json_object_set_new(q, "labels", labels);
	char *text = json_dumps(q, JSON_COMPACT);
	json_decref(q);
	return text;
}

/* "?location=" or "&location=": the job's, else the configured one (a
 * job outside US and EU is found only with it). */
static void add_location(const struct bq *b, struct strbuf *u, char sep)
{
	const char *loc = b->job_location ? b->job_location : b->location;
	if (!loc)
		return;
	sb_addf(u, "%clocation=", sep);
	add_encoded(u, loc);
}

static char *results_url(struct bq *b, const char *page_token)
{
	struct strbuf u = STRBUF_INIT;
	sb_addf(&u, "%s/queries/", b->base);
	add_encoded(&u, b->job_id);
	sb_addf(&u, "?maxResults=%d&formatOptions.useInt64Timestamp=true", BQ_PAGE_ROWS);
	add_location(b, &u, '&');
	if (page_token) {
		sb_addstr(&u, "&pageToken=");
		add_encoded(&u, page_token);
	} else {
		sb_addf(&u, "&timeoutMs=%d", BQ_WAIT_MS);
	}
	return sb_detach(&u);
}

/* jobs.cancel (POST .../jobs/{jobId}/cancel): best effort, its answer ignored. */
static void cancel_job(struct bq *b)
{
	if (!b->job_id)
		return;
	struct strbuf u = STRBUF_INIT, ignored = STRBUF_INIT;
	sb_addf(&u, "%s/jobs/", b->base);
	add_encoded(&u, b->job_id);
	sb_addstr(&u, "/cancel");
	add_location(b, &u, '?');
	char *reason;
	long status;
	/* jobs.cancel: "The request body must be empty" */
	bq_send(b, "POST", u.buf, "", &ignored, &reason, &status);
	free(reason);
	sb_release(&u);
	sb_release(&ignored);
}

/* A SIGINT/SIGTERM noted by the handler: cancel the job, end as the signal would. */
static void check_signal(struct bq *b)
{
	int sig = warehouse_pending_signal();
	if (!sig)
		return;
	cancel_job(b);
	warehouse_exit_by_signal(sig);
}

static void forget_job(struct bq *b)
{
	b->busy = 0;
	free(b->job_id);
	free(b->job_location);
	b->job_id = b->job_location = NULL;
}

/* Take the job's reference from a page (the first answer names it). */
static void note_job(struct bq *b, struct bq_page *pg)
{
	if (pg->job_id && !b->job_id) {
		b->job_id = pg->job_id;
		pg->job_id = NULL;
	}
	if (pg->location && !b->job_location) {
		b->job_location = pg->location;
		pg->location = NULL;
	}
}

/* Sleep until deadline (time_mono_ms), a slice at a time, noting a signal. */
static void wait_until(struct bq *b, int64_t deadline)
{
	for (int64_t left; (left = deadline - time_mono_ms()) > 0;) {
		check_signal(b);
		time_sleep_ms(left < 100 ? left : 100);
	}
}

/* After a poll of the job failed: did the job itself fail (jobs.get says
 * DONE with an errorResult), so that a new job may be tried?  A poll
 * refused or lost says nothing of the job, which may have succeeded: it is
 * never run again on that (reason gets the job's own reason). */
static bool job_failed_per_jobs_get(struct bq *b, char **reason)
{
	struct strbuf u = STRBUF_INIT, ignored = STRBUF_INIT;
	sb_addf(&u, "%s/jobs/", b->base);
	add_encoded(&u, b->job_id);
	add_location(b, &u, '?');
	char *why = NULL, *failed = NULL;
	long status;
	bool done = false;
	if (bq_send(b, "GET", u.buf, NULL, &ignored, &why, &status) == 0)
		bq_decode_job_status(b->resp.body.buf, b->resp.body.len, &done, &failed);
	free(why);
	sb_release(&u);
	sb_release(&ignored);
	if (!failed)
		return false;
	free(*reason);
	*reason = failed;
	return true;
}

/* One job: submit, wait, read every page.  0, or -1 with the message in
 * err; *job_failed: the job ran and failed (a new job may succeed), not a
 * refused or unanswered request; *bytes: totalBytesProcessed. */
static int run_job(struct bq *b, const char *sql, bool dry_run, wh_row_fn row, void *arg,
		   struct strbuf *err, char **reason, bool *job_failed, size_t *rows, int64_t *bytes)
{
	*job_failed = false;
	char *body = query_request(b, sql, dry_run);
	char *url = xasprintf("%s/queries", b->base);
	long status;
	b->busy = 1;
	int64_t started = time_mono_ms();
	int rc = bq_send(b, "POST", url, body, err, reason, &status);
	free(url);
	free(body);
	/* a definite answer about the job, not a request lost or throttled */
	if (rc < 0) {
		*job_failed = status >= 400 && status < 500 && status != 429;
		forget_job(b);
		check_signal(b);
		return -1;
	}
	struct bq_page pg;
	rc = bq_decode_page(b->resp.body.buf, b->resp.body.len, row, arg, &pg, err);
	note_job(b, &pg);
	/* a dry run's answer is final, whatever it says of jobComplete */
	if (dry_run)
		pg.complete = true;
	/* a signal during the POST: the job it started is cancelled now */
	check_signal(b);
	int64_t pause = BQ_POLL_MIN_MS, poll_at = time_mono_ms();
	while (rc == 0 && !pg.complete) {
		check_signal(b);
		if (b->timeout_ms > 0 && time_mono_ms() - started > b->timeout_ms) {
			cancel_job(b);
			sb_addf(err, "BigQuery: the statement ran longer than the timeout (%lld ms) and "
				"was cancelled (job %s)", (long long)b->timeout_ms,
				b->job_id ? b->job_id : "?");
			rc = -1;
			break;
		}
		if (!b->job_id) {
			sb_addstr(err, "BigQuery answered an unfinished job without its jobReference");
			rc = -1;
			break;
		}
		bq_page_release(&pg);
		wait_until(b, poll_at + pause);
		pause = pause * 2 < BQ_POLL_MAX_MS ? pause * 2 : BQ_POLL_MAX_MS;
		poll_at = time_mono_ms();
		url = results_url(b, NULL);
		rc = bq_send(b, "GET", url, NULL, err, reason, &status);
		free(url);
		if (rc < 0) {
			*job_failed = job_failed_per_jobs_get(b, reason);
			break;
		}
		rc = bq_decode_page(b->resp.body.buf, b->resp.body.len, row, arg, &pg, err);
	}
	*rows = pg.nrows;
	while (rc == 0 && pg.page_token && !pg.stopped) {
		check_signal(b);
		url = results_url(b, pg.page_token);
		bq_page_release(&pg);
		rc = bq_send(b, "GET", url, NULL, err, reason, &status);
		free(url);
		if (rc == 0)
			rc = bq_decode_page(b->resp.body.buf, b->resp.body.len, row, arg, &pg, err);
		*rows += pg.nrows;
	}
	if (bytes)
		*bytes = pg.bytes_processed;
	bq_page_release(&pg);
	check_signal(b);
	forget_job(b);
	return rc;
}

/* A statement, run again as a new job while it fails for a transient
 * reason before any row was handed over. */
static int bq_run(struct bq *b, const char *sql, bool dry_run, wh_row_fn row, void *arg,
		  int64_t *bytes, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int rc;
	for (int attempt = 0;; attempt++) {
		sb_reset(&why);
		char *reason = NULL;
		bool job_failed;
		size_t rows = 0;
		rc = run_job(b, sql, dry_run, row, arg, &why, &reason, &job_failed, &rows, bytes);
		bool again = rc < 0 && job_failed && rows == 0 && bq_reason_transient(reason) &&
			     attempt < BQ_JOB_RETRIES;
		free(reason);
		if (!again)
			break;
		time_sleep_ms(BQ_JOB_RETRY_MS << attempt);
	}
	if (rc < 0)
		sb_addstr(err, why.buf);
	sb_release(&why);
	return rc;
}

/* ---- the operations -------------------------------------------------------------------- */

static int bq_query(struct warehouse *w, const char *sql, wh_row_fn row, void *arg,
		    struct strbuf *err)
{
	size_t from = err->len;
	int rc = bq_run(w->impl, sql, false, row, arg, NULL, err);
	long line, col;
	bool at = rc != 0 && wh_bigquery_error_at(err->buf + from, &line, &col);
	warehouse_note_error_position(w, sql, at ? wh_line_col_position(sql, line, col) : 0);
	return rc;
}

/* stmt without the blanks and ';' it may end with, then ";\n" */
static void add_statement(struct strbuf *script, const char *stmt)
{
	size_t n = strlen(stmt);
	while (n && (stmt[n - 1] == ';' || stmt[n - 1] == ' ' || stmt[n - 1] == '\n' ||
		     stmt[n - 1] == '\t'))
		n--;
	sb_addmem(script, stmt, n);
	sb_addstr(script, ";\n");
}

/* transactional: one script, BEGIN TRANSACTION … COMMIT TRANSACTION (a
 * failing statement rolls the whole script back); else one job each. */
static int bq_exec_batch(struct warehouse *w, const char *const *stmts, size_t n,
			 bool transactional, struct strbuf *err)
{
	if (!transactional) {
		for (size_t i = 0; i < n; i++)
			if (bq_query(w, stmts[i], NULL, NULL, err) < 0)
				return -1;
		return 0;
	}
	if (n == 0)
		return 0;
	struct strbuf script = STRBUF_INIT;
	add_statement(&script, w->d->begin);
	for (size_t i = 0; i < n; i++)
		add_statement(&script, stmts[i]);
	add_statement(&script, w->d->commit);
	int rc = bq_query(w, script.buf, NULL, NULL, err);
	sb_release(&script);
	return rc;
}

/* tables.get (GET .../datasets/{d}/tables/{t}): 200 when it exists, 404
 * when it (or its dataset) does not. */
static int bq_table_exists(struct warehouse *w, const char *schema, const char *table,
			   struct strbuf *err)
{
	struct bq *b = w->impl;
	struct strbuf u = STRBUF_INIT, why = STRBUF_INIT;
	sb_addf(&u, "%s/datasets/", b->base);
	add_encoded(&u, schema ? schema : PROJECT_DEFAULT_WAREHOUSE_SCHEMA);
	sb_addstr(&u, "/tables/");
	add_encoded(&u, table);
	char *reason;
	long status;
	int rc = bq_send(b, "GET", u.buf, NULL, &why, &reason, &status) == 0 ? 1 : status == 404 ? 0 : -1;
	if (rc < 0)
		sb_addstr(err, why.buf);
	free(reason);
	sb_release(&u);
	sb_release(&why);
	return rc;
}

/* A tables.get each: a metadata call, cheaper than a query job over
 * INFORMATION_SCHEMA, which bills bytes. */
static int bq_tables_exist(struct warehouse *w, const char *schema, const char *const *tables,
			   size_t n, bool *found, struct strbuf *err)
{
	return warehouse_tables_exist_each(w, schema, tables, n, found, err, bq_table_exists);
}

/* tables.get's lastModifiedTime (ms, as a string): metadata, nothing scanned
 * or billed.  A three-part name is project.dataset.table. */
static int bq_last_altered_one(struct warehouse *w, const char *table, int64_t *epoch_ms,
			       struct strbuf *err)
{
	struct bq *b = w->impl;
	char *project, *dataset, *name;
	if (warehouse_table_parts(table, &project, &dataset, &name) < 0)
		return 1;
	struct strbuf u = STRBUF_INIT;
	if (project) {
		sb_addstr(&u, b->projects);
		add_encoded(&u, project);
	} else {
		sb_addstr(&u, b->base);
	}
	sb_addstr(&u, "/datasets/");
	add_encoded(&u, dataset);
	sb_addstr(&u, "/tables/");
	add_encoded(&u, name);
	char *reason;
	long status;
	int rc = bq_send(b, "GET", u.buf, NULL, err, &reason, &status);
	free(reason);
	if (rc == 0) {
		json_t *j = json_loadb(b->resp.body.buf, b->resp.body.len, 0, NULL);
		const char *v = json_string_value(json_object_get(j, "lastModifiedTime"));
		rc = warehouse_parse_ms(v, epoch_ms) == 0 ? 0 : 1; /* not said: cannot tell */
		json_decref(j);
	}
	sb_release(&u);
	free(project);
	free(dataset);
	free(name);
	return rc;
}

/* One request a table: no batch form (tables.get / DESCRIBE DETAIL). */
static int bq_last_altered(struct warehouse *w, const char *const *tables, size_t n,
			   int64_t *epoch_ms, struct strbuf *err)
{
	return warehouse_last_altered_each(w, tables, n, epoch_ms, err, bq_last_altered_one);
}

static int bq_set_timeout(struct warehouse *w, int64_t ms, struct strbuf *err)
{
	(void)err;
	struct bq *b = w->impl;
	b->timeout_ms = ms > 0 ? ms : 0;
	return 0;
}

/* labels lac_command, lac_audience, lac_run on every later job (SPEC §1.1 "Tags") */
static int bq_set_context(struct warehouse *w, const char *command, const char *audience,
			  const char *run_id, struct strbuf *err)
{
	(void)err;
	struct bq *b = w->impl;
	const char *parts[3] = { command, audience, run_id };
	for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
		free(b->labels[i]);
		b->labels[i] = parts[i] ? bq_label_value(parts[i]) : NULL;
	}
	return 0;
}

/* From the signal handler: only notes that the wait loop must cancel. */
static bool bq_cancel(struct warehouse *w)
{
	struct bq *b = w->impl;
	return b->busy != 0;
}

static void bq_close(struct warehouse *w)
{
	struct bq *b = w->impl;
	if (!b)
		return;
	forget_job(b);
	http_client_close(b->http);
	http_response_release(&b->resp);
	http_secrets_release(&b->secrets);
	google_sa_free(b->sa);
	sb_release(&b->auth);
	for (size_t i = 0; i < ARRAY_LEN(b->labels); i++)
		free(b->labels[i]);
	free(b->base);
	free(b->projects);
	free(b->location);
	free(b->token);
	free(b);
	w->impl = NULL;
}

/* A dry run (QueryRequest dryRun): checked, nothing runs, totalBytesProcessed. */
static int bq_validate(struct warehouse *w, const char *sql, int64_t *bytes, struct strbuf *err)
{
	*bytes = -1;
	return bq_run(w->impl, sql, true, NULL, NULL, bytes, err);
}

static const struct warehouse_ops bq_ops = {
	.name = "bigquery",
	.query = bq_query,
	.exec_batch = bq_exec_batch,
	.tables_exist = bq_tables_exist,
	.set_timeout = bq_set_timeout,
	.set_context = bq_set_context,
	.cancel = bq_cancel,
	.close = bq_close,
	.validate = bq_validate,
	.last_altered = bq_last_altered,
};

/* ---- open ------------------------------------------------------------------------------ */

static int open_auth(struct bq *b, const char *credentials, const char *token, struct strbuf *err)
{
	if (token) {
		if (!*token) {
			sb_addstr(err, "the BigQuery token is empty (is its environment variable set in "
				       "this job?)");
			return -1;
		}
		b->token = xstrdup(token);
		return 0;
	}
	if (!credentials) {
		sb_addstr(err, "the BigQuery warehouse needs 'credentials' (a service-account key) or "
			       "'token' in lac.yaml");
		return -1;
	}
	if (!*credentials) {
		sb_addstr(err, "the BigQuery credentials are empty (is their environment variable set "
			       "in this job?)");
		return -1;
	}
	struct strbuf why = STRBUF_INIT;
	int rc = google_sa_open(credentials, &b->sa, &why);
	if (rc < 0)
		sb_addf(err, "BigQuery credentials: %s", why.buf);
	sb_release(&why);
	return rc;
}

int warehouse_open_bigquery(struct warehouse *w, struct project *p, struct strbuf *err)
{
	memset(w, 0, sizeof(*w));
	bool unset = false;
	const char *project = warehouse_setting(p, "project", &unset);
	const char *location = warehouse_setting(p, "location", &unset);
	const char *credentials = warehouse_setting(p, "credentials", &unset);
	const char *token = warehouse_setting(p, "token", &unset);
	const char *max_bytes = warehouse_setting(p, "maximum_bytes_billed", &unset);
	const char *endpoint = warehouse_setting(p, "endpoint", &unset);
	if (unset) {
		setting_unset_error(p, "a BigQuery setting", err);
		return -1;
	}
	if (!project || !*project) {
		sb_addstr(err, "the BigQuery warehouse needs a 'project' setting in lac.yaml");
		return -1;
	}
	int64_t cap = -1;
	if (max_bytes) {
		/* a ${VAR} is checked only now (lac check saw its name) */
		char *end;
		long long v = strtoll(max_bytes, &end, 10);
		if (end == max_bytes || *end || v < 0) {
			sb_addstr(err, "the BigQuery maximum_bytes_billed must be a whole number of bytes");
			return -1;
		}
		cap = v;
	}
	if (!endpoint)
		endpoint = BQ_DEFAULT_ENDPOINT;
	if (!str_starts(endpoint, "https://") && !str_starts(endpoint, "http://")) {
		sb_addstr(err, "the BigQuery endpoint must start with https:// or http://");
		return -1;
	}
	struct bq *b = xcalloc(1, sizeof(*b));
	sb_init(&b->auth);
	http_response_init(&b->resp);
	b->secrets.more = project_all_secrets;
	b->max_bytes = cap;
	b->location = location && *location ? xstrdup(location) : NULL;
	struct strbuf base = STRBUF_INIT;
	size_t n = strlen(endpoint);
	while (n && endpoint[n - 1] == '/')
		n--;
	sb_addmem(&base, endpoint, n);
	sb_addstr(&base, "/bigquery/v2/projects/");
	b->projects = xstrndup(base.buf, base.len);
	add_encoded(&base, project);
	b->base = sb_detach(&base);
	b->cfg = (struct http_client_config){
		.connect_timeout_ms = BQ_CONNECT_TIMEOUT_MS,
		.timeout_ms = BQ_REQUEST_TIMEOUT_MS,
		.body_max = (size_t)BQ_BODY_MAX,
		/* BigQuery's SLA asks for about 1 s after a first error, doubling
		 * (equal jitter waits 0.5–1 s, then 1–2 s, ...): four retries span
		 * 7.5–15 s */
		.retry = { 4, 1000, 32000, 60000 },
		.more_secrets = project_all_secrets,
		/* tls: {ca_file}, the warehouse's or the top one; the token
		 * endpoint's client is made from this config too */
		.ca_file = project_ca_file(p, NULL),
	};
	w->ops = &bq_ops;
	w->d = &dialect_bigquery;
	w->impl = b;
	if (open_auth(b, credentials, token, err) < 0 ||
	    http_client_open(&b->cfg, &b->http, err) < 0) {
		project_redact(p, err);
		bq_close(w);
		memset(w, 0, sizeof(*w));
		return -1;
	}
	if (b->token)
		http_secrets_add(&b->secrets, b->token, HTTP_SECRET_MIN);
	return 0;
}
