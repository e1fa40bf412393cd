/* test_plugins_parse.c — the plugins' parsers on recorded pages, and on broken ones. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugins/dns_parse.h"
#include "plugins/httpfetch.h"
#include "plugins/pg_rows.h"
#include "plugins/putil.h"
#include "plugins/status_parse.h"

static char *
fixture(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/data/plugins/%s", CAMPUSMON_SRCDIR, name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	char *buf = malloc(1 << 20);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static double
get(const struct status_table *t, const struct status_vals *v, const char *key)
{
	double x = NAN;
	(void)status_get(t, v, key, &x);
	return x;
}

/* A field of an fset by name; NaN when absent. */
static double
field(const struct fset *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->f[i].key, key) == 0)
			return f->f[i].type == PLUGIN_FLOAT ? f->f[i].f : (double)f->f[i].i;
	return NAN;
}

Test(nginx, stub_status)
{
	size_t len;
	char *b = fixture("nginx_status.txt", &len);
	struct status_vals v;
	cr_assert_eq(nginx_parse(b, len, &v), 0);
	cr_expect_eq(get(&nginx_table, &v, "active"), 1);
	cr_expect_eq(get(&nginx_table, &v, "accepts"), 5);
	cr_expect_eq(get(&nginx_table, &v, "requests"), 5);
	cr_expect_eq(get(&nginx_table, &v, "writing"), 1);
	cr_expect_eq(get(&nginx_table, &v, "waiting"), 0);
	free(b);
	cr_expect_eq(nginx_parse("<html>hello</html>", 18, &v), -1, "not a status page");
	cr_expect_eq(nginx_parse("", 0, &v), -1);
}

Test(nginx, rates_from_two_readings)
{
	struct status_vals v;
	struct pcounter prev[STATUS_MAX];
	struct fset f = { .n = 0 };
	const char *a = "Active connections: 3\nserver accepts handled requests\n 10 10 100\n"
	    "Reading: 0 Writing: 1 Waiting: 2\n";
	const char *b = "Active connections: 3\nserver accepts handled requests\n 20 20 300\n"
	    "Reading: 0 Writing: 1 Waiting: 2\n";
	const char *reset = "Active connections: 1\nserver accepts handled requests\n 1 1 1\n"
	    "Reading: 0 Writing: 1 Waiting: 0\n";
	memset(prev, 0, sizeof(prev));
	cr_assert_eq(nginx_parse(a, strlen(a), &v), 0);
	status_fields(&nginx_table, &v, prev, 10, &f, NULL);
	cr_expect(isnan(field(&f, "requests_ps")), "no rate on the first reading");
	cr_expect_eq(field(&f, "waiting"), 2);
	f.n = 0;
	cr_assert_eq(nginx_parse(b, strlen(b), &v), 0);
	status_fields(&nginx_table, &v, prev, 10, &f, NULL);
	cr_expect_eq(field(&f, "requests_ps"), 20);
	cr_expect_eq(field(&f, "accepts_ps"), 1);
	f.n = 0;
	cr_assert_eq(nginx_parse(reset, strlen(reset), &v), 0);
	status_fields(&nginx_table, &v, prev, 10, &f, NULL);
	cr_expect(isnan(field(&f, "requests_ps")), "a restart is no negative rate");
}

Test(apache, server_status_auto)
{
	size_t len;
	char *b = fixture("apache_status.txt", &len);
	struct status_vals v;
	struct apache_scoreboard sb;
	cr_assert_eq(apache_parse(b, len, &v, &sb), 0);
	cr_expect_eq(get(&apache_table, &v, "BusyWorkers"), 1);
	cr_expect_eq(get(&apache_table, &v, "IdleWorkers"), 74);
	cr_expect_eq(get(&apache_table, &v, "Total Accesses"), 17);
	cr_expect_float_eq(get(&apache_table, &v, "CPULoad"), 0.25, 1e-9);
	cr_expect_eq(sb.n[0], 69, "waiting '_': %lld", sb.n[0]);
	cr_expect_eq(sb.n[3], 1, "sending 'W'");
	cr_expect_eq(sb.n[4], 1, "keepalive 'K'");
	cr_expect_eq(sb.n[2], 1, "reading 'R'");
	cr_expect_eq(sb.n[10], 10, "open '.'");
	free(b);
	cr_expect_eq(apache_parse("Hello: world\n", 13, &v, &sb), -1);
}

