/*
 * conns.c — what the HTTP server may hold at once: a cap on open
 * connections, a pause when accept() runs out of descriptors, and a
 * deadline for each request to arrive.
 *
 * libevent 2.1's evhttp offers none of these, and left alone it retries a
 * failing accept() in a tight loop (EMFILE: 96 % CPU and a log line each
 * time) and keeps clients that trickle one byte at a time forever (its
 * timeout restarts at every byte). So:
 *  - every accepted connection gets a record, created in the evhttp bevcb
 *    and freed by the connection's close callback (see conn_event);
 *  - at http.max_connections a new connection closes the one that has
 *    waited longest for its request (an idle keep-alive connection or a
 *    slow sender), so clients that send their request at once are served
 *    even while slow ones fill the cap; with none waiting, the listener is
 *    disabled and further clients wait in the kernel's backlog;
 *  - an accept() error (EMFILE, ENFILE, ENOBUFS...) closes a few waiting
 *    connections to free descriptors and disables the listener for
 *    ACCEPT_PAUSE_MS; both are logged at most once per LOG_INTERVAL;
 *  - a request's head and body must arrive within http.request_timeout of
 *    the connection opening or of the previous reply; past it the socket is
 *    shut down, libevent reads EOF and frees the connection.
 * Loop thread only.
 */
#include <uthash.h>

#include "collector/collector.h"
#include "collector/http/http.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <utlist.h>

#include "common/log.h"
#include "common/util.h"

#define ACCEPT_PAUSE_MS 500
#define LOG_INTERVAL 60.0
#define FD_RESERVE 64		/* journal, state db, RRD files, SNMP, syslog... */
#define MIN_AUTO_CAP 16
#define EVICT_ON_ERROR 16	/* waiting connections closed per accept() error */

struct http_conn {
	struct http_conns *owner;
	struct bufferevent *bev;	/* evhttp's, for the connection's life */
	struct event *ev;		/* attach, then the request deadline */
	int attached;			/* our closecb is set on the connection */
	int waiting;			/* for its request: in owner->waiting */
	int closing;			/* shut down, not yet freed by evhttp */
	struct http_pending *pending;	/* a request waiting for another thread */
	struct http_conn *prev, *next;	/* in owner->waiting, oldest first */
	UT_hash_handle hh;		/* by bev */
};

struct http_conns {
	struct collector *c;
	struct evhttp *http;
	struct http_conns *next;	/* in servers */
	struct evconnlistener *listener;
	struct http_conn *by_bev;
	struct http_conn *waiting;	/* waiting for a request, oldest first */
	size_t open, closing, cap;	/* open includes closing */
	struct timeval request_timeout;
	struct event *resume;		/* ends an accept pause */
	int paused;			/* by an accept error */
	double last_log;
	unsigned long errors_since_log;
	double last_evict_log;
	unsigned long evicted_since_log;
	int at_cap_logged;
};

/*
 * The one static here: libevent calls the listener's error callback with
 * the listener's argument, which evhttp has set to its struct evhttp, so
 * the callback finds its server in this list (one entry per running server).
 */
static struct http_conns *servers;

static size_t
live(const struct http_conns *hc)
{
	return hc->open - hc->closing;
}

/* Accept while there is room, or a waiting connection to make room with. */
static void
listener_update(struct http_conns *hc)
{
	if (hc->listener == NULL)
		return;
	if (hc->paused || (live(hc) >= hc->cap && hc->waiting == NULL))
		evconnlistener_disable(hc->listener);
	else
		evconnlistener_enable(hc->listener);
}

static void
waiting_leave(struct http_conn *conn)
{
	if (!conn->waiting)
		return;
	DL_DELETE(conn->owner->waiting, conn);
	conn->waiting = 0;
}

/* Wait for the next request: the deadline starts, and conn may be evicted. */
static void
deadline_start(struct http_conn *conn)
{
	if (conn->closing)
		return;
	event_add(conn->ev, &conn->owner->request_timeout);
	if (!conn->waiting) {
		DL_APPEND(conn->owner->waiting, conn);
		conn->waiting = 1;
		listener_update(conn->owner);	/* it may make room now */
	}
}

/* Shut the socket down: libevent reads EOF next and frees the connection
 * (conn_closed). */
static void
conn_close(struct http_conn *conn)
{
	if (conn->closing)
		return;
	conn->closing = 1;
	conn->owner->closing++;
	waiting_leave(conn);
	event_del(conn->ev);
	evutil_socket_t s = bufferevent_getfd(conn->bev);
	if (s >= 0)
		shutdown(s, SHUT_RDWR);
}

