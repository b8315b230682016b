/*
 * key_file.h — reading a file that holds a private key or credentials, with
 * a warning when others than its owner may read it.
 */
#ifndef LAC_KEY_FILE_H
#define LAC_KEY_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* Whether the file at path can be read by its group or others; when it can,
 * why gets the warning ("the key file P can be read by ... (mode 0644); ..."). */
bool key_file_too_open(const char *path, struct strbuf *why);
/* read_file(path, len), printing "lac: warning: <why>" on stderr first when
 * key_file_too_open.  NULL with errno set when it cannot be read. */
char *key_file_read(const char *path, size_t *len);

#endif
