#!/usr/bin/python3
"""summary.py — the ingest benchmark's table, ratios and targets.

Usage: summary.py DIR   (the folder where run.sh left collector.json, vm.json,
rrdcached.json, parser-mixed.txt and parser-cpu.txt). Prints Markdown.
"""
import json
import os
import re
import sys

MiB = 1024 * 1024
TARGET_SUSTAINED = 200_000
TARGET_PARSE = 1_000_000
TARGET_BASE = 20 * MiB
TARGET_PER_SERIES = 512


def load(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None


def parser_rate(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            m = re.search(r"^(\d+) lines/s", f.read(), re.M)
            return int(m.group(1)) if m else None
    except OSError:
        return None


def num(v, unit=""):
    return "—" if v is None else "{:,}{}".format(v, unit)


def ratio(a, b):
    return "—" if not a or not b else "%.2f" % (a / b)


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    d = sys.argv[1]
    c, vm, rc = load(d, "collector.json"), load(d, "vm.json"), load(d, "rrdcached.json")
    p_mixed, p_cpu = parser_rate(d, "parser-mixed.txt"), parser_rate(d, "parser-cpu.txt")
    any_run = c or vm or rc

    if any_run:
        print("Series: {:,} ({} hosts x {} fields); {:,} samples per request; {} "
              "connections; timed rounds after round 0.\n".format(
                  any_run["series"], any_run["hosts"], any_run["fields"],
                  any_run["per_body_samples"], any_run["conns"]))
    print("| target | samples timed | accepted samples/s | peak accepted in 1 s | "
          "stored samples/s | target CPU s (accept / until stored) | loader CPU % of a core "
          "| 503 retries |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    names = {"collector": "campusmon-collector (204 = journal fsynced; stored = in RRD)",
             "vm": "VictoriaMetrics (204 before fsync; stored = in its in-memory parts)",
             "rrdcached": "rrdcached loop (acked = cache + journal, no fsync; stored = in "
                          "RRD after FLUSHALL)"}
    for key, r in (("collector", c), ("vm", vm), ("rrdcached", rc)):
        if r is None:
            print("| %s | did not run | | | | | | |" % names[key])
            continue
        print("| {} | {} | {} | {} | {} | {} / {} | {} | {} |".format(
            names[key], num(r.get("samples")), num(r.get("accepted_per_s")),
            num(r.get("peak_accepted_per_s")), num(r.get("stored_per_s")), r.get("target_cpu_accept_s", "—"),
            r.get("target_cpu_total_s", "—"), r.get("loader_cpu_pct_of_core"),
            num(r.get("busy_retries"))))
    print()
    print("| parser micro-benchmark (one core) | lines/s |")
    print("| --- | ---: |")
    print("| mixed shapes | %s |" % num(p_mixed))
    print("| cpu shape only | %s |" % num(p_cpu))
    print()

    print("Ratios:\n")
    if c and vm:
        print("- campusmon accepted / VictoriaMetrics accepted: %s" %
              ratio(c.get("accepted_per_s"), vm.get("accepted_per_s")))
    if c and rc:
        print("- campusmon accepted / rrdcached accepted: %s" %
              ratio(c.get("accepted_per_s"), rc.get("accepted_per_s")))
        print("- campusmon into RRD / rrdcached loop into RRD: %s" %
              ratio(c.get("stored_per_s"), rc.get("stored_per_s")))
    print()

    print("Targets (issue 2):\n")
    if c:
        s = c.get("stored_per_s")
        print("- sustained into RRD >= {:,} samples/s: {} ({})".format(
            TARGET_SUSTAINED, num(s), verdict(s is not None and s >= TARGET_SUSTAINED)))
        a = c.get("accepted_per_s")
        print("- (accepted and durable: {} samples/s; {})".format(
            num(a), verdict(a is not None and a >= TARGET_SUSTAINED)))
    if p_mixed:
        print("- parsed >= {:,} lines/s per core: {} ({})".format(
            TARGET_PARSE, num(p_mixed), verdict(p_mixed >= TARGET_PARSE)))
    if c and "rss_after_kb" in c:
        n = c["series"]
        before, after, hwm = (c["rss_before_kb"] * 1024, c["rss_after_kb"] * 1024,
                              c["hwm_after_kb"] * 1024)
        per = (after - before) / n
        per_hwm = (hwm - before) / n
        limit = TARGET_BASE + TARGET_PER_SERIES * n
        print("- memory: empty collector VmRSS {:.1f} MiB; after loading {:,} series "
              "VmRSS {:.1f} MiB, VmHWM {:.1f} MiB".format(before / MiB, n, after / MiB,
                                                        hwm / MiB))
        print("  - per series above the empty collector: {:,.0f} bytes (VmRSS), "
              "{:,.0f} bytes (VmHWM); target <= {} ({})".format(
                  per, per_hwm, TARGET_PER_SERIES, verdict(per <= TARGET_PER_SERIES)))
        print("  - against 20 MiB + 512 B x {:,} series = {:.1f} MiB: VmRSS {} , "
              "VmHWM {}".format(n, limit / MiB, verdict(after <= limit),
                                verdict(hwm <= limit)))


if __name__ == "__main__":
    main()
