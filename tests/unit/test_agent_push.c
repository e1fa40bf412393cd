/* test_agent_push.c — line protocol writer, batches, the disk spool and push decisions. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"

static char *
text_of(const struct lpw *w)
{
	return strndup(w->buf ? w->buf : "", w->len);
}

/* ---- lpw.c ------------------------------------------------------------------------ */

Test(lpw, lines_tags_sorted_and_escaped)
{
	static const struct {
		const char *m;
		const char *tk[3], *tv[3];
		const char *want;
	} t[] = {
		{ "cpu", { "host", "cpu" }, { "h", "cpu0" }, "cpu,cpu=cpu0,host=h v=1i 7\n" },
		{ "my meas,x", { "a b", "c=d" }, { "1,2", "x y" },
		  "my\\ meas\\,x,a\\ b=1\\,2,c\\=d=x\\ y v=1i 7\n" },
		{ "m", { "empty", "host" }, { "", "h" }, "m,host=h v=1i 7\n" },
		{ "m", { "host", "host" }, { "a", "b" }, "m,host=b v=1i 7\n" },
		{ "m", { "ctl" }, { "a\nb\tc" }, "m,ctl=a\\ b\\ c v=1i 7\n" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct lpw w;
		lpw_init(&w, 0);
		lpw_begin(&w, t[i].m);
		for (int k = 0; k < 3 && t[i].tk[k] != NULL; k++)
			lpw_tag(&w, t[i].tk[k], t[i].tv[k]);
		lpw_int(&w, "v", 1);
		cr_assert_eq(lpw_end(&w, 7), 1);
		char *s = text_of(&w);
		cr_expect_str_eq(s, t[i].want, "row %zu", i);
		free(s);
		lpw_free(&w);
	}
}

Test(lpw, field_types)
{
	struct lpw w;
	lpw_init(&w, 0);
	lpw_begin(&w, "m");
	lpw_float(&w, "f", 1.5);
	lpw_float(&w, "whole", 12.0);
	lpw_float(&w, "nan", NAN);
	lpw_float(&w, "inf", INFINITY);
	lpw_int(&w, "i", -3);
	lpw_uint(&w, "u", 18446744073709551615ull);
	lpw_str(&w, "s", "say \"hi\" \\ now\n");
	lpw_bool(&w, "b", 1);
	lpw_bool(&w, "b2", 0);
	lpw_float(&w, "small", 0.000123);
	lpw_float(&w, "big", 1e20);
	cr_assert_eq(lpw_end(&w, 1700000000000000000LL), 1);
	char *s = text_of(&w);
	cr_expect_str_eq(s, "m f=1.5,whole=12,i=-3i,u=9223372036854775807i,"
	    "s=\"say \\\"hi\\\" \\\\ now \",b=true,b2=false,small=0.000123,big=1e+20 "
	    "1700000000000000000\n");
	free(s);
	lpw_free(&w);
}

Test(lpw, lines_without_fields_are_dropped_and_max_is_kept)
{
	struct lpw w;
	lpw_init(&w, 0);
	lpw_begin(&w, "empty");
	lpw_tag(&w, "host", "h");
	lpw_float(&w, "nan", NAN);
	cr_expect_eq(lpw_end(&w, 1), 0);
	cr_expect_eq(w.len, 0);
	lpw_begin(&w, "unfinished");
	lpw_int(&w, "a", 1);
	lpw_begin(&w, "next");	/* discards the unfinished line */
	lpw_int(&w, "b", 2);
	lpw_end(&w, 1);
	char *s = text_of(&w);
	cr_expect_str_eq(s, "next b=2i 1\n");
	free(s);
	cr_expect_eq(lpw_end(&w, 1), 0, "end without begin");
	lpw_free(&w);

	lpw_init(&w, 64);
	int kept = 0;
	for (int i = 0; i < 10; i++) {
		lpw_begin(&w, "measurement");
		lpw_int(&w, "value", i);
		kept += lpw_end(&w, 1700000000000000000LL);
	}
	cr_expect_eq(kept, 1, "only what fits in 64 bytes");
	cr_expect(w.full);
	cr_expect_leq(w.len, 64);
	cr_expect_eq(w.lines, 1);
	cr_expect_eq(lpw_append(&w, "x 1\n", 4, 1), -1);
	lpw_free(&w);

	lpw_init(&w, 0);
	for (int i = 0; i < LPW_MAX_TAGS + 4; i++) {
		static char keys[LPW_MAX_TAGS + 4][8];
		snprintf(keys[i], sizeof(keys[i]), "t%02d", i);
		if (i == 0)
			lpw_begin(&w, "many");
		lpw_tag(&w, keys[i], "v");
	}
	lpw_int(&w, "f", 1);
	lpw_end(&w, 1);
	s = text_of(&w);
	cr_expect(strstr(s, "t15=v") != NULL);
	cr_expect(strstr(s, "t16=v") == NULL, "tags beyond LPW_MAX_TAGS are left out");
	free(s);
	lpw_free(&w);
}

/* ---- batch.c ----------------------------------------------------------------------- */

Test(batch, gzip_roundtrip_and_split)
{
	const char *text = "a v=1i 1\nb v=2i 1\nc v=3i 1\nd v=4i 1\ne v=5i 1\n";
	struct batch b, x, y;
	char *out;
	size_t outlen;

	cr_assert_eq(batch_make(&b, text, strlen(text), 5, 10), 0);
	cr_assert_eq(b.interval, 10);
	cr_assert(b.len > 18 && (unsigned char)b.body[0] == 0x1f && (unsigned char)b.body[1] == 0x8b,
	    "a gzip stream");
	cr_assert_eq(batch_gunzip(b.body, b.len, 1 << 20, &out, &outlen), 0);
	cr_assert_eq(outlen, strlen(text));
	cr_assert(memcmp(out, text, outlen) == 0);
	free(out);
	cr_expect_eq(batch_gunzip(b.body, b.len, 10, &out, &outlen), -1, "bigger than max");
	cr_expect_eq(batch_gunzip(b.body, b.len - 4, 1 << 20, &out, &outlen), -1, "truncated");
	cr_expect_eq(batch_gunzip("not gzip at all", 15, 1 << 20, &out, &outlen), -1);

	cr_assert_eq(batch_split(&b, &x, &y), 0);
	cr_expect_eq(x.lines + y.lines, 5);
	cr_expect_eq(x.interval, 10);
	char *t1, *t2;
	size_t l1, l2;
	cr_assert_eq(batch_gunzip(x.body, x.len, 1 << 20, &t1, &l1), 0);
	cr_assert_eq(batch_gunzip(y.body, y.len, 1 << 20, &t2, &l2), 0);
	cr_expect_eq(l1 + l2, strlen(text));
	cr_expect(memcmp(t1, text, l1) == 0 && memcmp(t2, text + l1, l2) == 0, "order kept");
	cr_expect_eq(t1[l1 - 1], '\n', "split at a line boundary");
	free(t1);
	free(t2);
	batch_clear(&x);
	batch_clear(&y);
	batch_clear(&b);

	cr_assert_eq(batch_make(&b, "one v=1i 1\n", 11, 1, 10), 0);
	cr_expect_eq(batch_split(&b, &x, &y), -1, "one line cannot be split");
	batch_clear(&b);
}

/* ---- spool.c ------------------------------------------------------------------------ */

static char spool_dir[64];

static void
spool_setup(void)
{
	snprintf(spool_dir, sizeof(spool_dir), "/tmp/agent-spool-XXXXXX");
	cr_assert_not_null(mkdtemp(spool_dir));
}

static void
spool_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", spool_dir);
	(void)!system(cmd);
}

