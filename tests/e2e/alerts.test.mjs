// alerts.test.mjs — the alert center in headless Chromium against a real
// collector: a threshold rule fires from a sample, the overview's alert card
// lists it, the alerts page shows it on a phone and acknowledges it with a
// comment (the API then says acknowledged), a hostile host name shows as
// text, and a device page's alerts card gives the alert text the card's width
// on a phone.
//
// Run: cd tests/e2e && npm ci && node --test alerts.test.mjs   (CAMPUSMON_BUILD = build folder)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BUILD = process.env.CAMPUSMON_BUILD || path.join(HERE, "..", "..", "build");
const SHOTS = path.join(HERE, "..", "..", "artifacts", "screenshots");
const ADMIN_PW = "alerts e2e password";
const TOKEN = "alerts-e2e-token";
const EVIL = "<img src=x onerror=window.__xss=1>";
let tmp, proc, base, browser;

async function waitFor(what, fn, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out waiting for " + what + (last instanceof Error ? ": " + last.message : ""));
}

async function apiCall(method, p, body) {
  const r = await fetch(base + p, { method, headers: { Authorization: "Bearer " + TOKEN },
    body: body === undefined ? undefined : body });
  return { status: r.status, body: r.status === 204 ? null : await r.json().catch(() => null) };
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cm-alerts-e2e-"));
  fs.chmodSync(tmp, 0o755);	/* the collector drops to its service user when run as root */
  const conf = path.join(tmp, "collector.yaml");
  fs.writeFileSync(conf, "alerts:\n  defaults: false\n  rules:\n" +
    "    - {name: room-hot, match: {measurement: temp, field: value}, warn: 30, crit: 40, recover: 25}\n");
  const log = path.join(tmp, "collector.log");
  const out = fs.openSync(log, "a");
  proc = spawn(path.join(BUILD, "collector", "campusmon-collector"),
    ["--listen", "127.0.0.1:0", "--data-dir", path.join(tmp, "data"), "-c", conf],
    { env: { ...process.env, CAMPUSMON_ADMIN_PASSWORD: ADMIN_PW, CAMPUSMON_BOOTSTRAP_TOKEN: TOKEN },
      stdio: ["ignore", out, out] });
  base = await waitFor("the collector", () => {
    const text = fs.readFileSync(log, "utf8");
    if (proc.exitCode !== null) throw new Error("collector exited:\n" + text);
    const m = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    return m && text.includes(" ready") ? `http://127.0.0.1:${m[1]}` : null;
  });
  const ts = Math.floor(Date.now() / 1000) - 60;
  const host = EVIL.replace(/([ ,=])/g, "\\$1");
  const w = await apiCall("POST", "/api/v1/write?precision=s", `temp,host=${host} value=45 ${ts}\n`);
  assert.equal(w.status, 204);
  const w2 = await apiCall("POST", "/api/v1/write?precision=s",
    `nagios_state,host=srv-e2e,name=check_disk state=2i ${ts}\ntemp,host=srv-e2e value=31 ${ts}\n`);
  assert.equal(w2.status, 204);
  await waitFor("the alerts", async () => (await apiCall("GET", "/api/v1/alerts")).body.length === 2);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (proc && proc.exitCode === null) {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

/* A phone-sized page logged in as admin; problems collects the page's errors. */
async function phoneLogin() {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true,
    hasTouch: true, locale: "en-US" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(base + "/");
  await page.fill("#login-user", "admin");
  await page.fill("#login-password", ADMIN_PW);
  await page.click("#login-submit");
  await page.waitForSelector("main h1:has-text('Overview')");
  return { context, page, problems };
}

test("on a phone: overview card, alerts page, acknowledge with a comment", async () => {
  const { context, page, problems } = await phoneLogin();
  await page.waitForSelector("main section.card :text('room-hot')");
  const card = await page.textContent("main .grid");
  assert.doesNotMatch(card, /not available yet/);
  await page.goto(base + "/#/alerts");
  await page.fill("input[aria-label=Device]", EVIL);
  await page.press("input[aria-label=Device]", "Enter");
  await page.waitForFunction(() => document.querySelectorAll("#alert-list [data-alert]").length === 1);
  const row = await page.waitForSelector("#alert-list [data-alert]");
  assert.match(await row.textContent(), /room-hot/);
  assert.match(await row.textContent(), /<img src=x/, "the hostile name is shown as text");
  await page.fill("#alert-list .ack-comment", "on my way");
  await page.click("#alert-list button.ack");
  await page.waitForSelector("#alert-list [data-state=acknowledged]");
  const list = (await apiCall("GET", "/api/v1/alerts?state=acknowledged")).body;
  assert.equal(list.length, 1);
  assert.equal(list[0].ack_comment, "on my way");
  assert.equal(list[0].acknowledged_by, "admin");
  // a maintenance window from the form, listed in force, then removed
  await page.fill("#maintenance-form input[name=devices]", "srv-e2e");
  await page.fill("#maintenance-form input[name=comment]", "disk swap");
  await page.click("#maintenance-form button[type=submit]");
  await page.waitForSelector("#maintenance-card button.maint-delete");
  const windows = (await apiCall("GET", "/api/v1/maintenance")).body;
  assert.equal(windows.length, 1);
  assert.deepEqual(windows[0].devices, ["srv-e2e"]);
  assert.equal(windows[0].active, true);
  await page.click("#maintenance-card button.maint-delete");
  await page.waitForFunction(() => !document.querySelector("#maintenance-card button.maint-delete"));
  assert.equal((await apiCall("GET", "/api/v1/maintenance")).body.length, 0);
  // the alert's own page: its timeline names who acknowledged
  await page.goto(base + "/#/alert/" + list[0].id);
  await page.waitForSelector("ol.timeline :text('acknowledged by admin')");
  // a server's page: its alerts and its Nagios-compatible check states
  await page.goto(base + "/#/host/srv-e2e");
  await page.waitForSelector("#host-alerts-card :text('room-hot')");
  await page.waitForSelector("#host-checks-card :text('check_disk')");
  assert.match(await page.textContent("#host-checks-card"), /CRITICAL/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390 + 1, "no horizontal scrolling on a phone: " + width);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(problems, []);
  await context.close();
});

test("on a phone: a device page's alerts card leaves the alert text most of its width", async () => {
  const d = await apiCall("POST", "/api/v1/devices", JSON.stringify({ address: "192.0.2.10",
    name: "ups-e2e-phone", monitored: false }));
  assert.ok(d.status === 200 || d.status === 201, JSON.stringify(d.body));
  const ts = Math.floor(Date.now() / 1000) - 30;
  assert.equal((await apiCall("POST", "/api/v1/write?precision=s",
    `temp,host=ups-e2e-phone value=45 ${ts}\n`)).status, 204);
  await waitFor("the device's alert", async () =>
    (await apiCall("GET", "/api/v1/alerts?device=" + d.body.id)).body.length === 1);
  const { context, page, problems } = await phoneLogin();
  await page.goto(base + "/#/device/" + d.body.id);
  const link = await page.waitForSelector("#device-alerts-card [data-alert] a[href^='#/alert/']");
  await page.waitForSelector("#device-alerts-card [data-alert] button.ack");	/* admin may ack */
  fs.mkdirSync(SHOTS, { recursive: true });
  await (await page.$("#device-alerts-card")).screenshot({ path: path.join(SHOTS, "device-alerts-phone.png") });
  const { text, card, sw } = await link.evaluate((a) => ({
    text: a.closest("td").getBoundingClientRect().width,
    card: document.getElementById("device-alerts-card").getBoundingClientRect().width,
    sw: document.documentElement.scrollWidth }));
  assert.ok(text >= 0.6 * card, `the alert text gets ${Math.round(text)} of the card's ${Math.round(card)} px`);
  assert.ok(sw <= 390 + 1, "no horizontal scrolling on a phone: " + sw);
  assert.deepEqual(problems, []);
  await context.close();
});
