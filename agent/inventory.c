/*
 * inventory.c — what the collector needs to place this host: sent at start
 * and every inventory.interval (default 24 h).
 *
 *   inventory  hostname, os, kernel, arch, cpu_model (strings), cpus,
 *       memory_bytes (integers), addresses ("192.0.2.5/24 2001:db8::5/64"),
 *       macs ("52:54:00:12:34:56 ..."), agent_version
 *
 * Loopback interfaces are left out of addresses and macs.
 */
#include "agent/agent.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"

#define INV_LIST_MAX 4096

/* Copy a shell-style value ("quoted", 'quoted' or bare) into out. */
static void
unquote(const char *v, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	char q = 0;

	if (len > 0 && (v[0] == '"' || v[0] == '\'')) {
		q = v[0];
		v++;
		len--;
		if (len > 0 && v[len - 1] == q)
			len--;
	}
	for (size_t i = 0; i < len && o + 1 < outlen; i++) {
		if (q == '"' && v[i] == '\\' && i + 1 < len)
			i++;
		out[o++] = v[i];
	}
	out[o] = '\0';
}

int
os_release_parse(const char *buf, size_t len, char *out, size_t outlen)
{
	char name[128] = "", version[128] = "";
	size_t pos = 0, llen;
	const char *line;

	out[0] = '\0';
	while (next_line(buf, len, &pos, &line, &llen)) {
		const char *eq = memchr(line, '=', llen);
		if (eq == NULL)
			continue;
		size_t klen = (size_t)(eq - line), vlen = llen - klen - 1;
		if (klen == 11 && memcmp(line, "PRETTY_NAME", 11) == 0)
			unquote(eq + 1, vlen, out, outlen);
		else if (klen == 4 && memcmp(line, "NAME", 4) == 0)
			unquote(eq + 1, vlen, name, sizeof(name));
		else if (klen == 7 && memcmp(line, "VERSION", 7) == 0)
			unquote(eq + 1, vlen, version, sizeof(version));
	}
	if (out[0] == '\0' && name[0] != '\0')
		snprintf(out, outlen, "%s%s%s", name, version[0] ? " " : "", version);
	return out[0] != '\0' ? 0 : -1;
}

int
cpuinfo_parse(const char *buf, size_t len, char *model, size_t modellen, int *count)
{
	/* Model keys by architecture, best first: x86, arm, mips, powerpc. */
	static const char *const keys[] = { "model name", "Model", "cpu model", "cpu",
		"Hardware", NULL };
	int best = 100;
	size_t pos = 0, llen;
	const char *line;

	model[0] = '\0';
	*count = 0;
	while (next_line(buf, len, &pos, &line, &llen)) {
		const char *colon = memchr(line, ':', llen);
		if (colon == NULL)
			continue;
		size_t klen = (size_t)(colon - line);
		while (klen > 0 && (line[klen - 1] == ' ' || line[klen - 1] == '\t'))
			klen--;
		if (klen == 9 && memcmp(line, "processor", 9) == 0) {
			(*count)++;
			continue;
		}
		for (int k = 0; keys[k] != NULL && k < best; k++) {
			if (strlen(keys[k]) != klen || memcmp(line, keys[k], klen) != 0)
				continue;
			const char *v = colon + 1, *end = line + llen;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (end == v)
				break;
			size_t n = (size_t)(end - v) < modellen - 1 ? (size_t)(end - v) : modellen - 1;
			memcpy(model, v, n);
			model[n] = '\0';
			best = k;
			break;
		}
	}
	return model[0] != '\0' || *count > 0 ? 0 : -1;
}

