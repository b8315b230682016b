/*
 * event.c — one activation event from one membership change: the Segment
 * Track/Identify shape, the identifier strategy, the deterministic messageId
 * and the 32 KB limit with per-level truncation of _entity_context.
 * docs/events.md is the user-facing description of all of it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "event.h"
#include "util.h"

#define MAX_LEVELS 16

bool event_is_identify(enum trigger_kind t)
{
	return t == TRIG_MEMBERSHIP_CHANGED || t == TRIG_MEMBERSHIP_OR_VALUES_CHANGED;
}

static bool is_entity_trigger(enum trigger_kind t)
{
	return t == TRIG_ENTITY_ADDED || t == TRIG_ENTITY_REMOVED ||
	       t == TRIG_ENTITY_ENTERED || t == TRIG_ENTITY_EXITED;
}

const char *event_default_name(enum trigger_kind t, enum event_change change)
{
	switch (t) {
	case TRIG_PROFILE_ENTERED:
	case TRIG_PROFILE_EXITED:
		return change == CHANGE_EXITED ? "Audience Exited" : "Audience Entered";
	case TRIG_ENTITY_ADDED:
	case TRIG_ENTITY_REMOVED:
	case TRIG_ENTITY_ENTERED:
	case TRIG_ENTITY_EXITED:
		return change == CHANGE_EXITED ? "Entity Removed" : "Entity Added";
	default:
		return NULL;
	}
}

static const char *change_name(enum event_change c)
{
	return c == CHANGE_ENTERED ? "entered" : c == CHANGE_EXITED ? "exited" : "values";
}

/* ---- time ---------------------------------------------------------------------- */

int event_time_parse(const char *iso, int64_t *out)
{
	struct tm tm;
	int n = 0;
	memset(&tm, 0, sizeof(tm));
	if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	const char *p = iso + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int hh, mm, k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &k) != 2)
			return -1;
		off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
		p += 1 + k;
	} else {
		return -1;
	}
	if (*p || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm(&tm) - off;
	return 0;
}

void event_time_format(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- messageId ------------------------------------------------------------------- */

/* One field of the canonical form: a netstring "<len>:<bytes>,". */
static void add_field(struct strbuf *sb, const char *s)
{
	if (!s)
		s = "";
	sb_addf(sb, "%zu:", strlen(s));
	sb_addstr(sb, s);
	sb_addch(sb, ',');
}

void event_message_id(const struct event_ctx *ctx, const struct event_member *m,
		      char out[EVENT_MESSAGE_ID_LEN + 1])
{
	struct strbuf sb = STRBUF_INIT;
	char gen[32];
	snprintf(gen, sizeof(gen), "%lld", (long long)ctx->generation);
	add_field(&sb, "lac-event-v1");
	add_field(&sb, ctx->audience);
	add_field(&sb, ctx->activation);
	add_field(&sb, trigger_name(ctx->trigger));
	add_field(&sb, change_name(m->change));
	add_field(&sb, m->profile_id);
	add_field(&sb, m->entity_id);
	add_field(&sb, gen);

	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(sb.buf, sb.len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		LAC_BUG("SHA-256 failed");
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[EVENT_MESSAGE_ID_LEN] = '\0';
	sb_release(&sb);
}

/* ---- identifier strategy ------------------------------------------------------------- */

/* The smallest (byte order) non-empty id of the given type, or NULL. */
static const char *smallest_id(const json_t *ids, const char *type)
{
	if (!json_is_object(ids) || !type)
		return NULL;
	const json_t *v = json_object_get(ids, type);
	if (json_is_string(v))
		return json_string_length(v) ? json_string_value(v) : NULL;
	const char *best = NULL;
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		const char *s = json_string_value(x);
		if (s && *s && (!best || strcmp(s, best) < 0))
			best = s;
	}
	return best;
}

/* ---- entity context ----------------------------------------------------------------- */

static bool is_level(const json_t *v)
{
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
		if (!json_is_object(x))
			return false;
	return true;
}

static size_t context_depth(const json_t *obj, size_t depth)
{
	size_t best = depth;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		if (!is_level(v))
			continue;
		if (depth + 1 > best)
			best = depth + 1;
		size_t i;
		json_t *row;
		json_array_foreach(v, i, row) {
			size_t d = context_depth(row, depth + 1);
			if (d > best)
				best = d;
		}
	}
	return best;
}

