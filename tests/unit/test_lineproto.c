/*
 * test_lineproto.c — InfluxDB line protocol parser: tables of valid lines
 * (rendered to a canonical text and compared), comment/blank lines, invalid
 * lines (each must give a reason), limits, timestamps in every precision,
 * floats checked bit for bit against strtod, and the line splitter.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lineproto.h"

/* Sized string literal: keeps embedded NUL bytes. */
#define L(s)	s, sizeof(s) - 1

/* Shortest %g form that reads back to the same double; integers plainly. */
static void
fmt_double(char *buf, size_t sz, double d)
{
	if (d == floor(d) && fabs(d) < 1e15) {
		snprintf(buf, sz, "%.0f", d);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sz, "%.*g", prec, d);
		if (strtod(buf, NULL) == d && signbit(strtod(buf, NULL)) ==
		    signbit(d))
			return;
	}
}

/*
 * Canonical text of a point: "meas|k=v,k=v|key=Tvalue,...|time" with T one
 * of F I U B S and time "-" when absent. Names are printed unescaped.
 */
static void
render(const struct lp_point *pt, char *buf, size_t sz)
{
	size_t n = 0;

#define OUT(...)	do { int r_ = snprintf(buf + n, sz - n, __VA_ARGS__); \
			    cr_assert(r_ >= 0 && (size_t)r_ < sz - n); \
			    n += (size_t)r_; } while (0)
	OUT("%.*s|", (int)pt->measurement.len, pt->measurement.p);
	for (size_t i = 0; i < pt->n_tags; i++)
		OUT("%s%.*s=%.*s", i ? "," : "",
		    (int)pt->tags[i].key.len, pt->tags[i].key.p,
		    (int)pt->tags[i].value.len, pt->tags[i].value.p);
	OUT("|");
	for (size_t i = 0; i < pt->n_fields; i++) {
		const struct lp_field *f = &pt->fields[i];
		char num[64];

		OUT("%s%.*s=", i ? "," : "", (int)f->key.len, f->key.p);
		switch (f->type) {
		case LP_FLOAT:
			fmt_double(num, sizeof(num), f->v.f);
			OUT("F%s", num);
			break;
		case LP_INT:
			OUT("I%lld", (long long)f->v.i);
			break;
		case LP_UINT:
			OUT("U%llu", (unsigned long long)f->v.u);
			break;
		case LP_BOOL:
			OUT("B%d", f->v.b);
			break;
		case LP_STRING:
			OUT("S%.*s", (int)f->v.s.len, f->v.s.p);
			break;
		}
	}
	if (pt->has_time)
		OUT("|%lld", (long long)pt->time_ns);
	else
		OUT("|-");
#undef OUT
}

struct valid_case {
	const char *line;
	enum lp_precision prec;
	const char *want;
};

