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

#include "run/event.h"
#include "base/json_emit.h"
#include "base/sha256.h"
#include "base/util.h"

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

/* ---- messageId ------------------------------------------------------------------- */

_Static_assert(EVENT_MESSAGE_ID_LEN == SHA256_HEX_LEN, "a messageId is a hex SHA-256");

enum { MSGID_FIELDS = 8 };

void event_message_id(const struct event_ctx *ctx, const struct event_member *m,
		      char out[EVENT_MESSAGE_ID_LEN + 1])
{
	char gen[32];
	snprintf(gen, sizeof(gen), "%lld", (long long)ctx->generation);
	const char *f[MSGID_FIELDS] = {
		"lac-event-v1", ctx->audience, ctx->activation, trigger_name(ctx->trigger),
		change_name(m->change), m->profile_id, m->entity_id, gen,
	};
	/* The canonical form: each field a netstring "<len>:<bytes>,", built on
	 * the stack unless the (untrusted) ids make it long. */
	size_t len[MSGID_FIELDS], total = 0;
	for (int i = 0; i < MSGID_FIELDS; i++) {
		if (!f[i])
			f[i] = "";
		len[i] = strlen(f[i]);
		total += len[i] + 22; /* 20 digits, ':' and ',' */
	}
	char stack[512];
	char *buf = total <= sizeof(stack) ? stack : xmalloc(total), *p = buf;
	for (int i = 0; i < MSGID_FIELDS; i++) {
		char digits[24], *d = digits + sizeof(digits);
		size_t v = len[i];
		do {
			*--d = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		size_t nd = (size_t)(digits + sizeof(digits) - d);
		memcpy(p, d, nd);
		p += nd;
		*p++ = ':';
		memcpy(p, f[i], len[i]);
		p += len[i];
		*p++ = ',';
	}

	sha256_hex_to(buf, (size_t)(p - buf), out);
	if (buf != stack)
		free(buf);
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

/* How many levels of rows an _entity_context has (0: none, or no object). */
static size_t context_levels(const json_t *ec)
{
	if (!json_is_object(ec))
		return 0;
	size_t depth = context_depth(ec, 0);
	return depth > MAX_LEVELS ? MAX_LEVELS : depth;
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
	/* and its text, copied into every event written without a tree */
	struct strbuf sb = STRBUF_INIT;
	json_emit_sorted(&sb, json_object_get(ctx->shared, "context"));
	ctx->shared_context_text = sb_detach(&sb);
	json_object_set_new(ctx->shared, "audience_key", json_string(ctx->audience));
	json_object_set_new(ctx->shared, "audience_name",
			    json_string(ctx->audience_name ? ctx->audience_name : ctx->audience));
}

void event_ctx_release(struct event_ctx *ctx)
{
	json_decref(ctx->shared);
	ctx->shared = NULL;
	free(ctx->shared_context_text);
	ctx->shared_context_text = NULL;
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

/* ---- emitting without a tree ---------------------------------------------------------- */

/*
 * Without `map` entries the event's shape is fixed, so it is written straight
 * as text instead of built as a json_t tree and dumped: the same bytes
 * (json_emit.c is json_dumps' format), minus a dozen allocations and a
 * hashtable per event.  Where build() would fail to set a member (a NULL or
 * non-UTF-8 string, which json_string and json_object_set_new refuse), the
 * member is left out here too, so both paths agree on every input.
 */

static bool text_ok(const char *s)
{
	return s && utf8_valid(s, strlen(s));
}

/* One member of the properties/traits object: a JSON value, a C string or
 * the _entity_context to cut to limits. */
enum entry_kind { ENTRY_JSON, ENTRY_STR, ENTRY_CONTEXT };
struct entry {
	const char *key;
	size_t len;
	enum entry_kind kind;
	const json_t *json;
	const char *str;
};

struct entries {
	struct entry *e;
	size_t n, cap;
	struct entry stack[32];
};

static void entries_push(struct entries *es, struct entry x)
{
	if (es->n == es->cap) {
		size_t cap = es->cap * 2;
		struct entry *e = xmalloc(cap * sizeof(*e));
		memcpy(e, es->e, es->n * sizeof(*e));
		if (es->e != es->stack)
			free(es->e);
		es->e = e;
		es->cap = cap;
	}
	es->e[es->n++] = x;
}

/* json_object_set: a later value for the same key replaces the earlier one. */
static void entries_set(struct entries *es, const char *key, struct entry x)
{
	if (!text_ok(key))
		return;
	x.key = key;
	x.len = strlen(key);
	for (size_t i = 0; i < es->n; i++)
		if (es->e[i].len == x.len && !memcmp(es->e[i].key, key, x.len)) {
			es->e[i] = x;
			return;
		}
	entries_push(es, x);
}

static void entries_set_str(struct entries *es, const char *key, const char *value)
{
	if (text_ok(value))
		entries_set(es, key, (struct entry){ .kind = ENTRY_STR, .str = value });
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	return json_key_cmp(a->key, a->len, b->key, b->len);
}

static void emit_key(struct strbuf *sb, bool *first, const char *key)
{
	if (!*first)
		json_emit_ch(sb, ',');
	*first = false;
	json_emit_string(sb, key, strlen(key));
	json_emit_ch(sb, ':');
}

/* A member whose value is a C string, unless json_string would refuse it. */
static void emit_str_member(struct strbuf *sb, bool *first, const char *key, const char *value)
{
	if (!text_ok(value))
		return;
	emit_key(sb, first, key);
	json_emit_string(sb, value, strlen(value));
}

/* What copy_context then json_dumps would print: obj with the arrays at
 * level d cut to limits[d] rows. */
static void emit_context(struct strbuf *sb, const json_t *obj, const size_t *limits, size_t d)
{
	struct json_member stack[16], *m;
	size_t n = json_members_sorted(obj, stack, ARRAY_LEN(stack), &m);
	json_emit_ch(sb, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			json_emit_ch(sb, ',');
		json_emit_string(sb, m[i].key, m[i].len);
		json_emit_ch(sb, ':');
		if (!is_level(m[i].value)) {
			json_emit_sorted(sb, m[i].value);
			continue;
		}
		size_t lim = limits[d < MAX_LEVELS ? d : MAX_LEVELS - 1];
		json_emit_ch(sb, '[');
		for (size_t r = 0; r < json_array_size(m[i].value) && r < lim; r++) {
			if (r)
				json_emit_ch(sb, ',');
			emit_context(sb, json_array_get(m[i].value, r), limits, d + 1);
		}
		json_emit_ch(sb, ']');
	}
	json_emit_ch(sb, '}');
	if (m != stack)
		free(m);
}

/* The properties/traits object of build(), without `map` entries. */
static void emit_body(struct strbuf *sb, const struct event_ctx *ctx, const struct event_member *m,
		      const size_t *limits)
{
	bool identify = event_is_identify(ctx->trigger);
	struct entries es = { .cap = ARRAY_LEN(es.stack) };
	es.e = es.stack;
	/* Lowest precedence first, as in build(): traits, then lac's own keys. */
	if (json_is_object(m->traits))
		for (void *it = json_object_iter((json_t *)m->traits); it;
		     it = json_object_iter_next((json_t *)m->traits, it))
			entries_push(&es, (struct entry){ .key = json_object_iter_key(it),
							  .len = json_object_iter_key_len(it),
							  .kind = ENTRY_JSON,
							  .json = json_object_iter_value(it) });
	const json_t *ec = m->entity_context;
	if (ec && json_object_size(ec))
		entries_set(&es, "_entity_context",
			    (struct entry){ .kind = ENTRY_CONTEXT, .json = ec });
	if (!identify) {
		entries_set_str(&es, "audience_key", ctx->audience);
		entries_set_str(&es, "audience_name", ctx->audience_name ? ctx->audience_name : ctx->audience);
	}
	if (is_entity_trigger(ctx->trigger)) {
		entries_set_str(&es, "entity_id", m->entity_id ? m->entity_id : "");
		entries_set_str(&es, "entity", ctx->trigger_path ? ctx->trigger_path : "");
	}
	entries_set(&es, ctx->audience,
		    (struct entry){ .kind = ENTRY_JSON, .json = m->member ? json_true() : json_false() });

	if (es.n > 24) {
		qsort(es.e, es.n, sizeof(*es.e), entry_cmp);
	} else {
		for (size_t i = 1; i < es.n; i++) {
			struct entry x = es.e[i];
			size_t j = i;
			for (; j > 0 && entry_cmp(&es.e[j - 1], &x) > 0; j--)
				es.e[j] = es.e[j - 1];
			es.e[j] = x;
		}
	}
	json_emit_ch(sb, '{');
	for (size_t i = 0; i < es.n; i++) {
		const struct entry *x = &es.e[i];
		if (i)
			json_emit_ch(sb, ',');
		json_emit_string(sb, x->key, x->len);
		json_emit_ch(sb, ':');
		if (x->kind == ENTRY_STR)
			json_emit_string(sb, x->str, strlen(x->str));
		else if (x->kind == ENTRY_CONTEXT)
			emit_context(sb, x->json, limits, 0);
		else
			json_emit_sorted(sb, x->json);
	}
	json_emit_ch(sb, '}');
	if (es.e != es.stack)
		free(es.e);
}

/* build() then json_dumps, for a member without `map` entries.  The top
 * level's keys are fixed, so they are written in their sorted order. */
static void emit_event(struct strbuf *sb, const struct event_ctx *ctx, const struct event_member *m,
		       const char *msgid, const char *uid_key, const char *uid,
		       const size_t *limits)
{
	bool identify = event_is_identify(ctx->trigger);
	bool anonymous = !strcmp(uid_key, "anonymousId"), first = true;
	json_emit_ch(sb, '{');
	if (anonymous)
		emit_str_member(sb, &first, "anonymousId", uid);
	emit_key(sb, &first, "context");
	if (ctx->shared_context_text) {
		json_emit_raw(sb, ctx->shared_context_text, strlen(ctx->shared_context_text));
	} else {
		json_t *c = context_object(ctx);
		json_emit_sorted(sb, c);
		json_decref(c);
	}
	if (!identify) {
		const char *name = ctx->event_name ? ctx->event_name
						   : event_default_name(ctx->trigger, m->change);
		emit_str_member(sb, &first, "event", name ? name : "Audience Entered");
	}
	emit_str_member(sb, &first, "messageId", msgid);
	if (!identify) {
		emit_key(sb, &first, "properties");
		emit_body(sb, ctx, m, limits);
	}
	emit_str_member(sb, &first, "timestamp", ctx->now ? ctx->now : "");
	if (identify) {
		emit_key(sb, &first, "traits");
		emit_body(sb, ctx, m, limits);
	}
	emit_str_member(sb, &first, "type", identify ? "identify" : "track");
	if (!anonymous)
		emit_str_member(sb, &first, "userId", uid);
	json_emit_ch(sb, '}');
}

/* One attempt at the event's text, with _entity_context cut to limits
 * (depth, its levels, is only read when building a tree). */
static void render(struct strbuf *sb, const struct event_ctx *ctx, const struct event_member *m,
		   const char *msgid, const char *uid_key, const char *uid, const size_t *limits,
		   size_t depth)
{
	sb_reset(sb);
	if (!json_is_object(m->map)) {
		emit_event(sb, ctx, m, msgid, uid_key, uid, limits);
		sb->buf[sb->len] = '\0'; /* the inline appends leave it off */
		return;
	}
	/* `map` paths can write anywhere (even into a trait's object): build the
	 * tree as the rules say, then print it. */
	json_t *ectx = depth ? copy_context(m->entity_context, limits, 0)
			     : (json_t *)m->entity_context;
	if (!depth && ectx)
		json_incref(ectx);
	json_t *ev = build(ctx, m, msgid, uid_key, uid, ectx);
	json_decref(ectx);
	json_emit_sorted(sb, ev);
	json_decref(ev);
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
	/* The levels of _entity_context matter to a tree and to cutting; the
	 * first direct rendering cuts every level to `rows` without knowing them. */
	bool tree = json_is_object(m->map);
	size_t depth = tree ? context_levels(m->entity_context) : SIZE_MAX;

	/* Cut the deepest level first, halving its rows down to one, then the
	 * level above, until the event fits or every level has one row. */
	size_t level = depth;
	struct strbuf sb = STRBUF_INIT;
	sb_grow(&sb, 1024); /* most events fit: no regrowing on the way */
	for (;;) {
		render(&sb, ctx, m, out->message_id, uid_key, uid, limits, depth);
		if (sb.len <= max) {
			out->len = sb.len;
			out->json = sb_detach(&sb);
			out->status = EVENT_OK;
			return out->status;
		}
		if (depth == SIZE_MAX)
			level = depth = context_levels(m->entity_context);
		while (level > 0 && limits[level - 1] <= 1)
			level--;
		if (level == 0)
			break;
		limits[level - 1] /= 2;
		out->truncated = true;
	}
	out->len = sb.len;
	out->json = sb_detach(&sb);
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
