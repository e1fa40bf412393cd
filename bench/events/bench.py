#!/usr/bin/python3
"""bench/events: syslog lines per second received, parsed and indexed durably
by campusmon-collector on one core, against Debian's rsyslog writing the same
TCP stream to a file on the same core in the same run; FTS query latency over
GEN_LINES lines that a second collector received and stored itself (from 204
source addresses, one per device, so device filters resolve); bytes on disk
per stored line.

Run as root: bench/events/run.sh (installs rsyslog). Knobs: LINES (stream,
default 1,000,000), GEN_LINES (default 10,000,000), QUERIES (per kind, 200),
CORE (the core both peers are pinned to, 0)."""
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD", os.path.join(REPO, "build"))
LINES = int(os.environ.get("LINES", "1000000"))
GEN = int(os.environ.get("GEN_LINES", "10000000"))
QUERIES = int(os.environ.get("QUERIES", "200"))
CORE = os.environ.get("CORE", "0")
TOKEN = "bench-events"

HOSTS = ["core-%d" % i for i in range(4)] + ["acc-%03d" % i for i in range(200)]
MSGS = [
    "%%LINK-3-UPDOWN: Interface GigabitEthernet1/0/%d, changed state to down",
    "%%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet1/0/%d, changed state to up",
    "%%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: admin] [Source: 10.3.%d.7] [localport: 22]",
    "%%SYS-5-CONFIG_I: Configured from console by netops on vty%d (10.0.0.5)",
    "%%DOT1X-5-FAIL: Authentication failed for client (a0b1.c2d3.%04d) on Interface Gi1/0/7",
    "%%%%01IFNET/4/LINK_STATE(l)[%d]:The line protocol IP on the interface Vlanif10 has entered the DOWN state.",
    "%%DHCP_SNOOPING-5-DHCP_SNOOPING_MATCH_MAC_FAIL: %d packets dropped on Gi1/0/12",
]


