/*
 * project.c — load a project: lac.yaml (SPEC §1), the data graph, the
 * audience files, then run the checker.
 *
 * Settings are validated here (unknown keys E003, shapes E005, values E006)
 * but ${VAR} references are kept as written; setting_expand() replaces them
 * when a command needs the value, so check/compile/graph never need secrets.
 * Destination presets (braze, iterable, ...) are YAML files in
 * stdlib/destinations/ that declare the keys they take.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/env.h"
#include "base/self_dir.h"
#include "base/time.h"
#include "graph/graph_load.h"
#include "lang/parse.h"
#include "net/dsn_tls.h"
#include "project/dest_kind.h"
#include "project/wh_kind.h"
#include "project/project.h"
#include "project/project_yaml.h"
#include "base/yload.h"

void project_init(struct project *p)
{
	memset(p, 0, sizeof(*p));
	source_set_init(&p->sources);
	diag_sink_init(&p->diags, &p->sources);
	p->version = 1;
	p->graph.max_depth = 6;
	p->graph.version = 1;
}

void project_release(struct project *p)
{
	diag_sink_release(&p->diags);
	source_set_release(&p->sources);
	arena_release(&p->arena);
	free(p->dir);
	p->dir = NULL;
}

/* ---- paths ------------------------------------------------------------------ */

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *project_stdlib_dir(void)
{
	/* an installed lac first looks beside itself, so a moved install works */
	static char *beside;
	static bool looked;
	const char *env = getenv("LAC_STDLIB_DIR");
	if (env && *env)
		return env;
	if (!looked) {
		beside = self_relative_dir("../share/lac/stdlib");
		looked = true;
	}
	if (beside)
		return beside;
#ifdef LAC_STDLIB_DIR
	if (is_dir(LAC_STDLIB_DIR))
		return LAC_STDLIB_DIR;
#endif
#ifdef LAC_SRC_STDLIB_DIR
	return LAC_SRC_STDLIB_DIR;
#else
	return "stdlib";
#endif
}

static const char *expand(struct project *p, const char *value, struct loc loc, bool secret);

const char *project_path(struct project *p, const char *rel)
{
	/* state.path or warehouse.path whose ${VAR} is unset (a command that
	 * did not call project_require_paths): E007, and a path under a file,
	 * which nothing can create or open, rather than a file or directory
	 * literally named ${VAR}. */
	struct unresolved_path *u = NULL;
	if (rel && rel == p->state_unresolved.as_written)
		u = &p->state_unresolved;
	else if (rel && rel == p->warehouse_unresolved.as_written)
		u = &p->warehouse_unresolved;
	if (u) {
		if (!u->reported)
			expand(p, rel, u->loc, false);
		u->reported = true;
		return arena_sprintf(&p->arena, "/dev/null/%s", rel);
	}
	const char *dir = p->dir ? p->dir : ".";
	if (rel[0] == '/' || strcmp(dir, ".") == 0 || dir[0] == '\0')
		return arena_strdup(&p->arena, rel);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return arena_sprintf(&p->arena, "%.*s/%s", (int)n, dir, rel);
}

/* ---- settings ----------------------------------------------------------------- */

const struct setting *setting_find(const struct setting *s, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].key, key) == 0)
			return &s[i];
	return NULL;
}

const struct setting *destination_setting(const struct destination *d, const char *key)
{
	return setting_find(d->settings, d->nsettings, key);
}

const struct destination *project_destination(const struct project *p, const char *name)
{
	for (size_t i = 0; i < p->ndestinations; i++)
		if (strcmp(p->destinations[i].name, name) == 0)
			return &p->destinations[i];
	return NULL;
}

/* Every secret of every project loaded by this process (project_all_secrets):
 * copies, kept until exit. */
static char **all_secrets;
static size_t nall_secrets, call_secrets;

const char *const *project_all_secrets(size_t *n)
{
	*n = nall_secrets;
	return (const char *const *)all_secrets;
}

/* The values of the ${NAME} references in a setting, kept for project_redact.
 * Values shorter than 4 bytes are not kept: redacting "1" or "on" from every
 * message would garble it, and no real secret is that short. */
static void remember_secrets(struct project *p, const char *value)
{
	for (const char *s = strstr(value, "${"); s; s = strstr(s + 2, "${")) {
		if (s > value && s[-1] == '$')
			continue; /* $${ is a literal ${ */
		const char *end = strchr(s + 2, '}');
		if (!end)
			break;
		char *name = xstrndup(s + 2, (size_t)(end - s - 2));
		const char *v = getenv(name);
		free(name);
		if (!v || strlen(v) < 4)
			continue;
		bool known = false;
		for (size_t i = 0; i < p->nsecrets && !known; i++)
			known = strcmp(p->secrets[i], v) == 0;
		if (!known)
			ARENA_PUSH(&p->arena, p->secrets, p->nsecrets, arena_strdup(&p->arena, v));
		known = false;
		for (size_t i = 0; i < nall_secrets && !known; i++)
			known = strcmp(all_secrets[i], v) == 0;
		if (!known)
			VEC_PUSH(all_secrets, nall_secrets, call_secrets, xstrdup(v));
	}
}

void project_redact(const struct project *p, struct strbuf *msg)
{
	/* all secrets in one pass: one that is part of another is not left half-done */
	sb_redact(msg, p->secrets, p->nsecrets, 1, false);
}

/* secret: remember the values for redaction (not for paths: redacting a
 * directory name from every message would garble them). */
