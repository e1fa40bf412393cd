"""Samples that cannot be stored are said so (InfluxDB's "partial write").

RRD keeps time order: a sample older than its series' last one is dropped
with its line, and the answer names the lines (400, `partial write: ...
dropped=N`) while the other lines are stored. A sample at exactly the last
time is a resend (agent spool, client retry) and is taken as stored.
"""
import time

from conftest import Collector


def aligned(step=10, back=600):
    now = int(time.time())
    return now - now % step - back


def last_of(c, host):
    rows = c.series(host=host)
    assert len(rows) == 1, rows
    return rows[0]


def test_older_sample_is_partial_write_naming_lines(collector):
    t0 = aligned()
    assert collector.write("o,host=o v=1 %d" % (t0 + 20), query="precision=s").status == 204
    before = collector.metrics()["campusmon_samples_out_of_order_total"]
    body = ("o,host=o v=5 %d\n"
            "o,host=fine v=1 %d\n"
            "o,host=o v=6 %d\n") % (t0 + 10, t0 + 10, t0 + 5)
    r = collector.write(body, query="precision=s")
    assert r.status == 400, r.body
    err = r.json()
    assert err["error"].startswith("partial write: line 1: "), err
    assert "older than the last sample" in err["error"]
    assert "lines dropped: 1, 3" in err["error"]
    assert err["error"].endswith(" dropped=2"), err
    assert err["dropped_lines"] == [1, 3] and err["dropped"] == 2
    assert err["accepted_samples"] == 1
    assert last_of(collector, "fine")["last_ts"] == t0 + 10
    assert last_of(collector, "o")["last"] == 1
    assert collector.metrics()["campusmon_samples_out_of_order_total"] == before + 2


def test_invalid_and_dropped_lines_both_named(collector):
    t0 = aligned()
    assert collector.write("p,host=p v=1 %d" % (t0 + 20), query="precision=s").status == 204
    r = collector.write("broken\np,host=p v=2 %d\n" % t0, query="precision=s")
    assert r.status == 400
    err = r.json()["error"]
    assert err.startswith("line 1:") and "; partial write: line 2:" in err, err
    assert err.endswith("dropped=1")


def test_resend_at_the_same_time_is_204_and_ignored(collector):
    t0 = aligned()
    body = "rs,host=r a=1,b=2 %d\nrs,host=r2 c=\"x\" %d\n" % (t0, t0)
    assert collector.write(body, query="precision=s").status == 204
    before = collector.metrics()["campusmon_samples_resent_total"]
    # The same body again (an agent replaying its spool): nothing lost, no 400.
    assert collector.write(body, query="precision=s").status == 204
    assert collector.metrics()["campusmon_samples_resent_total"] == before + 3
    # A resent sample next to a new field in the same line: the new one is stored.
    r = collector.write("rs,host=r a=1,b=2,d=4 %d" % t0, query="precision=s")
    assert r.status == 204, r.body
    assert {s["field"]: s["last"] for s in collector.series(host="r")} == \
        {"a": 1, "b": 2, "d": 4}


def test_unbound_agent_token_gets_a_small_future_window(collector):
    now = int(time.time())
    r = collector.post_json("/api/v1/tokens", {"name": "anyhost", "role": "agent"})
    assert r.status == 201, r.body
    unbound = r.json()["token"]
    r = collector.post_json("/api/v1/tokens", {"name": "bound", "host": "fb"})
    bound = r.json()["token"]
    # now+290 s passes the 5 min window but not ingest.max_future_unbound (10 s).
    r = collector.write("fut,host=fu v=1 %d" % (now + 290), token=unbound,
                        query="precision=s")
    assert r.status == 400, r.body
    err = r.json()["error"]
    assert err.startswith("partial write: line 1:") and "future" in err
    assert "max_future_unbound" in err and err.endswith("dropped=1")
    # The host's real writes still go in.
    assert collector.write("fut,host=fu v=2 %d" % now, token=unbound,
                           query="precision=s").status == 204
    assert last_of(collector, "fu")["last"] == 2
    # A token bound to its host keeps ingest.max_future.
    assert collector.write("fut,host=fb v=1 %d" % (now + 60), token=bound,
                           query="precision=s").status == 204


def test_max_future_unbound_is_configurable(collector_factory):
    c = collector_factory(config="ingest:\n  max_future_unbound: 2m\n").start()
    r = c.post_json("/api/v1/tokens", {"name": "anyhost", "role": "agent"})
    tok = r.json()["token"]
    now = int(time.time())
    assert c.write("f,host=x v=1 %d" % (now + 60), token=tok,
                   query="precision=s").status == 204
    assert c.write("f,host=x v=1 %d" % (now + 200), token=tok,
                   query="precision=s").status == 400
