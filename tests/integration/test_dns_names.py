"""Device addresses may be host names: looked up with evdns off the loop,
shown as resolved_address, polled at that address; bad names are refused."""
import pytest

from conftest import SNMPD_COMMUNITY, http, wait_for


def add(c, **body):
    return c.post_json("/api/v1/devices", body)


def get(c, dev):
    r = c.get("/api/v1/devices/%d" % dev["id"])
    assert r.status == 200, r.body
    return r.json()


def test_host_name_is_resolved_and_polled(collector, snmpd):
    r = add(collector, name="by-name", address="localhost", port=snmpd, interval=5,
            snmp={"version": "2c", "community": SNMPD_COMMUNITY})
    assert r.status == 201, r.body
    dev = r.json()
    assert dev["address"] == "localhost"
    up = wait_for(lambda: (lambda d: d if d["status"] == "up" else None)(get(collector, dev)),
                  timeout=30, what="the device named by host name to be polled")
    assert up["resolved_address"] == "127.0.0.1"
    assert up["sys_name"] == "core-sw-1"
    listed = [d for d in collector.get("/api/v1/devices").json() if d["id"] == dev["id"]]
    assert listed[0]["resolved_address"] == "127.0.0.1"
    # The CLI names both.
    import os
    import subprocess
    from conftest import BUILD
    env = {"PATH": os.environ["PATH"], "HOME": collector.tmp, "CAMPUSMON_URL": collector.url,
           "CAMPUSMON_TOKEN": collector.token}
    out = subprocess.run([os.path.join(BUILD, "cli", "campusmon"), "device", "show", "by-name"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "localhost:%d" % snmpd in out.stdout
    assert [l.split() for l in out.stdout.splitlines() if l.startswith("resolved")] == \
        [["resolved", "127.0.0.1"]]

    # Edited to an IP literal: nothing to resolve any more.
    h = dict(collector.auth(), **{"Content-Type": "application/json"})
    r = http("PATCH", collector.url + "/api/v1/devices/%d" % dev["id"],
             b'{"address": "127.0.0.1"}', h)
    assert r.status == 200, r.body
    assert r.json()["resolved_address"] is None


def test_unresolvable_name_does_not_block_the_loop(collector_factory, dnsmasq):
    collector = collector_factory(config="snmp:\n  dns_servers: ['127.0.0.1:%d']\n"
                                  % dnsmasq[0]).start()
    r = add(collector, name="nowhere", address="no-such-device.campus.test", interval=5,
            snmp={"version": "2c", "community": "x"})
    assert r.status == 201, r.body
    dev = r.json()
    # The loop keeps answering while the lookup runs or fails.
    for _ in range(5):
        assert collector.get("/api/v1/health").status == 200
    wait_for(lambda: "cannot resolve no-such-device.campus.test" in collector.read_log(),
             timeout=90, what="the failed lookup to be logged")
    d = get(collector, dev)
    assert d["resolved_address"] is None and d["status"] == "unknown"
    assert collector.get("/api/v1/health").status == 200


@pytest.mark.parametrize("address", ["bad_name", "-lead.example", "a..b", "trail-.example",
                                     "x" * 64 + ".example", "a b", "数据库.example",
                                     ".", "a" * 254])
def test_bad_addresses_refused(collector, address):
    r = add(collector, address=address, snmp={"version": "2c", "community": "x"})
    assert r.status == 400, (address, r.body)
    assert b"host name" in r.body


def test_dns_refresh_is_bounded(collector_factory):
    import subprocess
    c = collector_factory(config="snmp:\n  dns_refresh: 1s\n")
    path = c.tmp + "/c.yaml"
    with open(path, "w") as f:
        f.write(c.config)
    r = subprocess.run([c.binary, "-t", "-c", path], capture_output=True, text=True)
    assert r.returncode != 0 and "dns_refresh" in r.stdout + r.stderr


@pytest.fixture
def dnsmasq(tmp_path):
    """A real DNS server (dnsmasq) on a free UDP port of 127.0.0.1 answering
    from a hosts file of ours; set(addr) changes the answer (SIGHUP reloads).
    Runs as root so it can read the file under pytest's private tmp folder;
    --local answers AAAA with NODATA as a real zone's server would."""
    import signal
    import subprocess
    from conftest import free_udp_port
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.2 sw-moving.campus.test\n")
    port = free_udp_port()
    proc = subprocess.Popen(["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                             "--addn-hosts=%s" % hosts, "--listen-address=127.0.0.1",
                             "--bind-interfaces", "--port=%d" % port, "--user=root",
                             "--pid-file=", "--local-ttl=1", "--local=/campus.test/",
                             "--log-facility=-"],
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "log", "wb"))

    def started():
        assert proc.poll() is None, (tmp_path / "log").read_text()
        return "started" in (tmp_path / "log").read_text()

    wait_for(started, what="dnsmasq to start")

    def set_addr(addr):
        hosts.write_text("%s sw-moving.campus.test\n" % addr)
        proc.send_signal(signal.SIGHUP)
    try:
        yield port, set_addr
    finally:
        proc.terminate()
        proc.wait(10)


def test_address_change_in_dns_is_followed(collector_factory, snmpd, dnsmasq):
    port, set_addr = dnsmasq
    c = collector_factory(config="snmp:\n  dns_servers: ['127.0.0.1:%d']\n  dns_refresh: 10s\n"
                          "  timeout_ms: 300\n  retries: 0\n" % port).start()
    r = add(c, name="moving", address="sw-moving.campus.test", port=snmpd, interval=5,
            snmp={"version": "2c", "community": SNMPD_COMMUNITY})
    assert r.status == 201, r.body
    dev = r.json()
    # First answer: 127.0.0.2, where no snmpd listens.
    d = wait_for(lambda: (lambda d: d if d["resolved_address"] else None)(get(c, dev)),
                 timeout=30, what="the first lookup")
    assert d["resolved_address"] == "127.0.0.2"
    wait_for(lambda: get(c, dev)["status"] in ("down", "unreachable"), timeout=30,
             what="the device to be down at the wrong address")
    # The name moves to where snmpd is; the next refresh follows it.
    set_addr("127.0.0.1")
    d = wait_for(lambda: (lambda d: d if d["status"] == "up" else None)(get(c, dev)),
                 timeout=60, what="the device to be polled at its new address")
    assert d["resolved_address"] == "127.0.0.1"
    assert "sw-moving.campus.test is 127.0.0.1 (was 127.0.0.2)" in c.read_log()
