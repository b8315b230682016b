/*
 * cmd_state_move.c — `lac state export FILE` and `lac state import FILE`
 * (SPEC §1.2; docs/gitops.md "Moving state").
 *
 * The export is JSON Lines: a header line, one line per row of every
 * moved state table ({"table": ..., "row": {...}}, state_move.h), and an
 * end line with the number of rows, so that a file cut short at a line
 * boundary is not taken for a whole one.  It is written to a temporary
 * file born 0600 next to FILE and renamed over it when complete.
 *
 * The header also carries a fingerprint of the exported rows
 * (state_fingerprint).
 *
 * The import runs in a project whose lac.yaml names the new state, which
 * must be empty.  Before writing to it, it marks the state the export came
 * from (named in the header) as moved, so that lac no longer writes to it,
 * and then compares that state's fingerprint with the export's: a write
 * after the export (events a run queued) would be lost, so the mark is
 * removed again and the import refused.  A state marked moved already was
 * imported elsewhere: importing it again would fork it, so that is refused
 * too.  Only then are the rows written, in one transaction.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json_print.h"
#include "cmd/state_view.h"
#include "config.h"
#include "base/time.h"
#include "plan/plan.h"
#include "state/export_file.h"
#include "state/state_info.h"
#include "state/state_move.h"

/* The one FILE argument of export/import, or NULL after the usage message;
 * with lock_timeout_ms (import, which takes the lock 'apply') also
 * --lock-timeout. */
static const char *file_arg(struct cli *c, const char *what, int64_t *lock_timeout_ms)
{
	char *too_many = xasprintf("state %s takes one file (got '%%s' and '%%s')", what);
	const struct opt opts[] = { OPT_LOCK_TIMEOUT(lock_timeout_ms) };
	const struct opt_table table = { .opts = lock_timeout_ms ? opts : NULL,
		.n = lock_timeout_ms ? 1 : 0, .too_many = too_many, .max_args = 1 };
	struct opt_args args;
	const char *file = NULL;
	if (cli_parse_options(c, &table, &args) == 0) {
		file = args.n ? args.v[0] : NULL;
		opt_args_release(&args);
		if (!file)
			cli_usage_error(c, "state %s needs a file", what);
		else if (strcmp(file, "-") == 0) {
			/* stdout is --format json's; the file is 0600, a pipe is not */
			cli_usage_error(c, "state %s needs a file, not '-' (the export is written with mode 0600)",
					what);
			file = NULL;
		}
	}
	free(too_many);
	return file;
}

/* ---- export ---------------------------------------------------------------------------- */

struct export_ctx {
	FILE *out;
	json_t *tables;     /* table -> rows written */
	json_int_t rows;
};

static int export_row(const char *table, json_t *row, void *arg)
{
	struct export_ctx *x = arg;
	json_t *line = json_pack("{s:s, s:O}", "table", table, "row", row);
	json_print_line(x->out, line);
	json_decref(line);
	json_object_set_new(x->tables, table,
			    json_integer(json_integer_value(json_object_get(x->tables, table)) + 1));
	x->rows++;
	return ferror(x->out) ? 1 : 0;
}

/* Write the export into out (a fresh temporary file).  0, 1 on a write
 * error (errno), -1 on a state error. */
static int write_export(struct state *st, json_t *header, FILE *out, struct export_ctx *x)
{
	x->out = out;
	if (state_read_begin(st) < 0)
		return -1;
	int version = state_schema_version(st);
	char fingerprint[STATE_FINGERPRINT_LEN + 1];
	/* the same snapshot as the rows: the fingerprint is of what is exported */
	int rc = version < 0 || state_fingerprint(st, fingerprint) < 0 ? -1 : 0;
	if (rc == 0) {
		json_object_set_new(header, "schema_version", json_integer(version));
		json_object_set_new(header, "fingerprint", json_string(fingerprint));
		json_print_line(out, header);
		rc = state_dump(st, export_row, x);
	}
	state_read_end(st);
	if (rc == 0) {
		json_t *end = json_pack("{s:b, s:I}", "end", 1, "rows", x->rows);
		json_print_line(out, end);
		json_decref(end);
	}
	if (rc == 0 && (fflush(out) != 0 || ferror(out) || fsync(fileno(out)) < 0))
		rc = 1;
	return rc;
}

