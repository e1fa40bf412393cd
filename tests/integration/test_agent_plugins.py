"""The agent's database and middleware plugins against real servers on loopback.

Each server is started once per module with its own data directory and port:
PostgreSQL (initdb as the postgres user), MariaDB (mariadb-install-db +
mariadbd), redis-server, nginx, apache2, and Python HTTPS servers with
certificates made by openssl (valid, wrong host, self-signed, expired).
Readings come from `campusmon-agent --once` (line protocol on stdout), and the
stop/recovery test runs the agent against the real collector.
"""
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import http.server

import pytest

from conftest import BUILD, make_tmpdir, wait_for
from plugin_servers import (run, start_apache, start_mariadb, start_nginx, start_pg_standby,
                            start_postgres, start_redis)

AGENT = os.environ.get("CAMPUSMON_AGENT", os.path.join(BUILD, "agent", "campusmon-agent"))


def private(path, text, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


LINE_RE = re.compile(r'^([a-z_0-9]+),(\S*) (.*) \d+$')


def parse_lines(text):
    """Line protocol → [(measurement, {tags}, {fields})]; enough for our own output."""
    out = []
    for line in text.splitlines():
        m = LINE_RE.match(line)
        if not m:
            continue
        tags = dict(kv.split("=", 1) for kv in m.group(2).split(",") if "=" in kv)
        fields = {}
        for k, v in re.findall(r'([A-Za-z_0-9]+)=("(?:[^"\\]|\\.)*"|[^,]+)', m.group(3)):
            if v.startswith('"'):
                fields[k] = v[1:-1].replace('\\"', '"')
            elif v.endswith("i"):
                fields[k] = int(v[:-1])
            else:
                fields[k] = float(v)
        out.append((m.group(1), tags, fields))
    return out


def once(tmp, plugins):
    cfg = private(os.path.join(tmp, "agent-%d.yaml" % time.monotonic_ns()),
                  "disable: [cpu, mem, system, processes, diskio, disk, net, netstat, "
                  "inventory]\nplugins:\n" + plugins)
    p = subprocess.run([AGENT, "--once", "-c", cfg], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return parse_lines(p.stdout), p.stderr


def pick(lines, measurement, **tags):
    return [f for m, t, f in lines
            if m == measurement and all(t.get(k) == v for k, v in tags.items())]


# ---- servers (plugin_servers.py), once per module ------------------------------------------

@pytest.fixture(scope="module")
def tmp():
    d = make_tmpdir("cm-plugins-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _server(start):
    @pytest.fixture(scope="module")
    def fixture(tmp):
        srv = start(tmp)
        yield srv
        srv.stop()
    return fixture


postgres = _server(start_postgres)
mariadb = _server(start_mariadb)
redis = _server(start_redis)
nginx = _server(start_nginx)
apache = _server(start_apache)


def openssl(*args, cwd):
    run(["openssl"] + list(args), cwd=cwd)


@pytest.fixture(scope="module")
def https(tmp):
    """Four HTTPS servers: valid (our CA), wrong host, self-signed, expired."""
    d = os.path.join(tmp, "tls")
    os.mkdir(d)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=campusmon test CA", cwd=d)

    def signed(name, cn, san):
        openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
                name + ".csr", "-subj", "/CN=" + cn, cwd=d)
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=" + san + "\n")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "1", "-extfile", name + ".ext", "-out",
                name + ".pem", cwd=d)
    signed("valid", "127.0.0.1", "IP:127.0.0.1")
    signed("wronghost", "other.example", "DNS:other.example")
    signed("client", "campusmon-agent", "DNS:agent.campus.test")
    os.chmod(os.path.join(d, "client.key"), 0o600)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out",
            "self.pem", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
            "subjectAltName=IP:127.0.0.1", cwd=d)
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "expired.key", "-out",
            "expired.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = d\n[d]\ndatabase = idx.txt\nnew_certs_dir = .\n"
                "serial = serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n")
    open(os.path.join(d, "idx.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("01\n")
    openssl("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in",
            "expired.csr", "-out", "expired.pem", "-startdate", "20200101000000Z", "-enddate",
            "20200102000000Z", "-notext", cwd=d)

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "6")
            self.end_headers()
            self.wfile.write(b"hello\n")

        def log_message(self, *a):
            pass

    servers, ports = [], {}
    for name in ("valid", "wronghost", "self", "expired", "mtls"):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert = "valid" if name == "mtls" else name
        ctx.load_cert_chain(os.path.join(d, cert + ".pem"), os.path.join(d, cert + ".key"))
        if name == "mtls":      # asks for a client certificate from our CA
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(os.path.join(d, "ca.pem"))
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        ports[name] = srv.server_address[1]
    yield {"dir": d, "ca": os.path.join(d, "ca.pem"), "ports": ports}
    for s in servers:
        s.shutdown()
        s.server_close()


# ---- tests -------------------------------------------------------------------------------

def test_databases_report_with_telegraf_names(tmp, postgres, mariadb, redis):
    pgpass = private(os.path.join(tmp, "pgpass"), "127.0.0.1:%d:*:campusmon:pg-secret\n"
                     % postgres.port)
    pgbad = private(os.path.join(tmp, "pgbad"), "127.0.0.1:%d:*:campusmon:wrong\n"
                    % postgres.port)
    mypw = private(os.path.join(tmp, "mypw"), "my-secret\n")
    mybad = private(os.path.join(tmp, "mybad"), "nope\n")
    rpw = private(os.path.join(tmp, "rpw"), "redis-secret\n")
    rbad = private(os.path.join(tmp, "rbad"), "nope\n")
    dsn = "host=127.0.0.1 port=%d user=campusmon dbname=postgres passfile=%%s" % postgres.port
    lines, log = once(tmp, (
        "  - {plugin: postgresql, name: pg, dsn: \"%s\"}\n"
        "  - {plugin: postgresql, name: pgbad, dsn: \"%s\"}\n"
        "  - {plugin: mysql, name: my, host: 127.0.0.1, port: %d, user: campusmon,"
        " password_file: %s}\n"
        "  - {plugin: mysql, name: mydsn, dsn: \"campusmon@tcp(127.0.0.1:%d)/\","
        " password_file: %s}\n"
        "  - {plugin: mysql, name: mybad, host: 127.0.0.1, port: %d, user: campusmon,"
        " password_file: %s}\n"
        "  - {plugin: redis, name: r, address: \"127.0.0.1:%d\", password_file: %s}\n"
        "  - {plugin: redis, name: rbad, address: \"127.0.0.1:%d\", password_file: %s}\n"
        % (dsn % pgpass, dsn % pgbad, mariadb.port, mypw, mariadb.port, mypw, mariadb.port,
           mybad, redis.port, rpw, redis.port, rbad)))

    pg = pick(lines, "postgresql", instance="pg")
    server = [f for f in pg if "max_connections" in f][0]
    assert server["up"] == 1 and server["max_connections"] == 100
    assert server["is_standby"] == 0 and server["connections_total"] >= 1
    assert "longest_query_s" in server and "longest_transaction_s" in server
    dbs = {t["db"]: f for m, t, f in lines if m == "postgresql" and t.get("instance") == "pg"
           and "db" in t}
    assert "app" in dbs and dbs["app"]["database_size"] > 1000000
    assert pick(lines, "postgresql_locks", instance="pg", mode="AccessShareLock")
    bad = pick(lines, "postgresql", instance="pgbad")[0]
    assert bad["up"] == 0 and "password authentication failed" in bad["error"]
    assert "pgbad" in log and "password authentication failed" in log

    for name in ("my", "mydsn"):
        my = pick(lines, "mysql", instance=name)[0]
        assert my["up"] == 1 and my["max_connections"] == 151, my
        assert my["threads_connected"] >= 1 and my["uptime"] >= 0
        assert my["innodb_buffer_pool_pages_total"] > 0
    bad = pick(lines, "mysql", instance="mybad")[0]
    assert bad["up"] == 0 and "Access denied" in bad["error"]

    r = pick(lines, "redis", instance="r")[0]
    assert r["up"] == 1 and r["replication_role"] == "master" and r["used_memory"] > 0
    assert r["rdb_last_bgsave_ok"] == 1
    bad = pick(lines, "redis", instance="rbad")[0]
    assert bad["up"] == 0 and ("WRONGPASS" in bad["error"] or "invalid password" in bad["error"])


def test_web_servers_and_checks(tmp, nginx, apache):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)                 # accepts but never answers
    sport = silent.getsockname()[1]
    try:
        lines, log = once(tmp, (
            "  - {plugin: nginx, name: n, url: \"http://127.0.0.1:%d/nginx_status\"}\n"
            "  - {plugin: apache, name: a, url: \"http://127.0.0.1:%d/server-status?auto\"}\n"
            "  - {plugin: apache, name: notstatus, url: \"http://127.0.0.1:%d/big\"}\n"
            "  - {plugin: http, name: hello, url: \"http://127.0.0.1:%d/hello\", expect: campus}\n"
            "  - {plugin: http, name: moved, url: \"http://127.0.0.1:%d/moved\","
            " follow_redirects: true, expect: nothere}\n"
            "  - {plugin: http, name: hang, timeout: 1s, url: \"http://127.0.0.1:%d/\"}\n"
            "  - {plugin: tcp, name: t, address: \"127.0.0.1:%d\", send: \"GET /hello HTTP/1.0"
            "\\r\\n\\r\\n\", expect: campus}\n"
            "  - {plugin: tcp, name: thang, timeout: 1s, address: \"127.0.0.1:%d\","
            " send: \"x\", expect: \"y\"}\n"
            % (nginx.port, apache.port, nginx.port, nginx.port, nginx.port, sport, nginx.port,
               sport)))
    finally:
        silent.close()
    n = pick(lines, "nginx", instance="n")[0]
    assert n["up"] == 1 and n["active"] >= 1 and n["writing"] >= 1
    a = pick(lines, "apache", instance="a")[0]
    assert a["up"] == 1 and a["BusyWorkers"] >= 1 and "scboard_waiting" in a
    ns = pick(lines, "apache", instance="notstatus")[0]
    assert ns["up"] == 0 and "not a apache status page" in ns["error"]
    h = pick(lines, "http_response", instance="hello", result="success")[0]
    assert h["up"] == 1 and h["http_response_code"] == 200 and h["response_string_match"] == 1
    assert h["total_ms"] >= h["first_byte_ms"] >= 0
    m = pick(lines, "http_response", instance="moved")[0]
    assert m["redirects"] == 1 and m["response_string_match"] == 0 and m["up"] == 0
    hang = pick(lines, "http_response", instance="hang", result="timeout")[0]
    assert hang["up"] == 0 and hang["result_code"] == 4
    t = pick(lines, "net_response", instance="t", result="success")[0]
    assert t["up"] == 1 and t["string_found"] == 1 and t["connect_ms"] >= 0
    th = pick(lines, "net_response", instance="thang", result="timeout")[0]
    assert th["up"] == 0 and th["connect_ms"] >= 0


