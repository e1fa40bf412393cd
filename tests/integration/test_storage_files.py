"""RRD files as the store lays them out: the fields of one measurement and tag
set share a file, a data source each, and keep doing so across new fields,
hostile field names and restarts."""
import os
import subprocess
import time

import pytest

from conftest import wait_for


def aligned(step=10, back=600):
    now = int(time.time())
    return now - now % step - back


def rrd_files(collector):
    root = os.path.join(collector.data_dir, "rrd")
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)


def data_sources(path):
    out = subprocess.run(["rrdtool", "info", path], capture_output=True, text=True,
                         check=True).stdout
    return sorted({line.split("[")[1].split("]")[0] for line in out.splitlines()
                   if line.startswith("ds[")})


def series_of(collector, host):
    return {s["field"]: s for s in collector.series(host=host)}


def values(collector, series, t0, n, step=10):
    q = collector.query(series["id"], t0, t0 + n * step, step=step)
    return {ts: v for ts, v in q["points"]}


def test_fields_of_a_measurement_share_one_file(collector):
    t0 = aligned()
    body = "".join("ifc,host=sw1,ifName=Gi0/%d in_bps=%d,out_bps=%d,oper=1 %d\n"
                   % (port, port * 100 + i, port * 1000 + i, t0 + i * 10)
                   for port in (1, 2) for i in range(1, 4))
    assert collector.write(body, query="precision=s&interval=10").status == 204
    rows = collector.series(host="sw1")
    assert len(rows) == 6
    for s in rows:
        port = int(s["tags"]["ifName"][-1])
        want = {"in_bps": port * 100, "out_bps": port * 1000, "oper": 0}[s["field"]]
        got = values(collector, s, t0, 3)
        for i in range(1, 4):
            expect = 1 if s["field"] == "oper" else want + i
            assert got[t0 + i * 10] == pytest.approx(expect), (s, got)
    files = rrd_files(collector)
    assert len(files) == 2                  # one per interface, not one per series
    for f in files:
        assert data_sources(f) == ["in_bps", "oper", "out_bps"]


def test_a_field_added_later_joins_the_file(collector_factory):
    c = collector_factory(config="storage:\n  flush_delay: 1s\n").start()
    t0 = aligned()
    first = "".join("cpu,host=late user=%d,system=%d %d\n" % (i, 2 * i, t0 + i * 10)
                    for i in range(1, 4))
    assert c.write(first, query="precision=s&interval=10").status == 204
    s = series_of(c, "late")
    assert values(c, s["user"], t0, 3)[t0 + 30] == 3     # the file exists now
    second = "".join("cpu,host=late user=%d,system=%d,steal=%d %d\n"
                     % (i, 2 * i, 3 * i, t0 + i * 10) for i in range(4, 7))
    assert c.write(second, query="precision=s&interval=10").status == 204
    s = series_of(c, "late")
    assert values(c, s["steal"], t0, 6)[t0 + 60] == 18
    files = rrd_files(c)
    assert len(files) == 1
    assert data_sources(files[0]) == ["steal", "system", "user"]
    # After a restart every series knows its last value from the shared file.
    assert c.stop() == 0
    c.start()
    s = series_of(c, "late")
    assert (s["user"]["last"], s["system"]["last"], s["steal"]["last"]) == (6, 12, 18)
    assert s["steal"]["last_ts"] == t0 + 60
    third = "cpu,host=late user=7,system=14,steal=21,guest=1 %d\n" % (t0 + 70)
    assert c.write(third, query="precision=s&interval=10").status == 204
    s = series_of(c, "late")
    assert values(c, s["guest"], t0 + 60, 1)[t0 + 70] == 1
    assert values(c, s["user"], t0, 7)[t0 + 70] == 7
    assert data_sources(rrd_files(c)[0]) == ["guest", "steal", "system", "user"]


