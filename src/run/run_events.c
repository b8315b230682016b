/*
 * run_events.c — step 3 of a run for one activation: the snapshot diff
 * becomes events in the outbox.
 *
 * One query per activation streams every change with what its event needs,
 * as rows sorted by change (member, entity, entered/exited):
 *
 *   kind 0   the enriched (and `map`-referenced) trait values
 *   kind 1   an external id of the identifier's type
 *   kind 2+i a matched entity row of the i-th enrich path (keys of every
 *            level from the profile down, then the enriched columns)
 *
 * so the callback holds one change at a time and memory does not grow with
 * the audience.  Values come back as text in the dialect's explicit
 * formats (%V: its read_back templates) and are typed from the graph.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/dest.h"
#include "run/event.h"
#include "run/run_private.h"
#include "sql/sqlbuf.h"
#include "base/json_emit.h"
#include "base/sha256.h"

/* ---- SQL ---------------------------------------------------------------------- */

/* Joins from alias e<n-1> (the last entity of rels, already joined) up to
 * e0, the first-level entity. */
static void chain_up(const struct runner *r, struct sqlbuf *b, const char *pfx,
		     const struct relationship *const *rels, size_t n)
{
	for (size_t i = n - 1; i > 0; i--) {
		const struct relationship *rel = rels[i];
		const struct entity *pe = rels[i - 1]->entity, *ce = rel->entity;
		if (rel->join == JOIN_JUNCTION) {
			sql_addf(b, "\nJOIN %T AS %sj%zu ON %sj%zu.%I = %se%zu.%I",
				 rel->junction->table_parts, rel->junction->ntable_parts, pfx, i, pfx, i,
				 rel->junction_right->name, pfx, i, ce->pk->name);
			sql_addf(b, "\nJOIN %T AS %se%zu ON %se%zu.%I = %sj%zu.%I", pe->table_parts,
				 pe->ntable_parts, pfx, i - 1, pfx, i - 1, pe->pk->name, pfx, i,
				 rel->junction_left->name);
		} else {
			sql_addf(b, "\nJOIN %T AS %se%zu ON %se%zu.%I = %se%zu.%I", pe->table_parts,
				 pe->ntable_parts, pfx, i - 1, pfx, i - 1,
				 rel->parent_col ? rel->parent_col->name : pe->pk->name, pfx, i,
				 rel->child_col ? rel->child_col->name : ce->pk->name);
		}
	}
	(void)r;
}

/* The first-level entity e0 belongs to the profile whose id is the SQL
 * expression `member`. */
static void link_member(const struct runner *r, struct sqlbuf *b, const char *pfx,
			const struct relationship *rel0, const char *member)
{
	const struct profile *p = &r->p->graph.profile;
	if (rel0->join == JOIN_EXTERNAL_ID && p->external_ids.present) {
		sql_addf(b, "EXISTS (SELECT 1 FROM %T AS %sx WHERE %sx.%I = %s AND %sx.%I = %L AND %sx.%I = %se0.%I)",
			 p->external_ids.table_parts, p->external_ids.ntable_parts, pfx, pfx,
			 p->external_ids.id, member, pfx, p->external_ids.type, rel0->ext_type, pfx,
			 p->external_ids.value, pfx, rel0->join_key->name);
	} else if (rel0->join == JOIN_TRAIT && rel0->trait) {
		sql_addf(b, "EXISTS (SELECT 1 FROM %T AS %sq WHERE %sq.%I = %s AND %sq.%I = %se0.%I)",
			 p->table_parts, p->ntable_parts, pfx, pfx, p->id, member, pfx,
			 rel0->trait->column, pfx, rel0->join_key->name);
	} else {
		sql_addf(b, "%s", r->d->true_lit);
	}
}

/* The profiles associated with entity alias e0: joins that bind pa.<id>. */
static void link_profiles(const struct runner *r, struct sqlbuf *b, const struct relationship *rel0)
{
	const struct profile *p = &r->p->graph.profile;
	if (rel0->join == JOIN_EXTERNAL_ID && p->external_ids.present) {
		sql_addf(b, "\nJOIN %T AS xa ON xa.%I = %L AND xa.%I = e0.%I",
			 p->external_ids.table_parts, p->external_ids.ntable_parts,
			 p->external_ids.type, rel0->ext_type, p->external_ids.value, rel0->join_key->name);
		sql_addf(b, "\nJOIN %T AS pa ON pa.%I = xa.%I", p->table_parts, p->ntable_parts,
			 p->id, p->external_ids.id);
	} else if (rel0->join == JOIN_TRAIT && rel0->trait) {
		sql_addf(b, "\nJOIN %T AS pa ON pa.%I = e0.%I", p->table_parts, p->ntable_parts,
			 rel0->trait->column, rel0->join_key->name);
	} else {
		sql_addf(b, "\nJOIN %T AS pa ON 1 = 0", p->table_parts, p->ntable_parts);
	}
}

static const char *trigger_path(const struct runner *r, const struct ast_activation *act)
{
	if (act->trigger == TRIG_ENTITY_ADDED || act->trigger == TRIG_ENTITY_REMOVED)
		return act->ntrigger_rels ? act->trigger_rels[act->ntrigger_rels - 1]->path : NULL;
	if (act->trigger == TRIG_ENTITY_ENTERED || act->trigger == TRIG_ENTITY_EXITED)
		return r->a->ntarget_rels ? r->a->target_rels[r->a->ntarget_rels - 1]->path : NULL;
	return NULL;
}

/* The changes the activation reports: SELECT m, e, im, c (member, entity
 * or NULL, member after the run 1/0, change 0 entered / 1 exited / 2 values
 * changed).  hash: every new member instead (for the enrichment hashes).
 * Returns false when there is nothing to report. */
