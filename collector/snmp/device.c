/*
 * device.c — one device's poll cycle.
 *
 *   (v3: engine ID discovery) → system GET → probe GETNEXT when the profile
 *   choice is not cached → scalar GETs and column walks → evaluation →
 *   on_result → next cycle at interval ± jitter.
 *
 * At most max_inflight requests are in flight per device (default 1, so a
 * poll never floods a switch's CPU). GETBULK size adapts: halved on tooBig
 * and timeouts, grown slowly after a run of good replies. A device that does
 * not answer the system GET is "down"; one we cannot even send to is
 * "unreachable". All memory of a poll lives in d->arena and d->store and is
 * released right after the result callback returns.
 */
#include "collector/snmp/snmp.h"
#include "common/log.h"
#include "common/util.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <event2/event.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SP_WALK_GROUP 8		/* columns walked together in one request */
#define SP_MAX_TIMEOUTS 4	/* per poll, before giving up the rest */
#define SP_GROW_AFTER 8		/* good replies before growing GETBULK */

static const uint32_t sys_base[] = { 1, 3, 6, 1, 2, 1, 1 };
enum { SP_SYS_DESCR = 1, SP_SYS_OBJECTID = 2, SP_SYS_UPTIME = 3, SP_SYS_CONTACT = 4,
	SP_SYS_NAME = 5, SP_SYS_LOCATION = 6 };

static void finish(struct sp_device *d, enum sp_status status, const char *err);
static void pump(struct sp_device *d);
static void push_walks(struct sp_device *d, const struct sp_oid *walks, size_t n);

static const struct sp_vb *
sys_get(const struct sp_device *d, int which)
{
	uint32_t arcs[9];

	memcpy(arcs, sys_base, sizeof(sys_base));
	arcs[7] = (uint32_t)which;
	arcs[8] = 0;
	return sp_store_get(&d->store, arcs, 9);
}

void
sp_dev_schedule(struct sp_device *d, double delay)
{
	struct timeval tv;

	if (delay < 0)
		delay = 0;
	tv.tv_sec = (time_t)delay;
	tv.tv_usec = (suseconds_t)((delay - (double)tv.tv_sec) * 1e6);
	evtimer_add(d->pollev, &tv);
}

static void
next_cycle(struct sp_device *d)
{
	double j = d->p->cfg.jitter_pct / 100.0;
	double delay = d->interval * (1.0 + j * (2.0 * sp_rand01(d->p) - 1.0));

	sp_dev_schedule(d, delay);
}

static void
job_push_front(struct sp_device *d, struct sp_job *j)
{
	j->next = d->jobs;
	d->jobs = j;
}

static void
job_push_back(struct sp_device *d, struct sp_job *j)
{
	struct sp_job **pp = &d->jobs;

	while (*pp != NULL)
		pp = &(*pp)->next;
	j->next = NULL;
	*pp = j;
}

static struct sp_job *
job_new(struct sp_device *d, enum sp_job_kind kind, const struct sp_oid *oids, size_t n)
{
	struct sp_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->kind = kind;
	j->dev = d;
	j->oids = malloc((n ? n : 1) * sizeof(*j->oids));
	j->done = calloc(n ? n : 1, 1);
	if (j->oids == NULL || j->done == NULL) {
		sp_job_free(j);
		return NULL;
	}
	memcpy(j->oids, oids, n * sizeof(*oids));
	j->n_oids = n;
	j->count = (size_t)d->p->cfg.get_batch;
	if (kind == SP_JOB_WALK) {
		j->cur = malloc(n * sizeof(*j->cur));
		j->cur_len = malloc(n);
		if (j->cur == NULL || j->cur_len == NULL) {
			sp_job_free(j);
			return NULL;
		}
		for (size_t i = 0; i < n; i++) {
			memcpy(j->cur[i], oids[i].arcs, oids[i].len * sizeof(uint32_t));
			j->cur_len[i] = oids[i].len;
		}
	}
	return j;
}

static void
free_jobs(struct sp_job **list)
{
	while (*list != NULL) {
		struct sp_job *j = *list;
		*list = j->next;
		sp_job_free(j);
	}
}