static const char *expand(struct project *p, const char *value, struct loc loc, bool secret)
{
	if (!value)
		return NULL;
	const char *unset = NULL;
	char *out = env_expand(&p->arena, value, &unset);
	if (out && secret)
		remember_secrets(p, value);
	if (!out) {
		/* point at the ${NAME} itself when the value is on one line as written */
		char *ref = xasprintf("${%s}", unset);
		const char *at = strstr(value, ref);
		size_t vlen = strlen(value);
		if (at && loc.line == loc.end_line && loc.end_col > loc.col) {
			size_t width = loc.end_col - loc.col;
			size_t q = width == vlen + 2 ? 1 : width == vlen ? 0 : (size_t)-1;
			if (q != (size_t)-1) {
				loc.col += (uint32_t)(q + (size_t)(at - value));
				loc.end_col = loc.col + (uint32_t)strlen(ref);
			}
		}
		free(ref);
		diag_error(&p->diags, loc, DIAG_E007, "environment variable '%s' is not set", unset);
		diag_hint(&p->diags, "set it in the environment of the command that needs it");
	}
	return out;
}

const char *setting_expand(struct project *p, const char *value, struct loc loc)
{
	return expand(p, value, loc, true);
}

void setting_unset_error(const struct project *p, const char *what, struct strbuf *err)
{
	for (size_t i = p->diags.n; i-- > 0;) {
		const struct diag *d = &p->diags.items[i];
		if (d->code == DIAG_E007) {
			sb_addf(err, "%s:%u:%u: %s (%s)", source_path(&p->sources, d->loc.file),
				d->loc.line, d->loc.col, d->message, what);
			return;
		}
	}
	sb_addf(err, "%s names an unset environment variable", what);
}

const char *project_ca_file(const struct project *p, const struct destination *d)
{
	const char *own = d ? d->tls_ca_file : p->warehouse.tls_ca_file;
	return own ? own : p->tls_ca_file;
}

int project_check_path_refs(struct project *p, const char *value, struct loc loc)
{
	const char *name;
	if (!value || !env_path_climbs(&p->arena, value, &name))
		return 0;
	/* a path's directory is the file's to choose, not the environment's */
	diag_error(&p->diags, loc, DIAG_E006, "environment variable '%s' used in a path must not contain '..'",
		   name);
	return -1;
}

bool project_check_refs(struct project *p, const struct ynode *n)
{
	size_t off;
	if (env_check(n->scalar, &off) == 0)
		return true;
	struct loc l = n->loc;
	if (l.line == l.end_line) {
		l.col += (uint32_t)off + (n->quoted ? 1 : 0);
		l.end_col = l.col + 2;
	}
	diag_error(&p->diags, l, DIAG_E006, "malformed '${' reference (write ${NAME}, or $${ for a literal '${')");
	return false;
}

bool project_setting_from(struct project *p, const struct ypair *pr, struct setting *out, bool allow_map)
{
	memset(out, 0, sizeof(*out));
	out->key = pr->key;
	out->loc = pr->value->loc;
	const struct ynode *v = pr->value;
	if (v->kind == YN_SCALAR) {
		out->value = v->scalar;
		return project_check_refs(p, v);
	}
	if (!allow_map || v->kind != YN_MAPPING) {
		diag_error(&p->diags, yfirst_line(v), DIAG_E005, "'%s' must be a value, not a %s",
			   pr->key, ynode_kind_name(v->kind));
		return false;
	}
	out->children = arena_alloc(&p->arena, (v->npairs ? v->npairs : 1) * sizeof(*out->children));
	bool ok = true;
	for (size_t i = 0; i < v->npairs; i++) {
		const struct ypair *c = &v->pairs[i];
		if (!yexpect(&p->diags, c->value, YN_SCALAR, c->key)) {
			ok = false;
			continue;
		}
		struct setting *s = &out->children[out->nchildren++];
		s->key = c->key;
		s->value = c->value->scalar;
		s->loc = c->value->loc;
		ok &= project_check_refs(p, c->value);
	}
	return ok;
}

/* ---- destinations ------------------------------------------------------------- */

static bool valid_type_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* A stdlib preset's row of the destination types (dest_kind.h), read from
 * stdlib/destinations/<type>.yaml; NULL when there is none. */
static const struct dest_kind *load_preset(struct project *p, const char *type)
{
	if (!valid_type_name(type))
		return NULL;
	char *path = xasprintf("%s/destinations/%s.yaml", project_stdlib_dir(), type);
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		free(path);
		return NULL;
	}
	uint32_t id = source_add(&p->sources, path, text, len);
	free(path);
	struct ynode *doc = yaml_doc_parse(&p->arena, &p->diags, id, text, len);
	if (!doc || !yexpect(&p->diags, doc, YN_MAPPING, "destination preset"))
		return NULL;
	static const char *const top[] = { "preset", "description", "transport",
					   "supports_values_changed", "keys" };
	ycheck_keys(&p->diags, doc, top, ARRAY_LEN(top), "destination preset");
	struct dest_kind *kind = ARENA_NEW(&p->arena, struct dest_kind);
	kind->type = type;
	const struct ynode *v = ynode_get(doc, "supports_values_changed");
	if (v)
		ybool(&p->diags, v, "supports_values_changed", &kind->values_changed);
	const struct ynode *keys = ynode_get(doc, "keys");
	struct dest_key *list = NULL;
	size_t n = 0;
	if (keys && yexpect(&p->diags, keys, YN_MAPPING, "keys")) {
		for (size_t i = 0; i < keys->npairs; i++) {
			const struct ypair *k = &keys->pairs[i];
			struct dest_key key = { .name = k->key };
			if (k->value->kind == YN_SCALAR && k->value->scalar[0] == '\0') {
				ARENA_PUSH(&p->arena, list, n, key); /* `key:` with no attributes */
				continue;
			}
			if (!yexpect(&p->diags, k->value, YN_MAPPING, k->key)) {
				ARENA_PUSH(&p->arena, list, n, key);
				continue;
			}
			static const char *const attrs[] = { "required", "default", "secret", "map", "description" };
			ycheck_keys(&p->diags, k->value, attrs, ARRAY_LEN(attrs), "preset key");
			const struct ynode *a = ynode_get(k->value, "required");
			if (a)
				ybool(&p->diags, a, "required", &key.required);
			a = ynode_get(k->value, "map");
			if (a)
				ybool(&p->diags, a, "map", &key.map);
			a = ynode_get(k->value, "default");
			if (a && yexpect(&p->diags, a, YN_SCALAR, "default")) {
				key.def = a->scalar;
				key.def_loc = a->loc;
			}
			ARENA_PUSH(&p->arena, list, n, key);
		}
	}
	kind->keys = list;
	kind->nkeys = n;
	return kind;
}

