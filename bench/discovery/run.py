#!/usr/bin/python3
"""Seeded discovery of a simulated campus (issue 11's benchmark).

N devices (default 500) as generated .snmprec recordings served by snmpsimd
(4 processes sharing the addresses) on 127.20.x.y loopback addresses: a core, distribution switches and
access switches wired as a tree, each device's LLDP management addresses
(lldpRemManAddrTable) naming its parent and children, every fifth access
switch a Cisco answering CDP (cdpCacheAddress) instead. A real
campusmon-collector (built tree) is asked for seeded discovery from the core
with the allowed range 127.20.0.0/16 and two credentials (every device
answers the first); the figure is the time from the
POST to the job's "done", read from the job itself (started, finished).

    bench/discovery/run.py [--devices 500] [--build build]

Prints one JSON line: devices, found, added, skipped, seconds (the figure),
the simulator's start-up time (not counted) and the ratio to LibreNMS's
6-hour neighbour discovery. snmpsimd is Python on one core: it bounds the
figure, not the collector.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))


def addr(i):
    return "127.20.%d.%d" % (i // 250, i % 250 + 1)


def campus(n, dist):
    """parent of each device: 0 is the core, 1..dist distribution, the rest access."""
    parent = [None]
    for i in range(1, n):
        parent.append(0 if i <= dist else 1 + (i - dist - 1) % dist)
    children = [[] for _ in range(n)]
    for i, p in enumerate(parent):
        if p is not None:
            children[p].append(i)
    return parent, children


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=500)
    ap.add_argument("--dist", type=int, default=10)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--shards", type=int, default=4,
                    help="snmpsimd processes sharing the addresses (it is Python, one core each)")
    ap.add_argument("--concurrency", type=int, default=64,
                    help="discovery.concurrency (the collector's default is 64)")
    args = ap.parse_args()
    os.environ["CAMPUSMON_BUILD"] = os.path.abspath(args.build)
    from conftest import Collector, wait_for
    from lldpsim import CISCO_2960X, HUAWEI_S5720, Snmpsim, recording

    n = args.devices
    parent, children = campus(n, args.dist)
    recs = []
    for i in range(n):
        neigh = [addr(j) for j in ([parent[i]] if parent[i] is not None else []) + children[i]]
        access = i > args.dist
        if access and i % 5 == 0:   # a Cisco access switch: CDP only
            recs.append(recording("acc-%d" % i, sys_object_id=CISCO_2960X,
                                  descr="Cisco IOS Software, C2960X Software", cdp=neigh,
                                  caps_hex=None))
        else:
            recs.append(recording(("core" if i == 0 else "dist-%d" % i if not access
                                   else "acc-%d" % i), sys_object_id=HUAWEI_S5720,
                                  descr="Huawei S5720", lldp=neigh))
    addrs = [addr(i) for i in range(n)]
    t0 = time.time()
    sims, col = [], None
    try:
        port = None
        for k in range(args.shards):
            sims.append(Snmpsim(addrs[k::args.shards], recs[k::args.shards], "bench-ro",
                                port=port))
            port = sims[0].port
        sim = sims[0]
        wait_for(lambda: all(s.answers(s.addresses[-1]) and s.answers(s.addresses[0])
                             for s in sims), timeout=600, interval=1, what="snmpsimd")
        sim_ready = time.time() - t0
        col = Collector(config="discovery:\n  concurrency: %d\n" % args.concurrency)
        col.start()
        r = col.post_json("/api/v1/discovery", {
            "seeds": [addrs[0]], "allowed": ["127.20.0.0/16"], "port": sim.port,
            "credentials": [{"version": "2c", "community": "bench-ro"},
                            {"version": "2c", "community": "unused"}]})
        assert r.status == 202, r.body
        jid = r.json()["id"]
        job = wait_for(lambda: (lambda j: j if j["state"] == "done" else None)(
            col.get("/api/v1/discovery/%d" % jid).json()), timeout=3600, interval=1,
            what="seeded discovery")
        secs = job["finished"] - job["started"]
        devices = len(col.get("/api/v1/devices").json())
        reasons = {}
        for sk in job["skipped"]:
            reasons[sk["reason"]] = reasons.get(sk["reason"], 0) + 1
        print(json.dumps({"devices": n, "found": job["found_count"], "added": job["added"],
                          "skipped": job["skipped_count"], "tried": job["tried"],
                          "in_inventory": devices, "skip_reasons": reasons,
                          "concurrency": args.concurrency, "simulators": args.shards,
                          "seconds": round(secs, 2),
                          "snmpsim_start_seconds": round(sim_ready, 1),
                          "librenms_6h_ratio": round(6 * 3600 / secs, 1)}))
        if os.environ.get("BENCH_DEBUG"):
            print(sorted(addrs.index(sk["address"]) for sk in job["skipped"]))
    finally:
        if col is not None:
            col.cleanup()
        for s in sims:
            s.stop()


if __name__ == "__main__":
    main()
