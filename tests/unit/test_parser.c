/*
 * test_parser.c — the grammar of .lac files: the tree each construct builds
 * (printed as an S-expression to compare whole shapes at once), locations,
 * precedence, keywords used as names, error messages and recovery.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lang/parse.h"

/* ---- harness --------------------------------------------------------------- */

struct fixture {
	struct arena arena;
	struct source_set ss;
	struct diag_sink d;
	struct ast_file *f;
	struct strbuf out;
};

static struct fixture fx;

static int setup(void **state)
{
	memset(&fx, 0, sizeof(fx));
	source_set_init(&fx.ss);
	diag_sink_init(&fx.d, &fx.ss);
	sb_init(&fx.out);
	return 0;
}

static int teardown(void **state)
{
	diag_sink_release(&fx.d);
	source_set_release(&fx.ss);
	arena_release(&fx.arena);
	sb_release(&fx.out);
	return 0;
}

static struct ast_file *parse(const char *text)
{
	uint32_t id = source_add(&fx.ss, "a.lac", xstrdup(text), strlen(text));
	fx.f = parse_source(&fx.arena, &fx.d, id, "a.lac", text, strlen(text));
	return fx.f;
}

/* Diagnostics as "line:col-end_line:end_col CODE message", one per line. */
static const char *diags(void)
{
	sb_reset(&fx.out);
	for (size_t i = 0; i < fx.d.n; i++) {
		const struct diag *g = &fx.d.items[i];
		sb_addf(&fx.out, "%u:%u-%u:%u %s %s\n", g->loc.line, g->loc.col, g->loc.end_line,
			g->loc.end_col, diag_code_name(g->code), g->message);
	}
	return fx.out.buf;
}

static const char *loc_str(struct loc l)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "%u:%u-%u:%u", l.line, l.col, l.end_line, l.end_col);
	return buf;
}

static void dump_lit(struct strbuf *sb, const struct literal *l)
{
	if (l->kind >= LIT_DATE)
		sb_addf(sb, "%s ", lit_kind_name(l->kind));
	if (l->kind == LIT_STRING || l->kind >= LIT_DATE)
		sb_addf(sb, "\"%s\"", l->text);
	else if (l->kind == LIT_BOOL)
		sb_addstr(sb, l->boolean ? "true" : "false");
	else
		sb_addstr(sb, l->text);
}

static void dump_path(struct strbuf *sb, const char *const *parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s%s", i ? "." : "", parts[i]);
}

static void dump_operand(struct strbuf *sb, const struct operand *o)
{
	if (o->ref == REF_TRAIT) {
		sb_addstr(sb, "trait:");
		dump_path(sb, o->trait_path, o->ntrait_path);
	} else if (o->ref == REF_COLUMN) {
		sb_addf(sb, "col:%s.%s", o->slug, o->column);
	} else {
		dump_lit(sb, &o->lit);
	}
}

static void dump_pred(struct strbuf *sb, const struct predicate *p)
{
	sb_addstr(sb, pred_op_text(p));
	switch (p->kind) {
	case PRED_CMP: case PRED_CONTAINS: case PRED_NOT_CONTAINS:
	case PRED_STARTS_WITH: case PRED_ENDS_WITH:
		sb_addch(sb, ' ');
		dump_operand(sb, &p->rhs);
		break;
	case PRED_IN: case PRED_NOT_IN:
		for (size_t i = 0; i < p->nlist; i++) {
			sb_addstr(sb, i ? "," : " ");
			dump_lit(sb, &p->list[i]);
		}
		break;
	case PRED_BETWEEN:
		sb_addch(sb, ' ');
		dump_lit(sb, &p->lo);
		sb_addch(sb, ' ');
		dump_lit(sb, &p->hi);
		break;
	case PRED_WITHIN_LAST: case PRED_WITHIN_NEXT: case PRED_BEFORE_LAST: case PRED_AFTER_NEXT:
		sb_addf(sb, " %ld %s", p->amount, time_unit_name(p->unit, 2));
		break;
	default:
		break;
	}
}

static void dump_expr(struct strbuf *sb, const struct ast_expr *e)
{
	static const char *const counts[] = { "", " at-least", " at-most", " exactly" };

	sb_addf(sb, "(%s%s", e->parens ? "()" : "", expr_kind_name(e->kind));
	if (e->negated)
		sb_addstr(sb, "!");
	switch (e->kind) {
	case EX_AND: case EX_OR:
		sb_addch(sb, ' ');
		dump_expr(sb, e->lhs);
		sb_addch(sb, ' ');
		dump_expr(sb, e->rhs);
		break;
	case EX_NOT:
		sb_addch(sb, ' ');
		dump_expr(sb, e->lhs);
		break;
	case EX_BLOCK: case EX_ANY: case EX_ALL:
		for (size_t i = 0; i < e->nitems; i++) {
			sb_addch(sb, ' ');
			dump_expr(sb, e->items[i]);
		}
		break;
	case EX_ENTITY: case EX_EVENT:
		sb_addch(sb, ' ');
		if (e->kind == EX_ENTITY)
			dump_path(sb, e->path.parts, e->path.n);
		else
			sb_addf(sb, "\"%s\"", e->event_name);
		if (e->count.kind != COUNT_DEFAULT)
			sb_addf(sb, "%s %ld", counts[e->count.kind], e->count.n);
		if (e->window.kind == WIN_WITHIN_LAST)
			sb_addf(sb, " last %ld %s", e->window.a, time_unit_name(e->window.unit, 2));
		else if (e->window.kind == WIN_BETWEEN_AGO)
			sb_addf(sb, " ago %ld %ld %s", e->window.a, e->window.b,
				time_unit_name(e->window.unit, 2));
		if (e->block) {
			sb_addch(sb, ' ');
			dump_expr(sb, e->block);
		}
		if (e->having.present) {
			sb_addf(sb, " having %s(%s) %s ", agg_name(e->having.agg),
				e->having.column ? e->having.column : "", cmp_op_text(e->having.cmp));
			dump_lit(sb, &e->having.value);
		}
		break;
	case EX_TRAIT:
		sb_addch(sb, ' ');
		dump_path(sb, e->path.parts, e->path.n);
		if (e->pred) {
			sb_addch(sb, ' ');
			dump_pred(sb, e->pred);
		}
		break;
	case EX_AUDIENCE:
		sb_addf(sb, " %s%s", e->audience,
			e->using_ == USING_CONDITIONS ? " conditions" :
			e->using_ == USING_MEMBERSHIP ? " membership" : "");
		break;
	case EX_COLUMN:
		sb_addf(sb, " %s ", e->column);
		dump_pred(sb, e->pred);
		break;
	}
	sb_addch(sb, ')');
}

