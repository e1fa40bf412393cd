/*
 * test_inventory.c — device validation: what POST and PATCH bodies may do to
 * a device, checked on the device as a whole (inventory/devices.c).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "collector/inventory/inventory.h"

static int
apply(struct device *d, const char *body, int creating, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);
	cr_assert_not_null(j, "bad test JSON: %s", body);
	int rc = device_apply_json(d, j, creating, err, errlen);
	json_decref(j);
	return rc;
}

Test(devices, new_device_needs_an_address)
{
	struct device *d = device_new_default();
	char err[256];
	cr_assert_eq(apply(d, "{\"name\": \"x\"}", 1, err, sizeof(err)), -1);
	cr_assert(strstr(err, "address") != NULL, "%s", err);
	device_free(d);
}

Test(devices, junk_addresses_are_refused_host_names_taken)
{
	const char *bad[] = { "{\"address\": \"300.1.1.1\"}", "{\"address\": \"\"}",
		"{\"address\": \"::g\"}", "{\"address\": 5}", "{\"address\": \"-sw1\"}",
		"{\"address\": \"sw 1\"}", "{\"address\": \"a..b\"}", "{\"address\": \"10.0.0.1.\"}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct device *d = device_new_default();
		char err[256] = "";
		cr_expect_eq(apply(d, bad[i], 1, err, sizeof(err)), -1, "%s accepted", bad[i]);
		device_free(d);
	}
	struct device *d = device_new_default();
	char err[256];
	cr_expect_eq(apply(d, "{\"address\": \"core-sw1.campus.example\"}", 1, err, sizeof(err)),
	    0, "%s", err);
	device_free(d);
}

Test(devices, v3_needs_a_user_on_create)
{
	struct device *d = device_new_default();
	char err[256];
	cr_assert_eq(apply(d, "{\"address\": \"192.0.2.1\", \"snmp\": {\"version\": \"3\"}}", 1,
	    err, sizeof(err)), -1);
	cr_assert_str_eq(err, "SNMPv3 needs snmp.user");
	device_free(d);
}

/* The regression: PATCH {"snmp":{"version":"3"}} on a v2c device was taken. */
Test(devices, patch_to_v3_without_user_is_refused)
{
	struct device *d = device_new_default();
	char err[256];
	cr_assert_eq(apply(d, "{\"address\": \"192.0.2.1\", \"snmp\": {\"community\": \"c\"}}",
	    1, err, sizeof(err)), 0, "%s", err);
	struct device *copy = device_dup(d);
	cr_assert_eq(apply(copy, "{\"snmp\": {\"version\": \"3\"}}", 0, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "SNMPv3 needs snmp.user");
	device_free(copy);
	copy = device_dup(d);
	cr_assert_eq(apply(copy, "{\"snmp\": {\"version\": \"3\", \"user\": \"ops\"}}", 0, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(copy->v3_user, "ops");
	device_free(copy);
	device_free(d);
}

Test(devices, unknown_and_read_only_fields_are_named)
{
	struct device *d = device_new_default();
	char err[256];
	cr_assert_eq(apply(d, "{\"address\": \"192.0.2.1\", \"status\": \"up\"}", 1, err,
	    sizeof(err)), -1);
	cr_assert(strstr(err, "status") != NULL, "%s", err);
	cr_assert_eq(apply(d, "{\"address\": \"192.0.2.1\", \"snmp\": {\"bogus\": 1}}", 1, err,
	    sizeof(err)), -1);
	cr_assert(strstr(err, "snmp.bogus") != NULL, "%s", err);
	device_free(d);
}

Test(devices, secrets_never_reach_json)
{
	struct device *d = device_new_default();
	char err[256];
	cr_assert_eq(apply(d, "{\"address\": \"192.0.2.1\", \"snmp\": {\"community\": "
	    "\"s3cret-comm\"}}", 1, err, sizeof(err)), 0, "%s", err);
	json_t *j = device_to_json(d);
	char *text = json_dumps(j, 0);
	cr_assert(strstr(text, "s3cret-comm") == NULL, "%s", text);
	free(text);
	json_decref(j);
	device_free(d);
}

/* ---- discovery ranges (inventory/discovery.c) ----------------------------- */
#include <arpa/inet.h>

/* First and last probed address of text, or the parse error. */
static int
range_ends(const char *text, char *first, char *last, uint64_t *count, char *err)
{
	struct disco_range r;
	if (discovery_parse_range(text, &r, err, 256) < 0)
		return -1;
	discovery_range_address(&r, r.first, first, 64);
	discovery_range_address(&r, r.first + r.count - 1, last, 64);
	*count = r.count;
	return 0;
}

Test(discovery_ranges, cidr_and_single_addresses)
{
	static const struct {
		const char *text, *first, *last;
		uint64_t count;
	} t[] = {
		{ "10.0.0.0/28", "10.0.0.1", "10.0.0.14", 14 },		/* hosts only */
		{ "10.0.0.7/28", "10.0.0.1", "10.0.0.14", 14 },		/* host bits cleared */
		{ "192.0.2.9", "192.0.2.9", "192.0.2.9", 1 },
		{ "192.0.2.8/31", "192.0.2.8", "192.0.2.9", 2 },	/* point-to-point: both */
		{ "172.16.0.0/16", "172.16.0.1", "172.16.255.254", 65534 },
		{ "2001:db8::/124", "2001:db8::", "2001:db8::f", 16 },
		{ "2001:db8::ffff/112", "2001:db8::", "2001:db8::ffff", 65536 },
		{ "::1", "::1", "::1", 1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char first[64], last[64], err[256] = "";
		uint64_t n;
		cr_assert_eq(range_ends(t[i].text, first, last, &n, err), 0, "%s: %s", t[i].text,
		    err);
		cr_expect_str_eq(first, t[i].first, "%s", t[i].text);
		cr_expect_str_eq(last, t[i].last, "%s", t[i].text);
		cr_expect_eq(n, t[i].count, "%s: %llu", t[i].text, (unsigned long long)n);
	}
}

Test(discovery_ranges, too_wide_or_malformed_is_refused)
{
	static const char *const bad[] = { "10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/33",
		"2001:db8::/64", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1",
		"10.0.0.256", "host.example", "", "/24", "10.0.0.0/24/1",
		"10.0.0.0/0000000000000000000024", "10.0.0.0/+24", "1.2.3.4 " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char first[64], last[64], err[256] = "";
		uint64_t n;
		cr_expect_eq(range_ends(bad[i], first, last, &n, err), -1, "'%s' accepted", bad[i]);
		cr_expect(err[0] != '\0', "'%s': no reason given", bad[i]);
	}
}
