/*
 * ber.c — just enough BER to read an SNMPv3 message's engine ID and user
 * name before net-snmp parses it (traps.c localises the configured user's
 * keys for an engine on first sight). Every length is checked against the
 * bytes that are there. Pure.
 */
#include <string.h>

#include "collector/events/events.h"

/* One TLV at *p: its tag, and its value's [start, len); *p moves past it. */
static int
tlv(const unsigned char **p, const unsigned char *end, unsigned char *tag,
    const unsigned char **val, size_t *vlen)
{
	const unsigned char *q = *p;
	if (end - q < 2)
		return -1;
	*tag = *q++;
	size_t n = *q++;
	if (n & 0x80) {
		size_t bytes = n & 0x7f;
		if (bytes == 0 || bytes > 4 || (size_t)(end - q) < bytes)
			return -1;
		n = 0;
		while (bytes-- > 0)
			n = (n << 8) | *q++;
	}
	if ((size_t)(end - q) < n)
		return -1;
	*val = q;
	*vlen = n;
	*p = q + n;
	return 0;
}

int
ber_v3_peek(const unsigned char *buf, size_t len, unsigned char *engine_id,
    size_t *engine_id_len, char *user, size_t user_cap)
{
	const unsigned char *p = buf, *end = buf + len, *v, *msg;
	size_t n;
	unsigned char tag;
	if (tlv(&p, end, &tag, &msg, &n) < 0 || tag != 0x30)
		return -1;
	p = msg;
	end = msg + n;
	/* msgVersion INTEGER 3 */
	if (tlv(&p, end, &tag, &v, &n) < 0 || tag != 0x02 || n != 1 || v[0] != 3)
		return -1;
	/* msgGlobalData SEQUENCE: skipped */
	if (tlv(&p, end, &tag, &v, &n) < 0 || tag != 0x30)
		return -1;
	/* msgSecurityParameters OCTET STRING holding a SEQUENCE */
	if (tlv(&p, end, &tag, &v, &n) < 0 || tag != 0x04)
		return -1;
	const unsigned char *sp = v, *send = v + n;
	if (tlv(&sp, send, &tag, &v, &n) < 0 || tag != 0x30)
		return -1;
	sp = v;
	send = v + n;
	/* engine ID, boots, time, user */
	if (tlv(&sp, send, &tag, &v, &n) < 0 || tag != 0x04 || n > 32)
		return -1;
	memcpy(engine_id, v, n);
	*engine_id_len = n;
	for (int i = 0; i < 2; i++)
		if (tlv(&sp, send, &tag, &v, &n) < 0 || tag != 0x02)
			return -1;
	if (tlv(&sp, send, &tag, &v, &n) < 0 || tag != 0x04 || n >= user_cap ||
	    memchr(v, '\0', n) != NULL)
		return -1;
	memcpy(user, v, n);
	user[n] = '\0';
	return 0;
}