/* The preset types shipped in stdlib/destinations (for "did you mean"). */
static void list_presets(struct project *p, const char ***names, size_t *n)
{
	char *path = xasprintf("%s/destinations", project_stdlib_dir());
	DIR *dir = opendir(path);
	free(path);
	if (!dir)
		return;
	struct dirent *de;
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		if (len > 5 && de->d_name[0] != '.' && strcmp(de->d_name + len - 5, ".yaml") == 0)
			ARENA_PUSH(&p->arena, *names, *n, arena_strndup(&p->arena, de->d_name, len - 5));
	}
	closedir(dir);
}

static void check_number_setting(struct project *p, const struct setting *s, const char *key)
{
	if (!s || !s->value || env_has_ref(s->value))
		return;
	char *end;
	errno = 0;
	double v = strtod(s->value, &end);
	bool whole = strcmp(key, "max_retries") == 0;
	if (!*s->value || *end || errno || v < 0 || v > 1e6 || (whole && v != (double)(long)v))
		diag_error(&p->diags, s->loc, DIAG_E006, "'%s' must be a %s, not '%s'", key,
			   whole ? "whole number of retries" : "number of seconds", s->value);
}

/* max_rate: events a second, over 0 (fractions allowed: 0.5 is one event
 * every two seconds); max_in_flight: whole requests at once, at least 1.
 * A ${VAR} value is checked when it is expanded (deliver/dest.c). */
static void check_limit_settings(struct project *p, const struct destination *d)
{
	const struct setting *s = setting_find(d->settings, d->nsettings, "max_rate");
	if (s && s->value && !env_has_ref(s->value)) {
		char *end;
		errno = 0;
		double v = strtod(s->value, &end);
		if (!*s->value || *end || errno || !(v > 0) || v > PROJECT_MAX_RATE)
			diag_error(&p->diags, s->loc, DIAG_E006,
				   "'max_rate' must be a number of events a second over 0, at most %d, not '%s'",
				   PROJECT_MAX_RATE, s->value);
	}
	s = setting_find(d->settings, d->nsettings, "max_in_flight");
	if (s && s->value && !env_has_ref(s->value)) {
		char *end;
		errno = 0;
		long v = strtol(s->value, &end, 10);
		if (!*s->value || *end || errno || v < 1 || v > PROJECT_MAX_IN_FLIGHT)
			diag_error(&p->diags, s->loc, DIAG_E006,
				   "'max_in_flight' must be a whole number of requests from 1 to %d, not '%s'",
				   PROJECT_MAX_IN_FLIGHT, s->value);
	}
}

/* tls: {ca_file: PATH} (lac.yaml's top, an HTTP warehouse, a destination):
 * the CA file as a path from the project dir, or NULL (reported if wrong). */
static const char *load_tls(struct project *p, const struct ynode *v, const char *where)
{
	if (!yexpect(&p->diags, v, YN_MAPPING, "tls"))
		return NULL;
	static const char *const keys[] = { "ca_file" };
	char *in = xasprintf("tls of %s", where);
	ycheck_keys(&p->diags, v, keys, ARRAY_LEN(keys), in);
	free(in);
	const struct ynode *f = ynode_get(v, "ca_file");
	const char *s = f ? yscalar(&p->diags, f, "ca_file") : NULL;
	if (!s || !project_check_refs(p, f) || project_check_path_refs(p, s, f->loc) < 0)
		return NULL;
	if (!*s) {
		diag_error(&p->diags, f->loc, DIAG_E006, "'ca_file' must name a file");
		return NULL;
	}
	s = expand(p, s, f->loc, false);
	return s ? project_path(p, s) : NULL;
}

