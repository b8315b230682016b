/*
 * fuzz_yaml.c — fuzz entry point over the YAML reader and the loaders: each
 * input is parsed by yaml_doc_parse, then loaded as a data graph and as a
 * lac.yaml in a scratch project.  Nothing may crash, leak or trip the
 * sanitizers.  Built with -DLAC_LIBFUZZER it is a libFuzzer target; otherwise
 * main() replays every file of tests/corpus/yaml (a unit test in make check).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "project/project.h"
#include "base/yaml_doc.h"
#include "replay.h"

static char scratch[PATH_MAX];

static void write_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct source_set ss;
	struct diag_sink d;
	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	char *text = xstrndup((const char *)data, size);
	uint32_t id = source_add(&ss, "fuzz.yaml", text, size);
	yaml_doc_parse(&a, &d, id, text, size);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < d.n; i++)
		diag_format_one(&d, &d.items[i], &sb, false);
	sb_release(&sb);
	diag_sink_release(&d);
	source_set_release(&ss);
	arena_release(&a);

	if (!scratch[0]) {
		snprintf(scratch, sizeof scratch, "%s/lac-fuzz.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(scratch))
			abort();
	}
	/* as the data graph */
	static const char lac_yaml[] = "version: 1\n";
	write_file(scratch, "lac.yaml", (const uint8_t *)lac_yaml, sizeof lac_yaml - 1);
	write_file(scratch, "graph.yaml", data, size);
	struct project p;
	project_init(&p);
	project_load_settings_and_graph(&p, scratch);
	sb_init(&sb);
	for (size_t i = 0; i < p.diags.n; i++)
		diag_format_one(&p.diags, &p.diags.items[i], &sb, false);
	sb_release(&sb);
	project_release(&p);
	/* as lac.yaml */
	write_file(scratch, "lac.yaml", data, size);
	project_init(&p);
	project_load_settings_and_graph(&p, scratch);
	project_release(&p);
	return 0;
}

#ifndef LAC_LIBFUZZER
static void cleanup(void)
{
	if (!scratch[0])
		return;
	char *cmd = xasprintf("rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_yaml: could not remove %s\n", scratch);
	free(cmd);
}

int main(int argc, char **argv)
{
	int rc = fuzz_replay_main("fuzz_yaml", LAC_CORPUS_DIR, argc, argv);
	cleanup();
	return rc;
}
#endif
