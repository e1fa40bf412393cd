/*
 * sweep.c — sweeps of address ranges (IPv4 and IPv6 CIDRs) as jobs on
 * the event loop. Each address is asked over SNMP with every configured
 * credential (the poller's one-shot probe); a responder becomes a monitored
 * device with its kind guessed from the profiles that matched. An address
 * that does not speak SNMP but answers ICMP echo or a TCP connection (even
 * a refused one) goes to the "seen" list (seen.c), not the inventory: it is
 * offered for adoption and counted by the coverage report. Concurrency and
 * the rate of new probes are bounded. Seeded jobs (seeded.c) share the ids.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

#define MAX_RANGES 64
#define PROBE_TIMEOUT_MS 1000

struct disco_job;

/* One address being probed. */
struct probe {
	struct disco_job *job;
	char addr[INET6_ADDRSTRLEN];
	size_t cred;			/* next community to try */
	int tcp_fd;
	size_t tcp_port;
	struct event *ev;		/* TCP connect or ICMP wait */
	int done;
};

struct disco_job {
	struct collector *c;
	int64_t id;
	json_t *ranges_json;
	struct disco_range ranges[MAX_RANGES];
	size_t n_ranges, range_at;
	uint64_t offset_at;
	uint64_t total, started, finished;
	size_t in_flight;
	size_t saving;			/* added devices not yet stored */
	char **communities;
	size_t n_communities;
	unsigned port;
	char *who;
	double t_start, t_end;
	json_t *found;			/* [{address, name, kind, via}] */
	size_t n_snmp, n_seen;
	struct event *tick;
	struct disco_job *next;
	int cancelled;
};

struct discovery {
	struct collector *c;
	struct disco_job *jobs;
	int64_t next_id;
	int icmp4, icmp6;		/* raw or ping sockets, -1 if none */
	struct event *icmp4_ev, *icmp6_ev;
	struct probe **waiting;		/* probes waiting for an echo reply */
	size_t n_waiting, cap_waiting;
	struct seed_job *seeded;	/* seeded.c's jobs, newest first */
};

/* ---- ranges ---------------------------------------------------------------- */

int
discovery_parse_range(const char *text, struct disco_range *r, char *err, size_t errlen)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", text);
	char *slash = strchr(buf, '/');
	int prefix = -1;
	if (slash != NULL) {
		/* one to three digits: no sign ("/-1" once read as no prefix at all) */
		const char *d = slash + 1;
		size_t nd = strspn(d, "0123456789");
		*slash = '\0';
		prefix = nd >= 1 && nd <= 3 && d[nd] == '\0' ? atoi(d) : -2;
	}
	memset(r, 0, sizeof(*r));
	if (inet_pton(AF_INET, buf, r->base) == 1) {
		r->family = AF_INET;
		if (prefix == -1)
			prefix = 32;
		if (prefix < 16 || prefix > 32) {
			snprintf(err, errlen, "%s: IPv4 ranges go from /16 to /32", text);
			return -1;
		}
	} else if (inet_pton(AF_INET6, buf, r->base) == 1) {
		r->family = AF_INET6;
		if (prefix == -1)
			prefix = 128;
		if (prefix < 112 || prefix > 128) {
			snprintf(err, errlen, "%s: IPv6 ranges go from /112 to /128", text);
			return -1;
		}
	} else {
		snprintf(err, errlen, "%s: not an address or CIDR range", text);
		return -1;
	}
	int bits = (r->family == AF_INET ? 32 : 128) - prefix;
	size_t len = r->family == AF_INET ? 4 : 16;
	/* clear host bits */
	for (int b = 0; b < bits; b++)
		r->base[len - 1 - b / 8] &= (unsigned char)~(1u << (b % 8));
	r->count = 1ull << bits;
	/* IPv4 networks of 4+ addresses: skip the network and broadcast addresses. */
	if (r->family == AF_INET && bits >= 2) {
		r->first = 1;
		r->count -= 2;
	}
	return 0;
}

void
discovery_range_address(const struct disco_range *r, uint64_t offset, char *out, size_t outlen)
{
	unsigned char a[16];
	size_t len = r->family == AF_INET ? 4 : 16;
	memcpy(a, r->base, len);
	uint64_t carry = offset;
	for (size_t i = len; i-- > 0 && carry > 0;) {
		uint64_t v = a[i] + (carry & 0xff);
		a[i] = (unsigned char)v;
		carry = (carry >> 8) + (v >> 8);
	}
	inet_ntop(r->family, a, out, (socklen_t)outlen);
}

