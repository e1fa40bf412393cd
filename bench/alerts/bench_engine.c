/*
 * bench_engine.c — the alert engine's cost, alone on one core:
 *   1. evaluation per sample with 1,000 rules and 100,000 series (each
 *      series matched by one rule; values mostly in range, some crossing);
 *   2. the rule storm: one rule matching all 100,000 series;
 *   3. root cause for 2,000 devices: the core goes down, every device
 *      behind it is found down, the hold ends, one tick decides.
 * Prints one line per figure. Usage: bench_engine [samples]
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/alert/alert.h"
#include "common/cfg.h"

#define N_RULES 1000
#define N_SERIES 100000
#define N_DEVICES 2000

static long changes, notified;

static void
changed(void *arg, struct alert *a, const char *event, int notify)
{
	(void)arg, (void)a, (void)event;
	changes++;
	notified += notify;
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* campus: device 1 the core, 2..41 distribution, the rest 40 per distribution */
static int64_t parent[N_DEVICES + 1];

static size_t
path(void *arg, int64_t dev, int64_t *out, size_t max)
{
	(void)arg;
	int64_t chain[8];
	size_t n = 0;
	for (int64_t d = dev; d > 0 && n < 8; d = parent[d])
		chain[n++] = d;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = chain[n - 1 - i];
	return n < max ? n : max;
}

static struct alert_engine *
engine(const char *yaml, int with_path, double hold)
{
	struct cfg_errors errs = { 0 };
	char err[256];
	struct cfg_node *n = cfg_node_parse(yaml, strlen(yaml), err, sizeof(err));
	struct alert_rules rules = { 0 };
	if (n == NULL || alert_rules_parse(n, "bench", &rules, &errs) < 0) {
		fprintf(stderr, "rules: %s\n", errs.n ? errs.msgs[0] : err);
		exit(1);
	}
	cfg_node_free(n);
	struct alert_engine_config cfg = { 5, 600, hold, 0 };
	struct alert_engine_ops ops = { changed, with_path ? path : NULL, NULL };
	struct alert_engine *e = alert_engine_new(&cfg, &ops);
	alert_engine_set_rules(e, &rules, 0);
	return e;
}

static double
run_samples(struct alert_engine *e, long samples, double *learn_s, int crossing)
{
	char key[128];
	double t0 = now_s();
	for (uint32_t id = 1; id <= N_SERIES; id++) {
		int len = snprintf(key, sizeof(key), "m%u,host=h%u,port=p%u value", id % N_RULES,
		    id / 100, id);
		struct alert_series s = { id, key, (size_t)len, key + 1, "server", 0 };
		alert_engine_learn(e, &s, 0);
	}
	*learn_s = now_s() - t0;
	unsigned x = 12345;
	t0 = now_s();
	for (long i = 0; i < samples; i++) {
		x = x * 1103515245u + 12345u;
		uint32_t id = 1 + (x >> 8) % N_SERIES;
		/* 0..80, in range; with crossing, one sample in 1024 at 95 (over crit) */
		double v = crossing && (x & 1023) == 0 ? 95 : (double)((x >> 20) % 80);
		alert_engine_sample(e, id, 1000 + i * 1e-6, v, 1000 + i * 1e-6);
	}
	return (now_s() - t0) / (double)samples;
}

int
main(int argc, char **argv)
{
	long samples = argc > 1 ? atol(argv[1]) : 5000000;
	/* 1. 1,000 rules, 100,000 series */
	size_t cap = N_RULES * 96 + 1;
	char *yaml = malloc(cap), *p = yaml;
	for (int i = 0; i < N_RULES; i++)
		p += sprintf(p, "- {name: r%d, match: {measurement: m%d}, warn: 85, crit: 90, "
		    "recover: 80}\n", i, i);
	struct alert_engine *e = engine(yaml, 0, 0);
	double learn;
	double per = run_samples(e, samples, &learn, 0);
	printf("eval_ns_per_sample_1000_rules_100000_series %.1f\n", per * 1e9);
	alert_engine_free(e);
	e = engine(yaml, 0, 0);
	per = run_samples(e, samples, &learn, 1);
	printf("eval_ns_per_sample_with_0.1pct_crossing %.1f\n", per * 1e9);
	printf("learn_ms_100000_series_1000_rules %.1f\n", learn * 1e3);
	printf("alert_changes %ld open %zu\n", changes, alert_engine_count_open(e));
	alert_engine_free(e);
	free(yaml);

	/* 2. rule storm: one rule, every series */
	changes = 0;
	e = engine("- {name: storm, match: {field: value}, warn: 85, crit: 90, recover: 80}\n", 0, 0);
	per = run_samples(e, samples, &learn, 0);
	printf("eval_ns_per_sample_rule_storm_100000_series %.1f\n", per * 1e9);
	printf("learn_ms_rule_storm %.1f\n", learn * 1e3);
	printf("storm_alert_changes %ld open %zu\n", changes, alert_engine_count_open(e));
	double t0 = now_s();
	alert_engine_tick(e, 5000);
	printf("tick_ms_100000_subjects %.2f\n", (now_s() - t0) * 1e3);
	alert_engine_free(e);

	/* 3. root cause, 2,000 devices */
	for (int64_t d = 2; d <= N_DEVICES; d++)
		parent[d] = d <= 41 ? 1 : 2 + (d - 42) % 40;
	changes = notified = 0;
	e = engine("- {name: device-down, match: {status: [down]}, polls: 1}\n", 1, 10);
	char name[32];
	for (int64_t d = 1; d <= N_DEVICES; d++) {
		snprintf(name, sizeof(name), "d%lld", (long long)d);
		alert_engine_device(e, d, name, "switch", "down", 100);
	}
	t0 = now_s();
	alert_engine_tick(e, 111);
	double rc = now_s() - t0;
	struct alert *root = NULL;
	for (struct alert *a = alert_engine_next(e, NULL); a; a = alert_engine_next(e, a))
		if (a->affected > 0)
			root = a;
	printf("root_cause_ms_2000_devices %.2f\n", rc * 1e3);
	printf("root_cause_changes %ld notified %ld root %s affected %d\n", changes, notified,
	    root ? root->device : "-", root ? root->affected : 0);
	alert_engine_free(e);
	return 0;
}
