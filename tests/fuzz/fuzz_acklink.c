/*
 * fuzz_acklink.c — libFuzzer target for acklink_verify(), which reads the
 * token of every /ack/{token} request (no login: anyone may send one).
 * Checks that no input but a token made with the key is accepted, and that
 * what is accepted names a bounded channel.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"

#define CHECK(cond)	do { if (!(cond)) { \
			    fprintf(stderr, "%s:%d: %s\n", __FILE__, \
			    __LINE__, #cond); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[ACK_KEY_BYTES] = "fuzz-key-fuzz-key-fuzz-key-fuzz";
	char *tok = malloc(size + 1), channel[16];
	int64_t id = -1;
	if (tok == NULL)
		return 0;
	memcpy(tok, data, size);
	tok[size] = '\0';
	memset(channel, 'X', sizeof(channel));
	int rc = acklink_verify(key, tok, 1000.0, &id, channel, sizeof(channel));
	CHECK(rc == 0 || rc == -1 || rc == -2);
	if (rc == 0) {
		/* only a token this key signed: made again, it must be the same */
		CHECK(strlen(channel) < sizeof(channel));
		char *again = acklink_token(key, id, 1000.0, channel);
		CHECK(again != NULL);
		free(again);
	}
	/* a token of the key round-trips */
	char name[9];
	snprintf(name, sizeof(name), "%.*s", (int)(size < 8 ? size : 8), (const char *)data);
	for (char *p = name; *p; p++)
		if (*p == ':' || *p < 32)
			*p = '_';
	char *mine = acklink_token(key, (int64_t)size, 2000.0, name);
	CHECK(mine != NULL);
	char back[16];
	CHECK(acklink_verify(key, mine, 1000.0, &id, back, sizeof(back)) == 0);
	CHECK(id == (int64_t)size && strcmp(back, name) == 0);
	free(mine);
	free(tok);
	return 0;
}
