/*
 * acklink.c — one-tap acknowledgement links: a token naming one alert, the
 * channel that carried it and an expiry, with an HMAC under a key kept in
 * the data folder (notify.key, mode 0600, made on first start). The token
 * is "<base64url payload>.<base64url MAC>", payload "id:expires:channel".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/notify/notify.h"
#include "common/log.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

int
acklink_key_load(const char *data_dir, unsigned char key[ACK_KEY_BYTES])
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/notify.key", data_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		struct stat sb;
		ssize_t n = -1;
		if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) == 0)
			n = read(fd, key, ACK_KEY_BYTES);
		close(fd);
		if (n == ACK_KEY_BYTES)
			return 0;
		log_warnx("notify: %s is not a private %d-byte key (mode 0600); move it away to "
		    "make a new one (links sent so far stop working)", path, ACK_KEY_BYTES);
		return -1;
	}
	if (errno != ENOENT) {
		log_warn("notify: cannot read %s", path);
		return -1;
	}
	randombytes_buf(key, ACK_KEY_BYTES);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, key, ACK_KEY_BYTES) != ACK_KEY_BYTES || fsync(fd) < 0) {
		log_warn("notify: cannot write %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void
mac_of(const unsigned char key[ACK_KEY_BYTES], const char *payload, size_t len,
    unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, ACK_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)payload, len);
	crypto_auth_hmacsha256_final(&st, mac);
}

char *
acklink_token(const unsigned char key[ACK_KEY_BYTES], int64_t id, double expires,
    const char *channel)
{
	char payload[256];
	int n = snprintf(payload, sizeof(payload), "%" PRId64 ":%lld:%s", id, (long long)expires,
	    channel);
	if (n < 0 || (size_t)n >= sizeof(payload))
		return NULL;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	mac_of(key, payload, (size_t)n, mac);
	size_t plen = sodium_base64_ENCODED_LEN((size_t)n, B64);
	size_t mlen = sodium_base64_ENCODED_LEN(sizeof(mac), B64);
	char *tok = malloc(plen + mlen + 1);
	if (tok == NULL)
		return NULL;
	sodium_bin2base64(tok, plen, (const unsigned char *)payload, (size_t)n, B64);
	size_t at = strlen(tok);
	tok[at++] = '.';
	sodium_bin2base64(tok + at, mlen, mac, sizeof(mac), B64);
	return tok;
}

int
acklink_verify(const unsigned char key[ACK_KEY_BYTES], const char *token, double now,
    int64_t *id, char *channel, size_t cap)
{
	const char *dot = strchr(token, '.');
	char payload[256];
	unsigned char mac[crypto_auth_hmacsha256_BYTES], want[crypto_auth_hmacsha256_BYTES];
	size_t plen, mlen;
	const char *end;
	if (dot == NULL || strlen(token) > 512 ||
	    sodium_base642bin((unsigned char *)payload, sizeof(payload) - 1, token,
	    (size_t)(dot - token), NULL, &plen, &end, B64) != 0 || end != dot ||
	    sodium_base642bin(mac, sizeof(mac), dot + 1, strlen(dot + 1), NULL, &mlen, &end,
	    B64) != 0 || *end != '\0' || mlen != sizeof(mac))
		return -1;
	mac_of(key, payload, plen, want);
	if (sodium_memcmp(mac, want, sizeof(mac)) != 0)
		return -1;
	payload[plen] = '\0';
	long long aid, exp;
	int off = 0;
	if (sscanf(payload, "%lld:%lld:%n", &aid, &exp, &off) != 2 || off == 0)
		return -1;
	if ((double)exp < now)
		return -2;
	*id = aid;
	snprintf(channel, cap, "%s", payload + off);
	return 0;
}
