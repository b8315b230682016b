/*
 * http_redact.c — collecting an HTTP client's secrets and redacting them
 * from reasons and response excerpts (http_redact.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "net/derived_secrets.h"
#include "net/http_redact.h"

/* Query parameters whose value is a credential whatever its length. */
static const char *const secret_params[] = {
	"access_token", "api_key", "api-key", "apikey", "auth", "client_secret", "key",
	"password", "secret", "sig", "signature", "token", "x-amz-signature",
};

/* The warehouse APIs' own parameters whose values are never credentials: a
 * new one comes with every statement or page (a request id, a page token),
 * and kept as secrets they would grow the list for as long as the client
 * lives. */
static const char *const public_params[] = {
	"async", "location", "maxResults", "pageToken", "partition", "requestId", "retry",
	"startIndex", "timeoutMs",
};

static void add_mem(struct http_secrets *s, const char *v, size_t n, size_t min)
{
	if (!v || n < min)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->list[i]) == n && memcmp(s->list[i], v, n) == 0)
			return;
	VEC_PUSH(s->list, s->n, s->cap, xstrndup(v, n));
}

void http_secrets_add(struct http_secrets *s, const char *v, size_t min)
{
	if (v)
		add_mem(s, v, strlen(v), min);
}

void http_secrets_release(struct http_secrets *s)
{
	for (size_t i = 0; i < s->n; i++) {
		memset(s->list[i], 0, strlen(s->list[i]));
		free(s->list[i]);
	}
	free(s->list);
	s->list = NULL;
	s->n = s->cap = 0;
}

/* v[0..n) %-decoded (and '+' as a space): malloc'd. */
static char *pct_decode(const char *v, size_t n)
{
	struct strbuf dec = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '%' && i + 2 < n && isxdigit((unsigned char)v[i + 1]) &&
		    isxdigit((unsigned char)v[i + 2])) {
			char hex[3] = { v[i + 1], v[i + 2], '\0' };
			sb_addch(&dec, (char)strtol(hex, NULL, 16));
			i += 2;
		} else {
			sb_addch(&dec, v[i] == '+' ? ' ' : v[i]);
		}
	}
	return sb_detach(&dec);
}

/* A value as written, and %-decoded (a server may echo either). */
static void add_url_part(struct http_secrets *s, const char *v, size_t n, size_t min)
{
	add_mem(s, v, n, min);
	char *dec = pct_decode(v, n);
	http_secrets_add(s, dec, min);
	free(dec);
}

void http_secrets_add_header_value(struct http_secrets *s, const char *v)
{
	http_secrets_add(s, v, HTTP_SECRET_MIN);
	for (const char *w = v; w && *w;) {
		w += strspn(w, " \t");
		size_t n = strcspn(w, " \t");
		add_mem(s, w, n, HTTP_WORD_MIN);
		w += n;
	}
}

void http_secrets_add_basic(struct http_secrets *s, const char *user, const char *pass)
{
	http_secrets_add(s, user, HTTP_SECRET_MIN);
	http_secrets_add(s, pass, HTTP_SECRET_MIN);
	char *plain = xasprintf("%s:%s", user ? user : "", pass ? pass : "");
	size_t n = strlen(plain);
	unsigned char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)n);
	http_secrets_add(s, (const char *)b64, HTTP_WORD_MIN);
	memset(plain, 0, n);
	free(plain);
	free(b64);
}

static bool param_in(const char *name, size_t n, const char *const *list, size_t nlist)
{
	char *dec = pct_decode(name, n);
	bool found = false;
	for (size_t i = 0; i < nlist && !found; i++)
		found = strcasecmp(dec, list[i]) == 0;
	free(dec);
	return found;
}

