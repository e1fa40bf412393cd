/* test_snmp_convert.c — SNMP value conversions: OIDs, text (UTF-8, GBK,
 * hex), numbers, counter rates across wraps and reboots, scaling, states. */
#include "collector/snmp/snmp.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

Test(snmp_oid, parse_valid)
{
	static const struct { const char *in; size_t len; int wild; } ok[] = {
		{ "1.3.6.1.2.1.1.1.0", 9, -1 },
		{ ".1.3.6.1.4.1.28557.1.126", 9, -1 },
		{ "1.3", 2, -1 },
		{ "1.3.6.1.4.1.2606.4.2.*.5.2.1.5", 14, 9 },
		{ "1.3.6.4294967295", 4, -1 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct sp_oid o;
		cr_assert_eq(sp_oid_parse(ok[i].in, &o, 1), 0, "%s", ok[i].in);
		cr_assert_eq(o.len, ok[i].len, "%s", ok[i].in);
		cr_assert_eq(o.wild, ok[i].wild, "%s", ok[i].in);
	}
}

Test(snmp_oid, parse_invalid)
{
	static const char *bad[] = {
		"", ".", "1", "1..3", "1.3.", "a.b", "1.3.6.-1", "1.3.6.4294967296",
		"1.3.*.*", "1.3 .6", "1.3.6.1x", NULL,
	};
	struct sp_oid o;
	for (size_t i = 0; bad[i]; i++)
		cr_assert_eq(sp_oid_parse(bad[i], &o, 1), -1, "'%s'", bad[i]);
	cr_assert_eq(sp_oid_parse(NULL, &o, 1), -1);
	cr_assert_eq(sp_oid_parse("1.3.*", &o, 0), -1, "wildcard refused when not allowed");
	char longoid[1024] = "1";
	for (int i = 0; i < SP_MAX_OID + 2; i++)
		strcat(longoid, ".1");
	cr_assert_eq(sp_oid_parse(longoid, &o, 0), -1, "too many arcs");
}

Test(snmp_oid, format_compare_prefix)
{
	uint32_t a[] = { 1, 3, 6, 1 }, b[] = { 1, 3, 6, 1, 2 }, c[] = { 1, 3, 7 };
	char buf[64];

	cr_assert_str_eq(sp_oid_format(b, 5, buf, sizeof(buf)), "1.3.6.1.2");
	cr_assert_str_eq(sp_oid_format(b, 5, buf, 4), "1.3");
	cr_assert_lt(sp_oid_cmp(a, 4, b, 5), 0);
	cr_assert_gt(sp_oid_cmp(c, 3, b, 5), 0);
	cr_assert_eq(sp_oid_cmp(a, 4, a, 4), 0);
	cr_assert(sp_oid_is_prefix(a, 4, b, 5));
	cr_assert(!sp_oid_is_prefix(b, 5, a, 4));
	cr_assert(!sp_oid_is_prefix(c, 3, b, 5));
}

Test(snmp_text, utf8_gbk_hex)
{
	void *cd = sp_iconv_open();
	char out[256], how;

	cr_assert_not_null(cd, "iconv has GB18030");
	/* plain ASCII and valid UTF-8 are kept; trailing NULs dropped */
	cr_assert_eq(sp_octets_to_text((const unsigned char *)"Port 1\0\0", 8, cd, out,
	    sizeof(out), &how), 6);
	cr_assert_str_eq(out, "Port 1");
	cr_assert_eq(how, 'u');
	const char *utf8 = "\xe6\x9c\xba\xe6\x88\xbf A";	/* 机房 A */
	sp_octets_to_text((const unsigned char *)utf8, strlen(utf8), cd, out, sizeof(out), &how);
	cr_assert_str_eq(out, utf8);
	cr_assert_eq(how, 'u');
	/* GBK "机房" = bb fa b7 bf → UTF-8 */
	const unsigned char gbk[] = { 0xbb, 0xfa, 0xb7, 0xbf, ' ', '3', 'F' };
	sp_octets_to_text(gbk, sizeof(gbk), cd, out, sizeof(out), &how);
	cr_assert_str_eq(out, "\xe6\x9c\xba\xe6\x88\xbf 3F");
	cr_assert_eq(how, 'g');
	/* GB18030 four-byte sequence (U+00B8 cedilla: 81 30 86 30) */
	const unsigned char gb4[] = { 'a', 0x81, 0x30, 0x86, 0x30, 'b' };
	sp_octets_to_text(gb4, sizeof(gb4), cd, out, sizeof(out), &how);
	cr_assert_str_eq(out, "a\xc2\xb8" "b");
	cr_assert_eq(how, 'g');
	/* binary (MAC address with control bytes) → hex */
	const unsigned char mac[] = { 0x00, 0x1b, 0x21, 0x3c, 0x9d, 0xf8 };
	sp_octets_to_text(mac, sizeof(mac), cd, out, sizeof(out), &how);
	cr_assert_str_eq(out, "00:1b:21:3c:9d:f8");
	cr_assert_eq(how, 'h');
	/* invalid in both UTF-8 and GB18030 (0xff) → hex */
	const unsigned char junk[] = { 'x', 0xff, 0xfe };
	sp_octets_to_text(junk, sizeof(junk), cd, out, sizeof(out), &how);
	cr_assert_str_eq(out, "78:ff:fe");
	/* without iconv non-UTF-8 is hex, never invalid */
	sp_octets_to_text(gbk, sizeof(gbk), NULL, out, sizeof(out), &how);
	cr_assert_eq(how, 'h');
	/* truncation stays on a character boundary */
	char small[4];
	sp_octets_to_text((const unsigned char *)utf8, strlen(utf8), cd, small, sizeof(small), &how);
	cr_assert_str_eq(small, "\xe6\x9c\xba");
	cr_assert_eq(sp_octets_to_text(gbk, 1, cd, out, 0, &how), -1);
	sp_iconv_close(cd);
}

Test(snmp_number, parse)
{
	static const struct { const char *in; int rc; double v; } t[] = {
		{ "23.5", 0, 23.5 }, { " 42 ", 0, 42 }, { "-1", 0, -1 },
		{ "46.381199", 0, 46.381199 }, { "1e3", 0, 1000 }, { "0.000", 0, 0 },
		{ "", -1, 0 }, { "abc", -1, 0 }, { "12abc", -1, 0 }, { "0x10", -1, 0 },
		{ "inf", -1, 0 }, { "nan", -1, 0 }, { "1e999", -1, 0 }, { "--1", -1, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		double v = -12345;
		cr_assert_eq(sp_parse_number(t[i].in, strlen(t[i].in), &v), t[i].rc, "'%s'", t[i].in);
		if (t[i].rc == 0)
			cr_assert_float_eq(v, t[i].v, 1e-9, "'%s'", t[i].in);
	}
}

Test(snmp_rate, counter32_and_64)
{
	static const struct {
		uint64_t prev, cur;
		double dt;
		int bits, reset;
		double max, want;	/* want < 0: no rate */
	} t[] = {
		{ 1000, 2000, 10, 32, 0, 0, 100 },			/* plain */
		{ 4294967000ULL, 704, 10, 32, 0, 0, 100 },		/* 32-bit wrap */
		{ UINT64_MAX - 99, 900, 10, 64, 0, 0, 100 },		/* 64-bit wrap */
		{ 5000000, 100, 10, 64, 0, 0, -1 },			/* 64-bit reset */
		{ 4294967000ULL, 704, 10, 32, 1, 0, -1 },		/* rebooted */
		{ 1000, 2000, 10, 32, 1, 0, -1 },			/* rebooted */
		{ 3000000000ULL, 1000, 10, 32, 0, 1e6, -1 },		/* wrap too fast */
		{ 1000, 1000, 10, 32, 0, 0, 0 },			/* frozen */
		{ 1000, 2000, 0, 32, 0, 0, -1 },			/* no time passed */
		{ 5000000000ULL, 10, 10, 32, 0, 0, -1 },		/* not 32-bit */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sp_counter c = { 0 };
		double r = -7;
		cr_assert_eq(sp_counter_rate(&c, t[i].prev, 100.0, t[i].bits, 0, 0, &r), -1,
		    "first reading gives no rate");
		int rc = sp_counter_rate(&c, t[i].cur, 100.0 + t[i].dt, t[i].bits, t[i].reset,
		    t[i].max, &r);
		if (t[i].want < 0) {
			cr_assert_eq(rc, -1, "case %zu", i);
		} else {
			cr_assert_eq(rc, 0, "case %zu", i);
			cr_assert_float_eq(r, t[i].want, 1e-6, "case %zu", i);
		}
		cr_assert_eq(c.raw, t[i].cur, "case %zu keeps the new value", i);
		cr_assert(c.valid);
	}
}

Test(snmp_rate, baseline_after_reset)
{
	struct sp_counter c = { 0 };
	double r;

	sp_counter_rate(&c, 100, 0, 64, 0, 0, &r);
	cr_assert_eq(sp_counter_rate(&c, 50, 10, 64, 1, 0, &r), -1);
	cr_assert_eq(sp_counter_rate(&c, 150, 20, 64, 0, 0, &r), 0);
	cr_assert_float_eq(r, 10.0, 1e-9);
}

Test(snmp_uptime, reboot_detection)
{
	cr_assert_eq(sp_uptime_rebooted(1000, 7000, 60), 0);
	cr_assert_eq(sp_uptime_rebooted(1000, 1000, 60), 0, "frozen is not a reboot");
	cr_assert_eq(sp_uptime_rebooted(900000, 3000, 60), 1);
	/* 32-bit TimeTicks wrap after ~497 days is not a restart */
	cr_assert_eq(sp_uptime_rebooted(4294966000U, 4704, 60), 0);
	cr_assert_eq(sp_uptime_rebooted(4294966000U, 900000, 60), 1);
}

Test(snmp_scale, scale_precision_entity)
{
	cr_assert_float_eq(sp_scale_value(550, 0.1, 0), 55.0, 1e-9);
	cr_assert_float_eq(sp_scale_value(27375, 1e-3, 0), 27.375, 1e-9);
	cr_assert_float_eq(sp_scale_value(2345, 1, 2), 23.45, 1e-9);
	cr_assert_float_eq(sp_scale_value(5, 1, -2), 500, 1e-9);
	cr_assert_float_eq(sp_scale_value(27, 10, 0), 270, 1e-9, "0.01 kW to W");
	cr_assert_float_eq(sp_entity_scale(8), 1e-3, 1e-15);	/* milli */
	cr_assert_float_eq(sp_entity_scale(9), 1.0, 1e-15);	/* units */
	cr_assert_float_eq(sp_entity_scale(10), 1e3, 1e-9);	/* kilo */
	cr_assert_float_eq(sp_entity_scale(0), 1.0, 1e-15);	/* invalid */
	cr_assert_float_eq(sp_entity_scale(99), 1.0, 1e-15);
}

Test(snmp_state, ifstatus_names)
{
	static const struct { long v; const char *name; } t[] = {
		{ 1, "up" }, { 2, "down" }, { 3, "testing" }, { 4, "unknown" },
		{ 5, "dormant" }, { 6, "notPresent" }, { 7, "lowerLayerDown" },
		{ 0, "unknown" }, { 8, "unknown" }, { -1, "unknown" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_assert_str_eq(sp_ifstatus_name(t[i].v), t[i].name);
}

Test(snmp_store, sorted_lookup_and_limit)
{
	struct sp_arena a = { 0 };
	struct sp_store st;
	uint32_t o1[] = { 1, 3, 6, 2 }, o2[] = { 1, 3, 6, 1 }, o3[] = { 1, 3, 6, 3 };
	struct sp_value v = { .type = SP_V_INT, .i = 5 };

	sp_store_init(&st, &a, 3);
	cr_assert_eq(sp_store_add(&st, o1, 4, &v, 0), 0);
	v.i = 6;
	cr_assert_eq(sp_store_add(&st, o2, 4, &v, 0), 0);
	v.i = 7;
	cr_assert_eq(sp_store_add(&st, o2, 4, &v, 0), 0, "duplicate: last wins");
	cr_assert_eq(sp_store_add(&st, o3, 4, &v, 0), -1, "bounded");
	cr_assert_eq(st.truncated, 1);
	sp_store_finish(&st);
	cr_assert_eq(st.n, 2);
	const struct sp_vb *vb = sp_store_get(&st, o2, 4);
	cr_assert_not_null(vb);
	cr_assert_eq(vb->v.i, 7);
	cr_assert_null(sp_store_get(&st, o3, 4));
	cr_assert_eq(sp_store_lower(&st, o1, 3), 0);
	free(st.v);
	sp_arena_free(&a);
}

Test(snmp_store, value_numbers)
{
	struct sp_value v = { .type = SP_V_STRING, .s = (const unsigned char *)"51.569", .len = 6 };
	double d;

	cr_assert_eq(sp_value_number(&v, &d), 0);
	cr_assert_float_eq(d, 51.569, 1e-9);
	v.s = (const unsigned char *)"n/a";
	v.len = 3;
	cr_assert_eq(sp_value_number(&v, &d), -1);
	v.type = SP_V_COUNTER64;
	v.u = 1ULL << 40;
	cr_assert_eq(sp_value_number(&v, &d), 0);
	cr_assert_float_eq(d, 1099511627776.0, 1);
	v.type = SP_V_OID;
	cr_assert_eq(sp_value_number(&v, &d), -1);
}