static void
make(struct batch *b, int n)
{
	char text[64];
	int len = snprintf(text, sizeof(text), "m v=%di %d\n", n, n);
	cr_assert_eq(batch_make(b, text, (size_t)len, 1, 10), 0);
}

static int
value_of(const struct batch *b)
{
	char *t;
	size_t l;
	int v = -1;
	cr_assert_eq(batch_gunzip(b->body, b->len, 1 << 20, &t, &l), 0);
	sscanf(t, "m v=%di", &v);
	free(t);
	return v;
}

Test(spool, fifo_front_and_reopen, .init = spool_setup, .fini = spool_teardown)
{
	struct spool s;
	struct batch b;
	char err[256];

	cr_assert_eq(spool_open(&s, spool_dir, 1 << 20, 4, err, sizeof(err)), 0, "%s", err);
	for (int i = 1; i <= 3; i++) {
		make(&b, i);
		cr_assert_eq(spool_put(&s, &b, 0), 0);
		batch_clear(&b);
	}
	make(&b, 0);
	cr_assert_eq(spool_put(&s, &b, 1), 0, "in front of the oldest");
	batch_clear(&b);
	cr_assert_eq(s.count, 4);
	spool_close(&s);

	/* A restart finds them, oldest first. */
	cr_assert_eq(spool_open(&s, spool_dir, 1 << 20, 4, err, sizeof(err)), 0);
	cr_assert_eq(s.count, 4);
	for (int want = 0; want <= 3; want++) {
		cr_assert_eq(spool_peek(&s, &b), 1);
		cr_expect_eq(value_of(&b), want);
		cr_expect_eq(b.interval, 10);
		cr_expect_eq(b.lines, 1);
		spool_remove(&s, b.seq);
		batch_clear(&b);
	}
	cr_expect_eq(spool_peek(&s, &b), 0);
	cr_expect_eq(s.count, 0);
	cr_expect_eq(s.bytes, 0);
	spool_close(&s);
}

