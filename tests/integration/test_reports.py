"""Coverage and compliance reports and the asset register (issue 16), against
the real collector polling snmpsim devices (../shared/devices recordings).

An imported GBK register with assets no device matches gives the expected
counts per kind; a device that stops answering drops out of "monitored"
after reports.monitored_intervals; formulas in the register are neutralised
on CSV export; an auditor reads and changes nothing; the CLI makes a PDF
through headless Chromium.
"""
import csv
import io
import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import http, wait_for
from test_auth import ADMIN_PW, Session, make_user
from test_cli import cli, home  # noqa: F401  (fixture)
from test_snmp_devices import snmpsim  # noqa: F401  (fixture)

HEADER = "asset_tag,serial,name,model,kind,building,room,rack,owner,address,mac\n"
FORMULA = "=cmd|' /C calc'!A0"
S5720_SERIAL = "2102359576DMHC000120"   # entPhysicalSerialNum in the recording
CONFIG = ("snmp:\n  timeout_ms: 300\n  retries: 0\n"
          "reports:\n  monitored_intervals: 2\n"
          "school:\n  name: 测试中学\n  level: ZJ\n")

# name -> (recording = community, kind)
DEVICES = {
    "core-s5720": ("switch-huawei-s5720", "switch"),
    "edge-2960x": ("switch-cisco-2960x", "switch"),
    "ups-eaton": ("ups-eaton-9px-upsmib", "ups"),
    "room-akcp": ("env-akcp-sensorprobe8", "sensor"),
    "srv-el8": ("server-linux-el8", "server"),
}

REGISTER = HEADER + "\n".join([
    "A-001,%s,核心交换机,S5720,交换机,图书馆,机房101,R1,网络中心,," % S5720_SERIAL,
    "A-002,,ups-eaton,9PX,UPS,图书馆,机房101,R2,网络中心,,",
    "A-003,,楼层交换机-3F,S2700,交换机,教学楼,3F,,网络中心,10.9.0.3,",
    "A-004,,楼层交换机-4F,S2700,交换机,教学楼,4F,,网络中心,,00-11-22-33-44-55",
    'A-005,,"%s",R740,服务器,图书馆,机房101,R3,信息中心,,' % FORMULA.replace('"', '""'),
]) + "\n"


def gbk(text):
    """The text as Excel in China saves it, made with iconv."""
    return subprocess.run(["iconv", "-f", "UTF-8", "-t", "GBK"], input=text.encode(),
                          capture_output=True, check=True).stdout


def post_csv(c, body, token=None, ctype="text/csv"):
    h = dict(c.auth(token))
    h["Content-Type"] = ctype
    return http("POST", c.url + "/api/v1/assets", body, h)


def coverage(c):
    r = c.get("/api/v1/reports/coverage")
    assert r.status == 200, r.body
    return r.json()


def by_kind(cov):
    return {k["kind"]: (k["inventoried"], k["monitored"]) for k in cov["by_kind"]}


@pytest.fixture
def campus(collector_factory, snmpsim):  # noqa: F811
    c = collector_factory(config=CONFIG).start()
    port = int(snmpsim.rsplit(":", 1)[1])
    ids = {}
    for name, (rec, kind) in DEVICES.items():
        r = c.post_json("/api/v1/devices", {"name": name, "address": "127.0.0.1", "port": port,
                                            "kind": kind, "interval": 5,
                                            "snmp": {"community": rec}})
        assert r.status == 201, r.body
        ids[name] = r.json()["id"]
    wait_for(lambda: coverage(c)["overall"]["monitored"] == len(DEVICES), timeout=60,
             what="every device polled")
    wait_for(lambda: c.get("/api/v1/devices/%d" % ids["core-s5720"]).json().get("serial")
             == S5720_SERIAL, timeout=30, what="the switch's serial (ENTITY-MIB)")
    # the neighbour-derived counts need both switches' whole neighbour tables
    # (counts as in test_topology's recordings test)
    for name, count in (("core-s5720", 5), ("edge-2960x", 7)):
        if name in ids:
            wait_for(lambda: len(c.get("/api/v1/devices/%d/neighbors" % ids[name]).json())
                     == count, timeout=60, interval=0.5, what="the neighbours of " + name)
    return c, ids


