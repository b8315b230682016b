/*
 * state_view.c — what status, runs, delivery and consumers share (state_view.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "check/check.h"
#include "cmd/state_view.h"
#include "run/run.h"
#include "base/time.h"
#include "state/state_info.h"

json_t *view_time_json(int64_t t)
{
	if (!t)
		return json_null();
	char buf[32];
	time_format_iso(t, buf);
	return json_string(buf);
}

const char *view_time_text(int64_t t, char buf[32])
{
	if (!t)
		return "-";
	time_format_iso(t, buf);
	return buf;
}

/* Open the state read-only; *st stays NULL when there is none yet.  0, or
 * -1 after saying why. */
static int open_state(struct project *p, struct state **st)
{
	struct strbuf err = STRBUF_INIT;
	*st = NULL;
	int rc = state_open_project(st, p, STATE_RO, &err);
	if (rc < 0)
		fprintf(stderr, "lac: %s\n", err.buf);
	sb_release(&err);
	return rc < 0 ? -1 : 0;
}

int64_t view_summary_int(const char *summary, const char *key)
{
	json_t *j = summary ? json_loads(summary, 0, NULL) : NULL;
	int64_t v = j ? (int64_t)json_integer_value(json_object_get(j, key)) : 0;
	json_decref(j);
	return v;
}

/* The files do not load: lac.yaml's settings and the applied definitions
 * instead, so that a broken file or graph hides nothing the state knows
 * (SPEC §5).  0, or -1 after saying why. */
static int load_applied(struct cli *c, struct project *p)
{
	struct strbuf err = STRBUF_INIT;
	struct state *st = NULL;
	struct run_applied ra = { 0 };
	int rc = -1;
	project_init(&ra.files);
	if (project_load_settings(p, c->dir) != 0 || project_require_paths(p) != 0) {
		cli_print_diags(c, p);
		goto out;
	}
	if (state_open_project(&st, p, STATE_RO, &err) < 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		goto out;
	}
	project_release(&ra.files);
	if (st && run_applied_load(p, st, c->dir, &ra, &err) < 0) {
		cli_print_diags(c, p);
		fprintf(stderr, "lac: %s\n", err.buf);
		goto out;
	}
	fprintf(stderr, "lac: warning: the project's files have errors (see 'lac check'); "
		"showing the applied definitions\n");
	rc = 0;
out:
	if (st)
		state_close(st);
	run_applied_release(&ra);
	sb_release(&err);
	return rc;
}

int view_load(struct cli *c, struct project *p)
{
	if (cli_load_project(c, p) == 0)
		return 0;
	project_release(p);
	project_init(p);
	if (load_applied(c, p) < 0) {
		project_release(p);
		return -1;
	}
	return 0;
}

int view_open(struct cli *c, struct project *p, struct state **st)
{
	if (view_load(c, p) < 0)
		return -1;
	if (open_state(p, st) < 0) {
		project_release(p);
		return -1;
	}
	return 0;
}

int view_close_state(struct state *st, int rc)
{
	if (!st)
		return rc;
	if (state_failed(st)) {
		fprintf(stderr, "lac: %s: %s\n", state_path(st), state_errmsg(st));
		rc = EXIT_ERRORS;
	}
	state_close(st);
	return rc;
}

const char *view_audience_arg(struct cli *c, const char *what)
{
	const struct opt_table table = { 0 };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return NULL;
	const char *name = args.n == 1 && args.v[0][0] != '-' ? args.v[0] : NULL;
	opt_args_release(&args);
	if (!name)
		cli_usage_error(c, "%s needs one audience name", what);
	return name;
}

json_t *view_string_json(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *t = xstrdup(s);
	for (char *q = t; *q; q++)
		if ((unsigned char)*q >= 0x80)
			*q = '?';
	j = json_string(t);
	free(t);
	return j;
}

void view_put_line(const char *s)
{
	for (const char *q = s; *q; q++)
		putchar((unsigned char)*q < 0x20 || *q == 0x7f ? '?' : *q);
}

json_t *view_counts_json(const struct delivery_counts *k)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
			 "events_from_audience", (json_int_t)k->from_audience,
			 "filtered_at_destination", (json_int_t)k->filtered,
			 "pending_retry", (json_int_t)k->pending,
			 "failed_delivery", (json_int_t)k->failed,
			 "successful_delivery", (json_int_t)k->delivered,
			 "invalid", (json_int_t)k->invalid);
}

bool view_known(struct project *p, struct state *st, const char *name)
{
	struct state_audience sa;
	if (project_audience(p, name))
		return true;
	if (st && state_get_audience(st, name, &sa) == 0) {
		state_audience_release(&sa);
		return true;
	}
	cli_unknown_audience(p, name);
	return false;
}

/* A string or JSON null. */
static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *view_backend_json(struct project *p, struct state *st, bool absolute)
{
	struct sdb_location w = { 0 };
	if (st)
		state_location(st, &w);
	else if (p->state.type == STATE_SQLITE)
		w.file = project_path(p, p->state.path);
	else
		w.schema = p->state.schema;
	if (w.file) {
		char *abs = absolute ? realpath(w.file, NULL) : NULL;
		json_t *o = json_pack("{s:s, s:s}", "type", "sqlite", "path", abs ? abs : w.file);
		free(abs);
		return o;
	}
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "type", "postgres",
			 "host", string_or_null(w.host), "port", string_or_null(w.port),
			 "database", string_or_null(w.database), "user", string_or_null(w.user),
			 "schema", string_or_null(w.schema));
}
