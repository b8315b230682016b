/* test_token_endpoint.c — the OAuth token helpers of src/net/ against a
 * fake token endpoint on 127.0.0.1 (tests/fakes/token_server.py, which
 * checks the JWT's signature with the test key's public key and its
 * claims, and the client credentials): BigQuery's service-account grant
 * from a key file or its JSON text, Databricks OAuth M2M, tokens kept and
 * renewed, 503 retried, 400/401 refusals and an unreachable endpoint each a
 * clear error without a secret, and the keys of other types refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "net/databricks_m2m.h"
#include "net/derived_secrets.h"
#include "net/google_sa.h"
#include "net/token_endpoint.h"
#include "test_keys.h"

#define SA_EMAIL "lac-runner@my-project.iam.gserviceaccount.com"
#define CLIENT_ID "lac-service-principal"
#define CLIENT_SECRET "dose-client-secret-4711"

static pid_t server_pid;
static char base_url[64]; /* http://127.0.0.1:<port> */

static const struct http_client_config transport = {
	.connect_timeout_ms = 2000,
	.timeout_ms = 5000,
	.retry = { 2, 50, 200, 1000 },
};

static char *fake_script(void)
{
	const char *src = getenv("LAC_SRCDIR");
	if (src && *src)
		return xasprintf("%s/tests/fakes/token_server.py", src);
	return xasprintf("%s/../tests/fakes/token_server.py", LAC_SRC_STDLIB_DIR);
}

static int setup(void **state)
{
	(void)state;
	const char *dir = test_keys_make();
	if (!dir)
		return -1;
	const char *py = getenv("PYTHON3") && *getenv("PYTHON3") ? getenv("PYTHON3") : "python3";
	char *script = fake_script(), *portfile = test_keys_path("port");
	char *log = test_keys_path("token.log"), *pub = test_keys_path("pub.pem");
	const char *argv[] = { py, script, "--port-file", portfile, "--log", log, "--pubkey", pub,
			       "--sa-email", SA_EMAIL, "--client-id", CLIENT_ID, "--client-secret",
			       CLIENT_SECRET, "--lifetime", "120", NULL };
	server_pid = fork();
	if (server_pid == 0) {
		execvp(py, (char *const *)argv);
		_exit(127);
	}
	int rc = -1;
	for (int i = 0; i < 400 && rc < 0; i++) {
		FILE *f = fopen(portfile, "r");
		int port;
		if (f && fscanf(f, "%d", &port) == 1) {
			snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", port);
			rc = 0;
		}
		if (f)
			fclose(f);
		if (rc < 0 && waitpid(server_pid, NULL, WNOHANG) == server_pid)
			break;
		struct timespec ts = { 0, 25 * 1000000L };
		nanosleep(&ts, NULL);
	}
	free(script);
	free(portfile);
	free(log);
	free(pub);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	test_keys_remove();
	return 0;
}

/* A service-account key (as JSON text) signed by key_file's key, for
 * client_email and the fake's path (".../token"); type as given. */
static char *sa_json(const char *type, const char *email, const char *key_file, const char *path)
{
	char *pem = test_keys_read(key_file);
	char *uri = xasprintf("%s%s", base_url, path);
	json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", type, "project_id",
				"my-project", "private_key_id", "0123abcd", "private_key", pem,
				"client_email", email, "token_uri", uri);
	char *text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	free(uri);
	free(pem);
	return text;
}

/* text written to the test directory as name: its path. */
static char *write_file(const char *name, const char *text)
{
	char *path = test_keys_path(name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static bool is_derived_secret(const char *v)
{
	size_t n;
	const char *const *list = derived_secrets(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], v) == 0)
			return true;
	return false;
}

/* ---- the form ----------------------------------------------------------------------------- */

static void test_form_encoding(void **state)
{
	struct strbuf f = STRBUF_INIT;
	form_add(&f, "grant_type", GOOGLE_SA_GRANT_TYPE);
	form_add(&f, "scope", "all-apis");
	form_add(&f, "x y", "a+b/c=d&e~f.g_h");
	assert_string_equal(f.buf, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
				   "&scope=all-apis&x%20y=a%2Bb%2Fc%3Dd%26e~f.g_h");
	sb_release(&f);
}

