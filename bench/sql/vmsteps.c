/*
 * bench/sql/vmsteps.c — the deterministic cost of one SQLite query: the
 * virtual machine steps (SQLITE_STMTSTATUS_VM_STEP) of running it to the end.
 * Wall time varies by ±50 % on a shared machine; the step count does not.
 *
 * usage: vmsteps DB.sqlite < QUERY.sql     prints "steps rows"
 * The input is one statement (comments allowed).  Built by bench/sql/counts.sh:
 * cc -O2 -o vmsteps vmsteps.c -lsqlite3
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(FILE *f)
{
	size_t n = 0, cap = 1 << 16;
	char *s = malloc(cap);
	size_t got;
	while (s && (got = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			char *t = realloc(s, cap *= 2);
			if (!t) {
				free(s);
				return NULL;
			}
			s = t;
		}
	}
	if (s)
		s[n] = '\0';
	return s;
}

int main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *tail;
	long rows = 0;
	int rc;
	if (argc != 2) {
		fprintf(stderr, "usage: vmsteps DB < QUERY.sql\n");
		return 2;
	}
	char *sql = read_all(stdin);
	if (!sql || sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "vmsteps: cannot open %s\n", argv[1]);
		return 1;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
		fprintf(stderr, "vmsteps: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rows++;
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "vmsteps: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	printf("%d %ld\n", sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0), rows);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(sql);
	return 0;
}
