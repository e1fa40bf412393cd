/*
 * rrd.c — RRD files for series: naming by id, creation with the configured
 * retention, batched updates, fetch and graph. Called only on the store
 * thread (librrd's graph code is not thread-safe); through rrdcached when
 * the store has a client, else directly on the files.
 */
#include "collector/store/store_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/util.h"

void
store_rrd_relpath(uint32_t id, char *buf, size_t cap)
{
	/* 256 folders keep directories small; the name is only the id. */
	snprintf(buf, cap, "rrd/%02x/%" PRIu32 ".rrd", (unsigned)(id & 0xff), id);
}

char *
rrd_path_for(const char *data_dir, uint32_t id)
{
	char rel[64];
	char *path;
	store_rrd_relpath(id, rel, sizeof(rel));
	if (asprintf(&path, "%s/%s", data_dir, rel) < 0)
		return NULL;
	return path;
}

/* Parse "raw:1d" or "5m:30d" into a resolution (0 = raw) and a span. */
int
rrd_parse_retention(const char *text, long long *res, long long *span)
{
	char left[32];
	const char *colon = strchr(text, ':');
	if (colon == NULL || (size_t)(colon - text) >= sizeof(left))
		return -1;
	memcpy(left, text, (size_t)(colon - text));
	left[colon - text] = '\0';
	if (strcmp(left, "raw") == 0)
		*res = 0;
	else if (cfg_parse_duration(left, res) < 0 || *res <= 0)
		return -1;
	if (cfg_parse_duration(colon + 1, span) < 0 || *span <= 0)
		return -1;
	return 0;
}

/* Build the DS and RRA arguments for a series with this step. */
static int
rrd_create_args(const struct store *st, uint32_t step, char args[][64], int max)
{
	int n = 0;
	snprintf(args[n++], 64, "DS:value:GAUGE:%u:U:U", step * 3 < 120 ? 120 : step * 3);
	for (size_t i = 0; i < st->retention->n && n < max; i++) {
		long long res, span;
		if (rrd_parse_retention(st->retention->v[i], &res, &span) < 0)
			continue;
		long long pdp = res <= step ? 1 : (res + step / 2) / step;
		long long rows = span / (pdp * step);
		if (rows < 2)
			rows = 2;
		if (pdp == 1) {
			snprintf(args[n++], 64, "RRA:AVERAGE:0.5:1:%lld", rows);
			continue;
		}
		for (size_t c = 0; c < st->consolidation->n && n < max; c++)
			snprintf(args[n++], 64, "RRA:%s:0.5:%lld:%lld",
			    st->consolidation->v[c], pdp, rows);
	}
	return n;
}

int
rrd_create_series(struct store *st, uint32_t id, uint32_t step, double start)
{
	char *path = rrd_path_for(st->data_dir, id);
	if (path == NULL)
		return -1;
	char *slash = strrchr(path, '/');
	*slash = '\0';
	if (util_mkdirs(path, 0750) < 0)
		log_warn("store: cannot create %s", path);
	*slash = '/';

	char args[32][64];
	const char *argv[32];
	int argc = rrd_create_args(st, step, args, 32);
	for (int i = 0; i < argc; i++)
		argv[i] = args[i];
	rrd_clear_error();
	int rc;
	if (st->rrdcached)
		rc = rrdc_create(path, step, (time_t)start, 1, argc, argv);
	else
		rc = rrd_create_r2(path, step, (time_t)start, 1, NULL, NULL, argc, argv);
	if (rc != 0 && errno != EEXIST) {
		struct stat sb;
		if (stat(path, &sb) == 0) {	/* no_overwrite: it already exists */
			rc = 0;
		} else {
			log_warnx("store: cannot create RRD for series %u: %s", id,
			    rrd_get_error());
		}
	}
	free(path);
	return rc == 0 ? 0 : -1;
}

/* Decimal digits of v, backwards from end; returns the first digit. */
static char *
put_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

