"""Bounded reads against the real collector: points per query answer
(api.max_points, consolidated to fit) and series per page (api.max_series_page,
with a Link header to the next page, which the CLI follows).
"""
import json
import os
import re
import subprocess
import time
import urllib.parse

from conftest import BUILD, TOKEN

CLI = os.path.join(BUILD, "cli", "campusmon")


def next_link(r):
    link = r.headers.get("Link")
    if link is None:
        return None
    m = re.fullmatch(r'<(/api/v1/series\?[^>]*)>; rel="next"', link)
    assert m, link
    return m.group(1)


def test_a_huge_range_is_capped(collector):
    now = int(time.time())
    assert collector.write("qr,host=q v=1 %d\nqr,host=q v=2 %d" % (now - 20, now - 10),
                           query="precision=s&interval=10").status == 204
    sid = collector.series(host="q")[0]["id"]
    for frm in ("-30000d", "-3000000d"):
        r = collector.get("/api/v1/query?series=%s&from=%s" % (sid, frm))
        assert r.status == 200, r.body
        j = r.json()
        assert 0 < len(j["points"]) <= 10000, (frm, len(j["points"]))
        assert j["series"] == sid and j["cf"] == "AVERAGE" and j["step"] >= 86400
    # a range reaching far into the future is cut at a day past now
    r = collector.get("/api/v1/query?series=%s&from=-1h&to=%d" % (sid, now + 10 ** 9))
    assert r.status == 200 and len(r.json()["points"]) <= 10000


def test_points_are_consolidated_to_fit(collector_factory):
    c = collector_factory(config="api:\n  max_points: 100\n").start()
    now = int(time.time()) // 100 * 100
    t0 = now - 10000
    lines = "\n".join("cons,host=k v=%d %d" % (i, t0 + 10 * i) for i in range(1000))
    assert c.write(lines, query="precision=s&interval=10").status == 204
    sid = c.series(host="k")[0]["id"]
    for cf in ("average", "max", "min"):
        j = c.get("/api/v1/query?series=%s&from=%d&to=%d&cf=%s" % (sid, t0 - 10, now, cf)).json()
        pts = j["points"]
        assert len(pts) <= 100, len(pts)
        step = j["step"]
        assert step >= 100 and step % 10 == 0
        full = 0
        for ts, v in pts:
            vals = [i for i in range(1000) if ts - step < t0 + 10 * i <= ts]
            if len(vals) * 10 != step:
                continue                       # a group at an edge of the data
            want = {"average": sum(vals) / len(vals), "max": max(vals), "min": min(vals)}[cf]
            assert v == want, (cf, ts, v, want)
            full += 1
        assert full >= 90, (cf, full, pts[:3])
    # a step asked for is kept when it fits
    j = c.get("/api/v1/query?series=%s&from=%d&to=%d&step=300" % (sid, t0, now)).json()
    assert j["step"] >= 300 and len(j["points"]) <= 100


def test_series_pages_follow_the_link(collector_factory):
    c = collector_factory(config="api:\n  max_series_page: 100\n").start()
    now = int(time.time())
    body = "\n".join("pg,host=h%d v=1 %d" % (i, now) for i in range(250))
    body += "\nother,host=x v=1 %d" % now
    assert c.write(body, query="precision=s").status == 204
    seen, pages, path = [], 0, "/api/v1/series?measurement=pg&limit=1000000"
    while path is not None:
        r = c.get(path)
        assert r.status == 200, r.body
        page = r.json()
        assert isinstance(page, list) and len(page) <= 100
        seen += page
        pages += 1
        path = next_link(r)
        if path is not None:
            q = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
            assert q["measurement"] == ["pg"] and q["limit"] == ["100"]
            assert int(q["after"][0]) == page[-1]["id"]
    assert pages == 3
    ids = [s["id"] for s in seen]
    assert len(ids) == 250 and ids == sorted(set(ids))
    assert all(s["measurement"] == "pg" for s in seen)
    # a page that ends exactly at the last match has no next link
    r = c.get("/api/v1/series?measurement=other")
    assert r.status == 200 and len(r.json()) == 1 and next_link(r) is None
    r = c.get("/api/v1/series?limit=50")
    assert len(r.json()) == 50 and "after=%d&limit=50" % r.json()[-1]["id"] in next_link(r)
    for bad in ("limit=0", "limit=abc", "limit=", "after=x", "after=-1", "after=99999999999"):
        r = c.get("/api/v1/series?" + bad)
        assert r.status == 400, (bad, r.status)
        assert "error" in r.json()


def test_cli_series_follows_the_pages(collector_factory, tmp_path):
    c = collector_factory(config="api:\n  max_series_page: 100\n").start()
    now = int(time.time())
    body = "\n".join("cl,host=c%03d v=%d %d" % (i, i, now) for i in range(230))
    assert c.write(body, query="precision=s").status == 204
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPUSMON_")}
    env.update(HOME=str(tmp_path), CAMPUSMON_URL=c.url, CAMPUSMON_TOKEN=TOKEN)
    p = subprocess.run([CLI, "--json", "series", "--measurement", "cl"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    assert len(got) == 230 and len({s["id"] for s in got}) == 230
    p = subprocess.run([CLI, "series", "--measurement", "cl"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and len(p.stdout.strip().splitlines()) == 231   # with a header
