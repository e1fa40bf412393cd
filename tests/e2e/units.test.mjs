// units.test.mjs — web UI checks that need no browser and no collector:
// the one list of scripts, and pure functions run in node:vm (web.mjs).
// Run: cd tests/e2e && node --test units.test.mjs
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { WEB, scriptList } from "./web.mjs";

describe("the script list (web/scripts.js)", () => {
  const list = scriptList();

  test("names existing files, each once, app.js last", () => {
    assert.ok(list.length > 5, list.join(" "));
    assert.equal(new Set(list).size, list.length, "a script listed twice");
    for (const s of list) assert.ok(fs.existsSync(path.join(WEB, s)), s);
    assert.equal(list.at(-1), "app.js");
  });

  test("every script in web/ is listed, and web/local.am installs them all", () => {
    const here = fs.readdirSync(WEB).filter((f) => f.endsWith(".js") && !["scripts.js", "sw.js"].includes(f));
    assert.deepEqual([...here].sort(), [...list].sort());
    const am = fs.readFileSync(path.join(WEB, "local.am"), "utf8").replace(/\\\n/g, " ");
    const installed = am.match(/dist_web_DATA\s*=([^\n]*)/)[1].trim().split(/\s+/).map((f) => f.replace(/^web\//, ""));
    for (const f of [...list, "scripts.js", "sw.js", "index.html"]) assert.ok(installed.includes(f), f + " not in local.am");
  });

  test("index.html loads only scripts.js, and the service worker caches what it lists", () => {
    const html = fs.readFileSync(path.join(WEB, "index.html"), "utf8");
    assert.deepEqual([...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]), ["/scripts.js"]);
    const sw = fs.readFileSync(path.join(WEB, "sw.js"), "utf8");
    assert.match(sw, /importScripts\("\/scripts\.js"\)/);
    assert.match(sw, /self\.CM_SCRIPTS\.map/);
  });
});
