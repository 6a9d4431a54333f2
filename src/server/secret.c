/* secret.c -- load or create the server secret; derive the id and token keys from it. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

void
secret_derive(const uint8_t secret[SECRET_LEN], struct keys *out)
{
	static const char id_label[] = "dnsleak test id key v1";
	static const char token_label[] = "dnsleak read token key v1";
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	HMAC(EVP_sha256(), secret, SECRET_LEN, (const uint8_t *)id_label, sizeof(id_label) - 1, mac,
	     &len);
	memcpy(out->id_key, mac, TESTID_KEY_LEN);
	HMAC(EVP_sha256(), secret, SECRET_LEN, (const uint8_t *)token_label,
	     sizeof(token_label) - 1, mac, &len);
	memcpy(out->token_key, mac, TOKEN_KEY_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
}

int
secret_random(uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	return 0;
}

static int
hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int
read_secret(const char *path, uint8_t secret[SECRET_LEN], char *err, size_t err_len)
{
	char text[2 * SECRET_LEN + 8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	int saved = errno;
	close(fd);
	if (n < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(saved));
		return -saved;
	}
	text[n] = '\0';
	size_t len = (size_t)n;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		text[--len] = '\0';
	if (len != 2 * SECRET_LEN) {
		snprintf(err, err_len, "%s: want %d hex digits, found %zu characters", path,
			 2 * SECRET_LEN, len);
		return DL_E_CONFIG;
	}
	for (size_t i = 0; i < SECRET_LEN; i++) {
		int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			snprintf(err, err_len, "%s: not hex at character %zu", path, 2 * i + 1);
			return DL_E_CONFIG;
		}
		secret[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int
create_secret(const char *path, uint8_t secret[SECRET_LEN], char *err, size_t err_len)
{
	char text[2 * SECRET_LEN + 2];
	int rc = secret_random(secret, SECRET_LEN);

	if (rc < 0) {
		snprintf(err, err_len, "getrandom: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < SECRET_LEN; i++)
		snprintf(text + 2 * i, 3, "%02x", secret[i]);
	text[2 * SECRET_LEN] = '\n';
	/* O_EXCL: two nodes starting at once must not both create different secrets. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EEXIST)
			return rc;
		snprintf(err, err_len, "cannot create %s: %s", path, strerror(-rc));
		return rc;
	}
	ssize_t w = write(fd, text, 2 * SECRET_LEN + 1);
	if (w != 2 * SECRET_LEN + 1 || fsync(fd) != 0) {
		rc = w < 0 ? -errno : -EIO;
		snprintf(err, err_len, "cannot write %s: %s", path, strerror(-rc));
		close(fd);
		unlink(path);
		return rc;
	}
	close(fd);
	return 0;
}

int
secret_load(const char *path, struct keys *out, char *err, size_t err_len)
{
	uint8_t secret[SECRET_LEN];
	int rc;

	if (path == NULL || path[0] == '\0') {
		rc = secret_random(secret, SECRET_LEN);
		if (rc < 0) {
			snprintf(err, err_len, "getrandom: %s", strerror(-rc));
			return rc;
		}
		goto derive;
	}
	rc = read_secret(path, secret, err, err_len);
	if (rc == -ENOENT) {
		rc = create_secret(path, secret, err, err_len);
		if (rc == -EEXIST) /* created by someone else meanwhile */
			rc = read_secret(path, secret, err, err_len);
	} else if (rc < 0 && rc > -1000) {
		snprintf(err, err_len, "%s: %s", path, strerror(-rc));
	}
	if (rc < 0)
		return rc;
derive:
	secret_derive(secret, out);
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
}
