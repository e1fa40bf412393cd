"""Devices through the API, polled by the collector from a real snmpd."""
import os
import subprocess
import time

import pytest

from conftest import SNMPD_COMMUNITY, http, wait_for


def add_device(c, **body):
    r = c.post_json("/api/v1/devices", body)
    assert r.status == 201, r.body
    return r.json()


def test_added_device_is_polled_and_secrets_never_returned(collector, snmpd):
    dev = add_device(collector, address="127.0.0.1", port=snmpd, interval=5,
                     site="Main campus", building="B3", room="101", asset_tag="A-0001",
                     snmp={"version": "2c", "community": "Xy9-comm"})
    assert dev["status"] == "unknown"
    assert "community" not in dev["snmp"] and dev["snmp"]["community_set"] is True

    def polled():
        d = collector.get("/api/v1/devices/%d" % dev["id"]).json()
        return d if d["status"] == "up" else None

    d = wait_for(polled, timeout=20, what="first poll")
    assert d["name"] == "core-sw-1"            # named by sysName when added without a name
    assert d["sys_location"] == "Building 3, room <b>101</b>"   # stored as sent
    assert d["kind"] in ("server", "other")
    assert d["asset_tag"] == "A-0001" and d["room"] == "101"
    assert d["poll_duration"] > 0 and d["last_seen"] > time.time() - 60
    ifaces = collector.get("/api/v1/devices/%d/interfaces" % dev["id"]).json()
    assert any(i["name"] == "lo" and i["oper_status"] == "up" for i in ifaces)
    for i in ifaces:
        for k in ("index", "name", "alias", "speed_bps", "admin_status", "oper_status",
                  "in_bps", "out_bps", "in_errors_ps", "out_errors_ps"):
            assert k in i
    assert isinstance(collector.get("/api/v1/devices/%d/sensors" % dev["id"]).json(), list)
    # by name too
    assert collector.get("/api/v1/devices/core-sw-1").json()["id"] == dev["id"]
    # its values become series of host=<device name>, rates after the second poll
    wait_for(lambda: any(s["measurement"] == "interface" for s in
                         collector.series(host="core-sw-1")), timeout=20,
             what="interface series")
    body = collector.get("/api/v1/devices").body
    assert b"Xy9-comm" not in body
    assert b"Xy9-comm" not in open(collector.log_path, "rb").read()


def test_edit_and_remove(collector, snmpd):
    dev = add_device(collector, address="127.0.0.1", port=snmpd, name="ups-1", kind="ups",
                     snmp={"community": "Xy9-comm"})
    r = http("PATCH", collector.url + "/api/v1/devices/%d" % dev["id"],
             b'{"rack": "R7", "monitored": false}', collector.auth())
    assert r.status == 200, r.body
    assert r.json()["rack"] == "R7" and r.json()["monitored"] is False
    assert r.json()["kind"] == "ups"
    assert collector.post_json("/api/v1/devices", {"address": "127.0.0.2", "name": "ups-1"}).status == 409
    r = http("DELETE", collector.url + "/api/v1/devices/%d" % dev["id"], headers=collector.auth())
    assert r.status == 204
    assert collector.get("/api/v1/devices/%d" % dev["id"]).status == 404
    assert collector.get("/api/v1/devices").json() == []


def test_patch_to_v3_without_a_user_is_refused(collector, snmpd):
    """The v3 rule holds for PATCH as for POST: no device that cannot poll."""
    dev = add_device(collector, address="127.0.0.1", port=snmpd, name="v2-dev",
                     snmp={"version": "2c", "community": "Xy9-comm"})
    url = collector.url + "/api/v1/devices/%d" % dev["id"]
    r = http("PATCH", url, b'{"snmp": {"version": "3"}}', collector.auth())
    assert r.status == 400 and "SNMPv3 needs snmp.user" in r.json()["error"]
    assert collector.get("/api/v1/devices/%d" % dev["id"]).json()["snmp"]["version"] == "2c"
    r = http("PATCH", url, b'{"snmp": {"version": "3", "user": "ops", "auth_proto": "SHA",'
             b' "auth_pass": "authpass123"}}', collector.auth())
    assert r.status == 200, r.body
    assert r.json()["snmp"]["version"] == "3" and r.json()["snmp"]["user"] == "ops"


def test_devices_survive_restart(collector):
    add_device(collector, address="192.0.2.10", name="far-away", monitored=False)
    collector.stop()
    collector.start()
    names = [d["name"] for d in collector.get("/api/v1/devices").json()]
    assert names == ["far-away"]


@pytest.mark.parametrize("body,needle", [
    ({}, "address"),
    ({"address": "not an address!"}, "address"),
    ({"address": "10.0.0.1", "port": 70000}, "port"),
    ({"address": "10.0.0.1", "kind": "toaster"}, "kind"),
    ({"address": "10.0.0.1", "snmp": {"version": "4"}}, "version"),
    ({"address": "10.0.0.1", "snmp": {"version": "3"}}, "user"),
    ({"address": "10.0.0.1", "snmp": {"auth_proto": "ROT13"}}, "auth_proto"),
    ({"address": "10.0.0.1", "status": "up"}, "read-only"),
    ({"address": "10.0.0.1", "interval": 1}, "interval"),
])
def test_bad_device_bodies(collector, body, needle):
    r = collector.post_json("/api/v1/devices", body)
    assert r.status == 400, body
    assert needle in r.json()["error"]


