/*
 * view-hosts.js — servers (agent hosts): the list, and one server's page with
 * its figures, filesystems, disks, network and graphs.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, route, fmt, t } = CM;
  const main = document.getElementById("main");
  const { card, badge, stat, table, errorText, fill, GRAPH_REFRESH_MS, seriesOf, fresh, seriesLabel,
    seriesLine, pick, rangeState, rangePicker, graph } = CM.ui;

  /* ---- servers (agent hosts) ---- */
  function viewHosts() {
    main.appendChild(el("h1", {}, t("servers")));
    const body = el("div");
    main.appendChild(card(null, body));
    async function refresh() {
      fill(body, async () => {
        const [sys, cpu, idle, iowait, mem] = await Promise.all([
          seriesOf({ measurement: "system", field: "load1" }),
          seriesOf({ measurement: "cpu", field: "usage_percent" }),
          seriesOf({ measurement: "cpu", field: "usage_idle" }),	/* Telegraf */
          seriesOf({ measurement: "cpu", field: "usage_iowait" }),
          seriesOf({ measurement: "mem", field: "used_percent" })]);
        const hosts = {};
        for (const s of sys) hosts[s.host] = { host: s.host, sys: s };
        for (const h of Object.values(hosts)) {
          const busy = cpuBusy([...cpu, ...idle, ...iowait].filter((s) => s.host === h.host));
          if (busy) h.cpu = busy;
        }
        for (const s of mem) if (hosts[s.host]) hosts[s.host].mem = s;
        return table([
          { label: t("host"), get: (h) => el("a", { href: route("host", h.host), class: "break" }, h.host) },
          { label: t("status"), get: (h) => badge(fresh(h.sys) ? "up" : "down", fresh(h.sys) ? t("reporting") : t("silent")) },
          { label: t("cpu"), get: (h) => fmt(h.cpu && h.cpu.last, "%"), num: true },
          { label: t("memory"), get: (h) => fmt(h.mem && h.mem.last, "%"), num: true },
          { label: t("load"), get: (h) => fmt(h.sys.last), num: true },
          { label: t("last_seen"), get: (h) => CM.ago(h.sys.last_ts), num: true },
        ], Object.values(hosts).sort((a, b) => a.host.localeCompare(b.host)), { empty: t("no_agents"), onRow: (h) => { location.hash = route("host", h.host); } });
      });
    }
    return { refresh };
  }

  /* CPU busy of a host: campusmon's agent sends usage_percent; Telegraf sends
     usage_idle and usage_iowait, and busy is 100 − idle − iowait as the agent
     computes it. Returns { last, line } (line: a graph line) or null. */
  function cpuBusy(rows) {
    const total = (tg) => tg.cpu === "cpu-total";
    const own = pick(rows, "cpu", "usage_percent", total)[0];
    if (own) return { series: own, last: own.last, line: { id: own.id, label: t("cpu") } };
    const idle = pick(rows, "cpu", "usage_idle", total)[0];
    if (!idle) return null;
    const iowait = pick(rows, "cpu", "usage_iowait", total)[0];
    const busy = (i, w) => (i === null || i === undefined ? null : Math.max(0, 100 - i - (w || 0)));
    return { series: idle, last: busy(idle.last, iowait && iowait.last),
      line: { ids: iowait ? [idle.id, iowait.id] : [idle.id], map: busy, label: t("cpu") } };
  }

  function viewHost(name) {
    main.appendChild(el("p", { class: "small" }, el("a", { href: "#/hosts" }, "‹ " + t("servers"))));
    main.appendChild(el("h1", { class: "break", id: "host-name" }, name));
    const tiles = el("div", { class: "stats" });
    const fsBox = el("div"), diskBox = el("div"), netBox = el("div"), alertBox = el("div"), checkBox = el("div");
    const range = rangeState();
    const gCpu = graph(range, t("cpu_usage"), [], "%", { half: true, id: "graph-cpu" });
    const gMem = graph(range, t("memory_used"), [], "%", { half: true, id: "graph-memory" });
    const gNet = graph(range, t("network"), [], "bps", { half: true, id: "graph-network" });
    const gDisk = graph(range, t("disk_iops"), [], "ps", { half: true, id: "graph-disk" });
    const gAny = graph(range, t("any_series"), [], "", { id: "graph-any" });
    const anySelect = el("select", { "aria-label": t("any_series") });
    main.appendChild(el("div", { class: "grid" },
      el("section", { class: "card wide" }, el("h2", {}, t("now")), tiles),
      el("section", { class: "card", id: "host-alerts-card" }, el("h2", {}, t("alerts")), alertBox),
      el("section", { class: "card", id: "host-checks-card" }, el("h2", {}, t("checks")), checkBox),
      card(t("filesystems"), fsBox), card(t("disks"), diskBox),
      el("section", { class: "card wide", id: "network-card" },
        el("h2", {}, t("network"), " ", el("span", { class: "unit-note" }, t("unit_bps"))), netBox),
      el("section", { class: "card wide" }, rangePicker(range), el("p", { class: "muted small" }, t("zoom_hint"))),
      gCpu.node, gMem.node, gNet.node, gDisk.node,
      el("section", { class: "card wide" }, el("label", { class: "field" }, t("any_series"), anySelect)), gAny.node));
    let netIf = null, disk = null, first = true, rows = [];
    gAny.node.hidden = true;
    anySelect.addEventListener("change", () => {
      const s = rows.find((r) => String(r.id) === anySelect.value);
      gAny.node.hidden = !s;
      if (s) gAny.setSeries([seriesLine(s)], seriesLabel(s), CM.displayOf(s.measurement, s.field).unit);
    });

    function setNet(iface) {
      netIf = iface;
      const recv = pick(rows, "net", "bytes_recv_ps", (tg) => tg.interface === iface)[0];
      const sent = pick(rows, "net", "bytes_sent_ps", (tg) => tg.interface === iface)[0];
      gNet.setSeries([recv, sent].filter(Boolean).map((s) => seriesLine(s, s === recv ? t("in") : t("out"))),
        t("network") + " · " + iface);
    }
    function setDisk(name) {
      disk = name;
      const r = pick(rows, "diskio", "reads_ps", (tg) => tg.name === name)[0];
      const w = pick(rows, "diskio", "writes_ps", (tg) => tg.name === name)[0];
      gDisk.setSeries([r, w].filter(Boolean).map((s) => ({ id: s.id, label: (s === r ? t("reads") : t("writes")) })),
        t("disk_iops") + " · " + name);
    }

    async function refresh() {
      try {
        rows = await seriesOf({ host: name });
      } catch (e) {
        if (e.status !== 401) { clear(tiles); tiles.appendChild(errorText(e)); }
        return;
      }
      const one = (m, f, ok) => pick(rows, m, f, ok)[0];
      const cpu = cpuBusy(rows);
      const mem = one("mem", "used_percent");
      const memTotal = one("mem", "total");
      const load = one("system", "load1");
      const up = one("system", "uptime");
      clear(tiles);
      CM.append(tiles, [
        stat(t("cpu"), fmt(cpu && cpu.last, "%")),
        stat(t("memory"), fmt(mem && mem.last, "%")),
        stat(t("memory_total"), fmt(memTotal && memTotal.last, "bytes")),
        stat(t("load"), fmt(load && load.last)),
        stat(t("uptime"), up && up.last ? CM.duration(up.last) : "–"),
        stat(t("last_seen"), CM.ago(Math.max(0, ...rows.map((s) => s.last_ts || 0)))),
      ]);
      fill(alertBox, async () => {
        const a = await CM.apiOptional("/api/v1/alerts?state=all&limit=50&device=" + encodeURIComponent(name));
        return a === undefined ? CM.ui.notYet(t("alerts")) :
          CM.alertList(a, { noDevice: true, compact: true, empty: t("no_device_alerts"), changed: refresh });
      });
      /* Nagios-compatible checks run by the agent: nagios_state (0 OK … 3 UNKNOWN) */
      const checks = pick(rows, "nagios_state", "state");
      clear(checkBox);
      const WORDS = ["ok", "warning", "critical", "unknown"];
      checkBox.appendChild(table([
        { label: t("check"), get: (s) => el("span", { class: "break" }, Object.entries(s.tags || {})
          .filter((kv) => kv[0] !== "host").map((kv) => kv[1]).join(" ") || s.measurement) },
        { label: t("status"), get: (s) => { const w = WORDS[s.last] || "unknown"; return badge(w === "ok" ? "ok" : w, t("check_" + w)); } },
        { label: t("last_seen"), get: (s) => CM.ago(s.last_ts), num: true },
      ], checks, { compact: true, empty: t("no_checks") }));
      const fs = pick(rows, "disk", "used_percent");
      clear(fsBox);
      fsBox.appendChild(table([
        { label: t("mount"), get: (s) => s.tags.path },
        { label: t("fstype"), get: (s) => s.tags.fstype || "" },
        { label: t("used"), get: (s) => fmt(s.last, "%"), num: true },
        { label: t("size"), get: (s) => { const tot = one("disk", "total", (tg) => tg.path === s.tags.path); return fmt(tot && tot.last, "bytes"); }, num: true },
      ], fs.sort((a, b) => String(a.tags.path).localeCompare(String(b.tags.path))), { compact: true }));
      const disks = pick(rows, "diskio", "reads_ps", (tg) => tg.type !== "partition");
      const dvRaw = (n, f) => { const s = one("diskio", f, (tg) => tg.name === n); return s ? s.last : null; };
      /* Telegraf's diskio has time counters (ms, made rates by ingest.counters)
         instead of the agent's await and util: ms per request, and ms busy per
         second ÷ 10 = percent. */
      const perReq = (n, ms, count) => { const a = dvRaw(n, ms), b = dvRaw(n, count); return a === null || b === null ? null : b > 0 ? a / b : 0; };
      const derived = {
        read_await_ms: (n) => perReq(n, "read_time_ps", "reads_ps"),
        write_await_ms: (n) => perReq(n, "write_time_ps", "writes_ps"),
        util_percent: (n) => { const v = dvRaw(n, "io_time_ps"); return v === null ? null : Math.min(100, v / 10); },
      };
      const dv = (n, f) => { const v = dvRaw(n, f); return v !== null || !derived[f] ? v : derived[f](n); };
      clear(diskBox);
      diskBox.appendChild(table([
        { label: t("disk"), get: (s) => s.tags.name },
        { label: t("reads"), get: (s) => fmt(s.last, "ps"), num: true },
        { label: t("writes"), get: (s) => fmt(dv(s.tags.name, "writes_ps"), "ps"), num: true },
        { label: t("read_latency"), get: (s) => fmt(dv(s.tags.name, "read_await_ms"), "ms"), num: true, wideOnly: true },
        { label: t("write_latency"), get: (s) => fmt(dv(s.tags.name, "write_await_ms"), "ms"), num: true, wideOnly: true },
        { label: t("latency_rw"), get: (s) => fmt(dv(s.tags.name, "read_await_ms")).replace(/ .*/, "") + " / " +
          fmt(dv(s.tags.name, "write_await_ms"), "ms"), num: true, narrowOnly: true },
        { label: t("busy"), get: (s) => fmt(dv(s.tags.name, "util_percent"), "%"), num: true, wideOnly: true },
      ], disks, { onRow: (s) => { setDisk(s.tags.name); refresh(); }, selected: (s) => s.tags.name === disk, compact: true }));
      const nets = pick(rows, "net", "bytes_recv_ps");
      const bits = (v) => (typeof v === "number" ? v * 8 : v);	/* links in bits, as on device pages */
      const nv = (i, f) => { const s = one("net", f, (tg) => tg.interface === i); return s ? s.last : null; };
      clear(netBox);
      netBox.appendChild(table([
        { label: t("interface"), get: (s) => s.tags.interface },
        { label: t("in"), get: (s) => fmt(bits(s.last), "bps"), num: true },
        { label: t("out"), get: (s) => fmt(bits(nv(s.tags.interface, "bytes_sent_ps")), "bps"), num: true },
        { label: t("errors"), get: (s) => fmt((nv(s.tags.interface, "err_in_ps") || 0) + (nv(s.tags.interface, "err_out_ps") || 0), "ps"), num: true, wideOnly: true },
      ], nets.sort((a, b) => String(a.tags.interface).localeCompare(String(b.tags.interface))),
      { onRow: (s) => { setNet(s.tags.interface); refresh(); }, selected: (s) => s.tags.interface === netIf, compact: true }));
      if (first) {
        first = false;
        if (cpu) gCpu.setSeries([cpu.line]);
        else gCpu.reload();
        if (mem) gMem.setSeries([{ id: mem.id, label: t("memory") }]);
        else gMem.reload();
        const busiestNet = nets.filter((s) => s.tags.interface !== "lo").sort((a, b) => (b.last || 0) - (a.last || 0))[0];
        if (busiestNet) setNet(busiestNet.tags.interface);
        else gNet.reload();
        const busiestDisk = disks.sort((a, b) => (b.last || 0) - (a.last || 0))[0];
        if (busiestDisk) setDisk(busiestDisk.tags.name);
        else gDisk.reload();
        const numeric = rows.filter((s) => s.type !== "string").sort((a, b) => seriesLabel(a).localeCompare(seriesLabel(b)));
        clear(anySelect);
        anySelect.appendChild(el("option", { value: "" }, t("choose")));
        for (const s of numeric) anySelect.appendChild(el("option", { value: String(s.id) }, seriesLabel(s)));
      }
    }
    const graphTimer = setInterval(() => {
      if (!document.hidden && range.from === null) for (const g of [gCpu, gMem, gNet, gDisk, gAny]) g.reload();
    }, GRAPH_REFRESH_MS);
    return { refresh, stop: () => clearInterval(graphTimer) };
  }

  CM.views.hosts = viewHosts;
  CM.views.host = viewHost;
})();
