/*
 * alert_notify.h — tell one alert channel of lac.yaml (SPEC §5 Alerts)
 * that an alert fired: a Slack incoming webhook (one JSON POST {"text"})
 * or an email over SMTP with STARTTLS.  A channel that cannot be told says
 * why; it never stops a run.
 */
#ifndef LAC_ALERT_NOTIFY_H
#define LAC_ALERT_NOTIFY_H

#include <stdint.h>

#include "project/project.h"

/* The environment variable of the CA bundle an email channel's server is
 * checked against instead of the system's: for tests with a self-signed
 * certificate only (docs/alerts.md). */
#define ALERT_TEST_CA_ENV "LAC_TEST_SMTP_CA_FILE"

/* Send subject and text to ch.  0 sent; -1 with why in err (redacted: no
 * secret of lac.yaml in it). */
int alert_notify(struct project *p, const struct alert_channel *ch, const char *subject,
		 const char *text, int64_t now, struct strbuf *err);

#endif
