/*
 * test_cli_table.c — the campusmon command's pure parts: escaping and
 * tables, argument parsing, time arguments, value/age/time formatting,
 * Prometheus text, paths, URLs, the user's config file and the command
 * table itself.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/util.h"

/* ---- escaping ------------------------------------------------------------------ */

static const struct {
	const char *in, *out;
} escapes[] = {
	{ "", "" },
	{ "switch-1.campus", "switch-1.campus" },
	{ "web\x1b[31mX", "web?[31mX" },		/* ESC: colour injection */
	{ "a\nb\rc\td", "a?b?c?d" },
	{ "del\x7f", "del?" },
	{ "\x01\x02\x1f", "???" },
	{ "c1 \xc2\x9b" "2J", "c1 ?2J" },		/* U+009B CSI as UTF-8 */
	{ "raw \x9b" "2J", "raw ?2J" },			/* bare 8-bit CSI */
	{ "over\xc0\xaflong", "over??long" },		/* overlong '/' */
	{ "sur\xed\xa0\x80gate", "sur???gate" },	/* UTF-16 surrogate */
	{ "cut\xe6\x9c", "cut??" },			/* truncated sequence */
	{ "big\xf4\x90\x80\x80", "big????" },		/* above U+10FFFF */
	{ "rlo\xe2\x80\xae" "txt", "rlo?txt" },		/* bidi override */
	{ "iso\xe2\x81\xa6x", "iso?x" },		/* bidi isolate */
	{ "\xe6\x9c\xba\xe6\x88\xbf" "1", "\xe6\x9c\xba\xe6\x88\xbf" "1" }, /* CJK kept */
	{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* é kept */
	{ "\xf0\x9f\x94\xa5", "\xf0\x9f\x94\xa5" },	/* emoji kept */
	{ "nbsp\xc2\xa0x", "nbsp\xc2\xa0x" },		/* U+00A0 is printable */
};

Test(cli_escape, table)
{
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		char *got = cli_escape(escapes[i].in);
		cr_assert_not_null(got);
		cr_expect_str_eq(got, escapes[i].out, "case %zu", i);
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", escapes[i].in);
		cli_escape_inplace(buf);
		cr_expect_str_eq(buf, escapes[i].out, "in place, case %zu", i);
		free(got);
	}
}

Test(cli_escape, every_control_byte)
{
	for (int b = 1; b < 256; b++) {
		char in[2] = { (char)b, 0 };
		char *got = cli_escape(in);
		cr_assert_not_null(got);
		if (b < 0x20 || b >= 0x7f)	/* controls, DEL, lone non-ASCII bytes */
			cr_expect_str_eq(got, "?", "byte 0x%02x", b);
		else
			cr_expect_str_eq(got, in, "byte 0x%02x", b);
		free(got);
	}
}

Test(cli_escape, null_is_empty)
{
	char *got = cli_escape(NULL);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, "");
	free(got);
}

Test(cli_width, table)
{
	cr_expect_eq(cli_text_width(""), 0);
	cr_expect_eq(cli_text_width("abc"), 3);
	cr_expect_eq(cli_text_width("\xe6\x9c\xba\xe6\x88\xbf" "1"), 5);	/* 机房1 */
	cr_expect_eq(cli_text_width("caf\xc3\xa9"), 4);
	cr_expect_eq(cli_text_width("e\xcc\x81"), 1);		/* e + combining acute */
	cr_expect_eq(cli_text_width("\xef\xbc\xa1"), 2);		/* fullwidth A */
	cr_expect_eq(cli_text_width("\xea\xb0\x80"), 2);		/* Hangul */
	cr_expect_eq(cli_text_width("bad\xff"), 4);		/* counted as '?' */
}

/* ---- tables ---------------------------------------------------------------------- */

static char *
render(const struct cli_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	cli_table_print(t, f);
	fclose(f);
	return buf;
}

Test(cli_table, aligns_and_trims)
{
	struct cli_table *t = cli_table_new(3, (const char *[]){ "ID", "HOST", "LAST" });
	cr_assert_not_null(t);
	cli_table_align_right(t, 0);
	cli_table_align_right(t, 2);
	cr_assert_eq(cli_table_add(t, (const char *[]){ "1", "core-sw", "12.5" }), 0);
	cr_assert_eq(cli_table_add(t, (const char *[]){ "10", "ups", NULL }), 0);
	cr_assert_eq(cli_table_add(t, (const char *[]){ "7", "a", "1234567890" }), 0);
	cr_expect_eq(cli_table_rows(t), 3);
	char *out = render(t);
	cr_expect_str_eq(out,
	    "ID  HOST           LAST\n"
	    " 1  core-sw        12.5\n"
	    "10  ups               -\n"
	    " 7  a        1234567890\n");
	free(out);
	cli_table_free(t);
}

