/*
 * dns.c — the dns plugin (Telegraf's dns_query): one query to one server
 * with glibc's resolver (res_nmkquery + res_nsend on the instance's own
 * resolver state, so threads never share one), timed; the answer is
 * parsed by dns_parse.c (libresolv's ns_parse, apart from the I/O).
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/builtin.h"
#include "plugins/dns_parse.h"
#include "plugins/putil.h"

struct dns_config {
	char *server;
	char *name;
	int type;
	char *expect;
};

static const char *const dns_types[] = { "A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA",
	"SRV", "TXT", NULL };
static const int dns_type_codes[] = { ns_t_a, ns_t_aaaa, ns_t_cname, ns_t_mx, ns_t_ns,
	ns_t_ptr, ns_t_soa, ns_t_srv, ns_t_txt };

struct dns_state {
	const struct dns_config *cfg;
	struct sockaddr_in addr;
	char server[64], port[8];
};

#define OFF(f) offsetof(struct dns_config, f)
static const struct cfg_key dns_schema[] = {
	{ "server", CFG_STRING, OFF(server), NULL, 0, 64, NULL, NULL,
	  "IPv4 address of the DNS server, optionally :port (required)." },
	/* DESIGN §9 says name:, but name: is every instance's own name (host key). */
	{ "domain", CFG_STRING, OFF(name), NULL, 0, 253, NULL, NULL,
	  "Name to query (required; Telegraf's domains)." },
	{ "type", CFG_ENUM, OFF(type), "A", 0, 0, dns_types, NULL, "Record type." },
	{ "expect", CFG_STRING, OFF(expect), NULL, 0, 255, NULL, NULL,
	  "Text one answer must contain (an address, a host name…)." },
	CFG_END
};

static void *
dns_configure(const void *config, const struct plugin_info *info, char *err, size_t errlen)
{
	const struct dns_config *c = config;
	struct dns_state *st;
	(void)info;
	if (c->server == NULL || c->name == NULL) {
		snprintf(err, errlen, "server: and domain: are required");
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strchr(c->server, ':') != NULL) {
		if (split_hostport(c->server, st->server, sizeof(st->server), st->port,
		    sizeof(st->port)) < 0)
			st->server[0] = '\0';
	} else {
		snprintf(st->server, sizeof(st->server), "%s", c->server);
		snprintf(st->port, sizeof(st->port), "53");
	}
	st->addr.sin_family = AF_INET;
	st->addr.sin_port = htons((uint16_t)atoi(st->port));
	if (st->server[0] == '\0' || inet_pton(AF_INET, st->server, &st->addr.sin_addr) != 1) {
		snprintf(err, errlen, "server: want an IPv4 address, optionally with :port");
		free(st);
		return NULL;
	}
	st->cfg = c;
	return st;
}

static void
dns_free(void *p)
{
	free(p);
}

enum { R_SUCCESS, R_TIMEOUT, R_ERROR };
static const char *const result_names[] = { "success", "timeout", "error" };

static int
dns_read(void *p, struct plugin_ctx *ctx)
{
	struct dns_state *st = p;
	const struct dns_config *c = st->cfg;
	struct __res_state res;
	unsigned char q[NS_PACKETSZ], ans[NS_MAXMSG];
	struct dns_answer a;
	int result = R_ERROR;
	char why[128] = "";
	double t0 = mono_s(), ms = -1;

	memset(&res, 0, sizeof(res));
	memset(&a, 0, sizeof(a));
	if (res_ninit(&res) < 0) {
		snprintf(why, sizeof(why), "cannot set up a resolver");
		goto out;
	}
	long long left = plugin_deadline_ms(ctx);
	res.nscount = 1;
	res.nsaddr_list[0] = st->addr;
	res.retrans = (int)(left >= 2000 ? left / 1000 : 1);	/* whole seconds */
	res.retry = 1;
	res.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	int qlen = res_nmkquery(&res, ns_o_query, c->name, ns_c_in, dns_type_codes[c->type], NULL,
	    0, NULL, q, sizeof(q));
	if (qlen < 0) {
		snprintf(why, sizeof(why), "cannot build a query for that name");
		res_nclose(&res);
		goto out;
	}
	int n = res_nsend(&res, q, qlen, ans, sizeof(ans));
	ms = (mono_s() - t0) * 1000.0;
	res_nclose(&res);
	if (n < 0) {
		result = R_TIMEOUT;
		snprintf(why, sizeof(why), "no answer from %s", c->server);
		goto out;
	}
	if (dns_parse_answer(ans, (size_t)n, c->expect, &a) < 0) {
		snprintf(why, sizeof(why), "malformed answer");
		goto out;
	}
	result = R_SUCCESS;
	if (a.rcode != 0)
		snprintf(why, sizeof(why), "%s", a.rcode_name);
	else if (c->expect != NULL && !a.matched)
		snprintf(why, sizeof(why), "no answer contains '%.64s'", c->expect);
out:;
	struct plugin_tag tags[] = { { "server", c->server }, { "domain", c->name },
		{ "record_type", dns_types[c->type] }, { "result", result_names[result] },
		{ "rcode", result == R_SUCCESS ? a.rcode_name : "" } };
	struct fset f = { .n = 0 };
	int up = result == R_SUCCESS && a.rcode == 0 && a.answers > 0 &&
	    (c->expect == NULL || a.matched);
	fset_int(&f, "up", up);
	fset_int(&f, "result_code", result);
	if (ms >= 0 && result == R_SUCCESS)
		fset_float(&f, "query_time_ms", ms);
	if (result == R_SUCCESS) {
		fset_int(&f, "rcode_value", a.rcode);
		fset_int(&f, "answers", a.answers);
	}
	if (c->expect != NULL && result == R_SUCCESS)
		fset_int(&f, "answer_match", a.matched);
	if (why[0] != '\0') {
		fset_str(&f, "error", why);
		plugin_log(ctx, PLUGIN_LOG_WARN, "%s %s @%s: %s", c->name, dns_types[c->type],
		    c->server, why);
	}
	(void)fset_submit(ctx, "dns_query", tags, 5, &f);
	return 0;
}

const struct plugin_desc dns_plugin = {
	.name = "dns",
	.abi = PLUGIN_ABI,
	.schema = dns_schema,
	.config_size = sizeof(struct dns_config),
	.configure = dns_configure,
	.read = dns_read,
	.free = dns_free,
};
