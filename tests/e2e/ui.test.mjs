// ui.test.mjs — the web UI end to end, in Debian's headless Chromium driven by
// playwright-core: a real collector (CAMPUSMON_ADMIN_PASSWORD) holding an
// hour of agent-like samples and a device, then log in, overview, a server's
// page with graphs, devices, settings (create and revoke a token), log out —
// at 1366×768 and at 390×844, with screenshots in artifacts/screenshots/.
// Hostile names (an <img onerror> host and device) must show as text.
//
// Run: cd tests/e2e && npm ci && node --test   (CAMPUSMON_BUILD = build folder)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const BUILD = process.env.CAMPUSMON_BUILD || path.join(REPO, "build");
const SHOTS = path.join(REPO, "artifacts", "screenshots");
const ADMIN_PW = "e2e admin password";
const TOKEN = "e2e-bootstrap-token";
const XSS_HOST = "<img src=x onerror=window.__xss=1>";
const XSS_DEVICE = "<script>window.__xss=2</script>sw-evil";
const VIEWPORTS = [
  { name: "desktop", width: 1366, height: 768, mobile: false },
  { name: "phone", width: 390, height: 844, mobile: true },
];

let collector, base, dataDir, browser;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function startCollector() {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cm-e2e-"));
  fs.chmodSync(dataDir, 0o755);		// the collector drops to its service user
  const log = path.join(dataDir, "collector.log");
  const out = fs.openSync(log, "a");
  const bin = path.join(BUILD, "collector", "campusmon-collector");
  collector = spawn(bin, ["--listen", "127.0.0.1:0", "--data-dir", path.join(dataDir, "data")], {
    env: { ...process.env, CAMPUSMON_ADMIN_PASSWORD: ADMIN_PW, CAMPUSMON_BOOTSTRAP_TOKEN: TOKEN },
    stdio: ["ignore", out, out],
  });
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const text = fs.readFileSync(log, "utf8");
    const m = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    if (m && text.includes(" ready")) return `http://127.0.0.1:${m[1]}`;
    if (collector.exitCode !== null) throw new Error("collector exited:\n" + text);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("collector did not start:\n" + fs.readFileSync(log, "utf8"));
}

function lpEscape(s) {
  return s.replace(/\\/g, "\\\\").replace(/ /g, "\\ ").replace(/,/g, "\\,").replace(/=/g, "\\=");
}

