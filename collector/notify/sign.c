/*
 * sign.c — HMAC-SHA256 the way each receiver checks it (hex for the
 * webhook's X-Campusmon-Signature, base64 for DingTalk and Feishu), and
 * the URL escaping their query strings need. libsodium does the hashing.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"

static void
hmac(const char *key, size_t keylen, const void *data, size_t len,
    unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, keylen);
	crypto_auth_hmacsha256_update(&st, data, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

void
nsign_hex(const char *key, const void *data, size_t len, char hex[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	hmac(key, strlen(key), data, len, mac);
	sodium_bin2hex(hex, 65, mac, sizeof(mac));
}

void
nsign_b64(const char *key, size_t keylen, const void *data, size_t len, char *b64, size_t cap)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	hmac(key, keylen, data, len, mac);
	if (cap < sodium_base64_ENCODED_LEN(sizeof(mac), sodium_base64_VARIANT_ORIGINAL)) {
		if (cap > 0)
			b64[0] = '\0';
		return;
	}
	sodium_bin2base64(b64, cap, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
}

char *
nurl_escape(const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(n * 3 + 1), *o = out;
	if (out == NULL)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hexd[*p >> 4];
			*o++ = hexd[*p & 15];
		}
	}
	*o = '\0';
	return out;
}
