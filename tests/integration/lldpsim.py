"""Simulated campuses for seeded discovery: generated .snmprec recordings whose
LLDP management addresses (lldpRemManAddrTable, index-encoded) and CDP cache
addresses point at each other, served by one snmpsimd on many 127.x.y.z
addresses. snmpsimd picks a file per listening address by its transport id (--v2c-arch):
data/COMMUNITY/1.3.6.1.6.1.1.N.snmprec answers the N-th --agent-udpv4-endpoint
(0-based). Used by tests/integration/test_discovery_seeded.py and
bench/discovery/run.py.
"""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

NET_SNMP_LINUX = "1.3.6.1.4.1.8072.3.2.10"
HUAWEI_S5720 = "1.3.6.1.4.1.2011.2.23.291"
CISCO_2960X = "1.3.6.1.4.1.9.1.1208"


def _oid_key(line):
    return tuple(int(x) for x in line.split("|", 1)[0].strip(".").split("."))


def _ip_arcs(addr):
    return ".".join(str(b) for b in socket.inet_aton(addr))


def recording(name, sys_object_id=NET_SNMP_LINUX, descr=None, lldp=(), cdp=(),
              caps_hex="20", services=None, extra=()):
    """The lines of one device's .snmprec: system group, lldpLocSysCapEnabled
    (BITS as hex; "20" is bridge), one lldpRemManAddrTable row per address in
    lldp (length-prefixed index) and one cdpCacheTable address per address
    in cdp."""
    lines = [
        "1.3.6.1.2.1.1.1.0|4|%s" % (descr or "Linux %s 5.10.0 x86_64" % name),
        "1.3.6.1.2.1.1.2.0|6|%s" % sys_object_id,
        "1.3.6.1.2.1.1.3.0|67|123456",
        "1.3.6.1.2.1.1.5.0|4|%s" % name,
    ]
    if services is not None:
        lines.append("1.3.6.1.2.1.1.7.0|2|%d" % services)
    if caps_hex:
        lines.append("1.0.8802.1.1.2.1.3.6.0|4x|%s" % caps_hex)
    for i, a in enumerate(lldp, 1):
        lines.append("1.0.8802.1.1.2.1.4.2.1.3.0.%d.%d.1.4.%s|2|2" % (i, i, _ip_arcs(a)))
    for i, a in enumerate(cdp, 1):
        lines.append("1.3.6.1.4.1.9.9.23.1.2.1.1.3.%d.1|2|1" % (10100 + i))
        lines.append("1.3.6.1.4.1.9.9.23.1.2.1.1.4.%d.1|4x|%s" %
                     (10100 + i, socket.inet_aton(a).hex()))
    lines.extend(extra)
    return sorted(lines, key=_oid_key)


class Snmpsim:
    """snmpsimd serving recordings[i] (a list of lines) at addresses[i]:port
    under community, until stop()."""

    def __init__(self, addresses, recordings, community, port=None):
        self.dir = tempfile.mkdtemp(prefix="discovery-snmpsim-")
        os.chmod(self.dir, 0o755)
        data = os.path.join(self.dir, "data", community)
        cache = os.path.join(self.dir, "cache")
        os.makedirs(data)
        os.makedirs(cache)
        for i, lines in enumerate(recordings):
            with open(os.path.join(data, "1.3.6.1.6.1.1.%d.snmprec" % i), "w") as f:
                f.write("\n".join(lines) + "\n")
        nobody = pwd.getpwnam("nobody")
        os.chown(cache, nobody.pw_uid, nobody.pw_gid)
        if port is None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind((addresses[0], 0))
                port = s.getsockname()[1]
        self.port = port
        self.addresses = addresses
        self.community = community
        args = ["snmpsimd", "--v2c-arch", "--data-dir=" + os.path.join(self.dir, "data"),
                "--cache-dir=" + cache, "--process-user=nobody", "--process-group=nogroup"]
        args += ["--agent-udpv4-endpoint=%s:%d" % (a, port) for a in addresses]
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)

    def answers(self, addr):
        return subprocess.run(["snmpget", "-v2c", "-c", self.community, "-t", "1", "-r", "0",
                               "%s:%d" % (addr, self.port), "1.3.6.1.2.1.1.5.0"],
                              capture_output=True).returncode == 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
