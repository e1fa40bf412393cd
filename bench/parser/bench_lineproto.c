/*
 * bench_lineproto.c — line protocol parser micro-benchmark.
 *
 * Generates N agent-like lines (mostly the cpu/mem/disk/net shapes the agent
 * sends, plus some with escapes, strings, integers and exponents), then
 * parses the whole set repeatedly for about the given time on one core and
 * prints lines/s and MB/s. Parsed values are folded into a checksum so the
 * compiler cannot drop the work.
 *
 *   bench_lineproto [-c] [-n lines] [-t seconds]
 *
 * -c: only the agent's cpu line shape (the most frequent line in practice).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/lineproto.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends one generated line (with its newline) to buf; returns its length. */
static int
gen_line(char *buf, size_t sz, unsigned i, int cpu_only)
{
	long long ts = 1700000000000000000LL + (long long)i * 10000000000LL;
	unsigned host = i % 200, r = i * 2654435761u;
	double a = (r % 10000) / 100.0, b = ((r >> 8) % 1000) / 10.0;

	switch (cpu_only ? 0 : i % 10) {
	case 0: case 1: case 2: case 3:
		return snprintf(buf, sz, "cpu,host=web-%02u,cpu=cpu%u "
		    "usage_user_percent=%.1f,usage_system_percent=%.1f %lld\n",
		    host, i % 8, a, b, ts);
	case 4:
		return snprintf(buf, sz, "mem,host=web-%02u used_bytes=%ui,"
		    "available_bytes=%ui,used_percent=%.2f %lld\n",
		    host, r, r / 3, a, ts);
	case 5:
		return snprintf(buf, sz, "disk,host=web-%02u,device=sda%u,"
		    "path=/var/lib used_percent=%.2f,inodes_free=%ui,"
		    "read_bytes=%uu %lld\n", host, i % 4, a, r % 100000, r, ts);
	case 6:
		return snprintf(buf, sz, "net,host=web-%02u,interface=eth%u "
		    "bytes_recv=%uu,bytes_sent=%uu,errors_in=0u,"
		    "drop_in=%uu,rx_rate=%.3fe3 %lld\n", host, i % 2, r,
		    r / 7, r % 13, a, ts);
	case 7:	/* escapes in names and tag values */
		return snprintf(buf, sz, "win\\ disk,host=pc\\,lab-%02u,"
		    "path=C:\\\\Program\\ Files free\\ space=%.2f %lld\n",
		    host, a, ts);
	case 8:	/* a check result with a string carrying escaped quotes */
		return snprintf(buf, sz, "check,host=web-%02u,service=http "
		    "state=0i,latency=%.4f,output=\"HTTP OK: \\\"200\\\" in "
		    "%.3fs\" %lld\n", host, a / 1000, b / 100, ts);
	default:	/* an SNMP interface counter with many tags */
		return snprintf(buf, sz, "interface,device=sw-%02u,ifName=Gi1/0/%u,"
		    "ifAlias=uplink,site=main,building=b%u "
		    "ifHCInOctets=%uu,ifHCOutOctets=%uu,ifOperStatus=1i,"
		    "ifInErrors=0u,up=true %lld\n", host, i % 48, i % 5, r,
		    r / 2, ts);
	}
}

int
main(int argc, char **argv)
{
	unsigned nlines = 100000;
	double seconds = 2.0, t0, t1;
	size_t cap, len = 0, bytes = 0, lines = 0, points = 0;
	unsigned long long rounds = 0, check = 0;
	struct lp_parser *p;
	char *body;
	int c, cpu_only = 0;

	while ((c = getopt(argc, argv, "cn:t:")) != -1) {
		switch (c) {
		case 'c':
			cpu_only = 1;
			break;
		case 'n':
			nlines = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: %s [-c] [-n lines] [-t seconds]\n",
			    argv[0]);
			return 2;
		}
	}
	if (nlines == 0 || seconds <= 0) {
		fprintf(stderr, "%s: -n and -t must be positive\n", argv[0]);
		return 2;
	}
	cap = (size_t)nlines * 256;
	if ((body = malloc(cap)) == NULL || (p = lp_parser_new(NULL)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return 1;
	}
	for (unsigned i = 0; i < nlines; i++)
		len += (size_t)gen_line(body + len, cap - len, i, cpu_only);

	t0 = now();
	do {
		size_t pos = 0, n;
		const char *line, *err;
		struct lp_point pt;

		while (lp_next_line(body, len, &pos, &line, &n)) {
			int rc = lp_parse_line(p, line, n, LP_PREC_NS, &pt,
			    &err);

			if (rc == -1) {
				fprintf(stderr, "%s: %s: %.*s\n", argv[0], err,
				    (int)n, line);
				return 1;
			}
			points += (size_t)rc;
			check += pt.n_tags + pt.n_fields +
			    (unsigned long long)pt.time_ns +
			    pt.measurement.len +
			    (pt.n_tags ? (unsigned char)pt.tags[0].value.p[0] : 0);
		}
		lines += nlines;
		bytes += len;
		rounds++;
		t1 = now();
	} while (t1 - t0 < seconds);

	printf("lines: %u distinct, %.1f bytes/line on average\n", nlines,
	    (double)len / nlines);
	printf("parsed %zu lines (%zu points) in %.2f s, %llu rounds\n", lines,
	    points, t1 - t0, rounds);
	printf("%.0f lines/s, %.1f MB/s (checksum %llx)\n",
	    (double)lines / (t1 - t0), (double)bytes / (t1 - t0) / 1e6, check);
	lp_parser_free(p);
	free(body);
	return 0;
}
