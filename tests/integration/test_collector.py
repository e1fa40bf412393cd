"""The collector core as a user runs it: ingest, storage, query, auth, limits."""
import gzip
import os
import signal
import subprocess
import time
import base64
import struct
import zlib

import pytest

from conftest import Collector, TOKEN, http, wait_for


def aligned(step=10, back=600):
    now = int(time.time())
    return now - now % step - back


def points_by_ts(result):
    return {ts: v for ts, v in result["points"]}


def find_series(c, host, measurement, field):
    rows = [s for s in c.series(host=host, measurement=measurement) if s["field"] == field]
    assert len(rows) == 1, rows
    return rows[0]


def test_health_needs_no_token_but_api_does(collector):
    r = collector.get("/api/v1/health", token=False)
    assert r.status == 200 and r.json()["status"] == "ok"
    for path in ("/api/v1/series", "/api/v1/query?series=1", "/metrics", "/api/v1/tokens"):
        r = collector.get(path, token=False)
        assert r.status == 401, path
        assert "error" in r.json()
    assert collector.get("/api/v1/series", token="wrong").status == 401


def test_write_query_round_trip_all_field_types(collector):
    t0 = aligned()
    lines = []
    for i in range(1, 7):
        lines.append("sys,host=web01,region=north load=%d.5,procs=%di,big=%du,up=t,os=\"linux\" %d"
                     % (i, i * 10, i * 100, t0 + i * 10))
    r = collector.write("\n".join(lines) + "\n", query="precision=s",
                        headers={"X-Campusmon-Interval": "10"})
    assert r.status == 204, r.body
    load = find_series(collector, "web01", "sys", "load")
    assert load["tags"] == {"host": "web01", "region": "north"}
    assert load["last"] == 6.5 and load["step"] == 10
    assert find_series(collector, "web01", "sys", "procs")["last"] == 60
    assert find_series(collector, "web01", "sys", "big")["last"] == 600
    assert find_series(collector, "web01", "sys", "up")["last"] == 1
    os_series = find_series(collector, "web01", "sys", "os")
    assert os_series["last"] == "linux" and os_series["type"] == "string"
    q = collector.query(load["id"], t0, t0 + 60, step=10)
    pts = points_by_ts(q)
    assert q["step"] == 10
    for i in range(1, 7):
        assert pts[t0 + i * 10] == pytest.approx(i + 0.5), (i, q)


@pytest.mark.parametrize("precision,scale", [("ns", 10**9), ("us", 10**6), ("ms", 1000), ("s", 1)])
def test_precisions(collector, precision, scale):
    t0 = aligned()
    body = "p,host=h%s v=1 %d\np,host=h%s v=2 %d\n" % (precision, (t0 + 10) * scale,
                                                      precision, (t0 + 20) * scale)
    r = collector.write(body, query="precision=" + precision)
    assert r.status == 204, r.body
    s = find_series(collector, "h" + precision, "p", "v")
    assert s["last_ts"] == t0 + 20


def test_default_precision_is_nanoseconds(collector):
    t0 = aligned()
    assert collector.write("p,host=n v=1 %d" % ((t0 + 10) * 10**9)).status == 204
    assert find_series(collector, "n", "p", "v")["last_ts"] == t0 + 10


def test_gzip_body(collector):
    t0 = aligned()
    body = "".join("gz,host=g,i=%d v=%d %d\n" % (i, i, t0 + 10) for i in range(500))
    r = collector.write(body, gzip=True, query="precision=s")
    assert r.status == 204, r.body
    assert len(collector.series(host="g")) == 500


def test_bad_gzip_and_unknown_encoding(collector):
    r = collector.write(b"not gzip", headers={"Content-Encoding": "gzip"})
    assert r.status == 400 and "gzip" in r.json()["error"]
    r = collector.write(b"m v=1", headers={"Content-Encoding": "br"})
    assert r.status == 415


