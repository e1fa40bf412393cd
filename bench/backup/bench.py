#!/usr/bin/python3
"""bench/backup: an online backup of a large events.db while syslog lines keep
coming, against two peers on the very same file in the same run: cp (a raw,
inconsistent copy: the disk's pace) and the sqlite3 shell, whose .backup
lets go of its snapshot between 100-page steps, and VACUUM INTO (one read
transaction, rows rewritten).

What it reports: seconds to back up (POST /api/v1/backup, the whole backup),
lines the collector stored per second during the backup against before it,
the slowest /api/v1/health answer during the backup against before it, and
the events WAL's size just after.

Run as root: bench/backup/run.sh. Knobs: SIZE_MB (filler put in events.db,
1024), RATE (lines per second sent, 5000), PEER_TIMEOUT (seconds a peer may
take, 60)."""
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD", os.path.join(REPO, "build"))
SIZE_MB = int(os.environ.get("SIZE_MB", "1024"))
RATE = int(os.environ.get("RATE", "5000"))
PEER_TIMEOUT = int(os.environ.get("PEER_TIMEOUT", "60"))
TOKEN = "bench-backup"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method="GET", body=None, timeout=600):
    req = urllib.request.Request(url, method=method, data=body, headers={
        "Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def stored(url):
    _, body = call(url + "/metrics")
    for l in body.decode().splitlines():
        if l.startswith('campusmon_events_stored_total{kind="syslog"}'):
            return float(l.split()[-1])
    return 0.0


class Collector:
    def __init__(self, top):
        self.top = top
        self.data = os.path.join(top, "data")
        self.port, self.syslog = free_port(), free_port()
        self.conf = os.path.join(top, "collector.yaml")
        with open(os.open(self.conf, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("syslog:\n  listen: [\"tcp:127.0.0.1:%d\"]\nevents:\n  rate_limit: 0\n"
                    % self.syslog)
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = None

    def start(self):
        log = open(os.path.join(self.top, "collector.log"), "ab")
        self.proc = subprocess.Popen(
            [os.path.join(BUILD, "collector", "campusmon-collector"), "-c", self.conf,
             "--listen", "127.0.0.1:%d" % self.port, "--data-dir", self.data],
            stdout=log, stderr=log, env=dict(os.environ, CAMPUSMON_BOOTSTRAP_TOKEN=TOKEN))
        for _ in range(600):
            try:
                if call(self.url + "/api/v1/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        sys.exit("the collector did not start; see " + self.top)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(120)


def sender(port, stop):
    """RATE lines a second over one TCP connection, in 10 ms slices."""
    s = socket.create_connection(("127.0.0.1", port))
    n, t0 = 0, time.time()
    while not stop.is_set():
        due = int((time.time() - t0) * RATE)
        if due > n:
            s.sendall(b"".join(b"<14>Dec  7 10:00:00 sw app: backup bench line %09d\n" % i
                               for i in range(n, due)))
            n = due
        time.sleep(0.01)
    s.close()


def prober(url, stop, out):
    while not stop.is_set():
        t = time.time()
        call(url + "/api/v1/health", timeout=60)
        out.append((t, time.time() - t))
        time.sleep(0.02)


def timed(argv):
    t = time.time()
    try:
        p = subprocess.run(argv, capture_output=True, timeout=PEER_TIMEOUT)
        return time.time() - t, p.returncode == 0
    except subprocess.TimeoutExpired:
        return None, False


def main():
    top = tempfile.mkdtemp(prefix="cm-bench-backup-")
    os.chmod(top, 0o755)
    c = Collector(top)
    c.start()
    c.stop()                   # events.db made with its tables
    db = os.path.join(c.data, "events.db")
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE bench_filler (b BLOB)")
    con.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                "INSERT INTO bench_filler SELECT randomblob(262144) FROM n", (SIZE_MB * 4,))
    con.commit()
    con.close()
    subprocess.run(["chown", "-R", "campusmon:", c.data], check=True)
    size = os.path.getsize(db)
    c.start()
    stop, done = threading.Event(), threading.Event()
    health = []
    threads = [threading.Thread(target=sender, args=(c.syslog, stop)),
               threading.Thread(target=prober, args=(c.url, done, health))]
    for t in threads:
        t.start()
    time.sleep(5)
    s0, t0 = stored(c.url), time.time()
    time.sleep(5)
    s1, t1 = stored(c.url), time.time()
    os.mkdir(os.path.join(top, "bk"))
    shutil.chown(os.path.join(top, "bk"), "campusmon")   # the collector's user writes it
    dest = os.path.join(top, "bk", "backup")
    code, body = call(c.url + "/api/v1/backup", "POST", json.dumps({"dir": dest}).encode())
    s2, t2 = stored(c.url), time.time()
    wal = os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0
    before = [d for t, d in health if t0 <= t < t1]
    during = [d for t, d in health if t1 <= t < t2]
    # peers, on the same file, lines still coming
    cp_s, _ = timed(["cp", db, os.path.join(top, "cp.db")])
    sh_s, sh_ok = timed(["sqlite3", "-readonly", db, ".backup '%s'" % os.path.join(top, "sh.db")])
    vi_s, vi_ok = timed(["sqlite3", "-readonly", db,
                         "VACUUM INTO '%s'" % os.path.join(top, "vi.db")])
    stop.set()
    done.set()
    for t in threads:
        t.join()
    c.stop()
    if code != 200:
        sys.exit("backup failed: %d %s (files in %s)" % (code, body, top))
    fmt = lambda v: "did not finish in %d s" % PEER_TIMEOUT if v is None else "%.1f s" % v
    print("events.db: %.0f MB; lines sent: %d/s" % (size / 1e6, RATE))
    print("campusmon backup (state, RRD, events, outbox, key): %.1f s (%.0f MB/s)"
          % (t2 - t1, size / 1e6 / (t2 - t1)))
    print("lines stored per second: %.0f before, %.0f during the backup"
          % ((s1 - s0) / (t1 - t0), (s2 - s1) / (t2 - t1)))
    print("slowest /api/v1/health: %.0f ms before, %.0f ms during (%d and %d answers)"
          % (1000 * max(before), 1000 * max(during), len(before), len(during)))
    print("events WAL just after the backup: %.1f MB" % (wal / 1e6))
    print("peer cp (not consistent): %s" % fmt(cp_s))
    print("peer sqlite3 .backup (100-page steps, snapshot let go): %s%s"
          % (fmt(sh_s), "" if sh_ok or sh_s is None else " (failed)"))
    print("peer sqlite3 VACUUM INTO: %s%s" % (fmt(vi_s), "" if vi_ok or vi_s is None else
                                               " (failed)"))
    shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
