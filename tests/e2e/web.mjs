// web.mjs — the web UI's plain scripts, loaded into a node:vm context for
// tests that need no browser: the script list (web/scripts.js) and pure
// functions such as CM.fmt and CM.compareAddress.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

export const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "web");

/* The scripts the page loads, in order, as web/scripts.js lists them (run as the service worker does). */
export function scriptList() {
  const ctx = vm.createContext({});
  ctx.self = ctx;
  vm.runInContext(fs.readFileSync(path.join(WEB, "scripts.js"), "utf8"), ctx, { filename: "scripts.js" });
  return [...ctx.CM_SCRIPTS];
}

/* Run the named web/ files in one fresh context without a DOM; returns its CM. */
export function loadWeb(...files) {
  const ctx = vm.createContext({ console, localStorage: { getItem: () => null, setItem() {} },
    navigator: { language: "en-US", languages: ["en-US"] } });
  ctx.window = ctx.self = ctx;
  for (const f of files) vm.runInContext(fs.readFileSync(path.join(WEB, f), "utf8"), ctx, { filename: f });
  return ctx.CM;
}
