/*
 * self_dir.h — directories found relative to lac's own executable, so an
 * installed tree (bin/lac, share/lac/...) works wherever it is moved.
 */
#ifndef LAC_SELF_DIR_H
#define LAC_SELF_DIR_H

/* "<directory of exe>/<rel>" when that is a directory, else NULL; malloc'd. */
char *exe_relative_dir(const char *exe, const char *rel);
/* exe_relative_dir for the running executable (/proc/self/exe): for
 * rel "../share/lac/stdlib", the installed stdlib beside bin/lac. */
char *self_relative_dir(const char *rel);

#endif
