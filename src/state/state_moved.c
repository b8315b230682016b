/*
 * state_moved.c — the mark `lac state import` leaves on the state it moved
 * away from (table state_moved, one row), and the refusal to write to a
 * state so marked (state_move.h).
 */
#include <stdlib.h>

#include "base/time.h"
#include "state/sdb.h"
#include "state/state_move.h"

int state_get_moved(struct state *st, char **to, int64_t *at)
{
	*to = NULL;
	*at = 0;
	/* a state older than migration 5 (read-only opens do not migrate) */
	int exists = sdb_table_exists(state_sdb(st), "state_moved");
	if (exists <= 0)
		return exists;
	struct sdb_stmt *s = sdb_prepare(state_sdb(st), "SELECT moved_to, moved_at FROM state_moved");
	if (!s)
		return -1;
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		const char *t = sdb_column_text(s, 0);
		*to = xstrdup(t ? t : "?");
		*at = sdb_column_int64(s, 1);
	}
	sdb_reset(s);
	return rc == SDB_ROW ? 1 : rc == SDB_DONE ? 0 : -1;
}

int state_mark_moved(struct state *st, const char *to, int64_t at)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st),
		"INSERT INTO state_moved (id, moved_to, moved_at) VALUES (1, ?1, ?2) ON CONFLICT (id) DO NOTHING");
	if (!s || sdb_bind_text(s, 1, to, SIZE_MAX) < 0 || sdb_bind_int64(s, 2, at) < 0) {
		sdb_reset(s);
		return -1;
	}
	if (sdb_run(s) < 0)
		return -1;
	return sdb_changes(state_sdb(st)) == 1 ? 0 : 1;
}

int state_clear_moved(struct state *st)
{
	return sdb_exec(state_sdb(st), "DELETE FROM state_moved");
}

int state_refuse_moved(struct state *st, struct strbuf *err)
{
	char *to;
	int64_t at;
	int rc = state_get_moved(st, &to, &at);
	if (rc < 0) {
		sb_addf(err, "%s: %s", state_path(st), state_errmsg(st));
		return -1;
	}
	if (rc == 0)
		return 0;
	char when[32];
	time_format_iso(at, when);
	sb_addf(err, "%s: state was moved to %s at %s (lac state import); it is read-only here",
		state_path(st), to, when);
	free(to);
	return -1;
}
