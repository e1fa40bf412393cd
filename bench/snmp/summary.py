#!/usr/bin/python3
"""summary.py — the SNMP benchmark's table, ratios and targets.

Usage: summary.py DIR   (the folder where run.sh left params and PHASE.res
files of key=value lines). Prints Markdown.
"""
import os
import sys

# Targets of issue 4 and the figures it quotes (CPU-s per 1,000 values).
TARGET_POLL = 0.004
TARGET_RRD_FACTOR = 5
TARGET_SCALE_CORE = 0.25
TARGET_PER_REQUEST = 20
QUOTED = {"collectd": 0.011, "collectd_rrd": 0.051, "collectd_rrd_default": 0.051,
          "exporter": 0.012, "bulkwalk": 0.13}
CAMPUSMON = ("campusmon", "campusmon_rrd", "scale", "scale_rrd")

ROWS = [
    ("campusmon", "campusmon-collector, polling alone",
     "the whole process: loop thread (SNMP engine, evaluation into rates, series "
     "catalogue, last values), journal thread (append + fdatasync of every poll's "
     "samples), store thread (idle: storage.flush_delay 3600 s defers RRD writes)"),
    ("campusmon_rrd", "campusmon-collector, polling plus RRD storage (flush 30 s)",
     "the whole process as above, plus the store thread writing every value to RRD "
     "(default storage.flush_delay 30 s: each RRD update carries 3 rows of its file, "
     "a file per interface with its 7 series)"),
    ("campusmon_rrd_10s", "campusmon-collector, polling plus RRD storage (flush 10 s)",
     "as above with storage.flush_delay 10 s: one row per RRD update, as a 60 s "
     "poll interval gets with the default flush"),
    ("scale", "campusmon-collector, scale phase (50-interface devices), polling alone",
     "the whole process, as the first row"),
    ("scale_rrd", "campusmon-collector, scale phase with RRD storage (one row per update)",
     "the whole process, with the store thread writing every value to RRD at a "
     "flush_delay of half the poll interval, so that each RRD update carries one "
     "row of its file, as a 60 s interval gets with the default 30 s flush"),
    ("collectd", "collectd snmp plugin, no writer",
     "the collectd process (read threads; values dispatched to no writer)"),
    ("collectd_rrd", "collectd snmp plugin + rrdtool (CacheTimeout 30 s)",
     "the collectd process, including the rrdtool plugin's writes, batched 30 s as "
     "campusmon's default"),
    ("collectd_rrd_default", "collectd snmp plugin + rrdtool (collectd defaults)",
     "the collectd process, including the rrdtool plugin's writes with its default "
     "settings: no cache, each value list written as it arrives"),
    ("exporter", "snmp_exporter (Prometheus)",
     "the exporter process (walks, metric building, exposition text); not the curl "
     "scraper"),
    ("bulkwalk", "snmpbulkwalk loop",
     "every snmpbulkwalk process and the loop's shell (process start, library "
     "init, output as text to a file)"),
]


def load(d, name):
    out = {}
    try:
        with open(os.path.join(d, name)) as f:
            for line in f:
                if "=" in line:
                    k, v = line.strip().split("=", 1)
                    try:
                        out[k] = float(v)
                    except ValueError:
                        out[k] = v
    except OSError:
        return None
    return out


def per_k(r):
    if not r or not r.get("values"):
        return None
    return r["cpu"] / r["values"] * 1000


def rate(r, p):
    """Values per second over the window (cycle pollers: over whole cycles)."""
    if "cycles" in r or "processes" in r:
        return r["values"] / p["measure"]
    return r["values"] / r["wall"]


def fmt(v, spec="{:,.0f}"):
    return "—" if v is None else spec.format(v)


def verdict(ok):
    return "**met**" if ok else "**MISSED**"


