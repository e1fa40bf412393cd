/*
 * app.js — the shell of the campusmon web UI: the navigation, the router
 * that shows one view of CM.views (view-*.js) per URL hash, the refresh
 * timer, the language switch and boot. Views poll the JSON API while
 * visible. Every string shown comes from i18n.js; every value from the API is
 * inserted as text.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, route, api, t } = CM;
  const { canRead, isAdmin, canAudit, card, showBanner } = CM.ui;

  const REFRESH_MS = 15000;

  const main = document.getElementById("main");
  const top = document.getElementById("top");
  const banner = document.getElementById("banner");
  let current = null;			/* {refresh, stop} of the view on screen */
  let timer = null;
  let afterLogin = "#/overview";

  /* ---- shell, routing, refresh ---- */
  function defaultRoute() {
    return canRead() ? "#/overview" : canAudit() ? "#/audit" : "#/overview";
  }

  function buildNav() {
    const nav = document.getElementById("nav");
    clear(nav);
    const items = [];
    if (canRead()) items.push(["overview", t("overview")], ["alerts", t("alerts")], ["devices", t("devices")], ["hosts", t("servers")]);
    if (isAdmin()) items.push(["settings", t("settings")]);
    if (canAudit()) items.push(["audit", t("audit")]);
    for (const [r, label] of items) nav.appendChild(el("a", { href: "#/" + r, dataset: { route: r } }, label));
    document.getElementById("who-name").textContent = CM.session.user ? CM.session.user + " · " + t("role_" + CM.session.role, null, CM.session.role) : "";
  }

  function startApp() {
    top.hidden = false;
    buildNav();
  }

  function parseHash() {
    const h = location.hash.replace(/^#\/?/, "");
    const [path, query] = h.split("?");
    const parts = path.split("/").filter((p) => p !== "").map((p) => { try { return decodeURIComponent(p); } catch (e) { return p; } });
    const params = {};
    for (const kv of (query || "").split("&")) {
      if (!kv) continue;
      const [k, v] = kv.split("=");
      try { params[decodeURIComponent(k)] = decodeURIComponent(v || ""); } catch (e) { /* ignore */ }
    }
    return { name: parts[0] || "", args: parts.slice(1), params };
  }

  function render() {
    if (current && current.stop) current.stop();
    current = null;
    clear(main);
    window.scrollTo(0, 0);
    const { name, args, params } = parseHash();
    if (!CM.session.user || name === "login") {
      if (name !== "login") afterLogin = location.hash || "#/overview";
      current = CM.views.login();
      return;
    }
    for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.route === name || (name === "host" && a.dataset.route === "hosts") || (name === "device" && a.dataset.route === "devices") || (name === "alert" && a.dataset.route === "alerts"));
    const V = CM.views;
    const views = {
      overview: () => (canRead() ? V.overview() : null),
      hosts: () => (canRead() ? V.hosts() : null),
      host: () => (canRead() && args[0] ? V.host(args[0]) : null),
      devices: () => (canRead() ? V.devices(params) : null),
      device: () => (canRead() && args[0] ? V.device(args[0]) : null),
      settings: () => (isAdmin() ? V.settings(args[0]) : null),
      audit: () => (canAudit() ? V.audit() : null),
      alerts: () => (canRead() ? V.alerts(params) : null),
      alert: () => (canRead() && args[0] ? V.alert(args[0]) : null),
    };
    const make = views[name];
    current = make ? make() : null;
    if (!current) {
      if (location.hash !== defaultRoute()) { location.hash = defaultRoute(); return; }
      main.appendChild(card(t("nothing_here"), el("p", { class: "muted" }, t("no_access"))));
      return;
    }
    document.title = "campusmon · " + (document.querySelector("main h1") || { textContent: "" }).textContent;
    if (current.refresh) current.refresh();
  }

  function tick() {
    if (document.hidden || !current || !current.refresh || current.noAuto) return;
    current.refresh();
  }

  function toggleLang() {
    CM.setLang(CM.lang() === "zh-CN" ? "en" : "zh-CN");
    translateStatic();
    if (CM.session.user) buildNav();
    render();
  }

  function translateStatic() {
    document.documentElement.lang = CM.lang();
    for (const n of document.querySelectorAll("[data-i18n]")) n.textContent = t(n.dataset.i18n);
    document.getElementById("lang").textContent = t("other_language_short");
  }

  CM.onUnauthorized = () => {
    if (!CM.session.user) return;
    CM.session = { user: null, role: null, csrf: null, kind: null, permissions: [] };
    top.hidden = true;
    render();
  };

  async function boot() {
    translateStatic();
    document.getElementById("lang").addEventListener("click", toggleLang);
    document.getElementById("logout").addEventListener("click", async () => {
      try { await api("POST", "/api/v1/logout"); } catch (e) { /* the session may be gone already */ }
      CM.session = { user: null, role: null, csrf: null, kind: null, permissions: [] };
      afterLogin = "#/overview";
      location.hash = "#/login";
      render();
    });
    window.addEventListener("hashchange", render);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) tick(); });
    timer = setInterval(tick, REFRESH_MS);
    try {
      const me = await api("GET", "/api/v1/me");
      CM.session = { user: me.user, role: me.role, csrf: me.csrf || null, kind: me.kind, permissions: me.permissions || [] };
      startApp();
      if (!location.hash || location.hash === "#/login" || location.hash === "#/") location.hash = defaultRoute();
    } catch (e) {
      CM.session = { user: null, role: null, csrf: null, kind: null, permissions: [] };
      if (e.status === 0) showBanner(t("offline"), true);
    }
    render();
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  }

  /* After a successful login (view-login.js): r is the answer of POST /api/v1/login. */
  function loggedIn(r) {
    CM.session = { user: r.user, role: r.role, csrf: r.csrf, kind: "session", permissions: r.permissions || [] };
    startApp();
    location.hash = afterLogin && afterLogin !== "#/login" ? afterLogin : defaultRoute();
    if (location.hash === afterLogin) render();
  }

  CM.app = { loggedIn, toggleLang };
  CM.debugTimer = () => timer;
  /* scripts.js adds this file after the page is parsed, maybe after DOMContentLoaded */
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();

})();
