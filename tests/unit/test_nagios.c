/* test_nagios.c — Nagios perfdata/output parsing (tables) and the plugin through the host. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "plugins/nagios.h"

#define NP "/usr/lib/nagios/plugins/"

Test(perfdata, items_table)
{
	static const struct {
		const char *in;
		int rc;
		const char *label, *uom;
		double value;
		int has_warn, has_crit, has_min, has_max;
		double min, max;
	} t[] = {
		{ "load1=0.430;5.000;10.000;0;", 0, "load1", "", 0.43, 1, 1, 1, 0, 0, 0 },
		{ "/=2643MB;5948;6356;0;6692", 0, "/", "MB", 2643, 1, 1, 1, 1, 0, 6692 },
		{ "'free space'=93%;10;5", 0, "free space", "%", 93, 1, 1, 0, 0, 0, 0 },
		{ "'it''s'=1", 0, "it's", "", 1, 0, 0, 0, 0, 0, 0 },
		{ "time=0.002s;;;0.000", 0, "time", "s", 0.002, 0, 0, 1, 0, 0, 0 },
		{ "rta=-1.5e-3ms", 0, "rta", "ms", -0.0015, 0, 0, 0, 0, 0, 0 },
		{ "c=12345c", 0, "c", "c", 12345, 0, 0, 0, 0, 0, 0 },
		{ "users=3;;;;", 0, "users", "", 3, 0, 0, 0, 0, 0, 0 },
		{ "x=U", 1, "", "", 0, 0, 0, 0, 0, 0, 0 },
		{ "x=U;1;2", 1, "", "", 0, 0, 0, 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct nagios_perf p;
		int rc = nagios_parse_perf_item(t[i].in, strlen(t[i].in), &p);
		cr_expect_eq(rc, t[i].rc, "'%s': rc %d", t[i].in, rc);
		if (rc != 0 || t[i].rc != 0)
			continue;
		cr_expect_str_eq(p.label, t[i].label, "'%s'", t[i].in);
		cr_expect_str_eq(p.uom, t[i].uom, "'%s'", t[i].in);
		cr_expect_float_eq(p.value, t[i].value, 1e-12, "'%s'", t[i].in);
		cr_expect_eq(p.has_warn, t[i].has_warn, "'%s' warn", t[i].in);
		cr_expect_eq(p.has_crit, t[i].has_crit, "'%s' crit", t[i].in);
		cr_expect_eq(p.has_min, t[i].has_min, "'%s' min", t[i].in);
		cr_expect_eq(p.has_max, t[i].has_max, "'%s' max", t[i].in);
		if (t[i].has_max)
			cr_expect_float_eq(p.max, t[i].max, 1e-9);
	}
	static const char *bad[] = {
		"novalue", "=5", "x=", "x=abc", "x=5;1;2;3;4;5",
		"x=nan", "x=inf", "x=5KBBBBBBBB", "x=5 MB", "'unterminated=5",
		"'a'b=5", "x=5;abc", "x=5;;;min", "x=5;20:10", "x=5;~:",
		"x=--5", "x=5$", "''=5", "x=0x10", "a'b=1"
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nagios_perf p;
		cr_expect_eq(nagios_parse_perf_item(bad[i], strlen(bad[i]), &p), -1, "'%s'", bad[i]);
	}
}

Test(perfdata, ranges_table)
{
	static const struct {
		const char *in;
		int rc, inside, has_low, has_high;
		double low, high;
	} t[] = {
		{ "10", 0, 0, 1, 1, 0, 10 },
		{ "10:", 0, 0, 1, 0, 10, 0 },
		{ "~:10", 0, 0, 0, 1, 0, 10 },
		{ "10:20", 0, 0, 1, 1, 10, 20 },
		{ "@10:20", 0, 1, 1, 1, 10, 20 },
		{ "-5:5", 0, 0, 1, 1, -5, 5 },
		{ ":7", 0, 0, 1, 1, 0, 7 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct nagios_range r;
		int rc = nagios_parse_range(t[i].in, strlen(t[i].in), &r);
		cr_expect_eq(rc, t[i].rc, "'%s'", t[i].in);
		if (rc != 0 || t[i].rc != 0)
			continue;
		cr_expect_eq(r.inside, t[i].inside, "'%s'", t[i].in);
		cr_expect_eq(r.has_low, t[i].has_low, "'%s'", t[i].in);
		cr_expect_eq(r.has_high, t[i].has_high, "'%s'", t[i].in);
		if (r.has_low)
			cr_expect_float_eq(r.low, t[i].low, 1e-9, "'%s'", t[i].in);
		if (r.has_high)
			cr_expect_float_eq(r.high, t[i].high, 1e-9, "'%s'", t[i].in);
	}
	static const char *bad[] = { "", "@", "~:", "20:10", "a:b", "1:2:3", "~", "10x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nagios_range r;
		cr_expect_eq(nagios_parse_range(bad[i], strlen(bad[i]), &r), -1, "'%s'", bad[i]);
	}
}

struct perf_list {
	char labels[16][NAGIOS_LABEL_MAX];
	double values[16];
	size_t n;
};

static void
collect_perf(const struct nagios_perf *p, void *arg)
{
	struct perf_list *l = arg;
	if (l->n < 16) {
		snprintf(l->labels[l->n], NAGIOS_LABEL_MAX, "%s", p->label);
		l->values[l->n++] = p->value;
	}
}

Test(perfdata, whole_outputs)
{
	static const struct {
		const char *out;
		const char *summary, *longtext;
		size_t n_perf;
		int bad;
		const char *first_label;
	} t[] = {
		{ "OK - load average: 0.43, 0.36, 0.22|load1=0.430;5.000;10.000;0; "
		  "load5=0.360;4.000;8.000;0; load15=0.220;3.000;6.000;0;\n",
		  "OK - load average: 0.43, 0.36, 0.22", "", 3, 0, "load1" },
		{ "DISK OK - free space: / 3326 MB (56%);| /=2643MB;5948;6356;0;6692\n",
		  "DISK OK - free space: / 3326 MB (56%);", "", 1, 0, "/" },
		{ "PROCS OK\nline two\nline three | a=1 b=2\nc=3\n'd e'=4\n",
		  "PROCS OK", "line two\nline three", 4, 0, "a" },
		{ "no perfdata at all\n", "no perfdata at all", "", 0, 0, NULL },
		{ "", "", "", 0, 0, NULL },
		{ "OK | broken=abc good=1 =3 also=U\n", "OK", "", 1, 2, "good" },
		{ "   spaces around   |   x=1   \r\n", "spaces around", "", 1, 0, "x" },
		{ "OK | 'a b'=1 'c''d'=2", "OK", "", 2, 0, "a b" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct perf_list l;
		char summary[128], longtext[128];
		memset(&l, 0, sizeof(l));
		int bad = nagios_parse_output(t[i].out, strlen(t[i].out), summary, sizeof(summary),
		    longtext, sizeof(longtext), collect_perf, &l);
		cr_expect_eq(bad, t[i].bad, "row %zu bad", i);
		cr_expect_str_eq(summary, t[i].summary, "row %zu summary", i);
		cr_expect_str_eq(longtext, t[i].longtext, "row %zu long", i);
		cr_expect_eq(l.n, t[i].n_perf, "row %zu perf count %zu", i, l.n);
		if (t[i].first_label != NULL && l.n > 0)
			cr_expect_str_eq(l.labels[0], t[i].first_label, "row %zu", i);
	}
	/* Summary truncated to its buffer. */
	char small[6];
	nagios_parse_output("0123456789", 10, small, sizeof(small), NULL, 0, NULL, NULL);
	cr_expect_str_eq(small, "01234");
	/* States */
	static const int codes[][2] = { { 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 3 }, { 4, 3 }, { 127, 3 },
		{ -1, 3 }, { 255, 3 } };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		cr_expect_eq(nagios_state_from_exit(codes[i][0]), codes[i][1]);
}

