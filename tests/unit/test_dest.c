/* test_dest.c — the outbox (idempotence, order, chunking, retention) and
 * the local destinations (file appends whole lines, stdout) driven through
 * deliver_outbox.  HTTP destinations are tested end to end in
 * tests/e2e/delivery.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dest.h"
#include "outbox.h"
#include "state.h"

static char tmpdir[64];
static struct state *st;

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/lac-dest-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	char *path = xasprintf("%s/state.db", tmpdir);
	struct strbuf err = STRBUF_INIT;
	int rc = state_open(&st, path, STATE_RW, &err);
	sb_release(&err);
	free(path);
	return rc;
}

static int teardown(void **state)
{
	state_close(st);
	st = NULL;
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void add_events(const char *dest, const char *run, int from, int to, int64_t now)
{
	struct outbox_writer *w = outbox_writer_new(st, now);
	for (int i = from; i < to; i++) {
		char id[32], json[64];
		snprintf(id, sizeof(id), "%s-%05d", dest, i);
		snprintf(json, sizeof(json), "{\"messageId\":\"%s\",\"n\":%d}", id, i);
		struct outbox_event ev = { id, dest, "pets", "act", run, json, strlen(json) };
		assert_true(outbox_add(w, &ev) >= 0);
	}
	assert_int_equal(outbox_writer_finish(w), 0);
}

static void test_enqueue_idempotent_across_chunks(void **state)
{
	add_events("a", "r1", 0, OUTBOX_CHUNK + 50, 100);
	/* a replayed (crashed) run re-adds the same events: nothing changes */
	add_events("a", "r1", 0, OUTBOX_CHUNK + 50, 100);
	assert_int_equal(outbox_count(st, "a", OUTBOX_PENDING), OUTBOX_CHUNK + 50);
	struct delivery_counts c;
	assert_int_equal(state_get_counts(st, "r1", "pets", "act", &c), 0);
	assert_int_equal(c.from_audience, OUTBOX_CHUNK + 50);
	assert_int_equal(c.pending, OUTBOX_CHUNK + 50);
	/* an aborted writer rolls back its chunk */
	struct outbox_writer *w = outbox_writer_new(st, 100);
	struct outbox_event ev = { "zz", "a", "pets", "act", "r1", "{}", 2 };
	assert_int_equal(outbox_add(w, &ev), 1);
	outbox_writer_abort(w);
	assert_int_equal(outbox_count(st, "a", OUTBOX_PENDING), OUTBOX_CHUNK + 50);
}

static void test_cursor_retries_first(void **state)
{
	add_events("b", "r1", 0, 10, 100);
	assert_int_equal(outbox_mark(st, "b-00007", OUTBOX_FAILED, "HTTP 400", 101), 0);
	assert_int_equal(outbox_mark(st, "b-00003", OUTBOX_PENDING, "HTTP 503", 101), 0);
	assert_int_equal(outbox_mark(st, "b-00001", OUTBOX_DELIVERED, NULL, 101), 0);
	add_events("other", "r1", 0, 3, 100);
	struct outbox_cursor *c = outbox_cursor_open(st, "b", 3); /* small pages */
	const char *want[] = { "b-00003", "b-00007", "b-00000", "b-00002", "b-00004", "b-00005",
			       "b-00006", "b-00008", "b-00009" };
	size_t n = 0;
	int err;
	const struct outbox_row *r;
	while ((r = outbox_cursor_next(c, &err)) != NULL) {
		assert_true(n < ARRAY_LEN(want));
		assert_string_equal(r->message_id, want[n]);
		/* marking while iterating neither repeats nor skips rows */
		assert_int_equal(outbox_mark(st, r->message_id, OUTBOX_PENDING, "x", 102), 0);
		n++;
	}
	assert_int_equal(err, 0);
	assert_int_equal(n, ARRAY_LEN(want));
	outbox_cursor_close(c);
}