static bool change_set(const struct runner *r, const struct ast_activation *act, bool baseline,
		       bool hash, struct sqlbuf *b)
{
	struct strbuf set = STRBUF_INIT;
	bool any = true;
	const char *path = trigger_path(r, act);
	enum col_type mt = run_member_type(r);
	switch (act->trigger) {
	case TRIG_PROFILE_ENTERED:
	case TRIG_PROFILE_EXITED:
	case TRIG_MEMBERSHIP_CHANGED:
	case TRIG_MEMBERSHIP_OR_VALUES_CHANGED: {
		bool entered = act->trigger != TRIG_PROFILE_EXITED;
		bool exited = act->trigger != TRIG_PROFILE_ENTERED;
		if (hash) {
			/* every member of the new snapshot, to hash its enrichment */
			sql_addf(b, "SELECT %V AS m, CAST(NULL AS %S) AS e, 1 AS im, 0 AS c FROM %s AS d",
				 mt, "d", "member_id", r->new_);
			break;
		}
		if (baseline) {
			/* the first run: current members, only with send current */
			if (!act->send_current || !entered) {
				any = false;
				break;
			}
			sql_addf(b, "SELECT %V AS m, CAST(NULL AS %S) AS e, 1 AS im, 0 AS c FROM %s AS d",
				 mt, "d", "member_id", r->new_);
			break;
		}
		if (entered) {
			run_sql_entered(r, &set);
			sql_addf(b, "SELECT %V AS m, CAST(NULL AS %S) AS e, 1 AS im, 0 AS c FROM (%s) AS d",
				 mt, "d", "member_id", set.buf);
		}
		if (exited) {
			sb_reset(&set);
			run_sql_exited(r, &set);
			sql_addf(b, "%sSELECT %V AS m, CAST(NULL AS %S) AS e, 0 AS im, 1 AS c FROM (%s) AS d",
				 entered ? " UNION ALL " : "", mt, "d", "member_id", set.buf);
		}
		if (act->trigger == TRIG_MEMBERSHIP_OR_VALUES_CHANGED && r->have_ent &&
		    !run_enrich_changed(r, act)) {
			/* continuing members whose enrichment hash changed (change 2);
			 * a member without a previous hash has no baseline yet; after
			 * an enrich change every hash differs, and none is sent */
			char *vp = xasprintf(RUN_VALUES_PREFIX "%s", act->name);
			sql_addf(b, " UNION ALL SELECT CAST(n.member_id AS %S) AS m, CAST(NULL AS %S) AS e, "
				 "1 AS im, 2 AS c FROM %s AS n JOIN %s AS o ON o.path = n.path AND "
				 "o.member_id = n.member_id WHERE n.path = %L AND o.entity_id <> n.entity_id",
				 r->ent_new, r->ent, vp);
			free(vp);
		}
		break;
	}
	case TRIG_ENTITY_ADDED:
	case TRIG_ENTITY_REMOVED: {
		bool added = act->trigger == TRIG_ENTITY_ADDED;
		if (!path || (baseline && (!added || !act->send_current))) {
			any = false;
			break;
		}
		struct sqlbuf s;
		sqlbuf_init(&s, r->d);
		const char *from = added ? r->ent_new : r->ent, *minus = added ? r->ent : r->ent_new;
		bool have_from = added || r->have_ent, have_minus = (added ? r->have_ent : true) && !baseline;
		if (!have_from) {
			sqlbuf_release(&s);
			any = false;
			break;
		}
		sql_addf(&s, "SELECT member_id, entity_id FROM %s WHERE path = %L", from, path);
		if (have_minus)
			sql_addf(&s, " %s SELECT member_id, entity_id FROM %s WHERE path = %L", r->d->except,
				 minus, path);
		sql_addf(b, "SELECT d.member_id AS m, d.entity_id AS e, CASE WHEN d.member_id IN "
			 "(SELECT %V FROM %s AS n) THEN 1 ELSE 0 END AS im, %d AS c "
			 "FROM (%s) AS d", mt, "n", "member_id", r->new_, added ? 0 : 1, s.sb.buf);
		sqlbuf_release(&s);
		break;
	}
	case TRIG_ENTITY_ENTERED:
	case TRIG_ENTITY_EXITED: {
		bool entered = act->trigger == TRIG_ENTITY_ENTERED;
		if (!r->a->ntarget_rels || (baseline && (!entered || !act->send_current))) {
			any = false;
			break;
		}
		if (baseline)
			sb_addf(&set, "SELECT member_id FROM %s", r->new_);
		else if (entered)
			run_sql_entered(r, &set);
		else
			run_sql_exited(r, &set);
		const struct relationship *const *rels = r->a->target_rels;
		size_t n = r->a->ntarget_rels;
		const struct entity *te = rels[n - 1]->entity;
		char te_alias[24];
		snprintf(te_alias, sizeof(te_alias), "e%zu", n - 1);
		sql_addf(b, "SELECT DISTINCT %V AS m, %V AS e, %d AS im, "
			 "%d AS c\nFROM (%s) AS d\nJOIN %T AS %s ON %s.%I = d.member_id",
			 TY_STRING, "pa", r->p->graph.profile.id, te->pk->type, te_alias, te->pk->name,
			 entered ? 1 : 0, entered ? 0 : 1, set.buf, te->table_parts, te->ntable_parts,
			 te_alias, te_alias, te->pk->name);
		chain_up(r, b, "", rels, n);
		link_profiles(r, b, rels[0]);
		break;
	}
	default:
		any = false;
	}
	sb_release(&set);
	return any;
}

/* Value columns of the kind 0 row: enrich traits, `map` trait refs, then
 * `map` slug.column refs (a column of the change's entity, d.e). */
