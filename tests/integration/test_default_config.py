"""Both daemons read /etc/campusmon/NAME.yaml when -c is absent, whatever
the install prefix (DESIGN.md section 3, README, the man pages; issue #10,
item 24). The files go into a private copy of /etc: an overlay mounted in a
mount namespace of the test's own, so nothing on the host changes."""
import os
import shutil
import subprocess
import tempfile

from conftest import BUILD, Collector

AGENT = os.path.join(BUILD, "agent", "campusmon-agent")


def with_private_etc(files, argv):
    """Run argv with /etc/campusmon holding files ({name: text}) in an /etc
    overlay that only this process sees."""
    assert os.geteuid() == 0, "mount namespaces need root"
    top = tempfile.mkdtemp(prefix="cm-etc-")
    try:
        upper, work = os.path.join(top, "upper"), os.path.join(top, "work")
        os.makedirs(os.path.join(upper, "campusmon"))
        os.mkdir(work)
        for name, text in files.items():
            path = os.path.join(upper, "campusmon", name)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o600)
        script = ('mount --make-rprivate / && '
                  'mount -t overlay overlay -o lowerdir=/etc,upperdir="$1",workdir="$2" /etc '
                  '&& shift 2 && exec "$@"')
        return subprocess.run(["unshare", "--mount", "sh", "-c", script, "sh", upper, work]
                              + argv, capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_collector_reads_etc_campusmon_by_default():
    r = with_private_etc({"collector.yaml": "http:\n  listen: 127.0.0.1:18099\n"},
                         [Collector.binary, "-t"])
    assert r.returncode == 0, r.stderr
    assert "configuration OK: /etc/campusmon/collector.yaml" in r.stdout
    bad = with_private_etc({"collector.yaml": "no_such_key: 1\n"}, [Collector.binary, "-t"])
    assert bad.returncode == 1 and "/etc/campusmon/collector.yaml" in bad.stderr, bad.stderr
    h = subprocess.run([Collector.binary, "--help"], capture_output=True, text=True)
    assert "default /etc/campusmon/collector.yaml" in h.stdout


def test_agent_reads_etc_campusmon_by_default():
    r = with_private_etc({"agent.yaml": "collector:\n  url: http://127.0.0.1:18099\n"},
                         [AGENT, "-t"])
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr
    bad = with_private_etc({"agent.yaml": "no_such_key: 1\n"}, [AGENT, "-t"])
    assert bad.returncode == 1 and "no_such_key" in bad.stderr, bad.stderr
