/*
 * time.h — ISO-8601 UTC timestamps <-> Unix seconds.
 */
#ifndef LAC_TIME_H
#define LAC_TIME_H

#include <stdint.h>

/* "2025-01-31T08:30:00Z" (fraction and +hh:mm offsets accepted) -> Unix
 * seconds.  0, or -1 when it is not such a timestamp. */
int time_parse_iso(const char *iso, int64_t *out);
/* Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ". */
void time_format_iso(int64_t t, char out[32]);

#endif
