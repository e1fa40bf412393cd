/*
 * view-events.js — traps, syslog and poll-seen interface changes: the events
 * page (search box in FTS5 syntax, filters, a live tail that polls every few
 * seconds, "older" paging) and CM.ui.eventList, the per-device timeline on
 * device pages. Every value from the API is inserted as text.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, route, api, t } = CM;
  const main = document.getElementById("main");
  const { badge, table, errorText } = CM.ui;

  const TAIL_MS = 3000;
  const SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
  /* syslog severity → the badge colours the UI already has */
  const SEV_STATE = { emerg: "critical", alert: "critical", crit: "critical", err: "down",
    warning: "warning", notice: "unknown", info: "unknown", debug: "unknown" };

  function sevBadge(s) {
    return s ? badge(SEV_STATE[s] || "unknown", t("sev_" + s, null, s)) : el("span", { class: "muted" }, "–");
  }

  /* The alert a log rule raised, kept open or resolved with this event, or null. */
  function alertLink(e) {
    return e.alert_id ? el("a", { href: route("alert", String(e.alert_id)), class: "event-alert" },
      t("event_alert", { id: String(e.alert_id) })) : null;
  }

  /* One event's message, with its trap varbinds under it and the poll's
   * confirmation; withAlert: its alert too (a device's timeline has no device column). */
  function messageCell(e, withAlert) {
    const parts = [el("span", { class: "break event-msg" }, e.message || "")];
    if (withAlert && e.alert_id) parts.push(el("span", { class: "sub" }, alertLink(e)));
    if (e.confirmed_by_poll)
      parts.push(el("span", { class: "sub" }, t("confirmed_by_poll", { when: CM.datetime(e.confirmed_by_poll) })));
    if (e.kind === "trap" && e.trap_oid)
      parts.push(el("span", { class: "sub break" }, e.trap_name ? e.trap_name + " (" + e.trap_oid + ")" : e.trap_oid));
    return el("div", {}, parts);	/* one block: on a phone the cell is a flex row */
  }

  /* The device, and under it the event's alert, else the device's alerts. */
  function deviceCell(e) {
    const alert = alertLink(e);
    if (e.device_id) {
      return el("div", {}, el("a", { href: route("device", String(e.device_id)), class: "break" }, e.device || String(e.device_id)),
        el("span", { class: "sub" }, alert || el("a", { href: "#/alerts?device=" + encodeURIComponent(e.device || "") }, t("its_alerts"))));
    }
    return el("div", {}, el("span", { class: "break muted" }, e.source_address || "–"), alert ? el("span", { class: "sub" }, alert) : null);
  }

  function columns(withDevice) {
    const cols = [
      { label: t("when"), get: (e) => el("span", { title: e.sent_ts ? t("sent_at", { when: CM.datetime(e.sent_ts) }) : "" }, CM.datetime(e.ts)), num: true },
    ];
    if (withDevice) cols.push({ label: t("device"), get: deviceCell });
    cols.push(
      { label: t("severity"), get: (e) => sevBadge(e.severity) },
      { label: t("kind"), get: (e) => t("event_kind_" + e.kind, null, e.kind), wideOnly: true },
      { label: t("program"), get: (e) => el("span", { class: "break" }, e.program || ""), wideOnly: true },
      { label: t("message"), get: (e) => messageCell(e, !withDevice) });
    return cols;
  }

  function queryString(f) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
    return q.toString();
  }

  /*
   * A list of events for the filters f ({q, device, kind, severity}): returns
   * {node, refresh}. A device page passes {device: id} and gets its timeline.
   */
  function eventList(f, opts) {
    opts = opts || {};
    const box = el("div", { class: "event-list" });
    const more = el("button", { type: "button", class: "secondary", hidden: true }, t("older"));
    let rows = [];
    async function load(before) {
      const q = Object.assign({ limit: opts.limit || 100 }, f(), before ? { before } : {});
      const got = await api("GET", "/api/v1/events?" + queryString(q));
      rows = before ? rows.concat(got) : got;
      more.hidden = got.length < (opts.limit || 100);
      clear(box);
      box.appendChild(table(columns(!opts.device), rows, { empty: t("no_events"),
        rowData: (e) => ({ event: String(e.id) }) }));
    }
    async function refresh() {
      try { await load(null); } catch (e) { if (e.status !== 401) { clear(box); box.appendChild(errorText(e)); } }
    }
    more.addEventListener("click", async () => {
      try { await load(rows.length ? rows[rows.length - 1].id : null); } catch (e) { box.appendChild(errorText(e)); }
    });
    return { node: el("div", {}, box, el("p", {}, more)), refresh };
  }

  function viewEvents(params) {
    params = params || {};
    main.appendChild(el("h1", {}, t("events")));
    const q = el("input", { type: "search", id: "events-q", placeholder: t("events_search_hint"), "aria-label": t("search"), value: params.q || "" });
    const kind = el("select", { "aria-label": t("kind"), id: "events-kind" }, el("option", { value: "" }, t("all_kinds")),
      ["trap", "syslog", "poll"].map((k) => el("option", { value: k }, t("event_kind_" + k))));
    const sev = el("select", { "aria-label": t("severity"), id: "events-severity" }, el("option", { value: "" }, t("any_severity")),
      SEVERITIES.map((s) => el("option", { value: s }, t("sev_at_least", { s: t("sev_" + s, null, s) }))));
    const device = el("input", { type: "search", id: "events-device", placeholder: t("device_name"), "aria-label": t("device"), value: params.device || "" });
    const live = el("input", { type: "checkbox", id: "events-live", checked: true });
    kind.value = params.kind || "";
    sev.value = params.severity || "";
    const list = eventList(() => ({ q: q.value.trim(), kind: kind.value, severity: sev.value, device: device.value.trim() }));
    main.appendChild(el("section", { class: "card wide" },
      el("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); list.refresh(); } },
        el("label", { class: "field grow" }, t("search"), q),
        el("label", { class: "field" }, t("device"), device),
        el("label", { class: "field" }, t("kind"), kind),
        el("label", { class: "field" }, t("severity"), sev),
        el("label", { class: "field check" }, live, " ", t("live_tail")),
        el("button", { type: "submit" }, t("search"))),
      el("p", { class: "muted small" }, t("events_help")), list.node));
    for (const c of [kind, sev]) c.addEventListener("change", () => list.refresh());
    /* live tail: ask again every few seconds while the box is ticked and the page visible */
    const timer = setInterval(() => { if (live.checked && !document.hidden) list.refresh(); }, TAIL_MS);
    return { refresh: list.refresh, stop: () => clearInterval(timer) };
  }

  CM.views.events = viewEvents;
  CM.ui.eventList = eventList;
})();
