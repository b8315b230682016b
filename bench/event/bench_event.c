/*
 * bench_event.c — event_build throughput: N events shaped like the runner's
 * (prepared ctx, traits a and b, a user_id), first without _entity_context,
 * then with a 2-level one.  Prints events per CPU second per case.  Built
 * by run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run/event.h"

#define NMEMBERS 1024

/* CPU time of the process: the machine may be busy with other work */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* {"pets": [3 rows {id, name, toys: [2 rows {id, kind}]}]} */
static json_t *entity_context(int seed)
{
	json_t *pets = json_array();
	for (int i = 0; i < 3; i++) {
		json_t *toys = json_array();
		for (int j = 0; j < 2; j++)
			json_array_append_new(toys, json_pack("{s:i, s:s}", "id", seed * 10 + j, "kind", "ball"));
		json_array_append_new(pets, json_pack("{s:i, s:s, s:o}", "id", seed * 3 + i, "name", "Rex", "toys", toys));
	}
	return json_pack("{s:o}", "pets", pets);
}

static double run_case(const char *name, long n, bool with_context, size_t *bytes)
{
	struct event_ctx c = {
		.audience = "dog_owners", .audience_name = "Dog owners", .activation = "to_hook",
		.trigger = TRIG_PROFILE_ENTERED, .run_id = "run_1700000000_1", .generation = 7,
		.now = "2025-01-31T08:30:00Z",
	};
	event_ctx_prepare(&c);
	char *pids[NMEMBERS];
	json_t *traits[NMEMBERS], *ids[NMEMBERS], *ectx[NMEMBERS];
	for (int i = 0; i < NMEMBERS; i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "profile_%08d", i);
		pids[i] = strdup(buf);
		traits[i] = json_pack("{s:i, s:s}", "a", i, "b", "some text value");
		snprintf(buf, sizeof(buf), "user-%d", i);
		ids[i] = json_pack("{s:s}", "user_id", buf);
		ectx[i] = with_context ? entity_context(i) : NULL;
	}
	*bytes = 0;
	double t0 = now_s();
	for (long k = 0; k < n; k++) {
		int i = (int)(k % NMEMBERS);
		struct event_member m = { .change = CHANGE_ENTERED, .profile_id = pids[i],
					  .external_ids = ids[i], .member = true, .traits = traits[i],
					  .entity_context = ectx[i] };
		struct event_out out;
		if (event_build(&c, &m, &out) != EVENT_OK) {
			fprintf(stderr, "event_build failed: %s\n", out.reason);
			exit(1);
		}
		*bytes += out.len;
		event_out_release(&out);
	}
	double dt = now_s() - t0;
	for (int i = 0; i < NMEMBERS; i++) {
		free(pids[i]);
		json_decref(traits[i]);
		json_decref(ids[i]);
		json_decref(ectx[i]);
	}
	event_ctx_release(&c);
	printf("%-16s %8ld events  %7.3f s CPU  %9.0f events/s  (%zu bytes avg)\n", name, n, dt,
	       (double)n / dt, *bytes / (size_t)n);
	return (double)n / dt;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	size_t bytes;
	run_case("traits", n, false, &bytes);
	run_case("entity_context", n, true, &bytes);
	return 0;
}