/* The where of the first audience, as an S-expression. */
static const char *where_of(const char *body)
{
	char *text = xasprintf("audience a {\n  where { %s }\n}\n", body);
	parse(text);
	free(text);
	sb_reset(&fx.out);
	if (fx.f->naudiences != 1 || !fx.f->audiences[0]->where)
		return "(none)";
	dump_expr(&fx.out, fx.f->audiences[0]->where);
	return fx.out.buf;
}

#define assert_where(body, expected)                                           \
	do {                                                                    \
		assert_string_equal(where_of(body), expected);                  \
		assert_string_equal(diags(), "");                               \
	} while (0)

/* ---- audiences and settings ----------------------------------------------- */

static void test_settings(void **state)
{
	struct ast_file *f = parse(
		"audience cat_owners {\n"
		"  name        \"Cat owners\"\n"
		"  description \"Has a \\\"cat\\\"\"\n"
		"  folder      \"Pets\"\n"
		"  schedule    every 15 minutes\n"
		"  enabled     false\n"
		"  target      entity accounts.subscriptions\n"
		"  where { }\n"
		"}\n");
	assert_string_equal(diags(), "");
	assert_int_equal(f->naudiences, 1);
	struct ast_audience *a = f->audiences[0];
	assert_ptr_equal(a->file, f);
	assert_string_equal(a->name, "cat_owners");
	assert_string_equal(loc_str(a->loc), "1:1-9:2");
	assert_string_equal(loc_str(a->name_loc), "1:10-1:20");
	assert_string_equal(a->display_name, "Cat owners");
	assert_string_equal(loc_str(a->display_name_loc), "2:15-2:27");
	assert_string_equal(a->description, "Has a \"cat\"");
	assert_string_equal(a->folder, "Pets");
	assert_int_equal(a->schedule.kind, SCHED_EVERY);
	assert_int_equal(a->schedule.every, 15);
	assert_int_equal(a->schedule.unit, UNIT_MINUTE);
	assert_string_equal(loc_str(a->schedule.loc), "5:15-5:31");
	assert_int_equal(a->enabled, 0);
	assert_string_equal(loc_str(a->enabled_loc), "6:15-6:20");
	assert_int_equal(a->target, TARGET_ENTITY);
	assert_int_equal(a->target_path.n, 2);
	assert_string_equal(a->target_path.parts[0], "accounts");
	assert_string_equal(a->target_path.parts[1], "subscriptions");
	assert_string_equal(loc_str(a->target_path.part_locs[1]), "7:31-7:44");
	assert_string_equal(loc_str(a->target_path.loc), "7:22-7:44");
	assert_string_equal(loc_str(a->target_loc), "7:15-7:44");
	assert_non_null(a->where);
	assert_int_equal(a->where->kind, EX_BLOCK);
	assert_int_equal(a->where->nitems, 0);
	assert_string_equal(loc_str(a->where_loc), "8:3-8:12");
	assert_string_equal(loc_str(a->where->loc), "8:9-8:12");
}

static void test_defaults(void **state)
{
	struct ast_file *f = parse("audience a { }\naudience b { target profile }");
	assert_string_equal(diags(), "");
	assert_int_equal(f->naudiences, 2);
	struct ast_audience *a = f->audiences[0];
	assert_null(a->display_name);
	assert_null(a->where);
	assert_int_equal(a->enabled, -1);
	assert_int_equal(a->target, TARGET_PROFILE);
	assert_int_equal(a->schedule.kind, SCHED_DEFAULT);
	assert_int_equal(a->nactivations, 0);
	assert_int_equal(f->audiences[1]->target, TARGET_PROFILE);
	assert_string_equal(loc_str(f->audiences[1]->target_loc), "2:21-2:28");
	assert_string_equal(f->path, "a.lac");
}

static void test_schedules(void **state)
{
	struct ast_file *f = parse(
		"audience a { schedule manual }\n"
		"audience b { schedule at 08:05 on mon, thu,sun }\n"
		"audience c { schedule every 1 day enabled true }\n");
	assert_string_equal(diags(), "");
	assert_int_equal(f->naudiences, 3);
	assert_int_equal(f->audiences[0]->schedule.kind, SCHED_MANUAL);
	struct schedule *s = &f->audiences[1]->schedule;
	assert_int_equal(s->kind, SCHED_AT);
	assert_int_equal(s->hour, 8);
	assert_int_equal(s->minute, 5);
	assert_int_equal(s->days, 1u << 0 | 1u << 3 | 1u << 6);
	assert_string_equal(loc_str(s->loc), "2:23-2:47");
	s = &f->audiences[2]->schedule;
	assert_int_equal(s->kind, SCHED_EVERY);
	assert_int_equal(s->every, 1);
	assert_int_equal(s->unit, UNIT_DAY);
	assert_int_equal(f->audiences[2]->enabled, 1);
}

