/* test_jwt.c — the JWT and key helpers of src/net/ with keys made by the
 * openssl command: base64url, loading PKCS#8 / encrypted PKCS#8 / PKCS#1
 * keys and every way a key is refused (with no secret in the message), the
 * fingerprint against openssl's, RS256 signatures checked with the public
 * key, Snowflake's claims and their renewal, the token clock, and the
 * registry of derived secrets that every HTTP reason is redacted with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "net/access_token.h"
#include "net/derived_secrets.h"
#include "net/http_redact.h"
#include "net/jwt.h"
#include "net/rsa_key.h"
#include "net/snowflake_jwt.h"
#include "test_keys.h"

static int setup(void **state)
{
	(void)state;
	return test_keys_make() ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	test_keys_remove();
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------- */

static struct rsa_key *load(const char *name, const char *pass, struct strbuf *err)
{
	char *path = test_keys_path(name);
	struct rsa_key *k = NULL;
	int rc = rsa_key_load_file(path, pass, &k, err);
	free(path);
	assert_true(rc == 0 ? k != NULL : k == NULL);
	return k;
}

/* The bytes of base64url text s[0..n) (no padding) into out. */
static void b64url_decode(const char *s, size_t n, struct strbuf *out)
{
	struct strbuf std = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		sb_addch(&std, s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i]);
	while (std.len % 4)
		sb_addch(&std, '=');
	unsigned char *raw = xmalloc(std.len);
	int len = EVP_DecodeBlock(raw, (unsigned char *)std.buf, (int)std.len);
	assert_true(len >= 0);
	size_t pad = (std.len && std.buf[std.len - 1] == '=') + (std.len > 1 && std.buf[std.len - 2] == '=');
	sb_addmem(out, raw, (size_t)len - pad);
	free(raw);
	sb_release(&std);
}

/* The claims of jwt, after checking its header and its signature against
 * pub.pem. */
static json_t *verified_claims(const char *jwt)
{
	const char *dot1 = strchr(jwt, '.');
	assert_non_null(dot1);
	const char *dot2 = strchr(dot1 + 1, '.');
	assert_non_null(dot2);
	assert_null(strchr(dot2 + 1, '.'));
	assert_null(strchr(jwt, '=')); /* no padding */
	struct strbuf header = STRBUF_INIT, claims = STRBUF_INIT, sig = STRBUF_INIT;
	b64url_decode(jwt, (size_t)(dot1 - jwt), &header);
	assert_string_equal(header.buf, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
	b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &claims);
	b64url_decode(dot2 + 1, strlen(dot2 + 1), &sig);

	char *path = test_keys_path("pub.pem");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	EVP_PKEY *pub = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	free(path);
	assert_non_null(pub);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub), 1);
	assert_int_equal(EVP_DigestVerify(ctx, (unsigned char *)sig.buf, sig.len,
					  (const unsigned char *)jwt, (size_t)(dot2 - jwt)),
			 1);
	/* one flipped byte of the signed text fails */
	char *bad = xstrdup(jwt);
	bad[dot1 - jwt + 3] ^= 1;
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub), 1);
	assert_int_not_equal(EVP_DigestVerify(ctx, (unsigned char *)sig.buf, sig.len,
					      (const unsigned char *)bad, (size_t)(dot2 - jwt)),
			     1);
	free(bad);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pub);

	json_t *doc = json_loads(claims.buf, 0, NULL);
	assert_non_null(doc);
	sb_release(&header);
	sb_release(&claims);
	sb_release(&sig);
	return doc;
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

/* ---- base64url -------------------------------------------------------------------------- */

static void test_base64url(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
		{ "\xfb\xff", "-_8" }, { "\xfb\xef\xbe", "----" }, { "\xff\xff\xff", "____" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct strbuf sb = STRBUF_INIT;
		jwt_base64url(cases[i].in, strlen(cases[i].in), &sb);
		assert_string_equal(sb.buf, cases[i].out);
		sb_release(&sb);
	}
}

/* ---- keys ------------------------------------------------------------------------------- */

