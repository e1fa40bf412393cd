"""Topology from real neighbour tables: a namespace campus (lldpd + snmpd,
campus.py) and the shared recordings served by snmpsim."""
import pytest

from campus import Campus
from conftest import wait_for
from test_snmp_devices import snmpsim  # noqa: F401  (module fixture)

CONFIG = """
topology:
  interval: 10s
  root: topo-core
"""


@pytest.fixture(scope="module")
def campus():
    with Campus(prefix="topo", net="10.231") as c:
        c.wait_lldp_converged()
        yield c


@pytest.fixture
def topo_collector(collector_factory, campus):
    c = collector_factory(config=CONFIG).start()
    ids = {}
    for node in campus.managed():
        r = c.post_json("/api/v1/devices", {"name": campus.sysname(node),
                                            "address": campus.address(node), "interval": 5,
                                            "snmp": {"version": "2c",
                                                     "community": campus.community}})
        assert r.status == 201, r.body
        ids[node] = r.json()["id"]
    c.ids = ids
    return c


def topology(c):
    r = c.get("/api/v1/topology")
    assert r.status == 200, r.body
    return r.json()


def link_set(t, campus, ids):
    """Links as {(a, a_port), (b, b_port)} pairs with campus node names."""
    name_of = {"d%d" % v: k for k, v in ids.items()}
    for n in t["nodes"]:
        if not n["managed"]:
            name_of[n["id"]] = n["name"][len(campus.prefix) + 1:]
    return [frozenset({(name_of.get(l["a"], l["a"]), l["a_port"]),
                       (name_of.get(l["b"], l["b"]), l["b_port"])}) for l in t["links"]]


def test_links_match_the_wiring_each_once(topo_collector, campus):
    c = topo_collector
    want = sorted(frozenset({(a, ap), (b, bp)}) for a, ap, b, bp in campus.wiring())

    def complete():
        got = link_set(topology(c), campus, c.ids)
        return got if sorted(got, key=sorted) == sorted(want, key=sorted) else None

    got = wait_for(complete, timeout=60, interval=1, what="the campus links")
    assert len(got) == len(set(got)) == len(want)
    t = topology(c)
    assert all(l["status"] == "up" and l["source"] == "lldp" for l in t["links"])
    assert all(l["speed_bps"] and l["speed_bps"] > 0 for l in t["links"]
               if l["a"].startswith("d") and l["b"].startswith("d"))
    assert t["root"]["device_id"] == c.ids["core"] and t["root"]["guessed"] is False
    nodes = {n["id"]: n for n in t["nodes"]}
    host = [n for n in t["nodes"] if not n["managed"]]
    assert [n["name"] for n in host] == ["topo-host1"]
    assert host[0]["id"].startswith("u:") and host[0]["parent"] == "d%d" % c.ids["acc1"]
    assert nodes["d%d" % c.ids["core"]]["depth"] == 0
    assert nodes["d%d" % c.ids["core"]]["parent"] is None
    assert nodes["d%d" % c.ids["acc2"]]["depth"] == 2
    # a device's neighbours, and who they are
    nb = c.get("/api/v1/devices/%d/neighbors" % c.ids["core"]).json()
    assert sorted((n["local_port"], n["remote_name"], n["remote_port"], n["device"])
                  for n in nb) == [("eth1", "topo-dist1", "eth0", c.ids["dist1"]),
                                   ("eth2", "topo-dist2", "eth0", c.ids["dist2"])]
    assert {n["remote_address"] for n in nb} == {campus.address("dist1"),
                                                 campus.address("dist2")}
    assert c.get("/api/v1/devices/999/neighbors").status == 404


def test_the_path_of_a_leaf(topo_collector, campus):
    c = topo_collector

    def path():
        r = c.get("/api/v1/devices/%d/path" % c.ids["acc2"])
        assert r.status == 200
        return r.json() if len(r.json()) == 3 else None

    assert wait_for(path, timeout=60, interval=1, what="a path") == \
        [c.ids["core"], c.ids["dist2"], c.ids["acc2"]]
    assert c.get("/api/v1/devices/%d/path" % c.ids["core"]).json() == [c.ids["core"]]
    assert c.get("/api/v1/devices/nosuch/path").status == 404