def test_register_counts_per_kind_and_a_silent_device_drops_out(campus):
    c, ids = campus
    r = post_csv(c, gbk(REGISTER))
    assert r.status == 200, r.body
    assert r.json() == {"imported": 5, "encoding": "GBK", "matched": 2, "unmatched": 3}

    assets = c.get("/api/v1/assets").json()
    got = {a["asset_tag"]: (a["device"], a["matched_by"]) for a in assets["assets"]}
    assert got == {"A-001": ("core-s5720", "serial"), "A-002": ("ups-eaton", "name"),
                   "A-003": (None, None), "A-004": (None, None), "A-005": (None, None)}
    assert assets["assets"][0]["name"] == "核心交换机"          # GBK decoded
    assert assets["assets"][3]["mac"] == "00:11:22:33:44:55"
    assert assets["unmatched_assets"] == ["A-003", "A-004", "A-005"]
    assert sorted(d["name"] for d in assets["unmatched_devices"]) == [
        "edge-2960x", "room-akcp", "srv-el8"]

    cov = coverage(c)
    # the recordings' own LLDP/CDP neighbours count too when topology runs
    # (seen, never added); the register's figures come on top of them
    nb = [u for u in cov["unmonitored"] if u["sources"] == ["neighbour"]]
    extra = {}
    for u in nb:
        assert u["why"] == "never added"
        extra[u["kind"]] = extra.get(u["kind"], 0) + 1
    inv = 8 + len(nb)
    assert cov["overall"] == {"inventoried": inv, "monitored": 5,
                              "percent": round(500.0 / inv, 1), "target": 80, "pass": False}
    want = {"switch": (4, 2), "ups": (1, 1), "sensor": (1, 1), "server": (2, 1)}
    for k, n in extra.items():
        i, m = want.get(k, (0, 0))
        want[k] = (i + n, m)
    assert by_kind(cov) == want
    assert sorted((u["name"], u["kind"], u["why"]) for u in cov["unmonitored"] if u not in nb) == [
        (FORMULA, "server", "never added"), ("楼层交换机-3F", "switch", "never added"),
        ("楼层交换机-4F", "switch", "never added")]
    assert cov["school"] == "测试中学"

    # one row per inventoried item; formulas neutralised for spreadsheets
    r = c.get("/api/v1/reports/coverage?format=csv")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.body.decode())))
    assert rows[0] == ["name", "address", "kind", "monitored", "why", "sources"]
    assert len(rows) == 1 + inv
    assert ["'" + FORMULA, "", "server", "no", "never added", "asset"] in rows
    exported = c.get("/api/v1/assets?format=csv").body.decode()
    assert '"\'' + FORMULA.replace('"', '""') + '"' in exported
    assert not any(line.startswith("=") or ",=" in line for line in exported.splitlines())

    # the switch stops answering (its community no longer fits): monitored
    # until its last good poll is 2 intervals old, then "not answering"
    r = http("PATCH", c.url + "/api/v1/devices/%d" % ids["edge-2960x"],
             json.dumps({"snmp": {"community": "no-such-community"}}).encode(), c.auth())
    assert r.status == 200, r.body
    wait_for(lambda: c.get("/api/v1/devices/%d" % ids["edge-2960x"]).json()["status"] == "down",
             timeout=30, what="the switch to be down")

    def dropped():
        u = {x["name"]: x["why"] for x in coverage(c)["unmonitored"]}
        return u.get("edge-2960x")
    assert wait_for(dropped, timeout=40, what="the switch to drop out") == "not answering"
    dev = c.get("/api/v1/devices/%d" % ids["edge-2960x"]).json()
    assert time.time() - dev["last_seen"] > 2 * 5
    assert by_kind(coverage(c))["switch"] == (want["switch"][0], 1)

    # the day's figures are kept for the trend; reports are audited
    hist = c.get("/api/v1/reports/coverage/history").json()
    assert hist and hist[-1]["day"] == time.strftime("%Y-%m-%d")
    audit = c.get("/api/v1/audit").json()
    actions = {e["action"] for e in audit}
    assert {"report.coverage", "assets.import"} <= actions


