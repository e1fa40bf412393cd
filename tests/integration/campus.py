"""A small campus in network namespaces: real lldpd and snmpd, wired as a tree.

Reusable by any test (topology, discovery): each node is a network namespace
named PREFIX-NAME; switches run snmpd (v2c, community `public` by default)
with lldpd as its AgentX subagent (lldpd -x), so LLDP-MIB is served next to
IF-MIB. Hosts run lldpd only: they are neighbours nobody manages. Data ports
are veth pairs between namespaces named ethN inside them; each namespace also
has a management port `mgmt0` on a bridge in the collector's namespace, so
every snmpd answers on its own address (NET.0.N:161) and lldpd advertises
that address as its LLDP management address. Everything is torn down on
stop(), on a failed start, and (best effort) leftovers of an earlier crashed
run with the same prefix are removed before starting.

    with Campus() as campus:
        campus.address("core")   # "10.231.0.2"
        campus.wiring()          # [("core", "eth1", "dist1", "eth0"), ...]
        campus.set_link("dist1", "eth1", up=False)

Needs root (ip netns). Two tests running at once must use distinct
prefix and net values.
"""
import os
import shutil
import subprocess
import tempfile
import time

# name -> (runs snmpd, links as (local port, peer, peer port)); the default
# tree: core -> two distribution switches -> access switches -> one host.
DEFAULT_NODES = ["core", "dist1", "dist2", "acc1", "acc2", "host1"]
DEFAULT_SNMP = {"core", "dist1", "dist2", "acc1", "acc2"}
DEFAULT_LINKS = [
    ("core", "eth1", "dist1", "eth0"),
    ("core", "eth2", "dist2", "eth0"),
    ("dist1", "eth1", "acc1", "eth0"),
    ("dist2", "eth1", "acc2", "eth0"),
    ("acc1", "eth1", "host1", "eth0"),
]


def _run(*argv, check=True):
    r = subprocess.run(list(argv), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), r.stderr.strip()))
    return r


