"""Requests the HTTP layer refuses, sent raw to the real collector: every refusal is
JSON with the security headers, and an ambiguous body length is never guessed at.
"""
import json
import socket

from conftest import TOKEN, http

SECURITY = ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy",
            "Referrer-Policy")


def raw(c, data, timeout=10):
    """Send bytes, read until the server closes; the responses, parsed."""
    s = socket.create_connection(("127.0.0.1", c.port))
    s.settimeout(timeout)
    s.sendall(data)
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except socket.timeout:
        pass
    except ConnectionResetError:
        pass
    s.close()
    out = []
    while buf:
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        out.append((lines[0], headers, rest[:n]))
        buf = rest[n:]
    return out


def assert_json_error(resp, status):
    line, headers, body = resp
    assert line.split(" ")[1] == str(status), line
    assert headers["content-type"].startswith("application/json"), headers
    for h in SECURITY:
        assert h.lower() in headers, (h, headers)
    assert "error" in json.loads(body)


def test_two_content_lengths_are_refused_and_nothing_is_smuggled(collector):
    smuggled = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
    req = (b"POST /api/v1/write HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
           TOKEN.encode() + b"\r\nContent-Length: 0\r\nContent-Length: %d\r\n\r\n" %
           len(smuggled) + smuggled)
    got = raw(collector, req)
    assert len(got) == 1, got          # the "body" was not taken for a second request
    assert_json_error(got[0], 400)
    assert "Content-Length" in json.loads(got[0][2])["error"]
    assert got[0][1].get("connection") == "close"


def test_content_length_with_transfer_encoding_is_refused(collector):
    req = (b"POST /api/v1/write HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
           TOKEN.encode() + b"\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"0\r\n\r\n")
    got = raw(collector, req)
    assert len(got) == 1
    assert_json_error(got[0], 400)


def test_repeated_equal_content_length_is_also_refused(collector):
    body = b'{"user": "admin", "password": "not-the-password"}'
    req = (b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (len(body), len(body)) + body)
    got = raw(collector, req)
    assert_json_error(got[0], 400)
    assert "Content-Length" in json.loads(got[0][2])["error"]


def test_libevents_own_refusals_are_json_with_security_headers(collector_factory):
    c = collector_factory(config="http:\n  max_header_size: 1KiB\n"
                                 "ingest:\n  max_body: 1KiB\n").start()
    # a request line that is not HTTP
    got = raw(c, b"NONSENSE\r\n\r\n")
    assert_json_error(got[0], 400)
    assert got[0][0].startswith("HTTP/1.1 400")
    # a malformed header
    assert_json_error(raw(c, b"GET /api/v1/health HTTP/1.1\r\nno colon here\r\n\r\n")[0], 400)
    # headers over http.max_header_size (libevent 2.1 says 400 for these)
    big = b"GET /api/v1/health HTTP/1.1\r\nX-Big: " + b"a" * 4000 + b"\r\n\r\n"
    got = raw(c, big)
    assert_json_error(got[0], int(got[0][0].split(" ")[1]))
    assert got[0][0].split(" ")[1] in ("400", "413")
    # a body over ingest.max_body
    body = b"m v=1\n" * 400
    r = http("POST", c.url + "/api/v1/write", body, {"Authorization": "Bearer " + TOKEN})
    assert r.status == 413
    assert r.headers["Content-Type"].startswith("application/json")
    assert "error" in json.loads(r.body)
    assert "nosniff" == r.headers["X-Content-Type-Options"]


def test_unknown_paths_are_404_and_known_paths_405(collector):
    for method, path in (("POST", "/nothing-here"), ("DELETE", "/api/v1/nope"),
                         ("POST", "/api/v1/nope"), ("PUT", "/index.html")):
        r = http(method, collector.url + path, b"", {"Authorization": "Bearer " + TOKEN})
        assert r.status == 404, (method, path, r.status)
        assert "error" in r.json()
    for method in ("DELETE", "POST", "OPTIONS", "TRACE"):
        got = raw(collector, b"%s /api/v1/health HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\nContent-Length: 0\r\n\r\n" % method.encode())
        assert_json_error(got[0], 405)
    # a method libevent does not know
    got = raw(collector, b"BREW /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    line = got[0][0]
    assert line.split(" ")[1] in ("405", "501"), line
    assert_json_error(got[0], int(line.split(" ")[1]))