static const struct valid_case valid_cases[] = {
	/* the agent's shape */
	{ "cpu,host=web-01,cpu=cpu0 usage_user_percent=12.5,"
	  "usage_system_percent=3.1 1700000000000000000", LP_PREC_NS,
	  "cpu|cpu=cpu0,host=web-01|usage_user_percent=F12.5,"
	  "usage_system_percent=F3.1|1700000000000000000" },
	/* every field type */
	{ "m f=1.5,i=-12i,u=12u,s=\"str\",b=t", LP_PREC_NS,
	  "m||f=F1.5,i=I-12,u=U12,s=Sstr,b=B1|-" },
	{ "m a=t,b=T,c=true,d=True,e=TRUE", LP_PREC_NS,
	  "m||a=B1,b=B1,c=B1,d=B1,e=B1|-" },
	{ "m a=f,b=F,c=false,d=False,e=FALSE", LP_PREC_NS,
	  "m||a=B0,b=B0,c=B0,d=B0,e=B0|-" },
	{ "m v=1", LP_PREC_NS, "m||v=F1|-" },
	{ "m v=-1e3", LP_PREC_NS, "m||v=F-1000|-" },
	{ "m v=1E3", LP_PREC_NS, "m||v=F1000|-" },
	{ "m v=1.5e+3", LP_PREC_NS, "m||v=F1500|-" },
	{ "m v=1.5e-3", LP_PREC_NS, "m||v=F0.0015|-" },
	{ "m v=1.", LP_PREC_NS, "m||v=F1|-" },
	{ "m v=.5", LP_PREC_NS, "m||v=F0.5|-" },
	{ "m v=-.5", LP_PREC_NS, "m||v=F-0.5|-" },
	{ "m v=007", LP_PREC_NS, "m||v=F7|-" },
	{ "m v=-0", LP_PREC_NS, "m||v=F-0|-" },
	{ "m v=0.1", LP_PREC_NS, "m||v=F0.1|-" },
	{ "m v=1e308", LP_PREC_NS, "m||v=F1e+308|-" },
	{ "m v=1.7976931348623157e308", LP_PREC_NS,
	  "m||v=F1.7976931348623157e+308|-" },
	{ "m v=-1e308", LP_PREC_NS, "m||v=F-1e+308|-" },
	{ "m v=1e-400", LP_PREC_NS, "m||v=F0|-" },	/* underflow is 0 */
	{ "m v=4.9e-324", LP_PREC_NS, "m||v=F5e-324|-" },
	{ "m v=0e999999999999", LP_PREC_NS, "m||v=F0|-" },
	{ "m v=123456789012345678901234567890", LP_PREC_NS,
	  "m||v=F1.2345678901234568e+29|-" },
	{ "m v=9007199254740993", LP_PREC_NS, "m||v=F9007199254740992|-" },
	/* literals longer than the parser's stack copy for strtod */
	{ "m v=0."
	  "00000000000000000000000000000000000000000000000000"
	  "00000000000000000000000000000000000000000000000001",
	  LP_PREC_NS, "m||v=F1e-100|-" },
	{ "m v=1"
	  "0000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000.5",
	  LP_PREC_NS, "m||v=F1e+80|-" },
	/* integer and unsigned edges */
	{ "m v=9223372036854775807i", LP_PREC_NS,
	  "m||v=I9223372036854775807|-" },
	{ "m v=-9223372036854775808i", LP_PREC_NS,
	  "m||v=I-9223372036854775808|-" },
	{ "m v=-0i", LP_PREC_NS, "m||v=I0|-" },
	{ "m v=0u", LP_PREC_NS, "m||v=U0|-" },
	{ "m v=18446744073709551615u", LP_PREC_NS,
	  "m||v=U18446744073709551615|-" },
	{ "m v=000000000000000000000000042i", LP_PREC_NS, "m||v=I42|-" },
	/* escaping */
	{ "my\\ meas\\,x v=1", LP_PREC_NS, "my meas,x||v=F1|-" },
	{ "m\\=x v=1", LP_PREC_NS, "m\\=x||v=F1|-" },	/* '=' not escapable */
	{ "m=x v=1", LP_PREC_NS, "m=x||v=F1|-" },
	{ "m\\\\ v=1", LP_PREC_NS, "m\\||v=F1|-" },
	{ "m\\x v=1", LP_PREC_NS, "m\\x||v=F1|-" },	/* literal backslash */
	{ "m,t\\ k\\,\\==v\\ a\\,l\\= v=1", LP_PREC_NS,
	  "m|t k,==v a,l=|v=F1|-" },
	{ "m,t=a\\\\ v=1", LP_PREC_NS, "m|t=a\\|v=F1|-" },
	{ "m,t=a\\b v=1", LP_PREC_NS, "m|t=a\\b|v=F1|-" },
	{ "m f\\ k\\,\\==1", LP_PREC_NS, "m||f k,==F1|-" },
	{ "m s=\"he said \\\"hi\\\" \\\\ \\n\"", LP_PREC_NS,
	  "m||s=She said \"hi\" \\ \\n|-" },
	{ "m s=\"a,b c=d\"", LP_PREC_NS, "m||s=Sa,b c=d|-" },
	{ "m s=\"\"", LP_PREC_NS, "m||s=S|-" },
	{ "m s=\"\\\\\"", LP_PREC_NS, "m||s=S\\|-" },
	{ "m s=\"# not a comment\"", LP_PREC_NS,
	  "m||s=S# not a comment|-" },
	{ "m,t=\"q\" v=1", LP_PREC_NS, "m|t=\"q\"|v=F1|-" },
	{ "m\\#x v=1", LP_PREC_NS, "m\\#x||v=F1|-" },
	{ "m,t=#1 v=1", LP_PREC_NS, "m|t=#1|v=F1|-" },
	/* tags are sorted by key, byte order */
	{ "m,z=1,a=2,M=3,aa=4,a0=5 v=1", LP_PREC_NS,
	  "m|M=3,a=2,a0=5,aa=4,z=1|v=F1|-" },
	/* fields keep their order */
	{ "m z=1,a=2", LP_PREC_NS, "m||z=F1,a=F2|-" },
	/* blanks */
	{ "  \tm v=1  ", LP_PREC_NS, "m||v=F1|-" },
	{ "m v=1 5 \t ", LP_PREC_NS, "m||v=F1|5" },
	{ "m v=1\r", LP_PREC_NS, "m||v=F1|-" },
	{ "m   v=1   5", LP_PREC_NS, "m||v=F1|5" },
	{ "m,t=a   v=1", LP_PREC_NS, "m|t=a|v=F1|-" },
	/* timestamps */
	{ "m v=1 0", LP_PREC_NS, "m||v=F1|0" },
	{ "m v=1 -1", LP_PREC_NS, "m||v=F1|-1" },
	{ "m v=1 -0", LP_PREC_NS, "m||v=F1|0" },
	{ "m v=1 9223372036854775807", LP_PREC_NS,
	  "m||v=F1|9223372036854775807" },
	{ "m v=1 -9223372036854775808", LP_PREC_NS,
	  "m||v=F1|-9223372036854775808" },
	{ "m v=1 1700000000000000", LP_PREC_US, "m||v=F1|1700000000000000000" },
	{ "m v=1 1700000000000", LP_PREC_MS, "m||v=F1|1700000000000000000" },
	{ "m v=1 1700000000", LP_PREC_S, "m||v=F1|1700000000000000000" },
	{ "m v=1 -1700000000", LP_PREC_S, "m||v=F1|-1700000000000000000" },
	{ "m v=1 9223372036", LP_PREC_S, "m||v=F1|9223372036000000000" },
	{ "m v=1 -9223372036", LP_PREC_S, "m||v=F1|-9223372036000000000" },
	{ "m v=1 28333333", LP_PREC_M, "m||v=F1|1699999980000000000" },
	{ "m v=1 472222", LP_PREC_H, "m||v=F1|1699999200000000000" },
	{ "m v=1 9223372036854775", LP_PREC_US,
	  "m||v=F1|9223372036854775000" },
	{ "m v=1 9223372036854", LP_PREC_MS, "m||v=F1|9223372036854000000" },
	{ "m v=1 9223372036854775807", LP_PREC_NS,
	  "m||v=F1|9223372036854775807" },
	{ "m v=1 00000000000000000000000001", LP_PREC_NS, "m||v=F1|1" },
	/* unusual but valid names */
	{ "\xc3\xa9t\xc3\xa9,h\xc3\xb4te=\xc3\xa0 \xc3\xa9=1", LP_PREC_NS,
	  "\xc3\xa9t\xc3\xa9|h\xc3\xb4te=\xc3\xa0|\xc3\xa9=F1|-" },
	{ "m,t=a\tb v\tx=1", LP_PREC_NS, "m|t=a\tb|v\tx=F1|-" },
};