/* Close up to n of the connections that have waited longest for a request. */
static size_t
evict_waiting(struct http_conns *hc, size_t n, const char *why)
{
	size_t done = 0;
	while (done < n && hc->waiting != NULL) {
		conn_close(hc->waiting);
		done++;
	}
	hc->evicted_since_log += done;
	double now = util_monotonic();
	if (done > 0 && (hc->last_evict_log == 0 || now - hc->last_evict_log >= LOG_INTERVAL)) {
		log_warnx("http: %s: closed %lu connection%s that waited longest for a request "
		    "(since the last report)", why, hc->evicted_since_log,
		    hc->evicted_since_log == 1 ? "" : "s");
		hc->last_evict_log = now;
		hc->evicted_since_log = 0;
	}
	return done;
}

static void
conn_free(struct http_conn *conn)
{
	struct http_conns *hc = conn->owner;
	waiting_leave(conn);
	if (conn->closing)
		hc->closing--;
	event_free(conn->ev);
	HASH_DEL(hc->by_bev, conn);
	hc->open--;
	if (live(hc) < hc->cap)
		hc->at_cap_logged = 0;
	listener_update(hc);
	free(conn);
}

/* evhttp frees the connection: tell a waiting request, then forget it. */
static void
conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn *conn = arg;
	(void)evcon;
	if (conn->pending != NULL)
		http_pending_lost(conn->pending);
	conn_free(conn);
}

/*
 * Runs once right after the accept, before any I/O on the connection (it is
 * made active while evhttp sets the connection up, and active events run
 * before the loop polls again): evhttp has by then made the bufferevent's
 * callback argument its struct evhttp_connection, the one handle that gets
 * a close callback. Later runs are the request deadline.
 */
static void
conn_event(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *conn = arg;
	(void)fd;
	(void)what;
	if (!conn->attached) {
		bufferevent_data_cb rd, wr;
		bufferevent_event_cb ev;
		void *cbarg = NULL;
		bufferevent_getcb(conn->bev, &rd, &wr, &ev, &cbarg);
		struct evhttp_connection *evcon = cbarg;
		if (evcon == NULL || evhttp_connection_get_bufferevent(evcon) != conn->bev) {
			log_warnx("http: cannot track a connection (unexpected libevent)");
			conn_free(conn);
			return;
		}
		evhttp_connection_set_closecb(evcon, conn_closed, conn);
		conn->attached = 1;
		deadline_start(conn);
		return;
	}
	log_debug("http", "closing a connection whose request did not arrive in time");
	conn_close(conn);
}

