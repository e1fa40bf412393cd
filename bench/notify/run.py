#!/usr/bin/python3
"""bench/notify/run.py — notification latency and the loop under load.

One collector (the built one), two webhook receivers on loopback (one fast,
one answering after SLOW_S seconds), and bench/ingest/load.py as the ingest
load. Phases:

  A  ingest alone: load.py's accepted samples/s (the baseline), run before
     and after B, as the machine's own pace drifts;
  B  the same ingest load while RATE test notifications a second go to the
     fast receiver: enqueue -> received latency (the payload's alert.started
     is the collector's clock at enqueue; the receiver's clock on the same
     machine at arrival) and the ingest rate against A;
  C  SLOW_N notifications in SLOW_WINDOW seconds to the slow receiver, while
     /api/v1/health is asked every 50 ms: its answer times show whether the
     loop is ever blocked, and every notification must arrive.

Run as root (the collector drops to its user) after building:
  /usr/bin/python3 bench/notify/run.py     (writes bench/notify/results.md)
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(REPO, "build"))
TOKEN = "bench-notify-token"
HOSTS = int(os.environ.get("HOSTS", "1000"))
ROUNDS = int(os.environ.get("ROUNDS", "150"))
RATE = float(os.environ.get("RATE", "20"))
SLOW_N = int(os.environ.get("SLOW_N", "1000"))
SLOW_WINDOW = float(os.environ.get("SLOW_WINDOW", "60"))
SLOW_S = float(os.environ.get("SLOW_S", "3"))


def receiver(delay):
    got = []

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            now = time.time()
            if delay:
                time.sleep(delay)
            got.append((now, json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    ThreadingHTTPServer.daemon_threads = True
    s = ThreadingHTTPServer(("127.0.0.1", 0), H)
    s.request_queue_size = 256
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s, got


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")


def post(url):
    req = urllib.request.Request(url, data=b"{}", method="POST", headers={
        "Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status


def load(url, t0, pid):
    cmd = [sys.executable, os.path.join(REPO, "bench", "ingest", "load.py"), "collector",
           url + "/api/v1/write?precision=s",
           TOKEN, "--hosts", str(HOSTS), "--rounds", str(ROUNDS), "--t0", str(t0),
           "--max-seconds", "60", "--pid", str(pid)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("load.py failed: " + r.stdout[-2000:] + r.stderr[-2000:])
    out = r.stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    tmp = tempfile.mkdtemp(prefix="cm-bench-notify-", dir="/var/tmp")
    os.chmod(tmp, 0o755)
    fast, fast_got = receiver(0)
    slow, slow_got = receiver(SLOW_S)
    conf = os.path.join(tmp, "collector.yaml")
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, ("notify:\n  max_concurrent: 64\n  channels:\n"
                  "    - {name: fast, type: webhook, url: 'http://127.0.0.1:%d/'}\n"
                  "    - {name: slow, type: webhook, url: 'http://127.0.0.1:%d/'}\n"
                  "alerts:\n  defaults: false\n" % (fast.server_port, slow.server_port)).encode())
    os.close(fd)
    log = open(os.path.join(tmp, "collector.log"), "w")
    env = dict(os.environ, CAMPUSMON_BOOTSTRAP_TOKEN=TOKEN)
    port = 18000 + os.getpid() % 1000
    proc = subprocess.Popen([os.path.join(BUILD, "collector", "campusmon-collector"), "-c", conf,
                             "--listen", "127.0.0.1:%d" % port, "--data-dir",
                             os.path.join(tmp, "data")], stdout=log, stderr=log, env=env)
    url = "http://127.0.0.1:%d" % port
    lines = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/v1/health", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        t0 = int(time.time()) - 6 * 3600
        a = load(url, t0, proc.pid)

        # B: the same load, later timestamps, with notifications at RATE/s
        stop = threading.Event()

        def notifier():
            while not stop.is_set():
                post(url + "/api/v1/channels/fast/test")
                time.sleep(1 / RATE)
        th = threading.Thread(target=notifier)
        th.start()
        b = load(url, t0 + 10 * (ROUNDS + 2), proc.pid)
        stop.set()
        th.join()
        a2 = load(url, t0 + 20 * (ROUNDS + 2), proc.pid)
        time.sleep(2)
        lat = [(t - p["alert"]["started"]) * 1000 for t, p in fast_got]

        # C: SLOW_N to a slow receiver within SLOW_WINDOW, health sampled meanwhile
        health, done = [], threading.Event()

        def prober():
            while not done.is_set():
                s = time.monotonic()
                urllib.request.urlopen(url + "/api/v1/health", timeout=10).read()
                health.append((time.monotonic() - s) * 1000)
                time.sleep(0.05)
        pr = threading.Thread(target=prober)
        pr.start()
        start = time.monotonic()
        for i in range(SLOW_N):
            post(url + "/api/v1/channels/slow/test")
            wait = start + (i + 1) * SLOW_WINDOW / SLOW_N - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        sent_s = time.monotonic() - start
        deadline = time.monotonic() + 120
        while len(slow_got) < SLOW_N and time.monotonic() < deadline:
            time.sleep(0.2)
        all_s = time.monotonic() - start
        done.set()
        pr.join()

        base = (a["accepted_per_s"] + a2["accepted_per_s"]) / 2
        drop = 100 * (1 - b["accepted_per_s"] / base)
        lines += [
            "# bench/notify — results",
            "",
            "Machine: %s, %d cores (shared with other work while it ran)." % (
                os.uname().machine, os.cpu_count()),
            "Ingest: bench/ingest/load.py, %d hosts x 10 fields, %d timed rounds, 4 connections." % (
                HOSTS, ROUNDS),
            "",
            "| phase | figure | value |",
            "| --- | --- | ---: |",
            "| A ingest alone (before B / after B) | accepted samples/s | {:,} / {:,} |".format(
                a["accepted_per_s"], a2["accepted_per_s"]),
            "| B ingest + %g notifications/s | accepted samples/s | {:,} |".format(
                b["accepted_per_s"]) % RATE,
            "| B | ingest rate change against the mean of A | %+.1f %% (target: no drop > 5 %%) |"
            % -drop,
            "| B | notifications received | %d |" % len(lat),
            "| B | enqueue -> received p50 | %.1f ms |" % pct(lat, 50),
            "| B | enqueue -> received p99 | %.1f ms (target <= 100 ms) |" % pct(lat, 99),
            "| B | enqueue -> received max | %.1f ms |" % max(lat),
            "| C %d to a receiver answering after %g s, over %g s | delivered | %d of %d in %.1f s |" % (
                SLOW_N, SLOW_S, SLOW_WINDOW, len(slow_got), SLOW_N, all_s),
            "| C | queued by the sender within | %.1f s |" % sent_s,
            "| C | /api/v1/health answer p50 / p99 / max (every 50 ms, %d asks) | %.1f / %.1f / %.1f ms |" % (
                len(health), pct(health, 50), pct(health, 99), max(health)),
            "",
            "Targets: p99 <= 100 ms: %s; ingest drop <= 5 %%: %s; slow receiver: %s." % (
                "met" if pct(lat, 99) <= 100 else "MISSED",
                "met" if drop <= 5 else "MISSED",
                "every notification delivered, the loop answering" if len(slow_got) == SLOW_N
                else "MISSED"),
        ]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        fast.shutdown()
        slow.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    text = "\n".join(lines) + "\n"
    print(text)
    if os.environ.get("RESULTS", "") != "-":
        with open(os.path.join(HERE, "results.md"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
