/* test_dest_more.c — the `warehouse` destination (on SQLite: table created,
 * one row per event with the event as JSON, idempotent on messageId, bad
 * events isolated) and the stdlib presets Braze, Iterable and Customer.io
 * against tests/http/fault_server.py on 127.0.0.1: the exact request bodies
 * and paths, the auth header (compared by the server, never printed),
 * rejection of events without an identifier, retries and batch bisection;
 * and that no secret, not even part of one, reaches a delivery reason
 * (against an in-process echo endpoint). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "deliver/dest.h"
#include "deliver/dest_private.h"
#include "project/dest_kind.h"
#include "project/project.h"
#include "state/outbox.h"
#include "proj_fixture.h"
#include "state/state.h"

static char tmpdir[64];

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/lac-dest-more-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* ---- warehouse ------------------------------------------------------------------------ */

static void wh_config(struct dest_config *cfg, const char *db)
{
	memset(cfg, 0, sizeof(*cfg));
	dest_config_defaults(cfg);
	cfg->name = "wh";
	cfg->type = "warehouse";
	cfg->table = "LAC_EVENTS";
	cfg->wh_type = "sqlite";
	cfg->wh_path = db;
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_warehouse_sqlite(void **state)
{
	char *db = xasprintf("%s/wh.db", tmpdir);
	char *spath = xasprintf("%s/state.db", tmpdir);
	struct strbuf err = STRBUF_INIT;
	struct state *st;
	assert_int_equal(state_open(&st, spath, STATE_RW, &err), 0);
	struct outbox_writer *w = outbox_writer_new(st, 100);
	for (int i = 0; i < 1203; i++) {
		char id[32], json[128];
		snprintf(id, sizeof(id), "m-%05d", i);
		snprintf(json, sizeof(json), "{\"type\":\"track\",\"messageId\":\"%s\",\"properties\":{\"n\":%d,\"q\":\"it's\"}}",
			 id, i);
		struct outbox_event ev = { id, "wh", "pets", "act", "r1", json, strlen(json) };
		assert_true(outbox_add(w, &ev) >= 0);
	}
	assert_int_equal(outbox_writer_finish(w), 0);

	struct dest_config cfg;
	wh_config(&cfg, db);
	struct dest *d;
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	struct deliver_stats ds;
	assert_int_equal(deliver_outbox(st, d, 200, &ds, &err), 0);
	assert_int_equal(ds.delivered, 1203);
	assert_int_equal(ds.pages, 2); /* 1000 events a page, one transaction each */

	/* a resend (the same messageIds) is not a duplicate; a bad event fails alone */
	struct dest_event evs[3] = {
		{ .message_id = "m-00007", .json = "{\"type\":\"track\",\"again\":true}" },
		{ .message_id = "x-1", .json = "not json" },
		{ .message_id = "x-2", .json = "{\"type\":\"identify\",\"traits\":{\"a\":1}}" },
	};
	for (size_t i = 0; i < 3; i++)
		evs[i].len = strlen(evs[i].json);
	assert_int_equal(dest_send(d, evs, 3), 0);
	assert_int_equal(evs[0].outcome, DEST_DELIVERED);
	assert_int_equal(evs[1].outcome, DEST_REJECTED);
	assert_non_null(strstr(evs[1].reason, "JSON"));
	assert_int_equal(evs[2].outcome, DEST_DELIVERED);
	dest_close(d);

	/* reopening finds the table and keeps its rows */
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	dest_close(d);

	sqlite3 *h;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(scalar(h, "SELECT count(*) FROM LAC_EVENTS"), 1204);
	assert_int_equal(scalar(h, "SELECT count(DISTINCT message_id) FROM LAC_EVENTS"), 1204);
	/* the event is the whole JSON, unchanged (the first write wins) */
	assert_int_equal(scalar(h, "SELECT json_extract(event, '$.properties.n') FROM LAC_EVENTS "
			       "WHERE message_id = 'm-00007'"), 7);
	assert_int_equal(scalar(h, "SELECT count(*) FROM LAC_EVENTS WHERE event = "
			       "'{\"type\":\"track\",\"messageId\":\"m-00042\",\"properties\":{\"n\":42,\"q\":\"it''s\"}}'"), 1);
	assert_int_equal(scalar(h, "SELECT count(*) FROM LAC_EVENTS WHERE received_at LIKE '____-__-__T__:__:__Z'"),
			 1204);
	assert_int_equal(scalar(h, "SELECT json_extract(event, '$.traits.a') FROM LAC_EVENTS WHERE message_id = 'x-2'"), 1);
	/* message_id is the primary key */
	assert_int_equal(scalar(h, "SELECT pk FROM pragma_table_info('LAC_EVENTS') WHERE name = 'message_id'"), 1);
	sqlite3_close(h);

	struct delivery_counts k;
	assert_int_equal(state_get_counts(st, "r1", "pets", "act", &k), 0);
	assert_int_equal(k.delivered, 1203);
	state_close(st);
	sb_release(&err);
	free(db);
	free(spath);
}

/* A table name from lac.yaml is an identifier, never SQL: one made of quotes
 * and statements names a table, and the statement in it never runs; a
 * message id and an event made of quotes are values. */
static void test_warehouse_table_injection(void **state)
{
	char *db = xasprintf("%s/inj.db", tmpdir);
	sqlite3 *h;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE canary (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	struct dest_config cfg;
	wh_config(&cfg, db);
	cfg.table = "ev\"; DROP TABLE canary; --";
	struct dest *d;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	struct dest_event evs[1] = {
		{ .message_id = "m'); DROP TABLE canary; --", .json = "{\"q\":\"'); DROP TABLE canary; --\"}" },
	};
	evs[0].len = strlen(evs[0].json);
	assert_int_equal(dest_send(d, evs, 1), 0);
	assert_int_equal(evs[0].outcome, DEST_DELIVERED);
	dest_close(d);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(scalar(h, "SELECT count(*) FROM sqlite_master WHERE name = 'canary'"), 1);
	assert_int_equal(scalar(h, "SELECT count(*) FROM sqlite_master WHERE name = 'ev\"; DROP TABLE canary; --'"), 1);
	assert_int_equal(scalar(h, "SELECT count(*) FROM \"ev\"\"; DROP TABLE canary; --\" "
			       "WHERE message_id = 'm''); DROP TABLE canary; --'"), 1);
	sqlite3_close(h);
	sb_release(&err);
	free(db);
}

/* The warehouse is locked by another writer for longer than the busy
 * timeout: the page stays pending (retry), it is not rejected. */
static void test_warehouse_busy_is_transient(void **state)
{
	char *db = xasprintf("%s/busy.db", tmpdir);
	struct dest_config cfg;
	wh_config(&cfg, db);
	struct dest *d;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	sqlite3 *h;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	struct dest_event ev = { .message_id = "b1", .json = "{\"a\":1}", .len = 7 };
	assert_int_equal(dest_send(d, &ev, 1), -1);
	assert_int_equal(ev.outcome, DEST_RETRY);
	assert_non_null(strstr(ev.reason, "locked"));
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	assert_int_equal(dest_send(d, &ev, 1), 0);
	assert_int_equal(ev.outcome, DEST_DELIVERED);
	sqlite3_close(h);
	dest_close(d);
	sb_release(&err);
	free(db);
}

/* lac.yaml → dest_config: the warehouse settings come from the project. */
static void test_warehouse_config_from_project(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "version: 1\nname: shop\ngraph: g.yaml\naudiences: a\n"
		 "warehouse: { type: sqlite, path: data/wh.db }\n"
		 "destinations:\n"
		 "  w: { type: warehouse, table: LAC_EVENTS, schema: out }\n"
		 "  br: { type: braze, url: \"https://b.example\", api_key: \"${LAC_T_BRAZE}\", timeout: 2.5 }\n"
		 "  it: { type: iterable, api_key: k1 }\n"
		 "  cio: { type: customerio, site_id: s1, api_key: \"${LAC_T_CIO}\" }\n");
	fx_write("g.yaml", "version: 1\n");
	struct project p;
	char *diags = fx_load(&p);
	free(diags);
	struct dest_config cfg;
	assert_int_equal(dest_config_from_project(&p, project_destination(&p, "w"), &cfg), 0);
	assert_string_equal(cfg.table, "LAC_EVENTS");
	assert_string_equal(cfg.schema, "out");
	assert_string_equal(cfg.wh_type, "sqlite");
	assert_string_equal(cfg.wh_path, "data/wh.db");

	setenv("LAC_T_BRAZE", "bz_secret_1", 1);
	assert_int_equal(dest_config_from_project(&p, project_destination(&p, "br"), &cfg), 0);
	assert_string_equal(cfg.api_key, "bz_secret_1");
	assert_int_equal(cfg.timeout_ms, 2500);
	assert_int_equal(dest_config_from_project(&p, project_destination(&p, "it"), &cfg), 0);
	assert_string_equal(cfg.url, "https://api.iterable.com/api"); /* the preset's default */
	assert_int_equal(cfg.timeout_ms, 30000);
	assert_int_equal(cfg.max_retries, 5);
	/* an unset secret is an error naming the variable, never a value */
	unsetenv("LAC_T_CIO");
	size_t before = p.diags.n;
	assert_int_equal(dest_config_from_project(&p, project_destination(&p, "cio"), &cfg), -1);
	assert_true(p.diags.n > before);
	diags = fx_diags(&p);
	assert_non_null(strstr(diags, "LAC_T_CIO"));
	assert_null(strstr(diags, "bz_secret_1"));
	free(diags);
	project_release(&p);
	fx_leave();
}

/* ---- presets over HTTP ------------------------------------------------------------------ */

struct server {
	pid_t pid;
	char port[16], bodies[128];
};

static bool server_start(struct server *s, const char *const *expect_headers, size_t n)
{
	const char *py = getenv("PYTHON3") && *getenv("PYTHON3") ? getenv("PYTHON3") : "python3";
	char script[512], portfile[128], log[128];
	const char *src = getenv("LAC_SRCDIR");
	if (src)
		snprintf(script, sizeof(script), "%s/tests/http/fault_server.py", src);
	else
		snprintf(script, sizeof(script), "%s/../tests/http/fault_server.py", LAC_SRC_STDLIB_DIR);
	if (access(script, R_OK) != 0)
		return false;
	snprintf(portfile, sizeof(portfile), "%s/port", tmpdir);
	snprintf(log, sizeof(log), "%s/recv.jsonl", tmpdir);
	snprintf(s->bodies, sizeof(s->bodies), "%s/bodies.jsonl", tmpdir);
	const char *argv[32];
	size_t k = 0;
	argv[k++] = py;
	argv[k++] = script;
	argv[k++] = "--port-file";
	argv[k++] = portfile;
	argv[k++] = "--log";
	argv[k++] = log;
	argv[k++] = "--bodies";
	argv[k++] = s->bodies;
	argv[k++] = "--lifetime";
	argv[k++] = "30";
	for (size_t i = 0; i < n && k < 28; i++) {
		argv[k++] = "--expect-header";
		argv[k++] = expect_headers[i];
	}
	argv[k] = NULL;
	s->pid = fork();
	if (s->pid == 0) {
		execvp(py, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(portfile, "r");
		if (f) {
			bool ok = fgets(s->port, sizeof(s->port), f) != NULL;
			fclose(f);
			if (ok) {
				s->port[strcspn(s->port, "\n")] = '\0';
				return true;
			}
		}
		int status;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			return false;
		}
		struct timespec ts = { 0, 25 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return false;
}

static void server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
}

/* The requests recorded for path, in order: bodies (a JSON array of
 * {body, headers_ok, status}). */
static json_t *requests_to(struct server *s, const char *path)
{
	json_t *out = json_array();
	FILE *f = fopen(s->bodies, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);
		assert_non_null(j);
		if (strcmp(json_string_value(json_object_get(j, "path")), path) == 0)
			json_array_append(out, j);
		json_decref(j);
	}
	free(line);
	fclose(f);
	return out;
}

static const char *req_body(json_t *reqs, size_t i)
{
	return json_string_value(json_object_get(json_array_get(reqs, i), "body"));
}

static void assert_headers_ok(json_t *reqs)
{
	size_t i;
	json_t *r;
	json_array_foreach(reqs, i, r)
		assert_true(json_is_true(json_object_get(r, "headers_ok")));
}

#define TS "2024-05-06T07:08:09.000Z"
#define EPOCH "1714979289"
#define E1_PROPS "{\"audience_key\":\"pets\",\"pets\":true,\"email\":\"a@x.io\"}"
#define E2_TRAITS "{\"pets\":false,\"name\":\"Bo\"}"
#define E3_PROPS "{\"email\":\"c@x.io\",\"entity_id\":\"7\"}"

/* Track for u1, Identify for u2, Track known only by email, one without any
 * identifier, one of a type the presets do not take. */
static void sample_events(struct dest_event *evs)
{
	static const char *const json[] = {
		"{\"type\":\"track\",\"event\":\"Audience Entered\",\"userId\":\"u1\",\"messageId\":\"m1\","
		"\"timestamp\":\"" TS "\",\"properties\":" E1_PROPS ","
		"\"context\":{\"personas\":{\"computation_class\":\"audience\"}}}",
		"{\"type\":\"identify\",\"userId\":\"u2\",\"messageId\":\"m2\",\"timestamp\":\"" TS "\","
		"\"traits\":" E2_TRAITS ",\"context\":{}}",
		"{\"type\":\"track\",\"event\":\"Entity Added\",\"anonymousId\":\"p3\",\"messageId\":\"m3\","
		"\"timestamp\":\"" TS "\",\"properties\":" E3_PROPS "}",
		"{\"type\":\"track\",\"event\":\"X\",\"anonymousId\":\"p4\",\"messageId\":\"m4\",\"properties\":{}}",
		"{\"type\":\"page\",\"userId\":\"u5\",\"messageId\":\"m5\"}",
	};
	static const char *const ids[] = { "m1", "m2", "m3", "m4", "m5" };
	for (size_t i = 0; i < 5; i++) {
		memset(&evs[i], 0, sizeof(evs[i]));
		evs[i].message_id = ids[i];
		evs[i].json = json[i];
		evs[i].len = strlen(json[i]);
	}
}

static void preset_config(struct dest_config *cfg, const char *type, const char *url)
{
	memset(cfg, 0, sizeof(*cfg));
	dest_config_defaults(cfg);
	cfg->name = type;
	cfg->type = type;
	cfg->url = url;
	cfg->timeout_ms = 2000;
	cfg->connect_timeout_ms = 1000;
	cfg->max_retries = 2;
	cfg->backoff_ms = 10;
	cfg->backoff_max_ms = 50;
}

static void assert_common_outcomes(struct dest_event *evs, const char *secret)
{
	assert_int_equal(evs[0].outcome, DEST_DELIVERED);
	assert_int_equal(evs[1].outcome, DEST_DELIVERED);
	assert_int_equal(evs[2].outcome, DEST_DELIVERED);
	assert_int_equal(evs[3].outcome, DEST_REJECTED);
	assert_non_null(strstr(evs[3].reason, "no userId or email"));
	assert_int_equal(evs[4].outcome, DEST_REJECTED);
	assert_non_null(strstr(evs[4].reason, "'page'"));
	for (size_t i = 0; i < 5; i++)
		assert_null(strstr(evs[i].reason, secret));
}

/* An event a preset could never send (no userId, no email; not track or
 * identify) is unusable for it, so the run counts it invalid; the other
 * types take every event. */
static void test_event_usable(void **state)
{
	(void)state;
	struct dest_event evs[5];
	sample_events(evs);
	char why[160];
	const char *presets[] = { "braze", "iterable", "customerio" };
	for (size_t k = 0; k < ARRAY_LEN(presets); k++) {
		for (size_t i = 0; i < 3; i++) {
			why[0] = '\0';
			assert_true(dest_event_usable(presets[k], evs[i].json, evs[i].len, why, sizeof(why)));
		}
		assert_false(dest_event_usable(presets[k], evs[3].json, evs[3].len, why, sizeof(why)));
		char want[64];
		snprintf(want, sizeof(want), "no userId or email: %s needs one", presets[k]);
		assert_string_equal(why, want);
		assert_false(dest_event_usable(presets[k], evs[4].json, evs[4].len, why, sizeof(why)));
		assert_non_null(strstr(why, "'page'"));
	}
	const char *others[] = { "segment", "webhook", "file", "stdout", "warehouse" };
	for (size_t k = 0; k < ARRAY_LEN(others); k++)
		assert_true(dest_event_usable(others[k], evs[3].json, evs[3].len, why, sizeof(why)));
}

static void test_braze(void **state)
{
	static const char *const hdr[] = { "Authorization: Bearer bz_key_123" };
	struct server s = { 0 };
	if (!server_start(&s, hdr, 1)) {
		server_stop(&s);
		skip();
	}
	char *base = xasprintf("http://127.0.0.1:%s/ok/braze/", s.port);
	struct dest_config cfg;
	preset_config(&cfg, "braze", base);
	cfg.api_key = "bz_key_123";
	cfg.app_id = "app1";
	struct dest *d;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	size_t pe, pb;
	dest_page_limits(d, &pe, &pb);
	assert_int_equal(pe, 75);
	struct dest_event evs[5];
	sample_events(evs);
	assert_int_equal(dest_send(d, evs, 5), 0);
	assert_common_outcomes(evs, "bz_key_123");
	assert_int_equal(dest_requests(d), 1);

	/* 400 for a batch: bisected down to the bad event; 500 once: retried */
	char *bad = xasprintf("http://127.0.0.1:%s/bad/braze", s.port);
	struct dest_config c2 = cfg;
	c2.url = bad;
	struct dest *d2;
	assert_int_equal(dest_open(&c2, &d2, &err), 0);
	struct dest_event b[4];
	const char *bj[] = {
		"{\"type\":\"track\",\"event\":\"E\",\"userId\":\"a\",\"properties\":{}}",
		"{\"type\":\"track\",\"event\":\"E\",\"userId\":\"b\",\"properties\":{\"bad\":true}}",
		"{\"type\":\"identify\",\"userId\":\"c\",\"traits\":{\"bad\":true}}",
		"{\"type\":\"identify\",\"userId\":\"d\",\"traits\":{}}",
	};
	const char *bid[] = { "b0", "b1", "b2", "b3" };
	for (size_t i = 0; i < 4; i++)
		b[i] = (struct dest_event){ .message_id = bid[i], .json = bj[i], .len = strlen(bj[i]) };
	assert_int_equal(dest_send(d2, b, 4), 0);
	assert_int_equal(b[0].outcome, DEST_DELIVERED);
	assert_int_equal(b[1].outcome, DEST_REJECTED);
	assert_non_null(strstr(b[1].reason, "HTTP 400"));
	assert_int_equal(b[2].outcome, DEST_REJECTED);
	assert_int_equal(b[3].outcome, DEST_DELIVERED);
	dest_close(d2);
	free(bad);

	/* 201 taking the batch, its answer listing the entries Braze refused:
	 * those fail with Braze's words, the rest are delivered */
	char *partial = xasprintf("http://127.0.0.1:%s/partial/braze", s.port);
	c2.url = partial;
	assert_int_equal(dest_open(&c2, &d2, &err), 0);
	for (size_t i = 0; i < 4; i++)
		b[i] = (struct dest_event){ .message_id = bid[i], .json = bj[i], .len = strlen(bj[i]) };
	assert_int_equal(dest_send(d2, b, 4), 0);
	assert_int_equal(dest_requests(d2), 1);
	assert_int_equal(b[0].outcome, DEST_DELIVERED);
	assert_int_equal(b[1].outcome, DEST_REJECTED);
	assert_string_equal(b[1].reason, "refused by Braze: bad entry (key=b)");
	assert_int_equal(b[2].outcome, DEST_REJECTED);
	assert_string_equal(b[2].reason, "refused by Braze: bad entry (key=c)");
	assert_int_equal(b[3].outcome, DEST_DELIVERED);
	dest_close(d2);
	free(partial);

	char *flaky = xasprintf("http://127.0.0.1:%s/flaky/braze", s.port);
	c2.url = flaky;
	assert_int_equal(dest_open(&c2, &d2, &err), 0);
	assert_int_equal(dest_send(d2, b, 1), 0);
	assert_int_equal(b[0].outcome, DEST_DELIVERED);
	assert_int_equal(dest_requests(d2), 2);
	dest_close(d2);
	free(flaky);
	dest_close(d);

	json_t *reqs = requests_to(&s, "/ok/braze/users/track");
	assert_int_equal(json_array_size(reqs), 1);
	assert_headers_ok(reqs);
	assert_string_equal(req_body(reqs, 0),
		"{\"attributes\":[{\"external_id\":\"u2\",\"pets\":false,\"name\":\"Bo\",\"_update_existing_only\":false}],"
		"\"events\":[{\"external_id\":\"u1\",\"app_id\":\"app1\",\"name\":\"Audience Entered\",\"time\":\"" TS "\","
		"\"properties\":" E1_PROPS ",\"_update_existing_only\":false},"
		"{\"email\":\"c@x.io\",\"app_id\":\"app1\",\"name\":\"Entity Added\",\"time\":\"" TS "\","
		"\"properties\":" E3_PROPS ",\"_update_existing_only\":false}]}");
	json_decref(reqs);
	reqs = requests_to(&s, "/bad/braze/users/track");
	assert_true(json_array_size(reqs) >= 3); /* the whole batch, then halves */
	assert_headers_ok(reqs);
	json_decref(reqs);
	server_stop(&s);
	sb_release(&err);
	free(base);
}

static void test_iterable(void **state)
{
	static const char *const hdr[] = { "Api-Key: it_key_456" };
	struct server s = { 0 };
	if (!server_start(&s, hdr, 1)) {
		server_stop(&s);
		skip();
	}
	char *base = xasprintf("http://127.0.0.1:%s/ok/it", s.port);
	struct dest_config cfg;
	preset_config(&cfg, "iterable", base);
	cfg.api_key = "it_key_456";
	struct dest *d;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	struct dest_event evs[5];
	sample_events(evs);
	assert_int_equal(dest_send(d, evs, 5), 0);
	assert_common_outcomes(evs, "it_key_456");
	assert_int_equal(dest_requests(d), 3);
	dest_close(d);

	json_t *reqs = requests_to(&s, "/ok/it/events/track");
	assert_int_equal(json_array_size(reqs), 2);
	assert_headers_ok(reqs);
	assert_string_equal(req_body(reqs, 0),
		"{\"userId\":\"u1\",\"eventName\":\"Audience Entered\",\"id\":\"m1\",\"createdAt\":" EPOCH ","
		"\"dataFields\":" E1_PROPS "}");
	assert_string_equal(req_body(reqs, 1),
		"{\"email\":\"c@x.io\",\"eventName\":\"Entity Added\",\"id\":\"m3\",\"createdAt\":" EPOCH ","
		"\"dataFields\":" E3_PROPS "}");
	json_decref(reqs);
	reqs = requests_to(&s, "/ok/it/users/update");
	assert_int_equal(json_array_size(reqs), 1);
	assert_headers_ok(reqs);
	assert_string_equal(req_body(reqs, 0),
		"{\"userId\":\"u2\",\"dataFields\":" E2_TRAITS ",\"preferUserId\":true}");
	json_decref(reqs);

	/* a destination that stays down: the page stops, nothing is rejected */
	char *down = xasprintf("http://127.0.0.1:%s/down/it", s.port);
	cfg.url = down;
	cfg.max_retries = 1;
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	sample_events(evs);
	assert_int_equal(dest_send(d, evs, 3), -1);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(evs[i].outcome, DEST_RETRY);
	assert_int_equal(dest_requests(d), 2);
	dest_close(d);
	free(down);
	server_stop(&s);
	sb_release(&err);
	free(base);
}

static char *base64(const char *s)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s);
	char *out = xcalloc(1, (n + 2) / 3 * 4 + 1), *o = out;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		*o++ = tbl[(v >> 18) & 63];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? tbl[v & 63] : '=';
	}
	return out;
}

