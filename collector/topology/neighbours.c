/*
 * neighbours.c — LLDP, CDP, FDB and ARP decoders: the SNMP engine's raw
 * table rows (struct sp_table) into neighbour entries. Pure functions, no
 * I/O, fuzzed (tests/fuzz/fuzz_topo_*.c): a device may answer anything —
 * wrong types, short indexes, binary names — and each bad row is skipped
 * and counted, never trusted.
 */
#include "collector/topology/topology.h"
#include "collector/snmp/snmp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
topo_source_name(enum topo_source s)
{
	static const char *const names[] = { "lldp", "cdp", "fdb", "arp", "manual" };
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

void
topo_nbr_clear(struct topo_nbr *e)
{
	free(e->chassis);
	free(e->name);
	free(e->port);
	free(e->port_desc);
	free(e->address);
	free(e->mac);
	free(e->descr);
	memset(e, 0, sizeof(*e));
}

void
topo_nbrs_free(struct topo_nbrs *l)
{
	for (size_t i = 0; i < l->n; i++)
		topo_nbr_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct topo_nbr *
nbr_add(struct topo_nbrs *l, enum topo_source src)
{
	if (l->n >= TOPO_MAX_NBRS) {
		l->dropped++;
		return NULL;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct topo_nbr *nv = realloc(l->v, cap * sizeof(*nv));
		if (nv == NULL) {
			l->dropped++;
			return NULL;
		}
		l->v = nv;
		l->cap = cap;
	}
	struct topo_nbr *e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->source = src;
	return e;
}

/* ---- cells ---------------------------------------------------------------- */

static int
col(const struct sp_table *t, const char *name)
{
	for (size_t i = 0; t != NULL && i < t->n_cols; i++)
		if (strcmp(t->cols[i], name) == 0)
			return (int)i;
	return -1;
}

static const struct sp_value *
cell(const struct sp_table *t, size_t row, int c)
{
	if (c < 0)
		return NULL;
	const struct sp_value *v = &t->rows[row].cells[c];
	return v->type == SP_V_NONE ? NULL : v;
}

static int
cell_int(const struct sp_table *t, size_t row, int c, long long *out)
{
	const struct sp_value *v = cell(t, row, c);
	if (v == NULL)
		return -1;
	switch (v->type) {
	case SP_V_INT:
		*out = v->i;
		return 0;
	case SP_V_UINT: case SP_V_COUNTER32: case SP_V_TICKS:
		*out = (long long)v->u;
		return 0;
	default:
		return -1;
	}
}

static int
cell_bytes(const struct sp_table *t, size_t row, int c, const unsigned char **b, size_t *len)
{
	const struct sp_value *v = cell(t, row, c);
	if (v == NULL || (v->type != SP_V_STRING && v->type != SP_V_IPADDR))
		return -1;
	*b = v->s;
	*len = v->len;
	return 0;
}

/* Display text of a string cell (NULL when absent or empty). */
static char *
cell_text(const struct sp_table *t, size_t row, int c)
{
	const unsigned char *b;
	size_t len;
	char buf[512], how;

	if (cell_bytes(t, row, c, &b, &len) < 0 || len == 0)
		return NULL;
	if (sp_octets_to_text(b, len, NULL, buf, sizeof(buf), &how) <= 0)
		return NULL;
	return strdup(buf);
}

static void
mac_text(const unsigned char *b, char *out, size_t outlen)
{
	snprintf(out, outlen, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

/* An address of IANA family fam (1 IPv4, 2 IPv6) as text; -1 if not one. */
static int
addr_text(int fam, const unsigned char *b, size_t len, char *out, size_t outlen)
{
	if (fam == 1 && len == 4)
		return inet_ntop(AF_INET, b, out, (socklen_t)outlen) ? 0 : -1;
	if (fam == 2 && len == 16)
		return inet_ntop(AF_INET6, b, out, (socklen_t)outlen) ? 0 : -1;
	return -1;
}

void
topo_id_text(int subtype, int is_chassis, const unsigned char *b, size_t len,
    char *out, size_t outlen)
{
	/* chassis: 4 MAC, 5 network address; port: 3 MAC, 4 network address,
	 * 6 agent circuit id (binary); the rest are names. */
	int mac = is_chassis ? 4 : 3, net = is_chassis ? 5 : 4;
	char how;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (subtype == mac && len == 6) {
		mac_text(b, out, outlen);
		return;
	}
	if (subtype == net && len >= 1 && addr_text(b[0], b + 1, len - 1, out, outlen) == 0)
		return;
	if (len == 0)
		return;
	if (!is_chassis && subtype == 6) {
		size_t o = 0;
		for (size_t i = 0; i < len && o + 4 < outlen; i++)
			o += (size_t)snprintf(out + o, outlen - o, "%s%02x", i ? ":" : "", b[i]);
		return;
	}
	if (sp_octets_to_text(b, len, NULL, out, outlen, &how) < 0)
		out[0] = '\0';
}

static char *
cell_id(const struct sp_table *t, size_t row, int c_sub, int c_id, int is_chassis)
{
	long long sub = 0;
	const unsigned char *b;
	size_t len;
	char buf[512];

	if (cell_bytes(t, row, c_id, &b, &len) < 0 || len == 0)
		return NULL;
	if (cell_int(t, row, c_sub, &sub) < 0)
		sub = 0;
	topo_id_text((int)sub, is_chassis, b, len, buf, sizeof(buf));
	return buf[0] ? strdup(buf) : NULL;
}

static unsigned
caps_of(const struct sp_table *t, size_t row, int c)
{
	const unsigned char *b;
	size_t len;
	return cell_bytes(t, row, c, &b, &len) == 0 && len >= 1 ? b[0] : 0;
}

/* ---- LLDP ----------------------------------------------------------------- */

/* lldpRemManAddrTable index: timeMark.localPort.remIndex.subtype.len.addr… */
static char *
man_addr_for(const struct sp_table *man, const uint32_t *key)
{
	char buf[64];
	unsigned char a[16];

	for (size_t r = 0; man != NULL && r < man->n_rows; r++) {
		const uint32_t *ix = man->rows[r].index;
		size_t n = man->rows[r].index_len;
		if (n < 6 || memcmp(ix, key, 3 * sizeof(uint32_t)) != 0)
			continue;
		uint32_t len = ix[4];
		if (len > sizeof(a) || n != 5 + (size_t)len)
			continue;
		for (uint32_t i = 0; i < len; i++) {
			if (ix[5 + i] > 255)
				goto next;
			a[i] = (unsigned char)ix[5 + i];
		}
		if (addr_text((int)ix[3], a, len, buf, sizeof(buf)) == 0)
			return strdup(buf);
next:		;
	}
	return NULL;
}

size_t
topo_decode_lldp(const struct sp_table *rem, const struct sp_table *man, struct topo_nbrs *out)
{
	size_t took = 0;
	if (rem == NULL)
		return 0;
	int c_csub = col(rem, "chassis_id_subtype"), c_cid = col(rem, "chassis_id");
	int c_psub = col(rem, "port_id_subtype"), c_pid = col(rem, "port_id");
	int c_pdesc = col(rem, "port_desc"), c_name = col(rem, "sys_name");
	int c_desc = col(rem, "sys_desc"), c_caps = col(rem, "caps_enabled");

	for (size_t r = 0; r < rem->n_rows; r++) {
		const struct sp_table_row *row = &rem->rows[r];
		/* index: lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex */
		if (row->index_len != 3 || row->index[1] == 0) {
			out->dropped++;
			continue;
		}
		char *chassis = cell_id(rem, r, c_csub, c_cid, 1);
		char *name = cell_text(rem, r, c_name);
		if (chassis == NULL && name == NULL) {	/* nothing to know it by */
			out->dropped++;
			continue;
		}
		struct topo_nbr *e = nbr_add(out, TOPO_LLDP);
		if (e == NULL) {
			free(chassis);
			free(name);
			continue;
		}
		e->local_port = row->index[1];
		e->chassis = chassis;
		e->name = name;
		e->port = cell_id(rem, r, c_psub, c_pid, 0);
		e->port_desc = cell_text(rem, r, c_pdesc);
		e->descr = cell_text(rem, r, c_desc);
		e->caps = caps_of(rem, r, c_caps);
		e->address = man_addr_for(man, row->index);
		took++;
	}
	return took;
}

char *
topo_decode_local_chassis(const struct sp_table *loc)
{
	if (loc == NULL || loc->n_rows == 0)
		return NULL;
	return cell_id(loc, 0, col(loc, "chassis_id_subtype"), col(loc, "chassis_id"), 1);
}

char *
topo_decode_loc_port(const struct sp_table *lp, unsigned long num)
{
	for (size_t r = 0; lp != NULL && r < lp->n_rows; r++)
		if (lp->rows[r].index_len == 1 && lp->rows[r].index[0] == num)
			return cell_id(lp, r, col(lp, "port_id_subtype"), col(lp, "port_id"), 0);
	return NULL;
}

/* ---- CDP ------------------------------------------------------------------ */

size_t
topo_decode_cdp(const struct sp_table *t, struct topo_nbrs *out)
{
	size_t took = 0;
	if (t == NULL)
		return 0;
	int c_at = col(t, "address_type"), c_addr = col(t, "address");
	int c_id = col(t, "device_id"), c_port = col(t, "device_port");
	int c_plat = col(t, "platform"), c_caps = col(t, "capabilities");

	for (size_t r = 0; r < t->n_rows; r++) {
		const struct sp_table_row *row = &t->rows[r];
		/* index: cdpCacheIfIndex.cdpCacheDeviceIndex */
		char *name = row->index_len == 2 && row->index[0] != 0 ? cell_text(t, r, c_id) : NULL;
		if (name == NULL) {
			out->dropped++;
			continue;
		}
		struct topo_nbr *e = nbr_add(out, TOPO_CDP);
		if (e == NULL) {
			free(name);
			continue;
		}
		e->local_port = row->index[0];
		e->name = name;
		e->port = cell_text(t, r, c_port);
		e->descr = cell_text(t, r, c_plat);
		long long at = 0;
		const unsigned char *b;
		size_t len;
		char buf[64];
		if (cell_int(t, r, c_at, &at) == 0 && cell_bytes(t, r, c_addr, &b, &len) == 0 &&
		    addr_text(at == 1 ? 1 : at == 20 ? 2 : 0, b, len, buf, sizeof(buf)) == 0)
			e->address = strdup(buf);
		/* CDP capabilities, last octet: 0x01 router, 0x02/0x04 bridge,
		 * 0x08 switch, 0x10 host, 0x80 phone */
		if (cell_bytes(t, r, c_caps, &b, &len) == 0 && len >= 1) {
			unsigned x = b[len - 1];
			e->caps = (x & 0x01 ? TOPO_CAP_ROUTER : 0) |
			    (x & 0x0e ? TOPO_CAP_BRIDGE : 0) | (x & 0x10 ? TOPO_CAP_STATION : 0) |
			    (x & 0x80 ? TOPO_CAP_PHONE : 0);
		}
		took++;
	}
	return took;
}

/* ---- FDB ------------------------------------------------------------------ */

static int
arcs_mac(const uint32_t *a, unsigned char *mac)
{
	for (int i = 0; i < 6; i++) {
		if (a[i] > 255)
			return -1;
		mac[i] = (unsigned char)a[i];
	}
	return 0;
}

size_t
topo_decode_fdb(const struct sp_table *t, const struct sp_table *ports, struct topo_nbrs *out)
{
	size_t took = 0;
	if (t == NULL)
		return 0;
	int c_port = col(t, "port"), c_status = col(t, "status");
	int c_if = col(ports, "if_index");

	for (size_t r = 0; r < t->n_rows; r++) {
		const struct sp_table_row *row = &t->rows[r];
		unsigned char mac[6];
		long long port = 0, status = 3;
		/* BRIDGE-MIB index = MAC; Q-BRIDGE-MIB = FID.MAC */
		if ((row->index_len != 6 && row->index_len != 7) ||
		    arcs_mac(row->index + row->index_len - 6, mac) < 0 ||
		    cell_int(t, r, c_port, &port) < 0 || port <= 0 || port > 0xffffffffLL) {
			out->dropped++;
			continue;
		}
		if (cell_int(t, r, c_status, &status) == 0 && status == 4)
			continue;	/* self: the switch's own MAC */
		long long ifindex = port;
		for (size_t p = 0; ports != NULL && p < ports->n_rows; p++)
			if (ports->rows[p].index_len == 1 && ports->rows[p].index[0] == (uint32_t)port) {
				if (cell_int(ports, p, c_if, &ifindex) < 0)
					ifindex = port;
				break;
			}
		struct topo_nbr *e = nbr_add(out, TOPO_FDB);
		if (e == NULL)
			continue;
		char buf[24];
		mac_text(mac, buf, sizeof(buf));
		e->mac = strdup(buf);
		e->local_port = (unsigned long)(ifindex > 0 && ifindex <= 0xffffffffLL ? ifindex : 0);
		took++;
	}
	return took;
}

/* ---- ARP ------------------------------------------------------------------ */

size_t
topo_decode_arp(const struct sp_table *t, int physical, struct topo_nbrs *out)
{
	size_t took = 0;
	if (t == NULL)
		return 0;
	int c_phys = col(t, "phys"), c_type = col(t, "type");

	for (size_t r = 0; r < t->n_rows; r++) {
		const struct sp_table_row *row = &t->rows[r];
		const uint32_t *ix = row->index;
		size_t n = row->index_len;
		unsigned char a[16];
		int fam = 0;
		size_t alen = 0;
		const unsigned char *b;
		size_t len;
		long long type = 3;

		if (!physical && n == 5) {	/* ipNetToMedia: ifIndex.a.b.c.d */
			fam = 1;
			alen = 4;
			ix += 1;
		} else if (physical && n >= 3 && (ix[1] == 1 || ix[1] == 2) && ix[2] == n - 3) {
			fam = (int)ix[1];	/* ipNetToPhysical: ifIndex.type.len.addr */
			alen = n - 3;
			ix += 3;
		}
		int ok = fam != 0 && alen <= sizeof(a);
		for (size_t i = 0; ok && i < alen; i++) {
			ok = ix[i] <= 255;
			a[i] = (unsigned char)ix[i];
		}
		char addr[64], mac[24];
		if (!ok || addr_text(fam, a, alen, addr, sizeof(addr)) < 0 ||
		    cell_bytes(t, r, c_phys, &b, &len) < 0 || len != 6) {
			out->dropped++;
			continue;
		}
		if (cell_int(t, r, c_type, &type) == 0 && type == 2)
			continue;	/* invalid(2): being removed */
		struct topo_nbr *e = nbr_add(out, TOPO_ARP);
		if (e == NULL)
			continue;
		mac_text(b, mac, sizeof(mac));
		e->mac = strdup(mac);
		e->address = strdup(addr);
		e->local_port = row->index[0];
		took++;
	}
	return took;
}
