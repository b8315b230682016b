/*
 * dest_preset.c — the stdlib destination presets (stdlib/destinations/<type>.yaml):
 * Braze, Iterable and Customer.io.  Each maps lac's Segment-spec events
 * (Track and Identify) to the tool's REST API as Segment's preset mappings do
 * (REFERENCE-segment §4.5), and sends them with dest_http.c's machinery:
 * connection reuse, retries with backoff and Retry-After, batch bisection.
 *
 *   braze       POST {url}/users/track, "Authorization: Bearer {api_key}",
 *               {"attributes":[...],"events":[...]}, at most 75 events a request.
 *   iterable    POST {url}/events/track (Track) or {url}/users/update (Identify),
 *               "Api-Key: {api_key}", one event a request.
 *   customerio  POST {url}/batch (Track API v2), basic auth site_id:api_key,
 *               {"batch":[...]}, at most 500 KB a request and 32 KB an entry.
 *
 * Who: userId, else a string `email` in the traits (Identify) or properties
 * (Track); an event with neither, or of another type, cannot be sent: the
 * run counts it invalid and never queues it (preset_usable), and one queued
 * anyway (by an older lac) is rejected unsent.
 * Braze's and Customer.io's 2xx answers list the entries they refused (the
 * rest were taken): those events are failed with the API's reason.
 * docs/delivery.md has the field-by-field mapping.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "deliver/dest_answer.h"
#include "deliver/dest_private.h"
#include "base/time.h"

enum preset_kind { P_BRAZE, P_ITERABLE, P_CUSTOMERIO };

struct preset_priv {
	enum preset_kind kind;
	char *url_a, *url_b;       /* braze: users/track; iterable: events/track, users/update;
				    * customerio: batch */
	char *auth;                /* the auth header line (secret), or NULL */
};

/* ---- mapping ------------------------------------------------------------------------------- */

/* Who the event is about: ("external_id"|"userId"|"id", userId) or ("email", email). */
struct who {
	const char *key, *value;
};

static bool find_who(json_t *ev, json_t *body, const char *user_key, struct who *w)
{
	const char *uid = json_string_value(json_object_get(ev, "userId"));
	if (uid && *uid) {
		w->key = user_key;
		w->value = uid;
		return true;
	}
	const char *email = json_string_value(json_object_get(body, "email"));
	if (email && *email) {
		w->key = "email";
		w->value = email;
		return true;
	}
	return false;
}

/* The event text parsed, with its type (Identify or Track) and the object
 * its fields are in (traits or properties; NULL when it has none); NULL
 * with why set for an event no preset can send. */
static json_t *parse_event(const char *json, size_t len, const char *dest_type, bool *identify,
			   json_t **body, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *ev = json_loadb(json, len, 0, &jerr);
	if (!ev || !json_is_object(ev)) {
		json_decref(ev);
		snprintf(why, whylen, "event is not a JSON object");
		return NULL;
	}
	const char *type = json_string_value(json_object_get(ev, "type"));
	*identify = type && strcmp(type, "identify") == 0;
	if (!type || (!*identify && strcmp(type, "track") != 0)) {
		snprintf(why, whylen, "%s takes only track and identify events, not '%s'", dest_type,
			 type ? type : "?");
		json_decref(ev);
		return NULL;
	}
	*body = json_object_get(ev, *identify ? "traits" : "properties");
	if (!json_is_object(*body))
		*body = NULL;
	return ev;
}

#define NO_WHO "no userId or email: %s needs one"

bool preset_usable(const char *dest_type, const char *json, size_t len, char *why, size_t whylen)
{
	bool identify;
	json_t *body;
	json_t *ev = parse_event(json, len, dest_type, &identify, &body, why, whylen);
	if (!ev)
		return false;
	struct who who;
	bool ok = find_who(ev, body, "", &who);
	if (!ok)
		snprintf(why, whylen, NO_WHO, dest_type);
	json_decref(ev);
	return ok;
}

