/* fuzz_procfs.c — libFuzzer target for the agent's /proc text parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct procstat ps;
	struct meminfo mi;
	struct diskstat *ds;
	struct netdev *nd;
	size_t n, pos = 0, llen;
	const char *line;
	double load[3], up;
	unsigned r, t;
	char st, model[64], os[64];
	long th;
	int cnt;

	if (procstat_parse(buf, size, &ps) == 0)
		procstat_free(&ps);
	meminfo_parse(buf, size, &mi);
	if (diskstats_parse(buf, size, &ds, &n) == 0)
		free(ds);
	if (netdev_parse(buf, size, &nd, &n) == 0)
		free(nd);
	loadavg_parse(buf, size, load, &r, &t);
	uptime_parse(buf, size, &up);
	pidstat_parse(buf, size, &st, &th);
	cpuinfo_parse(buf, size, model, sizeof(model), &cnt);
	os_release_parse(buf, size, os, sizeof(os));
	struct sockstat ss;
	memset(&ss, 0, sizeof(ss));
	sockstat_parse(buf, size, &ss);
	/* mountinfo parses in place: give it a writable copy with room for the NUL. */
	char *copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, buf, size);
	copy[size] = '\0';
	while (next_line(copy, size, &pos, &line, &llen)) {
		struct mount_entry m;
		mountinfo_parse_line((char *)line, llen, &m);
		netstat_tcp_state(line, llen);
	}
	free(copy);
	return 0;
}
