// map.test.mjs — the campus map (#/topology) in Debian's headless Chromium,
// logged in to a real collector. GET /api/v1/topology and the firing alerts
// are served by page.route from a generated 500-node campus (campus.mjs), so
// the map's behaviour is tested at scale whatever the collector holds: it
// opens collapsed and readable, a count badge expands a switch, search finds
// a folded node and centres it, zoom and pan move it, a click leads to the
// device page, hostile names show as text, "no topology yet" is said — at
// 1366×768 and 390×844, with screenshots in artifacts/screenshots/map-*.png.
// Then the same collector polls three recordings of ../shared/devices served
// by snmpsimd (Huawei S5720: LLDP, Catalyst 2960-X: CDP, Aruba 6200F) and a
// switch that never answers, and the map draws its real GET /api/v1/topology
// with the real firing device-down alert ringing the dead switch.
//
// Run: cd tests/e2e && npm ci && node --test map.test.mjs   (CAMPUSMON_BUILD = build folder)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { campus, HOSTILE } from "./campus.mjs";
import { startCollector, startSnmpsim } from "./collector.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const SHOTS = path.join(REPO, "artifacts", "screenshots");
const ADMIN_PW = "map admin password";
const VIEWPORTS = [
  { name: "desktop", width: 1366, height: 768, mobile: false },
  { name: "phone", width: 390, height: 844, mobile: true },
];
const CAMPUS = campus(500);
const FIRING = [{ id: 1, rule: "device down", severity: "critical", state: "firing", device: "dist-2", device_id: 3,
  subject: "dist-2 down" }];

let collector, browser, tmp, snmpsim;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cm-map-"));
  fs.chmodSync(tmp, 0o755);
  collector = await startCollector(tmp, { CAMPUSMON_ADMIN_PASSWORD: ADMIN_PW });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (snmpsim) await snmpsim.stop();
  if (collector) await collector.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function shot(page, vp, step) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `map-${vp.name}-${step}.png`) });
}

const shown = (page) => page.$eval("svg.topo-svg", (s) => +s.dataset.nodes);
const zoom = (page) => page.$eval("svg.topo-svg", (s) => +s.dataset.zoom);

/* The node's box on screen, and whether it lies inside the map's frame. */
async function onScreen(page, id) {
  return page.evaluate((nid) => {
    const g = document.querySelector(`svg.topo-svg [data-id="${CSS.escape(nid)}"] .box`);
    if (!g) return null;
    const r = g.getBoundingClientRect(), m = document.getElementById("topo-map").getBoundingClientRect();
    return { w: r.width, inside: r.left >= m.left && r.right <= m.right && r.top >= m.top && r.bottom <= m.bottom };
  }, id);
}