int cmd_state_export(struct cli *c)
{
	const char *file = file_arg(c, "export", NULL);
	if (!file)
		return EXIT_USAGE;
	struct lac_now now;
	if (cli_parse_now(c, &now) != 0)
		return EXIT_USAGE;
	struct project p;
	struct state *st;
	if (view_open(c, &p, &st) < 0)
		return EXIT_ERRORS;
	if (!st) {
		fprintf(stderr, "lac: no state to export: nothing was applied yet\n");
		project_release(&p);
		return EXIT_ERRORS;
	}
	int rc = EXIT_ERRORS;
	json_t *backend = view_backend_json(&p, st, true);
	/* mkstemp: created 0600 with O_EXCL, never readable by others, not even briefly */
	char *tmp = xasprintf("%s.XXXXXX", file);
	int fd = mkstemp(tmp);
	FILE *out = fd >= 0 && fchmod(fd, 0600) == 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		fprintf(stderr, "lac: cannot write %s: %s\n", file, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	json_t *header = json_pack("{s:s, s:i, s:s, s:i, s:O, s:s, s:s}", "format", STATE_EXPORT_FORMAT,
				   "format_version", STATE_EXPORT_FORMAT_VERSION, "lac_version", PACKAGE_VERSION,
				   "schema_version", 0, "backend", backend, "project", p.name,
				   "exported_at", now.iso);
	struct export_ctx x = { .tables = json_object() };
	int wrc = write_export(st, header, out, &x);
	int saved = errno;
	if (fclose(out) != 0 && wrc == 0) {
		wrc = 1;
		saved = errno;
	}
	if (wrc == 0 && rename(tmp, file) < 0) {
		wrc = 1;
		saved = errno;
	}
	if (wrc != 0) {
		unlink(tmp);
		if (wrc > 0)
			fprintf(stderr, "lac: cannot write %s: %s\n", file, strerror(saved));
		else
			fprintf(stderr, "lac: %s: %s\n", state_path(st), state_errmsg(st));
	} else {
		rc = EXIT_OK;
		if (c->format == OUT_JSON) {
			json_t *j = json_pack("{s:s, s:O, s:O, s:I, s:O}", "file", file,
					      "schema_version", json_object_get(header, "schema_version"),
					      "backend", backend, "rows", x.rows, "tables", x.tables);
			json_print_doc(stdout, j);
			json_decref(j);
		} else if (!c->quiet) {
			char *where = state_describe(st);
			printf("exported %lld rows of %s to %s\n", (long long)x.rows, where, file);
			free(where);
		}
	}
	json_decref(header);
	json_decref(x.tables);
out:
	free(tmp);
	json_decref(backend);
	state_close(st);
	project_release(&p);
	return rc;
}

/* ---- import ---------------------------------------------------------------------------- */

/* Is the new state empty?  0, or -1 with why not in err.  Under the new
 * state's apply lock nothing can fill it before the rows are written: a
 * run needs an applied audience. */
static int check_target_empty(struct state *st, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int rc = state_check_empty(st, &why);
	if (rc != 0) {
		char *where = state_describe(st);
		if (rc > 0)
			sb_addf(err, "cannot import into %s: %s; import needs an empty state", where, why.buf);
		else
			sb_addf(err, "%s: %s", state_path(st), state_errmsg(st));
		free(where);
	}
	sb_release(&why);
	return rc == 0 ? 0 : -1;
}

/* Every row line of f into st (checked empty) in one transaction: all of
 * it or nothing.  0, or -1 with the reason in err. */
static int import_rows(struct state *st, FILE *f, const char *file, size_t *lineno, json_int_t *rows,
		       struct strbuf *err)
{
	if (state_begin(st) < 0) {
		sb_addf(err, "%s: %s", state_path(st), state_errmsg(st));
		return -1;
	}
	/* apply's table of applied texts is made by plan/, outside the
	 * migrations: an empty plan creates it, so its rows have a place */
	struct plan no_changes = { 0 };
	int rc = plan_store_texts(st, &no_changes, err);
	if (rc == 0)
		rc = export_import_rows(st, f, file, lineno, rows, err);
	if (rc == 0 && state_commit(st) < 0) {
		sb_addf(err, "%s: %s", state_path(st), state_errmsg(st));
		rc = -1;
	}
	if (rc < 0) {
		state_rollback(st);
		return -1;
	}
	return 0;
}

/* key='value' for a libpq connection string. */
static void conninfo_add(struct strbuf *sb, const char *key, json_t *value)
{
	const char *v = json_string_value(value);
	if (!v || !*v)
		return;
	sb_addf(sb, "%s%s='", sb->len ? " " : "", key);
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			sb_addch(sb, '\\');
		sb_addch(sb, *v);
	}
	sb_addch(sb, '\'');
}

/* Open the state the export came from in mode, without creating one
 * where there is none.  0, or -1 with why it cannot be reached in err. */
