/*
 * ingest.c — POST /api/v1/write (and InfluxDB's /write, /api/v2/write).
 *
 * A body is decompressed (bounded while inflating), split into lines and
 * parsed on the loop; each valid line's fields become samples of series
 * (created on first sight), collected into one batch. The batch goes to
 * the journal and the client gets its answer only once the journal says
 * the batch is on disk: 204, or 400 naming the first bad line when some
 * lines were refused (the valid ones are kept all the same).
 */
#include "collector/collector.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "common/log.h"
#include "common/util.h"

struct ingest_req {
	struct collector *c;
	struct http_pending *pending;
	char first_error[600];
	size_t lines_rejected;
};

int
ingest_gunzip(const unsigned char *src, size_t len, size_t max, unsigned char **out,
    size_t *outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return -2;
	size_t cap = len * 4 < 65536 ? 65536 : len * 4;
	if (cap > max + 1)
		cap = max + 1;
	unsigned char *buf = malloc(cap);
	int rc = Z_OK;
	zs.next_in = (unsigned char *)src;
	zs.avail_in = (uInt)len;
	while (buf != NULL) {
		if (zs.total_out == cap) {
			if (cap > max) {
				rc = -1;
				break;
			}
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			unsigned char *g = realloc(buf, ncap);
			if (g == NULL)
				break;
			buf = g;
			cap = ncap;
		}
		zs.next_out = buf + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0)) {
			rc = -2;
			break;
		}
		if (zs.total_out > max) {
			rc = -1;
			break;
		}
	}
	size_t total = zs.total_out;
	inflateEnd(&zs);
	if (buf == NULL)
		return -2;
	if (rc != Z_STREAM_END || total > max) {
		free(buf);
		return rc == -1 || total > max ? -1 : -2;
	}
	*out = buf;
	*outlen = total;
	return 0;
}

static void
line_error(struct ingest_req *ir, size_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
line_error(struct ingest_req *ir, size_t lineno, const char *fmt, ...)
{
	if (ir->lines_rejected++ == 0) {
		char why[480];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		snprintf(ir->first_error, sizeof(ir->first_error), "line %zu: %s", lineno, why);
	}
}

static void
ingest_reply(struct evhttp_request *req, struct ingest_req *ir, size_t accepted)
{
	if (ir->lines_rejected == 0) {
		http_reply_json(req, 204, NULL);
		return;
	}
	http_reply_json(req, 400, json_pack("{s:s, s:I, s:I}", "error", ir->first_error,
	    "rejected_lines", (json_int_t)ir->lines_rejected,
	    "accepted_samples", (json_int_t)accepted));
}

static void
ingest_durable(struct batch *b, int ok, void *arg)
{
	struct ingest_req *ir = arg;
	struct collector *c = ir->c;
	struct evhttp_request *req = http_pending_take(ir->pending);
	size_t n = b->n_samples + b->n_texts;

	if (ok) {
		c->metrics.samples_accepted += n;
		store_submit(c->store, b);
		if (req != NULL)
			ingest_reply(req, ir, n);
	} else {
		c->metrics.samples_rejected += n;
		batch_free(b);
		log_warnx("ingest: journal write failed; %zu samples refused with 503", n);
		if (req != NULL) {
			evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "10");
			http_reply_error(req, 503, "cannot make samples durable (journal write "
			    "failed); retry later");
		}
	}
	free(ir);
}

static const struct lp_str *
point_host(const struct lp_point *pt)
{
	for (size_t i = 0; i < pt->n_tags; i++)
		if (pt->tags[i].key.len == 4 && memcmp(pt->tags[i].key.p, "host", 4) == 0)
			return &pt->tags[i].value;
	return NULL;
}

static double
field_number(const struct lp_field *f)
{
	switch (f->type) {
	case LP_FLOAT: return f->v.f;
	case LP_INT: return (double)f->v.i;
	case LP_UINT: return (double)f->v.u;
	case LP_BOOL: return f->v.b ? 1.0 : 0.0;
	default: return NAN;
	}
}

struct series *
ingest_resolve(struct collector *c, struct batch *b, const char *key, size_t klen,
    const char *host, uint32_t step, enum series_kind kind, double ts)
{
	struct series *s = series_find(c->series, key, klen);
	if (s != NULL)
		return s;
	s = series_add(c->series, 0, key, klen, host, step, kind);
	if (s == NULL || batch_add_def(b, s, host, ts) < 0)
		return NULL;
	c->metrics.series_created++;
	return s;
}