void http_secrets_add_url(struct http_secrets *s, const char *url)
{
	const char *p = url ? strstr(url, "://") : NULL;
	if (!p)
		return;
	p += 3;
	size_t auth = strcspn(p, "/?#");
	const char *at = memrchr(p, '@', auth);
	if (at) {
		/* user[:password]@: curl sends them as basic auth */
		const char *colon = memchr(p, ':', (size_t)(at - p));
		const char *uend = colon ? colon : at;
		add_url_part(s, p, (size_t)(uend - p), HTTP_SECRET_MIN);
		if (colon)
			add_url_part(s, colon + 1, (size_t)(at - colon - 1), HTTP_SECRET_MIN);
		add_mem(s, p, (size_t)(at - p), HTTP_SECRET_MIN);
		char *user = pct_decode(p, (size_t)(uend - p));
		char *pass = colon ? pct_decode(colon + 1, (size_t)(at - colon - 1)) : NULL;
		http_secrets_add_basic(s, user, pass);
		memset(user, 0, strlen(user));
		free(user);
		if (pass) {
			memset(pass, 0, strlen(pass));
			free(pass);
		}
	}
	const char *q = strchr(p, '?');
	while (q && *q && *q != '#') {
		q++;
		size_t n = strcspn(q, "&#");
		const char *eq = memchr(q, '=', n);
		size_t name = eq ? (size_t)(eq - q) : 0;
		if (eq && !param_in(q, name, public_params, ARRAY_LEN(public_params))) {
			bool named = param_in(q, name, secret_params, ARRAY_LEN(secret_params));
			add_url_part(s, eq + 1, n - (size_t)(eq + 1 - q), named ? HTTP_SECRET_MIN : HTTP_WORD_MIN);
		}
		q += n;
		if (*q != '&')
			break;
	}
}

void http_redact(const struct http_secrets *s, struct strbuf *sb, bool cut)
{
	size_t nmore = 0, nderived = 0;
	const char *const *more = s->more ? s->more(&nmore) : NULL;
	/* the JWTs, tokens and keys derived at run time, whichever client sent them */
	const char *const *derived = derived_secrets(&nderived);
	size_t n = s->n + nmore + nderived;
	const char **list = xcalloc(n + 1, sizeof(*list));
	for (size_t i = 0; i < s->n; i++)
		list[i] = s->list[i];
	for (size_t i = 0; i < nmore; i++)
		list[s->n + i] = more[i];
	for (size_t i = 0; i < nderived; i++)
		list[s->n + nmore + i] = derived[i];
	sb_redact(sb, list, n, HTTP_SECRET_MIN, cut);
	free(list);
}

/* Cut sb to at most n bytes, on a UTF-8 character boundary. */
static void cut_utf8(struct strbuf *sb, size_t n)
{
	if (sb->len <= n)
		return;
	while (n > 0 && ((unsigned char)sb->buf[n] & 0xC0) == 0x80)
		n--;
	sb_setlen(sb, n);
}

void http_excerpt(const struct http_secrets *s, const char *body, size_t len, bool body_cut,
		  size_t max, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addmem(&sb, body, len);
	http_redact(s, &sb, body_cut);
	cut_utf8(&sb, max);
	sb_addmem(out, sb.buf, sb.len);
	sb_release(&sb);
}

void http_reason(const struct http_secrets *s, const char *text, char *why, size_t whylen)
{
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	sb_addstr(&sb, text);
	http_redact(s, &sb, false);
	sb_add_utf8(&out, sb.buf, sb.len);
	for (size_t i = 0; i < out.len; i++) {
		unsigned char ch = (unsigned char)out.buf[i];
		if (ch == '\n' || ch == '\r' || ch == '\t')
			out.buf[i] = ' ';
		else if (ch < 32 || ch == 127)
			out.buf[i] = '?';
	}
	cut_utf8(&out, whylen ? whylen - 1 : 0);
	if (whylen)
		snprintf(why, whylen, "%s", out.buf);
	memset(sb.buf, 0, sb.len);
	sb_release(&sb);
	sb_release(&out);
}