async function api(method, p, body, token = TOKEN) {
  const r = await fetch(base + p, {
    method,
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (() => { try { return JSON.parse(text); } catch { return text; } })() : null };
}

// One hour of samples every 10 s, as an agent sends them.
async function writeSamples(host) {
  const now = Math.floor(Date.now() / 1000);
  const start = now - (now % 10) - 3600;
  const h = lpEscape(host);
  const lines = [];
  for (let ts = start, i = 0; ts <= now; ts += 10, i++) {
    const wave = Math.sin(i / 20);
    lines.push(
      `cpu,host=${h},cpu=cpu-total usage_percent=${(35 + 25 * wave).toFixed(2)},idle_percent=${(65 - 25 * wave).toFixed(2)} ${ts}`,
      `mem,host=${h} used_percent=${(52 + 5 * wave).toFixed(2)},total=8589934592i,used=${Math.round(4.4e9 + 4e8 * wave)}i ${ts}`,
      `system,host=${h} load1=${(1.2 + wave).toFixed(2)},uptime=${86400 * 12 + i * 10} ${ts}`,
      `disk,host=${h},path=/,device=sda1,fstype=ext4,mode=rw used_percent=61.5,total=107374182400i,used=66035122176i ${ts}`,
      `diskio,host=${h},name=sda,type=disk reads_ps=${(40 + 30 * wave).toFixed(1)},writes_ps=${(90 + 20 * wave).toFixed(1)},read_await_ms=1.8,write_await_ms=3.2,util_percent=12.5 ${ts}`,
      `net,host=${h},interface=eth0 bytes_recv_ps=${Math.round(2.5e6 + 1e6 * wave)},bytes_sent_ps=${Math.round(8e5 + 3e5 * wave)},err_in_ps=0,err_out_ps=0 ${ts}`,
      `net,host=${h},interface=lo bytes_recv_ps=1200,bytes_sent_ps=1200 ${ts}`);
  }
  const r = await fetch(base + "/api/v1/write?precision=s", {
    method: "POST",
    headers: { Authorization: "Bearer " + TOKEN, "X-Campusmon-Interval": "10" },
    body: lines.join("\n") + "\n",
  });
  assert.equal(r.status, 204, await r.text());
}

async function shot(page, vp, step) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${vp.name}-${step}.png`), fullPage: true });
}

async function noHorizontalScroll(page, vp, where) {
  const { sw, iw } = await page.evaluate(() => ({
    sw: document.documentElement.scrollWidth, iw: window.innerWidth,
  }));
  assert.ok(sw <= iw, `${vp.name} ${where}: page is ${sw}px wide in a ${iw}px window`);
}

async function noXss(page, where) {
  const hit = await page.evaluate(() => [window.__xss, document.querySelectorAll('img[src="x"], main script').length]);
  assert.deepEqual(hit, [undefined, 0], `${where}: an injected element ran or was created`);
}

before(async () => {
  base = await startCollector();
  await writeSamples("web01");
  await writeSamples(XSS_HOST);
  // a device that is not there (a closed loopback port): listed, never reached
  const port = await freePort();
  const d = await api("POST", "/api/v1/devices", {
    name: XSS_DEVICE, address: "127.0.0.1", port, kind: "switch", building: "Library",
    room: "B1 <b>core</b>", snmp: { version: "2c", community: "public" },
  });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (collector && collector.exitCode === null) {
    collector.kill("SIGTERM");
    await new Promise((r) => collector.once("exit", r));
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

for (const vp of VIEWPORTS) {
  describe(`web UI at ${vp.width}×${vp.height}`, () => {
    let context, page;
    const problems = [];

    before(async () => {
      context = await browser.newContext({
        viewport: { width: vp.width, height: vp.height }, isMobile: vp.mobile, hasTouch: vp.mobile,
        deviceScaleFactor: 1, locale: "en-US",
      });
      page = await context.newPage();
      page.on("pageerror", (e) => problems.push("page error: " + e.message));
      page.on("console", (m) => {
        // expected: the 401 of /api/v1/me before logging in, 404s of routes not built yet (alerts)
        if (m.type() === "error" && !/status of 40[14]/.test(m.text())) problems.push("console: " + m.text());
      });
      page.on("dialog", (d) => d.accept());
    });

    after(async () => {
      await context.close();
    });

    test("the login page comes first, and a wrong password is refused", async () => {
      await page.goto(base + "/");
      await page.waitForSelector("#login-user");
      await noHorizontalScroll(page, vp, "login");
      await shot(page, vp, "1-login");
      await page.fill("#login-user", "admin");
      await page.fill("#login-password", "not it");
      await page.click("#login-submit");
      await page.waitForSelector("text=Wrong user name or password.");
    });

    test("log in and see the overview", async () => {
      await page.fill("#login-user", "admin");
      await page.fill("#login-password", ADMIN_PW);
      await page.click("#login-submit");
      await page.waitForSelector("#agents-card a:has-text('web01')");
      const agents = await page.textContent("#agents-card");
      assert.match(agents, /2 of 2 agents reporting/);
      assert.ok(agents.includes(XSS_HOST), "the hostile host name is shown as text");
      await noXss(page, "overview");
      await page.waitForSelector("text=Health by device kind");
      await noHorizontalScroll(page, vp, "overview");
      await shot(page, vp, "2-overview");
    });

    test("a server's page with figures and graphs, in every range", async () => {
      await page.click("#agents-card a:has-text('web01')");
      await page.waitForSelector("#host-name:has-text('web01')");
      await page.waitForFunction(() => {
        const g = document.querySelector("[data-graph]");
        return g && +g.dataset.points > 100;
      });
      const text = await page.textContent("main");
      assert.match(text, /eth0/);
      assert.match(text, /sda/);
      assert.match(text, /61\.5 %|62 %/);
      await noHorizontalScroll(page, vp, "host");
      await shot(page, vp, "3-host");
      for (const label of ["1 d", "1 w", "1 y", "1 h"]) {
        await page.click(`.seg button:has-text('${label}')`);
        await page.waitForFunction(() => document.querySelector(".seg button.on") !== null);
      }
      await page.waitForFunction(() => +document.querySelector("[data-graph]").dataset.points > 100);
      const canvases = await page.$$eval("[data-graph] canvas", (cs) => cs.map((c) => c.width));
      assert.ok(canvases.length >= 4 && canvases.every((w) => w > 200), JSON.stringify(canvases));
    });

    test("the hostile host's page shows its name as text", async () => {
      await page.goto(base + "/#/host/" + encodeURIComponent(XSS_HOST));
      await page.waitForFunction((n) => document.querySelector("#host-name")?.textContent === n, XSS_HOST);
      await page.waitForFunction(() => +(document.querySelector("[data-graph]")?.dataset.points || 0) > 0);
      await noXss(page, "hostile host page");
      await noHorizontalScroll(page, vp, "hostile host");
    });

    test("devices list and a device's page", async () => {
      await page.goto(base + "/#/devices");
      await page.waitForSelector("main table a");
      const list = await page.textContent("main");
      assert.ok(list.includes(XSS_DEVICE), "device name shown as text");
      assert.ok(list.includes("B1 <b>core</b>"), "location shown as text");
      await noXss(page, "devices");
      await noHorizontalScroll(page, vp, "devices");
      await shot(page, vp, "4-devices");
      await page.click("main table a");
      await page.waitForFunction((n) => document.querySelector("main h1")?.textContent === n, XSS_DEVICE);
      await page.waitForSelector("text=Interfaces");
      await noXss(page, "device page");
      await noHorizontalScroll(page, vp, "device");
      await shot(page, vp, "5-device");
    });

    test("settings: create a token, see it once, revoke it", async () => {
      await page.click("#nav a[data-route='settings']");
      await page.waitForSelector("#tokens-card table");
      await page.fill("#new-token-name", "e2e-" + vp.name);
      await page.selectOption("#new-token-kind", "api");
      await page.click("#create-token");
      await page.waitForSelector("#new-token-secret");
      const secret = (await page.textContent("#new-token-secret")).trim();
      assert.match(secret, /^cm_[0-9a-f]{48}$/);
      assert.equal((await api("GET", "/api/v1/me", undefined, secret)).status, 200);
      await noHorizontalScroll(page, vp, "settings");
      await shot(page, vp, "6-settings-token");
      const row = page.locator("#tokens-card tr", { hasText: "e2e-" + vp.name });
      await row.locator("button.revoke").click();
      await page.waitForSelector(`text=Token e2e-${vp.name} revoked.`);
      await page.waitForFunction((n) => [...document.querySelectorAll("#tokens-card tr")]
        .some((tr) => tr.textContent.includes(n) && tr.textContent.includes("revoked")), "e2e-" + vp.name);
      assert.equal((await api("GET", "/api/v1/me", undefined, secret)).status, 401);
      await shot(page, vp, "7-settings-revoked");
    });

    test("the page speaks Chinese too", async () => {
      await page.click("#lang");
      await page.waitForSelector("#nav a:has-text('设备')");
      await noHorizontalScroll(page, vp, "settings zh-CN");
      await shot(page, vp, "8-settings-zh");
      await page.click("#lang");
      await page.waitForSelector("#nav a:has-text('Devices')");
    });

    test("log out", async () => {
      await page.click("#logout");
      await page.waitForSelector("#login-user");
      const me = await page.evaluate(async () => (await fetch("/api/v1/me")).status);
      assert.equal(me, 401);
      const cookies = await context.cookies();
      assert.ok(!cookies.some((c) => c.name === "cm_session" && c.value), JSON.stringify(cookies));
      await shot(page, vp, "9-logged-out");
    });

    test("no script errors and no CSP violations", () => {
      assert.deepEqual(problems, []);
    });
  });
}

describe("installable", () => {
  test("manifest, icons and service worker are served", async () => {
    const m = await fetch(base + "/manifest.webmanifest");
    assert.equal(m.status, 200);
    const manifest = await m.json();
    assert.equal(manifest.display, "standalone");
    for (const icon of manifest.icons) assert.equal((await fetch(base + icon.src)).status, 200, icon.src);
    const sw = await fetch(base + "/sw.js");
    assert.equal(sw.status, 200);
    assert.match(sw.headers.get("content-type"), /javascript/);
    const html = await (await fetch(base + "/")).text();
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), "no inline script");
    assert.ok(!/\sstyle=|<style/i.test(html), "no inline style");
  });

  test("the service worker takes control and keeps the shell offline", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(base + "/");
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready) && true);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector("#main");
    assert.equal(await page.title(), "campusmon" + (await page.title()).slice(9));
    await context.close();
  });
});