void
sp_dev_abort(struct sp_device *d)
{
	struct sp_poller *p = d->p;

	if (d->queued) {
		struct sp_device **pp = &p->qhead;
		while (*pp != NULL && *pp != d)
			pp = &(*pp)->qnext;
		if (*pp == d)
			*pp = d->qnext;
		p->qtail = NULL;
		for (struct sp_device *q = p->qhead; q != NULL; q = q->qnext)
			p->qtail = q;
		d->queued = 0;
	}
	free_jobs(&d->jobs);
	free_jobs(&d->active);
	d->inflight = 0;
	free(d->store.v);
	memset(&d->store, 0, sizeof(d->store));
	sp_arena_free(&d->arena);
	if (d->phase != SP_PH_IDLE) {
		d->phase = SP_PH_IDLE;
		p->running--;
	}
}

/* ---- phases ----------------------------------------------------------- */

static void
start_system(struct sp_device *d)
{
	struct sp_oid o[6];

	for (int i = 0; i < 6; i++) {
		memcpy(o[i].arcs, sys_base, sizeof(sys_base));
		o[i].arcs[7] = (uint32_t)(i + 1);
		o[i].arcs[8] = 0;
		o[i].len = 9;
		o[i].wild = -1;
	}
	struct sp_job *j = job_new(d, SP_JOB_GET, o, 6);
	if (j == NULL) {
		finish(d, SP_STATUS_UNKNOWN, "out of memory");
		return;
	}
	d->phase = SP_PH_SYSTEM;
	job_push_back(d, j);
	pump(d);
}

static void poll_begin(struct sp_device *d);

void
sp_dev_poll_start(struct sp_device *d)
{
	struct sp_poller *p = d->p;

	if (d->dead)
		return;
	if (!d->oneshot)
		next_cycle(d);		/* fixed rate: a slow poll does not drift */
	if (d->phase != SP_PH_IDLE || d->queued) {
		log_debug("snmp", "%s: previous poll still running, cycle skipped", d->t.name);
		return;
	}
	if (p->cfg.max_concurrent_polls > 0 && p->running >= p->cfg.max_concurrent_polls) {
		d->queued = 1;
		d->qnext = NULL;
		if (p->qtail)
			p->qtail->qnext = d;
		else
			p->qhead = d;
		p->qtail = d;
		return;
	}
	poll_begin(d);
}

static void
poll_begin(struct sp_device *d)
{
	struct sp_poller *p = d->p;

	p->running++;
	d->phase = SP_PH_SYSTEM;
	d->started_wall = util_now();
	d->started_mono = util_monotonic();
	d->status = SP_STATUS_UNKNOWN;
	d->error = NULL;
	d->st_requests = d->st_timeouts = d->st_too_big = 0;
	d->timeouts_in_poll = 0;
	d->responded = 0;
	d->rebooted = 0;
	sp_store_init(&d->store, &d->arena, (size_t)p->cfg.max_values);
	if (sp_eng_open(d) < 0) {
		finish(d, SP_STATUS_UNREACHABLE, d->error ? d->error : "cannot open session");
		return;
	}
	if (d->t.version == SP_VER_3 && !d->engine_known) {
		d->phase = SP_PH_DISCOVER;
		if (sp_eng_discover(d) < 0)
			finish(d, SP_STATUS_UNREACHABLE, "cannot send the SNMPv3 discovery");
		return;
	}
	start_system(d);
}

void
sp_dev_on_discovered(struct sp_device *d, int ok)
{
	if (d->phase != SP_PH_DISCOVER)
		return;
	if (!ok) {
		finish(d, SP_STATUS_DOWN, "no answer to SNMPv3 engine discovery");
		return;
	}
	start_system(d);
}

static void
set_matched(struct sp_device *d, const struct sp_profile **list, size_t n,
    const char *sysoid)
{
	int changed = n != d->n_matched ||
	    (n > 0 && memcmp(list, d->matched, n * sizeof(*list)) != 0);

	free(d->matched);
	d->matched = list;
	d->n_matched = n;
	if (d->matched_from != d->match_from) {
		sp_profiles_unref(d->matched_from);
		d->matched_from = sp_profiles_ref(d->match_from);
	}
	sp_plan_free(&d->plan);
	sp_plan_build(&d->plan, (const struct sp_profile *const *)list, n);
	free(d->match_sysoid);
	d->match_sysoid = strdup(sysoid);
	d->polls_since_match = 0;
	if (changed) {
		char names[512];
		size_t o = 0;
		names[0] = '\0';
		for (size_t i = 0; i < n && o < sizeof(names); i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
			    i ? " " : "", list[i]->name);
		log_debug("snmp", "%s: profiles %s; %zu scalars, %zu subtrees", d->t.name,
		    names, d->plan.n_gets, d->plan.n_walks);
	}
}

