/* test_file_write.c — file_write_atomic: new and replaced files, modes, and
 * a write that fails half way (a file size limit standing in for a full
 * disk) leaving the old file whole and no temporary file behind. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/file_write.h"
#include "base/util.h"

static char dir[] = "/tmp/lac-test-fw.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			char *p = xasprintf("%s/%s", dir, e->d_name);
			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
	return rmdir(dir);
}

static char *slurp(const char *path)
{
	size_t n;
	return read_file(path, &n);
}

static size_t entries(void)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_new_and_replaced(void **state)
{
	char *path = xasprintf("%s/new.sql", dir);
	mode_t old = umask(022);
	assert_int_equal(file_write_atomic(path, "select 1;\n", 10), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	char *text = slurp(path);
	assert_string_equal(text, "select 1;\n");
	free(text);
	/* a replaced file keeps its mode */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(file_write_atomic(path, "select 2;\n", 10), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	text = slurp(path);
	assert_string_equal(text, "select 2;\n");
	free(text);
	assert_int_equal(entries(), 1);
	umask(old);
	unlink(path);
	free(path);
}

static void test_failed_write_keeps_old(void **state)
{
	char *path = xasprintf("%s/kept.sql", dir);
	assert_int_equal(file_write_atomic(path, "old\n", 4), 0);
	/* files may grow to 100 bytes: the write of 4096 fails with EFBIG */
	struct rlimit was, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	lim = was;
	lim.rlim_cur = 100;
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	char big[4096];
	memset(big, 'x', sizeof(big));
	errno = 0;
	int rc = file_write_atomic(path, big, sizeof(big));
	int e = errno;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(rc, -1);
	assert_int_equal(e, EFBIG);
	char *text = slurp(path);
	assert_string_equal(text, "old\n");
	free(text);
	assert_int_equal(entries(), 1); /* no temporary file left */
	unlink(path);
	free(path);
}

static void test_private(void **state)
{
	char *path = xasprintf("%s/plan.json", dir);
	assert_int_equal(file_write_atomic(path, "{}", 2), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(file_write_private(path, "{\"a\":1}", 7), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	char *text = slurp(path);
	assert_string_equal(text, "{\"a\":1}");
	free(text);
	unlink(path);
	assert_int_equal(file_write_private(path, "x", 1), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	unlink(path);
	free(path);
}

static void test_missing_directory(void **state)
{
	char *path = xasprintf("%s/no/such.sql", dir);
	errno = 0;
	assert_int_equal(file_write_atomic(path, "x", 1), -1);
	assert_int_equal(errno, ENOENT);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_replaced),
		cmocka_unit_test(test_failed_write_keeps_old),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_missing_directory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