def line(i, rnd):
    host = HOSTS[i % len(HOSTS)]
    msg = MSGS[i % len(MSGS)] % (rnd.randrange(1, 48))
    pri = 23 * 8 + rnd.choice((3, 4, 5, 6))   # local7, err to info
    return "<%d>%d: Dec  7 10:%02d:%02d %s %s seq=%d" % (pri, i, (i // 60) % 60, i % 60, host, msg, i)


def stream(n):
    rnd = random.Random(7)
    return ("\n".join(line(i, rnd) for i in range(n)) + "\n").encode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send(port, data):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(data)
    s.close()


def wait(pred, timeout, every=0.05):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(every)
    return None


def http_get(base, path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


def metric(base, name):
    for ln in http_get(base, "/metrics").decode().splitlines():
        if ln.startswith(name + " "):
            return float(ln.split()[1])
    return 0.0


def start_collector(tmp, data, syslog_port):
    cfg = os.path.join(tmp, "collector.yaml")
    with open(cfg, "w") as f:
        f.write("traps:\n  listen: []\nsyslog:\n  listen: [\"tcp:127.0.0.1:%d\"]\n"
                "events:\n  rate_limit: 0\n  queue_max: 2000000\n  default_rules: no\n"
                "  max_size: 1000GiB\n" % syslog_port)
    os.chmod(cfg, 0o600)
    log = open(os.path.join(tmp, "collector.log"), "ab")
    http_port = free_port()
    p = subprocess.Popen(["taskset", "-c", CORE, os.path.join(BUILD, "collector", "campusmon-collector"),
                          "-c", cfg, "--listen", "127.0.0.1:%d" % http_port, "--data-dir", data],
                         stdout=log, stderr=log, env=dict(os.environ, CAMPUSMON_BOOTSTRAP_TOKEN=TOKEN))
    base = "http://127.0.0.1:%d" % http_port

    def ready():
        try:
            return json.loads(http_get(base, "/api/v1/health"))["status"] == "ok"
        except Exception:
            return False
    if not wait(ready, 30):
        p.kill()
        with open(log.name) as f:
            sys.exit("the collector did not start:\n" + f.read()[-2000:])
    return p, base


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def bench_collector(tmp, data):
    port = free_port()
    p, base = start_collector(tmp, data, port)
    try:
        cpu0 = cpu_seconds(p.pid)
        t0 = time.time()
        send(port, data_stream)
        ok = wait(lambda: metric(base, 'campusmon_events_stored_total{kind="syslog"}') >= LINES,
                  600, 0.02)
        t1 = time.time()
        cpu = cpu_seconds(p.pid) - cpu0
        stored = metric(base, 'campusmon_events_stored_total{kind="syslog"}')
        dropped = sum(metric(base, 'campusmon_events_dropped_total{kind="syslog",reason="%s"}' % r)
                      for r in ("kernel", "rate", "queue", "parse"))
        # searchable: the last line is found by its sequence number
        found = json.loads(http_get(base, "/api/v1/events?q=%%22seq%%3D%d%%22&limit=1" % (LINES - 1)))
    finally:
        p.terminate()
        p.wait(60)
    db = os.path.join(data, "events.db")
    size = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))
    return dict(ok=bool(ok), seconds=t1 - t0, stored=stored, dropped=dropped, cpu=cpu,
                found=len(found) == 1, bytes=size)


def bench_rsyslog(tmp):
    port = free_port()
    out = os.path.join(tmp, "rsyslog.out")
    work = os.path.join(tmp, "rsyslog-work")
    os.makedirs(work)
    conf = os.path.join(tmp, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write('global(workDirectory="%s")\nmodule(load="imtcp")\n'
                'input(type="imtcp" port="%d" address="127.0.0.1")\n'
                '*.* action(type="omfile" file="%s")\n' % (work, port, out))
    p = subprocess.Popen(["taskset", "-c", CORE, "rsyslogd", "-n", "-f", conf, "-i",
                          os.path.join(tmp, "rsyslog.pid")],
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "rsyslog.log"), "wb"))
    try:
        if not wait(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 20):
            sys.exit("rsyslogd did not listen")
        cpu0 = cpu_seconds(p.pid)
        t0 = time.time()
        send(port, data_stream)
        target = len(data_stream) * 0.98

        def lines_in():
            try:
                if os.path.getsize(out) < target:
                    return False
                with open(out, "rb") as f:
                    return sum(1 for _ in f) >= LINES
            except OSError:
                return False
        ok = wait(lines_in, 600, 0.02)
        t1 = time.time()
        cpu = cpu_seconds(p.pid) - cpu0
    finally:
        p.terminate()
        p.wait(60)
    return dict(ok=bool(ok), seconds=t1 - t0, cpu=cpu, bytes=os.path.getsize(out))