/* A copy of obj with the arrays at level d cut to limits[d] rows. */
static json_t *copy_context(const json_t *obj, const size_t *limits, size_t d)
{
	json_t *out = json_object();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		if (!is_level(v)) {
			json_object_set(out, k, v);
			continue;
		}
		size_t lim = limits[d < MAX_LEVELS ? d : MAX_LEVELS - 1];
		json_t *arr = json_array();
		for (size_t i = 0; i < json_array_size(v) && i < lim; i++)
			json_array_append_new(arr, copy_context(json_array_get(v, i), limits, d + 1));
		json_object_set_new(out, k, arr);
	}
	return out;
}

/* ---- building --------------------------------------------------------------------------- */

/* Set value at a dotted path under root, creating objects on the way. */
static void set_path(json_t *root, const char *path, json_t *value)
{
	char *copy = xstrdup(path);
	json_t *cur = root;
	char *seg = copy, *dot;
	while ((dot = strchr(seg, '.')) != NULL) {
		*dot = '\0';
		json_t *next = json_object_get(cur, seg);
		if (!json_is_object(next)) {
			next = json_object();
			json_object_set_new(cur, seg, next);
		}
		cur = next;
		seg = dot + 1;
	}
	json_object_set(cur, seg, value);
	free(copy);
}

static void apply_map(json_t *ev, json_t *body, const json_t *map)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)map, k, v) {
		if (str_starts(k, "context."))
			set_path(json_object_get(ev, "context"), k + 8, v);
		else if (str_starts(k, "properties."))
			set_path(body, k + 11, v);
		else if (str_starts(k, "traits."))
			set_path(body, k + 7, v);
		else
			set_path(body, k, v);
	}
}

static json_t *context_object(const struct event_ctx *ctx)
{
	json_t *context = json_object();
	json_object_set_new(context, "library",
			    json_pack("{s:s, s:s}", "name", "lac", "version", PACKAGE_VERSION));
	json_object_set_new(context, "personas",
			    json_pack("{s:s, s:s, s:s, s:s}",
				      "computation_class", "audience",
				      "computation_key", ctx->audience,
				      "computation_run_id", ctx->run_id ? ctx->run_id : "",
				      "event_emitter_id", ctx->activation));
	return context;
}

void event_ctx_prepare(struct event_ctx *ctx)
{
	event_ctx_release(ctx);
	ctx->shared = json_object();
	json_object_set_new(ctx->shared, "context", context_object(ctx));
	json_object_set_new(ctx->shared, "audience_key", json_string(ctx->audience));
	json_object_set_new(ctx->shared, "audience_name",
			    json_string(ctx->audience_name ? ctx->audience_name : ctx->audience));
}

void event_ctx_release(struct event_ctx *ctx)
{
	json_decref(ctx->shared);
	ctx->shared = NULL;
}

/* Does a `map` write under context.*?  Then the event needs its own copy. */
static bool maps_context(const json_t *map)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)map, k, v)
		if (str_starts(k, "context."))
			return true;
	return false;
}

static json_t *build(const struct event_ctx *ctx, const struct event_member *m, const char *msgid,
		     const char *uid_key, const char *uid, const json_t *entity_context)
{
	json_t *shared = ctx->shared;
	bool identify = event_is_identify(ctx->trigger);
	json_t *ev = json_object();
	json_object_set_new(ev, "type", json_string(identify ? "identify" : "track"));
	if (!identify) {
		const char *name = ctx->event_name ? ctx->event_name
						   : event_default_name(ctx->trigger, m->change);
		json_object_set_new(ev, "event", json_string(name ? name : "Audience Entered"));
	}
	json_object_set_new(ev, uid_key, json_string(uid));
	json_object_set_new(ev, "messageId", json_string(msgid));
	json_object_set_new(ev, "timestamp", json_string(ctx->now ? ctx->now : ""));

	/* the shared context is only read (dumped), unless a map writes into it */
	if (shared && !(json_is_object(m->map) && maps_context(m->map)))
		json_object_set(ev, "context", json_object_get(shared, "context"));
	else
		json_object_set_new(ev, "context", context_object(ctx));

	/* Lowest precedence first: traits, then map entries, then lac's own keys. */
	json_t *body = json_object();
	if (json_is_object(m->traits))
		json_object_update(body, (json_t *)m->traits);
	if (json_is_object(m->map))
		apply_map(ev, body, m->map);
	if (entity_context && json_object_size(entity_context))
		json_object_set(body, "_entity_context", (json_t *)entity_context);
	if (!identify && shared) {
		json_object_set(body, "audience_key", json_object_get(shared, "audience_key"));
		json_object_set(body, "audience_name", json_object_get(shared, "audience_name"));
	} else if (!identify) {
		json_object_set_new(body, "audience_key", json_string(ctx->audience));
		json_object_set_new(body, "audience_name",
				    json_string(ctx->audience_name ? ctx->audience_name : ctx->audience));
	}
	if (is_entity_trigger(ctx->trigger)) {
		json_object_set_new(body, "entity_id", json_string(m->entity_id ? m->entity_id : ""));
		json_object_set_new(body, "entity", json_string(ctx->trigger_path ? ctx->trigger_path : ""));
	}
	json_object_set_new(body, ctx->audience, json_boolean(m->member));
	json_object_set_new(ev, identify ? "traits" : "properties", body);
	return ev;
}