Test(lineproto, valid_lines)
{
	struct lp_parser *p = lp_parser_new(NULL);
	char got[1024];

	cr_assert_not_null(p);
	for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]);
	    i++) {
		const struct valid_case *c = &valid_cases[i];
		struct lp_point pt;
		const char *err = NULL;
		int rc;

		rc = lp_parse_line(p, c->line, strlen(c->line), c->prec, &pt,
		    &err);
		cr_expect_eq(rc, 1, "[%s]: rc %d (%s)", c->line, rc,
		    err ? err : "");
		if (rc != 1)
			continue;
		render(&pt, got, sizeof(got));
		cr_expect_str_eq(got, c->want, "[%s]: got [%s] want [%s]",
		    c->line, got, c->want);
	}
	lp_parser_free(p);
}

struct skip_case {
	const char *line;
	size_t len;
};

static const struct skip_case skip_cases[] = {
	{ L("") },
	{ L(" ") },
	{ L("\t \t") },
	{ L("\r") },
	{ L("# comment") },
	{ L("#m v=1") },
	{ L("   # indented comment") },
	{ L("#") },
	{ L("# comment with \0 NUL and \n newline") },
};

Test(lineproto, blank_and_comment_lines)
{
	struct lp_parser *p = lp_parser_new(NULL);

	cr_assert_not_null(p);
	for (size_t i = 0; i < sizeof(skip_cases) / sizeof(skip_cases[0]);
	    i++) {
		struct lp_point pt;
		const char *err = NULL;
		int rc = lp_parse_line(p, skip_cases[i].line, skip_cases[i].len,
		    LP_PREC_NS, &pt, &err);

		cr_expect_eq(rc, 0, "case %zu: rc %d (%s)", i, rc,
		    err ? err : "");
	}
	lp_parser_free(p);
}

struct invalid_case {
	const char *line;
	size_t len;
	enum lp_precision prec;
	const char *reason;	/* expected substring of the reason */
};

