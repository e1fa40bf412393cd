/*
 * rrd.c — the librrd wrapper: RRD files by path (naming by id), create,
 * data sources added later, updates, fetch, graph and the last values read
 * at start; through rrdcached when asked, else directly on the files. No
 * store state here: the RRD writer (rrdwrite.c) turns its files and rows
 * into these calls, and the reader pool reads with a plan (readplan.c).
 * Graphs must not run twice at once (librrd's graph code is not
 * reentrant): callers hold store_graph_lock.
 */
/* librrd's file structs (rrd_format.h): the format is versioned in each
 * file, and only versions 0003/0004 are read by hand (store_last_update) */
#define RRD_EXPORT_DEPRECATED 1
#include "collector/store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

void
store_rrd_relpath(uint32_t id, char *buf, size_t cap)
{
	/* 256 folders keep directories small; the name is only the id (of the
	 * file's first series, so it never changes). */
	snprintf(buf, cap, "rrd/%02x/%" PRIu32 ".rrd", (unsigned)(id & 0xff), id);
}

char *
rrdfile_path(const char *data_dir, uint32_t id)
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
retention_parse(const char *text, long long *res, long long *span)
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
 * Digits of v with a decimal point before the last `decimals` of them, when
 * v has at most 6 decimals: v == r / 10^k with r whole. That quotient is
 * the double nearest the decimal number, which is what strtod reads back, so
 * the short text is exact. Returns the first character, NULL if no such k.
 */
static char *
put_short_decimal(char *end, double v)
{
	static const double p10[] = { 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
	for (int k = 0; k < 6; k++) {
		double r = nearbyint(v * p10[k]);
		if (fabs(r) >= 1e15 || r / p10[k] != v)
			continue;
		uint64_t digits = (uint64_t)fabs(r), scale = 1;
		for (int i = 0; i <= k; i++)
			scale *= 10;
		char *p = put_u64(end, digits % scale + scale);	/* "1ddd": keeps zeros */
		p[0] = '.';
		p = put_u64(p, digits / scale);
		if (v < 0)
			*--p = '-';
		return p;
	}
	return NULL;
}

/* One value after a ':'; returns the new length (cap is never passed). */
static size_t
put_value(char *out, size_t at, size_t cap, double value)
{
	char buf[32], *end = buf + sizeof(buf), *p = NULL;
	if (at + 2 > cap)
		return at;
	out[at++] = ':';
	if (isnan(value)) {
		out[at++] = 'U';
		return at;
	}
	if (value == trunc(value) && fabs(value) < 1e15) {
		p = put_u64(end, (uint64_t)fabs(value));
		if (value < 0)
			*--p = '-';
	} else if (fabs(value) < 1e9) {
		p = put_short_decimal(end, value);
	}
	if (p != NULL) {
		size_t vlen = (size_t)(end - p);
		if (at + vlen < cap) {
			memcpy(out + at, p, vlen);
			return at + vlen;
		}
		return at;
	}
	int n = snprintf(out + at, cap - at, "%.17g", value);
	return n > 0 && (size_t)n < cap - at ? at + (size_t)n : at;
}

/*
 * "seconds.mmm:v1:v2…" as rrd_update reads it. snprintf's %.17g costs about
 * 0.4 µs a value, most of the store thread at full speed: timestamps,
 * whole numbers (counts, bytes, states) and values of up to 6 decimals (what
 * agents and scripts send) take exact fast paths.
 */
void
rrdfile_format_row(char *out, size_t cap, double ts, const double *v, size_t n)
{
	char buf[32], *end = buf + sizeof(buf), *p;
	uint64_t ms = (uint64_t)llround(ts * 1000.0);
	p = put_u64(end, ms % 1000 + 1000);	/* "1mmm": keeps leading zeros */
	p[0] = '.';
	p = put_u64(p, ms / 1000);
	size_t at = (size_t)(end - p);
	if (at + 1 > cap) {
		if (cap > 0)
			out[0] = '\0';
		return;
	}
	memcpy(out, p, at);
	for (size_t i = 0; i < n; i++)
		at = put_value(out, at, cap - 1, v[i]);
	out[at] = '\0';
}

/*
 * Make the RRD file at path (its folder too): step, first time start,
 * data sources and archives as librrd's create arguments ("DS:…", "RRA:…").
 * An existing file is left alone and counts as made. 0 or -1 (logged).
 */
int
rrdfile_create(const char *path, int rrdcached, uint32_t step, double start,
    const char *const *defs, size_t n_defs)
{
	char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash != NULL) {
		*slash = '\0';
		if (util_mkdirs(dir, 0750) < 0)
			log_warn("store: cannot create %s", dir);
	}
	free(dir);
	int rc;
	rrd_clear_error();
	if (rrdcached)
		rc = rrdc_create(path, step, (time_t)start, 1, (int)n_defs, (const char **)defs);
	else
		rc = rrd_create_r2(path, step, (time_t)start, 1, NULL, NULL, (int)n_defs,
		    (const char **)defs);
	if (rc != 0 && errno != EEXIST) {
		struct stat sb;
		if (stat(path, &sb) == 0)	/* no_overwrite: it already exists */
			return 0;
		log_warnx("store: cannot create RRD file %s: %s", path, rrd_get_error());
		return -1;
	}
	if (rc == 0 && !rrdcached && chmod(path, 0640) < 0)
		/* librrd makes every file 0644 whatever the umask: not world-readable */
		log_warn("store: cannot chmod RRD file %s", path);
	return rc == 0 ? 0 : -1;
}

