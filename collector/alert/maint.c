/*
 * maint.c — maintenance windows: one-off or weekly, by device names or by a
 * match on rule, device and kind. Alerts raised inside one are recorded but
 * not notified (DESIGN §9).
 */
#include "collector/alert/alert.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "common/util.h"

#define WEEK (7 * 86400.0)

void
maint_free(struct maint_window *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n_devices; i++)
		free(w->devices[i]);
	free(w->devices);
	free(w->match_rule);
	free(w->match_device);
	free(w->match_kind);
	free(w->comment);
	free(w->created_by);
	free(w);
}

static int
get_time(json_t *v, double now, double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return isfinite(*out) ? 0 : -1;
	}
	if (!json_is_string(v))
		return -1;
	const char *t = json_string_value(v);
	long long secs;
	if (t[0] == '+') {	/* "+2h": from now on */
		if (cfg_parse_duration(t + 1, &secs) < 0)
			return -1;
		*out = now + (double)secs;
		return 0;
	}
	return util_parse_time(t, now, out);
}

static char *
opt_string(json_t *o, const char *k, int *bad)
{
	json_t *v = json_object_get(o, k);
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || json_string_length(v) > 256) {
		*bad = 1;
		return NULL;
	}
	return strdup(json_string_value(v));
}

struct maint_window *
maint_from_json(json_t *j, char *err, size_t errlen)
{
	struct maint_window *w = calloc(1, sizeof(*w));
	double now = util_now();
	int bad = 0;
	if (w == NULL || !json_is_object(j)) {
		snprintf(err, errlen, "a maintenance window is a JSON object");
		goto fail;
	}
	json_t *id = json_object_get(j, "id");
	if (json_is_integer(id))
		w->id = json_integer_value(id);
	json_t *devs = json_object_get(j, "devices"), *m = json_object_get(j, "match");
	if (devs != NULL && !json_is_null(devs)) {
		if (!json_is_array(devs) || json_array_size(devs) == 0 ||
		    json_array_size(devs) > 10000) {
			snprintf(err, errlen, "devices: a list of device names");
			goto fail;
		}
		w->devices = calloc(json_array_size(devs), sizeof(char *));
		size_t i;
		json_t *v;
		json_array_foreach(devs, i, v) {
			if (!json_is_string(v) || w->devices == NULL) {
				snprintf(err, errlen, "devices: a list of device names");
				goto fail;
			}
			w->devices[w->n_devices++] = strdup(json_string_value(v));
		}
	}
	if (m != NULL && !json_is_null(m)) {
		if (!json_is_object(m)) {
			snprintf(err, errlen, "match: an object {rule, device, kind}");
			goto fail;
		}
		w->match_rule = opt_string(m, "rule", &bad);
		w->match_device = opt_string(m, "device", &bad);
		w->match_kind = opt_string(m, "kind", &bad);
		if (bad || (!w->match_rule && !w->match_device && !w->match_kind)) {
			snprintf(err, errlen, "match: give rule, device or kind (strings)");
			goto fail;
		}
	}
	if (w->n_devices == 0 && w->match_rule == NULL && w->match_device == NULL &&
	    w->match_kind == NULL) {
		snprintf(err, errlen, "give \"devices\" (names) or \"match\"");
		goto fail;
	}
	if (get_time(json_object_get(j, "from"), now, &w->from) < 0 ||
	    get_time(json_object_get(j, "to"), now, &w->to) < 0) {
		snprintf(err, errlen, "from and to: Unix seconds or relative times (-1h, +2h)");
		goto fail;
	}
	if (w->to <= w->from) {
		snprintf(err, errlen, "to must be after from");
		goto fail;
	}
	json_t *rec = json_object_get(j, "recurrence");
	if (rec != NULL && !json_is_null(rec)) {
		if (!json_is_string(rec) || (strcmp(json_string_value(rec), "weekly") != 0 &&
		    strcmp(json_string_value(rec), "none") != 0)) {
			snprintf(err, errlen, "recurrence: \"weekly\" or null");
			goto fail;
		}
		w->weekly = strcmp(json_string_value(rec), "weekly") == 0;
		if (w->weekly && w->to - w->from >= WEEK) {
			snprintf(err, errlen, "a weekly window lasts less than a week");
			goto fail;
		}
	}
	w->comment = opt_string(j, "comment", &bad);
	if (bad) {
		snprintf(err, errlen, "comment: a string of at most 256 bytes");
		goto fail;
	}
	return w;
fail:
	maint_free(w);
	return NULL;
}

json_t *
maint_to_json(const struct maint_window *w)
{
	json_t *j = json_pack("{s:I, s:f, s:f, s:s?, s:s?, s:s?}", "id", (json_int_t)w->id,
	    "from", w->from, "to", w->to, "recurrence", w->weekly ? "weekly" : NULL,
	    "comment", w->comment, "created_by", w->created_by);
	if (w->n_devices) {
		json_t *a = json_array();
		for (size_t i = 0; i < w->n_devices; i++)
			json_array_append_new(a, json_string(w->devices[i]));
		json_object_set_new(j, "devices", a);
	}
	if (w->match_rule || w->match_device || w->match_kind)
		json_object_set_new(j, "match", json_pack("{s:s?, s:s?, s:s?}", "rule",
		    w->match_rule, "device", w->match_device, "kind", w->match_kind));
	return j;
}

static int
eq(const char *pattern, const char *s)
{
	return pattern == NULL || (s != NULL && strcmp(pattern, s) == 0);
}

int
maint_covers(const struct maint_window *w, double now, const char *rule, const char *device,
    const char *kind)
{
	if (now < w->from)
		return 0;
	if (w->weekly ? fmod(now - w->from, WEEK) >= w->to - w->from : now >= w->to)
		return 0;
	for (size_t i = 0; i < w->n_devices; i++)
		if (device != NULL && strcmp(w->devices[i], device) == 0)
			return 1;
	if (w->n_devices)
		return 0;
	return eq(w->match_rule, rule) && eq(w->match_device, device) && eq(w->match_kind, kind);
}