int
ingest_put(struct collector *c, struct batch *b, const char *key, size_t klen,
    const char *host, uint32_t step, double ts, double value)
{
	struct series *s = ingest_resolve(c, b, key, klen, host, step, SERIES_NUMBER, ts);
	return s == NULL ? -2 : ingest_put_series(c, b, s, ts, value);
}

int
ingest_put_series(struct collector *c, struct batch *b, struct series *s, double ts,
    double value)
{
	if (ts <= s->last_ts) {
		/* RRD cannot take it: counted in /metrics, not silently lost. */
		c->metrics.samples_out_of_order++;
		return -1;
	}
	s->last_ts = ts;
	s->last = value;
	return batch_add_sample(b, s->id, ts, value) < 0 ? -2 : 0;
}

/* Scratch space for one request: canonical keys and the host name. */
struct ingest_scratch {
	char *key;
	size_t key_cap;
	char host[1024];
	struct series *found[LP_DEFAULT_MAX_FIELDS];	/* first pass's lookups, per field */
	unsigned char counter[LP_DEFAULT_MAX_FIELDS];	/* field is in ingest.counters */
	char *fname;			/* FIELD_ps of a counter */
};

/* The series key of field i: FIELD_ps for a counter (ingest.counters), whose
 * rate is stored instead of the raw reading. Returns the key's length. */
static size_t
field_key(struct ingest_scratch *sc, const struct lp_point *pt, size_t i)
{
	struct lp_str name = pt->fields[i].key;
	if (sc->counter[i]) {
		memcpy(sc->fname, name.p, name.len);
		memcpy(sc->fname + name.len, "_ps", 3);
		name.p = sc->fname;
		name.len += 3;
	}
	return series_key_build(sc->key, sc->key_cap, &pt->measurement, pt->tags, pt->n_tags,
	    &name);
}

/*
 * Check a whole point first (so a line is taken entirely or not at all),
 * then turn each field into a sample. Returns 0, or -1 with the line
 * recorded as refused.
 */
