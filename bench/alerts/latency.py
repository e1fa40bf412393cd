"""Sample -> webhook latency: campusmon against Prometheus + Alertmanager.

Each round makes one new alert and times from the moment the value is made
available (campusmon: the line-protocol POST; Prometheus: the exporter starts
serving it) to the moment the webhook receiver on loopback gets the firing
notification. Prints p50, p99 and max per system."""
import argparse
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

got = {}          # key -> arrival time (monotonic)
lock = threading.Lock()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hook(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        now = time.monotonic()
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        keys = []
        if "alerts" in body:                                  # Alertmanager
            keys = [a["labels"].get("round") for a in body["alerts"] if a.get("status") == "firing"]
        elif body.get("event") == "firing":                   # campusmon
            keys = [body["alert"]["device"]]
        with lock:
            for k in keys:
                got.setdefault(k, now)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def serve(handler):
    port = free_port()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, port


def wait(key, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with lock:
            if key in got:
                return got[key]
        time.sleep(0.002)
    return None


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def report(name, lat):
    if not lat:
        print("%s: no alert arrived" % name)
        return
    print("%s p50_ms %.0f p99_ms %.0f max_ms %.0f n %d" % (
        name, pct(lat, 50) * 1e3, pct(lat, 99) * 1e3, max(lat) * 1e3, len(lat)))


def run_campusmon(build, rounds, hook_port, tmp):
    port = free_port()
    conf = os.path.join(tmp, "collector.yaml")
    with open(conf, "w") as f:
        f.write("alerts:\n  defaults: false\n  rules:\n"
                "    - {name: hot, match: {measurement: bench, field: value}, warn: 30}\n"
                "notify:\n  channels:\n"
                "    - {name: hook, type: webhook, url: 'http://127.0.0.1:%d/hook'}\n" % hook_port)
    os.chmod(conf, 0o600)
    os.chmod(tmp, 0o755)
    env = dict(os.environ, CAMPUSMON_BOOTSTRAP_TOKEN="bench-token")
    p = subprocess.Popen([os.path.join(build, "collector", "campusmon-collector"), "-c", conf,
                          "--listen", "127.0.0.1:%d" % port, "--data-dir", os.path.join(tmp, "cm")],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/api/v1/health", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        time.sleep(1)
        lat = []
        for i in range(rounds):
            key = "cm-%d" % i
            body = ("bench,host=%s value=50 %d" % (key, int(time.time()))).encode()
            req = urllib.request.Request(url + "/api/v1/write?precision=s", data=body, method="POST",
                                         headers={"Authorization": "Bearer bench-token"})
            t0 = time.monotonic()
            urllib.request.urlopen(req, timeout=10).read()
            t = wait(key, 30)
            if t is not None:
                lat.append(t - t0)
        return lat
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(30)


class Exporter(http.server.BaseHTTPRequestHandler):
    rounds_on = []

    def log_message(self, *a):
        pass

    def do_GET(self):
        lines = ["# TYPE bench_value gauge"]
        for r in list(Exporter.rounds_on):
            lines.append('bench_value{round="%s"} 50' % r)
        out = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def run_prometheus(rounds, hook_port, tmp):
    exp, exp_port = serve(Exporter)
    am_port, prom_port = free_port(), free_port()
    am_conf = os.path.join(tmp, "am.yml")
    with open(am_conf, "w") as f:
        f.write("route:\n  receiver: hook\n  group_by: ['round']\n  group_wait: 0s\n"
                "  group_interval: 1s\n  repeat_interval: 1h\n"
                "receivers:\n  - name: hook\n    webhook_configs:\n"
                "      - url: 'http://127.0.0.1:%d/hook'\n" % hook_port)
    rules = os.path.join(tmp, "rules.yml")
    with open(rules, "w") as f:
        f.write("groups:\n  - name: bench\n    interval: 1s\n    rules:\n"
                "      - alert: hot\n        expr: bench_value > 30\n")
    prom_conf = os.path.join(tmp, "prom.yml")
    with open(prom_conf, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                "rule_files: ['%s']\n"
                "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:%d']\n"
                "scrape_configs:\n  - job_name: bench\n    static_configs:\n"
                "      - targets: ['127.0.0.1:%d']\n" % (rules, am_port, exp_port))
    am = subprocess.Popen(["prometheus-alertmanager", "--config.file", am_conf,
                           "--storage.path", os.path.join(tmp, "am"),
                           "--web.listen-address", "127.0.0.1:%d" % am_port,
                           "--cluster.listen-address", ""],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prom = subprocess.Popen(["prometheus", "--config.file", prom_conf,
                             "--storage.tsdb.path", os.path.join(tmp, "prom"),
                             "--web.listen-address", "127.0.0.1:%d" % prom_port],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(5)       # both up, first scrape done
        lat = []
        for i in range(rounds):
            key = "pr-%d" % i
            t0 = time.monotonic()
            Exporter.rounds_on.append(key)
            t = wait(key, 60)
            if t is not None:
                lat.append(t - t0)
        return lat
    finally:
        for p in (prom, am):
            p.send_signal(signal.SIGTERM)
            p.wait(30)
        exp.shutdown()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--rounds", type=int, default=40)
    a = ap.parse_args()
    hook, hook_port = serve(Hook)
    tmp = tempfile.mkdtemp(prefix="cm-bench-alerts-")
    try:
        cm = run_campusmon(a.build, a.rounds, hook_port, tmp)
        report("campusmon", cm)
        if shutil.which("prometheus") and shutil.which("prometheus-alertmanager"):
            pr = run_prometheus(a.rounds, hook_port, tmp)
            report("prometheus+alertmanager", pr)
            if cm and pr:
                print("ratio_p50 %.1fx ratio_p99 %.1fx" % (pct(pr, 50) / pct(cm, 50),
                                                           pct(pr, 99) / pct(cm, 99)))
        else:
            print("prometheus+alertmanager: not installed (run.sh installs them)")
    finally:
        hook.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