/* Every accepted form gives the same key: openssl's fingerprint. */
static void test_load_forms_and_fingerprint(void **state)
{
	char *want = test_keys_read("fp.txt");
	assert_non_null(want);
	assert_int_equal(strlen(want), 44);
	struct strbuf err = STRBUF_INIT;
	struct { const char *file, *pass; } forms[] = {
		{ "plain.pem", NULL }, { "plain.pem", "" }, { "enc.pem", TEST_KEY_PASS },
		{ "pkcs1.pem", NULL },
		{ "plain.pem", "ignored" }, /* a passphrase for a plain key does no harm */
	};
	for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
		struct rsa_key *k = load(forms[i].file, forms[i].pass, &err);
		if (!k)
			fail_msg("%s: %s", forms[i].file, err.buf);
		char *fp = rsa_key_fingerprint(k);
		assert_string_equal(fp, want);
		free(fp);
		rsa_key_free(k);
	}
	/* PEM text, as from private_key: "${VAR}" */
	char *pem = test_keys_read("enc.pem");
	struct rsa_key *k = NULL;
	assert_int_equal(rsa_key_load_pem(pem, strlen(pem), TEST_KEY_PASS, &k, &err), 0);
	char *fp = rsa_key_fingerprint(k);
	assert_string_equal(fp, want);
	/* the key text and the passphrase are derived secrets from now on */
	assert_true(is_derived_secret(pem));
	assert_true(is_derived_secret(TEST_KEY_PASS));
	free(fp);
	rsa_key_free(k);
	free(pem);
	free(want);
	sb_release(&err);
}

/* Each refusal says why, and quotes neither the key nor the passphrase. */
static void test_load_errors(void **state)
{
	static const struct { const char *file, *pass, *want; } cases[] = {
		{ "enc.pem", NULL, "encrypted and no passphrase is set" },
		{ "enc.pem", "", "encrypted and no passphrase is set" },
		{ "enc.pem", "wrong-passphrase", "wrong passphrase" },
		{ "ec.pem", NULL, "the private key is EC, not RSA" },
		{ "small.pem", NULL, "has 1024 bits: at least 2048" },
		{ "garbage.pem", NULL, "no PEM private key found" },
		{ "pub.pem", NULL, "no PEM private key found" },
		{ "cert.pem", NULL, "no PEM private key found" },
		{ "missing.pem", NULL, "cannot read the private key file" },
	};
	char *pem = test_keys_read("enc.pem");
	char *body_line = xstrndup(strchr(pem, '\n') + 1, 64);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct strbuf err = STRBUF_INIT;
		assert_null(load(cases[i].file, cases[i].pass, &err));
		if (!strstr(err.buf, cases[i].want))
			fail_msg("%s: got \"%s\"", cases[i].file, err.buf);
		assert_non_null(strstr(err.buf, cases[i].file)); /* names the file */
		assert_null(strstr(err.buf, "wrong-passphrase"));
		assert_null(strstr(err.buf, TEST_KEY_PASS));
		assert_null(strstr(err.buf, body_line)); /* no part of the key */
		assert_null(strchr(err.buf, '\n'));
		sb_release(&err);
	}
	assert_true(is_derived_secret("wrong-passphrase"));
	/* from text, the same refusals */
	struct strbuf err = STRBUF_INIT;
	struct rsa_key *k = NULL;
	assert_int_equal(rsa_key_load_pem(pem, strlen(pem), NULL, &k, &err), -1);
	assert_null(k);
	assert_non_null(strstr(err.buf, "no passphrase"));
	sb_reset(&err);
	assert_int_equal(rsa_key_load_pem("", 0, NULL, &k, &err), -1);
	assert_non_null(strstr(err.buf, "no PEM private key"));
	sb_release(&err);
	free(body_line);
	free(pem);
}

/* ---- JWT ---------------------------------------------------------------------------------- */

static void test_sign_verifies(void **state)
{
	struct strbuf err = STRBUF_INIT, jwt = STRBUF_INIT;
	struct rsa_key *k = load("pkcs1.pem", NULL, &err);
	assert_non_null(k);
	json_t *claims = json_pack("{s:s, s:i}", "iss", "someone", "n", 7);
	assert_int_equal(jwt_sign_rs256(k, claims, &jwt, &err), 0);
	json_t *got = verified_claims(jwt.buf);
	assert_true(json_equal(got, claims));
	assert_true(is_derived_secret(jwt.buf));
	json_decref(got);
	/* claims must be an object */
	json_t *arr = json_array();
	sb_reset(&jwt);
	assert_int_equal(jwt_sign_rs256(k, arr, &jwt, &err), -1);
	assert_int_equal(jwt.len, 0);
	json_decref(arr);
	json_decref(claims);
	rsa_key_free(k);
	sb_release(&jwt);
	sb_release(&err);
}

/* ---- Snowflake ---------------------------------------------------------------------------- */

