"""Global write limits: series, string size, free disk, RRD step per writer.

Each limit hit is answered with an error naming its config key, and every
limit shows in /metrics with its current use.
"""
import os
import time

from conftest import wait_for
from test_ingest_retry import small_fs, fill  # noqa: F401 (fixture)


def aligned(step=10, back=600):
    now = int(time.time())
    return now - now % step - back


def limit(c, key, use=False):
    name = "campusmon_limit_use" if use else "campusmon_limit"
    return c.metrics()['%s{limit="%s"}' % (name, key)]


def test_max_series_is_global(collector_factory):
    c = collector_factory(config="limits:\n  max_series: 5\n").start()
    assert c.write("m,host=a x=1,y=2,z=3").status == 204
    r = c.write("m,host=b x=1,y=2,z=3\nm,host=a x=5\n")
    assert r.status == 400, r.body
    assert r.json()["error"].startswith("line 1:")
    assert "limits.max_series (5)" in r.json()["error"]
    assert not c.series(host="b")
    assert [s["last"] for s in c.series(host="a") if s["field"] == "x"] == [5]
    assert c.write("m,host=b x=1,y=2").status == 204  # exactly up to the limit
    assert limit(c, "limits.max_series") == 5
    assert limit(c, "limits.max_series", use=True) == 5
    assert limit(c, "ingest.max_series_per_host", use=True) == 3


def test_long_string_refused_naming_the_limit(collector_factory):
    c = collector_factory(config="limits:\n  max_string_bytes: 64\n").start()
    ok = "x" * 64
    r = c.write('s,host=t msg="%s"\ns,host=u msg="%sy"\n' % (ok, ok))
    assert r.status == 400, r.body
    err = r.json()["error"]
    assert err.startswith("line 2:") and "limits.max_string_bytes (64)" in err
    assert c.series(host="t") and not c.series(host="u")
    assert limit(c, "limits.max_string_bytes") == 64
    assert limit(c, "limits.max_string_bytes", use=True) == 64
    assert c.metrics()["campusmon_text_values_bytes"] == 64


def test_rrd_step_bounded_per_token_kind(collector):
    t0 = aligned(60)
    r = collector.post_json("/api/v1/tokens", {"name": "ag", "host": "st"})
    agent = r.json()["token"]
    assert collector.write("st,host=st v=1 %d" % t0, token=agent,
                           query="precision=s&interval=1").status == 204
    assert collector.write("st2,host=adm v=1 %d" % t0,
                           query="precision=s&interval=1").status == 204
    assert collector.series(host="st")[0]["step"] == 5   # limits.min_interval_agent
    assert collector.series(host="adm")[0]["step"] == 1  # limits.min_interval
    assert collector.metrics()["campusmon_write_intervals_raised_total"] == 1
    assert limit(collector, "limits.min_interval_agent") == 5


def test_free_space_reserve_gives_507_then_recovers(collector_factory, small_fs):
    c = collector_factory(data_dir=os.path.join(small_fs, "data"),
                          config="storage:\n  min_free: 8MiB\n").start()
    assert c.write("d,host=d v=1").status == 204
    assert limit(c, "storage.min_free") == 8 << 20
    assert limit(c, "storage.min_free", use=True) > 8 << 20
    st = os.statvfs(small_fs)
    filler = os.path.join(small_fs, "filler")
    with open(filler, "wb") as f:
        f.truncate(0)
        f.write(b"\0" * (st.f_bavail * st.f_frsize - (4 << 20)))
    # Free space is read at most once a second: wait for the collector to see it.
    r = wait_for(lambda: (lambda r: r.status == 507 and r)(c.write("d,host=d v=2")),
                 what="507")
    assert "storage.min_free" in r.json()["error"]
    assert r.headers.get("Retry-After")
    assert limit(c, "storage.min_free", use=True) < 8 << 20
    assert c.metrics()["campusmon_write_requests_no_space_total"] >= 1
    os.unlink(filler)
    wait_for(lambda: c.write("d,host=d v=3").status == 204, what="204 again")
    assert c.series(host="d")[0]["last"] == 3


def test_every_ingest_limit_in_metrics(collector):
    m = collector.metrics()
    for key in ("limits.max_series", "limits.max_string_bytes", "limits.min_interval",
                "limits.min_interval_agent", "storage.min_free", "storage.queue_max",
                "ingest.max_series_per_host", "ingest.max_body", "ingest.max_lines",
                "ingest.max_line_length", "ingest.max_future",
                "ingest.max_future_unbound"):
        assert 'campusmon_limit{limit="%s"}' % key in m, key
    for key in ("limits.max_series", "storage.min_free", "storage.queue_max"):
        assert 'campusmon_limit_use{limit="%s"}' % key in m, key