/* ---- job life ----------------------------------------------------------------- */

static const unsigned short tcp_ports[] = { 22, 80, 443, 23, 3389, 8080 };

static void probe_next_credential(struct probe *p);
static void probe_fallback(struct probe *p);

/* Has this sweep already named a device so (its save may still be pending)? */
static int
name_in_found(json_t *found, const char *name)
{
	size_t i;
	json_t *o;
	json_array_foreach(found, i, o)
		if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0)
			return 1;
	return 0;
}

static void finish_if_done(struct disco_job *job);

/* Jobs live until the collector stops, after the store's last completion. */
static void
device_saved(void *arg, const struct device *d, int rc)
{
	struct disco_job *job = arg;
	(void)d;
	(void)rc;
	job->saving--;
	finish_if_done(job);
}

static void
probe_finish(struct probe *p, const char *via, const struct sp_result *r)
{
	struct disco_job *job = p->job;
	struct collector *c = job->c;
	if (p->ev != NULL) {
		event_free(p->ev);
		p->ev = NULL;
	}
	if (p->tcp_fd >= 0)
		close(p->tcp_fd);
	p->tcp_fd = -1;
	if (via != NULL && !job->cancelled) {
		int known = 0;
		for (struct device *d = device_next(c->devices, NULL); d; d = device_next(c->devices, d))
			if (strcmp(d->address, p->addr) == 0)
				known = 1;
		const char *name = p->addr;
		if (r != NULL && r->sys_name && r->sys_name[0] && strlen(r->sys_name) < 256 &&
		    util_utf8_valid(r->sys_name, strlen(r->sys_name)) &&
		    device_by_name(c->devices, r->sys_name) == NULL &&
		    !name_in_found(job->found, r->sys_name))
			name = r->sys_name;
		if (r == NULL) {
			/* ping-only (or TCP-only): the seen list, not the inventory */
			char what[32];
			if (strcmp(via, "tcp") == 0)
				snprintf(what, sizeof(what), "tcp/%u", tcp_ports[p->tcp_port - 1]);
			else
				snprintf(what, sizeof(what), "%s", via);
			if (!known)
				seen_record(c, p->addr, what);
		} else if (!known) {
			struct device *d = device_new_default();
			if (d != NULL) {
				free(d->status);
				free(d->kind);
				d->name = strdup(name);
				d->address = strdup(p->addr);
				d->status = strdup("unknown");
				d->kind = strdup(r->kind ? r->kind : "other");
				d->port = job->port;
				d->monitored = 1;
				if (job->n_communities > 0)
					d->community = strdup(job->communities[p->cred - 1]);
				if (inventory_save(c, d, 1, job->who, NULL, device_saved, job) == 0)
					job->saving++;
			}
			seen_forget(c, p->addr);
		}
		json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:b}", "address", p->addr,
		    "name", json_string_safe(name, strlen(name)), "kind",
		    r && r->kind ? r->kind : "other", "via", via, "added", !known && r != NULL);
		json_array_append_new(job->found, o);
		if (r != NULL)
			job->n_snmp++;
		else
			job->n_seen++;
	}
	job->finished++;
	job->in_flight--;
	p->done = 1;
	free(p);
	finish_if_done(job);
}

/* Done once every address is probed and every added device stored: a client
 * that sees "done" then finds the devices in the inventory. */
static void
finish_if_done(struct disco_job *job)
{
	if (job->finished == job->total && job->saving == 0 && job->t_end == 0) {
		job->t_end = util_now();
		log_info("discovery %lld: %llu addresses swept in %.1fs: %zu SNMP devices, %zu "
		    "seen without SNMP", (long long)job->id, (unsigned long long)job->total,
		    job->t_end - job->t_start, job->n_snmp, job->n_seen);
	}
}

static void
on_snmp_probe(const struct sp_result *r, void *arg)
{
	struct probe *p = arg;
	if (r->status == SP_STATUS_UP)
		probe_finish(p, "snmp", r);
	else
		probe_next_credential(p);
}

static void
probe_next_credential(struct probe *p)
{
	struct disco_job *job = p->job;
	if (p->cred >= job->n_communities || job->c->poller == NULL) {
		probe_fallback(p);
		return;
	}
	struct sp_target t = {
		.device_id = -(job->id * 1000000 + (long long)job->started),
		.address = p->addr, .port = job->port, .version = SP_VER_2C,
		.community = job->communities[p->cred++],
		.timeout_ms = PROBE_TIMEOUT_MS, .retries = 0,
	};
	if (sp_poller_probe(job->c->poller, &t, 0, on_snmp_probe, p) < 0)
		probe_fallback(p);
}

