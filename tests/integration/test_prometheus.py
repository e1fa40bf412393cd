"""/metrics as Prometheus users need it: the standard process_* metrics, build
info, per-device up and per-agent freshness, with label values escaped per the
text exposition format. Parsed with the real prometheus_client parser
(python3-prometheus-client), which unescapes label values as Prometheus does."""
import os
import time

from prometheus_client.parser import text_string_to_metric_families

from conftest import SNMPD_COMMUNITY, wait_for


def scrape(c):
    r = c.get("/metrics")
    assert r.status == 200, r.body
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = r.body.decode("utf-8")      # strict: the whole scrape is valid UTF-8
    families = {f.name: f for f in text_string_to_metric_families(text)}
    return families, text


def samples(families, name):
    return families[name].samples if name in families else []


def test_process_and_build_metrics(collector):
    started = time.time()
    fam, _ = scrape(collector)
    value = {n: samples(fam, n)[0].value for n in (
        "process_cpu_seconds", "process_resident_memory_bytes", "process_virtual_memory_bytes",
        "process_open_fds", "process_max_fds", "process_start_time_seconds")}
    assert fam["process_cpu_seconds"].type == "counter"
    assert value["process_cpu_seconds"] >= 0
    assert 1 << 20 < value["process_resident_memory_bytes"] < value["process_virtual_memory_bytes"]
    assert 3 < value["process_open_fds"] < value["process_max_fds"]
    # The collector's own start: within the last minute, not the machine's boot.
    assert started - 60 < value["process_start_time_seconds"] <= time.time()
    fds = len(os.listdir("/proc/%d/fd" % collector.proc.pid))
    assert abs(value["process_open_fds"] - fds) <= 2
    build = samples(fam, "campusmon_build_info")
    assert len(build) == 1 and build[0].value == 1 and build[0].labels["version"]
    health = collector.get("/api/v1/health").json()
    assert build[0].labels["version"] == health["version"]


HOSTILE_DEVICE = 'core "交换机" \\ 1'
HOSTILE_SITE = '东区\n第二 "校区"'
HOSTILE_HOST = '数据库\\服务器 "主"'


def test_device_up_and_agent_freshness_with_hostile_names(collector_factory, snmpd):
    c = collector_factory(config="snmp:\n  timeout_ms: 300\n  retries: 0\n").start()
    for name, community, site in ((HOSTILE_DEVICE, SNMPD_COMMUNITY, HOSTILE_SITE),
                                  ("楼宇-2", "wrong-community", "")):
        r = c.post_json("/api/v1/devices", {"name": name, "address": "127.0.0.1", "port": snmpd,
                                             "interval": 5, "kind": "switch", "site": site,
                                             "snmp": {"version": "2c", "community": community}})
        assert r.status == 201, r.body
    # Never polled, not monitored: not listed.
    assert c.post_json("/api/v1/devices", {"name": "spare", "address": "127.0.0.1", "port": 9,
                                           "monitored": False}).status == 201

    def ups():
        fam, _ = scrape(c)
        got = {s.labels["device"]: s for s in samples(fam, "campusmon_device_up")}
        return got if len(got) == 2 and got[HOSTILE_DEVICE].value == 1 else None

    got = wait_for(ups, timeout=30, what="both devices to be polled")
    assert got[HOSTILE_DEVICE].value == 1
    assert got[HOSTILE_DEVICE].labels == {"device": HOSTILE_DEVICE, "kind": "switch",
                                          "site": HOSTILE_SITE}
    assert got["楼宇-2"].value == 0 and got["楼宇-2"].labels["site"] == ""

    before = time.time()
    lp_host = HOSTILE_HOST.replace(" ", "\\ ")
    r = c.write("system,host=%s load1=0.5 %d\n" % (lp_host, int(before)), query="precision=s")
    assert r.status == 204, r.body
    assert [s["host"] for s in c.series(measurement="system")] == [HOSTILE_HOST]
    fam, text = scrape(c)
    seen = {s.labels["host"]: s.value for s in samples(fam, "campusmon_agent_last_seen_seconds")}
    assert list(seen) == [HOSTILE_HOST], text
    assert before - 1 <= seen[HOSTILE_HOST] <= time.time() + 1
    # SNMP-polled devices are not agents.
    assert HOSTILE_DEVICE not in seen
    # The escapes on the wire, as the format asks.
    assert 'device="core \\"交换机\\" \\\\ 1"' in text
    assert 'site="东区\\n第二 \\"校区\\""' in text


def test_invalid_utf8_names_do_not_break_the_scrape(collector):
    r = collector.write(b"system,host=bad\xff\xfename load1=1\n")
    assert r.status == 204, r.body
    fam, _ = scrape(collector)
    hosts = [s.labels["host"] for s in samples(fam, "campusmon_agent_last_seen_seconds")]
    assert hosts == ["bad\ufffd\ufffdname"]


def test_a_real_prometheus_scrapes_us(collector, tmp_path):
    """Debian's prometheus server scrapes /metrics with a bearer token; what it
    stored comes back through its own query API, hostile names intact."""
    import json
    import subprocess
    import urllib.parse
    from conftest import free_port, http

    r = collector.write("system,host=%s load1=0.5\n" % HOSTILE_HOST.replace(" ", "\\ "))
    assert r.status == 204, r.body
    port = free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: campusmon\n"
        "    authorization: {credentials: %s}\n"
        "    static_configs: [{targets: ['127.0.0.1:%d']}]\n" % (collector.token, collector.port))
    proc = subprocess.Popen(["prometheus", "--config.file", str(tmp_path / "prometheus.yml"),
                             "--storage.tsdb.path", str(tmp_path / "tsdb"),
                             "--web.listen-address", "127.0.0.1:%d" % port],
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "log", "wb"))
    try:
        def query(q):
            assert proc.poll() is None, (tmp_path / "log").read_text()
            try:
                r = http("GET", "http://127.0.0.1:%d/api/v1/query?query=%s"
                         % (port, urllib.parse.quote(q)))
            except OSError:
                return []       # not listening yet
            return json.loads(r.body)["data"]["result"] if r.status == 200 else []

        res = wait_for(lambda: query("campusmon_agent_last_seen_seconds"), timeout=60,
                       what="prometheus to scrape the collector")
        assert [x["metric"]["host"] for x in res] == [HOSTILE_HOST]
        assert query('up{job="campusmon"}')[0]["value"][1] == "1"
        assert query("process_open_fds")[0]["value"][1] != "0"
        targets = json.loads(http("GET", "http://127.0.0.1:%d/api/v1/targets" % port).body)
        assert targets["data"]["activeTargets"][0]["lastError"] == ""
    finally:
        proc.terminate()
        proc.wait(20)
