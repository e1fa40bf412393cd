"""Online backup (POST /api/v1/backup, campusmon backup) against the real collector.

A destination inside the data directory, by real path (symlinks too), is
refused with 400 and leaves every file as it was; a backup that fails or is
refused is audited with ok: false. A backup taken while syslog lines flow in
holds the events, the outbox and notify.key too, and restores (docs/api.md).
"""
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time

from conftest import BUILD, TOKEN, free_port, free_udp_port, http, make_tmpdir, wait_for
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


# ---- a complete backup, restored ------------------------------------------------------------

def start_with_events(factory, hook_url, data_dir=None):
    """A collector listening for syslog, with a webhook channel and a public URL."""
    from test_events import config
    tp, sp = free_udp_port(), free_port()
    extra = ("events:\n  rate_limit: 0\nhttp:\n  public_url: http://mon.example/\n"
             "notify:\n  channels:\n    - {name: hook, type: webhook, url: \"%s\"}\n" % hook_url)
    old = os.umask(0o077)       # the configuration holds secrets
    try:
        c = factory(config=config(tp, sp, extra), data_dir=data_dir).start()
    finally:
        os.umask(old)
    c.syslog_port = sp
    return c


def copy_rows(path, sql):
    """Rows of a database in a backup, read without writing next to it."""
    con = sqlite3.connect("file:%s?immutable=1" % path, uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_backup_while_ingesting_restores_events_outbox_and_key(collector_factory):
    """Events, the outbox (a dead letter) and notify.key are in the backup
    with the state database; the events copy is one consistent snapshot
    taken while syslog lines kept coming, and a fresh collector on a data
    folder restored from it finds them all."""
    from test_collector import aligned, find_series, points_by_ts
    from test_events import events, logger, wait_event
    from test_notify import Receiver, channels, send_test
    hook = Receiver()
    hook.plan["/hook"] = [404]            # a dead letter at once
    parent = backup_parent()
    stop = threading.Event()
    try:
        c = start_with_events(collector_factory, hook.url + "/hook")
        r = c.post_json("/api/v1/devices", {"address": "192.0.2.77", "name": "bk-core-sw",
                                            "monitored": False})
        assert r.status in (200, 201), r.body
        t0 = aligned()
        assert c.write("bkcpu,host=bk-core-sw usage=5 %d\nbkcpu,host=bk-core-sw usage=7 %d"
                       % (t0 + 10, t0 + 20), query="precision=s").status == 204
        logger(c, "--tcp", "-t", "bkprog", "before the backup tamarind")
        wait_event(c, "tamarind", q="tamarind")
        send_test(c, "hook")
        wait_for(lambda: channels(c)["hook"]["dead_letters"], what="the dead letter")
        link = json.loads(hook.at("/hook")[0][3])["ack_url"]
        ack_path = link[len("http://mon.example"):]
        assert http("GET", c.url + ack_path).status == 200

        def flow():  # lines keep coming over one connection, in order
            s = socket.create_connection(("127.0.0.1", c.syslog_port))
            n = 0
            while not stop.is_set():
                s.sendall(b"".join(b"<13>flow line %07d\n" % (n + i) for i in range(20)))
                n += 20
                time.sleep(0.005)
            s.close()
        t = threading.Thread(target=flow, daemon=True)
        t.start()
        wait_for(lambda: events(c, q="flow", limit=5), what="lines flowing")
        dest = os.path.join(parent, "full")
        r = c.post_json("/api/v1/backup", {"dir": dest})
        assert r.status == 200, r.body
        assert r.json() == {"dir": dest}
        assert os.path.isfile(os.path.join(dest, "events.db")), os.listdir(dest)
        copied = [m for (m,) in copy_rows(os.path.join(dest, "events.db"),
                                          "SELECT message FROM events WHERE message LIKE "
                                          "'flow line %' ORDER BY id")]
        wait_for(lambda: len(events(c, q="flow", limit=10000)) > len(copied),
                 what="lines stored after the backup")
        stop.set()
        t.join(10)

        # private, complete, each database whole
        assert os.stat(dest).st_mode & 0o777 == 0o700
        for root, _, files in os.walk(dest):
            for f in files:
                assert os.stat(os.path.join(root, f)).st_mode & 0o777 == 0o600, f
        names = set(os.listdir(dest))
        assert {"state.db", "rrd", "events.db", "outbox.db", "notify.key"} <= names, names
        assert not [n for n in names if n.endswith(("-wal", "-shm", ".tmp"))], names
        for db in ("state.db", "events.db", "outbox.db"):
            assert copy_rows(os.path.join(dest, db), "PRAGMA integrity_check") == [("ok",)]
        with open(os.path.join(dest, "notify.key"), "rb") as a, \
                open(os.path.join(c.data_dir, "notify.key"), "rb") as b:
            assert a.read() == b.read()
        entries = [e for e in backups_audited(c) if e["target"] == dest]
        assert len(entries) == 1 and entries[0]["ok"], entries

        # a snapshot: the lines stored up to one moment, none missing in between
        t_stop = time.time()
        rc = c.stop()
        assert rc == 0, "stop: %s after %.1fs\n%s" % (rc, time.time() - t_stop,
                                                       c.read_log()[-3000:])
        stored = [m for (m,) in copy_rows(os.path.join(c.data_dir, "events.db"),
                                          "SELECT message FROM events WHERE message LIKE "
                                          "'flow line %' ORDER BY id")]
        assert copied and copied == stored[:len(copied)] and len(stored) > len(copied)

        # restore: copy the backup into an empty data folder, start there
        data = os.path.join(make_tmpdir("cm-restored-"), "data")
        subprocess.run(["cp", "-a", dest + "/.", data], check=True)
        hook.plan["/hook"] = [200]
        d = start_with_events(collector_factory, hook.url + "/hook", data_dir=data)
        assert [e["program"] for e in events(d, q="tamarind")] == ["bkprog"]
        assert len(events(d, q="flow", limit=10000)) == len(copied)
        devs = d.get("/api/v1/devices").json()
        assert [x["name"] for x in devs] == ["bk-core-sw"], devs
        s = find_series(d, "bk-core-sw", "bkcpu", "usage")
        assert points_by_ts(d.query(s["id"], t0, t0 + 30))[t0 + 10] == 5
        dead = channels(d)["hook"]["dead_letters"]
        assert len(dead) == 1 and dead[0]["event"] == "test", dead
        # links sent before the backup still verify: the same key
        assert http("GET", d.url + ack_path).status == 200
    finally:
        stop.set()
        hook.close()
        shutil.rmtree(parent, ignore_errors=True)
