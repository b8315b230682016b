/*
 * cmd_state_show.c — `lac state show`: where the state is, its schema
 * version, the applied audiences, the events still to deliver, the locks
 * held and whether it was moved (SPEC §1.2), all from one consistent read
 * that changes nothing.  Text, or one JSON object with --format json.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/json_print.h"
#include "cmd/state_view.h"
#include "state/state_info.h"
#include "state/state_move.h"

static int add_audience(const struct state_audience *a, void *arr)
{
	json_array_append_new(arr, json_pack("{s:s, s:b, s:I}", "name", a->name, "enabled", (int)a->enabled,
					     "generation", (json_int_t)a->generation));
	return 0;
}

static int add_pending(const struct state_pending *e, void *arr)
{
	json_array_append_new(arr, json_pack("{s:s?, s:s?, s:I, s:I}", "audience", e->audience,
					     "activation", e->activation, "pending", (json_int_t)e->pending,
					     "failed", (json_int_t)e->failed));
	return 0;
}

static int add_lock(const struct state_lock_info *l, void *arr)
{
	json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:s?, s:o}", "id", l->id, "command", l->command,
					     "pid", (json_int_t)l->pid, "host", l->host,
					     "since", view_time_json(l->since)));
	return 0;
}

/* Everything show prints, read in one snapshot; NULL after a failed read
 * (view_close_state says why). */
static json_t *read_state(struct project *p, struct state *st)
{
	json_t *root = json_object();
	json_object_set_new(root, "backend", view_backend_json(p, st, false));
	json_object_set_new(root, "exists", json_boolean(st != NULL));
	json_object_set_new(root, "project", json_string(p->name));
	json_t *audiences = json_array(), *pending = json_array(), *locks = json_array();
	json_t *moved = json_null();
	int version = 0;
	if (st) {
		char *to = NULL;
		int64_t at;
		int rc = state_read_begin(st);
		if (rc == 0 && (version = state_schema_version(st)) < 0)
			rc = -1;
		if (rc == 0)
			rc = state_list_audiences(st, add_audience, audiences);
		if (rc == 0)
			rc = state_list_pending(st, add_pending, pending);
		if (rc == 0)
			rc = state_list_locks(st, add_lock, locks);
		if (rc == 0 && (rc = state_get_moved(st, &to, &at)) == 1) {
			moved = json_pack("{s:s, s:o}", "to", to, "at", view_time_json(at));
			rc = 0;
		}
		free(to);
		state_read_end(st);
		if (rc != 0) {
			json_decref(root);
			json_decref(audiences);
			json_decref(pending);
			json_decref(locks);
			json_decref(moved);
			return NULL;
		}
	}
	json_object_set_new(root, "schema_version", json_integer(version));
	json_object_set_new(root, "audience_count", json_integer((json_int_t)json_array_size(audiences)));
	json_object_set_new(root, "audiences", audiences);
	json_object_set_new(root, "pending", pending);
	json_object_set_new(root, "locks", locks);
	json_object_set_new(root, "moved", moved);
	return root;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

static void print_text(json_t *r)
{
	json_t *b = json_object_get(r, "backend");
	if (json_string_value(json_object_get(b, "path")))
		printf("backend:         sqlite file %s\n", str(b, "path"));
	else if (json_is_true(json_object_get(r, "exists")))
		printf("backend:         postgres schema %s in database %s on %s (user %s)\n", str(b, "schema"),
		       str(b, "database"), str(b, "host"), str(b, "user"));
	else
		printf("backend:         postgres schema %s\n", str(b, "schema"));
	if (!json_is_true(json_object_get(r, "exists")))
		printf("                 (no state there yet: nothing applied)\n");
	printf("schema version:  %lld\n", (long long)json_integer_value(json_object_get(r, "schema_version")));
	printf("project:         %s\n", str(r, "project"));
	json_t *a = json_object_get(r, "audiences"), *v;
	size_t i;
	printf("audiences:       %zu\n", json_array_size(a));
	json_array_foreach(a, i, v)
		printf("  %-30s %-8s generation %lld\n", str(v, "name"),
		       json_is_true(json_object_get(v, "enabled")) ? "enabled" : "disabled",
		       (long long)json_integer_value(json_object_get(v, "generation")));
	json_t *pe = json_object_get(r, "pending");
	long long npending = 0, nfailed = 0;
	json_array_foreach(pe, i, v) {
		npending += json_integer_value(json_object_get(v, "pending"));
		nfailed += json_integer_value(json_object_get(v, "failed"));
	}
	printf("pending events:  %lld (failed, to retry: %lld)\n", npending, nfailed);
	json_array_foreach(pe, i, v) {
		char *who = xasprintf("%s.%s", str(v, "audience"), str(v, "activation"));
		printf("  %-30s pending %lld  failed %lld\n", who,
		       (long long)json_integer_value(json_object_get(v, "pending")),
		       (long long)json_integer_value(json_object_get(v, "failed")));
		free(who);
	}
	json_t *l = json_object_get(r, "locks");
	printf("locks:           %zu\n", json_array_size(l));
	json_array_foreach(l, i, v)
		printf("  %s held by %s pid %lld on %s since %s\n", str(v, "id"), str(v, "command"),
		       (long long)json_integer_value(json_object_get(v, "pid")), str(v, "host"), str(v, "since"));
	json_t *m = json_object_get(r, "moved");
	if (json_is_object(m))
		printf("moved:           to %s at %s (read-only here)\n", str(m, "to"), str(m, "at"));
	else
		printf("moved:           no\n");
}

int cmd_state_show(struct cli *c)
{
	const struct opt_table table = { .too_many = "state show takes no arguments (got '%s')" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	opt_args_release(&args);
	struct project p;
	struct state *st;
	if (view_open(c, &p, &st) < 0)
		return EXIT_ERRORS;
	json_t *r = read_state(&p, st);
	int rc = r ? EXIT_OK : EXIT_ERRORS;
	if (r && c->format == OUT_JSON)
		json_print_doc(stdout, r);
	else if (r)
		print_text(r);
	json_decref(r);
	rc = view_close_state(st, rc);
	project_release(&p);
	return rc;
}
