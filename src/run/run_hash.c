/*
 * run_hash.c — the applied definition of an audience and its hashes, as
 * `lac apply` stores them and `lac plan` compares them (declared in run.h).
 *
 * An audience's definition is its canonical source (fmt's form, without
 * comments) and the part of the data graph it uses (check/graph_part.h).
 * Its change hash covers fmt's bare form (no activations or `enabled`,
 * which are applied on their own; its alerts included) and that graph part — not the generated
 * SQL, so a lac upgrade that writes different SQL is not a change (plan
 * --sql-diff still shows it).  An activation's hash covers its audience's
 * name and its own canonical definition.
 */
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "check/graph_part.h"
#include "lang/fmt.h"
#include "run/run.h"
#include "sql/dialect.h"
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

char *run_audience_source(const struct ast_audience *a)
{
	struct strbuf sb = STRBUF_INIT;
	fmt_audience_source(a, &sb);
	return sb_detach(&sb);
}

char *run_audience_graph(const struct project *p, const struct ast_audience *a)
{
	return graph_part_json(&p->graph, a);
}

char *run_audience_hash(const struct project *p, const struct ast_audience *a)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "lac-audience-v2\n");
	fmt_audience_definition(a, &sb);
	sb_addstr(&sb, "--\n");
	char *graph = run_audience_graph(p, a);
	sb_addstr(&sb, graph);
	free(graph);
	char *h = sha256_hex(sb.buf, sb.len);
	sb_release(&sb);
	return h;
}

/* Only for audiences an older lac applied (hash only, no stored source):
 * its recipe tells whether the files still match what it applied. */
char *run_audience_hash_v1(const struct project *p, const struct ast_audience *a)
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
	(void)p;
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "lac-activation-v1\n%s\n", act->audience ? act->audience->name : "");
	fmt_activation_definition(act, &sb);
	char *h = sha256_hex(sb.buf, sb.len);
	sb_release(&sb);
	return h;
}

char *run_enrich_fingerprint(const struct ast_activation *act)
{
	/* length-prefixed names: no name can fake a boundary.  The values
	 * hashes are of the values as read back, so their format's version
	 * is part of the enrich: an upgrade that formats them differently
	 * records new hashes without sending values changes (SPEC §5). */
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "lac-enrich-v1\nformat %d\n", DIALECT_READ_BACK_VERSION);
	for (size_t i = 0; i < act->nenrich_traits; i++)
		sb_addf(&sb, "trait %zu:%s\n", strlen(act->enrich_traits[i]), act->enrich_traits[i]);
	for (size_t i = 0; i < act->nenrich_paths; i++) {
		const struct enrich_path *ep = &act->enrich_paths[i];
		sb_addstr(&sb, "path");
		for (size_t k = 0; k < ep->path.n; k++)
			sb_addf(&sb, " %zu:%s", strlen(ep->path.parts[k]), ep->path.parts[k]);
		sb_addstr(&sb, " {");
		for (size_t k = 0; k < ep->ncolumns; k++)
			sb_addf(&sb, " %zu:%s", strlen(ep->columns[k]), ep->columns[k]);
		sb_addstr(&sb, " }\n");
	}
	char *h = sha256_hex(sb.buf, sb.len);
	sb_release(&sb);
	return h;
}

bool run_enrich_differs(const struct ast_activation *act, const struct state_activation *applied)
{
	if (!applied || !applied->values_enrich)
		return false; /* none recorded yet (a state of an older lac): the same */
	char *fp = run_enrich_fingerprint(act);
	bool differs = strcmp(fp, applied->values_enrich) != 0;
	free(fp);
	return differs;
}
