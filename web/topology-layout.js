/*
 * topology-layout.js — the map's layered-tree layout, pure (no DOM): from
 * GET /api/v1/topology's nodes (each with its upstream "parent" and "depth")
 * it builds the tree, decides what is collapsed, and gives every shown node
 * a box. view-topology.js draws the result.
 *
 * The picture, top to bottom: the root (core), then one row per depth
 * (distribution, access). A node's children with something shown below
 * them sit side by side in the next row; the others (servers, APs, phones,
 * and switches whose leaves are folded) sit in a block of up to six rows
 * beside them, one section per building/room. Above a few dozen nodes every
 * node with two or more leaves starts collapsed: its leaves become a count
 * badge, and a click expands it. Sibling subtrees in another building than
 * their parent are framed as a group labelled with the building (and the
 * room when they share one).
 *
 * layout(topo, opts) → {items, edges, extras, groups, trunks, width, height,
 *   byId (shown items by id), all (every node by id), kids (id → children)}
 *   opts.open: Map id → true (expanded) | false (collapsed), the person's
 *   choices; opts.collapseOver: node count above which collapsing starts;
 *   opts.looseLabel: the frame's label for nodes linked to nothing shown.
 *   items[]: {id, node, x, y, w, h, leaf (in a block), depth, hidden (leaves folded in),
 *   hiddenWorst (worst status among them), collapsible, collapsed}
 *   edges[]: {from, to, path: [[x, y]…] (the child's own drop), link, via
 *   (true: the child has no known path and hangs here by a link)}
 *   extras[]: links that are not tree edges, between shown nodes
 *   groups[]: {x, y, w, h, label}; trunks[]: neutral connector polylines.
 */
"use strict";

