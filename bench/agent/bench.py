#!/usr/bin/python3
"""bench.py — campusmon-agent side by side with collectd, node_exporter and zabbix_agentd.

All four run at the same time, each under the same interval, for each phase
(interval:seconds, default 10 s for 300 s, then 1 s for 120 s):

  campusmon-agent   pushes over HTTPS (a hashed CA directory, as deployed) to a sink here
  collectd          cpu, memory, disk, interface, load, df; write_http over HTTPS to the sink
  node_exporter     Debian defaults; scraped here once per interval
  zabbix_agentd     passive checks for the same metrics, polled here once per interval

CPU is the on-CPU time of every thread of every process of a peer (sum of
/proc/PID/task/*/schedstat), taken over the measuring window after a warm-up,
divided by the cycles (or scrapes, or polling rounds) in that window. Memory is
read from /proc/PID/status at the end of the window (summed over processes for
zabbix_agentd): RssAnon (the process's own memory), VmRSS and VmHWM (peak,
shared libraries included).

Usage: bench.py --agent PATH [--phases 10:300,1:120] [--warmup 15] [--out DIR]
"""
import argparse
import http.server
import json
import os
import platform
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def low_free_port():
    import random
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                pass
    raise SystemExit("no free port in 20000-32000")


# ---- measuring ------------------------------------------------------------------------------

def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
                if int(st.rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def cpu_ns(pids):
    total = 0
    for pid in pids:
        try:
            for tid in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def status_kb(pids, keys=("RssAnon", "VmRSS", "VmHWM")):
    out = dict.fromkeys(keys, 0)
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    k = line.split(":")[0]
                    if k in out:
                        out[k] += int(line.split()[1])
        except OSError:
            pass
    return out


# ---- the sink (HTTPS, answers 204) ----------------------------------------------------------

class Sink:
    def __init__(self, tmp):
        self.count = {}
        self.lock = threading.Lock()
        sink = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with sink.lock:
                    key = self.path.split("?")[0]
                    sink.count[key] = sink.count.get(key, 0) + 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.ca = os.path.join(tmp, "ca.pem")
        key = os.path.join(tmp, "ca.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", self.ca,
                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                        "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        self.capath = os.path.join(tmp, "capath")
        os.mkdir(self.capath)
        shutil.copy(self.ca, os.path.join(self.capath, "bench-ca.pem"))
        subprocess.run(["openssl", "rehash", self.capath], check=True, capture_output=True)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.ca, key)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.url = "https://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


# ---- the peers -------------------------------------------------------------------------------

class Peer:
    name = "?"
    unit = "cycle"

    def __init__(self, tmp, interval):
        self.tmp = os.path.join(tmp, "".join(c if c.isalnum() or c in "-_" else "_"
                                             for c in self.name))
        os.makedirs(self.tmp, exist_ok=True)
        os.chmod(self.tmp, 0o777)
        self.interval = interval
        self.proc = None
        self.rounds = 0
        self.stop_poll = threading.Event()

    def pids(self):
        return [self.proc.pid] + children(self.proc.pid)

    def start(self):
        self.log = open(os.path.join(self.tmp, "log"), "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=self.log,
                                     env=self.env())
        time.sleep(0.5)
        if self.proc.poll() is not None:
            raise SystemExit("%s exited: %s" % (self.name, open(self.log.name).read()))
        if hasattr(self, "poll_once"):
            threading.Thread(target=self.poller, daemon=True).start()

    def env(self):
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}

    def poller(self):
        nxt = time.time()
        while not self.stop_poll.is_set():
            nxt += self.interval
            try:
                self.poll_once()
                self.rounds += 1
            except OSError as e:
                print("%s: poll failed: %s" % (self.name, e), file=sys.stderr)
            time.sleep(max(0, nxt - time.time()))

    def stop(self):
        self.stop_poll.set()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def version(self):
        return ""


