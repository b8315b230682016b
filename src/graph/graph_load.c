/*
 * graph_load.c — read the data graph files (and their includes) and build a
 * validated, fully resolved struct graph (SPEC §2).
 *
 * Loading is two passes.  The first reads every file and collects its
 * pieces: entities and first-level relationships are appended; profile
 * sections (table, id, external_ids, events, each trait) and limits are set
 * once, where a file's own value overrides one from a file it includes and
 * two files at the same include level may not both set it (E009).  The
 * second pass builds the graph with exact-size arrays (so pointers into them
 * stay valid) and checks every rule, reporting each violation at its
 * file:line:col with the seed product's wording where it has one.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "graph/graph_load.h"
#include "base/yload.h"

struct slot {
	const struct ynode *node;
	const struct ypair *pair;
	int level;
};

struct tslot {
	const struct ypair *pair;
	int level;
};

struct gl {
	struct graph *graph;
	struct source_set *sources;
	const char *stdlib_dir;
	struct diag_sink *d;
	struct arena *a;
	char **loading;            /* real paths of files being loaded (include stack) */
	size_t nloading, caploading;
	char **loaded;             /* real paths already loaded */
	size_t nloaded, caploaded;
	struct slot version, limits, profile_table, profile_id, external_ids, events;
	struct tslot *traits;
	size_t ntraits, captraits;
	const struct ynode **entities;
	size_t nentities, capentities;
	const struct ynode **rels;
	size_t nrels, caprels;
	bool have_profile;
	/* where a missing key of the profile is reported: the shallowest
	 * file's profile mapping */
	struct loc profile_loc;
	int profile_level;
	bool parse_failed;         /* a file is not well-formed YAML: do not build */
	/* Columns dropped for a bad type (E207), "entity\0column": a later use
	 * of one is not also "Entity column missing" (one error, one cause). */
	char **bad_cols;
	size_t nbad_cols, capbad_cols;
	/* The relationship that already has its E204: one per relationship
	 * however many of its keys are not STRING. */
	const struct relationship *key_reported;
	uint32_t first_file;
};

static struct loc yfirst_line_loc(struct loc l)
{
	if (l.end_line > l.line) {
		l.end_line = l.line + 1;
		l.end_col = 1;
	}
	return l;
}

/* Line 1 of a file: where a key missing from the whole file is reported. */
static struct loc doc_start(uint32_t file)
{
	struct loc l = { file, 1, 1, 1, 1 };
	return l;
}

/* Set a once-only section; the shallower include level wins, equal levels
 * clash unless they say the same (each file of a graph may start with
 * `version: 1`). */
static void set_slot(struct gl *g, struct slot *s, const struct ypair *pr, int level, const char *what)
{
	if (s->node && s->level == level && ynode_same(s->node, pr->value))
		return;
	if (s->node && s->level == level) {
		diag_error(g->d, pr->key_loc, DIAG_E009, "'%s' is given twice", what);
		diag_hint(g->d, "first given at %s:%u", source_path(g->sources, s->pair->key_loc.file),
			  s->pair->key_loc.line);
		return;
	}
	if (s->node && s->level < level)
		return;
	s->node = pr->value;
	s->pair = pr;
	s->level = level;
}

static void load_file(struct gl *g, const char *path, struct loc from, int level, bool is_include);
static bool load_text(struct gl *g, const char *path, char *text, size_t len, int level);

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void do_include(struct gl *g, const char *from_path, const struct ynode *n, int level)
{
	const char *rel = yscalar(g->d, n, "include");
	if (!rel)
		return;
	if (!*rel) {
		diag_error(g->d, n->loc, DIAG_E008, "include needs a file name");
		return;
	}
	char *path;
	if (rel[0] == '/') {
		path = xstrdup(rel);
	} else {
		char *dir = dir_of(from_path);
		path = strcmp(dir, ".") == 0 ? xstrdup(rel) : xasprintf("%s/%s", dir, rel);
		free(dir);
	}
	if (!file_exists(path) && str_starts(rel, "stdlib/")) {
		free(path);
		path = xasprintf("%s/%s", g->stdlib_dir, rel + strlen("stdlib/"));
	}
	load_file(g, arena_strdup(g->a, path), n->loc, level + 1, true);
	free(path);
}

