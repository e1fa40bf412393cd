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
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"

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

#define INGEST_NAMED_DROPS 16
#define INGEST_PREFETCH 8	/* series fetched ahead when a batch settles */

struct ingest_req {
	struct collector *c;
	struct http_pending *pending;
	char first_error[600];
	size_t lines_rejected;		/* lines that are not valid to store */
	/* Valid lines that cannot be stored (older than their series' last
	 * sample, too far in the future): InfluxDB's "partial write". */
	char drop_error[600];
	size_t lines_dropped;
	uint32_t drop_lines[INGEST_NAMED_DROPS];	/* the first ones, named */
	long long max_future;		/* seconds, by the writer's kind */
	int unbound_agent;		/* an agent token bound to no host */
};

int
ingest_gunzip(const unsigned char *src, size_t len, size_t max, unsigned char **out,
    size_t *outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	*out = NULL;
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return -2;
	size_t cap = len * 4 < 65536 ? 65536 : len * 4;
	if (cap > max + 1)
		cap = max + 1;
	unsigned char *buf = malloc(cap);
	size_t used = 0;		/* over all members: inflateReset clears total_out */
	int rc = buf == NULL ? -2 : 1;
	zs.next_in = (unsigned char *)src;
	zs.avail_in = (uInt)len;
	while (rc == 1) {
		if (used == cap) {
			if (cap > max) {
				rc = -1;
				break;
			}
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			unsigned char *g = realloc(buf, ncap);
			if (g == NULL) {
				rc = -2;
				break;
			}
			buf = g;
			cap = ncap;
		}
		zs.next_out = buf + used;
		zs.avail_out = (uInt)(cap - used);
		int zr = inflate(&zs, Z_NO_FLUSH);
		used = cap - zs.avail_out;
		if (used > max)
			rc = -1;
		else if (zr == Z_STREAM_END && zs.avail_in == 0)
			rc = 0;
		else if (zr == Z_STREAM_END) {
			/* `gzip a; gzip b` concatenated is one stream of two members;
			 * anything else after a member is not gzip. */
			if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b)
				rc = -3;
			else if (inflateReset(&zs) != Z_OK)
				rc = -2;
		} else if (zr != Z_OK && !(zr == Z_BUF_ERROR && zs.avail_out == 0))
			rc = -2;	/* corrupt, or truncated (no progress possible) */
	}
	inflateEnd(&zs);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*outlen = used;
	return 0;
}