static int open_source(json_t *b, enum state_mode mode, struct state **out, struct strbuf *err)
{
	const char *type = json_string_value(json_object_get(b, "type"));
	const char *path = json_string_value(json_object_get(b, "path"));
	const char *schema = json_string_value(json_object_get(b, "schema"));
	struct strbuf dsn = STRBUF_INIT;
	int rc = -1;
	*out = NULL;
	if (type && strcmp(type, "sqlite") == 0 && path) {
		/* read-only first: a read-write open would create a missing file */
		rc = state_open(out, path, STATE_RO, err);
		state_close(*out);
		*out = NULL;
		if (rc == 1)
			sb_addf(err, "%s does not exist", path);
		else if (rc == 0)
			rc = state_open(out, path, mode, err);
	} else if (type && strcmp(type, "postgres") == 0 && schema) {
		/* the recorded server; a password comes from libpq's own sources
		 * (PGPASSWORD, ~/.pgpass), never from the export */
		conninfo_add(&dsn, "host", json_object_get(b, "host"));
		conninfo_add(&dsn, "port", json_object_get(b, "port"));
		conninfo_add(&dsn, "dbname", json_object_get(b, "database"));
		conninfo_add(&dsn, "user", json_object_get(b, "user"));
		rc = state_open_postgres(out, dsn.buf, schema, STATE_RO, err);
		state_close(*out);
		*out = NULL;
		if (rc == 1)
			sb_addf(err, "no state in schema %s", schema);
		else if (rc == 0)
			rc = state_open_postgres(out, dsn.buf, schema, mode, err);
	} else {
		sb_addstr(err, "the export does not say where it came from");
	}
	sb_release(&dsn);
	return rc == 0 ? 0 : -1;
}

/* Are the two backends (view_backend_json) the same state? */
static bool same_state(json_t *a, json_t *b)
{
	static const char *const keys[] = { "type", "path", "host", "port", "database", "schema" };
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (!json_equal(json_object_get(a, keys[i]), json_object_get(b, keys[i])) &&
		    (json_object_get(a, keys[i]) || json_object_get(b, keys[i])))
			return false;
	return true;
}

/* "<source> was already moved to <where> at <time>; import from there". */
static void already_moved(struct state *src, const char *to, int64_t at, struct strbuf *err)
{
	char when[32];
	time_format_iso(at, when);
	char *from = state_describe(src);
	sb_addf(err, "%s was already moved to %s at %s; import from there", from, to, when);
	free(from);
}

/* Is the export's source, marked moved already, still what was exported?
 * 0, or -1 with why not in err (the mark removed again). */
static int check_unchanged(json_t *header, struct state *src, struct strbuf *err)
{
	const char *exported = json_string_value(json_object_get(header, "fingerprint"));
	if (!exported) /* an export made before fingerprints: nothing to compare */
		return 0;
	char now[STATE_FINGERPRINT_LEN + 1];
	int rc = state_read_begin(src) < 0 ? -1 : state_fingerprint(src, now);
	state_read_end(src);
	if (rc < 0)
		sb_addf(err, "%s: %s", state_path(src), state_errmsg(src));
	else if (strcmp(now, exported) != 0) {
		const char *at = json_string_value(json_object_get(header, "exported_at"));
		sb_addf(err, "the state changed since it was exported (at %s); export it again", at ? at : "?");
		rc = -1;
	}
	if (rc < 0 && state_clear_moved(src) < 0)
		sb_addf(err, "; and %s is still marked moved: %s", state_path(src), state_errmsg(src));
	return rc;
}

/* Mark the export's source as moved to st, before anything is imported,
 * and check it did not change since the export.  0 with *src open (under
 * its apply lock when that could be taken) and marked; 1 when it cannot
 * be marked, with why in warn (the import goes on, with a warning); -1
 * when the import must be refused, with why in err. */
