/* fuzz_events_trap.c — libFuzzer target: bytes as a raw SNMP message: the
 * v3 header peek (ber_v3_peek) and v1/v2c trap decoding through net-snmp's
 * parser into an event (traps_decode_raw); the event's text must be valid
 * UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/events/events.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char eid[32];
	size_t eidlen;
	char user[64];
	if (ber_v3_peek(data, size, eid, &eidlen, user, sizeof(user)) == 0 &&
	    (eidlen > 32 || strlen(user) >= sizeof(user)))
		abort();
	struct cm_event *ev = traps_decode_raw(data, size, 1796601600.0);
	if (ev != NULL) {
		if (ev->message == NULL || !util_utf8_valid(ev->message, strlen(ev->message)))
			abort();
		for (size_t i = 0; i < ev->n_vb; i++)
			if (!util_utf8_valid(ev->vb[i].value, strlen(ev->vb[i].value)))
				abort();
		cm_event_free(ev);
	}
	return 0;
}
