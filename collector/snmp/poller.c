/*
 * poller.c — the poller object: configuration, profiles shared by its
 * devices (reference counted, swapped on reload), the device registry and
 * the public sp_poller_* API. transport.c moves the packets, device.c runs
 * each device's polls.
 */
#include "collector/snmp/snmp.h"
#include "common/cfg.h"
#include "common/log.h"
#include "common/util.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <event2/event.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- poller ----------------------------------------------------------- */

void
sp_poller_config_defaults(struct sp_poller_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = 2000;
	cfg->retries = 1;
	cfg->interval = 60;
	cfg->jitter_pct = 10;
	cfg->start_spread_ms = -1;
	cfg->max_inflight = 1;
	cfg->bulk_max = 50;
	cfg->bulk_min = 2;
	cfg->get_batch = 30;
	cfg->max_values = 200000;
	cfg->max_rows_per_column = 50000;
	cfg->max_concurrent_polls = 0;
	cfg->rematch_polls = 60;
	cfg->slow_interval = 300;
}

const char *
sp_default_profiles_dir(void)
{
	static const char *const dirs[] = {
		CAMPUSMON_SRCDIR "/collector/profiles",
		CAMPUSMON_DATADIR "/profiles",
	};
	struct stat sb;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (stat(dirs[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			return dirs[i];
	return dirs[1];
}

struct sp_profiles *
sp_profiles_ref(struct sp_profiles *pr)
{
	if (pr != NULL)
		pr->refs++;
	return pr;
}

void
sp_profiles_unref(struct sp_profiles *pr)
{
	if (pr != NULL && --pr->refs == 0) {
		sp_profiles_free(&pr->set);
		free(pr);
	}
}

/* A referenced heap copy of set's contents; set is left empty either way. */
static struct sp_profiles *
profiles_take(struct sp_profile_set *set)
{
	struct sp_profiles *pr = calloc(1, sizeof(*pr));

	if (pr == NULL) {
		sp_profiles_free(set);
		return NULL;
	}
	pr->set = *set;
	pr->refs = 1;
	set->v = NULL;
	set->n = 0;
	return pr;
}

struct sp_poller *
sp_poller_new(struct event_base *base, const struct sp_poller_config *cfg,
    const char *profiles_dir, sp_result_fn on_result, void *arg)
{
	struct sp_profile_set set = { 0 };
	struct cfg_errors errs = { 0 };

	if (profiles_dir == NULL)
		profiles_dir = sp_default_profiles_dir();
	if (sp_profiles_load_dir(profiles_dir, &set, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_warnx("profiles: %s", errs.msgs[i]);
		cfg_errors_clear(&errs);
		sp_profiles_free(&set);
		return NULL;
	}
	cfg_errors_clear(&errs);
	log_debug("snmp", "%zu profiles loaded from %s", set.n, profiles_dir);
	return sp_poller_new_with(base, cfg, &set, on_result, arg);
}

int
sp_poller_set_profiles(struct sp_poller *p, struct sp_profile_set *set)
{
	struct sp_profiles *pr = profiles_take(set);

	if (pr == NULL)
		return -1;
	sp_profiles_unref(p->profiles);
	p->profiles = pr;
	return 0;
}

struct sp_poller *
sp_poller_new_with(struct event_base *base, const struct sp_poller_config *cfg,
    struct sp_profile_set *set, sp_result_fn on_result, void *arg)
{
	struct sp_poller *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->profiles = profiles_take(set)) == NULL) {
		free(p);
		sp_profiles_free(set);
		return NULL;
	}
	p->base = base;
	if (cfg != NULL)
		p->cfg = *cfg;
	else
		sp_poller_config_defaults(&p->cfg);
	if (p->cfg.max_inflight < 1)
		p->cfg.max_inflight = 1;
	if (p->cfg.bulk_max < 1)
		p->cfg.bulk_max = 1;
	if (p->cfg.bulk_min < 1 || p->cfg.bulk_min > p->cfg.bulk_max)
		p->cfg.bulk_min = 1;
	if (p->cfg.get_batch < 1)
		p->cfg.get_batch = 1;
	if (p->cfg.interval < 1)
		p->cfg.interval = 60;
	p->on_result = on_result;
	p->arg = arg;
	p->rng = (uint64_t)util_now_ns() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)p;
	if (p->rng == 0)
		p->rng = 88172645463325252ULL;
	sp_eng_global_init();
	netsnmp_large_fd_set *fds = calloc(1, sizeof(*fds));
	if (fds == NULL) {
		sp_poller_free(p);
		return NULL;
	}
	netsnmp_large_fd_set_init(fds, FD_SETSIZE);
	p->fdset = fds;
	p->iconv = sp_iconv_open();
	return p;
}

static void
eng_on_poll_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sp_device *d = arg;

	(void)fd;
	(void)what;
	d->in_dispatch++;
	sp_dev_poll_start(d);
	d->in_dispatch--;
	sp_eng_after_dispatch(d);
}

