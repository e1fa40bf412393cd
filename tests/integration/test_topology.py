"""Topology from real neighbour tables: a namespace campus (lldpd + snmpd,
campus.py) and the shared recordings served by snmpsim."""
import os

import pytest

from campus import DEFAULT_LINKS, Campus
from conftest import wait_for
from test_snmp_devices import snmpsim  # noqa: F401  (module fixture)

CONFIG = """
topology:
  interval: 10s
  forget: 30s
  root: topo-core
"""


@pytest.fixture(scope="module")
def campus():
    # a loop between the distribution switches, and two access switches
    # claiming the same chassis id: the map must still match the wiring
    links = DEFAULT_LINKS + [("dist1", "eth2", "dist2", "eth2")]
    with Campus(prefix="topo", net="10.231", links=links,
                chassis={"acc1": "same-chassis", "acc2": "same-chassis"}) as c:
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

    # links may be complete from one end's reports before the other facts
    # (interface speeds, acc1's forwarding table) come in with later walks
    def settled(t):
        hosts = [n for n in t["nodes"] if not n["managed"]]
        return all(l["speed_bps"] for l in t["links"]
                   if l["a"].startswith("d") and l["b"].startswith("d")) and \
            [n["parent"] for n in hosts] == ["d%d" % c.ids["acc1"]]
    try:
        wait_for(lambda: settled(topology(c)), timeout=60, interval=1, what="the map")
    except AssertionError:
        pass    # the assertions below say what is missing
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
    # a device's neighbours, and who they are: the core's own table, which
    # may be walked after the distribution switches reported the links
    want_nb = [("eth1", "topo-dist1", "eth0", c.ids["dist1"]),
               ("eth2", "topo-dist2", "eth0", c.ids["dist2"])]

    def core_neighbours():
        nb = c.get("/api/v1/devices/%d/neighbors" % c.ids["core"]).json()
        got = sorted((n["local_port"], n["remote_name"], n["remote_port"], n["device"])
                     for n in nb)
        return nb if got == want_nb else None
    nb = wait_for(core_neighbours, timeout=60, interval=1, what="the core's neighbours")
    assert {n["remote_address"] for n in nb} == {campus.address("dist1"),
                                                 campus.address("dist2")}
    assert c.get("/api/v1/devices/999/neighbors").status == 404
    # the warning comes with the first map built after both access switches'
    # own chassis ids were walked, which may be after the links are complete
    wait_for(lambda: topology(c) and "claim the same chassis id same-chassis" in c.read_log(),
             timeout=60, interval=1, what="the duplicate chassis warning")


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
        left = sum(1 for l in campus.wiring() if "dist2" in (l[0], l[2])) - 1
        wait_for(lambda: len(nb()) == left, timeout=40, interval=1, what="LLDP to age out")
        assert status() == ["down"]
        assert c.get("/api/v1/devices/%d/path" % ids["acc2"]).json() == \
            [ids["core"], ids["dist2"], ids["acc2"]]      # where it is, not whether it answers
        # gone for longer than topology.forget: dropped, and the drop audited
        wait_for(lambda: status() == [], timeout=60, interval=1, what="the link forgotten")
        # written by the store thread; either end's report may go first (the two
        # switches' walks are out of phase), and dropping it ends the link
        ends = {("topo-dist2", "eth1"), ("topo-acc2", "eth0")}
        audited = lambda: any(                             # noqa: E731
            a["actor"] == "topology" and a["ok"] and
            any(a["target"] == t and p in a["detail"] for t, p in ends)
            for a in c.get("/api/v1/audit?action=topology.forget").json())
        wait_for(audited, timeout=10, interval=0.5, what="the audit entry")
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


# ---- generated devices: what no recording has ---------------------------------

UPS_MAC = "00c0b7112233"


def snmprec(rows):
    """snmpsim's text: OID|type|value, sorted by OID."""
    key = lambda r: [int(x) for x in r[0].split(".")]
    return "".join("%s|%s|%s\n" % r for r in sorted(rows, key=key))


def system(name, oid):
    return [("1.3.6.1.2.1.1.1.0", "4", name + " (generated)"), ("1.3.6.1.2.1.1.2.0", "6", oid),
            ("1.3.6.1.2.1.1.3.0", "67", "12345"), ("1.3.6.1.2.1.1.5.0", "4", name)]


