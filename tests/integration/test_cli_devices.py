"""The campusmon command's device and discovery commands against a real collector.

Starts the built campusmon-collector (conftest.py's `collector` fixture) and
a real snmpd on a free UDP port of 127.0.0.1 (conftest.py's `snmpd`), then
runs the built cli/campusmon: devices, device add/show/edit/rm, discover of
one loopback address, usage errors (exit 2), the collector's 400s (exit 1
with its message), --cacert against a collector serving HTTPS with a
certificate from a private CA, and that no secret ever appears in what the
command prints. Every device added here is on 127.0.0.0/8 or unmonitored:
nothing is sent beyond loopback.
"""
import json
import os
import pty
import re
import shutil
import subprocess
import tempfile
import urllib.parse

import pytest

from conftest import BUILD, SNMPD_COMMUNITY, TOKEN, wait_for

CLI = os.path.join(BUILD, "cli", "campusmon")
AUTH_SECRET = "auth-Secret-7731"
PRIV_SECRET = "priv-Secret-9902"
NEW_COMMUNITY = "New-comm-5521"
SECRETS = (SNMPD_COMMUNITY, AUTH_SECRET, PRIV_SECRET, NEW_COMMUNITY, TOKEN)


@pytest.fixture
def home():
    """An empty HOME, so the user's real ~/.config is never read."""
    d = tempfile.mkdtemp(prefix="cm-cli-home-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


class Runner:
    """Runs the CLI against one collector and keeps every output for the
    final check that no secret was printed."""

    def __init__(self, collector, home):
        self.collector = collector
        self.home = home
        self.outputs = []

    def env(self, extra=None):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("CAMPUSMON_") and "proxy" not in k.lower()}
        e.update(HOME=self.home, TZ="UTC", CAMPUSMON_URL=self.collector.url,
                 CAMPUSMON_TOKEN=TOKEN)
        e.pop("XDG_CONFIG_HOME", None)
        e.update(extra or {})
        return e

    def __call__(self, *args, input=None, env=None, timeout=120):
        assert os.access(CLI, os.X_OK), "build the CLI first: " + CLI
        p = subprocess.run([CLI] + list(args), env=self.env(env), capture_output=True,
                           text=True, input=input, timeout=timeout)
        self.outputs.append((args, p.stdout + p.stderr))
        return p

    def assert_no_secret(self):
        for args, out in self.outputs:
            for s in SECRETS:
                assert s not in out, (args, s)


@pytest.fixture
def cli(collector, home):
    r = Runner(collector, home)
    yield r
    r.assert_no_secret()