/* evhttp's bevcb: the bufferevent of each accepted connection. */
static struct bufferevent *
conn_bevcb(struct event_base *base, void *arg)
{
	struct http_conns *hc = arg;
	struct bufferevent *bev;
	if (hc->c->tls_ctx != NULL) {
		SSL *ssl = SSL_new(hc->c->tls_ctx);
		bev = ssl == NULL ? NULL : bufferevent_openssl_socket_new(base, -1, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	} else {
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	struct http_conn *conn = bev == NULL ? NULL : calloc(1, sizeof(*conn));
	if (conn == NULL || (conn->ev = event_new(base, -1, 0, conn_event, conn)) == NULL) {
		free(conn);
		return bev;	/* out of memory: served untracked */
	}
	conn->owner = hc;
	conn->bev = bev;
	HASH_ADD_PTR(hc->by_bev, bev, conn);
	hc->open++;
	event_active(conn->ev, EV_TIMEOUT, 0);
	if (live(hc) > hc->cap)
		evict_waiting(hc, live(hc) - hc->cap, "at http.max_connections");
	if (live(hc) >= hc->cap && !hc->at_cap_logged) {
		hc->at_cap_logged = 1;
		log_warnx("http: %zu connections open (http.max_connections)", live(hc));
	}
	listener_update(hc);
	return bev;
}

static struct http_conn *
conn_of(struct http_conns *hc, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	struct http_conn *conn = NULL;
	if (hc != NULL && bev != NULL)
		HASH_FIND_PTR(hc->by_bev, &bev, conn);
	return conn;
}

static void
reply_sent(struct evhttp_request *req, void *arg)
{
	struct http_conn *conn = arg;
	(void)req;
	deadline_start(conn);	/* the next request on this connection */
}

void
http_conns_request_arrived(struct http_conns *hc, struct evhttp_request *req)
{
	struct http_conn *conn = conn_of(hc, req);
	if (conn == NULL || !conn->attached)
		return;
	event_del(conn->ev);
	waiting_leave(conn);
	evhttp_request_set_on_complete_cb(req, reply_sent, conn);
}

static void
resume_accepting(evutil_socket_t fd, short what, void *arg)
{
	struct http_conns *hc = arg;
	(void)fd;
	(void)what;
	hc->paused = 0;
	listener_update(hc);
}

static void
accept_error(struct evconnlistener *lev, void *arg)
{
	struct http_conns *hc = servers;
	int err = EVUTIL_SOCKET_ERROR();
	while (hc != NULL && hc->http != arg)
		hc = hc->next;
	if (hc == NULL) {
		evconnlistener_disable(lev);	/* cannot happen; never spin */
		return;
	}
	hc->errors_since_log++;
	double now = util_monotonic();
	if (hc->last_log == 0 || now - hc->last_log >= LOG_INTERVAL) {
		errno = err;
		log_warn("http: cannot accept connections (%zu open, %lu failures since the "
		    "last report); pausing new connections", hc->open, hc->errors_since_log);
		hc->last_log = now;
		hc->errors_since_log = 0;
	}
	evict_waiting(hc, EVICT_ON_ERROR, "out of descriptors");
	hc->paused = 1;
	listener_update(hc);
	struct timeval tv = { 0, ACCEPT_PAUSE_MS * 1000 };
	event_add(hc->resume, &tv);
}

/* The connection cap: the configured one, or the descriptor limit less a reserve. */
static size_t
choose_cap(long long configured)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;	/* the soft limit is only a default */
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 1 << 20;
	if (configured > 0) {
		if ((unsigned long long)configured + FD_RESERVE > rl.rlim_cur)
			log_warnx("http: http.max_connections %lld is above what the descriptor "
			    "limit (%llu) leaves; accept() will fail at times", configured,
			    (unsigned long long)rl.rlim_cur);
		return (size_t)configured;
	}
	long long cap = (long long)rl.rlim_cur - FD_RESERVE;
	if (cap > 100000)
		cap = 100000;
	return (size_t)(cap < MIN_AUTO_CAP ? MIN_AUTO_CAP : cap);
}

struct http_conns *
http_conns_new(struct collector *c, struct evhttp *http)
{
	struct http_conns *hc = calloc(1, sizeof(*hc));
	if (hc == NULL)
		return NULL;
	hc->c = c;
	hc->http = http;
	hc->cap = choose_cap(c->cfg.http_max_connections);
	hc->request_timeout.tv_sec = (time_t)c->cfg.http_request_timeout;
	hc->resume = evtimer_new(c->base, resume_accepting, hc);
	if (hc->resume == NULL) {
		free(hc);
		return NULL;
	}
	evhttp_set_bevcb(http, conn_bevcb, hc);
	hc->next = servers;
	servers = hc;
	log_info("http: at most %zu connections; a request must arrive within %llds",
	    hc->cap, c->cfg.http_request_timeout);
	return hc;
}

void
http_conns_listen(struct http_conns *hc, struct evconnlistener *lev)
{
	hc->listener = lev;
	if (lev != NULL)
		evconnlistener_set_error_cb(lev, accept_error);
}

int
http_conns_set_pending(struct evhttp_request *req, struct http_pending *p)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct evhttp *http = evcon ? evhttp_connection_get_server(evcon) : NULL;
	struct http_conns *hc = servers;
	while (hc != NULL && hc->http != http)
		hc = hc->next;
	struct http_conn *conn = conn_of(hc, req);
	if (conn == NULL || !conn->attached)
		return -1;
	conn->pending = p;
	return 0;
}

size_t
http_conns_open(const struct http_conns *hc)
{
	return hc ? hc->open : 0;
}

size_t
http_conns_cap(const struct http_conns *hc)
{
	return hc ? hc->cap : 0;
}

void
http_conns_free(struct http_conns *hc)
{
	if (hc == NULL)
		return;
	for (struct http_conns **p = &servers; *p != NULL; p = &(*p)->next)
		if (*p == hc) {
			*p = hc->next;
			break;
		}
	/* evhttp_free closed every connection (conn_closed); what is left was
	 * accepted but never attached. */
	struct http_conn *conn, *tmp;
	HASH_ITER(hh, hc->by_bev, conn, tmp)
		conn_free(conn);
	event_free(hc->resume);
	free(hc);
}
