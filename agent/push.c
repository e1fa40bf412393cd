/*
 * push.c — send batches to the collector: POST {url}/api/v1/write?precision=ns
 * with a bearer token, gzip body and X-Campusmon-Interval, one request at a
 * time through libcurl's multi interface (driven from the agent's loop; one
 * easy handle reused, so the connection is kept alive).
 *
 * Order: the spool is always drained oldest first and before any newer
 * batch (an RRD series cannot take a sample older than its last one). A new
 * batch goes straight out only when the spool is empty and nothing is in
 * flight; otherwise it is appended to the spool.
 *
 * Answers: 2xx → delete; 400/422 → set aside (spool/rejected/), logged with
 * the collector's message; 413 → split in two, both queued in front; 401,
 * 403, 404, 405 → keep spooling, loud rate-limited error (an admin must fix
 * the token or URL); anything else (5xx, 408, 429, network) → keep, retry
 * with exponential backoff and jitter (503's Retry-After is honoured).
 */
#include "agent/agent.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "config.h"

#define RESP_MAX 1024
#define LOUD_EVERY_MS (5 * 60 * 1000)
#define RETRY_AFTER_MAX 600

struct pusher {
	const struct agent_config *cfg;
	struct spool *spool;
	struct agent_stats *stats;
	CURLM *multi;
	CURL *easy;
	struct curl_slist *headers;
	int inflight;
	struct batch cur;		/* in flight; cur.seq != 0: also on disk */
	long long next_attempt_ms;	/* monotonic */
	int failures;
	unsigned seed;
	char resp[RESP_MAX];
	size_t resp_len;
	char errbuf[CURL_ERROR_SIZE];
	long long last_loud_ms;
	int loud_active;
};

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum push_verdict
push_classify(int curl_ok, long status)
{
	if (!curl_ok)
		return PUSH_RETRY;
	if (status >= 200 && status < 300)
		return PUSH_ACK;
	switch (status) {
	case 400:
	case 422:
		return PUSH_REJECT;
	case 413:
		return PUSH_SPLIT;
	case 401:
	case 403:
	case 404:
	case 405:
		return PUSH_AUTH;
	default:
		return PUSH_RETRY;
	}
}

static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
}

void
push_error_text(const char *body, size_t len, char *out, size_t outlen)
{
	json_error_t jerr;
	json_t *root = len > 0 ? json_loadb(body, len, 0, &jerr) : NULL;
	const char *msg = root != NULL ? json_string_value(json_object_get(root, "error")) : NULL;

	if (msg != NULL) {
		snprintf(out, outlen, "%s", msg);
	} else {
		size_t n = len < outlen - 1 ? len : outlen - 1;
		memcpy(out, body, n);
		out[n] = '\0';
		if (n == 0)
			snprintf(out, outlen, "(no message)");
	}
	json_decref(root);
	sanitize(out);
}

double
push_backoff(int failures, double cap_s, unsigned *seed)
{
	double d = 1;
	for (int i = 1; i < failures && d < cap_s; i++)
		d *= 2;
	if (d > cap_s)
		d = cap_s;
	double r = (double)rand_r(seed) / (double)RAND_MAX;
	return d / 2 + r * d / 2;	/* jitter: spread retries of many agents */
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct pusher *p = arg;
	size_t n = size * nmemb, room = RESP_MAX - 1 - p->resp_len;
	memcpy(p->resp + p->resp_len, data, n < room ? n : room);
	p->resp_len += n < room ? n : room;
	p->resp[p->resp_len] = '\0';
	return n;
}

struct pusher *
pusher_new(const struct agent_config *cfg, struct spool *spool, struct agent_stats *stats)
{
	struct pusher *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->cfg = cfg;
	p->spool = spool;
	p->stats = stats;
	p->seed = (unsigned)time(NULL) ^ (unsigned)now_ms();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (p->multi = curl_multi_init()) == NULL || (p->easy = curl_easy_init()) == NULL) {
		pusher_free(p);
		return NULL;
	}
	return p;
}

void
pusher_free(struct pusher *p)
{
	if (p == NULL)
		return;
	if (p->inflight)
		curl_multi_remove_handle(p->multi, p->easy);
	batch_clear(&p->cur);
	curl_slist_free_all(p->headers);
	if (p->easy != NULL)
		curl_easy_cleanup(p->easy);
	if (p->multi != NULL)
		curl_multi_cleanup(p->multi);
	curl_global_cleanup();
	free(p);
}

void
pusher_reconfigure(struct pusher *p, const struct agent_config *cfg)
{
	p->cfg = cfg;
	p->failures = 0;
	p->next_attempt_ms = 0;
	p->loud_active = 0;
}

