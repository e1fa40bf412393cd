/*
 * src_processes.c — process counts by state from /proc/PID/stat.
 *
 *   processes  total, running, sleeping, blocked, zombies, stopped, idle,
 *       dead, unknown, total_threads
 */
#include "agent/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
pidstat_parse(const char *buf, size_t len, char *state, long *threads)
{
	const char *close = NULL;
	/* comm may hold ')' and spaces: the state follows the last ')'. */
	for (size_t i = len; i > 0; i--) {
		if (buf[i - 1] == ')') {
			close = buf + i - 1;
			break;
		}
	}
	if (close == NULL || memchr(buf, '(', (size_t)(close - buf)) == NULL)
		return -1;
	const char *p = close + 1, *end = buf + len;
	char word[32];
	if (scan_word(&p, end, word, sizeof(word)) != 1)
		return -1;
	*state = word[0];
	/* Fields 4..19 (ppid .. nice) precede num_threads (field 20). */
	for (int i = 4; i < 20; i++)
		if (scan_word(&p, end, word, sizeof(word)) < 0)
			return -1;
	uint64_t t;
	if (scan_u64(&p, end, &t) < 0 || t > LONG_MAX)
		return -1;
	*threads = (long)t;
	return 0;
}

static void *
processes_init(void)
{
	return calloc(1, 1);
}

static int
processes_collect(void *p, struct collect *c)
{
	unsigned long long total = 0, running = 0, sleeping = 0, blocked = 0, zombies = 0,
	    stopped = 0, idle = 0, dead = 0, unknown = 0, threads = 0;
	DIR *d = opendir(c->cfg->proc_root);
	struct dirent *de;
	char buf[1024];
	(void)p;

	if (d == NULL)
		return -1;
	int dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char rel[NAME_MAX + 8];
		snprintf(rel, sizeof(rel), "%s/stat", de->d_name);
		int fd = openat(dfd, rel, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* exited meanwhile */
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		char st;
		long nt;
		if (pidstat_parse(buf, (size_t)n, &st, &nt) < 0)
			continue;
		total++;
		threads += (unsigned long long)nt;
		switch (st) {
		case 'R': running++; break;
		case 'S': sleeping++; break;
		case 'D': blocked++; break;
		case 'Z': zombies++; break;
		case 'T': case 't': stopped++; break;
		case 'I': idle++; break;
		case 'X': case 'x': dead++; break;
		default: unknown++; break;
		}
	}
	closedir(d);
	if (total == 0) {
		errno = ENOENT;
		return -1;
	}
	collect_begin(c, "processes");
	lpw_uint(c->out, "total", total);
	lpw_uint(c->out, "running", running);
	lpw_uint(c->out, "sleeping", sleeping);
	lpw_uint(c->out, "blocked", blocked);
	lpw_uint(c->out, "zombies", zombies);
	lpw_uint(c->out, "stopped", stopped);
	lpw_uint(c->out, "idle", idle);
	lpw_uint(c->out, "dead", dead);
	lpw_uint(c->out, "unknown", unknown);
	lpw_uint(c->out, "total_threads", threads);
	lpw_end(c->out, c->ts_ns);
	return 0;
}

const struct source_ops src_processes = { "processes", processes_init, processes_collect, free };
