"""The campusmon command against a real collector.

Starts the built campusmon-collector (conftest.py's `collector` fixture, on
127.0.0.1 port 0 with a temporary data folder) and runs the built
cli/campusmon binary against it: status, tokens, series, query, backup,
errors and exit codes, the user's config file and --json output.
"""
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import time

import pytest

from conftest import BUILD, TOKEN, free_port, wait_for

CLI = os.path.join(BUILD, "cli", "campusmon")


@pytest.fixture
def home():
    """An empty HOME, so the user's real ~/.config is never read."""
    d = tempfile.mkdtemp(prefix="cm-cli-home-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def run(home, *args, url=None, token=None, env=None, cwd=None, timeout=60):
    """Run the CLI with a clean environment; returns the CompletedProcess."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("CAMPUSMON_") and "proxy" not in k.lower()}
    e["HOME"] = home
    e.pop("XDG_CONFIG_HOME", None)
    e["TZ"] = "UTC"
    if url is not None:
        e["CAMPUSMON_URL"] = url
    if token is not None:
        e["CAMPUSMON_TOKEN"] = token
    e.update(env or {})
    assert os.access(CLI, os.X_OK), "build the CLI first: " + CLI
    return subprocess.run([CLI] + list(args), env=e, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def cli(collector, home, *args, token=TOKEN, **kw):
    return run(home, *args, url=collector.url, token=token, **kw)


def api_error(collector, path, token):
    """The collector's own {"error"} message for a request, to compare with."""
    r = collector.get(path, token=token)
    assert r.status >= 400
    return r.json()["error"]


def no_secret_in(p, secret=TOKEN):
    assert secret not in p.stdout and secret not in p.stderr


# ---- help and usage -----------------------------------------------------------------

def test_help_lists_every_command(home):
    p = run(home, "--help")
    assert p.returncode == 0, p.stderr
    for cmd in ("status", "token create", "token list", "token revoke", "series",
                "query", "backup", "help"):
        assert re.search(r"^  %s " % cmd, p.stdout, re.M), cmd
    assert "CAMPUSMON_TOKEN" in p.stdout
    assert run(home, "help").stdout == p.stdout


def test_help_of_a_command(home):
    p = run(home, "help", "token", "create")
    assert p.returncode == 0
    assert p.stdout.startswith("usage: campusmon token create NAME")
    for opt in ("--kind", "--role", "--host"):
        assert opt in p.stdout
    assert run(home, "token", "create", "--help").stdout == p.stdout
    q = run(home, "query", "-h")
    assert q.returncode == 0 and "--from TIME" in q.stdout and "--cf" in q.stdout
    g = run(home, "help", "token")
    assert g.returncode == 0
    assert all(("usage: campusmon token " + s) in g.stdout for s in ("create", "list", "revoke"))


@pytest.mark.parametrize("args, msg", [
    ([], "usage: campusmon"),
    (["nosuch"], "no command 'nosuch'"),
    (["help", "nosuch"], "no command 'nosuch'"),
    (["token"], "campusmon token list"),
    (["token", "frobnicate"], "campusmon token create"),
    (["series", "--bogus"], "unknown option '--bogus'"),
    (["series", "extra"], "usage: campusmon series"),
    (["query"], "usage: campusmon query SERIES"),
    (["query", "1", "--from", "yesterday"], "--from"),
    (["query", "1", "--step", "0"], "--step"),
    (["query", "1", "--cf", "median"], "--cf must be"),
    (["token", "create", "x", "--kind", "root"], "--kind must be"),
    (["token", "create", "x", "--kind", "agent", "--role", "viewer"], "--role applies"),
    (["--timeout", "0", "status"], "--timeout"),
    (["--url", "ftp://x", "status"], "http:// or https://"),
    (["--token", "a b", "status"], "is not a token"),
])
def test_usage_errors_exit_2(home, args, msg):
    p = run(home, *args, url="http://127.0.0.1:%d" % free_port())
    assert p.returncode == 2, (args, p.stdout, p.stderr)
    assert msg in p.stderr, (args, p.stderr)
    assert "a b" not in p.stderr  # a bad token is not echoed


def test_version(home):
    p = run(home, "--version")
    assert p.returncode == 0 and re.match(r"campusmon \d+\.\d+", p.stdout)


# ---- status ---------------------------------------------------------------------------

def test_status_without_token(collector, home):
    p = run(home, "status", url=collector.url)
    assert p.returncode == 0, p.stderr
    assert re.search(r"^status +ok$", p.stdout, re.M)
    assert re.search(r"^version +\d", p.stdout, re.M)
    assert re.search(r"^series +0$", p.stdout, re.M)
    assert "samples accepted" not in p.stdout  # /metrics needs a token
    assert collector.url in p.stdout


def test_status_with_token_and_json(collector, home):
    assert collector.write("cpu,host=h1 usage=1 %d" % time.time(), query="precision=s").status == 204
    p = cli(collector, home, "status")
    assert p.returncode == 0, p.stderr
    assert re.search(r"^samples accepted +1$", p.stdout, re.M), p.stdout
    assert re.search(r"^series +1$", p.stdout, re.M)
    no_secret_in(p)
    j = json.loads(cli(collector, home, "status", "--json").stdout)
    assert j["status"] == "ok" and j["series"] == 1
    assert j["metrics"]["campusmon_samples_accepted_total"] == 1
    assert j["metrics"]["campusmon_write_queue_depth"] >= 0


def test_status_with_wrong_token(collector, home):
    p = cli(collector, home, "status", token="not-the-token-123")
    assert p.returncode == 1
    assert re.search(r"^status +ok$", p.stdout, re.M)  # health still shown
    msg = api_error(collector, "/metrics", "not-the-token-123")
    assert "campusmon: %s (HTTP 401)" % msg in p.stderr
    no_secret_in(p, "not-the-token-123")


# ---- tokens ---------------------------------------------------------------------------

def create_token(collector, home, *args):
    p = cli(collector, home, "token", "create", *args)
    assert p.returncode == 0, p.stderr
    m = re.search(r"^    (\S+)$", p.stdout, re.M)
    assert m, p.stdout
    assert "shown only this once" in p.stdout
    return p, m.group(1)


def test_token_lifecycle(collector, home):
    p, secret = create_token(collector, home, "web01", "--host", "web01")
    assert re.search(r"Created agent token 'web01' \(id (\d+), role agent, host web01\)", p.stdout)
    tid = re.search(r"id (\d+)", p.stdout).group(1)
    no_secret_in(p)

    # the new agent token writes samples of its host
    line = "cpu,host=web01 usage=5 %d" % time.time()
    assert collector.write(line, token=secret, query="precision=s").status == 204

    lst = cli(collector, home, "token", "list")
    assert lst.returncode == 0, lst.stderr
    assert secret not in lst.stdout
    no_secret_in(lst)
    assert re.search(r"^ID +NAME +KIND +ROLE +HOST +CREATED +REVOKED$", lst.stdout, re.M)
    assert re.search(r"^ *%s +web01 +agent +agent +web01 +\d{4}-\d\d-\d\dT\S+ +no$" % tid,
                     lst.stdout, re.M), lst.stdout

    j = json.loads(cli(collector, home, "--json", "token", "list").stdout)
    row = [t for t in j if str(t["id"]) == tid][0]
    assert row["name"] == "web01" and row["revoked"] is False and "token" not in row

    rv = cli(collector, home, "token", "revoke", tid)
    assert rv.returncode == 0, rv.stderr
    assert "Revoked token %s." % tid in rv.stdout
    lst = cli(collector, home, "token", "list")
    assert re.search(r"^ *%s +web01 .* yes$" % tid, lst.stdout, re.M), lst.stdout

    # the revoked token no longer writes
    r = collector.write(line, token=secret, query="precision=s")
    assert r.status == 401
    # ... nor reads, through the CLI: exit 1 with the collector's message
    bad = cli(collector, home, "series", token=secret)
    assert bad.returncode == 1
    msg = api_error(collector, "/api/v1/series", secret)
    assert "campusmon: %s (HTTP 401)\n" % msg in bad.stderr
    assert "CAMPUSMON_TOKEN was refused" in bad.stderr
    no_secret_in(bad, secret)

    again = cli(collector, home, "token", "revoke", "999999")
    assert again.returncode == 1 and "no such token" in again.stderr


def test_api_token_roles_and_json(collector, home):
    p = cli(collector, home, "--json", "token", "create", "dash", "--role", "viewer")
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)
    assert j["kind"] == "api" and j["role"] == "viewer" and j["name"] == "dash"
    viewer = j["token"]
    # a viewer reads series but may not create tokens or back up
    assert cli(collector, home, "series", token=viewer).returncode == 0
    denied = cli(collector, home, "token", "create", "x", token=viewer)
    assert denied.returncode == 1
    assert "may not do this" in denied.stderr and "(HTTP 403)" in denied.stderr
    no_secret_in(denied, viewer)
    # which roles exist is the collector's one table: an unknown one is its 400
    god = cli(collector, home, "token", "create", "x", "--role", "god")
    assert god.returncode == 1
    assert "role must be admin, operator, viewer or auditor (HTTP 400)" in god.stderr