/* ---- ICMP and TCP fallbacks -------------------------------------------------- */

static void tcp_try(struct probe *p);

static void
on_tcp(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	int err = 0;
	socklen_t len = sizeof(err);
	if ((what & EV_WRITE) && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
	    (err == 0 || err == ECONNREFUSED)) {
		/* Connected, or refused by a live host: either way, someone is there. */
		probe_finish(p, "tcp", NULL);
		return;
	}
	close(p->tcp_fd);
	p->tcp_fd = -1;
	event_free(p->ev);
	p->ev = NULL;
	tcp_try(p);
}

static void
tcp_try(struct probe *p)
{
	struct disco_job *job = p->job;
	if (p->tcp_port >= sizeof(tcp_ports) / sizeof(tcp_ports[0])) {
		probe_finish(p, NULL, NULL);
		return;
	}
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	unsigned short port = tcp_ports[p->tcp_port++];
	if (strchr(p->addr, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, p->addr, &s6->sin6_addr);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, p->addr, &s4->sin_addr);
		sl = sizeof(*s4);
	}
	p->tcp_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->tcp_fd < 0) {
		probe_finish(p, NULL, NULL);
		return;
	}
	int rc = connect(p->tcp_fd, (struct sockaddr *)&ss, sl);
	if (rc == 0 || errno == ECONNREFUSED) {
		probe_finish(p, "tcp", NULL);
		return;
	}
	if (errno != EINPROGRESS) {
		close(p->tcp_fd);
		p->tcp_fd = -1;
		tcp_try(p);
		return;
	}
	struct timeval tv = { 0, PROBE_TIMEOUT_MS * 1000 / 2 };
	p->ev = event_new(job->c->base, p->tcp_fd, EV_WRITE, on_tcp, p);
	event_add(p->ev, &tv);
}

static uint16_t
icmp_checksum(const void *data, size_t len)
{
	const uint16_t *w = data;
	uint32_t sum = 0;
	for (; len > 1; len -= 2)
		sum += *w++;
	if (len == 1)
		sum += *(const uint8_t *)w;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return (uint16_t)~sum;
}

static void
icmp_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	struct discovery *disc = p->job->c->discovery;
	(void)fd;
	(void)what;
	for (size_t i = 0; i < disc->n_waiting; i++)
		if (disc->waiting[i] == p)
			disc->waiting[i] = disc->waiting[--disc->n_waiting];
	event_free(p->ev);
	p->ev = NULL;
	tcp_try(p);
}

static void
probe_fallback(struct probe *p)
{
	struct discovery *disc = p->job->c->discovery;
	int v6 = strchr(p->addr, ':') != NULL;
	int fd = v6 ? disc->icmp6 : disc->icmp4;
	if (fd < 0) {
		tcp_try(p);
		return;
	}
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	unsigned char pkt[16] = { 0 };
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, p->addr, &s6->sin6_addr);
		sl = sizeof(*s6);
		pkt[0] = ICMP6_ECHO_REQUEST;	/* the kernel fills the checksum */
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		inet_pton(AF_INET, p->addr, &s4->sin_addr);
		sl = sizeof(*s4);
		pkt[0] = ICMP_ECHO;
	}
	pkt[4] = 0x63;			/* identifier "cm" */
	pkt[5] = 0x6d;
	memcpy(pkt + 8, "campusmn", 8);
	if (!v6) {
		uint16_t sum = icmp_checksum(pkt, sizeof(pkt));
		memcpy(pkt + 2, &sum, 2);
	}
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl) < 0) {
		tcp_try(p);
		return;
	}
	if (disc->n_waiting == disc->cap_waiting) {
		size_t cap = disc->cap_waiting ? disc->cap_waiting * 2 : 64;
		struct probe **g = realloc(disc->waiting, cap * sizeof(*g));
		if (g == NULL) {
			tcp_try(p);
			return;
		}
		disc->waiting = g;
		disc->cap_waiting = cap;
	}
	disc->waiting[disc->n_waiting++] = p;
	struct timeval tv = { 0, PROBE_TIMEOUT_MS * 1000 };
	p->ev = evtimer_new(p->job->c->base, icmp_timeout, p);
	evtimer_add(p->ev, &tv);
}