def test_hostile_field_names_get_safe_data_sources(collector):
    t0 = aligned()
    fields = ["../../etc", "a\\ b", "x" * 40, "\u6e29\u5ea6", "ds1", "ok_name"]
    body = "".join("odd,host=odd %s %d\n" % (",".join("%s=%d" % (f, k + i)
                                                    for k, f in enumerate(fields)), t0 + i * 10)
                   for i in range(1, 3))
    assert collector.write(body, query="precision=s").status == 204
    s = series_of(collector, "odd")
    assert len(s) == len(fields)
    for k, f in enumerate(fields):
        name = f.replace("\\", "")
        assert values(collector, s[name], t0, 2)[t0 + 20] == k + 2, name
    files = rrd_files(collector)
    assert len(files) == 1
    ds = data_sources(files[0])
    assert "ok_name" in ds and "ds1" in ds and len(ds) == len(fields)
    assert all(len(n) <= 19 and n.replace("_", "").isalnum() and n.isascii() for n in ds)


def test_a_new_file_waiting_for_its_second_row_survives_kill9(collector_factory):
    """A one-row file is not made at the first flush; the journal keeps its row."""
    c = collector_factory(config="storage:\n  flush_delay: 1s\n").start()
    now = int(time.time())
    assert c.write("young,host=y v=5,w=6 %d" % now, query="precision=s&interval=60").status == 204
    wait_for(lambda: c.metrics()["campusmon_write_queue_depth"] == 0, what="store took it")
    time.sleep(2.5)                         # two flushes went by
    assert rrd_files(c) == []
    # A query answers from the waiting row and does not make the file early.
    w = series_of(c, "y")["w"]
    assert c.query(w["id"], now - 60, now + 60)["points"] == [[now, 6]]
    assert rrd_files(c) == []
    c.kill9()
    c.start()
    s = series_of(c, "y")
    assert (s["v"]["last"], s["w"]["last"]) == (5, 6)      # replayed from the journal
    assert c.stop() == 0                    # a clean stop writes every waiting row
    files = rrd_files(c)
    assert len(files) == 1
    last = subprocess.run(["rrdtool", "lastupdate", files[0]], capture_output=True,
                          text=True, check=True).stdout.split()
    assert last[:2] == ["v", "w"] and last[-2:] == ["5", "6"], last


def test_a_data_folder_from_schema_3_keeps_its_files(collector_factory):
    """Before schema 4 each series had a file named by its id, data source "value"."""
    c = collector_factory().start()
    t0 = aligned()
    body = "".join("old,host=o,n=%d value=%d %d\n" % (n, 10 * n + i, t0 + i * 10)
                   for n in (1, 2) for i in range(1, 3))
    assert c.write(body, query="precision=s").status == 204
    assert c.stop() == 0
    # Turn the state database back into schema 3: these files are then as
    # an older collector left them (one series each, named by its id).
    db = os.path.join(c.data_dir, "state.db")
    subprocess.run(["sqlite3", db, "ALTER TABLE series DROP COLUMN file; "
                    "ALTER TABLE series DROP COLUMN ds; DROP TABLE rrd_groups; "
                    "PRAGMA user_version = 3;"], check=True)
    c.start()
    assert "migrated to schema version 4" in c.read_log()
    s = {r["tags"]["n"]: r for r in c.series(host="o")}
    assert (s["1"]["last"], s["2"]["last"]) == (12, 22)
    # Old files take new values; a new field of the same measurement gets a new file.
    body = "".join("old,host=o,n=1 value=%d,extra=%d %d\n" % (i, i, t0 + i * 10)
                   for i in range(3, 5))
    assert c.write(body, query="precision=s").status == 204
    s = {(r["tags"]["n"], r["field"]): r for r in c.series(host="o")}
    assert values(c, s[("1", "value")], t0, 4)[t0 + 40] == 4
    assert values(c, s[("1", "extra")], t0, 4)[t0 + 40] == 4
    assert values(c, s[("2", "value")], t0, 4)[t0 + 20] == 22
    assert len(rrd_files(c)) == 3