/* One event mapped: the request piece (a JSON text, malloc'd) and, for
 * braze, whether it is an attributes (Identify) entry; for iterable, which
 * URL.  NULL with why set when the event cannot be sent. */
static char *map_event(const struct dest *d, const struct dest_event *e, bool *identify,
		       char *why, size_t whylen)
{
	const struct preset_priv *pp = d->xpriv;
	json_t *body;
	json_t *ev = parse_event(e->json, e->len, d->cfg.type, identify, &body, why, whylen);
	if (!ev)
		return NULL;
	json_t *empty = json_object();
	if (!body)
		body = empty;
	const char *name = json_string_value(json_object_get(ev, "event"));
	const char *ts = json_string_value(json_object_get(ev, "timestamp"));
	/* Unix seconds, or -1 (the field left out) for a timestamp that is not one */
	struct time_value tv;
	long long secs = time_parse(ts, TIME_EVENT, &tv) == 0 ? (long long)tv.secs : -1;
	struct who who;
	const char *user_key = pp->kind == P_BRAZE ? "external_id" : pp->kind == P_ITERABLE ? "userId" : "id";
	json_t *out = NULL;
	if (!find_who(ev, body, user_key, &who)) {
		snprintf(why, whylen, NO_WHO, d->cfg.type);
	} else if (!*identify && !name) {
		snprintf(why, whylen, "track event without an event name");
	} else if (pp->kind == P_BRAZE) {
		out = json_object();
		json_object_set_new(out, who.key, json_string(who.value));
		if (*identify) {
			/* attributes: {external_id, <trait>: value, ..., _update_existing_only} */
			const char *k;
			json_t *v;
			json_object_foreach(body, k, v)
				if (strcmp(k, who.key) != 0 && strcmp(k, "_update_existing_only") != 0)
					json_object_set(out, k, v);
		} else {
			/* events: {external_id, app_id, name, time, properties, _update_existing_only} */
			if (d->cfg.app_id && *d->cfg.app_id)
				json_object_set_new(out, "app_id", json_string(d->cfg.app_id));
			json_object_set_new(out, "name", json_string(name));
			if (ts)
				json_object_set_new(out, "time", json_string(ts));
			json_object_set(out, "properties", body);
		}
		json_object_set_new(out, "_update_existing_only", json_false());
	} else if (pp->kind == P_ITERABLE) {
		out = json_object();
		json_object_set_new(out, who.key, json_string(who.value));
		if (*identify) {
			/* users/update: {userId|email, dataFields, preferUserId} */
			json_object_set(out, "dataFields", body);
			json_object_set_new(out, "preferUserId", json_true());
		} else {
			/* events/track: {userId|email, eventName, id, createdAt, dataFields} */
			json_object_set_new(out, "eventName", json_string(name));
			const char *mid = json_string_value(json_object_get(ev, "messageId"));
			if (mid)
				json_object_set_new(out, "id", json_string(mid));
			if (secs >= 0)
				json_object_set_new(out, "createdAt", json_integer((json_int_t)secs));
			json_object_set(out, "dataFields", body);
		}
	} else {
		/* Track API v2 batch entry: {type: person, identifiers, action, name, timestamp, attributes} */
		out = json_object();
		json_object_set_new(out, "type", json_string("person"));
		json_object_set_new(out, "identifiers", json_pack("{s:s}", who.key, who.value));
		json_object_set_new(out, "action", json_string(*identify ? "identify" : "event"));
		if (!*identify)
			json_object_set_new(out, "name", json_string(name));
		if (secs >= 0)
			json_object_set_new(out, "timestamp", json_integer((json_int_t)secs));
		json_object_set(out, "attributes", body);
	}
	char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
	if (out && !text)
		snprintf(why, whylen, "cannot encode the request");
	json_decref(out);
	json_decref(empty);
	json_decref(ev);
	return text;
}

/* ---- bodies ------------------------------------------------------------------------------------ */

