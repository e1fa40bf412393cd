"""Both daemons read /etc/campusmon/NAME.yaml when -c is absent, whatever
the install prefix (DESIGN.md section 3, README, the man pages; issue #10,
item 24). The files go into a private copy of /etc: an overlay mounted in a
mount namespace of the test's own, so nothing on the host changes."""
import os
import subprocess

from conftest import BUILD, Collector, with_private_etc

AGENT = os.path.join(BUILD, "agent", "campusmon-agent")


def test_collector_reads_etc_campusmon_by_default():
    r = with_private_etc({"campusmon/collector.yaml": "http:\n  listen: 127.0.0.1:18099\n"},
                         [Collector.binary, "-t"])
    assert r.returncode == 0, r.stderr
    assert "configuration OK: /etc/campusmon/collector.yaml" in r.stdout
    bad = with_private_etc({"campusmon/collector.yaml": "no_such_key: 1\n"},
                           [Collector.binary, "-t"])
    assert bad.returncode == 1 and "/etc/campusmon/collector.yaml" in bad.stderr, bad.stderr
    h = subprocess.run([Collector.binary, "--help"], capture_output=True, text=True)
    assert "default /etc/campusmon/collector.yaml" in h.stdout


def test_agent_reads_etc_campusmon_by_default():
    r = with_private_etc({"campusmon/agent.yaml": "collector:\n  url: http://127.0.0.1:18099\n"},
                         [AGENT, "-t"])
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr
    bad = with_private_etc({"campusmon/agent.yaml": "no_such_key: 1\n"}, [AGENT, "-t"])
    assert bad.returncode == 1 and "no_such_key" in bad.stderr, bad.stderr