static void collect_profile(struct gl *g, const struct ypair *pp, int level)
{
	static const char *const keys[] = { "table", "id", "traits", "external_ids", "events",
					    "relationships" };
	const struct ynode *prof = pp->value;
	if (!yexpect(g->d, prof, YN_MAPPING, "profile"))
		return;
	if (!g->have_profile || level < g->profile_level) {
		g->profile_loc = pp->key_loc;
		g->profile_level = level;
	}
	g->have_profile = true;
	ycheck_keys(g->d, prof, keys, ARRAY_LEN(keys), "profile");
	for (size_t i = 0; i < prof->npairs; i++) {
		const struct ypair *pr = &prof->pairs[i];
		if (strcmp(pr->key, "table") == 0)
			set_slot(g, &g->profile_table, pr, level, "profile.table");
		else if (strcmp(pr->key, "id") == 0)
			set_slot(g, &g->profile_id, pr, level, "profile.id");
		else if (strcmp(pr->key, "external_ids") == 0)
			set_slot(g, &g->external_ids, pr, level, "profile.external_ids");
		else if (strcmp(pr->key, "events") == 0)
			set_slot(g, &g->events, pr, level, "profile.events");
	}
	const struct ynode *traits = ynode_get(prof, "traits");
	if (traits && yexpect(g->d, traits, YN_MAPPING, "traits")) {
		for (size_t i = 0; i < traits->npairs; i++) {
			const struct ypair *pr = &traits->pairs[i];
			size_t j;
			for (j = 0; j < g->ntraits; j++)
				if (strcmp(g->traits[j].pair->key, pr->key) == 0)
					break;
			if (j == g->ntraits) {
				struct tslot t = { pr, level };
				VEC_PUSH(g->traits, g->ntraits, g->captraits, t);
			} else if (g->traits[j].level == level) {
				diag_error(g->d, pr->key_loc, DIAG_E009, "trait '%s' is declared twice", pr->key);
				diag_hint(g->d, "first declared at %s:%u",
					  source_path(g->sources, g->traits[j].pair->key_loc.file),
					  g->traits[j].pair->key_loc.line);
			} else if (level < g->traits[j].level) {
				g->traits[j].pair = pr;
				g->traits[j].level = level;
			}
		}
	}
	const struct ynode *rels = ynode_get(prof, "relationships");
	if (rels && yexpect(g->d, rels, YN_SEQUENCE, "relationships"))
		for (size_t i = 0; i < rels->nitems; i++)
			VEC_PUSH(g->rels, g->nrels, g->caprels, rels->items[i]);
}

static void load_file(struct gl *g, const char *path, struct loc from, int level, bool is_include)
{
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		diag_error(g->d, from, is_include ? DIAG_E008 : DIAG_E001, "cannot read %s'%s': %s",
			   is_include ? "include " : "", path, strerror(errno));
		if (!is_include && !from.file)
			diag_hint(g->d, "name the data graph file with 'graph:' in lac.yaml");
		return;
	}
	for (size_t i = 0; i < g->nloading; i++) {
		if (strcmp(g->loading[i], real) == 0) {
			diag_error(g->d, from, DIAG_E008, "include cycle: '%s' includes itself", path);
			return;
		}
	}
	for (size_t i = 0; i < g->nloaded; i++)
		if (strcmp(g->loaded[i], real) == 0)
			return; /* already merged (included twice) */
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		diag_error(g->d, from, is_include ? DIAG_E008 : DIAG_E001, "cannot read %s'%s': %s",
			   is_include ? "include " : "", path, strerror(errno));
		return;
	}
	VEC_PUSH(g->loading, g->nloading, g->caploading, xstrdup(real));
	if (load_text(g, path, text, len, level))
		VEC_PUSH(g->loaded, g->nloaded, g->caploaded, xstrdup(real));
	free(g->loading[--g->nloading]);
}

/* One graph document (text, registered as path) into the collected items;
 * false when it does not parse. */
static bool load_text(struct gl *g, const char *path, char *text, size_t len, int level)
{
	uint32_t id = source_add(g->sources, path, text, len);
	if (!g->first_file)
		g->first_file = id;
	struct ynode *doc = yaml_doc_parse(g->a, g->d, id, text, len);
	if (!doc || !yexpect(g->d, doc, YN_MAPPING, "the data graph")) {
		g->parse_failed = true;
		return false;
	}

	static const char *const top[] = { "version", "limits", "include", "entities", "profile" };
	ycheck_keys(g->d, doc, top, ARRAY_LEN(top), "the data graph");
	const struct ynode *inc = ynode_get(doc, "include");
	if (inc) {
		if (inc->kind == YN_SEQUENCE)
			for (size_t i = 0; i < inc->nitems; i++)
				do_include(g, path, inc->items[i], level);
		else
			do_include(g, path, inc, level);
	}
	for (size_t i = 0; i < doc->npairs; i++) {
		const struct ypair *pr = &doc->pairs[i];
		if (strcmp(pr->key, "version") == 0)
			set_slot(g, &g->version, pr, level, "version");
		else if (strcmp(pr->key, "limits") == 0)
			set_slot(g, &g->limits, pr, level, "limits");
	}
	const struct ynode *ents = ynode_get(doc, "entities");
	if (ents && yexpect(g->d, ents, YN_SEQUENCE, "entities"))
		for (size_t i = 0; i < ents->nitems; i++)
			VEC_PUSH(g->entities, g->nentities, g->capentities, ents->items[i]);
	const struct ypair *prof = ynode_pair(doc, "profile");
	if (prof)
		collect_profile(g, prof, level);
	return true;
}

/* ---- pass 2: build and check ------------------------------------------------- */