static void test_customerio(void **state)
{
	char *b64 = base64("site_789:cio_key_789");
	char *auth = xasprintf("Authorization: Basic %s", b64);
	const char *hdr[] = { auth };
	struct server s = { 0 };
	if (!server_start(&s, hdr, 1)) {
		server_stop(&s);
		free(b64);
		free(auth);
		skip();
	}
	char *base = xasprintf("http://127.0.0.1:%s/ok/cio/api/v2", s.port);
	struct dest_config cfg;
	preset_config(&cfg, "customerio", base);
	cfg.site_id = "site_789";
	cfg.api_key = "cio_key_789";
	struct dest *d;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	struct dest_event evs[5];
	sample_events(evs);
	assert_int_equal(dest_send(d, evs, 5), 0);
	assert_common_outcomes(evs, "cio_key_789");
	assert_int_equal(dest_requests(d), 1);
	dest_close(d);
	json_t *reqs = requests_to(&s, "/ok/cio/api/v2/batch");
	assert_int_equal(json_array_size(reqs), 1);
	assert_headers_ok(reqs);
	assert_string_equal(req_body(reqs, 0),
		"{\"batch\":["
		"{\"type\":\"person\",\"identifiers\":{\"id\":\"u1\"},\"action\":\"event\",\"name\":\"Audience Entered\","
		"\"timestamp\":" EPOCH ",\"attributes\":" E1_PROPS "},"
		"{\"type\":\"person\",\"identifiers\":{\"id\":\"u2\"},\"action\":\"identify\","
		"\"timestamp\":" EPOCH ",\"attributes\":" E2_TRAITS "},"
		"{\"type\":\"person\",\"identifiers\":{\"email\":\"c@x.io\"},\"action\":\"event\",\"name\":\"Entity Added\","
		"\"timestamp\":" EPOCH ",\"attributes\":" E3_PROPS "}]}");
	json_decref(reqs);

	/* 200 taking the batch, its errors naming the entries refused (by
	 * their index in the batch); a reason quoting the key is redacted */
	char *partial = xasprintf("http://127.0.0.1:%s/partial/cio", s.port);
	struct dest_config c2 = cfg;
	c2.url = partial;
	assert_int_equal(dest_open(&c2, &d, &err), 0);
	struct dest_event b[3];
	const char *bj[] = {
		"{\"type\":\"track\",\"event\":\"E\",\"userId\":\"a\",\"properties\":{}}",
		"{\"type\":\"identify\",\"userId\":\"b\",\"traits\":{\"bad\":true}}",
		"{\"type\":\"track\",\"event\":\"E\",\"userId\":\"c\",\"properties\":{}}",
	};
	const char *bid[] = { "c0", "c1", "c2" };
	for (size_t i = 0; i < 3; i++)
		b[i] = (struct dest_event){ .message_id = bid[i], .json = bj[i], .len = strlen(bj[i]) };
	assert_int_equal(dest_send(d, b, 3), 0);
	assert_int_equal(dest_requests(d), 1);
	assert_int_equal(b[0].outcome, DEST_DELIVERED);
	assert_int_equal(b[1].outcome, DEST_REJECTED);
	assert_string_equal(b[1].reason, "refused by Customer.io: bad entry (attributes.bad)");
	assert_int_equal(b[2].outcome, DEST_DELIVERED);
	dest_close(d);
	free(partial);

	/* no secret: refused at open, naming the missing key */
	cfg.site_id = NULL;
	assert_int_equal(dest_open(&cfg, &d, &err), -1);
	assert_non_null(strstr(err.buf, "site_id"));
	assert_null(strstr(err.buf, "cio_key_789"));
	server_stop(&s);
	sb_release(&err);
	free(base);
	free(b64);
	free(auth);
}