def test_gzip_members_all_stored_trailing_bytes_refused(collector):
    t0 = aligned()
    first = "".join("mm,host=m1,i=%d v=%d %d\n" % (i, i, t0) for i in range(50))
    second = "".join("mm,host=m2,i=%d v=%d %d\n" % (i, i, t0) for i in range(50))
    # As `gzip a; gzip b; cat a.gz b.gz` or a client appending members makes it.
    body = gzip.compress(first.encode()) + gzip.compress(second.encode())
    r = collector.write(body, query="precision=s", headers={"Content-Encoding": "gzip"})
    assert r.status == 204, r.body
    assert len(collector.series(host="m1")) == 50
    assert len(collector.series(host="m2")) == 50
    for tail in (b"garbage", b"\0" * 8, b"\x1f"):
        body = gzip.compress(b"mm,host=m3 v=1 %d\n" % t0) + tail
        r = collector.write(body, query="precision=s", headers={"Content-Encoding": "gzip"})
        assert r.status == 400 and "after its gzip data" in r.json()["error"], tail
    assert not collector.series(host="m3")


def test_gzip_bomb_in_a_later_member_is_413(collector_factory):
    c = collector_factory(config="ingest:\n  max_body: 1MiB\n").start()
    member = gzip.compress(b"a" * (512 * 1024))
    r = c.write(member * 3, headers={"Content-Encoding": "gzip"})
    assert r.status == 413 and "decompressed" in r.json()["error"]


def test_gzip_bomb_is_413_while_inflating(collector_factory):
    c = collector_factory(config="ingest:\n  max_body: 1MiB\n").start()
    bomb = gzip.compress(b"a" * (20 * 1024 * 1024))
    assert len(bomb) < 100 * 1024
    r = c.write(bomb, headers={"Content-Encoding": "gzip"})
    assert r.status == 413
    assert "decompressed" in r.json()["error"]


def test_body_too_large_is_413(collector_factory):
    c = collector_factory(config="ingest:\n  max_body: 64KiB\n").start()
    r = c.write("m,host=x v=1\n" * 10000)
    assert r.status == 413


def test_too_many_lines_is_413(collector_factory):
    c = collector_factory(config="ingest:\n  max_lines: 10\n").start()
    r = c.write("m,host=x v=1\n" * 11)
    assert r.status == 413 and "max_lines" in r.json()["error"]
    assert c.write("m,host=x v=1\n" * 10).status == 204


def test_bad_line_named_and_valid_lines_kept(collector):
    t0 = aligned()
    body = ("ok,host=a v=1 %d\n"
            "broken line without fields\n"
            "ok,host=b v=2 %d\n"
            "ok,host=c v=notanumber %d\n") % (t0, t0, t0)
    r = collector.write(body, query="precision=s")
    assert r.status == 400
    err = r.json()
    assert err["error"].startswith("line 2:"), err
    assert err["rejected_lines"] == 2 and err["accepted_samples"] == 2
    assert collector.series(host="a") and collector.series(host="b")
    assert not collector.series(host="c")


@pytest.mark.parametrize("line", [
    "m,host=x v=1i2", "m,host=x", "m,host=x v=", ",host=x v=1", "m,host=x v=1 notatime",
    "m,host=x v=\"unterminated", "m,host=x v=1,v=2", "m,host= v=1", "m,host=x v=nan",
    "m v=99999999999999999999i",
])
def test_malformed_lines_get_400(collector, line):
    r = collector.write(line + "\n")
    assert r.status == 400, line
    assert r.json()["error"].startswith("line 1:")


def test_precision_and_interval_validated(collector):
    assert collector.write("m v=1", query="precision=hours").status == 400
    assert collector.write("m v=1", query="interval=0").status == 400
    assert collector.write("m v=1", headers={"X-Campusmon-Interval": "abc"}).status == 400


def test_future_timestamp_refused_per_line(collector):
    now = int(time.time())
    body = "clock,host=ok v=1 %d\nclock,host=bad v=1 %d\n" % (now, now + 3600)
    r = collector.write(body, query="precision=s")
    assert r.status == 400 and "future" in r.json()["error"]
    assert collector.series(host="ok")
    assert not collector.series(host="bad")


def test_out_of_order_counted_in_metrics(collector):
    t0 = aligned()
    assert collector.write("o,host=o v=1 %d" % (t0 + 20), query="precision=s").status == 204
    before = collector.metrics()["campusmon_samples_out_of_order_total"]
    r = collector.write("o,host=o v=1 %d" % (t0 + 10), query="precision=s")
    assert r.status == 400 and "partial write" in r.json()["error"]
    assert collector.metrics()["campusmon_samples_out_of_order_total"] == before + 1