class CampusmonAgent(Peer):
    name = "campusmon-agent"

    def __init__(self, tmp, interval, binary, sink, same_as_collectd=False, every_cycle=False):
        if same_as_collectd:
            self.name = "campusmon-agent (collectd's set)"
        if every_cycle:     # before issue 15: processes and netstat every cycle
            self.name = "campusmon-agent (slow_interval 0)"
        super().__init__(tmp, interval)
        self.binary = binary
        cfg = os.path.join(self.tmp, "agent.yaml")
        with open(cfg, "w") as f:
            f.write("collector:\n  url: %s\n  token: bench\n  ca_path: %s\ninterval: %ds\n"
                    "host: bench\nspool:\n  dir: %s/spool\n" % (sink.url, sink.capath, interval,
                                                             self.tmp))
            if same_as_collectd:
                f.write("disable: [processes, netstat, inventory]\n")
            if every_cycle:
                f.write("slow_interval: 0\n")
        os.chmod(cfg, 0o600)
        self.cfg = cfg

    def command(self):
        return [self.binary, "-c", self.cfg]

    def version(self):
        return subprocess.run([self.binary, "-V"], capture_output=True, text=True).stdout.strip()


class Collectd(Peer):
    name = "collectd"

    def __init__(self, tmp, interval, sink):
        super().__init__(tmp, interval)
        self.cfg = os.path.join(self.tmp, "collectd.conf")
        ignore = "\n".join('  FSType "%s"' % t for t in (
            "proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "cgroup", "cgroup2", "overlay",
            "squashfs", "autofs", "mqueue", "debugfs", "tracefs", "securityfs", "pstore",
            "bpf", "configfs", "fusectl", "hugetlbfs", "binfmt_misc", "nsfs"))
        with open(self.cfg, "w") as f:
            f.write("""Hostname "bench"
FQDNLookup false
BaseDir "%(tmp)s"
PIDFile "%(tmp)s/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
Interval %(iv)d
LoadPlugin cpu
LoadPlugin memory
LoadPlugin disk
LoadPlugin interface
LoadPlugin load
LoadPlugin df
LoadPlugin write_http
<Plugin cpu>
  ReportByCpu true
  ReportByState true
  ValuesPercentage true
</Plugin>
<Plugin df>
%(ignore)s
  IgnoreSelected true
  ValuesPercentage true
  ReportInodes true
</Plugin>
<Plugin interface>
  Interface "lo"
  IgnoreSelected true
</Plugin>
<Plugin write_http>
  <Node "sink">
    URL "%(url)s/collectd"
    Format "JSON"
    CACert "%(ca)s"
    VerifyPeer true
    VerifyHost true
    StoreRates true
  </Node>
</Plugin>
""" % {"tmp": self.tmp, "iv": interval, "ignore": ignore, "url": sink.url, "ca": sink.ca})

    def command(self):
        return ["/usr/sbin/collectd", "-f", "-C", self.cfg]

    def version(self):
        import re
        r = subprocess.run(["/usr/sbin/collectd", "-h"], capture_output=True, text=True)
        m = re.search(r"collectd \d+\.\d+[.\d]*", r.stdout + r.stderr)
        return m.group(0) if m else "collectd"


class NodeExporter(Peer):
    name = "node_exporter"
    unit = "scrape"

    def __init__(self, tmp, interval):
        super().__init__(tmp, interval)
        self.port = free_port()

    def command(self):
        return ["/usr/bin/prometheus-node-exporter",
                "--web.listen-address=127.0.0.1:%d" % self.port]

    def poll_once(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.port, timeout=10) as r:
            r.read()

    def version(self):
        r = subprocess.run(["/usr/bin/prometheus-node-exporter", "--version"],
                           capture_output=True, text=True)
        return (r.stdout or r.stderr).splitlines()[0].strip()


def busy_disk():
    with open("/proc/diskstats") as f:
        for line in f:
            p = line.split()
            if not p[2].startswith(("loop", "ram")) and int(p[3]) + int(p[7]) > 0:
                return p[2]
    return "sda"


def first_interface():
    for name in sorted(os.listdir("/sys/class/net")):
        if name != "lo":
            return name
    return "lo"


