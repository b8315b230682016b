/*
 * tables.c — the names of the tables lac keeps in the warehouse schema.
 */
#include "base/util.h"
#include "project/project.h"
#include "sql/tables.h"

char *sql_snapshot_name(const char *audience, enum snapshot_table which)
{
	static const char *const suffix[SNAPSHOT_TABLES] = {
		[SNAPSHOT_CURRENT] = "", [SNAPSHOT_NEW] = "__new",
		[SNAPSHOT_ENT] = "__ent", [SNAPSHOT_ENT_NEW] = "__ent__new",
	};
	return xasprintf("snapshot_%s%s", audience, suffix[which]);
}

char *sql_snapshot_table(const char *schema, const char *name, const char *parts[2])
{
	char *t = sql_snapshot_name(name, SNAPSHOT_CURRENT);
	parts[0] = schema ? schema : PROJECT_DEFAULT_WAREHOUSE_SCHEMA;
	parts[1] = t;
	return t;
}