static void
on_icmp(evutil_socket_t fd, short what, void *arg)
{
	struct discovery *disc = arg;
	unsigned char buf[1500];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	(void)what;
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n <= 0)
		return;
	const unsigned char *icmp = buf;
	int v6 = from.ss_family == AF_INET6;
	if (!v6 && fd == disc->icmp4 && n >= 20 && (buf[0] >> 4) == 4) {
		size_t ihl = (size_t)(buf[0] & 0x0f) * 4;	/* raw IPv4 sockets see the header */
		if ((size_t)n < ihl + 8)
			return;
		icmp = buf + ihl;
	}
	if ((v6 && icmp[0] != ICMP6_ECHO_REPLY) || (!v6 && icmp[0] != ICMP_ECHOREPLY))
		return;
	char addr[INET6_ADDRSTRLEN];
	if (v6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr, addr, sizeof(addr));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, addr, sizeof(addr));
	for (size_t i = 0; i < disc->n_waiting; i++) {
		struct probe *p = disc->waiting[i];
		if (strcmp(p->addr, addr) == 0) {
			disc->waiting[i] = disc->waiting[--disc->n_waiting];
			probe_finish(p, "icmp", NULL);
			return;
		}
	}
}

/* ---- scheduling ---------------------------------------------------------------- */

size_t
disco_per_tick(const struct collector *c)
{
	size_t n = (size_t)(c->cfg.discovery_rate * DISCO_TICK_MS / 1000);
	return n > 0 ? n : 1;
}

static void
job_tick(evutil_socket_t fd, short what, void *arg)
{
	struct disco_job *job = arg;
	struct collector *c = job->c;
	(void)fd;
	(void)what;
	size_t per_tick = disco_per_tick(c);
	for (size_t n = 0; n < per_tick && job->in_flight < (size_t)c->cfg.discovery_concurrency &&
	    job->range_at < job->n_ranges && !job->cancelled; n++) {
		struct disco_range *r = &job->ranges[job->range_at];
		struct probe *p = calloc(1, sizeof(*p));
		if (p == NULL)
			break;
		p->job = job;
		p->tcp_fd = -1;
		discovery_range_address(r, r->first + job->offset_at, p->addr, sizeof(p->addr));
		if (++job->offset_at >= r->count) {
			job->range_at++;
			job->offset_at = 0;
		}
		job->started++;
		job->in_flight++;
		probe_next_credential(p);
	}
	if (job->range_at >= job->n_ranges)
		return;		/* all launched; the last probes finish the job */
	struct timeval tv = { 0, DISCO_TICK_MS * 1000 };
	evtimer_add(job->tick, &tv);
}

json_t *
discovery_job_json(const struct disco_job *job)
{
	return json_pack("{s:I, s:s, s:O, s:I, s:I, s:I, s:I, s:I, s:f, s:o, s:O}",
	    "id", (json_int_t)job->id, "state", job->t_end > 0 ? "done" : "running",
	    "ranges", job->ranges_json, "total", (json_int_t)job->total,
	    "probed", (json_int_t)job->finished, "in_flight", (json_int_t)job->in_flight,
	    "snmp", (json_int_t)job->n_snmp, "seen", (json_int_t)job->n_seen,
	    "started", job->t_start, "finished", job->t_end > 0 ? json_real(job->t_end) :
	    json_null(), "found", job->found);
}

int64_t
discovery_new_id(struct collector *c)
{
	return ++c->discovery->next_id;
}

void
seeded_link(struct collector *c, struct seed_job *job)
{
	seeded_set_next(job, c->discovery->seeded);
	c->discovery->seeded = job;
}

struct seed_job *
seeded_find(struct collector *c, int64_t id)
{
	for (struct seed_job *j = c->discovery ? c->discovery->seeded : NULL; j; j = seeded_next(j))
		if (seeded_id(j) == id)
			return j;
	return NULL;
}

struct disco_job *
discovery_find(struct collector *c, int64_t id)
{
	for (struct disco_job *j = c->discovery ? c->discovery->jobs : NULL; j; j = j->next)
		if (j->id == id)
			return j;
	return NULL;
}