struct tcol {
	const struct trait *t;     /* top-level trait (its column); NULL for a column */
	const struct column *col;  /* slug.column: the column */
	const struct map_entry *me;
	bool enrich;
};

/* The entity whose primary key is a change's entity id: the target entity,
 * or the entity of an entity added/removed trigger. */
static const struct entity *change_entity(const struct runner *r, const struct ast_activation *act)
{
	if (r->a->target == TARGET_ENTITY && r->a->ntarget_rels)
		return r->a->target_rels[r->a->ntarget_rels - 1]->entity;
	if ((act->trigger == TRIG_ENTITY_ADDED || act->trigger == TRIG_ENTITY_REMOVED) && act->ntrigger_rels)
		return act->trigger_rels[act->ntrigger_rels - 1]->entity;
	return NULL;
}

/* The value columns (malloc'd, *n of them): as many as the activation has
 * enriched traits and `map` references, however many that is. */
static struct tcol *trait_cols(const struct runner *r, const struct ast_activation *act, bool hash,
			       size_t *n_out)
{
	struct tcol *out = xcalloc(act->nenrich_traits + act->nmaps + 1, sizeof(*out));
	size_t n = 0;
	for (size_t i = 0; i < act->nenrich_traits; i++)
		if (act->enrich_trait_defs && act->enrich_trait_defs[i])
			out[n++] = (struct tcol){ act->enrich_trait_defs[i], NULL, NULL, true };
	if (!hash) { /* the hash covers the enrichment only */
		for (size_t i = 0; i < act->nmaps; i++)
			if (act->maps[i].value.ref == REF_TRAIT && act->maps[i].value.trait_root)
				out[n++] = (struct tcol){ act->maps[i].value.trait_root, NULL, NULL, false };
		for (size_t i = 0; change_entity(r, act) && i < act->nmaps; i++)
			if (act->maps[i].value.ref == REF_COLUMN && act->maps[i].value.col)
				out[n++] = (struct tcol){ NULL, act->maps[i].value.col, &act->maps[i], false };
	}
	*n_out = n;
	return out;
}

static void null_cols(struct sqlbuf *b, size_t from, size_t k)
{
	for (size_t i = from; i < k; i++)
		sql_addf(b, ", CAST(NULL AS %S)");
}

/* ---- streaming the rows into events ------------------------------------------------- */

struct stream {
	struct runner *r;
	const struct ast_activation *act;
	struct event_ctx ec;
	struct tcol *tcols;
	size_t ntcols;
	const char **enrich_match; /* per enrich path: its matched path or NULL */
	/* the change being gathered */
	bool open;
	char *m, *e;
	int c, im;
	json_t *traits, *ext, *ctx, *refs, *cols;
	bool hash;                /* hashing the enrichment, not building events */
	FILE *spool;              /* hash mode: (member, hash) records */
	char bad_id[160];         /* the change has an identifier that is not UTF-8: why */
	int64_t events, filtered, invalid;
	int err;
};

/* A number as JSON (docs/events.md): an integer when it is one and exact in
 * a double (|v| < 9e15), else a real; NaN and ±infinity, which JSON cannot
 * spell, are null.  The cast happens only in range, where C defines it. */
static json_t *number_json(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v > -9e15 && v < 9e15 && v == trunc(v))
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* The offset of the first byte of s that is not valid UTF-8, or -1. */
static long bad_utf8_at(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = utf8_seq(s + i, n - i)))
			return (long)i;
	return -1;
}

/* An identifier (profile id, entity primary key, external id) that is not
 * UTF-8 cannot be sent faithfully: the change's event is invalid, with the
 * first such identifier as the reason. */
static bool check_id(struct stream *s, const char *id, const char *what, const char *whose,
		     const char *tail)
{
	long at = id ? bad_utf8_at(id) : -1;
	if (at < 0)
		return true;
	if (!s->bad_id[0])
		snprintf(s->bad_id, sizeof(s->bad_id), "%s%s%.60s%s%s is not valid UTF-8 (byte %ld)",
			 what, whose ? " '" : "", whose ? whose : "", whose ? "'" : "", tail, at + 1);
	return false;
}