def secret_file(home, name, text, mode=0o600):
    path = os.path.join(home, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def field(out, label):
    """The value of a "label  value" row of an identity block."""
    m = re.search(r"^%s {2,}(.*)$" % re.escape(label), out, re.M)
    assert m, "no %r row in:\n%s" % (label, out)
    return m.group(1)


# ---- help ------------------------------------------------------------------------------

class Nowhere:
    url = "http://127.0.0.1:9"         # help needs no collector


def test_help_lists_the_device_commands(home):
    r = Runner(Nowhere(), home)
    p = r("--help")
    assert p.returncode == 0
    for cmd in ("devices", "device add", "device show", "device edit", "device rm",
                "discover"):
        assert re.search(r"^  %s " % cmd, p.stdout, re.M), cmd
    assert "--cacert FILE" in p.stdout and "CAMPUSMON_CA" in p.stdout
    p = r("help", "device", "add")
    assert p.returncode == 0 and p.stdout.startswith("usage: campusmon device add ADDR")
    assert "--community-file F" in p.stdout and "process list" in p.stdout
    assert all(len(line) <= 76 for line in p.stdout.splitlines())
    p = r("help", "device")
    assert all(("usage: campusmon device " + s) in p.stdout
               for s in ("add", "show", "edit", "rm"))
    p = r("help", "discover")
    assert p.returncode == 0 and "--no-wait" in p.stdout
    # "campusmon --version" is still the program's version; "--version 3" after
    # "device add" is the SNMP version (seen in test_bad_input)
    assert r("--version").stdout.startswith("campusmon ")


# ---- the device's life -------------------------------------------------------------------

def test_add_list_show_edit_rm(collector, snmpd, cli, home):
    comm = secret_file(home, "community", SNMPD_COMMUNITY + "\n")
    p = cli("device", "add", "127.0.0.1", "--port", str(snmpd), "--community-file", comm,
            "--interval", "5", "--site", "Main campus", "--building", "B3", "--room", "101",
            "--asset-tag", "A-0001")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Added device 127.0.0.1 (id ")
    assert field(p.stdout, "address") == "127.0.0.1:%d" % snmpd
    assert field(p.stdout, "status") == "unknown"
    assert field(p.stdout, "secrets set") == "community"
    assert field(p.stdout, "location") == "Main campus/B3/101"
    assert p.stderr == ""              # a 0600 file: no warning
    dev_id = json.loads(cli("--json", "devices").stdout)[0]["id"]

    p = cli("devices")
    assert p.returncode == 0
    lines = p.stdout.splitlines()
    assert re.match(r"^ID +NAME +ADDRESS +KIND +STATUS +LOCATION +LAST SEEN +MONITORED$",
                    lines[0])
    # the first poll may already have come (it is due within the interval)
    assert re.match(r"^ *%d +127\.0\.0\.1 +127\.0\.0\.1 +\w+ +(unknown|up) +Main campus/B3/101 "
                    r"+(never|\d+s ago) +yes$" % dev_id, lines[1]), lines[1]

    def polled():
        d = collector.get("/api/v1/devices/%d" % dev_id).json()
        ifs = collector.get("/api/v1/devices/%d/interfaces" % dev_id).json()
        return d["status"] == "up" and any(i["name"] == "lo" for i in ifs)

    wait_for(polled, timeout=30, interval=0.3, what="the first poll")

    p = cli("device", "show", "core-sw-1")          # renamed by its sysName
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert field(out, "name") == "core-sw-1"
    assert field(out, "status") == "up"
    assert field(out, "sysName") == "core-sw-1"
    assert field(out, "sysLocation") == "Building 3, room <b>101</b>"
    assert field(out, "asset tag") == "A-0001"
    assert field(out, "snmp") == "v2c"
    assert re.match(r"^\d+s ago$", field(out, "last seen"))
    assert re.match(r"^\d+(\.\d+)? m?s$", field(out, "poll duration"))
    assert field(out, "sysDescr") != "-"
    assert "\nInterfaces:\n" in out
    head = re.search(r"^INDEX +NAME +ALIAS +SPEED +ADMIN +OPER +IN +OUT +IN ERR/S +OUT ERR/S$",
                     out, re.M)
    assert head, out
    lo = re.search(r"^ *\d+ +lo +\S+ +(\S+ \S+|-) +up +up +(\S+ \S*bit/s|-) +"
                   r"(\S+ \S*bit/s|-) +\S+ +\S+$", out, re.M)
    assert lo, out
    assert "\nSensors:\n" in out or "\nNo sensors.\n" in out
    # the same by id, and as JSON
    assert field(cli("device", "show", str(dev_id)).stdout, "name") == "core-sw-1"
    j = json.loads(cli("--json", "device", "show", str(dev_id)).stdout)
    assert j["device"]["name"] == "core-sw-1" and isinstance(j["sensors"], list)
    assert any(i["name"] == "lo" for i in j["interfaces"])
    assert j["device"]["snmp"]["community_set"] is True

    # filters go to the collector
    assert "core-sw-1" in cli("devices", "--status", "up").stdout
    assert "core-sw-1" in cli("devices", "--search", "b3").stdout
    p = cli("devices", "--kind", "ups")
    assert p.returncode == 0 and p.stdout == "" and "no devices match" in p.stderr

    # edit: only the fields given change; a new secret can come from stdin
    p = cli("device", "edit", "core-sw-1", "--rack", "R7", "--unmonitored", "--kind", "switch",
            "--community-file", "-", input=NEW_COMMUNITY + "\n")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Changed device core-sw-1 (id %d)." % dev_id)
    assert field(p.stdout, "monitored") == "no" and field(p.stdout, "rack") == "R7"
    d = collector.get("/api/v1/devices/%d" % dev_id).json()
    assert d["rack"] == "R7" and d["monitored"] is False and d["kind"] == "switch"
    assert d["asset_tag"] == "A-0001" and d["site"] == "Main campus"   # untouched
    p = cli("device", "edit", str(dev_id), "--rack", "", "--monitored", "--interval", "30")
    assert p.returncode == 0, p.stderr
    d = collector.get("/api/v1/devices/%d" % dev_id).json()
    assert d["rack"] is None and d["monitored"] is True and d["interval"] == 30

    # rm by name
    p = cli("device", "rm", "core-sw-1")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "Removed device core-sw-1 (id %d).\n" % dev_id
    assert collector.get("/api/v1/devices/%d" % dev_id).status == 404
    p = cli("device", "show", "core-sw-1")
    assert p.returncode == 1 and "no such device: core-sw-1" in p.stderr
    p = cli("devices")
    assert p.returncode == 0 and p.stdout == "" and "no devices yet" in p.stderr
    log = open(collector.log_path).read()
    assert SNMPD_COMMUNITY not in log and NEW_COMMUNITY not in log


def test_snmpv3_secrets_from_files_are_never_printed(collector, cli, home):
    auth = secret_file(home, "auth", AUTH_SECRET + "\r\n")
    priv = secret_file(home, "priv", PRIV_SECRET, mode=0o644)
    p = cli("device", "add", "127.0.0.2", "--name", "v3-box", "--v3-user", "ops",
            "--auth-proto", "sha-256", "--auth-pass-file", auth, "--priv-proto", "AES",
            "--priv-pass-file", priv, "--unmonitored")
    assert p.returncode == 0, p.stderr
    assert "others may read it" in p.stderr and "chmod 600" in p.stderr   # the 0644 file
    assert field(p.stdout, "snmp") == "v3, user ops, auth SHA-256, privacy AES"
    assert field(p.stdout, "secrets set") == "auth passphrase, privacy passphrase"
    d = collector.get("/api/v1/devices/v3-box").json()
    assert d["snmp"]["version"] == "3" and d["snmp"]["auth_pass_set"] is True
    assert d["monitored"] is False
    # --json prints the collector's device, which holds no secret either
    p = cli("--json", "device", "show", "v3-box")
    assert p.returncode == 0 and json.loads(p.stdout)["device"]["snmp"]["priv_pass_set"]
    # a passphrase on the command line works too (and is still not printed)
    p = cli("device", "edit", "v3-box", "--auth-pass", AUTH_SECRET + "x")
    assert p.returncode == 0, p.stderr
    assert AUTH_SECRET + "x" not in p.stdout + p.stderr


# ---- discovery --------------------------------------------------------------------------

def test_discover_one_address(collector, snmpd, cli, home):
    p = cli("discover", "127.0.0.1/32", "--port", str(snmpd), "--community", "wrong-one",
            "--community", SNMPD_COMMUNITY)
    assert p.returncode == 0, p.stderr
    # not a terminal: progress lines, not carriage returns
    assert "\r" not in p.stderr
    assert re.search(r"^campusmon: discovery \d+: \d+/1 addresses probed", p.stderr, re.M)
    lines = p.stdout.splitlines()
    assert re.match(r"^ADDRESS +NAME +KIND +VIA +ADDED$", lines[0])
    assert re.match(r"^127\.0\.0\.1 +core-sw-1 +\w+ +snmp +yes$", lines[1]), lines[1]
    assert re.search(r"^Swept 1 address in \d+\.\ds: 1 answered SNMP, 0 seen without SNMP; "
                     r"1 new in the inventory\.$", p.stdout, re.M), p.stdout
    d = collector.get("/api/v1/devices/core-sw-1").json()
    assert d["monitored"] is True and d["snmp"]["community_set"] is True
    assert d["port"] == snmpd

    # again, with the community from a file and as JSON: nothing new
    comm = secret_file(home, "communities", "# not this one\n\n" + SNMPD_COMMUNITY + "\n")
    p = cli("--json", "discover", "127.0.0.1", "--port", str(snmpd), "--community-file", comm)
    assert p.returncode == 0, p.stderr
    job = json.loads(p.stdout)
    assert job["state"] == "done" and job["total"] == 1 and job["snmp"] == 1
    assert [f["added"] for f in job["found"]] == [False]

    # --no-wait returns at once with the job's id
    p = cli("discover", "127.0.0.1/32", "--port", str(snmpd), "--community", SNMPD_COMMUNITY,
            "--no-wait")
    assert p.returncode == 0, p.stderr
    m = re.match(r"^Started discovery (\d+) over 1 address;", p.stdout)
    assert m, p.stdout
    wait_for(lambda: collector.get("/api/v1/discovery/" + m.group(1)).json()["state"] == "done",
             timeout=30, what="the sweep")


def test_discover_progress_on_a_terminal(collector, snmpd, cli):
    """On a terminal the progress line is rewritten in place, then cleared."""
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([CLI, "discover", "127.0.0.1", "--port", str(snmpd),
                              "--community", SNMPD_COMMUNITY], env=cli.env(),
                             stdout=subprocess.PIPE, stderr=slave, text=True)
        out, _ = p.communicate(timeout=60)
        os.close(slave)
        slave = None
        err = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    assert p.returncode == 0
    err = err.decode()
    assert err.startswith("\rdiscovery ") and "\n" not in err
    assert err.endswith("\r")           # cleared before the table
    assert "core-sw-1" in out
    cli.outputs.append((("discover", "tty"), out + err))


# ---- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("args,msg", [
    (["device", "add"], "usage: campusmon device add ADDR [options]"),
    (["device"], "'device' needs a subcommand"),
    (["device", "show"], "usage: campusmon device show NAME|ID"),
    (["device", "add", "127.0.0.1", "--port", "70000"], "--port must be"),
    (["device", "add", "127.0.0.1", "--port", "x"], "--port must be"),
    (["device", "add", "127.0.0.1", "--interval", "5m"], "--interval must be whole seconds"),
    (["device", "add", "127.0.0.1", "--version", "4"], "--version must be 1, 2c or 3"),
    (["device", "add", "127.0.0.1", "--auth-proto", "ROT13"], "--auth-proto must be"),
    (["device", "add", "127.0.0.1", "--priv-proto", "3DES"], "--priv-proto must be"),
    (["device", "add", "127.0.0.1", "--version", "3", "--community", "c"],
     "--community is for SNMP versions 1 and 2c"),
    (["device", "add", "127.0.0.1", "--version", "2c", "--v3-user", "u"],
     "are for SNMP version 3"),
    (["device", "add", "127.0.0.1", "--community", "a", "--community-file", "/dev/null"],
     "not both"),
    (["device", "add", "127.0.0.1", "--community-file", "/nonexistent/c"], "cannot open"),
    (["device", "add", "127.0.0.1", "--community-file", "/dev/null"], "must hold the secret"),
    (["device", "add", "127.0.0.1", "--bogus"], "unknown option '--bogus'"),
    (["device", "edit", "x"], "nothing to change"),
    (["device", "edit", "x", "--monitored", "--unmonitored"], "not both"),
    (["discover"], "usage: campusmon discover CIDR[,CIDR...] | --seed ADDR --allow CIDR... [options]"),
    (["discover", "127.0.0.1", "--port", "0"], "--port must be"),
    (["discover", "127.0.0.1", "--community-file", "/dev/null"], "holds no community"),
])
def test_usage_errors_exit_2(cli, args, msg):
    p = cli(*args)
    assert p.returncode == 2, (args, p.stdout, p.stderr)
    assert msg in p.stderr, p.stderr
    assert p.stdout == ""