static bool valid_slug(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* A slug scalar: lower-case identifier; E006 otherwise. */
static const char *get_slug(struct gl *g, const struct ynode *n, const char *what)
{
	const char *s = yscalar(g->d, n, what);
	if (s && !valid_slug(s)) {
		diag_error(g->d, n->loc, DIAG_E006, "invalid %s '%s'", what, s);
		diag_hint(g->d, "slugs are lower-case letters, digits and '_', starting with a letter or '_'");
		return NULL;
	}
	return s;
}

static const char *get_ident(struct gl *g, const struct ynode *n, const char *what)
{
	const char *s = yscalar(g->d, n, what);
	if (s && !ident_is_plain(s)) {
		diag_error(g->d, n->loc, DIAG_E006, "invalid %s '%s' (letters, digits and '_')", what, s);
		return NULL;
	}
	return s;
}

static bool parse_table(struct gl *g, const struct ynode *n, const char **table,
			const char **parts, size_t *nparts)
{
	const char *s = yscalar(g->d, n, "table");
	if (!s)
		return false;
	size_t np = 0;
	const char *start = s;
	bool ok = *s != '\0';
	for (const char *c = s;; c++) {
		if (*c == '.' || *c == '\0') {
			if (c == start || np == 3) {
				ok = false;
				break;
			}
			parts[np++] = arena_strndup(g->a, start, (size_t)(c - start));
			start = c + 1;
			if (*c == '\0')
				break;
		}
	}
	if (!ok) {
		diag_error(g->d, n->loc, DIAG_E006, "table name '%s' must have 1 to 3 dot-separated parts", s);
		diag_hint(g->d, "write db.schema.table, schema.table or table");
		*nparts = 0;
		return false;
	}
	*table = s;
	*nparts = np;
	return true;
}

static const char *const type_list[] = { "NUMBER", "STRING", "BOOLEAN", "DATE", "TIME", "TIMESTAMP", "OBJECT" };

static bool parse_type(struct gl *g, const struct ynode *n, bool allow_object, const char *what,
		       enum col_type *out)
{
	const char *s = yscalar(g->d, n, what);
	if (!s)
		return false;
	if (col_type_parse(s, out) && (allow_object || *out != TY_OBJECT))
		return true;
	size_t ntypes = allow_object ? ARRAY_LEN(type_list) : ARRAY_LEN(type_list) - 1;
	if (col_type_parse(s, out)) {
		diag_error(g->d, n->loc, DIAG_E207, "type OBJECT is only allowed for traits (%s)", what);
		return false;
	}
	diag_error(g->d, n->loc, DIAG_E207, "unknown type '%s' for %s", s, what);
	char up[32];
	size_t i;
	for (i = 0; s[i] && i + 1 < sizeof up; i++)
		up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
	up[i] = '\0';
	enum col_type t;
	if (!s[i] && col_type_parse(up, &t) && (allow_object || t != TY_OBJECT))
		diag_hint(g->d, "types are written in upper case: '%s'", up);
	else
		diag_hint_closest(g->d, s, type_list, ntypes);
	diag_hint(g->d, "types are NUMBER, STRING, BOOLEAN, DATE, TIME, TIMESTAMP%s",
		  allow_object ? " and OBJECT" : "");
	return false;
}

static void build_entity(struct gl *g, const struct ynode *n, struct entity *e)
{
	static const char *const keys[] = { "slug", "name", "description", "table", "primary_key", "columns" };
	memset(e, 0, sizeof(*e));
	e->slug = "";
	e->loc = yfirst_line(n);
	if (!yexpect(g->d, n, YN_MAPPING, "entity"))
		return;
	ycheck_keys(g->d, n, keys, ARRAY_LEN(keys), "entity");
	const struct ynode *v;
	if ((v = yrequire(g->d, n, "slug", "entity"))) {
		const char *s = get_slug(g, v, "entity slug");
		e->loc = v->loc;
		if (s)
			e->slug = s;
	}
	if ((v = ynode_get(n, "name")))
		yscalar(g->d, v, "name");
	if ((v = ynode_get(n, "description")))
		yscalar(g->d, v, "description");
	if ((v = yrequire(g->d, n, "table", "entity"))) {
		e->table_loc = v->loc;
		parse_table(g, v, &e->table, e->table_parts, &e->ntable_parts);
	}
	const struct ynode *cols = ynode_get(n, "columns");
	if (cols && cols->kind == YN_SCALAR && !cols->quoted && !cols->scalar[0])
		cols = NULL; /* `columns:` with nothing */
	if (cols && yexpect(g->d, cols, YN_MAPPING, "columns")) {
		e->columns = arena_alloc(g->a, (cols->npairs ? cols->npairs : 1) * sizeof(*e->columns));
		for (size_t i = 0; i < cols->npairs; i++) {
			const struct ypair *pr = &cols->pairs[i];
			struct column *c = &e->columns[e->ncolumns];
			if (!ident_is_plain(pr->key)) {
				diag_error(g->d, pr->key_loc, DIAG_E006, "invalid column name '%s' (letters, digits and '_')",
					   pr->key);
				continue;
			}
			char *what = xasprintf("column '%s'", pr->key);
			bool ok = parse_type(g, pr->value, false, what, &c->type);
			free(what);
			if (!ok) {
				char *key = xasprintf("%s%c%s", e->slug, '\0', pr->key);
				VEC_PUSH(g->bad_cols, g->nbad_cols, g->capbad_cols, key);
				continue;
			}
			c->name = pr->key;
			c->loc = pr->key_loc;
			e->ncolumns++;
		}
	}
	if ((!cols || cols->kind != YN_MAPPING || cols->npairs == 0) && *e->slug)
		diag_error(g->d, e->loc, DIAG_E202, "No columns exist for entity in Data Graph: %s", e->slug);
	if ((v = yrequire(g->d, n, "primary_key", "entity"))) {
		e->pk_loc = v->loc;
		e->primary_key = yscalar(g->d, v, "primary_key");
	}
}

static bool bad_typed(const struct gl *g, const struct entity *e, const char *col)
{
	size_t n = strlen(e->slug);
	for (size_t i = 0; i < g->nbad_cols; i++)
		if (strcmp(g->bad_cols[i], e->slug) == 0 && strcmp(g->bad_cols[i] + n + 1, col) == 0)
			return true;
	return false;
}

static void missing_column(struct gl *g, struct loc loc, const struct entity *e, const char *col)
{
	if (e->ncolumns == 0)
		return; /* E202 said it already */
	if (bad_typed(g, e, col))
		return; /* E207 said it already */
	diag_error(g->d, loc, DIAG_E201, "Entity column missing from Data Graph for Entity %s and Column: %s",
		   e->slug, col);
	const char **names = xmalloc((e->ncolumns + 1) * sizeof(*names));
	for (size_t i = 0; i < e->ncolumns; i++)
		names[i] = e->columns[i].name;
	diag_hint_closest(g->d, col, names, e->ncolumns);
	free(names);
}

/* A column of e named by scalar n (E201 if missing). */
static const struct column *need_column(struct gl *g, const struct entity *e, const struct ynode *n,
					const char *what)
{
	const char *name = yscalar(g->d, n, what);
	if (!name)
		return NULL;
	const struct column *c = entity_column(e, name);
	if (!c)
		missing_column(g, n->loc, e, name);
	return c;
}

static void build_trait(struct gl *g, const char *name, struct loc loc, const struct ynode *n,
			struct trait *t, int depth)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->column = name;
	t->loc = loc;
	t->type = TY_STRING;
	char *what = xasprintf("trait '%s'", name);
	if (n->kind == YN_SCALAR) {
		parse_type(g, n, true, what, &t->type);
		free(what);
		return;
	}
	free(what);
	if (!yexpect(g->d, n, YN_MAPPING, name))
		return;
	static const char *const keys[] = { "type", "column", "properties", "description" };
	ycheck_keys(g->d, n, keys, ARRAY_LEN(keys), "trait");
	const struct ynode *v;
	if ((v = yrequire(g->d, n, "type", "trait"))) {
		what = xasprintf("trait '%s'", name);
		parse_type(g, v, true, what, &t->type);
		free(what);
	}
	if ((v = ynode_get(n, "column"))) {
		const char *c = get_ident(g, v, "column");
		if (c)
			t->column = c;
	}
	if ((v = ynode_get(n, "description")))
		yscalar(g->d, v, "description");
	const struct ynode *props = ynode_get(n, "properties");
	if (!props)
		return;
	if (t->type != TY_OBJECT) {
		diag_error(g->d, yfirst_line(props), DIAG_E006, "'properties' is only allowed on OBJECT traits");
		return;
	}
	if (!yexpect(g->d, props, YN_MAPPING, "properties") || depth > 32)
		return;
	t->props = arena_alloc(g->a, (props->npairs ? props->npairs : 1) * sizeof(*t->props));
	for (size_t i = 0; i < props->npairs; i++) {
		const struct ypair *pr = &props->pairs[i];
		build_trait(g, pr->key, pr->key_loc, pr->value, &t->props[t->nprops++], depth + 1);
	}
}