static void test_schedule_errors(void **state)
{
	/* schedule errors are E400 (SPEC §3.5), one each; hour -1 tells the
	 * checker the time was reported */
	parse("audience a { schedule at 24:00 on mon, thur }\n"
	      "audience b { schedule every 1.5 hours }\n"
	      "audience c { schedule every -2 hours }\n"
	      "audience d { schedule every 99999999999999999999 hours }\n"
	      "audience e { schedule at 8:00 on mon }\n"
	      "audience f { schedule at 08:60 on monday }\n");
	assert_string_equal(diags(),
		"1:40-1:44 E400 schedule day 'thur' is not a day of the week\n"
		"1:26-1:31 E400 schedule time '24:00' is not a time of day\n"
		"2:29-2:32 E103 expected a whole number of 0 or more, got '1.5'\n"
		"3:29-3:31 E103 expected a whole number of 0 or more, got '-2'\n"
		"4:29-4:49 E319 number '99999999999999999999' is too large\n"
		"5:26-5:30 E400 schedule time '8:00' is not a time of day\n"
		"6:35-6:41 E400 schedule day 'monday' is not a day of the week\n"
		"6:26-6:31 E400 schedule time '08:60' is not a time of day\n");
	assert_int_equal(fx.d.items[0].nhints, 2);
	assert_string_equal(fx.d.items[0].hints[0], "did you mean 'thu'?");
	assert_int_equal(fx.f->naudiences, 6); /* value errors are not syntax errors */
	assert_int_equal(fx.f->audiences[0]->schedule.hour, -1);
	assert_int_equal(fx.f->audiences[5]->schedule.days, 0);
}

static void test_duplicate_settings(void **state)
{
	struct ast_file *f = parse(
		"audience x {\n"
		"  name \"A\"\n"
		"  name \"B\"\n"
		"  where { }\n"
		"  where { }\n"
		"  activation act {\n"
		"    trigger profile entered\n"
		"    trigger profile exited\n"
		"    send current send current\n"
		"  }\n"
		"}\n");
	assert_string_equal(diags(),
		"3:3-3:11 E317 duplicate setting 'name' in audience 'x'\n"
		"5:3-5:8 E317 duplicate setting 'where' in audience 'x'\n"
		"8:5-8:27 E317 duplicate setting 'trigger' in activation 'act'\n"
		"9:18-9:30 E317 duplicate setting 'send current' in activation 'act'\n");
	assert_string_equal(fx.d.items[0].hints[0], "the first 'name' is at line 2; keep one");
	/* the first one wins */
	assert_string_equal(f->audiences[0]->display_name, "A");
	assert_int_equal(f->audiences[0]->activations[0]->trigger, TRIG_PROFILE_ENTERED);
}

/* ---- activations ---------------------------------------------------------- */

static void test_activation(void **state)
{
	struct ast_file *f = parse(
		"audience a {\n"
		"  activation welcome {\n"
		"    destination events_file\n"
		"    trigger     entity added accounts.credit_cards\n"
		"    event       \"Card Due\"\n"
		"    identifier  user_id\n"
		"    enrich      traits email, first_name\n"
		"    enrich      households.pets { type, age }\n"
		"    enrich      traits vip\n"
		"    send current\n"
		"    map \"properties.plan\" = \"gold\"\n"
		"    map \"properties.tier\" = trait.address.city\n"
		"    map \"properties.x\" = accounts.name\n"
		"    enabled false\n"
		"  }\n"
		"  activation second { trigger membership or values changed }\n"
		"}\n");
	assert_string_equal(diags(), "");
	struct ast_audience *au = f->audiences[0];
	assert_int_equal(au->nactivations, 2);
	struct ast_activation *a = au->activations[0];
	assert_ptr_equal(a->audience, au);
	assert_string_equal(a->name, "welcome");
	assert_string_equal(loc_str(a->loc), "2:3-15:4");
	assert_string_equal(loc_str(a->name_loc), "2:14-2:21");
	assert_string_equal(a->destination, "events_file");
	assert_string_equal(loc_str(a->destination_loc), "3:17-3:28");
	assert_int_equal(a->trigger, TRIG_ENTITY_ADDED);
	assert_string_equal(loc_str(a->trigger_loc), "4:17-4:51");
	assert_int_equal(a->trigger_path.n, 2);
	assert_string_equal(a->trigger_path.parts[1], "credit_cards");
	assert_string_equal(a->event, "Card Due");
	assert_string_equal(a->identifier, "user_id");
	assert_int_equal(a->nenrich_traits, 3);
	assert_string_equal(a->enrich_traits[0], "email");
	assert_string_equal(a->enrich_traits[1], "first_name");
	assert_string_equal(a->enrich_traits[2], "vip");
	assert_string_equal(loc_str(a->enrich_trait_locs[1]), "7:31-7:41");
	assert_string_equal(loc_str(a->enrich_trait_locs[2]), "9:24-9:27");
	assert_int_equal(a->nenrich_paths, 1);
	assert_int_equal(a->enrich_paths[0].path.n, 2);
	assert_int_equal(a->enrich_paths[0].ncolumns, 2);
	assert_string_equal(a->enrich_paths[0].columns[0], "type");
	assert_string_equal(a->enrich_paths[0].columns[1], "age");
	assert_string_equal(loc_str(a->enrich_paths[0].column_locs[1]), "8:41-8:44");
	assert_string_equal(loc_str(a->enrich_paths[0].loc), "8:17-8:46");
	assert_true(a->send_current);
	assert_int_equal(a->nmaps, 3);
	assert_string_equal(a->maps[0].key, "properties.plan");
	assert_int_equal(a->maps[0].value.ref, REF_NONE);
	assert_int_equal(a->maps[0].value.lit.kind, LIT_STRING);
	assert_string_equal(a->maps[0].value.lit.text, "gold");
	assert_int_equal(a->maps[1].value.ref, REF_TRAIT);
	assert_int_equal(a->maps[1].value.ntrait_path, 2);
	assert_string_equal(a->maps[1].value.trait_path[1], "city");
	assert_int_equal(a->maps[2].value.ref, REF_COLUMN);
	assert_string_equal(a->maps[2].value.slug, "accounts");
	assert_string_equal(a->maps[2].value.column, "name");
	assert_string_equal(loc_str(a->maps[2].loc), "13:5-13:39");
	assert_int_equal(a->enabled, 0);
	assert_int_equal(au->activations[1]->trigger, TRIG_MEMBERSHIP_OR_VALUES_CHANGED);
	assert_int_equal(au->activations[1]->enabled, -1);
}