def test_series_step_follows_stated_interval(collector):
    t0 = aligned(60)
    collector.write("s1,host=i v=1 %d" % t0, query="precision=s&interval=60")
    collector.write("s2,host=i v=1 %d" % t0, query="precision=s",
                    headers={"X-Campusmon-Interval": "1"})
    collector.write("s3,host=i v=1 %d" % t0, query="precision=s")
    steps = {s["measurement"]: s["step"] for s in collector.series(host="i")}
    assert steps == {"s1": 60, "s2": 1, "s3": 10}


def test_influx_auth_forms_and_paths(collector):
    basic = base64.b64encode(b"telegraf:" + TOKEN.encode()).decode()
    forms = [
        ("/write", {"Authorization": "Token " + TOKEN}, ""),
        ("/api/v2/write", {"Authorization": "Token " + TOKEN}, "org=x&bucket=y"),
        ("/write", {"Authorization": "Basic " + basic}, "db=telegraf"),
        ("/write", {}, "u=telegraf&p=" + TOKEN),
    ]
    for i, (path, headers, query) in enumerate(forms):
        r = collector.write("tg,host=form%d v=1" % i, token=False, path=path,
                            query=query, headers=headers)
        assert r.status == 204, (path, headers, r.body)
    r = collector.write("tg,host=nope v=1", token=False, path="/write",
                        headers={"Authorization": "Token wrong"})
    assert r.status == 401


def test_agent_token_bound_to_host(collector):
    r = collector.post_json("/api/v1/tokens", {"name": "web01 agent", "host": "web01"})
    assert r.status == 201, r.body
    tok = r.json()["token"]
    assert collector.write("cpu,host=web01 v=1", token=tok).status == 204
    r = collector.write("cpu,host=web01 v=2\ncpu,host=db01 v=1\n", token=tok)
    assert r.status == 400 and "web01" in r.json()["error"]
    assert collector.series(host="web01") and not collector.series(host="db01")
    # an agent token writes but cannot read or administer
    assert collector.get("/api/v1/series", token=tok).status == 403
    assert collector.post_json("/api/v1/tokens", {"name": "x"}, token=tok).status == 403


def test_api_token_roles_and_revocation(collector):
    r = collector.post_json("/api/v1/tokens", {"name": "dash", "kind": "api", "role": "viewer"})
    assert r.status == 201
    viewer = r.json()
    assert collector.get("/api/v1/series", token=viewer["token"]).status == 200
    assert collector.write("m v=1", token=viewer["token"]).status == 403
    listed = collector.get("/api/v1/tokens").json()
    assert any(t["name"] == "dash" for t in listed)
    assert all("token" not in t and "hash" not in t for t in listed)
    assert http("DELETE", collector.url + "/api/v1/tokens/%d" % viewer["id"],
                headers=collector.auth()).status == 204
    assert collector.get("/api/v1/series", token=viewer["token"]).status == 401
    assert collector.post_json("/api/v1/tokens", {"name": "x", "kind": "god"}).status == 400
    assert collector.post_json("/api/v1/tokens", {}).status == 400


def test_tokens_survive_restart(collector):
    tok = collector.post_json("/api/v1/tokens", {"name": "keep"}).json()["token"]
    collector.stop()
    collector.start()
    assert collector.write("m,host=keep v=1", token=tok).status == 204


def test_hostile_names_stay_inside_data_dir(collector):
    t0 = aligned()
    hostile = [
        r"../../etc", "a/b", "..", "x y", "名字", "\xa3\xac",
        "<script>alert(1)</script>", "v" * 3000,
    ]
    body = ""
    for i, v in enumerate(hostile):
        esc = v.replace("\\", "\\\\").replace(" ", "\\ ").replace(",", "\\,").replace("=", "\\=")
        body += "evil,host=evil,tag=%s v=%d %d\n" % (esc, i, t0)
    raw = body.encode("utf-8", "surrogateescape")
    raw += b"evil,host=evil,tag=gbk\xd6\xd0\xce\xc4 v=99 %d\n" % t0
    r = collector.write(raw, query="precision=s")
    assert r.status == 204, r.body
    rows = collector.series(host="evil")
    assert len(rows) == len(hostile) + 1      # no two collided
    tags = {s["tags"]["tag"] for s in rows}
    assert "../../etc" in tags and "<script>alert(1)</script>" in tags
    assert any("\ufffd" in t for t in tags)  # GBK shown as replacement chars
    collector.stop()                        # flush RRD files
    for dirpath, dirnames, files in os.walk(collector.data_dir):
        for f in files:
            full = os.path.realpath(os.path.join(dirpath, f))
            assert full.startswith(os.path.realpath(collector.data_dir) + "/")
    names = os.listdir(os.path.join(collector.data_dir, "rrd"))
    assert all(len(n) == 2 for n in names)
    assert not os.path.exists(os.path.join(collector.tmp, "etc"))


