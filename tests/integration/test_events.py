"""Events (issue 14): traps from net-snmp's own snmptrap/snmpinform, syslog
from util-linux logger over UDP and TCP (RFC 5424 with octet counting),
search, bad input, a flood, restart and retention, against the real
collector on loopback ports of its own (and a network namespace)."""
import grp
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest

from conftest import BUILD, free_udp_port, free_port, wait_for

V3 = dict(user="evtrapper", auth="authpass-123", priv="privpass-123")


def config(trap_port, syslog_port, extra=""):
    return ("traps:\n  listen: [\"udp:127.0.0.1:%d\"]\n  communities: [ev-comm]\n"
            "  v3_users:\n"
            "    - {user: %s, auth_proto: SHA-256, auth_pass: %s, priv_proto: AES, priv_pass: %s}\n"
            "    - {user: evmd5, auth_proto: MD5, auth_pass: %s}\n"
            "syslog:\n  listen: [\"udp:127.0.0.1:%d\", \"tcp:127.0.0.1:%d\"]\n  max_message: 1024\n"
            % (trap_port, V3["user"], V3["auth"], V3["priv"], V3["auth"], syslog_port,
               syslog_port)) + extra


def start(factory, extra=""):
    tp, sp = free_udp_port(), free_port()
    old = os.umask(0o077)       # the file holds secrets: it must be private
    try:
        c = factory(config=config(tp, sp, extra)).start()
    finally:
        os.umask(old)
    c.trap_port, c.syslog_port = tp, sp
    return c


def events(c, **q):
    r = c.get("/api/v1/events?" + urllib.parse.urlencode(q))
    assert r.status == 200, r.body
    return r.json()


def wait_event(c, what, **q):
    return wait_for(lambda: [e for e in events(c, **q) if what in (e["message"] or "")],
                    timeout=15, what="an event with " + what)


def logger(c, *args):
    subprocess.run(["logger", "--server", "127.0.0.1", "--port", str(c.syslog_port)] +
                   list(args), check=True, timeout=10)


def test_syslog_udp_tcp_octet_counting_and_search(collector_factory):
    c = start(collector_factory)
    logger(c, "--udp", "--rfc3164", "-t", "evprog", "udp line marmalade")
    logger(c, "--tcp", "-p", "local7.err", "tcp line quince")
    logger(c, "--tcp", "--octet-count", "--rfc5424", "octet line persimmon")
    e = wait_event(c, "marmalade", q="marmalade")[0]
    assert e["kind"] == "syslog" and e["program"] == "evprog" and e["source_address"] == "127.0.0.1"
    e = wait_event(c, "quince", q="quince")[0]
    assert e["severity"] == "err" and e["facility"] == "local7"
    e = wait_event(c, "persimmon", q="persimmon")[0]
    assert e["sent_ts"] > 0
    # newest first, filters, FTS syntax, and a bad query is 400
    all_ = events(c, kind="syslog")
    assert [x["id"] for x in all_] == sorted([x["id"] for x in all_], reverse=True)
    assert len(events(c, q="quince OR persimmon")) == 2
    assert events(c, severity="err", kind="syslog")[0]["message"].endswith("quince")
    assert events(c, kind="trap") == []
    assert len(events(c, limit=1)) == 1
    older = events(c, before=all_[0]["id"])
    assert all(x["id"] < all_[0]["id"] for x in older)
    assert c.get("/api/v1/events?q=%22unbalanced").status == 400
    assert c.get("/api/v1/events?limit=10001").status == 400
    assert c.get("/api/v1/events?kind=fax").status == 400
    # counted on the loop once the batch is back, a moment after it is searchable
    wait_for(lambda: c.metrics()['campusmon_events_stored_total{kind="syslog"}'] >= 3,
             what="the stored lines counted")


def snmp(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=20,
                          env=dict(os.environ, MIBS=""))


