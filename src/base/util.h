/*
 * util.h — memory, strings and small containers shared by every module.
 *
 * Allocation never fails from the caller's point of view: x* functions abort
 * with a message on out-of-memory, so no call site checks for NULL (git's
 * wrapper.c habit).  Long-lived compiler data lives in an arena that is freed
 * once per compilation; strbuf is the one growable string builder.
 */
#ifndef LAC_UTIL_H
#define LAC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LAC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LAC_NORETURN __attribute__((noreturn))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) LAC_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap);

/* Broken invariant: prints file:line and aborts.  Never for user errors. */
LAC_NORETURN void lac_bug(const char *file, int line, const char *fmt, ...) LAC_PRINTF(3, 4);
#define LAC_BUG(...) lac_bug(__FILE__, __LINE__, __VA_ARGS__)

/* Grow a (ptr, len, cap) triple so that one more element fits. */
#define VEC_PUSH(ptr, len, cap, value)                                          \
	do {                                                                        \
		if ((len) == (cap)) {                                                   \
			(cap) = (cap) ? (cap) * 2 : 8;                                      \
			(ptr) = xrealloc((ptr), (cap) * sizeof(*(ptr)));                    \
		}                                                                       \
		(ptr)[(len)++] = (value);                                               \
	} while (0)

/* ---- arena: bump allocation, freed all at once ---------------------------- */
struct arena_block;
struct arena {
	struct arena_block *head;
};
#define ARENA_INIT { NULL }
void *arena_alloc(struct arena *a, size_t n);           /* zeroed, 16-aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_sprintf(struct arena *a, const char *fmt, ...) LAC_PRINTF(2, 3);
/* Grow an arena array: returns a copy of old[0..n) with room for cap items. */
void *arena_grow(struct arena *a, const void *old, size_t n, size_t cap, size_t size);
void arena_release(struct arena *a);
#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))

/* Append to an arena array (ptr, n) one element; amortised by doubling at powers of two. */
#define ARENA_PUSH(a, ptr, n, value)                                            \
	do {                                                                        \
		if (((n) & ((n) - 1)) == 0)                                             \
			(ptr) = arena_grow((a), (ptr), (n), (n) ? (n) * 2 : 4, sizeof(*(ptr))); \
		(ptr)[(n)++] = (value);                                                 \
	} while (0)

/* ---- strbuf: growable NUL-terminated string ------------------------------- */
struct strbuf {
	size_t len, alloc;
	char *buf; /* never NULL: points at a static "" until the first append */
};
extern char strbuf_empty[];
#define STRBUF_INIT { 0, 0, strbuf_empty }
void sb_init(struct strbuf *sb);
void sb_grow(struct strbuf *sb, size_t extra);
void sb_addch(struct strbuf *sb, char c);
void sb_addstr(struct strbuf *sb, const char *s);
void sb_addmem(struct strbuf *sb, const void *p, size_t n);
void sb_addf(struct strbuf *sb, const char *fmt, ...) LAC_PRINTF(2, 3);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_addindent(struct strbuf *sb, int spaces);
void sb_setlen(struct strbuf *sb, size_t len);
#define sb_reset(sb) sb_setlen((sb), 0)
char *sb_detach(struct strbuf *sb); /* caller frees; sb is reset */
void sb_release(struct strbuf *sb);

/* ---- misc ----------------------------------------------------------------- */
/* Read a whole file; returns NULL and sets errno on failure. *len gets the size. */
char *read_file(const char *path, size_t *len);
bool str_eq(const char *a, const char *b); /* NULL-safe */
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
/* qsort comparator of an array of strings (const char *): byte order */
int str_cmp_ptr(const void *a, const void *b);
/* Levenshtein distance, capped: returns cap+1 when larger.  For "did you mean". */
size_t edit_distance(const char *a, const char *b, size_t cap);
/* The candidate closest to name (or NULL when none is close enough). */
const char *closest_name(const char *name, const char *const *candidates, size_t n);
/* Append " (did you mean 'x'?)" when a candidate is close to name. */
void sb_add_did_you_mean(struct strbuf *sb, const char *name, const char *const *candidates, size_t n);
/* Append s as one shell word: as it is when it is plain, else in single quotes. */
void sb_add_shell_word(struct strbuf *sb, const char *s);

/* ---- secrets -------------------------------------------------------------- */
/* Replace the secrets in sb by "[redacted]": every byte inside any occurrence
 * of any of the n secrets is covered (overlapping occurrences, a secret inside
 * another) and each run of covered bytes becomes one mark.  NULL secrets and
 * those shorter than min bytes (at least 1) are skipped.  cut: sb holds the
 * start of a longer text that was cut short, so a tail of sb that begins a
 * secret is covered too.  Redact before cutting a message to a length. */
void sb_redact(struct strbuf *sb, const char *const *secrets, size_t n, size_t min, bool cut);

/* ---- UTF-8 ------------------------------------------------------------------ */
/* The length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, at most U+10FFFF) at s, of the n bytes there; 0 if there is none. */
size_t utf8_seq(const char *s, size_t n);
bool utf8_valid(const char *s, size_t n);
/* Append s[0..n) with each byte that does not start a valid sequence (or lies
 * in a broken one) replaced by U+FFFD. */
void sb_add_utf8(struct strbuf *sb, const char *s, size_t n);

/* ---- files ------------------------------------------------------------------ */
/* mkdir -p: create the directories above path (path names a file), and path
 * itself when self.  New directories get mode (less the umask); existing
 * ones are kept as they are.  0, or -1 with "cannot create directory D: why"
 * (or "D exists and is not a directory") in err. */
int mkdir_parents(const char *path, bool self, mode_t mode, struct strbuf *err);

/* A plain identifier: a letter or '_', then letters, digits and '_'
 * (table, column and schema names lac writes unquoted). */
bool ident_is_plain(const char *s);

#endif
