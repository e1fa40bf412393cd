"""Discovery of a /28 on loopback holding simulated devices (snmpsimd)."""
import os
import pwd
import shutil
import json
import socket
import subprocess
import time

import pytest

from conftest import SHARED, http, make_tmpdir, wait_for

RECORDING = "ups-apc-smx750i"
ADDRESSES = ["127.0.7.2", "127.0.7.5", "127.0.7.9"]


def free_udp_port(addr):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


@pytest.fixture
def simulated():
    d = make_tmpdir("cm-snmpsim-")
    data, cache = os.path.join(d, "data"), os.path.join(d, "cache")
    os.makedirs(data)
    os.makedirs(cache)
    shutil.copy(os.path.join(SHARED, "devices", RECORDING + ".snmprec"), data)
    nobody = pwd.getpwnam("nobody")
    os.chown(cache, nobody.pw_uid, nobody.pw_gid)
    port = free_udp_port(ADDRESSES[0])
    args = ["snmpsimd", "--data-dir=" + data, "--cache-dir=" + cache,
            "--process-user=nobody", "--process-group=nogroup"]
    args += ["--agent-udpv4-endpoint=%s:%d" % (a, port) for a in ADDRESSES]
    log = open(os.path.join(d, "log"), "w")
    proc = subprocess.Popen(args, stdout=log, stderr=log)

    def answers():
        return all(subprocess.run(["snmpget", "-v2c", "-c", RECORDING, "-t", "0.5", "-r", "0",
                                   "%s:%d" % (a, port), "1.3.6.1.2.1.1.1.0"],
                                  capture_output=True).returncode == 0 for a in ADDRESSES)

    wait_for(answers, timeout=30, interval=0.3, what="snmpsimd")
    yield port
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(d, ignore_errors=True)


def test_sweep_adds_responders_and_records_the_rest(collector, simulated):
    r = collector.post_json("/api/v1/discovery", {"ranges": "127.0.7.0/28",
                                                   "communities": ["wrong", RECORDING],
                                                   "port": simulated})
    assert r.status == 202, r.body
    job = r.json()
    assert job["total"] == 14 and job["state"] == "running"

    def done():
        j = collector.get("/api/v1/discovery/%d" % job["id"]).json()
        return j if j["state"] == "done" else None

    j = wait_for(done, timeout=60, interval=0.3, what="the sweep")
    assert j["probed"] == 14
    snmp = sorted(f["address"] for f in j["found"] if f["via"] == "snmp")
    assert snmp == ADDRESSES
    assert j["snmp"] == 3 and j["seen"] == 11       # loopback answers ICMP everywhere
    devices = {d["address"]: d for d in collector.get("/api/v1/devices").json()}
    # ping-only responders are not inventory devices: they are in the seen list
    assert sorted(devices) == ADDRESSES
    for a in ADDRESSES:
        assert devices[a]["monitored"] is True
        assert devices[a]["kind"] == "ups", devices[a]
        assert devices[a]["snmp"]["community_set"] is True
    r = collector.get("/api/v1/discovery/seen")
    seen = r.json()
    assert r.headers["X-Total-Count"] == "11"
    expect = ["127.0.7.%d" % i for i in range(1, 15) if "127.0.7.%d" % i not in ADDRESSES]
    assert [s["address"] for s in seen] == expect         # numeric order: .3 before .10
    assert all(s["answered"] in ("icmp", "tcp/22", "tcp/80") or s["answered"].startswith("tcp/")
               for s in seen)
    assert all(s["first_seen"] <= s["last_seen"] for s in seen)
    # the added devices get polled
    wait_for(lambda: all(collector.get("/api/v1/devices/%d" % devices[a]["id"]).json()["status"]
                         == "up" for a in ADDRESSES), timeout=90, interval=1,
             what="discovered devices to be polled")
    # sweeping again adds nothing twice
    r = collector.post_json("/api/v1/discovery", {"ranges": ["127.0.7.0/28"],
                                                   "communities": [RECORDING],
                                                   "port": simulated})
    j2 = wait_for(lambda: (lambda x: x if x["state"] == "done" else None)(
        collector.get("/api/v1/discovery/%d" % r.json()["id"]).json()), timeout=60,
        interval=0.3, what="second sweep")
    assert all(not f["added"] for f in j2["found"])
    assert len(collector.get("/api/v1/devices").json()) == 3
    assert len(collector.get("/api/v1/discovery/seen").json()) == 11