static void
start_fetch(struct sp_device *d)
{
	if (d->oneshot && !d->full) {
		finish(d, SP_STATUS_UP, NULL);
		return;
	}
	d->phase = SP_PH_FETCH;
	if (d->plan.n_gets > 0) {
		struct sp_job *j = job_new(d, SP_JOB_GET, d->plan.gets, d->plan.n_gets);
		if (j != NULL)
			job_push_back(d, j);
	}
	push_walks(d, d->plan.walks, d->plan.n_walks);
	/* Slow tables (neighbours) when due: a device that never answered
	 * them keeps trying at the slow pace, not every poll. */
	double now = util_monotonic();
	d->slow_now = d->plan.n_slow_walks > 0 && !d->oneshot && (d->slow_last == 0 ||
	    now - d->slow_last >= d->p->cfg.slow_interval);
	if (d->slow_now)
		push_walks(d, d->plan.slow_walks, d->plan.n_slow_walks);
	pump(d);
}

/* Walk columns of one table together; leftovers share requests. */
static void
push_walks(struct sp_device *d, const struct sp_oid *walks, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const struct sp_oid *first = &walks[i];
		size_t k = 1;
		while (i + k < n && k < SP_WALK_GROUP) {
			const struct sp_oid *w = &walks[i + k];
			int same = w->len == first->len &&
			    memcmp(w->arcs, first->arcs, (first->len - 1) * sizeof(uint32_t)) == 0;
			if (!same && k > 1)
				break;
			if (!same) {
				/* a lone column: pair it with the next lone ones */
				size_t m = i + k + 1;
				const struct sp_oid *nx = m < n ? &walks[m] : NULL;
				int next_same = nx && nx->len == w->len && memcmp(nx->arcs,
				    w->arcs, (w->len - 1) * sizeof(uint32_t)) == 0;
				if (next_same)
					break;
			}
			k++;
		}
		struct sp_job *j = job_new(d, SP_JOB_WALK, &walks[i], k);
		if (j != NULL)
			job_push_back(d, j);
		i += k;
	}
}

