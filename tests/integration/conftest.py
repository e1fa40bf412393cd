"""Shared fixtures for integration tests: start the real built daemons.

Every daemon runs on 127.0.0.1 with a free port and a temporary data folder,
and is stopped afterwards. Set CAMPUSMON_BUILD to the build folder (default:
<repo>/build).
"""
import gzip as _gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("CAMPUSMON_BUILD", os.path.join(REPO, "build"))
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared"))
TOKEN = "test-bootstrap-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_tmpdir(prefix):
    """A temp folder the service user can traverse (daemons drop to it)."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    return d


def with_private_etc(files, argv, net=False, cwd=None, timeout=120):
    """Run argv (shell words; argv[0] may be "sh", "-c", ...) in a mount
    namespace of its own where /etc is an overlay holding files
    ({"campusmon/NAME": text or bytes}, mode 0600), so nothing on the host
    changes; with net, in a network namespace too (only lo, brought up)."""
    assert os.geteuid() == 0, "mount namespaces need root"
    top = tempfile.mkdtemp(prefix="cm-etc-")
    try:
        upper, work = os.path.join(top, "upper"), os.path.join(top, "work")
        os.mkdir(upper)
        os.mkdir(work)
        for name, text in files.items():
            path = os.path.join(upper, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(text.encode() if isinstance(text, str) else text)
            os.chmod(path, 0o600)
        script = ('mount --make-rprivate / && '
                  'mount -t overlay overlay -o lowerdir=/etc,upperdir="$1",workdir="$2" /etc '
                  '&& shift 2 && %sexec "$@"' % ("ip link set lo up && " if net else ""))
        return subprocess.run(["unshare", "--mount"] + (["--net"] if net else []) +
                              ["sh", "-c", script, "sh", upper, work] + list(argv),
                              capture_output=True, text=True, timeout=timeout, cwd=cwd)
    finally:
        shutil.rmtree(top, ignore_errors=True)


# Every wait's timeout is multiplied by this: CI runs the suites side by side
# on a small machine, where a walk or a write can take several times as long
# as on an idle one. Only a failing wait gets slower.
WAIT_SLACK = float(os.environ.get("CAMPUSMON_TEST_SLACK", "2"))


def wait_for(pred, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.time() + timeout * WAIT_SLACK
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise AssertionError("timed out waiting for " + what)


class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    def json(self):
        return json.loads(self.body)


def http(method, url, body=None, headers=None, timeout=15):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.read(), dict(r.headers))
    except urllib.error.HTTPError as e:
        return Response(e.code, e.read(), dict(e.headers))


class Collector:
    """A real campusmon-collector process."""

    binary = os.path.join(BUILD, "collector", "campusmon-collector")

    def __init__(self, data_dir=None, config=None, token=TOKEN, env=None, config_dir=None,
                 preexec=None):
        self.preexec = preexec      # run in the child before exec (e.g. setrlimit)
        self.tmp = make_tmpdir("cm-collector-")
        self.config_dir = config_dir or self.tmp   # where collector.yaml is written
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.config = config
        self.token = token
        self.env = env or {}
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.tmp, "collector.log")

    def start(self, port=0):
        env = dict(os.environ)
        env["CAMPUSMON_BOOTSTRAP_TOKEN"] = self.token
        env.update(self.env)
        args = [self.binary, "--listen", "127.0.0.1:%d" % port, "--data-dir", self.data_dir]
        if self.config:
            path = os.path.join(self.config_dir, "collector.yaml")
            with open(path, "w") as f:
                f.write(self.config)
            args += ["-c", path]
        self.log = open(self.log_path, "ab")
        self.log_offset = self.log.tell()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, env=env,
                                     preexec_fn=self.preexec)

        def bound():
            if self.proc.poll() is not None:
                raise AssertionError("collector exited: " + self.read_log())
            m = re.search(r"listening on (https?)://127\.0\.0\.1:(\d+)", self.read_log())
            return m and "ready" in self.read_log() and (m.group(1), int(m.group(2)))

        self.scheme, self.port = wait_for(bound, what="collector to listen")
        self.url = "%s://127.0.0.1:%d" % (self.scheme, self.port)
        return self

    def read_log(self):
        with open(self.log_path, "rb") as f:
            f.seek(self.log_offset)
            return f.read().decode("utf-8", "replace")

    def auth(self, token=None):
        return {"Authorization": "Bearer " + (token or self.token)}

    def get(self, path, token=None, headers=None):
        h = self.auth(token) if token is not False else {}
        h.update(headers or {})
        return http("GET", self.url + path, headers=h)

    def post_json(self, path, obj, token=None):
        h = self.auth(token)
        h["Content-Type"] = "application/json"
        return http("POST", self.url + path, json.dumps(obj).encode(), h)

    def write(self, body, token=None, path="/api/v1/write", query="", gzip=False,
              headers=None):
        if isinstance(body, str):
            body = body.encode()
        h = self.auth(token) if token is not False else {}
        if gzip:
            body = _gzip.compress(body)
            h["Content-Encoding"] = "gzip"
        h.update(headers or {})
        return http("POST", self.url + path + ("?" + query if query else ""), body, h)

    def series(self, **filters):
        q = "&".join("%s=%s" % (k, urllib.request.quote(v)) for k, v in filters.items())
        r = self.get("/api/v1/series?" + q)
        assert r.status == 200, r.body
        return r.json()

    def query(self, series_id, start, end, step=None):
        q = "/api/v1/query?series=%s&from=%d&to=%d" % (series_id, start, end)
        if step:
            q += "&step=%d" % step
        r = self.get(q)
        assert r.status == 200, r.body
        return r.json()

    def metrics(self):
        r = self.get("/metrics")
        assert r.status == 200
        out = {}
        for line in r.body.decode().splitlines():
            if line and not line.startswith("#"):
                k, v = line.rsplit(" ", 1)
                out[k] = float(v)
        return out

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def free_udp_port(addr="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


SNMPD_COMMUNITY = "Xy9-comm"


@pytest.fixture
def snmpd():
    """A real net-snmp snmpd on a free UDP port of 127.0.0.1, answering v2c
    community SNMPD_COMMUNITY with sysName core-sw-1. Yields the port."""
    d = make_tmpdir("cm-snmpd-")
    port = free_udp_port()
    conf = os.path.join(d, "snmpd.conf")
    with open(conf, "w") as f:
        f.write("agentAddress udp:127.0.0.1:%d\n"
                "rocommunity %s 127.0.0.1\n"
                "sysLocation Building 3, room <b>101</b>\n"
                "sysContact noc@example.edu.cn\n"
                "sysName core-sw-1\n" % (port, SNMPD_COMMUNITY))
    env = dict(os.environ, MIBS="")
    proc = subprocess.Popen(["snmpd", "-f", "-Lf", os.path.join(d, "log"), "-C", "-c", conf,
                             "-I", "-smux", "-p", os.path.join(d, "pid"), "-u", "nobody"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: subprocess.run(["snmpget", "-v2c", "-c", SNMPD_COMMUNITY, "-t", "0.3",
                                         "-r", "0", "127.0.0.1:%d" % port,
                                         "1.3.6.1.2.1.1.5.0"],
                                        capture_output=True).returncode == 0,
                 what="snmpd to answer")
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def collector_factory():
    made = []

    def make(**kw):
        c = Collector(**kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.cleanup()


@pytest.fixture
def collector(collector_factory):
    return collector_factory().start()