/*
 * "seconds.mmm:value" as rrd_update reads it. snprintf's %.17g costs about
 * 0.4 µs a value, a fifth of the store thread at full speed: timestamps and
 * whole-number values (counts, bytes, states) take an exact fast path.
 */
void
rrd_format_update(char *out, size_t cap, double ts, double value)
{
	char buf[48], *end = buf + sizeof(buf), *p;
	uint64_t ms = (uint64_t)llround(ts * 1000.0);
	p = put_u64(end, ms % 1000 + 1000);	/* "1mmm": keeps leading zeros */
	p[0] = '.';
	p = put_u64(p, ms / 1000);
	size_t tlen = (size_t)(end - p);
	if (tlen + 2 > cap) {
		snprintf(out, cap, "%.3f:%.17g", ts, value);
		return;
	}
	memcpy(out, p, tlen);
	out[tlen] = ':';
	if (value == trunc(value) && fabs(value) < 1e15) {
		uint64_t mag = (uint64_t)fabs(value);
		p = put_u64(end, mag);
		if (value < 0)
			*--p = '-';
		size_t vlen = (size_t)(end - p);
		if (tlen + 1 + vlen + 1 <= cap) {
			memcpy(out + tlen + 1, p, vlen);
			out[tlen + 1 + vlen] = '\0';
			return;
		}
	}
	snprintf(out + tlen + 1, cap - tlen - 1, "%.17g", value);
}

int
rrd_write_values(struct store *st, uint32_t id, const struct pending_value *v, size_t n)
{
	char *path = rrd_path_for(st->data_dir, id);
	if (path == NULL)
		return -1;
	char (*text)[48] = malloc(n * sizeof(*text));
	const char **argv = malloc(n * sizeof(*argv));
	int rc = -1;
	if (text == NULL || argv == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		rrd_format_update(text[i], sizeof(text[i]), v[i].ts, v[i].value);
		argv[i] = text[i];
	}
	double t0 = util_monotonic();
	rrd_clear_error();
	if (st->rrdcached)
		rc = rrdc_update(path, (int)n, argv);
	else
		rc = rrd_updatex_r(path, NULL, RRD_SKIP_PAST_UPDATES, (int)n, argv);
	uint64_t usec = (uint64_t)((util_monotonic() - t0) * 1e6);
	__atomic_add_fetch(&st->metrics->rrd_update_usec_total, usec, __ATOMIC_RELAXED);
	__atomic_add_fetch(&st->metrics->rrd_updates, n, __ATOMIC_RELAXED);
	if (rc != 0) {
		__atomic_add_fetch(&st->metrics->rrd_update_errors, 1, __ATOMIC_RELAXED);
		log_warnx("store: update of series %u failed: %s", id, rrd_get_error());
	}
out:
	free(text);
	free(argv);
	free(path);
	return rc;
}

int
store_fetch(struct store *st, uint32_t id, const char *cf, double from, double to,
    unsigned long step, json_t **points, unsigned long *out_step, char **err)
{
	*err = NULL;
	*points = NULL;
	store_flush_series(st, id);
	char *path = rrd_path_for(st->data_dir, id);
	time_t start = (time_t)from, end = (time_t)to;
	unsigned long ds_cnt = 0, rstep = step ? step : 1;
	char **ds_names = NULL;
	rrd_value_t *data = NULL;
	struct stat sb;

	if (path == NULL)
		return -1;
	if (stat(path, &sb) < 0) {
		/* Known series without samples on disk yet: an empty answer. */
		free(path);
		*points = json_array();
		*out_step = rstep;
		return 0;
	}
	if (st->rrdcached)
		rrdc_flush(path);
	rrd_clear_error();
	int rc = rrd_fetch_r(path, cf, &start, &end, &rstep, &ds_cnt, &ds_names, &data);
	free(path);
	if (rc != 0) {
		if (asprintf(err, "cannot read series %u: %s", id, rrd_get_error()) < 0)
			*err = NULL;
		return -1;
	}
	json_t *arr = json_array();
	rrd_value_t *d = data;
	for (time_t t = start + (time_t)rstep; t <= end; t += (time_t)rstep) {
		json_t *pt = json_array();
		json_array_append_new(pt, json_integer((json_int_t)t));
		json_array_append_new(pt, isnan(*d) ? json_null() : json_real(*d));
		json_array_append_new(arr, pt);
		d += ds_cnt;
	}
	for (unsigned long i = 0; i < ds_cnt; i++)
		rrd_freemem(ds_names[i]);
	rrd_freemem(ds_names);
	rrd_freemem(data);
	*points = arr;
	*out_step = rstep;
	return 0;
}

