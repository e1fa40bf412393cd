"""Telegraf and InfluxDB clients as first-class writers: /ping, precisions m and h,
and cumulative counters (ingest.counters) stored as FIELD_ps rates.

Debian 12 has no telegraf package, so the bodies below copy the shapes of real
Telegraf 1.x output (outputs.influxdb, default inputs cpu, mem, disk, diskio,
net, netstat, kernel, system): measurement and tags sorted as Telegraf sorts
them, integers with the i suffix, nanosecond timestamps, no precision param.
"""
import time

import pytest
from influxdb import InfluxDBClient

HOST = "tg-web1"


def telegraf_body(t, net_recv, net_sent, reads, ctxt, ts_ns=True):
    ts = int(t * 1e9) if ts_ns else int(t)
    lines = [
        "cpu,cpu=cpu-total,host={h} usage_guest=0,usage_guest_nice=0,usage_idle=71.5,"
        "usage_iowait=3.5,usage_irq=0,usage_nice=0,usage_softirq=0.25,usage_steal=0,"
        "usage_system=5.25,usage_user=19.5 {ts}",
        "mem,host={h} active=1543520256i,available=6088564736i,available_percent=74.1,"
        "buffered=104853504i,cached=1834172416i,free=4333297664i,total=8216473600i,"
        "used=1944150016i,used_percent=25.9 {ts}",
        "disk,device=sda1,fstype=ext4,host={h},mode=rw,path=/ free=30635741184i,"
        "inodes_free=3034412i,inodes_total=3276800i,inodes_used=242388i,"
        "total=52576092160i,used=19235508224i,used_percent=38.57 {ts}",
        "diskio,host={h},name=sda io_time=48916i,iops_in_progress=0i,merged_reads=7712i,"
        "merged_writes=66510i,read_bytes=1060151296i,read_time=17956i,reads={reads}i,"
        "weighted_io_time=117012i,write_bytes=4171386880i,write_time=99055i,writes=100000i {ts}",
        "net,host={h},interface=eth0 bytes_recv={recv}i,bytes_sent={sent}i,drop_in=0i,"
        "drop_out=0i,err_in=0i,err_out=0i,packets_recv=2000000i,packets_sent=1500000i {ts}",
        "net,host={h},interface=all icmp_inmsgs=40i,tcp_activeopens=1000i,"
        "tcp_currestab=12i,udp_indatagrams=5000i {ts}",
        "netstat,host={h} tcp_close=0i,tcp_close_wait=1i,tcp_established=12i,tcp_listen=7i,"
        "tcp_time_wait=3i,udp_socket=4i {ts}",
        "kernel,host={h} boot_time=1700000000i,context_switches={ctxt}i,entropy_avail=256i,"
        "interrupts=90000000i,processes_forked=40000i {ts}",
        "system,host={h} load1=0.42,load15=0.3,load5=0.35,n_cpus=4i,n_users=1i {ts}",
    ]
    return "\n".join(l.format(h=HOST, ts=ts, recv=net_recv, sent=net_sent, reads=reads,
                               ctxt=ctxt) for l in lines) + "\n"


def one(c, measurement, field, **tags):
    rows = [s for s in c.series(host=HOST, measurement=measurement)
            if s["field"] == field and all(s["tags"].get(k) == v for k, v in tags.items())]
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def test_ping_answers_like_influxdb(collector):
    for method in ("GET", "HEAD"):
        from conftest import http
        r = http(method, collector.url + "/ping")
        assert r.status == 204, (method, r.status, r.body)
        assert r.headers.get("X-Influxdb-Version", "").startswith("campusmon-")
        assert r.body == b""
    # The real InfluxDB 1.x Python client's health check.
    client = InfluxDBClient("127.0.0.1", collector.port, username="telegraf",
                            password=collector.token, database="telegraf")
    assert client.ping().startswith("campusmon-")


