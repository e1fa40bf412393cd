"""Seeded discovery (POST /api/v1/discovery with seeds): simulated devices on
127.0.8.x whose LLDP and CDP tables point at each other (lldpsim.py)."""
import json
import os
import socket
import subprocess

import pytest

from conftest import BUILD, TOKEN, http, wait_for
from lldpsim import CISCO_2960X, HUAWEI_S5720, Snmpsim, recording

A = ["127.0.8.%d" % i for i in range(1, 6)]
OUTSIDE = "127.0.12.9"       # named by a CDP neighbour, not in allowed


@pytest.fixture(scope="module")
def campus():
    recs = [
        # the seed: a net-snmp Linux bridge; LLDP to .2 and .3, CDP to an outside address
        recording("core", lldp=[A[1], A[2]], cdp=[OUTSIDE], caps_hex="20", services=72),
        recording("dist", sys_object_id=HUAWEI_S5720, descr="Huawei S5720", lldp=[A[0], A[3]]),
        recording("acc-cisco", sys_object_id=CISCO_2960X,
                  descr="Cisco IOS Software, C2960X Software", cdp=[A[0]], caps_hex=None),
        # a Linux router: LLDP capability router only; points back at .2 (a loop)
        recording("edge", lldp=[A[1]], caps_hex="08"),
        recording("lonely", lldp=[]),       # nobody names it: never found
    ]
    sim = Snmpsim(A, recs, "campus-ro")
    try:
        wait_for(lambda: all(sim.answers(a) for a in A), timeout=60, interval=0.5,
                 what="snmpsimd")
        yield sim
    finally:
        sim.stop()


def wait_job(collector, job_id, timeout=90):
    def done():
        j = collector.get("/api/v1/discovery/%d" % job_id).json()
        return j if j["state"] == "done" else None
    return wait_for(done, timeout=timeout, interval=0.3, what="discovery job %d" % job_id)


def polled_soon(collector, dev_id):
    """Poll a device every 5 s (its first poll then comes within 5 s, not 60)."""
    h = collector.auth()
    h["Content-Type"] = "application/json"
    r = http("PATCH", collector.url + "/api/v1/devices/%d" % dev_id,
             json.dumps({"interval": 5}).encode(), h)
    assert r.status == 200, r.body


def test_seed_finds_the_campus_with_the_credential_that_works(collector, campus):
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind((OUTSIDE, campus.port))
    listener.setblocking(False)
    try:
        r = collector.post_json("/api/v1/discovery", {
            "seeds": [A[0]], "allowed": ["127.0.8.0/24"], "recursive": True,
            "port": campus.port,
            "credentials": [{"version": "2c", "community": "wrong-one"},
                            {"version": "2c", "community": "campus-ro"}]})
        assert r.status == 202, r.body
        assert "campus-ro" not in r.body.decode()
        j = wait_job(collector, r.json()["id"])
        found = {f["address"]: f for f in j["found"]}
        assert sorted(found) == A[:4]
        assert all(f["credential"] == "#2 v2c community" for f in found.values())
        assert j["added"] == 4 and j["tried"] == 4
        assert found[A[1]]["via"] in (A[0], A[3])
        skipped = {s["address"]: s for s in j["skipped"]}
        assert skipped[OUTSIDE]["reason"] == "outside the allowed ranges"
        assert skipped[OUTSIDE]["via"] == A[0]
        with pytest.raises(BlockingIOError):
            listener.recv(2048)                     # nothing was ever sent outside
    finally:
        listener.close()
    devices = {d["address"]: d for d in collector.get("/api/v1/devices").json()}
    assert sorted(devices) == A[:4]
    assert devices[A[0]]["name"] == "core"
    # kinds from what the devices answer: a Linux bridge, a vendor switch, a Linux router
    assert devices[A[0]]["kind"] == "switch"
    assert devices[A[1]]["kind"] == "switch"
    assert devices[A[2]]["kind"] == "switch"
    assert devices[A[3]]["kind"] == "router"
    # the remembered credential is the one polls use
    for d in devices.values():
        polled_soon(collector, d["id"])
    wait_for(lambda: all(collector.get("/api/v1/devices/%d" % d["id"]).json()["status"] == "up"
                         for d in devices.values()), timeout=90, interval=1,
             what="discovered devices polled with the remembered community")
    # again: everything is known, nothing added twice
    r = collector.post_json("/api/v1/discovery", {
        "seeds": [A[0]], "allowed": ["127.0.8.0/24"], "port": campus.port,
        "credentials": [{"version": "2c", "community": "campus-ro"}]})
    j = wait_job(collector, r.json()["id"])
    assert j["added"] == 0 and j["known"] == 4
    assert len(collector.get("/api/v1/devices").json()) == 4


