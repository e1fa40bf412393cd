/*
 * view-devices.js — the device list with its search and filters.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, route, api, apiOptional, t } = CM;
  const main = document.getElementById("main");
  const { badge, table, pager, isAdmin, notYet, errorText, KINDS, addDeviceCard } = CM.ui;

  const STATUSES = ["up", "down", "unreachable", "unknown", "seen"];
  const PAGE = 50;			/* rows per page */
  const byName = (a, b) => String(a.name).localeCompare(String(b.name));
  /* the orders offered, each with the name as the tie-break */
  const SORTS = {
    name: byName,
    address: (a, b) => CM.compareAddress(a.address, b.address) || byName(a, b),
    status: (a, b) => STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status) || byName(a, b),
    last_seen: (a, b) => (b.last_seen || 0) - (a.last_seen || 0) || byName(a, b),
  };

  function viewDevices(params) {
    main.appendChild(el("h1", {}, t("devices")));
    main.appendChild(el("p", { class: "small" }, el("a", { href: "#/topology", id: "devices-map" }, t("show_on_map"))));
    const q = el("input", { type: "search", placeholder: t("search_devices"), "aria-label": t("search_devices") });
    const kind = el("select", { "aria-label": t("kind") }, el("option", { value: "" }, t("all_kinds")),
      KINDS.map((k) => el("option", { value: k }, t("kind_" + k, null, k))));
    const status = el("select", { "aria-label": t("status") }, el("option", { value: "" }, t("all_statuses")),
      STATUSES.map((s) => el("option", { value: s }, t("state_" + s, null, s))));
    const where = el("input", { type: "search", placeholder: t("location"), "aria-label": t("location") });
    const mon = el("select", { "aria-label": t("monitored") }, el("option", { value: "" }, t("monitored_any")),
      el("option", { value: "yes" }, t("monitored_yes")), el("option", { value: "no" }, t("monitored_no")));
    const sort = el("select", { "aria-label": t("sort_by"), id: "devices-sort" },
      Object.keys(SORTS).map((k) => el("option", { value: k }, t("sort_" + k))));
    kind.value = params.kind || "";
    status.value = params.status || "";
    sort.value = SORTS[params.sort] ? params.sort : "name";
    const list = el("div");
    let devices = [], page = 1;
    main.appendChild(el("section", { class: "card" },
      el("form", { class: "inline", onsubmit: (e) => e.preventDefault() },
        el("label", { class: "field" }, t("search"), q), el("label", { class: "field" }, t("kind"), kind),
        el("label", { class: "field" }, t("status"), status), el("label", { class: "field" }, t("location"), where),
        el("label", { class: "field" }, t("monitored"), mon), el("label", { class: "field" }, t("sort_by"), sort)), list));
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
      const pages = Math.max(1, Math.ceil(rows.length / PAGE));
      page = Math.min(Math.max(1, page), pages);
      const go = (p) => { page = p; render(); list.scrollIntoView({ block: "start" }); };
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
      ], rows.sort(SORTS[sort.value]).slice((page - 1) * PAGE, page * PAGE),
      { empty: devices.length ? t("no_match") : t("no_devices"), compact: true, rowData: (d) => ({ device: d.name }),
        onRow: (d) => { location.hash = route("device", d.id); } }));
      if (pages > 1) list.appendChild(pager(page, pages, go));
    }
    const again = () => { page = 1; render(); };	/* a new filter or order starts at page 1 */
    for (const c of [q, where]) c.addEventListener("input", again);
    for (const c of [kind, status, mon, sort]) c.addEventListener("change", again);

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

  CM.views.devices = viewDevices;
})();
