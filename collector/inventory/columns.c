/*
 * columns.c — the device column table (inventory.h says what it drives).
 */
#include <stddef.h>

#include "collector/inventory/inventory.h"

#define D(f) offsetof(struct device, f)
const struct dcol device_columns[] = {
	{ "name", "name", DCOL_TEXT, D(name), DF_WRITE, 255 },
	{ "address", "address", DCOL_TEXT, D(address), DF_WRITE, 255 },
	{ "port", "port", DCOL_INT, D(port), DF_WRITE, 0 },
	{ "kind", "kind", DCOL_TEXT, D(kind), DF_WRITE, 32 },
	{ "kind_set", NULL, DCOL_INT, D(kind_set), 0, 0 },
	{ "site", "site", DCOL_TEXT, D(site), DF_WRITE, 255 },
	{ "building", "building", DCOL_TEXT, D(building), DF_WRITE, 255 },
	{ "room", "room", DCOL_TEXT, D(room), DF_WRITE, 255 },
	{ "rack", "rack", DCOL_TEXT, D(rack), DF_WRITE, 255 },
	{ "serial", "serial", DCOL_TEXT, D(serial), DF_WRITE, 255 },
	{ "model", "model", DCOL_TEXT, D(model), DF_WRITE, 255 },
	{ "asset_tag", "asset_tag", DCOL_TEXT, D(asset_tag), DF_WRITE, 255 },
	{ "vendor", "vendor", DCOL_TEXT, D(vendor), 0, 0 },
	{ "firmware", "firmware", DCOL_TEXT, D(firmware), 0, 0 },
	{ "snmp_version", "version", DCOL_TEXT, D(snmp_version), DF_WRITE | DF_SNMP, 2 },
	{ "community", "community", DCOL_TEXT, D(community), DF_WRITE | DF_SNMP | DF_SECRET, 255 },
	{ "v3_user", "user", DCOL_TEXT, D(v3_user), DF_WRITE | DF_SNMP, 255 },
	{ "auth_proto", "auth_proto", DCOL_TEXT, D(auth_proto), DF_WRITE | DF_SNMP, 16 },
	{ "auth_pass", "auth_pass", DCOL_TEXT, D(auth_pass), DF_WRITE | DF_SNMP | DF_SECRET, 255 },
	{ "priv_proto", "priv_proto", DCOL_TEXT, D(priv_proto), DF_WRITE | DF_SNMP, 16 },
	{ "priv_pass", "priv_pass", DCOL_TEXT, D(priv_pass), DF_WRITE | DF_SNMP | DF_SECRET, 255 },
	{ "interval", "interval", DCOL_INT, D(interval), DF_WRITE, 0 },
	{ "monitored", "monitored", DCOL_BOOL, D(monitored), DF_WRITE, 0 },
	{ "status", "status", DCOL_TEXT, D(status), 0, 0 },
	{ "last_seen", "last_seen", DCOL_REAL, D(last_seen), 0, 0 },
	{ "sys_descr", "sys_descr", DCOL_TEXT, D(sys_descr), 0, 0 },
	{ "sys_object_id", "sys_object_id", DCOL_TEXT, D(sys_object_id), 0, 0 },
	{ "sys_name", "sys_name", DCOL_TEXT, D(sys_name), 0, 0 },
	{ "sys_location", "sys_location", DCOL_TEXT, D(sys_location), 0, 0 },
	{ "sys_contact", "sys_contact", DCOL_TEXT, D(sys_contact), 0, 0 },
	{ "created", "created", DCOL_REAL, D(created), 0, 0 },
};
const size_t device_n_columns = sizeof(device_columns) / sizeof(device_columns[0]);

