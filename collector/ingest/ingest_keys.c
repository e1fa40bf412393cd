/*
 * ingest_keys.c — this subsystem's part of the configuration schema (ingest.* and limits.*: what a write may carry).
 * config.c joins the parts; docs/configuration.md is generated from them.
 */
#include <stddef.h>

#include "collector/collector.h"
#include "collector/ingest/ingest.h"

#define KiB 1024LL
#define MiB (1024LL * 1024)

const struct cfg_key ingest_keys[] = {
	{ "ingest.max_body", CFG_SIZE, CONFIG_OFF(max_body), "16MiB", 1 * KiB, 1024 * MiB, NULL,
	    NULL, "largest write body, after gzip decompression (413 beyond)" },
	{ "ingest.max_line_length", CFG_SIZE, CONFIG_OFF(max_line), "64KiB", 256, 16 * MiB, NULL,
	    NULL, "longest line of line protocol" },
	{ "ingest.max_lines", CFG_INT, CONFIG_OFF(max_lines), "1000000", 1, 100000000, NULL, NULL,
	    "most lines in one write request (413 beyond)" },
	{ "ingest.max_series_per_host", CFG_INT, CONFIG_OFF(max_series_per_host), "100000", 1,
	    10000000, NULL, NULL, "most series one host may create" },
	{ "ingest.max_future", CFG_DURATION, CONFIG_OFF(max_future), "5m", 0, 86400, NULL, NULL,
	    "samples further in the future than this are dropped per line (400 partial write)" },
	{ "ingest.max_future_unbound", CFG_DURATION, CONFIG_OFF(max_future_unbound), "10s", 0, 86400,
	    NULL, NULL, "the same for agent tokens bound to no host (a host's last time "
	    "pushed ahead blocks its own writes until then); the smaller of the two applies" },
	{ "limits.max_series", CFG_INT, CONFIG_OFF(max_series), "1000000", 1, 100000000, NULL, NULL,
	    "most series in the catalogue; lines that would add more are refused (400)" },
	{ "limits.max_string_bytes", CFG_SIZE, CONFIG_OFF(max_string_bytes), "4KiB", 16, 1 * MiB,
	    NULL, NULL, "longest string field value; longer ones refuse their line (400)" },
	{ "limits.min_interval", CFG_DURATION, CONFIG_OFF(min_interval), "1s", 1, 3600, NULL, NULL,
	    "smallest RRD step of new series written with API tokens or a web session "
	    "(smaller stated intervals are raised to it)" },
	{ "limits.min_interval_agent", CFG_DURATION, CONFIG_OFF(min_interval_agent), "5s", 1, 3600,
	    NULL, NULL, "the same for agent tokens (an RRD file at 1 s is about 1 MB per "
	    "series with the default retention)" },
	{ "ingest.counters", CFG_STRLIST, CONFIG_OFF(counters),
	    "[net.bytes_recv, net.bytes_sent, net.packets_recv, net.packets_sent, "
	    "net.err_in, net.err_out, net.drop_in, net.drop_out, "
	    "net.tcp_activeopens, net.tcp_passiveopens, net.tcp_attemptfails, "
	    "net.tcp_estabresets, net.tcp_insegs, net.tcp_outsegs, net.tcp_retranssegs, "
	    "net.tcp_inerrs, net.tcp_outrsts, net.udp_indatagrams, net.udp_outdatagrams, "
	    "net.udp_noports, net.udp_inerrors, net.udp_rcvbuferrors, net.udp_sndbuferrors, "
	    "net.ip_inreceives, net.ip_outrequests, net.ip_indiscards, net.ip_outdiscards, "
	    "net.icmp_inmsgs, net.icmp_outmsgs, net.icmp_inerrors, "
	    "diskio.reads, diskio.writes, diskio.read_bytes, diskio.write_bytes, "
	    "diskio.read_time, diskio.write_time, diskio.io_time, diskio.weighted_io_time, "
	    "diskio.merged_reads, diskio.merged_writes, "
	    "kernel.context_switches, kernel.interrupts, kernel.processes_forked, "
	    "kernel.disk_pages_in, kernel.disk_pages_out, nstat.*]", 0, 256, NULL,
	    collector_check_counters,
	    "cumulative fields stored as per-second rates named FIELD_ps (MEASUREMENT.FIELD, "
	    "FIELD may end in *); the defaults are Telegraf's counters of net (with its "
	    "netstat-style protocol counters), diskio, kernel and nstat; [] turns this off" },
	{ "ingest.extra_counters", CFG_STRLIST, CONFIG_OFF(extra_counters), "[]", 0, 256, NULL,
	    collector_check_counters,
	    "more cumulative fields turned into rates, added to ingest.counters "
	    "(e.g. [snmp.ifHCInOctets, mysql.queries])" },
	CFG_END
};