@pytest.mark.parametrize("args,msg", [
    (["device", "add", "127.0.0.1", "--kind", "toaster"], "kind must be one of"),
    (["device", "add", "127.0.0.1", "--interval", "1"], "interval must be 5 to 86400 seconds"),
    (["device", "add", "127.0.0.1", "--version", "3"], "SNMPv3 needs snmp.user"),
    (["device", "add", "not an address!"], "address must be an IPv4 or IPv6 address"),
    (["discover", "127.0.0.0/8"], "127.0.0.0/8: IPv4 ranges go from /16 to /32"),
    (["discover", "nowhere"], "not an address or CIDR range"),
    (["device", "show", "no-such"], "no such device: no-such"),
    (["device", "rm", "no-such"], "no such device: no-such"),
    (["device", "edit", "no-such", "--rack", "1"], "no such device: no-such"),
])
def test_collector_errors_exit_1_with_its_message(collector, cli, args, msg):
    p = cli(*args)
    assert p.returncode == 1, (args, p.stdout, p.stderr)
    assert msg in p.stderr and "(HTTP 4" in p.stderr, p.stderr
    assert p.stdout == ""
    assert collector.get("/api/v1/devices").json() == []


def test_name_taken_and_token_needed(collector, cli):
    assert cli("device", "add", "127.0.0.3", "--name", "dup", "--unmonitored").returncode == 0
    p = cli("device", "add", "127.0.0.4", "--name", "dup", "--unmonitored")
    assert p.returncode == 1 and "a device named 'dup' exists already (HTTP 409)" in p.stderr
    p = cli("device", "rm", "dup", env={"CAMPUSMON_TOKEN": ""})
    assert p.returncode == 1 and "no token given" in p.stderr
    assert [d["name"] for d in collector.get("/api/v1/devices").json()] == ["dup"]