(function () {
  const CM = window.CM || (window.CM = {});

  const L = {
    NODE_W: 150, NODE_H: 40, LEAF_W: 150, LEAF_H: 32, GAP: 16, ROW: 110, LEAF_ROW: 42,
    SECTION_LABEL: 18, GROUP_PAD: 8, GROUP_LABEL: 18, MAX_COLS: 10, BLOCK_ROWS: 6, COLLAPSE_OVER: 60,
  };
  const STATUS_RANK = { down: 4, unreachable: 3, unknown: 1, up: 0 };
  const KIND_RANK = { router: 0, firewall: 1, switch: 2, wlc: 3, server: 4, storage: 5, ap: 6 };

  const nodeKey = (n) => String(n.id);
  const place = (n) => [n.building || "", n.building ? (n.room || "") : ""];
  function bySite(a, b) {
    const [ba, ra] = place(a), [bb, rb] = place(b);
    if (ba !== bb) return ba === "" ? 1 : bb === "" ? -1 : ba.localeCompare(bb);
    if (ra !== rb) return ra.localeCompare(rb);
    const ka = KIND_RANK[a.kind] ?? 9, kb = KIND_RANK[b.kind] ?? 9;
    return ka - kb || String(a.name || a.id).localeCompare(String(b.name || b.id));
  }
  function worse(a, b) {
    return (STATUS_RANK[a] || 0) >= (STATUS_RANK[b] || 0) ? a : b;
  }

  /* The root's node id: "root" is {"id", "name", "guessed"} (or a bare id). */
  function rootId(topo) {
    const r = topo && topo.root;
    const id = r !== null && typeof r === "object" ? r.id : r;
    return id === undefined || id === null ? null : String(id);
  }

  /*
   * The tree: parent links checked (a missing parent, or a loop through
   * parents, makes the node a root of its own), children sorted by place.
   * Returns {roots, kids: Map id → [node], byId, via: Map id → the node
   * it hangs under by a link, for nodes with no known path}.
   */
  function tree(topo) {
    const nodes = Array.isArray(topo && topo.nodes) ? topo.nodes.filter((n) => n && n.id !== undefined && n.id !== null) : [];
    const byId = new Map();
    for (const n of nodes) if (!byId.has(nodeKey(n))) byId.set(nodeKey(n), n);
    /* a loop through parents is cut at the node where the walk comes back */
    const cut = new Set();
    const up = (n) => (!cut.has(nodeKey(n)) && n.parent !== undefined && n.parent !== null &&
      byId.has(String(n.parent)) && String(n.parent) !== nodeKey(n) ? String(n.parent) : null);
    const state = new Map();		/* 1: on the walk now, 2: done */
    for (const n of byId.values()) {
      const walk = [];
      let id = nodeKey(n);
      while (id !== null && !state.has(id)) {
        state.set(id, 1);
        walk.push(id);
        id = up(byId.get(id));
      }
      if (id !== null && state.get(id) === 1) cut.add(id);
      for (const w of walk) state.set(w, 2);
    }
    /*
     * Nodes with no path from the root (depth -1: neighbours of devices the
     * root's tree does not reach) are hung, for the picture only, under a
     * node they have a link with: first those next to a placed node, then
     * each remaining group under its managed (or best-linked) member.
     */
    const root = rootId(topo);
    const adj = new Map(), hasKid = new Set();
    for (const n of byId.values()) if (up(n) !== null) hasKid.add(up(n));
    for (const l of Array.isArray(topo && topo.links) ? topo.links : []) {
      if (!l) continue;
      const a = String(l.a), b = String(l.b);
      if (a === b || !byId.has(a) || !byId.has(b)) continue;
      for (const [x, y] of [[a, b], [b, a]]) {
        if (!adj.has(x)) adj.set(x, []);
        adj.get(x).push(y);
      }
    }
    const lone = new Set([...byId.keys()].filter((id) => id !== root && up(byId.get(id)) === null && !hasKid.has(id)));
    const via = new Map();
    const spread = (queue) => {
      for (let i = 0; i < queue.length; i++)
        for (const nb of adj.get(queue[i]) || [])
          if (lone.has(nb) && !via.has(nb) && nb !== queue[0]) { via.set(nb, queue[i]); queue.push(nb); }
    };
    spread([...(root !== null && byId.has(root) ? [root] : []), ...[...byId.keys()].filter((id) => !lone.has(id) && id !== root)]);
    const degree = (id) => (adj.get(id) || []).length;
    for (const id of [...lone].sort((a, b) => (byId.get(b).managed === true) - (byId.get(a).managed === true) || degree(b) - degree(a)))
      if (!via.has(id) && degree(id)) { lone.delete(id); spread([id]); }
    const upShown = (n) => up(n) ?? via.get(nodeKey(n)) ?? null;
    const kids = new Map(), roots = [];
    for (const n of byId.values()) {
      const p = upShown(n);
      if (p === null) roots.push(n);
      else {
        if (!kids.has(p)) kids.set(p, []);
        kids.get(p).push(n);
      }
    }
    for (const list of kids.values()) list.sort(bySite);
    roots.sort((a, b) => (nodeKey(a) === root ? -1 : nodeKey(b) === root ? 1 : 0) ||
      (kids.has(nodeKey(b)) ? 1 : 0) - (kids.has(nodeKey(a)) ? 1 : 0) || bySite(a, b));
    return { roots, kids, byId, via };
  }

  function layout(topo, opts) {
    opts = opts || {};
    const open = opts.open || new Map();
    const { roots, kids, byId, via } = tree(topo);
    const childrenOf = (id) => kids.get(id) || [];
    const isLeaf = (n) => childrenOf(nodeKey(n)).length === 0;
    const foldByDefault = byId.size > (opts.collapseOver ?? L.COLLAPSE_OVER);
    const leavesOf = (id) => childrenOf(id).filter(isLeaf);
    const collapsible = (id) => leavesOf(id).length >= 2;
    const collapsed = (id) => collapsible(id) && (open.has(id) ? !open.get(id) : foldByDefault);
    /* shown in a block, not in a row of its own: nothing of it is shown below it */
    const inBlock = (c) => childrenOf(nodeKey(c)).every(isLeaf) && (isLeaf(c) || collapsed(nodeKey(c)));

    /* ---- sizes, bottom up: a subtree's width and its leaf block ---- */
    const size = new Map();
    function measure(n) {
      const id = nodeKey(n);
      const inner = childrenOf(id).filter((c) => !inBlock(c));
      const leaves = childrenOf(id).filter((c) => inBlock(c) && !(collapsed(id) && isLeaf(c)));
      /* leaf sections: one per building/room, each starting a new row */
      const sections = [];
      for (const c of leaves) {
        const k = place(c).join("\u0000");
        if (!sections.length || sections[sections.length - 1].key !== k) sections.push({ key: k, place: place(c), nodes: [] });
        sections[sections.length - 1].nodes.push(c);
      }
      const cols = Math.max(1, Math.min(L.MAX_COLS, Math.ceil(leaves.length / L.BLOCK_ROWS)));
      let blockW = 0, blockH = 0;
      for (const s of sections) {
        const rows = Math.ceil(s.nodes.length / cols);
        /* framed when in another building than the node, or a room of several of them */
        s.otherBuilding = s.place[0] !== "" && s.place[0] !== (n.building || "");
        s.labelled = s.otherBuilding || (s.place[1] !== "" && s.place[1] !== (n.room || "") && s.nodes.length >= 2);
        s.cols = cols;
        blockH += rows * L.LEAF_ROW + (s.labelled ? L.SECTION_LABEL + L.GROUP_PAD : 0);
        blockW = Math.max(blockW, Math.min(s.nodes.length, cols) * (L.LEAF_W + L.GAP) - L.GAP +
          (s.labelled ? 2 * L.GROUP_PAD : 0));
      }
      let innerW = 0;
      for (const c of inner) innerW += (innerW ? L.GAP : 0) + measure(c);
      const w = Math.max(L.NODE_W, innerW + (blockW && innerW ? L.GAP * 2 : 0) + blockW);
      size.set(id, { w, inner, sections, blockW, blockH, innerW });
      return w;
    }

    const items = [], edges = [], groups = [], trunks = [], pos = new Map();
    const linkOf = new Map();
    for (const l of Array.isArray(topo && topo.links) ? topo.links : []) {
      if (!l || l.a === undefined || l.b === undefined) continue;
      for (const k of [l.a + "\u0000" + l.b, l.b + "\u0000" + l.a]) if (!linkOf.has(k)) linkOf.set(k, l);
    }
    let bottom = 0;

    function addItem(n, x, y, leaf, depth) {
      const id = nodeKey(n);
      const w = leaf ? L.LEAF_W : L.NODE_W, h = leaf ? L.LEAF_H : L.NODE_H;
      const folded = collapsed(id) ? leavesOf(id) : [];
      const it = { id, node: n, x, y, w, h, leaf, depth, hidden: folded.length,
        hiddenWorst: folded.reduce((s, c) => worse(s, c.status || "unknown"), "up"),
        collapsible: collapsible(id), collapsed: collapsed(id) };
      items.push(it);
      pos.set(id, it);
      bottom = Math.max(bottom, y + h);
      return it;
    }

    /* Group frames around runs of inner children in a building other than the parent's. */
    function frameRuns(parent, inner, spans) {
      let i = 0;
      while (i < inner.length) {
        const b = inner[i].building || "";
        let j = i;
        while (j + 1 < inner.length && (inner[j + 1].building || "") === b) j++;
        if (b !== "" && b !== (parent.building || "")) {
          const run = inner.slice(i, j + 1);
          const rooms = new Set(run.map((c) => c.room || ""));
          const sub = items.filter((it) => it.x >= spans[i][0] && it.x + it.w <= spans[j][1] && it.y >= spans[i][2]);
          const x0 = Math.min(...sub.map((it) => it.x)) - L.GROUP_PAD, x1 = Math.max(...sub.map((it) => it.x + it.w)) + L.GROUP_PAD;
          const y0 = spans[i][2] - L.GROUP_LABEL - L.GROUP_PAD, y1 = Math.max(...sub.map((it) => it.y + it.h)) + L.GROUP_PAD;
          groups.push({ x: x0, y: y0, w: x1 - x0, h: y1 - y0,
            label: rooms.size === 1 && run[0].room ? b + " · " + run[0].room : b });
        }
        i = j + 1;
      }
    }

    function put(n, left, depth) {
      const id = nodeKey(n);
      const s = size.get(id);
      const y = depth * L.ROW + L.GROUP_LABEL + L.GROUP_PAD;
      const childY = (depth + 1) * L.ROW + L.GROUP_LABEL + L.GROUP_PAD;
      const inside = s.blockW + (s.blockW && s.innerW ? L.GAP * 2 : 0) + s.innerW;
      let x = left + (s.w - inside) / 2;
      /* the leaf block first, on the left */
      const blockX = x;
      const drops = [];
      let yy = childY;
      for (const sec of s.sections) {
        const pad = sec.labelled ? L.GROUP_PAD : 0;
        const top = yy;
        if (sec.labelled) yy += L.SECTION_LABEL;
        let maxX = blockX;
        sec.nodes.forEach((c, k) => {
          const cx = blockX + pad + (k % sec.cols) * (L.LEAF_W + L.GAP);
          const cy = yy + Math.floor(k / sec.cols) * L.LEAF_ROW;
          const it = addItem(c, cx, cy, true, depth + 1);
          maxX = Math.max(maxX, cx + L.LEAF_W);
          drops.push({ it, busY: cy - 8 });
        });
        yy += Math.ceil(sec.nodes.length / sec.cols) * L.LEAF_ROW;
        if (sec.labelled) {
          yy += L.GROUP_PAD;
          groups.push({ x: blockX, y: top, w: maxX + pad - blockX, h: yy - top - (L.LEAF_ROW - L.LEAF_H),
            label: !sec.otherBuilding ? sec.place[1] : sec.place[1] ? sec.place[0] + " · " + sec.place[1] : sec.place[0] });
        }
      }
      x += s.blockW + (s.blockW && s.innerW ? L.GAP * 2 : 0);
      const spans = [];
      for (const c of s.inner) {
        const cw = size.get(nodeKey(c)).w;
        const it = put(c, x, depth + 1);
        drops.push({ it, busY: childY - L.ROW / 2 + L.NODE_H / 2 });
        spans.push([x, x + cw, childY]);
        x += cw + L.GAP;
      }
      /* the node itself, centred over its inner children (else its block) */
      const innerIts = s.inner.map((c) => pos.get(nodeKey(c)));
      const cx = innerIts.length ? (innerIts[0].x + innerIts[innerIts.length - 1].x + L.NODE_W) / 2
        : s.blockW ? blockX + s.blockW / 2 : left + s.w / 2;
      const me = addItem(n, cx - L.NODE_W / 2, y, false, depth);
      /* connectors: a stem down from the node, a bus over the inner row, a trunk beside the block */
      if (drops.length) {
        const stemX = me.x + me.w / 2, stemY = me.y + me.h;
        const midY = childY - L.ROW / 2 + L.NODE_H / 2;
        const lines = [];
        if (innerIts.length) {
          const xs = innerIts.map((it) => it.x + it.w / 2).concat([stemX]);
          lines.push([[stemX, stemY], [stemX, midY]], [[Math.min(...xs), midY], [Math.max(...xs), midY]]);
        }
        const leafDrops = drops.filter((d) => d.it.leaf);
        if (leafDrops.length) {
          const trunkX = blockX - L.GAP / 2;
          const lastBus = Math.max(...leafDrops.map((d) => d.busY));
          lines.push([[stemX, stemY], [stemX, midY], [trunkX, midY], [trunkX, lastBus]]);
          const rows = new Map();
          for (const d of leafDrops) rows.set(d.busY, Math.max(rows.get(d.busY) || 0, d.it.x + d.it.w / 2));
          for (const [by, maxX] of rows) lines.push([[trunkX, by], [maxX, by]]);
        }
        trunks.push(...lines);
        for (const d of drops) {
          const dx = d.it.x + d.it.w / 2;
          edges.push({ from: id, to: d.it.id, path: [[dx, d.busY], [dx, d.it.y]],
            link: linkOf.get(id + "\u0000" + d.it.id) || null, via: via.has(d.it.id) });
        }
      }
      frameRuns(n, s.inner, spans);
      return me;
    }

    let left = 0;
    const rootKey = rootId(topo);
    const loose = roots.filter((r) => nodeKey(r) !== rootKey && childrenOf(nodeKey(r)).length === 0);
    for (const r of roots) {
      if (loose.includes(r)) continue;
      const w = measure(r);
      put(r, left, 0);
      left += w + L.GAP * 3;
    }
    /* nodes linked to nothing shown: one framed block under the trees */
    if (loose.length) {
      const cols = Math.max(1, Math.min(L.MAX_COLS, Math.ceil(loose.length / L.BLOCK_ROWS)));
      const top = bottom + (items.length ? L.ROW / 2 : 0), x0 = L.GROUP_PAD;
      loose.forEach((n, k) => addItem(n, x0 + (k % cols) * (L.LEAF_W + L.GAP),
        top + L.SECTION_LABEL + Math.floor(k / cols) * L.LEAF_ROW, true, 0));
      groups.push({ x: 0, y: top - L.GROUP_PAD, w: cols * (L.LEAF_W + L.GAP) - L.GAP + 2 * L.GROUP_PAD,
        h: L.SECTION_LABEL + Math.ceil(loose.length / cols) * L.LEAF_ROW + L.GROUP_PAD, label: opts.looseLabel || "", loose: true });
    }
    /* links that are not tree edges, between nodes on screen (redundant uplinks, rings) */
    const tree2 = new Set(edges.map((e) => e.from + "\u0000" + e.to));
    const extras = [];
    const seen = new Set();
    for (const l of Array.isArray(topo && topo.links) ? topo.links : []) {
      if (!l) continue;
      const a = String(l.a), b = String(l.b);
      const k = a < b ? a + "\u0000" + b : b + "\u0000" + a;
      if (a === b || seen.has(k) || tree2.has(a + "\u0000" + b) || tree2.has(b + "\u0000" + a)) continue;
      seen.add(k);
      if (pos.has(a) && pos.has(b)) extras.push({ from: a, to: b, link: l });
    }
    const right = items.reduce((m, it) => Math.max(m, it.x + it.w), 0);
    return { items, edges, extras, groups, trunks, width: right, height: bottom, byId: pos, all: byId, kids, via };
  }

  /* The ids from a root down to id (both included), by parent links. */
  function ancestors(topo, id) {
    const { byId } = tree(topo);
    const out = [];
    const seen = new Set();
    let cur = byId.get(String(id));
    while (cur && !seen.has(nodeKey(cur))) {
      seen.add(nodeKey(cur));
      out.unshift(nodeKey(cur));
      cur = cur.parent !== undefined && cur.parent !== null ? byId.get(String(cur.parent)) : null;
    }
    return out;
  }

  /* Nodes whose name, address or id contains the text (any case), best first. */
  function search(topo, text) {
    const q = String(text || "").trim().toLowerCase();
    if (!q) return [];
    const nodes = Array.isArray(topo && topo.nodes) ? topo.nodes : [];
    const score = (n) => {
      const name = String(n.name || "").toLowerCase();
      return name === q ? 0 : name.startsWith(q) ? 1 : name.includes(q) ? 2 :
        [n.address, n.id].some((v) => v !== undefined && v !== null && String(v).toLowerCase().includes(q)) ? 3 : 9;
    };
    return nodes.map((n) => [score(n), n]).filter(([s]) => s < 9)
      .sort((a, b) => a[0] - b[0] || String(a[1].name).localeCompare(String(b[1].name))).map(([, n]) => n);
  }

  CM.topo = { layout, tree, ancestors, search, rootId, L };
})();
