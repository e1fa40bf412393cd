// reports.test.mjs — the auditors' pages in Debian's headless Chromium
// (playwright-core) against a real collector: an auditor logs in on a phone-
// sized screen, reads the coverage and compliance reports and the asset
// register (imported with hostile text and a formula, shown as text), finds
// no import form, and the printable coverage page prints to an A4 PDF with
// the school's name, the date and a signature line.
//
// Run: cd tests/e2e && npm ci && node --test reports.test.mjs
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BUILD = process.env.CAMPUSMON_BUILD || path.resolve(HERE, "..", "..", "build");
const TOKEN = "e2e-reports-token";
const ADMIN_PW = "e2e reports admin password";
const AUDITOR_PW = "e2e auditor password";
const XSS = "<img src=x onerror=window.__xss=1>";
const SCHOOL = "第一实验中学";

let tmp, proc, base, browser;

async function waitFor(what, fn, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out waiting for " + what + (last instanceof Error ? ": " + last.message : ""));
}

async function call(method, p, body, type = "application/json") {
  const r = await fetch(base + p, { method, body,
    headers: { Authorization: "Bearer " + TOKEN, "Content-Type": type } });
  return { status: r.status, text: await r.text() };
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cm-e2e-reports-"));
  fs.chmodSync(tmp, 0o755);		// the collector drops privileges when run as root
  const cfg = path.join(tmp, "collector.yaml");
  fs.writeFileSync(cfg, `school:\n  name: ${SCHOOL}\n  level: GJ\n`);
  const log = path.join(tmp, "collector.log");
  proc = spawn(path.join(BUILD, "collector", "campusmon-collector"),
    ["--listen", "127.0.0.1:0", "--data-dir", path.join(tmp, "data"), "-c", cfg],
    { env: { ...process.env, CAMPUSMON_ADMIN_PASSWORD: ADMIN_PW, CAMPUSMON_BOOTSTRAP_TOKEN: TOKEN },
      stdio: ["ignore", fs.openSync(log, "a"), fs.openSync(log, "a")] });
  base = await waitFor("the collector", () => {
    const text = fs.readFileSync(log, "utf8");
    const m = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    return m && text.includes(" ready") ? `http://127.0.0.1:${m[1]}` : null;
  });
  assert.equal((await call("POST", "/api/v1/users", JSON.stringify({ name: "aude", role: "auditor",
    password: AUDITOR_PW }))).status, 201);
  const csv = "asset_tag,serial,name,model,kind,building,room,rack,owner,address,mac\n" +
    `A-1,,"${XSS}",,switch,B1,101,,,10.1.0.1,\n` +
    "A-2,,=cmd|' /C calc'!A0,,server,B1,101,,,,\n";
  const r = await call("POST", "/api/v1/assets", csv, "text/csv");
  assert.equal(r.status, 200, r.text);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
});

after(async () => {
  if (browser) await browser.close();
  if (proc) { proc.kill("SIGTERM"); await new Promise((r) => proc.exitCode !== null ? r() : proc.on("exit", r)); }
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("an auditor reads the reports and the register on a phone, and prints an A4 PDF", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(base + "/");
  await page.fill("#login-user", "aude");
  await page.fill("#login-password", AUDITOR_PW);
  await page.click("#login-submit");
  await page.waitForSelector("#nav a[data-route=reports]");

  await page.goto(base + "/#/reports");
  await page.waitForSelector("text=0 of 2 inventoried items");
  await page.waitForSelector("text=never added");
  const text = await page.textContent("#main");
  assert.match(text, /Backbone link speed/);
  assert.match(text, /GJ010401/);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(scroll <= 1, "no sideways scrolling on a phone: " + scroll);

  await page.goto(base + "/#/assets");
  await page.waitForSelector("text=A-2");
  assert.ok((await page.textContent("#main")).includes(XSS), "hostile text shown as text");
  assert.equal(await page.$("input[type=file]"), null, "an auditor gets no import form");
  assert.equal(await page.evaluate(() => window.__xss), undefined);

  await page.goto(base + "/#/print/coverage");
  await page.waitForSelector("#main[data-ready='1']");
  const head = await page.textContent(".print-head");
  assert.ok(head.includes(SCHOOL), head);
  assert.ok(await page.isVisible(".signature"));
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.isVisible("#top"), false, "the navigation is not printed");
  assert.equal(await page.isVisible("button:has-text('Print')"), false);
  const pdf = await page.pdf({ preferCSSPageSize: true });
  assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
  const box = pdf.toString("latin1").match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)/);
  assert.ok(box && Math.abs(+box[1] - 595) < 3 && Math.abs(+box[2] - 842) < 3, "A4: " + (box && box[0]));
  await context.close();
});