def test_no_token_hint(collector, home):
    p = run(home, "token", "list", url=collector.url)
    assert p.returncode == 1
    assert "no token given" in p.stderr


# ---- series and query ---------------------------------------------------------------------

def test_series_and_query(collector, home):
    now = int(time.time())
    lines = []
    for i, v in ((3, 10.5), (2, 20.5), (1, 30.5)):
        lines.append("cpu,host=web1,core=0 usage=%s %d" % (v, now - 10 * i))
    lines.append("mem,host=web2 used=1234567890 %d" % now)
    lines.append("sys,host=evil\x1b[31mX,room=\u673a\u623f1 up=1i %d" % now)
    assert collector.write("\n".join(lines), query="precision=s").status == 204

    p = cli(collector, home, "series")
    assert p.returncode == 0, p.stderr
    assert re.search(r"^ID +HOST +MEASUREMENT +TAGS +FIELD +LAST +AGE$", p.stdout, re.M)
    m = re.search(r"^ *(\d+) +web1 +cpu +core=0,host=web1 +usage +30\.5 +\d+s$", p.stdout, re.M)
    assert m, p.stdout
    sid = m.group(1)
    assert re.search(r"web2 +mem +host=web2 +used +1234567890 ", p.stdout)
    # a host name cannot drive the terminal
    assert "\x1b" not in p.stdout
    assert "evil?[31mX" in p.stdout and "\u673a\u623f1" in p.stdout

    f = cli(collector, home, "series", "--host", "web2", "--field", "used")
    assert f.returncode == 0 and "web2" in f.stdout and "web1" not in f.stdout
    none = cli(collector, home, "series", "--measurement", "nothing")
    assert none.returncode == 0 and none.stdout == "" and "no series match" in none.stderr

    j = json.loads(cli(collector, home, "--json", "series", "--host", "web1").stdout)
    assert [s["field"] for s in j] == ["usage"]
    assert j[0]["tags"] == {"core": "0", "host": "web1"} and j[0]["last"] == 30.5

    # values reach RRD through the store thread: wait for them
    def points():
        q = cli(collector, home, "query", sid, "--from", "-5m", "--json")
        assert q.returncode == 0, q.stderr
        pts = json.loads(q.stdout)["points"]
        return pts if any(v is not None for _, v in pts) else None

    pts = wait_for(points, timeout=20, interval=0.5, what="stored values")
    assert all(len(pt) == 2 for pt in pts)

    q = cli(collector, home, "query", sid, "--from", str(now - 300), "--to", "now",
            "--cf", "MAX")
    assert q.returncode == 0, q.stderr
    rows = q.stdout.splitlines()
    assert re.match(r"^TIME +VALUE$", rows[0])
    vals = [r.split()[1] for r in rows[1:]]
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 ", r) for r in rows[1:])
    nums = [float(v) for v in vals if v != "-"]
    assert nums and all(10 <= v <= 31 for v in nums), q.stdout

    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 300))
    assert cli(collector, home, "query", sid, "--from", iso).returncode == 0

    missing = cli(collector, home, "query", "999999")
    assert missing.returncode == 1 and "no such series" in missing.stderr