def _wait(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


class Campus:
    def __init__(self, prefix="topo", net="10.231", community="public",
                 nodes=None, links=None, snmp=None, tx_interval=1):
        assert os.geteuid() == 0, "network namespaces need root"
        assert len(prefix) <= 6, "interface names are at most 15 characters"
        self.prefix, self.net, self.community = prefix, net, community
        self.nodes = list(nodes or DEFAULT_NODES)
        self.links = list(links or DEFAULT_LINKS)
        self.snmp = set(snmp if snmp is not None else DEFAULT_SNMP)
        self.tx_interval = tx_interval
        self.bridge = prefix + "br0"
        self.gateway = "%s.0.1" % net
        self.tmp = None
        self.procs = []

    # ---- names and addresses ------------------------------------------------
    def ns(self, node):
        return "%s-%s" % (self.prefix, node)

    def sysname(self, node):
        return "%s-%s" % (self.prefix, node)

    def address(self, node):
        return "%s.0.%d" % (self.net, self.nodes.index(node) + 2)

    def managed(self):
        return [n for n in self.nodes if n in self.snmp]

    def wiring(self):
        return list(self.links)

    def exec(self, node, *argv, check=True):
        return _run("ip", "netns", "exec", self.ns(node), *argv, check=check)

    # ---- life --------------------------------------------------------------
    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self._remove_leftovers()
        self.tmp = tempfile.mkdtemp(prefix="cm-campus-%s-" % self.prefix)
        os.chmod(self.tmp, 0o755)
        try:
            self._wire()
            for node in self.nodes:
                self._start_daemons(node)
            for node in self.managed():
                _wait(lambda n=node: self._snmp_answers(n), 20, "snmpd of " + node)
            return self
        except BaseException:
            self.stop()
            raise

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []
        self._remove_leftovers()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _remove_leftovers(self):
        for node in self.nodes:
            _run("ip", "netns", "del", self.ns(node), check=False)
        _run("ip", "link", "del", self.bridge, check=False)
        for i in range(len(self.nodes)):
            _run("ip", "link", "del", "%sm%d" % (self.prefix, i), check=False)
        for i in range(len(self.links)):
            _run("ip", "link", "del", "%sl%da" % (self.prefix, i), check=False)

    def _wire(self):
        _run("ip", "link", "add", self.bridge, "type", "bridge")
        _run("ip", "addr", "add", self.gateway + "/24", "dev", self.bridge)
        _run("ip", "link", "set", self.bridge, "up")
        for i, node in enumerate(self.nodes):
            ns = self.ns(node)
            _run("ip", "netns", "add", ns)
            self.exec(node, "ip", "link", "set", "lo", "up")
            host, peer = "%sm%d" % (self.prefix, i), "%sm%dp" % (self.prefix, i)
            _run("ip", "link", "add", host, "type", "veth", "peer", "name", peer)
            _run("ip", "link", "set", host, "master", self.bridge, "up")
            _run("ip", "link", "set", peer, "netns", ns, "name", "mgmt0")
            self.exec(node, "ip", "addr", "add", self.address(node) + "/24", "dev", "mgmt0")
            self.exec(node, "ip", "link", "set", "mgmt0", "up")
        for i, (a, a_port, b, b_port) in enumerate(self.links):
            ea, eb = "%sl%da" % (self.prefix, i), "%sl%db" % (self.prefix, i)
            _run("ip", "link", "add", ea, "type", "veth", "peer", "name", eb)
            _run("ip", "link", "set", ea, "netns", self.ns(a), "name", a_port)
            _run("ip", "link", "set", eb, "netns", self.ns(b), "name", b_port)
            self.exec(a, "ip", "link", "set", a_port, "up")
            self.exec(b, "ip", "link", "set", b_port, "up")

    def _start_daemons(self, node):
        d = os.path.join(self.tmp, node)
        os.mkdir(d)
        os.chmod(d, 0o755)
        agentx = os.path.join(d, "agentx")
        if node in self.snmp:
            conf = os.path.join(d, "snmpd.conf")
            with open(conf, "w") as f:
                f.write("agentAddress udp:%s:161\n"
                        "rocommunity %s\n"
                        "sysName %s\n"
                        "sysLocation campus %s\n"
                        "master agentx\n"
                        "agentXSocket %s\n" % (self.address(node), self.community,
                                               self.sysname(node), self.prefix, agentx))
            env = dict(os.environ, MIBS="", SNMP_PERSISTENT_DIR=d)
            self.procs.append(subprocess.Popen(
                ["ip", "netns", "exec", self.ns(node), "snmpd", "-f", "-Lf",
                 os.path.join(d, "snmpd.log"), "-C", "-c", conf, "-I", "-smux",
                 "-p", os.path.join(d, "snmpd.pid")],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            _wait(lambda: os.path.exists(agentx), 10, "AgentX socket of " + node)
        lconf = os.path.join(d, "lldpd.conf")
        with open(lconf, "w") as f:
            f.write("configure system hostname %s\n"
                    "configure lldp tx-interval %d\n"
                    "configure lldp portidsubtype ifname\n" % (self.sysname(node),
                                                               self.tx_interval))
            if node in self.snmp:   # switches say so (device kind comes from it)
                f.write("configure system capabilities enabled bridge\n")
        argv = ["ip", "netns", "exec", self.ns(node), "lldpd", "-d", "-I", "eth*",
                "-m", self.address(node), "-u", os.path.join(d, "lldpd.ctl"), "-O", lconf]
        if node in self.snmp:
            argv += ["-x", "-X", agentx]
        log = open(os.path.join(d, "lldpd.log"), "wb")
        self.procs.append(subprocess.Popen(argv, stdout=log, stderr=log))
        log.close()

    def _snmp_answers(self, node):
        return _run("snmpget", "-v2c", "-c", self.community, "-t", "0.5", "-r", "0",
                    self.address(node), "1.3.6.1.2.1.1.5.0", check=False).returncode == 0

    # ---- what tests do to it -----------------------------------------------
    def lldp_neighbours(self, node):
        """Neighbours lldpd itself knows (via lldpcli), as (local port, sysname)."""
        ctl = os.path.join(self.tmp, node, "lldpd.ctl")
        out = self.exec(node, "lldpcli", "-u", ctl, "-f", "keyvalue", "show", "neighbors").stdout
        ports = {}
        for line in out.splitlines():
            key, _, value = line.partition("=")
            parts = key.split(".")
            if len(parts) == 4 and parts[2:] == ["chassis", "name"]:
                ports[parts[1]] = value
        return sorted(ports.items())

    def wait_lldp_converged(self, timeout=30):
        """Until every lldpd sees each wired peer on the right port."""
        want = {}
        for a, a_port, b, b_port in self.links:
            want.setdefault(a, set()).add((a_port, self.sysname(b)))
            want.setdefault(b, set()).add((b_port, self.sysname(a)))
        _wait(lambda: all(set(self.lldp_neighbours(n)) >= want.get(n, set())
                          for n in self.nodes), timeout, "LLDP to converge")

    def lldp_walk(self, node):
        """lldpRemSysName as served by the node's snmpd (the AgentX path works)."""
        return _run("snmpwalk", "-v2c", "-c", self.community, "-On", "-t", "1", "-r", "1",
                    self.address(node), "1.0.8802.1.1.2.1.4.1.1.9", check=False).stdout

    def set_link(self, node, port, up):
        self.exec(node, "ip", "link", "set", port, "up" if up else "down")
