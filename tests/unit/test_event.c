/* test_event.c — event shapes, the identifier strategy, messageId
 * determinism and uniqueness, the 32 KB limit and _entity_context truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "run/event.h"

static struct event_ctx base_ctx(enum trigger_kind t)
{
	struct event_ctx c = {
		.audience = "dog_owners", .audience_name = "Dog owners", .activation = "to_hook",
		.trigger = t, .run_id = "run_1", .generation = 3, .now = "2025-01-31T08:30:00Z",
	};
	return c;
}

static json_t *parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	if (!j)
		fail_msg("bad JSON: %s", e.text);
	return j;
}

static const char *get_str(json_t *root, const char *a, const char *b)
{
	json_t *v = json_object_get(root, a);
	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

static void test_track_entered_shape(void **state)
{
	struct event_ctx c = base_ctx(TRIG_PROFILE_ENTERED);
	json_t *ids = parse("{\"user_id\": [\"u2\", \"u10\"], \"email\": \"a@x\"}");
	json_t *traits = parse("{\"first_name\": \"Ann\"}");
	json_t *map = parse("{\"properties.channel\": \"web\", \"context.campaign.name\": \"spring\"}");
	struct event_member m = { .change = CHANGE_ENTERED, .profile_id = "p1", .external_ids = ids,
				  .member = true, .traits = traits, .map = map };
	struct event_out out;
	assert_int_equal(event_build(&c, &m, &out), EVENT_OK);
	json_t *ev = parse(out.json);
	assert_string_equal(get_str(ev, "type", NULL), "track");
	assert_string_equal(get_str(ev, "event", NULL), "Audience Entered");
	assert_string_equal(get_str(ev, "userId", NULL), "u10"); /* smallest in byte order */
	assert_null(json_object_get(ev, "anonymousId"));
	assert_string_equal(get_str(ev, "messageId", NULL), out.message_id);
	assert_int_equal(strlen(out.message_id), 64);
	assert_string_equal(get_str(ev, "timestamp", NULL), "2025-01-31T08:30:00Z");
	json_t *p = json_object_get(ev, "properties");
	assert_string_equal(get_str(p, "audience_key", NULL), "dog_owners");
	assert_string_equal(get_str(p, "audience_name", NULL), "Dog owners");
	assert_true(json_is_true(json_object_get(p, "dog_owners")));
	assert_string_equal(get_str(p, "first_name", NULL), "Ann");
	assert_string_equal(get_str(p, "channel", NULL), "web");
	json_t *ctx = json_object_get(ev, "context");
	assert_string_equal(get_str(ctx, "personas", "computation_class"), "audience");
	assert_string_equal(get_str(ctx, "personas", "computation_key"), "dog_owners");
	assert_string_equal(get_str(ctx, "personas", "computation_run_id"), "run_1");
	assert_string_equal(get_str(ctx, "personas", "event_emitter_id"), "to_hook");
	assert_string_equal(get_str(ctx, "library", "name"), "lac");
	assert_string_equal(get_str(ctx, "campaign", "name"), "spring");
	/* compact, no newline, sorted keys: the text is a pure function of the input */
	assert_null(strchr(out.json, '\n'));
	char *again = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(again, out.json);
	free(again);
	json_decref(ev);
	event_out_release(&out);
	json_decref(ids);
	json_decref(traits);
	json_decref(map);
}

static void test_exit_override_and_anonymous(void **state)
{
	struct event_ctx c = base_ctx(TRIG_PROFILE_EXITED);
	c.event_name = "Left Dogs";
	struct event_member m = { .change = CHANGE_EXITED, .profile_id = "p1", .member = false };
	struct event_out out;
	assert_int_equal(event_build(&c, &m, &out), EVENT_OK);
	json_t *ev = parse(out.json);
	assert_string_equal(get_str(ev, "event", NULL), "Left Dogs");
	assert_string_equal(get_str(ev, "anonymousId", NULL), "p1");
	assert_null(json_object_get(ev, "userId"));
	assert_true(json_is_false(json_object_get(json_object_get(ev, "properties"), "dog_owners")));
	json_decref(ev);
	event_out_release(&out);
}