static const struct invalid_case invalid_cases[] = {
	/* structure */
	{ L("m"), LP_PREC_NS, "missing field set" },
	{ L("m "), LP_PREC_NS, "missing field set" },
	{ L("m,t=a"), LP_PREC_NS, "missing field set" },
	{ L("m,t=a "), LP_PREC_NS, "missing field set" },
	{ L(",t=a v=1"), LP_PREC_NS, "missing measurement" },
	{ L(" v=1"), LP_PREC_NS, "missing field set" },
	{ L("m v"), LP_PREC_NS, "missing field value" },
	{ L("m v="), LP_PREC_NS, "missing field value" },
	{ L("m v= 1"), LP_PREC_NS, "missing field value" },
	{ L("m v=,w=1"), LP_PREC_NS, "missing field value" },
	{ L("m v=1,w"), LP_PREC_NS, "missing field value" },
	{ L("m v=1,"), LP_PREC_NS, "empty field key" },
	{ L("m v=1, w=2"), LP_PREC_NS, "empty field key" },
	{ L("m =1"), LP_PREC_NS, "empty field key" },
	{ L("m v=1,,w=2"), LP_PREC_NS, "empty field key" },
	{ L("m,t v=1"), LP_PREC_NS, "missing tag value" },
	{ L("m,t= v=1"), LP_PREC_NS, "missing tag value" },
	{ L("m,t=,u=1 v=1"), LP_PREC_NS, "missing tag value" },
	{ L("m,=a v=1"), LP_PREC_NS, "empty tag key" },
	{ L("m, v=1"), LP_PREC_NS, "empty tag key" },
	{ L("m,t=a, v=1"), LP_PREC_NS, "empty tag key" },
	{ L("m,t=a=b v=1"), LP_PREC_NS, "unescaped '=' in tag value" },
	{ L("m,t=a,t=b v=1"), LP_PREC_NS, "duplicate tag key" },
	{ L("m,b=1,a=1,b=2 v=1"), LP_PREC_NS, "duplicate tag key" },
	{ L("m,t\\ x=a,t\\ x=b v=1"), LP_PREC_NS, "duplicate tag key" },
	{ L("m v=1,v=2"), LP_PREC_NS, "duplicate field key" },
	{ L("m v=1,w=2,v=\"x\""), LP_PREC_NS, "duplicate field key" },
	{ L("m a\\,b=1,a\\,b=2"), LP_PREC_NS, "duplicate field key" },
	/* strings */
	{ L("m s=\"abc"), LP_PREC_NS, "unterminated string" },
	{ L("m s=\""), LP_PREC_NS, "unterminated string" },
	{ L("m s=\"abc\\\""), LP_PREC_NS, "unterminated string" },
	{ L("m s=\"a\"b"), LP_PREC_NS, "missing separator" },
	{ L("m s=\"a\"\"b\""), LP_PREC_NS, "missing separator" },
	{ L("m s=abc"), LP_PREC_NS, "invalid field value" },
	/* booleans */
	{ L("m b=tru"), LP_PREC_NS, "invalid boolean" },
	{ L("m b=tRUE"), LP_PREC_NS, "invalid boolean" },
	{ L("m b=truex"), LP_PREC_NS, "invalid boolean" },
	{ L("m b=yes"), LP_PREC_NS, "invalid field value" },
	/* integers */
	{ L("m v=9223372036854775808i"), LP_PREC_NS, "out of range" },
	{ L("m v=-9223372036854775809i"), LP_PREC_NS, "out of range" },
	{ L("m v=99999999999999999999999i"), LP_PREC_NS, "out of range" },
	{ L("m v=i"), LP_PREC_NS, "invalid field value" },
	{ L("m v=-i"), LP_PREC_NS, "invalid integer" },
	{ L("m v=1ii"), LP_PREC_NS, "invalid integer" },
	{ L("m v=1.5i"), LP_PREC_NS, "invalid float" },
	{ L("m v=1e3i"), LP_PREC_NS, "invalid float" },
	{ L("m v=+1i"), LP_PREC_NS, "invalid field value" },
	{ L("m v=0x10i"), LP_PREC_NS, "invalid float" },
	/* unsigned */
	{ L("m v=18446744073709551616u"), LP_PREC_NS, "out of range" },
	{ L("m v=-1u"), LP_PREC_NS, "invalid unsigned" },
	{ L("m v=-0u"), LP_PREC_NS, "invalid unsigned" },
	{ L("m v=1.0u"), LP_PREC_NS, "invalid float" },
	{ L("m v=1uu"), LP_PREC_NS, "invalid unsigned" },
	/* floats */
	{ L("m v=1e309"), LP_PREC_NS, "out of range" },
	{ L("m v=-1e309"), LP_PREC_NS, "out of range" },
	{ L("m v=1e99999999999999999999"), LP_PREC_NS, "out of range" },
	{ L("m v=nan"), LP_PREC_NS, "NaN" },
	{ L("m v=NaN"), LP_PREC_NS, "NaN" },
	{ L("m v=-nan"), LP_PREC_NS, "NaN" },
	{ L("m v=inf"), LP_PREC_NS, "infinity" },
	{ L("m v=-inf"), LP_PREC_NS, "infinity" },
	{ L("m v=+Inf"), LP_PREC_NS, "infinity" },
	{ L("m v=Infinity"), LP_PREC_NS, "infinity" },
	{ L("m v=+1"), LP_PREC_NS, "invalid field value" },
	{ L("m v=+1.5"), LP_PREC_NS, "invalid field value" },
	{ L("m v=0x10"), LP_PREC_NS, "invalid float" },
	{ L("m v=0x1p3"), LP_PREC_NS, "invalid float" },
	{ L("m v=-"), LP_PREC_NS, "invalid float" },
	{ L("m v=."), LP_PREC_NS, "invalid float" },
	{ L("m v=-."), LP_PREC_NS, "invalid float" },
	{ L("m v=.e5"), LP_PREC_NS, "invalid float" },
	{ L("m v=1e"), LP_PREC_NS, "invalid float" },
	{ L("m v=1e+"), LP_PREC_NS, "invalid float" },
	{ L("m v=1e-"), LP_PREC_NS, "invalid float" },
	{ L("m v=1.2.3"), LP_PREC_NS, "invalid float" },
	{ L("m v=1..2"), LP_PREC_NS, "invalid float" },
	{ L("m v=--1"), LP_PREC_NS, "invalid float" },
	{ L("m v=1_000"), LP_PREC_NS, "invalid float" },
	{ L("m v=1,5"), LP_PREC_NS, "missing field value" },
	/* timestamps */
	{ L("m v=1 12a"), LP_PREC_NS, "invalid timestamp" },
	{ L("m v=1 a"), LP_PREC_NS, "invalid timestamp" },
	{ L("m v=1 -"), LP_PREC_NS, "invalid timestamp" },
	{ L("m v=1 +5"), LP_PREC_NS, "invalid timestamp" },
	{ L("m v=1 1.5"), LP_PREC_NS, "invalid timestamp" },
	{ L("m v=1 1e9"), LP_PREC_NS, "invalid timestamp" },
	{ L("m v=1 5 6"), LP_PREC_NS, "unexpected text after timestamp" },
	{ L("m v=1 5 garbage"), LP_PREC_NS,
	  "unexpected text after timestamp" },
	{ L("m v=1 5\tx"), LP_PREC_NS, "unexpected text after timestamp" },
	{ L("m v=1 9223372036854775808"), LP_PREC_NS, "out of range" },
	{ L("m v=1 -9223372036854775809"), LP_PREC_NS, "out of range" },
	{ L("m v=1 99999999999999999999999"), LP_PREC_NS, "out of range" },
	{ L("m v=1 9223372037"), LP_PREC_S, "out of range" },
	{ L("m v=1 153722868"), LP_PREC_M, "out of range" },
	{ L("m v=1 2562048"), LP_PREC_H, "out of range" },
	{ L("m v=1 -9223372037"), LP_PREC_S, "out of range" },
	{ L("m v=1 9223372036855"), LP_PREC_MS, "out of range" },
	{ L("m v=1 9223372036854776"), LP_PREC_US, "out of range" },
	{ L("m v=1 1700000000000000000"), LP_PREC_S, "out of range" },
	/* NUL bytes and newlines */
	{ L("m\0 v=1"), LP_PREC_NS, "NUL" },
	{ L("\0m v=1"), LP_PREC_NS, "NUL" },
	{ L("m,t\0=a v=1"), LP_PREC_NS, "NUL" },
	{ L("m,t=a\0 v=1"), LP_PREC_NS, "NUL" },
	{ L("m v\0=1"), LP_PREC_NS, "NUL" },
	{ L("m s=\"a\0b\""), LP_PREC_NS, "NUL" },
	{ L("m v=1\0"), LP_PREC_NS, "invalid float" },
	{ L("m v=1i\0"), LP_PREC_NS, "invalid integer" },
	{ L("m v=t\0"), LP_PREC_NS, "invalid boolean" },
	{ L("m v=1 5\0"), LP_PREC_NS, "invalid timestamp" },
	{ L("m\n v=1"), LP_PREC_NS, "newline" },
	{ L("m,t=a\nb v=1"), LP_PREC_NS, "newline" },
	{ L("m v\nx=1"), LP_PREC_NS, "newline" },
	{ L("m s=\"a\nb\""), LP_PREC_NS, "newline" },
	{ L("m v=1\n"), LP_PREC_NS, "invalid float" },
	/* bad precision value */
	{ L("m v=1"), (enum lp_precision)7, "precision" },
};

