/*
 * test_manaddr.c — seeded discovery's pure helpers (inventory/manaddr.c):
 * LLDP and CDP management addresses, allowed ranges, numeric address order.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "collector/inventory/inventory.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(manaddr, lldp_index_with_and_without_length)
{
	char out[64];
	/* timeMark.localPort.remIndex.subtype.len.bytes */
	const uint32_t v4[] = { 0, 7, 3, 1, 4, 10, 1, 2, 254 };
	cr_assert_eq(disco_lldp_manaddr(v4, N(v4), out, sizeof(out)), 0);
	cr_assert_str_eq(out, "10.1.2.254");
	const uint32_t v4_bare[] = { 100, 7, 3, 1, 192, 168, 0, 1 };	/* no length arc */
	cr_assert_eq(disco_lldp_manaddr(v4_bare, N(v4_bare), out, sizeof(out)), 0);
	cr_assert_str_eq(out, "192.168.0.1");
	const uint32_t v6[] = { 0, 1, 1, 2, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 9 };
	cr_assert_eq(disco_lldp_manaddr(v6, N(v6), out, sizeof(out)), 0);
	cr_assert_str_eq(out, "2001:db8::9");
}

Test(manaddr, lldp_garbage_is_refused)
{
	char out[64];
	const uint32_t *bad[] = {
		(const uint32_t[]){ 0, 1, 1, 1, 4, 10, 1 },		/* short */
		(const uint32_t[]){ 0, 1, 1, 1, 4, 10, 1, 2, 256 },	/* arc > 255 */
		(const uint32_t[]){ 0, 1, 1, 6, 6, 0, 1, 2, 3, 4, 5 },	/* a MAC subtype */
		(const uint32_t[]){ 0, 1, 1, 1, 5, 10, 1, 2, 3 },	/* wrong length arc */
		(const uint32_t[]){ 0, 1, 1, 1, 4, 0, 0, 0, 0 },	/* 0.0.0.0 */
		(const uint32_t[]){ 0, 1, 1, 1, 4, 239, 1, 1, 1 },	/* multicast */
	};
	const size_t len[] = { 7, 9, 11, 9, 9, 9 };
	for (size_t i = 0; i < N(bad); i++)
		cr_expect_eq(disco_lldp_manaddr(bad[i], len[i], out, sizeof(out)), -1, "case %zu", i);
	cr_assert_eq(disco_lldp_manaddr(NULL, 0, out, sizeof(out)), -1);
	const uint32_t ok[] = { 0, 7, 3, 1, 4, 10, 1, 2, 254 };
	cr_assert_eq(disco_lldp_manaddr(ok, N(ok), out, 8), -1);	/* buffer too small */
}

Test(manaddr, cdp_addresses)
{
	char out[64];
	cr_assert_eq(disco_cdp_addr(1, (const unsigned char *)"\x0a\x00\x00\x05", 4, out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "10.0.0.5");
	cr_assert_eq(disco_cdp_addr(1, (const unsigned char *)"\x0a\x00\x00", 3, out,
	    sizeof(out)), -1);
	cr_assert_eq(disco_cdp_addr(7, (const unsigned char *)"\x0a\x00\x00\x05", 4, out,
	    sizeof(out)), -1);
	unsigned char v6[16] = { 0xfe, 0x80 };
	v6[15] = 1;
	cr_assert_eq(disco_cdp_addr(20, v6, 16, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "fe80::1");
}

Test(manaddr, allowed_ranges)
{
	struct disco_cidr c;
	char err[128];
	cr_assert_eq(disco_cidr_parse("10.1.0.0/16", &c, err, sizeof(err)), 0);
	cr_assert(disco_cidr_contains(&c, "10.1.255.3"));
	cr_assert(!disco_cidr_contains(&c, "10.2.0.1"));
	cr_assert(!disco_cidr_contains(&c, "2001:db8::1"));
	cr_assert(!disco_cidr_contains(&c, "sw1.example"));
	cr_assert_eq(disco_cidr_parse("10.1.2.3/8", &c, err, sizeof(err)), 0);	/* host bits cleared */
	cr_assert(disco_cidr_contains(&c, "10.200.0.1"));
	cr_assert_eq(disco_cidr_parse("192.0.2.7", &c, err, sizeof(err)), 0);
	cr_assert(disco_cidr_contains(&c, "192.0.2.7") && !disco_cidr_contains(&c, "192.0.2.8"));
	cr_assert_eq(disco_cidr_parse("2001:db8::/48", &c, err, sizeof(err)), 0);
	cr_assert(disco_cidr_contains(&c, "2001:db8:0:ffff::1"));
	const char *bad[] = { "0.0.0.0/0", "10.0.0.0/7", "10.0.0.0/33", "10.0.0.0/-1", "x/8",
		"::/0", "10.0.0.0/", "10.0.0.0/8/8", "" };
	for (size_t i = 0; i < N(bad); i++)
		cr_expect_eq(disco_cidr_parse(bad[i], &c, err, sizeof(err)), -1, "%s", bad[i]);
	cr_assert_eq(disco_cidr_parse(NULL, &c, err, sizeof(err)), -1);
}

Test(manaddr, addresses_sort_as_numbers)
{
	cr_assert_lt(disco_addr_cmp("10.0.0.9", "10.0.0.10"), 0);
	cr_assert_lt(disco_addr_cmp("9.255.255.255", "10.0.0.0"), 0);
	cr_assert_lt(disco_addr_cmp("255.0.0.1", "::1"), 0);		/* IPv4 first */
	cr_assert_lt(disco_addr_cmp("2001:db8::2", "2001:db8::10"), 0);
	cr_assert_lt(disco_addr_cmp("::1", "a.example"), 0);		/* names last */
	cr_assert_lt(disco_addr_cmp("a.example", "b.example"), 0);
	cr_assert_eq(disco_addr_cmp("10.0.0.1", "10.0.0.1"), 0);
	cr_assert_gt(disco_addr_cmp(NULL, "10.0.0.1"), 0);
}
