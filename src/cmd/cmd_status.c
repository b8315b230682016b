/*
 * cmd_status.c — `lac status`: every audience with whether it is enabled,
 * its schedule, last and next run, members and status (SPEC §6), read from
 * the state DB without changing it.  Text, or JSON with --format json.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_print.h"
#include "cmd/state_view.h"
#include "run/run.h"

static void schedule_text(const struct schedule *s, char *out, size_t n)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	switch (s->kind) {
	case SCHED_EVERY:
		snprintf(out, n, "every %ld %s", s->every, time_unit_name(s->unit, s->every));
		break;
	case SCHED_AT: {
		size_t len = (size_t)snprintf(out, n, "at %02d:%02d on", s->hour, s->minute);
		bool first = true;
		for (int d = 0; d < 7 && len < n; d++)
			if (s->days & (1u << d)) {
				len += (size_t)snprintf(out + len, n - len, "%s %s", first ? "" : ",", days[d]);
				first = false;
			}
		break;
	}
	default:
		snprintf(out, n, "manual");
	}
}

static int first_run(const struct state_run *r, void *ctx)
{
	struct state_run *out = ctx;
	if (out->id)
		return 0;
	out->id = xstrdup(r->id);
	out->generation = r->generation;
	out->started = r->started;
	out->duration_ms = r->duration_ms;
	out->result = r->result;
	out->error = r->error ? xstrdup(r->error) : NULL;
	out->summary = r->summary ? xstrdup(r->summary) : NULL;
	return 0;
}

/* The members of the newest Live or Paused run (both swap the snapshot):
 * the current snapshot. */
struct live {
	bool found;
	char *summary;
};

static int first_live(const struct state_run *r, void *ctx)
{
	struct live *l = ctx;
	if (r->result != RUN_LIVE && r->result != RUN_PAUSED)
		return 0;
	l->found = true;
	l->summary = r->summary ? xstrdup(r->summary) : NULL;
	return 1;
}

/* The text table: every row gathered first, so each column is as wide as
 * its widest cell (names and "Never run" do not push the others out). */
enum { NCOLS = 7 };
struct table {
	char *(*rows)[NCOLS];
	size_t n, cap;
};

static void table_add(struct table *t, const char *const cells[NCOLS])
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	for (size_t i = 0; i < NCOLS; i++)
		t->rows[t->n][i] = xstrdup(cells[i]);
	t->n++;
}

/* The colour of a status on a terminal (--color): Live green, Failed red,
 * Paused yellow. */
static const char *status_color(const char *status)
{
	if (strcmp(status, "Live") == 0)
		return "\033[32m";
	if (strcmp(status, "Failed") == 0)
		return "\033[31m";
	if (strcmp(status, "Paused") == 0)
		return "\033[33m";
	return NULL;
}

static void table_print(struct table *t, bool color)
{
	enum { STATUS_COL = 4, MEMBERS_COL = 6 };
	size_t w[NCOLS] = { 0 };
	for (size_t r = 0; r < t->n; r++)
		for (size_t i = 0; i < NCOLS; i++)
			if (strlen(t->rows[r][i]) > w[i])
				w[i] = strlen(t->rows[r][i]);
	for (size_t r = 0; r < t->n; r++) {
		for (size_t i = 0; i < NCOLS; i++) {
			const char *cell = t->rows[r][i];
			const char *col = color && r && i == STATUS_COL ? status_color(cell) : NULL;
			if (i == MEMBERS_COL) /* numbers to the right */
				printf("%*s", (int)w[i], cell);
			else if (col)
				printf("%s%s\033[0m%*s  ", col, cell, (int)(w[i] - strlen(cell)), "");
			else
				printf("%-*s  ", (int)w[i], cell);
			free(t->rows[r][i]);
		}
		putchar('\n');
	}
	free(t->rows);
}

int cmd_status(struct cli *c)
{
	const struct opt_table table = { .max_args = 0,
		.too_many = "status takes no arguments" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	opt_args_release(&args);
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0)
		return EXIT_USAGE;
	struct project p;
	struct state *st;
	if (view_open(c, &p, &st) < 0)
		return EXIT_ERRORS;
	json_t *arr = json_array();
	struct table text = { NULL, 0, 0 };
	static const char *const header[NCOLS] = { "AUDIENCE", "ENABLED", "SCHEDULE", "LAST RUN",
						    "STATUS", "NEXT RUN", "MEMBERS" };
	if (c->format != OUT_JSON)
		table_add(&text, header);
	for (size_t f = 0; f < p.nfiles; f++)
		for (size_t k = 0; k < p.files[f]->naudiences; k++) {
			const struct ast_audience *a = p.files[f]->audiences[k];
			struct state_audience sa = { 0 };
			bool have = st && state_get_audience(st, a->name, &sa) == 0;
			struct state_run last = { 0 };
			struct live live = { false, NULL };
			if (st) {
				state_list_runs(st, a->name, 1, first_run, &last);
				state_list_runs(st, a->name, 0, first_live, &live);
			}
			bool enabled = a->enabled != 0;
			char sched[96], t1[32], t2[32];
			schedule_text(&a->schedule, sched, sizeof(sched));
			const char *status = !enabled ? "Disabled" : last.id ? run_result_name(last.result)
					   : "Never run";
			int64_t next = have ? sa.next_run : 0;
			if (!enabled || a->schedule.kind == SCHED_MANUAL || a->schedule.kind == SCHED_DEFAULT)
				next = 0;
			/* due now by the rule apply and the daemon use (run_schedule.c):
			 * new, never run, or past its next run time */
			bool due = enabled && (!have || sa.enabled) && run_is_due(a, have ? &sa : NULL, ln.secs);
			if (due && next == 0)
				next = ln.secs;
			int64_t members = live.found ? view_summary_int(live.summary, "members") : 0;
			free(live.summary);
			if (c->format == OUT_JSON) {
				json_t *o = json_object();
				json_object_set_new(o, "audience", json_string(a->name));
				json_object_set_new(o, "name", json_string(a->display_name ? a->display_name : a->name));
				json_object_set_new(o, "enabled", json_boolean(enabled));
				json_object_set_new(o, "schedule", json_string(sched));
				json_object_set_new(o, "applied", json_boolean(have));
				json_object_set_new(o, "last_run", last.id ? json_string(last.id) : json_null());
				json_object_set_new(o, "last_run_at", view_time_json(last.started));
				json_object_set_new(o, "next_run_at", view_time_json(next));
				json_object_set_new(o, "due", json_boolean(due));
				json_object_set_new(o, "members", live.found ? json_integer(members) : json_null());
				json_object_set_new(o, "status", json_string(status));
				json_object_set_new(o, "error", last.error ? json_string(last.error) : json_null());
				json_array_append_new(arr, o);
			} else {
				char mem[24];
				snprintf(mem, sizeof(mem), "%lld", (long long)members);
				/* in the files only: apply has not recorded it yet */
				const char *shown = have || last.id ? status : "not applied";
				const char *cells[NCOLS] = { a->name, enabled ? "yes" : "no", sched,
					view_time_text(last.started, t1), shown,
					due ? "now" : view_time_text(next, t2), live.found ? mem : "-" };
				table_add(&text, cells);
			}
			state_run_release(&last);
			if (have)
				state_audience_release(&sa);
		}
	if (c->format == OUT_JSON)
		json_print_doc(stdout, arr);
	else
		table_print(&text, c->color);
	json_decref(arr);
	int rc = view_close_state(st, EXIT_OK);
	project_release(&p);
	return rc;
}