Test(lineproto, invalid_lines)
{
	struct lp_parser *p = lp_parser_new(NULL);

	cr_assert_not_null(p);
	for (size_t i = 0;
	    i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		const struct invalid_case *c = &invalid_cases[i];
		struct lp_point pt;
		const char *err = NULL;
		int rc = lp_parse_line(p, c->line, c->len, c->prec, &pt, &err);

		cr_expect_eq(rc, -1, "case %zu [%.*s]: rc %d", i, (int)c->len,
		    c->line, rc);
		if (rc != -1)
			continue;
		cr_expect(err != NULL && err[0] != '\0',
		    "case %zu: empty reason", i);
		cr_expect(err != NULL && strstr(err, c->reason) != NULL,
		    "case %zu [%.*s]: reason \"%s\", want \"%s\"", i,
		    (int)c->len, c->line, err ? err : "(null)", c->reason);
		cr_expect_leq(lp_parser_error_offset(p), c->len,
		    "case %zu: error offset past the line", i);
	}
	lp_parser_free(p);
}

Test(lineproto, error_offset)
{
	struct lp_parser *p = lp_parser_new(NULL);
	struct lp_point pt;
	const char *err;

	cr_assert_not_null(p);
	cr_assert_eq(lp_parse_line(p, L("m,t=a v=1 12x"), LP_PREC_NS, &pt,
	    &err), -1);
	cr_expect_eq(lp_parser_error_offset(p), 12);
	cr_assert_eq(lp_parse_line(p, L("m v=1,w=zz"), LP_PREC_NS, &pt,
	    &err), -1);
	cr_expect_eq(lp_parser_error_offset(p), 8);
	cr_assert_eq(lp_parse_line(p, L("m v=1,x=2,v=3"), LP_PREC_NS, &pt,
	    &err), -1);
	cr_expect_eq(lp_parser_error_offset(p), 10);
	lp_parser_free(p);
}