static void test_entity_and_identify(void **state)
{
	struct event_ctx c = base_ctx(TRIG_ENTITY_REMOVED);
	c.trigger_path = "households.pets";
	struct event_member m = { .change = CHANGE_EXITED, .profile_id = "p1", .entity_id = "42",
				  .member = true };
	struct event_out out;
	assert_int_equal(event_build(&c, &m, &out), EVENT_OK);
	json_t *ev = parse(out.json);
	assert_string_equal(get_str(ev, "event", NULL), "Entity Removed");
	assert_string_equal(get_str(ev, "properties", "entity_id"), "42");
	assert_string_equal(get_str(ev, "properties", "entity"), "households.pets");
	json_decref(ev);
	event_out_release(&out);

	m.entity_id = NULL;
	assert_int_equal(event_build(&c, &m, &out), EVENT_INVALID);
	event_out_release(&out);

	c = base_ctx(TRIG_MEMBERSHIP_CHANGED);
	json_t *traits = parse("{\"plan\": \"gold\"}");
	struct event_member im = { .change = CHANGE_ENTERED, .profile_id = "p1", .member = true,
				   .traits = traits };
	assert_int_equal(event_build(&c, &im, &out), EVENT_OK);
	ev = parse(out.json);
	assert_string_equal(get_str(ev, "type", NULL), "identify");
	assert_null(json_object_get(ev, "event"));
	assert_null(json_object_get(ev, "properties"));
	assert_true(json_is_true(json_object_get(json_object_get(ev, "traits"), "dog_owners")));
	assert_string_equal(get_str(ev, "traits", "plan"), "gold");
	json_decref(ev);
	event_out_release(&out);
	json_decref(traits);
}

static void test_identifier_strategy(void **state)
{
	struct event_ctx c = base_ctx(TRIG_PROFILE_ENTERED);
	c.identifier = "email";
	json_t *ids = parse("{\"email\": [\"b@x\", \"a@x\"], \"user_id\": \"u1\"}");
	struct event_member m = { .change = CHANGE_ENTERED, .profile_id = "p1", .external_ids = ids,
				  .member = true };
	struct event_out out;
	assert_int_equal(event_build(&c, &m, &out), EVENT_OK);
	json_t *ev = parse(out.json);
	assert_string_equal(get_str(ev, "userId", NULL), "a@x");
	json_decref(ev);
	event_out_release(&out);

	c.identifier = "phone";
	assert_int_equal(event_build(&c, &m, &out), EVENT_FILTERED);
	assert_non_null(strstr(out.reason, "phone"));
	event_out_release(&out);

	c.identifier = NULL;
	m.external_ids = NULL;
	m.profile_id = "";
	assert_int_equal(event_build(&c, &m, &out), EVENT_INVALID);
	event_out_release(&out);
	json_decref(ids);
}

static void test_message_id_deterministic_and_unique(void **state)
{
	struct event_ctx c = base_ctx(TRIG_ENTITY_ADDED);
	struct event_member m = { .change = CHANGE_ENTERED, .profile_id = "p1", .entity_id = "e1" };
	char a[65], b[65];
	event_message_id(&c, &m, a);
	event_message_id(&c, &m, b);
	assert_string_equal(a, b);
	/* the recipe of docs/events.md, computed independently */
	const char *canon = "12:lac-event-v1,10:dog_owners,7:to_hook,12:entity added,7:entered,"
			    "2:p1,2:e1,1:3,";
	unsigned char md[32];
	unsigned int mdlen;
	EVP_Digest(canon, strlen(canon), md, &mdlen, EVP_sha256(), NULL);
	char want[65];
	for (int i = 0; i < 32; i++)
		sprintf(want + 2 * i, "%02x", md[i]);
	assert_string_equal(a, want);

	/* every field changes the id, and field boundaries are unambiguous */
	struct { struct event_ctx c; struct event_member m; } v[8];
	for (int i = 0; i < 8; i++) {
		v[i].c = c;
		v[i].m = m;
	}
	v[0].c.audience = "dog_owner";
	v[1].c.activation = "to_hook2";
	v[2].c.trigger = TRIG_ENTITY_REMOVED;
	v[3].m.change = CHANGE_EXITED;
	v[4].m.profile_id = "p2";
	v[5].m.entity_id = "e2";
	v[6].c.generation = 4;
	v[7].m.profile_id = "p1,2:e";  /* would collide with naive joining */
	v[7].m.entity_id = "1";
	char ids[9][65];
	memcpy(ids[8], a, 65);
	for (int i = 0; i < 8; i++)
		event_message_id(&v[i].c, &v[i].m, ids[i]);
	for (int i = 0; i < 9; i++)
		for (int j = i + 1; j < 9; j++)
			assert_string_not_equal(ids[i], ids[j]);
}