/* ---- BigQuery: the service-account grant -------------------------------------------------- */

static void test_google_grant_from_file(void **state)
{
	char *json = sa_json("service_account", SA_EMAIL, "plain.pem", "/google/token");
	char *path = write_file("sa.json", json);
	struct strbuf err = STRBUF_INIT;
	struct google_sa *sa = NULL;
	assert_int_equal(google_sa_open(path, &sa, &err), 0);
	assert_string_equal(google_sa_email(sa), SA_EMAIL);
	time_t now = time(NULL);
	const char *tok = google_sa_token(sa, &transport, now, &err);
	if (!tok)
		fail_msg("%s", err.buf);
	assert_true(strncmp(tok, "fake-token-", 11) == 0);
	assert_true(is_derived_secret(tok));
	/* kept for the hour, less the renew margin */
	char *first = xstrdup(tok);
	assert_string_equal(google_sa_token(sa, &transport, now + 3299, &err), first);
	google_sa_free(sa);
	assert_false(is_derived_secret(first)); /* released with its holder */
	free(first);
	free(path);
	free(json);
	sb_release(&err);
}

/* JSON text instead of a path (credentials: "${VAR}" holding the key);
 * a token of two minutes is renewed a quarter of its life early. */
static void test_google_grant_from_text_renewed(void **state)
{
	char *json = sa_json("service_account", SA_EMAIL, "plain.pem", "/short/token");
	char *text = xasprintf("  \n%s", json);
	struct strbuf err = STRBUF_INIT;
	struct google_sa *sa = NULL;
	assert_int_equal(google_sa_open(text, &sa, &err), 0);
	assert_true(is_derived_secret(text));
	time_t now = time(NULL);
	const char *tok = google_sa_token(sa, &transport, now, &err);
	if (!tok)
		fail_msg("%s", err.buf);
	char *first = xstrdup(tok);
	assert_string_equal(google_sa_token(sa, &transport, now + 89, &err), first);
	tok = google_sa_token(sa, &transport, now + 90, &err);
	if (!tok)
		fail_msg("%s", err.buf);
	assert_string_not_equal(tok, first);
	assert_false(is_derived_secret(first));
	assert_true(is_derived_secret(tok));
	google_sa_free(sa);
	free(first);
	free(text);
	free(json);
	sb_release(&err);
}

/* 503 once: retried by the client's policy. */
static void test_google_flaky_retried(void **state)
{
	char *json = sa_json("service_account", SA_EMAIL, "pkcs1.pem", "/flaky/token");
	struct strbuf err = STRBUF_INIT;
	struct google_sa *sa = NULL;
	assert_int_equal(google_sa_open(json, &sa, &err), 0);
	const char *tok = google_sa_token(sa, &transport, time(NULL), &err);
	if (!tok)
		fail_msg("%s", err.buf);
	google_sa_free(sa);
	free(json);
	sb_release(&err);
}

