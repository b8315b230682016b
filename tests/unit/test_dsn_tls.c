/* test_dsn_tls.c — what TLS a libpq DSN asks for: a remote host without
 * sslmode gets verify-full, weaker modes are as written, local hosts are
 * left alone, in both the key=value and the URI form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "net/dsn_tls.h"

static int setup(void **state)
{
	(void)state;
	unsetenv("PGHOST");
	unsetenv("PGHOSTADDR");
	return 0;
}

static void test_remote(void **state)
{
	(void)state;
	assert_int_equal(dsn_tls("host=ex.redshift.amazonaws.com port=5439 dbname=dev"), DSN_TLS_IMPLIED);
	assert_int_equal(dsn_tls("postgresql://u:p@ex.redshift.amazonaws.com:5439/dev"), DSN_TLS_IMPLIED);
	assert_int_equal(dsn_tls("host=db.example.com sslmode=verify-full"), DSN_TLS_VERIFIED);
	assert_int_equal(dsn_tls("postgresql://db.example.com/dev?sslmode=verify-full"), DSN_TLS_VERIFIED);
	assert_int_equal(dsn_tls("host=db.example.com sslmode=require"), DSN_TLS_WEAK);
	assert_int_equal(dsn_tls("host=db.example.com sslmode=verify-ca"), DSN_TLS_WEAK);
	assert_int_equal(dsn_tls("postgresql://db.example.com/dev?sslmode=disable"), DSN_TLS_WEAK);
	/* hostaddr is where libpq connects */
	assert_int_equal(dsn_tls("host=localhost hostaddr=10.0.0.5"), DSN_TLS_IMPLIED);
	/* one remote host in a list is enough */
	assert_int_equal(dsn_tls("host=localhost,db.example.com"), DSN_TLS_IMPLIED);
}

static void test_local(void **state)
{
	(void)state;
	assert_int_equal(dsn_tls("dbname=dev"), DSN_TLS_LOCAL);
	assert_int_equal(dsn_tls("host=/tmp/pg dbname=dev"), DSN_TLS_LOCAL);
	assert_int_equal(dsn_tls("host=localhost sslmode=disable"), DSN_TLS_LOCAL);
	assert_int_equal(dsn_tls("host=127.0.0.1 port=5439"), DSN_TLS_LOCAL);
	assert_int_equal(dsn_tls("postgresql://[::1]:5432/dev"), DSN_TLS_LOCAL);
	assert_int_equal(dsn_tls("postgresql:///dev?host=/var/run/postgresql"), DSN_TLS_LOCAL);
	assert_true(dsn_host_is_local(""));
	assert_true(dsn_host_is_local("@abstract"));
	assert_true(dsn_host_is_local("LOCALHOST"));
	assert_false(dsn_host_is_local("127example.com"));
	assert_false(dsn_host_is_local("10.0.0.1"));
}

static void test_environment(void **state)
{
	(void)state;
	/* without a host in the DSN, the one libpq would use */
	setenv("PGHOST", "db.example.com", 1);
	assert_int_equal(dsn_tls("dbname=dev"), DSN_TLS_IMPLIED);
	assert_int_equal(dsn_tls("host=/tmp dbname=dev"), DSN_TLS_LOCAL);
	unsetenv("PGHOST");
}

static void test_unparsed(void **state)
{
	(void)state;
	assert_int_equal(dsn_tls("nonsense"), DSN_TLS_UNPARSED);
	assert_int_equal(dsn_tls("host='unterminated"), DSN_TLS_UNPARSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_remote, setup),
		cmocka_unit_test_setup(test_local, setup),
		cmocka_unit_test_setup(test_environment, setup),
		cmocka_unit_test_setup(test_unparsed, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