static void build_external_ids(struct gl *g, struct profile *pf)
{
	const struct ynode *n = g->external_ids.node;
	if (!n || !yexpect(g->d, n, YN_MAPPING, "external_ids"))
		return;
	static const char *const keys[] = { "table", "id", "type", "value" };
	ycheck_keys(g->d, n, keys, ARRAY_LEN(keys), "external_ids");
	pf->external_ids.loc = g->external_ids.pair->key_loc;
	const struct ynode *v;
	bool ok = true;
	if ((v = yrequire(g->d, n, "table", "external_ids")))
		ok &= parse_table(g, v, &pf->external_ids.table, pf->external_ids.table_parts,
				  &pf->external_ids.ntable_parts);
	else
		ok = false;
	const char **slots[] = { &pf->external_ids.id, &pf->external_ids.type, &pf->external_ids.value };
	for (size_t i = 0; i < 3; i++) {
		if ((v = yrequire(g->d, n, keys[i + 1], "external_ids")))
			ok &= (*slots[i] = get_ident(g, v, keys[i + 1])) != NULL;
		else
			ok = false;
	}
	pf->external_ids.present = ok;
}

static void build_events(struct gl *g, struct profile *pf)
{
	const struct ynode *n = g->events.node;
	if (!n || !yexpect(g->d, n, YN_MAPPING, "events"))
		return;
	static const char *const keys[] = { "table", "id", "name", "timestamp", "properties", "catalog" };
	ycheck_keys(g->d, n, keys, ARRAY_LEN(keys), "events");
	pf->events.loc = g->events.pair->key_loc;
	const struct ynode *v;
	bool ok = true;
	if ((v = yrequire(g->d, n, "table", "events")))
		ok &= parse_table(g, v, &pf->events.table, pf->events.table_parts, &pf->events.ntable_parts);
	else
		ok = false;
	const char **slots[] = { &pf->events.id, &pf->events.name, &pf->events.timestamp };
	for (size_t i = 0; i < 3; i++) {
		if ((v = yrequire(g->d, n, keys[i + 1], "events")))
			ok &= (*slots[i] = get_ident(g, v, keys[i + 1])) != NULL;
		else
			ok = false;
	}
	pf->events.properties = "properties";
	if ((v = ynode_get(n, "properties"))) {
		const char *s = get_ident(g, v, "properties");
		if (s)
			pf->events.properties = s;
	}
	pf->events.present = ok;
	const struct ynode *cat = ynode_get(n, "catalog");
	if (!cat || !yexpect(g->d, cat, YN_MAPPING, "catalog"))
		return;
	pf->events.catalog = arena_alloc(g->a, (cat->npairs ? cat->npairs : 1) * sizeof(*pf->events.catalog));
	for (size_t i = 0; i < cat->npairs; i++) {
		const struct ypair *pr = &cat->pairs[i];
		struct event_def *ev = &pf->events.catalog[pf->events.ncatalog++];
		ev->name = pr->key;
		ev->loc = pr->key_loc;
		const struct ynode *props = pr->value;
		if (props->kind == YN_SCALAR && !props->quoted && !props->scalar[0])
			continue; /* an event without typed properties */
		if (!yexpect(g->d, props, YN_MAPPING, pr->key))
			continue;
		ev->props = arena_alloc(g->a, (props->npairs ? props->npairs : 1) * sizeof(*ev->props));
		for (size_t j = 0; j < props->npairs; j++) {
			const struct ypair *pp = &props->pairs[j];
			struct column *c = &ev->props[ev->nprops];
			char *what = xasprintf("property '%s' of event '%s'", pp->key, pr->key);
			bool tok = parse_type(g, pp->value, false, what, &c->type);
			free(what);
			if (!tok)
				continue;
			c->name = pp->key;
			c->loc = pp->key_loc;
			ev->nprops++;
		}
	}
}

