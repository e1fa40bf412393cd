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

from conftest import TOKEN
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