def test_certificates_reported_not_crashed(tmp, https):
    p, ca = https["ports"], https["ca"]
    lines, log = once(tmp, "".join(
        "  - {plugin: http, name: %s, url: \"https://127.0.0.1:%d/\", ca_file: %s}\n"
        % (name, p[name], ca) for name in ("valid", "wronghost", "self", "expired")) +
        "  - {plugin: http, name: skip, url: \"https://127.0.0.1:%d/\", insecure_skip_verify: true}\n"
        % p["expired"])
    certs = {t["instance"]: (t, f) for m, t, f in lines if m == "x509_cert"}
    assert set(certs) == {"valid", "wronghost", "self", "expired", "skip"}, lines
    t, f = certs["skip"]     # not checked: neither valid nor invalid, dates still there
    assert t["verification"] == "skipped" and f["days_left"] < -300
    assert pick(lines, "http_response", instance="skip")[0]["up"] == 1
    t, f = certs["valid"]
    assert t["verification"] == "valid" and 0 < f["days_left"] <= 1.01
    assert pick(lines, "http_response", instance="valid")[0]["up"] == 1
    for name in ("wronghost", "self", "expired"):
        t, f = certs[name]
        assert t["verification"] == "invalid" and f["verification_error"], (name, f)
        assert pick(lines, "http_response", instance=name)[0]["up"] == 0
    assert certs["expired"][1]["days_left"] < -300
    assert "expired" in certs["expired"][1]["verification_error"]


