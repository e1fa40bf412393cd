/*
 * fuzz_cookie.c — libFuzzer target for session_cookie_value(), which reads
 * the Cookie header of every request that has one. Checks that a value is
 * found only whole, inside the buffer, and made of the cookie alphabet.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/auth/auth.h"

#define CHECK(cond)	do { if (!(cond)) { \
			    fprintf(stderr, "%s:%d: %s\n", __FILE__, \
			    __LINE__, #cond); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = malloc(size + 1);
	char out[64];
	if (header == NULL)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	for (size_t cap = 1; cap <= sizeof(out); cap *= 4) {
		memset(out, 'X', sizeof(out));
		int n = session_cookie_value(header, SESSION_COOKIE, out, cap);
		CHECK(n == -1 || (n > 0 && (size_t)n < cap));
		if (n > 0) {
			CHECK(strlen(out) == (size_t)n);
			CHECK(strspn(out, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-_") == (size_t)n);
			CHECK(strstr(header, out) != NULL);
		}
		CHECK(out[sizeof(out) - 1] == 'X' || cap == sizeof(out));
	}
	free(header);
	return 0;
}
