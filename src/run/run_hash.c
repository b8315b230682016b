/*
 * run_hash.c — the definition hashes that `lac apply` stores and `lac plan`
 * compares (declared in run.h, shared with the runner).
 *
 * An audience's hash covers its canonical definition (fmt's bare form: no
 * comments, layout, activations or `enabled`) and the membership SQL it
 * compiles to in the project's dialect, so a data-graph change that changes
 * the SQL is a change too.  An activation's hash covers its audience's name
 * and its own canonical definition.  `enabled` is applied as a flag of its
 * own, so disabling is not also an update.
 */
#include <stdlib.h>
#include <string.h>

#include "lang/fmt.h"
#include "base/sha256.h"
#include "run/run.h"
#include "sql/gen.h"

void run_audience_sql(const struct project *p, const struct ast_audience *a, struct strbuf *out)
{
	/* No reference time (the dialect's clock expression) and every
	 * referenced snapshot assumed present: the text depends only on the
	 * files, never on when or against what it is compiled. */
	struct sql_options o = { .d = dialect_for_warehouse(p->warehouse.type),
				 .schema = p->warehouse.schema };
	sql_membership(out, &p->graph, a, &o);
	sb_addch(out, '\n');
}

char *run_audience_hash(const struct project *p, const struct ast_audience *a)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "lac-audience-v1\n");
	fmt_audience_definition(a, &sb);
	sb_addstr(&sb, "--\n");
	run_audience_sql(p, a, &sb);
	char *h = sha256_hex(sb.buf, sb.len);
	sb_release(&sb);
	return h;
}

char *run_activation_hash(const struct project *p, const struct ast_activation *act)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "lac-activation-v1\n%s\n", act->audience ? act->audience->name : "");
	fmt_activation_definition(act, &sb);
	char *h = sha256_hex(sb.buf, sb.len);
	sb_release(&sb);
	return h;
}