static void
after_probe(struct sp_device *d, const struct sp_job *pj, const struct sp_profile **cand,
    const int *how, size_t n, const char *sysoid)
{
	const struct sp_profile **list = calloc(n ? n : 1, sizeof(*list));
	size_t m = 0;

	if (list == NULL) {
		finish(d, SP_STATUS_UNKNOWN, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int ok = how[i] == 1;
		for (size_t k = 0; how[i] == 2 && pj != NULL && k < cand[i]->n_probe && !ok; k++)
			for (size_t q = 0; q < pj->n_oids && !ok; q++)
				ok = pj->done[q] && sp_oid_cmp(pj->oids[q].arcs, pj->oids[q].len,
				    cand[i]->probe[k].oid.arcs, cand[i]->probe[k].oid.len) == 0;
		if (ok)
			list[m++] = cand[i];
	}
	set_matched(d, list, m, sysoid);
}

/* The probe job, its candidate profiles and how each matched statically
 * (all in the poll's arena). */
struct probe_state {
	const struct sp_profile **cand;
	int *how;
	size_t n;
	char *sysoid;
};

static void
after_system(struct sp_device *d)
{
	struct sp_poller *p = d->p;
	const struct sp_vb *vb;
	char sysoid[SP_MAX_OID * 11 + 1] = "";
	const char *descr = "";
	uint32_t oidarcs[SP_MAX_OID];
	struct sp_oid so = { .len = 0 };

	sp_store_finish(&d->store);
	double now = util_monotonic();
	if ((vb = sys_get(d, SP_SYS_UPTIME)) != NULL && (vb->v.type == SP_V_TICKS ||
	    vb->v.type == SP_V_UINT || vb->v.type == SP_V_INT)) {
		uint32_t ticks = vb->v.type == SP_V_INT ? (uint32_t)vb->v.i : (uint32_t)vb->v.u;
		if (d->hist.last_uptime >= 0 && sp_uptime_rebooted((uint32_t)d->hist.last_uptime,
		    ticks, now - d->hist.last_uptime_t)) {
			d->rebooted = 1;
			log_info("snmp %s: device restarted (sysUpTime went back)", d->t.name);
		}
		d->hist.last_uptime = ticks;
		d->hist.last_uptime_t = now;
	}
	if ((vb = sys_get(d, SP_SYS_OBJECTID)) != NULL && vb->v.type == SP_V_OID) {
		snprintf(sysoid, sizeof(sysoid), "%s", (const char *)vb->v.s);
		if (sp_oid_parse(sysoid, &so, 0) < 0)
			so.len = 0;
	}
	memcpy(oidarcs, so.arcs, so.len * sizeof(uint32_t));
	if ((vb = sys_get(d, SP_SYS_DESCR)) != NULL)
		descr = sp_value_text(&d->arena, p->iconv, &vb->v);

	int need = d->matched == NULL || d->match_sysoid == NULL ||
	    strcmp(d->match_sysoid, sysoid) != 0 || d->rebooted ||
	    ++d->polls_since_match >= p->cfg.rematch_polls || d->oneshot ||
	    d->matched_from != p->profiles;
	if (!need) {
		start_fetch(d);
		return;
	}
	/* Static matching; probes for what only an answer can tell. The
	 * candidates stay valid even if the profiles are replaced meanwhile. */
	sp_profiles_unref(d->match_from);
	d->match_from = sp_profiles_ref(p->profiles);
	size_t n = d->match_from->set.n, nprobe = 0;
	const struct sp_profile **cand = sp_arena_alloc(&d->arena, (n ? n : 1) * sizeof(*cand));
	int *how = sp_arena_alloc(&d->arena, (n ? n : 1) * sizeof(int));
	struct sp_oid *probes = NULL;
	if (cand == NULL || how == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		cand[i] = d->match_from->set.v[i];
		how[i] = sp_profile_match_static(cand[i], oidarcs, so.len, descr);
		if (how[i] == 2)
			nprobe += cand[i]->n_probe;
	}
	if (nprobe == 0) {
		after_probe(d, NULL, cand, how, n, sysoid);
		start_fetch(d);
		return;
	}
	probes = calloc(nprobe, sizeof(*probes));
	if (probes == NULL)
		goto oom;
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; how[i] == 2 && k < cand[i]->n_probe; k++) {
			size_t q;
			for (q = 0; q < np; q++)
				if (sp_oid_cmp(probes[q].arcs, probes[q].len,
				    cand[i]->probe[k].oid.arcs, cand[i]->probe[k].oid.len) == 0)
					break;
			if (q == np)
				probes[np++] = cand[i]->probe[k].oid;
		}
	}
	struct sp_job *j = job_new(d, SP_JOB_PROBE, probes, np);
	free(probes);
	if (j == NULL)
		goto oom;
	/* Keep what after_probe needs in the poll's arena. */
	struct probe_state *ps = sp_arena_alloc(&d->arena, sizeof(*ps));
	if (ps == NULL) {
		sp_job_free(j);
		goto oom;
	}
	ps->cand = cand;
	ps->how = how;
	ps->n = n;
	ps->sysoid = sp_arena_strdup(&d->arena, sysoid);
	j->ctx = ps;
	d->phase = SP_PH_PROBE;
	job_push_back(d, j);
	pump(d);
	return;
oom:
	finish(d, SP_STATUS_UNKNOWN, "out of memory");
}

/* A finished job: PROBE ends the probe phase, others are just freed. */
static void
job_done(struct sp_device *d, struct sp_job *j)
{
	if (j->kind == SP_JOB_PROBE) {
		struct probe_state *ps = j->ctx;
		after_probe(d, j, ps->cand, ps->how, ps->n, ps->sysoid);
		sp_job_free(j);
		start_fetch(d);
		return;
	}
	sp_job_free(j);
}

static void
pump(struct sp_device *d)
{
	while (d->phase != SP_PH_IDLE && d->inflight < d->p->cfg.max_inflight &&
	    d->jobs != NULL) {
		struct sp_job *j = d->jobs;
		d->jobs = j->next;
		j->next = NULL;
		struct snmp_pdu *pdu = sp_walk_next_pdu(j, d->t.version, d->max_reps);
		if (pdu == NULL) {
			enum sp_phase ph = d->phase;
			job_done(d, j);
			if (d->phase != ph)
				return;		/* job_done moved the poll on */
			continue;
		}
		if (sp_eng_send(d, j, pdu) < 0) {
			sp_job_free(j);
			if (!d->responded) {
				finish(d, SP_STATUS_UNREACHABLE, "cannot send to the device");
				return;
			}
			continue;
		}
		j->next = d->active;
		d->active = j;
		d->inflight++;
	}
	if (d->inflight == 0 && d->jobs == NULL) {
		switch (d->phase) {
		case SP_PH_SYSTEM:
			after_system(d);
			break;
		case SP_PH_FETCH:
			finish(d, SP_STATUS_UP, d->error);
			break;
		default:
			break;
		}
	}
}

