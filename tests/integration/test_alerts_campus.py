"""Root cause on a namespace campus (lldpd + snmpd per namespace, campus.py):
the core and everything behind it are cut off at once → one notification,
for the core, with 4 affected; the 4 others suppressed under it; links back →
resolved. Without topology the alert says so."""
import json

import pytest

from campus import Campus
from conftest import wait_for
from test_notify import Receiver, start_collector

EXTRA = """
topology:
  interval: 10s
  root: alrt-core
snmp:
  timeout_ms: 300
  retries: 0
alerts:
  hold: 15s
"""


@pytest.fixture(scope="module")
def campus():
    with Campus(prefix="alrt", net="10.236") as c:
        c.wait_lldp_converged()
        yield c


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def down_alerts(c):
    r = c.get("/api/v1/alerts?state=all&rule=device-down")
    assert r.status == 200, r.body
    return r.json()


def test_core_cut_off_one_notification_four_suppressed(collector_factory, campus, receiver):
    c = start_collector(collector_factory, [{"name": "hook", "type": "webhook",
                                             "url": receiver.url + "/hook"}], extra=EXTRA)
    ids = {}
    for node in campus.managed():
        r = c.post_json("/api/v1/devices", {"name": campus.sysname(node),
                                            "address": campus.address(node), "interval": 5,
                                            "snmp": {"version": "2c",
                                                     "community": campus.community}})
        assert r.status == 201, r.body
        ids[node] = r.json()["id"]
    # the topology knows every path before anything breaks
    wait_for(lambda: c.get("/api/v1/devices/%d/path" % ids["acc2"]).json() ==
             [ids["core"], ids["dist2"], ids["acc2"]], timeout=90, interval=1,
             what="the upstream path of acc2")
    wait_for(lambda: all(d["status"] == "up" for d in c.get("/api/v1/devices").json()),
             timeout=30, interval=0.5, what="every device up")
    try:
        for node in campus.managed():
            campus.set_link(node, "mgmt0", up=False)

        def root_told():
            a = [x for x in down_alerts(c) if x["device"] == campus.sysname("core")]
            return a if a and a[0]["state"] == "firing" and a[0]["affected"] == 4 else None

        core = wait_for(root_told, timeout=90, interval=0.5, what="the core's alert")[0]
        alerts = down_alerts(c)
        kids = [a for a in alerts if a["id"] != core["id"]]
        assert len(kids) == 4, alerts
        assert all(a["state"] == "suppressed" and a["root_cause"] == core["id"] for a in kids)
        assert sorted(k["device"] for k in core["children"]) == \
            sorted(campus.sysname(n) for n in ("dist1", "dist2", "acc1", "acc2"))
        # the webhook trails the alert by an outbox write and a request
        def fired_told():
            got = [json.loads(g[3]) for g in receiver.at("/hook")]
            return [b for b in got if b["alert"]["rule"] == "device-down" and
                    b["event"] == "firing"]
        fired = wait_for(fired_told, timeout=30, interval=0.5, what="the core's webhook")
        assert len(fired) == 1, [(b["event"], b["alert"]["device"]) for b in fired]
        assert fired[0]["alert"]["device"] == campus.sysname("core")
        assert fired[0]["affected"] == 4
    finally:
        for node in campus.managed():
            campus.set_link(node, "mgmt0", up=True)
    wait_for(lambda: all(a["state"] == "resolved" for a in down_alerts(c)), timeout=90,
             interval=0.5, what="every device-down alert resolved")

    def told():
        got = [json.loads(g[3]) for g in receiver.at("/hook")]
        return [(b["event"], b["alert"]["device"]) for b in got
                if b["alert"]["rule"] == "device-down"]
    want = [("firing", campus.sysname("core")), ("resolved", campus.sysname("core"))]
    try:
        wait_for(lambda: told() == want, timeout=30, interval=0.5, what="the resolved webhook")
    except AssertionError:
        pass    # the assertion says what came
    assert told() == want, told()