@pytest.mark.parametrize("body", [
    {}, {"ranges": "nonsense"}, {"ranges": "10.0.0.0/8"}, {"ranges": ["2001:db8::/64"]},
    {"ranges": "10.0.0.0/30", "port": 0}, {"ranges": "10.0.0.0/30", "communities": "public"},
])
def test_bad_sweeps_refused(collector, body):
    r = collector.post_json("/api/v1/discovery", body)
    assert r.status == 400 and r.json()["error"]


def test_unknown_job(collector):
    assert collector.get("/api/v1/discovery/99").status == 404


def test_ipv6_range_is_swept(collector):
    r = collector.post_json("/api/v1/discovery", {"ranges": ["::1/128"], "port": 9,
                                                   "communities": ["nobody-home"]})
    assert r.status == 202, r.body
    j = wait_for(lambda: (lambda x: x if x["state"] == "done" else None)(
        collector.get("/api/v1/discovery/%d" % r.json()["id"]).json()), timeout=30,
        interval=0.3, what="the IPv6 sweep")
    assert j["total"] == 1 and j["seen"] == 1
    assert j["found"][0]["address"] == "::1" and j["found"][0]["via"] in ("icmp", "tcp")
    assert not [d for d in collector.get("/api/v1/devices").json() if d["address"] == "::1"]
    assert [s["address"] for s in collector.get("/api/v1/discovery/seen").json()] == ["::1"]


def sweep_seen(collector, cidr):
    r = collector.post_json("/api/v1/discovery", {"ranges": [cidr], "port": 9,
                                                   "communities": ["nobody-home"]})
    assert r.status == 202, r.body
    wait_for(lambda: collector.get("/api/v1/discovery/%d" % r.json()["id"]).json()["state"]
             == "done", timeout=60, interval=0.3, what="the sweep")


def delete(collector, path, obj=None):
    h = collector.auth()
    h["Content-Type"] = "application/json"
    return http("DELETE", collector.url + path, json.dumps(obj).encode() if obj else None, h)


def test_seen_hosts_are_adopted_deleted_and_kept_across_restarts(collector):
    sweep_seen(collector, "127.0.6.0/29")                  # .1 to .6, all answer ICMP
    seen = [s["address"] for s in collector.get("/api/v1/discovery/seen").json()]
    assert seen == ["127.0.6.%d" % i for i in range(1, 7)]
    assert collector.get("/api/v1/devices").json() == []
    # paging
    r = collector.get("/api/v1/discovery/seen?limit=2&offset=3")
    assert [s["address"] for s in r.json()] == ["127.0.6.4", "127.0.6.5"]
    assert r.headers["X-Total-Count"] == "6"
    assert collector.get("/api/v1/discovery/seen?limit=x").status == 400
    # adopt one, then two in bulk; one that is not seen is reported
    r = collector.post_json("/api/v1/discovery/seen/adopt", {"addresses": ["127.0.6.2"]})
    assert r.status == 200 and r.json() == {"adopted": ["127.0.6.2"], "not_seen": []}
    r = collector.post_json("/api/v1/discovery/seen/adopt",
                            {"addresses": ["127.0.6.3", "127.0.6.4", "10.9.9.9"],
                             "credential": {"version": "2c", "community": "site-ro"}})
    assert r.json() == {"adopted": ["127.0.6.3", "127.0.6.4"], "not_seen": ["10.9.9.9"]}
    devices = wait_for(lambda: (lambda d: d if len(d) == 3 else None)(
        collector.get("/api/v1/devices").json()), timeout=20, what="adopted devices")
    assert [d["address"] for d in devices] == ["127.0.6.2", "127.0.6.3", "127.0.6.4"]
    assert all(d["monitored"] and d["snmp"]["community_set"] for d in devices)
    # delete one by query, the rest in bulk
    assert delete(collector, "/api/v1/discovery/seen?address=127.0.6.1").json() == {"deleted": 1}
    assert [s["address"] for s in collector.get("/api/v1/discovery/seen").json()] == \
        ["127.0.6.5", "127.0.6.6"]
    # written through: the list survives a restart
    collector.stop()
    collector.start()
    assert [s["address"] for s in collector.get("/api/v1/discovery/seen").json()] == \
        ["127.0.6.5", "127.0.6.6"]
    assert delete(collector, "/api/v1/discovery/seen", {"all": True}).json() == {"deleted": 2}
    assert collector.get("/api/v1/discovery/seen").json() == []
    assert delete(collector, "/api/v1/discovery/seen").status == 400
    assert delete(collector, "/api/v1/discovery/seen", {"addresses": "x"}).status == 400


