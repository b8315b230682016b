/*
 * bench_bq_decode.c — BigQuery result decoding without sockets: pages of
 * 10,000 rows shaped like a run's diff (member_id, change, values hash,
 * a TIMESTAMP) decoded by bq_decode_page, as the connector reads them,
 * for 100k and 1M rows.  Prints decode_report's line after each case (the
 * pages are decoded one at a time, so the peak RSS stays flat).
 * Built by run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../decode_report.h"
#include "warehouse/warehouse_bigquery.h"

#define PAGE_ROWS 10000

/* One getQueryResults page of n rows starting at row first. */
static void make_page(struct strbuf *sb, long first, int n)
{
	sb_reset(sb);
	sb_addstr(sb, "{\"kind\":\"bigquery#getQueryResultsResponse\",\"jobComplete\":true,"
		      "\"jobReference\":{\"projectId\":\"p\",\"jobId\":\"job_bench\",\"location\":\"EU\"},"
		      "\"schema\":{\"fields\":[{\"name\":\"member_id\",\"type\":\"STRING\"},"
		      "{\"name\":\"change\",\"type\":\"STRING\"},{\"name\":\"h\",\"type\":\"STRING\"},"
		      "{\"name\":\"at\",\"type\":\"TIMESTAMP\"}]},\"rows\":[");
	for (int i = 0; i < n; i++)
		sb_addf(sb, "%s{\"f\":[{\"v\":\"member-%08ld\"},{\"v\":\"%s\"},{\"v\":\"%016lx\"},"
			"{\"v\":\"%ld\"}]}", i ? "," : "", first + i, i % 3 ? "entered" : "exited",
			(unsigned long)(first + i) * 2654435761UL, 1736942400000000L + (first + i) * 1000);
	sb_addstr(sb, "],\"totalRows\":\"1000000\",\"pageToken\":\"next\"}");
}

static int count_row(void *arg, int ncol, const char *const *vals)
{
	size_t *bytes = arg;
	for (int i = 0; i < ncol; i++)
		*bytes += vals[i] ? strlen(vals[i]) : 0;
	return 0;
}

static void run_case(long rows)
{
	struct strbuf page = STRBUF_INIT, err = STRBUF_INIT;
	size_t bytes = 0;
	double cpu = 0, json = 0;
	for (long first = 0; first < rows; first += PAGE_ROWS) {
		make_page(&page, first, PAGE_ROWS);
		json += (double)page.len;
		double t0 = decode_cpu_s();
		struct bq_page pg;
		if (bq_decode_page(page.buf, page.len, count_row, &bytes, &pg, &err) < 0) {
			fprintf(stderr, "decode failed: %s\n", err.buf);
			exit(1);
		}
		cpu += decode_cpu_s() - t0;
		bq_page_release(&pg);
	}
	decode_report("bigquery", rows, json, cpu);
	sb_release(&page);
	sb_release(&err);
}

int main(void)
{
	run_case(100000);
	run_case(1000000);
	return 0;
}