/* A line with n tags t<i>=v named in reverse order, or fields f<i>=<i>. */
static char *
make_line(size_t ntags, size_t nfields, size_t dup)
{
	size_t cap = 64 + (ntags + nfields) * 24, n = 0;
	char *s = malloc(cap);

	cr_assert_not_null(s);
	n += (size_t)snprintf(s + n, cap - n, "m");
	for (size_t i = ntags; i > 0; i--)
		n += (size_t)snprintf(s + n, cap - n, ",t%05zu=v",
		    i == dup ? (size_t)1 : i);
	for (size_t i = 1; i <= nfields; i++)
		n += (size_t)snprintf(s + n, cap - n, "%cf%05zu=%zui",
		    i == 1 ? ' ' : ',', i == dup ? (size_t)1 : i, i);
	return s;
}

Test(lineproto, limits)
{
	struct lp_limits lim = { .max_tags = 3, .max_fields = 2 };
	struct lp_parser *p = lp_parser_new(&lim);
	struct lp_point pt;
	const char *err;
	char *s;

	cr_assert_not_null(p);
	cr_expect_eq(lp_parse_line(p, L("m,a=1,b=2,c=3 x=1,y=2"), LP_PREC_NS,
	    &pt, &err), 1);
	cr_expect_eq(lp_parse_line(p, L("m,a=1,b=2,c=3,d=4 x=1"), LP_PREC_NS,
	    &pt, &err), -1);
	cr_expect_str_eq(err, "too many tags");
	cr_expect_eq(lp_parse_line(p, L("m x=1,y=2,z=3"), LP_PREC_NS, &pt,
	    &err), -1);
	cr_expect_str_eq(err, "too many fields");
	lp_parser_free(p);

	/* defaults: 256 tags, 1024 fields; long lines sort and dedup too */
	p = lp_parser_new(NULL);
	cr_assert_not_null(p);
	s = make_line(256, 1024, 0);
	cr_expect_eq(lp_parse_line(p, s, strlen(s), LP_PREC_NS, &pt, &err), 1,
	    "%s", err);
	cr_expect_eq(pt.n_tags, 256);
	cr_expect_eq(pt.n_fields, 1024);
	for (size_t i = 1; i < pt.n_tags; i++)
		cr_expect(memcmp(pt.tags[i - 1].key.p, pt.tags[i].key.p, 6) < 0,
		    "tags not sorted at %zu", i);
	cr_expect_eq(pt.fields[1023].v.i, 1024);
	free(s);
	s = make_line(257, 1, 0);
	cr_expect_eq(lp_parse_line(p, s, strlen(s), LP_PREC_NS, &pt, &err), -1);
	cr_expect_str_eq(err, "too many tags");
	free(s);
	s = make_line(0, 1025, 0);
	cr_expect_eq(lp_parse_line(p, s, strlen(s), LP_PREC_NS, &pt, &err), -1);
	cr_expect_str_eq(err, "too many fields");
	free(s);
	s = make_line(200, 1, 137);	/* duplicate among many tags */
	cr_expect_eq(lp_parse_line(p, s, strlen(s), LP_PREC_NS, &pt, &err), -1);
	cr_expect_str_eq(err, "duplicate tag key");
	free(s);
	s = make_line(0, 900, 777);	/* duplicate among many fields */
	cr_expect_eq(lp_parse_line(p, s, strlen(s), LP_PREC_NS, &pt, &err), -1);
	cr_expect_str_eq(err, "duplicate field key");
	free(s);
	s = make_line(17, 17, 0);	/* just past the small-array paths */
	cr_expect_eq(lp_parse_line(p, s, strlen(s), LP_PREC_NS, &pt, &err), 1);
	free(s);
	lp_parser_free(p);
}