def test_query_stops_at_to(collector, home):
    """--to is the last time asked for: rrd_fetch rounds the end up to a whole
    step, and those rows were shown too (issue #10, item 24)."""
    t0 = int(time.time()) // 60 * 60 - 1200
    body = "".join("lim,host=h v=%d %d\n" % (i, t0 + 10 * i) for i in range(1, 13))
    assert collector.write(body, query="precision=s&interval=10").status == 204
    sid = str(collector.series(host="h")[0]["id"])
    to = t0 + 45
    for args in (("--json",), ()):
        q = cli(collector, home, "query", sid, "--from", str(t0), "--to", str(to),
                "--step", "10", *args)
        assert q.returncode == 0, q.stderr
        if args:
            pts = json.loads(q.stdout)["points"]
            assert pts and max(t for t, _ in pts) <= to, pts
            assert [t for t, v in pts if v is not None][-1] == t0 + 40, pts
        else:
            last = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 + 40))
            assert q.stdout.splitlines()[-1].startswith(last), q.stdout


# ---- backup -------------------------------------------------------------------------------------

def backup_parent():
    """A folder the collector's user may create things in (it drops root)."""
    d = tempfile.mkdtemp(prefix="cm-cli-backup-")
    if os.geteuid() == 0:
        pw = pwd.getpwnam("campusmon")
        os.chown(d, pw.pw_uid, pw.pw_gid)
    return d