/* The endpoint's refusals, in its own words, and nothing secret. */
static void test_google_refused(void **state)
{
	static const struct { const char *email, *key, *path, *want; } cases[] = {
		{ "someone-else@x.iam.gserviceaccount.com", "plain.pem", "/google/token",
		  "HTTP 400: invalid_grant: bad iss claim" },
		{ SA_EMAIL, "other.pem", "/google/token", "HTTP 400: invalid_grant: Invalid JWT Signature." },
		{ SA_EMAIL, "plain.pem", "/deny/token", "HTTP 401: access_denied: the client is not allowed" },
		{ SA_EMAIL, "plain.pem", "/nowhere", "HTTP 404: not_found: no such endpoint" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *json = sa_json("service_account", cases[i].email, cases[i].key, cases[i].path);
		struct strbuf err = STRBUF_INIT;
		struct google_sa *sa = NULL;
		assert_int_equal(google_sa_open(json, &sa, &err), 0);
		assert_null(google_sa_token(sa, &transport, time(NULL), &err));
		char *want = xasprintf("token request to %s%s failed: %s", base_url, cases[i].path,
				       cases[i].want);
		assert_string_equal(err.buf, want);
		free(want);
		google_sa_free(sa);
		free(json);
		sb_release(&err);
	}
	/* a clock an hour and more ahead: the endpoint refuses the JWT as too old */
	char *json = sa_json("service_account", SA_EMAIL, "plain.pem", "/google/token");
	struct strbuf err = STRBUF_INIT;
	struct google_sa *sa = NULL;
	assert_int_equal(google_sa_open(json, &sa, &err), 0);
	assert_null(google_sa_token(sa, &transport, time(NULL) - 4000, &err));
	assert_non_null(strstr(err.buf, "HTTP 400: invalid_grant: Invalid JWT"));
	google_sa_free(sa);
	free(json);
	sb_release(&err);
}

/* Keys lac cannot use: each names the problem, never the key. */
static void test_google_bad_keys(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct google_sa *sa = NULL;
	char *ext = sa_json("external_account", SA_EMAIL, "plain.pem", "/google/token");
	char *path = write_file("ext.json", ext);
	assert_int_equal(google_sa_open(path, &sa, &err), -1);
	assert_null(sa);
	char *want = xasprintf("the credentials file %s: a key of type \"external_account\" is not "
			       "supported: lac signs in with a \"service_account\" key; for other "
			       "credentials give an access token with token: \"${VAR}\"", path);
	assert_string_equal(err.buf, want);
	free(want);
	free(path);
	sb_reset(&err);
	/* as text: not named by path */
	assert_int_equal(google_sa_open(ext, &sa, &err), -1);
	assert_true(str_starts(err.buf, "the credentials: a key of type \"external_account\""));
	free(ext);

	char *bad_pem = sa_json("service_account", SA_EMAIL, "garbage.pem", "/google/token");
	char *no_email = xstrdup("{\"type\": \"service_account\", \"private_key\": \"x\"}");
	static const char *const texts_want[][2] = {
		{ NULL, "private_key: no PEM private key found" },
		{ NULL, "the service-account key has no \"client_email\"" },
		{ "{\"type\": \"service_account\", \"private_key\": \"secret-bytes", "not valid JSON (line 1, column" },
		{ "{\"client_email\": \"a@b\"}", "no \"type\"" },
	};
	for (size_t i = 0; i < ARRAY_LEN(texts_want); i++) {
		const char *text = i == 0 ? bad_pem : i == 1 ? no_email : texts_want[i][0];
		sb_reset(&err);
		assert_int_equal(google_sa_open(text, &sa, &err), -1);
		if (!strstr(err.buf, texts_want[i][1]))
			fail_msg("case %zu: got \"%s\"", i, err.buf);
		assert_null(strstr(err.buf, "secret-bytes"));
	}
	free(bad_pem);
	free(no_email);
	/* a file of JSON that is no object */
	sb_reset(&err);
	path = write_file("array.json", "[1, 2]\n");
	assert_int_equal(google_sa_open(path, &sa, &err), -1);
	want = xasprintf("the credentials file %s: not a JSON object", path);
	assert_string_equal(err.buf, want);
	free(want);
	free(path);

	sb_reset(&err);
	path = test_keys_path("missing.json");
	assert_int_equal(google_sa_open(path, &sa, &err), -1);
	want = xasprintf("cannot read the credentials file %s: No such file or directory", path);
	assert_string_equal(err.buf, want);
	free(want);
	free(path);
	sb_release(&err);
}

/* ---- Databricks OAuth M2M ------------------------------------------------------------------- */

static void test_databricks_m2m(void **state)
{
	char *endpoint = xasprintf("%s/dbx/", base_url); /* a trailing '/' as users write it */
	struct databricks_m2m *m = databricks_m2m_new(endpoint, CLIENT_ID, CLIENT_SECRET);
	char *url = xasprintf("%s/dbx/oidc/v1/token", base_url);
	assert_string_equal(databricks_m2m_token_url(m), url);
	struct strbuf err = STRBUF_INIT;
	time_t now = time(NULL);
	const char *tok = databricks_m2m_token(m, &transport, now, &err);
	if (!tok)
		fail_msg("%s", err.buf);
	char *first = xstrdup(tok);
	assert_true(is_derived_secret(first));
	assert_string_equal(databricks_m2m_token(m, &transport, now + 3299, &err), first);
	tok = databricks_m2m_token(m, &transport, now + 3300, &err); /* minted anew */
	assert_non_null(tok);
	assert_string_not_equal(tok, first);
	databricks_m2m_free(m);
	free(first);
	free(url);
	free(endpoint);
	sb_release(&err);
}

static void test_databricks_refused(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct databricks_m2m *m = databricks_m2m_new(base_url, CLIENT_ID, "wrong-secret-value");
	assert_null(databricks_m2m_token(m, &transport, time(NULL), &err));
	char *want = xasprintf("token request to %s/oidc/v1/token failed: HTTP 401: invalid_client: "
			       "Client authentication failed", base_url);
	assert_string_equal(err.buf, want);
	free(want);
	databricks_m2m_free(m);

	/* an endpoint where nothing listens: the transport's reason */
	sb_reset(&err);
	m = databricks_m2m_new("http://127.0.0.1:1", CLIENT_ID, CLIENT_SECRET);
	assert_null(databricks_m2m_token(m, &transport, time(NULL), &err));
	assert_true(str_starts(err.buf, "token request to http://127.0.0.1:1/oidc/v1/token failed: "));
	assert_null(strstr(err.buf, CLIENT_SECRET));
	databricks_m2m_free(m);
	sb_release(&err);
}

/* A refusal that quotes the secret back has it redacted. */
static void test_refusal_redacted(void **state)
{
	struct strbuf err = STRBUF_INIT;
	/* the fake names the unsupported grant_type as sent: one holding a secret */
	struct strbuf form = STRBUF_INIT;
	form_add(&form, "grant_type", "echo-" CLIENT_SECRET);
	derived_secret_add(CLIENT_SECRET);
	struct access_token t = { 0 };
	char *url = xasprintf("%s/google/token", base_url);
	assert_int_equal(token_endpoint_fetch(&transport, url, form.buf, time(NULL), &t, &err), -1);
	assert_null(strstr(err.buf, CLIENT_SECRET));
	assert_non_null(strstr(err.buf, "unsupported_grant_type: grant_type 'echo-[redacted]'"));
	free(url);
	sb_release(&form);
	sb_release(&err);
}

/* The answer readers alone, on bodies no server is needed for: a quoted
 * lifetime, a missing one, one too large for the clock, a refusal. */
static void test_answer_bodies(void **state)
{
	(void)state;
	const time_t now = 1700000000;
	struct access_token t = { 0 };
	struct strbuf err = STRBUF_INIT;
	static const char quoted[] = "{\"access_token\":\"tok\",\"expires_in\":\"120\"}";
	assert_int_equal(token_answer_read(quoted, strlen(quoted), now, &t, "https://t/", &err), 0);
	assert_string_equal(t.value, "tok");
	assert_int_equal(t.expires_at, now + 120);
	static const char bare[] = "{\"access_token\":\"tok\"}";
	assert_int_equal(token_answer_read(bare, strlen(bare), now, &t, "https://t/", &err), 0);
	assert_int_equal(t.expires_at, now + TOKEN_LIFETIME_DEFAULT);
	static const char huge[] = "{\"access_token\":\"tok\",\"expires_in\":9223372036854775807}";
	assert_int_equal(token_answer_read(huge, strlen(huge), now, &t, "https://t/", &err), 0);
	assert_true(t.expires_at > now && t.renew_at > now && t.renew_at <= t.expires_at);
	access_token_release(&t);
	static const char none[] = "{\"error\":\"invalid_grant\",\"error_description\":\"Bad JWT.\"}";
	assert_int_equal(token_answer_read(none, strlen(none), now, &t, "https://t/", &err), -1);
	assert_null(t.value);
	assert_string_equal(err.buf, "the token endpoint https://t/ answered without an access_token");
	char *why = token_answer_refusal(none, strlen(none));
	assert_string_equal(why, "invalid_grant: Bad JWT.");
	free(why);
	assert_null(token_answer_refusal("<html>", 6));
	sb_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_encoding),
		cmocka_unit_test(test_answer_bodies),
		cmocka_unit_test(test_google_grant_from_file),
		cmocka_unit_test(test_google_grant_from_text_renewed),
		cmocka_unit_test(test_google_flaky_retried),
		cmocka_unit_test(test_google_refused),
		cmocka_unit_test(test_google_bad_keys),
		cmocka_unit_test(test_databricks_m2m),
		cmocka_unit_test(test_databricks_refused),
		cmocka_unit_test(test_refusal_redacted),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
