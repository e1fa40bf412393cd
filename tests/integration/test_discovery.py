"""Discovery of a /28 on loopback holding simulated devices (snmpsimd)."""
import os
import pwd
import shutil
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
    for a in ADDRESSES:
        assert devices[a]["monitored"] is True
        assert devices[a]["kind"] == "ups", devices[a]
        assert devices[a]["snmp"]["community_set"] is True
    seen = [d for d in devices.values() if not d["monitored"]]
    assert len(seen) == 11 and all(d["status"] == "seen" for d in seen)
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
    assert len(collector.get("/api/v1/devices").json()) == 14


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
    dev = [d for d in collector.get("/api/v1/devices").json() if d["address"] == "::1"]
    assert dev and dev[0]["monitored"] is False and dev[0]["status"] == "seen"