def test_nul_byte_refused(collector):
    r = collector.write(b"m,host=x,t=a\x00b v=1\n")
    assert r.status == 400


def test_series_per_host_limit(collector_factory):
    c = collector_factory(config="ingest:\n  max_series_per_host: 3\n").start()
    assert c.write("m,host=h a=1,b=2,c=3").status == 204
    r = c.write("m,host=h d=4\nm,host=other d=4\n")
    assert r.status == 400 and "max_series_per_host" in r.json()["error"]
    assert c.series(host="other")


def test_kill9_after_204_loses_nothing(collector):
    t0 = aligned(1, 300)
    acked = []
    for i in range(200):
        r = collector.write("dur,host=k v=%d %d" % (i, t0 + i), query="precision=s&interval=1")
        assert r.status == 204
        acked.append(i)
    collector.kill9()
    collector.start()
    s = find_series(collector, "k", "dur", "v")
    assert s["last"] == 199 and s["last_ts"] == t0 + 199
    q = collector.query(s["id"], t0 - 1, t0 + 199, step=1)
    pts = points_by_ts(q)
    for i in acked:
        assert pts.get(t0 + i) == pytest.approx(i), (i, q["points"][:5])


def test_sigterm_flushes_and_exits_cleanly(collector):
    t0 = aligned()
    assert collector.write("fl,host=f v=7 %d" % (t0 + 10), query="precision=s").status == 204
    assert collector.stop() == 0
    assert "stopped cleanly" in collector.read_log()
    journal = os.path.join(collector.data_dir, "journal")
    collector.start()
    s = find_series(collector, "f", "fl", "v")
    assert points_by_ts(collector.query(s["id"], t0, t0 + 20))[t0 + 10] == 7
    assert collector.metrics()["campusmon_samples_replayed_total"] == 0
    assert os.path.isdir(journal)


def test_sighup_reloads_limits(collector_factory):
    c = collector_factory(config="ingest:\n  max_lines: 5\n").start()
    assert c.write("m v=1\n" * 6).status == 413
    with open(os.path.join(c.tmp, "collector.yaml"), "w") as f:
        f.write("ingest:\n  max_lines: 50\n")
    c.config = None           # keep the file we just wrote on restart paths
    c.send_signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in c.read_log(), what="reload")
    assert c.write("m v=1\n" * 6).status == 204


def test_graph_png_and_svg(collector):
    t0 = aligned()
    collector.write("\n".join("gr,host=g v=%d %d" % (i, t0 + i * 10) for i in range(1, 30)),
                    query="precision=s")
    sid = find_series(collector, "g", "gr", "v")["id"]
    r = collector.get("/api/v1/graph?series=%d&from=-1h" % sid)
    assert r.status == 200 and r.headers["Content-Type"] == "image/png"
    assert r.body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", r.body[16:24])
    assert width > 400 and height > 100
    r = collector.get("/api/v1/graph?series=%d&from=-1h&format=svg" % sid)
    assert r.status == 200 and b"<svg" in r.body
    assert collector.get("/api/v1/graph?series=999999").status == 404
    assert collector.get("/api/v1/query?series=abc").status == 404
    assert collector.get("/api/v1/query?series=%d&from=later" % sid).status == 400


def test_metrics_exposition(collector):
    collector.write("m,host=x v=1")
    m = collector.metrics()
    for k in ("campusmon_samples_accepted_total", "campusmon_write_queue_depth",
              "campusmon_rrd_update_seconds_total", "campusmon_series"):
        assert k in m
    assert m["campusmon_samples_accepted_total"] >= 1


