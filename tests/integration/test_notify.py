"""Notifications end to end with real receivers on loopback: an HTTP server
standing in for WeCom, DingTalk, Feishu, a webhook and an SMS gateway (it
checks each body and signature as those services do), aiosmtpd for email
(with STARTTLS), retries, dead letters, kill -9 with a pending notification,
the one-tap acknowledgement link and the outbox's retention."""
import base64
import hashlib
import hmac
import json
import os
import signal
import sqlite3
import ssl
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import Collector, free_port, http, make_tmpdir, wait_for

SECRET = "SEC-robot-secret"


class Receiver:
    """One HTTP server; each path behaves as configured in self.plan:
    a list of status codes answered in turn (the last one repeats). With
    self.gate (a threading.Event) set, each request is recorded at once and
    answered only when the gate opens."""

    def __init__(self, port=None):
        self.got = []               # (path, query, headers, body)
        self.plan = {}
        self.gate = None
        self.lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                u = urllib.parse.urlsplit(self.path)
                with outer.lock:
                    outer.got.append((u.path, urllib.parse.parse_qs(u.query),
                                      dict(self.headers), body))
                    plan = outer.plan.get(u.path, [200])
                    code = plan.pop(0) if len(plan) > 1 else plan[0]
                if outer.gate is not None:
                    outer.gate.wait(20)
                answer = b'{"errcode":0,"errmsg":"ok","code":0}'
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST

        self.port = port or free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), H)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d" % self.port

    def at(self, path):
        with self.lock:
            return [g for g in self.got if g[0] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def start_collector(factory, channels, extra="", data_dir=None, public_url=None):
    """A collector with notify.channels; the config is private (it holds secrets)."""
    c = factory(data_dir=data_dir)
    path = os.path.join(c.config_dir, "collector.yaml")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    c.config = ("notify:\n  channels:\n" + "".join("    - %s\n" % json.dumps(ch) for ch in channels)
                + extra)
    if public_url:
        c.config = "http:\n  public_url: %s\n" % public_url + c.config
    return c.start()


def send_test(c, name):
    r = c.post_json("/api/v1/channels/%s/test" % name, {})
    assert r.status == 202, r.body
    return r


def channels(c):
    r = c.get("/api/v1/channels")
    assert r.status == 200, r.body
    return {ch["name"]: ch for ch in r.json()}


def test_robots_and_webhook_bodies_and_signatures(collector_factory, receiver):
    c = start_collector(collector_factory, [
        {"name": "wx", "type": "wecom", "url": receiver.url + "/wecom?key=K"},
        {"name": "dd", "type": "dingtalk", "url": receiver.url + "/ding?access_token=T",
         "secret": SECRET, "language": "en"},
        {"name": "fs", "type": "feishu", "url": receiver.url + "/feishu", "secret": SECRET},
        {"name": "hook", "type": "webhook", "url": receiver.url + "/hook", "secret": SECRET},
        {"name": "sms", "type": "sms", "url": receiver.url + "/sms?to={number}&text={text}",
         "to": ["13800000000"]},
    ])
    for name in ("wx", "dd", "fs", "hook", "sms"):
        send_test(c, name)
    for path in ("/wecom", "/ding", "/feishu", "/hook", "/sms"):
        wait_for(lambda: receiver.at(path), what="a message at " + path)

    _, q, _, body = receiver.at("/wecom")[0]
    j = json.loads(body)
    assert q["key"] == ["K"]
    assert j["msgtype"] == "markdown" and "测试消息" in j["markdown"]["content"]
    assert "/ack/" in j["markdown"]["content"]

    # DingTalk: timestamp (ms) and sign in the URL, as DingTalk checks it
    _, q, _, body = receiver.at("/ding")[0]
    ts = q["timestamp"][0]
    assert abs(int(ts) / 1000 - time.time()) < 3600
    want = base64.b64encode(hmac.new(SECRET.encode(), ("%s\n%s" % (ts, SECRET)).encode(),
                                     hashlib.sha256).digest()).decode()
    assert q["sign"] == [want] and q["access_token"] == ["T"]
    j = json.loads(body)
    assert j["msgtype"] == "markdown" and "TEST" in j["markdown"]["title"]

    # Feishu: timestamp and sign in the body; the key is "timestamp\nsecret"
    j = json.loads(receiver.at("/feishu")[0][3])
    key = ("%s\n%s" % (j["timestamp"], SECRET)).encode()
    assert j["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert j["msg_type"] == "text" and "campusmon" in j["content"]["text"]

    # the webhook: DESIGN §9 body, HMAC of the exact bytes
    _, _, headers, body = receiver.at("/hook")[0]
    sig = headers["X-Campusmon-Signature"]
    assert sig == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    j = json.loads(body)
    assert set(j) >= {"event", "alert", "root_cause", "affected", "ack_url"}
    assert j["event"] == "test" and j["ack_url"].startswith(c.url + "/ack/")

    _, q, _, _ = receiver.at("/sms")[0]
    assert q["to"] == ["13800000000"] and "/ack/" in q["text"][0]

    chs = wait_for(lambda: (lambda x: x if all(x[n]["sent"] == 1 for n in x) else None)(
        channels(c)), what="every channel counted as sent")
    assert chs["dd"]["type"] == "dingtalk" and chs["dd"]["language"] == "en"
    assert chs["hook"]["last_delivery"] is not None and chs["hook"]["dead_letters"] == []
    assert "SEC-robot" not in json.dumps(chs) and SECRET not in c.read_log()


def test_500_then_200_is_retried_and_404_is_a_dead_letter(collector_factory, receiver, request):
    receiver.plan["/flaky"] = [500, 503, 200]
    receiver.plan["/gone"] = [404]
    c = start_collector(collector_factory, [
        {"name": "flaky", "type": "webhook", "url": receiver.url + "/flaky"},
        {"name": "gone", "type": "webhook", "url": receiver.url + "/gone"},
    ])
    send_test(c, "flaky")
    send_test(c, "gone")
    wait_for(lambda: len(receiver.at("/flaky")) == 3, timeout=30, what="two retries")
    ch = wait_for(lambda: (lambda x: x if x["flaky"]["sent"] == 1 and x["gone"]["dead"] == 1
                           and x["gone"]["dead_letters"] else None)(channels(c)),
                  what="outcomes, the dead letter recorded")
    assert ch["flaky"]["failures"] == 2 and ch["flaky"]["dead"] == 0
    assert len(receiver.at("/gone")) == 1, "a 4xx is not retried"
    dead = ch["gone"]["dead_letters"]
    assert len(dead) == 1 and "404" in dead[0]["error"] and dead[0]["event"] == "test"
    time.sleep(3)
    assert len(receiver.at("/flaky")) == 3, "delivered: not sent again"

    # the receiver is fixed: the dead letter goes again, once
    receiver.plan["/gone"] = [200]
    r = c.post_json("/api/v1/channels/gone/retry", {})
    assert r.status == 202, r.body
    wait_for(lambda: len(receiver.at("/gone")) == 2, what="the dead letter sent again")
    ch = wait_for(lambda: (lambda x: x if x["gone"]["sent"] == 1 and not
                           x["gone"]["dead_letters"] else None)(channels(c)),
                  what="no dead letter left")
    assert ch["gone"]["dead"] == 0
    assert c.post_json("/api/v1/channels/nope/retry", {}).status == 404

    # the same from the command line
    from test_cli import run
    home = make_tmpdir("cm-notify-cli-")
    request.addfinalizer(lambda: subprocess.run(["rm", "-rf", home]))
    p = run(home, "channels", url=c.url, token=c.token)
    assert p.returncode == 0, p.stderr
    line = [l for l in p.stdout.splitlines() if l.startswith("gone")][0]
    assert "HTTP 404" in line and "never" not in line, p.stdout   # delivered on the retry
    p = run(home, "channel", "test", "flaky", url=c.url, token=c.token)
    assert p.returncode == 0 and "queued" in p.stdout, p.stderr
    wait_for(lambda: len(receiver.at("/flaky")) == 4, what="the CLI's test message")
    p = run(home, "channel", "retry", "flaky", url=c.url, token=c.token)
    assert p.returncode == 0 and "queued again" in p.stdout, p.stderr
    p = run(home, "channel", "test", "nope", url=c.url, token=c.token)
    assert p.returncode != 0 and "no channel named 'nope'" in p.stderr, p.stderr


def test_kill9_with_pending_is_delivered_once_after_restart(collector_factory, receiver):
    down = free_port()         # nothing listens here yet
    chs = [{"name": "later", "type": "webhook", "url": "http://127.0.0.1:%d/late" % down},
           {"name": "now", "type": "webhook", "url": receiver.url + "/now"}]
    c = start_collector(collector_factory, chs)
    send_test(c, "now")
    send_test(c, "later")
    db = os.path.join(c.data_dir, "outbox.db")

    def states():
        con = sqlite3.connect(db)
        try:
            return dict(con.execute("SELECT channel, state FROM outbox").fetchall())
        finally:
            con.close()
    wait_for(lambda: states().get("now") == "sent", what="'now' recorded as sent")
    wait_for(lambda: channels(c)["later"]["failures"] >= 1, what="a failed attempt")
    assert states()["later"] == "pending"
    c.kill9()

    r = Receiver(port=down)   # the receiver comes up on the port the channel names
    try:
        c.start()
        wait_for(lambda: r.at("/late"), timeout=10,
                 what="the pending notification within 10 s of the restart")
        wait_for(lambda: states().get("later") == "sent", what="'later' recorded as sent")
        time.sleep(2)
        assert len(r.at("/late")) == 1
        assert len(receiver.at("/now")) == 1, "sent before the kill: never again"
    finally:
        r.close()


class Mailbox:
    """aiosmtpd handler: what arrived, and whether it came over TLS."""

    def __init__(self):
        self.msgs = []

    async def handle_DATA(self, server, session, envelope):
        self.msgs.append({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                          "content": envelope.content, "tls": session.ssl is not None,
                          "login": getattr(session, "login_data", None)})
        return "250 OK"


def self_signed(tmp):
    cert, key = os.path.join(tmp, "smtp.crt"), os.path.join(tmp, "smtp.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    os.chmod(cert, 0o644)
    return cert, key


def test_email_with_starttls_and_login(collector_factory):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
    tmp = make_tmpdir("cm-notify-smtp-")
    cert, key = self_signed(tmp)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    box, plain_box = Mailbox(), Mailbox()

    def check_login(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"mon" and auth_data.password == b"s3cret pw"
        return AuthResult(success=ok)
    port, plain_port = free_port(), free_port()
    tls_server = Controller(box, hostname="127.0.0.1", port=port, tls_context=ctx,
                            require_starttls=True, authenticator=check_login,
                            auth_require_tls=True)
    plain = Controller(plain_box, hostname="127.0.0.1", port=plain_port)
    tls_server.start()
    plain.start()
    pwfile = os.path.join(tmp, "smtp.pw")
    with open(pwfile, "w") as f:
        f.write("s3cret pw\n")
    os.chmod(pwfile, 0o600)
    try:
        c = start_collector(collector_factory, [
            {"name": "mail", "type": "email", "url": "smtp://127.0.0.1:%d" % port,
             "to": ["noc@campus.example", "boss@campus.example"], "user": "mon",
             "secret_file": pwfile, "ca_file": cert, "language": "en"},
            {"name": "strict", "type": "email", "url": "smtp://127.0.0.1:%d" % plain_port,
             "to": ["noc@campus.example"], "tls": "required"},
        ])
        send_test(c, "mail")
        send_test(c, "strict")
        wait_for(lambda: box.msgs, timeout=20, what="the email")
        m = box.msgs[0]
        assert m["tls"], "sent after STARTTLS"
        assert sorted(m["to"]) == ["boss@campus.example", "noc@campus.example"]
        assert m["from"].startswith("campusmon@")
        import email
        msg = email.message_from_bytes(m["content"])
        text = msg.get_payload(decode=True).decode()
        assert "TEST" in str(email.header.make_header(email.header.decode_header(msg["Subject"])))
        assert "/ack/" in text and "Root cause" in text
        # tls: required against a server without STARTTLS: refused, not sent in clear
        # (the mail server holds the message before the collector reads its reply)
        ch = wait_for(lambda: (lambda x: x if x["strict"]["dead"] == 1 and
                               x["mail"]["sent"] == 1 else None)(channels(c)),
                      what="the refusal and the mail counted")
        assert plain_box.msgs == []
        assert ch["mail"]["sent"] == 1
    finally:
        tls_server.stop()
        plain.stop()
        subprocess.run(["rm", "-rf", tmp])


def test_ack_link_page_post_audit_tampered_expired(collector_factory, receiver):
    c = start_collector(collector_factory, [
        {"name": "hook", "type": "webhook", "url": receiver.url + "/hook"}],
        public_url="http://mon.campus.example/")
    send_test(c, "hook")
    wait_for(lambda: receiver.at("/hook"), what="the test message")
    link = json.loads(receiver.at("/hook")[0][3])["ack_url"]
    assert link.startswith("http://mon.campus.example/ack/")
    path = link[len("http://mon.campus.example"):]
    r = http("GET", c.url + path)          # no login
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    assert b"Acknowledge" in r.body and b"hook" in r.body
    assert "no-referrer" in r.headers["Referrer-Policy"]
    r = http("POST", c.url + path, b"")
    assert r.status in (200, 303), r.status
    audit = c.get("/api/v1/audit?limit=50").json()
    hits = [a for a in audit if a["action"] == "channel.test-ack"]
    assert hits and hits[0]["actor"] == "ack-link:hook", audit

    # a changed character: 403; a link past its time (signed with the real key): 410
    tok = path[len("/ack/"):]
    bad = tok[:-2] + ("A" if tok[-2] != "A" else "B") + tok[-1]
    assert http("GET", c.url + "/ack/" + bad).status == 403
    assert http("POST", c.url + "/ack/" + bad, b"").status == 403
    with open(os.path.join(c.data_dir, "notify.key"), "rb") as f:
        key = f.read()
    assert oct(os.stat(os.path.join(c.data_dir, "notify.key")).st_mode & 0o777) == "0o600"
    payload = ("0:%d:hook" % (time.time() - 10)).encode()
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    expired = b64(payload) + "." + b64(hmac.new(key, payload, hashlib.sha256).digest())
    assert http("GET", c.url + "/ack/" + expired).status == 410
    assert http("POST", c.url + "/ack/" + expired, b"").status == 410
    assert http("GET", c.url + "/ack/x").status == 403
    # an alert link with no alert engine running says so
    payload = ("7:%d:hook" % (time.time() + 600)).encode()
    alert_link = b64(payload) + "." + b64(hmac.new(key, payload, hashlib.sha256).digest())
    r = http("GET", c.url + "/ack/" + alert_link)
    assert r.status in (200, 404, 503)


def test_invalid_channels_are_reported_by_t(tmp_path):
    world = tmp_path / "pw"
    world.write_text("x\n")
    os.chmod(world, 0o644)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("notify:\n  channels:\n"
                   "    - {name: a, type: pager, url: 'http://x'}\n"
                   "    - {name: b, type: dingtalk, url: 'http://x', secret_file: '%s'}\n"
                   "  routes:\n    - {channels: [nobody]}\n" % world)
    os.chmod(cfg, 0o600)
    r = subprocess.run([Collector.binary, "-t", "-c", str(cfg)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "type must be one of" in r.stderr
    assert str(world) in r.stderr and "others" in r.stderr
    assert "'nobody'" in r.stderr
    cfg.write_text("notify:\n  channels:\n    - {name: a, type: webhook, url: 'http://x'}\n")
    r = subprocess.run([Collector.binary, "-t", "-c", str(cfg)], capture_output=True, text=True)
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr


ALERT_RULES = """
alerts:
  defaults: false
  hold: 0s
  rules:
    - name: room-hot
      match: {measurement: temp, field: value}
      warn: 30
      crit: 40
      recover: 25
"""


def write_temps(c, values, ts=None):
    ts = ts or int(time.time()) - 60
    body = "".join("temp,host=%s value=%s %d\n" % (h, v, ts) for h, v in values)
    r = c.write(body, query="precision=s")
    assert r.status == 204, r.body


def test_alert_fires_is_delivered_and_acknowledged_from_its_link(collector_factory, receiver):
    c = start_collector(collector_factory, [
        {"name": "hook", "type": "webhook", "url": receiver.url + "/hook", "secret": SECRET}],
        extra=ALERT_RULES)
    write_temps(c, [("room-a", 45)])
    wait_for(lambda: receiver.at("/hook"), what="the firing alert")
    _, _, headers, body = receiver.at("/hook")[0]
    assert headers["X-Campusmon-Signature"] == \
        "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    j = json.loads(body)
    assert j["event"] == "firing" and j["alert"]["rule"] == "room-hot"
    assert j["alert"]["severity"] == "critical" and j["alert"]["value"] == 45
    assert j["alert"]["device"] == "room-a" or j["alert"]["subject"]
    path = j["ack_url"][len(c.url):]
    r = http("GET", c.url + path)
    assert r.status == 200 and b"room-hot" in r.body and b'id="ack"' in r.body
    r = http("POST", c.url + path, b"")     # 303, followed back to the page
    assert r.status == 200 and b"Acknowledged" in r.body, r.status
    a = c.get("/api/v1/alerts/%d" % j["alert"]["id"]).json()
    assert a["state"] == "acknowledged", a
    wait_for(lambda: [g for g in receiver.at("/hook") if json.loads(g[3])["event"] ==
                      "acknowledged"], what="the acknowledgement told")
    audit = c.get("/api/v1/audit?limit=50").json()
    assert any(e["action"] == "alert.ack" and e["actor"] == "ack-link:hook" for e in audit)
    # acknowledged: the page has no button any more
    r = http("GET", c.url + path)
    assert r.status == 200 and b'id="ack"' not in r.body
    # the same (alert, event, channel) is never queued twice
    time.sleep(1)
    assert len([g for g in receiver.at("/hook") if json.loads(g[3])["event"] == "firing"]) == 1


def test_alert_storm_is_grouped_rate_limited_and_nothing_lost(collector_factory, receiver):
    """10,000 alerts at once: the people's channel gets a few grouped
    messages within its rate, every alert is in the outbox and counted in a
    message, and the collector keeps answering meanwhile."""
    n = 10000
    c = start_collector(collector_factory, [
        {"name": "wx", "type": "wecom", "url": receiver.url + "/wecom", "language": "en",
         "msgtype": "text", "rate_per_minute": 120}], extra=ALERT_RULES)
    write_temps(c, [("storm-%05d" % i, 45) for i in range(n)])
    assert c.get("/api/v1/health").status == 200

    def told():
        count = 0
        for _, _, _, body in receiver.at("/wecom"):
            first = json.loads(body)["text"]["content"].split("\n")[0]
            count += int(first.split("] ")[1].split(" ")[0]) if first.startswith("[campusmon]") \
                else 1
        return count
    wait_for(lambda: told() >= n, timeout=90, interval=0.5, what="every alert told")
    msgs = len(receiver.at("/wecom"))
    assert told() == n and msgs < 400, (told(), msgs)
    db = sqlite3.connect(os.path.join(c.data_dir, "outbox.db"))
    try:
        wait_for(lambda: db.execute("SELECT count(*) FROM outbox WHERE state='sent'")
                 .fetchone()[0] == n, what="every alert recorded as sent")
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == n
    finally:
        db.close()
    m = c.metrics()
    assert m["campusmon_notify_recorded_total"] == n and m["campusmon_notify_grouped_total"] > 9000
    assert m["campusmon_notify_delivered_total"] == n
    c.kill9()      # no need to wait for 10,000 RRD files to be written


def test_routes_pick_channels_and_escalate_unacknowledged(collector_factory, receiver):
    routes = """  routes:
    - match: {severity: critical, rule: room-hot}
      channels: [noc]
      escalate_after: 1s
      escalate_to: [boss]
"""
    c = start_collector(collector_factory, [
        {"name": "noc", "type": "webhook", "url": receiver.url + "/noc"},
        {"name": "boss", "type": "webhook", "url": receiver.url + "/boss"},
    ], extra=routes + ALERT_RULES)
    write_temps(c, [("warm", 33), ("hot", 45)])      # a warning (no route) and a critical
    wait_for(lambda: receiver.at("/boss"), what="the escalation")
    noc = [json.loads(g[3]) for g in receiver.at("/noc")]
    assert [(m["event"], m["alert"]["device"]) for m in noc] == [("firing", "hot")]
    boss = json.loads(receiver.at("/boss")[0][3])
    assert boss["event"] == "escalated" and boss["alert"]["device"] == "hot"
    assert boss["ack_url"] != noc[0]["ack_url"], "each channel's link names it"


def test_slow_huge_and_tls_failures_are_retried_and_the_loop_answers(collector_factory):
    """A receiver that never answers (timeout), one answering 10 MB+, and a
    TLS handshake against a plain port: each is a failed attempt to retry,
    not a stuck loop."""
    import socket
    hold = socket.socket()
    hold.bind(("127.0.0.1", 0))
    hold.listen(16)                 # accepts, never answers
    big = Receiver()
    big.server.RequestHandlerClass.do_POST = lambda self: (
        self.rfile.read(int(self.headers.get("Content-Length", "0"))),
        self.send_response(200), self.send_header("Content-Length", str(12 << 20)),
        self.end_headers(), [self.wfile.write(b"x" * (1 << 20)) for _ in range(12)])
    plain = Receiver()
    try:
        c = start_collector(collector_factory, [
            {"name": "slow", "type": "webhook", "url": "http://127.0.0.1:%d/" % hold.getsockname()[1]},
            {"name": "huge", "type": "webhook", "url": big.url + "/big"},
            {"name": "tls", "type": "webhook", "url": "https://127.0.0.1:%d/" % plain.port},
        ], extra="  timeout: 2s\n")
        for name in ("slow", "huge", "tls"):
            send_test(c, name)
        ch = wait_for(lambda: (lambda x: x if all(x[k]["failures"] >= 1 for k in x) else None)(
            channels(c)), timeout=15, what="a failed attempt on each")
        assert "cut off" in ch["huge"]["last_error"], ch["huge"]
        assert "imeout" in ch["slow"]["last_error"] or "timed out" in ch["slow"]["last_error"]
        assert ch["tls"]["last_error"], ch["tls"]
        for k in ch:
            assert ch[k]["dead"] == 0 and ch[k]["pending"] == 1, ch[k]
        assert c.get("/api/v1/health").status == 200
    finally:
        hold.close()
        big.close()
        plain.close()


# ---- SIGHUP: channels and routes anew ---------------------------------------------------

def write_config(c, channels, extra=""):
    """collector.yaml anew, as the collector reads it on a reload: as its
    service user, so root's file with that user's group, mode 0640."""
    import grp
    path = os.path.join(c.config_dir, "collector.yaml")
    text = ("notify:\n  channels:\n" + "".join("    - %s\n" % json.dumps(ch) for ch in channels)
            + extra)
    with open(path, "w") as f:
        f.write(text)
    os.chown(path, 0, grp.getgrnam("campusmon").gr_gid)
    os.chmod(path, 0o640)
    c.config = text


def sighup(c, channels, extra="", ok=True):
    """Rewrite the config, SIGHUP, wait for the collector's verdict."""
    said = "configuration reloaded" if ok else "configuration has errors; keeping the running one"
    before = c.read_log().count(said)
    write_config(c, channels, extra)
    c.send_signal(signal.SIGHUP)
    wait_for(lambda: c.read_log().count(said) > before, what="the reload: " + said)


def bodies(receiver, path):
    return [json.loads(g[3]) for g in receiver.at(path)]


def test_sighup_changes_a_channel_adds_one_with_a_route(collector_factory, receiver):
    """Channel a (its secret in a root-only file) fails at first; the reload
    points it at a second receiver and adds b with a route: a's waiting test
    message and the next alert go to the new URL, still signed with the
    secret read at start; b gets the alert; no secret or key reaches the log."""
    second = Receiver()
    tmp = make_tmpdir("cm-notify-hup-")
    secret_file = os.path.join(tmp, "a.secret")
    with open(secret_file, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(secret_file, 0o600)     # root's: the service user cannot read it again
    try:
        receiver.plan["/old"] = [503]
        a = {"name": "a", "type": "webhook", "url": receiver.url + "/old?key=OLD-KEY-1",
             "secret_file": secret_file}
        c = start_collector(collector_factory, [a], extra=ALERT_RULES)
        send_test(c, "a")
        wait_for(lambda: receiver.at("/old"), what="a's first (failed) attempt")

        a["url"] = second.url + "/new?key=NEW-KEY-2"
        b = {"name": "b", "type": "webhook", "url": second.url + "/b", "secret": "B-HOOK-SECRET"}
        routes = ("  routes:\n    - {match: {severity: critical}, channels: [a, b]}\n"
                  "    - {match: {severity: warning}, channels: [a]}\n")
        sighup(c, [a, b], routes + ALERT_RULES)
        log = c.read_log()
        assert "channel 'a' changed" in log and "channel 'b' added" in log, log
        assert "cannot read secret_file %s" % secret_file in log, log

        # what waited for a goes with its new settings
        wait_for(lambda: [m for m in bodies(second, "/new") if m["event"] == "test"],
                 what="a's waiting test message at its new URL")
        write_temps(c, [("room-b", 45)])
        wait_for(lambda: [m for m in bodies(second, "/b") if m["event"] == "firing"],
                 what="the alert at b")
        wait_for(lambda: [m for m in bodies(second, "/new") if m["event"] == "firing"],
                 what="the alert at a's new URL")
        old_attempts = len(receiver.at("/old"))
        _, q, headers, body = second.at("/new")[-1]
        assert q["key"] == ["NEW-KEY-2"]
        assert headers["X-Campusmon-Signature"] == \
            "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        _, _, headers, body = second.at("/b")[0]
        assert headers["X-Campusmon-Signature"] == \
            "sha256=" + hmac.new(b"B-HOOK-SECRET", body, hashlib.sha256).hexdigest()
        ch = channels(c)
        assert set(ch) == {"a", "b"} and not ch["a"]["removed"]
        assert ch["a"]["failures"] >= 1, "a's figures go on under its name"
        time.sleep(1)
        assert len(receiver.at("/old")) == old_attempts, "nothing more to the old URL"
        log = c.read_log()
        for secret in (SECRET, "B-HOOK-SECRET", "OLD-KEY-1", "NEW-KEY-2"):
            assert secret not in log, secret
    finally:
        second.close()
        subprocess.run(["rm", "-rf", tmp])


def test_sighup_removed_channel_dead_letters(collector_factory, receiver, request):
    """A reload removes three channels: one with a message waiting to be
    retried (a dead letter at once), two with a message being sent (each
    records how its attempt ends: 200 sent, 500 a dead letter). The removed
    channel stays listed by the API and the CLI while it has dead letters."""
    down = free_port()                  # nothing listens: retried, waiting
    held = Receiver()                   # answers when the test says so
    held.gate = threading.Event()
    held.plan["/fail"] = [500]
    try:
        keep = {"name": "keep", "type": "webhook", "url": receiver.url + "/keep"}
        c = start_collector(collector_factory, [
            keep,
            {"name": "waiting", "type": "webhook", "url": "http://127.0.0.1:%d/" % down},
            {"name": "ok", "type": "webhook", "url": held.url + "/ok"},
            {"name": "fail", "type": "webhook", "url": held.url + "/fail"}])
        for name in ("waiting", "ok", "fail"):
            send_test(c, name)
        wait_for(lambda: held.at("/ok") and held.at("/fail"), what="both attempts under way")
        wait_for(lambda: channels(c)["waiting"]["failures"] >= 1, what="a failed attempt")
        sighup(c, [keep])
        held.gate.set()

        def states():
            con = sqlite3.connect(os.path.join(c.data_dir, "outbox.db"))
            try:
                return dict(con.execute("SELECT channel, state FROM outbox").fetchall())
            finally:
                con.close()
        wait_for(lambda: states() == {"waiting": "dead", "ok": "sent", "fail": "dead"},
                 what="the removed channels' outcomes recorded")
        # listed while they have dead letters ("ok" has none: not listed)
        ch = channels(c)
        assert set(ch) == {"keep", "waiting", "fail"}, ch
        assert not ch["keep"]["removed"] and ch["keep"]["type"] == "webhook"
        for name in ("waiting", "fail"):
            assert ch[name]["removed"] and ch[name]["type"] is None, ch[name]
        dead = ch["waiting"]["dead_letters"]
        assert len(dead) == 1 and dead[0]["event"] == "test", dead
        assert "channel 'waiting': removed from notify.channels" in dead[0]["error"]
        assert ch["waiting"]["last_error"] == dead[0]["error"]
        assert "removed from notify.channels; its last attempt: HTTP 500" in \
            ch["fail"]["dead_letters"][0]["error"], ch["fail"]
        log = c.read_log()
        assert "channel 'waiting' was removed: 1 waiting notifications are dead letters" in log
        assert "channel 'fail' was removed: 0 waiting notifications are dead letters now, " \
            "1 being sent" in log

        assert c.post_json("/api/v1/channels/waiting/test", {}).status == 404
        send_test(c, "keep")
        wait_for(lambda: receiver.at("/keep"), what="the channel kept still works")
        from test_cli import run
        home = make_tmpdir("cm-notify-cli-")
        request.addfinalizer(lambda: subprocess.run(["rm", "-rf", home]))
        p = run(home, "channels", url=c.url, token=c.token)
        assert p.returncode == 0, p.stderr
        line = [l for l in p.stdout.splitlines() if l.startswith("waiting")][0]
        assert "(removed)" in line and "removed from notify.channels" in line, p.stdout

        # configured again (its receiver now up), its dead letter goes on request
        assert c.post_json("/api/v1/channels/waiting/retry", {}).status == 404
        sighup(c, [keep, {"name": "waiting", "type": "webhook", "url": receiver.url + "/w"}])
        assert c.post_json("/api/v1/channels/waiting/retry", {}).status == 202
        wait_for(lambda: receiver.at("/w"), what="the dead letter sent again")
    finally:
        held.gate.set()
        held.close()


def test_restart_without_a_channel_dead_letters_its_pending(collector_factory, receiver):
    """As a reload does: a pending notification whose channel is gone from
    the file at the next start is a dead letter, listed, not left pending."""
    keep = {"name": "keep", "type": "webhook", "url": receiver.url + "/keep"}
    down = {"name": "gone", "type": "webhook", "url": "http://127.0.0.1:%d/" % free_port()}
    c = start_collector(collector_factory, [keep, down])
    send_test(c, "gone")
    wait_for(lambda: channels(c)["gone"]["failures"] >= 1, what="a failed attempt")
    c.stop()
    write_config(c, [keep])
    c.start()
    ch = wait_for(lambda: (lambda x: x if x.get("gone", {}).get("dead_letters") else None)(
        channels(c)), what="the dead letter of the channel gone")
    assert ch["gone"]["removed"] and ch["gone"]["pending"] == 0
    assert "channel 'gone': removed from notify.channels" in ch["gone"]["last_error"]
    assert "1 pending notifications are for channels no longer in notify.channels" in \
        c.read_log()


def test_sighup_with_an_invalid_channel_keeps_the_running_ones(collector_factory, receiver):
    """A reload whose channels have a mistake is refused as a whole, as -t
    refuses it, with the mistake in the log: the running channel keeps its
    URL and the new ones do not exist. Fixed, the next reload applies."""
    a = {"name": "a", "type": "webhook", "url": receiver.url + "/a", "secret": "A-SECRET-1"}
    c = start_collector(collector_factory, [a], extra="metrics:\n  public: false\n")
    a2 = dict(a, url=receiver.url + "/a2?key=SECRET-KEY-3")
    bad = {"name": "b", "type": "pager", "url": receiver.url + "/b"}
    sighup(c, [a2, bad], "metrics:\n  public: true\n", ok=False)
    log = c.read_log()
    assert "reload: notify.channels b: type must be one of" in log, log
    assert "A-SECRET-1" not in log and "SECRET-KEY-3" not in log
    send_test(c, "a")
    wait_for(lambda: receiver.at("/a"), what="the test message at a's running URL")
    assert receiver.at("/a2") == []
    assert c.post_json("/api/v1/channels/b/test", {}).status == 404
    assert c.get("/metrics", token=False).status == 401, "nothing of that file applied"

    sighup(c, [a2, dict(bad, type="webhook")])
    send_test(c, "b")
    send_test(c, "a")
    wait_for(lambda: receiver.at("/b") and receiver.at("/a2"), what="both, after the fix")


# ---- retention: notify.keep_sent, notify.keep_dead ---------------------------------------

def outbox_rows(c):
    """(channel, state) of each outbox row, read as an outside script would:
    read-only, while the collector runs."""
    path = os.path.join(c.data_dir, "outbox.db")
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return con.execute("SELECT channel, state FROM outbox ORDER BY id").fetchall()
    finally:
        con.close()


def test_retention_deletes_old_sent_then_dead_never_pending(collector_factory, receiver):
    """keep_sent 1s: a delivered message leaves outbox.db at the next round
    (a SIGHUP asks for one) while a dead letter (keep_dead 90d) and a pending
    one stay; the channel still counts it as sent, after a restart too.
    keep_dead 1s with the dead letter's channel removed: the letter goes, and
    the removed channel leaves the list; the pending one never goes."""
    receiver.plan["/gone"] = [404]
    ok = {"name": "ok", "type": "webhook", "url": receiver.url + "/ok"}
    bad = {"name": "bad", "type": "webhook", "url": receiver.url + "/gone"}
    stuck = {"name": "stuck", "type": "webhook", "url": "http://127.0.0.1:%d/" % free_port()}
    keep_sent = "  keep_sent: 1s\n"
    c = start_collector(collector_factory, [ok, bad, stuck], extra=keep_sent)
    for name in ("ok", "bad", "stuck"):
        send_test(c, name)
    wait_for(lambda: outbox_rows(c) == [("ok", "sent"), ("bad", "dead"), ("stuck", "pending")]
             and channels(c)["stuck"]["failures"] >= 1, what="sent, dead and pending rows")
    assert "retention deleted" not in c.read_log(), "nothing was old enough at start"
    time.sleep(1.2)                     # the delivery is now older than keep_sent

    sighup(c, [ok, bad, stuck], keep_sent)
    wait_for(lambda: outbox_rows(c) == [("bad", "dead"), ("stuck", "pending")],
             what="the delivered row deleted, the others kept")
    wait_for(lambda: "notify: retention deleted 1 sent and 0 dead notifications" in
             c.read_log(), what="the round's log line")
    ch = channels(c)
    assert ch["ok"]["sent"] == 1 and ch["ok"]["last_delivery"] is not None, ch["ok"]
    assert ch["bad"]["dead"] == 1 and len(ch["bad"]["dead_letters"]) == 1, ch["bad"]
    assert ch["stuck"]["pending"] == 1, ch["stuck"]

    # 'bad' removed (its letter is listed under a removed channel until it goes)
    sighup(c, [ok, stuck], keep_sent + "  keep_dead: 1s\n")
    wait_for(lambda: outbox_rows(c) == [("stuck", "pending")], what="the dead letter deleted")
    wait_for(lambda: "bad" not in channels(c), what="the removed channel gone from the list")
    assert "notify: retention deleted 0 sent and 1 dead notifications" in c.read_log()
    assert c.read_log().count("notify: retention deleted") == 2, "no line for empty rounds"

    # figures after a restart come from the outbox: the deleted delivery still counts
    c.stop()
    c.start()
    ch = wait_for(lambda: (lambda x: x if x["ok"]["sent"] == 1 else None)(channels(c)),
                  what="ok's sent count after a restart")
    assert ch["ok"]["last_delivery"] is not None and ch["ok"]["dead"] == 0
    assert set(ch) == {"ok", "stuck"}, ch
    assert outbox_rows(c) == [("stuck", "pending")], "pending is never deleted by age"