for (const vp of VIEWPORTS) {
  describe(`the map at ${vp.width}×${vp.height}`, () => {
    let context, page, serve = { status: 200, body: CAMPUS };
    const problems = [];

    before(async () => {
      context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, isMobile: vp.mobile,
        hasTouch: vp.mobile, deviceScaleFactor: 1, locale: "en-US" });
      page = await context.newPage();
      page.on("pageerror", (e) => problems.push("page error: " + e.message));
      await page.route("**/api/v1/topology", (r) => r.fulfill({ status: serve.status, contentType: "application/json",
        body: JSON.stringify(serve.body) }));
      await page.route("**/api/v1/alerts?state=firing", (r) => r.fulfill({ status: 200, contentType: "application/json",
        body: JSON.stringify(FIRING) }));
      await page.goto(collector.url + "/#/topology");
      await page.fill("#login-user", "admin");
      await page.fill("#login-password", ADMIN_PW);
      await page.click("#login-submit");
      await page.waitForSelector("svg.topo-svg .node");
    });

    after(async () => {
      await context.close();
      assert.deepEqual(problems, []);
    });

    test("500 nodes open collapsed: switches show count badges, the rest is folded", async () => {
      const n = await shown(page);
      assert.ok(n >= 40 && n <= 60, `${n} nodes shown of 500`);
      const badges = await page.$$eval("svg.topo-svg .count text", (ts) => ts.map((x) => x.textContent));
      assert.equal(badges.length, 36, "one badge per access switch");
      assert.equal(badges.map((b) => +b.slice(1)).reduce((a, b) => a + b, 0), 500 - 43, badges.join(" "));
      assert.match(await page.textContent("#topo-summary"), /500 nodes .* shown · root core-1$/);
      // what the data says is drawn so: a down switch, a critical alert, a down link, a building frame
      const down = CAMPUS.nodes.find((x) => x.kind === "switch" && x.status === "down");
      assert.ok((await page.getAttribute(`[data-id='${down.id}']`, "class")).includes("st-down"));
      assert.ok((await page.getAttribute("[data-id='d3']", "class")).includes("alert-critical"));
      assert.equal(await page.$$eval("svg.topo-svg .edge.l-down", (e) => e.length), 1);
      assert.ok((await page.textContent("svg.topo-svg .groups")).includes("Library"));
      assert.ok((await page.$$("svg.topo-svg .extra")).length >= 1, "the redundant uplink");
      if (!vp.mobile) {	// the collapsed campus is readable as it opens on a desktop
        assert.ok(await zoom(page) >= 0.55, `zoom ${await zoom(page)}`);
        assert.ok((await onScreen(page, "d1")).inside);
      }
      await shot(page, vp, "1-collapsed");
    });

    test("hostile names are text", async () => {
      const text = await page.textContent("svg.topo-svg");
      for (const h of [HOSTILE.access, HOSTILE.gbk]) assert.ok(text.includes(h), h);
      assert.ok(text.includes("<b>Lab</b> 实验楼"), "a building with markup, as text");
      await page.fill("#topo-search", "图书馆");	// a folded leaf: CJK with a script tag in its name
      await page.press("#topo-search", "Enter");
      await page.waitForSelector("svg.topo-svg .node.found");
      assert.ok((await page.textContent("svg.topo-svg .node.found")).includes(HOSTILE.leaf));
      assert.equal(await page.textContent("#topo-details h2"), HOSTILE.leaf);
      const hit = await page.evaluate(() => [window.__xss, document.querySelectorAll("main img, main script, main b, svg.topo-svg foreignObject").length]);
      assert.deepEqual(hit, [undefined, 0]);
    });

    test("a count badge expands its switch, and folds it again", async () => {
      await page.fill("#topo-search", "acc-1-2");	// bring it on screen (a phone shows a part of the map)
      await page.press("#topo-search", "Enter");
      await page.waitForSelector("[data-id='d9'].found");
      const before = await shown(page);
      const hidden = +(await page.textContent("[data-toggle='d9'] text")).slice(1);
      await page.click("[data-toggle='d9']");
      await page.waitForFunction((n) => +document.querySelector("svg.topo-svg").dataset.nodes > n, before);
      assert.equal(await shown(page), before + hidden);
      const kids = CAMPUS.nodes.filter((n) => n.parent === "d9").map((n) => n.id);
      for (const id of kids) assert.ok(await page.$(`svg.topo-svg [data-id="${id}"]`), id);
      assert.equal(await page.textContent("[data-toggle='d9'] text"), "−");
      await shot(page, vp, "2-expanded");
      await page.click("[data-toggle='d9']");
      await page.waitForFunction((n) => +document.querySelector("svg.topo-svg").dataset.nodes === n, before);
    });

    test("search finds a folded node, unfolds its switch and centres it", async () => {
      const target = CAMPUS.nodes.find((n) => n.parent === "d30" && n.managed);
      assert.equal(await page.$(`svg.topo-svg [data-id="${target.id}"]`), null, "folded at first");
      await page.fill("#topo-search", target.name);
      await page.press("#topo-search", "Enter");
      await page.waitForSelector(`svg.topo-svg [data-id="${target.id}"].found`);
      const where = await onScreen(page, target.id);
      assert.ok(where.inside, "centred in the frame");
      assert.ok(where.w >= 100, `readable: ${where.w}px wide`);
      assert.match(await page.textContent("#topo-found"), new RegExp("^1 of \\d+: " + target.name + "$"));
      assert.ok((await page.textContent("#topo-details h2")).includes(target.name));
      await shot(page, vp, "3-found");
      await page.fill("#topo-search", "no-such-node-anywhere");
      await page.press("#topo-search", "Enter");
      await page.waitForFunction(() => document.getElementById("topo-found").textContent === "No node matches.");
    });

    test("zoom and pan: buttons, wheel, drag, pinch", async () => {
      const k0 = await zoom(page);
      await page.click("#topo-zoom-in");
      assert.ok(await zoom(page) > k0);
      await page.click("#topo-zoom-out");
      assert.ok(Math.abs(await zoom(page) - k0) < 1e-3);
      const box = await page.$eval("#topo-map", (m) => { const r = m.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
      const t0 = await page.getAttribute("svg.topo-svg .stage", "transform");
      if (!vp.mobile) {
        await page.mouse.move(box.x + box.w / 2, box.y + box.h / 2);
        await page.mouse.wheel(0, -300);
        await page.waitForFunction((k) => +document.querySelector("svg.topo-svg").dataset.zoom > k, k0);
        await page.mouse.move(box.x + 30, box.y + 30);
        await page.mouse.down();
        await page.mouse.move(box.x + 130, box.y + 90, { steps: 5 });
        await page.mouse.up();
      } else {	// a finger: one pointer dragging (touch-action: none leaves it to the map)
        const cdp = await context.newCDPSession(page);
        const at = (x, y) => [{ x: box.x + x, y: box.y + y }];
        await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: at(30, 30) });
        for (let i = 1; i <= 5; i++) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: at(30 + 20 * i, 30 + 12 * i) });
        await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
        // two fingers spreading apart: a pinch zooms in
        const k1 = await zoom(page);
        const two = (d) => [{ x: box.x + box.w / 2 - d, y: box.y + box.h / 2, id: 1 }, { x: box.x + box.w / 2 + d, y: box.y + box.h / 2, id: 2 }];
        await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: two(30) });
        for (let d = 40; d <= 120; d += 20) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: two(d) });
        await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
        assert.ok(await zoom(page) > k1 * 2, `pinched from ${k1} to ${await zoom(page)}`);
      }
      assert.notEqual(await page.getAttribute("svg.topo-svg .stage", "transform"), t0, "the map moved");
      await page.click("#topo-fit");
      const n = await onScreen(page, "d1");
      assert.ok(n && n.inside, "fit shows the root");
    });

    test("a node leads to its device page; the device page leads back to the map", async () => {
      await page.click("#topo-fit");
      await page.click("svg.topo-svg [data-id='d2'] .name");
      await page.waitForSelector("#topo-open-device");
      assert.ok((await page.textContent("#topo-details")).includes("dist-1"));
      assert.match(await page.textContent("#topo-details"), /Uplink\s*10 Gb\/s/);
      await page.click("#topo-open-device");
      await page.waitForFunction(() => location.hash === "#/device/2");
      await page.waitForSelector("#device-on-map");
      assert.equal(await page.getAttribute("#device-on-map", "href"), "#/topology?device=2");
      await page.click("#device-on-map");
      await page.waitForSelector("svg.topo-svg [data-id='d2'].selected");
      assert.ok((await onScreen(page, "d2")).inside);
    });

    test("no topology yet: said in words, in both languages", async () => {
      serve = { status: 200, body: { nodes: [], links: [], root: null } };
      await page.goto(collector.url + "/#/overview");
      await page.goto(collector.url + "/#/topology");
      await page.waitForSelector("#topo-empty");
      assert.match(await page.textContent("#topo-empty"), /No topology yet/);
      await page.click("#lang");
      await page.waitForSelector("#topo-empty");
      assert.match(await page.textContent("#topo-empty"), /尚无拓扑/);
      await page.click("#lang");
      serve = { status: 503, body: { error: "no topology yet" } };	// the collector before its first walk
      await page.goto(collector.url + "/#/overview");
      await page.goto(collector.url + "/#/topology");
      await page.waitForSelector("#topo-empty");
      serve = { status: 404, body: { error: "no such route" } };
      await page.goto(collector.url + "/#/overview");
      await page.goto(collector.url + "/#/topology");
      await page.waitForSelector("text=not available yet");
      serve = { status: 200, body: CAMPUS };
    });
  });
}

