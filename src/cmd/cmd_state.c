/*
 * cmd_state.c — `lac state SUBCOMMAND`: finds the subcommand in its table
 * and hands it the words after its name (SPEC §1.2).
 */
#include <string.h>

#include "cmd/cli.h"

static const struct {
	const char *name;
	int (*run)(struct cli *c);
} subcommands[] = {
	{ "show", cmd_state_show },
	{ "export", cmd_state_export },
	{ "import", cmd_state_import },
	{ "unlock", cmd_state_unlock },
};

int cmd_state(struct cli *c)
{
	const char *name = c->argc > 1 ? c->argv[1] : NULL;
	for (size_t i = 0; name && i < ARRAY_LEN(subcommands); i++)
		if (strcmp(name, subcommands[i].name) == 0) {
			/* the subcommand's words, in c itself (cli_input_path keeps
			 * what it makes there for main's cli_release) */
			c->argc--;
			c->argv++;
			int rc = subcommands[i].run(c);
			c->argc++;
			c->argv--;
			return rc;
		}
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_LEN(subcommands); i++)
		sb_addf(&names, "%s%s", i ? ", " : "", subcommands[i].name);
	if (name)
		cli_usage_error(c, "unknown state subcommand '%s' (one of: %s)", name, names.buf);
	else
		cli_usage_error(c, "state needs a subcommand: %s", names.buf);
	sb_release(&names);
	return EXIT_USAGE;
}
