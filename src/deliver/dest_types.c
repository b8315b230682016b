/*
 * dest_types.c — the table of destination types: one row per type, with
 * how its lac.yaml settings become a struct dest_config (configure) and its
 * driver (ops).  Which keys a type takes, their defaults and which are
 * required is the same row's key column, kept in project/dest_kind.c (the
 * builtin types) or stdlib/destinations/<type>.yaml (the presets) because the
 * lac.yaml loader below deliver/ checks them; by the time configure runs,
 * the settings are those keys only, defaults filled in.
 */
#include <string.h>

#include "deliver/dest_private.h"
#include "project/project.h"
#include "project/wh_kind.h"
#include "warehouse/warehouse_types.h"

/* A string setting, ${VAR} expanded; NULL when absent (and reported if
 * required).  *rc becomes -1 on a reported problem. */
static const char *str_setting(struct project *p, const struct destination *d, const char *key,
			       bool required, int *rc)
{
	const struct setting *s = destination_setting(d, key);
	if (!s || !s->value) {
		if (required)
			*rc = diag_error(&p->diags, s ? s->loc : d->loc, DIAG_E004,
					 "destination '%s' (type %s) needs '%s'", d->name, d->type, key);
		return NULL;
	}
	const char *v = setting_expand(p, s->value, s->loc);
	if (!v)
		*rc = -1;
	return v;
}

static int configure_file(struct project *p, const struct destination *d, struct dest_config *cfg)
{
	int rc = 0;
	const struct setting *s = destination_setting(d, "path");
	if (s && project_check_path_refs(p, s->value, s->loc) < 0)
		return -1;
	const char *path = str_setting(p, d, "path", true, &rc);
	if (path)
		cfg->path = project_path(p, path);
	return rc;
}

/* webhook: the URL and extra headers. */
static int configure_webhook(struct project *p, const struct destination *d, struct dest_config *cfg)
{
	int rc = 0;
	cfg->url = str_setting(p, d, "url", true, &rc);
	const struct setting *h = destination_setting(d, "headers");
	if (h) {
		cfg->headers = arena_alloc(&p->arena, (h->nchildren + 1) * sizeof(*cfg->headers));
		for (size_t i = 0; i < h->nchildren; i++) {
			const char *v = setting_expand(p, h->children[i].value, h->children[i].loc);
			if (!v) {
				rc = -1;
				continue;
			}
			cfg->headers[cfg->nheaders].name = h->children[i].key;
			cfg->headers[cfg->nheaders++].value = v;
		}
	}
	return rc;
}

/* segment: a webhook's settings and the write key. */
static int configure_segment(struct project *p, const struct destination *d, struct dest_config *cfg)
{
	int rc = configure_webhook(p, d, cfg);
	cfg->write_key = str_setting(p, d, "write_key", true, &rc);
	return rc;
}

/* The project's warehouse, which the `warehouse` destination writes to. */
static int configure_warehouse(struct project *p, const struct destination *d, struct dest_config *cfg)
{
	int rc = 0;
	cfg->table = str_setting(p, d, "table", true, &rc);
	cfg->schema = str_setting(p, d, "schema", false, &rc);
	switch (p->warehouse.type) {
	case WH_SQLITE:
		cfg->wh_type = "sqlite";
		cfg->wh_path = project_path(p, p->warehouse.path);
		return rc;
	case WH_POSTGRES: {
		const struct setting *s = setting_find(p->warehouse.settings, p->warehouse.nsettings, "dsn");
		cfg->wh_type = "postgres";
		if (!s || !s->value)
			return diag_error(&p->diags, d->loc, DIAG_E004,
					  "destination '%s': the postgres warehouse needs a 'dsn' setting", d->name);
		cfg->wh_dsn = setting_expand(p, s->value, s->loc);
		return cfg->wh_dsn ? rc : -1;
	}
	default:
		/* a connector that reads the project's settings itself (Redshift,
		 * Snowflake, BigQuery, Databricks), on a dialect with a JSON column */
		if (dialect_for_warehouse(p->warehouse.type)->json_type) {
			cfg->wh_type = wh_kind_of(p->warehouse.type)->type;
			cfg->wh_project = p;
			return rc;
		}
		return diag_error(&p->diags, d->loc, DIAG_E006,
				  "destination '%s': lac writes events only to a sqlite, postgres, redshift, "
				  "snowflake, bigquery or databricks warehouse", d->name);
	}
}

/* The stdlib presets: the API base URL (defaulted by the preset) and the key. */
static int configure_preset(struct project *p, const struct destination *d, struct dest_config *cfg)
{
	int rc = 0;
	cfg->url = str_setting(p, d, "url", true, &rc);
	cfg->api_key = str_setting(p, d, "api_key", true, &rc);
	return rc;
}

static int configure_braze(struct project *p, const struct destination *d, struct dest_config *cfg)
{
	int rc = configure_preset(p, d, cfg);
	cfg->app_id = str_setting(p, d, "app_id", false, &rc);
	return rc;
}

static int configure_customerio(struct project *p, const struct destination *d, struct dest_config *cfg)
{
	int rc = configure_preset(p, d, cfg);
	cfg->site_id = str_setting(p, d, "site_id", true, &rc);
	return rc;
}

static const struct dest_type types[] = {
	{ "file", configure_file, &dest_file_ops },
	{ "stdout", NULL, &dest_stdout_ops }, /* one JSON event per line: nothing to configure */
	{ "webhook", configure_webhook, &dest_webhook_ops },
	{ "segment", configure_segment, &dest_segment_ops },
	{ "warehouse", configure_warehouse, &dest_warehouse_ops },
	{ "braze", configure_braze, &dest_braze_ops },
	{ "iterable", configure_preset, &dest_iterable_ops },
	{ "customerio", configure_customerio, &dest_customerio_ops },
};

const struct dest_type *dest_type_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (name && strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

bool dest_event_usable(const char *type, const char *json, size_t len, char *why, size_t whylen)
{
	const struct dest_type *t = dest_type_find(type);
	return !t || !t->ops->usable || t->ops->usable(type, json, len, why, whylen);
}

const struct dest_type *dest_types(size_t *n)
{
	*n = ARRAY_LEN(types);
	return types;
}