/* {"pets": [ {id: 0, toys: [..k rows..]}, ... n rows ] } with padding */
static json_t *context(int n, int k, int pad)
{
	json_t *rows = json_array();
	char *filler = xcalloc(1, (size_t)pad + 1);
	memset(filler, 'x', (size_t)pad);
	for (int i = 0; i < n; i++) {
		json_t *toys = json_array();
		for (int j = 0; j < k; j++)
			json_array_append_new(toys, json_pack("{s:i, s:s}", "id", j, "note", filler));
		json_array_append_new(rows, json_pack("{s:i, s:s, s:o}", "id", i, "note", filler, "toys", toys));
	}
	free(filler);
	return json_pack("{s:o}", "pets", rows);
}

static void test_entity_context_limits(void **state)
{
	struct event_ctx c = base_ctx(TRIG_PROFILE_ENTERED);
	json_t *ec = context(25, 12, 10);
	struct event_member m = { .change = CHANGE_ENTERED, .profile_id = "p1", .member = true,
				  .entity_context = ec };
	struct event_out out;
	assert_int_equal(event_build(&c, &m, &out), EVENT_OK);
	assert_false(out.truncated);
	json_t *ev = parse(out.json);
	json_t *pets = json_object_get(json_object_get(json_object_get(ev, "properties"), "_entity_context"), "pets");
	assert_int_equal(json_array_size(pets), 10);
	/* the first rows, in the order given (primary-key order) */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(pets, 9), "id")), 9);
	assert_int_equal(json_array_size(json_object_get(json_array_get(pets, 0), "toys")), 10);
	json_decref(ev);
	event_out_release(&out);

	c.context_rows = 3;
	assert_int_equal(event_build(&c, &m, &out), EVENT_OK);
	ev = parse(out.json);
	pets = json_object_get(json_object_get(json_object_get(ev, "properties"), "_entity_context"), "pets");
	assert_int_equal(json_array_size(pets), 3);
	json_decref(ev);
	event_out_release(&out);
	json_decref(ec);
}

static void test_size_truncation_then_invalid(void **state)
{
	struct event_ctx c = base_ctx(TRIG_PROFILE_ENTERED);
	/* 10 x 10 rows of ~400 bytes: ~40 KB, over the limit; the deepest level is cut first */
	json_t *ec = context(10, 10, 400);
	struct event_member m = { .change = CHANGE_ENTERED, .profile_id = "p1", .member = true,
				  .entity_context = ec };
	struct event_out out;
	assert_int_equal(event_build(&c, &m, &out), EVENT_OK);
	assert_true(out.truncated);
	assert_true(out.len <= EVENT_MAX_BYTES);
	json_t *ev = parse(out.json);
	json_t *pets = json_object_get(json_object_get(json_object_get(ev, "properties"), "_entity_context"), "pets");
	assert_int_equal(json_array_size(pets), 10);
	size_t toys = json_array_size(json_object_get(json_array_get(pets, 0), "toys"));
	assert_true(toys >= 1 && toys < 10);
	json_decref(ev);
	event_out_release(&out);
	json_decref(ec);

	/* one trait alone over 32 KB: nothing to cut, so invalid with a reason */
	char *big = xcalloc(1, 40000);
	memset(big, 'y', 39999);
	json_t *traits = json_pack("{s:s}", "bio", big);
	free(big);
	struct event_member m2 = { .change = CHANGE_ENTERED, .profile_id = "p1", .member = true,
				   .traits = traits };
	assert_int_equal(event_build(&c, &m2, &out), EVENT_INVALID);
	assert_non_null(strstr(out.reason, "32768"));
	assert_true(out.len > EVENT_MAX_BYTES);
	event_out_release(&out);
	json_decref(traits);

	/* a smaller configured limit truncates harder */
	ec = context(10, 10, 10);
	m.entity_context = ec;
	c.max_bytes = 1500;
	enum event_status st = event_build(&c, &m, &out);
	if (st == EVENT_OK)
		assert_true(out.len <= 1500 && out.truncated);
	event_out_release(&out);
	json_decref(ec);
}

/* event_ctx_prepare (the parts shared by an activation's events, built
 * once) changes no byte of any event, and a map writing under context.*
 * does not leak into the next event. */
