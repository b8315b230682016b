/*
 * dest_kind.c — the lac.yaml settings of the builtin destination types
 * (dest_kind.h).  The HTTP types' timeout and max_retries defaults are the
 * ones dest_config_defaults applies (deliver/dest.c), written out as the
 * presets write them.
 */
#include <string.h>

#include "base/util.h"
#include "project/dest_kind.h"

#define KEYS(a) a, ARRAY_LEN(a)

static const struct dest_key file_keys[] = {
	{ .name = "path", .required = true },
};
static const struct dest_key webhook_keys[] = {
	{ .name = "url", .required = true },
	{ .name = "headers", .map = true },
	{ .name = "timeout", .def = "30" },
	{ .name = "max_retries", .def = "5" },
};
static const struct dest_key segment_keys[] = {
	{ .name = "url", .required = true },
	{ .name = "write_key", .required = true },
	{ .name = "timeout", .def = "30" },
	{ .name = "max_retries", .def = "5" },
};
static const struct dest_key warehouse_keys[] = {
	{ .name = "table", .required = true },
	{ .name = "schema" },
};

static const struct dest_kind builtins[] = {
	{ "file", KEYS(file_keys), true },
	{ "stdout", NULL, 0, false },
	{ "webhook", KEYS(webhook_keys), true },
	{ "segment", KEYS(segment_keys), true },
	{ "warehouse", KEYS(warehouse_keys), false },
};

const struct dest_kind *dest_kind_builtin(const char *type)
{
	for (size_t i = 0; i < ARRAY_LEN(builtins); i++)
		if (type && strcmp(builtins[i].type, type) == 0)
			return &builtins[i];
	return NULL;
}

const struct dest_kind *dest_kind_builtins(size_t *n)
{
	*n = ARRAY_LEN(builtins);
	return builtins;
}

const struct dest_key *dest_kind_key(const struct dest_kind *k, const char *name)
{
	for (size_t i = 0; i < k->nkeys; i++)
		if (strcmp(k->keys[i].name, name) == 0)
			return &k->keys[i];
	return NULL;
}