describe("the map of a real collector polling device recordings", () => {
  const RECORDINGS = ["switch-huawei-s5720", "switch-cisco-2960x", "switch-aruba-6200f"];
  const api = async (method, p, body) => {
    const r = await fetch(collector.url + p, { method, body: body && JSON.stringify(body),
      headers: { Authorization: "Bearer " + collector.token, "Content-Type": "application/json" } });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  let topo, ids = {};

  before(async () => {
    snmpsim = await startSnmpsim(tmp, RECORDINGS);
    for (const name of RECORDINGS) {
      const r = await api("POST", "/api/v1/devices", { name, address: "127.0.0.1", port: snmpsim.port, interval: 5,
        snmp: { version: "2c", community: name } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids[name] = r.body.id;
    }
    // a switch that never answers: down after two polls, and the shipped device-down rule fires
    const dead = await api("POST", "/api/v1/devices", { name: "dead-switch", address: "127.0.0.1", port: snmpsim.port,
      interval: 5, kind: "switch", snmp: { version: "2c", community: "no-such-community" } });
    assert.equal(dead.status, 201, JSON.stringify(dead.body));
    ids.dead = dead.body.id;
    const deadline = Date.now() + 90000;
    for (;;) {	// every device polled, its neighbours in the graph, the dead one alerting
      const r = await api("GET", "/api/v1/topology");
      const a = await api("GET", "/api/v1/alerts?state=firing");
      topo = r.body;
      if (r.status === 200 && topo.links.length >= 10 && RECORDINGS.every((n) => topo.nodes.some((x) => x.name === n && x.status === "up")) &&
        topo.nodes.some((x) => x.device_id === ids.dead && x.status === "down") &&
        a.status === 200 && a.body.some((x) => String(x.device_id) === String(ids.dead))) break;
      assert.ok(Date.now() < deadline, "the collector's topology and alerts: " + JSON.stringify(r.body).slice(0, 300) +
        " " + JSON.stringify(a.body).slice(0, 300));
      await new Promise((res) => setTimeout(res, 500));
    }
  });

  for (const vp of VIEWPORTS)
    test(`at ${vp.width}×${vp.height}: every node drawn or counted, a click leads to the device`, async () => {
      const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, isMobile: vp.mobile,
        hasTouch: vp.mobile, deviceScaleFactor: 1, locale: "en-US" });
      const page = await context.newPage();
      const problems = [];
      page.on("pageerror", (e) => problems.push(e.message));
      try {
        await page.goto(collector.url + "/#/topology");
        await page.fill("#login-user", "admin");
        await page.fill("#login-password", ADMIN_PW);
        await page.click("#login-submit");
        await page.waitForSelector("svg.topo-svg .node");
        const counted = await page.$$eval("svg.topo-svg .node", (gs) => gs.map((g) => g.getAttribute("data-id")));
        const folded = await page.$$eval("svg.topo-svg .count text", (ts) => ts.map((x) => +x.textContent.slice(1) || 0));
        const total = counted.length + folded.reduce((a, b) => a + b, 0);
        assert.ok(total >= topo.nodes.length, `${counted.length} drawn + ${folded} folded of ${topo.nodes.length}`);
        const rootId = topo.root && topo.root.id;
        assert.ok(counted.includes(rootId), "the root is drawn");
        assert.match(await page.textContent("#topo-summary"), new RegExp(`^${topo.nodes.length} nodes`));
        if (topo.root.guessed) assert.match(await page.textContent("#topo-summary"), /guessed/);
        if (topo.nodes.some((n) => n.depth === -1)) assert.ok((await page.$$("svg.topo-svg .edge.via")).length > 0);
        const deadNode = topo.nodes.find((x) => x.device_id === ids.dead).id;
        const cls = await page.getAttribute(`svg.topo-svg [data-id="${deadNode}"]`, "class");
        assert.match(cls, /st-(down|unreachable)/);	// down, or unreachable once the engine has looked upstream
        assert.match(cls, /alert-(critical|warning|info)/, "the firing device-down alert rings it");
        await shot(page, vp, "4-real-collector");
        // an unmanaged CDP neighbour says who saw it, and has no device page
        const cdp = topo.nodes.find((x) => x.managed === false && x.seen_by === "switch-cisco-2960x");
        await page.fill("#topo-search", cdp.name);
        await page.press("#topo-search", "Enter");
        await page.waitForFunction((n) => document.querySelector("#topo-details h2")?.textContent === n, cdp.name);
        assert.match(await page.textContent("#topo-details"), /Seen by\s*switch-cisco-2960x \(cdp\)/);
        assert.equal(await page.$("#topo-open-device"), null);
        assert.ok((await page.getAttribute(`svg.topo-svg [data-id="${cdp.id}"]`, "class")).includes("unmanaged"));
        // the Cisco switch, found and opened
        await page.fill("#topo-search", "switch-cisco-2960x");
        await page.press("#topo-search", "Enter");
        await page.waitForSelector("#topo-open-device");
        await page.click("#topo-open-device");
        await page.waitForFunction((id) => location.hash === "#/device/" + id, ids["switch-cisco-2960x"]);
        await page.waitForFunction(() => document.getElementById("device-name").textContent === "switch-cisco-2960x");
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
});
