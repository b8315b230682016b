/*
 * util.c — allocation wrappers, the arena, strbuf and small string helpers.
 */
#include "base/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static LAC_NORETURN void out_of_memory(size_t n)
{
	fprintf(stderr, "lac: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		out_of_memory(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	sb_vaddf(&sb, fmt, ap);
	return sb_detach(&sb);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void lac_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "lac: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- arena ---------------------------------------------------------------- */

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK_SIZE (64 * 1024)

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK_SIZE / 4 ? n : ARENA_BLOCK_SIZE;
		struct arena_block *nb = xmalloc(sizeof(*nb) + size);
		nb->used = 0;
		nb->size = size;
		if (b && size != ARENA_BLOCK_SIZE) {
			/* a big one-off: keep filling the current block afterwards */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_sprintf(struct arena *a, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	char *p = arena_strndup(a, sb.buf, sb.len);
	sb_release(&sb);
	return p;
}

void *arena_grow(struct arena *a, const void *old, size_t n, size_t cap, size_t size)
{
	void *p = arena_alloc(a, cap * size);
	if (n)
		memcpy(p, old, n * size);
	return p;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

/* ---- strbuf --------------------------------------------------------------- */

char strbuf_empty[1];

void sb_init(struct strbuf *sb)
{
	sb->len = sb->alloc = 0;
	sb->buf = strbuf_empty;
}

void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->alloc)
		return;
	size_t want = sb->len + extra + 1;
	size_t cap = sb->alloc ? sb->alloc : 64;
	while (cap < want)
		cap *= 2;
	if (sb->alloc == 0) {
		sb->buf = xmalloc(cap);
		sb->buf[0] = '\0';
	} else {
		sb->buf = xrealloc(sb->buf, cap);
	}
	sb->alloc = cap;
}

void sb_addmem(struct strbuf *sb, const void *p, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_addch(struct strbuf *sb, char c)
{
	sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void sb_addstr(struct strbuf *sb, const char *s)
{
	sb_addmem(sb, s, strlen(s));
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		LAC_BUG("bad format string '%s'", fmt);
	sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_addindent(struct strbuf *sb, int spaces)
{
	sb_grow(sb, spaces > 0 ? (size_t)spaces : 0);
	for (int i = 0; i < spaces; i++)
		sb->buf[sb->len++] = ' ';
	sb->buf[sb->len] = '\0';
}

void sb_setlen(struct strbuf *sb, size_t len)
{
	if (len > sb->len)
		LAC_BUG("sb_setlen beyond length");
	sb->len = len;
	if (sb->alloc)
		sb->buf[len] = '\0';
}

char *sb_detach(struct strbuf *sb)
{
	char *p = sb->alloc ? sb->buf : xstrdup("");
	sb_init(sb);
	return p;
}

void sb_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb_init(sb);
}

/* ---- misc ----------------------------------------------------------------- */

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sb_addmem(&sb, chunk, n);
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		sb_release(&sb);
		errno = err;
		return NULL;
	}
	if (len)
		*len = sb.len;
	return sb_detach(&sb);
}

bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int str_cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t n = strlen(a), m = strlen(b);
	if ((n > m ? n - m : m - n) > cap)
		return cap + 1;
	size_t *row = xmalloc((m + 1) * sizeof(*row));
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[m];
	free(row);
	return d > cap ? cap + 1 : d;
}

const char *closest_name(const char *name, const char *const *candidates, size_t n)
{
	/* close enough: at most a third of the name's length, and at most 3 edits */
	size_t len = strlen(name);
	size_t cap = len / 3 + 1;
	if (cap > 3)
		cap = 3;
	const char *best = NULL;
	size_t best_d = cap + 1;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(name, candidates[i], cap);
		if (d < best_d && d > 0) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}

void sb_add_did_you_mean(struct strbuf *sb, const char *name, const char *const *candidates, size_t n)
{
	const char *best = closest_name(name, candidates, n);
	if (best)
		sb_addf(sb, " (did you mean '%s'?)", best);
}

void sb_add_shell_word(struct strbuf *sb, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+,:@%=") ==
		      strlen(s)) {
		sb_addstr(sb, s);
		return;
	}
	sb_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_addstr(sb, "'\\''");
		else
			sb_addch(sb, *s);
	}
	sb_addch(sb, '\'');
}