/* A location inside a one-line scalar: bytes [off, off+len) of its text. */
static struct loc sub_loc(const struct ynode *n, size_t off, size_t len)
{
	struct loc l = n->loc;
	if (l.line != l.end_line)
		return l;
	l.col += (uint32_t)off + (n->quoted ? 1 : 0);
	l.end_col = l.col + (uint32_t)(len ? len : 1);
	return l;
}

static void key_must_be_string(struct gl *g, const struct relationship *r, const struct column *c,
			       struct loc loc)
{
	if (c && c->type != TY_STRING && g->key_reported != r) {
		diag_error(g->d, loc, DIAG_E204, "Relationship key should be a string: %s", r->slug);
		g->key_reported = r;
	}
}

/* join_on: "a.col = b.col" over the parent and child entity, either side first. */
static void build_join_on(struct gl *g, struct relationship *r, const struct entity *parent,
			  const struct ynode *n)
{
	const char *s = yscalar(g->d, n, "join_on");
	if (!s || !parent || !r->entity)
		return;
	struct side { size_t off, eoff, elen, coff, clen; } sd[2];
	const char *eq = strchr(s, '=');
	bool ok = eq && !strchr(eq + 1, '=');
	for (int k = 0; ok && k < 2; k++) {
		size_t from = k == 0 ? 0 : (size_t)(eq - s) + 1;
		size_t to = k == 0 ? (size_t)(eq - s) : strlen(s);
		while (from < to && s[from] == ' ')
			from++;
		while (to > from && s[to - 1] == ' ')
			to--;
		const char *dot = memchr(s + from, '.', to - from);
		if (!dot || dot == s + from || dot + 1 == s + to || memchr(dot + 1, '.', (size_t)(s + to - dot - 1))) {
			ok = false;
			break;
		}
		sd[k].off = from;
		sd[k].eoff = from;
		sd[k].elen = (size_t)(dot - (s + from));
		sd[k].coff = (size_t)(dot - s) + 1;
		sd[k].clen = to - sd[k].coff;
	}
	if (!ok) {
		diag_error(g->d, n->loc, DIAG_E209, "join_on must be written '%s.column = %s.column'",
			   parent->slug, r->entity->slug);
		return;
	}
	char *e0 = xstrndup(s + sd[0].eoff, sd[0].elen), *e1 = xstrndup(s + sd[1].eoff, sd[1].elen);
	int pside = -1;
	if (strcmp(e0, parent->slug) == 0 && strcmp(e1, r->entity->slug) == 0)
		pside = 0;
	else if (strcmp(e1, parent->slug) == 0 && strcmp(e0, r->entity->slug) == 0)
		pside = 1;
	free(e0);
	free(e1);
	if (pside < 0) {
		diag_error(g->d, n->loc, DIAG_E209, "join_on must join '%s' (the parent) and '%s' (this relationship's entity)",
			   parent->slug, r->entity->slug);
		diag_hint(g->d, "write '%s.column = %s.column'", parent->slug, r->entity->slug);
		return;
	}
	const struct entity *ents[2];
	ents[pside] = parent;
	ents[1 - pside] = r->entity;
	const struct column *cols[2] = { NULL, NULL };
	for (int k = 0; k < 2; k++) {
		char *cname = xstrndup(s + sd[k].coff, sd[k].clen);
		struct loc l = sub_loc(n, sd[k].coff, sd[k].clen);
		cols[k] = entity_column(ents[k], cname);
		if (!cols[k])
			missing_column(g, l, ents[k], cname);
		else
			key_must_be_string(g, r, cols[k], l);
		free(cname);
	}
	r->parent_col = cols[pside];
	r->child_col = cols[1 - pside];
}

