"""Starting with a catalogue, against the real collector.

The listener answers while the catalogue loads: /api/v1/health says
"starting" (503) and other routes 503 with Retry-After, until it is loaded.
A clean stop leaves the last values in DATA/last-values (read and removed at
the next start) and no journal to replay; after kill -9 they come from the
RRD files again.
"""
import glob
import json
import os
import re
import socket
import threading
import time

from conftest import TOKEN, wait_for

CONFIG = "storage:\n  retention: [raw:2m]\n  consolidation: [AVERAGE]\n  flush_delay: 1s\n"


def make_series(c, hosts, fields=10):
    now = int(time.time()) - 30
    for r in range(2):
        body = "\n".join("st,host=s%05d %s %d" % (h, ",".join("f%d=%d.25" % (f, h + f + r)
                         for f in range(fields)), now + 10 * r) for h in range(hosts))
        assert c.write(body, query="precision=s&interval=10").status == 204
    files = os.path.join(c.data_dir, "rrd", "*", "*.rrd")
    wait_for(lambda: c.metrics()["campusmon_write_queue_depth"] == 0 and
             len(glob.glob(files)) == hosts, timeout=120, what="series and files on disk")


def raw_get(port, path, token=None):
    """One GET on a fresh connection, retried until the port takes it: (status, headers, body)."""
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
            break
        except OSError:
            time.sleep(0.005)
    auth = "Authorization: Bearer %s\r\n" % token if token else ""
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (path, auth))
              .encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    return status, head.decode("latin-1"), body


def catalogue_line(c):
    m = re.search(r"catalogue: (\d+) series loaded in [\d.]+s \(last values from (.*)\)",
                  c.read_log())
    return m and (int(m.group(1)), m.group(2))


def lasts(c):
    return {s["id"]: (s["last"], s["last_ts"]) for s in c.series(measurement="st")}


def test_health_says_starting_while_the_catalogue_loads(collector_factory):
    c = collector_factory(config=CONFIG).start()
    make_series(c, 10000)                 # 100,000 series in 10,000 RRD files
    before = lasts(c)
    c.kill9()                             # no snapshot: the load reads every RRD file
    port = c.port
    answers = []

    def poll():
        # sent as soon as the port is bound: served between two slices of the load
        answers.append(raw_get(port, "/api/v1/health"))
        answers.append(raw_get(port, "/api/v1/series?limit=1", TOKEN))
        while True:
            st, head, body = raw_get(port, "/api/v1/health")
            answers.append((st, head, body))
            if st == 200:
                return

    t = threading.Thread(target=poll)
    t.start()
    c.start(port=port)
    t.join(120)
    first, other = answers[0], answers[1]
    assert first[0] == 503, first
    j = json.loads(first[2])
    assert j["status"] == "starting" and j["series"] < 100000, j
    assert "Retry-After: 1" in first[1]
    assert other[0] == 503 and "starting" in json.loads(other[2])["error"], other
    assert json.loads(answers[-1][2])["status"] == "ok"
    assert json.loads(answers[-1][2])["series"] == 100000
    assert catalogue_line(c) == (100000, "the RRD files")
    assert lasts(c) == before


def test_a_clean_stop_keeps_last_values_and_leaves_no_journal(collector_factory):
    c = collector_factory(config=CONFIG).start()
    make_series(c, 50)
    before = lasts(c)
    assert len(before) == 500
    assert c.stop() == 0
    snapshot = os.path.join(c.data_dir, "last-values")
    assert os.path.isfile(snapshot)
    assert glob.glob(os.path.join(c.data_dir, "journal", "*.wal")) == []
    c.start()
    assert catalogue_line(c) == (500, "the clean stop's snapshot")
    assert "samples replayed" not in c.read_log()
    assert not os.path.exists(snapshot)   # a crash from now on reads the RRD files
    assert lasts(c) == before
    # new samples after the restart, then a crash: last values from the RRD files
    now = int(time.time())
    assert c.write("st,host=s00001 f1=77 %d" % now, query="precision=s&interval=10").status == 204
    after = lasts(c)
    c.kill9()
    c.start()
    assert catalogue_line(c)[1] == "the RRD files"
    assert lasts(c) == after


def test_a_damaged_snapshot_is_not_used(collector_factory):
    c = collector_factory(config=CONFIG).start()
    make_series(c, 20)
    before = lasts(c)
    assert c.stop() == 0
    snapshot = os.path.join(c.data_dir, "last-values")
    with open(snapshot, "r+b") as f:
        f.seek(30)
        f.write(b"\x99\x99")
    c.start()
    assert catalogue_line(c) == (200, "the RRD files")
    assert "last-values is damaged" in c.read_log()
    assert lasts(c) == before
