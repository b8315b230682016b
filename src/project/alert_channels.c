/*
 * alert_channels.c — lac.yaml's `alerts:` section (SPEC §5 Alerts): the
 * channels alerts notify.  Each type takes only its keys (others are E003,
 * as in every section), its required ones (E004), and values written as
 * they are used: ${VAR} secrets stay unexpanded until a notification is
 * sent (setting_expand remembers them for redaction then).
 */
#include <stdlib.h>
#include <string.h>

#include "base/env.h"
#include "base/yload.h"
#include "project/project_yaml.h"

struct channel_key {
	const char *name;
	bool required;
};

static const struct channel_key slack_keys[] = {
	{ "url", true },
};
static const struct channel_key email_keys[] = {
	{ "smtp_url", true }, { "from", true }, { "to", true }, { "username", false },
	{ "password", false },
};

static const struct {
	const char *type;
	enum alert_channel_type id;
	const struct channel_key *keys;
	size_t nkeys;
} channel_types[] = {
	{ "slack", ALERT_CHANNEL_SLACK, slack_keys, ARRAY_LEN(slack_keys) },
	{ "email", ALERT_CHANNEL_EMAIL, email_keys, ARRAY_LEN(email_keys) },
};

const struct setting *alert_channel_setting(const struct alert_channel *c, const char *key)
{
	return setting_find(c->settings, c->nsettings, key);
}

const struct alert_channel *project_alert_channel(const struct project *p, const char *name)
{
	for (size_t i = 0; i < p->nalert_channels; i++)
		if (strcmp(p->alert_channels[i].name, name) == 0)
			return &p->alert_channels[i];
	return NULL;
}

/* smtp:// (STARTTLS, which lac requires) or smtps:// (TLS from the start);
 * a ${VAR} URL is judged when it is expanded (alert/notify_email.c). */
static void check_smtp_url(struct project *p, const struct setting *s)
{
	if (!s || !s->value || env_has_ref(s->value))
		return;
	if (strncmp(s->value, "smtp://", 7) != 0 && strncmp(s->value, "smtps://", 8) != 0)
		diag_error(&p->diags, s->loc, DIAG_E006,
			   "'smtp_url' must start with smtp:// or smtps://, not '%s'", s->value);
}

static void load_channel(struct project *p, const struct ypair *pr)
{
	const struct ynode *v = pr->value;
	if (!yexpect(&p->diags, v, YN_MAPPING, pr->key))
		return;
	const struct ynode *tn = yrequire(&p->diags, v, "type", "alert channel");
	const char *type = tn ? yscalar(&p->diags, tn, "type") : NULL;
	if (!type)
		return;
	size_t t = 0;
	while (t < ARRAY_LEN(channel_types) && strcmp(channel_types[t].type, type) != 0)
		t++;
	if (t == ARRAY_LEN(channel_types)) {
		const char *names[ARRAY_LEN(channel_types)];
		for (size_t i = 0; i < ARRAY_LEN(channel_types); i++)
			names[i] = channel_types[i].type;
		diag_error(&p->diags, tn->loc, DIAG_E006, "unknown alert channel type '%s'", type);
		diag_hint_closest(&p->diags, type, names, ARRAY_LEN(names));
		diag_hint(&p->diags, "types are slack and email");
		return;
	}
	struct alert_channel c = { .name = pr->key, .type = channel_types[t].id, .loc = pr->key_loc };
	const char **known = NULL;
	size_t nknown = 0;
	ARENA_PUSH(&p->arena, known, nknown, "type");
	for (size_t i = 0; i < channel_types[t].nkeys; i++)
		ARENA_PUSH(&p->arena, known, nknown, channel_types[t].keys[i].name);
	char *where = xasprintf("%s channel '%s'", type, c.name);
	ycheck_keys(&p->diags, v, known, nknown, where);
	for (size_t i = 0; i < channel_types[t].nkeys; i++)
		if (channel_types[t].keys[i].required && !ynode_get(v, channel_types[t].keys[i].name))
			diag_error(&p->diags, yfirst_line(v), DIAG_E004, "missing key '%s' in %s",
				   channel_types[t].keys[i].name, where);
	free(where);
	for (size_t i = 0; i < v->npairs; i++) {
		const struct ypair *kv = &v->pairs[i];
		bool known_key = false;
		for (size_t k = 1; k < nknown; k++)
			known_key |= strcmp(known[k], kv->key) == 0;
		struct setting s;
		if (known_key && project_setting_from(p, kv, &s, false))
			ARENA_PUSH(&p->arena, c.settings, c.nsettings, s);
	}
	check_smtp_url(p, alert_channel_setting(&c, "smtp_url"));
	ARENA_PUSH(&p->arena, p->alert_channels, p->nalert_channels, c);
}

void alert_channels_load(struct project *p, const struct ynode *v)
{
	if (!yexpect(&p->diags, v, YN_MAPPING, "alerts"))
		return;
	static const char *const keys[] = { "channels" };
	ycheck_keys(&p->diags, v, keys, ARRAY_LEN(keys), "alerts");
	const struct ynode *ch = ynode_get(v, "channels");
	if (ch && yexpect(&p->diags, ch, YN_MAPPING, "channels"))
		for (size_t i = 0; i < ch->npairs; i++)
			load_channel(p, &ch->pairs[i]);
}
