"""Alerts to a webhook receiver on loopback, end to end (alert engine →
observe_alert → notify's outbox → HTTP): one firing per problem, nothing for
values between warn and recover, one resolved, one notice for flapping,
nothing during maintenance, and the acknowledgement told."""
import json
import time

import pytest

from conftest import wait_for
from test_alerts import Feed
from test_notify import Receiver, start_collector

ALERTS = """
alerts:
  defaults: false
  escalate_after: 0
  rules:
    - {name: room-hot, match: {measurement: temp, field: value}, warn: 30, crit: 40, recover: 25}
"""


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def events(receiver, device=None):
    out = []
    for g in receiver.at("/hook"):
        body = json.loads(g[3])
        if device is None or body["alert"]["device"] == device:
            out.append((body["event"], body["alert"]["id"], body["alert"]))
    return out


def test_webhook_firing_resolved_flap_maintenance_ack(collector_factory, receiver):
    c = start_collector(collector_factory, [{"name": "hook", "type": "webhook",
                                             "url": receiver.url + "/hook"}], extra=ALERTS)
    f = Feed(c, host="h1")
    f.send("temp", 35)
    wait_for(lambda: len(events(receiver, "h1")) == 1, what="one firing")
    for v in (28, 31, 26, 29):      # between recover and warn: nothing
        f.send("temp", v)
    f.send("temp", 20)
    wait_for(lambda: len(events(receiver, "h1")) == 2, what="the resolved one")
    ev = events(receiver, "h1")
    assert [e[0] for e in ev] == ["firing", "resolved"], ev
    assert ev[0][1] == ev[1][1]
    assert ev[0][2]["rule"] == "room-hot" and ev[0][2]["state"] == "firing"

    # flapping: many changes, one notice that says so, then silence
    g = Feed(c, host="h2")
    for i in range(14):
        g.send("temp", 35 if i % 2 == 0 else 10)
    # up to 8 notifications go out at once: they may arrive in any order
    ev = wait_for(lambda: (lambda e: e if len(e) >= 5 and any(x[2]["flapping"] for x in e)
                           else None)(events(receiver, "h2")), what="the flap notice")
    time.sleep(1.0)     # let anything else that was queued arrive
    ev = events(receiver, "h2")
    by_alert = {}
    for kind, aid, _ in ev:
        by_alert.setdefault(aid, []).append(kind)
    assert [sorted(by_alert[a]) for a in sorted(by_alert)] == \
        [["firing", "resolved"], ["firing", "resolved"], ["firing"]], ev
    last = max(by_alert)
    assert [e[2]["flapping"] for e in ev if e[1] == last] == [True], ev

    # maintenance: recorded, not sent
    r = c.post_json("/api/v1/maintenance", {"devices": ["h3"], "from": "-1m", "to": "+1h"})
    assert r.status == 201, r.body
    Feed(c, host="h3").send("temp", 45)
    wait_for(lambda: [a for a in c.get("/api/v1/alerts").json() if a["device"] == "h3"],
             what="the alert in maintenance")
    # ack of another alert is told; then nothing has come for h3
    Feed(c, host="h4").send("temp", 45)
    wait_for(lambda: events(receiver, "h4"), what="h4 firing")
    aid = events(receiver, "h4")[0][1]
    assert c.post_json("/api/v1/alerts/%d/ack" % aid, {"comment": "mine"}).status == 200
    wait_for(lambda: [e for e in events(receiver, "h4") if e[0] == "acknowledged"],
             what="the acknowledgement")
    assert events(receiver, "h3") == []
