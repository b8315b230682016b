/*
 * dest_private.h — what the destination drivers (dest_file.c,
 * dest_stdout.c, dest_http.c, dest_warehouse.c, dest_preset.c) share with
 * dest.c and dest_types.c: the function table, the table of types, the common struct dest, and the HTTP
 * machinery of dest_http.c that the stdlib presets are built on.
 */
#ifndef LAC_DEST_PRIVATE_H
#define LAC_DEST_PRIVATE_H

#include "deliver/dest.h"

struct dest_ops {
	int (*open)(struct dest *d, struct strbuf *err);
	int (*send)(struct dest *d, struct dest_event *evs, size_t n);
	void (*close)(struct dest *d);
	size_t page_events, page_bytes; /* 0: from the config's batch limits */
	/* runs may deliver their own events at once (HTTP: requests are
	 * independent); false: one delivery at a time, as a file is appended */
	bool concurrent;
	/* Optional (NULL: every event): can a destination of this type send
	 * the event at all (dest_event_usable)? */
	bool (*usable)(const char *dest_type, const char *json, size_t len, char *why, size_t whylen);
};

struct dest {
	const struct dest_ops *ops;
	struct dest_config cfg;
	void *priv;
	void *xpriv;               /* a driver layered on another's priv (presets over HTTP) */
	long requests;
	int flight_slot;           /* dest_limit_enter's request slot (-1: none) */
	double tat_ms;             /* max_rate's schedule when no runs share one */
};

/* d's record in dest_shared's mapping ((size_t)-1: none, which every
 * dest_shared function takes as "nothing shared"). */
static inline size_t dest_shared_index(const struct dest *d)
{
	return d->cfg.shared < 0 ? (size_t)-1 : (size_t)d->cfg.shared;
}

/* Around each request of `events` events (dest_limit.c): wait for a
 * request slot (max_in_flight) and for max_rate, then give the slot back. */
void dest_limit_enter(struct dest *d, size_t events);
void dest_limit_leave(struct dest *d);

/* A row of the table of destination types (dest_types.c; its key column is
 * project/dest_kind.h's). */
struct dest_type {
	const char *name;
	/* lac.yaml settings into cfg (the defaults already set); NULL: none.
	 * 0, or -1 (diagnostics reported). */
	int (*configure)(struct project *p, const struct destination *d, struct dest_config *cfg);
	const struct dest_ops *ops;
};
/* The row of that type, or NULL. */
const struct dest_type *dest_type_find(const char *name);
/* The presets' dest_ops.usable (dest_preset.c). */
bool preset_usable(const char *dest_type, const char *json, size_t len, char *why, size_t whylen);
/* Every row, *n of them. */
const struct dest_type *dest_types(size_t *n);

extern const struct dest_ops dest_file_ops, dest_stdout_ops, dest_webhook_ops, dest_segment_ops,
	dest_warehouse_ops, dest_braze_ops, dest_iterable_ops, dest_customerio_ops;

/* ---- HTTP (dest_http.c) ---------------------------------------------------- */

/* How a request authenticates: HTTP basic auth (user, password) and/or one
 * extra header line "Name: value".  All of it is secret. */
struct http_auth {
	const char *basic_user, *basic_pass;
	const char *header;
};
/* Open d's HTTP handle (d->priv) for cfg.url, with the configured headers
 * and auth (NULL: none); 0, or -1 with a message in err. */
int dest_http_open(struct dest *d, const struct http_auth *auth, struct strbuf *err);
void dest_http_close(struct dest *d);
/* POST body to url (NULL: cfg.url) with retries, and set e's outcome:
 * delivered, rejected (4xx) or retry.  0, or -1 when the destination is
 * unreachable (retries exhausted or unusable); e then has DEST_RETRY. */
int dest_http_post(struct dest *d, const char *url, const char *body, size_t len,
		   struct dest_event *e);
/* Mark evs[from..n) "not sent" (DEST_RETRY) after the destination failed. */
void dest_http_unsent(struct dest_event *evs, size_t from, size_t n, const char *why);
/* Build one request body from n events (their json/len). */
typedef void (*dest_http_body_fn)(struct dest_event *const *evs, size_t n, struct strbuf *body);
/* Read a 2xx response's body (resp[0..len), parsed or not) for the events
 * the API reports it refused although it took the request, and pass each to
 * dest_http_reject (the others stay delivered). */
typedef void (*dest_http_accepted_fn)(struct dest *d, const char *resp, size_t len,
				      struct dest_event *const *evs, size_t n);
/* e refused, with the API's own words (redacted whole, then cut). */
void dest_http_reject(struct dest *d, struct dest_event *e, const char *text);
/* Send evs in batches of at most cfg.batch_events events and cfg.batch_bytes
 * bytes (overhead: the bytes body() adds around the events) to url (NULL:
 * cfg.url); an event over cfg.event_bytes is rejected unsent; a batch refused
 * with 400/413 is split in halves; a batch taken is read by accepted (NULL:
 * every event delivered).  0, or -1 when unreachable (the unsent events are
 * left DEST_RETRY). */
int dest_http_send_batches(struct dest *d, const char *url, dest_http_body_fn body, size_t overhead,
			   dest_http_accepted_fn accepted, struct dest_event *evs, size_t n);
/* The Segment-style body {"batch":[event,...]} (segment, Customer.io);
 * DEST_BATCH_BODY_EMPTY is its overhead around the events. */
void dest_batch_body(struct dest_event *const *evs, size_t n, struct strbuf *body);
#define DEST_BATCH_BODY_EMPTY (sizeof("{\"batch\":[]}") - 1)

/* Set an event's outcome and reason (printf-style). */
void dest_event_set(struct dest_event *e, enum dest_outcome o, const char *fmt, ...) LAC_PRINTF(3, 4);

#endif
