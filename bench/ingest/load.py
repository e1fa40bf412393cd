#!/usr/bin/python3
"""load.py — loader of the ingest benchmark (bench/ingest/run.sh runs it).

One invocation loads one target and prints one JSON object with its figures:

  load.py collector URL TOKEN   campusmon-collector: POST /api/v1/write?precision=s
  load.py vm URL                VictoriaMetrics:     POST /write?precision=s
  load.py rrdcached SOCKET      rrdcached:           BATCH of "UPDATE file ts:value"

The series are HOSTS hosts x FIELDS fields. HTTP targets get one line per host
carrying its FIELDS fields ("bench,host=host-00001,site=campus f0=..,f1=.. TS");
rrdcached gets one UPDATE line per host with its FIELDS values, for the file
"xx/ID.rrd" (ID = host, xx = ID & 0xff in hex) under its base folder: a file
per host with a data source per field, as the collector lays them out. Every request
carries the same PER_BODY hosts' worth of one round; each of the CONNS
keep-alive connections owns a fixed share of the hosts and sends its rounds in
order, so no series ever sees an older timestamp after a newer one.

Round r has timestamp T0 + 10 * r. Round 0 (series and file creation) is
sent and waited for (until it is in the target's storage) before the clock
starts; rounds 1..ROUNDS are then timed. Every body is generated before the
clock starts. A target answering 503 (queue full) gets the same body again
after 20 ms; those retries are counted.

Figures: "accepted" is samples acknowledged (collector: 204 = in the fsynced
journal; VM: 204 = parsed into its in-memory buffers; rrdcached: the BATCH's
"0 errors" = in its cache and journal) over the time from the first send to
the last answer. "stored" is the same samples over the time until the target
reports them all in its storage: collector: campusmon_rrd_values_written_total
from /metrics; rrdcached: DataSetsWritten from STATS after FLUSHALL; VM:
vm_rows_added_to_storage_total. The loader's own CPU time and the target's
(from /proc/PID/stat when --pid is given) cover the timed part.
"""
import argparse
import http.client
import json
import os
import random
import resource
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

TS_MARK = b"@TS@"


# ---- bodies ----------------------------------------------------------------

def chunk_templates(args, chunk, variants):
    """VARIANTS templates of one chunk's body, with TS_MARK for the timestamp."""
    rnd = random.Random(chunk)
    first = chunk * args.per_body
    hosts = range(first, min(first + args.per_body, args.hosts))
    out = []
    for _ in range(variants):
        parts = []
        if args.target == "rrdcached":
            parts.append(b"BATCH\n")
            for h in hosts:
                values = b":".join(b"%.2f" % rnd.uniform(0, 1000) for _ in range(args.fields))
                parts.append(b"UPDATE %02x/%d.rrd @TS@:%s\n" % (h & 0xff, h, values))
            parts.append(b".\n")
        else:
            for h in hosts:
                fields = b",".join(b"f%d=%.2f" % (f, rnd.uniform(0, 1000))
                                   for f in range(args.fields))
                parts.append(b"bench,host=host-%05d,site=campus %s @TS@\n" % (h, fields))
        out.append(b"".join(parts))
    return out


def make_bodies(args):
    """bodies[conn] = [(round, bytes, samples), ...] in sending order."""
    n_chunks = (args.hosts + args.per_body - 1) // args.per_body
    variants = 8
    tmpl = [chunk_templates(args, k, variants) for k in range(n_chunks)]
    per_chunk = [min(args.per_body, args.hosts - k * args.per_body) * args.fields
                 for k in range(n_chunks)]
    bodies = [[] for _ in range(args.conns)]
    for r in range(0, args.rounds + 1):
        ts = b"%d" % (args.t0 + 10 * r)
        for k in range(n_chunks):
            body = tmpl[k][r % variants].replace(TS_MARK, ts)
            bodies[k % args.conns].append((r, body, per_chunk[k]))
    return bodies


# ---- targets ---------------------------------------------------------------

