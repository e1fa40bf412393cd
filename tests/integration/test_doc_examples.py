"""The examples in docs/ and the man pages, extracted and run (issue #10,
item 24; the README's are in test_readme_examples.py).

They name hosts that do not exist here (monitor.example.edu, 192.0.2.10)
and files under /etc, so they run in network and mount namespaces of their
own (conftest.with_private_etc) and are held to what can be checked without
those hosts: configuration examples pass `-t`; every CLI example is accepted
as written and gets as far as trying to reach the collector (exit 3), never
a usage error (exit 2); an SNMP example never prints its usage.
"""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import BUILD, REPO, Collector, with_private_etc

DOCS = os.path.join(REPO, "docs")
AGENT = os.path.join(BUILD, "agent", "campusmon-agent")
PATH = "%s:%s:%s:%s" % (os.path.join(BUILD, "cli"), os.path.join(BUILD, "agent"),
                        os.path.join(BUILD, "collector", "snmp"), os.environ["PATH"])


def read(name):
    with open(os.path.join(DOCS, name), encoding="utf-8") as f:
        return f.read()


def md_blocks(name, lang):
    return re.findall(r"^```%s\n(.*?)^```" % lang, read(name), re.S | re.M)


def man_examples(name):
    """The EXAMPLES section of a man page as shell lines (roff unescaped,
    continuation lines joined, a leading "$ " prompt removed)."""
    m = re.search(r"^\.SH EXAMPLES\n(.*?)^\.SH ", read(name), re.S | re.M)
    assert m, "%s has no EXAMPLES section" % name
    text = "\n".join(l for l in m.group(1).splitlines() if not l.startswith("."))
    text = text.replace("\\-", "-").replace("\\e", "\\").replace("\\\n", " ")
    return [re.sub(r"^\$ ", "", l).strip() for l in text.splitlines() if l.strip()]


def self_signed(d, name="cert.pem", key="key.pem"):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=campusmon-docs", "-keyout", os.path.join(d, key),
                    "-out", os.path.join(d, name)], check=True, capture_output=True)
    with open(os.path.join(d, name)) as c, open(os.path.join(d, key)) as k:
        return c.read(), k.read()


@pytest.fixture
def work():
    d = tempfile.mkdtemp(prefix="cm-docs-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def run_script(script, work, etc=None):
    env_script = "export PATH=%s HOME=%s/home\ncd %s\n%s" % (PATH, work, work, script)
    return with_private_etc(etc or {}, ["sh", "-c", env_script], net=True, timeout=240)


def test_configuration_md_example_passes_the_check(work):
    example = read("configuration.md").split("## Example", 1)[1]
    conf = re.search(r"^```yaml\n(.*?)^```", example, re.S | re.M).group(1)
    cert, key = self_signed(work)
    with open(os.path.join(work, "collector.yaml"), "w") as f:
        f.write(conf)
    r = with_private_etc({"campusmon/tls/fullchain.pem": cert, "campusmon/tls/privkey.pem": key},
                         [Collector.binary, "-t", "-c", os.path.join(work, "collector.yaml")])
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr


def test_agent_md_examples_pass_the_check(work):
    minimal, plugins = md_blocks("agent.md", "yaml")[:2]
    assert "collector:" in minimal and "plugins:" in plugins
    conf = os.path.join(work, "agent.yaml")
    for text in (minimal, minimal + plugins):
        with open(conf, "w") as f:
            f.write(text)
        os.chmod(conf, 0o600)
        # the plugin examples name secret files under /etc/campusmon (private, as they must be)
        r = with_private_etc({"campusmon/mysql.pw": "secret\n", "campusmon/tomcat.pw": "secret\n"},
                             [AGENT, "-t", "-c", conf])
        assert r.returncode == 0 and "configuration OK" in r.stdout, (text, r.stderr)
    # the token comment names a CLI command: it must exist as written
    cmd = re.search(r"# from: (campusmon .*)", minimal).group(1)
    r = run_script(cmd + "\necho rc=$?\n", work)
    assert "rc=3" in r.stdout and "cannot reach the collector" in r.stderr, (cmd, r.stderr)


def test_campusmon_1_examples_are_accepted(work):
    home = os.path.join(work, "home", ".campusmon")
    os.makedirs(home)
    for name, text in (("home/.campusmon/community", "public\n"),
                       ("home/.campusmon/communities", "public\nprivate\n"),
                       ("auth.txt", "auth-pass-123\n"), ("priv.txt", "priv-pass-123\n")):
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(work, name), 0o600)
    cert, _ = self_signed(work)
    lines, n = [], 0
    for ex in man_examples("campusmon.1"):
        if ex.startswith("export "):
            lines.append(ex)
            continue
        assert ex.startswith("campusmon ") or ex.startswith("CAMPUSMON_TOKEN="), ex
        n += 1
        # pipes feed other tools: the campusmon part is what is checked
        lines.append('%s; echo "rc=$? for: %s"' % (ex.split(" | ")[0], ex.replace('"', "'")))
    r = run_script("\n".join(lines) + "\n", work, {"campusmon/campus-ca.pem": cert})
    results = re.findall(r"^rc=(\d+) for: (.*)$", r.stdout, re.M)
    assert len(results) == n, r.stdout + r.stderr
    for rc, ex in results:
        assert rc == "3", (ex, r.stderr)       # accepted, then the collector is unreachable
    assert "cannot reach the collector at https://monitor.example.edu" in r.stderr


