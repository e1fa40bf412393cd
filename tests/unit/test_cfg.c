/* test_cfg.c — the typed, bounded YAML config schema. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"

struct demo_cfg {
	char *listen;
	long long interval;
	long long max_body;
	int tls;
	int mode;
	struct cfg_strlist counters;
	struct cfg_node *rules;
};

static const char *const modes[] = { "fast", "safe", NULL };

static const char *
check_listen(const void *field)
{
	const char *s = *(char *const *)field;
	return strchr(s, ':') ? NULL : "must be ADDR:PORT";
}

static const struct cfg_key schema[] = {
	{ "http.listen", CFG_STRING, offsetof(struct demo_cfg, listen), "127.0.0.1:8080", 0, 256, NULL, check_listen, "" },
	{ "interval", CFG_DURATION, offsetof(struct demo_cfg, interval), "10s", 1, 3600, NULL, NULL, "" },
	{ "http.max_body", CFG_SIZE, offsetof(struct demo_cfg, max_body), "16MiB", 1024, 1LL << 30, NULL, NULL, "" },
	{ "http.tls", CFG_BOOL, offsetof(struct demo_cfg, tls), "no", 0, 0, NULL, NULL, "" },
	{ "mode", CFG_ENUM, offsetof(struct demo_cfg, mode), "safe", 0, 0, modes, NULL, "" },
	{ "counters", CFG_STRLIST, offsetof(struct demo_cfg, counters), "[]", 0, 8, NULL, NULL, "" },
	{ "rules", CFG_NODE, offsetof(struct demo_cfg, rules), NULL, 0, 0, NULL, NULL, "" },
	CFG_END
};

static struct demo_cfg cfg;
static struct cfg_errors errs;

static void
setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(&errs, 0, sizeof(errs));
	cr_assert_eq(cfg_defaults(schema, &cfg, &errs), 0);
}

static void
teardown(void)
{
	cfg_free(schema, &cfg);
	cfg_errors_clear(&errs);
}

static int
load(const char *yaml)
{
	return cfg_load_buffer(schema, &cfg, yaml, strlen(yaml), "test.yaml", &errs);
}

TestSuite(cfg, .init = setup, .fini = teardown);

Test(cfg, defaults_apply)
{
	cr_assert_str_eq(cfg.listen, "127.0.0.1:8080");
	cr_assert_eq(cfg.interval, 10);
	cr_assert_eq(cfg.max_body, 16 * 1024 * 1024);
	cr_assert_eq(cfg.tls, 0);
	cr_assert_eq(cfg.mode, 1);
	cr_assert_eq(cfg.counters.n, 0);
}

Test(cfg, nested_keys_and_units)
{
	cr_assert_eq(load("http:\n  listen: '[::1]:9000'\n  max_body: 2MiB\n  tls: yes\n"
	    "interval: 5m\nmode: fast\ncounters: [a, b]\nrules:\n  - x: 1\n"), 0);
	cr_assert_str_eq(cfg.listen, "[::1]:9000");
	cr_assert_eq(cfg.max_body, 2 * 1024 * 1024);
	cr_assert_eq(cfg.tls, 1);
	cr_assert_eq(cfg.interval, 300);
	cr_assert_eq(cfg.mode, 0);
	cr_assert_eq(cfg.counters.n, 2);
	cr_assert_str_eq(cfg.counters.v[1], "b");
	cr_assert_not_null(cfg.rules);
	cr_assert_eq(cfg.rules->kind, CFG_N_SEQ);
}

Test(cfg, empty_file_is_defaults)
{
	cr_assert_eq(load(""), 0);
	cr_assert_eq(errs.n, 0);
	cr_assert_str_eq(cfg.listen, "127.0.0.1:8080");
}

Test(cfg, unknown_key_names_key_and_line)
{
	cr_assert_eq(load("http:\n  listen: 1.2.3.4:5\n  lisen: x\n"), -1);
	cr_assert_eq(errs.n, 1);
	cr_assert(strstr(errs.msgs[0], "unknown key 'http.lisen'") != NULL, "%s", errs.msgs[0]);
	cr_assert(strstr(errs.msgs[0], "test.yaml:3") != NULL, "%s", errs.msgs[0]);
}

Test(cfg, every_error_reported_at_once)
{
	cr_assert_eq(load("interval: 0\nhttp:\n  max_body: lots\n  tls: maybe\n"
	    "mode: turbo\nbogus: 1\nhttp.listen: nocolon\n"), -1);
	cr_assert_geq(errs.n, 5, "only %zu errors", errs.n);
}

Test(cfg, out_of_range_keeps_default)
{
	cr_assert_eq(load("interval: 7200\n"), -1);
	cr_assert(strstr(errs.msgs[0], "out of range") != NULL);
	cr_assert_eq(cfg.interval, 10);
}

Test(cfg, validator_runs)
{
	cr_assert_eq(load("http:\n  listen: nowhere\n"), -1);
	cr_assert(strstr(errs.msgs[0], "ADDR:PORT") != NULL);
}

Test(cfg, wrong_shapes_refused)
{
	static const char *bad[] = {
		"http: 5\n",			/* scalar where a section... is unknown key */
		"counters: notalist\n",
		"counters: [[1]]\n",
		"http:\n  listen: [a]\n",
		"counters: [a,b,c,d,e,f,g,h,i]\n",
		"interval: 99999999999999999999999\n",
		"interval: 10q\n",
		"a: [\n",
		"x: 1\nx: 2\n",
		"- 1\n- 2\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg_errors_clear(&errs);
		cr_expect_eq(load(bad[i]), -1, "accepted: %s", bad[i]);
		cr_expect_gt(errs.n, 0, "no message for: %s", bad[i]);
	}
}

