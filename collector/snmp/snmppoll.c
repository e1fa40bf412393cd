/*
 * snmppoll.c — campusmon-snmppoll: poll one device once with the collector's
 * SNMP engine and print the result as one JSON document. For tests and for
 * admins troubleshooting a device or a profile.
 */
#include "collector/snmp/snmp.h"
#include "common/log.h"

#include <event2/event.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run {
	struct event_base *base;
	int count, done, pretty;
	int rc;
	char *last;
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: campusmon-snmppoll [options] HOST[:PORT]\n"
	    "Poll one device once and print the result as JSON.\n"
	    "  --profiles DIR     profile directory (default: the build tree's or installed)\n"
	    "  -v 1|2c|3          SNMP version (default 2c)\n"
	    "  -c COMMUNITY       v1/v2c community (default public)\n"
	    "  -u USER            v3 user\n"
	    "  -a PROTO -A PASS   v3 auth: MD5 SHA SHA-224 SHA-256 SHA-384 SHA-512\n"
	    "  -x PROTO -X PASS   v3 privacy: DES AES AES-192 AES-256\n"
	    "  -n CONTEXT         v3 context name\n"
	    "  -t MS              timeout per attempt in milliseconds (default 2000)\n"
	    "  -r N               retries (default 1)\n"
	    "  --max-reps N       largest GETBULK (default 50)\n"
	    "  --inflight N       requests in flight (default 1)\n"
	    "  --count N          poll N times (rates need 2), print the last\n"
	    "  --interval S       seconds between polls with --count (default 1)\n"
	    "  --system-only      system group and profile matching only\n"
	    "  --compact          one-line JSON\n"
	    "  -d                 debug log on stderr (repeat for more)\n"
	    "Exit status: 0 device up, 2 down or unreachable, 1 usage error.\n");
}

static void
on_result(const struct sp_result *r, void *arg)
{
	struct run *run = arg;

	free(run->last);
	run->last = sp_result_to_json(r, run->pretty);
	run->rc = r->status == SP_STATUS_UP ? 0 : 2;
	if (++run->done >= run->count)
		event_base_loopbreak(run->base);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profiles", required_argument, NULL, 'P' },
		{ "max-reps", required_argument, NULL, 'M' },
		{ "inflight", required_argument, NULL, 'I' },
		{ "count", required_argument, NULL, 'N' },
		{ "interval", required_argument, NULL, 'T' },
		{ "system-only", no_argument, NULL, 'S' },
		{ "compact", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sp_poller_config cfg;
	struct sp_target t;
	struct run run = { .count = 1, .pretty = 1, .rc = 2 };
	const char *profiles = NULL;
	int verbose = 0, interval = 1, system_only = 0, ch;
	char host[256];

	sp_poller_config_defaults(&cfg);
	memset(&t, 0, sizeof(t));
	t.version = SP_VER_2C;
	t.community = "public";
	t.retries = -1;
	while ((ch = getopt_long(argc, argv, "v:c:u:a:A:x:X:n:t:r:l:dh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'P': profiles = optarg; break;
		case 'v':
			if (strcmp(optarg, "1") == 0) t.version = SP_VER_1;
			else if (strcmp(optarg, "2c") == 0 || strcmp(optarg, "2") == 0) t.version = SP_VER_2C;
			else if (strcmp(optarg, "3") == 0) t.version = SP_VER_3;
			else { usage(stderr); return 1; }
			break;
		case 'c': t.community = optarg; break;
		case 'u': t.user = optarg; break;
		case 'a': t.auth_proto = optarg; break;
		case 'A': t.auth_pass = optarg; break;
		case 'x': t.priv_proto = optarg; break;
		case 'X': t.priv_pass = optarg; break;
		case 'n': t.context = optarg; break;
		case 'l': break;	/* security level follows from -A/-X */
		case 't': cfg.timeout_ms = atoi(optarg); break;
		case 'r': cfg.retries = atoi(optarg); break;
		case 'M': cfg.bulk_max = atoi(optarg); break;
		case 'I': cfg.max_inflight = atoi(optarg); break;
		case 'N': run.count = atoi(optarg); break;
		case 'T': interval = atoi(optarg); break;
		case 'S': system_only = 1; break;
		case 'C': run.pretty = 0; break;
		case 'd': verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc - 1 || run.count < 1 || interval < 1 || cfg.timeout_ms < 1) {
		usage(stderr);
		return 1;
	}
	/* HOST, HOST:PORT, [V6]:PORT or a bare IPv6 address. */
	snprintf(host, sizeof(host), "%s", argv[optind]);
	char *colon = strrchr(host, ':');
	if (host[0] == '[') {
		char *end = strchr(host, ']');
		if (end == NULL) { usage(stderr); return 1; }
		*end = '\0';
		if (end[1] == ':')
			t.port = (unsigned)atoi(end + 2);
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if (colon != NULL && strchr(host, ':') == colon) {
		*colon = '\0';
		t.port = (unsigned)atoi(colon + 1);
	}
	t.address = host;
	t.interval = interval;
	log_init("campusmon-snmppoll", verbose);

	run.base = event_base_new();
	if (run.base == NULL)
		return 1;
	cfg.start_spread_ms = 0;
	cfg.interval = interval;
	cfg.jitter_pct = 0;
	struct sp_poller *p = sp_poller_new(run.base, &cfg, profiles, on_result, &run);
	if (p == NULL) {
		event_base_free(run.base);
		return 1;
	}
	int rc;
	if (run.count == 1)
		rc = sp_poller_probe(p, &t, !system_only, on_result, &run);
	else
		rc = sp_poller_add(p, &t);
	if (rc < 0) {
		fprintf(stderr, "campusmon-snmppoll: bad target\n");
		sp_poller_free(p);
		event_base_free(run.base);
		return 1;
	}
	event_base_dispatch(run.base);
	sp_poller_free(p);
	event_base_free(run.base);
	if (run.last != NULL) {
		fputs(run.last, stdout);
		fputc('\n', stdout);
		free(run.last);
	}
	return run.rc;
}
