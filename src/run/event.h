/*
 * event.h — building activation events (SPEC §5, docs/events.md): Segment
 * Track and Identify calls with a deterministic messageId, the identifier
 * strategy, enriched traits and a size-bounded _entity_context.
 *
 * The runner describes one change (a member entering, an entity added...)
 * with struct event_member; event_build turns it into the compact JSON text
 * that goes into the outbox, or says why it must not be sent.
 */
#ifndef LAC_EVENT_H
#define LAC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lang/ast.h"

#define EVENT_MAX_BYTES 32768      /* Segment's per-event limit */
#define EVENT_CONTEXT_ROWS 10      /* _entity_context rows per level by default */
#define EVENT_MESSAGE_ID_LEN 64    /* hex SHA-256 */

/* What is the same for every event of one activation in one run. */
struct event_ctx {
	const char *audience;       /* audience name: audience_key and computation_key */
	const char *audience_name;  /* display name (NULL: the audience name) */
	const char *activation;     /* event_emitter_id */
	enum trigger_kind trigger;
	const char *trigger_path;   /* entity added/removed: the path P ("households.pets"); */
				    /* entity entered/exited: the target entity's path */
	const char *event_name;     /* `event "X"` override, or NULL */
	const char *identifier;     /* `identifier T`, or NULL for the default strategy */
	const char *run_id;         /* computation_run_id */
	int64_t generation;         /* snapshot generation the change was computed against */
	const char *now;            /* the run's now, ISO-8601 UTC ending in Z */
	size_t context_rows;        /* rows per _entity_context level; 0 = EVENT_CONTEXT_ROWS */
	size_t max_bytes;           /* 0 = EVENT_MAX_BYTES */
	/* Optional, from event_ctx_prepare: the parts every event of the
	 * activation shares (the `context` object, audience_key/name), built
	 * once instead of per event.  NULL: built per event. */
	json_t *shared;
	char *shared_context_text;  /* the `context` object as JSON text (with shared) */
};

/* The change a single event reports. */
enum event_change {
	CHANGE_ENTERED,             /* profile entered / entity added / entity entered */
	CHANGE_EXITED,              /* profile exited / entity removed / entity exited */
	CHANGE_VALUES,              /* a continuing member's enrichment changed */
};

struct event_member {
	enum event_change change;
	const char *profile_id;     /* the profile (canonical id); required */
	const json_t *external_ids; /* object: id type -> string or array of strings (may be NULL) */
	const char *entity_id;      /* entity events: the entity's primary key as text; else NULL */
	bool member;                /* is the profile a member after the run */
	const json_t *traits;       /* object of enriched trait values (may be NULL) */
	/* object: relationship slug -> array of row objects, rows in primary-key
	 * order; a row's value that is an array of objects is the next level
	 * (keyed by that relationship's slug).  May be NULL. */
	const json_t *entity_context;
	/* `map` entries: object "properties.x" / "traits.x" / "context.x" -> value
	 * (a key without one of those prefixes goes into properties/traits).  May be NULL. */
	const json_t *map;
};

enum event_status {
	EVENT_OK,
	EVENT_FILTERED,             /* no external id of the activation's identifier type */
	EVENT_INVALID,              /* over the size limit after truncation, no usable id */
};

struct event_out {
	enum event_status status;
	char message_id[EVENT_MESSAGE_ID_LEN + 1];
	char *json;                 /* compact JSON, sorted keys (OK and INVALID); malloc'd */
	size_t len;
	bool truncated;             /* _entity_context was cut to fit */
	char reason[160];           /* why FILTERED / INVALID */
};

/* Build one event.  Returns its status; out->json must be freed with
 * event_out_release whatever the status. */
enum event_status event_build(const struct event_ctx *ctx, const struct event_member *m,
			      struct event_out *out);
void event_out_release(struct event_out *out);
/* Build ctx->shared once the other fields are set (the output is the same
 * with or without it); event_ctx_release frees it. */
void event_ctx_prepare(struct event_ctx *ctx);
void event_ctx_release(struct event_ctx *ctx);

/* The messageId recipe (docs/events.md), exposed for tests and tools. */
void event_message_id(const struct event_ctx *ctx, const struct event_member *m,
		      char out[EVENT_MESSAGE_ID_LEN + 1]);

/* "Audience Entered", "Entity Removed", ... or NULL for Identify triggers. */
const char *event_default_name(enum trigger_kind t, enum event_change change);
bool event_is_identify(enum trigger_kind t);


#endif
