/*
 * view-topology.js — the campus map (#/topology): GET /api/v1/topology laid
 * out by topology-layout.js and drawn as SVG built node by node
 * (createElementNS, textContent: no markup from strings). Status and firing
 * alerts (GET /api/v1/alerts?state=firing, when the collector has it) colour
 * the devices; utilisation colours the links and speed sets their width.
 * Zoom and pan (pan-zoom.js) with the wheel, a drag, a pinch or the buttons; search finds
 * and centres a node; a count badge expands a switch's folded leaves; a
 * click on a node shows it with a link to its device page.
 * #/topology?focus=NODE or ?device=ID opens the map centred on that node
 * (device pages link with ?device=).
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, route, api, apiOptional, t } = CM;
  const main = document.getElementById("main");
  const { badge, errorText, notYet } = CM.ui;
  const NS = "http://www.w3.org/2000/svg";
  const READABLE_K = 0.55;		/* the smallest zoom at which labels can be read */
  const SEVERITY = { critical: 3, warning: 2, info: 1 };

  /* svg("rect", {x: 1}, child…): an SVG element; strings become text nodes. */
  function svg(tag, attrs, ...children) {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) n.setAttribute(k, String(v));
    for (const c of children.flat()) if (c !== undefined && c !== null) n.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    return n;
  }

  /* Cut text to about units columns (CJK counts two) with an ellipsis. */
  function clip(text, units) {
    let w = 0, out = "";
    for (const ch of String(text)) {
      w += ch.codePointAt(0) >= 0x2e80 ? 2 : 1;
      if (w > units) return out + "…";
      out += ch;
    }
    return out;
  }

  function speedWidth(bps) {
    return !bps ? 1.5 : bps >= 40e9 ? 5 : bps >= 10e9 ? 4 : bps >= 1e9 ? 2.5 : 1.5;
  }
  /* utilisation is a fraction of the link's speed (0–1), the busier direction */
  function utilClass(l) {
    if (!l) return "l-none";
    if (l.status === "down") return "l-down";
    const u = typeof l.utilisation === "number" ? l.utilisation : null;
    return u === null ? "l-none" : u >= 0.8 ? "l-hot" : u >= 0.5 ? "l-warm" : "l-ok";
  }
  const pct = (u) => (typeof u === "number" ? Math.round(u * 100) + " %" : "–");

  function viewTopology(params) {
    const title = el("h1", {}, t("map"));
    const q = el("input", { type: "search", id: "topo-search", placeholder: t("map_search"), "aria-label": t("map_search"),
      autocomplete: "off" });
    const found = el("span", { class: "small muted", id: "topo-found", role: "status" });
    const btn = (id, label, text, fn) => el("button", { type: "button", class: "btn secondary", id, title: label,
      "aria-label": label, onclick: fn }, text);
    const summary = el("p", { class: "small muted", id: "topo-summary" });
    const holder = el("div", { class: "topo-map", id: "topo-map" });
    const details = el("section", { class: "card", id: "topo-details", hidden: true });
    main.appendChild(title);
    main.appendChild(el("section", { class: "card topo-card" },
      el("form", { class: "topo-tools", onsubmit: (e) => { e.preventDefault(); find(); } },
        el("div", { class: "topo-find" }, q, el("button", { type: "submit", class: "btn", id: "topo-find" }, t("find"))),
        el("div", { class: "seg topo-zoom" },
          btn("topo-zoom-in", t("zoom_in"), "+", () => zoomBy(1.4)),
          btn("topo-zoom-out", t("zoom_out"), "−", () => zoomBy(1 / 1.4)),
          btn("topo-fit", t("fit"), "⤢", () => fit())),
        el("div", { class: "seg topo-fold" },
          btn("topo-expand", t("expand_all"), t("expand_all"), () => openAll(true)),
          btn("topo-collapse", t("collapse_all"), t("collapse_all"), () => openAll(false)))),
      found, summary, holder, legend()));
    main.appendChild(details);

    const open = new Map();		/* the person's expand/collapse choices */
    let topo = null, lay = null, alerts = new Map(), selected = null, hit = null, placed = false;
    let lastQuery = "", lastIndex = -1;
    const root = svg("svg", { class: "topo-svg", role: "img", "aria-label": t("map") });
    const stage = svg("g", { class: "stage" });
    root.appendChild(stage);
    holder.appendChild(root);

    function legend() {
      const item = (cls, label) => el("span", { class: "topo-key" }, el("span", { class: "sw " + cls }), label);
      return el("div", { class: "legend topo-legend" },
        item("k-up", t("state_up")), item("k-down", t("state_down")), item("k-unreachable", t("state_unreachable")),
        item("k-unmanaged", t("unmanaged")), item("k-alert", t("firing_alert")),
        item("l-ok", t("util_low")), item("l-warm", t("util_mid")), item("l-hot", t("util_high")), item("l-down", t("link_down")));
    }

    /* ---- zoom and pan (pan-zoom.js) ---- */
    const pz = CM.ui.panZoom(root, stage);
    const zoomBy = pz.zoomBy;
    const fit = () => { if (lay) pz.show(0, 0, lay.width, lay.height, 1.2); };
    function centreOn(id, k) {
      const it = lay && lay.byId.get(id);
      if (it) pz.centre(it.x + it.w / 2, it.y + it.h / 2, k);
    }
    /* The first view: the whole map when it is readable so, else the root at a readable size. */
    function firstView() {
      fit();
      if (pz.k() >= READABLE_K || !lay.items.length) return;
      const top = lay.items.reduce((a, b) => (b.y < a.y ? b : a));
      pz.show(top.x + top.w / 2 - 1, top.y, 2, 2, READABLE_K);
    }

    /* one listener for every node: a tap selects, a tap on a badge expands */
    root.addEventListener("click", (e) => {
      if (!pz.tapped()) return;
      const b = e.target.closest("[data-toggle]");
      if (b) { toggle(b.getAttribute("data-toggle")); return; }
      const n = e.target.closest("[data-id]");
      if (!n) return;
      select(n.getAttribute("data-id"));
      /* on a phone the details sit under the map: bring them up */
      if (window.matchMedia("(max-width: 759px)").matches) details.scrollIntoView({ block: "nearest" });
    });
    root.addEventListener("keydown", (e) => {
      const n = e.target.closest && e.target.closest("[data-id]");
      if (!n || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      const it = lay.byId.get(n.getAttribute("data-id"));
      if (it && it.hidden) toggle(it.id);
      else select(n.getAttribute("data-id"));
    });

    /* ---- expanding, finding ---- */
    function toggle(id) {
      const it = lay && lay.byId.get(id);
      if (!it || !it.collapsible) return;
      open.set(id, it.collapsed);
      draw();
      centreOn(id, Math.max(pz.k(), READABLE_K));
      if (selected === id) showDetails();
    }
    function openAll(on) {
      if (!topo) return;
      for (const id of lay.kids.keys()) open.set(id, on);
      draw();
      fit();
    }
    /* Show node id: unfold what hides it, centre it at a readable size. */
    function reveal(id) {
      const path = CM.topo.ancestors(topo, id);
      for (const a of path.slice(0, -1)) if (lay.byId.has(a) && lay.byId.get(a).collapsed) open.set(a, true);
      for (const a of path.slice(0, -1)) if (!lay.byId.has(a)) open.set(a, true);
      hit = id;
      draw();
      centreOn(id, Math.max(pz.k(), 1));
    }
    function find() {
      if (!topo) return;
      const text = q.value.trim();
      const res = CM.topo.search(topo, text);
      if (!res.length) { found.textContent = text ? t("map_no_match") : ""; hit = null; draw(); return; }
      lastIndex = text === lastQuery ? (lastIndex + 1) % res.length : 0;
      lastQuery = text;
      const n = res[lastIndex];
      found.textContent = t("map_found", { n: lastIndex + 1, m: res.length, name: n.name || n.id });
      reveal(String(n.id));
      select(String(n.id));
    }

    /* ---- details of the selected node ---- */
    function select(id) {
      selected = id;
      for (const g of stage.querySelectorAll(".node.selected")) g.classList.remove("selected");
      const g = stage.querySelector(`[data-id="${CSS.escape(id)}"]`);
      if (g) g.classList.add("selected");
      showDetails();
    }
    function showDetails() {
      const it = lay && lay.byId.get(selected);
      const n = it ? it.node : topo && lay && lay.all.get(selected);
      clear(details);
      details.hidden = !n;
      if (!n) return;
      const parent = n.parent !== null && n.parent !== undefined ? lay.all.get(String(n.parent)) : null;
      const up = parent ? (topo.links || []).find((l) => (String(l.a) === String(parent.id) && String(l.b) === String(n.id)) ||
        (String(l.b) === String(parent.id) && String(l.a) === String(n.id))) : null;
      const ports = up ? (String(up.a) === String(parent.id) ? [up.a_port, up.b_port] : [up.b_port, up.a_port]) : null;
      const kids = (lay.kids.get(String(n.id)) || []).length;
      const al = alerts.get(String(n.id)) || [];
      const rows = [
        [t("status"), badge(n.status)],
        [t("kind"), t("kind_" + n.kind, null, n.kind || "–")],
        [t("address"), n.address],
        [t("location"), [n.building, n.room].filter(Boolean).join(" / ")],
        [t("managed"), n.managed === false ? t("unmanaged_long") : t("yes")],
        [t("mac_address"), n.mac],
        [t("seen_by"), n.seen_by ? [n.seen_by, n.source ? " (" + n.source + ")" : ""] : null],
        [t("upstream"), parent ? [parent.name || parent.id, ports ? " (" + (ports[0] || "?") + " → " + (ports[1] || "?") + ")" : ""] : t("map_root")],
        [t("uplink"), up ? [CM.fmt(up.speed_bps, "speed"), " · ", t("state_" + (up.status || "unknown"), null, up.status), " · ", pct(up.utilisation), " · ", up.source] : null],
        [t("behind_it"), kids ? String(kids) : null],
        [t("alerts"), al.length ? al.map((a) => el("div", {}, badge(a.severity), " ", a.subject || a.rule || "")) : null],
      ];
      details.appendChild(el("h2", { class: "break" }, n.name || String(n.id)));
      details.appendChild(el("dl", { class: "kv" }, rows.filter((r) => r[1] !== null && r[1] !== undefined && r[1] !== "")
        .map((r) => [el("dt", {}, r[0]), el("dd", { class: "break" }, r[1])])));
      const acts = el("div", { class: "row" });
      if (n.device_id !== null && n.device_id !== undefined)
        acts.appendChild(el("a", { class: "btn", id: "topo-open-device", href: route("device", n.device_id) }, t("open_device")));
      else if (n.agent && n.name)	/* a server known by its agent only ("h:<host>") */
        acts.appendChild(el("a", { class: "btn", id: "topo-open-host", href: route("host", n.name) }, t("open_device")));
      if (it && it.collapsible)
        acts.appendChild(el("button", { type: "button", class: "btn secondary", id: "topo-toggle", onclick: () => toggle(it.id) },
          it.collapsed ? t("show_n_behind", { n: it.hidden }) : t("fold")));
      details.appendChild(acts);
    }

    /* ---- drawing ---- */
    function nodeGroup(it) {
      const n = it.node;
      const al = alerts.get(it.id);
      const sev = al ? al.reduce((s, a) => Math.max(s, SEVERITY[a.severity] || 1), 0) : 0;
      const cls = ["node", "st-" + CM.ui.stateKey(n.status), n.managed === false ? "unmanaged" : "managed",
        it.leaf ? "leaf" : "inner", sev >= 3 ? "alert-critical" : sev === 2 ? "alert-warning" : sev ? "alert-info" : "",
        it.id === selected ? "selected" : "", it.id === hit ? "found" : ""].filter(Boolean).join(" ");
      const g = svg("g", { class: cls, "data-id": it.id, transform: `translate(${it.x} ${it.y})`, tabindex: 0,
        role: "button", "aria-label": (n.name || it.id) + " · " + t("state_" + CM.ui.stateKey(n.status), null, n.status) });
      g.appendChild(svg("title", {}, [n.name || it.id, n.address, t("kind_" + n.kind, null, n.kind),
        [n.building, n.room].filter(Boolean).join(" / "), n.managed === false ? t("unmanaged") : null].filter(Boolean).join("\n")));
      if (sev) g.appendChild(svg("rect", { class: "halo", x: -4, y: -4, width: it.w + 8, height: it.h + 8, rx: 10 }));
      g.appendChild(svg("rect", { class: "box", width: it.w, height: it.h, rx: n.managed === false ? it.h / 2 : 6 }));
      g.appendChild(svg("rect", { class: "stripe", width: 5, height: it.h - 8, x: 3, y: 4, rx: 2 }));
      const room = it.collapsible ? 15 : 20;	/* the badge takes the right end */
      g.appendChild(svg("text", { class: "name", x: 12, y: it.leaf ? 14 : 17 }, clip(n.name || it.id, room)));
      const sub = [t("kind_" + n.kind, null, n.kind || ""), n.address].filter(Boolean).join(" · ");
      g.appendChild(svg("text", { class: "sub", x: 12, y: it.leaf ? 26 : 32 }, clip(sub, it.collapsible ? 20 : 26)));
      if (it.collapsible) {
        const bw = 36, bh = 24;
        const b = svg("g", { class: "count st-" + CM.ui.stateKey(it.hiddenWorst) + (it.collapsed ? "" : " open"),
          "data-toggle": it.id, transform: `translate(${it.w - bw + 6} ${(it.h - bh) / 2})`,
          role: "button", "aria-label": it.collapsed ? t("show_n_behind", { n: it.hidden }) : t("fold") });
        b.appendChild(svg("rect", { width: bw, height: bh, rx: 12 }));
        b.appendChild(svg("text", { x: bw / 2, y: 16, "text-anchor": "middle" }, it.collapsed ? "+" + it.hidden : "−"));
        g.appendChild(b);
      }
      return g;
    }

    function linkTitle(l) {
      return [(l.a_port || "?") + " ↔ " + (l.b_port || "?"), CM.fmt(l.speed_bps, "speed"),
        t("state_" + (l.status || "unknown"), null, l.status), pct(l.utilisation), l.source].filter(Boolean).join(" · ");
    }

    function draw() {
      lay = CM.topo.layout(topo, { open, looseLabel: t("map_loose") });
      clear(stage);
      const gGroups = svg("g", { class: "groups" }), gTrunks = svg("g", { class: "trunks" });
      const gExtra = svg("g", { class: "extras" }), gEdges = svg("g", { class: "edges" }), gNodes = svg("g", { class: "nodes" });
      for (const gr of lay.groups) {
        gGroups.appendChild(svg("rect", { x: gr.x, y: gr.y, width: gr.w, height: gr.h, rx: 10 }));
        gGroups.appendChild(svg("text", { x: gr.x + 8, y: gr.y + 13 }, clip(gr.label, 40)));
      }
      for (const line of lay.trunks) gTrunks.appendChild(svg("polyline", { points: line.map((p) => p.join(",")).join(" ") }));
      const portAlert = (e) => {
        if (!e.link) return false;
        const al = [[e.link.a, e.link.a_port], [e.link.b, e.link.b_port]];
        return al.some(([id, port]) => port && (alerts.get(String(id)) || []).some((a) => String(a.subject || "").includes(port)));
      };
      for (const e of lay.edges) {
        const line = svg("polyline", { class: "edge " + utilClass(e.link) + (portAlert(e) ? " l-alert" : "") + (e.via ? " via" : ""),
          points: e.path.map((p) => p.join(",")).join(" "), "stroke-width": speedWidth(e.link && e.link.speed_bps),
          "data-a": e.from, "data-b": e.to });
        if (e.link) line.appendChild(svg("title", {}, linkTitle(e.link)));
        gEdges.appendChild(line);
      }
      for (const x of lay.extras) {
        const a = lay.byId.get(x.from), b = lay.byId.get(x.to);
        const ax = a.x + a.w / 2, ay = a.y + a.h / 2, bx = b.x + b.w / 2, by = b.y + b.h / 2;
        const p = svg("path", { class: "extra " + utilClass(x.link), d: `M${ax},${ay} Q${(ax + bx) / 2},${Math.min(ay, by) - 40} ${bx},${by}`,
          "stroke-width": speedWidth(x.link.speed_bps) });
        p.appendChild(svg("title", {}, linkTitle(x.link)));
        gExtra.appendChild(p);
      }
      for (const it of lay.items) gNodes.appendChild(nodeGroup(it));
      stage.append(gGroups, gTrunks, gExtra, gEdges, gNodes);
      const total = lay.all.size, shown = lay.items.length;
      const unmanaged = topo.nodes.filter((n) => n && n.managed === false).length;
      const rootNode = lay.all.get(CM.topo.rootId(topo));
      const guessed = topo.root && typeof topo.root === "object" && topo.root.guessed;
      const nopath = topo.nodes.filter((n) => n && n.depth === -1).length;
      summary.textContent = t("map_summary", { n: total, shown, links: (topo.links || []).length, unmanaged }) +
        (nopath ? " · " + t("map_no_path", { n: nopath }) : "") +
        (rootNode ? " · " + t(guessed ? "map_root_guessed" : "map_root_is", { name: rootNode.name || rootNode.id }) : "");
      root.dataset.nodes = String(shown);
    }

    async function refresh() {
      if (pz.busy()) return;		/* not while a finger or the mouse is on the map */
      let data, firing;
      try {
        [data, firing] = await Promise.all([apiOptional("/api/v1/topology"),
          apiOptional("/api/v1/alerts?state=firing").catch(() => undefined)]);
      } catch (e) {
        /* 503 "no topology yet": before the first neighbour walk */
        if (e.status === 503 && /topology/i.test(e.message)) data = null;
        else {
          if (e.status !== 401) { clear(summary); summary.appendChild(errorText(e)); }
          return;
        }
      }
      if (data === undefined || !data || !Array.isArray(data.nodes) || data.nodes.length === 0) {
        topo = null;
        placed = false;		/* the first graph to come is shown whole again */
        clear(stage);
        holder.hidden = true;
        clear(summary);
        summary.appendChild(data === undefined ? notYet(t("map")) : el("p", { class: "muted", id: "topo-empty" }, t("no_topology")));
        return;
      }
      holder.hidden = false;
      topo = data;
      alerts = new Map();
      const byDevice = new Map(), byName = new Map();
      for (const n of topo.nodes) {
        if (!n) continue;
        if (n.device_id !== null && n.device_id !== undefined) byDevice.set(String(n.device_id), String(n.id));
        if (n.name) byName.set(String(n.name), String(n.id));
      }
      for (const a of Array.isArray(firing) ? firing : []) {
        const id = a.device_id !== undefined && a.device_id !== null ? byDevice.get(String(a.device_id)) : byName.get(String(a.device));
        if (id === undefined) continue;
        if (!alerts.has(id)) alerts.set(id, []);
        alerts.get(id).push(a);
      }
      let focus = !placed && params && params.focus ? String(params.focus) : null;
      if (!placed && params && params.device) focus = byDevice.get(String(params.device)) || null;
      draw();
      if (!placed) {
        placed = true;
        firstView();
        if (focus && lay.all.has(focus)) { reveal(focus); select(focus); }
      }
      if (selected) showDetails();
    }

    return { refresh };
  }

  CM.views.topology = viewTopology;
})();
