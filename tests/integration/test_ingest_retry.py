"""A write refused with 503 (journal on a full disk) and retried later is stored.

The data folder lives on a small tmpfs of its own, filled up for real: the
journal's write() fails with ENOSPC, exactly as on a full disk.
"""
import errno
import os
import subprocess
import time
import uuid

import pytest

from conftest import make_tmpdir


@pytest.fixture
def small_fs():
    d = make_tmpdir("cm-smallfs-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m,mode=0755",
                    "cm-smallfs-" + uuid.uuid4().hex[:8], d], check=True)
    yield d
    subprocess.run(["umount", "-l", d], check=False)
    os.rmdir(d)


def fill(path):
    """Write a file until the filesystem is full; returns its path."""
    filler = os.path.join(path, "filler")
    with open(filler, "wb", buffering=0) as f:
        for chunk in (1 << 20, 4096, 512):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC
    return filler


def test_503_then_retry_is_stored_and_survives_restart(collector_factory, small_fs):
    # storage.min_free 0: this test is about the journal failing, not the reserve.
    c = collector_factory(data_dir=os.path.join(small_fs, "data"),
                          config="storage:\n  min_free: 0\n").start()
    now = int(time.time())
    t0 = now - now % 10 - 600
    assert c.write("warm,host=r v=1 %d" % t0, query="precision=s").status == 204
    # New series and a sample for a known one: the record needs fresh pages.
    body = "".join("retry,host=r,i=%d v=%d %d\n" % (i, i, t0 + 10) for i in range(300))
    body += "warm,host=r v=2 %d\n" % (t0 + 10)
    filler = fill(small_fs)
    r = c.write(body, query="precision=s")
    assert r.status == 503, r.body
    assert "journal" in r.json()["error"]
    # Nothing of the refused batch shows: no new series, no new last value.
    assert not c.series(host="r", measurement="retry")
    assert c.series(host="r", measurement="warm")[0]["last_ts"] == t0

    os.unlink(filler)
    r = c.write(body, query="precision=s")
    assert r.status == 204, r.body
    rows = c.series(host="r", measurement="retry")
    assert len(rows) == 300
    for s in rows[:20]:
        pts = dict(map(tuple, c.query(s["id"], t0, t0 + 20, step=10)["points"]))
        assert pts.get(t0 + 10) == float(s["tags"]["i"]), (s, pts)
    warm = c.series(host="r", measurement="warm")[0]
    assert warm["last"] == 2 and warm["last_ts"] == t0 + 10

    c.stop()
    c.start()
    rows = c.series(host="r", measurement="retry")
    assert len(rows) == 300
    s = rows[7]
    pts = dict(map(tuple, c.query(s["id"], t0, t0 + 20, step=10)["points"]))
    assert pts.get(t0 + 10) == float(s["tags"]["i"]), pts
