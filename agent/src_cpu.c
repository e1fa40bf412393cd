/*
 * src_cpu.c — CPU time percentages (total and per core) and kernel
 * counters from /proc/stat.
 *
 *   cpu,cpu=cpu-total|cpuN  user_percent, nice_percent, system_percent,
 *       idle_percent, iowait_percent, irq_percent, softirq_percent,
 *       steal_percent, guest_percent, guest_nice_percent, usage_percent
 *   kernel  context_switches_ps, interrupts_ps, processes_forked_ps, boot_time
 */
#include "agent/agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
procstat_free(struct procstat *ps)
{
	free(ps->cpu);
	memset(ps, 0, sizeof(*ps));
}

static int
is_cpu_line(const char *line, size_t len)
{
	if (len < 4 || memcmp(line, "cpu", 3) != 0)
		return 0;
	return line[3] == ' ' || (line[3] >= '0' && line[3] <= '9');
}

static int
key_value(const char *line, size_t len, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	if (len <= klen || memcmp(line, key, klen) != 0 || line[klen] != ' ')
		return 0;
	const char *p = line + klen;
	return scan_u64(&p, line + len, out) == 0 ? 1 : -1;
}

int
procstat_parse(const char *buf, size_t len, struct procstat *out)
{
	size_t pos = 0, llen, cap = 0;
	const char *line;

	memset(out, 0, sizeof(*out));
	while (next_line(buf, len, &pos, &line, &llen)) {
		const char *end = line + llen;
		if (is_cpu_line(line, llen)) {
			struct cpu_times ct;
			const char *p = line;
			memset(&ct, 0, sizeof(ct));
			if (scan_word(&p, end, ct.name, sizeof(ct.name)) < 0 ||
			    strlen(ct.name) >= sizeof(ct.name) - 1)
				continue;
			while (ct.n < CPU_T_N && scan_u64(&p, end, &ct.t[ct.n]) == 0)
				ct.n++;
			if (ct.n < 4)	/* user nice system idle at least */
				continue;
			if (out->n_cpu == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				if (ncap > 65536)
					continue;
				struct cpu_times *c = realloc(out->cpu, ncap * sizeof(*c));
				if (c == NULL) {
					procstat_free(out);
					return -1;
				}
				out->cpu = c;
				cap = ncap;
			}
			out->cpu[out->n_cpu++] = ct;
			continue;
		}
		static const struct {
			const char *key;
			size_t off;
			unsigned flag;
		} keys[] = {
			{ "ctxt", offsetof(struct procstat, ctxt), PROCSTAT_CTXT },
			{ "intr", offsetof(struct procstat, intr), PROCSTAT_INTR },
			{ "processes", offsetof(struct procstat, forks), PROCSTAT_FORKS },
			{ "btime", offsetof(struct procstat, btime), PROCSTAT_BTIME },
			{ "procs_running", offsetof(struct procstat, procs_running), PROCSTAT_RUNNING },
			{ "procs_blocked", offsetof(struct procstat, procs_blocked), PROCSTAT_BLOCKED },
		};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			uint64_t v;
			if (key_value(line, llen, keys[i].key, &v) == 1) {
				*(uint64_t *)((char *)out + keys[i].off) = v;
				out->have |= keys[i].flag;
				break;
			}
		}
	}
	if (out->n_cpu == 0 && out->have == 0) {
		procstat_free(out);
		return -1;
	}
	return 0;
}

int
cpu_percent(const struct cpu_times *prev, const struct cpu_times *cur, double pct[CPU_T_N])
{
	uint64_t d[CPU_T_N] = { 0 }, total = 0;
	int n = prev->n < cur->n ? prev->n : cur->n;

	for (int i = 0; i < n; i++) {
		/* iowait may go back on tickless kernels: count that as 0, not a reset. */
		d[i] = cur->t[i] >= prev->t[i] ? cur->t[i] - prev->t[i] : 0;
		if (i != CPU_GUEST && i != CPU_GUEST_NICE)	/* already in user/nice */
			total += d[i];
	}
	if (total == 0)
		return -1;
	for (int i = 0; i < CPU_T_N; i++)
		pct[i] = i < n ? 100.0 * (double)d[i] / (double)total : 0;
	return 0;
}

