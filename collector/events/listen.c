/*
 * listen.c — "udp:ADDR:PORT" / "tcp:ADDR:PORT" (traps.listen, syslog.listen)
 * to a bound socket, as root before the privilege drop.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/util.h>

#include "collector/events/events.h"
#include "common/log.h"

int
ev_listen_parse(const char *spec, int *tcp, struct sockaddr_storage *ss, int *sslen)
{
	const char *rest;
	if (strncmp(spec, "udp:", 4) == 0)
		*tcp = 0;
	else if (strncmp(spec, "tcp:", 4) == 0)
		*tcp = 1;
	else
		return -1;
	rest = spec + 4;
	*sslen = (int)sizeof(*ss);
	memset(ss, 0, sizeof(*ss));
	return evutil_parse_sockaddr_port(rest, (struct sockaddr *)ss, sslen) == 0 &&
	    ((struct sockaddr_in *)ss)->sin_port != 0 ? 0 : -1;
}

const char *
ev_check_listen(const void *field)
{
	const struct cfg_strlist *l = field;
	for (size_t i = 0; i < l->n; i++) {
		struct sockaddr_storage ss;
		int tcp, len;
		if (ev_listen_parse(l->v[i], &tcp, &ss, &len) < 0)
			return "each entry must be udp:ADDR:PORT or tcp:ADDR:PORT "
			    "(IPv6: udp:[ADDR]:PORT)";
	}
	return NULL;
}

int
ev_listen_open(const char *spec, int want_tcp_ok, int rcvbuf, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int tcp, len, one = 1;
	if (ev_listen_parse(spec, &tcp, &ss, &len) < 0 || (tcp && !want_tcp_ok)) {
		snprintf(err, errlen, "%s: not a listen address here", spec);
		return -1;
	}
	int fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: socket: %s", spec, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (!tcp && rcvbuf > 0) {
		/* as root the limit of net.core.rmem_max does not apply */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, (socklen_t)len) < 0 ||
	    (tcp && listen(fd, 128) < 0)) {
		snprintf(err, errlen, "%s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
