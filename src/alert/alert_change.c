/*
 * alert_change.c — the change an alert judges and the words it is told in
 * (alert_change.h).
 */
#include <inttypes.h>
#include <string.h>

#include "alert/alert_change.h"
#include "base/time.h"

struct alert_change alert_change_of(int64_t previous, int64_t current)
{
	struct alert_change c = { previous, current, true, 0.0 };
	if (previous == 0)
		c.has_percent = current == 0; /* 0 to 0 is no change; 0 to more has no percent */
	else
		c.percent = ((double)current - (double)previous) * 100.0 / (double)previous;
	return c;
}

bool alert_change_outside(const struct alert_change *c, long threshold)
{
	if (!c->has_percent)
		return true;
	double mag = c->percent < 0 ? -c->percent : c->percent;
	/* a hair of slack: 96 against 100 is 4% even where the division is not exact */
	return mag + 1e-9 >= (double)threshold;
}

void alert_day_text(int64_t day, char out[16])
{
	char iso[32];
	time_format_iso(day * 86400, iso);
	memcpy(out, iso, 10);
	out[10] = '\0';
}

void alert_message(const struct ast_alert *al, const struct alert_change *c, int64_t day,
		   struct strbuf *out)
{
	char d1[16], d2[16];
	alert_day_text(day - 1, d1);
	alert_day_text(day - 2, d2);
	const char *aud = al->audience ? al->audience->name : "";
	if (al->kind == ALERT_SIZE_CHANGE)
		sb_addf(out, "members of audience '%s'", aud);
	else
		sb_addf(out, "events of audience '%s' delivered to '%s'", aud, al->destination);
	sb_addf(out, " went from %" PRId64 " on %s to %" PRId64 " on %s (", c->previous, d2,
		c->current, d1);
	if (c->has_percent)
		sb_addf(out, "%+.1f%%", c->percent);
	else
		sb_addstr(out, "up from none");
	sb_addf(out, "; alert '%s' fires at %ld%%)", al->name, al->threshold);
}