def main():
    d = sys.argv[1]
    p = load(d, "params") or {}
    # extra flush_delay variants: campusmon_rrd_50s.res ...
    for f in sorted(os.listdir(d)):
        k = f[:-4]
        if f.startswith("campusmon_rrd_") and f.endswith("s.res") and k not in [r[0] for r in ROWS]:
            n = k[len("campusmon_rrd_"):-1]
            ROWS.insert(3, (k, "campusmon-collector, polling plus RRD storage (flush %s s)" % n,
                            "as above with storage.flush_delay %s s" % n))
    res = {k: load(d, k + ".res") for k, _, _ in ROWS}

    print("| poller | values in window | values/s | request packets | values per request "
          "| CPU-s | CPU-s per 1,000 values | values/s per core | busiest snmpd, % of a core |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key, label, _ in ROWS:
        r = res[key]
        if r is None:
            continue
        pk = per_k(r)
        print("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            label, fmt(r["values"]), fmt(rate(r, p)), fmt(r["requests"]),
            fmt(r["values"] / r["requests"] if r["requests"] else None, "{:.1f}"),
            fmt(r["cpu"], "{:.2f}"), fmt(pk, "{:.4f}"),
            fmt(1000 / pk if pk else None), fmt(r["snmpd_max_core"] * 100, "{:.1f}")))
    print()
    print("values/s is the load offered (every poller kept its interval); values/s per "
          "core = 1,000 / CPU-s per 1,000 values. What each CPU figure includes:")
    for key, label, what in ROWS:
        if res[key] is not None:
            print("- %s: %s." % (label, what))
    print()

    c, sc = res["campusmon"], res["scale"]
    for key in [k for k, _, _ in ROWS if k.startswith(CAMPUSMON)]:
        r = res[key]
        if r is None:
            continue
        threads = ", ".join("%s %.2f" % (k[7:], v) for k, v in r.items() if k.startswith("thread_"))
        extra = ""
        if r.get("rrd_written") and r.get("rrd_calls"):
            extra = ("; %s values written to RRD in %s updates, %.1f values each (librrd wall "
                     "time %.2f s), store thread %.1f µs per value written, %.1f µs per "
                     "update; %s files, %s MB" % (
                         fmt(r["rrd_written"]), fmt(r["rrd_calls"]),
                         r["rrd_written"] / r["rrd_calls"], r["rrd_update_s"],
                         r["thread_store"] / r["rrd_written"] * 1e6,
                         r["thread_store"] / r["rrd_calls"] * 1e6,
                         fmt(r.get("rrd_files")), fmt(r.get("disk"))))
        print("- %s: CPU by thread (s): %s (/proc ticks of the process: %.2f s); %d polls "
              "(%d failed, %d timeouts); the collector counted %s requests, snmpd %s%s." % (
                  key, threads, r["proc_ticks_cpu"], r["polls"], r["failed"], r["timeouts"],
                  fmt(r["own_requests"]), fmt(r["requests"]), extra))
    for key in ("collectd_rrd", "collectd_rrd_default"):
        r = res[key]
        if r is not None:
            print("- %s: %s RRD files, %s MB." % (key, fmt(r.get("rrd_files")), fmt(r.get("disk"))))
    print()

    print("| target (issue 4) | measured | verdict |")
    print("| --- | --- | --- |")
    if c:
        v = per_k(c)
        print("| polling alone ≤ %.3f CPU-s per 1,000 values | %.4f (%.1f× under the target; "
              "%s values/s per core) | %s |" % (TARGET_POLL, v, TARGET_POLL / v, fmt(1000 / v),
                                               verdict(v <= TARGET_POLL)))
    crrd = res["campusmon_rrd"]
    for key, how in (("collectd_rrd", "writes batched 30 s on both sides"),
                     ("collectd_rrd_default", "collectd's default rrdtool settings")):
        if crrd and res[key]:
            a, b = per_k(crrd), per_k(res[key])
            print("| polling plus RRD ≥ %d× less CPU per value than collectd with rrdtool "
                  "(%s) | %.4f vs %.4f: %.1f× less | %s |" % (
                      TARGET_RRD_FACTOR, how, a, b, b / a, verdict(b / a >= TARGET_RRD_FACTOR)))
    if sc:
        core = sc["cpu"] / sc["wall"]
        line = ("| 2,000 devices × 50 interfaces every 60 s within %.2f of a core | "
                "polling alone, measured at the same poll rate (%d devices × %d interfaces "
                "every %d s = %.1f polls/s, %s values/s): %.3f of a core" % (
                    TARGET_SCALE_CORE, sc["devices"], sc["rows"], sc["interval"],
                    sc["devices"] / sc["interval"], fmt(rate(sc, p)), core))
        total = None
        srrd = res["scale_rrd"]
        if srrd:
            total = srrd["cpu"] / srrd["wall"]
            line += ("; with RRD storage, one row per update (%d devices × %d interfaces every "
                     "%d s, %s RRD files, %s values written, %.1f per update): %.3f of a core" % (
                         srrd["devices"], srrd["rows"], srrd["interval"],
                         fmt(srrd.get("rrd_files")), fmt(srrd.get("rrd_written")),
                         srrd["rrd_written"] / max(1, srrd.get("rrd_calls", 0)), total))
        print(line + " | polling alone %s%s |" % (
            verdict(core <= TARGET_SCALE_CORE),
            "" if total is None else ", with RRD %s" % verdict(total <= TARGET_SCALE_CORE)))
    if c:
        v = c["values"] / c["requests"]
        line = "| ≥ %d values per request packet | %.1f (%d-interface devices)" % (
            TARGET_PER_REQUEST, v, p.get("rows", 0))
        ok = v >= TARGET_PER_REQUEST
        if sc:
            w = sc["values"] / sc["requests"]
            line += ", %.1f (%d-interface devices)" % (w, sc["rows"])
            ok = ok and w >= TARGET_PER_REQUEST
        print(line + " | %s |" % verdict(ok))
    print()

    if c:
        base = per_k(c)
        print("| peer | its CPU-s per 1,000 values | campusmon's | peer ÷ campusmon | "
              "quoted in issue 4 |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for key, label, _ in ROWS:
            if key.startswith(CAMPUSMON):
                continue
            r = res[key]
            if r is None:
                continue
            ref, refname = base, "polling alone"
            if key.startswith("collectd_rrd") and crrd:
                ref, refname = per_k(crrd), "with RRD"
            print("| %s | %.4f | %.4f (%s) | %.1f | %.3f |" % (
                label, per_k(r), ref, refname, per_k(r) / ref, QUOTED[key]))


if __name__ == "__main__":
    main()