static struct sp_device *
dev_new(struct sp_poller *p, const struct sp_target *t)
{
	struct sp_device *d = calloc(1, sizeof(*d));
	char peer[300];

	if (d == NULL)
		return NULL;
	d->p = p;
	d->fd = -1;
	d->t = *t;
	d->t.address = t->address ? strdup(t->address) : NULL;
	d->t.name = strdup(t->name && t->name[0] ? t->name : (t->address ? t->address : "?"));
	d->t.community = t->community ? strdup(t->community) : NULL;
	d->t.user = t->user ? strdup(t->user) : NULL;
	d->t.auth_proto = t->auth_proto ? strdup(t->auth_proto) : NULL;
	d->t.auth_pass = t->auth_pass ? strdup(t->auth_pass) : NULL;
	d->t.priv_proto = t->priv_proto ? strdup(t->priv_proto) : NULL;
	d->t.priv_pass = t->priv_pass ? strdup(t->priv_pass) : NULL;
	d->t.context = t->context ? strdup(t->context) : NULL;
	if (d->t.address == NULL || d->t.name == NULL) {
		d->dead = 1;
		sp_dev_free(d);
		return NULL;
	}
	unsigned port = t->port ? t->port : 161;
	if (strchr(t->address, ':') != NULL)
		snprintf(peer, sizeof(peer), "udp6:[%s]:%u", t->address, port);
	else
		snprintf(peer, sizeof(peer), "udp:%s:%u", t->address, port);
	d->peer = strdup(peer);
	d->interval = t->interval > 0 ? t->interval : p->cfg.interval;
	d->timeout_ms = t->timeout_ms > 0 ? t->timeout_ms : p->cfg.timeout_ms;
	d->retries = t->retries >= 0 && (t->retries > 0 || t->timeout_ms > 0) ?
	    t->retries : p->cfg.retries;
	d->max_reps = p->cfg.bulk_max;
	d->hist.last_uptime = -1;
	d->pollev = evtimer_new(p->base, eng_on_poll_timer, d);
	if (d->peer == NULL || d->pollev == NULL) {
		d->dead = 1;
		sp_dev_free(d);
		return NULL;
	}
	return d;
}

static void
secret_free(const char *s)
{
	if (s != NULL) {
		explicit_bzero((char *)s, strlen(s));
		free((char *)s);
	}
}