Test(cli_table, no_trailing_blanks_for_short_last_column)
{
	struct cli_table *t = cli_table_new(2, (const char *[]){ "NAME", "KIND" });
	cli_table_add(t, (const char *[]){ "a", "agent" });
	cli_table_add(t, (const char *[]){ "longer-name", "" });
	char *out = render(t);
	cr_expect_str_eq(out,
	    "NAME         KIND\n"
	    "a            agent\n"
	    "longer-name\n");
	free(out);
	cli_table_free(t);
}

Test(cli_table, escapes_cells)
{
	struct cli_table *t = cli_table_new(2, (const char *[]){ "HOST", "V" });
	cli_table_add(t, (const char *[]){ "evil\x1b]0;pwned\x07", "1" });
	cli_table_add(t, (const char *[]){ "x\ny", "2" });
	char *out = render(t);
	cr_expect_null(strchr(out, '\x1b'));
	cr_expect_null(strchr(out, '\x07'));
	cr_expect_str_eq(out,
	    "HOST            V\n"
	    "evil?]0;pwned?  1\n"
	    "x?y             2\n");
	free(out);
	cli_table_free(t);
}

Test(cli_table, wide_characters)
{
	struct cli_table *t = cli_table_new(2, (const char *[]){ "ROOM", "T" });
	cli_table_add(t, (const char *[]){ "\xe6\x9c\xba\xe6\x88\xbf" "1", "21" });	/* 机房1 */
	cli_table_add(t, (const char *[]){ "lab", "19" });
	char *out = render(t);
	cr_expect_str_eq(out,
	    "ROOM   T\n"
	    "\xe6\x9c\xba\xe6\x88\xbf" "1  21\n"
	    "lab    19\n");
	free(out);
	cli_table_free(t);
}

Test(cli_table, without_header)
{
	struct cli_table *t = cli_table_new(2, NULL);
	cr_assert_not_null(t);
	cr_expect_eq(cli_table_rows(t), 0);
	cli_table_add(t, (const char *[]){ "status", "ok" });
	cli_table_add(t, (const char *[]){ "write queue", "0" });
	cr_expect_eq(cli_table_rows(t), 2);
	char *out = render(t);
	cr_expect_str_eq(out, "status       ok\nwrite queue  0\n");
	free(out);
	cli_table_free(t);
}

Test(cli_table, many_rows)
{
	struct cli_table *t = cli_table_new(1, (const char *[]){ "N" });
	char buf[16];
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "%d", i);
		cr_assert_eq(cli_table_add(t, (const char *[]){ buf }), 0);
	}
	cr_expect_eq(cli_table_rows(t), 1000);
	char *out = render(t);
	cr_expect(strncmp(out, "N\n0\n1\n", 6) == 0);
	cr_expect_not_null(strstr(out, "\n999\n"));
	free(out);
	cli_table_free(t);
}

/* ---- arguments --------------------------------------------------------------------- */

static const struct cli_opt gopts[] = {
	{ "url", "URL", "" }, { "json", NULL, "" }, { "help", NULL, "" }, CLI_OPT_END
};
static const struct cli_opt copts[] = {
	{ "host", "HOST", "" }, { "from", "TIME", "" }, CLI_OPT_END
};