def test_a_veth_set_down_is_a_down_link_and_stays_one(topo_collector, campus):
    c = topo_collector
    ids = c.ids
    pair = frozenset({("dist2", "eth1"), ("acc2", "eth0")})

    def status():
        t = topology(c)
        got = link_set(t, campus, ids)
        return [l["status"] for l, k in zip(t["links"], got) if k == pair]

    wait_for(lambda: status() == ["up"], timeout=60, interval=1, what="the link up")
    campus.set_link("dist2", "eth1", up=False)
    try:
        wait_for(lambda: status() == ["down"], timeout=30, interval=1, what="the link down")
        # the neighbour ages out of LLDP at the next walk: still one down link
        nb = lambda: c.get("/api/v1/devices/%d/neighbors" % ids["dist2"]).json()
        wait_for(lambda: len(nb()) == 1, timeout=40, interval=1, what="LLDP to age out")
        assert status() == ["down"]
        assert c.get("/api/v1/devices/%d/path" % ids["acc2"]).json() == \
            [ids["core"], ids["dist2"], ids["acc2"]]      # where it is, not whether it answers
    finally:
        campus.set_link("dist2", "eth1", up=True)
    wait_for(lambda: status() == ["up"], timeout=60, interval=1, what="the link up again")


@pytest.mark.parametrize("recording,count,source", [
    ("switch-huawei-s5720", 5, "lldp"),
    ("switch-aruba-6200f", 70, "lldp"),
    ("switch-cisco-2960x", 7, "cdp"),
])
def test_recordings_neighbour_counts(collector_factory, snmpsim, recording, count, source):  # noqa: F811
    c = collector_factory(config="topology:\n  interval: 10s\n").start()
    addr, port = snmpsim.rsplit(":", 1)
    r = c.post_json("/api/v1/devices", {"name": recording, "address": addr, "port": int(port),
                                        "interval": 5, "snmp": {"community": recording}})
    assert r.status == 201, r.body
    dev = r.json()["id"]

    def neighbours():
        nb = c.get("/api/v1/devices/%d/neighbors" % dev).json()
        return nb if nb else None

    nb = wait_for(neighbours, timeout=90, interval=1, what="neighbours of " + recording)
    assert len(nb) == count
    assert {n["source"] for n in nb} == {source}
    assert all(n["local_port"] and n["remote_name"] for n in nb)
    t = topology(c)
    assert sum(1 for n in t["nodes"] if not n["managed"]) >= 1
    assert all(l["a"] == "d%d" % dev or l["b"] == "d%d" % dev for l in t["links"])


def test_agent_server_is_placed_behind_the_port_that_learned_its_mac(collector_factory, snmpsim):  # noqa: F811
    c = collector_factory(config="topology:\n  interval: 10s\n").start()
    addr, port = snmpsim.rsplit(":", 1)
    r = c.post_json("/api/v1/devices", {"name": "sw-2960", "address": addr, "port": int(port),
                                        "interval": 5,
                                        "snmp": {"community": "switch-cisco-2960x"}})
    dev = r.json()["id"]
    # the agent's inventory: one MAC the switch learned on bridge port 3
    # (ifIndex 10103, Gi1/0/3), written in upper case, one it never saw
    w = c.write('inventory,host=srv-a hostname="srv-a",'
                'macs="02:00:00:00:00:01 64:F6:9D:B1:E4:4C"\n')
    assert w.status == 204, w.body

    def placed():
        t = topology(c)
        return [l for l in t["links"] if "h:srv-a" in (l["a"], l["b"])] or None

    links = wait_for(placed, timeout=60, interval=1, what="the server on the map")
    assert len(links) == 1 and links[0]["source"] == "fdb"
    l = links[0]
    sw_end = ("a_port" if l["a"] == "d%d" % dev else "b_port")
    assert l[sw_end] == "Gi1/0/3"
    node = [n for n in topology(c)["nodes"] if n["id"] == "h:srv-a"][0]
    assert node["kind"] == "server" and node["agent"] is True and node["managed"] is True