def test_compliance_indicators(campus):
    c, _ = campus
    r = c.get("/api/v1/reports/compliance")
    assert r.status == 200, r.body
    rep = r.json()
    assert rep["level"] == "ZJ"                       # school.level
    ind = {i["id"]: i for i in rep["indicators"]}
    assert list(ind) == ["backbone_speed", "access_speed", "egress_per_person",
                         "server_headroom", "ups_runtime", "sensor_presence", "coverage"]
    for i in ind.values():
        assert set(i) >= {"id", "code", "name", "threshold", "value", "unit", "pass",
                          "evidence"}
    # no link between two managed devices here (or no topology at all):
    # unknown, said so, not guessed
    assert ind["backbone_speed"]["pass"] is None
    assert ind["backbone_speed"]["evidence"][0]["what"] in (
        "no topology yet: uplinks are not known", "no link between two managed devices")
    # headcount 0: unknown, not a division by zero
    assert ind["egress_per_person"]["value"] is None
    assert "headcount" in ind["egress_per_person"]["evidence"][0]["what"]
    # the UPS's runtime against ZJ's 6 hours
    assert ind["ups_runtime"]["threshold"] == 6 and ind["ups_runtime"]["code"] == "ZJ010303"
    ups = [e for e in ind["ups_runtime"]["evidence"] if e["device"] == "ups-eaton"]
    assert ups and isinstance(ups[0]["value"], float)
    assert ind["ups_runtime"]["pass"] == (ups[0]["value"] >= 6)
    pct = coverage(c)["overall"]["percent"]
    assert ind["coverage"]["value"] == pct and ind["coverage"]["pass"] == (pct >= 80)
    # the request overrides the level
    gj = c.get("/api/v1/reports/compliance?level=GJ").json()
    assert gj["level"] == "GJ" and gj["indicators"][4]["threshold"] == 8
    assert c.get("/api/v1/reports/compliance?level=XX").status == 400
    r = c.get("/api/v1/reports/compliance?format=csv")
    assert r.body.decode().startswith("id,code,name,threshold,unit,value,pass,device,what")


@pytest.mark.parametrize("body,ctype,status,needle", [
    (HEADER.replace(",mac", "").encode() + b"A1,,,,,,,,,\n", "text/csv", 400,
     "row 1: the header lacks the column mac"),
    ((HEADER + "A1,,,,,,,,,,\nA2,,,,,,,,,,\nA1,,,,,,,,,,\n").encode(), "text/csv", 400,
     "row 4: asset_tag 'A1' repeats row 2"),
    ((HEADER + "A1,,,,,,,,,,\n").encode() + b"A2,,\x80\xff\xfe,,,,,,,,\n", "text/csv", 400,
     "row 3: the file is neither UTF-8 nor GBK"),
    (b'{"assets": []}', "application/json", 415, "text/csv"),
    (lambda: (HEADER + "".join("T%d,,,,,,,,,,\n" % i for i in range(100000))).encode(),
     "text/csv", 400, "row 50002: more than 50000 assets"),
], ids=["missing-column", "duplicate-tag", "neither-utf8-nor-gbk", "json", "100000-rows"])
def test_bad_registers_are_refused_and_change_nothing(collector, body, ctype, status, needle):
    assert post_csv(collector, (HEADER + "KEEP,,,,,,,,,,\n").encode()).status == 200
    r = post_csv(collector, body() if callable(body) else body, ctype=ctype)
    assert r.status == status and needle in r.json()["error"], r.body
    assert [a["asset_tag"] for a in collector.get("/api/v1/assets").json()["assets"]] == ["KEEP"]