/* ---- no secret in reasons ------------------------------------------------------------ */

/* An endpoint on 127.0.0.1 (a forked child) that answers the i-th request
 * with 400 and bodies[i], then closes the connection; "%ECHO%" as a body
 * stands for what a careless server quotes back: the request line and the
 * Authorization and X-Api headers. */
struct echo {
	pid_t pid;
	int port;
};

static void echo_serve(int fd, const char *const *bodies, size_t n)
{
	alarm(30);
	for (size_t i = 0; i < n; i++) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			_exit(1);
		struct strbuf req = STRBUF_INIT;
		char buf[4096];
		ssize_t k;
		char *end = NULL;
		while (!(end = strstr(req.buf, "\r\n\r\n")) && (k = read(c, buf, sizeof(buf))) > 0)
			sb_addmem(&req, buf, (size_t)k);
		const char *cl = strcasestr(req.buf, "\r\ncontent-length:");
		size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0, head = end ? (size_t)(end - req.buf) + 4 : req.len;
		while (req.len < head + want && (k = read(c, buf, sizeof(buf))) > 0)
			sb_addmem(&req, buf, (size_t)k);
		struct strbuf body = STRBUF_INIT;
		if (strcmp(bodies[i], "%ECHO%") == 0) {
			sb_addmem(&body, req.buf, strcspn(req.buf, "\r"));
			for (const char *h = strstr(req.buf, "\r\n"); h && h < end; h = strstr(h + 2, "\r\n"))
				if (strncasecmp(h + 2, "authorization:", 14) == 0 || strncasecmp(h + 2, "x-api:", 6) == 0) {
					sb_addstr(&body, " | ");
					sb_addmem(&body, h + 2, strcspn(h + 2, "\r"));
				}
		} else {
			sb_addstr(&body, bodies[i]);
		}
		struct strbuf resp = STRBUF_INIT;
		sb_addf(&resp, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			"Connection: close\r\n\r\n%s", body.len, body.buf);
		if (write(c, resp.buf, resp.len) != (ssize_t)resp.len)
			_exit(1);
		close(c);
		sb_release(&req);
		sb_release(&body);
		sb_release(&resp);
	}
	_exit(0);
}

