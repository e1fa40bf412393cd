/*
 * src_system.c — load and uptime from /proc/loadavg and /proc/uptime.
 *
 *   system  load1, load5, load15, n_cpus, uptime (s)
 */
#include "agent/agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
scan_double(const char **p, const char *end, double *out)
{
	char word[32], *e;
	if (scan_word(p, end, word, sizeof(word)) < 0)
		return -1;
	if (word[0] < '0' || word[0] > '9')
		return -1;
	*out = strtod(word, &e);
	return *e == '\0' ? 0 : -1;
}

int
loadavg_parse(const char *buf, size_t len, double load[3], unsigned *running,
    unsigned *tasks)
{
	const char *p = buf, *end = buf + len;
	uint64_t r, t;

	for (int i = 0; i < 3; i++)
		if (scan_double(&p, end, &load[i]) < 0)
			return -1;
	if (scan_u64(&p, end, &r) < 0 || p >= end || *p != '/')
		return -1;
	p++;
	if (scan_u64(&p, end, &t) < 0 || r > UINT32_MAX || t > UINT32_MAX)
		return -1;
	*running = (unsigned)r;
	*tasks = (unsigned)t;
	return 0;
}

int
uptime_parse(const char *buf, size_t len, double *uptime)
{
	const char *p = buf;
	return scan_double(&p, buf + len, uptime);
}

static void *
system_init(void)
{
	return calloc(1, 1);
}

static int
system_collect(void *p, struct collect *c)
{
	double load[3], up = 0;
	unsigned running, tasks;
	int have_load, have_up;
	(void)p;

	long len = proc_read(c->scratch, c->cfg->proc_root, "loadavg");
	have_load = len >= 0 && loadavg_parse(c->scratch->p, (size_t)len, load, &running,
	    &tasks) == 0;
	len = proc_read(c->scratch, c->cfg->proc_root, "uptime");
	have_up = len >= 0 && uptime_parse(c->scratch->p, (size_t)len, &up) == 0;
	if (!have_load && !have_up) {
		errno = ENOENT;
		return -1;
	}
	collect_begin(c, "system");
	if (have_load) {
		lpw_float(c->out, "load1", load[0]);
		lpw_float(c->out, "load5", load[1]);
		lpw_float(c->out, "load15", load[2]);
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > 0)
		lpw_int(c->out, "n_cpus", ncpu);
	if (have_up)
		lpw_uint(c->out, "uptime", (unsigned long long)up);
	lpw_end(c->out, c->ts_ns);
	return 0;
}

const struct source_ops src_system = { "system", system_init, system_collect, free };
