"""Web users, sessions, roles, CSRF and the audit trail, against the real collector.

The admin user comes from CAMPUSMON_ADMIN_PASSWORD, as in the demo. Sessions are
driven the way a browser does: the cookie from the login, and the CSRF token from
its JSON body echoed in X-CSRF-Token on requests that change something.
"""
import http.client as httpclient
import json
import os
import re
import sqlite3
import subprocess
import time

import pytest

from conftest import BUILD, REPO, TOKEN, Collector, http, wait_for

ADMIN_PW = "correct horse battery staple"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Session:
    """A logged-in browser: the session cookie plus the CSRF token."""

    def __init__(self, c, user, password):
        self.c = c
        r = login(c, user, password)
        assert r.status == 200, r.body
        self.set_cookie = r.headers["Set-Cookie"]
        self.cookie = self.set_cookie.split(";")[0]
        self.me = r.json()
        self.csrf = self.me["csrf"]

    def req(self, method, path, obj=None, csrf=True, headers=None):
        h = {"Cookie": self.cookie}
        if csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf if csrf is True else csrf
        body = None
        if obj is not None:
            body = json.dumps(obj).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        return http(method, self.c.url + path, body, h)


def login(c, user, password):
    return http("POST", c.url + "/api/v1/login",
                json.dumps({"user": user, "password": password}).encode(),
                {"Content-Type": "application/json"})


