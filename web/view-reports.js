/*
 * view-reports.js — the auditors' pages: coverage (per kind, the unmonitored
 * with why, the daily trend), compliance (the guide's indicators with their
 * evidence), printable A4 versions of both (#/print/coverage,
 * #/print/compliance: date, school name, signature line) and the asset
 * register (import a CSV, matched and unmatched). Every value is text.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, api, t, route } = CM;
  const main = document.getElementById("main");
  const { badge, table, fill, isAdmin, canRead } = CM.ui;
  /* A device's name, linked to its page for those who may open it (not auditors). */
  const deviceLink = (id, name) => (canRead() ? el("a", { href: route("device", id) }, name) : name);

  const pct = (v) => (v === null || v === undefined ? "–" : v + " %");
  const num = (v) => (v === null || v === undefined ? "–" : String(v));
  const passBadge = (p) => (p === true ? badge("ok", t("pass")) : p === false ? badge("bad", t("fail")) : badge("unknown", t("state_unknown")));
  const kind = (k) => t("kind_" + k, null, k);

  /* A same-origin link to a file the API makes (el() only allows #/ links). */
  function download(path, label) {
    const a = el("a", { class: "btn secondary", download: "" }, label);
    a.setAttribute("href", path);
    return a;
  }

  function bar(percent) {
    const b = el("div", { class: "pbar" }, el("span"));
    b.firstChild.style.width = Math.max(0, Math.min(100, percent || 0)) + "%";
    return b;
  }

  function coverageBody(r, forPrint) {
    const o = r.overall;
    const parts = [
      el("p", { class: "big-figure" }, pct(o.percent), " ", passBadge(o.pass)),
      el("p", { class: "muted" }, t("coverage_summary", { mon: o.monitored, inv: o.inventoried, target: o.target })),
      el("h2", {}, t("by_kind")),
      table([
        { label: t("kind"), get: (k) => kind(k.kind) },
        { label: t("inventoried"), get: (k) => num(k.inventoried), num: true },
        { label: t("monitored"), get: (k) => num(k.monitored), num: true },
        { label: t("percent"), get: (k) => pct(k.percent), num: true },
        { label: "", get: (k) => bar(k.percent), wideOnly: !forPrint },
      ], r.by_kind, { compact: true }),
      el("h2", {}, t("unmonitored")),
      table([
        { label: t("name"), get: (u) => el("span", { class: "break" }, u.name || "") },
        { label: t("address"), get: (u) => u.address || "" },
        { label: t("kind"), get: (u) => kind(u.kind) },
        { label: t("why"), get: (u) => u.why || "" },
      ], r.unmonitored, { empty: t("all_monitored") }),
    ];
    for (const n of r.notes || []) parts.push(el("p", { class: "muted small" }, n));
    return parts;
  }

  function complianceBody(r) {
    return table([
      { label: t("indicator"), get: (i) => CM.ui.twoLines(t("ind_" + i.id, null, i.name), i.code) },
      { label: t("threshold"), get: (i) => "≥ " + i.threshold + " " + i.unit, num: true },
      { label: t("value"), get: (i) => (i.value === null ? "–" : i.value + " " + i.unit), num: true },
      { label: t("result"), get: (i) => passBadge(i.pass) },
      { label: t("evidence"), get: (i) => el("ul", { class: "evidence" }, i.evidence.map((e) =>
        el("li", {}, e.device ? el("strong", {}, e.device + ": ") : "", e.what,
          e.value === null || e.value === undefined ? "" : " = " + (typeof e.value === "boolean" ? (e.value ? t("yes") : t("no")) : e.value)))) },
    ], r.indicators);
  }

  function trend(rows) {
    if (!rows.length) return el("p", { class: "muted" }, t("no_history"));
    return table([
      { label: t("day"), get: (h) => h.day },
      { label: t("monitored"), get: (h) => h.monitored + " / " + h.inventoried, num: true },
      { label: t("percent"), get: (h) => pct(h.percent), num: true },
      { label: "", get: (h) => bar(h.percent) },
    ], rows.slice(-30).reverse(), { compact: true });
  }

  /* ---- #/reports ---- */
  function viewReports() {
    const level = el("select", { "aria-label": t("level") }, ["", "JJ", "ZJ", "GJ"].map((l) =>
      el("option", { value: l }, l ? t("level_" + l) : t("level_configured"))));
    const cov = el("div"), hist = el("div"), comp = el("div");
    main.appendChild(el("h1", {}, t("reports")));
    main.appendChild(el("section", { class: "card" },
      el("div", { class: "row spread" }, el("h2", {}, t("coverage")),
        el("div", { class: "row no-print" },
          el("a", { class: "btn secondary", href: "#/print/coverage" }, t("printable")),
          download("/api/v1/reports/coverage?format=csv", "CSV"))),
      cov));
    main.appendChild(el("section", { class: "card" }, el("h2", {}, t("coverage_trend")), hist));
    main.appendChild(el("section", { class: "card" },
      el("div", { class: "row spread" }, el("h2", {}, t("compliance")),
        el("div", { class: "row no-print" }, level,
          el("a", { class: "btn secondary", href: "#/print/compliance" }, t("printable")),
          download("/api/v1/reports/compliance?format=csv", "CSV"))),
      comp));
    level.addEventListener("change", () => loadCompliance());
    function loadCompliance() {
      fill(comp, async () => complianceBody(await api("GET", "/api/v1/reports/compliance" + (level.value ? "?level=" + level.value : ""))));
    }
    function refresh() {
      fill(cov, async () => coverageBody(await api("GET", "/api/v1/reports/coverage"), false));
      fill(hist, async () => trend(await api("GET", "/api/v1/reports/coverage/history?days=90")));
      loadCompliance();
    }
    return { refresh, noAuto: true };
  }

  /* ---- #/print/coverage, #/print/compliance: one A4 page to sign ---- */
  function viewPrint(which, params) {
    document.body.classList.add("printing");
    const body = el("div");
    const head = el("div", { class: "print-head" });
    main.appendChild(el("article", { class: "print-page" }, head, body,
      el("div", { class: "signature" }, el("span", {}, t("checked_by")), el("span", {}, t("signature")), el("span", {}, t("date")))));
    main.appendChild(el("p", { class: "row no-print" },
      el("button", { type: "button", class: "btn", onclick: () => window.print() }, t("print")),
      el("a", { class: "btn secondary", href: "#/reports" }, t("back"))));
    async function refresh() {
      await fill(body, async () => {
        const path = which === "compliance" ? "/api/v1/reports/compliance" + (params.level ? "?level=" + encodeURIComponent(params.level) : "") : "/api/v1/reports/coverage";
        const r = await api("GET", path);
        CM.clear(head);
        CM.append(head, [el("h1", {}, which === "compliance" ? t("compliance_report", { level: r.level }) : t("coverage_report")),
          el("p", {}, r.school ? r.school + " · " : "", CM.datetime(r.generated))]);
        return which === "compliance" ? complianceBody(r) : coverageBody(r, true);
      });
      main.dataset.ready = "1";
    }
    return { refresh, noAuto: true, stop: () => document.body.classList.remove("printing") };
  }

  /* ---- #/assets ---- */
  function viewAssets() {
    const list = el("div"), msg = el("p", { class: "small", role: "status" });
    main.appendChild(el("h1", {}, t("assets")));
    if (isAdmin()) {
      const file = el("input", { type: "file", accept: ".csv,text/csv", "aria-label": t("assets_file") });
      main.appendChild(el("section", { class: "card no-print" },
        el("h2", {}, t("assets_import")),
        el("p", { class: "muted small" }, t("assets_hint")),
        el("form", { class: "inline", onsubmit: async (e) => {
          e.preventDefault();
          if (!file.files.length) return;
          msg.textContent = "";
          msg.className = "small";
          try {
            const r = await fetch("/api/v1/assets", { method: "POST", credentials: "same-origin",
              headers: { "Content-Type": "text/csv", "X-CSRF-Token": CM.session.csrf || "" }, body: file.files[0] });
            const j = await r.json().catch(() => ({}));
            if (!r.ok) throw new Error(j.error || "HTTP " + r.status);
            msg.textContent = t("assets_imported", { n: j.imported, enc: j.encoding, m: j.matched, u: j.unmatched });
            refresh();
          } catch (err) {
            msg.className = "small error-text";
            msg.textContent = err.message;
          }
        } }, file, el("button", { type: "submit", class: "btn" }, t("import"))), msg));
    }
    main.appendChild(el("section", { class: "card" },
      el("div", { class: "row spread" }, el("h2", {}, t("assets_register")), download("/api/v1/assets?format=csv", "CSV")), list));
    function refresh() {
      fill(list, async () => {
        const r = await api("GET", "/api/v1/assets");
        return [
          table([
            { label: t("asset_tag"), get: (a) => a.asset_tag },
            { label: t("name"), get: (a) => el("span", { class: "break" }, a.name) },
            { label: t("kind"), get: (a) => a.kind },
            { label: t("location"), get: (a) => [a.building, a.room, a.rack].filter((x) => x).join(" / ") },
            { label: t("device"), get: (a) => (a.device_id ? deviceLink(a.device_id, a.device) : badge("bad", t("no_device"))) },
            { label: t("matched_by"), get: (a) => (a.matched_by ? t("by_" + a.matched_by, null, a.matched_by) : "–") },
          ], r.assets, { empty: t("assets_empty") }),
          el("h2", {}, t("devices_without_asset")),
          table([
            { label: t("name"), get: (d) => deviceLink(d.id, d.name) },
            { label: t("address"), get: (d) => d.address },
            { label: t("kind"), get: (d) => kind(d.kind) },
          ], r.unmatched_devices, { empty: t("every_device_has_asset") }),
        ];
      });
    }
    return { refresh, noAuto: true };
  }

  CM.views.reports = viewReports;
  CM.views.print = viewPrint;
  CM.views.assets = viewAssets;
})();