def test_runs_as_service_user_after_binding(collector):
    if os.geteuid() != 0:
        pytest.skip("privilege drop only applies when started as root")
    with open("/proc/%d/status" % collector.proc.pid) as f:
        uids = [l for l in f if l.startswith("Uid:")][0].split()[1:]
    import pwd
    assert set(uids) == {str(pwd.getpwnam("campusmon").pw_uid)}
    st = os.stat(os.path.join(collector.data_dir, "state.db"))
    assert st.st_mode & 0o007 == 0


def test_backup_while_running(collector):
    t0 = aligned()
    collector.write("bk,host=b v=5 %d" % (t0 + 10), query="precision=s")
    dest = os.path.join(collector.tmp, "backup")
    os.makedirs(dest)
    os.chmod(dest, 0o777)
    r = collector.post_json("/api/v1/backup", {"dir": dest})
    assert r.status == 200, r.body
    assert os.path.exists(os.path.join(dest, "state.db"))
    rrds = [f for _, _, fs in os.walk(os.path.join(dest, "rrd")) for f in fs]
    assert len(rrds) == 1
    assert collector.post_json("/api/v1/backup", {"dir": "relative"}).status == 400
    # the copy is a working data folder
    collector.stop()
    other = Collector(data_dir=dest).start()
    try:
        s = find_series(other, "b", "bk", "v")
        assert points_by_ts(other.query(s["id"], t0, t0 + 20))[t0 + 10] == 5
    finally:
        other.cleanup()


def test_config_check(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("http:\n  listen: 127.0.0.1:9999\nstorage:\n  retention: [raw:2d, 1h:5y]\n")
    r = subprocess.run([Collector.binary, "-t", "-c", str(good)], capture_output=True, text=True)
    assert r.returncode == 0 and "configuration OK" in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("http:\n  listen: nowhere\n  timeot: 5\ningest:\n  max_body: 1\n"
                   "storage:\n  retention: [forever]\n")
    r = subprocess.run([Collector.binary, "-t", "-c", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1
    for needle in ("http.listen", "http.timeot", "ingest.max_body", "storage.retention",
                   "4 errors"):
        assert needle in r.stderr, (needle, r.stderr)
    r = subprocess.run([Collector.binary, "--bogus"], capture_output=True, text=True)
    assert r.returncode == 2
    r = subprocess.run([Collector.binary, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--data-dir" in r.stdout


def test_config_with_communities_must_be_private(tmp_path):
    cfg = tmp_path / "collector.yaml"
    cfg.write_text("discovery:\n  communities: [s3cret-campus]\n")
    os.chmod(cfg, 0o644)
    r = subprocess.run([Collector.binary, "-t", "-c", str(cfg)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "discovery.communities" in r.stderr and "644" in r.stderr, r.stderr
    assert "s3cret-campus" not in r.stderr + r.stdout
    os.chmod(cfg, 0o640)
    r = subprocess.run([Collector.binary, "-t", "-c", str(cfg)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    os.chown(cfg, 65534, 65534)    # someone else could rewrite it
    r = subprocess.run([Collector.binary, "-t", "-c", str(cfg)], capture_output=True, text=True)
    assert r.returncode == 1 and "owned by uid 65534" in r.stderr, r.stderr


def test_plain_http_beyond_loopback_refused(tmp_path):
    d = tmp_path / "d"
    r = subprocess.run([Collector.binary, "--listen", "0.0.0.0:0", "--data-dir", str(d)],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode != 0 and "allow_plain_remote" in r.stderr


def test_unknown_route_and_method(collector):
    assert collector.get("/api/v1/nothing").status == 404
    assert http("DELETE", collector.url + "/api/v1/series", headers=collector.auth()).status == 405


def test_crash_during_recovery_loses_nothing(collector):
    """Replayed samples stay in the journal until they are in RRD files."""
    t0 = aligned()
    for i in range(1, 6):
        assert collector.write("rec,host=r v=%d %d" % (i, t0 + i * 10),
                               query="precision=s").status == 204
    collector.kill9()
    collector.start()      # replays, then dies again before any flush to RRD
    collector.kill9()
    collector.start()
    s = find_series(collector, "r", "rec", "v")
    pts = points_by_ts(collector.query(s["id"], t0, t0 + 50, step=10))
    assert [pts[t0 + i * 10] for i in range(1, 6)] == [1, 2, 3, 4, 5]