static void load_destination(struct project *p, const struct ypair *pr)
{
	struct destination d;
	memset(&d, 0, sizeof(d));
	d.name = pr->key;
	d.loc = pr->key_loc;
	const struct ynode *v = pr->value;
	if (!yexpect(&p->diags, v, YN_MAPPING, pr->key))
		return;
	const struct ynode *tn = yrequire(&p->diags, v, "type", "destination");
	const char *type = tn ? yscalar(&p->diags, tn, "type") : NULL;
	if (!type)
		return;
	d.type = type;

	const struct dest_kind *kind = dest_kind_builtin(type);
	if (!kind)
		kind = load_preset(p, type);
	if (!kind) {
		const char **names = NULL;
		size_t n = 0, nbuiltin;
		const struct dest_kind *builtin = dest_kind_builtins(&nbuiltin);
		for (size_t i = 0; i < nbuiltin; i++)
			ARENA_PUSH(&p->arena, names, n, builtin[i].type);
		list_presets(p, &names, &n);
		diag_error(&p->diags, tn->loc, DIAG_E006, "unknown destination type '%s'", type);
		diag_hint_closest(&p->diags, type, names, n);
		return;
	}
	d.supports_values_changed = kind->values_changed;

	const char **known = NULL;
	size_t nknown = 0;
	ARENA_PUSH(&p->arena, known, nknown, "type");
	for (size_t i = 0; i < kind->nkeys; i++)
		ARENA_PUSH(&p->arena, known, nknown, kind->keys[i].name);
	/* every HTTP destination (one with a url) takes tls: {ca_file} and the
	 * limits its requests keep across the runs of one lac */
	static const char *const http_keys[] = { "tls", "max_rate", "max_in_flight" };
	bool http = dest_kind_key(kind, "url") != NULL;
	if (http)
		for (size_t i = 0; i < ARRAY_LEN(http_keys); i++)
			ARENA_PUSH(&p->arena, known, nknown, http_keys[i]);
	char *where = xasprintf("%s destination '%s'", type, d.name);
	ycheck_keys(&p->diags, v, known, nknown, where);
	for (size_t i = 0; i < kind->nkeys; i++)
		if (kind->keys[i].required && !ynode_get(v, kind->keys[i].name))
			diag_error(&p->diags, yfirst_line(v), DIAG_E004, "missing key '%s' in %s",
				   kind->keys[i].name, where);
	free(where);

	for (size_t i = 0; i < v->npairs; i++) {
		const struct ypair *kv = &v->pairs[i];
		if (http && strcmp(kv->key, "tls") == 0) {
			char *w = xasprintf("destination '%s'", d.name);
			d.tls_ca_file = load_tls(p, kv->value, w);
			free(w);
			continue;
		}
		const struct dest_key *key = strcmp(kv->key, "type") == 0 ? NULL : dest_kind_key(kind, kv->key);
		bool limit = http && (strcmp(kv->key, "max_rate") == 0 || strcmp(kv->key, "max_in_flight") == 0);
		if (!key && !limit)
			continue;
		struct setting s;
		if (project_setting_from(p, kv, &s, key && key->map))
			ARENA_PUSH(&p->arena, d.settings, d.nsettings, s);
	}
	for (size_t i = 0; i < kind->nkeys; i++) {
		const struct dest_key *key = &kind->keys[i];
		if (key->def && !setting_find(d.settings, d.nsettings, key->name)) {
			struct setting s = { key->name, key->def, NULL, 0, key->def_loc };
			ARENA_PUSH(&p->arena, d.settings, d.nsettings, s);
		}
	}
	check_number_setting(p, setting_find(d.settings, d.nsettings, "timeout"), "timeout");
	check_number_setting(p, setting_find(d.settings, d.nsettings, "max_retries"), "max_retries");
	check_limit_settings(p, &d);
	ARENA_PUSH(&p->arena, p->destinations, p->ndestinations, d);
}

/* ---- lac.yaml ------------------------------------------------------------------ */


/* graph: / audiences: — one path or a list of paths. */
static void load_paths(struct project *p, const struct ynode *v, const char *what,
		       const char ***out, size_t *n)
{
	if (v->kind == YN_SCALAR) {
		if (!v->scalar[0]) {
			diag_error(&p->diags, v->loc, DIAG_E006, "'%s' must name a file", what);
			return;
		}
		const char *s = project_check_refs(p, v) ? expand(p, v->scalar, v->loc, false) : NULL;
		if (s)
			ARENA_PUSH(&p->arena, *out, *n, s);
		return;
	}
	if (v->kind != YN_SEQUENCE) {
		diag_error(&p->diags, yfirst_line(v), DIAG_E005, "'%s' must be a path or a list of paths, not a %s",
			   what, ynode_kind_name(v->kind));
		return;
	}
	for (size_t i = 0; i < v->nitems; i++) {
		const char *s = yscalar(&p->diags, v->items[i], what);
		if (s && !*s)
			diag_error(&p->diags, v->items[i]->loc, DIAG_E006, "'%s' must name a file", what);
		else if (s && project_check_refs(p, v->items[i]) && (s = expand(p, s, v->items[i]->loc, false)))
			ARENA_PUSH(&p->arena, *out, *n, s);
	}
}

/* A value a warehouse key's kind requires (wh_kind.h), unless it holds a
 * ${VAR}: that is checked when a command expands it (warehouse_open_project). */
static void check_wh_value(struct project *p, const struct wh_key *key, const struct setting *s)
{
	if (!s->value || env_has_ref(s->value))
		return;
	if (key->value == WH_DURATION) {
		int64_t ms;
		if (duration_parse(s->value, DURATION_SETTING, &ms) < 0)
			diag_error(&p->diags, s->loc, DIAG_E006,
				   "'%s' must be a duration like 30s, 5m or 1h (the unit is required), not '%s'",
				   key->name, s->value);
		else if (strcmp(key->name, "timeout") == 0)
			p->warehouse.timeout_ms = ms;
	} else if (key->value == WH_COUNT) {
		const char *c = s->value;
		while (*c >= '0' && *c <= '9')
			c++;
		if (!*s->value || *c || c - s->value > 18)
			diag_error(&p->diags, s->loc, DIAG_E006, "'%s' must be a whole number, not '%s'",
				   key->name, s->value);
	}
}

/* "'a'", "'a' + 'b'": an authentication alternative as messages name it. */
static char *auth_name(const struct wh_auth *a)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_LEN(a->keys) && a->keys[i]; i++)
		sb_addf(&sb, "%s'%s'", i ? " + " : "", a->keys[i]);
	return sb_detach(&sb);
}

/* Exactly one of the kind's authentication alternatives, given whole:
 * none is E004, two are E011 (at the key of the second), half of one
 * (client_id without client_secret) is E004. */
