/*
 * view-device.js — one device's page: identity (with edit, monitoring and
 * remove for admins), sensors, interfaces, graphs of their series, and a
 * server's CPU, memory and storage (device-host.js).
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, route, api, apiOptional, fmt, t } = CM;
  const main = document.getElementById("main");
  const { badge, stateKey, stateCell, table, twoLines, confirmInline, errorText, showBanner, isAdmin,
    deviceForm, GRAPH_REFRESH_MS, seriesOf, seriesLabel, seriesLine, rangeState, rangePicker, graph,
    hostResources } = CM.ui;

  function viewDevice(id) {
    main.appendChild(el("p", { class: "small" }, el("a", { href: "#/devices" }, "‹ " + t("devices"))));
    const title = el("h1", { class: "break", id: "device-name" }, "…");
    const ident = el("div"), sensBox = el("div"), ifBox = el("div"), alertBox = el("div");
    const actions = el("div", { class: "row", id: "device-actions" }), editBox = el("div", { hidden: true });
    const range = rangeState();
    const gIf = graph(range, t("interface_traffic"), [], "bps", { half: true, id: "graph-interface" });
    const gSens = graph(range, t("sensors"), [], "", { half: true, id: "graph-sensor" });
    const gAny = graph(range, t("any_series"), [], "", { id: "graph-any" });
    const host = hostResources(range);	/* CPU, memory, storage of an SNMP-polled server */
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
      el("section", { class: "card wide", id: "device-alerts-card" }, el("h2", {}, t("alerts")), alertBox),
      el("section", { class: "card wide" }, rangePicker(range), el("p", { class: "muted small" }, t("zoom_hint"))),
      ...host.nodes, gIf.node, gSens.node,
      el("section", { class: "card wide", id: "interfaces-card" },
        el("h2", {}, t("interfaces"), " ", el("span", { class: "unit-note" }, t("unit_bps"))),
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
      if (s) gAny.setSeries([seriesLine(s)], seriesLabel(s), CM.displayOf(s.measurement, s.field).unit);
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
      fill(alertBox, async () => {
        const a = await CM.apiOptional("/api/v1/alerts?state=all&limit=50&device=" + enc);
        return a === undefined ? CM.ui.notYet(t("alerts")) :
          CM.alertList(a, { noDevice: true, compact: true, empty: t("no_device_alerts"), changed: refresh });
      });
      const [s, i, se] = await Promise.all([
        apiOptional("/api/v1/devices/" + enc + "/sensors").catch(() => []),
        apiOptional("/api/v1/devices/" + enc + "/interfaces").catch(() => []),
        seriesOf({ host: dev.name }).catch(() => [])]);
      sensors = s || [];
      ifs = (i || []).sort((a, b) => (a.index || 0) - (b.index || 0));
      series = se || [];
      renderSensors();
      host.update(series);
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
      if (!document.hidden && range.from === null) for (const g of [gIf, gSens, gAny, ...host.graphs]) if (!g.node.hidden) g.reload();
    }, GRAPH_REFRESH_MS);
    return { refresh, stop: () => clearInterval(graphTimer) };
  }

  CM.views.device = viewDevice;
})();
