"""Online backup (POST /api/v1/backup, campusmon backup) against the real collector.

A destination inside the data directory, by real path (symlinks too), is
refused with 400 and leaves every file as it was; a backup that fails or is
refused is audited with ok: false.
"""
import os
import shutil
import subprocess
import time

from conftest import BUILD, TOKEN, make_tmpdir
from test_cli import backup_parent

CLI = os.path.join(BUILD, "cli", "campusmon")


def rrd_sizes(data_dir):
    """{path: size} of every file under data_dir/rrd."""
    out = {}
    for root, dirs, files in os.walk(os.path.join(data_dir, "rrd")):
        for f in files:
            p = os.path.join(root, f)
            out[p] = os.path.getsize(p)
    return out


def with_rrd_files(c):
    now = int(time.time())
    body = "\n".join("cpu,host=bk%d usage=%d %d" % (h, v, now - 10 + v)
                     for h in range(3) for v in range(3))
    assert c.write(body, query="precision=s").status == 204
    parent = backup_parent()
    try:  # a good backup flushes every file to disk first
        r = c.post_json("/api/v1/backup", {"dir": os.path.join(parent, "ok")})
        assert r.status == 200, r.body
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    sizes = rrd_sizes(c.data_dir)
    assert len(sizes) >= 3 and all(sizes.values())
    return sizes


def backups_audited(c):
    r = c.get("/api/v1/audit?action=backup")
    assert r.status == 200, r.body
    return r.json()


def test_backup_into_data_dir_is_refused(collector):
    before = with_rrd_files(collector)
    link_parent = make_tmpdir("cm-backup-link-")
    try:
        os.symlink(collector.data_dir, os.path.join(link_parent, "data"))
        targets = [
            collector.data_dir,
            collector.data_dir + "/",
            os.path.join(collector.data_dir, "rrd"),
            os.path.join(collector.data_dir, "sub", "new"),
            os.path.join(collector.data_dir, "x", "..", "rrd"),
            os.path.join(link_parent, "data"),                 # a symlink to it
            os.path.join(link_parent, "data", "later", "deeper"),
            os.path.join(link_parent, "nope", "..", "data"),
        ]
        for t in targets:
            r = collector.post_json("/api/v1/backup", {"dir": t})
            assert r.status == 400, (t, r.status, r.body)
            err = r.json()["error"]
            assert "inside the data directory" in err, err
        assert rrd_sizes(collector.data_dir) == before
        assert not os.path.exists(os.path.join(collector.data_dir, "sub"))
        assert not os.path.exists(os.path.join(collector.data_dir, "rrd", "rrd"))
        entries = backups_audited(collector)
        refused = [e for e in entries if not e["ok"]]
        assert len(refused) == len(targets), entries
        assert all("inside the data directory" in (e["detail"] or "") for e in refused)
        assert [e for e in entries if e["ok"]], entries  # the good one
    finally:
        shutil.rmtree(link_parent, ignore_errors=True)


def test_cli_backup_into_data_dir_fails(collector, tmp_path):
    before = with_rrd_files(collector)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPUSMON_")}
    env.update(HOME=str(tmp_path), CAMPUSMON_URL=collector.url, CAMPUSMON_TOKEN=TOKEN)
    p = subprocess.run([CLI, "backup", collector.data_dir], env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0
    assert "inside the data directory" in p.stderr and "HTTP 400" in p.stderr, p.stderr
    assert rrd_sizes(collector.data_dir) == before


def test_failed_backup_is_audited_as_failed(collector):
    r = collector.post_json("/api/v1/backup", {"dir": "/proc/campusmon-no-such-dir"})
    assert r.status == 500
    r = collector.post_json("/api/v1/backup", {"dir": "relative/path"})
    assert r.status == 400
    entries = backups_audited(collector)
    assert len(entries) == 2 and not any(e["ok"] for e in entries), entries
    failed = [e for e in entries if e["target"] == "/proc/campusmon-no-such-dir"]
    assert failed and "cannot" in failed[0]["detail"], entries