static bool echo_start(struct echo *e, const char *const *bodies, size_t n)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	e->port = ntohs(a.sin_port);
	e->pid = fork();
	if (e->pid == 0)
		echo_serve(fd, bodies, n);
	close(fd);
	return e->pid > 0;
}

static void echo_stop(struct echo *e)
{
	if (e->pid > 0) {
		kill(e->pid, SIGTERM);
		waitpid(e->pid, NULL, 0);
		e->pid = 0;
	}
}

/* No 4-byte piece of secret is in text (a cut secret leaks its start). */
static void assert_no_piece(const char *text, const char *secret)
{
	size_t n = strlen(secret);
	for (size_t i = 0; i + 4 <= n; i++) {
		char piece[5];
		memcpy(piece, secret + i, 4);
		piece[4] = '\0';
		if (strstr(text, piece)) {
			print_error("secret piece '%s' in reason: %s\n", piece, text);
			fail();
		}
	}
}

#define HDR_TOKEN "hdr-tok-0123456789"
#define Q_TOKEN "qtok-abcdef123456"
#define PW "pw-s3cr3t"

/* One event through a webhook that answers 400 with the next body; its reason. */
static void send_one(struct dest_config *cfg, struct dest_event *ev)
{
	static const char json[] = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"r1\"}";
	struct dest *d;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(dest_open(cfg, &d, &err), 0);
	*ev = (struct dest_event){ .message_id = "r1", .json = json, .len = strlen(json) };
	assert_int_equal(dest_send(d, ev, 1), 0);
	assert_int_equal(ev->outcome, DEST_REJECTED);
	dest_close(d);
	sb_release(&err);
}