static void check_wh_auth(struct project *p, const struct wh_kind *k, const struct ynode *v,
			  const char *where)
{
	if (!k->nauth)
		return;
	const struct wh_auth *given = NULL;
	for (size_t i = 0; i < k->nauth; i++) {
		const struct wh_auth *a = &k->auth[i];
		const struct ynode *first = NULL;
		for (size_t j = 0; j < ARRAY_LEN(a->keys) && a->keys[j] && !first; j++)
			first = ynode_get(v, a->keys[j]);
		if (!first)
			continue;
		if (given) {
			char *one = auth_name(given), *other = auth_name(a);
			struct loc l = first->loc;
			for (size_t j = 0; j < v->npairs; j++)
				if (v->pairs[j].value == first)
					l = v->pairs[j].key_loc;
			diag_error(&p->diags, l, DIAG_E011, "%s and %s both given in %s: give exactly one",
				   one, other, where);
			free(one);
			free(other);
			return;
		}
		given = a;
	}
	if (!given) {
		struct strbuf all = STRBUF_INIT;
		for (size_t i = 0; i < k->nauth; i++) {
			char *n = auth_name(&k->auth[i]);
			sb_addf(&all, "%s%s", i == 0 ? "" : i + 1 == k->nauth ? " or " : ", ", n);
			free(n);
		}
		diag_error(&p->diags, yfirst_line(v), DIAG_E004, "%s needs one of %s", where, all.buf);
		sb_release(&all);
		return;
	}
	for (size_t j = 0; j < ARRAY_LEN(given->keys) && given->keys[j]; j++) {
		if (ynode_get(v, given->keys[j]))
			continue;
		char *together = auth_name(given);
		diag_error(&p->diags, yfirst_line(v), DIAG_E004, "missing key '%s' in %s (%s go together)",
			   given->keys[j], where, together);
		free(together);
	}
}

/* The type named by warehouse.type (sqlite when absent), or NULL after E006. */
static const struct wh_kind *warehouse_kind(struct project *p, const struct ynode *v)
{
	const struct ynode *tv = ynode_get(v, "type");
	if (!tv)
		return wh_kind_of(WH_SQLITE);
	const char *t = yscalar(&p->diags, tv, "type");
	if (!t)
		return NULL;
	const struct wh_kind *k = wh_kind_find(t);
	if (!k) {
		size_t n;
		const struct wh_kind *all = wh_kinds(&n);
		const char **names = NULL;
		size_t nnames = 0;
		for (size_t i = 0; i < n; i++)
			ARENA_PUSH(&p->arena, names, nnames, all[i].type);
		diag_error(&p->diags, tv->loc, DIAG_E006, "unknown warehouse type '%s'", t);
		diag_hint_closest(&p->diags, t, names, nnames);
		diag_hint(&p->diags, "types are sqlite, postgres, redshift, snowflake, bigquery and databricks");
	}
	return k;
}

/* Each type takes only its keys (wh_kind.c; others are E003), its required
 * ones (E004) and exactly one way to authenticate. */
static void check_wh_keys(struct project *p, const struct wh_kind *k, const struct ynode *v,
			  const char *where)
{
	const char **known = NULL;
	size_t nknown = 0;
	ARENA_PUSH(&p->arena, known, nknown, "type");
	ARENA_PUSH(&p->arena, known, nknown, "jobs"); /* every type's: lac's own setting */
	for (size_t i = 0; i < k->nkeys; i++)
		ARENA_PUSH(&p->arena, known, nknown, k->keys[i].name);
	/* the HTTP types (those with an endpoint) take tls: {ca_file}; libpq's
	 * CA is the DSN's sslrootcert (SPEC §1.1) */
	if (wh_kind_key(k, "endpoint"))
		ARENA_PUSH(&p->arena, known, nknown, "tls");
	/* endpoint is a key of the HTTP types only; elsewhere say where the host goes */
	for (size_t i = 0; i < v->npairs && !wh_kind_key(k, "endpoint"); i++) {
		if (strcmp(v->pairs[i].key, "endpoint") != 0)
			continue;
		diag_error(&p->diags, v->pairs[i].key_loc, DIAG_E003, "unknown key 'endpoint' in %s", where);
		if (wh_kind_key(k, "dsn"))
			diag_hint(&p->diags, "the %s warehouse's host is part of its dsn", k->type);
		ARENA_PUSH(&p->arena, known, nknown, "endpoint");
	}
	ycheck_keys(&p->diags, v, known, nknown, where);
	for (size_t i = 0; i < k->nkeys; i++)
		if (k->keys[i].required && !ynode_get(v, k->keys[i].name))
			diag_error(&p->diags, yfirst_line(v), DIAG_E004, "missing key '%s' in %s",
				   k->keys[i].name, where);
	check_wh_auth(p, k, v, where);
}

/* What a written sslmode weaker than verify-full gives up (W003). */
static const char *tls_risk(const char *mode)
{
	if (strcmp(mode, "disable") == 0)
		return "the connection is not encrypted";
	if (strcmp(mode, "verify-ca") == 0)
		return "the certificate is not checked against the host name";
	if (strcmp(mode, "require") == 0)
		return "the server's certificate is not checked";
	return "the connection may not be encrypted and the server's certificate is not checked";
}

/* SPEC §1.1 "TLS": a libpq DSN to a remote host may weaken TLS only in
 * writing, with a warning.  A ${VAR} DSN is judged when its variables are
 * set, and never quoted (it may hold a password). */
static void warn_weak_tls(struct project *p)
{
	if (p->warehouse.type != WH_POSTGRES && p->warehouse.type != WH_REDSHIFT)
		return;
	const struct setting *s = setting_find(p->warehouse.settings, p->warehouse.nsettings, "dsn");
	if (!s || !s->value)
		return;
	const char *unset = NULL;
	const char *dsn = env_has_ref(s->value) ? env_expand(&p->arena, s->value, &unset) : s->value;
	const char *mode = dsn ? dsn_tls_weak_mode(dsn) : NULL;
	if (!mode)
		return;
	diag_warning(&p->diags, s->loc, DIAG_W003,
		     "the %s warehouse's dsn sets sslmode=%s for a remote host: %s",
		     wh_kind_of(p->warehouse.type)->type, mode, tls_risk(mode));
	diag_hint(&p->diags, "leave sslmode out (lac then uses verify-full) or write sslmode=verify-full");
}