static int
ingest_point(struct collector *c, struct ingest_req *ir, const struct auth_identity *who,
    const struct lp_point *pt, size_t lineno, uint32_t step, double now,
    struct batch *b, struct ingest_scratch *sc)
{
	const struct lp_str *h = point_host(pt);
	size_t hlen = h ? h->len : 0;
	if (hlen >= sizeof(sc->host)) {
		line_error(ir, lineno, "host tag longer than %zu bytes", sizeof(sc->host) - 1);
		return -1;
	}
	memcpy(sc->host, h ? h->p : "", hlen);
	sc->host[hlen] = '\0';
	if (memchr(sc->host, '\0', hlen) != NULL) {
		line_error(ir, lineno, "NUL byte in host tag");
		return -1;
	}
	if (who->host != NULL && strcmp(who->host, sc->host) != 0) {
		line_error(ir, lineno, "token '%s' may only write host '%s'", who->name, who->host);
		return -1;
	}
	double ts = pt->has_time ? (double)pt->time_ns / 1e9 : now;
	if (ts > now + (double)c->cfg.max_future) {
		line_error(ir, lineno, "timestamp %.0f is more than %llds in the future "
		    "(check the sender's clock and the precision parameter)", ts,
		    c->cfg.max_future);
		return -1;
	}
	if (ts < 86400) {
		line_error(ir, lineno, "timestamp %.0f is before 1970-01-02 (check the "
		    "precision parameter)", ts);
		return -1;
	}
	size_t new_series = 0;
	int has_counters = counters_measurement(c->counters, &pt->measurement);
	for (size_t i = 0; i < pt->n_fields; i++) {
		const struct lp_field *f = &pt->fields[i];
		sc->counter[i] = has_counters && f->type != LP_STRING &&
		    counters_match(c->counters, &pt->measurement, &f->key);
		size_t klen = field_key(sc, pt, i);
		if (klen >= sc->key_cap) {
			line_error(ir, lineno, "series key too long");
			return -1;
		}
		if (memchr(sc->key, '\0', klen) != NULL) {
			line_error(ir, lineno, "NUL byte in a name or tag");
			return -1;
		}
		struct series *s = series_find(c->series, sc->key, klen);
		int is_text = f->type == LP_STRING;
		sc->found[i] = s;
		if (s == NULL) {
			new_series++;
		} else if ((s->kind == SERIES_TEXT) != is_text) {
			line_error(ir, lineno, "field \"%.*s\" was %s before and is %s now",
			    (int)(f->key.len > 64 ? 64 : f->key.len), f->key.p,
			    is_text ? "a number" : "a string", is_text ? "a string" : "a number");
			return -1;
		}
	}
	if (new_series > 0 && series_host_count(c->series, sc->host) + new_series >
	    (size_t)c->cfg.max_series_per_host) {
		line_error(ir, lineno, "host '%s' has reached ingest.max_series_per_host (%lld)",
		    sc->host, c->cfg.max_series_per_host);
		return -1;
	}
	int seen = 0;
	for (size_t i = 0; i < pt->n_fields; i++) {
		const struct lp_field *f = &pt->fields[i];
		struct series *s = sc->found[i];
		double value = field_number(f);
		if (sc->counter[i]) {
			size_t klen = field_key(sc, pt, i);
			int rc = counters_rate(c->counters, sc->key, klen, ts, f, &value);
			if (rc == -1)
				line_error(ir, lineno, "field \"%.*s\" is a counter (ingest.counters) "
				    "but its value is not a whole number >= 0",
				    (int)(f->key.len > 64 ? 64 : f->key.len), f->key.p);
			else if (rc == -2)
				line_error(ir, lineno, "out of memory for counter state");
			if (rc != 1)
				continue;	/* no rate yet: the series waits for one */
		}
		if (s == NULL) {
			size_t klen = field_key(sc, pt, i);
			s = ingest_resolve(c, b, sc->key, klen, sc->host, step,
			    f->type == LP_STRING ? SERIES_TEXT : SERIES_NUMBER, ts);
		}
		if (s != NULL && !seen) {
			series_host_written(c->series, s->host_id, now);	/* /metrics freshness */
			seen = 1;
		}
		if (s != NULL && f->type != LP_STRING) {
			if (ingest_put_series(c, b, s, ts, value) == -2)
				line_error(ir, lineno, "out of memory");
			continue;
		}
		if (s == NULL) {
			line_error(ir, lineno, "out of memory");
			return -1;
		}
		if (ts <= s->last_ts) {
			c->metrics.samples_out_of_order++;
			continue;
		}
		char *text = strndup(f->v.s.p, f->v.s.len);
		if (text == NULL)
			continue;
		s->last_ts = ts;
		free(s->text);
		s->text = text;
		batch_add_text(b, s->id, ts, text);
	}
	return 0;
}

static int
parse_step(struct collector *c, struct evhttp_request *req, uint32_t *step)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Campusmon-Interval");
	char *q = h ? NULL : http_query_param(req, "interval");
	const char *text = h ? h : q;
	*step = (uint32_t)c->cfg.default_interval;
	if (text == NULL)
		return 0;
	long long v;
	int rc = cfg_parse_duration(text, &v);
	free(q);
	if (rc < 0 || v < 1 || v > 86400)
		return -1;
	*step = (uint32_t)v;
	return 0;
}

