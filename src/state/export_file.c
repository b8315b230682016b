/*
 * export_file.c — reading a `lac state export` file (export_file.h).
 */
#include <errno.h>
#include <string.h>

#include "state/export_file.h"
#include "state/state_move.h"

int export_next_line(FILE *f, const char *file, size_t *lineno, char **buf, size_t *cap, json_t **out,
		     struct strbuf *err)
{
	ssize_t n = getline(buf, cap, f);
	if (n < 0) {
		if (ferror(f))
			sb_addf(err, "%s: %s", file, strerror(errno));
		return ferror(f) ? -1 : 0;
	}
	++*lineno;
	json_error_t jerr;
	*out = json_loadb(*buf, (size_t)n, 0, &jerr);
	if (!*out || !json_is_object(*out)) {
		sb_addf(err, "%s:%zu: not a line of a lac state export", file, *lineno);
		json_decref(*out);
		*out = NULL; /* the caller's to release on any outcome: nothing now */
		return -1;
	}
	return 1;
}

int export_check_header(json_t *h, const char *file, const char *project, struct strbuf *err)
{
	const char *format = json_string_value(json_object_get(h, "format"));
	json_int_t fv = json_integer_value(json_object_get(h, "format_version"));
	json_t *version = json_object_get(h, "schema_version");
	const char *named = json_string_value(json_object_get(h, "project"));
	if (!format || strcmp(format, STATE_EXPORT_FORMAT) != 0 || !json_is_integer(version) ||
	    !json_is_object(json_object_get(h, "backend"))) {
		sb_addf(err, "%s: not a lac state export (no header line)", file);
		return -1;
	}
	if (fv != STATE_EXPORT_FORMAT_VERSION) {
		sb_addf(err, "%s: export format version %lld; this lac reads version %d", file, (long long)fv,
			STATE_EXPORT_FORMAT_VERSION);
		return -1;
	}
	json_int_t v = json_integer_value(version);
	if (v > STATE_SCHEMA_VERSION) {
		sb_addf(err, "%s: state schema version %lld is newer than this lac supports (%d)", file,
			(long long)v, STATE_SCHEMA_VERSION);
		return -1;
	}
	if (v < STATE_SCHEMA_VERSION) {
		sb_addf(err, "%s: state schema version %lld is older than this lac's (%d): let this lac"
			" upgrade the old state first (any command that writes to it, such as"
			" `lac apply --no-run`), then export it again", file, (long long)v, STATE_SCHEMA_VERSION);
		return -1;
	}
	if (!named || strcmp(named, project) != 0) {
		sb_addf(err, "%s: the state of project '%s', not of this project '%s'", file,
			named ? named : "?", project);
		return -1;
	}
	return 0;
}

int export_import_rows(struct state *st, FILE *f, const char *file, size_t *lineno, json_int_t *rows,
		       struct strbuf *err)
{
	int rc;
	char *buf = NULL;
	size_t cap = 0;
	json_t *line = NULL;
	bool ended = false;
	*rows = 0;
	while (!ended && (rc = export_next_line(f, file, lineno, &buf, &cap, &line, err)) == 1) {
		if (json_is_true(json_object_get(line, "end"))) {
			json_int_t want = json_integer_value(json_object_get(line, "rows"));
			ended = true;
			if (want != *rows) {
				sb_addf(err, "%s:%zu: the export says %lld rows, it holds %lld", file, *lineno,
					(long long)want, (long long)*rows);
				rc = -1;
			}
		} else {
			const char *table = json_string_value(json_object_get(line, "table"));
			struct strbuf why_row = STRBUF_INIT;
			if (state_load_row(st, table ? table : "", json_object_get(line, "row"), &why_row) < 0) {
				sb_addf(err, "%s:%zu: %s", file, *lineno, why_row.buf);
				rc = -1;
			}
			sb_release(&why_row);
			++*rows;
		}
		json_decref(line);
		if (rc < 0)
			break;
	}
	free(buf);
	if (rc >= 0 && !ended) {
		sb_addf(err, "%s: ends before its last line (cut short?)", file);
		rc = -1;
	}
	if (rc >= 0 && state_load_finish(st) < 0) {
		sb_addf(err, "%s: %s", state_path(st), state_errmsg(st));
		rc = -1;
	}
	return rc < 0 ? -1 : 0;
}