Test(spool, full_drops_oldest_but_not_in_flight, .init = spool_setup, .fini = spool_teardown)
{
	struct spool s;
	struct batch b;
	char err[256];

	make(&b, 1);
	unsigned long long one = b.len + 40;	/* about one batch with header */
	batch_clear(&b);
	cr_assert_eq(spool_open(&s, spool_dir, one * 3, 4, err, sizeof(err)), 0);
	for (int i = 1; i <= 10; i++) {
		make(&b, i);
		cr_assert_eq(spool_put(&s, &b, 0), 0);
		batch_clear(&b);
		if (i == 1) {
			cr_assert_eq(spool_peek(&s, &b), 1);
			s.pinned = b.seq;	/* batch 1 is in flight */
			batch_clear(&b);
		}
	}
	cr_expect_leq(s.bytes, one * 3);
	cr_expect_eq(s.count + s.dropped, 10, "every batch kept or counted");
	cr_expect_gt(s.dropped, 0);
	cr_assert_eq(spool_peek(&s, &b), 1);
	cr_expect_eq(value_of(&b), 1, "the batch in flight was not dropped");
	spool_remove(&s, b.seq);
	batch_clear(&b);
	s.pinned = 0;
	int last = 0;
	while (spool_peek(&s, &b) == 1) {
		int v = value_of(&b);
		cr_expect_gt(v, last, "still oldest first");
		last = v;
		spool_remove(&s, b.seq);
		batch_clear(&b);
	}
	cr_expect_eq(last, 10, "the newest survives");
	/* A batch larger than the whole spool is dropped and counted. */
	unsigned long long before = s.dropped;
	s.max_bytes = 10;
	make(&b, 99);
	cr_expect_eq(spool_put(&s, &b, 0), -1);
	cr_expect_eq(s.dropped, before + 1);
	batch_clear(&b);
	spool_close(&s);
}