def synth_switch():
    rows = system("synth-sw", "1.3.6.1.4.1.99999.1")
    for i in (1, 2, 3):
        rows += [("1.3.6.1.2.1.2.2.1.1.%d" % i, "2", str(i)),
                 ("1.3.6.1.2.1.2.2.1.2.%d" % i, "4", "Gi0/%d" % i),
                 ("1.3.6.1.2.1.2.2.1.5.%d" % i, "66", "1000000000"),
                 ("1.3.6.1.2.1.2.2.1.8.%d" % i, "2", "1"),
                 ("1.3.6.1.2.1.31.1.1.1.1.%d" % i, "4", "Gi0/%d" % i),
                 ("1.3.6.1.2.1.17.1.4.1.2.%d" % i, "2", str(i))]
    mac = ".".join(str(int(UPS_MAC[k:k + 2], 16)) for k in range(0, 12, 2))
    rows += [("1.3.6.1.2.1.17.4.3.1.2." + mac, "2", "3"),        # the UPS on Gi0/3
             ("1.3.6.1.2.1.4.22.1.2.3.127.77.0.2", "4x", UPS_MAC),
             ("1.3.6.1.2.1.4.22.1.4.3.127.77.0.2", "2", "3")]
    for n in range(10000):                                        # a flood on the uplink
        rows.append(("1.3.6.1.2.1.17.4.3.1.2.2.0.0.%d.%d.%d" % (n >> 16, (n >> 8) & 255,
                                                                 n & 255), "2", "1"))
    lldp = "1.0.8802.1.1.2.1.4.1.1."
    rows += [(lldp + "9.0.1", "4", "short index"),                 # garbage answers
             (lldp + "4.0.0.1", "2", "4"), (lldp + "9.0.0.1", "4", "port zero"),
             (lldp + "4.0.2.1", "2", "4"), (lldp + "5.0.2.1", "2", "7"),   # chassis: an integer
             (lldp + "4.0.2.2", "2", "4"), (lldp + "5.0.2.2", "4x", "010203"),
             (lldp + "9.0.2.2", "4x", "01023c623e"),
             (lldp + "4.0.2.3", "2", "99"), (lldp + "5.0.2.3", "4x", ""),
             (lldp + "6.0.2.3", "4", "x" * 300)]
    return rows


@pytest.fixture(scope="module")
def synthsim():
    """snmpsimd on 127.77.0.1 and .2 serving a generated switch (FDB with a
    10,000-MAC uplink, ARP, garbage LLDP rows) and a UPS with no LLDP."""
    import shutil
    import subprocess
    from conftest import make_tmpdir
    from test_snmp_devices import free_udp_port as _free
    tmp = make_tmpdir("cm-synth-")
    data, cache = tmp + "/data", tmp + "/cache"
    os.makedirs(data)
    os.makedirs(cache)
    with open(data + "/synth-sw.snmprec", "w") as f:
        f.write(snmprec(synth_switch()))
    with open(data + "/synth-ups.snmprec", "w") as f:
        f.write(snmprec(system("synth-ups", "1.3.6.1.4.1.99999.2")))
    for d in (tmp, data, cache):
        os.chmod(d, 0o777)
    port = _free()
    proc = subprocess.Popen(["snmpsimd", "--data-dir=" + data, "--cache-dir=" + cache,
                             "--agent-udpv4-endpoint=127.77.0.1:%d" % port,
                             "--agent-udpv4-endpoint=127.77.0.2:%d" % port,
                             "--process-user=nobody", "--process-group=nogroup"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: subprocess.run(["snmpget", "-v2c", "-c", "synth-ups", "-t", "0.5",
                                         "-r", "0", "127.77.0.2:%d" % port,
                                         "1.3.6.1.2.1.1.5.0"], capture_output=True
                                        ).returncode == 0, timeout=120, what="snmpsimd")
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def test_device_without_lldp_placed_by_arp_and_fdb_garbage_survived(collector_factory,
                                                                     synthsim):
    c = collector_factory(config="topology:\n  interval: 10s\n").start()
    ids = {}
    for name, addr in (("synth-sw", "127.77.0.1"), ("synth-ups", "127.77.0.2")):
        r = c.post_json("/api/v1/devices", {"name": name, "address": addr, "port": synthsim,
                                            "interval": 5, "snmp": {"community": name}})
        assert r.status == 201, r.body
        ids[name] = r.json()["id"]

    def placed():
        return [l for l in topology(c)["links"]
                if {l["a"], l["b"]} == {"d%d" % ids["synth-sw"], "d%d" % ids["synth-ups"]}]

    links = wait_for(placed, timeout=90, interval=1, what="the UPS behind its port")
    assert len(links) == 1 and links[0]["source"] == "arp"
    l = links[0]
    assert (l["a_port"] if l["a"] == "d%d" % ids["synth-sw"] else l["b_port"]) == "Gi0/3"
    log = c.read_log()
    assert "MACs learned on ifIndex 1: an uplink" in log      # the 10,000-MAC port
    assert "neighbour rows unusable" in log                   # the garbage LLDP rows
    nb = c.get("/api/v1/devices/%d/neighbors" % ids["synth-sw"]).json()
    assert len(nb) == 1 and nb[0]["remote_chassis"] == "01:02:03"   # 3 bytes: not a MAC
    assert nb[0]["remote_name"] == "01:02:3c:62:3e"           # control bytes: shown as hex
    assert c.get("/api/v1/health").status == 200
