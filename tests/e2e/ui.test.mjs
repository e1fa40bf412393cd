// ui.test.mjs — the web UI end to end, in Debian's headless Chromium driven by
// playwright-core, against a real collector holding real data: snmpsimd serves
// recordings from ../shared/devices (a Huawei switch whose uplink counters
// climb, an APC UPS, an AKCP room sensor and a Rittal rack monitor with a leak
// sensor) polled every 5 s, and the real campusmon-agent reports this machine.
// Then, at 1366×768 and at 390×844: log in, overview with the machine room,
// device list (sorted by address, paged), the switch's page with interface
// rates and a graph, the UPS's page, the server's page (network in bits), a
// chart's axes, an SNMP-polled server's CPU, memory and storage, settings
// (sections; create and revoke a token, edit a device's room, remove a device,
// discover), log out — with screenshots in
// artifacts/screenshots/. Security: no page or API without a session, a
// missing CSRF token is refused, a viewer changes nothing, and hostile text
// in a device name, a sysDescr, an interface alias and a host name shows as text.
//
// Run: cd tests/e2e && npm ci && node --test   (CAMPUSMON_BUILD = build folder)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { scriptList } from "./web.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const SHARED = path.resolve(REPO, "..", "shared", "devices");
const BUILD = process.env.CAMPUSMON_BUILD || path.join(REPO, "build");
const SHOTS = path.join(REPO, "artifacts", "screenshots");
const ADMIN_PW = "e2e admin password";
const VIEWER_PW = "e2e viewer password";
const TOKEN = "e2e-bootstrap-token";
const AGENT_HOST = "e2e-server";
const XSS_HOST = "<img src=x onerror=window.__xss=1>";
const XSS_DEVICE = "<script>window.__xss=2</script>sw-evil";
const XSS_DESCR = "<img src=x onerror=window.__xss=3>";
const XSS_ALIAS = "<img src=x onerror=window.__xss=5>";
const XSS_CHECK = "DISK CRITICAL - <img src=x onerror=window.__xss=9> 99% used";
const SWITCH = "sw-library-core";
const UPS = "ups-library-b1";
const UPLINK = "XGigabitEthernet0/0/1";
// recording (community) → device added at test start
const DEVICES = [
  { name: SWITCH, community: "switch-huawei-s5720", building: "Library", room: "B1" },
  { name: UPS, community: "ups-apc-smx750i", building: "Library", room: "B1" },
  { name: "env-library-b1", community: "env-akcp-sensorprobe8", building: "Library", room: "B1" },
  { name: "rack-library-b1", community: "env-rittal-cmc", building: "Library", room: "B1" },
  { name: XSS_DEVICE, community: "xss-device", building: "Library", room: "B1 <b>core</b>" },
  { name: "srv-linux-el8", community: "server-linux-el8", building: "Library", room: "B1" },
];
const SNMP_SERVER = "srv-linux-el8";
// unmonitored devices to page through: name zz-page-(1000-N) at 10.0.0.N, and two IPv6
const PAGING = [...Array(120).keys()].map((i) => ({ name: "zz-page-" + (999 - i), address: "10.0.0." + (i + 1) }))
  .concat([{ name: "zz-page-v6-a", address: "2001:db8::a" }, { name: "zz-page-v6-9", address: "2001:db8::9" }]);
const TELEGRAF_HOST = "tg-web1";

/* What Telegraf 1.x (outputs.influxdb; inputs cpu, mem, disk, diskio, net,
   system) sends: its own field names, raw counters, nanosecond timestamps. */
function telegrafBody(t, i) {
  const ts = BigInt(t) * 1000000000n;
  return [
    `cpu,cpu=cpu-total,host=${TELEGRAF_HOST} usage_guest=0,usage_guest_nice=0,usage_idle=71.5,usage_iowait=3.5,usage_irq=0,usage_nice=0,usage_softirq=0.25,usage_steal=0,usage_system=5.25,usage_user=19.5 ${ts}`,
    `mem,host=${TELEGRAF_HOST} available=6088564736i,available_percent=74.1,buffered=104853504i,cached=1834172416i,free=4333297664i,total=8216473600i,used=1944150016i,used_percent=25.9 ${ts}`,
    `disk,device=sda1,fstype=ext4,host=${TELEGRAF_HOST},mode=rw,path=/ free=30635741184i,inodes_free=3034412i,inodes_total=3276800i,inodes_used=242388i,total=52576092160i,used=19235508224i,used_percent=38.57 ${ts}`,
    `diskio,host=${TELEGRAF_HOST},name=sda io_time=${48916 + 4000 * i}i,iops_in_progress=0i,read_bytes=${1060151296 + 409600 * i}i,read_time=${17956 + 200 * i}i,reads=${50000 + 100 * i}i,weighted_io_time=117012i,write_bytes=4171386880i,write_time=${99055 + 300 * i}i,writes=${100000 + 50 * i}i ${ts}`,
    `net,host=${TELEGRAF_HOST},interface=eth0 bytes_recv=${1000000 + 2500000 * i}i,bytes_sent=${500000 + 1000000 * i}i,drop_in=0i,drop_out=0i,err_in=0i,err_out=0i,packets_recv=2000000i,packets_sent=1500000i ${ts}`,
    `system,host=${TELEGRAF_HOST} load1=0.42,load15=0.3,load5=0.35,n_cpus=4i,n_users=1i ${ts}`,
    `system,host=${TELEGRAF_HOST} uptime=123456i ${ts}`,
  ].join("\n") + "\n";
}

const CHART_HOST = "chart-host";	// a disk read at about 40 MiB/s: wide value labels
const VIEWPORTS = [
  { name: "desktop", width: 1366, height: 768, mobile: false, sweep: "127.0.9.0/30" },
  { name: "phone", width: 390, height: 844, mobile: true, sweep: "127.0.10.0/30" },
];

const procs = [];
let base, tmp, browser, simPort;

/* ---- peers ---- */

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

