/*
 * options.c — the table-driven option parser (options.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"

/* The option of the table a long word names: its exact name, else (with
 * abbrev) the one name it is a unique prefix of.  len is the name's length
 * in word (up to any '='). */
static const struct opt *find_long(const struct opt_table *t, const char *word, size_t len)
{
	const struct opt *prefix = NULL;
	size_t nprefix = 0;
	for (size_t i = 0; i < t->n; i++) {
		const char *name = t->opts[i].name;
		if (!name || strncmp(name, word, len) != 0)
			continue;
		if (name[len] == '\0')
			return &t->opts[i];
		prefix = &t->opts[i];
		nprefix++;
	}
	return t->abbrev && nprefix == 1 ? prefix : NULL;
}

/* The option a short word names: "-o" exactly, or "-oVALUE" for one that
 * takes a value (*attached then points at VALUE). */
static const struct opt *find_short(const struct opt_table *t, const char *word,
				    const char **attached)
{
	*attached = NULL;
	for (size_t i = 0; i < t->n; i++) {
		const char *s = t->opts[i].short_name;
		if (!s || strncmp(s, word, 2) != 0)
			continue;
		if (word[2] == '\0')
			return &t->opts[i];
		if (!t->opts[i].flag) {
			*attached = word + 2;
			return &t->opts[i];
		}
	}
	return NULL;
}

static int take_value(const struct opt *o, const char *value, struct strbuf *err)
{
	if (o->take)
		return o->take(o->arg, value, err);
	*o->value = value;
	return 0;
}

static int add_arg(const struct opt_table *t, struct opt_args *args, const char *a,
		   struct strbuf *err)
{
	if (t->too_many && args->n == t->max_args) {
		if (t->max_args == 1)
			sb_addf(err, t->too_many, args->v[0], a);
		else
			sb_addf(err, t->too_many, a);
		return -1;
	}
	args->v[args->n++] = a;
	return 0;
}

int opt_parse(const struct opt_table *t, int argc, char **argv, struct opt_args *args,
	      struct strbuf *err)
{
	args->v = xcalloc((size_t)argc + 1, sizeof(*args->v));
	args->n = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		const struct opt *o = NULL;
		bool has_value = false;
		if (strcmp(a, "--") == 0) {
			for (i += t->keep_rest ? 0 : 1; i < argc; i++)
				if (add_arg(t, args, argv[i], err) < 0)
					goto fail;
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (add_arg(t, args, a, err) < 0)
				goto fail;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a, '=');
			o = find_long(t, a, eq ? (size_t)(eq - a) : strlen(a));
			if (eq) {
				value = eq + 1;
				has_value = true;
			}
		} else {
			o = find_short(t, a, &value);
			has_value = value != NULL;
		}
		/* a flag given a value is no option of the table either */
		if (!o || (o->flag && has_value)) {
			if (t->pass_unknown) {
				if (add_arg(t, args, a, err) < 0)
					goto fail;
				continue;
			}
			sb_addf(err, t->unknown ? t->unknown : "unknown option '%s'", a);
			goto fail;
		}
		if (o->flag) {
			*o->flag = true;
			continue;
		}
		bool attached = has_value;
		if (!has_value) {
			if (i + 1 >= argc) {
				sb_addf(err, o->missing ? o->missing : "option '%s' needs a value", a);
				goto fail;
			}
			value = argv[++i];
		}
		if (take_value(o, value, err) < 0)
			goto fail;
		while (o->many && !attached && i + 1 < argc && argv[i + 1][0] != '-')
			if (take_value(o, argv[++i], err) < 0)
				goto fail;
	}
	return 0;
fail:
	opt_args_release(args);
	return -1;
}

void opt_args_release(struct opt_args *args)
{
	free(args->v);
	args->v = NULL;
	args->n = 0;
}
