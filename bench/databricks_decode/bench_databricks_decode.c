/*
 * bench_databricks_decode.c — the Databricks connector's result decoding
 * without sockets: one recorded EXTERNAL_LINKS chunk body (JSON_ARRAY, rows
 * shaped like a run's diff: member id, change, three trait values, one of
 * them often null) decoded by databricks_decode_rows again and again, as
 * the connector decodes chunk after chunk.  Prints decode_report's line
 * after 100k and after 1M rows: the RSS stays flat because only one chunk
 * is held at a time.  Built by run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../decode_report.h"
#include "warehouse/warehouse_databricks.h"

#define ROWS_PER_CHUNK 20000
#define NCOL 5

/* What a consumer does with a row: look at every value. */
static int consume(void *arg, int ncol, const char *const *vals)
{
	size_t *bytes = arg;
	for (int i = 0; i < ncol; i++)
		if (vals[i])
			*bytes += strlen(vals[i]);
	return 0;
}

static char *chunk_body(size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addch(&sb, '[');
	for (int i = 0; i < ROWS_PER_CHUNK; i++)
		sb_addf(&sb, "%s[\"profile_%08d\",\"%s\",\"%d.5\",%s,\"2026-01-15T12:00:%02dZ\"]",
			i ? "," : "", i, i % 3 ? "entered" : "exited", i % 977,
			i % 4 ? "null" : "\"caf\\u00e9 \\\"quoted\\\"\"", i % 60);
	sb_addch(&sb, ']');
	*len = sb.len;
	return sb_detach(&sb);
}

static void run(long rows, const char *body, size_t len)
{
	size_t bytes = 0;
	struct strbuf err = STRBUF_INIT;
	double t0 = decode_cpu_s();
	for (long done = 0; done < rows; done += ROWS_PER_CHUNK) {
		bool stop;
		if (databricks_decode_rows(body, len, NCOL, consume, &bytes, &stop, &err) < 0) {
			fprintf(stderr, "decode failed: %s\n", err.buf);
			exit(1);
		}
	}
	decode_report("databricks", rows, (double)len * ((double)rows / ROWS_PER_CHUNK), decode_cpu_s() - t0);
	sb_release(&err);
}

int main(void)
{
	size_t len;
	char *body = chunk_body(&len);
	run(100000, body, len);
	run(1000000, body, len);
	free(body);
	return 0;
}
