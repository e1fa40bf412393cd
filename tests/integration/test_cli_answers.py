"""What the campusmon command does with odd answers from its collector.

The real collector never sends them, so a small HTTP server on 127.0.0.1
stands in for it and answers one path of each command with a chosen status
and body: text that is not JSON, a JSON array, an object without an "id",
the collector's {"error"}, and a good object. These pin the exact messages
and exit codes of the commands that call the API and check its answer
(device show/add/edit, discover, ack, backup, user unlock, seen adopt/rm,
token create), so the shared code they use can change without them.
"""
import json
import os
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import BUILD

CLI = os.path.join(BUILD, "cli", "campusmon")
DEVICE = (200, b'{"id": 7, "name": "sw1"}')
USERS = (200, b'[{"id": 3, "name": "alice"}]')
GOOD = {"id": 7, "name": "n\u00e9", "token": "tok-xyz", "state": "done", "dir": "/bk",
        "unlocked": 1, "adopted": [], "not_seen": [], "deleted": 2}

# (arguments, the "METHOD path" answered as the test says, other answers,
#  what the command asks of the answer: "id", "object" or None for any JSON,
#  the name it gives the answer in its error)
COMMANDS = [
    (["device", "show", "sw1"], "GET /api/v1/devices/sw1", {}, "id", "device"),
    (["device", "add", "127.0.0.1"], "POST /api/v1/devices", {}, "object", "device"),
    (["device", "edit", "sw1", "--rack", "r2"], "PATCH /api/v1/devices/7",
     {"GET /api/v1/devices/sw1": DEVICE}, "object", "device"),
    (["discover", "127.0.0.1/32", "--community", "c", "--no-wait"], "POST /api/v1/discovery",
     {}, "id", "discovery job"),
    (["ack", "5"], "POST /api/v1/alerts/5/ack", {}, None, None),
    (["backup", "/bk"], "POST /api/v1/backup", {}, None, None),
    (["user", "unlock", "alice"], "POST /api/v1/users/3/unlock", {"GET /api/v1/users": USERS},
     None, None),
    (["seen", "adopt", "10.0.0.1"], "POST /api/v1/discovery/seen/adopt", {}, None, None),
    (["seen", "rm", "--all"], "DELETE /api/v1/discovery/seen", {}, None, None),
    (["token", "create", "t1"], "POST /api/v1/tokens", {}, None, None),
]
IDS = [" ".join(a for a in c[0][:2] if a[0].isalpha()) for c in COMMANDS]


class Fake:
    """An HTTP server answering "METHOD path" from self.plan (404 otherwise)."""

    def __init__(self):
        self.plan = {}
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def answer(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                key = "%s %s" % (self.command, self.path.split("?")[0])
                status, body = outer.plan.get(key, (404, b'{"error": "no route"}'))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def fake():
    f = Fake()
    yield f
    f.close()


@pytest.fixture(scope="module")
def home():
    """An empty HOME, so the user's real ~/.config is never read."""
    d = tempfile.mkdtemp(prefix="cm-cli-answers-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def run(fake, home, cmd, status, body, json_flag=False):
    """Run cmd with its path answered (status, body); returns the process."""
    args, key, others = cmd[0], cmd[1], cmd[2]
    fake.plan = dict(others)
    fake.plan[key] = (status, body)
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("CAMPUSMON_") and "proxy" not in k.lower()}
    e.pop("XDG_CONFIG_HOME", None)
    e.update(HOME=home, TZ="UTC", CAMPUSMON_URL=fake.url, CAMPUSMON_TOKEN="cm-test-token")
    assert os.access(CLI, os.X_OK), "build the CLI first: " + CLI
    argv = [CLI] + (["--json"] if json_flag else []) + args
    return subprocess.run(argv, env=e, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("cmd", COMMANDS, ids=IDS)
def test_an_answer_that_is_not_json_exits_1(fake, home, cmd):
    p = run(fake, home, cmd, 200, b"<html>not json")
    assert p.returncode == 1
    assert p.stdout == ""
    assert p.stderr.startswith("campusmon: the collector's answer is not JSON (")
    assert p.stderr.count("\n") == 1


@pytest.mark.parametrize("cmd", COMMANDS, ids=IDS)
def test_a_json_array_where_an_object_is_needed(fake, home, cmd):
    p = run(fake, home, cmd, 200, b"[1]", json_flag=True)
    need, what = cmd[3], cmd[4]
    if need is not None:
        assert (p.returncode, p.stdout) == (1, "")
        assert p.stderr == "campusmon: the collector's %s is not a JSON object%s\n" % (
            what, " with an id" if need == "id" else "")
    elif cmd[0][0] == "token":
        # any JSON is read, but the secret must be in it
        assert (p.returncode, p.stdout) == (1, "")
        assert p.stderr == "campusmon: the collector's answer holds no token\n"
    else:
        assert (p.returncode, p.stdout, p.stderr) == (0, "[1]\n", "")


@pytest.mark.parametrize("cmd", COMMANDS, ids=IDS)
def test_an_object_without_an_id(fake, home, cmd):
    p = run(fake, home, cmd, 200, b'{"name": "n", "token": "tok-xyz"}', json_flag=True)
    if cmd[3] == "id":
        assert (p.returncode, p.stdout) == (1, "")
        assert p.stderr == ("campusmon: the collector's %s is not a JSON object with an id\n"
                            % cmd[4])
    else:
        assert (p.returncode, p.stderr) == (0, "")
        assert p.stdout == '{"name":"n","token":"tok-xyz"}\n'


@pytest.mark.parametrize("cmd", COMMANDS, ids=IDS)
def test_the_collectors_error_is_shown(fake, home, cmd):
    p = run(fake, home, cmd, 500, b'{"error": "disk \\u001b[31mfull"}')
    assert (p.returncode, p.stdout) == (1, "")
    assert p.stderr == "campusmon: disk ?[31mfull (HTTP 500)\n"


@pytest.mark.parametrize("cmd", COMMANDS[1:], ids=IDS[1:])   # device show: see below
def test_a_good_answer_with_json_is_printed_as_ascii(fake, home, cmd):
    p = run(fake, home, cmd, 200, json.dumps(GOOD).encode(), json_flag=True)
    assert (p.returncode, p.stderr) == (0, "")
    # ASCII only, as jansson escapes: upper-case hex digits
    assert p.stdout == json.dumps(GOOD, separators=(",", ":")).replace("00e9", "00E9") + "\n"


def test_device_show_names_the_device_it_read(fake, home):
    cmd = (COMMANDS[0][0], "GET /api/v1/devices/sw1",
           {"GET /api/v1/devices/7/interfaces": (200, b"[]"),
            "GET /api/v1/devices/7/sensors": (200, b"[]")})
    p = run(fake, home, cmd, *DEVICE)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.startswith("name ") and " sw1\n" in p.stdout
