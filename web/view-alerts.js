/*
 * view-alerts.js — the alert center: active, acknowledged, suppressed under
 * their root cause, and history, with filters and a one-tap acknowledge that
 * works on a phone; one alert with its timeline; and the compact alert list
 * the overview and device pages share (CM.alertList).
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, api, t, route } = CM;
  const main = document.getElementById("main");
  const { badge, table, fill, card, can, errorText } = CM.ui;

  const canAck = () => can("operate");

  function deviceLink(a) {
    if (!a.device) return "";
    const href = a.device_id ? route("device", a.device_id) : route("host", a.device);
    return el("a", { href, class: "break" }, a.device);
  }

  function stateBadge(a) {
    const word = a.state === "firing" ? (a.severity === "critical" ? "critical" : "warning") :
      a.state === "acknowledged" ? "acknowledged" : a.state === "suppressed" ? "unknown" : "ok";
    const extra = a.flapping ? " · " + t("alert_flapping") : a.maintenance ? " · " + t("alert_maintenance") : "";
    return badge(word, t("alert_state_" + a.state, null, a.state) + extra);
  }

  /* Ack: a comment box and a button; the row refreshes itself after. */
  function ackControl(a, done) {
    if (!canAck() || (a.state !== "firing" && a.state !== "suppressed")) return "";
    const comment = el("input", { type: "text", maxlength: "1024", placeholder: t("ack_comment"),
      "aria-label": t("ack_comment"), class: "ack-comment" });
    const msg = el("span", { class: "small", role: "status" });
    const btn = el("button", { type: "submit", class: "ack" }, t("ack"));
    return el("form", { class: "inline ack-form", onsubmit: async (e) => {
      e.preventDefault();
      btn.disabled = true;
      try {
        await api("POST", "/api/v1/alerts/" + encodeURIComponent(a.id) + "/ack",
          comment.value.trim() ? { comment: comment.value.trim() } : {});
        msg.textContent = t("acked");
        if (done) done();
      } catch (err) {
        msg.textContent = "";
        msg.appendChild(errorText(err));
        btn.disabled = false;
      }
    } }, comment, btn, msg);
  }

  /* Roots first, each followed by the alerts suppressed under it. */
  function grouped(rows) {
    const byRoot = {};
    for (const a of rows) if (a.root_cause != null) (byRoot[a.root_cause] = byRoot[a.root_cause] || []).push(a);
    const ids = new Set(rows.map((a) => String(a.id)));
    const out = [];
    for (const a of rows) {
      if (a.root_cause != null && ids.has(String(a.root_cause))) continue;
      out.push(a);
      for (const c of byRoot[a.id] || []) out.push(Object.assign({ _child: true }, c));
    }
    return out;
  }

  function alertList(rows, opts) {
    opts = opts || {};
    return table([
      { label: t("severity"), get: (a) => badge(a.severity) },
      { label: t("status"), get: (a) => stateBadge(a) },
      { label: t("alert"), cls: "alert-text", get: (a) => [
        el("a", { href: route("alert", a.id), class: "break" + (a._child ? " child" : "") },
          (a._child ? "↳ " : "") + (a.message || a.rule)),
        el("span", { class: "sub break" }, a.rule + (a.subject ? " · " + a.subject : "") +
          (a.affected ? " · " + t("alert_affected", { n: a.affected }) : "") +
          (a.root_cause != null ? " · " + t("alert_under", { id: a.root_cause }) : "") +
          (a.note ? " · " + a.note : "")) ] },
      opts.noDevice ? null : { label: t("device"), get: (a) => deviceLink(a) },
      { label: t("since"), get: (a) => CM.ago(a.started), num: true, wideOnly: opts.compact },
      opts.noAck ? null : { label: "", cls: "alert-ack", get: (a) => ackControl(a, opts.changed) },
    ].filter(Boolean), grouped(rows), { empty: opts.empty || t("no_alerts"), compact: opts.compact,
      cls: "alert-list", rowData: (a) => ({ alert: a.id, state: a.state }) });
  }
  CM.alertList = alertList;

  const STATES = ["active", "firing", "acknowledged", "suppressed", "resolved", "all"];

  function viewAlerts(params) {
    main.appendChild(el("h1", {}, t("alerts")));
    const state = el("select", { "aria-label": t("status"), id: "alert-state" },
      STATES.map((s) => el("option", { value: s }, t("alert_state_" + s, null, s))));
    const sev = el("select", { "aria-label": t("severity") }, el("option", { value: "" }, t("all_severities")),
      ["critical", "warning", "info"].map((s) => el("option", { value: s }, t("state_" + s, null, s))));
    const dev = el("input", { type: "search", placeholder: t("device"), "aria-label": t("device") });
    if (params && STATES.includes(params.state)) state.value = params.state;
    const list = el("div", { id: "alert-list" }), maint = el("div");
    main.appendChild(el("div", { class: "grid" },
      el("section", { class: "card wide" },
        el("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); refresh(); } },
          el("label", { class: "field" }, t("status"), state), el("label", { class: "field" }, t("severity"), sev),
          el("label", { class: "field" }, t("device"), dev)), list),
      el("section", { class: "card wide", id: "maintenance-card" }, el("h2", {}, t("maintenance")), maint,
        canAck() ? maintForm(() => refresh()) : null)));
    for (const c of [state, sev]) c.addEventListener("change", () => refresh());
    dev.addEventListener("change", () => refresh());
    async function refresh() {
      fill(list, async () => {
        let q = "/api/v1/alerts?state=" + encodeURIComponent(state.value);
        if (sev.value) q += "&severity=" + encodeURIComponent(sev.value);
        if (dev.value.trim()) q += "&device=" + encodeURIComponent(dev.value.trim());
        return alertList(await api("GET", q), { changed: refresh });
      });
      fill(maint, async () => {
        const rows = await api("GET", "/api/v1/maintenance");
        return table([
          { label: t("maint_what"), get: (w) => el("span", { class: "break" }, (w.devices || []).join(", ") ||
            Object.entries(w.match || {}).filter((kv) => kv[1]).map((kv) => kv[0] + "=" + kv[1]).join(" ")) },
          { label: t("maint_from"), get: (w) => CM.datetime(w.from), num: true },
          { label: t("maint_to"), get: (w) => CM.datetime(w.to), num: true },
          { label: t("maint_weekly"), get: (w) => (w.recurrence === "weekly" ? t("yes") : "") },
          { label: t("status"), get: (w) => badge(w.active ? "warning" : "unknown", w.active ? t("maint_active") : t("maint_idle")) },
          { label: t("comment"), get: (w) => el("span", { class: "break" }, w.comment || ""), wideOnly: true },
          canAck() ? { label: "", get: (w) => el("button", { type: "button", class: "maint-delete", onclick: async (e) => {
            e.target.disabled = true;
            try { await api("DELETE", "/api/v1/maintenance/" + encodeURIComponent(w.id)); } catch (err) { /* shown on refresh */ }
            refresh();
          } }, t("remove")) } : null,
        ].filter(Boolean), rows, { empty: t("no_maintenance"), compact: true });
      });
    }
    return { refresh };
  }

  /* A new window: device names (or a rule), from now or a time, for some hours, weekly or not. */
  function maintForm(done) {
    const devices = el("input", { type: "text", name: "devices", placeholder: "sw-core-1, ups-b1", "aria-label": t("maint_devices") });
    const rule = el("input", { type: "text", name: "rule", "aria-label": t("alert_rule") });
    const from = el("input", { type: "datetime-local", name: "from", "aria-label": t("maint_from") });
    const hours = el("input", { type: "number", name: "hours", min: "0.25", step: "0.25", value: "2", "aria-label": t("maint_hours") });
    const weekly = el("input", { type: "checkbox", name: "weekly" });
    const comment = el("input", { type: "text", name: "comment", maxlength: "256", "aria-label": t("comment") });
    const msg = el("p", { class: "small", role: "status" });
    return el("form", { class: "inline maint-form", id: "maintenance-form", onsubmit: async (e) => {
      e.preventDefault();
      msg.textContent = "";
      const start = from.value ? new Date(from.value).getTime() / 1000 : Math.floor(Date.now() / 1000);
      const body = { from: start, to: start + Number(hours.value || 0) * 3600, comment: comment.value.trim() || null,
        recurrence: weekly.checked ? "weekly" : null };
      const names = devices.value.split(",").map((x) => x.trim()).filter(Boolean);
      if (names.length) body.devices = names;
      else if (rule.value.trim()) body.match = { rule: rule.value.trim() };
      try {
        await api("POST", "/api/v1/maintenance", body);
        devices.value = rule.value = comment.value = "";
        done();
      } catch (err) {
        msg.appendChild(errorText(err));
      }
    } },
      el("label", { class: "field" }, t("maint_devices"), devices), el("label", { class: "field" }, t("alert_rule"), rule),
      el("label", { class: "field" }, t("maint_from"), from), el("label", { class: "field" }, t("maint_hours"), hours),
      el("label", { class: "field" }, t("maint_weekly"), weekly), el("label", { class: "field" }, t("comment"), comment),
      el("button", { type: "submit" }, t("maint_add")), msg);
  }

  function viewAlert(id) {
    main.appendChild(el("p", { class: "small" }, el("a", { href: "#/alerts" }, "‹ " + t("alerts"))));
    const title = el("h1", { class: "break", id: "alert-title" }, "…");
    const body = el("div"), kids = el("div"), tl = el("div");
    main.appendChild(title);
    main.appendChild(el("div", { class: "grid" }, card(null, body), card(t("alert_children"), kids),
      el("section", { class: "card wide" }, el("h2", {}, t("timeline")), tl)));
    async function refresh() {
      let a;
      try {
        a = await api("GET", "/api/v1/alerts/" + encodeURIComponent(id));
      } catch (e) {
        title.textContent = t("alert") + " " + id;
        fill(body, async () => errorText(e));
        return;
      }
      title.textContent = a.message || a.rule;
      const row = (k, v) => el("tr", {}, el("th", {}, k), el("td", { class: "break" }, v));
      fill(body, async () => [el("table", { class: "kv" }, el("tbody", {},
        row(t("status"), stateBadge(a)), row(t("severity"), badge(a.severity)),
        row(t("device"), deviceLink(a)), row(t("alert_rule"), a.rule), row(t("alert_subject"), a.subject || ""),
        row(t("alert_value"), a.value == null ? "–" : String(a.value)),
        row(t("since"), CM.datetime(a.started)), a.ended ? row(t("alert_ended"), CM.datetime(a.ended)) : null,
        a.root_cause != null ? row(t("alert_root_cause"), el("a", { href: route("alert", a.root_cause) }, "#" + a.root_cause)) : null,
        a.note ? row(t("alert_note"), a.note) : null,
        a.ports ? row(t("alert_ports"), a.ports.join(", ")) : null,
        a.acknowledged_by ? row(t("alert_acked_by"), a.acknowledged_by + (a.ack_comment ? ": " + a.ack_comment : "")) : null)),
        ackControl(a, refresh)]);
      fill(kids, async () => (a.children && a.children.length ?
        el("ul", {}, a.children.map((c) => el("li", {}, el("a", { href: route("alert", c.id), class: "break" }, c.device || "#" + c.id)))) :
        el("p", { class: "muted" }, t("alert_no_children"))));
      fill(tl, async () => el("ol", { class: "timeline" }, (a.timeline || []).map((e) =>
        el("li", {}, el("span", { class: "muted small" }, CM.datetime(e.ts)), " ", el("span", { class: "break" }, e.what)))));
    }
    return { refresh };
  }

  CM.views.alerts = viewAlerts;
  CM.views.alert = viewAlert;
})();