static int
start(struct pusher *p)
{
	const struct agent_config *cfg = p->cfg;
	char url[2100], line[600];
	size_t ulen = strlen(cfg->url);

	while (ulen > 0 && cfg->url[ulen - 1] == '/')
		ulen--;
	snprintf(url, sizeof(url), "%.*s/api/v1/write?precision=ns", (int)ulen, cfg->url);
	curl_slist_free_all(p->headers);
	p->headers = NULL;
	if (cfg->token != NULL && cfg->token[0] != '\0') {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", cfg->token);
		p->headers = curl_slist_append(p->headers, line);
	}
	snprintf(line, sizeof(line), "X-Campusmon-Interval: %d", p->cur.interval);
	p->headers = curl_slist_append(p->headers, line);
	p->headers = curl_slist_append(p->headers, "Content-Encoding: gzip");
	p->headers = curl_slist_append(p->headers, "Content-Type: text/plain; charset=utf-8");
	p->headers = curl_slist_append(p->headers, "Expect:");	/* no 100-continue wait */
	if (p->headers == NULL)
		return -1;

	CURL *e = p->easy;
	curl_easy_reset(e);	/* keeps the live connection */
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, p->cur.body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->cur.len);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)cfg->timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)cfg->connect_timeout);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "campusmon-agent/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	/* Proxies only when configured: the environment's http_proxy is ignored. */
	curl_easy_setopt(e, CURLOPT_PROXY, cfg->proxy != NULL ? cfg->proxy : "");
	if (cfg->ca_file != NULL && cfg->ca_file[0] != '\0') {
		curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);	/* exactly this CA */
	} else if (cfg->ca_path != NULL && cfg->ca_path[0] != '\0') {
		/* Not the bundle: a hashed directory loads only the issuer needed. */
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(e, CURLOPT_CAPATH, cfg->ca_path);
	}
	if (cfg->client_cert != NULL && cfg->client_cert[0] != '\0')
		curl_easy_setopt(e, CURLOPT_SSLCERT, cfg->client_cert);
	if (cfg->client_key != NULL && cfg->client_key[0] != '\0')
		curl_easy_setopt(e, CURLOPT_SSLKEY, cfg->client_key);
	p->resp_len = 0;
	p->resp[0] = '\0';
	p->errbuf[0] = '\0';
	if (curl_multi_add_handle(p->multi, e) != CURLM_OK)
		return -1;
	p->inflight = 1;
	p->stats->sent++;
	log_debug("push", "POST %zu bytes (%zu lines, batch %llu)", p->cur.len, p->cur.lines,
	    (unsigned long long)p->cur.seq);
	return 0;
}

/* Start the next request if one is due: the spool's oldest batch first. */
static void
kick(struct pusher *p)
{
	if (p->inflight || now_ms() < p->next_attempt_ms || p->cfg->url == NULL ||
	    p->cfg->url[0] == '\0')
		return;
	if (p->cur.body == NULL) {
		int rc = spool_peek(p->spool, &p->cur);
		if (rc <= 0)
			return;
		p->spool->pinned = p->cur.seq;
	}
	if (start(p) < 0) {
		log_warnx("push: cannot set up a request (out of memory?)");
		p->next_attempt_ms = now_ms() + 1000;
	}
}

static void
keep_on_disk(struct pusher *p)
{
	if (p->cur.seq == 0) {
		if (spool_put(p->spool, &p->cur, 1) == 0)
			p->stats->spooled++;
	}
	p->spool->pinned = 0;
	batch_clear(&p->cur);
}

static void
loud(struct pusher *p, const char *fmt, long status, const char *detail)
{
	long long now = now_ms();
	if (p->loud_active && now - p->last_loud_ms < LOUD_EVERY_MS)
		return;
	p->loud_active = 1;
	p->last_loud_ms = now;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	log_warnx(fmt, status, detail, p->spool->count + 1);
#pragma GCC diagnostic pop
}

