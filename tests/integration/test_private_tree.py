"""A checkout in a private folder (issue #10, item 1).

A clone in /root is mode 0700: once the collector has dropped to the service
user it can no longer reach the SNMP profiles or the web UI inside it. They
are read before the drop, and SIGHUP reads them again through the folders
opened before it. These tests put a copy of both under a root-only folder
(what a /root clone looks like to the service user) and point the built
collector at it.
"""
import os
import shutil
import signal
import tempfile

import pytest

from conftest import REPO, SNMPD_COMMUNITY, wait_for

EXTRA_PROFILE = """\
name: private-tree-extra
description: added while the collector runs, to see a SIGHUP reload
priority: 95
metrics:
  - {measurement: private_tree, field: uptime_ticks, value: 1.3.6.1.2.1.1.3.0}
"""


@pytest.fixture
def private_tree():
    """A root-only (0700) folder holding copies of web/ and collector/profiles/,
    as a clone in /root does; yields (web dir, profiles dir)."""
    assert os.geteuid() == 0, "these tests start the collector as root (privilege drop)"
    top = tempfile.mkdtemp(prefix="cm-private-")
    os.chmod(top, 0o700)
    web = os.path.join(top, "clone", "web")
    profiles = os.path.join(top, "clone", "collector", "profiles")
    shutil.copytree(os.path.join(REPO, "web"), web)
    shutil.copytree(os.path.join(REPO, "collector", "profiles"), profiles)
    yield web, profiles
    shutil.rmtree(top, ignore_errors=True)


def start(collector_factory, web, profiles):
    c = collector_factory(config="web:\n  dir: %s\nsnmp:\n  profiles_dir: %s\n"
                          % (web, profiles))
    return c.start()


def add_polled_device(c, port):
    r = c.post_json("/api/v1/devices", {"address": "127.0.0.1", "port": port, "interval": 5,
                                        "snmp": {"version": "2c",
                                                 "community": SNMPD_COMMUNITY}})
    assert r.status == 201, r.body
    dev_id = r.json()["id"]

    def polled():
        d = c.get("/api/v1/devices/%s" % dev_id).json()
        return d if d["status"] == "up" else None

    return wait_for(polled, timeout=30, what="the first SNMP poll")


def test_private_checkout_polls_and_serves_the_ui(collector_factory, snmpd, private_tree):
    web, profiles = private_tree
    c = start(collector_factory, web, profiles)
    assert "running as user" in c.read_log()        # it did drop privileges
    d = add_polled_device(c, snmpd)
    assert "system" in d["profiles"] and "if-mib" in d["profiles"]
    for name in ("index.html", "app.js", "style.css"):
        r = c.get("/" + name, token=False)
        with open(os.path.join(web, name), "rb") as f:
            assert r.status == 200 and r.body == f.read(), name
    r = c.get("/", token=False)
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in r.headers
    assert c.get("/../collector.yaml", token=False).status == 404
    assert c.get("/.hidden", token=False).status == 404


def test_sighup_reloads_profiles_from_a_private_checkout(collector_factory, snmpd,
                                                         private_tree):
    web, profiles = private_tree
    c = start(collector_factory, web, profiles)
    add_polled_device(c, snmpd)
    with open(os.path.join(profiles, "private-tree-extra.yaml"), "w") as f:
        f.write(EXTRA_PROFILE)
    os.chmod(os.path.join(profiles, "private-tree-extra.yaml"), 0o644)
    c.send_signal(signal.SIGHUP)
    wait_for(lambda: "SNMP profiles loaded from" in c.read_log(), what="the reload")
    # every device rematches at its next poll and uses the new profile
    wait_for(lambda: "private-tree-extra" in c.get("/api/v1/devices").json()[0]["profiles"],
             timeout=30, what="the new profile to be used")
    wait_for(lambda: any(s["measurement"] == "private_tree" for s in c.series()),
             timeout=30, what="the new profile's series")


def test_unreadable_profiles_on_reload_keep_the_loaded_ones(collector_factory, snmpd,
                                                            private_tree):
    """Files the service user cannot read (a clone made under umask 077):
    the start reads them as root; a reload says why it cannot and keeps
    polling with what it has."""
    web, profiles = private_tree
    for name in os.listdir(profiles):
        os.chmod(os.path.join(profiles, name), 0o600)
    os.chmod(profiles, 0o700)
    c = start(collector_factory, web, profiles)
    add_polled_device(c, snmpd)
    c.send_signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in c.read_log(), what="the reload")
    log = c.read_log()
    assert "SNMP profiles in %s cannot be read again as campusmon" % profiles in log, log
    assert c.proc.poll() is None
    polls = c.metrics()["campusmon_snmp_polls_total"]
    wait_for(lambda: c.metrics()["campusmon_snmp_polls_total"] > polls, timeout=30,
             what="polling to go on")


def test_sighup_with_the_configuration_in_a_private_folder(collector_factory, private_tree):
    """The configuration file was read as root; after the drop a reload
    cannot read it: say so plainly, keep the running configuration, and
    still read the profiles again."""
    web, profiles = private_tree
    top = os.path.dirname(os.path.dirname(web))
    c = collector_factory(config="snmp:\n  profiles_dir: %s\n" % profiles, config_dir=top)
    c.start()
    c.send_signal(signal.SIGHUP)
    wait_for(lambda: "SNMP profiles loaded from" in c.read_log(), what="the reload")
    log = c.read_log()
    assert ("reload: cannot read %s as user campusmon; keeping the running configuration"
            % os.path.join(top, "collector.yaml")) in log, log
    assert c.proc.poll() is None and c.get("/api/v1/health").status == 200
