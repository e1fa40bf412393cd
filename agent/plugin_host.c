/*
 * plugin_host.c — plugin instances from the "plugins:" list, their worker
 * pool, and the host services of plugins/plugin.h.
 *
 * Threads: the main loop schedules reads (plugin_host_tick) and collects
 * their output (plugin_host_drain); `plugin_workers` threads run read().
 * An instance is on at most one worker at a time (busy flag). A read that
 * is still running when its next reading is due counts as an overrun: it
 * is reported once and that reading is skipped, so a stuck plugin never
 * piles up work. Instance state is owned here and freed on the main thread
 * after its workers have stopped.
 */
#include "agent/agent.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "plugins/plugin.h"

#define PLUGIN_OUT_MAX (1u << 20)	/* bytes of line protocol per read */
#define WORKER_STACK (512u * 1024)

struct inst_common {
	char *plugin;
	char *name;
	long long interval;
	long long timeout;
};

static const char *
check_inst_name(const void *field)
{
	const char *s = *(const char *const *)field;
	for (; s != NULL && *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return "may hold letters, digits, '_', '-' and '.' only";
	return NULL;
}

static const struct cfg_key inst_schema[] = {
	{ "plugin", CFG_STRING, offsetof(struct inst_common, plugin), NULL, 1, 64, NULL, NULL,
	  "Which plugin (e.g. nagios)." },
	{ "name", CFG_STRING, offsetof(struct inst_common, name), NULL, 1, 64, NULL,
	  check_inst_name, "Instance name, unique per plugin; sent as tag instance." },
	{ "interval", CFG_DURATION, offsetof(struct inst_common, interval), "0", 0, 86400,
	  NULL, NULL, "Read interval, a multiple of the agent interval (default: it)." },
	{ "timeout", CFG_DURATION, offsetof(struct inst_common, timeout), "0", 0, 3600, NULL,
	  NULL, "Longest a read may take (default: the interval, at most 30 s)." },
	CFG_END
};

struct plugin_inst {
	const struct plugin_desc *desc;
	char *name;
	void *config;			/* desc->config_size bytes, desc->schema */
	void *state;
	int interval_s;
	int timeout_ms;
	/* under host->mu */
	int busy;
	long long started_ms;
	int64_t ts_ns;
	int overrun_warned;
	struct plugin_inst *qnext;
	/* written by the worker running this instance */
	struct lpw out;
	int fail_warned;
};

struct pending {
	int interval;
	struct lpw w;
};

struct plugin_host {
	struct plugin_inst *inst;
	size_t n;
	char *host;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct plugin_inst *qhead, *qtail;
	pthread_t *workers;
	size_t n_workers;
	int stop;
	void (*done_cb)(void *);
	void *done_arg;
	struct pending *pend;
	size_t n_pend;
	unsigned long long overruns;
	int configured;
	int stuck;			/* a worker did not stop: keep everything */
};

struct plugin_ctx {
	struct plugin_host *h;
	struct plugin_inst *inst;
	long long deadline_ms;
};

static long long
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A mapping of the host keys (or of the plugin's keys) of an instance; items borrowed. */
static int
sub_map(const struct cfg_node *map, int want_host_keys, struct cfg_node *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = CFG_N_MAP;
	out->line = map->line;
	out->items = calloc(map->n_items + 1, sizeof(*out->items));
	if (out->items == NULL)
		return -1;
	for (size_t i = 0; i < map->n_items; i++) {
		const char *k = map->items[i]->key;
		int is_host = k != NULL && (strcmp(k, "plugin") == 0 || strcmp(k, "name") == 0 ||
		    strcmp(k, "interval") == 0 || strcmp(k, "timeout") == 0);
		if (is_host == want_host_keys)
			out->items[out->n_items++] = map->items[i];
	}
	return 0;
}

static void
inst_free(struct plugin_inst *in)
{
	if (in->state != NULL && in->desc != NULL)
		in->desc->free(in->state);
	if (in->config != NULL && in->desc != NULL) {
		cfg_free(in->desc->schema, in->config);
		free(in->config);
	}
	free(in->name);
	lpw_free(&in->out);
}

static int
build_one(struct plugin_host *h, const struct cfg_node *item, const struct agent_config *cfg,
    const char *cfgname, int configure, struct cfg_errors *errs)
{
	struct cfg_node hmap, pmap;
	struct inst_common ic;
	struct plugin_inst *in = &h->inst[h->n];
	int rc = -1;

	memset(&ic, 0, sizeof(ic));
	if (item->kind != CFG_N_MAP) {
		cfg_errors_add(errs, "%s:%d: each plugin instance must be a mapping", cfgname,
		    item->line);
		return -1;
	}
	if (sub_map(item, 1, &hmap) < 0 || sub_map(item, 0, &pmap) < 0) {
		free(hmap.items);
		cfg_errors_add(errs, "out of memory");
		return -1;
	}
	if (cfg_defaults(inst_schema, &ic, errs) < 0 ||
	    cfg_apply_node(inst_schema, &ic, &hmap, cfgname, errs) < 0)
		goto out;
	if (ic.plugin == NULL || ic.name == NULL) {
		cfg_errors_add(errs, "%s:%d: a plugin instance needs plugin: and name:", cfgname,
		    item->line);
		goto out;
	}
	const struct plugin_desc *d = plugin_find(ic.plugin);
	if (d == NULL) {
		cfg_errors_add(errs, "%s:%d: unknown plugin '%s'", cfgname, item->line, ic.plugin);
		goto out;
	}
	if (d->abi != PLUGIN_ABI) {
		cfg_errors_add(errs, "%s:%d: plugin '%s' has ABI %u, the agent speaks %u",
		    cfgname, item->line, ic.plugin, d->abi, PLUGIN_ABI);
		goto out;
	}
	for (size_t i = 0; i < h->n; i++) {
		if (h->inst[i].desc == d && strcmp(h->inst[i].name, ic.name) == 0) {
			cfg_errors_add(errs, "%s:%d: %s instance name '%s' is used twice", cfgname,
			    item->line, ic.plugin, ic.name);
			goto out;
		}
	}
	long long interval = ic.interval > 0 ? ic.interval : cfg->interval;
	if (interval % cfg->interval != 0) {
		cfg_errors_add(errs, "%s:%d: %s interval %llds must be a multiple of the agent "
		    "interval (%llds)", cfgname, item->line, ic.name, interval, cfg->interval);
		goto out;
	}
	long long timeout = ic.timeout > 0 ? ic.timeout : (interval < 30 ? interval : 30);

	memset(in, 0, sizeof(*in));
	in->desc = d;
	in->interval_s = (int)interval;
	in->timeout_ms = (int)(timeout * 1000);
	lpw_init(&in->out, PLUGIN_OUT_MAX);
	if ((in->name = strdup(ic.name)) == NULL || (in->config = calloc(1, d->config_size)) == NULL) {
		inst_free(in);
		cfg_errors_add(errs, "out of memory");
		goto out;
	}
	if (cfg_defaults(d->schema, in->config, errs) < 0 ||
	    cfg_apply_node(d->schema, in->config, &pmap, cfgname, errs) < 0) {
		inst_free(in);
		goto out;
	}
	if (configure) {
		char err[512] = "";
		struct plugin_info info = { in->name, in->interval_s, in->timeout_ms,
			geteuid() == 0 };
		if ((in->state = d->configure(in->config, &info, err, sizeof(err))) == NULL) {
			cfg_errors_add(errs, "%s:%d: %s instance '%s': %s", cfgname, item->line,
			    d->name, in->name, err[0] ? err : "cannot configure");
			inst_free(in);
			goto out;
		}
	}
	h->n++;
	rc = 0;
out:
	cfg_free(inst_schema, &ic);
	free(hmap.items);
	free(pmap.items);
	return rc;
}

struct plugin_host *
plugin_host_new(const struct agent_config *cfg, const char *host, const char *cfgname,
    int configure, struct cfg_errors *errs)
{
	struct plugin_host *h = calloc(1, sizeof(*h));
	const struct cfg_node *list = cfg->plugins;
	size_t n = list != NULL ? list->n_items : 0;
	int bad = 0;

	if (h == NULL || (h->host = strdup(host)) == NULL ||
	    (n > 0 && (h->inst = calloc(n, sizeof(*h->inst))) == NULL)) {
		cfg_errors_add(errs, "out of memory");
		plugin_host_free(h, 0);
		return NULL;
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->configured = configure;
	for (size_t i = 0; i < n; i++)
		if (build_one(h, list->items[i], cfg, cfgname ? cfgname : "config", configure,
		    errs) < 0)
			bad = 1;
	if (bad) {
		plugin_host_free(h, 0);
		return NULL;
	}
	return h;
}

size_t
plugin_host_count(const struct plugin_host *h)
{
	return h != NULL ? h->n : 0;
}

unsigned long long
plugin_host_overruns(const struct plugin_host *h)
{
	return h != NULL ? h->overruns : 0;
}

/* Under h->mu: append an instance's output to the pending text of its interval. */
static void
pend_add(struct plugin_host *h, struct plugin_inst *in)
{
	if (in->out.len == 0)
		return;
	struct pending *p = NULL;
	for (size_t i = 0; i < h->n_pend; i++)
		if (h->pend[i].interval == in->interval_s)
			p = &h->pend[i];
	if (p == NULL) {
		struct pending *np = realloc(h->pend, (h->n_pend + 1) * sizeof(*np));
		if (np == NULL)
			return;
		h->pend = np;
		p = &h->pend[h->n_pend++];
		p->interval = in->interval_s;
		lpw_init(&p->w, 16u << 20);
	}
	if (lpw_append(&p->w, in->out.buf, in->out.len, in->out.lines) < 0)
		log_warnx("plugin %s[%s]: output dropped, the pending buffer is full",
		    in->desc->name, in->name);
}

static void
run_read(struct plugin_host *h, struct plugin_inst *in)
{
	struct plugin_ctx ctx = { h, in, mono_ms() + in->timeout_ms };

	lpw_reset(&in->out);
	int rc = in->desc->read(in->state, &ctx);
	if (rc < 0 && !in->fail_warned) {
		log_warnx("plugin %s[%s]: read failed (reported once until it works)",
		    in->desc->name, in->name);
		in->fail_warned = 1;
	} else if (rc == 0) {
		in->fail_warned = 0;
	}
}

static void *
worker(void *arg)
{
	struct plugin_host *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->stop && h->qhead == NULL)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->stop)
			break;
		struct plugin_inst *in = h->qhead;
		h->qhead = in->qnext;
		if (h->qhead == NULL)
			h->qtail = NULL;
		in->started_ms = mono_ms();
		pthread_mutex_unlock(&h->mu);

		run_read(h, in);

		pthread_mutex_lock(&h->mu);
		pend_add(h, in);
		in->busy = 0;
		if (in->overrun_warned) {
			log_info("plugin %s[%s]: the overrunning read returned after %lld ms",
			    in->desc->name, in->name, mono_ms() - in->started_ms);
			in->overrun_warned = 0;
		}
		if (h->done_cb != NULL)
			h->done_cb(h->done_arg);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

int
plugin_host_start(struct plugin_host *h, void (*done_cb)(void *), void *arg)
{
	pthread_attr_t attr;

	if (h == NULL || h->n == 0)
		return 0;
	h->done_cb = done_cb;
	h->done_arg = arg;
	size_t want = h->n_workers > 0 ? h->n_workers : 1;	/* plugin_host_set_workers */
	if ((h->workers = calloc(want, sizeof(pthread_t))) == NULL)
		return -1;
	h->n_workers = 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	for (size_t i = 0; i < want; i++) {
		if (pthread_create(&h->workers[i], &attr, worker, h) != 0) {
			log_warn("cannot start a plugin worker");
			break;
		}
		h->n_workers++;
	}
	pthread_attr_destroy(&attr);
	return h->n_workers > 0 ? 0 : -1;
}

void
plugin_host_set_workers(struct plugin_host *h, size_t n)
{
	if (h != NULL && h->workers == NULL)
		h->n_workers = n < h->n ? n : h->n;
}

void
plugin_host_tick(struct plugin_host *h, int64_t ts_ns)
{
	if (h == NULL || h->n == 0 || h->n_workers == 0)
		return;
	long long ts_s = ts_ns / 1000000000;
	long long now = mono_ms();

	pthread_mutex_lock(&h->mu);
	for (size_t i = 0; i < h->n; i++) {
		struct plugin_inst *in = &h->inst[i];
		if (ts_s % in->interval_s != 0)
			continue;
		if (in->busy) {
			h->overruns++;
			if (!in->overrun_warned)
				log_warnx("plugin %s[%s]: read still running after %lld ms (timeout "
				    "%d ms); skipping readings until it returns", in->desc->name,
				    in->name, now - in->started_ms, in->timeout_ms);
			in->overrun_warned = 1;
			continue;
		}
		in->busy = 1;
		in->ts_ns = ts_ns;
		in->started_ms = now;
		in->qnext = NULL;
		if (h->qtail != NULL)
			h->qtail->qnext = in;
		else
			h->qhead = in;
		h->qtail = in;
	}
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

void
plugin_host_run_once(struct plugin_host *h, int64_t ts_ns)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		struct plugin_inst *in = &h->inst[i];
		in->ts_ns = ts_ns;
		run_read(h, in);
		pthread_mutex_lock(&h->mu);
		pend_add(h, in);
		pthread_mutex_unlock(&h->mu);
	}
}

void
plugin_host_drain(struct plugin_host *h,
    void (*fn)(int interval, const char *text, size_t len, size_t lines, void *arg), void *arg)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	struct pending *p = h->pend;
	size_t n = h->n_pend;
	h->pend = NULL;
	h->n_pend = 0;
	pthread_mutex_unlock(&h->mu);
	for (size_t i = 0; i < n; i++) {
		if (p[i].w.len > 0)
			fn(p[i].interval, p[i].w.buf, p[i].w.len, p[i].w.lines, arg);
		lpw_free(&p[i].w);
	}
	free(p);
}