static void build_junction(struct gl *g, struct relationship *r, const struct entity *parent,
			   const struct ynode *n)
{
	if (!yexpect(g->d, n, YN_MAPPING, "junction"))
		return;
	static const char *const keys[] = { "entity", "left", "right" };
	ycheck_keys(g->d, n, keys, ARRAY_LEN(keys), "junction");
	const struct ynode *en = yrequire(g->d, n, "entity", "junction");
	const struct ynode *ln = yrequire(g->d, n, "left", "junction");
	const struct ynode *rn = yrequire(g->d, n, "right", "junction");
	if (!en)
		return;
	const char *slug = yscalar(g->d, en, "entity");
	if (!slug)
		return;
	struct entity *j = graph_entity(g->graph, slug);
	if (!j) {
		diag_error(g->d, en->loc, DIAG_E200, "Entity missing from Data Graph: %s", slug);
		const char **names = xmalloc((g->graph->nentities + 1) * sizeof(*names));
		for (size_t i = 0; i < g->graph->nentities; i++)
			names[i] = g->graph->entities[i].slug;
		diag_hint_closest(g->d, slug, names, g->graph->nentities);
		free(names);
		return;
	}
	r->junction = j;
	if (ln && (r->junction_left = need_column(g, j, ln, "left")))
		key_must_be_string(g, r, r->junction_left, ln->loc);
	if (rn && (r->junction_right = need_column(g, j, rn, "right")))
		key_must_be_string(g, r, r->junction_right, rn->loc);
	if (parent && parent->pk)
		key_must_be_string(g, r, parent->pk, en->loc);
	if (r->entity && r->entity->pk)
		key_must_be_string(g, r, r->entity->pk, en->loc);
}

static void build_rels(struct gl *g, const struct ynode *const *items, size_t nitems,
		       struct relationship *parent, struct relationship **out, size_t *nout, bool deep_reported);

static void build_rel(struct gl *g, const struct ynode *n, struct relationship *parent,
		      struct relationship *r, bool deep_reported)
{
	static const char *const keys[] = { "slug", "name", "description", "entity", "external_id",
					    "trait", "join_on", "junction", "relationships" };
	struct graph *gr = g->graph;
	struct profile *pf = &gr->profile;
	r->parent = parent;
	r->depth = parent ? parent->depth + 1 : 2;
	r->loc = yfirst_line(n);
	const struct ynode *v;
	if ((v = yrequire(g->d, n, "slug", "relationship"))) {
		r->loc = v->loc;
		r->slug = get_slug(g, v, "relationship slug");
	}
	if (!r->slug)
		r->slug = "";
	r->path = parent ? arena_sprintf(g->a, "%s.%s", parent->path, r->slug) : r->slug;
	ycheck_keys(g->d, n, keys, ARRAY_LEN(keys), "relationship");
	r->name = r->slug;
	if ((v = ynode_get(n, "name")) && yscalar(g->d, v, "name"))
		r->name = v->scalar;
	if ((v = ynode_get(n, "description")))
		yscalar(g->d, v, "description");
	if ((v = yrequire(g->d, n, "entity", "relationship")) && (r->entity_slug = yscalar(g->d, v, "entity"))) {
		r->entity = graph_entity(gr, r->entity_slug);
		if (!r->entity) {
			diag_error(g->d, v->loc, DIAG_E200, "Entity missing from Data Graph: %s", r->entity_slug);
			const char **names = xmalloc((gr->nentities + 1) * sizeof(*names));
			for (size_t i = 0; i < gr->nentities; i++)
				names[i] = gr->entities[i].slug;
			diag_hint_closest(g->d, r->entity_slug, names, gr->nentities);
			free(names);
		}
	}
	if (r->depth > gr->max_depth && !deep_reported) {
		diag_error(g->d, r->loc, DIAG_E206,
			   "relationship path '%s' is %d levels deep, more than limits.max_depth (%d)",
			   r->path, r->depth, gr->max_depth);
		diag_hint(g->d, "depth counts the profile as level 1");
		deep_reported = true;
	}

