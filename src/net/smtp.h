/*
 * smtp.h — one email over SMTP through libcurl (alerts' email channel,
 * SPEC §5 Alerts).  TLS is required: an smtp:// URL must upgrade with
 * STARTTLS (CURLUSESSL_ALL) and an smtps:// one is TLS from the start; the
 * server's certificate and host name are verified.
 */
#ifndef LAC_NET_SMTP_H
#define LAC_NET_SMTP_H

#include "base/util.h"

struct smtp_mail {
	const char *url;           /* smtp://host:587 or smtps://host:465 */
	const char *username, *password; /* NULL: no login */
	const char *from, *to;     /* one address each, as written */
	const char *subject, *body;
	const char *date;          /* RFC 5322 date, e.g. "Fri, 16 Jan 2026 00:05:00 +0000" */
	const char *ca_file;       /* NULL: the system's CA store */
	long timeout_ms;           /* the whole exchange */
};

/* The message text (headers, blank line, body with CRLF line ends and
 * dot-safe lines left to libcurl).  -1 with err when an address or the
 * subject holds a line break or no '@' (header injection). */
int smtp_message(const struct smtp_mail *m, struct strbuf *out, struct strbuf *err);

/* Send m.  0, or -1 with why in err (libcurl's message; the password and
 * user name never appear in it). */
int smtp_send(const struct smtp_mail *m, struct strbuf *err);

#endif