static void
shrink(struct sp_device *d)
{
	int min = d->p->cfg.bulk_min;

	d->ok_streak = 0;
	if (d->max_reps > min) {
		d->max_reps = d->max_reps / 2 < min ? min : d->max_reps / 2;
		log_debug("snmp", "%s: GETBULK size down to %d", d->t.name, d->max_reps);
	}
}

void
sp_dev_on_reply(struct sp_device *d, struct sp_job *j, struct snmp_pdu *pdu, int timed_out)
{
	struct sp_job **pp = &d->active;

	while (*pp != NULL && *pp != j)
		pp = &(*pp)->next;
	if (*pp == NULL)
		return;
	*pp = j->next;
	j->next = NULL;
	d->inflight--;

	if (pdu != NULL) {
		d->responded = 1;
		int r = sp_walk_response(j, pdu, &d->store, util_monotonic(),
		    d->p->cfg.max_rows_per_column);
		if (r == 1) {
			d->st_too_big++;
			/* Already at the smallest request: this one cannot be had. */
			if (d->max_reps <= d->p->cfg.bulk_min && ++j->tries_small > 3) {
				log_info("snmp %s: reply too big even for the smallest request; "
				    "part of the poll skipped", d->t.name);
				job_done(d, j);
				if (d->phase == SP_PH_IDLE)
					return;
				pump(d);
				return;
			}
			shrink(d);
		} else if (++d->ok_streak >= SP_GROW_AFTER &&
		    d->max_reps < d->p->cfg.bulk_max) {
			d->ok_streak = 0;
			d->max_reps += d->max_reps / 4 + 1;
			if (d->max_reps > d->p->cfg.bulk_max)
				d->max_reps = d->p->cfg.bulk_max;
		}
		job_push_front(d, j);
	} else if (timed_out) {
		d->st_timeouts++;
		d->timeouts_in_poll++;
		if (!d->responded) {
			sp_job_free(j);
			if (d->t.version == SP_VER_3)
				d->need_reset = 1;	/* new session, rediscover the engine */
			finish(d, SP_STATUS_DOWN, "no answer (timeout)");
			return;
		}
		if (d->timeouts_in_poll > SP_MAX_TIMEOUTS) {
			sp_job_free(j);
			free_jobs(&d->jobs);
			d->error = "partial poll: too many timeouts";
			log_info("snmp %s: too many timeouts, poll cut short", d->t.name);
		} else {
			/* Maybe the reply was too big to come back: ask smaller. */
			shrink(d);
			if (j->kind == SP_JOB_GET || j->kind == SP_JOB_PROBE)
				j->count = j->count > 1 ? j->count / 2 : 1;
			if (++j->tries_small > 3) {
				log_debug("snmp", "%s: giving up a request after timeouts", d->t.name);
				job_done(d, j);
				if (d->phase == SP_PH_IDLE)
					return;
			} else {
				job_push_front(d, j);
			}
		}
	} else {
		/* send failure, v3 report or security error */
		if (d->need_reset) {
			/* v3 keys or engine went wrong: end the poll now; the
			 * session is rebuilt when net-snmp has returned. */
			sp_job_free(j);
			finish(d, d->responded ? SP_STATUS_UP : SP_STATUS_DOWN, d->error);
			return;
		}
		if (!d->responded) {
			sp_job_free(j);
			finish(d, d->error ? SP_STATUS_DOWN : SP_STATUS_UNREACHABLE,
			    d->error ? d->error : "cannot send to the device");
			return;
		}
		job_done(d, j);
		if (d->phase == SP_PH_IDLE)
			return;
	}
	pump(d);
}

/* ---- result ----------------------------------------------------------- */

