/*
 * dest.h — destinations (SPEC §1, §5): where the outbox is delivered.
 *
 * A destination is a table of functions (open, send a batch, close) over a
 * resolved configuration.  dest_config_from_project reads lac.yaml settings
 * (expanding ${VAR} only now); deliver_outbox drains a destination's part
 * of the outbox in bounded pages and records every outcome.
 */
#ifndef LAC_DEST_H
#define LAC_DEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "state/state.h"

struct project;
struct destination;

struct dest_header {
	const char *name, *value;  /* value is secret: never printed */
};

struct dest_config {
	const char *name;          /* as in lac.yaml */
	const char *type;          /* file | stdout | webhook | segment | warehouse | braze | iterable | customerio */
	const char *path;          /* file: where to append */
	FILE *out;                 /* stdout: the stream (NULL = dest_stdout_stream's) */
	const char *url;           /* webhook, segment; presets: the API base URL */
	const char *write_key;     /* segment: basic-auth user (secret) */
	const char *api_key;       /* braze, iterable, customerio (secret) */
	const char *site_id;       /* customerio: basic-auth user (secret) */
	const char *app_id;        /* braze: optional app_id sent with events */
	/* warehouse: the target table (and optional schema), and the project's
	 * warehouse connection as resolved by dest_config_from_project: wh_type
	 * "sqlite" with wh_path (the database file), "postgres" with wh_dsn
	 * (secret; ${VAR} already expanded), or another type with wh_project
	 * (its connector reads the project's settings itself). */
	const char *table, *schema;
	const char *wh_type, *wh_path, *wh_dsn;
	struct project *wh_project;
	struct dest_header *headers;
	size_t nheaders;
	long connect_timeout_ms;   /* default 5000 */
	long timeout_ms;           /* whole request; default 30000 */
	int max_retries;           /* retries after the first try; default 5 */
	long backoff_ms;           /* first backoff; doubles; default 500 */
	long backoff_max_ms;       /* default 30000 */
	long retry_after_max_ms;   /* cap on Retry-After; default 60000 */
	size_t batch_events;       /* segment: default 2500 */
	size_t batch_bytes;        /* segment: request body; default 500 KB */
	size_t event_bytes;        /* default 32 KB */
	const char *ca_file;       /* HTTP: the CA bundle to verify against (NULL: the system's) */
	/* HTTP: held across the runs of one lac (dest_shared.h) */
	double max_rate;           /* events a second; 0: no limit */
	int max_in_flight;         /* requests at once; 0: no limit (one per run) */
	long shared;               /* its record in dest_shared's mapping (its place in the project); -1: none */
};
/* Defaults for everything but name/type/path/url/write_key/headers. */
void dest_config_defaults(struct dest_config *cfg);

/* Resolve a lac.yaml destination by its type's row (dest_types.c): expands
 * ${VAR} (an unset variable is reported in p->diags, naming it and the
 * file:line) and reads the optional settings timeout (seconds),
 * max_retries, max_rate and max_in_flight; the other numbers keep their defaults (lac.yaml has no key
 * for them).  A `warehouse` destination also gets the project's warehouse
 * settings (wh_*).  Strings live in the project arena.
 * 0 or -1 (diagnostics reported). */
int dest_config_from_project(struct project *p, const struct destination *d, struct dest_config *cfg);
/* Where a `stdout` destination whose configuration names no stream writes:
 * standard output by default; standard error with --format json, whose one
 * JSON document stdout then carries (SPEC §6). */
void dest_stdout_stream(FILE *f);

/* What happened to one event in a send. */
enum dest_outcome {
	DEST_DELIVERED,
	DEST_RETRY,                /* transient: stays pending, retried next time */
	DEST_REJECTED,             /* refused by the destination: failed with reason */
};

struct dest_event {
	const char *message_id;
	const char *json;
	size_t len;
	enum dest_outcome outcome; /* set by send */
	char reason[256];          /* set by send unless delivered; never holds a secret */
};

struct dest;
/* 0, or -1 with a message in err (no secret in it). */
int dest_open(const struct dest_config *cfg, struct dest **out, struct strbuf *err);
/* Deliver n events, setting each one's outcome.  Returns -1 only when the
 * destination is unusable (every event then has DEST_RETRY). */
int dest_send(struct dest *d, struct dest_event *evs, size_t n);
void dest_close(struct dest *d);
/* Can a destination of type (lac.yaml's) send the event text at all?  An
 * event it never could (a preset's without a userId or an email) is invalid
 * at the run (SPEC §5: no usable identifier), why said; true for the types
 * that take every event. */
bool dest_event_usable(const char *type, const char *json, size_t len, char *why, size_t whylen);
/* Events per page and bytes per page deliver_outbox hands to send. */
void dest_page_limits(const struct dest *d, size_t *events, size_t *bytes);
/* HTTP requests made so far (tests, stats). */
long dest_requests(const struct dest *d);

struct deliver_stats {
	int64_t delivered, failed, retry, pages;
	bool stopped;              /* gave up early: the destination is unreachable */
	char stop_reason[256];     /* why, when stopped: the last page's first reason */
};
/* Deliver the destination's undelivered events (retries first), recording
 * each outcome in the outbox (and so the counters).  A page whose every event
 * failed transiently stops the delivery: the rest stays pending for next time.
 * 0, or -1 on a state DB error (message in err). */
int deliver_outbox(struct state *st, struct dest *d, int64_t now, struct deliver_stats *stats,
		   struct strbuf *err);
/* deliver_outbox of the audience's events only (of one activation unless
 * activation is NULL): `lac delivery A --retry`. */
int deliver_outbox_of(struct state *st, struct dest *d, const char *audience, const char *activation,
		      int64_t now, struct deliver_stats *stats, struct strbuf *err);
/* The delivery of a run (run_id) of audience, in two parts: first what
 * earlier runs left undelivered, in queue order (other audiences' running
 * runs' events are left for their own runs: outbox_reader_open_for) in the
 * destination's turn (dest_shared.h, cfg.shared); then this run's own
 * events, which no other run reads, so that the runs of one lac send theirs
 * at once, within max_in_flight and max_rate (a destination whose ops are
 * not `concurrent` keeps its turn for them too). */
int deliver_outbox_for(struct state *st, struct dest *d, int64_t now, const char *audience,
		       const char *run_id, struct deliver_stats *stats, struct strbuf *err);

#endif
