/* test_keys.c — test keys made by the openssl command (test_keys.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "test_keys.h"

static char dir[64];

const char *test_keys_make(void)
{
	strcpy(dir, "/tmp/lac-keys-XXXXXX");
	if (!mkdtemp(dir))
		return NULL;
	char *cmd = xasprintf(
		"cd '%s' && exec >log 2>&1 && "
		"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out plain.pem && "
		"openssl pkcs8 -topk8 -in plain.pem -v2 aes-256-cbc -passout pass:" TEST_KEY_PASS
		" -out enc.pem && "
		"openssl rsa -in plain.pem -traditional -out pkcs1.pem && "
		"openssl pkey -in plain.pem -pubout -out pub.pem && "
		"openssl pkey -in plain.pem -pubout -outform DER | openssl dgst -sha256 -binary "
		"| base64 > fp.txt && "
		"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.pem && "
		"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem && "
		"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out small.pem && "
		"openssl req -x509 -key plain.pem -subj /CN=lac-test -days 1 -out cert.pem && "
		"printf 'not a key at all\\n' > garbage.pem",
		dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? dir : NULL;
}

char *test_keys_path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

char *test_keys_read(const char *name)
{
	char *path = test_keys_path(name);
	size_t len;
	char *text = read_file(path, &len);
	free(path);
	if (text && len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	return text;
}

void test_keys_remove(void)
{
	if (!dir[0])
		return;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}