struct disco_job *
discovery_start(struct collector *c, json_t *ranges, json_t *communities, unsigned port,
    const char *who, char *err, size_t errlen)
{
	struct discovery *disc = c->discovery;
	struct disco_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	size_t i;
	json_t *v;
	json_array_foreach(ranges, i, v) {
		if (!json_is_string(v) || job->n_ranges >= MAX_RANGES) {
			snprintf(err, errlen, "ranges: at most %d CIDR strings", MAX_RANGES);
			goto fail;
		}
		if (discovery_parse_range(json_string_value(v), &job->ranges[job->n_ranges], err, errlen) < 0)
			goto fail;
		job->total += job->ranges[job->n_ranges++].count;
	}
	if (job->n_ranges == 0) {
		snprintf(err, errlen, "ranges: give at least one CIDR, e.g. 10.1.2.0/24");
		goto fail;
	}
	if (job->total > 65536) {
		snprintf(err, errlen, "a sweep covers at most 65536 addresses (this one %llu)",
		    (unsigned long long)job->total);
		goto fail;
	}
	const struct cfg_strlist *def = &c->cfg.discovery_communities;
	size_t nc = communities ? json_array_size(communities) : def->n;
	job->communities = calloc(nc + 1, sizeof(char *));
	for (i = 0; job->communities && i < nc; i++) {
		const char *s = communities ? json_string_value(json_array_get(communities, i)) :
		    def->v[i];
		if (s == NULL || strlen(s) > 255) {
			snprintf(err, errlen, "communities must be strings");
			goto fail;
		}
		job->communities[job->n_communities++] = strdup(s);
	}
	job->c = c;
	job->id = discovery_new_id(c);
	job->port = port ? port : 161;
	job->who = strdup(who);
	job->ranges_json = json_incref(ranges);
	job->found = json_array();
	job->t_start = util_now();
	job->tick = evtimer_new(c->base, job_tick, job);
	job->next = disc->jobs;
	disc->jobs = job;
	log_info("discovery %lld: %s sweeps %llu addresses", (long long)job->id, who,
	    (unsigned long long)job->total);
	job_tick(-1, 0, job);
	return job;
fail:
	for (i = 0; i < job->n_communities; i++)
		free(job->communities[i]);
	free(job->communities);
	free(job);
	return NULL;
}

/* Opened before privileges drop: raw ICMP needs root (or CAP_NET_RAW). */
int
discovery_open_sockets(struct collector *c)
{
	struct discovery *disc = calloc(1, sizeof(*disc));
	if (disc == NULL)
		return -1;
	disc->c = c;
	disc->icmp4 = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (disc->icmp4 < 0)	/* unprivileged ping socket, where the kernel allows it */
		disc->icmp4 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	disc->icmp6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (disc->icmp6 < 0)
		disc->icmp6 = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_ICMPV6);
	if (disc->icmp4 < 0 && disc->icmp6 < 0)
		log_info("discovery: no ICMP socket (not root, no ping sockets): TCP probes only");
	c->discovery = disc;
	return 0;
}

void
discovery_start_events(struct collector *c)
{
	struct discovery *disc = c->discovery;
	if (disc->icmp4 >= 0) {
		disc->icmp4_ev = event_new(c->base, disc->icmp4, EV_READ | EV_PERSIST, on_icmp, disc);
		event_add(disc->icmp4_ev, NULL);
	}
	if (disc->icmp6 >= 0) {
		disc->icmp6_ev = event_new(c->base, disc->icmp6, EV_READ | EV_PERSIST, on_icmp, disc);
		event_add(disc->icmp6_ev, NULL);
	}
}

void
discovery_free(struct collector *c)
{
	struct discovery *disc = c->discovery;
	if (disc == NULL)
		return;
	while (disc->jobs) {
		struct disco_job *job = disc->jobs;
		disc->jobs = job->next;
		event_free(job->tick);
		json_decref(job->ranges_json);
		json_decref(job->found);
		for (size_t i = 0; i < job->n_communities; i++)
			free(job->communities[i]);
		free(job->communities);
		free(job->who);
		free(job);
	}
	seeded_free(disc->seeded);
	if (disc->icmp4_ev)
		event_free(disc->icmp4_ev);
	if (disc->icmp6_ev)
		event_free(disc->icmp6_ev);
	if (disc->icmp4 >= 0)
		close(disc->icmp4);
	if (disc->icmp6 >= 0)
		close(disc->icmp6);
	free(disc->waiting);
	free(disc);
	c->discovery = NULL;
}

static int
discovery_start_phase(struct collector *c)
{
	discovery_start_events(c);
	return 0;
}

/* Raw ICMP sockets need root: opened before the drop, watched once the
 * loop runs. */
const struct subsystem discovery_subsystem = {
	.name = "discovery",
	.open_privileged = discovery_open_sockets,
	.start = discovery_start_phase,
	.release = discovery_free,
};