/* BigQuery's credentials are a key file's path or the key's JSON itself
 * (written in lac.yaml or in a ${VAR}), which names no directory. */
static bool holds_key_json(struct project *p, const char *value)
{
	const char *unset;
	const char *v = env_expand(&p->arena, value, &unset);
	return v && v[strspn(v, " \t\r\n")] == '{';
}

/* warehouse: the type's keys are checked against its row; under an
 * unknown type (E006) only path and schema are judged. */
static void load_warehouse(struct project *p, const struct ynode *v)
{
	p->warehouse.loc = v->loc;
	if (!yexpect(&p->diags, v, YN_MAPPING, "warehouse"))
		return;
	const struct wh_kind *k = warehouse_kind(p, v);
	char *where = k ? xasprintf("the %s warehouse", k->type) : NULL;
	if (k) {
		p->warehouse.type = k->id;
		check_wh_keys(p, k, v, where);
	}
	for (size_t i = 0; i < v->npairs; i++) {
		const struct ypair *kv = &v->pairs[i];
		const struct wh_key *key = k ? wh_kind_key(k, kv->key) : NULL;
		if (strcmp(kv->key, "tls") == 0 && k && wh_kind_key(k, "endpoint")) {
			p->warehouse.tls_ca_file = load_tls(p, kv->value, where);
		} else if (strcmp(kv->key, "path") == 0 && (!k || key)) {
			const char *s = yscalar(&p->diags, kv->value, "path");
			if (s && project_check_refs(p, kv->value)) {
				p->warehouse.path = s;
				p->warehouse_unresolved.loc = kv->value->loc;
			}
		} else if (strcmp(kv->key, "schema") == 0) {
			const char *s = yscalar(&p->diags, kv->value, "schema");
			if (s && !ident_is_plain(s))
				diag_error(&p->diags, kv->value->loc, DIAG_E006,
					   "warehouse schema '%s' must be a plain identifier (letters, digits, '_')", s);
			else if (s)
				p->warehouse.schema = s;
		} else if (strcmp(kv->key, "jobs") == 0) {
			const char *s = yscalar(&p->diags, kv->value, "jobs");
			int jobs = s ? project_parse_jobs(s) : 0;
			if (s && jobs < 0)
				diag_error(&p->diags, kv->value->loc, DIAG_E006,
					   "'jobs' must be a whole number from 1 to %d, not '%s'", PROJECT_MAX_JOBS, s);
			else if (s)
				p->warehouse.jobs = jobs;
		} else if (key) {
			struct setting s;
			if (project_setting_from(p, kv, &s, false)) {
				check_wh_value(p, key, &s);
				/* a key file's path: its directories are the file's to choose */
				if (strcmp(kv->key, "private_key_path") == 0 ||
				    (strcmp(kv->key, "credentials") == 0 && !holds_key_json(p, s.value)))
					project_check_path_refs(p, s.value, s.loc);
				ARENA_PUSH(&p->arena, p->warehouse.settings, p->warehouse.nsettings, s);
			}
		}
	}
	free(where);
	warn_weak_tls(p);
}

/* state: {type: sqlite, path} or {type: postgres, dsn, schema}, both with
 * retention_days.  A key of the other type is a typo or a half-made switch:
 * E003, as for any unknown key. */
static void load_state(struct project *p, const struct ynode *v)
{
	static const char *const types[] = { "sqlite", "postgres" };
	const struct ynode *tv = ynode_get(v, "type");
	if (tv && yscalar(&p->diags, tv, "type")) {
		if (strcmp(tv->scalar, "postgres") == 0) {
			p->state.type = STATE_POSTGRES;
		} else if (strcmp(tv->scalar, "sqlite") != 0) {
			diag_error(&p->diags, tv->loc, DIAG_E006, "unknown state type '%s'", tv->scalar);
			diag_hint_closest(&p->diags, tv->scalar, types, ARRAY_LEN(types));
			diag_hint(&p->diags, "types are sqlite (the default) and postgres");
		}
	}
	if (p->state.type == STATE_POSTGRES) {
		static const char *const keys[] = { "type", "dsn", "schema", "retention_days" };
		ycheck_keys(&p->diags, v, keys, ARRAY_LEN(keys), "the postgres state");
	} else {
		static const char *const keys[] = { "type", "path", "retention_days" };
		ycheck_keys(&p->diags, v, keys, ARRAY_LEN(keys), tv ? "the sqlite state" : "state");
	}
	const struct ynode *rv = ynode_get(v, "retention_days");
	if (rv && yscalar(&p->diags, rv, "retention_days")) {
		char *end;
		errno = 0;
		long days = strtol(rv->scalar, &end, 10);
		if (errno || end == rv->scalar || *end || days < 1 || days > 3650)
			diag_error(&p->diags, rv->loc, DIAG_E006,
				   "'retention_days' must be a whole number of days from 1 to 3650, not '%s'",
				   rv->scalar);
		else
			p->retention_days = (int)days;
	}
	if (p->state.type == STATE_POSTGRES) {
		const struct ynode *dv = yrequire(&p->diags, v, "dsn", "the postgres state");
		if (dv && yscalar(&p->diags, dv, "dsn") && project_check_refs(p, dv)) {
			p->state.dsn = dv->scalar;
			p->state.dsn_loc = dv->loc;
		}
		const struct ynode *sv = ynode_get(v, "schema");
		if (sv && yscalar(&p->diags, sv, "schema")) {
			if (!ident_is_plain(sv->scalar))
				diag_error(&p->diags, sv->loc, DIAG_E006,
					   "state schema '%s' must be a plain identifier (letters, digits, '_')",
					   sv->scalar);
			else
				p->state.schema = sv->scalar;
		}
		return;
	}
	const struct ynode *pv = ynode_get(v, "path");
	if (pv && yscalar(&p->diags, pv, "path")) {
		if (!pv->scalar[0]) {
			diag_error(&p->diags, pv->loc, DIAG_E006, "'path' must name a file");
		} else if (project_check_refs(p, pv)) {
			p->state.path = pv->scalar;
			p->state_unresolved.loc = pv->loc;
		}
	}
}