static void test_alerts(void **state)
{
	struct ast_file *f = parse(
		"audience a {\n"
		"  alert shrink { kind size_change threshold 20 percent notify ops_slack, ops_mail }\n"
		"  alert health {\n"
		"    kind event_health destination segment\n"
		"    threshold 1000 percent\n"
		"    notify ops_slack\n"
		"  }\n"
		"  where { kind = \"x\" and percent > 3 }\n"
		"}\n");
	assert_string_equal(diags(), "");
	struct ast_audience *au = f->audiences[0];
	assert_int_equal(au->nalerts, 2);
	struct ast_alert *a = au->alerts[0];
	assert_ptr_equal(a->audience, au);
	assert_string_equal(a->name, "shrink");
	assert_int_equal(a->kind, ALERT_SIZE_CHANGE);
	assert_null(a->destination);
	assert_int_equal(a->threshold, 20);
	assert_string_equal(loc_str(a->threshold_value_loc), "2:45-2:47");
	assert_int_equal(a->nchannels, 2);
	assert_string_equal(a->channels[1], "ops_mail");
	assert_string_equal(loc_str(a->channel_locs[1]), "2:74-2:82");
	assert_false(a->syntax_error);
	a = au->alerts[1];
	assert_int_equal(a->kind, ALERT_EVENT_HEALTH);
	assert_string_equal(a->destination, "segment");
	assert_string_equal(loc_str(a->kind_loc), "4:5-4:42");
	assert_string_equal(loc_str(a->loc), "3:3-7:4");
	assert_int_equal(a->threshold, 1000);
	/* the alert words stay usable as column names */
	assert_int_equal(au->where->nitems, 1);
	assert_string_equal(alert_kind_name(ALERT_EVENT_HEALTH), "event_health");

	/* a body out of order is one syntax error; the audience keeps its where */
	f = parse("audience b {\n"
		  "  alert x { kind size_change notify a threshold 5 percent }\n"
		  "  where { with trait vip }\n"
		  "}\n");
	assert_string_equal(diags(), "2:30-2:36 E100 syntax error: unexpected 'notify', expected 'threshold'\n");
	assert_int_equal(f->audiences[0]->nalerts, 1);
	assert_true(f->audiences[0]->alerts[0]->syntax_error);
	assert_false(f->audiences[0]->where_incomplete);
}

static void test_triggers(void **state)
{
	static const struct { const char *text; enum trigger_kind t; } cases[] = {
		{ "profile entered", TRIG_PROFILE_ENTERED },
		{ "profile exited", TRIG_PROFILE_EXITED },
		{ "entity added a.b", TRIG_ENTITY_ADDED },
		{ "entity removed a", TRIG_ENTITY_REMOVED },
		{ "entity entered", TRIG_ENTITY_ENTERED },
		{ "entity exited", TRIG_ENTITY_EXITED },
		{ "membership changed", TRIG_MEMBERSHIP_CHANGED },
		{ "membership or values changed", TRIG_MEMBERSHIP_OR_VALUES_CHANGED },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *text = xasprintf("audience a { activation b { trigger %s } }", cases[i].text);
		struct ast_file *f = parse(text);
		free(text);
		assert_string_equal(diags(), "");
		assert_int_equal(f->audiences[0]->activations[0]->trigger, cases[i].t);
	}
	assert_int_equal(fx.f->audiences[0]->activations[0]->trigger_path.n, 0);
}

/* ---- expressions ---------------------------------------------------------- */

static void test_conditions(void **state)
{
	assert_where("with entity households.pets { type = \"cat\" }",
		     "(block (entity households.pets (block (column type = \"cat\"))))");
	assert_where("without entity accounts at least 2 having count() > 3",
		     "(block (entity! accounts at-least 2 having count() > 3))");
	assert_where("with entity a at most 0 with entity b exactly 4 { x = 1 } having sum(amount) >= 10.5",
		     "(block (entity a at-most 0) (entity b exactly 4 (block (column x = 1)) having sum(amount) >= 10.5))");
	assert_where("with trait email with trait address.city = \"Paris\" without trait vip = true",
		     "(block (trait email) (trait address.city = \"Paris\") (trait! vip = true))");
	assert_where("with event \"Order Completed\" at least 3 within last 30 days { total > 50 }",
		     "(block (event \"Order Completed\" at-least 3 last 30 days (block (column total > 50))))");
	assert_where("without event \"X\" between 1 and 7 days ago having avg(price) < 2",
		     "(block (event! \"X\" ago 1 7 days having avg(price) < 2))");
	assert_where("with event \"X\" having min(t) != 1 with event \"Y\" having max(t) <= 2",
		     "(block (event \"X\" having min(t) != 1) (event \"Y\" having max(t) <= 2))");
	assert_where("part of audience premium not part of audience churned using membership "
		     "part of audience x using conditions",
		     "(block (audience premium) (audience! churned membership) (audience x conditions))");
	assert_where("plan = \"enterprise\"", "(block (column plan = \"enterprise\"))");
}

