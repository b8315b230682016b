/* test_key_file.c — key_file_too_open: private files pass, a group- or
 * world-readable one gets the warning naming the mode; key_file_read reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/key_file.h"

static void test_modes(void **state)
{
	char path[] = "/tmp/lac-test-key.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "KEY\n", 4), 4);
	close(fd);
	struct strbuf why = STRBUF_INIT;
	assert_int_equal(chmod(path, 0600), 0);
	assert_false(key_file_too_open(path, &why));
	assert_int_equal(why.len, 0);
	assert_int_equal(chmod(path, 0400), 0);
	assert_false(key_file_too_open(path, &why));
	assert_int_equal(chmod(path, 0640), 0);
	assert_true(key_file_too_open(path, &why));
	assert_non_null(strstr(why.buf, "can be read by its group (mode 0640)"));
	sb_reset(&why);
	assert_int_equal(chmod(path, 0604), 0);
	assert_true(key_file_too_open(path, &why));
	assert_non_null(strstr(why.buf, "can be read by others (mode 0604)"));
	sb_reset(&why);
	assert_int_equal(chmod(path, 0644), 0);
	assert_true(key_file_too_open(path, &why));
	assert_non_null(strstr(why.buf, "its group and others (mode 0644)"));
	assert_non_null(strstr(why.buf, "chmod 600"));
	size_t len;
	char *text = key_file_read(path, &len);
	assert_non_null(text);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "KEY\n", 4);
	free(text);
	unlink(path);
	sb_reset(&why);
	assert_false(key_file_too_open(path, &why)); /* gone: nothing to say */
	assert_null(key_file_read(path, &len));
	sb_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