def test_viewer_cannot_change_devices(collector):
    tok = collector.post_json("/api/v1/tokens", {"name": "v", "kind": "api",
                                                 "role": "viewer"}).json()["token"]
    assert collector.get("/api/v1/devices", token=tok).status == 200
    assert collector.post_json("/api/v1/devices", {"address": "10.0.0.1"}, token=tok).status == 403


@pytest.fixture
def silent_host():
    """A test host in a network namespace of our own that never answers."""
    tag = "%d" % (os.getpid() % 10000)
    ns, here, there = "cmsilent" + tag, "cms0-" + tag, "cms1-" + tag
    octet = os.getpid() % 250 + 1
    mine, its = "10.213.%d.1" % octet, "10.213.%d.2" % octet

    def sh(*cmd):
        subprocess.run(cmd, check=True, capture_output=True)

    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "link", "add", here, "type", "veth", "peer", "name", there)
        sh("ip", "link", "set", there, "netns", ns)
        sh("ip", "addr", "add", mine + "/30", "dev", here)
        sh("ip", "link", "set", here, "up")
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", its + "/30", "dev", there)
        sh("ip", "netns", "exec", ns, "ip", "link", "set", there, "up")
        # Whatever it would answer (port unreachable) goes nowhere.
        sh("ip", "netns", "exec", ns, "ip", "route", "add", "blackhole", mine + "/32")
        yield its
    finally:
        subprocess.run(["ip", "link", "del", here], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def test_silent_device_is_down_and_others_keep_polling(collector_factory, snmpd, silent_host):
    c = collector_factory(config="snmp:\n  timeout_ms: 300\n  retries: 0\n").start()
    good = add_device(c, address="127.0.0.1", port=snmpd, name="good", interval=5,
                      snmp={"community": "Xy9-comm"})
    bad = add_device(c, address=silent_host, name="silent", interval=5,
                     snmp={"community": "Xy9-comm"})

    def status(d):
        return c.get("/api/v1/devices/%d" % d["id"]).json()

    wait_for(lambda: status(bad)["status"] in ("down", "unreachable"), timeout=20,
             what="the silent device to be marked down")
    wait_for(lambda: status(good)["status"] == "up", timeout=20, what="the good device")
    seen = status(good)["last_seen"]
    wait_for(lambda: status(good)["last_seen"] > seen, timeout=20,
             what="the good device to keep being polled")
    assert status(bad)["status"] in ("down", "unreachable")
    assert "silent" in c.read_log()


def test_device_list_follows_every_change(collector, snmpd):
    """The list is served from a cache: it must never show stale devices."""
    dev = add_device(collector, address="127.0.0.1", port=snmpd, name="cached", interval=5,
                     snmp={"community": SNMPD_COMMUNITY})

    def listed():
        return {d["name"]: d for d in collector.get("/api/v1/devices").json()}

    assert listed()["cached"]["status"] in ("unknown", "up")   # its first poll is due within 5 s
    assert collector.get("/api/v1/devices?kind=other").status == 200   # filtered path
    wait_for(lambda: listed()["cached"]["status"] == "up", timeout=20,
             what="the list to show the poll")
    r = http("PATCH", collector.url + "/api/v1/devices/%d" % dev["id"], b'{"room": "R-9"}',
             collector.auth())
    assert r.status == 200
    assert listed()["cached"]["room"] == "R-9"
    add_device(collector, address="192.0.2.7", name="second", monitored=False)
    assert set(listed()) == {"cached", "second"}
    http("DELETE", collector.url + "/api/v1/devices/second", headers=collector.auth())
    assert set(listed()) == {"cached"}


def test_device_changes_are_in_the_audit_trail(collector):
    dev = add_device(collector, address="192.0.2.20", name="audited", monitored=False)
    http("PATCH", collector.url + "/api/v1/devices/%d" % dev["id"], b'{"rack": "R1"}',
         collector.auth())
    http("DELETE", collector.url + "/api/v1/devices/%d" % dev["id"], headers=collector.auth())
    collector.post_json("/api/v1/discovery", {"ranges": "127.0.11.0/30", "port": 9})

    def actions():
        r = collector.get("/api/v1/audit")
        assert r.status == 200, r.body
        body = r.json()
        rows = body if isinstance(body, list) else body.get("entries", [])
        return {(e.get("action"), e.get("target")) for e in rows}

    wait_for(lambda: {("device.add", "audited"), ("device.edit", "audited"),
                      ("device.remove", "audited")} <= actions(), timeout=10,
             what="device changes in the audit trail")
    assert any(a == "discovery.start" for a, _ in actions())
