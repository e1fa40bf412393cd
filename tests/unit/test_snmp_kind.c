/*
 * test_snmp_kind.c — the device kind from what a device answers
 * (collector/snmp/kind.c, DESIGN §9 "Device kind").
 */
#include <criterion/criterion.h>

#include "collector/snmp/snmp.h"

static struct sp_kind_facts
facts(const char *pk)
{
	struct sp_kind_facts f = { .profile_kind = pk, .sys_services = -1, .bridge_ports = -1 };
	return f;
}

Test(kind, lldp_capability_bits)
{
	cr_assert_eq(sp_lldp_caps((const unsigned char *)"\x20", 1), SP_CAP_BRIDGE);
	cr_assert_eq(sp_lldp_caps((const unsigned char *)"\x28", 1), SP_CAP_BRIDGE | SP_CAP_ROUTER);
	cr_assert_eq(sp_lldp_caps((const unsigned char *)"\x10\x00", 2), SP_CAP_WLAN_AP);
	cr_assert_eq(sp_lldp_caps((const unsigned char *)"\x04", 1), SP_CAP_TELEPHONE);
	cr_assert_eq(sp_lldp_caps((const unsigned char *)"\x01", 1), SP_CAP_STATION);
	cr_assert_eq(sp_lldp_caps(NULL, 0), 0);
}

Test(kind, a_device_profile_wins)
{
	struct sp_kind_facts f = facts("firewall");
	f.profile_strong = 1;
	f.lldp_caps = SP_CAP_BRIDGE;
	f.entity_sensors = 1;
	cr_assert_str_eq(sp_kind_derive(&f), "firewall");
}

Test(kind, net_snmp_linux_bridge_is_a_switch)
{
	struct sp_kind_facts f = facts("server");
	f.lldp_caps = SP_CAP_BRIDGE | SP_CAP_STATION;
	f.sys_services = 72;
	cr_assert_str_eq(sp_kind_derive(&f), "switch");
	f = facts("server");
	f.bridge_ports = 24;
	cr_assert_str_eq(sp_kind_derive(&f), "switch");
	f = facts("server");
	f.sys_services = 72;			/* an ordinary host stays a server */
	cr_assert_str_eq(sp_kind_derive(&f), "server");
}

Test(kind, entity_sensor_room_monitor_is_a_sensor)
{
	struct sp_kind_facts f = facts("other");
	f.entity_sensors = 1;
	cr_assert_str_eq(sp_kind_derive(&f), "sensor");
	f = facts("other");
	f.ent_sensors = 4;
	cr_assert_str_eq(sp_kind_derive(&f), "sensor");
	/* ... but sensors on a switching device do not make it a sensor */
	f.ent_ports = 48;
	cr_assert_str_eq(sp_kind_derive(&f), "switch");
}

Test(kind, mibs_served_and_other_capabilities)
{
	struct sp_kind_facts f = facts("server");
	f.ups_mib = 1;
	cr_assert_str_eq(sp_kind_derive(&f), "ups");
	f = facts("other");
	f.pdu = 1;
	cr_assert_str_eq(sp_kind_derive(&f), "pdu");
	f = facts("other");
	f.lldp_caps = SP_CAP_ROUTER;
	cr_assert_str_eq(sp_kind_derive(&f), "router");
	f = facts("other");
	f.lldp_caps = SP_CAP_WLAN_AP | SP_CAP_BRIDGE;
	cr_assert_str_eq(sp_kind_derive(&f), "ap");
	f = facts("other");
	f.lldp_caps = SP_CAP_TELEPHONE;
	cr_assert_str_eq(sp_kind_derive(&f), "phone");
	f = facts("other");
	f.sys_services = 6;			/* layers 2 and 3, no applications */
	cr_assert_str_eq(sp_kind_derive(&f), "switch");
	f = facts("other");
	f.sys_services = 4;
	cr_assert_str_eq(sp_kind_derive(&f), "router");
	f = facts("server");
	f.sys_services = 76;			/* Windows: layer 3 with applications */
	cr_assert_str_eq(sp_kind_derive(&f), "server");
	f = facts(NULL);
	cr_assert_str_eq(sp_kind_derive(&f), "other");
}