static char *dump(const json_t *ev, size_t *len)
{
	char *s = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	if (!s)
		LAC_BUG("json_dumps failed");
	*len = strlen(s);
	return s;
}

enum event_status event_build(const struct event_ctx *ctx, const struct event_member *m,
			      struct event_out *out)
{
	memset(out, 0, sizeof(*out));
	event_message_id(ctx, m, out->message_id);
	size_t max = ctx->max_bytes ? ctx->max_bytes : EVENT_MAX_BYTES;

	/* The identifier strategy (SPEC §5). */
	const char *uid_key = "userId", *uid;
	if (ctx->identifier) {
		uid = smallest_id(m->external_ids, ctx->identifier);
		if (!uid) {
			out->status = EVENT_FILTERED;
			snprintf(out->reason, sizeof(out->reason), "profile has no '%.60s' identifier",
				 ctx->identifier);
			return out->status;
		}
	} else {
		uid = smallest_id(m->external_ids, "user_id");
		if (!uid) {
			uid_key = "anonymousId";
			uid = m->profile_id;
		}
	}
	if (!uid || !*uid) {
		out->status = EVENT_INVALID;
		snprintf(out->reason, sizeof(out->reason), "no usable identifier (no user_id, no profile id)");
		return out->status;
	}
	if (is_entity_trigger(ctx->trigger) && (!m->entity_id || !*m->entity_id)) {
		out->status = EVENT_INVALID;
		snprintf(out->reason, sizeof(out->reason), "entity event without an entity id");
		return out->status;
	}

	size_t limits[MAX_LEVELS];
	size_t rows = ctx->context_rows ? ctx->context_rows : EVENT_CONTEXT_ROWS;
	for (size_t i = 0; i < MAX_LEVELS; i++)
		limits[i] = rows;
	size_t depth = 0;
	if (json_is_object(m->entity_context)) {
		depth = context_depth(m->entity_context, 0);
		if (depth > MAX_LEVELS)
			depth = MAX_LEVELS;
	}

	/* Cut the deepest level first, halving its rows down to one, then the
	 * level above, until the event fits or every level has one row. */
	size_t level = depth;
	for (;;) {
		json_t *ectx = depth ? copy_context(m->entity_context, limits, 0)
				     : (json_t *)m->entity_context;
		if (!depth && ectx)
			json_incref(ectx);
		json_t *ev = build(ctx, m, out->message_id, uid_key, uid, ectx);
		json_decref(ectx);
		free(out->json);
		out->json = dump(ev, &out->len);
		json_decref(ev);
		if (out->len <= max) {
			out->status = EVENT_OK;
			return out->status;
		}
		while (level > 0 && limits[level - 1] <= 1)
			level--;
		if (level == 0)
			break;
		limits[level - 1] /= 2;
		out->truncated = true;
	}
	out->status = EVENT_INVALID;
	snprintf(out->reason, sizeof(out->reason), "event is %zu bytes, over the %zu-byte limit%s",
		 out->len, max, depth ? " even with _entity_context cut to one row per level" : "");
	return out->status;
}

void event_out_release(struct event_out *out)
{
	free(out->json);
	out->json = NULL;
	out->len = 0;
}
