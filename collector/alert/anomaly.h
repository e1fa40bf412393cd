/*
 * anomaly.h — seasonal baselines for chosen series: Holt-Winters forecasting
 * with Brutlag's confidence bands, the method behind RRDtool's aberrant
 * behaviour RRAs (HWPREDICT, DEVPREDICT, FAILURES), kept in memory so the
 * alert engine decides on arrival and never reads RRD files.
 *
 * One model per series, fed one value per step (NAN for a missing step).
 * Pure: no I/O, no clock; the caller owns the model. bench/anomaly validates
 * it on synthetic seasonal data with injected faults, side by side with
 * RRDtool's own, and reports precision and recall.
 */
#ifndef CAMPUSMON_ANOMALY_H
#define CAMPUSMON_ANOMALY_H

#include <stddef.h>

struct hw_params {
	unsigned season;	/* steps per season, e.g. 288 for a day of 5-minute steps */
	double alpha;		/* level smoothing, 0 < alpha < 1 */
	double beta;		/* trend smoothing, 0 <= beta < 1 */
	double gamma;		/* seasonal and deviation smoothing, 0 < gamma < 1 */
	double delta;		/* band half-width in smoothed deviations (RRDtool: 2) */
	double floor;		/* least band half-width, as a fraction of |prediction| */
	unsigned window;	/* failure: at least threshold violations among */
	unsigned threshold;	/* the last window steps (RRDtool: 7 of 9) */
	double spike;		/* one value this many half-widths out is an anomaly
				 * on its own (0: only failures count, as RRDtool) */
};

/* RRDtool's defaults where it has them; a day of 5-minute steps; spikes
 * at 3 half-widths (6 deviations). */
void hw_params_default(struct hw_params *p);
/* NULL if p is usable, else what is wrong with it (a static string). */
const char *hw_params_check(const struct hw_params *p);

/* What one step says. Until the model has seen two seasons it is learning:
 * ready is 0 and violation and failure stay 0. */
struct hw_verdict {
	int ready;
	double predicted, lower, upper;	/* NAN while learning */
	int violation;		/* this value is outside [lower, upper] */
	int failure;		/* threshold of the last window steps violated */
	double score;		/* |value - predicted| / half-width (0 while learning) */
	int anomaly;		/* failure, or a spike (score >= spike > 0) */
};

struct hw_model;
/* A new model for p (checked with hw_params_check), or NULL. Its size is
 * about 2 * season doubles: see hw_model_bytes. */
struct hw_model *hw_model_new(const struct hw_params *p);
void hw_model_free(struct hw_model *m);
size_t hw_model_bytes(const struct hw_params *p);
/* Feed the next step's value (NAN: missing, which advances the season
 * without learning and counts as no violation) and tell what it says. */
void hw_model_update(struct hw_model *m, double value, struct hw_verdict *out);

#endif
