/*
 * wh_kind.c — the lac.yaml settings of every warehouse type (wh_kind.h).
 * docs/warehouses.md shows the same table to users.
 */
#include <string.h>

#include "base/util.h"
#include "project/wh_kind.h"

#define KEYS(a) a, ARRAY_LEN(a)

static const struct wh_key sqlite_keys[] = {
	{ "path", false, WH_TEXT },
	{ "schema", false, WH_TEXT },
	{ "timeout", false, WH_DURATION },
};
/* libpq: the DSN names the host, so no endpoint */
static const struct wh_key pg_keys[] = {
	{ "dsn", true, WH_TEXT },
	{ "schema", false, WH_TEXT },
	{ "timeout", false, WH_DURATION },
};
static const struct wh_key snowflake_keys[] = {
	{ "account", true, WH_TEXT },
	{ "user", true, WH_TEXT },
	{ "private_key_path", false, WH_TEXT },
	{ "private_key", false, WH_TEXT },
	{ "token", false, WH_TEXT },
	{ "private_key_passphrase", false, WH_TEXT },
	{ "role", false, WH_TEXT },
	{ "warehouse", false, WH_TEXT },
	{ "database", false, WH_TEXT },
	{ "schema", false, WH_TEXT },
	{ "endpoint", false, WH_TEXT },
	{ "timeout", false, WH_DURATION },
};
static const struct wh_auth snowflake_auth[] = {
	{ { "private_key_path" } }, { { "private_key" } }, { { "token" } },
};
static const struct wh_key bigquery_keys[] = {
	{ "project", true, WH_TEXT },
	{ "location", false, WH_TEXT },
	{ "credentials", false, WH_TEXT },
	{ "token", false, WH_TEXT },
	{ "maximum_bytes_billed", false, WH_COUNT },
	{ "schema", false, WH_TEXT },
	{ "endpoint", false, WH_TEXT },
	{ "timeout", false, WH_DURATION },
};
static const struct wh_auth bigquery_auth[] = {
	{ { "credentials" } }, { { "token" } },
};
static const struct wh_key databricks_keys[] = {
	{ "endpoint", true, WH_TEXT },
	{ "warehouse_id", true, WH_TEXT },
	{ "token", false, WH_TEXT },
	{ "client_id", false, WH_TEXT },
	{ "client_secret", false, WH_TEXT },
	{ "catalog", false, WH_TEXT },
	{ "schema", false, WH_TEXT },
	{ "timeout", false, WH_DURATION },
};
static const struct wh_auth databricks_auth[] = {
	{ { "token" } }, { { "client_id", "client_secret" } },
};

static const struct wh_kind kinds[] = {
	{ "sqlite", WH_SQLITE, KEYS(sqlite_keys), NULL, 0 },
	{ "postgres", WH_POSTGRES, KEYS(pg_keys), NULL, 0 },
	{ "redshift", WH_REDSHIFT, KEYS(pg_keys), NULL, 0 },
	{ "snowflake", WH_SNOWFLAKE, KEYS(snowflake_keys), KEYS(snowflake_auth) },
	{ "bigquery", WH_BIGQUERY, KEYS(bigquery_keys), KEYS(bigquery_auth) },
	{ "databricks", WH_DATABRICKS, KEYS(databricks_keys), KEYS(databricks_auth) },
};

const struct wh_kind *wh_kind_find(const char *type)
{
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		if (type && strcmp(kinds[i].type, type) == 0)
			return &kinds[i];
	return NULL;
}

const struct wh_kind *wh_kind_of(enum warehouse_type id)
{
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		if (kinds[i].id == id)
			return &kinds[i];
	return &kinds[0];
}

const struct wh_kind *wh_kinds(size_t *n)
{
	*n = ARRAY_LEN(kinds);
	return kinds;
}

const struct wh_key *wh_kind_key(const struct wh_kind *k, const char *name)
{
	for (size_t i = 0; i < k->nkeys; i++)
		if (strcmp(k->keys[i].name, name) == 0)
			return &k->keys[i];
	return NULL;
}