/* The table of destination types: every type the loader accepts has a
 * driver row and every row's keys are known to the loader (a builtin row
 * of project/dest_kind.c or a stdlib preset file), so the two halves of a
 * row cannot drift apart. */
static void test_dest_type_table(void **state)
{
	size_t nkinds, ntypes;
	const struct dest_kind *kinds = dest_kind_builtins(&nkinds);
	const struct dest_type *types = dest_types(&ntypes);
	for (size_t i = 0; i < nkinds; i++) {
		const struct dest_type *t = dest_type_find(kinds[i].type);
		assert_non_null(t);
		assert_ptr_equal(dest_kind_builtin(t->name), &kinds[i]);
	}
	for (size_t i = 0; i < ntypes; i++) {
		assert_non_null(types[i].ops);
		assert_non_null(types[i].ops->open);
		if (dest_kind_builtin(types[i].name))
			continue;
		char *path = xasprintf("%s/destinations/%s.yaml", project_stdlib_dir(), types[i].name);
		assert_int_equal(access(path, R_OK), 0);
		free(path);
	}
	assert_null(dest_type_find("nope"));
	assert_null(dest_kind_builtin("braze")); /* a preset: its keys are its YAML's */
	const struct dest_key *k = dest_kind_key(dest_kind_builtin("webhook"), "headers");
	assert_non_null(k);
	assert_true(k->map);
	k = dest_kind_key(dest_kind_builtin("segment"), "write_key");
	assert_true(k->required);
	assert_null(dest_kind_key(dest_kind_builtin("file"), "url"));

	/* a builtin type's defaults are filled in like a preset's */
	fx_enter();
	fx_write("lac.yaml", "version: 1\nname: shop\ngraph: g.yaml\naudiences: a\n"
		 "destinations:\n"
		 "  hook: { type: webhook, url: \"https://h.example\", max_retries: 2 }\n");
	fx_write("g.yaml", "version: 1\n");
	struct project p;
	char *diags = fx_load(&p);
	free(diags);
	const struct destination *d = project_destination(&p, "hook");
	assert_non_null(d);
	assert_string_equal(destination_setting(d, "timeout")->value, "30");
	assert_string_equal(destination_setting(d, "max_retries")->value, "2");
	struct dest_config cfg;
	assert_int_equal(dest_config_from_project(&p, d, &cfg), 0);
	assert_int_equal(cfg.timeout_ms, 30000);
	assert_int_equal(cfg.max_retries, 2);
	project_release(&p);
	fx_leave();
}

