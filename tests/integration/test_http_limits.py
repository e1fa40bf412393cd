"""What the HTTP server holds at once, against the real collector on real sockets:
the connection cap, running out of descriptors, and clients that trickle bytes.
"""
import resource
import socket

from conftest import http, wait_for


def open_idle(port, n):
    out = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(30)
        s.connect(("127.0.0.1", port))
        out.append(s)
    return out


def closed_by_peer(s):
    try:
        return s.recv(4096) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def test_out_of_descriptors_pauses_accept_and_health_still_answers(collector_factory):
    def low_nofile():
        resource.setrlimit(resource.RLIMIT_NOFILE, (96, 96))

    # A cap above what the descriptors allow, so accept() itself fails.
    c = collector_factory(config="http:\n  max_connections: 5000\n  request_timeout: 600s\n",
                          preexec=low_nofile).start()
    assert "above what the descriptor limit (96) leaves" in c.read_log()
    socks = open_idle(c.port, 200)
    try:
        wait_for(lambda: "cannot accept connections" in c.read_log(), timeout=30,
                 what="an accept failure to be reported")
        # Connections that sent nothing are closed to free descriptors (the
        # deadline is far off): health gets its turn.
        r = http("GET", c.url + "/api/v1/health", timeout=60)
        assert r.status == 200
        log = c.read_log()
        # once per interval, not once per accept() retry (millions before)
        assert log.count("cannot accept connections") == 1, log[-2000:]
        assert log.count("out of descriptors: closed") == 1, log[-2000:]
        assert "Too many open files" in log
    finally:
        for s in socks:
            s.close()
    assert http("GET", c.url + "/api/v1/health").status == 200
    # every closed connection was counted out: only the /metrics request is open
    wait_for(lambda: c.metrics()["campusmon_http_connections"] == 1, timeout=30,
             what="the connection count to fall back")


def test_at_the_cap_the_longest_waiting_connection_makes_room(collector_factory):
    c = collector_factory(config="http:\n  max_connections: 4\n  request_timeout: 600s\n").start()
    socks = open_idle(c.port, 4)     # slow clients that never send a request
    try:
        wait_for(lambda: "4 connections open (http.max_connections)" in c.read_log(),
                 what="the cap to be reported")
        # a client that sends its request is served at once...
        r = http("GET", c.url + "/api/v1/health", timeout=60)
        assert r.status == 200
        # ...in the place of the slow client that connected first
        socks[0].settimeout(30)
        assert closed_by_peer(socks[0])
        assert "at http.max_connections: closed 1 connection" in c.read_log()
        assert c.metrics()["campusmon_http_max_connections"] == 4
    finally:
        for s in socks:
            s.close()


def test_a_client_that_trickles_bytes_is_closed(collector_factory):
    # http.timeout restarts at every byte; the request deadline does not.
    c = collector_factory(config="http:\n  timeout: 30s\n  request_timeout: 1s\n").start()
    s = socket.create_connection(("127.0.0.1", c.port))
    s.settimeout(0.2)
    s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
    closed = False
    for _ in range(300):     # up to a minute of one header byte every 0.2 s
        try:
            s.sendall(b"X")
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        try:
            if closed_by_peer(s):
                closed = True
                break
        except socket.timeout:
            pass
    s.close()
    assert closed, "the trickling client was never closed"
    # a keep-alive client that answers in time is unaffected
    assert http("GET", c.url + "/api/v1/health").status == 200


def test_keep_alive_connection_gets_a_fresh_deadline_per_request(collector_factory):
    c = collector_factory(config="http:\n  request_timeout: 2s\n").start()
    s = socket.create_connection(("127.0.0.1", c.port))
    s.settimeout(30)
    f = s.makefile("rb")
    for _ in range(3):
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        status = f.readline()
        assert status.startswith(b"HTTP/1.1 200"), status
        length = 0
        while True:
            line = f.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        f.read(length)
    # idle past the deadline: the server closes it
    assert f.read() == b""
    s.close()