/* ---- the plugin through the host, with real check programs ----------------------------- */

static void
config_fails(const char *yaml, struct cfg_errors *errs)
{
	struct agent_config cfg;
	struct plugin_host *h = NULL;

	cr_assert_eq(agent_config_load(&cfg, NULL, errs), 0);
	if (cfg_load_buffer(agent_schema, &cfg, yaml, strlen(yaml), "t.yaml", errs) == 0)
		h = plugin_host_new(&cfg, "h1", "t.yaml", 1, errs);
	cr_expect_null(h);
	plugin_host_free(h, 0);
	agent_config_free(&cfg);
}

struct captured {
	char *text;
	int interval;
};

static void
capture(int interval, const char *text, size_t len, size_t lines, void *arg)
{
	struct captured *c = arg;
	(void)lines;
	c->interval = interval;
	c->text = strndup(text, len);
}

static struct captured
run_instance(const char *yaml)
{
	struct agent_config cfg;
	struct cfg_errors errs = { 0 };
	struct captured c = { NULL, 0 };

	cr_assert_eq(agent_config_load(&cfg, NULL, &errs), 0);
	cr_assert_eq(cfg_load_buffer(agent_schema, &cfg, yaml, strlen(yaml), "t.yaml", &errs), 0,
	    "%s", errs.n ? errs.msgs[0] : "");
	struct plugin_host *h = plugin_host_new(&cfg, "h1", "t.yaml", 1, &errs);
	cr_assert_not_null(h, "%s", errs.n ? errs.msgs[0] : "?");
	plugin_host_run_once(h, 1700000000000000000LL);
	plugin_host_drain(h, capture, &c);
	plugin_host_free(h, 1000);
	agent_config_free(&cfg);
	cr_assert_not_null(c.text);
	return c;
}

