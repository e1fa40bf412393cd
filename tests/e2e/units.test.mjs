// units.test.mjs — web UI checks that need no browser and no collector:
// the one list of scripts, and pure functions run in node:vm (web.mjs).
// Run: cd tests/e2e && node --test units.test.mjs
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { WEB, loadWeb, scriptList } from "./web.mjs";

describe("the script list (web/scripts.js)", () => {
  const list = scriptList();

  test("names existing files, each once, app.js last", () => {
    assert.ok(list.length > 5, list.join(" "));
    assert.equal(new Set(list).size, list.length, "a script listed twice");
    for (const s of list) assert.ok(fs.existsSync(path.join(WEB, s)), s);
    assert.equal(list.at(-1), "app.js");
  });

  test("every script in web/ is listed, and web/local.am installs them all", () => {
    const here = fs.readdirSync(WEB).filter((f) => f.endsWith(".js") && !["scripts.js", "sw.js"].includes(f));
    assert.deepEqual([...here].sort(), [...list].sort());
    const am = fs.readFileSync(path.join(WEB, "local.am"), "utf8").replace(/\\\n/g, " ");
    const installed = am.match(/dist_web_DATA\s*=([^\n]*)/)[1].trim().split(/\s+/).map((f) => f.replace(/^web\//, ""));
    for (const f of [...list, "scripts.js", "sw.js", "index.html"]) assert.ok(installed.includes(f), f + " not in local.am");
  });

  test("index.html loads only scripts.js, and the service worker caches what it lists", () => {
    const html = fs.readFileSync(path.join(WEB, "index.html"), "utf8");
    assert.deepEqual([...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]), ["/scripts.js"]);
    const sw = fs.readFileSync(path.join(WEB, "sw.js"), "utf8");
    assert.match(sw, /importScripts\("\/scripts\.js"\)/);
    assert.match(sw, /self\.CM_SCRIPTS\.map/);
  });
});

describe("formats (web/format.js)", () => {
  const CM = loadWeb("i18n.js", "format.js");

  test("addresses sort as numbers: IPv4, then IPv6, then names", () => {
    const shuffled = ["host.example", "127.0.0.10", "2001:db8::a", "127.0.0.2", "::ffff:10.0.0.1", "10.0.0.100",
      "2001:db8::9", "10.0.0.9", "::1", "[2001:db8::1:0]", "9.255.255.255", "fe80::1%eth0", "Core-SW"];
    assert.deepEqual([...shuffled].sort(CM.compareAddress), ["9.255.255.255", "10.0.0.9", "10.0.0.100", "127.0.0.2",
      "127.0.0.10", "::1", "::ffff:10.0.0.1", "2001:db8::9", "2001:db8::a", "[2001:db8::1:0]", "fe80::1%eth0",
      "Core-SW", "host.example"]);
    assert.equal(CM.compareAddress("2001:db8:0:0:0:0:0:a", "2001:db8::a"), 0);
  });

  test("one convention: links in bits per second, disks and memory in bytes", () => {
    const net = CM.displayOf("net", "bytes_recv_ps");
    assert.deepEqual([net.unit, net.scale], ["bps", 8]);
    assert.equal(CM.displayOf("interface", "in_bps").unit, "bps");
    assert.equal(CM.displayOf("diskio", "read_bytes_ps").unit, "Bps");
    assert.equal(CM.displayOf("storage", "used_percent").unit, "%");
    assert.equal(CM.fmt(40 * 1048576, "Bps"), "40.0 MiB/s");
    assert.equal(CM.fmt(40 * 1048576, "Bps", 0), "40 MiB/s");
  });
});

describe("time ticks (web/chart.js)", () => {
  const CM = loadWeb("i18n.js", "api.js", "format.js", "chart.js");
  const ROUND = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600];
  const now = 1796600123;		/* not on any round time */

  for (const [span, max] of [[3600, 6], [3600, 3], [6 * 3600, 5], [86400, 4], [7 * 86400, 4], [365 * 86400, 5]])
    test(`${span} s with at most ${max} ticks`, () => {
      for (const off of [0, 8 * 3600, -5 * 3600, 5.5 * 3600]) {	/* UTC, Beijing, New York, India */
        const { step, ticks } = CM.chart.timeTicks(now - span, now, max, () => off);
        assert.ok(ticks.length >= 2 && ticks.length <= max + 1, `${ticks.length} ticks`);
        assert.ok(ticks.every((ts) => ts >= now - span && ts <= now));
        if (typeof step === "object") {
          assert.ok([1, 2, 3, 6, 12].includes(step.months), JSON.stringify(step));
          continue;		/* calendar months, in the process's own time zone */
        }
        assert.ok(ROUND.includes(step), `step ${step}`);
        for (const ts of ticks) assert.equal((ts + off) % Math.min(step, 86400), 0, `${ts} on a round local time`);
      }
    });
});

