/*
 * syslog.c — syslog receivers on the loop: UDP sockets read in bursts
 * (with the kernel's drop count from SO_RXQ_OVFL), TCP connections framed
 * by framing.c with a bounded buffer, a connection cap and an idle timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "collector/collector.h"
#include "collector/events/events.h"
#include "common/log.h"
#include "common/util.h"

#define UDP_BURST 256
#define SOCKS_MAX 16

struct ev_sock {
	struct ev_syslog *owner;
	int fd, tcp;
	struct event *ev;
	struct evconnlistener *lev;
	uint32_t kernel_drops;		/* SO_RXQ_OVFL's running count */
};

struct ev_syslog {
	struct collector *c;
	struct ev_sock socks[SOCKS_MAX];
	size_t n;
	size_t conns;
	struct ev_conn *conn_list;
	char *buf;			/* one datagram */
};

struct ev_conn {
	struct ev_syslog *s;
	struct bufferevent *bev;
	char addr[64];
	struct ev_conn *next, **pprev;
};

static void
addr_text(const struct sockaddr *sa, char *out, size_t cap)
{
	out[0] = '\0';
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
	else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a))
			inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)cap);
		else
			inet_ntop(AF_INET6, a, out, (socklen_t)cap);
	}
}

void
ev_addr_text(const struct sockaddr *sa, char *out, size_t cap)
{
	addr_text(sa, out, cap);
}

/* One message from the wire into the pipeline. */
static void
take(struct ev_syslog *s, const char *msg, size_t len, const char *from, double now)
{
	struct cm_event *ev = cm_event_new(CM_EV_SYSLOG, now);
	if (ev == NULL)
		return;
	snprintf(ev->source_address, sizeof(ev->source_address), "%s", from);
	if (syslog_parse(msg, len, now, (size_t)s->c->cfg.syslog_max_message, ev) < 0) {
		cm_event_free(ev);
		events_drop(s->c, CM_EV_SYSLOG, EV_DROP_PARSE, 1);
		return;
	}
	events_take(s->c, ev);
}

static void
on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct ev_sock *k = arg;
	struct ev_syslog *s = k->owner;
	(void)what;
	double now = util_now();
	for (int i = 0; i < UDP_BURST; i++) {
		struct sockaddr_storage ss;
		char ctl[CMSG_SPACE(sizeof(uint32_t))];
		struct iovec iov = { s->buf, 65536 };
		struct msghdr mh = { .msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov,
			.msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			break;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
				uint32_t total;
				memcpy(&total, CMSG_DATA(cm), sizeof(total));
				if (total != k->kernel_drops)
					events_drop(s->c, CM_EV_SYSLOG, EV_DROP_KERNEL,
					    (uint32_t)(total - k->kernel_drops));
				k->kernel_drops = total;
			}
		}
		char from[64];
		addr_text((struct sockaddr *)&ss, from, sizeof(from));
		take(s, s->buf, (size_t)n, from, now);
	}
}

/* ---- TCP ----------------------------------------------------------------- */

static void
conn_free(struct ev_conn *cn)
{
	bufferevent_free(cn->bev);
	if (cn->next)
		cn->next->pprev = cn->pprev;
	*cn->pprev = cn->next;
	cn->s->conns--;
	free(cn);
}

static void
on_tcp_read(struct bufferevent *bev, void *arg)
{
	struct ev_conn *cn = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t max = (size_t)cn->s->c->cfg.syslog_max_message;
	double now = util_now();
	for (;;) {
		size_t len = evbuffer_get_length(in);
		if (len == 0)
			break;
		size_t look = len < max + 16 ? len : max + 16;
		const char *data = (const char *)evbuffer_pullup(in, (ev_ssize_t)look);
		const char *frame;
		size_t flen;
		long used = syslog_frame_next(data, look, max, &frame, &flen);
		if (used < 0) {
			events_drop(cn->s->c, CM_EV_SYSLOG, EV_DROP_PARSE, 1);
			events_log_refused(cn->s->c, "syslog TCP stream with a bad octet count",
			    cn->addr);
			conn_free(cn);
			return;
		}
		if (used == 0)
			break;
		if (flen > 0)
			take(cn->s, frame, flen, cn->addr, now);
		evbuffer_drain(in, (size_t)used);
	}
}