static void test_snowflake_names(void **state)
{
	static const struct { const char *account, *user, *id, *q; } cases[] = {
		{ "xy12345.eu-central-1", "lac_service", "XY12345", "XY12345.LAC_SERVICE" },
		{ "xy12345.us-east-2.aws", "Lac", "XY12345", "XY12345.LAC" },
		{ "myorg-acct", "lac_service", "MYORG-ACCT", "MYORG-ACCT.LAC_SERVICE" },
		{ "XY12345", "u", "XY12345", "XY12345.U" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *id = snowflake_account_id(cases[i].account);
		char *q = snowflake_qualified_user(cases[i].account, cases[i].user);
		assert_string_equal(id, cases[i].id);
		assert_string_equal(q, cases[i].q);
		free(id);
		free(q);
	}
}

static void test_snowflake_claims_and_renewal(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct rsa_key *k = load("enc.pem", TEST_KEY_PASS, &err);
	assert_non_null(k);
	struct snowflake_jwt *s = snowflake_jwt_new("xy12345.eu-central-1", "lac_service", k);
	char *fp = test_keys_read("fp.txt");
	char *iss = xasprintf("XY12345.LAC_SERVICE.SHA256:%s", fp);
	assert_string_equal(snowflake_jwt_issuer(s), iss);

	time_t t0 = 1767225600; /* 2026-01-01T00:00:00Z */
	const char *tok = snowflake_jwt_token(s, t0, &err);
	assert_non_null(tok);
	char *first = xstrdup(tok);
	json_t *c = verified_claims(first);
	assert_string_equal(json_string_value(json_object_get(c, "iss")), iss);
	assert_string_equal(json_string_value(json_object_get(c, "sub")), "XY12345.LAC_SERVICE");
	json_int_t iat = json_integer_value(json_object_get(c, "iat"));
	json_int_t exp = json_integer_value(json_object_get(c, "exp"));
	assert_int_equal(iat, t0);
	assert_true(exp > iat && exp - iat <= 3600);
	assert_int_equal(json_object_size(c), 4);
	json_decref(c);
	assert_true(is_derived_secret(first));

	/* the same token until the renew margin, 5 minutes before it expires */
	assert_string_equal(snowflake_jwt_token(s, t0 + 60, &err), first);
	assert_string_equal(snowflake_jwt_token(s, (time_t)exp - 301, &err), first);
	tok = snowflake_jwt_token(s, (time_t)exp - 300, &err);
	assert_non_null(tok);
	assert_string_not_equal(tok, first);
	c = verified_claims(tok);
	assert_int_equal(json_integer_value(json_object_get(c, "iat")), exp - 300);
	json_decref(c);
	/* the new one is redacted, the replaced one is no longer kept */
	assert_true(is_derived_secret(tok));
	assert_false(is_derived_secret(first));

	free(first);
	free(iss);
	free(fp);
	snowflake_jwt_free(s);
	sb_release(&err);
}

/* ---- the token clock and derived secrets ------------------------------------------------- */

static void test_access_token_clock(void **state)
{
	struct access_token t = { 0 };
	assert_false(access_token_fresh(&t, 0));
	access_token_set(&t, "token-one-hour", 1000, 3600);
	assert_int_equal(t.expires_at, 4600);
	assert_int_equal(t.renew_at, 4300); /* 5 minutes early */
	assert_true(access_token_fresh(&t, 4299));
	assert_false(access_token_fresh(&t, 4300));
	/* a short-lived token is renewed a quarter of its life early */
	access_token_set(&t, "token-two-minutes", 1000, 120);
	assert_int_equal(t.renew_at, 1090);
	assert_true(access_token_fresh(&t, 1089));
	assert_false(access_token_fresh(&t, 1090));
	assert_false(is_derived_secret("token-one-hour"));
	assert_true(is_derived_secret("token-two-minutes"));
	access_token_release(&t);
	assert_false(is_derived_secret("token-two-minutes"));
	assert_null(t.value);
}

static void test_derived_secrets_redacted(void **state)
{
	derived_secret_add("ab"); /* too short to redact */
	derived_secret_add("derived-credential-123");
	derived_secret_add("derived-credential-123");
	size_t n0;
	derived_secrets(&n0);
	assert_false(is_derived_secret("ab"));

	/* every HTTP reason is redacted with them, whichever client it comes from */
	struct http_secrets none = { 0 };
	char why[128];
	http_reason(&none, "HTTP 401: bad token derived-credential-123 here", why, sizeof(why));
	assert_string_equal(why, "HTTP 401: bad token [redacted] here");
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "x derived-credential-123 y");
	derived_secrets_redact(&sb);
	assert_string_equal(sb.buf, "x [redacted] y");
	sb_release(&sb);

	derived_secret_forget("derived-credential-123");
	size_t n1;
	derived_secrets(&n1);
	assert_int_equal(n1, n0 - 1);
	http_reason(&none, "derived-credential-123", why, sizeof(why));
	assert_string_equal(why, "derived-credential-123");
	derived_secret_forget("never-added"); /* no effect */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64url),
		cmocka_unit_test(test_load_forms_and_fingerprint),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_sign_verifies),
		cmocka_unit_test(test_snowflake_names),
		cmocka_unit_test(test_snowflake_claims_and_renewal),
		cmocka_unit_test(test_access_token_clock),
		cmocka_unit_test(test_derived_secrets_redacted),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
