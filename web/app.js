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

  /* The i18n key of a state word: "notPresent" → "not_present". */
  function stateKey(word) {
    return String(word || "unknown").replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()
      .replace(/[^a-z0-9_]/g, "_");
  }

  function badge(word, label) {
    const k = stateKey(word);
    return el("span", { class: "badge s-" + k }, label || t("state_" + k, null, String(word || "unknown")));
  }

  /* A sensor's state: a badge, or a dash when the device reports none. */
  function stateCell(state) {
    return !state || state === "unknown" ? el("span", { class: "muted" }, "–") : badge(state);
  }

  function stat(label, value, sub, attrs) {
    return el("div", Object.assign({ class: "stat" }, attrs || {}), el("div", { class: "label" }, label),
      el("div", { class: "value" }, value), sub ? el("div", { class: "sub" }, sub) : null);
  }

  /* Text over a smaller, muted second line (e.g. an interface and its alias). */
  function twoLines(main, second) {
    return second ? [el("span", { class: "break" }, main), el("span", { class: "sub break" }, second)]
      : el("span", { class: "break" }, main);
  }

  /*
   * A table; columns: [{label, get(row) → node|text, num, wideOnly}].
   * opts: empty (text), onRow(row, tr), selected(row), compact (stays a table
   * on phones, where wideOnly columns are hidden; else rows become cards),
   * rowData(row) → data-* attributes of the row.
   */
  function table(columns, rows, opts) {
    opts = opts || {};
    const cls = (c) => [c.num ? "num" : "", c.wideOnly ? "wide-only" : "", c.narrowOnly ? "narrow-only" : ""]
      .join(" ").trim() || null;
    const body = el("tbody");
    for (const r of rows) {
      const tr = el("tr", { class: opts.onRow ? "clickable" : null, dataset: opts.rowData ? opts.rowData(r) : undefined });
      if (opts.onRow) tr.addEventListener("click", (ev) => {
        if (ev.target.closest("a,button,input,select")) return;
        opts.onRow(r, tr);
      });
      if (opts.selected && opts.selected(r)) tr.classList.add("selected");
      for (const c of columns)
        tr.appendChild(el("td", { class: cls(c), "data-label": c.label }, c.get(r)));
      body.appendChild(tr);
    }
    if (rows.length === 0)
      return el("p", { class: "muted empty" }, opts.empty || t("nothing_yet"));
    return el("div", { class: "table-wrap" }, el("table", { class: "data" + (opts.compact ? " compact" : "") },
      el("thead", {}, el("tr", {}, columns.map((c) => el("th", { class: cls(c) }, c.label)))),
      body));
  }

  /*
   * Ask before a destructive step, in the page (no native dialog): the
   * holder's content is swapped for the question and two buttons until the
   * person answers. onYes may be async; an error it throws is shown.
   */
  function confirmInline(holder, question, yesLabel, onYes, onCancel) {
    const saved = [...holder.childNodes];
    const msg = el("p", { class: "error-text small" });
    const restore = () => { clear(holder); CM.append(holder, saved); if (onCancel) onCancel(); };
    const yes = el("button", { type: "button", class: "btn danger confirm-yes", onclick: async () => {
      yes.disabled = true;
      try { await onYes(); } catch (e) { msg.textContent = e.message; yes.disabled = false; }
    } }, yesLabel);
    clear(holder);
    holder.appendChild(el("div", { class: "confirm", role: "alertdialog" }, el("p", {}, question),
      el("div", { class: "row" }, yes,
        el("button", { type: "button", class: "btn secondary confirm-no", onclick: restore }, t("cancel"))), msg));
    yes.focus();
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

  /*
   * A chart of series [{id, label}] following range; returns {node, reload,
   * setSeries}. opts: half (half the grid's width on wide screens), id.
   */
  function graph(range, title, list, unit, opts) {
    opts = opts || {};
    const body = el("div");
    const head = el("h2", {}, title);
    const node = el("section", { class: "card graph" + (opts.half ? "" : " wide"), "data-graph": "1", id: opts.id }, head, body);
    let chart = null;
    let series = list;
    let generation = 0;		/* only the newest reload may draw */
    async function reload() {
      const mine = ++generation;
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
        /* A line is one series ({id}) or several combined point by point
           ({ids, map(v0, v1, …)}): Telegraf's CPU busy is 100 − idle − iowait. */
        const fetchPoints = async (id) => {
          const q = await api("GET", "/api/v1/query?series=" + encodeURIComponent(id) +
            "&from=" + from + "&to=" + to);
          return (q && q.points) || [];
        };
        const lines = await Promise.all(series.map(async (s) => {
          if (!s.ids) return { label: s.label, points: await fetchPoints(s.id) };
          const parts = await Promise.all(s.ids.map(fetchPoints));
          const points = parts[0].map(([ts, v], i) => {
            const vals = parts.map((p) => (p[i] && p[i][0] === ts ? p[i][1] : null));
            return [ts, v === null ? null : s.map(...vals)];
          });
          return { label: s.label, points };
        }));
        if (mine !== generation) return;
        const opts = { lines, unit, from, to, title,
          onZoom: (a, b) => { range.from = a; range.to = b; range.listeners.forEach((f) => f()); } };
        if (!chart) {
          clear(body);
          chart = CM.chart(body, opts);
        } else {
          chart.update(opts);
        }
        node.dataset.points = String(lines.reduce((n, l) => n + l.points.filter((p) => p[1] !== null).length, 0));
        node.dataset.span = String(to - from);		/* what is drawn (tests wait for it) */
      } catch (e) {
        if (e.status !== 401 && mine === generation) { clear(body); chart = null; body.appendChild(errorText(e)); }
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
  const ROOM_KINDS = ["ups", "sensor", "pdu"];
  /* UPS states, worst first; a UPS with none of them runs on mains. */
  const UPS_STATES = ["battery_depleted", "battery_low", "on_battery", "critical", "on_bypass",
    "battery_replace", "on_boost", "on_trim", "off", "sleeping", "rebooting"];
  const QUIET_STATES = ["normal", "ok", "unknown", ""];

  async function sensorsOf(d) {
    try {
      return (await apiOptional("/api/v1/devices/" + encodeURIComponent(d.id) + "/sensors")) || [];
    } catch (e) {
      if (e.status === 401) throw e;
      return [];
    }
  }

  function span(list, unit) {
    const vals = list.map((x) => x.s.value);
    const lo = Math.min(...vals), hi = Math.max(...vals);
    return lo === hi ? fmt(lo, unit) : fmt(lo) + "–" + fmt(hi, unit);
  }

  const nSensors = (n) => (n === 1 ? t("one_sensor") : t("n_sensors", { n }));

  /* The figures of a UPS from its sensors: {state, runtime, charge, load}. */
  function upsFigures(d, sensors) {
    const states = sensors.map((s) => s.state);
    const worst = UPS_STATES.find((w) => states.includes(w));
    const runtimes = sensors.filter((s) => s.type === "runtime" && typeof s.value === "number");
    const runtime = runtimes.find((s) => /remain|estimat/i.test(s.name)) ||
      runtimes.find((s) => !/on battery/i.test(s.name));
    const pick = (type) => sensors.find((s) => s.type === type && typeof s.value === "number");
    return {
      state: d.status !== "up" ? d.status : worst || "online",
      runtime, charge: pick("charge"), load: pick("load"),
    };
  }

  /* Machine room: temperatures, humidity, UPS state and runtime, leak, and whatever is not normal. */
  function roomSummary(list) {
    const temps = [], hums = [], leaks = [], attention = [], tiles = [];
    for (const { d, sensors } of list) {
      for (const s of sensors) {
        if (typeof s.value !== "number") continue;
        if (s.type === "temperature" && !(d.kind === "ups" && /batter/i.test(s.name))) temps.push({ d, s });
        else if (s.type === "humidity") hums.push({ d, s });
        else if (s.type === "leak") leaks.push({ d, s });
        if (!QUIET_STATES.includes(s.state || "")) attention.push({ d, s });
      }
    }
    if (temps.length) {
      const warmest = temps.reduce((a, b) => (b.s.value > a.s.value ? b : a));
      tiles.push(stat(t("temperature"), span(temps, warmest.s.unit),
        temps.length === 1 ? warmest.s.name : t("warmest", { n: temps.length, name: warmest.s.name, value: fmt(warmest.s.value, warmest.s.unit) }),
        { dataset: { figure: "temperature" } }));
    }
    if (hums.length) {
      tiles.push(stat(t("humidity"), span(hums, hums[0].s.unit), nSensors(hums.length),
        { dataset: { figure: "humidity" } }));
    }
    for (const { d, sensors } of list.filter((x) => x.d.kind === "ups").slice(0, 4)) {
      const u = upsFigures(d, sensors);
      tiles.push(stat(el("a", { href: route("device", d.id), class: "break" }, t("ups_named", { name: d.name })),
        badge(u.state),
        [u.runtime ? t("runtime_left", { v: fmt(u.runtime.value, u.runtime.unit) }) : null,
          u.charge ? t("charge_is", { v: fmt(u.charge.value, u.charge.unit) }) : null,
          u.load ? t("load_is", { v: fmt(u.load.value, u.load.unit) }) : null].filter(Boolean).join(" · "),
        { dataset: { figure: "ups" } }));
    }
    const wet = leaks.filter((x) => !QUIET_STATES.includes(x.s.state || ""));
    tiles.push(stat(t("leak"),
      leaks.length === 0 ? el("span", { class: "muted" }, "–") : wet.length ? badge("leak", t("leak_detected")) : badge("normal", t("leak_none")),
      leaks.length === 0 ? t("no_leak_sensor") : wet.length ? wet.map((x) => x.s.name + " (" + x.d.name + ")").join(", ")
        : nSensors(leaks.length),
      { dataset: { figure: "leak" } }));
    return [
      el("div", { class: "stats room" }, tiles),
      attention.length ? el("ul", { class: "attention small" }, attention.slice(0, 8).map((x) =>
        el("li", {}, badge(x.s.state), " ", el("span", { class: "break" }, x.s.name), " · ",
          el("a", { href: route("device", x.d.id), class: "break" }, x.d.name)))) : null,
      el("p", { class: "small room-devices" }, list.map((x) =>
        el("span", { class: "nowrap" }, el("a", { href: route("device", x.d.id), class: "break" }, x.d.name), " ", badge(x.d.status)))),
    ];
  }

  function viewOverview() {
    main.appendChild(el("h1", {}, t("overview")));
    const agents = el("div"), kinds = el("div"), alerts = el("div"), room = el("div"), links = el("div");
    main.appendChild(el("div", { class: "grid" },
      card(t("health_by_kind"), kinds), card(t("active_alerts"), alerts),
      el("section", { class: "card", id: "room-card" }, el("h2", {}, t("machine_room")), room),
      el("section", { class: "card", id: "links-card" }, el("h2", {}, t("busiest_links")), links),
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
            { label: t("last_seen"), get: (s) => CM.ago(s.last_ts), num: true, wideOnly: true },
          ], rows.sort((a, b) => a.host.localeCompare(b.host)), { empty: t("no_agents"), compact: true })];
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
        ], Object.values(by).sort((a, b) => a.kind.localeCompare(b.kind)), { empty: t("no_devices"), compact: true });
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
        const envs = devices.filter((d) => ROOM_KINDS.includes(d.kind) && d.monitored)
          .sort((a, b) => String(a.name).localeCompare(String(b.name))).slice(0, 16);
        if (envs.length === 0) return el("p", { class: "muted" }, t("no_room_devices"));
        return roomSummary(await Promise.all(envs.map(async (d) => ({ d, sensors: await sensorsOf(d) }))));
      });
      fill(links, async () => {
        const [ins, outs] = await Promise.all([
          seriesOf({ measurement: "interface", field: "in_bps" }),
          seriesOf({ measurement: "interface", field: "out_bps" })]);
        const rows = ins.concat(outs).filter((s) => typeof s.last === "number" && s.last > 0 && fresh(s))
          .sort((a, b) => b.last - a.last).slice(0, 8);
        return table([
          { label: t("interface"), get: (s) => [el("a", { href: route("device", s.host), class: "break" }, (s.tags && s.tags.ifName) || "?"),
            el("span", { class: "sub break" }, s.host)] },
          { label: t("direction"), get: (s) => (s.field === "in_bps" ? t("in") : t("out")) },
          { label: t("rate"), get: (s) => fmt(s.last, "bps"), num: true },
        ], rows, { empty: t("no_links"), compact: true });
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

  function pick(rows, measurement, field, tagOk) {
    return rows.filter((s) => s.measurement === measurement && s.field === field && s.type !== "string" &&
      (!tagOk || tagOk(s.tags || {})));
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
    const fsBox = el("div"), diskBox = el("div"), netBox = el("div");
    const range = rangeState();
    const gCpu = graph(range, t("cpu_usage"), [], "%", { half: true, id: "graph-cpu" });
    const gMem = graph(range, t("memory_used"), [], "%", { half: true, id: "graph-memory" });
    const gNet = graph(range, t("network"), [], "Bps", { half: true, id: "graph-network" });
    const gDisk = graph(range, t("disk_iops"), [], "ps", { half: true, id: "graph-disk" });
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
      const nv = (i, f) => { const s = one("net", f, (tg) => tg.interface === i); return s ? s.last : null; };
      clear(netBox);
      netBox.appendChild(table([
        { label: t("interface"), get: (s) => s.tags.interface },
        { label: t("in"), get: (s) => fmt(s.last, "Bps"), num: true },
        { label: t("out"), get: (s) => fmt(nv(s.tags.interface, "bytes_sent_ps"), "Bps"), num: true },
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

  /* ---- devices ---- */
  const KINDS = ["switch", "router", "firewall", "wlc", "ap", "server", "storage", "ups", "pdu",
    "sensor", "camera", "printer", "other"];
  const STATUSES = ["up", "down", "unreachable", "unknown", "seen"];

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
    const PAGE = 200;
    let devices = [], shown = PAGE;
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
        { label: t("name"), get: (d) => [el("a", { href: route("device", d.id), class: "break" }, d.name),
          el("span", { class: "sub break narrow-only" }, [d.address, t("kind_" + d.kind, null, d.kind), loc(d),
            d.monitored ? null : t("monitored_no")].filter(Boolean).join(" · "))] },
        { label: t("address"), get: (d) => d.address, wideOnly: true },
        { label: t("kind"), get: (d) => t("kind_" + d.kind, null, d.kind), wideOnly: true },
        { label: t("status"), get: (d) => badge(d.status) },
        { label: t("location"), get: (d) => el("span", { class: "break" }, loc(d)), wideOnly: true },
        { label: t("last_seen"), get: (d) => CM.ago(d.last_seen), num: true, wideOnly: true },
        { label: t("monitored"), get: (d) => (d.monitored ? t("yes") : t("no")), wideOnly: true },
      ], rows.sort((a, b) => String(a.name).localeCompare(String(b.name))).slice(0, shown),
      { empty: devices.length ? t("no_match") : t("no_devices"), compact: true, rowData: (d) => ({ device: d.name }),
        onRow: (d) => { location.hash = route("device", d.id); } }));
      if (rows.length > shown)
        list.appendChild(el("button", { type: "button", class: "btn secondary more", onclick: () => { shown += PAGE; render(); } },
          t("show_more", { n: Math.min(PAGE, rows.length - shown), m: rows.length - shown })));
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
    const msg = el("p", { class: "small" });
    const det = el("details", { class: "card", id: "add-device" }, el("summary", {}, t("add_device")));
    det.appendChild(deviceForm(null, { onSaved: (d) => {
      msg.className = "small";
      msg.textContent = t("device_added", { name: d.name });
      done(d);
    } }));
    det.appendChild(msg);
    return det;
  }

  const SNMP_VERSIONS = ["2c", "1", "3"];
  const AUTH_PROTOS = ["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"];
  const PRIV_PROTOS = ["DES", "AES", "AES-192", "AES-256", "AES-192C", "AES-256C"];

  /*
   * The form that adds a device (dev null) or edits one: identity,
   * location, polling and SNMP credentials. Secrets are write-only: the form
   * shows whether one is set and sends a new one only when typed. An edit
   * sends only what changed. opts: onSaved(device), onCancel().
   */
  function deviceForm(dev, opts) {
    opts = opts || {};
    const creating = !dev;
    const snmp = (dev && dev.snmp) || {};
    const cur = (k) => (dev && dev[k] !== null && dev[k] !== undefined ? String(dev[k]) : "");
    const text = (k, attrs) => el("input", Object.assign({ type: "text", name: k, autocomplete: "off", value: cur(k) }, attrs || {}));
    const number = (k, min, max, attrs) => el("input", Object.assign({ type: "number", name: k, min, max, step: 1,
      inputmode: "numeric", value: cur(k) }, attrs || {}));
    const select = (name, options, value) => {
      const s = el("select", { name }, options.map(([v, label]) => el("option", { value: v }, label)));
      s.value = value;
      return s;
    };
    const secret = (name, isSet) => el("input", { type: "password", name, autocomplete: "new-password",
      placeholder: creating ? "" : isSet ? t("secret_keep") : t("secret_not_set") });
    const setWord = (isSet) => (creating ? null : el("span", { class: "badge secret-state " + (isSet ? "s-ok" : "s-unknown"), dataset: { set: isSet ? "1" : "0" } },
      isSet ? t("secret_set") : t("secret_unset")));

    const f = {
      name: text("name", { placeholder: creating ? t("name_from_device") : "", required: !creating }),
      address: text("address", { required: true, placeholder: "10.1.2.3 / sw1.example.edu.cn" }),
      port: number("port", 1, 65535, { placeholder: "161" }),
      kind: select("kind", (creating ? [["", t("kind_auto")]] : []).concat(KINDS.map((k) => [k, t("kind_" + k, null, k)])), creating ? "" : cur("kind")),
      site: text("site"), building: text("building"), room: text("room"), rack: text("rack"),
      asset_tag: text("asset_tag"),
      interval: number("interval", 5, 86400, { placeholder: t("interval_default") }),
      monitored: el("input", { type: "checkbox", name: "monitored", checked: creating || !!(dev && dev.monitored) }),
      version: select("version", SNMP_VERSIONS.map((v) => [v, "SNMPv" + v]), snmp.version || "2c"),
      community: secret("community", snmp.community_set),
      user: el("input", { type: "text", name: "user", autocomplete: "off", value: snmp.user || "" }),
      auth_proto: select("auth_proto", [["", t("none_word")]].concat(AUTH_PROTOS.map((p) => [p, p])), snmp.auth_proto || ""),
      auth_pass: secret("auth_pass", snmp.auth_pass_set),
      priv_proto: select("priv_proto", [["", t("none_word")]].concat(PRIV_PROTOS.map((p) => [p, p])), snmp.priv_proto || ""),
      priv_pass: secret("priv_pass", snmp.priv_pass_set),
    };
    const field = (label, input, extra) => el("label", { class: "field" }, el("span", {}, label, extra ? [" ", extra] : null), input);
    const v12 = el("div", { class: "fields" }, field(t("community"), f.community, setWord(snmp.community_set)));
    const v3 = el("div", { class: "fields" },
      field(t("snmp_user"), f.user), field(t("auth_proto"), f.auth_proto),
      field(t("auth_pass"), f.auth_pass, setWord(snmp.auth_pass_set)),
      field(t("priv_proto"), f.priv_proto), field(t("priv_pass"), f.priv_pass, setWord(snmp.priv_pass_set)));
    const showVersion = () => { v3.hidden = f.version.value !== "3"; v12.hidden = f.version.value === "3"; };
    f.version.addEventListener("change", showVersion);
    showVersion();
    const msg = el("p", { class: "small form-message", role: "status" });
    const save = el("button", { type: "submit", class: "btn" }, creating ? t("add_device") : t("save"));
    const form = el("form", { class: "device-form", novalidate: true },
      el("div", { class: "fields" },
        field(creating ? t("name_optional") : t("name"), f.name), field(t("address"), f.address),
        field(t("port"), f.port), field(t("kind"), f.kind)),
      el("div", { class: "fields" },
        field(t("site"), f.site), field(t("building"), f.building), field(t("room"), f.room),
        field(t("rack"), f.rack), field(t("asset_tag"), f.asset_tag)),
      el("div", { class: "fields" },
        field(t("interval_s"), f.interval),
        el("label", { class: "check" }, f.monitored, t("monitored")),
        field(t("snmp_version"), f.version)),
      v12, v3,
      el("div", { class: "row" }, save,
        opts.onCancel ? el("button", { type: "button", class: "btn secondary", onclick: opts.onCancel }, t("cancel")) : null),
      msg);

    function body() {
      const b = {};
      for (const k of ["name", "address", "site", "building", "room", "rack", "asset_tag"]) {
        const val = f[k].value.trim();
        if (creating ? val : val !== cur(k)) b[k] = val === "" && !["name", "address"].includes(k) ? null : val;
      }
      if (creating ? f.kind.value : f.kind.value !== cur("kind")) b.kind = f.kind.value;
      for (const k of ["port", "interval"]) {
        const val = f[k].value.trim();
        if (val === "" ? false : creating || Number(val) !== Number(cur(k))) b[k] = Number(val);
      }
      if (creating ? !f.monitored.checked : f.monitored.checked !== !!dev.monitored) b.monitored = f.monitored.checked;
      const sn = {};
      if (creating || f.version.value !== (snmp.version || "2c")) sn.version = f.version.value;
      if (f.version.value === "3") {
        const user = f.user.value.trim();
        if (user !== (snmp.user || "")) sn.user = user || null;
        for (const k of ["auth_proto", "priv_proto"])
          if (f[k].value !== (snmp[k] || "")) sn[k] = f[k].value || null;
        for (const k of ["auth_pass", "priv_pass"]) if (f[k].value) sn[k] = f[k].value;
      } else if (f.community.value) {
        sn.community = f.community.value;
      }
      if (Object.keys(sn).length) b.snmp = sn;
      return b;
    }

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const b = body();
      if (!creating && Object.keys(b).length === 0) {
        msg.className = "small form-message muted";
        msg.textContent = t("no_changes");
        return;
      }
      save.disabled = true;
      try {
        const d = creating ? await api("POST", "/api/v1/devices", b)
          : await api("PATCH", "/api/v1/devices/" + encodeURIComponent(dev.id), b);
        for (const k of ["community", "auth_pass", "priv_pass"]) f[k].value = "";
        msg.className = "small form-message";
        msg.textContent = creating ? "" : t("saved");
        if (creating) form.reset();
        if (opts.onSaved) opts.onSaved(d);
      } catch (e) {
        msg.className = "small form-message error-text";
        msg.textContent = e.message;
      } finally {
        save.disabled = false;
      }
    });
    return form;
  }

  function viewDevice(id) {
    main.appendChild(el("p", { class: "small" }, el("a", { href: "#/devices" }, "‹ " + t("devices"))));
    const title = el("h1", { class: "break", id: "device-name" }, "…");
    const ident = el("div"), sensBox = el("div"), ifBox = el("div");
    const actions = el("div", { class: "row", id: "device-actions" }), editBox = el("div", { hidden: true });
    const range = rangeState();
    const gIf = graph(range, t("interface_traffic"), [], "bps", { half: true, id: "graph-interface" });
    const gSens = graph(range, t("sensors"), [], "", { half: true, id: "graph-sensor" });
    const gAny = graph(range, t("any_series"), [], "");
    const anySelect = el("select", { "aria-label": t("any_series") });
    const ifQuery = el("input", { type: "search", placeholder: t("filter_interfaces"), "aria-label": t("filter_interfaces") });
    const ifShow = el("select", { "aria-label": t("show") },
      el("option", { value: "all" }, t("if_all")), el("option", { value: "up" }, t("if_up")),
      el("option", { value: "traffic" }, t("if_traffic")));
    const ifCount = el("p", { class: "muted small" });
    main.appendChild(title);
    main.appendChild(el("div", { class: "grid" },
      el("section", { class: "card", id: "identity-card" }, el("h2", {}, t("identity")), ident, actions, editBox),
      el("section", { class: "card", id: "sensors-card" }, el("h2", {}, t("sensors")), sensBox),
      el("section", { class: "card wide" }, rangePicker(range), el("p", { class: "muted small" }, t("zoom_hint"))),
      gIf.node, gSens.node,
      el("section", { class: "card wide", id: "interfaces-card" }, el("h2", {}, t("interfaces")),
        el("form", { class: "inline", onsubmit: (e) => e.preventDefault() },
          el("label", { class: "field" }, t("search"), ifQuery), el("label", { class: "field" }, t("show"), ifShow)),
        ifCount, ifBox),
      el("section", { class: "card wide" }, el("label", { class: "field" }, t("any_series"), anySelect)), gAny.node));
    let dev = null, series = [], ifs = [], sensors = [], ifName = null, sensorName = null, first = true;
    let confirming = false, editing = false;
    gAny.node.hidden = true;
    anySelect.addEventListener("change", () => {
      const s = series.find((r) => String(r.id) === anySelect.value);
      gAny.node.hidden = !s;
      if (s) gAny.setSeries([{ id: s.id, label: seriesLabel(s) }], seriesLabel(s), CM.unitOf(s.measurement, s.field));
    });
    for (const c of [ifQuery, ifShow]) c.addEventListener(c === ifQuery ? "input" : "change", () => renderIfs());

    function setIf(name) {
      ifName = name;
      const i = series.find((s) => s.measurement === "interface" && s.field === "in_bps" && s.tags.ifName === name);
      const o = series.find((s) => s.measurement === "interface" && s.field === "out_bps" && s.tags.ifName === name);
      gIf.setSeries([i, o].filter(Boolean).map((s) => ({ id: s.id, label: s === i ? t("in") : t("out") })),
        t("interface_traffic") + " · " + name);
    }
    function setSensor(x) {
      sensorName = x.name;
      const s = series.find((r) => r.measurement === "sensor" && r.field === "value" && r.tags.name === x.name);
      gSens.setSeries(s ? [{ id: s.id, label: x.name }] : [], x.name, x.unit || "");
    }

    function renderIdentity() {
      const loc = [dev.site, dev.building, dev.room, dev.rack].filter(Boolean).join(" / ");
      const addr = !dev.port || dev.port === 161 ? dev.address : dev.address.includes(":") ? "[" + dev.address + "]:" + dev.port : dev.address + ":" + dev.port;
      /* A host name shows what it resolved to (or that it has not yet). */
      const resolved = /^[0-9.]+$|:/.test(dev.address) ? "" : " → " + (dev.resolved_address || t("not_resolved"));
      const rows = [[t("status"), badge(dev.status)], [t("address"), addr + resolved],
        [t("kind"), t("kind_" + dev.kind, null, dev.kind)],
        [t("location"), loc], [t("model"), [dev.vendor, dev.model].filter(Boolean).join(" ")], [t("serial"), dev.serial],
        [t("firmware"), dev.firmware], [t("asset_tag"), dev.asset_tag], [t("sys_name"), dev.sys_name],
        [t("description"), dev.sys_descr], [t("sys_location"), dev.sys_location], [t("sys_contact"), dev.sys_contact],
        [t("last_seen"), CM.ago(dev.last_seen)], [t("poll_interval"), dev.interval ? CM.duration(dev.interval) : t("interval_default")],
        [t("monitored"), dev.monitored ? t("yes") : t("no")]];
      clear(ident);
      ident.appendChild(el("dl", { class: "kv" }, rows.filter((r) => r[1] !== null && r[1] !== undefined && r[1] !== "")
        .map((r) => [el("dt", {}, r[0]), el("dd", { class: "break" }, r[1])])));
      if (!isAdmin() || confirming) return;
      clear(actions);
      actions.appendChild(el("button", { type: "button", class: "btn secondary", id: "edit-device", onclick: () => {
        editing = !editing;
        editBox.hidden = !editing;
        clear(editBox);
        if (editing) {
          editBox.appendChild(deviceForm(dev, {
            onSaved: (d) => {
              dev = d;
              if (String(id) !== String(d.id)) { id = d.id; history.replaceState(null, "", route("device", d.id)); }
              editing = false; editBox.hidden = true; clear(editBox); renderIdentity(); title.textContent = d.name;
            },
            onCancel: () => { editing = false; editBox.hidden = true; clear(editBox); },
          }));
          editBox.querySelector("input").focus();
        }
      } }, t("edit")));
      actions.appendChild(el("button", { type: "button", class: "btn secondary", onclick: async () => {
        try { await api("PATCH", "/api/v1/devices/" + encodeURIComponent(dev.id), { monitored: !dev.monitored }); refresh(); } catch (e) { showBanner(e.message, true); }
      } }, dev.monitored ? t("stop_monitoring") : t("start_monitoring")));
      actions.appendChild(el("button", { type: "button", class: "btn danger", id: "remove-device", onclick: () => {
        confirming = true;
        confirmInline(actions, t("confirm_remove_device", { name: dev.name }), t("remove"), async () => {
          await api("DELETE", "/api/v1/devices/" + encodeURIComponent(dev.id));
          confirming = false;
          location.hash = "#/devices";
        }, () => { confirming = false; });
      } }, t("remove")));
    }

    function renderIfs() {
      const needle = ifQuery.value.trim().toLowerCase();
      const rows = ifs.filter((x) =>
        (!needle || [x.name, x.descr, x.alias].some((v) => v && String(v).toLowerCase().includes(needle))) &&
        (ifShow.value !== "up" || x.oper_status === "up") &&
        (ifShow.value !== "traffic" || (x.in_bps || 0) + (x.out_bps || 0) > 0));
      ifCount.textContent = t("n_of_m_interfaces", { n: rows.length, m: ifs.length });
      clear(ifBox);
      ifBox.appendChild(table([
        { label: t("interface"), get: (x) => twoLines(x.name || String(x.index), x.alias) },
        { label: t("speed"), get: (x) => fmt(x.speed_bps, "speed"), num: true, wideOnly: true },
        { label: t("status"), get: (x) => [badge(x.oper_status), x.admin_status && x.admin_status !== "up" ? [" ", badge(x.admin_status, t("admin_word") + " " + t("state_" + stateKey(x.admin_status), null, x.admin_status))] : null] },
        { label: t("in"), get: (x) => fmt(x.in_bps, "bps"), num: true },
        { label: t("out"), get: (x) => fmt(x.out_bps, "bps"), num: true },
        { label: t("errors"), get: (x) => fmt((x.in_errors_ps || 0) + (x.out_errors_ps || 0), "ps"), num: true, wideOnly: true },
      ], rows, { empty: ifs.length ? t("no_match") : t("no_interfaces"), compact: true,
        rowData: (x) => ({ ifname: x.name || String(x.index) }),
        onRow: (x) => { setIf(x.name); renderIfs(); }, selected: (x) => x.name === ifName }));
    }

    function renderSensors() {
      clear(sensBox);
      sensBox.appendChild(table([
        { label: t("name"), get: (x) => {
          const type = t("sensor_" + x.type, null, x.type);
          const said = x.type === "other" || [type, x.type].some((w) => String(x.name).toLowerCase().includes(String(w).toLowerCase()));
          return twoLines(x.name, said ? null : type);
        } },
        { label: t("value"), get: (x) => fmt(x.value, x.unit), num: true },
        { label: t("state"), get: (x) => stateCell(x.state) },
      ], sensors, { empty: t("no_sensors"), compact: true, rowData: (x) => ({ sensor: x.name }),
        onRow: (x) => { setSensor(x); renderSensors(); }, selected: (x) => x.name === sensorName }));
    }

    async function refresh() {
      try {
        dev = await api("GET", "/api/v1/devices/" + encodeURIComponent(id));
      } catch (e) {
        if (e.status === 404) { title.textContent = t("device"); clear(ident); clear(actions); ident.appendChild(el("p", { class: "muted" }, t("no_such_device"))); }
        else if (e.status !== 401) { clear(ident); ident.appendChild(errorText(e)); }
        return;
      }
      title.textContent = dev.name;
      document.title = "campusmon · " + dev.name;
      renderIdentity();
      const enc = encodeURIComponent(dev.id);
      const [s, i, se] = await Promise.all([
        apiOptional("/api/v1/devices/" + enc + "/sensors").catch(() => []),
        apiOptional("/api/v1/devices/" + enc + "/interfaces").catch(() => []),
        seriesOf({ host: dev.name }).catch(() => [])]);
      sensors = s || [];
      ifs = (i || []).sort((a, b) => (a.index || 0) - (b.index || 0));
      series = se || [];
      renderSensors();
      if (first) ifShow.value = ifs.length > 24 ? "up" : "all";
      renderIfs();
      if (first) {
        first = false;
        const busiest = ifs.slice().sort((a, b) => ((b.in_bps || 0) + (b.out_bps || 0)) - ((a.in_bps || 0) + (a.out_bps || 0)))[0];
        if (busiest && busiest.name) { setIf(busiest.name); renderIfs(); }
        else { gIf.node.hidden = ifs.length === 0; gIf.reload(); }
        const order = dev.kind === "ups" ? ["charge", "runtime", "load", "temperature"]
          : ["temperature", "humidity", "charge", "runtime", "load", "leak", "power", "voltage", "current"];
        const firstSensor = sensors.filter((x) => typeof x.value === "number")
          .sort((a, b) => ((order.indexOf(a.type) + 100) % 100) - ((order.indexOf(b.type) + 100) % 100))[0];
        if (firstSensor) { setSensor(firstSensor); renderSensors(); }
        else gSens.node.hidden = true;
        clear(anySelect);
        anySelect.appendChild(el("option", { value: "" }, t("choose")));
        for (const x of series.filter((x) => x.type !== "string").sort((a, b) => seriesLabel(a).localeCompare(seriesLabel(b))))
          anySelect.appendChild(el("option", { value: String(x.id) }, seriesLabel(x)));
        if (series.some((x) => x.measurement === "cpu" && x.tags && x.tags.cpu === "cpu-total"))
          actions.parentNode.insertBefore(el("p", {}, el("a", { href: route("host", dev.name), class: "btn secondary" }, t("agent_figures"))), actions);
      }
    }
    const graphTimer = setInterval(() => {
      if (!document.hidden && range.from === null) for (const g of [gIf, gSens, gAny]) if (!g.node.hidden) g.reload();
    }, GRAPH_REFRESH_MS);
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
    const devs = settingsDevices();
    const disc = discoveryCard(() => devs.refresh());
    main.appendChild(el("nav", { class: "jump small" }, [["users-card", t("users")], ["tokens-card", t("tokens")],
      ["devices-card", t("devices")], ["discovery-card", t("discover")]].map(([id, label]) =>
      el("button", { type: "button", class: "link", onclick: () => document.getElementById(id).scrollIntoView() }, label))));
    main.appendChild(el("div", { class: "grid" },
      el("section", { class: "card wide", id: "users-card" }, el("h2", {}, t("users")), users, userForm, userMsg),
      el("section", { class: "card wide", id: "tokens-card" }, el("h2", {}, t("tokens")), tokMsg, tokens, tokForm),
      devs.node, disc.node,
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
    const refreshUsersTokens = refresh;
    return { refresh: () => { refreshUsersTokens(); devs.refresh(); }, noAuto: true, stop: disc.stop };
  }

  /* Settings → devices: the inventory with edit and remove, and the add form. */
  function settingsDevices() {
    const SHOWN = 50;
    const list = el("div"), msg = el("p", { class: "small", role: "status" });
    const editor = el("div", { class: "editor", hidden: true });
    const q = el("input", { type: "search", id: "settings-device-search", placeholder: t("search_devices"), "aria-label": t("search_devices") });
    const node = el("section", { class: "card wide", id: "devices-card" }, el("h2", {}, t("devices")),
      msg, editor, el("label", { class: "field" }, t("search"), q), list,
      addDeviceCard((d) => { say(t("device_added", { name: d.name })); refresh(); }));
    let devices = [];
    q.addEventListener("input", () => show());
    function say(text, bad) {
      msg.className = "small" + (bad ? " error-text" : "");
      msg.textContent = text;
    }
    function edit(d) {
      clear(editor);
      editor.hidden = false;
      editor.appendChild(el("h3", { class: "break" }, t("edit_device", { name: d.name })));
      editor.appendChild(deviceForm(d, {
        onSaved: (x) => { editor.hidden = true; clear(editor); say(t("device_saved", { name: x.name })); refresh(); },
        onCancel: () => { editor.hidden = true; clear(editor); },
      }));
      editor.scrollIntoView({ block: "nearest" });
      editor.querySelector("input").focus();
    }
    const loc = (d) => [d.site, d.building, d.room, d.rack].filter(Boolean).join(" / ");
    function show() {
      const needle = q.value.trim().toLowerCase();
      const rows = devices.filter((d) => !needle ||
        [d.name, d.address, d.kind, loc(d)].some((x) => x && String(x).toLowerCase().includes(needle)));
      clear(list);
      list.appendChild(el("p", { class: "muted small" }, rows.length > SHOWN
        ? t("first_n_of_m", { n: SHOWN, m: rows.length }) : t("n_of_m", { n: rows.length, m: devices.length })));
      list.appendChild(table([
        { label: t("device"), get: (d) => twoLines(el("a", { href: route("device", d.id) }, d.name),
          [d.address, t("kind_" + d.kind, null, d.kind), d.monitored ? null : t("monitored_no")].filter(Boolean).join(" · ")) },
        { label: t("location"), get: (d) => el("span", { class: "break" }, loc(d)), wideOnly: true },
        { label: t("actions"), get: (d) => {
          const cell = el("div", { class: "row actions" });
          cell.appendChild(el("button", { type: "button", class: "btn secondary edit", onclick: () => edit(d) }, t("edit")));
          cell.appendChild(el("button", { type: "button", class: "btn danger remove", onclick: () =>
            confirmInline(cell, t("confirm_remove_device", { name: d.name }), t("remove"), async () => {
              await api("DELETE", "/api/v1/devices/" + encodeURIComponent(d.id));
              say(t("device_removed", { name: d.name }));
              refresh();
            }) }, t("remove")));
          return cell;
        } },
      ], rows.slice(0, SHOWN), { empty: devices.length ? t("no_match") : t("no_devices"), compact: true,
        rowData: (d) => ({ device: d.name }) }));
    }
    async function refresh() {
      try {
        devices = ((await api("GET", "/api/v1/devices")) || []).sort((a, b) => String(a.name).localeCompare(String(b.name)));
        show();
      } catch (e) {
        if (e.status !== 401) { clear(list); list.appendChild(errorText(e)); }
      }
    }
    return { node, refresh };
  }

  /* Settings → discover: sweep address ranges, then follow the job until it is done. */
  function discoveryCard(onFound) {
    const ranges = el("input", { type: "text", id: "discover-ranges", required: true, autocomplete: "off",
      placeholder: "10.1.0.0/24, 10.2.0.0/24" });
    const communities = el("input", { type: "text", id: "discover-communities", autocomplete: "off",
      placeholder: t("communities_default") });
    const port = el("input", { type: "number", id: "discover-port", min: 1, max: 65535, step: 1, inputmode: "numeric", placeholder: "161" });
    const start = el("button", { type: "submit", class: "btn", id: "discover-start" }, t("discover_start"));
    const job = el("div", { id: "discovery-job" });
    const form = el("form", { class: "inline", novalidate: true },
      el("label", { class: "field" }, t("ranges"), ranges), el("label", { class: "field" }, t("communities"), communities),
      el("label", { class: "field narrow" }, t("port"), port), start);
    const node = el("section", { class: "card wide", id: "discovery-card" }, el("h2", {}, t("discover")),
      el("p", { class: "muted small" }, t("discover_hint")), form, job);
    let timer = null;
    const stop = () => { if (timer) clearTimeout(timer); timer = null; };

    function show(j) {
      clear(job);
      const running = j.state !== "done";
      CM.append(job, [
        el("p", {}, badge(running ? "running" : "done", running ? t("discovery_running") : t("discovery_done")), " ",
          t("discovery_progress", { probed: j.probed, total: j.total })),
        el("progress", { max: String(Math.max(1, j.total)), value: String(j.probed) }),
        el("p", { class: "muted small" }, t("discovery_counts", { snmp: j.snmp, seen: j.seen, inflight: j.in_flight })),
        table([
          { label: t("address"), get: (f) => f.address },
          { label: t("name"), get: (f) => (f.added ? el("a", { href: route("device", f.name), class: "break" }, f.name) : el("span", { class: "break" }, f.name || "")) },
          { label: t("kind"), get: (f) => t("kind_" + f.kind, null, f.kind || "") },
          { label: t("found_via"), get: (f) => f.via },
          { label: t("added"), get: (f) => (f.added ? t("yes") : t("already_known")) },
        ], j.found || [], { empty: running ? t("nothing_yet") : t("nothing_found"), compact: true, rowData: (f) => ({ address: f.address }) }),
      ]);
    }

    async function follow(id) {
      try {
        const j = await api("GET", "/api/v1/discovery/" + encodeURIComponent(id));
        show(j);
        if (j.state === "done") { timer = null; onFound(j); return; }
      } catch (e) {
        if (e.status === 401) return;
        clear(job);
        job.appendChild(errorText(e));
        return;
      }
      if (document.body.contains(job)) timer = setTimeout(() => follow(id), 1000);
    }

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      stop();
      const body = { ranges: ranges.value.split(/[\s,]+/).filter(Boolean) };
      const comms = communities.value.split(",").map((c) => c.trim()).filter(Boolean);
      if (comms.length) body.communities = comms;
      if (port.value.trim()) body.port = Number(port.value);
      start.disabled = true;
      try {
        const j = await api("POST", "/api/v1/discovery", body);
        show(j);
        timer = setTimeout(() => follow(j.id), 500);
      } catch (e) {
        clear(job);
        job.appendChild(errorText(e));
      } finally {
        start.disabled = false;
      }
    });
    return { node, stop };
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
