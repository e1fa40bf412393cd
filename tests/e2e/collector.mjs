// collector.mjs — real peers for a test: the built campusmon-collector on
// 127.0.0.1, port 0, with its data in dir (resolves to {url, token, stop()}),
// and snmpsimd serving device recordings.
import { execFileSync, spawn } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BUILD = process.env.CAMPUSMON_BUILD || path.join(REPO, "build");

export async function startCollector(dir, env = {}, args = []) {
  const token = "e2e-map-token";
  const log = path.join(dir, "collector.log");
  const out = fs.openSync(log, "a");
  const p = spawn(path.join(BUILD, "collector", "campusmon-collector"),
    ["--listen", "127.0.0.1:0", "--data-dir", path.join(dir, "collector"), ...args],
    { env: { ...process.env, CAMPUSMON_BOOTSTRAP_TOKEN: token, ...env }, stdio: ["ignore", out, out] });
  const stop = () => new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once("exit", resolve);
    p.kill("SIGTERM");
    setTimeout(() => { p.kill("SIGKILL"); resolve(); }, 5000);
  });
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const text = fs.readFileSync(log, "utf8");
    if (p.exitCode !== null) throw new Error("the collector exited:\n" + text);
    const m = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    if (m && text.includes(" ready")) return { url: `http://127.0.0.1:${m[1]}`, token, stop, log };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error("the collector did not start:\n" + fs.readFileSync(log, "utf8"));
}

// snmpsimd serving copies of these recordings of ../shared/devices (never
// copied into the repo) on 127.0.0.1, a free UDP port; each answers on its
// own community (the file's name). Resolves to {port, stop()}.
export async function startSnmpsim(dir, names) {
  const shared = path.resolve(REPO, "..", "shared", "devices");
  const data = path.join(dir, "snmpsim", "data"), cache = path.join(dir, "snmpsim", "cache");
  fs.mkdirSync(data, { recursive: true });
  fs.mkdirSync(cache, { recursive: true });
  for (const n of names) fs.copyFileSync(path.join(shared, n + ".snmprec"), path.join(data, n + ".snmprec"));
  execFileSync("chown", ["-R", "nobody:nogroup", path.join(dir, "snmpsim")]);
  const port = await new Promise((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    s.on("error", reject);
    s.bind(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const log = path.join(dir, "snmpsimd.log");
  const p = spawn("snmpsimd", ["--data-dir=" + data, "--cache-dir=" + cache, "--process-user=nobody",
    "--process-group=nogroup", `--agent-udpv4-endpoint=127.0.0.1:${port}`], { stdio: ["ignore", fs.openSync(log, "a"), fs.openSync(log, "a")] });
  const stop = () => new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once("exit", resolve);
    p.kill("SIGTERM");
    setTimeout(resolve, 5000);
  });
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (p.exitCode !== null) throw new Error("snmpsimd exited:\n" + fs.readFileSync(log, "utf8"));
    try {
      execFileSync("snmpget", ["-v2c", "-c", names[0], "-t", "0.5", "-r", "0", `127.0.0.1:${port}`, "1.3.6.1.2.1.1.5.0"],
        { stdio: "ignore" });
      return { port, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  await stop();
  throw new Error("snmpsimd did not answer:\n" + fs.readFileSync(log, "utf8"));
}
