"""Alerts with a real collector: thresholds with hysteresis, for, nodata,
flapping, maintenance, acknowledgement across a restart, rule checks (-t)."""
import json
import os
import subprocess
import time

import pytest

from conftest import Collector, wait_for

RULES = """
alerts:
  defaults: false
  hold: 0s
  rules:
    - name: room-hot
      match: {measurement: temp, field: value}
      warn: 30
      crit: 40
      recover: 25
    - name: slow-hot
      match: {measurement: slow, field: value}
      warn: 30
      recover: 25
      for: 4s
    - name: quiet
      match: {measurement: beat, field: value}
      nodata: 3s
      severity: warning
"""


def alerts_ready(c):
    """The stored alerts are loaded (503 until then; samples meanwhile count
    only with their series' last value)."""
    wait_for(lambda: c.get("/api/v1/alerts").status == 200, what="alerts loaded")


class Feed:
    """Samples with increasing timestamps (one second apart, in the past)."""

    def __init__(self, collector, host="srv1"):
        alerts_ready(collector)
        self.c = collector
        self.host = host
        self.ts = int(time.time()) - 3000

    def send(self, measurement, value):
        self.ts += 1
        r = self.c.write("%s,host=%s value=%s %d" % (measurement, self.host, value, self.ts),
                         query="precision=s")
        assert r.status == 204, r.body


def alerts(c, **q):
    qs = "&".join("%s=%s" % kv for kv in q.items())
    r = c.get("/api/v1/alerts" + ("?" + qs if qs else ""))
    assert r.status == 200, r.body
    return r.json()


def of_rule(c, rule, state="all"):
    return [a for a in alerts(c, state=state) if a["rule"] == rule]


def wait_alerts(c, rule, pred, what):
    return wait_for(lambda: (lambda v: v if pred(v) else None)(of_rule(c, rule)), what=what)


@pytest.fixture
def col(collector_factory):
    return collector_factory(config=RULES).start()


def test_threshold_hysteresis_ack_and_restart(collector_factory):
    c = collector_factory(config=RULES).start()
    f = Feed(c)
    f.send("temp", 35)
    a = wait_alerts(c, "room-hot", lambda v: len(v) == 1, "one firing")[0]
    assert a["state"] == "firing" and a["severity"] == "warning"
    assert a["device"] == "srv1" and a["subject"] == "temp value"
    # between recover (25) and warn (30) after firing: no change, no new alert
    for v in (28, 31, 26, 29):
        f.send("temp", v)
    f.send("temp", 20)
    a = wait_alerts(c, "room-hot", lambda v: v[0]["state"] == "resolved", "resolved")
    assert len(a) == 1, a
    whats = [t["what"] for t in a[0]["timeline"]]
    assert len(whats) == 2 and whats[1] == "resolved", whats
    # again, above crit: a new alert, critical
    f.send("temp", 45)
    new = wait_alerts(c, "room-hot", lambda v: len(v) == 2, "second alert")[0]
    assert new["severity"] == "critical" and new["id"] != a[0]["id"]
    # acknowledge it
    r = c.post_json("/api/v1/alerts/%s/ack" % new["id"], {"comment": "fan <b>fixed</b>"})
    assert r.status == 200, r.body
    assert r.json()["state"] == "acknowledged"
    assert r.json()["ack_comment"] == "fan <b>fixed</b>"
    assert c.post_json("/api/v1/alerts/%s/ack" % a[0]["id"], {}).status == 409
    assert c.post_json("/api/v1/alerts/99999/ack", {}).status == 404
    audit = c.get("/api/v1/audit").json()
    assert any(e.get("action") == "alert.ack" for e in audit), audit
    # a restart neither forgets nor fires again
    c.stop()
    c.start()
    got = wait_for(lambda: c.get("/api/v1/alerts/%s" % new["id"]).status == 200 and
                   c.get("/api/v1/alerts/%s" % new["id"]).json(), what="alert after restart")
    assert got["state"] == "acknowledged" and got["acknowledged_by"]
    f.send("temp", 46)
    f.send("temp", 20)
    wait_alerts(c, "room-hot", lambda v: v[0]["state"] == "resolved", "resolved after restart")
    assert len(of_rule(c, "room-hot")) == 2