def test_traps_v1_v2c_inform_v3_and_refusals(collector_factory):
    c = start(collector_factory)
    dst = "127.0.0.1:%d" % c.trap_port
    ifidx = "1.3.6.1.2.1.2.2.1.1.7"
    assert snmp("snmptrap", "-v", "1", "-c", "ev-comm", dst, "1.3.6.1.4.1.8072", "127.0.0.1",
                "2", "0", "", ifidx, "i", "7").returncode == 0
    assert snmp("snmptrap", "-v", "2c", "-c", "ev-comm", dst, "", "1.3.6.1.6.3.1.1.5.4",
                ifidx, "i", "7").returncode == 0
    # INFORM: snmpinform exits 0 only when the collector acknowledged it
    r = snmp("snmpinform", "-v", "2c", "-c", "ev-comm", "-t", "3", "-r", "1", dst, "",
             "1.3.6.1.6.3.1.1.5.1")
    assert r.returncode == 0, r.stderr
    # v3 authPriv trap from an engine the collector has never seen
    r = snmp("snmptrap", "-v", "3", "-u", V3["user"], "-l", "authPriv", "-a", "SHA-256", "-A",
             V3["auth"], "-x", "AES", "-X", V3["priv"], "-e", "0x80001f8804657674657374",
             dst, "", "1.3.6.1.2.1.33.2.1")
    assert r.returncode == 0, r.stderr
    r = snmp("snmpinform", "-v", "3", "-u", "evmd5", "-l", "authNoPriv", "-a", "MD5", "-A",
             V3["auth"], "-t", "3", "-r", "1", dst, "", "1.3.6.1.6.3.1.1.5.2")
    assert r.returncode == 0, r.stderr
    got = wait_for(lambda: (lambda ev: len(ev) >= 5 and ev)(events(c, kind="trap")),
                   timeout=15, what="five traps")
    names = sorted(e["trap_name"] for e in got)
    assert names == ["coldStart", "linkDown", "linkUp", "upsTrapOnBattery", "warmStart"]
    down = [e for e in got if e["trap_name"] == "linkDown"][0]
    assert {"oid": ifidx, "name": "ifIndex.7", "value": "7"} in down["varbinds"]
    ups = [e for e in got if e["trap_name"] == "upsTrapOnBattery"][0]
    assert ups["severity"] == "crit"
    # refused: a wrong community, an unknown v3 user, a wrong v3 password
    before = c.metrics()['campusmon_events_dropped_total{kind="trap",reason="parse"}']
    snmp("snmptrap", "-v", "2c", "-c", "nope", dst, "", "1.3.6.1.6.3.1.1.5.5")
    snmp("snmptrap", "-v", "3", "-u", "stranger", "-l", "authNoPriv", "-a", "SHA", "-A",
         "whatever-pass", "-e", "0x80001f8804657674657374", dst, "", "1.3.6.1.6.3.1.1.5.5")
    snmp("snmptrap", "-v", "3", "-u", V3["user"], "-l", "authPriv", "-a", "SHA-256", "-A",
         "wrong-password", "-x", "AES", "-X", V3["priv"], "-e", "0x80001f8804657674657375",
         dst, "", "1.3.6.1.6.3.1.1.5.5")
    wait_for(lambda: c.metrics()['campusmon_events_dropped_total{kind="trap",reason="parse"}']
             >= before + 3, what="three refusals counted")
    assert not [e for e in events(c, kind="trap") if e["trap_name"] == "authenticationFailure"]


