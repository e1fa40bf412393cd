/*
 * graph.js — series look-ups and graphs: a range shared by the graphs of a
 * page, its picker (1 h … 1 y, drag to zoom, reset), and a graph card that
 * queries its series for the range and draws them with CM.chart.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, api, t } = CM;
  const { errorText } = CM.ui;

  const GRAPH_REFRESH_MS = 60000;
  const RANGES = [["1h", 3600], ["1d", 86400], ["1w", 7 * 86400], ["1y", 365 * 86400]];

  /* ---- series helpers ---- */
  async function seriesOf(q) {
    const qs = Object.entries(q).map(([k, v]) => k + "=" + encodeURIComponent(v)).join("&");
    return (await api("GET", "/api/v1/series?" + qs)) || [];
  }

  function fresh(s) {
    if (!s || !s.last_ts) return false;
    return Date.now() / 1000 - s.last_ts < Math.max(3 * (s.step || 10), 180);
  }

  function tagText(tags) {
    return Object.entries(tags || {}).filter(([k]) => k !== "host")
      .map(([k, v]) => k + "=" + v).join(", ");
  }

  function seriesLabel(s) {
    const tags = tagText(s.tags);
    return s.measurement + "." + s.field + (tags ? " (" + tags + ")" : "");
  }

  /* ---- graphs with a shared range ---- */
  function rangeState() {
    return { span: 3600, from: null, to: null, listeners: [] };
  }

  function rangePicker(range) {
    const seg = el("div", { class: "seg", role: "group", "aria-label": t("range") });
    const reset = el("button", { type: "button", class: "btn secondary", hidden: true }, t("zoom_reset"));
    function paint() {
      for (const b of seg.children) b.classList.toggle("on", range.from === null && +b.dataset.span === range.span);
      reset.hidden = range.from === null;
    }
    for (const [label, span] of RANGES) {
      seg.appendChild(el("button", { type: "button", dataset: { span: String(span) },
        onclick: () => { range.span = span; range.from = range.to = null; paint(); range.listeners.forEach((f) => f()); } },
      t("range_" + label)));
    }
    reset.addEventListener("click", () => { range.from = range.to = null; paint(); range.listeners.forEach((f) => f()); });
    range.listeners.push(paint);
    paint();
    return el("div", { class: "row" }, el("span", { class: "muted small" }, t("range")), seg, reset);
  }

  /* What a graph's values are counted in, said next to its title: links in
   * bits, disks and memory in bytes (CM.displayOf). */
  function unitNote(unit) {
    return ["bps", "Bps", "bytes", "ps"].includes(unit) ? t("unit_" + unit) : "";
  }

  /*
   * A chart of series [{id, label, map}] following range (map(v), if given,
   * converts each value: bytes to bits, idle to busy); returns {node, reload,
   * setSeries}. opts: half (half the grid's width on wide screens), id.
   */
  function graph(range, title, list, unit, opts) {
    opts = opts || {};
    const body = el("div");
    const name = el("span", { class: "title" }, title);
    const note = el("span", { class: "unit-note" }, unitNote(unit));
    const head = el("h2", {}, name, " ", note);
    const node = el("section", { class: "card graph" + (opts.half ? "" : " wide"), "data-graph": "1", id: opts.id }, head, body);
    let chart = null;
    let series = list;
    let generation = 0;		/* only the newest reload may draw */
    async function reload() {
      const mine = ++generation;
      const now = Math.floor(Date.now() / 1000);
      const from = range.from !== null ? range.from : now - range.span;
      const to = range.to !== null ? range.to : now;
      if (series.length === 0) {
        clear(body);
        body.appendChild(el("p", { class: "muted" }, t("no_data")));
        chart = null;
        return;
      }
      try {
        /* A line is one series ({id}, with an optional map(v)) or several combined
           point by point ({ids, map(v0, v1, …)}): Telegraf's CPU busy is
           100 − idle − iowait. */
        const fetchPoints = async (id) => {
          const q = await api("GET", "/api/v1/query?series=" + encodeURIComponent(id) +
            "&from=" + from + "&to=" + to);
          return (q && q.points) || [];
        };
        const lines = await Promise.all(series.map(async (s) => {
          if (!s.ids) {
            const points = await fetchPoints(s.id);
            return { label: s.label, points: s.map ? points.map(([ts, v]) => [ts, v === null ? null : s.map(v)]) : points };
          }
          const parts = await Promise.all(s.ids.map(fetchPoints));
          const points = parts[0].map(([ts, v], i) => {
            const vals = parts.map((p) => (p[i] && p[i][0] === ts ? p[i][1] : null));
            return [ts, v === null ? null : s.map(...vals)];
          });
          return { label: s.label, points };
        }));
        if (mine !== generation) return;
        const opts = { lines, unit, from, to, title,
          onZoom: (a, b) => { range.from = a; range.to = b; range.listeners.forEach((f) => f()); } };
        if (!chart) {
          clear(body);
          chart = CM.chart(body, opts);
        } else {
          chart.update(opts);
        }
        node.dataset.points = String(lines.reduce((n, l) => n + l.points.filter((p) => p[1] !== null).length, 0));
        node.dataset.span = String(to - from);		/* what is drawn (tests wait for it) */
      } catch (e) {
        if (e.status !== 401 && mine === generation) { clear(body); chart = null; body.appendChild(errorText(e)); }
      }
    }
    range.listeners.push(reload);
    return {
      node, reload,
      setSeries(next, nextTitle, nextUnit) {
        series = next;
        if (nextTitle) name.textContent = nextTitle;
        if (nextUnit !== undefined) { unit = nextUnit; note.textContent = unitNote(unit); }
        reload();
      },
    };
  }

  function pick(rows, measurement, field, tagOk) {
    return rows.filter((s) => s.measurement === measurement && s.field === field && s.type !== "string" &&
      (!tagOk || tagOk(s.tags || {})));
  }

  /* A series' entry for graph(): its display unit and conversion (CM.displayOf). */
  function seriesLine(s, label) {
    const d = CM.displayOf(s.measurement, s.field);
    return { id: s.id, label: label || seriesLabel(s), map: d.scale !== 1 ? (v) => v * d.scale : undefined };
  }

  Object.assign(CM.ui, { GRAPH_REFRESH_MS, seriesOf, fresh, tagText, seriesLabel, seriesLine, pick, rangeState,
    rangePicker, graph });
})();