def test_device_list_sorts_addresses_as_numbers_and_pages(collector):
    for a in ["10.0.0.10", "10.0.0.9", "2001:db8::1", "10.0.0.100", "9.1.1.1", "sw.example"]:
        r = collector.post_json("/api/v1/devices", {"address": a, "name": "n-" + a,
                                                     "monitored": False})
        assert r.status in (200, 201), r.body
    order = ["9.1.1.1", "10.0.0.9", "10.0.0.10", "10.0.0.100", "2001:db8::1", "sw.example"]
    r = collector.get("/api/v1/devices")
    assert [d["address"] for d in r.json()] == order
    assert r.headers["X-Total-Count"] == "6"
    r = collector.get("/api/v1/devices?limit=2&offset=2")
    assert [d["address"] for d in r.json()] == order[2:4]
    assert r.headers["X-Total-Count"] == "6"
    r = collector.get("/api/v1/devices?q=10.0.0&limit=1&offset=1")
    assert [d["address"] for d in r.json()] == ["10.0.0.10"] and r.headers["X-Total-Count"] == "3"
    assert collector.get("/api/v1/devices?offset=-1").status == 400


def test_a_seen_host_added_as_a_device_leaves_the_list(collector):
    sweep_seen(collector, "127.0.6.8/30")                  # .9 and .10
    assert [s["address"] for s in collector.get("/api/v1/discovery/seen").json()] == \
        ["127.0.6.9", "127.0.6.10"]
    r = collector.post_json("/api/v1/devices", {"address": "127.0.6.10", "monitored": False})
    assert r.status in (200, 201), r.body
    assert [s["address"] for s in collector.get("/api/v1/discovery/seen").json()] == \
        ["127.0.6.9"]


def test_cli_seen_list_adopt_rm(collector):
    import subprocess
    from conftest import BUILD, TOKEN
    sweep_seen(collector, "127.0.6.16/29")                 # .17 to .22
    env = dict(os.environ, CAMPUSMON_URL=collector.url, CAMPUSMON_TOKEN=TOKEN)

    def cli(*args):
        return subprocess.run([os.path.join(BUILD, "cli", "campusmon"), *args],
                              capture_output=True, text=True, env=env, timeout=60)
    p = cli("seen", "list")
    assert p.returncode == 0, p.stderr
    rows = [l.split()[0] for l in p.stdout.splitlines()[1:]]
    assert rows == ["127.0.6.%d" % i for i in range(17, 23)]
    p = cli("seen", "adopt", "127.0.6.18", "--community", "campus-x")
    assert p.returncode == 0 and "adopted 127.0.6.18" in p.stdout, p.stderr
    p = cli("seen", "adopt", "10.9.9.9")
    assert p.returncode != 0 and "not a seen host" in p.stderr
    p = cli("seen", "rm", "--all")
    assert p.returncode == 0 and "forgot 5" in p.stdout, p.stdout
    assert cli("seen", "rm").returncode == 2
    assert collector.get("/api/v1/discovery/seen").json() == []
