/*
 * run_report.c — how a run report is shown (SPEC §5, §6).  `lac run`,
 * `lac apply` and `lac daemon` print reports through these two functions
 * only, so their JSON carries the same keys and their lines the same counts.
 */
#include <jansson.h>
#include <stdio.h>

#include "run/run.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *run_report_json(const char *audience, const struct run_report *r)
{
	json_t *j = json_object();
	json_object_set_new(j, "audience", json_string(audience));
	json_object_set_new(j, "run_id", str_or_null(r->run_id));
	json_object_set_new(j, "result", json_string(r->skipped || r->unchanged ? "Skipped"
						     : run_result_name(r->result)));
	json_object_set_new(j, "error", str_or_null(r->error));
	json_object_set_new(j, "warning", str_or_null(r->warning));
	json_object_set_new(j, "generation", json_integer(r->generation));
	json_object_set_new(j, "members", json_integer(r->members));
	json_object_set_new(j, "entered", json_integer(r->entered));
	json_object_set_new(j, "exited", json_integer(r->exited));
	json_object_set_new(j, "events", json_integer(r->events));
	json_object_set_new(j, "delivered", json_integer(r->delivered));
	json_object_set_new(j, "failed", json_integer(r->failed));
	json_object_set_new(j, "pending", json_integer(r->pending));
	json_object_set_new(j, "filtered", json_integer(r->filtered));
	json_object_set_new(j, "invalid", json_integer(r->invalid));
	json_object_set_new(j, "earlier_delivered", json_integer(r->earlier_delivered));
	json_object_set_new(j, "duration_ms", json_integer(r->duration_ms));
	json_object_set_new(j, "completed_previous", json_boolean(r->completed_previous));
	json_object_set_new(j, "previous", r->previous ? run_report_json(audience, r->previous)
			    : json_null());
	if (r->skipped)
		json_object_set_new(j, "held_by", json_string(r->skipped));
	if (r->unchanged)
		json_object_set_new(j, "reason", json_string("inputs unchanged"));
	return j;
}

static void counts_text(const struct run_report *r)
{
	printf("%s, %lld member%s, +%lld -%lld, %lld event%s, %lld delivered",
	       run_result_name(r->result), (long long)r->members, r->members == 1 ? "" : "s",
	       (long long)r->entered, (long long)r->exited, (long long)r->events,
	       r->events == 1 ? "" : "s", (long long)r->delivered);
	if (r->pending)
		printf(", %lld pending", (long long)r->pending);
	if (r->failed)
		printf(", %lld failed", (long long)r->failed);
	if (r->filtered)
		printf(", %lld filtered", (long long)r->filtered);
	if (r->invalid)
		printf(", %lld invalid", (long long)r->invalid);
	if (r->earlier_delivered)
		printf(", %lld delivered from earlier runs", (long long)r->earlier_delivered);
	putchar('\n');
}

void run_report_print(const char *prefix, const char *audience, const struct run_report *r)
{
	if (!prefix)
		prefix = "";
	/* the crashed run's own counts: the events it queued were delivered now */
	if (r->previous) {
		printf("%s%s: completed unfinished run %s: ", prefix, audience,
		       r->previous->run_id ? r->previous->run_id : "?");
		counts_text(r->previous);
	}
	if (r->skipped) {
		/* SPEC §1.2: another process is running it */
		printf("%s%s: skipped (running: %s)\n", prefix, audience, r->skipped);
		return;
	}
	if (r->unchanged) {
		printf("%s%s: Skipped (inputs unchanged)\n", prefix, audience);
		return;
	}
	if (r->result == RUN_DISABLED) {
		printf("%s%s: Disabled, nothing sent\n", prefix, audience);
		return;
	}
	if (r->result == RUN_FAILED) {
		/* no run id: it failed before it started (its lock is held), and
		 * nothing was recorded */
		printf("%s%s: %s\n", prefix, audience, r->run_id ? "Failed" : "not started");
		return;
	}
	printf("%s%s: ", prefix, audience);
	counts_text(r);
}
