/*
 * view-discovery.js — the discovery tab's two sections beyond range sweeps:
 * seeded discovery (seeds, allowed ranges, communities; progress, found and
 * skipped with why) and the seen hosts (sweeps' ping- or TCP-only answers),
 * adopted or deleted one by one or in bulk. Everything from the collector is
 * shown through text nodes.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, route, api, t } = CM;
  const { badge, table, pager, confirmInline, errorText } = CM.ui;
  const PAGE = 50;
  const words = (s) => s.split(/[\s,]+/).filter(Boolean);

  /* Seeded discovery: POST /api/v1/discovery {seeds, allowed, credentials}. */
  function seededSection(onFound) {
    const seeds = el("input", { type: "text", id: "seed-addresses", required: true, autocomplete: "off",
      placeholder: "10.1.0.1", inputmode: "decimal" });
    const allowed = el("input", { type: "text", id: "seed-allowed", required: true, autocomplete: "off",
      placeholder: "10.1.0.0/16" });
    const communities = el("input", { type: "text", id: "seed-communities", autocomplete: "off",
      placeholder: t("communities_default") });
    const start = el("button", { type: "submit", class: "btn", id: "seed-start" }, t("seeded_start"));
    const job = el("div", { id: "seeded-job" });
    const form = el("form", { class: "inline", novalidate: true },
      el("label", { class: "field" }, t("seeds"), seeds), el("label", { class: "field" }, t("allowed"), allowed),
      el("label", { class: "field" }, t("communities"), communities), start);
    const node = el("div", { id: "seeded-section" }, el("h3", {}, t("seeded_title")),
      el("p", { class: "muted small" }, t("seeded_hint")), form, job);

    function show(j) {
      clear(job);
      const running = j.state !== "done";
      CM.append(job, [
        el("p", {}, badge(running ? "running" : "done", running ? t("discovery_running") : t("discovery_done")), " ",
          t("seeded_counts", { tried: j.tried, found: j.found_count, added: j.added, skipped: j.skipped_count, queued: j.queued })),
        table([
          { label: t("address"), get: (f) => f.address },
          { label: t("name"), get: (f) => (f.added ? el("a", { href: route("device", f.name), class: "break" }, f.name) : el("span", { class: "break" }, f.name || "")) },
          { label: t("kind"), get: (f) => t("kind_" + f.kind, null, f.kind || "") },
          { label: t("credential"), get: (f) => f.credential || "" },
          { label: t("found_via"), get: (f) => f.via || t("via_seed") },
          { label: t("added"), get: (f) => (f.added ? t("yes") : t("already_known")) },
        ], j.found || [], { empty: running ? t("nothing_yet") : t("nothing_found"), compact: true }),
        (j.skipped || []).length ? el("h4", {}, t("skipped")) : null,
        (j.skipped || []).length ? table([
          { label: t("address"), get: (s) => s.address },
          { label: t("reason"), get: (s) => s.reason },
          { label: t("found_via"), get: (s) => s.via || t("via_seed") },
        ], j.skipped, { compact: true }) : null,
      ].filter(Boolean));
    }

    async function follow(id) {
      try {
        const j = await api("GET", "/api/v1/discovery/" + encodeURIComponent(id));
        show(j);
        if (j.state === "done") { onFound(j); return; }
      } catch (e) {
        if (e.status === 401) return;
        clear(job);
        job.appendChild(errorText(e));
        return;
      }
      if (document.body.contains(job)) setTimeout(() => follow(id), 1000);
    }

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = { seeds: words(seeds.value), allowed: words(allowed.value), recursive: true };
      const comms = communities.value.split(",").map((c) => c.trim()).filter(Boolean);
      if (comms.length) body.credentials = comms.map((c) => ({ version: "2c", community: c }));
      start.disabled = true;
      try {
        const j = await api("POST", "/api/v1/discovery", body);
        show(j);
        setTimeout(() => follow(j.id), 500);
      } catch (e) {
        clear(job);
        job.appendChild(errorText(e));
      } finally {
        start.disabled = false;
      }
    });
    return node;
  }

  /* The seen list: GET /api/v1/discovery/seen; adopt (POST …/seen/adopt) and
   * delete (DELETE …/seen) the selected rows or all of them. */
  function seenSection(onAdopted) {
    const list = el("div", { id: "seen-list" });
    const msg = el("p", { class: "small", id: "seen-message", role: "status" });
    const actions = el("div", { class: "row wrap", id: "seen-actions" });
    const node = el("div", { id: "seen-section" }, el("h3", {}, t("seen_title")),
      el("p", { class: "muted small" }, t("seen_hint")), actions, msg, list);
    const chosen = new Set();
    let rows = [], page = 1;

    async function act(what, body) {
      msg.textContent = "";
      try {
        if (what === "adopt") {
          const r = await api("POST", "/api/v1/discovery/seen/adopt", body);
          msg.textContent = t("seen_adopted", { n: r.adopted.length });
          onAdopted();
        } else {
          const r = await api("DELETE", "/api/v1/discovery/seen", body);
          msg.textContent = t("seen_deleted", { n: r.deleted });
        }
      } catch (e) {
        msg.textContent = e.message;
      }
      chosen.clear();
      await refresh();
    }

    function drawActions() {
      clear(actions);
      const sel = () => ({ addresses: [...chosen] });
      const none = chosen.size === 0, empty = rows.length === 0;
      const del = (body, n) => confirmInline(actions, t("seen_delete_q", { n }), t("delete"),
        () => act("delete", body), drawActions);
      CM.append(actions, [
        el("button", { type: "button", class: "btn", id: "seen-adopt", disabled: none, onclick: () => act("adopt", sel()) }, t("adopt_selected")),
        el("button", { type: "button", class: "btn secondary", id: "seen-adopt-all", disabled: empty, onclick: () => act("adopt", { all: true }) }, t("adopt_all")),
        el("button", { type: "button", class: "btn danger", id: "seen-delete", disabled: none, onclick: () => del(sel(), chosen.size) }, t("delete_selected")),
        el("button", { type: "button", class: "btn danger secondary", id: "seen-delete-all", disabled: empty, onclick: () => del({ all: true }, rows.length) }, t("delete_all")),
      ]);
    }

    function draw() {
      clear(list);
      const pages = Math.max(1, Math.ceil(rows.length / PAGE));
      page = Math.min(page, pages);
      const shown = rows.slice((page - 1) * PAGE, page * PAGE);
      const all = el("input", { type: "checkbox", "aria-label": t("select_all"), id: "seen-select-all",
        checked: shown.length > 0 && shown.every((r) => chosen.has(r.address)) });
      all.addEventListener("change", () => {
        for (const r of shown) { if (all.checked) chosen.add(r.address); else chosen.delete(r.address); }
        draw();
      });
      list.appendChild(table([
        { label: "", get: (r) => {
          const box = el("input", { type: "checkbox", checked: chosen.has(r.address),
            "aria-label": t("select_host", { address: r.address }) });
          box.addEventListener("change", () => { if (box.checked) chosen.add(r.address); else chosen.delete(r.address); drawActions(); });
          return box;
        } },
        { label: t("address"), get: (r) => el("span", { class: "break" }, r.address) },
        { label: t("answered"), get: (r) => r.answered },
        { label: t("first_seen"), get: (r) => CM.datetime(r.first_seen), wideOnly: true },
        { label: t("last_seen"), get: (r) => CM.ago(r.last_seen) },
      ], shown, { empty: t("seen_none"), compact: true, rowData: (r) => ({ address: r.address }) }));
      if (shown.length) list.querySelector("thead th").appendChild(all);
      if (pages > 1) list.appendChild(pager(page, pages, (p) => { page = p; draw(); }));
      drawActions();
    }

    async function refresh() {
      try {
        rows = await api("GET", "/api/v1/discovery/seen");	/* sorted by address as numbers */
        for (const a of [...chosen]) if (!rows.some((r) => r.address === a)) chosen.delete(a);
        draw();
      } catch (e) {
        if (e.status !== 401) { clear(list); list.appendChild(errorText(e)); }
      }
    }
    refresh();
    return { node, refresh };
  }

  CM.ui.seededSection = seededSection;
  CM.ui.seenSection = seenSection;
})();