class ZabbixAgent(Peer):
    name = "zabbix_agentd"
    unit = "round"

    def __init__(self, tmp, interval):
        super().__init__(tmp, interval)
        self.port = low_free_port()     # zabbix_agentd takes 1024-32767 only
        self.cfg = os.path.join(self.tmp, "zabbix_agentd.conf")
        with open(self.cfg, "w") as f:
            f.write("PidFile=%s/zabbix_agentd.pid\nLogType=console\nServer=127.0.0.1\n"
                    "ListenIP=127.0.0.1\nListenPort=%d\nStartAgents=3\nHostname=bench\n"
                    "Timeout=10\n" % (self.tmp, self.port))
        disk, nic = busy_disk(), first_interface()
        self.keys = [
            "system.cpu.util[,user]", "system.cpu.util[,system]", "system.cpu.util[,idle]",
            "system.cpu.util[,iowait]", "system.cpu.util[,steal]",
            "system.cpu.load[all,avg1]", "system.cpu.load[all,avg5]",
            "system.cpu.load[all,avg15]",
            "vm.memory.size[total]", "vm.memory.size[available]", "vm.memory.size[used]",
            "system.swap.size[,used]",
            "vfs.fs.size[/,total]", "vfs.fs.size[/,used]", "vfs.fs.size[/,free]",
            "vfs.fs.inode[/,pused]",
            "vfs.dev.read[%s,ops]" % disk, "vfs.dev.write[%s,ops]" % disk,
            "vfs.dev.read[%s,sps]" % disk, "vfs.dev.write[%s,sps]" % disk,
            "net.if.in[%s]" % nic, "net.if.out[%s]" % nic,
            "net.if.in[%s,packets]" % nic, "net.if.out[%s,packets]" % nic,
            "net.if.in[%s,errors]" % nic, "net.if.out[%s,errors]" % nic,
        ]

    def command(self):
        return ["/usr/sbin/zabbix_agentd", "-f", "-c", self.cfg]

    def query(self, key):
        data = key.encode()
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"ZBXD\x01" + struct.pack("<II", len(data), 0) + data)
            buf = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
        return buf[13:]

    def poll_once(self):
        for k in self.keys:
            self.query(k)

    def version(self):
        r = subprocess.run(["/usr/sbin/zabbix_agentd", "-V"], capture_output=True, text=True)
        return r.stdout.splitlines()[0].strip()


# ---- a phase -------------------------------------------------------------------------------------

def phase(args, tmp, sink, interval, seconds):
    peers = [CampusmonAgent(tmp, interval, args.agent, sink),
             CampusmonAgent(tmp, interval, args.agent, sink, same_as_collectd=True),
             CampusmonAgent(tmp, interval, args.agent, sink, every_cycle=True),
             Collectd(tmp, interval, sink), NodeExporter(tmp, interval)]
    if not args.no_zabbix:
        peers.append(ZabbixAgent(tmp, interval))
    try:
        for p in peers:
            p.start()
        time.sleep(args.warmup)
        t0 = time.time()
        start = {p.name: (cpu_ns(p.pids()), p.rounds) for p in peers}
        time.sleep(seconds)
        t1 = time.time()
        rows = []
        for p in peers:
            pids = p.pids()
            used = cpu_ns(pids) - start[p.name][0]
            rounds = (p.rounds - start[p.name][1]) if hasattr(p, "poll_once") \
                else (t1 - t0) / interval
            mem = status_kb(pids)
            rows.append({"peer": p.name, "interval_s": interval, "window_s": round(t1 - t0, 1),
                         "unit": p.unit, "rounds": round(rounds, 1), "processes": len(pids),
                         "cpu_ms_total": round(used / 1e6, 2),
                         "cpu_ms_per_round": round(used / 1e6 / max(rounds, 1), 3),
                         "cpu_percent": round(100 * used / 1e9 / (t1 - t0), 3),
                         "rss_anon_kb": mem["RssAnon"], "vm_rss_kb": mem["VmRSS"],
                         "vm_hwm_kb": mem["VmHWM"], "version": p.version()})
        return rows
    finally:
        for p in peers:
            p.stop()


