/*
 * resolve.c — device addresses that are host names, resolved with libevent's
 * evdns so the loop never blocks in DNS (net-snmp would call getaddrinfo).
 *
 * snmpbridge_watch asks resolver_address() for the address to poll: an IP
 * literal is used as is; a name gives its cached address, or NULL while a
 * lookup runs, whose completion calls snmpbridge_watch again. Every
 * snmp.dns_refresh all names are looked up again and a device whose address
 * changed is rescheduled. A failed lookup keeps the last good address.
 *
 * The cache is by device id, so it survives an edit (which replaces the
 * struct device); the device's resolved field mirrors it for the JSON.
 * Loop thread only.
 */
#include <uthash.h>

#include "collector/collector.h"
#include "collector/inventory/inventory.h"

#include <arpa/inet.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/util.h"

struct dns_entry {
	int64_t id;			/* device */
	char *name;			/* the host name looked up */
	char *addr;			/* last good answer, NULL before the first */
	int pending;			/* a lookup of name is under way */
	int warned;			/* a failure was logged since the last success */
	UT_hash_handle hh;
};

struct resolver {
	struct collector *c;
	struct evdns_base *dns;
	struct event *timer;
	struct dns_entry *by_id;
	int closing;
};

struct lookup {
	struct resolver *r;
	int64_t id;
	char *name;
	int inline_done;		/* answered before evdns_getaddrinfo returned */
	int in_call;
};

const char *
collector_check_dns_servers(const void *field)
{
	const struct cfg_strlist *l = field;
	for (size_t i = 0; i < l->n; i++) {
		struct sockaddr_storage ss;
		int len = (int)sizeof(ss);
		if (evutil_parse_sockaddr_port(l->v[i], (struct sockaddr *)&ss, &len) != 0)
			return "entries are IP addresses, optionally with :PORT ([v6]:PORT)";
	}
	return NULL;
}

int
resolver_is_literal(const char *addr)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, addr, buf) == 1 || inet_pton(AF_INET6, addr, buf) == 1;
}

static void
entry_free(struct dns_entry *e)
{
	free(e->name);
	free(e->addr);
	free(e);
}

/* Mirror the cache into the live device, for its JSON. */
static void
mirror(struct resolver *r, struct dns_entry *e)
{
	struct device *d = device_get(r->c->devices, e->id);
	if (d == NULL || (d->resolved && e->addr && strcmp(d->resolved, e->addr) == 0))
		return;
	free(d->resolved);
	d->resolved = e->addr ? strdup(e->addr) : NULL;
	device_touch(d);
}

