/*
 * file_write.h — replacing a file's contents so that a failure (a full
 * disk, an I/O error) leaves the old file as it was, never a cut one.
 */
#ifndef LAC_FILE_WRITE_H
#define LAC_FILE_WRITE_H

#include <stddef.h>

/*
 * Write text[0..len) to path through a temporary file in the same directory,
 * fsync'd, then renamed over path.  An existing file keeps its mode; a new
 * one gets 0666 less the umask (as fopen would give it).  0, or -1 with errno
 * set, path untouched and no temporary file left behind.
 */
int file_write_atomic(const char *path, const char *text, size_t len);
/* file_write_atomic for a file only its owner may read (a plan): mode 0600,
 * also when it replaces a file that had another. */
int file_write_private(const char *path, const char *text, size_t len);

#endif
