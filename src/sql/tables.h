/*
 * tables.h — the names of the tables lac keeps in the warehouse schema
 * (SPEC §5), spelled in this one place: each audience's snapshot tables,
 * the generation counter and the membership log.
 */
#ifndef LAC_SQL_TABLES_H
#define LAC_SQL_TABLES_H

#define SQL_GENERATION_TABLE "lac_generation"
#define SQL_MEMBERSHIP_LOG_TABLE "lac_membership_log"

/* An audience's snapshot tables: the members of its last run and of the
 * run in progress, and the matched entities of each. */
enum snapshot_table {
	SNAPSHOT_CURRENT, /* snapshot_<a> */
	SNAPSHOT_NEW,     /* snapshot_<a>__new */
	SNAPSHOT_ENT,     /* snapshot_<a>__ent */
	SNAPSHOT_ENT_NEW, /* snapshot_<a>__ent__new */
	SNAPSHOT_TABLES
};

/* The table's bare name (malloc'd). */
char *sql_snapshot_name(const char *audience, enum snapshot_table which);

/* The audience's current snapshot as a qualified name: parts[0] the schema
 * (the project's default when NULL), parts[1] the table, which is returned
 * (malloc'd; parts[1] points into it). */
char *sql_snapshot_table(const char *schema, const char *name, const char *parts[2]);

#endif