Test(nagios_plugin, check_dummy_states_and_output)
{
	struct captured c = run_instance(
	    "plugins:\n"
	    "  - plugin: nagios\n"
	    "    name: dummy\n"
	    "    interval: 20s\n"
	    "    command: [" NP "check_dummy, \"1\", \"disk is filling\"]\n");
	cr_expect_eq(c.interval, 20);
	cr_expect(strstr(c.text, "nagios_state,host=h1,instance=dummy state=1i,exit_code=1i,"
	    "duration_ms=") != NULL, "%s", c.text);
	cr_expect(strstr(c.text, "service_output=\"WARNING: disk is filling\" 1700000000000000000\n")
	    != NULL, "%s", c.text);
	free(c.text);
}

Test(nagios_plugin, check_load_perfdata)
{
	struct captured c = run_instance(
	    "plugins:\n"
	    "  - plugin: nagios\n"
	    "    name: load\n"
	    "    command: [" NP "check_load, -w, \"500,400,300\", -c, \"1000,800,600\"]\n");
	cr_expect_eq(c.interval, 10);
	cr_expect(strstr(c.text, "nagios_state,host=h1,instance=load state=0i,exit_code=0i,") != NULL,
	    "%s", c.text);
	cr_expect(strstr(c.text, "nagios,host=h1,instance=load,perfdata=load1 value=") != NULL,
	    "%s", c.text);
	cr_expect(strstr(c.text, ",warning_lt=0,warning_gt=500,critical_lt=0,critical_gt=1000,min=0 ")
	    != NULL, "%s", c.text);
	free(c.text);
}

Test(nagios_plugin, timeout_and_bad_programs)
{
	struct captured c = run_instance(
	    "plugins:\n"
	    "  - plugin: nagios\n"
	    "    name: slow\n"
	    "    timeout: 1s\n"
	    "    command: [/bin/sleep, \"30\"]\n");
	cr_expect(strstr(c.text, "state=3i,exit_code=-1i,") != NULL, "%s", c.text);
	cr_expect(strstr(c.text, "timed out after 1000 ms") != NULL, "%s", c.text);
	free(c.text);

	static const char *bad[] = {
		"plugins:\n  - plugin: nagios\n    name: x\n",				/* no command */
		"plugins:\n  - plugin: nagios\n    name: x\n    command: [check_load]\n",	/* relative */
		"plugins:\n  - plugin: nagios\n    name: x\n    command: [/nonexistent/check]\n",
		"plugins:\n  - plugin: nagios\n    name: x\n    command: [/bin/true]\n    user: root\n",
		"plugins:\n  - plugin: nagios\n    name: x\n    command: [/bin/true]\n    user: nosuchuser\n",
		"plugins:\n  - plugin: nagios\n    name: x\n    command: [/bin/true]\n    bogus: 1\n",
		"plugins:\n  - plugin: nosuch\n    name: x\n",
		"plugins:\n  - plugin: nagios\n    command: [/bin/true]\n",		/* no name */
		"plugins:\n  - plugin: nagios\n    name: \"a b\"\n    command: [/bin/true]\n",
		"plugins:\n  - plugin: nagios\n    name: x\n    interval: 15s\n    command: [/bin/true]\n",
		"plugins:\n  - {plugin: nagios, name: x, command: [/bin/true]}\n"
		"  - {plugin: nagios, name: x, command: [/bin/true]}\n",		/* same name */
		"plugins:\n  - just a string\n",
		"plugins:\n  - plugin: nagios\n    name: x\n    command: [/bin/true]\n    env: [NOEQUALS]\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cfg_errors errs = { 0 };
		if (geteuid() != 0 && (i == 3 || i == 4))
			continue;	/* user: only checked when the agent is root */
		config_fails(bad[i], &errs);
		cr_expect_gt(errs.n, 0, "bad[%zu] accepted", i);
		cfg_errors_clear(&errs);
	}
}

Test(nagios_plugin, output_of_a_read_running_at_stop_is_kept)
{
	const char *yaml = "plugins:\n  - plugin: nagios\n    name: slowish\n"
	    "    command: [/bin/sh, -c, \"sleep 0.5; echo 'OK - done|t=1s'\"]\n";
	struct agent_config cfg;
	struct cfg_errors errs = { 0 };
	struct captured c = { NULL, 0 };

	cr_assert_eq(agent_config_load(&cfg, NULL, &errs), 0);
	cr_assert_eq(cfg_load_buffer(agent_schema, &cfg, yaml, strlen(yaml), "t.yaml", &errs), 0);
	struct plugin_host *h = plugin_host_new(&cfg, "h1", "t.yaml", 1, &errs);
	cr_assert_not_null(h);
	cr_assert_eq(plugin_host_start(h, NULL, NULL), 0);
	plugin_host_tick(h, 1700000000000000000LL);	/* due: 1700000000 % 10 == 0 */
	usleep(100000);					/* the read is under way */
	cr_assert_eq(plugin_host_stop(h, 5000), 0, "the read returned");
	plugin_host_drain(h, capture, &c);
	cr_assert_not_null(c.text, "output kept after stop");
	cr_expect(strstr(c.text, "service_output=\"OK - done\"") != NULL, "%s", c.text);
	cr_expect(strstr(c.text, "perfdata=t,unit=s value=1 ") != NULL, "%s", c.text);
	free(c.text);
	plugin_host_free(h, 0);
	agent_config_free(&cfg);
}
