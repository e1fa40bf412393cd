"""bench/plugins: CPU per plugin read, campusmon-agent against collectd, same servers, same interval.

The servers (PostgreSQL, redis, nginx, apache2) come from tests/integration/plugin_servers.py.
For each pair an agent with that one plugin (every host source disabled) and a collectd with
the matching plugin run side by side, all at the same time, plus one agent and one collectd with
no plugin at all (the baseline: the timer, the agent's own counters and its HTTPS post to a sink;
collectd's read loop). CPU is every thread's on-CPU time from /proc/PID/task/*/schedstat over the
window (bench/agent/bench.py's cpu_ns); per read = (peer − its baseline) ÷ reads.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, "bench", "agent"))
os.environ.setdefault("CAMPUSMON_BUILD", os.path.join(REPO, "build"))

import bench as agent_bench                                          # noqa: E402
from plugin_servers import start_apache, start_nginx, start_postgres, start_redis  # noqa: E402

DISABLE = "disable: [cpu, mem, system, processes, diskio, disk, net, netstat, inventory]\n"


def private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


class Proc:
    def __init__(self, name, argv):
        self.name, self.argv, self.proc = name, argv, None

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def pids(self):
        return [self.proc.pid] if self.proc and self.proc.poll() is None else []

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def agent(tmp, args, sink, name, plugin_yaml):
    d = os.path.join(tmp, "agent-" + name)
    os.mkdir(d)
    cfg = private(os.path.join(d, "agent.yaml"),
                  "collector:\n  url: %s\n  token: bench\n  ca_path: %s\ninterval: %ds\n"
                  "host: bench-%s\nspool:\n  dir: %s/spool\n%s%s"
                  % (sink.url, sink.capath, args.interval, name, d, DISABLE,
                     ("plugins:\n" + plugin_yaml) if plugin_yaml else ""))
    return Proc("campusmon-agent " + name, [args.agent, "-c", cfg])


def collectd(tmp, args, name, plugin_conf):
    d = os.path.join(tmp, "collectd-" + name)
    os.mkdir(d)
    cfg = private(os.path.join(d, "collectd.conf"),
                  'Hostname "bench-%s"\nFQDNLookup false\nInterval %d\nBaseDir "%s"\n'
                  'PIDFile "%s/pid"\nPluginDir "/usr/lib/collectd"\nTypesDB '
                  '"/usr/share/collectd/types.db"\nLoadPlugin logfile\n'
                  '<Plugin logfile>\n File "%s/log"\n</Plugin>\n%s'
                  % (name, args.interval, d, d, d, plugin_conf))
    return Proc("collectd " + name, ["/usr/sbin/collectd", "-f", "-C", cfg])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", required=True)
    ap.add_argument("--interval", type=int, default=1)
    ap.add_argument("--window", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="cm-bench-plugins-")
    os.chmod(tmp, 0o755)
    servers, procs = [], []
    try:
        pg = start_postgres(tmp)
        servers.append(pg)
        rd = start_redis(tmp)
        servers.append(rd)
        ng = start_nginx(tmp)
        servers.append(ng)
        ap_ = start_apache(tmp)
        servers.append(ap_)
        sink = agent_bench.Sink(tmp)
        pgpass = private(os.path.join(tmp, "pgpass"),
                         "127.0.0.1:%d:*:campusmon:pg-secret\n" % pg.port)
        rpw = private(os.path.join(tmp, "rpw"), "redis-secret\n")
        pairs = {
            "postgresql": (
                "  - {plugin: postgresql, name: pg, dsn: \"host=127.0.0.1 port=%d user=campusmon "
                "dbname=postgres passfile=%s\"}\n" % (pg.port, pgpass),
                "LoadPlugin postgresql\n<Plugin postgresql>\n <Database postgres>\n"
                "  Host \"127.0.0.1\"\n  Port \"%d\"\n  User \"campusmon\"\n"
                "  Password \"pg-secret\"\n </Database>\n</Plugin>\n" % pg.port),
            "redis": (
                "  - {plugin: redis, name: r, address: \"127.0.0.1:%d\", password_file: %s}\n"
                % (rd.port, rpw),
                "LoadPlugin redis\n<Plugin redis>\n <Node \"r\">\n  Host \"127.0.0.1\"\n"
                "  Port \"%d\"\n  Password \"redis-secret\"\n </Node>\n</Plugin>\n" % rd.port),
            "nginx": (
                "  - {plugin: nginx, name: n, url: \"http://127.0.0.1:%d/nginx_status\"}\n"
                % ng.port,
                "LoadPlugin nginx\n<Plugin nginx>\n URL \"http://127.0.0.1:%d/nginx_status\"\n"
                "</Plugin>\n" % ng.port),
            "apache": (
                "  - {plugin: apache, name: a, url: \"http://127.0.0.1:%d/server-status?auto\"}\n"
                % ap_.port,
                "LoadPlugin apache\n<Plugin apache>\n <Instance \"a\">\n"
                "  URL \"http://127.0.0.1:%d/server-status?auto\"\n </Instance>\n</Plugin>\n"
                % ap_.port),
            "http vs curl": (
                "  - {plugin: http, name: h, url: \"http://127.0.0.1:%d/hello\", expect: campus}\n"
                % ng.port,
                "LoadPlugin curl\n<Plugin curl>\n <Page \"h\">\n"
                "  URL \"http://127.0.0.1:%d/hello\"\n  MeasureResponseTime true\n"
                "  MeasureResponseCode true\n  <Match>\n   Regex \"campus\"\n"
                "   DSType \"GaugeLast\"\n   Type \"gauge\"\n  </Match>\n </Page>\n</Plugin>\n"
                % ng.port),
            "tcp vs tcpconns": (
                "  - {plugin: tcp, name: t, address: \"127.0.0.1:%d\"}\n" % rd.port,
                "LoadPlugin tcpconns\n<Plugin tcpconns>\n ListeningPorts false\n"
                " LocalPort \"%d\"\n</Plugin>\n" % rd.port),
        }
        peers = [("baseline", agent(tmp, args, sink, "baseline", ""),
                  collectd(tmp, args, "baseline", ""))]
        for i, (name, (ay, cc)) in enumerate(pairs.items()):
            peers.append((name, agent(tmp, args, sink, "p%d" % i, ay),
                          collectd(tmp, args, "p%d" % i, cc)))
        for _, a, c in peers:
            procs += [a, c]
        for p in procs:
            p.start()
        time.sleep(args.warmup)
        start = {p.name: agent_bench.cpu_ns(p.pids()) for p in procs}
        t0 = time.time()
        time.sleep(args.window)
        used = {p.name: agent_bench.cpu_ns(p.pids()) - start[p.name] for p in procs}
        reads = (time.time() - t0) / args.interval
        dead = [p.name for p in procs if not p.pids()]
        base_a, base_c = used[peers[0][1].name], used[peers[0][2].name]
        rows = []
        for name, a, c in peers[1:]:
            ua = (used[a.name] - base_a) / reads / 1e6
            uc = (used[c.name] - base_c) / reads / 1e6
            rows.append({"plugin": name, "agent_ms_per_read": round(ua, 3),
                         "collectd_ms_per_read": round(uc, 3),
                         "ratio": round(ua / uc, 2) if uc > 0 else None})
        res = {"interval_s": args.interval, "window_s": args.window, "reads": round(reads, 1),
               "baseline_ms_per_cycle": {"agent": round(base_a / reads / 1e6, 3),
                                         "collectd": round(base_c / reads / 1e6, 3)},
               "rows": rows, "dead": dead, "date": time.strftime("%Y-%m-%d %H:%M %Z"),
               "collectd": subprocess.run(["/usr/sbin/collectd", "-h"], capture_output=True,
                                          text=True).stdout.splitlines()[-1:]}
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(res, f, indent=1)
        md = ["# bench/plugins results", "",
              "Generated by `bench/plugins/run.sh` on %s: interval %d s, window %.0f s (%.0f reads),"
              " all peers at once on a 2-CPU VM shared with other work." % (
                  res["date"], args.interval, args.window, reads), "",
              "Baseline per cycle (no plugin): agent %.3f ms, collectd %.3f ms; subtracted below."
              % (res["baseline_ms_per_cycle"]["agent"], res["baseline_ms_per_cycle"]["collectd"]),
              "", "| plugin (agent vs collectd) | agent ms per read | collectd ms per read | "
              "ratio agent ÷ collectd |", "| --- | --- | --- | --- |"]
        for r in rows:
            md.append("| %s | %.3f | %.3f | %s |" % (r["plugin"], r["agent_ms_per_read"],
                                                    r["collectd_ms_per_read"], r["ratio"]))
        if dead:
            md += ["", "Peers that exited early (their figures mean nothing): " + ", ".join(dead)]
        md += ["", "Method and caveats: README.md. Raw numbers: results.json.", ""]
        with open(os.path.join(args.out, "results.md"), "w") as f:
            f.write("\n".join(md))
        print("\n".join(md))
    finally:
        for p in procs:
            p.stop()
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
