"""The README's shell examples, run as written (issue #10, item 24).

Every ```sh block of README.md is extracted. The first two (the demo and
test commands, and building by hand) are what CI itself runs; they are
checked for syntax and for the files they name. The rest run verbatim, in
one shell, against the built tree: in a network namespace of their own (so
127.0.0.1:8080 is theirs) with private overlays of /var/lib and /root (the
data folder and the community file they name), from a folder holding
`build` (the build tree) and `demo/admin-token`. A collector started in the
foreground by an example is put in the background and waited for.
"""
import os
import re
import shutil
import subprocess
import tempfile

from conftest import BUILD, REPO

README = os.path.join(REPO, "README.md")
BUILT_BY_CI = 2          # the first blocks: demo/test commands, building by hand


def sh_blocks(path):
    with open(path, encoding="utf-8") as f:
        return re.findall(r"^```sh\n(.*?)^```", f.read(), re.S | re.M)


def as_script(blocks):
    """The blocks as one script; a collector example runs in the background."""
    out = []
    for block in blocks:
        for line in block.splitlines():
            if "campusmon-collector" in line and " -t" not in line:
                line = line.split("#")[0].rstrip()
                out.append(line + " >collector.log 2>&1 & CM_PID=$!")
                out.append("i=0; until curl -fs http://127.0.0.1:8080/api/v1/health >/dev/null; "
                           "do i=$((i+1)); [ $i -lt 300 ] || { cat collector.log; exit 9; }; "
                           "sleep 0.1; done")
            else:
                out.append(line)
    return "\n".join(out) + "\n"


def test_readme_blocks_are_found_and_well_formed():
    blocks = sh_blocks(README)
    assert len(blocks) >= 4, "README shell examples not found"
    assert "sh scripts/demo.sh" in blocks[0] and "sh scripts/test-all.sh" in blocks[0]
    for b in blocks:
        r = subprocess.run(["sh", "-n"], input=b, capture_output=True, text=True)
        assert r.returncode == 0, (b, r.stderr)
    for b in blocks[:BUILT_BY_CI]:
        for script in re.findall(r"\bscripts/[\w.-]+\.sh", b):
            assert os.path.isfile(os.path.join(REPO, script)), script


def test_readme_examples_run(tmp_path):
    assert os.geteuid() == 0, "namespaces and the privilege drop need root"
    assert shutil.which("unshare") and shutil.which("ip") and shutil.which("curl")
    blocks = sh_blocks(README)[BUILT_BY_CI:]
    work = tempfile.mkdtemp(prefix="cm-readme-")
    os.chmod(work, 0o755)
    try:
        os.symlink(BUILD, os.path.join(work, "build"))
        os.mkdir(os.path.join(work, "demo"))
        # the README's collector runs with the bootstrap token s3cret
        with open(os.path.join(work, "demo", "admin-token"), "w") as f:
            f.write("s3cret")
        overlays = ""
        for i, d in enumerate(("/var/lib", "/root")):
            up, wk = os.path.join(work, "ov%d-up" % i), os.path.join(work, "ov%d-wk" % i)
            os.mkdir(up)
            os.mkdir(wk)
            overlays += ("mount -t overlay overlay -o lowerdir=%s,upperdir=%s,workdir=%s %s\n"
                         % (d, up, wk, d))
        script = ("set -eu\nip link set lo up\nmount --make-rprivate /\n" + overlays +
                  "umask 077; echo readme-community > /root/community.txt; umask 022\n"
                  "cd %s\nCM_PID=\n"
                  "trap '[ -z \"$CM_PID\" ] || { kill $CM_PID; wait $CM_PID || true; }' EXIT\n"
                  "set -x\n" % work + as_script(blocks))
        r = subprocess.run(["unshare", "--net", "--mount", "sh", "-c", script],
                           capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, CAMPUSMON_URL="", CAMPUSMON_TOKEN=""))
        log = r.stdout + r.stderr
        assert r.returncode == 0, log
        # what the examples promise: the sample, the device, a token for web01
        assert re.search(r"ups1 +room +host=ups1 +temp_c +24\.5", r.stdout), log
        assert "10.1.0.2" in r.stdout and "B3-101" in r.stdout, log
        assert "web01" in r.stdout, log
    finally:
        shutil.rmtree(work, ignore_errors=True)