def test_influxdb_client_writes_with_minute_and_hour_precision(collector):
    client = InfluxDBClient("127.0.0.1", collector.port, username="telegraf",
                            password=collector.token, database="telegraf")
    minute = int(time.time() // 60) - 2
    hour = int(time.time() // 3600) - 1
    assert client.write_points([{"measurement": "prec", "tags": {"host": HOST},
                                 "time": minute, "fields": {"m": 1.0}}], time_precision="m")
    assert client.write_points([{"measurement": "prec", "tags": {"host": HOST},
                                 "time": hour, "fields": {"h": 2.0}}], time_precision="h")
    assert one(collector, "prec", "m")["last_ts"] == minute * 60
    assert one(collector, "prec", "h")["last_ts"] == hour * 3600
    r = collector.write("prec,host=%s x=1 1" % HOST, query="precision=d")
    assert r.status == 400 and b"ns, us, ms, s, m, h" in r.body


def test_telegraf_counters_become_rates(collector):
    t0 = int(time.time()) // 10 * 10 - 60
    # Telegraf's influxdb output: /write?db=telegraf, nanoseconds, gzip off.
    for i, (recv, sent, reads, ctxt) in enumerate([
            (1000000, 500000, 50000, 7000000),
            (1250000, 520000, 50100, 7010000),
            (1750000, 540000, 50300, 7030000)]):
        r = collector.write(telegraf_body(t0 + 10 * i, recv, sent, reads, ctxt),
                            path="/write", query="db=telegraf")
        assert r.status == 204, r.body
        if i == 0:
            # The first reading only primes the counters: no rate series yet.
            assert one(collector, "net", "bytes_recv_ps", interface="eth0") is None

    recv = one(collector, "net", "bytes_recv_ps", interface="eth0")
    assert recv["last"] == pytest.approx(50000.0) and recv["last_ts"] == t0 + 20
    assert one(collector, "net", "bytes_sent_ps", interface="eth0")["last"] == pytest.approx(2000.0)
    assert one(collector, "diskio", "reads_ps", name="sda")["last"] == pytest.approx(20.0)
    assert one(collector, "kernel", "context_switches_ps")["last"] == pytest.approx(2000.0)
    # Unchanging counters give 0/s; protocol counters of interface=all too.
    assert one(collector, "net", "err_in_ps", interface="eth0")["last"] == 0
    assert one(collector, "net", "tcp_activeopens_ps", interface="all")["last"] == 0
    # The raw counters are not stored; gauges are stored as they came.
    assert one(collector, "net", "bytes_recv", interface="eth0") is None
    assert one(collector, "diskio", "iops_in_progress", name="sda")["last"] == 0
    assert one(collector, "net", "tcp_currestab", interface="all")["last"] == 12
    assert one(collector, "netstat", "tcp_established")["last"] == 12
    assert one(collector, "kernel", "entropy_avail")["last"] == 256
    assert one(collector, "mem", "used_percent")["last"] == pytest.approx(25.9)

    # The rates are real RRD points, not only last values.
    q = collector.query(recv["id"], t0, t0 + 30)
    assert any(v is not None and v == pytest.approx(50000.0) for _, v in q["points"]), q

    # A reboot: the counter goes back to a small value. No rate for that
    # reading (last stays), then rates resume from the new base.
    r = collector.write(telegraf_body(t0 + 30, 4000, 540000, 50300, 7030000))
    assert r.status == 204
    recv = one(collector, "net", "bytes_recv_ps", interface="eth0")
    assert recv["last_ts"] == t0 + 20
    r = collector.write(telegraf_body(t0 + 40, 14000, 540000, 50300, 7030000))
    assert r.status == 204
    recv = one(collector, "net", "bytes_recv_ps", interface="eth0")
    assert recv["last"] == pytest.approx(1000.0) and recv["last_ts"] == t0 + 40


def test_counter_wraps_at_32_bits(collector):
    t0 = int(time.time()) // 10 * 10 - 60
    for i, v in enumerate([4294967000, 4294967295, 704]):
        assert collector.write("net,host=%s,interface=eth9 bytes_recv=%di %d"
                               % (HOST, v, t0 + 10 * i), query="precision=s").status == 204
    s = one(collector, "net", "bytes_recv_ps", interface="eth9")
    assert s["last"] == pytest.approx(70.5) and s["last_ts"] == t0 + 20   # 705 bytes in 10 s


def test_our_agent_rates_untouched_and_bad_counter_refused(collector):
    t0 = int(time.time()) // 10 * 10 - 60
    # campusmon's agent already sends rates: stored as they are, from the first line.
    assert collector.write("net,host=%s,interface=eth1 bytes_recv_ps=123.5 %d"
                           % (HOST, t0), query="precision=s").status == 204
    assert one(collector, "net", "bytes_recv_ps", interface="eth1")["last"] == 123.5
    # A configured counter that is not a whole number >= 0: the line is named.
    r = collector.write("net,host=%s,interface=eth2 bytes_recv=-5i,up=1 %d\n" % (HOST, t0),
                        query="precision=s")
    assert r.status == 400, r.body
    assert b"line 1" in r.body and b"bytes_recv" in r.body and b"ingest.counters" in r.body
    assert one(collector, "net", "up", interface="eth2")["last"] == 1


def test_extra_counters_and_turning_defaults_off(collector_factory):
    c = collector_factory(config="ingest:\n  counters: []\n"
                          "  extra_counters: [mysql.queries, snmp.ifHC*]\n").start()
    t0 = int(time.time()) // 10 * 10 - 60
    for i in range(2):
        body = ("mysql,host={h} queries={q}i,threads_connected=5i {t}\n"
                "snmp,host={h} ifHCInOctets={o}i {t}\n"
                "net,host={h},interface=eth0 bytes_recv={o}i {t}\n").format(
                    h=HOST, q=1000 + 500 * i, o=10 ** 6 + 10 ** 5 * i, t=t0 + 10 * i)
        assert c.write(body, query="precision=s").status == 204
    assert one(c, "mysql", "queries_ps")["last"] == pytest.approx(50.0)
    assert one(c, "mysql", "threads_connected")["last"] == 5
    assert one(c, "snmp", "ifHCInOctets_ps")["last"] == pytest.approx(10000.0)
    # Defaults turned off: net bytes_recv is stored raw.
    assert one(c, "net", "bytes_recv", interface="eth0")["last"] == 1100000


@pytest.mark.parametrize("entry", ["nodot", ".field", "net.", "net.a*b"])
def test_bad_counter_entries_refused(collector_factory, entry):
    import subprocess
    c = collector_factory(config="ingest:\n  extra_counters: ['%s']\n" % entry)
    path = c.tmp + "/bad.yaml"
    with open(path, "w") as f:
        f.write(c.config)
    r = subprocess.run([c.binary, "-t", "-c", path], capture_output=True, text=True)
    assert r.returncode != 0
    assert "extra_counters" in (r.stdout + r.stderr)


def test_create_database_like_telegraf_at_start(collector):
    # Telegraf's influxdb output and InfluxDB 1.x clients create their database first.
    client = InfluxDBClient("127.0.0.1", collector.port, username="telegraf",
                            password=collector.token, database="telegraf")
    client.create_database("telegraf")
    r = collector.write("", path='/query?q=CREATE+DATABASE+"telegraf"')
    assert r.status == 200 and r.json() == {"results": [{"statement_id": 0}]}
    r = collector.write("", path="/query?q=SELECT+*+FROM+cpu")
    assert r.status == 400 and b"/api/v1/query" in r.body
    assert collector.write("", path="/query?q=CREATE+DATABASE+x", token=False).status == 401