static void test_condition_locations(void **state)
{
	parse("audience a { where {\n"
	      "  with entity accounts.cards at least 2 { x = 1 } having count() > 3\n"
	      "  with event \"E\" within last 3 days\n"
	      "  not part of audience b\n"
	      "  with trait t not in (1, 2)\n"
	      "} }\n");
	assert_string_equal(diags(), "");
	struct ast_expr *w = fx.f->audiences[0]->where;
	assert_int_equal(w->nitems, 4);
	struct ast_expr *e = w->items[0];
	assert_string_equal(loc_str(e->loc), "2:3-2:69");
	assert_string_equal(loc_str(e->path.loc), "2:15-2:29");
	assert_string_equal(loc_str(e->path.part_locs[0]), "2:15-2:23");
	assert_string_equal(loc_str(e->path.part_locs[1]), "2:24-2:29");
	assert_string_equal(loc_str(e->count.loc), "2:30-2:40");
	assert_string_equal(loc_str(e->block->loc), "2:41-2:50");
	assert_string_equal(loc_str(e->block->items[0]->loc), "2:43-2:48");
	assert_string_equal(loc_str(e->block->items[0]->column_loc), "2:43-2:44");
	assert_string_equal(loc_str(e->block->items[0]->pred->loc), "2:45-2:48");
	assert_string_equal(loc_str(e->having.loc), "2:51-2:69");
	e = w->items[1];
	assert_string_equal(loc_str(e->loc), "3:3-3:36");
	assert_string_equal(loc_str(e->event_name_loc), "3:14-3:17");
	assert_string_equal(loc_str(e->window.loc), "3:18-3:36");
	assert_int_equal(e->count.kind, COUNT_DEFAULT);
	assert_false(e->having.present);
	assert_null(e->block);
	e = w->items[2];
	assert_true(e->negated);
	assert_string_equal(loc_str(e->loc), "4:3-4:25");
	assert_string_equal(loc_str(e->audience_loc), "4:24-4:25");
	e = w->items[3];
	assert_string_equal(loc_str(e->pred->loc), "5:16-5:29");
	assert_string_equal(loc_str(e->pred->list[1].loc), "5:27-5:28");
}

static void test_predicates(void **state)
{
	assert_where("a = 1 b != -2.5 c < 3 d > 4 e <= 5 f >= 6",
		     "(block (column a = 1) (column b != -2.5) (column c < 3) (column d > 4) (column e <= 5) (column f >= 6))");
	assert_where("a contains \"x\" b not contains \"y\" c starts with \"z\" d ends with \"w\"",
		     "(block (column a contains \"x\") (column b not contains \"y\") (column c starts with \"z\") "
		     "(column d ends with \"w\"))");
	assert_where("a in (1, 2,3) b not in (\"x\") c between date \"2025-01-01\" and date \"2025-12-31\"",
		     "(block (column a in 1,2,3) (column b not in \"x\") "
		     "(column c between date \"2025-01-01\" date \"2025-12-31\"))");
	assert_where("a is null b is not null",
		     "(block (column a is null) (column b is not null))");
	assert_where("a within last 3 days b within next 1 week c before last 2 hours d after next 10 minutes",
		     "(block (column a within last 3 days) (column b within next 1 weeks) "
		     "(column c before last 2 hours) (column d after next 10 minutes))");
	assert_where("a = trait.address.zip b = accounts.created_at c = time \"08:30:00.5\" "
		     "d = timestamp \"2025-01-31T08:30:00Z\" e = false",
		     "(block (column a = trait:address.zip) (column b = col:accounts.created_at) "
		     "(column c = time \"08:30:00.5\") (column d = timestamp \"2025-01-31T08:30:00Z\") (column e = false))");
	assert_where("with trait x not contains \"a\" not with trait y",
		     "(block (trait x not contains \"a\") (not (trait y)))");
}

static void test_operand_locations(void **state)
{
	where_of("a = trait.b.c  d = date \"2025-01-01\"");
	assert_string_equal(diags(), "");
	struct ast_expr *w = fx.f->audiences[0]->where;
	struct operand *o = &w->items[0]->pred->rhs;
	assert_string_equal(loc_str(o->loc), "2:15-2:24");
	o = &w->items[1]->pred->rhs;
	assert_int_equal(o->lit.kind, LIT_DATE);
	assert_string_equal(o->lit.text, "2025-01-01");
	assert_string_equal(loc_str(o->lit.loc), "2:30-2:47");
}

static void test_precedence(void **state)
{
	assert_where("a = 1 or b = 2 and c = 3",
		     "(block (or (column a = 1) (and (column b = 2) (column c = 3))))");
	assert_where("a = 1 and b = 2 or c = 3",
		     "(block (or (and (column a = 1) (column b = 2)) (column c = 3)))");
	assert_where("not a = 1 or b = 2",
		     "(block (or (not (column a = 1)) (column b = 2)))");
	assert_where("not (a = 1 or b = 2)",
		     "(block (not (()or (column a = 1) (column b = 2))))");
	assert_where("a = 1 or b = 2  c = 3",
		     "(block (or (column a = 1) (column b = 2)) (column c = 3))");
	assert_where("a = 1 or b = 2 or c = 3",
		     "(block (or (or (column a = 1) (column b = 2)) (column c = 3)))");
	assert_where("any { a = 1 b = 2 } all { c = 3 } not any { }",
		     "(block (any (column a = 1) (column b = 2)) (all (column c = 3)) (not (any)))");
	assert_where("not part of audience x or part of audience y",
		     "(block (or (audience! x) (audience y)))");
	assert_where("not (part of audience x)",
		     "(block (not (()audience x)))");
	assert_where("not not part of audience x",
		     "(block (not (audience! x)))");
	assert_where("a between 1 and 2 and b = 1",
		     "(block (and (column a between 1 2) (column b = 1)))");
	/* `with trait x` then a `not` item: the filter tells them apart */
	assert_where("with trait x not in (1) with trait y not part of audience z",
		     "(block (trait x not in 1) (trait y) (audience! z))");
}

