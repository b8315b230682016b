/* test_dest.c — the outbox (chunks, discarding, order, retries, retention) and
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

#include "deliver/dest.h"
#include "state/outbox.h"
#include "state/state.h"

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

/* The outcome the test gives an event: by id, DELIVERED unless listed. */
struct outcome {
	const char *id;
	enum outbox_status status;
	const char *reason;
};

/* Read dest's whole outbox page by page (pages of `page` events), record
 * the outcomes from `outs` and return the ids in the order read,
 * space-separated (malloc'd). */
static char *read_all(const char *dest, size_t page, const struct outcome *outs, size_t nouts,
		      int64_t now)
{
	struct outbox_reader *r = outbox_reader_open(st, dest);
	struct strbuf order = STRBUF_INIT;
	const struct outbox_item *items;
	size_t n;
	int rc;
	while ((rc = outbox_reader_next(r, page, 1 << 20, &items, &n)) > 0) {
		assert_true(n <= page);
		enum outbox_status *status = xcalloc(n, sizeof(*status));
		const char **reasons = xcalloc(n, sizeof(*reasons));
		for (size_t i = 0; i < n; i++) {
			sb_addf(&order, "%s%s", order.len ? " " : "", items[i].message_id);
			status[i] = OUTBOX_DELIVERED;
			for (size_t k = 0; k < nouts; k++)
				if (strcmp(outs[k].id, items[i].message_id) == 0) {
					status[i] = outs[k].status;
					reasons[i] = outs[k].reason;
				}
		}
		assert_int_equal(outbox_reader_done(r, status, reasons, now), 0);
		free(status);
		free(reasons);
	}
	assert_int_equal(rc, 0);
	outbox_reader_close(r);
	return sb_detach(&order);
}

static void test_enqueue_chunks_and_discard(void **state)
{
	add_events("a", "r1", 0, OUTBOX_CHUNK_EVENTS + 50, 100);
	assert_int_equal(outbox_count(st, "a", OUTBOX_PENDING), OUTBOX_CHUNK_EVENTS + 50);
	struct delivery_counts c;
	assert_int_equal(state_get_counts(st, "r1", "pets", "act", &c), 0);
	assert_int_equal(c.from_audience, OUTBOX_CHUNK_EVENTS + 50);
	assert_int_equal(c.pending, OUTBOX_CHUNK_EVENTS + 50);
	/* an aborted writer drops what it had not committed */
	struct outbox_writer *w = outbox_writer_new(st, 100);
	struct outbox_event ev = { "zz", "a", "pets", "act", "r1", "{}", 2 };
	assert_int_equal(outbox_add(w, &ev), 0);
	outbox_writer_abort(w);
	assert_int_equal(outbox_count(st, "a", OUTBOX_PENDING), OUTBOX_CHUNK_EVENTS + 50);
	/* a redone run: its events are discarded, then queued again, once */
	assert_int_equal(outbox_discard_run(st, "r1"), 0);
	assert_int_equal(outbox_count(st, "a", OUTBOX_PENDING), 0);
	assert_int_equal(state_get_counts(st, "r1", "pets", "act", &c), 1);
	add_events("a", "r1", 0, OUTBOX_CHUNK_EVENTS + 50, 100);
	assert_int_equal(outbox_count(st, "a", OUTBOX_PENDING), OUTBOX_CHUNK_EVENTS + 50);
	/* and they are read back once each, in order */
	char *order = read_all("a", 7000, NULL, 0, 101);
	size_t words = 1;
	for (const char *p = order; *p; p++)
		words += *p == ' ';
	assert_int_equal(words, OUTBOX_CHUNK_EVENTS + 50);
	assert_true(strncmp(order, "a-00000 a-00001 a-00002", 23) == 0);
	free(order);
	assert_int_equal(outbox_count(st, "a", OUTBOX_PENDING), 0);
	assert_int_equal(state_get_counts(st, "r1", "pets", "act", &c), 0);
	assert_int_equal(c.delivered, OUTBOX_CHUNK_EVENTS + 50);
}

