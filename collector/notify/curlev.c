/*
 * curlev.c — libcurl multi on libevent (the "hiperfifo" pattern):
 * CURLMOPT_SOCKETFUNCTION keeps one event per socket in step with what curl
 * wants to wait for, CURLMOPT_TIMERFUNCTION one timer; both call
 * curl_multi_socket_action, and finished transfers are collected after it.
 */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/curlev.h"
#include "common/log.h"

struct curlev {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	struct xfer *xfers;		/* running, for curlev_free */
	size_t running;
};

struct xfer {
	struct curlev *cv;
	CURL *easy;
	curlev_done_fn done;
	void *arg;
	char answer[CURLEV_KEEP_ANSWER + 1];
	size_t kept, total;
	char error[CURL_ERROR_SIZE];
	struct xfer *prev, *next;
};

struct sock {
	struct event *ev;
};

static void check_done(struct curlev *cv);

static size_t
on_write(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	if (x->total + len > CURLEV_MAX_ANSWER)
		return 0;	/* CURLE_WRITE_ERROR: nobody needs a 10 MB answer */
	size_t room = CURLEV_KEEP_ANSWER - x->kept, k = len < room ? len : room;
	memcpy(x->answer + x->kept, data, k);
	x->kept += k;
	x->total += len;
	return len;
}

static void
on_socket_event(evutil_socket_t fd, short what, void *arg)
{
	struct curlev *cv = arg;
	int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
	int still;
	curl_multi_socket_action(cv->multi, fd, flags, &still);
	check_done(cv);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct curlev *cv = arg;
	int still;
	(void)fd;
	(void)what;
	curl_multi_socket_action(cv->multi, CURL_SOCKET_TIMEOUT, 0, &still);
	check_done(cv);
}

static int
socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct curlev *cv = userp;
	struct sock *sk = socketp;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			event_free(sk->ev);
			free(sk);
			curl_multi_assign(cv->multi, s, NULL);
		}
		return 0;
	}
	short kind = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0);
	if (sk == NULL) {
		if ((sk = calloc(1, sizeof(*sk))) == NULL)
			return -1;
		curl_multi_assign(cv->multi, s, sk);
	} else {
		event_free(sk->ev);
	}
	sk->ev = event_new(cv->base, s, kind, on_socket_event, cv);
	if (sk->ev == NULL)
		return -1;
	event_add(sk->ev, NULL);
	return 0;
}

static int
timer_cb(CURLM *multi, long ms, void *userp)
{
	struct curlev *cv = userp;
	(void)multi;
	if (ms < 0) {
		evtimer_del(cv->timer);
		return 0;
	}
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evtimer_add(cv->timer, &tv);
	return 0;
}

static void
unlink_xfer(struct curlev *cv, struct xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		cv->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	cv->running--;
}

static void
check_done(struct curlev *cv)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(cv->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		CURL *easy = m->easy_handle;
		CURLcode rc = m->data.result;
		struct xfer *x = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(cv->multi, easy);
		if (x == NULL)
			continue;
		unlink_xfer(cv, x);
		struct curlev_result res = { .rc = rc, .answer = x->answer,
			.answer_len = x->total, .error = x->error };
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &res.code);
		x->answer[x->kept] = '\0';
		if (rc != CURLE_OK && x->error[0] == '\0')
			snprintf(x->error, sizeof(x->error), "%s", curl_easy_strerror(rc));
		if (rc == CURLE_WRITE_ERROR && x->total > 0)
			snprintf(x->error, sizeof(x->error), "answer longer than %d bytes: cut off",
			    CURLEV_MAX_ANSWER);
		x->done(x->arg, &res);
		free(x);
	}
}

struct curlev *
curlev_new(struct event_base *base)
{
	struct curlev *cv = calloc(1, sizeof(*cv));
	if (cv == NULL)
		return NULL;
	cv->base = base;
	cv->multi = curl_multi_init();
	cv->timer = evtimer_new(base, on_timer, cv);
	if (cv->multi == NULL || cv->timer == NULL) {
		curlev_free(cv);
		return NULL;
	}
	curl_multi_setopt(cv->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(cv->multi, CURLMOPT_SOCKETDATA, cv);
	curl_multi_setopt(cv->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(cv->multi, CURLMOPT_TIMERDATA, cv);
	return cv;
}

int
curlev_add(struct curlev *cv, CURL *easy, curlev_done_fn done, void *arg)
{
	struct xfer *x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -1;
	x->cv = cv;
	x->easy = easy;
	x->done = done;
	x->arg = arg;
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	if (curl_multi_add_handle(cv->multi, easy) != CURLM_OK) {
		free(x);
		return -1;
	}
	x->next = cv->xfers;
	if (cv->xfers)
		cv->xfers->prev = x;
	cv->xfers = x;
	cv->running++;
	return 0;
}

size_t
curlev_running(const struct curlev *cv)
{
	return cv->running;
}

void
curlev_free(struct curlev *cv)
{
	if (cv == NULL)
		return;
	while (cv->xfers != NULL) {
		struct xfer *x = cv->xfers;
		unlink_xfer(cv, x);
		curl_multi_remove_handle(cv->multi, x->easy);
		x->answer[x->kept] = '\0';
		struct curlev_result res = { .rc = CURLE_ABORTED_BY_CALLBACK, .answer = x->answer,
			.error = "stopped" };
		x->done(x->arg, &res);
		free(x);
	}
	if (cv->multi)
		curl_multi_cleanup(cv->multi);
	if (cv->timer)
		event_free(cv->timer);
	free(cv);
}
