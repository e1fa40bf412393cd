#!/usr/bin/python3
"""bench/api — the JSON API under load, side by side with nginx serving the same bodies.

Sets up a real collector with 2,000 devices in the inventory (one polled through snmpsimd
from ../shared/devices/switch-huawei-s5720.snmprec, so its interface list is real; the
others not monitored, so polling does not compete for the CPU), then measures with wrk on
loopback the requests per second and p99 latency of GET /api/v1/devices and of that
switch's GET /api/v1/devices/{id}/interfaces — and of nginx (one worker, as the collector
has one loop thread) serving the very same bytes as static files, the ceiling.
Writes bench/api/results.md. Target (issue 5): at least 50% of nginx's rate.

Usage: bench/api/run.py [--build DIR] [--seconds 10] [--connections 16]
Needs: wrk, nginx, snmpsimd (Debian packages wrk, nginx, snmpsim).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared"))
TOKEN = "bench-token"
DEVICES = 2000
RECORDING = "switch-huawei-s5720"


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    sys.exit("bench: timed out waiting for " + what)


def call(base, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + TOKEN,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read()


def wrk(url, seconds, connections, token=None):
    cmd = ["wrk", "-t1", "-c%d" % connections, "-d%ds" % seconds, "--latency", url]
    if token:
        cmd[1:1] = ["-H", "Authorization: Bearer " + token]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(errors.group(1)) if errors else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.environ.get("CAMPUSMON_BUILD", os.path.join(REPO, "build")))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    args = ap.parse_args()
    for tool in ("wrk", "nginx", "snmpsimd"):
        if not shutil.which(tool):
            # bench-only peers: installed here, never by scripts/install-deps.sh
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk", "nginx", "snmpsim"],
                           check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
            break
    tmp = tempfile.mkdtemp(prefix="cm-bench-api-")
    os.chmod(tmp, 0o777)
    procs = []
    try:
        # snmpsimd with the one recording (it refuses root: it drops to nobody)
        sim = os.path.join(tmp, "sim")
        os.makedirs(os.path.join(sim, "data"))
        os.makedirs(os.path.join(sim, "cache"))
        shutil.copy(os.path.join(SHARED, "devices", RECORDING + ".snmprec"), os.path.join(sim, "data"))
        for d in (sim, os.path.join(sim, "data"), os.path.join(sim, "cache")):
            os.chmod(d, 0o777)
        udp = free_port(socket.SOCK_DGRAM)
        cmd = ["snmpsimd", "--data-dir=" + os.path.join(sim, "data"),
               "--cache-dir=" + os.path.join(sim, "cache"), "--agent-udpv4-endpoint=127.0.0.1:%d" % udp]
        if os.geteuid() == 0:
            cmd += ["--process-user=nobody", "--process-group=nogroup"]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

        # the collector
        log = open(os.path.join(tmp, "collector.log"), "w")
        env = dict(os.environ, CAMPUSMON_BOOTSTRAP_TOKEN=TOKEN)
        col = subprocess.Popen([os.path.join(args.build, "collector", "campusmon-collector"),
                                "--listen", "127.0.0.1:0", "--data-dir", os.path.join(tmp, "data")],
                               stdout=log, stderr=subprocess.STDOUT, env=env)
        procs.append(col)

        def bound():
            text = open(os.path.join(tmp, "collector.log")).read()
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
            return m and " ready" in text and int(m.group(1))
        base = "http://127.0.0.1:%d" % wait_for(bound, 20, "the collector")

        # the inventory: one polled switch and 1,999 devices that are not polled
        t0 = time.time()
        _, body = call(base, "POST", "/api/v1/devices", {
            "name": "bench-switch", "address": "127.0.0.1", "port": udp, "kind": "switch",
            "building": "Library", "room": "B1", "snmp": {"version": "2c", "community": RECORDING}})
        switch = json.loads(body)["id"]
        for i in range(1, DEVICES):
            call(base, "POST", "/api/v1/devices", {
                "name": "bench-%04d" % i, "address": "127.1.%d.%d" % (i // 256, i % 256),
                "kind": ["switch", "ap", "server", "ups", "sensor"][i % 5], "monitored": False,
                "building": "B%d" % (i % 40), "room": "R%d" % (i % 7),
                "snmp": {"version": "2c", "community": "public"}})
        added = time.time() - t0

        def polled():
            _, b = call(base, "GET", "/api/v1/devices/%s/interfaces" % switch)
            return len(json.loads(b)) > 10 and b
        interfaces = wait_for(polled, 120, "the switch's first poll")
        _, devices = call(base, "GET", "/api/v1/devices")
        assert len(json.loads(devices)) == DEVICES

        # nginx: one worker, the same bytes as static files
        www = os.path.join(tmp, "www")
        os.makedirs(www)
        with open(os.path.join(www, "devices.json"), "wb") as f:
            f.write(devices)
        with open(os.path.join(www, "interfaces.json"), "wb") as f:
            f.write(interfaces)
        for root, dirs, files in os.walk(tmp):
            for n in dirs + files:
                os.chmod(os.path.join(root, n), 0o755)
        nport = free_port()
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""worker_processes 1;
daemon off;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/nginx-error.log;
%(user)s
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %(tmp)s/ncb; proxy_temp_path %(tmp)s/np; fastcgi_temp_path %(tmp)s/nf;
  uwsgi_temp_path %(tmp)s/nu; scgi_temp_path %(tmp)s/ns;
  types { application/json json; }
  server { listen 127.0.0.1:%(port)d; root %(www)s; }
}
""" % {"tmp": tmp, "www": www, "port": nport,
       "user": "user nobody nogroup;" if os.geteuid() == 0 else ""})
        procs.append(subprocess.Popen(["nginx", "-c", conf, "-p", tmp],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        nbase = "http://127.0.0.1:%d" % nport
        wait_for(lambda: subprocess.run(["wrk", "-t1", "-c1", "-d1s", nbase + "/devices.json"],
                                        capture_output=True).returncode == 0, 20, "nginx")

        rows = []
        for what, cpath, npath, body in (
                ("GET /api/v1/devices (2,000 devices)", "/api/v1/devices", "/devices.json", devices),
                ("GET /api/v1/devices/{id}/interfaces (%d ports)" % len(json.loads(interfaces)),
                 "/api/v1/devices/%s/interfaces" % switch, "/interfaces.json", interfaces)):
            c = wrk(base + cpath, args.seconds, args.connections, TOKEN)
            n = wrk(nbase + npath, args.seconds, args.connections)
            rows.append((what, len(body), c, n))

        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        lines = ["# bench/api results", "",
                 "`bench/api/run.py` on %s: %s, %d cores, %s; wrk 1 thread, %d connections, %d s per run, "
                 "loopback. The collector's rate includes checking the Bearer token on every request."
                 % (datetime.date.today().isoformat(), cpu, os.cpu_count(), platform.platform(),
                    args.connections, args.seconds), "",
                 "| request | body | campusmon req/s | p99 | nginx req/s | p99 | campusmon ÷ nginx |",
                 "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        ok = True
        for what, size, c, n in rows:
            ratio = c[0] / n[0]
            ok = ok and ratio >= 0.5 and c[2] == 0 and n[2] == 0
            lines.append("| %s | %d B | %.0f | %.2f ms | %.0f | %.2f ms | %.0f%% |"
                         % (what, size, c[0], c[1], n[0], n[1], 100 * ratio))
        lines += ["", "Target: at least 50%% of nginx's rate — %s. Adding the 2,000 devices took %.1f s."
                  % ("met" if ok else "NOT met", added), ""]
        text = "\n".join(lines)
        print(text)
        with open(os.path.join(HERE, "results.md"), "w") as f:
            f.write(text)
        return 0 if ok else 1
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM if p.args[0] != "nginx" else signal.SIGQUIT)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
