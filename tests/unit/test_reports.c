/*
 * test_reports.c — the asset register's CSV: encodings Excel writes, every
 * refusal naming its row, and formulas neutralised on the way out
 * (reports/csv.c, reports/register.c).
 */
#include <criterion/criterion.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "collector/reports/reports.h"

#define HEADER "asset_tag,serial,name,model,kind,building,room,rack,owner,address,mac\n"

static int
parse(const char *csv, struct asset_list *l, char *err, size_t errlen)
{
	const char *enc;
	char *t = csv_to_utf8(csv, strlen(csv), &enc, err, errlen);
	if (t == NULL)
		return -2;
	int rc = assets_csv_parse(t, l, 1000, err, errlen);
	free(t);
	return rc;
}

Test(assets_csv, reads_rows_in_any_column_order)
{
	struct asset_list l = { 0 };
	char err[256];
	cr_assert_eq(parse("mac,kind,asset_tag,serial,name,model,building,room,rack,owner,address\r\n"
	    "00-11-22-AA-BB-CC,switch,A1,SN1,\"core, one\",S5720,B1,101,R1,Li,10.0.0.1\r\n"
	    "\r\n,ups,A2,,ups1,,B1,101,,,\r\n", &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.v[0].f[AC_NAME], "core, one");
	cr_assert_str_eq(l.v[0].f[AC_MAC], "00:11:22:aa:bb:cc");
	cr_assert_str_eq(l.v[1].f[AC_TAG], "A2");
	asset_list_clear(&l);
}

Test(assets_csv, refusals_name_the_row)
{
	static const struct {
		const char *csv, *want;
	} cases[] = {
		{ "asset_tag,serial,name\n", "lacks the columns model" },
		{ HEADER "A1,,,,,,,,,,\nA1,,,,,,,,,,\n", "row 3: asset_tag 'A1' repeats row 2" },
		{ HEADER ",S,,,,,,,,,\n", "row 2: asset_tag is empty" },
		{ HEADER "A1,,,,,,,,,,zz\n", "row 2: mac 'zz'" },
		{ HEADER "A1,\"open,,,,,,,,,\n", "row 2: a quoted field is not closed" },
		{ "", "row 1: no header row" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct asset_list l = { 0 };
		char err[256] = "";
		cr_assert_lt(parse(cases[i].csv, &l, err, sizeof(err)), 0, "case %zu", i);
		cr_assert(strstr(err, cases[i].want) != NULL, "case %zu: %s", i, err);
		asset_list_clear(&l);
	}
}

Test(assets_csv, too_many_rows_is_refused_at_the_row)
{
	struct asset_list l = { 0 };
	char err[256];
	cr_assert_eq(assets_csv_parse(HEADER "A1\nA2\nA3\n", &l, 2, err, sizeof(err)), -1);
	cr_assert(strstr(err, "row 4: more than 2 assets") != NULL, "%s", err);
	asset_list_clear(&l);
}

Test(assets_csv, gbk_and_utf8_bom_become_utf8)
{
	/* "交换机" in GBK is BD BB BB BB BB FA */
	const char gbk[] = HEADER "A1,,\xbd\xbb\xbb\xbb\xbb\xfa,,,,,,,,\n";
	const char *enc;
	char err[256];
	char *t = csv_to_utf8(gbk, strlen(gbk), &enc, err, sizeof(err));
	cr_assert_not_null(t, "%s", err);
	cr_assert_str_eq(enc, "GBK");
	cr_assert(strstr(t, "交换机") != NULL);
	free(t);
	const char bom[] = "\xef\xbb\xbf" HEADER;
	t = csv_to_utf8(bom, strlen(bom), &enc, err, sizeof(err));
	cr_assert_not_null(t);
	cr_assert_eq(strncmp(t, "asset_tag", 9), 0);
	free(t);
	const char bad[] = HEADER "A1\n\xff\xff\xff\n";
	cr_assert_null(csv_to_utf8(bad, strlen(bad), &enc, err, sizeof(err)));
	cr_assert(strstr(err, "row 3") != NULL, "%s", err);
}

Test(assets_csv, formulas_are_neutralised_on_export)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"," },
		{ "+1", "\"'+1\"," }, { "-2", "\"'-2\"," }, { "@SUM(A1)", "\"'@SUM(A1)\"," },
		{ "\tx", "\"'\tx\"," }, { "\rx", "\"'\rx\"," }, { "a\"b", "\"a\"\"b\"," },
		{ "plain", "plain," }, { "", "," },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct evbuffer *b = evbuffer_new();
		csv_field(b, cases[i].in, 0);
		size_t n = evbuffer_get_length(b);
		char *s = calloc(1, n + 1);
		evbuffer_remove(b, s, n);
		cr_assert_str_eq(s, cases[i].out, "case %zu", i);
		free(s);
		evbuffer_free(b);
	}
}

Test(assets_csv, mac_forms)
{
	char out[18];
	cr_assert_eq(mac_normalise("0011.22aa.bbcc", out), 0);
	cr_assert_str_eq(out, "00:11:22:aa:bb:cc");
	cr_assert_eq(mac_normalise("00:11:22:aa:bb", out), -1);
	cr_assert_eq(mac_normalise("00:11:22:aa:bb:cc:dd", out), -1);
}

Test(coverage, own_addresses_are_not_campus_hardware)
{
	cr_assert(coverage_is_own_address("127.0.0.1"));
	cr_assert(!coverage_is_own_address("192.0.2.77"));
	cr_assert(!coverage_is_own_address(""));
	cr_assert(!coverage_is_own_address(NULL));
}
