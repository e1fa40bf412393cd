/*
 * curlev.h — libcurl's multi interface driven by a libevent loop: one
 * event per socket curl names, one timer for curl's timeout. Transfers
 * never block the loop; their answers are cut at CURLEV_MAX_ANSWER.
 */
#ifndef CAMPUSMON_NOTIFY_CURLEV_H
#define CAMPUSMON_NOTIFY_CURLEV_H

#include <curl/curl.h>
#include <stddef.h>

struct event_base;
struct curlev;

#define CURLEV_KEEP_ANSWER 4096			/* bytes kept for the caller */
#define CURLEV_MAX_ANSWER (10 * 1024 * 1024)	/* a longer answer ends the transfer */

struct curlev_result {
	CURLcode rc;
	long code;			/* HTTP status or last SMTP reply code; 0 none */
	const char *answer;		/* the first CURLEV_KEEP_ANSWER bytes, NUL-terminated */
	size_t answer_len;		/* bytes received in all */
	const char *error;		/* curl's words when rc != CURLE_OK */
};
typedef void (*curlev_done_fn)(void *arg, const struct curlev_result *res);

struct curlev *curlev_new(struct event_base *base);
/* Start easy (options set by the caller, which must not set WRITEFUNCTION);
 * done(arg, …) runs on the loop when it ends, after which the caller owns
 * easy again and cleans it up. 0, or -1 (done is not called). */
int curlev_add(struct curlev *cv, CURL *easy, curlev_done_fn done, void *arg);
size_t curlev_running(const struct curlev *cv);
/* Abort what runs (done gets CURLE_ABORTED_BY_CALLBACK) and free. */
void curlev_free(struct curlev *cv);

#endif