static void test_prepared_ctx_same_bytes(void **state)
{
	static const enum trigger_kind trigs[] = { TRIG_PROFILE_ENTERED, TRIG_MEMBERSHIP_CHANGED,
						   TRIG_ENTITY_ADDED };
	static const char *const maps[] = { NULL, "{\"properties.channel\": \"web\"}",
					    "{\"context.campaign.name\": \"spring\"}" };
	json_t *ids = parse("{\"user_id\": [\"u2\", \"u10\"]}");
	json_t *traits = parse("{\"first_name\": \"Ann\", \"zeta\": 1}");
	for (size_t t = 0; t < sizeof(trigs) / sizeof(trigs[0]); t++) {
		struct event_ctx plain = base_ctx(trigs[t]), prepared = base_ctx(trigs[t]);
		plain.trigger_path = prepared.trigger_path = "households.pets";
		event_ctx_prepare(&prepared);
		for (int round = 0; round < 2; round++)
			for (size_t k = 0; k < sizeof(maps) / sizeof(maps[0]); k++) {
				json_t *map = maps[k] ? parse(maps[k]) : NULL;
				struct event_member m = { .change = CHANGE_ENTERED, .profile_id = "p1",
							  .external_ids = ids, .entity_id = "e1",
							  .member = true, .traits = traits, .map = map };
				struct event_out a, b;
				assert_int_equal(event_build(&plain, &m, &a), EVENT_OK);
				assert_int_equal(event_build(&prepared, &m, &b), EVENT_OK);
				assert_string_equal(a.json, b.json);
				event_out_release(&a);
				event_out_release(&b);
				json_decref(map);
			}
		event_ctx_release(&prepared);
		assert_null(prepared.shared);
	}
	json_decref(ids);
	json_decref(traits);
}

/* Pinned bytes of two events as json_dumps printed them before events were
 * written without a tree (the library version is read back from the event). */
static void check_golden(const char *got, const char *fmt)
{
	json_t *ev = parse(got);
	const char *version = json_string_value(
		json_object_get(json_object_get(json_object_get(ev, "context"), "library"), "version"));
	assert_non_null(version);
	char want[2048];
	snprintf(want, sizeof(want), fmt, version);
	assert_string_equal(got, want);
	json_decref(ev);
}

/* {"pets": [3 rows with 2 toys], "zzz": "plain", "empty": []} */
static json_t *golden_context(void)
{
	json_t *rows = json_array();
	for (int i = 0; i < 3; i++) {
		json_t *toys = json_array();
		for (int j = 0; j < 2; j++)
			json_array_append_new(toys, json_pack("{s:i, s:s, s:f}", "id", j, "note", "xxxxx", "w", j / 3.0));
		json_array_append_new(rows, json_pack("{s:i, s:s, s:o, s:[i,i]}", "id", i, "note", "xxxxx",
						      "toys", toys, "tags", 1, 2));
	}
	return json_pack("{s:o, s:s, s:[]}", "pets", rows, "zzz", "plain", "empty");
}