static int
parse(const char *line, struct cli_args *a, char *err, size_t errlen)
{
	static char store[512];
	static char *argv[64];
	int argc = 0;
	snprintf(store, sizeof(store), "%s", line);
	for (char *save, *w = strtok_r(store, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(w, "<empty>") == 0 ? (char *)"" : w;
	return cli_args_parse(gopts, copts, argc, argv, a, err, errlen);
}

Test(cli_args, valid)
{
	struct cli_args a;
	char err[256];
	cr_assert_eq(parse("--json series --host h1 --url=http://x", &a, err, sizeof(err)), 0);
	cr_expect_eq(a.n_pos, 1);
	cr_expect_str_eq(a.pos[0], "series");
	cr_expect_str_eq(cli_args_get(&a, "json"), "");
	cr_expect_str_eq(cli_args_get(&a, "host"), "h1");
	cr_expect_str_eq(cli_args_get(&a, "url"), "http://x");
	cr_expect_null(cli_args_get(&a, "from"));

	/* a value may start with '-' (relative times) */
	cr_assert_eq(parse("query 5 --from -1h", &a, err, sizeof(err)), 0);
	cr_expect_str_eq(cli_args_get(&a, "from"), "-1h");
	cr_expect_eq(a.n_pos, 2);

	/* the last one wins; "--x=" gives an empty value */
	cr_assert_eq(parse("--host a --host=b --url=", &a, err, sizeof(err)), 0);
	cr_expect_str_eq(cli_args_get(&a, "host"), "b");
	cr_expect_str_eq(cli_args_get(&a, "url"), "");

	/* -h is --help; after "--" everything is positional; "-" is positional */
	cr_assert_eq(parse("-h -- --host -", &a, err, sizeof(err)), 0);
	cr_expect_not_null(cli_args_get(&a, "help"));
	cr_expect_eq(a.n_pos, 2);
	cr_expect_str_eq(a.pos[0], "--host");
	cr_expect_str_eq(a.pos[1], "-");
	cr_expect_null(cli_args_get(&a, "host"));

	cr_assert_eq(parse("", &a, err, sizeof(err)), 0);
	cr_expect_eq(a.n_pos, 0);
	cr_expect_eq(a.n_set, 0);
}

Test(cli_args, invalid)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "--bogus", "unknown option '--bogus'" },
		{ "series --bogus=1", "unknown option '--bogus'" },
		{ "--host", "needs a value" },
		{ "series --from", "needs a value" },
		{ "--json=yes", "takes no value" },
		{ "-x", "unknown option '-x'" },
		{ "-json", "unknown option '-json'" },
		{ "--=x", "unknown option" },
		{ "--HOST h", "unknown option '--HOST'" },
		{ "--hos h", "unknown option '--hos'" },
		{ "a b c d e f g h i j k l m n o p q", "too many arguments" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cli_args a;
		char err[256] = "";
		cr_expect_eq(parse(cases[i].line, &a, err, sizeof(err)), -1, "%s", cases[i].line);
		cr_expect_not_null(strstr(err, cases[i].msg), "'%s' gave '%s'", cases[i].line,
		    err);
	}
}

Test(cli_args, too_many_options)
{
	char line[512] = "";
	for (int i = 0; i <= CLI_MAX_SET; i++)
		strcat(line, "--json ");
	struct cli_args a;
	char err[256] = "";
	cr_expect_eq(parse(line, &a, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "too many options");
}

/* ---- time arguments ---------------------------------------------------------------- */

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

Test(cli_time, passed_through)
{
	static const char *same[] = { "now", "-1h", "-7d", "-30m", "-90", "-0", "-2w",
	    "1714560000", "1714560000.5", "0" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char out[72];
		cr_expect_eq(cli_parse_time(same[i], out, sizeof(out)), 0, "%s", same[i]);
		cr_expect_str_eq(out, same[i]);
	}
}

Test(cli_time, iso_8601)
{
	set_tz("CST-8");	/* UTC+8 without daylight time, needs no tzdata */
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "2024-05-01T00:00:00Z", "1714521600" },
		{ "2024-05-01T00:00Z", "1714521600" },
		{ "2024-05-01T08:00:00+08:00", "1714521600" },
		{ "2024-05-01T08:00+0800", "1714521600" },
		{ "2024-04-30T22:30:00-01:30", "1714521600" },
		{ "2024-05-01T08:00:00", "1714521600" },	/* local */
		{ "2024-05-01 08:00", "1714521600" },		/* local, with a blank */
		{ "2024-05-01", "1714492800" },			/* local midnight */
		{ "2024-02-29T00:00:00Z", "1709164800" },	/* leap day */
		{ "1970-01-01T00:00:00Z", "0" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[72] = "";
		cr_expect_eq(cli_parse_time(cases[i].in, out, sizeof(out)), 0, "%s", cases[i].in);
		cr_expect_str_eq(out, cases[i].out, "%s", cases[i].in);
	}
}

Test(cli_time, invalid)
{
	static const char *bad[] = { "", "yesterday", "-", "--1h", "-1x", "-h", "1h",
	    "12abc", "1e99", "2024-13-01", "2023-02-29", "2024-04-31", "2024-00-10",
	    "2024-05-01T24:00", "2024-05-01T08", "2024-05-01T08:60", "2024-05-01T08:00:61",
	    "2024-05-01T08:00+", "2024-05-01T08:00+8", "2024-05-01T08:00+15:00",
	    "2024-05-01T08:00Zjunk", "2024-5-1", "24-05-01", "1969-12-31", "2024/05/01",
	    "2024-05-01T", "now ", " now",
	    "-99999999999999999999999999999999999999999999999999999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[72];
		cr_expect_eq(cli_parse_time(bad[i], out, sizeof(out)), -1, "'%s'", bad[i]);
	}
	char out[72];
	cr_expect_eq(cli_parse_time(NULL, out, sizeof(out)), -1);
	char tiny[4];
	cr_expect_eq(cli_parse_time("1714560000", tiny, sizeof(tiny)), -1);
}