def markdown(results, env):
    out = ["# campusmon-agent benchmark results", "",
           "Generated by `bench/agent/run.sh` (bench.py) on %s." % env["date"], "",
           "| machine | %s |" % env["machine"], "| --- | --- |"]
    for k in ("kernel", "cpu", "campusmon-agent", "collectd", "node_exporter", "zabbix_agentd"):
        if env.get(k):
            out.append("| %s | %s |" % (k, env[k]))
    for iv in sorted({r["interval_s"] for r in results}, reverse=True):
        rows = [r for r in results if r["interval_s"] == iv]
        out += ["", "## Interval %d s (window %s s)" % (iv, rows[0]["window_s"]), "",
                "| peer | CPU per cycle/scrape (ms) | CPU % of one core | RssAnon (kB) | "
                "VmRSS (kB) | VmHWM (kB) | processes |",
                "| --- | --- | --- | --- | --- | --- | --- |"]
        for r in rows:
            out.append("| %s | %.3f per %s | %.3f | %d | %d | %d | %d |" % (
                r["peer"], r["cpu_ms_per_round"], r["unit"], r["cpu_percent"], r["rss_anon_kb"],
                r["vm_rss_kb"], r["vm_hwm_kb"], r["processes"]))
        me = next(r for r in rows if r["peer"] == "campusmon-agent")
        same = next(r for r in rows if r["peer"] == "campusmon-agent (collectd's set)")
        ne = next((r for r in rows if r["peer"] == "node_exporter"), None)
        cd = next((r for r in rows if r["peer"] == "collectd"), None)
        out += ["", "Targets at %d s:" % iv, ""]

        def verdict(a, b):
            return "met" if a <= b else "NOT met"
        if ne:
            out.append("- CPU per cycle ≤ 1/10 of node_exporter per scrape: all metrics %.3f, "
                       "collectd's set %.3f ≤ %.3f ms → %s, %s"
                       % (me["cpu_ms_per_round"], same["cpu_ms_per_round"],
                          ne["cpu_ms_per_round"] / 10,
                          verdict(me["cpu_ms_per_round"], ne["cpu_ms_per_round"] / 10),
                          verdict(same["cpu_ms_per_round"], ne["cpu_ms_per_round"] / 10)))
        if cd:
            out.append("- CPU per cycle ≤ collectd's for the same metrics: %.3f ≤ %.3f ms → %s"
                       % (same["cpu_ms_per_round"], cd["cpu_ms_per_round"],
                          verdict(same["cpu_ms_per_round"], cd["cpu_ms_per_round"])))
        if cd:
            every = next((r for r in rows if r["peer"] == "campusmon-agent (slow_interval 0)"), None)
            out.append("- Default set CPU per cycle ≤ collectd's (processes and netstat every "
                       "slow_interval = 60 s): %.3f ≤ %.3f ms → %s%s"
                       % (me["cpu_ms_per_round"], cd["cpu_ms_per_round"],
                          verdict(me["cpu_ms_per_round"], cd["cpu_ms_per_round"]),
                          "; with them every cycle (before): %.3f ms, ratio %.2f"
                          % (every["cpu_ms_per_round"],
                             every["cpu_ms_per_round"] / cd["cpu_ms_per_round"])
                          if every else ""))
        out.append("- RssAnon ≤ 2 MB (2048 kB): %d kB → %s"
                   % (me["rss_anon_kb"], "met" if me["rss_anon_kb"] <= 2048 else "NOT met"))
        out.append("- VmHWM ≤ 12 MB (12288 kB), libcurl and OpenSSL included: %d kB → %s"
                   % (me["vm_hwm_kb"], "met" if me["vm_hwm_kb"] <= 12288 else "NOT met"))
    out += ["", "Method: see bench/agent/README.md. Raw numbers: results.json.", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", required=True)
    ap.add_argument("--phases", default="10:300,1:120")
    ap.add_argument("--warmup", type=float, default=15)
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--no-zabbix", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="cm-bench-")
    os.chmod(tmp, 0o755)
    try:
        sink = Sink(tmp)
        results = []
        for ph in args.phases.split(","):
            iv, secs = (int(x) for x in ph.split(":"))
            print("phase: interval %d s for %d s" % (iv, secs), file=sys.stderr)
            results += phase(args, tmp, sink, iv, secs)
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
        env = {"date": time.strftime("%Y-%m-%d %H:%M %Z"),
               "machine": "%d CPUs, %s" % (os.cpu_count(), platform.machine()),
               "kernel": platform.release(), "cpu": cpu}
        for r in results:
            if r["interval_s"] == results[0]["interval_s"]:
                env[r["peer"]] = r["version"]
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump({"env": env, "results": results, "sink_requests": sink.count}, f, indent=1)
        with open(os.path.join(args.out, "results.md"), "w") as f:
            f.write(markdown(results, env))
        print(markdown(results, env))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
