/*
 * trapnames.c — names for trap OIDs and varbinds without MIB files: a
 * compiled-in table of the notifications campus devices send (SNMPv2-MIB,
 * IF-MIB, ENTITY-MIB, UPS-MIB, BRIDGE-MIB, LLDP-MIB, Cisco/Huawei/H3C
 * configuration and environment traps) and the objects they carry, plus
 * "OID NAME" lines from data files (traps.names_files). The longest known
 * prefix names an OID; what follows it is the instance (".3").
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/events/events.h"

struct name {
	const char *oid, *name;
};

static const struct name builtin[] = {
	/* SNMPv2-MIB and SNMPv2-SMI */
	{ "1.3.6.1.2.1.1.1", "sysDescr" }, { "1.3.6.1.2.1.1.3", "sysUpTime" },
	{ "1.3.6.1.2.1.1.5", "sysName" }, { "1.3.6.1.2.1.1.6", "sysLocation" },
	{ "1.3.6.1.6.3.1.1.4.1", "snmpTrapOID" }, { "1.3.6.1.6.3.1.1.4.3", "snmpTrapEnterprise" },
	{ "1.3.6.1.6.3.18.1.3", "snmpTrapAddress" }, { "1.3.6.1.6.3.18.1.4", "snmpTrapCommunity" },
	{ "1.3.6.1.6.3.1.1.5.1", "coldStart" }, { "1.3.6.1.6.3.1.1.5.2", "warmStart" },
	{ "1.3.6.1.6.3.1.1.5.3", "linkDown" }, { "1.3.6.1.6.3.1.1.5.4", "linkUp" },
	{ "1.3.6.1.6.3.1.1.5.5", "authenticationFailure" },
	{ "1.3.6.1.6.3.1.1.5.6", "egpNeighborLoss" },
	/* IF-MIB */
	{ "1.3.6.1.2.1.2.2.1.1", "ifIndex" }, { "1.3.6.1.2.1.2.2.1.2", "ifDescr" },
	{ "1.3.6.1.2.1.2.2.1.3", "ifType" }, { "1.3.6.1.2.1.2.2.1.7", "ifAdminStatus" },
	{ "1.3.6.1.2.1.2.2.1.8", "ifOperStatus" }, { "1.3.6.1.2.1.31.1.1.1.1", "ifName" },
	{ "1.3.6.1.2.1.31.1.1.1.18", "ifAlias" },
	/* ENTITY-MIB */
	{ "1.3.6.1.2.1.47.2.0.1", "entConfigChange" },
	{ "1.3.6.1.2.1.47.1.1.1.1.2", "entPhysicalDescr" },
	{ "1.3.6.1.2.1.47.1.1.1.1.5", "entPhysicalClass" },
	{ "1.3.6.1.2.1.47.1.1.1.1.7", "entPhysicalName" },
	{ "1.3.6.1.2.1.47.1.4.1", "entLastChangeTime" },
	/* UPS-MIB */
	{ "1.3.6.1.2.1.33.2.1", "upsTrapOnBattery" }, { "1.3.6.1.2.1.33.2.2", "upsTrapTestCompleted" },
	{ "1.3.6.1.2.1.33.2.3", "upsTrapAlarmEntryAdded" },
	{ "1.3.6.1.2.1.33.2.4", "upsTrapAlarmEntryRemoved" },
	{ "1.3.6.1.2.1.33.1.2.2", "upsSecondsOnBattery" },
	{ "1.3.6.1.2.1.33.1.2.3", "upsEstimatedMinutesRemaining" },
	{ "1.3.6.1.2.1.33.1.9.7", "upsConfigLowBattTime" },
	{ "1.3.6.1.2.1.33.1.6.2.1.1", "upsAlarmId" }, { "1.3.6.1.2.1.33.1.6.2.1.2", "upsAlarmDescr" },
	{ "1.3.6.1.2.1.33.1.6.3.1", "upsAlarmBatteryBad" },
	{ "1.3.6.1.2.1.33.1.6.3.2", "upsAlarmOnBattery" },
	{ "1.3.6.1.2.1.33.1.6.3.3", "upsAlarmLowBattery" },
	{ "1.3.6.1.2.1.33.1.6.3.4", "upsAlarmDepletedBattery" },
	{ "1.3.6.1.2.1.33.1.6.3.5", "upsAlarmTempBad" },
	{ "1.3.6.1.2.1.33.1.6.3.6", "upsAlarmInputBad" },
	{ "1.3.6.1.2.1.33.1.6.3.7", "upsAlarmOutputBad" },
	{ "1.3.6.1.2.1.33.1.6.3.8", "upsAlarmOutputOverload" },
	{ "1.3.6.1.2.1.33.1.6.3.9", "upsAlarmOnBypass" },
	/* BRIDGE-MIB */
	{ "1.3.6.1.2.1.17.0.1", "newRoot" }, { "1.3.6.1.2.1.17.0.2", "topologyChange" },
	/* LLDP-MIB */
	{ "1.0.8802.1.1.2.0.0.1", "lldpRemTablesChange" },
	{ "1.0.8802.1.1.2.1.2.2", "lldpStatsRemTablesInserts" },
	{ "1.0.8802.1.1.2.1.2.3", "lldpStatsRemTablesDeletes" },
	{ "1.0.8802.1.1.2.1.2.4", "lldpStatsRemTablesDrops" },
	{ "1.0.8802.1.1.2.1.2.5", "lldpStatsRemTablesAgeouts" },
	/* CISCO-CONFIG-MAN-MIB */
	{ "1.3.6.1.4.1.9.9.43.2.0.1", "ciscoConfigManEvent" },
	{ "1.3.6.1.4.1.9.9.43.1.1.6.1.3", "ccmHistoryEventCommandSource" },
	{ "1.3.6.1.4.1.9.9.43.1.1.6.1.4", "ccmHistoryEventConfigSource" },
	{ "1.3.6.1.4.1.9.9.43.1.1.6.1.5", "ccmHistoryEventConfigDestination" },
	/* CISCO-ENVMON-MIB */
	{ "1.3.6.1.4.1.9.9.13.3.0.1", "ciscoEnvMonShutdownNotification" },
	{ "1.3.6.1.4.1.9.9.13.3.0.2", "ciscoEnvMonVoltageNotification" },
	{ "1.3.6.1.4.1.9.9.13.3.0.3", "ciscoEnvMonTemperatureNotification" },
	{ "1.3.6.1.4.1.9.9.13.3.0.4", "ciscoEnvMonFanNotification" },
	{ "1.3.6.1.4.1.9.9.13.3.0.5", "ciscoEnvMonRedundantSupplyNotification" },
	{ "1.3.6.1.4.1.9.9.13.3.0.6", "ciscoEnvMonVoltStatusChangeNotif" },
	{ "1.3.6.1.4.1.9.9.13.3.0.7", "ciscoEnvMonTempStatusChangeNotif" },
	{ "1.3.6.1.4.1.9.9.13.3.0.8", "ciscoEnvMonFanStatusChangeNotif" },
	{ "1.3.6.1.4.1.9.9.13.3.0.9", "ciscoEnvMonSuppStatusChangeNotif" },
	{ "1.3.6.1.4.1.9.9.13.1.3.1.2", "ciscoEnvMonTemperatureStatusDescr" },
	{ "1.3.6.1.4.1.9.9.13.1.3.1.3", "ciscoEnvMonTemperatureStatusValue" },
	{ "1.3.6.1.4.1.9.9.13.1.4.1.2", "ciscoEnvMonFanStatusDescr" },
	{ "1.3.6.1.4.1.9.9.13.1.4.1.3", "ciscoEnvMonFanState" },
	{ "1.3.6.1.4.1.9.9.13.1.5.1.2", "ciscoEnvMonSupplyStatusDescr" },
	{ "1.3.6.1.4.1.9.9.13.1.5.1.3", "ciscoEnvMonSupplyState" },
	/* CISCO-ENTITY-FRU-CONTROL-MIB */
	{ "1.3.6.1.4.1.9.9.117.2.0.1", "cefcModuleStatusChange" },
	{ "1.3.6.1.4.1.9.9.117.2.0.2", "cefcPowerStatusChange" },
	{ "1.3.6.1.4.1.9.9.117.2.0.3", "cefcFRUInserted" },
	{ "1.3.6.1.4.1.9.9.117.2.0.4", "cefcFRURemoved" },
	{ "1.3.6.1.4.1.9.9.117.2.0.6", "cefcFanTrayStatusChange" },
	/* HUAWEI-ENTITY-TRAP-MIB, HUAWEI-CONFIG-MAN-MIB */
	{ "1.3.6.1.4.1.2011.5.25.219.2.5.1", "hwPowerRemove" },
	{ "1.3.6.1.4.1.2011.5.25.219.2.5.2", "hwPowerInsert" },
	{ "1.3.6.1.4.1.2011.5.25.219.2.5.3", "hwPowerFail" },
	{ "1.3.6.1.4.1.2011.5.25.219.2.5.4", "hwPowerFailResume" },
	{ "1.3.6.1.4.1.2011.5.25.219.2.6.1", "hwFanRemove" },
	{ "1.3.6.1.4.1.2011.5.25.219.2.6.2", "hwFanInsert" },
	{ "1.3.6.1.4.1.2011.5.25.219.2.6.3", "hwFanFail" },
	{ "1.3.6.1.4.1.2011.5.25.219.2.6.4", "hwFanFailResume" },
	{ "1.3.6.1.4.1.2011.5.25.191.3.1", "hwCfgChgNotify" },
	{ "1.3.6.1.4.1.2011.6.10.2.1", "hwCfgManEventlog" },
	/* HH3C-CONFIG-MAN-MIB, H3C-CONFIG-MAN-MIB, HH3C-ENTITY-EXT-MIB */
	{ "1.3.6.1.4.1.25506.2.4.2.1", "hh3cCfgManEventlog" },
	{ "1.3.6.1.4.1.2011.10.2.4.2.1", "h3cCfgManEventlog" },
	{ "1.3.6.1.4.1.25506.2.6.2.0.1", "hh3cEntityExtTemperatureThresholdNotification" },
	{ "1.3.6.1.4.1.25506.2.6.2.0.2", "hh3cEntityExtVoltageLowThresholdNotification" },
	{ "1.3.6.1.4.1.25506.2.6.2.0.3", "hh3cEntityExtVoltageHighThresholdNotification" },
	{ "1.3.6.1.4.1.25506.2.6.2.0.4", "hh3cEntityExtCpuUsageThresholdNotfication" },
	{ "1.3.6.1.4.1.25506.2.6.2.0.5", "hh3cEntityExtMemUsageThresholdNotification" },
	{ "1.3.6.1.4.1.25506.2.6.2.0.6", "hh3cEntityExtOperEnabled" },
	{ "1.3.6.1.4.1.25506.2.6.2.0.7", "hh3cEntityExtOperDisabled" },
};

