/*
 * src_net.c — network interface rates from /proc/net/dev, link speed and
 * state from /sys/class/net/IF/{speed,operstate,carrier}.
 *
 *   net,interface=eth0  bytes_recv_ps, bytes_sent_ps, packets_recv_ps,
 *       packets_sent_ps, err_in_ps, err_out_ps, drop_in_ps, drop_out_ps,
 *       up (1/0), speed_mbps (when the driver knows it)
 *
 * Interfaces matching net.exclude (default: lo) are left out.
 */
#include "agent/agent.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
netdev_parse_line(const char *line, size_t len, struct netdev *d)
{
	const char *end = line + len, *p = line;
	uint64_t v[16];

	memset(d, 0, sizeof(*d));
	while (p < end && *p == ' ')
		p++;
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (colon == NULL || colon == p || (size_t)(colon - p) >= sizeof(d->name))
		return -1;
	for (const char *q = p; q < colon; q++)
		if (*q == ' ' || *q == '|' || *q == '/')
			return -1;	/* header lines; '/' never names an interface */
	memcpy(d->name, p, (size_t)(colon - p));
	d->name[colon - p] = '\0';
	p = colon + 1;
	for (int i = 0; i < 16; i++)
		if (scan_u64(&p, end, &v[i]) < 0)
			return -1;
	d->rx_bytes = v[0];
	d->rx_packets = v[1];
	d->rx_errs = v[2];
	d->rx_drop = v[3];
	d->tx_bytes = v[8];
	d->tx_packets = v[9];
	d->tx_errs = v[10];
	d->tx_drop = v[11];
	return 0;
}

/* parse_table() callback: one line into one record. */
static int
netdev_parse_rec(const char *line, size_t llen, void *rec)
{
	return netdev_parse_line(line, llen, rec);
}

int
netdev_parse(const char *buf, size_t len, struct netdev **out, size_t *n)
{
	return parse_table(buf, len, sizeof(**out), netdev_parse_rec, (void **)out, n);
}

struct net_state {
	struct netdev *prev;
	size_t n_prev;
	int64_t prev_ns;
};

static void *
net_init(void)
{
	return calloc(1, sizeof(struct net_state));
}

static void
net_free(void *p)
{
	struct net_state *st = p;
	if (st != NULL)
		free(st->prev);
	free(st);
}

static void
rate(struct collect *c, const char *field, uint64_t a, uint64_t b, int64_t elapsed)
{
	uint64_t d;
	if (counter_delta(a, b, &d) == 0)
		lpw_float(c->out, field, rate_ps(d, elapsed));
}

static void
link_info(struct collect *c, const char *ifname)
{
	char rel[96], val[32];

	snprintf(rel, sizeof(rel), "class/net/%s/operstate", ifname);
	if (proc_read_line(c->cfg->sys_root, rel, val, sizeof(val)) == 0) {
		int up = strcmp(val, "up") == 0;
		if (strcmp(val, "unknown") == 0) {	/* lo, tun: ask the carrier */
			snprintf(rel, sizeof(rel), "class/net/%s/carrier", ifname);
			up = proc_read_line(c->cfg->sys_root, rel, val, sizeof(val)) == 0 &&
			    strcmp(val, "1") == 0;
		}
		lpw_int(c->out, "up", up);
	}
	snprintf(rel, sizeof(rel), "class/net/%s/speed", ifname);
	if (proc_read_line(c->cfg->sys_root, rel, val, sizeof(val)) == 0) {
		char *end;
		long speed = strtol(val, &end, 10);
		if (end != val && speed > 0 && speed < 100000000)
			lpw_int(c->out, "speed_mbps", speed);
	}
}

static int
net_collect(void *p, struct collect *c)
{
	struct net_state *st = p;
	struct netdev *cur;
	size_t n;
	long len = proc_read(c->scratch, c->cfg->proc_root, "net/dev");

	if (len < 0)
		return -1;
	if (netdev_parse(c->scratch->p, (size_t)len, &cur, &n) < 0) {
		errno = ENOMEM;
		return -1;
	}
	int64_t el = c->mono_ns - st->prev_ns;
	for (size_t i = 0; i < n && st->prev != NULL; i++) {
		const struct netdev *d = &cur[i], *pv = NULL;
		int skip = 0;
		for (size_t k = 0; k < c->cfg->net_exclude.n && !skip; k++)
			skip = fnmatch(c->cfg->net_exclude.v[k], d->name, 0) == 0;
		if (skip)
			continue;
		if (i < st->n_prev && strcmp(st->prev[i].name, d->name) == 0)
			pv = &st->prev[i];
		for (size_t k = 0; pv == NULL && k < st->n_prev; k++)
			if (strcmp(st->prev[k].name, d->name) == 0)
				pv = &st->prev[k];
		if (pv == NULL)
			continue;
		collect_begin(c, "net");
		lpw_tag(c->out, "interface", d->name);
		rate(c, "bytes_recv_ps", pv->rx_bytes, d->rx_bytes, el);
		rate(c, "bytes_sent_ps", pv->tx_bytes, d->tx_bytes, el);
		rate(c, "packets_recv_ps", pv->rx_packets, d->rx_packets, el);
		rate(c, "packets_sent_ps", pv->tx_packets, d->tx_packets, el);
		rate(c, "err_in_ps", pv->rx_errs, d->rx_errs, el);
		rate(c, "err_out_ps", pv->tx_errs, d->tx_errs, el);
		rate(c, "drop_in_ps", pv->rx_drop, d->rx_drop, el);
		rate(c, "drop_out_ps", pv->tx_drop, d->tx_drop, el);
		link_info(c, d->name);
		lpw_end(c->out, c->ts_ns);
	}
	free(st->prev);
	st->prev = cur;
	st->n_prev = n;
	st->prev_ns = c->mono_ns;
	return 0;
}

const struct source_ops src_net = { "net", net_init, net_collect, net_free };
