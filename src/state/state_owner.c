/*
 * state_owner.c — the project a state belongs to: one row of table
 * state_project (migration 8), written by the first read-write open.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state/sdb.h"
#include "state/state_owner.h"

char *state_owner(struct state *st)
{
	/* a state older than migration 8 (read-only opens do not migrate) */
	if (sdb_table_exists(state_sdb(st), "state_project") <= 0)
		return NULL;
	struct sdb_stmt *s = sdb_prepare(state_sdb(st), "SELECT name FROM state_project");
	char *name = NULL;
	if (s && sdb_step(s) == SDB_ROW && sdb_column_text(s, 0))
		name = xstrdup(sdb_column_text(s, 0));
	sdb_reset(s);
	return name;
}

int state_check_owner(struct state *st, const char *project, struct strbuf *err)
{
	char *owner = state_owner(st);
	if (owner) {
		int rc = strcmp(owner, project) == 0 ? 0 : -1;
		if (rc < 0)
			sb_addf(err, "%s: the state belongs to project '%s', not '%s' (the name in lac.yaml); "
				"each project needs a state of its own", state_path(st), owner, project);
		free(owner);
		return rc;
	}
	if (state_readonly(st))
		return 0;
	struct sdb_stmt *s = sdb_prepare(state_sdb(st), "INSERT INTO state_project (id, name, recorded_at)"
					 " VALUES (1, ?1, ?2) ON CONFLICT (id) DO NOTHING");
	if (!s || sdb_bind_text(s, 1, project, SIZE_MAX) < 0 ||
	    sdb_bind_int64(s, 2, (int64_t)time(NULL)) < 0 || sdb_run(s) < 0) {
		sdb_reset(s);
		sb_addf(err, "%s: cannot record the project: %s", state_path(st), state_errmsg(st));
		return -1;
	}
	/* another process may have recorded a project first */
	return state_check_owner(st, project, err);
}
