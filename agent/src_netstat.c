/*
 * src_netstat.c — TCP connections by state and UDP sockets from
 * /proc/net/{tcp,tcp6,udp,udp6}, read in small chunks (a busy server
 * lists hundreds of thousands of sockets).
 *
 *   netstat  tcp_established, tcp_syn_sent, tcp_syn_recv, tcp_fin_wait1,
 *       tcp_fin_wait2, tcp_time_wait, tcp_close, tcp_close_wait,
 *       tcp_last_ack, tcp_listen, tcp_closing, udp_socket
 */
#include "agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const tcp_state_field[TCP_STATE_MAX] = {
	NULL, "tcp_established", "tcp_syn_sent", "tcp_syn_recv", "tcp_fin_wait1",
	"tcp_fin_wait2", "tcp_time_wait", "tcp_close", "tcp_close_wait",
	"tcp_last_ack", "tcp_listen", "tcp_closing",
};

int
netstat_tcp_state(const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	char tok[64];

	/* "sl: local remote st ..." — the header's first word is "sl". */
	if (scan_word(&p, end, tok, sizeof(tok)) < 0)
		return -1;
	if (strcmp(tok, "sl") == 0)
		return 0;
	size_t tl = strlen(tok);
	if (tl < 2 || tok[tl - 1] != ':')
		return -1;
	for (int i = 0; i < 2; i++) {
		if (scan_word(&p, end, tok, sizeof(tok)) < 0 || strchr(tok, ':') == NULL)
			return -1;
	}
	if (scan_word(&p, end, tok, sizeof(tok)) != 2)
		return -1;
	char *e;
	long st = strtol(tok, &e, 16);
	if (*e != '\0' || st < 1 || st >= TCP_STATE_MAX)
		return -1;
	return (int)st;
}

/* Feed every line of a file to fn; reads in 8 KiB chunks. */
static int
each_line(const char *root, const char *rel, void (*fn)(const char *, size_t, void *),
    void *arg)
{
	char path[PATH_MAX], buf[8192];
	size_t have = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (have > 0)
				fn(buf, have, arg);
			break;
		}
		have += (size_t)n;
		size_t start = 0;
		char *nl;
		while ((nl = memchr(buf + start, '\n', have - start)) != NULL) {
			fn(buf + start, (size_t)(nl - (buf + start)), arg);
			start = (size_t)(nl - buf) + 1;
		}
		if (start == 0 && have == sizeof(buf)) {
			have = 0;	/* an absurd line: drop it */
			continue;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	close(fd);
	return 0;
}

struct netstat_counts {
	unsigned long long tcp[TCP_STATE_MAX];
	unsigned long long udp;
};

static void
count_tcp(const char *line, size_t len, void *arg)
{
	struct netstat_counts *nc = arg;
	int st = netstat_tcp_state(line, len);
	if (st > 0)
		nc->tcp[st]++;
}

static void
count_udp(const char *line, size_t len, void *arg)
{
	struct netstat_counts *nc = arg;
	if (netstat_tcp_state(line, len) > 0)	/* same layout; any state counts */
		nc->udp++;
}

static void *
netstat_init(void)
{
	return calloc(1, 1);
}

static int
netstat_collect(void *p, struct collect *c)
{
	struct netstat_counts nc;
	const char *root = c->cfg->proc_root;
	(void)p;

	memset(&nc, 0, sizeof(nc));
	int ok4 = each_line(root, "net/tcp", count_tcp, &nc) == 0;
	int ok6 = each_line(root, "net/tcp6", count_tcp, &nc) == 0;
	int oku = each_line(root, "net/udp", count_udp, &nc) == 0;
	oku |= each_line(root, "net/udp6", count_udp, &nc) == 0;
	if (!ok4 && !ok6 && !oku)
		return -1;
	collect_begin(c, "netstat");
	if (ok4 || ok6)
		for (int i = 1; i < TCP_STATE_MAX; i++)
			lpw_uint(c->out, tcp_state_field[i], nc.tcp[i]);
	if (oku)
		lpw_uint(c->out, "udp_socket", nc.udp);
	lpw_end(c->out, c->ts_ns);
	return 0;
}

const struct source_ops src_netstat = { "netstat", netstat_init, netstat_collect, free };
