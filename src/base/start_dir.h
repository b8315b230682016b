#ifndef LAC_BASE_START_DIR_H
#define LAC_BASE_START_DIR_H

/* Where the user started lac, for what lac tells them to type.  With -C DIR
 * lac runs in DIR (paths in messages are the project's), but a command it
 * suggests must work where the user is. */

/* lac has entered dir, -C's argument as written. */
void start_dir_entered(const char *dir);
/* path (relative to where lac runs) as the user reaches it from where they
 * started lac: joined to the -C directory; malloc'd. */
char *start_dir_path(const char *path);

#endif