# ---- HTTPS with a private CA ---------------------------------------------------------------

@pytest.fixture
def private_ca(tmp_path):
    """A CA of our own and a server certificate for 127.0.0.1 signed by it."""
    os.chmod(tmp_path, 0o755)

    def ssl(*args):
        subprocess.run(["openssl"] + list(args), cwd=tmp_path, check=True, capture_output=True)

    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Campus CA",
        "-keyout", "ca.key", "-out", "ca.pem")
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=monitor", "-keyout", "srv.key",
        "-out", "srv.csr")
    (tmp_path / "ext").write_text("subjectAltName=IP:127.0.0.1\n")
    ssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "ext", "-out", "srv.pem")
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA",
        "-keyout", "other.key", "-out", "other.pem")
    for f in ("ca.pem", "srv.pem", "srv.key", "other.pem"):
        os.chmod(tmp_path / f, 0o644)
    return tmp_path


def test_cacert_for_a_private_ca(collector_factory, private_ca, home):
    c = collector_factory(config="http:\n  tls_cert: %s\n  tls_key: %s\n"
                          % (private_ca / "srv.pem", private_ca / "srv.key")).start()
    assert c.url.startswith("https://")
    cli = Runner(c, home)
    ca = str(private_ca / "ca.pem")
    p = cli("devices")
    assert p.returncode == 3 and "certificate" in p.stderr
    p = cli("--cacert", ca, "device", "add", "127.0.0.5", "--name", "tls-dev", "--unmonitored")
    assert p.returncode == 0, p.stderr
    p = cli("devices", env={"CAMPUSMON_CA": ca})
    assert p.returncode == 0 and "tls-dev" in p.stdout
    # the user's file may name it too
    cfg = os.path.join(home, ".config", "campusmon")
    os.makedirs(cfg)
    secret_file(cfg, "cli.yaml", "cacert: %s\n" % ca)
    p = cli("device", "show", "tls-dev")
    assert p.returncode == 0 and field(p.stdout, "name") == "tls-dev"
    p = cli("--cacert", str(private_ca / "missing.pem"), "devices")
    assert p.returncode == 2 and "cannot read the CA file" in p.stderr
    # a CA that did not sign the server's certificate is refused
    p = cli("--cacert", str(private_ca / "other.pem"), "devices")
    assert p.returncode == 3 and "certificate" in p.stderr
    cli.assert_no_secret()