function run(name, bin, args, env) {
  const log = path.join(tmp, name + ".log");
  const out = fs.openSync(log, "a");
  const p = spawn(bin, args, { env: { ...process.env, ...(env || {}) }, stdio: ["ignore", out, out] });
  p.logFile = log;
  p.on("error", (e) => fs.appendFileSync(log, "spawn failed: " + e.message + "\n"));
  procs.push(p);
  return p;
}

async function waitFor(what, fn, timeoutMs = 30000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error("timed out waiting for " + what + (last instanceof Error ? ": " + last.message : ""));
}

async function startCollector() {
  const data = path.join(tmp, "collector");
  const p = run("collector", path.join(BUILD, "collector", "campusmon-collector"),
    ["--listen", "127.0.0.1:0", "--data-dir", data],
    { CAMPUSMON_ADMIN_PASSWORD: ADMIN_PW, CAMPUSMON_BOOTSTRAP_TOKEN: TOKEN });
  return waitFor("the collector", () => {
    const text = fs.readFileSync(p.logFile, "utf8");
    if (p.exitCode !== null) throw new Error("collector exited:\n" + text);
    const m = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    return m && text.includes(" ready") ? `http://127.0.0.1:${m[1]}` : null;
  }, 15000, 50);
}

// snmpsimd serves copies of the shared recordings (never copied into the
// repo) plus one written here with hostile text. The switch's uplink counters
// climb at 300 and 100 Mb/s (snmpsim's numeric variation), so rates are real.
async function startSnmpsim() {
  const data = path.join(tmp, "snmpsim", "data"), cache = path.join(tmp, "snmpsim", "cache");
  fs.mkdirSync(data, { recursive: true });
  fs.mkdirSync(cache, { recursive: true });
  for (const d of DEVICES.filter((x) => x.community !== "xss-device")) {
    let rec = fs.readFileSync(path.join(SHARED, d.community + ".snmprec"), "utf8");
    if (d.community === "switch-huawei-s5720") {
      rec = rec.replace(/^1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.6\.54\|70\|(\d+)$/m, "1.3.6.1.2.1.31.1.1.1.6.54|70:numeric|rate=37500000,initial=$1")
        .replace(/^1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.10\.54\|70\|(\d+)$/m, "1.3.6.1.2.1.31.1.1.1.10.54|70:numeric|rate=12500000,initial=$1");
      assert.match(rec, /6\.54\|70:numeric/, "the uplink's counter is in the recording");
    }
    fs.writeFileSync(path.join(data, d.community + ".snmprec"), rec);
  }
  fs.writeFileSync(path.join(data, "xss-device.snmprec"), [
    `1.3.6.1.2.1.1.1.0|4|${XSS_DESCR}`,
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10",
    "1.3.6.1.2.1.1.3.0|67|123456",
    "1.3.6.1.2.1.1.4.0|4|<script>window.__xss=6</script>",
    "1.3.6.1.2.1.1.5.0|4|<b>xss-sysname</b>",
    "1.3.6.1.2.1.1.6.0|4|<svg onload=window.__xss=7>",
    "1.3.6.1.2.1.2.1.0|2|1",
    "1.3.6.1.2.1.2.2.1.1.1|2|1",
    "1.3.6.1.2.1.2.2.1.2.1|4|<img src=x onerror=window.__xss=4>",
    "1.3.6.1.2.1.2.2.1.3.1|2|6",
    "1.3.6.1.2.1.2.2.1.5.1|66|1000000000",
    "1.3.6.1.2.1.2.2.1.7.1|2|1",
    "1.3.6.1.2.1.2.2.1.8.1|2|1",
    "1.3.6.1.2.1.2.2.1.10.1|65|1000",
    "1.3.6.1.2.1.2.2.1.16.1|65|2000",
    "1.3.6.1.2.1.31.1.1.1.1.1|4|eth<i>0</i>",
    `1.3.6.1.2.1.31.1.1.1.18.1|4|${XSS_ALIAS}`,
    ""].join("\n"));
  execFileSync("chown", ["nobody:nogroup", cache]);
  simPort = await freeUdpPort();
  // one endpoint for the inventory, one per viewport for its discovery sweep
  const endpoints = ["127.0.0.1", ...VIEWPORTS.map((v) => v.sweep.replace(/0\/30$/, "2"))];
  const p = run("snmpsimd", "snmpsimd", ["--data-dir=" + data, "--cache-dir=" + cache,
    "--process-user=nobody", "--process-group=nogroup",
    ...endpoints.map((a) => `--agent-udpv4-endpoint=${a}:${simPort}`)]);
  await waitFor("snmpsimd", () => {
    if (p.exitCode !== null) throw new Error("snmpsimd exited:\n" + fs.readFileSync(p.logFile, "utf8"));
    return endpoints.every((a) => {
      try {
        execFileSync("snmpget", ["-v2c", "-c", "ups-apc-smx750i", "-t", "0.5", "-r", "0",
          `${a}:${simPort}`, "1.3.6.1.2.1.1.1.0"], { stdio: "ignore" });
        return true;
      } catch {
        return false;
      }
    });
  }, 30000, 300);
}

async function startAgent() {
  const r = await api("POST", "/api/v1/tokens", { name: "e2e-agent", kind: "agent", host: AGENT_HOST });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const dir = path.join(tmp, "agent");
  fs.mkdirSync(dir, { mode: 0o700 });
  const conf = path.join(dir, "agent.yaml");
  fs.writeFileSync(conf, `collector:\n  url: ${base}\n  token: ${r.body.token}\ninterval: 5s\n` +
    `host: ${AGENT_HOST}\nspool:\n  dir: ${path.join(dir, "spool")}\n`, { mode: 0o600 });
  run("agent", path.join(BUILD, "agent", "campusmon-agent"), ["-c", conf]);
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

function lpEscape(s) {
  return s.replace(/\\/g, "\\\\").replace(/ /g, "\\ ").replace(/,/g, "\\,").replace(/=/g, "\\=");
}

/* ---- page helpers ---- */

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
  const hit = await page.evaluate(() => [window.__xss, document.querySelectorAll('img[src="x"], main script, main svg, main b, main i').length]);
  assert.deepEqual(hit, [undefined, 0], `${where}: an injected element ran or was created`);
}