/* Free a device now: only when net-snmp is not dispatching for it. */
void
sp_dev_free(struct sp_device *d)
{
	sp_dev_abort(d);
	sp_eng_close(d);
	if (d->tev != NULL)
		event_free(d->tev);
	if (d->pollev != NULL)
		event_free(d->pollev);
	free(d->peer);
	free((char *)d->t.address);
	free((char *)d->t.name);
	secret_free(d->t.community);
	free((char *)d->t.user);
	free((char *)d->t.auth_proto);
	secret_free(d->t.auth_pass);
	free((char *)d->t.priv_proto);
	secret_free(d->t.priv_pass);
	free((char *)d->t.context);
	free(d->matched);
	sp_profiles_unref(d->matched_from);
	sp_profiles_unref(d->match_from);
	sp_plan_free(&d->plan);
	free(d->match_sysoid);
	sp_history_free(&d->hist);
	free(d);
}

static void
dev_release(struct sp_device *d)
{
	d->dead = 1;
	if (d->in_dispatch == 0)
		sp_dev_free(d);
	else
		sp_dev_abort(d);
}

int
sp_poller_link(struct sp_poller *p, struct sp_device *d)
{
	if (p->n_devs == p->cap_devs) {
		size_t cap = p->cap_devs ? p->cap_devs * 2 : 64;
		struct sp_device **nv = realloc(p->devs, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		p->devs = nv;
		p->cap_devs = cap;
	}
	p->devs[p->n_devs++] = d;
	return 0;
}

/* Forget a one-shot probe device once its result is delivered. */
void
sp_poller_release(struct sp_poller *p, struct sp_device *d)
{
	for (size_t i = 0; i < p->n_devs; i++) {
		if (p->devs[i] == d) {
			p->devs[i] = p->devs[--p->n_devs];
			break;
		}
	}
	dev_release(d);
}

int
sp_poller_add(struct sp_poller *p, const struct sp_target *t)
{
	if (t == NULL || t->address == NULL || t->address[0] == '\0')
		return -1;
	sp_poller_remove(p, t->device_id);
	struct sp_device *d = dev_new(p, t);
	if (d == NULL)
		return -1;
	if (sp_poller_link(p, d) < 0) {
		dev_release(d);
		return -1;
	}
	/* Spread first polls so a restart does not hit every device at once. */
	double spread = p->cfg.start_spread_ms >= 0 ? p->cfg.start_spread_ms / 1000.0 :
	    (double)d->interval;
	sp_dev_schedule(d, spread * sp_rand01(p));
	return 0;
}

void
sp_poller_remove(struct sp_poller *p, long long device_id)
{
	for (size_t i = 0; i < p->n_devs; i++) {
		if (p->devs[i]->t.device_id != device_id || p->devs[i]->oneshot)
			continue;
		struct sp_device *d = p->devs[i];
		p->devs[i] = p->devs[--p->n_devs];
		dev_release(d);
		return;
	}
}

size_t
sp_poller_count(const struct sp_poller *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_devs; i++)
		n += !p->devs[i]->oneshot;
	return n;
}

int
sp_poller_probe(struct sp_poller *p, const struct sp_target *t, int full,
    sp_result_fn cb, void *arg)
{
	if (t == NULL || t->address == NULL || cb == NULL)
		return -1;
	struct sp_device *d = dev_new(p, t);
	if (d == NULL)
		return -1;
	d->oneshot = 1;
	d->full = full;
	d->cb = cb;
	d->cb_arg = arg;
	if (sp_poller_link(p, d) < 0) {
		dev_release(d);
		return -1;
	}
	sp_dev_schedule(d, 0);
	return 0;
}

void
sp_poller_free(struct sp_poller *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_devs; i++)
		dev_release(p->devs[i]);
	free(p->devs);
	sp_profiles_unref(p->profiles);
	sp_iconv_close(p->iconv);
	if (p->fdset != NULL) {
		netsnmp_large_fd_set_cleanup(p->fdset);
		free(p->fdset);
	}
	free(p);
}

const char *
sp_status_name(enum sp_status s)
{
	switch (s) {
	case SP_STATUS_UP:
		return "up";
	case SP_STATUS_DOWN:
		return "down";
	case SP_STATUS_UNREACHABLE:
		return "unreachable";
	default:
		return "unknown";
	}
}