def test_campusmon_agent_8_examples_run(work):
    cert, key = self_signed(work)
    minimal = md_blocks("agent.md", "yaml")[0]
    lines = []
    for ex in man_examples("campusmon-agent.8"):
        assert ex.startswith("campusmon-agent "), ex
        if " -t" not in ex and "--once" not in ex:
            ex += " -t"                  # a daemon: check what it was given, do not run it
        lines.append('%s; echo "rc=$? for: %s"' % (ex, ex))
    r = run_script("\n".join(lines) + "\n", work, {"campusmon/agent.yaml": minimal})
    results = re.findall(r"^rc=(\d+) for: (.*)$", r.stdout, re.M)
    assert len(results) == len(lines) and all(rc == "0" for rc, _ in results), \
        r.stdout + r.stderr
    assert re.search(r"^diskio,", r.stdout, re.M)


def test_profiles_md_examples_are_accepted(work):
    shutil.copytree(os.path.join(REPO, "collector", "profiles"),
                    os.path.join(work, "my-profiles"))
    (block,) = md_blocks("profiles.md", "sh")
    lines = []
    for ex in block.splitlines():
        ex = ex.split("  #")[0].strip()
        if ex:
            lines.append('%s >/dev/null; echo "rc=$? for: %s"' % (ex, ex.replace('"', "'")))
    r = run_script("\n".join(lines) + "\n", work)
    results = re.findall(r"^rc=(\d+) for: (.*)$", r.stdout, re.M)
    assert len(results) == len(lines), r.stdout + r.stderr
    assert "usage" not in r.stderr.lower(), r.stderr
    # 192.0.2.10 (TEST-NET) does not answer: reported as down (2), never a usage error (1)
    assert all(rc == "2" for rc, _ in results), r.stdout + r.stderr


def test_notifications_md_example_passes_the_check(work):
    (conf,) = md_blocks("notifications.md", "yaml")
    cert, _ = self_signed(work)
    path = os.path.join(work, "collector.yaml")
    with open(path, "w") as f:
        f.write(conf)
    os.chmod(path, 0o600)       # it holds robot keys
    r = with_private_etc({"campusmon/dingtalk.secret": "SECabc\n",
                          "campusmon/smtp.password": "pw\n",
                          "campusmon/campus-ca.pem": cert},
                         [Collector.binary, "-t", "-c", path])
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr
