/*
 * cmd_alerts.c — `lac alerts`: the alerts that fired (SPEC §5 Alerts, §6),
 * oldest first, each with the outcome of every channel it notified, read
 * from the state without changing it.  Only lac.yaml is read, so a broken
 * .lac file stops nothing.  --format json: an array of
 * {"time", "audience", "alert", "kind", "previous", "current", "percent",
 * "channels": [{"name", "status", "error"}]}.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "alert/alert_change.h"
#include "base/json_print.h"
#include "cmd/cli.h"
#include "cmd/state_view.h"
#include "state/alert_state.h"

/* The change in percent to one decimal; JSON null from none to some. */
static json_t *percent_json(const struct alert_change *c)
{
	return c->has_percent ? json_real(round(c->percent * 10.0) / 10.0) : json_null();
}

struct listing {
	const struct cli *c;
	json_t *arr;              /* --format json: the document */
	size_t n;                 /* alerts listed */
};

static int one_alert(const struct state_fired_alert *f, void *ctx)
{
	struct listing *l = ctx;
	l->n++;
	struct alert_change ch = alert_change_of(f->previous, f->current);
	json_t *channels = json_loads(f->channels, 0, NULL);
	if (!json_is_array(channels)) {
		json_decref(channels);
		channels = json_array();
	}
	if (l->c->format == OUT_JSON) {
		json_t *o = json_object();
		json_object_set_new(o, "time", view_time_json(f->fired_at));
		json_object_set_new(o, "audience", json_string(f->audience));
		json_object_set_new(o, "alert", json_string(f->alert));
		json_object_set_new(o, "kind", json_string(f->kind));
		json_object_set_new(o, "previous", json_integer(f->previous));
		json_object_set_new(o, "current", json_integer(f->current));
		json_object_set_new(o, "percent", percent_json(&ch));
		json_object_set_new(o, "channels", channels);
		json_array_append_new(l->arr, o);
		return 0;
	}
	char t[32];
	printf("%s  %s  %s  %s  %lld -> %lld", view_time_text(f->fired_at, t), f->audience, f->alert,
	       f->kind, (long long)f->previous, (long long)f->current);
	if (ch.has_percent)
		printf(" (%+.1f%%)", ch.percent);
	putchar('\n');
	size_t i;
	json_t *one;
	json_array_foreach(channels, i, one) {
		const char *err = json_string_value(json_object_get(one, "error"));
		printf("    %s: %s%s%s\n", json_string_value(json_object_get(one, "name")),
		       json_string_value(json_object_get(one, "status")), err ? ": " : "",
		       err ? err : "");
	}
	json_decref(channels);
	return 0;
}

int cmd_alerts(struct cli *c)
{
	const struct opt_table table = { .max_args = 0,
		.too_many = "alerts takes no arguments" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	opt_args_release(&args);
	/* lac.yaml for where the state is; the audiences are not needed */
	struct project p;
	project_init(&p);
	struct strbuf err = STRBUF_INIT;
	struct state *st = NULL;
	int rc = EXIT_OK;
	if (project_load_settings(&p, c->dir) != 0 || project_require_paths(&p) != 0) {
		cli_print_diags(c, &p);
		rc = EXIT_ERRORS;
		goto out;
	}
	if (state_open_project(&st, &p, STATE_RO, &err) < 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	struct listing l = { c, json_array(), 0 };
	if (st && state_alert_list_fired(st, one_alert, &l) < 0) {
		fprintf(stderr, "lac: %s: %s\n", state_path(st), state_errmsg(st));
		rc = EXIT_ERRORS;
	}
	if (c->format == OUT_JSON)
		json_print_doc(stdout, l.arr);
	else if (rc == EXIT_OK && !l.n)
		printf("no alert has fired\n");
	json_decref(l.arr);
	rc = view_close_state(st, rc);
	st = NULL;
out:
	if (st)
		state_close(st);
	sb_release(&err);
	project_release(&p);
	return rc;
}