	static const char *const joins[] = { "external_id", "trait", "join_on", "junction" };
	const struct ypair *jp[4];
	int njoins = 0, kind = -1;
	for (int k = 0; k < 4; k++) {
		jp[k] = ynode_pair(n, joins[k]);
		if (jp[k]) {
			njoins++;
			if (kind < 0)
				kind = k;
		}
	}
	const struct entity *pe = parent ? parent->entity : NULL;
	if (njoins == 0) {
		diag_error(g->d, r->loc, DIAG_E203, "Join key missing from Data Graph for relation: %s", r->slug);
		diag_hint(g->d, parent ? "relationships below the first level join with join_on or junction"
				       : "first-level relationships join with external_id or trait");
	} else if (njoins > 1) {
		int second = -1;
		for (int k = kind + 1; k < 4 && second < 0; k++)
			if (jp[k])
				second = k;
		diag_error(g->d, jp[second]->key_loc, DIAG_E208, "relationship '%s' has both %s and %s",
			   r->slug, joins[kind], joins[second]);
		diag_hint(g->d, "give exactly one of external_id, trait, join_on or junction");
	} else if (!parent && kind >= 2) {
		diag_error(g->d, jp[kind]->key_loc, DIAG_E208,
			   "%s is not allowed on a first-level relationship ('%s' is under profile)",
			   joins[kind], r->slug);
		diag_hint(g->d, "first-level relationships join with external_id or trait");
	} else if (parent && kind < 2) {
		diag_error(g->d, jp[kind]->key_loc, DIAG_E208,
			   "%s is only allowed on first-level relationships (under profile), not on '%s'",
			   joins[kind], r->path);
		diag_hint(g->d, "deeper relationships join with join_on or junction");
	} else {
		r->join = (enum join_kind)kind;
		const struct ynode *jn = jp[kind]->value;
		if (kind == JOIN_EXTERNAL_ID || kind == JOIN_TRAIT) {
			static const char *const ekeys[] = { "type", "join_key" };
			static const char *const tkeys[] = { "name", "join_key" };
			if (yexpect(g->d, jn, YN_MAPPING, joins[kind])) {
				ycheck_keys(g->d, jn, kind == JOIN_TRAIT ? tkeys : ekeys, 2, joins[kind]);
				const struct ynode *tn = yrequire(g->d, jn, kind == JOIN_TRAIT ? "name" : "type", joins[kind]);
				const struct ynode *kn = yrequire(g->d, jn, "join_key", joins[kind]);
				if (kind == JOIN_EXTERNAL_ID) {
					if (tn)
						r->ext_type = yscalar(g->d, tn, "type");
					if (!g->external_ids.node) {
						diag_error(g->d, jp[kind]->key_loc, DIAG_E211,
							   "relationship '%s' joins on an external id, but profile.external_ids is not declared",
							   r->slug);
						diag_hint(g->d, "declare profile.external_ids (or include stdlib/graph/profiles_sync.yaml)");
					}
				} else if (tn && yscalar(g->d, tn, "name")) {
					r->trait = profile_trait(pf, tn->scalar);
					if (!r->trait) {
						diag_error(g->d, tn->loc, DIAG_E210, "trait '%s' is not declared in profile.traits",
							   tn->scalar);
						const char **names = xmalloc((pf->ntraits + 1) * sizeof(*names));
						for (size_t i = 0; i < pf->ntraits; i++)
							names[i] = pf->traits[i].name;
						diag_hint_closest(g->d, tn->scalar, names, pf->ntraits);
						free(names);
					} else if (r->trait->type != TY_STRING) {
						diag_error(g->d, tn->loc, DIAG_E204, "Relationship key should be a string: %s", r->slug);
						g->key_reported = r;
					}
				}
				if (kn && r->entity && (r->join_key = need_column(g, r->entity, kn, "join_key")))
					key_must_be_string(g, r, r->join_key, kn->loc);
			}
		} else if (kind == JOIN_ON) {
			build_join_on(g, r, pe, jn);
		} else {
			build_junction(g, r, pe, jn);
		}
	}

	const struct ynode *kids = ynode_get(n, "relationships");
	if (kids && yexpect(g->d, kids, YN_SEQUENCE, "relationships"))
		build_rels(g, (const struct ynode *const *)kids->items, kids->nitems, r, &r->children,
			   &r->nchildren, deep_reported);
}

static void build_rels(struct gl *g, const struct ynode *const *items, size_t nitems,
		       struct relationship *parent, struct relationship **out, size_t *nout, bool deep_reported)
{
	struct relationship *v = arena_alloc(g->a, (nitems ? nitems : 1) * sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < nitems; i++) {
		if (!yexpect(g->d, items[i], YN_MAPPING, "relationship"))
			continue;
		struct relationship *r = &v[n];
		build_rel(g, items[i], parent, r, deep_reported);
		for (size_t j = 0; j < n; j++) {
			if (*r->slug && strcmp(v[j].slug, r->slug) == 0) {
				if (parent)
					diag_error(g->d, r->loc, DIAG_E205, "duplicate relationship slug '%s' under '%s'",
						   r->slug, parent->path);
				else
					diag_error(g->d, r->loc, DIAG_E205, "duplicate relationship slug '%s' under profile",
						   r->slug);
				diag_hint(g->d, "first declared at %s:%u", source_path(g->sources, v[j].loc.file),
					  v[j].loc.line);
				break;
			}
		}
		n++;
	}
	*out = v;
	*nout = n;
}

struct reach {
	const struct entity *entities; /* the graph's, so that a pointer gives the index */
	bool *reached;
};

static void mark_reached(const struct relationship *r, void *arg)
{
	struct reach *x = arg;
	if (r->entity)
		x->reached[r->entity - x->entities] = true;
	if (r->junction)
		x->reached[r->junction - x->entities] = true;
}

/* An entity no relationship reaches (nor joins through as a junction) can
 * appear in no audience: W002, as for anything declared and never used. */
static void warn_unreached(struct gl *g)
{
	struct graph *gr = g->graph;
	if (g->d->nerrors || !gr->nentities)
		return; /* a relationship that failed to load may be the one */
	bool *reached = xcalloc(gr->nentities, sizeof(*reached));
	struct reach x = { gr->entities, reached };
	graph_walk(gr, mark_reached, &x);
	for (size_t i = 0; i < gr->nentities; i++)
		if (!reached[i]) {
			diag_warning(g->d, gr->entities[i].loc, DIAG_W002,
				     "entity '%s' is not reached by any relationship, so no audience can "
				     "use it", gr->entities[i].slug);
			diag_hint(g->d, "add a relationship to it under profile.relationships, or remove it");
		}
	free(reached);
}