Test(redis, info)
{
	size_t len;
	char *b = fixture("redis_info.txt", &len);
	struct status_vals v;
	struct redis_info in;
	cr_assert_eq(redis_info_parse(b, len, &v, &in), 0);
	cr_expect_str_eq(in.role, "master");
	cr_expect_str_eq(in.rdb_last_bgsave_status, "ok");
	cr_expect_gt(get(&redis_table, &v, "used_memory"), 100000);
	cr_expect_eq(get(&redis_table, &v, "connected_clients"), 1);
	cr_expect(!isnan(get(&redis_table, &v, "keyspace_hits")));
	free(b);
	const char *ks = "uptime_in_seconds:5\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n"
	    "db1:keys=4,expires=0,avg_ttl=0\r\nrole:slave\r\nmaster_link_status:down\r\n";
	cr_assert_eq(redis_info_parse(ks, strlen(ks), &v, &in), 0);
	cr_expect_eq(in.keys, 7);
	cr_expect_eq(in.expires, 1);
	cr_expect_str_eq(in.role, "slave");
	cr_expect_str_eq(in.master_link_status, "down");
	cr_expect_eq(redis_info_parse("-ERR\r\n", 6, &v, &in), -1);
}

Test(tomcat, status_xml)
{
	size_t len;
	char *b = fixture("tomcat_status.xml", &len);
	struct tomcat_status t;
	cr_assert_eq(tomcat_parse(b, len, &t), 0);
	cr_expect_eq(t.mem.free, 19718400);
	cr_expect_eq(t.mem.max, 1030750208);
	cr_assert_eq(t.n_pools, 3);
	cr_expect_str_eq(t.pools[1].name, "G1 Old Gen");
	cr_expect_str_eq(t.pools[1].type, "Heap memory");
	cr_expect_eq(t.pools[1].used, 10700080);
	cr_assert_eq(t.n_conn, 2);
	cr_expect_str_eq(t.conn[0].name, "http-nio-8080");
	cr_expect_eq(t.conn[0].max_threads, 200);
	cr_expect_eq(t.conn[0].current_threads_busy, 1);
	cr_expect_eq(t.conn[0].request_count, 12);
	cr_expect_eq(t.conn[0].error_count, 2);
	cr_expect_str_eq(t.conn[1].name, "ajp-nio-127.0.0.1-8009");
	/* cut anywhere: never a crash, never a bogus success without <memory> */
	for (size_t cut = 0; cut < len; cut += 7)
		(void)tomcat_parse(b, cut, &t);
	cr_expect_eq(tomcat_parse("<status></status>", 17, &t), -1);
	free(b);
}

Test(mysql, status_rows_and_replica)
{
	struct status_vals v;
	memset(&v, 0, sizeof(v));
	status_set(&mysql_table, &v, "Threads_connected", 17, "4", 1);
	status_set(&mysql_table, &v, "MAX_CONNECTIONS", 15, "151", 3);
	status_set(&mysql_table, &v, "Queries", 7, "not-a-number", 12);
	cr_expect_eq(get(&mysql_table, &v, "Threads_connected"), 4);
	cr_expect_eq(get(&mysql_table, &v, "max_connections"), 151, "names ignore case");
	cr_expect(isnan(get(&mysql_table, &v, "Queries")));
	struct mysql_replica r;
	memset(&r, 0, sizeof(r));
	mysql_replica_column(&r, "Slave_IO_Running", "Yes");
	mysql_replica_column(&r, "Slave_SQL_Running", "No");
	mysql_replica_column(&r, "Seconds_Behind_Master", NULL);
	cr_expect(r.present && r.io_running == 1 && r.sql_running == 0 && r.lag_s == -1);
	mysql_replica_column(&r, "Seconds_Behind_Master", "42");
	cr_expect_eq(r.lag_s, 42);
}

struct capture {
	char out[8][64];
	double v[8];
	size_t n;
	int server_up, dbs;
	double ratio;
};

static void
capture(void *arg, const char *m, const struct plugin_tag *tags, size_t nt, const struct fset *f)
{
	struct capture *c = arg;
	(void)tags;
	if (strcmp(m, "postgresql") == 0 && nt == 0)
		c->server_up = (int)field(f, "up");
	if (strcmp(m, "postgresql") == 0 && nt == 1) {
		c->dbs++;
		c->ratio = field(f, "cache_hit_ratio");
	}
	if (c->n < 8 && nt == 0) {
		snprintf(c->out[c->n], 64, "%s", m);
		c->v[c->n++] = field(f, "connections_idle_in_transaction");
	}
}