static void test_golden_bytes(void **state)
{
	struct event_ctx c = base_ctx(TRIG_PROFILE_ENTERED);
	event_ctx_prepare(&c);
	json_t *ids = parse("{\"user_id\": [\"u2\", \"u10\"], \"email\": \"a@x\"}");
	json_t *traits = parse("{\"a\": 1, \"b\": \"two\", \"c\": 1.5, \"d\": null, "
			       "\"e\": [true, false, {\"z\": 1, \"a\": 2}]}");
	json_t *ec = golden_context();
	struct event_member m = { .change = CHANGE_VALUES, .profile_id = "p1", .external_ids = ids,
				  .entity_id = "e1", .member = true, .traits = traits, .entity_context = ec };
	struct event_out out;
	assert_int_equal(event_build(&c, &m, &out), EVENT_OK);
	check_golden(out.json,
		"{\"context\":{\"library\":{\"name\":\"lac\",\"version\":\"%s\"},\"personas\":{"
		"\"computation_class\":\"audience\",\"computation_key\":\"dog_owners\","
		"\"computation_run_id\":\"run_1\",\"event_emitter_id\":\"to_hook\"}},"
		"\"event\":\"Audience Entered\",\"messageId\":"
		"\"9bb270faf516ba6c5644fa90a07b6d0970b771790ac7d506ff6d2a4d3f2d4f42\",\"properties\":{"
		"\"_entity_context\":{\"empty\":[],\"pets\":["
		"{\"id\":0,\"note\":\"xxxxx\",\"tags\":[1,2],\"toys\":[{\"id\":0,\"note\":\"xxxxx\",\"w\":0.0},"
		"{\"id\":1,\"note\":\"xxxxx\",\"w\":0.33333333333333331}]},"
		"{\"id\":1,\"note\":\"xxxxx\",\"tags\":[1,2],\"toys\":[{\"id\":0,\"note\":\"xxxxx\",\"w\":0.0},"
		"{\"id\":1,\"note\":\"xxxxx\",\"w\":0.33333333333333331}]},"
		"{\"id\":2,\"note\":\"xxxxx\",\"tags\":[1,2],\"toys\":[{\"id\":0,\"note\":\"xxxxx\",\"w\":0.0},"
		"{\"id\":1,\"note\":\"xxxxx\",\"w\":0.33333333333333331}]}],\"zzz\":\"plain\"},"
		"\"a\":1,\"audience_key\":\"dog_owners\",\"audience_name\":\"Dog owners\",\"b\":\"two\","
		"\"c\":1.5,\"d\":null,\"dog_owners\":true,\"e\":[true,false,{\"a\":2,\"z\":1}]},"
		"\"timestamp\":\"2025-01-31T08:30:00Z\",\"type\":\"track\",\"userId\":\"u10\"}");
	event_out_release(&out);
	event_ctx_release(&c);

	/* identify; traits named like lac's own keys lose to them; escapes, UTF-8 */
	c = base_ctx(TRIG_MEMBERSHIP_CHANGED);
	json_t *t2 = parse("{\"audience_key\": \"T\", \"audience_name\": \"T\", \"dog_owners\": \"T\", "
			   "\"_entity_context\": 5, \"entity\": 1, \"entity_id\": 2, "
			   "\"zz\": \"\\u0001\\\"\\\\/\\n\", \"\\u00e9\": \"\\u00e9\\ud83d\\udc36\", \"\": 0, "
			   "\"A\": -0.0}");
	struct event_member m2 = { .change = CHANGE_VALUES, .profile_id = "p1", .entity_id = "e1",
				   .member = false, .traits = t2 };
	assert_int_equal(event_build(&c, &m2, &out), EVENT_OK);
	check_golden(out.json,
		"{\"anonymousId\":\"p1\",\"context\":{\"library\":{\"name\":\"lac\",\"version\":\"%s\"},"
		"\"personas\":{\"computation_class\":\"audience\",\"computation_key\":\"dog_owners\","
		"\"computation_run_id\":\"run_1\",\"event_emitter_id\":\"to_hook\"}},\"messageId\":"
		"\"f22675f26d83c7998b5e85c6b01279f51d9c28473c4de7fd1867d39cb4d13644\","
		"\"timestamp\":\"2025-01-31T08:30:00Z\",\"traits\":{\"\":0,\"A\":-0.0,\"_entity_context\":5,"
		"\"audience_key\":\"T\",\"audience_name\":\"T\",\"dog_owners\":false,\"entity\":1,"
		"\"entity_id\":2,\"zz\":\"\\u0001\\\"\\\\/\\n\",\"\xc3\xa9\":\"\xc3\xa9\xf0\x9f\x90\xb6\"},"
		"\"type\":\"identify\"}");
	event_out_release(&out);
	json_decref(t2);
	json_decref(ids);
	json_decref(traits);
	json_decref(ec);
}

/* Without `map` entries an event is written as text directly; with an
 * (empty) map it is built as a json_t tree and printed.  Both must give the
 * same bytes for every shape, including the odd inputs json_string refuses
 * (non-UTF-8 ids and names, which leave the member out). */