def test_not_recursive_stops_at_the_seed(collector, campus):
    r = collector.post_json("/api/v1/discovery", {
        "seeds": [A[0]], "allowed": ["127.0.8.0/24"], "recursive": False,
        "port": campus.port, "credentials": [{"version": "2c", "community": "campus-ro"}]})
    j = wait_job(collector, r.json()["id"])
    assert [f["address"] for f in j["found"]] == [A[0]]


def test_unanswered_seed_is_reported(collector, campus):
    r = collector.post_json("/api/v1/discovery", {
        "seeds": [A[0]], "allowed": [A[0] + "/32"], "port": campus.port,
        "credentials": [{"version": "2c", "community": "nope"}]})
    j = wait_job(collector, r.json()["id"])
    assert j["found"] == [] and j["skipped"][0]["reason"] == "no SNMP answer"


@pytest.mark.parametrize("body", [
    {"seeds": ["127.0.12.9"], "allowed": ["127.0.8.0/24"]},          # seed outside allowed
    {"seeds": ["127.0.8.1"]},                                       # no allowed
    {"seeds": ["127.0.8.1"], "allowed": ["0.0.0.0/0"]},             # too wide
    {"seeds": ["127.0.8.1"], "allowed": ["nonsense"]},
    {"seeds": [], "allowed": ["127.0.8.0/24"]},
    {"seeds": ["core.example"], "allowed": ["127.0.8.0/24"]},
    {"seeds": ["127.0.8.1"], "allowed": ["127.0.8.0/24"], "recursive": "yes"},
    {"seeds": ["127.0.8.1"], "allowed": ["127.0.8.0/24"], "credentials": [{"version": "2c"}]},
    {"seeds": ["127.0.8.1"], "allowed": ["127.0.8.0/24"],
     "credentials": [{"version": "3", "user": "u", "auth_proto": "ROT13", "auth_pass": "x" * 9}]},
    {"seeds": ["127.0.8.1"], "allowed": ["127.0.8.0/24"], "credentials": "public"},
])
def test_bad_seeded_requests_refused(collector, body):
    r = collector.post_json("/api/v1/discovery", body)
    assert r.status == 400 and r.json()["error"], r.body


CONFIG = """discovery:
  credentials:
    - {version: "2c", community: first-wrong}
    - {version: "2c", community: campus-ro}
"""


def test_configured_credentials_are_tried_in_order(collector_factory, campus):
    c = collector_factory(config=CONFIG)
    # a config holding credentials must not be readable by others
    old = os.umask(0o022)
    try:
        with pytest.raises(AssertionError, match="readable|permission|others"):
            c.start()
    finally:
        os.umask(old)
    os.chmod(os.path.join(c.config_dir, "collector.yaml"), 0o600)
    c.start()
    r = c.post_json("/api/v1/discovery", {"seeds": [A[3]], "allowed": ["127.0.8.0/24"],
                                           "recursive": False, "port": campus.port})
    j = wait_job(c, r.json()["id"])
    assert [f["credential"] for f in j["found"]] == ["#2 v2c community"]
    assert "campus-ro" not in c.read_log() and "first-wrong" not in c.read_log()


