/*
 * src_diskio.c — block device I/O from /proc/diskstats, as iostat -x shows it.
 *
 *   diskio,name=sda,type=disk|partition  reads_ps, writes_ps, read_bytes_ps,
 *       write_bytes_ps, merged_reads_ps, merged_writes_ps, read_await_ms,
 *       write_await_ms, queue_depth, util_percent, iops_in_progress
 *
 * Devices that never did any I/O and names matching diskio.exclude (default
 * loop*, ram*) are left out.
 */
#include "agent/agent.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
diskstats_parse_line(const char *line, size_t len, struct diskstat *d)
{
	const char *p = line, *end = line + len;
	uint64_t v[20], maj, min;
	int n = 0;

	memset(d, 0, sizeof(*d));
	if (scan_u64(&p, end, &maj) < 0 || scan_u64(&p, end, &min) < 0 ||
	    maj > UINT_MAX || min > UINT_MAX)
		return -1;
	int wl = scan_word(&p, end, d->name, sizeof(d->name));
	if (wl < 0 || (size_t)wl >= sizeof(d->name))
		return -1;
	while (n < 20 && scan_u64(&p, end, &v[n]) == 0)
		n++;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p != end)
		return -1;	/* trailing garbage or more than 20 numbers */
	d->major = (unsigned)maj;
	d->minor = (unsigned)min;
	if (n == 4) {		/* 2.6 partitions: reads, sectors, writes, sectors */
		d->rd_ios = v[0];
		d->rd_sectors = v[1];
		d->wr_ios = v[2];
		d->wr_sectors = v[3];
		return 0;
	}
	if (n < 11)
		return -1;
	d->rd_ios = v[0];
	d->rd_merges = v[1];
	d->rd_sectors = v[2];
	d->rd_ticks = v[3];
	d->wr_ios = v[4];
	d->wr_merges = v[5];
	d->wr_sectors = v[6];
	d->wr_ticks = v[7];
	d->in_flight = v[8];
	d->io_ticks = v[9];
	d->queue_ticks = v[10];
	return 0;
}

/* parse_table() callback: one line into one record. */
static int
diskstats_parse_rec(const char *line, size_t llen, void *rec)
{
	return diskstats_parse_line(line, llen, rec);
}

int
diskstats_parse(const char *buf, size_t len, struct diskstat **out, size_t *n)
{
	return parse_table(buf, len, sizeof(**out), diskstats_parse_rec, (void **)out, n);
}

/* Without sysfs (containers): partitions by name (sda1, nvme0n1p2, mmcblk0p1). */
static int
kind_by_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || !isdigit((unsigned char)name[n - 1]))
		return DISK_KIND_DISK;
	size_t i = n;
	while (i > 0 && isdigit((unsigned char)name[i - 1]))
		i--;
	if (i > 0 && name[i - 1] == 'p' && i > 1 && isdigit((unsigned char)name[i - 2]))
		return DISK_KIND_PARTITION;	/* nvme0n1p1, mmcblk0p1 */
	if ((strncmp(name, "sd", 2) == 0 || strncmp(name, "vd", 2) == 0 ||
	    strncmp(name, "hd", 2) == 0 || strncmp(name, "xvd", 3) == 0) &&
	    i > 0 && isalpha((unsigned char)name[i - 1]))
		return DISK_KIND_PARTITION;
	return DISK_KIND_DISK;
}

int
diskio_kind(const char *sys_root, const char *name)
{
	char rel[PATH_MAX], sysname[sizeof(((struct diskstat *)0)->name)];
	snprintf(sysname, sizeof(sysname), "%s", name);
	for (char *s = sysname; *s; s++)
		if (*s == '/')
			*s = '!';	/* cciss/c0d0 is cciss!c0d0 in sysfs */
	snprintf(rel, sizeof(rel), "%s/class/block/%s", sys_root, sysname);
	if (access(rel, F_OK) < 0)
		return kind_by_name(name);
	snprintf(rel, sizeof(rel), "%s/class/block/%s/partition", sys_root, sysname);
	return access(rel, F_OK) == 0 ? DISK_KIND_PARTITION : DISK_KIND_DISK;
}

int
diskio_rates(const struct diskstat *a, const struct diskstat *b, int64_t elapsed_ns,
    struct disk_rates *r)
{
	uint64_t rd, wr, rds, wrs, rdm, wrm, rdt, wrt, io, q;

