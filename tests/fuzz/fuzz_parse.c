/*
 * fuzz_parse.c — fuzz target for the .lac front end (jq's tests/jq_fuzz_parse.c
 * habit): any bytes go through parse_source, which must neither crash nor leak
 * and must return a file.
 *
 * Built with -fsanitize=fuzzer this is a libFuzzer target.  Built normally,
 * main() replays every file of the corpus (tests/corpus/lac/ under
 * $LAC_SRCDIR, or the directories and files given as arguments), so the
 * malformed inputs found so far stay a regression test in `make check`.
 * Every hand-written corpus file is malformed: each must produce at least one
 * error.  The campaign's finds (tests/fuzz/campaign.sh, named by their
 * SHA-1) may be valid sources: they need only parse without a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/fmt.h"
#include "lang/parse.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse text into a; NULL (after nothing) when it has an error. */
static struct ast_file *parse_clean(struct arena *a, const char *text, size_t len)
{
	struct source_set ss;
	struct diag_sink d;
	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	uint32_t id = source_add(&ss, "fmt.lac", NULL, 0);
	struct ast_file *f = parse_source(a, &d, id, "fmt.lac", text, len);
	size_t nerr = d.nerrors;
	diag_sink_release(&d);
	source_set_release(&ss);
	return nerr ? NULL : f;
}

/* `lac fmt`'s promise on a file that parses: its output parses too, means
 * the same program (the same syntax dump) and is its own format. */
static void check_fmt(const struct ast_file *f, const char *text, size_t len)
{
	struct arena a = ARENA_INIT;
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT, d1 = STRBUF_INIT, d2 = STRBUF_INIT;
	fmt_file(f, text, len, &once);
	const struct ast_file *g = parse_clean(&a, once.buf ? once.buf : "", once.len);
	if (!g) {
		fprintf(stderr, "fuzz_parse: lac fmt's output does not parse:\n%s", once.buf);
		abort();
	}
	fmt_ast_dump(f, &d1);
	fmt_ast_dump(g, &d2);
	fmt_file(g, once.buf ? once.buf : "", once.len, &twice);
	if (strcmp(d1.buf ? d1.buf : "", d2.buf ? d2.buf : "") != 0) {
		fprintf(stderr, "fuzz_parse: lac fmt changed the meaning:\n%s\n---\n%s", d1.buf, d2.buf);
		abort();
	}
	if (strcmp(once.buf ? once.buf : "", twice.buf ? twice.buf : "") != 0) {
		fprintf(stderr, "fuzz_parse: lac fmt is not idempotent:\n%s\n---\n%s", once.buf, twice.buf);
		abort();
	}
	sb_release(&once);
	sb_release(&twice);
	sb_release(&d1);
	sb_release(&d2);
	arena_release(&a);
}

static size_t parse_once(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct source_set ss;
	struct diag_sink d;

	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	uint32_t id = source_add(&ss, "fuzz.lac", NULL, 0);
	struct ast_file *f = parse_source(&a, &d, id, "fuzz.lac", (const char *)data, size);
	if (!f)
		abort();
	/* render, so the locations are exercised too */
	for (size_t i = 0; i < d.n; i++) {
		struct strbuf sb = STRBUF_INIT;
		diag_format_one(&d, &d.items[i], &sb, false);
		sb_release(&sb);
	}
	size_t nerr = d.nerrors;
	if (!nerr)
		check_fmt(f, (const char *)data, size);
	diag_sink_release(&d);
	source_set_release(&ss);
	arena_release(&a);
	return nerr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_once(data, size);
	return 0;
}

#ifndef LAC_LIBFUZZER
/* A hand-written input is malformed: it must be reported. */
static int run_file(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		fprintf(stderr, "fuzz_parse: cannot read %s\n", path);
		return 1;
	}
	size_t nerr = parse_once((const uint8_t *)text, len);
	free(text);
	if (nerr == 0 && !fuzz_campaign_find(path)) {
		fprintf(stderr, "fuzz_parse: %s: malformed input parsed without an error\n", path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	return fuzz_replay_judged("fuzz_parse", LAC_CORPUS_DIR, argc, argv, run_file);
}
#endif
