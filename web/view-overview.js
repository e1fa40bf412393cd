/*
 * view-overview.js — the overview: health by device kind, active alerts, the
 * machine room (temperatures, humidity, UPS, leak), the busiest links and the
 * agents reporting.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, route, api, apiOptional, fmt, t } = CM;
  const main = document.getElementById("main");
  const { card, badge, stat, table, notYet, fill, seriesOf, fresh } = CM.ui;

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
        const firing = a.filter((x) => x.state === "firing").length;
        return [el("p", { class: "small" }, el("a", { href: "#/alerts" }, t("alerts_summary",
          { n: a.length, firing }))), CM.alertList(a.slice(0, 10), { compact: true, noAck: true })];
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

  CM.views.overview = viewOverview;
})();