static void load_settings(struct project *p, const struct ynode *doc)
{
	static const char *const top[] = { "version", "name", "graph", "audiences", "warehouse",
					   "state", "destinations", "alerts", "tls" };
	ycheck_keys(&p->diags, doc, top, ARRAY_LEN(top), "lac.yaml");

	const struct ynode *v;
	if ((v = ynode_get(doc, "version"))) {
		if (yexpect(&p->diags, v, YN_SCALAR, "version")) {
			if (!v->quoted && strcmp(v->scalar, "1") == 0)
				p->version = 1;
			else
				diag_error(&p->diags, v->loc, DIAG_E006, "unsupported version '%s' (this lac reads version 1)",
					   v->scalar);
		}
	}
	if ((v = ynode_get(doc, "name")))
		p->name = yscalar(&p->diags, v, "name");
	if ((v = ynode_get(doc, "graph"))) {
		p->graph_loc = v->loc;
		load_paths(p, v, "graph", &p->graph_files, &p->ngraph_files);
	}
	if ((v = ynode_get(doc, "audiences"))) {
		p->audiences_loc = v->loc;
		load_paths(p, v, "audiences", &p->audience_paths, &p->naudience_paths);
	}
	if ((v = ynode_get(doc, "warehouse")))
		load_warehouse(p, v);
	if ((v = ynode_get(doc, "state")) && yexpect(&p->diags, v, YN_MAPPING, "state"))
		load_state(p, v);
	if ((v = ynode_get(doc, "tls")))
		p->tls_ca_file = load_tls(p, v, "lac.yaml");
	if ((v = ynode_get(doc, "destinations")) && yexpect(&p->diags, v, YN_MAPPING, "destinations"))
		for (size_t i = 0; i < v->npairs; i++)
			load_destination(p, &v->pairs[i]);
	if ((v = ynode_get(doc, "alerts")))
		alert_channels_load(p, v);
}

static void set_defaults(struct project *p)
{
	if (!p->name) {
		char buf[PATH_MAX];
		const char *base = NULL;
		if (realpath(p->dir, buf)) {
			base = strrchr(buf, '/');
			base = base && base[1] ? base + 1 : buf;
		}
		p->name = arena_strdup(&p->arena, base ? base : "project");
	}
	if (!p->ngraph_files && !p->graph_loc.file)
		ARENA_PUSH(&p->arena, p->graph_files, p->ngraph_files, "graph.yaml");
	if (!p->naudience_paths && !p->audiences_loc.file)
		ARENA_PUSH(&p->arena, p->audience_paths, p->naudience_paths, "audiences");
	if (!p->warehouse.path && p->warehouse.type == WH_SQLITE)
		p->warehouse.path = PROJECT_DEFAULT_WAREHOUSE_PATH;
	if (!p->warehouse.schema)
		p->warehouse.schema = PROJECT_DEFAULT_WAREHOUSE_SCHEMA;
	if (!p->warehouse.timeout_ms)
		p->warehouse.timeout_ms = PROJECT_DEFAULT_WAREHOUSE_TIMEOUT_MS;
	if (!p->warehouse.jobs)
		p->warehouse.jobs = PROJECT_DEFAULT_WAREHOUSE_JOBS;
	if (!p->state.path && p->state.type == STATE_SQLITE)
		p->state.path = ".lac/state.db";
	if (!p->state.schema)
		p->state.schema = "lac_state";
	if (!p->retention_days)
		p->retention_days = 7;
}

/* Expand a path setting's ${VAR} references now, so every reader of the
 * field sees the real path; with a variable unset, keep the text in u (see
 * project_path) and report nothing yet: check and compile never open it. */
static void resolve_path(struct project *p, const char **field, struct unresolved_path *u)
{
	u->as_written = NULL;
	if (!*field || !env_has_ref(*field) || project_check_path_refs(p, *field, u->loc) < 0)
		return;
	const char *unset = NULL;
	char *out = env_expand(&p->arena, *field, &unset);
	if (out)
		*field = out;
	else
		u->as_written = *field;
}

int project_parse_jobs(const char *s)
{
	int n = 0;
	const char *c = s;
	for (; *c >= '0' && *c <= '9' && n <= PROJECT_MAX_JOBS; c++)
		n = n * 10 + (*c - '0');
	return c == s || *c || n < 1 || n > PROJECT_MAX_JOBS ? -1 : n;
}

int project_require_paths(struct project *p)
{
	int rc = 0;
	struct unresolved_path *us[] = { &p->state_unresolved, &p->warehouse_unresolved };
	for (size_t i = 0; i < ARRAY_LEN(us); i++) {
		if (!us[i]->as_written)
			continue;
		if (!us[i]->reported)
			expand(p, us[i]->as_written, us[i]->loc, false);
		us[i]->reported = true;
		rc = -1;
	}
	return rc;
}