static void test_retention(void **state)
{
	add_events("c", "r1", 0, 4, 1000);
	add_events("c", "r2", 4, 6, 5000);
	assert_int_equal(outbox_mark(st, "c-00000", OUTBOX_FAILED, "HTTP 400", 1001), 0);
	assert_int_equal(outbox_mark(st, "c-00001", OUTBOX_DELIVERED, NULL, 1001), 0);
	/* retention 1000 s at t=3000: the r1 events go, r2 stays */
	assert_int_equal(outbox_expire(st, 3000, 1000), 4);
	assert_int_equal(outbox_count(st, "c", OUTBOX_PENDING), 2);
	assert_int_equal(outbox_count(st, "c", OUTBOX_FAILED), 0);
	struct delivery_counts k;
	assert_int_equal(state_get_counts(st, "r1", "pets", "act", &k), 0);
	/* given up: counted as failed, not as pending */
	assert_int_equal(k.pending, 0);
	assert_int_equal(k.failed, 3);
	assert_int_equal(k.delivered, 1);
}

static void test_file_destination_appends_lines(void **state)
{
	char *path = xasprintf("%s/out/events.jsonl", tmpdir);
	FILE *f;
	struct dest_config cfg = { 0 };
	dest_config_defaults(&cfg);
	cfg.name = "f";
	cfg.type = "file";
	cfg.path = path;
	struct dest *d;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	/* content already in the file is kept: lines are only appended */
	f = fopen(path, "a");
	fputs("{\"old\":1}\n", f);
	fclose(f);
	add_events("f", "r1", 0, 12500, 100);
	struct deliver_stats ds;
	assert_int_equal(deliver_outbox(st, d, 200, &ds, &err), 0);
	assert_int_equal(ds.delivered, 12500);
	assert_true(ds.pages >= 3); /* 5000 events a page */
	/* nothing left: a second delivery sends nothing */
	assert_int_equal(deliver_outbox(st, d, 201, &ds, &err), 0);
	assert_int_equal(ds.delivered, 0);
	dest_close(d);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	f = fopen(path, "r");
	char line[256];
	int n = 0;
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "{\"old\":1}\n");
	while (fgets(line, sizeof(line), f)) {
		char want[80];
		snprintf(want, sizeof(want), "{\"messageId\":\"f-%05d\",\"n\":%d}\n", n, n);
		assert_string_equal(line, want);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 12500);
	struct delivery_counts k;
	assert_int_equal(state_get_counts(st, "r1", "pets", "act", &k), 0);
	assert_int_equal(k.delivered, 12500);
	assert_int_equal(k.pending, 0);
	sb_release(&err);
	free(path);
}

static void test_stdout_destination(void **state)
{
	FILE *out = tmpfile();
	struct dest_config cfg = { 0 };
	dest_config_defaults(&cfg);
	cfg.name = "s";
	cfg.type = "stdout";
	cfg.out = out;
	struct dest *d;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(dest_open(&cfg, &d, &err), 0);
	add_events("s", "r1", 0, 3, 100);
	struct deliver_stats ds;
	assert_int_equal(deliver_outbox(st, d, 200, &ds, &err), 0);
	assert_int_equal(ds.delivered, 3);
	dest_close(d);
	rewind(out);
	char buf[512];
	size_t n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	assert_string_equal(buf, "{\"messageId\":\"s-00000\",\"n\":0}\n{\"messageId\":\"s-00001\",\"n\":1}\n"
			    "{\"messageId\":\"s-00002\",\"n\":2}\n");
	fclose(out);

	/* unknown types are refused with a message naming them */
	cfg.type = "carrier-pigeon";
	assert_int_equal(dest_open(&cfg, &d, &err), -1);
	assert_non_null(strstr(err.buf, "carrier-pigeon"));
	sb_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enqueue_idempotent_across_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_retries_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_destination_appends_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdout_destination, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