static void test_reasons_hold_no_secret(void **state)
{
	struct strbuf straddle = STRBUF_INIT, tail = STRBUF_INIT;
	/* the excerpt is 160 bytes: the token starts 10 bytes before the cut */
	for (int i = 0; i < 150; i++)
		sb_addch(&straddle, 'x');
	sb_addstr(&straddle, HDR_TOKEN);
	/* 5,400 bytes of tokens: the 4,096 kept end inside one */
	for (int i = 0; i < 300; i++)
		sb_addstr(&tail, HDR_TOKEN);
	const char *bodies[] = { straddle.buf, "%ECHO%", tail.buf, "%ECHO%" };
	struct echo e = { 0 };
	assert_true(echo_start(&e, bodies, 4));
	char *url = xasprintf("http://user1:" PW "@127.0.0.1:%d/hook?format=json&token=" Q_TOKEN, e.port);
	struct dest_header hdr = { "X-Api", "Bearer " HDR_TOKEN };
	struct dest_config cfg;
	preset_config(&cfg, "webhook", url);
	cfg.name = "hook";
	cfg.max_retries = 0;
	cfg.headers = &hdr;
	cfg.nheaders = 1;
	struct dest_event ev;

	/* a secret straddling the excerpt's cut: redacted before the cut */
	send_one(&cfg, &ev);
	assert_non_null(strstr(ev.reason, "HTTP 400: xxxx"));
	assert_non_null(strstr(ev.reason, "[redacted]"));
	assert_no_piece(ev.reason, HDR_TOKEN);

	/* echoed: the query token, basic auth (base64 of user1:pw), the header's token */
	send_one(&cfg, &ev);
	assert_non_null(strstr(ev.reason, "POST /hook?format=json&token=[redacted] HTTP/1.1"));
	assert_non_null(strstr(ev.reason, "Authorization: Basic [redacted]"));
	assert_non_null(strstr(ev.reason, "X-Api: [redacted]"));
	assert_no_piece(ev.reason, Q_TOKEN);
	assert_no_piece(ev.reason, HDR_TOKEN);
	assert_no_piece(ev.reason, "dXNlcjE6cHctczNjcjN0"); /* base64("user1:pw-s3cr3t") */

	/* the response kept is cut inside a token: that tail is redacted too */
	send_one(&cfg, &ev);
	assert_string_equal(ev.reason, "HTTP 400: [redacted]");
	echo_stop(&e);
	free(url);

	/* a ${VAR} value in the URL's path, known only from the project */
	const char *echo_only[] = { "%ECHO%" };
	assert_true(echo_start(&e, echo_only, 1));
	fx_enter();
	fx_write("lac.yaml", "version: 1\nname: shop\ngraph: g.yaml\naudiences: a\n"
		 "warehouse: { type: sqlite, path: wh.db }\n"
		 "destinations:\n"
		 "  hook: { type: webhook, url: \"http://127.0.0.1:${LAC_T_PORT}/hooks/${LAC_T_PATHTOK}\" }\n");
	fx_write("g.yaml", "version: 1\n");
	char port[16];
	snprintf(port, sizeof(port), "%d", e.port);
	setenv("LAC_T_PORT", port, 1);
	setenv("LAC_T_PATHTOK", "path-tok-ABCDEF", 1);
	struct project p;
	free(fx_load(&p));
	struct dest_config pc;
	dest_config_defaults(&pc);
	assert_int_equal(dest_config_from_project(&p, project_destination(&p, "hook"), &pc), 0);
	pc.max_retries = 0;
	send_one(&pc, &ev);
	assert_non_null(strstr(ev.reason, "POST /hooks/[redacted] HTTP/1.1"));
	assert_no_piece(ev.reason, "path-tok-ABCDEF");
	echo_stop(&e);

	/* libcurl's own message (it names the host it failed to reach): redacted
	 * too; here the host is itself a ${VAR} value */
	setenv("LAC_T_HOST", "127.0.0.1", 1);
	fx_write("lac.yaml", "version: 1\nname: shop\ngraph: g.yaml\naudiences: a\n"
		 "warehouse: { type: sqlite, path: wh.db }\n"
		 "destinations:\n"
		 "  down: { type: webhook, url: \"http://${LAC_T_HOST}:${LAC_T_PORT}/x\" }\n");
	project_release(&p);
	free(fx_load(&p));
	dest_config_defaults(&pc);
	assert_int_equal(dest_config_from_project(&p, project_destination(&p, "down"), &pc), 0);
	pc.max_retries = 0;
	pc.connect_timeout_ms = 1000;
	struct dest *d;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(dest_open(&pc, &d, &err), 0);
	static const char json[] = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}";
	ev = (struct dest_event){ .message_id = "r2", .json = json, .len = strlen(json) };
	assert_int_equal(dest_send(d, &ev, 1), -1); /* nothing listens there any more */
	assert_int_equal(ev.outcome, DEST_RETRY);
	assert_null(strstr(ev.reason, "127.0.0.1"));
	assert_non_null(strstr(ev.reason, "[redacted]")); /* curl's "Failed to connect to <host> ..." */
	dest_close(d);
	sb_release(&err);
	project_release(&p);
	fx_leave();
	sb_release(&straddle);
	sb_release(&tail);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_warehouse_sqlite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warehouse_busy_is_transient, setup, teardown),
		cmocka_unit_test(test_warehouse_config_from_project),
		cmocka_unit_test_setup_teardown(test_warehouse_table_injection, setup, teardown),
		cmocka_unit_test(test_event_usable),
		cmocka_unit_test_setup_teardown(test_braze, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iterable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_customerio, setup, teardown),
		cmocka_unit_test(test_dest_type_table),
		cmocka_unit_test(test_reasons_hold_no_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
