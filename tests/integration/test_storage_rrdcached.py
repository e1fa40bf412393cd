"""The collector writing through a real rrdcached, and the write queue's 503."""
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import make_tmpdir, wait_for


@pytest.fixture
def rrdcached():
    d = make_tmpdir("cm-rrdcached-")
    sock = os.path.join(d, "rrdcached.sock")
    journal = os.path.join(d, "journal")
    os.makedirs(journal)
    proc = subprocess.Popen(["rrdcached", "-g", "-m", "0666", "-l", "unix:" + sock,
                             "-j", journal, "-F", "-w", "3600", "-z", "1",
                             "-p", os.path.join(d, "pid")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: os.path.exists(sock), what="rrdcached socket")
    yield proc, sock
    if proc.poll() is None:
        proc.send_signal(signal.SIGCONT)
        proc.terminate()
        proc.wait(10)
    shutil.rmtree(d, ignore_errors=True)


def aligned(step=10, back=600):
    now = int(time.time())
    return now - now % step - back


def test_round_trip_through_rrdcached(collector_factory, rrdcached):
    _, sock = rrdcached
    c = collector_factory(config="storage:\n  rrdcached: unix:%s\n  flush_delay: 1s\n" % sock)
    c.start()
    assert "through rrdcached" in c.read_log()
    t0 = aligned()
    body = "\n".join("rc,host=r v=%d %d" % (i, t0 + i * 10) for i in range(1, 11))
    assert c.write(body, query="precision=s").status == 204
    sid = c.series(host="r")[0]["id"]
    q = c.query(sid, t0, t0 + 100, step=10)
    pts = {ts: v for ts, v in q["points"]}
    for i in range(1, 11):
        assert pts[t0 + i * 10] == pytest.approx(i)


def test_fields_share_a_file_and_one_added_later_gets_its_own(collector_factory, rrdcached):
    """rrdcached cannot add a data source to a file it holds: a new field gets a file."""
    _, sock = rrdcached
    c = collector_factory(config="storage:\n  rrdcached: unix:%s\n  flush_delay: 1s\n" % sock)
    c.start()
    t0 = aligned()
    body = "".join("mem,host=m used=%d,free=%d %d\n" % (i, 100 - i, t0 + i * 10)
                   for i in range(1, 4))
    assert c.write(body, query="precision=s").status == 204
    ids = {s["field"]: s["id"] for s in c.series(host="m")}
    pts = {ts: v for ts, v in c.query(ids["free"], t0, t0 + 30, step=10)["points"]}
    assert pts[t0 + 30] == 97
    body = "".join("mem,host=m used=%d,free=%d,cached=%d %d\n" % (i, 100 - i, 7 * i, t0 + i * 10)
                   for i in range(4, 7))
    assert c.write(body, query="precision=s").status == 204
    ids = {s["field"]: s["id"] for s in c.series(host="m")}
    for field, want in (("used", 6), ("free", 94), ("cached", 42)):
        pts = {ts: v for ts, v in c.query(ids[field], t0, t0 + 60, step=10)["points"]}
        assert pts[t0 + 60] == pytest.approx(want), (field, pts)
    files = [f for d, _, fs in os.walk(os.path.join(c.data_dir, "rrd")) for f in fs]
    assert len(files) == 2
    assert "cannot" not in c.read_log()


def test_full_queue_answers_503_with_retry_after(collector_factory, rrdcached):
    proc, sock = rrdcached
    c = collector_factory(config="storage:\n  rrdcached: unix:%s\n  queue_max: 1000\n" % sock)
    c.start()
    proc.send_signal(signal.SIGSTOP)       # the disk side stalls
    try:
        t0 = aligned()
        statuses = []
        for b in range(6):
            body = "\n".join("q,host=q%d,i=%d v=1 %d" % (b, i, t0) for i in range(600))
            r = c.write(body, query="precision=s")
            statuses.append(r.status)
            if r.status == 503:
                assert int(r.headers["Retry-After"]) > 0
                assert "queue" in r.json()["error"]
                break
        assert 503 in statuses, statuses
        assert c.metrics()["campusmon_write_requests_busy_total"] >= 1
    finally:
        proc.send_signal(signal.SIGCONT)
    # once the disk side is back the queue drains and writes succeed again
    wait_for(lambda: c.write("q,host=after v=1").status == 204, timeout=30, interval=0.5,
             what="queue to drain")
