/*
 * kind.c — what a device is, from what it answers (DESIGN §9 "Device kind"):
 * the matched profiles, the MIBs it serves, LLDP system capabilities,
 * sysServices, BRIDGE-MIB ports and ENTITY-MIB physical classes. Re-derived
 * at every full poll, so it follows what is learned; an admin's kind
 * (kind_set) is kept by the inventory, not here.
 */
#include "collector/snmp/snmp.h"

#include <string.h>

#define STRONG_PRIORITY 40	/* device and vendor profiles; generic MIBs are below */

unsigned
sp_lldp_caps(const unsigned char *bits, size_t len)
{
	unsigned caps = 0;

	for (size_t b = 0; b < 8 && b / 8 < len; b++)
		if (bits[b / 8] & (0x80u >> (b % 8)))
			caps |= 1u << b;
	return caps;
}

const char *
sp_kind_derive(const struct sp_kind_facts *f)
{
	const char *pk = f->profile_kind ? f->profile_kind : "other";
	int svc = f->sys_services;
	/* sysServices: layer 2 (2), 3 (4); an application host sets layer 7 (64) */
	int svc_host = svc >= 0 && (svc & 64);

	if (f->profile_strong)
		return pk;
	if (f->ups_mib)
		return "ups";
	if (f->pdu)
		return "pdu";
	int switching = (f->lldp_caps & SP_CAP_BRIDGE) || f->bridge_ports >= 2 ||
	    f->ent_ports >= 4 || (svc >= 0 && (svc & 2) && !svc_host);
	int routing = (f->lldp_caps & SP_CAP_ROUTER) || (svc >= 0 && (svc & 4) && !svc_host);
	if ((f->lldp_caps & SP_CAP_WLAN_AP) && !(f->lldp_caps & SP_CAP_ROUTER))
		return "ap";
	if (switching)
		return "switch";
	if (routing)
		return "router";
	if (f->entity_sensors || f->ent_sensors > 0)
		return "sensor";
	if (f->lldp_caps & SP_CAP_TELEPHONE)
		return "phone";
	return pk;
}

static const struct sp_vb *
get_text(const struct sp_store *st, const char *oid)
{
	struct sp_oid o;

	if (sp_oid_parse(oid, &o, 0) < 0)
		return NULL;
	return sp_store_get(st, o.arcs, o.len);
}

void
sp_kind_facts_gather(struct sp_kind_facts *f, const struct sp_store *st,
    const struct sp_profile *const *matched, size_t n, const char *profile_kind)
{
	const struct sp_vb *vb;
	double v;

	memset(f, 0, sizeof(*f));
	f->profile_kind = profile_kind;
	f->sys_services = -1;
	f->bridge_ports = -1;
	for (size_t k = n; k-- > 0;) {
		const struct sp_profile *p = matched[k];
		if (strcmp(p->name, "ups-mib") == 0)
			f->ups_mib = 1;
		if (strcmp(p->name, "entity-sensor-mib") == 0)
			f->entity_sensors = 1;
		if (p->kind != NULL && strcmp(p->kind, "pdu") == 0)
			f->pdu = 1;
		if ((p->kind != NULL || p->n_kind_rules > 0) && p->priority >= STRONG_PRIORITY)
			f->profile_strong = 1;
	}
	if ((vb = get_text(st, SP_OID_SYS_SERVICES)) != NULL && sp_value_number(&vb->v, &v) == 0 &&
	    v >= 0 && v <= 127)
		f->sys_services = (int)v;
	if ((vb = get_text(st, SP_OID_LLDP_CAP_ENABLED)) != NULL && vb->v.type == SP_V_STRING)
		f->lldp_caps = sp_lldp_caps(vb->v.s, vb->v.len);
	if ((vb = get_text(st, SP_OID_BRIDGE_PORTS)) != NULL && sp_value_number(&vb->v, &v) == 0 &&
	    v >= 0)
		f->bridge_ports = (long)v;
	struct sp_oid cls;
	if (sp_oid_parse(SP_OID_ENT_CLASS, &cls, 0) == 0) {
		for (size_t i = sp_store_lower(st, cls.arcs, cls.len); i < st->n &&
		    sp_oid_is_prefix(cls.arcs, cls.len, st->v[i].arcs, st->v[i].n); i++) {
			if (st->v[i].v.type != SP_V_INT)
				continue;
			f->ent_ports += st->v[i].v.i == 10;
			f->ent_sensors += st->v[i].v.i == 8;
		}
	}
}