Test(spool, reject_sets_aside_and_trims, .init = spool_setup, .fini = spool_teardown)
{
	struct spool s;
	struct batch b;
	char err[256], path[256];

	cr_assert_eq(spool_open(&s, spool_dir, 1 << 20, 2, err, sizeof(err)), 0);
	for (int i = 1; i <= 3; i++) {
		make(&b, i);
		cr_assert_eq(spool_put(&s, &b, 0), 0);
		batch_clear(&b);
		cr_assert_eq(spool_peek(&s, &b), 1);
		spool_reject(&s, b.seq, "line 1: bad field");
		snprintf(path, sizeof(path), "%s/rejected/%016llx.batch.why", spool_dir,
		    (unsigned long long)s.rejected_next - 1);
		cr_expect_eq(access(path, F_OK), 0, "%s", path);
		batch_clear(&b);
	}
	cr_expect_eq(s.count, 0);
	snprintf(path, sizeof(path), "ls %s/rejected/*.batch | wc -l | grep -qx 2", spool_dir);
	cr_expect_eq(system(path), 0, "only rejected_keep set-aside batches are kept");
	spool_close(&s);

	/* Batches set aside from memory (queued in front) never overwrite each other. */
	cr_assert_eq(spool_open(&s, spool_dir, 1 << 20, 100, err, sizeof(err)), 0);
	unsigned long long first = s.rejected_next;
	for (int i = 0; i < 2; i++) {
		make(&b, i);
		cr_assert_eq(spool_put(&s, &b, 1), 0);
		spool_reject(&s, s.head, "bad");
		batch_clear(&b);
	}
	cr_expect_eq(s.rejected_next, first + 2);
	snprintf(path, sizeof(path), "ls %s/rejected/*.batch | wc -l | grep -qx 4", spool_dir);
	cr_expect_eq(system(path), 0, "two more set aside, none overwritten");
	spool_close(&s);

	/* A corrupt file is set aside, not sent. */
	snprintf(path, sizeof(path), "%s/%016llx.batch", spool_dir, 1ULL << 41);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("garbage", f);
	fclose(f);
	cr_assert_eq(spool_open(&s, spool_dir, 1 << 20, 2, err, sizeof(err)), 0);
	cr_expect_eq(spool_peek(&s, &b), 0);
	cr_expect_eq(access(path, F_OK), -1);
	spool_close(&s);
	cr_expect_eq(spool_open(&s, "/proc/nonexistent/spool", 1 << 20, 2, err, sizeof(err)), -1);
}

/* ---- push.c decisions ----------------------------------------------------------------- */