/* Nested aliases expand in the tree: 6 levels of 10 are a million values
 * from 300 bytes ("billion laughs"). The parser refuses them by a budget
 * instead of allocating the whole expansion (the fuzzer found 1.4 GB). */
Test(cfg, alias_expansion_bounded)
{
	char yaml[1024];
	size_t off = (size_t)snprintf(yaml, sizeof(yaml), "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
	for (int i = 1; i <= 5; i++) {
		off += (size_t)snprintf(yaml + off, sizeof(yaml) - off, "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			off += (size_t)snprintf(yaml + off, sizeof(yaml) - off, "%s*a%d",
			    j ? "," : "", i - 1);
		off += (size_t)snprintf(yaml + off, sizeof(yaml) - off, "]\n");
	}
	char err[256];
	struct cfg_node *n = cfg_node_parse(yaml, off, err, sizeof(err));
	cr_assert_null(n, "a million-value alias expansion was built");
	cr_expect(strstr(err, "more than") != NULL, "error: %s", err);

	/* An alias used a few times, as profiles do, still works. */
	static const char ok[] = "a: &s {x: 1}\nb: *s\nc: *s\n";
	n = cfg_node_parse(ok, strlen(ok), err, sizeof(err));
	cr_assert_not_null(n, "%s", err);
	cr_expect_str_eq(cfg_node_get(cfg_node_get(n, "c"), "x")->value, "1");
	cfg_node_free(n);
}

/* One scalar of 64 KiB aliased 200 times is 12.8 MB of text: refused. */
Test(cfg, alias_text_bounded)
{
	size_t big = 65536, len = big + 4096;
	char *yaml = malloc(len), err[256];
	cr_assert_not_null(yaml);
	size_t off = (size_t)snprintf(yaml, len, "a: &a ");
	memset(yaml + off, 'x', big);
	off += big;
	off += (size_t)snprintf(yaml + off, len - off, "\nb: [");
	for (int i = 0; i < 200; i++)
		off += (size_t)snprintf(yaml + off, len - off, "%s*a", i ? "," : "");
	off += (size_t)snprintf(yaml + off, len - off, "]\n");
	struct cfg_node *n = cfg_node_parse(yaml, off, err, sizeof(err));
	free(yaml);
	cfg_node_free(n);
	cr_expect_null(n, "12.8 MB of aliased text was built");
	cr_expect(strstr(err, "bytes of text") != NULL, "error: %s", err);
}

/* A list longer than the per-collection cap is refused, not built. */
Test(cfg, long_list_bounded)
{
	size_t count = 10001, len = count * 3 + 16;
	char *yaml = malloc(len), err[256];
	cr_assert_not_null(yaml);
	size_t off = (size_t)snprintf(yaml, len, "l: [");
	for (size_t i = 0; i < count; i++)
		off += (size_t)snprintf(yaml + off, len - off, "%s1", i ? "," : "");
	off += (size_t)snprintf(yaml + off, len - off, "]\n");
	struct cfg_node *n = cfg_node_parse(yaml, off, err, sizeof(err));
	free(yaml);
	cfg_node_free(n);
	cr_expect_null(n);
	cr_expect(strstr(err, "entries") != NULL, "error: %s", err);
}

Test(cfg, set_override)
{
	cr_assert_eq(cfg_set(schema, &cfg, "http.listen", "0.0.0.0:80", &errs), 0);
	cr_assert_str_eq(cfg.listen, "0.0.0.0:80");
	cr_assert_eq(cfg_set(schema, &cfg, "nope", "1", &errs), -1);
}

Test(cfg, size_and_duration_parsers)
{
	long long v;
	cr_assert_eq(cfg_parse_size("64k", &v), 0);
	cr_assert_eq(v, 65536);
	cr_assert_eq(cfg_parse_size("1GB", &v), 0);
	cr_assert_eq(v, 1000000000LL);
	cr_assert_eq(cfg_parse_duration("7d", &v), 0);
	cr_assert_eq(v, 7 * 86400);
	cr_assert_eq(cfg_parse_duration("", &v), -1);
	cr_assert_eq(cfg_parse_size("99999999999999G", &v), -1);
}

/* ---- files that hold secrets --------------------------------------------- */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const demo_secrets[] = { "http.listen", NULL };

/* A temporary config file with text and mode; the caller unlinks it. */
static void
write_file(char *path, const char *text, mode_t mode)
{
	strcpy(path, "/tmp/cm-cfg-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
}

static int
load_private(const char *path, struct cfg_errors *out)
{
	struct demo_cfg c;
	memset(&c, 0, sizeof(c));
	cfg_defaults(schema, &c, out);
	int rc = cfg_load_private_file(schema, &c, path, demo_secrets, out);
	cfg_free(schema, &c);
	return rc;
}

Test(secrets, a_file_setting_a_secret_must_be_private)
{
	char path[32];
	struct cfg_errors e = { 0 };
	write_file(path, "http:\n  listen: 0.0.0.0:1\n", 0644);
	cr_assert_eq(load_private(path, &e), -1);
	cr_assert_eq(e.n, 1);
	cr_assert(strstr(e.msgs[0], "http.listen") && strstr(e.msgs[0], "644"), "%s",
	    e.msgs[0]);
	cfg_errors_clear(&e);
	/* the service group may read it */
	chmod(path, 0640);
	cr_assert_eq(load_private(path, &e), 0, "%s", e.n ? e.msgs[0] : "");
	/* but not write it */
	chmod(path, 0660);
	cr_assert_eq(load_private(path, &e), -1);
	cfg_errors_clear(&e);
	unlink(path);
}

Test(secrets, a_file_without_secrets_may_be_world_readable)
{
	char path[32];
	struct cfg_errors e = { 0 };
	write_file(path, "interval: 20s\n", 0644);
	cr_assert_eq(load_private(path, &e), 0);
	unlink(path);
}

Test(secrets, owner_must_be_root_or_us)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to give the file away");
	char path[32];
	struct cfg_errors e = { 0 };
	write_file(path, "http:\n  listen: 0.0.0.0:1\ninterval: 20s\n", 0600);
	cr_assert_eq(chown(path, 65534, 65534), 0);
	cr_assert_eq(load_private(path, &e), -1);
	cr_assert(strstr(e.msgs[0], "owned by uid 65534"), "%s", e.msgs[0]);
	cfg_errors_clear(&e);
	unlink(path);
}

Test(secrets, other_errors_are_still_reported)
{
	char path[32];
	struct cfg_errors e = { 0 };
	write_file(path, "http:\n  listen: 0.0.0.0:1\nbogus: 1\n", 0604);
	cr_assert_eq(load_private(path, &e), -1);
	cr_assert_eq(e.n, 2, "secrecy and the unknown key, at once");
	cfg_errors_clear(&e);
	unlink(path);
}