int
plugin_host_stop(struct plugin_host *h, int wait_ms)
{
	int stuck = 0;

	if (h == NULL || h->workers == NULL)
		return h != NULL ? h->stuck : 0;
	pthread_mutex_lock(&h->mu);
	h->stop = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	struct timespec ts;	/* one deadline for all of them */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	for (size_t i = 0; i < h->n_workers; i++) {
		if (pthread_timedjoin_np(h->workers[i], NULL, &ts) != 0) {
			pthread_detach(h->workers[i]);
			stuck = 1;
		}
	}
	free(h->workers);
	h->workers = NULL;
	h->n_workers = 0;
	h->stuck = stuck;
	return stuck;
}

void
plugin_host_free(struct plugin_host *h, int wait_ms)
{
	if (h == NULL)
		return;
	if (plugin_host_stop(h, wait_ms)) {
		/* A read is still running: its instance must outlive it. */
		log_warnx("a plugin read did not return in %d ms; its memory is left behind",
		    wait_ms);
		return;
	}
	for (size_t i = 0; i < h->n; i++)
		inst_free(&h->inst[i]);
	for (size_t i = 0; i < h->n_pend; i++)
		lpw_free(&h->pend[i].w);
	free(h->pend);
	free(h->inst);
	free(h->host);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	free(h);
}

