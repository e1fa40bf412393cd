// notify.test.mjs — notification channels and the one-tap acknowledgement
// link, in Debian's headless Chromium at phone size (390×844), against a real
// collector and a webhook receiver on loopback: settings → channels shows the
// channel, "Send test" delivers a message, the message's ack link opens
// without a login, shows the page and acknowledges with one tap (audited
// with the channel); a tampered link is refused.
//
// Run: cd tests/e2e && npm ci && node --test notify.test.mjs (CAMPUSMON_BUILD = build folder)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const BUILD = process.env.CAMPUSMON_BUILD || path.join(REPO, "build");
const ADMIN_PW = "e2e notify admin password";
const TOKEN = "e2e-notify-token";

let tmp, collector, receiver, browser, base;
const got = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on("error", reject);
  });
}

async function waitFor(what, fn, timeoutMs = 20000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { const v = await fn(); if (v) return v; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error("timed out waiting for " + what);
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cm-e2e-notify-"));
  fs.chmodSync(tmp, 0o755);
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => { body += d; });
    req.on("end", () => { got.push(JSON.parse(body)); res.writeHead(200); res.end("ok"); });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const conf = path.join(tmp, "collector.yaml");
  fs.writeFileSync(conf, `http:\n  public_url: ${base}\nnotify:\n  channels:\n` +
    `    - {name: noc-hook, type: webhook, url: "http://127.0.0.1:${receiver.address().port}/hook"}\n`,
  { mode: 0o600 });
  const log = path.join(tmp, "collector.log");
  const out = fs.openSync(log, "a");
  collector = spawn(path.join(BUILD, "collector", "campusmon-collector"),
    ["--listen", `127.0.0.1:${port}`, "--data-dir", path.join(tmp, "data"), "-c", conf],
    { env: { ...process.env, CAMPUSMON_ADMIN_PASSWORD: ADMIN_PW, CAMPUSMON_BOOTSTRAP_TOKEN: TOKEN },
      stdio: ["ignore", out, out] });
  await waitFor("the collector", () => {
    const text = fs.readFileSync(log, "utf8");
    if (collector.exitCode !== null) throw new Error("collector exited:\n" + text);
    return text.includes(" ready");
  }, 15000, 50);
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
    await new Promise((r) => { collector.once("exit", r); setTimeout(r, 5000); });
  }
  if (receiver) receiver.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const phone = () => browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true,
  hasTouch: true, deviceScaleFactor: 1, locale: "en-US" });

test("settings → channels: the channel, a test message sent, its delivery shown", async () => {
  const context = await phone();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(base + "/");
  await page.fill("#login-user", "admin");
  await page.fill("#login-password", ADMIN_PW);
  await page.click("#login-submit");
  await page.waitForSelector("#main h1");
  await page.goto(base + "/#/settings/channels");
  await page.waitForSelector("#channels-card tr[data-channel='noc-hook']");
  assert.ok(!(await page.isHidden("#channels-card")));
  await page.tap("#channels-card button[data-channel='noc-hook']");
  await page.waitForSelector("#channels-message:has-text('Test message queued')");
  await waitFor("the test message at the receiver", () => got.length === 1);
  assert.equal(got[0].event, "test");
  // the table refreshes itself: the delivery shows instead of "never"
  await page.waitForFunction(() => {
    const row = document.querySelector("#channels-card tr[data-channel='noc-hook']");
    return row && !/never/.test(row.textContent);
  });
  const { sw, iw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: innerWidth }));
  assert.ok(sw <= iw, `channels page is ${sw}px wide in ${iw}px`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the ack link from a phone: no login, one tap, audited with the channel", async () => {
  await waitFor("a message", () => got.length >= 1);
  const link = got[0].ack_url;
  assert.ok(link.startsWith(base + "/ack/"), link);
  const context = await phone();		// a fresh phone: no session
  const page = await context.newPage();
  const r = await page.goto(link);
  assert.equal(r.status(), 200);
  assert.match(await page.textContent("h1"), /Test message/);
  assert.match(await page.textContent("body"), /noc-hook/);
  const box = await page.locator("#ack").boundingBox();
  assert.ok(box.height >= 36 && box.width >= 300, "a thumb-sized button");
  await page.tap("#ack");
  await page.waitForSelector("#done:has-text('Acknowledged')");
  assert.match(page.url(), /done=1$/);
  const audit = await (await fetch(base + "/api/v1/audit?limit=20",
    { headers: { Authorization: "Bearer " + TOKEN } })).json();
  const hit = audit.find((a) => a.action === "channel.test-ack");
  assert.ok(hit && hit.actor === "ack-link:noc-hook", JSON.stringify(audit));

  const tok = link.slice((base + "/ack/").length);
  const bad = tok.slice(0, 5) + (tok[5] === "A" ? "B" : "A") + tok.slice(6);
  const r2 = await page.goto(base + "/ack/" + bad);
  assert.equal(r2.status(), 403);
  assert.equal(await page.locator("#ack").count(), 0);
  await context.close();
});