class HttpTarget:
    def __init__(self, args):
        u = urllib.parse.urlsplit(args.url)
        self.host, self.port = u.hostname, u.port
        self.base = "%s://%s" % (u.scheme, u.netloc)
        self.path = (u.path or "/") + ("?" + u.query if u.query else "")
        self.headers = {"Content-Type": "text/plain; charset=utf-8"}
        self.metric_headers = {}
        if args.token:
            self.headers["Authorization"] = "Bearer " + args.token
            self.metric_headers["Authorization"] = "Bearer " + args.token
        if args.interval:
            self.headers["X-Campusmon-Interval"] = str(args.interval)

    def connect(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=120)

    def send(self, conn, body):
        """Returns 'ok', 'busy' (retry) or an error text."""
        conn.request("POST", self.path, body, self.headers)
        r = conn.getresponse()
        data = r.read()
        if r.status == 204:
            return "ok"
        if r.status == 503:
            return "busy"
        return "HTTP %d: %s" % (r.status, data[:300].decode("utf-8", "replace"))

    def metrics(self):
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        c.request("GET", "/metrics", headers=self.metric_headers)
        r = c.getresponse()
        text = r.read().decode()
        c.close()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                k, _, v = line.rpartition(" ")
                try:
                    out[k] = float(v)
                except ValueError:
                    pass
        return out


class CollectorTarget(HttpTarget):
    def stored(self):
        return self.metrics().get("campusmon_rrd_values_written_total", 0)

    def counts(self):
        m = self.metrics()
        return (m.get("campusmon_samples_accepted_total", 0),
                m.get("campusmon_rrd_values_written_total", 0))

    def idle(self):
        return self.metrics().get("campusmon_write_queue_depth", 0) == 0


class VmTarget(HttpTarget):
    def stored(self):
        return self.metrics().get("vm_rows_added_to_storage_total", 0)

    def counts(self):
        m = self.metrics()
        return (m.get('vm_rows_inserted_total{type="influx"}', 0),
                m.get("vm_rows_added_to_storage_total", 0))

    def idle(self):
        return True


class RrdcachedTarget:
    """rrdcached counts data sets (one UPDATE value list): FIELDS samples each."""

    def __init__(self, args):
        self.path = args.socket
        self.fields = args.fields

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.path)
        return LineSock(s)

    def send(self, conn, body):
        conn.sock.sendall(body)
        go = conn.readline()		# "0 Go ahead.  End with dot '.' on its own line."
        if not go.startswith(b"0 "):
            return "BATCH refused: %r" % go
        res = conn.readline()		# "0 errors" or "N errors" then N lines
        nerr = int(res.split()[0])
        errs = [conn.readline() for _ in range(nerr)]
        if nerr:
            return "%d errors, first: %r" % (nerr, errs[0])
        return "ok"

    def command(self, text):
        c = self.connect()
        c.sock.sendall(text.encode() + b"\n")
        head = c.readline()
        n = int(head.split()[0])
        lines = [c.readline() for _ in range(max(n, 0))]
        c.sock.close()
        return head, lines

    def stats(self):
        _, lines = self.command("STATS")
        out = {}
        for ln in lines:
            k, _, v = ln.decode().partition(":")
            out[k.strip()] = float(v)
        return out

    def stored(self):
        return self.stats().get("DataSetsWritten", 0) * self.fields

    def counts(self):
        s = self.stats()
        return (s.get("UpdatesReceived", 0) * self.fields,
                s.get("DataSetsWritten", 0) * self.fields)

    def idle(self):
        return self.stats().get("QueueLength", 0) == 0

    def flushall(self):
        head, _ = self.command("FLUSHALL")
        return head


class LineSock:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def readline(self):
        while b"\n" not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                raise ConnectionError("rrdcached closed the connection")
            self.buf += d
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def close(self):
        self.sock.close()


# ---- measurement helpers -----------------------------------------------------