/* Touch targets: every visible button, field and nav link at least 36 px high. */
async function touchSized(page, vp, where) {
  if (!vp.mobile) return;
  const small = await page.evaluate(() => [...document.querySelectorAll("button, select, input:not([type=checkbox]), .nav a")]
    .filter((n) => n.offsetParent !== null)
    .map((n) => [n.tagName + " " + (n.textContent || n.getAttribute("aria-label") || n.name || "").trim().slice(0, 30), n.getBoundingClientRect().height])
    .filter(([, h]) => h < 36));
  assert.deepEqual(small, [], `${where}: controls smaller than a finger`);
}

async function graphPoints(page, sel) {
  await page.waitForFunction((s) => +(document.querySelector(s)?.dataset.points || 0) > 0, sel, { timeout: 20000 });
  return +(await page.getAttribute(sel, "data-points"));
}

/* ---- setup ---- */

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cm-e2e-"));
  fs.chmodSync(tmp, 0o755);		// the collector and snmpsimd drop privileges
  fs.rmSync(SHOTS, { recursive: true, force: true });
  const [url] = await Promise.all([startCollector(), startSnmpsim()]);
  base = url;
  await startAgent();
  for (const d of DEVICES) {
    const r = await api("POST", "/api/v1/devices", { name: d.name, address: "127.0.0.1", port: simPort,
      interval: 5, building: d.building, room: d.room, snmp: { version: "2c", community: d.community } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  for (const vp of VIEWPORTS) {	// one to remove per viewport, never polled
    const r = await api("POST", "/api/v1/devices", { name: "spare-" + vp.name, address: "127.0.0.1", port: 9,
      kind: "switch", monitored: false, snmp: { version: "2c", community: "spare" } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  for (const d of PAGING) {
    const r = await api("POST", "/api/v1/devices", { ...d, kind: "other", monitored: false,
      snmp: { version: "2c", community: "none" } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const r = await api("POST", "/api/v1/users", { name: "vera", role: "viewer", password: VIEWER_PW });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // a hostile host name, as an agent could send it
  const now = Math.floor(Date.now() / 1000);
  const w = await fetch(base + "/api/v1/write?precision=s", {
    method: "POST", headers: { Authorization: "Bearer " + TOKEN },
    body: [0, 10].map((a) => `system,host=${lpEscape(XSS_HOST)} load1=0.5 ${now - 10 + a}\n` +
      `cpu,host=${lpEscape(XSS_HOST)},cpu=cpu-total usage_percent=12 ${now - 10 + a}`).join("\n") + "\n",
  });
  assert.equal(w.status, 204, await w.text());
  // its checks: a CRITICAL Nagios check and a plugin instance that is down, with hostile output
  const h = lpEscape(XSS_HOST);
  const checks = await fetch(base + "/api/v1/write?precision=s", {
    method: "POST", headers: { Authorization: "Bearer " + TOKEN },
    body: `nagios_state,host=${h},instance=root_disk state=2i,exit_code=2i,service_output="${XSS_CHECK}" ${now}\n` +
      `nagios_state,host=${h},instance=load state=0i,exit_code=0i,service_output="OK - load average 0.1" ${now}\n` +
      `redis,host=${h},instance=cache up=0i,error="connect: Connection refused" ${now}\n`,
  });
  assert.equal(checks.status, 204, await checks.text());
  const disk = await fetch(base + "/api/v1/write?precision=s", {
    method: "POST", headers: { Authorization: "Bearer " + TOKEN },
    body: [...Array(30).keys()].map((i) => `diskio,host=${CHART_HOST},name=sda read_bytes_ps=${(40 + (i % 3) * 0.4) * 1048576} ${now - 290 + i * 10}`).join("\n") + "\n",
  });
  assert.equal(disk.status, 204, await disk.text());
  for (let i = 0; i < 3; i++) {	// a Telegraf host: three readings, two rates
    const tw = await fetch(base + "/write?db=telegraf", { method: "POST",
      headers: { Authorization: "Token " + TOKEN }, body: telegrafBody(Math.floor(now / 10) * 10 - 20 + 10 * i, i) });
    assert.equal(tw.status, 204, await tw.text());
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  // real data: every device polled, the uplink's rate known (two polls), its
  // graph holding points, the agent's rates in
  await waitFor("the devices to be polled", async () => {
    const list = (await api("GET", "/api/v1/devices")).body;
    return DEVICES.every((d) => list.some((x) => x.name === d.name && x.status === "up"));
  }, 40000, 500);
  await waitFor("the uplink's rate and graph", async () => {
    const s = (await api("GET", `/api/v1/series?host=${SWITCH}&measurement=interface&field=in_bps`)).body
      .find((x) => x.tags.ifName === UPLINK);
    if (!s || !(s.last > 1e8)) return false;
    const q = (await api("GET", `/api/v1/query?series=${s.id}&from=-10m`)).body;
    return q.points.filter((p) => p[1] !== null).length >= 2;
  }, 40000, 500);
  await waitFor("the agent's figures", async () =>
    (await api("GET", `/api/v1/series?host=${AGENT_HOST}&measurement=cpu&field=usage_percent`)).body.length > 0, 30000, 500);
});

after(async () => {
  if (browser) await browser.close();
  for (const p of procs.reverse()) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill("SIGTERM");
      await new Promise((r) => { p.once("exit", r); setTimeout(r, 5000); });
    }
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/* ---- the pages, at each size ---- */

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
      await shot(page, vp, "01-login");
      await page.fill("#login-user", "admin");
      await page.fill("#login-password", "not it");
      await page.click("#login-submit");
      await page.waitForSelector("text=Wrong user name or password.");
    });

    test("log in: the overview has the machine room, the busiest links and the agents", async () => {
      await page.fill("#login-user", "admin");
      await page.fill("#login-password", ADMIN_PW);
      await page.click("#login-submit");
      await page.waitForSelector(`#agents-card a:has-text('${AGENT_HOST}')`);
      await page.waitForSelector("#room-card [data-figure=ups]");
      const room = await page.textContent("#room-card");
      assert.match(room, /Temperature\s*1\d–2\d °C/, room);
      assert.match(room, /Humidity\s*39–42 %RH/, room);
      assert.match(room, /on mains/, room);
      assert.match(room, /runtime 1 h 35 min/, room);
      assert.match(room, /charge 100 %/, room);
      assert.match(room, /Leak\s*none/, room);
      assert.match(room, /door open/, room);		// the UPS's door contact
      await page.waitForSelector(`#links-card a:has-text('${UPLINK}')`);
      assert.match(await page.textContent("#links-card"), /XGigabitEthernet0\/0\/1.*In\s*\d{3}(\.\d)? Mb\/s/s);
      const agents = await page.textContent("#agents-card");
      assert.match(agents, /3 of 3 agents reporting/);
      assert.ok(agents.includes(XSS_HOST), "the hostile host name is shown as text");
      const kinds = await page.textContent("main .grid > .card:first-child");
      for (const k of ["switch", "UPS", "room sensor"]) assert.ok(kinds.includes(k), k);
      await noXss(page, "overview");
      await noHorizontalScroll(page, vp, "overview");
      await touchSized(page, vp, "overview");
      await shot(page, vp, "02-overview");
    });

    test("the device list: every device, hostile text as text, filters", async () => {
      await page.click("#nav a[data-route='devices']");
      await page.waitForSelector(`main table a:has-text('${SWITCH}')`);
      const list = await page.textContent("main");
      for (const d of DEVICES) assert.ok(list.includes(d.name), d.name);
      assert.ok(list.includes("B1 <b>core</b>"), "location shown as text");
      await noXss(page, "devices");
      await noHorizontalScroll(page, vp, "devices");
      await shot(page, vp, "03-devices");
      await page.selectOption("main select[aria-label='Kind']", "ups");
      await page.waitForFunction((sw) => !document.querySelector("main table.data tbody").textContent.includes(sw), SWITCH);
      const ups = await page.textContent("main table.data tbody");
      assert.ok(ups.includes(UPS), ups);
      assert.ok(DEVICES.filter((d) => d.name !== UPS).every((d) => !ups.includes(d.name)), ups);
      await page.selectOption("main select[aria-label='Kind']", "");
    });

    test("the device list sorts by address as numbers, and pages 50 at a time", async () => {
      const names = () => page.$$eval("main table.data tbody tr", (trs) => trs.map((tr) => tr.dataset.device));
      await page.selectOption("#devices-sort", "address");
      await page.waitForFunction(() => document.querySelector("main table.data tbody tr")?.dataset.device === "zz-page-999");
      // 10.0.0.1 … 10.0.0.50, not 10.0.0.1, 10.0.0.10, 10.0.0.100 …
      assert.deepEqual(await names(), PAGING.slice(0, 50).map((d) => d.name));
      assert.match(await page.textContent("main .pager"), /Page 1 of 3/);
      await noHorizontalScroll(page, vp, "devices by address");
      await touchSized(page, vp, "devices by address");
      await shot(page, vp, "03b-devices-by-address");
      await page.click("main .pager button.next");
      await page.waitForFunction(() => document.querySelector("main table.data tbody tr")?.dataset.device === "zz-page-949");
      assert.deepEqual(await names(), PAGING.slice(50, 100).map((d) => d.name));
      await page.click("main .pager button.next");
      await page.waitForSelector("main .pager button.next:disabled");
      const last = await names();
      assert.ok(last.indexOf("zz-page-880") < last.indexOf("zz-page-v6-9"), "IPv4 before IPv6");
      assert.ok(last.indexOf("zz-page-v6-9") < last.indexOf("zz-page-v6-a"), "2001:db8::9 before 2001:db8::a");
      await page.selectOption("#devices-sort", "name");	// a new order starts again at page 1
      await page.waitForSelector("main .pager :text('Page 1 of 3')");
    });

    test("the switch's page: interfaces with live rates, a graph in every range, zoom", async () => {
      await page.click(`main table a:has-text('${SWITCH}')`);
      await page.waitForFunction((n) => document.querySelector("#device-name")?.textContent === n, SWITCH);
      const row = `#interfaces-card tr[data-ifname='${UPLINK}']`;
      await page.waitForSelector(row);
      const rates = await page.textContent(row);
      assert.match(rates, /up.*\d{3}(\.\d)? Mb\/s.*\d{2,3}(\.\d)? Mb\/s/s, rates);
      assert.match(await page.textContent("#interfaces-card"), /\d+ of 65 interfaces/);
      assert.match(await page.textContent("#identity-card"), /S5720-56C-PWR-EI-AC/);
      assert.ok(await graphPoints(page, "#graph-interface") >= 2);
      assert.match(await page.textContent("#graph-interface h2"), /XGigabitEthernet0\/0\/1/);
      await page.waitForSelector("#sensors-card tr[data-sensor='MPU Board 0']");
      await noHorizontalScroll(page, vp, "switch");
      await touchSized(page, vp, "switch");
      await shot(page, vp, "04-switch");
      // a few more polls, so the zoomed graph below has a line to show
      await waitFor("four points of the uplink", async () => {
        const sr = (await api("GET", `/api/v1/series?host=${SWITCH}&measurement=interface&field=in_bps`)).body
          .find((x) => x.tags.ifName === UPLINK);
        const q = (await api("GET", `/api/v1/query?series=${sr.id}&from=-10m`)).body;
        return q.points.filter((p) => p[1] !== null).length >= 4;
      }, 30000, 500);
      for (const label of ["1 d", "1 w", "1 y", "1 h"]) {
        await page.click(`.seg button:has-text('${label}')`);
        await page.waitForFunction((l) => document.querySelector(".seg button.on")?.textContent === l, label);
      }
      await page.waitForFunction(() => document.querySelector("#graph-interface").dataset.span === "3600");
      await graphPoints(page, "#graph-interface");
      // drag across the last minutes of the graph (its plot ends 10 px before
      // the right edge, and starts about 60 px in): zoomed in, then back
      await page.locator("#graph-interface canvas").scrollIntoViewIfNeeded();
      const box = await page.locator("#graph-interface canvas").boundingBox();
      const right = box.x + box.width - 10, plot = box.width - 68;
      await page.mouse.move(right - plot * 0.035, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(right - 1, box.y + box.height / 2, { steps: 4 });
      await page.mouse.up();
      await page.waitForSelector("button:has-text('Reset zoom'):visible");
      assert.equal(await page.locator(".seg button.on").count(), 0);
      await page.waitForFunction(() => +document.querySelector("#graph-interface").dataset.span < 600);
      assert.ok(await graphPoints(page, "#graph-interface") >= 2);
      await page.mouse.move(right - plot * 0.01, box.y + box.height / 2);	// the readout
      await page.waitForSelector("#graph-interface .tip:visible");
      assert.match(await page.textContent("#graph-interface .tip"), /In: \d{3}(\.\d)? Mb\/s/);
      await shot(page, vp, "04b-switch-zoomed");
      await page.click("button:has-text('Reset zoom')");
      await page.waitForSelector(".seg button.on");
      // another interface, picked from the table
      await page.click("#interfaces-card tr[data-ifname='MEth0/0/1'] td");
      await page.waitForFunction(() => /MEth0\/0\/1/.test(document.querySelector("#graph-interface h2").textContent));
    });

    test("the UPS's page: sensors with units and states, and their graph", async () => {
      await page.goto(base + "/#/device/" + encodeURIComponent(UPS));
      await page.waitForSelector("#sensors-card tr[data-sensor='Battery charge']");
      const s = (name) => page.textContent(`#sensors-card tr[data-sensor='${name}']`);
      assert.match(await s("Battery charge"), /100 %/);
      assert.match(await s("Runtime remaining"), /1 h 35 min/);
      assert.match(await s("Output load"), /20 %/);
      assert.match(await s("Input voltage"), /232 V/);
      assert.match(await s("Battery temperature"), /31 °C/);
      assert.match(await s("Output status"), /normal/);
      assert.match(await s("Door"), /door open/);
      assert.match(await page.textContent("#identity-card"), /APC Smart-UPS X 750/);
      assert.match(await page.textContent("#graph-sensor h2"), /Battery charge/);
      await graphPoints(page, "#graph-sensor");
      await page.click("#sensors-card tr[data-sensor='Input voltage'] td");
      await page.waitForFunction(() => /Input voltage/.test(document.querySelector("#graph-sensor h2").textContent));
      await noHorizontalScroll(page, vp, "ups");
      await shot(page, vp, "05-ups");
    });

    test("the room sensor's page", async () => {
      await page.goto(base + "/#/device/rack-library-b1");
      await page.waitForSelector("#sensors-card tr[data-sensor='Leakage Sensor']");
      assert.match(await page.textContent("#sensors-card tr[data-sensor='Leakage Sensor']"), /normal/);
      assert.match(await page.textContent("#sensors-card tr[data-sensor='LCP Flowrate']"), /66 l\/min/);
      await graphPoints(page, "#graph-sensor");
      await noHorizontalScroll(page, vp, "room sensor");
      await shot(page, vp, "06-room-sensor");
    });

    test("the server's page: the agent's CPU, memory, disks, filesystems and network", async () => {
      await page.click("#nav a[data-route='hosts']");
      await page.click(`main a:has-text('${AGENT_HOST}')`);
      await page.waitForSelector(`#host-name:has-text('${AGENT_HOST}')`);
      await graphPoints(page, "#graph-cpu");
      await graphPoints(page, "#graph-memory");
      const text = await page.textContent("main");
      assert.match(text, /CPU\s*\d+(\.\d)? %/);
      assert.match(text, /Memory size\s*[\d.]+ [KMGT]iB/);
      assert.match(text, /Mounted on/);
      await noHorizontalScroll(page, vp, "server");
      await shot(page, vp, "07-server");
    });

    test("a server that reports with Telegraf's field names fills the same cards", async () => {
      await page.click("#nav a[data-route='hosts']");
      await page.waitForSelector(`main a:has-text('${TELEGRAF_HOST}')`);
      assert.match(await page.textContent("main"), /tg-web1[^%]*25 %\s*26 %/,
        "CPU (100 − idle − iowait) and memory in the list");
      await page.click(`main a:has-text('${TELEGRAF_HOST}')`);
      await page.waitForSelector(`#host-name:has-text('${TELEGRAF_HOST}')`);
      await graphPoints(page, "#graph-cpu");
      await graphPoints(page, "#graph-memory");
      await graphPoints(page, "#graph-network");
      await graphPoints(page, "#graph-disk");
      const text = await page.textContent("main");
      assert.match(text, /CPU\s*25 %/);
      assert.match(text, /Memory size\s*7\.7 GiB/);
      assert.match(text, /ext4\s*39 %/, "filesystem card");
      assert.match(text, /sda\s*10\.0 \/s/, "disk card: reads per second from the counter");
      assert.match(text, /eth0\s*2\.0 Mb\/s/, "network card: bytes_recv as a rate, in bits");
      await noHorizontalScroll(page, vp, "telegraf server");
      await shot(page, vp, "07b-telegraf-server");
    });

    test("the server's network is in bits per second, like a device's interfaces", async () => {
      await page.waitForSelector("#network-card table");
      const net = await page.textContent("#network-card");
      assert.match(net, /bits per second/);
      assert.match(net, /\d b\/s|[kMG]b\/s/, net);
      assert.doesNotMatch(net, /B\/s/, net);
      await page.waitForFunction(() => /bits per second/.test(document.querySelector("#graph-network h2").textContent));
      await page.locator("#network-card").scrollIntoViewIfNeeded();
      await shot(page, vp, "07a-server-network-bits");
    });

    test("chart value labels fit, and time ticks fall on round times", async () => {
      await page.goto(base + "/#/host/" + CHART_HOST);
      await page.waitForSelector(`#host-name:has-text('${CHART_HOST}')`);
      const any = "main select[aria-label='Any series']";
      await page.waitForSelector(`${any} option:has-text('diskio.read_bytes_ps')`, { state: "attached" });
      const id = await page.$eval(any, (s) => [...s.options].find((o) => o.textContent.startsWith("diskio.read_bytes_ps")).value);
      await page.selectOption(any, id);
      await graphPoints(page, "#graph-any");
      await page.locator("#graph-any").scrollIntoViewIfNeeded();
      const g = await page.$eval("#graph-any .chart", (box) => {
        const c = box.querySelector("canvas");
        const px = c.getContext("2d").getImageData(0, 0, 2, c.height - 24 * (window.devicePixelRatio || 1)).data;
        let inked = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
        return { inked, ticks: (box.dataset.ticks || "").split(",").map(Number), step: +box.dataset.tickStep,
          offsets: (box.dataset.ticks || "").split(",").map((ts) => -new Date(ts * 1000).getTimezoneOffset() * 60) };
      });
      assert.equal(g.inked, 0, "nothing drawn in the first two pixel columns: no value label is cut off");
      assert.match(await page.textContent("#graph-any h2"), /bytes per second/);
      assert.ok([300, 600, 900, 1800].includes(g.step), "a round step for one hour: " + g.step);
      assert.ok(g.ticks.length >= 2, g.ticks.join(","));
      g.ticks.forEach((ts, i) => assert.equal((ts + g.offsets[i]) % g.step, 0, `tick ${ts} on a round time`));
      await shot(page, vp, "07b-chart-labels");
    });

    test("an SNMP-polled server's page has CPU, memory and storage graphs", async () => {
      await page.goto(base + "/#/device/" + SNMP_SERVER);
      await page.waitForFunction((n) => document.querySelector("#device-name")?.textContent === n, SNMP_SERVER);
      await graphPoints(page, "#graph-device-cpu");
      await graphPoints(page, "#graph-device-memory");
      await graphPoints(page, "#graph-device-storage");
      assert.match(await page.textContent("#graph-device-memory .legend"), /Memory/);
      assert.match(await page.textContent("#graph-device-storage .legend"), /\//);
      const root = await page.textContent("#storage-card tr[data-storage='/']");
      assert.match(root, /\d+(\.\d)? %.*[\d.]+ [KMGT]iB/s, root);
      assert.equal(await page.locator("#storage-card tr[data-storage='Physical memory']").count(), 0, "memory is no file system");
      await noHorizontalScroll(page, vp, "snmp server");
      await touchSized(page, vp, "snmp server");
      await shot(page, vp, "07c-snmp-server");
    });

    test("hostile text from a device and an agent is shown as text", async () => {
      const id = (await api("GET", "/api/v1/devices")).body.find((x) => x.name === XSS_DEVICE).id;
      await page.goto(base + "/#/device/" + id);
      await page.waitForFunction((n) => document.querySelector("#device-name")?.textContent === n, XSS_DEVICE);
      await page.waitForFunction((d) => document.querySelector("#identity-card").textContent.includes(d), XSS_DESCR);
      await page.waitForFunction((a) => document.querySelector("#interfaces-card").textContent.includes(a), XSS_ALIAS);
      assert.ok((await page.textContent("#interfaces-card")).includes("eth<i>0</i>"));
      assert.ok((await page.textContent("#identity-card")).includes("<svg onload=window.__xss=7>"));
      await noXss(page, "hostile device page");
      await noHorizontalScroll(page, vp, "hostile device");
      await shot(page, vp, "08-hostile-device");
      await page.goto(base + "/#/host/" + encodeURIComponent(XSS_HOST));
      await page.waitForFunction((n) => document.querySelector("#host-name")?.textContent === n, XSS_HOST);
      await graphPoints(page, "#graph-cpu");
      // its checks: worst first, the output as text
      await page.waitForFunction((o) => document.querySelector("#host-checks-card")?.textContent.includes(o), XSS_CHECK);
      const firstRow = await page.textContent("#host-checks-card tbody tr:first-child");
      assert.match(firstRow, /root_disk.*CRITICAL/s, firstRow);
      assert.match(await page.textContent("#host-checks-card tr[data-check='redis:cache']"), /down.*Connection refused/s);
      assert.match(await page.textContent("#host-checks-card tr[data-check='nagios:load']"), /OK.*load average/s);
      await noXss(page, "hostile host page");
    });

    test("settings come in sections, and discovery is open at once", async () => {
      await page.goto(base + "/#/settings/discovery");
      await page.waitForSelector("#discovery-card #discover-ranges");
      const top = await page.$eval("#discovery-card", (n) => n.getBoundingClientRect().top);
      assert.ok(top < vp.height / 2, `discovery starts at ${top}px`);
      assert.equal(await page.isVisible("#users-card"), false);
      await noHorizontalScroll(page, vp, "settings tabs");
      await touchSized(page, vp, "settings tabs");
      await shot(page, vp, "09a-settings-discovery-tab");
      await page.click("#nav a[data-route='settings']");	// the devices first
      await page.waitForSelector(`#devices-card tr[data-device='${UPS}']`);
      assert.equal(await page.isVisible("#discovery-card"), false);
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      assert.ok(height < 4000, `settings is ${height}px long`);
      await page.click("#settings-tabs [data-tab=users]");
      await page.waitForSelector("#users-card table");
      assert.equal(await page.evaluate(() => location.hash), "#/settings/users");
      assert.equal(await page.isVisible("#devices-card"), false);
    });

    test("settings: create a token, see it once, revoke it", async () => {
      await page.click("#nav a[data-route='settings']");
      await page.click("#settings-tabs [data-tab=tokens]");
      await page.waitForSelector("#tokens-card table");
      await page.fill("#new-token-name", "e2e-" + vp.name);
      await page.selectOption("#new-token-kind", "api");
      await page.click("#create-token");
      await page.waitForSelector("#new-token-secret");
      const secret = (await page.textContent("#new-token-secret")).trim();
      assert.match(secret, /^cm_[0-9a-f]{48}$/);
      assert.equal((await api("GET", "/api/v1/me", undefined, secret)).status, 200);
      await noHorizontalScroll(page, vp, "settings");
      await touchSized(page, vp, "settings");
      await shot(page, vp, "09-settings-token");
      const row = page.locator("#tokens-card tr", { hasText: "e2e-" + vp.name });
      await row.locator("button.revoke").click();
      await page.waitForSelector(`text=Token e2e-${vp.name} revoked.`);
      await page.waitForFunction((n) => [...document.querySelectorAll("#tokens-card tr")]
        .some((tr) => tr.textContent.includes(n) && tr.textContent.includes("revoked")), "e2e-" + vp.name);
      assert.equal((await api("GET", "/api/v1/me", undefined, secret)).status, 401);
    });

    test("settings: edit a device's room; its secrets are never shown", async () => {
      await page.click("#settings-tabs [data-tab=devices]");
      const row = `#devices-card tr[data-device='${UPS}']`;
      await page.waitForSelector(row);
      await page.click(`${row} button.edit`);
      const form = "#devices-card .editor form";
      await page.waitForSelector(form);
      const before = (await api("GET", "/api/v1/devices/" + UPS)).body;
      assert.equal(await page.inputValue(`${form} input[name=room]`), before.room);
      assert.equal(await page.inputValue(`${form} input[name=community]`), "", "a secret is never sent back");
      assert.equal(await page.textContent(`${form} label:has(input[name=community]) .secret-state`), "set");
      const room = "B2 server room " + vp.name;
      await page.fill(`${form} input[name=room]`, room);
      await page.fill(`${form} input[name=rack]`, "R" + vp.width);
      await noHorizontalScroll(page, vp, "device editor");
      await shot(page, vp, "10-settings-edit-device");
      await page.click(`${form} button[type=submit]`);
      await page.waitForSelector(`#devices-card p:has-text('Saved ${UPS}.')`);
      const d = (await api("GET", "/api/v1/devices/" + UPS)).body;
      assert.equal(d.room, room);
      assert.equal(d.rack, "R" + vp.width);
      assert.equal(d.building, "Library", "fields not edited stay");
      assert.equal(d.snmp.community_set, true, "the community is kept");
      assert.ok((await page.textContent(row)).includes(room));
    });

    test("settings: remove a device, after a confirmation", async () => {
      const name = "spare-" + vp.name;
      const row = `#devices-card tr[data-device='${name}']`;
      await page.click(`${row} button.remove`);
      await page.waitForSelector(`${row} .confirm`);
      assert.match(await page.textContent(`${row} .confirm`), new RegExp(`Remove ${name} from the inventory`));
      await shot(page, vp, "11-settings-remove-confirm");
      await page.click(`${row} .confirm-no`);				// cancel: still there
      await page.waitForSelector(`${row} button.remove`);
      assert.equal((await api("GET", "/api/v1/devices/" + name)).status, 200);
      await page.click(`${row} button.remove`);
      await page.click(`${row} .confirm-yes`);
      await page.waitForSelector(`#devices-card p:has-text('Removed ${name}.')`);
      await page.waitForSelector(row, { state: "detached" });
      assert.equal((await api("GET", "/api/v1/devices/" + name)).status, 404);
    });

    test("settings: discover a range, with progress and what was found", async () => {
      await page.click("#settings-tabs [data-tab=discovery]");
      await page.fill("#discover-ranges", vp.sweep);
      await page.fill("#discover-communities", "nope, ups-apc-smx750i");
      await page.fill("#discover-port", String(simPort));
      await page.click("#discover-start");
      await page.waitForSelector("#discovery-job progress");
      const found = vp.sweep.replace(/0\/30$/, "2");
      await page.waitForSelector(`#discovery-job tr[data-address='${found}']`, { timeout: 30000 });
      await page.waitForSelector("#discovery-job :text('2 of 2 addresses probed')", { timeout: 30000 });
      const job = await page.textContent("#discovery-job");
      assert.match(job, /done/);
      assert.match(await page.textContent(`#discovery-job tr[data-address='${found}']`), /UPS.*snmp.*yes/s);
      const d = (await api("GET", "/api/v1/devices")).body.find((x) => x.address === found);
      assert.ok(d && d.monitored && d.kind === "ups", JSON.stringify(d));
      await page.click("#settings-tabs [data-tab=devices]");
      await page.waitForSelector(`#devices-card tr:has-text('${found}')`);
      await noHorizontalScroll(page, vp, "discovery");
      await page.click("#settings-tabs [data-tab=discovery]");
      await shot(page, vp, "12-settings-discovery");
    });

    test("settings: a ping-only host is a seen host, adopted from the list", async () => {
      const pingOnly = vp.sweep.replace(/0\/30$/, "1");
      const row = `#seen-list tr[data-address='${pingOnly}']`;
      await page.waitForSelector(row, { timeout: 30000 });
      assert.ok(!(await api("GET", "/api/v1/devices")).body.some((x) => x.address === pingOnly));
      await noHorizontalScroll(page, vp, "seen hosts");
      await shot(page, vp, "12b-settings-seen");
      await page.check(`${row} input[type=checkbox]`);
      await page.click("#seen-adopt");
      await page.waitForSelector("#seen-message:has-text('1 adopted')");
      await page.waitForSelector(row, { state: "detached" });
      const d = (await api("GET", "/api/v1/devices")).body.find((x) => x.address === pingOnly);
      assert.ok(d && d.monitored, JSON.stringify(d));
      assert.ok([200, 204].includes((await api("DELETE", "/api/v1/devices/" + d.id)).status));
    });

    test("the page speaks Chinese too", async () => {
      await page.click("#lang");
      await page.waitForSelector("#nav a:has-text('设备')");
      await page.goto(base + "/#/overview");
      await page.waitForSelector("#room-card [data-figure=ups]");
      assert.match(await page.textContent("#room-card"), /市电供电/);
      await noHorizontalScroll(page, vp, "overview zh-CN");
      await shot(page, vp, "13-overview-zh");
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
      await shot(page, vp, "14-logged-out");
    });

    test("no script errors and no CSP violations", () => {
      assert.deepEqual(problems, []);
    });
  });
}

/* ---- security ---- */

describe("security", () => {
  async function loggedIn(user, password) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.on("dialog", (d) => d.accept());
    await page.goto(base + "/");
    await page.fill("#login-user", user);
    await page.fill("#login-password", password);
    await page.click("#login-submit");
    await page.waitForSelector("#nav a");
    return { context, page };
  }

  /* A request from the page with its session cookie; csrf: true sends the session's token. */
  function fromPage(page, method, p, body, csrf) {
    return page.evaluate(async ([m, u, b, c]) => {
      const headers = { "Content-Type": "application/json" };
      if (c) headers["X-CSRF-Token"] = (await (await fetch("/api/v1/me")).json()).csrf;
      const r = await fetch(u, { method: m, headers, body: b === null ? undefined : JSON.stringify(b) });
      return r.status;
    }, [method, p, body === undefined ? null : body, !!csrf]);
  }

  test("no page and no API without a session", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const route of ["#/overview", "#/devices", "#/device/" + SWITCH, "#/settings", "#/audit"]) {
      await page.goto(base + "/" + route);
      await page.waitForSelector("#login-user");
      assert.equal(await page.isVisible("#nav a"), false, route);
      assert.ok(!(await page.textContent("main")).includes(SWITCH), route);
    }
    for (const p of ["/api/v1/devices", "/api/v1/devices/1/interfaces", "/api/v1/series", "/api/v1/users",
      "/api/v1/tokens", "/api/v1/audit", "/api/v1/me", "/api/v1/discovery/1"])
      assert.equal(await page.evaluate(async (u) => (await fetch(u)).status, p), 401, p);
    assert.equal(await fromPage(page, "POST", "/api/v1/devices", { address: "127.0.0.7" }), 401);
    await context.close();
  });

  test("a change without the session's CSRF token is refused", async () => {
    const { context, page } = await loggedIn("admin", ADMIN_PW);
    const id = (await api("GET", "/api/v1/devices/" + SWITCH)).body.id;
    assert.equal(await fromPage(page, "PATCH", "/api/v1/devices/" + id, { room: "csrf" }), 403);
    assert.equal(await fromPage(page, "DELETE", "/api/v1/devices/" + id), 403);
    assert.equal(await fromPage(page, "POST", "/api/v1/tokens", { name: "csrf", kind: "api", role: "viewer" }), 403);
    assert.equal(await fromPage(page, "POST", "/api/v1/discovery", { ranges: "127.0.11.0/30" }), 403);
    assert.notEqual((await api("GET", "/api/v1/devices/" + id)).body.room, "csrf");
    // with it, the same session may
    assert.equal(await fromPage(page, "PATCH", "/api/v1/devices/" + id, { rack: "A1" }, true), 200);
    await context.close();
  });

  test("a viewer sees no controls that change anything, and the API refuses them", async () => {
    const { context, page } = await loggedIn("vera", VIEWER_PW);
    assert.equal(await page.locator("#nav a[data-route='settings']").count(), 0);
    await page.goto(base + "/#/devices");
    await page.waitForSelector(`main table a:has-text('${SWITCH}')`);
    assert.equal(await page.locator("#add-device").count(), 0);
    await page.click(`main table a:has-text('${SWITCH}')`);
    await page.waitForSelector(`#interfaces-card tr[data-ifname='${UPLINK}']`);
    assert.equal(await page.locator("#device-actions button").count(), 0);
    await page.goto(base + "/#/settings");
    await page.waitForFunction(() => location.hash === "#/overview");
    assert.equal(await page.locator("#devices-card, #tokens-card, #discovery-card").count(), 0);
    const id = (await api("GET", "/api/v1/devices/" + SWITCH)).body.id;
    for (const [m, p, b] of [["PATCH", "/api/v1/devices/" + id, { room: "viewer" }], ["DELETE", "/api/v1/devices/" + id],
      ["POST", "/api/v1/devices", { address: "127.0.0.7" }], ["POST", "/api/v1/discovery", { ranges: "127.0.11.0/30" }],
      ["POST", "/api/v1/tokens", { name: "v", kind: "api", role: "admin" }],
      ["POST", "/api/v1/users", { name: "eve", role: "admin", password: "long enough pw" }]])
      assert.equal(await fromPage(page, m, p, b, true), 403, m + " " + p);
    const d = (await api("GET", "/api/v1/devices/" + id)).body;
    assert.notEqual(d.room, "viewer");
    assert.equal((await api("GET", "/api/v1/devices")).body.some((x) => x.address === "127.0.0.7"), false);
    await shot(page, { name: "viewer" }, "01-overview");
    await context.close();
  });
});

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
    for (const s of ["scripts.js", ...scriptList()]) {
      const r = await fetch(base + "/" + s);
      assert.equal(r.status, 200, s);
      assert.match(r.headers.get("content-type"), /javascript/, s);
    }
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
    await page.waitForSelector("#login-user");	// every listed script came from the cache
    assert.equal(await page.title(), "campusmon" + (await page.title()).slice(9));
    await context.close();
  });
});