def test_for_and_nodata(col):
    f = Feed(col)
    f.send("slow", 35)
    assert of_rule(col, "slow-hot") == [], "for: 4s has not passed yet"
    wait_alerts(col, "slow-hot", lambda v: len(v) == 1, "the for rule to fire")
    f.send("beat", 1)
    a = wait_alerts(col, "quiet", lambda v: len(v) == 1, "no data")[0]
    assert a["value"] == "no data" and a["state"] == "firing"
    f.send("beat", 1)
    wait_alerts(col, "quiet", lambda v: v[0]["state"] == "resolved", "data again")


def test_flapping_is_one_alert(col):
    f = Feed(col)
    for i in range(12):
        f.send("temp", 35 if i % 2 == 0 else 10)
    v = wait_alerts(col, "room-hot", lambda v: any(a["flapping"] for a in v), "flapping")
    time.sleep(0.5)
    v = of_rule(col, "room-hot")
    assert len(v) == 3, [(a["id"], a["state"]) for a in v]
    assert v[0]["flapping"] and v[0]["state"] == "firing"
    assert any("flapping" in t["what"] for t in v[0]["timeline"])


def test_maintenance_recorded_not_notified(col):
    r = col.post_json("/api/v1/maintenance", {"devices": ["srv1"], "from": "-1m",
                                              "to": "+1h", "comment": "disk swap"})
    assert r.status == 201, r.body
    mid = r.json()["id"]
    assert col.get("/api/v1/maintenance").json()[0]["active"] is True
    f = Feed(col)
    f.send("temp", 35)
    a = wait_alerts(col, "room-hot", lambda v: len(v) == 1, "alert in maintenance")[0]
    assert a["maintenance"] is True
    # another host is not covered
    Feed(col, host="srv2").send("temp", 35)
    b = wait_for(lambda: [x for x in of_rule(col, "room-hot") if x["device"] == "srv2"],
                 what="srv2 alert")[0]
    assert b["maintenance"] is False
    for bad in ({}, {"devices": ["x"], "from": "-1m", "to": "-2h"},
                {"devices": "x", "from": 0, "to": 1}, {"match": {}, "from": 0, "to": 1}):
        r = col.post_json("/api/v1/maintenance", bad)
        assert r.status == 400 and "error" in r.json(), (bad, r.body)
    r = subprocess_delete(col, "/api/v1/maintenance/%s" % mid)
    assert r.status == 204
    assert col.get("/api/v1/maintenance").json() == []


def subprocess_delete(c, path):
    from conftest import http
    return http("DELETE", c.url + path, headers=c.auth())


def test_api_errors(col):
    assert col.get("/api/v1/alerts?state=bogus").status == 400
    assert col.get("/api/v1/alerts/abc").status == 404
    assert col.get("/api/v1/alerts?severity=loud").status == 400
    rules = col.get("/api/v1/alert-rules").json()
    assert [r["name"] for r in rules] == ["room-hot", "slow-hot", "quiet"]
    assert rules[0]["recover"] == 25 and rules[0]["direction"] == "above"