/* Braze pieces carry a one-character tag: 'a' (attributes) or 'e' (events). */
static void braze_body(struct dest_event *const *evs, size_t n, struct strbuf *body)
{
	struct strbuf attrs = STRBUF_INIT, events = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		struct strbuf *sb = evs[i]->json[0] == 'a' ? &attrs : &events;
		sb_addch(sb, sb->len ? ',' : '[');
		sb_addmem(sb, evs[i]->json + 1, evs[i]->len - 1);
	}
	sb_addch(body, '{');
	if (attrs.len)
		sb_addf(body, "\"attributes\":%s]", attrs.buf);
	if (events.len)
		sb_addf(body, "%s\"events\":%s]", attrs.len ? "," : "", events.buf);
	sb_addch(body, '}');
	sb_release(&attrs);
	sb_release(&events);
}

/* ---- per-event failures in a 2xx answer (dest_answer.c) ------------------------------------------ */

static void reject_all(struct dest *d, struct dest_event *const *evs, struct dest_refusal *r, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		dest_http_reject(d, evs[r[i].index], r[i].why);
	dest_refusals_free(r, nr);
}

static void braze_accepted(struct dest *d, const char *resp, size_t len, struct dest_event *const *evs,
			   size_t n)
{
	/* which array each entry went to: braze_body's tag */
	char *tags = xmalloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		tags[i] = evs[i]->json[0];
	struct dest_refusal *r;
	size_t nr = dest_answer_braze(resp, len, tags, n, &r);
	free(tags);
	reject_all(d, evs, r, nr);
}

static void customerio_accepted(struct dest *d, const char *resp, size_t len,
				struct dest_event *const *evs, size_t n)
{
	struct dest_refusal *r;
	size_t nr = dest_answer_customerio(resp, len, n, &r);
	reject_all(d, evs, r, nr);
}

/* ---- send ---------------------------------------------------------------------------------------- */

/* braze, customerio: map every event, send the pieces in batches, copy the
 * outcomes back. */
static int batch_send(struct dest *d, struct dest_event *evs, size_t n)
{
	struct preset_priv *pp = d->xpriv;
	struct dest_event *pieces = xcalloc(n, sizeof(*pieces));
	size_t *from = xcalloc(n, sizeof(*from)), np = 0;
	for (size_t i = 0; i < n; i++) {
		bool identify;
		char why[sizeof(evs[i].reason)];
		char *text = map_event(d, &evs[i], &identify, why, sizeof(why));
		if (!text) {
			dest_event_set(&evs[i], DEST_REJECTED, "%s", why);
			continue;
		}
		if (pp->kind == P_BRAZE) {
			char *tagged = xasprintf("%c%s", identify ? 'a' : 'e', text);
			free(text);
			text = tagged;
		}
		pieces[np].message_id = evs[i].message_id;
		pieces[np].json = text;
		pieces[np].len = strlen(text);
		pieces[np].outcome = DEST_RETRY;
		from[np++] = i;
	}
	int rc = 0;
	if (np) {
		if (pp->kind == P_BRAZE)
			rc = dest_http_send_batches(d, pp->url_a, braze_body,
						    sizeof("{\"attributes\":[],\"events\":[]}") - 1,
						    braze_accepted, pieces, np);
		else
			rc = dest_http_send_batches(d, pp->url_a, dest_batch_body, DEST_BATCH_BODY_EMPTY,
						    customerio_accepted, pieces, np);
	}
	for (size_t k = 0; k < np; k++) {
		struct dest_event *e = &evs[from[k]];
		e->outcome = pieces[k].outcome;
		memcpy(e->reason, pieces[k].reason, sizeof(e->reason));
		free((char *)pieces[k].json);
	}
	free(pieces);
	free(from);
	return rc;
}