def login_from(c, source, user, password):
    """Log in from another loopback address (127.0.0.0/8 is all ours): its status."""
    conn = httpclient.HTTPConnection("127.0.0.1", c.port, timeout=15,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/api/v1/login",
                     json.dumps({"user": user, "password": password}),
                     {"Content-Type": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture
def web(collector_factory):
    return collector_factory(env={"CAMPUSMON_ADMIN_PASSWORD": ADMIN_PW}).start()


def make_user(admin, name, role, password):
    r = admin.req("POST", "/api/v1/users", {"name": name, "role": role, "password": password})
    assert r.status == 201, r.body
    return r.json()


def audit(c, **q):
    path = "/api/v1/audit" + ("?" + "&".join("%s=%s" % kv for kv in q.items()) if q else "")
    r = c.get(path)
    assert r.status == 200, r.body
    return r.json()


def strings(v):
    """Every string inside a decoded JSON value."""
    if isinstance(v, str):
        return [v]
    items = v.values() if isinstance(v, dict) else v if isinstance(v, list) else []
    return [s for x in items for s in strings(x)]


def routes():
    """(methods, pattern, permissions) of every route, as the collector lists them."""
    out = []
    listing = subprocess.run([Collector.binary, "--list-routes"], capture_output=True,
                             text=True, check=True).stdout
    for line in listing.splitlines():
        methods, pattern, need = line.split(" ")
        out.append((methods.split(","), pattern, need))
    assert len(out) > 10
    return out


# ---- logging in -----------------------------------------------------------------

def test_login_sets_a_strict_httponly_cookie(web):
    s = Session(web, "admin", ADMIN_PW)
    assert s.me["user"] == "admin" and s.me["role"] == "admin" and len(s.csrf) >= 40
    flags = [f.strip() for f in s.set_cookie.split(";")]
    assert flags[0].startswith("cm_session=") and len(flags[0]) > 50
    assert "HttpOnly" in flags and "SameSite=Strict" in flags and "Path=/" in flags
    assert "Secure" not in flags            # plain HTTP on loopback; TLS adds it
    me = s.req("GET", "/api/v1/me")
    assert me.status == 200
    assert me.json() == {"user": "admin", "role": "admin", "kind": "session", "csrf": s.csrf,
                         "permissions": ["read", "operate", "audit", "admin", "self",
                                         "metrics"]}   # sessions never write samples
    # the session reads what the admin may read
    assert s.req("GET", "/api/v1/series").status == 200
    assert s.req("GET", "/api/v1/tokens").status == 200
    # a token's /me has no CSRF token: it needs none
    me = web.get("/api/v1/me").json()
    assert me["kind"] == "token" and "csrf" not in me
    assert "write" in me["permissions"] and "admin" in me["permissions"]


def test_me_lists_the_permissions_of_each_role(web):
    """The web UI shows what /api/v1/me permits: one table decides (auth/perms.c)."""
    admin = Session(web, "admin", ADMIN_PW)
    listed = admin.req("GET", "/api/v1/roles").json()
    assert [r["role"] for r in listed] == ["admin", "operator", "viewer", "auditor"]
    want = {"operator": ["read", "operate", "self", "metrics"],
            "viewer": ["read", "self", "metrics"],
            "auditor": ["audit", "self", "metrics"]}
    for role, perms in want.items():
        make_user(admin, "p-" + role, role, "perm-pass-" + role)
        s = Session(web, "p-" + role, "perm-pass-" + role)
        assert s.me["permissions"] == perms, role
        t = admin.req("POST", "/api/v1/tokens", {"name": "t-" + role, "kind": "api",
                                                  "role": role}).json()["token"]
        assert web.get("/api/v1/me", token=t).json()["permissions"] == perms, role
        assert {r["role"]: r["permissions"] for r in listed}[role] == perms


def test_wrong_password_and_unknown_user_look_the_same(web):
    bad = login(web, "admin", "not the password")
    nobody = login(web, "nobody", "whatever-long")
    assert bad.status == nobody.status == 401
    assert bad.json() == nobody.json() == {"error": "wrong user name or password"}
    assert "Set-Cookie" not in bad.headers
    for body in (b"", b"[]", b'{"user": "admin"}', b'{"user": 1, "password": "x"}',
                 b'{"user": "", "password": ""}', b"not json"):
        r = http("POST", web.url + "/api/v1/login", body, {"Content-Type": "application/json"})
        assert r.status == 400, body
    entries = audit(web, action="login")
    refused = [e for e in entries if not e["ok"]]
    assert {e["actor"] for e in refused} == {"admin", "nobody"}
    assert all(e["addr"] == "127.0.0.1" for e in refused)
    assert {e["detail"] for e in refused} == {"wrong password", "unknown user"}


def test_login_csrf_cross_site_form_and_foreign_origin_are_refused(web):
    body = json.dumps({"user": "admin", "password": ADMIN_PW}).encode()
    # what an HTML form on another site can send: text/plain, a form encoding
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                  None, "application/jsonx"):
        h = {"Content-Type": ctype} if ctype else {}
        r = http("POST", web.url + "/api/v1/login", body, h)
        assert r.status == 415, (ctype, r.status)
        assert "Set-Cookie" not in r.headers
    # JSON from a page of another origin
    for origin in ("http://evil.example", "null", "https://127.0.0.1:%d" % web.port,
                   "http://127.0.0.1:%d.evil.example" % web.port):
        r = http("POST", web.url + "/api/v1/login", body,
                 {"Content-Type": "application/json", "Origin": origin})
        assert r.status == 403, (origin, r.status)
        assert "Set-Cookie" not in r.headers
    # the UI's own origin, a charset parameter, and no Origin at all (CLI) are fine
    r = http("POST", web.url + "/api/v1/login", body,
             {"Content-Type": "Application/JSON; charset=utf-8",
              "Origin": "http://127.0.0.1:%d" % web.port})
    assert r.status == 200, r.body
    assert login(web, "admin", ADMIN_PW).status == 200


def test_login_origin_may_be_the_public_url(collector_factory):
    c = collector_factory(env={"CAMPUSMON_ADMIN_PASSWORD": ADMIN_PW},
                          config="http:\n  public_url: https://Monitor.example.edu.cn/cm/\n"
                          ).start()
    body = json.dumps({"user": "admin", "password": ADMIN_PW}).encode()
    r = http("POST", c.url + "/api/v1/login", body,
             {"Content-Type": "application/json", "Origin": "https://monitor.example.edu.cn"})
    assert r.status == 200, r.body


def test_login_rate_limited_per_user(web):
    for _ in range(5):
        assert login(web, "admin", "guess-guess").status == 401
    r = login(web, "admin", ADMIN_PW)       # even the right password waits now
    assert r.status == 429, r.body
    assert 1 <= int(r.headers["Retry-After"]) <= 900
    assert "try again" in r.json()["error"]
    # another user from the same address is not locked out
    admin = web   # bootstrap token
    assert admin.post_json("/api/v1/users", {"name": "bob", "role": "viewer",
                                              "password": "bob-password"}).status == 201
    assert login(web, "bob", "bob-password").status == 200
    blocked = [e for e in audit(web, action="login") if "locked" in (e["detail"] or "")]
    assert len(blocked) == 1                # recorded once, not per attempt


def test_lockout_is_per_user_and_address_and_can_be_lifted(web):
    # someone elsewhere guesses admin's password until admin is locked there...
    for _ in range(5):
        assert login_from(web, "127.0.0.2", "admin", "guess-guess") == 401
    assert login_from(web, "127.0.0.2", "admin", ADMIN_PW) == 429
    # ...which does not lock the real admin out from their own address
    assert login(web, "admin", ADMIN_PW).status == 200
    assert login_from(web, "127.0.0.3", "admin", ADMIN_PW) == 200
    # the admin, on the collector's host, lifts the lock with the CLI
    env = dict(os.environ, CAMPUSMON_URL=web.url, CAMPUSMON_TOKEN=TOKEN)
    cli = os.path.join(BUILD, "cli", "campusmon")
    out = subprocess.run([cli, "user", "unlock", "admin"], env=env, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "Unlocked user admin (1 lock ended)" in out.stdout
    assert login_from(web, "127.0.0.2", "admin", ADMIN_PW) == 200
    assert any(e["action"] == "user.unlock" and e["target"] == "admin"
               for e in audit(web))
    out = subprocess.run([cli, "user", "unlock", "nobody"], env=env, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode != 0 and "no user named 'nobody'" in out.stderr
    # only an admin may unlock
    assert http("POST", web.url + "/api/v1/users/1/unlock", b"{}").status == 401


def test_login_rate_limited_per_address(collector_factory):
    c = collector_factory(env={"CAMPUSMON_ADMIN_PASSWORD": ADMIN_PW},
                          config="auth:\n  login_failures_per_address: 3\n").start()
    for name in ("u1", "u2", "u3"):
        assert login(c, name, "guess-guess").status == 401
    r = login(c, "admin", ADMIN_PW)
    assert r.status == 429 and "Retry-After" in r.headers


def test_successful_login_clears_the_user_count(web):
    for _ in range(4):
        assert login(web, "admin", "guess-guess").status == 401
    Session(web, "admin", ADMIN_PW)
    for _ in range(4):
        assert login(web, "admin", "guess-guess").status == 401
    Session(web, "admin", ADMIN_PW)


def test_logout_ends_the_session(web):
    s = Session(web, "admin", ADMIN_PW)
    assert s.req("POST", "/api/v1/logout", csrf=False).status == 403
    r = s.req("POST", "/api/v1/logout")
    assert r.status == 204
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert s.req("GET", "/api/v1/me").status == 401
    assert s.req("GET", "/api/v1/series").status == 401
    assert any(e["action"] == "logout" and e["actor"] == "admin" for e in audit(web))
    # a token has no session to end
    assert http("POST", web.url + "/api/v1/logout", b"", web.auth()).status == 400


def test_forged_and_garbage_cookies_are_refused(web):
    Session(web, "admin", ADMIN_PW)
    for cookie in ("cm_session=" + "A" * 43, "cm_session=", "cm_session=../../x",
                   "cm_session=" + "a" * 5000, "other=1", "cm_session=a;cm_session=b",
                   "cm_session=\x7f"):
        r = http("GET", web.url + "/api/v1/me", headers={"Cookie": cookie})
        assert r.status == 401, cookie


# ---- CSRF ------------------------------------------------------------------------

def test_csrf_token_required_on_state_changes(web):
    s = Session(web, "admin", ADMIN_PW)
    body = {"name": "t1", "kind": "api", "role": "viewer"}
    r = s.req("POST", "/api/v1/tokens", body, csrf=False)
    assert r.status == 403 and "CSRF" in r.json()["error"]
    assert s.req("POST", "/api/v1/tokens", body, csrf="x" * 43).status == 403
    assert s.req("POST", "/api/v1/tokens", body, csrf="").status == 403
    other = Session(web, "admin", ADMIN_PW)          # another session's token
    assert s.req("POST", "/api/v1/tokens", body, csrf=other.csrf).status == 403
    r = s.req("POST", "/api/v1/tokens", body)
    assert r.status == 201, r.body
    tid = r.json()["id"]
    assert s.req("DELETE", "/api/v1/tokens/%d" % tid, csrf=False).status == 403
    assert s.req("DELETE", "/api/v1/tokens/%d" % tid).status == 204
    # reads need none; Bearer requests need none
    assert s.req("GET", "/api/v1/tokens", csrf=False).status == 200
    assert web.post_json("/api/v1/tokens", {"name": "t2", "kind": "api"}).status == 201


def test_bearer_header_wins_over_a_cookie(web):
    s = Session(web, "admin", ADMIN_PW)
    r = s.req("GET", "/api/v1/me", headers={"Authorization": "Bearer wrong"})
    assert r.status == 401
    r = s.req("POST", "/api/v1/tokens", {"name": "b", "kind": "api"}, csrf=False,
              headers=web.auth())
    assert r.status == 201


# ---- roles ------------------------------------------------------------------------

def test_roles(web):
    admin = Session(web, "admin", ADMIN_PW)
    make_user(admin, "vera", "viewer", "viewer-pass")
    make_user(admin, "otto", "operator", "operator-pass")
    make_user(admin, "aude", "auditor", "auditor-pass")
    viewer = Session(web, "vera", "viewer-pass")
    operator = Session(web, "otto", "operator-pass")
    auditor = Session(web, "aude", "auditor-pass")
    tok = web.post_json("/api/v1/tokens", {"name": "x", "kind": "api"}).json()

    # a viewer reads, and changes nothing
    for path in ("/api/v1/series", "/api/v1/devices", "/api/v1/me"):
        assert viewer.req("GET", path).status == 200, path
    changes = [("POST", "/api/v1/tokens", {"name": "v", "kind": "api"}),
               ("DELETE", "/api/v1/tokens/%d" % tok["id"], None),
               ("POST", "/api/v1/users", {"name": "v2", "role": "admin",
                                          "password": "v2-password"}),
               ("PATCH", "/api/v1/users/1", {"role": "viewer"}),
               ("DELETE", "/api/v1/users/1", None),
               ("POST", "/api/v1/backup", {"dir": "/tmp/x"}),
               ("POST", "/api/v1/devices", {"address": "127.0.0.1"}),
               ("PATCH", "/api/v1/devices/1", {"name": "n"}),
               ("DELETE", "/api/v1/devices/1", None),
               ("POST", "/api/v1/write", None)]
    for method, path, body in changes:
        r = viewer.req(method, path, body)
        assert r.status == 403, (method, path, r.status)
        assert operator.req(method, path, body).status == 403, (method, path)
    for path in ("/api/v1/tokens", "/api/v1/users", "/api/v1/audit"):
        assert viewer.req("GET", path).status == 403, path
        assert operator.req("GET", path).status == 403, path
    assert operator.req("GET", "/api/v1/series").status == 200

    # an auditor sees the audit trail and nothing else
    r = auditor.req("GET", "/api/v1/audit")
    assert r.status == 200 and any(e["action"] == "user.create" for e in r.json())
    assert auditor.req("GET", "/api/v1/me").json()["role"] == "auditor"
    for path in ("/api/v1/series", "/api/v1/devices", "/api/v1/query?series=1",
                 "/api/v1/tokens", "/api/v1/users"):
        assert auditor.req("GET", path).status == 403, path
    for method, path, body in changes:
        assert auditor.req(method, path, body).status == 403, (method, path)
    # the same levels hold for API tokens of these roles
    for role, series, audit_ in (("viewer", 200, 403), ("auditor", 403, 200),
                                 ("operator", 200, 403)):
        t = web.post_json("/api/v1/tokens", {"name": role, "kind": "api", "role": role}).json()
        assert web.get("/api/v1/series", token=t["token"]).status == series, role
        assert web.get("/api/v1/audit", token=t["token"]).status == audit_, role
        assert web.post_json("/api/v1/tokens", {"name": "n"}, token=t["token"]).status == 403
    # nothing the viewer tried was done
    assert [u["name"] for u in admin.req("GET", "/api/v1/users").json()] == \
        ["admin", "aude", "otto", "vera"]


def test_every_api_route_needs_a_session_or_token(web):
    public = set()
    for methods, pattern, access in routes():
        if access == "public":
            public.add(pattern)
            continue
        path = pattern.replace("*", "1")
        for m in methods:
            if m == "HEAD":
                continue
            body = b"{}" if m in ("POST", "PATCH", "PUT") else None
            r = http(m, web.url + path, body, {"Content-Type": "application/json"})
            assert r.status == 401, (m, path, r.status)
            assert "error" in r.json()
            r = http(m, web.url + path, body, {"Cookie": "cm_session=" + "B" * 43})
            assert r.status == 401, (m, path, r.status)
    # only these are open (ingest needs an agent token: it needs "write"); /ack/* is the
    # one-tap acknowledgement link, authorised by its signed, expiring token instead
    assert public == {"/api/v1/health", "/api/v1/login", "/ping", "/ack/*", "/**"}
    assert web.get("/api/v1/health", token=False).status == 200
    assert web.get("/api/v1/nothing-here", token=False).status == 404


# ---- users -----------------------------------------------------------------------

def test_user_administration(web):
    admin = Session(web, "admin", ADMIN_PW)
    u = make_user(admin, "张三", "viewer", "zhang-password")
    assert u["name"] == "张三" and u["role"] == "viewer" and u["disabled"] is False
    bad = [{"name": "x", "role": "viewer", "password": "short"},
           {"name": "<b>x</b>", "role": "viewer", "password": "long-enough"},
           {"name": "a b", "role": "viewer", "password": "long-enough"},
           {"name": "", "role": "viewer", "password": "long-enough"},
           {"name": "n" * 65, "role": "viewer", "password": "long-enough"},
           {"name": "x", "role": "root", "password": "long-enough"},
           {"name": "x", "role": "agent", "password": "long-enough"},
           {"name": "x", "password": "long-enough"},
           {"name": "x", "role": "viewer", "password": "p" * 1025},
           {"name": "x", "role": "viewer", "password": "long-enough", "disabled": "yes"}]
    for body in bad:
        assert admin.req("POST", "/api/v1/users", body).status == 400, body
    r = admin.req("POST", "/api/v1/users", {"name": "张三", "role": "admin",
                                            "password": "another-one"})
    assert r.status == 409
    listed = admin.req("GET", "/api/v1/users").json()
    assert {x["name"] for x in listed} == {"admin", "张三"}
    assert all("hash" not in x and "password" not in x for x in listed)

    # a role change applies to a live session at once
    zs = Session(web, "张三", "zhang-password")
    assert zs.req("GET", "/api/v1/tokens").status == 403
    r = admin.req("PATCH", "/api/v1/users/%d" % u["id"], {"role": "admin"})
    assert r.status == 200 and r.json()["role"] == "admin"
    assert zs.req("GET", "/api/v1/tokens").status == 200
    assert admin.req("PATCH", "/api/v1/users/%d" % u["id"], {"name": "y"}).status == 400
    assert admin.req("PATCH", "/api/v1/users/%d" % u["id"], {}).status == 400
    assert admin.req("PATCH", "/api/v1/users/999", {"role": "viewer"}).status == 404
    assert admin.req("PATCH", "/api/v1/users/abc", {"role": "viewer"}).status == 404
    # a new password ends the user's sessions
    r = admin.req("PATCH", "/api/v1/users/%d" % u["id"], {"password": "zhang-new-pass"})
    assert r.status == 200
    assert zs.req("GET", "/api/v1/me").status == 401
    assert login(web, "张三", "zhang-password").status == 401
    zs = Session(web, "张三", "zhang-new-pass")
    # disabled: sessions end, logins fail
    r = admin.req("PATCH", "/api/v1/users/%d" % u["id"], {"disabled": True})
    assert r.status == 200 and r.json()["disabled"] is True
    assert zs.req("GET", "/api/v1/me").status == 401
    assert login(web, "张三", "zhang-new-pass").status == 401
    # the last enabled admin stays
    admin_id = [x["id"] for x in listed if x["name"] == "admin"][0]
    assert admin.req("PATCH", "/api/v1/users/%d" % admin_id, {"role": "viewer"}).status == 409
    assert admin.req("PATCH", "/api/v1/users/%d" % admin_id, {"disabled": True}).status == 409
    assert admin.req("DELETE", "/api/v1/users/%d" % admin_id).status == 409
    assert web.get("/api/v1/me").status == 200
    r = http("DELETE", web.url + "/api/v1/users/%d" % admin_id, headers=web.auth())
    assert r.status == 409
    # deleted
    assert admin.req("DELETE", "/api/v1/users/%d" % u["id"]).status == 204
    assert admin.req("DELETE", "/api/v1/users/%d" % u["id"]).status == 404
    assert login(web, "张三", "zhang-new-pass").status == 401


def test_weak_passwords_and_look_alike_names_are_refused(web):
    admin = Session(web, "admin", ADMIN_PW)
    for pw in ("password", "12345678", "Password123", "密码啊", "qwertyuiop"):
        r = admin.req("POST", "/api/v1/users", {"name": "eve", "role": "admin", "password": pw})
        assert r.status == 400, (pw, r.body)
        assert "password" in r.json()["error"]
        u = [x for x in admin.req("GET", "/api/v1/users").json() if x["name"] == "admin"][0]
        r = admin.req("PATCH", "/api/v1/users/%d" % u["id"], {"password": pw})
        assert r.status == 400, (pw, r.body)
    for name in ("\u200badmin", "admin\u00a0", "\uff41\uff44\uff4d\uff49\uff4e",
                 "\u0430dmin", "admin\u202e", "ad min"):
        r = admin.req("POST", "/api/v1/users", {"name": name, "role": "admin",
                                                "password": "a long passphrase"})
        assert r.status == 400, (name, r.body)
        assert "name" in r.json()["error"]
    assert [x["name"] for x in admin.req("GET", "/api/v1/users").json()] == ["admin"]
    # eight Chinese characters are a password of eight characters
    assert admin.req("POST", "/api/v1/users", {"name": "王五", "role": "viewer",
                                              "password": "我的密码很长啊哈"}).status == 201
    Session(web, "王五", "我的密码很长啊哈")


def test_users_and_passwords_survive_restart(web):
    admin = Session(web, "admin", ADMIN_PW)
    make_user(admin, "keep", "operator", "keep-password")
    web.stop()
    web.env["CAMPUSMON_ADMIN_PASSWORD"] = "a different password"
    web.start()
    assert admin.req("GET", "/api/v1/me").status == 401     # sessions live in memory
    Session(web, "admin", ADMIN_PW)                          # first start only
    assert login(web, "admin", "a different password").status == 401
    assert Session(web, "keep", "keep-password").me["role"] == "operator"


# ---- audit --------------------------------------------------------------------------

def test_audit_trail_records_who_what_when_and_never_secrets(web):
    t0 = time.time()
    admin = Session(web, "admin", ADMIN_PW)
    login(web, "admin", "bad-password-1")
    tok = admin.req("POST", "/api/v1/tokens", {"name": "agent-web01", "kind": "agent"}).json()
    admin.req("DELETE", "/api/v1/tokens/%d" % tok["id"])
    u = make_user(admin, "carol", "viewer", "carol-secret-pw")
    admin.req("PATCH", "/api/v1/users/%d" % u["id"], {"role": "operator",
                                                     "password": "carol-secret-pw2"})
    admin.req("DELETE", "/api/v1/users/%d" % u["id"])
    web.post_json("/api/v1/tokens", {"name": "by-token", "kind": "api"})

    entries = wait_for(lambda: (lambda e: len(e) >= 9 and e)(audit(web)),
                       what="audit entries")
    by_action = {}
    for e in entries:
        by_action.setdefault(e["action"], []).append(e)
        assert t0 - 5 <= e["ts"] <= time.time() + 5
        assert set(e) == {"id", "ts", "actor", "addr", "action", "target", "detail", "ok"}
    assert by_action["user.create"][-1]["actor"] == "system"          # from the env
    assert any(e["ok"] and e["actor"] == "admin" and e["addr"] == "127.0.0.1"
               for e in by_action["login"])
    assert any(not e["ok"] for e in by_action["login"])
    create = [e for e in by_action["token.create"] if e["target"] == "agent-web01"][0]
    assert create["actor"] == "admin" and "agent" in create["detail"]
    assert by_action["token.revoke"][0]["target"] == "id %d" % tok["id"]
    assert any(e["target"] == "carol" and "viewer" in e["detail"]
               for e in by_action["user.create"])
    upd = by_action["user.update"][0]
    assert upd["target"] == "carol" and "viewer -> operator" in upd["detail"]
    assert "password changed" in upd["detail"]
    assert by_action["user.delete"][0]["target"] == "carol"
    assert any(e["actor"] == "token:bootstrap" for e in by_action["token.create"])
    # newest first, filters and limits
    assert entries == sorted(entries, key=lambda e: (-e["ts"], -e["id"]))
    assert all(e["action"] == "login" for e in audit(web, action="login"))
    assert all(e["actor"] == "carol" for e in audit(web, actor="carol"))
    assert len(audit(web, limit=2)) == 2
    assert audit(web, **{"from": "-1h"}) and not audit(web, to=str(int(t0) - 3600))
    assert web.get("/api/v1/audit?limit=0").status == 400
    assert web.get("/api/v1/audit?from=yesterday").status == 400
    # no password or token secret in the trail or the log
    text = json.dumps(entries) + web.read_log()
    for secret in (ADMIN_PW, "bad-password-1", "carol-secret-pw", tok["token"]):
        assert secret not in text, secret
    assert "audit: admin token.create agent-web01" in web.read_log()


def test_audit_keeps_180_days_and_prunes_older(collector_factory):
    web = collector_factory(env={"CAMPUSMON_ADMIN_PASSWORD": ADMIN_PW},
                            config="audit:\n  retention: 180d\n").start()
    web.stop()
    db = os.path.join(web.data_dir, "state.db")
    st = os.stat(db)
    now = time.time()
    con = sqlite3.connect(db)
    for days, what in ((179, "recent"), (200, "old"), (500, "older")):
        con.execute("INSERT INTO audit(ts, actor, action, target, ok) VALUES (?, ?, ?, ?, 1)",
                    (now - days * 86400, "someone", "test", what))
    con.commit()
    con.close()
    for f in os.listdir(web.data_dir):          # the collector runs as the service user
        os.chown(os.path.join(web.data_dir, f), st.st_uid, st.st_gid)
    web.start()                                 # prunes at start, then hourly
    kept = wait_for(lambda: (lambda t: "old" not in t and t)(
        [e["target"] for e in audit(web, action="test", **{"from": "0"})]),
        what="old audit entries pruned")
    assert kept == ["recent"]


def test_audit_retention_below_six_months_is_refused(tmp_path):
    from conftest import Collector
    cfg = tmp_path / "c.yaml"
    cfg.write_text("audit:\n  retention: 90d\n")
    import subprocess
    r = subprocess.run([Collector.binary, "-t", "-c", str(cfg)], capture_output=True, text=True)
    assert r.returncode != 0 and "audit.retention" in r.stderr
    cfg.write_text("audit:\n  retention: 180d\nauth:\n  session_idle: 30m\n")
    r = subprocess.run([Collector.binary, "-t", "-c", str(cfg)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# ---- escaping ------------------------------------------------------------------------

def test_xss_payloads_come_back_escaped_in_json(web):
    now = int(time.time())
    esc = XSS.replace("\\", "\\\\").replace(" ", "\\ ").replace(",", "\\,").replace("=", "\\=")
    r = web.write("cpu,host=%s usage=1 %d\n" % (esc, now), query="precision=s")
    assert r.status == 204, r.body
    web.post_json("/api/v1/tokens", {"name": XSS, "kind": "api"})
    admin = Session(web, "admin", ADMIN_PW)
    for path in ("/api/v1/series", "/api/v1/tokens", "/api/v1/audit"):
        r = admin.req("GET", path)
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert b"<" not in r.body and b">" not in r.body, r.body[:300]
        assert b"\\u003cscript\\u003e" in r.body
        assert XSS in strings(r.json())      # the same value once decoded
    # an error message that echoes input is escaped as well
    r = web.get("/api/v1/" + "%3Cscript%3E", token=False)
    assert r.status in (401, 404) and b"<script>" not in r.body