/* "line N: why" into out (the first reason of its kind is the one kept). */
static void
line_reason(char *out, size_t cap, size_t lineno, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void
line_reason(char *out, size_t cap, size_t lineno, const char *fmt, va_list ap)
{
	char why[480];
	vsnprintf(why, sizeof(why), fmt, ap);
	snprintf(out, cap, "line %zu: %s", lineno, why);
}

static void
line_error(struct ingest_req *ir, size_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
line_error(struct ingest_req *ir, size_t lineno, const char *fmt, ...)
{
	if (ir->lines_rejected++ == 0) {
		va_list ap;
		va_start(ap, fmt);
		line_reason(ir->first_error, sizeof(ir->first_error), lineno, fmt, ap);
		va_end(ap);
	}
}

static void
line_drop(struct ingest_req *ir, size_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
line_drop(struct ingest_req *ir, size_t lineno, const char *fmt, ...)
{
	if (ir->lines_dropped < INGEST_NAMED_DROPS)
		ir->drop_lines[ir->lines_dropped] = lineno > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)lineno;
	if (ir->lines_dropped++ == 0) {
		va_list ap;
		va_start(ap, fmt);
		line_reason(ir->drop_error, sizeof(ir->drop_error), lineno, fmt, ap);
		va_end(ap);
	}
}

/*
 * 204 when every line was stored (samples at exactly their series' last
 * time count as stored: a resend). Else 400: the first invalid line, then
 * InfluxDB's wording for the rest, "partial write: ... dropped=N", naming
 * the first dropped lines; late: samples an earlier write overtook.
 */
static void
ingest_reply(struct evhttp_request *req, struct ingest_req *ir, size_t accepted,
    size_t late)
{
	size_t dropped = ir->lines_dropped + late;
	if (ir->lines_rejected == 0 && dropped == 0) {
		http_reply_json(req, 204, NULL);
		return;
	}
	char msg[1600];
	size_t at = 0;
#define PUT(...) do {							\
	int n_ = snprintf(msg + at, sizeof(msg) - at, __VA_ARGS__);	\
	if (n_ > 0)							\
		at = at + (size_t)n_ < sizeof(msg) ? at + (size_t)n_ : sizeof(msg) - 1; \
} while (0)
	if (ir->lines_rejected > 0)
		PUT("%s", ir->first_error);
	json_t *lines = json_array();
	if (dropped > 0) {
		PUT("%spartial write: ", ir->lines_rejected > 0 ? "; " : "");
		if (ir->lines_dropped > 0) {
			size_t named = ir->lines_dropped < INGEST_NAMED_DROPS ?
			    ir->lines_dropped : INGEST_NAMED_DROPS;
			PUT("%s; lines dropped:", ir->drop_error);
			for (size_t i = 0; i < named; i++) {
				PUT("%s %u", i ? "," : "", ir->drop_lines[i]);
				json_array_append_new(lines, json_integer(ir->drop_lines[i]));
			}
			if (named < ir->lines_dropped)
				PUT(" and %zu more", ir->lines_dropped - named);
		}
		if (late > 0)
			PUT("%s%zu samples overtaken by a write of the same series that reached "
			    "the disk first", ir->lines_dropped > 0 ? "; " : "", late);
		PUT(" dropped=%zu", dropped);
	}
#undef PUT
	http_reply_json(req, 400, json_pack("{s:o, s:I, s:I, s:I, s:o}",
	    "error", json_string_safe(msg, at),
	    "rejected_lines", (json_int_t)(ir->lines_rejected + ir->lines_dropped),
	    "accepted_samples", (json_int_t)accepted,
	    "dropped", (json_int_t)dropped, "dropped_lines", lines));
}

static void
ingest_durable(struct batch *b, int ok, void *arg)
{
	struct ingest_req *ir = arg;
	struct collector *c = ir->c;
	struct evhttp_request *req = http_pending_take(ir->pending);
	size_t n = b->n_samples + b->n_texts;
	size_t late = ingest_settle(c, b, ok);

	if (ok) {
		n -= late;
		c->metrics.samples_accepted += n;
		store_submit(c->store, b);
		if (req != NULL)
			ingest_reply(req, ir, n, late);
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

/*
 * Ordering checks use accepted_ts (what the journal was handed), the
 * catalogue shows last/last_ts (what it made durable). A refused batch
 * puts accepted_ts back, so the same samples retried are taken again.
 */
size_t
ingest_settle(struct collector *c, struct batch *b, int ok)
{
	struct series_catalog *cat = c->series;
	if (!ok) {
		for (size_t i = 0; i < b->n_samples; i++) {
			struct series *s = series_by_id(cat, b->samples[i].series_id);
			if (s != NULL)
				s->accepted_ts = s->last_ts;
		}
		for (size_t i = 0; i < b->n_texts; i++) {
			struct series *s = series_by_id(cat, b->texts[i].series_id);
			if (s != NULL)
				s->accepted_ts = s->last_ts;
		}
		/* A later batch in flight that uses the series defines it too. */
		for (size_t i = 0; i < b->n_defs; i++) {
			struct series *s = series_by_id(cat, b->defs[i].id);
			if (s != NULL && s->fresh && s->def_gen == b->gen)
				series_remove(cat, s);
		}
		return 0;
	}
	for (size_t i = 0; i < b->n_defs; i++) {
		struct series *s = series_by_id(cat, b->defs[i].id);
		if (s != NULL)
			s->fresh = 0;
	}
	/* Samples older than what an earlier batch made durable (a refused
	 * batch reset accepted_ts meanwhile) would be refused by RRD: out, and
	 * said so; at exactly its time, a resend of what is stored. */
	size_t kept = 0, dropped = 0;
	for (size_t i = 0; i < b->n_samples; i++) {
		const struct sample *smp = &b->samples[i];
		/* The parse pass left these series cold: fetch ahead. */
		if (i + INGEST_PREFETCH < b->n_samples)
			series_prefetch(cat, b->samples[i + INGEST_PREFETCH].series_id);
		struct series *s = series_by_id(cat, smp->series_id);
		if (s == NULL || smp->ts <= s->last_ts) {
			dropped += s == NULL || smp->ts < s->last_ts;
			continue;
		}
		s->last_ts = smp->ts;
		s->last = smp->value;
		if (s->accepted_ts < smp->ts)
			s->accepted_ts = smp->ts;
		b->samples[kept++] = *smp;
		observe_sample(c, s, smp->ts, smp->value);
	}
	b->n_samples = kept;
	kept = 0;
	for (size_t i = 0; i < b->n_texts; i++) {
		struct text_update *t = &b->texts[i];
		struct series *s = series_by_id(cat, t->series_id);
		char *copy = s != NULL && t->ts > s->last_ts ? strdup(t->text) : NULL;
		if (copy == NULL) {
			dropped += s == NULL || t->ts != s->last_ts;
			free(t->text);
			continue;
		}
		s->last_ts = t->ts;
		if (s->accepted_ts < t->ts)
			s->accepted_ts = t->ts;
		series_set_text(cat, s, copy);
		b->texts[kept++] = *t;
	}
	b->n_texts = kept;
	c->metrics.samples_out_of_order += dropped;
	return dropped;
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

/* b's generation, given out on first use (never 0). */
static uint32_t
batch_gen(struct collector *c, struct batch *b)
{
	if (b->gen == 0 && (b->gen = ++c->ingest_gen) == 0)
		b->gen = ++c->ingest_gen;
	return b->gen;
}

/*
 * A series that is not durable yet goes into the definitions of every batch
 * using it: whichever of them reaches the disk first defines it.
 */
static int
ingest_define(struct collector *c, struct batch *b, struct series *s, double ts)
{
	uint32_t gen = batch_gen(c, b);
	if (s->def_gen == gen)
		return 0;
	if (batch_add_def(b, s, series_host_name(c->series, s->host_id), ts) < 0)
		return -1;
	s->def_gen = gen;
	return 0;
}

struct series *
ingest_resolve(struct collector *c, struct batch *b, const char *key, size_t klen,
    const char *host, uint32_t step, enum series_kind kind, double ts)
{
	struct series *s = series_find(c->series, key, klen);
	if (s != NULL)
		return s->fresh && ingest_define(c, b, s, ts) < 0 ? NULL : s;
	if (series_count(c->series) >= (size_t)c->cfg.max_series)
		return NULL;	/* limits.max_series holds for SNMP polls too */
	s = series_add(c->series, 0, key, klen, host, step, kind);
	if (s == NULL)
		return NULL;
	s->fresh = 1;
	if (ingest_define(c, b, s, ts) < 0) {
		series_remove(c->series, s);
		return NULL;
	}
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
	if (ts <= s->accepted_ts) {
		/* RRD cannot take it: counted in /metrics, not silently lost. */
		c->metrics.samples_out_of_order++;
		return -1;
	}
	if ((s->fresh && ingest_define(c, b, s, ts) < 0) ||
	    batch_add_sample(b, s->id, ts, value) < 0)
		return -2;
	s->accepted_ts = ts;
	return 0;
}

/* Scratch space for one request: canonical keys and the host name. */
struct ingest_scratch {
	char *key;
	size_t key_cap;
	char host[1024];
	struct series *found[LP_DEFAULT_MAX_FIELDS];	/* first pass's lookups, per field */
	uint8_t resent[LP_DEFAULT_MAX_FIELDS];	/* at exactly the series' last time */
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
	if (ts > now + (double)ir->max_future) {
		line_drop(ir, lineno, "timestamp %.0f is more than %llds in the future "
		    "(check the sender's clock and the precision parameter%s)", ts,
		    ir->max_future, ir->unbound_agent ?
		    "; ingest.max_future_unbound applies to agent tokens bound to no host" : "");
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
		sc->resent[i] = 0;
		if (is_text && f->v.s.len > (size_t)c->cfg.max_string_bytes) {
			line_error(ir, lineno, "string field \"%.*s\" is %zu bytes, more than "
			    "limits.max_string_bytes (%lld)",
			    (int)(f->key.len > 64 ? 64 : f->key.len), f->key.p, f->v.s.len,
			    c->cfg.max_string_bytes);
			return -1;
		}
		if (s == NULL) {
			new_series++;
		} else if ((s->kind == SERIES_TEXT) != is_text) {
			line_error(ir, lineno, "field \"%.*s\" was %s before and is %s now",
			    (int)(f->key.len > 64 ? 64 : f->key.len), f->key.p,
			    is_text ? "a number" : "a string", is_text ? "a string" : "a number");
			return -1;
		} else if (ts < s->accepted_ts) {
			/* RRD keeps time order: the whole line is dropped, and said so. */
			line_drop(ir, lineno, "timestamp %.3f is older than the last sample (%.3f) "
			    "of series \"%.*s\"", ts, s->accepted_ts,
			    (int)(klen > 200 ? 200 : klen), sc->key);
			c->metrics.samples_out_of_order += pt->n_fields;	/* all of the line */
			return -1;
		} else if (ts == s->accepted_ts) {
			sc->resent[i] = 1;	/* a resend (agent spool, client retry) */
		}
	}
	if (new_series > 0 && series_count(c->series) + new_series >
	    (size_t)c->cfg.max_series) {
		line_error(ir, lineno, "the collector holds %zu series: limits.max_series "
		    "(%lld) reached, no new series", series_count(c->series),
		    c->cfg.max_series);
		return -1;
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
		if (sc->resent[i]) {
			c->metrics.samples_resent++;
			continue;
		}
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
		if (ts <= s->accepted_ts) {
			c->metrics.samples_out_of_order++;
			continue;
		}
		if (f->v.s.len > c->text_longest)
			c->text_longest = f->v.s.len;
		if ((s->fresh && ingest_define(c, b, s, ts) < 0) ||
		    batch_add_text(b, s->id, ts, f->v.s.p, f->v.s.len) < 0) {
			line_error(ir, lineno, "out of memory");
			continue;
		}
		s->accepted_ts = ts;
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

static void
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
	step = limits_step(c, who, step);
	long long space = limits_disk_free(c, util_now());
	if (space >= 0 && space < c->cfg.min_free) {
		c->metrics.requests_refused_space++;
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "60");
		http_reply_error(req, 507, "%lld MiB free on the data folder's filesystem, less "
		    "than storage.min_free (%lld MiB): writes are refused until space is freed",
		    space >> 20, c->cfg.min_free >> 20);
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
		if (rc == -3) {
			http_reply_error(req, 400, "body has bytes after its gzip data that are "
			    "not another gzip member");
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
	ir->unbound_agent = who->host == NULL && strcmp(who->role, "agent") == 0;
	ir->max_future = ir->unbound_agent && c->cfg.max_future_unbound < c->cfg.max_future ?
	    c->cfg.max_future_unbound : c->cfg.max_future;
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
	c->metrics.lines_rejected += ir->lines_rejected + ir->lines_dropped;

	if (b->n_samples == 0 && b->n_texts == 0 && b->n_defs == 0) {	/* nothing to store */
		ingest_reply(req, ir, 0, 0);
		batch_free(b);
		free(ir);
		return;
	}
	ir->pending = http_pending_new(req);
	if (ir->pending == NULL) {	/* out of memory: as if the journal had failed */
		ingest_settle(c, b, 0);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
		http_reply_error(req, 503, "out of memory; send the batch again");
		batch_free(b);
		free(ir);
		return;
	}
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
		s->last_ts = s->accepted_ts = smp->ts;
		s->last = smp->value;
		b->samples[kept++] = *smp;
	}
	c->metrics.samples_replayed += kept;
	b->n_samples = kept;
	for (size_t i = 0; i < b->n_texts; i++) {
		struct series *s = series_by_id(c->series, b->texts[i].series_id);
		if (s != NULL && b->texts[i].ts >= s->last_ts) {
			s->last_ts = s->accepted_ts = b->texts[i].ts;
			series_set_text(c->series, s, strdup(b->texts[i].text));
		}
	}
	store_submit(c->store, b);
}

/* One line-protocol parser, reused by every write request, and the state of
 * the counters turned into rates (loop thread). */
static int
ingest_start(struct collector *c)
{
	c->lp = lp_parser_new(NULL);
	c->counters = counters_new(&c->cfg.counters, &c->cfg.extra_counters);
	return c->lp == NULL || c->counters == NULL ? -1 : 0;
}

static void
ingest_reload(struct collector *c)
{
	if (counters_set_rules(c->counters, &c->cfg.counters, &c->cfg.extra_counters) < 0)
		log_warnx("reload: out of memory; ingest.counters unchanged");
}

static void
ingest_release(struct collector *c)
{
	lp_parser_free(c->lp);
	c->lp = NULL;
	counters_free(c->counters);
	c->counters = NULL;
}

const struct subsystem ingest_subsystem = {
	.name = "ingest",
	.start = ingest_start,
	.reload = ingest_reload,
	.release = ingest_release,
};

const struct route ingest_routes[] = {
	{ EVHTTP_REQ_POST, "/api/v1/write", PERM_WRITE, ingest_write },
	{ EVHTTP_REQ_POST, "/api/v2/write", PERM_WRITE, ingest_write },
	{ EVHTTP_REQ_POST, "/write", PERM_WRITE, ingest_write },
	ROUTES_END
};
