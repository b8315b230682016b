/*
 * fuzz_state_import.c — fuzz entry point over a `lac state export` file as
 * `lac state import` reads it (state/export_file.h): the header line is
 * checked against project "petshop", then every further line is loaded into
 * an empty SQLite state (made once, in a scratch folder, with apply's table
 * of applied texts as the import makes it) inside a
 * transaction that is always rolled back, so each input starts from the
 * same empty state.  Built with -DLAC_LIBFUZZER it is a libFuzzer target;
 * otherwise main() replays every file of tests/corpus/state_export (a unit
 * test in make check).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "plan/plan.h"
#include "state/export_file.h"
#include "replay.h"

static char scratch[PATH_MAX];
static struct state *st;

/* The empty state every input is loaded into. */
static struct state *empty_state(void)
{
	if (st)
		return st;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(scratch, sizeof scratch, "%s/lac-fuzz-import.XXXXXX", tmp);
	if (!mkdtemp(scratch))
		abort();
	char *path = xasprintf("%s/state.db", scratch);
	struct strbuf err = STRBUF_INIT;
	if (state_open(&st, path, STATE_RW, &err) != 0) {
		fprintf(stderr, "fuzz_state_import: %s\n", err.buf);
		abort();
	}
	/* as `lac state import` does: apply's table of applied texts (plan/)
	 * is made outside the migrations */
	struct plan no_changes = { 0 };
	if (state_begin(st) < 0 || plan_store_texts(st, &no_changes, &err) < 0 || state_commit(st) < 0)
		abort();
	sb_release(&err);
	free(path);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0; /* fmemopen refuses an empty buffer */
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		abort();
	struct strbuf err = STRBUF_INIT;
	char *buf = NULL;
	size_t cap = 0, lineno = 0;
	json_t *header = NULL;
	int got = export_next_line(f, "fuzz.jsonl", &lineno, &buf, &cap, &header, &err);
	if (got == 1 && export_check_header(header, "fuzz.jsonl", "petshop", &err) == 0) {
		struct state *s = empty_state();
		json_int_t rows = 0;
		if (state_begin(s) < 0)
			abort();
		int rc = export_import_rows(s, f, "fuzz.jsonl", &lineno, &rows, &err);
		if (rc < 0 && !err.len)
			abort(); /* every refusal says why */
		if (getenv("LAC_FUZZ_VERBOSE"))
			fprintf(stderr, "%s\n", rc < 0 ? err.buf : "imported");
		state_rollback(s);
	}
	json_decref(header);
	free(buf);
	fclose(f);
	sb_release(&err);
	return 0;
}

#ifndef LAC_LIBFUZZER
int main(int argc, char **argv)
{
	int rc = fuzz_replay_main("fuzz_state_import", LAC_CORPUS_DIR, argc, argv);
	state_close(st);
	if (scratch[0]) {
		char *cmd = xasprintf("rm -rf '%s'", scratch);
		if (system(cmd) != 0)
			rc = 1;
		free(cmd);
	}
	return rc;
}
#endif