static void test_reader_retries_first(void **state)
{
	add_events("b", "r1", 0, 10, 100);
	add_events("other", "r1", 0, 3, 100);
	/* first delivery, pages of 3: 7 refused, 3 and 5 not taken */
	const struct outcome first[] = {
		{ "b-00007", OUTBOX_FAILED, "HTTP 400" },
		{ "b-00003", OUTBOX_PENDING, "HTTP 503" },
		{ "b-00005", OUTBOX_PENDING, "HTTP 503" },
	};
	char *order = read_all("b", 3, first, ARRAY_LEN(first), 101);
	assert_string_equal(order, "b-00000 b-00001 b-00002 b-00003 b-00004 b-00005 b-00006 b-00007"
			    " b-00008 b-00009");
	free(order);
	assert_int_equal(outbox_count(st, "b", OUTBOX_PENDING), 2);
	assert_int_equal(outbox_count(st, "b", OUTBOX_FAILED), 1);
	/* next time only those, in queue order; marking while reading neither
	 * repeats nor skips */
	const struct outcome second[] = { { "b-00005", OUTBOX_PENDING, "HTTP 503" } };
	order = read_all("b", 1, second, ARRAY_LEN(second), 102);
	assert_string_equal(order, "b-00003 b-00005 b-00007");
	free(order);
	assert_int_equal(outbox_count(st, "b", OUTBOX_PENDING), 1);
	assert_int_equal(outbox_count(st, "b", OUTBOX_FAILED), 0);
	struct delivery_counts k;
	assert_int_equal(state_get_counts(st, "r1", "pets", "act", &k), 0);
	assert_int_equal(k.delivered, 7 + 2);
	assert_int_equal(k.pending, 1 + 3); /* b-00005 and the other destination's 3 */
	assert_int_equal(k.failed, 0);
	/* the other destination's events were never read */
	assert_int_equal(outbox_count(st, "other", OUTBOX_PENDING), 3);
}

static void test_retention(void **state)
{
	add_events("c", "r1", 0, 4, 1000);
	add_events("c", "r2", 4, 6, 5000);
	/* one page of two from r1's chunk: 0 refused, 1 delivered */
	struct outbox_reader *r = outbox_reader_open(st, "c");
	const struct outbox_item *items;
	size_t n;
	assert_int_equal(outbox_reader_next(r, 2, 1 << 20, &items, &n), 1);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].message_id, "c-00000");
	/* no next page before this one's outcomes */
	const struct outbox_item *again;
	size_t m;
	assert_int_equal(outbox_reader_next(r, 2, 1 << 20, &again, &m), -1);
	enum outbox_status status[2] = { OUTBOX_FAILED, OUTBOX_DELIVERED };
	assert_int_equal(outbox_reader_done(r, status, NULL, 1001), 0);
	outbox_reader_close(r);
	/* retention 1000 s at t=3000: r1's events go (2 left in the chunk, 1 row), r2 stays */
	assert_int_equal(outbox_expire(st, 3000, 1000), 3);
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
	/* content already in the file is kept: lines are only appended, after
	 * a newline that ends a torn last line */
	f = fopen(path, "a");
	fputs("{\"old\":1}\n{\"torn", f);
	fclose(f);
	add_events("f", "r1", 0, 45000, 100);
	struct deliver_stats ds;
	assert_int_equal(deliver_outbox(st, d, 200, &ds, &err), 0);
	assert_int_equal(ds.delivered, 45000);
	assert_int_equal(ds.pages, 3); /* a page per chunk of 20,000 events */
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
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "{\"torn\n");
	while (fgets(line, sizeof(line), f)) {
		char want[80];
		snprintf(want, sizeof(want), "{\"messageId\":\"f-%05d\",\"n\":%d}\n", n, n);
		assert_string_equal(line, want);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 45000);
	struct delivery_counts k;
	assert_int_equal(state_get_counts(st, "r1", "pets", "act", &k), 0);
	assert_int_equal(k.delivered, 45000);
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
		cmocka_unit_test_setup_teardown(test_enqueue_chunks_and_discard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_retries_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_destination_appends_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdout_destination, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