def proc_cpu(pid):
    """CPU seconds (user+system) of a process, all threads."""
    if not pid:
        return None
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """{tid: CPU seconds} of each thread of a process."""
    out = {}
    if not pid:
        return out
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[int(tid)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return out


def proc_mem(pid):
    """{'VmRSS': kB, 'VmHWM': kB} of a process."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


def self_cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def wait_stored(target, goal, timeout, poll=0.2):
    """Wait until the target reports GOAL values stored; returns the time or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if target.stored() >= goal and target.idle():
            return time.monotonic()
        time.sleep(poll)
    return None


class Sampler(threading.Thread):
    """Samples the target's accepted and stored counts each second."""

    def __init__(self, target, t_start):
        super().__init__(daemon=True)
        self.target, self.t_start = target, t_start
        self.base = target.counts()
        self.points = []		# (seconds, accepted, stored) since t_start
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(1.0):
            try:
                a, s = self.target.counts()
                self.points.append((round(time.monotonic() - self.t_start, 1),
                                    int(a - self.base[0]), int(s - self.base[1])))
            except Exception:		# a poll may time out under load: skip it
                pass

    def peak_accepted(self):
        """Highest accepted rate between two consecutive points."""
        best, prev = 0, (0.0, 0, 0)
        for p in self.points:
            if p[0] > prev[0]:
                best = max(best, (p[1] - prev[1]) / (p[0] - prev[0]))
            prev = p
        return round(best)


# ---- the run -------------------------------------------------------------------

def send_rounds(target, bodies, first, last, deadline, stats, errors):
    """Send each connection's bodies of rounds FIRST..LAST; one thread per connection."""
    def worker(i):
        conn = target.connect()
        ok = busy = reqs = 0
        for r, body, n in bodies[i]:
            if r < first or r > last:
                continue
            if deadline is not None and time.monotonic() > deadline:
                break
            while True:
                res = target.send(conn, body)
                reqs += 1
                if res == "busy":
                    busy += 1
                    time.sleep(0.02)
                    continue
                if res == "ok":
                    ok += n
                else:
                    errors.append(res)
                break
            if errors:
                break
        conn.close()
        stats[i] = (ok, busy, reqs)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(s[0] for s in stats.values()), sum(s[1] for s in stats.values()), \
        sum(s[2] for s in stats.values())


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", choices=["collector", "vm", "rrdcached"])
    p.add_argument("where", help="URL (collector, vm) or socket path (rrdcached)")
    p.add_argument("token", nargs="?", help="collector token")
    p.add_argument("--hosts", type=int, default=2000)
    p.add_argument("--fields", type=int, default=10)
    p.add_argument("--per-body", type=int, default=100, help="hosts per request")
    p.add_argument("--conns", type=int, default=4)
    p.add_argument("--rounds", type=int, default=400, help="timed rounds after round 0")
    p.add_argument("--t0", type=int, help="timestamp of round 0 (default: now - 6 h)")
    p.add_argument("--interval", type=int, default=10, help="X-Campusmon-Interval")
    p.add_argument("--max-seconds", type=float, default=120,
                   help="stop sending after this long (whole requests)")
    p.add_argument("--store-timeout", type=float, default=240,
                   help="longest wait for samples to reach storage")
    p.add_argument("--pid", type=int, help="target's pid, for its CPU time")
    p.add_argument("--after-round0", metavar="CMD",
                   help="command run (and waited for) once round 0 is stored, e.g. sync")
    p.add_argument("--on-timed", metavar="CMD",
                   help="command started when the timed rounds start (e.g. perf record "
                   "... -- sleep 30); waited for at the end")
    args = p.parse_args()
    if args.t0 is None:
        args.t0 = (int(time.time()) - 6 * 3600) // 10 * 10
    if args.t0 + 10 * args.rounds > time.time() + 60:
        p.error("rounds reach the future: lower --rounds or --t0")
    if args.target == "rrdcached":
        args.socket = args.where
        target = RrdcachedTarget(args)
    else:
        args.url = args.where
        target = (CollectorTarget if args.target == "collector" else VmTarget)(args)

    out = {"target": args.target, "hosts": args.hosts, "fields": args.fields,
           "series": args.hosts * args.fields, "conns": args.conns,
           "per_body_samples": args.per_body * args.fields, "t0": args.t0}
    t = time.monotonic()
    bodies = make_bodies(args)
    out["generate_s"] = round(time.monotonic() - t, 2)
    out["body_bytes_avg"] = round(sum(len(b) for c in bodies for _, b, _ in c) /
                                  sum(len(c) for c in bodies))
    errors = []

    if args.pid:
        m = proc_mem(args.pid)
        out["rss_before_kb"], out["hwm_before_kb"] = m["VmRSS"], m["VmHWM"]

    # Round 0: creates the series (and their RRD files); not timed.
    base = target.stored()
    t = time.monotonic()
    n0, _, _ = send_rounds(target, bodies, 0, 0, None, {}, errors)
    if errors:
        out["error"] = errors[0]
        print(json.dumps(out))
        return 1
    if args.target == "rrdcached":
        target.flushall()
    t_done = wait_stored(target, base + n0, args.store_timeout, poll=0.5)
    out["round0_samples"] = n0
    out["round0_to_storage_s"] = round(t_done - t, 2) if t_done else None
    if t_done is None:
        out["error"] = "round 0 did not reach storage in %ds" % args.store_timeout
        print(json.dumps(out))
        return 1
    if args.after_round0:
        t = time.monotonic()
        subprocess.run(shlex.split(args.after_round0), check=False)
        out["after_round0_s"] = round(time.monotonic() - t, 2)
    base = target.stored()

    # Timed rounds.
    side = None
    if args.on_timed:
        side = subprocess.Popen(shlex.split(args.on_timed), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    cpu0, pcpu0, tcpu0 = self_cpu(), proc_cpu(args.pid), thread_cpu(args.pid)
    t_start = time.monotonic()
    sampler = Sampler(target, t_start)
    sampler.start()
    stats = {}
    n, busy, reqs = send_rounds(target, bodies, 1, args.rounds,
                                t_start + args.max_seconds, stats, errors)
    t_acc = time.monotonic()
    cpu1, pcpu1 = self_cpu(), proc_cpu(args.pid)
    if args.target == "rrdcached":
        target.flushall()
    t_sto = wait_stored(target, base + n, args.store_timeout)
    pcpu2, tcpu2 = proc_cpu(args.pid), thread_cpu(args.pid)
    sampler.stop.set()
    sampler.join()
    if side is not None:
        side.wait()

    acc_s = t_acc - t_start
    out.update({
        "samples": n, "requests": reqs, "busy_retries": busy,
        "rounds_sent": round(n / (args.hosts * args.fields), 2),
        "accept_s": round(acc_s, 3),
        "accepted_per_s": round(n / acc_s),
        "loader_cpu_s": round(cpu1 - cpu0, 2),
        "loader_cpu_pct_of_core": round(100 * (cpu1 - cpu0) / acc_s, 1),
    })
    if args.pid:
        out["target_cpu_accept_s"] = round(pcpu1 - pcpu0, 2)
        out["target_cpu_total_s"] = round(pcpu2 - pcpu0, 2)
        out["target_threads_cpu_s"] = {
            ("main" if tid == args.pid else str(tid)): round(v - tcpu0.get(tid, 0), 2)
            for tid, v in sorted(tcpu2.items()) if v - tcpu0.get(tid, 0) >= 0.05}
    if t_sto is not None:
        out["stored_s"] = round(t_sto - t_start, 3)
        out["stored_per_s"] = round(n / (t_sto - t_start))
    else:
        out["error"] = "samples did not reach storage within %ds" % args.store_timeout
    if args.pid:
        m = proc_mem(args.pid)
        out["rss_after_kb"], out["hwm_after_kb"] = m["VmRSS"], m["VmHWM"]
    out["peak_accepted_per_s"] = sampler.peak_accepted()
    out["timeline_s_accepted_stored"] = sampler.points
    if errors:
        out["error"] = errors[0]
    print(json.dumps(out))
    return 0 if "error" not in out else 1


if __name__ == "__main__":
    sys.exit(main())