	if (elapsed_ns <= 0 ||
	    counter_delta(a->rd_ios, b->rd_ios, &rd) < 0 ||
	    counter_delta(a->wr_ios, b->wr_ios, &wr) < 0 ||
	    counter_delta(a->rd_sectors, b->rd_sectors, &rds) < 0 ||
	    counter_delta(a->wr_sectors, b->wr_sectors, &wrs) < 0 ||
	    counter_delta(a->rd_merges, b->rd_merges, &rdm) < 0 ||
	    counter_delta(a->wr_merges, b->wr_merges, &wrm) < 0 ||
	    counter_delta(a->rd_ticks, b->rd_ticks, &rdt) < 0 ||
	    counter_delta(a->wr_ticks, b->wr_ticks, &wrt) < 0 ||
	    counter_delta(a->io_ticks, b->io_ticks, &io) < 0 ||
	    counter_delta(a->queue_ticks, b->queue_ticks, &q) < 0)
		return -1;
	double ms = (double)elapsed_ns / 1e6;
	r->reads_ps = rate_ps(rd, elapsed_ns);
	r->writes_ps = rate_ps(wr, elapsed_ns);
	r->read_bytes_ps = rate_ps(rds * 512, elapsed_ns);	/* diskstats sectors are 512 B */
	r->write_bytes_ps = rate_ps(wrs * 512, elapsed_ns);
	r->merged_reads_ps = rate_ps(rdm, elapsed_ns);
	r->merged_writes_ps = rate_ps(wrm, elapsed_ns);
	r->read_await_ms = rd ? (double)rdt / (double)rd : 0;
	r->write_await_ms = wr ? (double)wrt / (double)wr : 0;
	r->queue_depth = (double)q / ms;
	r->util_percent = 100.0 * (double)io / ms;
	if (r->util_percent > 100)
		r->util_percent = 100;
	return 0;
}

struct diskio_state {
	struct diskstat *prev;
	size_t n_prev;
	int64_t prev_ns;
};

static void *
diskio_init(void)
{
	return calloc(1, sizeof(struct diskio_state));
}

static void
diskio_free(void *p)
{
	struct diskio_state *st = p;
	if (st != NULL)
		free(st->prev);
	free(st);
}

static const struct diskstat *
find_prev(const struct diskio_state *st, size_t hint, const struct diskstat *d)
{
	if (hint < st->n_prev && strcmp(st->prev[hint].name, d->name) == 0)
		return &st->prev[hint];
	for (size_t i = 0; i < st->n_prev; i++)
		if (strcmp(st->prev[i].name, d->name) == 0)
			return &st->prev[i];
	return NULL;
}

static int
excluded(const struct cfg_strlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (fnmatch(l->v[i], name, 0) == 0)
			return 1;
	return 0;
}

static int
diskio_collect(void *p, struct collect *c)
{
	struct diskio_state *st = p;
	struct diskstat *cur;
	size_t n;
	long len = proc_read(c->scratch, c->cfg->proc_root, "diskstats");

	if (len < 0)
		return -1;
	if (diskstats_parse(c->scratch->p, (size_t)len, &cur, &n) < 0) {
		errno = ENOMEM;
		return -1;
	}
	int64_t elapsed = c->mono_ns - st->prev_ns;
	for (size_t i = 0; i < n; i++) {
		struct diskstat *d = &cur[i];
		const struct diskstat *pv = find_prev(st, i, d);
		d->kind = pv != NULL ? pv->kind : DISK_KIND_UNKNOWN;
		if (d->rd_ios == 0 && d->wr_ios == 0)
			continue;
		if (excluded(&c->cfg->diskio_exclude, d->name))
			continue;
		if (d->kind == DISK_KIND_UNKNOWN)
			d->kind = diskio_kind(c->cfg->sys_root, d->name);
		struct disk_rates r;
		if (pv == NULL || diskio_rates(pv, d, elapsed, &r) < 0)
			continue;	/* first sight or reset: no bogus rate */
		collect_begin(c, "diskio");
		lpw_tag(c->out, "name", d->name);
		lpw_tag(c->out, "type", d->kind == DISK_KIND_PARTITION ? "partition" : "disk");
		lpw_float(c->out, "reads_ps", r.reads_ps);
		lpw_float(c->out, "writes_ps", r.writes_ps);
		lpw_float(c->out, "read_bytes_ps", r.read_bytes_ps);
		lpw_float(c->out, "write_bytes_ps", r.write_bytes_ps);
		lpw_float(c->out, "merged_reads_ps", r.merged_reads_ps);
		lpw_float(c->out, "merged_writes_ps", r.merged_writes_ps);
		lpw_float(c->out, "read_await_ms", r.read_await_ms);
		lpw_float(c->out, "write_await_ms", r.write_await_ms);
		lpw_float(c->out, "queue_depth", r.queue_depth);
		lpw_float(c->out, "util_percent", r.util_percent);
		lpw_uint(c->out, "iops_in_progress", d->in_flight);
		lpw_end(c->out, c->ts_ns);
	}
	free(st->prev);
	st->prev = cur;
	st->n_prev = n;
	st->prev_ns = c->mono_ns;
	return 0;
}

const struct source_ops src_diskio = { "diskio", diskio_init, diskio_collect, diskio_free };