def source(i):
    return "127.0.%d.%d" % (1 + i // 250, 1 + i % 250)


def post_device(base, i, name):
    body = json.dumps({"name": name, "address": source(i), "monitored": False}).encode()
    req = urllib.request.Request(base + "/api/v1/devices", data=body, method="POST",
                                 headers={"Authorization": "Bearer " + TOKEN,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())["id"]


def fill(base, port, n):
    """Send n lines through the receiver, line i from HOSTS[i % 204]'s own
    source address (so each is tied to its device), paced so the queue
    never overflows: the collector stores all of them itself."""
    rnd = random.Random(7)
    socks = []
    for i in range(len(HOSTS)):
        s = socket.socket()
        s.bind((source(i), 0))
        s.connect(("127.0.0.1", port))
        socks.append(s)
    key = 'campusmon_events_stored_total{kind="syslog"}'
    chunk = 200000
    for start in range(0, n, chunk):
        bufs = [[] for _ in socks]
        for i in range(start, min(n, start + chunk)):
            bufs[i % len(socks)].append(line(i, rnd))
        for s, b in zip(socks, bufs):
            s.sendall(("\n".join(b) + "\n").encode())
        wait(lambda: metric(base, key) >= start - 4 * chunk, 600, 0.2)
    for s in socks:
        s.close()
    return wait(lambda: metric(base, key) >= n, 1200, 0.5)


def bench_queries(tmp, data):
    port = free_port()
    p, base = start_collector(tmp, data, port)
    kinds = {
        "rare word (one seq)": lambda r: "q=%%22seq%%3D%d%%22" % r.randrange(GEN),
        "common phrase, newest 100": lambda r: "q=%22changed%20state%20to%20down%22",
        "two words AND": lambda r: "q=LOGIN_FAILED%20admin",
        "word + device filter": lambda r: "q=Vlanif10&device=" + HOSTS[r.randrange(len(HOSTS))],
        "prefix + severity": lambda r: "q=GigabitEthernet1*&severity=err",
        "no q, device filter": lambda r: "device=" + HOSTS[r.randrange(len(HOSTS))],
        "no q, severity err": lambda r: "severity=err",
        "rare word + device": lambda r: "q=%%22seq%%3D%d%%22&device=%s" % (
            r.randrange(GEN), HOSTS[r.randrange(len(HOSTS))]),
    }
    out = {}
    try:
        for i, h in enumerate(HOSTS):
            post_device(base, i, h)
        t0 = time.time()
        cpu0 = cpu_seconds(p.pid)
        if not fill(base, port, GEN):
            sys.exit("the collector did not store %d lines" % GEN)
        out["fill"] = (time.time() - t0, cpu_seconds(p.pid) - cpu0)
        rnd = random.Random(3)
        for name, make in kinds.items():
            times = []
            for _ in range(QUERIES):
                t0 = time.perf_counter()
                http_get(base, "/api/v1/events?limit=100&" + make(rnd))
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            out[name] = (statistics.median(times), times[int(len(times) * 0.99) - 1])
    finally:
        p.terminate()
        p.wait(60)
    db = os.path.join(data, "events.db")
    out["bytes"] = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))
    return out


if __name__ == "__main__":
    tmp = tempfile.mkdtemp(prefix="cm-bench-events-")
    os.chmod(tmp, 0o755)
    data_dir = os.path.join(tmp, "data")
    data_stream = stream(LINES)
    print("stream: %d syslog lines over one TCP connection (%d bytes); each receiver pinned to core %s"
          % (LINES, len(data_stream), CORE))
    try:
        r = bench_rsyslog(tmp)
        c = bench_collector(tmp, data_dir)
        rs_rate = LINES / r["seconds"]
        cm_rate = c["stored"] / c["seconds"]
        print("rsyslog (imtcp -> omfile):      %9.0f lines/s  (%.2f s, %.2f CPU s, %d bytes on disk = %.0f B/line)"
              % (rs_rate, r["seconds"], r["cpu"], r["bytes"], r["bytes"] / LINES))
        print("campusmon (parse, FTS5, fsync): %9.0f lines/s  (%.2f s, %.2f CPU s, %d stored, %d dropped,"
              " last line found: %s, %d bytes = %.0f B/line)"
              % (cm_rate, c["seconds"], c["cpu"], c["stored"], c["dropped"], c["found"], c["bytes"],
                 c["bytes"] / max(1, c["stored"])))
        print("ratio campusmon / rsyslog: %.2f" % (cm_rate / rs_rate))
        q = bench_queries(tmp, os.path.join(tmp, "gen"))
        secs, cpu = q.pop("fill")
        size = q.pop("bytes")
        print("filled %d lines through the receiver from %d source addresses in %.0f s (%.0f lines/s,"
              " %.1f CPU s): %d bytes = %.0f B/line" % (GEN, len(HOSTS), secs, GEN / secs, cpu, size,
                                                        size / GEN))
        for name, (p50, p99) in q.items():
            print("query %-28s p50 %7.1f ms  p99 %7.1f ms  (%d queries, limit 100, over HTTP)"
                  % (name, p50, p99, QUERIES))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