Test(postgresql, rows_into_samples)
{
	static struct pg_dbs dbs;
	const char *server[] = { "100", "f", NULL, "0.5", "12.25" };
	const char *states[] = { "active", "2", "idle in transaction", "3", "weird", "1",
		NULL, "9" };
	const char *db1[] = { "app", "2", "10", "0", "100", "900", "1", "1", "1", "1", "1", "0",
		"0", "8000000" };
	const char *db2[] = { "app", "2", "20", "0", "110", "1890", "1", "1", "1", "1", "1", "0",
		"0", "8000000" };
	struct pg_table ts = { 1, 5, server, NULL }, st = { 4, 2, states, NULL };
	struct pg_table d1 = { 1, 14, db1, NULL }, d2 = { 1, 14, db2, NULL };
	struct capture c;
	struct pg_reading rd;

	memset(&c, 0, sizeof(c));
	pg_reading_begin(&rd, &dbs, 100.0, capture, &c);
	pg_rows_result(&rd, 0, &ts);
	pg_rows_result(&rd, 1, &st);
	pg_rows_result(&rd, 2, &d1);
	pg_reading_end(&rd);
	cr_expect_eq(c.server_up, 1);
	cr_expect_eq(c.v[0], 3);
	cr_expect(isnan(c.ratio), "no hit ratio before two readings");
	pg_reading_begin(&rd, &dbs, 110.0, capture, &c);
	pg_rows_result(&rd, 2, &d2);
	cr_expect_eq(c.dbs, 2);
	cr_expect_float_eq(c.ratio, 99.0, 1e-9, "990 hits, 10 reads: %f", c.ratio);
}

Test(putil, secret_file_modes)
{
	char path[] = "/tmp/cm-secret-XXXXXX", out[64], err[256];
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "s3cret\nignored\n", 15), 15);
	close(fd);
	chmod(path, 0600);
	cr_expect_eq(secret_read(path, out, sizeof(out), err, sizeof(err)), 0);
	cr_expect_str_eq(out, "s3cret");
	chmod(path, 0644);
	cr_expect_eq(secret_read(path, out, sizeof(out), err, sizeof(err)), -1);
	cr_expect(strstr(err, "readable or writable by others") != NULL, "%s", err);
	unlink(path);
	cr_expect_eq(secret_read(path, out, sizeof(out), err, sizeof(err)), -1);
}

Test(putil, hostport_and_cert_time)
{
	char h[64], p[8];
	cr_expect_eq(split_hostport("db.example:5432", h, sizeof(h), p, sizeof(p)), 0);
	cr_expect_str_eq(h, "db.example");
	cr_expect_str_eq(p, "5432");
	cr_expect_eq(split_hostport("[2001:db8::1]:6379", h, sizeof(h), p, sizeof(p)), 0);
	cr_expect_str_eq(h, "2001:db8::1");
	cr_expect_eq(split_hostport("nohost", h, sizeof(h), p, sizeof(p)), -1);
	cr_expect_eq(split_hostport("h:0", h, sizeof(h), p, sizeof(p)), -1);
	cr_expect_eq(split_hostport("h:99999", h, sizeof(h), p, sizeof(p)), -1);
	cr_expect_eq(hfetch_cert_time("Jan  2 00:00:00 2020 GMT"), 1577923200);
	cr_expect_eq(hfetch_cert_time("garbage"), -1);
}

Test(dns, answers_rcode_and_match)
{
	/* svc.campus.test A → 192.0.2.7 and a CNAME, as a server sends them */
	static const unsigned char ok[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
		3, 's', 'v', 'c', 6, 'c', 'a', 'm', 'p', 'u', 's', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
		0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60, 0, 5, 2, 'w', 'w', 0xc0, 0x10,
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7,
	};
	struct dns_answer a;
	cr_assert_eq(dns_parse_answer(ok, sizeof(ok), "192.0.2.7", &a), 0);
	cr_expect_eq(a.rcode, 0);
	cr_expect_str_eq(a.rcode_name, "NOERROR");
	cr_expect_eq(a.answers, 2);
	cr_expect_eq(a.matched, 1);
	cr_assert_eq(dns_parse_answer(ok, sizeof(ok), "ww.campus.test", &a), 0);
	cr_expect_eq(a.matched, 1, "a CNAME target as text");
	cr_assert_eq(dns_parse_answer(ok, sizeof(ok), "192.0.2.8", &a), 0);
	cr_expect_eq(a.matched, 0);
	unsigned char nx[sizeof(ok)];
	memcpy(nx, ok, sizeof(ok));
	nx[3] = 0x83;
	nx[7] = 0;
	cr_assert_eq(dns_parse_answer(nx, 33, NULL, &a), 0);
	cr_expect_str_eq(a.rcode_name, "NXDOMAIN");
	cr_expect_eq(a.answers, 0);
	for (size_t cut = 0; cut < 12; cut++)
		cr_expect_eq(dns_parse_answer(ok, cut, NULL, &a), -1, "cut at %zu", cut);
	for (size_t cut = 12; cut < sizeof(ok); cut++)
		(void)dns_parse_answer(ok, cut, "x", &a);	/* never a crash */
}