def test_utf8_bom_and_utf16_registers(collector):
    for body in (b"\xef\xbb\xbf" + REGISTER.encode(), REGISTER.encode("utf-16")):
        r = post_csv(collector, body)
        assert r.status == 200 and r.json()["imported"] == 5, r.body
        assets = collector.get("/api/v1/assets").json()["assets"]
        assert assets[0]["asset_tag"] == "A-001" and assets[2]["name"] == "楼层交换机-3F"


def test_auditor_reads_reports_and_changes_nothing(collector_factory):
    c = collector_factory(env={"CAMPUSMON_ADMIN_PASSWORD": ADMIN_PW}).start()
    admin = Session(c, "admin", ADMIN_PW)
    make_user(admin, "aude", "auditor", "auditor-pass")
    make_user(admin, "vera", "viewer", "viewer-pass")
    auditor = Session(c, "aude", "auditor-pass")
    viewer = Session(c, "vera", "viewer-pass")
    h = {"Content-Type": "text/csv"}
    r = admin.req("POST", "/api/v1/assets", headers=h)   # empty body: no header row
    assert r.status == 400
    for path in ("/api/v1/reports/coverage", "/api/v1/reports/compliance",
                 "/api/v1/reports/coverage/history", "/api/v1/assets",
                 "/api/v1/assets?format=csv", "/api/v1/audit"):
        assert auditor.req("GET", path).status == 200, path
        assert viewer.req("GET", path).status == 403, path
    r = http("POST", c.url + "/api/v1/assets", (HEADER + "X,,,,,,,,,,\n").encode(),
             {"Cookie": auditor.cookie, "X-CSRF-Token": auditor.csrf, "Content-Type": "text/csv"})
    assert r.status == 403
    assert admin.req("GET", "/api/v1/assets").json()["assets"] == []
    trail = auditor.req("GET", "/api/v1/audit").json()
    assert any(e["action"] == "report.coverage" and e["actor"] == "aude" for e in trail)


def test_cli_imports_gbk_and_prints_a_pdf(collector, home, tmp_path):  # noqa: F811
    f = tmp_path / "register.csv"
    f.write_bytes(gbk(REGISTER))
    p = cli(collector, home, "assets", "import", str(f))
    assert p.returncode == 0, p.stderr
    assert "Imported 5 assets (GBK)" in p.stdout
    p = cli(collector, home, "assets", "list")
    assert "楼层交换机-3F" in p.stdout and "no device" in p.stdout
    p = cli(collector, home, "report", "coverage")
    assert p.returncode == 0 and "0 of 5 inventoried monitored" in p.stdout, p.stdout
    p = cli(collector, home, "report", "coverage", "--csv")
    assert p.stdout.startswith("name,address,kind,monitored,why")
    p = cli(collector, home, "report", "compliance", "--level", "JJ")
    assert p.returncode == 0 and "ups_runtime" in p.stdout
    assert cli(collector, home, "report", "nonsense").returncode == 2
    pdf = tmp_path / "coverage.pdf"
    p = cli(collector, home, "report", "coverage", "--pdf", str(pdf), timeout=180)
    assert p.returncode == 0, p.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 1000
    # A4 pages (595 x 842 pt), as the print CSS asks
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595) < 3 and abs(float(h) - 842) < 3
                         for w, h in boxes), boxes


# ---- a namespace campus (campus.py: lldpd + snmpd wired as a tree) ----------------

@pytest.fixture(scope="module")
def ns_campus():
    from campus import Campus
    with Campus(prefix="rpt", net="10.234") as c:
        c.wait_lldp_converged()
        yield c