void
plugin_host_write_doc(FILE *out)
{
	fprintf(out, "Keys of every plugin instance:\n\n");
	cfg_write_doc(inst_schema, out);
	for (size_t i = 0; plugin_registry[i] != NULL; i++) {
		fprintf(out, "\nKeys of the `%s` plugin:\n\n", plugin_registry[i]->name);
		cfg_write_doc(plugin_registry[i]->schema, out);
	}
}

/* ---- plugins/plugin.h host services ---------------------------------------- */

int
plugin_submit(struct plugin_ctx *ctx, const struct plugin_sample *s)
{
	struct plugin_inst *in = ctx->inst;
	struct lpw *w = &in->out;

	if (s == NULL || s->measurement == NULL || s->measurement[0] == '\0' ||
	    s->n_fields == 0 || s->n_tags > LPW_MAX_TAGS - 2)
		return -1;
	lpw_begin(w, s->measurement);
	lpw_tag(w, "host", ctx->h->host);
	lpw_tag(w, "instance", in->name);
	for (size_t i = 0; i < s->n_tags; i++)
		lpw_tag(w, s->tags[i].key, s->tags[i].value);
	for (size_t i = 0; i < s->n_fields; i++) {
		const struct plugin_field *f = &s->fields[i];
		switch (f->type) {
		case PLUGIN_FLOAT:
			lpw_float(w, f->key, f->f);
			break;
		case PLUGIN_INT:
			lpw_int(w, f->key, f->i);
			break;
		case PLUGIN_BOOL:
			lpw_bool(w, f->key, f->i != 0);
			break;
		case PLUGIN_STRING:
			lpw_str(w, f->key, f->s != NULL ? f->s : "");
			break;
		}
	}
	if (lpw_end(w, in->ts_ns) == 0) {
		if (w->full)
			log_warnx("plugin %s[%s]: more than %u bytes in one read; sample dropped",
			    in->desc->name, in->name, PLUGIN_OUT_MAX);
		return -1;
	}
	return 0;
}

long long
plugin_deadline_ms(const struct plugin_ctx *ctx)
{
	long long left = ctx->deadline_ms - mono_ms();
	return left > 0 ? left : 0;
}

void
plugin_log(const struct plugin_ctx *ctx, enum plugin_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const char *pn = ctx ? ctx->inst->desc->name : "plugin";
	const char *in = ctx ? ctx->inst->name : "?";
	switch (level) {
	case PLUGIN_LOG_WARN:
		log_warnx("plugin %s[%s]: %s", pn, in, msg);
		break;
	case PLUGIN_LOG_INFO:
		log_info("plugin %s[%s]: %s", pn, in, msg);
		break;
	default:
		log_debug("plugin", "%s[%s]: %s", pn, in, msg);
		break;
	}
}