static void
finish(struct sp_device *d, enum sp_status status, const char *err)
{
	struct sp_poller *p = d->p;
	struct sp_result r;
	const struct sp_vb *vb;

	memset(&r, 0, sizeof(r));
	r.device_id = d->t.device_id;
	r.target = d->t.name;
	r.status = status;
	r.error = err;
	r.started = d->started_wall;
	r.duration = util_monotonic() - d->started_mono;
	r.uptime_ticks = -1;
	r.rebooted = d->rebooted;
	if (status == SP_STATUS_UP) {
		struct sp_eval_ctx ctx = {
			.arena = &d->arena, .iconv = p->iconv, .hist = &d->hist,
			.rebooted = d->rebooted, .now = util_monotonic(),
			.with_slow = d->slow_now,
		};
		sp_store_finish(&d->store);
		sp_evaluate(&r, &d->store, (const struct sp_profile *const *)d->matched,
		    d->n_matched, &ctx);
		sp_evaluate_tables(&r, &d->store, (const struct sp_profile *const *)d->matched,
		    d->n_matched, &ctx);
		if (d->slow_now)
			d->slow_last = util_monotonic();
		static const struct { int which; size_t off; } sysf[] = {
			{ SP_SYS_DESCR, offsetof(struct sp_result, sys_descr) },
			{ SP_SYS_OBJECTID, offsetof(struct sp_result, sys_object_id) },
			{ SP_SYS_CONTACT, offsetof(struct sp_result, sys_contact) },
			{ SP_SYS_NAME, offsetof(struct sp_result, sys_name) },
			{ SP_SYS_LOCATION, offsetof(struct sp_result, sys_location) },
		};
		for (size_t i = 0; i < sizeof(sysf) / sizeof(sysf[0]); i++) {
			const char **dst = (const char **)((char *)&r + sysf[i].off);
			if (*dst == NULL && (vb = sys_get(d, sysf[i].which)) != NULL)
				*dst = sp_value_text(&d->arena, p->iconv, &vb->v);
		}
		if (d->hist.last_uptime >= 0 && sys_get(d, SP_SYS_UPTIME) != NULL)
			r.uptime_ticks = d->hist.last_uptime;
		uint32_t oidarcs[SP_MAX_OID] = { 0 };
		struct sp_oid so = { .len = 0 };
		if (r.sys_object_id == NULL || sp_oid_parse(r.sys_object_id, &so, 0) < 0)
			so.len = 0;
		memcpy(oidarcs, so.arcs, so.len * sizeof(uint32_t));
		r.kind = sp_profiles_kind((const struct sp_profile *const *)d->matched,
		    d->n_matched, oidarcs, so.len, r.sys_descr);
		const char **names = sp_arena_alloc(&d->arena,
		    (d->n_matched ? d->n_matched : 1) * sizeof(*names));
		for (size_t i = 0; names != NULL && i < d->n_matched; i++)
			names[i] = d->matched[d->n_matched - 1 - i]->name;
		r.profiles = names;
		r.n_profiles = names ? d->n_matched : 0;
		if (d->store.truncated)
			log_warnx("snmp %s: more than %zu values in one poll, %d dropped",
			    d->t.name, d->store.max, d->store.truncated);
	}
	r.stats.requests = d->st_requests;
	r.stats.timeouts = d->st_timeouts;
	r.stats.too_big = d->st_too_big;
	r.stats.values = (unsigned)d->store.n;
	r.stats.bulk_size = (unsigned)d->max_reps;
	d->status = status;
	if (status != SP_STATUS_UP)
		log_debug("snmp", "%s: %s (%s)", d->t.name, sp_status_name(status),
		    err ? err : "");

	sp_result_fn cb = d->oneshot ? d->cb : p->on_result;
	void *arg = d->oneshot ? d->cb_arg : p->arg;
	d->in_dispatch++;
	if (cb != NULL)
		cb(&r, arg);
	d->in_dispatch--;

	sp_dev_abort(d);	/* frees the poll's memory; phase back to idle */
	if (d->oneshot)
		sp_poller_release(p, d);
	/* Start a poll that waited for a slot. */
	while (p->qhead != NULL && (p->cfg.max_concurrent_polls <= 0 ||
	    p->running < p->cfg.max_concurrent_polls)) {
		struct sp_device *q = p->qhead;
		p->qhead = q->qnext;
		if (p->qhead == NULL)
			p->qtail = NULL;
		q->queued = 0;
		q->in_dispatch++;
		poll_begin(q);
		q->in_dispatch--;
		sp_eng_after_dispatch(q);
	}
}
