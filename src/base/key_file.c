/*
 * key_file.c — key_file_too_open, key_file_read.
 */
#include "base/key_file.h"

#include <stdio.h>
#include <sys/stat.h>

bool key_file_too_open(const char *path, struct strbuf *why)
{
	struct stat st;
	if (stat(path, &st) != 0 || !(st.st_mode & (S_IRGRP | S_IROTH)))
		return false;
	sb_addf(why, "the key file %s can be read by %s (mode %04o); make it private with 'chmod 600 %s'",
		path, (st.st_mode & S_IRGRP) && (st.st_mode & S_IROTH) ? "its group and others"
		: st.st_mode & S_IRGRP ? "its group" : "others",
		(unsigned)(st.st_mode & 07777), path);
	return true;
}

char *key_file_read(const char *path, size_t *len)
{
	struct strbuf why = STRBUF_INIT;
	if (key_file_too_open(path, &why))
		fprintf(stderr, "lac: warning: %s\n", why.buf);
	sb_release(&why);
	return read_file(path, len);
}
