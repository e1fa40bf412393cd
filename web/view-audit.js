/*
 * view-audit.js — the audit trail, filtered by action and by who.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, api, t } = CM;
  const main = document.getElementById("main");
  const { badge, table, fill } = CM.ui;

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

  CM.views.audit = viewAudit;
})();
