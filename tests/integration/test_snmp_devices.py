"""The SNMP engine against real peers: campusmon-snmppoll polls every device
recording of ../shared/devices served by Debian's snmpsimd, a real snmpd
with an SNMPv3 authPriv user (SHA/AES), an address that never answers, and
small fake agents that answer garbage or tooBig.

Expected values are read from the recordings themselves (ifTable rows) or
were checked against them by hand (sensor spot checks below).
"""
import glob
import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

from conftest import BUILD, SHARED, make_tmpdir, wait_for

POLL = os.environ.get("CAMPUSMON_SNMPPOLL",
                      os.path.join(BUILD, "collector", "snmp", "campusmon-snmppoll"))
DEVICES = os.path.join(SHARED, "devices")


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(target, *args, timeout=60):
    """Run campusmon-snmppoll; returns (exit code, parsed JSON, stderr)."""
    cmd = [POLL, "--compact"] + list(args) + [target]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert p.stdout, "no JSON from %s: %s" % (cmd, p.stderr)
    return p.returncode, json.loads(p.stdout), p.stderr


def recording(name):
    """OID -> (type, value) of a .snmprec file."""
    rows = {}
    with open(os.path.join(DEVICES, name + ".snmprec"), encoding="utf-8",
              errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("|", 2)
            if len(parts) == 3:
                rows[parts[0]] = (parts[1], parts[2])
    return rows


def if_rows(name):
    pre = "1.3.6.1.2.1.2.2.1.2."
    return sorted(int(k[len(pre):]) for k in recording(name) if k.startswith(pre))


@pytest.fixture(scope="module")
def snmpsim():
    """snmpsimd serving a temp copy of every recording on a free port."""
    assert shutil.which("snmpsimd"), "snmpsimd is missing (apt-get install snmpsim)"
    files = sorted(glob.glob(os.path.join(DEVICES, "*.snmprec")))
    assert len(files) == 18, files
    tmp = make_tmpdir("cm-snmpsim-")
    data, cache = os.path.join(tmp, "data"), os.path.join(tmp, "cache")
    os.makedirs(data)
    os.makedirs(cache)
    for f in files:
        shutil.copy(f, data)
    port = free_udp_port()
    cmd = ["snmpsimd", "--data-dir=" + data, "--cache-dir=" + cache,
           "--agent-udpv4-endpoint=127.0.0.1:%d" % port]
    if os.geteuid() == 0:
        # snmpsimd refuses to run as root: it drops to nobody.
        for d in (tmp, data, cache):
            os.chmod(d, 0o777)
        cmd += ["--process-user=nobody", "--process-group=nogroup"]
    log = open(os.path.join(tmp, "snmpsimd.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    target = "127.0.0.1:%d" % port

    def answers():
        assert proc.poll() is None, open(os.path.join(tmp, "snmpsimd.log")).read()
        p = subprocess.run([POLL, "--compact", "--system-only", "-t", "500", "-r", "0",
                            "-c", "switch-huawei-s5720", target],
                           capture_output=True, text=True, timeout=30)
        return p.returncode == 0
    try:
        wait_for(answers, timeout=120, interval=0.5, what="snmpsimd")
        yield target
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


# Per recording: kind, profiles that must match, inventory, and sensors as
# name -> (type, value, unit, state); value None = any number.
EXPECT = {
    "switch-huawei-s5720": dict(
        kind="switch", profiles={"huawei", "entity-mib", "if-mib"},
        inventory={"serial": "2102359576DMHC000120", "vendor": "Huawei"},
        sensors={"MPU Board 0": ("temperature", 42, "°C", None)},
        metrics=[("cpu", "load_percent", 44), ("memory", "used_percent", 9)]),
    "switch-h3c-a5500": dict(
        kind="switch", profiles={"h3c", "entity-mib"},
        inventory={"serial": "CN50A1Z4BN", "model": "JD377A"},
        sensors={"Board": ("temperature", 38, "°C", None)},
        metrics=[("cpu", "load_percent", 8), ("memory", "used_percent", 47)]),
    "switch-ruijie-s6220": dict(
        kind="switch", profiles={"ruijie", "entity-mib"},
        inventory={"model": "RG-S6220-48XS4QXS", "vendor": "Ruijie"}, sensors={}),
    "switch-cisco-2960x": dict(
        kind="switch", profiles={"cisco", "entity-mib"},
        inventory={"serial": "FCW1929B68S", "model": "WS-C2960X-48FPS-L"},
        sensors={"SW#1, Sensor#1, GREEN": ("temperature", 44, "°C", "normal"),
                 "Switch#2, Fan#1": ("fan", 1, "", "normal"),
                 "Sw3, PS1 Normal, RPS NotExist": ("psu", 1, "", "normal")},
        metrics=[("cpu", "load_percent", 53)]),
    "switch-aruba-6200f": dict(
        kind="switch", profiles={"aruba-cx", "entity-sensor-mib", "host-resources"},
        inventory={"serial": "AB12CD3456", "model": "JL727A"},
        sensors={"Temp Sensor": ("temperature", 27.375, "°C", "normal"),
                 "RPM sensor for fan 1/1": ("fan", 4136, "rpm", "normal"),
                 "Power sensor for power supply 1/1": ("power", 0, "W", "normal")}),
    "wlc-huawei-ac6605": dict(
        kind="wlc", profiles={"huawei"},
        sensors={"SRU Board 0": ("temperature", 40, "°C", None),
                 "PWR Card 0/5": ("psu", 3, "", "normal")}),
    "fw-hillstone-sg6000": dict(
        kind="firewall", profiles={"hillstone"},
        sensors={"Chassis_Inlet": ("temperature", 24, "°C", None),
                 "Switch": ("temperature", 68, "°C", None),
                 "PS0": ("psu", 0, "", "normal"), "PS1": ("psu", 0, "", "normal")},
        metrics=[("cpu", "load_percent", 55), ("memory", "total_bytes", 8388608 * 1024)]),
    "fw-fortigate-60f": dict(
        kind="firewall", profiles={"fortigate"},
        inventory={"serial": "FGT60FTK00000000", "vendor": "Fortinet"},
        sensors={"CPU ON-DIE Temperature": ("temperature", 51.569, "°C", "normal"),
                 "B50210_2 Temperature": ("temperature", 37.414001, "°C", "normal")},
        metrics=[("memory", "used_percent", 33), ("sessions", "count", 174)]),
    "router-huawei-ar169": dict(
        kind="router", profiles={"huawei"},
        sensors={"SRU Board 0": ("temperature", 44, "°C", None)},
        metrics=[("cpu", "load_percent", 24), ("memory", "used_percent", 58)]),
    "ups-apc-smx750i": dict(
        kind="ups", profiles={"apc-ups"},
        inventory={"model": "Smart-UPS X 750", "vendor": "APC"},
        sensors={"Output status": ("other", 2, "", "normal"),
                 "Battery charge": ("charge", 100.0, "%", None),
                 "Runtime remaining": ("runtime", 95.15, "min", None),
                 "Output load": ("load", 20.2, "%", None),
                 "Battery temperature": ("temperature", 31, "°C", None),
                 "Port 1 Temp 1": ("temperature", 23, "°C", "normal"),
                 "Door": ("door", 2, "", "door_open"),
                 "Fan": ("other", 1, "", "normal")}),
    "ups-eaton-9px-upsmib": dict(
        kind="ups", profiles={"ups-mib"},
        inventory={"model": "Eaton 9PX 1000i RT 2U", "vendor": "EATON"},
        sensors={"Battery status": ("other", 2, "", "normal"),
                 "Battery charge": ("charge", 91, "%", None),
                 "Battery voltage": ("voltage", 55.0, "V", None),
                 "Runtime remaining": ("runtime", 18, "min", None),
                 "Output source": ("other", 3, "", "normal"),
                 "Output 1 load": ("load", 40, "%", None),
                 "Output 1 current": ("current", 1.7, "A", None),
                 "Input 1 frequency": ("frequency", 50.0, "Hz", None)}),
    "env-akcp-sensorprobe8": dict(
        kind="sensor", profiles={"akcp-sensorprobe"},
        sensors={"Temp.Sensor 1": ("temperature", 22.1, "°C", "normal"),
                 "Temp.Sensor Carrier": ("temperature", 19.9, "°C", "normal"),
                 "Custom Descr 1": ("humidity", 42, "%RH", "normal"),
                 "USV Carrier 230V ausgefallen": ("other", 2, "", "normal")},
        counts={"temperature": 3, "humidity": 3, "other": 5}),
    "env-apc-netbotz750": dict(
        kind="sensor", profiles={"apc-netbotz"},
        sensors={"AP9520TH temperature": ("temperature", 20.1, "°C", "normal"),
                 "AP9520TH humidity": ("humidity", 36.0, "%RH", "normal"),
                 "Smoke Detector 2": ("smoke", 0, "", "normal"),
                 "Smoke Detector 3": ("smoke", 0, "", "normal")},
        counts={"temperature": 2, "humidity": 2, "smoke": 2, "current": 2}),
    "env-rittal-cmc": dict(
        kind="sensor", profiles={"rittal-cmc"},
        sensors={"Leakage Sensor": ("leak", 0, "", "normal"),
                 "Access Sensor": ("door", 1, "", "normal"),
                 "Water-In-Temperat.": ("temperature", 14, "°C", "normal"),
                 "RLCP Rpm 1": ("fan", 1620, "rpm", "normal"),
                 "LCP Flowrate": ("airflow", 66, "l/min", "normal")},
        counts={"leak": 1, "door": 1, "fan": 7}),
    "pdu-apc-ap8959": dict(
        kind="pdu", profiles={"apc-pdu"},
        inventory={"serial": "5A1638E01463", "model": "AP8959EU3"},
        sensors={"Total power": ("power", 270, "W", "normal"),
                 "Phase 1 current": ("current", 1.3, "A", "normal"),
                 "Phase 1 voltage": ("voltage", 231, "V", None),
                 "Outlet 23": ("other", 2, "", "off"),
                 "Outlet 1": ("other", 1, "", "on")}),
    "server-linux-el8": dict(
        kind="server", profiles={"host-resources", "ucd-snmp"}, sensors={},
        metrics=[("memory", "total_bytes", 841176 * 1024), ("cpu", "load_percent", 13)]),
    "server-windows-2019": dict(
        kind="server", profiles={"host-resources"}, sensors={},
        metrics=[("cpu", "load_percent", None)]),
    "nas-synology-dsm": dict(
        kind="storage", profiles={"synology", "host-resources", "ucd-snmp"},
        inventory={"serial": "3005AWL999111", "model": "RS2212RP+"},
        sensors={"System temperature": ("temperature", 48, "°C", None),
                 "Disk 1 temperature": ("temperature", 42, "°C", None),
                 "Disk 1 status": ("other", 2, "", "normal"),
                 "Volume 1 RAID": ("other", 1, "", "normal"),
                 "CPU fan": ("fan", 1, "", "normal")},
        counts={"temperature": 23}),
}


def test_every_recording_has_expectations():
    names = {os.path.basename(f)[:-len(".snmprec")]
             for f in glob.glob(os.path.join(DEVICES, "*.snmprec"))}
    assert names == set(EXPECT)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_recording(snmpsim, name):
    want = EXPECT[name]
    rc, r, err = poll(snmpsim, "-c", name, "-t", "3000", "-r", "2")
    assert rc == 0, (r["error"], err)
    assert r["status"] == "up"
    assert r["kind"] == want["kind"]
    assert want["profiles"] <= set(r["profiles"]), r["profiles"]
    assert {"system", "if-mib"} <= set(r["profiles"])
    # every ifTable row of the recording is an interface
    assert [i["index"] for i in r["interfaces"]] == if_rows(name)
    for i in r["interfaces"]:
        assert i["name"] and i["oper_status"] in (
            "up", "down", "testing", "unknown", "dormant", "notPresent", "lowerLayerDown")
        assert i["in_bps"] is None, "no rate after a single poll"
    rec = recording(name)
    assert r["system"]["object_id"] == rec["1.3.6.1.2.1.1.2.0"][1].lstrip(".")
    for k, v in want.get("inventory", {}).items():
        assert r["inventory"][k] == v, (k, r["inventory"])
    sensors = {s["name"]: s for s in r["sensors"]}
    for sname, (stype, value, unit, state) in want["sensors"].items():
        assert sname in sensors, (sname, sorted(sensors))
        s = sensors[sname]
        assert s["type"] == stype, s
        assert s["unit"] == unit, s
        if value is not None:
            assert abs(s["value"] - value) < 1e-6 * max(1, abs(value)), s
        if state is not None:
            assert s["state"] == state, s
    for stype, n in want.get("counts", {}).items():
        assert sum(1 for s in r["sensors"] if s["type"] == stype) == n, stype
    for s in r["sensors"]:
        assert s["state"] in ("normal", "warning", "critical", "unknown", "on", "off",
                              "door_open", "leak", "smoke", "on_battery", "battery_low")
    metrics = r["metrics"]
    for meas, field, value in want.get("metrics", []):
        found = [m for m in metrics if m["measurement"] == meas and m["field"] == field]
        assert found, (meas, field)
        if value is not None:
            assert any(abs(m["value"] - value) < 1e-6 * max(1, value) for m in found), found
    # sensors are series too: measurement "sensor", tags type and name
    assert sum(1 for m in metrics if m["measurement"] == "sensor") == len(r["sensors"])
    assert r["stats"]["requests"] > 0 and r["stats"]["timeouts"] == 0
    # bulk requests carry many values each
    assert r["stats"]["values"] / r["stats"]["requests"] >= 3


def test_two_polls_give_rates(snmpsim):
    rc, r, _ = poll(snmpsim, "-c", "switch-cisco-2960x", "--count", "2", "--interval", "1")
    assert rc == 0
    # the recording is a frozen snapshot: counters do not move, rates are 0;
    # interfaces without octet counters (stack ports) have no rate
    rec = recording("switch-cisco-2960x")
    counted = {int(k.rsplit(".", 1)[1]) for k in rec
               if k.startswith("1.3.6.1.2.1.2.2.1.10.") or k.startswith("1.3.6.1.2.1.31.1.1.1.6.")}
    rated = {i["index"] for i in r["interfaces"] if i["in_bps"] is not None}
    assert len(r["interfaces"]) == 146
    assert rated == counted and len(rated) > 100
    assert all(i["in_bps"] == 0 for i in r["interfaces"] if i["index"] in rated)
    assert not r["system"]["rebooted"]


def test_small_bulk_and_v1(snmpsim):
    """GETNEXT walks (SNMPv1) and tiny GETBULKs get the same answer."""
    _, bulk, _ = poll(snmpsim, "-c", "switch-h3c-a5500")
    rc, v1, _ = poll(snmpsim, "-v", "1", "-c", "switch-h3c-a5500")
    assert rc == 0
    rc, small, _ = poll(snmpsim, "--max-reps", "2", "-c", "switch-h3c-a5500")
    assert rc == 0
    for other in (v1, small):
        assert len(other["interfaces"]) == len(bulk["interfaces"]) == 30
        assert sorted(s["name"] for s in other["sensors"]) == \
            sorted(s["name"] for s in bulk["sensors"])
    assert small["stats"]["requests"] > bulk["stats"]["requests"]


def test_inflight_option(snmpsim):
    rc, r, _ = poll(snmpsim, "--inflight", "4", "-c", "switch-huawei-s5720")
    assert rc == 0 and len(r["interfaces"]) == 65


def test_wrong_community_is_down_quickly(snmpsim):
    t0 = time.time()
    rc, r, _ = poll(snmpsim, "-c", "no-such-community", "-t", "300", "-r", "1")
    assert rc == 2 and r["status"] == "down"
    assert time.time() - t0 < 5


# ---- SNMPv3 against a real snmpd -------------------------------------------

V3_USER = ["-v", "3", "-u", "campus", "-a", "SHA", "-A", "auth-pass-123",
           "-x", "AES", "-X", "priv-pass-456", "-t", "500", "-r", "1"]


class Snmpd:
    """A real snmpd with an SNMPv3 authPriv user, its own config and
    persistent dir (which keeps engine ID and boots across restarts)."""

    def __init__(self):
        self.bin = shutil.which("snmpd") or "/usr/sbin/snmpd"
        assert os.path.exists(self.bin), "snmpd is missing (apt-get install snmpd)"
        self.tmp = make_tmpdir("cm-snmpd-")
        self.port = free_udp_port()
        self.target = "127.0.0.1:%d" % self.port
        self.conf = os.path.join(self.tmp, "snmpd.conf")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write("agentAddress udp:127.0.0.1:%d\n" % self.port)
            f.write('createUser campus SHA "auth-pass-123" AES "priv-pass-456"\n')
            f.write("rouser campus priv\n")
            f.write("sysName v3-test-agent\n")
            f.write("sysLocation 机房 A-3\n")
        self.proc = None

    def start(self):
        env = dict(os.environ, SNMP_PERSISTENT_DIR=os.path.join(self.tmp, "persist"),
                   SNMPCONFPATH=self.tmp, MIBS="", MIBDIRS="/nonexistent")
        self.proc = subprocess.Popen(
            [self.bin, "-f", "-Lf", os.path.join(self.tmp, "snmpd.log"), "-C",
             "-c", self.conf, "-I", "-smux"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def up():
            assert self.proc.poll() is None, "snmpd exited"
            p = subprocess.run([POLL, "--compact", "--system-only"] + V3_USER +
                               [self.target], capture_output=True, text=True, timeout=30)
            return p.returncode == 0
        wait_for(up, timeout=30, interval=0.3, what="snmpd")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def snmpd_v3():
    d = Snmpd()
    try:
        d.start()
        yield d.target, list(V3_USER), d.proc
    finally:
        d.stop()
        shutil.rmtree(d.tmp, ignore_errors=True)


def test_v3_authpriv(snmpd_v3):
    target, v3, _ = snmpd_v3
    rc, r, err = poll(target, *v3)
    assert rc == 0, (r, err)
    assert r["system"]["name"] == "v3-test-agent"
    assert r["system"]["location"] == "机房 A-3"
    assert r["kind"] == "server"
    assert {"host-resources", "ucd-snmp"} <= set(r["profiles"])
    assert len(r["interfaces"]) >= 1
    assert any(m["measurement"] == "memory" for m in r["metrics"])


@pytest.mark.parametrize("change,needle", [
    ({"-A": "wrong-pass-123"}, "authentication failed"),
    ({"-u": "nobody-here"}, "unknown user"),
])
def test_v3_bad_credentials(snmpd_v3, change, needle):
    target, v3, _ = snmpd_v3
    args = list(v3)
    for k, v in change.items():
        args[args.index(k) + 1] = v
    t0 = time.time()
    rc, r, _ = poll(target, *args)
    assert rc == 2 and r["status"] == "down"
    assert needle in r["error"], r["error"]
    assert time.time() - t0 < 5


def test_v3_agent_restart_recovers():
    """The poller keeps working across an agent restart (engine boots and
    time change; the USM layer resynchronises without a new session)."""
    d = Snmpd()
    try:
        d.start()
        args = list(V3_USER)
        args[args.index("-t") + 1] = "300"
        p = subprocess.Popen([POLL, "--compact", "--count", "5", "--interval", "1"] +
                             args + [d.target], stdout=subprocess.PIPE, text=True)
        time.sleep(1.5)
        d.stop()
        d.start()
        out, _ = p.communicate(timeout=60)
        assert p.returncode == 0
        r = json.loads(out)
        assert r["status"] == "up"
        assert r["system"]["name"] == "v3-test-agent"
    finally:
        d.stop()
        shutil.rmtree(d.tmp, ignore_errors=True)


# ---- peers that misbehave ---------------------------------------------------

class FakeAgent:
    """A UDP peer on 127.0.0.1: 'silent' never answers, 'garbage' answers
    bytes that are not SNMP, 'toobig' answers GETs but every GETNEXT/GETBULK
    with tooBig (a minimal BER codec is enough for that)."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.target = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.requests = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @staticmethod
    def tlv(data, pos):
        tag = data[pos]
        ln = data[pos + 1]
        pos += 2
        if ln & 0x80:
            n = ln & 0x7F
            ln = int.from_bytes(data[pos:pos + n], "big")
            pos += n
        return tag, data[pos:pos + ln], pos + ln

    @staticmethod
    def enc(tag, body):
        n = len(body)
        if n < 128:
            return bytes([tag, n]) + body
        nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return bytes([tag, 0x80 | len(nb)]) + nb + body

    def answer(self, data):
        _, msg, _ = self.tlv(data, 0)
        _, ver, p = self.tlv(msg, 0)
        _, community, p = self.tlv(msg, p)
        pdu_tag, pdu, _ = self.tlv(msg, p)
        _, reqid, q = self.tlv(pdu, 0)
        _, _, q = self.tlv(pdu, q)
        _, _, q = self.tlv(pdu, q)
        _, vbl, _ = self.tlv(pdu, q)
        vbs, q = [], 0
        while q < len(vbl):
            _, vb, q = self.tlv(vbl, q)
            _, name, _ = self.tlv(vb, 0)
            vbs.append(name)
        if pdu_tag == 0xA0:	# GET: answer every OID with a string
            err, out = 0, b"".join(
                self.enc(0x30, self.enc(0x06, n) + self.enc(0x04, b"fake")) for n in vbs)
        else:
            err, out = 1, b""	# tooBig, empty varbind list
        resp = (self.enc(0x02, reqid) + self.enc(0x02, bytes([err])) +
                self.enc(0x02, b"\x00") + self.enc(0x30, out))
        return self.enc(0x30, self.enc(0x02, ver) + self.enc(0x04, community) +
                        self.enc(0xA2, resp))

    def run(self):
        while not self.stop:
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            self.requests += 1
            if self.mode == "garbage":
                self.sock.sendto(b"\x30\x03\x02\x01" + os.urandom(40), peer)
            elif self.mode == "toobig":
                self.sock.sendto(self.answer(data), peer)

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.mark.parametrize("mode", ["silent", "garbage"])
def test_peer_that_never_answers_sensibly(mode):
    agent = FakeAgent(mode)
    try:
        t0 = time.time()
        rc, r, _ = poll(agent.target, "-c", "public", "-t", "200", "-r", "1")
        elapsed = time.time() - t0
        assert rc == 2 and r["status"] == "down"
        assert "timeout" in r["error"]
        assert elapsed < 3, elapsed
        # the fake agent's thread may count the retry a moment after the poll gave up
        wait_for(lambda: agent.requests >= 2, timeout=2, what="the retry to arrive")
        assert agent.requests == 2, "one try and one retry"
    finally:
        agent.close()


def test_peer_answering_toobig():
    agent = FakeAgent("toobig")
    try:
        t0 = time.time()
        rc, r, err = poll(agent.target, "-c", "public", "-t", "300", "-r", "0")
        assert rc == 0, err
        assert r["status"] == "up"
        assert r["system"]["name"] == "fake"
        assert r["stats"]["too_big"] >= 3
        assert r["stats"]["bulk_size"] == 2, "GETBULK size shrank to the floor"
        assert r["interfaces"] == []
        assert time.time() - t0 < 10
    finally:
        agent.close()