/* The first IPv4 answer, else the first IPv6 one, as text. */
static int
pick(const struct evutil_addrinfo *ai, char *out, size_t len)
{
	for (int want = AF_INET; ; want = AF_INET6) {
		for (const struct evutil_addrinfo *a = ai; a != NULL; a = a->ai_next) {
			if (a->ai_family != want)
				continue;
			const void *p = want == AF_INET ?
			    (const void *)&((const struct sockaddr_in *)a->ai_addr)->sin_addr :
			    (const void *)&((const struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
			return evutil_inet_ntop(want, p, out, len) != NULL ? 0 : -1;
		}
		if (want == AF_INET6)
			return -1;
	}
}

static void
on_answer(int err, struct evutil_addrinfo *ai, void *arg)
{
	struct lookup *lk = arg;
	struct resolver *r = lk->r;
	char addr[INET6_ADDRSTRLEN];
	int ok = err == 0 && pick(ai, addr, sizeof(addr)) == 0;

	if (ai != NULL)
		evutil_freeaddrinfo(ai);
	if (lk->in_call)
		lk->inline_done = 1;
	struct dns_entry *e = NULL;
	if (!r->closing && err != EVUTIL_EAI_CANCEL)
		HASH_FIND(hh, r->by_id, &lk->id, sizeof(lk->id), e);
	if (e == NULL || strcmp(e->name, lk->name) != 0)
		goto done;	/* device gone, its address edited meanwhile, or shutting down */
	e->pending = 0;
	if (!ok) {
		if (!e->warned)
			log_warnx("dns: cannot resolve %s (device %lld): %s%s", e->name,
			    (long long)e->id, evutil_gai_strerror(err),
			    e->addr ? "; polling the last address" : "; not polled until it resolves");
		e->warned = 1;
		goto done;
	}
	e->warned = 0;
	if (e->addr != NULL && strcmp(e->addr, addr) == 0)
		goto done;
	log_info("dns: %s is %s%s%s%s", e->name, addr, e->addr ? " (was " : "",
	    e->addr ? e->addr : "", e->addr ? ")" : "");
	free(e->addr);
	e->addr = strdup(addr);
	mirror(r, e);
	if (!lk->in_call) {
		struct device *d = device_get(r->c->devices, e->id);
		if (d != NULL)
			snmpbridge_watch(r->c, d);	/* asks resolver_address again */
	}
done:
	if (!lk->in_call) {
		free(lk->name);
		free(lk);
	}
}

static void
start_lookup(struct resolver *r, struct dns_entry *e)
{
	struct lookup *lk = calloc(1, sizeof(*lk));
	if (lk == NULL || (lk->name = strdup(e->name)) == NULL) {
		free(lk);
		return;
	}
	struct evutil_addrinfo hints = { 0 };
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	lk->r = r;
	lk->id = e->id;
	e->pending = 1;
	lk->in_call = 1;
	evdns_getaddrinfo(r->dns, e->name, NULL, &hints, on_answer, lk);
	lk->in_call = 0;
	if (lk->inline_done) {		/* hosts file or cache: answered already */
		free(lk->name);
		free(lk);
	}
}

const char *
resolver_address(struct resolver *r, struct device *d)
{
	if (resolver_is_literal(d->address))
		return d->address;
	if (r == NULL)
		return NULL;
	struct dns_entry *e;
	HASH_FIND(hh, r->by_id, &d->id, sizeof(d->id), e);
	if (e != NULL && strcmp(e->name, d->address) != 0) {
		HASH_DEL(r->by_id, e);	/* the address was edited: a new name */
		entry_free(e);
		e = NULL;
	}
	if (e == NULL) {
		e = calloc(1, sizeof(*e));
		if (e == NULL || (e->name = strdup(d->address)) == NULL) {
			free(e);
			return NULL;
		}
		e->id = d->id;
		HASH_ADD(hh, r->by_id, id, sizeof(e->id), e);
		start_lookup(r, e);
	}
	mirror(r, e);
	return e->addr;
}

void
resolver_forget(struct resolver *r, int64_t id)
{
	struct dns_entry *e;
	if (r == NULL)
		return;
	HASH_FIND(hh, r->by_id, &id, sizeof(id), e);
	if (e != NULL) {
		HASH_DEL(r->by_id, e);
		entry_free(e);
	}
}

static void
on_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;
	struct dns_entry *e, *tmp;
	(void)fd;
	(void)what;
	HASH_ITER(hh, r->by_id, e, tmp)
		if (!e->pending)
			start_lookup(r, e);
}

static void resolver_free(struct resolver *r);

static struct resolver *
resolver_new(struct collector *c)
{
	struct resolver *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->c = c;
	/* Name servers from /etc/resolv.conf and names from /etc/hosts, read now
	 * (before the privilege drop); none configured still answers /etc/hosts. */
	const struct cfg_strlist *servers = &c->cfg.snmp_dns_servers;
	if (servers->n == 0)
		r->dns = evdns_base_new(c->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
		    EVDNS_BASE_NAMESERVERS_NO_DEFAULT);
	if (r->dns == NULL && (r->dns = evdns_base_new(c->base, 0)) != NULL)
		evdns_base_load_hosts(r->dns, NULL);
	for (size_t i = 0; r->dns != NULL && i < servers->n; i++)
		if (evdns_base_nameserver_ip_add(r->dns, servers->v[i]) != 0)
			log_warnx("dns: ignoring name server '%s' (not ADDR or ADDR:PORT)",
			    servers->v[i]);
	struct timeval every = { (time_t)c->cfg.snmp_dns_refresh, 0 };
	r->timer = event_new(c->base, -1, EV_PERSIST, on_refresh, r);
	if (r->dns == NULL || r->timer == NULL || event_add(r->timer, &every) < 0) {
		resolver_free(r);
		return NULL;
	}
	if (evdns_base_count_nameservers(r->dns) == 0)
		log_warnx("dns: no name server in /etc/resolv.conf; device names resolve "
		    "from /etc/hosts only");
	return r;
}

static void
resolver_free(struct resolver *r)
{
	struct dns_entry *e, *tmp;
	if (r == NULL)
		return;
	r->closing = 1;
	if (r->dns != NULL)
		evdns_base_free(r->dns, 1);	/* pending lookups end, cancelled */
	if (r->timer != NULL)
		event_free(r->timer);
	HASH_ITER(hh, r->by_id, e, tmp) {
		HASH_DEL(r->by_id, e);
		entry_free(e);
	}
	free(r);
}

static int
resolver_open(struct collector *c)
{
	c->resolver = resolver_new(c);
	if (c->resolver == NULL)
		log_warnx("cannot start the DNS resolver");
	return c->resolver != NULL ? 0 : -1;
}

static void
resolver_stop(struct collector *c)
{
	resolver_free(c->resolver);
	c->resolver = NULL;
}

/* evdns reads /etc/resolv.conf and /etc/hosts at open; host-name addresses
 * are looked up off the loop from then on. Stops after SNMP polling. */
const struct subsystem resolver_subsystem = {
	.name = "dns",
	.open_privileged = resolver_open,
	.stop = resolver_stop,
};