static void test_expr_locations(void **state)
{
	where_of("( a = 1 or b = 2 ) and not c = 3 any { d = 4 }");
	assert_string_equal(diags(), "");
	struct ast_expr *w = fx.f->audiences[0]->where;
	assert_string_equal(loc_str(w->items[0]->loc), "2:11-2:43");
	assert_string_equal(loc_str(w->items[0]->lhs->loc), "2:11-2:29");
	assert_true(w->items[0]->lhs->parens);
	assert_string_equal(loc_str(w->items[0]->rhs->loc), "2:34-2:43");
	assert_string_equal(loc_str(w->items[1]->loc), "2:44-2:57");
}

static void test_keywords_as_names(void **state)
{
	assert_where("with entity credit_cards { name = \"Owly Card\" }",
		     "(block (entity credit_cards (block (column name = \"Owly Card\"))))");
	assert_where("with entity event.entity.trait { type = \"cat\" count >= 2 status = \"a\" "
		     "amount > 1 date within last 3 days time is null timestamp < 3 }",
		     "(block (entity event.entity.trait (block (column type = \"cat\") (column count >= 2) "
		     "(column status = \"a\") (column amount > 1) (column date within last 3 days) (column time is null) "
		     "(column timestamp < 3))))");
	assert_where("with trait email with trait name = \"x\" with trait in.is",
		     "(block (trait email) (trait name = \"x\") (trait in.is))");
	assert_where("in = 1 is = 2 at = 3 not in = 4 with = 5 having != 6",
		     "(block (column in = 1) (column is = 2) (column at = 3) (not (column in = 4)) (column with = 5) "
		     "(column having != 6))");
	assert_where("value contains key.id id = email.id any = 1 all = 2 part = 3 last = 4 days = 5",
		     "(block (column value contains col:key.id) (column id = col:email.id) (column any = 1) "
		     "(column all = 2) (column part = 3) (column last = 4) (column days = 5))");
	assert_where("part of audience audience using membership",
		     "(block (audience audience membership))");
	assert_where("x = date.in y = target.folder",
		     "(block (column x = col:date.in) (column y = col:target.folder))");

	/* every keyword is a valid audience, activation, trait and column name */
	static const struct { const char *w; } kws[] = {
#define KW(t, tok, cat) { t },
#include "keywords.def"
#undef KW
	};
	/* any predicate may follow a keyword used as a column */
	static const char *const preds[] = {
		"= 1", "is null", "is not null", "contains \"x\"", "starts with \"x\"",
		"ends with \"x\"", "between 1 and 2", "within last 3 days",
		"before last 3 days", "after next 3 days", "in (\"a\")", "not in (\"a\")",
		"not contains \"x\"",
	};
	/* words that are followed by a name (and `not`, which starts `not
	 * contains`) take only comparisons as columns */
	static const char *const before_names[] = {
		"activation", "added", "audience", "destination", "enrich", "entity",
		"identifier", "on", "removed", "trait", "traits", "not",
	};
	for (size_t i = 0; i < ARRAY_LEN(kws); i++) {
		size_t npreds = ARRAY_LEN(preds);
		for (size_t k = 0; k < ARRAY_LEN(before_names); k++)
			if (strcmp(kws[i].w, before_names[k]) == 0)
				npreds = 1;
		for (size_t j = 0; j < npreds; j++) {
			const char *const words[] = { kws[i].w };
			char *text = xasprintf("audience %s { activation %s { destination %s } "
					       "where { with trait %s with entity %s { %s %s } } }",
					       kws[i].w, kws[i].w, kws[i].w, kws[i].w, kws[i].w,
					       kws[i].w, preds[j]);
			struct ast_file *f = parse(text);
			free(text);
			if (strcmp(diags(), "") != 0)
				fail_msg("keyword '%s' with '%s': %s", words[0], preds[j], diags());
			assert_string_equal(f->audiences[0]->name, words[0]);
			assert_string_equal(f->audiences[0]->activations[0]->destination, words[0]);
			assert_string_equal(f->audiences[0]->where->items[0]->path.parts[0], words[0]);
			assert_string_equal(f->audiences[0]->where->items[1]->block->items[0]->column,
					    words[0]);
			arena_release(&fx.arena);
		}
	}
	/* the predicate's own `not contains` still works after a column */
	assert_where("x not contains \"a\" not = 1",
		     "(block (column x not contains \"a\") (column not = 1))");
	/* SPEC §3.1: keywords are reserved only where the grammar needs them */
	assert_where("in in (\"a\") is is null is is not null not in (\"b\") in not in (\"c\") "
		     "not in in (\"d\") x is null is is null within within last 3 days",
		     "(block (column in in \"a\") (column is is null) (column is is not null) "
		     "(column not in \"b\") (column in not in \"c\") (not (column in in \"d\")) "
		     "(column x is null) (column is is null) (column within within last 3 days))");
	assert_where("with trait x within last 3 days not part of audience y with trait in in (\"a\")",
		     "(block (trait x within last 3 days) (audience! y) (trait in in \"a\"))");
}

static void test_example_from_spec(void **state)
{
	struct ast_file *f = parse(
		"# audiences/pets.lac\n"
		"audience owly_heavy_users {\n"
		"  schedule at 08:00 on mon, thu\n"
		"  where {\n"
		"    with entity accounts {\n"
		"      with entity credit_cards { name = \"Owly Card\" }\n"
		"      with entity transactions { created_at within last 90 days } having sum(amount) > 1000\n"
		"    }\n"
		"    without trait email_opt_out = true\n"
		"    any {\n"
		"      with event \"Order Completed\" at least 3 within last 30 days { total > 50 }\n"
		"      part of audience premium_subscribers\n"
		"    }\n"
		"    not part of audience churned using membership   # stale is fine\n"
		"  }\n"
		"  activation card_due {\n"
		"    destination segment\n"
		"    trigger     entity added accounts.credit_cards\n"
		"    event       \"Card Balance Due\"\n"
		"    identifier  user_id\n"
		"    send current\n"
		"  }\n"
		"}\n");
	assert_string_equal(diags(), "");
	assert_int_equal(f->naudiences, 1);
	sb_reset(&fx.out);
	dump_expr(&fx.out, f->audiences[0]->where);
	assert_string_equal(fx.out.buf,
		"(block (entity accounts (block (entity credit_cards (block (column name = \"Owly Card\"))) "
		"(entity transactions (block (column created_at within last 90 days)) having sum(amount) > 1000))) "
		"(trait! email_opt_out = true) "
		"(any (event \"Order Completed\" at-least 3 last 30 days (block (column total > 50))) "
		"(audience premium_subscribers)) (audience! churned membership))");
	assert_int_equal(f->ncomments, 2);
	assert_string_equal(f->comments[0].text, "# audiences/pets.lac");
	assert_true(f->comments[0].own_line);
	assert_string_equal(loc_str(f->comments[0].loc), "1:1-1:21");
	assert_string_equal(f->comments[1].text, "# stale is fine");
	assert_false(f->comments[1].own_line);
	assert_string_equal(loc_str(f->comments[1].loc), "14:53-14:68");
}

