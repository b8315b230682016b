/*
 * bench_snowflake_decode.c — how fast lac reads Snowflake SQL API v2
 * result bodies (sf_decode_rows), without sockets: the partitions of a
 * run's diff (member id, change, time stamp) are made in memory as the API
 * sends them (jsonv2: arrays of strings), then decoded one after another as
 * the connector does.  Prints decode_report's line (run.sh runs it once per
 * row count, so each peak RSS is that count's alone).
 *
 * usage: bench_snowflake_decode ROWS [ROWS_PER_PARTITION]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../decode_report.h"
#include "warehouse/snowflake_result.h"

static int count_row(void *arg, int ncol, const char *const *vals)
{
	size_t *n = arg;
	*n += (size_t)ncol > 0 && vals[0] ? 1 : 0;
	return 0;
}

/* Partition k of a diff: rows [first, first + n). */
static void make_partition(struct strbuf *sb, size_t first, size_t n, int with_meta)
{
	sb_reset(sb);
	sb_addstr(sb, "{");
	if (with_meta)
		sb_addstr(sb, "\"statementHandle\":\"01b2-bench\",\"resultSetMetaData\":{\"format\":\"jsonv2\","
			      "\"partitionInfo\":[{\"rowCount\":1}]},");
	sb_addstr(sb, "\"data\":[");
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s[\"p%09zu\",\"%s\",\"2026-01-15T12:00:00Z\",null]", i ? "," : "",
			first + i, (first + i) % 3 ? "entered" : "exited");
	sb_addstr(sb, "]}");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s ROWS [ROWS_PER_PARTITION]\n", argv[0]);
		return 2;
	}
	size_t rows = strtoul(argv[1], NULL, 10);
	size_t per = argc > 2 ? strtoul(argv[2], NULL, 10) : 50000;
	struct strbuf body = STRBUF_INIT, err = STRBUF_INIT;
	size_t seen = 0, bytes = 0;
	double decode_s = 0;
	for (size_t first = 0; first < rows; first += per) {
		size_t n = rows - first < per ? rows - first : per;
		make_partition(&body, first, n, first == 0);
		bytes += body.len;
		double t0 = decode_cpu_s();
		if (sf_decode_rows(body.buf, body.len, count_row, &seen, NULL, &err) < 0) {
			fprintf(stderr, "decode failed: %s\n", err.buf);
			return 1;
		}
		decode_s += decode_cpu_s() - t0;
	}
	if (seen != rows) {
		fprintf(stderr, "decoded %zu rows of %zu\n", seen, rows);
		return 1;
	}
	decode_report("snowflake", (long)rows, (double)bytes, decode_s);
	sb_release(&body);
	sb_release(&err);
	return 0;
}