struct cpu_state {
	struct procstat prev;
	int64_t prev_ns;
	int have_prev;
};

static void *
cpu_init(void)
{
	return calloc(1, sizeof(struct cpu_state));
}

static void
cpu_free(void *p)
{
	struct cpu_state *st = p;
	if (st != NULL)
		procstat_free(&st->prev);
	free(st);
}

static const struct cpu_times *
find_cpu(const struct procstat *ps, size_t hint, const char *name)
{
	if (hint < ps->n_cpu && strcmp(ps->cpu[hint].name, name) == 0)
		return &ps->cpu[hint];
	for (size_t i = 0; i < ps->n_cpu; i++)
		if (strcmp(ps->cpu[i].name, name) == 0)
			return &ps->cpu[i];
	return NULL;
}

static void
emit_cpu(struct collect *c, const struct cpu_times *prev, const struct cpu_times *cur)
{
	static const char *const names[CPU_T_N] = { "user_percent", "nice_percent",
		"system_percent", "idle_percent", "iowait_percent", "irq_percent",
		"softirq_percent", "steal_percent", "guest_percent", "guest_nice_percent" };
	double pct[CPU_T_N];
	int n = prev->n < cur->n ? prev->n : cur->n;

	if (cpu_percent(prev, cur, pct) < 0)
		return;
	collect_begin(c, "cpu");
	lpw_tag(c->out, "cpu", strcmp(cur->name, "cpu") == 0 ? "cpu-total" : cur->name);
	for (int i = 0; i < n; i++)
		lpw_float(c->out, names[i], pct[i]);
	double busy = 100.0 - pct[CPU_IDLE] - (n > CPU_IOWAIT ? pct[CPU_IOWAIT] : 0);
	lpw_float(c->out, "usage_percent", busy < 0 ? 0 : busy);
	lpw_end(c->out, c->ts_ns);
}

static void
emit_kernel_rate(struct collect *c, const char *field, uint64_t prev, uint64_t cur,
    int64_t elapsed)
{
	uint64_t d;
	if (counter_delta(prev, cur, &d) == 0)
		lpw_float(c->out, field, rate_ps(d, elapsed));
}

static int
cpu_collect(void *p, struct collect *c)
{
	struct cpu_state *st = p;
	struct procstat cur;
	long len = proc_read(c->scratch, c->cfg->proc_root, "stat");

	if (len < 0)
		return -1;
	if (procstat_parse(c->scratch->p, (size_t)len, &cur) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (st->have_prev) {
		int64_t elapsed = c->mono_ns - st->prev_ns;
		for (size_t i = 0; i < cur.n_cpu; i++) {
			const struct cpu_times *pv = find_cpu(&st->prev, i, cur.cpu[i].name);
			if (pv != NULL)
				emit_cpu(c, pv, &cur.cpu[i]);
		}
		collect_begin(c, "kernel");
		const struct procstat *pv = &st->prev;
		if (pv->have & cur.have & PROCSTAT_CTXT)
			emit_kernel_rate(c, "context_switches_ps", pv->ctxt, cur.ctxt, elapsed);
		if (pv->have & cur.have & PROCSTAT_INTR)
			emit_kernel_rate(c, "interrupts_ps", pv->intr, cur.intr, elapsed);
		if (pv->have & cur.have & PROCSTAT_FORKS)
			emit_kernel_rate(c, "processes_forked_ps", pv->forks, cur.forks, elapsed);
		if (cur.have & PROCSTAT_BTIME)
			lpw_uint(c->out, "boot_time", cur.btime);
		lpw_end(c->out, c->ts_ns);
	}
	procstat_free(&st->prev);
	st->prev = cur;
	st->prev_ns = c->mono_ns;
	st->have_prev = 1;
	return 0;
}

const struct source_ops src_cpu = { "cpu", cpu_init, cpu_collect, cpu_free };