Test(push, classify_table)
{
	static const struct {
		int ok;
		long status;
		enum push_verdict v;
	} t[] = {
		{ 1, 204, PUSH_ACK }, { 1, 200, PUSH_ACK }, { 1, 400, PUSH_REJECT },
		{ 1, 422, PUSH_REJECT }, { 1, 413, PUSH_SPLIT }, { 1, 401, PUSH_AUTH },
		{ 1, 403, PUSH_AUTH }, { 1, 404, PUSH_AUTH }, { 1, 503, PUSH_RETRY },
		{ 1, 500, PUSH_RETRY }, { 1, 429, PUSH_RETRY }, { 1, 408, PUSH_RETRY },
		{ 1, 301, PUSH_RETRY }, { 0, 0, PUSH_RETRY }, { 0, 204, PUSH_RETRY },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_expect_eq(push_classify(t[i].ok, t[i].status), t[i].v, "row %zu", i);
}

Test(push, error_text)
{
	static const struct {
		const char *body, *want;
	} t[] = {
		{ "{\"error\": \"line 3: invalid field value\"}", "line 3: invalid field value" },
		{ "{\"error\": \"two\\nlines\"}", "two lines" },
		{ "{\"other\": 1}", "{\"other\": 1}" },
		{ "plain text", "plain text" },
		{ "", "(no message)" },
		{ "{\"error\": 5}", "{\"error\": 5}" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[128];
		push_error_text(t[i].body, strlen(t[i].body), out, sizeof(out));
		cr_expect_str_eq(out, t[i].want, "row %zu", i);
	}
	char small[8];
	push_error_text("a very long message", 19, small, sizeof(small));
	cr_expect_str_eq(small, "a very ");
}

Test(push, backoff_grows_is_capped_and_jittered)
{
	unsigned seed = 42;
	for (int n = 1; n <= 12; n++) {
		double cap = 30, full = fmin(cap, ldexp(1, n - 1));
		for (int k = 0; k < 50; k++) {
			double d = push_backoff(n, cap, &seed);
			cr_assert(d >= full / 2 - 1e-9 && d <= full + 1e-9, "n=%d d=%f", n, d);
		}
	}
	double a = push_backoff(5, 30, &seed), b = push_backoff(5, 30, &seed);
	cr_expect(a != b, "jitter");
}

/* ---- config ------------------------------------------------------------------------------- */

Test(config, defaults_and_errors)
{
	struct agent_config cfg;
	struct cfg_errors errs = { 0 };

	cr_assert_eq(agent_config_load(&cfg, NULL, &errs), 0);
	cr_expect_eq(cfg.interval, 10);
	cr_expect_eq(cfg.spool_max, 64LL * 1024 * 1024);
	cr_expect_str_eq(cfg.spool_dir, "/var/lib/campusmon-agent/spool");
	cr_expect_eq(cfg.diskio_exclude.n, 2);
	cr_expect_eq(cfg.net_exclude.n, 1);
	cr_expect_eq(cfg.inventory_interval, 86400);
	cr_expect(agent_config_enabled(&cfg, "cpu"));

	const char *yaml = "collector:\n  url: ftp://x\n  token: \"a b\"\n  timeout: 0\n"
	    "interval: 2h\nspool:\n  max_size: 1k\nnosuch: 1\nlog:\n  target: journal\n";
	cr_expect_eq(cfg_load_buffer(agent_schema, &cfg, yaml, strlen(yaml), "t.yaml", &errs), -1);
	cr_expect_eq(errs.n, 7, "every error reported at once (got %zu)", errs.n);
	cfg_errors_clear(&errs);
	agent_config_free(&cfg);
}

/* ---- spool file header: written and read strictly ------------------------------------ */

Test(spool_header, round_trip)
{
	char buf[128];
	int n = spool_header_format(buf, sizeof(buf), 10, 1234);
	cr_assert_str_eq(buf, "campusmon-batch 1 interval=10 lines=1234\n");
	int interval = 0;
	size_t lines = 0;
	cr_assert_eq(spool_header_parse(buf, (size_t)n, &interval, &lines), n);
	cr_assert_eq(interval, 10);
	cr_assert_eq(lines, 1234);
	/* the body follows the header: only the header is consumed */
	char file[] = "campusmon-batch 1 interval=60 lines=0\n\x1f\x8b body";
	cr_assert_eq(spool_header_parse(file, sizeof(file) - 1, &interval, &lines), 38);
	cr_assert_eq(interval, 60);
	cr_assert_eq(lines, 0);
}

Test(spool_header, bad_headers_are_refused)
{
	static const char *const bad[] = {
		"",
		"campusmon-batch 1 interval=10 lines=5",		/* no newline */
		"campusmon-batch 2 interval=10 lines=5\n",		/* another version */
		"campusmon-batch 1 interval=0 lines=5\n",
		"campusmon-batch 1 interval=-10 lines=5\n",
		"campusmon-batch 1 interval=86401 lines=5\n",
		"campusmon-batch 1 interval=99999999999999999999 lines=5\n",
		"campusmon-batch 1 interval=10 lines=-1\n",		/* %zu took this once */
		"campusmon-batch 1 interval=10 lines=18446744073709551615\n",
		"campusmon-batch 1 interval=10 lines=5 extra\n",
		"campusmon-batch 1 interval=10  lines=5\n",
		"campusmon-batch 1 interval= lines=5\n",
		"campusmon-batch 1 interval=10 lines=\n",
		"CAMPUSMON-BATCH 1 interval=10 lines=5\n",
		"campusmon-batch 1 interval=10\0 lines=5\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int interval = -7;
		size_t lines = 7;
		size_t len = strlen(bad[i]);
		if (i == sizeof(bad) / sizeof(bad[0]) - 1)
			len = sizeof("campusmon-batch 1 interval=10\0 lines=5\n") - 1;
		cr_expect_eq(spool_header_parse(bad[i], len, &interval, &lines), -1, "row %zu: %s",
		    i, bad[i]);
		cr_expect_eq(interval, -7, "row %zu left interval alone", i);
	}
	/* a header longer than the limit is refused even if a newline follows */
	char longer[300];
	memset(longer, '0', sizeof(longer));
	memcpy(longer, "campusmon-batch 1 interval=10 lines=", 36);
	longer[sizeof(longer) - 1] = '\n';
	int interval;
	size_t lines;
	cr_expect_eq(spool_header_parse(longer, sizeof(longer), &interval, &lines), -1);
	char buf[16];
	cr_expect_eq(spool_header_format(buf, sizeof(buf), 10, 5), -1, "does not fit");
	cr_expect_eq(spool_header_format(buf, sizeof(buf), 0, 5), -1);
}
