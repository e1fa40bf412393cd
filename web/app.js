/*
 * app.js — the campusmon web UI: login, overview, servers (agent hosts),
 * devices, settings (users, tokens) and the audit trail, as views routed by
 * the URL hash. Views poll the JSON API while visible. Every string shown
 * comes from i18n.js; every value from the API is inserted as text.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, route, api, apiOptional, fmt, t } = CM;
  const REFRESH_MS = 15000;
  const GRAPH_REFRESH_MS = 60000;
  const RANGES = [["1h", 3600], ["1d", 86400], ["1w", 7 * 86400], ["1y", 365 * 86400]];

  const main = document.getElementById("main");
  const top = document.getElementById("top");
  const banner = document.getElementById("banner");
  let current = null;			/* {refresh, stop} of the view on screen */
  let timer = null;
  let afterLogin = "#/overview";

  /* ---- roles ---- */
  const role = () => CM.session.role;
  const canRead = () => ["admin", "operator", "viewer"].includes(role());
  const isAdmin = () => role() === "admin";
  const canAudit = () => ["admin", "auditor"].includes(role());

  /* ---- small building blocks ---- */
  function card(title, ...body) {
    return el("section", { class: "card" }, title ? el("h2", {}, title) : null, ...body);
  }

  function badge(word, label) {
    const w = String(word || "unknown");
    return el("span", { class: "badge s-" + w.replace(/[^A-Za-z0-9_]/g, "") }, label || t("state_" + w, null, w));
  }

  function stat(label, value) {
    return el("div", { class: "stat" }, el("div", { class: "label" }, label),
      el("div", { class: "value" }, value));
  }

  /* A table; columns: [{label, get(row) → node|text, num}] */
  function table(columns, rows, opts) {
    opts = opts || {};
    const body = el("tbody");
    for (const r of rows) {
      const tr = el("tr", { class: opts.onRow ? "clickable" : null });
      if (opts.onRow) tr.addEventListener("click", (ev) => {
        if (ev.target.closest("a,button,input,select")) return;
        opts.onRow(r, tr);
      });
      if (opts.selected && opts.selected(r)) tr.classList.add("selected");
      for (const c of columns)
        tr.appendChild(el("td", { class: c.num ? "num" : null, "data-label": c.label }, c.get(r)));
      body.appendChild(tr);
    }
    if (rows.length === 0)
      body.appendChild(el("tr", {}, el("td", { colspan: columns.length, class: "muted" },
        opts.empty || t("nothing_yet"))));
    return el("div", { class: "table-wrap" }, el("table", { class: "data" },
      el("thead", {}, el("tr", {}, columns.map((c) => el("th", { class: c.num ? "num" : null }, c.label)))),
      body));
  }

  function errorText(e) {
    return el("p", { class: "error-text" }, e && e.message ? e.message : String(e));
  }

  function notYet(what) {
    return el("p", { class: "muted" }, t("not_available_yet", { what }));
  }

  function showBanner(text, isError) {
    banner.textContent = text || "";
    banner.classList.toggle("error", !!isError);
    banner.hidden = !text;
  }
  CM.onOffline = (off) => {
    if (off) showBanner(t("offline"), true);
    else if (banner.textContent === t("offline")) showBanner("");
  };

  /* Fill a container from an async loader; keeps the old content on error. */
  async function fill(node, loader) {
    try {
      const content = await loader();
      clear(node);
      CM.append(node, [content]);
    } catch (e) {
      if (e.status === 401) return;
      clear(node);
      node.appendChild(errorText(e));
    }
  }

  /* ---- series helpers ---- */
  async function seriesOf(q) {
    const qs = Object.entries(q).map(([k, v]) => k + "=" + encodeURIComponent(v)).join("&");
    return (await api("GET", "/api/v1/series?" + qs)) || [];
  }

  function fresh(s) {
    if (!s || !s.last_ts) return false;
    return Date.now() / 1000 - s.last_ts < Math.max(3 * (s.step || 10), 180);
  }

  function tagText(tags) {
    return Object.entries(tags || {}).filter(([k]) => k !== "host")
      .map(([k, v]) => k + "=" + v).join(", ");
  }

  function seriesLabel(s) {
    const tags = tagText(s.tags);
    return s.measurement + "." + s.field + (tags ? " (" + tags + ")" : "");
  }

  /* ---- graphs with a shared range ---- */
  function rangeState() {
    return { span: 3600, from: null, to: null, listeners: [] };
  }

  function rangePicker(range) {
    const seg = el("div", { class: "seg", role: "group", "aria-label": t("range") });
    const reset = el("button", { type: "button", class: "btn secondary", hidden: true }, t("zoom_reset"));
    function paint() {
      for (const b of seg.children) b.classList.toggle("on", range.from === null && +b.dataset.span === range.span);
      reset.hidden = range.from === null;
    }
    for (const [label, span] of RANGES) {
      seg.appendChild(el("button", { type: "button", dataset: { span: String(span) },
        onclick: () => { range.span = span; range.from = range.to = null; paint(); range.listeners.forEach((f) => f()); } },
      t("range_" + label)));
    }
    reset.addEventListener("click", () => { range.from = range.to = null; paint(); range.listeners.forEach((f) => f()); });
    range.listeners.push(paint);
    paint();
    return el("div", { class: "row" }, el("span", { class: "muted small" }, t("range")), seg, reset);
  }

  /* A chart of series [{id, label}] following range; returns {node, reload, setSeries}. */
  function graph(range, title, list, unit) {
    const body = el("div");
    const head = el("h2", {}, title);
    const node = el("section", { class: "card wide graph", "data-graph": "1" }, head, body);
    let chart = null;
    let series = list;
    async function reload() {
      const now = Math.floor(Date.now() / 1000);
      const from = range.from !== null ? range.from : now - range.span;
      const to = range.to !== null ? range.to : now;
      if (series.length === 0) {
        clear(body);
        body.appendChild(el("p", { class: "muted" }, t("no_data")));
        chart = null;
        return;
      }
      try {
        const lines = await Promise.all(series.map(async (s) => {
          const q = await api("GET", "/api/v1/query?series=" + encodeURIComponent(s.id) +
            "&from=" + from + "&to=" + to);
          return { label: s.label, points: (q && q.points) || [] };
        }));
        const opts = { lines, unit, from, to, title,
          onZoom: (a, b) => { range.from = a; range.to = b; range.listeners.forEach((f) => f()); } };
        if (!chart) {
          clear(body);
          chart = CM.chart(body, opts);
        } else {
          chart.update(opts);
        }
        node.dataset.points = String(lines.reduce((n, l) => n + l.points.filter((p) => p[1] !== null).length, 0));
      } catch (e) {
        if (e.status !== 401) { clear(body); chart = null; body.appendChild(errorText(e)); }
      }
    }
    range.listeners.push(reload);
    return {
      node, reload,
      setSeries(next, nextTitle, nextUnit) {
        series = next;
        if (nextTitle) head.textContent = nextTitle;
        if (nextUnit !== undefined) unit = nextUnit;
        reload();
      },
    };
  }

  /* ---- login ---- */
  function viewLogin() {
    top.hidden = true;
    const user = el("input", { type: "text", name: "user", id: "login-user", autocomplete: "username",
      autocapitalize: "none", spellcheck: "false", required: true });
    const pass = el("input", { type: "password", name: "password", id: "login-password",
      autocomplete: "current-password", required: true });
    const msg = el("p", { class: "error-text", role: "alert" });
    const submit = el("button", { type: "submit", class: "btn", id: "login-submit" }, t("login"));
    const form = el("form", { class: "card", novalidate: true },
      el("div", { class: "brandline" }, el("img", { src: "/icon.svg", alt: "" }), el("h1", {}, "campusmon")),
      el("label", { class: "field" }, t("user_name"), user),
      el("label", { class: "field" }, t("password"), pass),
      msg, submit,
      el("button", { type: "button", class: "btn secondary", onclick: toggleLang }, t("other_language")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      msg.textContent = "";
      submit.disabled = true;
      try {
        const r = await api("POST", "/api/v1/login", { user: user.value, password: pass.value });
        pass.value = "";
        CM.session = { user: r.user, role: r.role, csrf: r.csrf, kind: "session" };
        startApp();
        location.hash = afterLogin && afterLogin !== "#/login" ? afterLogin : defaultRoute();
        if (location.hash === afterLogin) render();
      } catch (e) {
        msg.textContent = e.status === 401 ? t("login_failed") : e.message;
      } finally {
        submit.disabled = false;
      }
    });
    main.appendChild(el("div", { class: "login" }, form));
    user.focus();
    return {};
  }

  /* ---- overview ---- */
  function viewOverview() {
    main.appendChild(el("h1", {}, t("overview")));
    const agents = el("div"), kinds = el("div"), alerts = el("div"), room = el("div"), links = el("div");
    main.appendChild(el("div", { class: "grid" },
      card(t("health_by_kind"), kinds), card(t("active_alerts"), alerts),
      card(t("machine_room"), room), card(t("busiest_links"), links),
      el("section", { class: "card wide", id: "agents-card" }, el("h2", {}, t("agents_reporting")), agents)));

    async function refresh() {
      let devices;
      const devicesP = apiOptional("/api/v1/devices").then((d) => (devices = d));
      fill(agents, async () => {
        const rows = await seriesOf({ measurement: "system", field: "load1" });
        const up = rows.filter(fresh).length;
        return [el("p", {}, t("agents_summary", { up, total: rows.length })),
          table([
            { label: t("host"), get: (s) => el("a", { href: route("host", s.host), class: "break" }, s.host) },
            { label: t("status"), get: (s) => badge(fresh(s) ? "up" : "down", fresh(s) ? t("reporting") : t("silent")) },
            { label: t("load"), get: (s) => fmt(s.last), num: true },
            { label: t("last_seen"), get: (s) => CM.ago(s.last_ts), num: true },
          ], rows.sort((a, b) => a.host.localeCompare(b.host)), { empty: t("no_agents") })];
      });
      fill(kinds, async () => {
        await devicesP;
        if (devices === undefined) return notYet(t("devices"));
        const by = {};
        for (const d of devices) {
          const k = by[d.kind] || (by[d.kind] = { kind: d.kind, total: 0, up: 0, down: 0, other: 0 });
          k.total++;
          if (d.status === "up") k.up++;
          else if (d.status === "down" || d.status === "unreachable") k.down++;
          else k.other++;
        }
        return table([
          { label: t("kind"), get: (k) => el("a", { href: "#/devices?kind=" + encodeURIComponent(k.kind) }, t("kind_" + k.kind, null, k.kind)) },
          { label: t("total"), get: (k) => k.total, num: true },
          { label: t("state_up"), get: (k) => k.up, num: true },
          { label: t("state_down"), get: (k) => (k.down ? badge("down", String(k.down)) : "0"), num: true },
          { label: t("state_unknown"), get: (k) => k.other, num: true },
        ], Object.values(by).sort((a, b) => a.kind.localeCompare(b.kind)), { empty: t("no_devices") });
      });
      fill(alerts, async () => {
        const a = await apiOptional("/api/v1/alerts?state=active");
        if (a === undefined) return notYet(t("alerts"));
        return table([
          { label: t("severity"), get: (x) => badge(x.severity) },
          { label: t("alert"), get: (x) => x.name || x.summary || x.id },
          { label: t("device"), get: (x) => x.device || x.host || "" },
          { label: t("since"), get: (x) => CM.ago(x.since || x.started), num: true },
        ], a, { empty: t("no_alerts") });
      });
      fill(room, async () => {
        await devicesP;
        if (devices === undefined) return notYet(t("machine_room"));
        const envs = devices.filter((d) => ["ups", "sensor", "pdu"].includes(d.kind)).slice(0, 12);
        if (envs.length === 0) return el("p", { class: "muted" }, t("no_room_devices"));
        const parts = await Promise.all(envs.map(async (d) => {
          let sensors = [];
          try { sensors = (await apiOptional("/api/v1/devices/" + encodeURIComponent(d.id) + "/sensors")) || []; } catch (e) { sensors = []; }
          const wanted = sensors.filter((s) => ["temperature", "humidity", "runtime", "charge", "leak", "load", "other", "door", "smoke"].includes(s.type)).slice(0, 8);
          return el("div", { class: "stat" },
            el("div", { class: "label" }, el("a", { href: route("device", d.id) }, d.name), " ", badge(d.status)),
            wanted.length ? el("ul", { class: "small" }, wanted.map((s) =>
              el("li", {}, s.name + ": " + fmt(s.value, s.unit) + " ", s.state && s.state !== "normal" ? badge(s.state) : null)))
              : el("div", { class: "muted small" }, t("no_sensors")));
        }));
        return el("div", { class: "stats" }, parts);
      });
      fill(links, async () => {
        const [ins, outs] = await Promise.all([
          seriesOf({ measurement: "interface", field: "in_bps" }),
          seriesOf({ measurement: "interface", field: "out_bps" })]);
        const rows = ins.concat(outs).filter((s) => typeof s.last === "number" && fresh(s))
          .sort((a, b) => b.last - a.last).slice(0, 10);
        return table([
          { label: t("device"), get: (s) => s.host },
          { label: t("interface"), get: (s) => (s.tags && s.tags.ifName) || "" },
          { label: t("direction"), get: (s) => (s.field === "in_bps" ? t("in") : t("out")) },
          { label: t("rate"), get: (s) => fmt(s.last, "bps"), num: true },
        ], rows, { empty: t("no_links") });
      });
      await devicesP.catch(() => {});
    }
    return { refresh };
  }

  /* ---- servers (agent hosts) ---- */
  function viewHosts() {
    main.appendChild(el("h1", {}, t("servers")));
    const body = el("div");
    main.appendChild(card(null, body));
    async function refresh() {
      fill(body, async () => {
        const [sys, cpu, mem] = await Promise.all([
          seriesOf({ measurement: "system", field: "load1" }),
          seriesOf({ measurement: "cpu", field: "usage_percent" }),
          seriesOf({ measurement: "mem", field: "used_percent" })]);
        const hosts = {};
        for (const s of sys) hosts[s.host] = { host: s.host, sys: s };
        for (const s of cpu) if (hosts[s.host] && s.tags && s.tags.cpu === "cpu-total") hosts[s.host].cpu = s;
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

  function pick(rows, measurement, field, tagOk) {
    return rows.filter((s) => s.measurement === measurement && s.field === field && s.type !== "string" &&
      (!tagOk || tagOk(s.tags || {})));
  }

  function viewHost(name) {
    main.appendChild(el("p", { class: "small" }, el("a", { href: "#/hosts" }, "‹ " + t("servers"))));
    main.appendChild(el("h1", { class: "break", id: "host-name" }, name));
    const tiles = el("div", { class: "stats" });
    const fsBox = el("div"), diskBox = el("div"), netBox = el("div");
    const range = rangeState();
    const gCpu = graph(range, t("cpu_usage"), [], "%");
    const gMem = graph(range, t("memory_used"), [], "%");
    const gNet = graph(range, t("network"), [], "Bps");
    const gDisk = graph(range, t("disk_iops"), [], "ps");
    const gAny = graph(range, t("any_series"), [], "");
    const anySelect = el("select", { "aria-label": t("any_series") });
    main.appendChild(el("div", { class: "grid" },
      el("section", { class: "card wide" }, el("h2", {}, t("now")), tiles),
      card(t("filesystems"), fsBox), card(t("disks"), diskBox),
      el("section", { class: "card wide" }, el("h2", {}, t("network")), netBox),
      el("section", { class: "card wide" }, rangePicker(range), el("p", { class: "muted small" }, t("zoom_hint"))),
      gCpu.node, gMem.node, gNet.node, gDisk.node,
      el("section", { class: "card wide" }, el("label", { class: "field" }, t("any_series"), anySelect)), gAny.node));
    let netIf = null, disk = null, first = true, rows = [];
    gAny.node.hidden = true;
    anySelect.addEventListener("change", () => {
      const s = rows.find((r) => String(r.id) === anySelect.value);
      gAny.node.hidden = !s;
      if (s) gAny.setSeries([{ id: s.id, label: seriesLabel(s) }], seriesLabel(s), CM.unitOf(s.measurement, s.field));
    });

    function setNet(iface) {
      netIf = iface;
      const recv = pick(rows, "net", "bytes_recv_ps", (tg) => tg.interface === iface)[0];
      const sent = pick(rows, "net", "bytes_sent_ps", (tg) => tg.interface === iface)[0];
      gNet.setSeries([recv, sent].filter(Boolean).map((s) => ({ id: s.id, label: (s === recv ? t("in") : t("out")) })),
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
      const cpu = one("cpu", "usage_percent", (tg) => tg.cpu === "cpu-total");
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
        stat(t("uptime"), up && up.last ? t("days", { n: (up.last / 86400).toFixed(1) }) : "–"),
        stat(t("last_seen"), CM.ago(Math.max(0, ...rows.map((s) => s.last_ts || 0)))),
      ]);
      const fs = pick(rows, "disk", "used_percent");
      clear(fsBox);
      fsBox.appendChild(table([
        { label: t("mount"), get: (s) => s.tags.path },
        { label: t("fstype"), get: (s) => s.tags.fstype || "" },
        { label: t("used"), get: (s) => fmt(s.last, "%"), num: true },
        { label: t("size"), get: (s) => { const tot = one("disk", "total", (tg) => tg.path === s.tags.path); return fmt(tot && tot.last, "bytes"); }, num: true },
      ], fs.sort((a, b) => String(a.tags.path).localeCompare(String(b.tags.path)))));
      const disks = pick(rows, "diskio", "reads_ps", (tg) => tg.type !== "partition");
      const dv = (n, f) => { const s = one("diskio", f, (tg) => tg.name === n); return s ? s.last : null; };
      clear(diskBox);
      diskBox.appendChild(table([
        { label: t("disk"), get: (s) => s.tags.name },
        { label: t("reads"), get: (s) => fmt(s.last, "ps"), num: true },
        { label: t("writes"), get: (s) => fmt(dv(s.tags.name, "writes_ps"), "ps"), num: true },
        { label: t("read_latency"), get: (s) => fmt(dv(s.tags.name, "read_await_ms"), "ms"), num: true },
        { label: t("write_latency"), get: (s) => fmt(dv(s.tags.name, "write_await_ms"), "ms"), num: true },
        { label: t("busy"), get: (s) => fmt(dv(s.tags.name, "util_percent"), "%"), num: true },
      ], disks, { onRow: (s) => { setDisk(s.tags.name); refresh(); }, selected: (s) => s.tags.name === disk }));
      const nets = pick(rows, "net", "bytes_recv_ps");
      const nv = (i, f) => { const s = one("net", f, (tg) => tg.interface === i); return s ? s.last : null; };
      clear(netBox);
      netBox.appendChild(table([
        { label: t("interface"), get: (s) => s.tags.interface },
        { label: t("in"), get: (s) => fmt(s.last, "Bps"), num: true },
        { label: t("out"), get: (s) => fmt(nv(s.tags.interface, "bytes_sent_ps"), "Bps"), num: true },
        { label: t("errors"), get: (s) => fmt((nv(s.tags.interface, "err_in_ps") || 0) + (nv(s.tags.interface, "err_out_ps") || 0), "ps"), num: true },
      ], nets.sort((a, b) => String(a.tags.interface).localeCompare(String(b.tags.interface))),
      { onRow: (s) => { setNet(s.tags.interface); refresh(); }, selected: (s) => s.tags.interface === netIf }));
      if (first) {
        first = false;
        if (cpu) gCpu.setSeries([{ id: cpu.id, label: t("cpu") }]);
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

  /* ---- devices ---- */
  const KINDS = ["switch", "router", "firewall", "wlc", "ap", "server", "storage", "ups", "pdu",
    "sensor", "camera", "printer", "other"];
  const STATUSES = ["up", "down", "unreachable", "unknown"];

  function viewDevices(params) {
    main.appendChild(el("h1", {}, t("devices")));
    const q = el("input", { type: "search", placeholder: t("search_devices"), "aria-label": t("search_devices") });
    const kind = el("select", { "aria-label": t("kind") }, el("option", { value: "" }, t("all_kinds")),
      KINDS.map((k) => el("option", { value: k }, t("kind_" + k, null, k))));
    const status = el("select", { "aria-label": t("status") }, el("option", { value: "" }, t("all_statuses")),
      STATUSES.map((s) => el("option", { value: s }, t("state_" + s, null, s))));
    const where = el("input", { type: "search", placeholder: t("location"), "aria-label": t("location") });
    const mon = el("select", { "aria-label": t("monitored") }, el("option", { value: "" }, t("monitored_any")),
      el("option", { value: "yes" }, t("monitored_yes")), el("option", { value: "no" }, t("monitored_no")));
    kind.value = params.kind || "";
    status.value = params.status || "";
    const list = el("div");
    let devices = [];
    main.appendChild(el("section", { class: "card" },
      el("form", { class: "inline", onsubmit: (e) => e.preventDefault() },
        el("label", { class: "field" }, t("search"), q), el("label", { class: "field" }, t("kind"), kind),
        el("label", { class: "field" }, t("status"), status), el("label", { class: "field" }, t("location"), where),
        el("label", { class: "field" }, t("monitored"), mon)), list));
    if (isAdmin()) main.appendChild(addDeviceCard(() => refresh()));

    function loc(d) {
      return [d.site, d.building, d.room, d.rack].filter(Boolean).join(" / ");
    }
    function render() {
      const needle = q.value.trim().toLowerCase();
      const w = where.value.trim().toLowerCase();
      const rows = devices.filter((d) =>
        (!needle || [d.name, d.address, d.sys_descr, d.model, d.serial].some((x) => x && String(x).toLowerCase().includes(needle))) &&
        (!kind.value || d.kind === kind.value) && (!status.value || d.status === status.value) &&
        (!w || loc(d).toLowerCase().includes(w)) &&
        (!mon.value || (mon.value === "yes") === !!d.monitored));
      clear(list);
      list.appendChild(el("p", { class: "muted small" }, t("n_of_m", { n: rows.length, m: devices.length })));
      list.appendChild(table([
        { label: t("name"), get: (d) => el("a", { href: route("device", d.id), class: "break" }, d.name) },
        { label: t("address"), get: (d) => d.address },
        { label: t("kind"), get: (d) => t("kind_" + d.kind, null, d.kind) },
        { label: t("status"), get: (d) => badge(d.status) },
        { label: t("location"), get: (d) => loc(d) },
        { label: t("last_seen"), get: (d) => CM.ago(d.last_seen), num: true },
        { label: t("monitored"), get: (d) => (d.monitored ? t("yes") : t("no")) },
      ], rows.sort((a, b) => String(a.name).localeCompare(String(b.name))),
      { empty: devices.length ? t("no_match") : t("no_devices"), onRow: (d) => { location.hash = route("device", d.id); } }));
    }
    for (const c of [q, where]) c.addEventListener("input", render);
    for (const c of [kind, status, mon]) c.addEventListener("change", render);

    async function refresh() {
      try {
        const d = await apiOptional("/api/v1/devices");
        if (d === undefined) { clear(list); list.appendChild(notYet(t("devices"))); return; }
        devices = d;
        render();
      } catch (e) {
        if (e.status !== 401) { clear(list); list.appendChild(errorText(e)); }
      }
    }
    return { refresh };
  }

  function addDeviceCard(done) {
    const f = {
      address: el("input", { type: "text", required: true, autocomplete: "off" }),
      name: el("input", { type: "text", autocomplete: "off" }),
      community: el("input", { type: "password", autocomplete: "off" }),
      kind: el("select", {}, el("option", { value: "" }, t("kind_auto")), KINDS.map((k) => el("option", { value: k }, t("kind_" + k, null, k)))),
      site: el("input", { type: "text" }), building: el("input", { type: "text" }), room: el("input", { type: "text" }),
    };
    const msg = el("p", { class: "small" });
    const form = el("form", { class: "inline" },
      el("label", { class: "field" }, t("address"), f.address), el("label", { class: "field" }, t("name_optional"), f.name),
      el("label", { class: "field" }, t("community"), f.community), el("label", { class: "field" }, t("kind"), f.kind),
      el("label", { class: "field" }, t("site"), f.site), el("label", { class: "field" }, t("building"), f.building),
      el("label", { class: "field" }, t("room"), f.room),
      el("button", { type: "submit", class: "btn" }, t("add_device")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = { address: f.address.value.trim() };
      for (const k of ["name", "kind", "site", "building", "room"]) if (f[k].value.trim()) body[k] = f[k].value.trim();
      if (f.community.value) body.snmp = { version: "2c", community: f.community.value };
      try {
        const d = await api("POST", "/api/v1/devices", body);
        msg.className = "small";
        msg.textContent = t("device_added", { name: d.name });
        form.reset();
        done();
      } catch (e) {
        msg.className = "small error-text";
        msg.textContent = e.message;
      }
    });
    const det = el("details", { class: "card" }, el("summary", {}, t("add_device")), form, msg);
    return det;
  }

  function viewDevice(id) {
    main.appendChild(el("p", { class: "small" }, el("a", { href: "#/devices" }, "‹ " + t("devices"))));
    const title = el("h1", { class: "break" }, "…");
    const ident = el("div"), ifBox = el("div"), sensBox = el("div"), actions = el("div", { class: "row" });
    const range = rangeState();
    const gIf = graph(range, t("interface_traffic"), [], "bps");
    const gAny = graph(range, t("any_series"), [], "");
    const anySelect = el("select", { "aria-label": t("any_series") });
    main.appendChild(title);
    main.appendChild(el("div", { class: "grid" },
      card(t("identity"), ident, actions), card(t("sensors"), sensBox),
      el("section", { class: "card wide" }, el("h2", {}, t("interfaces")), ifBox),
      el("section", { class: "card wide" }, rangePicker(range), el("p", { class: "muted small" }, t("zoom_hint"))),
      gIf.node,
      el("section", { class: "card wide" }, el("label", { class: "field" }, t("any_series"), anySelect)), gAny.node));
    let dev = null, series = [], ifName = null, first = true;
    gAny.node.hidden = true;
    anySelect.addEventListener("change", () => {
      const s = series.find((r) => String(r.id) === anySelect.value);
      gAny.node.hidden = !s;
      if (s) gAny.setSeries([{ id: s.id, label: seriesLabel(s) }], seriesLabel(s), CM.unitOf(s.measurement, s.field));
    });
    function setIf(name) {
      ifName = name;
      const i = series.find((s) => s.measurement === "interface" && s.field === "in_bps" && s.tags.ifName === name);
      const o = series.find((s) => s.measurement === "interface" && s.field === "out_bps" && s.tags.ifName === name);
      gIf.setSeries([i, o].filter(Boolean).map((s) => ({ id: s.id, label: s === i ? t("in") : t("out") })),
        t("interface_traffic") + " · " + name);
    }

    async function refresh() {
      try {
        dev = await apiOptional("/api/v1/devices/" + encodeURIComponent(id));
      } catch (e) {
        if (e.status !== 401) { clear(ident); ident.appendChild(errorText(e)); }
        return;
      }
      if (dev === undefined) { title.textContent = t("device"); clear(ident); ident.appendChild(notYet(t("devices"))); return; }
      title.textContent = dev.name;
      const loc = [dev.site, dev.building, dev.room, dev.rack].filter(Boolean).join(" / ");
      const rows = [[t("status"), badge(dev.status)], [t("address"), dev.address], [t("kind"), t("kind_" + dev.kind, null, dev.kind)],
        [t("location"), loc], [t("model"), [dev.vendor, dev.model].filter(Boolean).join(" ")], [t("serial"), dev.serial],
        [t("firmware"), dev.firmware], [t("asset_tag"), dev.asset_tag], [t("description"), dev.sys_descr],
        [t("last_seen"), CM.ago(dev.last_seen)], [t("monitored"), dev.monitored ? t("yes") : t("no")]];
      clear(ident);
      ident.appendChild(el("dl", { class: "kv" }, rows.filter((r) => r[1] !== null && r[1] !== undefined && r[1] !== "")
        .map((r) => [el("dt", {}, r[0]), el("dd", { class: "break" }, r[1])])));
      clear(actions);
      if (isAdmin()) {
        actions.appendChild(el("button", { type: "button", class: "btn secondary", onclick: async () => {
          try { await api("PATCH", "/api/v1/devices/" + encodeURIComponent(dev.id), { monitored: !dev.monitored }); refresh(); } catch (e) { showBanner(e.message, true); }
        } }, dev.monitored ? t("stop_monitoring") : t("start_monitoring")));
        actions.appendChild(el("button", { type: "button", class: "btn danger", onclick: async () => {
          if (!window.confirm(t("confirm_remove_device", { name: dev.name }))) return;
          try { await api("DELETE", "/api/v1/devices/" + encodeURIComponent(dev.id)); location.hash = "#/devices"; } catch (e) { showBanner(e.message, true); }
        } }, t("remove")));
      }
      fill(sensBox, async () => {
        const s = (await apiOptional("/api/v1/devices/" + encodeURIComponent(dev.id) + "/sensors")) || [];
        return table([
          { label: t("name"), get: (x) => x.name },
          { label: t("type"), get: (x) => t("sensor_" + x.type, null, x.type) },
          { label: t("value"), get: (x) => fmt(x.value, x.unit), num: true },
          { label: t("state"), get: (x) => badge(x.state) },
        ], s, { empty: t("no_sensors") });
      });
      let ifs = [];
      try { ifs = (await apiOptional("/api/v1/devices/" + encodeURIComponent(dev.id) + "/interfaces")) || []; } catch (e) { ifs = []; }
      try { series = await seriesOf({ host: dev.name }); } catch (e) { series = []; }
      clear(ifBox);
      ifBox.appendChild(table([
        { label: t("interface"), get: (x) => x.name || String(x.index) },
        { label: t("alias"), get: (x) => x.alias || "" },
        { label: t("speed"), get: (x) => fmt(x.speed_bps, "speed"), num: true },
        { label: t("status"), get: (x) => [badge(x.oper_status), x.admin_status && x.admin_status !== "up" ? badge(x.admin_status, t("admin_word") + " " + x.admin_status) : null] },
        { label: t("in"), get: (x) => fmt(x.in_bps, "bps"), num: true },
        { label: t("out"), get: (x) => fmt(x.out_bps, "bps"), num: true },
        { label: t("errors"), get: (x) => fmt((x.in_errors_ps || 0) + (x.out_errors_ps || 0), "ps"), num: true },
      ], ifs.sort((a, b) => (a.index || 0) - (b.index || 0)),
      { empty: t("no_interfaces"), onRow: (x) => { setIf(x.name); refresh(); }, selected: (x) => x.name === ifName }));
      if (first) {
        first = false;
        const busiest = ifs.slice().sort((a, b) => ((b.in_bps || 0) + (b.out_bps || 0)) - ((a.in_bps || 0) + (a.out_bps || 0)))[0];
        if (busiest && busiest.name) setIf(busiest.name);
        else gIf.reload();
        clear(anySelect);
        anySelect.appendChild(el("option", { value: "" }, t("choose")));
        for (const s of series.filter((x) => x.type !== "string").sort((a, b) => seriesLabel(a).localeCompare(seriesLabel(b))))
          anySelect.appendChild(el("option", { value: String(s.id) }, seriesLabel(s)));
        if (series.some((s) => s.measurement === "cpu" && s.tags && s.tags.cpu === "cpu-total"))
          actions.appendChild(el("a", { href: route("host", dev.name), class: "btn secondary" }, t("agent_figures")));
      }
    }
    const graphTimer = setInterval(() => { if (!document.hidden && range.from === null) { gIf.reload(); gAny.reload(); } }, GRAPH_REFRESH_MS);
    return { refresh, stop: () => clearInterval(graphTimer) };
  }

  /* ---- settings: users and tokens ---- */
  const ROLES = ["admin", "operator", "viewer", "auditor"];

  function roleSelect(value) {
    const s = el("select", { "aria-label": t("role") }, ROLES.map((r) => el("option", { value: r }, t("role_" + r))));
    s.value = value || "viewer";
    return s;
  }

  function viewSettings() {
    main.appendChild(el("h1", {}, t("settings")));
    const users = el("div"), tokens = el("div");
    const userMsg = el("p", { class: "small" }), tokMsg = el("div", { class: "small", id: "token-message" });
    const nu = { name: el("input", { type: "text", id: "new-user-name", autocomplete: "off", autocapitalize: "none" }),
      password: el("input", { type: "password", id: "new-user-password", autocomplete: "new-password" }), role: roleSelect("viewer") };
    const userForm = el("form", { class: "inline" }, el("label", { class: "field" }, t("user_name"), nu.name),
      el("label", { class: "field" }, t("password"), nu.password), el("label", { class: "field" }, t("role"), nu.role),
      el("button", { type: "submit", class: "btn" }, t("add_user")));
    const nt = { name: el("input", { type: "text", id: "new-token-name", autocomplete: "off" }),
      kind: el("select", { id: "new-token-kind" }, el("option", { value: "api" }, t("token_api")), el("option", { value: "agent" }, t("token_agent"))),
      role: roleSelect("viewer"), host: el("input", { type: "text", autocomplete: "off", placeholder: t("any_host") }) };
    const hostField = el("label", { class: "field", hidden: true }, t("host_binding"), nt.host);
    const roleField = el("label", { class: "field" }, t("role"), nt.role);
    nt.kind.addEventListener("change", () => { hostField.hidden = nt.kind.value !== "agent"; roleField.hidden = nt.kind.value === "agent"; });
    const tokForm = el("form", { class: "inline", id: "token-form" }, el("label", { class: "field" }, t("name"), nt.name),
      el("label", { class: "field" }, t("kind"), nt.kind), roleField, hostField,
      el("button", { type: "submit", class: "btn", id: "create-token" }, t("create_token")));
    main.appendChild(el("div", { class: "grid" },
      el("section", { class: "card wide", id: "users-card" }, el("h2", {}, t("users")), users, userForm, userMsg),
      el("section", { class: "card wide", id: "tokens-card" }, el("h2", {}, t("tokens")), tokMsg, tokens, tokForm),
      card(t("language"), el("button", { type: "button", class: "btn secondary", onclick: toggleLang }, t("other_language")))));

    function say(node, text, bad) {
      node.className = "small" + (bad ? " error-text" : "");
      node.textContent = text;
    }

    userForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const u = await api("POST", "/api/v1/users", { name: nu.name.value.trim(), password: nu.password.value, role: nu.role.value });
        nu.password.value = "";
        nu.name.value = "";
        say(userMsg, t("user_added", { name: u.name }));
        refresh();
      } catch (e) { say(userMsg, e.message, true); }
    });
    tokForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = { name: nt.name.value.trim(), kind: nt.kind.value };
      if (nt.kind.value === "api") body.role = nt.role.value;
      else if (nt.host.value.trim()) body.host = nt.host.value.trim();
      try {
        const r = await api("POST", "/api/v1/tokens", body);
        nt.name.value = "";
        clear(tokMsg);
        tokMsg.className = "small";
        CM.append(tokMsg, [el("p", {}, t("token_shown_once", { name: r.name })), el("div", { class: "secret", id: "new-token-secret" }, r.token)]);
        refresh();
      } catch (e) { say(tokMsg, e.message, true); }
    });

    async function patchUser(u, body) {
      try { await api("PATCH", "/api/v1/users/" + encodeURIComponent(u.id), body); say(userMsg, t("saved")); } catch (e) { say(userMsg, e.message, true); }
      refresh();
    }

    async function refresh() {
      fill(users, async () => {
        const list = await api("GET", "/api/v1/users");
        return table([
          { label: t("user_name"), get: (u) => el("span", { class: "break" }, u.name) },
          { label: t("role"), get: (u) => { const s = roleSelect(u.role); s.addEventListener("change", () => patchUser(u, { role: s.value })); return s; } },
          { label: t("status"), get: (u) => badge(u.disabled ? "down" : "up", u.disabled ? t("disabled") : t("enabled")) },
          { label: t("last_login"), get: (u) => CM.ago(u.last_login), num: true },
          { label: t("actions"), get: (u) => {
            const pw = el("input", { type: "password", autocomplete: "new-password", placeholder: t("new_password"), "aria-label": t("new_password") });
            const box = el("form", { class: "inline", hidden: true }, pw, el("button", { type: "submit", class: "btn" }, t("save")));
            box.addEventListener("submit", (ev) => { ev.preventDefault(); patchUser(u, { password: pw.value }); });
            return el("div", { class: "row" },
              el("button", { type: "button", class: "btn secondary", onclick: () => { box.hidden = !box.hidden; if (!box.hidden) pw.focus(); } }, t("set_password")),
              el("button", { type: "button", class: "btn secondary", onclick: () => patchUser(u, { disabled: !u.disabled }) }, u.disabled ? t("enable") : t("disable")),
              u.name !== CM.session.user ? el("button", { type: "button", class: "btn danger", onclick: async () => {
                if (!window.confirm(t("confirm_delete_user", { name: u.name }))) return;
                try { await api("DELETE", "/api/v1/users/" + encodeURIComponent(u.id)); } catch (e) { say(userMsg, e.message, true); }
                refresh();
              } }, t("delete")) : null,
              box);
          } },
        ], list);
      });
      fill(tokens, async () => {
        const list = await api("GET", "/api/v1/tokens");
        return table([
          { label: t("name"), get: (x) => el("span", { class: "break token-name" }, x.name) },
          { label: t("kind"), get: (x) => (x.kind === "agent" ? t("token_agent") : t("token_api")) },
          { label: t("role"), get: (x) => (x.kind === "agent" ? (x.host ? t("agent_for", { host: x.host }) : t("role_agent")) : t("role_" + x.role, null, x.role)) },
          { label: t("created"), get: (x) => CM.datetime(x.created), num: true },
          { label: t("status"), get: (x) => (x.revoked ? badge("down", t("revoked")) : badge("up", t("active"))) },
          { label: t("actions"), get: (x) => (x.revoked ? "" : el("button", { type: "button", class: "btn danger revoke", dataset: { token: String(x.id) }, onclick: async () => {
            if (!window.confirm(t("confirm_revoke", { name: x.name }))) return;
            try { await api("DELETE", "/api/v1/tokens/" + encodeURIComponent(x.id)); say(tokMsg, t("token_revoked", { name: x.name })); } catch (e) { say(tokMsg, e.message, true); }
            refresh();
          } }, t("revoke"))) },
        ], list.sort((a, b) => b.id - a.id), { empty: t("no_tokens") });
      });
    }
    return { refresh, noAuto: true };
  }

  /* ---- audit trail ---- */
  function viewAudit() {
    main.appendChild(el("h1", {}, t("audit")));
    const action = el("select", { "aria-label": t("action") }, el("option", { value: "" }, t("all_actions")),
      ["login", "logout", "user.create", "user.update", "user.delete", "token.create", "token.revoke", "backup"]
        .map((a) => el("option", { value: a }, t("action_" + a.replace(".", "_"), null, a))));
    const actor = el("input", { type: "search", placeholder: t("who"), "aria-label": t("who") });
    const list = el("div");
    main.appendChild(el("section", { class: "card" },
      el("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); refresh(); } },
        el("label", { class: "field" }, t("action"), action), el("label", { class: "field" }, t("who"), actor)),
      el("p", { class: "muted small" }, t("audit_retention")), list));
    action.addEventListener("change", () => refresh());
    actor.addEventListener("change", () => refresh());
    async function refresh() {
      fill(list, async () => {
        let q = "/api/v1/audit?limit=500";
        if (action.value) q += "&action=" + encodeURIComponent(action.value);
        if (actor.value.trim()) q += "&actor=" + encodeURIComponent(actor.value.trim());
        const rows = await api("GET", q);
        return table([
          { label: t("when"), get: (e) => CM.datetime(e.ts), num: true },
          { label: t("who"), get: (e) => el("span", { class: "break" }, e.actor) },
          { label: t("from_addr"), get: (e) => e.addr || "" },
          { label: t("action"), get: (e) => t("action_" + e.action.replace(".", "_"), null, e.action) },
          { label: t("target"), get: (e) => el("span", { class: "break" }, e.target || "") },
          { label: t("detail"), get: (e) => el("span", { class: "break" }, e.detail || "") },
          { label: t("result"), get: (e) => badge(e.ok ? "ok" : "bad", e.ok ? t("ok") : t("refused")) },
        ], rows, { empty: t("no_entries") });
      });
    }
    return { refresh };
  }

  /* ---- shell, routing, refresh ---- */
  function defaultRoute() {
    return canRead() ? "#/overview" : canAudit() ? "#/audit" : "#/overview";
  }

  function buildNav() {
    const nav = document.getElementById("nav");
    clear(nav);
    const items = [];
    if (canRead()) items.push(["overview", t("overview")], ["devices", t("devices")], ["hosts", t("servers")]);
    if (isAdmin()) items.push(["settings", t("settings")]);
    if (canAudit()) items.push(["audit", t("audit")]);
    for (const [r, label] of items) nav.appendChild(el("a", { href: "#/" + r, dataset: { route: r } }, label));
    document.getElementById("who-name").textContent = CM.session.user ? CM.session.user + " · " + t("role_" + CM.session.role, null, CM.session.role) : "";
  }

  function startApp() {
    top.hidden = false;
    buildNav();
  }

  function parseHash() {
    const h = location.hash.replace(/^#\/?/, "");
    const [path, query] = h.split("?");
    const parts = path.split("/").filter((p) => p !== "").map((p) => { try { return decodeURIComponent(p); } catch (e) { return p; } });
    const params = {};
    for (const kv of (query || "").split("&")) {
      if (!kv) continue;
      const [k, v] = kv.split("=");
      try { params[decodeURIComponent(k)] = decodeURIComponent(v || ""); } catch (e) { /* ignore */ }
    }
    return { name: parts[0] || "", args: parts.slice(1), params };
  }

  function render() {
    if (current && current.stop) current.stop();
    current = null;
    clear(main);
    window.scrollTo(0, 0);
    const { name, args, params } = parseHash();
    if (!CM.session.user || name === "login") {
      if (name !== "login") afterLogin = location.hash || "#/overview";
      current = viewLogin();
      return;
    }
    for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.route === name || (name === "host" && a.dataset.route === "hosts") || (name === "device" && a.dataset.route === "devices"));
    const views = {
      overview: () => (canRead() ? viewOverview() : null),
      hosts: () => (canRead() ? viewHosts() : null),
      host: () => (canRead() && args[0] ? viewHost(args[0]) : null),
      devices: () => (canRead() ? viewDevices(params) : null),
      device: () => (canRead() && args[0] ? viewDevice(args[0]) : null),
      settings: () => (isAdmin() ? viewSettings() : null),
      audit: () => (canAudit() ? viewAudit() : null),
    };
    const make = views[name];
    current = make ? make() : null;
    if (!current) {
      if (location.hash !== defaultRoute()) { location.hash = defaultRoute(); return; }
      main.appendChild(card(t("nothing_here"), el("p", { class: "muted" }, t("no_access"))));
      return;
    }
    document.title = "campusmon · " + (document.querySelector("main h1") || { textContent: "" }).textContent;
    if (current.refresh) current.refresh();
  }

  function tick() {
    if (document.hidden || !current || !current.refresh || current.noAuto) return;
    current.refresh();
  }

  function toggleLang() {
    CM.setLang(CM.lang() === "zh-CN" ? "en" : "zh-CN");
    translateStatic();
    if (CM.session.user) buildNav();
    render();
  }

  function translateStatic() {
    document.documentElement.lang = CM.lang();
    for (const n of document.querySelectorAll("[data-i18n]")) n.textContent = t(n.dataset.i18n);
    document.getElementById("lang").textContent = t("other_language_short");
  }

  CM.onUnauthorized = () => {
    if (!CM.session.user) return;
    CM.session = { user: null, role: null, csrf: null, kind: null };
    top.hidden = true;
    render();
  };

  async function boot() {
    translateStatic();
    document.getElementById("lang").addEventListener("click", toggleLang);
    document.getElementById("logout").addEventListener("click", async () => {
      try { await api("POST", "/api/v1/logout"); } catch (e) { /* the session may be gone already */ }
      CM.session = { user: null, role: null, csrf: null, kind: null };
      afterLogin = "#/overview";
      location.hash = "#/login";
      render();
    });
    window.addEventListener("hashchange", render);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) tick(); });
    timer = setInterval(tick, REFRESH_MS);
    try {
      const me = await api("GET", "/api/v1/me");
      CM.session = { user: me.user, role: me.role, csrf: me.csrf || null, kind: me.kind };
      startApp();
      if (!location.hash || location.hash === "#/login" || location.hash === "#/") location.hash = defaultRoute();
    } catch (e) {
      CM.session = { user: null, role: null, csrf: null, kind: null };
      if (e.status === 0) showBanner(t("offline"), true);
    }
    render();
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  }

  CM.debugTimer = () => timer;
  document.addEventListener("DOMContentLoaded", boot);
})();
