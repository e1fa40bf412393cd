"""The web UI's files: one string table with English and zh-CN, no markup built
from data, no inline script, and served by the collector with its security headers.
(The UI itself runs in Chromium in tests/e2e.)"""
import json
import os
import re

from conftest import REPO

WEB = os.path.join(REPO, "web")


def read(name):
    with open(os.path.join(WEB, name), encoding="utf-8") as f:
        return f.read()


def listed():
    """The page's scripts, in order, from their one list in web/scripts.js."""
    src = read("scripts.js")
    body = src[src.index("const SCRIPTS = ["):src.index("];")]
    return re.findall(r'"([a-z0-9-]+\.js)"', body)


PAGE_SCRIPTS = listed()
SCRIPTS = ["scripts.js"] + PAGE_SCRIPTS + ["sw.js"]


def table_keys():
    src = read("i18n.js")
    en = src[src.index("en: {"):src.index('"zh-CN": {')]
    zh = src[src.index('"zh-CN": {'):src.index("CM.STRINGS")]
    key = re.compile(r"(?:^|[\s{,])([a-z][a-z0-9_]*): \"")
    return set(key.findall(en)), set(key.findall(zh))


def test_every_string_has_english_and_chinese():
    en, zh = table_keys()
    assert len(en) > 150
    assert en == zh, ("only English: %s" % sorted(en - zh), "only zh-CN: %s" % sorted(zh - en))
    used = set()
    for name in SCRIPTS:
        used |= set(re.findall(r"\bt\(\"([a-z][a-z0-9_]*)\"(?!\s*\+)", read(name)))
    used |= set(re.findall(r'data-i18n="([a-z0-9_]+)"', read("index.html")))
    assert used and not used - en, sorted(used - en)
    # keys built from a prefix: every value the UI can pass has an entry
    families = {
        "kind_": "switch router firewall wlc ap server storage ups pdu sensor camera printer other",
        "role_": "admin operator viewer auditor agent",
        "state_": "up down unreachable unknown normal warning critical",
        "range_": "1h 1d 1w 1y",
        "action_": "login logout user_create user_update user_delete token_create token_revoke backup",
        "sensor_": "temperature humidity voltage current power apparent_power frequency charge "
                   "runtime load leak door smoke fan psu airflow other",
    }
    for prefix, words in families.items():
        for w in words.split():
            assert prefix + w in en, prefix + w


def test_no_markup_is_built_from_strings():
    for name in SCRIPTS:
        src = read(name)
        for bad in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                    "new Function"):
            assert bad not in src, (name, bad)


def test_pages_have_no_inline_script_or_style():
    html = read("index.html")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.I)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html, re.I)
    for name in SCRIPTS:
        assert 'setAttribute("style"' not in read(name)


def test_manifest_and_icons():
    m = json.loads(read("manifest.webmanifest"))
    assert m["display"] == "standalone" and m["start_url"].startswith("/")
    sizes = {i["sizes"] for i in m["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in m["icons"]:
        assert os.path.exists(os.path.join(WEB, icon["src"].lstrip("/"))), icon["src"]
    sw = read("sw.js")
    assert 'importScripts("/scripts.js")' in sw and "self.CM_SCRIPTS" in sw  # the page's scripts
    for name in ["scripts.js", "style.css", "index.html", "manifest.webmanifest"]:
        assert "/" + name in sw, name       # the offline shell holds every file


def test_collector_serves_the_ui_with_security_headers(collector):
    r = collector.get("/", token=False)
    assert r.status == 200 and b'<script src="/scripts.js" defer>' in r.body
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    types = {"/app.js": "text/javascript", "/style.css": "text/css", "/sw.js": "text/javascript",
             "/manifest.webmanifest": "application/manifest+json", "/icon.svg": "image/svg+xml",
             "/icon-192.png": "image/png"}
    types.update({"/" + name: "text/javascript" for name in SCRIPTS})
    for path, ctype in types.items():
        r = collector.get(path, token=False)
        assert r.status == 200, path
        assert r.headers["Content-Type"].startswith(ctype), (path, r.headers["Content-Type"])
    for path in ("/../etc/passwd", "/.hidden", "/nope.js"):
        assert collector.get(path, token=False).status == 404, path
