/*
 * anomaly.c — Holt-Winters with Brutlag's confidence bands (see anomaly.h).
 *
 * For step t with season position i = t mod m:
 *   prediction  p = a + b + c[i]
 *   level       a' = alpha (y - c[i]) + (1 - alpha)(a + b)
 *   trend       b' = beta (a' - a) + (1 - beta) b
 *   seasonal    c[i] = gamma (y - a') + (1 - gamma) c[i]
 *   deviation   d[i] = gamma |y - p| + (1 - gamma) d[i]
 * and y violates when it lies outside p ± delta · d[i] (the deviation from
 * before this step, as RRDtool's DEVPREDICT). The first season only
 * collects values to start a, c and d from; the second learns without
 * judging, so a young model raises nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collector/alert/anomaly.h"

#define HW_WINDOW_MAX 64

struct hw_model {
	struct hw_params p;
	unsigned long long step;	/* values fed so far, missing ones too */
	double level, trend;
	double *seasonal, *deviation;	/* season entries each */
	unsigned char recent[HW_WINDOW_MAX];	/* violations, a ring of window */
	unsigned recent_at, recent_count;
};

void
hw_params_default(struct hw_params *p)
{
	p->season = 288;
	p->alpha = 0.1;
	p->beta = 0.0035;
	p->gamma = 0.1;
	p->delta = 2.0;
	p->floor = 0.02;
	p->window = 9;
	p->threshold = 7;
	p->spike = 3;
}

const char *
hw_params_check(const struct hw_params *p)
{
	if (p->season < 2 || p->season > 100000)
		return "season must be 2 to 100000 steps";
	if (!(p->alpha > 0 && p->alpha < 1) || !(p->gamma > 0 && p->gamma < 1))
		return "alpha and gamma must lie between 0 and 1";
	if (!(p->beta >= 0 && p->beta < 1))
		return "beta must lie in [0, 1)";
	if (!(p->delta > 0) || !(p->floor >= 0) || !isfinite(p->delta) || !isfinite(p->floor))
		return "delta must be positive and floor not negative";
	if (!(p->spike >= 0) || !isfinite(p->spike))
		return "spike must not be negative";
	if (p->window < 1 || p->window > HW_WINDOW_MAX || p->threshold < 1 ||
	    p->threshold > p->window)
		return "the failure threshold must be 1 to window, and window 1 to 64";
	return NULL;
}

size_t
hw_model_bytes(const struct hw_params *p)
{
	return sizeof(struct hw_model) + 2 * (size_t)p->season * sizeof(double);
}

struct hw_model *
hw_model_new(const struct hw_params *p)
{
	if (hw_params_check(p) != NULL)
		return NULL;
	struct hw_model *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->p = *p;
	m->seasonal = calloc(p->season, sizeof(double));
	m->deviation = calloc(p->season, sizeof(double));
	if (m->seasonal == NULL || m->deviation == NULL) {
		hw_model_free(m);
		return NULL;
	}
	for (unsigned i = 0; i < p->season; i++)
		m->seasonal[i] = NAN;	/* first season: the raw values */
	return m;
}

void
hw_model_free(struct hw_model *m)
{
	if (m == NULL)
		return;
	free(m->seasonal);
	free(m->deviation);
	free(m);
}

/* After the first season: level is the mean of what was seen, the seasonal
 * terms each value's offset from it (a missing value's offset is 0). The
 * deviations start from the noise, not from the seasonal swing: the mean
 * step-to-step change times 0.71 (for Gaussian noise, E|e| = 0.71 E|e1 - e2|),
 * so the bands are tight from the second season on instead of after weeks. */
static void
hw_start(struct hw_model *m)
{
	double sum = 0, steps = 0;
	unsigned n = 0, n_steps = 0;
	for (unsigned i = 0; i < m->p.season; i++) {
		if (isnan(m->seasonal[i]))
			continue;
		sum += m->seasonal[i];
		n++;
		if (i > 0 && !isnan(m->seasonal[i - 1])) {
			steps += fabs(m->seasonal[i] - m->seasonal[i - 1]);
			n_steps++;
		}
	}
	m->level = n ? sum / n : 0;
	m->trend = 0;
	double noise = n_steps ? 0.71 * steps / n_steps : 0;
	for (unsigned i = 0; i < m->p.season; i++) {
		m->seasonal[i] = isnan(m->seasonal[i]) ? 0 : m->seasonal[i] - m->level;
		m->deviation[i] = noise;
	}
}

static void
hw_remember(struct hw_model *m, int violation, struct hw_verdict *out)
{
	unsigned w = m->p.window;
	m->recent_count -= m->recent[m->recent_at];
	m->recent[m->recent_at] = (unsigned char)violation;
	m->recent_count += (unsigned)violation;
	m->recent_at = (m->recent_at + 1) % w;
	out->violation = violation;
	out->failure = m->recent_count >= m->p.threshold;
}

void
hw_model_update(struct hw_model *m, double value, struct hw_verdict *out)
{
	const struct hw_params *p = &m->p;
	unsigned i = (unsigned)(m->step % p->season);
	memset(out, 0, sizeof(*out));
	out->predicted = out->lower = out->upper = NAN;
	if (!isfinite(value))
		value = NAN;

	if (m->step < p->season) {		/* first season: collect */
		m->seasonal[i] = value;
		if (++m->step == p->season)
			hw_start(m);
		return;
	}
	double predicted = m->level + m->trend + m->seasonal[i];
	double half = p->delta * m->deviation[i];
	double least = p->floor * fabs(predicted);
	if (half < least)
		half = least;
	out->ready = m->step >= 2ULL * p->season;
	if (out->ready) {
		out->predicted = predicted;
		out->lower = predicted - half;
		out->upper = predicted + half;
	}
	m->step++;
	if (isnan(value)) {
		if (out->ready)
			hw_remember(m, 0, out);
		return;
	}
	int violation = value < predicted - half || value > predicted + half;
	double score = half > 0 ? fabs(value - predicted) / half : (violation ? INFINITY : 0);
	double level = p->alpha * (value - m->seasonal[i]) + (1 - p->alpha) * (m->level + m->trend);
	m->trend = p->beta * (level - m->level) + (1 - p->beta) * m->trend;
	m->level = level;
	m->seasonal[i] = p->gamma * (value - level) + (1 - p->gamma) * m->seasonal[i];
	m->deviation[i] = p->gamma * fabs(value - predicted) + (1 - p->gamma) * m->deviation[i];
	if (out->ready) {
		hw_remember(m, violation, out);
		out->score = score;
		out->anomaly = out->failure || (p->spike > 0 && score >= p->spike);
	}
}
