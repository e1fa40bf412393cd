"""Device kind from what the device answers (DESIGN §9 "Device kind"), with
the shared recordings served by snmpsim: a net-snmp Linux host that bridges
(LLDP capability bridge) is a switch, not a server; a room monitor that only
serves ENTITY-SENSOR-MIB is a sensor, not other; an admin's kind wins."""
import os

import pytest

from conftest import SHARED, wait_for
from lldpsim import Snmpsim, _oid_key

A = ["127.0.11.1", "127.0.11.2", "127.0.11.3"]


def lines(name):
    with open(os.path.join(SHARED, "devices", name + ".snmprec")) as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


def linux_bridge():
    # the recorded RHEL 8 host, plus lldpLocSysCapEnabled = bridge (lldpd on a bridge)
    return sorted(lines("server-linux-el8") + ["1.0.8802.1.1.2.1.3.6.0|4x|20"], key=_oid_key)


def room_monitor():
    # ENTITY-SENSOR-MIB sensors (and their ENTITY-MIB rows) as the Aruba recording
    # serves them, under a vendor the profiles do not know
    src = lines("switch-aruba-6200f")
    sensors = {l.split("|")[0].rsplit(".", 1)[1] for l in src
               if l.startswith("1.3.6.1.2.1.47.1.1.1.1.5.") and l.endswith("|2|8")}
    keep = [l for l in src if l.startswith("1.3.6.1.2.1.99.")]
    keep += [l for l in src if l.startswith("1.3.6.1.2.1.47.1.1.1.1.") and
             l.split("|")[0].rsplit(".", 1)[1] in sensors]
    keep += ["1.3.6.1.2.1.1.1.0|4|Room environment monitor 2.1",
             "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1",
             "1.3.6.1.2.1.1.3.0|67|4242",
             "1.3.6.1.2.1.1.5.0|4|room-101-env"]
    return sorted(keep, key=_oid_key)


@pytest.fixture(scope="module")
def sim():
    s = Snmpsim(A, [linux_bridge(), room_monitor(), sorted(lines("server-linux-el8"),
                                                             key=_oid_key)], "kind-ro")
    try:
        wait_for(lambda: all(s.answers(a) for a in A), timeout=60, interval=0.5,
                 what="snmpsimd")
        yield s
    finally:
        s.stop()


def add(collector, addr, port, **extra):
    body = {"address": addr, "name": "k-" + addr, "port": port, "interval": 5,
            "snmp": {"version": "2c", "community": "kind-ro"}}
    body.update(extra)
    r = collector.post_json("/api/v1/devices", body)
    assert r.status in (200, 201), r.body
    return r.json()["id"]


def polled(collector, dev_id):
    d = collector.get("/api/v1/devices/%d" % dev_id).json()
    return d if d["status"] == "up" and d.get("sys_descr") else None


def test_kind_from_what_the_device_answers(collector, sim):
    ids = [add(collector, a, sim.port) for a in A]
    got = [wait_for(lambda i=i: polled(collector, i), timeout=60, interval=0.5,
                    what="device polled") for i in ids]
    assert got[0]["kind"] == "switch", got[0]      # net-snmp, but it bridges
    assert got[1]["kind"] == "sensor", got[1]      # ENTITY-SENSOR and no switching
    assert got[2]["kind"] == "server", got[2]      # the same host without a bridge


def test_an_admins_kind_wins(collector, sim):
    i = add(collector, A[0], sim.port, kind="server")
    d = wait_for(lambda: polled(collector, i), timeout=60, interval=0.5, what="device polled")
    assert d["kind"] == "server"