def test_cli_discover_seed(collector, campus):
    env = dict(os.environ, CAMPUSMON_URL="http://127.0.0.1:%d" % collector.port,
               CAMPUSMON_TOKEN=TOKEN)
    p = subprocess.run([os.path.join(BUILD, "cli", "campusmon"), "discover", "--seed", A[1],
                        "--allow", "127.0.8.0/24", "--community", "campus-ro",
                        "--port", str(campus.port)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "found 4" in p.stdout and "added 4" in p.stdout, p.stdout
    assert OUTSIDE in p.stdout and "outside the allowed ranges" in p.stdout
    p = subprocess.run([os.path.join(BUILD, "cli", "campusmon"), "discover", "--seed",
                        "10.9.9.9", "--allow", "127.0.8.0/24"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode != 0 and "outside the allowed ranges" in p.stderr


def test_seed_switch_finds_the_namespace_campus(collector_factory):
    """Real lldpd + snmpd in network namespaces (campus.py): seeded discovery
    from the core switch finds every managed switch through LLDP management
    addresses; the host (lldpd only) is reported as not answering SNMP."""
    from campus import Campus
    with Campus(prefix="disc", net="10.232") as campus:
        campus.wait_lldp_converged()
        c = collector_factory()
        c.start()
        r = c.post_json("/api/v1/discovery", {
            "seeds": [campus.address("core")], "allowed": ["10.232.0.0/24"],
            "credentials": [{"version": "2c", "community": "not-this"},
                            {"version": "2c", "community": campus.community}]})
        assert r.status == 202, r.body
        j = wait_job(c, r.json()["id"], timeout=120)
        found = sorted(f["address"] for f in j["found"])
        assert found == sorted(campus.address(n) for n in campus.managed())
        names = {f["address"]: f["name"] for f in j["found"]}
        assert names[campus.address("acc2")] == campus.sysname("acc2")
        skipped = {s["address"]: s["reason"] for s in j["skipped"]}
        assert skipped.get(campus.address("host1")) == "no SNMP answer with any credential"
        devices = c.get("/api/v1/devices").json()
        assert sorted(d["address"] for d in devices) == found
        c.stop()


@pytest.fixture
def snmpd_v3():
    """A real net-snmp snmpd on 127.0.13.1 answering only SNMPv3 user netmon
    (SHA + AES). Yields its port."""
    import shutil
    import tempfile
    from conftest import free_udp_port
    d = tempfile.mkdtemp(prefix="discovery-snmpd-")
    os.chmod(d, 0o755)
    port = free_udp_port("127.0.13.1")
    conf = os.path.join(d, "snmpd.conf")
    with open(conf, "w") as f:
        f.write("agentAddress udp:127.0.13.1:%d\n"
                "createUser netmon SHA \"auth-pass-123\" AES \"priv-pass-456\"\n"
                "rouser netmon priv\n"
                "sysName v3-only-sw\n" % port)
    env = dict(os.environ, MIBS="", SNMP_PERSISTENT_DIR=os.path.join(d, "persist"))
    proc = subprocess.Popen(["snmpd", "-f", "-Lf", os.path.join(d, "log"), "-C", "-c", conf,
                             "-I", "-smux", "-p", os.path.join(d, "pid")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: subprocess.run(
            ["snmpget", "-v3", "-l", "authPriv", "-u", "netmon", "-a", "SHA", "-A",
             "auth-pass-123", "-x", "AES", "-X", "priv-pass-456", "-t", "0.5", "-r", "0",
             "127.0.13.1:%d" % port, "1.3.6.1.2.1.1.5.0"], capture_output=True).returncode == 0,
            timeout=20, what="snmpd v3")
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(d, ignore_errors=True)


def test_v3_user_tried_after_a_community(collector, snmpd_v3):
    r = collector.post_json("/api/v1/discovery", {
        "seeds": ["127.0.13.1"], "allowed": ["127.0.13.1/32"], "port": snmpd_v3,
        "credentials": [{"version": "2c", "community": "public"},
                        {"version": "3", "user": "netmon", "auth_proto": "SHA",
                         "auth_pass": "auth-pass-123", "priv_proto": "AES",
                         "priv_pass": "priv-pass-456"}]})
    assert r.status == 202, r.body
    j = wait_job(collector, r.json()["id"])
    assert [(f["name"], f["credential"]) for f in j["found"]] == \
        [("v3-only-sw", "#2 v3 user netmon")]
    d = collector.get("/api/v1/devices/v3-only-sw").json()
    assert d["snmp"]["version"] == "3" and d["snmp"]["user"] == "netmon"
    assert d["snmp"]["auth_pass_set"] and d["snmp"]["priv_pass_set"]
    polled_soon(collector, d["id"])
    wait_for(lambda: collector.get("/api/v1/devices/v3-only-sw").json()["status"] == "up",
             timeout=90, interval=1, what="the v3 device polled with the remembered user")
    assert "auth-pass-123" not in collector.read_log()
