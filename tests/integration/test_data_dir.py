"""The data folder as the collector makes it (issue #10, item 18): parents it
creates let the service user through, a private parent is named at start,
and its files are nobody else's business."""
import os
import pwd
import shutil
import stat
import subprocess
import time

from conftest import Collector, TOKEN, make_tmpdir


def test_missing_parents_are_created_reachable(collector_factory):
    c = collector_factory()
    c.data_dir = os.path.join(c.tmp, "srv", "campusmon", "data")
    c.start()
    assert c.get("/api/v1/health").status == 200
    for d in (os.path.join(c.tmp, "srv"), os.path.join(c.tmp, "srv", "campusmon")):
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o755, d
    st = os.stat(c.data_dir)
    assert stat.S_IMODE(st.st_mode) == 0o750
    assert pwd.getpwuid(st.st_uid).pw_name == "campusmon"


def test_a_private_parent_is_named():
    assert os.geteuid() == 0, "this test starts the collector as root (privilege drop)"
    top = make_tmpdir("cm-private-data-")
    try:
        private = os.path.join(top, "home")
        os.mkdir(private, 0o700)
        data = os.path.join(private, "data")
        r = subprocess.run([Collector.binary, "--listen", "127.0.0.1:0", "--data-dir", data],
                           env=dict(os.environ, CAMPUSMON_BOOTSTRAP_TOKEN=TOKEN),
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0
        assert ("user campusmon cannot reach the data folder %s: %s is mode 0700, owned by "
                "root:root" % (data, private)) in r.stderr, r.stderr
        assert "unable to open database file" not in r.stderr
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_rrd_files_are_not_world_readable(collector):
    t0 = int(time.time()) // 10 * 10 - 300
    body = "".join("perm,host=h1 v=%d %d\n" % (i, t0 + 10 * i) for i in range(1, 4))
    assert collector.write(body, query="precision=s&interval=10").status == 204
    s = collector.series(host="h1")[0]
    collector.query(s["id"], t0, t0 + 40, step=10)     # the file is written by now
    files = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(collector.data_dir, "rrd"))
             for f in fs]
    assert files
    for f in files:
        assert stat.S_IMODE(os.stat(f).st_mode) & 0o007 == 0, (f, oct(os.stat(f).st_mode))


def test_files_from_before_are_no_longer_world_readable(collector_factory):
    c = collector_factory()
    os.makedirs(os.path.join(c.data_dir, "rrd", "01"))
    old = os.path.join(c.data_dir, "rrd", "01", "old.rrd")
    with open(old, "w") as f:
        f.write("made by an older collector")
    os.chmod(old, 0o644)
    c.start()
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o640