/* ---- formatting ------------------------------------------------------------------------ */

Test(cli_format, values)
{
	static const struct {
		double v;
		const char *out;
	} cases[] = {
		{ 0, "0" }, { -0.0, "0" }, { 1, "1" }, { -3, "-3" }, { 1.5, "1.5" },
		{ 12345.678, "12345.7" }, { 0.000123, "0.000123" }, { 1234567890, "1234567890" },
		{ 1234567.8, "1234568" }, { 1e20, "1e+20" }, { 2.0 / 3, "0.666667" },
		{ NAN, "-" }, { INFINITY, "inf" }, { -INFINITY, "-inf" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		cli_format_value(cases[i].v, buf, sizeof(buf));
		cr_expect_str_eq(buf, cases[i].out, "case %zu", i);
	}
}

Test(cli_format, ages)
{
	static const struct {
		double s;
		const char *out;
	} cases[] = {
		{ 0, "0s" }, { 0.9, "0s" }, { 59, "59s" }, { 60, "1m0s" }, { 200, "3m20s" },
		{ 3600, "1h0m" }, { 7500, "2h5m" }, { 86400, "1d0h" }, { 273600, "3d4h" },
		{ -5, "0s" }, { NAN, "-" }, { 1e300, "11574074d1h" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		cli_format_age(cases[i].s, buf, sizeof(buf));
		cr_expect_str_eq(buf, cases[i].out, "case %zu", i);
	}
}

Test(cli_format, times)
{
	char buf[64];
	set_tz("UTC0");
	cli_format_time(1714521600, buf, sizeof(buf));
	cr_expect_str_eq(buf, "2024-05-01T00:00:00+00:00");
	set_tz("CST-8");
	cli_format_time(1714521600.9, buf, sizeof(buf));
	cr_expect_str_eq(buf, "2024-05-01T08:00:00+08:00");
	set_tz("NST+3:30");
	cli_format_time(1714521600, buf, sizeof(buf));
	cr_expect_str_eq(buf, "2024-04-30T20:30:00-03:30");
	cli_format_time(NAN, buf, sizeof(buf));
	cr_expect_str_eq(buf, "-");
	/* what we print, we read back */
	char back[72];
	set_tz("CST-8");
	cli_format_time(1714560000, buf, sizeof(buf));
	cr_assert_eq(cli_parse_time(buf, back, sizeof(back)), 0);
	cr_expect_str_eq(back, "1714560000");
}

/* ---- Prometheus text ------------------------------------------------------------------------ */

Test(cli_prom, fixture)
{
	size_t len;
	char *text = util_read_file(CAMPUSMON_SRCDIR "/tests/data/cli/metrics.prom", 1 << 20,
	    &len);
	cr_assert_not_null(text, "tests/data/cli/metrics.prom");
	double v = -1;
	/* campusmon_series_created_total comes first: a prefix must not match */
	cr_expect_eq(cli_prom_find(text, len, "campusmon_series", &v), 0);
	cr_expect_eq(v, 5);
	cr_expect_eq(cli_prom_find(text, len, "campusmon_samples_accepted_total", &v), 0);
	cr_expect_eq(v, 13);
	cr_expect_eq(cli_prom_find(text, len, "campusmon_write_queue_depth", &v), 0);
	cr_expect_eq(v, 0);
	cr_expect_eq(cli_prom_find(text, len, "campusmon_nope", &v), -1);
	cr_expect_eq(cli_prom_find(text, len, "campusmon", &v), -1);
	free(text);
}

Test(cli_prom, cases)
{
	static const struct {
		const char *text, *name;
		int rc;
		double v;
	} cases[] = {
		{ "m 1\n", "m", 0, 1 },
		{ "m 2.5e3", "m", 0, 2500 },			/* no final newline */
		{ "m\t7 1714560000000\n", "m", 0, 7 },		/* with a timestamp */
		{ "m 3\r\n", "m", 0, 3 },
		{ "# m 9\nm 4\n", "m", 0, 4 },			/* comments skipped */
		{ "m{a=\"b\"} 5\nm 6\n", "m", 0, 6 },		/* labelled skipped */
		{ "mm 1\nm_total 2\n", "m", -1, 0 },
		{ "m \n", "m", -1, 0 },
		{ "m abc\n", "m", -1, 0 },
		{ "m 12abc\n", "m", -1, 0 },
		{ "", "m", -1, 0 },
		{ "m", "m", -1, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -1;
		int rc = cli_prom_find(cases[i].text, strlen(cases[i].text), cases[i].name, &v);
		cr_expect_eq(rc, cases[i].rc, "case %zu", i);
		if (rc == 0)
			cr_expect_eq(v, cases[i].v, "case %zu", i);
	}
	double v;
	cr_expect_eq(cli_prom_find("m NaN\n", 6, "m", &v), 0);
	cr_expect(isnan(v));
	/* the length bounds the search, not a NUL */
	cr_expect_eq(cli_prom_find("m 12345", 4, "m", &v), 0);
	cr_expect_eq(v, 12);
}

/* ---- paths and URLs -------------------------------------------------------------------------- */

Test(cli_path, absolute)
{
	static const struct {
		const char *cwd, *dir, *out;
	} cases[] = {
		{ "/home/ops", "backup", "/home/ops/backup" },
		{ "/home/ops", "./backup/", "/home/ops/backup" },
		{ "/home/ops", "../srv//b", "/home/srv/b" },
		{ "/home/ops", "/var/backups/cm", "/var/backups/cm" },
		{ "/home/ops", "/var/./backups/../cm/", "/var/cm" },
		{ "/", "b", "/b" },
		{ "/home/ops", "../../../..", "/" },
		{ "/home/ops", ".", "/home/ops" },
		{ "/x", "/", "/" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[256];
		cr_expect_eq(cli_abs_path(cases[i].cwd, cases[i].dir, out, sizeof(out)), 0);
		cr_expect_str_eq(out, cases[i].out, "case %zu", i);
	}
	char small[8];
	cr_expect_eq(cli_abs_path("/", "", small, sizeof(small)), -1);
	cr_expect_eq(cli_abs_path("/", NULL, small, sizeof(small)), -1);
	cr_expect_eq(cli_abs_path("/", "much/too/long", small, sizeof(small)), -1);
}

Test(cli_url, check)
{
	static const char *good[] = { "http://127.0.0.1:8080", "https://monitor.example.edu",
	    "HTTP://[::1]:8080/", "https://example.edu/campusmon" };
	static const char *bad[] = { "", "127.0.0.1:8080", "ftp://x", "http://", "https:///x",
	    "http://a b", "http://a\n", "http://x/?a=b", "http://x/#f", "file:///etc/passwd",
	    "gopher://x" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_expect_null(cli_check_url(good[i]), "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_not_null(cli_check_url(bad[i]), "%s", bad[i]);
}

Test(cli_http, url_encoding)
{
	struct cli_http *h = cli_http_new("http://127.0.0.1:9", "tok", 5);
	cr_assert_not_null(h);
	const struct cli_param params[] = {
		{ "host", "core sw&1=2" }, { "measurement", NULL }, { "field", "\xe6\x9c\xba" },
		{ "from", "-1h" },
	};
	char *url = cli_http_url(h, "/api/v1/series", params, 4);
	cr_assert_not_null(url);
	cr_expect_str_eq(url, "http://127.0.0.1:9/api/v1/series?host=core%20sw%261%3D2"
	    "&field=%E6%9C%BA&from=-1h");
	free(url);
	url = cli_http_url(h, "/api/v1/health", NULL, 0);
	cr_expect_str_eq(url, "http://127.0.0.1:9/api/v1/health");
	free(url);
	char *e = cli_http_escape(h, "12/../x y");
	cr_expect_str_eq(e, "12%2F..%2Fx%20y");
	free(e);
	cli_http_free(h);
}

/* ---- the user's file ---------------------------------------------------------------------------- */

static char *
write_config(const char *text, mode_t mode)
{
	char *path = strdup("/tmp/test_cli_cfg_XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
	return path;
}

static int
load_config(const char *text, mode_t mode, struct cli_file_config *cfg,
    struct cfg_errors *errs)
{
	char *path = write_config(text, mode);
	memset(cfg, 0, sizeof(*cfg));
	memset(errs, 0, sizeof(*errs));
	int rc = cli_config_load(path, cfg, errs);
	unlink(path);
	free(path);
	return rc;
}

static int
errs_contain(const struct cfg_errors *errs, const char *text)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msgs[i], text) != NULL)
			return 1;
	return 0;
}

Test(cli_config, loads)
{
	struct cli_file_config cfg;
	struct cfg_errors errs;
	cr_assert_eq(load_config("url: https://monitor.example.edu\ntoken: cm_abc\n", 0600,
	    &cfg, &errs), 0);
	cr_expect_str_eq(cfg.url, "https://monitor.example.edu");
	cr_expect_str_eq(cfg.token, "cm_abc");
	cfg_free(cli_file_schema, &cfg);
	cr_assert_eq(load_config("url: http://127.0.0.1:8080\n", 0400, &cfg, &errs), 0);
	cr_expect_null(cfg.token);
	cfg_free(cli_file_schema, &cfg);
	cr_assert_eq(load_config("", 0600, &cfg, &errs), 0);
	cr_expect_null(cfg.url);
	cfg_free(cli_file_schema, &cfg);
}

Test(cli_config, refused)
{
	static const struct {
		const char *text;
		mode_t mode;
		const char *msg;
	} cases[] = {
		{ "token: x\n", 0644, "chmod 600" },
		{ "token: x\n", 0640, "chmod 600" },
		{ "token: x\n", 0604, "chmod 600" },
		{ "token: x\n", 0620, "chmod 600" },
		{ "token: x\n", 0610, "chmod 600" },
		{ "url: ftp://x\n", 0600, "must start with http" },
		{ "url: http://x\nbogus: 1\n", 0600, "unknown key 'bogus'" },
		{ "token: [a, b]\n", 0600, "token" },
		{ "token: 'a b'\n", 0600, "spaces" },
		{ "token: ''\n", 0600, "shorter" },
		{ "url: [\n", 0600, "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cli_file_config cfg;
		struct cfg_errors errs;
		cr_expect_eq(load_config(cases[i].text, cases[i].mode, &cfg, &errs), -1,
		    "case %zu", i);
		cr_expect(errs.n > 0, "case %zu", i);
		cr_expect(errs_contain(&errs, cases[i].msg), "case %zu: %s", i,
		    errs.n ? errs.msgs[0] : "(none)");
		/* the token itself never appears in a message */
		cr_expect(!errs_contain(&errs, "token: x"), "case %zu", i);
		cfg_errors_clear(&errs);
		cfg_free(cli_file_schema, &cfg);
	}
}

Test(cli_config, reports_every_error)
{
	struct cli_file_config cfg;
	struct cfg_errors errs;
	cr_assert_eq(load_config("url: ftp://x\ntoken: [1]\nextra: 2\n", 0600, &cfg, &errs), -1);
	cr_expect_eq(errs.n, 3);
	cfg_errors_clear(&errs);
	cfg_free(cli_file_schema, &cfg);
}

Test(cli_config, missing_and_path)
{
	struct cli_file_config cfg = { NULL, NULL, NULL };
	struct cfg_errors errs = { NULL, 0 };
	cr_expect_eq(cli_config_load("/nonexistent/campusmon/cli.yaml", &cfg, &errs), 1);
	cr_expect_eq(errs.n, 0);
	cr_expect_eq(cli_config_load("/tmp", &cfg, &errs), -1);
	cr_expect(errs_contain(&errs, "not a regular file"));
	cfg_errors_clear(&errs);

	setenv("HOME", "/home/ops", 1);
	unsetenv("XDG_CONFIG_HOME");
	char *p = cli_config_path();
	cr_expect_str_eq(p, "/home/ops/.config/campusmon/cli.yaml");
	free(p);
	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	p = cli_config_path();
	cr_expect_str_eq(p, "/cfg/campusmon/cli.yaml");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative", 1);	/* ignored, as the spec says */
	p = cli_config_path();
	cr_expect_str_eq(p, "/home/ops/.config/campusmon/cli.yaml");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	cr_expect_null(cli_config_path());
}

/* ---- the command table ----------------------------------------------------------------------------- */

Test(cli_commands, table_is_consistent)
{
	cr_assert_gt(cli_n_commands, 0);
	for (size_t i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = &cli_commands[i];
		cr_expect_not_null(c->run, "%s", c->name);
		cr_expect_not_null(c->usage, "%s", c->name);
		cr_expect(c->help != NULL && c->help[0] != '\0', "%s", c->name);
		cr_expect_leq(c->min_pos, c->max_pos, "%s", c->name);
		cr_expect_leq(c->max_pos, CLI_MAX_POS, "%s", c->name);
		/* at most two words; a group word is never a command by itself */
		const char *sp = strchr(c->name, ' ');
		cr_expect(sp == NULL || strchr(sp + 1, ' ') == NULL, "%s", c->name);
		for (size_t j = 0; j < cli_n_commands; j++) {
			if (i != j)
				cr_expect(strcmp(c->name, cli_commands[j].name) != 0, "%s twice",
				    c->name);
			if (sp != NULL)
				cr_expect(strlen(cli_commands[j].name) != (size_t)(sp - c->name) ||
				    strncmp(cli_commands[j].name, c->name,
				    (size_t)(sp - c->name)) != 0, "%s", c->name);
		}
		for (const struct cli_opt *o = c->opts; o != NULL && o->name; o++) {
			cr_expect(o->help != NULL && o->help[0] != '\0', "%s --%s", c->name, o->name);
			/* every option is named in the usage line */
			char flag[64];
			snprintf(flag, sizeof(flag), "--%s", o->name);
			cr_expect_not_null(strstr(c->usage, flag), "%s %s", c->name, flag);
		}
	}
}

Test(cli_commands, help_names_everything)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cli_print_help(f, NULL, NULL);
	fclose(f);
	for (size_t i = 0; i < cli_n_commands; i++) {
		char line[128];
		snprintf(line, sizeof(line), "  %s ", cli_commands[i].name);
		cr_expect_not_null(strstr(buf, line), "%s missing from --help", cli_commands[i].name);
	}
	cr_expect_not_null(strstr(buf, "--url URL"));
	cr_expect_not_null(strstr(buf, "CAMPUSMON_TOKEN"));
	free(buf);
}

/* ---- devices and discovery: bit rates, speeds, secret files, options ------------------------- */

static const struct {
	double v;
	const char *unit, *out;
} si_cases[] = {
	{ 0, "bit/s", "0 bit/s" },
	{ 1, "bit/s", "1 bit/s" },
	{ 950, "bit/s", "950 bit/s" },
	{ 999, "bit/s", "999 bit/s" },
	{ 999.4, "bit/s", "999 bit/s" },
	{ 999.5, "bit/s", "1 kbit/s" },		/* rounds up into the next prefix */
	{ 1000, "bit/s", "1 kbit/s" },
	{ 1234, "bit/s", "1.23 kbit/s" },
	{ 12345, "bit/s", "12.3 kbit/s" },
	{ 123456, "bit/s", "123 kbit/s" },
	{ 1530000, "bit/s", "1.53 Mbit/s" },
	{ 1500000, "bit/s", "1.5 Mbit/s" },		/* trailing zeros dropped */
	{ 9996000, "bit/s", "10 Mbit/s" },
	{ 99960000, "bit/s", "100 Mbit/s" },
	{ 1e9, "bit/s", "1 Gbit/s" },
	{ 2.5e9, "bit/s", "2.5 Gbit/s" },
	{ 4294967295.0, "bit/s", "4.29 Gbit/s" },	/* ifSpeed's ceiling */
	{ 1e11, "bit/s", "100 Gbit/s" },
	{ 4e11, "bit/s", "400 Gbit/s" },
	{ 1e12, "bit/s", "1 Tbit/s" },
	{ 1e15, "bit/s", "1 Pbit/s" },
	{ 1e18, "bit/s", "1 Ebit/s" },
	{ 1e21, "bit/s", "1000 Ebit/s" },		/* no prefix past E */
	{ 0.5, "bit/s", "0.5 bit/s" },
	{ 0.0166667, "", "0.017" },			/* one error a minute */
	{ 0.00001, "", "<0.0001" },
	{ 0, "", "0" },
	{ 3, "", "3" },
	{ 1500, "", "1.5k" },				/* no blank without a unit */
	{ -1, "bit/s", "-" },
	{ NAN, "bit/s", "-" },
	{ INFINITY, "bit/s", "inf bit/s" },
};

Test(cli_format, si_rates)
{
	for (size_t i = 0; i < sizeof(si_cases) / sizeof(si_cases[0]); i++) {
		char buf[64];
		cli_format_si(si_cases[i].v, si_cases[i].unit, buf, sizeof(buf));
		cr_expect_str_eq(buf, si_cases[i].out, "case %zu (%g)", i, si_cases[i].v);
	}
	/* a short buffer truncates, never overflows */
	char small[6];
	cli_format_si(1530000, "bit/s", small, sizeof(small));
	cr_expect_str_eq(small, "1.53 ");
}

Test(cli_format, speeds)
{
	static const struct {
		double v;
		const char *out;
	} cases[] = {
		{ 0, "-" },			/* the device does not say */
		{ -5, "-" },
		{ NAN, "-" },
		{ 10e6, "10 Mbit/s" },
		{ 100e6, "100 Mbit/s" },
		{ 1e9, "1 Gbit/s" },
		{ 2.5e9, "2.5 Gbit/s" },
		{ 10e9, "10 Gbit/s" },
		{ 25e9, "25 Gbit/s" },
		{ 40e9, "40 Gbit/s" },
		{ 56000, "56 kbit/s" },
		{ 1544000, "1.54 Mbit/s" },	/* T1 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[32];
		cli_format_speed(cases[i].v, buf, sizeof(buf));
		cr_expect_str_eq(buf, cases[i].out, "case %zu", i);
	}
}

Test(cli_secret, first_line)
{
	static const struct {
		const char *in;
		size_t len;		/* 0: strlen */
		int rc;
		const char *out;
	} cases[] = {
		{ "public\n", 0, 0, "public" },
		{ "public", 0, 0, "public" },		/* no newline at the end */
		{ "s3cr3t\r\n", 0, 0, "s3cr3t" },		/* CRLF from an editor */
		{ "first\nsecond\n", 0, 0, "first" },
		{ "with space \n", 0, 0, "with space " },	/* kept as written */
		{ "a", 0, 0, "a" },
		{ "\r\n", 0, -1, NULL },
		{ "\n", 0, -1, NULL },
		{ "\nsecret\n", 0, -1, NULL },		/* the first line is empty */
		{ "", 0, -1, NULL },
		{ "ab\0cd\n", 6, -1, NULL },		/* a NUL inside */
		{ "0123456789abcdef\n", 0, -1, NULL },	/* does not fit in 16 */
		{ "0123456789abcde\n", 0, 0, "0123456789abcde" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[16] = "untouched";
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		int rc = cli_first_line(cases[i].in, len, out, sizeof(out));
		cr_expect_eq(rc, cases[i].rc, "case %zu", i);
		if (rc == 0)
			cr_expect_str_eq(out, cases[i].out, "case %zu", i);
	}
}

Test(cli_args, command_option_wins_over_global)
{
	static const struct cli_opt g[] = { { "version", NULL, "" }, { "json", NULL, "" },
		CLI_OPT_END };
	static const struct cli_opt cmd[] = { { "version", "1|2c|3", "" }, CLI_OPT_END };
	char *argv[] = { (char *)"device", (char *)"add", (char *)"10.0.0.1",
		(char *)"--version", (char *)"3", (char *)"--json" };
	struct cli_args a;
	char err[128];
	cr_assert_eq(cli_args_parse(g, cmd, 6, argv, &a, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(a.n_pos, 3);
	cr_expect_str_eq(cli_args_get(&a, "version"), "3");
	cr_assert_eq(a.n_set, 2);
	cr_expect_eq(a.set[0].opt, &cmd[0]);
	cr_expect_eq(a.set[1].opt, &g[1]);
	/* without the command's table it is the global flag */
	char *argv2[] = { (char *)"--version" };
	cr_assert_eq(cli_args_parse(g, NULL, 1, argv2, &a, err, sizeof(err)), 0);
	cr_expect_eq(a.set[0].opt, &g[0]);
	cr_expect_str_eq(cli_args_get(&a, "version"), "");
	/* the global flag takes no value, the command's needs one */
	cr_expect_eq(cli_args_parse(g, cmd, 1, argv2, &a, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "needs a value"));
}

Test(cli_commands, device_commands_and_help)
{
	static const char *const names[] = { "devices", "device add", "device show",
		"device edit", "device rm", "discover" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct cli_command *cmd = NULL;
		for (size_t j = 0; j < cli_n_commands; j++)
			if (strcmp(cli_commands[j].name, names[i]) == 0)
				cmd = &cli_commands[j];
		cr_assert_not_null(cmd, "%s", names[i]);
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		cli_print_help(f, cmd, NULL);
		fclose(f);
		/* the usage is wrapped at 76 columns and never splits a [ ... ] */
		int depth = 0;
		for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			size_t ll = nl ? (size_t)(nl - line) : strlen(line);
			cr_expect_leq(ll, 76, "%s: %.*s", names[i], (int)ll, line);
			for (size_t k = 0; k < ll; k++)
				depth += line[k] == '[' ? 1 : line[k] == ']' ? -1 : 0;
			if (line[0] == '\n' || ll == 0)
				break;		/* end of the usage paragraph */
			cr_expect_eq(depth, 0, "%s: a bracket spans lines: %.*s", names[i],
			    (int)ll, line);
		}
		free(buf);
	}
	/* "device" is a group, "devices" a command: neither hides the other */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cli_print_help(f, NULL, "device");
	fclose(f);
	cr_expect_not_null(strstr(buf, "usage: campusmon device add ADDR"));
	cr_expect_not_null(strstr(buf, "usage: campusmon device rm NAME|ID"));
	cr_expect_null(strstr(buf, "usage: campusmon devices"));
	free(buf);
}