describe("the map's layout (web/topology-layout.js)", async () => {
  const { campus } = await import("./campus.mjs");
  const CM = loadWeb("topology-layout.js");
  const plain = (x) => JSON.parse(JSON.stringify(x));	/* arrays made in the vm context */
  const overlaps = (items) => items.flatMap((a, i) => items.slice(i + 1).filter((b) =>
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).map((b) => a.id + "/" + b.id));

  test("500 nodes: collapsed, every node either shown or counted in a badge, nothing overlaps", () => {
    const c = campus(500);
    for (const [open, shown] of [[new Map(), 43], [new Map([["d9", true]]), 43 + 13]]) {
      const l = CM.topo.layout(c, { open });
      assert.equal(l.items.length, shown);
      assert.equal(l.items.length + l.items.reduce((s, it) => s + (it.collapsed ? it.hidden : 0), 0), 500);
      assert.deepEqual(plain(overlaps(l.items)), []);
      assert.ok(l.width < 1400 + 13 * 160, `${l.width} px wide`);
    }
    const all = CM.topo.layout(c, { collapseOver: Infinity });
    assert.equal(all.items.length, 500);
    assert.deepEqual(plain(overlaps(all.items)), []);
    assert.equal(all.edges.length, 499, "one tree edge per node but the root");
    assert.equal(all.extras.length, 1, "the redundant uplink");
  });

  test("small maps are not folded; parents sit above their children", () => {
    const l = CM.topo.layout(campus(60), {});
    assert.equal(l.items.length, 60);
    for (const it of l.items) {
      const p = it.node.parent && l.byId.get(it.node.parent);
      if (p) assert.ok(p.y + p.h < it.y, it.id);
    }
  });

  test("bad parents: a loop is cut, a missing or own parent makes a root, nothing is lost", () => {
    const nodes = [{ id: "a", parent: "b" }, { id: "b", parent: "c" }, { id: "c", parent: "a" }, { id: "k", parent: "b" },
      { id: "x", parent: "nowhere" }, { id: "s", parent: "s" }, { id: 7, parent: null }, { id: "d", parent: 7 },
      null, { name: "no id" }, { id: "a", parent: null }];
    const l = CM.topo.layout({ nodes, links: [{ a: "a", b: "a" }, { a: "q", b: "r" }, null] }, {});
    assert.deepEqual(plain(l.items.map((i) => i.id).sort()), ["7", "a", "b", "c", "d", "k", "s", "x"]);
    assert.ok(l.items.filter((i) => i.depth === 0).length >= 4);
    assert.deepEqual(plain(CM.topo.ancestors({ nodes }, "d")), ["7", "d"]);
    assert.equal(CM.topo.layout({}, {}).items.length, 0);
    assert.equal(CM.topo.layout(null, {}).items.length, 0);
  });

  test("search: exact name first, then prefix, substring, address", () => {
    const nodes = [{ id: "1", name: "xacc-1" }, { id: "2", name: "acc-10" }, { id: "3", name: "acc-1" },
      { id: "4", name: "core", address: "10.0.0.1" }];
    assert.deepEqual(CM.topo.search({ nodes }, "ACC-1").map((n) => n.id), ["3", "2", "1"]);
    assert.deepEqual(CM.topo.search({ nodes }, "10.0.0").map((n) => n.id), ["4"]);
    assert.equal(CM.topo.search({ nodes }, "  ").length, 0);
  });
});