Test(lineproto, string_length_limit)
{
	struct lp_parser *p = lp_parser_new(NULL);
	size_t cap = 2 * LP_MAX_STRING + 64;
	char *s = malloc(cap);
	struct lp_point pt;
	const char *err;
	size_t n;

	cr_assert_not_null(p);
	cr_assert_not_null(s);
	n = (size_t)sprintf(s, "m s=\"");
	memset(s + n, 'x', LP_MAX_STRING);
	n += LP_MAX_STRING;
	s[n++] = '"';
	cr_expect_eq(lp_parse_line(p, s, n, LP_PREC_NS, &pt, &err), 1);
	cr_expect_eq(pt.fields[0].v.s.len, LP_MAX_STRING);
	s[n - 1] = 'x';
	s[n++] = '"';
	cr_expect_eq(lp_parse_line(p, s, n, LP_PREC_NS, &pt, &err), -1);
	cr_expect_str_eq(err, "string value too long");

	/* the limit applies to the unescaped text: 65536 `\"` pass */
	n = (size_t)sprintf(s, "m s=\"");
	for (size_t i = 0; i < LP_MAX_STRING; i++) {
		s[n++] = '\\';
		s[n++] = '"';
	}
	s[n++] = '"';
	cr_expect_eq(lp_parse_line(p, s, n, LP_PREC_NS, &pt, &err), 1);
	cr_expect_eq(pt.fields[0].v.s.len, LP_MAX_STRING);
	cr_expect_eq(pt.fields[0].v.s.p[LP_MAX_STRING - 1], '"');
	free(s);
	lp_parser_free(p);
}

/* Unescaped text lives in the parser's scratch buffer; it is reused. */
Test(lineproto, scratch_and_arrays_reused)
{
	struct lp_parser *p = lp_parser_new(NULL);
	struct lp_point pt;
	const char *err, *line = "a\\ b,k\\,1=v\\ 1,k2=v2 f\\=1=\"x\\\"y\",g=2";
	struct lp_tag *tags;

	cr_assert_not_null(p);
	cr_assert_eq(lp_parse_line(p, line, strlen(line), LP_PREC_NS, &pt,
	    &err), 1);
	tags = pt.tags;
	cr_expect_eq(pt.measurement.len, 3);
	cr_expect_eq(memcmp(pt.measurement.p, "a b", 3), 0);
	cr_expect_eq(memcmp(pt.tags[0].key.p, "k,1", 3), 0);
	cr_expect_eq(memcmp(pt.tags[0].value.p, "v 1", 3), 0);
	cr_expect_eq(pt.tags[1].key.p, line + 15, "unescaped names point "
	    "into the line");
	cr_expect_eq(memcmp(pt.fields[0].key.p, "f=1", 3), 0);
	cr_expect_eq(memcmp(pt.fields[0].v.s.p, "x\"y", 3), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(lp_parse_line(p, line, strlen(line), LP_PREC_NS,
		    &pt, &err), 1);
		cr_expect_eq(pt.tags, tags);
	}
	lp_parser_free(p);
}