static int claim_source(json_t *header, struct project *p, struct state *st, int64_t now,
			struct state **src, struct strbuf *warn, struct strbuf *err)
{
	json_t *source = json_object_get(header, "backend");
	json_t *target = view_backend_json(p, st, true);
	bool same = same_state(source, target);
	json_decref(target);
	*src = NULL;
	if (same) {
		sb_addstr(warn, "the export came from this same state");
		return 1;
	}
	/* a moved state refuses read-write opens: read its mark first */
	struct state *ro;
	if (open_source(source, STATE_RO, &ro, warn) < 0)
		return 1;
	char *to;
	int64_t at;
	int moved = state_get_moved(ro, &to, &at);
	if (moved == 1) {
		already_moved(ro, to, at, err);
		free(to);
	} else if (moved < 0) {
		sb_addf(warn, "%s: %s", state_path(ro), state_errmsg(ro));
	}
	state_close(ro);
	if (moved != 0)
		return moved == 1 ? -1 : 1;
	if (open_source(source, STATE_RW, src, warn) < 0)
		return 1;
	/* no apply of the old state meanwhile; a holder (best effort) only
	 * matters if it writes, which the fingerprint then shows */
	struct strbuf held = STRBUF_INIT;
	state_lock(*src, "apply", "state import", 0, &held);
	sb_release(&held);
	char *where = state_describe(st);
	int rc = state_mark_moved(*src, where, now);
	free(where);
	if (rc == 1 && state_get_moved(*src, &to, &at) == 1) { /* another import got there first */
		already_moved(*src, to, at, err);
		free(to);
		rc = -1;
	} else if (rc != 0) {
		sb_addf(warn, "%s: %s", state_path(*src), state_errmsg(*src));
		rc = 1;
	} else if (check_unchanged(header, *src, err) < 0) {
		rc = -1;
	}
	if (rc != 0) {
		state_close(*src);
		*src = NULL;
	}
	return rc;
}

int cmd_state_import(struct cli *c)
{
	int64_t lock_timeout_ms = 0;
	const char *file = file_arg(c, "import", &lock_timeout_ms);
	if (!file)
		return EXIT_USAGE;
	file = cli_input_path(c, file);
	struct lac_now now;
	if (cli_parse_now(c, &now) != 0)
		return EXIT_USAGE;
	struct project p;
	if (view_load(c, &p) < 0)
		return EXIT_ERRORS;
	struct strbuf err = STRBUF_INIT;
	struct state *st = NULL, *src = NULL;
	json_t *header = NULL;
	char *buf = NULL;
	size_t cap = 0, lineno = 0;
	json_int_t rows = 0;
	int rc = EXIT_ERRORS;
	FILE *f = fopen(file, "r");
	if (!f) {
		sb_addf(&err, "cannot read %s: %s", file, strerror(errno));
		goto out;
	}
	int got = export_next_line(f, file, &lineno, &buf, &cap, &header, &err);
	if (got == 0)
		sb_addf(&err, "%s: empty, not a lac state export", file);
	if (got != 1 || export_check_header(header, file, p.name, &err) < 0)
		goto out;
	if (state_open_project(&st, &p, STATE_RW, &err) != 0)
		goto out;
	/* under the apply lock, like every change to what is applied */
	int lk = state_lock(st, "apply", "state import", lock_timeout_ms, &err);
	if (lk != 0) {
		if (lk > 0) {
			char *held = xasprintf("lock 'apply' is %s", err.buf);
			sb_reset(&err);
			sb_addstr(&err, held);
			free(held);
		}
		goto out;
	}
	if (check_target_empty(st, &err) < 0)
		goto out;
	struct strbuf why = STRBUF_INIT;
	int claimed = claim_source(header, &p, st, now.secs, &src, &why, &err);
	if (claimed < 0 || import_rows(st, f, file, &lineno, &rows, &err) < 0) {
		/* nothing imported: the old state stays the live one */
		if (src && state_clear_moved(src) < 0)
			sb_addf(&err, "; and %s is still marked moved: %s", state_path(src), state_errmsg(src));
		sb_release(&why);
		goto out;
	}
	rc = EXIT_OK;
	json_t *source = json_object_get(header, "backend");
	bool marked = claimed == 0;
	if (!marked) {
		project_redact(&p, &why);
		fprintf(stderr, "lac: warning: the state the export came from was not marked as moved: %s;"
			" make sure nothing writes to it any more\n", why.buf);
	}
	char *where = state_describe(st);
	if (c->format == OUT_JSON) {
		json_t *j = json_pack("{s:s, s:I, s:o, s:O, s:b}", "file", file, "rows", rows,
				      "backend", view_backend_json(&p, st, false), "source", source,
				      "source_marked_moved", (int)marked);
		json_print_doc(stdout, j);
		json_decref(j);
	} else if (!c->quiet) {
		printf("imported %lld rows into %s%s\n", (long long)rows, where,
		       marked ? "; the old state is marked as moved" : "");
	}
	free(where);
	sb_release(&why);
out:
	if (rc != EXIT_OK) {
		project_redact(&p, &err);
		fprintf(stderr, "lac: %s\n", err.buf);
	}
	free(buf);
	json_decref(header);
	if (f)
		fclose(f);
	state_close(src);
	state_close(st);
	sb_release(&err);
	project_release(&p);
	return rc;
}