def test_backup_relative_dir(collector, home):
    assert collector.write("cpu,host=b usage=1 %d" % time.time(), query="precision=s").status == 204
    parent = backup_parent()
    try:
        p = cli(collector, home, "backup", "./nested/../bk1", cwd=parent)
        assert p.returncode == 0, p.stderr
        target = os.path.join(parent, "bk1")
        assert target in p.stdout
        assert os.path.isfile(os.path.join(target, "state.db"))
        assert os.path.isdir(os.path.join(target, "rrd"))
        j = json.loads(cli(collector, home, "--json", "backup", os.path.join(parent, "bk2")).stdout)
        assert j["dir"] == os.path.join(parent, "bk2")
        assert os.path.isfile(os.path.join(parent, "bk2", "state.db"))
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def test_backup_error_is_reported(collector, home):
    p = cli(collector, home, "backup", "/proc/campusmon-no-such-dir")
    assert p.returncode == 1
    assert "backup failed" in p.stderr and "HTTP 500" in p.stderr


# ---- unreachable and config file ---------------------------------------------------------------

def test_unreachable_exit_3(home):
    url = "http://127.0.0.1:%d" % free_port()
    for args in (["status"], ["series"], ["token", "list"]):
        p = run(home, *args, url=url, token=TOKEN)
        assert p.returncode == 3, (args, p.stderr)
        assert "cannot reach the collector at " + url in p.stderr
        no_secret_in(p)


def write_config(home, text, mode=0o600):
    d = os.path.join(home, ".config", "campusmon")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "cli.yaml")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def test_config_file(collector, home):
    path = write_config(home, "url: %s/\ntoken: %s\n" % (collector.url, TOKEN))
    p = run(home, "token", "list")
    assert p.returncode == 0, p.stderr
    no_secret_in(p)

    # options and the environment come before the file
    write_config(home, "url: http://127.0.0.1:%d\ntoken: %s\n" % (free_port(), TOKEN))
    assert run(home, "status").returncode == 3
    assert run(home, "status", url=collector.url).returncode == 0
    assert run(home, "--url", collector.url, "status").returncode == 0
    bad = run(home, "--url", collector.url, "token", "list", token="other-token-456")
    assert bad.returncode == 1

    for mode in (0o644, 0o640, 0o604):
        os.chmod(path, mode)
        p = run(home, "status")
        assert p.returncode == 2, oct(mode)
        assert "chmod 600" in p.stderr and path in p.stderr
        no_secret_in(p)
    # with both given elsewhere, the file is not read at all
    assert run(home, "status", url=collector.url, token=TOKEN).returncode == 0

    os.chmod(path, 0o600)
    write_config(home, "url: gopher://x\ntoken: [1]\ncolour: red\n")
    p = run(home, "status")
    assert p.returncode == 2
    assert "must start with http" in p.stderr and "unknown key 'colour'" in p.stderr
    assert "token" in p.stderr


def test_json_outputs_parse(collector, home):
    assert collector.write("cpu,host=j usage=2 %d" % time.time(), query="precision=s").status == 204
    for args in (["status"], ["series"], ["token", "list"], ["series", "--host", "j"]):
        p = cli(collector, home, "--json", *args)
        assert p.returncode == 0, (args, p.stderr)
        assert len(p.stdout.splitlines()) == 1
        json.loads(p.stdout)
    sid = json.loads(cli(collector, home, "--json", "series").stdout)[0]["id"]
    j = json.loads(cli(collector, home, "query", str(sid), "--json").stdout)
    assert j["series"] == sid and "step" in j and isinstance(j["points"], list)
