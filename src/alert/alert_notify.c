/*
 * alert_notify.c — one notification to one alert channel (alert_notify.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert/alert_notify.h"
#include "base/env.h"
#include "net/http.h"
#include "net/smtp.h"

enum { NOTIFY_CONNECT_TIMEOUT_MS = 10000, NOTIFY_TIMEOUT_MS = 30000 };

/* A channel setting with its ${VAR} expanded; NULL with why in err.  An
 * unset variable is the channel's failure, not a diagnostic of the run. */
static const char *value_of(struct project *p, const struct alert_channel *ch, const char *key,
			    struct strbuf *err)
{
	const struct setting *s = alert_channel_setting(ch, key);
	if (!s || !s->value)
		return NULL;
	const char *unset = NULL;
	if (!env_expand(&p->arena, s->value, &unset)) {
		sb_addf(err, "environment variable '%s' is not set (%s of channel '%s')", unset, key,
			ch->name);
		return NULL;
	}
	return setting_expand(p, s->value, s->loc); /* remembered for redaction */
}

static int notify_slack(struct project *p, const struct alert_channel *ch, const char *text,
			struct strbuf *err)
{
	const char *url = value_of(p, ch, "url", err);
	if (!url)
		return -1;
	const char *secrets[] = { url };
	const struct http_header json = { "Content-Type", "application/json" };
	struct http_client_config cfg = {
		.connect_timeout_ms = NOTIFY_CONNECT_TIMEOUT_MS, .timeout_ms = NOTIFY_TIMEOUT_MS,
		.headers = &json, .nheaders = 1, .secrets = secrets, .nsecrets = 1,
		.retry = { 2, 500, 4000, 10000 }, .more_secrets = project_all_secrets,
	};
	struct http_client *c;
	if (http_client_open(&cfg, &c, err) < 0)
		return -1;
	json_t *body = json_pack("{s:s}", "text", text);
	char *payload = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	struct http_request req = { .method = "POST", .url = url, .body = payload,
				    .len = strlen(payload) };
	struct http_response resp;
	http_response_init(&resp);
	char why[512] = "";
	enum http_class k = http_client_send(c, &req, &resp, why, sizeof(why));
	if (k != HTTP_OK)
		sb_addstr(err, why);
	http_response_release(&resp);
	http_client_close(c);
	free(payload);
	return k == HTTP_OK ? 0 : -1;
}

static int notify_email(struct project *p, const struct alert_channel *ch, const char *subject,
			const char *text, int64_t now, struct strbuf *err)
{
	struct smtp_mail m = { .subject = subject, .body = text, .timeout_ms = NOTIFY_TIMEOUT_MS };
	size_t before = err->len;
	m.url = value_of(p, ch, "smtp_url", err);
	m.from = value_of(p, ch, "from", err);
	m.to = value_of(p, ch, "to", err);
	m.username = value_of(p, ch, "username", err);
	m.password = value_of(p, ch, "password", err);
	if (err->len != before)
		return -1;
	char date[64];
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	m.date = date;
	const char *ca = getenv(ALERT_TEST_CA_ENV);
	m.ca_file = ca && *ca ? ca : NULL;
	if (smtp_send(&m, err) < 0) {
		project_redact(p, err);
		return -1;
	}
	return 0;
}

int alert_notify(struct project *p, const struct alert_channel *ch, const char *subject,
		 const char *text, int64_t now, struct strbuf *err)
{
	if (ch->type == ALERT_CHANNEL_SLACK)
		return notify_slack(p, ch, text, err);
	return notify_email(p, ch, subject, text, now, err);
}
