/*
 * options.h — the one option parser of the command line: main's global
 * options and every command's own are each a table of struct opt.
 *
 * A long option is written "--name VALUE" or "--name=VALUE", a short one
 * "-n VALUE" or "-nVALUE"; "--" ends the options; "-" alone is an argument.
 * Options and arguments may come in any order.  Parsing stops at the first
 * mistake, in argument order, with the message the table gives for it.
 */
#ifndef LAC_CMD_OPTIONS_H
#define LAC_CMD_OPTIONS_H

#include <stdbool.h>

#include "base/util.h"

struct opt {
	const char *name;       /* "--out", or NULL */
	const char *short_name; /* "-o", or NULL */
	bool *flag;             /* a flag (no value): set to true */
	const char **value;     /* an option with a value: stored here, or */
	/* ... checked and stored by take (0, or -1 with the message in err) */
	int (*take)(void *arg, const char *value, struct strbuf *err);
	void *arg;
	const char *missing;    /* the value is missing; %s: the option as written
				 * ("option '%s' needs a value" when NULL) */
	bool many;              /* take also the words after the value, up to the
				 * next option ("--select a b"; not after "=") */
};

#define OPT_FLAG(name, short_name, flag) { (name), (short_name), (flag), NULL, NULL, NULL, NULL, false }
#define OPT_VALUE(name, short_name, value, missing) \
	{ (name), (short_name), NULL, (value), NULL, NULL, (missing), false }
#define OPT_TAKE(name, short_name, take, arg, missing) \
	{ (name), (short_name), NULL, NULL, (take), (arg), (missing), false }
#define OPT_TAKE_MANY(name, take, arg, missing) \
	{ (name), NULL, NULL, NULL, (take), (arg), (missing), true }

struct opt_table {
	const struct opt *opts;
	size_t n;
	const char *unknown;  /* %s: the option as written; "unknown option '%s'" when NULL */
	/* with too_many set, at most max_args arguments: one more is a mistake
	 * at once, too_many formatted with the first argument (when max_args is
	 * 1) and the extra one; without it, any number */
	const char *too_many;
	size_t max_args;
	bool abbrev;          /* unique prefixes of long names count (getopt_long's habit) */
	bool pass_unknown;    /* unknown options are arguments too (left to someone else) */
	bool keep_rest;       /* "--" and all after it are arguments, "--" included */
};

/* The options part of a table: { OPT_TABLE(opts), .max_args = ... } */
#define OPT_TABLE(array) .opts = (array), .n = ARRAY_LEN(array)

/* The arguments, in order; v[n] is NULL. */
struct opt_args {
	const char **v;
	size_t n;
};

/* Parse argv[0..argc-1] (the words after the command's name).  0, or -1
 * with the message in err (args then holds nothing to release). */
int opt_parse(const struct opt_table *t, int argc, char **argv, struct opt_args *args,
	      struct strbuf *err);
void opt_args_release(struct opt_args *args);

#endif
