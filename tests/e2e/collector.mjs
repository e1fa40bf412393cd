// collector.mjs — start the built campusmon-collector on 127.0.0.1, port 0,
// with its data in dir, for a test; resolves to {url, token, stop()}.
import { spawn } from "node:child_process";
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