static int
prefix_len(const struct sockaddr *mask)
{
	const unsigned char *b;
	size_t n;
	int bits = 0;

	if (mask == NULL)
		return -1;
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr;
		n = 4;
	} else if (mask->sa_family == AF_INET6) {
		b = (const unsigned char *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
		n = 16;
	} else {
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		for (int k = 7; k >= 0; k--)
			bits += (b[i] >> k) & 1;
	return bits;
}

static void
list_add(char *list, const char *item)
{
	size_t cur = strlen(list), n = strlen(item);
	for (const char *p = list; (p = strstr(p, item)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return;	/* same MAC on a bond and its slaves */
	if (cur + n + 2 > INV_LIST_MAX)
		return;
	if (cur > 0)
		list[cur++] = ' ';
	memcpy(list + cur, item, n + 1);
}

static void
addresses(char *addrs, char *macs)
{
	struct ifaddrs *ifa, *i;

	addrs[0] = macs[0] = '\0';
	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		char text[INET6_ADDRSTRLEN + 8];
		if (i->ifa_addr == NULL || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		int fam = i->ifa_addr->sa_family;
		if (fam == AF_INET || fam == AF_INET6) {
			const void *a = fam == AF_INET ?
			    (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr :
			    (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			if (inet_ntop(fam, a, text, INET6_ADDRSTRLEN) == NULL)
				continue;
			int plen = prefix_len(i->ifa_netmask);
			if (plen >= 0 && plen <= 128) {
				size_t tl = strlen(text);
				snprintf(text + tl, sizeof(text) - tl, "/%u", (unsigned)plen & 0xff);
			}
			list_add(addrs, text);
		} else if (fam == AF_PACKET) {
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)i->ifa_addr;
			if (ll->sll_halen != 6)
				continue;
			const unsigned char *m = ll->sll_addr;
			if ((m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0)
				continue;
			snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
			    m[2], m[3], m[4], m[5]);
			list_add(macs, text);
		}
	}
	freeifaddrs(ifa);
}

void
inventory_collect(struct collect *c)
{
	const struct agent_config *cfg = c->cfg;
	char hostname[256], os[256] = "", model[256] = "", *addrs, *macs;
	struct utsname u;
	struct meminfo mem;
	int cpus = 0;
	long len;

	if (!agent_config_enabled(cfg, "inventory"))
		return;
	addrs = malloc(INV_LIST_MAX);
	macs = malloc(INV_LIST_MAX);
	if (addrs == NULL || macs == NULL)
		goto out;
	if (gethostname(hostname, sizeof(hostname)) < 0)
		hostname[0] = '\0';
	hostname[sizeof(hostname) - 1] = '\0';
	if ((len = proc_read(c->scratch, cfg->etc_root, "os-release")) >= 0)
		os_release_parse(c->scratch->p, (size_t)len, os, sizeof(os));
	if (os[0] == '\0' && (len = proc_read(c->scratch, "/usr/lib", "os-release")) >= 0)
		os_release_parse(c->scratch->p, (size_t)len, os, sizeof(os));
	if ((len = proc_read(c->scratch, cfg->proc_root, "cpuinfo")) >= 0)
		cpuinfo_parse(c->scratch->p, (size_t)len, model, sizeof(model), &cpus);
	if (cpus <= 0)
		cpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	int have_mem = (len = proc_read(c->scratch, cfg->proc_root, "meminfo")) >= 0 &&
	    meminfo_parse(c->scratch->p, (size_t)len, &mem) == 0;
	addresses(addrs, macs);

	collect_begin(c, "inventory");
	lpw_str(c->out, "hostname", hostname);
	lpw_str(c->out, "os", os);
	if (uname(&u) == 0) {
		char kernel[sizeof(u.sysname) + sizeof(u.release) + 2];
		snprintf(kernel, sizeof(kernel), "%s %s", u.sysname, u.release);
		lpw_str(c->out, "kernel", kernel);
		lpw_str(c->out, "arch", u.machine);
	}
	lpw_str(c->out, "cpu_model", model);
	if (cpus > 0)
		lpw_int(c->out, "cpus", cpus);
	if (have_mem)
		lpw_uint(c->out, "memory_bytes", mem.total);
	lpw_str(c->out, "addresses", addrs);
	lpw_str(c->out, "macs", macs);
	lpw_str(c->out, "agent_version", PACKAGE_VERSION);
	lpw_end(c->out, c->ts_ns);
out:
	free(addrs);
	free(macs);
}