/* Names loaded from files; searched before the built-in table. Set at start
 * on the loop thread, read there only. */
static struct name *loaded;
static size_t n_loaded;

static int
better(const struct name *n, const char *oid, size_t *best_len)
{
	size_t l = strlen(n->oid);
	if (l <= *best_len || strncmp(oid, n->oid, l) != 0 || (oid[l] != '\0' && oid[l] != '.'))
		return 0;
	*best_len = l;
	return 1;
}

int
trapnames_lookup(const char *oid, char *out, size_t cap)
{
	const struct name *hit = NULL;
	size_t best = 0;
	if (oid[0] == '.')
		oid++;
	for (size_t i = 0; i < n_loaded; i++)
		if (better(&loaded[i], oid, &best))
			hit = &loaded[i];
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (better(&builtin[i], oid, &best))
			hit = &builtin[i];
	if (hit == NULL)
		return -1;
	snprintf(out, cap, "%s%s", hit->name, oid + best);
	return 0;
}

/* One file of "OID NAME" lines ('#' comments). */
int
trapnames_load_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char oid[256], name[128];
		if (line[0] == '#' || sscanf(line, "%255s %127s", oid, name) != 2)
			continue;
		const char *o = oid[0] == '.' ? oid + 1 : oid;
		if (strspn(o, "0123456789.") != strlen(o))
			continue;
		struct name *grown = realloc(loaded, (n_loaded + 1) * sizeof(*loaded));
		if (grown == NULL)
			break;
		loaded = grown;
		loaded[n_loaded].oid = strdup(o);
		loaded[n_loaded].name = strdup(name);
		if (loaded[n_loaded].oid == NULL || loaded[n_loaded].name == NULL)
			break;
		n_loaded++;
		n++;
	}
	fclose(f);
	return n;
}
