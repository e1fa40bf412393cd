"""campusmon-agent as an admin runs it: the real agent, the real collector, real checks.

The agent binary is BUILD/agent/campusmon-agent (CAMPUSMON_AGENT overrides it).
Error answers the real collector never gives on purpose (400, 413, 503 with
Retry-After, a hanging server) come from a small stub HTTP server in this file;
everything else talks to the real campusmon-collector from conftest.
"""
import glob
import gzip
import http.server
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import BUILD, REPO, TOKEN, make_tmpdir, wait_for

AGENT = os.environ.get("CAMPUSMON_AGENT", os.path.join(BUILD, "agent", "campusmon-agent"))
NAGIOS = "/usr/lib/nagios/plugins"
FIXTURES = os.path.join(REPO, "tests", "data", "agent")

STATS_RE = re.compile(
    r"stats: batches created=(\d+) sent=(\d+) acked=(\d+) spooled=(\d+) dropped=(\d+) "
    r"rejected=(\d+) split=(\d+) failures=(\d+); spool holds (\d+) batches")


class Agent:
    """A real campusmon-agent process with its own config, spool and log."""

    counter = 0

    def __init__(self, url, token=TOKEN, interval="1s", extra="", host=None, spool_max="64MiB",
                 tls=""):
        Agent.counter += 1
        self.tmp = make_tmpdir("cm-agent-")
        self.spool = os.path.join(self.tmp, "spool")
        self.config_path = os.path.join(self.tmp, "agent.yaml")
        self.log_path = os.path.join(self.tmp, "agent.log")
        self.host = host or "agent-it-%d-%d" % (os.getpid(), Agent.counter)
        self.url, self.token, self.interval, self.extra = url, token, interval, extra
        self.spool_max, self.tls = spool_max, tls
        self.proc = None
        self.write_config()

    def write_config(self, token=None, extra=None, tls=None):
        if token is not None:
            self.token = token
        if extra is not None:
            self.extra = extra
        if tls is not None:
            self.tls = tls
        text = ("collector:\n  url: %s\n  token: %s\n  retry_max: 2s\n  timeout: 2s\n%s"
                "interval: %s\nhost: %s\nspool:\n  dir: %s\n  max_size: %s\n%s"
                % (self.url, self.token, self.tls, self.interval, self.host, self.spool,
                   self.spool_max, self.extra))
        fd = os.open(self.config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([AGENT, "-c", self.config_path], stdout=self.log,
                                     stderr=self.log)
        wait_for(lambda: "campusmon-agent 0.1.0: host" in self.read_log() or self.dead(),
                 what="agent start")
        assert not self.dead(), self.read_log()
        return self

    def dead(self):
        return self.proc.poll() is not None

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("agent did not stop on SIGTERM")
        rc = self.proc.returncode
        self.proc = None
        return rc

    def stats(self):
        m = STATS_RE.findall(self.read_log())
        assert m, self.read_log()
        keys = ("created", "sent", "acked", "spooled", "dropped", "rejected", "split",
                "failures", "queued")
        return dict(zip(keys, map(int, m[-1])))

    def spooled(self):
        return sorted(glob.glob(os.path.join(self.spool, "*.batch")))

    def rejected(self):
        return sorted(glob.glob(os.path.join(self.spool, "rejected", "*.batch")))

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def agent_factory():
    made = []

    def make(*a, **kw):
        ag = Agent(*a, **kw)
        made.append(ag)
        return ag

    yield make
    for ag in made:
        ag.cleanup()


class Stub:
    """A stand-in collector for the error answers: respond(n, text) → (status, headers, body)."""

    def __init__(self, respond, tls=None):
        self.requests = []
        self.lock = threading.Lock()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                text = gzip.decompress(body).decode()
                peer = None
                if isinstance(self.connection, ssl.SSLSocket):
                    cert = self.connection.getpeercert() or {}
                    peer = dict(x[0] for x in cert.get("subject", ())).get("commonName")
                with stub.lock:
                    n = len(stub.requests)
                    stub.requests.append({"t": time.time(), "path": self.path, "peer": peer,
                                          "headers": dict(self.headers), "text": text})
                status, headers, out = respond(n, text)
                if status is None:          # hang: never answer this request
                    time.sleep(5)
                    return
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http",
                                          self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def texts(self):
        with self.lock:
            return [r["text"] for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub_factory():
    made = []

    def make(respond, tls=None):
        s = Stub(respond, tls)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def lines_of(texts, measurement):
    out = []
    for t in texts:
        out += [l for l in t.splitlines() if l.startswith(measurement + ",")]
    return out


def created_value(line):
    return int(re.search(r"batches_created=(\d+)i", line).group(1))


def field_series(c, host, measurement, field, **tags):
    rows = [s for s in c.series(host=host, measurement=measurement)
            if s["field"] == field and all(s["tags"].get(k) == v for k, v in tags.items())]
    return rows


def busy_disks():
    """Block devices (not loop/ram) that did any I/O: the agent reports those."""
    out = []
    with open("/proc/diskstats") as f:
        for line in f:
            p = line.split()
            if len(p) >= 8 and not p[2].startswith(("loop", "ram")) and \
                    (int(p[3]) or int(p[7])):
                out.append(p[2])
    return out


def root_fstype():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            p = line.split()
            if p[4] == "/":
                return p[p.index("-") + 1]
    return None


# ---- the command line ---------------------------------------------------------------------

def test_once_prints_every_measurement_with_real_rates():
    out = subprocess.run([AGENT, "--once", "-c", "/dev/null"], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    names = {l.split(",", 1)[0].split(" ", 1)[0] for l in lines}
    for m in ("cpu", "kernel", "mem", "swap", "system", "processes", "disk", "net", "netstat",
              "inventory"):
        assert m in names, (m, out.stdout)
    host = socket.gethostname().split(".")[0]
    ts = set()
    for l in lines:
        assert re.match(r"^[a-z_]+,\S.* \d{19}$", l), l
        assert re.search(r",host=%s[, ]" % re.escape(host), l), l
        ts.add(l.rsplit(" ", 1)[1])
    assert len(ts) == 1, "one reading, one timestamp"
    total = [l for l in lines if l.startswith("cpu,cpu=cpu-total,")][0]
    usage = sum(float(x) for x in re.findall(r"(?:user|nice|system|idle|iowait|irq|softirq|"
                                                r"steal)_percent=([0-9.e+-]+)", total))
    assert abs(usage - 100) < 0.01, total
    assert re.search(r"kernel,host=\S+ context_switches_ps=[0-9.]+,", out.stdout)
    with open("/proc/meminfo") as f:
        kb = int(re.search(r"MemTotal:\s+(\d+) kB", f.read()).group(1))
    assert re.search(r"^mem,host=\S+ total=%di," % (kb * 1024), out.stdout, re.M)


def test_config_check_reports_every_error_at_once(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("collector:\n  url: http://127.0.0.1:1\ninterval: 5s\nplugins:\n"
                    "  - plugin: nagios\n    name: load\n    command: [%s/check_load]\n" % NAGIOS)
    r = subprocess.run([AGENT, "-t", "-c", str(good)], capture_output=True, text=True)
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("collector:\n  url: ftp://x\n  token: secret\ninterval: 2h\nbogus: 1\n"
                   "spool:\n  max_size: 10\nplugins:\n  - plugin: nagios\n    name: x\n"
                   "    command: [check_load]\n")
    os.chmod(bad, 0o644)
    r = subprocess.run([AGENT, "-t", "-c", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1
    for needle in ("collector.url", "interval", "bogus", "spool.max_size", "readable"):
        assert needle in r.stderr, (needle, r.stderr)
    os.chmod(bad, 0o600)
    r = subprocess.run([AGENT, "-t", "-c", str(bad)], capture_output=True, text=True)
    for needle in ("collector.url", "interval", "bogus", "spool.max_size", "absolute path"):
        assert needle in r.stderr, (needle, r.stderr)
    r = subprocess.run([AGENT, "-c", "/dev/null"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1 and "collector.url is required" in r.stderr


def test_config_check_finds_a_check_its_user_cannot_run():
    """A check kept in a private folder (a clone in /root): the agent runs
    checks as 'nobody', which cannot reach it. -t says so rather than every
    run failing later (issue #10, item 1)."""
    top = make_tmpdir("cm-agent-check-")
    try:
        private = os.path.join(top, "private")
        os.mkdir(private, 0o700)
        check = os.path.join(private, "check_ok")
        with open(check, "w") as f:
            f.write("#!/bin/sh\necho OK\n")
        os.chmod(check, 0o755)
        conf = os.path.join(top, "agent.yaml")
        with open(conf, "w") as f:
            f.write("collector:\n  url: http://127.0.0.1:1\nplugins:\n"
                    "  - plugin: nagios\n    name: mine\n    command: [%s]\n" % check)
        os.chmod(conf, 0o600)
        r = subprocess.run([AGENT, "-t", "-c", conf], capture_output=True, text=True)
        assert r.returncode == 1, r.stdout
        assert "user nobody cannot run %s: Permission denied" % check in r.stderr, r.stderr
        os.chmod(private, 0o755)
        r = subprocess.run([AGENT, "-t", "-c", conf], capture_output=True, text=True)
        assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr
    finally:
        shutil.rmtree(top, ignore_errors=True)

# ---- pushing to the real collector -----------------------------------------------------------

def test_series_arrive_with_correct_values(collector, agent_factory):
    ag = agent_factory(collector.url).start()
    wait_for(lambda: field_series(collector, ag.host, "inventory", "memory_bytes"),
             timeout=20, what="inventory")
    wait_for(lambda: field_series(collector, ag.host, "cpu", "idle_percent", cpu="cpu-total"),
             timeout=20, what="cpu series")
    time.sleep(2.5)
    with open("/proc/meminfo") as f:
        mem_total = int(re.search(r"MemTotal:\s+(\d+) kB", f.read()).group(1)) * 1024
    for m in ("cpu", "kernel", "mem", "swap", "system", "processes", "disk", "net", "netstat",
              "inventory", "campusmon_agent"):
        assert collector.series(host=ag.host, measurement=m), m
    total = wait_for(lambda: (lambda r: r and r[0]["last"] is not None and r[0])(
        field_series(collector, ag.host, "mem", "total")), what="mem total's value")
    assert total["last"] == mem_total

    def points():
        q = collector.query(total["id"], int(time.time()) - 20, int(time.time()), step=1)
        vals = [v for _, v in q["points"] if v is not None]
        return (q, vals) if len(vals) >= 2 else None
    q, vals = wait_for(points, what="two readings of mem total")
    assert set(vals) == {mem_total}, q
    inv = wait_for(lambda: (lambda d: d if all(d.get(k, {}).get("last") is not None for k in (
        "memory_bytes", "hostname", "cpus", "kernel")) else None)(
        {s["field"]: s for s in collector.series(host=ag.host, measurement="inventory")}),
        what="the inventory's values")
    assert inv["memory_bytes"]["last"] == mem_total
    assert inv["hostname"]["last"] == socket.gethostname()
    assert inv["cpus"]["last"] == os.cpu_count()
    assert inv["kernel"]["last"] == "Linux " + os.uname().release
    assert "addresses" in inv and "macs" in inv and "os" in inv and "cpu_model" in inv
    idle = field_series(collector, ag.host, "cpu", "idle_percent", cpu="cpu-total")[0]
    assert 0 <= idle["last"] <= 100
    if busy_disks():
        fields = {s["field"] for s in collector.series(host=ag.host, measurement="diskio")}
        for f in ("reads_ps", "write_bytes_ps", "read_await_ms", "util_percent", "queue_depth"):
            assert f in fields, (f, fields)
    if root_fstype() in ("ext4", "xfs", "btrfs", "ext3", "ext2", "f2fs", "zfs"):
        root = field_series(collector, ag.host, "disk", "total", path="/")
        st = os.statvfs("/")
        assert root and root[0]["last"] == st.f_blocks * st.f_frsize
    assert ag.stop() == 0
    s = ag.stats()
    assert s["created"] == s["acked"] and s["failures"] == 0 and s["queued"] == 0, s


def test_values_from_a_recorded_proc_tree(collector, agent_factory, tmp_path):
    proc = tmp_path / "proc"
    (proc / "net").mkdir(parents=True)
    for name, fix in (("meminfo", "meminfo.modern"), ("loadavg", "loadavg"),
                      ("uptime", "uptime"), ("stat", "stat.2cpu"), ("net/tcp", "tcp"),
                      ("net/tcp6", "tcp6"), ("net/udp", "udp")):
        shutil.copy(os.path.join(FIXTURES, fix), proc / name)
    ag = agent_factory(collector.url,
                       extra="paths:\n  proc: %s\ndisable: [inventory]\n" % proc).start()
    # listed once parsed; the values come when the batch is durable
    wait_for(lambda: (lambda r: r and r[0]["last"] is not None)(
        field_series(collector, ag.host, "swap", "used")), timeout=20, what="swap")
    assert field_series(collector, ag.host, "mem", "total")[0]["last"] == 16318448 * 1024
    assert field_series(collector, ag.host, "swap", "used")[0]["last"] == 524288 * 1024
    assert field_series(collector, ag.host, "system", "load1")[0]["last"] == 0.43
    assert field_series(collector, ag.host, "system", "uptime")[0]["last"] == 1114
    assert field_series(collector, ag.host, "netstat", "tcp_established")[0]["last"] == 4
    assert field_series(collector, ag.host, "netstat", "tcp_listen")[0]["last"] == 3
    assert not collector.series(host=ag.host, measurement="inventory")
    # /proc/stat is frozen: no time passes between readings, so no CPU percentages.
    assert not collector.series(host=ag.host, measurement="cpu")
    assert ag.stop() == 0


def test_outage_every_sample_arrives_no_gap_no_duplicate(collector_factory, agent_factory):
    c = collector_factory().start()
    port = c.port
    ag = agent_factory(c.url).start()
    wait_for(lambda: field_series(c, ag.host, "campusmon_agent", "batches_created"),
             timeout=20, what="first batches")
    time.sleep(3)
    c.stop()
    down_from = time.time()
    wait_for(lambda: len(ag.spooled()) >= 3, timeout=15, what="spooling")
    time.sleep(30 - (time.time() - down_from))
    spooled_during_outage = len(ag.spooled())
    assert spooled_during_outage >= 25, spooled_during_outage
    c.start(port=port)
    wait_for(lambda: not ag.spooled(), timeout=60, what="the spool to drain")
    time.sleep(3)
    assert ag.stop() == 0
    s = ag.stats()
    assert s["dropped"] == 0 and s["rejected"] == 0 and s["queued"] == 0, s
    assert s["created"] + s["split"] == s["acked"], s
    assert s["spooled"] >= spooled_during_outage, s
    assert "collector unavailable" in ag.read_log()
    assert "collector accepts batches again" in ag.read_log()
    # batches_created counts the batches made before each reading: +1 every second.
    row = field_series(c, ag.host, "campusmon_agent", "batches_created")[0]
    last_ts = int(row["last_ts"])
    q = c.query(row["id"], last_ts - int(time.time() - down_from) - 15, last_ts, step=1)
    pts = [(t, v) for t, v in q["points"] if t <= last_ts]
    first = next(i for i, (_, v) in enumerate(pts) if v is not None)
    pts = pts[first:]
    assert len(pts) > 35, pts
    values = [v for _, v in pts]
    assert None not in values, "gap in %s" % pts
    steps = {values[i + 1] - values[i] for i in range(len(values) - 1)}
    assert steps == {1}, "gap or duplicate: %s" % pts
    assert values[-1] == s["created"] - 1


def test_spool_full_drops_oldest_with_one_warning(collector_factory, agent_factory):
    ag = agent_factory("http://127.0.0.1:%d" % _closed_port(), spool_max="64KiB")
    # An earlier run left 50 batches of about 1.1 KiB: the spool is nearly full.
    os.makedirs(ag.spool, mode=0o700)
    old = int(time.time()) - 3600
    for i in range(50):
        body = gzip.compress(("spoolfill,host=%s v=%di,pad=\"%s\" %d\n" %
                              (ag.host, i, os.urandom(1000).hex(), (old + i) * 10**9)).encode())
        with open(os.path.join(ag.spool, "%016x.batch" % ((1 << 40) + i)), "wb") as f:
            f.write(b"campusmon-batch 1 interval=1 lines=1\n" + body)
    ag.start()
    wait_for(lambda: "is full" in ag.read_log(), timeout=30, what="the spool to fill")
    time.sleep(4)
    assert ag.read_log().count("is full") == 1, "one warning"
    assert sum(os.path.getsize(p) for p in ag.spooled()) <= 64 * 1024
    assert ag.stop() == 0
    s1 = ag.stats()
    assert 0 < s1["dropped"] < 50, s1
    assert s1["queued"] + s1["dropped"] == 50 + s1["created"], "every batch kept or counted"
    # The collector is reachable again: what was kept arrives, newest prefilled included.
    c = collector_factory().start()
    ag.url = c.url
    ag.write_config()
    ag.start()
    wait_for(lambda: not ag.spooled(), timeout=60, what="the spool to drain")
    assert ag.stop() == 0
    s2 = ag.stats()
    assert s2["rejected"] == 0 and s2["dropped"] == 0 and s2["queued"] == 0, s2
    assert s2["acked"] == s1["queued"] + s2["created"], (s1, s2)
    kept = field_series(c, ag.host, "spoolfill", "v")
    assert kept and kept[0]["last"] == 49, "the oldest were dropped, never the newest"


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bad_token_keeps_spooling_then_reload_delivers(collector, agent_factory):
    ag = agent_factory(collector.url, token="wrong-token").start()
    wait_for(lambda: len(ag.spooled()) >= 4, timeout=20, what="spooling on 401")
    time.sleep(2)
    log = ag.read_log()
    assert log.count("refuses the agent's token (HTTP 401") == 1, "loud but rate-limited"
    assert not collector.series(host=ag.host, measurement="mem")
    ag.write_config(token=TOKEN)
    ag.signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in ag.read_log(), what="reload")
    wait_for(lambda: not ag.spooled(), timeout=30, what="the spool to drain")
    wait_for(lambda: field_series(collector, ag.host, "mem", "total"), what="series")
    row = field_series(collector, ag.host, "campusmon_agent", "batches_created")[0]
    q = collector.query(row["id"], int(row["last_ts"]) - 30, int(row["last_ts"]), step=1)
    vals = [v for _, v in q["points"] if v is not None]
    assert vals[0] == 0, "the batches spooled under the bad token arrived too"
    assert ag.stop() == 0
    s = ag.stats()
    assert s["created"] == s["acked"] and s["rejected"] == 0, s


def test_reload_with_a_broken_file_keeps_running(collector, agent_factory):
    ag = agent_factory(collector.url).start()
    wait_for(lambda: (lambda r: r and r[0]["last_ts"] is not None)(
        field_series(collector, ag.host, "mem", "total")), what="series")
    ag.write_config(extra="interval_typo: 5\n")
    ag.signal(signal.SIGHUP)
    wait_for(lambda: "reload failed" in ag.read_log(), what="reload refused")
    assert "interval_typo" in ag.read_log()
    before = field_series(collector, ag.host, "mem", "total")[0]["last_ts"]
    wait_for(lambda: field_series(collector, ag.host, "mem", "total")[0]["last_ts"] > before,
             what="collection to go on")
    assert not ag.dead()
    assert ag.stop() == 0


# ---- error answers from a stub ------------------------------------------------------------

def test_400_sets_the_batch_aside_and_never_retries(stub_factory, agent_factory):
    def respond(n, text):
        if n in (1, 2):
            return 400, {"Content-Type": "application/json"}, \
                b'{"error": "line 3: invalid field value \\"x\\""}'
        return 204, {}, b""
    stub = stub_factory(respond)
    ag = agent_factory(stub.url).start()
    wait_for(lambda: len(stub.requests) >= 6, timeout=20, what="requests")
    assert ag.stop() == 0
    texts = stub.texts()
    assert len(texts) == len(set(texts)), "no batch sent twice"
    s = ag.stats()
    assert s["rejected"] == 2 and s["created"] == s["acked"] + 2 and s["queued"] == 0, s
    assert len(ag.rejected()) == 2
    with open(ag.rejected()[0] + ".why") as f:
        assert 'line 3: invalid field value "x"' in f.read()
    assert "refused a batch" in ag.read_log() and "line 3: invalid field value" in ag.read_log()


def test_503_retry_after_is_honoured_and_order_kept(stub_factory, agent_factory):
    def respond(n, text):
        if 1 <= n <= 3:
            return 503, {"Retry-After": "2", "Content-Type": "application/json"}, \
                b'{"error": "overloaded"}'
        return 204, {}, b""
    stub = stub_factory(respond)
    ag = agent_factory(stub.url).start()
    wait_for(lambda: len(stub.requests) >= 12, timeout=40, what="requests")
    wait_for(lambda: not ag.spooled(), timeout=20, what="drain")
    assert ag.stop() == 0
    reqs = stub.requests
    for i in (2, 3, 4):
        assert reqs[i]["t"] - reqs[i - 1]["t"] >= 1.9, "Retry-After: 2 honoured"
    created = [created_value(l) for l in lines_of(stub.texts(), "campusmon_agent")]
    assert sorted(set(created)) == list(range(max(created) + 1)), "nothing lost"
    after = [created_value(l) for r in reqs[4:] for l in lines_of([r["text"]], "campusmon_agent")]
    assert after == sorted(after), "oldest first"
    s = ag.stats()
    assert s["created"] == s["acked"] and s["failures"] == 3, s


def test_timeouts_spool_and_retry(stub_factory, agent_factory):
    def respond(n, text):
        if 1 <= n <= 2:
            return None, {}, b""     # hang past the agent's 2 s timeout
        return 204, {}, b""
    stub = stub_factory(respond)
    ag = agent_factory(stub.url).start()
    wait_for(lambda: len(stub.requests) >= 10, timeout=40, what="requests")
    wait_for(lambda: not ag.spooled(), timeout=20, what="drain")
    time.sleep(1.5)
    assert ag.stop() == 0
    s = ag.stats()
    assert s["failures"] == 2 and s["created"] == s["acked"] and s["queued"] == 0, s
    assert "timed out" in ag.read_log().lower() or "timeout" in ag.read_log().lower()
    # Collection went on while requests hung: every second has its batch.
    values = sorted({created_value(l) for l in lines_of(stub.texts(), "campusmon_agent")})
    assert values == list(range(values[-1] + 1)), values


def test_413_splits_until_the_collector_takes_it(stub_factory, agent_factory):
    def respond(n, text):
        return (413, {}, b'{"error": "body too large"}') if text.count("\n") > 4 else (204, {}, b"")
    stub = stub_factory(respond)
    ag = agent_factory(stub.url, extra="disable: [inventory]\n").start()
    wait_for(lambda: len([r for r in stub.requests if r["text"].count("\n") <= 4]) >= 12,
             timeout=30, what="split batches")
    time.sleep(1)
    assert ag.stop() == 0
    s = ag.stats()
    assert s["split"] > 0 and s["rejected"] == 0, s
    ok = [r["text"] for r in stub.requests if r["text"].count("\n") <= 4]
    lines = [l for t in ok for l in t.splitlines()]
    assert len(lines) == len(set(lines)), "no line delivered twice"
    created = sorted({created_value(l) for l in lines if l.startswith("campusmon_agent,")})
    assert created == list(range(created[-1] + 1)), created


def make_pki(d):
    """A CA, a server certificate for 127.0.0.1, a client certificate, and a stranger CA."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), cwd=d, check=True, capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for ca in ("ca", "other-ca"):
        run("req", "-x509", *ec, "-keyout", ca + ".key", "-out", ca + ".pem", "-days", "2",
            "-subj", "/CN=" + ca)
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    for name, cn, ext in (("server", "127.0.0.1", ["-extfile", "san.ext"]),
                          ("client", "agent-client", [])):
        run("req", *ec, "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn)
        run("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "2", *ext)
    return {n: os.path.join(d, n) for n in os.listdir(d)}


def test_https_verifies_the_collector_and_presents_a_client_certificate(stub_factory,
                                                                         agent_factory):
    d = make_tmpdir("cm-pki-")
    try:
        pki = make_pki(d)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pki["server.pem"], pki["server.key"])
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki["ca.pem"])
        stub = stub_factory(lambda n, t: (204, {}, b""), tls=ctx)
        # A collector whose certificate the agent cannot verify gets nothing.
        ag = agent_factory(stub.url, tls="  ca_file: %s\n  client_cert: %s\n  client_key: %s\n"
                           % (pki["other-ca.pem"], pki["client.pem"], pki["client.key"]))
        ag.start()
        wait_for(lambda: len(ag.spooled()) >= 2, timeout=20, what="spooling")
        assert not stub.requests
        assert re.search(r"collector unavailable \(.*(certificate|SSL)", ag.read_log()), \
            ag.read_log()
        # The right CA but no client certificate: the collector refuses the handshake.
        ag.write_config(tls="  ca_file: %s\n" % pki["ca.pem"])
        ag.signal(signal.SIGHUP)
        wait_for(lambda: ag.read_log().count("configuration reloaded") == 1, what="reload")
        time.sleep(3)
        assert not stub.requests
        # Both right: the spool drains over TLS, with the client certificate.
        ag.write_config(tls="  ca_file: %s\n  client_cert: %s\n  client_key: %s\n"
                        % (pki["ca.pem"], pki["client.pem"], pki["client.key"]))
        ag.signal(signal.SIGHUP)
        wait_for(lambda: not ag.spooled() and len(stub.requests) >= 5, timeout=30,
                 what="delivery over TLS")
        assert {r["peer"] for r in stub.requests} == {"agent-client"}
        # A hashed CA directory instead of a file (the default, /etc/ssl/certs, works so).
        capath = os.path.join(d, "capath")
        os.mkdir(capath)
        shutil.copy(pki["ca.pem"], os.path.join(capath, "campus-ca.pem"))
        subprocess.run(["openssl", "rehash", capath], check=True, capture_output=True)
        n = len(stub.requests)
        ag.write_config(tls="  ca_path: %s\n  client_cert: %s\n  client_key: %s\n"
                        % (capath, pki["client.pem"], pki["client.key"]))
        ag.signal(signal.SIGHUP)
        wait_for(lambda: ag.read_log().count("configuration reloaded") == 3, what="reload")
        wait_for(lambda: len(stub.requests) >= n + 3, timeout=20, what="delivery via ca_path")
        assert ag.stop() == 0
        s = ag.stats()
        assert s["created"] == s["acked"] and s["queued"] == 0, s
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_plain_http_beyond_loopback_is_warned_about(agent_factory):
    # Through a closed loopback proxy port: nothing ever leaves 127.0.0.1.
    proxy = "  proxy: http://127.0.0.1:%d\n" % _closed_port()
    ag = agent_factory("http://192.0.2.1:9", tls=proxy)    # TEST-NET-1
    ag.write_config(extra="collector_typo: 1\n")
    r = subprocess.run([AGENT, "-t", "-c", ag.config_path], capture_output=True, text=True)
    assert r.returncode == 1 and "collector_typo" in r.stderr
    ag.write_config(extra="")
    ag.start()
    assert "plain HTTP" in ag.read_log()
    wait_for(lambda: "collector unavailable" in ag.read_log(), what="the proxy to refuse")
    assert ag.stop() == 0


# ---- the nagios plugin with the real monitoring-plugins checks -------------------------------

def test_nagios_checks_from_monitoring_plugins(collector, agent_factory):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)             # accepts (backlog) but never says a word
    port = silent.getsockname()[1]
    extra = ("plugins:\n"
             "  - plugin: nagios\n    name: root_disk\n"
             "    command: [%s/check_disk, -w, \"1%%\", -c, \"1%%\", -p, /]\n"
             "  - plugin: nagios\n    name: load\n"
             "    command: [%s/check_load, -w, \"900,800,700\", -c, \"990,980,970\"]\n"
             "  - plugin: nagios\n    name: silent_tcp\n    interval: 2s\n    timeout: 1s\n"
             "    command: [%s/check_tcp, -H, 127.0.0.1, -p, \"%d\", -e, HELLO, -t, \"30\"]\n"
             % (NAGIOS, NAGIOS, NAGIOS, port))
    ag = agent_factory(collector.url, extra=extra).start()
    try:
        def states():
            return {s["tags"].get("instance"): s["last"]
                    for s in collector.series(host=ag.host, measurement="nagios_state")
                    if s["field"] == "state"}
        # a series may be listed a moment before its first value is
        st = wait_for(lambda: (lambda s: len(s) == 3 and None not in s.values() and s)(states()),
                      timeout=30, what="three checks with values")
        assert st["root_disk"] == 0 and st["load"] == 0, st
        assert st["silent_tcp"] == 3, "timed out → UNKNOWN"
        perf = {(s["tags"].get("instance"), s["tags"].get("perfdata"), s["field"]): s
                for s in collector.series(host=ag.host, measurement="nagios")}
        assert ("load", "load1", "value") in perf
        assert perf[("load", "load1", "warning_gt")]["last"] == 900
        assert perf[("load", "load1", "critical_gt")]["last"] == 990
        disk = perf[("root_disk", "/", "value")]
        assert disk["tags"]["unit"] in ("B", "MB", "MiB")
        assert disk["last"] > 0
        out = [s for s in collector.series(host=ag.host, measurement="nagios_state")
               if s["field"] == "service_output" and s["tags"].get("instance") == "silent_tcp"]
        # its 1 s timeout, or a millisecond less when the cycle's deadline came first
        m = re.search(r"timed out after (\d+) ms", out[0]["last"])
        assert m and 900 <= int(m.group(1)) <= 1000, out[0]["last"]
        log = ag.read_log()
        assert "silent_tcp" in log and "timed out" in log
    finally:
        silent.close()
    assert ag.stop() == 0


def test_checks_never_run_as_root(collector, agent_factory):
    import pwd
    extra = ("plugins:\n  - plugin: nagios\n    name: whoami\n"
             "    command: [/usr/bin/id, -un]\n")
    ag = agent_factory(collector.url, extra=extra).start()

    def output():
        rows = [s for s in collector.series(host=ag.host, measurement="nagios_state")
                if s["field"] == "service_output"]
        return rows and rows[0]["last"]
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert wait_for(output, timeout=20, what="whoami") == ("nobody" if me == "root" else me)
    assert ag.stop() == 0