def test_secrets_readable_by_others_refused(tmp):
    loose = private(os.path.join(tmp, "loose"), "pw\n", mode=0o644)
    cfg = private(os.path.join(tmp, "loose.yaml"),
                  "plugins:\n  - {plugin: redis, name: r, password_file: %s}\n"
                  "  - {plugin: mysql, name: m, dsn: \"u:pw@tcp(127.0.0.1:3306)/\"}\n"
                  "  - {plugin: postgresql, name: p, dsn: \"host=x password=pw\"}\n" % loose)
    p = subprocess.run([AGENT, "-t", "-c", cfg], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "readable or writable by others" in p.stderr
    assert "mysql instance 'm'" in p.stderr and "holds a password" in p.stderr
    assert "postgresql instance 'p'" in p.stderr


def test_stopped_server_goes_down_then_recovers(tmp, postgres, redis, collector):
    from test_agent import Agent, field_series
    rpw = private(os.path.join(tmp, "rpw2"), "redis-secret\n")
    pgpass = private(os.path.join(tmp, "pgpass2"), "127.0.0.1:%d:*:campusmon:pg-secret\n"
                     % postgres.port)
    ag = Agent(collector.url, interval="1s", extra=(
        "plugins:\n  - {plugin: redis, name: r, timeout: 1s, address: \"127.0.0.1:%d\","
        " password_file: %s}\n"
        "  - {plugin: postgresql, name: pg, timeout: 1s, dsn: \"host=127.0.0.1 port=%d"
        " user=campusmon dbname=postgres passfile=%s\"}\n" % (redis.port, rpw, postgres.port,
                                                            pgpass)))
    ag.start()
    try:
        def up(m):
            rows = [s for s in field_series(collector, ag.host, m, "up") if "db" not in s["tags"]]
            return rows[0]["last"] if rows else None
        wait_for(lambda: up("redis") == 1 and up("postgresql") == 1, timeout=30, what="up")
        # Rates need two readings: they arrive while the servers are up.
        wait_for(lambda: field_series(collector, ag.host, "redis", "total_commands_processed_ps"),
                 timeout=30, what="redis rates")
        redis.stop()
        postgres.stop()
        wait_for(lambda: up("redis") == 0 and up("postgresql") == 0, timeout=30, what="down")
        redis.start()
        postgres.start()
        wait_for(lambda: up("redis") == 1 and up("postgresql") == 1, timeout=60,
                 what="recovered")
    finally:
        ag.stop()
        ag.cleanup()


class TinyDns(threading.Thread):
    """A UDP DNS server on loopback: svc.campus.test A 192.0.2.7, NXDOMAIN for the rest."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def run(self):
        while True:
            try:
                q, peer = self.sock.recvfrom(512)
            except OSError:
                return
            i, labels = 12, []
            while q[i]:
                labels.append(q[i + 1:i + 1 + q[i]].decode())
                i += 1 + q[i]
            question = q[12:i + 5]
            hit = ".".join(labels).lower() == "svc.campus.test"
            flags = 0x8180 if hit else 0x8183
            head = q[:2] + flags.to_bytes(2, "big") + b"\x00\x01" + \
                (b"\x00\x01" if hit else b"\x00\x00") + b"\x00\x00\x00\x00"
            answer = (b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([192, 0, 2, 7])
                      if hit else b"")
            self.sock.sendto(head + question + answer, peer)


def test_dns_queries(tmp):
    dns = TinyDns()
    dns.start()
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))        # never answers
    try:
        lines, log = once(tmp, (
            "  - {plugin: dns, name: ok, server: \"127.0.0.1:%d\", domain: svc.campus.test,"
            " expect: 192.0.2.7}\n"
            "  - {plugin: dns, name: wrong, server: \"127.0.0.1:%d\", domain: svc.campus.test,"
            " expect: 192.0.2.8}\n"
            "  - {plugin: dns, name: nx, server: \"127.0.0.1:%d\", domain: nope.campus.test}\n"
            "  - {plugin: dns, name: silent, timeout: 1s, server: \"127.0.0.1:%d\","
            " domain: svc.campus.test}\n"
            % (dns.port, dns.port, dns.port, silent.getsockname()[1])))
    finally:
        dns.sock.close()
        silent.close()
    ok = pick(lines, "dns_query", instance="ok", rcode="NOERROR", result="success")[0]
    assert ok["up"] == 1 and ok["answers"] == 1 and ok["answer_match"] == 1
    assert ok["query_time_ms"] >= 0
    wrong = pick(lines, "dns_query", instance="wrong")[0]
    assert wrong["up"] == 0 and wrong["answer_match"] == 0
    nx = pick(lines, "dns_query", instance="nx", rcode="NXDOMAIN")[0]
    assert nx["up"] == 0 and nx["rcode_value"] == 3
    silent_ = pick(lines, "dns_query", instance="silent", result="timeout")[0]
    assert silent_["up"] == 0 and silent_["result_code"] == 1


def test_client_certificate(tmp, https):
    d, port, ca = https["dir"], https["ports"]["mtls"], https["ca"]
    lines, log = once(tmp, (
        "  - {plugin: http, name: with, url: \"https://127.0.0.1:%d/\", ca_file: %s,"
        " client_cert: %s/client.pem, client_key: %s/client.key}\n"
        "  - {plugin: http, name: without, url: \"https://127.0.0.1:%d/\", ca_file: %s}\n"
        % (port, ca, d, d, port, ca)))
    assert pick(lines, "http_response", instance="with", result="success")[0]["up"] == 1
    assert pick(lines, "http_response", instance="without")[0]["up"] == 0


def test_postgresql_replication_lag_on_both_sides(tmp, postgres):
    standby = start_pg_standby(tmp, postgres)
    try:
        pgpass = private(os.path.join(tmp, "pgpass3"), "127.0.0.1:*:*:campusmon:pg-secret\n")
        conf = ("  - {plugin: postgresql, name: primary, dsn: \"host=127.0.0.1 port=%d"
                " user=campusmon dbname=postgres passfile=%s\"}\n"
                "  - {plugin: postgresql, name: standby, dsn: \"host=127.0.0.1 port=%d"
                " user=campusmon dbname=postgres passfile=%s\"}\n"
                % (postgres.port, pgpass, standby.port, pgpass))

        def streaming():
            lines, _ = once(tmp, conf)
            rep = pick(lines, "postgresql_replication", instance="primary",
                       application_name="standby1")
            return (lines, rep) if rep and rep[0].get("state") == "streaming" else None
        lines, rep = wait_for(streaming, timeout=60, what="standby streaming")
        assert rep[0]["lag_bytes"] >= 0 and "replay_lag_s" in rep[0]
        sb = [f for f in pick(lines, "postgresql", instance="standby") if "is_standby" in f][0]
        assert sb["up"] == 1 and sb["is_standby"] == 1 and sb["replication_lag_s"] >= 0
        pr = [f for f in pick(lines, "postgresql", instance="primary") if "is_standby" in f][0]
        assert pr["is_standby"] == 0 and "replication_lag_s" not in pr
    finally:
        standby.stop()


def test_huge_status_page_is_cut_not_swallowed(tmp):
    class Huge(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(64 << 20))
            self.end_headers()
            chunk = b"BusyWorkers: 1\n" + b"x" * 65521
            try:
                for _ in range(1024):       # 64 MiB of lines
                    self.wfile.write(chunk)
            except OSError:
                pass

        def log_message(self, *a):
            pass
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Huge)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        lines, log = once(tmp, "  - {plugin: apache, name: huge, timeout: 5s,"
                               " url: \"http://127.0.0.1:%d/\"}\n" % srv.server_address[1])
    finally:
        srv.shutdown()
        srv.server_close()
    a = pick(lines, "apache", instance="huge")[0]
    # the first 256 KiB are parsed (BusyWorkers is there); the rest is read and dropped
    assert a["up"] == 1 and a["BusyWorkers"] == 1, a


def test_mysql_replica_running_and_lag(tmp, mariadb):
    replica = start_mariadb(tmp, name="my-replica", server_id=2, primary=mariadb)
    try:
        mypw = private(os.path.join(tmp, "mypw2"), "my-secret\n")
        conf = ("  - {plugin: mysql, name: replica, host: 127.0.0.1, port: %d, user: campusmon,"
                " password_file: %s}\n"
                "  - {plugin: mysql, name: primary, host: 127.0.0.1, port: %d, user: campusmon,"
                " password_file: %s}\n" % (replica.port, mypw, mariadb.port, mypw))

        def running():
            lines, _ = once(tmp, conf)
            r = pick(lines, "mysql", instance="replica")[0]
            return lines if r.get("replica_sql_running") == 1 and \
                r.get("replica_io_running") == 1 else None
        lines = wait_for(running, timeout=60, what="replica running")
        r = pick(lines, "mysql", instance="replica")[0]
        assert r["up"] == 1 and r["replica_lag_s"] >= 0
        p = pick(lines, "mysql", instance="primary")[0]
        assert p["up"] == 1 and "replica_io_running" not in p
        replica.sql("STOP SLAVE SQL_THREAD")
        lines, _ = once(tmp, conf)
        r = pick(lines, "mysql", instance="replica")[0]
        assert r["replica_sql_running"] == 0 and r["replica_io_running"] == 1
    finally:
        replica.stop()