/* ---- secrets -------------------------------------------------------------- */

void sb_redact(struct strbuf *sb, const char *const *secrets, size_t n, size_t min, bool cut)
{
	static const char mark[] = "[redacted]";
	unsigned char *cover = NULL; /* 1 for each byte of sb inside a secret */
	size_t len = sb->len;
	if (min < 1)
		min = 1; /* an empty secret would match everywhere */
	for (size_t i = 0; i < n; i++) {
		size_t k = secrets[i] ? strlen(secrets[i]) : 0;
		if (k < min || !len)
			continue;
		/* every occurrence, overlapping ones included: step one byte, not k */
		for (const char *at = memmem(sb->buf, len, secrets[i], k); at;
		     at = memmem(at + 1, len - (size_t)(at + 1 - sb->buf), secrets[i], k)) {
			if (!cover)
				cover = xcalloc(len, 1);
			memset(cover + (at - sb->buf), 1, k);
		}
		/* cut short: the longest tail that is a beginning of the secret */
		for (size_t t = (k - 1 < len ? k - 1 : len); cut && t > 0; t--) {
			if (memcmp(sb->buf + len - t, secrets[i], t) == 0) {
				if (!cover)
					cover = xcalloc(len, 1);
				memset(cover + len - t, 1, t);
				break;
			}
		}
	}
	if (!cover)
		return;
	struct strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (!cover[i])
			sb_addch(&out, sb->buf[i]);
		else if (i == 0 || !cover[i - 1])
			sb_addstr(&out, mark);
	}
	free(cover);
	/* the old text held secrets: do not leave them in freed memory */
	memset(sb->buf, 0, sb->len);
	sb_release(sb);
	*sb = out;
}

/* ---- UTF-8 ------------------------------------------------------------------ */

size_t utf8_seq(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	if (!n)
		return 0;
	unsigned c = s[0];
	size_t k;
	unsigned v;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, v = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, v = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, v = c & 0x07;
	else
		return 0; /* a continuation byte, an overlong lead (C0, C1) or over U+10FFFF (F5..) */
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if ((k == 3 && v < 0x800) || (k == 4 && v < 0x10000) || v > 0x10FFFF ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0; /* overlong, beyond Unicode, or a UTF-16 surrogate */
	return k;
}

bool utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = utf8_seq(s + i, n - i)))
			return false;
	return true;
}

void sb_add_utf8(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(s + i, n - i);
		if (k) {
			sb_addmem(sb, s + i, k);
			i += k;
		} else {
			sb_addstr(sb, "\xEF\xBF\xBD"); /* U+FFFD REPLACEMENT CHARACTER */
			i++;
		}
	}
}

/* ---- files ------------------------------------------------------------------ */

/* mkdir one directory; an existing directory is fine, anything else there is not. */
static int mkdir_one(const char *dir, mode_t mode, struct strbuf *err)
{
	if (mkdir(dir, mode) == 0)
		return 0;
	int e = errno;
	struct stat st;
	if (e == EEXIST) {
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		sb_addf(err, "cannot create directory %s: it exists and is not a directory", dir);
		errno = ENOTDIR;
		return -1;
	}
	sb_addf(err, "cannot create directory %s: %s", dir, strerror(e));
	errno = e;
	return -1;
}

int mkdir_parents(const char *path, bool self, mode_t mode, struct strbuf *err)
{
	char *dir = xstrdup(path);
	int rc = 0;
	/* each '/' after a name ends a directory above path; "/" itself and
	 * repeated slashes name nothing new */
	for (char *p = dir + 1; *p && rc == 0; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		rc = mkdir_one(dir, mode, err);
		*p = '/';
	}
	if (rc == 0 && self && *dir)
		rc = mkdir_one(dir, mode, err);
	free(dir);
	return rc;
}

bool ident_is_plain(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}