/* iterable: one request per event, to the endpoint of its type. */
static int each_send(struct dest *d, struct dest_event *evs, size_t n)
{
	struct preset_priv *pp = d->xpriv;
	for (size_t i = 0; i < n; i++) {
		bool identify;
		char why[sizeof(evs[i].reason)];
		char *text = map_event(d, &evs[i], &identify, why, sizeof(why));
		if (!text) {
			dest_event_set(&evs[i], DEST_REJECTED, "%s", why);
			continue;
		}
		int rc = dest_http_post(d, identify ? pp->url_b : pp->url_a, text, strlen(text), &evs[i]);
		free(text);
		if (rc < 0) {
			dest_http_unsent(evs, i + 1, n, evs[i].reason);
			return -1;
		}
	}
	return 0;
}

/* ---- open / close ------------------------------------------------------------------------------ */

static char *join_url(const char *base, const char *path)
{
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s", (int)n, base, path);
}

static void preset_close(struct dest *d)
{
	struct preset_priv *pp = d->xpriv;
	dest_http_close(d);
	if (!pp)
		return;
	free(pp->url_a);
	free(pp->url_b);
	if (pp->auth) {
		memset(pp->auth, 0, strlen(pp->auth));
		free(pp->auth);
	}
	free(pp);
	d->xpriv = NULL;
}

static int preset_open(struct dest *d, enum preset_kind kind, struct strbuf *err)
{
	struct dest_config *c = &d->cfg;
	if (!c->api_key || !*c->api_key) {
		sb_addf(err, "destination '%s' (%s) has no api_key", c->name, c->type);
		return -1;
	}
	if (kind == P_CUSTOMERIO && (!c->site_id || !*c->site_id)) {
		sb_addf(err, "destination '%s' (%s) has no site_id", c->name, c->type);
		return -1;
	}
	if (!c->url) {
		sb_addf(err, "destination '%s' (%s) has no url", c->name, c->type);
		return -1;
	}
	struct preset_priv *pp = xcalloc(1, sizeof(*pp));
	pp->kind = kind;
	d->xpriv = pp;
	struct http_auth auth = { NULL, NULL, NULL };
	switch (kind) {
	case P_BRAZE:
		pp->url_a = join_url(c->url, "/users/track");
		pp->auth = xasprintf("Authorization: Bearer %s", c->api_key);
		c->batch_events = 75;  /* /users/track: 75 attributes and 75 events a request */
		break;
	case P_ITERABLE:
		pp->url_a = join_url(c->url, "/events/track");
		pp->url_b = join_url(c->url, "/users/update");
		pp->auth = xasprintf("Api-Key: %s", c->api_key);
		break;
	case P_CUSTOMERIO:
		pp->url_a = join_url(c->url, "/batch");
		auth.basic_user = c->site_id;
		auth.basic_pass = c->api_key;
		c->batch_events = 1000;
		c->batch_bytes = 500 * 1000; /* the v2 batch limit: 500 KB, 32 KB an entry */
		c->event_bytes = 32 * 1000;
		break;
	}
	auth.header = pp->auth;
	if (dest_http_open(d, &auth, err) < 0) {
		preset_close(d);
		return -1;
	}
	return 0;
}

static int braze_open(struct dest *d, struct strbuf *err)
{
	return preset_open(d, P_BRAZE, err);
}

static int iterable_open(struct dest *d, struct strbuf *err)
{
	return preset_open(d, P_ITERABLE, err);
}

static int customerio_open(struct dest *d, struct strbuf *err)
{
	return preset_open(d, P_CUSTOMERIO, err);
}

const struct dest_ops dest_braze_ops = {
	.open = braze_open, .send = batch_send, .close = preset_close, .concurrent = true,
	.usable = preset_usable,
};

const struct dest_ops dest_iterable_ops = {
	.open = iterable_open, .send = each_send, .close = preset_close,
	.page_events = 100, .page_bytes = 4 << 20, .concurrent = true, .usable = preset_usable,
};

const struct dest_ops dest_customerio_ops = {
	.open = customerio_open, .send = batch_send, .close = preset_close, .concurrent = true,
	.usable = preset_usable,
};
