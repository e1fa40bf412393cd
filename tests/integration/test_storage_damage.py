"""Damaged storage files against the real collector: the journal and RRD files.

A flipped byte in a journal segment costs the one record it hits, not every
acknowledged record after it; a damaged RRD file is moved aside and made
anew, and the samples of its series keep being stored.
"""
import glob
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
