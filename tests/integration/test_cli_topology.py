"""campusmon topology against a real collector.

The tree printing itself is unit-tested (tests/unit/test_cli_topology.c);
here the built CLI talks to the built collector: help, bad options, --json,
and "no topology yet" before any neighbour table was walked. A real campus
(lldpd + snmpd in network namespaces, from the topology branch's fixture)
is printed as a tree in test_topology_tree_of_a_real_campus, when the
namespaces can be made.
"""
import json
import re

from conftest import TOKEN, wait_for
from test_cli import cli, home, run  # noqa: F401  (home is a fixture)


def test_help_describes_topology(home):
    assert re.search(r"^  topology +print the network as a tree", run(home, "--help").stdout, re.M)
    p = run(home, "help", "topology")
    assert p.returncode == 0
    assert p.stdout.startswith("usage: campusmon topology [--from NODE] [--depth N]")
    for word in ("--from NODE", "--depth N", "(unmanaged)", "no topology yet"):
        assert word in p.stdout, word


def test_bad_depth_is_a_usage_error(collector, home):
    for bad in ("-1", "x", "", "999"):
        p = cli(collector, home, "topology", "--depth", bad)
        assert p.returncode == 2, (bad, p.stdout, p.stderr)
        assert "--depth" in p.stderr
    p = cli(collector, home, "topology", "extra")
    assert p.returncode == 2


def test_no_topology_yet(collector, home):
    """Before any neighbour walk the collector answers an empty graph (or 503
    "no topology yet" while it has none at all): said in words, exit 0."""
    r = collector.get("/api/v1/topology", token=TOKEN)
    empty = r.status == 200 and r.json()["nodes"] == []
    assert empty or (r.status == 503 and "no topology yet" in r.json()["error"]), r.status
    p = cli(collector, home, "topology")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("No topology yet: ")
    assert p.stderr == ""
    j = cli(collector, home, "--json", "topology")
    assert j.returncode == 0
    assert json.loads(j.stdout) == r.json()


def test_topology_tree_of_a_real_campus(collector_factory, home):
    """lldpd + snmpd in network namespaces wired core → dist → access → host
    (campus.py): the collector walks their LLDP tables, and campusmon
    topology prints the wiring as a tree, ports from each end, the host as an
    unmanaged neighbour; then a cable pulled shows as a down link."""
    from campus import Campus

    with Campus(prefix="map", net="10.232") as campus:
        campus.wait_lldp_converged()
        c = collector_factory(config="topology:\n  root: map-core\n  interval: 10s\n"
                                     "snmp:\n  interval: 5s\n").start()
        for node in campus.managed():
            r = c.post_json("/api/v1/devices", {"name": campus.sysname(node),
                                                "address": campus.address(node), "interval": 5,
                                                "snmp": {"version": "2c", "community": "public"}})
            assert r.status == 201, r.body

        def tree():
            p = cli(c, home, "topology")
            done = re.search(r"^6 nodes \(1 unmanaged\), 5 links", p.stdout, re.M) and \
                p.stdout.count("[up]") == 5 and "Linked to nothing" not in p.stdout
            return p.returncode == 0 and done and p.stdout

        out = wait_for(tree, timeout=90, interval=1, what="the campus tree")
        lines = out.splitlines()
        assert lines[0].startswith("map-core [up] ")
        want = [("map-core", None), ("map-dist1", "map-core"), ("map-dist2", "map-core"),
                ("map-acc1", "map-dist1"), ("map-acc2", "map-dist2"), ("map-host1", "map-acc1")]
        depth = {}
        for line in lines:
            m = re.match(r"^((?:[│ ]   )*)(?:[├└]── )?(map-\w+)", line)
            if m:
                depth[m.group(2)] = len(m.group(1)) // 4 + (0 if line.startswith("map-") else 1)
        assert depth == {"map-core": 0, "map-dist1": 1, "map-dist2": 1, "map-acc1": 2,
                         "map-acc2": 2, "map-host1": 3}, out
        for name, parent in want[1:]:
            a, pp, b, cp = next(w for w in campus.wiring() if campus.sysname(w[2]) == name)
            line = next(x for x in lines if re.search(r"\b%s\b" % name, x))
            assert "%s → %s" % (pp, cp) in line, line
        assert "map-host1 (unmanaged)" in out
        assert "map-acc1 (unmanaged)" not in out
        assert re.search(r"^6 nodes \(1 unmanaged\), 5 links", out, re.M), out

        sub = cli(c, home, "topology", "--from", "map-dist1", "--depth", "1")
        assert sub.returncode == 0
        assert sub.stdout.startswith("map-dist1 [up]")
        assert "1 more below" in sub.stdout and "map-core" not in sub.stdout

        campus.set_link("dist2", "eth1", up=False)
        wait_for(lambda: "link down" in next(x for x in cli(c, home, "topology").stdout.splitlines()
                                             if "map-acc2" in x),
                 timeout=60, interval=1, what="the pulled cable to show as down")