/* ---- literals ------------------------------------------------------------- */

static void test_typed_literal_errors(void **state)
{
	where_of("a = date \"2025-02-29\" b = date \"2024-02-29\" c = time \"24:00:00\" "
		 "d = timestamp \"2025-01-31 08:30:00.123+02:00\" e = timestamp \"2025-01-31\"\n"
		 "f = time \"08:30\" g = date \"2025-1-1\" h = timestamp \"2025-01-31T08:30:00+2\"");
	assert_string_equal(diags(),
		"2:20-2:32 E103 invalid date '2025-02-29'\n"
		"2:64-2:74 E103 invalid time '24:00:00'\n"
		"2:135-2:147 E103 invalid timestamp '2025-01-31'\n"
		"3:10-3:17 E103 invalid time '08:30'\n"
		"3:27-3:37 E103 invalid date '2025-1-1'\n"
		"3:52-3:75 E103 invalid timestamp '2025-01-31T08:30:00+2'\n");
	assert_string_equal(fx.d.items[0].hints[0], "write a calendar date as YYYY-MM-DD");
}

static void test_counts_must_be_whole(void **state)
{
	where_of("with entity a at least 1.5 with event \"x\" within last -3 days");
	assert_string_equal(diags(),
		"2:34-2:37 E103 expected a whole number of 0 or more, got '1.5'\n"
		"2:65-2:67 E103 expected a whole number of 0 or more, got '-3'\n");
}

/* ---- errors and recovery -------------------------------------------------- */

static void test_syntax_error_messages(void **state)
{
	parse("audience a { nme \"x\" }");
	assert_string_equal(diags(), "1:14-1:17 E100 syntax error: unexpected 'nme'\n");
	arena_release(&fx.arena);
	diag_sink_release(&fx.d);

	parse("audience a {\n  where { with entity }\n}");
	assert_string_equal(diags(), "2:23-2:24 E100 syntax error: unexpected '}', expected a name\n");
	diag_sink_release(&fx.d);

	/* after `with` and `of` a keyword is not taken for a column even
	 * before a comparison: the name is what is missing */
	parse("audience a { where { with trait = 1 } }");
	assert_string_equal(diags(), "1:33-1:34 E100 syntax error: unexpected '=', expected a name\n");
	diag_sink_release(&fx.d);

	/* a condition's keyword without its with: said so in a hint */
	parse("audience a { where { trait email = \"x\" } }");
	assert_string_equal(diags(), "1:28-1:33 E100 syntax error: unexpected 'email'\n");
	assert_int_equal(fx.d.items[0].nhints, 1);
	assert_string_equal(fx.d.items[0].hints[0],
			    "a condition starts with 'with' or 'without': 'with trait ...'");
	diag_sink_release(&fx.d);
	parse("audience a { where { with entity x { with trait email = 1 } } }");
	assert_int_equal(fx.d.n, 0);
	diag_sink_release(&fx.d);
	/* ... but not where something else is missing */
	static const char *const no_hint[] = {
		"audience a { target entity }",
		"audience a { where { x = trait foo } }",
		"audience a { activation b { trigger entity foo } }",
		"audience a { activation b { event purchase } }",
	};
	for (size_t i = 0; i < ARRAY_LEN(no_hint); i++) {
		parse(no_hint[i]);
		assert_int_equal(fx.d.n, 1);
		assert_int_equal(fx.d.items[0].nhints, 0);
		diag_sink_release(&fx.d);
	}
	/* `with` and `of` are names too: a keyword after them before a
	 * comparison is still a column */
	static const char *const valid[] = {
		"audience a { where { with trait of at = \"x\" } }",
		"audience a { where { part of audience with in = 3 } }",
		"audience a { where { with trait with is = 1 } }",
		"audience a { where { with trait with trait = 1 } }",
		"audience a { where { with entity of { entity = 1 } } }",
	};
	for (size_t i = 0; i < ARRAY_LEN(valid); i++) {
		parse(valid[i]);
		assert_string_equal(diags(), "");
		diag_sink_release(&fx.d);
	}

	parse("audience a { where { part of audience = b } }");
	assert_string_equal(diags(), "1:39-1:40 E100 syntax error: unexpected '=', expected a name\n");
	diag_sink_release(&fx.d);

	parse("audience a { name }");
	assert_string_equal(diags(), "1:19-1:20 E100 syntax error: unexpected '}', expected string\n");
	diag_sink_release(&fx.d);

	parse("audience a { name \"x\"");
	assert_string_equal(diags(), "1:22-1:22 E100 syntax error: unexpected end of file\n");
	diag_sink_release(&fx.d);

	parse("audience \"quoted\" { }");
	assert_string_equal(diags(), "1:10-1:18 E100 syntax error: unexpected string \"quoted\", expected a name\n");
	diag_sink_release(&fx.d);

	parse("audience a { where { x = } }");
	assert_string_equal(diags(), "1:26-1:27 E100 syntax error: unexpected '}', expected a value\n");
	diag_sink_release(&fx.d);

	parse("audience a { schedule at 08:00 mon }");
	assert_string_equal(diags(), "1:32-1:35 E100 syntax error: unexpected 'mon', expected 'on'\n");
	diag_sink_release(&fx.d);

	parse("audience a { where { with trait x having count() > 1 } }");
	assert_string_equal(diags(), "1:35-1:41 E100 syntax error: unexpected 'having'\n");
	diag_sink_release(&fx.d);

	/* never "unexpected 'null', expected 'not' or 'null'"; and what the
	 * parser resumes on (`null = 1`) is not an item of its own */
	parse("audience a { where { with trait email is null = 1 } }");
	assert_string_equal(diags(), "1:42-1:46 E100 syntax error: unexpected 'null'\n");
	assert_int_equal(fx.f->audiences[0]->where->nitems, 0);
	diag_sink_release(&fx.d);

	/* well formed: the checker reports them, once (E305) */
	parse("audience a { where { with entity x having sum() > 1 with entity y having count(z) > 1 } }");
	assert_string_equal(diags(), "");
	assert_int_equal(fx.f->naudiences, 1);
	diag_sink_release(&fx.d);

	parse("audience a { activation b { trigger profile left } }");
	assert_string_equal(diags(),
		"1:45-1:49 E100 syntax error: unexpected 'left', expected 'entered' or 'exited'\n");
	diag_sink_release(&fx.d);

	parse("audience a { target entity }");
	assert_string_equal(diags(), "1:28-1:29 E100 syntax error: unexpected '}', expected a name\n");
}

