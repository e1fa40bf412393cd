/*
 * pan-zoom.js — zoom and pan of an SVG drawing: the wheel (around the
 * pointer), a drag with the mouse or one finger, a two-finger pinch, and
 * calls for buttons. The SVG needs `touch-action: none` so fingers reach it.
 *
 * CM.ui.panZoom(svg, stage) moves stage (a <g> inside svg) with one
 * transform and returns {zoomAt(px, py, f), zoomBy(f), show(x, y, w, h,
 * maxK), centre(x, y, k), k(), tapped(), busy()}: tapped() says whether the
 * last press was a tap (not a drag or pinch), for click handlers; busy()
 * whether a pointer is down now. svg.dataset.zoom holds the zoom (tests).
 */
"use strict";

(function () {
  const CM = window.CM;
  const MIN_K = 0.08, MAX_K = 4, SLOP = 6;	/* px a press may move and still be a tap */

  function panZoom(svg, stage) {
    const v = { k: 1, tx: 0, ty: 0 };
    const pointers = new Map();
    let moved = 0;

    function apply() {
      stage.setAttribute("transform", `translate(${v.tx.toFixed(1)} ${v.ty.toFixed(1)}) scale(${v.k.toFixed(4)})`);
      svg.dataset.zoom = v.k.toFixed(3);
    }
    const clampK = (k) => Math.min(MAX_K, Math.max(MIN_K, k));
    function zoomAt(px, py, f) {
      const k = clampK(v.k * f);
      v.tx = px - (px - v.tx) * (k / v.k);
      v.ty = py - (py - v.ty) * (k / v.k);
      v.k = k;
      apply();
    }
    function zoomBy(f) {
      const r = svg.getBoundingClientRect();
      zoomAt(r.width / 2, r.height / 2, f);
    }
    /* The drawing's box x, y, w, h whole in view (at most maxK), at the top, centred across. */
    function show(x, y, w, h, maxK) {
      const r = svg.getBoundingClientRect(), pad = 16;
      v.k = clampK(Math.min((r.width - 2 * pad) / Math.max(1, w), (r.height - 2 * pad) / Math.max(1, h), maxK || MAX_K));
      v.tx = (r.width - w * v.k) / 2 - x * v.k;
      v.ty = pad - y * v.k;
      apply();
    }
    /* The drawing's point x, y in the middle of the view, at zoom k (default: as it is). */
    function centre(x, y, k) {
      const r = svg.getBoundingClientRect();
      if (k) v.k = clampK(k);
      v.tx = r.width / 2 - x * v.k;
      v.ty = r.height / 2 - y * v.k;
      apply();
    }

    svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = svg.getBoundingClientRect();
      zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)));
    }, { passive: false });
    svg.addEventListener("pointerdown", (e) => {
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pointers.size === 1) moved = 0;
    });
    svg.addEventListener("pointermove", (e) => {
      const p = pointers.get(e.pointerId);
      if (!p) return;
      if (pointers.size === 1) {
        const dx = e.clientX - p.x, dy = e.clientY - p.y;
        moved += Math.abs(dx) + Math.abs(dy);
        if (moved > SLOP) {
          if (!svg.hasPointerCapture(e.pointerId)) svg.setPointerCapture(e.pointerId);
          v.tx += dx; v.ty += dy;
          apply();
        }
      } else if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        const before = Math.hypot(a.x - b.x, a.y - b.y);
        p.x = e.clientX; p.y = e.clientY;
        const after = Math.hypot(a.x - b.x, a.y - b.y);
        const r = svg.getBoundingClientRect();
        if (before > 0) zoomAt((a.x + b.x) / 2 - r.left, (a.y + b.y) / 2 - r.top, after / before);
        moved += 100;		/* a pinch is never a tap */
      }
      p.x = e.clientX; p.y = e.clientY;
    });
    const release = (e) => pointers.delete(e.pointerId);
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);
    apply();
    return { zoomAt, zoomBy, show, centre, k: () => v.k, tapped: () => moved <= SLOP, busy: () => pointers.size > 0 };
  }

  CM.ui.panZoom = panZoom;
})();
