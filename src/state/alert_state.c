/*
 * alert_state.c — the alert tables of the state (alert_state.h), on either
 * engine through sdb.h.
 */
#include "state/alert_state.h"
#include "state/sdb.h"

#define SECONDS_PER_DAY 86400

int64_t state_day_of(int64_t t)
{
	/* floor, so that a time before 1970 is on the day before, not after */
	return t >= 0 ? t / SECONDS_PER_DAY : -((-t + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
}

int state_alert_record_members(struct state *st, const char *audience, int64_t now,
			       int64_t members)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"INSERT INTO alert_members (audience, day, members) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (audience, day) DO UPDATE SET members = excluded.members");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, audience, SIZE_MAX);
	sdb_bind_int64(s, 2, state_day_of(now));
	sdb_bind_int64(s, 3, members);
	return sdb_run(s);
}

int state_alert_count_delivered(struct state *st, const char *audience, const char *destination,
				int64_t now, int64_t n)
{
	if (n == 0)
		return 0;
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"INSERT INTO alert_delivered (audience, destination, day, delivered) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (audience, destination, day) DO UPDATE SET"
		" delivered = alert_delivered.delivered + excluded.delivered");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, audience, SIZE_MAX);
	sdb_bind_text(s, 2, destination, SIZE_MAX);
	sdb_bind_int64(s, 3, state_day_of(now));
	sdb_bind_int64(s, 4, n);
	return sdb_run(s);
}

/* The first column of a bound query's first row: 0 found, 1 no row, -1
 * error (also for a NULL s, a failed prepare). */
static int one_int(struct sdb_stmt *s, int64_t *out)
{
	if (!s)
		return -1;
	int rc = sdb_step(s);
	if (rc == SDB_ROW)
		*out = sdb_column_int64(s, 0);
	sdb_reset(s);
	return rc == SDB_ROW ? 0 : rc == SDB_DONE ? 1 : -1;
}

int state_alert_members(struct state *st, const char *audience, int64_t day, int64_t *out)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"SELECT members FROM alert_members WHERE audience = ?1 AND day = ?2");
	if (s) {
		sdb_bind_text(s, 1, audience, SIZE_MAX);
		sdb_bind_int64(s, 2, day);
	}
	return one_int(s, out);
}

int state_alert_delivered(struct state *st, const char *audience, const char *destination,
			  int64_t day, int64_t *out)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"SELECT delivered FROM alert_delivered WHERE audience = ?1 AND destination = ?2"
		" AND day = ?3");
	if (s) {
		sdb_bind_text(s, 1, audience, SIZE_MAX);
		sdb_bind_text(s, 2, destination, SIZE_MAX);
		sdb_bind_int64(s, 3, day);
	}
	*out = 0;
	int rc = one_int(s, out);
	return rc < 0 ? -1 : 0;
}

int state_alert_day_evaluated(struct state *st, int64_t day)
{
	int exists = sdb_table_exists(state_sdb(st), "alert_evaluations");
	if (exists <= 0)
		return exists;
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"SELECT evaluated_at FROM alert_evaluations WHERE day = ?1");
	if (s)
		sdb_bind_int64(s, 1, day);
	int64_t at;
	int rc = one_int(s, &at);
	return rc < 0 ? -1 : rc == 0;
}

int state_alert_claim_day(struct state *st, int64_t day, int64_t now)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"INSERT INTO alert_evaluations (day, evaluated_at) VALUES (?1, ?2)"
		" ON CONFLICT (day) DO NOTHING");
	if (!s)
		return -1;
	sdb_bind_int64(s, 1, day);
	sdb_bind_int64(s, 2, now);
	if (sdb_run(s) < 0)
		return -1;
	return sdb_changes(state_sdb(st)) > 0;
}

int state_alert_outside(struct state *st, const char *audience, const char *alert, bool *out)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"SELECT outside FROM alert_status WHERE audience = ?1 AND alert = ?2");
	if (s) {
		sdb_bind_text(s, 1, audience, SIZE_MAX);
		sdb_bind_text(s, 2, alert, SIZE_MAX);
	}
	int64_t v = 0;
	int rc = one_int(s, &v);
	*out = rc == 0 && v != 0;
	return rc < 0 ? -1 : 0;
}

int state_alert_set_outside(struct state *st, const char *audience, const char *alert,
			    bool outside)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"INSERT INTO alert_status (audience, alert, outside) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (audience, alert) DO UPDATE SET outside = excluded.outside");
	if (!s)
		return -1;
	sdb_bind_text(s, 1, audience, SIZE_MAX);
	sdb_bind_text(s, 2, alert, SIZE_MAX);
	sdb_bind_int64(s, 3, outside);
	return sdb_run(s);
}

int state_alert_add_fired(struct state *st, struct state_fired_alert *f)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"INSERT INTO alerts_fired (fired_at, audience, alert, kind, previous, current, channels)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
	if (!s)
		return -1;
	sdb_bind_int64(s, 1, f->fired_at);
	sdb_bind_text(s, 2, f->audience, SIZE_MAX);
	sdb_bind_text(s, 3, f->alert, SIZE_MAX);
	sdb_bind_text(s, 4, f->kind, SIZE_MAX);
	sdb_bind_int64(s, 5, f->previous);
	sdb_bind_int64(s, 6, f->current);
	sdb_bind_text(s, 7, f->channels, SIZE_MAX);
	return one_int(s, &f->id) == 0 ? 0 : -1;
}

int state_alert_set_channels(struct state *st, int64_t id, const char *channels)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"UPDATE alerts_fired SET channels = ?2 WHERE id = ?1");
	if (!s)
		return -1;
	sdb_bind_int64(s, 1, id);
	sdb_bind_text(s, 2, channels, SIZE_MAX);
	return sdb_run(s);
}

int state_alert_list_fired(struct state *st,
			   int (*fn)(const struct state_fired_alert *, void *), void *ctx)
{
	int exists = sdb_table_exists(state_sdb(st), "alerts_fired");
	if (exists <= 0)
		return exists;
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"SELECT id, fired_at, audience, alert, kind, previous, current, channels"
		" FROM alerts_fired ORDER BY id");
	if (!s)
		return -1;
	int rc, out = 0;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		struct state_fired_alert f = {
			.id = sdb_column_int64(s, 0), .fired_at = sdb_column_int64(s, 1),
			.audience = sdb_column_text(s, 2), .alert = sdb_column_text(s, 3),
			.kind = sdb_column_text(s, 4), .previous = sdb_column_int64(s, 5),
			.current = sdb_column_int64(s, 6), .channels = sdb_column_text(s, 7),
		};
		if ((out = fn(&f, ctx)) != 0)
			break;
	}
	sdb_reset(s);
	return rc < 0 ? -1 : out;
}