static void build_graph(struct gl *g)
{
	struct graph *gr = g->graph;
	const struct ynode *v;
	if ((v = g->version.node) && yexpect(g->d, v, YN_SCALAR, "version")) {
		if (v->quoted || strcmp(v->scalar, "1") != 0)
			diag_error(g->d, v->loc, DIAG_E006, "unsupported data graph version '%s' (this lac reads version 1)",
				   v->scalar);
	}
	gr->version = 1;
	gr->max_depth = 6;
	if ((v = g->limits.node) && yexpect(g->d, v, YN_MAPPING, "limits")) {
		static const char *const keys[] = { "max_depth" };
		ycheck_keys(g->d, v, keys, 1, "limits");
		const struct ynode *md = ynode_get(v, "max_depth");
		long n;
		if (md && yint(g->d, md, "max_depth", 1, 100, &n))
			gr->max_depth = (int)n;
	}

	gr->entities = arena_alloc(g->a, (g->nentities ? g->nentities : 1) * sizeof(*gr->entities));
	for (size_t i = 0; i < g->nentities; i++) {
		struct entity *e = &gr->entities[gr->nentities];
		build_entity(g, g->entities[i], e);
		if (!*e->slug)
			continue;
		const struct entity *prev = graph_entity(gr, e->slug);
		if (prev) {
			diag_error(g->d, e->loc, DIAG_E205, "duplicate entity slug '%s'", e->slug);
			diag_hint(g->d, "first declared at %s:%u", source_path(g->sources, prev->loc.file),
				  prev->loc.line);
			continue;
		}
		gr->nentities++;
	}
	for (size_t i = 0; i < gr->nentities; i++) {
		struct entity *e = &gr->entities[i];
		if (e->primary_key && e->ncolumns) {
			e->pk = entity_column(e, e->primary_key);
			if (!e->pk)
				missing_column(g, e->pk_loc, e, e->primary_key);
		}
	}

	struct profile *pf = &gr->profile;
	if (!g->have_profile) {
		diag_error(g->d, doc_start(g->first_file), DIAG_E004, "missing key 'profile' in the data graph");
		diag_hint(g->d, "declare the profile table, its traits and relationships (see docs/data-graph.md)");
		return;
	}
	if ((v = g->profile_table.node)) {
		pf->loc = g->profile_table.pair->key_loc;
		parse_table(g, v, &pf->table, pf->table_parts, &pf->ntable_parts);
	} else {
		diag_error(g->d, g->profile_loc, DIAG_E004, "missing key 'table' in profile");
	}
	if ((v = g->profile_id.node))
		pf->id = get_ident(g, v, "id");
	else
		diag_error(g->d, g->profile_loc, DIAG_E004, "missing key 'id' in profile");
	pf->traits = arena_alloc(g->a, (g->ntraits ? g->ntraits : 1) * sizeof(*pf->traits));
	for (size_t i = 0; i < g->ntraits; i++) {
		const struct ypair *pr = g->traits[i].pair;
		if (!ident_is_plain(pr->key)) {
			diag_error(g->d, pr->key_loc, DIAG_E006, "invalid trait name '%s' (letters, digits and '_')", pr->key);
			continue;
		}
		build_trait(g, pr->key, pr->key_loc, pr->value, &pf->traits[pf->ntraits++], 0);
	}
	build_external_ids(g, pf);
	build_events(g, pf);
	build_rels(g, g->rels, g->nrels, NULL, &pf->relationships, &pf->nrelationships, false);
	warn_unreached(g);
}

int graph_load(const struct graph_load_ctx *ctx)
{
	struct gl g;
	memset(&g, 0, sizeof(g));
	g.graph = ctx->graph;
	g.sources = ctx->sources;
	g.stdlib_dir = ctx->stdlib_dir;
	g.d = ctx->diags;
	g.a = ctx->arena;
	memset(g.graph, 0, sizeof(*g.graph));
	g.graph->version = 1;
	g.graph->max_depth = 6;
	size_t before = g.d->nerrors;
	for (size_t i = 0; i < ctx->npaths; i++)
		load_file(&g, ctx->paths[i], yfirst_line_loc(ctx->named_at), 0, false);
	if (ctx->text)
		load_text(&g, ctx->text_name ? ctx->text_name : "<graph>",
			  xstrndup(ctx->text, strlen(ctx->text)), strlen(ctx->text), 0);
	if (g.first_file && !g.parse_failed)
		build_graph(&g);
	for (size_t i = 0; i < g.nloading; i++)
		free(g.loading[i]);
	for (size_t i = 0; i < g.nloaded; i++)
		free(g.loaded[i]);
	free(g.loading);
	free(g.loaded);
	free(g.traits);
	free(g.entities);
	free(g.rels);
	for (size_t i = 0; i < g.nbad_cols; i++)
		free(g.bad_cols[i]);
	free(g.bad_cols);
	return g.d->nerrors == before ? 0 : -1;
}