/* rrdgraph treats ':' as a separator: escape it in paths and legends. */
static void
graph_escape(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (; *in && o + 2 < cap; in++) {
		if (*in == ':' || *in == '\\')
			out[o++] = '\\';
		out[o++] = *in;
	}
	out[o] = '\0';
}

int
store_graph(struct store *st, uint32_t id, const char *title, double from, double to,
    const char *format, unsigned char **img, size_t *len, char **err)
{
	*err = NULL;
	*img = NULL;
	store_flush_series(st, id);
	char *path = rrd_path_for(st->data_dir, id);
	if (path == NULL)
		return -1;
	if (st->rrdcached)
		rrdc_flush(path);
	char epath[1024], etitle[512], def[1200], start[32], end[32];
	graph_escape(path, epath, sizeof(epath));
	graph_escape(title, etitle, sizeof(etitle));
	snprintf(def, sizeof(def), "DEF:v=%s:value:AVERAGE", epath);
	snprintf(start, sizeof(start), "%lld", (long long)from);
	snprintf(end, sizeof(end), "%lld", (long long)to);
	char line[600];
	snprintf(line, sizeof(line), "LINE1:v#1f77b4:%s", etitle);
	const char *argv[] = { "graph", "-", "--imgformat", format, "--start", start,
		"--end", end, "--width", "800", "--height", "240", "--title", title,
		"--slope-mode", def, line, NULL };
	free(path);
	rrd_clear_error();
	rrd_info_t *info = rrd_graph_v(17, (char **)argv);
	if (info == NULL) {
		if (asprintf(err, "cannot draw series %u: %s", id, rrd_get_error()) < 0)
			*err = NULL;
		return -1;
	}
	for (rrd_info_t *i = info; i != NULL; i = i->next) {
		if (strcmp(i->key, "image") == 0 && i->type == RD_I_BLO) {
			*img = malloc(i->value.u_blo.size);
			if (*img != NULL) {
				memcpy(*img, i->value.u_blo.ptr, i->value.u_blo.size);
				*len = i->value.u_blo.size;
			}
		}
	}
	rrd_info_free(info);
	if (*img == NULL) {
		if (asprintf(err, "rrdgraph returned no image") < 0)
			*err = NULL;
		return -1;
	}
	return 0;
}

int
store_last_update(const char *data_dir, uint32_t id, double *ts, double *value)
{
	char *path = rrd_path_for(data_dir, id);
	time_t last = 0;
	unsigned long ds_cnt = 0;
	char **names = NULL, **values = NULL;
	int rc = -1;

	if (path == NULL)
		return -1;
	rrd_clear_error();
	if (access(path, F_OK) == 0 &&
	    rrd_lastupdate_r(path, &last, &ds_cnt, &names, &values) == 0) {
		*ts = (double)last;
		*value = ds_cnt > 0 && strcmp(values[0], "U") != 0 ? strtod(values[0], NULL) : NAN;
		for (unsigned long i = 0; i < ds_cnt; i++) {
			rrd_freemem(names[i]);
			rrd_freemem(values[i]);
		}
		rrd_freemem(names);
		rrd_freemem(values);
		rc = 0;
	}
	free(path);
	return rc;
}
