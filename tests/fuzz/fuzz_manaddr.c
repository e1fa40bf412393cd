/* fuzz_manaddr.c — libFuzzer target: seeded discovery's decoders of LLDP
 * management-address indexes and CDP cache addresses, and the allowed-range
 * parser (collector/inventory/manaddr.c). Whatever comes out must be an
 * address the range check and the numeric order accept. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *addr)
{
	unsigned char b[16];
	if (inet_pton(AF_INET, addr, b) != 1 && inet_pton(AF_INET6, addr, b) != 1)
		abort();
	if (disco_addr_cmp(addr, addr) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[64], text[80], err[128];
	uint32_t arcs[40];
	size_t n = 0;

	/* arcs: each byte an arc, a 0xff byte makes the next two one large arc */
	for (size_t i = 0; i < size && n < 40; i++) {
		if (data[i] == 0xff && i + 2 < size) {
			arcs[n++] = (uint32_t)data[i + 1] << 8 | data[i + 2];
			i += 2;
		} else {
			arcs[n++] = data[i];
		}
	}
	if (disco_lldp_manaddr(arcs, n, out, sizeof(out)) == 0)
		check(out);
	if (size >= 1 && disco_cdp_addr(data[0], data + 1, size - 1, out, sizeof(out)) == 0)
		check(out);
	size_t l = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, l);
	text[l] = '\0';
	struct disco_cidr c;
	if (disco_cidr_parse(text, &c, err, sizeof(err)) == 0) {
		disco_cidr_contains(&c, "10.0.0.1");
		disco_cidr_contains(&c, "2001:db8::1");
	}
	disco_addr_cmp(text, "10.0.0.1");
	return 0;
}
