/* test_sha256.c — the one SHA-256: known vectors (FIPS 180-2), the raw and
 * hex forms agreeing, and the kept context giving the same digest on reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"

static const char EMPTY_HEX[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char ABC_HEX[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

static void test_known_vectors(void **state)
{
	char hex[SHA256_HEX_LEN + 1];
	sha256_hex_to("", 0, hex);
	assert_string_equal(hex, EMPTY_HEX);
	sha256_hex_to("abc", 3, hex);
	assert_string_equal(hex, ABC_HEX);
	/* the two-block vector crosses a 64-byte block boundary */
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex_to(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_raw_matches_hex(void **state)
{
	unsigned char md[SHA256_LEN];
	sha256_digest("abc", 3, md);
	assert_int_equal(md[0], 0xba);
	assert_int_equal(md[1], 0x78);
	assert_int_equal(md[SHA256_LEN - 1], 0xad);
	char *h = sha256_hex("abc", 3);
	assert_string_equal(h, ABC_HEX);
	free(h);
}

static void test_context_reuse(void **state)
{
	/* a context left dirty by one call must not leak into the next */
	char a[SHA256_HEX_LEN + 1], b[SHA256_HEX_LEN + 1];
	for (int i = 0; i < 3; i++) {
		sha256_hex_to("abc", 3, a);
		sha256_hex_to("", 0, b);
		assert_string_equal(a, ABC_HEX);
		assert_string_equal(b, EMPTY_HEX);
	}
	/* only the first len bytes count */
	sha256_hex_to("abcdef", 3, a);
	assert_string_equal(a, ABC_HEX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_raw_matches_hex),
		cmocka_unit_test(test_context_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