describe("the map's nodes with no path from the root", () => {
  const CM = loadWeb("topology-layout.js");

  test("hang under a node they are linked with; the unlinked gather in one block", () => {
    const nodes = [{ id: "r", parent: null, depth: 0 }, { id: "a", parent: "r", depth: 1 },
      { id: "d2", parent: null, depth: -1, managed: true }, { id: "n1", parent: null, depth: -1, managed: false },
      { id: "n2", parent: null, depth: -1, managed: false }, { id: "n3", parent: null, depth: -1 },
      { id: "z1", parent: null, depth: -1 }, { id: "z2", parent: null, depth: -1 }];
    const links = [{ a: "d2", b: "n1" }, { a: "n2", b: "d2" }, { a: "n3", b: "a" }];
    const l = CM.topo.layout({ nodes, links, root: { id: "r", guessed: true } }, { looseLabel: "loose" });
    const t = CM.topo.tree({ nodes, links, root: { id: "r" } });
    assert.equal(t.via.get("n3"), "a");
    assert.equal(t.via.get("n1"), "d2");
    assert.equal(t.via.get("n2"), "d2");
    assert.equal(t.via.has("d2"), false);
    assert.equal(l.items.length, 8);
    assert.ok(l.edges.find((e) => e.to === "n1").via);
    assert.ok(!l.edges.find((e) => e.to === "a").via);
    const block = l.groups.find((g) => g.loose);
    assert.equal(block.label, "loose");
    for (const id of ["z1", "z2"]) {
      const it = l.byId.get(id);
      assert.ok(it.y > block.y && it.y + it.h <= block.y + block.h, id);
    }
    assert.ok(l.byId.get("z1").y > l.byId.get("n3").y, "below the trees");
  });
});

describe("the map's building and room groups", () => {
  const CM = loadWeb("topology-layout.js");

  test("leaves in another building are framed with it; several in another room, with the room", () => {
    const nodes = [{ id: "s", building: "Lib", room: "MDF" }];
    for (let i = 0; i < 5; i++) nodes.push({ id: "a" + i, parent: "s", building: "Lib", room: "R1" });
    for (let i = 0; i < 3; i++) nodes.push({ id: "b" + i, parent: "s", building: "Lib", room: "R2" });
    nodes.push({ id: "c", parent: "s", building: "Lib", room: "R3" }, { id: "d", parent: "s", building: "Sci", room: "R9" });
    const l = CM.topo.layout({ nodes, links: [] }, {});
    assert.deepEqual(l.groups.map((g) => g.label).join("|"), "R1|R2|Sci · R9");
    for (const [label, ids] of [["R1", ["a0", "a4"]], ["R2", ["b0", "b2"]], ["Sci · R9", ["d"]]]) {
      const g = l.groups.find((x) => x.label === label);
      for (const id of ids) {
        const it = l.byId.get(id);
        assert.ok(it.x >= g.x && it.x + it.w <= g.x + g.w && it.y >= g.y && it.y + it.h <= g.y + g.h, label + " holds " + id);
      }
      for (const other of l.items.filter((it) => !ids.some((id) => id[0] === it.id[0])))
        assert.ok(!(other.x < g.x + g.w && g.x < other.x + other.w && other.y < g.y + g.h && g.y < other.y + other.h),
          label + " does not cover " + other.id);
    }
  });
});
