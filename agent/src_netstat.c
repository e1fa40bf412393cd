/*
 * src_netstat.c — TCP connections by state and UDP sockets: through netlink
 * sock_diag on the live system, else (another paths.proc, no netlink) from
 * /proc/net/{tcp,tcp6,udp,udp6} read in chunks. A busy server has hundreds of
 * thousands of sockets; the kernel formats each as a 150-byte text line in
 * /proc/net/tcp (about 1 ms per thousand), where sock_diag sends 72 bytes.
 *
 *   netstat  tcp_established, tcp_syn_sent, tcp_syn_recv, tcp_fin_wait1,
 *       tcp_fin_wait2, tcp_time_wait, tcp_close, tcp_close_wait,
 *       tcp_last_ack, tcp_listen, tcp_closing, udp_socket
 */
#include "agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

/* Feed every line of a file to fn; reads in 16 KiB chunks. */
static int
each_line(const char *root, const char *rel, void (*fn)(const char *, size_t, void *),
    void *arg)
{
	char path[PATH_MAX], buf[16384];
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

#define DIAG_BUF (32u << 10)

/* One sock_diag dump: count each socket's state. Returns 0 or -1. */
static int
diag_dump(int fd, char *buf, int family, int protocol, unsigned long long *counts,
    size_t n_counts)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)protocol;
	req.r.idiag_states = ~0u & ~(1u << 6);	/* all but TCP_TIME_WAIT */
	if (send(fd, &req, sizeof(req), 0) < 0)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, buf, DIAG_BUF, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		    h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				continue;
			const struct inet_diag_msg *m = NLMSG_DATA(h);
			counts[m->idiag_state < n_counts ? m->idiag_state : 0]++;
		}
	}
}

int
sockstat_parse(const char *buf, size_t len, struct sockstat *out)
{
	size_t pos = 0, llen;
	const char *line;
	int found = 0;

	while (next_line(buf, len, &pos, &line, &llen)) {
		/* "TCP: inuse 5 orphan 0 tw 2353 alloc 5 mem 59", "UDP: inuse 5 mem 0",
		 * "TCP6: inuse 0", "UDP6: inuse 0" */
		static const struct {
			const char *proto;
			size_t off;
		} protos[] = {
			{ "TCP:", offsetof(struct sockstat, tcp_inuse) },
			{ "UDP:", offsetof(struct sockstat, udp_inuse) },
			{ "TCP6:", offsetof(struct sockstat, tcp6_inuse) },
			{ "UDP6:", offsetof(struct sockstat, udp6_inuse) },
		};
		const char *p = line, *end = line + llen;
		char word[16];
		if (scan_word(&p, end, word, sizeof(word)) < 0)
			continue;
		for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
			if (strcmp(word, protos[i].proto) != 0)
				continue;
			/* key value pairs */
			while (scan_word(&p, end, word, sizeof(word)) > 0) {
				uint64_t v;
				if (scan_u64(&p, end, &v) < 0)
					return -1;
				if (strcmp(word, "inuse") == 0) {
					*(unsigned long long *)((char *)out + protos[i].off) = v;
					found = 1;
				} else if (i == 0 && strcmp(word, "tw") == 0) {
					out->tcp_tw = v;
				}
			}
		}
	}
	return found ? 0 : -1;
}

int
netstat_netlink(unsigned long long tcp[TCP_STATE_MAX], unsigned long long *udp)
{
	struct sockstat ss;
	struct rbuf rb = { 0 };
	long len;
	int rc = -1;

	/* Counts the kernel keeps: UDP sockets, TIME_WAIT, and whether IPv6 TCP is in use. */
	memset(&ss, 0, sizeof(ss));
	if ((len = proc_read(&rb, "/proc", "net/sockstat")) < 0 ||
	    sockstat_parse(rb.p, (size_t)len, &ss) < 0) {
		rbuf_free(&rb);
		return -1;
	}
	int have6 = (len = proc_read(&rb, "/proc", "net/sockstat6")) >= 0 &&
	    sockstat_parse(rb.p, (size_t)len, &ss) == 0;
	rbuf_free(&rb);

	/*
	 * The other TCP states need a walk of the connection table, once per
	 * family; time-wait sockets (often thousands) are left out of it.
	 */
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	char *buf = fd >= 0 ? malloc(DIAG_BUF) : NULL;
	if (buf != NULL &&
	    diag_dump(fd, buf, AF_INET, IPPROTO_TCP, tcp, TCP_STATE_MAX) == 0 &&
	    (!have6 || ss.tcp6_inuse == 0 ||
	    diag_dump(fd, buf, AF_INET6, IPPROTO_TCP, tcp, TCP_STATE_MAX) == 0))
		rc = 0;
	free(buf);
	if (fd >= 0)
		close(fd);
	tcp[6] = ss.tcp_tw;	/* TCP_TIME_WAIT */
	*udp = ss.udp_inuse + ss.udp6_inuse;
	return rc;
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
	if (strcmp(root, "/proc") == 0 && netstat_netlink(nc.tcp, &nc.udp) == 0) {
		collect_begin(c, "netstat");
		for (int i = 1; i < TCP_STATE_MAX; i++)
			lpw_uint(c->out, tcp_state_field[i], nc.tcp[i]);
		lpw_uint(c->out, "udp_socket", nc.udp);
		lpw_end(c->out, c->ts_ns);
		return 0;
	}
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