static int load_lac_yaml(struct project *p, const char *dir)
{
	free(p->dir);
	p->dir = xstrdup(dir && *dir ? dir : ".");
	const char *path = project_path(p, "lac.yaml");
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		struct loc none = { 0, 0, 0, 0, 0 };
		diag_error(&p->diags, none, DIAG_E001, "cannot read '%s': %s", path, strerror(errno));
		diag_hint(&p->diags, "run lac in a project directory, point at one with -C DIR, "
			  "or create one with 'lac init'");
		return -1;
	}
	uint32_t id = source_add(&p->sources, path, text, len);
	struct ynode *doc = yaml_doc_parse(&p->arena, &p->diags, id, text, len);
	if (!doc)
		return -1;
	if (!yexpect(&p->diags, doc, YN_MAPPING, "lac.yaml"))
		return -1;
	load_settings(p, doc);
	set_defaults(p);
	resolve_path(p, &p->state.path, &p->state_unresolved);
	if (p->warehouse.type == WH_SQLITE)
		resolve_path(p, &p->warehouse.path, &p->warehouse_unresolved);
	return 0;
}

/* The data graph of lac.yaml's graph files; graph_ok when it has no errors. */
static void load_graph(struct project *p)
{
	size_t before = p->diags.nerrors;
	const char **paths = xmalloc(p->ngraph_files * sizeof(*paths));
	for (size_t i = 0; i < p->ngraph_files; i++)
		paths[i] = project_path(p, p->graph_files[i]);
	struct graph_load_ctx ctx = {
		.graph = &p->graph, .diags = &p->diags, .arena = &p->arena, .sources = &p->sources,
		.paths = paths, .npaths = p->ngraph_files, .named_at = p->graph_loc,
		.stdlib_dir = project_stdlib_dir(),
	};
	graph_load(&ctx);
	free(paths);
	p->graph_ok = p->diags.nerrors == before;
}

int project_load_settings(struct project *p, const char *dir)
{
	if (load_lac_yaml(p, dir))
		return -1;
	return p->diags.nerrors ? -1 : 0;
}

int project_load_settings_and_graph(struct project *p, const char *dir)
{
	if (load_lac_yaml(p, dir))
		return -1;
	if (p->ngraph_files)
		load_graph(p);
	return p->diags.nerrors ? -1 : 0;
}

/* ---- audiences ----------------------------------------------------------------- */

/* Collect *.lac under rel (a directory relative to the project dir),
 * recursively.  A directory that cannot be read is an E001 with report, a
 * line in unreadable when that is given, else skipped. */
static void collect_dir(struct project *p, const char *rel, const char *suffix, bool report,
			struct strbuf *unreadable, const char ***out, size_t *n, int depth)
{
	if (depth > 64)
		return;
	DIR *dir = opendir(project_path(p, rel));
	if (!dir) {
		if (unreadable)
			sb_addf(unreadable, "%scannot read the directory '%s': %s", unreadable->len ? "\n" : "",
				project_path(p, rel), strerror(errno));
		if (!report)
			return;
		/* not "no .lac files found": say the directory cannot be read */
		struct loc l = p->audiences_loc;
		if (!l.file)
			l.file = 1; /* lac.yaml */
		diag_error(&p->diags, l, DIAG_E001, "cannot read the directory '%s': %s",
			   project_path(p, rel), strerror(errno));
		return;
	}
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		const char *child = strcmp(rel, ".") == 0 ? arena_strdup(&p->arena, de->d_name)
			: arena_sprintf(&p->arena, "%s/%s", rel, de->d_name);
		if (is_dir(project_path(p, child)))
			collect_dir(p, child, suffix, report, unreadable, out, n, depth + 1);
		else if (str_ends(de->d_name, suffix))
			ARENA_PUSH(&p->arena, *out, *n, child);
	}
	closedir(dir);
}

void project_find_files(struct project *p, const char *rel, const char *suffix, const char ***out,
			size_t *n, struct strbuf *unreadable)
{
	collect_dir(p, rel, suffix, false, unreadable, out, n, 0);
}

static void load_audiences(struct project *p)
{
	const char **files = NULL;
	size_t n = 0;
	bool given = p->audiences_loc.file != 0;
	size_t before = p->diags.nerrors;
	for (size_t i = 0; i < p->naudience_paths; i++) {
		const char *rel = p->audience_paths[i];
		const char *path = project_path(p, rel);
		struct stat st;
		if (stat(path, &st) != 0) {
			if (given)
				diag_error(&p->diags, p->audiences_loc, DIAG_E001, "cannot read '%s': %s", path,
					   strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode))
			collect_dir(p, rel, ".lac", true, NULL, &files, &n, 0);
		else
			ARENA_PUSH(&p->arena, files, n, rel);
	}
	if (n)
		qsort(files, n, sizeof(*files), str_cmp_ptr);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(files[i], files[i - 1]) == 0)
			continue;
		const char *path = project_path(p, files[i]);
		size_t len;
		char *text = read_file(path, &len);
		if (!text) {
			diag_error(&p->diags, p->audiences_loc, DIAG_E001, "cannot read '%s': %s", path,
				   strerror(errno));
			continue;
		}
		uint32_t id = source_add(&p->sources, path, text, len);
		struct ast_file *f = parse_source(&p->arena, &p->diags, id, files[i], text, len);
		ARENA_PUSH(&p->arena, p->files, p->nfiles, f);
	}
	if (n == 0 && p->diags.nerrors == before) {
		struct loc l = p->audiences_loc;
		if (!l.file)
			l.file = 1; /* lac.yaml */
		const char *where = p->naudience_paths == 1 ? p->audience_paths[0] : "the audiences setting";
		if (p->audiences_optional)
			diag_warning(&p->diags, l, DIAG_W005, "no .lac files found in '%s': only lac.yaml "
				     "and the data graph were checked", where);
		else
			diag_error(&p->diags, l, DIAG_E010, "no .lac files found in '%s'", where);
		diag_hint(&p->diags, "put audiences in *.lac files there, or point 'audiences' in lac.yaml at them");
	}
}

int project_load(struct project *p, const char *dir)
{
	if (load_lac_yaml(p, dir))
		return -1;
	if (p->ngraph_files)
		load_graph(p);
	load_audiences(p);
	return p->diags.nerrors ? -1 : 0;
}
