/*
 * delivery_driver.c — a test program for tests/e2e/delivery.sh: builds
 * events with event_build, queues them in a state DB's outbox, delivers them
 * to one HTTP destination (usually tests/http/fault_server.py), or to a
 * `warehouse` destination, and prints a JSON report of every event's final
 * status and the delivery counters.
 *
 *   delivery_driver --state DB --type segment|webhook --url URL [--events N]
 *     [--bad I,J] [--oversize] [--run ID] [--gen G] [--no-enqueue]
 *     [--write-key K] [--header 'Name: value'] [--timeout-ms MS]
 *     [--retries N] [--backoff-ms MS] [--retry-after-max-ms MS]
 *   delivery_driver --state DB --type warehouse --table T [--schema S]
 *     (--wh-path SQLITE_DB | --wh-dsn-env VAR) ...
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "deliver/dest.h"
#include "run/event.h"
#include "state/outbox.h"
#include "state/sdb.h"
#include "state/state.h"
#include "base/time.h"

static bool is_bad(const char *list, int i)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", i);
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n == strlen(buf) && strncmp(p, buf, n) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* The driver remembers every event it queued (in a table of its own in the
 * state DB, so a later --no-enqueue run knows them too): delivered chunk
 * events leave no trace in the outbox. */
static void remember_queued(struct state *st, const char *message_id)
{
	struct sdb *db = state_sdb(st);
	sdb_exec(db, "CREATE TABLE IF NOT EXISTS driver_queued ("
		 " n INTEGER PRIMARY KEY, message_id TEXT NOT NULL)");
	struct sdb_stmt *s = sdb_prepare(db, "INSERT INTO driver_queued (message_id) VALUES (?1)");
	if (s)
		sdb_bind_text(s, 1, message_id, SIZE_MAX);
	sdb_run(s);
}

/* Each queued event with its state: its outbox row if it has one, pending
 * while it is still in a chunk past the cursor, else delivered. */
static json_t *queued_events(struct state *st)
{
	struct sdb *db = state_sdb(st);
	json_t *waiting = json_object();
	struct sdb_stmt *s = sdb_prepare(db, "SELECT next, message_ids FROM outbox_chunks"
					 " JOIN outbox_chunk_events ON chunk_id = id");
	while (s && sdb_step(s) == SDB_ROW) {
		int64_t next = sdb_column_int64(s, 0), k = 0;
		size_t len;
		const char *blob = sdb_column_blob(s, 1, &len);
		char *ids = xstrndup(blob ? blob : "", len);
		for (char *id = strtok(ids, "\n"); id; id = strtok(NULL, "\n"))
			if (k++ >= next)
				json_object_set_new(waiting, id, json_true());
		free(ids);
	}
	sdb_reset(s);
	json_t *events = json_array();
	s = sdb_prepare(db, "SELECT q.message_id, o.status, o.attempts, o.last_error"
			" FROM driver_queued AS q LEFT JOIN outbox AS o USING (message_id) ORDER BY q.n");
	while (s && sdb_step(s) == SDB_ROW) {
		const char *id = sdb_column_text(s, 0);
		const char *status = sdb_column_text(s, 1);
		bool pending = json_object_get(waiting, id) != NULL;
		json_array_append_new(events, json_pack("{s:s, s:s, s:i, s:s?}", "id", id,
			"status", status ? status : pending ? "pending" : "delivered",
			"attempts", status ? (int)sdb_column_int64(s, 2) : pending ? 0 : 1,
			"reason", sdb_column_text(s, 3)));
	}
	sdb_reset(s);
	json_decref(waiting);
	return events;
}

