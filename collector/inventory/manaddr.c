/*
 * manaddr.c — pure helpers of seeded discovery: neighbour management
 * addresses as LLDP and CDP encode them, and the "allowed" CIDR ranges
 * every address is checked against before a packet is sent. No I/O; fuzzed
 * (tests/fuzz/fuzz_manaddr.c) and unit-tested (tests/unit/test_manaddr.c).
 */
#include "collector/inventory/inventory.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Bytes of an IPv4 (family 1) or IPv6 (2) address into text. */
static int
ip_text(int v6, const unsigned char *b, char *out, size_t outlen)
{
	if (outlen < INET6_ADDRSTRLEN)
		return -1;
	if (inet_ntop(v6 ? AF_INET6 : AF_INET, b, out, (socklen_t)outlen) == NULL)
		return -1;
	/* 0.0.0.0, ::, and multicast are nobody's management address */
	if (!v6 && (b[0] == 0 || b[0] >= 224))
		return -1;
	if (v6 && (b[0] == 0xff || memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) == 0))
		return -1;
	return 0;
}

/*
 * lldpRemManAddrTable index: lldpRemTimeMark, lldpRemLocalPortNum,
 * lldpRemIndex, lldpRemManAddrSubtype (IANA: 1 ipv4, 2 ipv6), then
 * lldpRemManAddr as an OCTET STRING: its length arc and its bytes (RFC 2578
 * §7.7), or, from some agents, the bytes alone.
 */
int
disco_lldp_manaddr(const uint32_t *idx, size_t n, char *out, size_t outlen)
{
	if (n < 4 + 4)
		return -1;
	uint32_t subtype = idx[3];
	size_t want = subtype == 1 ? 4 : subtype == 2 ? 16 : 0;
	if (want == 0)
		return -1;
	const uint32_t *a = idx + 4;
	size_t rest = n - 4;
	if (rest == want + 1 && a[0] == want) {
		a++;
		rest--;
	}
	if (rest != want)
		return -1;
	unsigned char b[16];
	for (size_t i = 0; i < want; i++) {
		if (a[i] > 255)
			return -1;
		b[i] = (unsigned char)a[i];
	}
	return ip_text(want == 16, b, out, outlen);
}

/* cdpCacheAddressType 1 is ip (4 bytes); 20 is ipv6 (16) on newer IOS. */
int
disco_cdp_addr(long type, const unsigned char *b, size_t len, char *out, size_t outlen)
{
	if (type == 1 && len == 4)
		return ip_text(0, b, out, outlen);
	if (type == 20 && len == 16)
		return ip_text(1, b, out, outlen);
	return -1;
}

/* ---- allowed ranges ------------------------------------------------------ */

int
disco_cidr_parse(const char *text, struct disco_cidr *c, char *err, size_t errlen)
{
	char buf[64];
	if (text == NULL || strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "not a CIDR range");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	char *slash = strchr(buf, '/');
	long prefix = -1;
	if (slash != NULL) {
		const char *d = slash + 1;
		size_t nd = strspn(d, "0123456789");
		*slash = '\0';
		prefix = nd >= 1 && nd <= 3 && d[nd] == '\0' ? strtol(d, NULL, 10) : -2;
	}
	memset(c, 0, sizeof(*c));
	int max;
	if (inet_pton(AF_INET, buf, c->net) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c->net) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		snprintf(err, errlen, "%s: not an address or CIDR range", text);
		return -1;
	}
	if (prefix == -1)
		prefix = max;
	if (prefix < 0 || prefix > max || (c->family == AF_INET && prefix < 8) ||
	    (c->family == AF_INET6 && prefix < 32)) {
		snprintf(err, errlen, "%s: prefix must be /8 to /32 (IPv4) or /32 to /128 (IPv6)",
		    text);
		return -1;
	}
	c->prefix = (int)prefix;
	size_t len = c->family == AF_INET ? 4 : 16;
	for (size_t bit = (size_t)prefix; bit < len * 8; bit++)
		c->net[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
	return 0;
}

int
disco_cidr_contains(const struct disco_cidr *c, const char *addr)
{
	unsigned char b[16];
	if (inet_pton(c->family, addr, b) != 1)
		return 0;
	for (int bit = 0; bit < c->prefix; bit++) {
		unsigned m = 0x80u >> (bit % 8);
		if ((b[bit / 8] & m) != (c->net[bit / 8] & m))
			return 0;
	}
	return 1;
}

/* ---- numeric order of addresses ----------------------------------------- */

/* 4 for IPv4, 6 for IPv6, 0 for a host name; the bytes into b. */
static int
addr_bytes(const char *s, unsigned char *b)
{
	if (s != NULL && inet_pton(AF_INET, s, b) == 1)
		return 4;
	if (s != NULL && inet_pton(AF_INET6, s, b) == 1)
		return 6;
	return 0;
}

int
disco_addr_cmp(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	int fa = addr_bytes(a, x), fb = addr_bytes(b, y);
	if (fa != fb)		/* IPv4, then IPv6, then names */
		return (fa == 0 ? 7 : fa) - (fb == 0 ? 7 : fb);
	if (fa == 0)
		return strcmp(a ? a : "", b ? b : "");
	return memcmp(x, y, fa == 4 ? 4 : 16);
}
