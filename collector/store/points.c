/*
 * points.c — the points of a query answer, written straight to JSON text
 * ("[[ts,v],…]", null for no value) as they are read, so no JSON tree of a
 * long range is ever built; and the consolidation of consecutive rows into
 * one, which keeps an answer within api.max_points whatever step librrd
 * returned.
 */
#include "collector/store/store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
points_put(struct points *pt, const char *s, size_t n)
{
	if (pt->failed)
		return;
	if (pt->len + n + 1 > pt->cap) {
		size_t cap = pt->cap ? pt->cap : 4096;
		while (cap < pt->len + n + 1)
			cap *= 2;
		char *g = realloc(pt->p, cap);
		if (g == NULL) {
			pt->failed = 1;
			return;
		}
		pt->p = g;
		pt->cap = cap;
	}
	memcpy(pt->p + pt->len, s, n);
	pt->len += n;
	pt->p[pt->len] = '\0';
}

void
points_begin(struct points *pt)
{
	memset(pt, 0, sizeof(*pt));
	points_put(pt, "[", 1);
}

void
points_add(struct points *pt, long long ts, double v)
{
	char buf[80];
	int n;
	if (!isfinite(v)) {
		n = snprintf(buf, sizeof(buf), "%s[%lld,null]", pt->n ? "," : "", ts);
	} else {
		/* as jansson writes a real: 17 significant digits, ".0" if whole */
		char num[40];
		snprintf(num, sizeof(num), "%.17g", v);
		n = snprintf(buf, sizeof(buf), "%s[%lld,%s%s]", pt->n ? "," : "", ts, num,
		    strpbrk(num, ".eE") ? "" : ".0");
	}
	if (n > 0 && (size_t)n < sizeof(buf)) {
		points_put(pt, buf, (size_t)n);
		pt->n++;
	}
}

char *
points_end(struct points *pt, size_t *len)
{
	points_put(pt, "]", 1);
	if (pt->failed) {
		free(pt->p);
		pt->p = NULL;
		*len = 0;
		return NULL;
	}
	*len = pt->len;
	return pt->p;
}

double
points_consolidate(const double *v, size_t n, size_t stride, const char *cf)
{
	double acc = NAN;
	size_t known = 0;
	int max = strcmp(cf, "MAX") == 0, min = strcmp(cf, "MIN") == 0;
	for (size_t i = 0; i < n; i++) {
		double x = v[i * stride];
		if (isnan(x))
			continue;
		if (known++ == 0)
			acc = x;
		else if (max)
			acc = x > acc ? x : acc;
		else if (min)
			acc = x < acc ? x : acc;
		else
			acc += x;
	}
	return known > 0 && !max && !min ? acc / (double)known : acc;
}
