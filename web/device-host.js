/*
 * device-host.js — what a device's page adds for an SNMP-polled server (or
 * NAS): graphs of CPU, memory and storage, and a storage table, from the
 * series the poller stores with the profiles in collector/profiles/:
 *   host-resources: cpu.load_percent {cpu} (hrProcessorLoad, one series per
 *     processor), storage.used_percent / used_bytes / size_bytes {name}
 *     (hrStorage: physical and virtual memory, swap, file systems);
 *   ucd-snmp: cpu.idle_percent (shown as 100 − idle when there is no
 *     hrProcessorLoad).
 * Everything stays hidden on a device without these series.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, fmt, t } = CM;
  const { table, graph, pick } = CM.ui;
  const NOT_FS = /memory|^ram$|swap|buffers|cached/i;	/* hrStorage rows that are no file system */
  const RAM = /^physical memory$|^real memory$|^ram$/i;
  const MAX_LINES = 8;

  /* → {nodes (graphs and the storage card, to place), graphs, update(series)} */
  function hostResources(range) {
    const gCpu = graph(range, t("cpu_usage"), [], "%", { half: true, id: "graph-device-cpu" });
    const gMem = graph(range, t("memory_used"), [], "%", { half: true, id: "graph-device-memory" });
    const gStor = graph(range, t("storage_used"), [], "%", { half: true, id: "graph-device-storage" });
    const box = el("div");
    const card = el("section", { class: "card", id: "storage-card", hidden: true }, el("h2", {}, t("storage")), box);
    const graphs = [gCpu, gMem, gStor];
    for (const g of graphs) g.node.hidden = true;
    let first = true;

    function set(g, lines) {
      g.node.hidden = lines.length === 0;
      if (lines.length) g.setSeries(lines);
    }

    function update(series) {
      const storage = pick(series, "storage", "used_percent").filter((s) => s.tags.name);
      const fs = storage.filter((s) => !NOT_FS.test(s.tags.name))
        .sort((a, b) => String(a.tags.name).localeCompare(String(b.tags.name)));
      const bytes = (field, name) => {
        const s = pick(series, "storage", field, (tg) => tg.name === name)[0];
        return s ? s.last : null;
      };
      card.hidden = fs.length === 0;
      clear(box);
      box.appendChild(table([
        { label: t("mount"), get: (s) => el("span", { class: "break" }, s.tags.name) },
        { label: t("used"), get: (s) => fmt(s.last, "%"), num: true },
        { label: t("used_bytes"), get: (s) => fmt(bytes("used_bytes", s.tags.name), "bytes"), num: true, wideOnly: true },
        { label: t("size"), get: (s) => fmt(bytes("size_bytes", s.tags.name), "bytes"), num: true },
      ], fs, { compact: true, rowData: (s) => ({ storage: s.tags.name }) }));
      if (!first) return;
      first = false;
      const cpus = pick(series, "cpu", "load_percent")
        .sort((a, b) => String(a.tags.cpu).localeCompare(String(b.tags.cpu), undefined, { numeric: true }));
      set(gCpu, cpus.length
        ? cpus.slice(0, MAX_LINES).map((s, i) => ({ id: s.id, label: cpus.length === 1 ? t("cpu") : t("cpu_n", { n: i + 1 }) }))
        : pick(series, "cpu", "idle_percent").slice(0, 1).map((s) => ({ id: s.id, label: t("cpu"), map: (v) => 100 - v })));
      const ram = storage.find((s) => RAM.test(s.tags.name));
      const swap = storage.find((s) => /swap/i.test(s.tags.name));
      set(gMem, [ram && { id: ram.id, label: t("memory") }, swap && { id: swap.id, label: t("swap") }].filter(Boolean));
      set(gStor, fs.slice(0, MAX_LINES).map((s) => ({ id: s.id, label: s.tags.name })));
    }
    return { nodes: [gCpu.node, gMem.node, gStor.node, card], graphs, update };
  }

  CM.ui.hostResources = hostResources;
})();