static json_t *typed(const char *text, enum col_type t)
{
	if (!text)
		return json_null();
	char *end;
	switch (t) {
	case TY_NUMBER: {
		errno = 0;
		long long ll = strtoll(text, &end, 10);
		if (*text && !*end && errno != ERANGE)
			return json_integer(ll);
		double v = strtod(text, &end); /* 1e999 is inf (ERANGE): null below */
		if (*text && !*end)
			return number_json(v);
		return json_text0(text);
	}
	case TY_BOOLEAN:
		if (!strcmp(text, "1") || !strcmp(text, "t") || !strcmp(text, "true") || !strcmp(text, "TRUE"))
			return json_true();
		if (!strcmp(text, "0") || !strcmp(text, "f") || !strcmp(text, "false") || !strcmp(text, "FALSE"))
			return json_false();
		return json_text0(text);
	case TY_OBJECT: {
		/* invalid bytes inside the JSON's strings are replaced as well */
		json_t *j;
		if (utf8_valid(text, strlen(text))) {
			j = json_loads(text, JSON_DECODE_ANY, NULL);
		} else {
			struct strbuf sb = STRBUF_INIT;
			sb_add_utf8(&sb, text, strlen(text));
			j = json_loads(sb.buf, JSON_DECODE_ANY, NULL);
			sb_release(&sb);
		}
		return j ? j : json_text0(text);
	}
	default:
		return json_text0(text);
	}
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static json_t *literal_json(const struct literal *l)
{
	switch (l->kind) {
	case LIT_NUMBER:
		return typed(l->text, TY_NUMBER);
	case LIT_BOOL:
		return json_boolean(l->boolean);
	default:
		return json_string(l->text ? l->text : "");
	}
}

/* A nested trait value: the root's JSON, then the keys after the first. */
static json_t *trait_ref_value(const json_t *root, const struct operand *o)
{
	const json_t *v = root;
	for (size_t i = 1; v && i < o->ntrait_path; i++)
		v = json_is_object(v) ? json_object_get(v, o->trait_path[i]) : NULL;
	return v ? json_incref((json_t *)v) : json_null();
}

/* A row of an _entity_context level, with its primary key for sorting. */
struct keyed_row {
	json_t *row;
	const char *key;
	double num;
	bool numeric;
};

/* A total order: numbers by value, then keys that are not numbers (a
 * NUMBER key SQLite stored as other text) by bytes, as are all other keys. */
static int keyed_row_cmp(const void *a, const void *b)
{
	const struct keyed_row *x = a, *y = b;
	if (x->numeric != y->numeric)
		return x->numeric ? -1 : 1;
	if (x->numeric && x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Each level's rows ordered by primary key (SPEC §5: the first rows are the
 * ones kept when a level is cut): by value for a NUMBER key, whose text the
 * query sorted as text ("10" before "9"), else by byte order, the same on
 * every engine whatever its collation. */
static void sort_context(const struct graph *g, json_t *level)
{
	const char *slug;
	json_t *arr;
	json_object_foreach(level, slug, arr) {
		/* an array holds the rows of one relationship: one entity */
		size_t n = json_array_size(arr);
		const char *of = json_string_value(json_object_get(json_array_get(arr, 0), "__entity"));
		const struct entity *e = of ? graph_entity(g, of) : NULL;
		if (!e)
			continue;
		struct keyed_row *rows = xcalloc(n, sizeof(*rows));
		for (size_t i = 0; i < n; i++) {
			json_t *row = json_array_get(arr, i);
			const char *key = json_string_value(json_object_get(row, e->pk->name));
			rows[i].row = json_incref(row);
			rows[i].key = key ? key : "";
			if (e->pk->type == TY_NUMBER && *rows[i].key) {
				char *end;
				rows[i].num = strtod(rows[i].key, &end);
				rows[i].numeric = !*end && isfinite(rows[i].num);
			}
			sort_context(g, row);
		}
		qsort(rows, n, sizeof(*rows), keyed_row_cmp);
		json_array_clear(arr);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, rows[i].row);
		free(rows);
	}
}

static void clear_change(struct stream *s)
{
	free(s->m);
	free(s->e);
	s->m = s->e = NULL;
	json_object_clear(s->traits);
	json_object_clear(s->ext);
	json_object_clear(s->ctx);
	json_object_clear(s->refs);
	json_object_clear(s->cols);
	s->bad_id[0] = '\0';
	s->open = false;
}

/* Hash mode: SHA-256 of the member's enrichment as canonical JSON, spooled
 * as "<len>:<member><hash>" (inserted after the query: PostgreSQL cannot
 * run a statement while it streams a result). */
static void flush_hash(struct stream *s)
{
	json_t *j = json_pack("{s:O, s:O}", "traits", s->traits, "context", s->ctx);
	/* the same bytes as json_dumps with sorted keys (json_emit.c), faster */
	struct strbuf text = STRBUF_INIT;
	json_emit_sorted(&text, j);
	char hex[SHA256_HEX_LEN + 1];
	sha256_hex_to(text.buf, text.len, hex);
	if (fprintf(s->spool, "%zu:%s%s", strlen(s->m), s->m, hex) < 0)
		s->err = -1;
	sb_release(&text);
	json_decref(j);
	clear_change(s);
}

static void flush(struct stream *s)
{
	if (!s->open)
		return;
	if (s->hash) {
		flush_hash(s);
		return;
	}
	struct runner *r = s->r;
	const struct ast_activation *act = s->act;
	json_t *map = NULL;
	if (act->nmaps) {
		map = json_object();
		for (size_t i = 0; i < act->nmaps; i++) {
			const struct map_entry *me = &act->maps[i];
			json_t *v;
			if (me->value.ref == REF_NONE) {
				v = literal_json(&me->value.lit);
			} else if (me->value.ref == REF_TRAIT && me->value.trait_root) {
				v = trait_ref_value(json_object_get(s->refs, me->value.trait_root->name), &me->value);
			} else if (me->value.ref == REF_COLUMN && json_object_get(s->cols, me->key)) {
				v = json_incref(json_object_get(s->cols, me->key));
			} else {
				v = json_null();
			}
			json_object_set_new(map, me->key, v);
		}
	}
	sort_context(&r->p->graph, s->ctx);
	struct event_member m = {
		.change = s->c == 2 ? CHANGE_VALUES : s->c ? CHANGE_EXITED : CHANGE_ENTERED,
		.profile_id = s->m,
		.external_ids = s->ext,
		.entity_id = s->e,
		.member = s->im != 0,
		.traits = s->traits,
		.entity_context = json_object_size(s->ctx) ? s->ctx : NULL,
		.map = map,
	};
	struct event_out out;
	enum event_status st;
	const struct entity *ce = change_entity(r, act);
	check_id(s, s->m, "profile id", NULL, "");
	check_id(s, s->e, "entity id of", ce ? ce->slug : "?", "");
	if (s->bad_id[0]) {
		/* not built: json_string would refuse it, and a replaced id would
		 * name someone else; the messageId is of the raw bytes */
		memset(&out, 0, sizeof(out));
		event_message_id(&s->ec, &m, out.message_id);
		st = out.status = EVENT_INVALID;
		snprintf(out.reason, sizeof(out.reason), "%s", s->bad_id);
	} else {
		st = event_build(&s->ec, &m, &out);
		/* one the destination could never send (a preset's without a
		 * userId or an email) has no usable identifier: invalid (SPEC §5),
		 * counted with a sample, never queued to fail at every delivery */
		if (st == EVENT_OK && !dest_event_usable(act->dest->type, out.json, out.len, out.reason,
							 sizeof(out.reason)))
			st = out.status = EVENT_INVALID;
	}
	struct outbox_event oe = {
		.message_id = out.message_id, .destination = act->dest->name, .audience = r->a->name,
		.activation = act->name, .run_id = r->run_id, .payload = out.json, .len = out.len,
	};
	if (st == EVENT_FILTERED) {
		s->filtered++;
	} else if (!r->ob) {
		/* `lac plan --preview`: counted, nothing written */
		if (st == EVENT_INVALID) {
			s->invalid++;
		} else {
			s->events++;
			if (r->sample)
				r->sample(r->sample_arg, out.json, out.len);
		}
	} else if (st == EVENT_INVALID) {
		s->invalid++;
		if (!oe.payload) {
			oe.payload = "{}";
			oe.len = 2;
		}
		if (outbox_add_invalid(r->ob, &oe, out.reason) < 0)
			s->err = -1;
	} else if (outbox_add(r->ob, &oe) < 0) {
		s->err = -1;
	} else {
		s->events++;
		progress_add(&r->prog, 1);
	}
	event_out_release(&out);
	json_decref(map);
	clear_change(s);
}

/* Add one matched-entity row (keys of every level, then columns) under
 * _entity_context, nested by relationship slug. */
static void add_context(struct stream *s, const struct enrich_path *ep, const char *const *vals,
			size_t nvals)
{
	json_t *level = s->ctx;
	if (nvals < ep->nrels + ep->ncolumns)
		return;
	for (size_t l = 0; l < ep->nrels; l++) {
		const struct relationship *rel = ep->rels[l];
		const char *pk = vals[l];
		if (!pk)
			return;
		char *fixed = NULL; /* pk with U+FFFD, for the hash (events with it are invalid) */
		if (!check_id(s, pk, "primary key of", rel->entity->slug, " in _entity_context")) {
			struct strbuf sb = STRBUF_INIT;
			sb_add_utf8(&sb, pk, strlen(pk));
			pk = fixed = sb_detach(&sb);
			sb_release(&sb);
		}
		json_t *arr = json_object_get(level, rel->slug);
		if (!arr) {
			arr = json_array();
			json_object_set_new(level, rel->slug, arr);
		}
		json_t *row = NULL;
		for (size_t i = json_array_size(arr); i-- > 0;) {
			json_t *cand = json_array_get(arr, i);
			if (same(json_string_value(json_object_get(cand, rel->entity->pk->name)), pk)) {
				row = cand;
				break;
			}
		}
		if (!row) {
			row = json_object();
			json_object_set_new(row, "__entity", json_string(rel->entity->slug));
			json_object_set_new(row, rel->entity->pk->name, json_string(pk));
			json_array_append_new(arr, row);
		}
		if (l + 1 == ep->nrels)
			for (size_t k = 0; k < ep->ncolumns; k++)
				if (ep->cols[k] && strcmp(ep->cols[k]->name, rel->entity->pk->name) != 0)
					json_object_set_new(row, ep->cols[k]->name,
							    typed(vals[ep->nrels + k], ep->cols[k]->type));
		level = row;
		free(fixed);
	}
}

static int on_row(void *arg, int ncol, const char *const *vals)
{
	struct stream *s = arg;
	if (ncol < 5 || !vals[0])
		return 0;
	int c = vals[3] ? atoi(vals[3]) : 0;
	if (s->open && !(strcmp(s->m, vals[0]) == 0 && same(s->e, vals[1]) && s->c == c))
		flush(s);
	if (s->err)
		return 1;
	if (!s->open) {
		s->open = true;
		s->m = xstrdup(vals[0]);
		s->e = vals[1] ? xstrdup(vals[1]) : NULL;
		s->c = c;
		s->im = vals[2] ? atoi(vals[2]) : 0;
	}
	int kind = vals[4] ? atoi(vals[4]) : 0;
	const char *const *v = vals + 5;
	size_t nv = (size_t)ncol - 5;
	if (kind == 0) {
		for (size_t i = 0; i < s->ntcols && i < nv; i++) {
			const struct trait *t = s->tcols[i].t;
			if (!t) {
				json_object_set_new(s->cols, s->tcols[i].me->key,
						    typed(v[i], s->tcols[i].col->type));
				continue;
			}
			json_t *j = typed(v[i], t->type);
			if (s->tcols[i].enrich)
				json_object_set(s->traits, t->name, j);
			json_object_set(s->refs, t->name, j);
			json_decref(j);
		}
	} else if (kind == 1) {
		if (nv >= 2 && v[0] && v[1] && check_id(s, v[1], "external id of type", v[0], "")) {
			json_t *arr = json_object_get(s->ext, v[0]);
			if (!arr) {
				arr = json_array();
				json_object_set_new(s->ext, v[0], arr);
			}
			/* sorted rows: a mapping listed twice is adjacent */
			json_t *last = json_array_get(arr, json_array_size(arr) - 1);
			if (!last || strcmp(json_string_value(last), v[1]) != 0)
				json_array_append_new(arr, json_string(v[1]));
		}
	} else if ((size_t)(kind - 2) < s->act->nenrich_paths) {
		add_context(s, &s->act->enrich_paths[kind - 2], v, nv);
	}
	return 0;
}

/* ---- the activation's query ------------------------------------------------------------ */

/* The relationships from the first level down to leaf (malloc'd in *out,
 * leaf at out[depth - 2]); their number, 0 (and *out NULL) when there are none. */
static size_t rel_chain(const struct relationship *leaf, const struct relationship ***out)
{
	*out = NULL;
	if (!leaf || leaf->depth < 2)
		return 0;
	size_t n = (size_t)(leaf->depth - 1);
	*out = xcalloc(n, sizeof(**out));
	for (const struct relationship *r = leaf; r && r->depth >= 2; r = r->parent)
		(*out)[r->depth - 2] = r;
	return n;
}

/* Joins from alias e<from-1> (joined) down to e<to>. */
static void chain_down(struct sqlbuf *b, const struct relationship *const *rels, size_t from, size_t to)
{
	for (size_t i = from; i <= to; i++) {
		const struct relationship *rel = rels[i];
		const struct entity *pe = rels[i - 1]->entity, *ce = rel->entity;
		if (rel->join == JOIN_JUNCTION) {
			sql_addf(b, "\nJOIN %T AS j%zu ON j%zu.%I = e%zu.%I", rel->junction->table_parts,
				 rel->junction->ntable_parts, i, i, rel->junction_left->name, i - 1, pe->pk->name);
			sql_addf(b, "\nJOIN %T AS e%zu ON e%zu.%I = j%zu.%I", ce->table_parts, ce->ntable_parts,
				 i, i, ce->pk->name, i, rel->junction_right->name);
		} else {
			sql_addf(b, "\nJOIN %T AS e%zu ON e%zu.%I = e%zu.%I", ce->table_parts, ce->ntable_parts,
				 i, i, rel->child_col ? rel->child_col->name : ce->pk->name, i - 1,
				 rel->parent_col ? rel->parent_col->name : pe->pk->name);
		}
	}
}

/* The select list of a kind 2+i row: keys of every level of the enrich path
 * (aliases e<off>..), then its columns (of e<off + nrels - 1>). */
static void context_cols(struct sqlbuf *b, const struct enrich_path *ep,
			 const struct relationship *const *chain, size_t off, size_t i, size_t k)
{
	char alias[24];
	sql_addf(b, "\nUNION ALL\nSELECT DISTINCT d.m, d.e, d.im, d.c, %zu", i + 2);
	for (size_t l = 0; l < ep->nrels; l++) {
		const struct column *pk = chain[off + l]->entity->pk;
		snprintf(alias, sizeof(alias), "e%zu", off + l);
		sql_addf(b, ", %V", pk->type, alias, pk->name);
	}
	snprintf(alias, sizeof(alias), "e%zu", off + ep->nrels - 1);
	for (size_t c = 0; c < ep->ncolumns; c++) {
		const struct column *col = ep->cols[c] ? ep->cols[c] : chain[off + ep->nrels - 1]->entity->pk;
		sql_addf(b, ", %V", col->type, alias, col->name);
	}
	null_cols(b, ep->nrels + ep->ncolumns, k);
}

/* Profile audiences: the matched entities of the enrich path's matched path
 * mp, from the new snapshot for entries and value changes, the previous one
 * for exits. */
static void context_matched(const struct runner *r, struct sqlbuf *b, const struct enrich_path *ep,
			    const char *mp, size_t i, size_t k, bool hash)
{
	/* the relationships of mp's slugs, however deep the path is */
	size_t np = 1, n = 0;
	for (const char *c = mp; *c; c++)
		np += *c == '.';
	const struct relationship **chain = xcalloc(np, sizeof(*chain)), *cur = NULL, *leaf;
	char *copy = xstrdup(mp), *save = NULL;
	for (char *tok = strtok_r(copy, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		if (n == np || !(cur = relationship_child(&r->p->graph, cur, tok))) {
			n = 0;
			break;
		}
		chain[n++] = cur;
	}
	free(copy);
	if (!n || n < ep->nrels) {
		free(chain);
		return;
	}
	leaf = chain[n - 1];
	for (int side = 0; side < 2; side++) {
		const char *tbl = side == 0 ? r->ent_new : r->ent;
		if (side == 1 && (!r->have_ent || hash))
			continue;
		context_cols(b, ep, chain, 0, i, k);
		sql_addf(b, "\nFROM d JOIN %s AS cx ON cx.path = %L AND cx.member_id = d.m AND d.c %s 1",
			 tbl, mp, side == 0 ? "<>" : "=");
		char alias[24];
		snprintf(alias, sizeof(alias), "e%zu", n - 1);
		sql_addf(b, "\nJOIN %T AS %s ON %V = cx.entity_id", leaf->entity->table_parts,
			 leaf->entity->ntable_parts, alias, leaf->entity->pk->type, alias,
			 leaf->entity->pk->name);
		chain_up(r, b, "", chain, n);
		sql_addf(b, "\nWHERE ");
		link_member(r, b, "", chain[0], "d.m");
	}
	free(chain);
}

/* Entity-targeted audiences: the rows of the enrich path related to the
 * change's target entity d.e (itself, an ancestor, or its descendants) on
 * the way to the profile d.m.  Returns false when the path is off the
 * target's line. */
static bool context_target(const struct runner *r, struct sqlbuf *b, const struct enrich_path *ep,
			   size_t i, size_t k)
{
	const struct relationship *t = r->a->target_rels[r->a->ntarget_rels - 1];
	const struct relationship *l = ep->rels[ep->nrels - 1];
	const struct relationship **chain;
	size_t n = rel_chain(l->depth >= t->depth ? l : t, &chain);
	size_t it = (size_t)(t->depth - 2), il = (size_t)(l->depth - 2);
	if (!n || it >= n || il >= n || chain[it] != t || chain[il] != l || il + 1 < ep->nrels) {
		free(chain);
		return false;
	}
	size_t off = il + 1 - ep->nrels;
	if (b) {
		context_cols(b, ep, chain, off, i, k);
		char alias[24];
		snprintf(alias, sizeof(alias), "e%zu", it);
		sql_addf(b, "\nFROM d JOIN %T AS %s ON %V = d.e", t->entity->table_parts,
			 t->entity->ntable_parts, alias, t->entity->pk->type, alias, t->entity->pk->name);
		chain_up(r, b, "", chain, it + 1);
		chain_down(b, chain, it + 1, il);
		sql_addf(b, "\nWHERE ");
		link_member(r, b, "", chain[0], "d.m");
	}
	free(chain);
	return true;
}

static void stream_init(struct stream *s, struct runner *r, const struct ast_activation *act, bool hash)
{
	s->r = r;
	s->act = act;
	s->hash = hash;
	s->ec = (struct event_ctx){
		.audience = r->a->name, .audience_name = r->a->display_name, .activation = act->name,
		.trigger = act->trigger, .trigger_path = trigger_path(r, act), .event_name = act->event,
		.identifier = act->identifier, .run_id = r->run_id, .generation = r->gen,
		.now = r->now_iso,
	};
	if (!hash)
		event_ctx_prepare(&s->ec); /* what every event of the activation shares */
	s->tcols = trait_cols(r, act, hash, &s->ntcols);
	s->enrich_match = xcalloc(act->nenrich_paths + 1, sizeof(*s->enrich_match));
	for (size_t i = 0; i < act->nenrich_paths; i++)
		s->enrich_match[i] = r->a->target == TARGET_PROFILE ?
			run_enrich_match(r, &act->enrich_paths[i]) : NULL;
	s->traits = json_object();
	s->ext = json_object();
	s->ctx = json_object();
	s->refs = json_object();
	s->cols = json_object();
}

static void stream_release(struct stream *s)
{
	event_ctx_release(&s->ec);
	free(s->tcols);
	free(s->enrich_match);
	free(s->m);
	free(s->e);
	json_decref(s->traits);
	json_decref(s->ext);
	json_decref(s->ctx);
	json_decref(s->refs);
	json_decref(s->cols);
}

/* The activation's query (module comment): the changes of change_set with
 * their values, sorted by change.  False when there is nothing to report. */
static bool activation_sql(struct runner *r, const struct stream *s, bool baseline, struct sqlbuf *b)
{
	const struct ast_activation *act = s->act;
	bool target_ctx = r->a->target == TARGET_ENTITY && r->a->ntarget_rels &&
			  (act->trigger == TRIG_ENTITY_ENTERED || act->trigger == TRIG_ENTITY_EXITED);
	struct sqlbuf d;
	sqlbuf_init(&d, r->d);
	if (!change_set(r, act, baseline, s->hash, &d)) {
		sqlbuf_release(&d);
		return false;
	}
	/* the width of the value columns */
	size_t k = s->ntcols > 2 ? s->ntcols : 2;
	for (size_t i = 0; i < act->nenrich_paths; i++) {
		const struct enrich_path *ep = &act->enrich_paths[i];
		bool used = s->enrich_match[i] || (target_ctx && ep->nrels && context_target(r, NULL, ep, i, 0));
		if (used && ep->nrels + ep->ncolumns > k)
			k = ep->nrels + ep->ncolumns;
	}

	const struct profile *p = &r->p->graph.profile;
	const struct entity *ce = change_entity(r, act);
	bool have_cols = false;
	for (size_t i = 0; i < s->ntcols; i++)
		have_cols |= s->tcols[i].col != NULL;
	sql_addf(b, "WITH d AS (%s)", d.sb.buf);
	/* kind 0: traits and map columns */
	sql_addf(b, "\nSELECT d.m, d.e, d.im, d.c, 0 AS k");
	for (size_t i = 0; i < s->ntcols; i++) {
		if (s->tcols[i].t)
			sql_addf(b, ", %V", s->tcols[i].t->type, "t", s->tcols[i].t->column);
		else
			sql_addf(b, ", %V", s->tcols[i].col->type, "me", s->tcols[i].col->name);
	}
	null_cols(b, s->ntcols, k);
	sql_addf(b, "\nFROM d");
	bool any_trait = false;
	for (size_t i = 0; i < s->ntcols; i++)
		any_trait |= s->tcols[i].t != NULL;
	if (any_trait)
		sql_addf(b, " LEFT JOIN %T AS t ON t.%I = d.m", p->table_parts, p->ntable_parts, p->id);
	if (have_cols && ce)
		sql_addf(b, " LEFT JOIN %T AS me ON %V = d.e", ce->table_parts, ce->ntable_parts,
			 ce->pk->type, "me", ce->pk->name);
	/* kind 1: the external ids of the identifier's type */
	if (p->external_ids.present && !s->hash) {
		/* no DISTINCT: the rows come sorted, on_row skips a repeated id (a
		 * DISTINCT here cost a tenth of a run's time) */
		sql_addf(b, "\nUNION ALL\nSELECT d.m, d.e, d.im, d.c, 1, %V, %V", TY_STRING, "x",
			 p->external_ids.type, TY_STRING, "x", p->external_ids.value);
		null_cols(b, 2, k);
		sql_addf(b, "\nFROM d JOIN %T AS x ON x.%I = d.m WHERE x.%I = %L",
			 p->external_ids.table_parts, p->external_ids.ntable_parts, p->external_ids.id,
			 p->external_ids.type, act->identifier ? act->identifier : "user_id");
	}
	/* kind 2+i: entity context */
	for (size_t i = 0; i < act->nenrich_paths; i++) {
		const struct enrich_path *ep = &act->enrich_paths[i];
		if (!ep->nrels || ep->nrels + ep->ncolumns > k)
			continue;
		if (s->enrich_match[i])
			context_matched(r, b, ep, s->enrich_match[i], i, k, s->hash);
		else if (target_ctx)
			context_target(r, b, ep, i, k);
	}
	sql_addf(b, "\nORDER BY 1, 2, 4, 5");
	for (size_t i = 0; i < k; i++)
		sql_addf(b, ", %zu", i + 6);
	sqlbuf_release(&d);
	return true;
}

int run_activation_events(struct runner *r, const struct ast_activation *act, bool baseline,
			  int64_t *events, int64_t *filtered, int64_t *invalid)
{
	struct stream *s = xcalloc(1, sizeof(*s));
	stream_init(s, r, act, false);
	struct sqlbuf b;
	sqlbuf_init(&b, r->d);
	int rc = 0;
	if (activation_sql(r, s, baseline, &b)) {
		r->step = arena_sprintf(&r->ar, "events of activation %s (%s)", act->name,
					trigger_name(act->trigger));
		rc = run_wh(r, b.sb.buf, on_row, s);
		if (rc == 0 && !s->err)
			flush(s);
		if (s->err && !r->err.len)
			sb_addf(&r->err, "cannot write the outbox: %s", state_errmsg(r->st));
	}
	*events = s->events;
	*filtered = s->filtered;
	*invalid = s->invalid;
	rc = rc < 0 || s->err ? -1 : 0;
	stream_release(s);
	free(s);
	sqlbuf_release(&b);
	return rc;
}

char *run_spool_next(FILE *f, char hash[65])
{
	size_t len;
	if (fscanf(f, "%zu:", &len) != 1)
		return NULL;
	char *m = xmalloc(len + 1);
	if (fread(m, 1, len, f) != len || fread(hash, 1, 64, f) != 64) {
		free(m);
		return NULL;
	}
	m[len] = '\0';
	hash[64] = '\0';
	return m;
}

/* Insert the spooled (member, hash) records in batches. */
static int insert_hashes(struct runner *r, const struct ast_activation *act, FILE *f)
{
	char *vp = arena_sprintf(&r->ar, RUN_VALUES_PREFIX "%s", act->name);
	struct sqlbuf b;
	size_t rows = 0;
	int rc = 0;
	char *m, hash[65];
	rewind(f);
	sqlbuf_init(&b, r->d);
	r->step = arena_sprintf(&r->ar, "enrichment hashes of activation %s", act->name);
	while (rc == 0 && (m = run_spool_next(f, hash)) != NULL) {
		if (!rows)
			sql_addf(&b, "INSERT INTO %s (path, member_id, entity_id) VALUES ", r->ent_new);
		sql_addf(&b, "%s(%L, %L, %L)", rows ? ", " : "", vp, m, hash);
		free(m);
		if (++rows == 500) {
			rc = run_wh(r, b.sb.buf, NULL, NULL);
			sqlbuf_release(&b);
			sqlbuf_init(&b, r->d);
			rows = 0;
		}
	}
	if (rc == 0 && rows)
		rc = run_wh(r, b.sb.buf, NULL, NULL);
	sqlbuf_release(&b);
	return rc;
}

int run_activation_hashes(struct runner *r, const struct ast_activation *act)
{
	struct stream *s = xcalloc(1, sizeof(*s));
	stream_init(s, r, act, true);
	struct sqlbuf b;
	sqlbuf_init(&b, r->d);
	int rc = 0;
	if (activation_sql(r, s, false, &b)) {
		r->step = arena_sprintf(&r->ar, "enrichment of activation %s, hashed by lac (SHA-256) "
					"into the new __ent table as path '" RUN_VALUES_PREFIX "%s'",
					act->name, act->name);
		s->spool = r->script ? NULL : tmpfile();
		if (!r->script && !s->spool) {
			sb_addf(&r->err, "cannot create a temporary file for the enrichment hashes");
			rc = -1;
		} else {
			rc = run_wh(r, b.sb.buf, s->spool ? on_row : NULL, s);
			if (rc == 0 && !s->err)
				flush(s);
			if (s->err && !r->err.len)
				sb_addf(&r->err, "cannot write the enrichment hashes to a temporary file");
			if (rc == 0 && !s->err && s->spool)
				rc = insert_hashes(r, act, s->spool);
			if (r->script)
				sb_addf(r->script, "-- then, per member of the rows above: INSERT INTO %s "
					"(path, member_id, entity_id) VALUES ('" RUN_VALUES_PREFIX "%s', "
					"<member>, <hex SHA-256 of its enrichment>), 500 rows a statement\n",
					r->ent_new, act->name);
		}
		if (s->spool)
			fclose(s->spool);
	}
	rc = rc < 0 || s->err ? -1 : 0;
	stream_release(s);
	free(s);
	sqlbuf_release(&b);
	return rc;
}

int run_activation_hashes_spool(struct runner *r, const struct ast_activation *act, FILE *f)
{
	struct stream *s = xcalloc(1, sizeof(*s));
	stream_init(s, r, act, true);
	struct sqlbuf b;
	sqlbuf_init(&b, r->d);
	int rc = 0;
	s->spool = f;
	if (activation_sql(r, s, false, &b)) {
		r->step = arena_sprintf(&r->ar, "enrichment of activation %s", act->name);
		rc = run_wh(r, b.sb.buf, on_row, s);
		if (rc == 0 && !s->err)
			flush(s);
		if (s->err && !r->err.len)
			sb_addf(&r->err, "cannot write the enrichment hashes to a temporary file");
	}
	rc = rc < 0 || s->err ? -1 : 0;
	stream_release(s);
	free(s);
	sqlbuf_release(&b);
	rewind(f);
	return rc;
}
