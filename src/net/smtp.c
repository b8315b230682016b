/*
 * smtp.c — one email over SMTP with libcurl (smtp.h).
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "net/smtp.h"

/* An address lac writes into a header and the SMTP envelope: one line,
 * with an '@' and none of <> (the envelope wraps it in them). */
static bool address_ok(const char *a)
{
	return a && *a && strchr(a, '@') && !strpbrk(a, "\r\n<>");
}

int smtp_message(const struct smtp_mail *m, struct strbuf *out, struct strbuf *err)
{
	if (!address_ok(m->from) || !address_ok(m->to)) {
		sb_addf(err, "'%s' is not one email address", address_ok(m->from) ? "to" : "from");
		return -1;
	}
	if (!m->subject || strpbrk(m->subject, "\r\n")) {
		sb_addstr(err, "the subject must be one line");
		return -1;
	}
	sb_addf(out, "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n", m->date ? m->date : "",
		m->from, m->to, m->subject);
	sb_addstr(out, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	for (const char *p = m->body ? m->body : ""; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			sb_addch(out, '\r');
		sb_addch(out, *p);
	}
	if (out->len < 2 || out->buf[out->len - 1] != '\n')
		sb_addstr(out, "\r\n");
	return 0;
}

struct reader {
	const char *p;
	size_t left;
};

static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t want = size * n;
	if (want > r->left)
		want = r->left;
	memcpy(buf, r->p, want);
	r->p += want;
	r->left -= want;
	return want;
}

int smtp_send(const struct smtp_mail *m, struct strbuf *err)
{
	if (!m->url || (strncmp(m->url, "smtp://", 7) != 0 && strncmp(m->url, "smtps://", 8) != 0)) {
		sb_addstr(err, "the smtp_url must start with smtp:// or smtps://");
		return -1;
	}
	struct strbuf msg = STRBUF_INIT;
	if (smtp_message(m, &msg, err) < 0) {
		sb_release(&msg);
		return -1;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		sb_addstr(err, "cannot start libcurl");
		sb_release(&msg);
		return -1;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	char *from = xasprintf("<%s>", m->from), *to = xasprintf("<%s>", m->to);
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	struct reader rd = { msg.buf, msg.len };
	curl_easy_setopt(h, CURLOPT_URL, m->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	/* STARTTLS or nothing: never a login or a message in clear text */
	curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (m->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, m->ca_file);
	if (m->username) {
		curl_easy_setopt(h, CURLOPT_USERNAME, m->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, m->password ? m->password : "");
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &rd);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, m->timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, m->timeout_ms);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(h);
	if (rc != CURLE_OK)
		sb_addf(err, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	free(from);
	free(to);
	sb_release(&msg);
	return rc == CURLE_OK ? 0 : -1;
}
