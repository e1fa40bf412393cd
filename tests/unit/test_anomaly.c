/*
 * test_anomaly.c — the seasonal baseline (collector/alert/anomaly.c): quiet
 * on a clean seasonal series, a failure on a level shift, a spike on one
 * wild value, nothing while learning, and bad parameters refused.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "collector/alert/anomaly.h"

#define SEASON 48

/* A clean daily-like wave with a little deterministic jitter. */
static double
wave(unsigned t)
{
	return 100 + 30 * sin(2 * M_PI * t / SEASON) + ((t * 7919) % 11) * 0.3 - 1.5;
}

static struct hw_model *
model(void)
{
	struct hw_params p;
	hw_params_default(&p);
	p.season = SEASON;
	struct hw_model *m = hw_model_new(&p);
	cr_assert_not_null(m);
	return m;
}

/* Feed n steps of wave from t0; count verdicts that raised an anomaly. */
static int
feed(struct hw_model *m, unsigned t0, unsigned n, double add)
{
	int anomalies = 0;
	for (unsigned t = t0; t < t0 + n; t++) {
		struct hw_verdict v;
		hw_model_update(m, wave(t) + add, &v);
		anomalies += v.anomaly;
	}
	return anomalies;
}

Test(anomaly, learns_two_seasons_then_stays_quiet_on_a_clean_series)
{
	struct hw_model *m = model();
	struct hw_verdict v;
	for (unsigned t = 0; t < 2 * SEASON; t++) {
		hw_model_update(m, wave(t) + (t == SEASON + 3 ? 25 : 0), &v);
		cr_assert_eq(v.ready, 0, "step %u judged while learning", t);
		cr_assert_eq(v.anomaly, 0);
	}
	cr_assert_eq(feed(m, 2 * SEASON, 10 * SEASON, 0), 0);
	hw_model_update(m, wave(12 * SEASON), &v);
	cr_assert(v.ready && v.lower < v.predicted && v.predicted < v.upper);
	hw_model_free(m);
}

Test(anomaly, a_level_shift_is_a_failure)
{
	struct hw_model *m = model();
	feed(m, 0, 8 * SEASON, 0);
	int failures = 0;
	for (unsigned t = 8 * SEASON; t < 8 * SEASON + 12; t++) {
		struct hw_verdict v;
		hw_model_update(m, wave(t) + 40, &v);
		failures += v.failure;
	}
	cr_assert_gt(failures, 0, "a +40 shift over 12 steps raised no failure");
	hw_model_free(m);
}

Test(anomaly, one_wild_value_is_a_spike_but_not_a_failure)
{
	struct hw_model *m = model();
	feed(m, 0, 8 * SEASON, 0);
	struct hw_verdict v;
	hw_model_update(m, wave(8 * SEASON) + 200, &v);
	cr_assert(v.violation && v.anomaly && !v.failure);
	cr_assert_gt(v.score, 3);
	hw_model_free(m);
}

Test(anomaly, missing_values_advance_the_season_without_alarms)
{
	struct hw_model *m = model();
	feed(m, 0, 4 * SEASON, 0);
	for (unsigned t = 4 * SEASON; t < 5 * SEASON; t++) {
		struct hw_verdict v;
		hw_model_update(m, t % 2 ? NAN : INFINITY, &v);
		cr_assert_eq(v.anomaly, 0);
	}
	cr_assert_eq(feed(m, 5 * SEASON, 4 * SEASON, 0), 0, "the phase slipped after gaps");
	hw_model_free(m);
}

Test(anomaly, bad_parameters_are_refused_with_a_reason)
{
	struct hw_params p;
	hw_params_default(&p);
	cr_assert_null(hw_params_check(&p));
	struct hw_params bad[6];
	for (int i = 0; i < 6; i++)
		bad[i] = p;
	bad[0].season = 1;
	bad[1].alpha = 1.5;
	bad[2].gamma = NAN;
	bad[3].threshold = 10;		/* more than window (9) */
	bad[4].window = 65;
	bad[5].spike = -1;
	for (int i = 0; i < 6; i++) {
		cr_assert_not_null(hw_params_check(&bad[i]), "case %d accepted", i);
		cr_assert_null(hw_model_new(&bad[i]));
	}
}
