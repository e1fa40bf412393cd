/*
 * ui.js — the building blocks every view uses: role checks, cards, badges,
 * tables, an in-page confirmation, the banner and fill(). Views register
 * themselves in CM.views; app.js routes to them.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, t } = CM;

  const banner = document.getElementById("banner");

  /* ---- permissions: what /api/v1/me says this session may do (the
   * collector's one role table decides; the UI keeps no copy of it) ---- */
  const can = (perm) => (CM.session.permissions || []).includes(perm);
  const canRead = () => can("read");
  const isAdmin = () => can("admin");
  const canAudit = () => can("audit");

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
   * A table; columns: [{label, get(row) → node|text, num, wideOnly, cls}].
   * opts: empty (text), onRow(row, tr), selected(row), compact (stays a table
   * on phones, where wideOnly columns are hidden; else rows become cards),
   * rowData(row) → data-* attributes of the row, cls (the table's own class,
   * for a layout of its own on phones).
   */
  function table(columns, rows, opts) {
    opts = opts || {};
    const cls = (c) => [c.num ? "num" : "", c.wideOnly ? "wide-only" : "", c.narrowOnly ? "narrow-only" : "",
      c.cls || ""].join(" ").trim() || null;
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
    return el("div", { class: "table-wrap" }, el("table", { class: "data" + (opts.compact ? " compact" : "") + (opts.cls ? " " + opts.cls : "") },
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

  /* Page controls: ‹ Previous · Page n of m · Next ›; go(page) shows another page. */
  function pager(page, pages, go) {
    const btn = (cls, label, to) => el("button", { type: "button", class: "btn secondary " + cls,
      disabled: to < 1 || to > pages, onclick: () => go(to) }, label);
    return el("nav", { class: "pager row", "aria-label": t("pages") },
      btn("prev", "‹ " + t("previous"), page - 1),
      el("span", { class: "small page-of" }, t("page_n_of_m", { n: page, m: pages })),
      btn("next", t("next") + " ›", page + 1));
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

  CM.views = {};
  CM.ui = { can, canRead, isAdmin, canAudit, card, stateKey, badge, stateCell, stat, twoLines, table, pager,
    confirmInline, errorText, notYet, showBanner, fill };
})();
