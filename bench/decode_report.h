/*
 * bench/decode_report.h — what the three result-decoding benches
 * (bench/{snowflake,bigquery,databricks}_decode) share: the process's CPU
 * clock (the machine is shared, so wall time would measure the neighbours)
 * and the one line each prints per case, so their figures read the same
 * and go into one table of docs/benchmarks.md.
 */
#ifndef LAC_BENCH_DECODE_REPORT_H
#define LAC_BENCH_DECODE_REPORT_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static inline double decode_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CONNECTOR: ROWS rows, JSON_BYTES of response bodies decoded in CPU_S
 * seconds of CPU; the peak RSS is the process's so far. */
static inline void decode_report(const char *connector, long rows, double json_bytes, double cpu_s)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("%-10s %8ld rows  %6.1f MB JSON  %6.2f s CPU  %9.0f rows/s  peak RSS %5.1f MiB\n",
	       connector, rows, json_bytes / 1e6, cpu_s, (double)rows / cpu_s, (double)ru.ru_maxrss / 1024.0);
}

#endif
