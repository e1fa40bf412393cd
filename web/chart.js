/*
 * chart.js — a small time-series line chart on <canvas>: several lines,
 * time and value axes, a readout under the finger or pointer, and drag to
 * zoom (the caller re-queries the range). Values are drawn, never inserted
 * as markup.
 */
"use strict";

(function () {
  const CM = window.CM;
  const COLORS = ["#2f7dd1", "#e07b00", "#1e8e3e", "#a142f4", "#c5221f"];
  const MIN = 60, HOUR = 3600, DAY = 86400;
  /* time-axis steps, finest first: seconds, minutes, hours, days; then months */
  const STEPS = [1, 2, 5, 10, 15, 30, MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN,
    HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY];
  const MONTHS = [1, 2, 3, 6, 12];

  /*
   * The ticks of a time axis from..to (seconds) with at most max of them, on
   * round local times: {step (seconds, or {months}), ticks: [ts, ...]}.
   * offset(ts) is the local time's offset from UTC in seconds at ts.
   */
  function timeTicks(from, to, max, offset) {
    const span = Math.max(1, to - from);
    max = Math.max(1, max);
    const step = STEPS.find((s) => span / s <= max);
    const ticks = [];
    if (step !== undefined) {
      /* days and weeks start at local midnight, the rest at round local times */
      const off = offset(from);
      for (let ts = Math.ceil((from + off) / step) * step - off; ts <= to; ts += step) ticks.push(ts);
      return { step, ticks };
    }
    const months = MONTHS.find((m) => span / (m * 30.44 * DAY) <= max) || Math.ceil(span / (max * 365.25 * DAY)) * 12;
    const d = new Date(from * 1000);
    d.setHours(0, 0, 0, 0);
    d.setDate(1);
    d.setMonth(Math.ceil(d.getMonth() / months) * months);	/* Jan, Apr, Jul, Oct for 3 … */
    while (d.getTime() / 1000 < from) d.setMonth(d.getMonth() + months);
    for (; d.getTime() / 1000 <= to; d.setMonth(d.getMonth() + months)) ticks.push(d.getTime() / 1000);
    return { step: { months }, ticks };
  }
  const localOffset = (ts) => -new Date(ts * 1000).getTimezoneOffset() * 60;

  /*
   * CM.chart(container, {lines: [{label, points: [[ts, v|null], ...]}], unit,
   *   from, to, onZoom(from, to)}) → {update(opts)}
   */
  CM.chart = function chart(container, opts) {
    const box = CM.el("div", { class: "chart" });
    const canvas = CM.el("canvas", { role: "img", "aria-label": opts.title || "" });
    const tip = CM.el("div", { class: "tip", hidden: true });
    const legend = CM.el("div", { class: "legend" });
    box.appendChild(canvas);
    box.appendChild(tip);
    container.appendChild(box);
    container.appendChild(legend);
    let state = opts;
    let drag = null;
    let hover = null;

    let left = 40;			/* from the widest value label, set by draw() */

    function geometry() {
      const w = box.clientWidth || 300;
      const h = box.clientHeight || 200;
      return { w, h, left, right: 10, top: 10, bottom: 24 };
    }

    function extent() {
      let lo = Infinity, hi = -Infinity;
      for (const l of state.lines)
        for (const [, v] of l.points)
          if (v !== null && Number.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
      if (!Number.isFinite(lo)) return [0, 1, 0.25];
      /* equal up to rounding (19.9 and 19.900000000000002): a flat line in the
       * middle, not a step so small that adding it to lo changes nothing */
      if (hi - lo <= Math.max(Math.abs(lo), Math.abs(hi)) * 1e-9) {
        const d = lo === 0 ? 1 : Math.abs(lo) * 0.05;
        if (lo !== 0) lo -= d;		/* all zero: from 0 up, not into negative rates */
        hi += d;
      }
      if (lo > 0 && (state.unit === "%" || lo < hi * 0.5)) lo = 0;
      if (state.unit === "%" && hi <= 100 && hi > 50) hi = 100;
      /* round the axis to a "nice" step: 1, 2, 2.5 or 5 times a power of ten,
       * of the unit shown (KiB, MiB … for bytes) */
      const binary = state.unit === "Bps" || state.unit === "bytes";
      const scale = binary ? Math.pow(1024, Math.max(0, Math.floor(Math.log(Math.max(Math.abs(hi), Math.abs(lo), 1)) / Math.log(1024)))) : 1;
      const raw = (hi - lo) / 4 / scale;
      const mag = Math.pow(10, Math.floor(Math.log10(raw)));
      const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((x) => x >= raw) * scale;
      return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step, step];
    }

    /* a tick's label, as precise as its step */
    function timeLabel(ts, step) {
      const d = new Date(ts * 1000);
      const lang = CM.lang();
      if (typeof step === "object")
        return d.toLocaleDateString(lang, { year: "2-digit", month: "numeric" });
      if (step < MIN)
        return d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      if (step < DAY && (step < HOUR || d.getHours() !== 0 || d.getMinutes() !== 0))
        return d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
      return d.toLocaleDateString(lang, { month: "numeric", day: "numeric" });
    }

    /* The value labels, with as few decimals as say each value exactly
     * ("40 MiB/s" and "5 %", not "40.0 MiB/s"; but "2.5 %"): [[value, label]]. */
    function valueLabels(lo, hi, step) {
      const vals = [];
      for (let i = 0, v = lo; v <= hi + step / 2 && i <= 12; i++, v = lo + i * step) vals.push(v);
      const exact = vals.map((v) => parseFloat(CM.fmt(v, state.unit, 2)));
      for (const digits of [0, 1, 2]) {
        const labels = vals.map((v) => CM.fmt(v, state.unit, digits));
        if (digits === 2 || labels.every((l, i) => parseFloat(l) === exact[i])) return vals.map((v, i) => [v, labels[i]]);
      }
      return [];
    }

    function draw() {
      const g = geometry();
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(g.w * dpr);
      canvas.height = Math.round(g.h * dpr);
      const ctx = canvas.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, g.w, g.h);
      const [lo, hi, step] = extent();
      const from = state.from, to = state.to;
      ctx.font = "11px system-ui, sans-serif";
      /* the plot starts right of the widest value label, so none is cut off */
      const yLabels = valueLabels(lo, hi, step);
      left = g.left = Math.ceil(Math.max(24, ...yLabels.map(([, s]) => ctx.measureText(s).width)) + 8);
      box.dataset.left = String(left);
      const pw = g.w - g.left - g.right, ph = g.h - g.top - g.bottom;
      const x = (ts) => g.left + ((ts - from) / (to - from)) * pw;
      const y = (v) => g.top + ph - ((v - lo) / (hi - lo)) * ph;
      ctx.strokeStyle = "#e3e8ee";
      ctx.fillStyle = "#5d6b7e";
      ctx.lineWidth = 1;
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      for (const [v, label] of yLabels) {
        const yy = Math.round(y(v)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(g.left, yy);
        ctx.lineTo(g.w - g.right, yy);
        ctx.stroke();
        ctx.fillText(label, g.left - 4, yy);
      }
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      /* time ticks on round local times, as many as fit with room between
       * their labels; a label is centred on its tick, or kept inside the box */
      const widest = Math.max(...[to - from <= 900 ? "00:00:00" : "00:00", "12/31"].map((s) => ctx.measureText(s).width));
      const { step: tstep, ticks } = timeTicks(from, to, Math.floor(pw / (widest * 1.4 + 16)), localOffset);
      box.dataset.ticks = ticks.join(",");
      box.dataset.tickStep = typeof tstep === "object" ? tstep.months + "mo" : String(tstep);
      for (const ts of ticks) {
        const xx = Math.round(x(ts)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(xx, g.top + ph);
        ctx.lineTo(xx, g.top + ph + 4);
        ctx.stroke();
        const label = timeLabel(ts, tstep);
        const half = ctx.measureText(label).width / 2;
        ctx.fillText(label, Math.min(Math.max(xx, half + 1), g.w - half - 1), g.h - g.bottom + 6);
      }
      state.lines.forEach((l, i) => {
        ctx.strokeStyle = COLORS[i % COLORS.length];
        ctx.lineWidth = 1.6;
        ctx.fillStyle = ctx.strokeStyle;
        ctx.beginPath();
        /* a point without a neighbour on either side becomes a dot */
        const ok = (p) => p && p[1] !== null && Number.isFinite(p[1]) && p[0] >= from && p[0] <= to;
        let pen = false;
        l.points.forEach((p, k) => {
          if (!ok(p)) { pen = false; return; }
          const [ts, v] = p;
          if (pen) ctx.lineTo(x(ts), y(v));
          else ctx.moveTo(x(ts), y(v));
          pen = true;
          if (!ok(l.points[k - 1]) && !ok(l.points[k + 1])) ctx.fillRect(x(ts) - 1.5, y(v) - 1.5, 3, 3);
        });
        ctx.stroke();
      });
      if (drag && drag.x1 !== undefined) {
        ctx.fillStyle = "rgba(47,125,209,0.15)";
        ctx.fillRect(Math.min(drag.x0, drag.x1), g.top, Math.abs(drag.x1 - drag.x0), ph);
      }
      if (hover !== null) {
        ctx.strokeStyle = "#8895a7";
        ctx.beginPath();
        ctx.moveTo(hover + 0.5, g.top);
        ctx.lineTo(hover + 0.5, g.top + ph);
        ctx.stroke();
      }
      const empty = state.lines.every((l) => l.points.every(([, v]) => v === null));
      if (empty) {
        ctx.fillStyle = "#7b8794";
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.font = "13px system-ui, sans-serif";
        ctx.fillText(CM.t("no_data"), g.left + pw / 2, g.top + ph / 2);
      }
      CM.clear(legend);
      state.lines.forEach((l, i) =>
        legend.appendChild(CM.el("span", {}, CM.el("span", { class: "sw sw" + (i % 5) }), l.label)));
    }

    function tsAt(px) {
      const g = geometry();
      const pw = g.w - g.left - g.right;
      return state.from + ((px - g.left) / pw) * (state.to - state.from);
    }

    function readout(px) {
      const ts = tsAt(px);
      const parts = [];
      for (const l of state.lines) {
        let best = null;
        for (const p of l.points)
          if (p[1] !== null && (best === null || Math.abs(p[0] - ts) < Math.abs(best[0] - ts)))
            best = p;
        if (best) parts.push(l.label + ": " + CM.fmt(best[1], state.unit));
      }
      tip.textContent = CM.datetime(ts) + (parts.length ? " · " + parts.join(" · ") : "");
      tip.hidden = false;
    }

    function localX(ev) {
      const r = canvas.getBoundingClientRect();
      return ev.clientX - r.left;
    }

    canvas.addEventListener("pointerdown", (ev) => {
      if (ev.pointerType === "mouse" && ev.button !== 0) return;
      drag = { x0: localX(ev), id: ev.pointerId, touch: ev.pointerType === "touch" };
      if (!drag.touch) canvas.setPointerCapture(ev.pointerId);
    });
    canvas.addEventListener("pointermove", (ev) => {
      const px = localX(ev);
      hover = px;
      readout(px);
      if (drag) drag.x1 = px;
      draw();
    });
    /* A mouse drag or a sideways finger swipe selects the range to zoom into;
     * the box is "touch-action: pan-y", so vertical swipes still scroll. */
    canvas.addEventListener("pointerup", (ev) => {
      const px = localX(ev);
      if (drag && Math.abs(px - drag.x0) > (drag.touch ? 24 : 8) && state.onZoom) {
        const a = tsAt(Math.min(px, drag.x0)), b = tsAt(Math.max(px, drag.x0));
        if (b - a >= 60) state.onZoom(Math.round(a), Math.round(b));
      } else {
        readout(px);
      }
      drag = null;
      draw();
    });
    canvas.addEventListener("pointercancel", () => {
      drag = null;
      hover = null;
      tip.hidden = true;
      draw();
    });
    canvas.addEventListener("pointerleave", () => {
      hover = null;
      tip.hidden = true;
      if (!drag) draw();
    });

    const ro = new ResizeObserver(() => draw());
    ro.observe(box);
    draw();
    return {
      update(next) {
        state = Object.assign({}, state, next);
        draw();
      },
    };
  };
  CM.chart.timeTicks = timeTicks;	/* for tests */
})();
