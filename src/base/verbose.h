/*
 * verbose.h — `-v`: lac says what it does on stderr, a line each ("lac: v:
 * ..."): every warehouse statement of a run with its duration, every
 * delivery request, its outcome and each retry.  Off unless main turned it
 * on; the text never holds a secret (callers pass redacted messages).
 */
#ifndef LAC_BASE_VERBOSE_H
#define LAC_BASE_VERBOSE_H

#include <stdbool.h>

#include "base/util.h"

void verbose_enable(bool on);
bool verbose_on(void);
/* One line; newlines and other control characters in it become spaces. */
void verbose_log(const char *fmt, ...) LAC_PRINTF(1, 2);

#endif
