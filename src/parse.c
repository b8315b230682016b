/* parse.c — stub until the grammar lands. */
#include "parse.h"

struct ast_file *parse_source(struct arena *a, struct diag_sink *d, uint32_t file_id,
			      const char *path, const char *text, size_t len)
{
	struct ast_file *f = ARENA_NEW(a, struct ast_file);
	f->path = arena_strdup(a, path);
	f->file_id = file_id;
	return f;
}