static void test_direct_text_matches_tree(void **state)
{
	static const enum trigger_kind trigs[] = {
		TRIG_PROFILE_ENTERED, TRIG_PROFILE_EXITED, TRIG_ENTITY_ADDED, TRIG_ENTITY_REMOVED,
		TRIG_ENTITY_ENTERED, TRIG_ENTITY_EXITED, TRIG_MEMBERSHIP_CHANGED,
		TRIG_MEMBERSHIP_OR_VALUES_CHANGED,
	};
	char many[2048] = "{";
	for (int i = 0; i < 60; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s\"t%02d\": %d",
			 i ? ", " : "", (i * 37) % 60, i);
	strcat(many, "}");
	const char *traits_s[] = {
		NULL, "{}", "{\"a\": 1, \"b\": \"two\", \"c\": 1.5, \"e\": [true, {\"z\": 1, \"a\": 2}]}",
		"{\"audience_key\": \"T\", \"dog_owners\": \"T\", \"_entity_context\": 5, \"entity\": 1, "
		"\"entity_id\": 2, \"zz\": \"\\u0001\\n\", \"\\u00e9\": \"\\ud83d\\udc36\", \"\": 0}",
		many,
	};
	const char *ids_s[] = { NULL, "{\"user_id\": [\"u2\", \"u10\"], \"email\": \"a@x\"}",
				"{\"email\": [\"b@x\"]}" };
	json_t *ecs[] = { NULL, parse("{}"), context(3, 2, 5), context(12, 12, 20), context(10, 10, 400) };
	static const char *const audiences[] = { "dog_owners", "audience_key", "a\xff", NULL, "zzz" };
	static const char *const pids[] = { "p1", "p\xc3", "p\"1\n" };
	json_t *empty_map = parse("{}");
	int n = 0;
	for (size_t t = 0; t < sizeof(trigs) / sizeof(trigs[0]); t++)
	for (int prep = 0; prep < 2; prep++)
	for (size_t tr = 0; tr < sizeof(traits_s) / sizeof(traits_s[0]); tr++)
	for (size_t id = 0; id < sizeof(ids_s) / sizeof(ids_s[0]); id++)
	for (size_t ec = 0; ec < sizeof(ecs) / sizeof(ecs[0]); ec++)
	for (int var = 0; var < 6; var++, n++) {
		struct event_ctx c = base_ctx(trigs[t]);
		c.trigger_path = "households.pets";
		struct event_member m = { .change = (enum event_change)(n % 3), .profile_id = "p1",
					  .entity_id = "e1", .member = n % 2 };
		switch (var) {
		case 1:
			c.audience = audiences[(n / 2) % 5];
			c.audience_name = NULL;
			m.profile_id = pids[n % 3];
			break;
		case 2:
			c.identifier = "email";
			c.event_name = "Custom \xe2\x82\xac";
			c.context_rows = 2;
			break;
		case 3:
			c.max_bytes = 1500;
			c.now = "bad\xff";
			c.trigger_path = NULL;
			m.entity_id = "e\xff";
			break;
		case 4:
			c.max_bytes = 600;
			c.run_id = NULL;
			c.event_name = "x\xff";
			c.audience_name = "N\xe0";
			break;
		case 5:
			c.trigger_path = "p\"q";
			m.entity_id = "\t";
			c.generation = -5;
			break;
		}
		json_t *traits = traits_s[tr] ? parse(traits_s[tr]) : NULL;
		json_t *ids = ids_s[id] ? parse(ids_s[id]) : NULL;
		m.traits = traits;
		m.external_ids = ids;
		m.entity_context = ecs[ec];
		if (prep)
			event_ctx_prepare(&c);
		struct event_member tm = m;
		tm.map = empty_map;
		struct event_out a, b;
		enum event_status sa = event_build(&c, &m, &a), sb = event_build(&c, &tm, &b);
		if (sa != sb || a.len != b.len || a.truncated != b.truncated ||
		    strcmp(a.reason, b.reason) || (a.json || b.json) != (a.json && b.json) ||
		    (a.json && strcmp(a.json, b.json)))
			fail_msg("case %d (trigger %zu, prepared %d, traits %zu, ids %zu, context %zu, "
				 "variant %d):\n direct %s\n tree   %s", n, t, prep, tr, id, ec, var,
				 a.json ? a.json : "(none)", b.json ? b.json : "(none)");
		event_out_release(&a);
		event_out_release(&b);
		event_ctx_release(&c);
		json_decref(traits);
		json_decref(ids);
	}
	for (size_t i = 0; i < sizeof(ecs) / sizeof(ecs[0]); i++)
		json_decref(ecs[i]);
	json_decref(empty_map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_track_entered_shape),
		cmocka_unit_test(test_exit_override_and_anonymous),
		cmocka_unit_test(test_entity_and_identify),
		cmocka_unit_test(test_identifier_strategy),
		cmocka_unit_test(test_message_id_deterministic_and_unique),
		cmocka_unit_test(test_entity_context_limits),
		cmocka_unit_test(test_size_truncation_then_invalid),
		cmocka_unit_test(test_prepared_ctx_same_bytes),
		cmocka_unit_test(test_golden_bytes),
		cmocka_unit_test(test_direct_text_matches_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
