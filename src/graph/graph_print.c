/*
 * graph_print.c — `lac graph`: the data graph as an indented tree, as DOT
 * for graphviz, or as JSON with a stable shape (keys in a fixed order,
 * everything in declaration order).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_print.h"
#include "graph/graph_print.h"

static void join_text(const struct relationship *r, struct strbuf *out)
{
	const char *parent = r->parent && r->parent->entity ? r->parent->entity->slug : "profile";
	const char *child = r->entity ? r->entity->slug : r->entity_slug;
	switch (r->join) {
	case JOIN_EXTERNAL_ID:
		sb_addf(out, "external_id %s = %s.%s", r->ext_type ? r->ext_type : "?", child,
			r->join_key ? r->join_key->name : "?");
		break;
	case JOIN_TRAIT:
		sb_addf(out, "trait %s = %s.%s", r->trait ? r->trait->name : "?", child,
			r->join_key ? r->join_key->name : "?");
		break;
	case JOIN_ON:
		sb_addf(out, "%s.%s = %s.%s", parent, r->parent_col ? r->parent_col->name : "?", child,
			r->child_col ? r->child_col->name : "?");
		break;
	case JOIN_JUNCTION: {
		const char *j = r->junction ? r->junction->slug : "?";
		const struct entity *pe = r->parent ? r->parent->entity : NULL;
		sb_addf(out, "%s.%s = %s.%s, %s.%s = %s.%s", parent, pe && pe->pk ? pe->pk->name : "?", j,
			r->junction_left ? r->junction_left->name : "?", j,
			r->junction_right ? r->junction_right->name : "?", child,
			r->entity && r->entity->pk ? r->entity->pk->name : "?");
		break;
	}
	}
}

static void tree_rels(const struct relationship *v, size_t n, int indent, struct strbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct relationship *r = &v[i];
		sb_addindent(out, indent);
		sb_addf(out, "%s -> %s (%s) on ", r->slug, r->entity_slug ? r->entity_slug : "?",
			r->entity && r->entity->table ? r->entity->table : "?");
		join_text(r, out);
		if (r->join == JOIN_JUNCTION && r->junction)
			sb_addf(out, " via %s (%s)", r->junction->slug, r->junction->table);
		sb_addch(out, '\n');
		tree_rels(r->children, r->nchildren, indent + 2, out);
	}
}

void graph_print_tree(const struct graph *g, struct strbuf *out)
{
	const struct profile *p = &g->profile;
	sb_addf(out, "profile (%s, id %s)\n", p->table ? p->table : "?", p->id ? p->id : "?");
	tree_rels(p->relationships, p->nrelationships, 2, out);
}

static void dot_str(struct strbuf *out, const char *s)
{
	sb_addch(out, '"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_addch(out, '\\');
		if (*s == '\n')
			sb_addstr(out, "\\n");
		else
			sb_addch(out, *s);
	}
	sb_addch(out, '"');
}

static void dot_rels(const struct relationship *v, size_t n, struct strbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct relationship *r = &v[i];
		struct strbuf label = STRBUF_INIT;
		sb_addf(&label, "%s\n%s (%s)", r->slug, r->entity_slug ? r->entity_slug : "?",
			r->entity && r->entity->table ? r->entity->table : "?");
		sb_addstr(out, "  ");
		dot_str(out, r->path);
		sb_addstr(out, " [label=");
		dot_str(out, label.buf);
		sb_addstr(out, "];\n  ");
		dot_str(out, r->parent ? r->parent->path : "profile");
		sb_addstr(out, " -> ");
		dot_str(out, r->path);
		sb_reset(&label);
		join_text(r, &label);
		if (r->join == JOIN_JUNCTION && r->junction)
			sb_addf(&label, "\nvia %s", r->junction->slug);
		sb_addstr(out, " [label=");
		dot_str(out, label.buf);
		sb_addstr(out, "];\n");
		sb_release(&label);
		dot_rels(r->children, r->nchildren, out);
	}
}

void graph_print_dot(const struct graph *g, struct strbuf *out)
{
	sb_addstr(out, "digraph data_graph {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
		       "  edge [fontname=\"Helvetica\", fontsize=10];\n  \"profile\" [label=");
	char *label = xasprintf("profile\n%s", g->profile.table ? g->profile.table : "?");
	dot_str(out, label);
	free(label);
	sb_addstr(out, ", shape=ellipse];\n");
	dot_rels(g->profile.relationships, g->profile.nrelationships, out);
	sb_addstr(out, "}\n");
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_table_parts(const char *const *parts, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(parts[i]));
	return a;
}

static json_t *json_trait(const struct trait *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "type", json_string(col_type_name(t->type)));
	json_object_set_new(o, "column", jstr(t->column));
	if (t->type == TY_OBJECT) {
		json_t *a = json_array();
		for (size_t i = 0; i < t->nprops; i++)
			json_array_append_new(a, json_trait(&t->props[i]));
		json_object_set_new(o, "properties", a);
	}
	return o;
}

static json_t *json_rels(const struct relationship *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct relationship *r = &v[i];
		json_t *o = json_object(), *j = json_object();
		json_object_set_new(o, "slug", json_string(r->slug));
		json_object_set_new(o, "name", jstr(r->name));
		json_object_set_new(o, "path", json_string(r->path));
		json_object_set_new(o, "depth", json_integer(r->depth));
		json_object_set_new(o, "entity", jstr(r->entity_slug));
		switch (r->join) {
		case JOIN_EXTERNAL_ID:
			json_object_set_new(j, "kind", json_string("external_id"));
			json_object_set_new(j, "type", jstr(r->ext_type));
			json_object_set_new(j, "join_key", jstr(r->join_key ? r->join_key->name : NULL));
			break;
		case JOIN_TRAIT:
			json_object_set_new(j, "kind", json_string("trait"));
			json_object_set_new(j, "trait", jstr(r->trait ? r->trait->name : NULL));
			json_object_set_new(j, "join_key", jstr(r->join_key ? r->join_key->name : NULL));
			break;
		case JOIN_ON:
			json_object_set_new(j, "kind", json_string("join_on"));
			json_object_set_new(j, "parent_column", jstr(r->parent_col ? r->parent_col->name : NULL));
			json_object_set_new(j, "column", jstr(r->child_col ? r->child_col->name : NULL));
			break;
		case JOIN_JUNCTION:
			json_object_set_new(j, "kind", json_string("junction"));
			json_object_set_new(j, "entity", jstr(r->junction ? r->junction->slug : NULL));
			json_object_set_new(j, "left", jstr(r->junction_left ? r->junction_left->name : NULL));
			json_object_set_new(j, "right", jstr(r->junction_right ? r->junction_right->name : NULL));
			break;
		}
		json_object_set_new(o, "join", j);
		json_object_set_new(o, "relationships", json_rels(r->children, r->nchildren));
		json_array_append_new(a, o);
	}
	return a;
}

void graph_print_json(const struct graph *g, struct strbuf *out)
{
	json_t *root = json_object();
	json_object_set_new(root, "version", json_integer(g->version));
	json_object_set_new(root, "max_depth", json_integer(g->max_depth));
	json_t *ents = json_array();
	for (size_t i = 0; i < g->nentities; i++) {
		const struct entity *e = &g->entities[i];
		json_t *o = json_object(), *cols = json_array();
		json_object_set_new(o, "slug", json_string(e->slug));
		json_object_set_new(o, "table", jstr(e->table));
		json_object_set_new(o, "table_parts", json_table_parts(e->table_parts, e->ntable_parts));
		json_object_set_new(o, "primary_key", jstr(e->primary_key));
		for (size_t k = 0; k < e->ncolumns; k++) {
			json_array_append_new(cols, json_pack("{s:s,s:s}", "name", e->columns[k].name,
							      "type", col_type_name(e->columns[k].type)));
		}
		json_object_set_new(o, "columns", cols);
		json_array_append_new(ents, o);
	}
	json_object_set_new(root, "entities", ents);

	const struct profile *p = &g->profile;
	json_t *prof = json_object(), *traits = json_array();
	json_object_set_new(prof, "table", jstr(p->table));
	json_object_set_new(prof, "table_parts", json_table_parts(p->table_parts, p->ntable_parts));
	json_object_set_new(prof, "id", jstr(p->id));
	for (size_t i = 0; i < p->ntraits; i++)
		json_array_append_new(traits, json_trait(&p->traits[i]));
	json_object_set_new(prof, "traits", traits);
	if (p->external_ids.present)
		json_object_set_new(prof, "external_ids",
				    json_pack("{s:s,s:s,s:s,s:s}", "table", p->external_ids.table, "id",
					      p->external_ids.id, "type", p->external_ids.type, "value",
					      p->external_ids.value));
	else
		json_object_set_new(prof, "external_ids", json_null());
	if (p->events.present) {
		json_t *ev = json_pack("{s:s,s:s,s:s,s:s,s:s}", "table", p->events.table, "id", p->events.id,
				       "name", p->events.name, "timestamp", p->events.timestamp,
				       "properties", p->events.properties);
		json_t *cat = json_array();
		for (size_t i = 0; i < p->events.ncatalog; i++) {
			const struct event_def *d = &p->events.catalog[i];
			json_t *props = json_array();
			for (size_t k = 0; k < d->nprops; k++)
				json_array_append_new(props, json_pack("{s:s,s:s}", "name", d->props[k].name,
								       "type", col_type_name(d->props[k].type)));
			json_array_append_new(cat, json_pack("{s:s,s:o}", "name", d->name, "properties", props));
		}
		json_object_set_new(ev, "catalog", cat);
		json_object_set_new(prof, "events", ev);
	} else {
		json_object_set_new(prof, "events", json_null());
	}
	json_object_set_new(prof, "relationships", json_rels(p->relationships, p->nrelationships));
	json_object_set_new(root, "profile", prof);
	json_append_doc(out, root);
	json_decref(root);
}