/*
 * Which of names[n] the file at path lacks: missing[i] set to 1 or 0.
 * 0, or -1 (logged) when the file cannot be read.
 */
int
rrdfile_missing_ds(const char *path, int rrdcached, const char *const *names, size_t n,
    unsigned char *missing)
{
	time_t last;
	unsigned long have = 0;
	char **got = NULL, **values = NULL;
	if (rrdcached)
		rrdc_flush(path);	/* tune rewrites the file behind rrdcached */
	rrd_clear_error();
	if (rrd_lastupdate_r(path, &last, &have, &got, &values) != 0) {
		log_warnx("store: cannot read RRD file %s: %s", path, rrd_get_error());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		missing[i] = 1;
		for (unsigned long k = 0; k < have && missing[i]; k++)
			if (strcmp(got[k], names[i]) == 0)
				missing[i] = 0;
	}
	for (unsigned long k = 0; k < have; k++) {
		rrd_freemem(got[k]);
		rrd_freemem(values[k]);
	}
	rrd_freemem(got);
	rrd_freemem(values);
	return 0;
}

/* Add one data source ("DS:…") to the file at path (librrd copies it). */
int
rrdfile_add_ds(const char *path, const char *def)
{
	char *argv[] = { "tune", (char *)path, (char *)def, NULL };
	rrd_clear_error();
	if (rrd_tune(3, argv) != 0) {
		log_warnx("store: cannot add data source %s to RRD file %s: %s", def, path,
		    rrd_get_error());
		return -1;
	}
	return 0;
}

/*
 * Write n rows ("ts:v1:v2…", values in template's order) to the file at
 * path. rrdcached takes values in the file's order, which must then be
 * template's (the store keeps them so); librrd gets the names.
 */
int
rrdfile_update(const char *path, int rrdcached, const char *template, int n, const char **rows)
{
	rrd_clear_error();
	int rc = rrdcached ? rrdc_update(path, n, rows) :
	    rrd_updatex_r(path, template, RRD_SKIP_PAST_UPDATES, n, rows);
	if (rc != 0)
		log_warnx("store: update of RRD file %s failed: %s", path, rrd_get_error());
	return rc;
}

/*
 * The rows librrd returned (n rows of ds_cnt values, column col; col ==
 * ds_cnt: the file has no such data source) as at most max points: groups of
 * k rows become one, stamped with the end of the group.
 */
static void
rows_to_points(const rrd_value_t *data, size_t n, unsigned long ds_cnt, unsigned long col,
    time_t start, unsigned long rstep, const char *cf, size_t max, struct points *pt,
    unsigned long *out_step)
{
	size_t k = n > max ? (n + max - 1) / max : 1;
	for (size_t i = 0; i < n; i += k) {
		size_t m = n - i < k ? n - i : k;
		double v = col == ds_cnt ? NAN :
		    points_consolidate(data + i * ds_cnt + col, m, ds_cnt, cf);
		points_add(pt, (long long)start + (long long)((i + m) * rstep), v);
	}
	*out_step = rstep * k;
}

