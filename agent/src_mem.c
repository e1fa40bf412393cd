/*
 * src_mem.c — memory and swap from /proc/meminfo (bytes).
 *
 *   mem   total, available, used, free, cached, buffered, shared, slab,
 *         dirty, available_percent, used_percent
 *   swap  total, used, free, used_percent
 */
#include "agent/agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
meminfo_parse(const char *buf, size_t len, struct meminfo *out)
{
	static const struct {
		const char *key;
		size_t off;
		unsigned flag;
	} keys[] = {
		{ "MemTotal", offsetof(struct meminfo, total), 0x100 },
		{ "MemFree", offsetof(struct meminfo, free), 0 },
		{ "MemAvailable", offsetof(struct meminfo, available), MEMINFO_AVAILABLE },
		{ "Buffers", offsetof(struct meminfo, buffers), 0 },
		{ "Cached", offsetof(struct meminfo, cached), 0 },
		{ "SReclaimable", offsetof(struct meminfo, sreclaimable), MEMINFO_SRECLAIMABLE },
		{ "Shmem", offsetof(struct meminfo, shmem), 0 },
		{ "SwapTotal", offsetof(struct meminfo, swap_total), MEMINFO_SWAP },
		{ "SwapFree", offsetof(struct meminfo, swap_free), 0 },
		{ "SwapCached", offsetof(struct meminfo, swap_cached), 0 },
		{ "Dirty", offsetof(struct meminfo, dirty), 0 },
		{ "Slab", offsetof(struct meminfo, slab), 0 },
	};
	size_t pos = 0, llen;
	const char *line;

	memset(out, 0, sizeof(*out));
	while (next_line(buf, len, &pos, &line, &llen)) {
		const char *colon = memchr(line, ':', llen);
		if (colon == NULL)
			continue;
		size_t klen = (size_t)(colon - line);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (strlen(keys[i].key) != klen || memcmp(keys[i].key, line, klen) != 0)
				continue;
			const char *p = colon + 1, *end = line + llen;
			uint64_t v;
			if (scan_u64(&p, end, &v) < 0)
				break;
			while (p < end && *p == ' ')
				p++;
			if (end - p >= 2 && (p[0] == 'k' || p[0] == 'K') && p[1] == 'B') {
				if (v > UINT64_MAX / 1024)
					break;
				v *= 1024;
			}
			*(uint64_t *)((char *)out + keys[i].off) = v;
			out->have |= keys[i].flag;
			break;
		}
	}
	if (!(out->have & 0x100) || out->total == 0)
		return -1;
	out->have &= ~0x100u;
	return 0;
}

uint64_t
meminfo_available(const struct meminfo *m)
{
	if (m->have & MEMINFO_AVAILABLE)
		return m->available;
	/* Kernels before 3.14: an estimate as procps did. */
	uint64_t a = m->free + m->buffers + m->cached;
	return a > m->total ? m->total : a;
}

uint64_t
meminfo_used(const struct meminfo *m)
{
	uint64_t cache = m->cached + m->sreclaimable;
	uint64_t notused = m->free + m->buffers + cache;
	if (notused > m->total)		/* odd numbers in some containers */
		notused = m->free;
	return notused > m->total ? 0 : m->total - notused;
}

static void *
mem_init(void)
{
	return calloc(1, 1);	/* stateless */
}

static int
mem_collect(void *p, struct collect *c)
{
	struct meminfo m;
	long len = proc_read(c->scratch, c->cfg->proc_root, "meminfo");
	(void)p;

	if (len < 0)
		return -1;
	if (meminfo_parse(c->scratch->p, (size_t)len, &m) < 0) {
		errno = EINVAL;
		return -1;
	}
	uint64_t avail = meminfo_available(&m), used = meminfo_used(&m);
	collect_begin(c, "mem");
	lpw_uint(c->out, "total", m.total);
	lpw_uint(c->out, "available", avail);
	lpw_uint(c->out, "used", used);
	lpw_uint(c->out, "free", m.free);
	lpw_uint(c->out, "cached", m.cached + m.sreclaimable);
	lpw_uint(c->out, "buffered", m.buffers);
	lpw_uint(c->out, "shared", m.shmem);
	lpw_uint(c->out, "slab", m.slab);
	lpw_uint(c->out, "dirty", m.dirty);
	lpw_float(c->out, "available_percent", 100.0 * (double)avail / (double)m.total);
	lpw_float(c->out, "used_percent", 100.0 * (double)used / (double)m.total);
	lpw_end(c->out, c->ts_ns);

	if (m.have & MEMINFO_SWAP) {
		uint64_t sfree = m.swap_free > m.swap_total ? m.swap_total : m.swap_free;
		uint64_t sused = m.swap_total - sfree;
		collect_begin(c, "swap");
		lpw_uint(c->out, "total", m.swap_total);
		lpw_uint(c->out, "used", sused);
		lpw_uint(c->out, "free", sfree);
		lpw_float(c->out, "used_percent",
		    m.swap_total ? 100.0 * (double)sused / (double)m.swap_total : 0);
		lpw_end(c->out, c->ts_ns);
	}
	return 0;
}

const struct source_ops src_mem = { "mem", mem_init, mem_collect, free };
