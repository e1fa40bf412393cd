/*
 * tcp.c — the tcp plugin (Telegraf's net_response): connect to address,
 * optionally send a line and wait for text in the reply. Non-blocking
 * socket and poll() against the read's deadline, on a plugin worker.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugins/builtin.h"
#include "plugins/putil.h"

#define REPLY_MAX 4096

struct tcp_config {
	char *address;
	char *send;
	char *expect;
};

struct tcp_state {
	const struct tcp_config *cfg;
	char host[256], port[16];
};

#define OFF(f) offsetof(struct tcp_config, f)
static const struct cfg_key tcp_schema[] = {
	{ "address", CFG_STRING, OFF(address), NULL, 0, 300, NULL, NULL,
	  "host:port or [v6]:port to connect to (required)." },
	{ "send", CFG_STRING, OFF(send), NULL, 0, 1024, NULL, NULL,
	  "Text to send once connected (e.g. \"PING\\r\\n\")." },
	{ "expect", CFG_STRING, OFF(expect), NULL, 0, 1024, NULL, NULL,
	  "Text the reply must contain (first 4 KiB)." },
	CFG_END
};

static void *
tcp_configure(const void *config, const struct plugin_info *info, char *err, size_t errlen)
{
	const struct tcp_config *c = config;
	struct tcp_state *st = calloc(1, sizeof(*st));
	(void)info;
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (split_hostport(c->address, st->host, sizeof(st->host), st->port,
	    sizeof(st->port)) < 0) {
		snprintf(err, errlen, "address: want host:port or [v6]:port");
		free(st);
		return NULL;
	}
	st->cfg = c;
	return st;
}

static void
tcp_free(void *p)
{
	free(p);
}

/* Telegraf's net_response result codes. */
enum { R_SUCCESS, R_TIMEOUT, R_CONN_FAILED, R_READ_FAILED, R_MISMATCH };
static const char *const result_names[] = { "success", "timeout", "connection_failed",
	"read_failed", "string_mismatch" };

static int
wait_fd(int fd, short ev, struct plugin_ctx *ctx)
{
	struct pollfd pfd = { fd, ev, 0 };
	long long left = plugin_deadline_ms(ctx);
	int n;
	do
		n = poll(&pfd, 1, (int)(left > 0 ? left : 0));
	while (n < 0 && errno == EINTR);
	return n;
}

/* Connect, send and expect; returns a result code, *connect_s set when connected. */
static int
tcp_check(struct tcp_state *st, struct plugin_ctx *ctx, double *connect_s, char *why,
    size_t wlen)
{
	const struct tcp_config *c = st->cfg;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *ai = NULL;
	int rc = R_CONN_FAILED, fd = -1, g;
	double t0 = mono_s();

	if ((g = getaddrinfo(st->host, st->port, &hints, &ai)) != 0) {
		snprintf(why, wlen, "%.200s: %s", st->host, gai_strerror(g));
		return R_CONN_FAILED;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, wlen, "socket: %s", strerror(errno));
		goto out;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		snprintf(why, wlen, "connect: %s", strerror(errno));
		goto out;
	}
	int n = wait_fd(fd, POLLOUT, ctx), soerr = 0;
	socklen_t sl = sizeof(soerr);
	if (n == 0) {
		snprintf(why, wlen, "connect timed out");
		rc = R_TIMEOUT;
		goto out;
	}
	if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
		snprintf(why, wlen, "connect: %s", strerror(soerr ? soerr : errno));
		goto out;
	}
	*connect_s = mono_s() - t0;
	if (c->send != NULL && send(fd, c->send, strlen(c->send), MSG_NOSIGNAL) < 0) {
		snprintf(why, wlen, "send: %s", strerror(errno));
		rc = R_READ_FAILED;
		goto out;
	}
	if (c->expect == NULL) {
		rc = R_SUCCESS;
		goto out;
	}
	char buf[REPLY_MAX + 1];
	size_t len = 0;
	rc = R_MISMATCH;
	while (len < REPLY_MAX) {
		if ((n = wait_fd(fd, POLLIN, ctx)) <= 0) {
			snprintf(why, wlen, "no matching reply before the deadline");
			rc = R_TIMEOUT;
			break;
		}
		ssize_t got = recv(fd, buf + len, REPLY_MAX - len, 0);
		if (got <= 0) {
			snprintf(why, wlen, "reply ended without the expected text");
			break;
		}
		len += (size_t)got;
		buf[len] = '\0';
		if (memmem(buf, len, c->expect, strlen(c->expect)) != NULL) {
			rc = R_SUCCESS;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

static int
tcp_read(void *p, struct plugin_ctx *ctx)
{
	struct tcp_state *st = p;
	char why[400] = "";
	double connect_s = -1, t0 = mono_s();
	int rc = tcp_check(st, ctx, &connect_s, why, sizeof(why));
	double total = mono_s() - t0;
	struct plugin_tag tags[] = { { "server", st->host }, { "port", st->port },
		{ "protocol", "tcp" }, { "result", result_names[rc] } };
	struct fset f = { .n = 0 };

	fset_int(&f, "up", rc == R_SUCCESS);
	fset_int(&f, "result_code", rc);
	if (connect_s >= 0)
		fset_float(&f, "connect_ms", connect_s * 1000.0);
	if (rc == R_SUCCESS)
		fset_float(&f, "response_time", total);
	if (st->cfg->expect != NULL && (rc == R_SUCCESS || rc == R_MISMATCH))
		fset_int(&f, "string_found", rc == R_SUCCESS);
	if (why[0] != '\0') {
		fset_str(&f, "error", why);
		plugin_log(ctx, PLUGIN_LOG_WARN, "%s: %s", st->cfg->address, why);
	}
	(void)fset_submit(ctx, "net_response", tags, 4, &f);
	return 0;
}

const struct plugin_desc tcp_plugin = {
	.name = "tcp",
	.abi = PLUGIN_ABI,
	.schema = tcp_schema,
	.config_size = sizeof(struct tcp_config),
	.configure = tcp_configure,
	.read = tcp_read,
	.free = tcp_free,
};
