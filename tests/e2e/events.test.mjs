// events.test.mjs — the events page and a device's event timeline, end to
// end in headless Chromium against a real collector that receives syslog
// over UDP (sent here with hostile text), at 1366×768 and at 390×844: the
// live tail shows a new line without a reload, search finds a line, the
// line links to its device, the device page lists it, a line that raised an
// alert (the shipped %SYS-2-MALLOCFAIL rule) links to that alert's page,
// nothing injected runs and the page never scrolls sideways on a phone.
//
// Run: cd tests/e2e && npm ci && node --test events.test.mjs
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const BUILD = process.env.CAMPUSMON_BUILD || path.join(REPO, "build");
const SHOTS = path.join(REPO, "artifacts", "screenshots");
const ADMIN_PW = "e2e events password";
const TOKEN = "e2e-events-token";
const XSS = "<img src=x onerror=window.__xss=7> link flapped";
const DEVICE = "ev-e2e-switch";

let tmp, proc, base, syslogPort, browser, alertId;

function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    s.on("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what, fn, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out waiting for " + what);
}

async function api(method, p, body) {
  const r = await fetch(base + p, { method, headers: { Authorization: "Bearer " + TOKEN,
    "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.json().catch(() => null) };
}

function sendSyslog(text) {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    s.send(Buffer.from(text), syslogPort, "127.0.0.1", () => s.close(resolve));
  });
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cm-e2e-events-"));
  fs.chmodSync(tmp, 0o755);	// the collector drops to its service user
  syslogPort = await freeUdpPort();
  const cfg = path.join(tmp, "collector.yaml");
  fs.writeFileSync(cfg, `traps:\n  listen: []\nsyslog:\n  listen: ["udp:127.0.0.1:${syslogPort}"]\n`);
  const log = path.join(tmp, "collector.log");
  const out = fs.openSync(log, "a");
  proc = spawn(path.join(BUILD, "collector", "campusmon-collector"),
    ["-c", cfg, "--listen", "127.0.0.1:0", "--data-dir", path.join(tmp, "data")],
    { env: { ...process.env, CAMPUSMON_ADMIN_PASSWORD: ADMIN_PW, CAMPUSMON_BOOTSTRAP_TOKEN: TOKEN },
      stdio: ["ignore", out, out] });
  base = await waitFor("the collector", () => {
    const text = fs.readFileSync(log, "utf8");
    const m = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    return m && text.includes(" ready") ? `http://127.0.0.1:${m[1]}` : null;
  });
  const r = await api("POST", "/api/v1/devices", { address: "127.0.0.1", name: DEVICE, monitored: false });
  assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
  await sendSyslog("<187>12: *Dec  7 10:00:00: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down " + XSS);
  await waitFor("the line stored", async () => (await api("GET", "/api/v1/events?q=flapped")).body.length === 1);
  // a line a shipped log rule raises an alert for: the event carries the alert's id
  await sendSyslog("<10>%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed");
  const alert = await waitFor("the rule's alert", async () =>
    (await api("GET", "/api/v1/alerts?state=all")).body.find((a) => a.rule === "syslog:malloc-fail"));
  alertId = alert.id;
  await waitFor("the line linked to it", async () =>
    (await api("GET", "/api/v1/events?q=MALLOCFAIL")).body[0]?.alert_id === alertId);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
  fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (proc) proc.kill("SIGTERM");
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

for (const vp of [{ name: "desktop", width: 1366, height: 768, mobile: false },
  { name: "phone", width: 390, height: 844, mobile: true }]) {
  describe(`events at ${vp.width}×${vp.height}`, () => {
    let context, page;
    const problems = [];
    before(async () => {
      context = await browser.newContext({ viewport: { width: vp.width, height: vp.height },
        isMobile: vp.mobile, hasTouch: vp.mobile, locale: "en-US" });
      page = await context.newPage();
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(base + "/#/login");
      await page.fill("#login-user", "admin");
      await page.fill("#login-password", ADMIN_PW);
      await page.click("#login-submit");
      await page.waitForSelector("#nav a[data-route=events]");
    });
    after(async () => {
      await context.close();
      assert.deepEqual(problems, []);
    });

    test("the events page lists the line as text, tied to its device, and tails new ones", async () => {
      await page.click("#nav a[data-route=events]");
      await page.waitForSelector(".event-msg:has-text('link flapped')");
      const msg = await page.textContent(".event-msg:has-text('link flapped')");
      assert.ok(msg.includes(XSS), msg);
      const hit = await page.evaluate(() => [window.__xss, document.querySelectorAll("main img").length]);
      assert.deepEqual(hit, [undefined, 0]);
      assert.ok(await page.isVisible(`main a:has-text('${DEVICE}')`));
      const { sw, iw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
      assert.ok(sw <= iw, `page is ${sw}px wide in a ${iw}px window`);
      await page.screenshot({ path: path.join(SHOTS, `events-${vp.name}.png`), fullPage: true });
      // live tail: a line sent now appears without a reload
      await sendSyslog(`<14>tail line ${vp.name} arrives`);
      await page.waitForSelector(`.event-msg:has-text('tail line ${vp.name} arrives')`, { timeout: 15000 });
    });

    test("search narrows the list; a bad expression says why", async () => {
      await page.uncheck("#events-live");
      await page.fill("#events-q", "\"LINK-3-UPDOWN\"");
      await page.press("#events-q", "Enter");
      await waitFor("one row", async () => (await page.$$(".event-msg")).length === 1);
      await page.fill("#events-q", "\"unbalanced");
      await page.press("#events-q", "Enter");
      await page.waitForSelector("main :text('FTS5')");
    });

    test("the device page has the device's timeline", async () => {
      await page.fill("#events-q", "flapped");
      await page.press("#events-q", "Enter");
      await page.click(`main a:has-text('${DEVICE}')`);
      await page.waitForSelector("#events-card .event-msg:has-text('link flapped')");
      await page.screenshot({ path: path.join(SHOTS, `device-events-${vp.name}.png`), fullPage: true });
    });

    test("a line that raised an alert links to that alert; others to the device's alerts", async () => {
      await page.click("#nav a[data-route=events]");
      await page.uncheck("#events-live");
      await page.fill("#events-q", "flapped");
      await page.press("#events-q", "Enter");
      const plain = page.locator("main tr:has(.event-msg:has-text('link flapped'))");
      await plain.locator(`a[href="#/alerts?device=${DEVICE}"]`).waitFor();
      assert.equal(await plain.locator("a.event-alert").count(), 0);
      await page.fill("#events-q", "MALLOCFAIL");
      await page.press("#events-q", "Enter");
      const row = page.locator("main tr:has(.event-msg:has-text('MALLOCFAIL'))");
      const link = row.locator("a.event-alert");
      await link.waitFor();
      assert.equal(await link.getAttribute("href"), `#/alert/${alertId}`);
      assert.equal(await link.textContent(), `alert #${alertId}`);
      assert.ok(await link.isVisible());
      const { sw, iw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
      assert.ok(sw <= iw, `page is ${sw}px wide in a ${iw}px window`);
      await page.screenshot({ path: path.join(SHOTS, `events-alert-link-${vp.name}.png`), fullPage: true });
      await link.click();
      await page.waitForSelector("#alert-title:has-text('MALLOCFAIL')");
      assert.equal(new URL(page.url()).hash, `#/alert/${alertId}`);
      // the device's timeline links the line to its alert too
      await page.goBack();
      await row.locator(`a:has-text('${DEVICE}')`).click();
      const onDevice = page.locator("#events-card tr:has(.event-msg:has-text('MALLOCFAIL')) a.event-alert");
      await onDevice.waitFor();
      assert.equal(await onDevice.getAttribute("href"), `#/alert/${alertId}`);
      await page.screenshot({ path: path.join(SHOTS, `device-events-alert-link-${vp.name}.png`), fullPage: true });
    });
  });
}