def test_names_with_spaces_and_chinese_are_looked_up(collector, cli):
    """Path segments are percent-decoded by the collector and encoded by the CLI."""
    name = "核心交换机 1"
    r = collector.post_json("/api/v1/devices", {"address": "127.0.0.9", "name": name,
                                                "monitored": False})
    assert r.status == 201, r.body
    dev_id = r.json()["id"]
    p = cli("device", "show", name)
    assert p.returncode == 0, p.stderr
    assert name in p.stdout
    p = cli("--json", "device", "show", name)
    assert p.returncode == 0 and json.loads(p.stdout)["device"]["id"] == dev_id
    quoted = "/api/v1/devices/" + urllib.parse.quote(name)
    got = collector.get(quoted)
    assert got.status == 200 and got.json()["name"] == name
    # '+' is a plus in a path, not a space
    assert collector.get("/api/v1/devices/%E6%A0%B8%E5%BF%83%E4%BA%A4%E6%8D%A2%E6%9C%BA+1"
                         ).status == 404
    # bad escapes, NUL and bytes that are not UTF-8 are refused, not looked up
    for bad in ("%00", "abc%00def", "%ff", "%C3%28", "%zz", "%4", "%"):
        got = collector.get("/api/v1/devices/" + bad)
        assert got.status == 400, (bad, got.status)
        assert "percent" in got.json()["error"]
    p = cli("device", "rm", name)
    assert p.returncode == 0, p.stderr
    assert collector.get(quoted).status == 404
