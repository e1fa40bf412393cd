/* test_counters.c — ingest.counters: which fields are counters, and rates
 * from successive readings with the agent's wrap and reset rules. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/ingest/ingest.h"

static struct lp_str
S(const char *s)
{
	return (struct lp_str){ s, strlen(s) };
}

static struct counters *
make(const char *const *rules, size_t n)
{
	struct cfg_strlist l = { (char **)rules, n };
	return counters_new(&l, NULL);
}

Test(counters, which_fields_match)
{
	static const char *const rules[] = { "net.bytes_recv", "nstat.*", "mysql.com_*" };
	struct counters *cs = make(rules, 3);
	cr_assert_not_null(cs);
	static const struct { const char *m, *f; int want; } cases[] = {
		{ "net", "bytes_recv", 1 }, { "net", "bytes_recv_ps", 0 },
		{ "net", "bytes_recvx", 0 }, { "net", "bytes_rec", 0 }, { "netx", "bytes_recv", 0 },
		{ "ne", "bytes_recv", 0 }, { "nstat", "TcpActiveOpens", 1 }, { "nstat", "", 1 },
		{ "nstat", "Udp_ps", 0 }, { "mysql", "com_select", 1 }, { "mysql", "com", 0 },
		{ "mysql", "queries", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lp_str m = S(cases[i].m), f = S(cases[i].f);
		cr_expect_eq(counters_match(cs, &m, &f), cases[i].want, "%s.%s", cases[i].m,
		    cases[i].f);
	}
	counters_free(cs);
}

Test(counters, bad_rules_refused)
{
	static const char *const bad[] = { "nodot", ".f", "m.", "m.a*b", "m.**" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cfg_strlist l = { (char **)&bad[i], 1 };
		cr_expect_not_null(collector_check_counters(&l), "%s", bad[i]);
		cr_expect_null(counters_new(&l, NULL), "%s", bad[i]);
	}
}

static struct lp_field
U(uint64_t v)
{
	struct lp_field f = { .type = LP_UINT };
	f.v.u = v;
	return f;
}

/* Readings fed in order: the rate each one gives (NAN: none). */
Test(counters, rates_wraps_and_resets)
{
	static const char *const rules[] = { "net.bytes_recv" };
	struct counters *cs = make(rules, 1);
	static const struct { double ts; uint64_t v; double rate; } steps[] = {
		{ 100, 1000, NAN },			/* primes */
		{ 110, 2000, 100 },
		{ 110, 9000, NAN },			/* same time: nothing, state kept */
		{ 105, 9000, NAN },			/* older: nothing */
		{ 120, 3000, 100 },
		{ 130, 100, NAN },			/* went back by far less than 2^32: reset */
		{ 140, 4294967000ULL, 429496690 },	/* a big step up is a rate... */
		{ 150, 704, 100 },			/* ...and a 32-bit wrap: 1000 in 10 s */
		{ 160, 10000000000ULL, 999999929.6 },
		{ 170, 5, NAN },			/* 64-bit value went back: reset */
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct lp_field f = U(steps[i].v);
		double rate = -1;
		int rc = counters_rate(cs, "k", 1, steps[i].ts, &f, &rate);
		if (isnan(steps[i].rate)) {
			cr_expect_eq(rc, 0, "step %zu gave a rate %g", i, rate);
		} else {
			cr_expect_eq(rc, 1, "step %zu", i);
			cr_expect_float_eq(rate, steps[i].rate, 1e-6, "step %zu: %g", i, rate);
		}
	}
	cr_expect_eq(counters_tracked(cs), 1);
	counters_free(cs);
}

Test(counters, only_whole_non_negative_numbers)
{
	static const char *const rules[] = { "m.c" };
	struct counters *cs = make(rules, 1);
	struct lp_field f = { .type = LP_INT };
	double rate;
	f.v.i = -1;
	cr_expect_eq(counters_rate(cs, "a", 1, 10, &f, &rate), -1);
	f.type = LP_FLOAT;
	f.v.f = 1.5;
	cr_expect_eq(counters_rate(cs, "a", 1, 10, &f, &rate), -1);
	f.v.f = NAN;
	cr_expect_eq(counters_rate(cs, "a", 1, 10, &f, &rate), -1);
	f.v.f = 1e30;
	cr_expect_eq(counters_rate(cs, "a", 1, 10, &f, &rate), -1);
	f.type = LP_BOOL;
	cr_expect_eq(counters_rate(cs, "a", 1, 10, &f, &rate), -1);
	f.type = LP_FLOAT;
	f.v.f = 100;
	cr_expect_eq(counters_rate(cs, "a", 1, 10, &f, &rate), 0);
	f.v.f = 300;
	cr_expect_eq(counters_rate(cs, "a", 1, 12, &f, &rate), 1);
	cr_expect_float_eq(rate, 100, 1e-9);
	counters_free(cs);
}