static void
finish(struct pusher *p, CURLcode res)
{
	long status = 0;
	curl_off_t retry_after = 0;
	char msg[512];

	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(p->easy, CURLINFO_RETRY_AFTER, &retry_after);
	curl_multi_remove_handle(p->multi, p->easy);
	p->inflight = 0;

	enum push_verdict v = push_classify(res == CURLE_OK, status);
	if (v == PUSH_SPLIT) {
		struct batch a, b;
		if (p->cur.lines > 1 && batch_split(&p->cur, &a, &b) == 0) {
			log_info("collector answered 413 for %zu lines: splitting the batch",
			    p->cur.lines);
			/* b then a in front: a is sent first. */
			if (spool_put(p->spool, &b, 1) == 0 && spool_put(p->spool, &a, 1) == 0) {
				if (p->cur.seq != 0)
					spool_remove(p->spool, p->cur.seq);
				p->stats->split++;
			} else {
				keep_on_disk(p);	/* try again whole, later */
			}
			batch_clear(&a);
			batch_clear(&b);
			p->spool->pinned = 0;
			batch_clear(&p->cur);
			return;
		}
		v = PUSH_REJECT;
		snprintf(p->resp, sizeof(p->resp), "a single line is larger than the collector "
		    "accepts (HTTP 413)");
		p->resp_len = strlen(p->resp);
	}
	switch (v) {
	case PUSH_ACK:
		p->stats->acked++;
		if (p->cur.seq != 0)
			spool_remove(p->spool, p->cur.seq);
		if (p->failures > 0 || p->loud_active)
			log_info("collector accepts batches again (%zu still spooled)",
			    p->spool->count);
		p->failures = 0;
		p->loud_active = 0;
		p->next_attempt_ms = 0;
		p->spool->pinned = 0;
		batch_clear(&p->cur);
		break;
	case PUSH_REJECT:
		push_error_text(p->resp, p->resp_len, msg, sizeof(msg));
		log_warnx("collector refused a batch of %zu lines (HTTP %ld): %s — set aside, "
		    "not retried", p->cur.lines, status, msg);
		if (p->cur.seq == 0 && spool_put(p->spool, &p->cur, 1) == 0)
			p->cur.seq = p->spool->head;
		if (p->cur.seq != 0)
			spool_reject(p->spool, p->cur.seq, msg);
		p->stats->rejected++;
		p->failures = 0;
		p->spool->pinned = 0;
		batch_clear(&p->cur);
		break;
	case PUSH_AUTH:
		push_error_text(p->resp, p->resp_len, msg, sizeof(msg));
		loud(p, status == 401 || status == 403 ?
		    "collector refuses the agent's token (HTTP %ld: %s): fix collector.token; "
		    "%zu batches are kept in the spool meanwhile" :
		    "collector has no write API at this URL (HTTP %ld: %s): fix collector.url; "
		    "%zu batches are kept in the spool meanwhile", status, msg);
		/* FALLTHROUGH */
	case PUSH_RETRY:
	default: {
		p->failures++;
		p->stats->failures++;
		double delay = push_backoff(p->failures, (double)p->cfg->retry_max, &p->seed);
		if (retry_after > 0)
			delay = retry_after < RETRY_AFTER_MAX ? (double)retry_after : RETRY_AFTER_MAX;
		if (v == PUSH_RETRY) {
			const char *why = res != CURLE_OK ?
			    (p->errbuf[0] ? p->errbuf : curl_easy_strerror(res)) : NULL;
			if (why == NULL) {
				int n = snprintf(msg, sizeof(msg), "HTTP %ld: ", status);
				push_error_text(p->resp, p->resp_len, msg + n, sizeof(msg) - (size_t)n);
				why = msg;
			}
			if (p->failures == 1)
				log_warnx("collector unavailable (%s): spooling, retrying in %.1f s",
				    why, delay);
			else
				log_debug("push", "retry %d failed (%s), next in %.1f s",
				    p->failures, why, delay);
		}
		p->next_attempt_ms = now_ms() + (long long)(delay * 1000);
		keep_on_disk(p);
		break;
	}
	}
}

void
pusher_enqueue(struct pusher *p, struct batch *b)
{
	p->stats->created++;
	if (!p->inflight && p->cur.body == NULL && p->spool->count == 0 &&
	    now_ms() >= p->next_attempt_ms && p->cfg->url != NULL && p->cfg->url[0] != '\0') {
		p->cur = *b;
		p->cur.seq = 0;
		memset(b, 0, sizeof(*b));
		if (start(p) == 0)
			return;
		*b = p->cur;
		memset(&p->cur, 0, sizeof(p->cur));
	}
	if (spool_put(p->spool, b, 0) == 0)
		p->stats->spooled++;
	batch_clear(b);
}

int
pusher_poll(struct pusher *p, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms)
{
	int running = 0, left;
	CURLMsg *msg;

	kick(p);
	if (curl_multi_poll(p->multi, extra, n_extra, timeout_ms, NULL) != CURLM_OK)
		return -1;
	curl_multi_perform(p->multi, &running);
	while ((msg = curl_multi_info_read(p->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == p->easy)
			finish(p, msg->data.result);
	kick(p);
	return 0;
}

long
pusher_next_ms(const struct pusher *p)
{
	if (p->inflight || (p->spool->count == 0 && p->cur.body == NULL))
		return -1;
	long long d = p->next_attempt_ms - now_ms();
	return d < 0 ? 0 : (long)d;
}

void
pusher_wakeup(struct pusher *p)
{
	curl_multi_wakeup(p->multi);
}

void
pusher_flush_to_spool(struct pusher *p)
{
	if (p->inflight) {
		curl_multi_remove_handle(p->multi, p->easy);
		p->inflight = 0;
	}
	if (p->cur.body != NULL)
		keep_on_disk(p);
}

int
pusher_idle(const struct pusher *p)
{
	return !p->inflight;
}