def test_namespace_campus_counts_neighbours_once(collector_factory, ns_campus):
    camp = ns_campus
    c = collector_factory(config="topology:\n  interval: 10s\n  root: rpt-core\n"
                                 "reports:\n  monitored_intervals: 3\n").start()
    added = [n for n in camp.managed() if n != "acc2"]     # acc2 was never added
    for node in added:
        r = c.post_json("/api/v1/devices", {"name": camp.sysname(node), "interval": 5,
                                            "address": camp.address(node),
                                            "snmp": {"community": camp.community}})
        assert r.status == 201, r.body
    # the register knows acc2 (by its address) and a printer nobody sees
    reg = HEADER + "S-1,,%s,,switch,,,,,,\nS-2,,,,交换机,,,,,%s,\nP-1,,printer-3f,,打印机,,,,,10.99.0.9,\n" % (
        camp.sysname("core"), camp.address("acc2"))
    assert post_csv(c, reg.encode()).status == 200
    # a sweep sees host1 answer ping only: it goes to discovery's seen list
    r = c.post_json("/api/v1/discovery", {"ranges": [camp.address("host1")]})
    assert r.status == 202, r.body

    def settled():
        cov = coverage(c)
        names = {u["name"] for u in cov["unmonitored"]}
        ok = cov["overall"]["monitored"] == len(added) and camp.sysname("host1") in names and \
            any(camp.address("acc2") == u["address"] and "neighbour" in u["sources"]
                for u in cov["unmonitored"]) and \
            any("seen" in u["sources"] for u in cov["unmonitored"]) and \
            any(u["name"] == camp.sysname("host1") and "neighbour" in u["sources"]
                for u in cov["unmonitored"])
        return ok and cov
    try:
        cov = wait_for(settled, timeout=60, interval=1, what="the campus polled and its neighbours seen")
    except AssertionError:
        print("DEBUG seen", c.get("/api/v1/discovery/seen").body, "jobs", c.get("/api/v1/discovery/1").body)
        print("DEBUG cov", json.dumps(coverage(c), ensure_ascii=False))
        raise
    un = {u["address"]: u for u in cov["unmonitored"]}
    acc2 = un[camp.address("acc2")]
    assert acc2["why"] == "never added" and "neighbour" in acc2["sources"] and "asset" in acc2["sources"]
    host1 = [u for u in cov["unmonitored"] if u["name"] == camp.sysname("host1")]
    # seen by the sweep and by LLDP: one item
    assert len(host1) == 1 and sorted(host1[0]["sources"]) == ["neighbour", "seen"], host1
    assert un["10.99.0.9"]["kind"] == "printer"
    # each thing once: 4 devices (the core also in the register), acc2, host1, the printer
    assert cov["overall"]["inventoried"] == len(added) + 3, cov
    assert cov["overall"]["monitored"] == len(added)
    assert not any(u["address"] == camp.gateway for u in cov["unmonitored"])

    # compliance reads the links between managed switches from the topology
    # (complete once each switch's neighbour walk has come in)
    def uplinks_known():
        rep = c.get("/api/v1/reports/compliance").json()
        bb = rep["indicators"][0]
        n = len([e for e in bb["evidence"] if e["what"].startswith("uplink ")])
        return rep if n == len(added) - 1 else None
    try:
        wait_for(uplinks_known, timeout=60, interval=1, what="the uplinks in the evidence")
    except AssertionError:
        pass    # the assertions below say what is missing
    rep = c.get("/api/v1/reports/compliance").json()
    bb = rep["indicators"][0]
    assert bb["id"] == "backbone_speed"
    links = [e for e in bb["evidence"] if e["what"].startswith("uplink ")]
    assert len(links) == len(added) - 1, bb     # core-dist1, core-dist2, dist1-acc1
    assert bb["value"] == min(e["value"] for e in links)
    assert bb["pass"] == (bb["value"] >= 10)


def test_school_settings_apply_on_sighup(collector_factory):
    c = collector_factory(config="school:\n  name: Old School\n  level: JJ\n").start()
    assert coverage(c)["school"] == "Old School"
    assert c.get("/api/v1/reports/compliance").json()["level"] == "JJ"
    with open(os.path.join(c.config_dir, "collector.yaml"), "w") as f:
        f.write("school:\n  name: 新学校\n  level: ZJ\n  headcount: 1000\n"
                "reports:\n  monitored_intervals: 5\n")
    c.send_signal(signal.SIGHUP)
    wait_for(lambda: coverage(c)["school"] == "新学校", what="the new school name")
    cov = coverage(c)
    assert cov["monitored_intervals"] == 5
    rep = c.get("/api/v1/reports/compliance").json()
    assert rep["level"] == "ZJ" and rep["headcount"] == 1000
