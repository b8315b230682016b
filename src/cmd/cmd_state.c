/*
 * cmd_state.c — `lac state SUBCOMMAND ...`: the state itself (SPEC §1.2).
 * Each subcommand is a row of the table below with its own function
 * (cmd_state_<name>.c), which gets the words from its name on.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"

struct state_subcommand {
	const char *name;
	int (*run)(struct cli *c); /* c->argv[0] is the subcommand's name */
};

static const struct state_subcommand subcommands[] = {
	{ "unlock", cmd_state_unlock },
};

/* "unlock, show, ...": for the usage messages. */
static void list_names(struct strbuf *sb)
{
	for (size_t i = 0; i < ARRAY_LEN(subcommands); i++)
		sb_addf(sb, "%s%s", i ? ", " : "", subcommands[i].name);
}

int cmd_state(struct cli *c)
{
	struct strbuf names = STRBUF_INIT;
	list_names(&names);
	int rc;
	if (c->argc < 2 || c->argv[1][0] == '-') {
		rc = cli_usage_error(c, "state needs a subcommand: %s", names.buf);
		sb_release(&names);
		return rc;
	}
	for (size_t i = 0; i < ARRAY_LEN(subcommands); i++) {
		if (strcmp(c->argv[1], subcommands[i].name) != 0)
			continue;
		sb_release(&names);
		struct cli sub = *c;
		sub.argc = c->argc - 1;
		sub.argv = c->argv + 1;
		return subcommands[i].run(&sub);
	}
	rc = cli_usage_error(c, "unknown state subcommand '%s' (%s)", c->argv[1], names.buf);
	sb_release(&names);
	return rc;
}
