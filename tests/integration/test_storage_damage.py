"""Damaged storage files against the real collector: the journal and RRD files.

A flipped byte in a journal segment costs the one record it hits, not every
acknowledged record after it; a damaged RRD file is moved aside and made
anew, and the samples of its series keep being stored.
"""
import glob
import subprocess
import os
import time

from conftest import wait_for


def journal_segments(c):
    return sorted(glob.glob(os.path.join(c.data_dir, "journal", "*.wal")))


def test_journal_replay_resyncs_after_a_damaged_record(collector_factory):
    c = collector_factory(config="storage:\n  flush_delay: 1h\n").start()
    now = int(time.time())
    n = 40
    for i in range(n):         # one request, one journal record each
        body = "jr,host=j v=%d %d" % (i, now - 10 * (n - i))
        assert c.write(body, query="precision=s&interval=10").status == 204
    c.kill9()                  # nothing reached an RRD file (flush_delay 1h)
    segs = journal_segments(c)
    assert len(segs) == 1
    size = os.path.getsize(segs[0])
    with open(segs[0], "r+b") as f:     # a flipped byte at 10 % of the segment
        f.seek(size // 10)
        b = f.read(1)
        f.seek(size // 10)
        f.write(bytes([b[0] ^ 0x20]))
    c.start()
    log = c.read_log()
    assert "damaged bytes at offsets" in log, log
    assert "replay goes on with the next valid record" in log
    assert "never acknowledged" not in log
    replayed = c.metrics()["campusmon_samples_replayed_total"]
    assert replayed >= n - 1, (replayed, log)
    s = [x for x in c.series(host="j") if x["field"] == "v"][0]
    assert s["last"] == n - 1


def test_a_missing_journal_segment_is_reported(collector_factory):
    c = collector_factory(config="storage:\n  flush_delay: 1h\n").start()
    now = int(time.time())
    assert c.write("jm,host=m v=1 %d" % (now - 30), query="precision=s").status == 204
    c.kill9()
    c.start()                  # a second segment starts after the replayed one
    assert c.write("jm,host=m v=2 %d" % (now - 20), query="precision=s").status == 204
    c.kill9()
    segs = journal_segments(c)
    assert len(segs) == 2, segs
    c.start()                  # a third
    assert c.write("jm,host=m v=3 %d" % (now - 10), query="precision=s").status == 204
    c.kill9()
    segs = journal_segments(c)
    assert len(segs) == 3, segs
    os.unlink(segs[1])
    c.start()
    log = c.read_log()
    assert "journal segment before it is missing" in log, log
    assert os.path.basename(segs[2]) in log


# ---- damaged RRD files ------------------------------------------------------------------

def rrd_files(c):
    root = os.path.join(c.data_dir, "rrd")
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)


def lastupdate(path):
    """(time, value) of the file's last update; None while it is unreadable."""
    p = subprocess.run(["rrdtool", "lastupdate", path], capture_output=True, text=True)
    if p.returncode != 0:
        return None
    out = p.stdout.split()
    return int(out[-2].rstrip(":")), float(out[-1])


def write_and_flush(c, host, value, ts):
    assert c.write("dmg,host=%s v=%d %d" % (host, value, ts),
                   query="precision=s&interval=10").status == 204
    wait_for(lambda: c.metrics()["campusmon_write_queue_depth"] == 0, what="store took it")


def damage_and_recover(c, host, damage, restart):
    now = int(time.time()) - 100
    write_and_flush(c, host, 1, now)
    write_and_flush(c, host, 2, now + 10)
    if restart:
        assert c.stop() == 0       # a clean stop writes every waiting row
    else:
        wait_for(lambda: rrd_files(c) and lastupdate(rrd_files(c)[0]) == (now + 10, 2.0),
                 what="the rows on disk")
    files = rrd_files(c)
    assert len(files) == 1
    path = files[0]
    damage(path)
    if restart:
        c.start()
    for i in range(3):
        write_and_flush(c, host, 3 + i, now + 20 + 10 * i)
    wait_for(lambda: lastupdate(path) == (now + 40, 5.0), what="new rows in the new file")
    assert c.metrics()["campusmon_rrd_files_damaged_total"] == 1
    aside = glob.glob(path + ".damaged-*")
    assert len(aside) == 1, rrd_files(c)
    log = c.read_log()
    assert log.count("was damaged") == 1, log
    assert "kept as " + aside[0] in log
    return path, aside[0]


def truncate(path):
    size = os.path.getsize(path)
    os.truncate(path, size // 2)


def overwrite_header(path):
    with open(path, "r+b") as f:
        f.write(b"\xff" * 64)


def test_a_truncated_rrd_file_is_moved_aside_and_made_anew(collector_factory):
    c = collector_factory(config="storage:\n  flush_delay: 1s\n").start()
    path, aside = damage_and_recover(c, "dt", truncate, restart=True)
    assert os.path.getsize(aside) < os.path.getsize(path)     # the damaged bytes are kept
    c.stop()
    c.start()                                                   # no second warning
    assert "was damaged" not in c.read_log()


def test_an_overwritten_rrd_file_is_moved_aside_while_running(collector_factory):
    c = collector_factory(config="storage:\n  flush_delay: 1s\n").start()
    path, aside = damage_and_recover(c, "do", overwrite_header, restart=False)
    with open(aside, "rb") as f:
        assert f.read(64) == b"\xff" * 64