/* A deterministic generator of decimal literals for the strtod check. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t
gen_float(char *buf)
{
	size_t n = 0, nint = rng() % 21, nfrac = rng() % 21;

	if (rng() % 2)
		buf[n++] = '-';
	if (nint == 0 && nfrac == 0)
		nint = 1;
	for (size_t i = 0; i < nint; i++)
		buf[n++] = (char)('0' + (rng() % 4 == 0 ? 0 : rng() % 10));
	if (nfrac > 0 || rng() % 8 == 0) {
		buf[n++] = '.';
		for (size_t i = 0; i < nfrac; i++)
			buf[n++] = (char)('0' + rng() % 10);
	}
	if (rng() % 3 == 0)
		n += (size_t)sprintf(buf + n, "e%d",
		    (int)(rng() % 700) - 350);
	else if (rng() % 3 == 0)
		n += (size_t)sprintf(buf + n, "E%+d", (int)(rng() % 50) - 25);
	buf[n] = '\0';
	return n;
}

Test(lineproto, floats_equal_strtod)
{
	struct lp_parser *p = lp_parser_new(NULL);
	size_t checked = 0, refused = 0;

	cr_assert_not_null(p);
	for (int i = 0; i < 300000; i++) {
		char num[128], line[160];
		struct lp_point pt;
		const char *err;
		double want;
		int n, rc;

		gen_float(num);
		want = strtod(num, NULL);
		n = snprintf(line, sizeof(line), "m v=%s", num);
		rc = lp_parse_line(p, line, (size_t)n, LP_PREC_NS, &pt, &err);
		if (isinf(want)) {
			cr_expect_eq(rc, -1, "[%s] is out of range", num);
			refused++;
			continue;
		}
		cr_expect_eq(rc, 1, "[%s]: %s", num, rc == -1 ? err : "");
		if (rc != 1)
			continue;
		cr_expect_eq(pt.fields[0].type, LP_FLOAT);
		cr_expect(memcmp(&pt.fields[0].v.f, &want, sizeof(want)) == 0,
		    "[%s]: got %.17g want %.17g", num, pt.fields[0].v.f, want);
		checked++;
	}
	cr_expect_gt(checked, 200000);
	cr_expect_gt(refused, 0);
	lp_parser_free(p);
}

Test(lineproto, next_line)
{
	static const char body[] = "a v=1\r\nb v=2\n\n\r\nc v=3";
	static const char *want[] = { "a v=1", "b v=2", "", "", "c v=3" };
	const char *line;
	size_t pos = 0, len, i = 0;

	while (lp_next_line(body, sizeof(body) - 1, &pos, &line, &len)) {
		cr_assert_lt(i, 5);
		cr_expect_eq(len, strlen(want[i]), "line %zu", i);
		cr_expect_eq(memcmp(line, want[i], len), 0, "line %zu", i);
		i++;
	}
	cr_expect_eq(i, 5);
	cr_expect_eq(pos, sizeof(body) - 1);

	pos = 0;
	i = 0;
	while (lp_next_line("x\n", 2, &pos, &line, &len))
		i++;
	cr_expect_eq(i, 1, "a final newline does not make an empty line");
	pos = 0;
	cr_expect_eq(lp_next_line("", 0, &pos, &line, &len), 0);
	pos = 0;
	cr_expect_eq(lp_next_line("\n", 1, &pos, &line, &len), 1);
	cr_expect_eq(len, 0);
	cr_expect_eq(lp_next_line("\n", 1, &pos, &line, &len), 0);
	pos = 0;
	cr_expect_eq(lp_next_line("\r", 1, &pos, &line, &len), 1);
	cr_expect_eq(len, 0, "a lone \\r is stripped");
}

Test(lineproto, precision_names)
{
	static const struct {
		const char *text;
		int rc;
		enum lp_precision prec;
	} cases[] = {
		{ "ns", 0, LP_PREC_NS }, { "n", 0, LP_PREC_NS },
		{ "us", 0, LP_PREC_US }, { "u", 0, LP_PREC_US },
		{ "ms", 0, LP_PREC_MS }, { "s", 0, LP_PREC_S },
		{ "m", 0, LP_PREC_M }, { "h", 0, LP_PREC_H },
		{ "", -1, 0 }, { "min", -1, 0 }, { "H", -1, 0 },
		{ "NS", -1, 0 }, { "ns ", -1, 0 }, { "sec", -1, 0 },
		{ NULL, -1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum lp_precision prec = LP_PREC_NS;
		int rc = lp_precision_parse(cases[i].text, &prec);

		cr_expect_eq(rc, cases[i].rc, "[%s]",
		    cases[i].text ? cases[i].text : "(null)");
		if (rc == 0)
			cr_expect_eq(prec, cases[i].prec, "[%s]",
			    cases[i].text);
	}
}