int
rrdfile_fetch(const struct store_read_plan *plan, const char *cf, double from, double to,
    unsigned long step, size_t max_points, char **points, size_t *len,
    unsigned long *out_step, char **err)
{
	*err = NULL;
	*points = NULL;
	*out_step = step ? step : 1;
	if (max_points == 0)
		max_points = 1;
	if (plan->answer != NULL) {	/* answered by the writer from memory */
		*points = strdup(plan->answer);
		*len = strlen(plan->answer);
		*out_step = plan->answer_step;
		return *points != NULL ? 0 : -1;
	}
	struct points pt;
	points_begin(&pt);
	if (plan->path == NULL)
		goto done;	/* known to the loop, not yet stored, or text: nothing */
	/*
	 * Nothing is kept before the longest retention nor after now: left out,
	 * they cannot make librrd allocate rows for millions of empty steps.
	 * Then a step coarse enough for at most max_points.
	 */
	double now = util_now();
	if (from < now - plan->kept)
		from = now - plan->kept;
	if (to > now + 86400)
		to = now + 86400;
	if (from >= to)
		goto done;
	double need = ceil((to - from) / (double)max_points);
	if ((double)step < need)
		step = (unsigned long)need;
	*out_step = step;
	time_t start = (time_t)from, end = (time_t)to;
	unsigned long ds_cnt = 0, rstep = step;
	char **ds_names = NULL;
	rrd_value_t *data = NULL;
	struct stat sb;

	if (stat(plan->path, &sb) < 0)
		goto done;	/* known series without samples on disk yet */
	if (plan->rrdcached)
		rrdc_flush(plan->path);
	rrd_clear_error();
	int rc = rrd_fetch_r(plan->path, cf, &start, &end, &rstep, &ds_cnt, &ds_names, &data);
	if (rc != 0) {
		if (asprintf(err, "cannot read series %u: %s", plan->id, rrd_get_error()) < 0)
			*err = NULL;
		free(pt.p);
		return -1;
	}
	unsigned long col = 0;
	while (col < ds_cnt && strcmp(ds_names[col], plan->ds) != 0)
		col++;
	size_t n = end > start && rstep > 0 ? (size_t)(end - start) / rstep : 0;
	/* rrd_fetch rounds end up to a whole step: rows past 'to' are not asked for */
	if (rstep > 0 && to >= (double)start && (size_t)((to - (double)start) / (double)rstep) < n)
		n = (size_t)((to - (double)start) / (double)rstep);
	else if (rstep > 0 && to < (double)start)
		n = 0;
	rows_to_points(data, n, ds_cnt, col, start, rstep, cf, max_points, &pt, out_step);
	for (unsigned long i = 0; i < ds_cnt; i++)
		rrd_freemem(ds_names[i]);
	rrd_freemem(ds_names);
	rrd_freemem(data);
done:
	*points = points_end(&pt, len);
	if (*points == NULL) {
		if (asprintf(err, "out of memory") < 0)
			*err = NULL;
		return -1;
	}
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
rrdfile_graph(const struct store_read_plan *plan, const char *title, double from, double to,
    const char *format, unsigned char **img, size_t *len, char **err)
{
	*err = NULL;
	*img = NULL;
	if (plan->path == NULL) {
		if (asprintf(err, "series %u has no stored values", plan->id) < 0)
			*err = NULL;
		return -1;
	}
	if (plan->rrdcached)
		rrdc_flush(plan->path);
	char epath[1024], etitle[512], def[1200], start[32], end[32];
	graph_escape(plan->path, epath, sizeof(epath));
	graph_escape(title, etitle, sizeof(etitle));
	snprintf(def, sizeof(def), "DEF:v=%s:%s:AVERAGE", epath, plan->ds);
	snprintf(start, sizeof(start), "%lld", (long long)from);
	snprintf(end, sizeof(end), "%lld", (long long)to);
	char line[600];
	snprintf(line, sizeof(line), "LINE1:v#1f77b4:%s", etitle);
	const char *argv[] = { "graph", "-", "--imgformat", format, "--start", start,
		"--end", end, "--width", "800", "--height", "240", "--title", title,
		"--slope-mode", def, line, NULL };
	rrd_clear_error();
	rrd_info_t *info = rrd_graph_v(17, (char **)argv);
	if (info == NULL) {
		if (asprintf(err, "cannot draw series %u: %s", plan->id, rrd_get_error()) < 0)
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

/*
 * The last update of every data source of one file, as rrd_lastupdate gives
 * it, read at start for every file. librrd maps and unmaps the whole file
 * each time (some 100 µs a file, 70,000 files at 700,000 series): the
 * header of a format 0003/0004 file on this machine is read here with one
 * pread (struct layouts from librrd's rrd_format.h); anything else, or
 * anything odd, goes to rrd_lastupdate_r.
 */
struct store_last_reader {
	char *data_dir;
	uint32_t file;			/* the file read last, 0 none */
	int ok;
	time_t last;
	unsigned long n;
	char (*names)[DS_NAM_SIZE];
	char (*values)[LAST_DS_LEN];
	unsigned char *buf;		/* the header, for the fast path */
	size_t cap;
};

struct store_last_reader *
store_last_reader_new(const char *data_dir)
{
	struct store_last_reader *r = calloc(1, sizeof(*r));
	if (r != NULL && (r->data_dir = strdup(data_dir)) == NULL) {
		free(r);
		r = NULL;
	}
	return r;
}

static void
reader_forget(struct store_last_reader *r)
{
	free(r->names);
	free(r->values);
	r->names = NULL;
	r->values = NULL;
	r->n = 0;
	r->ok = 0;
}

void
store_last_reader_free(struct store_last_reader *r)
{
	if (r == NULL)
		return;
	reader_forget(r);
	free(r->buf);
	free(r->data_dir);
	free(r);
}

static int
reader_alloc(struct store_last_reader *r, unsigned long n)
{
	r->names = calloc(n ? n : 1, sizeof(*r->names));
	r->values = calloc(n ? n : 1, sizeof(*r->values));
	r->n = n;
	return r->names != NULL && r->values != NULL ? 0 : -1;
}

/* The fast path: 1 read, 0 not a file it reads (use librrd), -1 no such file. */
static int
read_header(struct store_last_reader *r, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -1 : 0;
	stat_head_t sh;
	struct stat sb;
	int rc = 0;
	if (fstat(fd, &sb) < 0 || pread(fd, &sh, sizeof(sh), 0) != (ssize_t)sizeof(sh) ||
	    memcmp(sh.cookie, RRD_COOKIE, 4) != 0 || sh.float_cookie != FLOAT_COOKIE ||
	    (strcmp(sh.version, RRD_VERSION3) != 0 && strcmp(sh.version, RRD_VERSION4) != 0) ||
	    sh.ds_cnt == 0 || sh.ds_cnt > 65536 || sh.rra_cnt == 0 || sh.rra_cnt > 4096)
		goto out;
	size_t live = sizeof(sh) + sh.ds_cnt * sizeof(ds_def_t) + sh.rra_cnt * sizeof(rra_def_t);
	size_t len = live + sizeof(live_head_t) + sh.ds_cnt * sizeof(pdp_prep_t);
	if ((size_t)sb.st_size < len)
		goto out;		/* truncated: librrd says what is wrong */
	if (len > r->cap) {
		unsigned char *g = realloc(r->buf, len);
		if (g == NULL)
			goto out;
		r->buf = g;
		r->cap = len;
	}
	if (pread(fd, r->buf, len, 0) != (ssize_t)len || reader_alloc(r, sh.ds_cnt) < 0)
		goto out;
	live_head_t lh;
	memcpy(&lh, r->buf + live, sizeof(lh));
	r->last = lh.last_up;
	for (unsigned long i = 0; i < sh.ds_cnt; i++) {
		ds_def_t ds;
		pdp_prep_t pp;
		memcpy(&ds, r->buf + sizeof(sh) + i * sizeof(ds), sizeof(ds));
		memcpy(&pp, r->buf + live + sizeof(lh) + i * sizeof(pp), sizeof(pp));
		memcpy(r->names[i], ds.ds_nam, DS_NAM_SIZE - 1);
		memcpy(r->values[i], pp.last_ds, LAST_DS_LEN - 1);
	}
	rc = 1;
out:
	close(fd);
	return rc;
}

/* The slow path, through librrd. */
static int
read_lastupdate(struct store_last_reader *r, const char *path)
{
	unsigned long n = 0;
	char **names = NULL, **values = NULL;
	rrd_clear_error();
	if (rrd_lastupdate_r(path, &r->last, &n, &names, &values) != 0)
		return 0;
	int ok = reader_alloc(r, n) == 0;
	for (unsigned long i = 0; i < n; i++) {
		if (ok) {
			snprintf(r->names[i], DS_NAM_SIZE, "%s", names[i]);
			snprintf(r->values[i], LAST_DS_LEN, "%s", values[i]);
		}
		rrd_freemem(names[i]);
		rrd_freemem(values[i]);
	}
	rrd_freemem(names);
	rrd_freemem(values);
	return ok;
}

int
store_last_update(struct store_last_reader *r, uint32_t file, const char *ds, double *ts,
    double *value)
{
	if (file == 0 || ds == NULL)
		return -1;
	if (file != r->file) {
		reader_forget(r);
		r->file = file;
		char *path = rrdfile_path(r->data_dir, file);
		int rc = path ? read_header(r, path) : -1;
		if (rc == 0) {
			reader_forget(r);
			r->ok = read_lastupdate(r, path);
		} else {
			r->ok = rc > 0;
		}
		free(path);
	}
	for (unsigned long i = 0; r->ok && i < r->n; i++) {
		if (strcmp(r->names[i], ds) != 0)
			continue;
		*ts = (double)r->last;
		*value = strcmp(r->values[i], "U") != 0 ? strtod(r->values[i], NULL) : NAN;
		return 0;
	}
	return -1;
}