@pytest.fixture
def ev_namespace():
    """A host in a network namespace of our own ("ev" names), reachable over a veth."""
    tag = "%d" % (os.getpid() % 10000)
    ns, here, there = "evns" + tag, "ev0-" + tag, "ev1-" + tag
    octet = os.getpid() % 250 + 1
    mine, its = "10.214.%d.1" % octet, "10.214.%d.2" % octet

    def sh(*cmd):
        subprocess.run(cmd, check=True, capture_output=True)

    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "link", "add", here, "type", "veth", "peer", "name", there)
        sh("ip", "link", "set", there, "netns", ns)
        sh("ip", "addr", "add", mine + "/30", "dev", here)
        sh("ip", "link", "set", here, "up")
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", its + "/30", "dev", there)
        sh("ip", "netns", "exec", ns, "ip", "link", "set", there, "up")
        yield ns, mine, its
    finally:
        subprocess.run(["ip", "link", "del", here], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def test_trap_and_syslog_from_namespace_are_tied_to_the_device(collector_factory, ev_namespace):
    ns, mine, its = ev_namespace
    tp, sp = free_udp_port(), free_port()
    old = os.umask(0o077)
    try:
        cfg = config(tp, sp).replace("127.0.0.1:%d" % tp, "%s:%d" % (mine, tp)).replace(
            "udp:127.0.0.1:%d" % sp, "udp:%s:%d" % (mine, sp))
        c = collector_factory(config=cfg).start()
    finally:
        os.umask(old)
    r = c.post_json("/api/v1/devices", {"address": its, "name": "ev-access-7",
                                        "monitored": False})
    assert r.status in (200, 201), r.body
    subprocess.run(["ip", "netns", "exec", ns, "snmptrap", "-v", "2c", "-c", "ev-comm",
                    "%s:%d" % (mine, tp), "", "1.3.6.1.6.3.1.1.5.3",
                    "1.3.6.1.2.1.2.2.1.1.3", "i", "3"], check=True, timeout=10,
                   env=dict(os.environ, MIBS=""))
    subprocess.run(["ip", "netns", "exec", ns, "logger", "--server", mine, "--port", str(sp),
                    "--udp", "namespace says hello"], check=True, timeout=10)
    t = wait_for(lambda: events(c, device="ev-access-7", kind="trap"), timeout=15,
                 what="the trap tied to the device")[0]
    assert t["device"] == "ev-access-7" and t["source_address"] == its
    s = wait_for(lambda: events(c, device="ev-access-7", kind="syslog"), timeout=15,
                 what="the line tied to the device")[0]
    assert s["message"] == "namespace says hello"
    assert c.get("/api/v1/events?device=no-such-device").status == 404


def test_bad_input_is_counted_or_made_safe(collector_factory):
    c = start(collector_factory)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dst = ("127.0.0.1", c.syslog_port)
    u.sendto(b"<13>" + b"A" * 65000, dst)                       # a 64 KB datagram: cut
    u.sendto(b"no header at all, plain words", dst)
    u.sendto(b"<13>nul\x00byte and \xff\xfe junk", dst)
    u.sendto(b"<13>\xbd\xd3\xbf\xda gbk down", dst)               # GBK: converted
    u.sendto(b"\r\n\x00", dst)                                   # nothing: a parse drop
    t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for junk in (b"\x30\x82\xff\xff\x02", b"\x30\x03\x02\x01", os.urandom(200)):
        t.sendto(junk, ("127.0.0.1", c.trap_port))            # malformed BER
    # a TCP client that never sends a newline: frames are cut at the bound
    s = socket.create_connection(("127.0.0.1", c.syslog_port))
    s.sendall(b"B" * 5000)
    big = wait_for(lambda: [e for e in events(c) if (e["message"] or "").startswith("AAAA")],
                   what="the big datagram")[0]
    assert len(big["message"]) == 1024
    assert wait_event(c, "plain words")[0]["severity"] == "notice"
    nul = wait_event(c, "byte and")[0]["message"]
    assert nul == "nul\\x00byte and \\xff\\xfe junk"
    assert wait_event(c, "gbk down")[0]["message"] == "\u63a5\u53e3 gbk down"
    # Chinese words inside a line are found (the index cuts Han runs into characters)
    u.sendto("<13>端口GE1/0/1状态变为DOWN".encode("gb18030"), dst)
    assert wait_event(c, "DOWN", q="状态变为")[0]["message"] == "端口GE1/0/1状态变为DOWN"
    assert [e["message"] for e in events(c, q="接口")] == ["\u63a5\u53e3 gbk down"]
    cut = wait_for(lambda: [e for e in events(c) if (e["message"] or "").startswith("BBBB")],
                   what="a cut frame")
    assert all(len(e["message"]) <= 1024 for e in cut)
    s.close()
    m = wait_for(lambda: (lambda m: m['campusmon_events_dropped_total{kind="trap",reason="parse"}']
                          >= 1 and m)(c.metrics()), what="malformed BER counted")
    assert m['campusmon_events_dropped_total{kind="syslog",reason="parse"}'] >= 1
    assert c.get("/api/v1/health").status == 200


def test_flood_keeps_health_answering_and_counts_drops(collector_factory):
    # a limit the collector surely reads past even when the machine is busy
    c = start(collector_factory, "events:\n  rate_limit: 1000\n")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dst = ("127.0.0.1", c.syslog_port)
    line = b"<14>Dec  7 10:00:00 flood app: flood line number %07d padding padding"
    sent = 0
    answered = 0
    t0 = time.time()
    while sent < 50000:
        for _ in range(5000):
            u.sendto(line % sent, dst)
            sent += 1
        if c.get("/api/v1/health").status == 200:
            answered += 1
    assert answered == 10, "health must answer throughout the flood"
    def settled():
        m = c.metrics()
        got = (m['campusmon_events_stored_total{kind="syslog"}'] +
               sum(m['campusmon_events_dropped_total{kind="syslog",reason="%s"}' % r]
                   for r in ("kernel", "rate", "queue", "parse")))
        return got >= sent and m
    m = wait_for(settled, timeout=30, what="every line stored or counted as dropped")
    assert m['campusmon_events_dropped_total{kind="syslog",reason="rate"}'] > 0
    assert c.get("/api/v1/health").status == 200
    assert events(c, q="flood", limit=5)


def test_restart_keeps_events_and_retention_deletes_the_oldest(collector_factory):
    c = start(collector_factory, "events:\n  rate_limit: 0\n  max_size: 256KiB\n")
    logger(c, "--tcp", "keep me across restarts")
    wait_event(c, "across restarts")
    c.stop()
    c.start()
    assert wait_event(c, "across restarts")
    # fill well past max_size: the oldest go, the newest stay
    s = socket.create_connection(("127.0.0.1", c.syslog_port))
    for i in range(6000):
        s.sendall(b"<13>retention line %05d %s\n" % (i, b"x" * 180))
    s.close()
    wait_event(c, "line 05999", q="05999")
    wait_for(lambda: not events(c, q="across"), timeout=30, what="the oldest deleted")
    assert events(c, q="05999")


def test_linkdown_trap_and_the_poll_that_sees_it_are_one_event(collector_factory, ev_namespace):
    """snmpd in the namespace serves a veth interface; it goes down, the
    device sends linkDown: the trap makes the collector poll at once, and the
    poll that sees ifOperStatus down marks the trap's event confirmed instead
    of adding an event of its own."""
    ns, mine, its = ev_namespace

    def nsx(*cmd, **kw):
        return subprocess.run(["ip", "netns", "exec", ns] + list(cmd), check=True,
                              capture_output=True, text=True, timeout=20, **kw)

    nsx("ip", "link", "set", "lo", "up")
    nsx("ip", "link", "add", "evdum0", "type", "veth", "peer", "name", "evdum1")
    nsx("ip", "link", "set", "evdum1", "up")
    nsx("ip", "link", "set", "evdum0", "up")
    ifindex = int(nsx("cat", "/sys/class/net/evdum0/ifindex").stdout)
    d = tempfile.mkdtemp(prefix="ev-snmpd-")
    conf = os.path.join(d, "snmpd.conf")
    with open(conf, "w") as f:
        f.write("agentAddress udp:%s:161\nrocommunity ev-poll\n" % its)
    snmpd = subprocess.Popen(["ip", "netns", "exec", ns, "snmpd", "-f", "-Lf",
                              os.path.join(d, "log"), "-C", "-c", conf, "-I", "-smux",
                              "-p", os.path.join(d, "pid")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        tp, sp = free_udp_port(), free_port()
        old = os.umask(0o077)
        try:
            cfg = config(tp, sp).replace("127.0.0.1:%d\"]\n  communities" % tp,
                                         "%s:%d\"]\n  communities" % (mine, tp))
            c = collector_factory(config=cfg).start()
        finally:
            os.umask(old)
        r = c.post_json("/api/v1/devices", {"address": its, "name": "ev-sw-link",
                                            "interval": 5, "snmp": {"community": "ev-poll"}})
        assert r.status in (200, 201), r.body
        dev = r.json()["id"]

        def iface():
            r = c.get("/api/v1/devices/%d/interfaces" % dev)
            rows = r.json() if r.status == 200 else []
            return [i for i in rows if i.get("index") == ifindex]
        wait_for(lambda: (lambda i: i and i[0].get("oper_status") == "up")(iface()),
                 timeout=30, what="the first poll to see evdum0 up")
        nsx("ip", "link", "set", "evdum0", "down")
        nsx("snmptrap", "-v", "2c", "-c", "ev-comm", "%s:%d" % (mine, tp), "",
            "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.%d" % ifindex, "i", str(ifindex),
            env=dict(os.environ, MIBS=""))
        t = wait_for(lambda: [e for e in events(c, device="ev-sw-link", kind="trap")
                              if e.get("confirmed_by_poll")], timeout=30,
                     what="the trap confirmed by a poll")[0]
        assert t["trap_name"] == "linkDown"
        assert (lambda i: i and i[0].get("oper_status") == "down")(iface())
        # the peer (evdum1) went down unannounced: that one is a poll event
        polls = wait_for(lambda: [e for e in events(c, device="ev-sw-link", kind="poll")
                                  if "evdum1" in e["message"]] and
                         events(c, device="ev-sw-link", kind="poll"), what="evdum1's event")
        assert not [e for e in polls if "evdum0" in e["message"]], polls
    finally:
        snmpd.terminate()
        snmpd.wait(10)
        shutil.rmtree(d, ignore_errors=True)


CLI = os.path.join(os.environ.get("CAMPUSMON_BUILD", "build"), "cli", "campusmon")


def cli_events(c, *args):
    """campusmon events ARGS... against c: its standard output."""
    env = dict(os.environ, CAMPUSMON_URL=c.url, CAMPUSMON_TOKEN=c.token, HOME=c.tmp)
    p = subprocess.run([CLI, "events"] + list(args), capture_output=True, text=True, env=env,
                       timeout=20)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_cli_events_search_and_follow(collector_factory):
    c = start(collector_factory)
    env = dict(os.environ, CAMPUSMON_URL=c.url, CAMPUSMON_TOKEN=c.token, HOME=c.tmp)
    logger(c, "--udp", "-t", "evcli", "first line kumquat")
    wait_event(c, "kumquat")
    assert "evcli: first line kumquat" in cli_events(c, "kumquat")
    p = subprocess.run([CLI, "events", "\"unbalanced"], capture_output=True, text=True,
                       env=env, timeout=20)
    assert p.returncode == 1 and "FTS5" in p.stderr
    f = subprocess.Popen([CLI, "events", "--follow", "--kind", "syslog"], env=env,
                         stdout=subprocess.PIPE, text=True)
    guard = threading.Timer(30, f.kill)     # a hung follow fails instead of hanging
    guard.start()
    try:
        assert "kumquat" in f.stdout.readline()
        logger(c, "--tcp", "-t", "evcli", "second line loquat")
        assert "loquat" in f.stdout.readline()
    finally:
        guard.cancel()
        f.kill()
        f.wait()


def test_log_rules_raise_alerts_through_the_engine(collector_factory):
    """A configured rule (three matches within a window) and a shipped one
    (%SYS-2-MALLOCFAIL) raise alerts in the alert engine; a clear line resolves.
    The events that raised an alert, and the one that resolved it, carry its
    id (alert_id); others carry none."""
    rules = ("events:\n  rules:\n"
             "    - name: syslog:ospf-down\n"
             "      regex: 'OSPF-5-ADJCHG: .* FULL to DOWN'\n"
             "      clear: 'OSPF-5-ADJCHG: .* LOADING to FULL'\n"
             "      count: 3\n      window: 5m\n      severity: critical\n")
    c = start(collector_factory, rules)
    r = c.post_json("/api/v1/devices", {"address": "127.0.0.1", "name": "ev-rules-rtr",
                                        "monitored": False})
    assert r.status in (200, 201), r.body

    def alerts(rule):
        got = c.get("/api/v1/alerts?state=all")
        assert got.status == 200, got.body
        return [a for a in got.json() if a["rule"] == rule]

    line = "%OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.2 on Gi0/1 from FULL to DOWN, Neighbor Down"
    logger(c, "--tcp", "-p", "local7.notice", line)
    logger(c, "--tcp", "-p", "local7.notice", line)
    wait_for(lambda: len(events(c, q="ADJCHG")) == 2, what="two lines stored")
    assert alerts("syslog:ospf-down") == []          # two of three: nothing yet
    assert [e.get("alert_id") for e in events(c, q="ADJCHG")] == [None, None]
    assert "alert #" not in cli_events(c, "ADJCHG")      # not linked: no alert on the line
    logger(c, "--tcp", "-p", "local7.notice", line)
    a = wait_for(lambda: alerts("syslog:ospf-down"), what="the rule's alert")[0]
    assert a["severity"] == "critical" and a["device"] == "ev-rules-rtr"
    assert a["state"] in ("firing", "suppressed")
    # all three lines that counted point at the alert they raised
    def all_linked():
        evs = events(c, q="ADJCHG")
        return evs if all(e.get("alert_id") for e in evs) else None
    linked = wait_for(all_linked, what="the lines linked")
    assert len(linked) == 3 and {e["alert_id"] for e in linked} == {a["id"]}
    assert c.get("/api/v1/alerts/%d" % linked[0]["alert_id"]).json()["rule"] == "syslog:ospf-down"
    # campusmon events ends each linked line with the alert's id
    out = cli_events(c, "ADJCHG").splitlines()
    assert len(out) == 3 and all(l.endswith("(alert #%d)" % a["id"]) for l in out), out
    logger(c, "--tcp", "%OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.2 on Gi0/1 from LOADING to FULL")
    wait_for(lambda: alerts("syslog:ospf-down")[0]["state"] == "resolved", what="resolved")
    clear = wait_for(lambda: [e for e in events(c, q="LOADING") if e.get("alert_id")],
                     what="the clear line linked")
    assert clear[0]["alert_id"] == a["id"]
    logger(c, "--udp", "%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed")
    m = wait_for(lambda: alerts("syslog:malloc-fail"), what="the shipped rule's alert")[0]
    assert m["device"] == "ev-rules-rtr"
    assert m["id"] != a["id"]
    wait_for(lambda: events(c, q="MALLOCFAIL")[0].get("alert_id") == m["id"],
             what="the malloc line linked")
    # a shipped trap rule: UPS on battery from the same device
    subprocess.run(["snmptrap", "-v", "2c", "-c", "ev-comm", "127.0.0.1:%d" % c.trap_port, "",
                    "1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.1.2.3.0", "i", "12"], check=True,
                   timeout=10, env=dict(os.environ, MIBS=""))
    u = wait_for(lambda: alerts("trap:ups-on-battery"), what="the UPS rule's alert")[0]
    assert u["severity"] == "critical" and u["device"] == "ev-rules-rtr"


def test_events_db_from_before_alert_links_is_upgraded(collector_factory):
    """An events.db made before events had alert_id keeps its lines and gets
    the column: new lines that raise an alert link to it."""
    c = start(collector_factory)
    r = c.post_json("/api/v1/devices", {"address": "127.0.0.1", "name": "ev-upgrade-rtr",
                                        "monitored": False})
    assert r.status in (200, 201), r.body
    logger(c, "--tcp", "an old quince line")
    wait_event(c, "quince")
    assert c.stop() == 0
    db = os.path.join(c.data_dir, "events.db")
    st = os.stat(db)
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE events DROP COLUMN alert_id")
    con.commit()
    con.close()
    for f in os.listdir(c.data_dir):          # the collector runs as the service user
        os.chown(os.path.join(c.data_dir, f), st.st_uid, st.st_gid)
    c.start()
    old = wait_event(c, "quince")
    assert "alert_id" not in old[0]
    logger(c, "--udp", "%SYS-2-MALLOCFAIL: Memory allocation of 4096 bytes failed")
    m = wait_for(lambda: [a for a in c.get("/api/v1/alerts?state=all").json()
                          if a["rule"] == "syslog:malloc-fail"], what="the alert")[0]
    wait_for(lambda: events(c, q="MALLOCFAIL")[0].get("alert_id") == m["id"],
             what="the new line linked")


def test_sighup_reloads_log_rules(collector_factory):
    c = start(collector_factory)
    path = os.path.join(c.config_dir, "collector.yaml")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text + "events:\n  rules:\n    - {name: 'syslog:reloaded', fts: 'gremlin'}\n")
    # the collector reads it again as its service user: root's file, that user's group
    os.chown(path, 0, grp.getgrnam("campusmon").gr_gid)
    os.chmod(path, 0o640)
    c.send_signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in c.read_log(), what="the reload")
    logger(c, "--udp", "a gremlin in the fan tray")
    wait_for(lambda: [a for a in c.get("/api/v1/alerts?state=all").json()
                      if a["rule"] == "syslog:reloaded"], what="the reloaded rule's alert")


def test_fts_rules_match_as_a_search_does(collector_factory, tmp_path):
    """A rule's fts is the search box's language, matched by the index:
    phrases, OR, NOT, prefixes and Chinese words inside a line. An
    expression that is not FTS5 is refused by -t with the reason."""
    rules = ("events:\n  rules:\n"
             "    - {name: 'syslog:disk', kind: syslog, fts: '\"I/O error\" OR \"disk failure\"'}\n"
             "    - {name: 'syslog:uplink', fts: 'uplink* NOT testlab'}\n"
             "    - {name: 'syslog:fan-cn', fts: '风扇故障'}\n")
    c = start(collector_factory, rules)
    r = c.post_json("/api/v1/devices", {"address": "127.0.0.1", "name": "ev-fts-host",
                                        "monitored": False})
    assert r.status in (200, 201), r.body

    def rules_fired():
        return sorted({a["rule"] for a in c.get("/api/v1/alerts?state=all").json()
                       if a["rule"].startswith("syslog:") and a["rule"] != "syslog:auth-failures"})

    # none of these match: words apart are not the phrase, NOT excludes, and
    # a Chinese line without the word
    logger(c, "--tcp", "error while reading I/O port map")
    logger(c, "--tcp", "uplinkB is down in the testlab rack")
    logger(c, "--tcp", "机房风扇运行正常")
    wait_for(lambda: len(events(c, q="uplinkB OR map OR 正常")) == 3, what="the quiet lines")
    time.sleep(1)
    assert rules_fired() == []
    logger(c, "--tcp", "kernel: sd 0:0:0:0: [sda] disk failure on sector 4711")
    logger(c, "--tcp", "uplinkA changed state to down")
    logger(c, "--tcp", "空调间3号风扇故障，请检查")
    got = wait_for(lambda: rules_fired() if len(rules_fired()) == 3 else None,
                   what="the three fts rules' alerts")
    assert got == ["syslog:disk", "syslog:fan-cn", "syslog:uplink"]
    linked = wait_for(lambda: [e for e in events(c, q="风扇故障") if e.get("alert_id")],
                      what="the Chinese line linked to its alert")
    assert "空调间" in linked[0]["message"]
    # a rule whose fts is not FTS5 is a configuration error, with the reason
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("events:\n  rules:\n    - {name: 'syslog:bad', fts: 'I/O error'}\n")
    p = subprocess.run([os.path.join(BUILD, "collector", "campusmon-collector"), "-t", "-c",
                        str(cfg)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "not an FTS5 expression" in p.stderr + p.stdout and "syntax error" in p.stderr + p.stdout