void
ingest_write(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	c->metrics.requests_write++;

	enum lp_precision prec = LP_PREC_NS;
	char *ptext = http_query_param(req, "precision");
	int bad_prec = ptext != NULL && lp_precision_parse(ptext, &prec) < 0;
	free(ptext);
	if (bad_prec) {
		http_reply_error(req, 400, "precision must be one of ns, us, ms, s, m, h");
		return;
	}
	uint32_t step;
	if (parse_step(c, req, &step) < 0) {
		http_reply_error(req, 400, "interval must be a number of seconds from 1 to 86400");
		return;
	}
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *body = (const char *)evbuffer_pullup(in, -1);
	unsigned char *inflated = NULL;
	const char *enc = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Encoding");
	if (enc != NULL && strcasecmp(enc, "gzip") == 0) {
		size_t ilen;
		int rc = ingest_gunzip((const unsigned char *)body, len, (size_t)c->cfg.max_body,
		    &inflated, &ilen);
		if (rc == -1) {
			http_reply_error(req, 413, "body is larger than %lld bytes once decompressed "
			    "(ingest.max_body)", c->cfg.max_body);
			return;
		}
		if (rc < 0) {
			http_reply_error(req, 400, "body is not valid gzip");
			return;
		}
		body = (const char *)inflated;
		len = ilen;
	} else if (enc != NULL && strcasecmp(enc, "identity") != 0) {
		http_reply_error(req, 415, "unsupported Content-Encoding '%s' (use gzip)", enc);
		return;
	}

	size_t n_lines = 0;
	for (const char *p = body, *end = body + len; p < end; n_lines++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	if (n_lines > (size_t)c->cfg.max_lines) {
		free(inflated);
		http_reply_error(req, 413, "%zu lines in one request; at most %lld "
		    "(ingest.max_lines)", n_lines, c->cfg.max_lines);
		return;
	}

	/* Each line holds at least one sample: refuse what cannot fit now. */
	if (!store_has_room(c->store, n_lines)) {
		free(inflated);
		c->metrics.requests_refused_busy++;
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "5");
		http_reply_error(req, 503, "write queue is full (%zu samples waiting for disk); "
		    "retry later", store_queue_depth(c->store));
		return;
	}

	struct ingest_req *ir = calloc(1, sizeof(*ir));
	struct batch *b = batch_new();
	struct ingest_scratch sc;
	sc.key_cap = (size_t)c->cfg.max_line * 2 + 64;
	sc.key = malloc(sc.key_cap);
	sc.fname = malloc((size_t)c->cfg.max_line + 4);
	if (ir == NULL || b == NULL || sc.key == NULL || sc.fname == NULL) {
		free(ir);
		batch_free(b);
		free(sc.key);
		free(sc.fname);
		free(inflated);
		http_reply_error(req, 503, "out of memory");
		return;
	}
	ir->c = c;
	double now = util_now();
	size_t pos = 0, lineno = 0;
	const char *line;
	size_t llen;
	while (lp_next_line(body, len, &pos, &line, &llen)) {
		struct lp_point pt;
		const char *err;
		lineno++;
		if (llen > (size_t)c->cfg.max_line) {
			line_error(ir, lineno, "line is longer than %lld bytes "
			    "(ingest.max_line_length)", c->cfg.max_line);
			continue;
		}
		int rc = lp_parse_line(c->lp, line, llen, prec, &pt, &err);
		if (rc < 0)
			line_error(ir, lineno, "%s", err);
		else if (rc > 0)
			ingest_point(c, ir, who, &pt, lineno, step, now, b, &sc);
	}
	free(sc.key);
	free(sc.fname);
	free(inflated);
	c->metrics.lines_rejected += ir->lines_rejected;

	if (b->n_samples == 0 && b->n_texts == 0 && b->n_defs == 0) {
		ingest_reply(req, ir, 0);
		batch_free(b);
		free(ir);
		return;
	}
	ir->pending = http_pending_new(req);
	if (ir->pending == NULL)
		abort();
	b->on_durable = ingest_durable;
	b->arg = ir;
	journal_append(c->journal, b);
}

void
ingest_replay_batch(struct batch *b, void *arg)
{
	struct collector *c = arg;
	for (size_t i = 0; i < b->n_defs; i++) {
		const struct series_def *d = &b->defs[i];
		if (series_by_id(c->series, d->id) == NULL)
			series_add(c->series, d->id, d->key, strlen(d->key), d->host, d->step,
			    d->kind);
	}
	size_t kept = 0;
	for (size_t i = 0; i < b->n_samples; i++) {
		struct sample *smp = &b->samples[i];
		struct series *s = series_by_id(c->series, smp->series_id);
		if (s == NULL || smp->ts <= s->last_ts)
			continue;	/* already in its RRD file */
		s->last_ts = smp->ts;
		s->last = smp->value;
		b->samples[kept++] = *smp;
	}
	c->metrics.samples_replayed += kept;
	b->n_samples = kept;
	for (size_t i = 0; i < b->n_texts; i++) {
		struct series *s = series_by_id(c->series, b->texts[i].series_id);
		if (s != NULL && b->texts[i].ts >= s->last_ts) {
			s->last_ts = b->texts[i].ts;
			free(s->text);
			s->text = strdup(b->texts[i].text);
		}
	}
	store_submit(c->store, b);
}