int main(int argc, char **argv)
{
	const char *state_path = NULL, *bad = NULL, *run_id = "run_e2e", *header = NULL;
	struct dest_config cfg = { 0 };
	dest_config_defaults(&cfg);
	cfg.name = "dst";
	cfg.timeout_ms = 200;
	cfg.connect_timeout_ms = 200;
	cfg.max_retries = 3;
	cfg.backoff_ms = 20;
	cfg.backoff_max_ms = 200;
	cfg.retry_after_max_ms = 2000;
	int nevents = 10, gen = 1;
	bool enqueue = true, oversize = false;
	static const struct option opts[] = {
		{ "state", 1, NULL, 's' }, { "type", 1, NULL, 't' }, { "url", 1, NULL, 'u' },
		{ "events", 1, NULL, 'n' }, { "bad", 1, NULL, 'b' }, { "run", 1, NULL, 'r' },
		{ "gen", 1, NULL, 'g' }, { "no-enqueue", 0, NULL, 'N' }, { "write-key", 1, NULL, 'k' },
		{ "header", 1, NULL, 'H' }, { "timeout-ms", 1, NULL, 'T' }, { "retries", 1, NULL, 'R' },
		{ "backoff-ms", 1, NULL, 'B' }, { "retry-after-max-ms", 1, NULL, 'A' },
		{ "oversize", 0, NULL, 'O' }, { "table", 1, NULL, 'W' }, { "schema", 1, NULL, 'S' },
		{ "wh-path", 1, NULL, 'P' }, { "wh-dsn-env", 1, NULL, 'D' }, { NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': state_path = optarg; break;
		case 't': cfg.type = optarg; break;
		case 'u': cfg.url = optarg; break;
		case 'n': nevents = atoi(optarg); break;
		case 'b': bad = optarg; break;
		case 'r': run_id = optarg; break;
		case 'g': gen = atoi(optarg); break;
		case 'N': enqueue = false; break;
		case 'k': cfg.write_key = optarg; break;
		case 'H': header = optarg; break;
		case 'T': cfg.timeout_ms = atol(optarg); break;
		case 'R': cfg.max_retries = atoi(optarg); break;
		case 'B': cfg.backoff_ms = atol(optarg); break;
		case 'A': cfg.retry_after_max_ms = atol(optarg); break;
		case 'O': oversize = true; break;
		case 'W': cfg.table = optarg; break;
		case 'S': cfg.schema = optarg; break;
		case 'P': cfg.wh_type = "sqlite"; cfg.wh_path = optarg; break;
		case 'D': cfg.wh_type = "postgres"; cfg.wh_dsn = getenv(optarg); break;
		default: return 64;
		}
	}
	if (!state_path || !cfg.type || (!cfg.url && !cfg.table)) {
		fprintf(stderr, "usage: delivery_driver --state DB --type T --url URL ...\n");
		return 64;
	}
	struct dest_header h;
	char *hcopy = NULL;
	if (header) {
		hcopy = xstrdup(header);
		char *colon = strchr(hcopy, ':');
		if (!colon)
			return 64;
		*colon = '\0';
		h.name = hcopy;
		h.value = colon + 1 + (colon[1] == ' ');
		cfg.headers = &h;
		cfg.nheaders = 1;
	}

	struct strbuf err = STRBUF_INIT;
	struct state *st;
	if (state_open(&st, state_path, STATE_RW, &err) != 0) {
		fprintf(stderr, "driver: %s\n", err.buf);
		return 1;
	}
	int64_t now = (int64_t)time(NULL);
	char now_iso[32];
	time_format_iso(now, now_iso);
	if (enqueue) {
		struct event_ctx ctx = { .audience = "pets", .activation = "act", .run_id = run_id,
					 .trigger = TRIG_PROFILE_ENTERED, .generation = gen, .now = now_iso };
		struct outbox_writer *w = outbox_writer_new(st, now);
		for (int i = 0; i < nevents + (oversize ? 1 : 0); i++) {
			char pid[32];
			snprintf(pid, sizeof(pid), "p%04d", i);
			json_t *traits = json_object();
			if (is_bad(bad, i))
				json_object_set_new(traits, "bad", json_true());
			if (i == nevents) { /* the oversize one */
				char *big = xcalloc(1, 40000);
				memset(big, 'z', 39999);
				json_object_set_new(traits, "bio", json_string(big));
				free(big);
			}
			struct event_member m = { .change = CHANGE_ENTERED, .profile_id = pid,
						  .member = true, .traits = traits };
			struct event_out out;
			enum event_status s = event_build(&ctx, &m, &out);
			struct outbox_event ev = { out.message_id, cfg.name, "pets", "act", run_id,
						   out.json, out.len };
			int rc = s == EVENT_OK ? outbox_add(w, &ev) : outbox_add_invalid(w, &ev, out.reason);
			if (rc >= 0)
				remember_queued(st, out.message_id);
			event_out_release(&out);
			json_decref(traits);
			if (rc < 0) {
				fprintf(stderr, "driver: enqueue failed: %s\n", state_errmsg(st));
				return 1;
			}
		}
		if (outbox_writer_finish(w) < 0) {
			fprintf(stderr, "driver: enqueue failed: %s\n", state_errmsg(st));
			return 1;
		}
	}

	struct dest *d;
	if (dest_open(&cfg, &d, &err) != 0) {
		fprintf(stderr, "driver: %s\n", err.buf);
		return 1;
	}
	struct deliver_stats ds;
	int rc = deliver_outbox(st, d, now, &ds, &err);
	long requests = dest_requests(d);
	dest_close(d);
	if (rc < 0) {
		fprintf(stderr, "driver: %s\n", err.buf);
		return 1;
	}

	json_t *report = json_object();
	json_object_set_new(report, "delivered", json_integer(ds.delivered));
	json_object_set_new(report, "failed", json_integer(ds.failed));
	json_object_set_new(report, "retry", json_integer(ds.retry));
	json_object_set_new(report, "stopped", json_boolean(ds.stopped));
	json_object_set_new(report, "requests", json_integer(requests));
	struct delivery_counts k;
	state_get_counts_total(st, "pets", "act", &k);
	json_object_set_new(report, "counts",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "from_audience", (json_int_t)k.from_audience,
				      "filtered", (json_int_t)k.filtered, "pending", (json_int_t)k.pending,
				      "failed", (json_int_t)k.failed, "delivered", (json_int_t)k.delivered,
				      "invalid", (json_int_t)k.invalid));
	json_t *events = queued_events(st);
	json_object_set_new(report, "events", events);
	char *text = json_dumps(report, JSON_COMPACT | JSON_SORT_KEYS);
	puts(text);
	free(text);
	json_decref(report);
	state_close(st);
	sb_release(&err);
	free(hcopy);
	return 0;
}