static void
on_tcp_event(struct bufferevent *bev, short what, void *arg)
{
	struct ev_conn *cn = arg;
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
		/* a last line without its LF still counts */
		struct evbuffer *in = bufferevent_get_input(cn->bev);
		size_t len = evbuffer_get_length(in);
		if ((what & BEV_EVENT_EOF) && len > 0 && len <= (size_t)cn->s->c->cfg.syslog_max_message)
			take(cn->s, (const char *)evbuffer_pullup(in, -1), len, cn->addr, util_now());
		conn_free(cn);
	}
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen,
    void *arg)
{
	struct ev_sock *k = arg;
	struct ev_syslog *s = k->owner;
	(void)lev;
	(void)salen;
	char from[64];
	addr_text(sa, from, sizeof(from));
	if (s->conns >= (size_t)s->c->cfg.syslog_max_connections) {
		events_log_refused(s->c, "syslog TCP connection over syslog.max_connections", from);
		close(fd);
		return;
	}
	struct ev_conn *cn = calloc(1, sizeof(*cn));
	if (cn == NULL) {
		close(fd);
		return;
	}
	cn->s = s;
	snprintf(cn->addr, sizeof(cn->addr), "%s", from);
	cn->bev = bufferevent_socket_new(s->c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (cn->bev == NULL) {
		close(fd);
		free(cn);
		return;
	}
	s->conns++;
	cn->next = s->conn_list;
	if (cn->next)
		cn->next->pprev = &cn->next;
	cn->pprev = &s->conn_list;
	s->conn_list = cn;
	struct timeval idle = { (time_t)s->c->cfg.syslog_tcp_idle, 0 };
	bufferevent_setcb(cn->bev, on_tcp_read, NULL, on_tcp_event, cn);
	/* the buffer never holds more than a frame and a bit: reading pauses */
	bufferevent_setwatermark(cn->bev, EV_READ, 0,
	    (size_t)s->c->cfg.syslog_max_message * 2 + 64);
	bufferevent_set_timeouts(cn->bev, &idle, NULL);
	bufferevent_enable(cn->bev, EV_READ);
}

/* ---- life ----------------------------------------------------------------- */

struct ev_syslog *
syslog_open(struct collector *c, char *err, size_t errlen)
{
	const struct cfg_strlist *l = &c->cfg.syslog_listen;
	if (l->n == 0)
		return NULL;
	struct ev_syslog *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->buf = malloc(65536 + 1)) == NULL) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->c = c;
	for (size_t i = 0; i < l->n && s->n < SOCKS_MAX; i++) {
		char why[256];
		int fd = ev_listen_open(l->v[i], 1, (int)c->cfg.syslog_rcvbuf, why, sizeof(why));
		if (fd < 0) {
			/* another collector may hold the port: say so, run without it */
			log_warnx("syslog: cannot listen on %s; that receiver is off", why);
			continue;
		}
		s->socks[s->n].owner = s;
		s->socks[s->n].fd = fd;
		s->socks[s->n].tcp = strncmp(l->v[i], "tcp:", 4) == 0;
		s->n++;
	}
	return s;
}

int
syslog_start(struct ev_syslog *s, struct collector *c)
{
	for (size_t i = 0; i < s->n; i++) {
		struct ev_sock *k = &s->socks[i];
		if (k->tcp) {
			k->lev = evconnlistener_new(c->base, on_accept, k, LEV_OPT_CLOSE_ON_FREE, -1,
			    k->fd);
			if (k->lev == NULL)
				return -1;
		} else {
			k->ev = event_new(c->base, k->fd, EV_READ | EV_PERSIST, on_udp, k);
			if (k->ev == NULL || event_add(k->ev, NULL) < 0)
				return -1;
		}
	}
	return 0;
}

void
syslog_free(struct ev_syslog *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (s->socks[i].lev != NULL) {
			evconnlistener_free(s->socks[i].lev);
			continue;
		}
		if (s->socks[i].ev != NULL)
			event_free(s->socks[i].ev);
		close(s->socks[i].fd);
	}
	while (s->conn_list != NULL)
		conn_free(s->conn_list);
	free(s->buf);
	free(s);
}
