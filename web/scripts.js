/*
 * scripts.js — the web UI's scripts, in the order they run: the one list.
 * index.html loads only this file (deferred); in a page it adds the others
 * as ordered, non-inline <script> elements (the CSP allows 'self' only).
 * sw.js importScripts() it to know its offline shell, and the tests read it.
 * A new file goes here, and in web/local.am (the tests check both agree).
 */
"use strict";

(function (g) {
  const SCRIPTS = [
    "i18n.js", "api.js", "format.js", "chart.js",	/* strings, API and DOM, values, charts */
    "ui.js", "graph.js", "device-form.js", "device-host.js", "channels-card.js",		/* building blocks shared by views */
    "view-login.js", "view-overview.js", "view-devices.js", "view-device.js",
    "view-hosts.js", "view-settings.js", "view-audit.js", "view-alerts.js",
    "app.js",						/* router and boot: last */
  ];
  g.CM_SCRIPTS = SCRIPTS;
  if (typeof document === "undefined") return;	/* the service worker */
  for (const name of SCRIPTS) {
    const s = document.createElement("script");
    s.src = "/" + name;
    s.async = false;	/* run in list order, as soon as each is loaded */
    document.head.appendChild(s);
  }
})(self);