def test_check_reports_bad_rules(tmp_path):
    conf = tmp_path / "c.yaml"
    conf.write_text("""
alerts:
  rules:
    - name: backwards
      match: {measurement: temp}
      warn: 30
      crit: 40
      recover: 45
    - name: nothing
      match: {measurement: temp}
""")
    r = subprocess.run([Collector.binary, "-t", "-c", str(conf)], capture_output=True,
                       text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "rule backwards: recover (45)" in r.stderr, r.stderr
    assert "rule nothing: give warn" in r.stderr, r.stderr
    conf.write_text("alerts:\n  rules:\n    - {name: ok, match: {measurement: t}, warn: 1}\n")
    r = subprocess.run([Collector.binary, "-t", "-c", str(conf)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr


def test_cli_alerts_and_ack(col):
    cli = os.path.join(os.environ["CAMPUSMON_BUILD"], "cli", "campusmon")
    env = dict(os.environ, CAMPUSMON_URL=col.url, CAMPUSMON_TOKEN=col.token)
    Feed(col, host="web\x1b[31m").send("temp", 45)
    a = wait_alerts(col, "room-hot", lambda v: len(v) == 1, "an alert")[0]
    r = subprocess.run([cli, "alerts"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "room-hot" in r.stdout and "critical" in r.stdout
    assert "\x1b" not in r.stdout, "control bytes from the device name are escaped"
    r = subprocess.run([cli, "ack", str(a["id"]), "--comment", "looking"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "acknowledged" in r.stdout
    r = subprocess.run([cli, "--json", "alerts", "--state", "acknowledged"], env=env,
                       capture_output=True, text=True)
    got = json.loads(r.stdout)
    assert [x["id"] for x in got] == [a["id"]] and got[0]["ack_comment"] == "looking"
    r = subprocess.run([cli, "ack", "424242"], env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "no such alert" in r.stderr


def test_check_warns_about_rules_matching_nothing(collector_factory):
    c = collector_factory(config=RULES).start()
    Feed(c).send("temp", 20)
    wait_for(lambda: c.series(measurement="temp"), what="the series")
    c.stop()
    conf = os.path.join(c.tmp, "check.yaml")
    with open(conf, "w") as f:
        f.write(RULES.replace("measurement: slow", "measurement: nosuch"))
    r = subprocess.run([Collector.binary, "-t", "-c", conf, "--data-dir", c.data_dir],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "warning" in r.stderr and "rule slow-hot matches none" in r.stderr, r.stderr
    assert "room-hot" not in r.stderr
    assert "configuration OK" in r.stdout


def test_rules_through_the_api(collector_factory):
    c = collector_factory(config=RULES).start()
    alerts_ready(c)
    rule = {"name": "api-hot", "match": {"measurement": "apitemp", "field": "value"},
            "warn": 50, "recover": 40, "message": "{device} is at {value}"}
    r = c.post_json("/api/v1/alert-rules", rule)
    assert r.status == 201, r.body
    assert r.json()["origin"].startswith("api") and r.json()["recover"] == 40
    assert c.post_json("/api/v1/alert-rules", rule).status == 409
    bad = dict(rule, name="api-bad", warn=50, crit=60, recover=55)
    r = c.post_json("/api/v1/alert-rules", bad)
    assert r.status == 400 and "rule api-bad: recover (55)" in r.json()["error"], r.body
    assert c.post_json("/api/v1/alert-rules", dict(rule, name="room-hot")).status == 409
    Feed(c).send("apitemp", 55)
    a = wait_alerts(c, "api-hot", lambda v: len(v) == 1, "the API rule to fire")[0]
    assert a["message"] == "srv1 is at 55"
    # kept across a restart; a configured rule cannot be deleted through the API
    c.stop()
    c.start()
    alerts_ready(c)
    names = [x["name"] for x in c.get("/api/v1/alert-rules").json()]
    assert names == ["room-hot", "slow-hot", "quiet", "api-hot"], names
    from conftest import http
    r = http("DELETE", c.url + "/api/v1/alert-rules/room-hot", headers=c.auth())
    assert r.status == 409 and "alerts.rules" in r.json()["error"]
    r = http("DELETE", c.url + "/api/v1/alert-rules/api-hot", headers=c.auth())
    assert r.status == 204
    assert "api-hot" not in [x["name"] for x in c.get("/api/v1/alert-rules").json()]
    # its open alert is resolved with it
    wait_alerts(c, "api-hot", lambda v: v[0]["state"] == "resolved", "resolved with its rule")