static void test_recovery_reports_every_error(void **state)
{
	struct ast_file *f = parse(
		"audience good1 { name \"ok\" }\n"
		"audience bad1 {\n"
		"  name 12\n"
		"  where { with entity x { a = } b = 1 with trait }\n"
		"  activation z { destination }\n"
		"  description \"still read\"\n"
		"}\n"
		"audience 7 { name \"bad header\" }\n"
		"stray tokens here\n"
		"audience good2 { where { (a = 1 b) c = 2 } }\n"
		"audience good3 { }\n");
	assert_string_equal(diags(),
		"3:8-3:10 E100 syntax error: unexpected '12', expected string\n"
		"4:31-4:32 E100 syntax error: unexpected '}', expected a value\n"
		"4:50-4:51 E100 syntax error: unexpected '}', expected a name\n"
		"5:30-5:31 E100 syntax error: unexpected '}', expected a name\n"
		"8:10-8:11 E100 syntax error: unexpected '7', expected a name\n"
		"9:1-9:6 E100 syntax error: unexpected 'stray', expected end of file or 'audience'\n"
		"10:33-10:34 E100 syntax error: unexpected 'b', expected 'and', 'or' or ')'\n");
	/* audiences that recovered are kept, marked, without the broken items,
	 * so the checker reports the errors of the rest (SPEC §3.5) */
	assert_int_equal(f->naudiences, 4);
	assert_string_equal(f->audiences[0]->name, "good1");
	assert_false(f->audiences[0]->syntax_error);
	struct ast_audience *bad1 = f->audiences[1];
	assert_string_equal(bad1->name, "bad1");
	assert_true(bad1->syntax_error);
	assert_true(bad1->where_incomplete);
	assert_null(bad1->display_name);
	assert_string_equal(bad1->description, "still read");
	assert_int_equal(bad1->where->nitems, 2); /* `with entity x { }`, `b = 1`; `with trait` lost */
	assert_int_equal(bad1->where->items[0]->block->nitems, 0); /* `a =` lost */
	assert_int_equal(bad1->nactivations, 1);
	assert_true(bad1->activations[0]->syntax_error);
	assert_string_equal(f->audiences[2]->name, "good2");
	assert_true(f->audiences[2]->where_incomplete);
	assert_string_equal(f->audiences[3]->name, "good3");
	assert_false(f->audiences[3]->syntax_error);

	/* an error only inside an activation leaves the where whole */
	diag_sink_release(&fx.d);
	f = parse("audience a { where { x = 1 } activation b { trigger profile left } }");
	assert_int_equal(f->naudiences, 1);
	assert_true(f->audiences[0]->syntax_error);
	assert_false(f->audiences[0]->where_incomplete);
	assert_true(f->audiences[0]->activations[0]->syntax_error);
}

/* A UTF-8 byte order mark at the start is skipped, not E101. */
static void test_bom(void **state)
{
	struct ast_file *f = parse("\xEF\xBB\xBF" "audience a { where { x = 1 } }");
	assert_string_equal(diags(), "");
	assert_int_equal(f->naudiences, 1);
	assert_string_equal(loc_str(f->audiences[0]->name_loc), "1:10-1:11");
	/* only at the start */
	parse("audience b { }\xEF\xBB\xBF");
	assert_non_null(strstr(diags(), "E101"));
}

static void test_deep_nesting(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "audience a { where { ");
	for (int i = 0; i < 1001; i++)
		sb_addstr(&sb, "not ");
	sb_addstr(&sb, "x = 1 } }\naudience b { where { ");
	for (int i = 0; i < 20000; i++)
		sb_addch(&sb, '(');
	sb_addstr(&sb, "x = 1 } }");
	struct ast_file *f = parse(sb.buf);
	sb_release(&sb);
	assert_string_equal(diags(),
		"1:20-1:21 E100 conditions nested too deeply (more than 1000 levels)\n"
		"2:10014-2:10015 E100 input nested too deeply\n");
	assert_int_equal(f->naudiences, 1);
	assert_int_equal(f->audiences[0]->where->nitems, 0);
	assert_true(f->audiences[0]->where_incomplete);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alerts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triggers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conditions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_condition_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_predicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operand_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expr_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keywords_as_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_example_from_spec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typed_literal_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_must_be_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_reports_every_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
